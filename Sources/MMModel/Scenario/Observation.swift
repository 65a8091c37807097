/// What a scenario run shows: per page what a process could read from
/// /proc/PID/pagemap, /proc/kpagecount and /proc/kpageflags (spec semantics
/// §8.1, encoding §4.6), sharing and frame identity relative to the scenario,
/// contents; per phase and process the getrusage fault deltas (§7.1). The text
/// and JSON forms are specified in docs/observation-format.md; the live-kernel
/// runner (issue 9) prints the same, so a diff of the two is meaningful.
///
/// PFNs and swap offsets are not comparable between the model and a kernel, so
/// frames and swap entries are named by ids numbered in first-seen order over
/// the whole run (snapshots in order, processes in creation order, mappings in
/// declaration order, pages ascending): `f1`, `f2`, … and `s1`, `s2`, ….

/// /proc/PID/pagemap bits (Documentation/admin-guide/mm/pagemap.rst;
/// fs/proc/task_mmu.c `PM_*`).
public enum Pagemap {
    public static let present: UInt64 = 1 << 63
    public static let swapped: UInt64 = 1 << 62
    /// File-page or shared-anon; always 0 for private anonymous memory.
    public static let file: UInt64 = 1 << 61
    public static let uffdWp: UInt64 = 1 << 57
    /// PM_MMAP_EXCLUSIVE: the page's own mapcount is 1 (spec §8.1).
    public static let exclusive: UInt64 = 1 << 56
    public static let softDirty: UInt64 = 1 << 55
    /// Bits 0-54: the PFN of a present page, or type (0-4) and offset (5-54) of a swap entry.
    public static let frameMask: UInt64 = (1 << 55) - 1
    public static let swapTypeBits: UInt64 = 5
}

/// /proc/kpageflags bits, include/uapi/linux/kernel-page-flags.h (torvalds/linux
/// at f4d8f354d753): KPF_ANON 12, KPF_SWAPCACHE 13, KPF_COMPOUND_HEAD 15,
/// KPF_COMPOUND_TAIL 16, KPF_KSM 21, KPF_THP 22, KPF_ZERO_PAGE 24. The
/// observation reports only these (`relevant`); the live runner masks the same.
public enum KPageFlags {
    public static let anon: UInt64 = 1 << 12
    public static let swapCache: UInt64 = 1 << 13
    public static let compoundHead: UInt64 = 1 << 15
    public static let compoundTail: UInt64 = 1 << 16
    public static let ksm: UInt64 = 1 << 21
    public static let thp: UInt64 = 1 << 22
    public static let zeroPage: UInt64 = 1 << 24
    public static let relevant: UInt64 = anon | swapCache | compoundHead | compoundTail | ksm | thp | zeroPage
    /// Names in bit order, as the text form prints them.
    public static let named: [(UInt64, String)] = [
        (anon, "anon"), (swapCache, "swapcache"), (compoundHead, "head"), (compoundTail, "tail"),
        (ksm, "ksm"), (thp, "thp"), (zeroPage, "zero"),
    ]
}

/// A frame as the observation names it.
public enum FrameID: Hashable, Sendable, CustomStringConvertible {
    /// The shared zero page or a page of the huge zero folio.
    case zero
    /// The n-th frame seen in this run (1-based).
    case id(Int)
    public var description: String {
        switch self {
        case .zero: return "zero"
        case .id(let n): return "f\(n)"
        }
    }
}

/// A page of a process, by mapping name and index.
public struct PageRef: Hashable, Sendable, CustomStringConvertible {
    public var process: String
    public var mapping: String
    public var index: Int
    public init(process: String, mapping: String, index: Int) {
        self.process = process
        self.mapping = mapping
        self.index = index
    }
    public var description: String { "\(process):\(mapping)[\(index)]" }
}

