/// Checker rules for COW PTE tables (`KernelPolicy.cowPte`, Kernel/CowPte.swift):
/// COWPTE-WRITABLE, COWPTE-SHARES, COWPTE-OWNERS. Reads the world only.
extension World {
    /// COWPTE-WRITABLE for one entry of a table referenced write-protected:
    /// a present, writable PTE mapping an anonymous page is a violation (a
    /// store through one sharer would change what the others see).
    func checkCowPteEntry(_ pid: Int32, _ a: UInt64, _ raw: UInt64, _ out: inout [Violation]) {
        let pte = Pte(raw)
        guard fmt.isPresent(pte), fmt.isWrite(pte), let f = normalFrame(pte),
              frames.isAllocated(f), frames.flags(frames.head(f)).contains(.anon) else { return }
        var v = Violation(.cowPteWritable, "writable anonymous PTE in a shared COW PTE table")
        v.pid = pid; v.address = a; v.entry = raw; v.pfn = fmt.pfn(pte)
        out.append(v)
    }

    /// The three rules over every PTE table the live processes reference:
    /// O(PMD entries + entries of tables referenced write-protected).
    func checkCowPteTables(_ out: inout [Violation]) {
        let E = PageTablePool.entries
        // Per referenced table: the referencing processes and how many PMD
        // entries reference it write-protected / writable.
        var refs: [Int32: (procs: [Int32], wp: Int32, rw: Int32, base: UInt64)] = [:]
        for p in processes.indices where !processes[p].exited {
            forEachPmdEntry(p) { ps, base in
                let e = tables.words[ps]
                guard fmt.pmdIsTable(e) else { return }
                let t = fmt.tableIndex(e)
                var r = refs[t] ?? ([], 0, 0, base)
                r.procs.append(Int32(p))
                if fmt.pmdTableIsWriteProtected(e) { r.wp += 1 } else { r.rw += 1 }
                refs[t] = r
            }
        }
        for t in refs.keys.sorted() {
            let r = refs[t]!
            let pid = processes[Int(r.procs[0])].pid
            let count = tables.shareCount[Int(t)]
            if count != r.wp || (r.wp > 0 && r.rw > 0) {
                var v = Violation(.cowPteShares, "share count differs from the write-protected PMD entries")
                v.pid = pid; v.address = r.base
                v.values = [.init("shareCount", Int64(count)), .init("wpPMDs", Int64(r.wp)), .init("writablePMDs", Int64(r.rw))]
                out.append(v)
            }
            let owners = tables.owners[Int(t)].live ? tables.ownerProcesses(t).sorted() : []
            if owners != r.procs.sorted() {
                var v = Violation(.cowPteOwners, "processes referencing a PTE table differ from its owners")
                v.pid = pid; v.address = r.base
                v.values = [.init("owners", Int64(owners.count)), .init("referencing", Int64(r.procs.count))]
                out.append(v)
            }
            guard r.wp > 0 else { continue }
            for i in 0..<E {
                let raw = tables.words[Int(t) * E + i]
                if raw != 0 { checkCowPteEntry(pid, r.base + UInt64(i) << 12, raw, &out) }
            }
        }
        // A share count left on a table nothing references.
        for (t, c) in tables.shareCount.enumerated() where c != 0 && refs[Int32(t)] == nil {
            var v = Violation(.cowPteShares, "share count on a PTE table no PMD entry references")
            v.values = [.init("shareCount", Int64(c))]
            out.append(v)
        }
    }
}

extension World {
    /// `checkTouched` for an entry written in a table referenced
    /// write-protected: COWPTE-WRITABLE, and what the primary owner gets
    /// (RSS delta, entry checks) for every other process referencing it.
    func touchedCowPteEntry(_ i: Int, _ old: UInt64, _ new: UInt64, _ owner: TableOwner, _ recount: Bool,
                            _ ps: ProcSnapshot, _ k: EntryCheckConsts, _ sc: inout TouchedScratch,
                            _ out: inout [Violation]) {
        let E = PageTablePool.entries
        let a = owner.address(i % E)
        if new != 0 {
            let p = Int(owner.process)
            checkCowPteEntry(p < processes.count ? processes[p].pid : 0, a, new, &out)
        }
        guard let extra = tables.coOwners[Int32(i / E)] else { return }
        for q32 in extra {
            let q = Int(q32)
            guard q < processes.count, ps.live(q) else { continue }
            if !recount {
                let o = rssContribution(old, pmd: false), n = rssContribution(new, pmd: false)
                sc.delta[q].anon += n.anon - o.anon
                sc.delta[q].swap += n.swap - o.swap
            }
            if new != 0 {
                // The sharer's own VMA: its flags, and its vm_pgoff shift
                // (a VMA mremap'd before the fork) for RMAP-ADDR.
                let v = ps.vma(q, a)
                _ = checkEntry(q, ps.info[q].pid, a, new, pmd: false, vma: v.map { ps.vmas[$0].flags },
                               shift: v.map { ps.vmas[$0].shift } ?? 0, k, &out)
            }
        }
    }
}
