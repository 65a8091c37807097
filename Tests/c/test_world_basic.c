/* SPDX-License-Identifier: MIT */
/*
 * Worlds through the C interface: config, handle and message, first-touch
 * faults, mprotect, and the bad-input rules of issue 3 item 8 (SIGSEGV-like
 * -EFAULT with nothing changed, -ESRCH, -ENOMEM with the world unchanged).
 *
 * Expected values come from the kernel rules each test names, in
 * /work/shared/spec/fault-fork-rmap-semantics.md (§1, §3, §6.3, §7), and from
 * the contract in include/mmmodel.h.
 */
#include "world_test.h"

/* Header, mmm_world_config_init(): the documented defaults. */
static void test_config_defaults(void **state)
{
	struct mmm_world_config c = default_config();
	int o;

	(void)state;
	assert_int_equal(c.size, sizeof(c));
	assert_int_equal(c.arch, MMM_ARCH_X86_64 | MMM_ARCH_CFG_LIVE_6_18);
	assert_int_equal(c.frames, 1u << 18);
	assert_int_equal(c.swap_slots, 1u << 18);
	assert_int_equal(c.thp_enabled, MMM_THP_MADVISE);
	assert_int_equal(c.thp_orders[0], 0);
	for (o = 1; o < 9; o++)
		assert_int_equal(c.thp_orders[o], MMM_THP_NEVER);
	assert_int_equal(c.thp_orders[9], MMM_THP_INHERIT);
	assert_int_equal(c.use_huge_zero_page, 1);
	assert_int_equal(c.swap_device, MMM_SWAP_SYNC);
	assert_int_equal(c.page_cluster, 3);
	assert_int_equal(c.reserved, 0);
}

/* Header, mmm_world_errmsg(): "" on a new world, set by a failure, cleared by a success. */
static void test_errmsg_set_and_cleared(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t t;

	assert_string_equal(mmm_world_errmsg(NULL), "");
	assert_string_equal(mmm_world_errmsg(w), "");
	world_err(w, mmm_read(w, pid, MMAP_BASE, &t), -EFAULT);
	assert_msg_has(w, "mmm_read");
	assert_msg_has(w, "SIGSEGV");
	/* a failure before the core is reached sets it too */
	world_err(w, mmm_read(w, pid, MMAP_BASE, NULL), -EINVAL);
	assert_msg_has(w, "mmm_read");
	world_err(w, mmm_read(w, 77, MMAP_BASE, &t), -ESRCH);
	assert_msg_has(w, "pid 77");
	(void)map(w, pid, PAGE, RW);
	assert_string_equal(mmm_world_errmsg(w), "");
}

/*
 * §3.8 / R-ZERO-1: a first read maps the shared zero page (1 minor fault);
 * §3.2 W6 / §3.6: the write after it copies into a new AE page (1 minor).
 * page 0:  read -> zero page (R/O)   write -> new folio, AE, W, D
 */
static void test_read_then_write_zero_page(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);
	struct mmm_fault_counters c0 = counters(w, pid), c;
	struct mmm_page_state s;

	assert_int_equal(rd(w, pid, a), 0);
	s = page(w, pid, a);
	assert_int_equal(s.kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(s.zero_page, 1);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);
	assert_faults_since(w, pid, &c0, 1, 0);

	wr(w, pid, a, 0x1111);
	s = page(w, pid, a);
	assert_int_equal(s.zero_page, 0);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(s.refcount, 1);
	assert_int_equal(s.mapcount, 1);
	assert_int_equal(s.token, 0x1111);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	assert_int_equal(mmm_pte_dirty(ARCH, s.entry), 1);
	assert_faults_since(w, pid, &c0, 2, 0);
	c = counters(w, pid);
	assert_int_equal(c.zero_page_mapped - c0.zero_page_mapped, 1);
	assert_int_equal(c.wp_copy - c0.wp_copy, 1);
	assert_int_equal(c.rss_anon, 1);
}

/*
 * §3.8: a first write allocates a zero-filled order-0 folio (no mTHP size is
 * enabled by default), AE, W and D, ref 1 (R-REF-1): 1 minor fault. A second
 * write goes through the writable PTE: no fault (§7.5, hardware D bit).
 */
