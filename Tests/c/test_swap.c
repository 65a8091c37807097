/* SPDX-License-Identifier: MIT */
/*
 * Swap PTEs, generic swap entries and non-swap entries through the C interface.
 *
 * Expected values are the spec's worked examples
 * (/work/shared/spec/pte-and-swap-encoding.md §2.5, §3.6, §4.1, §4.6) or follow
 * from the formulas and rules each test names (§2.2, §3.5, §4.2, §5.2, §9).
 */
#include "mmmodel_cmocka.h"

#define X86 MMM_ARCH_X86_64
#define ARM MMM_ARCH_ARM64
#define LIVE MMM_ARCH_CFG_LIVE_6_18
#define MAX_OFF ((1ull << 50) - 1)

static uint64_t moved_at(mmm_arch arch, uint64_t pte, int64_t delta,
			 const char *file, int line)
{
	uint64_t out = 0xdeadbeefdeadbeefull;

	mmm_assert_errno_at(mmm_pte_move_swp_offset(arch, pte, delta, &out), 0, file, line);
	return out;
}
#define moved(arch, pte, delta) moved_at((arch), (pte), (delta), __FILE__, __LINE__)

static uint64_t entry_to_pte_at(mmm_arch arch, uint64_t entry, const char *file, int line)
{
	uint64_t pte = 0xdeadbeefdeadbeefull;

	mmm_assert_errno_at(mmm_swp_entry_to_pte(arch, entry, &pte), 0, file, line);
	return pte;
}
#define entry_to_pte(arch, e) entry_to_pte_at((arch), (e), __FILE__, __LINE__)

static uint64_t pte_to_entry_at(mmm_arch arch, uint64_t pte, const char *file, int line)
{
	uint64_t e = 0xdeadbeefdeadbeefull;

	mmm_assert_errno_at(mmm_pte_to_swp_entry(arch, pte, &e), 0, file, line);
	return e;
}
#define pte_to_entry(arch, p) pte_to_entry_at((arch), (p), __FILE__, __LINE__)

static uint64_t encode_swap(mmm_arch arch, uint32_t kind, uint32_t type,
			    uint64_t offset, uint64_t flags, int *ret)
{
	struct mmm_pte_info in;
	uint64_t out = 0xdeadbeefdeadbeefull;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.kind = kind;
	in.swp_type = type;
	in.swp_offset = offset;
	in.flags = flags;
	*ret = mmm_pte_encode(arch, &in, &out);
	return out;
}

static struct mmm_pte_info decode(mmm_arch arch, uint64_t pte)
{
	struct mmm_pte_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	mmm_assert_ok(mmm_pte_decode(arch, pte, &info));
	return info;
}

/* ------------------------------------------------------------ x86-64 §2.5 */

/* §2.5: type 3, offset 0x1234: plain, + exclusive, + exclusive + soft-dirty + uffd-wp. */
static void test_x86_s2_5_type3_offset_0x1234(void **state)
{
	uint64_t p, e;
	int r;

	(void)state;
	assert_true(mmm_swp_entry(3, 0x1234, &e) == 0);
	p = entry_to_pte(X86, e);
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9600ull, p);

	assert_int_equal(mmm_pte_swp_mkexclusive(X86, p, &p), 0);
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9608ull, p);
	assert_int_equal(mmm_pte_swp_exclusive(X86, p), 1);
	assert_int_equal(mmm_pte_swp_soft_dirty(X86, p), 0);
	assert_int_equal(mmm_pte_swp_uffd_wp(X86, p), 0);

	assert_int_equal(mmm_pte_swp_mksoft_dirty(X86, p, &p), 0);
	assert_int_equal(mmm_pte_swp_mkuffd_wp(X86, p, &p), 0);
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB960Eull, p);
	assert_int_equal(mmm_pte_swp_soft_dirty(X86, p), 1);
	assert_int_equal(mmm_pte_swp_uffd_wp(X86, p), 1);

	/* The flags are not part of the generic entry (§4.5). */
	assert_int_equal(pte_to_entry(X86, p), 0x0C00000000001234ull);

	assert_int_equal(mmm_pte_swp_clear_soft_dirty(X86, p, &p), 0);
	assert_int_equal(mmm_pte_swp_clear_uffd_wp(X86, p, &p), 0);
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9608ull, p);
	assert_int_equal(mmm_pte_swp_clear_exclusive(X86, p, &p), 0);
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9600ull, p);

	/* The same through mmm_pte_encode(). */
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9608ull,
			     encode_swap(X86, MMM_PTE_KIND_SWAP, 3, 0x1234,
					 MMM_SWP_F_EXCLUSIVE, &r));
	mmm_assert_ok(r);
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB960Eull,
			     encode_swap(X86, MMM_PTE_KIND_SWAP, 3, 0x1234,
					 MMM_SWP_F_EXCLUSIVE | MMM_SWP_F_SOFT_DIRTY |
					 MMM_SWP_F_UFFD_WP, &r));
	mmm_assert_ok(r);
	assert_int_equal(mmm_is_swap_pte(X86, 0x1FFFFFFFFFDB9608ull), 1);
	assert_int_equal(mmm_pte_present(X86, 0x1FFFFFFFFFDB9608ull), 0);
	assert_int_equal(mmm_pte_none(X86, 0x1FFFFFFFFFDB9608ull), 0);
}

