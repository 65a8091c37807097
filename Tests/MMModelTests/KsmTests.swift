import Testing
@_spi(Testing) @testable import MMModel

// KSM (Kernel/KSM.swift, Rmap/RmapKsm.swift): merging anywhere in mergeable
// VMAs, the stable tree, use_zero_pages, swap of KSM pages, and the checker
// on every state. Expected values come from mm/ksm.c and mm/memory.c (6.12
// source, the 6.18 behaviour checked on the live kernel where marked [K]) and
// spec semantics §1.8. Every world here is checked after every operation.

/// One process with `n` pages of `value`, written (each its own frame).
private func written(_ w: inout World, pages n: Int, value: UInt64 = 7) throws -> (Int32, UInt64) {
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: UInt64(n) * page)
    try w.access(pid, a, UInt64(n) * page, read: false, write: true, value: value)
    return (pid, a)
}

@Test("KSM [K]: 8 identical pages of one process become one KSM page, the second page's frame; kpagecount 8; pages_shared 1, pages_sharing 7",
      arguments: Arch.allCases)
func ksmOneProcess(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let (pid, a) = try written(&w, pages: 8)
    let second = try w.pfn(pid, a + page)
    let free0 = w.frames.freeFrames
    let f0 = try w.faults(pid)
    #expect(try w.ksmMerge(pid, a, 8 * page) == 8)
    #expect(delta(try w.faults(pid), f0) == [0, 0])                     // ksmd's work: no fault in the process
    #expect(w.frames.freeFrames == free0 + 7)
    for i in 0..<8 {
        let st = try w.pageState(pid, a + UInt64(i) * page)
        #expect(st.pfn == second && st.ksm && !st.anonExclusive && st.mapcount == 8 && st.refcount == 8 && st.token == 7)
    }
    #expect(try w.rows(pid, a, 8) == "rrrrrrrr")                         // R-KSM-1: read-only, never AE
    // rmap_walk_ksm: every mapping, at eight addresses of one MM.
    let maps = try w.rmapMappings(folioOf: second)
    #expect(maps.map(\.address) == (0..<8).map { a + UInt64($0) * page })
    #expect(w.ksmCounters().pagesShared == 1 && w.ksmCounters().pagesSharing == 7)
    #expect(try w.ksmMerge(pid, a, 8 * page) == 0)                      // settled: nothing left
    #expect(w.invariantViolations() == [])
}

@Test("KSM [K]: a write copies (1 minor, COW_KSM); the KSM page keeps 7 mappings, pages_sharing 6")
func ksmWriteCopies() throws {
    var w = try World(.small())
    let (pid, a) = try written(&w, pages: 8)
    try w.ksmMerge(pid, a, 8 * page)
    let k = try w.pfn(pid, a + page)
    let f0 = try w.faults(pid)
    try w.write(pid, a, 8)
    #expect(delta(try w.faults(pid), f0) == [1, 0])
    #expect(try w.rows(pid, a, 2) == "Wr" && w.pfn(pid, a) != k)
    #expect(try w.pageState(pid, a + page).mapcount == 7)
    #expect(w.ksm.cowKsm == 1)
    #expect(w.ksmCounters() == { var c = KsmCounters(); c.pagesShared = 1; c.pagesSharing = 6; return c }())
    // MADV_UNMERGEABLE [K]: 7 unshare faults, AE read-only copies, counters 0.
    let f1 = try w.faults(pid)
    #expect(try w.ksmUnmerge(pid, a, 8 * page) == 7)
    #expect(delta(try w.faults(pid), f1) == [7, 0])
    #expect(try w.rows(pid, a, 8) == "WAAAAAAA")
    #expect(w.ksmCounters() == KsmCounters())
    #expect(w.frames.frame(ofPfn: k).map { w.frames.isAllocated($0) } == false)   // the KSM page is gone
    #expect(w.invariantViolations() == [])
}

