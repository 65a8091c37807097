/// Copy-on-write PTE tables: the never-merged RFC "Introduce Copy-On-Write to
/// Page Table" (Chih-En Lin, v3 Dec 2022 … v5 Apr 2023; semantics §5.5) as a
/// fork mode, `KernelPolicy.cowPte` (docs/kernel-policy.md, "COW PTE tables").
///
/// At fork a last-level table whose entries fork may share is not copied: the
/// child's PMD entry points to the parent's table and both PMD entries are
/// write-protected (`PteFormat.tableEntryWriteProtected`); the pool counts the
/// write-protected PMD entries per table (`PageTablePool.shareCount`). Before
/// any path changes an entry of such a table it breaks it for its process
/// (`writableSlot`, `breakCowPte`): the last user reuses the table, any other
/// gets a copy. Hardware access-bit updates through a shared table do not
/// break (a shared A bit reports an access by any sharer).
///
/// Accounting choice (the spec marks the RFC's own [U]): the entries of a
/// shared table are accounted at share time exactly as fork accounts the
/// copies it would have made — one reference, one rmap dup (AE cleared) per
/// mapped page, one swap count per swap entry, the parent's writable PTEs
/// write-protected, RSS charged to the child. A shared table is therefore a
/// mapping of its pages in every process that references it, every count the
/// kernel exposes equals what a copying fork gives, and a break copies entries
/// without touching any count. The RFC itself (v2 code: `break_cow_pte` →
/// `copy_pte_range`) defers the dup to the break; the cost counters say what
/// that would move (`cowPteBreakPtesCopied` is the number of dups it would do
/// at breaks instead of at fork).
extension World {
    // MARK: Sharing at fork

    /// Whether fork may share the PTE table at PMD slot `ps` of `src` (covering
    /// [base, base + 2 MiB)) instead of copying it: every VMA of `src` that
    /// meets the range is one fork copies unchanged (has an anon_vma, neither
    /// MADV_DONTFORK nor MADV_WIPEONFORK, and not VM_UFFD_WP, whose bits the
    /// child may lose — a model restriction), and every entry is one fork
    /// copies as is: a present page the dup gate accepts (not a maybe-pinned
    /// AnonExclusive page, R-FORK-9), the zero page, or a swap entry.
    func cowPteMayShare(_ src: Int, _ ps: Int, base: UInt64) -> Bool {
        let end = base + VA.pmdSize
        for v in processes[src].vmas where v.end > base && v.start < end {
            if !v.hasAnonVma || !v.flags.isDisjoint(with: [.dontCopy, .wipeOnFork, .uffdWp]) { return false }
        }
        let t = Int(fmt.tableIndex(tables.words[ps]))
        let first = t * PageTablePool.entries
        for i in 0..<PageTablePool.entries {
            let pte = Pte(tables.words[first + i])
            if fmt.isNone(pte) { continue }
            if fmt.isPresent(pte) {
                guard let f = normalFrame(pte) else { continue }          // zero page
                if forkDupRefused(src, frames.head(f), f, 1) { return false }
            } else if fmt.kind(of: pte) != .swap {
                return false
            }
        }
        return true
    }

