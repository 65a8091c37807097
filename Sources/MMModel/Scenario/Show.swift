/// `mmm show`: the world at one point of a scenario, as a Graphviz DOT graph.
///
/// `Scenario.state(text:at:)` runs a scenario and keeps a copy of its `World`
/// at a snapshot or right after a line; `ScenarioState.dot()` draws it:
/// processes (clusters) with their VMAs and the page tables that exist (PGD,
/// PUD, PMD and PTE tables, linked as the walk goes), folios, the zero pages
/// and swap slots, and one edge per run of pages a table maps to a folio or a
/// swap slot — so a frame two processes map has two edges into it.
///
/// Names follow the observation (docs/observation-format.md): pages are
/// `A[3]`, frames `fN` and swap entries `sN` numbered as `mmm run` numbers
/// them; model PFNs and slots are printed too, since the picture is of the
/// model itself.

/// A point of a scenario run.
public enum ScenarioPoint: Hashable, Sendable {
    /// When the snapshot of that name is taken (`end`: at the end of the run).
    case snapshot(String)
    /// Right after the statement on that line ran; for `fork`, right after the
    /// fork, before the child's block runs.
    case line(Int)
}

/// The world at a point of a scenario, with the scenario's names for it.
public struct ScenarioState: Sendable {
    public struct Mapping: Hashable, Sendable {
        public var name: String
        public var start: UInt64
        public var pages: Int
    }
    public struct ProcessInfo: Hashable, Sendable {
        public var name: String
        public var pid: Int32
        /// running, paused, finished or exited.
        public var status: String
        public var mappings: [Mapping]
    }
    /// What the point is: `snapshot NAME line=N` or `after line N`.
    public var point: String
    public var world: World
    /// Every process created so far, in creation order.
    public var processes: [ProcessInfo]
    /// Observation ids: PFN → N of `fN`, swap slot → N of `sN`.
    public var frameIds: [UInt64: Int]
    public var swapIds: [Int: Int]
}

extension Scenario {
    /// Parses and runs `text`, returning the world at `point`; an error when
    /// the script does not parse, the point does not exist or is not reached,
    /// or the run stops before it.
    public static func state(text: String, at point: ScenarioPoint) -> Result<ScenarioState, ScenarioError> {
        switch parse(text: text) {
        case .success(let s): return s.state(at: point)
        case .failure(let e): return .failure(e)
        }
    }

    /// Runs the scenario and returns the world at `point`.
    public func state(at point: ScenarioPoint) -> Result<ScenarioState, ScenarioError> {
        if case .line(let n) = point, !Scenario.hasStatement(body, line: n) {
            return .failure(ScenarioError(line: 0, "line \(n) holds no statement (blank, comment, header or '}')"))
        }
        var r = ScenarioRunner(self, name: "")
        r.capturePoint = point
        r.runAll()
        if let c = r.captured { return .success(c) }
        if let e = r.result.error { return .failure(e) }
        switch point {
        case .snapshot(let name): return .failure(ScenarioError(line: 0, "the scenario takes no snapshot named '\(name)'"))
        case .line(let n): return .failure(ScenarioError(line: n, "never ran: its process did not reach it"))
        }
    }

    static func hasStatement(_ body: [ScenarioStatement], line: Int) -> Bool {
        body.contains { s in
            if s.line == line { return true }
            if case .fork(_, let inner) = s.op { return hasStatement(inner, line: line) }
            return false
        }
    }
}

extension ScenarioRunner {
    /// Takes the copy for `.line(n)` after the statement on line `n` ran.
    mutating func capture(afterLine n: Int) {
        guard captured == nil, capturePoint == .line(n) else { return }
        captured = state("after line \(n)")
    }

    /// The world now; frames and swap entries no snapshot has named yet get
    /// the ids the next snapshot would give them.
    func state(_ point: String) -> ScenarioState {
        var fids = frameIds, sids = swapIds
        for p in procs where p.status != .exited {
            for m in p.maps {
                for k in 0..<m.pages {
                    guard let st = try? world.pageState(p.pid, m.start + UInt64(k) * VA.pageSize) else { continue }
                    if st.kind == .present, !st.zeroPage, fids[st.pfn] == nil { fids[st.pfn] = fids.count + 1 }
                    if st.kind == .swap, st.swapSlot > 0, sids[st.swapSlot] == nil { sids[st.swapSlot] = sids.count + 1 }
                }
            }
        }
        return ScenarioState(
            point: point, world: world,
            processes: procs.map { p in
                ScenarioState.ProcessInfo(name: p.name, pid: p.pid, status: p.status.rawValue,
                                          mappings: p.maps.map { .init(name: $0.name, start: $0.start, pages: $0.pages) })
            },
            frameIds: fids, swapIds: sids)
    }
}

