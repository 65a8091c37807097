import Testing
@testable import MMModel

// mmm_pte_decode's preds field answers what the kernel's predicates answer
// (mmmodel.h MMM_PRED_*): pte_none, pte_present, is_swap_pte, non_swap_entry,
// pte_protnone, pte_write, pte_dirty, pte_young, pte_soft_dirty / pte_swp_soft_dirty,
// pte_uffd_wp / pte_swp_uffd_wp, pte_special, pte_swp_exclusive — each computed
// here through the single-predicate helpers, over random and present-shaped values.
@Test("decode's preds equal the single predicates (MMM_PRED_*)", arguments: testFormats)
func decodePredsMatchPredicates(f: PteFormat) {
    var rng = SplitMix64(seed: 0x9E3D)
    var mismatches = 0
    for i in 0..<100_000 {
        var v = rng.next()
        if i % 2 == 0 { v = (v & ~UInt64(0x801)) | 1 }          // present-shaped
        let p = Pte(v)
        var want: PtePreds = []
        if f.isNone(p) { want.insert(.none) }
        else if f.isPresent(p) {
            want.insert(.present)
            if f.isProtnone(p) { want.insert(.protnone) }
            if f.isWrite(p) { want.insert(.write) }
            if f.isDirty(p) { want.insert(.dirty) }
            if f.isYoung(p) { want.insert(.young) }
            if f.isSoftDirty(p) { want.insert(.softDirty) }
            if f.isUffdWp(p) { want.insert(.uffdWp) }
            if f.isSpecial(p) { want.insert(.special) }
        } else {
            want.insert(.swapPte)
            if f.isNonSwapEntry(f.swpEntry(p)) { want.insert(.nonSwap) }
            if f.swpTest(p, .exclusive) { want.insert(.exclusive) }
            if f.swpTest(p, .softDirty) { want.insert(.softDirty) }
            if f.swpTest(p, .uffdWp) { want.insert(.uffdWp) }
        }
        if f.decode(p).preds != want { mismatches += 1 }
    }
    #expect(mismatches == 0)
}
