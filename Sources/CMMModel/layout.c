/*
 * Pins the layout of the sized structs in mmmodel.h: they are ABI, and they
 * only ever grow at the end. A change here is a change of the C contract.
 */
#include "mmmodel.h"

#define MMM_LAYOUT(type, bytes) _Static_assert(sizeof(type) == (bytes), #type " layout changed")

MMM_LAYOUT(struct mmm_arch_info, 56);
MMM_LAYOUT(struct mmm_pte_info, 64);
MMM_LAYOUT(struct mmm_fpb_args, 40);
MMM_LAYOUT(struct mmm_fpb_result, 24);
MMM_LAYOUT(struct mmm_world_config, 56);
MMM_LAYOUT(struct mmm_page_state, 80);
MMM_LAYOUT(struct mmm_fault_counters, 128);
MMM_LAYOUT(struct mmm_violation, 64 + 2 * sizeof(void *));
MMM_LAYOUT(struct mmm_rmap_mapping, 40);
MMM_LAYOUT(struct mmm_fork_op_counters, 48);
MMM_LAYOUT(struct mmm_ksm_counters, 48);
MMM_LAYOUT(struct mmm_cow_pte_counters, 56 + 16 * 8);
_Static_assert(MMM_WORLD_CONFIG_SIZE_V0 == 48, "the old mmm_world_config size is ABI");
_Static_assert(offsetof(struct mmm_world_config, ksm_use_zero_pages) == MMM_WORLD_CONFIG_SIZE_V0,
	       "mmm_world_config grew at its end");
