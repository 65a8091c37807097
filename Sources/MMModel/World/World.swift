/// A whole modelled machine: frames and folios, one swap device, and the
/// processes with their VMAs and page tables. A `World` is a value: it is used
/// from one thread at a time, and distinct worlds share nothing.
///
/// Kernel paths live in `Kernel/` as extensions, one file per path; this file
/// holds the structure they share: page-table walks, PTE construction, and the
/// rmap primitives of mm/rmap.c (spec semantics §1.10).
public struct World: Sendable {
    public internal(set) var config: WorldConfig
    public let fmt: PteFormat
    public internal(set) var frames: Frames
    public internal(set) var swap: SwapDevice
    var tables: PageTablePool
    /// Process `pid` is `processes[pid - 1]`.
    public internal(set) var processes: [Process] = []
    var nextMmId: Int32 = 1
    /// Pins taken by `pin`, by pin id.
    var pins: [Int32: Pin] = [:] { didSet { pinsGeneration &+= 1 } }
    /// Counts changes of `pins`, so the checker keeps its pin index between
    /// checks (Check/CheckTouched.swift).
    var pinsGeneration: UInt64 = 0
    var nextPinId: Int32 = 1
    /// Whether mremap ever moved a VMA (so folio indices may be misaligned, Kernel/Mremap.swift).
    public internal(set) var vmasMoved = false
    /// KSM's counters and per-process state (World/KsmIndex.swift).
    public internal(set) var ksm = KsmState()
    /// References the huge zero folio holds from PMD mappings (never freed).
    public internal(set) var hugeZeroMappings = 0
    /// userfaultfd write-protect traps, in order (Kernel/Userfaultfd.swift).
    public internal(set) var uffdEvents: [UffdEvent] = []
    /// Run the incremental checker (`checkTouched`) at the end of every public
    /// operation and append what it finds to `violations`; the operation itself
    /// never fails for it. Off by default (`WorldConfig.checkAfterEachOperation`).
    public var checkAfterEachOperation = false {
        didSet { if checkAfterEachOperation { tracksTouched = true } }
    }
    /// What check-after-each-operation found, in order.
    public internal(set) var violations: [Violation] = []
    /// The counters as the last incremental check left them (Check/).
    var checkBaseline = CheckBaseline()
    /// Test-only fault injection: kernel rules this world breaks on purpose
    /// (`InjectedFaults`, World+Testing.swift). Empty unless a test sets it.
    @_spi(Testing) public var injectedFaults: InjectedFaults = []

    public init(_ config: WorldConfig) throws(MMMError) {
        guard config.frames >= 1, config.frames <= 1 << 26, config.swapSlots >= 1, config.swapSlots <= 1 << 26,
              config.pageCluster >= 0, config.pageCluster <= 31,
              config.thpOrders.count == WorldConfig.pmdOrder + 1 else { throw .invalidArgument }
        self.config = config
        fmt = config.format
        frames = Frames(count: config.frames)
        swap = SwapDevice(kind: config.swapDevice, slots: config.swapSlots)
        tables = PageTablePool()
        if config.checkAfterEachOperation {
            checkAfterEachOperation = true
            tracksTouched = true
        }
    }

    // MARK: Processes

    /// Creates a process with an empty address space; returns its pid.
    public mutating func createProcess() -> Int32 {
        defer { afterOperation() }
        let pid = Int32(processes.count + 1)
        let pgd = tables.allocate(processes.count, level: 3, base: 0)
        var p = Process(pid: pid, mmId: nextMmId, pgd: pgd)
        p.counters.pageTablesAllocated = 1
        nextMmId += 1
        processes.append(p)
        return pid
    }

    /// The live process `pid`, or `.noSuchProcess`.
    func checkPid(_ pid: Int32) throws(MMMError) -> Int {
        guard pid >= 1, Int(pid) <= processes.count, !processes[Int(pid) - 1].exited else { throw .noSuchProcess }
        return Int(pid) - 1
    }

