// Copy-on-write PTE tables, the never-merged RFC (issue 8; semantics §5.5;
// Chih-En Lin, "Introduce Copy-On-Write to Page Table", v3-v5): the fork mode
// `cowPte` shares whole PTE tables, every changing path breaks them first,
// observations equal a copying fork's, costs differ. Worlds check after every
// operation (WorldTestSupport), so every state below passes every rule.
import Testing
@_spi(Testing) @testable import MMModel

func cowPteConfig(_ arch: Arch = .x86_64, breakOnYoung: Bool = false) -> WorldConfig {
    var c = WorldConfig.small(arch: arch)
    c.policy.cowPte = true
    c.policy.cowPteBreakOnYoung = breakOnYoung
    return c
}

/// Eight pages written in the parent, then a COW PTE fork: one shared table.
func cowPteForked(_ c: WorldConfig = cowPteConfig()) throws -> (World, Int32, Int32, UInt64) {
    var w = try World(c)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 8 * page)
    try w.access(parent, a, 8 * page, read: false, write: true, value: 1)
    let child = try w.fork(parent)
    return (w, parent, child, a)
}

@Suite("COW PTE tables (RFC): sharing, breaking, equivalence, rules")
struct CowPteTests {
    // MARK: Sharing at fork (§5.5 "What")

    @Test("fork shares the PTE table: both PMDs write-protected, share count 2, counts as a copying fork's (§2.3, §2.6)",
          arguments: [Arch.x86_64, .arm64])
    func forkShares(_ arch: Arch) throws {
        var (w, parent, child, a) = try cowPteForked(cowPteConfig(arch))
        let tp = w.testingCowPteTable(parent, a), tc = w.testingCowPteTable(child, a)
        #expect(tp.table == tc.table && tp.shareCount == 2 && tp.writeProtected && tc.writeProtected)
        let rp = try w.rows(parent, a, 8), rc = try w.rows(child, a, 8)
        #expect(rp == "rrrrrrrr" && rc == "rrrrrrrr")
        let st = try w.pageState(child, a)
        #expect(st.mapcount == 2 && st.refcount == 2 && !st.anonExclusive)    // §2.4: dup as fork does
        let k = try w.counters(child)
        #expect(k.forkTablesShared == 1 && k.forkPtesCopied == 0)
        #expect(k.pageTablesAllocated == 3)                                    // PGD, PUD, PMD: no PTE table
        #expect(w.process(child)!.rssAnon == 8)                                // RFC: RSS charged at fork
        #expect(w.check().isEmpty)
        _ = try w.read(child, a + page)                                        // hardware A bit: no break
        #expect(w.testingCowPteTable(child, a).shareCount == 2)
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
    }

