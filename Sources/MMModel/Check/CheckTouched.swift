/// The incremental checker: audits only what changed since the last check,
/// from the writes the world records while tracking (`TrackedArray`: page-table
/// entries with their old values, frames' refcount / mapcount / metadata,
/// slots' counts and cache owners, freed folios). Every entry written is
/// checked; every folio and slot an entry named before or after, or whose own
/// state changed, is checked against an rmap walk; per-process counters are
/// checked from the entries' old and new contributions.
///
/// This file also holds check-after-each-operation: the public operations in
/// Kernel/ end with `afterOperation()`, the one call from a lower layer into
/// this one (issue 4 asks every operation to be checked when the option is on).

/// The counters as the last incremental check left them, so the next one can
/// compare their change with the change of the entries.
struct CheckBaseline: Sendable {
    var rss: [(anon: Int64, swap: Int64)] = []
    var hugeZero = 0
    /// Scratch of `checkTouched`: one bit per frame, all clear between checks.
    var headMarks: [UInt64] = []
}

extension World {
    /// Whether the world records what operations change, for `checkTouched`.
    /// Turning it on forgets earlier changes and takes the present counters as
    /// the baseline: run `check()` first if the state before is in doubt.
    public var tracksTouched: Bool {
        get { tables.words.tracking }
        set {
            tables.words.setTracking(newValue)
            tables.releasedSinceDrain = false
            frames.setTracking(newValue)
            swap.setTracking(newValue)
            resetBaseline()
        }
    }

    mutating func resetBaseline() {
        checkBaseline.rss = processes.map { ($0.rssAnon, $0.rssSwap) }
        checkBaseline.hugeZero = hugeZeroMappings
    }

    /// Runs the incremental check when check-after-each-operation is on and
    /// records what it finds in `violations`.
    mutating func afterOperation() {
        guard checkAfterEachOperation else { return }
        violations.append(contentsOf: checkTouched())
    }

    /// What check-after-each-operation found since the last call, in order;
    /// the world forgets it.
    public mutating func takeViolations() -> [Violation] {
        defer { violations = [] }
        return violations
    }

