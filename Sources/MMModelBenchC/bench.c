/*
 * mmm-bench timing loops: the mmm_ functions through the C ABI against the
 * reference C implementations in ref.c, same run, same inputs.
 *
 * Method (also printed by mmm-bench):
 * - Both sides are called from C, directly (no function pointers), one real
 *   call per operation: the reference functions are noinline and compiled in
 *   another translation unit, so neither side can be inlined into the loop.
 *   The ratio therefore measures what the Swift-backed ABI costs over a C
 *   library implementing the same contract with the same argument checks.
 * - Inputs come from precomputed arrays (4096 PTE values / deltas, or 32
 *   page tables of 512 PTEs for batches) indexed by the iteration number, so
 *   nothing is constant-folded; results go to a volatile sink.
 * - Each case is calibrated on the ABI side to about 0.2 s per measurement;
 *   both sides then run the same number of calls, alternating ABI and
 *   reference, 5 times each; the best (lowest) time of each side is kept.
 * - Before any timing, mmmb_verify() checks that both sides return the same
 *   value and output for every input used (and for edge / random inputs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "mmm_bench.h"
#include "mmmodel.h"
#include "ref.h"

/* ---- Inputs -------------------------------------------------------------- */

#define NIN   4096u           /* single-value inputs per array */
#define NTAB  32u             /* page tables per batch case */
#define NPTE  512u            /* entries per table; folio of 512 pages */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t x86_swap(uint32_t type, uint64_t off)
{
	return ((~off << 14) >> 5) | ((uint64_t)type << 59);
}

static uint64_t a64_swap(uint32_t type, uint64_t off)
{
	return ((uint64_t)type << 6) | (off << 12);
}

/* Real swap types are below MAX_SWAPFILES = 24 with the default (full) config. */
#define NTYPES 24u

static uint64_t in_x86_swap[NIN], in_a64_swap[NIN], in_x86_present[NIN], in_a64_present[NIN];
static int64_t in_delta[NIN];

static uint64_t tab_x86[NTAB][NPTE], tab_a64[NTAB][NPTE], tab_a64_cont[NTAB][NPTE];
static uint64_t stab_x86[NTAB][NPTE], stab_a64[NTAB][NPTE];
static struct mmm_fpb_args args_x86[NTAB], args_a64[NTAB];

static volatile uint64_t sink;
static int inputs_built;

static uint64_t rnd_offset(void)
{
	/* Real swap offsets fit 32 bits (swap header); keep >= 1024 so the deltas stay in range. */
	return 1024 + (rnd() & 0xFFFFFFFFull);
}

