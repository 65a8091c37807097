/*
 * A program that uses MMModel the way an outside project does: through the
 * installed header and library only. Built by the packaging tests against the
 * build tree, against an install through pkg-config, and through
 * find_package(MMModel). Exit status 0 when the library answers as specified.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mmmodel.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "consumer: FAILED: %s\n", what);
		failures++;
	}
}

int main(void)
{
	/* x86-64 swap PTE: type 3, offset 0x1234, exclusive (bit 3), the
	 * type and offset stored inverted as the kernel does. */
	const uint64_t pte = UINT64_C(0x1FFFFFFFFFDB9608);
	struct mmm_pte_info info;
	char text[128];
	int rc;

	printf("mmmodel %s (header %s)\n", mmm_version(), MMM_VERSION_STRING);
	check(strcmp(mmm_version(), MMM_VERSION_STRING) == 0, "mmm_version() == MMM_VERSION_STRING");
	check(mmm_version_number() == MMM_VERSION_NUMBER, "mmm_version_number() == MMM_VERSION_NUMBER");

	memset(&info, 0xff, sizeof(info));
	info.size = sizeof(info);
	rc = mmm_pte_decode(MMM_ARCH_X86_64, pte, &info);
	check(rc == 0, "mmm_pte_decode() returns 0");
	if (rc == 0) {
		printf("0x%016" PRIx64 ": kind %" PRIu32 " type %" PRIu32 " offset 0x%" PRIx64
		       " flags 0x%" PRIx64 "\n", pte, info.kind, info.swp_type, info.swp_offset, info.flags);
		check(info.kind == MMM_PTE_KIND_SWAP, "kind == MMM_PTE_KIND_SWAP");
		check(info.swp_type == 3, "swp_type == 3");
		check(info.swp_offset == 0x1234, "swp_offset == 0x1234");
		check(info.flags == MMM_SWP_F_EXCLUSIVE, "flags == MMM_SWP_F_EXCLUSIVE");
		check(info.stray == 0, "stray == 0");
	}

	rc = mmm_pte_format(MMM_ARCH_X86_64, pte, text, sizeof(text));
	check(rc > 0 && (size_t)rc < sizeof(text), "mmm_pte_format() fits");
	if (rc > 0)
		printf("0x%016" PRIx64 ": %s\n", pte, text);

	check(mmm_pte_decode(0xff, pte, &info) == -EINVAL, "unknown arch gives -EINVAL");

	if (failures)
		fprintf(stderr, "consumer: %d check(s) failed\n", failures);
	else
		printf("consumer: OK\n");
	return failures ? 1 : 0;
}
