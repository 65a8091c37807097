/// KSM as explicit operations (mm/ksm.c): MADV_MERGEABLE followed by what
/// ksmd does once its scans settled (`ksm_do_scan` → `cmp_and_merge_page`:
/// the stable tree, the unstable tree, `try_to_merge_one_page` =
/// `write_protect_page` + `replace_page`, `use_zero_pages`), and
/// MADV_UNMERGEABLE (`break_ksm`). Spec: semantics §1.8 (R-KSM-1..5), §3.7,
/// §7.3; the rmap of KSM folios is Rmap/RmapKsm.swift, their side structures
/// World/KsmIndex.swift.
///
/// Checked on the live 6.18 kernel (8 pages of one content in one process;
/// 300 pages; a 2 MiB THP; zero-filled pages with use_zero_pages, fork,
/// write, DONTNEED, unmerge; a pinned first page; a KSM page of two processes
/// reclaimed through a memcg, then read back): the second page of a content
/// in scan order becomes the KSM page and the first maps it;
/// `max_page_sharing` 256 gives 256 + 44 mappings on two KSM pages for 300
/// pages (stable_node_chains 1, dups 2); a THP is split and ends on its pages
/// 2 and 258; zero-page merges count in ksm_zero_pages, a fork child starts
/// with its parent's count, a write or an unmerge of one is one minor fault;
/// pages after a pinned one of their content are copied at every scan; the
/// first reader of a reclaimed KSM page gets the folio read back, the other
/// a copy (ksm_swpin_copy); on a disk a KSM folio still in the swap cache is
/// mapped as it is. `mmm conform` of ksm*.mmm matches.
///
/// From the 6.12 source only: `replace_page` maps the KSM page with a fresh
/// PTE (no soft-dirty, no uffd-wp bit); the anon_vma-root half of
/// `ksm_might_need_to_copy`. Model limits: one merge runs ksmd's passes until they
/// settle, at once; processes in pid order (the kernel's mm list is in
/// MADV_MERGEABLE order), VMAs and pages in address order; pages_unshared /
/// pages_volatile, ksmd's timing and smart_scan are not modelled.
extension World {
    /// `ksm_max_page_sharing` (the default): mappings of one KSM page before a
    /// stable node gets a dup.
    static let ksmMaxPageSharing: Int32 = 256

    /// MADV_MERGEABLE over [addr, addr + len) of `pid` (VM_MERGEABLE on the
    /// range), then one settled ksmd pass over every mergeable VMA of every
    /// live process (`ksmScan`). Returns how many mappings the pass merged
    /// (into a KSM page, or with the zero page).
    @discardableResult
    public mutating func ksmMerge(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) -> Int {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        setVmaFlags(p, start, end, set: .mergeable, clear: [])
        return ksmScan()
    }

    /// ksmd's passes once every page's checksum is stable: each mergeable page
    /// in scan order (`cmp_and_merge_page`) is merged with the zero page when
    /// empty and `use_zero_pages` is on, else into a KSM page of the same
    /// content from the stable tree (the fullest below `max_page_sharing`),
    /// else with an identical page met earlier in this pass (the unstable
    /// tree): then this page becomes a new KSM page and the earlier one maps
    /// it; else it enters the unstable tree. Returns the mappings merged.
    /// Passes repeat until one merges nothing (a page skipped because its
    /// partner was the same frame, a fork-shared page, merges in the next).
    mutating func ksmScan() -> Int {
        var total = 0
        while true {
            var split = false
            let n = ksmScanPass(&split)
            total += n
            if n == 0 && !split { return total }
        }
    }

    /// One pass; `split` tells whether it split a large folio (progress too).
    mutating func ksmScanPass(_ split: inout Bool) -> Int {
        var unstable: [UInt64: (p: Int, a: UInt64)] = [:]
        var merged = 0
        for p in processes.indices where !processes[p].exited {
            for v in processes[p].vmas where v.flags.contains(.mergeable) && v.hasAnonVma {
                var a = v.start
                while a < v.end {
                    let pmdEnd = min((a & ~(VA.pmdSize - 1)) + VA.pmdSize, v.end)
                    guard let ps = pmdSlot(p, a), tables.words[ps] != 0 else { a = pmdEnd; continue }
                    while a < pmdEnd {
                        merged += ksmScanPage(p, a, &unstable, &split)
                        a += VA.pageSize
                    }
                }
            }
        }
        return merged
    }

