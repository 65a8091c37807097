@testable import MMModel

// Helpers shared by the World*Tests files: small worlds, a one-character-per-page
// picture of a range (style.md §2.1, §6.5), and the library's checker of the
// spec's §8 invariants (Sources/MMModel/Check), run after every operation in
// the worlds these helpers build.

extension WorldConfig {
    /// A small world (16 MiB of frames, 16 MiB of swap) for tests: fast to build,
    /// checked after every operation.
    static func small(arch: Arch = .x86_64, frames: Int = 4096, swapSlots: Int = 4096) -> WorldConfig {
        var c = WorldConfig()
        c.format = PteFormat(arch: arch, config: .live618)
        c.frames = frames
        c.swapSlots = swapSlots
        c.checkAfterEachOperation = true
        return c
    }
}

let page: UInt64 = 4096
let kib64: UInt64 = 64 << 10
let mib2: UInt64 = 2 << 20

extension World {
    /// One character per page of [addr, addr + n pages) of `pid`:
    ///   `.` nothing mapped        `z` zero page (small or huge)
    ///   `W` writable (AE)         `A` read-only, AnonExclusive
    ///   `r` read-only, shared (¬AE)
    ///   `S` swap entry with the exclusive bit (SX)   `s` swap entry without SX
    func rows(_ pid: Int32, _ addr: UInt64, _ n: Int) throws -> String {
        var out = ""
        for i in 0..<n {
            let st = try pageState(pid, addr + UInt64(i) * page)
            switch st.kind {
            case .none: out += "."
            case .present:
                let pte = st.pmdMapped ? fmt.pteOfPmd(st.entry) : Pte(st.entry)
                if st.zeroPage { out += "z" }
                else if fmt.isWrite(pte) { out += "W" }
                else { out += st.anonExclusive ? "A" : "r" }
            case .swap: out += st.swapExclusive ? "S" : "s"
            default: out += "?"
            }
        }
        return out
    }

    /// Whether the entry mapping `addr` in `pid` is writable.
    func writable(_ pid: Int32, _ addr: UInt64) throws -> Bool {
        let st = try pageState(pid, addr)
        return st.kind == .present && fmt.isWrite(st.pmdMapped ? fmt.pteOfPmd(st.entry) : Pte(st.entry))
    }

    /// The spec §8 invariants and the encoding rules over the whole world, as
    /// the library checker reports them (`check()`, the full audit), followed
    /// by whatever check-after-each-operation recorded since the world was
    /// made (`violations`; on in every world built from `WorldConfig.small`).
    /// Empty when all hold. INV-1 is checked as an equality: the model has no
    /// holders of references besides mappings, the swap cache and pins.
    func invariantViolations() -> [String] {
        (check() + violations).map(\.description)
    }
}

/// A comparable snapshot of everything `pageState` shows for a range, the free
/// frame and slot counts, and every process's counters: "the world unchanged".
struct WorldSnapshot: Equatable {
    var pages: [PageState]
    var freeFrames: Int
    var freeSlots: Int
    var counters: [FaultCounters]

    init(_ w: World, _ pid: Int32, _ addr: UInt64, pages n: Int) throws {
        pages = try (0..<n).map { try w.pageState(pid, addr + UInt64($0) * page) }
        freeFrames = w.frames.freeFrames
        freeSlots = w.swap.freeSlots
        counters = w.processes.map(\.counters)
    }
}

extension World {
    /// `[minor, major]` of `pid` (getrusage's view, spec §7.1).
    func faults(_ pid: Int32) throws -> [UInt64] {
        let c = try counters(pid)
        return [c.minor, c.major]
    }

    /// The PFN mapping `addr` in `pid` (0 when not present).
    func pfn(_ pid: Int32, _ addr: UInt64) throws -> UInt64 { try pageState(pid, addr).pfn }
}

/// `[minor, major]` taken between two readings.
func delta(_ after: [UInt64], _ before: [UInt64]) -> [UInt64] { [after[0] - before[0], after[1] - before[1]] }
