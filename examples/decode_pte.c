/* SPDX-License-Identifier: MIT */
/*
 * decode_pte - print what PTE values mean.
 *
 *   decode_pte [-a x86_64|arm64] [-c full|live-6.18] [PTE ...]
 *
 * Reads 64-bit PTE values (0x-prefixed hexadecimal or decimal) from the
 * arguments, or from standard input when there are none, and prints for each
 * its one-line description (mmm_pte_format) and the fields of its
 * struct mmm_pte_info (mmm_pte_decode). This shows:
 *
 *   - how to set up a sized struct (info.size = sizeof(info)) before a call;
 *   - the kinds a value decodes to (none, present, swap, migration, marker...);
 *   - the snprintf()-style sizing of mmm_pte_format (ask with NULL, 0 first);
 *   - the round-trip promise: for a value without stray bits, encoding the
 *     decoded description gives the value back.
 *
 * The program checks that promise for every value it prints and exits 1 if it
 * does not hold (2 on bad usage), so it doubles as a test. Example:
 *
 *   $ decode_pte -a x86_64 0x1FFFFFFFFFDB9608
 *   0x1fffffffffdb9608  swap type=3 offset=0x1234 exclusive
 *       kind=swap type=3 offset=0x1234 flags=0x1 preds=0x804
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmmodel.h"

static const char *const kind_names[] = {
	"none", "present", "swap", "migration_read", "migration_read_exclusive",
	"migration_write", "device_private_read", "device_private_write",
	"device_exclusive", "hwpoison", "marker",
};

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-a x86_64|arm64] [-c full|live-6.18] [PTE ...]\n", prog);
	return 2;
}

/* Prints one value; returns 0, or 1 if the round trip fails or a call errs. */
static int show(mmm_arch arch, uint64_t pte)
{
	struct mmm_pte_info info;
	uint64_t back = 0;
	char *text;
	int n, r;

	/* First ask for the length, as with snprintf(buf, 0). */
	n = mmm_pte_format(arch, pte, NULL, 0);
	if (n < 0) {
		fprintf(stderr, "mmm_pte_format: %s\n", mmm_strerror(n));
		return 1;
	}
	text = malloc((size_t)n + 1);
	if (!text)
		return 1;
	mmm_pte_format(arch, pte, text, (size_t)n + 1);

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	r = mmm_pte_decode(arch, pte, &info);
	if (r < 0) {
		fprintf(stderr, "mmm_pte_decode: %s\n", mmm_strerror(r));
		free(text);
		return 1;
	}

	printf("0x%016" PRIx64 "  %s\n", pte, text);
	free(text);
	printf("    kind=%s", info.kind < sizeof(kind_names) / sizeof(kind_names[0]) ?
	       kind_names[info.kind] : "?");
	if (info.kind == MMM_PTE_KIND_PRESENT)
		printf(" pfn=0x%" PRIx64 " attrs=0x%" PRIx64, info.pfn, info.attrs);
	else if (info.kind != MMM_PTE_KIND_NONE)
		printf(" type=%" PRIu32 " offset=0x%" PRIx64, info.swp_type, info.swp_offset);
	if (info.kind == MMM_PTE_KIND_MARKER)
		printf(" marker=0x%" PRIx32, info.marker);
	else if (info.kind >= MMM_PTE_KIND_MIGRATION_READ)
		printf(" pfn=0x%" PRIx64, info.pfn);
	printf(" flags=0x%" PRIx64 " preds=0x%" PRIx32, info.flags, info.preds);
	if (info.stray)
		printf(" stray=0x%" PRIx64, info.stray);
	printf("\n");

	if (info.stray)
		return 0; /* no round-trip promise for values with stray bits */
	r = mmm_pte_encode(arch, &info, &back);
	if (r < 0 || back != pte) {
		fprintf(stderr, "round trip failed for 0x%016" PRIx64 ": %s, got 0x%016" PRIx64 "\n",
			pte, r < 0 ? mmm_strerror(r) : "different value", back);
		return 1;
	}
	return 0;
}

static int parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end != '\0' || s[0] == '-')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	mmm_arch arch = MMM_ARCH_X86_64, cfg = 0;
	int i, failed = 0, values = 0;
	uint64_t pte;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			return usage(argv[0]);
		if (strcmp(argv[i], "-a") == 0) {
			i++;
			if (strcmp(argv[i], "x86_64") == 0)
				arch = MMM_ARCH_X86_64;
			else if (strcmp(argv[i], "arm64") == 0)
				arch = MMM_ARCH_ARM64;
			else
				return usage(argv[0]);
		} else if (strcmp(argv[i], "-c") == 0) {
			i++;
			if (strcmp(argv[i], "full") == 0)
				cfg = 0;
			else if (strcmp(argv[i], "live-6.18") == 0)
				cfg = MMM_ARCH_CFG_LIVE_6_18;
			else
				return usage(argv[0]);
		} else {
			return usage(argv[0]);
		}
	}

	for (; i < argc; i++, values++) {
		if (parse(argv[i], &pte) < 0) {
			fprintf(stderr, "not a 64-bit value: %s\n", argv[i]);
			return 2;
		}
		failed |= show(arch | cfg, pte);
	}
	if (values == 0) {
		char word[128];

		while (scanf("%127s", word) == 1) {
			if (parse(word, &pte) < 0) {
				fprintf(stderr, "not a 64-bit value: %s\n", word);
				return 2;
			}
			failed |= show(arch | cfg, pte);
		}
	}
	return failed;
}