    /// `cmp_and_merge_page()` for the page mapped at `a` in process `p`.
    /// A page of a large folio (PTE- or PMD-mapped) takes part too; the folio
    /// is split when one of its pages is to be merged (`try_to_merge_one_page`
    /// → `split_huge_page`), and not merged when it cannot be split.
    mutating func ksmScanPage(_ p: Int, _ a: UInt64, _ unstable: inout [UInt64: (p: Int, a: UInt64)],
                              _ split: inout Bool) -> Int {
        guard let f = mappedFrame(p, a) else { return 0 }
        let fl = frames.flags(frames.head(f))
        guard fl.contains(.anon) else { return 0 }
        if fl.contains(.ksm) {                        // merged already (a fork child's mapping gets its rmap_item)
            frames.ksm.note(f, a >> VA.pageShift)
            return 0
        }
        let token = frames.token[Int(f)]
        if config.ksmUseZeroPages && token == 0 {     // try_to_merge_with_zero_page()
            guard let s = ksmSplitFor(p, a, &split) else { return 0 }
            return ksmReplace(p, a, s, with: nil) ? 1 : 0
        }
        if let k = ksmStableSearch(token) {           // stable_tree_search() + try_to_merge_with_ksm_page()
            guard let s = ksmSplitFor(p, a, &split) else { return 0 }
            return ksmReplace(p, a, s, with: k) ? 1 : 0
        }
        guard let u = unstable[token] else {          // unstable_tree_search_insert(): first of its content
            unstable[token] = (p, a)                  // even a page write_protect_page will refuse
            return 0
        }
        // try_to_merge_two_pages(): this page becomes the KSM page, then the
        // tree page is replaced by it.
        guard let uf = mappedFrame(u.p, u.a), uf != f else { return 0 }
        if frames.order(frames.head(f)) > 0 && frames.head(uf) == frames.head(f) {
            // Both in one large folio: the split fails under the other
            // page's reference and the folio is split afterwards; they merge
            // in the next pass.
            _ = ksmSplitFor(p, a, &split)
            return 0
        }
        guard let s0 = ksmSplitFor(p, a, &split), ksmCanWriteProtect(s0, f) else { return 0 }
        let s = writableSlot(p, a, s0, .ksm)                   // a COW PTE table (cowPte) is broken first
        let us = ksmSplitFor(u.p, u.a, &split)
        if us == nil || !ksmCanWriteProtect(us!, uf) {
            // The tree page refuses (a pin): break_cow() undoes the KSM page at
            // once, an unshare fault run by ksmd (charged to no process) that
            // leaves a private copy, AE and read-only. The tree page stays in
            // the unstable tree, so every later page of this content does the
            // same, pass after pass [K: with the first page pinned, the others
            // get new frames at every scan and a write to each is 1 minor].
            guard frames.canAllocate(order: 0), let vi = processes[p].vmaIndex(a) else { return 0 }
            ksmWriteProtect(s, f)
            let vpns = ksmMappedVpns(f)
            frames.insertFlags(f, [.ksm, .dirty])
            for v in vpns { frames.ksm.note(f, v) }   // no stable node: only the rmap must still find it
            let counters = processes[p].counters
            try? wpPageCopy(p, vi, a, s, unshare: true)
            processes[p].counters = counters
            return 0
        }
        ksmWriteProtect(s, f)
        let vpns = ksmMappedVpns(f)
        frames.insertFlags(f, [.ksm, .dirty])
        frames.ksm.insert(f, token: token, vpns: vpns)
        unstable[token] = nil
        return ksmReplace(u.p, u.a, us!, with: f) ? 2 : 1
    }

    /// The addresses an anon page about to become a KSM page in place is
    /// mapped at (its anon rmap, read before the KSM flag is set).
    /// `try_to_merge_one_page()` converts a page "mapped elsewhere" too (a
    /// fork-shared page: `write_protect_page` only needs its PTEs read-only),
    /// and those other mappings may sit at other addresses than the merging
    /// one (a process that mremap'd its VMA keeps vm_pgoff, so the linear
    /// index found it there). The KSM rmap looks at the rmap_item addresses
    /// only, so each of them becomes one; otherwise a mapping would count in
    /// the mapcount that no rmap walk can reach (explore seed 587: INV-6).
    /// Model limit: `rmap_walk_ksm` walks the VMAs of the item's anon_vma
    /// (the merging VMA's and its later forks'), so the kernel may not reach
    /// a parent's mapping at all; the model's KSM rmap, like its item
    /// addresses looked at in every process, reaches every mapping.
    func ksmMappedVpns(_ f: Int32) -> [UInt64] {
        var vpns: [UInt64] = []
        var c = rmapCursor(folio: f)
        while let m = rmapNext(&c) { sortedInsert(&vpns, m.address >> VA.pageShift) }
        return vpns
    }

