/// mremap of private anonymous memory (mm/mremap.c, Linux 6.18): shrink,
/// grow in place, or move (`move_vma` → `copy_vma` + `move_page_tables`).
///
/// What a move keeps: every entry moves as it is (present PTEs, swap PTEs,
/// PMD leaves), with soft-dirty set when the kernel has CONFIG_MEM_SOFT_DIRTY
/// (`move_soft_dirty_pte`); no folio, mapcount, refcount, swap count or RSS
/// changes, and nothing faults. The new VMA gets the old `vm_pgoff` plus the
/// offset of the moved range in the old VMA, so the moved pages keep their
/// linear index and `folio->index` stays as it is: the rmap finds them at
/// `vma_address()` (`VMA.pgoffShift`, Rmap/Rmap.swift).
///
/// Page tables: a 2 MiB extent whose source and destination are both PMD
/// aligned moves a PMD leaf as it is (`move_huge_pmd`) and a PTE table by its
/// PMD entry (`move_normal_pmd`, CONFIG_HAVE_MOVE_PMD on x86-64 and arm64);
/// otherwise a PMD leaf is split to PTEs first (`split_huge_pmd`: the folio
/// stays whole, PTE-mapped, possibly in two VMAs) and the PTEs move one by one
/// (`move_ptes`). Both fast paths need an empty destination PMD; a PTE table
/// left there that the kernel's `free_pgtables()` would have freed at the
/// unmap that emptied it (all none, no other VMA in its 2 MiB) is freed first.
///
/// Also: KSM pages in the moved range are unmerged first (`prep_move_vma` →
/// `ksm_madvise(MADV_UNMERGEABLE)`: one unshare fault each); a VMA under
/// userfaultfd (the model's contexts have no UFFD_FEATURE_EVENT_REMAP) moves
/// with its uffd-wp bits cleared and markers dropped, and the new VMA is not
/// registered (`mremap_userfaultfd_prep`).
///
/// A pure move (MREMAP_FIXED, same length) may span several VMAs, gaps kept
/// (`remap_move`, 6.17+; [K] on 6.18); a resize stays inside one VMA.
///
/// Not modelled: MREMAP_DONTUNMAP (`.notSupported`), VMA merging (the model
/// never merges VMAs), the PUD-level table move.
public struct MremapFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// MREMAP_MAYMOVE (1).
    public static let mayMove = MremapFlags(rawValue: 1)
    /// MREMAP_FIXED (2): move to exactly `newAddress` (unmapping what is there).
    public static let fixed = MremapFlags(rawValue: 2)
    /// MREMAP_DONTUNMAP (4): not modelled.
    public static let dontUnmap = MremapFlags(rawValue: 4)
}