static void build_inputs(void)
{
	unsigned i, t, k;

	if (inputs_built)
		return;
	inputs_built = 1;
	for (i = 0; i < NIN; i++) {
		uint64_t r = rnd();

		/* x86-64 swap PTE with random exclusive / soft-dirty / uffd-wp (bits 1-3). */
		in_x86_swap[i] = x86_swap((uint32_t)(rnd() % NTYPES), rnd_offset()) | (r & 0xE);
		/* arm64 swap PTE with random exclusive / uffd-wp (bits 2-3). */
		in_a64_swap[i] = a64_swap((uint32_t)(rnd() % NTYPES), rnd_offset()) | (r & 0xC);
		in_delta[i] = (int64_t)(rnd() % 1025) - 512;

		/* x86-64 present: P, random RW/USER/PWT/PCD/A/D/G/special/uffd-wp/soft-dirty, NX. */
		{
			uint64_t v = ((rnd() & 0x3FFFFFFFull) << 12) | 1 | (r & 0xE7E) | (r & (1ull << 63));

			if (!(v & 2) && (v & 0x40)) /* read-only dirty lives in SavedDirty */
				v = (v & ~0x40ull) | (1ull << 58);
			in_x86_present[i] = v;
		}
		/* arm64 present: VALID|TYPE, SH=3, nG, random USER/RDONLY/AF/WRITE/CONT/PXN/UXN/DIRTY/SPECIAL. */
		{
			uint64_t v = ((rnd() & 0xFFFFFFFull) << 12) | 3 | (3 << 8) | (1 << 11) |
				     (r & ((1 << 6) | (1 << 7) | (1 << 10))) |
				     (r & ((1ull << 51) | (1ull << 52) | (1ull << 53) | (1ull << 54) |
					   (1ull << 55) | (1ull << 56)));
			in_a64_present[i] = v;
		}
	}
	for (t = 0; t < NTAB; t++) {
		uint64_t pfn = (rnd() & 0x3FFFFull) << 9; /* 512-aligned folio */
		uint64_t soff = rnd_offset();
		uint32_t stype = (uint32_t)(rnd() % NTYPES);
		uint64_t sflags = rnd();

		args_x86[t] = (struct mmm_fpb_args){ .size = sizeof(struct mmm_fpb_args), .api = MMM_FPB_API_6_17,
			.flags = 0, .table_index = 0, .folio_pfn = pfn, .folio_nr_pages = NPTE, .max_nr = NPTE };
		args_a64[t] = args_x86[t];
		for (k = 0; k < NPTE; k++) {
			uint64_t r = rnd(), v;

			/* x86-64: P USER NX fixed; RW, A, D, soft-dirty vary per entry. */
			v = ((pfn + k) << 12) | 1 | 4 | (1ull << 63) | (r & (2 | 0x20 | 0x40 | 0x800));
			if (!(v & 2) && (v & 0x40))
				v = (v & ~0x40ull) | (1ull << 58);
			tab_x86[t][k] = v;
			/* arm64: VALID TYPE USER SH nG PXN UXN fixed; WRITE, RDONLY, AF, DIRTY vary. */
			v = ((pfn + k) << 12) | 3 | (1 << 6) | (3 << 8) | (1 << 11) | (3ull << 53) |
			    (r & ((1 << 7) | (1 << 10) | (1ull << 51) | (1ull << 55)));
			tab_a64[t][k] = v;
			tab_a64_cont[t][k] = v | (1ull << 52);
			/* consecutive swap offsets, same type and flags across the table */
			stab_x86[t][k] = x86_swap(stype, soff + k) | (sflags & 0xE);
			stab_a64[t][k] = a64_swap(stype, soff + k) | (sflags & 0xC);
		}
	}
}

/* ---- Cases --------------------------------------------------------------- */

enum kind { K_MOVE, K_DECODE, K_FOLIO, K_SWAPB };

struct bcase {
	enum kind kind;
	const char *op, *arch_name, *variant;
	mmm_arch arch;
	const uint64_t *in;          /* K_MOVE, K_DECODE: NIN values */
	uint64_t (*tabs)[NPTE];      /* K_FOLIO, K_SWAPB */
	struct mmm_fpb_args *args;
	uint32_t flags;              /* K_FOLIO: fpb flags */
	uint32_t want_kind;          /* K_DECODE: the kind every input must decode to */
};

#define MERGE (MMM_FPB_MERGE_WRITE | MMM_FPB_MERGE_YOUNG_DIRTY)

