/* SPDX-License-Identifier: MIT */
/*
 * Present (and PROT_NONE) PTEs through the C interface: predicates, mutators,
 * PFN stepping and the configuration modifiers, on x86-64 and arm64.
 *
 * Every expected value is a worked example of the spec
 * (/work/shared/spec/pte-and-swap-encoding.md, §1.5 and §3.6) or follows from
 * the kernel rule the test names (§1.2-§1.4, §3.2-§3.3, §9).
 */
#include "mmmodel_cmocka.h"

#define X86 MMM_ARCH_X86_64
#define ARM MMM_ARCH_ARM64

typedef int (*mutator_fn)(mmm_arch, uint64_t, uint64_t *);

/* Applies a mutator that must succeed and returns its result. */
static uint64_t apply_at(mutator_fn fn, mmm_arch arch, uint64_t pte,
			 const char *file, int line)
{
	uint64_t out = 0xdeadbeefdeadbeefull;

	mmm_assert_errno_at(fn(arch, pte, &out), 0, file, line);
	return out;
}
#define apply(fn, arch, pte) apply_at((fn), (arch), (pte), __FILE__, __LINE__)

static uint64_t pfn_of(mmm_arch arch, uint64_t pte)
{
	uint64_t pfn = 0;

	mmm_assert_errno(mmm_pte_pfn(arch, pte, &pfn), 0);
	return pfn;
}

/* ---------------------------------------------------------------- x86-64 */

/* §1.5 row 1: anon RW, user, accessed, dirty, NX, PFN 0x12345; §1.2 predicates. */
static void test_x86_s1_5_anon_rw_dirty_predicates(void **state)
{
	const uint64_t pte = 0x8000000012345067ull;

	(void)state;
	assert_int_equal(mmm_pte_none(X86, pte), 0);
	assert_int_equal(mmm_pte_present(X86, pte), 1);
	assert_int_equal(mmm_pte_protnone(X86, pte), 0);
	assert_int_equal(mmm_pte_write(X86, pte), 1);
	assert_int_equal(mmm_pte_dirty(X86, pte), 1);
	assert_int_equal(mmm_pte_young(X86, pte), 1);
	assert_int_equal(mmm_pte_soft_dirty(X86, pte), 0);
	assert_int_equal(mmm_pte_uffd_wp(X86, pte), 0);
	assert_int_equal(mmm_pte_special(X86, pte), 0);
	assert_int_equal(mmm_is_swap_pte(X86, pte), 0);
	assert_int_equal(pfn_of(X86, pte), 0x12345);
}

/* §1.5 row 2 / §1.3: pte_wrprotect clears RW and moves D (bit 6) to SavedDirty (bit 58). */
static void test_x86_s1_5_wrprotect_moves_dirty_to_bit58(void **state)
{
	uint64_t wp;

	(void)state;
	wp = apply(mmm_pte_wrprotect, X86, 0x8000000012345067ull);
	mmm_assert_pte_equal(X86, 0x8400000012345025ull, wp);
	assert_int_equal(mmm_pte_write(X86, wp), 0);
	/* §1.2: pte_dirty tests bit 6 or bit 58. */
	assert_int_equal(mmm_pte_dirty(X86, wp), 1);
	assert_int_equal(pfn_of(X86, wp), 0x12345);
	/* §9.3: pte_mkwrite moves it back. */
	mmm_assert_pte_equal(X86, 0x8000000012345067ull,
			     apply(mmm_pte_mkwrite, X86, wp));
}