@Test("KSM stable tree: pages of another process, at other addresses, map the existing KSM page (no new KSM folio)")
func ksmStableTree() throws {
    var w = try World(.small())
    let (p1, a) = try written(&w, pages: 4)
    try w.ksmMerge(p1, a, 4 * page)
    let k = try w.pfn(p1, a + page)
    let p2 = w.createProcess()
    let b = try w.mmap(p2, length: 16 * page)
    try w.access(p2, b + 5 * page, 2 * page, read: false, write: true, value: 7)
    try w.write(p2, b + 9 * page, 3)                                    // another content: stays
    #expect(try w.ksmMerge(p2, b, 16 * page) == 2)
    #expect(try w.pfn(p2, b + 5 * page) == k && w.pfn(p2, b + 6 * page) == k)
    #expect(try w.pageState(p2, b + 9 * page).ksm == false)
    #expect(try w.pageState(p1, a).mapcount == 6)
    #expect(w.ksmCounters().pagesShared == 1 && w.ksmCounters().pagesSharing == 5)
    #expect(try w.rmapMappings(folioOf: k).map(\.pid) == [p1, p1, p1, p1, p2, p2])
    // folio_referenced walks the KSM rmap: all six mappings, young from their faults or from replace_page.
    let r = try w.folioReferenced(k)
    #expect(r.mappings == 6)
    #expect(w.invariantViolations() == [])
}

@Test("KSM [K]: max_page_sharing 256 — 300 identical pages end on two KSM pages, 256 + 44 (chains 1, dups 2)")
func ksmMaxPageSharing() throws {
    var w = try World(.small(frames: 1024))
    let (pid, a) = try written(&w, pages: 300, value: 9)
    try w.ksmMerge(pid, a, 300 * page)
    let k1 = try w.pfn(pid, a), k2 = try w.pfn(pid, a + 256 * page)
    #expect(k1 != k2)
    #expect(try w.pfn(pid, a + 255 * page) == k1 && w.pfn(pid, a + 299 * page) == k2)
    #expect(try w.pageState(pid, a).mapcount == 256 && w.pageState(pid, a + 299 * page).mapcount == 44)
    var c = KsmCounters()
    c.pagesShared = 2; c.pagesSharing = 298; c.stableNodeChains = 1; c.stableNodeDups = 2
    #expect(w.ksmCounters() == c)
    #expect(w.invariantViolations() == [])
}

@Test("KSM: only VM_MERGEABLE ranges merge; a fork child inherits VM_MERGEABLE; a fork-shared page merges too")
func ksmMergeableAndFork() throws {
    var w = try World(.small())
    let (p1, a) = try written(&w, pages: 2)
    let p2 = w.createProcess()
    let b = try w.mmap(p2, length: 2 * page)
    try w.access(p2, b, 2 * page, read: false, write: true, value: 7)   // never MADV_MERGEABLE: left alone
    try w.ksmMerge(p1, a, page)                                          // only a is mergeable: nothing to pair with
    #expect(try w.pageState(p1, a).ksm == false)
    try w.ksmMerge(p1, a, 2 * page)
    #expect(try w.pageState(p1, a).ksm && w.pageState(p2, b).ksm == false)
    let child = try w.fork(p1)                                           // shares the KSM page at the same addresses
    #expect(try w.pageState(child, a).mapcount == 4)
    // A page shared with a child (not KSM) is no partner for itself
    // (unstable_tree_search_insert); a new page of the child pairs with the
    // parent's mapping, and the next pass merges the child's mapping too.
    let c = try w.mmap(p1, length: page)
    try w.write(p1, c, 5)
    try w.ksmMerge(p1, c, page)                                          // alone: nothing
    let child2 = try w.fork(p1)
    #expect(try w.pfn(p1, c) == w.pfn(child2, c) && !w.pageState(p1, c).ksm)
    let e = try w.mmap(child2, length: page)
    try w.write(child2, e, 5)
    #expect(try w.ksmMerge(child2, e, page) == 3)
    let k = try w.pfn(child2, e)                                         // the later page in scan order
    #expect(try w.pfn(p1, c) == k && w.pfn(child2, c) == k && w.pageState(p1, c).ksm)
    #expect(try w.pageState(child2, e).mapcount == 3)
    #expect(w.invariantViolations() == [])
}

@Test("KSM [K]: a pinned first page of a content is a partner write_protect_page refuses: each later identical page is made KSM and broken at once (break_cow), a private AE read-only copy; no KSM page")
func ksmPinnedPartner() throws {
    var w = try World(.small())
    let (pid, a) = try written(&w, pages: 3)
    let id = try w.pin(pid, a, page, write: true)
    let before = try (1...2).map { try w.pfn(pid, a + UInt64($0) * page) }
    let f0 = try w.faults(pid)
    #expect(try w.ksmMerge(pid, a, 3 * page) == 0)
    #expect(try w.rows(pid, a, 3) == "WAA")
    #expect(try (1...2).map { try w.pfn(pid, a + UInt64($0) * page) } != before)   // new frames
    #expect(delta(try w.faults(pid), f0) == [0, 0])                     // ksmd's faults, not the process's
    #expect(w.ksmCounters() == KsmCounters())
    try w.write(pid, a + page, 1)
    #expect(delta(try w.faults(pid), f0) == [1, 0])                     // [K] a write to each is 1 minor (reuse)
    try w.unpin(id)
    try w.exit(pid)
    #expect(w.frames.freeFrames == w.frames.count)
    #expect(w.invariantViolations() == [])
}