/// One page of one process at one snapshot.
public struct PageObservation: Hashable, Sendable {
    public enum State: String, Hashable, Sendable {
        /// Outside every VMA (munmap, MADV_DONTFORK in a child).
        case unmapped
        /// Inside a VMA, nothing mapped (pagemap word 0 apart from soft-dirty).
        case none
        case present
        case swapped
    }
    public var mapping: String
    public var index: Int
    public var state: State = .unmapped
    /// The pagemap word with bits 0-54 cleared: what compares across machines.
    public var pagemapFlags: UInt64 = 0
    /// The full pagemap word root would read from the model (PFN, or swap type
    /// and offset, in bits 0-54); model-specific.
    public var pagemapWord: UInt64 = 0
    public var frame: FrameID? = nil
    public var swap: Int? = nil
    public var swapType: UInt32 = 0
    public var kpagecount: Int32? = nil
    /// kpageflags masked to `KPageFlags.relevant`.
    public var kpageflags: UInt64? = nil
    /// The contents token (a byte value; 0 for the zero page and fresh pages).
    public var data: UInt64? = nil
    /// Pages of other processes that map the same frame or name the same swap entry.
    public var sharers: [PageRef] = []
    /// Whether the page maps the frame it mapped at the previous snapshot; nil
    /// when either side is not present or the process did not exist then.
    public var kept: Bool? = nil

    // Verbose: what the kernel does not show.
    public var pteWrite = false
    public var pteDirty = false
    public var pteYoung = false
    public var anonExclusive = false
    public var pmdMapped = false
    public var order = 0
    public var refcount: Int32 = 0
    public var maybePinned = false
    /// The folio is in the swap cache (present: kpageflags SWAPCACHE; swapped:
    /// the entry's folio is cached).
    public var swapCache = false
    /// The swap PTE's exclusive bit (SX) and the slot's swap count.
    public var swapExclusive = false
    public var swapCount: UInt32 = 0
    /// Model PFN (present) and swap slot (swapped); 0 when none.
    public var pfn: UInt64 = 0
    public var swapSlot: Int = 0

    public init(mapping: String, index: Int) {
        self.mapping = mapping
        self.index = index
    }

    public var exclusive: Bool { pagemapFlags & Pagemap.exclusive != 0 }
}

public struct ProcessObservation: Hashable, Sendable {
    public var name: String
    /// Pages of every mapping the process named, in declaration order.
    public var pages: [PageObservation]
    public init(name: String, pages: [PageObservation]) {
        self.name = name
        self.pages = pages
    }
}

public struct SnapshotObservation: Hashable, Sendable {
    public var name: String
    /// The line of the `snapshot` statement; 0 for the final `end` snapshot.
    public var line: Int
    /// The processes alive at the snapshot, in creation order.
    public var processes: [ProcessObservation]
    public init(name: String, line: Int, processes: [ProcessObservation]) {
        self.name = name
        self.line = line
        self.processes = processes
    }
}

/// The minor and major faults (getrusage `ru_minflt` / `ru_majflt` deltas) of
/// one process over one phase.
public struct PhaseObservation: Hashable, Sendable {
    public var process: String
    public var name: String
    public var minor: UInt64
    public var major: UInt64
    public init(process: String, name: String, minor: UInt64, major: UInt64) {
        self.process = process
        self.name = name
        self.minor = minor
        self.major = major
    }
}

/// A userfaultfd trap reported to the monitor: `uffd PROC A[i] write line=N`.
public struct UffdObservation: Hashable, Sendable {
    public var process: String
    public var mapping: String
    public var index: Int
    public var write: Bool
    /// The script line whose operation trapped.
    public var line: Int
}

/// What a run produced: the observation and the verdict on its expectations.
public struct ScenarioResult: Sendable {
    public var name: String
    public var header: ScenarioHeader
    public var snapshots: [SnapshotObservation] = []
    public var phases: [PhaseObservation] = []
    public var expectationsHeld = 0
    /// userfaultfd write-protect traps in order (the default monitor resolved each).
    public var uffdEvents: [UffdObservation] = []
    /// Every process's counters at the end of the run, in creation order
    /// (what `mmm compare` sets side by side; not part of the observation).
    public var counters: [(process: String, counters: FaultCounters)] = []
    /// Expectations that did not hold, each with its line.
    public var failures: [ScenarioError] = []
    /// Why the run stopped early (parse error, unsupported line, failed
    /// operation); nil when it ran to the end.
    public var error: ScenarioError? = nil

