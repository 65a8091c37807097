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

/// From how many touched folios `checkTouched` counts mappings with one scan
/// of the page tables rather than a walk per folio.
let bulkCheckFolios = 256

/// MM_ANONPAGES and MM_SWAPENTS, or a change of them.
struct RssPair: Sendable, Equatable {
    var anon: Int64 = 0
    var swap: Int64 = 0
}

/// The counters as the last incremental check left them, so the next one can
/// compare their change with the change of the entries; and the checker's
/// scratch, kept between checks so that a warm check allocates nothing.
struct CheckBaseline: Sendable {
    /// The counters by process index (those of exited processes are stale).
    var rss: [RssPair] = []
    var hugeZero = 0
    /// The scratch, in a box so that taking it out for a check moves one
    /// reference; a world copied shares it until its next check, which then
    /// takes a fresh box (`checkTouched` uses it only when uniquely referenced).
    var box = CheckScratchBox()
}

/// The checker's scratch (see `CheckBaseline.box`). Mutated only by the
/// world holding the one reference.
final class CheckScratchBox: @unchecked Sendable {
    /// One bit per frame and one per slot, all clear between checks.
    var headMarks: [UInt64] = []
    var slotMarks: [UInt64] = []
    var scratch = TouchedScratch()
    var procs = ProcSnapshot()
    /// `pinIndex()` as of `World.pinsGeneration == pinsGeneration`: pins
    /// change rarely, so the index is rebuilt only when they did.
    var pins = PinIndex()
    var pinsGeneration: UInt64? = nil
}

/// Lists and counters of one `checkTouched`, emptied (not freed) after it.
struct TouchedScratch: Sendable {
    /// Frames noted, then the heads of the allocated ones, each once, sorted.
    var frames: [Int] = []
    /// Slots noted, then each once, sorted.
    var slots: [Int] = []
    /// Change of each live process's counters, as its entries say.
    var delta: [RssPair] = []
    /// Mappings of the folio being checked: per page, and per MM.
    var ptes: [Int32] = []
    var mms: [MMCount] = []
    var bulk = BulkScratch()
}

/// The bulk count (`World.bulkCount`): by frame, the touched folio (index into
/// the list of heads, -1 for none) and the PTEs counted (both reset after
/// use); by touched folio, whether it needs its own walk and its mappings by
/// MM (`stride` slots each).
struct BulkScratch: Sendable {
    var owner: [Int32] = []
    var ptes: [Int32] = []
    var walk: [Bool] = []
    var perProc: [Int32] = []
    var seen: [Int] = []
    var mms: [MMCount] = []
    var mmN: [Int] = []
    var stride = 0
    var pmdRegions: [UInt64] = []
}

/// One process as a check sees it; its VMAs are `vmas[vFirst..<vLimit]`.
struct ProcInfo: Sendable {
    var live = false
    var pid: Int32 = 0
    var mmId: Int32 = 0
    var pgd: Int32 = 0
    var vFirst = 0
    var vLimit = 0
    /// Its `remapShifts` are `shifts[sFirst..<sLimit]` (mremap).
    var sFirst = 0
    var sLimit = 0
    /// `Process.layoutGeneration` when read.
    var generation: UInt64 = 0
}

struct VMARange: Sendable {
    var start: UInt64
    var end: UInt64
    var flags: VMFlags
    var shift: Int64 = 0
}

/// The processes as one check sees them, read once so that walks neither
/// copy a `Process` nor visit exited ones. By process index; only the
/// entries of live processes are current.
struct ProcSnapshot: Sendable {
    var info: [ProcInfo] = []
    /// Indices of the live processes, in order.
    var liveList: [Int] = []
    var vmas: [VMARange] = []
    var shifts: [Int64] = []

    /// The pass's shift for process `p`: 0 for pass 0, then its `remapShifts`.
    @inline(__always) func shift(_ p: Int, pass k: Int) -> Int64 { k == 0 ? 0 : shifts[info[p].sFirst + k - 1] }
    @inline(__always) func passes(_ p: Int) -> Int { 1 + info[p].sLimit - info[p].sFirst }