static void test_first_write(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 4 * PAGE, RW);
	struct mmm_fault_counters c0 = counters(w, pid);
	struct mmm_page_state s;

	wr(w, pid, a + PAGE, 42);
	wr(w, pid, a + PAGE, 43);
	s = page(w, pid, a + PAGE);
	assert_int_equal(s.order, 0);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(s.refcount, 1);
	assert_int_equal(s.token, 43);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	assert_faults_since(w, pid, &c0, 1, 0);
	assert_int_equal(counters(w, pid).anon_first_touch - c0.anon_first_touch, 1);
	/* the neighbours were not touched (R-ANON-1 needs an mTHP size) */
	assert_int_equal(page(w, pid, a).kind, MMM_PTE_KIND_NONE);
	assert_int_equal(rd(w, pid, a + PAGE), 43);
}

/*
 * R-ANON-1 / §3.8 with THP "always": one write fault maps a whole 2 MiB
 * folio by a PMD; every other page of it is then written without faults.
 * [0 .. 2 MiB): W (PMD, order 9)
 */
static void test_pmd_thp_first_touch(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PMD_SIZE, RW), i;
	struct mmm_fault_counters c0 = counters(w, pid);
	struct mmm_page_state s;

	assert_int_equal(a % PMD_SIZE, 0);
	for (i = 0; i < 512; i++)
		wr(w, pid, a + i * PAGE, i);
	assert_faults_since(w, pid, &c0, 1, 0);
	s = page(w, pid, a + 7 * PAGE);
	assert_int_equal(s.pmd_mapped, 1);
	assert_int_equal(s.order, 9);
	assert_int_equal(s.offset, 7);
	assert_int_equal(s.token, 7);
	assert_int_equal(s.anon_exclusive, 1);
	assert_int_equal(counters(w, pid).rss_anon, 512);
}

static int thp_always_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.thp_enabled = MMM_THP_ALWAYS;
	return world_setup_with(state, &c);
}

/*
 * Item 8, R-ACCT-1: an access outside every VMA is refused before
 * handle_mm_fault (SIGSEGV): -EFAULT, no fault counted, nothing changed.
 * [a, a + 2 pages): mapped, page 0 written;  a + 2 pages: no VMA
 */
static void test_outside_vma_is_sigsegv(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 2 * PAGE, RW), t = 5;
	struct mmm_fault_counters c0, c1;
	struct mmm_page_state s0, s1;

	wr(w, pid, a, 1);
	c0 = counters(w, pid);
	s0 = page(w, pid, a);
	world_err(w, mmm_read(w, pid, a + 2 * PAGE, &t), -EFAULT);
	assert_msg_has(w, "SIGSEGV");
	assert_int_equal(t, 5);                 /* out-pointer untouched */
	world_err(w, mmm_write(w, pid, a + 2 * PAGE, 9), -EFAULT);
	world_err(w, mmm_write(w, pid, 0x1000, 9), -EFAULT);
	world_err(w, mmm_access(w, pid, a + 2 * PAGE, PAGE, MMM_ACCESS_READ, 0), -EFAULT);
	s1.size = sizeof(s1);
	world_err(w, mmm_page_state(w, pid, a + 2 * PAGE, &s1), -EFAULT);
	c1 = counters(w, pid);
	assert_same_counters(&c0, &c1);
	s1 = page(w, pid, a);
	assert_same_page(&s0, &s1, a);
}

/*
 * Item 8, R-ACCT-1 [K: a write to a PROT_READ page raises SIGSEGV and counts
 * nothing]: the read maps the zero page; the write is refused, the zero-page
 * PTE stays. [a]: PROT_READ, zero page
 */
static void test_write_to_readonly_vma_is_sigsegv(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, MMM_PROT_READ);
	struct mmm_fault_counters c0, c1;
	struct mmm_page_state s0, s1;

	assert_int_equal(rd(w, pid, a), 0);
	c0 = counters(w, pid);
	s0 = page(w, pid, a);
	world_err(w, mmm_write(w, pid, a, 1), -EFAULT);
	assert_msg_has(w, "SIGSEGV");
	assert_msg_has(w, "not writable");
	world_err(w, mmm_access(w, pid, a, PAGE, MMM_ACCESS_WRITE, 1), -EFAULT);
	world_err(w, mmm_pin(w, pid, a, PAGE, MMM_PIN_WRITE, &(uint32_t){0}), -EFAULT);
	c1 = counters(w, pid);
	assert_same_counters(&c0, &c1);
	s1 = page(w, pid, a);
	assert_same_page(&s0, &s1, a);

	/* PROT_NONE: reads are refused too */
	world_ok(w, mmm_mprotect(w, pid, a, PAGE, MMM_PROT_NONE));
	world_err(w, mmm_read(w, pid, a, &(uint64_t){0}), -EFAULT);
	assert_msg_has(w, "not readable");
}

