/// The scenario runner: statements over a `World`, one process at a time.
///
/// Schedule (cooperative, deterministic): the first process (`parent`) runs its
/// block; `fork NAME { … }` forks and runs the child's block at once until the
/// child pauses, exits or reaches the end of its block, then the forking
/// process goes on. `resume NAME` runs a paused process until its next pause.
/// A process whose block ends stays alive, idle, until the end of the run.
extension Scenario {
    /// Runs the scenario on a fresh world. Lines the model cannot run
    /// (`free`, `collapse`, `mremap`) are reported before anything runs.
    public func run(name: String = "") -> ScenarioResult {
        var r = ScenarioRunner(self, name: name)
        r.runAll()
        return r.result
    }

    /// `run(name:)` on a world that breaks the rules in `faults` (tests only).
    @_spi(Testing) public func run(name: String = "", faults: InjectedFaults) -> ScenarioResult {
        var r = ScenarioRunner(self, name: name)
        r.world.injectedFaults = faults
        r.runAll()
        return r.result
    }

    /// `run(name:)` with the incremental checker after every operation; also
    /// returns what it found, in order (tests only).
    @_spi(Testing) public func runChecked(name: String = "") -> (ScenarioResult, [Violation]) {
        var r = ScenarioRunner(self, name: name)
        r.world.checkAfterEachOperation = true
        r.runAll()
        return (r.result, r.world.violations + r.world.check())
    }

    /// `run(text:name:)` on worlds that break the rules in `faults` (tests only).
    @_spi(Testing) public static func run(text: String, name: String = "", faults: InjectedFaults) -> ScenarioResult {
        switch parse(text: text) {
        case .success(let s): return s.run(name: name, faults: faults)
        case .failure(let e):
            var r = ScenarioResult(name: name, header: ScenarioHeader())
            r.error = e
            return r
        }
    }
}

struct ScenarioRunner {
    enum Status: String { case running, paused, finished, exited }

    struct Mapping {
        var name: String
        var start: UInt64
        var pages: Int
    }

    struct Proc {
        var name: String
        var pid: Int32
        var maps: [Mapping]
        var body: [ScenarioStatement]
        var pc = 0
        var status = Status.running
        /// Index into `phaseStarts` of the open phase.
        var openPhase: Int? = nil
        /// (first address, length, pin id), in pinning order.
        var pins: [(UInt64, UInt64, Int32)] = []
    }

    enum Flow { case next, pause, exit }

    let scenario: Scenario
    var world: World
    var procs: [Proc] = []
    /// Per phase: owning process, counters at its start, counters at its end.
    var phaseStarts: [(proc: Int, name: String, start: FaultCounters, end: FaultCounters?)] = []
    var frameIds: [UInt64: Int] = [:]
    var swapIds: [Int: Int] = [:]
    var result: ScenarioResult
    /// Where to take a copy of the world (`Scenario.state(at:)`), and the copy.
    var capturePoint: ScenarioPoint? = nil
    var captured: ScenarioState? = nil
    /// Blocks running inside one another (forks and resumes); bounded so that
    /// no script can exhaust the stack.
    var depth = 0
    static let maxDepth = 64
    /// Page observations kept over the whole run (pages of every live process
    /// at every snapshot): bounded so that a script's observation cannot
    /// exhaust memory (about 200 bytes each).
    var observedPages = 0
    /// `world.uffdEvents` already turned into observation lines.
    var uffdSeen = 0
    static let maxObservedPages = 1 << 22

    init(_ s: Scenario, name: String) {
        scenario = s
        result = ScenarioResult(name: name, header: s.header)
        // The header parser keeps every value inside WorldConfig's limits.
        world = try! World(s.header.worldConfig)
    }

