/// Swap-out: MADV_PAGEOUT's walk (`madvise_cold_or_pageout_pte_range`) and the
/// reclaim of each folio it isolates (`shrink_folio_list`: swap allocation,
/// `try_to_unmap_one`, `pageout`, freeing). Spec: semantics §4.1, §4.2 (6.18).
extension World {
    /// MADV_PAGEOUT over [addr, addr + len): each folio mapped only here and
    /// entirely (mapcount == pages) is swapped out; shared folios are skipped, a
    /// large folio partly in the range is split first (unless maybe mapped
    /// shared), maybe-pinned folios stay; a lazyfree folio (after MADV_FREE) is
    /// discarded or kept as §4.2 U6 says. Returns how many pages were swapped
    /// out or discarded.
    /// Throws `.noMemory`, with the world unchanged, when the device has fewer
    /// free slots than the range's pages that would need one.
    @discardableResult
    public mutating func pageout(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) -> Int {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        guard processes[p].vmaIndex(start) != nil else { throw .fault }
        // Slots the range can need: pages of folios not yet in the swap cache and
        // mapped once (what reclaim would take), so a refusal changes nothing.
        var needed = 0
        var a = start
        while a < end {
            if let f = mappedFrame(p, a), !frames.flags(frames.head(f)).contains(.swapCache),
               frames.flags(frames.head(f)).contains(.swapBacked),   // lazyfree folios need no slot
               pageMapcount(f) == 1 { needed += 1 }
            a += VA.pageSize
        }
        guard swap.freeSlots >= needed else { throw .noMemory }
        var out = 0
        a = start
        while a < end {
            guard processes[p].vmaIndex(a) != nil else { a += VA.pageSize; continue }
            let pmd = pmdValue(p, a)
            if fmt.pmdIsLeaf(pmd) {
                let pfn = fmt.pfn(fmt.pteOfPmd(pmd))
                let whole = a & (VA.pmdSize - 1) == 0 && end - a >= VA.pmdSize
                if isZeroPfn(pfn) { a = (a & ~(VA.pmdSize - 1)) + VA.pmdSize; continue }
                if let f = frames.frame(ofPfn: pfn), maybeMappedShared(frames.head(f)) {
                    a = (a & ~(VA.pmdSize - 1)) + VA.pmdSize; continue
                }
                if !whole, let f = frames.frame(ofPfn: pfn), !canSplitFolio(frames.head(f)) {
                    a = (a & ~(VA.pmdSize - 1)) + VA.pmdSize; continue   // split_folio failed: skip
                }
                if !whole { splitHugePmd(p, a) } else {
                    out += reclaimFolio(frames.head(frames.frame(ofPfn: pfn)!))
                    a += VA.pmdSize
                    continue
                }
            }
            let pte = pteValue(p, a)
            guard let f = normalFrame(pte) else { a += VA.pageSize; continue }
            var head = frames.head(f)
            let n = frames.nr(head)
            if n > 1 {
                let first = a - UInt64(f - head) * VA.pageSize
                let covered = first >= start && first + UInt64(n) * VA.pageSize <= end
                    && folioFullyMappedHere(p, head, first)
                if !covered {
                    if maybeMappedShared(head) || !canSplitFolio(head) { a += VA.pageSize; continue }
                    splitFolio(head)
                    head = f
                } else {
                    if folioMapcount(head) == Int32(n) { out += reclaimFolio(head) }
                    a = first + UInt64(n) * VA.pageSize
                    continue
                }
            }
            if folioMapcount(head) == 1 { out += reclaimFolio(head) }
            a += VA.pageSize
        }
        return out
    }

    /// Global reclaim (kswapd, or direct reclaim under memory pressure) of
    /// the folios mapped at [addr, addr + len) of `pid`: `shrink_folio_list()`
    /// as if each had reached the tail of the inactive list unreferenced.
    /// Unlike MADV_PAGEOUT nothing asks for the folio to be mapped here only:
    /// a folio shared with other processes, or a KSM page mapped at several
    /// addresses (`rmap_walk_ksm`), is unmapped everywhere its rmap finds it.
    /// Maybe-pinned folios stay. Returns the pages swapped out or discarded.
    /// Throws `.noMemory`, with the world unchanged, when the device has
    /// fewer free slots than the folios need.
    @discardableResult
    public mutating func reclaim(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) -> Int {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        var heads: [Int32] = []
        var seen = Set<Int32>()
        var needed = 0
        var a = start
        while a < end {
            if let f = mappedFrame(p, a), seen.insert(frames.head(f)).inserted {
                let h = frames.head(f)
                heads.append(h)
                let fl = frames.flags(h)
                if fl.contains(.anon) && fl.contains(.swapBacked) && !fl.contains(.swapCache) { needed += frames.nr(h) }
            }
            a += VA.pageSize
        }
        guard swap.freeSlots >= needed else { throw .noMemory }
        var out = 0
        for h in heads where frames.isAllocated(h) && frames.head(h) == h { out += reclaimFolio(h) }
        return out
    }

