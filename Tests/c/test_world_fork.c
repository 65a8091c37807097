/* SPDX-License-Identifier: MIT */
/*
 * fork and the anon rmap duplication primitives through the C interface.
 *
 * Expected values follow the rules of fault-fork-rmap-semantics.md §2
 * (fork, the dup gate §2.4, copy_present_page §2.5, PTE transform §2.6,
 * copy_huge_pmd §2.8, worked examples E2-1 and E2-2), §3 (write faults) and
 * §7 (accounting), Linux 6.18, x86-64 live config.
 */
#include "world_test.h"

/*
 * E2-1, §7.3 "write after fork, page shared: 1 minor in each process that
 * writes": 16 order-0 pages written by the parent, fork, the child writes all
 * 16: each is ¬AE with ref 2 > 1 (§3.3 step 3), so the child copies: 16 minor
 * faults, 16 new frames. The parent still reads its own data, without faults
 * (its PTEs are present, read-only).
 * parent: pages 0..15 W (X_i)   fork: both R/O on X_i, ¬AE, map 2, ref 2
 * child writes: child on X'_i (AE, W)   parent: X_i, map 1, ref 1
 * child exits, parent writes: ref 1 → reuse (§3.3 step 7, §3.5): X_i kept, 16 minor
 */
static void test_child_writes_then_exits(void **state)
{
	mmm_world *w = *state;
	mmm_pid parent = new_process(w), child = 0;
	uint64_t a = map(w, parent, 16 * PAGE, RW), pfn[16], i;
	struct mmm_fault_counters p0, c0, c;
	struct mmm_page_state s;

	for (i = 0; i < 16; i++) {
		wr(w, parent, a + i * PAGE, 0x100 + i);
		pfn[i] = page(w, parent, a + i * PAGE).pfn;
	}
	world_ok(w, mmm_fork(w, parent, &child));
	assert_int_not_equal(child, parent);

	/* E2-1 after fork */
	s = page(w, parent, a + 3 * PAGE);
	assert_int_equal(s.pfn, pfn[3]);
	assert_int_equal(s.anon_exclusive, 0);
	assert_int_equal(s.mapcount, 2);
	assert_int_equal(s.refcount, 2);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);
	s = page(w, child, a + 3 * PAGE);
	assert_int_equal(s.pfn, pfn[3]);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);
	assert_int_equal(mmm_pte_young(ARCH, s.entry), 0);     /* §2.6: child PTEs start old */
	c = counters(w, child);
	assert_int_equal(c.minor + c.major, 0);                 /* R-ACCT-4: a child starts at zero */

	c0 = counters(w, child);
	for (i = 0; i < 16; i++)
		wr(w, child, a + i * PAGE, 0xc00 + i);
	assert_faults_since(w, child, &c0, 16, 0);
	assert_int_equal(counters(w, child).wp_copy - c0.wp_copy, 16);
	for (i = 0; i < 16; i++) {
		s = page(w, child, a + i * PAGE);
		assert_int_not_equal(s.pfn, pfn[i]);
		assert_int_equal(s.anon_exclusive, 1);
		assert_int_equal(s.token, 0xc00 + i);
	}

	p0 = counters(w, parent);
	for (i = 0; i < 16; i++)
		assert_int_equal(rd(w, parent, a + i * PAGE), 0x100 + i);
	assert_faults_since(w, parent, &p0, 0, 0);
	s = page(w, parent, a);
	assert_int_equal(s.mapcount, 1);
	assert_int_equal(s.refcount, 1);

	world_ok(w, mmm_exit(w, child));
	p0 = counters(w, parent);
	for (i = 0; i < 16; i++)
		wr(w, parent, a + i * PAGE, 0xa00 + i);
	assert_faults_since(w, parent, &p0, 16, 0);
	c = counters(w, parent);
	assert_int_equal(c.wp_reuse - p0.wp_reuse, 16);
	assert_int_equal(c.wp_copy - p0.wp_copy, 0);
	for (i = 0; i < 16; i++) {
		s = page(w, parent, a + i * PAGE);
		assert_int_equal(s.pfn, pfn[i]);
		assert_int_equal(s.anon_exclusive, 1);
		assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	}
}

