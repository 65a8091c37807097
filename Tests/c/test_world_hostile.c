/* SPDX-License-Identifier: MIT */
/*
 * Hostile input to every world function (issue 3 item 8: nothing crashes the
 * host): NULL pointers, short sized structs, zero and extreme lengths,
 * addresses at and above 2^47, ranges that overflow, unknown enum values and
 * flags, unknown pins and pids. Each call must return the errno the header
 * documents for it, leave its out-pointer untouched, set the world's message,
 * and change nothing: afterwards the world still works and the process has
 * counted no fault (R-ACCT-1: refused calls are not faults).
 */
#include "world_test.h"

#define TOP (1ull << 47)
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

/* Every config field out of range, one at a time: -EINVAL, *out untouched. */
static void test_config_refused(void **state)
{
	struct mmm_world_config c;
	mmm_world *w = (mmm_world *)&c;       /* a sentinel that must not change */
	mmm_world *const sentinel = w;
	struct {
		struct mmm_world_config c;
		uint8_t tail[64];
	} big;
	int i;

	(void)state;
#define REFUSED(field, value)                                           \
	do {                                                            \
		c = default_config();                                   \
		c.field = (value);                                      \
		assert_int_equal(mmm_world_create(&c, &w), -EINVAL);    \
		assert_ptr_equal(w, sentinel);                          \
	} while (0)
	REFUSED(size, 0);
	REFUSED(size, sizeof(c) - 1);
	REFUSED(arch, 0);
	REFUSED(arch, 0xffffffffu);
	REFUSED(arch, MMM_ARCH_X86_64 | 0x10000u);
	REFUSED(frames, 0);
	REFUSED(frames, MMM_WORLD_MAX_FRAMES + 1);
	REFUSED(frames, UINT64_MAX);
	REFUSED(swap_slots, 0);
	REFUSED(swap_slots, MMM_WORLD_MAX_SWAP_SLOTS + 1);
	REFUSED(swap_slots, UINT64_MAX);
	REFUSED(thp_enabled, MMM_THP_INHERIT);
	REFUSED(thp_enabled, 4);
	REFUSED(thp_enabled, UINT32_MAX);
	REFUSED(page_cluster, 32);
	REFUSED(page_cluster, UINT32_MAX);
	REFUSED(thp_orders[0], MMM_THP_NEVER + 1);
	REFUSED(thp_orders[1], MMM_THP_ALWAYS);             /* no 8 KiB anon size */
	REFUSED(thp_orders[4], 4);
	REFUSED(thp_orders[9], 255);
	REFUSED(use_huge_zero_page, 2);
	REFUSED(swap_device, 2);
	REFUSED(swap_device, 255);
	REFUSED(reserved, 1);
#undef REFUSED
	c = default_config();
	assert_int_equal(mmm_world_create(NULL, &w), -EINVAL);
	assert_int_equal(mmm_world_create(&c, NULL), -EINVAL);
	assert_ptr_equal(w, sentinel);
	assert_int_equal(mmm_world_config_init(NULL), -EINVAL);
	c.size = sizeof(c) - 1;
	assert_int_equal(mmm_world_config_init(&c), -EINVAL);

	/* a caller's larger struct: the tail reads as zero input, is not written */
	memset(&big, 0xee, sizeof(big));
	big.c.size = sizeof(big);
	assert_int_equal(mmm_world_config_init(&big.c), 0);
	assert_int_equal(big.c.size, sizeof(big));
	for (i = 0; i < 64; i++)
		assert_int_equal(big.tail[i], 0xee);
	memset(big.tail, 0, sizeof(big.tail));
	assert_int_equal(mmm_world_create(&big.c, &w), 0);
	mmm_world_destroy(w);

	/* the extremes that are valid */
	c = default_config();
	c.frames = 1;
	c.swap_slots = 1;
	c.page_cluster = 31;
	c.thp_enabled = MMM_THP_NEVER;
	for (i = 2; i <= 9; i++)
		c.thp_orders[i] = MMM_THP_INHERIT;
	assert_int_equal(mmm_world_create(&c, &w), 0);
	mmm_world_destroy(w);
	mmm_world_destroy(NULL);
}