    mutating func runAll() {
        if let u = ScenarioRunner.firstUnsupported(scenario.body) {
            result.error = u
            return
        }
        let pid = world.createProcess()
        procs.append(Proc(name: "parent", pid: pid, maps: [], body: scenario.body))
        openPhase(0, "start")
        do throws(ScenarioError) {
            try runProcess(0)
        } catch {
            result.error = error
        }
        do throws(ScenarioError) {
            try checkObservationBudget(line: 0)
            takeSnapshot("end", line: 0)
        } catch {
            if result.error == nil { result.error = error }
        }
        for i in phaseStarts.indices where phaseStarts[i].end == nil {
            phaseStarts[i].end = counters(phaseStarts[i].proc)
        }
        result.counters = procs.indices.map { (procs[$0].name, counters($0)) }
        result.phases = phaseStarts.map { ph in
            PhaseObservation(process: procs[ph.proc].name, name: ph.name,
                             minor: ph.end!.minor - ph.start.minor, major: ph.end!.major - ph.start.major)
        }
    }

    static func firstUnsupported(_ body: [ScenarioStatement]) -> ScenarioError? {
        for s in body {
            switch s.op {
            case .unsupported(let what, let reason):
                return ScenarioError(line: s.line, "'\(s.text)': \(what) is not supported by the model yet: \(reason)")
            case .fork(_, let inner):
                if let e = firstUnsupported(inner) { return e }
            default:
                break
            }
        }
        return nil
    }

    // MARK: Schedule

    mutating func runProcess(_ i: Int) throws(ScenarioError) {
        procs[i].status = .running
        while procs[i].pc < procs[i].body.count {
            let s = procs[i].body[procs[i].pc]
            procs[i].pc += 1
            let flow: Flow
            do throws(ScenarioError) {
                flow = try exec(s, i)
            } catch {
                collectUffdEvents(line: s.line)
                throw error
            }
            collectUffdEvents(line: s.line)
            switch flow {
            case .next: break
            case .pause: procs[i].status = .paused
            case .exit: procs[i].status = .exited
            }
            capture(afterLine: s.line)
            if flow != .next { return }
        }
        procs[i].status = .finished
    }

    func counters(_ i: Int) -> FaultCounters {
        (try? world.counters(procs[i].pid)) ?? FaultCounters()
    }

    mutating func openPhase(_ i: Int, _ name: String) {
        if let open = procs[i].openPhase { phaseStarts[open].end = counters(i) }
        phaseStarts.append((proc: i, name: name, start: counters(i), end: nil))
        procs[i].openPhase = phaseStarts.count - 1
    }

    func procIndex(_ name: String, _ s: ScenarioStatement) throws(ScenarioError) -> Int {
        guard let i = procs.firstIndex(where: { $0.name == name }) else {
            throw ScenarioError(line: s.line, "no process named '\(name)' (yet)")
        }
        return i
    }

    // MARK: Statements

    /// Address and length of a page range in process `i`.
    func resolve(_ r: PageRange, _ i: Int, _ s: ScenarioStatement) throws(ScenarioError) -> (UInt64, UInt64, ClosedRange<Int>) {
        guard let m = procs[i].maps.first(where: { $0.name == r.mapping }) else {
            throw ScenarioError(line: s.line, "no mapping '\(r.mapping)' in \(procs[i].name)")
        }
        let b = r.bounds ?? 0...(m.pages - 1)
        guard b.upperBound < m.pages else {
            throw ScenarioError(line: s.line, "\(r) is outside \(r.mapping) (\(m.pages) pages)")
        }
        return (m.start + UInt64(b.lowerBound) * VA.pageSize, UInt64(b.count) * VA.pageSize, b)
    }

    func failed(_ s: ScenarioStatement, _ i: Int, _ e: MMMError) -> ScenarioError {
        let why: String
        switch e {
        case .fault: why = "SIGSEGV: part of the range is not mapped or does not allow the access"
        case .noMemory: why = "out of memory: the world ran out of frames or swap slots (raise 'frames' or 'swap-slots')"
        default: why = e.description
        }
        return ScenarioError(line: s.line, "'\(s.text)' in \(procs[i].name) failed: \(why)")
    }

