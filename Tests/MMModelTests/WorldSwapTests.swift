import Testing
@testable import MMModel

// Swap-out and swap-in of the world model, Linux 6.18 semantics, synchronous
// (zram-like) device. Expected values from spec semantics §4, §7.3, §7.4.
// Pictures: one character per page (WorldTestSupport.rows): W writable,
// A read-only AE, r read-only shared, z zero page, S swap PTE with SX,
// s swap PTE without SX, . nothing.

// Spec §7.4 (issue 3 item 7, the seed microbenchmark): 6.11+, order-0, zram.
//   page      0 1 2 … 511
//   write     W W W … W     512 minor (§3.8: AE, W, D)
//   PAGEOUT   S S S … S     no fault (U10: SX := AE; zram frees each folio)
//   read+write every page   0 minor, 512 major: skip path, fresh ⇒ exclusive ⇒ W on read (§4.6)
//             W W W … W
@Test("seed microbenchmark: PAGEOUT then read+write = 0 minor / 512 major (§7.4)", arguments: Arch.allCases)
func seedMicrobenchmark(arch: Arch) throws {
    var w = try World(.small(arch: arch))
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.access(pid, a, mib2, read: false, write: true, value: 7)
    #expect(try w.faults(pid) == [512, 0])
    #expect(try w.pageout(pid, a, mib2) == 512)
    #expect(try w.rows(pid, a, 512) == String(repeating: "S", count: 512))
    #expect(try w.faults(pid) == [512, 0])               // MADV_PAGEOUT takes no fault
    let before = try w.faults(pid)
    for i in 0..<512 {
        let addr = a + UInt64(i) * page
        #expect(try w.read(pid, addr) == 7)
        try w.write(pid, addr, 8)
    }
    #expect(delta(try w.faults(pid), before) == [0, 512])
    #expect(try w.counters(pid).swapinDevice == 512)
    #expect(try w.rows(pid, a, 512) == String(repeating: "W", count: 512))
    // R-SC-6 does not apply: the skip path never used the swap cache; every slot is free again.
    #expect(w.swap.freeSlots == w.swap.slots - 1)
    #expect(try !w.pageState(pid, a).swapCache)
    #expect(w.invariantViolations() == [])
}

// Spec §7.4 [K] variant, issue 3 item 7: a read-only pass is 512 major; the pages
// came back writable and clean, so writing them all is fault-free (§4.6, §7.5).
//   PAGEOUT   S … S
//   read all  W … W    0 minor / 512 major
//   write all W … W    0 / 0
@Test("read-only pass after PAGEOUT = 0/512, then writing everything = 0/0 (§4.6, §7.4)")
func readPassThenWrites() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.access(pid, a, mib2, read: false, write: true, value: 3)
    try w.pageout(pid, a, mib2)
    var before = try w.faults(pid)
    try w.access(pid, a, mib2, read: true, write: false)
    #expect(delta(try w.faults(pid), before) == [0, 512])
    let st = try w.pageState(pid, a)
    #expect(st.anonExclusive && st.token == 3)
    #expect(!w.fmt.isDirty(Pte(st.entry)))                 // 6.11+: W but not D on a read fault
    before = try w.faults(pid)
    try w.access(pid, a, mib2, read: false, write: true, value: 4)
    #expect(delta(try w.faults(pid), before) == [0, 0])
    #expect(try w.read(pid, a + 100 * page) == 4)
    #expect(w.invariantViolations() == [])
}

