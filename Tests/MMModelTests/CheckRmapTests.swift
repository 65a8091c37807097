import Testing
@testable import MMModel

// The rmap walks (issue 4 item 1, spec §5.2, §5.3): page_vma_mapped_walk over
// every process at the folio's linear address, folio_referenced's young-bit
// test-and-clear, try_to_unmap through the walk.

@Test("rmap walk: a page shared by fork is found in both processes, PTE and PMD")
func rmapWalkFindsBoth() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: mib2)
    try w.madvise(parent, a, mib2, .hugepage)
    try w.write(parent, a, 1)
    let other = w.createProcess()                       // same address, own memory: never reported
    _ = try w.mmap(other, length: mib2)
    try w.write(other, a, 2)
    let child = try w.fork(parent)
    let pfn = try w.pfn(parent, a)
    let ms = try w.rmapMappings(folioOf: pfn + 5)       // any page of the folio names it
    #expect(ms.map(\.pid) == [parent, child])
    #expect(ms.allSatisfy { $0.isPmd && $0.address == a && $0.pfn == pfn })
    #expect(throws: MMMError.invalidArgument) { _ = try w.rmapMappings(folioOf: w.testingFreePfnForRmap()) }

    try w.write(child, a + 3 * page, 3)                  // the child's PMD is split, page 3 copied
    let after = try w.rmapMappings(folioOf: pfn)
    #expect(after.filter { $0.pid == parent }.count == 1)
    #expect(after.filter { $0.pid == child }.count == 511 && after.allSatisfy { $0.pid == parent || !$0.isPmd })
    #expect(w.check().isEmpty && w.violations.isEmpty)
}

@Test("folio_referenced clears A in every mapping and counts those that had it (R-REF-WALK-1)")
func folioReferencedCounts() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: page)
    try w.write(parent, a, 1)
    let child = try w.fork(parent)                       // §2.6: the child's PTE is old
    _ = try w.read(child, a)                             // now young too
    let pfn = try w.pfn(parent, a)
    let before = try (w.pageState(parent, a), w.pageState(child, a))
    var r = try w.folioReferenced(pfn)
    #expect(r.referenced == 2 && r.mappings == 2 && !r.locked)
    r = try w.folioReferenced(pfn)
    #expect(r.referenced == 0 && r.mappings == 2)
    _ = try w.read(parent, a)
    #expect(try w.folioReferenced(pfn).referenced == 1)
    for (pid, old) in [(parent, before.0), (child, before.1)] {
        let st = try w.pageState(pid, a)
        #expect(w.fmt.mkold(Pte(st.entry)) == w.fmt.mkold(Pte(old.entry)))   // only A changed
        #expect(st.mapcount == old.mapcount && st.refcount == old.refcount && st.anonExclusive == old.anonExclusive)
    }
    #expect(w.check().isEmpty && w.violations.isEmpty)
}

@Test("try_to_unmap through the walk: a page shared by fork gets swap PTEs in both")
func tryToUnmapThroughWalk() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: page)
    try w.write(parent, a, 1)
    let child = try w.fork(parent)
    let head = w.frames.frame(ofPfn: try w.pfn(parent, a))!
    let slot = w.swap.allocate(1)!
    w.addToSwapCache(head, slot: slot)
    let unmapped = w.tryToUnmap(head)
    #expect(unmapped)
    #expect(try w.rows(parent, a, 1) == "s" && w.rows(child, a, 1) == "s")
    #expect(try w.pageState(parent, a).swapCount == 2)
    w.deleteFromSwapCache(head)
    #expect(w.check().isEmpty)
}

extension World {
    /// A PFN no folio owns.
    func testingFreePfnForRmap() -> UInt64 {
        var f = Int32(frames.count - 1)
        while frames.isAllocated(f) { f -= 1 }
        return frames.pfn(f)
    }
}
