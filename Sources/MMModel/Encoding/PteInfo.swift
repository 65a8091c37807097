/// A PTE value taken apart: the Swift twin of `struct mmm_pte_info`.
///
/// For every value `v` whose decode has `stray == 0`, `encode(decode(v)) == v`.
public struct PteInfo: Hashable, Sendable {
    public var kind: PteKind
    /// `present`: the named bits.
    public var pteFlags: PteFlags
    /// Non-present kinds: the swap PTE bits and migration young / dirty.
    public var swpFlags: SwpFlags
    /// `present` and PFN-carrying kinds: the page frame number.
    public var pfn: UInt64
    /// Non-present kinds: the entry's offset (PFN-carrying: PFN and migration bits).
    public var swpOffset: UInt64
    /// Non-present kinds: the swap type.
    public var swpType: UInt32
    /// `marker`: the marker bits.
    public var marker: PteMarker
    /// `present`: every other bit, in PTE position.
    public var attrs: UInt64
    /// Decode only: what the kernel's predicates answer.
    public var preds: PtePreds
    /// Decode only: bits the kernel never sets in an entry of this kind.
    public var stray: UInt64

    /// Every field zero (an explicit body, so the C wrapper inlines it).
    @inlinable public init(kind: PteKind = .none) {
        self.kind = kind
        pteFlags = PteFlags(rawValue: 0)
        swpFlags = SwpFlags(rawValue: 0)
        pfn = 0
        swpOffset = 0
        swpType = 0
        marker = PteMarker(rawValue: 0)
        attrs = 0
        preds = PtePreds(rawValue: 0)
        stray = 0
    }
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
    @inlinable @inline(__always)
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

    /// Takes any value apart. Spec encoding §1, §2, §3, §4. Inlined into the C
    /// wrapper: each kind computes its fields and the kernel's predicates once.
    @inlinable @inline(__always)
    public func decode(_ p: Pte) -> PteInfo {
        var info = PteInfo()
        let v = p.raw
        if isNone(p) {
            info.preds = .none
            info.stray = v
            return info
        }
        if isPresent(p) {
            info.kind = .present
            let (flags, named) = presentFlags(v)
            info.pteFlags = PteFlags(rawValue: flags)
            info.pfn = pfn(p)
            info.attrs = v & ~(named | pfnMask)
            info.preds = presentPredicates(p)
            return info
        }
        let type = archSwpType(p)
        info.kind = kind(ofSwapType: type)
        info.swpType = type
        info.swpOffset = archSwpOffset(p)
        info.stray = v & swpStrayMask
        var r: PtePreds = .swapPte
        if type >= maxSwapfiles { r.insert(.nonSwap) }
        if swpTest(p, .exclusive) { info.swpFlags.insert(.exclusive); r.insert(.exclusive) }
        if swpTest(p, .softDirty) { info.swpFlags.insert(.softDirty); r.insert(.softDirty) }
        if swpTest(p, .uffdWp) { info.swpFlags.insert(.uffdWp); r.insert(.uffdWp) }
        info.preds = r
        if info.kind != .swap { decodeOffset(&info) }
        return info
    }

    /// Splits the offset of a non-swap entry into PFN, migration bits or marker
    /// bits; what remains is stray (spec encoding §4.3).
    @usableFromInline
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

    /// The predicates of a present value (`pte_present()` is true).
    /// Branch-free per arch: the same answers as `isProtnone`, `isWrite`,
    /// `isDirty`, `isYoung`, `isSoftDirty`, `isUffdWp` and `isSpecial` (the
    /// property tests compare them), computed as bit moves for the C wrapper.
    @inlinable @inline(__always)
    func presentPredicates(_ p: Pte) -> PtePreds {
        let v = p.raw
        @inline(__always) func b(_ bit: UInt64, _ pred: PtePreds) -> UInt32 {
            (v & bit) != 0 ? pred.rawValue : 0
        }
        var r = PtePreds.present.rawValue
        switch arch {
        case .x86_64:
            if v & (X86.present | X86.protnone) == X86.protnone { r |= PtePreds.protnone.rawValue }
            r |= b(X86.rw, .write) | b(X86.dirty | X86.savedDirty, .dirty) | b(X86.accessed, .young)
                | b(X86.special, .special)
            if config.contains(.softDirty) { r |= b(X86.softDirty, .softDirty) }
            if config.contains(.uffdWp) { r |= b(X86.uffdWp, .uffdWp) }
        case .arm64:
            if v & (Arm64.valid | Arm64.ng) == Arm64.ng && v & Arm64.user == 0 && v & Arm64.uxn != 0 {
                r |= PtePreds.protnone.rawValue
            }
            let hwDirty = v & Arm64.write != 0 && v & Arm64.rdonly == 0
            r |= b(Arm64.write, .write) | (hwDirty ? PtePreds.dirty.rawValue : b(Arm64.dirty, .dirty))
                | b(Arm64.af, .young) | b(Arm64.special, .special)
            if config.contains(.uffdWp) { r |= b(Arm64.uffdWp, .uffdWp) }
        }
        return PtePreds(rawValue: r)
    }

    /// What the kernel's predicates answer for `p`.
    @inline(__always)
    public func predicates(_ p: Pte) -> PtePreds {
        var r: PtePreds = []
        if isNone(p) { r.insert(.none); return r }
        if isPresent(p) { return presentPredicates(p) }
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
        do { return try encodeExplained(info) } catch { throw error.error }
    }

