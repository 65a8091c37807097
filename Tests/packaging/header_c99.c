/*
 * header_c99: include/mmmodel.h compiles as strict C99 without a warning, and
 * its macros expand to valid constant expressions.
 */
#include "mmmodel.h"

typedef char mmm_check_version[MMM_VERSION_NUMBER > 0 ? 1 : -1];
typedef char mmm_check_live[(MMM_ARCH_CFG_LIVE_6_18 & 0xffff0000u) == 0 ? 1 : -1];
typedef char mmm_check_flags[MMM_PTE_F_CONT == 0x1000 && MMM_SWP_F_MIG_DIRTY == 0x10 &&
			     MMM_PRED_EXCLUSIVE == 0x800 && MMM_PTE_MARKER_GUARD == 4 &&
			     MMM_FPB_MERGE_YOUNG_DIRTY == 0x10 ? 1 : -1];
typedef char mmm_check_kinds[MMM_PTE_KIND_MARKER == 10u ? 1 : -1];

int mmm_header_c99_use(void);
int mmm_header_c99_use(void)
{
	struct mmm_arch_info ai = { sizeof(struct mmm_arch_info), 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct mmm_pte_info pi = { sizeof(struct mmm_pte_info), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct mmm_fpb_args fa = { sizeof(struct mmm_fpb_args), MMM_FPB_API_6_17, 0, 0, 0, 1, 1 };
	struct mmm_fpb_result fr = { sizeof(struct mmm_fpb_result), 0, 0, 0, 0, 0, { 0 } };
	int (*fn)(mmm_arch, uint64_t, struct mmm_pte_info *) = mmm_pte_decode;
	const char *(*ver)(void) = mmm_version;

	return (int)(ai.size + pi.size + fa.size + fr.size) + (fn != 0) + (ver != 0);
}
