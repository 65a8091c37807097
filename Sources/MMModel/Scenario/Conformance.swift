/// Live-kernel conformance (`mmm conform`, docs/conformance.md): the comparison
/// of a kernel's observation of a scenario (tools/live/mmm-live) with the
/// model's, both in the text form of docs/observation-format.md, and the report
/// of a run over several files as text or JSON.
///
/// The comparison reads text, not `ScenarioResult`s, because the kernel side
/// exists only as text; the model side is printed by the model and read back.

/// One difference between the two observations.
public struct ConformanceDifference: Hashable, Sendable {
    /// What differs (`kind` of docs/conformance.md).
    public enum Kind: String, CaseIterable, Hashable, Sendable {
        /// A phase's minor / major fault counts, or a phase missing on one side.
        case faults
        /// Present/swapped/none/unmapped, pagemap bits, kpagecount, kpageflags.
        case state
        /// Frame and swap ids, kept/new.
        case identity
        /// Pages of other processes sharing the frame or swap entry.
        case sharing
        /// Page contents (`data=`); the kernel's `data=?` matches any value.
        case contents
        /// The userfaultfd write-protect traps (`uffd PROC A[i] write line=N`).
        case uffd
        /// The run as a whole: an error that stopped one side, the snapshots
        /// taken, the processes alive at a snapshot.
        case run
    }

    public var kind: Kind
    /// Where: `snapshot end child A[0..15]`, `phase child swapin`,
    /// `uffd event 3`, `error`, `snapshots`, `snapshot end processes`.
    public var what: String
    public var model: String
    public var kernel: String
    /// False when the difference is within the fault tolerance.
    public var withinTolerance = false

    public init(kind: Kind, what: String, model: String, kernel: String, withinTolerance: Bool = false) {
        self.kind = kind
        self.what = what
        self.model = model
        self.kernel = kernel
        self.withinTolerance = withinTolerance
    }

    /// `WHAT [KIND]: model M / kernel K` (the kind is named for page rows,
    /// whose `what` is a page range).
    public var text: String {
        let pageRow = what.hasPrefix("snapshot ") && what.hasSuffix("]")
        return what + (pageRow ? " " + kind.rawValue : "") + ": model \(model) / kernel \(kernel)"
    }
}

/// The comparison of two observations in the text form.
public enum ObservationDiff {
    /// One page's compared fields, by kind.
    struct Page: Equatable {
        var state = ""
        var identity = ""
        var sharing = ""
        var data = ""
    }

    struct Parsed {
        /// (snapshot, process) in order, with pages by name.
        var snapshots: [(name: String, processes: [(name: String, pages: [(String, Page)])])] = []
        var phases: [(String, Int, Int)] = []
        var uffd: [String] = []
        var error: String?
        var fails: [String] = []
    }

