import Testing
@_spi(Testing) @testable import MMModel

// FOLIO-GEOMETRY for PMD mappings (issue 7 item 7): a PMD leaf maps the head
// page of a PMD-order folio (do_huge_pmd_anonymous_page, collapse_huge_page and
// move_huge_pmd only ever install one; the 2 MiB alignment of its address is
// the page table's own). A leaf naming an order-0 folio breaks only that rule.
@Test("FOLIO-GEOMETRY: a PMD leaf that maps an order-0 folio")
func rulePmdGeometry() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * mib2)                 // 2 MiB aligned; thp madvise: PTEs
    try w.write(pid, a, 1)
    let pfn = try w.pfn(pid, a)
    #expect(try w.pageState(pid, a).order == 0)
    let leaf = w.fmt.pmdLeaf(w.mkPte(pfn, w.processes[0].vmas[0].flags))
    w.testingSetPmd(pid, a + mib2, leaf)                      // the untouched second 2 MiB
    w.testingAdjustRss(pid, anon: 512)                        // what a PMD leaf adds (INV-17 stays quiet)
    expectOnly(&w, .folioGeometry)
}

// The states MADV_COLLAPSE and mremap build keep every PMD leaf on the head of
// a PMD-order folio: checked after each operation in these worlds.
@Test("collapse, then mremap of the THP to an aligned and a misaligned place: every state passes the checker")
func pmdGeometryAfterCollapseAndMremap() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: mib2)
    try w.access(pid, a, mib2, read: false, write: true, value: 4)
    try w.collapse(pid, a, mib2)
    let d = try w.mmap(pid, length: 4 * mib2)
    _ = try w.mremap(pid, a, oldLength: mib2, newLength: mib2, flags: [.mayMove, .fixed], newAddress: d + mib2)
    #expect(try w.pageState(pid, d + mib2).pmdMapped)
    _ = try w.mremap(pid, d + mib2, oldLength: mib2, newLength: mib2, flags: [.mayMove, .fixed], newAddress: d + 2 * mib2 + 5 * page)
    let st = try w.pageState(pid, d + 2 * mib2 + 5 * page)
    #expect(!st.pmdMapped && st.order == 9 && st.token == 4)
    #expect(w.check() == [] && w.violations == [])
}
