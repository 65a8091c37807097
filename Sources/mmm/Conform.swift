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
                the model as the running kernel (the preset matching uname -r, no \
                switches, the kernel's soft-dirty). The two observations \
                (docs/observation-format.md) are compared page by page and phase by \
                phase; differences are printed by kind: faults (phase minor/major \
                counts), state (present/swapped/none, pagemap bits, kpagecount, \
                kpageflags), identity (frame and swap ids, kept/new), sharing, \
                contents, uffd (userfaultfd traps), run (errors, snapshots, \
                processes). data=? (a page the runner cannot read without faulting) \
                matches any value. With --runs N a difference not seen in every \
                kernel run is reported as unstable. --json prints one object \
                (format mmm-conform). See docs/conformance.md.

                Exit status:
                  0   every file matches (within the tolerance, ignoring the ignored kinds)
                  1   a difference, or mmm-live could not run
                  64  usage error
                """)

        @Option(help: ArgumentHelp("The mmm-live executable (default: next to mmm, the CMake build tree, or PATH).", valueName: "path"))
        var live: String?

        @Option(help: ArgumentHelp("Allowed difference, e.g. faults=2: a phase count may differ by up to 2.", valueName: "kind=N"))
        var tolerance: [String] = []

        @Option(help: ArgumentHelp("A kind of difference to report but not count: faults, state, identity, sharing, contents, uffd, run.", valueName: "kind"))
        var ignore: [String] = []

        @Option(help: ArgumentHelp("Kernel runs per file (1-20); a difference not seen in every run is reported as unstable.", valueName: "n"))
        var runs = 1

        @Flag(help: "Do not re-create the zram swap before each scenario (mmm-live --fresh-swap).")
        var noFreshSwap = false

        @Flag(help: "Print one JSON object (format mmm-conform, version 1; docs/conformance.md) instead of text.")
        var json = false

        @Flag(help: "Also print both observations (text output only).")
        var verbose = false

        @Argument(help: ArgumentHelp("Scenario files.", valueName: "file"))
        var files: [String]

        static var kinds: [String] { ConformanceDifference.Kind.allCases.map(\.rawValue) }

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
            guard (1...20).contains(runs) else { throw ValidationError("--runs takes 1 to 20") }
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
            let ignored = Set(ignore.compactMap(ConformanceDifference.Kind.init(rawValue:)))
            let release = kernelRelease()
            let parts = release.split(separator: ".")
            let running = parts.count >= 2 ? "\(parts[0]).\(parts[1].prefix { $0.isNumber })" : release
            // The model's preset for this kernel: the same version, else the
            // newest preset not newer than it, else the oldest.
            func version(_ s: String) -> [Int] { s.split(separator: ".").map { Int($0) ?? 0 } }
            let presets = KernelPolicy.presetNames
            let preset = presets.contains(running) ? running
                : presets.last { version($0).lexicographicallyPrecedes(version(running)) } ?? presets[0]
            let softDirty = kernelHasSoftDirty()
            if !json {
                print("kernel \(release): model preset \(preset)" + (running == preset ? "" : " (no preset for \(running))")
                      + ", soft-dirty \(softDirty ? "on" : "off")" + (runs > 1 ? ", \(runs) kernel runs per file" : ""))
            }
            var results: [ConformanceFile] = []
            for (f, text) in zip(files, texts) {
                // The model as this kernel: its preset, no switches, its soft-dirty.
                var modelText: String
                var notes: [String] = []
                switch Scenario.parse(text: text) {
                case .success(var s):
                    var changed: [String] = []
                    if s.header.kernel != preset { changed.append("kernel \(s.header.kernel)") }
                    if !s.header.switches.isEmpty { changed.append(s.header.switches.map { "switch \($0)" }.joined(separator: ", ")) }
                    if s.header.softDirty != softDirty { changed.append("soft-dirty \(s.header.softDirty ? "on" : "off")") }
                    if !changed.isEmpty {
                        notes.append("the header says " + changed.joined(separator: ", ")
                                     + "; the model runs as this kernel (preset \(preset), no switches, soft-dirty \(softDirty ? "on" : "off"))")
                    }
                    s.header.kernel = preset
                    s.header.switches = []
                    s.header.softDirty = softDirty && s.header.arch == .x86_64
                    modelText = s.run(name: f).observationText(verbose: false)
                case .failure:
                    modelText = Scenario.run(text: text, name: f).observationText(verbose: false)
                }
                var kernelTexts: [String] = []
                var runnerError: String? = nil
                for _ in 0..<runs {
                    let args = (noFreshSwap ? [] : ["--fresh-swap"]) + [f]
                    guard let k = runCapturing(runner, args) else { runnerError = "cannot start \(runner)"; break }
                    // 0: pass, 1: an expectation failed or the run stopped (both printed)
                    guard k.status == 0 || k.status == 1 << 8 else {
                        let how = k.status & 0x7f == 0 ? "exit status \((k.status >> 8) & 0xff)" : "killed by signal \(k.status & 0x7f)"
                        runnerError = how + ": " + k.errors.split(separator: "\n").prefix(3).joined(separator: "; ")
                        break
                    }
                    kernelTexts.append(k.output)
                    for l in k.errors.split(separator: "\n") where l.hasPrefix("mmm-live:") && !notes.contains(String(l)) {
                        notes.append(String(l))
                    }
                    if verbose && !json {
                        print("-- model \(f)\n" + modelText + "-- kernel \(f)\n" + k.output, terminator: "")
                    }
                }
                var r = runnerError.map { ConformanceFile(file: f, runnerError: $0) }
                    ?? ConformanceFile(file: f, model: modelText, kernel: kernelTexts, faultTolerance: faultTolerance, ignored: ignored)
                r.notes = notes + r.notes
                results.append(r)
                if !json { print(r.text, terminator: "") }
            }
            let report = ConformanceReport(kernel: release, preset: preset, files: results)
            if json { print(report.json) }
            if !report.allMatch { throw ExitCode.failure }
        }
    }
}

/// Whether the running kernel has CONFIG_MEM_SOFT_DIRTY: a page written in a
/// new mapping (VM_SOFTDIRTY) reads pagemap bit 55 set.
func kernelHasSoftDirty() -> Bool {
    let len = 4096
    guard let p = mmap(nil, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else { return false }
    defer { munmap(p, len) }
    p.storeBytes(of: 1, as: UInt8.self)
    let fd = open("/proc/self/pagemap", O_RDONLY)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var word: UInt64 = 0
    guard pread(fd, &word, 8, off_t(UInt(bitPattern: p) / 4096 * 8)) == 8 else { return false }
    return word & (1 << 55) != 0
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
