/// Scenarios: a small script language over a `World`, one operation a line,
/// read the way a kernel selftest reads (map, write, MADV_PAGEOUT, fork with a
/// child block, expect what procfs would show). The language is documented in
/// docs/scenario-language.md; the observation a run prints in
/// docs/observation-format.md. The live-kernel runner (issue 9) reads the same
/// language and prints the same observation, so nothing here names a model-only
/// quantity (a PFN, a swap offset) except in verbose fields.
///
/// Layers: `Scenario+Parse.swift` turns text into `Scenario`;
/// `Scenario+Run.swift` runs it over a `World`; `Observation.swift` holds the
/// records a run produces and their text and JSON forms.

/// A position-tagged error of a scenario: a parse error, a line the model cannot
/// run (unsupported operation), or an operation that failed while running.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the script; 0 when the error concerns no line.
    public let line: Int
    public let message: String
    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// The header of a scenario: the machine and the knobs of the kernel it runs on.
public struct ScenarioHeader: Hashable, Sendable {
    public var arch: Arch = .x86_64
    /// The kernel preset (`KernelPolicy.presetNames`).
    public var kernel = "6.18"
    /// `switch NAME=VALUE` lines, in order, applied over the preset.
    public var switches: [String] = []
    /// `transparent_hugepage/enabled`.
    public var thp: THPSetting = .madvise
    /// `hugepages-<size>kB/enabled` by folio order (index 0 and 1 unused).
    public var thpOrders: [THPSetting] = WorldConfig().thpOrders
    public var hugeZeroPage = true
    public var swapDevice: SwapDeviceKind = .synchronous
    public var pageCluster = 3
    /// `soft-dirty on|off`: whether the kernel is built with
    /// CONFIG_MEM_SOFT_DIRTY (x86-64 only; off, as on the 6.18 machines).
    public var softDirty = false
    /// `ksm-zero-pages on|off`: `/sys/kernel/mm/ksm/use_zero_pages`.
    public var ksmZeroPages = false
    public var frames = 16384
    /// Slots of the device including slot 0 (the header, never used).
    public var swapSlots = 16385
    public init() {}

    /// The world configuration the header describes.
    public var worldConfig: WorldConfig {
        var c = WorldConfig()
        c.format = PteFormat(arch: arch, config: softDirty ? KernelConfig.live618.union(.softDirty) : .live618)
        c.frames = frames
        c.swapSlots = swapSlots
        c.thpEnabled = thp
        c.thpOrders = thpOrders
        c.useHugeZeroPage = hugeZeroPage
        c.ksmUseZeroPages = ksmZeroPages
        c.swapDevice = swapDevice
        c.pageCluster = pageCluster
        // The parser accepted the preset and every switch.
        c.policy = (try? KernelPolicy.make(preset: kernel, switches: switches)) ?? .v6_18
        return c
    }
}

/// Pages of one mapping, by index: `A[3]`, `A[0..511]` (inclusive), `A[*]` or `A`.
public struct PageRange: Hashable, Sendable, CustomStringConvertible {
    public var mapping: String
    /// First and last index, inclusive; nil for the whole mapping.
    public var bounds: ClosedRange<Int>?
    public init(mapping: String, bounds: ClosedRange<Int>?) {
        self.mapping = mapping
        self.bounds = bounds
    }
    public var description: String {
        guard let b = bounds else { return mapping + "[*]" }
        // Not b.count: it overflows for 0...Int.max, which a script can write.
        return b.lowerBound == b.upperBound ? "\(mapping)[\(b.lowerBound)]" : "\(mapping)[\(b.lowerBound)..\(b.upperBound)]"
    }
}

/// One condition of an `expect` line on pages.
public enum PageCondition: Hashable, Sendable {
    /// A named state word (`present`, `exclusive`, `writable`, …), or its negation.
    case word(String, negated: Bool)
    /// `kpagecount` equals the value (`count=N`).
    case count(Int32)
    /// The contents equal the value (`== V`).
    case contents(UInt64)
    /// `kept-frame [since SNAPSHOT]`: the same frame as at the snapshot (the
    /// latest one when nil); negated with `!kept-frame`.
    case keptFrame(since: String?, negated: Bool)
    /// `same-frame-as PROC RANGE`: page i maps the frame (or names the swap
    /// entry) that page i of RANGE in PROC does.
    case sameFrameAs(process: String, range: PageRange, negated: Bool)
    /// `shared-with PROC`: some page of PROC maps the same frame or swap entry.
    case sharedWith(process: String, negated: Bool)
}

