/*
 * Reference C implementations of mmm_pte_decode, mmm_pte_move_swp_offset,
 * mmm_folio_pte_batch (both flag APIs) and mmm_swap_pte_batch, written from
 * the spec (pte-and-swap-encoding.md): x86-64 §1-§2, arm64 §3, generic
 * entries §4, stepping §5.2, batching §6.2, §6.3, §6.6. No kernel code.
 *
 * They follow the mmmodel.h contract, not just the kernel rule: the same
 * argument checks, -ERANGE instead of wrapping, the same struct outputs
 * (decode fills every field of struct mmm_pte_info, preds and stray
 * included). The benchmark cross-checks them against the library on every
 * input before timing.
 *
 * This file is compiled apart from the timing loops and every entry point is
 * noinline: a reference call costs a real call, as an ABI call does.
 */
#include <errno.h>
#include <string.h>
#include "ref.h"

/* ---- The mmm_arch word ------------------------------------------------- */

struct fmt {
	int x86;                /* 1: x86-64, 0: arm64 */
	int soft_dirty;         /* CONFIG_MEM_SOFT_DIRTY (x86-64 only) */
	int uffd_wp;            /* CONFIG_HAVE_ARCH_USERFAULTFD_WP */
	uint32_t hwp, mig, dev; /* swap types taken by hwpoison, migration, device */
	uint32_t max_swapfiles; /* MAX_SWAPFILES, spec §4.2 */
};

static inline int parse_arch(mmm_arch a, struct fmt *f)
{
	uint32_t low = a & 0xFFu;

	if ((a & ~0x1FFFu) != 0 || (low != MMM_ARCH_X86_64 && low != MMM_ARCH_ARM64))
		return 0;
	f->x86 = low == MMM_ARCH_X86_64;
	f->soft_dirty = f->x86 && !(a & MMM_ARCH_CFG_NO_SOFT_DIRTY);
	f->uffd_wp = !(a & MMM_ARCH_CFG_NO_UFFD_WP);
	f->dev = (a & MMM_ARCH_CFG_NO_DEVICE_PRIVATE) ? 0 : 3;
	f->mig = (a & MMM_ARCH_CFG_NO_MIGRATION) ? 0 : 3;
	f->hwp = (a & MMM_ARCH_CFG_NO_MEMORY_FAILURE) ? 0 : 1;
	f->max_swapfiles = 32 - f->dev - f->mig - f->hwp - 1;
	return 1;
}

/* ---- Bits (spec §1.1, §2.1, §3.1, §3.5) ---------------------------------- */

#define BIT(n) (1ull << (n))

#define X86_P          BIT(0)
#define X86_RW         BIT(1)
#define X86_USER       BIT(2)
#define X86_ACCESSED   BIT(5)
#define X86_DIRTY      BIT(6)
#define X86_PROTNONE   BIT(8)
#define X86_SPECIAL    BIT(9)
#define X86_UFFD_WP    BIT(10)
#define X86_SOFT_DIRTY BIT(11)
#define X86_SAVED_DIRTY BIT(58)
#define X86_NX         BIT(63)
#define X86_PFN_MASK   (((1ull << 40) - 1) << 12)
#define X86_SWP_SOFT_DIRTY BIT(1)
#define X86_SWP_UFFD_WP    BIT(2)
#define X86_SWP_EXCLUSIVE  BIT(3)

#define A64_VALID      BIT(0)
#define A64_USER       BIT(6)
#define A64_RDONLY     BIT(7)
#define A64_AF         BIT(10)
#define A64_NG         BIT(11)
#define A64_WRITE      BIT(51)
#define A64_CONT       BIT(52)
#define A64_UXN        BIT(54)
#define A64_DIRTY      BIT(55)
#define A64_SPECIAL    BIT(56)
#define A64_UFFD_WP    BIT(58)
#define A64_PFN_MASK   (((1ull << 36) - 1) << 12)
#define A64_SWP_EXCLUSIVE BIT(2)
#define A64_SWP_UFFD_WP   BIT(3)

#define SWP_OFFSET_MAX ((1ull << 50) - 1)
#define PTES_PER_TABLE 512u
#define A64_CONT_PTES  16u

/* ---- Predicates and helpers --------------------------------------------- */