    /// The frame mapped at `a` by a PTE or a PMD, nil for none, swap or the zero page.
    func mappedFrame(_ p: Int, _ a: UInt64) -> Int32? {
        let pmd = pmdValue(p, a)
        if fmt.pmdIsLeaf(pmd) {
            let pte = fmt.pteOfPmd(pmd)
            guard fmt.isPresent(pte), !fmt.isSpecial(pte) else { return nil }
            return frames.frame(ofPfn: fmt.pfn(pte) + ((a >> VA.pageShift) & 511))
        }
        return normalFrame(pteValue(p, a))
    }

    /// Whether the `nr` PTEs from `first` map the folio's pages in order.
    func folioFullyMappedHere(_ p: Int, _ head: Int32, _ first: UInt64) -> Bool {
        for i in 0..<frames.nr(head) where normalFrame(pteValue(p, first + UInt64(i) * VA.pageSize)) != Int32(Int(head) + i) {
            return false
        }
        return true
    }

    /// `can_split_folio()`: a split succeeds only when every reference is a
    /// mapping or the swap cache's; a pin (or any other holder) makes it fail.
    func canSplitFolio(_ head: Int32) -> Bool {
        let sc = frames.flags(head).contains(.swapCache) ? Int32(frames.nr(head)) : 0
        return frames.ref[Int(head)] == folioMapcount(head) + sc
    }

    /// `split_folio()` of an anonymous large folio into order-0 folios; a
    /// swap-cache folio's slots follow its pages; unmapped pages are freed.
    mutating func splitFolio(_ head: Int32) {
        let n = frames.nr(head)
        let slot = frames.swapCacheSlot[head]
        let wasCached = frames.flags(head).contains(.swapCache)
        frames.splitToOrder0(head)
        if wasCached, let s = slot {
            frames.ref[Int(head)] -= Int32(n)           // the cache's references move to the pages
            for i in 0..<n {
                let f = Int32(Int(head) + i)
                frames.swapCacheSlot[f] = Int32(Int(s) + i)
                swap.cache[Int(s) + i] = f
                frames.insertFlags(f, .swapCache)
                frames.ref[Int(f)] += 1
            }
        }
        // The split unmaps the folio and maps it again (remap_page with
        // RMP_USE_SHARED_ZEROPAGE for an anonymous folio, 6.12+): a new order-0
        // page that holds only zeros gets the shared zero page at each of its
        // PTEs instead (try_to_map_unused_to_zeropage), keeping soft-dirty and
        // uffd-wp, and is freed. Seen live: a partial MADV_COLD of a THP whose
        // pages were never written leaves them mapping the zero page.
        if policy.splitRemapsZeroPages && frames.flags(head).contains(.anon) {
            for i in 0..<n where frames.token[Int(head) + i] == 0 && frames.mapcount[Int(head) + i] > 0 {
                remapZeroFilledToZeroPage(Int32(Int(head) + i))
            }
        }
        // Pages nothing references any more (unmapped, not cached) go back to
        // the allocator, as the split drops their references.
        for i in 0..<n where frames.ref[Int(head) + i] == 0 { frames.free(Int32(Int(head) + i)) }
    }

    /// `try_to_map_unused_to_zeropage()` for the order-0 page `f` after a split:
    /// every PTE mapping it becomes a special PTE of the zero page (with the
    /// old PTE's soft-dirty and uffd-wp bits); the page loses those mappings.
    mutating func remapZeroFilledToZeroPage(_ f: Int32) {
        var c = rmapCursor(folio: f)
        c.breakCowPte = .unmapWalk
        while let m = rmapNextBreaking(&c) {
            if m.isPmd { continue }
            let p = m.process
            guard let vi = processes[p].vmaIndex(m.address) else { continue }
            let old = Pte(m.entry)
            var z = zeroPte(processes[p].vmas[vi].flags)
            if fmt.isSoftDirty(old) { z = fmt.mksoftDirty(z) }
            if fmt.isUffdWp(old) { z = fmt.mkuffdWp(z) }
            tables.words[m.slot] = z.raw
            removeRmapPtes(f, f, 1, p)
            processes[p].rssAnon -= 1
            frames.ref[Int(f)] -= 1
        }
    }