/* Every function with a NULL world: -EINVAL; errmsg "", destroy a no-op. */
static void test_null_world(void **state)
{
	struct mmm_page_state s = { .size = sizeof(s) };
	struct mmm_fault_counters c = { .size = sizeof(c) };
	uint64_t u = SENTINEL;
	mmm_pid pid = 7;
	uint32_t id = 7;

	(void)state;
	assert_string_equal(mmm_world_errmsg(NULL), "");
	mmm_world_destroy(NULL);
	assert_int_equal(mmm_process_create(NULL, &pid), -EINVAL);
	assert_int_equal(mmm_mmap(NULL, 1, PAGE, 0, RW, &u), -EINVAL);
	assert_int_equal(mmm_munmap(NULL, 1, MMAP_BASE, PAGE), -EINVAL);
	assert_int_equal(mmm_mprotect(NULL, 1, MMAP_BASE, PAGE, RW), -EINVAL);
	assert_int_equal(mmm_madvise(NULL, 1, MMAP_BASE, PAGE, MMM_MADV_DONTNEED), -EINVAL);
	assert_int_equal(mmm_read(NULL, 1, MMAP_BASE, &u), -EINVAL);
	assert_int_equal(mmm_write(NULL, 1, MMAP_BASE, 1), -EINVAL);
	assert_int_equal(mmm_access(NULL, 1, MMAP_BASE, PAGE, MMM_ACCESS_READ, 0), -EINVAL);
	assert_int_equal(mmm_fork(NULL, 1, &pid), -EINVAL);
	assert_int_equal(mmm_exit(NULL, 1), -EINVAL);
	assert_int_equal(mmm_pin(NULL, 1, MMAP_BASE, PAGE, 0, &id), -EINVAL);
	assert_int_equal(mmm_unpin(NULL, 1), -EINVAL);
	assert_int_equal(mmm_folio_try_dup_anon_rmap_ptes(NULL, 1, MMAP_BASE, 1, 2), -EINVAL);
	assert_int_equal(mmm_folio_try_dup_anon_rmap_pmd(NULL, 1, MMAP_BASE, 2), -EINVAL);
	assert_int_equal(mmm_page_state(NULL, 1, MMAP_BASE, &s), -EINVAL);
	assert_int_equal(mmm_fault_counters(NULL, 1, &c), -EINVAL);
	assert_int_equal(u, SENTINEL);
	assert_int_equal(pid, 7);
	assert_int_equal(id, 7);
}

/* Expects @e from @expr and a message naming the function. */
#define HOSTILE(w, expr, e, fn)                 \
	do {                                    \
		world_err((w), (expr), (e));    \
		assert_msg_has((w), fn);        \
	} while (0)

/*
 * Every function of a live world with bad arguments. The process maps
 * [a, a + 4 pages) read-write and writes page 0 first.
 */
