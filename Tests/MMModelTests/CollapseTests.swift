import Testing
@testable import MMModel

// MADV_COLLAPSE (mm/khugepaged.c madvise_collapse, Linux 6.18; Kernel/Collapse.swift).
// Rules: cc->is_khugepaged = false, so no max_ptes_none / max_ptes_swap /
// max_ptes_shared limit and no young-page test; swap entries are swapped in by
// __collapse_huge_page_swapin() (do_swap_page without mm_account_fault: no
// getrusage fault); every page is copied into a fresh PMD folio mapped by one
// writable, dirty, AnonExclusive PMD (folio_add_new_anon_rmap RMAP_EXCLUSIVE,
// maybe_pmd_mkwrite); the old pages lose this mapping (free_page_and_swap_cache).
// [K]: the same cases on the live 6.18 kernel (zram), /tmp C program, recorded
// in examples/scenarios/collapse.mmm.

/// A world with THP "madvise" (faults stay PTE-mapped without MADV_HUGEPAGE)
/// and one process with a 2 MiB-aligned 4 MiB mapping.
func collapseWorld() throws -> (World, Int32, UInt64) {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * mib2)
    return (w, pid, a)
}

func expectPmdThp(_ w: World, _ pid: Int32, _ a: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let st = try w.pageState(pid, a + 7 * page)
    #expect(st.pmdMapped && st.order == 9 && st.anonExclusive && st.refcount == 1 && st.folioMapcount == 1,
            "\(st)", sourceLocation: sourceLocation)
    #expect(try w.writable(pid, a), sourceLocation: sourceLocation)
}

@Test("all 512 pages present: one writable AE PMD THP, contents kept, old frames freed, no fault [K]")
func collapseFull() throws {
    var (w, pid, a) = try collapseWorld()
    for i in 0..<512 { try w.write(pid, a + UInt64(i) * page, UInt64(i & 255)) }
    let free0 = w.frames.freeFrames, f0 = try w.faults(pid)
    try w.collapse(pid, a, mib2)
    try expectPmdThp(w, pid, a)
    #expect(try w.faults(pid) == f0)
    #expect(w.frames.freeFrames == free0)                             // 512 small freed, 512 allocated
    #expect(try w.read(pid, a + 300 * page) == 300 & 255)
    #expect(w.processes[0].rssAnon == 512)
    #expect(w.invariantViolations() == [])
}

// No max_ptes_none for MADV_COLLAPSE: none and zero-page PTEs become zero-filled pages.
@Test("none and zero-page PTEs are no limit: half written, or only zero pages read, still collapse [K]",
      arguments: [false, true])
func collapseNoneAndZero(zeroOnly: Bool) throws {
    var (w, pid, a) = try collapseWorld()
    if zeroOnly {
        try w.access(pid, a, mib2, read: true, write: false)
        #expect(try w.pageState(pid, a).zeroPage)
    } else {
        try w.access(pid, a, 256 * page, read: false, write: true, value: 2)
    }
    try w.collapse(pid, a, mib2)
    try expectPmdThp(w, pid, a)
    #expect(try w.read(pid, a) == (zeroOnly ? 0 : 2) && w.read(pid, a + 400 * page) == 0)
    #expect(w.processes[0].rssAnon == 512)
    #expect(w.invariantViolations() == [])
}

// __collapse_huge_page_swapin(): do_swap_page for each swap PTE, not through
// handle_mm_fault, so getrusage counts nothing; the exclusive slots are freed.
@Test("swap entries are swapped in first, without a getrusage fault; 100 or all 512 swapped [K]",
      arguments: [100, 512])
func collapseSwapped(swapped: Int) throws {
    var (w, pid, a) = try collapseWorld()
    try w.access(pid, a, mib2, read: false, write: true, value: 3)
    #expect(try w.pageout(pid, a, UInt64(swapped) * page) == swapped)
    let f0 = try w.faults(pid)
    try w.collapse(pid, a, mib2)
    try expectPmdThp(w, pid, a)
    #expect(try w.faults(pid) == f0)
    #expect(try w.read(pid, a + 5 * page) == 3)
    #expect(w.swap.freeSlots == w.swap.slots - 1 && w.processes[0].rssSwap == 0)
    #expect(w.invariantViolations() == [])
}

// Shared with a child after fork (all PTEs read-only, no limit on shared PTEs):
// the parent gets its own THP copy; the child keeps the old pages, now mapped
// once, and reuses them on a write (do_wp_page: refcount 1) [K: child's
// pagemap shows them exclusively mapped].
@Test("a range shared with a child: the parent's copy becomes a THP, the child keeps the old pages [K]")
func collapseSharedWithChild() throws {
    var (w, parent, a) = try collapseWorld()
    try w.access(parent, a, mib2, read: false, write: true, value: 5)
    let child = try w.fork(parent)
    let old = try w.pfn(child, a + 10 * page)
    try w.collapse(parent, a, mib2)
    try expectPmdThp(w, parent, a)
    let st = try w.pageState(child, a + 10 * page)
    #expect(st.pfn == old && st.mapcount == 1 && st.refcount == 1 && !st.pmdMapped && st.token == 5)
    let cf = try w.faults(child)
    try w.write(child, a + 10 * page, 6)
    #expect(try delta(w.faults(child), cf) == [1, 0] && w.counters(child).wpReuse == 1)
    #expect(try w.read(parent, a + 10 * page) == 5)
    #expect(w.invariantViolations() == [])
}

