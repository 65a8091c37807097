import Testing
@testable import MMModel

// First-touch, zero-page, madvise and mprotect behaviour of the world model,
// Linux 6.18 semantics: spec semantics §1.9, §3.8, §6.3, §7.3. Pictures:
// W writable, A read-only AE, r read-only shared, z zero page, . nothing.

// R-ZERO-1, R-ZERO-2: a read of untouched memory maps the zero page: 1 minor,
// read-only, special, no refcount or mapcount, no RSS, no anon_vma.
//   .  → read → z
@Test("read of untouched memory maps the zero page (R-ZERO-1)", arguments: Arch.allCases)
func readMapsZeroPage(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page)
    #expect(try w.rows(pid, a, 1) == ".")
    #expect(try w.read(pid, a) == 0)
    #expect(try w.faults(pid) == [1, 0])
    let st = try w.pageState(pid, a)
    #expect(st.zeroPage && st.pfn == Frames.zeroPfn && st.refcount == 0 && st.mapcount == 0 && !st.anonExclusive)
    #expect(w.fmt.isSpecial(Pte(st.entry)) && !w.fmt.isWrite(Pte(st.entry)))
    #expect(w.process(pid)!.rssAnon == 0 && !w.process(pid)!.vmas[0].hasAnonVma)
    _ = try w.read(pid, a)
    #expect(try w.faults(pid) == [1, 0])
    #expect(w.invariantViolations() == [])
}

// R-ZERO-3, §7.3: read then write of a fresh page = 2 minor; the write copies
// from the zero page into a zeroed AE page.
//   . → read → z → write → W
@Test("read then write of a fresh page = 2 minor (R-ZERO-3)", arguments: Arch.allCases)
func readThenWrite(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page)
    _ = try w.read(pid, a)
    try w.write(pid, a, 5)
    #expect(try w.faults(pid) == [2, 0])
    #expect(try w.counters(pid).wpCopy == 1 && w.counters(pid).zeroPageMapped == 1)
    let st = try w.pageState(pid, a)
    #expect(!st.zeroPage && st.anonExclusive && st.refcount == 1 && st.mapcount == 1 && st.token == 5)
    #expect(try w.rows(pid, a, 1) == "W")
    #expect(w.process(pid)!.rssAnon == 1)
    #expect(w.invariantViolations() == [])
}

// R-ZERO-5, §3.9 [K]: in a THP-eligible 2 MiB range a read maps the huge zero
// page (1 minor, the whole 2 MiB readable); a write allocates a fresh zeroed PMD
// THP mapped writable (1 minor); everything after is fault-free.
@Test("huge zero page read, then write allocates a PMD THP (R-ZERO-5)")
func hugeZeroPage() throws {
    var c = WorldConfig.small()
    c.thpEnabled = .madvise
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.madvise(pid, a, mib2, .hugepage)
    try w.access(pid, a, mib2, read: true, write: false)
    #expect(try w.faults(pid) == [1, 0])
    var st = try w.pageState(pid, a + 3 * page)
    #expect(st.pmdMapped && st.zeroPage && st.refcount == 0)
    #expect(w.hugeZeroMappings == 1)
    try w.write(pid, a + 3 * page, 9)
    #expect(try w.faults(pid) == [2, 0])
    st = try w.pageState(pid, a + 3 * page)
    #expect(st.pmdMapped && !st.zeroPage && st.order == 9 && st.anonExclusive && st.token == 9)
    #expect(try w.read(pid, a + 4 * page) == 0)
    try w.access(pid, a, mib2, read: true, write: true, value: 1)
    #expect(try w.faults(pid) == [2, 0])
    #expect(w.hugeZeroMappings == 0)
    #expect(w.invariantViolations() == [])
}

// MADV_DONTNEED zaps the page (frame freed, RSS down); the next read is a fresh
// fault that maps the zero page (R-ZERO-1).
//   W → DONTNEED → . → read → z
@Test("MADV_DONTNEED then read maps the zero page")
func dontneedThenRead() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page)
    let free0 = w.frames.freeFrames
    try w.write(pid, a, 7)
    #expect(w.frames.freeFrames == free0 - 1)
    try w.madvise(pid, a, page, .dontneed)
    #expect(try w.rows(pid, a, 1) == ".")
    #expect(w.frames.freeFrames == free0 && w.process(pid)!.rssAnon == 0)
    #expect(try w.read(pid, a) == 0)
    #expect(try w.rows(pid, a, 1) == "z")
    #expect(try w.faults(pid) == [2, 0])
    #expect(w.invariantViolations() == [])
}

