// Header area: worlds — processes, address space, accesses, fork, exit, pins.
import CMMModel
import MMModel

@_cdecl("mmm_process_create")
public func mmm_process_create(_ w: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_process_create") { b throws(Failure) in
        guard let out else { throw .inval("out is NULL") }
        guard b.world.processes.count < Int(Int32.max) - 1 else {
            throw Failure(err: .noMemory, text: "the world has the most processes it can hold")
        }
        out.pointee = b.world.createProcess()
    }
}

/// (read, write) of an MMM_PROT_* value; PROT_WRITE implies PROT_READ.
func protection(_ prot: UInt32) throws(Failure) -> (read: Bool, write: Bool) {
    guard prot & ~UInt32(3) == 0 else { throw .inval("prot \(hex0x(UInt64(prot))) has unknown bits") }
    return (prot != 0, prot & 2 != 0)
}

@_cdecl("mmm_mmap")
public func mmm_mmap(_ w: OpaquePointer?, _ pid: Int32, _ len: UInt64, _ hint: UInt64, _ prot: UInt32,
                     _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_mmap") { b throws(Failure) in
        guard let out else { throw .inval("addr_out is NULL") }
        guard len > 0, len <= VA.userTop else { throw .inval("length \(hex0x(len)) not in 1 ... 2^47") }
        let (r, wr) = try protection(prot)
        if hint != 0 {
            try checkRange(hint, len)
        }
        let addr = try b.core(pid: pid, addr: hint == 0 ? nil : hint, len: len) { (w: inout World) throws(MMMError) in
            try w.mmap(pid, length: len, hint: hint, read: r, write: wr)
        }
        out.pointee = addr
    }
}

@_cdecl("mmm_munmap")
public func mmm_munmap(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_munmap") { b throws(Failure) in
        try checkRange(addr, len)
        try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in try w.munmap(pid, addr, len) }
    }
}

@_cdecl("mmm_mremap")
public func mmm_mremap(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ oldLen: UInt64, _ newLen: UInt64,
                       _ flags: UInt32, _ newAddr: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_mremap") { b throws(Failure) in
        guard let out else { throw .inval("addr_out is NULL") }
        let to = try b.core(pid: pid, addr: addr) { (w: inout World) throws(MMMError) in
            try w.mremap(pid, addr, oldLength: oldLen, newLength: newLen, flags: MremapFlags(rawValue: flags),
                         newAddress: newAddr)
        }
        out.pointee = to
    }
}

@_cdecl("mmm_mprotect")
public func mmm_mprotect(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64, _ prot: UInt32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_mprotect") { b throws(Failure) in
        try checkRange(addr, len)
        let (r, wr) = try protection(prot)
        let p: Protection = wr ? .readWrite : r ? .read : .none
        try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.mprotect(pid, addr, len, p)
        }
    }
}

@_cdecl("mmm_madvise")
public func mmm_madvise(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64, _ advice: UInt32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_madvise") { b throws(Failure) in
        try checkRange(addr, len)
        guard let a = MadviseAdvice(rawValue: advice) else { throw .inval("unknown advice \(advice)") }
        try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.madvise(pid, addr, len, a)
        }
    }
}

@_cdecl("mmm_read")
public func mmm_read(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_read") { b throws(Failure) in
        guard let out else { throw .inval("token_out is NULL") }
        try checkAddress(addr)
        out.pointee = try b.core(pid: pid, addr: addr) { (w: inout World) throws(MMMError) in try w.read(pid, addr) }
    }
}

@_cdecl("mmm_write")
public func mmm_write(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ token: UInt64) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_write") { b throws(Failure) in
        try checkAddress(addr)
        try b.core(pid: pid, addr: addr, write: true) { (w: inout World) throws(MMMError) in
            try w.write(pid, addr, token)
        }
    }
}

@_cdecl("mmm_access")
public func mmm_access(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64, _ flags: UInt32,
                       _ token: UInt64) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_access") { b throws(Failure) in
        try checkRange(addr, len, aligned: false)
        guard flags != 0, flags & ~UInt32(3) == 0 else {
            throw .inval("flags \(hex0x(UInt64(flags))) are not READ and / or WRITE")
        }
        try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.access(pid, addr, len, read: flags & 1 != 0, write: flags & 2 != 0, value: token)
        }
    }
}

@_cdecl("mmm_fork")
public func mmm_fork(_ w: OpaquePointer?, _ pid: Int32, _ child: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_fork") { b throws(Failure) in
        guard let child else { throw .inval("child is NULL") }
        guard b.world.processes.count < Int(Int32.max) - 1 else {
            throw Failure(err: .noMemory, text: "the world has the most processes it can hold")
        }
        child.pointee = try b.core(pid: pid) { (w: inout World) throws(MMMError) in try w.fork(pid) }
    }
}

@_cdecl("mmm_exit")
public func mmm_exit(_ w: OpaquePointer?, _ pid: Int32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_exit") { b throws(Failure) in
        try b.core(pid: pid) { (w: inout World) throws(MMMError) in try w.exit(pid) }
    }
}

/// A folio may hold at most this many references before a pin is refused
/// (the kernel's GUP refuses a pin that could overflow the reference count).
let pinRefLimit: Int32 = 1 << 30

@_cdecl("mmm_pin")
public func mmm_pin(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64, _ flags: UInt32,
                    _ pinId: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_pin") { b throws(Failure) in
        guard let pinId else { throw .inval("pin_id is NULL") }
        try checkRange(addr, len)
        guard flags & ~UInt32(1) == 0 else { throw .inval("flags \(hex0x(UInt64(flags))) have unknown bits") }
        // Reference-count headroom: each pinned page adds at most 1024.
        let end = addr + ((len + VA.pageSize - 1) & ~(VA.pageSize - 1))
        var a = addr
        while a < end {
            guard let st = try? b.world.pageState(pid, a) else { break }     // the core reports the error
            if st.refcount >= pinRefLimit {
                throw Failure(err: .noMemory, text: "pid \(pid), address \(hex0x(a)): the folio holds "
                              + "\(st.refcount) references; a pin could overflow them")
            }
            a += VA.pageSize
        }
        let id = try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.pin(pid, addr, len, write: flags & 1 != 0)
        }
        pinId.pointee = UInt32(bitPattern: id)
    }
}

@_cdecl("mmm_unpin")
public func mmm_unpin(_ w: OpaquePointer?, _ pinId: UInt32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_unpin") { b throws(Failure) in
        guard let id = Int32(exactly: pinId) else { throw .inval("pin \(pinId) is not held") }
        do {
            try b.world.unpin(id)
        } catch {
            throw .inval("pin \(pinId) is not held")
        }
    }
}