    mutating func exec(_ s: ScenarioStatement, _ i: Int) throws(ScenarioError) -> Flow {
        let pid = procs[i].pid
        do {
            switch s.op {
            case .map(let name, let pages, let advice, let prot, let align):
                guard !procs[i].maps.contains(where: { $0.name == name }) else {
                    throw ScenarioError(line: s.line, "mapping '\(name)' already exists in \(procs[i].name)")
                }
                let len = UInt64(pages) * VA.pageSize
                let start = try world.mmap(pid, length: len, align: align, read: prot != .none, write: prot == .readWrite)
                if let a = advice { try world.madvise(pid, start, len, a == .hugepage ? .hugepage : .nohugepage) }
                procs[i].maps.append(Mapping(name: name, start: start, pages: pages))
            case .access(let r, let read, let write, let value):
                let (a, len, _) = try resolve(r, i, s)
                try world.access(pid, a, len, read: read, write: write, value: value)
            case .madvise(let r, let advice):
                let (a, len, _) = try resolve(r, i, s)
                try world.madvise(pid, a, len, advice)
            case .mprotect(let r, let prot):
                let (a, len, _) = try resolve(r, i, s)
                try world.mprotect(pid, a, len, prot)
            case .munmap(let r):
                let (a, len, _) = try resolve(r, i, s)
                try world.munmap(pid, a, len)
            case .unsupported:
                preconditionFailure("unsupported lines are refused before the run")
            case .fork(let name, let body):
                let child = try world.fork(pid)
                procs.append(Proc(name: name, pid: child, maps: procs[i].maps, body: body))
                let c = procs.count - 1
                openPhase(c, "start")
                capture(afterLine: s.line)
                try nested(s) { (r: inout ScenarioRunner) throws(ScenarioError) in try r.runProcess(c) }
            case .pause:
                return .pause
            case .resume(let name):
                let c = try procIndex(name, s)
                guard procs[c].status == .paused else {
                    throw ScenarioError(line: s.line, "cannot resume \(name): it is \(procs[c].status.rawValue), not paused")
                }
                try nested(s) { (r: inout ScenarioRunner) throws(ScenarioError) in try r.runProcess(c) }
            case .exit:
                try world.exit(pid)
                if let open = procs[i].openPhase { phaseStarts[open].end = counters(i) }
                procs[i].openPhase = nil
                return .exit
            case .pin(let r, let write):
                let (a, len, _) = try resolve(r, i, s)
                let id = try world.pin(pid, a, len, write: write)
                procs[i].pins.append((a, len, id))
            case .unpin(let r):
                let (a, len, _) = try resolve(r, i, s)
                guard let k = procs[i].pins.lastIndex(where: { $0.0 == a && $0.1 == len }) else {
                    throw ScenarioError(line: s.line, "\(procs[i].name) holds no pin of exactly \(r)")
                }
                try world.unpin(procs[i].pins[k].2)
                procs[i].pins.remove(at: k)
            case .phase(let name):
                openPhase(i, name)
            case .snapshot(let name):
                guard !result.snapshots.contains(where: { $0.name == name }) else {
                    throw ScenarioError(line: s.line, "snapshot '\(name)' was already taken")
                }
                try checkObservationBudget(line: s.line)
                takeSnapshot(name, line: s.line)
            case .expectFaults(let proc, let phase, let minor, let major):
                try expectFaults(s, i, proc, phase, minor, major)
            case .expectPages(let r, let conds):
                try expectPages(s, i, r, conds)
            case .expectCheck(let rule):
                expectCheck(s, rule)
            case .uffdRegister(let r, let features):
                let (a, len, _) = try resolve(r, i, s)
                try world.uffdRegisterWP(pid, a, len, features: features)
            case .uffdUnregister(let r):
                let (a, len, _) = try resolve(r, i, s)
                try world.uffdUnregister(pid, a, len)
            case .uffdProtect(let r, let protect):
                let (a, len, _) = try resolve(r, i, s)
                try world.uffdWriteProtect(pid, a, len, protect: protect)
            case .clearRefsSoftDirty:
                try world.clearRefsSoftDirty(pid)
            case .mremap(let r, let pages, let mayMove, let fixed, let name):
                try execMremap(s, i, r, pages: pages, mayMove: mayMove, fixed: fixed, name: name)
            case .collapse(let r):
                let (a, len, _) = try resolve(r, i, s)
                try world.collapse(pid, a, len)
            case .reclaim(let r):
                let (a, len, _) = try resolve(r, i, s)
                try world.reclaim(pid, a, len)
            case .expectKsm(let expected):
                expectKsm(s, i, expected)
            case .expectUffdEvents(let k):
                collectUffdEvents(line: s.line)
                if result.uffdEvents.count == k {
                    result.expectationsHeld += 1
                } else {
                    result.failures.append(ScenarioError(line: s.line,
                        "'\(s.text)': \(result.uffdEvents.count) userfaultfd event\(result.uffdEvents.count == 1 ? "" : "s") so far"))
                }
            }
        } catch let e as ScenarioError {
            throw e
        } catch let e as MMMError {
            if s.mayFail { return .next }           // `try OP`: the run goes on
            throw failed(s, i, e)
        } catch {
            throw ScenarioError(line: s.line, "'\(s.text)' failed: \(error)")
        }
        return .next
    }