static void test_bad_arguments(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w), other = new_process(w), kid = 99;
	uint64_t a = map(w, pid, 4 * PAGE, RW), u = SENTINEL;
	struct mmm_fault_counters c0, c1;
	struct mmm_page_state s0, s1, small;
	struct mmm_fault_counters csmall;
	uint32_t id = 7;
	uint32_t advice[] = { 0, 1, 2, 3, 5, 6, 7, 9, 16, 17, 24, 26, 100, UINT32_MAX };
	size_t i;

	wr(w, pid, a, 0x77);
	(void)map_at(w, other, 4 * PAGE, a, RW);
	c0 = counters(w, pid);
	s0 = page(w, pid, a);

	HOSTILE(w, mmm_process_create(w, NULL), -EINVAL, "mmm_process_create");

	HOSTILE(w, mmm_mmap(w, pid, PAGE, 0, RW, NULL), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, 0, 0, RW, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, TOP + 1, 0, RW, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, UINT64_MAX, 0, RW, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, PAGE, 0, 4, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, PAGE, 0, UINT32_MAX, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, PAGE, 1, RW, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, PAGE, TOP, RW, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, 2 * PAGE, TOP - PAGE, RW, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, PAGE, UINT64_MAX - PAGE + 1, RW, &u), -EINVAL, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, TOP, 0, RW, &u), -ENOMEM, "mmm_mmap");
	HOSTILE(w, mmm_mmap(w, pid, PAGE, a + PAGE, RW, &u), -EBUSY, "mmm_mmap");
	assert_int_equal(u, SENTINEL);

	HOSTILE(w, mmm_munmap(w, pid, a + 1, PAGE), -EINVAL, "mmm_munmap");
	HOSTILE(w, mmm_munmap(w, pid, a, 0), -EINVAL, "mmm_munmap");
	HOSTILE(w, mmm_munmap(w, pid, TOP, PAGE), -EINVAL, "mmm_munmap");
	HOSTILE(w, mmm_munmap(w, pid, TOP - PAGE, UINT64_MAX), -EINVAL, "mmm_munmap");
	HOSTILE(w, mmm_munmap(w, pid, UINT64_MAX - PAGE + 1, PAGE), -EINVAL, "mmm_munmap");

	HOSTILE(w, mmm_mremap(w, pid, a, PAGE, PAGE, 0, 0, NULL), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a + 1, PAGE, PAGE, 0, 0, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, PAGE, 0, 0, 0, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, PAGE, PAGE, 8, 0, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, PAGE, PAGE, MMM_MREMAP_FIXED, a + 8 * PAGE, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, 2 * PAGE, 2 * PAGE, MMM_MREMAP_MAYMOVE | MMM_MREMAP_FIXED, a + PAGE, &u),
		-EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, UINT64_MAX, PAGE, 0, 0, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, PAGE, UINT64_MAX, MMM_MREMAP_MAYMOVE, 0, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, PAGE, PAGE, MMM_MREMAP_MAYMOVE | MMM_MREMAP_FIXED, UINT64_MAX - PAGE + 1, &u),
		-EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, TOP, PAGE, PAGE, 0, 0, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, UINT64_MAX - PAGE + 1, PAGE, 2 * PAGE, 0, 0, &u), -EINVAL, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a + 64 * PAGE, PAGE, 2 * PAGE, 0, 0, &u), -EFAULT, "mmm_mremap");
	HOSTILE(w, mmm_mremap(w, pid, a, PAGE, PAGE, MMM_MREMAP_MAYMOVE | MMM_MREMAP_DONTUNMAP, 0, &u), -EOPNOTSUPP,
		"mmm_mremap");
	HOSTILE(w, mmm_mremap(w, kid, a, PAGE, PAGE, 0, 0, &u), -ESRCH, "mmm_mremap");
	assert_int_equal(u, SENTINEL);

	HOSTILE(w, mmm_mprotect(w, pid, a + 1, PAGE, RW), -EINVAL, "mmm_mprotect");
	HOSTILE(w, mmm_mprotect(w, pid, a, 0, RW), -EINVAL, "mmm_mprotect");
	HOSTILE(w, mmm_mprotect(w, pid, a, PAGE, 4), -EINVAL, "mmm_mprotect");
	HOSTILE(w, mmm_mprotect(w, pid, a, PAGE, UINT32_MAX), -EINVAL, "mmm_mprotect");
	HOSTILE(w, mmm_mprotect(w, pid, a, UINT64_MAX, MMM_PROT_READ), -EINVAL, "mmm_mprotect");
	HOSTILE(w, mmm_mprotect(w, pid, a, TOP, MMM_PROT_READ), -EINVAL, "mmm_mprotect");
	HOSTILE(w, mmm_mprotect(w, pid, 0, PAGE, MMM_PROT_READ), -EFAULT, "mmm_mprotect");

	for (i = 0; i < sizeof(advice) / sizeof(advice[0]); i++)
		HOSTILE(w, mmm_madvise(w, pid, a, PAGE, advice[i]), -EINVAL, "mmm_madvise");
	HOSTILE(w, mmm_madvise(w, pid, a + 1, PAGE, MMM_MADV_DONTNEED), -EINVAL, "mmm_madvise");
	HOSTILE(w, mmm_madvise(w, pid, a, 0, MMM_MADV_DONTNEED), -EINVAL, "mmm_madvise");
	HOSTILE(w, mmm_madvise(w, pid, a, UINT64_MAX, MMM_MADV_PAGEOUT), -EINVAL, "mmm_madvise");
	HOSTILE(w, mmm_madvise(w, pid, a, 5 * PAGE, MMM_MADV_DONTNEED), -EFAULT, "mmm_madvise");
	HOSTILE(w, mmm_madvise(w, pid, a - PAGE, 2 * PAGE, MMM_MADV_PAGEOUT), -EFAULT, "mmm_madvise");

	HOSTILE(w, mmm_read(w, pid, a, NULL), -EINVAL, "mmm_read");
	HOSTILE(w, mmm_read(w, pid, TOP, &u), -EINVAL, "mmm_read");
	HOSTILE(w, mmm_read(w, pid, UINT64_MAX, &u), -EINVAL, "mmm_read");
	HOSTILE(w, mmm_read(w, pid, 0, &u), -EFAULT, "mmm_read");
	HOSTILE(w, mmm_read(w, pid, TOP - 1, &u), -EFAULT, "mmm_read");
	HOSTILE(w, mmm_write(w, pid, TOP, 1), -EINVAL, "mmm_write");
	HOSTILE(w, mmm_write(w, pid, UINT64_MAX, 1), -EINVAL, "mmm_write");
	assert_int_equal(u, SENTINEL);

	HOSTILE(w, mmm_access(w, pid, a, 0, MMM_ACCESS_READ, 0), -EINVAL, "mmm_access");
	HOSTILE(w, mmm_access(w, pid, a, PAGE, 0, 0), -EINVAL, "mmm_access");
	HOSTILE(w, mmm_access(w, pid, a, PAGE, 4, 0), -EINVAL, "mmm_access");
	HOSTILE(w, mmm_access(w, pid, a, PAGE, UINT32_MAX, 0), -EINVAL, "mmm_access");
	HOSTILE(w, mmm_access(w, pid, a, UINT64_MAX, MMM_ACCESS_READ, 0), -EINVAL, "mmm_access");
	HOSTILE(w, mmm_access(w, pid, UINT64_MAX, 1, MMM_ACCESS_READ, 0), -EINVAL, "mmm_access");
	HOSTILE(w, mmm_access(w, pid, TOP - 1, 2, MMM_ACCESS_READ, 0), -EINVAL, "mmm_access");

	HOSTILE(w, mmm_fork(w, pid, NULL), -EINVAL, "mmm_fork");
	HOSTILE(w, mmm_exit(w, INT32_MIN), -ESRCH, "mmm_exit");

	HOSTILE(w, mmm_pin(w, pid, a, PAGE, 0, NULL), -EINVAL, "mmm_pin");
	HOSTILE(w, mmm_pin(w, pid, a, PAGE, 2, &id), -EINVAL, "mmm_pin");
	HOSTILE(w, mmm_pin(w, pid, a, PAGE, UINT32_MAX, &id), -EINVAL, "mmm_pin");
	HOSTILE(w, mmm_pin(w, pid, a + 1, PAGE, 0, &id), -EINVAL, "mmm_pin");
	HOSTILE(w, mmm_pin(w, pid, a, 0, 0, &id), -EINVAL, "mmm_pin");
	HOSTILE(w, mmm_pin(w, pid, a, UINT64_MAX, 0, &id), -EINVAL, "mmm_pin");
	HOSTILE(w, mmm_pin(w, pid, a, 5 * PAGE, MMM_PIN_WRITE, &id), -EFAULT, "mmm_pin");
	assert_int_equal(id, 7);
	HOSTILE(w, mmm_unpin(w, 0), -EINVAL, "mmm_unpin");
	HOSTILE(w, mmm_unpin(w, 12345), -EINVAL, "mmm_unpin");
	HOSTILE(w, mmm_unpin(w, 0x80000000u), -EINVAL, "mmm_unpin");
	HOSTILE(w, mmm_unpin(w, UINT32_MAX), -EINVAL, "mmm_unpin");

