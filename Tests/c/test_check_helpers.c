/* SPDX-License-Identifier: MIT */
/*
 * The world assertions of mmmodel_cmocka.h in PASSING cases (style.md §5.5):
 * mmm_assert_consistent, mmm_assert_pte, mmm_assert_faults and their _at
 * variants. Their failing cases are in test_check_helpers_fail.c.
 *
 * Spec §3.8 / §7.1, Linux 6.18, x86-64 live config: a first write to an
 * anonymous page is one minor fault that maps a new AE page writable, young
 * and dirty; a read of a never-written page maps the zero page read-only and
 * special.
 */
#include "world_test.h"

static void test_world_assertions_pass(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, 4 * PAGE, RW), pte;
	struct mmm_page_state s;

	mmm_assert_consistent(w);
	mmm_assert_faults(w, pid, 0, 0);
	mmm_assert_pte(w, pid, a, 0);                      /* nothing mapped yet */
	wr(w, pid, a, 1);
	(void)rd(w, pid, a + PAGE);
	s = page(w, pid, a);
	/* §1.5: present, write, user, young, dirty, NX, the page's PFN. */
	pte = 0x8000000000000067ull | (s.pfn << 12);
	mmm_assert_pte(w, pid, a, pte);
	mmm_assert_pte_at(w, pid, a, pte, "caller.c", 1);
	mmm_assert_faults(w, pid, 2, 0);
	mmm_assert_faults_at(w, pid, 2, 0, "caller.c", 2);
	mmm_assert_consistent(w);
	mmm_assert_consistent_at(w, "caller.c", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_world_assertions_pass, world_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("check_helpers", tests, NULL, NULL);
}
