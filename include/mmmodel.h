/* SPDX-License-Identifier: MIT */
/**
 * DOC: mmmodel.h - the C interface of MMModel
 *
 * MMModel is an executable model of Linux anonymous memory: PTE and swap-entry
 * encodings, batching, and (in later releases) processes, folios, rmap, fork,
 * faults and swap. This header is the whole contract: a function, type or
 * constant that is not declared here is not part of MMModel's API and may
 * change without notice. The library exports every mmm_ function declared
 * here and nothing else named mmm_.
 *
 * Conventions used by every declaration:
 *
 * - Functions that can fail return 0 (or a non-negative count) on success and a
 *   negative errno value on failure (-EINVAL, -ERANGE, ...). mmm_strerror()
 *   turns one into text. Out-pointers are written only on success.
 * - No input crashes the process: every argument is validated, and anything the
 *   kernel would never produce is refused with an error instead of being
 *   silently wrapped or truncated.
 * - Sized structs: a struct whose first member is ``size`` must have ``size``
 *   set by the caller to sizeof() the struct as the caller knows it. Input
 *   fields beyond the caller's size read as zero; output fields beyond it are
 *   not written. Structs only ever grow at the end.
 * - "Kernel:" names the kernel function a call models; "Since:" the MMModel
 *   release in which the name appeared.
 *
 * Threads: the encoding functions touch no shared state and may be called from
 * any number of threads at once. A world (mmm_world) is used by one thread at
 * a time; distinct worlds share nothing.
 */
#ifndef MMMODEL_H
#define MMMODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compile-time version; mmm_version() and mmm_version_number() give the run-time one. */
#define MMM_VERSION_MAJOR 0
#define MMM_VERSION_MINOR 1
#define MMM_VERSION_PATCH 0
#define MMM_VERSION_STRING "0.1.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH, as SQLITE_VERSION_NUMBER. */
#define MMM_VERSION_NUMBER \
	(MMM_VERSION_MAJOR * 1000000 + MMM_VERSION_MINOR * 1000 + MMM_VERSION_PATCH)

/**
 * mmm_version() - Run-time version of the library, "MAJOR.MINOR.PATCH".
 *
 * Compare with MMM_VERSION_STRING to find a header / library mismatch.
 *
 * Context: Any thread.
 * Return: a static string; never NULL, never freed by the caller.  Since: 0.1.
 */
const char *mmm_version(void);

/**
 * mmm_version_number() - Run-time version as MAJOR * 1000000 + MINOR * 1000 + PATCH.
 *
 * Context: Any thread.
 * Return: the number; equal to MMM_VERSION_NUMBER when header and library agree.
 * Since: 0.1.
 */
int mmm_version_number(void);

/**
 * mmm_strerror() - Describe an error value returned by an mmm_ function.
 * @err: a negative errno value as returned (a positive one is accepted too).
 *
 * Context: Any thread.
 * Return: a static English string, never NULL, never to be freed; "Success" for
 * 0 and "Unknown error" for a value MMModel never returns.  Since: 0.1.
 */
const char *mmm_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Architectures and kernel configuration                                    */
/* ------------------------------------------------------------------------ */

/**
 * typedef mmm_arch - An architecture, optionally with kernel-config modifiers.
 *
 * The low byte names the architecture (MMM_ARCH_X86_64 or MMM_ARCH_ARM64, 4 KiB
 * pages). Without modifiers the kernel is configured with every feature the
 * architecture supports for anonymous memory: soft-dirty (x86-64 only),
 * userfaultfd write-protect, device-private memory, migration and memory
 * failure, which gives MAX_SWAPFILES = 24. The MMM_ARCH_CFG_NO_* bits OR-ed in
 * remove a feature: its PTE bits then read as 0 and setting them does nothing,
 * and the swap-type numbering shifts as the kernel's does. Bits 16-31 are
 * reserved and must be 0; any other unknown bit gives -EINVAL.
 */
typedef uint32_t mmm_arch;

#define MMM_ARCH_X86_64 0x01u /* x86-64, 4-level paging, 4 KiB pages */
#define MMM_ARCH_ARM64  0x02u /* arm64, 4 KiB granule, 48-bit PA, no LPA2 */

#define MMM_ARCH_CFG_NO_SOFT_DIRTY     0x0100u /* CONFIG_MEM_SOFT_DIRTY=n */
#define MMM_ARCH_CFG_NO_UFFD_WP        0x0200u /* CONFIG_HAVE_ARCH_USERFAULTFD_WP=n */
#define MMM_ARCH_CFG_NO_DEVICE_PRIVATE 0x0400u /* CONFIG_DEVICE_PRIVATE=n */
#define MMM_ARCH_CFG_NO_MIGRATION      0x0800u /* CONFIG_MIGRATION=n */
#define MMM_ARCH_CFG_NO_MEMORY_FAILURE 0x1000u /* CONFIG_MEMORY_FAILURE=n */

/*
 * The configuration of the 6.18 kernel these machines run (spec, encoding §0.1):
 * no soft-dirty, no device-private memory, no memory failure; MAX_SWAPFILES = 28.
 */
#define MMM_ARCH_CFG_LIVE_6_18 \
	(MMM_ARCH_CFG_NO_SOFT_DIRTY | MMM_ARCH_CFG_NO_DEVICE_PRIVATE | \
	 MMM_ARCH_CFG_NO_MEMORY_FAILURE)

/**
 * struct mmm_arch_info - Constants of an architecture and configuration.
 * @size:           set by the caller to sizeof(struct mmm_arch_info).
 * @arch:           the mmm_arch value described.
 * @max_swapfiles:  MAX_SWAPFILES; real swap types are 0 .. max_swapfiles - 1.
 * @swp_pfn_bits:   SWP_PFN_BITS, the PFN width inside migration and other
 *                  PFN-carrying entries.
 * @max_swp_offset: largest swap offset the arch PTE can hold (2^50 - 1).
 * @max_pfn:        largest PFN a present PTE can hold.
 * @ptes_per_table: PTEs in one page table (512).
 * @cont_ptes:      PTEs in one contiguous block (arm64: 16), 1 without.
 * @pte_flags:      the MMM_PTE_F_* flags this arch and config can encode.
 * @swp_flags:      the MMM_SWP_F_* flags this arch and config can encode.
 */
struct mmm_arch_info {
	uint32_t size;
	uint32_t arch;
	uint32_t max_swapfiles;
	uint32_t swp_pfn_bits;
	uint64_t max_swp_offset;
	uint64_t max_pfn;
	uint32_t ptes_per_table;
	uint32_t cont_ptes;
	uint64_t pte_flags;
	uint64_t swp_flags;
};

/**
 * mmm_arch_info() - Describe an architecture and configuration.
 * @arch: an mmm_arch value.
 * @out:  receives the description; @out->size must be set.
 *
 * Kernel: MAX_SWAPFILES (include/linux/swap.h), SWP_PFN_BITS (swapops.h).
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown or @out is NULL or too small.
 * Since: 0.1.
 */
int mmm_arch_info(mmm_arch arch, struct mmm_arch_info *out);

/* ------------------------------------------------------------------------ */
/* Present PTEs: predicates                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Every predicate below takes (arch, pte), returns 1 (true) or 0 (false), and
 * -EINVAL when @arch is unknown. They accept any 64-bit value, as the kernel's
 * do, and answer exactly what the kernel's helper of the same name answers for
 * that architecture. Context: Any thread. Since: 0.1.
 */

/**
 * mmm_pte_none() - Is @pte empty?
 * @arch: an mmm_arch value.
 * @pte:  any value.
 *
 * x86-64 ignores the accessed and dirty bits (Knights Landing erratum), so 0x60
 * is none; arm64 tests for exactly 0.
 * Kernel: pte_none().
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_none(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_present() - Is @pte present to Linux (valid, or PROT_NONE)?
 * @arch: an mmm_arch value.
 * @pte:  any value.
 *
 * Kernel: pte_present(); x86-64 counts _PAGE_PROTNONE, arm64 PTE_PRESENT_INVALID.
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_present(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_protnone() - Is @pte a PROT_NONE (present but inaccessible) entry?
 * @arch: an mmm_arch value.
 * @pte:  any value.
 *
 * Kernel: pte_protnone() as built with CONFIG_NUMA_BALANCING.
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_protnone(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_write() - Does @pte allow writes?
 * @arch: an mmm_arch value.
 * @pte:  a present PTE (other values give the raw bit's answer, as the kernel).
 *
 * Kernel: pte_write(); x86-64 _PAGE_RW, arm64 PTE_WRITE (DBM). Shadow-stack
 * PTEs are not modelled.
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_write(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_dirty() - Is @pte dirty?
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 *
 * Kernel: pte_dirty(); x86-64: _PAGE_DIRTY or _PAGE_SAVED_DIRTY; arm64: hardware
 * dirty (PTE_WRITE set and PTE_RDONLY clear) or PTE_DIRTY.
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_dirty(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_young() - Is the accessed bit of @pte set?
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 *
 * Kernel: pte_young().
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_young(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_soft_dirty() - Is the soft-dirty bit of @pte set?
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 *
 * Always 0 on arm64 and with MMM_ARCH_CFG_NO_SOFT_DIRTY.
 * Kernel: pte_soft_dirty().
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_soft_dirty(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_uffd_wp() - Is the userfaultfd write-protect bit of @pte set?
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 *
 * Always 0 with MMM_ARCH_CFG_NO_UFFD_WP.
 * Kernel: pte_uffd_wp().
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_uffd_wp(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_special() - Is @pte a special mapping (no struct page refcounting)?
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 *
 * Kernel: pte_special().
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_special(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_pfn() - The page frame number a present PTE maps.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE (PROT_NONE included; x86-64 undoes the L1TF inversion).
 * @pfn:  receives the PFN.
 *
 * Kernel: pte_pfn().
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown, @pfn is NULL or @pte is not present.
 * Since: 0.1.
 */
int mmm_pte_pfn(mmm_arch arch, uint64_t pte, uint64_t *pfn);

/* ------------------------------------------------------------------------ */
/* Present PTEs: mutators                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Every mutator below takes (arch, pte, out): @pte must be present
 * (mmm_pte_present()), @out receives the result and is untouched on error.
 * Each changes what the kernel's helper of the same name changes on that
 * architecture and nothing else. Return: 0; -EINVAL if @arch is unknown, @out
 * is NULL or @pte is not present. Context: Any thread. Since: 0.1.
 */

/**
 * mmm_pte_mkwrite() - Make a PTE of an ordinary (not shadow-stack) VMA writable.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * x86-64 sets _PAGE_RW and moves _PAGE_SAVED_DIRTY back to _PAGE_DIRTY; arm64
 * as mmm_pte_mkwrite_novma().
 * Kernel: pte_mkwrite(pte, vma) with !(vma->vm_flags & VM_SHADOW_STACK).
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkwrite(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mkwrite_novma() - Set the write permission only.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * x86-64 sets _PAGE_RW only (a SavedDirty bit stays where it is). arm64 (6.18)
 * sets PTE_WRITE and clears PTE_RDONLY only if PTE_DIRTY is set.
 * Kernel: pte_mkwrite_novma().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkwrite_novma(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_wrprotect() - Remove the write permission, keeping dirtiness.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * x86-64 clears _PAGE_RW and moves _PAGE_DIRTY to _PAGE_SAVED_DIRTY (bit 58),
 * so no Write=0,Dirty=1 (shadow-stack) PTE is created. arm64 copies hardware
 * dirtiness into PTE_DIRTY, clears PTE_WRITE and sets PTE_RDONLY.
 * Kernel: pte_wrprotect().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_wrprotect(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mkdirty() - Mark a PTE dirty.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * x86-64 also sets soft-dirty (when configured); on a read-only PTE the dirty
 * bit lands in _PAGE_SAVED_DIRTY. arm64 sets PTE_DIRTY and, if writable,
 * clears PTE_RDONLY.
 * Kernel: pte_mkdirty().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkdirty(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mkclean() - Mark a PTE clean.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * x86-64 clears _PAGE_DIRTY and _PAGE_SAVED_DIRTY; arm64 clears PTE_DIRTY and
 * sets PTE_RDONLY. Soft-dirty is kept.
 * Kernel: pte_mkclean().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkclean(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mkyoung() - Set the accessed bit.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_mkyoung().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkyoung(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mkold() - Clear the accessed bit.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_mkold().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkold(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mksoft_dirty() - Set the soft-dirty bit (no-op where not configured).
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_mksoft_dirty().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mksoft_dirty(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_clear_soft_dirty() - Clear the soft-dirty bit.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_clear_soft_dirty().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_clear_soft_dirty(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mkuffd_wp() - Set the uffd-wp bit and write-protect the PTE.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * No-op with MMM_ARCH_CFG_NO_UFFD_WP.
 * Kernel: pte_mkuffd_wp() (which write-protects on both architectures).
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkuffd_wp(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_clear_uffd_wp() - Clear the uffd-wp bit; the write bit is unchanged.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_clear_uffd_wp().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_clear_uffd_wp(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_mkspecial() - Mark a PTE special.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_mkspecial().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_mkspecial(mmm_arch arch, uint64_t pte, uint64_t *out);

/* ------------------------------------------------------------------------ */
/* Swap PTEs and swap entries                                                */
/* ------------------------------------------------------------------------ */

/**
 * mmm_is_swap_pte() - Is @pte a non-present, non-none entry?
 * @arch: an mmm_arch value.
 * @pte:  any value.
 *
 * True for real swap entries and for every non-swap entry (migration, device,
 * hwpoison, PTE markers).
 * Kernel: is_swap_pte() (up to 6.18).
 * Context: Any thread.
 * Return: 1, 0, or -EINVAL if @arch is unknown.  Since: 0.1.
 */
int mmm_is_swap_pte(mmm_arch arch, uint64_t pte);

