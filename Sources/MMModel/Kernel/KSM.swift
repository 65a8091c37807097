/// KSM as explicit operations (mm/ksm.c): what ksmd does after its scans found
/// identical pages (`try_to_merge_one_page`: `write_protect_page` +
/// `replace_page`), and MADV_UNMERGEABLE (`break_ksm`). Spec: semantics §1.8
/// (R-KSM-1..5), §3.7, §7.3.
///
/// Model limit: a folio's mappings must sit at its linear address (the rmap
/// walk and the checker's rmap rule assume it; a KSM folio's stable-tree rmap
/// items are not modelled), so pages merge with identical pages at the **same
/// address in other processes** (e.g. a fork family, or processes with the
/// same layout), as if every such range had been made MADV_MERGEABLE. Identical
/// pages at different addresses of one process are not merged.
extension World {
    /// Merges every page of [addr, addr + len) of `pid` with the pages of
    /// identical content at the same address in every live process, and with a
    /// KSM folio already there: the group's first folio (or the existing KSM
    /// folio) becomes the KSM folio, every mapping of the group maps it
    /// read-only and clean (R-KSM-1: never AE), and the replaced folios lose
    /// their mapping (freed when it was the last). Candidates are present,
    /// order-0, anonymous, outside the swap cache and not maybe pinned
    /// (`write_protect_page` refuses those); the zero page and large folios are
    /// skipped. A group needs two mappings. Returns how many mappings were
    /// replaced or write-protected into a KSM folio.
    @discardableResult
    public mutating func ksmMerge(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) -> Int {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        var merged = 0
        var a = start
        while a < end {
            merged += ksmMergeAt(p, a)
            a += VA.pageSize
        }
        return merged
    }

    /// One address: the group of identical pages mapped at `a` by any live process.
    mutating func ksmMergeAt(_ p: Int, _ a: UInt64) -> Int {
        guard !fmt.pmdIsLeaf(pmdValue(p, a)), let f0 = normalFrame(pteValue(p, a)) else { return 0 }
        let token = frames.token[Int(f0)]
        var ksm: Int32? = nil
        var group: [(q: Int, slot: Int, f: Int32)] = []
        for q in processes.indices where !processes[q].exited && processes[q].vmaIndex(a) != nil {
            guard !fmt.pmdIsLeaf(pmdValue(q, a)), let s = pteSlot(q, a),
                  let f = normalFrame(Pte(tables.words[s])), frames.token[Int(f)] == token else { continue }
            let fl = frames.flags(f)
            if fl.contains(.ksm) { ksm = f; continue }
            guard frames.order(f) == 0, fl.contains(.anon), !fl.contains(.swapCache), !maybePinned(f) else { continue }
            group.append((q, s, f))
        }
        let mappings = group.count + Int(ksm.map { frames.mapcount[Int($0)] } ?? 0)
        guard !group.isEmpty, mappings >= 2 else { return 0 }
        // write_protect_page(): the page that becomes the KSM page.
        let k: Int32
        if let existing = ksm { k = existing } else {
            k = group[0].f
            frames.insertFlags(k, .ksm)
            frames.setAE(k, false)
        }
        var done = 0
        for m in group {
            let vflags = processes[m.q].vmas[processes[m.q].vmaIndex(a)!].flags
            let old = Pte(tables.words[m.slot])
            if m.f == k {                                    // already the KSM page: write-protect and clean
                if fmt.isDirty(old) { frames.insertFlags(k, .dirty) }
                tables.words[m.slot] = fmt.mkclean(fmt.wrprotect(old)).raw
                done += 1
                continue
            }
            // replace_page(): map the KSM page read-only, drop the old page.
            var np = mkPte(frames.pfn(k), vflags)
            if fmt.isSoftDirty(old) { np = fmt.mksoftDirty(np) }
            if fmt.isUffdWp(old) { np = fmt.mkuffdWp(np) }
            tables.words[m.slot] = np.raw
            addAnonRmapPtes(k, k, 1, m.q, exclusive: false)
            frames.ref[Int(k)] += 1
            removeRmapPtes(m.f, m.f, 1, m.q)
            putFolio(m.f)
            if frames.isAllocated(m.f) { freeSwapCache(m.f) }
            done += 1
        }
        return done
    }

    /// MADV_UNMERGEABLE over [addr, addr + len) of `pid` (R-KSM-4): every KSM
    /// mapping is broken at once by an unshare fault — a private copy, AE but
    /// read-only — one minor fault each, charged to `pid`. A later write reuses
    /// the copy (one more minor fault). Returns the number of mappings broken.
    /// Throws `.noMemory` when no frame is left for a copy (the mappings
    /// broken before stay broken).
    @discardableResult
    public mutating func ksmUnmerge(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) -> Int {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        var broken = 0
        var a = start
        while a < end {
            if !fmt.pmdIsLeaf(pmdValue(p, a)), let s = pteSlot(p, a), let f = normalFrame(Pte(tables.words[s])),
               frames.flags(frames.head(f)).contains(.ksm), let vi = processes[p].vmaIndex(a) {
                let outcome = try doWpPage(p, vi, a, s, unshare: true)
                accountFault(p, outcome)
                broken += 1
            }
            a += VA.pageSize
        }
        return broken
    }
}
