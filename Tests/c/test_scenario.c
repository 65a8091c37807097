/* SPDX-License-Identifier: MIT */
/*
 * Scenarios from C (issue 5, item 6): mmm_scenario_run(), _run_file(),
 * _run_cb(), the result handle, and every documented error for hostile
 * arguments and hostile scripts. Expected fault counts and page states are
 * those of examples/scenarios/fork-parent-writes.mmm (spec semantics §2.6,
 * §3.3, §7.3, §8.1).
 */
#include "mmmodel_cmocka.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char fork_script[] =
	"# fork, then the parent writes (spec semantics 2.6, 3.3, 7.3)\n"
	"arch x86_64\n"
	"map A 16 pages\n"
	"write A[*] 1\n"
	"fork child {\n"
	"    pause\n"
	"}\n"
	"snapshot forked\n"
	"expect A[*] present !exclusive !writable shared-with child count=2\n"
	"phase cow\n"
	"write A[*] 2\n"
	"expect faults minor=16 major=0\n"
	"expect A[*] present exclusive writable == 2\n";

static mmm_scenario *run_text(const char *text, uint32_t flags)
{
	mmm_scenario *s = NULL;

	mmm_assert_ok(mmm_scenario_run(text, strlen(text), flags, &s));
	assert_non_null(s);
	return s;
}

static void test_pass(void **state)
{
	struct mmm_scenario_status st = { .size = sizeof(st) };
	mmm_scenario *s = run_text(fork_script, 0);
	size_t len = 0;
	const char *t = mmm_scenario_text(s, &len);

	(void)state;
	assert_int_equal(mmm_scenario_status(s, &st), 0);
	assert_int_equal(mmm_scenario_status(s, NULL), 0);
	assert_int_equal(st.size, sizeof(st));
	assert_int_equal(st.passed, 1);
	assert_int_equal(st.held, 3);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.stopped, 0);
	assert_int_equal(st.error_line, 0);
	assert_int_equal(st.snapshots, 2); /* forked, end */
	assert_int_equal(len, strlen(t));
	assert_true(strncmp(t, "mmm-observation 1\nconfig arch=x86_64 ", 37) == 0);
	assert_non_null(strstr(t, "snapshot forked line=8\n  process parent\n"
				  "    A[0..15] present frame=f1..f16 count=2 kpf=anon data=1 shared=child:A[0..15]\n"));
	assert_non_null(strstr(t, "phase parent cow minor=16 major=0\n"));
	assert_non_null(strstr(t, "\nresult pass held=3 failed=0\n"));
	assert_null(strstr(t, "| pte="));
	assert_string_equal(mmm_scenario_errmsg(s), "");
	mmm_scenario_free(s);
}

static void test_verbose_and_json(void **state)
{
	mmm_scenario *v = run_text(fork_script, MMM_SCENARIO_VERBOSE);
	mmm_scenario *j = run_text(fork_script, MMM_SCENARIO_JSON);
	mmm_scenario *vj = run_text(fork_script, MMM_SCENARIO_JSON | MMM_SCENARIO_VERBOSE);
	const char *jt = mmm_scenario_text(j, NULL);

	(void)state;
	assert_non_null(strstr(mmm_scenario_text(v, NULL), "| pte=d"));
	assert_true(strncmp(jt, "{\"format\":\"mmm-observation\",\"version\":1,", 40) == 0);
	/* One object, one line. */
	assert_ptr_equal(strchr(jt, '\n'), jt + strlen(jt) - 1);
	assert_non_null(strstr(jt, "\"result\":\"pass\""));
	assert_null(strstr(jt, "\"pte_write\""));
	assert_non_null(strstr(mmm_scenario_text(vj, NULL), "\"pte_write\":false"));
	mmm_scenario_free(v);
	mmm_scenario_free(j);
	mmm_scenario_free(vj);
}

