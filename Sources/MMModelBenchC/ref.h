/*
 * Reference C implementations of the benchmarked mmm_ operations.
 *
 * Written from the rules in the spec (pte-and-swap-encoding.md §1-§6); no
 * kernel code. Each takes the same arguments, performs the same argument
 * checks and fills the same output as the mmm_ function of the same suffix,
 * so the benchmark compares one C library against another implementing the
 * same contract, and cross-checks them value by value before timing.
 *
 * Every function is out of line (noinline, and in its own translation unit
 * from the timing loops) so that each reference call is a real function call
 * just as each call through the C ABI is.
 */
#ifndef MMMB_REF_H
#define MMMB_REF_H

#include <stddef.h>
#include <stdint.h>
#include "mmmodel.h"

#define MMMB_NOINLINE __attribute__((noinline))

MMMB_NOINLINE int ref_pte_decode(mmm_arch arch, uint64_t pte, struct mmm_pte_info *out);
MMMB_NOINLINE int ref_pte_move_swp_offset(mmm_arch arch, uint64_t pte, int64_t delta, uint64_t *out);
MMMB_NOINLINE int ref_folio_pte_batch(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes,
				      const struct mmm_fpb_args *args, struct mmm_fpb_result *res);
MMMB_NOINLINE int ref_swap_pte_batch(mmm_arch arch, const uint64_t *ptes, size_t nr_ptes, size_t max_nr);

#endif /* MMMB_REF_H */
