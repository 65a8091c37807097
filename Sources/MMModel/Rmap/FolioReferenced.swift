/// Reclaim's aging walk: `folio_referenced()` / `folio_referenced_one()`
/// (mm/rmap.c). Spec: semantics §5.3, R-REF-WALK-1.

/// What `folioReferenced` found.
public struct FolioReferences: Hashable, Sendable {
    /// Mappings whose accessed bit was set (and is now clear).
    public var referenced = 0
    /// Mappings visited.
    public var mappings = 0
    /// A mapping lies in a VM_LOCKED VMA: the walk stopped there (`VM_LOCKED`
    /// in the kernel's `vm_flags` result; reclaim keeps the folio).
    public var locked = false
    public init() {}
}

extension World {
    /// `folio_referenced()` for the folio containing `pfn`: walks its mappings
    /// and test-and-clears each one's accessed bit, counting those that were
    /// set; a mapping in a VM_LOCKED VMA stops the walk. Nothing else changes
    /// (R-REF-WALK-1: not W, D, soft-dirty, AE or any count). The classic
    /// (non-MGLRU) path: no look-around of neighbouring PTEs.
    ///
    /// Throws `.invalidArgument` when `pfn` is not a frame of an allocated folio.
    /// Context: one thread at a time per world.
    public mutating func folioReferenced(_ pfn: UInt64) throws(MMMError) -> FolioReferences {
        defer { afterOperation() }
        var c = rmapCursor(folio: try folioHead(ofPfn: pfn))
        // Policy cowPteBreakOnYoung: RFC v3's walk broke shared tables here
        // (PVMW_BREAK_COW_PTE); v4 and the review do not (a shared accessed
        // bit reports any sharer's access; reclaim should not allocate).
        if policy.cowPteBreakOnYoung { c.breakCowPte = .referencedWalk }
        var r = FolioReferences()
        while let m = rmapNextBreaking(&c) {
            let vi = processes[m.process].vmaIndex(m.address)
            if let vi, processes[m.process].vmas[vi].flags.contains(.locked) { r.locked = true; break }
            r.mappings += 1
            let pte = m.isPmd ? fmt.pteOfPmd(m.entry) : Pte(m.entry)
            guard fmt.isYoung(pte) else { continue }
            r.referenced += 1
            tables.words[m.slot] = m.isPmd ? fmt.pmdLeaf(fmt.mkold(pte)) : fmt.mkold(pte).raw
        }
        return r
    }
}