// Spec §4.8 [K] and §4.1 step 1 (issue 3 item 7): a 64 KiB mTHP swapped out whole
// (16 consecutive, aligned slots) returns as one 64 KiB folio in one major fault
// when that size is enabled for the VMA; the other 15 pages are then fault-free.
//   page      0123456789abcdef
//   write     WWWWWWWWWWWWWWWW   1 minor (R-ANON-1), one order-4 folio
//   PAGEOUT   SSSSSSSSSSSSSSSS   slots s…s+15, s % 16 == 0
//   read 5    WWWWWWWWWWWWWWWW   1 major, order 4, every PTE writable (fresh ⇒ exclusive)
@Test("64 KiB folio swapped out returns in one major fault (§4.8)", arguments: [THPSetting.always, .madvise])
func mthpSwapInWhole(setting: THPSetting) throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = setting
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    if setting == .madvise { try w.madvise(pid, a, kib64, .hugepage) }
    for i in 0..<16 { try w.write(pid, a + UInt64(i) * page, 100 + UInt64(i)) }
    #expect(try w.faults(pid) == [1, 0])
    #expect(try w.pageState(pid, a).order == 4)
    #expect(try w.pageout(pid, a, kib64) == 16)
    #expect(try w.rows(pid, a, 16) == "SSSSSSSSSSSSSSSS")
    let first = try w.pageState(pid, a).swapSlot
    #expect(first % 16 == 0)
    for i in 0..<16 { #expect(try w.pageState(pid, a + UInt64(i) * page).swapSlot == first + i) }
    #expect(try w.read(pid, a + 5 * page) == 105)
    #expect(try w.faults(pid) == [1, 1])
    let st = try w.pageState(pid, a + 5 * page)
    #expect(st.order == 4 && st.offset == 5 && st.refcount == 16 && st.folioMapcount == 16)
    #expect(try w.rows(pid, a, 16) == "WWWWWWWWWWWWWWWW")
    for i in 0..<16 where i != 5 {
        #expect(try w.read(pid, a + UInt64(i) * page) == 100 + UInt64(i))
        try w.write(pid, a + UInt64(i) * page, 200)
    }
    #expect(try w.faults(pid) == [1, 1])
    #expect(w.invariantViolations() == [])
}

// Spec §7.4 variant [K]: 64 KiB enabled for a 2 MiB range: fill = 32 minor,
// PAGEOUT, read+write loop = 32 major + 0 minor.
@Test("2 MiB of 64 KiB folios: fill 32 minor, loop 32 major (§7.4)")
func mthpSeedVariant() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.access(pid, a, mib2, read: false, write: true, value: 1)
    #expect(try w.faults(pid) == [32, 0])
    #expect(try w.pageout(pid, a, mib2) == 512)
    try w.access(pid, a, mib2, read: true, write: true, value: 2)
    #expect(try w.faults(pid) == [32, 32])
    #expect(w.invariantViolations() == [])
}

// Spec §2.9 E2-4, §2.7, R-SC-6, §3.3 (sync device, order-0).
//   page         0
//   parent       W        written
//   PAGEOUT      S        swcount 1
//   fork         s | s    swcount 2; SX cleared in the parent (§2.7); child the same entry
//   P read       r | s    miss, swcount 2 → readahead path: 1 major; Y stays in the swap cache,
//                         read-only, ¬AE (exclusive := SX = false); swcount 1
//   P write      W | s    ¬AE, folio_free_swap fails (child's PTE) → copy: 1 minor; Y cached, unmapped
//   C read       W | r    swap-cache hit: 1 minor; read-only, ¬AE; swcount 0
//   C write      W | W    folio_free_swap succeeds, ref 1 → reuse Y: 1 minor
@Test("fork of a swap entry, then both sides read and write (E2-4)")
func forkSwapEntry() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: page)
    try w.write(parent, a, 11)
    try w.pageout(parent, a, page)
    #expect(try w.rows(parent, a, 1) == "S")
    let slot = try w.pageState(parent, a).swapSlot
    let child = try w.fork(parent)
    #expect(try w.rows(parent, a, 1) == "s" && w.rows(child, a, 1) == "s")
    #expect(try w.pageState(parent, a).swapCount == 2)
    #expect(try w.faults(child) == [0, 0])                    // R-FORK-2

    #expect(try w.read(parent, a) == 11)
    #expect(try w.faults(parent) == [1, 1])
    var st = try w.pageState(parent, a)
    #expect(st.swapCache && !st.anonExclusive && st.swapSlot == slot && st.swapCount == 1)
    #expect(st.refcount == 2 && st.mapcount == 1)             // cache + mapping (R-REF-2)
    #expect(try w.rows(parent, a, 1) == "r")
    let y = st.pfn

    try w.write(parent, a, 12)
    #expect(try w.faults(parent) == [2, 1])
    #expect(try w.counters(parent).wpCopy == 1)
    #expect(try w.pfn(parent, a) != y && w.rows(parent, a, 1) == "W")
    st = try w.pageState(child, a)                            // Y: cached, unmapped
    #expect(st.kind == .swap && st.swapCache && st.folioPfn == y && st.refcount == 1 && st.mapcount == 0)

    #expect(try w.read(child, a) == 11)
    #expect(try w.faults(child) == [1, 0])
    #expect(try w.counters(child).swapinCache == 1)
    st = try w.pageState(child, a)
    #expect(st.pfn == y && st.swapCache && st.swapCount == 0 && !st.anonExclusive)
    #expect(try w.rows(child, a, 1) == "r")

    try w.write(child, a, 13)
    #expect(try w.faults(child) == [2, 0])
    #expect(try w.counters(child).wpReuse == 1)
    st = try w.pageState(child, a)
    #expect(st.pfn == y && !st.swapCache && st.anonExclusive && st.refcount == 1)
    #expect(!w.swap.isUsed(slot))
    #expect(try w.read(parent, a) == 12)
    #expect(w.invariantViolations() == [])
}

