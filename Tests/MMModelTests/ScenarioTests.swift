// Scenario language, runner and observation (issue 5 items 1, 2, 3, 5).
// Every scenario in examples/scenarios must pass (their expected values cite the
// spec); the parser's errors name their line; the observation's pagemap,
// kpagecount and kpageflags values follow spec semantics §8.1 and
// include/uapi/linux/kernel-page-flags.h, never earlier output of the model.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import MMModel

/// examples/scenarios of this checkout: #filePath is Tests/MMModelTests/<file>.
let scenarioDir: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/examples/scenarios"
}()

func scenarioFiles() -> [String] {
    guard let d = opendir(scenarioDir) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasSuffix(".mmm") { names.append(name) }
    }
    return names.sorted()
}

func readScenario(_ name: String) throws -> String {
    let path = scenarioDir + "/" + name
    let fp = try #require(fopen(path, "rb"), "cannot open \(path)")
    defer { fclose(fp) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buf, 1, buf.count, fp)
        bytes += buf[0..<n]
        if n < buf.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Runs `text` and returns the one page `mapping[index]` of `process` in snapshot `snap`.
func observedPage(_ r: ScenarioResult, _ snap: String, _ process: String, _ mapping: String, _ index: Int) throws -> PageObservation {
    let s = try #require(r.snapshots.first { $0.name == snap })
    let p = try #require(s.processes.first { $0.name == process })
    return try #require(p.pages.first { $0.mapping == mapping && $0.index == index })
}

@Suite("Scenario: language, runner, observation")
struct ScenarioTests {
    // MARK: The scenario library

    @Test("examples/scenarios holds the issue 5 library")
    func libraryPresent() {
        let files = scenarioFiles()
        for required in ["seed-microbenchmark.mmm", "seed-read-only.mmm", "seed-read-then-write.mmm",
                         "fork-child-writes.mmm", "fork-parent-writes.mmm", "cow-reuse-after-child-exit.mmm",
                         "fork-after-pageout.mmm", "pin-rw-then-fork.mmm", "mprotect-ro-rw-write.mmm",
                         "folio-64k.mmm", "thp-2m.mmm", "dontneed-zero-write.mmm"] {
            #expect(files.contains(required), "missing \(required)")
        }
    }

    @Test("every example scenario runs and all its expectations hold", arguments: scenarioFiles())
    func exampleHolds(_ name: String) throws {
        let r = Scenario.run(text: try readScenario(name), name: name)
        #expect(r.error == nil, "\(name): \(r.error.map(String.init(describing:)) ?? "")")
        #expect(r.failures.isEmpty, "\(name): \(r.failures.map(\.description).joined(separator: "; "))")
        #expect(r.expectationsHeld > 0, "\(name) checks nothing")
        #expect(r.snapshots.last?.name == "end")
    }

    // MARK: Parser errors name their line

    static let parseErrors: [(String, Int, String)] = [
        ("map A 4\nwirte A[0] 1\n", 2, "unknown operation 'wirte'"),
        ("map A 4\nwrite A[3..1] 1\n", 2, "is not a page range"),
        ("map A 4\nwrite A[0] 256\n", 2, "is not a byte value"),
        ("map A 4\narch x86_64\n", 2, "header line 'arch' after the first operation"),
        ("kernel 4.19\n", 1, "unknown kernel preset '4.19'"),
        ("arch x86_64\narch arm64\n", 2, "'arch' given twice"),
        ("thp 8K always\n", 1, "unknown folio size '8K'"),
        ("map A 4\nfork child {\n  write A[0] 1\n", 3, "fork block not closed"),
        ("map A 4\n}\n", 2, "'}' without an open fork block"),
        ("map A 4\npause\n", 2, "only a child can pause"),
        ("map A 4\nfork child {\n}\nfork child {\n}\n", 4, "process name 'child' is already used"),
        ("map A 4\nexpect A[*] purple\n", 2, "unknown page condition 'purple'"),
        ("map A 4\nexpect faults\n", 2, "expected 'expect faults"),
        ("map A 4 pages sideways\n", 1, "unknown map option 'sideways'"),
        ("# comment only\n\nmprotect A[*] rwx\n", 3, "unknown protection 'rwx'"),
        ("phase a\nphase a\n", 2, "phase 'a' is already used"),
    ]

    @Test("parse errors carry the line and say what is wrong", arguments: parseErrors)
    func parseError(_ c: (String, Int, String)) throws {
        guard case .failure(let e) = Scenario.parse(text: c.0) else {
            Issue.record("parsed: \(c.0)")
            return
        }
        #expect(e.line == c.1, "\(e)")
        #expect(e.message.contains(c.2), "\(e)")
        #expect(e.description.hasPrefix("line \(c.1): "))
        let r = Scenario.run(text: c.0)
        #expect(r.error == e && r.snapshots.isEmpty && !r.passed)
    }

    // madvise_collapse(): no whole 2 MiB in a 4-page range → EINVAL; mremap_to():
    // old and new ranges overlap → EINVAL. A failed operation stops the run at its line.
    @Test("collapse and mremap run; a kernel error stops the run at its line",
          arguments: [("collapse A[1..2]", "Invalid argument"), ("mremap A 4 fixed A[1]", "Invalid argument")])
    func collapseMremapErrors(_ c: (String, String)) throws {
        let text = "map A 4\nwrite A[*] 1\nfork child {\n  \(c.0)\n}\n"
        guard case .success = Scenario.parse(text: text) else {
            Issue.record("did not parse")
            return
        }
        let r = Scenario.run(text: text)
        let e = try #require(r.error)
        #expect(e.line == 4)
        #expect(e.message.contains(c.1) && e.message.contains("in child failed"), "\(e)")
    }

    // MARK: Running

    @Test("a failed expectation names its line and the run goes on")
    func failedExpectation() throws {
        let r = Scenario.run(text: """
            map A 4
            write A[*] 1
            expect A[*] swapped          # wrong on purpose
            expect faults minor=3        # wrong on purpose: 4 first writes (§7.3)
            expect A[*] == 1
            """)
        #expect(r.error == nil)
        #expect(r.failures.map(\.line) == [3, 4])
        #expect(r.failures[0].message.contains("A[0] is not swapped"))
        #expect(r.failures[0].message.contains("4 of 4 pages fail"))
        #expect(r.failures[1].message.contains("minor=4 major=0, expected minor=3"))
        #expect(r.expectationsHeld == 1)
        #expect(!r.passed)
        #expect(r.text.contains("fail line=3 "))
        #expect(r.text.hasSuffix("result fail held=1 failed=2\n"))
    }

    @Test("a failing operation stops the run with its line; the end snapshot is still taken")
    func failingOperation() throws {
        let r = Scenario.run(text: "map A 4 ro\nwrite A[0] 1\nread A[1]\n")
        let e = try #require(r.error)
        #expect(e.line == 2 && e.message.contains("SIGSEGV"), "\(e)")
        #expect(r.snapshots.map(\.name) == ["end"])
        // §7.1 R-ACCT-1: a write to a PROT_READ page counts no fault; the read after it never ran.
        #expect(r.phases == [PhaseObservation(process: "parent", name: "start", minor: 0, major: 0)])
        #expect(try observedPage(r, "end", "parent", "A", 1).state == .none)
    }

    @Test("runtime errors: unknown mapping, page outside the mapping, resume of a running process")
    func runtimeErrors() {
        #expect(Scenario.run(text: "map A 4\nwrite B[0] 1\n").error == ScenarioError(line: 2, "no mapping 'B' in parent"))
        #expect(Scenario.run(text: "map A 4\nwrite A[4] 1\n").error?.message.contains("outside A (4 pages)") == true)
        let r = Scenario.run(text: "map A 4\nfork child {\n  resume parent\n}\n")
        #expect(r.error?.line == 3 && r.error?.message.contains("it is running, not paused") == true)
    }

    @Test("cooperative schedule: a paused child resumes where it stopped, in order")
    func schedule() throws {
        let r = Scenario.run(text: """
            map A 2
            write A[*] 1
            fork child {
                snapshot one
                pause
                snapshot three
                pause
                snapshot five
            }
            snapshot two
            resume child
            snapshot four
            resume child
            """)
        #expect(r.passed, "\(String(describing: r.error))")
        #expect(r.snapshots.map(\.name) == ["one", "two", "three", "four", "five", "end"])
        let last = try #require(r.snapshots.last)
        #expect(last.processes.map(\.name) == ["parent", "child"])
    }

    @Test("phases are per process; a fork child starts at zero (R-FORK-2)")
    func phases() throws {
        let r = Scenario.run(text: """
            map A 8
            phase fill
            write A[*] 1
            fork child {
                phase touch
                write A[0..3] 2
                expect faults minor=4 major=0
                expect faults parent phase fill minor=8
                exit
            }
            phase after
            write A[4..7] 3
            expect faults minor=4
            expect faults child phase touch minor=4 major=0
            """)
        #expect(r.passed, "\(r.failures) \(String(describing: r.error))")
        #expect(r.phases == [
            PhaseObservation(process: "parent", name: "start", minor: 0, major: 0),
            PhaseObservation(process: "parent", name: "fill", minor: 8, major: 0),
            PhaseObservation(process: "child", name: "start", minor: 0, major: 0),
            PhaseObservation(process: "child", name: "touch", minor: 4, major: 0),
            PhaseObservation(process: "parent", name: "after", minor: 4, major: 0),
        ])
        // The child exited: the end snapshot shows only the parent.
        #expect(r.snapshots.last?.processes.map(\.name) == ["parent"])
    }

    // MARK: Observation: what procfs shows (spec §8.1, encoding §4.6)

    @Test("pagemap of a swapped page: bit 62, type in bits 0-4, offset in 5-54, bit 56 clear")
    func pagemapSwapped() throws {
        let r = Scenario.run(text: "map A 4\nwrite A[*] 9\npageout A[*]\nsnapshot out\n")
        #expect(r.passed)
        for i in 0..<4 {
            let pg = try observedPage(r, "out", "parent", "A", i)
            #expect(pg.state == .swapped)
            #expect(pg.pagemapFlags == Pagemap.swapped)                    // 0x4000000000000000
            #expect(pg.pagemapFlags & (Pagemap.present | Pagemap.exclusive) == 0)
            #expect(pg.pagemapWord & 0x1F == 0)                            // one device: type 0
            #expect(pg.pagemapWord & Pagemap.frameMask == UInt64(pg.swapSlot) << 5)
            #expect(pg.swapSlot > 0 && pg.swapType == 0)
            #expect(pg.swap == i + 1)                                      // first-seen numbering
            #expect(pg.kpagecount == nil && pg.kpageflags == nil && pg.frame == nil)
            #expect(pg.data == 9)
            #expect(pg.swapExclusive)                                      // SX: AE at swap-out (R-SWO-1), verbose only
        }
        #expect(r.text.contains("    A[0..3] swapped swap=s1..s4 type=0 data=9\n"))
    }

    @Test("pagemap of the zero page: bit 63, bit 56 clear, kpagecount 0, kpageflags ZERO_PAGE only (R-ZERO-2)")
    func pagemapZero() throws {
        let r = Scenario.run(text: "map A 2\nread A[*]\nsnapshot z\n")
        let pg = try observedPage(r, "z", "parent", "A", 1)
        #expect(pg.state == .present && pg.frame == .zero)
        #expect(pg.pagemapFlags == Pagemap.present)
        #expect(pg.pagemapWord & Pagemap.frameMask == pg.pfn)
        #expect(pg.kpagecount == 0)
        #expect(pg.kpageflags == KPageFlags.zeroPage)                       // bit 24, no ANON (12)
        #expect(pg.sharers.isEmpty)                                         // the zero page is not "sharing"
        #expect(r.text.contains("    A[0..1] present frame=zero count=0 kpf=zero data=0\n"))
    }

    @Test("huge zero page: ZERO_PAGE and THP, head then tails (R-ZERO-5, §8.1)")
    func pagemapHugeZero() throws {
        let r = Scenario.run(text: "thp madvise\nmap A 2M hugepage\nread A[*]\nexpect faults minor=1\nsnapshot z\n")
        #expect(r.passed)
        let head = try observedPage(r, "z", "parent", "A", 0)
        let tail = try observedPage(r, "z", "parent", "A", 1)
        #expect(head.frame == .zero && head.kpagecount == 0 && head.pmdMapped)
        #expect(head.kpageflags == KPageFlags.zeroPage | KPageFlags.thp | KPageFlags.compoundHead)
        #expect(tail.kpageflags == KPageFlags.zeroPage | KPageFlags.thp | KPageFlags.compoundTail)
        #expect(!head.exclusive && !tail.exclusive)
    }

    @Test("an exclusive page: bits 63 and 56, kpagecount 1, ANON; after fork bit 56 clears, count 2")
    func pagemapExclusive() throws {
        let r = Scenario.run(text: """
            map A 2
            write A[*] 5
            snapshot mine
            fork child {
                snapshot forked
            }
            """)
        let pg = try observedPage(r, "mine", "parent", "A", 0)
        #expect(pg.pagemapFlags == Pagemap.present | Pagemap.exclusive)    // 0x8100000000000000
        #expect(pg.pagemapWord == Pagemap.present | Pagemap.exclusive | pg.pfn)
        #expect(pg.kpagecount == 1 && pg.kpageflags == KPageFlags.anon)   // KPF_ANON = bit 12
        #expect(pg.frame == .id(1) && pg.data == 5 && pg.kept == nil)
        #expect(pg.pteWrite && pg.anonExclusive)
        let p = try observedPage(r, "forked", "parent", "A", 1)
        let c = try observedPage(r, "forked", "child", "A", 1)
        #expect(p.pagemapFlags == Pagemap.present && c.pagemapFlags == Pagemap.present)
        #expect(p.kpagecount == 2 && p.frame == .id(2) && c.frame == .id(2))
        #expect(p.kept == true && c.kept == nil)                            // the child did not exist at "mine"
        #expect(p.sharers == [PageRef(process: "child", mapping: "A", index: 1)])
        #expect(r.text.contains("""
            snapshot forked line=5
              process parent
                A[0..1] present frame=f1..f2 count=2 kpf=anon data=5 shared=child:A[0..1] kept
              process child
                A[0..1] present frame=f1..f2 count=2 kpf=anon data=5 shared=parent:A[0..1]

            """))
    }

    @Test("kpageflags numbers are those of include/uapi/linux/kernel-page-flags.h")
    func kpageflagBits() {
        #expect(KPageFlags.anon == 1 << 12 && KPageFlags.swapCache == 1 << 13)
        #expect(KPageFlags.compoundHead == 1 << 15 && KPageFlags.compoundTail == 1 << 16)
        #expect(KPageFlags.ksm == 1 << 21 && KPageFlags.thp == 1 << 22 && KPageFlags.zeroPage == 1 << 24)
        #expect(Pagemap.present == 1 << 63 && Pagemap.swapped == 1 << 62 && Pagemap.file == 1 << 61)
        #expect(Pagemap.uffdWp == 1 << 57 && Pagemap.exclusive == 1 << 56 && Pagemap.softDirty == 1 << 55)
    }

    @Test("text form: header, run-merged lines, verbose fields after '|'")
    func textForm() throws {
        let r = Scenario.run(text: "map A 4\nwrite A[0..1] 1\nwrite A[3] 2\n", name: "t.mmm")
        #expect(r.observationText(verbose: false) == """
            mmm-observation 1
            scenario t.mmm
            config arch=x86_64 kernel=6.18 thp=madvise thp-2M=inherit huge-zero-page=on swap=zram page-cluster=3 frames=16384 swap-slots=16384
            snapshot end
              process parent
                A[0..1] present excl frame=f1..f2 count=1 kpf=anon data=1
                A[2] none
                A[3] present excl frame=f3 count=1 kpf=anon data=2
            phase parent start minor=3 major=0
            result pass held=0 failed=0

            """)
        #expect(r.observationText(verbose: true).contains(
            "    A[0..1] present excl frame=f1..f2 count=1 kpf=anon data=1 | pte=w,d,y ae ref=1 order=0\n"))
    }

    @Test("JSON form parses and carries the same records")
    func jsonForm() throws {
        let r = Scenario.run(text: "map A 2\nwrite A[*] 1\npageout A[1]\nexpect A[1] swapped\n", name: "j")
        let json = try #require(JSON.parse(r.observationJSON(verbose: true)))
        #expect(json.keys == ["format", "version", "scenario", "config", "snapshots", "phases", "held", "failures", "error", "result"])
        #expect(json["result"] == .string("pass"))
        guard case .array(let snaps)? = json["snapshots"], case .array(let procs)? = snaps.first?["processes"],
              case .array(let pages)? = procs.first?["pages"] else {
            Issue.record("no pages in \(r.observationJSON(verbose: false))")
            return
        }
        #expect(pages.count == 2)
        #expect(pages[0]["pagemap"] == .string("0x8100000000000000"))
        #expect(pages[0]["frame"] == .string("f1") && pages[0]["kpagecount"] == .number("1"))
        #expect(pages[1]["pagemap"] == .string("0x4000000000000000") && pages[1]["swap"] == .string("s1"))
    }

    // MARK: The command

    @Test("mmm run: 0 when all expectations hold, 1 when one fails, 64 for usage")
    func command() throws {
        let ok = try runMMM(["run", scenarioDir + "/dontneed-zero-write.mmm"])
        #expect(ok.status == 0 && ok.err == "")
        #expect(ok.out.hasPrefix("mmm-observation 1\nscenario ") && ok.out.hasSuffix("result pass held=6 failed=0\n"))   // its six expect lines

        let bad = try tempScenario("map A 2\nwrite A[*] 1\nexpect A[*] zero\n")
        defer { unlink(bad) }
        let r = try runMMM(["run", bad])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("\(bad):3: expectation failed: 'expect A[*] zero' in parent: A[0] is not zero"))

        let json = try runMMM(["run", "--json", scenarioDir + "/seed-microbenchmark.mmm"])
        #expect(json.status == 0 && json.lines.count == 1 && JSON.parse(json.lines[0]) != nil)

        #expect(try runMMM(["run"]).status == 64)
        #expect(try runMMM(["run", "/nonexistent/x.mmm"]).status == 64)
        #expect(try runMMM(["run", "--frobnicate", bad]).status == 64)
    }

    func tempScenario(_ text: String) throws -> String {
        var template = Array("/tmp/mmm-scenario-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        var t = text
        t.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
