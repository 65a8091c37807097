/// The full audit: every page table of every live process, every folio and
/// every swap slot, against spec §8 and the encoding rules (`CheckRules`).
/// Costs O(page-table entries + frames + slots); reads the world only.
extension World {
    /// Every violation in the world, in a stable order: entries by process and
    /// address, then per-process counters, folios by PFN, slots by number.
    /// Empty when the state is one the kernel could be in at a quiescent point.
    /// Context: reads the world; changes nothing.
    public func check() -> [Violation] {
        var out: [Violation] = []
        var ptes = [Int32](repeating: 0, count: frames.count)
        var pmds: [Int32: Int32] = [:]
        var mms: [Int32: [Int32: Int32]] = [:]
        var refs = [UInt32](repeating: 0, count: swap.slots)
        var sx: [Int: UInt32] = [:]
        var hugeZero = 0
        let k = entryCheckConsts()
        for p in processes.indices where !processes[p].exited {
            let mm = processes[p].mmId, pid = processes[p].pid
            var vmas = VMALookup(processes[p].vmas)
            var anon: Int64 = 0, swp: Int64 = 0
            forEachLeaf(p) { a, raw, isPmd in
                let c = rssContribution(raw, pmd: isPmd)
                anon += c.anon; swp += c.swap; hugeZero += c.hugeZero
                let vi = vmas.find(a)
                let vma = vi.map { vmas.flags[$0] }
                switch checkEntry(p, pid, a, raw, pmd: isPmd, vma: vma, shift: vi.map { vmas.shifts[$0] } ?? 0, k, &out) {
                case .nothing, .hugeZero: break
                case .page(let f):
                    ptes[Int(f)] += 1
                    let h = frames.head(f)
                    if frames.order(h) > 0 { mms[h, default: [:]][mm, default: 0] += 1 }
                case .pmd(let h):
                    pmds[h, default: 0] += 1
                    mms[h, default: [:]][mm, default: 0] += 1
                case .slot(let s, let exclusive):
                    refs[s] += 1
                    if exclusive { sx[s, default: 0] += 1 }
                }
            } badPmd: { a, raw in
                var v = Violation(.encKind, "PMD entry that is neither a table nor a leaf")
                v.pid = processes[p].pid; v.address = a; v.entry = raw
                out.append(v)
            }
            checkRss(p, anon: anon, swap: swp, &out)
        }
        checkHugeZero(hugeZero, &out)
        checkCowPteTables(&out)
        let pins = pinIndex()
        var f: Int32 = 0
        while Int(f) < frames.count {
            guard frames.isAllocated(f) else { f += 1; continue }
            let h = frames.head(f)
            let n = frames.nr(h)
            if h == f {
                checkFolio(h, FolioMappings(ptes: ptes, offset: Int(h), pmds: pmds[h] ?? 0, mms: mms[h] ?? [:]), pins, &out)
            }
            f = h + Int32(n)
        }
        for s in 1..<swap.slots { checkSlot(s, refs: refs[s], exclusive: sx[s] ?? 0, &out) }
        return out
    }

    /// Calls `leaf` for every non-none PTE and every PMD leaf of process index
    /// `p` (a PMD with the 2 MiB-aligned address), in address order, and
    /// `badPmd` for a PMD-level value that is neither table nor leaf.
    func forEachLeaf(_ p: Int, _ leaf: (UInt64, UInt64, Bool) -> Void, badPmd: (UInt64, UInt64) -> Void) {
        let E = PageTablePool.entries
        forEachPmdEntry(p) { ps, a1 in
            let e1 = tables.words[ps]
            if fmt.pmdIsTable(e1) {
                let pt = Int(fmt.tableIndex(e1)) * E
                for i0 in 0..<E {
                    let v = tables.words[pt + i0]
                    if v != 0 { leaf(a1 | UInt64(i0) << 12, v, false) }
                }
            } else if fmt.pmdIsLeaf(e1) {
                leaf(a1, e1, true)
            } else {
                badPmd(a1, e1)
            }
        }
    }

    /// INV-17 for one process, given what its page tables hold.
    func checkRss(_ p: Int, anon: Int64, swap swp: Int64, _ out: inout [Violation]) {
        let rssAnon = processes[p].rssAnon, rssSwap = processes[p].rssSwap   // not a copy of the Process
        if anon != rssAnon {
            var v = Violation(.inv17, "MM_ANONPAGES differs from the pages mapped")
            v.pid = processes[p].pid; v.values = [.init("rss", rssAnon), .init("mapped", anon)]
            out.append(v)
        }
        if swp != rssSwap {
            var v = Violation(.inv17, "MM_SWAPENTS differs from the swap PTEs")
            v.pid = processes[p].pid; v.values = [.init("rss", rssSwap), .init("swap PTEs", swp)]
            out.append(v)
        }
    }

    /// INV-12's accounting half: the huge zero page's mapping count.
    func checkHugeZero(_ found: Int, _ out: inout [Violation]) {
        if found != hugeZeroMappings {
            var v = Violation(.inv12, "huge zero page mappings differ from its PMDs")
            v.values = [.init("counted", Int64(hugeZeroMappings)), .init("PMDs", Int64(found))]
            out.append(v)
        }
    }
}
