/// The access path: what the CPU does on a load or store, and the fault
/// dispatcher (`handle_mm_fault` → `handle_pte_fault`) with its accounting
/// (`mm_account_fault`). Spec: semantics §3.1, §7.1, §7.5.

/// How a completed fault ended, for accounting.
enum FaultOutcome {
    /// Completed; `major` when a folio had to be read from the swap device.
    case done(major: Bool)
    /// VM_FAULT_RETRY after a userfaultfd trap the monitor resolved (`major`:
    /// the attempt had swapped the page in first). Not counted (R-ACCT-3).
    case retry(major: Bool)
}

extension World {
    // MARK: Public access API

    /// Reads the token of the page containing `addr` as process `pid` would,
    /// taking whatever faults the kernel would. Throws `.fault` for an address
    /// outside every VMA or a VMA without read access (SIGSEGV: nothing counted,
    /// state unchanged), `.noMemory` when a fault cannot allocate.
    public mutating func read(_ pid: Int32, _ addr: UInt64) throws(MMMError) -> UInt64 {
        defer { afterOperation() }
        let p = try checkPid(pid)
        return try accessPage(p, addr & ~(VA.pageSize - 1), write: false, value: 0)
    }

    /// Writes `value` as the token of the page containing `addr`.
    public mutating func write(_ pid: Int32, _ addr: UInt64, _ value: UInt64) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        _ = try accessPage(p, addr & ~(VA.pageSize - 1), write: true, value: value)
    }

    /// Reads (and then, with `write`, writes `value` to) every page of
    /// [addr, addr + len), in address order. Stops at the first page that
    /// fails; the pages before it stay done, like a process killed at that access.
    public mutating func access(_ pid: Int32, _ addr: UInt64, _ len: UInt64, read doRead: Bool, write doWrite: Bool,
                                value: UInt64 = 0) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        guard len > 0, addr < VA.userTop, len <= VA.userTop - addr else { throw .invalidArgument }
        var a = addr & ~(VA.pageSize - 1)
        while a < addr + len {
            if doRead { _ = try accessPage(p, a, write: false, value: 0) }
            if doWrite { _ = try accessPage(p, a, write: true, value: value) }
            a += VA.pageSize
        }
    }

    // MARK: The CPU's side

    /// One access to one page: succeed through the page tables when they allow
    /// it (setting A, and D on a write, as x86-64 and arm64 hardware do), else
    /// take a fault and try again.
    mutating func accessPage(_ p: Int, _ addr: UInt64, write: Bool, value: UInt64) throws(MMMError) -> UInt64 {
        guard let vi = processes[p].vmaIndex(addr) else { throw .fault }
        let flags = processes[p].vmas[vi].flags
        // Access errors are raised before handle_mm_fault: not counted (R-ACCT-1).
        guard write ? flags.contains(.write) : !flags.isDisjoint(with: [.read, .write]) else { throw .fault }
        for _ in 0..<4 {
            if let token = hardwareAccess(p, addr, write: write, value: value) { return token }
            var outcome = try handleMMFault(p, vi, addr, write: write, unshare: false)
            if case .retry(let major) = outcome {
                // R-ACCT-3, per-VMA-lock path: the trapped attempt is not counted; the
                // re-run under mmap_lock is, major (FAULT_FLAG_TRIED) only when the
                // first attempt was major.
                outcome = try handleMMFault(p, vi, addr, write: write, unshare: false)
                if major, case .done = outcome { outcome = .done(major: true) }
            }
            accountFault(p, outcome)
        }
        // A path that leaves the PTE unusable after four faults is a model bug.
        preconditionFailure("MMModel: access at \(hex0x(addr)) did not complete")
    }

    /// The access through the page tables, or nil when it must fault.
    mutating func hardwareAccess(_ p: Int, _ addr: UInt64, write: Bool, value: UInt64) -> UInt64? {
        guard let ps = pmdSlot(p, addr) else { return nil }
        let pmd = tables.words[ps]
        if fmt.pmdIsLeaf(pmd) {
            let pte = fmt.pteOfPmd(pmd)
            guard fmt.isPresent(pte), !fmt.isProtnone(pte), !write || fmt.isWrite(pte) else { return nil }
            var hw = fmt.mkyoung(pte)
            if write { hw = hwMkdirty(hw) }
            tables.words[ps] = fmt.pmdLeaf(hw)
            let pfn = fmt.pfn(pte) + ((addr >> VA.pageShift) & 511)
            return touchFrame(pfn, write: write, value: value)
        }
        guard let s = pteSlot(p, addr) else { return nil }
        let pte = Pte(tables.words[s])
        guard fmt.isPresent(pte), !fmt.isProtnone(pte), !write || fmt.isWrite(pte) else { return nil }
        var hw = fmt.mkyoung(pte)
        if write { hw = hwMkdirty(hw) }
        tables.words[s] = hw.raw
        return touchFrame(fmt.pfn(pte), write: write, value: value)
    }

    /// What the hardware sets on a store through a writable PTE: the dirty bit
    /// (x86-64 D; arm64 DBM clears RDONLY). It does not set soft-dirty.
    func hwMkdirty(_ p: Pte) -> Pte {
        switch fmt.arch {
        case .x86_64: return Pte(p.raw | 0x40)
        case .arm64: return Pte(p.raw & ~UInt64(0x80))
        }
    }

    mutating func touchFrame(_ pfn: UInt64, write: Bool, value: UInt64) -> UInt64 {
        guard let f = frames.frame(ofPfn: pfn) else { return 0 }     // the zero pages read 0
        if write { frames.token[Int(f)] = value }
        return frames.token[Int(f)]
    }

    // MARK: The kernel's side

    /// `mm_account_fault()`: one completed fault counts once, major when a folio
    /// came from the device (R-ACCT-1, §7.2).
    mutating func accountFault(_ p: Int, _ outcome: FaultOutcome) {
        switch outcome {
        case .done(let major):
            if major { processes[p].counters.major += 1 } else { processes[p].counters.minor += 1 }
        case .retry:
            break
        }
    }

    /// `handle_mm_fault()` for one address: the PMD level, then `handle_pte_fault`.
    mutating func handleMMFault(_ p: Int, _ vi: Int, _ addr: UInt64, write: Bool, unshare: Bool) throws(MMMError) -> FaultOutcome {
        let ps = ensurePmdSlot(p, addr)
        let pmd = tables.words[ps]
        if pmd == 0, thpOrderAllowed(processes[p].vmas[vi], order: WorldConfig.pmdOrder),
           pmdRangeFits(processes[p].vmas[vi], addr) {
            if let outcome = try doHugePmdAnonymousPage(p, vi, addr, write: write) { return outcome }
        } else if fmt.pmdIsLeaf(pmd) {
            if write || unshare {
                if let outcome = try doHugePmdWpPage(p, vi, addr, unshare: unshare) { return outcome }
                // Fallback: the PMD was split; handle the fault at PTE level.
            } else {
                tables.words[ps] = fmt.pmdLeaf(fmt.mkyoung(fmt.pteOfPmd(pmd)))
                return .done(major: false)
            }
        }
        return try handlePteFault(p, vi, addr, write: write, unshare: unshare)
    }

    /// `handle_pte_fault()` (R-WP-2): none → anonymous fault; not present → swap
    /// in; a write or unshare on a read-only PTE → `do_wp_page`; otherwise the
    /// access bits only.
    mutating func handlePteFault(_ p: Int, _ vi: Int, _ addr: UInt64, write: Bool, unshare: Bool) throws(MMMError) -> FaultOutcome {
        guard let s = ensurePteSlot(p, addr, faultBreakCause(p, addr, write: write, unshare: unshare)) else {
            preconditionFailure("PMD leaf after fallback")
        }
        let pte = Pte(tables.words[s])
        if fmt.isNone(pte) { return try doAnonymousPage(p, vi, addr, write: write) }
        if fmt.kind(of: pte) == .marker { return try handleUffdWpMarker(p, vi, addr, s, write: write) }
        if !fmt.isPresent(pte) { return try doSwapPage(p, vi, addr, s, write: write) }
        if (write || unshare) && !fmt.isWrite(pte) { return try doWpPage(p, vi, addr, s, unshare: unshare) }
        var v = fmt.mkyoung(pte)
        if write { v = fmt.mkdirty(v) }
        tables.words[s] = v.raw
        return .done(major: false)
    }

    /// Why a fault at `addr` would break a COW PTE table (`KernelPolicy.cowPte`),
    /// from the entry there now; `.anonFault` when there is no COW table.
    @inline(__always)
    func faultBreakCause(_ p: Int, _ addr: UInt64, write: Bool, unshare: Bool) -> CowPteBreakCause {
        guard let s = pteSlot(p, addr), inCowPteTable(s) else { return .anonFault }
        let pte = Pte(tables.words[s])
        if fmt.isNone(pte) { return .anonFault }
        if !fmt.isPresent(pte) { return .swapIn }
        return unshare ? .unshareFault : write ? .writeFault : .other
    }

    // MARK: THP eligibility (thp_vma_allowable_orders)

    /// Whether folios of `order` may back faults in `vma`: the per-size setting,
    /// falling back to the top-level one for `inherit`, with MADV_HUGEPAGE /
    /// MADV_NOHUGEPAGE advice.
    func thpOrderAllowed(_ vma: VMA, order: Int) -> Bool {
        // THP_ORDERS_ALL_ANON leaves out order 1 (no hugepages-8kB/enabled for anon).
        guard order >= 2, order <= WorldConfig.pmdOrder, !vma.flags.contains(.noHugepage) else { return false }
        var setting = config.thpOrders[order]
        if setting == .inherit { setting = config.thpEnabled }
        switch setting {
        case .always: return true
        case .madvise: return vma.flags.contains(.hugepage)
        case .never, .inherit: return false
        }
    }

    /// Whether the 2 MiB-aligned range around `addr` lies inside the VMA.
    func pmdRangeFits(_ vma: VMA, _ addr: UInt64) -> Bool {
        let start = addr & ~(VA.pmdSize - 1)
        return start >= vma.start && start + VA.pmdSize <= vma.end
    }
}
