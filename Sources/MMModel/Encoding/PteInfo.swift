/// A PTE value taken apart: the Swift twin of `struct mmm_pte_info`.
///
/// For every value `v` whose decode has `stray == 0`, `encode(decode(v)) == v`.
public struct PteInfo: Hashable, Sendable {
    public var kind: PteKind = .none
    /// `present`: the named bits.
    public var pteFlags: PteFlags = []
    /// Non-present kinds: the swap PTE bits and migration young / dirty.
    public var swpFlags: SwpFlags = []
    /// `present` and PFN-carrying kinds: the page frame number.
    public var pfn: UInt64 = 0
    /// Non-present kinds: the entry's offset (PFN-carrying: PFN and migration bits).
    public var swpOffset: UInt64 = 0
    /// Non-present kinds: the swap type.
    public var swpType: UInt32 = 0
    /// `marker`: the marker bits.
    public var marker: PteMarker = []
    /// `present`: every other bit, in PTE position.
    public var attrs: UInt64 = 0
    /// Decode only: what the kernel's predicates answer.
    public var preds: PtePreds = []
    /// Decode only: bits the kernel never sets in an entry of this kind.
    public var stray: UInt64 = 0

    public init() {}
    public init(kind: PteKind) { self.kind = kind }
}

extension PteFormat {
    /// Every bit of a present PTE that no `PteFlags` names and that is not the
    /// PFN: x86-64 PWT, PCD, PAT, global (with P), bits 52-57, protection keys;
    /// arm64 type bit, AttrIndx, NS, SH, nG (with VALID), bits 48-50, PXN, 57, 59-63.
    func attrsMask(valid: Bool) -> UInt64 {
        ~(presentFlags(valid ? 1 : 0).named | pfnMask)
    }

    /// The `PteFlags` of a present value and the PTE bits they name (the
    /// protnone bit only when VALID is clear), without branching on the value.
    @inline(__always)
    func presentFlags(_ v: UInt64) -> (flags: UInt64, named: UInt64) {
        @inline(__always) func move(_ from: UInt64, _ to: PteFlags) -> UInt64 { ((v >> from) & 1) &* to.rawValue }
        let sd = config.contains(.softDirty), uffd = config.contains(.uffdWp)
        var f: UInt64, named: UInt64
        switch arch {
        case .x86_64:
            f = move(0, .valid) | move(1, .write) | move(2, .user) | move(5, .young) | move(6, .dirty)
                | move(58, .savedDirty) | move(9, .special) | move(63, .nx)
                | (sd ? move(11, .softDirty) : 0) | (uffd ? move(10, .uffdWp) : 0)
            named = X86.present | X86.rw | X86.user | X86.accessed | X86.dirty | X86.savedDirty
                | X86.special | X86.nx | (sd ? X86.softDirty : 0) | (uffd ? X86.uffdWp : 0)
        case .arm64:
            f = move(0, .valid) | move(51, .write) | move(6, .user) | move(10, .young) | move(55, .dirty)
                | move(7, .rdonly) | move(56, .special) | move(54, .nx) | move(52, .cont)
                | (uffd ? move(58, .uffdWp) : 0)
            named = Arm64.valid | Arm64.write | Arm64.user | Arm64.af | Arm64.dirty | Arm64.rdonly
                | Arm64.special | Arm64.uxn | Arm64.cont | (uffd ? Arm64.uffdWp : 0)
        }
        // P / VALID clear: the protnone bit is a flag, not an attribute.
        let invalid = (v & 1) ^ 1
        f |= invalid &* PteFlags.protnone.rawValue
        named |= invalid &* bit(of: .protnone)
        return (f, named)
    }

    /// Takes any value apart. Spec encoding §1, §2, §3, §4.
    public func decode(_ p: Pte) -> PteInfo {
        var info = PteInfo(kind: kind(of: p))
        info.preds = predicates(p)
        switch info.kind {
        case .none:
            info.stray = p.raw
        case .present:
            let (flags, named) = presentFlags(p.raw)
            info.pteFlags = PteFlags(rawValue: flags)
            info.pfn = pfn(p)
            info.attrs = p.raw & ~(named | pfnMask)
        default:
            if swpTest(p, .exclusive) { info.swpFlags.insert(.exclusive) }
            if swpTest(p, .softDirty) { info.swpFlags.insert(.softDirty) }
            if swpTest(p, .uffdWp) { info.swpFlags.insert(.uffdWp) }
            info.swpType = archSwpType(p)
            info.swpOffset = archSwpOffset(p)
            info.stray = p.raw & swpStrayMask
            decodeOffset(&info)
        }
        return info
    }

    /// Splits the offset of a non-swap entry into PFN, migration bits or marker
    /// bits; what remains is stray (spec encoding §4.3).
    func decodeOffset(_ info: inout PteInfo) {
        let pfnMaskOff = (UInt64(1) << swpPfnBits) - 1
        let off = info.swpOffset
        var rest: UInt64 = 0
        if info.kind.carriesPfn {
            info.pfn = off & pfnMaskOff
            rest = off & ~pfnMaskOff
            if info.kind.isMigration {
                if rest & (1 << swpPfnBits) != 0 { info.swpFlags.insert(.migYoung) }
                if rest & (1 << (swpPfnBits + 1)) != 0 { info.swpFlags.insert(.migDirty) }
                rest &= ~(UInt64(3) << swpPfnBits)
            }
        } else if info.kind == .marker {
            info.marker = PteMarker(rawValue: UInt32(off & UInt64(PteMarker.all.rawValue)))
            rest = off & ~UInt64(PteMarker.all.rawValue)
        }
        // Offset bits that are not part of the entry, placed back in PTE position.
        if rest != 0 { info.stray |= archSwpEntry(type: 0, offset: rest).raw ^ archSwpEntry(type: 0, offset: 0).raw }
    }

