import Testing
@testable import MMModel

// fork and the write faults after it, Linux 6.18 semantics. Expected values
// from spec semantics §2 (decision tables and worked examples E2-1 … E2-4),
// §3.2–§3.4, §3.9. Pictures: W writable, A read-only AE, r read-only shared,
// z zero page, . nothing; "parent | child".

// E2-1 (§2.9), issue 3 item 7: fork, the child writes 16 pages.
//   page     0123456789abcdef
//   parent   WWWWWWWWWWWWWWWW   written, token 1
//   fork     rrrrrrrrrrrrrrrr | rrrrrrrrrrrrrrrr    ref 2, mapcount 2, ¬AE (§2.4, §2.6)
//   C writes rrrrrrrrrrrrrrrr | WWWWWWWWWWWWWWWW    16 minor in C, 16 copies (ref 2 > 1: §3.3)
//   exit C, P writes  WWWWWWWWWWWWWWWW               16 minor in P, each a reuse, same frames
@Test("fork, the child writes 16 pages, then the parent reuses after the child exits (E2-1)",
      arguments: Arch.allCases)
func forkChildWrites(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 16 * page)
    try w.access(parent, a, 16 * page, read: false, write: true, value: 1)
    let parentPfns = try (0..<16).map { try w.pfn(parent, a + UInt64($0) * page) }
    let parentFaults = try w.faults(parent)
    let child = try w.fork(parent)
    #expect(try w.faults(child) == [0, 0])                                      // R-FORK-2
    #expect(try w.faults(parent) == parentFaults)                               // fork takes no fault
    #expect(try w.rows(parent, a, 16) == String(repeating: "r", count: 16))
    #expect(try w.rows(child, a, 16) == String(repeating: "r", count: 16))
    var st = try w.pageState(child, a)
    #expect(st.pfn == parentPfns[0] && st.refcount == 2 && st.mapcount == 2 && !st.anonExclusive)
    #expect(try !w.fmt.isYoung(Pte(st.entry)) && w.fmt.isYoung(Pte(w.pageState(parent, a).entry)))  // §2.6 A
    #expect(w.invariantViolations() == [])

    try w.access(child, a, 16 * page, read: false, write: true, value: 2)
    #expect(try w.faults(child) == [16, 0])
    #expect(try w.counters(child).wpCopy == 16)
    for i in 0..<16 {
        let addr = a + UInt64(i) * page
        #expect(try w.pfn(child, addr) != parentPfns[i])
        #expect(try w.read(parent, addr) == 1)
        #expect(try w.read(child, addr) == 2)
        st = try w.pageState(parent, addr)
        #expect(st.pfn == parentPfns[i] && st.refcount == 1 && st.mapcount == 1 && !st.anonExclusive)
    }
    #expect(try w.faults(parent) == parentFaults)                               // reads of r PTEs: no fault
    #expect(try w.rows(child, a, 16) == String(repeating: "W", count: 16))
    #expect(w.invariantViolations() == [])

    try w.exit(child)
    try w.access(parent, a, 16 * page, read: false, write: true, value: 3)
    #expect(delta(try w.faults(parent), parentFaults) == [16, 0])
    #expect(try w.counters(parent).wpReuse == 16)
    #expect(try w.counters(parent).wpCopy == 0)
    for i in 0..<16 { #expect(try w.pfn(parent, a + UInt64(i) * page) == parentPfns[i]) }
    #expect(try w.rows(parent, a, 16) == String(repeating: "W", count: 16))
    #expect(w.invariantViolations() == [])
}

// E2-1: the parent writes first while the child lives → copy; the child, now the
// only user, reuses (ref 1) and keeps the old frame.
@Test("E2-1: the first writer copies, the last writer reuses")
func firstWriterCopiesLastReuses() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: page)
    try w.write(parent, a, 1)
    let x = try w.pfn(parent, a)
    let child = try w.fork(parent)
    try w.write(parent, a, 2)
    #expect(try w.pfn(parent, a) != x && w.counters(parent).wpCopy == 1)
    try w.write(child, a, 3)
    #expect(try w.pfn(child, a) == x && w.counters(child).wpReuse == 1)
    #expect(try w.faults(parent) == [2, 0] && w.faults(child) == [1, 0])
    #expect(try w.read(parent, a) == 2 && w.read(child, a) == 3)
    #expect(w.invariantViolations() == [])
}

