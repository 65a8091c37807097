/* SPDX-License-Identifier: MIT */
/*
 * The checker and the reverse map through the C interface (issue 4):
 * mmm_world_check() with its violations iterator, check-after-every-operation
 * (mmm_world_set_check(), mmm_world_take_violations()), mmm_rmap_walk() and
 * mmm_folio_referenced().
 *
 * A world changed only through this interface is consistent, so these tests
 * drive scenarios and expect zero violations; the break-one-rule tests, which
 * need test-only hooks, are the Swift ones (Tests/MMModelTests/CheckTests.swift).
 * Rules: fault-fork-rmap-semantics.md §2 (fork), §5 (rmap), §8 (invariants),
 * Linux 6.18, x86-64 live config.
 */
#include "world_test.h"

#define KIB64 (64ull << 10)

/* The violations of a check as one line each, for a failure message. */
static size_t check_count(mmm_world *w, uint32_t flags)
{
	mmm_violations *vs = NULL;
	struct mmm_violation v;
	size_t n;

	world_ok(w, mmm_world_check(w, flags, &vs));
	assert_non_null(vs);
	n = mmm_violations_count(vs);
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	while (mmm_violations_next(vs, &v) == 1)
		print_error("%s pid %d addr 0x%llx: %s (%s)\n", v.rule, (int)v.pid,
			    (unsigned long long)v.addr, v.message, v.values);
	mmm_violations_free(vs);
	return n;
}

static size_t taken_count(mmm_world *w)
{
	mmm_violations *vs = NULL;
	size_t n;

	world_ok(w, mmm_world_take_violations(w, &vs));
	n = mmm_violations_count(vs);
	mmm_violations_free(vs);
	return n;
}

/* An empty world and a written one are consistent; the iterator's contract. */
static void test_check_empty_and_iterator(void **state)
{
	mmm_world *w = *state;
	mmm_violations *vs = NULL;
	struct mmm_violation v;
	mmm_pid pid;
	uint64_t a;

	assert_int_equal(check_count(w, MMM_CHECK_FULL), 0);
	pid = new_process(w);
	a = map(w, pid, 16 * PAGE, RW);
	world_ok(w, mmm_access(w, pid, a, 16 * PAGE, MMM_ACCESS_WRITE, 7));
	world_ok(w, mmm_world_check(w, MMM_CHECK_FULL, &vs));
	assert_int_equal(mmm_violations_count(vs), 0);
	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	assert_int_equal(mmm_violations_next(vs, &v), 0);
	assert_int_equal(v.pid, (mmm_pid)0xa5a5a5a5);          /* untouched at the end */
	v.size = 8;
	assert_int_equal(mmm_violations_next(vs, &v), -EINVAL);
	assert_int_equal(mmm_violations_next(NULL, &v), -EINVAL);
	assert_int_equal(mmm_violations_next(vs, NULL), -EINVAL);
	mmm_violations_free(vs);
	mmm_violations_free(NULL);
	assert_int_equal(mmm_violations_count(NULL), 0);
	mmm_assert_consistent(w);
}

/* Refused arguments: -EINVAL and a message naming the cause. */
static void test_check_arguments(void **state)
{
	mmm_world *w = *state;
	mmm_violations *vs = (mmm_violations *)&vs;
	struct mmm_world_config c;

	assert_int_equal(mmm_world_check(NULL, MMM_CHECK_FULL, &vs), -EINVAL);
	world_err(w, mmm_world_check(w, MMM_CHECK_FULL, NULL), -EINVAL);
	world_err(w, mmm_world_check(w, 2, &vs), -EINVAL);
	assert_msg_has(w, "mmm_world_check: flags 0x2");
	assert_ptr_equal(vs, (mmm_violations *)&vs);              /* untouched on error */
	world_err(w, mmm_world_set_check(w, 3), -EINVAL);
	assert_msg_has(w, "mmm_world_set_check: mode 3");
	assert_int_equal(mmm_world_set_check(NULL, MMM_CHECK_MODE_OFF), -EINVAL);
	world_err(w, mmm_world_take_violations(w, NULL), -EINVAL);
	assert_int_equal(mmm_world_take_violations(NULL, &vs), -EINVAL);
	memset(&c, 0, sizeof(c));
	c.size = 8;
	world_err(w, mmm_world_get_config(w, &c), -EINVAL);
	world_err(w, mmm_world_get_config(w, NULL), -EINVAL);
	c.size = sizeof(c);
	world_ok(w, mmm_world_get_config(w, &c));
	assert_int_equal(c.arch, ARCH);
	assert_int_equal(c.frames, 1u << 18);
	assert_int_equal(c.thp_enabled, MMM_THP_MADVISE);
	assert_int_equal(c.thp_orders[9], MMM_THP_INHERIT);
	assert_int_equal(c.size, sizeof(c));
}