/* §2.5 ±1 rows / §5.2: the offset moves, type and exclusive are kept. */
static void test_x86_s2_5_move_plus_minus_one(void **state)
{
	uint64_t out = 0;

	(void)state;
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9408ull, moved(X86, 0x1FFFFFFFFFDB9608ull, 1));
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9808ull, moved(X86, 0x1FFFFFFFFFDB9608ull, -1));
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9608ull, moved(X86, 0x1FFFFFFFFFDB9608ull, 0));
	mmm_assert_ok(mmm_pte_next_swp_offset(X86, 0x1FFFFFFFFFDB9608ull, &out));
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9408ull, out);
	/* §5.2 step 3: exactly E, SD and UFFD-WP are re-applied. */
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB940Eull, moved(X86, 0x1FFFFFFFFFDB960Eull, 1));
}

/* §2.5: type 3, offset 0, exclusive; reached from 0x1234 by delta -0x1234. */
static void test_x86_s2_5_offset_zero(void **state)
{
	int r;

	(void)state;
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFFFFE08ull,
			     moved(X86, 0x1FFFFFFFFFDB9608ull, -0x1234));
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFFFFE08ull,
			     encode_swap(X86, MMM_PTE_KIND_SWAP, 3, 0, MMM_SWP_F_EXCLUSIVE, &r));
	mmm_assert_ok(r);
	/* §2.5 row "type 0, offset 0". */
	mmm_assert_pte_equal(X86, 0x07FFFFFFFFFFFE00ull,
			     encode_swap(X86, MMM_PTE_KIND_SWAP, 0, 0, 0, &r));
	mmm_assert_ok(r);
	/* §2.5 row "type 3, offset 2^50 - 1". */
	mmm_assert_pte_equal(X86, 0x1800000000000000ull,
			     encode_swap(X86, MMM_PTE_KIND_SWAP, 3, MAX_OFF, 0, &r));
	mmm_assert_ok(r);
}

/* §5.2 / §9.7: where the kernel wraps (mod 2^50), the model refuses with -ERANGE. */
static void test_x86_s9_7_move_out_of_range_refused(void **state)
{
	uint64_t out = 0x5555;

	(void)state;
	/* (3, 0) - 1 would be 0x1800000000000008 in the kernel. */
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x1FFFFFFFFFFFFE08ull, -1, &out), -ERANGE);
	/* (3, 2^50 - 1) + 1 would be exactly (3, 0) in the kernel. */
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x1800000000000000ull, 1, &out), -ERANGE);
	mmm_assert_errno(mmm_pte_next_swp_offset(X86, 0x1800000000000008ull, &out), -ERANGE);
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x1FFFFFFFFFDB9608ull, -0x1235, &out),
			 -ERANGE);
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x1FFFFFFFFFDB9608ull, INT64_MIN, &out),
			 -ERANGE);
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x1FFFFFFFFFDB9608ull, INT64_MAX, &out),
			 -ERANGE);
	assert_int_equal(out, 0x5555);
	/* The last slot itself is reachable. */
	mmm_assert_pte_equal(X86, 0x1800000000000008ull,
			     moved(X86, 0x1FFFFFFFFFFFFE08ull, (int64_t)MAX_OFF));
}

