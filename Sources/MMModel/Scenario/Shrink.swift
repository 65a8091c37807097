/// Shrinking an explored run that broke a rule, and writing it as a scenario.
///
/// A candidate sequence is replayed on a fresh world (`replay`): operations
/// whose process, mapping or pin no longer exists are dropped, the replay
/// stops at the first operation after which the incremental checker reports
/// anything, and the candidate holds when that report has the run's rule and
/// the full checker (`World.check()`, what `expect violation` runs) sees it
/// too. Delta debugging over that predicate: remove chunks (halves, quarters,
/// … single operations), then simplify arguments (ranges to one page or to
/// page 0, values to 1, smaller mappings without options, read-write to
/// write or read, read-write pins to read-only), then the header (mTHP sizes
/// off, default THP mode, zram, x86-64, page-cluster 3); repeat until nothing
/// changes.

/// A shrunk violation and its scenario text.
public struct ExploreFinding: Sendable {
    /// The run as explored.
    public var run: ExploreRun
    /// The shrunk run: header, operations, which failed, the violation.
    public var header: ScenarioHeader
    public var ops: [ExploreOp]
    public var failed: [Bool]
    public var violation: Violation
    /// Candidates replayed while shrinking.
    public var replays: Int
    /// The shrunk run in the scenario language, ending in `expect violation RULE`.
    public var scenario: String
}

extension Explorer {
    struct Replay {
        var ops: [ExploreOp] = []
        var failed: [Bool] = []
        var violation: Violation? = nil
    }

    /// Replays `ops` on a fresh world until the first violation of `rule`
    /// (nil: of any rule) that the full check confirms. Nil when the first
    /// report of the incremental checker is not such a violation.
    static func replay(_ header: ScenarioHeader, _ ops: [ExploreOp], faults: InjectedFaults, rule: CheckRule?) -> Replay? {
        var m = ExploreMachine(header, faults: faults)
        var r = Replay()
        r.ops.reserveCapacity(ops.count)
        r.failed.reserveCapacity(ops.count)
        for op in ops {
            let o = m.apply(op)
            if o == .skipped { continue }
            r.ops.append(op)
            r.failed.append(o == .failed)
            let vs = m.world.checkTouched()
            if vs.isEmpty { continue }
            guard let v = vs.first(where: { rule == nil || $0.rule == rule }),
                  m.world.check().contains(where: { $0.rule == v.rule }) else { return nil }
            r.violation = v
            return r
        }
        return nil
    }

    /// Shrinks a run that broke a rule to a short one that breaks the same
    /// rule, and writes it as a scenario.
    public static func shrink(_ run: ExploreRun) -> ExploreFinding {
        let rule = run.violation.rule
        var replays = 0
        func test(_ h: ScenarioHeader, _ ops: [ExploreOp]) -> Replay? {
            replays += 1
            return replay(h, ops, faults: run.faults, rule: rule)
        }
        var header = run.header
        guard var cur = test(header, run.ops) else {
            // Not reproducible on a fresh world (the full check disagrees):
            // report the run as explored.
            let failed = [Bool](repeating: false, count: run.ops.count)
            return ExploreFinding(run: run, header: header, ops: run.ops, failed: failed, violation: run.violation,
                                  replays: replays,
                                  scenario: render(run, header, run.ops, failed, run.violation))
        }
        var progress = true
        while progress {
            progress = false
            // Chunks, largest first.
            var n = max(1, cur.ops.count / 2)
            while true {
                var i = 0
                while i < cur.ops.count {
                    var cand = cur.ops
                    cand.removeSubrange(i..<min(i + n, cand.count))
                    if let r = test(header, cand) { cur = r; progress = true } else { i += n }
                }
                if n == 1 { break }
                n /= 2
            }
            // Arguments.
            var i = 0
            while i < cur.ops.count {
                for s in simplifications(cur.ops[i], cur.ops) {
                    var cand = cur.ops
                    cand[i] = s
                    if let r = test(header, cand) { cur = r; progress = true; break }
                }
                i += 1
            }
            // The header.
            for h in simplifications(header) {
                if let r = test(h, cur.ops) { header = h; cur = r; progress = true }
            }
        }
        let v = cur.violation!
        return ExploreFinding(run: run, header: header, ops: cur.ops, failed: cur.failed, violation: v, replays: replays,
                              scenario: render(run, header, cur.ops, cur.failed, v))
    }

