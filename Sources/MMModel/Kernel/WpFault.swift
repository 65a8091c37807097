/// Write-protect and unshare faults: `do_wp_page()`, `wp_can_reuse_anon_folio()`,
/// `wp_page_reuse()`, `wp_page_copy()`, and the PMD variant
/// `do_huge_pmd_wp_page()`. Spec: semantics §3.2-§3.7, §3.9 (Linux 6.18).
extension World {
    /// `do_wp_page()`: reuse when the page is AE or provably exclusive (W5),
    /// else copy (W6). An unshare fault never makes the PTE writable (R-UNS-3).
    mutating func doWpPage(_ p: Int, _ vi: Int, _ addr: UInt64, _ s: Int, unshare: Bool) throws(MMMError) -> FaultOutcome {
        // W1: a write to a uffd-wp PTE goes to the monitor (Userfaultfd.swift).
        if !unshare && uffdWpTrap(p, vi, addr, s) { return .retry(major: false) }
        let pte = Pte(tables.words[s])
        if let f = normalFrame(pte) {
            let head = frames.head(f)
            let fl = frames.flags(head)
            // Policy anonExclusive: before 5.19 there is no AE short cut.
            if fl.contains(.anon) && !fl.contains(.ksm)
                && ((policy.anonExclusive && frames.ae(f)) || canReuseAnonFolio(head, p, vi)) {
                frames.setAE(f, true)
                if unshare {                             // §3.7: exclusive now, PTE unchanged
                    processes[p].counters.unshare += 1
                    return .done(major: false)
                }
                wpPageReuse(p, vi, s)
                return .done(major: false)
            }
        }
        try wpPageCopy(p, vi, addr, s, unshare: unshare)
        return .done(major: false)
    }

    /// `wp_can_reuse_anon_folio()`: §3.3 for small folios, §3.4 (6.15+,
    /// CONFIG_MM_ID) for large ones.
    mutating func canReuseAnonFolio(_ head: Int32, _ p: Int, _ vi: Int) -> Bool {
        if frames.order(head) > 0 {
            guard policy.largeFolioReuse else { return false }   // Policy: ≤ 6.14 always copy (§3.4)
            guard let l = frames.large[head], l.lmap > 1, !l.shared else { return false }
            if frames.flags(head).contains(.swapCache) { folioFreeSwap(head) }
            guard let l2 = frames.large[head] else { return false }
            return !l2.shared && l2.lmap == frames.ref[Int(head)]
        }
        if policy.wpReuse != .refcount { return canReuseAnonFolioOldRule(head) }   // Policy: ≤ 5.17 rules
        let sc: Int32 = frames.flags(head).contains(.swapCache) ? 1 : 0
        if frames.flags(head).contains(.ksm) || frames.ref[Int(head)] > 3 { return false }
        // FAULT INJECTION (tests only, InjectedFaults): reuse without looking at the refcount.
        if injectedFaults.contains(.wpReuseIgnoresRefcount) { return true }
        if frames.ref[Int(head)] > 1 + sc { return false }
        if sc == 1 { folioFreeSwap(head) }               // may fail: other swap PTEs remain
        if frames.flags(head).contains(.ksm) || frames.ref[Int(head)] != 1 { return false }
        return true                                       // folio_move_anon_rmap(): rmap narrowed
    }

    /// `wp_page_reuse()` (§3.5): young, dirty, writable iff VM_WRITE.
    mutating func wpPageReuse(_ p: Int, _ vi: Int, _ s: Int) {
        var pte = fmt.mkdirty(fmt.mkyoung(Pte(tables.words[s])))
        if processes[p].vmas[vi].flags.contains(.write) { pte = fmt.mkwrite(pte) }
        tables.words[s] = pte.raw
        processes[p].counters.wpReuse += 1
    }

    /// `wp_page_copy()` (§3.6): a new order-0 folio, zeroed for the zero page or
    /// copied; write: dirty and writable iff VM_WRITE; unshare: read-only with the
    /// old soft-dirty and uffd-wp bits. The old mapping goes after the new one is set.
    mutating func wpPageCopy(_ p: Int, _ vi: Int, _ addr: UInt64, _ s: Int, unshare: Bool) throws(MMMError) {
        let old = Pte(tables.words[s])
        let oldFrame = normalFrame(old)
        guard let nf = frames.allocate(order: 0) else { throw .noMemory }
        ksmBeforeCopy(p, old, oldFrame)                    // COW_KSM; KSM's zero pages (KSM.swift)
        if let of = oldFrame { frames.token[Int(nf)] = frames.token[Int(of)] }
        let flags = processes[p].vmas[vi].flags
        var pte = fmt.mkyoung(mkPte(frames.pfn(nf), flags))
        if unshare {
            if fmt.isSoftDirty(old) { pte = fmt.mksoftDirty(pte) }
            if fmt.isUffdWp(old) { pte = fmt.mkuffdWp(pte) }
            processes[p].counters.unshare += 1
        } else {
            pte = fmt.mkdirty(pte)
            if flags.contains(.write) { pte = fmt.mkwrite(pte) }
            processes[p].counters.wpCopy += 1
        }
        processes[p].vmas[vi].hasAnonVma = true
        addNewAnonRmap(nf, p, vpn: processes[p].vmas[vi].linear(addr), exclusive: true, pmd: false)
        tables.words[s] = pte.raw
        if let of = oldFrame {
            let head = frames.head(of)
            removeRmapPtes(head, of, 1, p)
            putFolio(head)
            if frames.isAllocated(head) { freeSwapCache(head) }
        } else {
            processes[p].rssAnon += 1                      // was the zero page
        }
    }