#define DUP "mmm_folio_try_dup_anon_rmap_ptes"
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a, 1, pid), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a, 0, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a, 513, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a, UINT32_MAX, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a + 1, 1, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, TOP, 1, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, UINT64_MAX, 1, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, TOP - PAGE, 2, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, TOP - PAGE, 512, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a, 2, other), -EINVAL, DUP); /* page 1: none */
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, a + PAGE, 1, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_ptes(w, pid, 0, 1, other), -EINVAL, DUP);
#undef DUP
#define DUP "mmm_folio_try_dup_anon_rmap_pmd"
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_pmd(w, pid, a, pid), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_pmd(w, pid, a + PAGE, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_pmd(w, pid, a, other), -EINVAL, DUP);   /* PTE-mapped */
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_pmd(w, pid, TOP, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_pmd(w, pid, UINT64_MAX, other), -EINVAL, DUP);
	HOSTILE(w, mmm_folio_try_dup_anon_rmap_pmd(w, pid, TOP - PMD_SIZE, other), -EINVAL, DUP);
#undef DUP

	HOSTILE(w, mmm_page_state(w, pid, a, NULL), -EINVAL, "mmm_page_state");
	small.size = 0;
	HOSTILE(w, mmm_page_state(w, pid, a, &small), -EINVAL, "mmm_page_state");
	small.size = sizeof(small) - 1;
	HOSTILE(w, mmm_page_state(w, pid, a, &small), -EINVAL, "mmm_page_state");
	small.size = sizeof(small);
	HOSTILE(w, mmm_page_state(w, pid, TOP, &small), -EINVAL, "mmm_page_state");
	HOSTILE(w, mmm_page_state(w, pid, UINT64_MAX, &small), -EINVAL, "mmm_page_state");
	HOSTILE(w, mmm_fault_counters(w, pid, NULL), -EINVAL, "mmm_fault_counters");
	csmall.size = sizeof(csmall) - 8;
	HOSTILE(w, mmm_fault_counters(w, pid, &csmall), -EINVAL, "mmm_fault_counters");
	csmall.size = sizeof(csmall);
	HOSTILE(w, mmm_fault_counters(w, 0, &csmall), -ESRCH, "mmm_fault_counters");
	HOSTILE(w, mmm_fault_counters(w, INT32_MAX, &csmall), -ESRCH, "mmm_fault_counters");
	assert_int_equal(kid, 99);

	/* nothing changed, nothing counted, and the world still works */
	c1 = counters(w, pid);
	assert_same_counters(&c0, &c1);
	s1 = page(w, pid, a);
	assert_same_page(&s0, &s1, a);
	assert_int_equal(page(w, other, a).kind, MMM_PTE_KIND_NONE);
	assert_int_equal(rd(w, pid, a), 0x77);
	wr(w, pid, a + PAGE, 0x78);
	assert_int_equal(rd(w, pid, a + PAGE), 0x78);
	assert_string_equal(mmm_world_errmsg(w), "");
}

