#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import MMModel

extension MMM {
    /// `mmm conform`: each scenario on the running kernel (tools/live/mmm-live)
    /// and on the model, and the differences between the two observations.
    struct Conform: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare scenarios on the live kernel with the model.",
            discussion: """
                Each FILE is run by mmm-live (the live-kernel runner, built from \
                tools/live; needs root and the swap of scripts/live-setup.sh) and by \
                the model with the kernel preset matching uname -r (6.18 is the only \
                one). The two observations (docs/observation-format.md) are compared \
                page by page and phase by phase; differences are printed by kind: \
                faults (phase minor/major counts), state (present/swapped/none, \
                pagemap bits, kpagecount, kpageflags), identity (frame and swap ids, \
                kept/new), sharing, contents. data=? (a page the runner cannot read \
                without faulting) matches any value. See docs/conformance.md.

                Exit status:
                  0   every file matches (within the tolerance, ignoring the ignored kinds)
                  1   a difference, or mmm-live could not run
                  64  usage error
                """)

        @Option(help: ArgumentHelp("The mmm-live executable (default: next to mmm, the CMake build tree, or PATH).", valueName: "path"))
        var live: String?

        @Option(help: ArgumentHelp("Allowed difference, e.g. faults=2: a phase count may differ by up to 2.", valueName: "kind=N"))
        var tolerance: [String] = []

        @Option(help: ArgumentHelp("A kind of difference to report but not count: faults, state, identity, sharing, contents.", valueName: "kind"))
        var ignore: [String] = []

        @Flag(help: "Do not re-create the zram swap before each scenario (mmm-live --fresh-swap).")
        var noFreshSwap = false

        @Flag(help: "Also print both observations.")
        var verbose = false

        @Argument(help: ArgumentHelp("Scenario files.", valueName: "file"))
        var files: [String]

        static let kinds = ["faults", "state", "identity", "sharing", "contents"]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one scenario file") }
            for t in tolerance {
                let p = t.split(separator: "=")
                guard p.count == 2, p[0] == "faults", Int(p[1]).map({ $0 >= 0 }) == true else {
                    throw ValidationError("unknown tolerance '\(t)' (faults=N)")
                }
            }
            for k in ignore where !Conform.kinds.contains(k) {
                throw ValidationError("unknown kind '\(k)' (\(Conform.kinds.joined(separator: ", ")))")
            }
        }

        func run() throws {
            var texts: [String] = []
            for f in files {
                guard let text = readTextFile(f) else { throw ValidationError("cannot read '\(f)'") }
                texts.append(text)
            }
            guard let runner = live ?? findLiveRunner() else {
                throw CommandFailure(description: "mmm-live not found (build it with CMake, or give --live PATH)")
            }
            let faultTolerance = tolerance.compactMap { Int($0.split(separator: "=")[1]) }.max() ?? 0
            let release = kernelRelease()
            let preset = ScenarioHeader().kernel
            let parts = release.split(separator: ".")
            let running = parts.count >= 2 ? "\(parts[0]).\(parts[1].prefix { $0.isNumber })" : release
            print("kernel \(release): model preset \(preset)"
                  + (running == preset ? "" : " (no preset for \(running); the nearest is used)"))
            var allMatch = true
            for (f, text) in zip(files, texts) {
                let model = Scenario.run(text: text, name: f).observationText(verbose: false)
                let args = (noFreshSwap ? [] : ["--fresh-swap"]) + [f]
                guard let kernel = runCapturing(runner, args) else {
                    print("== \(f): mmm-live could not run")
                    allMatch = false
                    continue
                }
                if verbose {
                    print("-- model\n" + model + "-- kernel\n" + kernel.output, terminator: "")
                }
                let diffs = ObservationDiff.compare(model: model, kernel: kernel.output, faultTolerance: faultTolerance)
                let counted = diffs.filter { $0.counts && !ignore.contains($0.kind) }
                let header = counted.isEmpty
                    ? (diffs.isEmpty ? "matches" : "matches (\(diffs.count) difference(s) ignored or within tolerance)")
                    : "\(counted.count) difference(s)"
                print("== \(f): \(header)")
                for d in diffs { print("  " + d.text + (d.counts && !ignore.contains(d.kind) ? "" : "  [not counted]")) }
                if !kernel.errors.isEmpty {
                    for l in kernel.errors.split(separator: "\n") where l.hasPrefix("mmm-live:") { print("  note: " + l) }
                }
                if !counted.isEmpty { allMatch = false }
            }
            if !allMatch { throw ExitCode.failure }
        }
    }
}

