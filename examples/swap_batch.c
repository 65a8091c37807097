/* SPDX-License-Identifier: MIT */
/*
 * swap_batch - the swap PTEs of a swapped-out 16-page large folio, as the
 * kernel's swap-in path looks at them.
 *
 * When a 64 KiB anonymous folio is swapped out, its 16 PTEs become swap
 * entries for 16 consecutive slots of one swap device, each carrying the
 * swap-exclusive bit if the page was exclusive to the process. On a fault on
 * page idx of that range, do_swap_page() (Linux 6.11+) computes the PTE the
 * folio's first page should have with pte_move_swp_offset(pte, -idx) and maps
 * the whole folio at once only if swap_pte_batch() finds all 16 entries
 * consistent: same type, consecutive offsets, identical flag bits.
 *
 * This program, for x86-64 and arm64:
 *   1. builds the 16 swap PTEs with mmm_pte_encode();
 *   2. checks that moving the first one forward by i gives entry i, and that
 *      moving entry idx back by -idx gives the first one (do_swap_page);
 *   3. batches them with mmm_swap_pte_batch() (16);
 *   4. clears the exclusive bit of one entry and shows the batch stops there;
 *   5. shows that moving before offset 0 is refused with -ERANGE instead of
 *      wrapping as the kernel's helper would.
 * It prints each step and exits 1 if any result is not the expected one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mmmodel.h"

#define NR 16
#define FIRST_OFFSET 0x1230u /* first swap slot of the folio */
#define SWAP_TYPE 3u
#define FAULT_IDX 9
#define FLIPPED 5

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		printf("    FAILED: %s\n", what);
		failures++;
	}
}

static void show(mmm_arch arch, const char *label, uint64_t pte)
{
	char text[128];

	mmm_pte_format(arch, pte, text, sizeof(text));
	printf("    %-10s 0x%016" PRIx64 "  %s\n", label, pte, text);
}

static void run(mmm_arch arch, const char *name)
{
	uint64_t ptes[NR], first = 0, moved = 0;
	struct mmm_pte_info in;
	int i, r, n;

	printf("%s: a %d-page folio swapped out to type %u, slots 0x%x..0x%x\n",
	       name, NR, SWAP_TYPE, FIRST_OFFSET, FIRST_OFFSET + NR - 1);

	/* 1. Encode each swap PTE: type 3, consecutive offsets, exclusive. */
	for (i = 0; i < NR; i++) {
		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.kind = MMM_PTE_KIND_SWAP;
		in.swp_type = SWAP_TYPE;
		in.swp_offset = FIRST_OFFSET + (uint64_t)i;
		in.flags = MMM_SWP_F_EXCLUSIVE;
		r = mmm_pte_encode(arch, &in, &ptes[i]);
		expect(r == 0, "mmm_pte_encode");
	}
	show(arch, "ptes[0]", ptes[0]);
	show(arch, "ptes[15]", ptes[NR - 1]);

	/* 2. Forward moves reproduce every entry... */
	for (i = 0; i < NR; i++) {
		r = mmm_pte_move_swp_offset(arch, ptes[0], i, &moved);
		expect(r == 0 && moved == ptes[i], "move first forward by i == ptes[i]");
	}
	/* ...and a fault on page 9 finds the first slot's PTE by moving back. */
	r = mmm_pte_move_swp_offset(arch, ptes[FAULT_IDX], -FAULT_IDX, &first);
	printf("  fault on page %d: pte_move_swp_offset(ptes[%d], -%d):\n",
	       FAULT_IDX, FAULT_IDX, FAULT_IDX);
	show(arch, "first", first);
	expect(r == 0 && first == ptes[0], "move back by -idx == ptes[0]");

	/* 3. The whole folio is one batch. */
	n = mmm_swap_pte_batch(arch, ptes, NR, NR);
	printf("  mmm_swap_pte_batch over %d entries: %d\n", NR, n);
	expect(n == NR, "batch of the uniform folio is 16");

	/* 4. One entry without the exclusive bit ends the batch there. */
	r = mmm_pte_swp_clear_exclusive(arch, ptes[FLIPPED], &ptes[FLIPPED]);
	expect(r == 0, "mmm_pte_swp_clear_exclusive");
	show(arch, "ptes[5]", ptes[FLIPPED]);
	n = mmm_swap_pte_batch(arch, ptes, NR, NR);
	printf("  after clearing exclusive on entry %d: batch %d "
	       "(the folio is swapped in page by page)\n", FLIPPED, n);
	expect(n == FLIPPED, "batch stops at the entry with a different exclusive bit");

	/* 5. No wrapping below slot 0. */
	moved = 0;
	r = mmm_pte_move_swp_offset(arch, ptes[0], -(int64_t)FIRST_OFFSET - 1, &moved);
	printf("  moving ptes[0] by -0x%x: %s\n", FIRST_OFFSET + 1, mmm_strerror(r));
	expect(r == -ERANGE && moved == 0, "offset below 0 is -ERANGE, output untouched");
}

int main(void)
{
	run(MMM_ARCH_X86_64, "x86-64");
	run(MMM_ARCH_ARM64, "arm64");
	if (failures) {
		printf("%d check(s) FAILED\n", failures);
		return 1;
	}
	printf("all checks passed\n");
	return 0;
}