    /// The text before and after the first "..".
    static func splitRun(_ s: Substring) -> (Substring, Substring)? {
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(after: i)
            if s[i] == ".", j < s.endIndex, s[j] == "." { return (s[..<i], s[s.index(after: j)...]) }
            i = j
        }
        return nil
    }

    /// Expands a run token (`frame=f1..f16`, `A[0..15]`) to its k-th value.
    static func expand(_ tok: Substring, _ k: Int) -> String {
        guard let (left, right) = splitRun(tok) else { return String(tok) }
        let leftDigits = left.reversed().prefix { $0.isNumber }.count
        let prefix = left.dropLast(leftDigits)
        guard let a = Int(left.suffix(leftDigits)) else { return String(tok) }
        let letters = right.prefix { !$0.isNumber }
        let rest = right.dropFirst(letters.count)
        let digits = rest.prefix { $0.isNumber }
        return prefix + String(a + k) + rest.dropFirst(digits.count)
    }

    /// The pages of one page line.
    static func pages(_ line: Substring) -> [(String, Page)] {
        let toks = line.split(separator: " ")
        guard let first = toks.first else { return [] }
        var count = 1
        if let (l, r) = splitRun(first), let open = l.firstIndex(of: "["),
           let a = Int(l[l.index(after: open)...]), let b = Int(r.dropLast()), b >= a, b - a < 1 << 26 {
            count = b - a + 1
        }
        var out: [(String, Page)] = []
        for k in 0..<count {
            var state: [String] = [], identity: [String] = [], sharing: [String] = [], data: [String] = []
            for t in toks.dropFirst() {
                if t == "|" { break }                           // --verbose: model-only fields follow
                let v = expand(t, k)
                if v.hasPrefix("frame=") || v.hasPrefix("swap=") || v.hasPrefix("type=") || v == "kept" || v == "new" {
                    identity.append(v)
                } else if v.hasPrefix("shared=") || v.hasPrefix("+") {
                    sharing.append(v)
                } else if v.hasPrefix("data=") {
                    data.append(v)
                } else {
                    state.append(v)
                }
            }
            out.append((expand(first, k), Page(state: state.joined(separator: " "), identity: identity.joined(separator: " "),
                                                sharing: sharing.joined(separator: " "), data: data.joined(separator: " "))))
        }
        return out
    }

    static func parse(_ text: String) -> Parsed {
        var p = Parsed()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("snapshot ") {
                p.snapshots.append((String(line.split(separator: " ")[1]), []))
            } else if line.hasPrefix("  process "), !p.snapshots.isEmpty {
                p.snapshots[p.snapshots.count - 1].processes.append((String(line.dropFirst(10)), []))
            } else if line.hasPrefix("    "), !p.snapshots.isEmpty, !p.snapshots[p.snapshots.count - 1].processes.isEmpty {
                let s = p.snapshots.count - 1, q = p.snapshots[s].processes.count - 1
                p.snapshots[s].processes[q].pages += pages(line.dropFirst(4))
            } else if line.hasPrefix("phase ") {
                let w = line.split(separator: " ")
                guard w.count == 5 else { continue }
                let minor = Int(w[3].dropFirst(6)) ?? -1, major = Int(w[4].dropFirst(6)) ?? -1
                p.phases.append(("\(w[1]) \(w[2])", minor, major))
            } else if line.hasPrefix("uffd ") {
                p.uffd.append(String(line.dropFirst(5)))
            } else if line.hasPrefix("error ") {
                p.error = String(line.dropFirst(6))
            } else if line.hasPrefix("fail ") {
                p.fails.append(String(line.dropFirst(5)))
            }
        }
        for s in p.snapshots.indices { renumber(&p.snapshots[s].processes) }
        return p
    }

    /// Frame and swap ids renamed in first-seen order within one snapshot
    /// (processes, then pages, in order): the ids of an observation count over
    /// the whole run, so one allocation that picks another PFN on one side
    /// (the allocator's choice, which the model does not claim) would shift
    /// every later id. Within a snapshot the renamed ids still show which pages
    /// share a frame or a swap entry; `kept` / `new` carries the continuity
    /// between snapshots.
    static func renumber(_ procs: inout [(name: String, pages: [(String, Page)])]) {
        var frames: [Substring: Int] = [:], swaps: [Substring: Int] = [:]
        for q in procs.indices {
            for k in procs[q].pages.indices where !procs[q].pages[k].1.identity.isEmpty {
                let toks = procs[q].pages[k].1.identity.split(separator: " ").map { t -> String in
                    if t.hasPrefix("frame=f"), Int(t.dropFirst(7)) != nil {
                        let id = t.dropFirst(7)
                        if frames[id] == nil { frames[id] = frames.count + 1 }
                        return "frame=f\(frames[id]!)"
                    }
                    if t.hasPrefix("swap=s"), Int(t.dropFirst(6)) != nil {
                        let id = t.dropFirst(6)
                        if swaps[id] == nil { swaps[id] = swaps.count + 1 }
                        return "swap=s\(swaps[id]!)"
                    }
                    return String(t)
                }
                procs[q].pages[k].1.identity = toks.joined(separator: " ")
            }
        }
    }

    /// The differences between the model's observation and the kernel's, and
    /// the expectations each side found failing (information: the differences
    /// already show them). A phase count may differ by `faultTolerance`
    /// (marked `withinTolerance`).
    public static func compare(model: String, kernel: String, faultTolerance: Int = 0)
        -> (differences: [ConformanceDifference], notes: [String]) {
        let m = parse(model), k = parse(kernel)
        var out: [ConformanceDifference] = []
        if m.error != k.error {
            out.append(ConformanceDifference(kind: .run, what: "error", model: m.error ?? "none", kernel: k.error ?? "none"))
        }
        let snapNames = (m.snapshots.map(\.name), k.snapshots.map(\.name))
        if snapNames.0 != snapNames.1 {
            out.append(ConformanceDifference(kind: .run, what: "snapshots", model: snapNames.0.joined(separator: ","),
                                             kernel: snapNames.1.joined(separator: ",")))
        }
        for ms in m.snapshots {
            guard let ks = k.snapshots.first(where: { $0.name == ms.name }) else { continue }
            if ms.processes.map(\.name) != ks.processes.map(\.name) {
                out.append(ConformanceDifference(kind: .run, what: "snapshot \(ms.name) processes",
                                                 model: ms.processes.map(\.name).joined(separator: ","),
                                                 kernel: ks.processes.map(\.name).joined(separator: ",")))
            }
            for mp in ms.processes {
                guard let kp = ks.processes.first(where: { $0.name == mp.name }) else { continue }
                let kernelPages = Dictionary(kp.pages, uniquingKeysWith: { a, _ in a })
                var rows: [(page: String, kind: ConformanceDifference.Kind, model: String, kernel: String)] = []
                for (name, mpage) in mp.pages {
                    guard let kpage = kernelPages[name] else {
                        rows.append((name, .state, "observed", "missing"))
                        continue
                    }
                    let fields: [(ConformanceDifference.Kind, String, String)] = [
                        (.state, mpage.state, kpage.state), (.identity, mpage.identity, kpage.identity),
                        (.sharing, mpage.sharing, kpage.sharing), (.contents, mpage.data, kpage.data),
                    ]
                    for (kind, a, b) in fields where a != b {
                        if kind == .contents && b == "data=?" { continue }
                        rows.append((name, kind, a.isEmpty ? "-" : a, b.isEmpty ? "-" : b))
                    }
                }
                out += mergeRows(rows).map {
                    ConformanceDifference(kind: $0.kind, what: "snapshot \(ms.name) \(mp.name) \($0.pages)", model: $0.model, kernel: $0.kernel)
                }
            }
        }
        for (name, mmin, mmaj) in m.phases {
            guard let kp = k.phases.first(where: { $0.0 == name }) else {
                out.append(ConformanceDifference(kind: .faults, what: "phase \(name)", model: "minor=\(mmin) major=\(mmaj)", kernel: "missing"))
                continue
            }
            if kp.1 != mmin || kp.2 != mmaj {
                let within = abs(kp.1 - mmin) <= faultTolerance && abs(kp.2 - mmaj) <= faultTolerance
                out.append(ConformanceDifference(kind: .faults, what: "phase \(name)", model: "minor=\(mmin) major=\(mmaj)",
                                                 kernel: "minor=\(kp.1) major=\(kp.2)", withinTolerance: within))
            }
        }
        for (name, kmin, kmaj) in k.phases where !m.phases.contains(where: { $0.0 == name }) {
            out.append(ConformanceDifference(kind: .faults, what: "phase \(name)", model: "missing", kernel: "minor=\(kmin) major=\(kmaj)"))
        }
        for i in 0..<max(m.uffd.count, k.uffd.count) {
            let a = i < m.uffd.count ? m.uffd[i] : "-", b = i < k.uffd.count ? k.uffd[i] : "-"
            if a != b { out.append(ConformanceDifference(kind: .uffd, what: "uffd event \(i + 1)", model: a, kernel: b)) }
        }
        var notes = k.fails.map { "kernel run: fail " + $0 } + m.fails.map { "model run: fail " + $0 }
        if let e = m.error, e == k.error { notes.insert("both runs stopped: error " + e, at: 0) }
        return (out, notes)
    }

    /// Consecutive pages of one mapping with the same kind of difference, whose
    /// values differ only in numbers, become one row (first..last).
    static func mergeRows(_ rows: [(page: String, kind: ConformanceDifference.Kind, model: String, kernel: String)])
        -> [(kind: ConformanceDifference.Kind, pages: String, model: String, kernel: String)] {
        func shape(_ s: String) -> String {
            var out = ""
            var inNum = false
            for c in s {
                if c.isNumber { if !inNum { out += "#" }; inNum = true } else { out.append(c); inNum = false }
            }
            return out
        }
        func index(_ page: String) -> (String, Int)? {
            guard let o = page.firstIndex(of: "["), let v = Int(page[page.index(after: o)...].dropLast()) else { return nil }
            return (String(page[..<o]), v)
        }
        // One kind after the other, pages ascending within a kind.
        let kinds = rows.reduce(into: [ConformanceDifference.Kind]()) { if !$0.contains($1.kind) { $0.append($1.kind) } }
        let rows = kinds.flatMap { k in rows.filter { $0.kind == k } }
        var out: [(kind: ConformanceDifference.Kind, pages: String, model: String, kernel: String)] = []
        var i = 0
        while i < rows.count {
            var j = i + 1
            while j < rows.count, rows[j].kind == rows[i].kind,
                  let a = index(rows[j - 1].page), let b = index(rows[j].page), a.0 == b.0, b.1 == a.1 + 1,
                  shape(rows[j].model) == shape(rows[i].model), shape(rows[j].kernel) == shape(rows[i].kernel) {
                j += 1
            }
            let first = rows[i], last = rows[j - 1]
            let pages: String
            if j - i == 1 { pages = first.page } else if let f = index(first.page), let l = index(last.page) {
                pages = "\(f.0)[\(f.1)..\(l.1)]"
            } else { pages = first.page }
            let mv = first.model == last.model ? first.model : "\(first.model) … \(last.model)"
            let kv = first.kernel == last.kernel ? first.kernel : "\(first.kernel) … \(last.kernel)"
            out.append((first.kind, pages, mv, kv))
            i = j
        }
        return out
    }
}

