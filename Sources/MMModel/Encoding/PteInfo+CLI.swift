/// The pure logic behind `mmm decode` and `mmm encode`, kept in the core so it
/// can be tested without running the tool: the `--config` words, one decode
/// line, and words → value with a reason when the encoder refuses.

extension KernelConfig {
    /// The `--config` words that remove one option, in `MMM_ARCH_CFG_NO_*` order.
    public static let cliRemovals: [(KernelConfig, String)] = [
        (.softDirty, "no-soft-dirty"), (.uffdWp, "no-uffd-wp"), (.devicePrivate, "no-device-private"),
        (.migration, "no-migration"), (.memoryFailure, "no-memory-failure"),
    ]

    /// Named presets: the options each removes. `live-6.18` is
    /// `MMM_ARCH_CFG_LIVE_6_18` (spec encoding §0.1, §4.2 "MIGRATION only" row).
    public static let cliPresets: [(String, KernelConfig)] = [
        ("live-6.18", KernelConfig.all.subtracting(.live618)),
    ]

    /// Parses a comma list of `no-*` words and preset names; the result is every
    /// option minus all those removed. Fails with the first unknown word.
    public static func parse(cliList: String) -> Result<KernelConfig, CLIWordError> {
        var removed: KernelConfig = []
        let words = cliList.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for word in words {
            if let r = cliRemovals.first(where: { $0.1 == word }) {
                removed.formUnion(r.0)
            } else if let p = cliPresets.first(where: { $0.0 == word }) {
                removed.formUnion(p.1)
            } else {
                return .failure(CLIWordError(word: word))
            }
        }
        return .success(KernelConfig.all.subtracting(removed))
    }
}

/// A value for `mmm decode`: decimal digits, or `0x` / `0X` and hexadecimal
/// digits, at most 64 bits; nil on anything else. Stricter than `parseNumber`,
/// which lets a sign through ("+5", "0x-0").
public func parseCLIValue(_ s: String) -> UInt64? {
    let u = Array(s.utf8)
    let isHex = u.count > 2 && u[0] == UInt8(ascii: "0") && (u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "X"))
    let digits = isHex ? u[2...] : u[...]
    guard !digits.isEmpty, digits.allSatisfy({ c in
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
            || (isHex && ((UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c | 0x20)))
    }) else { return nil }
    return parseNumber(s)
}

/// A word of a command-line list that is not known.
public struct CLIWordError: Error, Hashable, Sendable {
    public let word: String
}

extension PteFormat {
    /// One line of `mmm decode`: the value as 16 upper-case hexadecimal digits,
    /// two spaces, and `PteInfo.text()`.
    public func decodeLine(_ p: Pte) -> String {
        "0x" + hex(p.raw, width: 16) + "  " + decode(p).text()
    }

    /// `mmm encode`: the words of `PteInfo.text()` to a value.
    public func encode(words: [String]) -> Result<Pte, EncodeWordsError> {
        let info: PteInfo
        switch PteInfo.parse(words) {
        case .success(let i): info = i
        case .failure(let e): return .failure(.usage(e))
        }
        do {
            return .success(try encodeExplained(info))
        } catch {
            return .failure(.refused(error.error, reason: error.reason))
        }
    }
}

/// Why words could not become a value.
public enum EncodeWordsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The words do not parse: a usage error.
    case usage(PteInfo.ParseError)
    /// The words parse but the encoder refuses the entry.
    case refused(MMMError, reason: String?)

    public var description: String {
        switch self {
        case .usage(let e): return e.description
        case .refused(let e, let reason): return e.description + (reason.map { ": " + $0 } ?? "")
        }
    }
}