    /// Runs a block inside the current one (a forked child, a resumed process).
    mutating func nested(_ s: ScenarioStatement, _ body: (inout ScenarioRunner) throws(ScenarioError) -> Void) throws(ScenarioError) {
        guard depth < ScenarioRunner.maxDepth else {
            throw ScenarioError(line: s.line, "'\(s.text)': more than \(ScenarioRunner.maxDepth) blocks running inside one another")
        }
        depth += 1
        defer { depth -= 1 }
        try body(&self)
    }

    // MARK: Observing

    /// The userfaultfd traps the world recorded since the last call, named by
    /// process and page (`uffd PROC A[i] write`).
    mutating func collectUffdEvents(line: Int) {
        let all = world.uffdEvents
        guard uffdSeen < all.count else { return }
        for e in all[uffdSeen...] {
            guard let pi = procs.firstIndex(where: { $0.pid == e.pid }) else { continue }
            let m = procs[pi].maps.first { e.address >= $0.start && e.address < $0.start + UInt64($0.pages) * VA.pageSize }
            result.uffdEvents.append(UffdObservation(
                process: procs[pi].name, mapping: m?.name ?? hex0x(e.address),
                index: m.map { Int((e.address - $0.start) >> VA.pageShift) } ?? 0, write: e.write, line: line))
        }
        uffdSeen = all.count
    }