/* §5.2: the result is rebuilt; a stray bit of the input (bit 4) is dropped. */
static void test_x86_s5_2_move_drops_other_bits(void **state)
{
	(void)state;
	mmm_assert_pte_equal(X86, 0x1FFFFFFFFFDB9408ull, moved(X86, 0x1FFFFFFFFFDB9618ull, 1));
}

/* Header: mmm_pte_move_swp_offset wants a real swap PTE (not none/present/non-swap). */
static void test_move_refuses_non_swap(void **state)
{
	uint64_t out = 0x7777;

	(void)state;
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0, 1, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0x8000000012345067ull, 1, &out), -EINVAL);
	/* §4.6 migration read (type 25) and the uffd-wp marker. */
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0xCFFFFFFFFDB97400ull, 1, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_move_swp_offset(X86, 0xFFFFFFFFFFFFFC00ull, 1, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_move_swp_offset(ARM, 0x0000000012345640ull, 1, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_move_swp_offset(ARM, 0, 1, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_move_swp_offset(ARM, 0x0068000012345FC3ull, 1, &out), -EINVAL);
	assert_int_equal(out, 0x7777);
}

/* ------------------------------------------------------------- arm64 §3.6 */

/* §3.6: type 3, offset 0x1234 (not inverted), exclusive bit 2, uffd-wp bit 3. */
static void test_arm64_s3_6_type3_offset_0x1234(void **state)
{
	uint64_t p;
	int r;

	(void)state;
	p = entry_to_pte(ARM, 0x0C00000000001234ull);
	mmm_assert_pte_equal(ARM, 0x00000000012340C0ull, p);
	assert_int_equal(mmm_pte_swp_mkexclusive(ARM, p, &p), 0);
	mmm_assert_pte_equal(ARM, 0x00000000012340C4ull, p);
	assert_int_equal(mmm_pte_swp_mkuffd_wp(ARM, p, &p), 0);
	mmm_assert_pte_equal(ARM, 0x00000000012340CCull, p);
	assert_int_equal(mmm_pte_swp_exclusive(ARM, p), 1);
	assert_int_equal(mmm_pte_swp_uffd_wp(ARM, p), 1);
	assert_int_equal(pte_to_entry(ARM, p), 0x0C00000000001234ull);

	/* §3.1 / §9.8: no swap soft-dirty on arm64. */
	assert_int_equal(mmm_pte_swp_mksoft_dirty(ARM, p, &p), 0);
	mmm_assert_pte_equal(ARM, 0x00000000012340CCull, p);
	assert_int_equal(mmm_pte_swp_soft_dirty(ARM, p), 0);

	mmm_assert_pte_equal(ARM, 0x00000000012340C4ull,
			     encode_swap(ARM, MMM_PTE_KIND_SWAP, 3, 0x1234, MMM_SWP_F_EXCLUSIVE, &r));
	mmm_assert_ok(r);
	mmm_assert_pte_equal(ARM, 0x00000000012340CCull,
			     encode_swap(ARM, MMM_PTE_KIND_SWAP, 3, 0x1234,
					 MMM_SWP_F_EXCLUSIVE | MMM_SWP_F_UFFD_WP, &r));
	mmm_assert_ok(r);
	/* Swap soft-dirty cannot be encoded on arm64. */
	encode_swap(ARM, MMM_PTE_KIND_SWAP, 3, 0x1234, MMM_SWP_F_SOFT_DIRTY, &r);
	mmm_assert_errno(r, -EINVAL);
}

/* §3.6 ±1 and offset-0 rows, and the §9.7 refusals. */
static void test_arm64_s3_6_moves(void **state)
{
	uint64_t out = 0x4444;
	int r;

	(void)state;
	mmm_assert_pte_equal(ARM, 0x00000000012350C4ull, moved(ARM, 0x00000000012340C4ull, 1));
	mmm_assert_pte_equal(ARM, 0x00000000012330C4ull, moved(ARM, 0x00000000012340C4ull, -1));
	mmm_assert_pte_equal(ARM, 0x00000000000000C4ull, moved(ARM, 0x00000000012340C4ull, -0x1234));
	mmm_assert_pte_equal(ARM, 0x00000000012350CCull, moved(ARM, 0x00000000012340CCull, 1));
	mmm_assert_ok(mmm_pte_next_swp_offset(ARM, 0x00000000012340C4ull, &out));
	mmm_assert_pte_equal(ARM, 0x00000000012350C4ull, out);
	/* §3.6 row "type 3, offset 2^50 - 1". */
	mmm_assert_pte_equal(ARM, 0x3FFFFFFFFFFFF0C0ull,
			     encode_swap(ARM, MMM_PTE_KIND_SWAP, 3, MAX_OFF, 0, &r));
	mmm_assert_ok(r);

	out = 0x4444;
	/* (3, 0) - 1 would be 0xFFFFFFFFFFFFF0C4; (3, 2^50-1) + 1 would be 0x40000000000000C0. */
	mmm_assert_errno(mmm_pte_move_swp_offset(ARM, 0x00000000000000C4ull, -1, &out), -ERANGE);
	mmm_assert_errno(mmm_pte_move_swp_offset(ARM, 0x3FFFFFFFFFFFF0C0ull, 1, &out), -ERANGE);
	mmm_assert_errno(mmm_pte_move_swp_offset(ARM, 0x00000000012340C4ull, INT64_MIN, &out),
			 -ERANGE);
	mmm_assert_errno(mmm_pte_move_swp_offset(ARM, 0x00000000012340C4ull, INT64_MAX, &out),
			 -ERANGE);
	assert_int_equal(out, 0x4444);
	/* §5.2: stray bits 62-63 of the input are not carried over. */
	mmm_assert_pte_equal(ARM, 0x00000000012350C4ull, moved(ARM, 0x40000000012340C4ull, 1));
}

/* ---------------------------------------------------- none collisions §9.5 */

/* §2.5 last row / §3.6 / §9.5: encodings equal to pte_none are refused with -EINVAL. */
static void test_s9_5_none_collisions_refused(void **state)
{
	uint64_t e, out = 0x3333;
	int r;

	(void)state;
	assert_int_equal(mmm_swp_entry(0, MAX_OFF, &e), 0);
	mmm_assert_errno(mmm_swp_entry_to_pte(X86, e, &out), -EINVAL);
	encode_swap(X86, MMM_PTE_KIND_SWAP, 0, MAX_OFF, 0, &r);
	mmm_assert_errno(r, -EINVAL);

	mmm_assert_errno(mmm_swp_entry_to_pte(ARM, 0, &out), -EINVAL);
	encode_swap(ARM, MMM_PTE_KIND_SWAP, 0, 0, 0, &r);
	mmm_assert_errno(r, -EINVAL);
	assert_int_equal(out, 0x3333);

	/* The other arch's collision is an ordinary entry. */
	mmm_assert_pte_equal(X86, 0x07FFFFFFFFFFFE00ull, entry_to_pte(X86, 0));
	mmm_assert_pte_equal(ARM, 0x3FFFFFFFFFFFF000ull, entry_to_pte(ARM, e));
}

/* §4.5 / §9.6: offsets of 2^50 or more are refused, not truncated or spilled. */
static void test_s9_6_offset_too_wide_refused(void **state)
{
	uint64_t e, out = 0x2222;
	int r;

	(void)state;
	assert_int_equal(mmm_swp_entry(3, 1ull << 50, &e), 0);
	mmm_assert_errno(mmm_swp_entry_to_pte(X86, e, &out), -ERANGE);
	mmm_assert_errno(mmm_swp_entry_to_pte(ARM, e, &out), -ERANGE);
	mmm_assert_errno(mmm_swp_entry_to_pte(X86, 1ull << 63, &out), -EINVAL);
	mmm_assert_errno(mmm_swp_entry_to_pte(ARM, 1ull << 63, &out), -EINVAL);
	assert_int_equal(out, 0x2222);
	encode_swap(X86, MMM_PTE_KIND_SWAP, 3, 1ull << 50, 0, &r);
	mmm_assert_errno(r, -ERANGE);
	encode_swap(ARM, MMM_PTE_KIND_SWAP, 3, 1ull << 50, 0, &r);
	mmm_assert_errno(r, -ERANGE);
}

/* ------------------------------------------------------- generic §4.1 */

/* §4.1: swp_entry(type, off) = (type << 58) | off; swp_type / swp_offset. */
static void test_s4_1_generic_packing(void **state)
{
	uint64_t e = 0x99;

	(void)state;
	mmm_assert_ok(mmm_swp_entry(3, 0x1234, &e));
	assert_int_equal(e, 0x0C00000000001234ull);
	assert_int_equal(mmm_swp_type(e), 3);
	assert_int_equal(mmm_swp_offset(e), 0x1234);
	mmm_assert_ok(mmm_swp_entry(31, (1ull << 58) - 1, &e));
	assert_int_equal(e, 0x7FFFFFFFFFFFFFFFull);
	mmm_assert_ok(mmm_swp_entry(0, 0, &e));
	assert_int_equal(e, 0);

	e = 0x99;
	mmm_assert_errno(mmm_swp_entry(32, 0, &e), -ERANGE);
	mmm_assert_errno(mmm_swp_entry(0, 1ull << 58, &e), -ERANGE);
	mmm_assert_errno(mmm_swp_entry(3, 0x1234, NULL), -EINVAL);
	assert_int_equal(e, 0x99);
	assert_int_equal(mmm_swp_type(0xFFFFFFFFFFFFFFFFull), 63);
	assert_int_equal(mmm_swp_offset(0xFFFFFFFFFFFFFFFFull), (1ull << 58) - 1);
}

/* --------------------------------------------------- non-swap entries §4.6 */

struct special_row {
	const char *what;
	uint64_t val, x86, arm;
	uint32_t kind, type, marker;
	uint64_t pfn;
};

/* §4.6 table, full configuration (MAX_SWAPFILES 24). */
static const struct special_row full_rows[] = {
	{ "swap (3, 0x1234)", 0x0C00000000001234ull, 0x1FFFFFFFFFDB9600ull,
	  0x00000000012340C0ull, MMM_PTE_KIND_SWAP, 3, 0, 0 },
	{ "marker uffd_wp", 0x7C00000000000001ull, 0xFFFFFFFFFFFFFC00ull,
	  0x00000000000017C0ull, MMM_PTE_KIND_MARKER, 31, MMM_PTE_MARKER_UFFD_WP, 0 },
	{ "marker poisoned", 0x7C00000000000002ull, 0xFFFFFFFFFFFFFA00ull,
	  0x00000000000027C0ull, MMM_PTE_KIND_MARKER, 31, MMM_PTE_MARKER_POISONED, 0 },
	{ "marker guard", 0x7C00000000000004ull, 0xFFFFFFFFFFFFF600ull,
	  0x00000000000047C0ull, MMM_PTE_KIND_MARKER, 31, MMM_PTE_MARKER_GUARD, 0 },
	{ "hwpoison", 0x6000000000012345ull, 0xC7FFFFFFFDB97400ull,
	  0x0000000012345600ull, MMM_PTE_KIND_HWPOISON, 24, 0, 0x12345 },
	{ "migration read", 0x6400000000012345ull, 0xCFFFFFFFFDB97400ull,
	  0x0000000012345640ull, MMM_PTE_KIND_MIGRATION_READ, 25, 0, 0x12345 },
	{ "migration read-exclusive", 0x6800000000012345ull, 0xD7FFFFFFFDB97400ull,
	  0x0000000012345680ull, MMM_PTE_KIND_MIGRATION_READ_EXCLUSIVE, 26, 0, 0x12345 },
	{ "migration write", 0x6C00000000012345ull, 0xDFFFFFFFFDB97400ull,
	  0x00000000123456C0ull, MMM_PTE_KIND_MIGRATION_WRITE, 27, 0, 0x12345 },
	{ "device-private write", 0x7000000000012345ull, 0xE7FFFFFFFDB97400ull,
	  0x0000000012345700ull, MMM_PTE_KIND_DEVICE_PRIVATE_WRITE, 28, 0, 0x12345 },
};

/*
 * MMM_ARCH_CFG_LIVE_6_18 (§4.2 "MIGRATION only" row, MAX_SWAPFILES 28):
 * migration read / read-exclusive / write are types 28 / 29 / 30; the PTEs
 * follow from §2.2 and §3.5 (type 28 equals the full config's device row).
 */
static const struct special_row live_rows[] = {
	{ "live: swap type 24", 0x6000000000012345ull, 0xC7FFFFFFFDB97400ull,
	  0x0000000012345600ull, MMM_PTE_KIND_SWAP, 24, 0, 0 },
	{ "live: migration read", 0x7000000000012345ull, 0xE7FFFFFFFDB97400ull,
	  0x0000000012345700ull, MMM_PTE_KIND_MIGRATION_READ, 28, 0, 0x12345 },
	{ "live: migration read-exclusive", 0x7400000000012345ull, 0xEFFFFFFFFDB97400ull,
	  0x0000000012345740ull, MMM_PTE_KIND_MIGRATION_READ_EXCLUSIVE, 29, 0, 0x12345 },
	{ "live: migration write", 0x7800000000012345ull, 0xF7FFFFFFFDB97400ull,
	  0x0000000012345780ull, MMM_PTE_KIND_MIGRATION_WRITE, 30, 0, 0x12345 },
	{ "live: marker guard", 0x7C00000000000004ull, 0xFFFFFFFFFFFFF600ull,
	  0x00000000000047C0ull, MMM_PTE_KIND_MARKER, 31, MMM_PTE_MARKER_GUARD, 0 },
};

static void check_rows(const struct special_row *rows, size_t n, mmm_arch cfg)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		const struct special_row *r = &rows[i];

		for (k = 0; k < 2; k++) {
			mmm_arch arch = (k ? ARM : X86) | cfg;
			uint64_t want = k ? r->arm : r->x86, got = 0;
			struct mmm_pte_info info;
			int nonswap = r->kind != MMM_PTE_KIND_SWAP;

			print_message("  %s, %s\n", r->what, k ? "arm64" : "x86-64");
			mmm_assert_pte_equal(arch, want, entry_to_pte(arch, r->val));
			assert_int_equal(pte_to_entry(arch, want), r->val);
			assert_int_equal(mmm_is_swap_pte(arch, want), 1);
			assert_int_equal(mmm_pte_present(arch, want), 0);
			assert_int_equal(mmm_non_swap_entry(arch, r->val), nonswap);

			info = decode(arch, want);
			assert_int_equal(info.kind, r->kind);
			assert_int_equal(info.swp_type, r->type);
			assert_int_equal(info.stray, 0);
			if (r->kind == MMM_PTE_KIND_MARKER)
				assert_int_equal(info.marker, r->marker);
			if (r->pfn)
				assert_int_equal(info.pfn, r->pfn);
			if (r->kind == MMM_PTE_KIND_SWAP)
				assert_int_equal(info.swp_offset, r->val & ((1ull << 58) - 1));
			assert_true((info.preds & MMM_PRED_SWAP_PTE) != 0);
			assert_int_equal((info.preds & MMM_PRED_NON_SWAP) != 0, nonswap);

			/* encode(decode(v)) == v for stray == 0. */
			mmm_assert_ok(mmm_pte_encode(arch, &info, &got));
			mmm_assert_pte_equal(arch, want, got);
		}
	}
}

