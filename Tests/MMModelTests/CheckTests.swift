import Testing
@_spi(Testing) @testable import MMModel

// The checker catches what it claims (issue 4, item 5): for every rule, a world
// in a state the kernel could be in, one hook that breaks it, and exactly that
// rule id from both the full audit and the incremental check of what changed.
// Pictures: W writable AE, A read-only AE, r read-only shared, z zero page,
// S/s swap entry with/without the exclusive bit, . nothing.

/// Expects `rule` and nothing else from `check()` and from `checkTouched()`,
/// and that no operation recorded a violation before the break.
func expectOnly(_ w: inout World, _ rule: CheckRule, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(w.violations.isEmpty, "recorded before the break: \(w.violations)", sourceLocation: sourceLocation)
    let full = w.check()
    let touched = w.checkTouched()
    #expect(Set(full.map(\.rule)) == [rule], "check(): \(full)", sourceLocation: sourceLocation)
    #expect(Set(touched.map(\.rule)) == [rule], "checkTouched(): \(touched)", sourceLocation: sourceLocation)
    #expect(w.checkTouched().isEmpty, "a second checkTouched() finds nothing new", sourceLocation: sourceLocation)
}

/// One process, four pages written: WWWW.
func exclusiveWorld(_ c: WorldConfig = .small()) throws -> (World, Int32, UInt64) {
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 8 * page)
    try w.access(pid, a, 4 * page, read: false, write: true, value: 1)
    #expect(try w.rows(pid, a, 8) == "WWWW....")
    return (w, pid, a)
}

/// Four pages written, then fork: rrrr.... | rrrr....
func forkedWorld(_ c: WorldConfig = .small()) throws -> (World, Int32, Int32, UInt64) {
    var (w, parent, a) = try exclusiveWorld(c)
    let child = try w.fork(parent)
    #expect(try w.rows(parent, a, 8) == "rrrr...." && w.rows(child, a, 8) == "rrrr....")
    return (w, parent, child, a)
}

/// A 64 KiB folio written in one process, then forked (shared in both).
func forked64k() throws -> (World, Int32, Int32, UInt64) {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 2 * kib64, align: kib64)
    try w.access(parent, a, kib64, read: false, write: true, value: 1)
    #expect(try w.pageState(parent, a).order == 4)
    let child = try w.fork(parent)
    return (w, parent, child, a)
}

/// Page 0 swapped out, fork: s... | s...   (swap count 2, no SX).
func forkedSwap() throws -> (World, Int32, Int32, UInt64) {
    var (w, parent, a) = try exclusiveWorld()
    try w.pageout(parent, a, page)
    #expect(try w.rows(parent, a, 1) == "S")
    let child = try w.fork(parent)
    #expect(try w.rows(parent, a, 1) == "s" && w.rows(child, a, 1) == "s")
    return (w, parent, child, a)
}

/// forkedSwap, then the parent reads page 0 back: r... | s...; the folio stays
/// in the swap cache while the child's swap PTE names its slot.
func swapCachedWorld() throws -> (World, Int32, Int32, UInt64) {
    var (w, parent, child, a) = try forkedSwap()
    _ = try w.read(parent, a)
    let st = try w.pageState(parent, a)
    #expect(st.swapCache && st.swapCount == 1 && !st.anonExclusive)
    return (w, parent, child, a)
}

@Test("the worlds the rule tests start from are clean")
func baseWorldsClean() throws {
    var worlds: [World] = []
    worlds.append(try exclusiveWorld().0)
    worlds.append(try forkedWorld().0)
    worlds.append(try forked64k().0)
    worlds.append(try forkedSwap().0)
    worlds.append(try swapCachedWorld().0)
    for var w in worlds {
        #expect(w.check().isEmpty && w.violations.isEmpty && w.checkTouched().isEmpty)
    }
}

@Test("INV-1: a refcount one too high") func ruleInv1() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingAdjustRefcount(pid, a, by: 1)
    expectOnly(&w, .inv1)
}

@Test("INV-2: writable PTE of a page mapped once but not AE") func ruleInv2() throws {
    var (w, parent, child, a) = try forkedWorld()
    try w.write(child, a, 2)                                   // child copies: parent's page now mapped once, ¬AE
    #expect(try w.rows(parent, a, 1) == "r" && w.pageState(parent, a).mapcount == 1)
    w.testingSetPte(parent, a, w.fmt.mkwrite(Pte(w.testingPte(parent, a))).raw)
    expectOnly(&w, .inv2)
}

@Test("INV-3: AE set on a page shared by fork") func ruleInv3() throws {
    var (w, parent, _, a) = try forkedWorld()
    w.testingSetAnonExclusive(parent, a + page, true)
    expectOnly(&w, .inv3)
}

@Test("INV-4: AE on a folio that is not anonymous") func ruleInv4() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingSetFolioFlags(pid, a, remove: .anon)
    expectOnly(&w, .inv4)
}