/* §1.5 row 3 / §5.1: pte_next_pfn adds one frame, every other bit kept. */
static void test_x86_s1_5_next_pfn(void **state)
{
	uint64_t out = 0;

	(void)state;
	mmm_assert_pte_equal(X86, 0x8000000012346067ull,
			     apply(mmm_pte_next_pfn, X86, 0x8000000012345067ull));
	mmm_assert_ok(mmm_pte_advance_pfn(X86, 0x8000000012345067ull, 1, &out));
	mmm_assert_pte_equal(X86, 0x8000000012346067ull, out);
	mmm_assert_ok(mmm_pte_advance_pfn(X86, 0x8000000012345067ull, 0, &out));
	mmm_assert_pte_equal(X86, 0x8000000012345067ull, out);
	mmm_assert_ok(mmm_pte_advance_pfn(X86, 0x8000000012345067ull, 0x10, &out));
	mmm_assert_pte_equal(X86, 0x8000000012355067ull, out);
}

/* §1.5 rows 4-5 / §1.4 / §9.2: PROT_NONE holds ~PFN; pte_advance_pfn subtracts. */
static void test_x86_s1_4_protnone_inverted_pfn_advance_subtracts(void **state)
{
	const uint64_t pn = 0x000FFFFFEDCBA120ull;
	uint64_t next, out = 0;

	(void)state;
	assert_int_equal(mmm_pte_present(X86, pn), 1);
	assert_int_equal(mmm_pte_protnone(X86, pn), 1);
	assert_int_equal(mmm_pte_none(X86, pn), 0);
	assert_int_equal(mmm_is_swap_pte(X86, pn), 0);
	assert_int_equal(mmm_pte_write(X86, pn), 0);
	assert_int_equal(mmm_pte_young(X86, pn), 1); /* PAGE_NONE = PROTNONE | ACCESSED */
	assert_int_equal(pfn_of(X86, pn), 0x12345);

	mmm_assert_ok(mmm_pte_advance_pfn(X86, pn, 1, &out));
	mmm_assert_pte_equal(X86, 0x000FFFFFEDCB9120ull, out);
	assert_int_equal(pfn_of(X86, out), 0x12346);

	next = apply(mmm_pte_next_pfn, X86, pn);
	mmm_assert_pte_equal(X86, 0x000FFFFFEDCB9120ull, next);
}

/* §1.5 row 6 / §1.2 / §9.1: pte_none ignores A and D (Knights Landing erratum). */
static void test_x86_s9_1_none_ignores_accessed_dirty(void **state)
{
	(void)state;
	assert_int_equal(mmm_pte_none(X86, 0x60), 1);
	assert_int_equal(mmm_pte_none(X86, 0x20), 1);
	assert_int_equal(mmm_pte_none(X86, 0x40), 1);
	assert_int_equal(mmm_pte_none(X86, 0), 1);
	assert_int_equal(mmm_pte_present(X86, 0x60), 0);
	assert_int_equal(mmm_is_swap_pte(X86, 0x60), 0);
	assert_int_equal(mmm_pte_none(X86, 0x61), 0);
	assert_int_equal(mmm_pte_present(X86, 0x61), 1);
}

/* §1.3: mkdirty on a read-only PTE sets SavedDirty (58) and soft-dirty (11), not D. */
static void test_x86_s1_3_mkdirty_readonly_sets_bit58_and_soft_dirty(void **state)
{
	const uint64_t ro_clean = 0x8000000012345025ull; /* P US A, NX */
	uint64_t d;

	(void)state;
	d = apply(mmm_pte_mkdirty, X86, ro_clean);
	mmm_assert_pte_equal(X86, 0x8400000012345825ull, d);
	assert_int_equal(mmm_pte_dirty(X86, d), 1);
	assert_int_equal(mmm_pte_soft_dirty(X86, d), 1);
	assert_int_equal(mmm_pte_write(X86, d), 0);

	/* Writable: D itself (bit 6) plus soft-dirty. */
	mmm_assert_pte_equal(X86, 0x8000000012345867ull,
			     apply(mmm_pte_mkdirty, X86, 0x8000000012345027ull));
}