// MARK: DOT

extension ScenarioState {
    /// The state as a Graphviz `digraph` (render with `dot -Tsvg`).
    ///
    /// Nodes: `pN_vmaK` (VMAs of process pid N), `tI` (page table I of the
    /// pool), `folioF` (the folio whose first frame is F), `zero` and
    /// `hugezero`, `swapS` (slot S). Edges: table → table (the walk), table →
    /// folio / zero page / swap slot (one per run of consecutive pages mapping
    /// consecutive pages of one folio), swap slot → folio (swap cache).
    public func dot() -> String {
        var g = DotGraph()
        g.line("digraph mmm {")
        g.line("  graph [rankdir=LR, fontname=\"monospace\", labelloc=t, label=\(dotString("mmm show: " + point))];")
        g.line("  node [shape=box, fontname=\"monospace\", fontsize=10];")
        g.line("  edge [fontname=\"monospace\", fontsize=9];")
        let w = world
        for info in processes {
            let p = Int(info.pid) - 1
            let proc = w.processes[p]
            g.line("  subgraph cluster_p\(info.pid) {")
            g.line("    label=\(dotString("process \(info.name) (pid \(info.pid), \(info.status))"));")
            if proc.exited {
                g.line("    p\(info.pid)_gone [shape=plaintext, label=\"exited: no mm\"];")
                g.line("  }")
                continue
            }
            for (k, v) in proc.vmas.enumerated() {
                let prot = (v.flags.contains(.read) ? "r" : "-") + (v.flags.contains(.write) ? "w" : "-")
                var extra: [String] = []
                if v.flags.contains(.hugepage) { extra.append("hugepage") }
                if v.flags.contains(.noHugepage) { extra.append("nohugepage") }
                if v.flags.contains(.dontCopy) { extra.append("dontfork") }
                if v.flags.contains(.wipeOnFork) { extra.append("wipeonfork") }
                let label = "VMA \(pageName(info, v.start))..\(pageName(info, v.end - VA.pageSize))\n"
                    + "[\(hex0x(v.start)), \(hex0x(v.end))) \(prot)p \(v.pages) pages"
                    + (extra.isEmpty ? "" : "\n" + extra.joined(separator: " "))
                g.line("    p\(info.pid)_vma\(k) [shape=note, label=\(dotString(label))];")
            }
            walk(&g, info, table: proc.pgd, level: 3)
            g.line("  }")
        }
        // Targets of the leaf edges, declared after the clusters.
        if g.zero { g.line("  zero [shape=ellipse, label=\"zero page\\npfn \(hex0x(Frames.zeroPfn))\"];") }
        if g.hugeZero { g.line("  hugezero [shape=ellipse, label=\"huge zero folio\\npfn \(hex0x(Frames.hugeZeroPfn)), order 9\"];") }
        var head: Int32 = 0
        while Int(head) < w.frames.count {
            guard w.frames.isAllocated(head), w.frames.head(head) == head else { head += 1; continue }
            g.line("  folio\(head) [label=\(dotString(folioLabel(head)))];")
            head += Int32(w.frames.nr(head))
        }
        for s in 1..<max(w.swap.slots, 1) where w.swap.isUsed(s) {
            var label = (swapIds[s].map { "s\($0) " } ?? "") + "swap slot \(s)\ncount=\(w.swap.swapCount(s)) data=\(w.swap.data[s])"
            if w.swap.cachedFolio(s) != nil { label += "\nswapcache" }
            g.line("  swap\(s) [shape=cylinder, label=\(dotString(label))];")
            if let h = w.swap.cachedFolio(s), w.frames.isAllocated(h) {
                g.line("  swap\(s) -> folio\(w.frames.head(h)) [style=dotted, label=\"swapcache\"];")
            }
        }
        for (s, label) in g.orphanSlots.sorted(by: { $0.key < $1.key }) where !w.swap.isUsed(s) {
            g.line("  swap\(s) [shape=cylinder, color=red, label=\(dotString(label))];")
        }
        g.out += g.leafEdges
        g.line("}")
        return g.out
    }