    /// The observation of one page, without the run-relative fields (frame
    /// and swap ids, sharers, kept), which `takeSnapshot` fills in.
    func observe(_ i: Int, _ m: Mapping, _ index: Int) -> PageObservation {
        var o = PageObservation(mapping: m.name, index: index)
        let pid = procs[i].pid
        let addr = m.start + UInt64(index) * VA.pageSize
        guard procs[i].status != .exited, let proc = world.process(pid), let vi = proc.vmaIndex(addr),
              let st = try? world.pageState(pid, addr) else { return o }
        let fmt = world.fmt
        // Soft-dirty is reported only with CONFIG_MEM_SOFT_DIRTY, where a VMA
        // with VM_SOFTDIRTY makes every page of it read soft-dirty (§6.1, §8.1).
        let sdKernel = fmt.config.contains(.softDirty)
        let vmaSoftDirty = sdKernel && proc.vmas[vi].flags.contains(.softDirty)
        switch st.kind {
        case .present:
            let pte = st.pmdMapped ? fmt.pteOfPmd(st.entry) : Pte(st.entry)
            o.state = .present
            o.pagemapFlags = Pagemap.present
            if fmt.isUffdWp(pte) { o.pagemapFlags |= Pagemap.uffdWp }
            if vmaSoftDirty || (sdKernel && fmt.isSoftDirty(pte)) { o.pagemapFlags |= Pagemap.softDirty }
            o.pfn = st.pfn
            o.pagemapWord = o.pagemapFlags | (st.pfn & Pagemap.frameMask)
            o.pteWrite = fmt.isWrite(pte)
            o.pteDirty = fmt.isDirty(pte)
            o.pteYoung = fmt.isYoung(pte)
            o.pmdMapped = st.pmdMapped
            if st.zeroPage {
                // R-ZERO-2, R-ZERO-5: kpagecount 0, ZERO_PAGE (and THP for the
                // huge zero folio), never ANON, never exclusive.
                o.frame = .zero
                o.kpagecount = 0
                var k = KPageFlags.zeroPage
                if st.pfn >= Frames.hugeZeroPfn && st.pfn < Frames.hugeZeroPfn + 512 {
                    k |= KPageFlags.thp | (st.pfn == Frames.hugeZeroPfn ? KPageFlags.compoundHead : KPageFlags.compoundTail)
                    // pagemap_pmd_range: a PMD's folio that is not anonymous (the
                    // huge zero folio) reads as PM_FILE, bit 61 (seen live on 6.18);
                    // the PTE path's vm_normal_page gives no page for the zero page.
                    if st.pmdMapped { o.pagemapFlags |= Pagemap.file; o.pagemapWord |= Pagemap.file }
                }
                o.kpageflags = k
                o.data = 0
                return o
            }
            // §8.1: bit 56 is the page's own mapcount == 1; for a PMD mapping,
            // the value of the PMD's first page is reported for all 512 pages.
            var excl = st.mapcount == 1
            if st.pmdMapped, let first = try? world.pageState(pid, addr & ~(VA.pmdSize - 1)) {
                excl = first.mapcount == 1
            }
            if excl { o.pagemapFlags |= Pagemap.exclusive; o.pagemapWord |= Pagemap.exclusive }
            o.kpagecount = st.mapcount
            var k = KPageFlags.anon
            if st.swapCache { k |= KPageFlags.swapCache }
            if st.ksm { k |= KPageFlags.ksm }
            if st.order > 0 { k |= KPageFlags.thp | (st.offset == 0 ? KPageFlags.compoundHead : KPageFlags.compoundTail) }
            o.kpageflags = k
            o.data = st.token
            o.anonExclusive = st.anonExclusive
            o.order = st.order
            o.refcount = st.refcount
            o.maybePinned = st.maybePinned
            o.swapCache = st.swapCache
        case .swap:
            let pte = Pte(st.entry)
            o.state = .swapped
            o.pagemapFlags = Pagemap.swapped
            if fmt.swpTest(pte, .uffdWp) { o.pagemapFlags |= Pagemap.uffdWp }
            if vmaSoftDirty || (sdKernel && fmt.swpTest(pte, .softDirty)) { o.pagemapFlags |= Pagemap.softDirty }
            let type = fmt.archSwpType(pte)
            o.swapType = type
            o.swapSlot = st.swapSlot
            o.pagemapWord = o.pagemapFlags | ((UInt64(type) | (UInt64(st.swapSlot) << Pagemap.swapTypeBits)) & Pagemap.frameMask)
            o.data = st.token
            o.swapExclusive = st.swapExclusive
            o.swapCount = st.swapCount
            o.swapCache = st.swapCache
        case .none:
            o.state = .none
            if vmaSoftDirty { o.pagemapFlags = Pagemap.softDirty; o.pagemapWord = Pagemap.softDirty }
        case .marker:
            // fs/proc/task_mmu.c pte_to_pagemap_entry: a marker reads as a swap
            // entry (bit 62) of type 31 and offset = the marker bits, with bit
            // 57 for a UFFD_WP marker [K on 6.18]. It names no slot, so it gets
            // no swap id; reading it would give zeroes.
            let pte = Pte(st.entry)
            o.state = .swapped
            o.pagemapFlags = Pagemap.swapped | Pagemap.uffdWp
            if vmaSoftDirty { o.pagemapFlags |= Pagemap.softDirty }
            o.swapType = fmt.archSwpType(pte)
            o.pagemapWord = o.pagemapFlags
                | ((UInt64(o.swapType) | (fmt.archSwpOffset(pte) << Pagemap.swapTypeBits)) & Pagemap.frameMask)
            o.data = 0
        default:
            // Migration entries do not occur at the quiescent points a scenario
            // observes; report them as swap-like entries (bit 62).
            o.state = .swapped
            o.pagemapFlags = Pagemap.swapped
            o.pagemapWord = Pagemap.swapped
        }
        return o
    }