/* §1.3: pte_mkwrite (ordinary VMA) sets RW and moves bit 58 back to bit 6. */
static void test_x86_s1_3_mkwrite_moves_bit58_back(void **state)
{
	(void)state;
	mmm_assert_pte_equal(X86, 0x8000000012345867ull,
			     apply(mmm_pte_mkwrite, X86, 0x8400000012345825ull));
	/* Nothing to move: RW only. */
	mmm_assert_pte_equal(X86, 0x8000000012345027ull,
			     apply(mmm_pte_mkwrite, X86, 0x8000000012345025ull));
}

/* §1.3: pte_mkwrite_novma sets RW only; a SavedDirty bit stays at 58. */
static void test_x86_s1_3_mkwrite_novma_keeps_bit58(void **state)
{
	(void)state;
	mmm_assert_pte_equal(X86, 0x8400000012345827ull,
			     apply(mmm_pte_mkwrite_novma, X86, 0x8400000012345825ull));
	mmm_assert_pte_equal(X86, 0x8000000012345027ull,
			     apply(mmm_pte_mkwrite_novma, X86, 0x8000000012345025ull));
}

/* §1.3 / §9.3: pte_mkclean clears bit 6 and bit 58 and keeps soft-dirty. */
static void test_x86_s1_3_mkclean_clears_both(void **state)
{
	(void)state;
	mmm_assert_pte_equal(X86, 0x8000000012345825ull,
			     apply(mmm_pte_mkclean, X86, 0x8400000012345825ull));
	mmm_assert_pte_equal(X86, 0x8000000012345827ull,
			     apply(mmm_pte_mkclean, X86, 0x8000000012345867ull));
	assert_int_equal(mmm_pte_dirty(X86, 0x8000000012345827ull), 0);
}

/* §1.3: pte_mkuffd_wp sets bit 10 and write-protects; pte_clear_uffd_wp leaves RW. */
static void test_x86_s1_3_mkuffd_wp_write_protects(void **state)
{
	uint64_t u;

	(void)state;
	u = apply(mmm_pte_mkuffd_wp, X86, 0x8000000012345067ull);
	mmm_assert_pte_equal(X86, 0x8400000012345425ull, u);
	assert_int_equal(mmm_pte_uffd_wp(X86, u), 1);
	assert_int_equal(mmm_pte_write(X86, u), 0);
	assert_int_equal(mmm_pte_dirty(X86, u), 1);
	mmm_assert_pte_equal(X86, 0x8400000012345025ull,
			     apply(mmm_pte_clear_uffd_wp, X86, u));
	/* On a writable PTE the write bit is unchanged. */
	mmm_assert_pte_equal(X86, 0x8000000012345067ull,
			     apply(mmm_pte_clear_uffd_wp, X86, 0x8000000012345467ull));
}

/* §1.3 table: young (bit 5), soft-dirty (bit 11), special (bit 9). */
static void test_x86_s1_3_young_soft_dirty_special(void **state)
{
	uint64_t v;

	(void)state;
	v = apply(mmm_pte_mkold, X86, 0x8000000012345067ull);
	mmm_assert_pte_equal(X86, 0x8000000012345047ull, v);
	assert_int_equal(mmm_pte_young(X86, v), 0);
	mmm_assert_pte_equal(X86, 0x8000000012345067ull, apply(mmm_pte_mkyoung, X86, v));

	v = apply(mmm_pte_mksoft_dirty, X86, 0x8000000012345067ull);
	mmm_assert_pte_equal(X86, 0x8000000012345867ull, v);
	assert_int_equal(mmm_pte_soft_dirty(X86, v), 1);
	mmm_assert_pte_equal(X86, 0x8000000012345067ull,
			     apply(mmm_pte_clear_soft_dirty, X86, v));

	v = apply(mmm_pte_mkspecial, X86, 0x8000000012345067ull);
	mmm_assert_pte_equal(X86, 0x8000000012345267ull, v);
	assert_int_equal(mmm_pte_special(X86, v), 1);
}

