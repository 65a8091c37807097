// `mmm show` (issue 5, item 3): the world at a point of a scenario as DOT.
// Expected structure comes from the kernel rules the scenarios exercise:
// fork shares every anonymous folio (spec semantics §2.6), a write after fork
// copies (§3.6), a PMD THP is mapped by one PMD entry (§2.8, R-ANON-1),
// MADV_PAGEOUT leaves swap entries both processes name (§2.7, §7.2).
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MMModel

/// A parsed DOT graph: declared nodes and edges, with their attribute text.
struct Dot {
    var nodes: [String: String] = [:]
    var edges: [(from: String, to: String, attrs: String)] = []

    /// Parses the subset `ScenarioState.dot()` writes, checking well-formedness:
    /// `digraph mmm {` … `}`, balanced braces outside strings, one statement a
    /// line, every edge between declared nodes.
    init(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lines = text.split(separator: "\n").map(String.init)
        try #require(lines.first == "digraph mmm {", sourceLocation: sourceLocation)
        try #require(lines.last == "}", sourceLocation: sourceLocation)
        #expect(text.hasSuffix("}\n"), sourceLocation: sourceLocation)
        var depth = 0
        var inString = false
        var escaped = false
        for c in text {
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            if c == "\"" { inString = true } else if c == "{" { depth += 1 } else if c == "}" { depth -= 1 }
            #expect(depth >= 0, sourceLocation: sourceLocation)
        }
        #expect(depth == 0 && !inString, "unbalanced braces or quotes", sourceLocation: sourceLocation)
        for raw in lines.dropFirst().dropLast() {
            let l = raw.drop { $0 == " " }
            if l.hasPrefix("graph [") || l.hasPrefix("node [") || l.hasPrefix("edge [") || l.hasPrefix("subgraph cluster_")
                || l.hasPrefix("label=") || l == "}" { continue }
            #expect(l.hasSuffix("];"), "statement not closed: \(raw)", sourceLocation: sourceLocation)
            let head = l.prefix { $0 != "[" }.trimmingSpaces
            let attrs = String(l.drop { $0 != "[" })
            let parts = head[...].components(" -> ")
            if parts.count == 2 {
                edges.append((parts[0], parts[1], attrs))
            } else {
                #expect(parts.count == 1 && nodes[parts[0]] == nil, "bad or repeated node: \(raw)", sourceLocation: sourceLocation)
                nodes[parts[0]] = attrs
            }
        }
        for e in edges {
            #expect(nodes[e.from] != nil && nodes[e.to] != nil, "edge between undeclared nodes: \(e)", sourceLocation: sourceLocation)
        }
    }

    func edges(to node: String) -> [(from: String, to: String, attrs: String)] { edges.filter { $0.to == node } }
    func nodes(prefix: String) -> [String] { nodes.keys.filter { $0.hasPrefix(prefix) }.sorted() }
}

