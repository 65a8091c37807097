// Header area: userfaultfd write-protect and soft-dirty (issue 6): register,
// unregister, write-protect, the monitor's event log, clear_refs.
// Spec: semantics §6.1, §6.2; the core is Kernel/Userfaultfd.swift and
// Kernel/ClearRefs.swift.
import CMMModel
import MMModel

/// MMM_UFFD_FEATURE_* as the core's features (the same bits,
/// WorldHeaderConstantsTests pins them); unknown bits fail.
func uffdFeatures(_ bits: UInt32) throws(Failure) -> UffdFeatures {
    guard bits & ~UffdFeatures.all.rawValue == 0 else { throw .inval("features \(hex0x(UInt64(bits))) have unknown bits") }
    return UffdFeatures(rawValue: bits)
}

@_cdecl("mmm_uffd_register_wp")
public func mmm_uffd_register_wp(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64,
                                 _ features: UInt32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_uffd_register_wp") { b throws(Failure) in
        try checkRange(addr, len)
        let f = try uffdFeatures(features)
        if f.contains(.wpUnpopulated) && !b.world.policy.uffdWpUnpopulated {
            throw .inval("UFFD_FEATURE_WP_UNPOPULATED is not in this kernel (6.4+, switch uffdWpUnpopulated)")
        }
        if f.contains(.wpAsync) && !b.world.policy.uffdWpAsync {
            throw .inval("UFFD_FEATURE_WP_ASYNC is not in this kernel (6.7+, switch uffdWpAsync)")
        }
        if !b.world.fmt.config.contains(.uffdWp) {
            throw .inval("the world's format has no uffd-wp support (MMM_ARCH_CFG_NO_UFFD_WP)")
        }
        try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.uffdRegisterWP(pid, addr, len, features: f)
        }
    }
}

@_cdecl("mmm_uffd_unregister")
public func mmm_uffd_unregister(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_uffd_unregister") { b throws(Failure) in
        try checkRange(addr, len)
        try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.uffdUnregister(pid, addr, len)
        }
    }
}

@_cdecl("mmm_uffd_writeprotect")
public func mmm_uffd_writeprotect(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64,
                                  _ protect: Int32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_uffd_writeprotect") { b throws(Failure) in
        try checkRange(addr, len)
        guard protect == 0 || protect == 1 else { throw .inval("protect is \(protect), not 0 or 1") }
        if let p = b.world.process(pid) {
            var a = addr
            while a < addr + len {
                guard let vi = p.vmaIndex(a) else { break }            // -EFAULT from the core
                guard p.vmas[vi].flags.contains(.uffdWp) else {
                    throw .inval("pid \(pid), address \(hex0x(a)): not in a range registered with mmm_uffd_register_wp() (the kernel says -ENOENT)")
                }
                a = p.vmas[vi].end
            }
        }
        try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.uffdWriteProtect(pid, addr, len, protect: protect == 1)
        }
    }
}

@_cdecl("mmm_uffd_event_count")
public func mmm_uffd_event_count(_ w: OpaquePointer?, _ count: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_uffd_event_count") { b throws(Failure) in
        guard let count else { throw .inval("count is NULL") }
        count.pointee = UInt64(b.world.uffdEvents.count)
    }
}

@_cdecl("mmm_uffd_event_get")
public func mmm_uffd_event_get(_ w: OpaquePointer?, _ index: UInt64, _ out: UnsafeMutablePointer<mmm_uffd_event>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_uffd_event_get") { b throws(Failure) in
        let out = try sizedOut(out)
        let events = b.world.uffdEvents
        guard index < UInt64(events.count) else {
            throw Failure(err: .outOfRange, text: "event \(index) of \(events.count)")
        }
        let e = events[Int(index)]
        var c = mmm_uffd_event()
        c.flags = e.write ? 1 : 0
        c.pid = e.pid
        c.address = e.address
        writeSized(c, to: out)
    }
}

@_cdecl("mmm_clear_refs_soft_dirty")
public func mmm_clear_refs_soft_dirty(_ w: OpaquePointer?, _ pid: Int32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_clear_refs_soft_dirty") { b throws(Failure) in
        try b.core(pid: pid) { (w: inout World) throws(MMMError) in try w.clearRefsSoftDirty(pid) }
    }
}
