// Kernel presets and policy switches (issue 6 items 2-4): the reproductions in
// examples/scenarios run under the kernels they contrast, and the differences
// the spec predicts (semantics §3.10, §4.6-§4.8, §2.3-§2.5, §7.4, §11) show up
// in fault counts, counters and page state. The scenario files' own
// expectations (their header's kernel) are checked by ScenarioTests.
import Testing
import MMModel

/// Runs an example scenario under `preset` (nil: the header's) plus `switches`.
func runPolicy(_ file: String, _ preset: String?, _ switches: [String] = []) throws -> ScenarioResult {
    let r = Scenario.run(text: try readScenario(file), name: file, preset: preset, switches: switches)
    #expect(r.error == nil, "\(file) under \(preset ?? "header") \(switches): \(r.error.map(String.init(describing:)) ?? "")")
    return r
}

/// (minor, major) of a phase.
func phaseFaults(_ r: ScenarioResult, _ process: String, _ phase: String) throws -> (UInt64, UInt64) {
    let ph = try #require(r.phases.first { $0.process == process && $0.name == phase }, "no phase \(process) \(phase)")
    return (ph.minor, ph.major)
}

func endCounters(_ r: ScenarioResult, _ process: String) throws -> FaultCounters {
    try #require(r.counters.first { $0.process == process }?.counters, "no process \(process)")
}

@Suite("Kernel policy: presets, switches, reproductions")
struct PolicyTests {
    // MARK: Presets and switches

    @Test("the default policy is the 6.18 preset; every preset and switch value round-trips")
    func presetsAndSwitches() throws {
        #expect(WorldConfig().policy == KernelPolicy.v6_18)
        #expect(KernelPolicy.preset("6.18") == KernelPolicy())
        for name in KernelPolicy.presetNames { #expect(KernelPolicy.preset(name) != nil, "\(name)") }
        #expect(KernelPolicy.preset("4.19") == nil)
        for name in KernelPolicy.switchNames {
            let values = try #require(KernelPolicy.values(of: name))
            for v in values {
                var p = KernelPolicy()
                try p.set(name, v)
                #expect(p.value(of: name) == v, "\(name)=\(v)")
            }
        }
        var p = KernelPolicy()
        #expect(throws: MMMError.invalidArgument) { try p.set("noSuchSwitch", "on") }
        #expect(throws: MMMError.invalidArgument) { try p.set("swapInReuse", "sometimes") }
        // Spec §11: the rows the presets encode.
        let k510 = try #require(KernelPolicy.preset("6.10")), k512 = try #require(KernelPolicy.preset("6.12"))
        #expect(k510.differences(from: k512) == ["swapInReuse=writeFaultOnly", "largeSwapIn=off", "splitRemapsZeroPages=off"])
        let k515 = try #require(KernelPolicy.preset("5.15"))
        #expect(!k515.anonExclusive && k515.wpReuse == .refcountOne && k515.forkPinnedGate == .needsCowForDma
                && !k515.forkBatching && !k515.mthpFaults && k515.mprotectUpgrade == .none)
        #expect(KernelPolicy.preset("6.8")!.mthpFaults && !KernelPolicy.preset("6.8")!.forkBatching)
        #expect(KernelPolicy.preset("6.12")!.fpbAPI == .v6_10 && KernelPolicy.v6_18.fpbAPI == .v6_17)
        // 6.15 is 6.18 without the two 6.17 changes: the FPB_RESPECT_* flag API
        // of folio_pte_batch_flags and d23cb648e365 (mremap of several VMAs).
        let k615 = try #require(KernelPolicy.preset("6.15"))
        #expect(Set(k615.differences(from: KernelPolicy.v6_18)) == ["fpbAPI=v6_10", "mremapMultiVma=off"])
    }

