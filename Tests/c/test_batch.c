/* SPDX-License-Identifier: MIT */
/*
 * mmm_folio_pte_batch() and mmm_swap_pte_batch().
 *
 * Expected counts and PTEs come from the spec's worked example §6.5
 * (/work/shared/spec/pte-and-swap-encoding.md), from the flag mapping of §6.4,
 * the algorithm and bounds of §6.3, the contpte hint of §3.4, and the raw
 * equality rule of swap_pte_batch() in §6.6 / §9.10.
 */
#include "mmmodel_cmocka.h"

#define X86 MMM_ARCH_X86_64
#define ARM MMM_ARCH_ARM64

/*
 * §6.5: order-4 folio at PFN 0x12340; five slots, max_nr 5.
 *   i=0 P RW US A D NX          i=1 P RW US (clean, old)
 *   i=2 P US A + SavedDirty     i=3 P RW US A D + soft-dirty
 *   i=4 PFN 0x12345, not the next PFN
 */
static const uint64_t s65[5] = {
	0x8000000012340067ull, 0x8000000012341007ull, 0x8400000012342025ull,
	0x8000000012343867ull, 0x8000000012345067ull,
};

static struct mmm_fpb_args fpb_args(uint32_t api, uint32_t flags, uint64_t folio_pfn,
				    uint64_t folio_nr, uint64_t max_nr, uint32_t index)
{
	struct mmm_fpb_args a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.api = api;
	a.flags = flags;
	a.table_index = index;
	a.folio_pfn = folio_pfn;
	a.folio_nr_pages = folio_nr;
	a.max_nr = max_nr;
	return a;
}

static struct mmm_fpb_result fpb_res(void)
{
	struct mmm_fpb_result r;

	memset(&r, 0xA5, sizeof(r));
	r.size = sizeof(r);
	return r;
}

/* Runs the §6.5 table with one flags value of one API. */
static int s65_batch(uint32_t api, uint32_t flags, struct mmm_fpb_result *res)
{
	struct mmm_fpb_args a = fpb_args(api, flags, 0x12340, 16, 5, 0);

	return mmm_folio_pte_batch(X86, s65, 5, &a, res);
}

/* §6.5 table, 6.17 API: flags 0 -> 4 (PFN gap), 0x1 -> 1, 0x2 -> 3, 0x4 -> 2, 0x7 -> 1. */
static void test_s6_5_x86_flags_table(void **state)
{
	struct mmm_fpb_result r;

	(void)state;
	r = fpb_res();
	assert_int_equal(s65_batch(MMM_FPB_API_6_17, 0, &r), 4);
	assert_int_equal(r.nr, 4);
	mmm_assert_pte_equal(X86, s65[0], r.pte);
	/* 6.17 API: any_* only with the MERGE flags. */
	assert_int_equal(r.any_writable, 0);
	assert_int_equal(r.any_young, 0);
	assert_int_equal(r.any_dirty, 0);

	assert_int_equal(s65_batch(MMM_FPB_API_6_17, MMM_FPB_RESPECT_DIRTY, NULL), 1);
	assert_int_equal(s65_batch(MMM_FPB_API_6_17, MMM_FPB_RESPECT_SOFT_DIRTY, NULL), 3);
	assert_int_equal(s65_batch(MMM_FPB_API_6_17, MMM_FPB_RESPECT_WRITE, NULL), 2);
	assert_int_equal(s65_batch(MMM_FPB_API_6_17, MMM_FPB_RESPECT_DIRTY |
				   MMM_FPB_RESPECT_SOFT_DIRTY | MMM_FPB_RESPECT_WRITE, NULL), 1);
}

