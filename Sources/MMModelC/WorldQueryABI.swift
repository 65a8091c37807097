// Header area: worlds — the rmap duplication primitives, page state and counters.
import CMMModel
import MMModel

@_cdecl("mmm_folio_try_dup_anon_rmap_ptes")
public func mmm_folio_try_dup_anon_rmap_ptes(_ w: OpaquePointer?, _ src: Int32, _ addr: UInt64, _ nr: UInt32,
                                             _ dst: Int32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_folio_try_dup_anon_rmap_ptes") { b throws(Failure) in
        try checkAddress(addr)
        guard nr >= 1, nr <= 512 else { throw .inval("nr \(nr) not in 1 ... 512") }
        try b.dup(src, dst, addr) { (w: inout World) throws(MMMError) in
            try w.dupAnonRmapPtes(src: src, addr: addr, nr: Int(nr), dst: dst)
        }
    }
}

@_cdecl("mmm_folio_try_dup_anon_rmap_pmd")
public func mmm_folio_try_dup_anon_rmap_pmd(_ w: OpaquePointer?, _ src: Int32, _ addr: UInt64, _ dst: Int32) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_folio_try_dup_anon_rmap_pmd") { b throws(Failure) in
        try checkAddress(addr)
        try b.dup(src, dst, addr) { (w: inout World) throws(MMMError) in
            try w.dupAnonRmapPmd(src: src, addr: addr, dst: dst)
        }
    }
}

extension WorldBox {
    /// Runs a dup primitive with messages for its errors.
    func dup(_ src: Int32, _ dst: Int32, _ addr: UInt64, _ op: (inout World) throws(MMMError) -> Void) throws(Failure) {
        do {
            try op(&world)
        } catch {
            let at = "pid \(src) -> pid \(dst), address \(hex0x(addr))"
            switch error {
            case .noSuchProcess:
                throw Failure(err: error, text: "pid \(world.process(src) == nil ? src : dst) is not a live process")
            case .busy:
                throw Failure(err: error, text: "\(at): the folio may be pinned for the source MM and a page is AnonExclusive")
            case .invalidArgument:
                throw Failure(err: error, text: "\(at): the pages are not one anonymous folio mapped by the source there, "
                              + "or the destination has no VMA or non-empty entries there")
            default:
                throw Failure(err: error, text: "\(at): \(error)")
            }
        }
    }
}

extension mmm_page_state {
    init(_ s: PageState) {
        self.init()
        kind = s.kind.rawValue
        entry = s.entry
        pfn = s.pfn
        folio_pfn = s.folioPfn
        swap_slot = UInt64(max(s.swapSlot, 0))
        token = s.token
        order = UInt32(truncatingIfNeeded: s.order)
        offset = UInt32(truncatingIfNeeded: s.offset)
        refcount = s.refcount
        mapcount = s.mapcount
        folio_mapcount = s.folioMapcount
        swap_count = s.swapCount
        pmd_mapped = s.pmdMapped ? 1 : 0
        zero_page = s.zeroPage ? 1 : 0
        anon_exclusive = s.anonExclusive ? 1 : 0
        maybe_pinned = s.maybePinned ? 1 : 0
        swap_cache = s.swapCache ? 1 : 0
        ksm = s.ksm ? 1 : 0
        swap_exclusive = s.swapExclusive ? 1 : 0
    }
}

@_cdecl("mmm_page_state")
public func mmm_page_state(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64,
                           _ out: UnsafeMutablePointer<mmm_page_state>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_page_state") { b throws(Failure) in
        let out = try sizedOut(out)
        try checkAddress(addr)
        let st = try b.core(pid: pid, addr: addr) { (w: inout World) throws(MMMError) in try w.pageState(pid, addr) }
        writeSized(mmm_page_state(st), to: out)
    }
}

@_cdecl("mmm_fault_counters")
public func mmm_fault_counters(_ w: OpaquePointer?, _ pid: Int32,
                               _ out: UnsafeMutablePointer<mmm_fault_counters>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_fault_counters") { b throws(Failure) in
        let out = try sizedOut(out)
        let proc = try b.process(everCreated: pid)
        let k = proc.counters
        var c = mmm_fault_counters()
        c.minor = k.minor
        c.major = k.major
        c.anon_first_touch = k.anonFirstTouch
        c.zero_page_mapped = k.zeroPageMapped
        c.wp_reuse = k.wpReuse
        c.wp_copy = k.wpCopy
        c.unshare = k.unshare
        c.swapin_cache = k.swapinCache
        c.swapin_device = k.swapinDevice
        c.fork_pages_copied = k.forkPagesCopied
        c.fork_ptes_batched = k.forkPtesBatched
        c.fork_batches = k.forkBatches
        c.page_tables_allocated = k.pageTablesAllocated
        c.rss_anon = proc.rssAnon
        c.rss_swap = proc.rssSwap
        writeSized(c, to: out)
    }
}
