/// One line of text for a PTE value, and the same words read back: what
/// `mmm_pte_format()` prints and `mmm encode` accepts.
///
///     present write user young dirty nx pfn=0x12345
///     protnone user young pfn=0x12345 attrs=0x...
///     swap type=3 offset=0x1234 exclusive uffd_wp
///     migration_write pfn=0x12345 mig_young
///     marker=uffd_wp,guard
///     none stray=0x60
extension PteInfo {
    public func text() -> String {
        var words: [String] = []
        switch kind {
        case .present:
            for (flag, name) in PteFlags.named where pteFlags.contains(flag) { words.append(name) }
            words.append("pfn=" + hex0x(pfn))
            if attrs != 0 { words.append("attrs=" + hex0x(attrs)) }
        case .marker:
            let names = PteMarker.named.filter { marker.contains($0.0) }.map(\.1)
            words.append("marker=" + (names.isEmpty ? "0" : names.joined(separator: ",")))
        case .swap:
            words.append(kind.name)
            words.append("type=\(swpType)")
            words.append("offset=" + hex0x(swpOffset))
        case .none:
            words.append(kind.name)
        default:
            words.append(kind.name)
            words.append("pfn=" + hex0x(pfn))
        }
        if kind != .present && kind != .none {
            for (flag, name) in SwpFlags.named where swpFlags.contains(flag) { words.append(name) }
        }
        if stray != 0 { words.append("stray=" + hex0x(stray)) }
        return words.joined(separator: " ")
    }

    /// Reads the words of `text()` back (order free; `present` or `protnone`
    /// starts a present PTE). Numbers are decimal or 0x-prefixed hexadecimal.
    /// Fails, with the offending word, on anything it does not know.
    public static func parse(_ words: [String]) -> Result<PteInfo, ParseError> {
        var info = PteInfo()
        var kindSeen = false
        func setKind(_ k: PteKind) -> Bool {
            if kindSeen && info.kind != k { return false }
            info.kind = k; kindSeen = true; return true
        }
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                let key = parts[0], value = parts[1]
                if key == "marker" {
                    guard setKind(.marker) else { return .failure(.conflict(word)) }
                    if value == "0" { continue }
                    for name in value.split(separator: ",") {
                        guard let m = PteMarker.named.first(where: { $0.1 == name }) else {
                            return .failure(.unknownWord(word))
                        }
                        info.marker.insert(m.0)
                    }
                    continue
                }
                guard let n = parseNumber(value) else { return .failure(.badNumber(word)) }
                switch key {
                case "pfn": info.pfn = n
                case "offset": info.swpOffset = n
                case "type":
                    guard n <= UInt64(UInt32.max) else { return .failure(.badNumber(word)) }
                    info.swpType = UInt32(n)
                case "attrs": info.attrs = n
                case "stray": info.stray = n
                default: return .failure(.unknownWord(word))
                }
                continue
            }
            if word == "present" || word == "protnone" {
                guard setKind(.present) else { return .failure(.conflict(word)) }
                info.pteFlags.insert(word == "present" ? .valid : .protnone)
            } else if let k = PteKind.allCases.first(where: { $0.name == word }), k != .present {
                guard setKind(k) else { return .failure(.conflict(word)) }
            } else if let f = PteFlags.named.first(where: { $0.1 == word }),
                      kindSeen && info.kind == .present {
                info.pteFlags.insert(f.0)
            } else if let f = SwpFlags.named.first(where: { $0.1 == word }) {
                info.swpFlags.insert(f.0)
            } else if let f = PteFlags.named.first(where: { $0.1 == word }) {
                info.pteFlags.insert(f.0)
            } else {
                return .failure(.unknownWord(word))
            }
        }
        guard kindSeen else { return .failure(.noKind) }
        // Words read before the kind was known land in the set that fits the kind.
        if info.kind == .present {
            for (flag, name) in SwpFlags.named where info.swpFlags.contains(flag) {
                guard let f = PteFlags.named.first(where: { $0.1 == name }) else {
                    return .failure(.unknownWord(name))
                }
                info.swpFlags.remove(flag)
                info.pteFlags.insert(f.0)
            }
        } else {
            for (flag, name) in PteFlags.named where info.pteFlags.contains(flag) {
                guard let f = SwpFlags.named.first(where: { $0.1 == name }) else {
                    return .failure(.unknownWord(name))
                }
                info.pteFlags.remove(flag)
                info.swpFlags.insert(f.0)
            }
        }
        return .success(info)
    }

    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case unknownWord(String)
        case badNumber(String)
        case conflict(String)
        case noKind

        public var description: String {
            switch self {
            case .unknownWord(let w): return "unknown word '\(w)'"
            case .badNumber(let w): return "bad number in '\(w)'"
            case .conflict(let w): return "'\(w)' names a second kind"
            case .noKind: return "no kind given (present, protnone, swap, migration_read, marker=..., none, ...)"
            }
        }
    }
}

/// Decimal, or hexadecimal with a 0x prefix; nil on anything else or overflow.
public func parseNumber(_ s: String) -> UInt64? {
    let lower = s.lowercased()
    guard !lower.contains("+"), !lower.contains("-") else { return nil }   // UInt64(_:radix:) takes a sign
    if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2), radix: 16) }
    return UInt64(lower, radix: 10)
}