/// `uname -r`.
func kernelRelease() -> String {
    var u = utsname()
    guard uname(&u) == 0 else { return "unknown" }
    return withUnsafeBytes(of: &u.release) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// mmm-live next to this executable, in the CMake build tree
/// (build/swiftpm/release/mmm → build/tools/live/mmm-live), or on PATH.
func findLiveRunner() -> String? {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    var candidates: [String] = []
    if n > 0 {
        let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        candidates += [dir + "/mmm-live", dir + "/../../tools/live/mmm-live"]
    }
    if let path = getenv("PATH") {
        candidates += String(cString: path).split(separator: ":").map { $0 + "/mmm-live" }
    }
    return candidates.first { access($0, X_OK) == 0 }
}

/// Runs a program; its standard output and standard error, or nil when it
/// could not be started.
func runCapturing(_ program: String, _ args: [String]) -> (output: String, errors: String, status: Int32)? {
    var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
    guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { return nil }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    posix_spawn_file_actions_addclose(&actions, outPipe[0])
    posix_spawn_file_actions_addclose(&actions, errPipe[0])
    let argv = ([program] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, program, &actions, nil, argv, environ)
    close(outPipe[1])
    close(errPipe[1])
    defer { close(outPipe[0]); close(errPipe[0]) }
    guard rc == 0 else { return nil }
    // Read both pipes without blocking one on the other.
    var out: [UInt8] = [], err: [UInt8] = []
    var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
    var open = 2
    var chunk = [UInt8](repeating: 0, count: 65536)
    while open > 0 {
        if poll(&fds, 2, -1) < 0 { if errno == EINTR { continue }; break }
        for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
            let k = read(fds[i].fd, &chunk, chunk.count)
            if k > 0 {
                if i == 0 { out += chunk[0..<k] } else { err += chunk[0..<k] }
            } else {
                fds[i].fd = -1
                open -= 1
            }
        }
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self), status)
}

/// A comparison of two observations in the text form.
struct ObservationDiff {
    struct Difference {
        var kind: String
        var text: String
        /// False for differences within the tolerance.
        var counts = true
    }

