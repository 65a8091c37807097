/// One page-table entry value: exactly one 64-bit word, so a page table of them
/// stays a flat array of words. The architecture travels with the table (or
/// with the `PteFormat` an operation is called on), not with each entry.
public struct Pte: Hashable, Sendable, CustomStringConvertible {
    public var raw: UInt64
    @inlinable public init(_ raw: UInt64) { self.raw = raw }
    public var description: String { "0x" + hex(raw, width: 16) }
}

/// Upper-case hexadecimal, zero-padded to `width` digits.
public func hex(_ v: UInt64, width: Int = 0) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Lower-case `0x`-prefixed hexadecimal, as the kernel prints PFNs and offsets.
public func hex0x(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

/// What a PTE value is. Raw values are the C `MMM_PTE_KIND_*` constants.
public enum PteKind: UInt32, CaseIterable, Sendable {
    case none = 0
    case present = 1
    case swap = 2
    case migrationRead = 3
    case migrationReadExclusive = 4
    case migrationWrite = 5
    case devicePrivateRead = 6
    case devicePrivateWrite = 7
    case deviceExclusive = 8
    case hwpoison = 9
    case marker = 10

    /// The word `mmm_pte_format()` prints and `mmm encode` reads.
    public var name: String {
        switch self {
        case .none: return "none"
        case .present: return "present"
        case .swap: return "swap"
        case .migrationRead: return "migration_read"
        case .migrationReadExclusive: return "migration_read_exclusive"
        case .migrationWrite: return "migration_write"
        case .devicePrivateRead: return "device_private_read"
        case .devicePrivateWrite: return "device_private_write"
        case .deviceExclusive: return "device_exclusive"
        case .hwpoison: return "hwpoison"
        case .marker: return "marker"
        }
    }

    /// A non-swap entry whose offset is a PFN (`is_pfn_swap_entry()`).
    public var carriesPfn: Bool {
        switch self {
        case .migrationRead, .migrationReadExclusive, .migrationWrite,
             .devicePrivateRead, .devicePrivateWrite, .deviceExclusive, .hwpoison: return true
        default: return false
        }
    }

    public var isMigration: Bool {
        self == .migrationRead || self == .migrationReadExclusive || self == .migrationWrite
    }
}

/// Named bits of a present PTE; raw values are the C `MMM_PTE_F_*` constants.
/// Each names one hardware or software bit (see `PteFormat.bit(of:)`).
public struct PteFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public static var valid: PteFlags { PteFlags(rawValue: 1 << 0) }
    @inlinable public static var write: PteFlags { PteFlags(rawValue: 1 << 1) }
    @inlinable public static var user: PteFlags { PteFlags(rawValue: 1 << 2) }
    @inlinable public static var young: PteFlags { PteFlags(rawValue: 1 << 3) }
    @inlinable public static var dirty: PteFlags { PteFlags(rawValue: 1 << 4) }
    @inlinable public static var savedDirty: PteFlags { PteFlags(rawValue: 1 << 5) }
    @inlinable public static var rdonly: PteFlags { PteFlags(rawValue: 1 << 6) }
    @inlinable public static var softDirty: PteFlags { PteFlags(rawValue: 1 << 7) }
    @inlinable public static var uffdWp: PteFlags { PteFlags(rawValue: 1 << 8) }
    @inlinable public static var special: PteFlags { PteFlags(rawValue: 1 << 9) }
    @inlinable public static var protnone: PteFlags { PteFlags(rawValue: 1 << 10) }
    @inlinable public static var nx: PteFlags { PteFlags(rawValue: 1 << 11) }
    @inlinable public static var cont: PteFlags { PteFlags(rawValue: 1 << 12) }

    /// In the order `mmm_pte_format()` prints them, with their words.
    public static let named: [(PteFlags, String)] = [
        (.valid, "present"), (.protnone, "protnone"), (.write, "write"), (.user, "user"),
        (.young, "young"), (.dirty, "dirty"), (.savedDirty, "saved_dirty"), (.rdonly, "rdonly"),
        (.softDirty, "soft_dirty"), (.uffdWp, "uffd_wp"), (.special, "special"), (.nx, "nx"),
        (.cont, "cont"),
    ]
}

