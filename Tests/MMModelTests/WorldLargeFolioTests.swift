import Testing
@testable import MMModel

// Large folios (mTHP and PMD THP) across fork, pins, partial unmap and swap:
// spec semantics §2.4, §2.5, §2.8, R-FORK-9, R-MAP-6, §4.1, §4.8.
// Pictures: W writable, A read-only AE, r read-only shared, S/s swap (SX / no SX), . nothing.

// R-FORK-9, §2.5: one pinned page makes the whole 64 KiB folio maybe pinned; every
// AE page is copied for the child (16 copies), the parent keeps all 16 writable.
//   page     0123456789abcdef   page 0 pinned read-write
//   fork     WWWWWWWWWWWWWWWW | WWWWWWWWWWWWWWWW (child: 16 order-0 copies)
@Test("fork of a 64 KiB mTHP with one pinned page copies every AE page (R-FORK-9)")
func forkPinnedMthp() throws {
    var c = WorldConfig.small(frames: 32)
    c.thpOrders[4] = .always
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: kib64, align: kib64)
    try w.access(parent, a, kib64, read: false, write: true, value: 1)
    let x = try w.pageState(parent, a).folioPfn
    _ = try w.pin(parent, a, page, write: true)
    let child = try w.fork(parent)
    #expect(try w.counters(child).forkPagesCopied == 16)
    #expect(try w.rows(parent, a, 16) == String(repeating: "W", count: 16))
    #expect(try w.rows(child, a, 16) == String(repeating: "W", count: 16))
    let st = try w.pageState(parent, a + 5 * page)
    #expect(st.folioPfn == x && st.folioMapcount == 16 && st.refcount == 17 && st.anonExclusive)
    #expect(try w.pageState(child, a + 5 * page).order == 0 && w.read(child, a + 5 * page) == 1)
    #expect(w.frames.freeFrames == 0)
    #expect(w.invariantViolations() == [])
}

// §2.8: a PMD THP whose head is AE and pinned fails the PMD dup gate; the source
// PMD is split and the PTE path copies every AE page for the child. The parent's
// pages stay in the THP, AE and writable.
@Test("fork of a pinned PMD THP splits the parent's PMD and copies for the child (§2.8)")
func forkPinnedPmdThp() throws {
    var c = WorldConfig.small()
    c.thpEnabled = .always
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: mib2)
    try w.write(parent, a, 1)
    let x = try w.pageState(parent, a).folioPfn
    _ = try w.pin(parent, a + page, page, write: true)
    let child = try w.fork(parent)
    #expect(try w.counters(child).forkPagesCopied == 512)
    var st = try w.pageState(parent, a + 9 * page)
    #expect(!st.pmdMapped && st.folioPfn == x && st.anonExclusive && st.mapcount == 1)
    #expect(try w.rows(parent, a, 4) == "WWWW" && w.rows(child, a, 4) == "WWWW")
    st = try w.pageState(child, a)
    #expect(st.order == 0 && st.token == 1)
    let pf = try w.faults(parent)
    try w.access(parent, a, mib2, read: false, write: true, value: 2)
    try w.access(child, a, mib2, read: false, write: true, value: 3)
    #expect(try w.faults(parent) == pf && w.faults(child) == [0, 0])
    #expect(w.invariantViolations() == [])
}

// R-MAP-6 [K]: MADV_DONTNEED of part of an exclusive PMD THP remaps the rest by
// PTEs with the PMD's permission and dirty state: the remaining pages stay in the
// THP and are written without faults.
//   2 MiB PMD W → DONTNEED pages 0-1 → ..WW…W (PTE-mapped, still order 9)
@Test("DONTNEED of part of a PMD THP keeps the rest mapped from the THP (R-MAP-6)")
func dontneedPartOfThp() throws {
    var c = WorldConfig.small()
    c.thpEnabled = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.write(pid, a, 1)
    try w.madvise(pid, a, 2 * page, .dontneed)
    #expect(try w.rows(pid, a, 4) == "..WW")
    let st = try w.pageState(pid, a + 2 * page)
    #expect(!st.pmdMapped && st.order == 9 && st.anonExclusive && st.folioMapcount == 510 && st.refcount == 510)
    try w.access(pid, a + 2 * page, mib2 - 2 * page, read: false, write: true, value: 2)
    #expect(try w.faults(pid) == [1, 0])
    #expect(w.process(pid)!.rssAnon == 510)
    #expect(w.invariantViolations() == [])
}