/*
 * E2-2, §2.5, §7.3 "write after fork, page was pinned at fork: 0": a page
 * pinned read-write (FOLL_PIN, MMF_HAS_PINNED) is AE and maybe pinned, so the
 * dup gate refuses it and fork copies it for the child at once: the child's
 * PTE is a new frame, writable (VM_WRITE), dirty; the parent's PTE and page are
 * untouched (still W and AE, the pin stays with the parent). Neither takes a
 * fault on later writes, and neither sees the other's writes. The unpinned
 * neighbour is shared as usual.
 * parent: page 0 W, pinned RW (X0)   page 1 W (X1)
 * fork:   parent X0 W AE | child X0' W AE (copy)   both X1 R/O ¬AE
 */
static void test_pinned_page_copied_at_fork(void **state)
{
	mmm_world *w = *state;
	mmm_pid parent = new_process(w), child = 0;
	uint64_t a = map(w, parent, 2 * PAGE, RW), pfn0;
	struct mmm_fault_counters p0, c0;
	struct mmm_page_state s;
	uint32_t pin = 0;

	wr(w, parent, a, 0xa);
	wr(w, parent, a + PAGE, 0xb);
	pfn0 = page(w, parent, a).pfn;
	p0 = counters(w, parent);
	world_ok(w, mmm_pin(w, parent, a, PAGE, MMM_PIN_WRITE, &pin));
	assert_faults_since(w, parent, &p0, 0, 0);              /* R-PIN-5: AE and W, no fault */
	s = page(w, parent, a);
	assert_int_equal(s.refcount, 1 + 1024);                 /* R-PIN-1 */
	assert_int_equal(s.maybe_pinned, 1);

	world_ok(w, mmm_fork(w, parent, &child));
	s = page(w, parent, a);
	assert_int_equal(s.pfn, pfn0);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(s.mapcount, 1);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	s = page(w, child, a);
	assert_int_not_equal(s.pfn, pfn0);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(s.refcount, 1);
	assert_int_equal(s.token, 0xa);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	assert_int_equal(mmm_pte_dirty(ARCH, s.entry), 1);
	assert_int_equal(counters(w, child).fork_pages_copied, 1);
	s = page(w, child, a + PAGE);                          /* the neighbour is shared */
	assert_int_equal(s.pfn, page(w, parent, a + PAGE).pfn);
	assert_int_equal(s.mapcount, 2);

	c0 = counters(w, child);
	p0 = counters(w, parent);
	wr(w, child, a, 0xc1);
	wr(w, parent, a, 0xf1);
	assert_faults_since(w, child, &c0, 0, 0);
	assert_faults_since(w, parent, &p0, 0, 0);
	assert_int_equal(rd(w, child, a), 0xc1);
	assert_int_equal(rd(w, parent, a), 0xf1);
	world_ok(w, mmm_unpin(w, pin));
	assert_int_equal(page(w, parent, a).refcount, 1);
	world_err(w, mmm_unpin(w, pin), -EINVAL);               /* released once */
}

/*
 * §2.4: with no pin the gate shares: each page loses AE, gains the child's
 * mapping and a reference (§2.3 P3); the parent's PTE is write-protected and
 * the child's is read-only and old (§2.6).
 * A: page 1 W (X)  →  A: X R/O ¬AE   B: X R/O old;  X map 2, ref 2
 */
static void test_dup_ptes_shares(void **state)
{
	mmm_world *w = *state;
	mmm_pid A = new_process(w), B = new_process(w);
	uint64_t a = map(w, A, 4 * PAGE, RW);
	struct mmm_page_state s;

	world_ok(w, mmm_access(w, A, a, 4 * PAGE, MMM_ACCESS_WRITE, 9));
	assert_int_equal(map_at(w, B, 4 * PAGE, a, RW), a);
	world_ok(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a + PAGE, 1, B));
	s = page(w, A, a + PAGE);
	assert_int_equal(s.anon_exclusive, 0);
	assert_int_equal(s.mapcount, 2);
	assert_int_equal(s.refcount, 2);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);
	s = page(w, B, a + PAGE);
	assert_int_equal(s.pfn, page(w, A, a + PAGE).pfn);
	assert_int_equal(s.token, 9);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);
	assert_int_equal(mmm_pte_young(ARCH, s.entry), 0);
	assert_int_equal(counters(w, B).rss_anon, 1);
	/* the neighbours are untouched */
	assert_int_equal(page(w, A, a).anon_exclusive, 1);
	assert_int_equal(page(w, B, a).kind, MMM_PTE_KIND_NONE);
	/* B's entry is no longer none: a second dup is refused */
	world_err(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a + PAGE, 1, B), -EINVAL);
}