// E2-2 (§2.5, INV-5), issue 3 item 7: a page pinned read-write before fork is copied
// for the child at fork; the parent keeps W, AE and the pinned frame.
//   page     0123
//   parent   WWWW   written; page 1 pinned read-write (P)
//   fork     rWrr | rWrr    r: shared read-only; W: each side's own page
//   writes to page 1: no fault on either side; each sees only its own writes
@Test("a page pinned read-write before fork is copied for the child (E2-2)", arguments: Arch.allCases)
func forkCopiesPinnedPage(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 4 * page)
    try w.access(parent, a, 4 * page, read: false, write: true, value: 1)
    let pinned = try w.pfn(parent, a + page)
    let pin = try w.pin(parent, a + page, page, write: true)
    let child = try w.fork(parent)
    #expect(try w.rows(parent, a, 4) == "rWrr" && w.rows(child, a, 4) == "rWrr")
    #expect(try w.counters(child).forkPagesCopied == 1)
    var st = try w.pageState(parent, a + page)
    #expect(st.pfn == pinned && st.anonExclusive && st.maybePinned && st.mapcount == 1 && st.refcount == 1 + 1024)
    st = try w.pageState(child, a + page)
    #expect(st.pfn != pinned && st.anonExclusive && st.mapcount == 1 && st.refcount == 1 && st.token == 1)
    let pf = try w.faults(parent)
    try w.write(child, a + page, 2)
    try w.write(parent, a + page, 3)
    #expect(try w.faults(child) == [0, 0] && w.faults(parent) == pf)
    #expect(try w.read(child, a + page) == 2 && w.read(parent, a + page) == 3)
    #expect(w.frames.token[Int(w.frames.frame(ofPfn: pinned)!)] == 3)   // the pin sees the parent's data
    #expect(w.invariantViolations() == [])
    try w.unpin(pin)
    #expect(w.invariantViolations() == [])
}

// R-ZERO-4 / F6: a VMA that only ever took read faults has no anon_vma, so fork
// copies nothing; once a page was allocated, zero-page PTEs are copied too.
//   VMA 1 (reads only)  zz | ..
//   VMA 2               zW | zr
@Test("fork copies page tables only of VMAs with an anon_vma (R-ZERO-4, F6)")
func forkZeroPageOnlyVma() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let v1 = try w.mmap(parent, length: 2 * page)
    let v2 = try w.mmap(parent, length: 2 * page)
    _ = try w.read(parent, v1)
    _ = try w.read(parent, v1 + page)
    _ = try w.read(parent, v2)
    try w.write(parent, v2 + page, 1)
    let child = try w.fork(parent)
    #expect(try w.rows(parent, v1, 2) == "zz" && w.rows(child, v1, 2) == "..")
    #expect(try w.rows(parent, v2, 2) == "zr" && w.rows(child, v2, 2) == "zr")
    _ = try w.read(child, v1)
    _ = try w.read(child, v2)
    #expect(try w.faults(child) == [1, 0])          // v1: a fresh zero-page fault; v2: none
    #expect(w.invariantViolations() == [])
}

// F1 (MADV_DONTFORK): the range is a hole in the child. F2 (MADV_WIPEONFORK): the
// child sees fresh zero-fill memory; the parent keeps its data.
@Test("MADV_DONTFORK leaves a hole, MADV_WIPEONFORK gives zero-fill (F1, F2)")
func dontforkAndWipeonfork() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 2 * page)
    let b = try w.mmap(parent, length: 2 * page)
    try w.access(parent, a, 2 * page, read: false, write: true, value: 4)
    try w.access(parent, b, 2 * page, read: false, write: true, value: 5)
    try w.madvise(parent, a, 2 * page, .dontfork)
    try w.madvise(parent, b, 2 * page, .wipeonfork)
    let child = try w.fork(parent)
    #expect(throws: MMMError.fault) { _ = try w.read(child, a) }
    #expect(throws: MMMError.fault) { try w.pageState(child, a) }
    #expect(try w.rows(child, b, 2) == "..")
    #expect(try w.read(child, b) == 0)
    #expect(try w.rows(child, b, 2) == "z.")
    #expect(try w.faults(child) == [1, 0])
    #expect(try w.rows(parent, a, 2) == "WW" && w.rows(parent, b, 2) == "WW")   // not write-protected
    #expect(try w.read(parent, a) == 4 && w.read(parent, b) == 5)
    #expect(w.invariantViolations() == [])
}

