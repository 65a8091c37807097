/// The scenario parser: one statement a line, `#` starts a comment, header
/// lines before the first operation, `fork NAME {` … `}` for a child's block.
/// Every error names its line. Grammar: docs/scenario-language.md.
extension Scenario {
    /// Parses a script. Return: the scenario, or the first error with its line.
    public static func parse(text: String) -> Result<Scenario, ScenarioError> {
        var p = ScenarioParser(text: text)
        do throws(ScenarioError) {
            return .success(try p.parseScenario())
        } catch {
            return .failure(error)
        }
    }
}

struct ScenarioParser {
    /// (line number, words) of every non-blank line.
    var lines: [(Int, [Substring], String)] = []
    var pos = 0
    var header = ScenarioHeader()
    /// Process names used anywhere in the script (they must be unique).
    var names: Set<String> = ["parent"]

    init(text: String) {
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            var s = raw
            if let hash = s.firstIndex(of: "#") { s = s[..<hash] }
            let words = s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            lines.append((n, words, words.joined(separator: " ")))
        }
    }

    mutating func parseScenario() throws(ScenarioError) -> Scenario {
        var sawHeader: Set<String> = []
        while pos < lines.count, try parseHeaderLine(lines[pos], &sawHeader) { pos += 1 }
        let body = try parseBlock(depth: 0)
        return Scenario(header: header, body: body)
    }

    // MARK: Header

    /// Applies a header line; false when the line is not a header line.
    mutating func parseHeaderLine(_ l: (Int, [Substring], String), _ seen: inout Set<String>) throws(ScenarioError) -> Bool {
        let (n, w, _) = l
        let key = String(w[0])
        let headerWords: Set<String> = ["arch", "kernel", "switch", "thp", "huge-zero-page", "swap", "page-cluster", "frames",
                                        "swap-slots", "soft-dirty", "ksm-zero-pages"]
        guard headerWords.contains(key) else { return false }
        let seenKey = key == "thp" && w.count == 3 ? "thp " + w[1]
            : key == "switch" && w.count == 2 ? "switch " + (w[1].split(separator: "=").first ?? "") : key
        guard seen.insert(seenKey).inserted else { throw ScenarioError(line: n, "'\(seenKey)' given twice") }
        func arg(_ count: Int, _ usage: String) throws(ScenarioError) {
            guard w.count == count else { throw ScenarioError(line: n, "expected '\(usage)'") }
        }
        switch key {
        case "arch":
            try arg(2, "arch x86_64|arm64")
            guard let a = Arch(name: String(w[1])) else { throw ScenarioError(line: n, "unknown architecture '\(w[1])' (x86_64 or arm64)") }
            header.arch = a
        case "kernel":
            try arg(2, "kernel 6.18")
            guard KernelPolicy.preset(String(w[1])) != nil else {
                throw ScenarioError(line: n, "unknown kernel preset '\(w[1])' (" + KernelPolicy.presetNames.joined(separator: ", ") + ")")
            }
            header.kernel = String(w[1])
        case "switch":
            try arg(2, "switch NAME=VALUE")
            let parts = w[1].split(separator: "=", maxSplits: 1)
            let name = parts.first.map(String.init) ?? ""
            guard let values = KernelPolicy.values(of: name) else {
                throw ScenarioError(line: n, "unknown switch '\(name)' (" + KernelPolicy.switchNames.joined(separator: ", ") + ")")
            }
            var probe = KernelPolicy()
            guard parts.count == 2, (try? probe.set(name, String(parts[1]))) != nil else {
                throw ScenarioError(line: n, "switch \(name) takes " + values.joined(separator: ", "))
            }
            header.switches.append(String(w[1]))
        case "thp":
            guard w.count == 2 || w.count == 3 else { throw ScenarioError(line: n, "expected 'thp always|madvise|never' or 'thp SIZE always|madvise|never|inherit'") }
            guard let setting = ScenarioParser.thpSetting(w[w.count - 1]) else {
                throw ScenarioError(line: n, "unknown THP mode '\(w[w.count - 1])' (always, madvise, never, inherit)")
            }
            if w.count == 2 {
                guard setting != .inherit else { throw ScenarioError(line: n, "the top-level THP mode cannot be 'inherit'") }
                header.thp = setting
            } else {
                guard let bytes = ScenarioParser.size(w[1]), let order = ScenarioParser.folioOrder(bytes) else {
                    throw ScenarioError(line: n, "unknown folio size '\(w[1])' (16K, 32K, 64K, 128K, 256K, 512K, 1M, 2M)")
                }
                header.thpOrders[order] = setting
            }
        case "huge-zero-page":
            try arg(2, "huge-zero-page on|off")
            guard w[1] == "on" || w[1] == "off" else { throw ScenarioError(line: n, "expected 'on' or 'off', not '\(w[1])'") }
            header.hugeZeroPage = w[1] == "on"
        case "ksm-zero-pages":
            try arg(2, "ksm-zero-pages on|off")
            guard w[1] == "on" || w[1] == "off" else { throw ScenarioError(line: n, "expected 'on' or 'off', not '\(w[1])'") }
            header.ksmZeroPages = w[1] == "on"
        case "soft-dirty":
            try arg(2, "soft-dirty on|off")
            guard w[1] == "on" || w[1] == "off" else { throw ScenarioError(line: n, "expected 'on' or 'off', not '\(w[1])'") }
            guard w[1] == "off" || header.arch == .x86_64 else {
                throw ScenarioError(line: n, "soft-dirty needs arch x86_64 (arm64 has no CONFIG_MEM_SOFT_DIRTY)")
            }
            header.softDirty = w[1] == "on"
        case "swap":
            try arg(2, "swap zram|disk")
            switch w[1] {
            case "zram", "sync": header.swapDevice = .synchronous
            case "disk", "async": header.swapDevice = .asynchronous
            default: throw ScenarioError(line: n, "unknown swap device '\(w[1])' (zram or disk)")
            }
        case "page-cluster":
            try arg(2, "page-cluster N")
            guard let v = Int(w[1]), v >= 0, v <= 31 else { throw ScenarioError(line: n, "page-cluster must be 0..31, not '\(w[1])'") }
            header.pageCluster = v
        default:   // frames, swap-slots
            try arg(2, "\(key) N|SIZE")
            guard let v = ScenarioParser.pageCount(w[1]), v >= 1, v <= 1 << 26 else {
                throw ScenarioError(line: n, "\(key) must be a number of pages or a size like 64M (at most 2^26 pages), not '\(w[1])'")
            }
            if key == "frames" { header.frames = v } else { header.swapSlots = v + 1 }   // slot 0 is the header
        }
        return true
    }

    // MARK: Blocks

    /// Statements until the end of the text (depth 0) or a closing `}`.
    mutating func parseBlock(depth: Int) throws(ScenarioError) -> [ScenarioStatement] {
        var out: [ScenarioStatement] = []
        var phases: Set<String> = []
        while pos < lines.count {
            let (n, w, text) = lines[pos]
            pos += 1
            if w == ["}"] {
                guard depth > 0 else { throw ScenarioError(line: n, "'}' without an open fork block") }
                return out
            }
            if w[0] == "fork" {
                guard w.count == 3 || w.count == 2, w.last == "{" else {
                    throw ScenarioError(line: n, "expected 'fork NAME {' (the child's block follows, closed by '}')")
                }
                guard depth < ScenarioRunner.maxDepth else {
                    throw ScenarioError(line: n, "fork blocks nest more than \(ScenarioRunner.maxDepth) deep")
                }
                let name = w.count == 3 ? String(w[1]) : ScenarioParser.freshName("child", names)
                try ScenarioParser.checkName(name, n)
                guard !names.contains(name) else { throw ScenarioError(line: n, "process name '\(name)' is already used") }
                names.insert(name)
                let body = try parseBlock(depth: depth + 1)
                out.append(ScenarioStatement(line: n, text: text, op: .fork(name: name, body: body)))
                continue
            }
            if ["arch", "kernel", "switch", "thp", "huge-zero-page", "swap", "page-cluster", "frames", "swap-slots",
                "soft-dirty"].contains(String(w[0])) {
                throw ScenarioError(line: n, "header line '\(w[0])' after the first operation")
            }
            // `try OP`: the operation may fail in the model without stopping the run.
            let mayFail = w[0] == "try"
            if mayFail && (w.count < 2 || !ScenarioParser.tryable.contains(String(w[1]))) {
                throw ScenarioError(line: n, "'try' goes before an operation that can fail ("
                    + ScenarioParser.tryable.sorted().joined(separator: ", ") + ")")
            }
            let op = try parseOp(n, mayFail ? Array(w.dropFirst()) : w, depth: depth)
            if case .phase(let name) = op {
                guard phases.insert(name).inserted else { throw ScenarioError(line: n, "phase '\(name)' is already used in this block") }
            }
            out.append(ScenarioStatement(line: n, text: text, op: op, mayFail: mayFail))
        }
        if depth > 0 { throw ScenarioError(line: lines.last?.0 ?? 0, "fork block not closed by '}'") }
        return out
    }

    /// The operations `try` may precede: those that can fail in the model.
    static let tryable: Set<String> = [
        "read", "write", "readwrite", "pageout", "cold", "dontneed", "hugepage", "nohugepage", "dontfork", "dofork",
        "wipeonfork", "keeponfork", "populate", "mprotect", "munmap", "pin", "unpin", "exit", "free", "ksm", "uffd",
        "mremap", "collapse", "reclaim",
    ]

    static func freshName(_ base: String, _ names: Set<String>) -> String {
        if !names.contains(base) { return base }
        var i = 2
        while names.contains(base + String(i)) { i += 1 }
        return base + String(i)
    }

    static func checkName(_ name: String, _ n: Int) throws(ScenarioError) {
        let ok = !name.isEmpty && name.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
        } && !(name.first!.isNumber)
        guard ok else { throw ScenarioError(line: n, "'\(name)' is not a name (letters, digits, '_', '-'; not starting with a digit)") }
    }

    // MARK: Operations

    mutating func parseOp(_ n: Int, _ w: [Substring], depth: Int) throws(ScenarioError) -> ScenarioOp {
        let op = String(w[0])
        func need(_ count: Int, _ usage: String) throws(ScenarioError) {
            guard w.count == count else { throw ScenarioError(line: n, "expected '\(usage)'") }
        }
        func range(_ i: Int) throws(ScenarioError) -> PageRange { try ScenarioParser.pageRange(w[i], n) }
        func value(_ i: Int) throws(ScenarioError) -> UInt64 {
            guard let v = parseCLIValue(String(w[i])), v <= 255 else {
                throw ScenarioError(line: n, "'\(w[i])' is not a byte value (0..255, decimal or 0x-hexadecimal)")
            }
            return v
        }
        switch op {
        case "map": return try parseMap(n, w)
        case "read":
            try need(2, "read PAGES")
            return .access(try range(1), read: true, write: false, value: 0)
        case "write":
            try need(3, "write PAGES VALUE")
            return .access(try range(1), read: false, write: true, value: try value(2))
        case "readwrite":
            try need(3, "readwrite PAGES VALUE")
            return .access(try range(1), read: true, write: true, value: try value(2))
        case "pageout", "cold", "dontneed", "hugepage", "nohugepage", "dontfork", "dofork", "wipeonfork", "keeponfork":
            try need(2, "\(op) PAGES")
            let advice: MadviseAdvice = switch op {
            case "pageout": .pageout
            case "cold": .cold
            case "dontneed": .dontneed
            case "hugepage": .hugepage
            case "nohugepage": .nohugepage
            case "dontfork": .dontfork
            case "dofork": .dofork
            case "wipeonfork": .wipeonfork
            default: .keeponfork
            }
            return .madvise(try range(1), advice)
        case "populate":
            try need(3, "populate read|write PAGES")
            guard w[1] == "read" || w[1] == "write" else { throw ScenarioError(line: n, "expected 'populate read|write PAGES'") }
            return .madvise(try range(2), w[1] == "read" ? .populateRead : .populateWrite)
        case "free":
            try need(2, "free PAGES")
            return .madvise(try range(1), .free)
        case "ksm":
            try need(3, "ksm merge|unmerge PAGES")
            guard w[1] == "merge" || w[1] == "unmerge" else { throw ScenarioError(line: n, "expected 'ksm merge|unmerge PAGES'") }
            return .madvise(try range(2), w[1] == "merge" ? .mergeable : .unmergeable)
        case "collapse":
            try need(2, "collapse PAGES")
            return .collapse(try range(1))                      // Kernel/Collapse.swift
        case "mremap":
            return try parseMremap(n, w)                       // Scenario+Mremap.swift
        case "reclaim":
            try need(2, "reclaim PAGES")
            return .reclaim(try range(1))
        case "mprotect":
            try need(3, "mprotect PAGES none|ro|rw")
            guard let prot = ScenarioParser.protection(w[2]) else { throw ScenarioError(line: n, "unknown protection '\(w[2])' (none, ro, rw)") }
            return .mprotect(try range(1), prot)
        case "munmap":
            try need(2, "munmap PAGES")
            return .munmap(try range(1))
        case "pause":
            try need(1, "pause")
            guard depth > 0 else { throw ScenarioError(line: n, "only a child can pause (the first process has no one to return to)") }
            return .pause
        case "resume":
            try need(2, "resume NAME")
            return .resume(String(w[1]))
        case "exit":
            try need(1, "exit")
            return .exit
        case "pin":
            try need(3, "pin ro|rw PAGES")
            guard w[1] == "ro" || w[1] == "rw" else { throw ScenarioError(line: n, "expected 'pin ro|rw PAGES'") }
            return .pin(try range(2), write: w[1] == "rw")
        case "unpin":
            try need(2, "unpin PAGES")
            return .unpin(try range(1))
        case "phase":
            try need(2, "phase NAME")
            try ScenarioParser.checkName(String(w[1]), n)
            return .phase(String(w[1]))
        case "snapshot":
            try need(2, "snapshot NAME")
            try ScenarioParser.checkName(String(w[1]), n)
            guard w[1] != "end" else { throw ScenarioError(line: n, "'end' names the final snapshot; choose another name") }
            return .snapshot(String(w[1]))
        case "expect":
            return try parseExpect(n, w)
        case "uffd":
            return try parseUffd(n, w)
        case "clear-refs":
            guard w.count == 2, w[1] == "soft-dirty" else { throw ScenarioError(line: n, "expected 'clear-refs soft-dirty'") }
            return .clearRefsSoftDirty
        default:
            throw ScenarioError(line: n, "unknown operation '\(op)'")
        }
    }

    /// `uffd register wp [unpopulated] [async] [fork-event] PAGES`, `uffd
    /// unregister PAGES`, `uffd protect PAGES`, `uffd unprotect PAGES`.
    func parseUffd(_ n: Int, _ w: [Substring]) throws(ScenarioError) -> ScenarioOp {
        let usage = "uffd register wp [unpopulated] [async] [fork-event] PAGES | uffd unregister|protect|unprotect PAGES"
        guard w.count >= 3 else { throw ScenarioError(line: n, "expected '\(usage)'") }
        switch w[1] {
        case "register":
            guard w.count >= 4, w[2] == "wp" else {
                throw ScenarioError(line: n, "expected 'uffd register wp [unpopulated] [async] [fork-event] PAGES'")
            }
            var features: UffdFeatures = []
            for o in w[3..<(w.count - 1)] {
                let f: UffdFeatures
                switch o {
                case "unpopulated": f = .wpUnpopulated
                case "async": f = .wpAsync
                case "fork-event": f = .eventFork
                default: f = []
                }
                guard !f.isEmpty, !features.contains(f) else {
                    throw ScenarioError(line: n, "unknown or repeated uffd register option '\(o)' (unpopulated, async, fork-event)")
                }
                features.insert(f)
            }
            let r = try ScenarioParser.pageRange(w[w.count - 1], n)
            return .uffdRegister(r, features: features)
        case "unregister", "protect", "unprotect":
            guard w.count == 3 else { throw ScenarioError(line: n, "expected 'uffd \(w[1]) PAGES'") }
            let r = try ScenarioParser.pageRange(w[2], n)
            return w[1] == "unregister" ? .uffdUnregister(r) : .uffdProtect(r, protect: w[1] == "protect")
        default:
            throw ScenarioError(line: n, "unknown uffd operation '\(w[1])' (\(usage))")
        }
    }

    /// A mapping's length at word `at`: `N [pages]` or a size like 2M, 1 ...
    /// 2^26 pages; returns the pages and the index of the next word.
    static func mappingLength(_ w: [Substring], _ at: Int, _ n: Int) throws(ScenarioError) -> (pages: Int, next: Int) {
        let pages: Int
        var next = at + 1
        if let count = Int(w[at]) {
            pages = count
            if next < w.count && (w[next] == "pages" || w[next] == "page") { next += 1 }
        } else if let bytes = ScenarioParser.size(w[at]), bytes % VA.pageSize == 0 {
            pages = Int(bytes / VA.pageSize)
        } else {
            throw ScenarioError(line: n, "'\(w[at])' is neither a page count nor a size like 2M")
        }
        guard pages >= 1, pages <= 1 << 26 else { throw ScenarioError(line: n, "a mapping has 1..2^26 pages, not \(pages)") }
        return (pages, next)
    }

    /// `map NAME N [pages] | map NAME SIZE`, then any of hugepage, nohugepage,
    /// ro, none, `align SIZE`.
    func parseMap(_ n: Int, _ w: [Substring]) throws(ScenarioError) -> ScenarioOp {
        let usage = "map NAME N pages|SIZE [hugepage|nohugepage] [ro|none] [align SIZE]"
        guard w.count >= 3 else { throw ScenarioError(line: n, "expected '\(usage)'") }
        let name = String(w[1])
        try ScenarioParser.checkName(name, n)
        let (pages, next) = try ScenarioParser.mappingLength(w, 2, n)
        var i = next
        var advice: ScenarioOp.Advice? = nil
        var prot: Protection = .readWrite
        var align: UInt64 = 0
        while i < w.count {
            switch w[i] {
            case "hugepage", "nohugepage":
                guard advice == nil else { throw ScenarioError(line: n, "hugepage and nohugepage exclude each other") }
                advice = w[i] == "hugepage" ? .hugepage : .nohugepage
            case "ro": prot = .read
            case "none": prot = .none
            case "rw": prot = .readWrite
            case "align":
                guard i + 1 < w.count, let a = ScenarioParser.size(w[i + 1]), a >= VA.pageSize, a & (a - 1) == 0 else {
                    throw ScenarioError(line: n, "expected 'align SIZE' with a power-of-two size of at least 4K")
                }
                align = a
                i += 1
            default:
                throw ScenarioError(line: n, "unknown map option '\(w[i])' (\(usage))")
            }
            i += 1
        }
        return .map(name: name, pages: pages, advice: advice, prot: prot, align: align)
    }

    /// `expect faults [PROC] [phase NAME] minor=N major=N`, or
    /// `expect PAGES CONDITION…`.
    func parseExpect(_ n: Int, _ w: [Substring]) throws(ScenarioError) -> ScenarioOp {
        if w.count == 2 && w[1] == "consistent" { return .expectCheck(nil) }
        if w.count >= 2 && w[1] == "uffd-events" {
            guard w.count == 3, let k = Int(w[2]), k >= 0 else { throw ScenarioError(line: n, "expected 'expect uffd-events N'") }
            return .expectUffdEvents(k)
        }
        if w.count >= 2 && w[1] == "ksm" {
            let usage = "expect ksm NAME=N... (" + KsmCountExpectation.names.joined(separator: ", ") + ")"
            guard w.count >= 3 else { throw ScenarioError(line: n, "expected '\(usage)'") }
            var out: [KsmCountExpectation] = []
            for word in w[2...] {
                let kv = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard kv.count == 2, KsmCountExpectation.names.contains(String(kv[0])) else {
                    throw ScenarioError(line: n, "unknown KSM counter '\(word)' (\(usage))")
                }
                guard kv[1].allSatisfy(\.isASCII), let v = Int(kv[1]), v >= 0 else {
                    throw ScenarioError(line: n, "'\(word)' needs a decimal count")
                }
                guard !out.contains(where: { $0.name == kv[0] }) else { throw ScenarioError(line: n, "'\(kv[0])' given twice") }
                out.append(KsmCountExpectation(name: String(kv[0]), value: v))
            }
            return .expectKsm(out)
        }
        if w.count >= 2 && w[1] == "violation" {
            guard w.count == 3, let rule = CheckRule(rawValue: String(w[2])) else {
                throw ScenarioError(line: n, "expected 'expect violation RULE' with a rule id of the checker ("
                    + CheckRule.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            return .expectCheck(rule)
        }
        guard w.count >= 3 else { throw ScenarioError(line: n, "expected 'expect faults minor=N major=N' or 'expect PAGES CONDITION...'") }
        if w[1] == "faults" {
            var proc: String? = nil, phase: String? = nil, minor: UInt64? = nil, major: UInt64? = nil
            var i = 2
            while i < w.count {
                let word = w[i]
                if word.hasPrefix("minor=") || word.hasPrefix("major=") {
                    guard let v = UInt64(word.dropFirst(6)) else { throw ScenarioError(line: n, "'\(word)' needs a decimal count") }
                    if word.hasPrefix("minor=") { minor = v } else { major = v }
                } else if word == "phase" {
                    guard i + 1 < w.count else { throw ScenarioError(line: n, "'phase' needs a name") }
                    phase = String(w[i + 1])
                    i += 1
                } else if proc == nil && minor == nil && major == nil && phase == nil {
                    proc = String(word)
                } else {
                    throw ScenarioError(line: n, "unexpected '\(word)' (expect faults [PROC] [phase NAME] minor=N major=N)")
                }
                i += 1
            }
            guard minor != nil || major != nil else { throw ScenarioError(line: n, "expect faults needs minor=N, major=N or both") }
            return .expectFaults(process: proc, phase: phase, minor: minor, major: major)
        }
        let r = try ScenarioParser.pageRange(w[1], n)
        var conds: [PageCondition] = []
        var i = 2
        while i < w.count {
            var word = w[i]
            let negated = word.hasPrefix("!")
            if negated { word = word.dropFirst() }
            switch word {
            case "==":
                guard !negated, i + 1 < w.count, let v = parseCLIValue(String(w[i + 1])), v <= 255 else {
                    throw ScenarioError(line: n, "'==' needs a byte value (0..255)")
                }
                conds.append(.contents(v))
                i += 1
            case "kept-frame":
                if i + 2 < w.count, w[i + 1] == "since" {
                    conds.append(.keptFrame(since: String(w[i + 2]), negated: negated))
                    i += 2
                } else {
                    conds.append(.keptFrame(since: nil, negated: negated))
                }
            case "same-frame-as":
                guard i + 2 < w.count else { throw ScenarioError(line: n, "expected 'same-frame-as PROC PAGES'") }
                let other = try ScenarioParser.pageRange(w[i + 2], n)
                conds.append(.sameFrameAs(process: String(w[i + 1]), range: other, negated: negated))
                i += 2
            case "shared-with":
                guard i + 1 < w.count else { throw ScenarioError(line: n, "expected 'shared-with PROC'") }
                conds.append(.sharedWith(process: String(w[i + 1]), negated: negated))
                i += 1
            default:
                if word.hasPrefix("count=") {
                    guard !negated, let v = Int32(word.dropFirst(6)) else { throw ScenarioError(line: n, "'\(w[i])' needs a decimal count") }
                    conds.append(.count(v))
                } else if PageCondition.stateWords.contains(String(word)) {
                    conds.append(.word(String(word), negated: negated))
                } else {
                    throw ScenarioError(line: n, "unknown page condition '\(w[i])'")
                }
            }
            i += 1
        }
        return .expectPages(r, conds)
    }

    // MARK: Words

    static func pageRange(_ s: Substring, _ n: Int) throws(ScenarioError) -> PageRange {
        guard let open = s.firstIndex(of: "[") else {
            try checkName(String(s), n)
            return PageRange(mapping: String(s), bounds: nil)
        }
        let name = String(s[..<open])
        try checkName(name, n)
        guard s.last == "]" else { throw ScenarioError(line: n, "'\(s)' is not a page range (A[3], A[0..15], A[*])") }
        let inside = s[s.index(after: open)..<s.index(before: s.endIndex)]
        if inside == "*" { return PageRange(mapping: name, bounds: nil) }
        let parts = inside.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 1, let i = Int(parts[0]), i >= 0 { return PageRange(mapping: name, bounds: i...i) }
        if parts.count == 3, parts[1].isEmpty, let a = Int(parts[0]), let b = Int(parts[2]), a >= 0, b >= a {
            return PageRange(mapping: name, bounds: a...b)
        }
        throw ScenarioError(line: n, "'\(s)' is not a page range (A[3], A[0..15] with first <= last, A[*])")
    }

    /// A size: digits with an optional K, M or G suffix (bytes without one).
    static func size(_ s: Substring) -> UInt64? {
        var digits = s
        var mult: UInt64 = 1
        switch s.last {
        case "K", "k": mult = 1 << 10; digits = s.dropLast()
        case "M", "m": mult = 1 << 20; digits = s.dropLast()
        case "G", "g": mult = 1 << 30; digits = s.dropLast()
        default: break
        }
        guard let v = UInt64(digits), v <= (1 << 40) / mult else { return nil }
        return v * mult
    }

    /// Pages from a count or a size with a suffix.
    static func pageCount(_ s: Substring) -> Int? {
        if let v = Int(s) { return v }
        guard let b = size(s), b % VA.pageSize == 0 else { return nil }
        return Int(b / VA.pageSize)
    }

    /// The order of an anonymous mTHP/THP size (16K … 2M; order 1 is not an anon size).
    static func folioOrder(_ bytes: UInt64) -> Int? {
        for order in 2...WorldConfig.pmdOrder where VA.pageSize << UInt64(order) == bytes { return order }
        return nil
    }

    static func thpSetting(_ s: Substring) -> THPSetting? {
        switch s {
        case "always": return .always
        case "madvise": return .madvise
        case "never": return .never
        case "inherit": return .inherit
        default: return nil
        }
    }

    static func protection(_ s: Substring) -> Protection? {
        switch s {
        case "none": return Protection.none
        case "ro": return .read
        case "rw": return .readWrite
        default: return nil
        }
    }
}

extension PageCondition {
    /// The state words of `expect PAGES …` (each may be negated with `!`).
    public static let stateWords: Set<String> = [
        "none", "unmapped", "present", "swapped", "zero", "exclusive", "writable", "dirty", "young",
        "anon-exclusive", "swapcache", "thp", "pmd-mapped", "ksm", "pinned", "uffd-wp", "soft-dirty",
    ]
}