    public func process(_ pid: Int32) -> Process? {
        guard pid >= 1, Int(pid) <= processes.count, !processes[Int(pid) - 1].exited else { return nil }
        return processes[Int(pid) - 1]
    }

    // MARK: Page-table walks

    /// The pool index of the PMD entry for `addr`, or nil when an upper level is missing.
    func pmdSlot(_ p: Int, _ addr: UInt64) -> Int? {
        var table = processes[p].pgd
        for level in stride(from: 3, to: 1, by: -1) {
            let e = tables.words[Int(table) * PageTablePool.entries + VA.index(addr, level: level)]
            if e == 0 { return nil }
            table = fmt.tableIndex(e)
        }
        return Int(table) * PageTablePool.entries + VA.index(addr, level: 1)
    }

    /// The pool index of the PTE for `addr`, or nil when a level is missing or
    /// the PMD is a huge leaf.
    func pteSlot(_ p: Int, _ addr: UInt64) -> Int? {
        guard let ps = pmdSlot(p, addr) else { return nil }
        let e = tables.words[ps]
        guard e != 0, fmt.pmdIsTable(e) else { return nil }
        return Int(fmt.tableIndex(e)) * PageTablePool.entries + VA.index(addr, level: 0)
    }

    /// The pool index of the PMD entry for `addr`, allocating upper tables.
    mutating func ensurePmdSlot(_ p: Int, _ addr: UInt64) -> Int {
        var table = processes[p].pgd
        for level in stride(from: 3, to: 1, by: -1) {
            let slot = Int(table) * PageTablePool.entries + VA.index(addr, level: level)
            let e = tables.words[slot]
            if e == 0 {
                let t = tables.allocate(p, level: level - 1, base: addr & ~((UInt64(1) << (12 + 9 * UInt64(level))) - 1))
                processes[p].counters.pageTablesAllocated += 1
                tables.words[slot] = fmt.tableEntry(t)
                table = t
            } else {
                table = fmt.tableIndex(e)
            }
        }
        return Int(table) * PageTablePool.entries + VA.index(addr, level: 1)
    }

    /// Calls `body` with the pool index and the 2 MiB-aligned address of every
    /// non-zero PMD-level entry of process index `p` (table pointer, huge leaf
    /// or anything else), in address order.
    func forEachPmdEntry(_ p: Int, _ body: (_ slot: Int, _ base: UInt64) -> Void) {
        let E = PageTablePool.entries
        let pgd = Int(processes[p].pgd) * E
        for i3 in 0..<E where tables.words[pgd + i3] != 0 {
            let pud = Int(fmt.tableIndex(tables.words[pgd + i3])) * E
            for i2 in 0..<E where tables.words[pud + i2] != 0 {
                let pmdT = Int(fmt.tableIndex(tables.words[pud + i2])) * E
                for i1 in 0..<E where tables.words[pmdT + i1] != 0 {
                    body(pmdT + i1, UInt64(i3) << 39 | UInt64(i2) << 30 | UInt64(i1) << 21)
                }
            }
        }
    }

    /// The pool index of the PTE for `addr`, allocating tables; nil when the PMD
    /// is a huge leaf. The slot is one `p` may write: a shared COW PTE table
    /// (`KernelPolicy.cowPte`) is broken for `p` first, for `cause`.
    mutating func ensurePteSlot(_ p: Int, _ addr: UInt64, _ cause: CowPteBreakCause = .anonFault) -> Int? {
        let ps = ensurePmdSlot(p, addr)
        let e = tables.words[ps]
        if e == 0 {
            let t = tables.allocate(p, level: 0, base: addr & ~(VA.pmdSize - 1))
            processes[p].counters.pageTablesAllocated += 1
            tables.words[ps] = fmt.tableEntry(t)
            return Int(t) * PageTablePool.entries + VA.index(addr, level: 0)
        }
        guard fmt.pmdIsTable(e) else { return nil }
        let s = Int(fmt.tableIndex(e)) * PageTablePool.entries + VA.index(addr, level: 0)
        guard tables.shareCount[s / PageTablePool.entries] != 0 else { return s }
        breakCowPte(p, ps, cause)
        return Int(fmt.tableIndex(tables.words[ps])) * PageTablePool.entries + VA.index(addr, level: 0)
    }

