/// `folio_pte_batch()` and `swap_pte_batch()` over a caller's copy of PTEs.
/// Spec encoding §6 (verified for 6.18 and 6.12 in the issue-2 note).

/// Which kernel's `folio_pte_batch()` flags are meant. Raw values are the C
/// `MMM_FPB_API_*` constants.
public enum FpbAPI: UInt32, Sendable {
    /// 6.17+: `FPB_RESPECT_*` / `FPB_MERGE_*`; flags 0 ignore dirty and soft-dirty.
    case v6_17 = 0
    /// 6.10-6.16: `FPB_IGNORE_*`; flags 0 respect dirty and soft-dirty; write is
    /// always ignored; any_writable / any_young / any_dirty are reported.
    case v6_10 = 1
}

/// `fpb_t` flags, with the kernel's values for each API.
public struct FpbFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    // 6.17+
    @inlinable public static var respectDirty: FpbFlags { FpbFlags(rawValue: 0x01) }
    @inlinable public static var respectSoftDirty: FpbFlags { FpbFlags(rawValue: 0x02) }
    @inlinable public static var respectWrite: FpbFlags { FpbFlags(rawValue: 0x04) }
    @inlinable public static var mergeWrite: FpbFlags { FpbFlags(rawValue: 0x08) }
    @inlinable public static var mergeYoungDirty: FpbFlags { FpbFlags(rawValue: 0x10) }
    // 6.10-6.16
    @inlinable public static var ignoreDirty: FpbFlags { FpbFlags(rawValue: 0x01) }
    @inlinable public static var ignoreSoftDirty: FpbFlags { FpbFlags(rawValue: 0x02) }

    /// Every flag the API knows.
    public static func known(for api: FpbAPI) -> FpbFlags {
        api == .v6_17 ? FpbFlags(rawValue: 0x1F) : FpbFlags(rawValue: 0x03)
    }
}

/// What the kernel's caller passes besides the PTEs.
public struct FpbArgs: Sendable {
    public var api: FpbAPI
    public var flags: FpbFlags
    /// Index of the first PTE within its page table (0..511).
    public var tableIndex: Int
    public var folioPfn: UInt64
    public var folioNrPages: UInt64
    /// The caller's bound (VMA end), at least 1.
    public var maxNr: Int

    public init(api: FpbAPI = .v6_17, flags: FpbFlags = [], tableIndex: Int = 0,
                folioPfn: UInt64, folioNrPages: UInt64, maxNr: Int) {
        self.api = api; self.flags = flags; self.tableIndex = tableIndex
        self.folioPfn = folioPfn; self.folioNrPages = folioNrPages; self.maxNr = maxNr
    }
}

public struct FpbResult: Hashable, Sendable {
    /// The batch length, at least 1.
    public var nr: Int
    /// The first PTE after the 6.17 MERGE flags; the first PTE otherwise.
    public var pte: Pte
    public var anyWritable = false
    public var anyYoung = false
    public var anyDirty = false
}

extension PteFormat {
    /// `__pte_batch_clear_ignored()`: what the comparison ignores.
    @inlinable @inline(__always)
    func batchNormalise(_ p: Pte, _ api: FpbAPI, _ flags: FpbFlags) -> Pte {
        var p = p
        switch api {
        case .v6_17:
            if !flags.contains(.respectDirty) { p = mkclean(p) }
            if !flags.contains(.respectSoftDirty) { p = clearSoftDirty(p) }
            if !flags.contains(.respectWrite) { p = wrprotect(p) }
        case .v6_10:
            if flags.contains(.ignoreDirty) { p = mkclean(p) }
            if flags.contains(.ignoreSoftDirty) { p = clearSoftDirty(p) }
            p = wrprotect(p)
        }
        return mkold(p)
    }

    /// `pte_batch_hint()`: arm64 skips to the end of a valid contiguous block;
    /// 1 everywhere else.
    @inlinable
    func batchHint(_ p: Pte, index: Int) -> Int {
        guard arch == .arm64, p.raw & Arm64.valid != 0, p.raw & Arm64.cont != 0 else { return 1 }
        return contPtes - (index & (contPtes - 1))
    }

    /// Raw PTE plus `nr` frames, as the kernel's unchecked `pte_advance_pfn()`
    /// does; only used for values the loop bound keeps inside the folio.
    @inlinable
    func advanceUnchecked(_ p: Pte, _ nr: Int) -> Pte {
        let delta = UInt64(truncatingIfNeeded: nr) &<< 12
        return Pte(invertMask(p.raw) != 0 ? p.raw &- delta : p.raw &+ delta)
    }

    /// `folio_pte_batch_flags()` (6.17+) / `folio_pte_batch()` (6.10-6.16).
    ///
    /// `ptes` holds the entries from the first one on, as `ptep_get()` returns them.
    /// Stops at the first entry that differs from the expected one after
    /// normalisation, at the folio end (clamped before the loop, 6.15+), at
    /// `maxNr` and at the page-table end. Throws `.invalidArgument` when the
    /// arguments break the kernel's preconditions, `.outOfRange` when the folio's
    /// PFN range does not fit.
    public func folioPteBatch(_ ptes: UnsafeBufferPointer<UInt64>, _ a: FpbArgs) throws(MMMError) -> FpbResult {
        guard a.maxNr >= 1, a.maxNr <= ptes.count, a.tableIndex >= 0, a.tableIndex < PteFormat.ptesPerTable,
              a.folioNrPages >= 1, a.flags.isSubset(of: FpbFlags.known(for: a.api)) else { throw .invalidArgument }
        let (folioEnd, overflow) = a.folioPfn.addingReportingOverflow(a.folioNrPages)
        guard !overflow, folioEnd - 1 <= maxPfn else { throw .outOfRange }
        let first = Pte(ptes[0])
        guard isPresent(first) else { throw .invalidArgument }
        let firstPfn = pfn(first)
        guard firstPfn >= a.folioPfn, firstPfn < folioEnd else { throw .invalidArgument }
        return folioPteBatchUnchecked(ptes, a, first: first, firstPfn: firstPfn, folioEnd: folioEnd)
    }