@Test("KSM: a pinned page later in scan order stays out; PAGEOUT skips a KSM page mapped twice (R-KSM-5)")
func ksmPinnedAndPageout() throws {
    var w = try World(.small())
    let (pid, a) = try written(&w, pages: 3)
    let id = try w.pin(pid, a + page, page, write: true)
    #expect(try w.ksmMerge(pid, a, 3 * page) == 2)                      // pages 0 and 2
    #expect(try w.rows(pid, a, 3) == "rWr")
    #expect(try w.pageout(pid, a, 3 * page) == 0)
    try w.unpin(id)
    try w.exit(pid)
    #expect(w.frames.freeFrames == w.frames.count)
    #expect(w.invariantViolations() == [])
}

/// Two processes mapping one KSM page at different addresses: p1 at a, p2 at b + 3 pages.
private func ksmTwoProcesses(_ c: WorldConfig = .small()) throws -> (World, Int32, UInt64, Int32, UInt64, UInt64) {
    var w = try World(c)
    let (p1, a) = try written(&w, pages: 1)
    let p2 = w.createProcess()
    let b = try w.mmap(p2, length: 8 * page)
    try w.write(p2, b + 3 * page, 7)
    try w.ksmMerge(p1, a, page)
    try w.ksmMerge(p2, b, 8 * page)
    let k = try w.pfn(p1, a)
    #expect(try w.pfn(p2, b + 3 * page) == k && w.pageState(p1, a).ksm)
    return (w, p1, a, p2, b + 3 * page, k)
}

@Test("KSM swap on zram [K]: reclaim unmaps both mappings through rmap_walk_ksm (one slot, count 2, no SX); swap-in: the first fault maps the folio read back, the other gets a private copy (ksm_might_need_to_copy)")
func ksmSwapZram() throws {
    var (w, p1, a, p2, b, _) = try ksmTwoProcesses()
    #expect(try w.reclaim(p1, a, page) == 1)
    let s1 = try w.pageState(p1, a), s2 = try w.pageState(p2, b)
    #expect(s1.kind == .swap && s2.kind == .swap && s1.swapSlot == s2.swapSlot)
    #expect(s1.swapCount == 2 && !s1.swapExclusive && !s2.swapExclusive)   // KSM pages are never AE: no SX
    #expect(w.swap.cachedFolio(s1.swapSlot) == nil)                        // zram: written and freed at once
    #expect(w.ksmCounters() == KsmCounters())
    // p2 first: a shared entry goes through the swap cache (readahead path), 1 major.
    var f = try w.faults(p2)
    #expect(try w.read(p2, b) == 7)
    #expect(delta(try w.faults(p2), f) == [0, 1])
    #expect(try w.pageState(p2, b).ksm == false && w.pageState(p2, b).swapCache)
    #expect(try w.rows(p2, b, 1) == "r")                                  // not exclusive: SX clear, cache ref
    // p1: a swap-cache hit on a folio now mapped at another address → a private copy, exclusive (§4.5), minor.
    f = try w.faults(p1)
    #expect(try w.read(p1, a) == 7)
    #expect(delta(try w.faults(p1), f) == [1, 0])
    #expect(w.ksm.swapinCopies == 1)
    #expect(try w.pfn(p1, a) != w.pfn(p2, b))
    #expect(try w.rows(p1, a, 1) == "W" && !w.pageState(p1, a).swapCache)   // fresh copy: exclusive, writable on read (6.11+)
    // [K] 6.18 (a memcg's force_empty after clear_refs reclaimed a KSM page mapped by two
    // processes at different addresses): one slot for both; the first reader 1 major, a
    // swap-cache folio that is not KSM; the second 1 minor, a new frame outside the swap
    // cache, vmstat ksm_swpin_copy + 1.
    #expect(w.invariantViolations() == [])
}

