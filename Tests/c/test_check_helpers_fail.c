/* SPDX-License-Identifier: MIT */
/*
 * The world assertions of mmmodel_cmocka.h in FAILING cases (style.md §5.5).
 *
 * Run as "test_check_helpers_fail CASE"; Tests/c/CMakeLists.txt registers
 * each case with WILL_FAIL and again with PASS_REGULAR_EXPRESSION on its
 * output.
 *
 * A world changed through the C interface alone is consistent (that is what
 * the checker guards), so the consistent/consistent_at cases cannot break one
 * for real; the per-rule breaks are Swift tests with test-only hooks. Here the
 * executable is linked with --wrap for mmm_world_check, mmm_violations_count
 * and mmm_violations_next (cmocka's usual way to mock a dependency): the real
 * check runs on a real world, and two violations are appended to what it
 * returns, shaped as the checker shapes INV-14 and INV-6 for the world's
 * page, so the helper's listing of every violation is what is tested.
 *
 * Cases:
 *   consistent     two injected violations -> "has 2 violations", one line each
 *   consistent_at  the same, given site
 *   pte            the parent's PTE expected as before fork, actual write-protected by
 *                  fork (§2.6; x86 pte_wrprotect moves Dirty to SavedDirty)
 *                  -> "differs  write dirty saved_dirty"
 *   pte_at         expected none, actual present, given site -> "differs  kind(none/present)"
 *   faults         one minor fault taken, 2 minor and 1 major expected
 *   faults_at      the same, given site
 */
#include "world_test.h"

/* --- The injection (linker --wrap) --------------------------------------- */

int __real_mmm_world_check(mmm_world *w, uint32_t flags, mmm_violations **out);
size_t __real_mmm_violations_count(const mmm_violations *v);
int __real_mmm_violations_next(mmm_violations *v, struct mmm_violation *out);
int __wrap_mmm_world_check(mmm_world *w, uint32_t flags, mmm_violations **out);
size_t __wrap_mmm_violations_count(const mmm_violations *v);
int __wrap_mmm_violations_next(mmm_violations *v, struct mmm_violation *out);

static struct mmm_violation injected[2];
static size_t n_injected, n_handed;

int __wrap_mmm_world_check(mmm_world *w, uint32_t flags, mmm_violations **out)
{
	n_handed = 0;
	return __real_mmm_world_check(w, flags, out);
}

size_t __wrap_mmm_violations_count(const mmm_violations *v)
{
	return __real_mmm_violations_count(v) + n_injected;
}

int __wrap_mmm_violations_next(mmm_violations *v, struct mmm_violation *out)
{
	int r = __real_mmm_violations_next(v, out);

	if (r != 0 || n_handed >= n_injected)
		return r;
	*out = injected[n_handed++];
	return 1;
}

/* INV-14 on the PTE of (pid, addr) and INV-6 on its page, as check() words them. */
static void inject(mmm_world *w, mmm_pid pid, uint64_t addr)
{
	struct mmm_page_state s = page(w, pid, addr);

	memset(injected, 0, sizeof(injected));
	injected[0].size = sizeof(injected[0]);
	strcpy(injected[0].rule, "INV-14");
	injected[0].has = MMM_VIOLATION_HAS_ADDR | MMM_VIOLATION_HAS_ENTRY | MMM_VIOLATION_HAS_PFN;
	injected[0].pid = pid;
	injected[0].addr = addr;
	injected[0].entry = s.entry;
	injected[0].pfn = s.pfn;
	injected[0].message = "page mapped writable while mapped elsewhere too";
	injected[0].values = "mapcount=2";
	injected[1].size = sizeof(injected[1]);
	strcpy(injected[1].rule, "INV-6");
	injected[1].has = MMM_VIOLATION_HAS_PFN;
	injected[1].pfn = s.pfn;
	injected[1].message = "page mapcount differs from its PTE mappings";
	injected[1].values = "mapcount=1 rmap=2";
	n_injected = 2;
}

/* --- Cases ---------------------------------------------------------------- */

static void fail_consistent(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);

	wr(w, pid, a, 1);
	inject(w, pid, a);
	mmm_assert_consistent(w);
}

static void fail_consistent_at(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);

	wr(w, pid, a, 1);
	inject(w, pid, a);
	mmm_assert_consistent_at(w, "caller.c", 4545);
}

/* §2.6: fork write-protects the parent's PTE; expecting the PTE of before fork fails. */
static void fail_pte(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w), child = 0;
	uint64_t a = map(w, pid, PAGE, RW), writable;

	wr(w, pid, a, 1);
	writable = page(w, pid, a).entry;
	world_ok(w, mmm_fork(w, pid, &child));
	mmm_assert_pte(w, pid, a, writable);
}

static void fail_pte_at(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);

	wr(w, pid, a, 1);
	mmm_assert_pte_at(w, pid, a, 0, "caller.c", 4646);
}

/* §7.1: one first-touch write is 1 minor, 0 major. */
static void fail_faults(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);

	wr(w, pid, a, 1);
	mmm_assert_faults(w, pid, 2, 1);
}

static void fail_faults_at(void **state)
{
	mmm_world *w = *state;
	mmm_pid pid = new_process(w);
	uint64_t a = map(w, pid, PAGE, RW);

	wr(w, pid, a, 1);
	mmm_assert_faults_at(w, pid, 1, 1, "caller.c", 4747);
}

static const struct {
	const char *name;
	CMUnitTestFunction fn;
} cases[] = {
	{ "consistent", fail_consistent },
	{ "consistent_at", fail_consistent_at },
	{ "pte", fail_pte },
	{ "pte_at", fail_pte_at },
	{ "faults", fail_faults },
	{ "faults_at", fail_faults_at },
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
			test[0].setup_func = world_setup;
			test[0].teardown_func = world_teardown;
			return cmocka_run_group_tests_name("check_helpers_fail", test, NULL, NULL);
		}
	}
	fprintf(stderr, "%s: unknown case %s\n", argv[0], argv[1]);
	return 2;
}