/* §6.5 MERGE example: read-only clean old first entry, flags 0x18 -> 4, 0x8000000012340867. */
static void test_s6_5_x86_merge_write_young_dirty(void **state)
{
	uint64_t p[5];
	struct mmm_fpb_args a = fpb_args(MMM_FPB_API_6_17,
					 MMM_FPB_MERGE_WRITE | MMM_FPB_MERGE_YOUNG_DIRTY,
					 0x12340, 16, 5, 0);
	struct mmm_fpb_result r = fpb_res();

	(void)state;
	memcpy(p, s65, sizeof(p));
	p[0] = 0x8000000012340005ull;
	assert_int_equal(mmm_folio_pte_batch(X86, p, 5, &a, &r), 4);
	assert_int_equal(r.nr, 4);
	mmm_assert_pte_equal(X86, 0x8000000012340867ull, r.pte);
	assert_int_equal(r.any_writable, 1);
	assert_int_equal(r.any_young, 1);
	assert_int_equal(r.any_dirty, 1);
	/* The caller's array is not modified (§9.18: the merge works on a copy). */
	assert_int_equal(p[0], 0x8000000012340005ull);

	/*
	 * MERGE_YOUNG_DIRTY alone: mkyoung, then mkdirty on a read-only PTE
	 * lands in SavedDirty plus soft-dirty (§1.3): 0x8400000012340825.
	 */
	a.flags = MMM_FPB_MERGE_YOUNG_DIRTY;
	r = fpb_res();
	assert_int_equal(mmm_folio_pte_batch(X86, p, 5, &a, &r), 4);
	mmm_assert_pte_equal(X86, 0x8400000012340825ull, r.pte);
	assert_int_equal(r.any_writable, 0);
	assert_int_equal(r.any_young, 1);
	assert_int_equal(r.any_dirty, 1);
}

/* §6.4 mapping: 6.10 IGNORE_DIRTY|IGNORE_SOFT_DIRTY == 6.17 flags 0; 6.10 flags 0 respects dirty. */
static void test_s6_4_api_6_10_equivalents(void **state)
{
	struct mmm_fpb_result r = fpb_res();

	(void)state;
	assert_int_equal(s65_batch(MMM_FPB_API_6_10, MMM_FPB_IGNORE_DIRTY |
				   MMM_FPB_IGNORE_SOFT_DIRTY, &r), 4);
	/* §9.17: the old outputs cover entries after the first; ptes[0] unchanged. */
	mmm_assert_pte_equal(X86, s65[0], r.pte);
	assert_int_equal(r.any_writable, 1); /* entries 1 and 3 */
	assert_int_equal(r.any_young, 1);    /* entries 2 and 3 */
	assert_int_equal(r.any_dirty, 1);    /* entry 2 (SavedDirty) and 3 */

	/* Flag-default inversion (§9.16): 6.10 flags 0 = 6.17 RESPECT_DIRTY|RESPECT_SOFT_DIRTY. */
	assert_int_equal(s65_batch(MMM_FPB_API_6_10, 0, NULL), 1);
	assert_int_equal(s65_batch(MMM_FPB_API_6_17, MMM_FPB_RESPECT_DIRTY |
				   MMM_FPB_RESPECT_SOFT_DIRTY, NULL), 1);
	/* IGNORE_DIRTY only: soft-dirty respected, as 6.17 RESPECT_SOFT_DIRTY -> 3. */
	assert_int_equal(s65_batch(MMM_FPB_API_6_10, MMM_FPB_IGNORE_DIRTY, NULL), 3);
	/* IGNORE_SOFT_DIRTY only: dirty respected -> 1. */
	assert_int_equal(s65_batch(MMM_FPB_API_6_10, MMM_FPB_IGNORE_SOFT_DIRTY, NULL), 1);
	/* Write was always ignored before 6.17: entry 2 (read-only) does not stop it. */
	assert_int_equal(s65_batch(MMM_FPB_API_6_10, MMM_FPB_IGNORE_DIRTY |
				   MMM_FPB_IGNORE_SOFT_DIRTY, NULL), 4);

	/* Unknown flags and APIs. */
	mmm_assert_errno(s65_batch(MMM_FPB_API_6_10, 0x4, NULL), -EINVAL);
	mmm_assert_errno(s65_batch(MMM_FPB_API_6_17, 0x20, NULL), -EINVAL);
	mmm_assert_errno(s65_batch(2, 0, NULL), -EINVAL);
}

