/* SPDX-License-Identifier: MIT */
/*
 * cmocka_example - a small cmocka test of PTE rules, written with the
 * assertions of mmmodel_cmocka.h. Copy it to start your own.
 *
 * Demonstrates:
 *   - one #include for cmocka and MMModel: "mmmodel_cmocka.h";
 *   - mmm_assert_ok(): an mmm_ call succeeded (prints "-EINVAL (Invalid
 *     argument)" and the like when it did not);
 *   - mmm_assert_errno(): an mmm_ call failed with the error wanted;
 *   - mmm_assert_pte_equal(): two PTE values are the same (prints both with
 *     their decode, and what differs, when they are not);
 *   - the _at variants, inside a check function of your own, so a failure
 *     names the line of the test that called it.
 * Every test here passes. Build: cc -std=c99 example.c -lmmmodel -lcmocka
 * (or pkg-config --cflags --libs mmmodel cmocka).
 */
#include "mmmodel_cmocka.h"

/* Your own helper: the failure report names the caller's file and line. */
static void check_next_pfn_at(mmm_arch arch, uint64_t pte, uint64_t want,
			      const char *file, int line)
{
	uint64_t next = 0;

	mmm_assert_ok_at(mmm_pte_next_pfn(arch, pte, &next), file, line);
	mmm_assert_pte_equal_at(arch, want, next, file, line);
}
#define check_next_pfn(arch, pte, want) \
	check_next_pfn_at((arch), (pte), (want), __FILE__, __LINE__)

/* x86-64: write-protecting a dirty PTE moves the dirty bit to bit 58. */
static void test_wrprotect_keeps_dirty(void **state)
{
	uint64_t wp = 0;

	(void)state;
	mmm_assert_ok(mmm_pte_wrprotect(MMM_ARCH_X86_64, 0x8000000012345067ull, &wp));
	mmm_assert_pte_equal(MMM_ARCH_X86_64, 0x8400000012345025ull, wp);
	assert_int_equal(mmm_pte_dirty(MMM_ARCH_X86_64, wp), 1);
	assert_int_equal(mmm_pte_write(MMM_ARCH_X86_64, wp), 0);
}

/* Swap offsets move within 0 .. 2^50 - 1 and are refused outside it. */
static void test_swap_offset_bounds(void **state)
{
	uint64_t pte = 0, moved = 0;

	(void)state;
	/* Type 3, offset 0, exclusive, on x86-64. */
	pte = 0x1FFFFFFFFFFFFE08ull;
	mmm_assert_ok(mmm_pte_next_swp_offset(MMM_ARCH_X86_64, pte, &moved));
	mmm_assert_errno(mmm_pte_move_swp_offset(MMM_ARCH_X86_64, pte, -1, &moved), -ERANGE);
	mmm_assert_errno(mmm_pte_move_swp_offset(0, pte, 1, &moved), -EINVAL);
}

/* PFN stepping on both architectures, through the helper above. */
static void test_next_pfn(void **state)
{
	(void)state;
	check_next_pfn(MMM_ARCH_X86_64, 0x8000000012345067ull, 0x8000000012346067ull);
	/* PROT_NONE on x86-64 keeps the PFN inverted: the raw value goes down. */
	check_next_pfn(MMM_ARCH_X86_64, 0x000FFFFFEDCBA120ull, 0x000FFFFFEDCB9120ull);
	check_next_pfn(MMM_ARCH_ARM64, 0x0068000012345FC3ull, 0x0068000012346FC3ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrprotect_keeps_dirty),
		cmocka_unit_test(test_swap_offset_bounds),
		cmocka_unit_test(test_next_pfn),
	};

	return cmocka_run_group_tests_name("cmocka_example", tests, NULL, NULL);
}
