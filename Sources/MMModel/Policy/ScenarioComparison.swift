/// One scenario run under two kernels, set side by side (`mmm compare`): the
/// switches that differ, every phase's fault counts, the event counters that
/// differ, and every page whose observable or model state differs, in runs of
/// consecutive pages with the same differences.
public struct ScenarioComparison: Sendable {
    /// One line of the comparison: what, and its value on each side.
    public struct Row: Hashable, Sendable {
        public var what: String
        public var a: String
        public var b: String
        public var differs: Bool { a != b }
        public init(what: String, a: String, b: String) {
            self.what = what
            self.a = a
            self.b = b
        }
    }

    public let a: ScenarioResult
    public let b: ScenarioResult
    public let labelA: String
    public let labelB: String
    /// Switches whose values differ.
    public private(set) var policyRows: [Row] = []
    /// Every phase of every process: `PROCESS PHASE minor` / `major`.
    public private(set) var phaseRows: [Row] = []
    /// End-of-run counters of each process that differ.
    public private(set) var counterRows: [Row] = []
    /// Page state that differs: `SNAPSHOT PROCESS RANGE FIELD`.
    public private(set) var pageRows: [Row] = []

    public init(a: ScenarioResult, b: ScenarioResult, labelA: String, labelB: String) {
        self.a = a
        self.b = b
        self.labelA = labelA
        self.labelB = labelB
        let pa = (try? KernelPolicy.make(preset: a.header.kernel, switches: a.header.switches)) ?? .v6_18
        let pb = (try? KernelPolicy.make(preset: b.header.kernel, switches: b.header.switches)) ?? .v6_18
        for name in KernelPolicy.switchNames where pa.value(of: name) != pb.value(of: name) {
            policyRows.append(Row(what: name, a: pa.value(of: name)!, b: pb.value(of: name)!))
        }
        var phaseKeys: [String] = []
        var pha: [String: PhaseObservation] = [:], phb: [String: PhaseObservation] = [:]
        for ph in a.phases { let k = "\(ph.process) \(ph.name)"; if pha[k] == nil { phaseKeys.append(k) }; pha[k] = ph }
        for ph in b.phases { let k = "\(ph.process) \(ph.name)"; if pha[k] == nil && phb[k] == nil { phaseKeys.append(k) }; phb[k] = ph }
        for k in phaseKeys {
            phaseRows.append(Row(what: k + " minor", a: pha[k].map { "\($0.minor)" } ?? "-", b: phb[k].map { "\($0.minor)" } ?? "-"))
            phaseRows.append(Row(what: k + " major", a: pha[k].map { "\($0.major)" } ?? "-", b: phb[k].map { "\($0.major)" } ?? "-"))
        }
        for (name, ca) in a.counters {
            guard let cb = b.counters.first(where: { $0.process == name })?.counters else { continue }
            for (field, va, vb) in ScenarioComparison.counterFields(ca, cb) where va != vb {
                counterRows.append(Row(what: "\(name) \(field)", a: "\(va)", b: "\(vb)"))
            }
            // The writes the userfaultfd monitor was told about (uffd-wp traps).
            let ea = a.uffdEvents.filter { $0.process == name }.count, eb = b.uffdEvents.filter { $0.process == name }.count
            if ea != eb { counterRows.append(Row(what: "\(name) uffdEvents", a: "\(ea)", b: "\(eb)")) }
        }
        for sa in a.snapshots {
            guard let sb = b.snapshots.first(where: { $0.name == sa.name }) else { continue }
            for proc in sa.processes {
                guard let pb = sb.processes.first(where: { $0.name == proc.name }) else { continue }
                pageRows += ScenarioComparison.pageDiffs("\(sa.name) \(proc.name)", proc.pages, pb.pages)
            }
        }
    }

    static func counterFields(_ a: FaultCounters, _ b: FaultCounters) -> [(String, UInt64, UInt64)] {
        [("minor", a.minor, b.minor), ("major", a.major, b.major),
         ("anonFirstTouch", a.anonFirstTouch, b.anonFirstTouch), ("zeroPageMapped", a.zeroPageMapped, b.zeroPageMapped),
         ("wpReuse", a.wpReuse, b.wpReuse), ("wpCopy", a.wpCopy, b.wpCopy), ("unshare", a.unshare, b.unshare),
         ("swapinCache", a.swapinCache, b.swapinCache), ("swapinDevice", a.swapinDevice, b.swapinDevice),
         ("forkPagesCopied", a.forkPagesCopied, b.forkPagesCopied), ("forkPtesBatched", a.forkPtesBatched, b.forkPtesBatched),
         ("forkBatches", a.forkBatches, b.forkBatches), ("forkRmapOps", a.forkRmapOps, b.forkRmapOps),
         ("forkRefOps", a.forkRefOps, b.forkRefOps), ("pageTablesAllocated", a.pageTablesAllocated, b.pageTablesAllocated),
         ("forkPtesCopied", a.forkPtesCopied, b.forkPtesCopied), ("forkTablesShared", a.forkTablesShared, b.forkTablesShared),
         ("cowPteBreakCopies", a.cowPteBreakCopies, b.cowPteBreakCopies),
         ("cowPteBreakReuses", a.cowPteBreakReuses, b.cowPteBreakReuses),
         ("cowPteBreakPtesCopied", a.cowPteBreakPtesCopied, b.cowPteBreakPtesCopied),
         ("cowPteSharesDropped", a.cowPteSharesDropped, b.cowPteSharesDropped)]
        + CowPteBreakCause.allCases.map {
            ("cowPteBreaks." + $0.name, a.cowPteBreaksByCause[$0.rawValue], b.cowPteBreaksByCause[$0.rawValue])
        }
    }

