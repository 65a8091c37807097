/// fork: `dup_mmap()` → `copy_page_range()` → `copy_pte_range()` with
/// `copy_present_ptes()` (batched by `folio_pte_batch`), the anon rmap gate
/// `folio_try_dup_anon_rmap_*()`, `copy_present_page()` for maybe-pinned pages,
/// `copy_nonpresent_pte()` for swap entries, and `copy_huge_pmd()`.
/// Spec: semantics §2 (Linux 6.18), encoding §7, §8.
extension World {
    /// Forks process `pid`; returns the child's pid. Throws `.noMemory`, with the
    /// world unchanged, when the pages that must be copied for the child (AE
    /// pages of maybe-pinned folios, §2.5) do not fit in the free frames.
    public mutating func fork(_ pid: Int32) throws(MMMError) -> Int32 {
        defer { afterOperation() }
        let src = try checkPid(pid)
        guard frames.freeFrames >= framesNeededForFork(src) else { throw .noMemory }
        let child = Int(createProcess()) - 1
        ksmForked(src, child)                                                   // ksm_fork (KSM.swift)
        processes[child].remapShifts = processes[src].remapShifts          // mremap: the VMAs keep vm_pgoff
        for v in processes[src].vmas {
            if v.flags.contains(.dontCopy) { continue }                        // F1
            var cv = v
            cv.flags.remove(.locked)                                            // F4
            // §2.10: without UFFD_FEATURE_EVENT_FORK the child loses the context
            // and VM_UFFD_WP; its copies then lose UW / SUW.
            if !v.flags.contains(.uffdForkEvent) { cv.flags.remove(VMFlags.uffdContext.union(.uffdWp)) }
            if v.flags.contains(.wipeOnFork) {                                  // F2
                cv.hasAnonVma = false
                processes[child].vmas.append(cv)
                continue
            }
            processes[child].vmas.append(cv)
            // F6; `vma_needs_copy` also copies a uffd-wp child VMA's tables (markers).
            if v.hasAnonVma || cv.flags.contains(.uffdWp) { copyPageRange(src, child, v, cv) }
        }
        return processes[child].pid
    }

    /// Frames fork will allocate: one per AE page of a folio that needs COW for
    /// DMA (§2.5, R-FORK-9: every AE page of a maybe-pinned folio is copied, not
    /// only the pinned ones; a pinned AE PMD THP is split and all its pages
    /// copied), in the VMAs whose page tables fork copies.
    func framesNeededForFork(_ src: Int) -> Int {
        guard processes[src].hasPinned else { return 0 }
        var n = 0
        for v in processes[src].vmas where v.hasAnonVma && v.flags.isDisjoint(with: [.dontCopy, .wipeOnFork]) {
            var a = v.start
            while a < v.end {
                let pmdEnd = min((a & ~(VA.pmdSize - 1)) + VA.pmdSize, v.end)
                guard let ps = pmdSlot(src, a) else { a = pmdEnd; continue }
                let pmd = tables.words[ps]
                if fmt.pmdIsLeaf(pmd) {
                    if let f = frames.frame(ofPfn: fmt.pfn(fmt.pteOfPmd(pmd))),
                       forkDupRefused(src, frames.head(f), frames.head(f), 1) {      // Policy: forkPinnedGate
                        n += frames.nr(frames.head(f))
                    }
                    a = pmdEnd
                    continue
                }
                if fmt.pmdIsTable(pmd) {
                    while a < pmdEnd {
                        if let f = normalFrame(pteValue(src, a)), forkDupRefused(src, frames.head(f), f, 1) { n += 1 }
                        a += VA.pageSize
                    }
                }
                a = pmdEnd
            }
        }
        return n
    }