    @Test("a policy is set before the first process, never under live page tables")
    func setPolicyOnlyWhenEmpty() throws {
        var w = try World(WorldConfig())
        try w.setPolicy(KernelPolicy.preset("6.10")!)
        #expect(w.policy.swapInReuse == .writeFaultOnly)
        _ = w.createProcess()
        #expect(throws: MMMError.busy) { try w.setPolicy(KernelPolicy()) }
    }

    @Test("scenario header: kernel presets and switch lines, errors name their line")
    func header() {
        let ok = Scenario.parse(text: "kernel 6.10\nswitch forkBatching=off\nmap A 1 pages\n")
        guard case .success(let s) = ok else { Issue.record("parse failed"); return }
        #expect(s.header.kernel == "6.10" && s.header.switches == ["forkBatching=off"])
        #expect(s.header.worldConfig.policy.swapInReuse == .writeFaultOnly && !s.header.worldConfig.policy.forkBatching)
        for (text, line, msg) in [("switch nope=1\n", 1, "unknown switch 'nope'"),
                                  ("switch forkBatching=maybe\n", 1, "switch forkBatching takes on, off"),
                                  ("switch forkBatching=on\nswitch forkBatching=off\n", 2, "given twice"),
                                  ("switch =\n", 1, "unknown switch")] {
            guard case .failure(let e) = Scenario.parse(text: text) else { Issue.record("\(text) parsed"); continue }
            #expect(e.line == line && e.message.contains(msg), "\(e)")
        }
    }

    // MARK: The seed microbenchmark (§4.7, §7.4)

    @Test("seed microbenchmark: 512 minor + 512 major under 6.10, 0 + 512 from 6.11")
    func seed() throws {
        let r610 = try runPolicy("seed-microbenchmark-6.10.mmm", nil)
        #expect(r610.passed)
        #expect(try phaseFaults(r610, "parent", "read") == (0, 512))
        #expect(try phaseFaults(r610, "parent", "write") == (512, 0))
        #expect(try endCounters(r610, "parent").wpReuse == 512)
        for preset in ["6.11", "6.12", "6.18"] {
            let r = try runPolicy("seed-microbenchmark-6.10.mmm", preset)
            #expect(try phaseFaults(r, "parent", "read") == (0, 512), "\(preset)")
            #expect(try phaseFaults(r, "parent", "write") == (0, 0), "\(preset)")
            #expect(try endCounters(r, "parent").wpReuse == 0)
        }
        // 5.15 (reuse_swap_page era): the same 512 + 512 (fresh pages have refcount 1).
        let r515 = try runPolicy("seed-microbenchmark-6.10.mmm", "5.15")
        #expect(try phaseFaults(r515, "parent", "read") == (0, 512))
        #expect(try phaseFaults(r515, "parent", "write") == (512, 0))
        // mmm compare's view: the switch and the write phase differ; the end state does not.
        let c = ScenarioComparison(a: r610, b: try runPolicy("seed-microbenchmark-6.10.mmm", "6.11"),
                                   labelA: "6.10", labelB: "6.11")
        #expect(c.policyRows == [.init(what: "swapInReuse", a: "writeFaultOnly", b: "exclusiveWritableOnRead")])
        #expect(c.phaseRows.contains(.init(what: "parent write minor", a: "512", b: "0")))
        #expect(c.counterRows.contains(.init(what: "parent wpReuse", a: "512", b: "0")))
        #expect(!c.pageRows.contains { $0.what.hasPrefix("end ") })
        #expect(c.text.contains("parent write minor"))
    }