/*
 * §6.3 (6.2+): mprotect(PROT_READ) write-protects an AE page; mprotect back to
 * read-write makes it writable at once, so the next write takes no fault.
 */
static void test_mprotect_write_upgrade(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);
	struct mmm_fault_counters c0;

	wr(w, pid, a, 1);
	world_ok(w, mmm_mprotect(w, pid, a, PAGE, MMM_PROT_READ));
	assert_int_equal(mmm_pte_write(ARCH, page(w, pid, a).entry), 0);
	world_ok(w, mmm_mprotect(w, pid, a, PAGE, RW));
	assert_int_equal(mmm_pte_write(ARCH, page(w, pid, a).entry), 1);
	c0 = counters(w, pid);
	wr(w, pid, a, 2);
	assert_faults_since(w, pid, &c0, 0, 0);
	/* a range that is not all mapped changes nothing */
	world_err(w, mmm_mprotect(w, pid, a, 2 * PAGE, MMM_PROT_READ), -EFAULT);
	assert_int_equal(mmm_pte_write(ARCH, page(w, pid, a).entry), 1);
}

/* Item 8: an unknown process gives -ESRCH from every call taking a pid. */
static void test_unknown_pid(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w), child = 0, bad[] = { 0, -1, 2, 0x7fffffff, (mmm_pid)0x80000000u };
	uint64_t a = map(w, pid, PAGE, RW), t;
	struct mmm_page_state s = { .size = sizeof(s) };
	struct mmm_fault_counters c = { .size = sizeof(c) };
	uint32_t id;
	size_t i;

	wr(w, pid, a, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mmm_pid p = bad[i];

		world_err(w, mmm_mmap(w, p, PAGE, 0, RW, &t), -ESRCH);
		world_err(w, mmm_munmap(w, p, a, PAGE), -ESRCH);
		world_err(w, mmm_mprotect(w, p, a, PAGE, RW), -ESRCH);
		world_err(w, mmm_madvise(w, p, a, PAGE, MMM_MADV_DONTNEED), -ESRCH);
		world_err(w, mmm_read(w, p, a, &t), -ESRCH);
		world_err(w, mmm_write(w, p, a, 1), -ESRCH);
		world_err(w, mmm_access(w, p, a, PAGE, MMM_ACCESS_READ, 0), -ESRCH);
		world_err(w, mmm_fork(w, p, &child), -ESRCH);
		world_err(w, mmm_exit(w, p), -ESRCH);
		world_err(w, mmm_pin(w, p, a, PAGE, 0, &id), -ESRCH);
		world_err(w, mmm_page_state(w, p, a, &s), -ESRCH);
		world_err(w, mmm_fault_counters(w, p, &c), -ESRCH);
		world_err(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a, 1, p), -ESRCH);
		world_err(w, mmm_folio_try_dup_anon_rmap_pmd(w, p, 0, pid), -ESRCH);
	}
	assert_int_equal(rd(w, pid, a), 3);

	/* After exit: gone, but its counters stay readable (header, mmm_pid). */
	world_ok(w, mmm_exit(w, pid));
	world_err(w, mmm_read(w, pid, a, &t), -ESRCH);
	world_err(w, mmm_exit(w, pid), -ESRCH);
	c = counters(w, pid);
	assert_int_equal(c.minor, 1);
	assert_int_equal(c.rss_anon, 0);
}

/*
 * Item 8: out of frames → -ENOMEM with the world unchanged. A 64-frame world,
 * 64 pages written (order 0, §3.8), then a 65th page written:
 * pages 0..63: W   page 64: - (no frame left)   page 65: zero page
 */
static void test_out_of_frames(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 80 * PAGE, RW), i;
	struct mmm_page_state before[66], after;
	struct mmm_fault_counters c0, c1;

	for (i = 0; i < 64; i++)
		wr(w, pid, a + i * PAGE, 100 + i);
	assert_int_equal(rd(w, pid, a + 65 * PAGE), 0);        /* zero page, no frame */
	for (i = 0; i < 66; i++)
		before[i] = page(w, pid, a + i * PAGE);
	c0 = counters(w, pid);
	world_err(w, mmm_write(w, pid, a + 64 * PAGE, 1), -ENOMEM);
	world_err(w, mmm_access(w, pid, a + 64 * PAGE, 2 * PAGE, MMM_ACCESS_WRITE, 1), -ENOMEM);
	world_err(w, mmm_madvise(w, pid, a + 64 * PAGE, PAGE, MMM_MADV_POPULATE_WRITE), -ENOMEM);
	/* a read maps the zero page: no frame needed; a pin of it must unshare (§3.7): no frame */
	world_err(w, mmm_pin(w, pid, a + 65 * PAGE, PAGE, 0, &(uint32_t){0}), -ENOMEM);
	c1 = counters(w, pid);
	assert_same_counters(&c0, &c1);
	for (i = 0; i < 66; i++) {
		after = page(w, pid, a + i * PAGE);
		assert_same_page(&before[i], &after, a + i * PAGE);
	}
	/* freeing one frame makes the write possible */
	world_ok(w, mmm_madvise(w, pid, a, PAGE, MMM_MADV_DONTNEED));
	wr(w, pid, a + 64 * PAGE, 1);
}