    mutating func copyPageRange(_ src: Int, _ dst: Int, _ v: VMA, _ dv: VMA) {
        var a = v.start
        while a < v.end {
            let pmdEnd = min((a & ~(VA.pmdSize - 1)) + VA.pmdSize, v.end)
            guard let ps = pmdSlot(src, a) else { a = pmdEnd; continue }
            if fmt.pmdIsLeaf(tables.words[ps]) && !isZeroPfn(fmt.pfn(fmt.pteOfPmd(tables.words[ps]))) {
                processes[dst].counters.forkRefOps += 1                 // copy_huge_pmd: one reference,
                processes[dst].counters.forkRmapOps += 1                // one rmap dup
            }
            if fmt.pmdIsLeaf(tables.words[ps]) && !copyHugePmd(src, dst, a, ps, v, dv) {
                splitHugePmd(src, a)                          // -EBUSY: fall back to PTEs
            }
            if fmt.pmdIsTable(tables.words[ps]) {
                // Policy cowPte (RFC): share the whole table instead (Kernel/CowPte.swift).
                if !(policy.cowPte && forkSharesTable(src, dst, ps, base: a & ~(VA.pmdSize - 1))) {
                    copyPteRange(src, dst, a, pmdEnd, v, dv)
                }
            }
            a = pmdEnd
        }
    }

    /// `copy_huge_pmd()`: false when the dup gate refuses (pinned AE head).
    mutating func copyHugePmd(_ src: Int, _ dst: Int, _ a: UInt64, _ ps: Int, _ v: VMA, _ dv: VMA) -> Bool {
        let pte = fmt.pteOfPmd(tables.words[ps])
        let pfn = fmt.pfn(pte)
        let ds = ensurePmdSlot(dst, a)
        if isZeroPfn(pfn) {
            tables.words[ds] = tables.words[ps]
            hugeZeroMappings += 1
            return true
        }
        guard let f = frames.frame(ofPfn: pfn) else { return true }
        let head = frames.head(f)
        frames.ref[Int(head)] += 1
        guard tryDupAnonRmapPmd(head, src: src, dst: dst) else {
            frames.ref[Int(head)] -= 1
            return false
        }
        var parent = pte
        if v.isCow && fmt.isWrite(pte) { parent = fmt.wrprotect(pte) }
        tables.words[ps] = fmt.pmdLeaf(parent)
        var child = fmt.mkold(parent)
        if !dv.flags.contains(.uffdWp) { child = fmt.clearUffdWp(child) }
        tables.words[ds] = fmt.pmdLeaf(child)
        processes[dst].rssAnon += 512
        processes[dst].counters.forkPtesCopied += 1
        return true
    }

    /// `copy_pte_range()` over one page table's part of the VMA.
    ///
    /// Runs of PTEs mapping order-0 folios that cannot need COW for DMA go
    /// through `copyOrder0Run`, which does for each exactly what
    /// `copyPresentPtes`' single-PTE path (P3) does, on the two tables directly;
    /// every other entry (swap, zero page, large folio, maybe pinned) takes the
    /// general path below.
    mutating func copyPteRange(_ src: Int, _ dst: Int, _ start: UInt64, _ end: UInt64, _ v: VMA, _ dv: VMA) {
        // Neither process's PMD entry for this range changes in the loop: the
        // source's PTE table is found once, the child's once it exists (it is
        // allocated, as before, for the first entry the child gets).
        guard let s0 = pteSlot(src, start) else { return }
        let srcBase = s0 - VA.index(start, level: 0)
        var dstBase = -1
        let pinned = processes[src].hasPinned
        var a = start
        var prealloc = false            // a failed batch forces the next PTE through the single path
        while a < end {
            let i = VA.index(a, level: 0)
            let s = srcBase + i
            let pte = Pte(tables.words[s])
            if fmt.isNone(pte) { a += VA.pageSize; continue }
            if order0Frame(pte, pinned: pinned) != nil {
                if dstBase < 0, let ds = ensurePteSlot(dst, a) { dstBase = ds - i }
                if dstBase >= 0 {
                    let (count, copied) = copyOrder0Run(s, dstBase + i, Int((end - a) >> VA.pageShift),
                                                        cowWrite: v.isCow, clearUffd: !dv.flags.contains(.uffdWp),
                                                        pinned: pinned)
                    processes[dst].rssAnon += Int64(copied)
                    processes[dst].counters.forkPtesCopied += UInt64(copied)
                    processes[dst].counters.forkRefOps += UInt64(copied)       // one folio_ref_inc and
                    processes[dst].counters.forkRmapOps += UInt64(copied)      // one rmap dup per PTE
                    prealloc = false
                    a += UInt64(count) * VA.pageSize
                    continue
                }
            }
            if !fmt.isPresent(pte) {
                copyNonpresentPte(src, dst, a, s, dv)
                a += VA.pageSize
                continue
            }
            let maxNr = Int((end - a) >> VA.pageShift)
            let nr = copyPresentPtes(src, dst, a, s, maxNr: maxNr, v, dv, prealloc: prealloc)
            if nr == 0 { prealloc = true; continue }      // -EAGAIN: retry this PTE alone
            prealloc = false
            a += UInt64(nr) * VA.pageSize
        }
    }