/**
 * mmm_swp_entry() - Pack a generic swp_entry_t.
 * @type:   swap type, 0..31.
 * @offset: offset, 0 .. 2^58 - 1.
 * @entry:  receives (type << 58) | offset.
 *
 * Kernel: swp_entry() (include/linux/swapops.h).
 * Context: Any thread.
 * Return: 0; -EINVAL if @entry is NULL; -ERANGE if @type or @offset is too large.
 * Since: 0.1.
 */
int mmm_swp_entry(uint32_t type, uint64_t offset, uint64_t *entry);

/**
 * mmm_swp_type() - The type of a generic swp_entry_t.
 * @entry: a swp_entry_t value.
 *
 * Kernel: swp_type().
 * Context: Any thread.
 * Return: @entry >> 58.  Since: 0.1.
 */
uint32_t mmm_swp_type(uint64_t entry);

/**
 * mmm_swp_offset() - The offset of a generic swp_entry_t.
 * @entry: a swp_entry_t value.
 *
 * Kernel: swp_offset().
 * Context: Any thread.
 * Return: the low 58 bits of @entry.  Since: 0.1.
 */
uint64_t mmm_swp_offset(uint64_t entry);

/**
 * mmm_non_swap_entry() - Is @entry a migration, device, hwpoison or marker entry?
 * @arch:  an mmm_arch value (the configuration decides MAX_SWAPFILES).
 * @entry: a swp_entry_t value.
 *
 * Kernel: non_swap_entry(): swp_type(entry) >= MAX_SWAPFILES.
 * Context: Any thread.
 * Return: 1, 0, or -EINVAL if @arch is unknown or bit 63 of @entry is set.
 * Since: 0.1.
 */
int mmm_non_swap_entry(mmm_arch arch, uint64_t entry);

/**
 * mmm_pte_to_swp_entry() - The generic entry of a non-present PTE.
 * @arch:  an mmm_arch value.
 * @pte:   a value for which mmm_is_swap_pte() is 1.
 * @entry: receives the swp_entry_t; the three swap PTE bits are not part of it.
 *
 * Kernel: pte_to_swp_entry() (up to 6.18; softleaf_from_pte() in 6.19).
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown, @entry is NULL or @pte is not a swap PTE.
 * Since: 0.1.
 */
int mmm_pte_to_swp_entry(mmm_arch arch, uint64_t pte, uint64_t *entry);

/**
 * mmm_swp_entry_to_pte() - Encode a generic entry as an arch swap PTE.
 * @arch:  an mmm_arch value.
 * @entry: a swp_entry_t value.
 * @pte:   receives the PTE, with none of the swap PTE bits set.
 *
 * Unlike the kernel, which silently truncates (x86-64) or spills into bits
 * 62-63 (arm64) an offset of 2^50 or more, this refuses it.
 * Kernel: swp_entry_to_pte().
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown, @pte is NULL, bit 63 of @entry is set,
 * or the result would read as pte_none (x86-64 type 0, offset 2^50 - 1; arm64
 * type 0, offset 0); -ERANGE if the offset exceeds the arch maximum.
 * Since: 0.1.
 */
int mmm_swp_entry_to_pte(mmm_arch arch, uint64_t entry, uint64_t *pte);

/*
 * Swap PTE bits. Each takes (arch, pte[, out]) where @pte must be a swap PTE
 * (mmm_is_swap_pte()); test functions return 1 or 0, set / clear functions
 * write @out. Bits the configuration lacks read as 0 and setting them does
 * nothing: soft-dirty exists on x86-64 only, uffd-wp needs the uffd-wp config.
 * Return: as described, or -EINVAL if @arch is unknown, @out is NULL or @pte is
 * not a swap PTE. Context: Any thread. Since: 0.1.
 */

/**
 * mmm_pte_swp_exclusive() - Was the page exclusive to its mm when unmapped?
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 *
 * Kernel: pte_swp_exclusive(); x86-64 bit 3, arm64 bit 2.
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_swp_exclusive(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_swp_mkexclusive() - Set the swap-exclusive bit.
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_swp_mkexclusive().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_swp_mkexclusive(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_swp_clear_exclusive() - Clear the swap-exclusive bit.
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_swp_clear_exclusive().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_swp_clear_exclusive(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_swp_soft_dirty() - Is the swap soft-dirty bit set?
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 *
 * Kernel: pte_swp_soft_dirty(); x86-64 bit 1.
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_swp_soft_dirty(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_swp_mksoft_dirty() - Set the swap soft-dirty bit.
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_swp_mksoft_dirty().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_swp_mksoft_dirty(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_swp_clear_soft_dirty() - Clear the swap soft-dirty bit.
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_swp_clear_soft_dirty().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_swp_clear_soft_dirty(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_swp_uffd_wp() - Is the swap uffd-wp bit set?
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 *
 * Kernel: pte_swp_uffd_wp(); x86-64 bit 2, arm64 bit 3.
 * Return: 1, 0, or -EINVAL.
 */
int mmm_pte_swp_uffd_wp(mmm_arch arch, uint64_t pte);

/**
 * mmm_pte_swp_mkuffd_wp() - Set the swap uffd-wp bit.
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_swp_mkuffd_wp().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_swp_mkuffd_wp(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_swp_clear_uffd_wp() - Clear the swap uffd-wp bit.
 * @arch: an mmm_arch value.
 * @pte:  a swap PTE.
 * @out:  receives the result.
 *
 * Kernel: pte_swp_clear_uffd_wp().
 * Return: 0 or -EINVAL.
 */
int mmm_pte_swp_clear_uffd_wp(mmm_arch arch, uint64_t pte, uint64_t *out);

/* ------------------------------------------------------------------------ */
/* Decode and encode                                                         */
/* ------------------------------------------------------------------------ */

/* What a PTE value is (struct mmm_pte_info.kind). */
#define MMM_PTE_KIND_NONE                     0u /* pte_none() */
#define MMM_PTE_KIND_PRESENT                  1u /* pte_present(), PROT_NONE included */
#define MMM_PTE_KIND_SWAP                     2u /* real swap entry, type < MAX_SWAPFILES */
#define MMM_PTE_KIND_MIGRATION_READ           3u
#define MMM_PTE_KIND_MIGRATION_READ_EXCLUSIVE 4u
#define MMM_PTE_KIND_MIGRATION_WRITE          5u
#define MMM_PTE_KIND_DEVICE_PRIVATE_READ      6u
#define MMM_PTE_KIND_DEVICE_PRIVATE_WRITE     7u
#define MMM_PTE_KIND_DEVICE_EXCLUSIVE         8u
#define MMM_PTE_KIND_HWPOISON                 9u
#define MMM_PTE_KIND_MARKER                  10u /* PTE marker, type 31 */

/*
 * Bits of a present PTE (struct mmm_pte_info.flags when kind is PRESENT). Each
 * names one hardware or software bit; a flag the arch lacks is refused by
 * mmm_pte_encode() (see struct mmm_arch_info.pte_flags).
 */
#define MMM_PTE_F_VALID       (1ull << 0)  /* x86 _PAGE_PRESENT (0); arm64 PTE_VALID (0) */
#define MMM_PTE_F_WRITE       (1ull << 1)  /* x86 _PAGE_RW (1); arm64 PTE_WRITE/DBM (51) */
#define MMM_PTE_F_USER        (1ull << 2)  /* x86 _PAGE_USER (2); arm64 PTE_USER (6) */
#define MMM_PTE_F_YOUNG       (1ull << 3)  /* x86 _PAGE_ACCESSED (5); arm64 PTE_AF (10) */
#define MMM_PTE_F_DIRTY       (1ull << 4)  /* x86 _PAGE_DIRTY (6); arm64 PTE_DIRTY (55) */
#define MMM_PTE_F_SAVED_DIRTY (1ull << 5)  /* x86 _PAGE_SAVED_DIRTY (58) */
#define MMM_PTE_F_RDONLY      (1ull << 6)  /* arm64 PTE_RDONLY (7) */
#define MMM_PTE_F_SOFT_DIRTY  (1ull << 7)  /* x86 _PAGE_SOFT_DIRTY (11) */
#define MMM_PTE_F_UFFD_WP     (1ull << 8)  /* x86 _PAGE_UFFD_WP (10); arm64 PTE_UFFD_WP (58) */
#define MMM_PTE_F_SPECIAL     (1ull << 9)  /* x86 _PAGE_SPECIAL (9); arm64 PTE_SPECIAL (56) */
#define MMM_PTE_F_PROTNONE    (1ull << 10) /* x86 _PAGE_PROTNONE (8, P=0); arm64 PTE_PRESENT_INVALID (11, VALID=0) */
#define MMM_PTE_F_NX          (1ull << 11) /* x86 _PAGE_NX (63); arm64 PTE_UXN (54) */
#define MMM_PTE_F_CONT        (1ull << 12) /* arm64 PTE_CONT (52) */

/* Bits of a non-present entry (struct mmm_pte_info.flags for the other kinds). */
#define MMM_SWP_F_EXCLUSIVE  (1ull << 0) /* x86 bit 3; arm64 bit 2 */
#define MMM_SWP_F_SOFT_DIRTY (1ull << 1) /* x86 bit 1 */
#define MMM_SWP_F_UFFD_WP    (1ull << 2) /* x86 bit 2; arm64 bit 3 */
#define MMM_SWP_F_MIG_YOUNG  (1ull << 3) /* migration entries: SWP_MIG_YOUNG_BIT of the offset */
#define MMM_SWP_F_MIG_DIRTY  (1ull << 4) /* migration entries: SWP_MIG_DIRTY_BIT of the offset */

/* PTE marker bits (struct mmm_pte_info.marker). */
#define MMM_PTE_MARKER_UFFD_WP  (1u << 0)
#define MMM_PTE_MARKER_POISONED (1u << 1)
#define MMM_PTE_MARKER_GUARD    (1u << 2)

/* What the kernel's predicates answer (struct mmm_pte_info.preds; decode only). */
#define MMM_PRED_NONE       (1u << 0)  /* pte_none() */
#define MMM_PRED_PRESENT    (1u << 1)  /* pte_present() */
#define MMM_PRED_SWAP_PTE   (1u << 2)  /* is_swap_pte() */
#define MMM_PRED_NON_SWAP   (1u << 3)  /* non_swap_entry() of the entry */
#define MMM_PRED_PROTNONE   (1u << 4)  /* pte_protnone() */
#define MMM_PRED_WRITE      (1u << 5)  /* pte_write() */
#define MMM_PRED_DIRTY      (1u << 6)  /* pte_dirty() */
#define MMM_PRED_YOUNG      (1u << 7)  /* pte_young() */
#define MMM_PRED_SOFT_DIRTY (1u << 8)  /* pte_soft_dirty() / pte_swp_soft_dirty() */
#define MMM_PRED_UFFD_WP    (1u << 9)  /* pte_uffd_wp() / pte_swp_uffd_wp() */
#define MMM_PRED_SPECIAL    (1u << 10) /* pte_special() */
#define MMM_PRED_EXCLUSIVE  (1u << 11) /* pte_swp_exclusive() */

/**
 * struct mmm_pte_info - A PTE value taken apart.
 * @size:       set by the caller to sizeof(struct mmm_pte_info).
 * @kind:       MMM_PTE_KIND_*.
 * @flags:      PRESENT: MMM_PTE_F_*; the other non-none kinds: MMM_SWP_F_*.
 * @pfn:        PRESENT, MIGRATION_*, DEVICE_*, HWPOISON: the page frame number.
 * @swp_offset: non-present kinds: the offset of the entry (for PFN-carrying
 *              kinds the PFN plus the migration young / dirty bits).
 * @swp_type:   non-present kinds: the swap type (SWAP: 0 .. MAX_SWAPFILES - 1).
 * @marker:     MARKER: MMM_PTE_MARKER_* bits, at least one (an empty marker
 *              decodes with 0 here; the kernel never installs one, so
 *              mmm_pte_encode() refuses it).
 * @attrs:      PRESENT: every other bit of the PTE, in its PTE position (x86
 *              PWT, PCD, PAT, global, bits 52-57, protection key; arm64
 *              AttrIndx, NS, SH, nG, GP, PXN, bits 57 and 59-63).
 * @preds:      decode only: MMM_PRED_* answers of the kernel's predicates.
 * @reserved:   0.
 * @stray:      decode only: bits the kernel never sets in an entry of this
 *              kind (x86 accessed / dirty in a none PTE, bits 4-7 in a swap
 *              PTE; arm64 bits 62-63 of a swap PTE; unused offset bits of a
 *              PFN-carrying entry). mmm_pte_encode() requires 0.
 *
 * For every value @v whose decode has @stray == 0 and is not an empty marker,
 * mmm_pte_encode() of mmm_pte_decode(@v) gives @v back.
 */
struct mmm_pte_info {
	uint32_t size;
	uint32_t kind;
	uint64_t flags;
	uint64_t pfn;
	uint64_t swp_offset;
	uint32_t swp_type;
	uint32_t marker;
	uint64_t attrs;
	uint32_t preds;
	uint32_t reserved;
	uint64_t stray;
};

/**
 * mmm_pte_decode() - Take a PTE value apart.
 * @arch: an mmm_arch value.
 * @pte:  any value.
 * @out:  receives the description; @out->size must be set.
 *
 * Every 64-bit value decodes to exactly one kind; bits that the kernel would
 * never set for that kind are reported in @out->stray rather than refused.
 * Kernel: pte_none(), pte_present(), pte_to_swp_entry(), is_*_entry().
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown or @out is NULL or too small.
 * Since: 0.1.
 */
int mmm_pte_decode(mmm_arch arch, uint64_t pte, struct mmm_pte_info *out);