static inline int is_none(const struct fmt *f, uint64_t v)
{
	return f->x86 ? (v & ~(X86_ACCESSED | X86_DIRTY)) == 0 : v == 0;
}

static inline int is_present(const struct fmt *f, uint64_t v)
{
	return (v & (f->x86 ? (X86_P | X86_PROTNONE) : (A64_VALID | A64_NG))) != 0;
}

static inline uint64_t pfn_mask(const struct fmt *f)
{
	return f->x86 ? X86_PFN_MASK : A64_PFN_MASK;
}

/* x86-64 L1TF inversion (spec §1.4): all ones for a non-zero value without P. */
static inline uint64_t invert_mask(const struct fmt *f, uint64_t v)
{
	return (f->x86 && v != 0 && !(v & X86_P)) ? ~0ull : 0;
}

static inline uint64_t pte_pfn(const struct fmt *f, uint64_t v)
{
	return ((v ^ invert_mask(f, v)) & pfn_mask(f)) >> 12;
}

static inline uint64_t max_pfn(const struct fmt *f)
{
	return f->x86 ? (1ull << 40) - 1 : (1ull << 36) - 1;
}

static inline uint32_t swp_pfn_bits(const struct fmt *f)
{
	return f->x86 ? 34 : 36;
}

static inline int a64_hw_dirty(uint64_t v)
{
	return (v & A64_WRITE) && !(v & A64_RDONLY);
}

static inline int pte_write(const struct fmt *f, uint64_t v)
{
	return (v & (f->x86 ? X86_RW : A64_WRITE)) != 0;
}

static inline int pte_dirty(const struct fmt *f, uint64_t v)
{
	if (f->x86)
		return (v & (X86_DIRTY | X86_SAVED_DIRTY)) != 0;
	return a64_hw_dirty(v) || (v & A64_DIRTY);
}

static inline uint64_t young_bit(const struct fmt *f)
{
	return f->x86 ? X86_ACCESSED : A64_AF;
}

static inline uint64_t soft_dirty_bit(const struct fmt *f)
{
	return f->soft_dirty ? X86_SOFT_DIRTY : 0;
}

static inline uint64_t uffd_wp_bit(const struct fmt *f)
{
	return f->uffd_wp ? (f->x86 ? X86_UFFD_WP : A64_UFFD_WP) : 0;
}

/* Swap PTE flag bits (spec §2.3, §3.5). */
static inline uint64_t swp_excl_bit(const struct fmt *f)
{
	return f->x86 ? X86_SWP_EXCLUSIVE : A64_SWP_EXCLUSIVE;
}

static inline uint64_t swp_sd_bit(const struct fmt *f)
{
	return f->soft_dirty ? X86_SWP_SOFT_DIRTY : 0;
}

static inline uint64_t swp_uffd_bit(const struct fmt *f)
{
	return f->uffd_wp ? (f->x86 ? X86_SWP_UFFD_WP : A64_SWP_UFFD_WP) : 0;
}

static inline uint64_t swp_flag_bits(const struct fmt *f)
{
	return swp_excl_bit(f) | swp_sd_bit(f) | swp_uffd_bit(f);
}

/* __swp_type / __swp_offset / __swp_entry (spec §2.2, §3.5). */
static inline uint32_t arch_swp_type(const struct fmt *f, uint64_t v)
{
	return f->x86 ? (uint32_t)(v >> 59) : (uint32_t)((v >> 6) & 0x1F);
}

static inline uint64_t arch_swp_offset(const struct fmt *f, uint64_t v)
{
	return f->x86 ? (~v << 5) >> 14 : (v >> 12) & SWP_OFFSET_MAX;
}

static inline uint64_t arch_swp_entry(const struct fmt *f, uint32_t type, uint64_t off)
{
	if (f->x86)
		return ((~off << 14) >> 5) | ((uint64_t)(type & 0x1F) << 59);
	return ((uint64_t)(type & 0x1F) << 6) | ((off & SWP_OFFSET_MAX) << 12);
}

/* ---- Mutators used by batching (spec §1.3, §3.2) ------------------------- */

static inline uint64_t x86_saved_dirty_shift(uint64_t v)
{
	if (!(v & X86_RW) && (v & X86_DIRTY))
		return (v | X86_SAVED_DIRTY) & ~X86_DIRTY;
	return v;
}