    /// The PMD entry for `addr` (0 when absent).
    func pmdValue(_ p: Int, _ addr: UInt64) -> UInt64 {
        guard let s = pmdSlot(p, addr) else { return 0 }
        return tables.words[s]
    }

    /// The PTE for `addr` (0 when absent or PMD-mapped).
    func pteValue(_ p: Int, _ addr: UInt64) -> Pte {
        guard let s = pteSlot(p, addr) else { return Pte(0) }
        return Pte(tables.words[s])
    }

    // MARK: PTE construction (mk_pte with vm_page_prot)

    /// `vm_get_page_prot()` of a private VMA as a PTE without PFN: x86-64
    /// PAGE_COPY / PAGE_NONE; arm64 PAGE_READONLY / PAGE_NONE (spec encoding §1, §3).
    func baseProt(_ flags: VMFlags) -> Pte {
        let accessible = !flags.isDisjoint(with: [.read, .write])
        switch fmt.arch {
        case .x86_64: return Pte(accessible ? 0x8000_0000_0000_0025 : 0x120)
        case .arm64: return Pte(accessible ? 0x0060_0000_0000_0FC3 : 0x0060_0000_0000_0F82)
        }
    }

    /// `mk_pte(page, vma->vm_page_prot)`.
    func mkPte(_ pfn: UInt64, _ flags: VMFlags) -> Pte { fmt.withPfn(baseProt(flags), pfn) }

    /// The zero-page PTE of a VMA (`pte_mkspecial(pfn_pte(zero_pfn, prot))`).
    func zeroPte(_ flags: VMFlags) -> Pte { fmt.mkspecial(mkPte(Frames.zeroPfn, flags)) }

    /// `vm_normal_page()`: the frame a present PTE maps, nil for the zero page.
    func normalFrame(_ pte: Pte) -> Int32? {
        guard fmt.isPresent(pte), !fmt.isSpecial(pte) else { return nil }
        return frames.frame(ofPfn: fmt.pfn(pte))
    }

    func isZeroPfn(_ pfn: UInt64) -> Bool {
        pfn == Frames.zeroPfn || (pfn >= Frames.hugeZeroPfn && pfn < Frames.hugeZeroPfn + 512)
    }

    // MARK: Folio predicates (§1.6, §1.3)

    /// `folio_maybe_dma_pinned()`: pincount for large folios, refcount ≥ 1024 for small.
    public func maybePinned(_ head: Int32) -> Bool {
        frames.order(head) > 0 ? (frames.large[head]?.pincount ?? 0) > 0 : frames.ref[Int(head)] >= 1024
    }

    /// `folio_needs_cow_for_dma()` for a process.
    func needsCowForDma(_ p: Int, _ head: Int32) -> Bool { processes[p].hasPinned && maybePinned(head) }

    /// `folio_mapcount()`.
    public func folioMapcount(_ head: Int32) -> Int32 {
        frames.order(head) > 0 ? (frames.large[head]?.lmap ?? 0) : frames.mapcount[Int(head)]
    }

    /// The mapcount `/proc/kpagecount` shows for one page (R-MAP-2).
    public func pageMapcount(_ f: Int32) -> Int32 {
        let h = frames.head(f)
        return frames.order(h) > 0 ? frames.mapcount[Int(f)] + (frames.large[h]?.emap ?? 0) : frames.mapcount[Int(f)]
    }

    /// `folio_maybe_mapped_shared()` (R-MMID-2).
    public func maybeMappedShared(_ head: Int32) -> Bool {
        guard frames.order(head) > 0, let l = frames.large[head] else { return frames.mapcount[Int(head)] > 1 }
        return l.lmap > 1 && l.shared
    }

