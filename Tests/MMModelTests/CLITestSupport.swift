// Helpers of the CLI tests: running the built `mmm`, a small JSON reader, and
// the worked examples of the spec the tests check against.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import MMModel

// MARK: Running the executable

/// What one run of `mmm` produced.
struct MMMRun {
    var status: Int32
    var out: String
    var err: String
    /// Standard output split into lines, without the final empty one.
    var lines: [String] { out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

/// `.build/debug/mmm` of this checkout: #filePath is Tests/MMModelTests/<file>.
let mmmPath: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/.build/debug/mmm"
}()

/// Runs `mmm args…` with `stdin` as standard input and a fixed environment
/// (COLUMNS=80 so help text wraps the same everywhere). Fails the test, with a
/// message saying how to build it, when the executable is missing.
func runMMM(_ args: [String], stdin: String = "",
            sourceLocation: SourceLocation = #_sourceLocation) throws -> MMMRun {
    try #require(access(mmmPath, X_OK) == 0,
                 "mmm executable not found at \(mmmPath); build it with `swift build` (swift test builds it too)",
                 sourceLocation: sourceLocation)
    let inFd = try tempFile(contents: stdin)
    let outFd = try tempFile(contents: "")
    let errFd = try tempFile(contents: "")
    defer { close(inFd); close(outFd); close(errFd) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inFd, 0)
    posix_spawn_file_actions_adddup2(&actions, outFd, 1)
    posix_spawn_file_actions_adddup2(&actions, errFd, 2)

    let argv: [UnsafeMutablePointer<CChar>?] = ([mmmPath] + args).map { strdup($0) } + [nil]
    let environment: [String] = ["COLUMNS=80", "LINES=25"]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
    defer { for p in argv + envp { free(p) } }

    var pid: pid_t = 0
    let rc = posix_spawn(&pid, mmmPath, &actions, nil, argv, envp)
    try #require(rc == 0, "posix_spawn of \(mmmPath) failed: errno \(rc)", sourceLocation: sourceLocation)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS are macros Swift does not import.
    try #require(status & 0x7F == 0, "mmm ended by signal \(status & 0x7F)", sourceLocation: sourceLocation)
    return MMMRun(status: (status >> 8) & 0xFF, out: readAll(outFd), err: readAll(errFd))
}

