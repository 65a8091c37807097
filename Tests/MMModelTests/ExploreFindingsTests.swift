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