// R-ANON-1 (§3.8): with 64 KiB enabled, the first write maps a whole aligned
// 64 KiB folio: one minor fault per 16 pages.
@Test("mTHP first touch: one minor fault per 16 pages (R-ANON-1)")
func mthpFirstTouch() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * kib64, align: kib64)
    try w.access(pid, a, 2 * kib64, read: false, write: true, value: 1)
    #expect(try w.faults(pid) == [2, 0])
    #expect(try w.counters(pid).anonFirstTouch == 2)
    let st = try w.pageState(pid, a + 17 * page)
    #expect(st.order == 4 && st.offset == 1 && st.refcount == 16 && st.mapcount == 1 && st.folioMapcount == 16)
    #expect(st.anonExclusive)
    #expect(try w.rows(pid, a, 32) == String(repeating: "W", count: 32))
    #expect(w.invariantViolations() == [])
}

// E2-3 (§2.9), §2.3 row P2, §3.4 (6.15+ large-folio reuse with MM ids).
//   page     0123456789abcdef         one 64 KiB folio X, all AE
//   fork     rrrrrrrrrrrrrrrr | rrrrrrrrrrrrrrrr   one batch of 16: ref 32, lmap 32, pmap 2
//   P writes 3: rrrWrrrrrrrrrrrr      shared (two MMs) → copy into an order-0 folio
//   exit C; P writes the other 15: each one minor fault that reuses inside X
//            WWWWWWWWWWWWWWWW         (page 3 on its own frame, the others in X)
@Test("fork of a 64 KiB mTHP batches; writes copy while shared, reuse after (E2-3)")
func forkMthp() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: kib64, align: kib64)
    try w.access(parent, a, kib64, read: false, write: true, value: 1)
    let x = try w.pageState(parent, a).folioPfn
    let child = try w.fork(parent)
    let cc = try w.counters(child)
    #expect(cc.forkPtesBatched == 16 && cc.forkBatches == 1 && cc.forkPagesCopied == 0)
    var st = try w.pageState(child, a + 5 * page)
    #expect(st.folioPfn == x && st.refcount == 32 && st.folioMapcount == 32 && st.mapcount == 2 && !st.anonExclusive)
    #expect(try w.rows(parent, a, 16) == String(repeating: "r", count: 16))
    #expect(w.invariantViolations() == [])

    let pf = try w.faults(parent)
    try w.write(parent, a + 3 * page, 2)
    #expect(delta(try w.faults(parent), pf) == [1, 0])
    st = try w.pageState(parent, a + 3 * page)
    #expect(st.order == 0 && st.folioPfn != x && st.anonExclusive)
    #expect(try w.pageState(parent, a).folioMapcount == 31)
    #expect(try w.counters(parent).wpCopy == 1)
    #expect(try w.read(child, a + 3 * page) == 1)

    try w.exit(child)
    st = try w.pageState(parent, a)
    #expect(st.folioMapcount == 15 && st.refcount == 15)
    for i in 0..<16 where i != 3 { try w.write(parent, a + UInt64(i) * page, 3) }
    #expect(delta(try w.faults(parent), pf) == [16, 0])
    #expect(try w.counters(parent).wpReuse == 15 && w.counters(parent).wpCopy == 1)
    for i in 0..<16 where i != 3 {
        st = try w.pageState(parent, a + UInt64(i) * page)
        #expect(st.folioPfn == x && st.offset == i && st.anonExclusive)
    }
    #expect(try w.rows(parent, a, 16) == String(repeating: "W", count: 16))
    #expect(w.invariantViolations() == [])
}

