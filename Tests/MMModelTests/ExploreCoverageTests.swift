// Exploration coverage of the operations added after issue 5: uffd-wp
// register / protect / unprotect / unregister, clear_refs (soft-dirty),
// MADV_FREE, mremap, MADV_COLLAPSE and global reclaim. The explorer generates
// them, a written run replays through the scenario language exactly as
// explored (same fault counts per process), and the checker finds nothing
// over many seeds, with and without cowPte (Explorer.compare).
import Testing
@_spi(Testing) @testable import MMModel

@Suite("Explore coverage: uffd-wp, clear_refs, MADV_FREE, mremap, collapse, reclaim")
struct ExploreCoverageTests {
    /// The operations of one run of `seed` (no checking: only the sequence).
    func ops(_ seed: UInt64, steps: Int = 200) -> ([ExploreOp], ScenarioHeader) {
        var ops: [ExploreOp] = []
        let (_, _, h) = Explorer.explore(seed: seed, steps: steps, pages: 64, check: false, faults: [], into: &ops)
        return (ops, h)
    }

    @Test("40 runs of 200 operations generate every new operation kind, soft-dirty and ksm-zero-pages headers")
    func generatesNewKinds() {
        var kinds = Set<UInt8>()
        var advices = Set<UInt32>()
        var softDirty = false, ksmZero = false
        for seed: UInt64 in 1...40 {
            let (o, h) = ops(seed)
            for op in o {
                kinds.insert(op.kind.rawValue)
                if op.kind == .madvise { advices.insert(op.arg) }
            }
            softDirty = softDirty || h.softDirty
            ksmZero = ksmZero || h.ksmZeroPages
        }
        for k: ExploreOp.Kind in [.uffdRegister, .uffdUnregister, .uffdProtect, .clearRefs, .reclaim, .mremap] {
            #expect(kinds.contains(k.rawValue), "\(k) never generated")
        }
        #expect(advices.contains(MadviseAdvice.free.rawValue))
        #expect(advices.contains(MadviseAdvice.collapse.rawValue))
        #expect(softDirty && ksmZero)
    }

    @Test("a written run replays through the scenario runner with the explored fault counts", arguments: 1...12)
    func writtenRunReplays(_ s: Int) throws {
        let seed = 0xC0FE_0000 &+ UInt64(s)
        var ops: [ExploreOp] = []
        let (_, _, h) = Explorer.explore(seed: seed, steps: 150, pages: 64, check: false, faults: [], into: &ops)
        // Replay on a machine (which ops were skipped or failed) and write the scenario.
        var m = ExploreMachine(h, faults: [], check: false)
        var kept: [ExploreOp] = [], failed: [Bool] = []
        for op in ops {
            let o = m.apply(op)
            if o == .skipped { continue }
            kept.append(op)
            failed.append(o == .failed)
        }
        let run = ExploreRun(seed: seed, header: h, ops: kept, violation: Violation(.inv1, "none"))
        var text = Explorer.render(run, h, kept, failed, Violation(.inv1, "none"))
        let last = "expect violation INV-1\n"
        #expect(text.hasSuffix(last))
        text = String(text.dropLast(last.count)) + "expect consistent\n"
        let r = Scenario.run(text: text)
        #expect(r.error == nil, "\(r.error.map(String.init(describing:)) ?? "")\n\(text)")
        #expect(r.passed, "\(r.failures)")
        // Fault counts per process, in creation order, as the machine's world has them.
        let explored = m.procs.map { (try? m.world.counters($0.pid)).map { [$0.minor, $0.major] } ?? [] }
        let replayed = r.counters.map { [$0.counters.minor, $0.counters.major] }
        #expect(explored == replayed, "\(text)")
    }

    @Test("the correct model: no violation over 100 seeded runs of 200 operations with the new kinds")
    func correctModel() {
        var c = ExploreConfig()
        c.seed = 0xC0FE_1000
        c.runs = 100
        c.steps = 200
        let s = Explorer.search(c)
        #expect(s.found == nil, "\(s.found.map { Explorer.shrink($0).scenario } ?? "")")
        #expect(s.runs == 100)
    }
}