static const struct bcase cases[] = {
	{ K_MOVE, "mmm_pte_move_swp_offset", "x86_64", "delta -512..512", MMM_ARCH_X86_64, in_x86_swap },
	{ K_MOVE, "mmm_pte_move_swp_offset", "arm64", "delta -512..512", MMM_ARCH_ARM64, in_a64_swap },
	{ K_DECODE, "mmm_pte_decode", "x86_64", "swap", MMM_ARCH_X86_64, in_x86_swap, .want_kind = MMM_PTE_KIND_SWAP },
	{ K_DECODE, "mmm_pte_decode", "x86_64", "present", MMM_ARCH_X86_64, in_x86_present, .want_kind = MMM_PTE_KIND_PRESENT },
	{ K_DECODE, "mmm_pte_decode", "arm64", "swap", MMM_ARCH_ARM64, in_a64_swap, .want_kind = MMM_PTE_KIND_SWAP },
	{ K_DECODE, "mmm_pte_decode", "arm64", "present", MMM_ARCH_ARM64, in_a64_present, .want_kind = MMM_PTE_KIND_PRESENT },
	{ K_FOLIO, "mmm_folio_pte_batch", "x86_64", "512 of 512, flags 0", MMM_ARCH_X86_64, NULL, tab_x86, args_x86, 0 },
	{ K_FOLIO, "mmm_folio_pte_batch", "x86_64", "512 of 512, MERGE_W|MERGE_YD", MMM_ARCH_X86_64, NULL, tab_x86, args_x86, MERGE },
	{ K_FOLIO, "mmm_folio_pte_batch", "arm64", "512 of 512, flags 0", MMM_ARCH_ARM64, NULL, tab_a64, args_a64, 0 },
	{ K_FOLIO, "mmm_folio_pte_batch", "arm64", "512 of 512, MERGE_W|MERGE_YD", MMM_ARCH_ARM64, NULL, tab_a64, args_a64, MERGE },
	{ K_FOLIO, "mmm_folio_pte_batch", "arm64", "512 of 512, contpte, flags 0", MMM_ARCH_ARM64, NULL, tab_a64_cont, args_a64, 0 },
	{ K_SWAPB, "mmm_swap_pte_batch", "x86_64", "512 of 512", MMM_ARCH_X86_64, NULL, stab_x86 },
	{ K_SWAPB, "mmm_swap_pte_batch", "arm64", "512 of 512", MMM_ARCH_ARM64, NULL, stab_a64 },
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

int mmmb_case_count(void)
{
	return NCASES;
}

/* ---- Timing loops ------------------------------------------------------------ */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * One loop per (operation, side). FN is called directly; the loop bodies are
 * identical for both sides. Returns elapsed nanoseconds.
 */
#define LOOP_MOVE(NAME, FN)                                                          \
	static __attribute__((noinline)) uint64_t NAME(mmm_arch arch, const uint64_t *in, uint64_t n) \
	{                                                                            \
		uint64_t acc = 0, t0 = now_ns();                                     \
		for (uint64_t i = 0; i < n; i++) {                                   \
			uint64_t out = 0;                                            \
			int r = FN(arch, in[i & (NIN - 1)], in_delta[i & (NIN - 1)], &out); \
			acc += out + (uint64_t)r;                                    \
		}                                                                    \
		uint64_t t1 = now_ns();                                              \
		sink = acc;                                                          \
		return t1 - t0;                                                      \
	}

#define LOOP_DECODE(NAME, FN)                                                        \
	static __attribute__((noinline)) uint64_t NAME(mmm_arch arch, const uint64_t *in, uint64_t n) \
	{                                                                            \
		struct mmm_pte_info info;                                            \
		uint64_t acc = 0, t0;                                                \
		memset(&info, 0, sizeof(info));                                      \
		info.size = sizeof(info);                                            \
		t0 = now_ns();                                                       \
		for (uint64_t i = 0; i < n; i++) {                                   \
			int r = FN(arch, in[i & (NIN - 1)], &info);                  \
			acc += (uint64_t)r + info.kind + info.flags + info.pfn +     \
			       info.swp_offset + info.swp_type + info.attrs +        \
			       info.preds + info.stray;                              \
		}                                                                    \
		uint64_t t1 = now_ns();                                              \
		sink = acc;                                                          \
		return t1 - t0;                                                      \
	}

#define LOOP_FOLIO(NAME, FN)                                                         \
	static __attribute__((noinline)) uint64_t NAME(mmm_arch arch, uint64_t (*tabs)[NPTE], \
					     const struct mmm_fpb_args *args, uint64_t n) \
	{                                                                            \
		struct mmm_fpb_result res;                                           \
		uint64_t acc = 0, t0;                                                \
		memset(&res, 0, sizeof(res));                                        \
		res.size = sizeof(res);                                              \
		t0 = now_ns();                                                       \
		for (uint64_t i = 0; i < n; i++) {                                   \
			int r = FN(arch, tabs[i & (NTAB - 1)], NPTE, &args[i & (NTAB - 1)], &res); \
			acc += (uint64_t)r + res.pte + res.any_dirty;                \
		}                                                                    \
		uint64_t t1 = now_ns();                                              \
		sink = acc;                                                          \
		return t1 - t0;                                                      \
	}

#define LOOP_SWAPB(NAME, FN)                                                         \
	static __attribute__((noinline)) uint64_t NAME(mmm_arch arch, uint64_t (*tabs)[NPTE], uint64_t n) \
	{                                                                            \
		uint64_t acc = 0, t0 = now_ns();                                     \
		for (uint64_t i = 0; i < n; i++)                                     \
			acc += (uint64_t)FN(arch, tabs[i & (NTAB - 1)], NPTE, NPTE); \
		uint64_t t1 = now_ns();                                              \
		sink = acc;                                                          \
		return t1 - t0;                                                      \
	}

LOOP_MOVE(loop_move_abi, mmm_pte_move_swp_offset)
LOOP_MOVE(loop_move_ref, ref_pte_move_swp_offset)
LOOP_DECODE(loop_decode_abi, mmm_pte_decode)
LOOP_DECODE(loop_decode_ref, ref_pte_decode)
LOOP_FOLIO(loop_folio_abi, mmm_folio_pte_batch)
LOOP_FOLIO(loop_folio_ref, ref_folio_pte_batch)
LOOP_SWAPB(loop_swapb_abi, mmm_swap_pte_batch)
LOOP_SWAPB(loop_swapb_ref, ref_swap_pte_batch)

/* The args tables carry the case's flags; set them before a folio case runs. */
static void set_fpb_flags(const struct bcase *c)
{
	struct mmm_fpb_args *a = c->args;

	for (unsigned t = 0; t < NTAB; t++)
		a[t].flags = c->flags;
}

static uint64_t run_side(const struct bcase *c, int abi, uint64_t n)
{
	switch (c->kind) {
	case K_MOVE:
		return abi ? loop_move_abi(c->arch, c->in, n) : loop_move_ref(c->arch, c->in, n);
	case K_DECODE:
		return abi ? loop_decode_abi(c->arch, c->in, n) : loop_decode_ref(c->arch, c->in, n);
	case K_FOLIO:
		return abi ? loop_folio_abi(c->arch, c->tabs, c->args, n)
			   : loop_folio_ref(c->arch, c->tabs, c->args, n);
	case K_SWAPB:
		return abi ? loop_swapb_abi(c->arch, c->tabs, n) : loop_swapb_ref(c->arch, c->tabs, n);
	}
	return 0;
}

int mmmb_run_case(int i, int quick, struct mmmb_row *out)
{
	const struct bcase *c;
	const double target_s = quick ? 0.02 : 0.2;
	const unsigned reps = quick ? 3 : 5;
	uint64_t n = 1, t, best_abi = UINT64_MAX, best_ref = UINT64_MAX;
	double units;

	if (i < 0 || i >= NCASES || !out)
		return -1;
	c = &cases[i];
	build_inputs();
	if (c->kind == K_FOLIO)
		set_fpb_flags(c);

	/* Calibrate on the ABI side: grow until one run takes >= 1/8 of the target, then scale. */
	run_side(c, 1, 64); /* warm-up */
	for (;;) {
		t = run_side(c, 1, n);
		if (t >= (uint64_t)(target_s * 1e9 / 8) || n >= (1ull << 40))
			break;
		n *= 2;
	}
	n = (uint64_t)((double)n * (target_s * 1e9) / (double)(t ? t : 1));
	if (n < 1)
		n = 1;

	for (unsigned r = 0; r < reps; r++) {
		t = run_side(c, 1, n);
		if (t < best_abi)
			best_abi = t;
		t = run_side(c, 0, n);
		if (t < best_ref)
			best_ref = t;
	}

	units = (double)n * ((c->kind == K_FOLIO || c->kind == K_SWAPB) ? NPTE : 1);
	out->op = c->op;
	out->arch = c->arch_name;
	out->variant = c->variant;
	out->unit = (c->kind == K_FOLIO || c->kind == K_SWAPB) ? "PTE" : "op";
	out->abi_ns = (double)best_abi / units;
	out->ref_ns = (double)best_ref / units;
	out->target = (c->kind == K_FOLIO || c->kind == K_SWAPB) ? 1.2 : 1.5;
	out->iters = n;
	out->reps = reps;
	return 0;
}

/* ---- Cross-check ------------------------------------------------------------- */

static char *vmsg;
static size_t vlen;

#define FAIL(...) do { snprintf(vmsg, vlen, __VA_ARGS__); return -1; } while (0)

static int check_decode(mmm_arch arch, uint64_t pte, int64_t want_kind)
{
	struct mmm_pte_info a, b;
	int ra, rb;

	memset(&a, 0xA5, sizeof(a));
	memset(&b, 0xA5, sizeof(b));
	a.size = b.size = sizeof(a);
	ra = mmm_pte_decode(arch, pte, &a);
	rb = ref_pte_decode(arch, pte, &b);
	if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0))
		FAIL("mmm_pte_decode(arch=0x%x, pte=0x%016llx) disagrees: ABI %d kind %u flags 0x%llx pfn 0x%llx "
		     "off 0x%llx type %u marker %u attrs 0x%llx preds 0x%x stray 0x%llx; reference %d kind %u "
		     "flags 0x%llx pfn 0x%llx off 0x%llx type %u marker %u attrs 0x%llx preds 0x%x stray 0x%llx",
		     arch, (unsigned long long)pte,
		     ra, a.kind, (unsigned long long)a.flags, (unsigned long long)a.pfn,
		     (unsigned long long)a.swp_offset, a.swp_type, a.marker, (unsigned long long)a.attrs,
		     a.preds, (unsigned long long)a.stray,
		     rb, b.kind, (unsigned long long)b.flags, (unsigned long long)b.pfn,
		     (unsigned long long)b.swp_offset, b.swp_type, b.marker, (unsigned long long)b.attrs,
		     b.preds, (unsigned long long)b.stray);
	if (want_kind >= 0 && (ra != 0 || a.kind != (uint32_t)want_kind))
		FAIL("benchmark input 0x%016llx (arch 0x%x) decodes as kind %u, not %lld",
		     (unsigned long long)pte, arch, a.kind, (long long)want_kind);
	return 0;
}