// Spec §4.1 item 4 [K]: MADV_PAGEOUT skips folios still mapped by a fork child;
// once the child is gone the same call pages them out, SX clear (¬AE since fork);
// the swap-in is then exclusive anyway (R-SWI-1: swcount 1, skip path).
//   page      0123
//   fork      rrrr | rrrr
//   PAGEOUT   rrrr          nothing swapped (mapcount 2)
//   exit C    rrrr
//   PAGEOUT   ssss
//   read 0    Wsss          1 major, writable (fresh folio)
@Test("PAGEOUT skips pages shared with a fork child (§4.1 item 4)")
func pageoutSkipsShared() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 4 * page)
    try w.access(parent, a, 4 * page, read: false, write: true, value: 5)
    let child = try w.fork(parent)
    #expect(try w.pageout(parent, a, 4 * page) == 0)
    #expect(try w.rows(parent, a, 4) == "rrrr")
    #expect(try w.pageState(parent, a).mapcount == 2)
    try w.exit(child)
    #expect(try w.pageout(parent, a, 4 * page) == 4)
    #expect(try w.rows(parent, a, 4) == "ssss")
    #expect(try w.read(parent, a) == 5)
    #expect(try w.rows(parent, a, 4) == "Wsss")
    #expect(try w.faults(parent) == [4, 1])
    #expect(w.invariantViolations() == [])
}

// R-SWO-2, §4.1 item 4 [K]: a page pinned read-write stays present, writable and
// out of the swap cache; its neighbour is swapped out. After unpin it can go.
//   page      01
//   write     WW
//   pin 0     WW   (P on page 0)
//   PAGEOUT   WS
//   unpin, PAGEOUT  SS
@Test("PAGEOUT skips pinned pages (R-SWO-2)")
func pageoutSkipsPinned() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * page)
    try w.access(pid, a, 2 * page, read: false, write: true, value: 9)
    let pin = try w.pin(pid, a, page, write: true)
    #expect(try w.pageState(pid, a).refcount == 1 + 1024)      // R-PIN-1
    #expect(try w.pageout(pid, a, 2 * page) == 1)
    #expect(try w.rows(pid, a, 2) == "WS")
    #expect(try !w.pageState(pid, a).swapCache)
    let before = try w.faults(pid)
    try w.write(pid, a, 10)
    #expect(try w.faults(pid) == before)
    #expect(w.invariantViolations() == [])
    try w.unpin(pin)
    #expect(try w.pageout(pid, a, 2 * page) == 1)
    #expect(try w.rows(pid, a, 2) == "SS")
    #expect(w.invariantViolations() == [])
}