    /// One page: its fields by kind.
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
        var result = ""
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
           let a = Int(l[l.index(after: open)...]), let b = Int(r.dropLast()) {
            count = b - a + 1
        }
        var out: [(String, Page)] = []
        for k in 0..<count {
            var p = Page()
            var state: [String] = [], identity: [String] = [], sharing: [String] = [], data: [String] = []
            for t in toks.dropFirst() {
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
            p.state = state.joined(separator: " ")
            p.identity = identity.joined(separator: " ")
            p.sharing = sharing.joined(separator: " ")
            p.data = data.joined(separator: " ")
            out.append((expand(first, k), p))
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
            } else if line.hasPrefix("result ") {
                p.result = String(line)
            } else if line.hasPrefix("error ") {
                p.error = String(line)
            } else if line.hasPrefix("fail ") {
                p.fails.append(String(line))
            }
        }
        return p
    }

    static func compare(model: String, kernel: String, faultTolerance: Int) -> [Difference] {
        let m = parse(model), k = parse(kernel)
        var out: [Difference] = []
        if m.error != k.error {
            out.append(Difference(kind: "state", text: "error: model \(m.error ?? "none") / kernel \(k.error ?? "none")"))
        }
        // Snapshots and processes, by name and order.
        let snapNames = (m.snapshots.map(\.name), k.snapshots.map(\.name))
        if snapNames.0 != snapNames.1 {
            out.append(Difference(kind: "state", text: "snapshots: model \(snapNames.0) / kernel \(snapNames.1)"))
        }
        for ms in m.snapshots {
            guard let ks = k.snapshots.first(where: { $0.name == ms.name }) else { continue }
            if ms.processes.map(\.name) != ks.processes.map(\.name) {
                out.append(Difference(kind: "state", text: "snapshot \(ms.name): processes model \(ms.processes.map(\.name)) / kernel \(ks.processes.map(\.name))"))
            }
            for mp in ms.processes {
                guard let kp = ks.processes.first(where: { $0.name == mp.name }) else { continue }
                let kernelPages = Dictionary(kp.pages, uniquingKeysWith: { a, _ in a })
                var rows: [(page: String, kind: String, model: String, kernel: String)] = []
                for (name, mpage) in mp.pages {
                    guard let kpage = kernelPages[name] else {
                        rows.append((name, "state", "observed", "missing"))
                        continue
                    }
                    let fields: [(String, String, String)] = [
                        ("state", mpage.state, kpage.state), ("identity", mpage.identity, kpage.identity),
                        ("sharing", mpage.sharing, kpage.sharing), ("contents", mpage.data, kpage.data),
                    ]
                    for (kind, a, b) in fields where a != b {
                        if kind == "contents" && b == "data=?" { continue }
                        rows.append((name, kind, a.isEmpty ? "-" : a, b.isEmpty ? "-" : b))
                    }
                }
                out += mergeRows(rows).map { Difference(kind: $0.kind, text: "snapshot \(ms.name) \(mp.name) \($0.text)") }
            }
        }
        // Phases, by process and name.
        for (name, mmin, mmaj) in m.phases {
            guard let kp = k.phases.first(where: { $0.0 == name }) else {
                out.append(Difference(kind: "faults", text: "phase \(name): missing in the kernel run"))
                continue
            }
            if kp.1 != mmin || kp.2 != mmaj {
                let within = abs(kp.1 - mmin) <= faultTolerance && abs(kp.2 - mmaj) <= faultTolerance
                out.append(Difference(kind: "faults",
                                      text: "phase \(name): model minor=\(mmin) major=\(mmaj) / kernel minor=\(kp.1) major=\(kp.2)",
                                      counts: !within))
            }
        }
        for (name, _, _) in k.phases where !m.phases.contains(where: { $0.0 == name }) {
            out.append(Difference(kind: "faults", text: "phase \(name): missing in the model run"))
        }
        // The scenario's own expectations, as each side judged them (information).
        for f in k.fails { out.append(Difference(kind: "state", text: "kernel run: \(f)", counts: false)) }
        for f in m.fails { out.append(Difference(kind: "state", text: "model run: \(f)", counts: false)) }
        return out
    }

    /// Consecutive pages of one mapping with the same kind of difference, whose
    /// values differ only in numbers, are printed as one line (first..last).
    static func mergeRows(_ rows: [(page: String, kind: String, model: String, kernel: String)]) -> [(kind: String, text: String)] {
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
        let kinds = rows.reduce(into: [String]()) { if !$0.contains($1.kind) { $0.append($1.kind) } }
        let rows = kinds.flatMap { k in rows.filter { $0.kind == k } }
        var out: [(kind: String, text: String)] = []
        var i = 0
        while i < rows.count {
            var j = i + 1
            while j < rows.count, rows[j].kind == rows[i].kind,
                  let a = index(rows[j - 1].page), let b = index(rows[j].page), a.0 == b.0, b.1 == a.1 + 1,
                  shape(rows[j].model) == shape(rows[i].model), shape(rows[j].kernel) == shape(rows[i].kernel) {
                j += 1
            }
            let first = rows[i], last = rows[j - 1]
            let pages = j - i == 1 ? first.page : "\(index(first.page)!.0)[\(index(first.page)!.1)..\(index(last.page)!.1)]"
            let mv = first.model == last.model ? first.model : "\(first.model) … \(last.model)"
            let kv = first.kernel == last.kernel ? first.kernel : "\(first.kernel) … \(last.kernel)"
            out.append((first.kind, "\(pages) \(first.kind): model \(mv) / kernel \(kv)"))
            i = j
        }
        return out
    }
}