/// An unlinked temporary file holding `contents`, positioned at its start.
private func tempFile(contents: String) throws -> Int32 {
    var template = Array("/tmp/mmm-cli-test-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    try #require(fd >= 0, "mkstemp failed")
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    var text = contents
    text.withUTF8 { buf in
        var done = 0
        while done < buf.count {
            let n = write(fd, buf.baseAddress! + done, buf.count - done)
            if n <= 0 { break }
            done += n
        }
    }
    lseek(fd, 0, SEEK_SET)
    return fd
}

private func readAll(_ fd: Int32) -> String {
    lseek(fd, 0, SEEK_SET)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

// MARK: A small JSON reader (RFC 8259), strict enough to catch malformed output

indirect enum JSON: Equatable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// The keys of an object, in order.
    var keys: [String] { if case .object(let f) = self { return f.map(\.0) }; return [] }
    subscript(key: String) -> JSON? {
        if case .object(let f) = self { return f.first { $0.0 == key }?.1 }
        return nil
    }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var strings: [String]? {
        guard case .array(let a) = self else { return nil }
        let s = a.compactMap(\.string)
        return s.count == a.count ? s : nil
    }
    var number: String? { if case .number(let n) = self { return n }; return nil }

    /// Parses exactly one JSON value filling `text` (blanks around allowed).
    static func parse(_ text: String) -> JSON? {
        var p = JSONParser(Array(text.unicodeScalars))
        guard let v = p.value() else { return nil }
        p.skipBlanks()
        return p.i == p.s.count ? v : nil
    }
}

private struct JSONParser {
    let s: [Unicode.Scalar]
    var i = 0
    init(_ s: [Unicode.Scalar]) { self.s = s }

    mutating func skipBlanks() { while i < s.count, " \t\n\r".unicodeScalars.contains(s[i]) { i += 1 } }
    mutating func eat(_ c: Unicode.Scalar) -> Bool {
        skipBlanks()
        if i < s.count && s[i] == c { i += 1; return true }
        return false
    }
    mutating func literal(_ w: String) -> Bool {
        let u = Array(w.unicodeScalars)
        guard i + u.count <= s.count, Array(s[i..<i + u.count]) == u else { return false }
        i += u.count
        return true
    }

    mutating func value() -> JSON? {
        skipBlanks()
        guard i < s.count else { return nil }
        switch s[i] {
        case "{":
            i += 1
            var fields: [(String, JSON)] = []
            if eat("}") { return .object(fields) }
            repeat {
                skipBlanks()
                guard let k = string(), eat(":"), let v = value() else { return nil }
                fields.append((k, v))
            } while eat(",")
            return eat("}") ? .object(fields) : nil
        case "[":
            i += 1
            var items: [JSON] = []
            if eat("]") { return .array(items) }
            repeat {
                guard let v = value() else { return nil }
                items.append(v)
            } while eat(",")
            return eat("]") ? .array(items) : nil
        case "\"":
            return string().map(JSON.string)
        case "t": return literal("true") ? .bool(true) : nil
        case "f": return literal("false") ? .bool(false) : nil
        case "n": return literal("null") ? .null : nil
        default:
            return number().map(JSON.number)
        }
    }

    mutating func string() -> String? {
        guard i < s.count, s[i] == "\"" else { return nil }
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            i += 1
            switch c {
            case "\"": return String(out)
            case "\\":
                guard i < s.count else { return nil }
                let e = s[i]
                i += 1
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    guard i + 4 <= s.count, let v = UInt32(String(String.UnicodeScalarView(s[i..<i + 4])), radix: 16),
                          let u = Unicode.Scalar(v) else { return nil }
                    i += 4
                    out.append(u)
                default: return nil
                }
            default:
                if c.value < 0x20 { return nil }  // raw control characters are not allowed
                out.append(c)
            }
        }
        return nil
    }

    mutating func number() -> String? {
        let start = i
        if i < s.count && s[i] == "-" { i += 1 }
        guard i < s.count, s[i].properties.numericType != nil, s[i].isASCII else { return nil }
        if s[i] == "0" { i += 1 } else { while i < s.count, s[i].isASCII, ("0"..."9").contains(s[i]) { i += 1 } }
        if i < s.count && s[i] == "." {
            i += 1
            let f = i
            while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
            if i == f { return nil }
        }
        if i < s.count && (s[i] == "e" || s[i] == "E") {
            i += 1
            if i < s.count && (s[i] == "+" || s[i] == "-") { i += 1 }
            let f = i
            while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
            if i == f { return nil }
        }
        return String(String.UnicodeScalarView(s[start..<i]))
    }
}

// MARK: Worked examples of the spec

/// One worked example: a value, the words its decode must print (any order),
/// and where the spec gives it.
struct SpecExample: CustomTestStringConvertible, Sendable {
    var arch: Arch
    var value: UInt64
    var words: String
    var source: String
    var testDescription: String { "\(arch) 0x\(hex(value, width: 16)) (\(source))" }
    /// The words as a set, for an order-free comparison.
    var wordSet: Set<String> { Set(words.split(separator: " ").map(String.init)) }
    /// Whether decode reports stray bits, so no round trip is expected.
    var hasStray: Bool { words.contains("stray=") }
}

