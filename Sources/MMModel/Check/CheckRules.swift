/// The checker's rules, one function per thing checked: an entry, a folio, a
/// swap slot. Both the full audit (`check`) and the incremental one
/// (`checkTouched`) call them, so the two modes cannot disagree on a rule;
/// they differ only in how the mappings are counted (a scan of every page
/// table, or rmap walks over what changed). Every function here reads the
/// world and never changes it. Spec: semantics §8, encoding §1-§4.

/// What one entry maps, for counting: only mappings and swap PTEs at their
/// linear address inside a VMA count, as those are what the rmap finds.
enum EntryTarget {
    case nothing
    case page(Int32)
    case pmd(Int32)
    case slot(Int, exclusive: Bool)
    case hugeZero
}

/// Mappings of one folio: per-page PTE mappings, PMD mappings, and per-MM
/// mapping counts (large folios only): the first `mmN` of `mms`, each MM once,
/// every count positive.
struct FolioMappings {
    var ptes: [Int32]
    var offset: Int
    var pmds: Int32
    var mms: [MMCount] = []
    var mmN = 0

    init(ptes: [Int32], offset: Int, pmds: Int32, mms: [Int32: Int32]) {
        self.ptes = ptes; self.offset = offset; self.pmds = pmds
        for (id, n) in mms where n != 0 { self.mms.append(MMCount(id: id, count: n)) }
        mmN = self.mms.count
    }

    init(ptes: [Int32], offset: Int, pmds: Int32, mms: [MMCount], mmN: Int) {
        self.ptes = ptes; self.offset = offset; self.pmds = pmds; self.mms = mms; self.mmN = mmN
    }

    /// The mappings by MM `id`.
    func mms(_ id: Int32) -> Int32 {
        for k in 0..<mmN where mms[k].id == id { return mms[k].count }
        return 0
    }
}

struct MMCount: Sendable {
    var id: Int32
    var count: Int32
}

/// What the entry checks need of the format, computed once per check: the
/// attribute bits of a present value (`decode(_:).attrs`, which depend on the
/// value only through its valid bit) and the attributes of the VMA's base
/// protection (`baseProt` has two values: accessible or not).
struct EntryCheckConsts {
    var maskValid: UInt64
    var maskInvalid: UInt64
    var wantAccessible: UInt64
    var wantNone: UInt64
    var swpStray: UInt64

    @inline(__always) func attrs(_ raw: UInt64) -> UInt64 { raw & (raw & 1 != 0 ? maskValid : maskInvalid) }
    @inline(__always) func want(_ flags: VMFlags) -> UInt64 {
        flags.isDisjoint(with: [.read, .write]) ? wantNone : wantAccessible
    }
}

/// A process's VMAs as sorted address ranges, with a one-entry cache of the
/// last one found (entries come in address order).
struct VMALookup {
    var starts: [UInt64] = []
    var ends: [UInt64] = []
    var flags: [VMFlags] = []
    /// `VMA.pgoffShift` by VMA (mremap).
    var shifts: [Int64] = []
    var last = -1

    init(_ vmas: [VMA]) {
        starts.reserveCapacity(vmas.count); ends.reserveCapacity(vmas.count); flags.reserveCapacity(vmas.count)
        shifts.reserveCapacity(vmas.count)
        for v in vmas { starts.append(v.start); ends.append(v.end); flags.append(v.flags); shifts.append(v.pgoffShift) }
    }

    /// `Process.vmaIndex`.
    @inline(__always) mutating func find(_ a: UInt64) -> Int? {
        if last >= 0 && a >= starts[last] && a < ends[last] { return last }
        var lo = 0, hi = ends.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ends[mid] <= a { lo = mid + 1 } else { hi = mid }
        }
        guard lo < ends.count && a >= starts[lo] && a < ends[lo] else { return nil }
        last = lo
        return lo
    }
}

/// Pins by frame (R-PIN-1), from the pin table. A folio's pin weight (what
/// its pins add to its refcount: 1 per pin on a large folio, 1024 on a small
/// one) and its pincount come from the pins on its pages (`checkFolio`).
struct PinIndex {
    var pages: [Int32: Int32] = [:]
}

extension World {
    /// `vma_soft_dirty_enabled()`.
    func softDirtyEnabled(_ v: VMA) -> Bool { fmt.config.contains(.softDirty) && !v.flags.contains(.softDirty) }

    /// The pins by frame; `checkFolio` counts those on allocated pages only.
    func pinIndex() -> PinIndex {
        var ix = PinIndex()
        for (_, pin) in pins {
            for f in pin.frames { ix.pages[f, default: 0] += 1 }
        }
        return ix
    }