    /// `copy_present_ptes()` (§2.3): returns how many PTEs were handled, or 0
    /// for -EAGAIN (a batch the dup gate refused).
    mutating func copyPresentPtes(_ src: Int, _ dst: Int, _ a: UInt64, _ s: Int, maxNr: Int,
                                  _ v: VMA, _ dv: VMA, prealloc: Bool) -> Int {
        let pte = Pte(tables.words[s])
        guard let f = normalFrame(pte) else {                               // P1: zero page
            setChildPtes(dst, a, transformForChild(pte, v, dv, parentSlot: s, nr: 1), 1)
            return 1
        }
        let head = frames.head(f)
        // Policy forkBatching: before 6.9 every PTE takes the single path P3.
        if policy.forkBatching && frames.order(head) > 0 && maxNr > 1 && !prealloc {   // P2: batch
            // Policy fpbAPI: the same batch in both spellings (encoding §6.4).
            let sdTracked = fmt.config.contains(.softDirty) && !v.flags.contains(.softDirty)
            var fpb: FpbFlags
            if policy.fpbAPI == .v6_17 {
                fpb = [.mergeWrite, .respectDirty]                             // private mapping
                if sdTracked { fpb.insert(.respectSoftDirty) }
            } else {
                fpb = sdTracked ? [] : [.ignoreSoftDirty]                     // private: dirty respected
            }
            let slotsLeft = min(maxNr, PageTablePool.entries - (s % PageTablePool.entries))
            let args = FpbArgs(api: policy.fpbAPI, flags: fpb, tableIndex: s % PageTablePool.entries,
                               folioPfn: frames.pfn(head), folioNrPages: UInt64(frames.nr(head)), maxNr: slotsLeft)
            let res = tables.words.withUnsafeBufferPointer { b in
                fmt.folioPteBatchUnchecked(UnsafeBufferPointer(rebasing: b[s..<(s + slotsLeft)]), args,
                                            first: pte, firstPfn: fmt.pfn(pte),
                                            folioEnd: frames.pfn(head) + UInt64(frames.nr(head)))
            }
            let nr = res.nr
            // 6.9-6.16 report any_writable and the caller applies pte_mkwrite; 6.17 merges it.
            let batchPte = policy.fpbAPI == .v6_10 && res.anyWritable ? fmt.mkwrite(res.pte) : res.pte
            frames.ref[Int(head)] += Int32(nr)
            processes[dst].counters.forkRefOps += 1
            processes[dst].counters.forkRmapOps += 1
            guard tryDupAnonRmapPtes(head, f, nr, src: src, dst: dst) else {
                frames.ref[Int(head)] -= Int32(nr)
                return 0
            }
            processes[dst].rssAnon += Int64(nr)
            processes[dst].counters.forkPtesBatched += UInt64(nr)
            processes[dst].counters.forkBatches += 1
            setChildPtes(dst, a, transformForChild(batchPte, v, dv, parentSlot: s, nr: nr), nr)
            return nr
        }
        frames.ref[Int(head)] += 1                                          // P3: one PTE
        processes[dst].counters.forkRefOps += 1
        processes[dst].counters.forkRmapOps += 1
        guard tryDupAnonRmapPtes(head, f, 1, src: src, dst: dst) else {
            frames.ref[Int(head)] -= 1
            copyPresentPage(src, dst, a, f, v, dv)
            return 1
        }
        processes[dst].rssAnon += 1
        setChildPtes(dst, a, transformForChild(pte, v, dv, parentSlot: s, nr: 1), 1)
        return 1
    }