    func observeProcess(_ i: Int) -> [PageObservation] {
        var pages: [PageObservation] = []
        for m in procs[i].maps {
            for index in 0..<m.pages { pages.append(observe(i, m, index)) }
        }
        return pages
    }

    /// Counts the pages a snapshot now would observe against `maxObservedPages`.
    mutating func checkObservationBudget(line: Int) throws(ScenarioError) {
        var n = 0
        for p in procs where p.status != .exited { for m in p.maps { n += m.pages } }
        guard n <= ScenarioRunner.maxObservedPages - observedPages else {
            throw ScenarioError(line: line, "\(line > 0 ? "this snapshot" : "the end snapshot") would observe \(n) pages, "
                + "over the limit of \(ScenarioRunner.maxObservedPages) page observations in one run")
        }
        observedPages += n
    }

    /// Observes every live process; numbers new frames and swap entries in
    /// first-seen order; fills sharers and `kept` (against the previous snapshot).
    mutating func takeSnapshot(_ name: String, line: Int) {
        var snap = SnapshotObservation(name: name, line: line, processes: [])
        var byFrame: [UInt64: [PageRef]] = [:]
        var bySlot: [Int: [PageRef]] = [:]
        for i in procs.indices where procs[i].status != .exited {
            var pages = observeProcess(i)
            for k in pages.indices {
                let ref = PageRef(process: procs[i].name, mapping: pages[k].mapping, index: pages[k].index)
                if pages[k].state == .present, pages[k].frame == nil {
                    let pfn = pages[k].pfn
                    if frameIds[pfn] == nil { frameIds[pfn] = frameIds.count + 1 }
                    pages[k].frame = .id(frameIds[pfn]!)
                    byFrame[pfn, default: []].append(ref)
                } else if pages[k].state == .swapped, pages[k].swapSlot > 0 {
                    let slot = pages[k].swapSlot
                    if swapIds[slot] == nil { swapIds[slot] = swapIds.count + 1 }
                    pages[k].swap = swapIds[slot]!
                    bySlot[slot, default: []].append(ref)
                }
            }
            snap.processes.append(ProcessObservation(name: procs[i].name, pages: pages))
        }
        let previous = result.snapshots.last
        for p in snap.processes.indices {
            let pname = snap.processes[p].name
            let before = previous?.processes.first(where: { $0.name == pname })
            var beforeIndex: [String: [Int: PageObservation]] = [:]
            for pg in before?.pages ?? [] { beforeIndex[pg.mapping, default: [:]][pg.index] = pg }
            for k in snap.processes[p].pages.indices {
                let pg = snap.processes[p].pages[k]
                var others: [PageRef] = []
                if pg.state == .present, pg.frame != .zero { others = byFrame[pg.pfn] ?? [] }
                if pg.state == .swapped { others = bySlot[pg.swapSlot] ?? [] }
                snap.processes[p].pages[k].sharers = others.filter { $0.process != pname }
                if before != nil, pg.state == .present, let old = beforeIndex[pg.mapping]?[pg.index], old.state == .present {
                    snap.processes[p].pages[k].kept = old.pfn == pg.pfn
                }
            }
        }
        result.snapshots.append(snap)
        if capturePoint == .snapshot(name), captured == nil { captured = state("snapshot \(name)" + (line > 0 ? " line=\(line)" : "")) }
    }

    // MARK: Expectations

    mutating func expectFaults(_ s: ScenarioStatement, _ i: Int, _ proc: String?, _ phase: String?,
                               _ minor: UInt64?, _ major: UInt64?) throws(ScenarioError) {
        let p = try proc.map { (n: String) throws(ScenarioError) -> Int in try procIndex(n, s) } ?? i
        let k: Int
        if let phase {
            guard let found = phaseStarts.lastIndex(where: { $0.proc == p && $0.name == phase }) else {
                throw ScenarioError(line: s.line, "\(procs[p].name) has no phase '\(phase)'")
            }
            k = found
        } else {
            guard let open = procs[p].openPhase else {
                throw ScenarioError(line: s.line, "\(procs[p].name) has no open phase (it exited); name one with 'phase NAME'")
            }
            k = open
        }
        let end = phaseStarts[k].end ?? counters(p)
        let gotMinor = end.minor - phaseStarts[k].start.minor
        let gotMajor = end.major - phaseStarts[k].start.major
        if (minor.map { $0 == gotMinor } ?? true) && (major.map { $0 == gotMajor } ?? true) {
            result.expectationsHeld += 1
        } else {
            let want = [minor.map { "minor=\($0)" }, major.map { "major=\($0)" }].compactMap { $0 }.joined(separator: " ")
            result.failures.append(ScenarioError(line: s.line,
                "'\(s.text)': \(procs[p].name) phase \(phaseStarts[k].name) has minor=\(gotMinor) major=\(gotMajor), expected \(want)"))
        }
    }