/*
 * Issue 4 item 5 from C: fork of a mixed world, checked after every operation
 * and by the full audit, finds zero violations; the duplication rules hold,
 * seen through the rmap walk.
 *   small VMA (8 pages):  page 0123 4567
 *     parent before fork        W S W P z...   W exclusive; S swapped out (async device:
 *                                               still in the swap cache); page 2 swapped out
 *                                               and read back; P pinned read-write; z zero page
 *   64 KiB VMA: one 64 KiB folio, written;  2 MiB VMA (MADV_HUGEPAGE): one PMD THP, written
 * After fork (§2): shared pages are ¬AE and read-only in both (INV-14, §2.6);
 * the pinned page is copied for the child (§2.5) and stays AE, writable, mapped
 * once in the parent (INV-19); the swap entry is shared without SX (§2.7).
 */
struct walk_log {
	int n;
	int pmd;
	mmm_pid pids[8];
	int writable;
};

static int log_mapping(const struct mmm_rmap_mapping *m, void *ctx)
{
	struct walk_log *l = ctx;
	uint64_t pte = m->entry;

	assert_true(m->size >= sizeof(*m));
	if (l->n < 8)
		l->pids[l->n] = m->pid;
	l->n++;
	l->pmd += m->is_pmd ? 1 : 0;
	if (!m->is_pmd && mmm_pte_write(ARCH, pte) == 1)
		l->writable++;
	return 0;
}

static struct mmm_world_config mixed_config(void)
{
	struct mmm_world_config c = default_config();

	c.frames = 8192;
	c.swap_slots = 1024;
	c.thp_orders[4] = MMM_THP_ALWAYS;
	c.swap_device = MMM_SWAP_ASYNC;
	return c;
}

static int mixed_setup(void **state)
{
	struct mmm_world_config c = mixed_config();

	return world_setup_with(state, &c);
}

