/// Randomized exploration (issue 5 item 4): seeded random operation sequences
/// over a small world, the incremental checker (`checkTouched`) after every
/// step. A run that breaks a rule is shrunk (Shrink.swift) to a short sequence
/// and written in the scenario language, ending in `expect violation RULE`, so
/// that `mmm run` replays it.
///
/// Every operation is one the scenario language can say, acting the way
/// `ScenarioRunner` acts on its world (the same `World` calls with the same
/// arguments), so a written scenario replays the explored run exactly. Other
/// processes act through the language's fork blocks: a child's block is
/// `pause`, op, `pause`, op, …, and the first process says `resume NAME`
/// before each operation of the child. The first process never exits (it
/// drives the others). Operations that fail in the model (a SIGSEGV, out of
/// memory) are kept; they are written with `try`, which lets a run go on.
///
/// Determinism: one `SplitMix64` stream per run, seeded with `seed + run`, so
/// `--seed S --runs 1` with the seed a finding names repeats that run exactly.

/// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit state advanced by a Weyl
/// constant and mixed; the same seed gives the same stream on every platform.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (n ≥ 1, below 2^32): the high 32 bits scaled.
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(n)) >> 32)
    }

    /// True with probability `percent` / 100.
    @inline(__always)
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// One operation of an explored sequence, in a form that stays meaningful
/// when other operations are removed: processes and mappings are named by the
/// operation that created them, not by position.
public struct ExploreOp: Hashable, Sendable {
    public enum Kind: UInt8, Sendable {
        case map, read, write, readwrite, madvise, mprotect, munmap, pin, unpin, fork, exit
        /// `uffd register wp …` (arg: `UffdFeatures.rawValue`), `uffd
        /// unregister`, `uffd protect` / `unprotect` (arg 1 / 0).
        case uffdRegister, uffdUnregister, uffdProtect
        /// `clear-refs soft-dirty` (no range).
        case clearRefs
        /// `reclaim PAGES` (`World.reclaim`).
        case reclaim
        /// `mremap M[…] N pages maymove` of a whole mapping (`count` its
        /// pages, `arg` the new page count).
        case mremap
    }
    public var kind: Kind
    /// The acting process: 0 is the first; k > 0 the child the fork op with
    /// `target` k created.
    public var proc: Int32
    /// map: the new mapping's id; fork: the new child's id; otherwise the
    /// mapping acted on.
    public var target: Int32
    /// First page and page count of the range (map: `count` is the size).
    public var first: Int32
    public var count: Int32
    /// write / readwrite: the byte; madvise: `MadviseAdvice.rawValue`;
    /// mprotect: `Protection.rawValue`; pin: 1 for read-write; uffd register:
    /// features; uffd protect: 1 to protect; mremap: the new page count; map: options
    /// (bits 0-1 advice: 1 hugepage, 2 nohugepage; bits 2-3 protection: 1 ro,
    /// 2 none; bit 4 `align 64K`).
    public var arg: UInt32

    public init(kind: Kind, proc: Int32, target: Int32 = 0, first: Int32 = 0, count: Int32 = 0, arg: UInt32 = 0) {
        self.kind = kind
        self.proc = proc
        self.target = target
        self.first = first
        self.count = count
        self.arg = arg
    }
}

/// What to explore.
public struct ExploreConfig: Sendable {
    /// Run r uses the seed `seed &+ r`.
    public var seed: UInt64 = 1
    public var runs = 100
    /// Operations per run.
    public var steps = 200
    /// Pages all mappings of a run may have together (≤ 64 keeps the world small).
    public var pages = 64
    /// Run the checker after every operation (off only to measure its cost).
    public var check = true
    /// Test-only: rules the worlds break on purpose (`InjectedFaults`).
    @_spi(Testing) public var faults: InjectedFaults = []
    public init() {}
}