/*
 * Large but valid requests: a 1 TiB mapping at a hint (no pages until
 * touched), touched at both ends, protected, advised and unmapped; a
 * one-frame world; a world without swap space.
 */
static void test_extremes(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	const uint64_t len = 1ull << 40, hint = 0x1000;
	struct mmm_world_config c = default_config();
	mmm_world *tiny = NULL;
	mmm_pid tp;
	uint64_t ta;

	assert_int_equal(map_at(w, pid, len, hint, RW), hint);
	wr(w, pid, hint, 1);
	wr(w, pid, hint + len - PAGE, 2);
	assert_int_equal(counters(w, pid).rss_anon, 2);
	/* PAGEOUT and COLD walk every page of their range: 2 MiB at each end */
	world_ok(w, mmm_madvise(w, pid, hint, PMD_SIZE, MMM_MADV_PAGEOUT));
	world_ok(w, mmm_madvise(w, pid, hint + len - PMD_SIZE, PMD_SIZE, MMM_MADV_PAGEOUT));
	assert_int_equal(counters(w, pid).rss_swap, 2);
	world_ok(w, mmm_madvise(w, pid, hint + len - PMD_SIZE, PMD_SIZE, MMM_MADV_COLD));
	world_ok(w, mmm_madvise(w, pid, hint, len, MMM_MADV_DONTFORK));
	world_ok(w, mmm_madvise(w, pid, hint, len, MMM_MADV_NOHUGEPAGE));
	assert_int_equal(rd(w, pid, hint + len - PAGE), 2);
	world_ok(w, mmm_munmap(w, pid, hint, len));
	assert_int_equal(counters(w, pid).rss_anon + counters(w, pid).rss_swap, 0);
	/* the last page below 2^47 */
	assert_int_equal(map_at(w, pid, PAGE, TOP - PAGE, RW), TOP - PAGE);
	wr(w, pid, TOP - 1, 3);
	assert_int_equal(rd(w, pid, TOP - PAGE), 3);

	c.frames = 1;
	c.swap_slots = 1;
	assert_int_equal(mmm_world_create(&c, &tiny), 0);
	tp = new_process(tiny);
	ta = map(tiny, tp, 4 * PAGE, RW);
	wr(tiny, tp, ta, 1);
	world_err(tiny, mmm_write(tiny, tp, ta + PAGE, 2), -ENOMEM);
	world_err(tiny, mmm_madvise(tiny, tp, ta, PAGE, MMM_MADV_PAGEOUT), -ENOMEM);
	assert_int_equal(rd(tiny, tp, ta), 1);
	world_ok(tiny, mmm_exit(tiny, tp));
	mmm_world_destroy(tiny);
}