extension World {
    /// `mremap(addr, oldLength, newLength, flags, newAddress)` in process
    /// `pid`; returns the address of the (possibly moved) mapping.
    ///
    /// Errors as `do_mremap()`: `.invalidArgument` (EINVAL) for unknown flags,
    /// an unaligned address, a zero new length, MREMAP_FIXED without
    /// MREMAP_MAYMOVE, overlapping old and new ranges, or a zero old length
    /// (duplicating a private mapping); `.fault` (EFAULT) when no VMA holds
    /// `addr` or the old range leaves its VMA; `.noMemory` (ENOMEM) when a grow
    /// cannot happen in place without MREMAP_MAYMOVE or no free area is left.
    @discardableResult
    public mutating func mremap(_ pid: Int32, _ addr: UInt64, oldLength: UInt64, newLength: UInt64,
                                flags: MremapFlags = [], newAddress: UInt64 = 0) throws(MMMError) -> UInt64 {
        defer { afterOperation() }
        let p = try checkPid(pid)
        // check_mremap_params()
        guard flags.isSubset(of: [.mayMove, .fixed, .dontUnmap]) else { throw .invalidArgument }
        guard addr & (VA.pageSize - 1) == 0, addr < VA.userTop else { throw .invalidArgument }
        guard newLength > 0, newLength <= VA.userTop, oldLength <= VA.userTop else { throw .invalidArgument }
        if flags.contains(.dontUnmap) { throw .notSupported }
        let fixed = flags.contains(.fixed)
        if fixed {
            guard newAddress & (VA.pageSize - 1) == 0, flags.contains(.mayMove) else { throw .invalidArgument }
        }
        let oldLen = (oldLength + VA.pageSize - 1) & ~(VA.pageSize - 1)
        let newLen = (newLength + VA.pageSize - 1) & ~(VA.pageSize - 1)
        guard processes[p].vmaIndex(addr) != nil else { throw .fault }          // vma_lookup()

        if fixed {
            // mremap_to()
            guard newLen <= VA.userTop, newAddress <= VA.userTop - newLen else { throw .invalidArgument }
            if addr + oldLen > newAddress && newAddress + newLen > addr { throw .invalidArgument }
            // Policy mremapMultiVma: 6.17+ remap_move(); before, one VMA (remap_is_valid's EFAULT).
            if oldLen == newLen && policy.mremapMultiVma { return try remapMove(p, addr, oldLen, to: newAddress) }
            try unmapForMremap(p, newAddress, newAddress + newLen)
            guard processes[p].vmaIndex(addr) != nil else { throw .fault }
            var len = oldLen
            if oldLen > newLen {
                try unmapForMremap(p, addr + newLen, addr + oldLen)
                len = newLen
            }
            try remapIsValid(p, addr, len)
            return moveVma(p, addr, oldLen: len, to: newAddress, newLen: newLen)
        }
        // mremap_at()
        if oldLen == newLen { return addr }
        if oldLen > newLen {
            try unmapForMremap(p, addr + newLen, addr + oldLen)                  // shrink_vma()
            return addr
        }
        try remapIsValid(p, addr, oldLen)
        let vi = processes[p].vmaIndex(addr)!
        let v = processes[p].vmas[vi]
        let delta = newLen - oldLen
        // vrm_can_expand_in_place(): the range ends at the VMA's end and nothing follows.
        if v.end - addr == oldLen, delta <= VA.userTop - v.end, isFree(p, v.end, delta) {
            processes[p].vmas[vi].end += delta
            return addr
        }
        guard flags.contains(.mayMove) else { throw .noMemory }
        let to = try mremapFreeArea(p, newLen)
        return moveVma(p, addr, oldLen: oldLen, to: to, newLen: newLen)
    }

    /// `remap_move()` (6.17+, a move without resize, `vrm_move_only`): every
    /// VMA in [addr, addr + len) moves, split as needed, the gaps between them
    /// kept (B' at A'.end + the gap that followed A); no gap may come first
    /// (EFAULT), one at the end is left alone. A VMA under userfaultfd moves
    /// only alone (`vma_multi_allowed`).
    mutating func remapMove(_ p: Int, _ addr: UInt64, _ len: UInt64, to newAddr: UInt64) throws(MMMError) -> UInt64 {
        let end = addr + len
        let pieces = processes[p].vmas.filter { $0.start < end && $0.end > addr }.map { ($0.start, $0.end, $0.flags) }
        guard let first = pieces.first, first.0 <= addr else { throw .fault }
        if pieces.count > 1, pieces.contains(where: { $0.2.contains(.uffdWp) }) { throw .fault }
        var target = newAddr
        var lastEnd: UInt64 = 0
        for (k, v) in pieces.enumerated() {
            let a = max(v.0, addr), n = min(end, v.1) - a
            let dest = target + (k == 0 ? 0 : v.0 - lastEnd)
            lastEnd = v.1
            try unmapForMremap(p, dest, dest + n)
            target = moveVma(p, a, oldLen: n, to: dest, newLen: n) + n
        }
        return newAddr
    }

    /// `remap_is_valid()` for a private anonymous VMA.
    func remapIsValid(_ p: Int, _ addr: UInt64, _ oldLen: UInt64) throws(MMMError) {
        guard oldLen > 0 else { throw .invalidArgument }       // no duplicating a private mapping
        guard let vi = processes[p].vmaIndex(addr), oldLen <= processes[p].vmas[vi].end - addr else { throw .fault }
    }

