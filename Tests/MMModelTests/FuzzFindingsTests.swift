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