@Test("KSM swap on a disk: the KSM folio stays in the swap cache after reclaim; a fault maps it again (KSM, never exclusive, read-only, minor); a write fault swaps in and copies in one fault")
func ksmSwapCacheHit() throws {
    var c = WorldConfig.small()
    c.swapDevice = .asynchronous
    var (w, p1, a, p2, b, k) = try ksmTwoProcesses(c)
    #expect(try w.reclaim(p2, b, page) == 1)
    let slot = try w.pageState(p1, a).swapSlot
    #expect(w.swap.cachedFolio(slot) == w.frames.frame(ofPfn: k))       // R-KSM-2 setting: still the KSM folio
    var f = try w.faults(p1)
    #expect(try w.read(p1, a) == 7)
    #expect(delta(try w.faults(p1), f) == [1, 0])
    let st = try w.pageState(p1, a)
    #expect(st.pfn == k && st.ksm && !st.anonExclusive && st.swapCache)
    #expect(try w.rows(p1, a, 1) == "r")
    #expect(w.ksm.swapinCopies == 0)
    f = try w.faults(p2)
    try w.write(p2, b, 8)                                                // do_swap_page, then do_wp_page: one fault
    #expect(delta(try w.faults(p2), f) == [1, 0])
    #expect(try w.rows(p2, b, 1) == "W" && w.pfn(p2, b) != k)
    #expect(w.ksm.cowKsm == 1)
    #expect(w.invariantViolations() == [])
}

@Test("KSM: MADV_PAGEOUT pages out a KSM page mapped once, away from its index; read back by the skip path: 1 major, exclusive")
func ksmPageoutOnce() throws {
    var (w, p1, a, p2, b, _) = try ksmTwoProcesses()
    try w.write(p1, a, 1)                                                // p1 leaves: p2's mapping is the last
    #expect(try w.pageState(p2, b).ksm && w.pageState(p2, b).mapcount == 1)
    #expect(try w.pageout(p2, b, page) == 1)
    #expect(try w.pageState(p2, b).kind == .swap)
    let f = try w.faults(p2)
    #expect(try w.read(p2, b) == 7)
    #expect(delta(try w.faults(p2), f) == [0, 1])
    #expect(try w.rows(p2, b, 1) == "W")                                 // §4.5: fresh folio, exclusive
    #expect(w.invariantViolations() == [])
}

@Test("KSM use_zero_pages [K]: empty pages map the zero page (dirty special PTE), ksm_zero_pages counts them; fork copies the count; write, DONTNEED and unmerge drop it",
      arguments: Arch.allCases)
func ksmZeroPages(arch: Arch) throws {
    var c = WorldConfig.small(arch: arch)
    c.ksmUseZeroPages = true
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 8 * page)
    try w.access(pid, a, 8 * page, read: false, write: true, value: 0)
    let rss0 = w.process(pid)!.rssAnon
    #expect(try w.ksmMerge(pid, a, 8 * page) == 8)
    for i in 0..<8 {
        let st = try w.pageState(pid, a + UInt64(i) * page)
        #expect(st.zeroPage && !st.ksm && st.mapcount == 0)
        #expect(w.isKsmZeroPte(Pte(st.entry)))
    }
    #expect(w.process(pid)!.rssAnon == rss0 - 8)
    #expect(try w.ksmZeroPages(pid) == 8 && w.ksm.zeroPages == 8)
    #expect(w.ksmCounters().pagesShared == 0)
    let child = try w.fork(pid)                                          // ksm_fork: the child starts with 8
    #expect(try w.ksmZeroPages(child) == 8 && w.ksm.zeroPages == 16)
    var f = try w.faults(child)
    try w.write(child, a, 1)
    #expect(delta(try w.faults(child), f) == [1, 0])
    #expect(try w.ksmZeroPages(child) == 7 && w.ksm.zeroPages == 15)
    try w.madvise(child, a + page, page, .dontneed)
    #expect(try w.ksmZeroPages(child) == 6 && w.ksm.zeroPages == 14)
    f = try w.faults(child)
    #expect(try w.ksmUnmerge(child, a + 2 * page, 6 * page) == 6)
    #expect(delta(try w.faults(child), f) == [6, 0])
    #expect(try w.rows(child, a + 2 * page, 6) == "AAAAAA")
    #expect(try w.ksmZeroPages(child) == 0 && w.ksm.zeroPages == 8)
    f = try w.faults(pid)
    try w.write(pid, a + 3 * page, 5)
    #expect(delta(try w.faults(pid), f) == [1, 0])
    #expect(try w.ksmZeroPages(pid) == 7 && w.ksm.zeroPages == 7)
    try w.exit(pid)
    #expect(w.ksm.zeroPages == 0)
    #expect(w.invariantViolations() == [])
}