    public init(name: String, header: ScenarioHeader) {
        self.name = name
        self.header = header
    }

    /// Every expectation held and the run completed.
    public var passed: Bool { error == nil && failures.isEmpty }

    /// The observation as text, without the verbose fields.
    public var text: String { observationText(verbose: false) }
}

// MARK: Text form

extension ScenarioResult {
    /// The observation as lines of text (docs/observation-format.md).
    public func observationText(verbose: Bool) -> String {
        var out = "mmm-observation 1\n"
        if !name.isEmpty { out += "scenario \(name)\n" }
        out += "config " + header.configWords.joined(separator: " ") + "\n"
        for s in snapshots {
            out += "snapshot \(s.name)" + (s.line > 0 ? " line=\(s.line)" : "") + "\n"
            for p in s.processes {
                out += "  process \(p.name)\n"
                for line in PageLineRun.lines(p.pages, verbose: verbose) { out += "    " + line + "\n" }
            }
        }
        for ph in phases { out += "phase \(ph.process) \(ph.name) minor=\(ph.minor) major=\(ph.major)\n" }
        for e in uffdEvents { out += "uffd \(e.process) \(e.mapping)[\(e.index)] \(e.write ? "write" : "read") line=\(e.line)\n" }
        for f in failures { out += "fail line=\(f.line) \(f.message)\n" }
        if let e = error { out += "error line=\(e.line) \(e.message)\n" }
        out += "result \(passed ? "pass" : "fail") held=\(expectationsHeld) failed=\(failures.count)"
            + (error == nil ? "" : " stopped") + "\n"
        return out
    }
}

extension ScenarioHeader {
    /// The `config` line's words, in a fixed order.
    public var configWords: [String] {
        var w = ["arch=\(arch)", "kernel=\(kernel)"]
        for s in switches { w.append("switch=" + s) }
        w.append("thp=\(ScenarioHeader.word(thp))")
        for order in 2...WorldConfig.pmdOrder where thpOrders[order] != .never {
            w.append("thp-\(ScenarioHeader.sizeWord(order))=\(ScenarioHeader.word(thpOrders[order]))")
        }
        w.append("huge-zero-page=\(hugeZeroPage ? "on" : "off")")
        w.append("swap=\(swapDevice == .synchronous ? "zram" : "disk")")
        w.append("page-cluster=\(pageCluster)")
        w.append("frames=\(frames)")
        w.append("swap-slots=\(swapSlots - 1)")
        if softDirty { w.append("soft-dirty=on") }
        if ksmZeroPages { w.append("ksm-zero-pages=on") }
        return w
    }

    static func word(_ s: THPSetting) -> String {
        switch s {
        case .never: return "never"
        case .always: return "always"
        case .madvise: return "madvise"
        case .inherit: return "inherit"
        }
    }

    static func sizeWord(_ order: Int) -> String {
        let bytes = 4096 << order
        return bytes >= 1 << 20 ? "\(bytes >> 20)M" : "\(bytes >> 10)K"
    }
}

/// One field of a page line: fixed text, or text around an index that a run of
/// consecutive pages advances by one per page (frame ids, swap ids, sharers).
enum LineToken: Hashable {
    case text(String)
    /// prefix, letter, index, suffix: `frame=` `f` 3 `` prints `frame=f3`, and
    /// over a run of 16 pages `frame=f3..f18`.
    case index(String, String, Int, String)
}

enum PageLineRun {
    /// The page lines of one process: consecutive pages of a mapping whose lines
    /// differ only by indices advancing by one per page are merged into one line.
    static func lines(_ pages: [PageObservation], verbose: Bool) -> [String] {
        var out: [String] = []
        var i = 0
        while i < pages.count {
            let first = tokens(pages[i], verbose: verbose)
            var j = i + 1
            while j < pages.count, pages[j].mapping == pages[i].mapping, pages[j].index == pages[i].index + (j - i),
                  follows(tokens(pages[j], verbose: verbose), first, by: j - i) {
                j += 1
            }
            out.append(render(first, count: j - i))
            i = j
        }
        return out
    }

