/* SPDX-License-Identifier: MIT */
/*
 * mmm_pte_decode(), mmm_pte_encode() and mmm_pte_format().
 *
 * The header's round-trip promise (struct mmm_pte_info: for every value with
 * stray == 0, encode(decode(v)) == v) is checked over the spec's worked
 * examples (/work/shared/spec/pte-and-swap-encoding.md §1.5, §2.5, §3.6, §4.6)
 * and over pseudo-random values from a fixed-seed xorshift, on both arches and
 * several configurations. Decoded fields are checked against the spec's
 * values; format text only against the examples the header itself gives.
 */
#include "mmmodel_cmocka.h"

#define X86 MMM_ARCH_X86_64
#define ARM MMM_ARCH_ARM64

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* xorshift64 (Marsaglia), fixed seed: the same values on every run. */
static uint64_t xorshift64(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static struct mmm_pte_info decode_at(mmm_arch arch, uint64_t pte, const char *file, int line)
{
	struct mmm_pte_info info;

	memset(&info, 0xA5, sizeof(info));
	info.size = sizeof(info);
	mmm_assert_errno_at(mmm_pte_decode(arch, pte, &info), 0, file, line);
	return info;
}
#define decode(arch, pte) decode_at((arch), (pte), __FILE__, __LINE__)

/* Header: for stray == 0 encode(decode(v)) == v; and decode never fails. */
static void round_trip_at(mmm_arch arch, uint64_t v, int *checked, const char *file, int line)
{
	struct mmm_pte_info info = decode_at(arch, v, file, line);
	uint64_t back = ~v;

	if (info.stray != 0)
		return;
	/* mmmodel.h: an empty PTE marker decodes but is refused by encode (the
	 * kernel never installs one, handle_pte_marker() WARNs). */
	if (info.kind == MMM_PTE_KIND_MARKER && info.marker == 0) {
		mmm_assert_errno_at(mmm_pte_encode(arch, &info, &back), -EINVAL, file, line);
		return;
	}
	mmm_assert_errno_at(mmm_pte_encode(arch, &info, &back), 0, file, line);
	mmm_assert_pte_equal_at(arch, v, back, file, line);
	if (checked)
		(*checked)++;
}
#define round_trip(arch, v) round_trip_at((arch), (v), NULL, __FILE__, __LINE__)

/* §1.5 / §3.6: present PTEs decode to their flags and PFN. */
static void test_s1_5_s3_6_present_fields(void **state)
{
	struct mmm_pte_info i;

	(void)state;
	i = decode(X86, 0x8000000012345067ull);
	assert_int_equal(i.kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(i.pfn, 0x12345);
	assert_int_equal(i.flags, MMM_PTE_F_VALID | MMM_PTE_F_WRITE | MMM_PTE_F_USER |
			 MMM_PTE_F_YOUNG | MMM_PTE_F_DIRTY | MMM_PTE_F_NX);
	assert_int_equal(i.attrs, 0);
	assert_int_equal(i.stray, 0);
	assert_int_equal(i.preds, MMM_PRED_PRESENT | MMM_PRED_WRITE | MMM_PRED_DIRTY |
			 MMM_PRED_YOUNG);

	i = decode(X86, 0x8400000012345025ull);
	assert_int_equal(i.flags, MMM_PTE_F_VALID | MMM_PTE_F_USER | MMM_PTE_F_YOUNG |
			 MMM_PTE_F_SAVED_DIRTY | MMM_PTE_F_NX);
	assert_true(i.preds & MMM_PRED_DIRTY);
	assert_false(i.preds & MMM_PRED_WRITE);

	/* §1.4: PROT_NONE, inverted PFN. */
	i = decode(X86, 0x000FFFFFEDCBA120ull);
	assert_int_equal(i.kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(i.pfn, 0x12345);
	assert_int_equal(i.flags, MMM_PTE_F_PROTNONE | MMM_PTE_F_YOUNG);
	assert_true(i.preds & MMM_PRED_PROTNONE);
	assert_true(i.preds & MMM_PRED_PRESENT);

	/* §3.6: arm64 clean and hardware-dirty. */
	i = decode(ARM, 0x0068000012345FC3ull);
	assert_int_equal(i.kind, MMM_PTE_KIND_PRESENT);
	assert_int_equal(i.pfn, 0x12345);
	assert_true(i.flags & MMM_PTE_F_VALID);
	assert_true(i.flags & MMM_PTE_F_WRITE);
	assert_true(i.flags & MMM_PTE_F_USER);
	assert_true(i.flags & MMM_PTE_F_YOUNG);
	assert_true(i.flags & MMM_PTE_F_RDONLY);
	assert_true(i.flags & MMM_PTE_F_NX);
	assert_false(i.flags & MMM_PTE_F_DIRTY);
	assert_false(i.preds & MMM_PRED_DIRTY);
	i = decode(ARM, 0x0068000012345F43ull);
	assert_false(i.flags & MMM_PTE_F_RDONLY);
	assert_false(i.flags & MMM_PTE_F_DIRTY);
	assert_true(i.preds & MMM_PRED_DIRTY); /* hardware dirty */
	i = decode(ARM, 0x00E0000012345FC3ull);
	assert_true(i.flags & MMM_PTE_F_DIRTY);
	assert_false(i.flags & MMM_PTE_F_WRITE);
}

/* §2.5 / §3.6 / §9.1: swap and none values decode to their fields. */
static void test_s2_5_s3_6_swap_and_none_fields(void **state)
{
	struct mmm_pte_info i;

	(void)state;
	i = decode(X86, 0x1FFFFFFFFFDB960Eull);
	assert_int_equal(i.kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(i.swp_type, 3);
	assert_int_equal(i.swp_offset, 0x1234);
	assert_int_equal(i.flags, MMM_SWP_F_EXCLUSIVE | MMM_SWP_F_SOFT_DIRTY | MMM_SWP_F_UFFD_WP);
	assert_int_equal(i.stray, 0);
	assert_true(i.preds & MMM_PRED_SWAP_PTE);
	assert_true(i.preds & MMM_PRED_EXCLUSIVE);
	assert_false(i.preds & MMM_PRED_NON_SWAP);

	i = decode(ARM, 0x00000000012340CCull);
	assert_int_equal(i.kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(i.swp_type, 3);
	assert_int_equal(i.swp_offset, 0x1234);
	assert_int_equal(i.flags, MMM_SWP_F_EXCLUSIVE | MMM_SWP_F_UFFD_WP);

	i = decode(X86, 0);
	assert_int_equal(i.kind, MMM_PTE_KIND_NONE);
	assert_int_equal(i.stray, 0);
	assert_true(i.preds & MMM_PRED_NONE);
	/* §9.1: 0x60 is none on x86-64; A and D are bits the kernel never sets there. */
	i = decode(X86, 0x60);
	assert_int_equal(i.kind, MMM_PTE_KIND_NONE);
	assert_int_equal(i.stray, 0x60);
	i = decode(ARM, 0);
	assert_int_equal(i.kind, MMM_PTE_KIND_NONE);

	/* §2.1: bits 4-7 of an x86-64 swap PTE are stray. */
	i = decode(X86, 0x1FFFFFFFFFDB9618ull);
	assert_int_equal(i.kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(i.swp_offset, 0x1234);
	assert_int_equal(i.stray, 0x10);
	/* §3.5 / §9.6: arm64 bits 62-63 of a swap PTE are stray. */
	i = decode(ARM, 0x40000000000000C0ull);
	assert_int_equal(i.kind, MMM_PTE_KIND_SWAP);
	assert_int_equal(i.swp_offset, 0);
	assert_int_equal(i.stray, 0x4000000000000000ull);
}

/* Spec values: all of §1.5, §2.5, §3.6 and §4.6 round-trip. */
static void test_round_trip_spec_values(void **state)
{
	static const uint64_t x86[] = {
		0x8000000012345067ull, 0x8400000012345025ull, 0x8000000012346067ull,
		0x000FFFFFEDCBA120ull, 0x000FFFFFEDCB9120ull, 0,
		0x1FFFFFFFFFDB9600ull, 0x1FFFFFFFFFDB9608ull, 0x1FFFFFFFFFDB960Eull,
		0x1FFFFFFFFFDB9408ull, 0x1FFFFFFFFFDB9808ull, 0x1FFFFFFFFFFFFE08ull,
		0x1800000000000008ull, 0x1800000000000000ull, 0x1FFFFFFFFFFFFE00ull,
		0x07FFFFFFFFFFFE00ull,
		0xFFFFFFFFFFFFFC00ull, 0xFFFFFFFFFFFFFA00ull, 0xFFFFFFFFFFFFF600ull,
		0xC7FFFFFFFDB97400ull, 0xCFFFFFFFFDB97400ull, 0xD7FFFFFFFDB97400ull,
		0xDFFFFFFFFDB97400ull, 0xE7FFFFFFFDB97400ull,
		0x8000000012340067ull, 0x8000000012341007ull, 0x8400000012342025ull,
		0x8000000012343867ull,
	};
	static const uint64_t arm[] = {
		0x0068000012345FC3ull, 0x0068000012345F43ull, 0x00E0000012345FC3ull, 0,
		0x00000000012340C0ull, 0x00000000012340C4ull, 0x00000000012340CCull,
		0x00000000012350C4ull, 0x00000000012330C4ull, 0x00000000000000C4ull,
		0x3FFFFFFFFFFFF0C0ull,
		0x00000000000017C0ull, 0x00000000000027C0ull, 0x00000000000047C0ull,
		0x0000000012345600ull, 0x0000000012345640ull, 0x0000000012345680ull,
		0x00000000123456C0ull, 0x0000000012345700ull,
	};
	size_t i;
	int n = 0;

	(void)state;
	for (i = 0; i < sizeof(x86) / sizeof(x86[0]); i++) {
		assert_int_equal(decode(X86, x86[i]).stray, 0);
		round_trip_at(X86, x86[i], &n, __FILE__, __LINE__);
	}
	for (i = 0; i < sizeof(arm) / sizeof(arm[0]); i++) {
		assert_int_equal(decode(ARM, arm[i]).stray, 0);
		round_trip_at(ARM, arm[i], &n, __FILE__, __LINE__);
	}
	assert_int_equal(n, (int)(sizeof(x86) / sizeof(x86[0]) + sizeof(arm) / sizeof(arm[0])));
}

static const mmm_arch configs[] = {
	MMM_ARCH_X86_64,
	MMM_ARCH_ARM64,
	MMM_ARCH_X86_64 | MMM_ARCH_CFG_LIVE_6_18,
	MMM_ARCH_ARM64 | MMM_ARCH_CFG_LIVE_6_18,
	MMM_ARCH_X86_64 | MMM_ARCH_CFG_NO_SOFT_DIRTY | MMM_ARCH_CFG_NO_UFFD_WP,
	MMM_ARCH_ARM64 | MMM_ARCH_CFG_NO_UFFD_WP | MMM_ARCH_CFG_NO_MIGRATION,
	MMM_ARCH_X86_64 | MMM_ARCH_CFG_NO_DEVICE_PRIVATE | MMM_ARCH_CFG_NO_MIGRATION |
		MMM_ARCH_CFG_NO_MEMORY_FAILURE,
};

/*
 * Pseudo-random values in four shapes: raw 64-bit noise, noise over a valid
 * present PTE's low bits, and swap-shaped values built with the spec's
 * formulas (§2.2 x86-64, §3.5 arm64) with random type, offset and flags.
 */
static uint64_t random_value(mmm_arch arch, unsigned shape)
{
	uint64_t r = xorshift64();
	uint64_t off = xorshift64() & ((1ull << 50) - 1);
	uint64_t type = r >> 59;
	int x86 = (arch & 0xff) == MMM_ARCH_X86_64;

	switch (shape & 3) {
	case 0:
		return r;
	case 1: /* present-looking: valid bit set, random PFN and low flags */
		return (r & 0xFFF0000000000FFFull) | (off << 12 & 0x000FFFFFFFFFF000ull) | 1;
	case 2: /* swap-shaped with random flag bits */
		if (x86)
			return (((~off) << 14) >> 5) | (type << 59) | (r & 0xE);
		return (type << 6) | (off << 12) | (r & 0xC);
	default: /* small values: none, A/D-only, low bits */
		return r & 0xFFF;
	}
}

/* Header promise over 400000 pseudo-random values (seeded xorshift64). */
static void test_round_trip_random(void **state)
{
	size_t c;
	int i, checked = 0;

	(void)state;
	for (c = 0; c < sizeof(configs) / sizeof(configs[0]); c++) {
		for (i = 0; i < 60000; i++) {
			uint64_t v = random_value(configs[c], (unsigned)i);

			round_trip_at(configs[c], v, &checked, __FILE__, __LINE__);
		}
	}
	print_message("  %d stray-free values round-tripped\n", checked);
	assert_true(checked > 10000);
}

/* Header: mmm_pte_format() examples and the stray suffix. */
static void test_format_text(void **state)
{
	char buf[256];
	int n;

	(void)state;
	n = mmm_pte_format(X86, 0x1FFFFFFFFFDB9608ull, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(strstr(buf, "swap type=3 offset=0x1234 exclusive"));

	n = mmm_pte_format(ARM, 0x00000000012340C4ull, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "swap type=3 offset=0x1234 exclusive"));

	/* "present write user young dirty nx pfn=0x12345" is the header's example. */
	n = mmm_pte_format(X86, 0x8000000012345067ull, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, "present write user young dirty nx pfn=0x12345");

	n = mmm_pte_format(X86, 0x60, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_true(n >= 10);
	assert_string_equal(buf + n - 10, "stray=0x60");

	n = mmm_pte_format(X86, 0, buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(strstr(buf, "stray"));
}

/* Header: snprintf() semantics: full length returned, always NUL-terminated. */
static void test_format_truncation(void **state)
{
	char full[256], buf[64];
	int n, m;
	size_t len;

	(void)state;
	n = mmm_pte_format(X86, 0x8000000012345067ull, full, sizeof(full));
	assert_true(n > 8 && n < (int)sizeof(buf) - 2);

	assert_int_equal(mmm_pte_format(X86, 0x8000000012345067ull, NULL, 0), n);
	for (len = 1; len <= (size_t)n + 2; len++) {
		memset(buf, '#', sizeof(buf));
		m = mmm_pte_format(X86, 0x8000000012345067ull, buf, len);
		assert_int_equal(m, n);
		if (len > (size_t)n) {
			assert_string_equal(buf, full);
		} else {
			assert_int_equal(buf[len - 1], '\0');
			assert_memory_equal(buf, full, len - 1);
		}
		/* Nothing written past len. */
		assert_int_equal(buf[len], '#');
	}
	/* len 0 with a real buffer writes nothing. */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(mmm_pte_format(ARM, 0x0068000012345FC3ull, buf, 0),
			 mmm_pte_format(ARM, 0x0068000012345FC3ull, NULL, 0));
	assert_int_equal(buf[0], '#');

	mmm_assert_errno(mmm_pte_format(X86, 0x8000000012345067ull, NULL, 16), -EINVAL);
	mmm_assert_errno(mmm_pte_format(0, 0x8000000012345067ull, buf, sizeof(buf)), -EINVAL);
}

/* Header: encode refuses stray, reserved, unknown kinds, and both VALID and PROTNONE on x86. */
static void test_encode_refusals(void **state)
{
	struct mmm_pte_info in;
	uint64_t out = 0x1234;

	(void)state;
	in = decode(X86, 0x8000000012345067ull);
	in.stray = 0x10;
	mmm_assert_errno(mmm_pte_encode(X86, &in, &out), -EINVAL);
	in.stray = 0;
	in.reserved = 1;
	mmm_assert_errno(mmm_pte_encode(X86, &in, &out), -EINVAL);
	in.reserved = 0;
	in.flags |= MMM_PTE_F_PROTNONE;
	mmm_assert_errno(mmm_pte_encode(X86, &in, &out), -EINVAL);
	in.flags &= ~(MMM_PTE_F_PROTNONE | MMM_PTE_F_VALID);
	mmm_assert_errno(mmm_pte_encode(X86, &in, &out), -EINVAL);
	in.flags |= MMM_PTE_F_VALID | MMM_PTE_F_CONT; /* arm64-only bit */
	mmm_assert_errno(mmm_pte_encode(X86, &in, &out), -EINVAL);
	in.flags &= ~MMM_PTE_F_CONT;
	in.pfn = 1ull << 40; /* x86-64 PFN field is bits 12-51 */
	mmm_assert_errno(mmm_pte_encode(X86, &in, &out), -ERANGE);
	in.pfn = 0x12345;
	in.kind = 11;
	mmm_assert_errno(mmm_pte_encode(X86, &in, &out), -EINVAL);

	in = decode(ARM, 0x00000000000047C0ull); /* guard marker */
	in.marker = 0;
	mmm_assert_errno(mmm_pte_encode(ARM, &in, &out), -EINVAL);
	in.marker = 1u << 3;
	mmm_assert_errno(mmm_pte_encode(ARM, &in, &out), -EINVAL);
	assert_int_equal(out, 0x1234);

	/* A mutated-but-valid description still encodes. */
	in = decode(X86, 0x8000000012345067ull);
	in.pfn = 0x54321;
	mmm_assert_ok(mmm_pte_encode(X86, &in, &out));
	mmm_assert_pte_equal(X86, 0x8000000054321067ull, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s1_5_s3_6_present_fields),
		cmocka_unit_test(test_s2_5_s3_6_swap_and_none_fields),
		cmocka_unit_test(test_round_trip_spec_values),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_format_text),
		cmocka_unit_test(test_format_truncation),
		cmocka_unit_test(test_encode_refusals),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