    @Test("swap-in rules after a read fault: read-only (6.10), writable clean (6.11), writable dirty (RFC)")
    func swapInReadRules() throws {
        for (sw, writable, dirty) in [("writeFaultOnly", false, false), ("exclusiveWritableOnRead", true, false),
                                      ("rfcDirtyOnRead", true, true)] {
            var c = WorldConfig()
            c.frames = 64
            c.swapSlots = 64
            try c.policy.set("swapInReuse", sw)
            var w = try World(c)
            let pid = w.createProcess()
            let a = try w.mmap(pid, length: 4096)
            try w.write(pid, a, 1)
            #expect(try w.pageout(pid, a, 4096) == 1)
            _ = try w.read(pid, a)
            let pte = Pte(try w.pageState(pid, a).entry)
            #expect(w.fmt.isWrite(pte) == writable, "\(sw)")
            #expect(w.fmt.isDirty(pte) == dirty, "\(sw): the RFC made clean pages dirty")
            #expect(try w.pageState(pid, a).anonExclusive)
        }
    }

    // MARK: Pinned pages at fork (§2.4, §2.5, R-FORK-10)

    @Test("pinned pages at fork: no gate leaks the pinned pages to the child; 5.9+ copies for the child")
    func pinnedGate() throws {
        let none = try runPolicy("pin-fork-gate-none.mmm", nil)
        #expect(none.passed, "\(none.failures)")
        #expect(try phaseFaults(none, "parent", "parent-writes") == (4, 0))
        #expect(try endCounters(none, "child").forkPagesCopied == 0)
        for gate in ["needsCowForDma", "exclusiveAndPinned"] {
            let r = try runPolicy("pin-fork-gate-none.mmm", nil, ["forkPinnedGate=\(gate)"])
            #expect(try phaseFaults(r, "parent", "parent-writes") == (0, 0), "\(gate)")
            #expect(try endCounters(r, "child").forkPagesCopied == 4, "\(gate)")
            let end = try observedPage(r, "end", "parent", "A", 0)
            #expect(end.maybePinned && end.data == 5)
        }
    }

    @Test("CVE-2020-29374 class: a child's R/O reference sees the parent's write only under the ≤ 5.8 rule")
    func gupAfterFork() throws {
        let old = try runPolicy("gup-after-fork-cve.mmm", nil)
        #expect(old.passed, "\(old.failures)")
        #expect(try observedPage(old, "end", "parent", "A", 0).maybePinned)      // the parent writes into the pinned page
        for preset in ["5.15", "6.1", "6.18"] {
            let r = try runPolicy("gup-after-fork-cve.mmm", preset)
            let p = try observedPage(r, "end", "parent", "A", 0)
            #expect(!p.maybePinned && p.data == 9, "\(preset): the parent's data stays out of the referenced page")
        }
        // 5.15: the parent copies (refcount rule); 6.18: the child unshared at pin time, the parent reuses.
        #expect(try endCounters(try runPolicy("gup-after-fork-cve.mmm", "5.15"), "parent").wpCopy == 1)
        let r618 = try runPolicy("gup-after-fork-cve.mmm", "6.18")
        #expect(try endCounters(r618, "child").unshare == 1)
        #expect(try endCounters(r618, "parent").wpReuse == 1)
    }

    // MARK: fork batching (§2.3, R-FORK-6)