    /// `A[3]` for an address inside a mapping the process named, else the address.
    func pageName(_ info: ProcessInfo, _ addr: UInt64) -> String {
        for m in info.mappings where addr >= m.start && addr < m.start + UInt64(m.pages) * VA.pageSize {
            return "\(m.name)[\((addr - m.start) / VA.pageSize)]"
        }
        return hex0x(addr)
    }

    func folioLabel(_ head: Int32) -> String {
        let w = world
        let nr = w.frames.nr(head)
        let ids = (0..<nr).map { frameIds[w.frames.pfn(head + Int32($0))] }
        var name: String
        if let first = ids[0], ids.enumerated().allSatisfy({ $0.element == first + $0.offset }) {
            name = nr == 1 ? "f\(first)" : "f\(first)..f\(first + nr - 1)"
        } else if let some = ids.compactMap({ $0 }).first {
            name = "f\(some)…"
        } else {
            name = "folio"
        }
        name += "  pfn \(hex0x(w.frames.pfn(head)))" + (nr > 1 ? ", order \(w.frames.order(head))" : "")
        let fl = w.frames.flags(head)
        var words: [String] = []
        if fl.contains(.anon) { words.append("anon") }
        if fl.contains(.ksm) { words.append("ksm") }
        if fl.contains(.swapCache) { words.append("swapcache") }
        if fl.contains(.dirty) { words.append("dirty") }
        if fl.contains(.writeback) { words.append("writeback") }
        if w.maybePinned(head) { words.append("pinned") }
        let tokens = Set((0..<nr).map { w.frames.token[Int(head) + $0] })
        let data = tokens.count == 1 ? "data=\(tokens.first!)" : "data=mixed"
        return name + "\nref=\(w.frames.ref[Int(head)]) mapcount=\(w.folioMapcount(head)) \(data)"
            + (words.isEmpty ? "" : "\n" + words.joined(separator: " "))
    }

    /// Declares table `table` (level 3 = PGD … 0 = PTE table) and what it
    /// points to: lower tables inside the cluster, leaves into `leafEdges`.
    func walk(_ g: inout DotGraph, _ info: ProcessInfo, table: Int32, level: Int) {
        let w = world
        let owner = w.tables.owners[Int(table)]
        let names = ["PTE table", "PMD table", "PUD table", "PGD"]
        var used = 0
        let base = Int(table) * PageTablePool.entries
        for i in 0..<PageTablePool.entries where w.tables.words[base + i] != 0 { used += 1 }
        let span = level == 3 ? "" : "\n\(hex0x(owner.base))+\(hex0x(UInt64(1) << (21 + 9 * UInt64(level))))"
        // A COW PTE table (KernelPolicy.cowPte) is drawn once, in its first owner's cluster.
        let cow = level == 0 && w.tables.shareCount[Int(table)] != 0
            ? "\nCOW PTE table, \(w.tables.shareCount[Int(table)]) write-protected PMD(s)" : ""
        g.line("    t\(table) [shape=box3d, label=\(dotString("\(names[level]) \(table)\(span)\n\(used) of 512 used\(cow)"))];")
        var leaves = LeafRuns(info: info, state: self, from: "t\(table)")
        for i in 0..<PageTablePool.entries {
            let e = w.tables.words[base + i]
            guard e != 0 else { continue }
            let addr = owner.address(i)
            if level >= 2 || (level == 1 && w.fmt.pmdIsTable(e)) {
                let child = w.fmt.tableIndex(e)
                if level == 1 && w.fmt.pmdTableIsWriteProtected(e) {
                    g.line("    t\(table) -> t\(child) [label=\"[\(i)] wp\", style=dashed];")
                    if w.tables.owners[Int(child)].process != info.pid - 1 { continue }
                } else {
                    g.line("    t\(table) -> t\(child) [label=\"[\(i)]\"];")
                }
                walk(&g, info, table: child, level: level - 1)
            } else if level == 1 {
                leaves.add(&g, addr: addr, pte: w.fmt.pteOfPmd(e), pmd: true)
            } else {
                leaves.add(&g, addr: addr, pte: Pte(e), pmd: false)
            }
        }
        leaves.flush(&g)
    }
}

/// The text being built, and what the leaf edges need declared.
struct DotGraph {
    var out = ""
    var leafEdges = ""
    var zero = false
    var hugeZero = false
    /// Swap slots a PTE names that the device does not have in use (drawn in red).
    var orphanSlots: [Int: String] = [:]
    mutating func line(_ s: String) { out += s + "\n" }
}