    /// What an entry value adds to MM_ANONPAGES / MM_SWAPENTS and to the huge
    /// zero page's mappings: a present PTE of a normal page 1, a PMD leaf of a
    /// folio 512, a genuine swap PTE 1 (INV-17); the zero pages nothing.
    @inline(__always)
    func rssContribution(_ v: UInt64, pmd: Bool) -> (anon: Int64, swap: Int64, hugeZero: Int) {
        if v == 0 { return (0, 0, 0) }
        if pmd {
            guard fmt.pmdIsLeaf(v) else { return (0, 0, 0) }
            let pfn = fmt.pfn(fmt.pteOfPmd(v))
            if isZeroPfn(pfn) { return (0, 0, pfn == Frames.hugeZeroPfn ? 1 : 0) }
            return (512, 0, 0)
        }
        let pte = Pte(v)
        switch fmt.kind(of: pte) {
        case .present: return fmt.isSpecial(pte) || isZeroPfn(fmt.pfn(pte)) ? (0, 0, 0) : (1, 0, 0)
        case .swap: return (0, 1, 0)
        default: return (0, 0, 0)
        }
    }

    // MARK: Entries

    func entryCheckConsts() -> EntryCheckConsts {
        EntryCheckConsts(maskValid: fmt.attrsMask(valid: true), maskInvalid: fmt.attrsMask(valid: false),
                         wantAccessible: fmt.decode(baseProt([.read])).attrs, wantNone: fmt.decode(baseProt([])).attrs,
                         swpStray: fmt.swpStrayMask)
    }

    /// Checks one non-none leaf entry of process index `p` (pid `pid`) at `a`
    /// (a PMD's 2 MiB-aligned address when `pmd`), in the VMA with `flags`
    /// (nil: outside every VMA) and `pgoffShift` `shift`, and says what it maps.
    func checkEntry(_ p: Int, _ pid: Int32, _ a: UInt64, _ raw: UInt64, pmd isPmd: Bool, vma: VMFlags?, shift: Int64,
                    _ k: EntryCheckConsts, _ out: inout [Violation]) -> EntryTarget {
        func report(_ rule: CheckRule, _ msg: String, pfn: UInt64? = nil, slot: Int? = nil, _ values: [ViolationValue] = []) {
            var v = Violation(rule, msg)
            v.pid = pid; v.address = a; v.entry = raw; v.pfn = pfn; v.slot = slot; v.values = values
            out.append(v)
        }
        guard let vmaFlags = vma else {
            report(.ptNoVma, isPmd ? "PMD entry outside every VMA" : "PTE outside every VMA")
            return .nothing
        }
        let pte = isPmd ? fmt.pteOfPmd(raw) : Pte(raw)
        switch fmt.kind(of: pte) {
        case .none:
            report(.encStray, "none entry with bits set")
            return .nothing
        case .present:
            return checkPresent(p, a, raw, pte, vmaFlags, shift, isPmd, k, report)
        case .swap:
            if isPmd { report(.encKind, "swap entry in a PMD"); return .nothing }
            if fmt.archSwpType(pte) != 0 {
                report(.encKind, "swap entry of a device the model does not have", [.init("type", Int64(fmt.archSwpType(pte)))])
                return .nothing
            }
            let stray = pte.raw & k.swpStray           // decode(pte).stray of a swap entry
            if stray != 0 { report(.encStray, "swap entry with stray bits", [.init("stray", Int64(bitPattern: stray))]) }
            let slot = Int(fmt.archSwpOffset(pte))
            guard slot > 0, slot < swap.slots, swap.used[slot] else {
                report(.ptFreeSlot, "swap entry names a free slot", slot: slot)
                return .nothing
            }
            if fmt.swpTest(pte, .uffdWp) && !vmaFlags.contains(.uffdWp) {
                report(.inv15, "swap uffd-wp bit outside a VM_UFFD_WP VMA", slot: slot)
            }
            let expected = UInt64(bitPattern: Int64(bitPattern: swap.index[slot]) &- shift) << VA.pageShift
            if let ok = ksmSlotNamedAt(slot, a) {           // a KSM page's slot: where it was mapped
                if !ok {
                    report(.rmapAddr, "swap entry of a KSM page away from where the page was mapped", slot: slot)
                    return .nothing
                }
            } else if expected != a {
                report(.rmapAddr, "swap entry away from its slot's address", slot: slot,
                       [.init("expected", Int64(bitPattern: expected))])
                return .nothing
            }
            return .slot(slot, exclusive: fmt.swpTest(pte, .exclusive))
        case .marker:
            // §6.2: the model creates UFFD_WP markers only (WP_UNPOPULATED), at
            // PTE level, as `make_pte_marker` builds them; they map nothing.
            // One outside a VM_UFFD_WP VMA is tolerated (INV-15: a fault
            // clears it), as in the kernel.
            if isPmd { report(.encKind, "PTE marker in a PMD"); return .nothing }
            if pte.raw != fmt.archSwpEntry(type: PteFormat.markerType, offset: UInt64(PteMarker.uffdWp.rawValue)).raw {
                report(.encKind, "PTE marker other than a bare UFFD_WP marker")
            }
            return .nothing
        default:
            report(.encKind, "entry of a kind the model never creates (\(fmt.kind(of: pte)))")
            return .nothing
        }
    }