    /// `do_huge_pmd_wp_page()` (§3.9): the huge zero PMD gets a fresh THP; an AE
    /// or solely referenced THP is reused by PMD; otherwise the PMD is split and
    /// nil returned so the PTE path copies one page.
    mutating func doHugePmdWpPage(_ p: Int, _ vi: Int, _ addr: UInt64, unshare: Bool) throws(MMMError) -> FaultOutcome? {
        let ps = ensurePmdSlot(p, addr)
        let pte = fmt.pteOfPmd(tables.words[ps])
        let flags = processes[p].vmas[vi].flags
        let pfn = fmt.pfn(pte)
        if isZeroPfn(pfn) {
            // Policy hugeZeroWriteAllocates: before ~6.13 the PMD is split and one page copied.
            if !unshare, policy.hugeZeroWriteAllocates, let h = frames.allocate(order: WorldConfig.pmdOrder) {
                hugeZeroMappings -= 1
                addNewAnonRmap(h, p, vpn: processes[p].vmas[vi].linear(addr & ~(VA.pmdSize - 1)), exclusive: true, pmd: true)
                var np = fmt.mkdirty(mkPte(frames.pfn(h), flags))
                if flags.contains(.write) { np = fmt.mkwrite(np) }
                tables.words[ps] = fmt.pmdLeaf(np)
                processes[p].rssAnon += 512
                processes[p].counters.wpCopy += 1
                return .done(major: false)
            }
            splitHugePmd(p, addr)
            return nil
        }
        guard let f = frames.frame(ofPfn: pfn) else { splitHugePmd(p, addr); return nil }
        let head = frames.head(f)
        var reuse = frames.ae(head)
        if !reuse {
            if frames.flags(head).contains(.swapCache) { folioFreeSwap(head) }
            if frames.ref[Int(head)] == 1 { frames.setAE(head, true); reuse = true }
        }
        if reuse {
            if unshare { processes[p].counters.unshare += 1; return .done(major: false) }
            var np = fmt.mkdirty(fmt.mkyoung(pte))
            if flags.contains(.write) { np = fmt.mkwrite(np) }
            tables.words[ps] = fmt.pmdLeaf(np)
            processes[p].counters.wpReuse += 1
            return .done(major: false)
        }
        splitHugePmd(p, addr)
        return nil
    }

    /// `__split_huge_pmd_locked()` (R-MAP-6): the PMD becomes a table of 512 PTEs
    /// with the PMD's bits; the folio stays whole: its entire mapping turns into
    /// 512 page mappings, each page inheriting the head's AE. The huge zero PMD
    /// becomes 512 zero-page PTEs.
    mutating func splitHugePmd(_ p: Int, _ addr: UInt64) {
        let ps = ensurePmdSlot(p, addr)
        let pmd = tables.words[ps]
        guard fmt.pmdIsLeaf(pmd) else { return }
        let pte = fmt.pteOfPmd(pmd)
        let t = tables.allocate(p, level: 0, base: addr & ~(VA.pmdSize - 1))
        processes[p].counters.pageTablesAllocated += 1
        let base = Int(t) * PageTablePool.entries
        let pfn = fmt.pfn(pte)
        if isZeroPfn(pfn) {
            hugeZeroMappings -= 1
            let z = fmt.withPfn(pte, Frames.zeroPfn)
            for i in 0..<512 { tables.words[base + i] = z.raw }
        } else {
            for i in 0..<512 { tables.words[base + i] = fmt.withPfn(pte, pfn + UInt64(i)).raw }
            if let f = frames.frame(ofPfn: pfn) {
                let head = frames.head(f)
                let ae = frames.ae(head)
                for i in 0..<512 {
                    frames.mapcount[Int(head) + i] += 1
                    frames.setAE(Int32(Int(head) + i), ae)
                }
                frames.large[head, default: LargeFolioState()].emap -= 1
                frames.large[head]!.lmap += 511
                mmSlotsAdjust(head, mm: processes[p].mmId, by: 511)
                frames.ref[Int(head)] += 511
            }
        }
        tables.words[ps] = fmt.tableEntry(t)
    }
}