extension Substring {
    var trimmingSpaces: String { String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
    func components(_ sep: String) -> [String] {
        var out: [String] = []
        var rest = self[...]
        while let r = rest.firstRange(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}

func showState(_ text: String, at point: ScenarioPoint = .snapshot("end"),
               sourceLocation: SourceLocation = #_sourceLocation) throws -> (ScenarioState, Dot) {
    let r = Scenario.state(text: text, at: point)
    guard case .success(let s) = r else {
        Issue.record("state failed: \(r)", sourceLocation: sourceLocation)
        throw ScenarioError(line: 0, "no state")
    }
    return (s, try Dot(s.dot(), sourceLocation: sourceLocation))
}

@Suite("Show: the world at a point of a scenario as DOT")
struct ShowTests {
    static let fork = """
        map A 1 pages
        write A[0] 1
        fork child {
            pause
            write A[0] 2
        }
        snapshot forked
        resume child
        """

    @Test("after fork, one frame mapped by two processes has two edges (§2.6)")
    func forkSharesFrame() throws {
        let (s, dot) = try showState(ShowTests.fork, at: .snapshot("forked"))
        #expect(s.point == "snapshot forked line=7")
        #expect(s.processes.map(\.name) == ["parent", "child"])
        let folios = dot.nodes(prefix: "folio")
        try #require(folios.count == 1)
        #expect(dot.nodes[folios[0]]!.contains("f1  pfn "))
        #expect(dot.nodes[folios[0]]!.contains("ref=2 mapcount=2 data=1"))
        let into = dot.edges(to: folios[0])
        try #require(into.count == 2)
        // From a PTE table of each process, both read-only (write-protected at fork), A[0].
        #expect(Set(into.map(\.from)).count == 2)
        for e in into {
            #expect(dot.nodes[e.from]!.contains("PTE table"))
            #expect(e.attrs.contains("label=\"A[0] d"))
            #expect(!e.attrs.contains("w"))
        }
        // Two clusters, each with the four levels of tables and a VMA.
        let text = s.dot()
        #expect(text.contains("subgraph cluster_p1 {\n    label=\"process parent (pid 1, running)\";"))
        #expect(text.contains("subgraph cluster_p2 {\n    label=\"process child (pid 2, paused)\";"))
        #expect(dot.nodes.values.filter { $0.contains("PGD") }.count == 2)
        #expect(dot.nodes.values.filter { $0.contains("PTE table") }.count == 2)
        #expect(dot.nodes(prefix: "p1_vma").count == 1 && dot.nodes(prefix: "p2_vma").count == 1)
        // The walk: PGD -> PUD -> PMD -> PTE table in each process.
        #expect(dot.edges.filter { $0.from.hasPrefix("t") && $0.to.hasPrefix("t") }.count == 6)
    }

    @Test("after the child's write, each process maps its own frame (§3.6)")
    func cowSplitsFrames() throws {
        let (_, dot) = try showState(ShowTests.fork)
        let folios = dot.nodes(prefix: "folio")
        try #require(folios.count == 2)
        for f in folios {
            #expect(dot.edges(to: f).count == 1)
            #expect(dot.nodes[f]!.contains("ref=1 mapcount=1"))
        }
        #expect(dot.edges.contains { $0.to.hasPrefix("folio") && $0.attrs.contains("A[0] w,d") })
    }

    @Test("--line: right after the fork, before the child runs; after other lines")
    func linePoints() throws {
        let (s, dot) = try showState(ShowTests.fork, at: .line(3))
        #expect(s.point == "after line 3")
        #expect(s.processes.map(\.status) == ["running", "running"])
        #expect(dot.edges(to: dot.nodes(prefix: "folio")[0]).count == 2)
        let (s1, dot1) = try showState(ShowTests.fork, at: .line(1))
        #expect(s1.processes.count == 1)
        #expect(dot1.nodes(prefix: "folio").isEmpty)      // mapped, not touched: no PTE table yet
        #expect(!dot1.nodes.values.contains { $0.contains("PTE table") })
        // Line 5 runs in the child after `resume child` (line 8).
        let (s5, dot5) = try showState(ShowTests.fork, at: .line(5))
        #expect(s5.point == "after line 5")
        #expect(dot5.nodes(prefix: "folio").count == 2)
    }

    @Test("swap entries: slots both processes name, with their count (§2.7)")
    func swapSlots() throws {
        let text = """
            map A 2 pages
            write A[*] 1
            pageout A[*]
            fork child {
            }
            """
        let (s, dot) = try showState(text)
        let slots = dot.nodes(prefix: "swap")
        try #require(slots.count == 2)
        for slot in slots {
            #expect(dot.nodes[slot]!.contains("count=2 data=1"))
            let into = dot.edges(to: slot)
            #expect(into.count == 2)
            #expect(into.allSatisfy { $0.attrs.contains("style=dashed") })
        }
        #expect(s.swapIds.count == 2)
        #expect(dot.nodes[slots[0]]!.hasPrefix("[shape=cylinder, label=\"s1 swap slot"))
    }

    @Test("a PMD-mapped THP is one edge from the PMD table, and the zero page is drawn")
    func pmdAndZero() throws {
        let text = """
            thp 2M inherit
            map A 2M hugepage
            write A[*] 1
            map B 2 pages nohugepage
            read B[*]
            """
        let (_, dot) = try showState(text)
        let folios = dot.nodes(prefix: "folio")
        try #require(folios.count == 1)
        #expect(dot.nodes[folios[0]]!.contains("order 9"))
        let into = dot.edges(to: folios[0])
        try #require(into.count == 1)
        #expect(into[0].attrs.contains("A[0..511] w,d,y,pmd"))
        #expect(dot.nodes[into[0].from]!.contains("PMD table"))
        #expect(dot.nodes["zero"] != nil)
        #expect(dot.edges(to: "zero").count == 1)
        #expect(dot.edges(to: "zero")[0].attrs.contains("B[0..1] "))
    }

    @Test("points that do not exist or are not reached are errors naming why")
    func badPoints() {
        func message(_ text: String, _ p: ScenarioPoint) -> String {
            if case .failure(let e) = Scenario.state(text: text, at: p) { return e.description }
            return "no error"
        }
        #expect(message(ShowTests.fork, .snapshot("nope")) == "the scenario takes no snapshot named 'nope'")
        #expect(message(ShowTests.fork, .line(6)) == "line 6 holds no statement (blank, comment, header or '}')")
        #expect(message(ShowTests.fork, .line(99)) == "line 99 holds no statement (blank, comment, header or '}')")
        #expect(message("map A 1 pages\nfork c {\n  pause\n  read A[0]\n}\n", .line(4)) == "line 4: never ran: its process did not reach it")
        #expect(message("map A 1 pages ro\nwrite A[0] 1\nread A[0]\n", .line(3)).hasPrefix("line 2: 'write A[0] 1' in parent failed: SIGSEGV"))
        #expect(message("wirte A 1\n", .snapshot("end")) == "line 1: unknown operation 'wirte'")
        // A point before the failure is still drawn.
        if case .failure = Scenario.state(text: "map A 1 pages ro\nwrite A[0] 1\n", at: .line(1)) { Issue.record("line 1 ran") }
    }

    @Test("the end state of every library scenario is well-formed DOT")
    func libraryScenarios() throws {
        let dir = mmmPath.replacingLast("/.build/debug/mmm", with: "/examples/scenarios/")
        for name in ["fork-after-pageout", "folio-64k", "thp-2m", "pin-rw-then-fork", "dontneed-zero-write"] {
            let path = dir + name + ".mmm"
            guard let fp = fopen(path, "rb") else { Issue.record("cannot open \(path)"); continue }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = fread(&buf, 1, buf.count, fp)
                bytes += buf[0..<n]
                if n < buf.count { break }
            }
            fclose(fp)
            _ = try showState(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("mmm show prints DOT; --svg without Graphviz explains itself")
    func cli() throws {
        let path = "/tmp/mmm-show-test-\(getpid()).mmm"
        let fp = try #require(fopen(path, "wb"))
        fputs(ShowTests.fork + "\n", fp)
        fclose(fp)
        defer { unlink(path) }
        let r = try runMMM(["show", path, "--at", "forked"])
        #expect(r.status == 0)
        let dot = try Dot(r.out)
        #expect(dot.edges(to: dot.nodes(prefix: "folio")[0]).count == 2)
        #expect(try runMMM(["show", path, "--dot", "--line", "3"]).status == 0)
        let bad = try runMMM(["show", path, "--at", "nope"])
        #expect(bad.status == 1)
        #expect(bad.err == "\(path): error: the scenario takes no snapshot named 'nope'\n")
        #expect(try runMMM(["show", path, "--at", "end", "--line", "2"]).status == 64)
        #expect(try runMMM(["show", path, "--line", "0"]).status == 64)
        if access("/usr/bin/dot", X_OK) != 0 && access("/bin/dot", X_OK) != 0 {
            let svg = try runMMM(["show", path, "--svg", "/tmp/mmm-show-test-\(getpid()).svg"])
            #expect(svg.status == 1)
            #expect(svg.err.contains("cannot run 'dot'"))
        }
    }
}

extension String {
    func replacingLast(_ suffix: String, with other: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + other : self
    }
}
