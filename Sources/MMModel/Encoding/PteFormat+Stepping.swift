/// PFN and swap-offset stepping. Spec encoding §5. The kernel's helpers do no
/// range checks because their callers guarantee them; ours serve arbitrary
/// tools, so each refuses to leave the representable range instead of wrapping.
extension PteFormat {
    /// `pte_advance_pfn()`: the same PTE `nr` frames further. x86-64 subtracts for
    /// an inverted (PROT_NONE) PFN, arm64 rebuilds from PFN and protection; both
    /// amount to replacing the PFN field, which is what this does.
    /// Throws `.invalidArgument` for a non-present value, `.outOfRange` past `maxPfn`.
    @inlinable
    public func advancePfn(_ p: Pte, by nr: UInt64) throws(MMMError) -> Pte {
        guard isPresent(p) else { throw .invalidArgument }
        let (new, overflow) = pfn(p).addingReportingOverflow(nr)
        guard !overflow, new <= maxPfn else { throw .outOfRange }
        return withPfn(p, new)
    }

    /// `pte_next_pfn()`.
    @inlinable
    public func nextPfn(_ p: Pte) throws(MMMError) -> Pte { try advancePfn(p, by: 1) }

    /// `pte_move_swp_offset()` (mm/internal.h, 6.11+): the offset moved by `delta`
    /// slots; type and the exclusive, soft-dirty and uffd-wp bits kept, every other
    /// bit rebuilt. Throws `.invalidArgument` unless `p` is a real swap entry, and
    /// `.outOfRange` when the offset would leave 0...maxSwpOffset or the result
    /// would read as `pte_none`.
    @inlinable @inline(__always)
    public func moveSwpOffset(_ p: Pte, by delta: Int64) throws(MMMError) -> Pte {
        guard isSwapPte(p), archSwpType(p) < maxSwapfiles else { throw .invalidArgument }
        let offset = archSwpOffset(p)            // < 2^50, so it fits an Int64
        let (new, overflow) = Int64(bitPattern: offset).addingReportingOverflow(delta)
        guard !overflow, new >= 0, UInt64(new) <= maxSwpOffset else { throw .outOfRange }
        let moved = Pte(archSwpEntry(type: archSwpType(p), offset: UInt64(new)).raw | (p.raw & swpFlagBits))
        guard !isNone(moved) else { throw .outOfRange }
        return moved
    }

    /// `pte_next_swp_offset()`.
    @inlinable
    public func nextSwpOffset(_ p: Pte) throws(MMMError) -> Pte { try moveSwpOffset(p, by: 1) }
}