    /// The violations among what changed since the last `checkTouched` (or
    /// since tracking began), then forgets those changes. Falls back to the
    /// full `check()` when the world does not track changes.
    ///
    /// Finds what `check()` would find about the entries, folios and slots that
    /// changed; a violation already present before is reported again only if
    /// its place changes again.
    public mutating func checkTouched() -> [Violation] {
        guard tracksTouched else { return check() }
        var out: [Violation] = []
        var touchedFrames: [Int32] = []
        var touchedSlots: [Int] = []
        var delta = [(anon: Int64, swap: Int64)](repeating: (0, 0), count: processes.count)
        var hugeZeroDelta = 0

        // A method, not a nested function: a nested function capturing the
        // mutating `self` copied `frames` (a retain per array) at every call.
        func note(_ v: UInt64, pmd: Bool) {
            switch touchedTarget(v, pmd: pmd) {
            case .frame(let f): touchedFrames.append(f)
            case .slot(let s): touchedSlots.append(s)
            case .none: break
            }
        }

        // Entries: check the new value where it is; count what old and new name.
        let recount = tables.releasedSinceDrain
        for (k, i) in tables.words.written.enumerated() {
            let owner = tables.owners[i / PageTablePool.entries]
            guard owner.level <= 1 else { continue }
            let isPmd = owner.level == 1
            let old = tables.words.before[k], new = tables.words[i]
            note(old, pmd: isPmd)
            note(new, pmd: isPmd)
            let p = Int(owner.process)
            guard owner.live, p < processes.count, !processes[p].exited else { continue }
            if !recount {
                let o = rssContribution(old, pmd: isPmd), n = rssContribution(new, pmd: isPmd)
                delta[p].anon += n.anon - o.anon
                delta[p].swap += n.swap - o.swap
                hugeZeroDelta += n.hugeZero - o.hugeZero
            }
            if new == 0 { continue }
            let a = owner.address(i % PageTablePool.entries)
            if !isPmd || fmt.pmdIsLeaf(new) {
                _ = checkEntry(p, a, new, pmd: isPmd, &out)
            } else if !fmt.pmdIsTable(new) {
                var v = Violation(.encKind, "PMD entry that is neither a table nor a leaf")
                v.pid = processes[p].pid; v.address = a; v.entry = new
                out.append(v)
            }
        }

        // Frames whose own state changed.
        for i in frames.ref.written { touchedFrames.append(Int32(i)) }
        for i in frames.mapcount.written { touchedFrames.append(Int32(i)) }
        for i in frames.meta.written { touchedFrames.append(Int32(i)) }

        // Freed folios: no entry may still map them.
        for fr in frames.freedSinceDrain {
            var c = RmapCursor(first: fr.head, nr: Int(fr.nr), vpn: fr.index)
            while let m = rmapNext(&c) {
                guard !frames.isAllocated(m.page) else { continue }
                var v = Violation(.ptFreeFrame, "entry maps a free frame")
                v.pid = m.pid; v.address = m.address; v.entry = m.entry; v.pfn = m.pfn
                out.append(v)
            }
        }

        // Folios: each once, against an rmap walk.
        // Each head once: marked in a bitmap kept between checks (and cleared
        // after), then sorted for a stable order; cheaper than sorting every
        // frame noted, which after a fork is each frame four or five times.
        var heads: [Int32] = []
        if checkBaseline.headMarks.count < (frames.count + 63) >> 6 {
            checkBaseline.headMarks = [UInt64](repeating: 0, count: (frames.count + 63) >> 6)
        }
        for f in touchedFrames where Int(f) < frames.count && frames.isAllocated(f) {
            let h = frames.head(f)
            let w = Int(h) >> 6, b = UInt64(1) << UInt64(h & 63)
            if checkBaseline.headMarks[w] & b == 0 {
                checkBaseline.headMarks[w] |= b
                heads.append(h)
            }
        }
        for h in heads { checkBaseline.headMarks[Int(h) >> 6] = 0 }
        heads.sort()
        let pins = pinIndex()
        var last: Int32 = -1
        for h in heads where h != last {
            last = h
            checkFolio(h, rmapCount(h), pins, &out)
            if let cs = frames.swapCacheSlot[h] {
                for i in 0..<frames.nr(h) where Int(cs) + i < swap.slots { touchedSlots.append(Int(cs) + i) }
            }
        }

        // Slots: each once, against the swap PTEs where the slot's page lived.
        for i in swap.count.written { touchedSlots.append(i) }
        for i in swap.cache.written { touchedSlots.append(i) }
        touchedSlots.sort()
        var lastSlot = -1
        for s in touchedSlots where s != lastSlot && s > 0 {
            lastSlot = s
            let r: (count: UInt32, exclusive: UInt32) = swap.used[s] ? swapRmapCount(s) : (0, 0)
            checkSlot(s, refs: r.count, exclusive: r.exclusive, &out)
        }

        // Counters: their change against the entries' change (a recount when
        // tables were released and may have been reused).
        for p in processes.indices where !processes[p].exited {
            if recount {
                var anon: Int64 = 0, swp: Int64 = 0
                forEachLeaf(p) { _, raw, isPmd in
                    let c = rssContribution(raw, pmd: isPmd)
                    anon += c.anon; swp += c.swap
                } badPmd: { _, _ in }
                checkRss(p, anon: anon, swap: swp, &out)
            } else {
                let base: (anon: Int64, swap: Int64) = p < checkBaseline.rss.count ? checkBaseline.rss[p] : (0, 0)
                checkRss(p, anon: base.anon + delta[p].anon, swap: base.swap + delta[p].swap, &out)
            }
        }
        if recount {
            var found = 0
            for p in processes.indices where !processes[p].exited {
                forEachLeaf(p) { _, raw, isPmd in found += rssContribution(raw, pmd: isPmd).hugeZero } badPmd: { _, _ in }
            }
            checkHugeZero(found, &out)
        } else {
            checkHugeZero(checkBaseline.hugeZero + hugeZeroDelta, &out)
        }

        tables.words.drain()
        tables.releasedSinceDrain = false
        frames.drain()
        swap.drain()
        resetBaseline()
        return dedupe(out)
    }

    /// What an entry value names, for `checkTouched`: a frame of memory, a
    /// swap slot, or nothing.
    enum TouchedTarget { case none, frame(Int32), slot(Int) }

    func touchedTarget(_ v: UInt64, pmd: Bool) -> TouchedTarget {
        if v == 0 || (pmd && !fmt.pmdIsLeaf(v)) { return .none }
        let pte = pmd ? fmt.pteOfPmd(v) : Pte(v)
        switch fmt.kind(of: pte) {
        case .present:
            if let f = frames.frame(ofPfn: fmt.pfn(pte)) { return .frame(f) }
        case .swap:
            let s = Int(fmt.archSwpOffset(pte))
            if s > 0 && s < swap.slots { return .slot(s) }
        default: break
        }
        return .none
    }

    /// The mappings of folio `h` as its rmap walk finds them.
    func rmapCount(_ h: Int32) -> FolioMappings {
        var m = FolioMappings(ptes: [Int32](repeating: 0, count: frames.nr(h)), offset: 0, pmds: 0, mms: [:])
        let large = frames.order(h) > 0
        var c = rmapCursor(folio: h)
        while let x = rmapNext(&c) {
            if x.isPmd { m.pmds += 1 } else { m.ptes[Int(x.page - h)] += 1 }
            if large { m.mms[processes[x.process].mmId, default: 0] += 1 }
        }
        return m
    }

    /// Drops repeated reports of one rule at one place, keeping the first.
    func dedupe(_ vs: [Violation]) -> [Violation] {
        var seen = Set<Violation>()
        return vs.filter { seen.insert($0).inserted }
    }
}