// Swap entries shared with a child: the parent's swap-in leaves the page in the
// swap cache (the child's swap PTE names the slot, folio_free_swap fails); the
// child's PTE stays a swap entry [K] and its read is a swap-cache hit.
@Test("swap entries shared with a child: the child's entries stay, its read hits the swap cache [K]")
func collapseSharedSwap() throws {
    var (w, parent, a) = try collapseWorld()
    try w.access(parent, a, mib2, read: false, write: true, value: 7)
    #expect(try w.pageout(parent, a, 64 * page) == 64)
    let child = try w.fork(parent)
    try w.write(parent, a + 100 * page, 8)
    let pf = try w.faults(parent)
    try w.collapse(parent, a, mib2)
    try expectPmdThp(w, parent, a)
    #expect(try w.faults(parent) == pf)
    let st = try w.pageState(child, a + 3 * page)
    #expect(st.kind == .swap && st.swapCount == 1 && st.swapCache)
    let cf = try w.faults(child)
    #expect(try w.read(child, a + 3 * page) == 7 && w.read(parent, a + 3 * page) == 7)
    #expect(try delta(w.faults(child), cf) == [1, 0])
    #expect(try w.read(child, a + 100 * page) == 7 && w.read(parent, a + 100 * page) == 8)
    #expect(w.invariantViolations() == [])
}

// mTHP folios in the range are copied and, mapped nowhere else, freed.
@Test("64 KiB mTHPs in the range are replaced and freed")
func collapseMthp() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * mib2)
    try w.access(pid, a, mib2, read: false, write: true, value: 9)
    #expect(try w.pageState(pid, a).order == 4)
    let free0 = w.frames.freeFrames
    try w.collapse(pid, a, mib2)
    try expectPmdThp(w, pid, a)
    #expect(w.frames.freeFrames == free0)
    #expect(w.invariantViolations() == [])
}

// is_refcount_suitable(): a pin is a reference beyond mappings → SCAN_PAGE_COUNT
// → EAGAIN (madvise_collapse_errno), nothing changed. [K] 6.18: one page held by
// vmsplice → EAGAIN; once the pipe is drained the collapse succeeds.
@Test("a pinned page refuses the collapse with EAGAIN, the range unchanged")
func collapsePinned() throws {
    var (w, pid, a) = try collapseWorld()
    try w.access(pid, a, mib2, read: false, write: true, value: 1)
    _ = try w.pin(pid, a + 9 * page, page, write: true)
    let before = try WorldSnapshot(w, pid, a, pages: 512)
    #expect(throws: MMMError.tryAgain) { try w.collapse(pid, a, mib2) }
    #expect(try WorldSnapshot(w, pid, a, pages: 512) == before)
    #expect(w.invariantViolations() == [])
}

// madvise_collapse(): VM_NOHUGEPAGE → EINVAL; hstart > hend → EINVAL; an
// aligned 2 MiB with no PMD table → SCAN_PMD_NONE → EINVAL; a 2 MiB range that
// holds no whole aligned 2 MiB → nothing to do, success; an already PMD-mapped
// range → success (SCAN_PMD_MAPPED) [K: each on 6.18].
@Test("errors and no-ops: NOHUGEPAGE, less than 2 MiB, untouched 2 MiB, misaligned 2 MiB, already a THP [K]")
func collapseErrors() throws {
    var (w, pid, a) = try collapseWorld()
    try w.access(pid, a, mib2, read: false, write: true, value: 1)
    try w.madvise(pid, a, mib2, .nohugepage)
    #expect(throws: MMMError.invalidArgument) { try w.collapse(pid, a, mib2) }
    try w.madvise(pid, a, mib2, .hugepage)
    #expect(throws: MMMError.invalidArgument) { try w.collapse(pid, a + page, mib2 - 2 * page) }
    try w.collapse(pid, a + page, mib2)                                              // no whole aligned 2 MiB: done
    #expect(try !w.pageState(pid, a).pmdMapped)
    // The first 2 MiB collapses, the untouched second one ends the walk: EINVAL.
    #expect(throws: MMMError.invalidArgument) { try w.collapse(pid, a, 2 * mib2) }
    try expectPmdThp(w, pid, a)
    try w.collapse(pid, a, mib2)                                                     // SCAN_PMD_MAPPED
    #expect(w.invariantViolations() == [])
}

// KernelPolicy.madvCollapse: 6.12 (hpage_collapse_scan_pmd: SCAN_PAGE_RO when no
// PTE is writable [S: Debian 6.12 mm/khugepaged.c]) refuses a range left read-only
// by fork, and takes it once one page is written; before 6.1 the advice is unknown.
@Test("6.12: a read-only range after fork is refused (SCAN_PAGE_RO → EINVAL), a written page lets it collapse; 5.15: EINVAL")
func collapseOlderKernels() throws {
    var c = WorldConfig.small()
    c.policy = KernelPolicy.preset("6.12")!
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 2 * mib2)
    try w.access(parent, a, mib2, read: false, write: true, value: 5)
    _ = try w.fork(parent)
    let before = try WorldSnapshot(w, parent, a, pages: 512)
    #expect(throws: MMMError.invalidArgument) { try w.collapse(parent, a, mib2) }
    #expect(try WorldSnapshot(w, parent, a, pages: 512) == before)
    try w.write(parent, a, 6)                                          // COW: one writable PTE
    try w.collapse(parent, a, mib2)
    try expectPmdThp(w, parent, a)
    #expect(w.invariantViolations() == [])

    c.policy = KernelPolicy.preset("5.15")!
    var old = try World(c)
    let pid = old.createProcess()
    let b = try old.mmap(pid, length: 2 * mib2)
    try old.access(pid, b, mib2, read: false, write: true, value: 1)
    #expect(throws: MMMError.invalidArgument) { try old.collapse(pid, b, mib2) }
}
