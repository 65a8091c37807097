/* SPDX-License-Identifier: MIT */
/*
 * Swap-out and swap-in through the C interface: the seed microbenchmark and
 * its variants (fault-fork-rmap-semantics.md §4.7, §7.4), large-folio swap-in
 * (§4.8), the asynchronous device, and -ENOMEM when swap slots run out.
 *
 * Worlds are Linux 6.18, x86-64 live config, synchronous device unless said.
 */
#include "world_test.h"

#define NPAGES 512

/* Maps 2 MiB and writes token i + 1 to page i (§7.4 "fill": 512 minor). */
static uint64_t fill_2mib(mmm_world *w, mmm_pid pid)
{
	uint64_t a = map(w, pid, NPAGES * PAGE, RW), i;
	struct mmm_fault_counters c0 = counters(w, pid);

	for (i = 0; i < NPAGES; i++)
		wr(w, pid, a + i * PAGE, i + 1);
	assert_faults_since(w, pid, &c0, NPAGES, 0);
	return a;
}

/*
 * §4.2 U10 / R-SWO-1: MADV_PAGEOUT turns each AE page's PTE into a swap PTE
 * with the exclusive bit, swap count 1; a synchronous device frees the folio
 * (§4.1), so nothing is in the swap cache.
 * pages 0..511: W -> swap PTE (SX)
 */
static void pageout_2mib(mmm_world *w, mmm_pid pid, uint64_t a)
{
	struct mmm_fault_counters c0 = counters(w, pid), c;
	struct mmm_page_state s;

	world_ok(w, mmm_madvise(w, pid, a, NPAGES * PAGE, MMM_MADV_PAGEOUT));
	assert_faults_since(w, pid, &c0, 0, 0);
	s = page(w, pid, a + 100 * PAGE);
	assert_int_equal(s.kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(s.swap_exclusive, 1);
	assert_int_equal(s.swap_count, 1);
	assert_int_equal(s.swap_cache, 0);
	assert_int_equal(s.token, 101);
	c = counters(w, pid);
	assert_int_equal(c.rss_anon, 0);
	assert_int_equal(c.rss_swap, NPAGES);
}

/*
 * §7.4, §4.7 (6.11+): 2 MiB written, MADV_PAGEOUT, then read and write every
 * page: each read is a major fault through the skip-swap-cache path (count 1,
 * synchronous device), the fresh folio is exclusive and mapped writable, so
 * the write takes no fault: 0 minor / 512 major.
 */
static void test_seed_read_and_write(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = fill_2mib(w, pid), i;
	struct mmm_fault_counters c0;

	pageout_2mib(w, pid, a);
	c0 = counters(w, pid);
	for (i = 0; i < NPAGES; i++) {
		assert_int_equal(rd(w, pid, a + i * PAGE), i + 1);
		wr(w, pid, a + i * PAGE, 0x1000 + i);
	}
	assert_faults_since(w, pid, &c0, 0, NPAGES);
	assert_int_equal(counters(w, pid).swapin_device - c0.swapin_device, NPAGES);
	assert_int_equal(rd(w, pid, a + 511 * PAGE), 0x1000 + 511);
	assert_int_equal(counters(w, pid).rss_swap, 0);
}

/*
 * §7.4 variant [K on 6.18: read-only loop = 512 major]: the read pass maps every
 * page writable but clean (§4.6, 6.11+: D not set on a read fault), not in the
 * swap cache (skip path); writing everything afterwards takes no fault (the
 * hardware sets D, §7.5): 0 / 512, then 0 / 0.
 */
static void test_seed_read_only_then_write(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = fill_2mib(w, pid), i;
	struct mmm_fault_counters c0;
	struct mmm_page_state s;

	pageout_2mib(w, pid, a);
	c0 = counters(w, pid);
	for (i = 0; i < NPAGES; i++)
		assert_int_equal(rd(w, pid, a + i * PAGE), i + 1);
	assert_faults_since(w, pid, &c0, 0, NPAGES);
	s = page(w, pid, a + 7 * PAGE);
	assert_int_equal(s.kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(s.swap_cache, 0);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	assert_int_equal(mmm_pte_dirty(ARCH, s.entry), 0);

	c0 = counters(w, pid);
	world_ok(w, mmm_access(w, pid, a, NPAGES * PAGE, MMM_ACCESS_WRITE, 0xabc));
	assert_faults_since(w, pid, &c0, 0, 0);
	assert_int_equal(mmm_pte_dirty(ARCH, page(w, pid, a + 7 * PAGE).entry), 1);
}

/*
 * §4.8 [K, 6.18 with only 64 KiB enabled], §7.4 variant: an exclusively owned
 * 64 KiB folio swapped out whole comes back as one 64 KiB folio on the first
 * read fault (one major fault); the other 15 pages are then read and written
 * without faults.
 * pages 0..15 (one order-4 folio): W -> 16 swap PTEs, consecutive slots, SX
 * read page 5 -> all 16 present again, one folio, writable
 */
static void mthp_round_trip(mmm_world *w, int madvise_hugepage)
{
	mmm_pid pid = new_process(w);
	uint64_t a = map_at(w, pid, 16 * PAGE, MMAP_BASE, RW), i;
	struct mmm_fault_counters c0;
	struct mmm_page_state s, s0;

	if (madvise_hugepage)
		world_ok(w, mmm_madvise(w, pid, a, 16 * PAGE, MMM_MADV_HUGEPAGE));
	c0 = counters(w, pid);
	world_ok(w, mmm_access(w, pid, a, 16 * PAGE, MMM_ACCESS_WRITE, 0x64));
	assert_faults_since(w, pid, &c0, 1, 0);               /* R-ANON-1 */
	for (i = 0; i < 16; i++)
		wr(w, pid, a + i * PAGE, 0x6400 + i);
	s = page(w, pid, a);
	assert_int_equal(s.order, 4);

	world_ok(w, mmm_madvise(w, pid, a, 16 * PAGE, MMM_MADV_PAGEOUT));
	s0 = page(w, pid, a);
	assert_int_equal(s0.kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(s0.swap_slot % 16, 0);                /* §4.1: an aligned run */
	for (i = 0; i < 16; i++) {
		s = page(w, pid, a + i * PAGE);
		assert_int_equal(s.kind, MMM_PTE_KIND_SWAP);
		assert_int_equal(s.swap_slot, s0.swap_slot + i);
		assert_int_equal(s.swap_exclusive, 1);
	}

	c0 = counters(w, pid);
	assert_int_equal(rd(w, pid, a + 5 * PAGE), 0x6405);
	assert_faults_since(w, pid, &c0, 0, 1);
	s0 = page(w, pid, a);
	assert_int_equal(s0.order, 4);
	for (i = 0; i < 16; i++) {
		s = page(w, pid, a + i * PAGE);
		assert_int_equal(s.kind, MMM_PTE_KIND_PRESENT);
		assert_int_equal(s.folio_pfn, s0.folio_pfn);
		assert_int_equal(s.pfn, s0.folio_pfn + i);
		assert_int_equal(s.anon_exclusive, 1);
		assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	}
	for (i = 0; i < 16; i++) {
		assert_int_equal(rd(w, pid, a + i * PAGE), 0x6400 + i);
		wr(w, pid, a + i * PAGE, i);
	}
	assert_faults_since(w, pid, &c0, 0, 1);
}

static void test_mthp_swapin_always(void **state)
{
	mthp_round_trip(*state, 0);
}

static void test_mthp_swapin_madvise(void **state)
{
	mthp_round_trip(*state, 1);
}

static int mthp_always_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.thp_orders[4] = MMM_THP_ALWAYS;
	return world_setup_with(state, &c);
}

static int mthp_madvise_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.thp_orders[4] = MMM_THP_MADVISE;
	return world_setup_with(state, &c);
}

/*
 * §7.4 variant, §4.5: on an asynchronous device the folio stays in the swap
 * cache after writeback; the next access is a swap-cache hit: minor, not major.
 */
static void test_async_device_cache_hit(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 4 * PAGE, RW);
	struct mmm_fault_counters c0;
	struct mmm_page_state s;

	wr(w, pid, a, 77);
	world_ok(w, mmm_madvise(w, pid, a, 4 * PAGE, MMM_MADV_PAGEOUT));
	s = page(w, pid, a);
	assert_int_equal(s.kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(s.swap_cache, 1);
	c0 = counters(w, pid);
	assert_int_equal(rd(w, pid, a), 77);
	assert_faults_since(w, pid, &c0, 1, 0);
	assert_int_equal(counters(w, pid).swapin_cache - c0.swapin_cache, 1);
}

static int async_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.swap_device = MMM_SWAP_ASYNC;
	return world_setup_with(state, &c);
}

