// Header area: swap PTEs and swap entries.
import CMMModel
import MMModel

@_cdecl("mmm_is_swap_pte")
public func mmm_is_swap_pte(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isSwapPte(Pte(pte)))
}

@_cdecl("mmm_swp_entry")
public func mmm_swp_entry(_ type: UInt32, _ offset: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let out else { return EINVAL_C }
    guard let e = SwpEntry(type: type, offset: offset) else { return MMMError.outOfRange.cValue }
    out.pointee = e.val
    return 0
}

@_cdecl("mmm_swp_type")
public func mmm_swp_type(_ entry: UInt64) -> UInt32 { SwpEntry(val: entry).type }

@_cdecl("mmm_swp_offset")
public func mmm_swp_offset(_ entry: UInt64) -> UInt64 { SwpEntry(val: entry).offset }

@_cdecl("mmm_non_swap_entry")
public func mmm_non_swap_entry(_ arch: UInt32, _ entry: UInt64) -> Int32 {
    guard let f = format(arch), entry >> 63 == 0 else { return EINVAL_C }
    return bool(f.isNonSwapEntry(SwpEntry(val: entry)))
}

@_cdecl("mmm_pte_to_swp_entry")
public func mmm_pte_to_swp_entry(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let f = format(arch), f.isSwapPte(Pte(pte)) else { return EINVAL_C }
    return store(f.swpEntry(Pte(pte)).val, out)
}

@_cdecl("mmm_swp_entry_to_pte")
public func mmm_swp_entry_to_pte(_ arch: UInt32, _ entry: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return store(out) { () throws(MMMError) in try f.pte(of: SwpEntry(val: entry)) }
}

/// The shapes of the pte_swp_* helpers: test, set, clear one swap flag.
@inline(__always)
func swpTest(_ arch: UInt32, _ pte: UInt64, _ flag: SwpFlags) -> Int32 {
    guard let f = format(arch), f.isSwapPte(Pte(pte)) else { return EINVAL_C }
    return bool(f.swpTest(Pte(pte), flag))
}

@inline(__always)
func swpChange(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?,
               _ flag: SwpFlags, set: Bool) -> Int32 {
    guard let f = format(arch), f.isSwapPte(Pte(pte)) else { return EINVAL_C }
    return store((set ? f.swpSet(Pte(pte), flag) : f.swpClear(Pte(pte), flag)).raw, out)
}

@_cdecl("mmm_pte_swp_exclusive")
public func mmm_pte_swp_exclusive(_ arch: UInt32, _ pte: UInt64) -> Int32 { swpTest(arch, pte, .exclusive) }

@_cdecl("mmm_pte_swp_mkexclusive")
public func mmm_pte_swp_mkexclusive(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    swpChange(arch, pte, out, .exclusive, set: true)
}

@_cdecl("mmm_pte_swp_clear_exclusive")
public func mmm_pte_swp_clear_exclusive(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    swpChange(arch, pte, out, .exclusive, set: false)
}

@_cdecl("mmm_pte_swp_soft_dirty")
public func mmm_pte_swp_soft_dirty(_ arch: UInt32, _ pte: UInt64) -> Int32 { swpTest(arch, pte, .softDirty) }

@_cdecl("mmm_pte_swp_mksoft_dirty")
public func mmm_pte_swp_mksoft_dirty(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    swpChange(arch, pte, out, .softDirty, set: true)
}

@_cdecl("mmm_pte_swp_clear_soft_dirty")
public func mmm_pte_swp_clear_soft_dirty(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    swpChange(arch, pte, out, .softDirty, set: false)
}

@_cdecl("mmm_pte_swp_uffd_wp")
public func mmm_pte_swp_uffd_wp(_ arch: UInt32, _ pte: UInt64) -> Int32 { swpTest(arch, pte, .uffdWp) }

@_cdecl("mmm_pte_swp_mkuffd_wp")
public func mmm_pte_swp_mkuffd_wp(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    swpChange(arch, pte, out, .uffdWp, set: true)
}

@_cdecl("mmm_pte_swp_clear_uffd_wp")
public func mmm_pte_swp_clear_uffd_wp(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    swpChange(arch, pte, out, .uffdWp, set: false)
}
