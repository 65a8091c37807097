/*
 * mmm-bench fork benchmark, live-kernel side: fork() of a process holding
 * written private anonymous memory, timed in the parent. See live_fork.h.
 *
 * Only fork() itself is timed: copy_page_range() runs in the parent inside the
 * syscall, so the parent's clock around fork() covers the page-table copy the
 * model's World.fork does. The child _exit(0)s immediately; the parent reaps
 * it with waitpid() outside the timed region, so every run forks a process
 * whose memory is shared with no other live process (the previous child's
 * mappings are gone), as the model's runs do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "live_fork.h"

#define PMD_SIZE (2ul << 20)

uint64_t mmmb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int mmmb_thp_setting(const char *file, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	if (!buf || len == 0)
		return -1;
	snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/%s", file);
	f = fopen(path, "r");
	if (!f || !fgets(buf, (int)len, f)) {
		if (f)
			fclose(f);
		snprintf(buf, len, "unreadable");
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* A "Field:   123 kB" line of /proc/self/smaps_rollup, in kB; UINT64_MAX if absent. */
static uint64_t rollup_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	uint64_t v = UINT64_MAX;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int fail(struct mmmb_fork_result *out, const char *call)
{
	out->err = errno;
	out->failed = call;
	return -1;
}

int mmmb_live_fork(size_t bytes, int huge, int runs, struct mmmb_fork_result *out)
{
	double sorted[MMMB_FORK_MAX_RUNS];
	char *raw, *base;
	size_t off;
	int i;

	memset(out, 0, sizeof(*out));
	out->failed = "";
	if (bytes == 0 || bytes % PMD_SIZE || runs < 1 || runs > MMMB_FORK_MAX_RUNS) {
		errno = EINVAL;
		return fail(out, "arguments");
	}
	/* Over-map by 2 MiB and use the aligned part, so every PMD range is whole. */
	raw = mmap(NULL, bytes + PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return fail(out, "mmap");
	base = (char *)(((uintptr_t)raw + PMD_SIZE - 1) & ~(uintptr_t)(PMD_SIZE - 1));
	if (madvise(base, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0) {
		fail(out, huge ? "madvise(MADV_HUGEPAGE)" : "madvise(MADV_NOHUGEPAGE)");
		munmap(raw, bytes + PMD_SIZE);
		return -1;
	}
	for (off = 0; off < bytes; off += 4096)
		*(volatile uint64_t *)(base + off) = off | 1;
	out->pages = bytes / 4096;
	out->anon_huge_kb = rollup_kb("AnonHugePages");
	out->rss_anon_kb = rollup_kb("Anonymous");

	for (i = 0; i < runs; i++) {
		uint64_t t0, t1;
		pid_t pid;
		int status;

		t0 = mmmb_now_ns();
		pid = fork();
		if (pid == 0)
			_exit(0);
		t1 = mmmb_now_ns();
		if (pid < 0) {
			fail(out, "fork");
			munmap(raw, bytes + PMD_SIZE);
			return -1;
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		out->ns[i] = (double)(t1 - t0) / (double)out->pages;
	}
	out->runs = runs;
	memcpy(sorted, out->ns, sizeof(double) * (size_t)runs);
	qsort(sorted, (size_t)runs, sizeof(double), cmp_double);
	out->best_ns = sorted[0];
	out->median_ns = runs % 2 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
	munmap(raw, bytes + PMD_SIZE);
	return 0;
}