static int check_move(mmm_arch arch, uint64_t pte, int64_t delta, int must_succeed)
{
	uint64_t a = 0x1111, b = 0x1111;
	int ra = mmm_pte_move_swp_offset(arch, pte, delta, &a);
	int rb = ref_pte_move_swp_offset(arch, pte, delta, &b);

	if (ra != rb || a != b)
		FAIL("mmm_pte_move_swp_offset(arch=0x%x, pte=0x%016llx, delta=%lld): ABI %d -> 0x%016llx, "
		     "reference %d -> 0x%016llx", arch, (unsigned long long)pte, (long long)delta,
		     ra, (unsigned long long)a, rb, (unsigned long long)b);
	if (must_succeed && ra != 0)
		FAIL("benchmark input: mmm_pte_move_swp_offset(arch=0x%x, 0x%016llx, %lld) returned %d",
		     arch, (unsigned long long)pte, (long long)delta, ra);
	return 0;
}

static int check_folio(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes,
		       const struct mmm_fpb_args *args, int want_nr)
{
	struct mmm_fpb_result a, b;
	int ra, rb;

	memset(&a, 0xA5, sizeof(a));
	memset(&b, 0xA5, sizeof(b));
	a.size = b.size = sizeof(a);
	ra = mmm_folio_pte_batch(arch, ptes, nr_ptes, args, &a);
	rb = ref_folio_pte_batch(arch, ptes, nr_ptes, args, &b);
	if (ra != rb || (ra > 0 && memcmp(&a, &b, sizeof(a)) != 0))
		FAIL("mmm_folio_pte_batch(arch=0x%x, ptes[0]=0x%016llx, nr_ptes=%zu, api=%u flags=0x%x "
		     "table_index=%u folio_pfn=0x%llx nr_pages=%llu max_nr=%llu): ABI %d pte 0x%016llx w%u y%u d%u; "
		     "reference %d pte 0x%016llx w%u y%u d%u",
		     arch, (unsigned long long)ptes[0], nr_ptes, args->api, args->flags, args->table_index,
		     (unsigned long long)args->folio_pfn, (unsigned long long)args->folio_nr_pages,
		     (unsigned long long)args->max_nr,
		     ra, (unsigned long long)a.pte, a.any_writable, a.any_young, a.any_dirty,
		     rb, (unsigned long long)b.pte, b.any_writable, b.any_young, b.any_dirty);
	/* Also without a result struct. */
	ra = mmm_folio_pte_batch(arch, ptes, nr_ptes, args, NULL);
	if (ra != rb)
		FAIL("mmm_folio_pte_batch with res=NULL returned %d, with res %d", ra, rb);
	if (want_nr >= 0 && ra != want_nr)
		FAIL("benchmark input: mmm_folio_pte_batch(arch=0x%x, flags=0x%x) returned %d, expected %d",
		     arch, args->flags, ra, want_nr);
	return 0;
}