    /// Reads the processes: the VMAs of the live ones. An exited process
    /// stays a zombie at its index (only `exit` sets `exited`, and processes
    /// are only appended), so only those live at the last load and those
    /// created since are looked at. Nothing is read again when no process
    /// was created or exited and the live ones' VMA bounds, flags and pgoff
    /// shifts and mremap shifts are as read (compared only for a process
    /// whose `layoutGeneration` moved: faults rewrite a VMA's anon_vma and
    /// readahead state, which the check does not read).
    mutating func load(_ processes: [Process]) {
        let n = processes.count
        if n == info.count {
            let same = processes.withUnsafeBufferPointer { pr in
                for p in liveList {
                    if pr[p].exited { return false }
                    if pr[p].layoutGeneration == info[p].generation { continue }
                    guard sameLayout(pr[p], info[p]) else { return false }
                    info[p].generation = pr[p].layoutGeneration
                }
                return true
            }
            if same { return }
        }
        var prevN = info.count
        if prevN > n { info = []; liveList = []; prevN = 0 }
        if prevN < n { info.append(contentsOf: repeatElement(ProcInfo(), count: n - prevN)) }
        if !vmas.isEmpty { vmas.removeAll(keepingCapacity: true) }
        if !shifts.isEmpty { shifts.removeAll(keepingCapacity: true) }
        processes.withUnsafeBufferPointer { pr in
            @inline(__always) func take(_ p: Int) -> Bool {
                guard !pr[p].exited else { info[p].live = false; return false }
                let first = vmas.count, sFirst = shifts.count
                for v in pr[p].vmas { vmas.append(VMARange(start: v.start, end: v.end, flags: v.flags, shift: v.pgoffShift)) }
                shifts.append(contentsOf: pr[p].remapShifts)
                info[p] = ProcInfo(live: true, pid: pr[p].pid, mmId: pr[p].mmId, pgd: pr[p].pgd,
                                   vFirst: first, vLimit: vmas.count, sFirst: sFirst, sLimit: shifts.count,
                                   generation: pr[p].layoutGeneration)
                return true
            }
            let old = liveList.count
            var kept = 0
            for j in 0..<old {
                let p = liveList[j]
                if take(p) { liveList[kept] = p; kept += 1 }
            }
            if kept < old { liveList.removeLast(old - kept) }
            for p in prevN..<n where take(p) { liveList.append(p) }
        }
    }

    /// Whether `pr`'s VMAs and mremap shifts are what `load` read into `i`.
    private func sameLayout(_ pr: Process, _ i: ProcInfo) -> Bool {
        guard pr.vmas.count == i.vLimit - i.vFirst, pr.remapShifts.count == i.sLimit - i.sFirst else { return false }
        for (k, v) in pr.vmas.enumerated() {
            let r = vmas[i.vFirst + k]
            if v.start != r.start || v.end != r.end || v.flags != r.flags || v.pgoffShift != r.shift { return false }
        }
        for (k, x) in pr.remapShifts.enumerated() where shifts[i.sFirst + k] != x { return false }
        return true
    }

    @inline(__always) func live(_ p: Int) -> Bool { info[p].live }

    /// `Process.vmaIndex` of live process `p`, as an index into `vmas`.
    @inline(__always) func vma(_ p: Int, _ a: UInt64) -> Int? {
        var lo = info[p].vFirst, hi = info[p].vLimit
        let end = hi
        while lo < hi {
            let mid = (lo + hi) / 2
            if vmas[mid].end <= a { lo = mid + 1 } else { hi = mid }
        }
        return lo < end && a >= vmas[lo].start && a < vmas[lo].end ? lo : nil
    }
}