    /// `do_munmap()` of [start, end) inside mremap.
    mutating func unmapForMremap(_ p: Int, _ start: UInt64, _ end: UInt64) throws(MMMError) {
        guard start < end else { return }
        splitVmas(p, start, end)
        zapRange(p, start, end)
        processes[p].vmas.removeAll { $0.start >= start && $0.end <= end }
    }

    /// `get_unmapped_area()` for the moved range: the place `mmap` would pick.
    func mremapFreeArea(_ p: Int, _ size: UInt64) throws(MMMError) -> UInt64 {
        let align = size >= VA.pmdSize ? VA.pmdSize : VA.pageSize
        var start = World.mmapBase
        while true {
            start = (start + align - 1) & ~(align - 1)
            guard start < VA.userTop, size <= VA.userTop - start else { throw .noMemory }
            if let overlap = processes[p].vmas.first(where: { $0.start < start + size && $0.end > start }) {
                start = overlap.end
            } else { return start }
        }
    }

    /// `move_vma()`: the new VMA at `to` (`newLen` long, `vm_pgoff` of the
    /// moved range), the page tables of [addr, addr + oldLen) moved under it,
    /// the old range unmapped. Returns `to`.
    mutating func moveVma(_ p: Int, _ addr: UInt64, oldLen: UInt64, to: UInt64, newLen: UInt64) -> UInt64 {
        // prep_move_vma(): KSM pages in the range are unmerged (R-KSM-4),
        // KSM's zero pages too (break_ksm, KSM.swift).
        _ = try? ksmBreak(p, addr, addr + oldLen)
        var a = addr
        while a < addr + oldLen {
            if !fmt.pmdIsLeaf(pmdValue(p, a)), let s = pteSlot(p, a), let f = normalFrame(Pte(tables.words[s])),
               frames.flags(frames.head(f)).contains(.ksm), let vi = processes[p].vmaIndex(a),
               let outcome = try? doWpPage(p, vi, a, writableSlot(p, a, s, .unshareFault), unshare: true) {
                accountFault(p, outcome)
            }
            a += VA.pageSize
        }
        // copy_vma(): the new VMA, with the old vm_pgoff of the moved range.
        let old = processes[p].vmas[processes[p].vmaIndex(addr)!]
        var nv = old
        nv.start = to
        nv.end = to + newLen
        nv.pgoffShift = Int64(bitPattern: old.linear(addr)) - Int64(bitPattern: to >> VA.pageShift)
        let clearUffd = old.flags.contains(.uffdWp)        // no UFFD_FEATURE_EVENT_REMAP in the model
        if clearUffd { nv.flags.remove([.uffdWp, .uffdForkEvent]) }
        let at = processes[p].vmas.firstIndex(where: { $0.start > to }) ?? processes[p].vmas.count
        processes[p].vmas.insert(nv, at: at)
        if nv.pgoffShift != 0 && !processes[p].remapShifts.contains(nv.pgoffShift) {
            processes[p].remapShifts.append(nv.pgoffShift)
        }
        vmasMoved = true
        movePageTables(p, from: addr, to: to, len: oldLen, clearUffd: clearUffd)
        ksmMovedRange(p, to: to, len: oldLen)                    // swap PTEs of KSM pages: the KSM rmap follows
        // unmap_source_vma(): the old range, now without entries.
        splitVmas(p, addr, addr + oldLen)
        zapRange(p, addr, addr + oldLen)
        processes[p].vmas.removeAll { $0.start >= addr && $0.end <= addr + oldLen && $0.start != to }
        return to
    }

