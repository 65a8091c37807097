import Testing
@testable import MMModel

// mTHP partial unmap and the splits of swap-out (issue 7 item 2; Linux 6.18).
// Rules: zap_pte_range() → folio_remove_rmap_ptes(): a large folio left partly
// mapped is only queued for a deferred split (deferred_split_folio), not split:
// it stays one folio and its unmapped pages stay allocated until a split.
// shrink_folio_list(): a large folio for which folio_alloc_swap() finds no free
// aligned run (no free swap cluster) is split (split_folio_to_list) and its
// pages swapped out as order-0 folios; a partly mapped one is split by
// MADV_PAGEOUT first (madvise_cold_or_pageout_pte_range: nr < folio_nr_pages).

//   64 KiB folio WWWWWWWWWWWWWWWW → munmap pages 0-3 → ....WWWWWWWWWWWW, one folio of 16
@Test("partial munmap of a 64 KiB mTHP leaves one partly mapped folio; its unmapped pages stay allocated")
func mthpPartialMunmapDeferred() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    let free0 = w.frames.freeFrames
    try w.access(pid, a, kib64, read: false, write: true, value: 1)
    let x = try w.pageState(pid, a).folioPfn
    try w.munmap(pid, a, 4 * page)
    let st = try w.pageState(pid, a + 4 * page)
    #expect(st.order == 4 && st.folioPfn == x && st.offset == 4)
    #expect(st.folioMapcount == 12 && st.refcount == 12 && st.mapcount == 1 && st.anonExclusive)
    #expect(w.frames.freeFrames == free0 - 16)                         // deferred: nothing freed yet
    #expect(w.processes[0].rssAnon == 12)
    // Writes to the rest reuse the folio (still exclusive), no fault.
    let f0 = try w.faults(pid)
    try w.write(pid, a + 9 * page, 2)
    #expect(try w.faults(pid) == f0)
    try w.exit(pid)
    #expect(w.frames.freeFrames == free0)
    #expect(w.invariantViolations() == [])
}

// folio_alloc_swap() for order 4 needs 16 free slots, naturally aligned (a free
// cluster run); a device of 19 usable slots (1..19) has none, so the folio is
// split and its 16 pages go to slots 1..16 one by one.
@Test("no aligned run of 16 free slots: swap-out splits the 64 KiB folio and swaps its pages one by one")
func mthpSwapOutSplitsWithoutCluster() throws {
    var c = WorldConfig.small(swapSlots: 20)
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    try w.access(pid, a, kib64, read: false, write: true, value: 3)
    #expect(try w.pageState(pid, a).order == 4)
    #expect(try w.pageout(pid, a, kib64) == 16)
    #expect(try w.rows(pid, a, 16) == String(repeating: "S", count: 16))
    #expect(try (0..<16).map { try w.pageState(pid, a + UInt64($0) * page).swapSlot } == Array(1...16))
    // thp_swap_suitable_orders(): slot 1 is not aligned with page 0 → order-0 swap-in.
    let f0 = try w.faults(pid)
    #expect(try w.read(pid, a) == 3)
    #expect(try delta(w.faults(pid), f0) == [0, 1] && w.pageState(pid, a).order == 0)
    #expect(w.invariantViolations() == [])
}

// With an aligned run free the same folio keeps together: 16 slots from 16,
// one swap-cache folio of order 4 while written (§4.1 step 1).
@Test("an aligned run of 16 free slots: the 64 KiB folio swaps out whole and comes back in one fault")
func mthpSwapOutWhole() throws {
    var c = WorldConfig.small(swapSlots: 64)
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    try w.access(pid, a, kib64, read: false, write: true, value: 3)
    #expect(try w.pageout(pid, a, kib64) == 16)
    #expect(try w.pageState(pid, a).swapSlot % 16 == 0)
    let f0 = try w.faults(pid)
    #expect(try w.read(pid, a + 5 * page) == 3)
    #expect(try delta(w.faults(pid), f0) == [0, 1] && w.pageState(pid, a).order == 4)
    #expect(w.invariantViolations() == [])
}
