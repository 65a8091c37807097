// mmm-bench explore benchmark (issue 5, item 4): how fast randomized
// exploration runs, and how long shrinking a violation takes.
//
// 1. Operations per second with the incremental checker (`checkTouched`)
//    after every operation, on one core: `Explorer.search` over seeded runs of
//    200 operations on worlds of at most 64 mapped pages (1024 frames, up to 4
//    live processes), the correct model, so every run goes to its end. The
//    same runs unchecked beside it. Target: ≥ 1,000,000 checked ops/s.
// 2. Time to shrink: a rule broken on purpose (test-only fault injection,
//    InjectedFaults), the first run that breaks it, then `Explorer.shrink`
//    (delta debugging: chunks, single operations, arguments, header).
@_spi(Testing) import MMModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic time in seconds.
func exploreNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func formatRate(_ v: Double) -> String {
    var n = Int(v.rounded())
    var groups: [String] = []
    repeat {
        let g = n % 1000
        n /= 1000
        groups.insert(n > 0 ? (g < 10 ? "00\(g)" : g < 100 ? "0\(g)" : "\(g)") : "\(g)", at: 0)
    } while n > 0
    return groups.joined(separator: ",")
}

/// Best of `reps` searches: (ops, seconds) of the fastest.
func timeSearch(_ c: ExploreConfig, reps: Int) -> (ops: Int, seconds: Double, found: Bool) {
    var best = (ops: 0, seconds: Double.infinity, found: false)
    for _ in 0..<reps {
        let t0 = exploreNow()
        let s = Explorer.search(c)
        let dt = exploreNow() - t0
        if dt < best.seconds { best = (s.ops, dt, s.found != nil) }
    }
    return best
}

func runExploreBench(quick: Bool) -> Bool {
    let runs = quick ? 500 : 5000
    let reps = quick ? 3 : 5
    print("""
    explore: seeded random operation sequences (Explorer.search), one core, runs of 200
      operations on worlds of <= 64 mapped pages (1024 frames, <= 4 live processes); the
      checker (checkTouched) after every operation; \(runs) runs per measurement, best of \(reps).
    """)
    var c = ExploreConfig()
    c.seed = 1
    c.runs = runs
    c.steps = 200
    c.pages = 64
    let checked = timeSearch(c, reps: reps)
    c.check = false
    let unchecked = timeSearch(c, reps: reps)
    let rate = Double(checked.ops) / checked.seconds
    let rateU = Double(unchecked.ops) / unchecked.seconds
    let pass = rate >= 1_000_000 && !checked.found
    print("  checked:   \(checked.ops) ops in \(fixed(checked.seconds * 1000, 1)) ms = \(formatRate(rate)) ops/s"
          + "  (target >= 1,000,000: \(pass ? "PASS" : "FAIL"))")
    print("  unchecked: \(unchecked.ops) ops in \(fixed(unchecked.seconds * 1000, 1)) ms = \(formatRate(rateU)) ops/s"
          + "  (checking costs \(fixed(rateU / rate, 2))x)")
    if checked.found { print("  the correct model broke a rule: run `mmm explore --seed 1 --runs \(runs)`") }

    print("\n  shrink: first run (seed 1...) that breaks the rule, then Explorer.shrink")
    for (name, fault) in [("fork keeps swap-exclusive", InjectedFaults.forkKeepsSwapExclusive),
                          ("wp reuse ignores refcount", .wpReuseIgnoresRefcount)] {
        var fc = ExploreConfig()
        fc.runs = 1000
        fc.faults = fault
        let t0 = exploreNow()
        guard let run = Explorer.search(fc).found else {
            print("  \(name): no violation found")
            continue
        }
        let t1 = exploreNow()
        let f = Explorer.shrink(run)
        let t2 = exploreNow()
        print("  \(pad(name, 26)) \(f.violation.rule.rawValue): found in \(fixed((t1 - t0) * 1000, 2)) ms (run seed \(run.seed),"
              + " \(run.ops.count) ops); shrunk to \(f.ops.count) ops in \(fixed((t2 - t1) * 1000, 2)) ms"
              + " (\(f.replays) replays)")
    }
    print("")
    return true
}