/// An operation of the language.
public indirect enum ScenarioOp: Hashable, Sendable {
    public enum Advice: String, Hashable, Sendable {
        case hugepage, nohugepage
    }
    case map(name: String, pages: Int, advice: Advice?, prot: Protection, align: UInt64)
    case access(PageRange, read: Bool, write: Bool, value: UInt64)
    case madvise(PageRange, MadviseAdvice)
    case mprotect(PageRange, Protection)
    case munmap(PageRange)
    /// A line the language has but the model cannot run yet (`free`,
    /// `collapse`, `mremap`): the reason names what is missing.
    case unsupported(what: String, reason: String)
    case fork(name: String, body: [ScenarioStatement])
    case pause
    case resume(String)
    case exit
    case pin(PageRange, write: Bool)
    case unpin(PageRange)
    case phase(String)
    case snapshot(String)
    case expectFaults(process: String?, phase: String?, minor: UInt64?, major: UInt64?)
    case expectPages(PageRange, [PageCondition])
    /// `expect consistent` (nil: the checker finds nothing) or `expect
    /// violation RULE` (the checker finds a violation of that rule): the full
    /// check (`World.check()`) of the world at this point.
    case expectCheck(CheckRule?)
    /// `uffd register wp [unpopulated] [async] [fork-event] PAGES`:
    /// UFFDIO_REGISTER_MODE_WP for a context with those features.
    case uffdRegister(PageRange, features: UffdFeatures)
    /// `uffd unregister PAGES`.
    case uffdUnregister(PageRange)
    /// `uffd protect PAGES` / `uffd unprotect PAGES`: UFFDIO_WRITEPROTECT.
    case uffdProtect(PageRange, protect: Bool)
    /// `clear-refs soft-dirty`: `echo 4 > /proc/PID/clear_refs`.
    case clearRefsSoftDirty
    /// `expect uffd-events N`: the run has reported N userfaultfd traps so far.
    case expectUffdEvents(Int)
    /// `mremap PAGES N pages [maymove] [fixed DEST] [as NAME]` (Scenario+Mremap.swift).
    case mremap(PageRange, pages: Int, mayMove: Bool, fixed: PageRange?, name: String?)
    /// `collapse PAGES`: MADV_COLLAPSE (Kernel/Collapse.swift).
    case collapse(PageRange)
    /// `reclaim PAGES`: global reclaim of the folios the pages map
    /// (`World.reclaim`: shrink_folio_list, every mapping unmapped).
    case reclaim(PageRange)
    /// `expect ksm NAME=N…`: /sys/kernel/mm/ksm counters once ksmd settled
    /// (`World.ksmCounters`), and `self-zero-pages` for the running process.
    case expectKsm([KsmCountExpectation])
}

/// One `NAME=N` of an `expect ksm` line.
public struct KsmCountExpectation: Hashable, Sendable {
    /// The counters an `expect ksm` line names: the /sys/kernel/mm/ksm files,
    /// and `self-zero-pages` (/proc/self/ksm_stat's ksm_zero_pages).
    public static let names = ["pages_shared", "pages_sharing", "stable_node_chains", "stable_node_dups",
                               "ksm_zero_pages", "self-zero-pages"]
    public var name: String
    public var value: Int
    public init(name: String, value: Int) {
        self.name = name
        self.value = value
    }
}

/// One line of a script that does something, with its line number and text.
public struct ScenarioStatement: Hashable, Sendable {
    public let line: Int
    public let text: String
    public let op: ScenarioOp
    /// `try OP`: a failure of the operation in the model (a SIGSEGV, out of
    /// memory) does not stop the run.
    public var mayFail = false
}

/// A parsed scenario: header and the statements of the first process.
public struct Scenario: Hashable, Sendable {
    public var header: ScenarioHeader
    public var body: [ScenarioStatement]

    /// Parses `text` and runs it; a parse error is reported in the result
    /// (`error`), like a failure while running. `name` labels the observation.
    public static func run(text: String, name: String = "") -> ScenarioResult {
        switch parse(text: text) {
        case .success(let s): return s.run(name: name)
        case .failure(let e):
            var r = ScenarioResult(name: name, header: ScenarioHeader())
            r.error = e
            return r
        }
    }
}