/* §4.6 table, both arches, full configuration (MAX_SWAPFILES 24). */
static void test_s4_6_special_entries_full_config(void **state)
{
	(void)state;
	check_rows(full_rows, sizeof(full_rows) / sizeof(full_rows[0]), 0);
}

/* §4.2: MMM_ARCH_CFG_LIVE_6_18 has MAX_SWAPFILES 28, migration read is type 28. */
static void test_s4_2_special_entries_live_6_18(void **state)
{
	int r;

	(void)state;
	check_rows(live_rows, sizeof(live_rows) / sizeof(live_rows[0]), LIVE);
	/* Neither hwpoison nor device-private exist in that configuration. */
	{
		struct mmm_pte_info in;
		uint64_t out = 0x1;

		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.kind = MMM_PTE_KIND_HWPOISON;
		in.pfn = 0x12345;
		mmm_assert_errno(mmm_pte_encode(X86 | LIVE, &in, &out), -EINVAL);
		in.kind = MMM_PTE_KIND_DEVICE_PRIVATE_WRITE;
		mmm_assert_errno(mmm_pte_encode(ARM | LIVE, &in, &out), -EINVAL);
		assert_int_equal(out, 0x1);
	}
	/* Real swap types go up to 27 there, 23 in the full configuration. */
	encode_swap(X86 | LIVE, MMM_PTE_KIND_SWAP, 27, 0x10, 0, &r);
	mmm_assert_ok(r);
	encode_swap(X86 | LIVE, MMM_PTE_KIND_SWAP, 28, 0x10, 0, &r);
	mmm_assert_errno(r, -ERANGE);
	encode_swap(X86, MMM_PTE_KIND_SWAP, 23, 0x10, 0, &r);
	mmm_assert_ok(r);
	encode_swap(X86, MMM_PTE_KIND_SWAP, 24, 0x10, 0, &r);
	mmm_assert_errno(r, -ERANGE);
}

