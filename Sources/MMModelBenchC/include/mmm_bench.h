/*
 * mmm_bench.h - the C half of mmm-bench.
 *
 * Times mmm_ functions called through the C ABI (from C, as a C user calls
 * them) against reference C implementations of the same contract (ref.c),
 * in the same run, on the same inputs. The reference functions are noinline
 * and live in a separate translation unit from the timing loops, so both
 * sides pay one real function call per operation: the ratio is what the
 * Swift-backed library costs over a plain C library with the same rule and
 * the same argument checks.
 */
#ifndef MMM_BENCH_H
#define MMM_BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One line of the result table. Strings are static. */
struct mmmb_row {
	const char *op;       /* the mmm_ function */
	const char *arch;     /* "x86_64" / "arm64" */
	const char *variant;  /* what the inputs are, "" if nothing to add */
	const char *unit;     /* "op" or "PTE" (batches: time per PTE of the batch) */
	double abi_ns;        /* best of the repetitions, ns per unit, through the ABI */
	double ref_ns;        /* same for the reference C implementation */
	double target;        /* the largest acceptable abi_ns / ref_ns */
	uint64_t iters;       /* calls per measurement */
	uint32_t reps;        /* measurements per side */
};

/* Number of benchmark cases. */
int mmmb_case_count(void);

/*
 * Builds the inputs (deterministic) and checks that the reference and the ABI
 * agree on every input the benchmark uses, plus a set of edge and random
 * values (error paths, every kind, both flag APIs). Returns 0, or -1 with a
 * description of the first disagreement in @msg.
 */
int mmmb_verify(char *msg, size_t len);

/*
 * Times case @i (0 .. mmmb_case_count() - 1) and fills @out. @quick shortens
 * each measurement (about 20 ms instead of 200 ms, 3 repetitions instead of 5).
 * mmmb_verify() must have returned 0 first. Returns 0, or -1 for a bad @i.
 */
int mmmb_run_case(int i, int quick, struct mmmb_row *out);

#ifdef __cplusplus
}
#endif

#endif /* MMM_BENCH_H */
