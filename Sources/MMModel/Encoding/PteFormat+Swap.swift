/// Swap PTEs: the arch layout of a non-present entry, spec encoding §2 (x86-64)
/// and §3.5 (arm64), and the generic entry, §4.
extension PteFormat {
    /// The PTE bit of a swap flag on this arch, or 0 where it does not exist.
    @inlinable @inline(__always) public func swpBit(of flag: SwpFlags) -> UInt64 {
        switch flag {
        case .exclusive: return arch == .x86_64 ? X86.swpExclusive : Arm64.swpExclusive
        case .softDirty: return arch == .x86_64 && config.contains(.softDirty) ? X86.swpSoftDirty : 0
        case .uffdWp:
            guard config.contains(.uffdWp) else { return 0 }
            return arch == .x86_64 ? X86.swpUffdWp : Arm64.swpUffdWp
        default: return 0
        }
    }

    /// The PTE bits of the three kept swap flags (`pte_swp_clear_flags()` strips them).
    @inlinable @inline(__always) var swpFlagBits: UInt64 {
        let uffd = config.rawValue & KernelConfig.uffdWp.rawValue != 0
        switch arch {
        case .x86_64:
            return X86.swpExclusive | (config.rawValue & KernelConfig.softDirty.rawValue != 0 ? X86.swpSoftDirty : 0)
                | (uffd ? X86.swpUffdWp : 0)
        case .arm64: return Arm64.swpExclusive | (uffd ? Arm64.swpUffdWp : 0)
        }
    }

    /// `__swp_type()` of the arch value.
    @inlinable @inline(__always) public func archSwpType(_ p: Pte) -> UInt32 {
        switch arch {
        case .x86_64: return UInt32(truncatingIfNeeded: p.raw >> 59)
        case .arm64: return UInt32(truncatingIfNeeded: (p.raw >> 6) & 0x1F)
        }
    }

    /// `__swp_offset()` of the arch value (50 bits; x86-64 undoes the inversion).
    @inlinable @inline(__always) public func archSwpOffset(_ p: Pte) -> UInt64 {
        switch arch {
        case .x86_64: return (~p.raw << 5) >> 14
        case .arm64: return (p.raw >> 12) & maxSwpOffset
        }
    }

    /// `__swp_entry()` for `type` < 32 and `offset` ≤ `maxSwpOffset`; no flag bits.
    @inlinable public func archSwpEntry(type: UInt32, offset: UInt64) -> Pte {
        switch arch {
        case .x86_64: return Pte(((~offset << 14) >> 5) | (UInt64(type & 0x1F) << 59))
        case .arm64: return Pte((UInt64(type & 0x1F) << 6) | ((offset & maxSwpOffset) << 12))
        }
    }

    /// The bits a canonical non-present value of this arch never has: x86-64 bits
    /// 4-7 (bit 0 and 8 are excluded by `pte_present()`), arm64 bits 0-1, 4-5,
    /// 62-63, and the bits of swap flags the configuration lacks.
    @inlinable @inline(__always) var swpStrayMask: UInt64 {
        switch arch {
        case .x86_64: return (0xF0 | X86.swpSoftDirty | X86.swpUffdWp) & ~swpFlagBits
        case .arm64: return (0x33 | (3 << 62) | Arm64.swpUffdWp) & ~swpFlagBits
        }
    }

    /// `pte_to_swp_entry()` (≤ 6.18): strips the swap flags and repacks type and
    /// offset generically. Only meaningful for `isSwapPte`.
    @inlinable public func swpEntry(_ p: Pte) -> SwpEntry {
        let bare = Pte(p.raw & ~swpFlagBits)
        return SwpEntry(val: (UInt64(archSwpType(bare)) << SwpEntry.typeShift) | archSwpOffset(bare))
    }

    /// `swp_entry_to_pte()`, refusing what the kernel would truncate or spill
    /// (offset ≥ 2^50: `.outOfRange`) and what would read as `pte_none`
    /// (`.invalidArgument`). Spec encoding §4.5, §9 items 5-6.
    public func pte(of entry: SwpEntry) throws(MMMError) -> Pte {
        guard entry.val >> 63 == 0 else { throw .invalidArgument }
        guard entry.offset <= maxSwpOffset else { throw .outOfRange }
        let p = archSwpEntry(type: entry.type, offset: entry.offset)
        guard !isNone(p) else { throw .invalidArgument }
        return p
    }

    /// `non_swap_entry()`: type ≥ MAX_SWAPFILES.
    @inlinable public func isNonSwapEntry(_ e: SwpEntry) -> Bool { e.type >= maxSwapfiles }

    /// The kind of a value (`pte_none`, `pte_present`, then the entry's type).
    @inlinable @inline(__always) public func kind(of p: Pte) -> PteKind {
        if isNone(p) { return .none }
        if isPresent(p) { return .present }
        return kind(ofSwapType: archSwpType(p))
    }

    // MARK: Swap PTE bits (pte_swp_*)

    /// `pte_swp_exclusive()` and friends: is `flag` set in a swap PTE?
    @inlinable @inline(__always) public func swpTest(_ p: Pte, _ flag: SwpFlags) -> Bool { p.raw & swpBit(of: flag) != 0 }
    /// `pte_swp_mkexclusive()` and friends; identity for a flag the config lacks.
    @inlinable public func swpSet(_ p: Pte, _ flag: SwpFlags) -> Pte { Pte(p.raw | swpBit(of: flag)) }
    /// `pte_swp_clear_exclusive()` and friends.
    @inlinable public func swpClear(_ p: Pte, _ flag: SwpFlags) -> Pte { Pte(p.raw & ~swpBit(of: flag)) }
}