    /// Reclaims one folio (§4.1 steps 1-3): skip maybe-pinned folios; allocate
    /// slots (a large folio needs an aligned run, else it is split and its pages
    /// reclaimed one by one); add to the swap cache; unmap every mapping through
    /// the rmap; write; on a synchronous device free it at once. Returns the
    /// number of pages swapped out.
    mutating func reclaimFolio(_ head: Int32) -> Int {
        let fl = frames.flags(head)
        // A lazyfree folio, KSM ones included: a page made lazyfree by MADV_FREE
        // and merged afterwards stays !swapBacked (try_to_merge_one_page leaves
        // the flag), and shrink_folio_list takes the lazyfree path for it; KSM
        // marked it dirty, so try_to_unmap_one sets it swap-backed again.
        if fl.contains(.anon) && !fl.contains(.swapBacked) { return discardLazyfree(head) }
        guard fl.contains(.anon), !maybePinned(head) else { return 0 }
        let n = frames.nr(head)
        // Policy mthpSwapOut: before 6.10 a folio below PMD order is split first.
        if n > 1 && n < 1 << WorldConfig.pmdOrder && !policy.mthpSwapOut && !fl.contains(.swapCache) {
            guard canSplitFolio(head) else { return 0 }
            splitFolio(head)
            var total = 0
            for i in 0..<n { total += reclaimFolio(Int32(Int(head) + i)) }
            return total
        }
        if !fl.contains(.swapCache) {
            guard let slot = swap.allocate(n) else {
                guard n > 1 else { return 0 }
                splitFolio(head)
                var total = 0
                for i in 0..<n { total += reclaimFolio(Int32(Int(head) + i)) }
                return total
            }
            addToSwapCache(head, slot: slot)
        }
        guard tryToUnmap(head) else { return 0 }
        let s = Int(frames.swapCacheSlot[head]!)
        for i in 0..<n { swap.data[s + i] = frames.token[Int(head) + i] }
        frames.removeFlags(head, .dirty)
        // Synchronous writeback completes here; nothing else holds the folio.
        if swap.kind == .synchronous && frames.ref[Int(head)] == Int32(n) { deleteFromSwapCache(head) }
        return n
    }

    /// `try_to_unmap()` over the anon rmap (`rmapNext`): every entry mapping
    /// the folio becomes a swap PTE (§4.2 U3-U10); a PMD mapping is split
    /// first and the walk goes on through its PTEs (U2). Fails, leaving the
    /// pages already unmapped as swap PTEs, when a page is AE and the folio may
    /// be pinned (U9). Returns whether the folio is left unmapped.
    mutating func tryToUnmap(_ head: Int32) -> Bool {
        guard let slot = frames.swapCacheSlot[head] else { return false }
        var c = rmapCursor(folio: head)
        c.breakCowPte = .unmapWalk                             // PVMW_BREAK_COW_PTE (cowPte)
        while let m = rmapNextBreaking(&c) {
            if m.isPmd { splitHugePmd(m.process, m.address); continue }
            let p = m.process
            let pte = Pte(m.entry)
            let page = m.page
            let i = Int(page - head)
            let exclusive = frames.ae(page)
            if exclusive && !tryShareAnonRmap(head, page) { return false }
            var swp = fmt.archSwpEntry(type: 0, offset: UInt64(Int(slot) + i))
            if exclusive && policy.anonExclusive { swp = fmt.swpSet(swp, .exclusive) }   // Policy: SX is 5.19+
            if fmt.isSoftDirty(pte) { swp = fmt.swpSet(swp, .softDirty) }
            if fmt.isUffdWp(pte) { swp = fmt.swpSet(swp, .uffdWp) }
            tables.words[m.slot] = swp.raw
            if c.ksm != nil { ksmNoteSwapPte(Int(slot) + i, m.address) }   // the swap side of rmap_walk_ksm
            swap.count[Int(slot) + i] += 1
            removeRmapPtes(head, page, 1, p)
            processes[p].rssAnon -= 1
            processes[p].rssSwap += 1
            frames.ref[Int(head)] -= 1
        }
        return folioMapcount(head) == 0
    }

    /// `try_to_unmap()` of a lazyfree folio (§4.2 U2-U4, U6): a PMD mapping is
    /// split first; if the folio or any PTE mapping it is dirty (written since
    /// MADV_FREE), or a reference other than the mappings exists (a pin), every
    /// PTE stays and a dirty folio becomes swap-backed (and dirty) again: the
    /// lazyfree state is cancelled and the folio stays present. Otherwise each
    /// PTE becomes none, RSS drops by one per page, and the folio is freed
    /// (vmstat `pglazyfreed`). Returns the number of pages discarded.
    mutating func discardLazyfree(_ head: Int32) -> Int {
        var dirty = frames.flags(head).contains(.dirty)
        var maps: [RmapMapping] = []
        var c = rmapCursor(folio: head)
        c.breakCowPte = .unmapWalk                             // PVMW_BREAK_COW_PTE (cowPte)
        while let m = rmapNextBreaking(&c) {
            if m.isPmd { splitHugePmd(m.process, m.address); continue }
            if fmt.isDirty(Pte(m.entry)) { dirty = true }
            maps.append(m)
        }
        // The model holds no isolation reference: "ref ≠ 1 + mapcount" is ref ≠ mapcount here.
        if dirty || frames.ref[Int(head)] != folioMapcount(head) {
            if dirty { frames.insertFlags(head, [.swapBacked, .dirty]) }
            return 0
        }
        for m in maps {
            tables.words[m.slot] = 0
            removeRmapPtes(head, m.page, 1, m.process)
            processes[m.process].rssAnon -= 1
        }
        putFolio(head, Int32(maps.count))
        return maps.count
    }
}
