// Header area: kernel policy — presets and switches of a world (issue 6), and
// the fork operation counters that tell batching from per-PTE copying.
// Spec: semantics §11; the switches are documented in KernelPolicy.swift and
// docs/kernel-policy.md.
import CMMModel
import MMModel

/// A NUL-terminated C string as Swift text, or a failure naming `what`.
func policyText(_ p: UnsafePointer<CChar>?, _ what: String) throws(Failure) -> String {
    guard let p else { throw .inval("\(what) is NULL") }
    guard strnlenC(p, 256) < 256 else { throw .inval("\(what) is longer than 255 bytes") }
    return String(cString: p)
}

/// `strnlen` without Glibc: bytes before the first NUL, at most `max`.
func strnlenC(_ p: UnsafePointer<CChar>, _ max: Int) -> Int {
    var n = 0
    while n < max && p[n] != 0 { n += 1 }
    return n
}

@_cdecl("mmm_world_set_preset")
public func mmm_world_set_preset(_ w: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_world_set_preset") { b throws(Failure) in
        let n = try policyText(name, "name")
        guard let p = KernelPolicy.preset(n) else {
            throw .inval("unknown preset '\(n)' (\(KernelPolicy.presetNames.joined(separator: ", ")))")
        }
        do throws(MMMError) {
            try b.world.setPolicy(p)
        } catch {
            throw Failure(err: error, text: "the world already has processes")
        }
    }
}

@_cdecl("mmm_world_set_switch")
public func mmm_world_set_switch(_ w: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                 _ value: UnsafePointer<CChar>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_world_set_switch") { b throws(Failure) in
        let n = try policyText(name, "name"), v = try policyText(value, "value")
        guard let values = KernelPolicy.values(of: n) else { throw .inval("unknown switch '\(n)'") }
        var p = b.world.policy
        do throws(MMMError) {
            try p.set(n, v)
        } catch {
            throw .inval("switch \(n) takes \(values.joined(separator: ", ")), not '\(v)'")
        }
        do throws(MMMError) {
            try b.world.setPolicy(p)
        } catch {
            throw Failure(err: error, text: "the world already has processes")
        }
    }
}

@_cdecl("mmm_world_get_switch")
public func mmm_world_get_switch(_ w: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                 _ buf: UnsafeMutablePointer<CChar>?, _ len: Int) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    var result: Int32 = 0
    let rc = box.run("mmm_world_get_switch") { b throws(Failure) in
        let n = try policyText(name, "name")
        guard let v = b.world.policy.value(of: n) else { throw .inval("unknown switch '\(n)'") }
        guard let buf else { throw .inval("buf is NULL") }
        let bytes = Array(v.utf8)
        guard len > bytes.count else { throw .inval("len \(len) is too small for '\(v)' and its NUL") }
        for (i, c) in bytes.enumerated() { buf[i] = CChar(bitPattern: c) }
        buf[bytes.count] = 0
        result = Int32(bytes.count)
    }
    return rc == 0 ? result : rc
}

@_cdecl("mmm_fork_op_counters")
public func mmm_fork_op_counters(_ w: OpaquePointer?, _ pid: Int32,
                                 _ out: UnsafeMutablePointer<mmm_fork_op_counters>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_fork_op_counters") { b throws(Failure) in
        let out = try sizedOut(out)
        let k = try b.process(everCreated: pid).counters
        var c = mmm_fork_op_counters()
        c.fork_batches = k.forkBatches
        c.fork_ptes_batched = k.forkPtesBatched
        c.fork_rmap_ops = k.forkRmapOps
        c.fork_ref_ops = k.forkRefOps
        c.fork_pages_copied = k.forkPagesCopied
        writeSized(c, to: out)
    }
}