    /// The compared fields of one page, by name (observable first, then model-only).
    static func fields(_ p: PageObservation) -> [(String, String)] {
        func yn(_ v: Bool) -> String { v ? "yes" : "no" }
        var f: [(String, String)] = [("state", p.state.rawValue)]
        f.append(("exclusive", yn(p.pagemapFlags & Pagemap.exclusive != 0)))
        f.append(("uffd-wp", yn(p.pagemapFlags & Pagemap.uffdWp != 0)))
        f.append(("soft-dirty", yn(p.pagemapFlags & Pagemap.softDirty != 0)))
        f.append(("count", p.kpagecount.map { "\($0)" } ?? "-"))
        f.append(("kpageflags", p.kpageflags.map { flags in
            KPageFlags.named.filter { flags & $0.0 != 0 }.map(\.1).joined(separator: ",") } ?? "-"))
        f.append(("contents", p.data.map { "\($0)" } ?? "-"))
        f.append(("shared-with", p.sharers.map(\.description).joined(separator: ",")))
        f.append(("kept-frame", p.kept.map(yn) ?? "-"))
        f.append(("writable", yn(p.pteWrite)))
        f.append(("dirty", yn(p.pteDirty)))
        f.append(("anon-exclusive", yn(p.anonExclusive)))
        f.append(("order", "\(p.order)"))
        f.append(("refcount", "\(p.refcount)"))
        f.append(("pinned", yn(p.maybePinned)))
        f.append(("swapcache", yn(p.swapCache)))
        f.append(("swap-exclusive", yn(p.swapExclusive)))
        f.append(("swap-count", "\(p.swapCount)"))
        return f
    }

    /// Differences of two page lists (same mappings in the same order), in runs.
    static func pageDiffs(_ prefix: String, _ pa: [PageObservation], _ pb: [PageObservation]) -> [Row] {
        var rows: [Row] = []
        var run: (mapping: String, first: Int, last: Int, diffs: [(String, String, String)])? = nil
        func flush() {
            guard let r = run else { return }
            let range = r.first == r.last ? "\(r.mapping)[\(r.first)]" : "\(r.mapping)[\(r.first)..\(r.last)]"
            for (field, va, vb) in r.diffs { rows.append(Row(what: "\(prefix) \(range) \(field)", a: va, b: vb)) }
            run = nil
        }
        for (x, y) in zip(pa, pb) where x.mapping == y.mapping && x.index == y.index {
            let diffs = zip(fields(x), fields(y)).filter { $0.1 != $1.1 }.map { ($0.0, $0.1, $1.1) }
            if let r = run, r.mapping == x.mapping, r.last + 1 == x.index,
               r.diffs.elementsEqual(diffs, by: { $0 == $1 }) {
                run!.last = x.index
                continue
            }
            flush()
            if !diffs.isEmpty { run = (x.mapping, x.index, x.index, diffs) }
        }
        flush()
        return rows
    }

    /// Whether anything differs besides the switches.
    public var differs: Bool {
        phaseRows.contains(where: \.differs) || !counterRows.isEmpty || !pageRows.isEmpty
    }

    /// The side-by-side text (`mmm compare`).
    public var text: String {
        var out = "compare \(a.name)\n"
        let all = policyRows + phaseRows + counterRows + pageRows
        let w0 = max(28, all.map(\.what.count).max() ?? 0)
        let w1 = max(labelA.count, all.map(\.a.count).max() ?? 0, 6)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func line(_ r: Row, mark: Bool) -> String {
            "  " + pad(r.what, w0) + "  " + pad(r.a, w1) + "  " + r.b + (mark && r.differs ? "   *" : "") + "\n"
        }
        out += line(Row(what: "", a: labelA, b: labelB), mark: false)
        out += "switches\n"
        if policyRows.isEmpty { out += "  (none differ)\n" }
        for r in policyRows { out += line(r, mark: false) }
        out += "faults by phase\n"
        for r in phaseRows { out += line(r, mark: true) }
        out += "counters at the end\n"
        if counterRows.isEmpty { out += "  (none differ)\n" }
        for r in counterRows { out += line(r, mark: false) }
        out += "page state\n"
        if pageRows.isEmpty { out += "  (none differs)\n" }
        for r in pageRows { out += line(r, mark: false) }
        func verdict(_ r: ScenarioResult) -> String {
            (r.passed ? "pass" : "fail") + " held=\(r.expectationsHeld) failed=\(r.failures.count)"
                + (r.error.map { " error line \($0.line): \($0.message)" } ?? "")
        }
        out += "expectations\n"
        out += line(Row(what: "result", a: verdict(a), b: verdict(b)), mark: false)
        return out
    }
}
