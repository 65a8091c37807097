// Live-kernel conformance (issue 9): the comparison of a kernel observation with
// the model's and the `mmm conform --json` report, fed with hand-written
// observations in the text form of docs/observation-format.md (no root, no
// kernel runner). The expected differences follow from the two texts and the
// comparison rules of docs/conformance.md.
import Testing
import MMModel

@Suite struct ConformanceTests {
    static let model = """
        mmm-observation 1
        scenario t.mmm
        config arch=x86_64 kernel=6.18 thp=never huge-zero-page=on swap=zram page-cluster=3 frames=16384 swap-slots=16384
        snapshot end
          process parent
            A[0..3] present excl frame=f1..f4 count=1 kpf=anon data=2
            B[0] swapped swap=s1 type=0 data=5
          process child
            A[0..3] present excl frame=f5..f8 count=1 kpf=anon data=3
        phase parent start minor=4 major=0
        phase parent swapin minor=0 major=1
        phase child start minor=4 major=0
        uffd parent A[0] write line=7
        uffd parent A[1] write line=7
        result pass held=2 failed=0

        """

    /// The same run as the kernel might print it: pages one per line, the
    /// swapped page unreadable (`data=?`), one phase 16 majors instead of 1, the
    /// child's A[2..3] in the swap cache and kept from an earlier snapshot (their
    /// ids f9, f10 are the 7th and 8th frame seen in this snapshot, like the
    /// model's f7, f8), one uffd event fewer.
    static let kernel = """
        mmm-observation 1
        scenario t.mmm
        config arch=x86_64 kernel=6.18 thp=never huge-zero-page=on swap=zram page-cluster=3 frames=16384 swap-slots=16384
        snapshot end
          process parent
            A[0] present excl frame=f1 count=1 kpf=anon data=2
            A[1..3] present excl frame=f2..f4 count=1 kpf=anon data=2
            B[0] swapped swap=s1 type=0 data=?
          process child
            A[0..1] present excl frame=f5..f6 count=1 kpf=anon data=3
            A[2..3] present excl frame=f9..f10 count=1 kpf=anon,swapcache data=3 kept
        phase parent start minor=4 major=0
        phase parent swapin minor=0 major=16
        phase child start minor=4 major=0
        uffd parent A[0] write line=7
        fail line=9 'expect faults minor=0 major=1': parent phase swapin has minor=0 major=16, expected minor=0 major=1
        result fail held=1 failed=1

        """

    @Test func identicalObservationsMatchAfterRunExpansion() {
        // A run line (A[1..3] … f2..f4) equals the same pages one per line; data=? matches data=5.
        let (d, notes) = ObservationDiff.compare(model: Self.model, kernel: Self.model)
        #expect(d.isEmpty)
        #expect(notes.isEmpty)
        let partial = Self.kernel.replacingPhase("major=16", by: "major=1")
        let (d2, _) = ObservationDiff.compare(model: Self.model, kernel: partial)
        #expect(!d2.contains { $0.kind == .faults })
        #expect(!d2.contains { $0.kind == .contents })          // B[0] data=? matches data=5
        #expect(!d2.contains { $0.what.contains("parent A") })  // parent's pages: same after expansion
    }

    @Test func differencesByKind() {
        let (d, notes) = ObservationDiff.compare(model: Self.model, kernel: Self.kernel)
        let faults = d.filter { $0.kind == .faults }
        #expect(faults.map(\.what) == ["phase parent swapin"])
        #expect(faults.first?.model == "minor=0 major=1" && faults.first?.kernel == "minor=0 major=16")
        // The child's A[2..3]: kpageflags differ (state) and the frames (identity), each one merged row.
        let state = d.filter { $0.kind == .state }
        #expect(state.map(\.what) == ["snapshot end child A[2..3]"])
        #expect(state.first?.kernel == "present excl count=1 kpf=anon,swapcache")
        let identity = d.filter { $0.kind == .identity }
        #expect(identity.map(\.what) == ["snapshot end child A[2..3]"])
        #expect(identity.first?.text == "snapshot end child A[2..3] identity: model frame=f7 … frame=f8 / kernel frame=f7 kept … frame=f8 kept")
        let uffd = d.filter { $0.kind == .uffd }
        #expect(uffd.map(\.what) == ["uffd event 2"])
        #expect(uffd.first?.model == "parent A[1] write line=7" && uffd.first?.kernel == "-")
        #expect(!d.contains { $0.kind == .contents || $0.kind == .sharing || $0.kind == .run })
        #expect(notes == ["kernel run: fail line=9 'expect faults minor=0 major=1': parent phase swapin has minor=0 major=16, expected minor=0 major=1"])
    }