// §6.3 (6.2+ upgrade, [K]): after mprotect(PROT_READ) then PROT_READ|PROT_WRITE
// an AE page is writable again: the next write takes no fault. A write while
// PROT_READ is SIGSEGV and counts nothing (§6.4 row 1).
//   WW → RO → AA → RW → WW → write: 0 faults
@Test("mprotect RO then RW: AE pages writable again, no fault (§6.3)", arguments: Arch.allCases)
func mprotectUpgradeAE(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * page)
    try w.access(pid, a, 2 * page, read: false, write: true, value: 1)
    try w.mprotect(pid, a, 2 * page, .read)
    #expect(try w.rows(pid, a, 2) == "AA")
    #expect(throws: MMMError.fault) { try w.write(pid, a, 2) }
    #expect(try w.faults(pid) == [2, 0])
    try w.mprotect(pid, a, 2 * page, .readWrite)
    #expect(try w.rows(pid, a, 2) == "WW")
    try w.write(pid, a, 3)
    #expect(try w.faults(pid) == [2, 0])
    #expect(try w.read(pid, a) == 3)
    #expect(w.invariantViolations() == [])
}

// §6.3 [K]: a page that lost AE through fork stays read-only across RO→RW even
// after the child exited; the next write is one minor fault that reuses it.
//   W → fork r|r → exit C → RO, RW → r → write → W (same frame)
@Test("mprotect RO then RW of a page shared at fork, sharer gone: 1 minor reuse (§6.3)")
func mprotectForkShared() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: page)
    try w.write(parent, a, 1)
    let x = try w.pfn(parent, a)
    let child = try w.fork(parent)
    try w.exit(child)
    try w.mprotect(parent, a, page, .read)
    try w.mprotect(parent, a, page, .readWrite)
    #expect(try w.rows(parent, a, 1) == "r")
    let pf = try w.faults(parent)
    try w.write(parent, a, 2)
    #expect(delta(try w.faults(parent), pf) == [1, 0])
    #expect(try w.pfn(parent, a) == x && w.counters(parent).wpReuse == 1)
    #expect(w.invariantViolations() == [])
}

// §6.3, R-MAP-6 [K]: mprotect over a whole PMD-mapped THP changes the PMD in place
// (only mprotect of part of it remaps it by PTEs); RO→RW of the AE THP makes it
// writable again without a fault.
//   2 MiB   PMD W → RO → PMD A → RW → PMD W → write: no fault
//   mprotect RO of pages 0-1 only → PTEs AA, the rest W; the folio stays whole
@Test("mprotect of a whole PMD THP keeps the PMD; RO→RW needs no fault (§6.3, R-MAP-6)", arguments: Arch.allCases)
func mprotectWholeThp(arch: Arch) throws {
    var c = WorldConfig.small(arch: arch)
    c.thpEnabled = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.write(pid, a, 1)
    try w.mprotect(pid, a, mib2, .read)
    #expect(try w.pageState(pid, a).pmdMapped && !w.writable(pid, a))
    try w.mprotect(pid, a, mib2, .readWrite)
    #expect(try w.pageState(pid, a).pmdMapped && w.writable(pid, a))
    try w.write(pid, a + page, 2)
    #expect(try w.faults(pid) == [1, 0])
    #expect(w.invariantViolations() == [])
    try w.mprotect(pid, a, 2 * page, .read)
    #expect(try w.rows(pid, a, 4) == "AAWW")
    let st = try w.pageState(pid, a + 3 * page)
    #expect(!st.pmdMapped && st.order == 9 && st.offset == 3 && st.anonExclusive)
    #expect(w.invariantViolations() == [])
}

// R-ACCT-1, R-ACCT-2: faults are counted per process, to the one that takes them;
// MADV_POPULATE_WRITE charges one minor fault per untouched page to its caller.
@Test("fault counters are per process; POPULATE_WRITE charges the caller (R-ACCT-2)")
func countersPerProcess() throws {
    var w = try World(.small())
    let p1 = w.createProcess()
    let p2 = w.createProcess()
    let a1 = try w.mmap(p1, length: 4 * page)
    let a2 = try w.mmap(p2, length: 4 * page)
    try w.access(p1, a1, 4 * page, read: false, write: true, value: 1)
    try w.madvise(p2, a2, 4 * page, .populateWrite)
    _ = try w.read(p2, a2)
    #expect(try w.faults(p1) == [4, 0] && w.faults(p2) == [4, 0])
    #expect(try w.rows(p2, a2, 4) == "WWWW")
    #expect(w.invariantViolations() == [])
}