/// The conformance of one scenario file: the differences of every kernel run
/// from the model, which of them are unstable (not in every run), and notes.
public struct ConformanceFile: Sendable {
    public enum Status: String, Sendable {
        /// No counted difference in any run.
        case matches
        /// The same counted differences in every run.
        case differs
        /// A counted difference that some runs show and others do not.
        case unstable
        /// The kernel runner could not run.
        case error
    }

    public var file: String
    /// Kernel runs made.
    public var runs: Int
    /// Differences in first-seen order; `unstableRuns` > 0 when a difference
    /// was seen in only that many of the runs.
    public var differences: [(difference: ConformanceDifference, seenIn: Int)] = []
    /// Kinds whose differences are reported but not counted (`--ignore`).
    public var ignored: Set<ConformanceDifference.Kind> = []
    public var notes: [String] = []
    /// Why the kernel side could not run (the runner missing or crashed).
    public var runnerError: String?

    /// Compares each kernel observation with the model's.
    public init(file: String, model: String, kernel: [String], faultTolerance: Int = 0,
                ignored: Set<ConformanceDifference.Kind> = []) {
        self.file = file
        self.runs = kernel.count
        self.ignored = ignored
        var seen: [ConformanceDifference: Int] = [:]
        var order: [ConformanceDifference] = []
        for (r, k) in kernel.enumerated() {
            let (d, n) = ObservationDiff.compare(model: model, kernel: k, faultTolerance: faultTolerance)
            for x in d {
                if seen[x] == nil { order.append(x) }
                seen[x, default: 0] += 1
            }
            if r == 0 { notes = n } else { for note in n where !notes.contains(note) { notes.append(note + " (run \(r + 1))") } }
        }
        differences = order.map { ($0, seen[$0]!) }
    }