/// Bits of a non-present entry; raw values are the C `MMM_SWP_F_*` constants.
public struct SwpFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public static var exclusive: SwpFlags { SwpFlags(rawValue: 1 << 0) }
    @inlinable public static var softDirty: SwpFlags { SwpFlags(rawValue: 1 << 1) }
    @inlinable public static var uffdWp: SwpFlags { SwpFlags(rawValue: 1 << 2) }
    @inlinable public static var migYoung: SwpFlags { SwpFlags(rawValue: 1 << 3) }
    @inlinable public static var migDirty: SwpFlags { SwpFlags(rawValue: 1 << 4) }

    /// The three bits kept in a swap PTE beside type and offset (`pte_swp_clear_flags()`).
    public static let ptePreserved: SwpFlags = [.exclusive, .softDirty, .uffdWp]

    public static let named: [(SwpFlags, String)] = [
        (.exclusive, "exclusive"), (.softDirty, "soft_dirty"), (.uffdWp, "uffd_wp"),
        (.migYoung, "mig_young"), (.migDirty, "mig_dirty"),
    ]
}

/// PTE marker bits (`PTE_MARKER_*`, include/linux/swapops.h); C `MMM_PTE_MARKER_*`.
public struct PteMarker: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public static var uffdWp: PteMarker { PteMarker(rawValue: 1 << 0) }
    @inlinable public static var poisoned: PteMarker { PteMarker(rawValue: 1 << 1) }
    @inlinable public static var guardRegion: PteMarker { PteMarker(rawValue: 1 << 2) }
    /// `PTE_MARKER_MASK`.
    public static let all: PteMarker = [.uffdWp, .poisoned, .guardRegion]

    public static let named: [(PteMarker, String)] = [
        (.uffdWp, "uffd_wp"), (.poisoned, "poisoned"), (.guardRegion, "guard"),
    ]
}

/// What the kernel's predicates answer for a value; C `MMM_PRED_*`.
public struct PtePreds: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public static var none: PtePreds { PtePreds(rawValue: 1 << 0) }
    @inlinable public static var present: PtePreds { PtePreds(rawValue: 1 << 1) }
    @inlinable public static var swapPte: PtePreds { PtePreds(rawValue: 1 << 2) }
    @inlinable public static var nonSwap: PtePreds { PtePreds(rawValue: 1 << 3) }
    @inlinable public static var protnone: PtePreds { PtePreds(rawValue: 1 << 4) }
    @inlinable public static var write: PtePreds { PtePreds(rawValue: 1 << 5) }
    @inlinable public static var dirty: PtePreds { PtePreds(rawValue: 1 << 6) }
    @inlinable public static var young: PtePreds { PtePreds(rawValue: 1 << 7) }
    @inlinable public static var softDirty: PtePreds { PtePreds(rawValue: 1 << 8) }
    @inlinable public static var uffdWp: PtePreds { PtePreds(rawValue: 1 << 9) }
    @inlinable public static var special: PtePreds { PtePreds(rawValue: 1 << 10) }
    @inlinable public static var exclusive: PtePreds { PtePreds(rawValue: 1 << 11) }
}

/// A generic `swp_entry_t` (include/linux/swapops.h): type in bits 58-62,
/// offset in bits 0-57. Spec encoding §4.1.
public struct SwpEntry: Hashable, Sendable {
    public var val: UInt64
    public static let typeShift: UInt64 = 58
    public static let offsetMask: UInt64 = (1 << 58) - 1

    public init(val: UInt64) { self.val = val }

    /// `swp_entry()`; nil when `type` > 31 or `offset` ≥ 2^58.
    public init?(type: UInt32, offset: UInt64) {
        guard type < 32, offset <= SwpEntry.offsetMask else { return nil }
        val = (UInt64(type) << SwpEntry.typeShift) | offset
    }

    /// `swp_type()`.
    public var type: UInt32 { UInt32(truncatingIfNeeded: val >> SwpEntry.typeShift) }
    /// `swp_offset()`.
    public var offset: UInt64 { val & SwpEntry.offsetMask }
}