    /// Simpler variants of `op`, simplest first.
    static func simplifications(_ op: ExploreOp, _ all: [ExploreOp]) -> [ExploreOp] {
        var out: [ExploreOp] = []
        func with(_ f: (inout ExploreOp) -> Void) {
            var o = op
            f(&o)
            if o != op && !out.contains(o) { out.append(o) }
        }
        switch op.kind {
        case .fork, .exit, .clearRefs:
            break
        case .mremap:
            with { $0.arg = 1 }
            with { $0.arg = UInt32(max(1, op.count)) }
        case .map:
            with { $0.count = 1 }
            with { $0.count = max(1, op.count / 2) }
            with { $0.count = max(1, op.count - 1) }
            with { $0.arg = 0 }
            with { $0.arg &= ~3 }
            with { $0.arg &= ~(3 << 2) }
            with { $0.arg &= ~16 }
        default:
            with { $0.count = 1 }
            with { $0.first = 0 }
            with { $0.first = 0; $0.count = 1 }
            with { $0.first += $0.count - 1; $0.count = 1 }
            switch op.kind {
            case .write: with { $0.arg = 1 }
            case .readwrite:
                with { $0.kind = .write }
                with { $0.kind = .read; $0.arg = 0 }
                with { $0.arg = 1 }
            case .pin: with { $0.arg = 0 }
            case .madvise where op.arg == MadviseAdvice.populateWrite.rawValue:
                with { $0.arg = MadviseAdvice.populateRead.rawValue }
            default: break
            }
        }
        return out
    }

    /// Simpler headers: each mTHP size off, the default THP mode, zram,
    /// x86-64, page-cluster 3.
    static func simplifications(_ h: ScenarioHeader) -> [ScenarioHeader] {
        var out: [ScenarioHeader] = []
        let d = ScenarioHeader()
        for order in 2...4 where h.thpOrders[order] != d.thpOrders[order] {
            var x = h
            x.thpOrders[order] = d.thpOrders[order]
            out.append(x)
        }
        if h.thp != d.thp { var x = h; x.thp = d.thp; out.append(x) }
        if h.swapDevice != d.swapDevice { var x = h; x.swapDevice = d.swapDevice; out.append(x) }
        if h.arch != d.arch { var x = h; x.arch = d.arch; out.append(x) }
        if h.pageCluster != d.pageCluster { var x = h; x.pageCluster = d.pageCluster; out.append(x) }
        if h.softDirty { var x = h; x.softDirty = false; out.append(x) }
        if h.ksmZeroPages { var x = h; x.ksmZeroPages = false; out.append(x) }
        return out
    }

    // MARK: Writing the scenario