static void test_fork_mixed_world(void **state)
{
	mmm_world *w = *state;
	mmm_pid parent, child = 0;
	uint64_t small, k64, huge, i;
	uint32_t pin = 0;
	struct mmm_page_state s, t;
	struct walk_log l;

	world_ok(w, mmm_world_set_check(w, MMM_CHECK_MODE_EACH_OP));
	parent = new_process(w);
	small = map(w, parent, 8 * PAGE, RW);
	k64 = map_at(w, parent, KIB64, MMAP_BASE + 0x100000, RW);
	huge = map_at(w, parent, PMD_SIZE, MMAP_BASE + 0x200000, RW);
	world_ok(w, mmm_madvise(w, parent, huge, PMD_SIZE, MMM_MADV_HUGEPAGE));
	world_ok(w, mmm_access(w, parent, small, 4 * PAGE, MMM_ACCESS_WRITE, 7));
	world_ok(w, mmm_madvise(w, parent, small + PAGE, 2 * PAGE, MMM_MADV_PAGEOUT));
	(void)rd(w, parent, small + 2 * PAGE);
	world_ok(w, mmm_pin(w, parent, small + 3 * PAGE, PAGE, MMM_PIN_WRITE, &pin));
	(void)rd(w, parent, small + 4 * PAGE);
	world_ok(w, mmm_access(w, parent, k64, KIB64, MMM_ACCESS_WRITE, 8));
	wr(w, parent, huge, 9);
	assert_int_equal(page(w, parent, small + PAGE).kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(page(w, parent, small + PAGE).swap_cache, 1);
	assert_int_equal(page(w, parent, small + 4 * PAGE).zero_page, 1);
	assert_int_equal(page(w, parent, k64).order, 4);
	assert_int_equal(page(w, parent, huge).pmd_mapped, 1);

	world_ok(w, mmm_fork(w, parent, &child));
	assert_int_equal(taken_count(w), 0);
	assert_int_equal(check_count(w, MMM_CHECK_FULL), 0);
	assert_int_equal(check_count(w, MMM_CHECK_TOUCHED), 0);
	mmm_assert_consistent(w);

	/* Shared by fork: ¬AE, two mappings, both read-only (INV-14, §2.6). */
	for (i = 0; i < 16; i++) {
		s = page(w, parent, k64 + i * PAGE);
		assert_int_equal(s.anon_exclusive, 0);
		assert_int_equal(s.mapcount, 2);
	}
	memset(&l, 0, sizeof(l));
	assert_int_equal(mmm_rmap_walk(w, child, k64, log_mapping, &l), 32);
	assert_int_equal(l.n, 32);
	assert_int_equal(l.writable, 0);
	assert_int_equal(l.pids[0], parent);
	memset(&l, 0, sizeof(l));
	assert_int_equal(mmm_rmap_walk(w, parent, small, log_mapping, &l), 2);
	assert_int_equal(l.pids[0], parent);
	assert_int_equal(l.pids[1], child);
	assert_int_equal(l.writable, 0);
	/* The THP: one PMD mapping per process (§2.8). */
	memset(&l, 0, sizeof(l));
	assert_int_equal(mmm_rmap_walk(w, parent, huge + 5 * PAGE, log_mapping, &l), 2);
	assert_int_equal(l.pmd, 2);
	assert_int_equal(page(w, child, huge).anon_exclusive, 0);
	/* The pinned page: copied for the child (§2.5); the parent's stays AE, writable, alone (INV-19). */
	s = page(w, parent, small + 3 * PAGE);
	t = page(w, child, small + 3 * PAGE);
	assert_int_not_equal(s.pfn, t.pfn);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	assert_int_equal(mmm_rmap_walk(w, parent, small + 3 * PAGE, NULL, NULL), 1);
	/* The swap entry: shared, without the exclusive bit in either (INV-9, §2.7). */
	s = page(w, parent, small + PAGE);
	t = page(w, child, small + PAGE);
	assert_int_equal(s.swap_slot, t.swap_slot);
	assert_int_equal(s.swap_exclusive, 0);
	assert_int_equal(t.swap_exclusive, 0);
	assert_int_equal(s.swap_count, 2);
	/* Its cached folio is mapped nowhere: the walk finds nothing (R-MAP-4). */
	assert_int_equal(mmm_rmap_walk(w, parent, small + PAGE, NULL, NULL), 0);

	/* Writes in both, unpin, exit: still nothing found. */
	wr(w, child, small, 1);
	wr(w, parent, k64, 2);
	wr(w, child, huge + PAGE, 3);
	(void)rd(w, child, small + PAGE);
	world_ok(w, mmm_unpin(w, pin));
	world_ok(w, mmm_exit(w, child));
	assert_int_equal(taken_count(w), 0);
	mmm_assert_consistent(w);
}

/* The walk's contract: a non-zero return stops it; refusals. */
static int stop_at_first(const struct mmm_rmap_mapping *m, void *ctx)
{
	(void)m;
	++*(int *)ctx;
	return 1;
}

static void test_rmap_walk_contract(void **state)
{
	mmm_world *w = *state;
	mmm_pid p = new_process(w), c1 = 0, c2 = 0;
	uint64_t a = map(w, p, 4 * PAGE, RW);
	int calls = 0;

	wr(w, p, a, 1);
	world_ok(w, mmm_fork(w, p, &c1));
	world_ok(w, mmm_fork(w, p, &c2));
	assert_int_equal(mmm_rmap_walk(w, c2, a, NULL, NULL), 3);
	assert_int_equal(mmm_rmap_walk(w, p, a, stop_at_first, &calls), 1);
	assert_int_equal(calls, 1);
	(void)rd(w, p, a + PAGE);                                 /* the zero page: no rmap */
	world_err(w, mmm_rmap_walk(w, p, a + PAGE, NULL, NULL), -EINVAL);
	assert_msg_has(w, "zero page");
	world_err(w, mmm_rmap_walk(w, p, a + 2 * PAGE, NULL, NULL), -EINVAL);
	assert_msg_has(w, "no entry");
	world_err(w, mmm_rmap_walk(w, p, a + 64 * PAGE, NULL, NULL), -EFAULT);
	world_err(w, mmm_rmap_walk(w, 99, a, NULL, NULL), -ESRCH);
	world_err(w, mmm_rmap_walk(w, p, 1ull << 47, NULL, NULL), -EINVAL);
	assert_int_equal(mmm_rmap_walk(NULL, p, a, NULL, NULL), -EINVAL);
	mmm_assert_consistent(w);
}

/*
 * folio_referenced (§5.3, R-REF-WALK-1): after fork the parent's PTE is young,
 * the child's old (§2.6); the walk counts 1 and clears it; a second walk
 * counts 0. Only the young bit changes.
 */
static void test_folio_referenced(void **state)
{
	mmm_world *w = *state;
	mmm_pid p = new_process(w), c = 0;
	uint64_t a = map(w, p, PAGE, RW), before, after;
	int refs = -1;

	world_ok(w, mmm_world_set_check(w, MMM_CHECK_MODE_EACH_OP));
	wr(w, p, a, 1);
	world_ok(w, mmm_fork(w, p, &c));
	before = page(w, p, a).entry;
	assert_int_equal(mmm_pte_young(ARCH, before), 1);
	world_ok(w, mmm_folio_referenced(w, c, a, &refs));
	assert_int_equal(refs, 1);
	after = page(w, p, a).entry;
	assert_int_equal(mmm_pte_young(ARCH, after), 0);
	world_ok(w, mmm_pte_mkyoung(ARCH, after, &after));
	mmm_assert_pte_equal(ARCH, before, after);
	world_ok(w, mmm_folio_referenced(w, p, a, &refs));
	assert_int_equal(refs, 0);
	world_ok(w, mmm_folio_referenced(w, p, a, NULL));
	world_err(w, mmm_folio_referenced(w, p, a + PAGE, &refs), -EFAULT);
	assert_int_equal(taken_count(w), 0);
	mmm_assert_consistent(w);
}

/*
 * Recording changes (MMM_CHECK_MODE_TRACK): the touched check audits what
 * changed and then forgets it; with recording off it is the full audit.
 */
static void test_touched_check(void **state)
{
	mmm_world *w = *state;
	mmm_pid p = new_process(w), c = 0;
	uint64_t a = map(w, p, 64 * PAGE, RW);

	assert_int_equal(check_count(w, MMM_CHECK_TOUCHED), 0);      /* off: the full audit */
	world_ok(w, mmm_world_set_check(w, MMM_CHECK_MODE_TRACK));
	world_ok(w, mmm_access(w, p, a, 64 * PAGE, MMM_ACCESS_WRITE, 5));
	world_ok(w, mmm_fork(w, p, &c));
	world_ok(w, mmm_madvise(w, c, a, 8 * PAGE, MMM_MADV_PAGEOUT));
	assert_int_equal(check_count(w, MMM_CHECK_TOUCHED), 0);
	wr(w, c, a, 6);
	world_ok(w, mmm_munmap(w, p, a + 32 * PAGE, 8 * PAGE));
	assert_int_equal(check_count(w, MMM_CHECK_TOUCHED), 0);
	assert_int_equal(taken_count(w), 0);                          /* TRACK keeps nothing */
	world_ok(w, mmm_world_set_check(w, MMM_CHECK_MODE_OFF));
	world_ok(w, mmm_exit(w, c));
	assert_int_equal(check_count(w, MMM_CHECK_TOUCHED), 0);
	mmm_assert_consistent(w);
}

/*
 * Check-after-every-operation over a longer mixed run: writes, reads, forks,
 * MADV_PAGEOUT, swap-ins, mprotect, munmap, exits: nothing found at any step.
 */
static void test_each_op_mixed_run(void **state)
{
	mmm_world *w = *state;
	mmm_pid procs[6];
	int live = 1, step;
	uint64_t a, len = 64 * PAGE;

	world_ok(w, mmm_world_set_check(w, MMM_CHECK_MODE_EACH_OP));
	procs[0] = new_process(w);
	a = map(w, procs[0], len, RW);
	for (step = 0; step < 200; step++) {
		mmm_pid pid = procs[(step * 7) % live];
		uint64_t at = a + (uint64_t)((step * 13) % 64) * PAGE;

		switch (step % 10) {
		case 0: case 1: case 2:
			wr(w, pid, at, (uint64_t)step);
			break;
		case 3: case 4:
			(void)rd(w, pid, at);
			break;
		case 5:
			world_ok(w, mmm_madvise(w, pid, at & ~(8 * PAGE - 1), 8 * PAGE, MMM_MADV_PAGEOUT));
			break;
		case 6:
			if (live < 6)
				world_ok(w, mmm_fork(w, pid, &procs[live++]));
			break;
		case 7:
			world_ok(w, mmm_mprotect(w, pid, at, PAGE, MMM_PROT_READ));
			world_ok(w, mmm_mprotect(w, pid, at, PAGE, RW));
			break;
		case 8:
			if (live > 2)
				world_ok(w, mmm_exit(w, procs[--live]));
			break;
		default:
			world_ok(w, mmm_access(w, pid, a, len, MMM_ACCESS_READ, 0));
			break;
		}
		assert_int_equal(taken_count(w), 0);
	}
	mmm_assert_consistent(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_empty_and_iterator, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_check_arguments, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_fork_mixed_world, mixed_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_rmap_walk_contract, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_folio_referenced, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_touched_check, mixed_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_each_op_mixed_run, mixed_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