/*
 * §2.4 / R-FORK-7: an AE page of a folio maybe pinned for a source MM that has
 * pinned: -EBUSY, nothing modified.
 * A: page 0 W, pinned RW  →  dup to B refused; A unchanged, B none
 */
static void test_dup_ptes_busy_when_pinned_and_exclusive(void **state)
{
	mmm_world *w = *state;
	mmm_pid A = new_process(w), B = new_process(w);
	uint64_t a = map(w, A, PAGE, RW);
	struct mmm_page_state before, after;
	uint32_t pin;

	wr(w, A, a, 1);
	world_ok(w, mmm_pin(w, A, a, PAGE, MMM_PIN_WRITE, &pin));
	assert_int_equal(map_at(w, B, PAGE, a, RW), a);
	before = page(w, A, a);
	world_err(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a, 1, B), -EBUSY);
	assert_msg_has(w, "pinned");
	after = page(w, A, a);
	assert_same_page(&before, &after, a);
	assert_int_equal(page(w, B, a).kind, MMM_PTE_KIND_NONE);
	assert_int_equal(counters(w, B).rss_anon, 0);
	/* once unpinned, the folio is no longer maybe pinned: the gate shares */
	world_ok(w, mmm_unpin(w, pin));
	world_ok(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a, 1, B));
	assert_int_equal(page(w, A, a).anon_exclusive, 0);
}

/*
 * R-FORK-7: the gate is folio-granular for "pinned" and page-granular for
 * "exclusive". One 64 KiB folio (16 pages, all AE, §3.8). Pages 1..15 are
 * shared with B first (no pin: AE cleared). Then A pins page 0 (AE): the folio
 * is maybe pinned (R-PIN-2, pincount). Sharing pages 1..15 again with C
 * succeeds (no AE page in the range); page 0 alone is refused.
 * A: [0 AE pinned][1..15 ¬AE]   B: 1..15   C: 1..15, not 0
 */
static void test_dup_ptes_large_folio_gate_granularity(void **state)
{
	mmm_world *w = *state;
	mmm_pid A = new_process(w), B = new_process(w), C = new_process(w);
	uint64_t a = map_at(w, A, 16 * PAGE, MMAP_BASE, RW);
	struct mmm_page_state s;
	uint32_t pin;

	world_ok(w, mmm_access(w, A, a, 16 * PAGE, MMM_ACCESS_WRITE, 4));
	assert_int_equal(page(w, A, a).order, 4);
	(void)map_at(w, B, 16 * PAGE, a, RW);
	(void)map_at(w, C, 16 * PAGE, a, RW);
	world_ok(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a + PAGE, 15, B));
	s = page(w, A, a + 8 * PAGE);
	assert_int_equal(s.anon_exclusive, 0);
	assert_int_equal(s.mapcount, 2);
	assert_int_equal(s.folio_mapcount, 16 + 15);            /* R-MAP-1: lmap */
	assert_int_equal(page(w, A, a).anon_exclusive, 1);

	world_ok(w, mmm_pin(w, A, a, PAGE, MMM_PIN_WRITE, &pin));
	assert_int_equal(page(w, A, a + 8 * PAGE).maybe_pinned, 1);
	world_ok(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a + PAGE, 15, C));
	assert_int_equal(page(w, A, a + 8 * PAGE).mapcount, 3);
	world_err(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a, 1, C), -EBUSY);
	assert_int_equal(page(w, A, a).anon_exclusive, 1);
	assert_int_equal(page(w, C, a).kind, MMM_PTE_KIND_NONE);
	/* C's entries there are no longer none, and the range may not leave the VMA */
	world_err(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a + PAGE, 15, C), -EINVAL);
	world_err(w, mmm_folio_try_dup_anon_rmap_ptes(w, A, a + 15 * PAGE, 2, B), -EINVAL);
}

