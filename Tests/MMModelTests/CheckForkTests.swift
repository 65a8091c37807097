import Testing
@testable import MMModel

// Issue 4's "rmap duplication checks" on a mixed world: fork, then no violation,
// and every post-fork duplication rule holds in both processes, seen through
// the rmap walk (spec §2, §5.2, INV-6, INV-9, INV-14, INV-18, INV-19).
//
//   small VMA (8 pages, order 0):  page 0123 4567
//     parent before fork          W S W P z...    W exclusive, S swapped (cached: async device),
//                                                  W swapped and read back (SX: writable, still
//                                                    in the swap cache, R-SC-6),
//                                                  P pinned read-write, z zero page
//   64 KiB VMA: one 64 KiB folio, written     2 MiB VMA (MADV_HUGEPAGE): one PMD THP, written
@Test("fork of a mixed world: no violation, every duplication rule in both processes")
func forkMixedWorld() throws {
    var c = WorldConfig.small(frames: 8192)
    c.thpOrders[4] = .always
    c.swapDevice = .asynchronous
    var w = try World(c)
    let parent = w.createProcess()
    let small = try w.mmap(parent, length: 8 * page)
    let k64 = try w.mmap(parent, length: kib64, align: kib64)
    let huge = try w.mmap(parent, length: mib2)
    try w.madvise(parent, huge, mib2, .hugepage)
    try w.access(parent, small, 4 * page, read: false, write: true, value: 7)
    try w.pageout(parent, small + page, 2 * page)
    _ = try w.read(parent, small + 2 * page)
    _ = try w.pin(parent, small + 3 * page, page, write: true)
    _ = try w.read(parent, small + 4 * page)
    try w.access(parent, k64, kib64, read: false, write: true, value: 8)
    try w.write(parent, huge, 9)
    let rowsBefore = try w.rows(parent, small, 8)
    #expect(rowsBefore == "WSWWz...")
    #expect(try w.pageState(parent, small + page).swapCache && w.pageState(parent, small + 2 * page).swapCache)
    #expect(try w.pageState(parent, k64).order == 4 && w.pageState(parent, huge).pmdMapped)
    let pinnedPfn = try w.pfn(parent, small + 3 * page)

    let child = try w.fork(parent)
    #expect(w.check().isEmpty, "\(w.check())")
    #expect(w.violations.isEmpty, "\(w.violations)")
    #expect(try w.rows(parent, small, 8) == "rsrWz..." && w.rows(child, small, 8) == "rsrWz...")

    let ranges: [(UInt64, Int)] = [(small, 8), (k64, 16), (huge, 512)]
    for (start, n) in ranges {
        for i in 0..<n {
            let a = start + UInt64(i) * page
            for (me, other) in [(parent, child), (child, parent)] {
                let st = try w.pageState(me, a)
                let theirs = try w.pageState(other, a)
                if st.kind == .swap {
                    if theirs.kind == .swap && theirs.swapSlot == st.swapSlot {
                        #expect(!st.swapExclusive && !theirs.swapExclusive)         // INV-18: SX lost
                        #expect(st.swapCount == 2)
                    }
                    continue
                }
                guard st.kind == .present, !st.zeroPage else { continue }
                let mappings = try w.rmapMappings(folioOf: st.pfn).filter {
                    $0.isPmd ? ($0.pfn...($0.pfn + 511)).contains(st.pfn) : $0.pfn == st.pfn
                }
                #expect(Int32(mappings.count) == st.mapcount)                          // INV-6 via the walk
                let pids = Set(mappings.map(\.pid))
                if pids.count == 2 {                                                   // shared by fork
                    #expect(!st.anonExclusive)
                    for m in mappings {
                        let e = m.isPmd ? w.fmt.pteOfPmd(m.entry) : Pte(m.entry)
                        #expect(!w.fmt.isWrite(e))                                     // read-only in both
                    }
                }
                if st.maybePinned {                                                    // never shared
                    #expect(pids.count == 1 && st.anonExclusive && st.pfn == pinnedPfn && me == parent)
                }
            }
        }
    }
    // The pinned page: the child got a copy (§2.5); the parent keeps W and AE.
    #expect(try w.pfn(child, small + 3 * page) != pinnedPfn && w.writable(parent, small + 3 * page))
    #expect(try w.counters(child).forkPagesCopied == 1)
}