static inline uint64_t x86_clear_saved_dirty_shift(uint64_t v)
{
	if ((v & X86_RW) && (v & X86_SAVED_DIRTY))
		return (v | X86_DIRTY) & ~X86_SAVED_DIRTY;
	return v;
}

static inline uint64_t mkclean(const struct fmt *f, uint64_t v)
{
	return f->x86 ? v & ~(X86_DIRTY | X86_SAVED_DIRTY) : (v & ~A64_DIRTY) | A64_RDONLY;
}

static inline uint64_t wrprotect(const struct fmt *f, uint64_t v)
{
	if (f->x86)
		return x86_saved_dirty_shift(v & ~X86_RW);
	if (a64_hw_dirty(v))
		v |= A64_DIRTY;
	return (v & ~A64_WRITE) | A64_RDONLY;
}

static inline uint64_t mkwrite(const struct fmt *f, uint64_t v)
{
	if (f->x86)
		return x86_clear_saved_dirty_shift(v | X86_RW);
	v |= A64_WRITE;
	if (v & A64_DIRTY)
		v &= ~A64_RDONLY;
	return v;
}

static inline uint64_t mkdirty(const struct fmt *f, uint64_t v)
{
	if (f->x86)
		return x86_saved_dirty_shift(v | X86_DIRTY | soft_dirty_bit(f));
	v |= A64_DIRTY;
	if (v & A64_WRITE)
		v &= ~A64_RDONLY;
	return v;
}

/* ---- mmm_pte_decode ------------------------------------------------------ */

/* Non-swap kinds by swap type (spec §4.2). */
static uint32_t kind_of_swap_type(const struct fmt *f, uint32_t t)
{
	if (t < f->max_swapfiles)
		return MMM_PTE_KIND_SWAP;
	if (t == 31)
		return MMM_PTE_KIND_MARKER;
	t -= f->max_swapfiles;
	if (t < f->hwp)
		return MMM_PTE_KIND_HWPOISON;
	t -= f->hwp;
	if (t < f->mig)
		return MMM_PTE_KIND_MIGRATION_READ + t;
	t -= f->mig;
	if (t > 2)
		t = 2;
	/* device order: write, read, exclusive */
	return t == 0 ? MMM_PTE_KIND_DEVICE_PRIVATE_WRITE
	     : t == 1 ? MMM_PTE_KIND_DEVICE_PRIVATE_READ : MMM_PTE_KIND_DEVICE_EXCLUSIVE;
}