    mutating func expectPages(_ s: ScenarioStatement, _ i: Int, _ r: PageRange, _ conds: [PageCondition]) throws(ScenarioError) {
        let (_, _, bounds) = try resolve(r, i, s)
        let m = procs[i].maps.first(where: { $0.name == r.mapping })!
        var failures: [String] = []
        for (n, index) in bounds.enumerated() {
            let pg = observe(i, m, index)
            for c in conds {
                if let why = try check(c, pg, n, s, i) {
                    failures.append("\(r.mapping)[\(index)] \(why) (is: \(ScenarioRunner.describe(pg)))")
                    break
                }
            }
        }
        if failures.isEmpty {
            result.expectationsHeld += 1
        } else {
            let shown = failures.count == 1 ? "" : " (\(failures.count) of \(bounds.count) pages fail; first shown)"
            result.failures.append(ScenarioError(line: s.line, "'\(s.text)' in \(procs[i].name): \(failures[0])\(shown)"))
        }
    }

    /// `expect ksm NAME=N…`: the KSM counters now (ksmd settled).
    mutating func expectKsm(_ s: ScenarioStatement, _ i: Int, _ expected: [KsmCountExpectation]) {
        let k = world.ksmCounters()
        var wrong: [String] = []
        for e in expected {
            let v: Int
            switch e.name {
            case "pages_shared": v = k.pagesShared
            case "pages_sharing": v = k.pagesSharing
            case "stable_node_chains": v = k.stableNodeChains
            case "stable_node_dups": v = k.stableNodeDups
            case "ksm_zero_pages": v = k.zeroPages
            default: v = (try? world.ksmZeroPages(procs[i].pid)) ?? 0        // self-zero-pages
            }
            if v != e.value { wrong.append("\(e.name) is \(v)") }
        }
        if wrong.isEmpty {
            result.expectationsHeld += 1
        } else {
            result.failures.append(ScenarioError(line: s.line, "'\(s.text)': " + wrong.joined(separator: ", ")))
        }
    }

    /// `expect consistent` (rule nil) or `expect violation RULE`: the full check now.
    mutating func expectCheck(_ s: ScenarioStatement, _ rule: CheckRule?) {
        let vs = world.check()
        let holds = rule.map { r in vs.contains { $0.rule == r } } ?? vs.isEmpty
        if holds {
            result.expectationsHeld += 1
        } else if let rule {
            let found = vs.isEmpty ? "the world is consistent" : "it finds \(vs.count), first: \(vs[0])"
            result.failures.append(ScenarioError(line: s.line, "'\(s.text)': the checker finds no \(rule.rawValue) violation (\(found))"))
        } else {
            result.failures.append(ScenarioError(line: s.line,
                "'\(s.text)': the checker finds \(vs.count) violation\(vs.count == 1 ? "" : "s"), first: \(vs[0])"))
        }
    }

    static func describe(_ pg: PageObservation) -> String {
        var t = PageLineRun.tokens(pg, verbose: true).dropFirst()
        if t.last == .text("|") { t = t.dropLast() }
        return PageLineRun.render(Array(t), count: 1)
    }