/// A run that broke a rule: its header, its operations up to and including
/// the one after which the checker reported `violation`.
public struct ExploreRun: Sendable {
    public var seed: UInt64
    public var header: ScenarioHeader
    public var ops: [ExploreOp]
    public var violation: Violation
    @_spi(Testing) public var faults: InjectedFaults = []
}

/// The result of `Explorer.search`.
public struct ExploreSearch: Sendable {
    /// Runs done (up to and including the one that found a violation).
    public var runs = 0
    /// Operations executed and checked, over all runs.
    public var ops = 0
    public var found: ExploreRun? = nil
}

/// The exploration driver; `Explorer.search` explores, `Explorer.shrink` (Shrink.swift) minimizes.
public enum Explorer {
    /// Runs `config.runs` seeded runs of `config.steps` operations each, the
    /// checker after every operation; stops at the first run that breaks a rule.
    public static func search(_ config: ExploreConfig) -> ExploreSearch {
        var out = ExploreSearch()
        var ops: [ExploreOp] = []
        ops.reserveCapacity(config.steps)
        for r in 0..<max(0, config.runs) {
            let seed = config.seed &+ UInt64(r)
            out.runs += 1
            let (n, v, header) = explore(seed: seed, steps: config.steps, pages: config.pages, check: config.check,
                                         faults: config.faults, into: &ops)
            out.ops += n
            if let v {
                out.found = ExploreRun(seed: seed, header: header, ops: ops, violation: v, faults: config.faults)
                return out
            }
        }
        return out
    }

    /// One run: the operations executed (recorded in `ops`), the first
    /// violation, and the header of its world.
    static func explore(seed: UInt64, steps: Int, pages: Int, check: Bool, faults: InjectedFaults,
                        into ops: inout [ExploreOp]) -> (Int, Violation?, ScenarioHeader) {
        ops.removeAll(keepingCapacity: true)
        var rng = SplitMix64(seed: seed)
        let header = randomHeader(&rng)
        var m = ExploreMachine(header, faults: faults, check: check)
        var gen = ExploreGenerator(budget: max(1, min(pages, 1 << 16)))
        var done = 0, skipped = 0
        while done < steps && skipped < 1000 {
            let op = gen.next(&rng, m)
            let outcome = m.apply(op)
            if outcome == .skipped { skipped += 1; continue }
            done += 1
            skipped = 0
            ops.append(op)
            gen.applied(op, outcome, m)
            if check, let v = m.firstViolation() { return (done, v, header) }
        }
        return (done, nil, header)
    }

    /// A small machine: 1024 frames and swap slots, a random architecture,
    /// mTHP sizes (16K / 32K / 64K) set at random, either swap device kind
    /// and page-cluster 0...3.
    static func randomHeader(_ rng: inout SplitMix64) -> ScenarioHeader {
        var h = ScenarioHeader()
        h.arch = rng.chance(50) ? .x86_64 : .arm64
        h.thp = [THPSetting.madvise, .always, .never][rng.below(3)]
        for order in 2...4 { h.thpOrders[order] = [THPSetting.never, .always, .madvise, .inherit][rng.below(4)] }
        h.swapDevice = rng.chance(70) ? .synchronous : .asynchronous
        h.pageCluster = rng.below(4)
        h.softDirty = h.arch == .x86_64 && rng.chance(30)      // CONFIG_MEM_SOFT_DIRTY: x86-64 only
        h.ksmZeroPages = rng.chance(30)
        h.frames = 1024
        h.swapSlots = 1024 + 1
        return h
    }
}

// MARK: - The machine: a world and the scenario runner's view of it

/// A world plus what `ScenarioRunner` keeps beside it: per process its
/// mappings (inherited at fork) and its pins. `apply` does what the runner's
/// statement does.
struct ExploreMachine {
    struct Mapping {
        var id: Int32
        var start: UInt64
        var pages: Int32
    }
    struct Proc {
        var id: Int32
        var pid: Int32
        var live = true
        var maps: [Mapping] = []
        /// (first address, length, pin id), in pinning order.
        var pins: [(UInt64, UInt64, Int32)] = []
    }
    enum Outcome { case done, failed, skipped }