static int mthp_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.thp_orders[4] = MMM_THP_ALWAYS;
	return world_setup_with(state, &c);
}

/*
 * §2.4 PMD level and §2.8: a PMD-mapped THP with no pin is shared by PMD:
 * the head loses AE, the child gains an entire mapping (page mapcount
 * pmap + emap = 2, R-MAP-2), the parent's PMD is write-protected. With the
 * head AE and the folio pinned for the source: -EBUSY, nothing modified.
 * A: [a, a + 2 MiB) PMD W   A: [a + 2 MiB, a + 4 MiB) PMD W, page 1 pinned
 */
static void test_dup_pmd(void **state)
{
	mmm_world *w = *state;
	mmm_pid A = new_process(w), B = new_process(w);
	uint64_t a = map(w, A, 2 * PMD_SIZE, RW), b = a + PMD_SIZE;
	struct mmm_page_state s, before, after;
	uint32_t pin;

	assert_int_equal(a % PMD_SIZE, 0);
	wr(w, A, a, 1);
	wr(w, A, b, 2);
	assert_int_equal(page(w, A, a).pmd_mapped, 1);
	assert_int_equal(map_at(w, B, 2 * PMD_SIZE, a, RW), a);

	world_ok(w, mmm_folio_try_dup_anon_rmap_pmd(w, A, a, B));
	s = page(w, A, a + 5 * PAGE);
	assert_int_equal(s.pmd_mapped, 1);
	assert_int_equal(s.anon_exclusive, 0);
	assert_int_equal(s.mapcount, 2);
	assert_int_equal(s.refcount, 2);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);
	s = page(w, B, a + 5 * PAGE);
	assert_int_equal(s.pmd_mapped, 1);
	assert_int_equal(s.pfn, page(w, A, a + 5 * PAGE).pfn);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);

	world_ok(w, mmm_pin(w, A, b + PAGE, PAGE, MMM_PIN_WRITE, &pin));
	before = page(w, A, b);
	world_err(w, mmm_folio_try_dup_anon_rmap_pmd(w, A, b, B), -EBUSY);
	after = page(w, A, b);
	assert_same_page(&before, &after, b);
	assert_int_equal(after.pmd_mapped, 1);
	assert_int_equal(page(w, B, b).kind, MMM_PTE_KIND_NONE);
	/* not 2 MiB aligned, or nothing PMD-mapped there */
	world_err(w, mmm_folio_try_dup_anon_rmap_pmd(w, A, b + PAGE, B), -EINVAL);
	world_err(w, mmm_folio_try_dup_anon_rmap_pmd(w, B, a, A), -EINVAL);
}

static int thp_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.thp_enabled = MMM_THP_ALWAYS;
	return world_setup_with(state, &c);
}

/*
 * §2.8, R-FORK-9: fork of a PMD THP pinned (at a tail page) with its head AE:
 * the dup gate refuses the PMD, the source PMD is split and every one of its
 * 512 AE pages is copied for the child. Two such THPs need 1024 frames; in a
 * world with 1724 frames (1024 used, 700 free) fork must fail with -ENOMEM
 * and leave the world unchanged (item 8); with enough frames it copies 1024.
 * parent: [0, 2 MiB) PMD W, page 1 pinned   [2, 4 MiB) PMD W, page 1 pinned
 */
static void two_pinned_thps(mmm_world *w, mmm_pid *pid, uint64_t *a)
{
	uint32_t pin;

	*pid = new_process(w);
	*a = map(w, *pid, 2 * PMD_SIZE, RW);
	wr(w, *pid, *a, 1);
	wr(w, *pid, *a + PMD_SIZE, 2);
	world_ok(w, mmm_pin(w, *pid, *a + PAGE, PAGE, MMM_PIN_WRITE, &pin));
	world_ok(w, mmm_pin(w, *pid, *a + PMD_SIZE + PAGE, PAGE, MMM_PIN_WRITE, &pin));
	assert_int_equal(page(w, *pid, *a + PMD_SIZE).pmd_mapped, 1);
}

