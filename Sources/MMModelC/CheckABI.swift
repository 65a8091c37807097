// Header area: checker and reverse map — the checker's calls and the
// violations iterator. The rmap walks are in RmapABI.swift.
//
// An mmm_violations handle is a retained `ViolationsBox`: a snapshot of the
// violations as C structs, with the C strings they point to owned by the box.
import CMMModel
import MMModel

/// What an mmm_violations handle points to.
final class ViolationsBox {
    private var items: [mmm_violation] = []
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var position = 0

    init(_ vs: [Violation]) {
        items.reserveCapacity(vs.count)
        for v in vs { items.append(cViolation(v)) }
    }

    deinit { for s in strings { s.deallocate() } }

    var count: Int { items.count }

    /// The next violation, or nil when all have been read.
    func next() -> mmm_violation? {
        guard position < items.count else { return nil }
        position += 1
        return items[position - 1]
    }

    /// A C copy of `text`, freed with the box.
    private func keep(_ text: String) -> UnsafePointer<CChar> {
        let bytes = text.utf8CString
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: bytes.count) }
        strings.append(p)
        return UnsafePointer(p)
    }

    private func cViolation(_ v: Violation) -> mmm_violation {
        var c = mmm_violation()
        c.size = UInt32(MemoryLayout<mmm_violation>.size)
        withUnsafeMutableBytes(of: &c.rule) { dst in
            let id = Array(v.rule.rawValue.utf8.prefix(dst.count - 1))
            for (i, b) in id.enumerated() { dst[i] = b }
        }
        c.pid = v.pid
        if let a = v.address { c.has |= UInt32(MMM_VIOLATION_HAS_ADDR); c.addr = a }
        if let e = v.entry { c.has |= UInt32(MMM_VIOLATION_HAS_ENTRY); c.entry = e }
        if let p = v.pfn { c.has |= UInt32(MMM_VIOLATION_HAS_PFN); c.pfn = p }
        if let s = v.slot { c.has |= UInt32(MMM_VIOLATION_HAS_SLOT); c.slot = UInt64(truncatingIfNeeded: s) }
        c.message = keep(v.message)
        c.values = keep(v.values.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
        return c
    }
}

@inline(__always)
func violationsBox(_ v: OpaquePointer?) -> ViolationsBox? {
    guard let v else { return nil }
    return Unmanaged<ViolationsBox>.fromOpaque(UnsafeRawPointer(v)).takeUnretainedValue()
}

/// A new handle owning `vs`.
func violationsHandle(_ vs: [Violation]) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(ViolationsBox(vs)).toOpaque())
}

@_cdecl("mmm_world_check")
public func mmm_world_check(_ w: OpaquePointer?, _ flags: UInt32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_world_check") { b throws(Failure) in
        guard let out else { throw .inval("out is NULL") }
        let vs: [Violation]
        switch flags {
        case UInt32(MMM_CHECK_FULL): vs = b.world.check()
        case UInt32(MMM_CHECK_TOUCHED): vs = b.world.checkTouched()
        default: throw .inval("flags \(hex0x(UInt64(flags))) is neither MMM_CHECK_FULL nor MMM_CHECK_TOUCHED")
        }
        out.pointee = violationsHandle(vs)
    }
}

@_cdecl("mmm_world_set_check")
public func mmm_world_set_check(_ w: OpaquePointer?, _ mode: UInt32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_world_set_check") { b throws(Failure) in
        switch mode {
        case UInt32(MMM_CHECK_MODE_OFF):
            b.world.checkAfterEachOperation = false
            b.world.tracksTouched = false
        case UInt32(MMM_CHECK_MODE_TRACK):
            b.world.checkAfterEachOperation = false
            b.world.tracksTouched = true
        case UInt32(MMM_CHECK_MODE_EACH_OP):
            b.world.checkAfterEachOperation = true
            b.world.tracksTouched = true
        default:
            throw .inval("mode \(mode) is not MMM_CHECK_MODE_OFF, _TRACK or _EACH_OP")
        }
    }
}

@_cdecl("mmm_world_take_violations")
public func mmm_world_take_violations(_ w: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_world_take_violations") { b throws(Failure) in
        guard let out else { throw .inval("out is NULL") }
        out.pointee = violationsHandle(b.world.takeViolations())
    }
}

@_cdecl("mmm_violations_count")
public func mmm_violations_count(_ v: OpaquePointer?) -> Int {
    violationsBox(v)?.count ?? 0
}

@_cdecl("mmm_violations_next")
public func mmm_violations_next(_ v: OpaquePointer?, _ out: UnsafeMutablePointer<mmm_violation>?) -> Int32 {
    guard let box = violationsBox(v), let out,
          callerSize(UnsafePointer(out)) >= MemoryLayout<mmm_violation>.size else { return EINVAL_C }
    guard let c = box.next() else { return 0 }
    writeSized(c, to: out)
    return 1
}

@_cdecl("mmm_violations_free")
public func mmm_violations_free(_ v: OpaquePointer?) {
    guard let v else { return }
    Unmanaged<ViolationsBox>.fromOpaque(UnsafeRawPointer(v)).release()
}

@_cdecl("mmm_world_get_config")
public func mmm_world_get_config(_ w: OpaquePointer?, _ out: UnsafeMutablePointer<mmm_world_config>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_world_get_config") { b throws(Failure) in
        guard let out else { throw .inval("out is NULL") }
        guard worldConfigSizeOK(callerSize(UnsafePointer(out))) else {
            throw .inval("out->size \(callerSize(UnsafePointer(out))) is too small")
        }
        writeSized(mmm_world_config(b.world.config), to: out)
    }
}