static int tiny_setup(void **state)
{
	struct mmm_world_config c = default_config();

	c.frames = 64;
	return world_setup_with(state, &c);
}

/* munmap drops the pages: the range is gone (SIGSEGV) and the frames are free. */
static void test_munmap(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 4 * PAGE, RW);

	world_ok(w, mmm_access(w, pid, a, 4 * PAGE, MMM_ACCESS_WRITE, 7));
	assert_int_equal(counters(w, pid).rss_anon, 4);
	world_ok(w, mmm_munmap(w, pid, a + PAGE, 2 * PAGE));
	assert_int_equal(counters(w, pid).rss_anon, 2);
	world_err(w, mmm_read(w, pid, a + PAGE, &(uint64_t){0}), -EFAULT);
	assert_int_equal(rd(w, pid, a + 3 * PAGE), 7);
	/* the hole can be mapped again exactly there */
	assert_int_equal(map_at(w, pid, 2 * PAGE, a + PAGE, RW), a + PAGE);
	world_err(w, mmm_mmap(w, pid, PAGE, a, RW, &(uint64_t){0}), -EBUSY);
}

/*
 * mremap moves pages without a fault (same frames, the old range gone);
 * MADV_COLLAPSE makes a PTE-mapped 2 MiB one PMD THP, and refuses a range
 * inside one 2 MiB that does not cover it (issue 7; mm/mremap.c,
 * madvise_collapse()).
 */
static void test_mremap_and_collapse(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 4 * PAGE, RW), d = map(w, pid, 16 * PAGE, RW), to = 0;
	uint64_t b = map(w, pid, 2 * PMD_SIZE, RW);
	struct mmm_fault_counters c0;
	struct mmm_page_state s0;

	world_ok(w, mmm_access(w, pid, a, 4 * PAGE, MMM_ACCESS_WRITE, 9));
	s0 = page(w, pid, a + PAGE);
	c0 = counters(w, pid);
	world_ok(w, mmm_mremap(w, pid, a, 4 * PAGE, 4 * PAGE, MMM_MREMAP_MAYMOVE | MMM_MREMAP_FIXED,
			       d + 3 * PAGE, &to));
	assert_int_equal(to, d + 3 * PAGE);
	assert_int_equal(page(w, pid, to + PAGE).pfn, s0.pfn);
	assert_faults_since(w, pid, &c0, 0, 0);
	assert_int_equal(rd(w, pid, to + 3 * PAGE), 9);
	world_err(w, mmm_read(w, pid, a, &(uint64_t){0}), -EFAULT);

	world_ok(w, mmm_access(w, pid, b, PMD_SIZE, MMM_ACCESS_WRITE, 3));
	assert_false(page(w, pid, b).pmd_mapped);
	c0 = counters(w, pid);
	world_ok(w, mmm_madvise(w, pid, b, PMD_SIZE, MMM_MADV_COLLAPSE));
	assert_true(page(w, pid, b + 5 * PAGE).pmd_mapped);
	assert_int_equal(page(w, pid, b + 5 * PAGE).order, 9);
	assert_faults_since(w, pid, &c0, 0, 0);
	assert_int_equal(rd(w, pid, b + 7 * PAGE), 3);
	world_err(w, mmm_madvise(w, pid, b + PAGE, 2 * PAGE, MMM_MADV_COLLAPSE), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test_setup_teardown(test_errmsg_set_and_cleared, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_read_then_write_zero_page, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_first_write, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_pmd_thp_first_touch, thp_always_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_outside_vma_is_sigsegv, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_write_to_readonly_vma_is_sigsegv, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_mprotect_write_upgrade, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_pid, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_frames, tiny_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_munmap, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_mremap_and_collapse, world_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("world_basic", tests, NULL, NULL);
}
