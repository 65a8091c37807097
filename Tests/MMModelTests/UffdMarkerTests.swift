// UFFD_WP PTE markers (UFFD_FEATURE_WP_UNPOPULATED), order-0 folios in
// userfaultfd-armed VMAs, the unprotect write upgrade by kernel era and
// UFFD_FEATURE_WP_ASYNC (issue 6 items 1, 2, 3, 5). Expected values come from
// the kernel rules the tests name (mm/mprotect.c change_pte_range, mm/memory.c
// handle_pte_marker / do_anonymous_page / alloc_anon_folio / alloc_swap_folio /
// do_wp_page, include/linux/mm_inline.h copy_pte_marker, mm/userfaultfd.c
// uffd_wp_range) and spec semantics §6.2, §2.10, §7.3, §8.1; the fault counts
// and pagemap views were also seen on the live 6.18 kernel.
import Testing
@_spi(Testing) @testable import MMModel

private func world(_ arch: Arch = .x86_64, policy: KernelPolicy = .v6_18, mthp64k: Bool = false) throws -> World {
    var c = WorldConfig.small(arch: arch)
    c.thpEnabled = .never
    if mthp64k { c.thpOrders[4] = .always }
    c.policy = policy
    return try World(c)
}

private let pg: UInt64 = 4096

@Suite("uffd-wp markers, armed VMAs, unprotect eras, async mode")
struct UffdMarkerTests {
    func pte(_ w: World, _ pid: Int32, _ a: UInt64) throws -> Pte { Pte(try w.pageState(pid, a).entry) }

