/// Test-only hooks that break COW PTE table state (`KernelPolicy.cowPte`) on
/// purpose, one kind of damage each, for the COWPTE-* checker rules. Like the
/// hooks of World+Testing.swift they run no checker and note what they change.
extension World {
    /// The pool index of the PMD entry of `pid` for `addr`; traps when missing.
    private func testingPmdSlot(_ pid: Int32, _ addr: UInt64) -> Int {
        guard let ps = pmdSlot(Int(pid) - 1, addr) else { preconditionFailure("testing hook: no PMD at \(hex0x(addr))") }
        return ps
    }

    /// Writes `raw` into the PTE slot for `addr` where it is, without breaking
    /// a shared COW PTE table first (what a path that forgot to break would do).
    @_spi(Testing) public mutating func testingSetPteInPlace(_ pid: Int32, _ addr: UInt64, _ raw: UInt64) {
        guard let s = pteSlot(Int(pid) - 1, addr) else { preconditionFailure("testing hook: no PTE table") }
        tables.words[s] = raw
    }

    /// Moves the share count of the PTE table `pid` maps `addr` through.
    @_spi(Testing) public mutating func testingAdjustShareCount(_ pid: Int32, _ addr: UInt64, by d: Int32) {
        let t = Int(fmt.tableIndex(tables.words[testingPmdSlot(pid, addr)]))
        tables.shareCount[t] += d
        tables.sharingChangedSinceDrain = true
    }

    /// Removes `pid` from the owners of the PTE table it maps `addr` through,
    /// leaving its PMD entry: a break that forgot to repoint the PMD.
    @_spi(Testing) public mutating func testingForgetTableOwner(_ pid: Int32, _ addr: UInt64) {
        let t = fmt.tableIndex(tables.words[testingPmdSlot(pid, addr)])
        let p = Int32(pid - 1)
        var rest = tables.coOwners[t] ?? []
        if tables.owners[Int(t)].process == p, !rest.isEmpty {
            tables.owners[Int(t)].process = rest.removeFirst()
        } else if let k = rest.firstIndex(of: p) {
            rest.remove(at: k)
        }
        tables.coOwners[t] = rest.isEmpty ? nil : rest
        tables.sharingChangedSinceDrain = true
    }

    /// Share count of the PTE table `pid` maps `addr` through, and whether
    /// its PMD entry is write-protected (tests only).
    @_spi(Testing) public func testingCowPteTable(_ pid: Int32, _ addr: UInt64) -> (shareCount: Int32, writeProtected: Bool, table: Int32) {
        let e = tables.words[testingPmdSlot(pid, addr)]
        guard fmt.pmdIsTable(e) else { return (0, false, -1) }
        return (tables.shareCount[Int(fmt.tableIndex(e))], fmt.pmdTableIsWriteProtected(e), fmt.tableIndex(e))
    }
}
