import Testing
@testable import MMModel

// mremap of private anonymous memory (mm/mremap.c, Linux 6.18; Kernel/Mremap.swift).
// Rules: move_vma() → copy_vma() gives the new VMA vm_pgoff = old vm_pgoff +
// offset of the moved range; move_page_tables() moves entries unchanged
// (move_ptes, move_huge_pmd when both ends are PMD aligned, else
// split_huge_pmd first; move_normal_pmd moves a whole PTE table); no rmap,
// refcount, swap count or RSS change, no fault. folio->index is not touched:
// the rmap finds a moved page at vma_address() from the new VMA's vm_pgoff.
// Pictures: W writable AE, A read-only AE, r read-only shared, S/s swap, . nothing.

/// The addresses at which the rmap walk finds the folio of `addr`'s page.
func rmapAddresses(_ w: World, _ pid: Int32, _ addr: UInt64) throws -> [UInt64] {
    try w.rmapMappings(folioOf: w.pageState(pid, addr).pfn).map(\.address)
}

//   A: WWWW....   mremap(A, 4 pages, MAYMOVE|FIXED, B+1 page)
//   A: (gone)     B: .WWWW...   same frames, same tokens, no fault
@Test("move_ptes: pages keep their frames and AE, nothing faults, the rmap finds the new address")
func mremapMovePtes() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 8 * page)
    let b = try w.mmap(pid, length: 8 * page)
    for i in 0..<4 { try w.write(pid, a + UInt64(i) * page, UInt64(10 + i)) }
    let pfns = try (0..<4).map { try w.pfn(pid, a + UInt64($0) * page) }
    let f0 = try w.faults(pid)
    let to = try w.mremap(pid, a, oldLength: 4 * page, newLength: 4 * page, flags: [.mayMove, .fixed],
                          newAddress: b + page)
    #expect(to == b + page)
    #expect(try w.faults(pid) == f0)                                 // mremap faults nothing
    #expect(try w.rows(pid, b, 8) == ".WWWW...")
    #expect(try (0..<4).map { try w.pfn(pid, b + UInt64($0 + 1) * page) } == pfns)
    #expect(throws: MMMError.fault) { try w.pageState(pid, a) }       // the old range is unmapped
    #expect(try w.rows(pid, a + 4 * page, 4) == "....")               // the rest of A stays
    #expect(try rmapAddresses(w, pid, b + 2 * page) == [b + 2 * page])
    #expect(try w.read(pid, b + 3 * page) == 12 && w.faults(pid) == f0)
    #expect(w.processes[0].rssAnon == 4)
    // Reclaim goes through the rmap: the moved pages swap out and back in.
    #expect(try w.pageout(pid, b + page, 4 * page) == 4)
    #expect(try w.rows(pid, b, 8) == ".SSSS...")
    #expect(try w.read(pid, b + 4 * page) == 13)
    #expect(try delta(w.faults(pid), f0) == [0, 1])
    #expect(w.invariantViolations() == [])
}

// After fork the child moves the shared pages: one folio, mapped at A in the
// parent and at B in the child, both found by the rmap (vm_pgoff keeps the
// linear index). Writes then COW as without the move (§3.3).
@Test("a child's mremap of shared pages: the rmap finds both mappings; writes COW as before")
func mremapAfterFork() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 4 * page)
    try w.access(parent, a, 4 * page, read: false, write: true, value: 1)
    let child = try w.fork(parent)
    #expect(try w.mremap(child, a, oldLength: 4 * page, newLength: 4 * page, flags: .mayMove) == a)   // same size: no move
    let b = try w.mmap(child, length: 8 * page)
    let to = try w.mremap(child, a, oldLength: 4 * page, newLength: 4 * page, flags: [.mayMove, .fixed],
                          newAddress: b + 2 * page)
    #expect(try w.rows(parent, a, 4) == "rrrr" && w.rows(child, to, 4) == "rrrr")
    #expect(try Set(rmapAddresses(w, parent, a + page)) == [a + page, to + page])
    #expect(try w.pageState(child, to + page).mapcount == 2)
    let cf = try w.faults(child)
    try w.write(child, to + page, 7)                                  // do_wp_page: shared → copy
    #expect(try delta(w.faults(child), cf) == [1, 0] && w.counters(child).wpCopy == 1)
    try w.write(parent, a + page, 8)                                  // now exclusive → reuse
    #expect(try w.counters(parent).wpReuse == 1)
    #expect(try w.read(child, to + page) == 7 && w.read(parent, a + page) == 8)
    #expect(try w.read(parent, a + 2 * page) == 1 && w.read(child, to + 2 * page) == 1)
    #expect(w.invariantViolations() == [])
}