    /// Makes the page mapped at `a` of process `p` an order-0 page mapped by
    /// a PTE, as `try_to_merge_one_page()` does with `split_huge_page()`:
    /// every PMD mapping of its folio becomes PTEs, then the folio splits.
    /// Returns the PTE's slot, or nil (nothing changed) when the folio cannot
    /// be split (a pin or another extra reference: `can_split_folio`).
    mutating func ksmSplitFor(_ p: Int, _ a: UInt64, _ split: inout Bool) -> Int? {
        guard let f = mappedFrame(p, a) else { return nil }
        let head = frames.head(f)
        if frames.order(head) > 0 {
            guard canSplitFolio(head) else { return nil }
            var c = rmapCursor(folio: head)
            while let m = rmapNext(&c) {
                if m.isPmd { splitHugePmd(m.process, m.address) }
            }
            splitFolio(head)
            split = true
        }
        return pteSlot(p, a)
    }

    /// `stable_tree_search()`: the KSM page of content `token` with the most
    /// mappings below `max_page_sharing` (`stable_node_dup`), nil when none has room.
    func ksmStableSearch(_ token: UInt64) -> Int32? {
        guard let list = frames.ksm.stable[token] else { return nil }
        var best: Int32? = nil
        var bestN: Int32 = -1
        for k in list.reversed() where frames.isAllocated(k) && frames.flags(k).contains(.ksm) && frames.token[Int(k)] == token {
            let n = frames.mapcount[Int(k)]
            if n < World.ksmMaxPageSharing && n > bestN { best = k; bestN = n }
        }
        return best
    }

    /// Whether `write_protect_page()` would accept the page mapped by slot
    /// `s`: a writable, dirty or AE mapping needs every reference to be a
    /// mapping or the swap cache's (a pin is one more; `folio_try_share_anon_rmap_pte`
    /// refuses a maybe-pinned AE page too).
    func ksmCanWriteProtect(_ s: Int, _ f: Int32) -> Bool {
        let pte = Pte(tables.words[s])
        guard fmt.isWrite(pte) || fmt.isDirty(pte) || frames.ae(f) else { return true }
        let sc: Int32 = frames.flags(f).contains(.swapCache) ? 1 : 0
        return frames.ref[Int(f)] == frames.mapcount[Int(f)] + sc && !(frames.ae(f) && maybePinned(f))
    }

    /// `write_protect_page()` once accepted: read-only and clean (the folio
    /// takes the dirt), no longer AE.
    mutating func ksmWriteProtect(_ s: Int, _ f: Int32) {
        let pte = Pte(tables.words[s])
        guard fmt.isWrite(pte) || fmt.isDirty(pte) || frames.ae(f) else { return }
        if fmt.isDirty(pte) { frames.insertFlags(f, .dirty) }
        frames.setAE(f, false)
        tables.words[s] = fmt.mkclean(fmt.wrprotect(pte)).raw
    }

    /// `try_to_merge_one_page()` with a KSM page `k` (or the zero page when
    /// nil): write-protects the page at `a` of process `p` (slot `s`), then
    /// `replace_page()` maps `k` there with a fresh PTE of the VMA's
    /// protection (the zero page: special and dirty, which marks KSM's zero
    /// pages; MM_ANONPAGES - 1, ksm_zero_pages + 1) and drops the old page.
    /// False, nothing changed, when `write_protect_page()` refuses.
    mutating func ksmReplace(_ p: Int, _ a: UInt64, _ s: Int, with k: Int32?) -> Bool {
        guard let f = normalFrame(Pte(tables.words[s])), let vi = processes[p].vmaIndex(a),
              ksmCanWriteProtect(s, f) else { return false }
        let s = writableSlot(p, a, s, .ksm)                  // a COW PTE table (cowPte) is broken first
        ksmWriteProtect(s, f)
        let flags = processes[p].vmas[vi].flags
        if let k {
            tables.words[s] = mkPte(frames.pfn(k), flags).raw
            addAnonRmapPtes(k, k, 1, p, exclusive: false)
            frames.ref[Int(k)] += 1
            frames.ksm.note(k, a >> VA.pageShift)
        } else {
            tables.words[s] = fmt.mkdirty(zeroPte(flags)).raw
            processes[p].rssAnon -= 1
            ksm.addZeroPages(p, 1)
        }
        removeRmapPtes(f, f, 1, p)
        putFolio(f)
        if frames.isAllocated(f) { freeSwapCache(f) }
        return true
    }