    // MARK: rmap primitives (mm/rmap.c; spec §1.10, §1.3)

    /// MM-owner slot bookkeeping for `d` new (or, negative, removed) mappings by `mm`.
    mutating func mmSlotsAdjust(_ head: Int32, mm: Int32, by d: Int32) {
        guard var l = frames.large[head] else { return }
        if d > 0 {
            if l.id0 == mm { l.cnt0 += d }
            else if l.id1 == mm { l.cnt1 += d }
            else if l.id0 == 0 { l.id0 = mm; l.cnt0 = d; if l.lmap != d { l.shared = true } }
            else if l.id1 == 0 { l.id1 = mm; l.cnt1 = d; l.shared = true }
            else { l.shared = true }
        } else {
            if l.id0 == mm { l.cnt0 += d; if l.cnt0 <= 0 { l.cnt0 = 0; l.id0 = 0 } }
            else if l.id1 == mm { l.cnt1 += d; if l.cnt1 <= 0 { l.cnt1 = 0; l.id1 = 0 } }
            if l.shared && (l.cnt0 == l.lmap || l.cnt1 == l.lmap) { l.shared = false }
        }
        frames.large[head] = l
    }

    /// `folio_add_new_anon_rmap()`: a fresh folio becomes anonymous, mapped by
    /// `p` at linear index `vpn` (its first page), by PTEs or by one PMD.
    mutating func addNewAnonRmap(_ head: Int32, _ p: Int, vpn: UInt64, exclusive: Bool, pmd: Bool) {
        frames.insertFlags(head, [.anon, .swapBacked, .lru])
        frames.setIndex(head, vpn)
        let n = frames.nr(head)
        if n == 1 {
            frames.mapcount[Int(head)] = 1
            frames.setAE(head, exclusive)
            return
        }
        if pmd {
            frames.large[head, default: LargeFolioState()].emap = 1
            frames.large[head]!.lmap = 1
            frames.setAE(head, exclusive)
            mmSlotsAdjust(head, mm: processes[p].mmId, by: 1)
        } else {
            for i in 0..<n {
                frames.mapcount[Int(head) + i] = 1
                frames.setAE(Int32(Int(head) + i), exclusive)
            }
            frames.large[head, default: LargeFolioState()].lmap = Int32(n)
            mmSlotsAdjust(head, mm: processes[p].mmId, by: Int32(n))
        }
    }

    /// `folio_add_anon_rmap_ptes()`: `nr` pages from `page` gain a PTE mapping in `p`.
    mutating func addAnonRmapPtes(_ head: Int32, _ page: Int32, _ nr: Int, _ p: Int, exclusive: Bool) {
        for i in 0..<nr {
            let f = Int32(Int(page) + i)
            frames.mapcount[Int(f)] += 1
            if exclusive { frames.setAE(f, true) }
        }
        if frames.order(head) > 0 {
            frames.large[head, default: LargeFolioState()].lmap += Int32(nr)
            mmSlotsAdjust(head, mm: processes[p].mmId, by: Int32(nr))
        }
    }

    /// `folio_remove_rmap_ptes()`.
    mutating func removeRmapPtes(_ head: Int32, _ page: Int32, _ nr: Int, _ p: Int) {
        for i in 0..<nr { frames.mapcount[Int(page) + i] -= 1 }
        if frames.order(head) > 0 {
            frames.large[head, default: LargeFolioState()].lmap -= Int32(nr)
            mmSlotsAdjust(head, mm: processes[p].mmId, by: -Int32(nr))
        }
    }

    /// `folio_remove_rmap_pmd()`.
    mutating func removeRmapPmd(_ head: Int32, _ p: Int) {
        frames.large[head, default: LargeFolioState()].emap -= 1
        frames.large[head]!.lmap -= 1
        mmSlotsAdjust(head, mm: processes[p].mmId, by: -1)
    }

