import ArgumentParser
import MMModel

extension MMM {
    /// `mmm compare`: one scenario under two kernels, side by side.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a scenario under two kernels.",
            discussion: """
                Side A runs under the first --preset (default: the scenario's own \
                'kernel' line) plus every --switch-a; side B under the second --preset \
                (default: side A's) plus every --switch-b. Printed side by side: the \
                switches that differ (docs/kernel-policy.md), each phase's minor and \
                major faults (* marks a difference), the end-of-run counters that \
                differ (fork batches, rmap and refcount operations, reuse, copies; \
                with --switch-b cowPte=on: PTE tables shared, PTEs copied at fork and \
                at breaks, breaks by cause), \
                every page whose state differs at a snapshot (runs of pages with the \
                same differences), and each side's expectation verdict. Expectations \
                are written for one kernel, so a failing side is reported, not an error.

                Exit status:
                  0   both sides ran (whatever their expectations said)
                  1   the scenario could not be parsed or run
                  64  usage error (unknown preset or switch, unreadable file)
                """)

        @Option(name: .customLong("preset"),
                help: ArgumentHelp("A kernel preset (\(KernelPolicy.presetNames.joined(separator: ", "))); give it once or twice.",
                                   valueName: "version"))
        var presets: [String] = []

        @Option(name: .customLong("switch-a"), help: ArgumentHelp("A switch NAME=VALUE for side A.", valueName: "name=value"))
        var switchesA: [String] = []

        @Option(name: .customLong("switch-b"), help: ArgumentHelp("A switch NAME=VALUE for side B.", valueName: "name=value"))
        var switchesB: [String] = []

        @Argument(help: ArgumentHelp("The scenario file.", valueName: "file"))
        var file: String

        func validate() throws {
            guard presets.count <= 2 else { throw ValidationError("give --preset at most twice") }
            for p in presets where KernelPolicy.preset(p) == nil {
                throw ValidationError("unknown kernel preset '\(p)' (\(KernelPolicy.presetNames.joined(separator: ", ")))")
            }
            try validateSwitches(switchesA + switchesB)
            if presets.count < 2 && switchesA.isEmpty && switchesB.isEmpty {
                throw ValidationError("give two presets, or switches for a side, so the sides differ")
            }
        }

        func run() throws {
            guard let text = readTextFile(file) else { throw ValidationError("cannot read '\(file)'") }
            let scenario: Scenario
            switch Scenario.parse(text: text) {
            case .success(let s): scenario = s
            case .failure(let e):
                printError("\(file):\(e.line): error: \(e.message)")
                throw ExitCode.failure
            }
            let presetA = presets.first ?? scenario.header.kernel
            let presetB = presets.count == 2 ? presets[1] : presetA
            let sideA = try scenario.under(preset: presetA, switches: switchesA)
            let sideB = try scenario.under(preset: presetB, switches: switchesB)
            let ra = sideA.run(name: file), rb = sideB.run(name: file)
            func label(_ p: String, _ sw: [String]) -> String { (["kernel " + p] + sw).joined(separator: " ") }
            let c = ScenarioComparison(a: ra, b: rb, labelA: label(presetA, switchesA), labelB: label(presetB, switchesB))
            print(c.text, terminator: "")
            for (side, r) in [("A", ra), ("B", rb)] {
                if let e = r.error, e.line == 0 || !r.snapshots.isEmpty { printError("\(file):\(e.line): side \(side): error: \(e.message)") }
            }
            if ra.snapshots.isEmpty || rb.snapshots.isEmpty { throw ExitCode.failure }
        }
    }
}

/// Refuses a switch assignment that `KernelPolicy.set` would not take.
func validateSwitches(_ switches: [String]) throws {
    for s in switches {
        let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let values = KernelPolicy.values(of: parts[0]) else {
            throw ValidationError("unknown switch '\(s)' (NAME=VALUE; names: \(KernelPolicy.switchNames.joined(separator: ", ")))")
        }
        var probe = KernelPolicy()
        guard (try? probe.set(parts[0], parts[1])) != nil else {
            throw ValidationError("switch \(parts[0]) takes \(values.joined(separator: ", "))")
        }
    }
}
