// header_cxx: include/mmmodel.h compiles as strict C++11 without a warning,
// with C linkage for its functions.
#include "mmmodel.h"

static_assert(MMM_VERSION_NUMBER > 0, "version macros");
static_assert((MMM_ARCH_CFG_LIVE_6_18 & 0xffff0000u) == 0, "config bits");
static_assert(MMM_PTE_F_CONT == 0x1000 && MMM_SWP_F_MIG_DIRTY == 0x10 &&
	      MMM_PRED_EXCLUSIVE == 0x800 && MMM_PTE_MARKER_GUARD == 4 &&
	      MMM_FPB_MERGE_YOUNG_DIRTY == 0x10, "flag macros");
static_assert(sizeof(mmm_pte_info) == 64 && sizeof(mmm_fpb_result) == 24, "layouts");

extern "C" int (*const mmm_header_cxx_fn)(mmm_arch, uint64_t, mmm_pte_info *);
extern "C" int (*const mmm_header_cxx_fn)(mmm_arch, uint64_t, mmm_pte_info *) = mmm_pte_decode;

int mmm_header_cxx_use();
int mmm_header_cxx_use()
{
	mmm_pte_info info = mmm_pte_info();
	info.size = sizeof(info);
	return mmm_pte_decode(MMM_ARCH_X86_64, 0, &info) + (mmm_version() != nullptr);
}