    /// A file whose kernel side did not run.
    public init(file: String, runnerError: String) {
        self.file = file
        self.runs = 0
        self.runnerError = runnerError
    }

    /// Whether a difference counts for the verdict.
    public func counts(_ d: ConformanceDifference) -> Bool { !d.withinTolerance && !ignored.contains(d.kind) }

    public func isUnstable(_ seenIn: Int) -> Bool { seenIn < runs }

    public var status: Status {
        if runnerError != nil { return .error }
        let counted = differences.filter { counts($0.difference) }
        if counted.isEmpty { return .matches }
        return counted.contains { isUnstable($0.seenIn) } ? .unstable : .differs
    }

    public var countedDifferences: Int { differences.filter { counts($0.difference) }.count }

    /// `== FILE: VERDICT` and one indented line per difference and note.
    public var text: String {
        var out = "== \(file): "
        switch status {
        case .error: return out + "mmm-live could not run: \(runnerError ?? "")\n"
        case .matches:
            out += differences.isEmpty ? "matches" : "matches (\(differences.count) difference(s) ignored or within tolerance)"
        case .differs: out += "\(countedDifferences) difference(s)"
        case .unstable: out += "\(countedDifferences) difference(s), unstable over \(runs) runs"
        }
        out += "\n"
        for (d, n) in differences {
            var tags: [String] = []
            if isUnstable(n) { tags.append("unstable: \(n) of \(runs) runs") }
            if !counts(d) { tags.append("not counted") }
            out += "  " + d.text + (tags.isEmpty ? "" : "  [" + tags.joined(separator: "; ") + "]") + "\n"
        }
        for n in notes { out += "  note: " + n + "\n" }
        return out
    }