/* set_ptes-style run (§5.1): n PTEs with consecutive PFNs and identical other bits. */
static void fill_run(uint64_t *p, size_t n, uint64_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = first + ((uint64_t)i << 12);
}

/* §6.3 bounds: folio end (by PFN distance), max_nr, page-table end. */
static void test_s6_3_bounds(void **state)
{
	uint64_t p[32];
	struct mmm_fpb_args a;

	(void)state;
	fill_run(p, 32, 0x8000000012340067ull);
	/* Folio end: 16-page folio, 32 matching slots -> 16. */
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 32, 0);
	assert_int_equal(mmm_folio_pte_batch(X86, p, 32, &a, NULL), 16);
	/* Starting at the folio's 11th page: 6 pages left. */
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 22, 0);
	assert_int_equal(mmm_folio_pte_batch(X86, p + 10, 22, &a, NULL), 6);
	/* max_nr. */
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 3, 0);
	assert_int_equal(mmm_folio_pte_batch(X86, p, 32, &a, NULL), 3);
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 1, 0);
	assert_int_equal(mmm_folio_pte_batch(X86, p, 32, &a, NULL), 1);
	/* Page-table end: index 510 of 512 leaves 2. */
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 32, 510);
	assert_int_equal(mmm_folio_pte_batch(X86, p, 32, &a, NULL), 2);
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 32, 511);
	assert_int_equal(mmm_folio_pte_batch(X86, p, 32, &a, NULL), 1);
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 32, 500);
	assert_int_equal(mmm_folio_pte_batch(X86, p, 32, &a, NULL), 12);
	/* arm64 without PTE_CONT behaves the same. */
	fill_run(p, 32, 0x0068000012340FC3ull);
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 32, 0);
	assert_int_equal(mmm_folio_pte_batch(ARM, p, 32, &a, NULL), 16);
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 32, 510);
	assert_int_equal(mmm_folio_pte_batch(ARM, p, 32, &a, NULL), 2);
}

/* §1.4 / §9.2: a PROT_NONE run batches through the inverting pte_advance_pfn. */
static void test_s9_2_protnone_run(void **state)
{
	const uint64_t p[4] = {
		0x000FFFFFEDCBA120ull, 0x000FFFFFEDCB9120ull, 0x000FFFFFEDCB8120ull,
		0x000FFFFFEDCB7120ull, /* PFNs 0x12345 .. 0x12348 */
	};
	struct mmm_fpb_args a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 4, 0);

	(void)state;
	assert_int_equal(mmm_folio_pte_batch(X86, p, 4, &a, NULL), 4);
	/* A PROT_NONE run and a present run do not mix (P is compared). */
	{
		const uint64_t q[2] = { 0x000FFFFFEDCBA120ull, 0x0000000012346121ull };

		a.max_nr = 2;
		assert_int_equal(mmm_folio_pte_batch(X86, q, 2, &a, NULL), 1);
	}
}

/* §6.2 / §9.14: accessed always ignored; uffd-wp and special always compared. */
static void test_s6_2_always_ignored_always_compared(void **state)
{
	uint64_t p[4];
	struct mmm_fpb_args a = fpb_args(MMM_FPB_API_6_17, MMM_FPB_RESPECT_DIRTY |
					 MMM_FPB_RESPECT_SOFT_DIRTY | MMM_FPB_RESPECT_WRITE,
					 0x12340, 16, 4, 0);

	(void)state;
	fill_run(p, 4, 0x8000000012340067ull);
	p[2] &= ~0x20ull; /* old */
	assert_int_equal(mmm_folio_pte_batch(X86, p, 4, &a, NULL), 4);
	a.flags = 0;
	p[2] |= 0x400; /* uffd-wp */
	assert_int_equal(mmm_folio_pte_batch(X86, p, 4, &a, NULL), 2);
	p[2] &= ~0x400ull;
	p[3] |= 0x200; /* special */
	assert_int_equal(mmm_folio_pte_batch(X86, p, 4, &a, NULL), 3);
}

