/// Swap-in: `do_swap_page()` with the swap-cache lookup, the skip-swap-cache
/// path on a synchronous device, large-folio swap-in (`alloc_swap_folio`,
/// `can_swapin_thp`), the exclusive determination and the 6.11+
/// writable-on-read rule. Spec: semantics §4.4-§4.8 (Linux 6.18).
extension World {
    mutating func doSwapPage(_ p: Int, _ vi: Int, _ addr: UInt64, _ s: Int, write: Bool) throws(MMMError) -> FaultOutcome {
        let orig = Pte(tables.words[s])
        guard fmt.kind(of: orig) == .swap, fmt.archSwpType(orig) == 0 else { throw .fault }   // SIGBUS-like
        let slot = Int(fmt.archSwpOffset(orig))
        guard swap.isUsed(slot) else { throw .fault }
        let vma = processes[p].vmas[vi]
        var major = false
        var fresh = false
        var head: Int32
        if let h = swap.cachedFolio(slot) {
            head = h                                           // step 2: hit, minor
            swapUpdateReadahead(p, vi, addr, h)
            frames.ref[Int(h)] += 1                            // the lookup's reference
            processes[p].counters.swapinCache += 1
        } else if swap.kind == .synchronous && swap.count[slot] == 1 {
            // Step 3, skip-swap-cache path: a fresh folio, read synchronously.
            let (h, order) = try allocSwapFolio(p, vi, addr, orig)
            let n = 1 << order
            let first = slot - ((Int(addr >> VA.pageShift)) & (n - 1))
            for i in 0..<n { frames.token[Int(h) + i] = swap.data[first + i] }
            frames.setIndex(h, vma.linear(addr & ~((VA.pageSize << UInt64(order)) - 1)))
            head = h
            fresh = true
            major = true
            processes[p].counters.swapinDevice += 1
        } else {
            // Step 3, readahead path (`swapin_readahead`, §4.10): the faulting
            // slot and the window around it are read into the swap cache.
            guard let h = frames.allocate(order: 0) else { throw .noMemory }
            readIntoSwapCache(h, slot: slot, vpn: vma.linear(addr))
            swapVmaReadahead(p, vi, addr)
            head = h
            major = true
            processes[p].counters.swapinDevice += 1
        }

        // Step 5: KSM may give a private copy instead (ksm_might_need_to_copy).
        if !fresh, let copy = try ksmMightNeedToCopy(p, addr, slot, head) { head = copy; fresh = true }

        // Step 7: how many PTEs to map.
        let n = frames.nr(head)
        var nr = 1
        var firstAddr = addr
        var page = head
        if n > 1 {
            let idx: Int
            if fresh {
                idx = Int((addr >> VA.pageShift) & UInt64(n - 1))
            } else {
                let cs = Int(frames.swapCacheSlot[head] ?? Int32(slot))
                idx = slot - cs
            }
            let start = addr - UInt64(idx) * VA.pageSize
            let sameTable = start >> 21 == (start + UInt64(n - 1) * VA.pageSize) >> 21
            if fresh {
                nr = n; firstAddr = start
            } else if policy.mapLargeSwapCacheFolio,         // Policy: whole-folio mapping is 6.10+
                      start >= vma.start, start + UInt64(n) * VA.pageSize <= vma.end, sameTable,
                      swapBatchMatches(p, start, n, firstPte: try? fmt.moveSwpOffset(orig, by: -Int64(idx))) {
                nr = n; firstAddr = start
            } else {
                page = Int32(Int(head) + idx)
            }
            if nr == n { page = head }
        }
        let firstSlot = slot - Int((addr - firstAddr) >> VA.pageShift)

        // Step 8: exclusive (§4.5).
        let ksm = frames.flags(head).contains(.ksm)
        let exclusive = !ksm && (fresh || (policy.anonExclusive && fmt.swpTest(orig, .exclusive)))   // Policy: SX 5.19+
        // What reuse_swap_page() (≤ 5.17) counts: the page's mappings and its
        // slot's swap count, the faulting PTE included (before swap_free).
        let reuseSwapCount = fresh ? 0 : pageMapcount(page) + Int32(swap.count[slot])

        // Step 9: drop the swap counts; maybe free the swap cache.
        swapFree(firstSlot, nr)
        if frames.flags(head).contains(.swapCache) && shouldTryToFreeSwap(head, vma, write: write) {
            folioFreeSwap(head)
        }
        processes[p].rssAnon += Int64(nr)
        processes[p].rssSwap -= Int64(nr)

        // Steps 11-12: the PTE, with soft-dirty and uffd-wp from the swap PTE first.
        var pte = mkPte(frames.pfn(page), vma.flags)
        if fmt.swpTest(orig, .softDirty) { pte = fmt.mksoftDirty(pte) }
        if fmt.swpTest(orig, .uffdWp) { pte = fmt.mkuffdWp(pte) }
        var writeLeft = write
        var rmapExclusive = false
        switch policy.swapInReuse {                          // Policy: the rule of the era (§4.6)
        case .exclusiveWritableOnRead:                       // 6.11+
            if !ksm && (exclusive || frames.ref[Int(head)] == 1) {
                if vma.flags.contains(.write) && !fmt.isUffdWp(pte) && !needsSoftDirtyWp(vma, pte) {
                    pte = fmt.mkwrite(pte)
                    if write { pte = fmt.mkdirty(pte); writeLeft = false }
                }
                rmapExclusive = true
            }
        case .writeFaultOnly:                                // 5.18-6.10: read → AE but read-only
            if !ksm && (exclusive || frames.ref[Int(head)] == 1) {
                if write {                                   // uffd-wp applied after: write-protected again
                    pte = fmt.mkdirty(pte)
                    if vma.flags.contains(.write) && !fmt.isUffdWp(pte) { pte = fmt.mkwrite(pte) }
                    writeLeft = false
                }
                rmapExclusive = true
            }
        case .rfcDirtyOnRead:                                // RFC 31 May 2024: dirty, uffd-wp ignored
            if !ksm && (exclusive || frames.ref[Int(head)] == 1) {
                if vma.flags.contains(.write) { pte = fmt.mkwrite(fmt.mkdirty(pte)); writeLeft = false }
                rmapExclusive = true
            }
        case .reuseSwapPage:                                 // ≤ 5.17: reuse_swap_page() on write faults
            if write && !ksm && reuseSwapCount <= 1 {
                if frames.flags(head).contains(.swapCache) { folioFreeSwap(head) }
                pte = fmt.mkdirty(pte)
                if vma.flags.contains(.write) && !fmt.isUffdWp(pte) { pte = fmt.mkwrite(pte) }
                writeLeft = false
                rmapExclusive = true
            }
        }

        // Step 13: rmap and references (the lookup / allocation reference becomes
        // the first mapping's; nr - 1 more).
        frames.ref[Int(head)] += Int32(nr - 1)
        processes[p].vmas[vi].hasAnonVma = true
        if fresh {
            addNewAnonRmap(head, p, vpn: vma.linear(firstAddr), exclusive: rmapExclusive, pmd: false)
        } else {
            addAnonRmapPtes(head, page, nr, p, exclusive: rmapExclusive)
            if ksm { frames.ksm.note(head, firstAddr >> VA.pageShift) }   // an rmap_item at this address
        }
        for i in 0..<nr {
            guard let ps = ensurePteSlot(p, firstAddr + UInt64(i) * VA.pageSize) else { preconditionFailure("PMD leaf") }
            tables.words[ps] = fmt.withPfn(pte, fmt.pfn(pte) + UInt64(i)).raw
        }
        // Step 15: a write fault still pending runs do_wp_page in the same fault.
        if writeLeft, case .retry = try doWpPage(p, vi, addr, s, unshare: false) {
            return .retry(major: major)                  // uffd-wp trap after the swap-in
        }
        return .done(major: major)
    }