/*
 * Item 8: out of swap slots → -ENOMEM with the world unchanged. A device of 9
 * slots has 8 usable (slot 0 is the header); 16 present pages do not fit.
 * pages 0..15: W   (stay W)
 */
static void test_out_of_swap_slots(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 16 * PAGE, RW), i;
	struct mmm_page_state before[16], after;
	struct mmm_fault_counters c0, c1;

	world_ok(w, mmm_access(w, pid, a, 16 * PAGE, MMM_ACCESS_WRITE, 5));
	for (i = 0; i < 16; i++)
		before[i] = page(w, pid, a + i * PAGE);
	c0 = counters(w, pid);
	world_err(w, mmm_madvise(w, pid, a, 16 * PAGE, MMM_MADV_PAGEOUT), -ENOMEM);
	c1 = counters(w, pid);
	assert_same_counters(&c0, &c1);
	for (i = 0; i < 16; i++) {
		after = page(w, pid, a + i * PAGE);
		assert_same_page(&before[i], &after, a + i * PAGE);
	}
	/* 8 pages fit */
	world_ok(w, mmm_madvise(w, pid, a, 8 * PAGE, MMM_MADV_PAGEOUT));
	assert_int_equal(page(w, pid, a).kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(counters(w, pid).rss_swap, 8);
}

static int few_slots_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.swap_slots = 9;
	return world_setup_with(state, &c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seed_read_and_write, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_seed_read_only_then_write, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_mthp_swapin_always, mthp_always_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_mthp_swapin_madvise, mthp_madvise_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_async_device_cache_hit, async_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_swap_slots, few_slots_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("world_swap", tests, NULL, NULL);
}
