/* SPDX-License-Identifier: MIT */
/*
 * Hostile input: every function declared in mmmodel.h, driven with extreme
 * and pseudo-random values.
 *
 * The header's convention is the rule under test: "No input crashes the
 * process: every argument is validated, and anything the kernel would never
 * produce is refused with an error instead of being silently wrapped or
 * truncated", and "Out-pointers are written only on success". Each call must
 * return a clean result or one of the errors its declaration documents, and
 * leave out-parameters untouched on error. Where a result is a kernel rule
 * (mutators keep the PFN, §1.3 / §3.2; is_swap_pte = !none && !present, §4.4;
 * generic entries round-trip through the arch PTE below 2^50, §4.5), it is
 * checked as well.
 */
#include "mmmodel_cmocka.h"

#include <limits.h>

#define X86 MMM_ARCH_X86_64
#define ARM MMM_ARCH_ARM64
#define SENTINEL 0x5A5A5A5A5A5A5A5Aull

static uint64_t rng_state = 0x0123456789ABCDEFull;

/* xorshift64 with a fixed seed. */
static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static const mmm_arch bad_arches[] = {
	0, 3, 0x04, 0x81, 0xFF, 0xFFFFFFFFu,
	MMM_ARCH_X86_64 | (1u << 16), MMM_ARCH_ARM64 | (1u << 31),
	MMM_ARCH_X86_64 | 0x2000u, MMM_ARCH_ARM64 | 0x4000u, 1u << 16,
};
#define N_BAD (sizeof(bad_arches) / sizeof(bad_arches[0]))

/* Every valid arch: both architectures with every combination of the five modifiers. */
static mmm_arch good_arch(unsigned i)
{
	static const uint32_t cfg[5] = {
		MMM_ARCH_CFG_NO_SOFT_DIRTY, MMM_ARCH_CFG_NO_UFFD_WP,
		MMM_ARCH_CFG_NO_DEVICE_PRIVATE, MMM_ARCH_CFG_NO_MIGRATION,
		MMM_ARCH_CFG_NO_MEMORY_FAILURE,
	};
	mmm_arch a = (i & 1) ? ARM : X86;
	unsigned b;

	for (b = 0; b < 5; b++)
		if (i & (2u << b))
			a |= cfg[b];
	return a;
}
#define N_GOOD 64u

static const uint64_t extreme_ptes[] = {
	0, ~0ull, 1, 0x60, 0x20, 0x40, 0x100, 0x800, 0x801, 1ull << 63, ~1ull,
	0x8000000000000000ull | 0x0FFFFFFFFFFFF000ull | 1, 0x000FFFFFFFFFF121ull,
	0x0000000000000120ull, 0x000FFFFFFFFFF120ull, 0xFFFFFFFFFFFFF000ull,
	0x7FFFFFFFFFFFFFFFull, 0x4000000000000000ull, 0xC000000000000000ull,
	0x8000000012345067ull, 0x000FFFFFEDCBA120ull, 0x1FFFFFFFFFDB960Eull,
	0x0068000012345FC3ull, 0x00000000012340CCull, 0xFFFFFFFFFFFFFC00ull,
	0x0000000012345640ull, 0x3FFFFFFFFFFFF0C0ull, 0x1800000000000008ull,
};
#define N_EXTREME (sizeof(extreme_ptes) / sizeof(extreme_ptes[0]))

typedef int (*pred_fn)(mmm_arch, uint64_t);
typedef int (*mut_fn)(mmm_arch, uint64_t, uint64_t *);