    /// The scenario of a shrunk run: header, the operations (children's in
    /// fork blocks, each after a `pause` and run by a `resume` of the first
    /// process), failed ones with `try`, and `expect violation RULE`.
    static func render(_ run: ExploreRun, _ header: ScenarioHeader, _ ops: [ExploreOp], _ failed: [Bool],
                       _ v: Violation) -> String {
        var lines: [String] = [
            "# Found by mmm explore (run seed \(run.seed)): \(v.rule.rawValue) after operation \(run.ops.count) of the run,",
            "# shrunk to \(ops.count) operation\(ops.count == 1 ? "" : "s"). `mmm run` replays it: the last line holds while",
            "# the model breaks the rule.",
            "# \(v)",
        ]
        lines += headerLines(header)
        lines.append("")

        var procName: [Int32: String] = [0: "parent"]
        var mapName: [Int32: String] = [:]
        var mapPages: [Int32: Int32] = [:]
        for op in ops {
            if op.kind == .fork, procName[op.target] == nil { procName[op.target] = "c\(procName.count)" }
            if op.kind == .map, mapName[op.target] == nil {
                let k = mapName.count
                mapName[op.target] = k < 26 ? String(UnicodeScalar(UInt8(65 + k))) : "M\(k)"
                mapPages[op.target] = op.count
            }
        }
        for op in ops where op.kind == .mremap { mapPages[op.target] = nil }
        enum Item { case line(String), child(Int32) }
        var blocks: [Int32: [Item]] = [0: []]
        for (op, f) in zip(ops, failed) {
            if op.proc != 0 {
                blocks[0]!.append(.line("resume \(procName[op.proc]!)"))
                blocks[op.proc, default: []].append(.line("pause"))
            }
            if op.kind == .fork {
                blocks[op.proc, default: []].append(.child(op.target))
                blocks[op.target] = []
            } else {
                blocks[op.proc, default: []].append(.line((f ? "try " : "") + text(op, mapName, mapPages)))
            }
        }
        blocks[0]!.append(.line("expect violation \(v.rule.rawValue)"))
        func emit(_ id: Int32, _ depth: Int) {
            let pad = String(repeating: "    ", count: depth)
            for item in blocks[id] ?? [] {
                switch item {
                case .line(let s): lines.append(pad + s)
                case .child(let c):
                    lines.append(pad + "fork \(procName[c]!) {")
                    emit(c, depth + 1)
                    lines.append(pad + "}")
                }
            }
        }
        emit(0, 0)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The header lines of `h`: arch, kernel, the machine's size, and the
    /// settings that differ from the defaults.
    static func headerLines(_ h: ScenarioHeader) -> [String] {
        let d = ScenarioHeader()
        var out = ["arch \(h.arch == .x86_64 ? "x86_64" : "arm64")", "kernel \(h.kernel)"]
        func name(_ s: THPSetting) -> String {
            switch s {
            case .never: "never"
            case .always: "always"
            case .madvise: "madvise"
            case .inherit: "inherit"
            }
        }
        if h.thp != d.thp { out.append("thp \(name(h.thp))") }
        for order in 2...WorldConfig.pmdOrder where h.thpOrders[order] != d.thpOrders[order] {
            let kb = 4 << order
            out.append("thp \(kb >= 1024 ? "\(kb / 1024)M" : "\(kb)K") \(name(h.thpOrders[order]))")
        }
        if !h.hugeZeroPage { out.append("huge-zero-page off") }
        if h.ksmZeroPages { out.append("ksm-zero-pages on") }
        if h.softDirty { out.append("soft-dirty on") }
        for sw in h.switches { out.append("switch \(sw)") }
        if h.swapDevice != d.swapDevice { out.append("swap \(h.swapDevice == .synchronous ? "zram" : "disk")") }
        if h.pageCluster != d.pageCluster { out.append("page-cluster \(h.pageCluster)") }
        out.append("frames \(h.frames)")
        out.append("swap-slots \(h.swapSlots - 1)")
        return out
    }

    /// One operation as a statement (without `try`).
    static func text(_ op: ExploreOp, _ names: [Int32: String], _ pages: [Int32: Int32]) -> String {
        let m = names[op.target] ?? "?"
        if op.kind == .map {
            var s = "map \(m) \(op.count) page\(op.count == 1 ? "" : "s")"
            switch op.arg & 3 { case 1: s += " hugepage"; case 2: s += " nohugepage"; default: break }
            switch (op.arg >> 2) & 3 { case 1: s += " ro"; case 2: s += " none"; default: break }
            if op.arg & 16 != 0 { s += " align 64K" }
            return s
        }
        if op.kind == .fork { return "fork" }
        if op.kind == .exit { return "exit" }
        if op.kind == .clearRefs { return "clear-refs soft-dirty" }
        let r: String
        // A mapping some process resized with mremap (`pages` has no entry
        // for it) is always named by explicit indexes.
        if op.first == 0 && op.count == pages[op.target] { r = "\(m)[*]" }
        else if op.count == 1 { r = "\(m)[\(op.first)]" }
        else { r = "\(m)[\(op.first)..\(op.first + op.count - 1)]" }
        switch op.kind {
        case .read: return "read \(r)"
        case .write: return "write \(r) \(op.arg)"
        case .readwrite: return "readwrite \(r) \(op.arg)"
        case .madvise:
            let word: String
            switch MadviseAdvice(rawValue: op.arg) ?? .cold {
            case .populateRead: return "populate read \(r)"
            case .populateWrite: return "populate write \(r)"
            case .dontneed: word = "dontneed"
            case .free: word = "free"
            case .mergeable: word = "ksm merge"
            case .unmergeable: word = "ksm unmerge"
            case .pageout: word = "pageout"
            case .cold: word = "cold"
            case .hugepage: word = "hugepage"
            case .nohugepage: word = "nohugepage"
            case .dontfork: word = "dontfork"
            case .dofork: word = "dofork"
            case .wipeonfork: word = "wipeonfork"
            case .keeponfork: word = "keeponfork"
            case .collapse: word = "collapse"
            }
            return "\(word) \(r)"
        case .mprotect:
            switch Protection(rawValue: op.arg) ?? .readWrite {
            case .none: return "mprotect \(r) none"
            case .read: return "mprotect \(r) ro"
            case .readWrite: return "mprotect \(r) rw"
            }
        case .munmap: return "munmap \(r)"
        case .pin: return "pin \(op.arg != 0 ? "rw" : "ro") \(r)"
        case .unpin: return "unpin \(r)"
        case .uffdRegister:
            let f = UffdFeatures(rawValue: op.arg)
            var words = "uffd register wp"
            if f.contains(.wpUnpopulated) { words += " unpopulated" }
            if f.contains(.wpAsync) { words += " async" }
            if f.contains(.eventFork) { words += " fork-event" }
            return "\(words) \(r)"
        case .uffdUnregister: return "uffd unregister \(r)"
        case .uffdProtect: return "uffd \(op.arg != 0 ? "protect" : "unprotect") \(r)"
        case .reclaim: return "reclaim \(r)"
        case .mremap: return "mremap \(m)[0..\(op.count - 1)] \(op.arg) page\(op.arg == 1 ? "" : "s") maymove"
        case .map, .fork, .exit, .clearRefs: return ""
        }
    }
}