    private func checkPresent(_ p: Int, _ a: UInt64, _ raw: UInt64, _ pte: Pte, _ vmaFlags: VMFlags, _ shift: Int64, _ isPmd: Bool,
                              _ k: EntryCheckConsts,
                              _ report: (CheckRule, String, UInt64?, Int?, [ViolationValue]) -> Void) -> EntryTarget {
        let attrs = k.attrs(pte.raw)                  // fmt.decode(pte).attrs
        let want = k.want(vmaFlags)                   // fmt.decode(baseProt(vmaFlags)).attrs
        if attrs != want {
            report(.encStray, "attributes differ from the VMA's protection", nil, nil,
                   [.init("attrs", Int64(bitPattern: attrs)), .init("expected", Int64(bitPattern: want))])
        }
        let pfn = fmt.pfn(pte)
        let write = fmt.isWrite(pte)
        if isZeroPfn(pfn) {
            if isPmd {
                if pfn != Frames.hugeZeroPfn { report(.inv12, "PMD maps a zero page other than the huge zero page", pfn, nil, []) }
            } else if pfn != Frames.zeroPfn {
                report(.inv12, "PTE maps the huge zero page", pfn, nil, [])
            }
            if !fmt.isSpecial(pte) { report(.inv12, "zero-page entry without the special bit", pfn, nil, []) }
            if write { report(.inv12, "writable zero-page entry", pfn, nil, []) }
            return isPmd && pfn == Frames.hugeZeroPfn ? .hugeZero : .nothing
        }
        if fmt.isSpecial(pte) { report(.encKind, "special entry of a normal frame", pfn, nil, []); return .nothing }
        guard let f = frames.frame(ofPfn: pfn) else { report(.ptFreeFrame, "entry maps a PFN outside memory", pfn, nil, []); return .nothing }
        guard frames.isAllocated(f) else { report(.ptFreeFrame, "entry maps a free frame", pfn, nil, []); return .nothing }
        let head = frames.head(f)
        if isPmd && (head != f || frames.order(head) != WorldConfig.pmdOrder) {
            report(.folioGeometry, "PMD maps a frame that is not the head of a PMD-order folio", pfn, nil,
                   [.init("order", Int64(frames.order(head)))])
            return .nothing
        }
        // vma_address(): where the VMA puts the page's linear index.
        let linear = UInt64(bitPattern: Int64(bitPattern: frames.index(head) + UInt64(f - head)) &- shift) << VA.pageShift
        if frames.flags(head).contains(.ksm) && frames.ksm.vpns[head] != nil {   // rmap_walk_ksm's addresses (RmapKsm.swift)
            if !ksmMapsAt(head, a) {
                report(.rmapAddr, "KSM page mapped where it has no rmap_item", pfn, nil, [])
                return .nothing
            }
        } else if linear != a {
            if !isPmd, mappedFrame(p, linear) == f {
                report(.inv22, "anon page mapped twice in one MM", pfn, nil, [.init("at", Int64(bitPattern: linear))])
            } else {
                report(.rmapAddr, "page mapped away from its linear address", pfn, nil,
                       [.init("expected", Int64(bitPattern: linear))])
            }
            return .nothing
        }
        let fl = frames.flags(head)
        if write {
            if !vmaFlags.contains(.write) {
                report(.inv2, "writable entry in a VMA without VM_WRITE", pfn, nil, [])
            } else if fl.contains(.ksm) {
                report(.inv13, "KSM page mapped writable", pfn, nil, [])
            } else if fl.contains(.anon) {
                let mc = isPmd ? folioMapcount(head) : pageMapcount(f)
                if mc > 1 {
                    report(.inv14, "page mapped writable while mapped elsewhere too", pfn, nil, [.init("mapcount", Int64(mc))])
                } else if !frames.ae(isPmd ? head : f) {
                    report(.inv2, "writable entry maps a page that is not AnonExclusive", pfn, nil, [])
                }
            }
            if fmt.isUffdWp(pte) { report(.inv15, "uffd-wp entry is writable", pfn, nil, []) }
            if fmt.config.contains(.softDirty) && !vmaFlags.contains(.softDirty) && !fmt.isSoftDirty(pte) {   // softDirtyEnabled
                report(.inv16, "writable entry not soft-dirty while tracking is on", pfn, nil, [])
            }
        }
        if fmt.isUffdWp(pte) && !vmaFlags.contains(.uffdWp) {
            report(.inv15, "uffd-wp bit outside a VM_UFFD_WP VMA", pfn, nil, [])
        }
        return isPmd ? .pmd(head) : .page(f)
    }

