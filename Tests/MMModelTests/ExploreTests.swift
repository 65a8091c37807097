// Randomized exploration with shrinking (issue 5 item 4): a rule broken on
// purpose (test-only fault injection, InjectedFaults) is found and shrunk to a
// few operations whose scenario text replays the violation; the correct model
// survives many seeds; a seed reproduces a run exactly.
import Testing
@_spi(Testing) import MMModel

@Suite("Explore: random operation sequences, checker, shrinking")
struct ExploreTests {
    func findAndShrink(_ faults: InjectedFaults, seed: UInt64 = 1) throws -> ExploreFinding {
        var c = ExploreConfig()
        c.seed = seed
        c.runs = 200
        c.steps = 200
        c.faults = faults
        let s = Explorer.search(c)
        let run = try #require(s.found, "no violation found in \(s.runs) runs")
        return Explorer.shrink(run)
    }

    /// The written scenario replays the violation on a world with the fault
    /// (`expect violation RULE` holds) and not on the correct model.
    func expectReplays(_ f: ExploreFinding, _ faults: InjectedFaults) {
        let broken = Scenario.run(text: f.scenario, faults: faults)
        #expect(broken.error == nil, "\(broken.error.map(String.init(describing:)) ?? "")\n\(f.scenario)")
        #expect(broken.passed, "\(broken.failures)\n\(f.scenario)")
        #expect(f.scenario.contains("expect violation \(f.violation.rule.rawValue)\n"))
        let correct = Scenario.run(text: f.scenario)
        #expect(!correct.passed)
        #expect(correct.failures.first?.message.contains("finds no \(f.violation.rule.rawValue) violation") == true)
    }

    @Test("fork keeping the swap-exclusive bit: INV-9 found, shrunk to map, write, pageout, fork")
    func forkSwapExclusive() throws {
        let f = try findAndShrink(.forkKeepsSwapExclusive)
        #expect(f.violation.rule == .inv9)
        #expect(f.ops.count <= 6, "\(f.scenario)")
        #expect(f.ops.map(\.kind) == [.map, .write, .madvise, .fork], "\(f.scenario)")
        #expect(f.run.ops.count >= f.ops.count)
        expectReplays(f, .forkKeepsSwapExclusive)
    }

    @Test("wp reuse ignoring the refcount: found, shrunk to at most 6 operations, replayed")
    func wpReuse() throws {
        for seed: UInt64 in [1, 1000] {
            let f = try findAndShrink(.wpReuseIgnoresRefcount, seed: seed)
            #expect([CheckRule.inv3, .inv14, .inv2, .inv1].contains(f.violation.rule), "\(f.violation)")
            #expect(f.ops.count <= 6, "\(f.scenario)")
            #expect(f.ops.contains { $0.kind == .fork }, "a reuse breaks a rule only once the page is shared")
            expectReplays(f, .wpReuseIgnoresRefcount)
        }
    }

    @Test("the correct model: no violation over 150 seeded runs of 200 operations")
    func correctModel() {
        var c = ExploreConfig()
        c.seed = 0x5EED
        c.runs = 150
        c.steps = 200
        let s = Explorer.search(c)
        #expect(s.found == nil, "\(s.found.map { Explorer.shrink($0).scenario } ?? "")")
        #expect(s.runs == 150)
        #expect(s.ops == 150 * 200)
    }

    @Test("a seed reproduces its run exactly")
    func deterministic() throws {
        var c = ExploreConfig()
        c.seed = 42
        c.runs = 50
        c.faults = .forkKeepsSwapExclusive
        let a = try #require(Explorer.search(c).found)
        c.seed = a.seed
        c.runs = 1
        let b = try #require(Explorer.search(c).found)
        #expect(a.ops == b.ops)
        #expect(a.violation == b.violation)
        #expect(Explorer.shrink(a).scenario == Explorer.shrink(b).scenario)
        var g = MMModel.SplitMix64(seed: 0)   // not the tests' own SplitMix64
        let first = g.next()
        #expect(first == 0xE220_A839_7B1D_CDAF)     // SplitMix64's first output for seed 0
    }

    @Test("scenario language: try OP, expect consistent, expect violation RULE")
    func language() {
        let ok = Scenario.run(text: """
            map A 2 pages ro
            try write A[0] 1
            read A[1]
            expect consistent
            expect A[0] !present
            """)
        #expect(ok.error == nil)
        #expect(ok.passed)
        #expect(ok.expectationsHeld == 2)
        let noTry = Scenario.run(text: "map A 1 page ro\nwrite A[0] 1\n")
        #expect(noTry.error?.line == 2)
        let wrong = Scenario.run(text: "map A 1 page\nwrite A[0] 1\nexpect violation INV-9\n")
        #expect(!wrong.passed)
        #expect(wrong.failures.first?.line == 3)
        let bad = Scenario.parse(text: "map A 1 page\nexpect violation INV-99\n")
        guard case .failure(let e) = bad else { Issue.record("INV-99 parsed"); return }
        #expect(e.line == 2)
        guard case .failure(let e2) = Scenario.parse(text: "fork c {\n}\ntry fork d {\n}\n") else {
            Issue.record("try fork parsed"); return
        }
        #expect(e2.line == 3)
    }
}
