import Testing
@testable import MMModel

// MADV_FREE (lazy free) of the world model, Linux 6.18: spec semantics §4.1
// item 5, §4.2 U6, §7.3. Every world is built from WorldConfig.small, so the
// checker runs after every operation; each test ends with the full audit.
// Pictures: one character per page (WorldTestSupport.rows).

@Test("MADV_FREE: PTEs clean and old, still writable; pageout discards the clean, keeps the re-written (U6)",
      arguments: Arch.allCases)
func madvFreeDiscardAndKeep(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 8 * page)
    try w.access(pid, a, 8 * page, read: false, write: true, value: 1)
    let freeBefore = w.frames.freeFrames
    try w.madvise(pid, a, 8 * page, .free)
    #expect(try w.rows(pid, a, 8) == "WWWWWWWW")                       // not write-protected
    for i in 0..<8 {
        let st = try w.pageState(pid, a + UInt64(i) * page)
        #expect(!w.fmt.isDirty(Pte(st.entry)) && !w.fmt.isYoung(Pte(st.entry)))
        let f = try #require(w.frames.frame(ofPfn: st.pfn))
        #expect(!w.frames.flags(f).contains(.swapBacked))             // lazyfree
    }
    let f0 = try w.faults(pid)
    try w.access(pid, a + 4 * page, 4 * page, read: false, write: true, value: 2)
    #expect(try w.faults(pid) == f0)                                  // §7.3: 0 faults before reclaim
    #expect(try w.pageout(pid, a, 8 * page) == 4)                      // 4 discarded, none swapped
    #expect(try w.rows(pid, a, 8) == "....WWWW")
    #expect(w.process(pid)!.rssAnon == 4 && w.process(pid)!.rssSwap == 0)
    #expect(w.frames.freeFrames == freeBefore + 4)
    for i in 4..<8 {
        let f = try #require(w.frames.frame(ofPfn: try w.pfn(pid, a + UInt64(i) * page)))
        #expect(w.frames.flags(f).contains(.swapBacked))              // U6: lazyfree cancelled
    }
    #expect(try w.read(pid, a) == 0)                                   // discarded: reads zeros
    #expect(delta(try w.faults(pid), f0) == [1, 0])                   // §7.3: 1 minor (zero page)
    #expect(try w.rows(pid, a, 1) == "z")
    #expect(try w.read(pid, a + 5 * page) == 2)
    #expect(try w.pageout(pid, a + 4 * page, 4 * page) == 4)           // swap-backed again: swapped out
    #expect(try w.rows(pid, a + 4 * page, 4) == "SSSS")
    #expect(w.invariantViolations() == [])
}

@Test("MADV_FREE drops swap entries and frees their slots")
func madvFreeDropsSwap() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 4 * page)
    try w.access(pid, a, 4 * page, read: false, write: true, value: 3)
    let slots = w.swap.freeSlots
    #expect(try w.pageout(pid, a, 4 * page) == 4)
    #expect(w.swap.freeSlots == slots - 4)
    try w.madvise(pid, a, 4 * page, .free)
    #expect(try w.rows(pid, a, 4) == "....")
    #expect(w.swap.freeSlots == slots)
    #expect(w.process(pid)!.rssSwap == 0)
    let f0 = try w.faults(pid)
    #expect(try w.read(pid, a) == 0)                                   // a fresh zero-fill fault
    #expect(delta(try w.faults(pid), f0) == [1, 0])
    #expect(w.invariantViolations() == [])
}

@Test("MADV_FREE of a pinned page: reclaim keeps it (U6: an extra reference)")
func madvFreePinned() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * page)
    try w.access(pid, a, 2 * page, read: false, write: true, value: 4)
    let id = try w.pin(pid, a, page, write: true)
    try w.madvise(pid, a, 2 * page, .free)
    #expect(try w.pageout(pid, a, 2 * page) == 1)                      // only the unpinned page goes
    #expect(try w.rows(pid, a, 2) == "W.")
    try w.unpin(id)
    #expect(try w.pageout(pid, a, page) == 1)                          // still lazyfree and clean: discarded now
    #expect(try w.rows(pid, a, 2) == "..")
    #expect(w.invariantViolations() == [])
}

@Test("MADV_FREE shared with a fork child: pageout skips it until the child exits")
func madvFreeShared() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * page)
    try w.access(pid, a, 2 * page, read: false, write: true, value: 5)
    let child = try w.fork(pid)
    try w.madvise(pid, a, 2 * page, .free)
    #expect(try w.pageout(pid, a, 2 * page) == 0)                      // §4.1 item 4: mapcount 2, skipped
    #expect(try w.rows(pid, a, 2) == "rr")
    try w.exit(child)
    #expect(try w.pageout(pid, a, 2 * page) == 2)                      // mapped once now, clean: discarded
    #expect(try w.rows(pid, a, 2) == "..")
    #expect(w.invariantViolations() == [])
}

@Test("MADV_FREE of half a 64 KiB folio splits it; a whole folio stays large and is discarded whole")
func madvFreeMthp() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * kib64, align: kib64)
    try w.access(pid, a, 2 * kib64, read: false, write: true, value: 6)
    let h0 = try #require(w.frames.frame(ofPfn: try w.pfn(pid, a)))
    let h1 = try #require(w.frames.frame(ofPfn: try w.pfn(pid, a + kib64)))
    #expect(w.frames.nr(h0) == 16 && w.frames.nr(h1) == 16)
    try w.madvise(pid, a, 8 * page, .free)                             // half of the first folio: split
    #expect(w.frames.nr(w.frames.head(h0)) == 1)
    try w.madvise(pid, a + kib64, kib64, .free)                        // the whole second folio: kept large
    #expect(w.frames.nr(h1) == 16 && !w.frames.flags(h1).contains(.swapBacked))
    #expect(try w.pageout(pid, a, 2 * kib64) == 32)                    // 8 + 16 discarded, 8 swapped out
    #expect(try w.rows(pid, a, 32) == String(repeating: ".", count: 8) + String(repeating: "S", count: 8)
            + String(repeating: ".", count: 16))
    #expect(w.invariantViolations() == [])
}

@Test("scenario: free is now supported")
func madvFreeScenario() {
    let r = Scenario.run(text: "map A 4\nwrite A[*] 1\nfree A[*]\npageout A[*]\nexpect A[*] none\nexpect consistent\n")
    #expect(r.error == nil && r.failures.isEmpty && r.passed)
}