    var world: World
    var procs: [Proc] = []

    init(_ header: ScenarioHeader, faults: InjectedFaults, check: Bool = true) {
        // A header built by the explorer or shrinker is within WorldConfig's limits.
        world = try! World(header.worldConfig)
        world.injectedFaults = faults
        world.tracksTouched = check
        let pid = world.createProcess()
        procs.append(Proc(id: 0, pid: pid))
        if check { _ = world.checkTouched() }
    }

    func procIndex(_ id: Int32) -> Int? {
        for i in procs.indices where procs[i].id == id { return procs[i].live ? i : nil }
        return nil
    }

    func mapping(_ p: Int, _ id: Int32) -> Mapping? {
        for m in procs[p].maps where m.id == id { return m }
        return nil
    }

    /// The first violation the incremental checker finds since the last call.
    mutating func firstViolation() -> Violation? {
        let vs = world.checkTouched()
        return vs.first
    }

    /// Applies `op` as the scenario runner would; `.skipped` (nothing done)
    /// when the op makes no sense here: its process or mapping does not exist
    /// (an op that created it was removed), its range leaves the mapping, an
    /// unpin names no pin, a fork fails (fork changes nothing when it fails).
    mutating func apply(_ op: ExploreOp) -> Outcome {
        guard let p = procIndex(op.proc) else { return .skipped }
        let pid = procs[p].pid
        if op.kind == .map {
            if mapping(p, op.target) != nil { return .skipped }
            let len = UInt64(op.count) * VA.pageSize
            let advice = op.arg & 3, prot = (op.arg >> 2) & 3
            do throws(MMMError) {
                let start = try world.mmap(pid, length: len, align: op.arg & 16 != 0 ? 0x10000 : 0,
                                           read: prot != 2, write: prot == 0)
                if advice != 0 { try world.madvise(pid, start, len, advice == 1 ? .hugepage : .nohugepage) }
                procs[p].maps.append(Mapping(id: op.target, start: start, pages: op.count))
                return .done
            } catch {
                return .skipped
            }
        }
        if op.kind == .fork {
            if procs.contains(where: { $0.id == op.target }) { return .skipped }
            guard let child = try? world.fork(pid) else { return .skipped }
            procs.append(Proc(id: op.target, pid: child, maps: procs[p].maps))
            return .done
        }
        if op.kind == .exit {
            guard p != 0 else { return .skipped }
            do throws(MMMError) { try world.exit(pid) } catch { return .failed }
            procs[p].live = false
            return .done
        }
        if op.kind == .clearRefs {
            do throws(MMMError) { try world.clearRefsSoftDirty(pid) } catch { return .failed }
            return .done
        }
        if op.kind == .mremap {
            // A whole mapping, as the runner's mremap without `as NAME` keeps its name.
            guard let mi = procs[p].maps.firstIndex(where: { $0.id == op.target }), op.first == 0,
                  op.count == procs[p].maps[mi].pages, op.arg >= 1, op.arg <= 64 else { return .skipped }
            let m = procs[p].maps[mi]
            do throws(MMMError) {
                let to = try world.mremap(pid, m.start, oldLength: UInt64(m.pages) * VA.pageSize,
                                          newLength: UInt64(op.arg) * VA.pageSize, flags: .mayMove, newAddress: 0)
                procs[p].maps[mi].start = to
                procs[p].maps[mi].pages = Int32(op.arg)
            } catch {
                return .failed
            }
            return .done
        }
        guard let m = mapping(p, op.target), op.first >= 0, op.count >= 1, op.first + op.count <= m.pages else {
            return .skipped
        }
        let a = m.start + UInt64(op.first) * VA.pageSize
        let len = UInt64(op.count) * VA.pageSize
        do throws(MMMError) {
            switch op.kind {
            case .read: try world.access(pid, a, len, read: true, write: false, value: 0)
            case .write: try world.access(pid, a, len, read: false, write: true, value: UInt64(op.arg))
            case .readwrite: try world.access(pid, a, len, read: true, write: true, value: UInt64(op.arg))
            case .madvise:
                guard let adv = MadviseAdvice(rawValue: op.arg) else { return .skipped }
                if adv == .collapse { try world.collapse(pid, a, len) }     // the runner's `collapse` line
                else { try world.madvise(pid, a, len, adv) }
            case .uffdRegister:
                guard op.arg & ~UffdFeatures.all.rawValue == 0 else { return .skipped }
                try world.uffdRegisterWP(pid, a, len, features: UffdFeatures(rawValue: op.arg))
            case .uffdUnregister: try world.uffdUnregister(pid, a, len)
            case .uffdProtect: try world.uffdWriteProtect(pid, a, len, protect: op.arg != 0)
            case .reclaim: try world.reclaim(pid, a, len)
            case .mprotect:
                guard let prot = Protection(rawValue: op.arg) else { return .skipped }
                try world.mprotect(pid, a, len, prot)
            case .munmap: try world.munmap(pid, a, len)
            case .pin:
                let id = try world.pin(pid, a, len, write: op.arg != 0)
                procs[p].pins.append((a, len, id))
            case .unpin:
                guard let k = procs[p].pins.lastIndex(where: { $0.0 == a && $0.1 == len }) else { return .skipped }
                try world.unpin(procs[p].pins[k].2)
                procs[p].pins.remove(at: k)
            case .map, .fork, .exit, .clearRefs, .mremap: preconditionFailure("handled above")
            }
        } catch {
            return .failed
        }
        return .done
    }
}

