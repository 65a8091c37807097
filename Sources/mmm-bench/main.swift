// mmm-bench: the C ABI (mmm_* functions called from C) against the same
// operations written directly in C, side by side in one run.
//
// Build and run in release:
//   swift build -c release --product mmm-bench && .build/release/mmm-bench [--quick] [--fork-only] [--check-only]
//
// After the C ABI table comes the fork benchmark (ForkBench.swift, live_fork.c):
// World.fork of a process holding 1 GiB of written anonymous memory against
// fork() of a live process holding the same; --fork-only runs just that.
// Then the checker benchmark (CheckBench.swift): the full audit of a world
// with 1 GiB resident, and check-after-every-operation against the same
// mixed workload unchecked; --check-only runs just that.
//
// The timing loops and the reference C implementations live in the
// MMModelBenchC target (bench.c, ref.c); this file only drives them and
// prints the table. Exit status is 0 whether or not the targets are met (this
// is a benchmark, not a test); 1 when a side of the fork benchmark fails (mmap,
// fork, a model error); 2 when the ABI and the reference disagree, 64 for a bad
// command line.
import MMModel
import MMModelBenchC
import MMModelC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let args = CommandLine.arguments.dropFirst()
var quick = false
var forkOnly = false
var exploreOnly = false
var checkOnly = false
var cowPteCosts = false
let usage = "usage: mmm-bench [--quick] [--fork-only] [--check-only] [--explore-only] [--cowpte-costs]"
for a in args {
    switch a {
    case "--quick": quick = true
    case "--fork-only": forkOnly = true
    case "--explore-only": exploreOnly = true
    case "--check-only": checkOnly = true
    case "--cowpte-costs": cowPteCosts = true
    case "-h", "--help":
        print(usage + """

          --quick      about 20 ms per measurement and 3 repetitions instead of 200 ms and 5;
                       the fork benchmark on 64 MiB with 3 forks per side instead of 1 GiB and 7
          --fork-only  only the fork benchmark (model World.fork vs the live kernel's fork())
          --explore-only  only the explore benchmark (checked random operations per second on
                       worlds of <= 64 pages; time to shrink a violation of a rule broken on purpose)
          --check-only only the checker benchmark (full audit of 1 GiB; check after every
                       operation vs unchecked on a mixed workload; --quick: 64 MiB, 30000 ops)
          --cowpte-costs  only the COW PTE cost table (issue 8): fork workloads over 16 MiB
                       (--quick: 2 MiB) with a copying fork and with the cowPte switch; counts, not times
        """)
        exit(0)
    default:
        print("mmm-bench: unknown argument \(a)  (\(usage))")
        exit(64)
    }
}

if cowPteCosts {
    do throws(MMMError) {
        print(CowPteCosts.text(try CowPteCosts.table(pages: quick ? 512 : 4096)), terminator: "")
        exit(0)
    } catch {
        print("mmm-bench: COW PTE cost table: \(error)")
        exit(1)
    }
}

if forkOnly {
    exit(runForkBench(quick: quick) ? 0 : 1)
}
if exploreOnly {
    exit(runExploreBench(quick: quick) ? 0 : 1)   // ExploreBench.swift
}
if checkOnly {
    exit(runCheckBench(quick: quick) ? 0 : 1)
}

/// `v` with `digits` decimals, without Foundation.
func fixed(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return "\(v)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int((abs(v) * scale).rounded())
    let whole = n / Int(scale)
    var frac = String(n % Int(scale))
    while frac.count < digits { frac = "0" + frac }
    return (v < 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
}

func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, w - s.count))
    return right ? fill + s : s + fill
}

print("""
mmm-bench: MMModel \(String(cString: mmm_version())) C ABI vs. the same operations written in C
  Both sides are called from C code, directly, one real call per operation: the
  reference C functions are noinline and in a separate file from the timing loops,
  so the ratio is what the Swift-backed C ABI costs over a C library implementing
  the same contract (same argument checks, -ERANGE instead of wrapping, same output
  structs, preds included). Inputs vary per call (4096 values / 32 tables of 512
  PTEs); best of \(quick ? 3 : 5) runs of ~\(quick ? 20 : 200) ms each; batches are per PTE.
  arch = MMM_ARCH_X86_64 / MMM_ARCH_ARM64 with the default (full) configuration.
""")

var msg = [CChar](repeating: 0, count: 2048)
if mmmb_verify(&msg, msg.count) != 0 {
    print("mmm-bench: cross-check FAILED, no timing done:\n  " + String(decoding: msg.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    exit(2)
}
print("  cross-check: ABI and reference agree on every benchmark input and on the edge / random set.\n")

let cols = [("operation", 24), ("arch", 7), ("inputs", 30), ("unit", 4), ("ABI ns", 8), ("C ns", 8),
            ("ratio", 6), ("target", 7), ("result", 6)]
print(cols.map { pad($0.0, $0.1, right: $0.0.hasSuffix("ns") || $0.0 == "ratio" || $0.0 == "target") }
    .joined(separator: " | "))
print(cols.map { String(repeating: "-", count: $0.1) }.joined(separator: "-|-"))

var met = 0
let total = Int(mmmb_case_count())
for i in 0..<total {
    var row = mmmb_row()
    guard mmmb_run_case(Int32(i), quick ? 1 : 0, &row) == 0 else { continue }
    let ratio = row.abi_ns / row.ref_ns
    let pass = ratio <= row.target
    if pass { met += 1 }
    let cells = [
        pad(String(cString: row.op), 24), pad(String(cString: row.arch), 7),
        pad(String(cString: row.variant), 30), pad(String(cString: row.unit), 4),
        pad(fixed(row.abi_ns, 2), 8, right: true), pad(fixed(row.ref_ns, 2), 8, right: true),
        pad(fixed(ratio, 2), 6, right: true), pad("<= " + fixed(row.target, 1), 7, right: true),
        pad(pass ? "PASS" : "FAIL", 6),
    ]
    print(cells.joined(separator: " | "))
}
print("\ntargets met: \(met)/\(total)\n")
let forkOK = runForkBench(quick: quick)
exit(forkOK && runCheckBench(quick: quick) ? 0 : 1)