    @Test("a write fault breaks by copy; the last sharer then reuses the table (RFC break_cow_pte)")
    func breakThenReuse() throws {
        var (w, parent, child, a) = try cowPteForked()
        let shared = w.testingCowPteTable(parent, a).table
        try w.write(child, a, 2)
        let tc = w.testingCowPteTable(child, a), tp = w.testingCowPteTable(parent, a)
        #expect(tc.table != shared && !tc.writeProtected && tc.shareCount == 0)
        #expect(tp.table == shared && tp.shareCount == 1 && tp.writeProtected)
        #expect(try w.rows(child, a, 8) == "Wrrrrrrr")                         // §3.3: the page copied, the rest shared
        var k = try w.counters(child)
        #expect(k.cowPteBreakCopies == 1 && k.cowPteBreakPtesCopied == 8
                && k.cowPteBreaksByCause[CowPteBreakCause.writeFault.rawValue] == 1 && k.pageTablesAllocated == 4)
        try w.write(parent, a + page, 3)
        k = try w.counters(parent)
        #expect(k.cowPteBreakReuses == 1 && k.cowPteBreakCopies == 0)
        #expect(w.testingCowPteTable(parent, a) == (0, false, shared))
        let v0 = try w.read(parent, a), v1 = try w.read(child, a), v2 = try w.read(child, a + page)
        #expect(v0 == 1 && v1 == 2 && v2 == 1)
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
    }

    @Test("exit lets shared tables go without copying; the parent reuses on its next write")
    func exitDrops() throws {
        var (w, parent, child, a) = try cowPteForked()
        try w.exit(child)
        let k = try w.counters(child)
        #expect(k.cowPteSharesDropped == 1 && k.cowPteBreakCopies == 0)
        #expect(w.testingCowPteTable(parent, a).shareCount == 1)
        #expect(try w.pageState(parent, a).mapcount == 1)
        try w.write(parent, a, 5)                                              // §2.9 E2-1: reuse, not copy
        #expect(try w.counters(parent).wpReuse == 1)
        #expect(try w.counters(parent).cowPteBreakReuses == 1)
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
    }

    @Test("a maybe-pinned AnonExclusive page keeps its table from being shared (R-FORK-9)")
    func pinnedTableCopied() throws {
        var w = try World(cowPteConfig())
        let parent = w.createProcess()
        let a = try w.mmap(parent, length: 8 * page)
        try w.access(parent, a, 8 * page, read: false, write: true, value: 1)
        _ = try w.pin(parent, a, page, write: true)
        let child = try w.fork(parent)
        let k = try w.counters(child)
        #expect(k.forkTablesShared == 0 && k.forkPagesCopied == 1)
        #expect(!w.testingCowPteTable(parent, a).writeProtected)
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
    }

    @Test("a MADV_DONTFORK or MADV_WIPEONFORK VMA in the table's range makes fork copy it (RFC: VMA kinds excluded)",
          arguments: [MadviseAdvice.dontfork, .wipeonfork])
    func excludedVmaCopied(_ advice: MadviseAdvice) throws {
        var w = try World(cowPteConfig())
        let parent = w.createProcess()
        let a = try w.mmap(parent, length: 8 * page)
        try w.access(parent, a, 8 * page, read: false, write: true, value: 1)
        try w.madvise(parent, a + 4 * page, 4 * page, advice)
        let child = try w.fork(parent)
        #expect(try w.counters(child).forkTablesShared == 0)
        #expect(try w.rows(child, a, 4) == "rrrr")
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
    }

    // MARK: Breaking by cause

    @Test("munmap of part of the table breaks it; of all of it lets it go")
    func zapBreaksOrDrops() throws {
        var (w, parent, child, a) = try cowPteForked()
        try w.munmap(child, a, page)
        #expect(try w.counters(child).cowPteBreaksByCause[CowPteBreakCause.zap.rawValue] == 1)
        var (w2, _, child2, a2) = try cowPteForked()
        try w2.munmap(child2, a2, 8 * page)
        let k2 = try w2.counters(child2)
        #expect(k2.cowPteSharesDropped == 1 && k2.cowPteBreakCopies == 0)
        #expect(try w.rows(parent, a, 8) == "rrrrrrrr")
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
        #expect(w2.invariantViolations().isEmpty, "\(w2.invariantViolations())")
    }

    @Test("mprotect, MADV_COLD, MADV_PAGEOUT (rmap unmap walk) and a pin each break with their cause")
    func causes() throws {
        var (w, _, child, a) = try cowPteForked()
        try w.mprotect(child, a, page, .read)
        #expect(try w.counters(child).cowPteBreaksByCause[CowPteBreakCause.mprotect.rawValue] == 1)
        var (w2, _, child2, a2) = try cowPteForked()
        try w2.madvise(child2, a2, page, .cold)
        #expect(try w2.counters(child2).cowPteBreaksByCause[CowPteBreakCause.madvise.rawValue] == 1)
        var (w3, parent3, child3, a3) = try cowPteForked()
        try w3.exit(child3)                                // shared pages are skipped by MADV_PAGEOUT (§4.1)
        #expect(try w3.pageout(parent3, a3, page) == 1)
        let k3p = try w3.counters(parent3)
        #expect(k3p.cowPteBreaksByCause[CowPteBreakCause.unmapWalk.rawValue] == 1)   // try_to_unmap's walk
        #expect(try w3.rows(parent3, a3, 2) == "sr")
        var (w4, _, child4, a4) = try cowPteForked()
        _ = try w4.pin(child4, a4, page, write: false)                     // GUP R/O pin of a !AE page: unshare
        #expect(try w4.counters(child4).cowPteBreaksByCause[CowPteBreakCause.unshareFault.rawValue] == 1)
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
        #expect(w2.invariantViolations().isEmpty, "\(w2.invariantViolations())")
        #expect(w3.invariantViolations().isEmpty, "\(w3.invariantViolations())")
        #expect(w4.invariantViolations().isEmpty, "\(w4.invariantViolations())")
    }

    @Test("uffd protect, clear_refs, MADV_FREE and KSM unmerge each break with their cause")
    func moreCauses() throws {
        func cause(_ w: World, _ pid: Int32, _ c: CowPteBreakCause) throws -> UInt64 {
            try w.counters(pid).cowPteBreaksByCause[c.rawValue]
        }
        var (w, _, child, a) = try cowPteForked()
        try w.uffdRegisterWP(child, a, 8 * page)
        try w.uffdWriteProtect(child, a, page, protect: true)
        #expect(try cause(w, child, .uffdWp) == 1)
        var c = cowPteConfig()
        c.format = PteFormat(arch: .x86_64, config: KernelConfig.live618.union(.softDirty))
        var (w2, parent2, _, _) = try cowPteForked(c)
        try w2.clearRefsSoftDirty(parent2)
        #expect(try cause(w2, parent2, .clearRefs) == 1)
        var (w3, _, child3, a3) = try cowPteForked()
        try w3.madvise(child3, a3, 2 * page, .free)
        #expect(try cause(w3, child3, .madvise) == 1)
        var (w4, parent4, _, a4) = try cowPteForked()
        var (w5, parent5, _, a5) = try cowPteForked(.small())     // the same under a copying fork
        let merged = try w4.ksmMerge(parent4, a4, 8 * page)        // eight pages of one content (R-KSM-1)
        let merged5 = try w5.ksmMerge(parent5, a5, 8 * page)
        #expect(merged == merged5 && merged >= 1)
        #expect(try cause(w4, parent4, .ksm) >= 1)
        let un4 = try w4.ksmUnmerge(parent4, a4, 8 * page), un5 = try w5.ksmUnmerge(parent5, a5, 8 * page)
        #expect(un4 == un5 && un4 >= 1)
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
        #expect(w2.invariantViolations().isEmpty, "\(w2.invariantViolations())")
        #expect(w3.invariantViolations().isEmpty, "\(w3.invariantViolations())")
        #expect(w4.invariantViolations().isEmpty, "\(w4.invariantViolations())")
        #expect(w5.invariantViolations().isEmpty, "\(w5.invariantViolations())")
    }

    @Test("mremap moves a shared table's entries only after breaking it; MADV_COLLAPSE breaks before replacing the table")
    func mremapAndCollapse() throws {
        var (w, parent, child, a) = try cowPteForked()
        let to = try w.mremap(child, a, oldLength: 8 * page, newLength: 8 * page, flags: [.mayMove, .fixed],
                              newAddress: a + 2 * mib2)
        let kc = try w.counters(child)
        #expect(kc.cowPteBreaksByCause[CowPteBreakCause.mremap.rawValue] == 1, "\(kc)")
        #expect(try w.read(child, to + 3 * page) == 1 && w.rows(parent, a, 8) == "rrrrrrrr")
        var c = cowPteConfig()
        c.thpEnabled = .madvise
        var w2 = try World(c)
        let p2 = w2.createProcess()
        let b = try w2.mmap(p2, length: mib2, align: mib2)
        try w2.madvise(p2, b, mib2, .nohugepage)
        try w2.access(p2, b, mib2, read: false, write: true, value: 1)
        let c2 = try w2.fork(p2)
        try w2.exit(c2)                                       // mapped once again: collapse may take them
        try w2.madvise(p2, b, mib2, .hugepage)
        try w2.collapse(p2, b, mib2)
        #expect(try w2.counters(p2).cowPteBreaksByCause[CowPteBreakCause.collapse.rawValue] == 1)
        #expect(try w2.pageState(p2, b + page).pmdMapped)
        #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
        #expect(w2.invariantViolations().isEmpty, "\(w2.invariantViolations())")
    }

    @Test("folio_referenced clears a shared accessed bit without breaking (v4, review); cowPteBreakOnYoung breaks (v3)")
    func youngWalk() throws {
        for breakOnYoung in [false, true] {
            var (w, parent, child, a) = try cowPteForked(cowPteConfig(breakOnYoung: breakOnYoung))
            let pfn = try w.pageState(parent, a).pfn
            let r = try w.folioReferenced(pfn)
            // One A bit, set by the parent's writes: seen once through the shared
            // table; broken, the parent's copy is old (copy_pte_range) and the
            // child's table keeps it. A copying fork gives 1 as well (child old).
            #expect(r.mappings == 2 && r.referenced == 1, "\(r)")
            let k = try w.counters(parent), kc = try w.counters(child)
            let breaks = k.cowPteBreaksByCause[CowPteBreakCause.referencedWalk.rawValue]
                + kc.cowPteBreaksByCause[CowPteBreakCause.referencedWalk.rawValue]
            #expect(breaks == (breakOnYoung ? 2 : 0))
            #expect(w.invariantViolations().isEmpty, "\(w.invariantViolations())")
        }
    }

    // MARK: Equivalence (issue 8 item 3)

    @Test("every example scenario: identical observations, faults and checker results with and without cowPte",
          arguments: scenarioFiles())
    func scenarioEquivalent(_ name: String) throws {
        let text = try readScenario(name)
        let base = try #require(try? Scenario.parse(text: text).get())
        let (ra, va) = base.runChecked(name: name)
        let (rb, vb) = try base.under(preset: nil, switches: ["cowPte=on"]).runChecked(name: name)
        #expect(va == vb, "\(va) / \(vb)")                                 // broken kernels' scenarios break rules alike
        #expect(ra.passed == rb.passed && rb.failures.isEmpty, "\(rb.failures)")
        let cmp = ScenarioComparison(a: ra, b: rb, labelA: "off", labelB: "on")
        let phasesDiffer = cmp.phaseRows.contains { $0.a != $0.b }
        #expect(!phasesDiffer, "\(cmp.text)")
        #expect(cmp.pageRows.isEmpty, "\(cmp.text)")                     // pteYoung is not compared: intended
        // Only the cost counters may differ (docs/kernel-policy.md, COW PTE tables).
        let costs = ["forkPtesCopied", "forkTablesShared", "cowPte", "pageTablesAllocated", "forkRmapOps", "forkRefOps",
                     "forkBatches", "forkPtesBatched"]
        for r in cmp.counterRows {
            let field = r.what.split(separator: " ").last.map(String.init) ?? ""
            #expect(costs.contains { field.hasPrefix($0) }, "\(r.what): \(r.a) vs \(r.b)")
        }
    }

    @Test("randomized exploration: op by op the same outcomes, pages, faults and no violation with and without cowPte")
    func exploreEquivalent() {
        var ops = 0
        for seed: UInt64 in 1...60 {
            let (n, d) = Explorer.compare(seed: 0xC0_77E0 &+ seed, steps: 200, pages: 64, switches: ["cowPte=on"])
            ops += n
            #expect(d == nil, "\(d.map(String.init(describing:)) ?? "")")
        }
        #expect(ops > 5000)
    }

    // MARK: Costs (issue 8 item 4)

    @Test("cost table: sharing saves tables and PTE copies for exit / exec-like children, saves nothing when all is written, and the young walk breaks only with cowPteBreakOnYoung")
    func costTable() throws {
        let rows = try CowPteCosts.table(pages: 1024)                  // two PTE tables
        func row(_ w: String, _ m: String) throws -> CowPteCostRow {
            try #require(rows.first { $0.workload == w && $0.mode == m })
        }
        for w in ["fork-then-exit", "fork-then-exec-like", "fork-then-write-everything", "young-bit reclaim"] {
            let copy = try row(w, "copy"), cow = try row(w, "cowPte")
            #expect(copy.ptesCopiedAtFork == 1024 && cow.ptesCopiedAtFork == 0 && cow.tablesShared == 2, "\(w)")
            #expect(copy.rmapOpsAtFork == cow.rmapOpsAtFork, "\(w): fork-equivalent accounting at share time")
        }
        let exit = try row("fork-then-exit", "cowPte")
        #expect(exit.tablesAllocated == 3 && exit.sharesDropped == 2 && exit.ptesCopiedAtBreaks == 0)
        #expect(try row("fork-then-exit", "copy").tablesAllocated == 5)    // PGD, PUD, PMD + 2 PTE tables
        let exec = try row("fork-then-exec-like", "cowPte")
        #expect(exec.breakCopies == 1 && exec.ptesCopiedAtBreaks == 512 && exec.sharesDropped == 1)
        let all = try row("fork-then-write-everything", "cowPte")
        #expect(all.tablesAllocated == 5 && all.ptesCopiedAtBreaks == 1024 && all.breakCopies == 2 && all.breakReuses == 2)
        #expect(try row("young-bit reclaim", "cowPte").breaksByCause.isEmpty)
        #expect(try row("young-bit reclaim", "cowPte+breakOnYoung").breaksByCause == "referencedWalk=4")
    }

    @Test("examples/scenarios/cow-pte-fork.mmm turns the mode on with a header switch")
    func exampleUsesSwitch() throws {
        let s = try Scenario.parse(text: try readScenario("cow-pte-fork.mmm")).get()
        #expect(s.header.switches == ["cowPte=on"] && s.header.worldConfig.policy.cowPte)
    }

    @Test("mmm show draws a shared table once, with dashed write-protected PMD edges from both processes")
    func showSharedTable() throws {
        let r = Scenario.state(text: try readScenario("cow-pte-fork.mmm"), at: .snapshot("forked"))
        guard case .success(let st) = r else { Issue.record("\(r)"); return }
        let dot = st.dot()
        #expect(dot.split(separator: "COW PTE table, 2 write-protected", omittingEmptySubsequences: false).count == 2)   // declared once
        #expect(dot.split(separator: "wp\", style=dashed", omittingEmptySubsequences: false).count == 3)                 // two PMD edges
    }

    // MARK: Checker rules (issue 8 item 5)

    @Test("COWPTE-WRITABLE: a writable anonymous PTE written into a COW table without breaking it")
    func ruleWritable() throws {
        var (w, parent, child, a) = try cowPteForked()
        try w.exit(child)                                          // share count 1, PMD still write-protected
        _ = w.takeViolations()
        w.testingSetAnonExclusive(parent, a, true)
        w.testingSetPteInPlace(parent, a, w.fmt.mkwrite(Pte(w.testingPte(parent, a))).raw)
        expectOnly(&w, .cowPteWritable)
    }

    @Test("COWPTE-SHARES: a share count that is not the write-protected PMDs referencing the table")
    func ruleShares() throws {
        var (w, parent, _, a) = try cowPteForked()
        w.testingAdjustShareCount(parent, a, by: 1)
        expectOnly(&w, .cowPteShares)
    }

    @Test("COWPTE-OWNERS: a process still referencing a table it is recorded to have broken away from")
    func ruleOwners() throws {
        var (w, _, child, a) = try cowPteForked()
        w.testingForgetTableOwner(child, a)
        expectOnly(&w, .cowPteOwners)
    }

    @Test("the incremental checker charges a write in a shared table to every process referencing it")
    func touchedSeveralOwners() throws {
        var (w, parent, child, a) = try cowPteForked()
        w.testingSetPteInPlace(parent, a + 7 * page, 0)        // an entry vanishes for both sharers
        let full = Set(w.check().filter { $0.rule == .inv17 }.map(\.pid))
        let touched = Set(w.checkTouched().filter { $0.rule == .inv17 }.map(\.pid))
        #expect(full == [parent, child] && touched == full)
    }

    @Test("the incremental checker judges a sharer's entry by that sharer's VMA: a VMA mremap'd before the fork keeps its vm_pgoff (linear_page_index), so a write in the shared table (fork write-protecting the parent's writable PTEs) is at its linear address for the child too (Explorer.compare seeds 2881486962, 2881487084: RMAP-ADDR from checkTouched only); a page really mapped away from it is still reported for both sharers")
    func touchedSharerPgoff() throws {
        var w = try World(cowPteConfig())
        let parent = w.createProcess()
        let a0 = try w.mmap(parent, length: 8 * page)
        try w.access(parent, a0, 8 * page, read: false, write: true, value: 1)
        let a = try w.mremap(parent, a0, oldLength: 8 * page, newLength: 8 * page, flags: [.mayMove, .fixed],
                             newAddress: a0 + 4 * mib2)
        #expect(a == a0 + 4 * mib2 && (w.process(parent)?.vmas.contains { $0.pgoffShift != 0 } ?? false))
        let child = try w.fork(parent)
        #expect(w.testingCowPteTable(child, a).shareCount == 2)
        #expect(w.violations.isEmpty && w.check().isEmpty, "\(w.violations)")
        // Strictness: page 0 moved to where page 1 is, in the shared table.
        let e0 = w.testingPte(parent, a)
        w.testingSetPteInPlace(parent, a, 0)
        w.testingSetPteInPlace(parent, a + page, e0)
        let all = w.check()
        let full = Set(all.filter { $0.rule == .rmapAddr }.map(\.pid))
        let touched = Set(w.checkTouched().filter { $0.rule == .rmapAddr }.map(\.pid))
        #expect(full == [parent, child] && touched == full, "\(all)")
        // The explored runs that found it agree in both modes now.
        for seed: UInt64 in [2881486962, 2881487084] {
            let (_, d) = Explorer.compare(seed: seed, steps: 200, pages: 64, switches: ["cowPte=on"])
            #expect(d == nil, "\(d.map(String.init(describing:)) ?? "")")
        }
    }
}