    /// `folio_try_dup_anon_rmap_ptes()` (§2.4): fails (false, nothing changed)
    /// when the folio may be pinned for the source MM and any page is AE;
    /// otherwise clears AE on every page and adds the child's mappings.
    mutating func tryDupAnonRmapPtes(_ head: Int32, _ page: Int32, _ nr: Int, src: Int, dst: Int) -> Bool {
        if forkDupRefused(src, head, page, nr) { return false }     // Policy: forkPinnedGate
        for i in 0..<nr { frames.setAE(Int32(Int(page) + i), false) }
        addAnonRmapPtes(head, page, nr, dst, exclusive: false)
        return true
    }

    /// `folio_try_dup_anon_rmap_pmd()`.
    mutating func tryDupAnonRmapPmd(_ head: Int32, src: Int, dst: Int) -> Bool {
        if forkDupRefused(src, head, head, 1) { return false }       // Policy: forkPinnedGate
        frames.setAE(head, false)
        frames.large[head, default: LargeFolioState()].emap += 1
        frames.large[head]!.lmap += 1
        mmSlotsAdjust(head, mm: processes[dst].mmId, by: 1)
        return true
    }

    /// `folio_try_share_anon_rmap_pte()` (swap-out, KSM): refuses a maybe-pinned
    /// folio, else clears AE.
    mutating func tryShareAnonRmap(_ head: Int32, _ page: Int32) -> Bool {
        if maybePinned(head) { return false }
        frames.setAE(page, false)
        return true
    }

    /// Drops `n` references of a folio, freeing it at zero.
    mutating func putFolio(_ head: Int32, _ n: Int32 = 1) {
        frames.ref[Int(head)] -= n
        if frames.ref[Int(head)] <= 0 { frames.free(head) }
    }

    // MARK: Swap cache (§1.7)

    /// Adds a folio to the swap cache at slots [slot, slot + nr): +nr references.
    mutating func addToSwapCache(_ head: Int32, slot: Int) {
        let n = frames.nr(head)
        for i in 0..<n {
            swap.cache[slot + i] = head
            swap.index[slot + i] = frames.index(head) + UInt64(i)
        }
        frames.swapCacheSlot[head] = Int32(slot)
        frames.insertFlags(head, [.swapCache, .dirty])
        frames.ref[Int(head)] += Int32(n)
    }

    /// Removes a folio from the swap cache, releasing slots nothing names, and
    /// drops the cache's references (the folio may be freed).
    mutating func deleteFromSwapCache(_ head: Int32) {
        guard let s = frames.swapCacheSlot[head] else { return }
        let n = frames.nr(head)
        for i in 0..<n {
            swap.cache[Int(s) + i] = -1
            swap.releaseIfUnused(Int(s) + i)
        }
        frames.swapCacheSlot[head] = nil
        frames.removeFlags(head, [.swapCache, .readahead])
        putFolio(head, Int32(n))
    }

    /// `folio_free_swap()` (R-SC-3): leaves the swap cache only when no swap PTE
    /// names any of its slots and it is not under writeback; marks it dirty.
    @discardableResult
    mutating func folioFreeSwap(_ head: Int32) -> Bool {
        guard let s = frames.swapCacheSlot[head], !frames.flags(head).contains(.writeback) else { return false }
        for i in 0..<frames.nr(head) where swap.count[Int(s) + i] > 0 { return false }
        frames.insertFlags(head, .dirty)
        deleteFromSwapCache(head)
        return true
    }

    /// `free_swap_cache()` (R-SC-4): for an unmapped swap-cache folio.
    mutating func freeSwapCache(_ head: Int32) {
        guard frames.isAllocated(head), frames.flags(head).contains(.swapCache), folioMapcount(head) == 0 else { return }
        folioFreeSwap(head)
    }

    /// Drops `n` swap-count references from slots [slot, slot + n) (`swap_free_nr`).
    mutating func swapFree(_ slot: Int, _ n: Int) {
        for s in slot..<(slot + n) {
            if swap.count[s] > 0 { swap.count[s] -= 1 }
            swap.releaseIfUnused(s)
        }
    }
}