@Test("INV-6: a mapcount one too high") func ruleInv6() throws {
    var (w, parent, _, a) = try forkedWorld()
    w.testingAdjustMapcount(parent, a + page, by: 1)
    expectOnly(&w, .inv6)
}

@Test("INV-7: a large folio mapped by two MMs, not marked shared") func ruleInv7() throws {
    var (w, parent, _, a) = try forked64k()
    w.testingSetMMShared(parent, a, false)
    expectOnly(&w, .inv7)
}

@Test("INV-8: AE swap-cache page while a swap PTE names its slot") func ruleInv8() throws {
    var (w, parent, _, a) = try swapCachedWorld()
    w.testingSetAnonExclusive(parent, a, true)
    expectOnly(&w, .inv8)
}

@Test("INV-9: SX on a swap PTE whose slot fork shared") func ruleInv9() throws {
    var (w, parent, _, a) = try forkedSwap()
    w.testingSetPte(parent, a, w.fmt.swpSet(Pte(w.testingPte(parent, a)), .exclusive).raw)
    expectOnly(&w, .inv9)
}

@Test("INV-10: a swap count off by one") func ruleInv10() throws {
    var (w, _, child, a) = try forkedSwap()
    w.testingAdjustSwapCount(try w.pageState(child, a).swapSlot, by: 1)
    expectOnly(&w, .inv10)
}

@Test("INV-11: a swap-cache folio that is not swap-backed") func ruleInv11() throws {
    var (w, parent, _, a) = try swapCachedWorld()
    w.testingSetFolioFlags(parent, a, remove: .swapBacked)
    expectOnly(&w, .inv11)
}

@Test("INV-12: a writable zero-page PTE") func ruleInv12() throws {
    var (w, pid, a) = try exclusiveWorld()
    _ = try w.read(pid, a + 5 * page)
    #expect(try w.rows(pid, a, 8) == "WWWW.z..")
    w.testingSetPte(pid, a + 5 * page, w.fmt.mkwrite(Pte(w.testingPte(pid, a + 5 * page))).raw)
    expectOnly(&w, .inv12)
}

@Test("INV-13: a large KSM folio") func ruleInv13() throws {
    var (w, parent, _, a) = try forked64k()
    w.testingSetFolioFlags(parent, a, insert: .ksm)
    expectOnly(&w, .inv13)
}

@Test("INV-14: a page shared by fork made writable in one process") func ruleInv14() throws {
    var (w, parent, _, a) = try forkedWorld()
    w.testingSetPte(parent, a, w.fmt.mkwrite(Pte(w.testingPte(parent, a))).raw)
    expectOnly(&w, .inv14)
}

@Test("INV-15: a writable uffd-wp PTE") func ruleInv15() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingSetPte(pid, a, w.fmt.mkuffdWp(Pte(w.testingPte(pid, a))).raw)
    expectOnly(&w, .inv15)
}

@Test("INV-16: soft-dirty tracking on, a writable PTE not soft-dirty") func ruleInv16() throws {
    var c = WorldConfig.small()
    c.format = PteFormat(arch: .x86_64, config: [.softDirty, .uffdWp, .migration])
    var (w, pid, a) = try exclusiveWorld(c)
    w.testingSetPte(pid, a, w.fmt.clearSoftDirty(Pte(w.testingPte(pid, a))).raw)
    #expect(w.checkTouched().isEmpty)                          // VM_SOFTDIRTY set: tracking off
    w.testingSetVmaFlags(pid, a, remove: .softDirty)
    expectOnly(&w, .inv16)
}

@Test("INV-17: MM_ANONPAGES one too high") func ruleInv17() throws {
    var (w, pid, _) = try exclusiveWorld()
    w.testingAdjustRss(pid, anon: 1)
    expectOnly(&w, .inv17)
}

@Test("INV-19: a pinned page that lost AE") func ruleInv19() throws {
    var (w, pid, a) = try exclusiveWorld()
    try w.mprotect(pid, a, page, .read)
    _ = try w.pin(pid, a, page, write: false)
    #expect(try w.rows(pid, a, 1) == "A")
    w.testingSetAnonExclusive(pid, a, false)
    expectOnly(&w, .inv19)
}

@Test("INV-22: a page mapped at a second address of the same MM") func ruleInv22() throws {
    var (w, _, child, a) = try forkedWorld()
    w.testingSetPte(child, a + 6 * page, w.testingPte(child, a + page))
    w.testingAdjustRss(child, anon: 1)
    expectOnly(&w, .inv22)
}

@Test("ENC-STRAY: a PTE with a cache-attribute bit the VMA's protection lacks") func ruleEncStray() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingSetPte(pid, a, w.testingPte(pid, a) | 0x10)      // x86-64 PCD
    expectOnly(&w, .encStray)
}

