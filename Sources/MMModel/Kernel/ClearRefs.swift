/// `echo 4 > /proc/PID/clear_refs` (CLEAR_REFS_SOFT_DIRTY, fs/proc/task_mmu.c
/// `clear_refs_write`, `clear_soft_dirty`, `clear_soft_dirty_pmd`). Spec:
/// semantics §6.1.
extension World {
    /// Starts soft-dirty tracking of every VMA of `pid`: VM_SOFTDIRTY cleared;
    /// every present PTE (and PMD leaf) write-protected with its soft-dirty bit
    /// cleared, except a maybe-pinned page in a COW VMA of an MM with
    /// MMF_HAS_PINNED (`pte_is_pinned`, 9348b73c2e1b); every swap PTE loses its
    /// soft-dirty bit. Without CONFIG_MEM_SOFT_DIRTY (the format's config lacks
    /// `.softDirty`) VM_SOFTDIRTY is 0 and the walk is a stub: nothing changes.
    public mutating func clearRefsSoftDirty(_ pid: Int32) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        guard fmt.config.contains(.softDirty) else { return }
        for vi in processes[p].vmas.indices {
            processes[p].vmas[vi].flags.remove(.softDirty)
            let v = processes[p].vmas[vi]
            var a = v.start
            while a < v.end {
                if let ps = pmdSlot(p, a), fmt.pmdIsLeaf(tables.words[ps]) {
                    let pte = fmt.pteOfPmd(tables.words[ps])
                    if !softDirtyPinned(p, v, pte) {
                        tables.words[ps] = fmt.pmdLeaf(fmt.clearSoftDirty(fmt.wrprotect(pte)))
                    }
                    a = (a & ~(VA.pmdSize - 1)) + VA.pmdSize
                    continue
                }
                if var s = pteSlot(p, a) {
                    let pte = Pte(tables.words[s])
                    if !fmt.isNone(pte) { s = writableSlot(p, a, s, .clearRefs) }
                    if fmt.isPresent(pte) {
                        if !softDirtyPinned(p, v, pte) { tables.words[s] = fmt.clearSoftDirty(fmt.wrprotect(pte)).raw }
                    } else if !fmt.isNone(pte) {
                        tables.words[s] = fmt.swpClear(pte, .softDirty).raw
                    }
                }
                a += VA.pageSize
            }
        }
    }

    /// `pte_is_pinned()`: MMF_HAS_PINNED, a COW mapping, a maybe-pinned page.
    func softDirtyPinned(_ p: Int, _ v: VMA, _ pte: Pte) -> Bool {
        guard processes[p].hasPinned, v.isCow, let f = normalFrame(pte) else { return false }
        return maybePinned(frames.head(f))
    }
}