/* Mutators want a present PTE (header): none and swap PTEs give -EINVAL, out untouched. */
static void test_x86_mutators_refuse_non_present(void **state)
{
	uint64_t out = 0x1111;

	(void)state;
	mmm_assert_errno(mmm_pte_mkdirty(X86, 0, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_wrprotect(X86, 0x60, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_mkwrite(X86, 0x1FFFFFFFFFDB9608ull, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_next_pfn(X86, 0x1FFFFFFFFFDB9608ull, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_pfn(X86, 0x1FFFFFFFFFDB9608ull, &out), -EINVAL);
	assert_int_equal(out, 0x1111);
}

/* ---------------------------------------------------------------- arm64 */

/* §3.6 row "present clean" / §3.2 predicates: DBM write, RDONLY set -> not dirty. */
static void test_arm64_s3_6_clean_predicates(void **state)
{
	const uint64_t pte = 0x0068000012345FC3ull;

	(void)state;
	assert_int_equal(mmm_pte_none(ARM, pte), 0);
	assert_int_equal(mmm_pte_present(ARM, pte), 1);
	assert_int_equal(mmm_pte_protnone(ARM, pte), 0);
	assert_int_equal(mmm_pte_write(ARM, pte), 1);
	assert_int_equal(mmm_pte_dirty(ARM, pte), 0);
	assert_int_equal(mmm_pte_young(ARM, pte), 1);
	assert_int_equal(mmm_pte_special(ARM, pte), 0);
	assert_int_equal(mmm_pte_uffd_wp(ARM, pte), 0);
	assert_int_equal(pfn_of(ARM, pte), 0x12345);
}

/* §3.6 row "hardware-dirty": PTE_WRITE set and PTE_RDONLY clear is dirty. */
static void test_arm64_s3_2_hw_dirty(void **state)
{
	(void)state;
	assert_int_equal(mmm_pte_dirty(ARM, 0x0068000012345F43ull), 1);
	assert_int_equal(mmm_pte_write(ARM, 0x0068000012345F43ull), 1);
	/* pte_mkdirty on a writable clean PTE: PTE_DIRTY and clear RDONLY. */
	mmm_assert_pte_equal(ARM, 0x00E8000012345F43ull,
			     apply(mmm_pte_mkdirty, ARM, 0x0068000012345FC3ull));
	/* pte_mkclean: clear PTE_DIRTY, set RDONLY. */
	mmm_assert_pte_equal(ARM, 0x0068000012345FC3ull,
			     apply(mmm_pte_mkclean, ARM, 0x0068000012345F43ull));
	mmm_assert_pte_equal(ARM, 0x0060000012345FC3ull,
			     apply(mmm_pte_mkclean, ARM, 0x00E0000012345FC3ull));
}

/* §3.6 last row / §3.2: wrprotect of hw-dirty keeps dirtiness in PTE_DIRTY. */
static void test_arm64_s3_6_wrprotect_hw_dirty(void **state)
{
	uint64_t wp;

	(void)state;
	wp = apply(mmm_pte_wrprotect, ARM, 0x0068000012345F43ull);
	mmm_assert_pte_equal(ARM, 0x00E0000012345FC3ull, wp);
	assert_int_equal(mmm_pte_write(ARM, wp), 0);
	assert_int_equal(mmm_pte_dirty(ARM, wp), 1);
	/* Clean: only DBM goes, nothing becomes dirty. */
	mmm_assert_pte_equal(ARM, 0x0060000012345FC3ull,
			     apply(mmm_pte_wrprotect, ARM, 0x0068000012345FC3ull));
}

/* §3.2 / §9.20, 6.18: pte_mkwrite_novma clears PTE_RDONLY only if PTE_DIRTY is set. */
static void test_arm64_s3_2_mkwrite_novma_rdonly_only_if_dirty(void **state)
{
	(void)state;
	/* Clean read-only: becomes writable but stays clean (RDONLY kept). */
	mmm_assert_pte_equal(ARM, 0x0068000012345FC3ull,
			     apply(mmm_pte_mkwrite_novma, ARM, 0x0060000012345FC3ull));
	assert_int_equal(mmm_pte_dirty(ARM, 0x0068000012345FC3ull), 0);
	/* Software-dirty read-only: becomes hardware-dirty writable. */
	mmm_assert_pte_equal(ARM, 0x00E8000012345F43ull,
			     apply(mmm_pte_mkwrite_novma, ARM, 0x00E0000012345FC3ull));
	/* pte_mkwrite on arm64 is the same. */
	mmm_assert_pte_equal(ARM, 0x0068000012345FC3ull,
			     apply(mmm_pte_mkwrite, ARM, 0x0060000012345FC3ull));
	mmm_assert_pte_equal(ARM, 0x00E8000012345F43ull,
			     apply(mmm_pte_mkwrite, ARM, 0x00E0000012345FC3ull));
}

/* §3.2: mkuffd_wp sets PTE_UFFD_WP (58) and write-protects; young (AF, 10); special (56). */
static void test_arm64_s3_2_uffd_young_special(void **state)
{
	uint64_t u;

	(void)state;
	u = apply(mmm_pte_mkuffd_wp, ARM, 0x0068000012345F43ull);
	mmm_assert_pte_equal(ARM, 0x04E0000012345FC3ull, u);
	assert_int_equal(mmm_pte_uffd_wp(ARM, u), 1);
	assert_int_equal(mmm_pte_write(ARM, u), 0);
	mmm_assert_pte_equal(ARM, 0x00E0000012345FC3ull, apply(mmm_pte_clear_uffd_wp, ARM, u));

	mmm_assert_pte_equal(ARM, 0x0068000012345BC3ull,
			     apply(mmm_pte_mkold, ARM, 0x0068000012345FC3ull));
	assert_int_equal(mmm_pte_young(ARM, 0x0068000012345BC3ull), 0);
	mmm_assert_pte_equal(ARM, 0x0068000012345FC3ull,
			     apply(mmm_pte_mkyoung, ARM, 0x0068000012345BC3ull));
	mmm_assert_pte_equal(ARM, 0x0168000012345FC3ull,
			     apply(mmm_pte_mkspecial, ARM, 0x0068000012345FC3ull));
	assert_int_equal(mmm_pte_special(ARM, 0x0168000012345FC3ull), 1);
}

/* §3.3: pte_advance_pfn rebuilds from PFN and protection; PTE_CONT is kept. */
static void test_arm64_s3_3_next_pfn(void **state)
{
	(void)state;
	mmm_assert_pte_equal(ARM, 0x0068000012346FC3ull,
			     apply(mmm_pte_next_pfn, ARM, 0x0068000012345FC3ull));
	mmm_assert_pte_equal(ARM, 0x0078000012346FC3ull,
			     apply(mmm_pte_next_pfn, ARM, 0x0078000012345FC3ull));
}

/* §3.2 / §9.1: arm64 pte_none is exact zero; 0x60 is a (non-present) swap PTE. */
static void test_arm64_s9_1_none_is_exact_zero(void **state)
{
	(void)state;
	assert_int_equal(mmm_pte_none(ARM, 0), 1);
	assert_int_equal(mmm_pte_none(ARM, 0x60), 0);
	assert_int_equal(mmm_pte_present(ARM, 0x60), 0);
	assert_int_equal(mmm_is_swap_pte(ARM, 0x60), 1);
}

/*
 * §3.2: PROT_NONE is present-invalid (bit 11, VALID clear), not user, UXN set.
 * PAGE_NONE for PFN 0x12345: TYPE, SH, AF, RDONLY, nG/PRESENT_INVALID, PXN, UXN.
 */
static void test_arm64_s3_2_protnone(void **state)
{
	const uint64_t pn = 0x0060000012345F82ull;

	(void)state;
	assert_int_equal(mmm_pte_present(ARM, pn), 1);
	assert_int_equal(mmm_pte_protnone(ARM, pn), 1);
	assert_int_equal(mmm_is_swap_pte(ARM, pn), 0);
	assert_int_equal(pfn_of(ARM, pn), 0x12345);
	/* A valid user PTE is not PROT_NONE. */
	assert_int_equal(mmm_pte_protnone(ARM, 0x0068000012345FC3ull), 0);
	mmm_assert_pte_equal(ARM, 0x0060000012346F82ull, apply(mmm_pte_next_pfn, ARM, pn));
}

/* ------------------------------------------------- configuration modifiers */

/* §1.1 model note / §9.8: without CONFIG_MEM_SOFT_DIRTY the bit is absent. */
static void test_cfg_no_soft_dirty_x86(void **state)
{
	const mmm_arch a = X86 | MMM_ARCH_CFG_NO_SOFT_DIRTY;
	const mmm_arch live = X86 | MMM_ARCH_CFG_LIVE_6_18;

	(void)state;
	mmm_assert_pte_equal(a, 0x8000000012345067ull,
			     apply(mmm_pte_mksoft_dirty, a, 0x8000000012345067ull));
	assert_int_equal(mmm_pte_soft_dirty(a, 0x8000000012345867ull), 0);
	/* pte_mkdirty sets _PAGE_SOFT_DIRTY, which is 0 without the config. */
	mmm_assert_pte_equal(a, 0x8000000012345067ull,
			     apply(mmm_pte_mkdirty, a, 0x8000000012345027ull));
	mmm_assert_pte_equal(a, 0x8400000012345025ull,
			     apply(mmm_pte_mkdirty, a, 0x8000000012345025ull));
	/* The 6.18 live configuration has no soft-dirty either. */
	mmm_assert_pte_equal(live, 0x8000000012345067ull,
			     apply(mmm_pte_mksoft_dirty, live, 0x8000000012345067ull));
	assert_int_equal(mmm_pte_soft_dirty(live, 0x8000000012345867ull), 0);
}

/* §3.1: arm64 never has soft-dirty: the generic stubs read 0 and set nothing. */
static void test_cfg_arm64_never_soft_dirty(void **state)
{
	(void)state;
	mmm_assert_pte_equal(ARM, 0x0068000012345FC3ull,
			     apply(mmm_pte_mksoft_dirty, ARM, 0x0068000012345FC3ull));
	mmm_assert_pte_equal(ARM, 0x0068000012345FC3ull,
			     apply(mmm_pte_clear_soft_dirty, ARM, 0x0068000012345FC3ull));
	assert_int_equal(mmm_pte_soft_dirty(ARM, 0x0068000012345FC3ull), 0);
	assert_int_equal(mmm_pte_soft_dirty(ARM, 0xFFFFFFFFFFFFFFFFull), 0);
	/* arm64 mkdirty touches no bit 11-like soft-dirty: only PTE_DIRTY / RDONLY. */
	mmm_assert_pte_equal(ARM, 0x00E0000012345FC3ull,
			     apply(mmm_pte_mkdirty, ARM, 0x0060000012345FC3ull));
}

/* §9.8: without CONFIG_HAVE_ARCH_USERFAULTFD_WP, mkuffd_wp is a no-op, uffd_wp reads 0. */
static void test_cfg_no_uffd_wp(void **state)
{
	const mmm_arch x = X86 | MMM_ARCH_CFG_NO_UFFD_WP;
	const mmm_arch a = ARM | MMM_ARCH_CFG_NO_UFFD_WP;

	(void)state;
	mmm_assert_pte_equal(x, 0x8000000012345067ull,
			     apply(mmm_pte_mkuffd_wp, x, 0x8000000012345067ull));
	assert_int_equal(mmm_pte_uffd_wp(x, 0x8000000012345467ull), 0);
	mmm_assert_pte_equal(a, 0x0068000012345F43ull,
			     apply(mmm_pte_mkuffd_wp, a, 0x0068000012345F43ull));
	assert_int_equal(mmm_pte_uffd_wp(a, 0x0468000012345F43ull), 0);
}

/* struct mmm_arch_info: flags the arch can encode follow §1.1 / §3.1. */
static void test_cfg_arch_info_flags(void **state)
{
	struct mmm_arch_info i;

	(void)state;
	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	mmm_assert_ok(mmm_arch_info(X86, &i));
	assert_true(i.pte_flags & MMM_PTE_F_SOFT_DIRTY);
	assert_true(i.pte_flags & MMM_PTE_F_SAVED_DIRTY);
	assert_true(i.pte_flags & MMM_PTE_F_UFFD_WP);
	assert_false(i.pte_flags & MMM_PTE_F_RDONLY);
	assert_false(i.pte_flags & MMM_PTE_F_CONT);
	assert_int_equal(i.cont_ptes, 1);

	mmm_assert_ok(mmm_arch_info(X86 | MMM_ARCH_CFG_NO_SOFT_DIRTY, &i));
	assert_false(i.pte_flags & MMM_PTE_F_SOFT_DIRTY);
	assert_false(i.swp_flags & MMM_SWP_F_SOFT_DIRTY);

	mmm_assert_ok(mmm_arch_info(ARM, &i));
	assert_false(i.pte_flags & MMM_PTE_F_SOFT_DIRTY);
	assert_false(i.pte_flags & MMM_PTE_F_SAVED_DIRTY);
	assert_true(i.pte_flags & MMM_PTE_F_RDONLY);
	assert_true(i.pte_flags & MMM_PTE_F_CONT);
	assert_false(i.swp_flags & MMM_SWP_F_SOFT_DIRTY);
	assert_int_equal(i.cont_ptes, 16);

	mmm_assert_ok(mmm_arch_info(ARM | MMM_ARCH_CFG_NO_UFFD_WP, &i));
	assert_false(i.pte_flags & MMM_PTE_F_UFFD_WP);
	assert_false(i.swp_flags & MMM_SWP_F_UFFD_WP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_s1_5_anon_rw_dirty_predicates),
		cmocka_unit_test(test_x86_s1_5_wrprotect_moves_dirty_to_bit58),
		cmocka_unit_test(test_x86_s1_5_next_pfn),
		cmocka_unit_test(test_x86_s1_4_protnone_inverted_pfn_advance_subtracts),
		cmocka_unit_test(test_x86_s9_1_none_ignores_accessed_dirty),
		cmocka_unit_test(test_x86_s1_3_mkdirty_readonly_sets_bit58_and_soft_dirty),
		cmocka_unit_test(test_x86_s1_3_mkwrite_moves_bit58_back),
		cmocka_unit_test(test_x86_s1_3_mkwrite_novma_keeps_bit58),
		cmocka_unit_test(test_x86_s1_3_mkclean_clears_both),
		cmocka_unit_test(test_x86_s1_3_mkuffd_wp_write_protects),
		cmocka_unit_test(test_x86_s1_3_young_soft_dirty_special),
		cmocka_unit_test(test_x86_mutators_refuse_non_present),
		cmocka_unit_test(test_arm64_s3_6_clean_predicates),
		cmocka_unit_test(test_arm64_s3_2_hw_dirty),
		cmocka_unit_test(test_arm64_s3_6_wrprotect_hw_dirty),
		cmocka_unit_test(test_arm64_s3_2_mkwrite_novma_rdonly_only_if_dirty),
		cmocka_unit_test(test_arm64_s3_2_uffd_young_special),
		cmocka_unit_test(test_arm64_s3_3_next_pfn),
		cmocka_unit_test(test_arm64_s9_1_none_is_exact_zero),
		cmocka_unit_test(test_arm64_s3_2_protnone),
		cmocka_unit_test(test_cfg_no_soft_dirty_x86),
		cmocka_unit_test(test_cfg_arm64_never_soft_dirty),
		cmocka_unit_test(test_cfg_no_uffd_wp),
		cmocka_unit_test(test_cfg_arch_info_flags),
	};

	return cmocka_run_group_tests_name("present", tests, NULL, NULL);
}