    /// What the kernel's predicates answer for `p`.
    @inline(__always)
    public func predicates(_ p: Pte) -> PtePreds {
        var r: PtePreds = []
        if isNone(p) { r.insert(.none); return r }
        if isPresent(p) {
            r.insert(.present)
            if isProtnone(p) { r.insert(.protnone) }
            if isWrite(p) { r.insert(.write) }
            if isDirty(p) { r.insert(.dirty) }
            if isYoung(p) { r.insert(.young) }
            if isSoftDirty(p) { r.insert(.softDirty) }
            if isUffdWp(p) { r.insert(.uffdWp) }
            if isSpecial(p) { r.insert(.special) }
            return r
        }
        r.insert(.swapPte)
        if isNonSwapEntry(swpEntry(p)) { r.insert(.nonSwap) }
        if swpTest(p, .exclusive) { r.insert(.exclusive) }
        if swpTest(p, .softDirty) { r.insert(.softDirty) }
        if swpTest(p, .uffdWp) { r.insert(.uffdWp) }
        return r
    }

    /// Builds a value from its parts; refuses anything the kernel could not
    /// build (spec encoding §9: collisions with none, truncation, spill).
    public func encode(_ info: PteInfo) throws(MMMError) -> Pte {
        guard info.stray == 0 else { throw .invalidArgument }
        switch info.kind {
        case .none:
            guard info.pteFlags.isEmpty, info.swpFlags.isEmpty, info.pfn == 0, info.swpOffset == 0,
                  info.swpType == 0, info.marker.isEmpty, info.attrs == 0 else { throw .invalidArgument }
            return Pte(0)
        case .present:
            return try encodePresent(info)
        default:
            return try encodeNonPresent(info)
        }
    }

    func encodePresent(_ info: PteInfo) throws(MMMError) -> Pte {
        let flags = info.pteFlags
        guard flags.isSubset(of: supportedPteFlags), info.swpFlags.isEmpty, info.marker.isEmpty,
              info.swpOffset == 0, info.swpType == 0 else { throw .invalidArgument }
        let valid = flags.contains(.valid)
        // Present to Linux needs P/VALID or the PROT_NONE bit, and not both: with
        // P set that bit is "global" (x86) / "nG" (arm64), an attribute.
        guard valid != flags.contains(.protnone) else { throw .invalidArgument }
        guard info.attrs & ~attrsMask(valid: valid) == 0 else { throw .invalidArgument }
        guard info.pfn <= maxPfn else { throw .outOfRange }
        var v = info.attrs
        for (flag, _) in PteFlags.named where flags.contains(flag) { v |= bit(of: flag) }
        let p = withPfn(Pte(v), info.pfn)
        guard kind(of: p) == .present else { throw .invalidArgument }
        return p
    }

    func encodeNonPresent(_ info: PteInfo) throws(MMMError) -> Pte {
        guard info.pteFlags.isEmpty, info.attrs == 0,
              info.swpFlags.isSubset(of: supportedSwpFlags) else { throw .invalidArgument }
        if !info.kind.isMigration, !info.swpFlags.isDisjoint(with: [.migYoung, .migDirty]) {
            throw .invalidArgument
        }
        if info.kind != .marker, !info.marker.isEmpty { throw .invalidArgument }
        var type: UInt32
        var offset: UInt64
        switch info.kind {
        case .swap:
            guard info.pfn == 0 else { throw .invalidArgument }
            guard info.swpType < maxSwapfiles, info.swpOffset <= maxSwpOffset else { throw .outOfRange }
            type = info.swpType
            offset = info.swpOffset
        case .marker:
            guard let t = swapType(of: .marker) else { throw .invalidArgument }
            // A marker always has a bit: mm/memory.c handle_pte_marker() WARNs on an empty one.
            guard info.pfn == 0, !info.marker.isEmpty, info.marker.isSubset(of: .all) else { throw .invalidArgument }
            type = t
            offset = UInt64(info.marker.rawValue)
        default:
            guard let t = swapType(of: info.kind) else { throw .invalidArgument }
            guard info.pfn < (UInt64(1) << swpPfnBits) else { throw .outOfRange }
            type = t
            offset = info.pfn
            if info.swpFlags.contains(.migYoung) { offset |= 1 << swpPfnBits }
            if info.swpFlags.contains(.migDirty) { offset |= 1 << (swpPfnBits + 1) }
        }
        // For non-swap kinds the caller may leave type / offset 0 or give them
        // consistently; anything else is a contradiction.
        if info.kind != .swap {
            guard info.swpType == 0 || info.swpType == type,
                  info.swpOffset == 0 || info.swpOffset == offset else { throw .invalidArgument }
        }
        var v = archSwpEntry(type: type, offset: offset).raw
        for (flag, _) in SwpFlags.named where info.swpFlags.contains(flag) { v |= swpBit(of: flag) }
        let p = Pte(v)
        guard !isNone(p) else { throw .invalidArgument }
        return p
    }
}