/// The worked examples of spec encoding §1.5, §2.5, §3.6 and §4.6 (full
/// configuration, MAX_SWAPFILES = 24). Words name the fields the spec row
/// describes; present-PTE attribute bits come from the bit tables §1.1 / §3.1.
let specExamples: [SpecExample] = [
    // §1.5 x86-64 present
    .init(arch: .x86_64, value: 0x8000_0000_1234_5067, words: "present write user young dirty nx pfn=0x12345",
          source: "spec encoding §1.5: anon RW, user, accessed, dirty, NX, PFN 0x12345"),
    .init(arch: .x86_64, value: 0x8400_0000_1234_5025, words: "present user young saved_dirty nx pfn=0x12345",
          source: "spec encoding §1.5: after pte_wrprotect, RW cleared, D moved to bit 58 (SavedDirty)"),
    .init(arch: .x86_64, value: 0x8000_0000_1234_6067, words: "present write user young dirty nx pfn=0x12346",
          source: "spec encoding §1.5: pte_next_pfn of the first row"),
    .init(arch: .x86_64, value: 0x000F_FFFF_EDCB_A120, words: "protnone young pfn=0x12345",
          source: "spec encoding §1.5: PROT_NONE (PAGE_NONE = PROTNONE|ACCESSED 0x120), PFN 0x12345 inverted"),
    .init(arch: .x86_64, value: 0x000F_FFFF_EDCB_9120, words: "protnone young pfn=0x12346",
          source: "spec encoding §1.5: pte_advance_pfn(+1) of the PROT_NONE row, pte_pfn 0x12346"),
    .init(arch: .x86_64, value: 0x60, words: "none stray=0x60",
          source: "spec encoding §1.5: only A and D set is pte_none; A/D are stray in a none PTE (mmmodel.h @stray)"),
    // §2.5 x86-64 swap
    .init(arch: .x86_64, value: 0x1FFF_FFFF_FFDB_9600, words: "swap type=3 offset=0x1234",
          source: "spec encoding §2.5: type 3, offset 0x1234, no flags"),
    .init(arch: .x86_64, value: 0x1FFF_FFFF_FFDB_9608, words: "swap type=3 offset=0x1234 exclusive",
          source: "spec encoding §2.5: type 3, offset 0x1234, exclusive"),
    .init(arch: .x86_64, value: 0x1FFF_FFFF_FFDB_960E, words: "swap type=3 offset=0x1234 exclusive soft_dirty uffd_wp",
          source: "spec encoding §2.5: + exclusive + soft-dirty + uffd-wp"),
    .init(arch: .x86_64, value: 0x1FFF_FFFF_FFDB_9408, words: "swap type=3 offset=0x1235 exclusive",
          source: "spec encoding §2.5: type 3, offset 0x1235, exclusive"),
    .init(arch: .x86_64, value: 0x1FFF_FFFF_FFDB_9808, words: "swap type=3 offset=0x1233 exclusive",
          source: "spec encoding §2.5: type 3, offset 0x1233, exclusive"),
    .init(arch: .x86_64, value: 0x1FFF_FFFF_FFFF_FE08, words: "swap type=3 offset=0x0 exclusive",
          source: "spec encoding §2.5: type 3, offset 0, exclusive"),
    .init(arch: .x86_64, value: 0x1800_0000_0000_0008, words: "swap type=3 offset=0x3ffffffffffff exclusive",
          source: "spec encoding §2.5: offset 0 − 1 underflow decodes as 2^50 − 1, exclusive"),
    .init(arch: .x86_64, value: 0x1800_0000_0000_0000, words: "swap type=3 offset=0x3ffffffffffff",
          source: "spec encoding §2.5: type 3, offset 2^50 − 1"),
    .init(arch: .x86_64, value: 0x07FF_FFFF_FFFF_FE00, words: "swap type=0 offset=0x0",
          source: "spec encoding §2.5: type 0, offset 0"),
    // §4.6 x86-64 special entries
    .init(arch: .x86_64, value: 0xFFFF_FFFF_FFFF_FC00, words: "marker=uffd_wp",
          source: "spec encoding §4.6: PTE marker UFFD_WP"),
    .init(arch: .x86_64, value: 0xFFFF_FFFF_FFFF_FA00, words: "marker=poisoned",
          source: "spec encoding §4.6: PTE marker POISONED"),
    .init(arch: .x86_64, value: 0xFFFF_FFFF_FFFF_F600, words: "marker=guard",
          source: "spec encoding §4.6: PTE marker GUARD"),
    .init(arch: .x86_64, value: 0xC7FF_FFFF_FDB9_7400, words: "hwpoison pfn=0x12345",
          source: "spec encoding §4.6: hwpoison PFN 0x12345 (type 24)"),
    .init(arch: .x86_64, value: 0xCFFF_FFFF_FDB9_7400, words: "migration_read pfn=0x12345",
          source: "spec encoding §4.6: migration read PFN 0x12345 (type 25)"),
    .init(arch: .x86_64, value: 0xD7FF_FFFF_FDB9_7400, words: "migration_read_exclusive pfn=0x12345",
          source: "spec encoding §4.6: migration read-exclusive PFN 0x12345 (type 26)"),
    .init(arch: .x86_64, value: 0xDFFF_FFFF_FDB9_7400, words: "migration_write pfn=0x12345",
          source: "spec encoding §4.6: migration write PFN 0x12345 (type 27)"),
    .init(arch: .x86_64, value: 0xE7FF_FFFF_FDB9_7400, words: "device_private_write pfn=0x12345",
          source: "spec encoding §4.6: device-private write PFN 0x12345 (type 28)"),
    // §3.6 arm64
    .init(arch: .arm64, value: 0x0000_0000_0123_40C0, words: "swap type=3 offset=0x1234",
          source: "spec encoding §3.6: swap type 3, offset 0x1234"),
    .init(arch: .arm64, value: 0x0000_0000_0123_40C4, words: "swap type=3 offset=0x1234 exclusive",
          source: "spec encoding §3.6: + exclusive (bit 2)"),
    .init(arch: .arm64, value: 0x0000_0000_0123_40CC, words: "swap type=3 offset=0x1234 exclusive uffd_wp",
          source: "spec encoding §3.6: + exclusive + uffd-wp (bits 2, 3)"),
    .init(arch: .arm64, value: 0x0000_0000_0123_50C4, words: "swap type=3 offset=0x1235 exclusive",
          source: "spec encoding §3.6: type 3, offset 0x1235, exclusive"),
    .init(arch: .arm64, value: 0x0000_0000_0123_30C4, words: "swap type=3 offset=0x1233 exclusive",
          source: "spec encoding §3.6: type 3, offset 0x1233, exclusive"),
    .init(arch: .arm64, value: 0x0000_0000_0000_00C4, words: "swap type=3 offset=0x0 exclusive",
          source: "spec encoding §3.6: type 3, offset 0, exclusive"),
    .init(arch: .arm64, value: 0xFFFF_FFFF_FFFF_F0C4,
          words: "swap type=3 offset=0x3ffffffffffff exclusive stray=0xc000000000000000",
          source: "spec encoding §3.6: offset 0 − 1, bits 62–63 polluted, decodes to 2^50 − 1"),
    .init(arch: .arm64, value: 0x3FFF_FFFF_FFFF_F0C0, words: "swap type=3 offset=0x3ffffffffffff",
          source: "spec encoding §3.6: type 3, offset 2^50 − 1"),
    .init(arch: .arm64, value: 0x4000_0000_0000_00C0, words: "swap type=3 offset=0x0 stray=0x4000000000000000",
          source: "spec encoding §3.6: offset 2^50 overflow: type 3 offset 0 with bit 62 set"),
    .init(arch: .arm64, value: 0, words: "none",
          source: "spec encoding §3.6: type 0, offset 0 is indistinguishable from pte_none"),
    .init(arch: .arm64, value: 0x0068_0000_1234_5FC3,
          words: "present write user young rdonly nx pfn=0x12345 attrs=0x20000000000b02",
          source: "spec encoding §3.6/§3.1: VALID,USER,RDONLY,AF,DBM(write),UXN(nx); attrs TYPE|SH=3|nG|PXN"),
    .init(arch: .arm64, value: 0x0068_0000_1234_5F43,
          words: "present write user young nx pfn=0x12345 attrs=0x20000000000b02",
          source: "spec encoding §3.6: same, hardware-dirty (RDONLY cleared)"),
    .init(arch: .arm64, value: 0x00E0_0000_1234_5FC3,
          words: "present user young rdonly dirty nx pfn=0x12345 attrs=0x20000000000b02",
          source: "spec encoding §3.6: after pte_wrprotect: PTE_DIRTY set, DBM cleared, RDONLY set"),
    // §4.6 arm64 special entries
    .init(arch: .arm64, value: 0x17C0, words: "marker=uffd_wp", source: "spec encoding §4.6: PTE marker UFFD_WP"),
    .init(arch: .arm64, value: 0x27C0, words: "marker=poisoned", source: "spec encoding §4.6: PTE marker POISONED"),
    .init(arch: .arm64, value: 0x47C0, words: "marker=guard", source: "spec encoding §4.6: PTE marker GUARD"),
    .init(arch: .arm64, value: 0x1234_5600, words: "hwpoison pfn=0x12345",
          source: "spec encoding §4.6: hwpoison PFN 0x12345 (type 24)"),
    .init(arch: .arm64, value: 0x1234_5640, words: "migration_read pfn=0x12345",
          source: "spec encoding §4.6: migration read PFN 0x12345 (type 25)"),
    .init(arch: .arm64, value: 0x1234_5680, words: "migration_read_exclusive pfn=0x12345",
          source: "spec encoding §4.6: migration read-exclusive PFN 0x12345 (type 26)"),
    .init(arch: .arm64, value: 0x1234_56C0, words: "migration_write pfn=0x12345",
          source: "spec encoding §4.6: migration write PFN 0x12345 (type 27)"),
    .init(arch: .arm64, value: 0x1234_5700, words: "device_private_write pfn=0x12345",
          source: "spec encoding §4.6: device-private write PFN 0x12345 (type 28)"),
]