/**
 * mmm_pte_encode() - Build a PTE value from its parts.
 * @arch: an mmm_arch value.
 * @in:   the description; @in->size must be set. @preds is ignored.
 * @out:  receives the PTE value.
 *
 * Builds only what the kernel could build: PRESENT needs exactly one of VALID
 * and PROTNONE; SWAP needs a type below MAX_SWAPFILES; a kind the
 * configuration lacks (say device-private without CONFIG_DEVICE_PRIVATE) is
 * refused; a value that would read as pte_none is refused.
 * Kernel: pfn_pte(), swp_entry_to_pte(), pte_swp_mk*(), make_*_entry().
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown, @in or @out is NULL, @in is too
 * small, the kind is unknown or not configured, a flag or attribute bit is not
 * valid for the kind and arch, @stray or @reserved is not 0, a MARKER has no
 * or unknown bits, or the result would be pte_none; -ERANGE if the PFN, type or
 * offset does not fit.  Since: 0.1.
 */
int mmm_pte_encode(mmm_arch arch, const struct mmm_pte_info *in, uint64_t *out);

/**
 * mmm_pte_format() - Describe a PTE value in one line of text.
 * @arch: an mmm_arch value.
 * @pte:  any value.
 * @buf:  receives the NUL-terminated text, truncated to @len - 1 characters;
 *        may be NULL when @len is 0.
 * @len:  size of @buf in bytes.
 *
 * The line is the kind followed by its fields, flags by name, e.g.
 * "present write user young dirty nx pfn=0x12345" or
 * "swap type=3 offset=0x1234 exclusive"; "stray=0x..." ends a value with stray
 * bits. The same words are accepted by ``mmm encode``.
 * Context: Any thread.
 * Return: the length of the full line (excluding the NUL), as snprintf() does;
 * -EINVAL if @arch is unknown or @buf is NULL with @len > 0.  Since: 0.1.
 */