    static func follows(_ t: [LineToken], _ first: [LineToken], by k: Int) -> Bool {
        guard t.count == first.count else { return false }
        for (a, b) in zip(t, first) {
            switch (a, b) {
            case (.text(let x), .text(let y)): if x != y { return false }
            case (.index(let p, let l, let v, let s), .index(let q, let m, let w, let r)):
                if p != q || l != m || s != r || v != w + k { return false }
            default: return false
            }
        }
        return true
    }

    static func render(_ t: [LineToken], count: Int) -> String {
        t.map { tok -> String in
            switch tok {
            case .text(let s): return s
            case .index(let p, let l, let v, let s):
                return count == 1 ? "\(p)\(l)\(v)\(s)" : "\(p)\(l)\(v)..\(l)\(v + count - 1)\(s)"
            }
        }.joined(separator: " ")
    }

    static func tokens(_ pg: PageObservation, verbose: Bool) -> [LineToken] {
        var t: [LineToken] = [.index(pg.mapping + "[", "", pg.index, "]"), .text(pg.state.rawValue)]
        if pg.pagemapFlags & Pagemap.exclusive != 0 { t.append(.text("excl")) }
        if pg.pagemapFlags & Pagemap.uffdWp != 0 { t.append(.text("uffd-wp")) }
        if pg.pagemapFlags & Pagemap.softDirty != 0 { t.append(.text("soft-dirty")) }
        if pg.pagemapFlags & Pagemap.file != 0 { t.append(.text("file")) }
        switch pg.frame {
        case .id(let n)?: t.append(.index("frame=", "f", n, ""))
        case .zero?: t.append(.text("frame=zero"))
        case nil: break
        }
        if let s = pg.swap { t.append(.index("swap=", "s", s, "")); t.append(.text("type=\(pg.swapType)")) }
        if let c = pg.kpagecount { t.append(.text("count=\(c)")) }
        if let f = pg.kpageflags {
            let names = KPageFlags.named.filter { f & $0.0 != 0 }.map(\.1)
            t.append(.text("kpf=" + (names.isEmpty ? "-" : names.joined(separator: ","))))
        }
        if let d = pg.data { t.append(.text("data=\(d)")) }
        for (k, s) in pg.sharers.enumerated() {
            t.append(.index((k == 0 ? "shared=" : "+") + "\(s.process):\(s.mapping)[", "", s.index, "]"))
        }
        if let k = pg.kept { t.append(.text(k ? "kept" : "new")) }
        if verbose {
            t.append(.text("|"))
            switch pg.state {
            case .present:
                let bits = [(pg.pteWrite, "w"), (pg.pteDirty, "d"), (pg.pteYoung, "y")].filter(\.0).map(\.1)
                t.append(.text("pte=" + (bits.isEmpty ? "-" : bits.joined(separator: ","))))
                if pg.pmdMapped { t.append(.text("pmd")) }
                if pg.frame != .zero {
                    if pg.anonExclusive { t.append(.text("ae")) }
                    t.append(.text("ref=\(pg.refcount)"))
                    t.append(.text("order=\(pg.order)"))
                    if pg.maybePinned { t.append(.text("pinned")) }
                }
            case .swapped:
                if pg.swapExclusive { t.append(.text("sx")) }
                t.append(.text("swapcount=\(pg.swapCount)"))
            default:
                break
            }
        }
        return t
    }
}

// MARK: JSON form

