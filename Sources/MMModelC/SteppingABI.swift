// Header area: stepping.
import CMMModel
import MMModel

@_cdecl("mmm_pte_advance_pfn")
public func mmm_pte_advance_pfn(_ arch: UInt32, _ pte: UInt64, _ nr: UInt64,
                                _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return store(out) { () throws(MMMError) in try f.advancePfn(Pte(pte), by: nr) }
}

@_cdecl("mmm_pte_next_pfn")
public func mmm_pte_next_pfn(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mmm_pte_advance_pfn(arch, pte, 1, out)
}

@_cdecl("mmm_pte_move_swp_offset")
public func mmm_pte_move_swp_offset(_ arch: UInt32, _ pte: UInt64, _ delta: Int64,
                                    _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return store(out) { () throws(MMMError) in try f.moveSwpOffset(Pte(pte), by: delta) }
}

@_cdecl("mmm_pte_next_swp_offset")
public func mmm_pte_next_swp_offset(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mmm_pte_move_swp_offset(arch, pte, 1, out)
}
