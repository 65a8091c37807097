// mmm compare over each difference issue 6 item 5 lists, and the switch
// documentation (issue 6 "done when": each switch names the kernel commit or
// thread and the release). The comparisons use ScenarioComparison, the core of
// `mmm compare`; the expected rows follow the rules each scenario cites (spec
// semantics §4.6, §6.2, §3.10, §2.3, §2.5) and the PolicyTests numbers.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import MMModel

/// The comparison of `file` run under (preset, switches) a and b.
private func compare(_ file: String, _ a: (String?, [String]), _ b: (String?, [String])) throws -> ScenarioComparison {
    let text = try readScenario(file)
    let ra = Scenario.run(text: text, name: file, preset: a.0, switches: a.1)
    let rb = Scenario.run(text: text, name: file, preset: b.0, switches: b.1)
    #expect(ra.error == nil && rb.error == nil, "\(file): \(String(describing: ra.error)) \(String(describing: rb.error))")
    return ScenarioComparison(a: ra, b: rb, labelA: "a", labelB: "b")
}

private func row(_ c: ScenarioComparison, _ what: String) -> ScenarioComparison.Row? {
    (c.policyRows + c.phaseRows + c.counterRows + c.pageRows).first { $0.what == what }
}

/// A file of this checkout (#filePath is Tests/MMModelTests/<file>).
private func repoFile(_ rel: String) throws -> String {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    let path = parts.joined(separator: "/") + "/" + rel
    let fp = try #require(fopen(path, "rb"), "cannot open \(path)")
    defer { fclose(fp) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buf, 1, buf.count, fp)
        bytes += buf[0..<n]
        if n < buf.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite("mmm compare: the issue 6 differences side by side; switch documentation")
struct PolicyCompareTests {
    @Test("swap-in reuse 6.10 vs 6.11 (§4.6): the write phase's 512 minor faults and wpReuse go")
    func seed610vs611() throws {
        let c = try compare("seed-microbenchmark-6.10.mmm", ("6.10", []), ("6.11", []))
        #expect(row(c, "swapInReuse") == .init(what: "swapInReuse", a: "writeFaultOnly", b: "exclusiveWritableOnRead"))
        #expect(row(c, "parent write minor") == .init(what: "parent write minor", a: "512", b: "0"))
        #expect(row(c, "parent read major")?.differs == false)
        #expect(row(c, "parent wpReuse") == .init(what: "parent wpReuse", a: "512", b: "0"))
        #expect(c.text.contains("parent write minor") && c.text.contains("   *"))
    }

    @Test("the RFC dirty-on-read variant vs 6.11 (§4.6, §6.2): a protected page read back writable and dirty, its writes unreported")
    func rfcVariant() throws {
        let c = try compare("swapin-uffd-wp.mmm", (nil, []), (nil, ["swapInReuse=rfcDirtyOnRead"]))
        #expect(row(c, "read parent A[0..3] writable") == .init(what: "read parent A[0..3] writable", a: "no", b: "yes"))
        #expect(row(c, "read parent A[0..3] dirty") == .init(what: "read parent A[0..3] dirty", a: "no", b: "yes"))
        #expect(row(c, "parent write minor") == .init(what: "parent write minor", a: "4", b: "0"))
        #expect(row(c, "parent uffdEvents") == .init(what: "parent uffdEvents", a: "8", b: "0"))
        #expect(c.b.failures.contains { $0.message.contains("INV-15") }, "the checker flags the RFC state")
    }

    @Test("wp reuse eras on the January 2022 case (§3.10): 5.15 copies, 6.1 reuses, 6.18 takes no write fault")
    func wpReuseEras() throws {
        let c = try compare("wp-swapcache-reuse.mmm", ("5.15", []), ("6.1", []))
        #expect(row(c, "wpReuse") == .init(what: "wpReuse", a: "refcountOne", b: "refcount"))
        #expect(row(c, "parent wpCopy") == .init(what: "parent wpCopy", a: "8", b: "0"))
        #expect(row(c, "parent wpReuse") == .init(what: "parent wpReuse", a: "0", b: "8"))
        #expect(c.pageRows.contains { $0.what.hasSuffix("kept-frame") && $0.a == "no" && $0.b == "yes" })
        let c2 = try compare("wp-swapcache-reuse.mmm", ("6.1", []), ("6.18", []))
        #expect(row(c2, "parent write minor") == .init(what: "parent write minor", a: "8", b: "0"))
    }

    @Test("fork batching (§2.3, R-FORK-6): the same state, 4 vs 64 rmap and reference operations")
    func forkBatchingCounts() throws {
        let c = try compare("fork-mthp-batching.mmm", (nil, []), (nil, ["forkBatching=off"]))
        #expect(row(c, "child forkRmapOps") == .init(what: "child forkRmapOps", a: "4", b: "64"))
        #expect(row(c, "child forkRefOps") == .init(what: "child forkRefOps", a: "4", b: "64"))
        #expect(row(c, "child forkBatches") == .init(what: "child forkBatches", a: "4", b: "0"))
        #expect(c.pageRows.isEmpty)
    }

    @Test("pinned pages at fork (§2.5, R-FORK-10): without the gate the parent copies away from its pin; with it the child gets copies")
    func pinnedAtFork() throws {
        let c = try compare("pin-fork-gate-none.mmm", (nil, []), (nil, ["forkPinnedGate=exclusiveAndPinned"]))
        #expect(row(c, "forkPinnedGate") == .init(what: "forkPinnedGate", a: "none", b: "exclusiveAndPinned"))
        #expect(row(c, "parent parent-writes minor") == .init(what: "parent parent-writes minor", a: "4", b: "0"))
        #expect(row(c, "child forkPagesCopied") == .init(what: "child forkPagesCopied", a: "0", b: "4"))
        #expect(c.pageRows.contains { $0.what.hasPrefix("end parent A[0..3]") && $0.what.hasSuffix(" pinned") && $0.a == "no" && $0.b == "yes" })
    }

    @Test("unprotect eras (931298e103c2, 6.3): the write after an unprotect faults on 6.1 only")
    func unprotectEras() throws {
        let text = """
            kernel 6.18
            thp never
            map A 4 pages
            write A[*] 1
            uffd register wp A[*]
            uffd protect A[*]
            uffd unprotect A[*]
            phase write
            write A[*] 2
            """
        let a = Scenario.run(text: text, preset: "6.1", switches: [])
        let b = Scenario.run(text: text, preset: "6.6", switches: [])
        let c = ScenarioComparison(a: a, b: b, labelA: "6.1", labelB: "6.6")
        #expect(row(c, "uffdUnprotectUpgrade") == .init(what: "uffdUnprotectUpgrade", a: "off", b: "on"))
        #expect(row(c, "parent write minor") == .init(what: "parent write minor", a: "4", b: "0"))
    }

    @Test("the README's comparison is what mmm compare prints today")
    func readmeComparison() throws {
        let lines = try repoFile("README.md").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "$ mmm compare examples/scenarios/seed-microbenchmark-6.10.mmm --preset 6.10 --preset 6.11"))
        let shown = lines[(start + 1)...].prefix { $0 != "```" }.filter { $0 != "..." }
        #expect(shown.count >= 6)
        let text = try readScenario("seed-microbenchmark-6.10.mmm")
        let c = ScenarioComparison(a: Scenario.run(text: text, name: "seed-microbenchmark-6.10.mmm", preset: "6.10", switches: []),
                                   b: Scenario.run(text: text, name: "seed-microbenchmark-6.10.mmm", preset: "6.11", switches: []),
                                   labelA: "kernel 6.10", labelB: "kernel 6.11")
        let printed = Set(c.text.split(separator: "\n").map(String.init))
        for l in shown { #expect(printed.contains(l), "README line not printed: '\(l)'") }
    }

    @Test("every switch is documented with its release and its commit or thread, in the preset table and in the C header")
    func switchDocs() throws {
        let doc = try repoFile("docs/kernel-policy.md")
        let header = try repoFile("include/mmmodel.h")
        let lines = doc.split(separator: "\n").map(String.init)
        for name in KernelPolicy.switchNames {
            let rowLine = try #require(lines.first { $0.hasPrefix("| `\(name)` |") }, "no switch row for \(name)")
            // A release: "5.19", "6.3", "~6.13"…
            let hasRelease = rowLine.split(whereSeparator: { !"0123456789.".contains($0) })
                .contains { $0.split(separator: ".").count == 2 && $0.first != "." && $0.last != "." }
            #expect(hasRelease, "\(name): no release in its row")
            // A commit hash (12 hex digits) or a quoted patch / thread title.
            let words = rowLine.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            let hasHash = words.contains { $0.count == 12 && $0.allSatisfy(\.isHexDigit) && $0.contains(where: \.isNumber) }
            let hasTitle = rowLine.split(separator: "\"").count >= 3
            #expect(hasHash || hasTitle, "\(name): no commit or thread named")
            let presetRow = lines.contains { l in
                l.hasPrefix("| ") && !l.hasPrefix("| `")
                    && l.split(separator: "|").first.map { $0.split(separator: ",").map { $0.split(separator: " ").joined() } }?.contains(name) == true
            }
            #expect(presetRow, "\(name): no preset row")
            #expect(header.contains(" *   \(name) "), "\(name): not in the mmmodel.h switch list")
        }
    }
}