static int check_swapb(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes, size_t max_nr, int want_nr)
{
	int ra = mmm_swap_pte_batch(arch, ptes, nr_ptes, max_nr);
	int rb = ref_swap_pte_batch(arch, ptes, nr_ptes, max_nr);

	if (ra != rb)
		FAIL("mmm_swap_pte_batch(arch=0x%x, ptes[0]=0x%016llx, nr_ptes=%zu, max_nr=%zu): ABI %d, reference %d",
		     arch, (unsigned long long)ptes[0], nr_ptes, max_nr, ra, rb);
	if (want_nr >= 0 && ra != want_nr)
		FAIL("benchmark input: mmm_swap_pte_batch(arch=0x%x) returned %d, expected %d", arch, ra, want_nr);
	return 0;
}

static const mmm_arch all_archs[] = {
	MMM_ARCH_X86_64, MMM_ARCH_ARM64,
	MMM_ARCH_X86_64 | MMM_ARCH_CFG_LIVE_6_18, MMM_ARCH_ARM64 | MMM_ARCH_CFG_LIVE_6_18,
	MMM_ARCH_X86_64 | 0x1F00, MMM_ARCH_ARM64 | MMM_ARCH_CFG_NO_UFFD_WP | MMM_ARCH_CFG_NO_MIGRATION,
	0, 3, MMM_ARCH_X86_64 | 0x2000, MMM_ARCH_ARM64 | (1u << 16), /* invalid */
};
#define NARCHS (sizeof(all_archs) / sizeof(all_archs[0]))