    /// `should_try_to_free_swap()`.
    func shouldTryToFreeSwap(_ head: Int32, _ vma: VMA, write: Bool) -> Bool {
        if swap.freeSlots * 2 < swap.slots || vma.flags.contains(.locked) { return true }
        return write && !frames.flags(head).contains(.ksm) && frames.ref[Int(head)] == 1 + Int32(frames.nr(head))
    }

    /// `pte_needs_soft_dirty_wp()`: soft-dirty tracking active on the VMA and the
    /// PTE not yet soft-dirty.
    func needsSoftDirtyWp(_ vma: VMA, _ pte: Pte) -> Bool {
        fmt.config.contains(.softDirty) && !vma.flags.contains(.softDirty) && !fmt.isSoftDirty(pte)
    }

    /// Whether the `n` PTEs from `start` are the swap batch beginning with `firstPte`.
    func swapBatchMatches(_ p: Int, _ start: UInt64, _ n: Int, firstPte: Pte?) -> Bool {
        guard let first = firstPte, pteValue(p, start) == first else { return false }
        var buf = [UInt64](repeating: 0, count: n)
        for i in 0..<n { buf[i] = pteValue(p, start + UInt64(i) * VA.pageSize).raw }
        return (try? buf.withUnsafeBufferPointer { b throws(MMMError) in try fmt.swapPteBatch(b, maxNr: n) }) == n
    }