    /// fork's part for one PTE table in COW PTE mode: true when the child's PMD
    /// for `base` now references `src`'s table (shared here, or by an earlier
    /// VMA of the same table), false when the table must be copied.
    mutating func forkSharesTable(_ src: Int, _ dst: Int, _ ps: Int, base: UInt64) -> Bool {
        let t = fmt.tableIndex(tables.words[ps])
        if let ds = pmdSlot(dst, base) {
            let d = tables.words[ds]
            if d != 0 { return fmt.pmdIsTable(d) && fmt.tableIndex(d) == t }
        }
        guard cowPteMayShare(src, ps, base: base) else { return false }
        let t0 = Int(t) * PageTablePool.entries
        guard (t0..<(t0 + PageTablePool.entries)).contains(where: { tables.words[$0] != 0 }) else {
            return false                                      // an empty table: nothing to share or copy
        }
        let first = Int(t) * PageTablePool.entries
        var vi = -1
        for i in 0..<PageTablePool.entries {
            let pte = Pte(tables.words[first + i])
            if fmt.isNone(pte) { continue }
            let a = base + UInt64(i) * VA.pageSize
            if vi < 0 || !processes[src].vmas[vi].contains(a) { vi = processes[src].vmaIndex(a)! }
            if fmt.isPresent(pte) {
                guard let f = normalFrame(pte) else { continue }
                let head = frames.head(f)
                frames.ref[Int(head)] += 1                     // as copy_present_ptes, per PTE
                guard tryDupAnonRmapPtes(head, f, 1, src: src, dst: dst) else {
                    preconditionFailure("COW PTE: dup refused after cowPteMayShare")
                }
                processes[dst].counters.forkRefOps += 1
                processes[dst].counters.forkRmapOps += 1
                processes[dst].rssAnon += 1
                if processes[src].vmas[vi].isCow && fmt.isWrite(pte) {
                    tables.words[first + i] = fmt.wrprotect(pte).raw
                }
            } else {                                           // swap: copy_nonpresent_pte
                swap.count[Int(fmt.archSwpOffset(pte))] += 1
                if fmt.swpTest(pte, .exclusive) { tables.words[first + i] = fmt.swpClear(pte, .exclusive).raw }
                processes[dst].rssSwap += 1
            }
        }
        let ds = ensurePmdSlot(dst, base)
        tables.words[ps] = fmt.tableEntryWriteProtected(t)
        tables.words[ds] = fmt.tableEntryWriteProtected(t)
        tables.shareCount[Int(t)] = max(tables.shareCount[Int(t)], 1) + 1
        tables.coOwners[t, default: []].append(Int32(dst))
        tables.sharingChangedSinceDrain = true
        processes[dst].counters.forkTablesShared += 1
        return true
    }

    // MARK: Breaking

    /// Whether the PTE at pool index `s` lies in a table referenced by a
    /// write-protected (COW) PMD entry.
    @inline(__always) func inCowPteTable(_ s: Int) -> Bool {
        tables.shareCount[s / PageTablePool.entries] != 0
    }

    /// The slot process `p` may write for the PTE at `addr`, whose slot is `s`
    /// now: `s` itself unless its table is a COW table, which is then broken
    /// for `p` first (`breakCowPte`). Every path that changes an existing PTE
    /// goes through here (faults go through `ensurePteSlot`).
    @inline(__always)
    mutating func writableSlot(_ p: Int, _ addr: UInt64, _ s: Int, _ cause: CowPteBreakCause) -> Int {
        guard inCowPteTable(s) else { return s }
        return breakCowPteSlow(p, addr, cause)
    }

    @inline(never)
    mutating func breakCowPteSlow(_ p: Int, _ addr: UInt64, _ cause: CowPteBreakCause) -> Int {
        guard let ps = pmdSlot(p, addr) else { preconditionFailure("COW PTE: no PMD") }
        breakCowPte(p, ps, cause)
        return Int(fmt.tableIndex(tables.words[ps])) * PageTablePool.entries + VA.index(addr, level: 0)
    }

    /// Breaks the COW PTE table that process `p`'s PMD entry at `ps` references
    /// write-protected (nothing when it is not such an entry): the last user
    /// makes the entry writable again and keeps the table; any other user gets
    /// a copy of the entries in a new table (no count changes: the entries were
    /// accounted for every sharer at fork; the copies are old, as
    /// `copy_pte_range` leaves a child's PTEs) and leaves the old one.
    mutating func breakCowPte(_ p: Int, _ ps: Int, _ cause: CowPteBreakCause) {
        let e = tables.words[ps]
        guard fmt.pmdIsTable(e), fmt.pmdTableIsWriteProtected(e) else { return }
        let t = fmt.tableIndex(e)
        tables.sharingChangedSinceDrain = true
        processes[p].counters.cowPteBreaksByCause[cause.rawValue] += 1
        if tables.shareCount[Int(t)] <= 1 {
            tables.words[ps] = fmt.tableEntry(t)
            tables.shareCount[Int(t)] = 0
            tables.owners[Int(t)].process = Int32(p)
            tables.coOwners[t] = nil
            processes[p].counters.cowPteBreakReuses += 1
            return
        }
        let nt = tables.allocate(p, level: 0, base: tables.owners[Int(t)].base)
        processes[p].counters.pageTablesAllocated += 1
        let from = Int(t) * PageTablePool.entries, to = Int(nt) * PageTablePool.entries
        var n: UInt64 = 0
        for i in 0..<PageTablePool.entries {
            let v = Pte(tables.words[from + i])
            if fmt.isNone(v) { continue }
            // As copy_pte_range, which the RFC's break reuses, leaves a copy: old.
            tables.words[to + i] = fmt.isPresent(v) ? fmt.mkold(v).raw : v.raw
            n += 1
        }
        tables.words[ps] = fmt.tableEntry(nt)
        leaveCowPteTable(p, t)
        processes[p].counters.cowPteBreakCopies += 1
        processes[p].counters.cowPteBreakPtesCopied += n
    }