/* A random value biased towards interesting shapes for @arch. */
static uint64_t rnd_pte(mmm_arch arch)
{
	int x86 = (arch & 0xFF) == MMM_ARCH_X86_64;
	uint64_t r = rnd();

	switch (rnd() % 6) {
	case 0: return r;                                   /* anything */
	case 1: return r & 0x1FF;                           /* low bits only: none / present / swap */
	case 2: return x86 ? x86_swap((uint32_t)(r >> 59), rnd() & ((1ull << 50) - 1)) | (r & 0xFE)
			   : a64_swap((uint32_t)(r & 31), rnd() & ((1ull << 50) - 1)) | (r & 0x3C) | (r & (3ull << 62));
	case 3: return x86 ? x86_swap((uint32_t)(24 + r % 8), rnd() & ((1ull << 40) - 1)) | (r & 0xE)
			   : a64_swap((uint32_t)(24 + r % 8), rnd() & ((1ull << 40) - 1)) | (r & 0xC);
	case 4: return x86 ? x86_swap((uint32_t)(r % 32), rnd() & 7) : a64_swap((uint32_t)(r % 32), rnd() & 7);
	default: return r & ~(x86 ? 0x101ull : 0x801ull);   /* non-present */
	}
}

static int verify_decode_move(void)
{
	static const uint64_t fixed[] = {
		/* spec §1.5, §2.5, §3.6, §4.6 worked examples */
		0x8000000012345067ull, 0x8400000012345025ull, 0x000FFFFFEDCBA120ull, 0x60, 0,
		0x1FFFFFFFFFDB9608ull, 0x1FFFFFFFFFDB960Eull, 0x1FFFFFFFFFFFFE08ull, 0x1800000000000008ull,
		0x1800000000000000ull, 0x07FFFFFFFFFFFE00ull, 0xFFFFFFFFFFFFFC00ull, 0xC7FFFFFFFDB97400ull,
		0x00000000012340C4ull, 0x00000000012340CCull, 0xFFFFFFFFFFFFF0C4ull, 0x3FFFFFFFFFFFF0C0ull,
		0x40000000000000C0ull, 0x0068000012345FC3ull, 0x00E0000012345FC3ull, 0x00000000000017C0ull,
		0x0000000012345640ull, 0x0000000012345700ull,
	};
	static const int64_t edge_deltas[] = {
		0, 1, -1, INT64_MIN, INT64_MAX, (int64_t)(1ull << 50), -(int64_t)(1ull << 50), 1ll << 49,
	};
	unsigned i, k, j;

	for (k = 0; k < NARCHS; k++) {
		mmm_arch arch = all_archs[k];

		for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			if (check_decode(arch, fixed[i], -1))
				return -1;
			for (j = 0; j < sizeof(edge_deltas) / sizeof(edge_deltas[0]); j++)
				if (check_move(arch, fixed[i], edge_deltas[j], 0))
					return -1;
		}
		for (i = 0; i < 20000; i++) {
			uint64_t v = rnd_pte(arch);

			if (check_decode(arch, v, -1))
				return -1;
			if (check_move(arch, v, in_delta[i & (NIN - 1)], 0) ||
			    check_move(arch, v, edge_deltas[i % (sizeof(edge_deltas) / sizeof(edge_deltas[0]))], 0) ||
			    check_move(arch, v, -(int64_t)(rnd() & ((1ull << 51) - 1)), 0))
				return -1;
		}
	}
	/* NULL out-pointers */
	if (mmm_pte_move_swp_offset(MMM_ARCH_X86_64, in_x86_swap[0], 1, NULL) !=
	    ref_pte_move_swp_offset(MMM_ARCH_X86_64, in_x86_swap[0], 1, NULL) ||
	    mmm_pte_decode(MMM_ARCH_ARM64, 1, NULL) != ref_pte_decode(MMM_ARCH_ARM64, 1, NULL))
		FAIL("NULL out-pointer handling differs");
	return 0;
}

