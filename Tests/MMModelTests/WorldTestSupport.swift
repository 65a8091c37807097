@testable import MMModel

// Helpers shared by the World*Tests files: small worlds, a one-character-per-page
// picture of a range (style.md §2.1, §6.5), and a checker of the spec's §8
// invariants. The checker counts what the page tables show and compares it with
// the folio and swap state; it never re-runs a kernel path.

extension WorldConfig {
    /// A small world (16 MiB of frames, 16 MiB of swap) for tests: fast to build.
    static func small(arch: Arch = .x86_64, frames: Int = 4096, swapSlots: Int = 4096) -> WorldConfig {
        var c = WorldConfig()
        c.format = PteFormat(arch: arch, config: .live618)
        c.frames = frames
        c.swapSlots = swapSlots
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

    /// The spec §8 invariants over the whole world (INV-1, -2, -3, -4, -6, -7,
    /// -8, -9, -10, -11, -12, -17, -19), as messages naming the invariant; empty
    /// when all hold. INV-1 is checked as an equality: the model has no holders
    /// of references besides mappings, the swap cache and pins.
    func invariantViolations() -> [String] {
        var out: [String] = []
        var pteMaps: [Int32: Int32] = [:]          // frame → PTE mappings
        var pmdMaps: [Int32: Int32] = [:]          // head → PMD mappings
        var mmMaps: [Int32: [Int32: Int32]] = [:]  // head → mm id → mappings
        var swapRefs: [Int: UInt32] = [:]
        var sxSlots: [Int] = []
        var hugeZero = 0
        for (pi, proc) in processes.enumerated() where !proc.exited {
            var anon: Int64 = 0, swp: Int64 = 0
            var seenPmds = Set<Int>()
            for v in proc.vmas {
                var a = v.start
                while a < v.end {
                    defer { a += VA.pageSize }
                    if let ps = pmdSlot(pi, a), fmt.pmdIsLeaf(tables.words[ps]) {
                        guard seenPmds.insert(ps).inserted else { continue }
                        let pte = fmt.pteOfPmd(tables.words[ps])
                        let pfn = fmt.pfn(pte)
                        if isZeroPfn(pfn) {
                            hugeZero += 1
                            if fmt.isWrite(pte) { out.append("INV-12 pid \(proc.pid) \(hex0x(a)): writable huge zero PMD") }
                            continue
                        }
                        guard let f = frames.frame(ofPfn: pfn) else { out.append("PMD maps no frame at \(hex0x(a))"); continue }
                        let h = frames.head(f)
                        pmdMaps[h, default: 0] += 1
                        mmMaps[h, default: [:]][proc.mmId, default: 0] += 1
                        anon += Int64(frames.nr(h))
                        if fmt.isWrite(pte) && !(frames.ae(h) && v.flags.contains(.write)) {
                            out.append("INV-2 pid \(proc.pid) \(hex0x(a)): writable PMD of a non-AE folio")
                        }
                        continue
                    }
                    let pte = pteValue(pi, a)
                    switch fmt.kind(of: pte) {
                    case .none: break
                    case .present:
                        guard let f = normalFrame(pte) else {
                            if !isZeroPfn(fmt.pfn(pte)) { out.append("present PTE maps no frame at \(hex0x(a))") }
                            if fmt.isWrite(pte) { out.append("INV-12 pid \(proc.pid) \(hex0x(a)): writable zero page") }
                            break
                        }
                        guard frames.isAllocated(f) else { out.append("pid \(proc.pid) \(hex0x(a)) maps a free frame"); break }
                        pteMaps[f, default: 0] += 1
                        mmMaps[frames.head(f), default: [:]][proc.mmId, default: 0] += 1
                        anon += 1
                        if fmt.isWrite(pte) && !(frames.ae(f) && v.flags.contains(.write)) {
                            out.append("INV-2 pid \(proc.pid) \(hex0x(a)): writable PTE of a non-AE page")
                        }
                    case .swap:
                        let s = Int(fmt.archSwpOffset(pte))
                        swapRefs[s, default: 0] += 1
                        if fmt.swpTest(pte, .exclusive) { sxSlots.append(s) }
                        swp += 1
                    default:
                        out.append("unexpected PTE kind at \(hex0x(a))")
                    }
                }
            }
            if anon != proc.rssAnon { out.append("INV-17 pid \(proc.pid): MM_ANONPAGES \(proc.rssAnon), mapped \(anon)") }
            if swp != proc.rssSwap { out.append("INV-17 pid \(proc.pid): MM_SWAPENTS \(proc.rssSwap), swap PTEs \(swp)") }
        }
        if hugeZero != hugeZeroMappings { out.append("huge zero PMDs \(hugeZero), counted \(hugeZeroMappings)") }

        // Pins: weight per folio head and pinned pages per large folio.
        var pinWeight: [Int32: Int32] = [:]
        var pinned: [Int32: Int32] = [:]
        for (_, pin) in pins {
            for f in pin.frames {
                let h = frames.head(f)
                pinWeight[h, default: 0] += frames.order(h) > 0 ? 1 : 1024
                if frames.order(h) > 0 { pinned[h, default: 0] += 1 }
                let ae = frames.mapcount[Int(f)] > 0 ? frames.ae(f) : frames.ae(h)
                if pageMapcount(f) > 0 && !ae { out.append("INV-19 pinned page \(hex0x(frames.pfn(f))) mapped but not AE") }
            }
        }

        var f: Int32 = 0
        while Int(f) < frames.count {
            guard frames.isAllocated(f) else {
                if pteMaps[f] != nil { out.append("mapped free frame \(hex0x(frames.pfn(f)))") }
                f += 1
                continue
            }
            let h = f
            let n = frames.nr(h)
            defer { f += Int32(n) }
            let fl = frames.flags(h)
            let sc = fl.contains(.swapCache)
            let name = "folio \(hex0x(frames.pfn(h)))"
            var sum: Int32 = 0
            for i in 0..<n {
                let pg = Int32(Int(h) + i)
                let want = pteMaps[pg] ?? 0
                if frames.mapcount[Int(pg)] != want {
                    out.append("INV-6 \(name)+\(i): mapcount \(frames.mapcount[Int(pg)]), PTEs \(want)")
                }
                sum += want
                if frames.ae(pg) {
                    let mapped = n > 1 ? pageMapcount(pg) : frames.mapcount[Int(pg)]
                    if mapped > 1 { out.append("INV-3 \(name)+\(i): AE with \(mapped) mappings") }
                    if !fl.contains(.anon) || fl.contains(.ksm) { out.append("INV-4 \(name)+\(i): AE on a non-anon page") }
                    if sc, let cs = frames.swapCacheSlot[h], swap.count[Int(cs) + i] > 0 {
                        out.append("INV-8 \(name)+\(i): AE while swap PTEs name its slot")
                    }
                }
            }
            let emap = pmdMaps[h] ?? 0
            if n > 1 {
                let l = frames.large[h] ?? LargeFolioState()
                if l.emap != emap { out.append("INV-6 \(name): emap \(l.emap), PMDs \(emap)") }
                if l.lmap != sum + emap { out.append("INV-6 \(name): lmap \(l.lmap), mappings \(sum + emap)") }
                if l.pincount != pinned[h] ?? 0 { out.append("R-PIN-1 \(name): pincount \(l.pincount), pinned pages \(pinned[h] ?? 0)") }
                let owners = mmMaps[h] ?? [:]
                for (id, cnt) in [(l.id0, l.cnt0), (l.id1, l.cnt1)] {
                    if id == 0 && cnt != 0 { out.append("INV-7 \(name): empty slot with count \(cnt)") }
                    if id != 0 && owners[id] ?? 0 != cnt { out.append("INV-7 \(name): slot mm \(id) count \(cnt), maps \(owners[id] ?? 0)") }
                }
                if owners.count > 1 && !l.shared { out.append("INV-7 \(name): mapped by \(owners.count) MMs, not shared") }
                if !l.shared && l.lmap >= 1 && owners.count == 1 && l.cnt0 != l.lmap && l.cnt1 != l.lmap {
                    out.append("INV-7 \(name): not shared but no slot holds all mappings")
                }
            } else if emap != 0 {
                out.append("INV-6 \(name): small folio mapped by a PMD")
            }
            let expectRef = sum + emap + (sc ? Int32(n) : 0) + (pinWeight[h] ?? 0)
            if frames.ref[Int(h)] <= 0 { out.append("\(name): allocated with refcount \(frames.ref[Int(h)]) (leaked)") }
            if frames.ref[Int(h)] != expectRef {
                out.append("INV-1 \(name): ref \(frames.ref[Int(h)]), mappings+cache+pins \(expectRef)")
            }
            if sc {
                if !fl.contains(.anon) || !fl.contains(.swapBacked) { out.append("INV-11 \(name): swap cache, not anon swap-backed") }
                if let cs = frames.swapCacheSlot[h] {
                    for i in 0..<n where swap.cache[Int(cs) + i] != h {
                        out.append("INV-10 \(name): slot \(Int(cs) + i) does not name it")
                    }
                } else {
                    out.append("INV-10 \(name): swap cache flag without slot")
                }
            }
        }

        for s in 1..<swap.slots {
            let refs = swapRefs[s] ?? 0
            if swap.count[s] != refs { out.append("INV-10 slot \(s): swcount \(swap.count[s]), swap PTEs \(refs)") }
            let c = swap.cache[s]
            if c >= 0 && (!frames.isAllocated(c) || frames.swapCacheSlot[c].map({ Int($0) > s || Int($0) + frames.nr(c) <= s }) ?? true) {
                out.append("INV-10 slot \(s): cached by a folio that does not own it")
            }
            if swap.used[s] != (swap.count[s] > 0 || c >= 0) {
                out.append("INV-10 slot \(s): used \(swap.used[s]), count \(swap.count[s]), cached \(c >= 0)")
            }
        }
        for s in sxSlots {
            if swap.count[s] != 1 { out.append("INV-9 slot \(s): SX with swcount \(swap.count[s])") }
            if let h = swap.cachedFolio(s), let cs = frames.swapCacheSlot[h],
               pageMapcount(Int32(Int(h) + s - Int(cs))) > 0 {
                out.append("INV-9 slot \(s): SX but its cached page is mapped")
            }
        }
        return out
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