/// Whether sorted `list` holds `x`.
func binaryContains(_ list: [UInt64], _ x: UInt64) -> Bool {
    var lo = 0, hi = list.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if list[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo < list.count && list[lo] == x
}

/// Sorts `list` of values below `marks.count * 64` and drops repeats, with
/// `marks` (clear before and after): by the bitmap's order when the list is
/// long, by sorting when it is short.
func uniqueSorted(_ list: inout [Int], _ marks: inout [UInt64]) {
    var n = 0
    for j in 0..<list.count {
        let x = list[j]
        let w = x >> 6, b = UInt64(1) << UInt64(x & 63)
        if marks[w] & b == 0 { marks[w] |= b; list[n] = x; n += 1 }
    }
    list.removeLast(list.count - n)
    if n > 64 && n * 8 > marks.count {
        list.removeAll(keepingCapacity: true)
        for w in marks.indices where marks[w] != 0 {
            var m = marks[w]
            marks[w] = 0
            while m != 0 {
                list.append(w << 6 | m.trailingZeroBitCount)
                m &= m - 1
            }
        }
    } else {
        for x in list { marks[x >> 6] = 0 }
        if n > 1 { list.sort() }
    }
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
            tables.sharingChangedSinceDrain = false
            frames.setTracking(newValue)
            swap.setTracking(newValue)
            resetBaseline()
        }
    }

    mutating func resetBaseline() {
        checkBaseline.box = CheckScratchBox()
        checkBaseline.rss.removeAll(keepingCapacity: true)
        for p in processes.indices {
            checkBaseline.rss.append(RssPair(anon: processes[p].rssAnon, swap: processes[p].rssSwap))
        }
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
        // The baseline and scratch leave the world while in use, and the check
        // itself reads the world only: a call from a mutating method to a
        // reading one copied the whole World (a retain per array) each time.
        if !isKnownUniquelyReferenced(&checkBaseline.box) { checkBaseline.box = CheckScratchBox() }
        let box = checkBaseline.box
        if box.pinsGeneration != pinsGeneration {
            box.pins = pinIndex()
            box.pinsGeneration = pinsGeneration
        }
        let out = touchedViolations(&box.scratch, &box.procs, &box.headMarks, &box.slotMarks,
                                    checkBaseline.rss, checkBaseline.hugeZero, box.pins)
        tables.words.drain()
        tables.releasedSinceDrain = false
        tables.sharingChangedSinceDrain = false
        frames.drain()
        swap.drain()
        // The new baseline: the counters of the processes that can have changed.
        let n = processes.count
        if checkBaseline.rss.count > n || box.procs.info.count != n {
            resetBaseline()
            return out
        }
        while checkBaseline.rss.count < n { checkBaseline.rss.append(RssPair()) }
        for p in box.procs.liveList {
            let now = RssPair(anon: processes[p].rssAnon, swap: processes[p].rssSwap)
            if checkBaseline.rss[p] != now { checkBaseline.rss[p] = now }
        }
        checkBaseline.hugeZero = hugeZeroMappings
        return out
    }

    /// `checkTouched` before it forgets the changes. Reads the world only.
    private func touchedViolations(_ sc: inout TouchedScratch, _ ps: inout ProcSnapshot,
                                   _ headMarks: inout [UInt64], _ slotMarks: inout [UInt64],
                                   _ baseRss: [RssPair], _ baseHugeZero: Int, _ pins: PinIndex) -> [Violation] {
        var out: [Violation] = []
        ps.load(processes)
        if !sc.frames.isEmpty { sc.frames.removeAll(keepingCapacity: true) }
        if !sc.slots.isEmpty { sc.slots.removeAll(keepingCapacity: true) }
        if sc.delta.count != processes.count { sc.delta = [RssPair](repeating: RssPair(), count: processes.count) }
        for p in ps.liveList where sc.delta[p] != RssPair() { sc.delta[p] = RssPair() }
        var hugeZeroDelta = 0

        // Entries: check the new value where it is; count what old and new name.
        // COW PTE tables (KernelPolicy.cowPte) becoming shared or broken move
        // whole tables in or out of processes without entry writes: recount.
        let recount = tables.releasedSinceDrain || tables.sharingChangedSinceDrain
        let nWritten = tables.words.written.count
        if nWritten > 0 {
            let k = entryCheckConsts()
            let E = PageTablePool.entries
            var lastV = -1          // the VMA of the last entry checked (entries come in runs)
            for j in 0..<nWritten {
                let i = tables.words.written[j]
                let owner = tables.owners[i / E]
                guard owner.level <= 1 else { continue }
                let isPmd = owner.level == 1
                let old = tables.words.before[j], new = tables.words[i]
                noteTargets(old, new, pmd: isPmd, &sc)
                if !isPmd && tables.shareCount[i / E] != 0 {
                    touchedCowPteEntry(i, old, new, owner, recount, ps, k, &sc, &out)
                }
                let p = Int(owner.process)
                guard owner.live, p < processes.count, ps.live(p) else { continue }
                if !recount {
                    let o = rssContribution(old, pmd: isPmd), n = rssContribution(new, pmd: isPmd)
                    if o != n {
                        sc.delta[p].anon += n.anon - o.anon
                        sc.delta[p].swap += n.swap - o.swap
                        hugeZeroDelta += n.hugeZero - o.hugeZero
                    }
                }
                if new == 0 { continue }
                let a = owner.address(i % E)
                if !isPmd || fmt.pmdIsLeaf(new) {
                    if !(lastV >= ps.info[p].vFirst && lastV < ps.info[p].vLimit
                         && a >= ps.vmas[lastV].start && a < ps.vmas[lastV].end) {
                        lastV = ps.vma(p, a) ?? -1
                    }
                    _ = checkEntry(p, ps.info[p].pid, a, new, pmd: isPmd, vma: lastV >= 0 ? ps.vmas[lastV].flags : nil,
                                   shift: lastV >= 0 ? ps.vmas[lastV].shift : 0, k, &out)
                } else if !fmt.pmdIsTable(new) {
                    var v = Violation(.encKind, "PMD entry that is neither a table nor a leaf")
                    v.pid = ps.info[p].pid; v.address = a; v.entry = new
                    out.append(v)
                }
            }
        }

        // Frames whose own state changed.
        for i in frames.ref.written { sc.frames.append(i) }
        for i in frames.mapcount.written { sc.frames.append(i) }
        for i in frames.meta.written { sc.frames.append(i) }

        // Freed folios: no entry may still map them.
        if !frames.freedSinceDrain.isEmpty { checkFreed(ps, &out) }

        // Folios: each head once, in order, against an rmap walk.
        if !sc.frames.isEmpty {
            var n = 0
            for j in 0..<sc.frames.count {
                let f = sc.frames[j]
                guard f < frames.count && frames.isAllocated(Int32(f)) else { continue }
                sc.frames[n] = Int(frames.head(Int32(f)))
                n += 1
            }
            sc.frames.removeLast(sc.frames.count - n)
            if headMarks.count < (frames.count + 63) >> 6 {
                headMarks = [UInt64](repeating: 0, count: (frames.count + 63) >> 6)
            }
            uniqueSorted(&sc.frames, &headMarks)
            if sc.mms.count < processes.count {
                sc.mms = [MMCount](repeating: MMCount(id: 0, count: 0), count: processes.count)
            }
            // Many folios (fork, exit): one scan of the page tables counts
            // them all; otherwise, and for a folio the scan leaves, a walk.
            let bulk = sc.frames.count >= bulkCheckFolios && bulkCount(ps, &sc)
            var j = 0
            while j < sc.frames.count {
                let h = Int32(sc.frames[j])
                j += 1
                if bulk && !sc.bulk.walk[j - 1] {
                    let b = (j - 1) * sc.bulk.stride, n = sc.bulk.mmN[j - 1]
                    for k in 0..<n { sc.mms[k] = sc.bulk.mms[b + k] }
                    checkFolio(h, FolioMappings(ptes: sc.bulk.ptes, offset: Int(h), pmds: 0, mms: sc.mms, mmN: n), pins, &out)
                } else {
                    checkFolio(h, countMappings(h, ps, &sc), pins, &out)
                }
                if !frames.swapCacheSlot.isEmpty, let cs = frames.swapCacheSlot[h] {
                    for i in 0..<frames.nr(h) where Int(cs) + i < swap.slots { sc.slots.append(Int(cs) + i) }
                }
            }
        }

        if sc.bulk.stride > 0 { endBulk(&sc) }
        if tables.sharingChangedSinceDrain { checkCowPteTables(&out) }

        // Slots: each once, in order, against the swap PTEs where the slot's page lived.
        for i in swap.count.written where i > 0 { sc.slots.append(i) }
        for i in swap.cache.written where i > 0 { sc.slots.append(i) }
        if !sc.slots.isEmpty {
            if slotMarks.count < (swap.slots + 63) >> 6 {
                slotMarks = [UInt64](repeating: 0, count: (swap.slots + 63) >> 6)
            }
            uniqueSorted(&sc.slots, &slotMarks)
            for s in sc.slots {
                let r: (count: UInt32, exclusive: UInt32) = swap.used[s] ? countSwapRefs(s, ps) : (0, 0)
                checkSlot(s, refs: r.count, exclusive: r.exclusive, &out)
            }
        }

        // Counters: their change against the entries' change (a recount when
        // tables were released and may have been reused).
        if recount {
            var found = 0
            for p in ps.liveList {
                var anon: Int64 = 0, swp: Int64 = 0
                forEachLeaf(p) { _, raw, isPmd in
                    let c = rssContribution(raw, pmd: isPmd)
                    anon += c.anon; swp += c.swap; found += c.hugeZero
                } badPmd: { _, _ in }
                checkRss(p, anon: anon, swap: swp, &out)
            }
            checkHugeZero(found, &out)
        } else {
            for p in ps.liveList {
                let base = p < baseRss.count ? baseRss[p] : RssPair()
                checkRss(p, anon: base.anon + sc.delta[p].anon, swap: base.swap + sc.delta[p].swap, &out)
            }
            checkHugeZero(baseHugeZero + hugeZeroDelta, &out)
        }
        return out.count > 1 ? dedupe(out) : out
    }

    /// Notes the frame or slot an entry value names (`touchedTarget`).
    @inline(__always) func noteTarget(_ v: UInt64, pmd: Bool, _ sc: inout TouchedScratch) {
        switch touchedTarget(v, pmd: pmd) {
        case .frame(let f): sc.frames.append(Int(f))
        case .slot(let s): sc.slots.append(s)
        case .none: break
        }
    }

    /// `noteTarget` of an entry's old and new value; a frame or slot both
    /// name (fork write-protecting a PTE, an access bit) is noted once.
    @inline(__always) func noteTargets(_ old: UInt64, _ new: UInt64, pmd: Bool, _ sc: inout TouchedScratch) {
        let o = touchedTarget(old, pmd: pmd), n = touchedTarget(new, pmd: pmd)
        switch (o, n) {
        case (.frame(let a), .frame(let b)) where a == b: sc.frames.append(Int(a))
        case (.slot(let a), .slot(let b)) where a == b: sc.slots.append(a)
        default:
            note(o, &sc)
            note(n, &sc)
        }
    }

    @inline(__always) func note(_ t: TouchedTarget, _ sc: inout TouchedScratch) {
        switch t {
        case .frame(let f): sc.frames.append(Int(f))
        case .slot(let s): sc.slots.append(s)
        case .none: break
        }
    }

    /// Freed folios: an entry the rmap finds mapping a page of one that is
    /// still free is a violation.
    func checkFreed(_ ps: ProcSnapshot, _ out: inout [Violation]) {
        if !frames.ksm.freedSinceDrain.isEmpty { ksmCheckFreed(ps, &out) }               // CheckKsm.swift
        for fr in frames.freedSinceDrain {
            forEachMapping(first: fr.head, nr: Int(fr.nr), vpn: fr.index, ps) { p, a, entry, _, pfn, page in
                guard !frames.isAllocated(page) else { return }
                var v = Violation(.ptFreeFrame, "entry maps a free frame")
                v.pid = ps.info[p].pid; v.address = a; v.entry = entry; v.pfn = pfn
                out.append(v)
            }
        }
    }

    /// What an entry value names, for `checkTouched`: a frame of memory, a
    /// swap slot, or nothing.
    enum TouchedTarget { case none, frame(Int32), slot(Int) }

    @inline(__always)
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

    /// The mappings of folio `h` as its rmap walk finds them (`rmapNext`
    /// over the folio, counted), in `sc`'s lists: the result shares them, so
    /// let it go before the next call.
    func countMappings(_ h: Int32, _ ps: ProcSnapshot, _ sc: inout TouchedScratch) -> FolioMappings {
        if frames.flags(h).contains(.ksm) && frames.ksm.vpns[h] != nil { return ksmCountMappings(h, ps, &sc) }   // CheckKsm.swift
        let n = frames.nr(h)
        if sc.ptes.count < n { sc.ptes = [Int32](repeating: 0, count: max(n, 512)) }
        let large = frames.order(h) > 0
        var pmds: Int32 = 0
        var mmN = 0
        var curP = -1, curN: Int32 = 0          // mappings by the process being walked
        sc.ptes.withUnsafeMutableBufferPointer { pt in
            for i in 0..<n { pt[i] = 0 }
            sc.mms.withUnsafeMutableBufferPointer { mms in
                // Adds the count of process `curP` to its MM's.
                func flush() {
                    guard curN > 0 else { return }
                    let id = ps.info[curP].mmId
                    var k = 0
                    while k < mmN && mms[k].id != id { k += 1 }
                    if k == mmN { mms[k] = MMCount(id: id, count: 0); mmN += 1 }
                    mms[k].count += curN
                }
                forEachMapping(first: h, nr: n, vpn: frames.index(h), ps) { p, _, _, isPmd, _, page in
                    if isPmd { pmds += 1 } else { pt[Int(page - h)] += 1 }
                    if large {
                        if p != curP { flush(); curP = p; curN = 0 }
                        curN += 1
                    }
                }
                if large { flush() }
            }
        }
        return FolioMappings(ptes: sc.ptes, offset: 0, pmds: pmds, mms: sc.mms, mmN: mmN)
    }

    /// Counts the mappings of every folio in `sc.frames` (sorted heads) as
    /// their rmap walks would, with one scan of each live process's page
    /// tables: a present PTE counts for the touched folio holding the frame it
    /// maps when it sits at that page's linear address inside a VMA (what the
    /// walk looks at); a folio with a page in a 2 MiB range where some process
    /// has a PMD leaf is marked for its own walk. Returns false, counting
    /// nothing, when two folios claim one frame (only a broken state does).
    func bulkCount(_ ps: ProcSnapshot, _ sc: inout TouchedScratch) -> Bool {
        if vmasMoved { return false }           // mremap: mappings away from the index; walk each folio
        let nHeads = sc.frames.count
        let L = max(ps.liveList.count, 1)
        if sc.bulk.owner.count != frames.count {
            sc.bulk.owner = [Int32](repeating: -1, count: frames.count)
            sc.bulk.ptes = [Int32](repeating: 0, count: frames.count)
        }
        if sc.bulk.walk.count < nHeads {
            sc.bulk.walk = [Bool](repeating: false, count: nHeads)
            sc.bulk.perProc = [Int32](repeating: 0, count: nHeads)
            sc.bulk.mmN = [Int](repeating: 0, count: nHeads)
        }
        if sc.bulk.mms.count < nHeads * L { sc.bulk.mms = [MMCount](repeating: MMCount(id: 0, count: 0), count: nHeads * L) }
        sc.bulk.stride = L
        for i in 0..<nHeads {
            let h = sc.frames[i]
            for f in h..<(h + frames.nr(Int32(h))) {
                if sc.bulk.owner[f] >= 0 { endBulk(&sc); return false }
                sc.bulk.owner[f] = Int32(i)
            }
            sc.bulk.walk[i] = frames.ksm.vpns[Int32(h)] != nil     // KSM: away from the index, walked
            sc.bulk.mmN[i] = 0
        }
        if !sc.bulk.pmdRegions.isEmpty { sc.bulk.pmdRegions.removeAll(keepingCapacity: true) }
        let E = PageTablePool.entries
        let nFrames = UInt64(frames.count)
        tables.words.withUnsafeBufferPointer { words in
            for p in ps.liveList {
                let pgd = Int(ps.info[p].pgd) * E
                var vLo: UInt64 = 1, vHi: UInt64 = 0        // the VMA last found
                for i3 in 0..<E {
                    let e3 = words[pgd + i3]
                    if e3 == 0 { continue }
                    let pud = Int(fmt.tableIndex(e3)) * E
                    for i2 in 0..<E {
                        let e2 = words[pud + i2]
                        if e2 == 0 { continue }
                        let pmdT = Int(fmt.tableIndex(e2)) * E
                        for i1 in 0..<E {
                            let e1 = words[pmdT + i1]
                            if e1 == 0 { continue }
                            let a1 = UInt64(i3) << 39 | UInt64(i2) << 30 | UInt64(i1) << 21
                            if fmt.pmdIsLeaf(e1) { sc.bulk.pmdRegions.append(a1 >> 21); continue }
                            guard fmt.pmdIsTable(e1), a1 < VA.userTop else { continue }
                            let pt = Int(fmt.tableIndex(e1)) * E
                            for i0 in 0..<E {
                                let v = words[pt + i0]
                                let pte = Pte(v)
                                guard v != 0, fmt.isPresent(pte), !fmt.isSpecial(pte) else { continue }
                                let pfn = fmt.pfn(pte)
                                guard pfn >= Frames.pfnBase, pfn - Frames.pfnBase < nFrames else { continue }
                                let f = Int(pfn - Frames.pfnBase)
                                let i = Int(sc.bulk.owner[f])
                                guard i >= 0 else { continue }
                                let h = sc.frames[i]
                                let a = a1 | UInt64(i0) << 12
                                guard a == (frames.index(Int32(h)) + UInt64(f - h)) << VA.pageShift else { continue }
                                if a < vLo || a >= vHi {
                                    guard let vi = ps.vma(p, a) else { continue }
                                    vLo = ps.vmas[vi].start; vHi = ps.vmas[vi].end
                                }
                                sc.bulk.ptes[f] += 1
                                if frames.order(Int32(h)) > 0 {
                                    if sc.bulk.perProc[i] == 0 { sc.bulk.seen.append(i) }
                                    sc.bulk.perProc[i] += 1
                                }
                            }
                        }
                    }
                }
                // This process's mappings of each large folio, by its MM.
                let id = ps.info[p].mmId
                for i in sc.bulk.seen {
                    let b = i * L, n = sc.bulk.mmN[i]
                    var k = 0
                    while k < n && sc.bulk.mms[b + k].id != id { k += 1 }
                    if k == n { sc.bulk.mms[b + k] = MMCount(id: id, count: 0); sc.bulk.mmN[i] += 1 }
                    sc.bulk.mms[b + k].count += sc.bulk.perProc[i]
                    sc.bulk.perProc[i] = 0
                }
                sc.bulk.seen.removeAll(keepingCapacity: true)
            }
        }
        // Folios with a page in a range some process maps by a PMD: walked.
        if !sc.bulk.pmdRegions.isEmpty {
            sc.bulk.pmdRegions.sort()
            for i in 0..<nHeads {
                let h = Int32(sc.frames[i])
                let first = frames.index(h), last = first + UInt64(frames.nr(h) - 1)
                var r = (first << VA.pageShift) >> 21
                while r <= (last << VA.pageShift) >> 21 {
                    if binaryContains(sc.bulk.pmdRegions, r) { sc.bulk.walk[i] = true; break }
                    r += 1
                }
            }
        }
        return true
    }

    /// Clears what `bulkCount` set.
    func endBulk(_ sc: inout TouchedScratch) {
        for i in 0..<sc.frames.count {
            let h = sc.frames[i]
            for f in h..<(h + frames.nr(Int32(h))) {
                sc.bulk.owner[f] = -1
                sc.bulk.ptes[f] = 0
            }
        }
        sc.bulk.stride = 0
    }

    /// `pmdSlot` from a PGD.
    @inline(__always) func pmdSlot(pgd: Int32, _ addr: UInt64) -> Int? {
        var table = pgd
        for level in stride(from: 3, to: 1, by: -1) {
            let e = tables.words[Int(table) * PageTablePool.entries + VA.index(addr, level: level)]
            if e == 0 { return nil }
            table = fmt.tableIndex(e)
        }
        return Int(table) * PageTablePool.entries + VA.index(addr, level: 1)
    }

    /// Every entry the rmap walk (`rmapNext`) finds mapping a page of the
    /// frames [first, first + nr) at linear page `vpn`: live processes in
    /// order, pages in address order, a PMD once at the first page it covers.
    /// `body` gets the process index, the address (a PMD's 2 MiB start), the
    /// entry, whether it is a PMD, the PFN the walk reports and the frame (for
    /// a PMD, the frame at its start). The walk's own steps without the
    /// cursor: the VMA and the PMD slot looked up once per VMA and per 2 MiB,
    /// and the PTEs of one table read in a row.
    @inline(__always)
    func forEachMapping(first: Int32, nr: Int, vpn: UInt64, _ ps: ProcSnapshot,
                        _ body: (Int, UInt64, UInt64, Bool, UInt64, Int32) -> Void) {
        let E = PageTablePool.entries
        tables.words.withUnsafeBufferPointer { words in
            for p in ps.liveList {
              for pass in 0..<ps.passes(p) {
                // mremap: the VMAs whose vm_pgoff is `shift` pages off their start.
                let shift = ps.shift(p, pass: pass)
                let vpnS = UInt64(bitPattern: Int64(bitPattern: vpn) &- shift)
                var page = 0
                var vLo: UInt64 = 1, vHi: UInt64 = 0        // the VMA last found
                var pmdSeen = -1
                while page < nr {
                    let a = (vpnS &+ UInt64(page)) << VA.pageShift
                    let toBoundary = Int((VA.pmdSize - (a & (VA.pmdSize - 1))) >> VA.pageShift)
                    guard a < VA.userTop else { page += 1; continue }
                    if a < vLo || a >= vHi {
                        guard let v = ps.vma(p, a), ps.vmas[v].shift == shift else { page += 1; continue }
                        vLo = ps.vmas[v].start; vHi = ps.vmas[v].end
                    }
                    guard let slot = pmdSlot(pgd: ps.info[p].pgd, a) else { page += toBoundary; continue }
                    let pmd = words[slot]
                    if fmt.pmdIsLeaf(pmd) {
                        let pte = fmt.pteOfPmd(pmd)
                        let f = first + Int32(page)
                        if slot != pmdSeen, fmt.isPresent(pte), !fmt.isSpecial(pte),
                           fmt.pfn(pte) + ((a >> VA.pageShift) & 511) == frames.pfn(f) {
                            pmdSeen = slot
                            let start = a & ~(VA.pmdSize - 1)
                            body(p, start, pmd, true, fmt.pfn(pte), f - Int32((a - start) >> VA.pageShift))
                        }
                        page += toBoundary
                        continue
                    }
                    guard fmt.pmdIsTable(pmd) else { page += toBoundary; continue }
                    // The PTEs of this table inside this VMA, in a row: the
                    // steps above would find the same VMA and table for each.
                    let inVma = Int((min(vHi, VA.userTop) - a + VA.pageSize - 1) >> VA.pageShift)
                    let stop = min(nr, page + toBoundary, page + inVma)
                    let base = Int(fmt.tableIndex(pmd)) * E - page + VA.index(a, level: 0)
                    while page < stop {
                        let f = first + Int32(page)
                        let v = words[base + page]
                        let pte = Pte(v)
                        if fmt.isPresent(pte), !fmt.isSpecial(pte), fmt.pfn(pte) == frames.pfn(f) {
                            body(p, (vpnS &+ UInt64(page)) << VA.pageShift, v, false, frames.pfn(f), f)
                        }
                        page += 1
                    }
                }
              }
            }
        }
    }

    /// `swapRmapCount` over the live processes of `ps`.
    func countSwapRefs(_ slot: Int, _ ps: ProcSnapshot) -> (count: UInt32, exclusive: UInt32) {
        if !swap.ksmVpns.isEmpty, let v = swap.ksmVpns[slot] { return ksmSwapRmapCount(slot, v) }   // RmapKsm.swift
        var n: UInt32 = 0, sx: UInt32 = 0
        for p in ps.liveList {
          for pass in 0..<ps.passes(p) {
            let shift = ps.shift(p, pass: pass)
            let a = UInt64(bitPattern: Int64(bitPattern: swap.index[slot]) &- shift) << VA.pageShift
            guard a < VA.userTop, let vi = ps.vma(p, a), ps.vmas[vi].shift == shift,
                  let s = pmdSlot(pgd: ps.info[p].pgd, a) else { continue }
            let e = tables.words[s]
            guard e != 0, fmt.pmdIsTable(e) else { continue }
            let pte = Pte(tables.words[Int(fmt.tableIndex(e)) * PageTablePool.entries + VA.index(a, level: 0)])
            guard fmt.kind(of: pte) == .swap, fmt.archSwpType(pte) == 0, Int(fmt.archSwpOffset(pte)) == slot else { continue }
            n += 1
            if fmt.swpTest(pte, .exclusive) { sx += 1 }
          }
        }
        return (n, sx)
    }

    /// Drops repeated reports of one rule at one place, keeping the first.
    func dedupe(_ vs: [Violation]) -> [Violation] {
        var seen = Set<Violation>()
        return vs.filter { seen.insert($0).inserted }
    }
}
