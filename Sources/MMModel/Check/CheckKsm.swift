/// The incremental checker's view of KSM folios: their mappings are where
/// the stable node's rmap_items are (`Frames.ksm`, Rmap/RmapKsm.swift), not
/// at their linear index. Reads the world only. Spec: semantics §1.8, §8.
extension World {
    /// `countMappings` for KSM folio `h` (order 0, PTE-mapped only): the
    /// mappings `ksmRmapNext` finds, over the live processes of `ps`.
    func ksmCountMappings(_ h: Int32, _ ps: ProcSnapshot, _ sc: inout TouchedScratch) -> FolioMappings {
        if sc.ptes.isEmpty { sc.ptes = [Int32](repeating: 0, count: 512) }
        var n: Int32 = 0
        let want = frames.pfn(h)
        ksmForEachEntry(frames.ksm.vpns[h] ?? [], ps) { _, _, v in
            let pte = Pte(v)
            if fmt.isPresent(pte), !fmt.isSpecial(pte), fmt.pfn(pte) == want { n += 1 }
        }
        sc.ptes[0] = n
        return FolioMappings(ptes: sc.ptes, offset: 0, pmds: 0, mms: sc.mms, mmN: 0)
    }

    /// Freed KSM folios: an entry at one of their addresses still mapping a
    /// frame that is free is a violation (PT-FREE-FRAME).
    func ksmCheckFreed(_ ps: ProcSnapshot, _ out: inout [Violation]) {
        for fr in frames.ksm.freedSinceDrain where !frames.isAllocated(fr.head) {
            let pfn = frames.pfn(fr.head)
            ksmForEachEntry(fr.vpns, ps) { p, a, v in
                let pte = Pte(v)
                guard fmt.isPresent(pte), !fmt.isSpecial(pte), fmt.pfn(pte) == pfn else { return }
                var x = Violation(.ptFreeFrame, "entry maps a free frame")
                x.pid = ps.info[p].pid; x.address = a; x.entry = v; x.pfn = pfn
                out.append(x)
            }
        }
    }

    /// Calls `body` with (process index, address, PTE) for every PTE at one
    /// of `vpns` inside a VMA of a live process of `ps`.
    func ksmForEachEntry(_ vpns: [UInt64], _ ps: ProcSnapshot, _ body: (Int, UInt64, UInt64) -> Void) {
        for p in ps.liveList {
            for vpn in vpns {
                let a = vpn << VA.pageShift
                guard a < VA.userTop, ps.vma(p, a) != nil, let s = pmdSlot(pgd: ps.info[p].pgd, a) else { continue }
                let e = tables.words[s]
                guard e != 0, fmt.pmdIsTable(e) else { continue }
                body(p, a, tables.words[Int(fmt.tableIndex(e)) * PageTablePool.entries + VA.index(a, level: 0)])
            }
        }
    }
}