    /// Ids count over the whole run; the comparison renames them per snapshot,
    /// so one side's extra allocation shifts nothing, while pages that share a
    /// frame on one side only still differ.
    @Test func idsAreComparedPerSnapshot() {
        let shifted = Self.model.replacingFrames { $0 + 5 }
        #expect(ObservationDiff.compare(model: Self.model, kernel: shifted).differences.isEmpty)
        let merged = Self.model.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0 == "    A[0..3] present excl frame=f5..f8 count=1 kpf=anon data=3" ? "    A[0..3] present excl frame=f5 count=1 kpf=anon data=3" : String($0)
        }.joined(separator: "\n")
        let d = ObservationDiff.compare(model: Self.model, kernel: merged).differences
        #expect(d.map(\.what) == ["snapshot end child A[1..3]"])
        #expect(d.first?.kind == .identity && d.first?.kernel == "frame=f5")
    }

    @Test func toleranceAndIgnoredKindsDoNotCount() {
        let f = ConformanceFile(file: "t.mmm", model: Self.model, kernel: [Self.kernel], faultTolerance: 15,
                                ignored: [.state, .identity, .uffd])
        #expect(f.status == .matches)
        #expect(f.countedDifferences == 0)
        #expect(f.differences.count == 4)
        let strict = ConformanceFile(file: "t.mmm", model: Self.model, kernel: [Self.kernel])
        #expect(strict.status == .differs)
        #expect(strict.countedDifferences == 4)
    }

    @Test func differenceInOnlySomeRunsIsUnstable() {
        let f = ConformanceFile(file: "t.mmm", model: Self.model, kernel: [Self.model, Self.kernel])
        #expect(f.status == .unstable)
        #expect(f.differences.allSatisfy { $0.seenIn == 1 && f.isUnstable($0.seenIn) })
        #expect(f.text.hasPrefix("== t.mmm: 4 difference(s), unstable over 2 runs\n"))
        let same = ConformanceFile(file: "t.mmm", model: Self.model, kernel: [Self.kernel, Self.kernel])
        #expect(same.status == .differs)
    }

    @Test func runStoppedOnOneSide() {
        let stopped = """
            mmm-observation 1
            error line=0 unsupported: 'swap disk'
            result fail held=0 failed=0 stopped

            """
        let (d, _) = ObservationDiff.compare(model: Self.model, kernel: stopped)
        #expect(d.first == ConformanceDifference(kind: .run, what: "error", model: "none", kernel: "line=0 unsupported: 'swap disk'"))
        #expect(d.contains { $0.kind == .run && $0.what == "snapshots" && $0.model == "end" && $0.kernel == "" })
        #expect(d.filter { $0.kind == .faults }.map(\.kernel) == ["missing", "missing", "missing"])
        // Both sides stopped at the same line: no difference, but a note says so.
        let (same, notes) = ObservationDiff.compare(model: stopped, kernel: stopped)
        #expect(same.isEmpty)
        #expect(notes == ["both runs stopped: error line=0 unsupported: 'swap disk'"])
    }

    /// The shape documented in docs/conformance.md: every kind present per file,
    /// each difference with what / model / kernel / counted / unstable / seen_in_runs.
    @Test func jsonShape() throws {
        let files = [
            ConformanceFile(file: "a.mmm", model: Self.model, kernel: [Self.model, Self.model]),
            ConformanceFile(file: "b.mmm", model: Self.model, kernel: [Self.kernel, Self.model]),
            ConformanceFile(file: "c \"q\".mmm", model: Self.model, kernel: [Self.kernel, Self.kernel], faultTolerance: 20),
            ConformanceFile(file: "d.mmm", runnerError: "exit status 2: mmm-live: must run as root"),
        ]
        let report = ConformanceReport(kernel: "6.18.44", preset: "6.18", files: files)
        #expect(!report.allMatch)
        let j = try #require(JSON.parse(report.json))
        #expect(j.keys == ["format", "version", "kernel", "preset", "files", "summary"])
        #expect(j["format"]?.string == "mmm-conform" && j["version"]?.number == "1")
        #expect(j["kernel"]?.string == "6.18.44" && j["preset"]?.string == "6.18")
        guard case .array(let fs)? = j["files"] else { Issue.record("files is not an array"); return }
        #expect(fs.map { $0["file"]?.string } == ["a.mmm", "b.mmm", "c \"q\".mmm", "d.mmm"])
        #expect(fs.map { $0["status"]?.string } == ["matches", "unstable", "differs", "error"])
        #expect(fs.map { $0["counted"]?.number } == ["0", "4", "3", "0"])
        #expect(fs.map { $0["runs"]?.number } == ["2", "2", "2", "0"])
        for f in fs {
            #expect(f.keys == ["file", "status", "runs", "counted", "differences", "notes", "error"])
            #expect(f["differences"]?.keys == ["faults", "state", "identity", "sharing", "contents", "uffd", "run"])
        }
        #expect(fs[3]["error"]?.string == "exit status 2: mmm-live: must run as root")
        #expect(fs[0]["error"] == .null)
        guard case .array(let faults)? = fs[2]["differences"]?["faults"], let d = faults.first else {
            Issue.record("no faults difference in c.mmm"); return
        }
        #expect(d.keys == ["what", "model", "kernel", "counted", "unstable", "seen_in_runs"])
        #expect(d["what"]?.string == "phase parent swapin")
        #expect(d["model"]?.string == "minor=0 major=1" && d["kernel"]?.string == "minor=0 major=16")
        #expect(d["counted"] == .bool(false) && d["unstable"] == .bool(false) && d["seen_in_runs"]?.number == "2")
        guard case .array(let uffd)? = fs[1]["differences"]?["uffd"] else { Issue.record("no uffd list"); return }
        #expect(uffd.count == 1 && uffd.first?["unstable"] == .bool(true) && uffd.first?["seen_in_runs"]?.number == "1")
        #expect(fs[2]["notes"]?.strings?.count == 1)
        let s = j["summary"]
        #expect(s?.keys == ["files", "matches", "differs", "unstable", "error"])
        #expect([s?["files"], s?["matches"], s?["differs"], s?["unstable"], s?["error"]].map { $0?.number } == ["4", "1", "1", "1", "1"])
    }

    /// Every example scenario's model observation compared with itself: the
    /// text parser reads everything the model prints (runs, sharers, uffd lines).
    @Test(arguments: scenarioFiles())
    func modelObservationMatchesItself(_ name: String) throws {
        let text = try readScenario(name)
        let obs = Scenario.run(text: text, name: name).observationText(verbose: false)
        #expect(ObservationDiff.compare(model: obs, kernel: obs).differences.isEmpty)
        // --verbose adds model-only fields after '|': ignored by the comparison.
        let verbose = Scenario.run(text: text, name: name).observationText(verbose: true)
        #expect(ObservationDiff.compare(model: obs, kernel: verbose).differences.isEmpty)
    }
}

extension String {
    /// Every `fN` id of a `frame=` token (runs too) mapped by `f`.
    fileprivate func replacingFrames(_ f: (Int) -> Int) -> String {
        split(separator: " ", omittingEmptySubsequences: false).map { tok -> String in
            guard tok.hasPrefix("frame=f") else { return String(tok) }
            let ids = tok.dropFirst(6).split(separator: ".", omittingEmptySubsequences: true)
            return "frame=" + ids.map { "f\(f(Int($0.dropFirst())!))" }.joined(separator: "..")
        }.joined(separator: " ")
    }

    fileprivate func replacingPhase(_ a: String, by b: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("phase parent swapin") ? line.split(separator: " ").map { $0 == a ? b : String($0) }.joined(separator: " ") : String(line)
        }.joined(separator: "\n")
    }
}
