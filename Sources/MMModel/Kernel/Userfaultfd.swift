/// userfaultfd in write-protect mode (fs/userfaultfd.c, mm/userfaultfd.c
/// `mwriteprotect_range` / `uffd_wp_range`, mm/mprotect.c `change_pte_range`
/// with MM_CP_UFFD_WP / MM_CP_UFFD_WP_RESOLVE) and the trap of `do_wp_page`
/// (W1), with a default monitor that resolves every trap at once. Spec:
/// semantics §6.2, §3.2 W1/W2, §2.10, R-ACCT-3.
///
/// Modelled: registration (VM_UFFD_WP, the context's EVENT_FORK, WP_UNPOPULATED
/// and WP_ASYNC features kept as model-only VMA bits); protect / unprotect of
/// present PTEs (UW), swap PTEs (SUW) and, with WP_UNPOPULATED (6.4+), none
/// PTEs, which get a UFFD_WP PTE marker (page tables are allocated for them,
/// `pgtable_populate_needed`); unprotect drops a marker, and maps an AE page
/// writable from 6.3 (policy `uffdUnprotectUpgrade`); unregister is an
/// unprotect of the whole VMA. A fault on a marker in a VM_UFFD_WP VMA is a
/// missing-page fault whose new PTE carries UW (`vmf_orig_pte_uffd_wp`: a read
/// maps the zero page with UW, a write allocates an order-0 page with UW and
/// then traps on the retried access); in a VMA that lost VM_UFFD_WP the stale
/// marker is only cleared (`pte_marker_clear`). Zap (MADV_DONTNEED, munmap,
/// exit) drops markers of anonymous VMAs; MADV_PAGEOUT, MADV_FREE and mprotect
/// leave them; fork copies a marker only into a child VMA that keeps
/// VM_UFFD_WP (`copy_pte_marker`, EVENT_FORK), and copies page tables of such
/// a VMA even without an anon_vma (`vma_needs_copy`). Every armed VMA gets
/// order-0 folios at first touch and on the skip-swap-cache swap-in
/// (`alloc_anon_folio`, `alloc_swap_folio`: `userfaultfd_armed`); the PMD THP
/// fault path has no such test (live 6.18: a registered MADV_HUGEPAGE range
/// still gets a 2 MiB THP while its PMD is none). WP_ASYNC (6.7+): a write to
/// a protected page clears UW in place and continues (W2), no event.
/// Live 6.18 checks of all of this: docs/kernel-policy.md.
///
/// Not modelled: MISSING/MINOR modes, UFFDIO_COPY/ZEROPAGE, uffd-wp at PMD
/// level (protecting a PMD-mapped THP splits it here; the kernel keeps an
/// anonymous PMD whole), poison and guard markers, file/shmem markers left by
/// zap.

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
    /// The context has UFFD_FEATURE_WP_UNPOPULATED (`userfaultfd_wp_unpopulated`):
    /// protecting a none PTE installs a UFFD_WP marker. Model-only.
    public static let uffdWpUnpopulated = VMFlags(rawValue: 1 << 20)
    /// The context has UFFD_FEATURE_WP_ASYNC (`userfaultfd_wp_async`). Model-only.
    public static let uffdWpAsync = VMFlags(rawValue: 1 << 21)
    /// The context's feature bits, dropped with VM_UFFD_WP.
    public static let uffdContext: VMFlags = [.uffdForkEvent, .uffdWpUnpopulated, .uffdWpAsync]
}

/// The features of a userfaultfd context (`UFFDIO_API`), as the model keeps them.
public struct UffdFeatures: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// UFFD_FEATURE_EVENT_FORK: the child of a fork keeps VM_UFFD_WP (§2.10).
    public static let eventFork = UffdFeatures(rawValue: 1 << 0)
    /// UFFD_FEATURE_WP_UNPOPULATED (6.4+): markers on none PTEs.
    public static let wpUnpopulated = UffdFeatures(rawValue: 1 << 1)
    /// UFFD_FEATURE_WP_ASYNC (6.7+): writes resolve in the kernel; implies WP_UNPOPULATED.
    public static let wpAsync = UffdFeatures(rawValue: 1 << 2)
    public static let all: UffdFeatures = [.eventFork, .wpUnpopulated, .wpAsync]
}

extension World {
    /// UFFDIO_REGISTER with UFFDIO_REGISTER_MODE_WP over [addr, addr + len):
    /// VM_UFFD_WP on the VMAs (split at the ends). `forkEvent`: the context was
    /// created with UFFD_FEATURE_EVENT_FORK.
    public mutating func uffdRegisterWP(_ pid: Int32, _ addr: UInt64, _ len: UInt64, forkEvent: Bool = false) throws(MMMError) {
        try uffdRegisterWP(pid, addr, len, features: forkEvent ? .eventFork : [])
    }