// Swap entries move as they are: the swap count stays 2 after fork, the
// moved child's read is a swap-cache hit once the parent read it back.
@Test("swap PTEs move unchanged: swap counts stay, the slot's users are found at the new address")
func mremapSwapEntries() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 4 * page)
    try w.access(parent, a, 4 * page, read: false, write: true, value: 5)
    #expect(try w.pageout(parent, a, 4 * page) == 4)
    let child = try w.fork(parent)
    let b = try w.mmap(child, length: 16 * page)
    let to = try w.mremap(child, a, oldLength: 4 * page, newLength: 4 * page, flags: [.mayMove, .fixed],
                          newAddress: b + 3 * page)
    #expect(try w.rows(child, to, 4) == "ssss" && w.pageState(child, to).swapCount == 2)
    #expect(try w.pageState(child, to + page).swapSlot == w.pageState(parent, a + page).swapSlot)
    #expect(try w.read(parent, a + page) == 5)
    let cf = try w.faults(child)
    #expect(try w.read(child, to + page) == 5)
    #expect(try delta(w.faults(child), cf) == [1, 0])                 // the parent's folio, from the swap cache
    #expect(try w.pfn(child, to + page) == w.pfn(parent, a + page))
    #expect(w.invariantViolations() == [])
}

// move_huge_pmd(): both ends PMD aligned, extent 2 MiB → the PMD leaf moves.
// Otherwise split_huge_pmd() first: 512 PTEs, the folio stays order 9. [K] 6.18:
// smaps AnonHugePages 2048 kB after the aligned move, 0 kB after the misaligned
// one, kpageflags THP set on both, no fault.
@Test("a PMD THP moves as a PMD to an aligned address, and is split to PTEs for an unaligned one",
      arguments: [false, true])
func mremapPmdThp(aligned: Bool) throws {
    var c = WorldConfig.small()
    c.thpEnabled = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.write(pid, a, 3)
    let x = try w.pageState(pid, a).folioPfn
    #expect(try w.pageState(pid, a).pmdMapped)
    let b = try w.mmap(pid, length: 2 * mib2)                         // 2 MiB aligned
    let dest = aligned ? b : b + page
    let f0 = try w.faults(pid)
    _ = try w.mremap(pid, a, oldLength: mib2, newLength: mib2, flags: [.mayMove, .fixed], newAddress: dest)
    let st = try w.pageState(pid, dest + 5 * page)
    #expect(st.folioPfn == x && st.order == 9 && st.pmdMapped == aligned)
    #expect(st.folioMapcount == (aligned ? 1 : 512) && st.refcount == (aligned ? 1 : 512))
    #expect(try w.read(pid, dest) == 3 && w.faults(pid) == f0)
    #expect(try rmapAddresses(w, pid, dest).count == (aligned ? 1 : 512))
    #expect(w.invariantViolations() == [])
}

// A partial move of a 64 KiB mTHP: the folio stays whole, 8 pages mapped at A,
// 8 at B (two VMAs of one MM); its mapcount and MM slot still count 16.
@Test("moving half of a 64 KiB mTHP leaves one folio PTE-mapped in two VMAs")
func mremapPartialMthp() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: kib64, align: kib64)
    try w.access(pid, a, kib64, read: false, write: true, value: 1)
    let x = try w.pageState(pid, a).folioPfn
    let b = try w.mmap(pid, length: 16 * page)
    let to = try w.mremap(pid, a + 8 * page, oldLength: 8 * page, newLength: 8 * page, flags: [.mayMove, .fixed],
                          newAddress: b + 3 * page)
    #expect(try w.pageState(pid, to).folioPfn == x && w.pageState(pid, a).folioPfn == x)
    #expect(try w.pageState(pid, to + 7 * page).folioMapcount == 16)
    let addrs = try rmapAddresses(w, pid, a)
    #expect(addrs.count == 16 && addrs.filter { $0 >= to && $0 < to + 8 * page }.count == 8)
    // MADV_PAGEOUT of the moved half: the folio is not covered there → split (§4.1), then reclaimed.
    #expect(try w.pageout(pid, to, 8 * page) == 8)
    #expect(try w.rows(pid, to, 8) == "SSSSSSSS" && w.rows(pid, a, 8) == "WWWWWWWW")
    #expect(w.invariantViolations() == [])
}

