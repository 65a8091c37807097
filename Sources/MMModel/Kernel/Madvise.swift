/// madvise for private anonymous memory (mm/madvise.c). Spec: semantics §2.1,
/// §4.1 item 4, §3.8.
public enum MadviseAdvice: UInt32, Sendable, CaseIterable {
    case dontneed = 4, free = 8, mergeable = 12, unmergeable = 13, pageout = 21, cold = 20, hugepage = 14, nohugepage = 15
    case dontfork = 10, dofork = 11, wipeonfork = 18, keeponfork = 19
    case populateRead = 22, populateWrite = 23
    /// MADV_COLLAPSE (Kernel/Collapse.swift).
    case collapse = 25
}

extension World {
    /// Applies `advice` to [addr, addr + len) of `pid`. Throws `.fault` when
    /// part of the range is unmapped (ENOMEM in the kernel; reported as a
    /// SIGSEGV-like result here, nothing changed).
    public mutating func madvise(_ pid: Int32, _ addr: UInt64, _ len: UInt64, _ advice: MadviseAdvice) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        switch advice {
        case .dontneed: zapRange(p, start, end)
        case .free: lazyfreeRange(p, start, end)
        case .mergeable: _ = try ksmMerge(pid, start, end - start)       // merged at once, as ksmd would (KSM.swift)
        case .unmergeable: _ = try ksmUnmerge(pid, start, end - start)
        case .pageout: _ = try pageout(pid, start, end - start)
        case .cold: markOld(p, start, end)
        case .populateRead: try populate(pid, start, end - start, write: false)
        case .populateWrite: try populate(pid, start, end - start, write: true)
        case .hugepage: setVmaFlags(p, start, end, set: .hugepage, clear: .noHugepage)
        case .nohugepage: setVmaFlags(p, start, end, set: .noHugepage, clear: .hugepage)
        case .dontfork: setVmaFlags(p, start, end, set: .dontCopy, clear: [])
        case .dofork: setVmaFlags(p, start, end, set: [], clear: .dontCopy)
        case .wipeonfork: setVmaFlags(p, start, end, set: .wipeOnFork, clear: [])
        case .keeponfork: setVmaFlags(p, start, end, set: [], clear: .wipeOnFork)
        case .collapse: try collapse(pid, start, end - start)
        }
    }

    mutating func setVmaFlags(_ p: Int, _ start: UInt64, _ end: UInt64, set: VMFlags, clear: VMFlags) {
        splitVmas(p, start, end)
        for i in vmasIn(p, start, end) {
            processes[p].vmas[i].flags.subtract(clear)
            processes[p].vmas[i].flags.formUnion(set)
        }
    }

    /// MADV_COLD's visible effect on PTEs: the accessed bits are cleared. The
    /// walk is MADV_PAGEOUT's (`madvise_cold_or_pageout_pte_range`), so a large
    /// folio only partly in the range is split first, as there: a PMD THP by
    /// `split_folio` when the range does not cover the PMD, a PTE-mapped one
    /// when fewer of its pages than it has are mapped in the range; not when it
    /// may be mapped shared or cannot be split (pinned). Seen live on 6.18.
    mutating func markOld(_ p: Int, _ start: UInt64, _ end: UInt64) {
        var a = start
        while a < end {
            let pmd = pmdValue(p, a)
            if fmt.pmdIsLeaf(pmd) {
                let pmdEnd = (a & ~(VA.pmdSize - 1)) + VA.pmdSize
                let whole = a & (VA.pmdSize - 1) == 0 && end - a >= VA.pmdSize
                let pfn = fmt.pfn(fmt.pteOfPmd(pmd))
                guard !whole, !isZeroPfn(pfn), let f = frames.frame(ofPfn: pfn),
                      !maybeMappedShared(frames.head(f)), canSplitFolio(frames.head(f)) else { a = pmdEnd; continue }
                let head = frames.head(f)
                splitHugePmd(p, a)
                splitFolio(head)
            }
            if let s = pteSlot(p, a), let f = normalFrame(Pte(tables.words[s])), frames.nr(frames.head(f)) > 1 {
                let head = frames.head(f)
                let first = a - UInt64(f - head) * VA.pageSize
                let covered = first >= start && first + UInt64(frames.nr(head)) * VA.pageSize <= end
                    && folioFullyMappedHere(p, head, first)
                if !covered && !maybeMappedShared(head) && canSplitFolio(head) { splitFolio(head) }
            }
            if var s = pteSlot(p, a), fmt.isPresent(Pte(tables.words[s])) {
                s = writableSlot(p, a, s, .madvise)
                tables.words[s] = fmt.mkold(Pte(tables.words[s])).raw
            }
            a += VA.pageSize
        }
    }

    /// MADV_FREE (`madvise_free_pte_range` / `madvise_free_huge_pmd`, spec
    /// §4.1 item 5): present anon pages stay mapped with clean, old PTEs (not
    /// write-protected) and their folios lose swapBacked (lazyfree); a folio in
    /// the swap cache or dirty is first required to be mapped exactly once
    /// (mapcount == nr) and leaves the swap cache, else it is left as it is.
    /// Swap PTEs are dropped and their slots freed. A large folio only partly
    /// in the range (or partly mapped here) is split first unless it may be
    /// mapped shared (then skipped); a PMD partly in the range is split.
    /// KSM folios are left alone (a simplification: the kernel may mark them
    /// lazyfree too). Reclaim then discards or restores them (§4.2 U6).
    mutating func lazyfreeRange(_ p: Int, _ start: UInt64, _ end: UInt64) {
        var a = start
        while a < end {
            let pmd = pmdValue(p, a)
            if fmt.pmdIsLeaf(pmd) {
                let whole = a & (VA.pmdSize - 1) == 0 && end - a >= VA.pmdSize
                if !whole { splitHugePmd(p, a) } else {
                    let pte = fmt.pteOfPmd(pmd)
                    if let f = frames.frame(ofPfn: fmt.pfn(pte)), !isZeroPfn(fmt.pfn(pte)),
                       let ps = pmdSlot(p, a), lazyfreePrepare(frames.head(f)) {
                        tables.words[ps] = fmt.pmdLeaf(fmt.mkold(fmt.mkclean(pte)))
                        markLazyfree(frames.head(f))
                    }
                    a += VA.pmdSize
                    continue
                }
            }
            guard var s = pteSlot(p, a) else { a += VA.pageSize; continue }
            let pte = Pte(tables.words[s])
            if fmt.isNone(pte) { a += VA.pageSize; continue }
            s = writableSlot(p, a, s, .madvise)
            if !fmt.isPresent(pte) {
                if fmt.kind(of: pte) == .swap { zapPte(p, s) }
                a += VA.pageSize
                continue
            }
            guard let f = normalFrame(pte) else { a += VA.pageSize; continue }
            var head = frames.head(f)
            var n = frames.nr(head)
            var first = a
            if n > 1 {
                first = a - UInt64(f - head) * VA.pageSize
                let covered = first >= start && first + UInt64(n) * VA.pageSize <= end
                    && folioFullyMappedHere(p, head, first)
                if !covered {
                    if maybeMappedShared(head) || !canSplitFolio(head) { a += VA.pageSize; continue }
                    splitFolio(head)
                    head = f; n = 1; first = a
                }
            }
            if lazyfreePrepare(head) {
                for i in 0..<n {
                    if var ps = pteSlot(p, first + UInt64(i) * VA.pageSize) {
                        ps = writableSlot(p, first + UInt64(i) * VA.pageSize, ps, .madvise)
                        tables.words[ps] = fmt.mkold(fmt.mkclean(Pte(tables.words[ps]))).raw
                    }
                }
                markLazyfree(head)
            }
            a = first + UInt64(n) * VA.pageSize
        }
    }

    /// The checks `madvise_free_pte_range` makes before cleaning a folio's
    /// PTEs: KSM and non-anon folios are skipped; a swap-cache or dirty folio
    /// must be mapped exactly once per page (mapcount == nr) and leave the swap
    /// cache (`folio_free_swap`, which fails while swap PTEs name a slot), then
    /// loses its dirty flag.
    mutating func lazyfreePrepare(_ head: Int32) -> Bool {
        let fl = frames.flags(head)
        guard fl.contains(.anon), !fl.contains(.ksm) else { return false }
        if fl.contains(.swapCache) || fl.contains(.dirty) {
            guard folioMapcount(head) == Int32(frames.nr(head)) else { return false }
            if fl.contains(.swapCache) && !folioFreeSwap(head) { return false }
            frames.removeFlags(head, .dirty)
        }
        return true
    }

    /// `folio_mark_lazyfree()`: an anonymous swap-backed folio outside the swap
    /// cache loses swapBacked.
    mutating func markLazyfree(_ head: Int32) {
        let fl = frames.flags(head)
        if fl.contains(.anon) && fl.contains(.swapBacked) && !fl.contains(.swapCache) {
            frames.removeFlags(head, .swapBacked)
        }
    }
}
