/* SPDX-License-Identifier: MIT */
/*
 * userfaultfd write-protect and soft-dirty through the C interface (issue 6).
 *
 * Expected values follow fault-fork-rmap-semantics.md §6.1 (clear_refs),
 * §6.2 (uffd-wp: protect, trap, markers), §2.10 (fork), §7.3 (fault costs),
 * R-ACCT-3, and the kernel functions named in each test (Linux 6.18,
 * x86-64 live config; the marker fault costs were also seen on the live
 * kernel).
 */
#include "world_test.h"

static struct mmm_pte_info decode(uint64_t pte)
{
	struct mmm_pte_info i;

	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	assert_int_equal(mmm_pte_decode(ARCH, pte, &i), 0);
	return i;
}

static struct mmm_uffd_event event(mmm_world *w, uint64_t index)
{
	struct mmm_uffd_event e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	world_ok(w, mmm_uffd_event_get(w, index, &e));
	return e;
}

static uint64_t event_count(mmm_world *w)
{
	uint64_t n = 99;

	world_ok(w, mmm_uffd_event_count(w, &n));
	return n;
}

/*
 * §6.2 W1 + R-ACCT-3: a protected exclusive page traps once per write (1
 * minor), the monitor's event names the page, and the unprotect maps it
 * writable (AE, VM_WRITE, 6.3+).
 */
static void test_protect_trap_unprotect(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 2 * PAGE, RW);
	struct mmm_fault_counters c0;
	struct mmm_uffd_event e;
	struct mmm_page_state s;

	wr(w, pid, a, 1);
	wr(w, pid, a + PAGE, 1);
	world_ok(w, mmm_uffd_register_wp(w, pid, a, 2 * PAGE, 0));
	world_ok(w, mmm_uffd_writeprotect(w, pid, a, 2 * PAGE, 1));
	s = page(w, pid, a);
	assert_int_equal(mmm_pte_uffd_wp(ARCH, s.entry), 1);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 0);
	assert_int_equal(event_count(w), 0);

	c0 = counters(w, pid);
	wr(w, pid, a, 2);
	assert_faults_since(w, pid, &c0, 1, 0);
	assert_int_equal(event_count(w), 1);
	e = event(w, 0);
	assert_int_equal(e.pid, pid);
	assert_int_equal(e.address, a);
	assert_int_equal(e.flags, MMM_UFFD_EVENT_WRITE);
	s = page(w, pid, a);
	assert_int_equal(mmm_pte_uffd_wp(ARCH, s.entry), 0);
	assert_int_equal(mmm_pte_write(ARCH, s.entry), 1);
	assert_int_equal(rd(w, pid, a), 2);

	/* Unregister drops the protection of the neighbour: no trap after it. */
	world_ok(w, mmm_uffd_unregister(w, pid, a, 2 * PAGE));
	assert_int_equal(mmm_pte_uffd_wp(ARCH, page(w, pid, a + PAGE).entry), 0);
	wr(w, pid, a + PAGE, 3);
	assert_int_equal(event_count(w), 1);
}

/*
 * WP_UNPOPULATED (6.4+): protecting none PTEs installs UFFD_WP markers
 * (change_pte_range, make_pte_marker): kind MARKER, type 31, marker bit
 * UFFD_WP. A write to a marker is 2 minor faults and 1 event
 * (handle_pte_marker → do_anonymous_page with UW, then the trap, §7.3).
 */
static void test_markers(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 4 * PAGE, RW);
	struct mmm_fault_counters c0;
	struct mmm_pte_info i;
	struct mmm_page_state s;

	world_ok(w, mmm_uffd_register_wp(w, pid, a, 4 * PAGE, MMM_UFFD_FEATURE_WP_UNPOPULATED));
	world_ok(w, mmm_uffd_writeprotect(w, pid, a, 4 * PAGE, 1));
	s = page(w, pid, a + PAGE);
	i = decode(s.entry);
	assert_int_equal(i.kind, MMM_PTE_KIND_MARKER);
	assert_int_equal(i.swp_type, 31);
	assert_int_equal(i.marker, MMM_PTE_MARKER_UFFD_WP);

	c0 = counters(w, pid);
	wr(w, pid, a + PAGE, 5);
	assert_faults_since(w, pid, &c0, 2, 0);
	assert_int_equal(event_count(w), 1);
	assert_int_equal(event(w, 0).address, a + PAGE);
	assert_int_equal(rd(w, pid, a + PAGE), 5);

	/* A read of a marker: the zero page with UW, 1 minor, no event. */
	c0 = counters(w, pid);
	assert_int_equal(rd(w, pid, a + 2 * PAGE), 0);
	assert_faults_since(w, pid, &c0, 1, 0);
	s = page(w, pid, a + 2 * PAGE);
	assert_int_equal(s.zero_page, 1);
	assert_int_equal(mmm_pte_uffd_wp(ARCH, s.entry), 1);

	/* Unprotect drops a marker (MM_CP_UFFD_WP_RESOLVE): the PTE is none. */
	world_ok(w, mmm_uffd_writeprotect(w, pid, a + 3 * PAGE, PAGE, 0));
	assert_int_equal(decode(page(w, pid, a + 3 * PAGE).entry).kind, MMM_PTE_KIND_NONE);
	assert_int_equal(event_count(w), 1);
}

/* WP_ASYNC (6.7+, W2): the kernel clears UW in the fault: no event, 1 minor. */
static void test_async(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);
	struct mmm_fault_counters c0;

	wr(w, pid, a, 1);
	world_ok(w, mmm_uffd_register_wp(w, pid, a, PAGE, MMM_UFFD_FEATURE_WP_ASYNC));
	world_ok(w, mmm_uffd_writeprotect(w, pid, a, PAGE, 1));
	c0 = counters(w, pid);
	wr(w, pid, a, 2);
	assert_faults_since(w, pid, &c0, 1, 0);
	assert_int_equal(event_count(w), 0);
}

