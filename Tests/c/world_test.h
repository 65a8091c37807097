/* SPDX-License-Identifier: MIT */
/*
 * Shared fixtures and checks of the world tests (test_world_*.c).
 *
 * A test's world is in *state; world_setup() builds the default world
 * (mmm_world_config_init()), the other setups change one knob. Checks report
 * the caller's line and, for a failed call, the world's error message.
 */
#ifndef WORLD_TEST_H
#define WORLD_TEST_H

#include "mmmodel_cmocka.h"

#include <stdlib.h>

#define PAGE 4096ull
#define PMD_SIZE (2ull << 20)
/* The first address mmm_mmap() hands out without a hint (header, mmm_mmap()). */
#define MMAP_BASE 0x7f0000000000ull
#define RW (MMM_PROT_READ | MMM_PROT_WRITE)
#define ARCH (MMM_ARCH_X86_64 | MMM_ARCH_CFG_LIVE_6_18)

static inline struct mmm_world_config default_config(void)
{
	struct mmm_world_config c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	assert_int_equal(mmm_world_config_init(&c), 0);
	return c;
}

static inline int world_setup_with(void **state, const struct mmm_world_config *c)
{
	mmm_world *w = NULL;
	int ret = mmm_world_create(c, &w);

	*state = w;
	return ret;
}

static inline int world_setup(void **state)
{
	struct mmm_world_config c = default_config();

	return world_setup_with(state, &c);
}

static inline int world_teardown(void **state)
{
	mmm_world_destroy(*state);
	return 0;
}

/* Passes when @expr returns @expected; prints the world's message otherwise. */
static inline void _world_call(mmm_world *w, long long v, long long expected, const char *expr,
			       const char *file, int line)
{
	if (v != expected)
		print_error("world message: \"%s\"\n", mmm_world_errmsg(w));
	_mmm_assert_errno(v, expected, expr, file, line);
}
#define world_ok(w, expr) _world_call((w), (long long)(expr), 0, #expr, __FILE__, __LINE__)
#define world_err(w, expr, e) _world_call((w), (long long)(expr), (e), #expr, __FILE__, __LINE__)

static inline mmm_pid _new_process(mmm_world *w, const char *file, int line)
{
	mmm_pid pid = 0;

	_world_call(w, mmm_process_create(w, &pid), 0, "mmm_process_create", file, line);
	return pid;
}
#define new_process(w) _new_process((w), __FILE__, __LINE__)

static inline uint64_t _map(mmm_world *w, mmm_pid pid, uint64_t len, uint64_t hint, uint32_t prot,
			    const char *file, int line)
{
	uint64_t addr = 0;

	_world_call(w, mmm_mmap(w, pid, len, hint, prot, &addr), 0, "mmm_mmap", file, line);
	return addr;
}
#define map(w, pid, len, prot) _map((w), (pid), (len), 0, (prot), __FILE__, __LINE__)
#define map_at(w, pid, len, hint, prot) _map((w), (pid), (len), (hint), (prot), __FILE__, __LINE__)

static inline struct mmm_page_state _page(mmm_world *w, mmm_pid pid, uint64_t addr,
					  const char *file, int line)
{
	struct mmm_page_state s;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	_world_call(w, mmm_page_state(w, pid, addr, &s), 0, "mmm_page_state", file, line);
	return s;
}
#define page(w, pid, addr) _page((w), (pid), (addr), __FILE__, __LINE__)

static inline struct mmm_fault_counters _counters(mmm_world *w, mmm_pid pid, const char *file, int line)
{
	struct mmm_fault_counters c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	_world_call(w, mmm_fault_counters(w, pid, &c), 0, "mmm_fault_counters", file, line);
	return c;
}
#define counters(w, pid) _counters((w), (pid), __FILE__, __LINE__)

