/// The reverse map: from a folio to every page-table entry that maps it.
///
/// The model keeps no anon_vma chains. It does not need them: a page of an
/// anonymous folio can only be mapped where a VMA puts its linear page index
/// (`Frames.index` plus the page's offset; R-MAP-5, fork copies entries to the
/// same address): at `vma_address()`, `(index - vm_pgoff) << PAGE_SHIFT` past
/// the VMA's start. Without mremap that is the index itself; a VMA moved by
/// mremap keeps its `vm_pgoff` (`VMA.pgoffShift`), so a process is looked at
/// once per shift its VMAs have (`Process.remapShifts`, plus 0). A walk
/// visits every live process at those addresses and keeps the entries that
/// really map the page, as `page_vma_mapped_walk()`'s `check_pte()` does.
/// Cost: O(processes × shifts × pages of the folio).
///
/// An entry mapping a page anywhere else is invisible to the walk, as it would
/// be to the kernel's; the checker reports it (RMAP-ADDR, INV-22). KSM folios
/// are the exception: their walk follows their rmap_items (RmapKsm.swift).
/// Spec: semantics §5.1, §5.2.

/// One entry that maps a page of a folio: what `page_vma_mapped_walk()` reports.
public struct RmapMapping: Hashable, Sendable {
    public var pid: Int32
    /// The page's address for a PTE; the 2 MiB-aligned start for a PMD.
    public var address: UInt64
    /// The PTE, or the PMD leaf when `isPmd`.
    public var entry: UInt64
    public var isPmd: Bool
    /// The PFN of the page the PTE maps; for a PMD, the PFN it starts at.
    public var pfn: UInt64
    /// Process index, pool index of the entry, and the frame (PTE) or the
    /// frame at the PMD's start.
    var process: Int
    var slot: Int
    var page: Int32
}

/// A walk's position (`struct page_vma_mapped_walk`): the frames
/// [first, first + nr) whose page `k` lives at linear index `vpn + k`.
struct RmapCursor {
    let first: Int32
    let nr: Int
    let vpn: UInt64
    var process = 0
    /// The shift looked at in this process: 0, then `remapShifts[pass - 1]`.
    var pass = 0
    var page = 0
    /// The PMD entry last reported, so a caller may split it and the walk then
    /// continues through the PTEs that replaced it.
    var pmdSeen = -1
    /// A KSM folio's rmap_item addresses (RmapKsm.swift); nil for other folios.
    var ksm: [UInt64]? = nil
    /// `PVMW_BREAK_COW_PTE` (KernelPolicy.cowPte): a walk that will change
    /// the entries it finds breaks a shared COW PTE table before reporting a
    /// mapping in it (`World.rmapNextBreaking`), counted for this cause.
    var breakCowPte: CowPteBreakCause? = nil
}

extension World {
    /// A walk over the mappings of the folio headed by `head`.
    func rmapCursor(folio head: Int32) -> RmapCursor {
        var c = RmapCursor(first: head, nr: frames.nr(head), vpn: frames.index(head))
        if frames.flags(head).contains(.ksm), let v = frames.ksm.vpns[head] { c.ksm = v }   // rmap_walk_ksm
        return c
    }

