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
            return .success(try encode(info))
        } catch {
            return .failure(.refused(error, reason: refusalReason(info)))
        }
    }

    /// Why `encode(info)` refuses, in a few words; nil when it does not (or when
    /// no rule below names the cause). Mirrors the checks of `encode(_:)`.
    public func refusalReason(_ info: PteInfo) -> String? {
        if info.stray != 0 { return "stray bits are reported by decode only; encode needs stray=0" }
        switch info.kind {
        case .none:
            if info != PteInfo(kind: .none) { return "none takes no fields" }
            return nil
        case .present:
            return presentRefusalReason(info)
        default:
            return nonPresentRefusalReason(info)
        }
    }

    func presentRefusalReason(_ info: PteInfo) -> String? {
        let flags = info.pteFlags
        for (flag, name) in PteFlags.named where flags.contains(flag) && !supportedPteFlags.contains(flag) {
            return "\(name) does not exist on \(arch) with this configuration"
        }
        if !info.swpFlags.isEmpty || !info.marker.isEmpty || info.swpOffset != 0 || info.swpType != 0 {
            return "type, offset, marker and swap-only flags do not apply to a present PTE"
        }
        let valid = flags.contains(.valid)
        if valid && flags.contains(.protnone) {
            return "present and protnone exclude each other (with the valid bit set that bit is an attribute)"
        }
        if !valid && !flags.contains(.protnone) { return "a present PTE needs present or protnone" }
        let bad = info.attrs & ~attrsMask(valid: valid)
        if bad != 0 { return "attrs bits " + hex0x(bad) + " are named flags or the PFN" }
        if info.pfn > maxPfn { return "pfn is above the largest PFN " + hex0x(maxPfn) }
        var v = info.attrs
        for (flag, _) in PteFlags.named where flags.contains(flag) { v |= bit(of: flag) }
        let p = withPfn(Pte(v), info.pfn)
        if kind(of: p) != .present { return "the value would not read as present" }
        return nil
    }

    func nonPresentRefusalReason(_ info: PteInfo) -> String? {
        if !info.pteFlags.isEmpty || info.attrs != 0 {
            return "present-only flags and attrs do not apply to a \(info.kind.name) entry"
        }
        for (flag, name) in SwpFlags.named where info.swpFlags.contains(flag) && !supportedSwpFlags.contains(flag) {
            return "\(name) does not exist on \(arch) with this configuration"
        }
        if !info.kind.isMigration, !info.swpFlags.isDisjoint(with: [.migYoung, .migDirty]) {
            return "mig_young and mig_dirty belong to migration entries only"
        }
        if info.kind != .marker, !info.marker.isEmpty { return "marker bits belong to marker entries only" }
        var type: UInt32
        var offset: UInt64
        switch info.kind {
        case .swap:
            if info.pfn != 0 { return "a swap entry has no pfn (give offset=)" }
            if info.swpType >= maxSwapfiles {
                return "type \(info.swpType) is not below MAX_SWAPFILES (\(maxSwapfiles))"
            }
            if info.swpOffset > maxSwpOffset { return "offset is above 2^50 - 1" }
            type = info.swpType
            offset = info.swpOffset
        case .marker:
            if info.pfn != 0 { return "a marker entry has no pfn" }
            type = PteFormat.markerType
            offset = UInt64(info.marker.rawValue)
        default:
            guard let t = swapType(of: info.kind) else {
                return "\(info.kind.name) entries do not exist in this configuration"
            }
            if info.pfn >= (UInt64(1) << swpPfnBits) {
                return "pfn does not fit in SWP_PFN_BITS (\(swpPfnBits))"
            }
            type = t
            offset = info.pfn
            if info.swpFlags.contains(.migYoung) { offset |= 1 << swpPfnBits }
            if info.swpFlags.contains(.migDirty) { offset |= 1 << (swpPfnBits + 1) }
        }
        if info.kind != .swap {
            if info.swpType != 0 && info.swpType != type {
                return "type=\(info.swpType) contradicts \(info.kind.name) (type \(type))"
            }
            if info.swpOffset != 0 && info.swpOffset != offset {
                return "offset=" + hex0x(info.swpOffset) + " contradicts the entry's offset " + hex0x(offset)
            }
        }
        var v = archSwpEntry(type: type, offset: offset).raw
        for (flag, _) in SwpFlags.named where info.swpFlags.contains(flag) { v |= swpBit(of: flag) }
        if isNone(Pte(v)) { return "would read as pte_none" }
        return nil
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