// vm_pgoff of a moved VMA is not aligned to the new address: a 64 KiB folio
// allocated there (thp_vma_suitable_order() ignores vm_pgoff for anonymous
// VMAs) gets a misaligned folio->index, and still swaps out and back in.
@Test("a folio faulted in a VMA moved to a misaligned address has linear_page_index() as its index")
func mremapFaultInMovedVma() throws {
    var c = WorldConfig.small()
    c.thpOrders[4] = .always
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * kib64, align: kib64)
    let b = try w.mmap(pid, length: 4 * kib64, align: kib64)
    let to = try w.mremap(pid, a, oldLength: 2 * kib64, newLength: 2 * kib64, flags: [.mayMove, .fixed],
                          newAddress: b + page)
    try w.write(pid, to + kib64 - page, 9)                            // [b + 64K, b + 128K): in the VMA, aligned
    let st = try w.pageState(pid, b + kib64)
    #expect(st.order == 4 && st.offset == 0)
    let h = try w.folioHead(ofPfn: st.pfn)
    #expect(w.frames.index(h) == (a >> 12) + 15)                      // pgoff + (b + 64K - to) / 4K
    #expect(try rmapAddresses(w, pid, b + kib64).count == 16)
    #expect(try w.pageout(pid, b + kib64, kib64) == 16)
    #expect(try w.read(pid, to + kib64 - page) == 9)
    #expect(w.invariantViolations() == [])
}

// move_normal_pmd(): a whole PTE table moves with its PMD entry (no new PTE
// table); a move of the same pages to a misaligned address allocates one.
@Test("a 2 MiB extent moves the PTE table itself; a misaligned one copies PTEs into a new table",
      arguments: [false, true])
func mremapTableMove(aligned: Bool) throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)                             // thp madvise: PTE-mapped
    try w.access(pid, a, 8 * page, read: false, write: true, value: 1)
    let b = try w.mmap(pid, length: 2 * mib2)
    let t0 = try w.counters(pid).pageTablesAllocated
    let dest = aligned ? b : b + page
    _ = try w.mremap(pid, a, oldLength: mib2, newLength: mib2, flags: [.mayMove, .fixed], newAddress: dest)
    let tables = try w.counters(pid).pageTablesAllocated - t0
    #expect(tables == (aligned ? 0 : 2))            // b's PMD table exists; misaligned: one per 2 MiB it meets
    #expect(try w.rows(pid, dest, 9) == "WWWWWWWW.")
    #expect(w.invariantViolations() == [])
}

// mremap_at(): shrink unmaps the tail; a grow that ends at the VMA's end with a
// free gap after it grows in place (same address); blocked, it needs
// MREMAP_MAYMOVE (ENOMEM without) and then moves.
@Test("shrink, grow in place, grow blocked (ENOMEM) and grow by moving (vrm_can_expand_in_place)")
func mremapResize() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 8 * page)
    try w.access(pid, a, 8 * page, read: false, write: true, value: 4)
    #expect(try w.mremap(pid, a, oldLength: 8 * page, newLength: 4 * page) == a)
    #expect(w.processes[0].rssAnon == 4)
    #expect(throws: MMMError.fault) { try w.pageState(pid, a + 4 * page) }
    #expect(try w.mremap(pid, a, oldLength: 4 * page, newLength: 6 * page) == a)   // in place
    #expect(try w.rows(pid, a, 6) == "WWWW..")
    _ = try w.mmap(pid, length: page, hint: a + 6 * page)                           // a neighbour
    #expect(throws: MMMError.noMemory) { try w.mremap(pid, a, oldLength: 6 * page, newLength: 8 * page) }
    let f0 = try w.faults(pid)
    let to = try w.mremap(pid, a, oldLength: 6 * page, newLength: 8 * page, flags: .mayMove)
    #expect(try to != a && w.rows(pid, to, 8) == "WWWW....")
    #expect(try w.read(pid, to + 3 * page) == 4 && w.faults(pid) == f0)
    #expect(w.invariantViolations() == [])
}

