/// The cost table of COW PTE tables (issue 8 item 4): four fork workloads run
/// with a copying fork and with `cowPte`, the same end state, the counters side
/// by side. `mmm-bench --cowpte-costs` prints it; CowPteTests checks its shape.
public struct CowPteCostRow: Hashable, Sendable {
    public var workload: String
    public var mode: String
    /// Page tables allocated by fork and afterwards (all levels, both processes).
    public var tablesAllocated: UInt64 = 0
    /// PTE tables fork shared instead of copying.
    public var tablesShared: UInt64 = 0
    /// Entries written into the child's tables at fork.
    public var ptesCopiedAtFork: UInt64 = 0
    /// Entries copied by breaks afterwards.
    public var ptesCopiedAtBreaks: UInt64 = 0
    /// rmap dups and reference additions at fork (`forkRmapOps`, `forkRefOps`).
    public var rmapOpsAtFork: UInt64 = 0
    public var refOpsAtFork: UInt64 = 0
    /// Entries whose rmap dup and reference the RFC itself (which defers them to
    /// the break, v2 `break_cow_pte` → `copy_pte_range`) would make after fork:
    /// the present entries the breaks copied. The model makes them at fork.
    public var rfcDeferredDups: UInt64 = 0
    public var breakCopies: UInt64 = 0
    public var breakReuses: UInt64 = 0
    public var sharesDropped: UInt64 = 0
    /// Breaks by cause, `cause=n` for the non-zero ones.
    public var breaksByCause: String = ""
}

public enum CowPteCosts {
    /// The workloads over a parent holding `pages` written 4 KiB pages (order 0).
    public static func table(pages: Int = 4096) throws(MMMError) -> [CowPteCostRow] {
        var rows: [CowPteCostRow] = []
        let modes: [(String, [String])] = [("copy", []), ("cowPte", ["cowPte=on"])]
        for (workload, youngModes) in [("fork-then-exit", false), ("fork-then-exec-like", false),
                                       ("fork-then-write-everything", false), ("young-bit reclaim", true)] {
            var ms = modes
            if youngModes { ms.append(("cowPte+breakOnYoung", ["cowPte=on", "cowPteBreakOnYoung=on"])) }
            for (name, switches) in ms {
                rows.append(try run(workload, name, switches, pages: pages))
            }
        }
        return rows
    }

    static func run(_ workload: String, _ mode: String, _ switches: [String], pages: Int) throws(MMMError) -> CowPteCostRow {
        var c = WorldConfig()
        c.frames = 2 * pages + 1024
        c.policy = try KernelPolicy.make(preset: "6.18", switches: switches)
        var w = try World(c)
        let parent = w.createProcess()
        let len = UInt64(pages) * VA.pageSize
        let a = try w.mmap(parent, length: len, align: VA.pmdSize)
        try w.madvise(parent, a, len, .nohugepage)
        try w.access(parent, a, len, read: false, write: true, value: 1)
        let before = try w.counters(parent)
        let child = try w.fork(parent)
        switch workload {
        case "fork-then-exit":
            try w.exit(child)
        case "fork-then-exec-like":
            try w.write(child, a, 2)                     // the child touches a little, then its mm goes
            try w.exit(child)
        case "fork-then-write-everything":
            try w.access(child, a, len, read: false, write: true, value: 2)
            try w.access(parent, a, len, read: false, write: true, value: 3)
        default:                                         // reclaim's aging walk over every page
            var addr = a
            while addr < a + len {
                _ = try w.folioReferenced(try w.pageState(parent, addr).pfn)
                addr += VA.pageSize
            }
        }
        let kp = try w.counters(parent), kc = try w.counters(child)
        var r = CowPteCostRow(workload: workload, mode: mode)
        r.tablesAllocated = kp.pageTablesAllocated - before.pageTablesAllocated + kc.pageTablesAllocated
        r.tablesShared = kc.forkTablesShared
        r.ptesCopiedAtFork = kc.forkPtesCopied
        r.ptesCopiedAtBreaks = kp.cowPteBreakPtesCopied + kc.cowPteBreakPtesCopied
        r.rmapOpsAtFork = kc.forkRmapOps
        r.refOpsAtFork = kc.forkRefOps
        r.rfcDeferredDups = r.ptesCopiedAtBreaks
        r.breakCopies = kp.cowPteBreakCopies + kc.cowPteBreakCopies
        r.breakReuses = kp.cowPteBreakReuses + kc.cowPteBreakReuses
        r.sharesDropped = kp.cowPteSharesDropped + kc.cowPteSharesDropped
        r.breaksByCause = CowPteBreakCause.allCases.compactMap { cause in
            let n = kp.cowPteBreaksByCause[cause.rawValue] + kc.cowPteBreaksByCause[cause.rawValue]
            return n == 0 ? nil : "\(cause.name)=\(n)"
        }.joined(separator: ",")
        return r
    }

    /// The table as text, one row per workload and mode.
    public static func text(_ rows: [CowPteCostRow]) -> String {
        let head = ["workload", "mode", "tables", "shared", "PTEs@fork", "PTEs@breaks", "rmap@fork", "ref@fork",
                    "RFC-deferred", "copies", "reuses", "dropped", "breaks by cause"]
        var cells = [head]
        for r in rows {
            cells.append([r.workload, r.mode, "\(r.tablesAllocated)", "\(r.tablesShared)", "\(r.ptesCopiedAtFork)",
                          "\(r.ptesCopiedAtBreaks)", "\(r.rmapOpsAtFork)", "\(r.refOpsAtFork)", "\(r.rfcDeferredDups)",
                          "\(r.breakCopies)", "\(r.breakReuses)", "\(r.sharesDropped)",
                          r.breaksByCause.isEmpty ? "-" : r.breaksByCause])
        }
        var widths = [Int](repeating: 0, count: head.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for row in cells {
            var line = ""
            for (i, c) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                line += i < 2 || i == row.count - 1 ? c + pad : pad + c
                if i < row.count - 1 { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
