// Model bugs found by `mmm explore` once it generated clear_refs, uffd-wp,
// MADV_FREE, mremap, collapse and reclaim; each test is the shrunk finding
// with the expected values from the kernel rule it names.
import Testing
@_spi(Testing) @testable import MMModel

@Suite("Explore findings")
struct ExploreFindingsTests {
    @Test("mprotect to the protection a VMA already has changes nothing (mm/mprotect.c mprotect_fixup: newflags == oldflags returns at once): no split, no writable upgrade; a later clear_refs keeps the pinned page read-only (found by mmm explore seed 20000+: INV-16)")
    func mprotectSameFlagsIsNoOp() throws {
        var c = WorldConfig.small(arch: .x86_64)
        c.format = PteFormat(arch: .x86_64, config: KernelConfig.live618.union(.softDirty))
        c.thpEnabled = .never
        var w = try World(c)
        w.checkAfterEachOperation = true
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 16 * 4096)
        let page = a + 6 * 4096
        _ = try w.pin(pid, page, 4096, write: false)          // unshare: an AE page mapped read-only
        let before = try w.pageState(pid, page)
        try w.mprotect(pid, page, 4096, .readWrite)             // the VMA is read-write already
        #expect(try w.pageState(pid, page) == before)
        #expect(w.process(pid)?.vmas.count == 1)
        try w.clearRefsSoftDirty(pid)
        let f0 = try w.counters(pid)
        try w.access(pid, page, 4096, read: false, write: true, value: 1)
        #expect(try w.counters(pid).minor == f0.minor + 1)     // a write fault: the PTE was not writable
        #expect(w.violations.isEmpty && w.check().isEmpty, "\(w.violations)")
        // A real change still splits and walks the PTEs.
        try w.mprotect(pid, page, 4096, .read)
        #expect(w.process(pid)?.vmas.count == 3)
    }
}

@Suite("Explore findings: KSM swap slots and MM slots")
struct ExploreFindingsKsmMmIdTests {
    @Test("A reclaimed KSM page read back is a plain anon folio in the swap cache (ksm_might_need_to_copy: a folio read from swap is not KSM and takes the faulting address as index); mremap moves its PTE, and its next pageout writes the KSM slot's swap entry at the moved address, where the swap side of the KSM rmap must look (found by mmm explore seed 5240: RMAP-ADDR)")
    func ksmSlotFolioMovedThenPagedOut() throws {
        let s = try Scenario.parse(text: """
            arch x86_64
            kernel 6.18
            frames 1024
            swap-slots 1024
            map A 7 pages
            map B 1 page
            mremap A[0..6] 1 page maymove
            map C 4 pages
            write C[2..3] 1
            ksm merge C[0..3]
            expect C[2..3] present ksm
            reclaim C[2]
            expect C[2..3] swapped
            read C[3]
            expect C[3] present swapcache !ksm == 1
            expect C[2] swapped
            mremap C[0..3] 9 pages maymove
            pageout C[0..8]
            expect C[2..3] swapped
            expect consistent
            read C[2..3]
            expect C[2..3] present == 1
            expect consistent
            """).get()
        let (r, v) = s.runChecked()
        #expect(r.error == nil)
        #expect(r.passed, "\(r.failures)")
        #expect(v.isEmpty, "\(v)")
    }

    @Test("A fork-shared page becomes a KSM page in place (mm/ksm.c try_to_merge_one_page: a page 'mapped elsewhere' only needs read-only PTEs, write_protect_page) while the parent maps it at another address (mremap moved its VMA, vm_pgoff kept): the KSM rmap (rmap_walk_ksm: the rmap_items' addresses) must still reach that mapping, so the mapcount equals the mappings found; a write there copies the KSM page (do_wp_page) (found by mmm explore seed 587: INV-6)")
    func ksmInPlaceConversionOfMovedSharedPage() throws {
        let s = try Scenario.parse(text: """
            arch x86_64
            kernel 6.18
            frames 1024
            swap-slots 1024
            map A 10 pages
            write A[0..3] 1
            map B 1 page
            fork c1 {
                pause
                ksm merge A[0..9]
                expect A[0..3] present ksm == 1
                expect consistent
            }
            mremap A[0..9] 8 pages maymove
            mremap A[0..7] 12 pages maymove
            resume c1
            expect A[1] present ksm == 1
            expect A[0] present !ksm == 1
            expect A[2..3] present !ksm == 1
            expect consistent
            write A[1] 2
            expect A[1] present !ksm == 2
            expect consistent
            """).get()
        let (r, v) = s.runChecked()
        #expect(r.error == nil)
        #expect(r.passed, "\(r.failures)")
        #expect(v.isEmpty, "\(v)")
    }

    @Test("Per-MM large mapcount (CONFIG_MM_ID, include/linux/rmap.h folio_add_return_large_mapcount / folio_sub_return_large_mapcount): an MM mapping a folio while both slots are taken stays uncounted; when a slot frees and it maps one more page it takes the slot with that one mapping only, and the shared bit set then stays; the checker must accept a slot count below the MM's mappings of a shared folio (found by mmm explore seed 70333: INV-7)")
    func mmSlotCountsOnlyMappingsSinceTaken() throws {
        let s = try Scenario.parse(text: """
            arch x86_64
            kernel 6.18
            thp always
            thp 32K inherit
            swap disk
            frames 1024
            swap-slots 1024
            map A 13 pages
            write A[0] 1
            pageout A[0..12]
            mremap A[0..12] 5 pages maymove
            populate read A[0]
            fork c1 {
                pause
                fork c2 {
                    pause
                    populate read A[4]
                }
                pause
                write A[0] 1
            }
            resume c1
            resume c1
            resume c2
            expect consistent
            """).get()
        var r = ScenarioRunner(s, name: "")
        r.world.checkAfterEachOperation = true
        r.runAll()
        #expect(r.result.error == nil)
        #expect(r.result.passed, "\(r.result.failures)")
        #expect(r.world.violations.isEmpty, "\(r.world.violations)")
        // The 32K swap-cache folio: parent A[0], c2 A[0] (forked while the
        // parent and c1 held both slots: uncounted), c2 A[4] (swapped in once
        // c1's COW freed slot 1: the only mapping slot 1 counts).
        let w = r.world
        let parentMm = w.processes[0].mmId, c2Mm = w.processes[2].mmId
        let folios = w.frames.large.filter { $0.value.lmap == 3 }
        try #require(folios.count == 1)
        var l = folios.first!.value
        let head = folios.first!.key
        #expect(l.id0 == parentMm && l.cnt0 == 1)
        #expect(l.id1 == c2Mm && l.cnt1 == 1)
        #expect(l.shared)
        // The rule still catches a slot counting more than its MM maps, and
        // an undercounting slot of a folio not marked shared.
        var bad = w
        l.cnt1 = 3
        bad.frames.large[head] = l
        #expect(bad.check().contains { $0.rule == .inv7 })
        l.cnt1 = 1
        l.shared = false
        bad.frames.large[head] = l
        #expect(bad.check().contains { $0.rule == .inv7 })
    }
}
