/// MADV_COLLAPSE of private anonymous memory (mm/khugepaged.c:
/// `madvise_collapse` → `hpage_collapse_scan_pmd` → `collapse_huge_page` with
/// `__collapse_huge_page_swapin`, `__collapse_huge_page_isolate` and
/// `__collapse_huge_page_copy`), as Linux 6.18 does it for the caller.
///
/// Per 2 MiB-aligned range inside the advised range and VMA: a PMD leaf is
/// already done (SCAN_PMD_MAPPED, also the huge zero page); no PMD table is
/// EINVAL; otherwise the 512 PTEs are scanned and, unless one is refused, a
/// fresh PMD-order folio replaces them: swap entries are swapped in first
/// (`do_swap_page`, not accounted in getrusage: no `mm_account_fault`), then
/// every page is copied (none and zero-page PTEs give zero-filled pages), the
/// old mappings are dropped (a page still mapped by another process stays
/// there, a swap-cache page still named by a swap PTE stays cached), the PTE
/// table goes (deposited in the kernel) and one writable, dirty,
/// AnonExclusive PMD maps the new folio.
///
/// Unlike khugepaged (`cc->is_khugepaged`), MADV_COLLAPSE applies none of
/// max_ptes_none / max_ptes_swap / max_ptes_shared, needs no young page, and
/// ignores the sysfs `enabled` settings (only VM_NOHUGEPAGE refuses). Live
/// 6.18 (zram, this machine): a range of zero pages, of swap entries only, or
/// read-only after fork collapses too (no writable PTE needed), with 0 minor
/// and 0 major faults.
///
/// Older kernels (KernelPolicy.madvCollapse): before 6.1 the advice is
/// unknown (EINVAL); through 6.12 a 2 MiB without a writable present PTE is
/// refused (SCAN_PAGE_RO, EINVAL after the walk goes on).
///
/// Errors (`madvise_collapse_errno`): EINVAL for VM_NOHUGEPAGE, a range with
/// no whole aligned 2 MiB while it is not empty, a 2 MiB without a PMD table
/// or with uffd-wp entries; EAGAIN when a folio has references besides its
/// mappings and the swap cache (a pin: `is_refcount_suitable`); EBUSY for
/// none or zero-page PTEs in a userfaultfd-armed VMA; ENOMEM when no PMD-order
/// folio is free. A refused 2 MiB leaves its PTEs as they were (swap-ins done
/// before the refusal stay done).
public enum CollapseResult: Sendable {
    case succeeded, pmdMapped, pmdNull, pmdNone, pteUffdWp, pageRO, pageCount, exceedNone, allocFailed, failed

    /// Whether `madvise_collapse` goes on to the next 2 MiB after this result.
    var continues: Bool {
        switch self {
        case .succeeded, .pmdMapped, .pmdNull, .pteUffdWp, .pageRO, .pageCount: return true
        case .pmdNone, .exceedNone, .allocFailed, .failed: return false
        }
    }

    /// `madvise_collapse_errno()`.
    var error: MMMError {
        switch self {
        case .allocFailed: return .noMemory
        case .exceedNone: return .busy
        case .pageCount: return .tryAgain
        default: return .invalidArgument
        }
    }
}

extension World {
    /// MADV_COLLAPSE (25) over [addr, addr + len) of `pid`. Throws `.fault`
    /// when part of the range is unmapped (the kernel's ENOMEM for madvise),
    /// and the errors above.
    public mutating func collapse(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        guard policy.madvCollapse != .none else { throw .invalidArgument }   // Policy: before 6.1, unknown advice
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        var a = start
        while a < end {                                          // madvise_walk_vmas()
            let vi = processes[p].vmaIndex(a)!
            let v = processes[p].vmas[vi]
            let e = min(end, v.end)
            try collapseVma(p, a, e)
            a = e
        }
    }

    /// `madvise_collapse()` for [start, end) inside one VMA.
    mutating func collapseVma(_ p: Int, _ start: UInt64, _ end: UInt64) throws(MMMError) {
        guard !processes[p].vmas[processes[p].vmaIndex(start)!].flags.contains(.noHugepage) else { throw .invalidArgument }
        let hstart = (start + VA.pmdSize - 1) & ~(VA.pmdSize - 1)
        let hend = end & ~(VA.pmdSize - 1)
        guard hstart <= hend else { throw .invalidArgument }     // (hend - hstart) >> 21 wraps: never all done
        var thps = 0
        var lastFail = CollapseResult.failed
        var h = hstart
        while h < hend {
            let r = collapseScanPmd(p, h)
            if r == .succeeded || r == .pmdMapped { thps += 1 } else { lastFail = r }
            if !r.continues { break }
            h += VA.pmdSize
        }
        if thps != Int((hend - hstart) / VA.pmdSize) { throw lastFail.error }
    }