    /// `move_page_tables()` of [from, from + len) to `to`, extent by extent.
    mutating func movePageTables(_ p: Int, from: UInt64, to: UInt64, len: UInt64, clearUffd: Bool) {
        var done: UInt64 = 0
        while done < len {
            let oa = from + done, na = to + done
            // get_extent(): to the next PMD boundary of either side, within the range.
            let extent = min(VA.pmdSize - (oa & (VA.pmdSize - 1)), VA.pmdSize - (na & (VA.pmdSize - 1)), len - done)
            defer { done += extent }
            guard let ops = pmdSlot(p, oa), tables.words[ops] != 0 else { continue }
            breakCowPte(p, ops, .mremap)                        // a COW PTE table (cowPte): this process's own first
            let full = extent == VA.pmdSize
            if fmt.pmdIsLeaf(tables.words[ops]) {
                if full {
                    let nps = ensurePmdSlot(p, na)
                    if destinationPmdEmpty(p, nps, na) {                          // move_huge_pmd()
                        var pte = fmt.pteOfPmd(tables.words[ops])
                        tables.words[ops] = 0
                        pte = movedEntry(pte, clearUffd: clearUffd) ?? pte
                        tables.words[nps] = fmt.pmdLeaf(pte)
                        continue
                    }
                }
                splitHugePmd(p, oa)
            } else if full && !clearUffd {
                let nps = ensurePmdSlot(p, na)
                if destinationPmdEmpty(p, nps, na), fmt.pmdIsTable(tables.words[ops]) {   // move_normal_pmd()
                    let t = fmt.tableIndex(tables.words[ops])
                    tables.words[ops] = 0
                    tables.owners[Int(t)].base = na
                    tables.words[nps] = fmt.tableEntry(t)
                    // The moved table's entries are at new addresses: recheck them.
                    let b = Int(t) * PageTablePool.entries
                    tables.words.note(b..<(b + PageTablePool.entries))
                    continue
                }
            }
            guard fmt.pmdIsTable(tables.words[ops]) else { continue }
            // pte_alloc() at the destination, then move_ptes().
            guard ensurePteSlot(p, na, .mremap) != nil else { preconditionFailure("PMD leaf at the destination") }
            var off: UInt64 = 0
            while off < extent {
                defer { off += VA.pageSize }
                guard let os = pteSlot(p, oa + off) else { continue }
                let pte = Pte(tables.words[os])
                if fmt.isNone(pte) { continue }
                tables.words[os] = 0
                guard let moved = movedEntry(pte, clearUffd: clearUffd) else { continue }   // a uffd-wp marker
                guard let ns = ensurePteSlot(p, na + off, .mremap) else { preconditionFailure("PMD leaf at the destination") }
                tables.words[ns] = moved.raw
            }
        }
    }

    /// An entry as `move_ptes` / `move_huge_pmd` write it at the destination:
    /// soft-dirty set (CONFIG_MEM_SOFT_DIRTY), uffd-wp cleared when the VMA is
    /// registered without UFFD_FEATURE_EVENT_REMAP; nil for a uffd-wp marker
    /// then dropped.
    func movedEntry(_ pte: Pte, clearUffd: Bool) -> Pte? {
        var v = pte
        switch fmt.kind(of: pte) {
        case .present:
            if fmt.config.contains(.softDirty) { v = fmt.mksoftDirty(v) }
            if clearUffd { v = fmt.clearUffdWp(v) }
        case .swap:
            if fmt.config.contains(.softDirty) { v = fmt.swpSet(v, .softDirty) }
            if clearUffd { v = fmt.swpClear(v, .uffdWp) }
        case .marker:
            if clearUffd { return nil }
        default:
            break
        }
        return v
    }

    /// Whether the destination PMD entry is none, freeing first an empty PTE
    /// table there that `free_pgtables()` would have freed: no VMA but the
    /// new one (which holds `na`) meets its 2 MiB.
    mutating func destinationPmdEmpty(_ p: Int, _ nps: Int, _ na: UInt64) -> Bool {
        let e = tables.words[nps]
        if e == 0 { return true }
        guard fmt.pmdIsTable(e) else { return false }
        let t = fmt.tableIndex(e)
        let b = Int(t) * PageTablePool.entries
        for i in 0..<PageTablePool.entries where tables.words[b + i] != 0 { return false }
        let lo = na & ~(VA.pmdSize - 1), hi = lo + VA.pmdSize
        let others = processes[p].vmas.filter { $0.start < hi && $0.end > lo }
        guard others.count == 1, others[0].contains(na) else { return false }
        tables.words[nps] = 0
        tables.release(t)
        return true
    }
}