// §2.8, §3.9 [K]: fork of an exclusive PMD-mapped THP leaves both sides mapping it
// by PMD, fault-free; the child's first write splits only the child's PMD and
// copies one 4 KiB page. After the child exits, the parent's write reuses by PMD.
//   2 MiB   parent PMD W
//   fork    parent PMD r | child PMD r               ref 2, emap 2
//   C writes page 7: parent PMD r | child PTEs r…r W r…r (page 7 its own order-0 frame)
//   exit C, P writes: parent PMD W, same folio, 1 minor
@Test("PMD THP: one fault, shared by PMD at fork, child write splits only its PMD (§3.9)")
func pmdThpFork() throws {
    var c = WorldConfig.small()
    c.thpEnabled = .always
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: mib2)
    try w.access(parent, a, mib2, read: false, write: true, value: 1)
    #expect(try w.faults(parent) == [1, 0])
    var st = try w.pageState(parent, a + 9 * page)
    #expect(st.pmdMapped && st.order == 9 && st.offset == 9 && st.refcount == 1 && st.mapcount == 1 && st.anonExclusive)
    let x = st.folioPfn
    let child = try w.fork(parent)
    st = try w.pageState(child, a)
    #expect(st.pmdMapped && st.folioPfn == x && st.refcount == 2 && st.mapcount == 2 && !st.anonExclusive)
    #expect(try w.pageState(parent, a).pmdMapped && !w.writable(parent, a))
    #expect(try w.read(child, a + 100 * page) == 1)
    #expect(try w.faults(child) == [0, 0])
    #expect(w.invariantViolations() == [])

    try w.write(child, a + 7 * page, 2)
    #expect(try w.faults(child) == [1, 0])
    st = try w.pageState(child, a + 7 * page)
    #expect(!st.pmdMapped && st.order == 0 && st.anonExclusive)
    st = try w.pageState(child, a + 8 * page)
    #expect(!st.pmdMapped && st.folioPfn == x && st.offset == 8 && !st.anonExclusive)
    #expect(st.mapcount == 2 && st.folioMapcount == 512 && st.refcount == 512)   // R-MAP-2: pmap 1 + emap 1
    #expect(try w.pageState(child, a + 7 * page).token == 2)
    #expect(try w.pageState(parent, a + 7 * page).mapcount == 1)                 // only the parent's PMD
    #expect(try w.pageState(parent, a).pmdMapped && w.read(parent, a + 7 * page) == 1)
    #expect(w.invariantViolations() == [])

    try w.exit(child)
    let pf = try w.faults(parent)
    try w.write(parent, a + 9 * page, 3)
    #expect(delta(try w.faults(parent), pf) == [1, 0])
    #expect(try w.counters(parent).wpReuse == 1)
    st = try w.pageState(parent, a)
    #expect(try st.pmdMapped && st.folioPfn == x && st.anonExclusive && w.writable(parent, a))
    try w.access(parent, a, mib2, read: false, write: true, value: 4)
    #expect(delta(try w.faults(parent), pf) == [1, 0])
    #expect(w.invariantViolations() == [])
}

// R-UNS-2, §3.7 [K]: a read-only pin of a page shared with a live child takes one
// unshare fault that gives the parent a private read-only AE copy; the child keeps
// the old frame; the next write by the parent is one minor fault that keeps the copy.
//   parent W → fork r | r → pin R/O  A | r → write  W | r
@Test("read-only pin of a fork-shared page unshares (R-UNS-2)")
func readPinUnshares() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: page)
    try w.write(parent, a, 1)
    let x = try w.pfn(parent, a)
    let child = try w.fork(parent)
    let pf = try w.faults(parent)
    let pin = try w.pin(parent, a, page, write: false)
    #expect(delta(try w.faults(parent), pf) == [1, 0])
    #expect(try w.counters(parent).unshare == 1)
    let copy = try w.pfn(parent, a)
    #expect(try copy != x && w.pfn(child, a) == x)
    #expect(try w.rows(parent, a, 1) == "A" && w.rows(child, a, 1) == "r")
    #expect(try w.pageState(parent, a).refcount == 1 + 1024)
    try w.write(parent, a, 2)
    #expect(delta(try w.faults(parent), pf) == [2, 0])
    #expect(try w.pfn(parent, a) == copy && w.counters(parent).wpReuse == 1)
    #expect(try w.read(child, a) == 1)
    #expect(w.invariantViolations() == [])
    try w.unpin(pin)
    // R-UNS-2 first row: an AE page raises no fault at all.
    _ = try w.pin(parent, a, page, write: false)
    #expect(delta(try w.faults(parent), pf) == [2, 0])
    #expect(w.invariantViolations() == [])
}