    /// `{"file":…,"status":…,"runs":N,"counted":N,"differences":{KIND:[…],…},"notes":[…]}`
    /// with every kind present (an empty list when nothing of that kind differs).
    public var json: String {
        var f: [String] = ["\"file\":" + jsonString(file), "\"status\":" + jsonString(status.rawValue),
                           "\"runs\":\(runs)", "\"counted\":\(countedDifferences)"]
        var kinds: [String] = []
        for kind in ConformanceDifference.Kind.allCases {
            let items = differences.filter { $0.difference.kind == kind }.map { d, n in
                "{\"what\":" + jsonString(d.what) + ",\"model\":" + jsonString(d.model) + ",\"kernel\":" + jsonString(d.kernel)
                    + ",\"counted\":\(counts(d)),\"unstable\":\(isUnstable(n)),\"seen_in_runs\":\(n)}"
            }
            kinds.append(jsonString(kind.rawValue) + ":[" + items.joined(separator: ",") + "]")
        }
        f.append("\"differences\":{" + kinds.joined(separator: ",") + "}")
        f.append("\"notes\":" + jsonArray(notes))
        f.append("\"error\":" + (runnerError.map(jsonString) ?? "null"))
        return "{" + f.joined(separator: ",") + "}"
    }
}

/// A conformance run over several files (`mmm conform --json`).
public struct ConformanceReport: Sendable {
    /// `uname -r`.
    public var kernel: String
    /// The model's kernel preset the files ran under.
    public var preset: String
    public var files: [ConformanceFile]

    public init(kernel: String, preset: String, files: [ConformanceFile]) {
        self.kernel = kernel
        self.preset = preset
        self.files = files
    }

    /// Every file matches.
    public var allMatch: Bool { files.allSatisfy { $0.status == .matches } }

    /// One JSON object: `format`, `version`, `kernel`, `preset`, `files` (each
    /// as `ConformanceFile.json`), and `summary` (files per status).
    public var json: String {
        func count(_ s: ConformanceFile.Status) -> Int { files.filter { $0.status == s }.count }
        return "{\"format\":\"mmm-conform\",\"version\":1,\"kernel\":" + jsonString(kernel) + ",\"preset\":" + jsonString(preset)
            + ",\"files\":[" + files.map(\.json).joined(separator: ",") + "],\"summary\":{\"files\":\(files.count)"
            + ",\"matches\":\(count(.matches)),\"differs\":\(count(.differs)),\"unstable\":\(count(.unstable)),\"error\":\(count(.error))}}"
    }
}
