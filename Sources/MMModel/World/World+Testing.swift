/// Test-only hooks that break the world's state on purpose, one kind of damage
/// each, so tests can show that the checker catches what it claims (issue 4,
/// item 5). None of them is an operation: they run no checker, and they note
/// what they change so that `checkTouched` sees it as it would see a change
/// made by an operation. Nothing outside tests should call them.
extension World {
    /// The frame mapped at `addr` in `pid` (for a PMD: the page at `addr`).
    private func testingFrame(_ pid: Int32, _ addr: UInt64) -> Int32 {
        guard let p = process(pid).map({ _ in Int(pid) - 1 }), let f = mappedFrame(p, addr & ~(VA.pageSize - 1)) else {
            preconditionFailure("testing hook: nothing mapped at \(hex0x(addr))")
        }
        return f
    }

    /// Records a folio as changed for `checkTouched` (for state kept outside
    /// the tracked arrays: large-folio counters, swap-cache slots).
    private mutating func testingTouch(_ f: Int32) { frames.ref.note(Int(f)..<(Int(f) + 1)) }

    /// Sets or clears AnonExclusive on the page mapped at `addr`.
    @_spi(Testing) public mutating func testingSetAnonExclusive(_ pid: Int32, _ addr: UInt64, _ on: Bool) {
        frames.setAE(testingFrame(pid, addr), on)
    }

    /// Moves the refcount of the folio mapped at `addr`.
    @_spi(Testing) public mutating func testingAdjustRefcount(_ pid: Int32, _ addr: UInt64, by d: Int32) {
        frames.ref[Int(frames.head(testingFrame(pid, addr)))] += d
    }

    /// Moves the mapcount of the page mapped at `addr` (and a large folio's
    /// large mapcount with it, so only the page's count is off).
    @_spi(Testing) public mutating func testingAdjustMapcount(_ pid: Int32, _ addr: UInt64, by d: Int32, large: Bool = true) {
        let f = testingFrame(pid, addr)
        frames.mapcount[Int(f)] += d
        let h = frames.head(f)
        if large && frames.order(h) > 0 { frames.large[h]!.lmap += d }
    }

    /// The raw PTE at `addr` (0 when none or PMD-mapped).
    @_spi(Testing) public func testingPte(_ pid: Int32, _ addr: UInt64) -> UInt64 {
        pteValue(Int(pid) - 1, addr).raw
    }

    /// Writes `raw` into the PTE slot for `addr`, allocating page tables.
    @_spi(Testing) public mutating func testingSetPte(_ pid: Int32, _ addr: UInt64, _ raw: UInt64) {
        guard let s = ensurePteSlot(Int(pid) - 1, addr) else { preconditionFailure("testing hook: PMD leaf") }
        tables.words[s] = raw
    }

    /// Writes `raw` into the PMD slot for `addr` (a leaf or none), allocating upper tables.
    @_spi(Testing) public mutating func testingSetPmd(_ pid: Int32, _ addr: UInt64, _ raw: UInt64) {
        tables.words[ensurePmdSlot(Int(pid) - 1, addr)] = raw
    }

    /// Moves MM_ANONPAGES / MM_SWAPENTS of `pid`.
    @_spi(Testing) public mutating func testingAdjustRss(_ pid: Int32, anon: Int64 = 0, swap swp: Int64 = 0) {
        processes[Int(pid) - 1].rssAnon += anon
        processes[Int(pid) - 1].rssSwap += swp
    }

    /// Moves the swap count of `slot`.
    @_spi(Testing) public mutating func testingAdjustSwapCount(_ slot: Int, by d: Int32) {
        swap.count[slot] = UInt32(Int64(swap.count[slot]) + Int64(d))
    }

    /// Changes the flags of the folio mapped at `addr`.
    @_spi(Testing) public mutating func testingSetFolioFlags(_ pid: Int32, _ addr: UInt64, insert: FolioFlags = [],
                                                              remove: FolioFlags = []) {
        let h = frames.head(testingFrame(pid, addr))
        frames.insertFlags(h, insert)
        frames.removeFlags(h, remove)
    }

