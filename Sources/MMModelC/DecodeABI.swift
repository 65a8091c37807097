// Header area: decode, encode and format.
import CMMModel
import MMModel

extension mmm_pte_info {
    /// The core description, or nil for an unknown kind or a non-zero reserved field.
    var core: PteInfo? {
        guard let k = PteKind(rawValue: kind), reserved == 0 else { return nil }
        var i = PteInfo(kind: k)
        if k == .present { i.pteFlags = PteFlags(rawValue: flags) } else { i.swpFlags = SwpFlags(rawValue: flags) }
        i.pfn = pfn
        i.swpOffset = swp_offset
        i.swpType = swp_type
        i.marker = PteMarker(rawValue: marker)
        i.attrs = attrs
        i.stray = stray
        return i
    }
}

@_cdecl("mmm_pte_decode")
public func mmm_pte_decode(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<mmm_pte_info>?) -> Int32 {
    guard let f = format(arch), let out,
          callerSize(UnsafePointer(out)) >= MemoryLayout<mmm_pte_info>.size else { return EINVAL_C }
    // Field by field into the caller's struct (its size is at least ours, so
    // every field is the caller's): no intermediate copies of the struct.
    let i = f.decode(Pte(pte))
    out.pointee.kind = i.kind.rawValue
    out.pointee.flags = i.kind == .present ? i.pteFlags.rawValue : i.swpFlags.rawValue
    out.pointee.pfn = i.pfn
    out.pointee.swp_offset = i.swpOffset
    out.pointee.swp_type = i.swpType
    out.pointee.marker = i.marker.rawValue
    out.pointee.attrs = i.attrs
    out.pointee.preds = i.preds.rawValue
    out.pointee.reserved = 0
    out.pointee.stray = i.stray
    return 0
}

@_cdecl("mmm_pte_encode")
public func mmm_pte_encode(_ arch: UInt32, _ input: UnsafePointer<mmm_pte_info>?,
                           _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let f = format(arch), let input else { return EINVAL_C }
    var c = mmm_pte_info()
    guard readSized(input, into: &c, minSize: MemoryLayout<mmm_pte_info>.size), let info = c.core else {
        return EINVAL_C
    }
    return store(out) { () throws(MMMError) in try f.encode(info) }
}

@_cdecl("mmm_pte_format")
public func mmm_pte_format(_ arch: UInt32, _ pte: UInt64, _ buf: UnsafeMutablePointer<CChar>?, _ len: UInt) -> Int32 {
    guard let f = format(arch), buf != nil || len == 0 else { return EINVAL_C }
    let text = f.decode(Pte(pte)).text()
    let utf8 = text.utf8
    if let buf, len > 0 {
        let n = Int(min(UInt(utf8.count), len - 1))
        var i = 0
        for byte in utf8.prefix(n) {
            buf[i] = CChar(bitPattern: byte)
            i += 1
        }
        buf[n] = 0
    }
    return Int32(clamping: utf8.count)
}
