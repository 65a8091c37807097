/*
 * live_fork.h - the live-kernel half of mmm-bench's fork benchmark.
 *
 * mmmb_live_fork() maps private anonymous memory, writes every 4 KiB page,
 * then times fork() in the parent (the child _exit(0)s at once; the parent
 * waits for it between runs). The model half is in Sources/mmm-bench.
 */
#ifndef MMMB_LIVE_FORK_H
#define MMMB_LIVE_FORK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMMB_FORK_MAX_RUNS 64

struct mmmb_fork_result {
	uint64_t pages;            /* 4 KiB pages mapped and written */
	int runs;                  /* forks timed */
	double ns[MMMB_FORK_MAX_RUNS]; /* each fork, ns per 4 KiB page, in run order */
	double best_ns;            /* lowest, ns per page */
	double median_ns;          /* median, ns per page */
	uint64_t anon_huge_kb;     /* AnonHugePages of /proc/self/smaps_rollup with the
	                              region written (before the first fork); UINT64_MAX
	                              when it could not be read */
	uint64_t rss_anon_kb;      /* Anonymous of smaps_rollup at the same point */
	int err;                   /* 0, or the errno of the failing call */
	const char *failed;        /* the failing call, or "" */
};

/*
 * Maps @bytes (a multiple of 2 MiB) of private anonymous memory 2 MiB aligned,
 * madvise(MADV_HUGEPAGE) when @huge, else madvise(MADV_NOHUGEPAGE), writes one
 * word in every 4 KiB page, then times @runs forks (clock_gettime(CLOCK_MONOTONIC)
 * around fork() in the parent). Unmaps before returning. Returns 0, or -1 with
 * out->err / out->failed set.
 */
int mmmb_live_fork(size_t bytes, int huge, int runs, struct mmmb_fork_result *out);

/*
 * Copies the first line of /sys/kernel/mm/transparent_hugepage/@file (e.g.
 * "enabled", "defrag", "hugepages-2048kB/enabled") into @buf, without the
 * newline. Returns 0, or -1 (buf then holds "unreadable").
 */
int mmmb_thp_setting(const char *file, char *buf, size_t len);

/* CLOCK_MONOTONIC in ns, for the Swift side's timing. */
uint64_t mmmb_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* MMMB_LIVE_FORK_H */