    /// Nil when `c` holds for `pg` (page `n` of the expectation's range in
    /// process `i`), else why not.
    func check(_ c: PageCondition, _ pg: PageObservation, _ n: Int, _ s: ScenarioStatement, _ i: Int) throws(ScenarioError) -> String? {
        switch c {
        case .word(let w, let negated):
            let holds: Bool
            switch w {
            case "none": holds = pg.state == .none
            case "unmapped": holds = pg.state == .unmapped
            case "present": holds = pg.state == .present
            case "swapped": holds = pg.state == .swapped
            case "zero": holds = pg.frame == .zero
            case "exclusive": holds = pg.exclusive
            case "writable": holds = pg.state == .present && pg.pteWrite
            case "dirty": holds = pg.state == .present && pg.pteDirty
            case "young": holds = pg.state == .present && pg.pteYoung
            case "anon-exclusive": holds = pg.state == .present && pg.anonExclusive
            case "swapcache": holds = pg.swapCache
            case "thp": holds = (pg.kpageflags ?? 0) & KPageFlags.thp != 0
            case "pmd-mapped": holds = pg.state == .present && pg.pmdMapped
            case "ksm": holds = (pg.kpageflags ?? 0) & KPageFlags.ksm != 0
            case "pinned": holds = pg.maybePinned
            case "uffd-wp": holds = pg.pagemapFlags & Pagemap.uffdWp != 0
            default: holds = pg.pagemapFlags & Pagemap.softDirty != 0    // soft-dirty
            }
            return holds == negated ? (negated ? "is \(w)" : "is not \(w)") : nil
        case .count(let v):
            return pg.kpagecount == v ? nil : "has count=\(pg.kpagecount.map(String.init) ?? "-"), not \(v)"
        case .contents(let v):
            // A page never touched reads as zeros (the read would map the zero page).
            let d = pg.state == .none ? 0 : pg.data
            return d == v ? nil : "holds \(d.map(String.init) ?? "nothing readable"), not \(v)"
        case .keptFrame(let since, let negated):
            let snap: SnapshotObservation
            if let since {
                guard let found = result.snapshots.first(where: { $0.name == since }) else {
                    throw ScenarioError(line: s.line, "no snapshot named '\(since)' was taken before this line")
                }
                snap = found
            } else {
                guard let last = result.snapshots.last else {
                    throw ScenarioError(line: s.line, "kept-frame needs a snapshot taken before this line")
                }
                snap = last
            }
            let old = snap.processes.first(where: { $0.name == procs[i].name })?.pages
                .first(where: { $0.mapping == pg.mapping && $0.index == pg.index })
            let holds = pg.state == .present && old?.state == .present && old?.pfn == pg.pfn
            return holds == negated ? (negated ? "kept its frame since snapshot \(snap.name)" : "did not keep its frame since snapshot \(snap.name)") : nil
        case .sameFrameAs(let proc, let range, let negated):
            let o = try procIndex(proc, s)
            let (_, _, ob) = try resolve(range, o, s)
            guard let m = procs[o].maps.first(where: { $0.name == range.mapping }), n < ob.count else {
                throw ScenarioError(line: s.line, "\(range) of \(proc) has fewer pages than the expectation's range")
            }
            let other = observe(o, m, ob.lowerBound + n)
            let holds = ScenarioRunner.sameEntry(pg, other)
            let otherName = "\(proc):\(range.mapping)[\(ob.lowerBound + n)]"
            return holds == negated ? (negated ? "is the same frame as \(otherName)" : "is not the same frame as \(otherName)") : nil
        case .sharedWith(let proc, let negated):
            let o = try procIndex(proc, s)
            var holds = false
            if pg.frame != .zero, pg.state == .present || pg.state == .swapped {
                outer: for m in procs[o].maps {
                    for k in 0..<m.pages where ScenarioRunner.sameEntry(pg, observe(o, m, k)) { holds = true; break outer }
                }
            }
            return holds == negated ? (negated ? "is shared with \(proc)" : "is not shared with \(proc)") : nil
        }
    }

    /// The same frame (both present) or the same swap entry (both swapped).
    static func sameEntry(_ a: PageObservation, _ b: PageObservation) -> Bool {
        if a.state == .present && b.state == .present { return a.pfn == b.pfn }
        if a.state == .swapped && b.state == .swapped { return a.swapSlot == b.swapSlot && a.swapSlot > 0 }
        return false
    }
}