/*
 * §6.2 x86 ordering subtlety: with RESPECT_DIRTY but not RESPECT_WRITE, a
 * writable dirty PTE and a read-only SavedDirty PTE normalise to the same
 * value (pte_wrprotect turns D into bit 58); with RESPECT_WRITE they differ.
 */
static void test_s6_2_x86_respect_dirty_sees_saved_dirty(void **state)
{
	const uint64_t p[2] = { 0x8000000012340067ull, 0x8400000012341025ull };
	struct mmm_fpb_args a = fpb_args(MMM_FPB_API_6_17, MMM_FPB_RESPECT_DIRTY,
					 0x12340, 16, 2, 0);

	(void)state;
	assert_int_equal(mmm_folio_pte_batch(X86, p, 2, &a, NULL), 2);
	a.flags = MMM_FPB_RESPECT_DIRTY | MMM_FPB_RESPECT_WRITE;
	assert_int_equal(mmm_folio_pte_batch(X86, p, 2, &a, NULL), 1);
}

/*
 * §6.5 arm64 hint example / §3.4: first PTE at table index 19 with PTE_CONT:
 * hint = 16 - 19 % 16 = 13, so slots 20..31 are not compared and the next
 * comparison is at index 32. Folio: 32 pages from PFN 0x12340; ptes[0] maps
 * 0x12343, so the folio end leaves 29.
 */
static void test_s6_5_arm64_contpte_hint(void **state)
{
	uint64_t p[29];
	size_t i;
	struct mmm_fpb_args a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 32, 29, 19);
	struct mmm_fpb_result r = fpb_res();

	(void)state;
	fill_run(p, 29, 0x0078000012343FC3ull); /* clean user RW + PTE_CONT */
	assert_int_equal(mmm_folio_pte_batch(ARM, p, 29, &a, &r), 29);
	assert_int_equal(r.nr, 29);

	/* Garbage inside the first block is never looked at. */
	for (i = 1; i < 13; i++)
		p[i] = 0;
	assert_int_equal(mmm_folio_pte_batch(ARM, p, 29, &a, NULL), 29);

	/* The comparison at index 32 (slot 13) does happen. */
	p[13] = 0;
	assert_int_equal(mmm_folio_pte_batch(ARM, p, 29, &a, NULL), 13);

	/* §9.11: min(nr, max_nr) trims the hint's overshoot. */
	a.max_nr = 5;
	assert_int_equal(mmm_folio_pte_batch(ARM, p, 29, &a, NULL), 5);

	/* x86-64 has no hint (generic pte_batch_hint is 1): slot 1 is compared. */
	fill_run(p, 29, 0x8000000012343067ull);
	p[1] = 0;
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 32, 29, 19);
	assert_int_equal(mmm_folio_pte_batch(X86, p, 29, &a, NULL), 1);

	/* §3.4: PTE_CONT is compared; a contpte run does not continue into plain PTEs. */
	fill_run(p, 29, 0x0078000012343FC3ull);
	p[13] &= ~(1ull << 52);
	assert_int_equal(mmm_folio_pte_batch(ARM, p, 29, &a, NULL), 13);
}