    /// `encode`, with a few words on why a value is refused.
    public func encodeExplained(_ info: PteInfo) throws(EncodeRefusal) -> Pte {
        guard info.stray == 0 else { throw .inval("stray bits are reported by decode only; encode needs stray=0") }
        switch info.kind {
        case .none:
            var bare = info
            bare.preds = []                                       // decode-only, ignored
            guard bare == PteInfo(kind: .none) else { throw .inval("none takes no fields") }
            return Pte(0)
        case .present:
            return try encodePresent(info)
        default:
            return try encodeNonPresent(info)
        }
    }

    func encodePresent(_ info: PteInfo) throws(EncodeRefusal) -> Pte {
        let flags = info.pteFlags
        for (flag, name) in PteFlags.named where flags.contains(flag) && !supportedPteFlags.contains(flag) {
            throw .inval("\(name) does not exist on \(arch) with this configuration")
        }
        guard info.swpFlags.isEmpty, info.marker.isEmpty, info.swpOffset == 0, info.swpType == 0 else {
            throw .inval("type, offset, marker and swap-only flags do not apply to a present PTE")
        }
        let valid = flags.contains(.valid)
        // Present to Linux needs P/VALID or the PROT_NONE bit, and not both: with
        // P set that bit is "global" (x86) / "nG" (arm64), an attribute.
        guard valid != flags.contains(.protnone) else {
            throw .inval(valid ? "present and protnone exclude each other (with the valid bit set that bit is an attribute)"
                               : "a present PTE needs present or protnone")
        }
        let bad = info.attrs & ~attrsMask(valid: valid)
        guard bad == 0 else { throw .inval("attrs bits " + hex0x(bad) + " are named flags or the PFN") }
        guard info.pfn <= maxPfn else { throw EncodeRefusal(.outOfRange, "pfn is above the largest PFN " + hex0x(maxPfn)) }
        var v = info.attrs
        for (flag, _) in PteFlags.named where flags.contains(flag) { v |= bit(of: flag) }
        let p = withPfn(Pte(v), info.pfn)
        guard kind(of: p) == .present else { throw .inval("the value would not read as present") }
        return p
    }

    func encodeNonPresent(_ info: PteInfo) throws(EncodeRefusal) -> Pte {
        guard info.pteFlags.isEmpty, info.attrs == 0 else {
            throw .inval("present-only flags and attrs do not apply to a \(info.kind.name) entry")
        }
        for (flag, name) in SwpFlags.named where info.swpFlags.contains(flag) && !supportedSwpFlags.contains(flag) {
            throw .inval("\(name) does not exist on \(arch) with this configuration")
        }
        if !info.kind.isMigration, !info.swpFlags.isDisjoint(with: [.migYoung, .migDirty]) {
            throw .inval("mig_young and mig_dirty belong to migration entries only")
        }
        if info.kind != .marker, !info.marker.isEmpty { throw .inval("marker bits belong to marker entries only") }
        var type: UInt32
        var offset: UInt64
        switch info.kind {
        case .swap:
            guard info.pfn == 0 else { throw .inval("a swap entry has no pfn (give offset=)") }
            guard info.swpType < maxSwapfiles else {
                throw EncodeRefusal(.outOfRange, "type \(info.swpType) is not below MAX_SWAPFILES (\(maxSwapfiles))")
            }
            guard info.swpOffset <= maxSwpOffset else { throw EncodeRefusal(.outOfRange, "offset is above 2^50 - 1") }
            type = info.swpType
            offset = info.swpOffset
        case .marker:
            guard let t = swapType(of: .marker) else { throw .inval("markers do not exist in this configuration") }
            guard info.pfn == 0 else { throw .inval("a marker entry has no pfn") }
            // A marker always has a bit: mm/memory.c handle_pte_marker() WARNs on an empty one.
            guard !info.marker.isEmpty else { throw .inval("a PTE marker needs at least one marker bit") }
            guard info.marker.isSubset(of: .all) else { throw .inval("unknown marker bits") }
            type = t
            offset = UInt64(info.marker.rawValue)
        default:
            guard let t = swapType(of: info.kind) else {
                throw .inval("\(info.kind.name) entries do not exist in this configuration")
            }
            guard info.pfn < (UInt64(1) << swpPfnBits) else {
                throw EncodeRefusal(.outOfRange, "pfn does not fit in SWP_PFN_BITS (\(swpPfnBits))")
            }
            type = t
            offset = info.pfn
            if info.swpFlags.contains(.migYoung) { offset |= 1 << swpPfnBits }
            if info.swpFlags.contains(.migDirty) { offset |= 1 << (swpPfnBits + 1) }
        }
        // For non-swap kinds the caller may leave type / offset 0 or give them
        // consistently; anything else is a contradiction.
        if info.kind != .swap {
            guard info.swpType == 0 || info.swpType == type else {
                throw .inval("type=\(info.swpType) contradicts \(info.kind.name) (type \(type))")
            }
            guard info.swpOffset == 0 || info.swpOffset == offset else {
                throw .inval("offset=" + hex0x(info.swpOffset) + " contradicts the entry's offset " + hex0x(offset))
            }
        }
        var v = archSwpEntry(type: type, offset: offset).raw
        for (flag, _) in SwpFlags.named where info.swpFlags.contains(flag) { v |= swpBit(of: flag) }
        let p = Pte(v)
        guard !isNone(p) else { throw .inval("would read as pte_none") }
        return p
    }
}

/// Why `PteFormat.encode` refuses a value: the error the C interface returns
/// and a few words for people.
public struct EncodeRefusal: Error, Hashable, Sendable {
    public let error: MMMError
    public let reason: String
    public init(_ error: MMMError, _ reason: String) { self.error = error; self.reason = reason }
    static func inval(_ reason: String) -> EncodeRefusal { EncodeRefusal(.invalidArgument, reason) }
}