    /// The loop of `folioPteBatch` once its arguments are known to be valid.
    func folioPteBatchUnchecked(_ ptes: UnsafeBufferPointer<UInt64>, _ a: FpbArgs,
                                first: Pte, firstPfn: UInt64, folioEnd: UInt64) -> FpbResult {
        // One copy of the loop per arch and API, so the per-entry rules fold.
        switch arch {
        case .x86_64:
            return a.api == .v6_17 ? folioPteBatchLoop(ptes, a, .v6_17, first: first, firstPfn: firstPfn, folioEnd: folioEnd)
                                   : folioPteBatchLoop(ptes, a, .v6_10, first: first, firstPfn: firstPfn, folioEnd: folioEnd)
        case .arm64:
            return a.api == .v6_17 ? folioPteBatchLoop(ptes, a, .v6_17, first: first, firstPfn: firstPfn, folioEnd: folioEnd)
                                   : folioPteBatchLoop(ptes, a, .v6_10, first: first, firstPfn: firstPfn, folioEnd: folioEnd)
        }
    }

    @inline(__always)
    func folioPteBatchLoop(_ ptes: UnsafeBufferPointer<UInt64>, _ a: FpbArgs, _ api: FpbAPI,
                           first: Pte, firstPfn: UInt64, folioEnd: UInt64) -> FpbResult {
        var a = a
        a.api = api
        let toFolioEnd = folioEnd - firstPfn
        let toTableEnd = PteFormat.ptesPerTable - a.tableIndex
        var maxNr = min(a.maxNr, toTableEnd)
        if toFolioEnd < UInt64(maxNr) { maxNr = Int(toFolioEnd) }

        let merging = a.api == .v6_10 || !a.flags.isDisjoint(with: [.mergeWrite, .mergeYoungDirty])
        var res = FpbResult(nr: 1, pte: first)
        var nr = batchHint(first, index: a.tableIndex)
        var expected = batchNormalise(advanceUnchecked(first, nr), a.api, a.flags)
        while nr < maxNr {
            let cur = Pte(ptes[nr])
            if batchNormalise(cur, a.api, a.flags) != expected { break }
            if merging {
                res.anyWritable = res.anyWritable || isWrite(cur)
                res.anyYoung = res.anyYoung || isYoung(cur)
                res.anyDirty = res.anyDirty || isDirty(cur)
            }
            let step = batchHint(cur, index: a.tableIndex &+ nr)
            expected = advanceUnchecked(expected, step)
            nr &+= step
        }
        res.nr = min(nr, maxNr)
        if a.api == .v6_17 {
            if !a.flags.contains(.mergeWrite) { res.anyWritable = false }
            if !a.flags.contains(.mergeYoungDirty) { res.anyYoung = false; res.anyDirty = false }
            if res.anyWritable { res.pte = mkwrite(res.pte) }
            if res.anyYoung { res.pte = mkyoung(res.pte) }
            if res.anyDirty { res.pte = mkdirty(res.pte) }
        }
        return res
    }

    /// `swap_pte_batch()` (mm/internal.h, 6.10+): entries that are exactly the
    /// previous one with the offset moved by +1 (raw equality, so same type and
    /// identical exclusive / soft-dirty / uffd-wp bits). The swap-cgroup check
    /// reads 0 for every entry with memcg off, so it never stops a batch here.
    /// Throws `.invalidArgument` unless `1 <= maxNr <= ptes.count` and the first
    /// entry is a real swap PTE.
    public func swapPteBatch(_ ptes: UnsafeBufferPointer<UInt64>, maxNr: Int) throws(MMMError) -> Int {
        guard maxNr >= 1, maxNr <= ptes.count else { throw .invalidArgument }
        let first = Pte(ptes[0])
        guard isSwapPte(first), archSwpType(first) < maxSwapfiles else { throw .invalidArgument }
        return swapPteBatchUnchecked(ptes, maxNr: maxNr, first: first)
    }

    func swapPteBatchUnchecked(_ ptes: UnsafeBufferPointer<UInt64>, maxNr: Int, first: Pte) -> Int {
        // pte_next_swp_offset() keeps the type and the three swap flags and
        // rebuilds the rest, so take them apart once and step the offset.
        let type = archSwpType(first)
        let kept = first.raw & swpFlagBits
        var offset = archSwpOffset(first)
        var nr = 1
        while nr < maxNr {
            // An offset at the arch maximum has no successor that the kernel's
            // callers could see; the batch ends there.
            guard offset < maxSwpOffset else { break }
            offset += 1
            let next = archSwpEntry(type: type, offset: offset).raw | kept
            guard !isNone(Pte(next)), ptes[nr] == next else { break }
            nr += 1
        }
        return nr
    }
}