static void decode_present(const struct fmt *f, uint64_t v, struct mmm_pte_info *o)
{
	uint64_t flags = 0, named;
	uint32_t preds = MMM_PRED_PRESENT;
	int valid;

	if (f->x86) {
		valid = (v & X86_P) != 0;
		named = X86_P | X86_RW | X86_USER | X86_ACCESSED | X86_DIRTY | X86_SAVED_DIRTY |
			soft_dirty_bit(f) | uffd_wp_bit(f) | X86_SPECIAL | X86_NX;
		if (v & X86_P) flags |= MMM_PTE_F_VALID;
		if (v & X86_RW) flags |= MMM_PTE_F_WRITE;
		if (v & X86_USER) flags |= MMM_PTE_F_USER;
		if (v & X86_ACCESSED) flags |= MMM_PTE_F_YOUNG;
		if (v & X86_DIRTY) flags |= MMM_PTE_F_DIRTY;
		if (v & X86_SAVED_DIRTY) flags |= MMM_PTE_F_SAVED_DIRTY;
		if (v & soft_dirty_bit(f)) flags |= MMM_PTE_F_SOFT_DIRTY;
		if (v & uffd_wp_bit(f)) flags |= MMM_PTE_F_UFFD_WP;
		if (v & X86_SPECIAL) flags |= MMM_PTE_F_SPECIAL;
		if (v & X86_NX) flags |= MMM_PTE_F_NX;
		if (!valid) {
			flags |= MMM_PTE_F_PROTNONE;
			named |= X86_PROTNONE;
			preds |= MMM_PRED_PROTNONE; /* P clear, PROTNONE set */
		}
	} else {
		valid = (v & A64_VALID) != 0;
		named = A64_VALID | A64_WRITE | A64_USER | A64_AF | A64_DIRTY | A64_RDONLY |
			uffd_wp_bit(f) | A64_SPECIAL | A64_UXN | A64_CONT;
		if (v & A64_VALID) flags |= MMM_PTE_F_VALID;
		if (v & A64_WRITE) flags |= MMM_PTE_F_WRITE;
		if (v & A64_USER) flags |= MMM_PTE_F_USER;
		if (v & A64_AF) flags |= MMM_PTE_F_YOUNG;
		if (v & A64_DIRTY) flags |= MMM_PTE_F_DIRTY;
		if (v & A64_RDONLY) flags |= MMM_PTE_F_RDONLY;
		if (v & uffd_wp_bit(f)) flags |= MMM_PTE_F_UFFD_WP;
		if (v & A64_SPECIAL) flags |= MMM_PTE_F_SPECIAL;
		if (v & A64_UXN) flags |= MMM_PTE_F_NX;
		if (v & A64_CONT) flags |= MMM_PTE_F_CONT;
		if (!valid) {
			flags |= MMM_PTE_F_PROTNONE;
			named |= A64_NG;
			if (!(v & A64_USER) && (v & A64_UXN))
				preds |= MMM_PRED_PROTNONE;
		}
	}
	if (pte_write(f, v)) preds |= MMM_PRED_WRITE;
	if (pte_dirty(f, v)) preds |= MMM_PRED_DIRTY;
	if (v & young_bit(f)) preds |= MMM_PRED_YOUNG;
	if (v & soft_dirty_bit(f)) preds |= MMM_PRED_SOFT_DIRTY;
	if (v & uffd_wp_bit(f)) preds |= MMM_PRED_UFFD_WP;
	if (v & (f->x86 ? X86_SPECIAL : A64_SPECIAL)) preds |= MMM_PRED_SPECIAL;

	o->kind = MMM_PTE_KIND_PRESENT;
	o->flags = flags;
	o->pfn = pte_pfn(f, v);
	o->attrs = v & ~(named | pfn_mask(f));
	o->preds = preds;
}

static void decode_nonpresent(const struct fmt *f, uint64_t v, struct mmm_pte_info *o)
{
	uint64_t flags = 0, stray, off, rest = 0;
	uint32_t preds = MMM_PRED_SWAP_PTE, type, kind;

	if (v & swp_excl_bit(f)) { flags |= MMM_SWP_F_EXCLUSIVE; preds |= MMM_PRED_EXCLUSIVE; }
	if (v & swp_sd_bit(f)) { flags |= MMM_SWP_F_SOFT_DIRTY; preds |= MMM_PRED_SOFT_DIRTY; }
	if (v & swp_uffd_bit(f)) { flags |= MMM_SWP_F_UFFD_WP; preds |= MMM_PRED_UFFD_WP; }

	type = arch_swp_type(f, v);
	off = arch_swp_offset(f, v);
	kind = kind_of_swap_type(f, type);
	if (type >= f->max_swapfiles)
		preds |= MMM_PRED_NON_SWAP;

	/* Bits a well-formed non-present value never has (spec §2.1, §3.5). */
	if (f->x86)
		stray = v & ((0xF0 | X86_SWP_SOFT_DIRTY | X86_SWP_UFFD_WP) & ~swp_flag_bits(f));
	else
		stray = v & ((0x33 | (3ull << 62) | A64_SWP_UFFD_WP) & ~swp_flag_bits(f));

	o->kind = kind;
	o->swp_type = type;
	o->swp_offset = off;

	/* What the offset carries (spec §4.3). */
	if (kind >= MMM_PTE_KIND_MIGRATION_READ && kind <= MMM_PTE_KIND_HWPOISON) {
		uint32_t pb = swp_pfn_bits(f);
		uint64_t m = (1ull << pb) - 1;

		o->pfn = off & m;
		rest = off & ~m;
		if (kind <= MMM_PTE_KIND_MIGRATION_WRITE) {
			if (rest & (1ull << pb)) flags |= MMM_SWP_F_MIG_YOUNG;
			if (rest & (1ull << (pb + 1))) flags |= MMM_SWP_F_MIG_DIRTY;
			rest &= ~(3ull << pb);
		}
	} else if (kind == MMM_PTE_KIND_MARKER) {
		o->marker = (uint32_t)(off & 7);
		rest = off & ~7ull;
	}
	if (rest)
		stray |= arch_swp_entry(f, 0, rest) ^ arch_swp_entry(f, 0, 0);

	o->flags = flags;
	o->preds = preds;
	o->stray = stray;
}

