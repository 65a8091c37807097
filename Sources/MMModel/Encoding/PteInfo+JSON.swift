/// JSON rendering of a decoded PTE value: one object on one line, what
/// `mmm decode --json` and `mmm encode --json` print. Written by hand (the core
/// has no Foundation).
///
///     {"value":"0x1FFFFFFFFFDB9608","arch":"x86_64","kind":"swap","flags":["exclusive"],
///      "swp_type":3,"swp_offset":"0x1234","stray":"0x0","preds":["swap_pte","exclusive"]}
///
/// Keys appear in a fixed order and only where meaningful for the kind:
///
/// | key          | kinds                                   | value                          |
/// |--------------|-----------------------------------------|--------------------------------|
/// | `value`      | all                                     | `"0x"` + 16 upper-case digits  |
/// | `arch`       | all                                     | `"x86_64"` or `"arm64"`        |
/// | `kind`       | all                                     | `PteKind.name`                 |
/// | `flags`      | all but none                            | flag words, as in `text()`     |
/// | `pfn`        | present and PFN-carrying kinds          | lower-case `"0x…"` string      |
/// | `swp_type`   | non-present kinds                       | number                         |
/// | `swp_offset` | non-present kinds                       | lower-case `"0x…"` string      |
/// | `marker`     | marker                                  | marker words                   |
/// | `attrs`      | present                                 | lower-case `"0x…"` string      |
/// | `stray`      | all but present (which has none)        | lower-case `"0x…"` string      |
/// | `preds`      | all                                     | `PtePreds.named` words         |
///
/// 64-bit quantities are strings because JSON numbers lose precision above 2^53.
extension PteInfo {
    public func json(value: Pte, arch: Arch) -> String {
        var fields: [(String, String)] = [
            ("value", jsonString("0x" + hex(value.raw, width: 16))),
            ("arch", jsonString(arch.description)),
            ("kind", jsonString(kind.name)),
        ]
        switch kind {
        case .none:
            break
        case .present:
            fields.append(("flags", jsonArray(PteFlags.named.filter { pteFlags.contains($0.0) }.map(\.1))))
            fields.append(("pfn", jsonString(hex0x(pfn))))
            fields.append(("attrs", jsonString(hex0x(attrs))))
        default:
            fields.append(("flags", jsonArray(SwpFlags.named.filter { swpFlags.contains($0.0) }.map(\.1))))
            if kind.carriesPfn { fields.append(("pfn", jsonString(hex0x(pfn)))) }
            fields.append(("swp_type", String(swpType)))
            fields.append(("swp_offset", jsonString(hex0x(swpOffset))))
            if kind == .marker {
                fields.append(("marker", jsonArray(PteMarker.named.filter { marker.contains($0.0) }.map(\.1))))
            }
        }
        if kind != .present { fields.append(("stray", jsonString(hex0x(stray)))) }
        fields.append(("preds", jsonArray(PtePreds.named.filter { preds.contains($0.0) }.map(\.1))))
        return "{" + fields.map { jsonString($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}

extension PtePreds {
    /// In `MMM_PRED_*` order, with the words `mmm decode --json` prints.
    public static let named: [(PtePreds, String)] = [
        (.none, "none"), (.present, "present"), (.swapPte, "swap_pte"), (.nonSwap, "non_swap"),
        (.protnone, "protnone"), (.write, "write"), (.dirty, "dirty"), (.young, "young"),
        (.softDirty, "soft_dirty"), (.uffdWp, "uffd_wp"), (.special, "special"),
        (.exclusive, "exclusive"),
    ]
}

/// `s` as a JSON string literal: quoted, with `"`, `\` and control characters
/// (below U+0020, and U+007F) escaped (RFC 8259 §7).
public func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        default:
            if u.value < 0x20 || u.value == 0x7F {
                out += "\\u" + hex(UInt64(u.value), width: 4)
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

/// A JSON array of strings.
public func jsonArray(_ items: [String]) -> String {
    "[" + items.map(jsonString).joined(separator: ",") + "]"
}
