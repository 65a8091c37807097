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
}
