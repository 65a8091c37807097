#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import MMModel

extension MMM {
    /// `mmm show`: a picture of the world at one point of a scenario.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw the world at a point of a scenario (DOT, SVG).",
            discussion: """
                Runs the scenario FILE up to a point and draws the model's state there: \
                the processes with their VMAs and the page tables that exist (PGD, PUD, \
                PMD and PTE tables), folios (with refcount, mapcount, flags), the zero \
                pages, swap slots (with swap count and swap cache), and who maps what: \
                one edge per run of pages from a page table to a folio or swap slot, \
                labelled with the scenario's page names (A[0..15]) and PTE bits \
                (w, d, y, pmd). Frames are named fN and swap entries sN as `mmm run` \
                names them.

                The point is the end of the run, a snapshot (--at NAME), or right after \
                the statement on a line (--line N; for a fork line, right after the fork, \
                before the child runs). The DOT text goes to standard output; --svg OUT \
                renders it with Graphviz's dot, which must be installed.

                Exit status:
                  0   the picture was written
                  1   the scenario does not parse, stops before the point, or the point \
                does not exist; dot failed
                  64  usage error (unknown option, unreadable file)
                """)

        @Option(name: .customLong("at"), help: ArgumentHelp("Draw the world when this snapshot is taken ('end': at the end).", valueName: "snapshot"))
        var snapshot: String?

        @Option(help: ArgumentHelp("Draw the world right after the statement on this line.", valueName: "n"))
        var line: Int?

        @Flag(help: "Write the Graphviz DOT text to standard output (the default).")
        var dot = false

        @Option(help: ArgumentHelp("Render SVG with Graphviz dot into this file.", valueName: "out"))
        var svg: String?

        @Argument(help: ArgumentHelp("The scenario file.", valueName: "file"))
        var file: String

        func validate() throws {
            if snapshot != nil && line != nil { throw ValidationError("give --at or --line, not both") }
            if let line, line < 1 { throw ValidationError("--line needs a line number of 1 or more") }
            if dot && svg != nil { throw ValidationError("give --dot or --svg, not both") }
        }

        func run() throws {
            guard let text = readTextFile(file) else { throw ValidationError("cannot read '\(file)'") }
            let point: ScenarioPoint = line.map { .line($0) } ?? .snapshot(snapshot ?? "end")
            let state: ScenarioState
            switch Scenario.state(text: text, at: point) {
            case .success(let s): state = s
            case .failure(let e):
                printError(e.line > 0 ? "\(file):\(e.line): error: \(e.message)" : "\(file): error: \(e.message)")
                throw ExitCode.failure
            }
            let graph = state.dot()
            guard let svg else {
                print(graph, terminator: "")
                return
            }
            if let why = renderSVG(graph, to: svg) {
                printError("mmm show: \(why)")
                throw ExitCode.failure
            }
        }
    }
}

/// Runs `dot -Tsvg -o OUT` on the graph; nil on success, else why not.
func renderSVG(_ graph: String, to out: String) -> String? {
    var template = Array("/tmp/mmm-show-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { return "cannot create a temporary file" }
    let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(tmp) }
    var bytes = Array(graph.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
        if n <= 0 { close(fd); return "cannot write the temporary file \(tmp)" }
        done += n
    }
    close(fd)
    let args = ["dot", "-Tsvg", "-o", out, tmp]
    var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, "dot", nil, nil, &argv, environ)
    guard rc == 0 else {
        return "cannot run 'dot' (\(String(cString: strerror(rc)))): install Graphviz (apt install graphviz), or use --dot and render elsewhere"
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        if errno != EINTR { return "waiting for dot failed" }
    }
    // WIFEXITED / WEXITSTATUS by hand: the macros are not imported.
    guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { return "dot failed (status \(status)); the DOT text is what --dot prints" }
    return nil
}