// §4.1 item 4 with R-SWO-2: a large folio only partly inside the PAGEOUT range is
// split first, but split_folio fails on a folio with extra references (a pin), so
// the folio stays whole, mapped and pinned.
//   page      0123456789abcdef   one 64 KiB folio, page 0 pinned read-write
//   PAGEOUT of pages 4-7 → nothing changes
@Test("PAGEOUT of part of a pinned 64 KiB folio leaves it whole (§4.1 item 4, R-SWO-2)")
func pageoutPartOfPinnedLargeFolio() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    try w.access(pid, a, kib64, read: false, write: true, value: 1)
    let pin = try w.pin(pid, a, page, write: true)
    #expect(try w.pageout(pid, a + 4 * page, 4 * page) == 0)
    let st = try w.pageState(pid, a + 4 * page)
    #expect(st.order == 4 && st.maybePinned && st.refcount == 17)
    #expect(try w.rows(pid, a, 16) == String(repeating: "W", count: 16))
    #expect(w.invariantViolations() == [])
    try w.unpin(pin)
    #expect(w.invariantViolations() == [])
}

// §4.1 step 3, §7.2: on an asynchronous device the folio stays in the swap cache
// after PAGEOUT; the next access is a swap-cache hit (minor). The entry had SX, so
// the read maps it writable (§4.5: SX of the faulting PTE; §4.6).
@Test("asynchronous device: access after PAGEOUT is a minor swap-cache hit (§4.1 step 3)")
func asyncDeviceCacheHit() throws {
    var c = WorldConfig.small()
    c.swapDevice = .asynchronous
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page)
    try w.write(pid, a, 6)
    #expect(try w.pageout(pid, a, page) == 1)
    #expect(try w.pageState(pid, a).swapCache)
    #expect(try w.read(pid, a) == 6)
    #expect(try w.faults(pid) == [2, 0])
    #expect(try w.counters(pid).swapinCache == 1)
    #expect(try w.rows(pid, a, 1) == "W")
    #expect(w.invariantViolations() == [])
}

// §4.4 step 15, §7.3 [K]: a write fault on a shared swap entry swaps in and COWs
// in the same fault: 1 major, no extra minor; the folio stays in the swap cache
// for the child.
//   s | s  → P writes → W | s  (1 major; P on a new frame, Y cached and unmapped)
@Test("write to a shared swap entry: swap-in and COW in one major fault (§4.4 step 15)")
func writeSharedSwapEntry() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: page)
    try w.write(parent, a, 1)
    try w.pageout(parent, a, page)
    let child = try w.fork(parent)
    try w.write(parent, a, 2)
    #expect(try w.faults(parent) == [1, 1])
    #expect(try w.counters(parent).wpCopy == 1)
    #expect(try w.rows(parent, a, 1) == "W" && w.rows(child, a, 1) == "s")
    let st = try w.pageState(child, a)
    #expect(st.swapCache && st.mapcount == 0 && st.token == 1)
    #expect(try w.read(child, a) == 1)
    #expect(try w.faults(child) == [1, 0])
    #expect(w.invariantViolations() == [])
}

// §4.4 step 7, §4.5, §7.2: on an asynchronous device a 64 KiB folio stays in the
// swap cache after PAGEOUT; a fault is a cache hit that maps all 16 PTEs at once
// (the swap PTEs still form the batch), writable through SX: 1 minor in total.
@Test("asynchronous device: a cached 64 KiB folio is mapped whole by one minor fault (§4.4 step 7)")
func asyncMthpCacheHit() throws {
    var c = WorldConfig.small()
    c.swapDevice = .asynchronous
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    try w.access(pid, a, kib64, read: false, write: true, value: 1)
    #expect(try w.pageout(pid, a, kib64) == 16)
    #expect(try w.read(pid, a + 9 * page) == 1)
    #expect(try w.faults(pid) == [2, 0])
    #expect(try w.rows(pid, a, 16) == String(repeating: "W", count: 16))
    let st = try w.pageState(pid, a)
    #expect(st.order == 4 && st.swapCache && st.refcount == 32 && st.folioMapcount == 16)
    try w.access(pid, a, kib64, read: true, write: true, value: 2)
    #expect(try w.faults(pid) == [2, 0])
    #expect(w.invariantViolations() == [])
}