/*
 * Kernel eras: 6.1 has neither WP_UNPOPULATED (6.4) nor WP_ASYNC (6.7), and
 * its unprotect leaves the page read-only (931298e103c2 is 6.3): the next
 * write is a reuse fault.
 */
static void test_eras(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid;
	uint64_t a;
	struct mmm_fault_counters c0;

	world_ok(w, mmm_world_set_preset(w, "6.1"));
	pid = new_process(w);
	a = map(w, pid, PAGE, RW);
	wr(w, pid, a, 1);
	world_err(w, mmm_uffd_register_wp(w, pid, a, PAGE, MMM_UFFD_FEATURE_WP_UNPOPULATED), -EINVAL);
	assert_msg_has(w, "6.4");
	world_err(w, mmm_uffd_register_wp(w, pid, a, PAGE, MMM_UFFD_FEATURE_WP_ASYNC), -EINVAL);
	world_ok(w, mmm_uffd_register_wp(w, pid, a, PAGE, 0));
	world_ok(w, mmm_uffd_writeprotect(w, pid, a, PAGE, 1));
	world_ok(w, mmm_uffd_writeprotect(w, pid, a, PAGE, 0));
	assert_int_equal(mmm_pte_write(ARCH, page(w, pid, a).entry), 0);
	c0 = counters(w, pid);
	wr(w, pid, a, 2);
	assert_faults_since(w, pid, &c0, 1, 0);
	assert_int_equal(event_count(w), 0);
}

/*
 * §6.1: clear_refs is a stub without CONFIG_MEM_SOFT_DIRTY (this config);
 * the page stays writable.
 */
static void test_clear_refs_without_soft_dirty(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);

	wr(w, pid, a, 1);
	world_ok(w, mmm_clear_refs_soft_dirty(w, pid));
	assert_int_equal(mmm_pte_write(ARCH, page(w, pid, a).entry), 1);
	world_err(w, mmm_clear_refs_soft_dirty(w, 77), -ESRCH);
}

/* Hostile arguments: negative errno values, never a trap. */
static void test_hostile(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 2 * PAGE, RW), n;
	struct mmm_uffd_event e;

	assert_int_equal(mmm_uffd_register_wp(NULL, pid, a, PAGE, 0), -EINVAL);
	assert_int_equal(mmm_uffd_unregister(NULL, pid, a, PAGE), -EINVAL);
	assert_int_equal(mmm_uffd_writeprotect(NULL, pid, a, PAGE, 1), -EINVAL);
	assert_int_equal(mmm_uffd_event_count(NULL, &n), -EINVAL);
	assert_int_equal(mmm_uffd_event_get(NULL, 0, &e), -EINVAL);
	assert_int_equal(mmm_clear_refs_soft_dirty(NULL, pid), -EINVAL);
	world_err(w, mmm_uffd_register_wp(w, pid, a, PAGE, 0x80000000u), -EINVAL);
	world_err(w, mmm_uffd_register_wp(w, pid, a + 1, PAGE, 0), -EINVAL);
	world_err(w, mmm_uffd_register_wp(w, pid, a, 0, 0), -EINVAL);
	world_err(w, mmm_uffd_register_wp(w, pid, UINT64_MAX & ~(PAGE - 1), PAGE, 0), -EINVAL);
	world_err(w, mmm_uffd_register_wp(w, pid, a, UINT64_MAX & ~(PAGE - 1), 0), -EINVAL);
	world_err(w, mmm_uffd_register_wp(w, 0, a, PAGE, 0), -ESRCH);
	world_err(w, mmm_uffd_register_wp(w, -5, a, PAGE, 0), -ESRCH);
	world_err(w, mmm_uffd_register_wp(w, pid, a + 64 * PAGE, PAGE, 0), -EFAULT);
	world_err(w, mmm_uffd_writeprotect(w, pid, a, PAGE, 1), -EINVAL);      /* not registered */
	assert_msg_has(w, "ENOENT");
	world_ok(w, mmm_uffd_register_wp(w, pid, a, PAGE, 0));
	world_err(w, mmm_uffd_writeprotect(w, pid, a, PAGE, 2), -EINVAL);
	world_err(w, mmm_uffd_writeprotect(w, pid, a, PAGE, -1), -EINVAL);
	world_err(w, mmm_uffd_writeprotect(w, pid, a, 2 * PAGE, 1), -EINVAL); /* second page unregistered */
	world_err(w, mmm_uffd_writeprotect(w, pid, a, 3 * PAGE, 1), -EINVAL);
	world_err(w, mmm_uffd_unregister(w, pid, a, 64 * PAGE), -EFAULT);
	world_err(w, mmm_uffd_event_count(w, NULL), -EINVAL);
	world_err(w, mmm_uffd_event_get(w, 0, NULL), -EINVAL);
	memset(&e, 0, sizeof(e));
	e.size = 4;
	world_err(w, mmm_uffd_event_get(w, 0, &e), -EINVAL);
	e.size = sizeof(e);
	world_err(w, mmm_uffd_event_get(w, 0, &e), -ERANGE);
	world_err(w, mmm_uffd_event_get(w, UINT64_MAX, &e), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_protect_trap_unprotect, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_markers, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_async, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_eras, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_clear_refs_without_soft_dirty, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_hostile, world_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("uffd", tests, NULL, NULL);
}