int ref_pte_decode(mmm_arch arch, uint64_t pte, struct mmm_pte_info *out)
{
	struct fmt f;

	if (!parse_arch(arch, &f) || !out || out->size < sizeof(struct mmm_pte_info))
		return -EINVAL;
	/* Every field but size is written: start from zero. */
	out->kind = 0;
	out->flags = 0;
	out->pfn = 0;
	out->swp_offset = 0;
	out->swp_type = 0;
	out->marker = 0;
	out->attrs = 0;
	out->preds = 0;
	out->reserved = 0;
	out->stray = 0;
	if (is_none(&f, pte)) {
		out->kind = MMM_PTE_KIND_NONE;
		out->preds = MMM_PRED_NONE;
		out->stray = pte;
	} else if (is_present(&f, pte)) {
		decode_present(&f, pte, out);
	} else {
		decode_nonpresent(&f, pte, out);
	}
	return 0;
}

/* ---- mmm_pte_move_swp_offset (spec §5.2, with the ABI's range checks) ---- */

int ref_pte_move_swp_offset(mmm_arch arch, uint64_t pte, int64_t delta, uint64_t *out)
{
	struct fmt f;
	uint32_t type;
	uint64_t off, moved;
	int64_t n;

	if (!parse_arch(arch, &f) || !out)
		return -EINVAL;
	if (is_none(&f, pte) || is_present(&f, pte))
		return -EINVAL;
	type = arch_swp_type(&f, pte);
	if (type >= f.max_swapfiles)
		return -EINVAL;
	off = arch_swp_offset(&f, pte); /* < 2^50 */
	if (__builtin_add_overflow((int64_t)off, delta, &n) || n < 0 || (uint64_t)n > SWP_OFFSET_MAX)
		return -ERANGE;
	moved = arch_swp_entry(&f, type, (uint64_t)n) | (pte & swp_flag_bits(&f));
	if (is_none(&f, moved))
		return -ERANGE;
	*out = moved;
	return 0;
}

/* ---- mmm_folio_pte_batch (spec §6.2, §6.3; 6.10 API per §6.4) ----------- */

static inline uint64_t normalise(const struct fmt *f, uint64_t v, uint32_t api, uint32_t flags)
{
	if (api == MMM_FPB_API_6_17) {
		if (!(flags & MMM_FPB_RESPECT_DIRTY)) v = mkclean(f, v);
		if (!(flags & MMM_FPB_RESPECT_SOFT_DIRTY)) v &= ~soft_dirty_bit(f);
		if (!(flags & MMM_FPB_RESPECT_WRITE)) v = wrprotect(f, v);
	} else {
		if (flags & MMM_FPB_IGNORE_DIRTY) v = mkclean(f, v);
		if (flags & MMM_FPB_IGNORE_SOFT_DIRTY) v &= ~soft_dirty_bit(f);
		v = wrprotect(f, v);
	}
	return v & ~young_bit(f); /* mkold */
}

/* pte_batch_hint(): arm64 jumps to the end of a valid contiguous block. */
static inline size_t batch_hint(const struct fmt *f, uint64_t v, size_t index)
{
	if (f->x86 || !(v & A64_VALID) || !(v & A64_CONT))
		return 1;
	return A64_CONT_PTES - (index & (A64_CONT_PTES - 1));
}

/* Unchecked pte_advance_pfn(): x86-64 subtracts for an inverted PFN. */
static inline uint64_t advance(const struct fmt *f, uint64_t v, size_t nr)
{
	uint64_t d = (uint64_t)nr << 12;

	return invert_mask(f, v) ? v - d : v + d;
}

