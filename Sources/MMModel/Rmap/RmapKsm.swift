/// The rmap of KSM folios: `rmap_walk_ksm()` (mm/ksm.c) over the stable
/// node's rmap_items instead of the anon_vma's linear addresses. The model's
/// rmap_items are the addresses `Frames.ksm` keeps per KSM folio
/// (World/KsmIndex.swift); each is looked at in every live process, as the
/// kernel looks at every VMA of the item's anon_vma covering it. Spec:
/// semantics §1.8, §5.1. Cost: O(processes × addresses).
extension World {
    /// `rmapNext` for a KSM folio: processes in pid order, the folio's
    /// addresses in ascending order; a KSM folio is order 0 and
    /// only PTE-mapped.
    func ksmRmapNext(_ c: inout RmapCursor) -> RmapMapping? {
        let vpns = c.ksm ?? []
        let want = frames.pfn(c.first)
        while c.process < processes.count {
            let p = c.process
            if !processes[p].exited {
                while c.page < vpns.count {
                    let a = vpns[c.page] << VA.pageShift
                    c.page += 1
                    guard a < VA.userTop, processes[p].vmaIndex(a) != nil, let s = pteSlot(p, a) else { continue }
                    let pte = Pte(tables.words[s])
                    if fmt.isPresent(pte), !fmt.isSpecial(pte), fmt.pfn(pte) == want {
                        return RmapMapping(pid: processes[p].pid, address: a, entry: pte.raw, isPmd: false,
                                           pfn: want, process: p, slot: s, page: c.first)
                    }
                }
            }
            c.process += 1
            c.page = 0
        }
        return nil
    }

    /// `swapRmapCount` for a slot a KSM folio was written to: its swap PTEs
    /// sit at the addresses the folio was mapped at (`SwapDevice.ksmVpns`).
    func ksmSwapRmapCount(_ slot: Int, _ vpns: [UInt64]) -> (count: UInt32, exclusive: UInt32) {
        var n: UInt32 = 0, sx: UInt32 = 0
        for p in processes.indices where !processes[p].exited {
            for v in vpns {
                let a = v << VA.pageShift
                guard a < VA.userTop, processes[p].vmaIndex(a) != nil else { continue }
                let pte = pteValue(p, a)
                guard fmt.kind(of: pte) == .swap, fmt.archSwpType(pte) == 0, Int(fmt.archSwpOffset(pte)) == slot else { continue }
                n += 1
                if fmt.swpTest(pte, .exclusive) { sx += 1 }
            }
        }
        return (n, sx)
    }

    /// Whether a KSM folio's rmap_items include `a` (the checker's RMAP-ADDR
    /// for KSM pages).
    func ksmMapsAt(_ head: Int32, _ a: UInt64) -> Bool {
        frames.ksm.vpns[head].map { sortedContains($0, a >> VA.pageShift) } ?? false
    }

    /// For a slot a KSM folio was written to, whether a swap PTE naming it may
    /// sit at `a`; nil for other slots.
    func ksmSlotNamedAt(_ slot: Int, _ a: UInt64) -> Bool? {
        guard !swap.ksmVpns.isEmpty, let v = swap.ksmVpns[slot] else { return nil }
        return sortedContains(v, a >> VA.pageShift)
    }
}