static void test_failed_expectation(void **state)
{
	static const char text[] =
		"map A 4 pages\n"
		"write A[*] 1\n"
		"expect faults minor=3\n"          /* 4 first-touch faults (§3.8) */
		"expect A[0..3] == 1\n"
		"expect A[2] swapped\n";
	struct mmm_scenario_status st = { .size = sizeof(st) };
	mmm_scenario *s = run_text(text, 0);
	const char *msg = mmm_scenario_errmsg(s);

	(void)state;
	assert_int_equal(mmm_scenario_status(s, &st), 1);
	assert_int_equal(st.passed, 0);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.stopped, 0);
	assert_true(strncmp(msg, "line 3: 'expect faults minor=3': parent phase start has minor=4", 63) == 0);
	assert_non_null(strstr(msg, "\nline 5: 'expect A[2] swapped' in parent: A[2] is not swapped"));
	assert_non_null(strstr(mmm_scenario_text(s, NULL), "\nfail line=3 "));
	assert_non_null(strstr(mmm_scenario_text(s, NULL), "\nresult fail held=1 failed=2\n"));
	mmm_scenario_free(s);
}

static void test_stopped_runs(void **state)
{
	static const struct {
		const char *text;
		uint32_t line;
		const char *msg;
	} cases[] = {
		{ "map A 4 pages\nwirte A[0] 1\n", 2, "line 2: unknown operation 'wirte'" },
		{ "map A 4 pages ro\nwrite A[0] 1\n", 2, "line 2: 'write A[0] 1' in parent failed: SIGSEGV" },
		{ "map A 4 pages\ncollapse A[1]\n", 2, "line 2: 'collapse A[1]' in parent failed: " },
		{ "frames 2\nmap A 4 pages\nwrite A[*] 1\n", 3, "line 3: 'write A[*] 1' in parent failed: out of memory" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(cases); i++) {
		struct mmm_scenario_status st = { .size = sizeof(st) };
		mmm_scenario *s = run_text(cases[i].text, 0);

		assert_int_equal(mmm_scenario_status(s, &st), 1);
		assert_int_equal(st.stopped, 1);
		assert_int_equal(st.error_line, cases[i].line);
		assert_true(strncmp(mmm_scenario_errmsg(s), cases[i].msg, strlen(cases[i].msg)) == 0);
		assert_non_null(strstr(mmm_scenario_text(s, NULL), " stopped\n"));
		mmm_scenario_free(s);
	}
}

/* Scripts with numbers beyond every limit stop with a message, never crash. */
static void test_hostile_scripts(void **state)
{
	static const char *const texts[] = {
		"map A 99999999999999999999999 pages\n",
		"map A 67108865 pages\n",
		"map A 4 pages\nwrite A[0..9223372036854775807] 1\n",
		"map A 4 pages\nwrite A[99999999999999999999] 1\n",
		"map A 4 pages\nwrite A[0] 99999999999999999999999\n",
		"map A 4 pages\nwrite A[0] 256\n",
		"map A 4 pages\nexpect faults minor=99999999999999999999999\n",
		"map A 4 pages\nexpect A[0] count=99999999999\n",
		"frames 99999999999999999999\n",
		"page-cluster 4294967296\n",
		"map A 1 pages align 99999999999G\n",
		"map A 1 pages align 3K\n",
		"map A 4 pages\nmprotect A[3..2] ro\n",
		"map A 4 pages\nresume nobody\n",
		/* 2^26 pages: the end snapshot would observe more than 2^22 pages. */
		"map A 67108864 pages\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(texts); i++) {
		struct mmm_scenario_status st = { .size = sizeof(st) };
		mmm_scenario *s = run_text(texts[i], 0);

		assert_int_equal(mmm_scenario_status(s, &st), 1);
		assert_int_equal(st.stopped, 1);
		assert_true(strlen(mmm_scenario_errmsg(s)) > 0);
		mmm_scenario_free(s);
	}
}

/* 200 nested fork blocks and a chain of 200 resumes: refused, not a stack overflow. */
static void test_deep_nesting(void **state)
{
	char *text = malloc(200 * 32 + 64);
	size_t n = 0;
	int i;
	mmm_scenario *s;
	struct mmm_scenario_status st = { .size = sizeof(st) };

	(void)state;
	assert_non_null(text);
	for (i = 0; i < 200; i++)
		n += (size_t)sprintf(text + n, "fork c%d {\n", i);
	for (i = 0; i < 200; i++)
		n += (size_t)sprintf(text + n, "}\n");
	s = run_text(text, 0);
	assert_int_equal(mmm_scenario_status(s, &st), 1);
	assert_int_equal(st.error_line, 65);
	assert_non_null(strstr(mmm_scenario_errmsg(s), "nest more than 64 deep"));
	mmm_scenario_free(s);

	/* c_i pauses at once; the parent resumes c0, c0 resumes c1, ... */
	n = 0;
	for (i = 0; i < 100; i++)
		n += (size_t)sprintf(text + n, "fork c%d {\npause\nresume c%d\n}\n", i, i + 1);
	n += (size_t)sprintf(text + n, "resume c0\n");
	s = run_text(text, 0);
	assert_int_equal(mmm_scenario_status(s, &st), 1);
	assert_int_equal(st.stopped, 1);
	assert_non_null(strstr(mmm_scenario_errmsg(s), "blocks running inside one another"));
	mmm_scenario_free(s);
	free(text);
}

static void test_hostile_arguments(void **state)
{
	mmm_scenario *s = (mmm_scenario *)&s;   /* must stay untouched */
	struct mmm_scenario_status st = { .size = sizeof(st) - 1 };
	static const char bad_utf8[] = "map A 4 pages\nwrite A[0] 1 # \xff\xfe\n";
	static const char overlong[] = "map A 4 pages # \xc0\xaf\n";
	mmm_scenario *ok = run_text("map A 1 pages\n", 0);

	(void)state;
	mmm_assert_errno(mmm_scenario_run(NULL, 5, 0, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run(NULL, 0, 0, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run("map A 1 pages\n", 0, 0, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run("map A 1 pages\n", 14, 0, NULL), -EINVAL);
	mmm_assert_errno(mmm_scenario_run("map A 1 pages\n", SIZE_MAX, 0, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run("map A 1 pages\n", 14, 0x4, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run("map A 1 pages\n", 14, UINT32_MAX, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run(bad_utf8, sizeof(bad_utf8) - 1, 0, &s), -EILSEQ);
	mmm_assert_errno(mmm_scenario_run(overlong, sizeof(overlong) - 1, 0, &s), -EILSEQ);
	assert_ptr_equal(s, (mmm_scenario *)&s);
	assert_string_equal(mmm_strerror(-EILSEQ), "Invalid or incomplete multibyte or wide character");

	mmm_assert_errno(mmm_scenario_status(NULL, NULL), -EINVAL);
	mmm_assert_errno(mmm_scenario_status(ok, &st), -EINVAL);
	assert_string_equal(mmm_scenario_text(NULL, NULL), "");
	assert_string_equal(mmm_scenario_errmsg(NULL), "");
	{
		size_t len = 99;

		assert_string_equal(mmm_scenario_text(NULL, &len), "");
		assert_int_equal(len, 0);
	}
	mmm_scenario_free(NULL);
	mmm_scenario_free(ok);

	/* A NUL byte inside the text is a byte of a word, refused by the parser. */
	s = NULL;
	mmm_assert_ok(mmm_scenario_run("map A\0 1 pages\n", 15, 0, &s));
	assert_int_equal(mmm_scenario_status(s, NULL), 1);
	mmm_scenario_free(s);
}

struct lines {
	int count;
	char first[64];
	char last[64];
};

static void collect(const char *line, void *ctx)
{
	struct lines *l = ctx;

	assert_null(strchr(line, '\n'));
	if (l->count == 0)
		snprintf(l->first, sizeof(l->first), "%s", line);
	snprintf(l->last, sizeof(l->last), "%s", line);
	l->count++;
}

static void test_callback(void **state)
{
	struct lines l = { 0 };
	mmm_scenario *s = run_text(fork_script, 0);
	const char *t = mmm_scenario_text(s, NULL);
	int newlines = 0;

	(void)state;
	for (; *t; t++)
		newlines += *t == '\n';
	assert_int_equal(mmm_scenario_run_cb(fork_script, strlen(fork_script), 0, collect, &l), 0);
	assert_int_equal(l.count, newlines);
	assert_string_equal(l.first, "mmm-observation 1");
	assert_string_equal(l.last, "result pass held=3 failed=0");
	mmm_scenario_free(s);

	memset(&l, 0, sizeof(l));
	assert_int_equal(mmm_scenario_run_cb(fork_script, strlen(fork_script), MMM_SCENARIO_JSON, collect, &l), 0);
	assert_int_equal(l.count, 1);

	memset(&l, 0, sizeof(l));
	assert_int_equal(mmm_scenario_run_cb("map A 1 pages\nexpect A[0] present\n", 34, 0, collect, &l), 1);
	assert_string_equal(l.last, "result fail held=0 failed=1");

	memset(&l, 0, sizeof(l));
	mmm_assert_errno(mmm_scenario_run_cb(fork_script, strlen(fork_script), 0, NULL, &l), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_cb(NULL, 4, 0, collect, &l), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_cb(fork_script, 0, 0, collect, &l), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_cb(fork_script, strlen(fork_script), 8, collect, &l), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_cb("\xff", 1, 0, collect, &l), -EILSEQ);
	assert_int_equal(l.count, 0);
}

static void write_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_run_file(void **state)
{
	char dir[] = "/tmp/mmm-scenario-XXXXXX";
	char path[128];
	mmm_scenario *s = NULL;
	struct mmm_scenario_status st = { .size = sizeof(st) };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fork.mmm", dir);
	write_file(path, fork_script, strlen(fork_script));
	mmm_assert_ok(mmm_scenario_run_file(path, 0, &s));
	assert_int_equal(mmm_scenario_status(s, &st), 0);
	assert_int_equal(st.held, 3);
	{
		char want[256];

		snprintf(want, sizeof(want), "mmm-observation 1\nscenario %s\nconfig ", path);
		assert_true(strncmp(mmm_scenario_text(s, NULL), want, strlen(want)) == 0);
	}
	mmm_scenario_free(s);

	s = (mmm_scenario *)&s;
	mmm_assert_errno(mmm_scenario_run_file(NULL, 0, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_file(path, 0, NULL), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_file("", 0, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_file(path, 0x10, &s), -EINVAL);
	mmm_assert_errno(mmm_scenario_run_file("/nonexistent/x.mmm", 0, &s), -ENOENT);
	mmm_assert_errno(mmm_scenario_run_file(dir, 0, &s), -EISDIR);
	write_file(path, "", 0);
	mmm_assert_errno(mmm_scenario_run_file(path, 0, &s), -EINVAL);
	write_file(path, "map A 1 pages\n\x80\n", 16);
	mmm_assert_errno(mmm_scenario_run_file(path, 0, &s), -EILSEQ);
	assert_ptr_equal(s, (mmm_scenario *)&s);
	assert_string_equal(mmm_strerror(-ENOENT), "No such file or directory");
	assert_string_equal(mmm_strerror(-EISDIR), "Is a directory");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_verbose_and_json),
		cmocka_unit_test(test_failed_expectation),
		cmocka_unit_test(test_stopped_runs),
		cmocka_unit_test(test_hostile_scripts),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_hostile_arguments),
		cmocka_unit_test(test_callback),
		cmocka_unit_test(test_run_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
