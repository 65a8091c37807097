/// mprotect of private anonymous memory (mm/mprotect.c: `change_pte_range`,
/// `can_change_pte_writable`). Spec: semantics §6.3 (6.2+: an AE page may be
/// made writable directly, dirty or not).
public enum Protection: UInt32, Sendable {
    case none = 0, read = 1, readWrite = 3
}

extension World {
    public mutating func mprotect(_ pid: Int32, _ addr: UInt64, _ len: UInt64, _ prot: Protection) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        func newFlags(_ old: VMFlags) -> VMFlags {
            var fl = old
            fl.remove([.read, .write])
            if prot != .none { fl.insert(.read) }
            if prot == .readWrite { fl.insert(.write) }
            return fl
        }
        // mprotect_fixup(): a VMA whose flags would not change is left as it
        // is — not split, its PTEs not walked (no writable upgrade either).
        guard processes[p].vmas.contains(where: { $0.start < end && $0.end > start && newFlags($0.flags) != $0.flags })
        else { return }
        splitVmas(p, start, end)
        for i in vmasIn(p, start, end) {
            let fl = newFlags(processes[p].vmas[i].flags)
            if fl == processes[p].vmas[i].flags { continue }
            processes[p].vmas[i].flags = fl
            let v = processes[p].vmas[i]
            changeProtection(p, v)
        }
    }

    /// `change_protection()` over a VMA: each present PTE gets the new
    /// protection (`pte_modify`); in a writable VMA an AE anonymous page not
    /// under uffd-wp or pending soft-dirty tracking is made writable at once.
    mutating func changeProtection(_ p: Int, _ v: VMA) {
        var a = v.start
        while a < v.end {
            if let ps = pmdSlot(p, a), fmt.pmdIsLeaf(tables.words[ps]) {
                let start = a & ~(VA.pmdSize - 1)
                if start >= v.start && start + VA.pmdSize <= v.end {
                    changeHugePmd(v, ps)                 // whole PMD: changed in place
                    a = start + VA.pmdSize
                    continue
                }
                splitHugePmd(p, a)                       // part of it: remapped by PTEs (R-MAP-6)
            }
            if var s = pteSlot(p, a) {
                let old = Pte(tables.words[s])
                if fmt.isPresent(old) {
                    s = writableSlot(p, a, s, .mprotect)
                    var new = fmt.modify(old, baseProt(v.flags))
                    if v.flags.contains(.write), let f = normalFrame(new), frames.ae(f), mprotectMayUpgrade(old),
                       !fmt.isUffdWp(new), !needsSoftDirtyWp(v, new) {
                        new = fmt.mkwrite(new)
                    }
                    tables.words[s] = new.raw
                }
            }
            a += VA.pageSize
        }
    }
}

extension World {
    /// `change_huge_pmd()`: the PMD leaf gets the new protection; in a writable
    /// VMA an AE THP (head flag) is made writable at once
    /// (`can_change_pmd_writable`); the huge zero page never is.
    mutating func changeHugePmd(_ v: VMA, _ ps: Int) {
        var new = fmt.modify(fmt.pteOfPmd(tables.words[ps]), baseProt(v.flags))
        if v.flags.contains(.write), let f = frames.frame(ofPfn: fmt.pfn(new)), frames.ae(frames.head(f)),
           mprotectMayUpgrade(new), !fmt.isUffdWp(new), !needsSoftDirtyWp(v, new) {
            new = fmt.mkwrite(new)
        }
        tables.words[ps] = fmt.pmdLeaf(new)
    }
}

extension PteFormat {
    /// `pte_modify()`: the PFN and the bits a protection change keeps (x86-64
    /// `_PAGE_CHG_MASK`: cache bits, special, accessed, dirty, soft-dirty,
    /// uffd-wp; arm64: everything outside the permission and attribute fields,
    /// hardware dirtiness first saved in PTE_DIRTY) with `prot`'s other bits.
    public func modify(_ p: Pte, _ prot: Pte) -> Pte {
        switch arch {
        case .x86_64:
            let keep: UInt64 = 0x18 | X86.special | X86.accessed | X86.dirty | X86.savedDirty
                | X86.softDirty | X86.uffdWp
            var v = (p.raw & keep) | (prot.raw & ~keep & ~pfnMask)
            v = x86SavedDirtyShift(v)                 // no Write=0, Dirty=1 result
            return withPfn(Pte(v), pfn(p))
        case .arm64:
            var v = p.raw
            if isHwDirtyArm64(v) { v |= Arm64.dirty }
            let mask: UInt64 = Arm64.user | (1 << 53) | Arm64.uxn | Arm64.rdonly | Arm64.ng | Arm64.valid
                | Arm64.write | (1 << 50) | 0x1C | (0x7 << 60)
            return Pte((v & ~mask) | (prot.raw & mask))
        }
    }
}