static const pred_fn preds[] = {
	mmm_pte_none, mmm_pte_present, mmm_pte_protnone, mmm_pte_write, mmm_pte_dirty,
	mmm_pte_young, mmm_pte_soft_dirty, mmm_pte_uffd_wp, mmm_pte_special,
	mmm_is_swap_pte,
};
static const mut_fn muts[] = {
	mmm_pte_mkwrite, mmm_pte_mkwrite_novma, mmm_pte_wrprotect, mmm_pte_mkdirty,
	mmm_pte_mkclean, mmm_pte_mkyoung, mmm_pte_mkold, mmm_pte_mksoft_dirty,
	mmm_pte_clear_soft_dirty, mmm_pte_mkuffd_wp, mmm_pte_clear_uffd_wp,
	mmm_pte_mkspecial,
};
static const pred_fn swp_preds[] = {
	mmm_pte_swp_exclusive, mmm_pte_swp_soft_dirty, mmm_pte_swp_uffd_wp,
};
static const mut_fn swp_muts[] = {
	mmm_pte_swp_mkexclusive, mmm_pte_swp_clear_exclusive, mmm_pte_swp_mksoft_dirty,
	mmm_pte_swp_clear_soft_dirty, mmm_pte_swp_mkuffd_wp, mmm_pte_swp_clear_uffd_wp,
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------- bad arches */

/* Header: an unknown arch (or a reserved / unknown modifier bit) gives -EINVAL everywhere. */
static void test_bad_arch_everywhere(void **state)
{
	size_t a, v, f;
	char buf[32];

	(void)state;
	for (a = 0; a < N_BAD; a++) {
		mmm_arch arch = bad_arches[a];

		for (v = 0; v < N_EXTREME; v++) {
			uint64_t pte = extreme_ptes[v], out = SENTINEL;
			struct mmm_pte_info info;
			struct mmm_arch_info ai;

			for (f = 0; f < N_OF(preds); f++)
				mmm_assert_errno(preds[f](arch, pte), -EINVAL);
			for (f = 0; f < N_OF(swp_preds); f++)
				mmm_assert_errno(swp_preds[f](arch, pte), -EINVAL);
			for (f = 0; f < N_OF(muts); f++)
				mmm_assert_errno(muts[f](arch, pte, &out), -EINVAL);
			for (f = 0; f < N_OF(swp_muts); f++)
				mmm_assert_errno(swp_muts[f](arch, pte, &out), -EINVAL);
			mmm_assert_errno(mmm_pte_pfn(arch, pte, &out), -EINVAL);
			mmm_assert_errno(mmm_pte_to_swp_entry(arch, pte, &out), -EINVAL);
			mmm_assert_errno(mmm_swp_entry_to_pte(arch, pte & ~(1ull << 63), &out),
					 -EINVAL);
			mmm_assert_errno(mmm_non_swap_entry(arch, pte & ~(1ull << 63)), -EINVAL);
			mmm_assert_errno(mmm_pte_advance_pfn(arch, pte, 1, &out), -EINVAL);
			mmm_assert_errno(mmm_pte_next_pfn(arch, pte, &out), -EINVAL);
			mmm_assert_errno(mmm_pte_move_swp_offset(arch, pte, 1, &out), -EINVAL);
			mmm_assert_errno(mmm_pte_next_swp_offset(arch, pte, &out), -EINVAL);
			assert_int_equal(out, SENTINEL);

			memset(&info, 0x5A, sizeof(info));
			info.size = sizeof(info);
			mmm_assert_errno(mmm_pte_decode(arch, pte, &info), -EINVAL);
			assert_int_equal(info.kind, 0x5A5A5A5Au);
			memset(&ai, 0x5A, sizeof(ai));
			ai.size = sizeof(ai);
			mmm_assert_errno(mmm_arch_info(arch, &ai), -EINVAL);
			assert_int_equal(ai.max_swapfiles, 0x5A5A5A5Au);

			memset(&info, 0, sizeof(info));
			info.size = sizeof(info);
			info.kind = MMM_PTE_KIND_SWAP;
			info.swp_type = 3;
			info.swp_offset = 0x1234;
			mmm_assert_errno(mmm_pte_encode(arch, &info, &out), -EINVAL);
			assert_int_equal(out, SENTINEL);

			memset(buf, '#', sizeof(buf));
			mmm_assert_errno(mmm_pte_format(arch, pte, buf, sizeof(buf)), -EINVAL);
			mmm_assert_errno(mmm_pte_format(arch, pte, NULL, 0), -EINVAL);
		}
		{
			uint64_t p[2] = { 0x8000000012340067ull, 0x8000000012341067ull };
			uint64_t s[2] = { 0x1FFFFFFFFFDB9608ull, 0x1FFFFFFFFFDB9408ull };
			struct mmm_fpb_args fa;

			memset(&fa, 0, sizeof(fa));
			fa.size = sizeof(fa);
			fa.folio_pfn = 0x12340;
			fa.folio_nr_pages = 16;
			fa.max_nr = 2;
			mmm_assert_errno(mmm_folio_pte_batch(arch, p, 2, &fa, NULL), -EINVAL);
			mmm_assert_errno(mmm_swap_pte_batch(arch, s, 2, 2), -EINVAL);
		}
	}
}

/* ------------------------------------------------ every valid arch, values */

/* Checks every PTE-taking function on one (arch, value). */
static void check_value(mmm_arch arch, uint64_t pte)
{
	int none = mmm_pte_none(arch, pte);
	int present = mmm_pte_present(arch, pte);
	int swap = mmm_is_swap_pte(arch, pte);
	uint64_t out, pfn = SENTINEL, p2;
	struct mmm_pte_info info;
	size_t f;
	int r;
	char buf[16];

	assert_in_range(none, 0, 1);
	assert_in_range(present, 0, 1);
	/* §4.4: is_swap_pte = !pte_none && !pte_present. */
	assert_int_equal(swap, !none && !present);
	for (f = 0; f < N_OF(preds); f++)
		assert_in_range(preds[f](arch, pte), 0, 1);

	r = mmm_pte_pfn(arch, pte, &pfn);
	if (present) {
		mmm_assert_errno(r, 0);
	} else {
		mmm_assert_errno(r, -EINVAL);
		assert_int_equal(pfn, SENTINEL);
	}
	mmm_assert_errno(mmm_pte_pfn(arch, pte, NULL), -EINVAL);

	for (f = 0; f < N_OF(muts); f++) {
		out = SENTINEL;
		r = muts[f](arch, pte, &out);
		if (present) {
			mmm_assert_errno(r, 0);
			/* §1.3 / §3.2: mutators keep the PTE present and its PFN. */
			assert_int_equal(mmm_pte_present(arch, out), 1);
			p2 = ~pfn;
			mmm_assert_ok(mmm_pte_pfn(arch, out, &p2));
			assert_int_equal(p2, pfn);
		} else {
			mmm_assert_errno(r, -EINVAL);
			assert_int_equal(out, SENTINEL);
		}
		mmm_assert_errno(muts[f](arch, pte, NULL), -EINVAL);
	}

	for (f = 0; f < N_OF(swp_preds); f++) {
		r = swp_preds[f](arch, pte);
		if (swap)
			assert_in_range(r, 0, 1);
		else
			mmm_assert_errno(r, -EINVAL);
	}
	for (f = 0; f < N_OF(swp_muts); f++) {
		out = SENTINEL;
		r = swp_muts[f](arch, pte, &out);
		if (swap) {
			mmm_assert_errno(r, 0);
			/* Setting a swap bit never makes the entry none or present. */
			if (f % 2 == 0)
				assert_int_equal(mmm_is_swap_pte(arch, out), 1);
		} else {
			mmm_assert_errno(r, -EINVAL);
			assert_int_equal(out, SENTINEL);
		}
		mmm_assert_errno(swp_muts[f](arch, pte, NULL), -EINVAL);
	}

	out = SENTINEL;
	r = mmm_pte_to_swp_entry(arch, pte, &out);
	if (swap) {
		mmm_assert_errno(r, 0);
		assert_int_equal(out >> 63, 0); /* §4.1: bit 63 is always 0 */
	} else {
		mmm_assert_errno(r, -EINVAL);
		assert_int_equal(out, SENTINEL);
	}
	mmm_assert_errno(mmm_pte_to_swp_entry(arch, pte, NULL), -EINVAL);

	memset(&info, 0x5A, sizeof(info));
	info.size = sizeof(info);
	mmm_assert_errno(mmm_pte_decode(arch, pte, &info), 0);
	assert_int_equal(info.kind == MMM_PTE_KIND_NONE, none);
	assert_int_equal(info.kind == MMM_PTE_KIND_PRESENT, present);
	assert_in_range(info.kind, MMM_PTE_KIND_NONE, MMM_PTE_KIND_MARKER);
	assert_int_equal(info.reserved, 0);
	mmm_assert_errno(mmm_pte_decode(arch, pte, NULL), -EINVAL);

	/* Stepping: present only; -ERANGE beyond max_pfn. */
	out = SENTINEL;
	r = mmm_pte_advance_pfn(arch, pte, UINT64_MAX, &out);
	mmm_assert_errno(r, present ? -ERANGE : -EINVAL);
	r = mmm_pte_advance_pfn(arch, pte, 1ull << 63, &out);
	mmm_assert_errno(r, present ? -ERANGE : -EINVAL);
	assert_int_equal(out, SENTINEL);
	r = mmm_pte_advance_pfn(arch, pte, 0, &out);
	mmm_assert_errno(r, present ? 0 : -EINVAL);
	if (present)
		assert_int_equal(out, pte); /* only the PFN changes, by 0 */
	r = mmm_pte_next_pfn(arch, pte, &out);
	assert_true(r == 0 || r == (present ? -ERANGE : -EINVAL));
	mmm_assert_errno(mmm_pte_next_pfn(arch, pte, NULL), -EINVAL);
	mmm_assert_errno(mmm_pte_advance_pfn(arch, pte, 1, NULL), -EINVAL);

	/* Swap offset moves: real swap PTEs only; INT64 extremes are out of range. */
	{
		static const int64_t deltas[] = { INT64_MIN, INT64_MAX, -1, 1, 0,
						  INT64_MIN + 1, (int64_t)1 << 50,
						  -((int64_t)1 << 50) };
		int real = info.kind == MMM_PTE_KIND_SWAP;

		for (f = 0; f < N_OF(deltas); f++) {
			out = SENTINEL;
			r = mmm_pte_move_swp_offset(arch, pte, deltas[f], &out);
			if (!real) {
				mmm_assert_errno(r, -EINVAL);
			} else if (f < 2 || f >= 5) {
				mmm_assert_errno(r, -ERANGE);
			} else if (r == 0) {
				assert_int_equal(mmm_is_swap_pte(arch, out), 1);
				continue;
			} else {
				mmm_assert_errno(r, -ERANGE);
			}
			assert_int_equal(out, SENTINEL);
		}
		r = mmm_pte_next_swp_offset(arch, pte, &out);
		assert_true(r == 0 || r == (real ? -ERANGE : -EINVAL));
		mmm_assert_errno(mmm_pte_move_swp_offset(arch, pte, 0, NULL), -EINVAL);
		mmm_assert_errno(mmm_pte_next_swp_offset(arch, pte, NULL), -EINVAL);
	}

	/* Format: any length, NUL-terminated, same full length. */
	{
		int n = mmm_pte_format(arch, pte, NULL, 0);

		assert_true(n > 0);
		memset(buf, '#', sizeof(buf));
		assert_int_equal(mmm_pte_format(arch, pte, buf, 1), n);
		assert_int_equal(buf[0], '\0');
		assert_int_equal(buf[1], '#');
		assert_int_equal(mmm_pte_format(arch, pte, buf, sizeof(buf)), n);
		assert_true(memchr(buf, '\0', sizeof(buf)) != NULL);
		mmm_assert_errno(mmm_pte_format(arch, pte, NULL, 1), -EINVAL);
		mmm_assert_errno(mmm_pte_format(arch, pte, NULL, SIZE_MAX), -EINVAL);
	}
}

static void test_extreme_values_every_arch(void **state)
{
	unsigned a;
	size_t v;

	(void)state;
	for (a = 0; a < N_GOOD; a++)
		for (v = 0; v < N_EXTREME; v++)
			check_value(good_arch(a), extreme_ptes[v]);
}

static void test_random_values_every_arch(void **state)
{
	unsigned a;
	int i;

	(void)state;
	for (a = 0; a < N_GOOD; a++)
		for (i = 0; i < 1500; i++) {
			uint64_t v = rnd();

			/* Half the time, bias towards the low-flag corner. */
			if (i & 1)
				v &= (i & 2) ? 0xFFFull : 0xF00000000000FFFFull;
			check_value(good_arch(a), v);
		}
}

/* ----------------------------------------------------- entries and types */

static void test_generic_entries_hostile(void **state)
{
	static const uint32_t types[] = { 0, 1, 23, 24, 31, 32, 63, 0xFFFFFFFFu };
	static const uint64_t offs[] = { 0, 1, (1ull << 50) - 1, 1ull << 50,
					 (1ull << 58) - 1, 1ull << 58, UINT64_MAX };
	size_t t, o;
	unsigned a;
	int i;

	(void)state;
	for (t = 0; t < N_OF(types); t++)
		for (o = 0; o < N_OF(offs); o++) {
			uint64_t e = SENTINEL;
			int r = mmm_swp_entry(types[t], offs[o], &e);

			if (types[t] <= 31 && offs[o] < (1ull << 58)) {
				mmm_assert_errno(r, 0);
				/* §4.1 packing. */
				assert_int_equal(e, ((uint64_t)types[t] << 58) | offs[o]);
			} else {
				mmm_assert_errno(r, -ERANGE);
				assert_int_equal(e, SENTINEL);
			}
			r = mmm_swp_entry(types[t], offs[o], NULL);
			assert_true(r == -EINVAL || r == -ERANGE);
		}

	for (i = 0; i < 20000; i++) {
		uint64_t e = rnd();

		assert_int_equal(mmm_swp_type(e), e >> 58);
		assert_int_equal(mmm_swp_offset(e), e & ((1ull << 58) - 1));
		if (i & 1)
			e &= 0x7C0000000003FFFFull; /* mostly in-range entries */
		for (a = 0; a < N_GOOD; a += 7) {
			mmm_arch arch = good_arch(a);
			uint64_t pte = SENTINEL, back = SENTINEL;
			struct mmm_arch_info ai;
			int r;

			memset(&ai, 0, sizeof(ai));
			ai.size = sizeof(ai);
			mmm_assert_ok(mmm_arch_info(arch, &ai));

			r = mmm_non_swap_entry(arch, e);
			if (e >> 63)
				mmm_assert_errno(r, -EINVAL);
			else
				assert_int_equal(r, (e >> 58) >= ai.max_swapfiles);

			r = mmm_swp_entry_to_pte(arch, e, &pte);
			if (e >> 63) {
				mmm_assert_errno(r, -EINVAL);
			} else if ((e & ((1ull << 58) - 1)) > ai.max_swp_offset) {
				mmm_assert_errno(r, -ERANGE);
			} else if (r == 0) {
				/* §4.5: below 2^50 the conversion is lossless. */
				assert_int_equal(mmm_is_swap_pte(arch, pte), 1);
				mmm_assert_ok(mmm_pte_to_swp_entry(arch, pte, &back));
				assert_int_equal(back, e);
				continue;
			} else {
				mmm_assert_errno(r, -EINVAL); /* would read as pte_none */
			}
			assert_int_equal(pte, SENTINEL);
		}
	}
	mmm_assert_errno(mmm_swp_entry_to_pte(X86, 0x0C00000000001234ull, NULL), -EINVAL);
	assert_int_equal(mmm_swp_type(UINT64_MAX), 63);
	assert_int_equal(mmm_swp_offset(0), 0);
}

/* --------------------------------------------------------------- encode */

static void test_encode_hostile(void **state)
{
	unsigned a;
	int i, ok = 0;

	(void)state;
	for (i = 0; i < 40000; i++) {
		mmm_arch arch = good_arch((unsigned)rnd() % N_GOOD);
		struct mmm_pte_info in, back;
		uint64_t out = SENTINEL;
		uint64_t r1 = rnd(), r2 = rnd();
		int r;

		if (r1 & 1) {
			/* A valid description (decoded) with one field made hostile. */
			memset(&in, 0, sizeof(in));
			in.size = sizeof(in);
			mmm_assert_ok(mmm_pte_decode(arch, r2, &in));
			in.stray = 0;
			switch ((r1 >> 1) % 12) {
			case 0: in.kind = (uint32_t)rnd(); break;
			case 1: in.kind = (uint32_t)(rnd() % 11); break;
			case 2: in.flags ^= 1ull << (rnd() & 63); break;
			case 3: in.pfn = rnd() >> (rnd() & 63); break;
			case 4: in.swp_offset = rnd() >> (rnd() & 63); break;
			case 5: in.swp_type = (uint32_t)(rnd() % 40); break;
			case 6: in.marker = (uint32_t)(rnd() & 15); break;
			case 7: in.attrs ^= 1ull << (rnd() & 63); break;
			case 8: in.reserved = (uint32_t)rnd() | 1; break;
			case 9: in.stray = 1ull << (rnd() & 63); break;
			case 10: in.preds = (uint32_t)rnd(); break; /* ignored */
			default: break; /* unchanged */
			}
		} else {
			memset(&in, 0, sizeof(in));
			in.size = sizeof(in);
			in.kind = (r1 & 0x10) ? (uint32_t)(r1 >> 40) : (uint32_t)(r1 % 12);
			in.flags = (r1 & 0x20) ? r2 : (r2 & 0x1FFF) & ((r1 & 0x40) ? 0x1FFF : 0x1F);
			in.pfn = (r1 & 0x80) ? rnd() : (rnd() & 0xFFFFFFF);
			in.swp_offset = (r1 & 0x100) ? rnd() : (rnd() & 0xFFFFF);
			in.swp_type = (r1 & 0x200) ? (uint32_t)rnd() : (uint32_t)(rnd() & 31);
			in.marker = (r1 & 0x400) ? (uint32_t)rnd() : (uint32_t)(rnd() & 7);
			in.attrs = (r1 & 0x800) ? rnd() : 0;
			in.preds = (uint32_t)rnd(); /* ignored */
			in.reserved = (r1 & 0x1000) ? (uint32_t)rnd() : 0;
			in.stray = (r1 & 0x2000) ? rnd() : 0;
		}

		r = mmm_pte_encode(arch, &in, &out);
		if (r != 0) {
			assert_true(r == -EINVAL || r == -ERANGE);
			assert_int_equal(out, SENTINEL);
			continue;
		}
		ok++;
		memset(&back, 0, sizeof(back));
		back.size = sizeof(back);
		mmm_assert_ok(mmm_pte_decode(arch, out, &back));
		assert_int_equal(back.kind, in.kind);
		if (in.kind != MMM_PTE_KIND_NONE)
			assert_int_equal(mmm_pte_none(arch, out), 0);
		assert_int_equal(back.stray, 0);
		assert_int_equal(in.stray, 0);
		assert_int_equal(in.reserved, 0);
	}
	print_message("  %d of 40000 random descriptions encoded\n", ok);
	assert_true(ok > 2000);

	/* NULLs and sizes. */
	for (a = 0; a < 2; a++) {
		struct mmm_pte_info in;
		uint64_t out = SENTINEL;

		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.kind = MMM_PTE_KIND_SWAP;
		in.swp_type = 3;
		in.swp_offset = 0x1234;
		mmm_assert_errno(mmm_pte_encode(good_arch(a), NULL, &out), -EINVAL);
		mmm_assert_errno(mmm_pte_encode(good_arch(a), &in, NULL), -EINVAL);
		in.size = 0;
		mmm_assert_errno(mmm_pte_encode(good_arch(a), &in, &out), -EINVAL);
		in.size = 4;
		mmm_assert_errno(mmm_pte_encode(good_arch(a), &in, &out), -EINVAL);
		in.size = sizeof(in) - 8;
		mmm_assert_errno(mmm_pte_encode(good_arch(a), &in, &out), -EINVAL);
		assert_int_equal(out, SENTINEL);
		in.size = sizeof(in);
		mmm_assert_ok(mmm_pte_encode(good_arch(a), &in, &out));
	}
}

/* ------------------------------------------------------ sized structs */

/* Header "Sized structs": too small is -EINVAL and nothing is written; larger is fine. */
static void test_sized_structs(void **state)
{
	union {
		struct mmm_pte_info info;
		unsigned char bytes[sizeof(struct mmm_pte_info) + 32];
	} pi;
	union {
		struct mmm_arch_info ai;
		unsigned char bytes[sizeof(struct mmm_arch_info) + 32];
	} ai;
	const uint32_t pi_sizes[] = { 0, 1, 4, 8, (uint32_t)sizeof(struct mmm_pte_info) - 1 };
	const uint32_t ai_sizes[] = { 0, 1, 4, 8, (uint32_t)sizeof(struct mmm_arch_info) - 1 };
	size_t s, k;

	(void)state;
	for (s = 0; s < N_OF(pi_sizes); s++) {
		memset(pi.bytes, 0x5A, sizeof(pi.bytes));
		pi.info.size = pi_sizes[s];
		mmm_assert_errno(mmm_pte_decode(X86, 0x8000000012345067ull, &pi.info), -EINVAL);
		for (k = sizeof(uint32_t); k < sizeof(pi.bytes); k++)
			assert_int_equal(pi.bytes[k], 0x5A);

		memset(ai.bytes, 0x5A, sizeof(ai.bytes));
		ai.ai.size = ai_sizes[s];
		mmm_assert_errno(mmm_arch_info(ARM, &ai.ai), -EINVAL);
		for (k = sizeof(uint32_t); k < sizeof(ai.bytes); k++)
			assert_int_equal(ai.bytes[k], 0x5A);
	}
	/* A caller built against a later, larger header. */
	memset(pi.bytes, 0, sizeof(pi.bytes));
	pi.info.size = (uint32_t)sizeof(pi.bytes);
	mmm_assert_ok(mmm_pte_decode(X86, 0x8000000012345067ull, &pi.info));
	assert_int_equal(pi.info.pfn, 0x12345);
	memset(ai.bytes, 0, sizeof(ai.bytes));
	ai.ai.size = (uint32_t)sizeof(ai.bytes);
	mmm_assert_ok(mmm_arch_info(ARM, &ai.ai));
	assert_int_equal(ai.ai.cont_ptes, 16);
	mmm_assert_errno(mmm_arch_info(X86, NULL), -EINVAL);
}

/* -------------------------------------------------------------- batching */

static void test_folio_batch_hostile(void **state)
{
	uint64_t p[64];
	int i;
	size_t k;

	(void)state;
	for (i = 0; i < 30000; i++) {
		mmm_arch arch = good_arch((unsigned)rnd() % N_GOOD);
		struct mmm_fpb_args fa;
		struct mmm_fpb_result res;
		uint64_t r1 = rnd();
		size_t nr_ptes = 1 + (size_t)(rnd() % 64);
		uint64_t base = (arch & 0xff) == X86 ? 0x8000000012340067ull : 0x0068000012340FC3ull;
		int r;

		for (k = 0; k < 64; k++) {
			p[k] = base + (k << 12);
			if ((rnd() & 7) == 0)
				p[k] = rnd();
			else if ((rnd() & 7) == 0)
				p[k] ^= 1ull << (rnd() & 63);
		}
		memset(&fa, 0, sizeof(fa));
		fa.size = (r1 & 0x1) ? (uint32_t)(rnd() % 48) : (uint32_t)sizeof(fa);
		fa.api = (r1 & 0x2) ? (uint32_t)rnd() : (uint32_t)(rnd() & 1);
		fa.flags = (r1 & 0x4) ? (uint32_t)rnd() : (uint32_t)(rnd() & 0x1F);
		fa.table_index = (r1 & 0x8) ? (uint32_t)rnd() : (uint32_t)(rnd() % 512);
		fa.folio_pfn = (r1 & 0x10) ? rnd() : 0x12340 - (rnd() & 3);
		fa.folio_nr_pages = (r1 & 0x20) ? rnd() : (rnd() % 70);
		fa.max_nr = (r1 & 0x40) ? rnd() : (rnd() % (nr_ptes + 2));
		memset(&res, 0x5A, sizeof(res));
		res.size = (r1 & 0x80) ? (uint32_t)(rnd() % 32) : (uint32_t)sizeof(res);

		r = mmm_folio_pte_batch(arch, p, nr_ptes, &fa, (r1 & 0x100) ? NULL : &res);
		if (r < 0) {
			assert_true(r == -EINVAL || r == -ERANGE);
			continue;
		}
		assert_true(r >= 1);
		assert_true((uint64_t)r <= fa.max_nr);
		assert_true((size_t)r <= nr_ptes);
		assert_true((uint64_t)r <= 512 - fa.table_index);
		if (!(r1 & 0x100))
			assert_int_equal(res.nr, (uint32_t)r);
	}

	/* Specific extremes. */
	{
		struct mmm_fpb_args fa;

		for (k = 0; k < 64; k++)
			p[k] = 0x8000000012340067ull + (k << 12);
		memset(&fa, 0, sizeof(fa));
		fa.size = sizeof(fa);
		fa.folio_pfn = 0x12340;
		fa.folio_nr_pages = 16;
		fa.max_nr = UINT64_MAX;
		mmm_assert_errno(mmm_folio_pte_batch(X86, p, 64, &fa, NULL), -EINVAL);
		fa.max_nr = 65;
		mmm_assert_errno(mmm_folio_pte_batch(X86, p, 64, &fa, NULL), -EINVAL);
		fa.max_nr = 1;
		mmm_assert_errno(mmm_folio_pte_batch(X86, p, 0, &fa, NULL), -EINVAL);
		fa.max_nr = 64;
		fa.folio_nr_pages = UINT64_MAX;
		{
			int r = mmm_folio_pte_batch(X86, p, 64, &fa, NULL);

			assert_true(r == -ERANGE || r == -EINVAL || r == 64);
		}
		fa.folio_pfn = UINT64_MAX;
		fa.folio_nr_pages = 2;
		{
			int r = mmm_folio_pte_batch(X86, p, 64, &fa, NULL);

			assert_true(r == -ERANGE || r == -EINVAL);
		}
		fa.folio_pfn = 0x12340;
		fa.folio_nr_pages = 16;
		fa.table_index = UINT32_MAX;
		mmm_assert_errno(mmm_folio_pte_batch(X86, p, 64, &fa, NULL), -EINVAL);
		fa.table_index = 0;
		fa.api = UINT32_MAX;
		mmm_assert_errno(mmm_folio_pte_batch(X86, p, 64, &fa, NULL), -EINVAL);
		fa.api = MMM_FPB_API_6_17;
		fa.flags = UINT32_MAX;
		mmm_assert_errno(mmm_folio_pte_batch(X86, p, 64, &fa, NULL), -EINVAL);
		fa.flags = 0;
		assert_int_equal(mmm_folio_pte_batch(X86, p, 64, &fa, NULL), 16);
	}
}

static void test_swap_batch_hostile(void **state)
{
	uint64_t p[64];
	int i;
	size_t k;

	(void)state;
	for (i = 0; i < 30000; i++) {
		mmm_arch arch = good_arch((unsigned)rnd() % N_GOOD);
		size_t nr_ptes = (size_t)(rnd() % 65);
		size_t max_nr = (rnd() & 1) ? (size_t)rnd() : (size_t)(rnd() % (nr_ptes + 2));
		int r;

		p[0] = (arch & 0xff) == X86 ? 0x1FFFFFFFFFDB9608ull : 0x00000000012340C4ull;
		if (rnd() & 1)
			p[0] = rnd();
		for (k = 1; k < 64; k++) {
			if (mmm_pte_next_swp_offset(arch, p[k - 1], &p[k]) != 0 || (rnd() & 15) == 0)
				p[k] = rnd();
		}
		r = mmm_swap_pte_batch(arch, p, nr_ptes, max_nr);
		if (r < 0) {
			mmm_assert_errno(r, -EINVAL);
			continue;
		}
		assert_true(r >= 1);
		assert_true((size_t)r <= max_nr);
		assert_true((size_t)r <= nr_ptes);
	}
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 0, 0), -EINVAL);
	mmm_assert_errno(mmm_swap_pte_batch(X86, p, 64, SIZE_MAX), -EINVAL);
	mmm_assert_errno(mmm_swap_pte_batch(X86, NULL, 0, 1), -EINVAL);
	mmm_assert_errno(mmm_swap_pte_batch(X86, NULL, SIZE_MAX, SIZE_MAX), -EINVAL);
}