    // MARK: Folios

    /// Checks the allocated folio headed by `h` against its mappings.
    func checkFolio(_ h: Int32, _ m: FolioMappings, _ pins: PinIndex, _ out: inout [Violation]) {
        func report(_ rule: CheckRule, _ msg: String, page: Int = 0, _ values: [ViolationValue] = []) {
            var v = Violation(rule, msg)
            v.pfn = frames.pfn(h) + UInt64(page)
            v.values = values
            out.append(v)
        }
        let n = frames.nr(h)
        let fl = frames.flags(h)
        let sc = fl.contains(.swapCache)
        var sum: Int32 = 0
        var pinned: Int32 = 0           // pins on the folio's pages
        for i in 0..<n {
            let pg = Int32(Int(h) + i)
            let ptes = m.ptes[m.offset + i]
            if frames.mapcount[Int(pg)] != ptes {
                report(.inv6, "page mapcount differs from its PTE mappings", page: i,
                       [.init("mapcount", Int64(frames.mapcount[Int(pg)])), .init("rmap", Int64(ptes))])
            }
            sum += ptes
            let mappings = ptes + m.pmds
            if frames.ae(pg) {
                if mappings > 1 { report(.inv3, "AnonExclusive page with several mappings", page: i, [.init("mappings", Int64(mappings))]) }
                if !fl.contains(.anon) || fl.contains(.ksm) { report(.inv4, "AnonExclusive on a page that is not plain anon", page: i) }
                if sc, let cs = frames.swapCacheSlot[h], Int(cs) + i < swap.slots, swap.count[Int(cs) + i] > 0 {
                    report(.inv8, "AnonExclusive swap-cache page while swap PTEs name its slot", page: i,
                           [.init("swcount", Int64(swap.count[Int(cs) + i]))])
                }
            }
            if !pins.pages.isEmpty, frames.isAllocated(pg), let pc = pins.pages[pg] {
                pinned += pc
                if mappings > 0 && fl.contains(.anon) {
                    let ae = ptes == 0 ? frames.ae(h) : frames.ae(pg)       // a PMD mapping: the head speaks
                    if !ae { report(.inv19, "pinned page mapped but not AnonExclusive", page: i) }
                }
            }
        }
        if n > 1 {
            let l = frames.large[h] ?? LargeFolioState()
            if l.emap != m.pmds { report(.inv6, "entire mapcount differs from PMD mappings", [.init("emap", Int64(l.emap)), .init("rmap", Int64(m.pmds))]) }
            if l.lmap != sum + m.pmds {
                report(.inv6, "large mapcount differs from mappings", [.init("lmap", Int64(l.lmap)), .init("rmap", Int64(sum + m.pmds))])
            }
            if l.pincount != pinned { report(.pinCount, "pincount differs from the pins on its pages", [.init("pincount", Int64(l.pincount)), .init("pins", Int64(pinned))]) }
            for (id, cnt) in [(l.id0, l.cnt0), (l.id1, l.cnt1)] {
                if id == 0 && cnt != 0 { report(.inv7, "empty MM slot with a count", [.init("count", Int64(cnt))]) }
                // A slot counts the MM's mappings added since it took the
                // slot: mappings made while both slots were taken stay
                // uncounted (folio_sub_return_large_mapcount: "some mappings
                // added when no slot was free, some ... once a slot was
                // free"), and taking the slot then set the shared bit, which
                // stays while the slot counts fewer than the MM maps.
                if id != 0 && (cnt > m.mms(id) || (cnt < m.mms(id) && !l.shared)) {
                    report(.inv7, cnt > m.mms(id) ? "MM slot count exceeds the MM's mappings"
                                                  : "MM slot count below the MM's mappings, but not marked shared",
                           [.init("mm", Int64(id)), .init("count", Int64(cnt)), .init("rmap", Int64(m.mms(id)))])
                }
            }
            if l.cnt0 + l.cnt1 > l.lmap { report(.inv7, "MM slot counts exceed the large mapcount") }
            if m.mmN > 1 && !l.shared { report(.inv7, "mapped by several MMs but not marked shared", [.init("mms", Int64(m.mmN))]) }
            if !l.shared && l.lmap >= 1 && l.cnt0 != l.lmap && l.cnt1 != l.lmap { report(.inv7, "not shared, but no MM slot holds every mapping") }
            // The index of a folio allocated in a VMA mremap moved to a
            // misaligned address is misaligned (thp_vma_suitable_order() does
            // not look at vm_pgoff of anonymous VMAs): the rule holds until
            // the first mremap move.
            if !vmasMoved && frames.index(h) % UInt64(n) != 0 {
                report(.folioGeometry, "large folio's index not aligned to its size", [.init("index", Int64(frames.index(h)))])
            }
            if fl.contains(.ksm) { report(.inv13, "large KSM folio", [.init("order", Int64(frames.order(h)))]) }
        }
        let ref = frames.ref[Int(h)]
        let expect = sum + m.pmds + (sc ? Int32(n) : 0) + (n > 1 ? pinned : pinned * 1024)
        if ref <= 0 {
            report(.inv1, "allocated folio without references", [.init("refcount", Int64(ref))])
        } else if ref != expect {
            report(.inv1, "refcount differs from mappings + swap cache + pins", [.init("refcount", Int64(ref)), .init("expected", Int64(expect))])
        }
        if sc {
            if !fl.contains(.anon) || !fl.contains(.swapBacked) { report(.inv11, "swap-cache folio not anonymous and swap-backed") }
            if let cs = frames.swapCacheSlot[h] {
                for i in 0..<n where Int(cs) + i >= swap.slots || swap.cache[Int(cs) + i] != h {
                    var v = Violation(.inv10, "swap-cache folio's slot does not name it")
                    v.pfn = frames.pfn(h); v.slot = Int(cs) + i
                    out.append(v)
                }
            } else {
                report(.inv10, "swap-cache flag without slots")
            }
        } else if frames.swapCacheSlot[h] != nil {
            report(.inv10, "swap slots recorded for a folio not in the swap cache")
        }
    }