extension ScenarioResult {
    /// The observation as one JSON object on one line (docs/observation-format.md).
    public func observationJSON(verbose: Bool) -> String {
        var f: [String] = []
        f.append("\"format\":\"mmm-observation\",\"version\":1")
        f.append("\"scenario\":" + jsonString(name))
        f.append("\"config\":{" + header.configWords.map { w -> String in
            let parts = w.split(separator: "=", maxSplits: 1)
            let v = String(parts[1])
            return jsonString(String(parts[0])) + ":" + (Int(v) != nil ? v : jsonString(v))
        }.joined(separator: ",") + "}")
        f.append("\"snapshots\":[" + snapshots.map { s in
            "{\"name\":\(jsonString(s.name)),\"line\":\(s.line),\"processes\":[" + s.processes.map { p in
                "{\"name\":\(jsonString(p.name)),\"pages\":[" + p.pages.map { pageJSON($0, verbose: verbose) }.joined(separator: ",") + "]}"
            }.joined(separator: ",") + "]}"
        }.joined(separator: ",") + "]")
        f.append("\"phases\":[" + phases.map {
            "{\"process\":\(jsonString($0.process)),\"name\":\(jsonString($0.name)),\"minor\":\($0.minor),\"major\":\($0.major)}"
        }.joined(separator: ",") + "]")
        if !uffdEvents.isEmpty {
            f.append("\"uffd_events\":[" + uffdEvents.map {
                "{\"process\":\(jsonString($0.process)),\"page\":" + jsonString("\($0.mapping)[\($0.index)]")
                    + ",\"write\":\($0.write),\"line\":\($0.line)}"
            }.joined(separator: ",") + "]")
        }
        f.append("\"held\":\(expectationsHeld)")
        f.append("\"failures\":[" + failures.map { "{\"line\":\($0.line),\"message\":\(jsonString($0.message))}" }.joined(separator: ",") + "]")
        f.append("\"error\":" + (error.map { "{\"line\":\($0.line),\"message\":\(jsonString($0.message))}" } ?? "null"))
        f.append("\"result\":" + jsonString(passed ? "pass" : "fail"))
        return "{" + f.joined(separator: ",") + "}"
    }

    func pageJSON(_ pg: PageObservation, verbose: Bool) -> String {
        var f: [String] = [
            "\"page\":" + jsonString("\(pg.mapping)[\(pg.index)]"),
            "\"state\":" + jsonString(pg.state.rawValue),
            "\"pagemap\":" + jsonString("0x" + hex(pg.pagemapFlags, width: 16)),
            "\"exclusive\":\(pg.pagemapFlags & Pagemap.exclusive != 0)",
            "\"uffd_wp\":\(pg.pagemapFlags & Pagemap.uffdWp != 0)",
            "\"soft_dirty\":\(pg.pagemapFlags & Pagemap.softDirty != 0)",
        ]
        if let fr = pg.frame { f.append("\"frame\":" + jsonString(fr.description)) }
        if let s = pg.swap { f.append("\"swap\":" + jsonString("s\(s)")); f.append("\"swap_type\":\(pg.swapType)") }
        if let c = pg.kpagecount { f.append("\"kpagecount\":\(c)") }
        if let k = pg.kpageflags {
            f.append("\"kpageflags\":" + jsonString("0x" + hex(k, width: 8)))
            f.append("\"kpf\":" + jsonArray(KPageFlags.named.filter { k & $0.0 != 0 }.map(\.1)))
        }
        if let d = pg.data { f.append("\"data\":\(d)") }
        f.append("\"shared\":" + jsonArray(pg.sharers.map(\.description)))
        if let k = pg.kept { f.append("\"kept\":\(k)") }
        if verbose {
            f.append("\"pagemap_word\":" + jsonString("0x" + hex(pg.pagemapWord, width: 16)))
            switch pg.state {
            case .present:
                f.append("\"pfn\":" + jsonString(hex0x(pg.pfn)))
                f.append("\"pte_write\":\(pg.pteWrite),\"pte_dirty\":\(pg.pteDirty),\"pte_young\":\(pg.pteYoung)")
                f.append("\"pmd_mapped\":\(pg.pmdMapped),\"anon_exclusive\":\(pg.anonExclusive)")
                f.append("\"refcount\":\(pg.refcount),\"order\":\(pg.order),\"maybe_pinned\":\(pg.maybePinned)")
            case .swapped:
                f.append("\"swap_slot\":\(pg.swapSlot),\"swap_exclusive\":\(pg.swapExclusive),\"swap_count\":\(pg.swapCount)")
            default:
                break
            }
        }
        return "{" + f.joined(separator: ",") + "}"
    }
}