    /// The frame of a PTE `copyOrder0Run` may copy: present, normal, an order-0
    /// folio, and not maybe pinned when the source has pinned (so the dup gate
    /// cannot refuse it).
    @inline(__always)
    func order0Frame(_ pte: Pte, pinned: Bool) -> Int? {
        guard fmt.isPresent(pte), !fmt.isSpecial(pte) else { return nil }
        let pfn = fmt.pfn(pte)
        guard pfn >= Frames.pfnBase, pfn - Frames.pfnBase < UInt64(frames.count) else { return nil }
        let f = Int(pfn - Frames.pfnBase)
        guard frames.meta[f] & 0xF == 0, !pinned || frames.ref[f] < 1024 else { return nil }
        return f
    }

    /// From parent slot `s` and child slot `d` on, at most `maxNr` entries of
    /// one PTE table: skips none entries and copies PTEs that `order0Frame`
    /// accepts, stopping at the first other entry. Per copied PTE, what P3 of
    /// `copyPresentPtes` does: +1 reference, AE cleared, +1 mapcount
    /// (`tryDupAnonRmapPtes` on a small folio), the parent write-protected in a
    /// COW mapping if writable, the child's PTE old and without uffd-wp unless
    /// the child VMA is uffd-wp. Returns the entries consumed and the PTEs
    /// copied; the caller adds the latter to the child's RSS.
    mutating func copyOrder0Run(_ s: Int, _ d: Int, _ maxNr: Int, cowWrite: Bool, clearUffd: Bool,
                                pinned: Bool) -> (count: Int, copied: Int) {
        let fmt = self.fmt
        let nFrames = UInt64(frames.count)
        let youngMask = ~fmt.bit(of: .young)
        let uffdMask = clearUffd ? ~fmt.bit(of: .uffdWp) : ~UInt64(0)
        // The run writes through pointers: note the entries it may write for the
        // incremental checker (the frames they name are checked with them).
        tables.words.note(s..<(s + maxNr))
        tables.words.note(d..<(d + maxNr))
        return World.order0Run(&tables.words.untracked, &frames.ref.untracked, &frames.mapcount.untracked,
                               &frames.meta.untracked) { w, ref, mc, meta in
            var k = 0, copied = 0
            while k < maxNr {
                let raw = w[s + k]
                let pte = Pte(raw)
                if fmt.isNone(pte) { k += 1; continue }
                guard fmt.isPresent(pte), !fmt.isSpecial(pte) else { break }
                let pfn = fmt.pfn(pte)
                guard pfn >= Frames.pfnBase, pfn - Frames.pfnBase < nFrames else { break }
                let f = Int(pfn - Frames.pfnBase)
                guard meta[f] & 0xF == 0, !pinned || ref[f] < 1024 else { break }
                ref[f] += 1
                meta[f] &= ~(1 << 4)
                mc[f] += 1
                var child = raw
                if cowWrite && fmt.isWrite(pte) {
                    child = fmt.wrprotect(pte).raw
                    w[s + k] = child
                }
                w[d + k] = child & youngMask & uffdMask
                k += 1
                copied += 1
            }
            return (k, copied)
        }
    }

    @inline(__always)
    static func order0Run<R>(_ w: inout [UInt64], _ ref: inout [Int32], _ mc: inout [Int32], _ meta: inout [UInt32],
                             _ body: (UnsafeMutableBufferPointer<UInt64>, UnsafeMutableBufferPointer<Int32>,
                                      UnsafeMutableBufferPointer<Int32>, UnsafeMutableBufferPointer<UInt32>) -> R) -> R {
        w.withUnsafeMutableBufferPointer { w in
            ref.withUnsafeMutableBufferPointer { ref in
                mc.withUnsafeMutableBufferPointer { mc in
                    meta.withUnsafeMutableBufferPointer { meta in body(w, ref, mc, meta) }
                }
            }
        }
    }

