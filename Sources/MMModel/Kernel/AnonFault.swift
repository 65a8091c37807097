/// First touch of anonymous memory: `do_anonymous_page()` and
/// `do_huge_pmd_anonymous_page()`. Spec: semantics §3.8, R-ZERO-1, R-ZERO-5, R-ANON-1.
extension World {
    /// `do_anonymous_page()`: a read maps the shared zero page; a write allocates
    /// the largest enabled folio order whose aligned range lies in the VMA over
    /// empty PTEs (6.8+), zero-filled, all pages AE, writable and dirty.
    /// `origUffdWp`: the PTE held a UFFD_WP marker (`vmf_orig_pte_uffd_wp`), so
    /// the new PTE gets UW (and so is read-only).
    mutating func doAnonymousPage(_ p: Int, _ vi: Int, _ addr: UInt64, write: Bool,
                                  origUffdWp: Bool = false) throws(MMMError) -> FaultOutcome {
        let vma = processes[p].vmas[vi]
        if !write {
            // R-ZERO-1: no anon_vma is prepared for the zero page.
            guard let s = ensurePteSlot(p, addr) else { preconditionFailure("PMD leaf") }
            tables.words[s] = (origUffdWp ? fmt.mkuffdWp(zeroPte(vma.flags)) : zeroPte(vma.flags)).raw
            processes[p].counters.zeroPageMapped += 1
            return .done(major: false)
        }
        var order = 0
        var head: Int32? = nil
        // Policy mthpFaults: before 6.8 only order 0 below PMD size.
        // `alloc_anon_folio`: a userfaultfd-armed VMA gets order 0 (§6.2).
        for o in stride(from: WorldConfig.pmdOrder - 1, through: 1, by: -1)
        where policy.mthpFaults && !vma.flags.contains(.uffdWp) && thpOrderAllowed(vma, order: o) {
            let size = VA.pageSize << UInt64(o)
            let start = addr & ~(size - 1)
            guard start >= vma.start, start + size <= vma.end, ptesNone(p, start, 1 << o) else { continue }
            if let h = frames.allocate(order: o) { head = h; order = o; break }
        }
        if head == nil { head = frames.allocate(order: 0) }
        guard let h = head else { throw .noMemory }
        let nr = 1 << order
        let start = addr & ~((VA.pageSize << UInt64(order)) - 1)
        processes[p].vmas[vi].hasAnonVma = true
        frames.ref[Int(h)] = Int32(nr)
        addNewAnonRmap(h, p, vpn: vma.linear(start), exclusive: true, pmd: false)
        for i in 0..<nr {
            var pte = mkPte(frames.pfn(Int32(Int(h) + i)), vma.flags)
            if vma.flags.contains(.write) { pte = fmt.mkwrite(fmt.mkdirty(pte)) }
            if origUffdWp { pte = fmt.mkuffdWp(pte) }
            guard let s = ensurePteSlot(p, start + UInt64(i) * VA.pageSize) else { preconditionFailure("PMD leaf") }
            tables.words[s] = pte.raw
        }
        processes[p].rssAnon += Int64(nr)
        processes[p].counters.anonFirstTouch += 1
        return .done(major: false)
    }

    /// Whether `nr` PTEs from `start` are all none (`pte_range_none`).
    func ptesNone(_ p: Int, _ start: UInt64, _ nr: Int) -> Bool {
        for i in 0..<nr where !fmt.isNone(pteValue(p, start + UInt64(i) * VA.pageSize)) { return false }
        return true
    }

    /// `do_huge_pmd_anonymous_page()`: a read maps the huge zero page where
    /// enabled; a write allocates a PMD folio mapped writable by one PMD. Nil
    /// means fall back to the PTE path (allocation failed).
    mutating func doHugePmdAnonymousPage(_ p: Int, _ vi: Int, _ addr: UInt64, write: Bool) throws(MMMError) -> FaultOutcome? {
        let vma = processes[p].vmas[vi]
        let start = addr & ~(VA.pmdSize - 1)
        let ps = ensurePmdSlot(p, addr)
        processes[p].vmas[vi].hasAnonVma = true          // vmf_anon_prepare() comes first here
        if !write && config.useHugeZeroPage {
            tables.words[ps] = fmt.pmdLeaf(fmt.mkspecial(mkPte(Frames.hugeZeroPfn, vma.flags)))
            hugeZeroMappings += 1
            processes[p].counters.zeroPageMapped += 1
            return .done(major: false)
        }
        guard let h = frames.allocate(order: WorldConfig.pmdOrder) else { return nil }
        addNewAnonRmap(h, p, vpn: vma.linear(start), exclusive: true, pmd: true)
        var pte = mkPte(frames.pfn(h), vma.flags)
        if vma.flags.contains(.write) { pte = fmt.mkwrite(fmt.mkdirty(pte)) }
        tables.words[ps] = fmt.pmdLeaf(pte)
        processes[p].rssAnon += 512
        processes[p].counters.anonFirstTouch += 1
        return .done(major: false)
    }
}