/* Header errors: max_nr 0 / > nr_ptes, first PTE not present or outside the folio, NULLs. */
static void test_folio_batch_errors(void **state)
{
	uint64_t p[4];
	struct mmm_fpb_args a;
	struct mmm_fpb_result r = fpb_res();

	(void)state;
	fill_run(p, 4, 0x8000000012340067ull);
	a = fpb_args(MMM_FPB_API_6_17, 0, 0x12340, 16, 0, 0);
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	a.max_nr = 5;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	a.max_nr = 4;
	a.table_index = 512;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	a.table_index = 0;
	a.folio_nr_pages = 0;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	a.folio_nr_pages = 16;
	/* ptes[0] below / beyond the folio. */
	a.folio_pfn = 0x12341;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	a.folio_pfn = 0x12330;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	a.folio_pfn = 0x12340;
	/* ptes[0] not present: none, swap. */
	p[0] = 0;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	p[0] = 0x1FFFFFFFFFDB9608ull;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	p[0] = 0x8000000012340067ull;
	/* NULLs and sizes. */
	mmm_assert_errno(mmm_folio_pte_batch(X86, NULL, 4, &a, NULL), -EINVAL);
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, NULL, NULL), -EINVAL);
	a.size = 4;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, NULL), -EINVAL);
	a.size = sizeof(a);
	r.size = 4;
	mmm_assert_errno(mmm_folio_pte_batch(X86, p, 4, &a, &r), -EINVAL);
	mmm_assert_errno(mmm_folio_pte_batch(0x7f, p, 4, &a, NULL), -EINVAL);
	/* And the same call, correct, works. */
	r = fpb_res();
	assert_int_equal(mmm_folio_pte_batch(X86, p, 4, &a, &r), 4);
}

/* ------------------------------------------------------- swap_pte_batch §6.6 */

/* Eight x86-64 swap PTEs of type 3 from offset 0x1234, exclusive (§2.5). */
static void swap_run(mmm_arch arch, uint64_t *p, size_t n, uint64_t first)
{
	size_t i;

	p[0] = first;
	for (i = 1; i < n; i++)
		mmm_assert_ok(mmm_pte_move_swp_offset(arch, first, (int64_t)i, &p[i]));
}

static void test_s6_6_swap_batch_x86(void **state)
{
	uint64_t p[8], other;

	(void)state;
	swap_run(X86, p, 8, 0x1FFFFFFFFFDB9608ull);
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9408ull, p[1]);
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 8);
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 5), 5);
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 1), 1);

	/* Differing exclusive bit stops the batch (§9.10). */
	p[3] &= ~0x8ull;
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 3);
	p[3] |= 0x8;
	/* Differing soft-dirty / uffd-wp bits too. */
	p[4] |= 0x2;
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 4);
	p[4] &= ~0x2ull;
	p[5] |= 0x4;
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 5);
	p[5] &= ~0x4ull;
	/* Different type, same next offset: (4, 0x1236) exclusive. */
	other = p[2];
	{
		struct mmm_pte_info in;

		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.kind = MMM_PTE_KIND_SWAP;
		in.swp_type = 4;
		in.swp_offset = 0x1236;
		in.flags = MMM_SWP_F_EXCLUSIVE;
		mmm_assert_ok(mmm_pte_encode(X86, &in, &p[2]));
		mmm_assert_pte_equal(X86, 0x27FFFFFFFFDB9208ull, p[2]);
	}
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 2);
	p[2] = other;
	/* Non-consecutive offset: slot 4 holds offset 0x1239 instead of 0x1238. */
	mmm_assert_ok(mmm_pte_move_swp_offset(X86, p[0], 5, &p[4]));
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 4);
	mmm_assert_ok(mmm_pte_move_swp_offset(X86, p[0], 4, &p[4]));
	/* A non-swap entry (§4.6 migration read) never joins. */
	p[1] = 0xCFFFFFFFFDB97400ull;
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 1);
	/* A none PTE or a present PTE neither. */
	p[1] = 0;
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 1);
	swap_run(X86, p, 8, 0x1FFFFFFFFFDB9608ull);
	/* A stray bit makes raw equality fail. */
	p[6] |= 0x10;
	assert_int_equal(mmm_swap_pte_batch(X86, p, 8, 8), 6);
}