static void test_fork_out_of_frames_for_pinned_thps(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid, child = 0;
	uint64_t a;
	struct mmm_page_state before[2], after;
	struct mmm_fault_counters c0, c1;

	two_pinned_thps(w, &pid, &a);
	before[0] = page(w, pid, a + PAGE);
	before[1] = page(w, pid, a + PMD_SIZE + PAGE);
	c0 = counters(w, pid);
	world_err(w, mmm_fork(w, pid, &child), -ENOMEM);
	assert_int_equal(child, 0);
	c1 = counters(w, pid);
	assert_same_counters(&c0, &c1);
	after = page(w, pid, a + PAGE);
	assert_same_page(&before[0], &after, a + PAGE);
	after = page(w, pid, a + PMD_SIZE + PAGE);
	assert_same_page(&before[1], &after, a + PMD_SIZE + PAGE);
	assert_int_equal(new_process(w), pid + 1);              /* no child was created */
}

static int thp_1724_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.thp_enabled = MMM_THP_ALWAYS;
	c.frames = 1724;
	return world_setup_with(state, &c);
}

static void test_fork_copies_pinned_thps(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid, child = 0;
	uint64_t a;
	struct mmm_page_state s;

	two_pinned_thps(w, &pid, &a);
	world_ok(w, mmm_fork(w, pid, &child));
	assert_int_equal(counters(w, child).fork_pages_copied, 1024);
	s = page(w, pid, a + 7 * PAGE);
	assert_int_equal(s.pmd_mapped, 0);                      /* split, folio whole */
	assert_int_equal(s.order, 9);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	s = page(w, child, a + 7 * PAGE);
	assert_int_equal(s.order, 0);
	assert_int_equal(s.anon_exclusive, 1);
}

/*
 * The cowPte switch (docs/kernel-policy.md "COW PTE tables", spec §5.5: the
 * never-merged RFC) is reachable by name through the policy switch API; with
 * it on, fork shares the PTE table but what the C interface shows is a
 * copying fork's (§2.4, §2.6, E2-1): both R/O on the same frame, ¬AE, map 2,
 * ref 2; the child's write copies (1 minor); the checker finds nothing.
 */
static void test_cow_pte_switch(void **state)
{
	mmm_world *w = *state;
	char buf[16];
	mmm_pid parent, child = 0;
	uint64_t a;
	struct mmm_page_state s, c;
	struct mmm_fault_counters c0;
	mmm_violations *v = NULL;

	world_ok(w, mmm_world_set_switch(w, "cowPte", "on"));
	assert_int_equal(mmm_world_get_switch(w, "cowPte", buf, sizeof(buf)), 2);	/* the value's length */
	assert_string_equal(buf, "on");
	assert_int_equal(mmm_world_get_switch(w, "cowPteBreakOnYoung", buf, sizeof(buf)), 3);
	assert_string_equal(buf, "off");
	parent = new_process(w);
	a = map(w, parent, 8 * PAGE, RW);
	wr(w, parent, a, 7);
	world_ok(w, mmm_fork(w, parent, &child));
	s = page(w, parent, a);
	c = page(w, child, a);
	assert_int_equal(s.pfn, c.pfn);
	assert_int_equal(s.mapcount, 2);
	assert_int_equal(s.refcount, 2);
	assert_int_equal(s.anon_exclusive, 0);
	c0 = counters(w, child);
	wr(w, child, a, 8);
	assert_faults_since(w, child, &c0, 1, 0);
	assert_int_equal(rd(w, parent, a), 7);
	assert_int_equal(rd(w, child, a), 8);
	world_ok(w, mmm_world_check(w, 0, &v));
	assert_int_equal(mmm_violations_count(v), 0);
	mmm_violations_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_child_writes_then_exits, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_pinned_page_copied_at_fork, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_dup_ptes_shares, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_dup_ptes_busy_when_pinned_and_exclusive, world_setup,
						world_teardown),
		cmocka_unit_test_setup_teardown(test_dup_ptes_large_folio_gate_granularity, mthp_setup,
						world_teardown),
		cmocka_unit_test_setup_teardown(test_dup_pmd, thp_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_fork_out_of_frames_for_pinned_thps, thp_1724_setup,
						world_teardown),
		cmocka_unit_test_setup_teardown(test_fork_copies_pinned_thps, thp_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_cow_pte_switch, world_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("world_fork", tests, NULL, NULL);
}