// check_mremap_params(), remap_is_valid(), mremap_to(): the errors.
@Test("mremap errors: EINVAL, EFAULT; a failed call changes nothing")
func mremapErrors() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 8 * page)
    try w.write(pid, a, 1)
    let before = try WorldSnapshot(w, pid, a, pages: 8)
    #expect(throws: MMMError.invalidArgument) { try w.mremap(pid, a + 1, oldLength: page, newLength: page) }
    #expect(throws: MMMError.invalidArgument) { try w.mremap(pid, a, oldLength: page, newLength: 0) }
    #expect(throws: MMMError.invalidArgument) {
        try w.mremap(pid, a, oldLength: page, newLength: page, flags: .fixed, newAddress: a + 16 * page)
    }
    #expect(throws: MMMError.invalidArgument) {                     // old and new ranges overlap
        try w.mremap(pid, a, oldLength: 4 * page, newLength: 4 * page, flags: [.mayMove, .fixed], newAddress: a + 2 * page)
    }
    #expect(throws: MMMError.invalidArgument) { try w.mremap(pid, a, oldLength: 0, newLength: page, flags: .mayMove) }
    #expect(throws: MMMError.invalidArgument) { try w.mremap(pid, a, oldLength: page, newLength: page, flags: MremapFlags(rawValue: 8)) }
    #expect(throws: MMMError.fault) { try w.mremap(pid, a + 64 * page, oldLength: page, newLength: 2 * page) }
    #expect(throws: MMMError.fault) { try w.mremap(pid, a, oldLength: 16 * page, newLength: 32 * page, flags: .mayMove) }
    #expect(throws: MMMError.notSupported) {
        try w.mremap(pid, a, oldLength: page, newLength: page, flags: [.mayMove, .dontUnmap])
    }
    #expect(try WorldSnapshot(w, pid, a, pages: 8) == before)
    #expect(w.invariantViolations() == [])
}

// A moved range goes back where it was: vm_pgoff equals the address again;
// exit then frees everything.
@Test("moving away and back, then fork and exit of both: every frame and slot freed")
func mremapRoundTrip() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 4 * page)
    try w.access(pid, a, 4 * page, read: false, write: true, value: 2)
    _ = try w.pageout(pid, a, page)
    let b = try w.mmap(pid, length: 8 * page)
    let to = try w.mremap(pid, a, oldLength: 4 * page, newLength: 4 * page, flags: [.mayMove, .fixed], newAddress: b + page)
    let back = try w.mremap(pid, to, oldLength: 4 * page, newLength: 4 * page, flags: [.mayMove, .fixed], newAddress: a)
    #expect(try back == a && w.rows(pid, a, 4) == "SWWW")
    let child = try w.fork(pid)
    #expect(try w.read(child, a) == 2)
    try w.exit(child)
    try w.exit(pid)
    #expect(w.frames.freeFrames == w.frames.count && w.swap.freeSlots == w.swap.slots - 1)
    #expect(w.invariantViolations() == [])
}

// remap_move() (6.17+): a pure move (MREMAP_FIXED, same length) takes every VMA
// of the range, each keeping its protection [K: on 6.18 a 16-page range made of
// three VMAs by mprotect moves whole, while growing it is EFAULT].
@Test("a fixed move of a range of three VMAs moves all three; a grow across them is EFAULT")
func mremapMultiVma() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 16 * page)
    let d = try w.mmap(pid, length: 64 * page)
    try w.access(pid, a, 16 * page, read: false, write: true, value: 1)
    try w.mprotect(pid, a + 4 * page, 4 * page, .read)
    #expect(throws: MMMError.fault) { try w.mremap(pid, a, oldLength: 16 * page, newLength: 32 * page, flags: .mayMove) }
    let to = try w.mremap(pid, a, oldLength: 16 * page, newLength: 16 * page, flags: [.mayMove, .fixed],
                          newAddress: d + 8 * page)
    #expect(to == d + 8 * page)
    #expect(try w.rows(pid, to, 16) == "WWWWAAAAWWWWWWWW")
    #expect(throws: MMMError.fault) { try w.write(pid, to + 5 * page, 2) }    // still read-only
    #expect(try w.read(pid, to + 15 * page) == 1)
    #expect(w.processes[0].vmas.filter { $0.start >= to && $0.end <= to + 16 * page }.count == 3)
    #expect(w.invariantViolations() == [])
}

// KernelPolicy.mremapMultiVma: before 6.17 (no remap_move; the 6.12 source) a
// pure move must stay inside one VMA: remap_is_valid() → EFAULT.
@Test("6.12: a fixed move of a range of three VMAs is EFAULT, nothing moves")
func mremapMultiVmaOlder() throws {
    var c = WorldConfig.small()
    c.policy = KernelPolicy.preset("6.12")!
    var w = try World(c)
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 16 * page)
    let d = try w.mmap(pid, length: 64 * page)
    try w.access(pid, a, 16 * page, read: false, write: true, value: 1)
    try w.mprotect(pid, a + 4 * page, 4 * page, .read)
    #expect(throws: MMMError.fault) {
        try w.mremap(pid, a, oldLength: 16 * page, newLength: 16 * page, flags: [.mayMove, .fixed], newAddress: d + 8 * page)
    }
    #expect(try w.rows(pid, a, 16) == "WWWWAAAAWWWWWWWW")
    #expect(w.invariantViolations() == [])
}