/* ------------------------------------------------------ version, strerror */

static void test_version_and_strerror(void **state)
{
	static const int errs[] = { 0, -EINVAL, EINVAL, -ERANGE, -EBUSY, -ENOMEM,
				    INT_MIN, INT_MAX, -1, 1, 12345, -12345, -4095, 4096 };
	size_t i;

	(void)state;
	assert_non_null(mmm_version());
	assert_string_equal(mmm_version(), MMM_VERSION_STRING);
	assert_int_equal(mmm_version_number(), MMM_VERSION_NUMBER);
	for (i = 0; i < N_OF(errs); i++) {
		const char *s = mmm_strerror(errs[i]);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
	}
	assert_string_equal(mmm_strerror(0), "Success");
	assert_string_equal(mmm_strerror(-12345), "Unknown error");
	assert_string_equal(mmm_strerror(INT_MIN), "Unknown error");
	assert_string_equal(mmm_strerror(-EINVAL), mmm_strerror(EINVAL));
	for (i = 0; i < 5000; i++)
		assert_non_null(mmm_strerror((int)rnd()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_arch_everywhere),
		cmocka_unit_test(test_extreme_values_every_arch),
		cmocka_unit_test(test_random_values_every_arch),
		cmocka_unit_test(test_generic_entries_hostile),
		cmocka_unit_test(test_encode_hostile),
		cmocka_unit_test(test_sized_structs),
		cmocka_unit_test(test_folio_batch_hostile),
		cmocka_unit_test(test_swap_batch_hostile),
		cmocka_unit_test(test_version_and_strerror),
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
