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
    /// `mmm explore`: seeded random operation sequences with the checker after
    /// every step; a violation is shrunk and written as a scenario.
    struct Explore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search random operation sequences for broken rules.",
            discussion: """
                Each run starts a small world (1024 frames; architecture, mTHP sizes, \
                swap device, page-cluster, soft-dirty and ksm-zero-pages chosen by \
                the run's seed) and applies --steps random operations the scenario \
                language can say (map, read, write, readwrite, pageout, cold, \
                dontneed, populate, free, collapse, the madvise flags, ksm \
                merge/unmerge, mprotect, munmap, mremap of a whole mapping, pin, \
                unpin, uffd register/protect/unprotect/unregister, clear-refs \
                soft-dirty, reclaim, fork, exit), mostly valid, \
                some failing, in up to 4 processes, with the incremental checker \
                after each. Run r uses the seed SEED + r, so --seed S --runs 1 \
                repeats the run a finding names. The first violation found is \
                shrunk (delta debugging) to a short scenario ending in \
                'expect violation RULE', printed and written to --out; \
                'mmm run FILE' replays it.

                Exit status:
                  0   no violation found
                  1   a violation was found (and printed, and written to --out)
                  64  usage error
                """)

        @Option(help: "Seed of the first run.")
        var seed: UInt64 = 1

        @Option(help: "Operations per run.")
        var steps = 200

        @Option(help: "Runs.")
        var runs = 100

        @Option(help: "Pages all mappings of a run may have together (1...64).")
        var pages = 64

        @Option(help: ArgumentHelp("Write the shrunk scenario to this file.", valueName: "file"))
        var out: String?

        func validate() throws {
            guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
            guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
            guard (1...64).contains(pages) else { throw ValidationError("--pages must be 1...64") }
        }

        func run() throws {
            var c = ExploreConfig()
            c.seed = seed
            c.steps = steps
            c.runs = runs
            c.pages = pages
            let t0 = monotonicSeconds()
            let s = Explorer.search(c)
            let dt = monotonicSeconds() - t0
            let rate = dt > 0 ? Int(Double(s.ops) / dt) : 0
            guard let found = s.found else {
                print("explored \(s.runs) runs (seeds \(seed)...\(seed &+ UInt64(s.runs - 1))), \(s.ops) operations, "
                      + "\(rate) ops/s: no violation")
                return
            }
            print("run seed \(found.seed): \(found.violation.rule.rawValue) after operation \(found.ops.count): \(found.violation)")
            let t1 = monotonicSeconds()
            let f = Explorer.shrink(found)
            let ms = Int((monotonicSeconds() - t1) * 1000)
            print("shrunk from \(found.ops.count) to \(f.ops.count) operations (\(f.replays) replays, \(ms) ms):\n")
            print(f.scenario, terminator: "")
            if let out {
                guard writeTextFile(out, f.scenario) else { throw CommandFailure(description: "cannot write '\(out)'") }
                printError("mmm explore: scenario written to \(out)")
            }
            throw ExitCode.failure
        }
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Writes `text` to `path` (replacing it); false on any error.
func writeTextFile(_ path: String, _ text: String) -> Bool {
    guard let fp = fopen(path, "wb") else { return false }
    var t = text
    let ok = t.withUTF8 { buf in buf.isEmpty || fwrite(buf.baseAddress!, 1, buf.count, fp) == buf.count }
    return fclose(fp) == 0 && ok
}
