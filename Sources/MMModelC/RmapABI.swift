// Header area: checker and reverse map — the rmap walk and folio_referenced.
import CMMModel
import MMModel

extension WorldBox {
    /// The PFN of the folio at (`pid`, `addr`): the page a present entry maps,
    /// or the cached folio of a swap entry's slot; refused for the rest.
    func folioPfn(_ pid: Int32, _ addr: UInt64) throws(Failure) -> UInt64 {
        try checkAddress(addr)
        let st = try core(pid: pid, addr: addr) { (w: inout World) throws(MMMError) in try w.pageState(pid, addr) }
        if st.kind == .present, !st.zeroPage, st.folioPfn != 0 { return st.pfn }
        if st.kind == .swap, st.swapCache, st.folioPfn != 0 { return st.folioPfn }
        let what = st.zeroPage ? "the zero page" : st.kind == .swap ? "a swap entry whose slot has no cached folio"
            : st.kind == .none ? "no entry" : "an entry of kind \(st.kind)"
        throw .inval("pid \(pid), address \(hex0x(addr)): no folio there (\(what))")
    }
}

@_cdecl("mmm_rmap_walk")
public func mmm_rmap_walk(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ fn: mmm_rmap_fn?,
                          _ ctx: UnsafeMutableRawPointer?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    var visited: Int32 = 0
    let r = box.run("mmm_rmap_walk") { b throws(Failure) in
        let pfn = try b.folioPfn(pid, addr)
        // A copy: a callback that changes the world cannot change this walk.
        let world = b.world
        do throws(MMMError) {
            try world.rmapWalk(folioOf: pfn) { m in
                visited += 1
                guard let fn else { return true }
                var c = mmm_rmap_mapping()
                c.size = UInt32(MemoryLayout<mmm_rmap_mapping>.size)
                c.is_pmd = m.isPmd ? 1 : 0
                c.pid = m.pid
                c.addr = m.address
                c.entry = m.entry
                c.pfn = m.pfn
                return fn(&c, ctx) == 0
            }
        } catch {
            throw Failure(err: error, text: "pid \(pid), address \(hex0x(addr)): \(error)")
        }
    }
    return r == 0 ? visited : r
}

@_cdecl("mmm_folio_referenced")
public func mmm_folio_referenced(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64,
                                 _ referenced: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_folio_referenced") { b throws(Failure) in
        let pfn = try b.folioPfn(pid, addr)
        let r = try b.core(pid: pid, addr: addr) { (w: inout World) throws(MMMError) in try w.folioReferenced(pfn) }
        referenced?.pointee = Int32(truncatingIfNeeded: r.referenced)
    }
}