int mmm_pte_format(mmm_arch arch, uint64_t pte, char *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Stepping                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * mmm_pte_advance_pfn() - Move a present PTE @nr frames forward.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE (PROT_NONE included).
 * @nr:   how many frames to advance.
 * @out:  receives the PTE; every bit but the PFN is kept.
 *
 * x86-64 subtracts for an inverted (PROT_NONE) PFN, as its override does; arm64
 * rebuilds the PTE from PFN and protection. Unlike the kernel, checks that the
 * new PFN fits.
 * Kernel: pte_advance_pfn().
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown, @out is NULL or @pte is not present;
 * -ERANGE if the PFN would exceed struct mmm_arch_info.max_pfn.  Since: 0.1.
 */
int mmm_pte_advance_pfn(mmm_arch arch, uint64_t pte, uint64_t nr, uint64_t *out);

/**
 * mmm_pte_next_pfn() - mmm_pte_advance_pfn() by one frame.
 * @arch: an mmm_arch value.
 * @pte:  a present PTE.
 * @out:  receives the PTE.
 *
 * Kernel: pte_next_pfn().
 * Context: Any thread.
 * Return: as mmm_pte_advance_pfn().  Since: 0.1.
 */
int mmm_pte_next_pfn(mmm_arch arch, uint64_t pte, uint64_t *out);

/**
 * mmm_pte_move_swp_offset() - Move a swap PTE's offset by @delta slots.
 * @arch:  an mmm_arch value.
 * @pte:   a real swap PTE (MMM_PTE_KIND_SWAP); not a migration, device,
 *         hwpoison or marker entry.
 * @delta: signed distance in slots; negative moves backward.
 * @out:   receives the moved PTE; untouched on error.
 *
 * Keeps the type and the exclusive, soft-dirty and uffd-wp bits and rebuilds
 * everything else, as the kernel's pte_move_swp_offset() does; unlike it,
 * checks the new offset against @arch instead of wrapping.
 * Kernel: pte_move_swp_offset() (mm/internal.h, 6.11+).
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown, @out is NULL or @pte is not a real
 * swap PTE; -ERANGE if the offset would leave 0 .. max_swp_offset, or the
 * result would read as pte_none.  Since: 0.1.
 */
int mmm_pte_move_swp_offset(mmm_arch arch, uint64_t pte, int64_t delta, uint64_t *out);

/**
 * mmm_pte_next_swp_offset() - mmm_pte_move_swp_offset() by +1.
 * @arch: an mmm_arch value.
 * @pte:  a real swap PTE.
 * @out:  receives the moved PTE.
 *
 * Kernel: pte_next_swp_offset().
 * Context: Any thread.
 * Return: as mmm_pte_move_swp_offset().  Since: 0.1.
 */
int mmm_pte_next_swp_offset(mmm_arch arch, uint64_t pte, uint64_t *out);

/* ------------------------------------------------------------------------ */
/* Batching                                                                  */
/* ------------------------------------------------------------------------ */

/* Which kernel's folio_pte_batch() flags (struct mmm_fpb_args.api). */
#define MMM_FPB_API_6_17 0u /* 6.17+: FPB_RESPECT_* / FPB_MERGE_*, flags 0 ignores dirty */
#define MMM_FPB_API_6_10 1u /* 6.10-6.16: FPB_IGNORE_*, flags 0 respects dirty */

/* Flags for MMM_FPB_API_6_17, with the kernel's values. */
#define MMM_FPB_RESPECT_DIRTY      0x01u /* dirty must match instead of being ignored */
#define MMM_FPB_RESPECT_SOFT_DIRTY 0x02u /* soft-dirty must match */
#define MMM_FPB_RESPECT_WRITE      0x04u /* write permission must match */
#define MMM_FPB_MERGE_WRITE        0x08u /* any writable entry makes the result PTE writable */
#define MMM_FPB_MERGE_YOUNG_DIRTY  0x10u /* any young / dirty entry makes the result young / dirty */

/* Flags for MMM_FPB_API_6_10, with the kernel's values. */
#define MMM_FPB_IGNORE_DIRTY      0x01u /* dirty is ignored */
#define MMM_FPB_IGNORE_SOFT_DIRTY 0x02u /* soft-dirty is ignored */

/**
 * struct mmm_fpb_args - Input of mmm_folio_pte_batch().
 * @size:           set by the caller to sizeof(struct mmm_fpb_args).
 * @api:            MMM_FPB_API_6_17 or MMM_FPB_API_6_10.
 * @flags:          flags of that API.
 * @table_index:    index of ptes[0] within its page table, 0..511: the batch
 *                  stops at the page-table end, and arm64 aligns its
 *                  contiguous-block hint to it.
 * @folio_pfn:      first PFN of the folio ptes[0] maps.
 * @folio_nr_pages: pages in that folio, at least 1.
 * @max_nr:         most entries to look at, at least 1 and at most nr_ptes
 *                  (the caller's VMA bound, as in the kernel).
 */
struct mmm_fpb_args {
	uint32_t size;
	uint32_t api;
	uint32_t flags;
	uint32_t table_index;
	uint64_t folio_pfn;
	uint64_t folio_nr_pages;
	uint64_t max_nr;
};

/**
 * struct mmm_fpb_result - Output of mmm_folio_pte_batch().
 * @size:         set by the caller to sizeof(struct mmm_fpb_result).
 * @nr:           the batch length, as returned.
 * @pte:          the first PTE, after the MERGE flags (6.17 API) were applied;
 *                ptes[0] unchanged otherwise.
 * @any_writable: an entry of the batch after the first is writable (the first
 *                entry's own bits are already in @pte); 6.17 API: only
 *                reported with MERGE_WRITE, and then folded into @pte.
 * @any_young:    likewise for young (6.17 API: with MERGE_YOUNG_DIRTY).
 * @any_dirty:    likewise for dirty (6.17 API: with MERGE_YOUNG_DIRTY).
 * @reserved:     0.
 */
struct mmm_fpb_result {
	uint32_t size;
	uint32_t nr;
	uint64_t pte;
	uint8_t any_writable;
	uint8_t any_young;
	uint8_t any_dirty;
	uint8_t reserved[5];
};

/**
 * mmm_folio_pte_batch() - Count the PTEs from ptes[0] that map consecutive pages of one folio.
 * @arch:    an mmm_arch value.
 * @ptes:    the caller's copy of the page-table entries, starting at the first one.
 * @nr_ptes: entries readable at @ptes.
 * @args:    what the kernel's caller passes; see struct mmm_fpb_args.
 * @res:     receives the outcome; may be NULL when only the count is wanted.
 *
 * Compares each following entry with the expected one (PFN advanced by one)
 * after normalising both: dirty, soft-dirty and write are ignored unless
 * respected (6.17 API) or not ignored (6.10 API: dirty and soft-dirty;
 * write always ignored), and the accessed bit is always ignored. Stops at the
 * first mismatch, at the folio end, at @args->max_nr and at the page-table end.
 * arm64 skips comparisons inside a contiguous block, as pte_batch_hint() does.
 * Kernel: folio_pte_batch_flags() (mm/internal.h, 6.17+) and folio_pte_batch()
 * (6.10-6.16).
 * Context: Any thread.
 * Return: the batch length, 1 or more; -EINVAL if @arch or @args->api is
 * unknown, a flag is unknown for the API, @ptes or @args is NULL, @args->size
 * or @res->size is too small, @args->max_nr is 0 or above @nr_ptes,
 * @args->table_index is 512 or more, @args->folio_nr_pages is 0, ptes[0] is not
 * present or does not map a page of the folio; -ERANGE if the folio's PFN range
 * overflows.  Since: 0.1.
 */
int mmm_folio_pte_batch(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes,
			const struct mmm_fpb_args *args, struct mmm_fpb_result *res);

/**
 * mmm_swap_pte_batch() - Count the swap PTEs from ptes[0] with consecutive offsets.
 * @arch:    an mmm_arch value.
 * @ptes:    the caller's copy of the page-table entries.
 * @nr_ptes: entries readable at @ptes.
 * @max_nr:  most entries to look at, 1 .. @nr_ptes (the caller's VMA and
 *           page-table bound, as in the kernel).
 *
 * An entry joins when it is exactly (raw equality) the previous one with the
 * offset moved by +1: same type, identical exclusive / soft-dirty / uffd-wp
 * bits, no other bits. The swap-cgroup check is not modelled (memcg off).
 * Kernel: swap_pte_batch() (mm/internal.h, 6.10+).
 * Context: Any thread.
 * Return: the batch length, 1 or more; -EINVAL if @arch is unknown, @ptes is
 * NULL, @max_nr is 0 or above @nr_ptes, or ptes[0] is not a real swap PTE.
 * Since: 0.1.
 */
int mmm_swap_pte_batch(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes, size_t max_nr);

/* ------------------------------------------------------------------------ */
/* Worlds                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * A world is a whole modelled machine running Linux 6.18's anonymous-memory
 * code: physical frames grouped in folios, one swap device (type 0), and any
 * number of processes, each with private anonymous VMAs and four-level page
 * tables whose leaves hold real PTE and PMD values of the world's mmm_arch
 * (decode them with mmm_pte_decode()). Page contents are a 64-bit token per
 * page, so a test sees which process sees which write. Spec:
 * fault-fork-rmap-semantics.md §1-§4 and §7.
 *
 * Every function below that takes an mmm_world *, except mmm_world_errmsg()
 * and mmm_world_destroy(), records its outcome on the handle: on failure an
 * English message naming the function and the cause (mmm_world_errmsg()); on
 * success the message becomes "". A function called with a NULL world returns
 * -EINVAL and records nothing.
 *
 * Addresses are user virtual addresses below 2^47; an address at or above it
 * is refused with -EINVAL. An access the kernel would answer with SIGSEGV (no
 * VMA, or a VMA without the needed permission) returns -EFAULT and its
 * message says SIGSEGV; such an access changes nothing and counts no fault
 * (spec R-ACCT-1). Sizes and counts are limited to what a world can hold;
 * exceeding them gives -EINVAL, never a crash.
 */

/**
 * typedef mmm_world - A world: frames, swap device and processes (opaque).
 *
 * Think of an mmm_world pointer as an object. Constructor: mmm_world_create();
 * destructor: mmm_world_destroy(), which frees everything the world holds.
 * Worlds share nothing: distinct worlds may be used from distinct threads at
 * once, one world from one thread at a time.
 */
typedef struct mmm_world mmm_world;

/**
 * typedef mmm_pid - A process of a world, numbered from 1 in creation order.
 *
 * A pid is never reused within a world. After mmm_exit() the process is gone
 * (-ESRCH) except for mmm_fault_counters(), which still reads its counters.
 */
typedef int32_t mmm_pid;

/* One THP setting (struct mmm_world_config.thp_enabled and .thp_orders[]). */
#define MMM_THP_NEVER   0u /* "never" */
#define MMM_THP_ALWAYS  1u /* "always" */
#define MMM_THP_MADVISE 2u /* "madvise": only in MADV_HUGEPAGE ranges */
#define MMM_THP_INHERIT 3u /* per-size only: follow thp_enabled */

/* The swap device (struct mmm_world_config.swap_device). */
#define MMM_SWAP_SYNC  0u /* synchronous, like zram (SWP_SYNCHRONOUS_IO) */
#define MMM_SWAP_ASYNC 1u /* asynchronous writeback, like a block device */

/* Most frames and swap slots one world may have. */
#define MMM_WORLD_MAX_FRAMES     (1ull << 26)
#define MMM_WORLD_MAX_SWAP_SLOTS (1ull << 26)

/**
 * struct mmm_world_config - How a world is built (input of mmm_world_create()).
 * @size:               set by the caller to sizeof(struct mmm_world_config).
 * @arch:               the machine and kernel configuration of the page tables
 *                      (an mmm_arch value).
 * @frames:             physical 4 KiB frames, 1 .. MMM_WORLD_MAX_FRAMES. The
 *                      model keeps about 24 bytes per frame.
 * @swap_slots:         slots of the swap device, 1 .. MMM_WORLD_MAX_SWAP_SLOTS;
 *                      slot 0 is the header and never used, so 1 means no swap
 *                      space. About 17 bytes per slot.
 * @thp_enabled:        /sys/kernel/mm/transparent_hugepage/enabled:
 *                      MMM_THP_NEVER, MMM_THP_ALWAYS or MMM_THP_MADVISE.
 * @page_cluster:       vm.page-cluster, 0 .. 31.
 * @thp_orders:         hugepages-<size>kB/enabled by folio order 2 .. 9 (order
 *                      4 is 64 KiB, 9 is the 2 MiB PMD size): MMM_THP_*.
 *                      Indexes 0 and 1 must be 0 (MMM_THP_NEVER): anonymous
 *                      memory has no order-1 size (THP_ORDERS_ALL_ANON).
 * @use_huge_zero_page: transparent_hugepage/use_zero_page, 0 or 1.
 * @swap_device:        MMM_SWAP_SYNC or MMM_SWAP_ASYNC.
 * @reserved:           0.
 * @ksm_use_zero_pages: /sys/kernel/mm/ksm/use_zero_pages, 0 (the default) or
 *                      1: KSM maps pages of zeros to the shared zero page
 *                      (counted in ksm_zero_pages) instead of merging them.
 *                      A caller whose @size ends before it gets 0.
 * @reserved2:          0.
 *
 * @size may also be MMM_WORLD_CONFIG_SIZE_V0 (48), the struct before
 * @ksm_use_zero_pages, as a caller built against that header sets it; a
 * size between the two is too small.
 */
struct mmm_world_config {
	uint32_t size;
	mmm_arch arch;
	uint64_t frames;
	uint64_t swap_slots;
	uint32_t thp_enabled;
	uint32_t page_cluster;
	uint8_t thp_orders[10];
	uint8_t use_huge_zero_page;
	uint8_t swap_device;
	uint32_t reserved;
	uint8_t ksm_use_zero_pages;
	uint8_t reserved2[7];
};

/* The size of struct mmm_world_config before @ksm_use_zero_pages. */
#define MMM_WORLD_CONFIG_SIZE_V0 48u

/**
 * mmm_world_config_init() - Fill a config with the defaults.
 * @cfg: the config; @cfg->size must be set.
 *
 * The defaults are the kernel's and the machines': MMM_ARCH_X86_64 |
 * MMM_ARCH_CFG_LIVE_6_18, 1 << 18 frames (1 GiB), 1 << 18 swap slots, THP
 * "madvise" with the PMD size "inherit" and every smaller size "never", the
 * huge zero page on, a synchronous swap device, page-cluster 3. Fields beyond
 * @cfg->size are not written.
 * Context: Any thread.
 * Return: 0; -EINVAL if @cfg is NULL or @cfg->size is too small.  Since: 0.1.
 */
int mmm_world_config_init(struct mmm_world_config *cfg);

/**
 * mmm_world_create() - Create a world with no processes.
 * @cfg: the config; @cfg->size must be set (mmm_world_config_init() fills one).
 * @out: receives the new world; untouched on error.
 *
 * All frames are free and the swap device is empty.
 * Context: Any thread.
 * Return: 0; -EINVAL if @cfg or @out is NULL, @cfg->size is too small, @arch
 * is unknown, @frames or @swap_slots is 0 or above its maximum, a THP setting,
 * @swap_device, @use_huge_zero_page, @ksm_use_zero_pages or @page_cluster is
 * out of range, or @thp_orders[0], @thp_orders[1], @reserved or @reserved2 is
 * not 0.  Since: 0.1.
 */
int mmm_world_create(const struct mmm_world_config *cfg, mmm_world **out);

/**
 * mmm_world_destroy() - Free a world and everything it holds.
 * @w: the world, or NULL (then nothing happens).
 *
 * Pins, processes, folios and swap slots go with it; @w must not be used
 * afterwards, nor any message mmm_world_errmsg() returned for it.
 * Context: One thread at a time per world.
 * Return: nothing.  Since: 0.1.
 */
void mmm_world_destroy(mmm_world *w);

/**
 * mmm_world_errmsg() - The message of the last call on a world that failed.
 * @w: the world, or NULL.
 *
 * "" after a successful call and on a new world; after a failed call, the
 * function's name and the cause, e.g. "mmm_write: pid 1, address
 * 0x7f0000001000: SIGSEGV: the VMA [0x7f0000000000, 0x7f0000004000) is not
 * writable". Every function that takes an mmm_world * sets it, as said at the
 * top of this part; this one and mmm_world_destroy() do not.
 * Context: One thread at a time per world.
 * Return: a NUL-terminated string owned by @w, valid until the next call on
 * @w; "" for NULL.  Since: 0.1.
 */
const char *mmm_world_errmsg(const mmm_world *w);

/**
 * mmm_process_create() - Create a process with an empty address space.
 * @w:   the world.
 * @out: receives the new pid.
 *
 * Its mm has a fresh mm_id (for the MM-owner tracking of large folios, §1.3),
 * no pins (MMF_HAS_PINNED clear), zero counters and one page table (the PGD).
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w or @out is NULL; -ENOMEM if the world already has
 * 2^31 - 2 processes.  Since: 0.1.
 */
int mmm_process_create(mmm_world *w, mmm_pid *out);

/* Protections (mmm_mmap(), mmm_mprotect()). PROT_WRITE implies PROT_READ, as on x86-64 and arm64. */
#define MMM_PROT_NONE  0u
#define MMM_PROT_READ  1u
#define MMM_PROT_WRITE 2u

/**
 * mmm_mmap() - Map private anonymous memory.
 * @w:        the world.
 * @pid:      the process.
 * @len:      bytes, rounded up to whole pages; 1 .. 2^47.
 * @hint:     0: the lowest free address from 0x7f0000000000, aligned to 2 MiB
 *            when @len is at least 2 MiB (the kernel's THP alignment of
 *            anonymous mappings), else to 4 KiB; otherwise the page-aligned
 *            address the mapping must start at (MAP_FIXED_NOREPLACE).
 * @prot:     MMM_PROT_NONE, or MMM_PROT_READ and / or MMM_PROT_WRITE.
 * @addr_out: receives the start of the mapping.
 *
 * The new VMA is VM_MAYWRITE (a COW mapping) with VM_SOFTDIRTY set, and has no
 * anon_vma and no pages until first touched.
 * Kernel: mmap(MAP_PRIVATE | MAP_ANONYMOUS).
 * Context: One thread at a time per world. State is unchanged on error.
 * Return: 0; -EINVAL if @w or @addr_out is NULL, @len is 0 or above 2^47,
 * @prot has unknown bits, or @hint is not page aligned or the range from it
 * does not end by 2^47; -EBUSY if @hint is given and the range overlaps an
 * existing mapping (the kernel's MAP_FIXED_NOREPLACE says -EEXIST); -ENOMEM if
 * no free range is left; -ESRCH if @pid is not a live process.  Since: 0.1.
 */
int mmm_mmap(mmm_world *w, mmm_pid pid, uint64_t len, uint64_t hint, uint32_t prot,
	     uint64_t *addr_out);

/**
 * mmm_munmap() - Unmap a range.
 * @w:    the world.
 * @pid:  the process.
 * @addr: page-aligned start.
 * @len:  bytes, rounded up to whole pages; at least 1.
 *
 * Pages and swap entries in the range are dropped (zap), a PMD mapping the
 * range cuts is split first, VMAs are cut at the range's ends and removed
 * inside it. Unmapped parts of the range are fine, as in the kernel.
 * Kernel: munmap().
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w is NULL, @addr is not page aligned, @len is 0 or
 * the range does not end by 2^47; -ESRCH if @pid is not a live process.
 * Since: 0.1.
 */
int mmm_munmap(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len);

/* mremap() flags with Linux's values (mmm_mremap()). */
#define MMM_MREMAP_MAYMOVE   1u
#define MMM_MREMAP_FIXED     2u
#define MMM_MREMAP_DONTUNMAP 4u

/**
 * mmm_mremap() - Resize or move a mapping.
 * @w:        the world.
 * @pid:      the process.
 * @addr:     page-aligned start of the old range.
 * @old_len:  bytes of the old range, rounded up to whole pages.
 * @new_len:  bytes of the new range, rounded up to whole pages; at least 1.
 * @flags:    0, MMM_MREMAP_MAYMOVE, or MMM_MREMAP_MAYMOVE | MMM_MREMAP_FIXED.
 * @new_addr: with MMM_MREMAP_FIXED, the page-aligned destination (whatever
 *            is mapped there is unmapped first); otherwise ignored.
 * @addr_out: receives the address of the (possibly moved) range.
 *
 * A shrink unmaps the tail; a grow happens in place when the range ends at
 * its VMA's end and nothing follows, else it moves with MMM_MREMAP_MAYMOVE.
 * A move keeps every entry as it is (present PTEs, swap PTEs; a PMD leaf when
 * both ends are 2 MiB aligned, else the PMD is split to PTEs first): frames,
 * swap slots, AnonExclusive and contents stay, nothing faults; the new VMA
 * keeps the old vm_pgoff, so the rmap finds the moved pages. KSM pages in the
 * range are unmerged first (one minor fault each). A pure move (FIXED, same
 * length) may span several VMAs on 6.17+ presets.
 * Kernel: mremap().
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w or @addr_out is NULL, @flags has unknown bits or
 * FIXED without MAYMOVE, @addr or the fixed @new_addr is not page aligned,
 * @new_len is 0, a length is above 2^47, the old and new ranges overlap, or
 * @old_len is 0; -EFAULT if no VMA holds @addr or the old range leaves its
 * VMA; -ENOMEM if a grow needs MAYMOVE or no free range is left;
 * -EOPNOTSUPP for MMM_MREMAP_DONTUNMAP; -ESRCH if @pid is not a live
 * process. With MMM_MREMAP_FIXED the destination may already be unmapped when
 * a later check fails, as in the kernel.  Since: 0.1.
 */
int mmm_mremap(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t old_len, uint64_t new_len,
	       uint32_t flags, uint64_t new_addr, uint64_t *addr_out);

/**
 * mmm_mprotect() - Change the protection of a mapped range.
 * @w:    the world.
 * @pid:  the process.
 * @addr: page-aligned start.
 * @len:  bytes, rounded up to whole pages; at least 1.
 * @prot: MMM_PROT_NONE, MMM_PROT_READ, or MMM_PROT_WRITE (with or without READ).
 *
 * Present PTEs get the new protection; in a now-writable VMA an AE page is
 * made writable at once (6.2+, spec §6.3). PMD mappings in the range are split.
 * Kernel: mprotect(), change_pte_range(), can_change_pte_writable().
 * Context: One thread at a time per world. State is unchanged on error.
 * Return: 0; -EINVAL if @w is NULL, @addr is not page aligned, @len is 0, the
 * range does not end by 2^47 or @prot has unknown bits; -EFAULT if part of the
 * range is not mapped (the kernel returns -ENOMEM; the message says SIGSEGV);
 * -ESRCH if @pid is not a live process.  Since: 0.1.
 */
int mmm_mprotect(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len, uint32_t prot);

/* madvise() advice with Linux's values (mmm_madvise()). */
#define MMM_MADV_DONTNEED        4u
#define MMM_MADV_FREE            8u
#define MMM_MADV_DONTFORK       10u
#define MMM_MADV_DOFORK         11u
#define MMM_MADV_MERGEABLE      12u
#define MMM_MADV_UNMERGEABLE    13u
#define MMM_MADV_HUGEPAGE       14u
#define MMM_MADV_NOHUGEPAGE     15u
#define MMM_MADV_WIPEONFORK     18u
#define MMM_MADV_KEEPONFORK     19u
#define MMM_MADV_COLD           20u
#define MMM_MADV_PAGEOUT        21u
#define MMM_MADV_POPULATE_READ  22u
#define MMM_MADV_POPULATE_WRITE 23u
#define MMM_MADV_COLLAPSE       25u

/**
 * mmm_madvise() - Give advice about a mapped range.
 * @w:      the world.
 * @pid:    the process.
 * @addr:   page-aligned start.
 * @len:    bytes, rounded up to whole pages; at least 1.
 * @advice: one MMM_MADV_* value.
 *
 * DONTNEED zaps the range; PAGEOUT swaps out each folio mapped only here
 * (spec §4.1, item 4), leaving maybe-pinned folios present, and discards
 * clean lazy-free ones; FREE makes the range lazy-free (clean, old, no longer
 * swap-backed; swap entries dropped); MERGEABLE sets VM_MERGEABLE on the
 * range, then runs ksmd's scans until they settle over every mergeable range
 * of every process: identical pages, in one process or several, at any
 * addresses, become read-only KSM pages (at most 256 mappings each);
 * UNMERGEABLE gives each KSM mapping (and each zero page KSM mapped) a
 * private read-only copy through an unshare fault; COLD clears the
 * accessed bits; HUGEPAGE / NOHUGEPAGE, DONTFORK / DOFORK and WIPEONFORK /
 * KEEPONFORK set and clear VMA flags (splitting VMAs); POPULATE_READ /
 * POPULATE_WRITE fault the range in, the faults counted to @pid (R-ACCT-2);
 * COLLAPSE makes each whole aligned 2 MiB of the range one PMD THP, copying
 * every page (none, zero-page, swapped and shared PTEs allowed; swap entries
 * read in first without counting a fault; pages shared with another process
 * stay that process's).
 * Kernel: madvise(); for COLLAPSE madvise_collapse().
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w is NULL, @addr is not page aligned, @len is 0, the
 * range does not end by 2^47 or @advice is unknown; -EFAULT if part of the
 * range is not mapped (the kernel returns -ENOMEM), or for POPULATE_* if a
 * VMA forbids the access (SIGSEGV); -ENOMEM for PAGEOUT if the swap device
 * has fewer free slots than the range has present pages (nothing is swapped
 * out), for POPULATE_* if a fault cannot allocate a frame (the pages before
 * it stay populated, as in the kernel); -ESRCH if @pid is not a live process.
 * COLLAPSE: -EINVAL if the range lies inside one aligned 2 MiB without
 * covering it, a 2 MiB in it has no page table or uffd-wp entries, the VMA is
 * NOHUGEPAGE or the kernel preset predates it (6.1); -EAGAIN if a page has
 * references beyond its mappings and the swap cache (a pin); -EBUSY for empty
 * PTEs under userfaultfd; -ENOMEM if no 2 MiB block is free. The 2 MiB ranges
 * before the failing one stay collapsed, and its swap-ins stay done.
 * State is unchanged on every other error but the POPULATE_* -ENOMEM.  Since: 0.1.
 */
int mmm_madvise(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len, uint32_t advice);

/**
 * mmm_read() - Load from a page as a process would.
 * @w:         the world.
 * @pid:       the process.
 * @addr:      any address in the page.
 * @token_out: receives the page's token (0 for a never-written page).
 *
 * Through the page tables when they allow it (the hardware sets the accessed
 * bit), else through the kernel's fault path, counted as getrusage() would
 * (minor, or major when the folio came from the swap device; spec §7).
 * Context: One thread at a time per world. State is unchanged on error, except
 * that a fault failing with -ENOMEM may leave page tables allocated or a huge
 * zero PMD split into zero-page PTEs, as the kernel's fault path does.
 * Return: 0; -EINVAL if @w or @token_out is NULL or @addr is 2^47 or above;
 * -EFAULT (SIGSEGV) if no VMA contains @addr or its VMA is PROT_NONE;
 * -ENOMEM if the fault cannot allocate a frame; -ESRCH if @pid is not a live
 * process.  Since: 0.1.
 */
int mmm_read(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t *token_out);

/**
 * mmm_write() - Store a token to a page as a process would.
 * @w:     the world.
 * @pid:   the process.
 * @addr:  any address in the page.
 * @token: the page's new contents.
 *
 * As mmm_read(), with a write: the hardware sets the dirty bit through a
 * writable PTE; otherwise the write fault runs (anonymous first touch,
 * do_wp_page reuse or copy, swap-in).
 * Context: One thread at a time per world. State is unchanged on error, with
 * the -ENOMEM exceptions of mmm_read().
 * Return: 0; -EINVAL if @w is NULL or @addr is 2^47 or above; -EFAULT
 * (SIGSEGV) if no VMA contains @addr or its VMA is not writable; -ENOMEM if
 * the fault cannot allocate a frame; -ESRCH if @pid is not a live process.
 * Since: 0.1.
 */
int mmm_write(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t token);

/* What mmm_access() does to each page. */
#define MMM_ACCESS_READ  1u
#define MMM_ACCESS_WRITE 2u

/**
 * mmm_access() - Read and / or write every page of a range, in address order.
 * @w:     the world.
 * @pid:   the process.
 * @addr:  start (any address; the page containing it is the first).
 * @len:   bytes; at least 1.
 * @flags: MMM_ACCESS_READ and / or MMM_ACCESS_WRITE, at least one; with both,
 *         each page is read and then written before the next page.
 * @token: the token written to each page.
 *
 * Each access is mmm_read() or mmm_write(). The first access that fails
 * stops the walk; the pages before it stay accessed, like a process killed at
 * that access.
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w is NULL, @len is 0, @flags is 0 or has unknown
 * bits, or the range does not end by 2^47 (nothing accessed); -EFAULT
 * (SIGSEGV) or -ENOMEM as mmm_read() / mmm_write() for the failing page;
 * -ESRCH if @pid is not a live process.  Since: 0.1.
 */
int mmm_access(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len, uint32_t flags,
	       uint64_t token);

/**
 * mmm_fork() - Fork a process.
 * @w:     the world.
 * @pid:   the parent.
 * @child: receives the child's pid.
 *
 * Per VMA (spec §2.1): DONTFORK VMAs are left out, WIPEONFORK VMAs are empty
 * in the child, others are copied: zero-page and shared pages are shared
 * (write-protected in both), batches of a large folio go through one
 * folio_try_dup_anon_rmap_ptes(), an AE page of a folio that may be pinned
 * (the parent has pinned) is copied for the child at once (§2.5), swap
 * entries are duplicated with the exclusive bit cleared in the parent (§2.7),
 * PMD mappings are shared by PMD (§2.8). The child starts with zero counters.
 * Kernel: fork(), dup_mmap(), copy_page_range().
 * Context: One thread at a time per world. State is unchanged on error.
 * Return: 0; -EINVAL if @w or @child is NULL; -ENOMEM if the pages that must
 * be copied for the child do not fit in the free frames; -ESRCH if @pid is
 * not a live process.  Since: 0.1.
 */
int mmm_fork(mmm_world *w, mmm_pid pid, mmm_pid *child);

/**
 * mmm_exit() - End a process.
 * @w:   the world.
 * @pid: the process.
 *
 * Its pins are released, every mapping and swap entry dropped and its page
 * tables freed; its counters stay readable with mmm_fault_counters().
 * Kernel: exit_mmap().
 * Context: One thread at a time per world. State is unchanged on error.
 * Return: 0; -EINVAL if @w is NULL; -ESRCH if @pid is not a live process.
 * Since: 0.1.
 */
int mmm_exit(mmm_world *w, mmm_pid pid);

/* mmm_pin() flags. */
#define MMM_PIN_WRITE 1u /* FOLL_WRITE */

/**
 * mmm_pin() - Pin a range long-term (FOLL_PIN | FOLL_LONGTERM).
 * @w:      the world.
 * @pid:    the process whose pages are pinned (and which takes the faults).
 * @addr:   page-aligned start.
 * @len:    bytes, rounded up to whole pages; at least 1.
 * @flags:  0 (read-only pin) or MMM_PIN_WRITE.
 * @pin_id: receives the pin's id, for mmm_unpin().
 *
 * Each page is faulted in first as GUP does: a write fault for a write pin; an
 * unshare fault for a read pin of a page that is not AE or of the zero page
 * (spec R-PIN-5, §3.7). Then it is pinned: +1024 references on a small
 * folio, +1 reference and +1 pincount on a large one (R-PIN-1). The process
 * is marked MMF_HAS_PINNED for good (R-PIN-3).
 * Kernel: pin_user_pages().
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w or @pin_id is NULL, @addr is not page aligned,
 * @len is 0, the range does not end by 2^47 or @flags has unknown bits;
 * -EFAULT (SIGSEGV) if a page is not mapped or its VMA forbids the access
 * (nothing is faulted or pinned); -ENOMEM if a fault cannot allocate a frame
 * (the pages before it stay faulted in, none is pinned), or a page's folio
 * already holds 2^30 or more references (the kernel refuses a pin that could
 * overflow the reference count); -ESRCH if @pid is not a live process.
 * Since: 0.1.
 */
int mmm_pin(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len, uint32_t flags,
	    uint32_t *pin_id);

/**
 * mmm_unpin() - Release a pin.
 * @w:      the world.
 * @pin_id: an id mmm_pin() returned and not yet released.
 *
 * A pin is also released when its process exits.
 * Kernel: unpin_user_pages().
 * Context: One thread at a time per world. State is unchanged on error.
 * Return: 0; -EINVAL if @w is NULL or @pin_id is not a held pin.  Since: 0.1.
 */
int mmm_unpin(mmm_world *w, uint32_t pin_id);

/**
 * mmm_folio_try_dup_anon_rmap_ptes() - Share pages of one folio with another process, as one fork batch.
 * @w:       the world.
 * @src_pid: the process mapping the pages (fork's parent).
 * @addr:    page-aligned address of the first page, the same in both processes.
 * @nr:      pages, 1 .. 512.
 * @dst_pid: the process that gains the mappings (fork's child).
 *
 * What fork's copy_present_ptes() does for one batch (spec §2.3): @nr folio
 * references, then the gate, which fails iff the folio may be pinned for the
 * source MM (MMF_HAS_PINNED and folio_maybe_dma_pinned()) and some page in
 * the range is AnonExclusive (§2.4, R-FORK-7); then the references are
 * dropped and nothing has changed. On success every page in the range loses
 * AnonExclusive, gains a mapping by @dst_pid, @src_pid's PTEs are
 * write-protected in a COW VMA, and @dst_pid gets the same PTEs read-only and
 * old (§2.6), built from the first PTE with the batch's write bit merged.
 * Kernel: folio_try_dup_anon_rmap_ptes() (include/linux/rmap.h).
 * Context: One thread at a time per world. State is unchanged on error.
 * Return: 0; -EBUSY if the gate refuses; -EINVAL if @w is NULL, the two pids
 * are the same, @addr is not page aligned or is 2^47 or above, @nr is out of
 * range, the pages cross a page table (2 MiB boundary) or leave a VMA of
 * either process, a page is not mapped by a present PTE (PMD-mapped pages
 * included) of the same anonymous folio at consecutive PFNs, or an entry of
 * @dst_pid there is not none; -ESRCH if a pid is not a live process.
 * Since: 0.1.
 */
int mmm_folio_try_dup_anon_rmap_ptes(mmm_world *w, mmm_pid src_pid, uint64_t addr, uint32_t nr,
				     mmm_pid dst_pid);

/**
 * mmm_folio_try_dup_anon_rmap_pmd() - Share a PMD-mapped folio with another process, as fork does.
 * @w:       the world.
 * @src_pid: the process mapping the folio by a PMD (fork's parent).
 * @addr:    2 MiB-aligned address of the PMD, the same in both processes.
 * @dst_pid: the process that gains the PMD mapping (fork's child).
 *
 * What fork's copy_huge_pmd() does for an anonymous THP (spec §2.8): one folio
 * reference, then the gate, which fails iff the folio may be pinned for the
 * source MM and its head page is AnonExclusive (§2.4); then the reference is
 * dropped and no folio, page or mapping has changed (@dst_pid's upper page
 * tables may have been allocated, as fork allocates them first). On success
 * the folio loses AnonExclusive, gains an entire mapping by @dst_pid, the
 * source PMD is write-protected in a COW VMA and @dst_pid gets it read-only
 * and old. Unlike fork, a refusal does not split the source PMD.
 * Kernel: folio_try_dup_anon_rmap_pmd() (include/linux/rmap.h).
 * Context: One thread at a time per world.
 * Return: 0; -EBUSY if the gate refuses; -EINVAL if @w is NULL, the two pids
 * are the same, @addr is not 2 MiB aligned or is 2^47 or above, @src_pid does
 * not map an anonymous folio there by a PMD (the huge zero page is not one),
 * the 2 MiB leave a VMA of either process, or @dst_pid's PMD entry there is
 * not none; -ESRCH if a pid is not a live process.  Since: 0.1.
 */
int mmm_folio_try_dup_anon_rmap_pmd(mmm_world *w, mmm_pid src_pid, uint64_t addr,
				    mmm_pid dst_pid);

/**
 * struct mmm_page_state - One page of one process, as the model holds it.
 * @size:           set by the caller to sizeof(struct mmm_page_state).
 * @kind:           MMM_PTE_KIND_* of @entry (of the PMD's PTE-shaped value
 *                  when @pmd_mapped); MMM_PTE_KIND_NONE when nothing is there.
 * @entry:          the PTE, or the PMD leaf when @pmd_mapped; 0 when absent.
 * @pfn:            PRESENT: the PFN mapping this page (the zero pages included).
 * @folio_pfn:      PRESENT, or a swap entry whose slot a swap-cache folio
 *                  holds: the folio's first PFN; else 0.
 * @swap_slot:      SWAP: the entry's slot; a swap-cache folio's page: its slot.
 * @token:          the page's contents: the frame's token, or for a swap entry
 *                  the token stored in the slot (0 for the zero page).
 * @order:          the folio's order (0 .. 9).
 * @offset:         this page's index within the folio.
 * @refcount:       the folio's reference count (R-REF-*).
 * @mapcount:       this page's mapcount as /proc/kpagecount shows it (R-MAP-2).
 * @folio_mapcount: folio_mapcount() (R-MAP-1).
 * @swap_count:     swcount() of @swap_slot (R-SC-2).
 * @pmd_mapped:     1 if a PMD maps the page.
 * @zero_page:      1 if the (huge) zero page is mapped.
 * @anon_exclusive: PageAnonExclusive of this page (for a PMD mapping, the
 *                  head's) (§1.5).
 * @maybe_pinned:   folio_maybe_dma_pinned() (R-PIN-2).
 * @swap_cache:     the folio is in the swap cache (§1.7).
 * @ksm:            the folio is a KSM folio.
 * @swap_exclusive: SWAP: the entry's exclusive bit (SX).
 * @reserved:       0.
 *
 * Fields that do not apply to the kind read 0.
 */
struct mmm_page_state {
	uint32_t size;
	uint32_t kind;
	uint64_t entry;
	uint64_t pfn;
	uint64_t folio_pfn;
	uint64_t swap_slot;
	uint64_t token;
	uint32_t order;
	uint32_t offset;
	int32_t refcount;
	int32_t mapcount;
	int32_t folio_mapcount;
	uint32_t swap_count;
	uint8_t pmd_mapped;
	uint8_t zero_page;
	uint8_t anon_exclusive;
	uint8_t maybe_pinned;
	uint8_t swap_cache;
	uint8_t ksm;
	uint8_t swap_exclusive;
	uint8_t reserved;
};

/**
 * mmm_page_state() - Describe the page containing an address of a process.
 * @w:    the world.
 * @pid:  the process.
 * @addr: any address in the page.
 * @out:  receives the description; @out->size must be set.
 *
 * Reading it changes nothing and takes no fault.
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL, @out->size is too small or @addr
 * is 2^47 or above; -EFAULT if no VMA contains @addr; -ESRCH if @pid is not a
 * live process.  Since: 0.1.
 */
int mmm_page_state(mmm_world *w, mmm_pid pid, uint64_t addr, struct mmm_page_state *out);

/**
 * struct mmm_fault_counters - Fault and event counters of a process.
 * @size:                  set by the caller to sizeof(struct mmm_fault_counters).
 * @reserved:              0.
 * @minor:                 ru_minflt: completed faults that read nothing from
 *                         the swap device (spec §7.1, R-ACCT-1).
 * @major:                 ru_majflt: completed faults that did (§7.2).
 * @anon_first_touch:      folios allocated by first-touch write faults (§3.8).
 * @zero_page_mapped:      (huge) zero pages mapped by read faults.
 * @wp_reuse:              write faults that reused the page (§3.5).
 * @wp_copy:               write faults that copied it (§3.6).
 * @unshare:               unshare faults (§3.7).
 * @swapin_cache:          swap-ins that hit the swap cache.
 * @swapin_device:         swap-ins that read the device.
 * @fork_pages_copied:     pages copied for this process at its fork (§2.5).
 * @fork_ptes_batched:     PTEs copied in batches at its fork (§2.3).
 * @fork_batches:          those batches.
 * @page_tables_allocated: page tables ever allocated for this process.
 * @rss_anon:              MM_ANONPAGES: pages mapped (0 after exit).
 * @rss_swap:              MM_SWAPENTS: swap entries (0 after exit).
 */
struct mmm_fault_counters {
	uint32_t size;
	uint32_t reserved;
	uint64_t minor;
	uint64_t major;
	uint64_t anon_first_touch;
	uint64_t zero_page_mapped;
	uint64_t wp_reuse;
	uint64_t wp_copy;
	uint64_t unshare;
	uint64_t swapin_cache;
	uint64_t swapin_device;
	uint64_t fork_pages_copied;
	uint64_t fork_ptes_batched;
	uint64_t fork_batches;
	uint64_t page_tables_allocated;
	int64_t rss_anon;
	int64_t rss_swap;
};

/**
 * mmm_fault_counters() - Read a process's counters.
 * @w:   the world.
 * @pid: a process, live or exited.
 * @out: receives the counters; @out->size must be set.
 *
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL or @out->size is too small;
 * -ESRCH if @pid was never created.  Since: 0.1.
 */
int mmm_fault_counters(mmm_world *w, mmm_pid pid, struct mmm_fault_counters *out);

/* ------------------------------------------------------------------------ */
/* Checker and reverse map                                                   */
/* ------------------------------------------------------------------------ */

/*
 * The checker audits a world against the invariants of
 * fault-fork-rmap-semantics.md §8 and the encoding rules: what the kernel's
 * debug machinery (page_table_check, DEBUG_VM) would catch. Each violation
 * carries a stable rule id: "INV-1" .. "INV-22" for the spec's invariants,
 * "ENC-STRAY", "ENC-KIND" for entries the kernel would not produce,
 * "PT-FREE-FRAME", "PT-FREE-SLOT", "PT-NO-VMA", "RMAP-ADDR",
 * "FOLIO-GEOMETRY", "PIN-COUNT", and for the cowPte switch "COWPTE-WRITABLE",
 * "COWPTE-SHARES" and "COWPTE-OWNERS". A world built and changed only through
 * this interface has no violations; a violation is a bug of the model.
 *
 * The reverse map finds every entry that maps a folio, as the kernel's
 * page_vma_mapped_walk() does over the anon rmap (spec §5.1, §5.2).
 */

/* What mmm_world_check() audits (@flags). */
#define MMM_CHECK_FULL    0u /* every page table, folio and swap slot */
#define MMM_CHECK_TOUCHED 1u /* only what changed since the last touched check */

/* What a world records for the checker (mmm_world_set_check() @mode). */
#define MMM_CHECK_MODE_OFF     0u /* nothing (the default) */
#define MMM_CHECK_MODE_TRACK   1u /* record changes, for MMM_CHECK_TOUCHED */
#define MMM_CHECK_MODE_EACH_OP 2u /* check after every operation, and record what it finds */

/* Which optional fields of struct mmm_violation hold a value (@has). */
#define MMM_VIOLATION_HAS_ADDR  (1u << 0)
#define MMM_VIOLATION_HAS_ENTRY (1u << 1)
#define MMM_VIOLATION_HAS_PFN   (1u << 2)
#define MMM_VIOLATION_HAS_SLOT  (1u << 3)

/* Bytes of struct mmm_violation.rule, its NUL included. */
#define MMM_RULE_ID_LEN 16

/**
 * mmm_world_get_config() - Read back how a world was built.
 * @w:   the world.
 * @out: receives the world's config; @out->size must be set. Untouched on error.
 *
 * The values mmm_world_create() was given, normalised: what a checker or a
 * helper needs to decode the world's entries (@out->arch).
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL or @out->size is too small.
 * Since: 0.1.
 */
int mmm_world_get_config(mmm_world *w, struct mmm_world_config *out);

/**
 * typedef mmm_violations - The violations one check found (opaque iterator).
 *
 * Returned by mmm_world_check() and mmm_world_take_violations(); read with
 * mmm_violations_count() and mmm_violations_next(); freed with
 * mmm_violations_free(). It is a snapshot: it owns its strings and does not
 * refer to the world, which may change or be destroyed meanwhile.
 */
typedef struct mmm_violations mmm_violations;

/**
 * struct mmm_violation - One broken rule at one place.
 * @size:     set by the caller to sizeof(struct mmm_violation).
 * @has:      MMM_VIOLATION_HAS_* bits: which of @addr, @entry, @pfn, @slot
 *            hold a value; the others read 0.
 * @rule:     the rule id, NUL-terminated, e.g. "INV-14" or "ENC-STRAY".
 * @pid:      the process whose entry breaks the rule; 0 when the rule is
 *            about a folio, a swap slot or the world as a whole.
 * @reserved: 0.
 * @addr:     the entry's address (a PMD's 2 MiB-aligned start).
 * @entry:    the raw PTE or PMD leaf.
 * @pfn:      the page's PFN, or the folio's first PFN.
 * @slot:     the swap slot.
 * @message:  what is wrong, in English, e.g. "page mapped writable while
 *            mapped elsewhere too"; valid until the iterator is freed.
 * @values:   the offending values as "name=value" words separated by spaces,
 *            e.g. "mapcount=2 rmap=1"; "" when there are none; valid until
 *            the iterator is freed.
 */
struct mmm_violation {
	uint32_t size;
	uint32_t has;
	char rule[MMM_RULE_ID_LEN];
	mmm_pid pid;
	uint32_t reserved;
	uint64_t addr;
	uint64_t entry;
	uint64_t pfn;
	uint64_t slot;
	const char *message;
	const char *values;
};

/**
 * mmm_world_check() - Audit a world.
 * @w:     the world.
 * @flags: MMM_CHECK_FULL or MMM_CHECK_TOUCHED.
 * @out:   receives the violations found (possibly none); free it with
 *         mmm_violations_free(). Untouched on error.
 *
 * MMM_CHECK_FULL reads every page table of every live process, every folio
 * and every swap slot; it costs time proportional to the world's entries,
 * frames and slots and changes nothing. MMM_CHECK_TOUCHED checks only the
 * entries, folios and slots changed since the last touched check (or since
 * mmm_world_set_check() turned recording on), each folio against an rmap walk,
 * and then forgets those changes; a violation found before is reported again
 * only if its place changes again. When the world records nothing
 * (MMM_CHECK_MODE_OFF) it is the full audit. With MMM_CHECK_MODE_EACH_OP the
 * world already ran it after the last operation, so it finds nothing new.
 * Violations come in a stable order: entries by process and address, then
 * per-process counters, folios by PFN, slots by number.
 * Context: One thread at a time per world. Pages, entries and counts are
 * unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL or @flags is neither value.
 * Since: 0.1.
 */
int mmm_world_check(mmm_world *w, uint32_t flags, mmm_violations **out);

/**
 * mmm_world_set_check() - Choose what a world records for the checker.
 * @w:    the world.
 * @mode: MMM_CHECK_MODE_OFF, MMM_CHECK_MODE_TRACK or MMM_CHECK_MODE_EACH_OP.
 *
 * MMM_CHECK_MODE_TRACK records what each operation changes, so that
 * mmm_world_check(MMM_CHECK_TOUCHED) audits only that; MMM_CHECK_MODE_EACH_OP
 * also runs that incremental check at the end of every operation that changes
 * the world and keeps what it finds for mmm_world_take_violations(); the
 * operation itself never fails for it. Turning recording on forgets earlier
 * changes and trusts the present state: run a full check first if it is in
 * doubt. MMM_CHECK_MODE_OFF stops recording; violations already kept stay
 * until taken. Recording makes operations slower (see mmm-bench
 * --check-only), never different.
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w is NULL or @mode is not one of the values.
 * Since: 0.1.
 */
int mmm_world_set_check(mmm_world *w, uint32_t mode);

/**
 * mmm_world_take_violations() - Hand over what check-after-every-operation found.
 * @w:   the world.
 * @out: receives the violations kept since the last call, in the order found
 *       (possibly none); free it with mmm_violations_free(). Untouched on error.
 *
 * The world forgets them: a second call returns only what was found since.
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w or @out is NULL.  Since: 0.1.
 */
int mmm_world_take_violations(mmm_world *w, mmm_violations **out);

/**
 * mmm_violations_count() - How many violations an iterator holds.
 * @v: the iterator, or NULL.
 *
 * The total, however many mmm_violations_next() has already returned.
 * Context: Any thread; one thread at a time per iterator.
 * Return: the count; 0 for NULL.  Since: 0.1.
 */
size_t mmm_violations_count(const mmm_violations *v);

/**
 * mmm_violations_next() - Read the next violation.
 * @v:   the iterator.
 * @out: receives the violation; @out->size must be set. Untouched when the
 *       iterator is exhausted or on error.
 *
 * Context: Any thread; one thread at a time per iterator.
 * Return: 1 when a violation was written; 0 when there are no more; -EINVAL
 * if @v or @out is NULL or @out->size is too small.  Since: 0.1.
 */
int mmm_violations_next(mmm_violations *v, struct mmm_violation *out);

/**
 * mmm_violations_free() - Free an iterator and its strings.
 * @v: the iterator, or NULL (then nothing happens).
 *
 * The @message and @values pointers it handed out become invalid.
 * Context: Any thread; one thread at a time per iterator.
 * Return: nothing.  Since: 0.1.
 */
void mmm_violations_free(mmm_violations *v);

/**
 * struct mmm_rmap_mapping - One entry mapping a folio, as mmm_rmap_walk() reports it.
 * @size:   sizeof(struct mmm_rmap_mapping) as the library knows it; fields
 *          beyond it do not exist for the callback.
 * @is_pmd: 1 if a PMD leaf maps the folio, 0 for a PTE.
 * @pid:    the process.
 * @addr:   the page's address for a PTE; the 2 MiB-aligned start for a PMD.
 * @entry:  the PTE, or the PMD leaf.
 * @pfn:    the PFN the PTE maps; for a PMD, the PFN it starts at.
 */
struct mmm_rmap_mapping {
	uint32_t size;
	uint32_t is_pmd;
	mmm_pid pid;
	uint32_t reserved;
	uint64_t addr;
	uint64_t entry;
	uint64_t pfn;
};

/**
 * typedef mmm_rmap_fn - The callback of mmm_rmap_walk().
 * @m:   the mapping, valid during the call.
 * @ctx: the caller's pointer, as given to mmm_rmap_walk().
 *
 * Return 0 to continue the walk, non-zero to stop it.
 */
typedef int (*mmm_rmap_fn)(const struct mmm_rmap_mapping *m, void *ctx);

/**
 * mmm_rmap_walk() - Visit every entry that maps the folio of a page.
 * @w:    the world.
 * @pid:  a process.
 * @addr: an address of @pid whose page is a present mapping of a folio, or a
 *        swap PTE whose slot's folio is in the swap cache.
 * @fn:   called once per mapping, or NULL to only count them.
 * @ctx:  passed to @fn.
 *
 * Walks every live process, in pid order, and in each the pages of the folio
 * in address order; a PMD mapping is reported once. Only present entries are
 * mappings; swap PTEs naming the folio's slots are not (R-MAP-4). @fn may read
 * @w but must not change it (the walk goes on over the world as it was).
 * Kernel: rmap_walk_anon() with page_vma_mapped_walk() (mm/rmap.c).
 * Context: One thread at a time per world. State is unchanged.
 * Return: the number of mappings reported to @fn (the one that stopped the
 * walk included), or all of them when @fn is NULL; -EINVAL if @w is NULL,
 * @addr is 2^47 or above, or no folio is there (none, the zero page, a swap
 * PTE without a cached folio); -EFAULT if no VMA of @pid contains @addr;
 * -ESRCH if @pid is not a live process.  Since: 0.1.
 */
int mmm_rmap_walk(mmm_world *w, mmm_pid pid, uint64_t addr, mmm_rmap_fn fn, void *ctx);

/**
 * mmm_folio_referenced() - Age the folio of a page, as reclaim does.
 * @w:          the world.
 * @pid:        a process.
 * @addr:       an address of @pid whose page is a folio, as for mmm_rmap_walk().
 * @referenced: receives how many mappings had the accessed (young) bit set;
 *              may be NULL.
 *
 * Walks the folio's mappings and test-and-clears each one's accessed bit
 * (R-REF-WALK-1); nothing else changes: not write, dirty or soft-dirty, no
 * AnonExclusive and no count. The classic LRU path: no look-around of
 * neighbouring PTEs.
 * Kernel: folio_referenced() (mm/rmap.c).
 * Context: One thread at a time per world. State is unchanged on error.
 * Return: 0; -EINVAL if @w is NULL, @addr is 2^47 or above, or no folio is
 * there; -EFAULT if no VMA of @pid contains @addr; -ESRCH if @pid is not a
 * live process.  Since: 0.1.
 */
int mmm_folio_referenced(mmm_world *w, mmm_pid pid, uint64_t addr, int *referenced);

/* ------------------------------------------------------------------------ */
/* Kernel policy: presets and switches (issue 6)                              */
/* ------------------------------------------------------------------------ */

/*
 * A world behaves as one kernel release. The default is 6.18 (the behaviour
 * of every world created before policies existed). A preset sets every switch
 * the way a release has it (spec semantics §11): "5.4" (approximate), "5.15",
 * "6.1", "6.6", "6.8", "6.10", "6.11", "6.12", "6.15", "6.18". A switch is one
 * debated kernel change, by name (docs/kernel-policy.md names the commit or
 * thread and the release of each):
 *
 *   anonExclusive          on|off   PageAnonExclusive, swap-PTE SX, unshare (5.19)
 *   wpReuse                reuseSwapPage|refcountOne|refcount   do_wp_page rule
 *   largeFolioReuse        on|off   COW reuse of PTE-mapped large folios (6.15)
 *   swapInReuse            reuseSwapPage|writeFaultOnly|exclusiveWritableOnRead|rfcDirtyOnRead
 *   forkBatching           on|off   folio_pte_batch at fork (6.9)
 *   fpbAPI                 v6_10|v6_17   folio_pte_batch flag spelling
 *   forkPinnedGate         none|needsCowForDma|exclusiveAndPinned
 *   mthpFaults             on|off   anonymous mTHP on first touch (6.8)
 *   mthpSwapOut            on|off   mTHP swap-out without split (6.10)
 *   mapLargeSwapCacheFolio on|off   map a whole large swap-cache folio (6.10)
 *   largeSwapIn            on|off   large-folio swap-in, sync devices (6.12)
 *   mprotectUpgrade        none|exclusiveDirty|exclusive
 *   hugeZeroWriteAllocates on|off   write to the huge zero PMD allocates a THP
 *   uffdUnprotectUpgrade   on|off   uffd unprotect maps exclusive pages writable (6.3)
 *   uffdWpUnpopulated      on|off   UFFD_FEATURE_WP_UNPOPULATED exists (6.4)
 *   uffdWpAsync            on|off   UFFD_FEATURE_WP_ASYNC exists (6.7)
 *   madvCollapse           none|needsWritable|any   MADV_COLLAPSE (6.1; read-only ranges 6.18)
 *   mremapMultiVma         on|off   an MREMAP_FIXED move may span VMAs (6.17)
 *   splitRemapsZeroPages   on|off   a THP split maps zero-filled pages to the zero page (6.12)
 *   cowPte                 on|off   RFC, never merged: fork shares PTE tables
 *   cowPteBreakOnYoung     on|off   with cowPte: the young-bit walk breaks too
 *
 * The policy can change only while the world has no process (a policy changed
 * under live page tables would mix two kernels' states).
 */

/**
 * mmm_world_set_preset() - Make a world behave as a kernel release.
 * @w:    the world, with no process yet.
 * @name: a preset name, e.g. "6.10" (NUL-terminated, at most 255 bytes).
 *
 * Every switch is set as the release has it.
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w or @name is NULL or @name is no preset; -EBUSY if
 * the world has a process.  Since: 0.1.
 */
int mmm_world_set_preset(mmm_world *w, const char *name);

/**
 * mmm_world_set_switch() - Set one policy switch of a world.
 * @w:     the world, with no process yet.
 * @name:  the switch, e.g. "swapInReuse".
 * @value: its value, e.g. "writeFaultOnly"; booleans are "on" or "off".
 *
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if an argument is NULL, or the switch or value is
 * unknown; -EBUSY if the world has a process.  Since: 0.1.
 */
int mmm_world_set_switch(mmm_world *w, const char *name, const char *value);

/**
 * mmm_world_get_switch() - Read one policy switch of a world.
 * @w:    the world.
 * @name: the switch.
 * @buf:  receives the value as mmm_world_set_switch() takes it, NUL-terminated.
 * @len:  bytes at @buf.
 *
 * Context: One thread at a time per world. State is unchanged.
 * Return: the length of the value (without the NUL); -EINVAL if an argument
 * is NULL, the switch is unknown or @len is too small.  Since: 0.1.
 */
int mmm_world_get_switch(mmm_world *w, const char *name, char *buf, size_t len);

/**
 * struct mmm_fork_op_counters - What a process's fork cost (the child's).
 * @size:              set by the caller to sizeof(struct mmm_fork_op_counters).
 * @reserved:          0.
 * @fork_batches:      folio_pte_batch batches copied (spec §2.3 P2).
 * @fork_ptes_batched: PTEs copied in those batches.
 * @fork_rmap_ops:     anon rmap duplications (folio_try_dup_anon_rmap_*
 *                     calls): one per batch, one per PTE without batching.
 * @fork_ref_ops:      folio reference additions, counted the same way.
 * @fork_pages_copied: pages copied for the child (pinned-page gate, §2.5).
 */
struct mmm_fork_op_counters {
	uint32_t size;
	uint32_t reserved;
	uint64_t fork_batches;
	uint64_t fork_ptes_batched;
	uint64_t fork_rmap_ops;
	uint64_t fork_ref_ops;
	uint64_t fork_pages_copied;
};

/**
 * mmm_fork_op_counters() - Read a process's fork operation counters.
 * @w:   the world.
 * @pid: a process, live or exited (a child: the counts of the fork that made it).
 * @out: receives the counters; @out->size must be set.
 *
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL or @out->size is too small;
 * -ESRCH if @pid was never created.  Since: 0.1.
 */
int mmm_fork_op_counters(mmm_world *w, mmm_pid pid, struct mmm_fork_op_counters *out);

/* ------------------------------------------------------------------------ */
/* KSM counters, global reclaim, COW PTE costs                                */
/* ------------------------------------------------------------------------ */

/**
 * struct mmm_ksm_counters - /sys/kernel/mm/ksm as it reads once ksmd settled.
 * @size:               set by the caller to sizeof(struct mmm_ksm_counters).
 * @reserved:           0.
 * @pages_shared:       KSM pages in use: each mapped at least once.
 * @pages_sharing:      the further mappings of those pages (mappings beyond
 *                      the first of each).
 * @stable_node_chains: contents with more than one KSM page (a stable node
 *                      that reached max_page_sharing, 256, and got dups).
 * @stable_node_dups:   the KSM pages of those chains.
 * @ksm_zero_pages:     pages of zeros KSM mapped to the shared zero page
 *                      (only with struct mmm_world_config.ksm_use_zero_pages).
 *
 * The model merges when a range becomes MMM_MADV_MERGEABLE (and again at
 * later merges): the values are those after ksmd's scans settled, not a
 * running scan's.
 */
struct mmm_ksm_counters {
	uint32_t size;
	uint32_t reserved;
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t stable_node_chains;
	uint64_t stable_node_dups;
	uint64_t ksm_zero_pages;
};

/**
 * mmm_ksm_counters() - Read the world's KSM counters.
 * @w:   the world.
 * @out: receives the counters; @out->size must be set.
 *
 * Kernel: the pages_shared, pages_sharing, stable_node_chains,
 * stable_node_dups and ksm_zero_pages files of /sys/kernel/mm/ksm.
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL or @out->size is too small.
 * Since: 0.1.
 */
int mmm_ksm_counters(mmm_world *w, struct mmm_ksm_counters *out);

/**
 * mmm_ksm_process_zero_pages() - A process's KSM zero pages.
 * @w:   the world.
 * @pid: a process, live or exited (0 after exit).
 * @out: receives the count.
 *
 * Kernel: ksm_zero_pages of /proc/PID/ksm_stat (mm->ksm_zero_pages); a child
 * starts with its parent's count (ksm_fork()).
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL; -ESRCH if @pid was never created.
 * Since: 0.1.
 */
int mmm_ksm_process_zero_pages(mmm_world *w, mmm_pid pid, uint64_t *out);

/**
 * mmm_reclaim() - Global reclaim of the folios a range maps.
 * @w:         the world.
 * @pid:       a live process.
 * @addr:      page-aligned start.
 * @len:       bytes, at least 1 (rounded up to whole pages).
 * @pages_out: receives the pages swapped out or discarded, or NULL.
 *
 * Every folio mapped at [@addr, @addr + @len) of @pid is reclaimed as if it
 * had reached the tail of the inactive list unreferenced (kswapd or direct
 * reclaim). Unlike MMM_MADV_PAGEOUT nothing asks for the folio to be mapped
 * by @pid only: try_to_unmap() unmaps it from every process and address its
 * rmap finds (shared after fork, KSM pages), leaving swap entries there; a
 * lazyfree (MMM_MADV_FREE) folio still clean is discarded instead. Folios
 * that may be pinned stay mapped. Swap entries and unpopulated pages in the
 * range are left alone.
 * Kernel: shrink_folio_list(): add_to_swap(), try_to_unmap(), pageout().
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w is NULL, @addr is not page aligned, @len is 0 or
 * the range does not end by 2^47; -EFAULT if part of the range has no VMA;
 * -ENOMEM (nothing changed) if the swap device has fewer free slots than the
 * folios need; -ESRCH if @pid is not a live process.  Since: 0.1.
 */
int mmm_reclaim(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len, uint64_t *pages_out);

/*
 * Why a shared COW PTE table was broken (struct mmm_cow_pte_counters
 * .breaks_by_cause[] index); only with the policy switch cowPte=on.
 */
#define MMM_COWPTE_CAUSE_WRITE_FAULT     0u  /* do_wp_page on a write-protected PTE */
#define MMM_COWPTE_CAUSE_UNSHARE_FAULT   1u  /* read-only FOLL_PIN of a maybe-shared page */
#define MMM_COWPTE_CAUSE_ANON_FAULT      2u  /* a fault filling an empty entry */
#define MMM_COWPTE_CAUSE_SWAP_IN         3u  /* a fault swapping a page in */
#define MMM_COWPTE_CAUSE_ZAP             4u  /* munmap / MADV_DONTNEED of part of a table */
#define MMM_COWPTE_CAUSE_MPROTECT        5u
#define MMM_COWPTE_CAUSE_MADVISE         6u  /* MADV_COLD, MADV_PAGEOUT, MADV_FREE */
#define MMM_COWPTE_CAUSE_UFFD_WP         7u  /* UFFDIO_WRITEPROTECT */
#define MMM_COWPTE_CAUSE_CLEAR_REFS      8u  /* clear_refs soft-dirty */
#define MMM_COWPTE_CAUSE_KSM             9u  /* KSM merging */
#define MMM_COWPTE_CAUSE_UNMAP_WALK     10u  /* try_to_unmap (swap-out, lazyfree discard) */
#define MMM_COWPTE_CAUSE_REFERENCED_WALK 11u /* folio_referenced, with cowPteBreakOnYoung */
#define MMM_COWPTE_CAUSE_MREMAP         12u
#define MMM_COWPTE_CAUSE_COLLAPSE       13u  /* MADV_COLLAPSE */
#define MMM_COWPTE_CAUSE_OTHER          14u
/* Causes defined so far (entries of .breaks_by_cause[] in use). */
#define MMM_COWPTE_CAUSES               15u

/**
 * struct mmm_cow_pte_counters - What COW PTE tables cost a process.
 * @size:               set by the caller to sizeof(struct mmm_cow_pte_counters).
 * @reserved:           0.
 * @fork_ptes_copied:   entries (PTEs and PMD leaves) written into its page
 *                      tables at its fork; a shared table copies none.
 * @fork_tables_shared: PTE tables its fork shared with it instead of copying.
 * @break_copies:       shared tables it broke by copying them (a new table).
 * @break_reuses:       shared tables it reused as their last user (the PMD
 *                      made writable again, nothing copied).
 * @break_ptes_copied:  entries copied by its breaks.
 * @shares_dropped:     shared tables it let go whole (munmap of the whole
 *                      table, exit) without copying.
 * @breaks_by_cause:    breaks (copies and reuses) by MMM_COWPTE_CAUSE_*;
 *                      entries from MMM_COWPTE_CAUSES on are 0.
 *
 * The COW PTE table patches (RFC, never merged; switch cowPte) share a
 * child's PTE tables with its parent at fork and copy one at its first
 * change. With cowPte off every field but @fork_ptes_copied stays 0.
 */
struct mmm_cow_pte_counters {
	uint32_t size;
	uint32_t reserved;
	uint64_t fork_ptes_copied;
	uint64_t fork_tables_shared;
	uint64_t break_copies;
	uint64_t break_reuses;
	uint64_t break_ptes_copied;
	uint64_t shares_dropped;
	uint64_t breaks_by_cause[16];
};

/**
 * mmm_cow_pte_counters() - Read a process's COW PTE counters.
 * @w:   the world.
 * @pid: a process, live or exited.
 * @out: receives the counters; @out->size must be set.
 *
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL or @out->size is too small;
 * -ESRCH if @pid was never created.  Since: 0.1.
 */
int mmm_cow_pte_counters(mmm_world *w, mmm_pid pid, struct mmm_cow_pte_counters *out);

/* ------------------------------------------------------------------------ */
/* userfaultfd write-protect and soft-dirty (issue 6)                         */
/* ------------------------------------------------------------------------ */

/*
 * userfaultfd in write-protect mode (spec semantics §6.2): a range registered
 * with mmm_uffd_register_wp() gets VM_UFFD_WP; mmm_uffd_writeprotect() sets or
 * clears the uffd-wp bit of its PTEs (present: UW, which write-protects; swap:
 * SUW; none PTEs: a UFFD_WP PTE marker when the context has
 * MMM_UFFD_FEATURE_WP_UNPOPULATED). A write to a protected page is a trap: the
 * model's monitor records an event (mmm_uffd_event_get()) and unprotects the
 * page before the fault is retried, as a typical monitor does; with
 * MMM_UFFD_FEATURE_WP_ASYNC the kernel clears the bit itself and nothing is
 * recorded. mmm_page_state() shows the bits (mmm_pte_uffd_wp(),
 * mmm_pte_swp_uffd_wp(); a marker decodes as MMM_PTE_KIND_MARKER).
 * Soft-dirty (§6.1): mmm_clear_refs_soft_dirty() is "echo 4 >
 * /proc/PID/clear_refs"; it changes nothing in a world whose format has
 * MMM_ARCH_CFG_NO_SOFT_DIRTY (the kernel on these machines and every arm64
 * kernel build without CONFIG_MEM_SOFT_DIRTY).
 */

/* Features of the userfaultfd context (UFFDIO_API) for mmm_uffd_register_wp(). */
#define MMM_UFFD_FEATURE_EVENT_FORK     0x1u /* UFFD_FEATURE_EVENT_FORK: fork keeps VM_UFFD_WP */
#define MMM_UFFD_FEATURE_WP_UNPOPULATED 0x2u /* markers on none PTEs (6.4+) */
#define MMM_UFFD_FEATURE_WP_ASYNC       0x4u /* writes resolved in the kernel (6.7+); implies WP_UNPOPULATED */

/**
 * mmm_uffd_register_wp() - UFFDIO_REGISTER with UFFDIO_REGISTER_MODE_WP.
 * @w:        the world.
 * @pid:      a live process.
 * @addr:     page-aligned start.
 * @len:      page-aligned length, > 0; every page must be mapped.
 * @features: MMM_UFFD_FEATURE_* of the context.
 *
 * The VMAs are split at the ends and get VM_UFFD_WP; a VMA registered again
 * takes the new features. Registration arms the VMAs: their first-touch and
 * skip-swap-cache swap-in faults allocate order-0 folios only.
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w is NULL, the range is not page-aligned or empty,
 * @features has unknown bits, or the world's kernel lacks a feature
 * (WP_UNPOPULATED before 6.4, WP_ASYNC before 6.7, no uffd-wp support with
 * MMM_ARCH_CFG_NO_UFFD_WP); -ESRCH if @pid is not a live process; -EFAULT if
 * part of the range is not mapped.  Since: 0.1.
 */
int mmm_uffd_register_wp(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len, uint32_t features);

/**
 * mmm_uffd_unregister() - UFFDIO_UNREGISTER.
 * @w:    the world.
 * @pid:  a live process.
 * @addr: page-aligned start.
 * @len:  page-aligned length, > 0; every page must be mapped.
 *
 * The write protection of the registered VMAs in the range is dropped as by
 * mmm_uffd_writeprotect() with @protect 0 (markers removed, exclusive pages
 * made writable from 6.3), then VM_UFFD_WP is cleared. Unregistered VMAs in
 * the range are left alone.
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL for NULL @w or a bad range; -ESRCH; -EFAULT if part of
 * the range is not mapped.  Since: 0.1.
 */
int mmm_uffd_unregister(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len);

/**
 * mmm_uffd_writeprotect() - UFFDIO_WRITEPROTECT.
 * @w:       the world.
 * @pid:     a live process.
 * @addr:    page-aligned start.
 * @len:     page-aligned length, > 0.
 * @protect: 1 for UFFDIO_WRITEPROTECT_MODE_WP, 0 to unprotect.
 *
 * Protect: present PTEs get UW (read-only), swap PTEs SUW, none PTEs a
 * UFFD_WP marker when the context has WP_UNPOPULATED. Unprotect: the bits
 * and markers go; from 6.3 (switch uffdUnprotectUpgrade) an AnonExclusive
 * page of a writable VMA is mapped writable at once.
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL for NULL @w, a bad range, @protect other than 0 or 1, or
 * a page outside every VM_UFFD_WP VMA (the kernel says -ENOENT); -ESRCH;
 * -EFAULT if part of the range is not mapped.  Since: 0.1.
 */
int mmm_uffd_writeprotect(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t len, int protect);

#define MMM_UFFD_EVENT_WRITE 0x1u /* the fault was a write (UFFD_PAGEFAULT_FLAG_WRITE) */

/**
 * struct mmm_uffd_event - One write the monitor was told about.
 * @size:    set by the caller to sizeof(struct mmm_uffd_event).
 * @flags:   MMM_UFFD_EVENT_* (a uffd-wp trap is always a write).
 * @pid:     the faulting process.
 * @reserved: 0.
 * @address: the faulting page's address.
 */
struct mmm_uffd_event {
	uint32_t size;
	uint32_t flags;
	mmm_pid pid;
	uint32_t reserved;
	uint64_t address;
};

/**
 * mmm_uffd_event_count() - How many uffd-wp events the world has recorded.
 * @w:     the world.
 * @count: receives the number of events since the world was created.
 *
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @count is NULL.  Since: 0.1.
 */
int mmm_uffd_event_count(mmm_world *w, uint64_t *count);

/**
 * mmm_uffd_event_get() - One recorded uffd-wp event, oldest first.
 * @w:     the world.
 * @index: 0 ... count - 1.
 * @out:   receives the event; @out->size must be set.
 *
 * Context: One thread at a time per world. State is unchanged.
 * Return: 0; -EINVAL if @w or @out is NULL or @out->size is too small;
 * -ERANGE if @index is not below the count.  Since: 0.1.
 */
int mmm_uffd_event_get(mmm_world *w, uint64_t index, struct mmm_uffd_event *out);

/**
 * mmm_clear_refs_soft_dirty() - "echo 4 > /proc/PID/clear_refs".
 * @w:   the world.
 * @pid: a live process.
 *
 * Starts soft-dirty tracking of every VMA of @pid: VM_SOFTDIRTY cleared,
 * present PTEs write-protected with soft-dirty cleared (not maybe-pinned
 * pages of a process that has pinned), swap PTEs lose their soft-dirty bit.
 * Nothing changes without CONFIG_MEM_SOFT_DIRTY (MMM_ARCH_CFG_NO_SOFT_DIRTY,
 * or arm64).
 * Context: One thread at a time per world.
 * Return: 0; -EINVAL if @w is NULL; -ESRCH if @pid is not a live process.
 * Since: 0.1.
 */
int mmm_clear_refs_soft_dirty(mmm_world *w, mmm_pid pid);

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * A scenario is a script in the scenario language (docs/scenario-language.md):
 * map memory, touch it, advise it, fork with child blocks, and ``expect`` what
 * procfs would show. These functions run one on a fresh world, as ``mmm run``
 * does, and return what a process would observe (docs/observation-format.md)
 * as text or JSON, whole or one line at a time, and the verdict of its
 * ``expect`` lines.
 *
 * A script that does not parse, uses a line the model cannot run, or whose run
 * stops (an operation failed) is not an error of these functions: the run
 * gives a result whose status says so and whose observation ends with an
 * ``error line=N ...`` line. The functions fail only on arguments: NULL
 * pointers, unknown flags, an empty script, bytes that are not UTF-8, an
 * unreadable file. Limits that keep any script from exhausting the process
 * (fork blocks nest at most 64 deep; at most 2^22 page observations per run)
 * are reported the same way, as the run's error.
 *
 * Context: any thread; distinct runs and results share nothing, and a result
 * is only read after the run, so it may be read from several threads at once.
 */

/**
 * typedef mmm_scenario - The result of a scenario run (opaque).
 *
 * Made by mmm_scenario_run() or mmm_scenario_run_file(), freed by
 * mmm_scenario_free(). It holds the observation and the verdict; nothing of it
 * changes after the run.
 */
typedef struct mmm_scenario mmm_scenario;

/* Flags of the run functions (@flags). */
#define MMM_SCENARIO_VERBOSE 0x1u /* add the model-only fields (``mmm run --verbose``) */
#define MMM_SCENARIO_JSON    0x2u /* the observation as one JSON object on one line */

/**
 * typedef mmm_scenario_line_fn - Receives one line of an observation.
 * @line: the line, NUL-terminated, without its newline; valid only during
 *        the call.
 * @ctx:  the @ctx given to mmm_scenario_run_cb().
 */
typedef void (*mmm_scenario_line_fn)(const char *line, void *ctx);

/**
 * struct mmm_scenario_status - The verdict of a run (mmm_scenario_status()).
 * @size:       set by the caller to sizeof(struct mmm_scenario_status).
 * @passed:     1 when the run completed and every expectation held, else 0.
 * @held:       ``expect`` lines that held.
 * @failed:     ``expect`` lines that did not hold.
 * @stopped:    1 when the run stopped early: the script does not parse, has a
 *              line the model cannot run, an operation failed, or a limit was
 *              reached (mmm_scenario_errmsg() says which), else 0.
 * @error_line: the script line of that error; 0 when none or when it concerns
 *              no line.
 * @snapshots:  snapshots taken, the final ``end`` included.
 * @reserved:   0.
 */
struct mmm_scenario_status {
	uint32_t size;
	uint32_t passed;
	uint32_t held;
	uint32_t failed;
	uint32_t stopped;
	uint32_t error_line;
	uint32_t snapshots;
	uint32_t reserved;
};

/**
 * mmm_scenario_run() - Run a scenario given as text.
 * @text:  the script; need not be NUL-terminated.
 * @len:   its length in bytes, 1 or more.
 * @flags: 0, or MMM_SCENARIO_VERBOSE and / or MMM_SCENARIO_JSON: the form of
 *         the observation mmm_scenario_text() returns.
 * @out:   receives the result; untouched on error.
 *
 * The script runs to its end (or until it stops) on a fresh world built from
 * its header. The result is made whatever the verdict: read it with
 * mmm_scenario_status(), mmm_scenario_text() and mmm_scenario_errmsg().
 * Context: Any thread.
 * Return: 0; -EINVAL if @text or @out is NULL, @len is 0 or above SIZE_MAX / 2,
 * or @flags has an unknown bit; -EILSEQ if the bytes are not UTF-8.
 * Since: 0.1.
 */
int mmm_scenario_run(const char *text, size_t len, uint32_t flags, mmm_scenario **out);

/**
 * mmm_scenario_run_file() - Run a scenario file.
 * @path:  the file, NUL-terminated; it also names the run in the observation
 *         (the ``scenario`` line), as with ``mmm run``.
 * @flags: as for mmm_scenario_run().
 * @out:   receives the result; untouched on error.
 *
 * Context: Any thread.
 * Return: 0; -EINVAL if @path or @out is NULL, @path is "", @flags has an
 * unknown bit, or the file is empty; -ENOENT if the file (or a directory on
 * the way) does not exist; -EACCES if it may not be read; -EISDIR if @path is
 * a directory; -EIO if reading failed otherwise; -EILSEQ if the file is not
 * UTF-8 text.  Since: 0.1.
 */
int mmm_scenario_run_file(const char *path, uint32_t flags, mmm_scenario **out);

/**
 * mmm_scenario_run_cb() - Run a scenario, handing its observation over line by line.
 * @text:  the script, as for mmm_scenario_run().
 * @len:   its length in bytes, 1 or more.
 * @flags: as for mmm_scenario_run() (with MMM_SCENARIO_JSON, @fn gets one line).
 * @fn:    called once per line of the observation, in order, after the run.
 * @ctx:   passed to @fn.
 *
 * The lines are those mmm_scenario_text() would return, without newlines.
 * Nothing is called when the function fails.
 * Context: Any thread; @fn runs on the calling thread.
 * Return: 0 when the run completed and every expectation held; 1 when an
 * expectation failed or the run stopped (the lines say why, as ``fail`` and
 * ``error`` lines); -EINVAL if @text or @fn is NULL, @len is 0 or above
 * SIZE_MAX / 2, or @flags has an unknown bit; -EILSEQ if the bytes are not
 * UTF-8.  Since: 0.1.
 */
int mmm_scenario_run_cb(const char *text, size_t len, uint32_t flags, mmm_scenario_line_fn fn,
			void *ctx);

/**
 * mmm_scenario_status() - The verdict of a run.
 * @s:   the result.
 * @out: receives the details, or NULL for the verdict only; @out->size must
 *       be set.
 *
 * Context: Any thread.
 * Return: 0 when the run completed and every expectation held; 1 when an
 * expectation failed or the run stopped; -EINVAL if @s is NULL or @out->size
 * is too small.  Since: 0.1.
 */
int mmm_scenario_status(const mmm_scenario *s, struct mmm_scenario_status *out);

/**
 * mmm_scenario_text() - The observation of a run.
 * @s:   the result, or NULL.
 * @len: receives the length without the final NUL, or NULL.
 *
 * Text (docs/observation-format.md, one line per record, each ending with a
 * newline) or, with MMM_SCENARIO_JSON, one JSON object and a newline.
 * Context: Any thread.
 * Return: a NUL-terminated string owned by @s, valid until
 * mmm_scenario_free(); "" (and @len 0) for NULL.  Since: 0.1.
 */
const char *mmm_scenario_text(const mmm_scenario *s, size_t *len);

/**
 * mmm_scenario_errmsg() - Why a run did not pass.
 * @s: the result, or NULL.
 *
 * One line per failed expectation, then the error that stopped the run, each
 * as "line N: message" (the error without "line N: " when it concerns no
 * line), separated by newlines; "" when the run passed.
 * Context: Any thread.
 * Return: a NUL-terminated string owned by @s, valid until
 * mmm_scenario_free(); "" for NULL.  Since: 0.1.
 */
const char *mmm_scenario_errmsg(const mmm_scenario *s);

/**
 * mmm_scenario_free() - Free a result.
 * @s: the result, or NULL (then nothing happens).
 *
 * @s and the strings it returned must not be used afterwards.
 * Context: Any thread, one call per result.
 * Return: nothing.  Since: 0.1.
 */
void mmm_scenario_free(mmm_scenario *s);

#ifdef __cplusplus
}
#endif

#endif /* MMMODEL_H */