int ref_folio_pte_batch(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes,
			const struct mmm_fpb_args *args, struct mmm_fpb_result *res)
{
	struct fmt f;
	struct mmm_fpb_args a;
	uint64_t first, first_pfn, folio_end, expected, out_pte;
	size_t max_nr, nr;
	int any_w = 0, any_y = 0, any_d = 0, merging;

	if (!parse_arch(arch, &f) || !ptes || !args || nr_ptes < 1)
		return -EINVAL;
	if (args->size < sizeof(a))
		return -EINVAL;
	memcpy(&a, args, sizeof(a));
	if (a.api > MMM_FPB_API_6_10 || a.max_nr < 1 || a.max_nr > nr_ptes)
		return -EINVAL;
	if (res && res->size < sizeof(*res))
		return -EINVAL;
	if (a.table_index >= PTES_PER_TABLE || a.folio_nr_pages < 1 ||
	    (a.flags & ~(a.api == MMM_FPB_API_6_17 ? 0x1Fu : 0x03u)))
		return -EINVAL;
	if (__builtin_add_overflow(a.folio_pfn, a.folio_nr_pages, &folio_end) || folio_end - 1 > max_pfn(&f))
		return -ERANGE;
	first = ptes[0];
	if (!is_present(&f, first))
		return -EINVAL;
	first_pfn = pte_pfn(&f, first);
	if (first_pfn < a.folio_pfn || first_pfn >= folio_end)
		return -EINVAL;

	/* Clamps: caller's max_nr, page-table end, folio end. */
	max_nr = a.max_nr;
	if (max_nr > PTES_PER_TABLE - a.table_index)
		max_nr = PTES_PER_TABLE - a.table_index;
	if (folio_end - first_pfn < max_nr)
		max_nr = folio_end - first_pfn;

	merging = a.api == MMM_FPB_API_6_10 ||
		  (a.flags & (MMM_FPB_MERGE_WRITE | MMM_FPB_MERGE_YOUNG_DIRTY));
	nr = batch_hint(&f, first, a.table_index);
	expected = normalise(&f, advance(&f, first, nr), a.api, a.flags);
	while (nr < max_nr) {
		uint64_t cur = ptes[nr];
		size_t step;

		if (normalise(&f, cur, a.api, a.flags) != expected)
			break;
		if (merging) {
			any_w |= pte_write(&f, cur);
			any_y |= (cur & young_bit(&f)) != 0;
			any_d |= pte_dirty(&f, cur);
		}
		step = batch_hint(&f, cur, a.table_index + nr);
		expected = advance(&f, expected, step);
		nr += step;
	}
	if (nr > max_nr)
		nr = max_nr;

	out_pte = first;
	if (a.api == MMM_FPB_API_6_17) {
		if (!(a.flags & MMM_FPB_MERGE_WRITE))
			any_w = 0;
		if (!(a.flags & MMM_FPB_MERGE_YOUNG_DIRTY))
			any_y = any_d = 0;
		if (any_w) out_pte = mkwrite(&f, out_pte);
		if (any_y) out_pte |= young_bit(&f);
		if (any_d) out_pte = mkdirty(&f, out_pte);
	}
	if (res) {
		res->nr = (uint32_t)nr;
		res->pte = out_pte;
		res->any_writable = (uint8_t)any_w;
		res->any_young = (uint8_t)any_y;
		res->any_dirty = (uint8_t)any_d;
		memset(res->reserved, 0, sizeof(res->reserved));
	}
	return (int)nr;
}

/* ---- mmm_swap_pte_batch (spec §6.6) ------------------------------------- */

int ref_swap_pte_batch(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes, size_t max_nr)
{
	struct fmt f;
	uint64_t first, flags, off;
	uint32_t type;
	size_t nr;

	if (!parse_arch(arch, &f) || !ptes || nr_ptes < 1 || max_nr < 1 || max_nr > nr_ptes)
		return -EINVAL;
	first = ptes[0];
	if (is_none(&f, first) || is_present(&f, first))
		return -EINVAL;
	type = arch_swp_type(&f, first);
	if (type >= f.max_swapfiles)
		return -EINVAL;
	/* pte_next_swp_offset() keeps type and the three flags and rebuilds the rest. */
	flags = first & swp_flag_bits(&f);
	off = arch_swp_offset(&f, first);
	for (nr = 1; nr < max_nr; nr++) {
		uint64_t next;

		if (off == SWP_OFFSET_MAX) /* no successor: the batch ends */
			break;
		off++;
		next = arch_swp_entry(&f, type, off) | flags;
		if (is_none(&f, next) || ptes[nr] != next)
			break;
	}
	return (int)nr;
}
