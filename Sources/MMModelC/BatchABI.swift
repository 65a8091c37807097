// Header area: batching.
import CMMModel
import MMModel

@_cdecl("mmm_folio_pte_batch")
public func mmm_folio_pte_batch(_ arch: UInt32, _ ptes: UnsafePointer<UInt64>?, _ nrPtes: UInt,
                                _ args: UnsafePointer<mmm_fpb_args>?,
                                _ res: UnsafeMutablePointer<mmm_fpb_result>?) -> Int32 {
    guard let f = format(arch), let ptes, let args, nrPtes >= 1, nrPtes <= UInt(Int.max) else { return EINVAL_C }
    var a = mmm_fpb_args()
    guard readSized(args, into: &a, minSize: MemoryLayout<mmm_fpb_args>.size),
          let api = FpbAPI(rawValue: a.api),
          a.max_nr >= 1, a.max_nr <= UInt64(nrPtes) else { return EINVAL_C }
    if let res, callerSize(UnsafePointer(res)) < MemoryLayout<mmm_fpb_result>.size { return EINVAL_C }
    let core = FpbArgs(api: api, flags: FpbFlags(rawValue: a.flags), tableIndex: Int(a.table_index),
                       folioPfn: a.folio_pfn, folioNrPages: a.folio_nr_pages, maxNr: Int(a.max_nr))
    do {
        let r = try f.folioPteBatch(UnsafeBufferPointer(start: ptes, count: Int(nrPtes)), core)
        if let res {
            var c = mmm_fpb_result()
            c.nr = UInt32(r.nr)
            c.pte = r.pte.raw
            c.any_writable = r.anyWritable ? 1 : 0
            c.any_young = r.anyYoung ? 1 : 0
            c.any_dirty = r.anyDirty ? 1 : 0
            writeSized(c, to: res)
        }
        return Int32(r.nr)
    } catch {
        return error.cValue
    }
}

@_cdecl("mmm_swap_pte_batch")
public func mmm_swap_pte_batch(_ arch: UInt32, _ ptes: UnsafePointer<UInt64>?, _ nrPtes: UInt, _ maxNr: UInt) -> Int32 {
    guard let f = format(arch), let ptes, maxNr >= 1, maxNr <= nrPtes, nrPtes <= UInt(Int.max) else { return EINVAL_C }
    // A count must fit the int result; no real caller looks further than a page table.
    let bound = Int(min(maxNr, UInt(Int32.max)))
    do {
        return Int32(try f.swapPteBatch(UnsafeBufferPointer(start: ptes, count: Int(nrPtes)), maxNr: bound))
    } catch {
        return error.cValue
    }
}
