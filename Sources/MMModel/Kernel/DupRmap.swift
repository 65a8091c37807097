/// The anon rmap duplication primitives on their own (issue 3, item 5):
/// `folio_try_dup_anon_rmap_ptes()` / `_pmd()` applied to pages one process
/// maps, with the rest of what fork's `copy_present_ptes()` / `copy_huge_pmd()`
/// does around them (references, parent write-protect, child entries), so a
/// test can check the -EBUSY rule without a whole fork. Spec: semantics §2.3,
/// §2.4 (R-FORK-7), §2.6, §2.8.
extension World {
    /// Duplicates the mappings of `nr` pages of one folio, mapped by `src` at
    /// consecutive addresses from `addr`, into `dst` at the same addresses, as
    /// one batch of `copy_present_ptes()`: `nr` references, the dup gate
    /// (`tryDupAnonRmapPtes`), then the parent's PTEs write-protected in a COW
    /// VMA and the child's PTEs installed (`transformForChild`, `setChildPtes`).
    /// The child's PTEs are built from the first PTE with the batch's write bit
    /// merged, as fork's batch does.
    ///
    /// Throws `.noSuchProcess` for an unknown or exited pid; `.invalidArgument`
    /// unless `addr` is page aligned, `1 ≤ nr ≤ 512`, the range lies in one page
    /// table and one VMA of each process, every page is mapped by a present PTE
    /// (not PMD-mapped) of one anonymous folio at consecutive PFNs, and every
    /// entry of `dst` there is none; `.busy`, with nothing changed, when the gate
    /// refuses (the folio may be pinned for `src` and a page is AE).
    public mutating func dupAnonRmapPtes(src: Int32, addr: UInt64, nr: Int, dst: Int32) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(src)
        let d = try checkPid(dst)
        guard p != d, nr >= 1, nr <= PageTablePool.entries, addr & (VA.pageSize - 1) == 0, addr < VA.userTop,
              UInt64(nr) * VA.pageSize <= VA.userTop - addr else { throw .invalidArgument }
        let end = addr + UInt64(nr) * VA.pageSize
        guard (addr & ~(VA.pmdSize - 1)) == ((end - 1) & ~(VA.pmdSize - 1)),
              let vi = processes[p].vmaIndex(addr), processes[p].vmas[vi].end >= end,
              let dvi = processes[d].vmaIndex(addr), processes[d].vmas[dvi].end >= end,
              !fmt.pmdIsLeaf(pmdValue(d, addr)), ptesNone(d, addr, nr),
              let s = pteSlot(p, addr) else { throw .invalidArgument }
        let first = Pte(tables.words[s])
        guard let f0 = normalFrame(first) else { throw .invalidArgument }
        let head = frames.head(f0)
        guard frames.flags(head).contains(.anon), Int(f0 - head) + nr <= frames.nr(head) else { throw .invalidArgument }
        var merged = first
        for i in 0..<nr {
            let pte = Pte(tables.words[s + i])
            guard normalFrame(pte) == f0 + Int32(i) else { throw .invalidArgument }
            if fmt.isWrite(pte) { merged = fmt.mkwrite(merged) }
        }

        frames.ref[Int(head)] += Int32(nr)
        guard tryDupAnonRmapPtes(head, f0, nr, src: p, dst: d) else {
            frames.ref[Int(head)] -= Int32(nr)
            throw .busy
        }
        processes[d].vmas[dvi].hasAnonVma = true
        processes[d].rssAnon += Int64(nr)
        let v = processes[p].vmas[vi]
        let dv = processes[d].vmas[dvi]
        setChildPtes(d, addr, transformForChild(merged, v, dv, parentSlot: s, nr: nr), nr)
    }

    /// Duplicates `src`'s PMD mapping of a folio at the 2 MiB-aligned `addr` into
    /// `dst`, as `copy_huge_pmd()` does for an anonymous THP (the same code:
    /// one reference, `tryDupAnonRmapPmd`, the parent's PMD write-protected in a
    /// COW VMA, the child's PMD old and read-only).
    ///
    /// Throws `.noSuchProcess` for an unknown or exited pid; `.invalidArgument`
    /// unless `addr` is PMD aligned, `src` maps a folio (not the huge zero page)
    /// there by a PMD, one VMA of each process covers the 2 MiB and `dst`'s PMD
    /// entry is none; `.busy` when the gate refuses (the folio may be pinned for
    /// `src` and its head is AE): then no folio, page or mapping state changed,
    /// though `dst`'s upper page tables may have been allocated, as fork's
    /// `copy_pmd_range()` allocates them before `copy_huge_pmd()`.
    public mutating func dupAnonRmapPmd(src: Int32, addr: UInt64, dst: Int32) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(src)
        let d = try checkPid(dst)
        guard p != d, addr & (VA.pmdSize - 1) == 0, addr < VA.userTop,
              let vi = processes[p].vmaIndex(addr), processes[p].vmas[vi].end >= addr + VA.pmdSize,
              let dvi = processes[d].vmaIndex(addr), processes[d].vmas[dvi].end >= addr + VA.pmdSize,
              pmdValue(d, addr) == 0, let ps = pmdSlot(p, addr), fmt.pmdIsLeaf(tables.words[ps]) else {
            throw .invalidArgument
        }
        let pfn = fmt.pfn(fmt.pteOfPmd(tables.words[ps]))
        guard !isZeroPfn(pfn), let f = frames.frame(ofPfn: pfn), frames.flags(frames.head(f)).contains(.anon) else {
            throw .invalidArgument
        }
        guard copyHugePmd(p, d, addr, ps, processes[p].vmas[vi], processes[d].vmas[dvi]) else { throw .busy }
        processes[d].vmas[dvi].hasAnonVma = true
    }
}