    /// Sets the "maybe mapped shared" bit of the large folio mapped at `addr`.
    @_spi(Testing) public mutating func testingSetMMShared(_ pid: Int32, _ addr: UInt64, _ shared: Bool) {
        let h = frames.head(testingFrame(pid, addr))
        frames.large[h]!.shared = shared
        testingTouch(h)
    }

    /// Moves the pincount of the large folio mapped at `addr`.
    @_spi(Testing) public mutating func testingAdjustPincount(_ pid: Int32, _ addr: UInt64, by d: Int32) {
        let h = frames.head(testingFrame(pid, addr))
        frames.large[h]!.pincount += d
        testingTouch(h)
    }

    /// Sets the linear page index of the folio mapped at `addr`.
    @_spi(Testing) public mutating func testingSetFolioIndex(_ pid: Int32, _ addr: UInt64, _ index: UInt64) {
        let h = frames.head(testingFrame(pid, addr))
        frames.setIndex(h, index)
        testingTouch(h)
    }

    /// Frees the folio mapped at `addr` while its entries stay.
    @_spi(Testing) public mutating func testingFreeFolio(_ pid: Int32, _ addr: UInt64) {
        let h = frames.head(testingFrame(pid, addr))
        frames.free(h)
    }

    /// The PFN of some free frame.
    @_spi(Testing) public func testingFreePfn() -> UInt64 {
        var f: Int32 = Int32(frames.count - 1)
        while frames.isAllocated(f) { f -= 1 }
        return frames.pfn(f)
    }

    /// Changes the flags of the VMA containing `addr`.
    @_spi(Testing) public mutating func testingSetVmaFlags(_ pid: Int32, _ addr: UInt64, insert: VMFlags = [],
                                                            remove: VMFlags = []) {
        let p = Int(pid) - 1
        guard let vi = processes[p].vmaIndex(addr) else { preconditionFailure("testing hook: no VMA") }
        processes[p].vmas[vi].flags.formUnion(insert)
        processes[p].vmas[vi].flags.subtract(remove)
        testingTouchEntries(p, processes[p].vmas[vi])
    }

    /// Removes the VMA containing `addr`, leaving its page tables as they are.
    @_spi(Testing) public mutating func testingRemoveVma(_ pid: Int32, _ addr: UInt64) {
        let p = Int(pid) - 1
        guard let vi = processes[p].vmaIndex(addr) else { preconditionFailure("testing hook: no VMA") }
        let v = processes[p].vmas.remove(at: vi)
        testingTouchEntries(p, v)
    }

    /// Records every entry in `v`'s range as changed.
    private mutating func testingTouchEntries(_ p: Int, _ v: VMA) {
        var a = v.start
        while a < v.end {
            if let ps = pmdSlot(p, a), fmt.pmdIsLeaf(tables.words[ps]) { tables.words.note(ps..<(ps + 1)) }
            if let s = pteSlot(p, a) { tables.words.note(s..<(s + 1)) }
            a += VA.pageSize
        }
    }
}

/// Test-only fault injection: each member makes one kernel rule of the model
/// wrong, by a one-line `if` where the rule lives, so tests can show that the
/// explorer (Scenario/Explore.swift) finds the violation it causes and shrinks
/// it. The kernel has nothing like it; nothing outside tests may set it.
@_spi(Testing) public struct InjectedFaults: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// fork's `copy_nonpresent_pte()` forgets to clear the exclusive bit of a
    /// swap PTE in the parent (so the child gets it too): INV-9.
    public static let forkKeepsSwapExclusive = InjectedFaults(rawValue: 1 << 0)
    /// `wp_can_reuse_anon_folio()` reuses a small folio whatever its refcount:
    /// a page still mapped by a forked child becomes writable (INV-14).
    public static let wpReuseIgnoresRefcount = InjectedFaults(rawValue: 1 << 1)
}