@Test("ENC-KIND: a PTE marker the model never creates (a guard marker; UFFD_WP markers are modelled)") func ruleEncKind() throws {
    var (w, pid, a) = try exclusiveWorld()
    var info = PteInfo(kind: .marker)
    info.marker = .guardRegion
    w.testingSetPte(pid, a + 6 * page, try w.fmt.encode(info).raw)
    expectOnly(&w, .encKind)
}

@Test("PT-FREE-FRAME: a PTE installed over a free frame") func rulePtFreeFrame() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingSetPte(pid, a + 6 * page, w.mkPte(w.testingFreePfn(), [.read, .write]).raw)
    w.testingAdjustRss(pid, anon: 1)
    expectOnly(&w, .ptFreeFrame)
}

@Test("PT-FREE-FRAME: a folio freed while still mapped") func rulePtFreeFrameFreed() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingFreeFolio(pid, a + page)
    expectOnly(&w, .ptFreeFrame)
}

@Test("PT-FREE-SLOT: a swap PTE naming a free slot") func rulePtFreeSlot() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingSetPte(pid, a + 6 * page, w.fmt.archSwpEntry(type: 0, offset: 100).raw)
    w.testingAdjustRss(pid, swap: 1)
    expectOnly(&w, .ptFreeSlot)
}

@Test("PT-NO-VMA: page tables left behind by a VMA that is gone") func rulePtNoVma() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page)
    _ = try w.read(pid, a)                                     // z: nothing counted
    w.testingRemoveVma(pid, a)
    expectOnly(&w, .ptNoVma)
}

@Test("RMAP-ADDR: a mapping moved away from its linear address") func ruleRmapAddr() throws {
    var (w, _, child, a) = try forkedWorld()
    let pte = w.testingPte(child, a + page)
    w.testingAdjustMapcount(child, a + page, by: -1)           // the rmap will not find it: counts agree
    w.testingAdjustRefcount(child, a + page, by: -1)
    w.testingSetPte(child, a + page, 0)
    w.testingSetPte(child, a + 6 * page, pte)
    expectOnly(&w, .rmapAddr)
}

@Test("FOLIO-GEOMETRY: a 64 KiB folio mapped one page off its alignment") func ruleFolioGeometry() throws {
    var (w, parent, child, a) = try forked64k()
    try w.exit(child)
    for i in stride(from: 15, through: 0, by: -1) {
        let at = a + UInt64(i) * page
        w.testingSetPte(parent, at + page, w.testingPte(parent, at))
    }
    w.testingSetPte(parent, a, 0)
    w.testingSetFolioIndex(parent, a + page, (a >> 12) + 1)
    expectOnly(&w, .folioGeometry)
}

@Test("PIN-COUNT: a large folio's pincount without a pin") func rulePinCount() throws {
    var (w, parent, _, a) = try forked64k()
    w.testingAdjustPincount(parent, a, by: 1)
    expectOnly(&w, .pinCount)
}

@Test("every rule id has a test above")
func everyRuleTested() {
    // The rules the tests above break, one test each (PT-FREE-FRAME twice).
    let tested: Set<CheckRule> = [.inv1, .inv2, .inv3, .inv4, .inv6, .inv7, .inv8, .inv9, .inv10, .inv11, .inv12,
                                  .inv13, .inv14, .inv15, .inv16, .inv17, .inv19, .inv22, .encStray, .encKind,
                                  .ptFreeFrame, .ptFreeSlot, .ptNoVma, .rmapAddr, .folioGeometry, .pinCount,
                                  // COW PTE tables: CowPteTests.ruleWritable / ruleShares / ruleOwners.
                                  .cowPteWritable, .cowPteShares, .cowPteOwners]
    #expect(Set(CheckRule.allCases) == tested)
}

// Check-after-each-operation records what it finds in `violations`; the
// operation itself completes.
@Test("check after each operation records a violation and the operation succeeds")
func checkAfterOperationRecords() throws {
    var (w, pid, a) = try exclusiveWorld()
    w.testingAdjustRefcount(pid, a, by: 1)
    #expect(try w.read(pid, a + page) == 1)
    #expect(w.violations.map(\.rule) == [.inv1])
    #expect(w.violations.first?.pfn == (try w.pageState(pid, a).folioPfn))
    _ = try w.read(pid, a + 2 * page)
    #expect(w.violations.count == 1)                           // reported once, when it appeared
}

@Test("the checker is off by default in the library")
func checkOffByDefault() throws {
    var c = WorldConfig.small()
    c.checkAfterEachOperation = false
    var w = try World(c)
    #expect(!w.checkAfterEachOperation && !w.tracksTouched)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page)
    try w.write(pid, a, 1)
    w.testingAdjustRefcount(pid, a, by: 1)
    _ = try w.read(pid, a)
    #expect(w.violations.isEmpty)
    #expect(w.checkTouched().map(\.rule) == [.inv1])           // untracked: the full audit
    #expect(WorldConfig().checkAfterEachOperation == false)
}
