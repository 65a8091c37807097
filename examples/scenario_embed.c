/* SPDX-License-Identifier: MIT */
/*
 * scenario_embed - a cmocka test that embeds a scenario and asserts that its
 * expectations held. Copy it to start your own.
 *
 * The scenario language (docs/scenario-language.md) says what to do and what
 * procfs should show; mmm_scenario_run() runs it on the model. The test only
 * has to check the verdict, and print why when it is not a pass:
 * mmm_scenario_errmsg() names each failed expect line, and
 * mmm_scenario_text() is the whole observation (docs/observation-format.md),
 * the same text `mmm run` prints. Build: cc -std=c99 scenario_embed.c
 * -lmmmodel -lcmocka (or pkg-config --cflags --libs mmmodel cmocka).
 */
#include "mmmodel_cmocka.h"

/* Runs a scenario and fails the test, with the reasons, unless it passed. */
static void assert_scenario_passes_at(const char *text, const char *file, int line)
{
	mmm_scenario *s = NULL;
	struct mmm_scenario_status st = { .size = sizeof(st) };

	mmm_assert_ok_at(mmm_scenario_run(text, strlen(text), 0, &s), file, line);
	if (mmm_scenario_status(s, &st) != 0) {
		print_error("%s", mmm_scenario_text(s, NULL));
		print_error("scenario did not pass: %u held, %u failed%s\n%s\n", st.held, st.failed,
			    st.stopped ? ", stopped" : "", mmm_scenario_errmsg(s));
		mmm_scenario_free(s);
		_fail(file, line);
	}
	mmm_scenario_free(s);
}
#define assert_scenario_passes(text) assert_scenario_passes_at((text), __FILE__, __LINE__)

/*
 * The seed microbenchmark: fill, page out, read-then-write everything. Since
 * 6.11 a synchronous (zram) swap-in of an exclusive page maps it writable, so
 * the write after the read takes no second fault (spec semantics §7.4).
 */
static const char seed[] =
	"arch x86_64\n"
	"swap zram\n"
	"map A 64 pages\n"
	"phase fill\n"
	"write A[*] 1\n"
	"expect faults minor=64 major=0              # one first-touch fault a page (§3.8)\n"
	"pageout A[*]\n"
	"expect A[*] swapped\n"
	"phase loop\n"
	"readwrite A[*] 2\n"
	"expect faults minor=0 major=64              # §7.4, 6.11+\n"
	"expect A[*] present exclusive writable == 2\n";

static void test_seed_microbenchmark(void **state)
{
	(void)state;
	assert_scenario_passes(seed);
}

/* A child's write after fork copies the page; the parent keeps its frame (§3.3, §3.6). */
static const char fork_child_writes[] =
	"map A 8 pages\n"
	"write A[*] 1\n"
	"snapshot before\n"
	"fork child {\n"
	"    phase cow\n"
	"    write A[*] 2\n"
	"    expect faults minor=8 major=0\n"
	"    expect A[*] present exclusive == 2\n"
	"    expect A[*] !same-frame-as parent A[*]\n"
	"}\n"
	"expect A[*] present == 1 kept-frame since before\n";

static void test_fork_child_writes(void **state)
{
	(void)state;
	assert_scenario_passes(fork_child_writes);
}

/* The observation line by line, e.g. to keep only the lines you care about. */
static void count_phase_lines(const char *line, void *ctx)
{
	if (strncmp(line, "phase ", 6) == 0)
		(*(int *)ctx)++;
}

static void test_observation_lines(void **state)
{
	int phases = 0;

	(void)state;
	/* 0: every expectation held (1 would mean one failed or the run stopped). */
	assert_int_equal(mmm_scenario_run_cb(seed, strlen(seed), 0, count_phase_lines, &phases), 0);
	assert_int_equal(phases, 3);   /* parent start, fill, loop */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_microbenchmark),
		cmocka_unit_test(test_fork_child_writes),
		cmocka_unit_test(test_observation_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
