// userfaultfd write-protect and soft-dirty in the world model (issue 6 item 1):
// registration, protect / unprotect on present and swap PTEs, the do_wp_page
// trap (W1) with its accounting (R-ACCT-3), fork with and without the fork
// event (§2.10), clear_refs (§6.1), and the 6.11 swap-in rule's uffd-wp and
// soft-dirty conditions (§4.6, §4.7). Expected values cite spec semantics.
import Testing
import MMModel

private func world(softDirty: Bool = false, policy: KernelPolicy = .v6_18) throws -> World {
    var c = WorldConfig()
    c.format = PteFormat(arch: .x86_64, config: softDirty ? KernelConfig.live618.union(.softDirty) : .live618)
    c.thpEnabled = .never
    c.policy = policy
    return try World(c)
}

private let pg: UInt64 = 4096

@Suite("uffd-wp and soft-dirty")
struct UffdSoftDirtyTests {
    func pte(_ w: World, _ pid: Int32, _ a: UInt64) throws -> Pte { Pte(try w.pageState(pid, a).entry) }

    @Test("protect write-protects with UW; a write traps once, is reported, and the handler unprotects (§6.2, W1, R-ACCT-3)")
    func trapOnPresent() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        try w.access(pid, a, 2 * pg, read: false, write: true, value: 1)
        try w.uffdRegisterWP(pid, a, 2 * pg)
        try w.uffdWriteProtect(pid, a, 2 * pg, protect: true)
        var p = try pte(w, pid, a)
        #expect(w.fmt.isUffdWp(p) && !w.fmt.isWrite(p))
        #expect(w.check().isEmpty)
        let before = try w.counters(pid)
        try w.write(pid, a, 2)
        let after = try w.counters(pid)
        #expect(after.minor - before.minor == 1 && after.major == before.major)     // R-ACCT-3: 1 minor
        #expect(w.uffdEvents.map(\.address) == [a] && w.uffdEvents.allSatisfy { $0.pid == pid && $0.write })
        p = try pte(w, pid, a)
        #expect(!w.fmt.isUffdWp(p) && w.fmt.isWrite(p))                              // AE + VM_WRITE: writable
        #expect(try w.read(pid, a) == 2)
        // The untouched neighbour stays protected; a read does not trap.
        _ = try w.read(pid, a + pg)
        #expect(w.fmt.isUffdWp(try pte(w, pid, a + pg)) && w.uffdEvents.count == 1)
        #expect(w.check().isEmpty)
    }

    @Test("unprotect of a page shared by fork clears UW but leaves it read-only (can_change_pte_writable, §6.3)")
    func unprotectNotAE() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: pg)
        try w.write(pid, a, 1)
        try w.uffdRegisterWP(pid, a, pg)
        _ = try w.fork(pid)
        try w.uffdWriteProtect(pid, a, pg, protect: true)
        try w.uffdWriteProtect(pid, a, pg, protect: false)
        let p = try pte(w, pid, a)
        #expect(!w.fmt.isUffdWp(p) && !w.fmt.isWrite(p))
        // A trap on a ¬AE page: the re-run copies; still one minor in total.
        try w.uffdWriteProtect(pid, a, pg, protect: true)
        let before = try w.counters(pid)
        try w.write(pid, a, 2)
        #expect(try w.counters(pid).minor - before.minor == 1)
        let pa = try pte(w, pid, a)
        #expect(w.uffdEvents.count == 1 && w.fmt.isWrite(pa))
        #expect(w.check().isEmpty)
    }

    @Test("swap PTEs carry SUW; a read swap-in stays read-only with UW (6.11, §4.6); a write to the swapped page: 1 major")
    func swapUffd() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        try w.access(pid, a, 2 * pg, read: false, write: true, value: 1)
        try w.uffdRegisterWP(pid, a, 2 * pg)
        _ = try w.pageout(pid, a, 2 * pg)
        // Protecting swap PTEs sets SUW (§6.2).
        try w.uffdWriteProtect(pid, a, 2 * pg, protect: true)
        #expect(w.fmt.swpTest(try pte(w, pid, a), .uffdWp))
        _ = try w.read(pid, a)
        let p = try pte(w, pid, a)
        let ae = try w.pageState(pid, a).anonExclusive
        #expect(w.fmt.isUffdWp(p) && !w.fmt.isWrite(p) && ae)
        let before = try w.counters(pid)
        try w.write(pid, a + pg, 5)
        let after = try w.counters(pid)
        #expect(after.major - before.major == 1 && after.minor == before.minor)    // R-ACCT-3: swap-in + trap
        #expect(w.uffdEvents.map(\.address) == [a + pg])
        #expect(w.check().isEmpty)
    }

    @Test("the RFC swap-in variant maps a uffd-wp page writable: INV-15, and the write goes unreported")
    func rfcBreaksUffd() throws {
        var w = try world(policy: try KernelPolicy.make(preset: "6.18", switches: ["swapInReuse=rfcDirtyOnRead"]))
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: pg)
        try w.write(pid, a, 1)
        try w.uffdRegisterWP(pid, a, pg)
        try w.uffdWriteProtect(pid, a, pg, protect: true)
        _ = try w.pageout(pid, a, pg)
        _ = try w.read(pid, a)
        #expect(w.check().contains { $0.rule == .inv15 })
        try w.write(pid, a, 2)
        #expect(w.uffdEvents.isEmpty)
    }

    @Test("fork without the fork event drops VM_UFFD_WP and UW in the child; with it both stay (§2.10)")
    func forkEvent() throws {
        for withEvent in [false, true] {
            var w = try world()
            let pid = w.createProcess()
            let a = try w.mmap(pid, length: 2 * pg)
            try w.access(pid, a, 2 * pg, read: false, write: true, value: 1)
            try w.uffdRegisterWP(pid, a, 2 * pg, forkEvent: withEvent)
            try w.uffdWriteProtect(pid, a, 2 * pg, protect: true)
            _ = try w.pageout(pid, a + pg, pg)
            let child = try w.fork(pid)
            let cv = try #require(w.processes[Int(child) - 1].vmas.first)
            #expect(cv.flags.contains(.uffdWp) == withEvent)
            #expect(w.fmt.isUffdWp(try pte(w, child, a)) == withEvent)
            #expect(w.fmt.swpTest(try pte(w, child, a + pg), .uffdWp) == withEvent)
            #expect(w.fmt.isUffdWp(try pte(w, pid, a)))                                  // the parent keeps them
            try w.write(child, a, 2)
            #expect(w.uffdEvents.count == (withEvent ? 1 : 0))
            #expect(w.check().isEmpty)
        }
    }

    @Test("unregister drops the protection; unprotect outside a registered range is refused")
    func unregister() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        try w.write(pid, a, 1)
        #expect(throws: MMMError.invalidArgument) { try w.uffdWriteProtect(pid, a, pg, protect: true) }
        try w.uffdRegisterWP(pid, a, pg)
        try w.uffdWriteProtect(pid, a, pg, protect: true)
        try w.uffdUnregister(pid, a, pg)
        #expect(!w.fmt.isUffdWp(try pte(w, pid, a)))
        #expect(w.processes[Int(pid) - 1].vmas.allSatisfy { !$0.flags.contains(.uffdWp) })
        try w.write(pid, a, 2)
        #expect(w.uffdEvents.isEmpty && w.check().isEmpty)
    }

    @Test("clear_refs write-protects and clears SD; the next write reuses and sets SD; SD survives swap (§6.1)")
    func softDirty() throws {
        var w = try world(softDirty: true)
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: 2 * pg)
        try w.access(pid, a, 2 * pg, read: false, write: true, value: 1)
        try w.clearRefsSoftDirty(pid)
        #expect(w.processes[Int(pid) - 1].vmas.allSatisfy { !$0.flags.contains(.softDirty) })
        var p = try pte(w, pid, a)
        #expect(!w.fmt.isSoftDirty(p) && !w.fmt.isWrite(p))
        let before = try w.counters(pid)
        try w.write(pid, a, 2)
        #expect(try w.counters(pid).minor - before.minor == 1)
        p = try pte(w, pid, a)
        #expect(w.fmt.isSoftDirty(p) && w.fmt.isWrite(p))
        _ = try w.pageout(pid, a, 2 * pg)
        let s0 = try pte(w, pid, a), s1 = try pte(w, pid, a + pg)
        #expect(w.fmt.swpTest(s0, .softDirty) && !w.fmt.swpTest(s1, .softDirty))
        _ = try w.access(pid, a, 2 * pg, read: true, write: false)
        #expect(w.fmt.isWrite(try pte(w, pid, a)))                  // SD came back: nothing to record
        #expect(!w.fmt.isWrite(try pte(w, pid, a + pg)))          // needs_sd_wp (§4.6)
        #expect(w.check().isEmpty)
    }

    @Test("without CONFIG_MEM_SOFT_DIRTY clear_refs changes nothing")
    func softDirtyCompiledOut() throws {
        var w = try world()
        let pid = w.createProcess()
        let a = try w.mmap(pid, length: pg)
        try w.write(pid, a, 1)
        try w.clearRefsSoftDirty(pid)
        #expect(w.fmt.isWrite(try pte(w, pid, a)))
    }

    @Test("scenario language: uffd and clear-refs lines, the soft-dirty header, event lines")
    func language() throws {
        let r = Scenario.run(text: """
            soft-dirty on
            thp never
            map A 2 pages
            write A[*] 1
            uffd register wp fork-event A[*]
            uffd protect A[0]
            write A[*] 2
            expect uffd-events 1
            uffd unprotect A[*]
            uffd unregister A[*]
            clear-refs soft-dirty
            expect A[*] !writable !soft-dirty !uffd-wp
            """)
        #expect(r.passed, "\(r.error.map(String.init(describing:)) ?? "") \(r.failures)")
        #expect(r.text.contains("uffd parent A[0] write line=7\n"))
        #expect(r.text.contains("soft-dirty=on"))
        #expect(r.observationJSON(verbose: false).contains("\"uffd_events\":[{\"process\":\"parent\",\"page\":\"A[0]\""))
        for (bad, msg) in [("map A 1\nuffd register A[*]", "line 2"), ("map A 1\nuffd register wp bogus A[*]", "bogus"),
                           ("arch arm64\nsoft-dirty on", "x86_64"), ("map A 1\nclear-refs", "clear-refs soft-dirty")] {
            let e = Scenario.run(text: bad)
            #expect(e.error?.description.contains(msg) == true, "\(bad): \(String(describing: e.error))")
        }
        let u = Scenario.run(text: "map A 1\nuffd register wp unpopulated A[*]\nuffd protect A[*]\nexpect A[0] swapped uffd-wp")
        #expect(u.passed, "\(String(describing: u.error)) \(u.failures)")
        let old = Scenario.run(text: "kernel 6.1\nmap A 1\nuffd register wp unpopulated A[*]")
        #expect(old.error != nil)                                // 6.1 has no WP_UNPOPULATED (6.4)
    }
}