@Test("KSM [K]: without use_zero_pages, empty pages merge into a KSM page like any content")
func ksmZeroPagesOff() throws {
    var w = try World(.small())
    let (pid, a) = try written(&w, pages: 4, value: 0)
    try w.ksmMerge(pid, a, 4 * page)
    #expect(try w.pageState(pid, a).ksm && w.pageState(pid, a).mapcount == 4)
    #expect(w.ksmCounters().pagesShared == 1 && w.ksmCounters().pagesSharing == 3 && w.ksm.zeroPages == 0)
    #expect(w.invariantViolations() == [])
}

// The checker on KSM states (rule-breaking, through the @_spi(Testing) hooks).

@Test("INV-4: a KSM page is never AnonExclusive (R-AE-1, R-KSM-1)") func ruleKsmNeverAE() throws {
    var (w, p1, a, p2, _, _) = try ksmTwoProcesses()
    try w.exit(p2)                                                       // the KSM page is mapped once now
    #expect(try w.pageState(p1, a).ksm && w.pageState(p1, a).mapcount == 1)
    w.testingSetAnonExclusive(p1, a, true)
    expectOnly(&w, .inv4)
}

@Test("RMAP-ADDR: a KSM mapping at an address that has no rmap_item") func ruleKsmRmapAddr() throws {
    var (w, p1, a, _, _, _) = try ksmTwoProcesses()
    let b = try w.mmap(p1, length: page)
    let pte = w.testingPte(p1, a)
    w.testingAdjustMapcount(p1, a, by: -1)                               // the walk will not find it: counts agree
    w.testingAdjustRefcount(p1, a, by: -1)
    w.testingSetPte(p1, a, 0)
    w.testingSetPte(p1, b, pte)
    expectOnly(&w, .rmapAddr)
}

@Test("RMAP-ADDR: a swap entry of a KSM page away from every address the page was mapped at") func ruleKsmSwapAddr() throws {
    var (w, p1, a, _, _, _) = try ksmTwoProcesses()
    try w.reclaim(p1, a, page)
    let b = try w.mmap(p1, length: page)
    let st = try w.pageState(p1, a)
    w.testingAdjustSwapCount(st.swapSlot, by: -1)
    w.testingSetPte(p1, a, 0)
    w.testingSetPte(p1, b, st.entry)
    expectOnly(&w, .rmapAddr)
}

@Test("KSM states under a mixed workload (merge, write, reclaim, PAGEOUT, swap-in, unmerge, fork, exit, DONTNEED; zram, and a disk with use_zero_pages and 64 KiB folios) pass every rule after every operation",
      arguments: [SwapDeviceKind.synchronous, .asynchronous])
func ksmMixedWorkload(device: SwapDeviceKind) throws {
    var c = WorldConfig.small()
    c.swapDevice = device
    c.ksmUseZeroPages = device == .asynchronous
    if device == .asynchronous { c.thpOrders[4] = .always }            // 64 KiB folios, split by merges
    var w = try World(c)
    var rng = SplitMix64(seed: 7)
    func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    var procs: [(pid: Int32, a: UInt64)] = []
    for _ in 0..<3 {
        let pid = w.createProcess()
        procs.append((pid, try w.mmap(pid, length: 16 * page, align: kib64)))
    }
    var merged = 0, swappedKsm = 0
    for _ in 0..<3000 {
        let i = below(procs.count)
        let (pid, a) = procs[i]
        let pg = a + UInt64(below(16)) * page
        switch below(11) {
        case 0, 1: try w.write(pid, pg, UInt64(below(3)))
        case 2: _ = try w.read(pid, pg)
        case 3: merged += try w.ksmMerge(pid, a, 16 * page)
        case 4:
            if try w.pageState(pid, pg).ksm { swappedKsm += 1 }
            try w.reclaim(pid, pg, page)
        case 5: try w.pageout(pid, a, 16 * page)
        case 6: try w.ksmUnmerge(pid, pg, page)
        case 7: if procs.count < 6 { procs.append((try w.fork(pid), a)) }
        case 8: if procs.count > 2 { try w.exit(pid); procs.remove(at: i) }
        case 9: try w.madvise(pid, pg, page, .dontneed)
        default: _ = try? w.folioReferenced(try w.pageState(pid, pg).pfn)   // throws for none, swap and the zero page
        }
    }
    #expect(merged > 100 && swappedKsm > 10)                       // the workload reached the KSM states
    #expect(w.invariantViolations() == [])
}