// §4.1 item 4 [K]: a large folio partly mapped (after munmap of some of its pages)
// is split by MADV_PAGEOUT and its mapped pages paged out as order-0 folios; the
// unmapped pages are freed.
//   64 KiB folio WWWWWWWWWWWWWWWW → munmap pages 0-3 → ....WWWWWWWWWWWW → PAGEOUT → SSSSSSSSSSSS
@Test("PAGEOUT of a partly unmapped 64 KiB folio splits it and swaps the rest (§4.1 item 4)")
func pageoutPartlyMappedMthp() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    let free0 = w.frames.freeFrames
    try w.access(pid, a, kib64, read: false, write: true, value: 1)
    try w.munmap(pid, a, 4 * page)
    #expect(try w.pageState(pid, a + 4 * page).order == 4)
    #expect(try w.pageout(pid, a + 4 * page, 12 * page) == 12)
    #expect(try w.rows(pid, a + 4 * page, 12) == String(repeating: "S", count: 12))
    #expect(w.frames.freeFrames == free0)
    #expect(try w.read(pid, a + 4 * page) == 1)
    #expect(try w.pageState(pid, a + 4 * page).order == 0)    // order-0 slots (not an aligned run of 16)
    #expect(w.invariantViolations() == [])
}

// §4.8 [K]: a 64 KiB folio whose swap PTEs are shared (swcount 2 after fork) does
// not come back whole: the faulting entry goes through the readahead path, one
// order-0 folio per fault.
@Test("shared swap entries of a 64 KiB folio come back order-0 (§4.8)")
func sharedMthpSwapInOrder0() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: kib64, align: kib64)
    try w.access(parent, a, kib64, read: false, write: true, value: 1)
    #expect(try w.pageout(parent, a, kib64) == 16)
    let child = try w.fork(parent)
    #expect(try w.rows(child, a, 16) == String(repeating: "s", count: 16))
    #expect(try w.read(parent, a) == 1)
    let st = try w.pageState(parent, a)
    #expect(st.order == 0 && st.swapCache && !st.anonExclusive)
    #expect(try w.rows(parent, a, 2) == "rs")
    #expect(try w.faults(parent) == [1, 1])
    #expect(w.invariantViolations() == [])
}

// §4.7 [K], R-ACCT-2: MADV_POPULATE_READ of exclusive swapped-out pages maps them
// writable: 1 major per page charged to the caller, later writes fault-free.
@Test("POPULATE_READ of swapped-out pages: 1 major each, then writes fault-free (§4.7)")
func populateReadSwapped() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 8 * page)
    try w.access(pid, a, 8 * page, read: false, write: true, value: 1)
    try w.pageout(pid, a, 8 * page)
    try w.madvise(pid, a, 8 * page, .populateRead)
    #expect(try w.faults(pid) == [8, 8])
    try w.access(pid, a, 8 * page, read: false, write: true, value: 2)
    #expect(try w.faults(pid) == [8, 8])
    #expect(w.invariantViolations() == [])
}

// R-PIN-5 [K]: a read-write pin of swapped-out pages takes one major fault per
// page (a write swap-in), and the pinned pages are AE and writable.
@Test("read-write pin of swapped-out pages: 1 major per page (R-PIN-5)")
func pinSwappedPages() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 4 * page)
    try w.access(pid, a, 4 * page, read: false, write: true, value: 1)
    try w.pageout(pid, a, 4 * page)
    let pin = try w.pin(pid, a, 4 * page, write: true)
    #expect(try w.faults(pid) == [4, 4])
    #expect(try w.rows(pid, a, 4) == "WWWW")
    #expect(try w.pageState(pid, a).refcount == 1 + 1024)
    #expect(w.invariantViolations() == [])
    try w.unpin(pin)
    #expect(w.invariantViolations() == [])
}

// Exit releases everything: frames, swap slots, pins, page tables (issue 3 item 1).
@Test("exit frees frames, slots and page tables")
func exitFreesEverything() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let free0 = w.frames.freeFrames, slots0 = w.swap.freeSlots
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: mib2)
    try w.access(parent, a, mib2 / 2, read: false, write: true, value: 1)
    _ = try w.read(parent, a + mib2 / 2)
    try w.pageout(parent, a, kib64)
    _ = try w.pin(parent, a + kib64, page, write: true)
    let child = try w.fork(parent)
    try w.write(child, a + 2 * kib64, 2)
    try w.exit(parent)
    #expect(w.invariantViolations() == [])
    try w.exit(child)
    #expect(w.frames.freeFrames == free0 && w.swap.freeSlots == slots0)
    #expect(w.liveTables == 0)
    #expect(w.invariantViolations() == [])
}
