/* SPDX-License-Identifier: MIT */
/*
 * KSM counters, ksm_use_zero_pages in the world config, global reclaim and
 * the COW PTE cost counters through the C interface.
 *
 * Expected values follow the kernel functions named in each test (mm/ksm.c,
 * include/linux/ksm.h, mm/vmscan.c, mm/madvise.c of Linux 6.12 / 6.18) and,
 * for COW PTE tables, the RFC's rules as docs/kernel-policy.md states them.
 */
#include "world_test.h"

static struct mmm_ksm_counters ksm(mmm_world *w)
{
	struct mmm_ksm_counters k;

	memset(&k, 0xa5, sizeof(k));
	k.size = sizeof(k);
	world_ok(w, mmm_ksm_counters(w, &k));
	return k;
}

static uint64_t proc_zero_pages(mmm_world *w, mmm_pid pid)
{
	uint64_t n = 99;

	world_ok(w, mmm_ksm_process_zero_pages(w, pid, &n));
	return n;
}

static struct mmm_cow_pte_counters cowpte(mmm_world *w, mmm_pid pid)
{
	struct mmm_cow_pte_counters c;

	memset(&c, 0xa5, sizeof(c));
	c.size = sizeof(c);
	world_ok(w, mmm_cow_pte_counters(w, pid, &c));
	return c;
}

/* Maps @n pages and writes @token to each. */
static uint64_t filled(mmm_world *w, mmm_pid pid, unsigned n, uint64_t token)
{
	uint64_t a = map(w, pid, n * PAGE, RW);

	for (unsigned i = 0; i < n; i++)
		wr(w, pid, a + i * PAGE, token);
	return a;
}

/*
 * mm/ksm.c cmp_and_merge_page(): four pages of one content become one KSM
 * page; pages_shared counts the KSM page (1), pages_sharing its other
 * mappings (3). A write to one of them is a COW fault that leaves the KSM
 * page with 3 mappings (pages_sharing 2).
 */
static void test_ksm_counters_merge(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = filled(w, pid, 4, 7);
	struct mmm_ksm_counters k = ksm(w);

	assert_int_equal(k.pages_shared, 0);
	assert_int_equal(k.pages_sharing, 0);
	world_ok(w, mmm_madvise(w, pid, a, 4 * PAGE, MMM_MADV_MERGEABLE));
	k = ksm(w);
	assert_int_equal(k.size, sizeof(k));
	assert_int_equal(k.pages_shared, 1);
	assert_int_equal(k.pages_sharing, 3);
	assert_int_equal(k.stable_node_chains, 0);
	assert_int_equal(k.stable_node_dups, 0);
	assert_int_equal(k.ksm_zero_pages, 0);
	wr(w, pid, a, 8);
	k = ksm(w);
	assert_int_equal(k.pages_shared, 1);
	assert_int_equal(k.pages_sharing, 2);
	assert_int_equal(proc_zero_pages(w, pid), 0);
}

/*
 * use_zero_pages (mm/ksm.c try_to_merge_with_zero_page()): pages of zeros
 * are mapped to the zero page and counted in ksm_zero_pages, globally and in
 * the mm. ksm_fork() (include/linux/ksm.h) gives the child its parent's
 * count and adds it to the global one; the child's exit zaps its zero pages
 * (ksm_might_unmap_zero_page()), taking them off again.
 */
static void test_ksm_use_zero_pages_config(void **state)
{
	struct mmm_world_config c = default_config(), back;
	mmm_world *w = NULL;
	mmm_pid pid, child = 0;
	uint64_t a;
	struct mmm_ksm_counters k;

	(void)state;
	assert_int_equal(c.ksm_use_zero_pages, 0);	/* the kernel's default */
	c.ksm_use_zero_pages = 1;
	assert_int_equal(mmm_world_create(&c, &w), 0);
	memset(&back, 0, sizeof(back));
	back.size = sizeof(back);
	world_ok(w, mmm_world_get_config(w, &back));
	assert_int_equal(back.ksm_use_zero_pages, 1);
	pid = new_process(w);
	a = filled(w, pid, 3, 0);
	world_ok(w, mmm_madvise(w, pid, a, 3 * PAGE, MMM_MADV_MERGEABLE));
	k = ksm(w);
	assert_int_equal(k.ksm_zero_pages, 3);
	assert_int_equal(k.pages_shared, 0);
	assert_int_equal(k.pages_sharing, 0);
	assert_int_equal(proc_zero_pages(w, pid), 3);
	world_ok(w, mmm_fork(w, pid, &child));
	assert_int_equal(proc_zero_pages(w, child), 3);
	assert_int_equal(ksm(w).ksm_zero_pages, 6);
	world_ok(w, mmm_exit(w, child));
	assert_int_equal(proc_zero_pages(w, child), 0);
	assert_int_equal(ksm(w).ksm_zero_pages, 3);
	mmm_world_destroy(w);
}