@Test("KSM [K]: a PMD-mapped THP of one content is split and merged: the first pair is in one folio (the split fails under the partner's reference, the folio is split afterwards), so page 2 becomes the first KSM page; 2 KSM pages of 256 (pages_sharing 510)")
func ksmSplitsThp() throws {
    var c = WorldConfig.small()
    c.thpEnabled = .madvise
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2, align: mib2)
    try w.madvise(pid, a, mib2, .hugepage)
    try w.access(pid, a, mib2, read: false, write: true, value: 9)
    #expect(try w.pageState(pid, a).pmdMapped)
    let thp = try w.pfn(pid, a)
    try w.ksmMerge(pid, a, mib2)
    // [K] 6.18: p0, p2..p256 map THP page 2; p1, p257..p511 map THP page 258.
    #expect(try w.pfn(pid, a) == thp + 2 && w.pfn(pid, a + 256 * page) == thp + 2)
    #expect(try w.pfn(pid, a + page) == thp + 258 && w.pfn(pid, a + 511 * page) == thp + 258)
    #expect(try w.pageState(pid, a).mapcount == 256 && w.pageState(pid, a + page).mapcount == 256)
    var k = KsmCounters()
    k.pagesShared = 2; k.pagesSharing = 510; k.stableNodeChains = 1; k.stableNodeDups = 2
    #expect(w.ksmCounters() == k)
    #expect(w.frames.freeFrames == w.frames.count - 2)                  // the other 510 pages freed
    #expect(w.invariantViolations() == [])
}

@Test("KSM: a PTE-mapped 64 KiB folio shared with a fork child is split and merged in both; a pinned one cannot be split and stays")
func ksmSplitsMthp() throws {
    var (w, parent, child, a) = try forked64k()                          // 16 pages of 1, shared
    let thp = try w.pfn(parent, a)
    try w.ksmMerge(parent, a, 16 * page)                                 // the child's VMA is not mergeable
    #expect(try w.pfn(parent, a) == thp + 2 && w.pfn(parent, a + 15 * page) == thp + 2)   // as with the THP above
    #expect(try w.pageState(parent, a).mapcount == 17)                   // + the child's own mapping of that frame
    #expect(try w.pageState(child, a + 2 * page).ksm && w.pageState(child, a).order == 0 && !w.pageState(child, a).ksm)
    #expect(w.invariantViolations() == [])
    var c2 = WorldConfig.small()
    c2.thpOrders[4] = .always
    var w2 = try World(c2)
    let pid = w2.createProcess()
    let b = try w2.mmap(pid, length: kib64, align: kib64)
    try w2.access(pid, b, kib64, read: false, write: true, value: 1)
    _ = try w2.pin(pid, b, page, write: true)
    #expect(try w2.ksmMerge(pid, b, kib64) == 0)
    #expect(try w2.pageState(pid, b + page).order == 4)
    #expect(w2.invariantViolations() == [])
}

@Test("KSM and mremap: prep_move_vma breaks KSM pages and KSM's zero pages in the moved range (1 minor each); a swap entry of a KSM page moves and the KSM rmap follows it")
func ksmMremap() throws {
    var c = WorldConfig.small()
    c.ksmUseZeroPages = true
    var w = try World(c)
    let (pid, a) = try written(&w, pages: 4)
    try w.write(pid, a + 2 * page, 0)
    try w.ksmMerge(pid, a, 4 * page)                                     // A[0], A[1], A[3] one KSM page; A[2] the zero page
    try w.write(pid, a + page, 1)                                        // A[0] and A[3] keep the KSM page
    try w.pageout(pid, a, page)                                          // mapped twice: stays (R-KSM-5)
    try w.write(pid, a + 3 * page, 1)
    #expect(try w.pageout(pid, a, page) == 1)                            // now once, away from its index
    #expect(w.ksm.zeroPages == 1)
    let dest = try w.mmap(pid, length: 4 * page)
    let f = try w.faults(pid)
    let b = try w.mremap(pid, a, oldLength: 4 * page, newLength: 4 * page, flags: [.mayMove, .fixed], newAddress: dest)
    #expect(b == dest)
    #expect(delta(try w.faults(pid), f) == [1, 0])                       // the zero page's break_ksm
    #expect(w.ksm.zeroPages == 0)
    #expect(try w.pageState(pid, b).kind == .swap && w.rows(pid, b + 2 * page, 1) == "A")
    #expect(try w.read(pid, b) == 7)
    #expect(w.invariantViolations() == [])
}