static inline uint64_t _rd(mmm_world *w, mmm_pid pid, uint64_t addr, const char *file, int line)
{
	uint64_t t = 0xdeadbeefdeadbeefull;

	_world_call(w, mmm_read(w, pid, addr, &t), 0, "mmm_read", file, line);
	return t;
}
#define rd(w, pid, addr) _rd((w), (pid), (addr), __FILE__, __LINE__)
#define wr(w, pid, addr, token) world_ok((w), mmm_write((w), (pid), (addr), (token)))

/*
 * Asserts the faults @pid took since @before was read: @minor and @major, as
 * getrusage() would count them (spec §7.1).
 */
static inline void _assert_faults_since(mmm_world *w, mmm_pid pid, const struct mmm_fault_counters *before,
					uint64_t minor, uint64_t major, const char *file, int line)
{
	struct mmm_fault_counters now = _counters(w, pid, file, line);
	uint64_t dmin = now.minor - before->minor, dmaj = now.major - before->major;

	if (dmin == minor && dmaj == major)
		return;
	print_error("assert_faults: pid %d (%s:%d)\n  expected %llu minor, %llu major\n"
		    "  took     %llu minor, %llu major\n", (int)pid, file, line,
		    (unsigned long long)minor, (unsigned long long)major,
		    (unsigned long long)dmin, (unsigned long long)dmaj);
	_fail(file, line);
}
#define assert_faults_since(w, pid, before, minor, major) \
	_assert_faults_since((w), (pid), (before), (minor), (major), __FILE__, __LINE__)

/* Asserts that two page states are identical, naming the page. */
static inline void _assert_same_page(const struct mmm_page_state *a, const struct mmm_page_state *b,
				     uint64_t addr, const char *file, int line)
{
	if (memcmp(a, b, sizeof(*a)) == 0)
		return;
	print_error("assert_same_page: page 0x%llx changed (%s:%d)\n"
		    "  before kind %u entry 0x%016llx pfn 0x%llx ref %d map %d ae %u token 0x%llx\n"
		    "  after  kind %u entry 0x%016llx pfn 0x%llx ref %d map %d ae %u token 0x%llx\n",
		    (unsigned long long)addr, file, line,
		    a->kind, (unsigned long long)a->entry, (unsigned long long)a->pfn, a->refcount,
		    a->mapcount, a->anon_exclusive, (unsigned long long)a->token,
		    b->kind, (unsigned long long)b->entry, (unsigned long long)b->pfn, b->refcount,
		    b->mapcount, b->anon_exclusive, (unsigned long long)b->token);
	_fail(file, line);
}
#define assert_same_page(a, b, addr) _assert_same_page((a), (b), (addr), __FILE__, __LINE__)

/* Asserts that the world's message contains @needle. */
static inline void _assert_msg_has(mmm_world *w, const char *needle, const char *file, int line)
{
	const char *m = mmm_world_errmsg(w);

	if (strstr(m, needle))
		return;
	print_error("assert_msg_has: \"%s\" not in \"%s\" (%s:%d)\n", needle, m, file, line);
	_fail(file, line);
}
#define assert_msg_has(w, needle) _assert_msg_has((w), (needle), __FILE__, __LINE__)

/* The counters fields that record faults and events, compared as a block. */
static inline void _assert_same_counters(const struct mmm_fault_counters *a, const struct mmm_fault_counters *b,
					 const char *file, int line)
{
	if (memcmp(a, b, sizeof(*a)) == 0)
		return;
	print_error("assert_same_counters: counters changed (%s:%d): minor %llu -> %llu, major %llu -> %llu, "
		    "page tables %llu -> %llu\n", file, line,
		    (unsigned long long)a->minor, (unsigned long long)b->minor,
		    (unsigned long long)a->major, (unsigned long long)b->major,
		    (unsigned long long)a->page_tables_allocated, (unsigned long long)b->page_tables_allocated);
	_fail(file, line);
}
#define assert_same_counters(a, b) _assert_same_counters((a), (b), __FILE__, __LINE__)

#endif /* WORLD_TEST_H */