    /// `__copy_present_ptes()` (§2.6): write-protects the parent's PTEs in a COW
    /// mapping when the (merged) value is writable; the child's value is the
    /// parent's, old, without uffd-wp unless the child VMA is uffd-wp.
    mutating func transformForChild(_ pte: Pte, _ v: VMA, _ dv: VMA, parentSlot s: Int, nr: Int) -> Pte {
        var child = pte
        if v.isCow && fmt.isWrite(pte) {
            for i in 0..<nr { tables.words[s + i] = fmt.wrprotect(Pte(tables.words[s + i])).raw }
            child = fmt.wrprotect(child)
        }
        child = fmt.mkold(child)
        if !dv.flags.contains(.uffdWp) { child = fmt.clearUffdWp(child) }
        return child
    }

    /// `set_ptes()` in the child: `nr` PTEs from `pte`, PFN advancing.
    mutating func setChildPtes(_ dst: Int, _ a: UInt64, _ pte: Pte, _ nr: Int) {
        let pfn = fmt.pfn(pte)
        processes[dst].counters.forkPtesCopied += UInt64(nr)
        for i in 0..<nr {
            guard let ds = ensurePteSlot(dst, a + UInt64(i) * VA.pageSize) else { continue }
            tables.words[ds] = (fmt.isSpecial(pte) ? pte : fmt.withPfn(pte, pfn + UInt64(i))).raw
        }
    }

    /// `copy_present_page()` (§2.5): the child gets its own copy, writable iff
    /// VM_WRITE, dirty; the parent's PTE and page are untouched.
    mutating func copyPresentPage(_ src: Int, _ dst: Int, _ a: UInt64, _ f: Int32, _ v: VMA, _ dv: VMA) {
        guard let nf = frames.allocate(order: 0) else { preconditionFailure("fork preflight undercounted") }
        frames.token[Int(nf)] = frames.token[Int(f)]
        addNewAnonRmap(nf, dst, vpn: dv.linear(a), exclusive: true, pmd: false)
        var pte = fmt.mkdirty(mkPte(frames.pfn(nf), dv.flags))
        if dv.flags.contains(.write) { pte = fmt.mkwrite(pte) }
        if let ds = ensurePteSlot(dst, a) { tables.words[ds] = pte.raw }
        processes[dst].rssAnon += 1
        processes[dst].counters.forkPagesCopied += 1
        processes[dst].counters.forkPtesCopied += 1
    }

    /// `copy_nonpresent_pte()` (§2.7) for swap entries: one more swap count, the
    /// exclusive bit cleared in the parent, the same entry in the child. A
    /// UFFD_WP marker is copied only into a child VMA with VM_UFFD_WP
    /// (`copy_pte_marker`); otherwise the child's PTE stays none.
    mutating func copyNonpresentPte(_ src: Int, _ dst: Int, _ a: UInt64, _ s: Int, _ dv: VMA) {
        var pte = Pte(tables.words[s])
        if fmt.kind(of: pte) == .marker {
            if dv.flags.contains(.uffdWp), let ds = ensurePteSlot(dst, a) { tables.words[ds] = pte.raw }
            return
        }
        guard fmt.kind(of: pte) == .swap else { return }
        let slot = Int(fmt.archSwpOffset(pte))
        swap.count[slot] += 1
        // FAULT INJECTION (tests only, InjectedFaults): the parent keeps the bit.
        if fmt.swpTest(pte, .exclusive) && !injectedFaults.contains(.forkKeepsSwapExclusive) {
            pte = fmt.swpClear(pte, .exclusive)
            tables.words[s] = pte.raw
        }
        var child = pte
        if !dv.flags.contains(.uffdWp) { child = fmt.swpClear(child, .uffdWp) }
        if let ds = ensurePteSlot(dst, a) { tables.words[ds] = child.raw }
        processes[dst].rssSwap += 1
        processes[dst].counters.forkPtesCopied += 1
    }
}
