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
 * any number of threads at once.
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
 * @marker:     MARKER: MMM_PTE_MARKER_* bits (the kernel never installs an
 *              empty marker, but one decodes and encodes like any other).
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
 * For every value @v with @stray == 0, mmm_pte_encode() of mmm_pte_decode(@v)
 * gives @v back.
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
 * Builds only what the kernel could build: PRESENT needs VALID or PROTNONE
 * (not both on x86-64); SWAP needs a type below MAX_SWAPFILES; a kind the
 * configuration lacks (say device-private without CONFIG_DEVICE_PRIVATE) is
 * refused; a value that would read as pte_none is refused.
 * Kernel: pfn_pte(), swp_entry_to_pte(), pte_swp_mk*(), make_*_entry().
 * Context: Any thread.
 * Return: 0; -EINVAL if @arch is unknown, @in or @out is NULL, @in is too
 * small, the kind is unknown or not configured, a flag or attribute bit is not
 * valid for the kind and arch, @stray or @reserved is not 0, a MARKER has
 * unknown bits, or the result would be pte_none; -ERANGE if the PFN, type or
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
 * @any_writable: 6.10 API: an entry after the first is writable; 6.17 API: with
 *                MERGE_WRITE, an entry of the batch is writable.
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

#ifdef __cplusplus
}
#endif

#endif /* MMMODEL_H */