    @Test("protecting a none PTE with WP_UNPOPULATED installs make_pte_marker(UFFD_WP): type 31, offset 1, on both arches",
          arguments: [Arch.x86_64, .arm64])
    func markerEncoding(_ arch: Arch) throws {
        var w = try world(arch)
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 4 * pg)
        try w.uffdRegisterWP(pid, a, 4 * pg, features: .wpUnpopulated)
        try w.uffdWriteProtect(pid, a, 4 * pg, protect: true)
        for i in 0..<4 {
            let p = try pte(w, pid, a + UInt64(i) * pg)
            let info = w.fmt.decode(p)
            #expect(info.kind == .marker && info.marker == .uffdWp)
            #expect(w.fmt.archSwpType(p) == 31 && w.fmt.archSwpOffset(p) == 1)
        }
        // Without the feature (6.3 and earlier behaviour of anonymous uffd-wp) nothing is left.
        let b = try w.mmap(pid, length: pg)
        try w.uffdRegisterWP(pid, b, pg)
        try w.uffdWriteProtect(pid, b, pg, protect: true)
        #expect(w.fmt.isNone(try pte(w, pid, b)))
        #expect(w.check().isEmpty)
    }

    @Test("handle_pte_marker: a read maps the zero page with UW (1 minor, no event); a write allocates with UW and traps (2 minor, 1 event)")
    func markerFaults() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        try w.uffdRegisterWP(pid, a, 2 * pg, features: .wpUnpopulated)
        try w.uffdWriteProtect(pid, a, 2 * pg, protect: true)
        var c0 = try w.counters(pid)
        _ = try w.read(pid, a)
        var c1 = try w.counters(pid)
        #expect(c1.minor - c0.minor == 1 && w.uffdEvents.isEmpty)
        let st = try w.pageState(pid, a)
        #expect(st.zeroPage && w.fmt.isUffdWp(Pte(st.entry)))
        c0 = c1
        try w.write(pid, a + pg, 7)
        c1 = try w.counters(pid)
        #expect(c1.minor - c0.minor == 2 && c1.major == c0.major)          // §7.3
        #expect(w.uffdEvents.map(\.address) == [a + pg])
        let st2 = try w.pageState(pid, a + pg)
        #expect(st2.order == 0 && st2.anonExclusive && w.fmt.isWrite(Pte(st2.entry)) && !w.fmt.isUffdWp(Pte(st2.entry)))
        #expect(try w.read(pid, a + pg) == 7)
    }

    @Test("zap drops markers of anonymous VMAs; pageout, MADV_FREE and mprotect keep them; unprotect and unregister drop them")
    func markerLifetime() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 6 * pg)
        try w.uffdRegisterWP(pid, a, 6 * pg, features: .wpUnpopulated)
        try w.uffdWriteProtect(pid, a, 6 * pg, protect: true)
        try w.madvise(pid, a, pg, .dontneed)                        // zap_install_uffd_wp_if_needed: anon → nothing
        #expect(w.fmt.isNone(try pte(w, pid, a)))
        _ = try w.pageout(pid, a + pg, pg)
        #expect(w.fmt.kind(of: try pte(w, pid, a + pg)) == .marker)
        try w.madvise(pid, a + pg, pg, .free)                       // madvise_free_pte_range: swap entries only
        #expect(w.fmt.kind(of: try pte(w, pid, a + pg)) == .marker)
        try w.mprotect(pid, a + 2 * pg, pg, .read)
        try w.mprotect(pid, a + 2 * pg, pg, .readWrite)
        #expect(w.fmt.kind(of: try pte(w, pid, a + 2 * pg)) == .marker)
        try w.uffdWriteProtect(pid, a + 3 * pg, pg, protect: false)  // MM_CP_UFFD_WP_RESOLVE: pte_clear
        #expect(w.fmt.isNone(try pte(w, pid, a + 3 * pg)))
        let c0 = try w.counters(pid)
        try w.write(pid, a + 3 * pg, 1)
        #expect(try w.counters(pid).minor - c0.minor == 1 && w.uffdEvents.isEmpty)
        try w.uffdUnregister(pid, a, 6 * pg)
        for i in [1, 2, 4, 5] { #expect(w.fmt.isNone(try pte(w, pid, a + UInt64(i) * pg)), "page \(i)") }
        try w.munmap(pid, a, 6 * pg)
        #expect(w.check().isEmpty)
    }

    @Test("fork: copy_pte_marker keeps a marker only in a child VMA with VM_UFFD_WP (EVENT_FORK), tables copied without anon_vma",
          arguments: [false, true])
    func markerFork(_ forkEvent: Bool) throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        var f: UffdFeatures = .wpUnpopulated
        if forkEvent { f.insert(.eventFork) }
        try w.uffdRegisterWP(pid, a, 2 * pg, features: f)
        try w.uffdWriteProtect(pid, a, 2 * pg, protect: true)           // never touched: no anon_vma
        let child = try w.fork(pid)
        for i in 0..<2 {
            let k = w.fmt.kind(of: try pte(w, child, a + UInt64(i) * pg))
            #expect(k == (forkEvent ? .marker : PteKind.none))
            #expect(w.fmt.kind(of: try pte(w, pid, a + UInt64(i) * pg)) == .marker)   // the parent keeps its own
        }
        let c0 = try w.counters(child)
        try w.write(child, a, 3)
        #expect(try w.counters(child).minor - c0.minor == (forkEvent ? 2 : 1))
        #expect(w.uffdEvents.count == (forkEvent ? 1 : 0))
    }

    @Test("the checker accepts markers and refuses other marker values (ENC-KIND)")
    func checkerMarkers() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        try w.uffdRegisterWP(pid, a, 2 * pg, features: .wpUnpopulated)
        try w.uffdWriteProtect(pid, a, 2 * pg, protect: true)
        #expect(w.check().isEmpty)
        // A guard marker (PTE_MARKER_GUARD) is a kind the model never creates.
        let guardPte = w.fmt.archSwpEntry(type: PteFormat.markerType, offset: UInt64(PteMarker.guardRegion.rawValue))
        w.checkAfterEachOperation = false
        w.testingSetPte(pid, a, guardPte.raw)
        #expect(w.check().map(\.rule) == [.encKind])
    }

    @Test("alloc_anon_folio / alloc_swap_folio: a userfaultfd-armed VMA gets order-0 folios where 64 KiB mTHP would be used")
    func armedOrderZero() throws {
        for armed in [false, true] {
            var w = try world(mthp64k: true)
            let pid = w.createProcess()
            let a = try w.mmap(pid, length: 32 * pg, align: 64 << 10)
            if armed { try w.uffdRegisterWP(pid, a, 16 * pg) }
            let c0 = try w.counters(pid)
            try w.access(pid, a, 16 * pg, read: false, write: true, value: 1)
            #expect(try w.pageState(pid, a).order == (armed ? 0 : 4))
            #expect(try w.counters(pid).minor - c0.minor == (armed ? 16 : 1))
            // A 64 KiB folio swapped out before registration comes back as 16
            // order-0 folios (skip-swap-cache path, 16 major faults); unarmed: whole.
            try w.access(pid, a + 16 * pg, 16 * pg, read: false, write: true, value: 2)
            #expect(try w.pageState(pid, a + 16 * pg).order == 4)
            _ = try w.pageout(pid, a + 16 * pg, 16 * pg)
            if armed { try w.uffdRegisterWP(pid, a + 16 * pg, 16 * pg) }
            let c1 = try w.counters(pid)
            _ = try w.access(pid, a + 16 * pg, 16 * pg, read: true, write: false)
            #expect(try w.pageState(pid, a + 16 * pg).order == (armed ? 0 : 4))
            #expect(try w.counters(pid).major - c1.major == (armed ? 16 : 1))
            #expect(try w.read(pid, a + 31 * pg) == 2)
        }
    }

    @Test("unprotect: 6.3+ maps an AE page writable (931298e103c2); 6.1 clears UW only, the next write is a reuse fault")
    func unprotectEras() throws {
        for preset in ["6.1", "6.6", "6.18"] {
            let policy = try #require(KernelPolicy.preset(preset))
            var w = try world(policy: policy)
            let pid = w.createProcess()
            let a = try w.mmap(pid, length: pg)
            try w.write(pid, a, 1)
            try w.uffdRegisterWP(pid, a, pg)
            try w.uffdWriteProtect(pid, a, pg, protect: true)
            try w.uffdWriteProtect(pid, a, pg, protect: false)
            let upgraded = preset != "6.1"
            #expect(w.fmt.isWrite(try pte(w, pid, a)) == upgraded, "\(preset)")
            let c0 = try w.counters(pid)
            try w.write(pid, a, 2)
            #expect(try w.counters(pid).minor - c0.minor == (upgraded ? 0 : 1), "\(preset)")
            #expect(w.uffdEvents.isEmpty)
        }
    }

    @Test("features by release: WP_UNPOPULATED from 6.4, WP_ASYNC from 6.7 (UFFDIO_API -EINVAL before)")
    func featuresByRelease() throws {
        for (preset, unpop, async) in [("6.1", false, false), ("6.6", true, false), ("6.8", true, true), ("6.18", true, true)] {
            var w = try world(policy: try #require(KernelPolicy.preset(preset)))
            let pid = w.createProcess()
            let a = try w.mmap(pid, length: pg)
            if unpop { try w.uffdRegisterWP(pid, a, pg, features: .wpUnpopulated) } else {
                #expect(throws: MMMError.invalidArgument) { try w.uffdRegisterWP(pid, a, pg, features: .wpUnpopulated) }
            }
            if async { try w.uffdRegisterWP(pid, a, pg, features: .wpAsync) } else {
                #expect(throws: MMMError.invalidArgument) { try w.uffdRegisterWP(pid, a, pg, features: .wpAsync) }
            }
        }
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: pg)
        #expect(throws: MMMError.invalidArgument) { try w.uffdRegisterWP(pid, a, pg, features: UffdFeatures(rawValue: 1 << 9)) }
    }

    @Test("WP_ASYNC (W2): a write to a protected page or marker clears UW in the kernel: no event, one fault")
    func asyncMode() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        try w.write(pid, a, 1)
        try w.uffdRegisterWP(pid, a, 2 * pg, features: .wpAsync)       // implies WP_UNPOPULATED
        try w.uffdWriteProtect(pid, a, 2 * pg, protect: true)
        #expect(w.fmt.kind(of: try pte(w, pid, a + pg)) == .marker)
        var c0 = try w.counters(pid)
        try w.write(pid, a, 2)
        var c1 = try w.counters(pid)
        #expect(c1.minor - c0.minor == 1 && w.uffdEvents.isEmpty)        // W2, then W5 reuse in the same fault
        let p0 = try pte(w, pid, a)
        #expect(w.fmt.isWrite(p0) && !w.fmt.isUffdWp(p0))
        c0 = c1
        try w.write(pid, a + pg, 3)
        c1 = try w.counters(pid)
        #expect(c1.minor - c0.minor == 2 && w.uffdEvents.isEmpty)        // marker → page with UW, then W2
        #expect(try w.read(pid, a + pg) == 3)
    }
}