// MARK: - The generator

/// Picks the next operation from the machine's state: a live process, one of
/// its mappings, a range in it (mostly one page, sometimes a few, sometimes
/// all), arguments that are mostly valid. Invalid operations come from the
/// state: pages unmapped or protected, mappings not copied at fork.
struct ExploreGenerator {
    var budget: Int
    var nextProc: Int32 = 1
    var nextMap: Int32 = 0
    static let maxLive = 4
    static let maxForks = 12

    init(budget: Int) { self.budget = budget }

    mutating func next(_ rng: inout SplitMix64, _ m: ExploreMachine) -> ExploreOp {
        // The acting process: any live one.
        var live = 0
        for p in m.procs where p.live { live += 1 }
        var k = rng.below(live)
        var p = 0
        for i in m.procs.indices where m.procs[i].live {
            if k == 0 { p = i; break }
            k -= 1
        }
        let proc = m.procs[p].id
        let maps = m.procs[p].maps
        let roll = rng.below(100)
        if budget > 0 && (maps.isEmpty || roll < 5) { return mapOp(&rng, proc) }
        if maps.isEmpty && p != 0 { return ExploreOp(kind: .exit, proc: proc) }
        if roll < 10 {
            if live < ExploreGenerator.maxLive && nextProc <= Int32(ExploreGenerator.maxForks) {
                let op = ExploreOp(kind: .fork, proc: proc, target: nextProc)
                return op
            }
        } else if roll < 13 {
            if p != 0 { return ExploreOp(kind: .exit, proc: proc) }
        } else if roll < 18 {
            let pins = m.procs[p].pins
            if !pins.isEmpty {
                let (a, len, _) = pins[rng.below(pins.count)]
                for mp in maps where a >= mp.start && a < mp.start + UInt64(mp.pages) * VA.pageSize {
                    return ExploreOp(kind: .unpin, proc: proc, target: mp.id,
                                     first: Int32((a - mp.start) >> VA.pageShift), count: Int32(len >> VA.pageShift))
                }
            }
        }
        guard !maps.isEmpty else { return ExploreOp(kind: .fork, proc: proc, target: nextProc) }
        let mp = maps[rng.below(maps.count)]
        var op = ExploreOp(kind: .read, proc: proc, target: mp.id)
        let r = rng.below(100)
        if r < 55 || mp.pages == 1 {
            op.first = Int32(rng.below(Int(mp.pages))); op.count = 1
        } else if r < 85 {
            op.first = Int32(rng.below(Int(mp.pages)))
            op.count = Int32(1 + rng.below(min(8, Int(mp.pages - op.first))))
        } else {
            op.first = 0; op.count = mp.pages
        }
        let w = rng.below(100)
        switch w {
        case 0..<17: op.kind = .write; op.arg = UInt32(1 + rng.below(255))
        case 17..<26: op.kind = .read
        case 26..<34: op.kind = .readwrite; op.arg = UInt32(1 + rng.below(255))
        case 34..<43: op.kind = .madvise; op.arg = MadviseAdvice.pageout.rawValue
        case 43..<46: op.kind = .madvise; op.arg = MadviseAdvice.cold.rawValue
        case 46..<51: op.kind = .madvise; op.arg = MadviseAdvice.dontneed.rawValue
        case 51..<56:
            op.kind = .madvise
            op.arg = (rng.chance(50) ? MadviseAdvice.populateRead : .populateWrite).rawValue
        case 56..<62:
            op.kind = .madvise
            let flags: [MadviseAdvice] = [.hugepage, .nohugepage, .dontfork, .dofork, .wipeonfork, .keeponfork,
                                          .mergeable, .unmergeable]          // ksm merge / ksm unmerge
            op.arg = flags[rng.below(flags.count)].rawValue
        case 62..<68:
            op.kind = .mprotect
            let r = rng.below(10)
            op.arg = (r < 2 ? Protection.none : r < 5 ? .read : .readWrite).rawValue
        case 68..<70: op.kind = .munmap
        case 70..<74: op.kind = .pin; op.arg = rng.chance(50) ? 1 : 0
        case 74..<78: op.kind = .madvise; op.arg = MadviseAdvice.free.rawValue
        case 78..<80: op.kind = .madvise; op.arg = MadviseAdvice.collapse.rawValue
        case 80..<84: op.kind = .reclaim
        case 84..<87:
            // mremap of the whole mapping to a new size, within the page budget.
            op.kind = .mremap
            op.first = 0
            op.count = mp.pages
            op.arg = UInt32(1 + rng.below(min(16, Int(mp.pages) + max(0, budget))))
        case 87..<91:
            op.kind = .uffdRegister
            let f = rng.below(8)
            op.arg = UInt32(f)               // any of fork-event, unpopulated, async
        case 91..<96: op.kind = .uffdProtect; op.arg = rng.chance(70) ? 1 : 0
        case 96..<98: op.kind = .uffdUnregister
        default:
            if m.world.fmt.config.contains(.softDirty) {
                op = ExploreOp(kind: .clearRefs, proc: proc)
            } else {
                op.kind = .read
            }
        }
        return op
    }

    mutating func mapOp(_ rng: inout SplitMix64, _ proc: Int32) -> ExploreOp {
        let pages = 1 + rng.below(min(16, budget))
        var arg: UInt32 = 0
        let a = rng.below(10)
        if a < 2 { arg |= 1 } else if a < 3 { arg |= 2 }
        let p = rng.below(20)
        if p < 2 { arg |= 1 << 2 } else if p < 3 { arg |= 2 << 2 }
        if rng.chance(25) { arg |= 16 }
        return ExploreOp(kind: .map, proc: proc, target: nextMap, count: Int32(pages), arg: arg)
    }

    /// Bookkeeping after an op took effect (ids of created things, the budget).
    mutating func applied(_ op: ExploreOp, _ outcome: ExploreMachine.Outcome, _ m: ExploreMachine) {
        switch op.kind {
        case .map: nextMap += 1; budget -= Int(op.count)
        case .fork: nextProc += 1
        case .mremap where outcome == .done: budget -= Int(op.arg) - Int(op.count)
        default: break
        }
    }
}
