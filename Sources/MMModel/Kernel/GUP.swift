/// GUP: FOLL_PIN pins (long-term, read-only or read-write), `unpin`, and the
/// MADV_POPULATE_* faults, all charged to the calling process (R-ACCT-2).
/// Spec: semantics §1.6, §3.7 (R-UNS-1, R-UNS-2), R-PIN-1..5.

/// One `pin_user_pages()` call: the pages it pinned.
public struct Pin: Sendable {
    public let owner: Int32
    public let write: Bool
    /// The pinned frames, one per page.
    public internal(set) var frames: [Int32]
}

extension World {
    /// Pins [addr, addr + len) of `pid` as `pin_user_pages(FOLL_PIN | FOLL_LONGTERM
    /// [| FOLL_WRITE])` would: each page is faulted in first (a write fault for a
    /// write pin; an unshare fault for a read pin of a page that is not AE, or of
    /// the zero page), then pinned: +1024 references on a small folio, +1
    /// reference and +1 pincount on a large one. Returns the pin id.
    public mutating func pin(_ pid: Int32, _ addr: UInt64, _ len: UInt64, write: Bool) throws(MMMError) -> Int32 {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        var a = start
        while a < end {               // permissions first, so a refused pin changes nothing
            guard let vi = processes[p].vmaIndex(a) else { throw .fault }
            let fl = processes[p].vmas[vi].flags
            guard write ? fl.contains(.write) : !fl.isDisjoint(with: [.read, .write]) else { throw .fault }
            a += VA.pageSize
        }
        var pinned: [Int32] = []
        a = start
        while a < end {
            let f = try faultInForPin(p, a, write: write)
            pinned.append(f)
            a += VA.pageSize
        }
        processes[p].hasPinned = true
        for f in pinned {
            let head = frames.head(f)
            if frames.order(head) > 0 {
                frames.ref[Int(head)] += 1
                frames.large[head, default: LargeFolioState()].pincount += 1
            } else {
                frames.ref[Int(head)] += 1024
            }
        }
        let id = nextPinId
        nextPinId += 1
        pins[id] = Pin(owner: processes[p].pid, write: write, frames: pinned)
        return id
    }

    /// Releases a pin (`unpin_user_pages`).
    public mutating func unpin(_ id: Int32) throws(MMMError) {
        defer { afterOperation() }
        guard let pin = pins[id] else { throw .invalidArgument }
        pins[id] = nil
        for f in pin.frames {
            let head = frames.head(f)
            if frames.order(head) > 0 {
                frames.large[head, default: LargeFolioState()].pincount -= 1
                putFolio(head)
            } else {
                putFolio(head, 1024)
            }
        }
    }

    /// The pins held by a process.
    public func pinIds(of pid: Int32) -> [Int32] {
        pins.filter { $0.value.owner == pid }.map(\.key).sorted()
    }

    /// `faultin_page()` until the page satisfies the pin (`gup_must_unshare`);
    /// returns the frame to pin.
    mutating func faultInForPin(_ p: Int, _ a: UInt64, write: Bool) throws(MMMError) -> Int32 {
        for _ in 0..<4 {
            guard let vi = processes[p].vmaIndex(a) else { throw .fault }
            if let f = gupFrame(p, a, write: write) { return f }
            let needUnshare = !write && policy.anonExclusive && presentMapping(p, a)   // Policy: unshare is 5.19+
            let outcome = try handleMMFault(p, vi, a, write: write, unshare: needUnshare)
            accountFault(p, outcome)
        }
        preconditionFailure("MMModel: GUP at \(hex0x(a)) did not complete")
    }

    /// Whether a present PTE or PMD maps `a`.
    func presentMapping(_ p: Int, _ a: UInt64) -> Bool {
        let pmd = pmdValue(p, a)
        if fmt.pmdIsLeaf(pmd) { return fmt.isPresent(fmt.pteOfPmd(pmd)) }
        return fmt.isPresent(pteValue(p, a))
    }

    /// The frame GUP may pin at `a` without faulting, or nil: a write pin needs a
    /// writable mapping; a read pin needs an AE anonymous page (R-UNS-1) and
    /// unshares the zero page (long-term pins).
    func gupFrame(_ p: Int, _ a: UInt64, write: Bool) -> Int32? {
        let pmd = pmdValue(p, a)
        var pte: Pte
        var pfn: UInt64
        if fmt.pmdIsLeaf(pmd) {
            pte = fmt.pteOfPmd(pmd)
            pfn = fmt.pfn(pte) + ((a >> VA.pageShift) & 511)
        } else {
            pte = pteValue(p, a)
            guard fmt.isPresent(pte) else { return nil }
            pfn = fmt.pfn(pte)
        }
        guard fmt.isPresent(pte), !fmt.isProtnone(pte), let f = frames.frame(ofPfn: pfn) else { return nil }
        if write { return fmt.isWrite(pte) ? f : nil }
        let h = frames.head(f)
        let ae = fmt.pmdIsLeaf(pmd) ? frames.ae(h) : frames.ae(f)
        return ae || !policy.anonExclusive ? f : nil       // Policy: ≤ 5.18 pins any present page
    }

    /// MADV_POPULATE_READ / MADV_POPULATE_WRITE: fault the range in through GUP
    /// (no unshare), faults charged to `pid`.
    public mutating func populate(_ pid: Int32, _ addr: UInt64, _ len: UInt64, write: Bool) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        var a = start
        while a < end {
            guard let vi = processes[p].vmaIndex(a) else { throw .fault }
            let fl = processes[p].vmas[vi].flags
            guard write ? fl.contains(.write) : !fl.isDisjoint(with: [.read, .write]) else { throw .fault }
            var tries = 0
            while !populated(p, a, write: write) && tries < 4 {
                let outcome = try handleMMFault(p, vi, a, write: write, unshare: false)
                accountFault(p, outcome)
                tries += 1
            }
            a += VA.pageSize
        }
    }

    func populated(_ p: Int, _ a: UInt64, write: Bool) -> Bool {
        let pmd = pmdValue(p, a)
        let pte = fmt.pmdIsLeaf(pmd) ? fmt.pteOfPmd(pmd) : pteValue(p, a)
        return fmt.isPresent(pte) && (!write || fmt.isWrite(pte))
    }
}