    /// `hpage_collapse_scan_pmd()` then `collapse_huge_page()` for the 2 MiB at `haddr`.
    mutating func collapseScanPmd(_ p: Int, _ haddr: UInt64) -> CollapseResult {
        guard let ps = pmdSlot(p, haddr) else { return .pmdNull }     // find_pmd_or_thp_or_none()
        let pmd = tables.words[ps]
        if pmd == 0 { return .pmdNone }
        if fmt.pmdIsLeaf(pmd) { return .pmdMapped }
        guard fmt.pmdIsTable(pmd) else { return .pmdNull }
        let vi = processes[p].vmaIndex(haddr)!
        let armed = processes[p].vmas[vi].flags.contains(.uffdWp)        // userfaultfd_armed()
        var swapped = false
        let r = collapseCheckPtes(p, haddr, armed: armed, swapped: &swapped)
        guard r == .succeeded else { return r }
        breakCowPte(p, ps, .collapse)                            // a COW PTE table (cowPte): this process's own first
        // collapse_huge_page(): the folio first, then the swap-ins, then the recheck.
        guard let h = frames.allocate(order: WorldConfig.pmdOrder) else { return .allocFailed }
        if swapped {
            for i in 0..<512 {                                   // __collapse_huge_page_swapin()
                let a = haddr + UInt64(i) * VA.pageSize
                guard let s = pteSlot(p, a), fmt.kind(of: Pte(tables.words[s])) == .swap else { continue }
                do throws(MMMError) {
                    _ = try doSwapPage(p, vi, a, s, write: false)        // no mm_account_fault
                } catch {
                    putFolio(h)
                    return .failed
                }
            }
        }
        let again = collapseCheckPtes(p, haddr, armed: armed, swapped: &swapped)   // __collapse_huge_page_isolate()
        guard again == .succeeded, !swapped else { putFolio(h); return swapped ? .failed : again }
        // __collapse_huge_page_copy(): contents, then the old mappings go.
        let vma = processes[p].vmas[vi]
        guard let tps = pmdSlot(p, haddr) else { putFolio(h); return .failed }
        let t = fmt.tableIndex(tables.words[tps])
        for i in 0..<512 {
            let s = Int(t) * PageTablePool.entries + i
            let pte = Pte(tables.words[s])
            frames.token[Int(h) + i] = normalFrame(pte).map { frames.token[Int($0)] } ?? 0
            if fmt.isPresent(pte) { zapPte(p, s) }                // rmap, reference, swap cache; RSS -1
        }
        tables.words[tps] = 0
        tables.release(t)                                        // pgtable_trans_huge_deposit()
        processes[p].vmas[vi].hasAnonVma = true
        addNewAnonRmap(h, p, vpn: vma.linear(haddr), exclusive: true, pmd: true)
        var np = fmt.mkdirty(mkPte(frames.pfn(h), vma.flags))
        if vma.flags.contains(.write) { np = fmt.mkwrite(np) }
        tables.words[tps] = fmt.pmdLeaf(np)
        processes[p].rssAnon += 512
        return .succeeded
    }

    /// The per-PTE checks of the scan and of the isolation: uffd-wp refuses,
    /// none or zero in a userfaultfd-armed VMA refuses, a folio with
    /// references beyond its mappings and the swap cache refuses (EAGAIN);
    /// `swapped` tells whether swap entries are there.
    func collapseCheckPtes(_ p: Int, _ haddr: UInt64, armed: Bool, swapped: inout Bool) -> CollapseResult {
        swapped = false
        var writable = false
        for i in 0..<512 {
            let a = haddr + UInt64(i) * VA.pageSize
            let pte = pteValue(p, a)
            switch fmt.kind(of: pte) {
            case .none:
                if armed { return .exceedNone }
            case .swap:
                if fmt.swpTest(pte, .uffdWp) { return .pteUffdWp }
                swapped = true
            case .present:
                if fmt.isUffdWp(pte) { return .pteUffdWp }
                if fmt.isWrite(pte) { writable = true }
                guard let f = normalFrame(pte) else {            // the zero page
                    if armed { return .exceedNone }
                    continue
                }
                let head = frames.head(f)
                let cached = frames.flags(head).contains(.swapCache) ? Int32(frames.nr(head)) : 0
                if frames.ref[Int(head)] != folioMapcount(head) + cached { return .pageCount }   // is_refcount_suitable()
            case .marker:
                return .pteUffdWp                                 // pte_swp_uffd_wp_any()
            default:
                return .failed
            }
        }
        // Policy madvCollapse: through 6.12 one writable PTE is needed (SCAN_PAGE_RO).
        if policy.madvCollapse == .needsWritable && !writable { return .pageRO }
        return .succeeded
    }
}