static void test_s6_6_swap_batch_arm64(void **state)
{
	uint64_t p[8];

	(void)state;
	swap_run(ARM, p, 8, 0x00000000012340CCull);
	mmm_assert_pte_equal(ARM, 0x00000000012350CCull, p[1]);
	assert_int_equal(mmm_swap_pte_batch(ARM, p, 8, 8), 8);
	p[2] &= ~0x4ull; /* exclusive */
	assert_int_equal(mmm_swap_pte_batch(ARM, p, 8, 8), 2);
	p[2] |= 0x4;
	p[6] &= ~0x8ull; /* uffd-wp */
	assert_int_equal(mmm_swap_pte_batch(ARM, p, 8, 8), 6);
	p[6] |= 0x8;
	p[7] |= 1ull << 62; /* §3.5 stray high bit */
	assert_int_equal(mmm_swap_pte_batch(ARM, p, 8, 8), 7);
	/* A PTE marker (§4.6 guard) never joins. */
	p[1] = 0x00000000000047C0ull;
	assert_int_equal(mmm_swap_pte_batch(ARM, p, 8, 8), 1);
}

/*
 * §7 do_swap_page: from the faulting PTE at index idx of a 16-page folio, the
 * first slot's PTE is pte_move_swp_offset(orig, -idx), and the whole folio
 * must be one swap batch.
 */
static void test_s7_do_swap_page_move_back_then_batch(void **state)
{
	uint64_t p[16], first = 0;
	int arch;

	(void)state;
	for (arch = 0; arch < 2; arch++) {
		mmm_arch a = arch ? ARM : X86;

		swap_run(a, p, 16, arch ? 0x00000000012340C4ull : 0x1FFFFFFFFFDB9608ull);
		mmm_assert_ok(mmm_pte_move_swp_offset(a, p[9], -9, &first));
		mmm_assert_pte_equal(a, p[0], first);
		assert_int_equal(mmm_swap_pte_batch(a, p, 16, 16), 16);
	}
}

/* Header errors: max_nr 0 / > nr_ptes, first not a real swap PTE, NULL, bad arch. */
static void test_swap_batch_errors(void **state)
{
	uint64_t p[4];

	(void)state;
	swap_run(X86, p, 4, 0x1FFFFFFFFFDB9608ull);
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 4, 0), -EINVAL);
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 4, 5), -EINVAL);
	mmm_assert_errno(mmm_swap_pte_batch(X86, NULL, 4, 4), -EINVAL);
	mmm_assert_errno(mmm_swap_pte_batch(0, p, 4, 4), -EINVAL);
	p[0] = 0;
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 4, 4), -EINVAL);
	p[0] = 0x8000000012345067ull;
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 4, 4), -EINVAL);
	p[0] = 0xFFFFFFFFFFFFFC00ull; /* uffd-wp marker */
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 4, 4), -EINVAL);
	p[0] = 0xDFFFFFFFFDB97400ull; /* migration write */
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 4, 4), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s6_5_x86_flags_table),
		cmocka_unit_test(test_s6_5_x86_merge_write_young_dirty),
		cmocka_unit_test(test_s6_4_api_6_10_equivalents),
		cmocka_unit_test(test_s6_3_bounds),
		cmocka_unit_test(test_s9_2_protnone_run),
		cmocka_unit_test(test_s6_2_always_ignored_always_compared),
		cmocka_unit_test(test_s6_2_x86_respect_dirty_sees_saved_dirty),
		cmocka_unit_test(test_s6_5_arm64_contpte_hint),
		cmocka_unit_test(test_folio_batch_errors),
		cmocka_unit_test(test_s6_6_swap_batch_x86),
		cmocka_unit_test(test_s6_6_swap_batch_arm64),
		cmocka_unit_test(test_s7_do_swap_page_move_back_then_batch),
		cmocka_unit_test(test_swap_batch_errors),
	};

	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