    /// The next entry mapping a page of the cursor's range, or nil when the
    /// walk is over. Processes in pid order, pages in address order; a PMD
    /// mapping is reported once, at the first page it covers.
    ///
    /// Context: reads the world only. A caller may change the world between
    /// steps (`tryToUnmap` does): entries already passed are not revisited, a
    /// reported PMD that was split is walked again by its PTEs.
    func rmapNext(_ c: inout RmapCursor) -> RmapMapping? {
        if c.ksm != nil { return ksmRmapNext(&c) }
        while c.process < processes.count {
            let p = c.process
            if processes[p].exited { c.process += 1; c.pass = 0; c.page = 0; c.pmdSeen = -1; continue }
            // mremap: the pass over VMAs whose vm_pgoff is `shift` pages off their start.
            let shift = c.pass == 0 ? 0 : processes[p].remapShifts[c.pass - 1]
            while c.page < c.nr {
                let a = UInt64(bitPattern: Int64(bitPattern: c.vpn + UInt64(c.page)) &- shift) << VA.pageShift
                let toBoundary = Int((VA.pmdSize - (a & (VA.pmdSize - 1))) >> VA.pageShift)
                guard a < VA.userTop, let vi = processes[p].vmaIndex(a),
                      processes[p].vmas[vi].pgoffShift == shift else { c.page += 1; continue }
                guard let ps = pmdSlot(p, a) else { c.page += toBoundary; continue }
                let pmd = tables.words[ps]
                if fmt.pmdIsLeaf(pmd) {
                    let pte = fmt.pteOfPmd(pmd)
                    let want = frames.pfn(c.first + Int32(c.page))
                    if ps != c.pmdSeen, fmt.isPresent(pte), !fmt.isSpecial(pte),
                       fmt.pfn(pte) + ((a >> VA.pageShift) & 511) == want {
                        c.pmdSeen = ps
                        let start = a & ~(VA.pmdSize - 1)
                        return RmapMapping(pid: processes[p].pid, address: start, entry: pmd, isPmd: true,
                                           pfn: fmt.pfn(pte), process: p, slot: ps,
                                           page: c.first + Int32(c.page) - Int32((a - start) >> VA.pageShift))
                    }
                    c.page += toBoundary
                    continue
                }
                guard fmt.pmdIsTable(pmd) else { c.page += toBoundary; continue }
                let s = Int(fmt.tableIndex(pmd)) * PageTablePool.entries + VA.index(a, level: 0)
                let f = c.first + Int32(c.page)
                c.page += 1
                let pte = Pte(tables.words[s])
                if fmt.isPresent(pte), !fmt.isSpecial(pte), fmt.pfn(pte) == frames.pfn(f) {
                    return RmapMapping(pid: processes[p].pid, address: a, entry: pte.raw, isPmd: false,
                                       pfn: frames.pfn(f), process: p, slot: s, page: f)
                }
            }
            c.page = 0
            c.pmdSeen = -1
            if c.pass < processes[p].remapShifts.count { c.pass += 1; continue }
            c.process += 1
            c.pass = 0
        }
        return nil
    }

    /// The swap PTEs naming `slot`, found where the slot's page lived
    /// (`SwapDevice.index`): how many, and how many carry the exclusive bit.
    func swapRmapCount(_ slot: Int) -> (count: UInt32, exclusive: UInt32) {
        if let v = swap.ksmVpns[slot] { return ksmSwapRmapCount(slot, v) }
        var n: UInt32 = 0, sx: UInt32 = 0
        for p in processes.indices where !processes[p].exited {
            for k in 0...processes[p].remapShifts.count {
                let shift = k == 0 ? 0 : processes[p].remapShifts[k - 1]
                let a = UInt64(bitPattern: Int64(bitPattern: swap.index[slot]) &- shift) << VA.pageShift
                guard a < VA.userTop, let vi = processes[p].vmaIndex(a), processes[p].vmas[vi].pgoffShift == shift else { continue }
                let pte = pteValue(p, a)
                guard fmt.kind(of: pte) == .swap, fmt.archSwpType(pte) == 0, Int(fmt.archSwpOffset(pte)) == slot else { continue }
                n += 1
                if fmt.swpTest(pte, .exclusive) { sx += 1 }
            }
        }
        return (n, sx)
    }

    // MARK: Public walks

    /// The head frame of the allocated folio containing `pfn`, or `.invalidArgument`.
    func folioHead(ofPfn pfn: UInt64) throws(MMMError) -> Int32 {
        guard let f = frames.frame(ofPfn: pfn), frames.isAllocated(f) else { throw .invalidArgument }
        return frames.head(f)
    }

    /// Calls `body` for every entry mapping a page of the folio that contains
    /// `pfn`, until it returns false: `page_vma_mapped_walk()` over the anon
    /// rmap (spec §5.1, §5.2). Swap entries are not mappings (R-MAP-4).
    /// Throws `.invalidArgument` when `pfn` is not a frame of an allocated folio
    /// (the zero pages have no rmap).
    public func rmapWalk(folioOf pfn: UInt64, _ body: (RmapMapping) -> Bool) throws(MMMError) {
        var c = rmapCursor(folio: try folioHead(ofPfn: pfn))
        while let m = rmapNext(&c) { if !body(m) { return } }
    }

    /// Every entry mapping a page of the folio that contains `pfn`, in walk order.
    public func rmapMappings(folioOf pfn: UInt64) throws(MMMError) -> [RmapMapping] {
        var out: [RmapMapping] = []
        try rmapWalk(folioOf: pfn) { out.append($0); return true }
        return out
    }
}
