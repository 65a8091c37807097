/* SPDX-License-Identifier: MIT */
/*
 * Every macro of mmmodel_cmocka.h, expanded in a passing case (style.md §5.5).
 * The failing cases are in test_helpers_fail.c, registered with WILL_FAIL and
 * with a check of their output.
 */
#include "mmmodel_cmocka.h"

#define X86 MMM_ARCH_X86_64
#define ARM MMM_ARCH_ARM64

static int calls;

/* Counts its calls, so the tests can check each argument is evaluated once. */
static int counted(int v)
{
	calls++;
	return v;
}

static uint64_t counted64(uint64_t v)
{
	calls++;
	return v;
}

/* A user's own check function, reporting its caller's line through the _at macros. */
static void check_wrprotect_at(mmm_arch arch, uint64_t pte, uint64_t want,
			       const char *file, int line)
{
	uint64_t out = 0;

	mmm_assert_ok_at(mmm_pte_wrprotect(arch, pte, &out), file, line);
	mmm_assert_errno_at(mmm_pte_wrprotect(arch, pte, &out), 0, file, line);
	mmm_assert_pte_equal_at(arch, want, out, file, line);
}
#define check_wrprotect(arch, pte, want) \
	check_wrprotect_at((arch), (pte), (want), __FILE__, __LINE__)

/* mmm_assert_ok: 0 and positive counts pass; the expression is evaluated once. */
static void test_assert_ok_passes(void **state)
{
	uint64_t out;

	(void)state;
	calls = 0;
	mmm_assert_ok(counted(0));
	mmm_assert_ok(counted(7));
	assert_int_equal(calls, 2);
	mmm_assert_ok(mmm_pte_next_pfn(X86, 0x8000000012345067ull, &out));
	mmm_assert_ok(mmm_pte_present(X86, 0x8000000012345067ull)); /* 1 */
	mmm_assert_ok(mmm_pte_present(X86, 0)); /* 0 */
}

/* mmm_assert_errno: matches exactly, including 0 and counts. */
static void test_assert_errno_passes(void **state)
{
	uint64_t out;

	(void)state;
	calls = 0;
	mmm_assert_errno(counted(-EINVAL), counted(-EINVAL));
	assert_int_equal(calls, 2);
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x1FFFFFFFFFFFFE08ull, -1, &out), -ERANGE);
	mmm_assert_errno(mmm_pte_next_pfn(0, 0, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_next_pfn(X86, 0x8000000012345067ull, &out), 0);
	mmm_assert_errno(mmm_pte_present(ARM, 0x0068000012345FC3ull), 1);
}

/* mmm_assert_pte_equal: identical values pass; each argument is evaluated once. */
static void test_assert_pte_equal_passes(void **state)
{
	uint64_t out = 0;

	(void)state;
	calls = 0;
	mmm_assert_pte_equal((mmm_arch)counted(X86), counted64(0x8000000012345067ull),
			     counted64(0x8000000012345067ull));
	assert_int_equal(calls, 3);
	mmm_assert_ok(mmm_pte_wrprotect(X86, 0x8000000012345067ull, &out));
	mmm_assert_pte_equal(X86, 0x8400000012345025ull, out);
	mmm_assert_pte_equal(ARM, 0x00000000012340C4ull, 0x00000000012340C4ull);
	/* Even with an unknown arch, equal values pass without decoding. */
	mmm_assert_pte_equal(0xFFu, 0, 0);
}

/* The _at variants, through a user helper: §1.5 and §3.6 wrprotect rows. */
static void test_assert_at_variants_pass(void **state)
{
	(void)state;
	check_wrprotect(X86, 0x8000000012345067ull, 0x8400000012345025ull);
	check_wrprotect(ARM, 0x0068000012345F43ull, 0x00E0000012345FC3ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assert_ok_passes),
		cmocka_unit_test(test_assert_errno_passes),
		cmocka_unit_test(test_assert_pte_equal_passes),
		cmocka_unit_test(test_assert_at_variants_pass),
	};

	return cmocka_run_group_tests_name("helpers", tests, NULL, NULL);
}
