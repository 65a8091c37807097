/// What a test or tool can ask about one page of one process: enough to assert
/// every rule of the fault, fork and swap paths (issue 3, item 6).
public struct PageState: Hashable, Sendable {
    /// The PTE, or the PMD leaf when `pmdMapped`; 0 when nothing is there.
    public var entry: UInt64 = 0
    public var pmdMapped = false
    public var kind: PteKind = .none
    /// PFN mapped (present), including the zero pages.
    public var pfn: UInt64 = 0
    public var zeroPage = false
    /// The folio: its first PFN, order and this page's offset in it.
    public var folioPfn: UInt64 = 0
    public var order = 0
    public var offset = 0
    public var refcount: Int32 = 0
    /// This page's mapcount as /proc/kpagecount shows it (R-MAP-2).
    public var mapcount: Int32 = 0
    public var folioMapcount: Int32 = 0
    public var anonExclusive = false
    public var maybePinned = false
    public var swapCache = false
    public var ksm = false
    /// Swap entries (and swap-cache folios): the slot and its swap count.
    public var swapSlot: Int = 0
    public var swapCount: UInt32 = 0
    public var swapExclusive = false
    /// The page's contents: the frame's token, or the token stored in the slot.
    public var token: UInt64 = 0
    public init() {}
}

extension World {
    /// The state of the page containing `addr` in `pid`. Reading it changes
    /// nothing and takes no fault.
    public func pageState(_ pid: Int32, _ addr: UInt64) throws(MMMError) -> PageState {
        guard let proc = process(pid) else { throw .noSuchProcess }
        let p = Int(pid) - 1
        guard addr < VA.userTop else { throw .invalidArgument }
        guard proc.vmaIndex(addr) != nil else { throw .fault }
        var st = PageState()
        let pmd = pmdValue(p, addr)
        var pte: Pte
        if fmt.pmdIsLeaf(pmd) {
            st.pmdMapped = true
            st.entry = pmd
            let base = fmt.pteOfPmd(pmd)
            pte = fmt.isSpecial(base) ? base : fmt.withPfn(base, fmt.pfn(base) + ((addr >> VA.pageShift) & 511))
        } else {
            pte = pteValue(p, addr)
            st.entry = pte.raw
        }
        st.kind = fmt.kind(of: pte)
        switch st.kind {
        case .present:
            st.pfn = st.pmdMapped && isZeroPfn(fmt.pfn(pte)) ? fmt.pfn(pte) + ((addr >> VA.pageShift) & 511) : fmt.pfn(pte)
            if isZeroPfn(st.pfn) { st.zeroPage = true; return st }
            guard let f = frames.frame(ofPfn: st.pfn) else { return st }
            fillFolio(&st, f)
            // §1.5: for a PMD mapping the head page's AE speaks for the whole folio.
            if st.pmdMapped { st.anonExclusive = frames.ae(frames.head(f)) }
        case .swap:
            let slot = Int(fmt.archSwpOffset(pte))
            st.swapSlot = slot
            st.swapCount = swap.swapCount(slot)
            st.swapExclusive = fmt.swpTest(pte, .exclusive)
            if let h = swap.cachedFolio(slot), let cs = frames.swapCacheSlot[h] {
                fillFolio(&st, Int32(Int(h) + slot - Int(cs)))
            } else if swap.isUsed(slot) {
                st.token = swap.data[slot]
            }
        default:
            break
        }
        return st
    }

    func fillFolio(_ st: inout PageState, _ f: Int32) {
        let h = frames.head(f)
        st.folioPfn = frames.pfn(h)
        st.order = frames.order(h)
        st.offset = Int(f - h)
        st.refcount = frames.ref[Int(h)]
        st.mapcount = pageMapcount(f)
        st.folioMapcount = folioMapcount(h)
        st.anonExclusive = frames.ae(f)
        st.maybePinned = maybePinned(h)
        st.swapCache = frames.flags(h).contains(.swapCache)
        st.ksm = frames.flags(h).contains(.ksm)
        st.token = frames.token[Int(f)]
        if st.swapCache, let cs = frames.swapCacheSlot[h] {
            if st.swapSlot == 0 { st.swapSlot = Int(cs) + st.offset }
            st.swapCount = swap.swapCount(st.swapSlot)
        }
    }

    /// The counters of `pid` (readable after exit too).
    public func counters(_ pid: Int32) throws(MMMError) -> FaultCounters {
        guard pid >= 1, Int(pid) <= processes.count else { throw .noSuchProcess }
        return processes[Int(pid) - 1].counters
    }

    /// Bytes of model state: frames, swap device, page tables, processes.
    public var stateBytes: Int {
        frames.count * 24 + swap.slots * 25 + tables.words.count * 8
            + processes.reduce(0) { $0 + $1.vmas.count * MemoryLayout<VMA>.stride + MemoryLayout<Process>.stride }
            + frames.large.count * (MemoryLayout<LargeFolioState>.stride + 8)
    }

    /// Page tables currently allocated in the whole world.
    public var liveTables: Int { tables.liveTables }
}