/*
 * Both architectures run the same paths: an arm64 world (4 KiB granule,
 * no config modifiers) through fault, fork, COW, swap-out and swap-in, with
 * the rule-given counts (§3.8, E2-1, §7.4).
 */
static void test_arm64_world(void **state)
{
	struct mmm_world_config c = default_config();
	mmm_world *w = NULL;
	mmm_pid p, ch;
	uint64_t a, i;
	struct mmm_fault_counters c0;

	(void)state;
	c.arch = MMM_ARCH_ARM64;
	assert_int_equal(mmm_world_create(&c, &w), 0);
	p = new_process(w);
	a = map(w, p, 8 * PAGE, RW);
	c0 = counters(w, p);
	for (i = 0; i < 8; i++)
		wr(w, p, a + i * PAGE, i);
	assert_faults_since(w, p, &c0, 8, 0);
	assert_int_equal(mmm_pte_write(MMM_ARCH_ARM64, page(w, p, a).entry), 1);
	world_ok(w, mmm_fork(w, p, &ch));
	c0 = counters(w, ch);
	wr(w, ch, a, 100);
	assert_faults_since(w, ch, &c0, 1, 0);
	world_ok(w, mmm_exit(w, ch));
	world_ok(w, mmm_madvise(w, p, a + PAGE, 7 * PAGE, MMM_MADV_PAGEOUT));
	c0 = counters(w, p);
	for (i = 1; i < 8; i++) {
		assert_int_equal(rd(w, p, a + i * PAGE), i);
		wr(w, p, a + i * PAGE, i + 10);
	}
	assert_faults_since(w, p, &c0, 0, 7);
	mmm_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_refused),
		cmocka_unit_test(test_null_world),
		cmocka_unit_test_setup_teardown(test_bad_arguments, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_extremes, world_setup, world_teardown),
		cmocka_unit_test(test_arm64_world),
	};

	return cmocka_run_group_tests_name("world_hostile", tests, NULL, NULL);
}
