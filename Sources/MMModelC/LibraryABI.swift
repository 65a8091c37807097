// Header area: version, errors, architectures (include/mmmodel.h, first sections).
import CMMModel
import MMModel

@_cdecl("mmm_version")
public func mmm_version() -> UnsafePointer<CChar> { cString("0.1.0") }

@_cdecl("mmm_version_number")
public func mmm_version_number() -> Int32 { 0 * 1_000_000 + 1 * 1000 + 0 }

@_cdecl("mmm_strerror")
public func mmm_strerror(_ err: Int32) -> UnsafePointer<CChar> { cString(MMMError.message(for: err)) }

@_cdecl("mmm_arch_info")
public func mmm_arch_info(_ arch: UInt32, _ out: UnsafeMutablePointer<mmm_arch_info>?) -> Int32 {
    guard let f = format(arch), let out,
          callerSize(UnsafePointer(out)) >= MemoryLayout<mmm_arch_info>.size else { return EINVAL_C }
    var info = mmm_arch_info()
    info.arch = arch
    info.max_swapfiles = f.maxSwapfiles
    info.swp_pfn_bits = UInt32(f.swpPfnBits)
    info.max_swp_offset = f.maxSwpOffset
    info.max_pfn = f.maxPfn
    info.ptes_per_table = UInt32(PteFormat.ptesPerTable)
    info.cont_ptes = UInt32(f.contPtes)
    info.pte_flags = f.supportedPteFlags.rawValue
    info.swp_flags = f.supportedSwpFlags.rawValue
    writeSized(info, to: out)
    return 0
}