    @Test("fork of large folios: batching changes the counts, not the state")
    func forkBatching() throws {
        let on = try runPolicy("fork-mthp-batching.mmm", nil)
        #expect(on.passed, "\(on.failures)")
        let c = try endCounters(on, "child")
        #expect(c.forkBatches == 4 && c.forkPtesBatched == 64 && c.forkRmapOps == 4 && c.forkRefOps == 4)
        let v610 = try runPolicy("fork-mthp-batching.mmm", nil, ["fpbAPI=v6_10"])
        #expect(try endCounters(v610, "child") == c)                   // same batches in the 6.10 spelling
        for (preset, sw) in [(nil, ["forkBatching=off"]), ("6.8", [String]())] {
            let off = try runPolicy("fork-mthp-batching.mmm", preset, sw)
            #expect(off.passed, "\(off.failures)")
            let k = try endCounters(off, "child")
            #expect(k.forkBatches == 0 && k.forkPtesBatched == 0 && k.forkRmapOps == 64 && k.forkRefOps == 64)
            let cmp = ScenarioComparison(a: on, b: off, labelA: "on", labelB: "off")
            #expect(cmp.pageRows.isEmpty, "\(cmp.pageRows)")
            #expect(cmp.phaseRows.allSatisfy { !$0.differs })
            #expect(Set(cmp.counterRows.map(\.what)) == ["child forkPtesBatched", "child forkBatches",
                                                          "child forkRmapOps", "child forkRefOps"])
        }
    }

    // MARK: Large-folio swap-in from the middle (§4.8; encoding §6.6)

    @Test("pte_move_swp_offset moves a swap PTE's offset both ways, keeping its flags")
    func moveSwpOffsetBothWays() throws {
        let f = PteFormat(arch: .x86_64, config: .live618)
        let e = f.swpSet(f.archSwpEntry(type: 0, offset: 0x107), .exclusive)
        let first = try f.moveSwpOffset(e, by: -7)
        #expect(f.archSwpOffset(first) == 0x100 && f.swpTest(first, .exclusive))
        #expect(try f.moveSwpOffset(first, by: 7) == e)
    }

    @Test("a swapped 64 KiB folio faulted in the middle: one major fault (6.12+), sixteen before")
    func swapInMiddle() throws {
        let r = try runPolicy("swapin-mthp-middle.mmm", nil)
        #expect(r.passed, "\(r.failures)")
        #expect(try phaseFaults(r, "parent", "middle") == (0, 1))
        let r611 = try runPolicy("swapin-mthp-middle.mmm", "6.11")
        #expect(try phaseFaults(r611, "parent", "middle") == (0, 1))
        #expect(try phaseFaults(r611, "parent", "rest") == (0, 15))       // order 0, each writable on read (6.11)
        #expect(try observedPage(r611, "end", "parent", "A", 0).order == 0)
        let r610 = try runPolicy("swapin-mthp-middle.mmm", "6.10")
        #expect(try phaseFaults(r610, "parent", "rest") == (16, 15))      // + a wp fault per page (≤ 6.10)
    }

    @Test("a large swap-cache folio hit in the middle is mapped whole (6.10+), else page by page")
    func swapCacheMiddle() throws {
        let text = """
            kernel 6.18
            thp 64K always
            swap disk
            map A 16 pages align 64K
            write A[*] 1
            pageout A[*]
            phase hit
            read A[9]
            readwrite A[*] 2
            """
        let whole = Scenario.run(text: text, preset: nil, switches: [])
        #expect(whole.error == nil)
        #expect(try phaseFaults(whole, "parent", "hit") == (1, 0))
        let single = Scenario.run(text: text, preset: nil, switches: ["mapLargeSwapCacheFolio=off"])
        #expect(try phaseFaults(single, "parent", "hit") == (16, 0))
    }

    // MARK: The January 2022 do_wp_page case (§3.10)

    @Test("a read-only swap-cache page, then a write: copy under 5.15, reuse under 5.4 and 6.1, no fault under 6.18")
    func wpSwapCache() throws {
        let r515 = try runPolicy("wp-swapcache-reuse.mmm", nil)
        #expect(r515.passed, "\(r515.failures)")
        #expect(try endCounters(r515, "parent").wpCopy == 8)
        for preset in ["5.4", "6.1"] {
            let r = try runPolicy("wp-swapcache-reuse.mmm", preset)
            let wf = try phaseFaults(r, "parent", "write")
            #expect(wf == (8, 0), "\(preset)")
            let k = try endCounters(r, "parent")
            #expect(k.wpReuse == 8 && k.wpCopy == 0, "\(preset)")
            #expect(try observedPage(r, "end", "parent", "A", 3).kept == true, "\(preset)")
        }
        let r618 = try runPolicy("wp-swapcache-reuse.mmm", "6.18")
        #expect(try phaseFaults(r618, "parent", "write") == (0, 0))
    }
}