/* Random folio tables: a run of the folio with random perturbations. */
static int verify_folio_random(void)
{
	static uint64_t t[NPTE];
	unsigned iter, k;

	for (iter = 0; iter < 20000; iter++) {
		mmm_arch arch = all_archs[rnd() % 6];
		int x86 = (arch & 0xFF) == MMM_ARCH_X86_64;
		uint64_t nr_pages = 1 + rnd() % 600, pfn = rnd() & 0xFFFFFFull, base;
		struct mmm_fpb_args a;
		unsigned start = (unsigned)(rnd() % nr_pages), n = 1 + (unsigned)(rnd() % NPTE);
		int cont = !x86 && (rnd() & 1), protnone = x86 && (rnd() % 8 == 0);

		base = x86 ? (1 | 4 | (1ull << 63)) : (3 | (1 << 6) | (3 << 8) | (1 << 11) | (3ull << 53));
		if (cont)
			base |= 1ull << 52;
		for (k = 0; k < n; k++) {
			uint64_t r = rnd(), p = pfn + start + k, v;

			if (x86) {
				if (protnone) /* PROT_NONE: P clear, bit 8, PFN inverted */
					v = (((~p) << 12) & (((1ull << 40) - 1) << 12)) | 0x100 | (r & (0x20 | 0x40 | 0x800 | 2 | 4));
				else
					v = (p << 12) | base | (r & (2 | 0x20 | 0x40 | 0x800 | 0x400));
				if (!(v & 2) && (v & 0x40) && (r & 0x10000))
					v = (v & ~0x40ull) | (1ull << 58);
			} else {
				v = (p << 12) | base | (r & ((1 << 7) | (1 << 10) | (1ull << 51) | (1ull << 55) | (1ull << 58)));
			}
			if (rnd() % 64 == 0) /* perturbation: PFN gap or stray bit */
				v ^= (rnd() % 2) ? (1ull << 12) : (1ull << (rnd() % 64));
			t[k] = v;
		}
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.api = (rnd() % 4 == 0) ? MMM_FPB_API_6_10 : MMM_FPB_API_6_17;
		a.flags = (uint32_t)(rnd() % (a.api == MMM_FPB_API_6_17 ? 0x20 : 4));
		if (rnd() % 64 == 0)
			a.flags |= 0x40; /* unknown flag */
		a.table_index = (uint32_t)(rnd() % NPTE);
		if (rnd() % 64 == 0)
			a.table_index = NPTE;
		a.folio_pfn = pfn;
		a.folio_nr_pages = nr_pages;
		a.max_nr = 1 + rnd() % n;
		if (rnd() % 64 == 0)
			a.max_nr = (rnd() & 1) ? 0 : n + 1;
		if (rnd() % 64 == 0)
			a.folio_pfn = pfn + start + 1; /* first entry outside the folio */
		if (check_folio(arch, t, n, &a, -1))
			return -1;
	}
	return 0;
}