    /// `alloc_swap_folio()` on the skip path (6.12+): the highest enabled order
    /// below PMD whose aligned range lies in the VMA, whose slots line up with
    /// the addresses (`thp_swap_suitable_orders`), whose PTEs form a swap batch
    /// (`can_swapin_thp`), agree on the zero map and are not in the swap cache;
    /// order 0 otherwise. Returns the fresh folio (refcount 1) and its order.
    mutating func allocSwapFolio(_ p: Int, _ vi: Int, _ addr: UInt64, _ orig: Pte) throws(MMMError) -> (Int32, Int) {
        let vma = processes[p].vmas[vi]
        let slot = fmt.archSwpOffset(orig)
        let vpn = addr >> VA.pageShift
        // Policy largeSwapIn: before 6.12 the skip path allocates order 0.
        // A userfaultfd-armed VMA gets order 0 (`userfaultfd_armed`, §6.2).
        for o in stride(from: WorldConfig.pmdOrder - 1, through: 1, by: -1)
        where policy.largeSwapIn && !vma.flags.contains(.uffdWp) && thpOrderAllowed(vma, order: o) {
            let n = 1 << o
            guard vpn % UInt64(n) == slot % UInt64(n) else { continue }
            let start = addr & ~((VA.pageSize << UInt64(o)) - 1)
            guard start >= vma.start, start + (VA.pageSize << UInt64(o)) <= vma.end else { continue }
            let idx = Int(vpn & UInt64(n - 1))
            guard swapBatchMatches(p, start, n, firstPte: try? fmt.moveSwpOffset(orig, by: -Int64(idx))) else { continue }
            let first = Int(slot) - idx
            var zero = 0
            var cached = false
            for i in 0..<n {
                if swap.data[first + i] == 0 { zero += 1 }
                if swap.cache[first + i] >= 0 { cached = true }
            }
            guard !cached, zero == 0 || zero == n else { continue }
            if let h = frames.allocate(order: o) { return (h, o) }
        }
        guard let h = frames.allocate(order: 0) else { throw .noMemory }
        return (h, 0)
    }

    // MARK: Swap readahead (swap_vma_readahead, mm/swap_state.c; spec §4.10)

    /// Fills a fresh order-0 folio from `slot` and adds it to the swap cache,
    /// clean (its data is on the device). The caller's allocation reference stays.
    mutating func readIntoSwapCache(_ h: Int32, slot: Int, vpn: UInt64) {
        frames.token[Int(h)] = swap.data[slot]
        frames.insertFlags(h, [.anon, .swapBacked, .lru])
        frames.setIndex(h, vpn)
        addToSwapCache(h, slot: slot)
        frames.removeFlags(h, .dirty)
    }

    /// `swap_vma_ra_win()` and the readahead loop of `swap_vma_readahead()` for a
    /// miss at `addr`: the window size from the VMA's hit history, placed forward,
    /// backward or around the fault, clipped to the VMA and to the PTE table;
    /// every other genuine swap entry in it that no folio caches is read into the
    /// swap cache marked readahead (not mapped).
    mutating func swapVmaReadahead(_ p: Int, _ vi: Int, _ addr: UInt64) {
        let maxWin = 1 << min(config.pageCluster, 5)
        guard maxWin > 1 else { return }
        let vma = processes[p].vmas[vi]
        let pa = addr >> VA.pageShift
        let pp = vma.raPrevAddr >> VA.pageShift
        var w = Int(vma.raHits) + 2
        if w == 2 {
            if pa != pp &+ 1 && pa != pp &- 1 { w = 1 }
        } else {
            var r = 4
            while r < w { r <<= 1 }
            w = r
        }
        w = max(min(w, maxWin), Int(vma.raPrevWin) / 2)
        processes[p].vmas[vi].raPrevAddr = addr
        processes[p].vmas[vi].raPrevWin = UInt32(w)
        processes[p].vmas[vi].raHits = 0
        guard w > 1 else { return }
        var first: Int64
        if pa == pp &+ 1 { first = Int64(pa) }
        else if pa == pp &- 1 { first = Int64(pa) - Int64(w) + 1 }
        else { first = Int64(pa) - Int64((w - 1) / 2) }
        let lo = max(first, Int64(vma.start >> VA.pageShift), Int64((addr & ~(VA.pmdSize - 1)) >> VA.pageShift))
        let hi = min(first + Int64(w), Int64(vma.end >> VA.pageShift),
                     Int64(((addr & ~(VA.pmdSize - 1)) + VA.pmdSize) >> VA.pageShift))
        var v = lo
        while v < hi {
            defer { v += 1 }
            guard UInt64(v) != pa else { continue }
            let a = UInt64(v) << VA.pageShift
            let pte = pteValue(p, a)
            guard fmt.kind(of: pte) == .swap, fmt.archSwpType(pte) == 0 else { continue }
            let slot = Int(fmt.archSwpOffset(pte))
            guard swap.isUsed(slot), swap.cachedFolio(slot) == nil, let h = frames.allocate(order: 0) else { continue }
            readIntoSwapCache(h, slot: slot, vpn: vma.linear(a))
            frames.insertFlags(h, .readahead)
            putFolio(h)                                   // only the swap cache holds it
        }
    }

    /// `swap_update_readahead()` on a swap-cache hit: a hit on a folio still
    /// marked readahead counts for the window; the address moves along.
    mutating func swapUpdateReadahead(_ p: Int, _ vi: Int, _ addr: UInt64, _ h: Int32) {
        if frames.flags(h).contains(.readahead) {
            frames.removeFlags(h, .readahead)
            processes[p].vmas[vi].raHits = min(processes[p].vmas[vi].raHits + 1, 63)
        }
        processes[p].vmas[vi].raPrevAddr = addr
    }
}