/// Merges the leaves of one table into runs: consecutive addresses mapping
/// consecutive pages of one folio with the same permissions give one edge.
struct LeafRuns {
    let info: ScenarioState.ProcessInfo
    let state: ScenarioState
    let from: String
    /// (target node, first address, pages, next frame expected, attributes)
    var run: (target: String, addr: UInt64, pages: Int, nextFrame: Int32, attrs: String)? = nil

    init(info: ScenarioState.ProcessInfo, state: ScenarioState, from: String) {
        self.info = info
        self.state = state
        self.from = from
    }

    mutating func add(_ g: inout DotGraph, addr: UInt64, pte: Pte, pmd: Bool) {
        let w = state.world
        let fmt = w.fmt
        switch fmt.kind(of: pte) {
        case .present:
            var bits: [String] = []
            if fmt.isWrite(pte) { bits.append("w") }
            if fmt.isDirty(pte) { bits.append("d") }
            if fmt.isYoung(pte) { bits.append("y") }
            if pmd { bits.append("pmd") }
            let attrs = bits.isEmpty ? "-" : bits.joined(separator: ",")
            let pfn = fmt.pfn(pte)
            let pages = pmd ? PageTablePool.entries : 1
            if pfn == Frames.zeroPfn {
                g.zero = true
                append(&g, target: "zero", addr: addr, pages: pages, frame: -1, attrs: attrs)
            } else if pfn >= Frames.hugeZeroPfn && pfn < Frames.hugeZeroPfn + 512 {
                g.hugeZero = true
                append(&g, target: "hugezero", addr: addr, pages: pages, frame: -1, attrs: attrs)
            } else if let f = w.frames.frame(ofPfn: pfn), w.frames.isAllocated(f) {
                append(&g, target: "folio\(w.frames.head(f))", addr: addr, pages: pages, frame: f, attrs: attrs)
            } else {
                flush(&g)
                g.leafEdges += "  \(from) -> \(from)_bad\(addr >> 12) [color=red];\n"
                g.leafEdges += "  \(from)_bad\(addr >> 12) [color=red, label=\(dotString("pfn \(hex0x(pfn)): no folio"))];\n"
            }
        case .swap:
            flush(&g)
            let slot = Int(fmt.archSwpOffset(pte))
            if !w.swap.isUsed(slot) { g.orphanSlots[slot] = "swap slot \(slot)\nnot in use" }
            let sx = fmt.swpTest(pte, .exclusive) ? " sx" : ""
            g.leafEdges += "  \(from) -> swap\(slot) [style=dashed, label=\(dotString(state.pageName(info, addr) + sx))];\n"
        default:
            flush(&g)
            let id = "\(from)_e\(addr >> 12)"
            g.leafEdges += "  \(id) [shape=plaintext, label=\(dotString("\(fmt.kind(of: pte)) entry"))];\n"
            g.leafEdges += "  \(from) -> \(id) [label=\(dotString(state.pageName(info, addr)))];\n"
        }
    }

    mutating func append(_ g: inout DotGraph, target: String, addr: UInt64, pages: Int, frame: Int32, attrs: String) {
        if let r = run, r.target == target, r.attrs == attrs, r.addr + UInt64(r.pages) * VA.pageSize == addr,
           frame < 0 || r.nextFrame == frame,
           state.pageName(info, addr).split(separator: "[").first == state.pageName(info, r.addr).split(separator: "[").first {
            run!.pages += pages
            run!.nextFrame = frame < 0 ? -1 : frame + Int32(pages)
            return
        }
        flush(&g)
        run = (target, addr, pages, frame < 0 ? -1 : frame + Int32(pages), attrs)
    }

    mutating func flush(_ g: inout DotGraph) {
        guard let r = run else { return }
        run = nil
        let first = state.pageName(info, r.addr)
        var label = first
        if r.pages > 1 {
            let last = state.pageName(info, r.addr + UInt64(r.pages - 1) * VA.pageSize)
            if first.hasSuffix("]"), let lopen = last.firstIndex(of: "[") {
                label = String(first.dropLast()) + ".." + String(last[last.index(after: lopen)...])
            } else {
                label = first + ".." + last
            }
        }
        g.leafEdges += "  \(from) -> \(r.target) [label=\(dotString(label + " " + r.attrs))];\n"
    }
}

/// A DOT string literal.
func dotString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}
