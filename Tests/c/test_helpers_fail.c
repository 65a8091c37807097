/* SPDX-License-Identifier: MIT */
/*
 * Every macro of mmmodel_cmocka.h, expanded in a FAILING case (style.md §5.5).
 *
 * Run as "test_helpers_fail CASE"; each CASE runs one test that must fail.
 * Tests/c/CMakeLists.txt registers each case twice: with WILL_FAIL (the test
 * must fail) and with PASS_REGULAR_EXPRESSION on its output (the failure
 * message must say why, in the model's terms).
 *
 * Cases:
 *   ok             mmm_assert_ok on -EINVAL        -> "-EINVAL (Invalid argument)"
 *   ok_at          mmm_assert_ok_at, given site    -> "caller.c:4242"
 *   errno          mmm_assert_errno, -EINVAL vs -ERANGE
 *   errno_success  mmm_assert_errno, 0 returned where -ERANGE was expected
 *   errno_at       mmm_assert_errno_at, given site
 *   pte_equal      mmm_assert_pte_equal, §1.5 PTE without the write bit -> "differs  write"
 *   pte_equal_swap mmm_assert_pte_equal, §2.5 swap PTEs differing in offset and exclusive
 *   pte_equal_at   mmm_assert_pte_equal_at, given site
 */
#include "mmmodel_cmocka.h"

#include <stdlib.h>

#define X86 MMM_ARCH_X86_64
#define ARM MMM_ARCH_ARM64

static void fail_ok(void **state)
{
	uint64_t out;

	(void)state;
	/* Unknown arch: -EINVAL. */
	mmm_assert_ok(mmm_pte_next_pfn(0, 0x8000000012345067ull, &out));
}

static void fail_ok_at(void **state)
{
	uint64_t out;

	(void)state;
	mmm_assert_ok_at(mmm_pte_move_swp_offset(X86, 0x1FFFFFFFFFFFFE08ull, -1, &out),
			 "caller.c", 4242);
}

static void fail_errno(void **state)
{
	uint64_t out;

	(void)state;
	/* A present PTE is not a swap PTE: -EINVAL, not -ERANGE. */
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x8000000012345067ull, 1, &out), -ERANGE);
}

static void fail_errno_success(void **state)
{
	uint64_t out;

	(void)state;
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x1FFFFFFFFFDB9608ull, 1, &out), -ERANGE);
}

static void fail_errno_at(void **state)
{
	(void)state;
	mmm_assert_errno_at(mmm_swp_entry(32, 0, NULL), 0, "caller.c", 4343);
}

static void fail_pte_equal(void **state)
{
	(void)state;
	/* §1.5 row 1 against the same PTE with RW (bit 1) clear. */
	mmm_assert_pte_equal(X86, 0x8000000012345067ull, 0x8000000012345065ull);
}

static void fail_pte_equal_swap(void **state)
{
	(void)state;
	/* §2.5: (3, 0x1234) exclusive against (3, 0x1235) without exclusive. */
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9608ull, 0x1FFFFFFFFFDB9400ull);
}

static void fail_pte_equal_at(void **state)
{
	(void)state;
	/* §3.6: hw-dirty against clean. */
	mmm_assert_pte_equal_at(ARM, 0x0068000012345F43ull, 0x0068000012345FC3ull,
				"caller.c", 4444);
}

static const struct {
	const char *name;
	CMUnitTestFunction fn;
} cases[] = {
	{ "ok", fail_ok },
	{ "ok_at", fail_ok_at },
	{ "errno", fail_errno },
	{ "errno_success", fail_errno_success },
	{ "errno_at", fail_errno_at },
	{ "pte_equal", fail_pte_equal },
	{ "pte_equal_swap", fail_pte_equal_swap },
	{ "pte_equal_at", fail_pte_equal_at },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CASE\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[1], cases[i].name) == 0) {
			struct CMUnitTest test[1];

			memset(test, 0, sizeof(test));
			test[0].name = cases[i].name;
			test[0].test_func = cases[i].fn;
			return cmocka_run_group_tests_name("helpers_fail", test, NULL, NULL);
		}
	}
	fprintf(stderr, "%s: unknown case %s\n", argv[0], argv[1]);
	return 2;
}
