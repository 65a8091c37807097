/// Randomized exploration of two kernels side by side (issue 8 item 3): one
/// seeded operation sequence applied to two worlds that differ only in policy
/// switches, compared after every operation — each operation's outcome, the
/// incremental checker's findings, and every page of every live process
/// (`pageState` with the PTE's accessed bit masked, the one intended
/// difference of `cowPte`: docs/kernel-policy.md) and its fault counts.

/// Where two explored worlds first differ.
public struct ExploreDivergence: Hashable, Sendable, CustomStringConvertible {
    public var seed: UInt64
    /// The operation after which they differ (1-based), and what differs.
    public var step: Int
    public var what: String
    public var description: String { "seed \(seed) step \(step): \(what)" }
}

extension Explorer {
    /// Runs seed `seed` (as `search` would, `steps` operations over at most
    /// `pages` mapped pages) on the header's world and on the same world with
    /// `switches` added; the first difference, or nil, and the operations run.
    public static func compare(seed: UInt64, steps: Int, pages: Int, switches: [String]) -> (ops: Int, divergence: ExploreDivergence?) {
        var rng = SplitMix64(seed: seed)
        let header = randomHeader(&rng)
        var hb = header
        hb.switches += switches
        var a = ExploreMachine(header, faults: [], check: true)
        var b = ExploreMachine(hb, faults: [], check: true)
        var gen = ExploreGenerator(budget: max(1, min(pages, 1 << 16)))
        var done = 0, skipped = 0
        while done < steps && skipped < 1000 {
            let op = gen.next(&rng, a)
            let oa = a.apply(op), ob = b.apply(op)
            if oa != ob { return (done, ExploreDivergence(seed: seed, step: done + 1, what: "outcome \(oa) vs \(ob) of \(op.kind)")) }
            if oa == .skipped { skipped += 1; continue }
            done += 1
            skipped = 0
            gen.applied(op, oa, a)
            let va = a.world.checkTouched(), vb = b.world.checkTouched()
            if va != vb || !va.isEmpty {
                return (done, ExploreDivergence(seed: seed, step: done, what: "violations \(va) vs \(vb) after \(op.kind)"))
            }
            if let d = ExploreMachine.firstDifference(a, b) {
                return (done, ExploreDivergence(seed: seed, step: done, what: d + " after \(op.kind)"))
            }
        }
        return (done, nil)
    }
}

extension ExploreMachine {
    /// The first page or counter of a live process that differs between two
    /// machines that ran the same operations.
    static func firstDifference(_ a: ExploreMachine, _ b: ExploreMachine) -> String? {
        for (pa, pb) in zip(a.procs, b.procs) where pa.live {
            guard let ca = try? a.world.counters(pa.pid), let cb = try? b.world.counters(pb.pid) else { return "process \(pa.id)" }
            if ca.minor != cb.minor || ca.major != cb.major {
                return "process \(pa.id) faults \(ca.minor)/\(ca.major) vs \(cb.minor)/\(cb.major)"
            }
            if a.world.process(pa.pid)?.rssAnon != b.world.process(pb.pid)?.rssAnon
                || a.world.process(pa.pid)?.rssSwap != b.world.process(pb.pid)?.rssSwap {
                return "process \(pa.id) RSS"
            }
            for m in pa.maps {
                for i in 0..<Int(m.pages) {
                    let addr = m.start + UInt64(i) * VA.pageSize
                    let sa = try? a.world.pageState(pa.pid, addr), sb = try? b.world.pageState(pb.pid, addr)
                    if a.world.withoutYoung(sa) != b.world.withoutYoung(sb) {
                        return "process \(pa.id) mapping \(m.id) page \(i): \(String(describing: sa)) vs \(String(describing: sb))"
                    }
                }
            }
        }
        return nil
    }
}

extension World {
    /// A page state with the accessed bit of its entry cleared.
    func withoutYoung(_ s: PageState?) -> PageState? {
        guard var s else { return nil }
        if s.kind == .present {
            s.entry = s.pmdMapped ? fmt.pmdLeaf(fmt.mkold(fmt.pteOfPmd(s.entry))) : fmt.mkold(Pte(s.entry)).raw
        }
        return s
    }
}