    /// MADV_UNMERGEABLE over [addr, addr + len) of `pid` (R-KSM-4): every KSM
    /// mapping, and every zero page KSM mapped (`is_ksm_zero_pte`), is broken
    /// at once by an unshare fault — a private copy, AE but read-only — one
    /// minor fault each, charged to `pid`; then VM_MERGEABLE is cleared. A
    /// later write reuses the copy (one more minor fault). Returns the number
    /// of mappings broken. Throws `.noMemory` when no frame is left for a copy
    /// (the mappings broken before stay broken).
    @discardableResult
    public mutating func ksmUnmerge(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) -> Int {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        let broken = try ksmBreak(p, start, end)
        setVmaFlags(p, start, end, set: [], clear: .mergeable)
        return broken
    }

    /// `unmerge_ksm_pages()` over [start, end) of process index `p`: an
    /// unshare fault (`break_ksm`) for every KSM mapping and every zero page
    /// KSM mapped, charged to `p`. Returns how many it broke. mremap runs it
    /// on the range it moves (`prep_move_vma`).
    mutating func ksmBreak(_ p: Int, _ start: UInt64, _ end: UInt64) throws(MMMError) -> Int {
        var broken = 0
        var a = start
        while a < end {
            if !fmt.pmdIsLeaf(pmdValue(p, a)), let s = pteSlot(p, a), let vi = processes[p].vmaIndex(a) {
                let pte = Pte(tables.words[s])
                let isKsm = normalFrame(pte).map { frames.flags(frames.head($0)).contains(.ksm) } ?? isKsmZeroPte(pte)
                if isKsm {
                    let outcome = try doWpPage(p, vi, a, writableSlot(p, a, s, .unshareFault), unshare: true)
                    accountFault(p, outcome)
                    broken += 1
                }
            }
            a += VA.pageSize
        }
        return broken
    }

    /// After mremap moved [.., + len) of process index `p` to `to`: swap PTEs
    /// of slots KSM pages were written to now sit at new addresses, where
    /// the swap side of the KSM rmap must look (`SwapDevice.ksmVpns`). So do
    /// present PTEs of a swap-cache folio holding such a slot: a KSM page
    /// swapped in is a plain anon folio (`ksm_might_need_to_copy()` maps the
    /// folio read as it is, or a copy), still in the swap cache, and its
    /// next `try_to_unmap()` writes the slot's swap PTE where the folio is
    /// mapped then, at the moved address.
    mutating func ksmMovedRange(_ p: Int, to: UInt64, len: UInt64) {
        guard !swap.ksmVpns.isEmpty else { return }
        var a = to
        while a < to + len {
            defer { a += VA.pageSize }
            if fmt.pmdIsLeaf(pmdValue(p, a)) { continue }
            let pte = pteValue(p, a)
            if fmt.kind(of: pte) == .swap, fmt.archSwpType(pte) == 0, swap.ksmVpns[Int(fmt.archSwpOffset(pte))] != nil {
                ksmNoteSwapPte(Int(fmt.archSwpOffset(pte)), a)
            } else if let f = normalFrame(pte) {
                let head = frames.head(f)
                if let s0 = frames.swapCacheSlot[head], swap.ksmVpns[Int(s0) + Int(f - head)] != nil {
                    ksmNoteSwapPte(Int(s0) + Int(f - head), a)
                }
            }
        }
    }

    // MARK: Swap

    /// A swap PTE for `slot` written at `a` by the unmap of a KSM folio: the
    /// slot's swap PTEs are found at the addresses noted (`SwapDevice.ksmVpns`).
    mutating func ksmNoteSwapPte(_ slot: Int, _ a: UInt64) {
        let v = a >> VA.pageShift
        var list = swap.ksmVpns[slot] ?? [swap.index[slot]]
        sortedInsert(&list, v)
        swap.ksmVpns[slot] = list
    }

