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
    /// `mmm run`: scenarios on the model, printing what a process would observe.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run scenarios and print what a process would observe.",
            discussion: """
                Each FILE is a scenario (docs/scenario-language.md; examples in \
                examples/scenarios/*.mmm). For each, the observation is printed \
                (docs/observation-format.md): per snapshot and process the pagemap, \
                kpagecount and kpageflags view of every page, sharing and frame \
                identity relative to the scenario, contents; then per process and \
                phase the minor and major faults; then the verdict. Failed \
                expectations and errors are also reported on standard error as \
                FILE:LINE: message.

                Exit status:
                  0   every expectation of every file held
                  1   an expectation failed, or a scenario could not be parsed or run
                  64  usage error (unknown option, unreadable file)
                """)

        @Flag(help: "Print one JSON object per file (one line each) instead of text.")
        var json = false

        @Flag(help: "Add what the kernel does not show: PTE write/dirty/young, AnonExclusive, refcount, pins.")
        var verbose = false

        @Option(help: ArgumentHelp("Run under this kernel preset instead of the header's 'kernel' line ("
                                   + KernelPolicy.presetNames.joined(separator: ", ") + ").", valueName: "version"))
        var preset: String?

        @Option(name: .customLong("switch"),
                help: ArgumentHelp("A policy switch NAME=VALUE, after the header's (docs/kernel-policy.md); repeatable.",
                                   valueName: "name=value"))
        var switches: [String] = []

        @Argument(help: ArgumentHelp("Scenario files.", valueName: "file"))
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one scenario file") }
            if let p = preset, KernelPolicy.preset(p) == nil {
                throw ValidationError("unknown kernel preset '\(p)' (\(KernelPolicy.presetNames.joined(separator: ", ")))")
            }
            try validateSwitches(switches)
        }

        func run() throws {
            var texts: [String] = []
            for f in files {
                guard let text = readTextFile(f) else { throw ValidationError("cannot read '\(f)'") }
                texts.append(text)
            }
            var allPassed = true
            for (f, text) in zip(files, texts) {
                let r = preset == nil && switches.isEmpty ? Scenario.run(text: text, name: f)
                    : Scenario.run(text: text, name: f, preset: preset, switches: switches)
                print(json ? r.observationJSON(verbose: verbose) : r.observationText(verbose: verbose),
                      terminator: json ? "\n" : "")
                for e in r.failures { printError("\(f):\(e.line): expectation failed: \(e.message)") }
                if let e = r.error { printError("\(f):\(e.line): error: \(e.message)") }
                if !r.passed { allPassed = false }
            }
            if !allPassed { throw ExitCode.failure }
        }
    }
}

/// The whole file as UTF-8 text; nil when it cannot be opened or read.
func readTextFile(_ path: String) -> String? {
    guard let fp = fopen(path, "rb") else { return nil }
    defer { fclose(fp) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, fp)
        if n > 0 { bytes.append(contentsOf: buf[0..<n]) }
        if n < buf.count {
            if ferror(fp) != 0 { return nil }
            break
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