    /// Process `p` no longer references shared table `t`: one share less, and
    /// `p` leaves its owners.
    mutating func leaveCowPteTable(_ p: Int, _ t: Int32) {
        tables.shareCount[Int(t)] -= 1
        var rest = tables.coOwners[t] ?? []
        if tables.owners[Int(t)].process == Int32(p) {
            if !rest.isEmpty { tables.owners[Int(t)].process = rest.removeFirst() }
        } else if let k = rest.firstIndex(of: Int32(p)) {
            rest.remove(at: k)
        }
        tables.coOwners[t] = rest.isEmpty ? nil : rest
        tables.sharingChangedSinceDrain = true
    }

    /// Process `p` lets go of the shared table its PMD entry at `ps` references
    /// (zap of the whole table, exit): every entry's accounting for `p` is
    /// undone as `zapPte` undoes it (`dropPteAccounting`), without writing the entries the other
    /// sharers still use, and the PMD entry is cleared. The last user instead
    /// reuses the table (the caller then zaps it normally).
    /// Returns whether the table was let go.
    @discardableResult
    mutating func dropCowPteTable(_ p: Int, _ ps: Int) -> Bool {
        let e = tables.words[ps]
        guard fmt.pmdIsTable(e), fmt.pmdTableIsWriteProtected(e) else { return false }
        let t = fmt.tableIndex(e)
        if tables.shareCount[Int(t)] <= 1 { breakCowPte(p, ps, .zap); return false }
        let first = Int(t) * PageTablePool.entries
        for i in 0..<PageTablePool.entries { dropPteAccounting(p, Pte(tables.words[first + i])) }
        tables.words[ps] = 0
        leaveCowPteTable(p, t)
        processes[p].counters.cowPteSharesDropped += 1
        return true
    }

    /// Whether every entry of the table at PMD slot `ps` lies in [start, end).
    func cowPteZapCoversTable(_ ps: Int, _ start: UInt64, _ end: UInt64, base: UInt64) -> Bool {
        let first = Int(fmt.tableIndex(tables.words[ps])) * PageTablePool.entries
        for i in 0..<PageTablePool.entries where tables.words[first + i] != 0 {
            let a = base + UInt64(i) * VA.pageSize
            if a < start || a >= end { return false }
        }
        return true
    }

    /// exit's first step in COW PTE mode: every shared table of `p` is let go
    /// whole (`dropCowPteTable`), so the zap that follows copies none.
    mutating func dropAllCowPteTables(_ p: Int) {
        var shared: [Int] = []
        forEachPmdEntry(p) { ps, _ in
            let e = tables.words[ps]
            if fmt.pmdIsTable(e), fmt.pmdTableIsWriteProtected(e) { shared.append(ps) }
        }
        for ps in shared { dropCowPteTable(p, ps) }
    }

    /// `rmapNext` for a walk whose cursor carries `breakCowPte`: a mapping in
    /// a COW PTE table is reported after the table was broken for its process,
    /// with the slot (and entry) that process now has.
    mutating func rmapNextBreaking(_ c: inout RmapCursor) -> RmapMapping? {
        guard var m = rmapNext(&c) else { return nil }
        if let cause = c.breakCowPte { rmapBreakCowPte(&m, cause) }
        return m
    }

    /// An rmap walk's `PVMW_BREAK_COW_PTE`: when mapping `m` lies in a COW PTE
    /// table, breaks it for `m`'s process and points `m` at the slot to write.
    @inline(__always)
    mutating func rmapBreakCowPte(_ m: inout RmapMapping, _ cause: CowPteBreakCause) {
        guard !m.isPmd, inCowPteTable(m.slot) else { return }
        m.slot = breakCowPteSlow(m.process, m.address, cause)
        m.entry = tables.words[m.slot]
    }
}