/*
 * A caller built against the first struct mmm_world_config (48 bytes, no
 * ksm_use_zero_pages) still creates worlds: the missing field reads 0, so
 * pages of zeros merge into a KSM page like any content (use_zero_pages off).
 * Reading a config back into the old size writes no byte beyond it.
 */
static void test_old_world_config_size(void **state)
{
	unsigned char buf[sizeof(struct mmm_world_config) + 8];
	struct mmm_world_config *c = (struct mmm_world_config *)buf;
	mmm_world *w = NULL;
	mmm_pid pid;
	uint64_t a;
	struct mmm_ksm_counters k;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	c->size = MMM_WORLD_CONFIG_SIZE_V0;
	assert_int_equal(mmm_world_config_init(c), 0);
	assert_int_equal(c->size, MMM_WORLD_CONFIG_SIZE_V0);
	for (size_t i = MMM_WORLD_CONFIG_SIZE_V0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
	assert_int_equal(mmm_world_create(c, &w), 0);	/* the 0xa5 tail is not read */
	memset(buf, 0xa5, sizeof(buf));
	c->size = MMM_WORLD_CONFIG_SIZE_V0;
	world_ok(w, mmm_world_get_config(w, c));
	for (size_t i = MMM_WORLD_CONFIG_SIZE_V0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
	pid = new_process(w);
	a = filled(w, pid, 3, 0);
	world_ok(w, mmm_madvise(w, pid, a, 3 * PAGE, MMM_MADV_MERGEABLE));
	k = ksm(w);
	assert_int_equal(k.pages_shared, 1);
	assert_int_equal(k.pages_sharing, 2);
	assert_int_equal(k.ksm_zero_pages, 0);
	mmm_world_destroy(w);
	c->size = MMM_WORLD_CONFIG_SIZE_V0 - 1;
	assert_int_equal(mmm_world_config_init(c), -EINVAL);
	assert_int_equal(mmm_world_create(c, &w), -EINVAL);
}

/*
 * mm/madvise.c madvise_cold_or_pageout_pte_range() skips a folio that
 * folio_likely_mapped_shared() (after fork); mm/vmscan.c shrink_folio_list()
 * does not ask: try_to_unmap() replaces every mapping the rmap finds with
 * the same swap entry. A folio that may be pinned stays (try_to_unmap_one()
 * cannot clear AnonExclusive of a pinned page).
 */
static void test_reclaim_unmaps_every_mapping(void **state)
{
	mmm_world *w = *state;
	mmm_pid parent = new_process(w), child = 0;
	uint64_t a = filled(w, parent, 3, 5), out = 99;
	struct mmm_page_state p, q;
	uint32_t pin = 0;

	world_ok(w, mmm_fork(w, parent, &child));
	world_ok(w, mmm_madvise(w, parent, a, 3 * PAGE, MMM_MADV_PAGEOUT));
	assert_int_equal(page(w, parent, a).kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(page(w, child, a).kind, MMM_PTE_KIND_PRESENT);
	world_ok(w, mmm_pin(w, parent, a + 2 * PAGE, PAGE, 0, &pin));
	world_ok(w, mmm_reclaim(w, parent, a, 3 * PAGE, &out));
	assert_int_equal(out, 2);
	for (int i = 0; i < 2; i++) {
		p = page(w, parent, a + i * PAGE);
		q = page(w, child, a + i * PAGE);
		assert_int_equal(p.kind, MMM_PTE_KIND_SWAP);
		assert_int_equal(q.kind, MMM_PTE_KIND_SWAP);
		assert_int_equal(p.entry, q.entry);	/* one swap entry, not exclusive */
	}
	assert_int_equal(page(w, parent, a + 2 * PAGE).kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(page(w, child, a + 2 * PAGE).kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(rd(w, child, a + PAGE), 5);	/* the contents came back */
	/* Swap entries are left alone: nothing more to reclaim; NULL out is fine. */
	world_ok(w, mmm_reclaim(w, parent, a, 2 * PAGE, NULL));
	out = 99;
	world_ok(w, mmm_reclaim(w, parent, a, PAGE, &out));
	assert_int_equal(out, 0);
}

/*
 * shrink_folio_list() on a clean lazyfree folio (MADV_FREE, mm/vmscan.c:
 * the !folio_test_swapbacked branch) discards it: the PTE is cleared and the
 * next read maps the zero page's contents, 0.
 */
static void test_reclaim_discards_lazyfree(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = filled(w, pid, 1, 9), out = 99;

	world_ok(w, mmm_madvise(w, pid, a, PAGE, MMM_MADV_FREE));
	world_ok(w, mmm_reclaim(w, pid, a, PAGE, &out));
	assert_int_equal(out, 1);
	assert_int_equal(page(w, pid, a).kind, MMM_PTE_KIND_NONE);
	assert_int_equal(rd(w, pid, a), 0);
}

/*
 * rmap_walk_ksm(): reclaiming a KSM page through one of its addresses
 * unmaps all of them; pages_shared and pages_sharing drop to 0.
 */
static void test_reclaim_ksm_page(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = filled(w, pid, 3, 4), out = 99;
	struct mmm_ksm_counters k;

	world_ok(w, mmm_madvise(w, pid, a, 3 * PAGE, MMM_MADV_MERGEABLE));
	world_ok(w, mmm_reclaim(w, pid, a + PAGE, PAGE, &out));
	assert_int_equal(out, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(page(w, pid, a + i * PAGE).kind, MMM_PTE_KIND_SWAP);
	k = ksm(w);
	assert_int_equal(k.pages_shared, 0);
	assert_int_equal(k.pages_sharing, 0);
}

/*
 * COW PTE tables (switch cowPte): the child's fork shares the parent's one
 * PTE table and copies no entry; the child's write breaks it by copying its
 * 4 entries (cause: write fault); the parent, now the table's last user,
 * reuses it without copying. Without the switch the fork copies 4 entries
 * and the other counters stay 0.
 */
static void test_cow_pte_counters(void **state)
{
	mmm_world *w = *state;
	mmm_pid parent, child = 0;
	uint64_t a;
	struct mmm_cow_pte_counters c;

	world_ok(w, mmm_world_set_switch(w, "cowPte", "on"));
	parent = new_process(w);
	a = filled(w, parent, 4, 3);
	world_ok(w, mmm_fork(w, parent, &child));
	c = cowpte(w, child);
	assert_int_equal(c.size, sizeof(c));
	assert_int_equal(c.fork_tables_shared, 1);
	assert_int_equal(c.fork_ptes_copied, 0);
	assert_int_equal(c.break_copies, 0);
	wr(w, child, a, 6);
	c = cowpte(w, child);
	assert_int_equal(c.break_copies, 1);
	assert_int_equal(c.break_reuses, 0);
	assert_int_equal(c.break_ptes_copied, 4);
	assert_int_equal(c.breaks_by_cause[MMM_COWPTE_CAUSE_WRITE_FAULT], 1);
	for (unsigned i = MMM_COWPTE_CAUSES; i < 16; i++)
		assert_int_equal(c.breaks_by_cause[i], 0);
	wr(w, parent, a + PAGE, 6);
	c = cowpte(w, parent);
	assert_int_equal(c.break_copies, 0);
	assert_int_equal(c.break_reuses, 1);
	assert_int_equal(c.break_ptes_copied, 0);
	assert_int_equal(c.breaks_by_cause[MMM_COWPTE_CAUSE_WRITE_FAULT], 1);
	world_ok(w, mmm_exit(w, child));
	c = cowpte(w, child);				/* an exited process's counters stay */
	assert_int_equal(c.break_copies, 1);
}

static void test_cow_pte_counters_off(void **state)
{
	mmm_world *w = *state;
	mmm_pid parent = new_process(w), child = 0;
	uint64_t a = filled(w, parent, 4, 3);
	struct mmm_cow_pte_counters c;

	world_ok(w, mmm_fork(w, parent, &child));
	wr(w, child, a, 6);
	c = cowpte(w, child);
	assert_int_equal(c.fork_ptes_copied, 4);
	assert_int_equal(c.fork_tables_shared, 0);
	assert_int_equal(c.break_copies + c.break_reuses + c.break_ptes_copied + c.shares_dropped, 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(c.breaks_by_cause[i], 0);
}

/* Hostile arguments: negative errno, no change, nothing written. */
static void test_hostile(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w), gone = new_process(w);
	uint64_t a = filled(w, pid, 2, 1), out = 77;
	struct mmm_ksm_counters k;
	struct mmm_cow_pte_counters c;
	struct mmm_page_state before = page(w, pid, a);
	struct mmm_world_config cfg = default_config();
	mmm_world *w2 = NULL;

	world_ok(w, mmm_exit(w, gone));
	assert_int_equal(mmm_ksm_counters(NULL, &k), -EINVAL);
	world_err(w, mmm_ksm_counters(w, NULL), -EINVAL);
	memset(&k, 0, sizeof(k));
	k.size = sizeof(k) - 1;
	world_err(w, mmm_ksm_counters(w, &k), -EINVAL);
	assert_int_equal(k.pages_shared, 0);
	assert_int_equal(mmm_ksm_process_zero_pages(NULL, pid, &out), -EINVAL);
	world_err(w, mmm_ksm_process_zero_pages(w, pid, NULL), -EINVAL);
	world_err(w, mmm_ksm_process_zero_pages(w, 0, &out), -ESRCH);
	world_err(w, mmm_ksm_process_zero_pages(w, 99, &out), -ESRCH);
	world_err(w, mmm_ksm_process_zero_pages(w, -5, &out), -ESRCH);
	assert_int_equal(out, 77);
	world_ok(w, mmm_ksm_process_zero_pages(w, gone, &out));
	assert_int_equal(out, 0);

	assert_int_equal(mmm_cow_pte_counters(NULL, pid, &c), -EINVAL);
	world_err(w, mmm_cow_pte_counters(w, pid, NULL), -EINVAL);
	memset(&c, 0, sizeof(c));
	c.size = 8;
	world_err(w, mmm_cow_pte_counters(w, pid, &c), -EINVAL);
	c.size = sizeof(c);
	world_err(w, mmm_cow_pte_counters(w, 0, &c), -ESRCH);
	world_err(w, mmm_cow_pte_counters(w, INT32_MAX, &c), -ESRCH);

	out = 77;
	assert_int_equal(mmm_reclaim(NULL, pid, a, PAGE, &out), -EINVAL);
	world_err(w, mmm_reclaim(w, pid, a + 1, PAGE, &out), -EINVAL);
	world_err(w, mmm_reclaim(w, pid, a, 0, &out), -EINVAL);
	world_err(w, mmm_reclaim(w, pid, a, UINT64_MAX, &out), -EINVAL);
	world_err(w, mmm_reclaim(w, pid, UINT64_MAX & ~(PAGE - 1), PAGE, &out), -EINVAL);
	world_err(w, mmm_reclaim(w, pid, 1ull << 47, PAGE, &out), -EINVAL);
	world_err(w, mmm_reclaim(w, pid, a, 3 * PAGE, &out), -EFAULT);	/* runs past the VMA */
	world_err(w, mmm_reclaim(w, pid, PAGE, PAGE, &out), -EFAULT);
	world_err(w, mmm_reclaim(w, gone, a, PAGE, &out), -ESRCH);
	world_err(w, mmm_reclaim(w, 0, a, PAGE, &out), -ESRCH);
	world_err(w, mmm_reclaim(w, 12345, a, PAGE, &out), -ESRCH);
	assert_int_equal(out, 77);
	{
		struct mmm_page_state now = page(w, pid, a);

		assert_same_page(&before, &now, a);
	}

	cfg.ksm_use_zero_pages = 2;
	assert_int_equal(mmm_world_create(&cfg, &w2), -EINVAL);
	cfg.ksm_use_zero_pages = 1;
	cfg.reserved2[6] = 1;
	assert_int_equal(mmm_world_create(&cfg, &w2), -EINVAL);
	assert_null(w2);
}

/* No swap space (swap_slots 1: only the header): -ENOMEM, nothing changed. */
static void test_reclaim_no_swap(void **state)
{
	struct mmm_world_config cfg = default_config();
	mmm_world *w = NULL;
	mmm_pid pid;
	uint64_t a, out = 77;
	struct mmm_page_state before;

	(void)state;
	cfg.swap_slots = 1;
	assert_int_equal(mmm_world_create(&cfg, &w), 0);
	pid = new_process(w);
	a = filled(w, pid, 2, 1);
	before = page(w, pid, a);
	world_err(w, mmm_reclaim(w, pid, a, 2 * PAGE, &out), -ENOMEM);
	assert_int_equal(out, 77);
	{
		struct mmm_page_state now = page(w, pid, a);

		assert_same_page(&before, &now, a);
	}
	mmm_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ksm_counters_merge, world_setup, world_teardown),
		cmocka_unit_test(test_ksm_use_zero_pages_config),
		cmocka_unit_test(test_old_world_config_size),
		cmocka_unit_test_setup_teardown(test_reclaim_unmaps_every_mapping, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_discards_lazyfree, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_ksm_page, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_cow_pte_counters, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_cow_pte_counters_off, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_hostile, world_setup, world_teardown),
		cmocka_unit_test(test_reclaim_no_swap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
