/// Tearing mappings down: `zap_pte_range` / `zap_huge_pmd` for munmap,
/// MADV_DONTNEED and exit. Spec: encoding §7 (zap call sites), semantics §1.7.
extension World {
    /// Removes every mapping and swap entry in [start, end) of process `p`.
    /// A PMD mapping only partly inside is split first.
    mutating func zapRange(_ p: Int, _ start: UInt64, _ end: UInt64) {
        var a = start
        while a < end {
            let pmdEnd = min((a & ~(VA.pmdSize - 1)) + VA.pmdSize, end)
            guard let ps = pmdSlot(p, a) else { a = pmdEnd; continue }
            let pmd = tables.words[ps]
            if fmt.pmdIsLeaf(pmd) {
                if a & (VA.pmdSize - 1) == 0 && pmdEnd - a == VA.pmdSize {
                    zapHugePmd(p, ps)
                    a = pmdEnd
                    continue
                }
                splitHugePmd(p, a)
            }
            guard fmt.pmdIsTable(tables.words[ps]) else { a = pmdEnd; continue }
            if tables.shareCount[Int(fmt.tableIndex(tables.words[ps]))] != 0 {
                // A COW PTE table (KernelPolicy.cowPte): let go whole when every
                // entry is in the range, else broken before entries change.
                let base = a & ~(VA.pmdSize - 1)
                if !(cowPteZapCoversTable(ps, a, pmdEnd, base: base) && dropCowPteTable(p, ps)) {
                    breakCowPte(p, ps, .zap)
                }
                guard fmt.pmdIsTable(tables.words[ps]) else { a = pmdEnd; continue }
            }
            while a < pmdEnd {
                if let s = pteSlot(p, a) { zapPte(p, s) }
                a += VA.pageSize
            }
        }
    }

    /// Clears one PTE: a mapping drops its rmap and reference (the folio leaves
    /// the swap cache once unmapped, as `free_pages_and_swap_cache` does); a
    /// swap entry drops its swap count.
    mutating func zapPte(_ p: Int, _ s: Int) {
        let pte = Pte(tables.words[s])
        tables.words[s] = 0
        dropPteAccounting(p, pte)
    }

    /// What zapping `pte` undoes for process `p`, without writing the entry:
    /// the rmap, reference and RSS of a mapping, or the swap count of a swap
    /// entry (also used when `p` lets go of a shared COW PTE table).
    mutating func dropPteAccounting(_ p: Int, _ pte: Pte) {
        if fmt.isNone(pte) { return }
        if fmt.isPresent(pte) {
            guard let f = normalFrame(pte) else {               // zero page: nothing to drop
                ksmMightUnmapZeroPage(p, pte)
                return
            }
            let head = frames.head(f)
            removeRmapPtes(head, f, 1, p)
            processes[p].rssAnon -= 1
            putFolio(head)
            if frames.isAllocated(head) { freeSwapCache(head) }
            return
        }
        guard fmt.kind(of: pte) == .swap else { return }
        let slot = Int(fmt.archSwpOffset(pte))
        processes[p].rssSwap -= 1
        swapFree(slot, 1)
        if let h = swap.cachedFolio(slot) { freeSwapCache(h) }
    }

    /// `zap_huge_pmd()`.
    mutating func zapHugePmd(_ p: Int, _ ps: Int) {
        let pte = fmt.pteOfPmd(tables.words[ps])
        tables.words[ps] = 0
        let pfn = fmt.pfn(pte)
        if isZeroPfn(pfn) { hugeZeroMappings -= 1; return }
        guard let f = frames.frame(ofPfn: pfn) else { return }
        let head = frames.head(f)
        removeRmapPmd(head, p)
        processes[p].rssAnon -= 512
        putFolio(head)
        if frames.isAllocated(head) { freeSwapCache(head) }
    }

    /// Ends process `pid`: its pins are released, every mapping and swap entry
    /// dropped and its page tables freed. Its counters stay readable.
    public mutating func exit(_ pid: Int32) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        for id in pinIds(of: pid) { try unpin(id) }        // the pinner's teardown releases them
        if policy.cowPte { dropAllCowPteTables(p) }   // Policy cowPte: shared tables let go, not copied
        for v in processes[p].vmas { zapRange(p, v.start, v.end) }
        processes[p].vmas = []
        freeTables(processes[p].pgd, level: 3)
        processes[p].exited = true
    }

    /// Frees a table and the tables below it.
    mutating func freeTables(_ t: Int32, level: Int) {
        if level > 1 {
            for i in 0..<PageTablePool.entries {
                let e = tables.words[Int(t) * PageTablePool.entries + i]
                if e != 0 { freeTables(fmt.tableIndex(e), level: level - 1) }
            }
        } else if level == 1 {
            for i in 0..<PageTablePool.entries {
                let e = tables.words[Int(t) * PageTablePool.entries + i]
                if e != 0 && fmt.pmdIsTable(e) { tables.release(fmt.tableIndex(e)) }
            }
        }
        tables.release(t)
    }
}