    // MARK: Swap slots

    /// Checks slot `s` given the swap PTEs naming it (and how many carry SX).
    func checkSlot(_ s: Int, refs: UInt32, exclusive: UInt32, _ out: inout [Violation]) {
        func report(_ rule: CheckRule, _ msg: String, _ values: [ViolationValue] = []) {
            var v = Violation(rule, msg)
            v.slot = s
            v.values = values
            out.append(v)
        }
        let cnt = swap.count[s], c = swap.cache[s]
        guard swap.used[s] else {
            if cnt != 0 || c >= 0 { report(.inv10, "free slot with a count or a cache folio", [.init("swcount", Int64(cnt)), .init("cache", Int64(c))]) }
            return
        }
        if cnt != refs { report(.inv10, "swap count differs from the swap PTEs naming the slot", [.init("swcount", Int64(cnt)), .init("rmap", Int64(refs))]) }
        if cnt == 0 && c < 0 { report(.inv10, "allocated slot that nothing uses") }
        if c >= 0 {
            let ok = Int(c) < frames.count && frames.isAllocated(c) && frames.head(c) == c
                && frames.flags(c).contains(.swapCache)
                && frames.swapCacheSlot[c].map { Int($0) <= s && s < Int($0) + frames.nr(c) } ?? false
            if !ok { report(.inv10, "slot cached by a folio that does not own it", [.init("folio", Int64(c))]) }
        }
        if exclusive > 0 {
            if cnt != 1 || refs != 1 { report(.inv9, "exclusive swap entry with other users", [.init("swcount", Int64(cnt)), .init("rmap", Int64(refs))]) }
            if c >= 0, Int(c) < frames.count, frames.isAllocated(c), let cs = frames.swapCacheSlot[c] {
                let pg = Int32(Int(c) + s - Int(cs))
                if pageMapcount(pg) > 0 { report(.inv9, "exclusive swap entry while its cached page is mapped", [.init("mapcount", Int64(pageMapcount(pg)))]) }
            }
        }
    }
}
