// mmm-bench check benchmark (issue 4, item 3): the checker's cost.
//
// 1. Full audit (`World.check()`) of a world with 1 GiB resident: one process
//    maps 1 GiB and writes every page, as 4 KiB folios (MADV_NOHUGEPAGE, one
//    PTE per page) and as 2 MiB THPs (MADV_HUGEPAGE, one PMD per 512 pages);
//    a third row audits the 4 KiB world after a fork (two processes mapping
//    every page). ns per resident page, best and median of several audits.
//
// 2. Check-after-every-operation (`World.checkAfterEachOperation`, the
//    incremental `checkTouched`) on a mixed workload over a 64 MiB region:
//    one-page writes and reads, 64 KiB range writes, MADV_PAGEOUT of 64 KiB,
//    forks and exits (up to 4 processes), from a fixed seed so both sides run
//    the same operations; the same run unchecked and checked, side by side.
//    Target: checked ≤ 3× unchecked.
import MMModel
import MMModelBenchC

#if canImport(Glibc)
import Glibc
#endif

/// A small deterministic generator (SplitMix64), so both runs see the same operations.
struct BenchRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func medianOf(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

struct AuditRow {
    var name: String
    var resident = 0
    var mappings = 0
    var ns: [Double] = []          // per audit, ns per resident page
    var violations = 0
}

/// Times `runs` full audits of a world with `bytes` written by one process.
func auditBench(bytes: UInt64, huge: Bool, forked: Bool, runs: Int) throws(MMMError) -> AuditRow {
    let pages = Int(bytes / VA.pageSize)
    var (w, pid, _) = try writtenWorld(bytes: bytes, huge: huge, value: 0xC4EC)
    if forked { _ = try w.fork(pid) }
    var r = AuditRow(name: (huge ? "2 MiB THP" : "4 KiB pages") + (forked ? ", forked" : ""))
    r.resident = w.frames.count - w.frames.freeFrames
    r.mappings = forked ? 2 * pages : pages
    for _ in 0..<runs {
        let t0 = mmmb_now_ns()
        let vs = w.check()
        let t1 = mmmb_now_ns()
        r.violations = max(r.violations, vs.count)
        r.ns.append(Double(t1 - t0) / Double(r.resident))
    }
    return r
}

struct WorkloadResult {
    var ns: UInt64 = 0
    var ops = 0
    var counts = [Int](repeating: 0, count: 6)   // write, read, range write, pageout, fork, exit
    var kindNs = [UInt64](repeating: 0, count: 6)   // time spent in each kind
    var violations = 0
    var fullCheckViolations = 0
    var digest: UInt64 = 0                       // of the tokens read, so both runs can be compared
}

/// The mixed workload, `ops` operations from `seed`, checked after each or not.
func mixedWorkload(ops: Int, seed: UInt64, checked: Bool) throws(MMMError) -> WorkloadResult {
    let bytes: UInt64 = 64 << 20
    let pages = Int(bytes / VA.pageSize)
    let maxProcs = 4
    var cfg = WorldConfig()
    cfg.frames = maxProcs * pages + 4096
    cfg.swapSlots = maxProcs * pages + 4096
    cfg.thpEnabled = .madvise
    cfg.thpOrders[4] = .always
    cfg.checkAfterEachOperation = checked
    var w = try World(cfg)
    let first = w.createProcess()
    let base = try w.mmap(first, length: bytes, align: VA.pmdSize)
    // 4 MiB of THP-eligible memory, the rest 64 KiB folios where they fit.
    try w.madvise(first, base, 4 << 20, .hugepage)
    var live: [Int32] = [first]
    var rng = BenchRandom(state: seed)
    var r = WorkloadResult()
    let t0 = mmmb_now_ns()
    for _ in 0..<ops {
        let pid = live[rng.below(live.count)]
        let page = UInt64(rng.below(pages))
        let a = base + page * VA.pageSize
        let k = rng.below(10_000)
        let kind = k < 5_000 ? 0 : k < 9_400 ? 1 : k < 9_700 ? 2 : k < 9_990 ? 3 : k < 9_995 ? 4 : 5
        let s0 = mmmb_now_ns()
        defer { r.kindNs[kind] += mmmb_now_ns() - s0 }
        switch k {
        case ..<5_000:
            try w.write(pid, a, rng.next())
            r.counts[0] += 1
        case ..<9_400:
            r.digest = r.digest &* 31 &+ (try w.read(pid, a))
            r.counts[1] += 1
        case ..<9_700:
            try w.access(pid, a & ~0xFFFF, 0x10000, read: false, write: true, value: rng.next())
            r.counts[2] += 1
        case ..<9_990:
            _ = try w.pageout(pid, a & ~0xFFFF, 0x10000)
            r.counts[3] += 1
        case ..<9_995:
            if live.count < maxProcs { live.append(try w.fork(pid)); r.counts[4] += 1 }
        default:
            if live.count > 1 {
                let i = 1 + rng.below(live.count - 1)
                try w.exit(live[i])
                live.remove(at: i)
                r.counts[5] += 1
            }
        }
    }
    r.ns = mmmb_now_ns() - t0
    r.ops = ops
    r.violations = w.violations.count
    r.fullCheckViolations = w.check().count
    return r
}

/// Runs the check benchmark and prints its tables. Returns false if the model failed.
func runCheckBench(quick: Bool) -> Bool {
    let bytes: UInt64 = quick ? 64 << 20 : 1 << 30
    let size = quick ? "64 MiB" : "1 GiB"
    let runs = quick ? 3 : 5
    let ops = quick ? 30_000 : 300_000
    let reps = quick ? 1 : 3
    print("""
    mmm-bench check: the invariant checker (issue 4)
      Full audit: World.check() of a world where one process mapped \(size) and wrote every page
      (frames for it + 512, no swap); 4 KiB folios (MADV_NOHUGEPAGE) or 2 MiB THPs
      (MADV_HUGEPAGE), and the 4 KiB world after one fork. \(runs) audits each; ns per resident page.

    """)
    let cols = [("world", 22), ("resident pages", 14), ("mappings", 9), ("ns/page best / median", 21),
                ("audit ms (median)", 17), ("violations", 10)]
    print(cols.map { pad($0.0, $0.1) }.joined(separator: " | "))
    print(cols.map { String(repeating: "-", count: $0.1) }.joined(separator: "-|-"))
    for (huge, forked) in [(false, false), (true, false), (false, true)] {
        do throws(MMMError) {
            let r = try auditBench(bytes: bytes, huge: huge, forked: forked, runs: runs)
            let med = medianOf(r.ns)
            print([
                pad(r.name, 22), pad("\(r.resident)", 14, right: true), pad("\(r.mappings)", 9, right: true),
                pad(fixed(r.ns.min() ?? .nan, 2) + " / " + fixed(med, 2), 21, right: true),
                pad(fixed(med * Double(r.resident) / 1e6, 1), 17, right: true),
                pad("\(r.violations)", 10, right: true),
            ].joined(separator: " | "))
        } catch {
            print("mmm-bench check: audit: model error \(error)")
            return false
        }
    }

    print("""

      Check after every operation: \(ops) operations over a 64 MiB region (the first 4 MiB MADV_HUGEPAGE,
      64 KiB folios enabled "always"), from one seed: 50% one-page writes, 44% one-page reads,
      3% 64 KiB range writes, 2.9% MADV_PAGEOUT of 64 KiB, 0.05% forks (at most 4 processes),
      0.05% exits; the same run without and with World.checkAfterEachOperation. Best of \(reps).

    """)
    var plain: [WorkloadResult] = [], checked: [WorkloadResult] = []
    do throws(MMMError) {
        for i in 0..<reps {
            plain.append(try mixedWorkload(ops: ops, seed: 0x5EED + UInt64(i), checked: false))
            checked.append(try mixedWorkload(ops: ops, seed: 0x5EED + UInt64(i), checked: true))
        }
    } catch {
        print("mmm-bench check: workload: model error \(error)")
        return false
    }
    let p = plain.min { $0.ns < $1.ns }!, c = checked.min { $0.ns < $1.ns }!
    let same = zip(plain, checked).allSatisfy { $0.digest == $1.digest && $0.counts == $1.counts }
    let ratio = Double(c.ns) / Double(p.ns)
    let wcols = [("run", 26), ("total ms", 9), ("ns/op", 8), ("violations", 10), ("ratio", 6), ("target", 6),
                 ("result", 6)]
    print(wcols.map { pad($0.0, $0.1) }.joined(separator: " | "))
    print(wcols.map { String(repeating: "-", count: $0.1) }.joined(separator: "-|-"))
    print([pad("unchecked", 26), pad(fixed(Double(p.ns) / 1e6, 1), 9, right: true),
           pad(fixed(Double(p.ns) / Double(p.ops), 1), 8, right: true), pad("—", 10, right: true),
           pad("1.00", 6, right: true), pad("", 6), pad("", 6)].joined(separator: " | "))
    print([pad("check after each operation", 26), pad(fixed(Double(c.ns) / 1e6, 1), 9, right: true),
           pad(fixed(Double(c.ns) / Double(c.ops), 1), 8, right: true),
           pad("\(c.violations)", 10, right: true), pad(fixed(ratio, 2), 6, right: true),
           pad("<= 3x", 6), pad(ratio <= 3 ? "PASS" : "FAIL", 6)].joined(separator: " | "))
    let names = ["one-page write", "one-page read", "64 KiB write", "64 KiB pageout", "fork", "exit"]
    print("  by operation (best run of each side): count, unchecked ns/op, checked ns/op, ratio, share of checked time")
    for i in 0..<6 where c.counts[i] > 0 {
        let pn = Double(p.kindNs[i]) / Double(p.counts[i]), cn = Double(c.kindNs[i]) / Double(c.counts[i])
        print("    " + pad(names[i], 15) + pad("\(c.counts[i])", 8, right: true) + pad(fixed(pn, 0), 12, right: true)
              + pad(fixed(cn, 0), 12, right: true) + pad(fixed(cn / pn, 2) + "x", 9, right: true)
              + pad(fixed(100 * Double(c.kindNs[i]) / Double(c.ns), 1) + "%", 8, right: true))
    }
    let n = c.counts
    print("  operations: \(n[0]) writes, \(n[1]) reads, \(n[2]) range writes, \(n[3]) pageouts, \(n[4]) forks, "
          + "\(n[5]) exits; same operations and tokens read in both runs: \(same ? "yes" : "NO"); "
          + "full audit at the end: \(c.fullCheckViolations) violations")
    print("")
    return true
}
