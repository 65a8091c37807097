import Testing
@testable import MMModel

// Findings of the random differential runs against the live 6.18 kernel
// (scripts/fuzz-conform.sh; docs/conformance.md, "Random scenarios").

@Suite("Fuzz findings")
struct FuzzFindingsTests {
    // mm/huge_memory.c split: remap_page(..., RMP_USE_SHARED_ZEROPAGE) for an
    // anonymous folio; mm/migrate.c try_to_map_unused_to_zeropage: a new order-0
    // page that holds only zeros is mapped as the zero page and freed (6.12+).
    @Test("split_folio of an anonymous THP (partial MADV_PAGEOUT) maps its zero-filled pages to the zero page and frees them (try_to_map_unused_to_zeropage)")
    func splitRemapsZeroFilledPages() throws {
        var c = WorldConfig.small(arch: .x86_64)
        c.thpEnabled = .always
        var w = try World(c)
        w.checkAfterEachOperation = true
        let pid = w.createProcess()
        let mib2: UInt64 = 2 << 20
        let a = try w.mmap(pid, length: mib2, align: mib2)
        try w.access(pid, a, 2 * 4096, read: false, write: true, value: 1)
        #expect(try w.pageState(pid, a).pmdMapped)
        let free0 = w.frames.freeFrames
        try w.madvise(pid, a, 4 * 4096, .pageout)
        #expect(try w.pageState(pid, a).kind == .swap)
        #expect(try w.pageState(pid, a + 4096).kind == .swap)
        for i: UInt64 in [2, 3, 4, 300, 511] {
            let st = try w.pageState(pid, a + i * 4096)
            #expect(st.zeroPage && !st.pmdMapped, "page \(i)")
        }
        #expect(w.frames.freeFrames == free0 + 512)            // 510 zero pages freed, 2 swapped out
        #expect(w.processes[0].rssAnon == 0)
        #expect(w.violations.isEmpty && w.check().isEmpty, "\(w.violations)")
    }

    // mm/madvise.c madvise_cold_or_pageout_pte_range serves MADV_COLD and
    // MADV_PAGEOUT alike: a PMD THP the range does not cover is split_folio'd,
    // a PTE-mapped large folio with fewer pages in the range than it has too.
    @Test("MADV_COLD of part of a PMD THP splits the folio like MADV_PAGEOUT (madvise_cold_or_pageout_pte_range); a whole-PMD MADV_COLD does not")
    func coldSplitsPartialThp() throws {
        var c = WorldConfig.small(arch: .x86_64)
        c.thpEnabled = .always
        var w = try World(c)
        w.checkAfterEachOperation = true
        let pid = w.createProcess()
        let mib2: UInt64 = 2 << 20
        let a = try w.mmap(pid, length: 2 * mib2, align: mib2)
        try w.access(pid, a, 2 * mib2, read: false, write: true, value: 1)
        try w.madvise(pid, a + mib2, mib2, .cold)                     // the whole second PMD: no split
        #expect(try w.pageState(pid, a + mib2).pmdMapped)
        try w.madvise(pid, a + 4096, 2 * 4096, .cold)                 // part of the first
        let st = try w.pageState(pid, a + 4096)
        #expect(!st.pmdMapped && st.order == 0 && st.kind == .present && !st.zeroPage)   // written: stays mapped
        let f0 = try w.counters(pid)
        try w.access(pid, a, mib2, read: false, write: true, value: 2)
        #expect(try w.counters(pid).minor == f0.minor)                // the split kept every PTE writable
        #expect(w.violations.isEmpty && w.check().isEmpty, "\(w.violations)")
    }

    @Test("before 6.12 (splitRemapsZeroPages off) a split keeps every page mapped")
    func splitKeepsPagesBefore612() throws {
        var c = WorldConfig.small(arch: .x86_64)
        c.thpEnabled = .always
        c.policy.splitRemapsZeroPages = false
        var w = try World(c)
        w.checkAfterEachOperation = true
        let pid = w.createProcess()
        let mib2: UInt64 = 2 << 20
        let a = try w.mmap(pid, length: mib2, align: mib2)
        try w.access(pid, a, 4096, read: false, write: true, value: 1)
        try w.madvise(pid, a, 4 * 4096, .pageout)
        let st = try w.pageState(pid, a + 4 * 4096)
        #expect(!st.zeroPage && st.kind == .present && st.order == 0)
        #expect(try w.pageState(pid, a + 3 * 4096).kind == .swap)   // zero-filled pages in the range are paged out
        #expect(w.processes[0].rssAnon == 508)
    }
}

// fs/proc/task_mmu.c pagemap_pmd_range: for a present PMD the page is
// pmd_page(); a folio that is not anonymous sets PM_FILE (bit 61). The huge
// zero folio is not anonymous, so every page of a huge zero PMD reads with
// bit 61; the 4 KiB zero page through a PTE does not (vm_normal_page gives no
// page). Seen live on 6.18: scripts/fuzz-conform.sh, seed 1155.
@Test("pagemap of a huge zero PMD: bit 61 (PM_FILE) on every page, not on the 4 KiB zero page (pagemap_pmd_range)")
func pagemapHugeZeroIsFile() throws {
    let r = Scenario.run(text: "thp madvise\nmap B 2M hugepage\nmap C 2\nread B[422]\nread C[*]\nsnapshot z\n")
    for i in [0, 1, 422, 511] {
        let pg = try observedPage(r, "z", "parent", "B", i)
        #expect(pg.state == .present && pg.frame == .zero && pg.pmdMapped)
        #expect(pg.pagemapFlags == Pagemap.present | Pagemap.file, "B[\(i)]")
    }
    let small = try observedPage(r, "z", "parent", "C", 0)
    #expect(small.pagemapFlags == Pagemap.present)
}