    /// `ksm_might_need_to_copy()` at swap-in, for the swap-cache folio `head`
    /// found (or just read) for the swap PTE at `addr` of process index `p`
    /// naming `slot`. A KSM folio is mapped as it is (its stable node lives
    /// while it is in the swap cache); a folio not mapped since it was read is
    /// not anonymous yet and is mapped, taking this address as its index; a
    /// folio mapped already is mapped again only at its index and in its
    /// family (same anon_vma root), else the fault gets a private copy
    /// (vmstat `ksm_swpin_copy`). Only a slot a KSM folio was written to can
    /// meet the copy case: its swap PTEs are spread over addresses and
    /// unrelated processes ("the ksm flag is lost on actual swapout").
    /// Returns the copy (refcount 1, dirty, not in the swap cache; the lookup
    /// reference on `head` is dropped), or nil to map `head`. Model limit: a
    /// folio mapped once and unmapped again counts as not yet anonymous.
    mutating func ksmMightNeedToCopy(_ p: Int, _ addr: UInt64, _ slot: Int, _ head: Int32) throws(MMMError) -> Int32? {
        guard !swap.ksmVpns.isEmpty, swap.ksmVpns[slot] != nil, frames.order(head) == 0,
              !frames.flags(head).contains(.ksm) else { return nil }
        let vpn = processes[p].vmaIndex(addr).map { processes[p].vmas[$0].linear(addr) } ?? addr >> VA.pageShift
        if folioMapcount(head) == 0 {
            frames.setIndex(head, vpn)
            return nil
        }
        if frames.index(head) == vpn {
            var c = rmapCursor(folio: head)
            while let m = rmapNext(&c) {
                if ksm.family(of: m.process) == ksm.family(of: p) { return nil }
            }
        }
        guard let nf = frames.allocate(order: 0) else { throw .noMemory }
        frames.token[Int(nf)] = frames.token[Int(head)]
        frames.insertFlags(nf, .dirty)
        putFolio(head)
        ksm.swapinCopies += 1
        return nf
    }

    // MARK: Zero pages and counters

    /// `is_ksm_zero_pte()`: the zero page mapped by KSM, told by its dirty bit.
    func isKsmZeroPte(_ pte: Pte) -> Bool {
        fmt.isPresent(pte) && fmt.pfn(pte) == Frames.zeroPfn && fmt.isDirty(pte)
    }

    /// `ksm_might_unmap_zero_page()`: a PTE of process index `p` that maps
    /// KSM's zero page is going (zap, or a write / unshare fault replacing it).
    mutating func ksmMightUnmapZeroPage(_ p: Int, _ pte: Pte) {
        if isKsmZeroPte(pte) { ksm.addZeroPages(p, -1) }
    }

    /// What `wp_page_copy()` does for KSM before replacing `old` of process
    /// index `p`: vmstat COW_KSM for a KSM page (counted in `do_wp_page`),
    /// the zero-page counters for KSM's zero page.
    mutating func ksmBeforeCopy(_ p: Int, _ old: Pte, _ oldFrame: Int32?) {
        if let of = oldFrame {
            if frames.flags(frames.head(of)).contains(.ksm) { ksm.cowKsm += 1 }
        } else {
            ksmMightUnmapZeroPage(p, old)
        }
    }

    /// `ksm_fork()`: the child (process index `child`) shares its parent's
    /// family (anon_vma root) and starts with a copy of its parent's
    /// `ksm_zero_pages`, which the global count gains too.
    mutating func ksmForked(_ src: Int, _ child: Int) {
        if ksm.family.count <= child { ksm.family.append(contentsOf: (ksm.family.count...child).map { Int32($0) }) }
        ksm.family[child] = ksm.family(of: src)
        let z = ksm.zeroPages(of: src)
        if z != 0 { ksm.addZeroPages(child, z) }
    }

    /// /sys/kernel/mm/ksm as it reads once ksmd's scans settled: every KSM
    /// page mapped at least once counts in `pages_shared`, its other mappings
    /// in `pages_sharing`.
    public func ksmCounters() -> KsmCounters {
        var c = KsmCounters()
        c.zeroPages = ksm.zeroPages
        for (token, list) in frames.ksm.stable {
            var live = 0
            for k in list where frames.isAllocated(k) && frames.flags(k).contains(.ksm) && frames.token[Int(k)] == token {
                live += 1
                let n = Int(frames.mapcount[Int(k)])
                if n >= 1 { c.pagesShared += 1; c.pagesSharing += n - 1 }
            }
            if live >= 2 { c.stableNodeChains += 1; c.stableNodeDups += live }
        }
        return c
    }

    /// `/proc/PID/ksm_stat`'s `ksm_zero_pages` of `pid` (`mm->ksm_zero_pages`).
    public func ksmZeroPages(_ pid: Int32) throws(MMMError) -> Int {
        guard pid >= 1, Int(pid) <= processes.count else { throw .noSuchProcess }
        return ksm.zeroPages(of: Int(pid) - 1)
    }
}
