/// userfaultfd in write-protect mode (fs/userfaultfd.c, mm/userfaultfd.c
/// `mwriteprotect_range`, mm/mprotect.c `change_pte_range` with MM_CP_UFFD_WP /
/// MM_CP_UFFD_WP_RESOLVE) and the trap of `do_wp_page` (W1), with a default
/// monitor that resolves every trap at once. Spec: semantics §6.2, §3.2 W1,
/// §2.10, R-ACCT-3.
///
/// Not modelled: UFFD_WP PTE markers (WP_UNPOPULATED: protecting a none PTE
/// leaves nothing), async mode (W2), MISSING/MINOR modes, order-0 forcing of
/// armed VMAs, uffd-wp at PMD level (protecting a PMD-mapped THP splits it).

/// A write the monitor was told about: `handle_userfault(VM_UFFD_WP)`.
public struct UffdEvent: Hashable, Sendable {
    public var pid: Int32
    /// The faulting page's address.
    public var address: UInt64
    public var write: Bool
}

extension VMFlags {
    /// The registration's context has UFFD_FEATURE_EVENT_FORK: fork keeps the
    /// child's VM_UFFD_WP (§2.10). Model-only: the context's feature bit.
    public static let uffdForkEvent = VMFlags(rawValue: 1 << 10)
}

extension World {
    /// UFFDIO_REGISTER with UFFDIO_REGISTER_MODE_WP over [addr, addr + len):
    /// VM_UFFD_WP on the VMAs (split at the ends). `forkEvent`: the context was
    /// created with UFFD_FEATURE_EVENT_FORK.
    public mutating func uffdRegisterWP(_ pid: Int32, _ addr: UInt64, _ len: UInt64, forkEvent: Bool = false) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        splitVmas(p, start, end)
        for i in vmasIn(p, start, end) {
            processes[p].vmas[i].flags.insert(.uffdWp)
            if forkEvent { processes[p].vmas[i].flags.insert(.uffdForkEvent) } else { processes[p].vmas[i].flags.remove(.uffdForkEvent) }
        }
    }

    /// UFFDIO_UNREGISTER: the write protection is dropped (`uffd_wp_range(...,
    /// false)` in `userfaultfd_clear_vma`), then VM_UFFD_WP cleared.
    public mutating func uffdUnregister(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        splitVmas(p, start, end)
        for i in vmasIn(p, start, end) where processes[p].vmas[i].flags.contains(.uffdWp) {
            let v = processes[p].vmas[i]
            var a = v.start
            while a < v.end {
                uffdWpChangePte(p, i, a, protect: false)
                a += VA.pageSize
            }
            processes[p].vmas[i].flags.remove([.uffdWp, .uffdForkEvent])
        }
    }

    /// UFFDIO_WRITEPROTECT over [addr, addr + len), mode WP (`protect`) or 0.
    /// Every page must lie in a VM_UFFD_WP VMA (-ENOENT in the kernel: here
    /// `.invalidArgument`).
    public mutating func uffdWriteProtect(_ pid: Int32, _ addr: UInt64, _ len: UInt64, protect: Bool) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        var a = start
        while a < end {
            guard let vi = processes[p].vmaIndex(a), processes[p].vmas[vi].flags.contains(.uffdWp) else { throw .invalidArgument }
            a = processes[p].vmas[vi].end
        }
        a = start
        while a < end {
            guard let vi = processes[p].vmaIndex(a) else { throw .fault }
            uffdWpChangePte(p, vi, a, protect: protect)
            a += VA.pageSize
        }
    }

    /// `change_pte_range()` for one page under MM_CP_UFFD_WP (set UW, which
    /// write-protects; SUW on a swap PTE) or MM_CP_UFFD_WP_RESOLVE (clear UW /
    /// SUW; with MM_CP_TRY_CHANGE_WRITABLE, which `mwriteprotect_range` passes
    /// for a private VM_WRITE VMA, `can_change_pte_writable` may make the PTE
    /// writable: an AE anonymous page not pending soft-dirty tracking, §6.3).
    /// A PMD-mapped THP is split first (the kernel changes it at PMD level).
    mutating func uffdWpChangePte(_ p: Int, _ vi: Int, _ a: UInt64, protect: Bool) {
        if let ps = pmdSlot(p, a), fmt.pmdIsLeaf(tables.words[ps]) { splitHugePmd(p, a) }
        guard let s = pteSlot(p, a) else { return }
        let v = processes[p].vmas[vi]
        let old = Pte(tables.words[s])
        if fmt.isNone(old) { return }                         // no markers (WP_UNPOPULATED not modelled)
        if !fmt.isPresent(old) {
            tables.words[s] = (protect ? fmt.swpSet(old, .uffdWp) : fmt.swpClear(old, .uffdWp)).raw
            return
        }
        if protect {
            tables.words[s] = fmt.mkuffdWp(old).raw
            return
        }
        var new = fmt.clearUffdWp(old)
        if v.flags.contains(.write), !fmt.isWrite(new), !fmt.isProtnone(new), !needsSoftDirtyWp(v, new),
           let f = normalFrame(new), frames.flags(frames.head(f)).contains(.anon), frames.ae(f) {
            new = fmt.mkwrite(new)
        }
        tables.words[s] = new.raw
    }

    /// W1 of `do_wp_page()`: a write to a present PTE with UW in a VM_UFFD_WP
    /// VMA goes to the monitor (`handle_userfault`), which returns
    /// VM_FAULT_RETRY. The model's monitor is the typical one: it records the
    /// event and unprotects the page (UFFDIO_WRITEPROTECT, mode 0) before the
    /// fault returns. Returns whether the fault trapped.
    mutating func uffdWpTrap(_ p: Int, _ vi: Int, _ addr: UInt64, _ s: Int) -> Bool {
        guard processes[p].vmas[vi].flags.contains(.uffdWp), fmt.isUffdWp(Pte(tables.words[s])) else { return false }
        uffdEvents.append(UffdEvent(pid: processes[p].pid, address: addr, write: true))
        uffdWpChangePte(p, vi, addr, protect: false)
        return true
    }
}