static int verify_swapb_random(void)
{
	static uint64_t t[NPTE];
	unsigned iter, k;

	for (iter = 0; iter < 20000; iter++) {
		mmm_arch arch = all_archs[rnd() % 6];
		int x86 = (arch & 0xFF) == MMM_ARCH_X86_64;
		uint32_t type = (uint32_t)(rnd() % 32);
		uint64_t off = (rnd() % 4 == 0) ? ((1ull << 50) - 1 - rnd() % 600) : rnd() & 0xFFFFFFFFull;
		uint64_t fl = rnd() & (x86 ? 0xE : 0xC);
		unsigned n = 1 + (unsigned)(rnd() % NPTE);

		for (k = 0; k < n; k++) {
			uint64_t o = (off + k) & ((1ull << 50) - 1);

			t[k] = (x86 ? x86_swap(type, o) : a64_swap(type, o)) | fl;
			if (rnd() % 128 == 0)
				t[k] ^= 1ull << (rnd() % 64);
		}
		if (check_swapb(arch, t, n, 1 + rnd() % n, -1))
			return -1;
	}
	return 0;
}

int mmmb_verify(char *msg, size_t len)
{
	unsigned i, t;
	int c;

	vmsg = msg;
	vlen = len;
	build_inputs();

	/* Every input the timed cases use. */
	for (c = 0; c < NCASES; c++) {
		const struct bcase *bc = &cases[c];

		switch (bc->kind) {
		case K_MOVE:
			for (i = 0; i < NIN; i++)
				if (check_move(bc->arch, bc->in[i], in_delta[i], 1))
					return -1;
			break;
		case K_DECODE:
			for (i = 0; i < NIN; i++)
				if (check_decode(bc->arch, bc->in[i], bc->want_kind))
					return -1;
			break;
		case K_FOLIO:
			set_fpb_flags(bc);
			for (t = 0; t < NTAB; t++)
				if (check_folio(bc->arch, bc->tabs[t], NPTE, &bc->args[t], NPTE))
					return -1;
			break;
		case K_SWAPB:
			for (t = 0; t < NTAB; t++)
				if (check_swapb(bc->arch, bc->tabs[t], NPTE, NPTE, NPTE))
					return -1;
			break;
		}
	}
	/* Edge and random values: error paths, every kind, both flag APIs. */
	if (verify_decode_move() || verify_folio_random() || verify_swapb_random())
		return -1;
	return 0;
}