/* §4.4: non_swap_entry(e) = swp_type(e) >= MAX_SWAPFILES, per configuration. */
static void test_s4_4_non_swap_entry_boundary(void **state)
{
	(void)state;
	assert_int_equal(mmm_non_swap_entry(X86, 0x5C00000000000000ull), 0); /* type 23 */
	assert_int_equal(mmm_non_swap_entry(X86, 0x6000000000000000ull), 1); /* type 24 */
	assert_int_equal(mmm_non_swap_entry(ARM, 0x7C00000000000000ull), 1); /* type 31 */
	assert_int_equal(mmm_non_swap_entry(X86 | LIVE, 0x6C00000000000000ull), 0); /* 27 */
	assert_int_equal(mmm_non_swap_entry(X86 | LIVE, 0x7000000000000000ull), 1); /* 28 */
	assert_int_equal(mmm_non_swap_entry(X86, 0), 0);
	mmm_assert_errno(mmm_non_swap_entry(X86, 1ull << 63), -EINVAL);
}

/* ------------------------------------------------------- swap bit helpers */

/* §2.3 / §3.5: the helpers want a swap PTE; present and none PTEs give -EINVAL. */
static void test_swp_helpers_refuse_non_swap(void **state)
{
	uint64_t out = 0x6666;

	(void)state;
	mmm_assert_errno(mmm_pte_swp_exclusive(X86, 0x8000000012345067ull), -EINVAL);
	mmm_assert_errno(mmm_pte_swp_exclusive(X86, 0), -EINVAL);
	mmm_assert_errno(mmm_pte_swp_mkexclusive(ARM, 0x0068000012345FC3ull, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_swp_mkexclusive(ARM, 0, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_swp_mkuffd_wp(X86, 0x60, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_to_swp_entry(X86, 0x8000000012345067ull, &out), -EINVAL);
	mmm_assert_errno(mmm_pte_to_swp_entry(ARM, 0, &out), -EINVAL);
	assert_int_equal(out, 0x6666);
}

/* §9.8: swap soft-dirty / uffd-wp helpers are no-ops without their config. */
static void test_s9_8_swp_bits_follow_config(void **state)
{
	uint64_t out = 0;
	const mmm_arch nsd = X86 | MMM_ARCH_CFG_NO_SOFT_DIRTY;
	const mmm_arch nuf = X86 | MMM_ARCH_CFG_NO_UFFD_WP;

	(void)state;
	mmm_assert_ok(mmm_pte_swp_mksoft_dirty(nsd, 0x1FFFFFFFFFDB9608ull, &out));
	mmm_assert_pte_equal(nsd, 0x1FFFFFFFFFDB9608ull, out);
	assert_int_equal(mmm_pte_swp_soft_dirty(nsd, 0x1FFFFFFFFFDB960Aull), 0);
	mmm_assert_ok(mmm_pte_swp_mkuffd_wp(nuf, 0x1FFFFFFFFFDB9608ull, &out));
	mmm_assert_pte_equal(nuf, 0x1FFFFFFFFFDB9608ull, out);
	assert_int_equal(mmm_pte_swp_uffd_wp(nuf, 0x1FFFFFFFFFDB960Cull), 0);
	/* Exclusive always exists. */
	mmm_assert_ok(mmm_pte_swp_mkexclusive(nsd | nuf, 0x1FFFFFFFFFDB9600ull, &out));
	mmm_assert_pte_equal(nsd | nuf, 0x1FFFFFFFFFDB9608ull, out);
	/* 6.18 live: soft-dirty gone, uffd-wp present. */
	mmm_assert_ok(mmm_pte_swp_mkuffd_wp(X86 | LIVE, 0x1FFFFFFFFFDB9608ull, &out));
	mmm_assert_pte_equal(X86 | LIVE, 0x1FFFFFFFFFDB960Cull, out);
}

/* ---------------------------------------------------------- mmm_arch_info */

/* §2.4, §3.5, §4.2, §3.4: the constants of each arch and configuration. */
static void test_arch_info_constants(void **state)
{
	struct mmm_arch_info i;

	(void)state;
	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	mmm_assert_ok(mmm_arch_info(X86, &i));
	assert_int_equal(i.arch, X86);
	assert_int_equal(i.max_swapfiles, 24);
	assert_int_equal(i.max_swp_offset, MAX_OFF);
	assert_int_equal(i.max_pfn, (1ull << 40) - 1); /* PTE_PFN_MASK bits 12-51 */
	assert_int_equal(i.ptes_per_table, 512);
	assert_int_equal(i.cont_ptes, 1);
	assert_true(i.swp_flags & MMM_SWP_F_EXCLUSIVE);
	assert_true(i.swp_flags & MMM_SWP_F_SOFT_DIRTY);
	assert_true(i.swp_flags & MMM_SWP_F_UFFD_WP);

	mmm_assert_ok(mmm_arch_info(ARM, &i));
	assert_int_equal(i.arch, ARM);
	assert_int_equal(i.max_swapfiles, 24);
	assert_int_equal(i.max_swp_offset, MAX_OFF);
	assert_int_equal(i.ptes_per_table, 512);
	assert_int_equal(i.cont_ptes, 16);
	assert_true(i.swp_flags & MMM_SWP_F_EXCLUSIVE);
	assert_false(i.swp_flags & MMM_SWP_F_SOFT_DIRTY);

	mmm_assert_ok(mmm_arch_info(X86 | LIVE, &i));
	assert_int_equal(i.arch, X86 | LIVE);
	assert_int_equal(i.max_swapfiles, 28);
	mmm_assert_ok(mmm_arch_info(ARM | MMM_ARCH_CFG_NO_DEVICE_PRIVATE, &i));
	assert_int_equal(i.max_swapfiles, 27);
	mmm_assert_ok(mmm_arch_info(X86 | MMM_ARCH_CFG_NO_DEVICE_PRIVATE |
				    MMM_ARCH_CFG_NO_MIGRATION |
				    MMM_ARCH_CFG_NO_MEMORY_FAILURE, &i));
	assert_int_equal(i.max_swapfiles, 31);

	i.size = sizeof(i) - 1;
	mmm_assert_errno(mmm_arch_info(X86, &i), -EINVAL);
	mmm_assert_errno(mmm_arch_info(X86, NULL), -EINVAL);
	i.size = sizeof(i);
	mmm_assert_errno(mmm_arch_info(0, &i), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_s2_5_type3_offset_0x1234),
		cmocka_unit_test(test_x86_s2_5_move_plus_minus_one),
		cmocka_unit_test(test_x86_s2_5_offset_zero),
		cmocka_unit_test(test_x86_s9_7_move_out_of_range_refused),
		cmocka_unit_test(test_x86_s5_2_move_drops_other_bits),
		cmocka_unit_test(test_move_refuses_non_swap),
		cmocka_unit_test(test_arm64_s3_6_type3_offset_0x1234),
		cmocka_unit_test(test_arm64_s3_6_moves),
		cmocka_unit_test(test_s9_5_none_collisions_refused),
		cmocka_unit_test(test_s9_6_offset_too_wide_refused),
		cmocka_unit_test(test_s4_1_generic_packing),
		cmocka_unit_test(test_s4_6_special_entries_full_config),
		cmocka_unit_test(test_s4_2_special_entries_live_6_18),
		cmocka_unit_test(test_s4_4_non_swap_entry_boundary),
		cmocka_unit_test(test_swp_helpers_refuse_non_swap),
		cmocka_unit_test(test_s9_8_swp_bits_follow_config),
		cmocka_unit_test(test_arch_info_constants),
	};

	return cmocka_run_group_tests_name("swap", tests, NULL, NULL);
}