    /// UFFDIO_REGISTER (MODE_WP) for a context with `features`. A feature the
    /// policy's kernel lacks is `.invalidArgument` (UFFDIO_API refuses an
    /// unknown feature with -EINVAL), as is a kernel without uffd-wp support
    /// (CONFIG_HAVE_ARCH_USERFAULTFD_WP). WP_ASYNC implies WP_UNPOPULATED
    /// (`userfaultfd_api`).
    public mutating func uffdRegisterWP(_ pid: Int32, _ addr: UInt64, _ len: UInt64, features: UffdFeatures) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        guard features.isSubset(of: .all), fmt.config.contains(.uffdWp),
              policy.uffdWpUnpopulated || !features.contains(.wpUnpopulated),
              policy.uffdWpAsync || !features.contains(.wpAsync) else { throw .invalidArgument }
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        var ctx: VMFlags = []
        if features.contains(.eventFork) { ctx.insert(.uffdForkEvent) }
        if features.contains(.wpUnpopulated) || features.contains(.wpAsync) { ctx.insert(.uffdWpUnpopulated) }
        if features.contains(.wpAsync) { ctx.insert(.uffdWpAsync) }
        splitVmas(p, start, end)
        for i in vmasIn(p, start, end) {
            processes[p].vmas[i].flags.remove(.uffdContext)
            processes[p].vmas[i].flags.formUnion(ctx.union(.uffdWp))
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
            processes[p].vmas[i].flags.remove(VMFlags.uffdContext.union(.uffdWp))
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
    /// write-protects; SUW on a swap PTE; a UFFD_WP marker on a none PTE when
    /// the context uses markers, `userfaultfd_wp_use_markers`, its page table
    /// allocated first) or MM_CP_UFFD_WP_RESOLVE (clear UW / SUW; drop a
    /// marker; with MM_CP_TRY_CHANGE_WRITABLE, which `uffd_wp_range` passes for
    /// a private VM_WRITE VMA from 6.3 on (policy `uffdUnprotectUpgrade`),
    /// `can_change_pte_writable` may make the PTE writable: an AE anonymous
    /// page not pending soft-dirty tracking, §6.3). A PMD-mapped THP is split
    /// first (the kernel changes it at PMD level).
    mutating func uffdWpChangePte(_ p: Int, _ vi: Int, _ a: UInt64, protect: Bool) {
        if let ps = pmdSlot(p, a), fmt.pmdIsLeaf(tables.words[ps]) { splitHugePmd(p, a) }
        let v = processes[p].vmas[vi]
        if protect && v.flags.contains(.uffdWpUnpopulated) && fmt.isNone(pteValue(p, a)) {
            guard let s = ensurePteSlot(p, a, .uffdWp) else { return }
            tables.words[s] = uffdWpMarker.raw
            return
        }
        guard var s = pteSlot(p, a) else { return }
        let old = Pte(tables.words[s])
        if fmt.isNone(old) { return }                          // without markers: nothing to protect
        s = writableSlot(p, a, s, .uffdWp)
        if !fmt.isPresent(old) {
            if fmt.kind(of: old) == .marker {
                if !protect { tables.words[s] = 0 }            // the next fault is a plain missing fault
                return
            }
            tables.words[s] = (protect ? fmt.swpSet(old, .uffdWp) : fmt.swpClear(old, .uffdWp)).raw
            return
        }
        if protect {
            tables.words[s] = fmt.mkuffdWp(old).raw
            return
        }
        var new = fmt.clearUffdWp(old)
        // Policy uffdUnprotectUpgrade: MM_CP_TRY_CHANGE_WRITABLE from 6.3; the
        // upgrade rule itself is mprotect's (policy mprotectUpgrade).
        if policy.uffdUnprotectUpgrade, v.flags.contains(.write), !fmt.isWrite(new), !fmt.isProtnone(new),
           !needsSoftDirtyWp(v, new), mprotectMayUpgrade(new),
           let f = normalFrame(new), frames.flags(frames.head(f)).contains(.anon), frames.ae(f) {
            new = fmt.mkwrite(new)
        }
        tables.words[s] = new.raw
    }

    /// `make_pte_marker(PTE_MARKER_UFFD_WP)`: swap type 31, offset 1.
    var uffdWpMarker: Pte { fmt.archSwpEntry(type: PteFormat.markerType, offset: UInt64(PteMarker.uffdWp.rawValue)) }

    /// `handle_pte_marker()` for a UFFD_WP marker (the model creates no other):
    /// in a VM_UFFD_WP VMA the fault is a missing-page fault whose new PTE gets
    /// UW (`pte_marker_handle_uffd_wp` → `do_pte_missing`); otherwise the stale
    /// marker is cleared and the fault returns (`pte_marker_clear`), so the
    /// retried access faults again on a none PTE.
    mutating func handleUffdWpMarker(_ p: Int, _ vi: Int, _ addr: UInt64, _ s: Int, write: Bool) throws(MMMError) -> FaultOutcome {
        guard processes[p].vmas[vi].flags.contains(.uffdWp) else {
            tables.words[s] = 0
            return .done(major: false)
        }
        return try doAnonymousPage(p, vi, addr, write: write, origUffdWp: true)
    }

    /// W1 of `do_wp_page()`: a write to a present PTE with UW in a VM_UFFD_WP
    /// VMA goes to the monitor (`handle_userfault`), which returns
    /// VM_FAULT_RETRY. The model's monitor is the typical one: it records the
    /// event and unprotects the page (UFFDIO_WRITEPROTECT, mode 0) before the
    /// fault returns. Returns whether the fault trapped.
    /// With WP_ASYNC (W2) the kernel clears UW itself, records nothing and the
    /// fault goes on (`do_wp_page` then reuses or copies).
    mutating func uffdWpTrap(_ p: Int, _ vi: Int, _ addr: UInt64, _ s: Int) -> Bool {
        guard processes[p].vmas[vi].flags.contains(.uffdWp), fmt.isUffdWp(Pte(tables.words[s])) else { return false }
        if processes[p].vmas[vi].flags.contains(.uffdWpAsync) {
            tables.words[s] = fmt.clearUffdWp(Pte(tables.words[s])).raw
            return false
        }
        uffdEvents.append(UffdEvent(pid: processes[p].pid, address: addr, write: true))
        uffdWpChangePte(p, vi, addr, protect: false)
        return true
    }
}
