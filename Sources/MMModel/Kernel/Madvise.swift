/// madvise for private anonymous memory (mm/madvise.c). Spec: semantics §2.1,
/// §4.1 item 4, §3.8.
public enum MadviseAdvice: UInt32, Sendable, CaseIterable {
    case dontneed = 4, pageout = 21, cold = 20, hugepage = 14, nohugepage = 15
    case dontfork = 10, dofork = 11, wipeonfork = 18, keeponfork = 19
    case populateRead = 22, populateWrite = 23
}

extension World {
    /// Applies `advice` to [addr, addr + len) of `pid`. Throws `.fault` when
    /// part of the range is unmapped (ENOMEM in the kernel; reported as a
    /// SIGSEGV-like result here, nothing changed).
    public mutating func madvise(_ pid: Int32, _ addr: UInt64, _ len: UInt64, _ advice: MadviseAdvice) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        try checkMapped(p, start, end)
        switch advice {
        case .dontneed: zapRange(p, start, end)
        case .pageout: _ = try pageout(pid, start, end - start)
        case .cold: markOld(p, start, end)
        case .populateRead: try populate(pid, start, end - start, write: false)
        case .populateWrite: try populate(pid, start, end - start, write: true)
        case .hugepage: setVmaFlags(p, start, end, set: .hugepage, clear: .noHugepage)
        case .nohugepage: setVmaFlags(p, start, end, set: .noHugepage, clear: .hugepage)
        case .dontfork: setVmaFlags(p, start, end, set: .dontCopy, clear: [])
        case .dofork: setVmaFlags(p, start, end, set: [], clear: .dontCopy)
        case .wipeonfork: setVmaFlags(p, start, end, set: .wipeOnFork, clear: [])
        case .keeponfork: setVmaFlags(p, start, end, set: [], clear: .wipeOnFork)
        }
    }

    mutating func setVmaFlags(_ p: Int, _ start: UInt64, _ end: UInt64, set: VMFlags, clear: VMFlags) {
        splitVmas(p, start, end)
        for i in vmasIn(p, start, end) {
            processes[p].vmas[i].flags.subtract(clear)
            processes[p].vmas[i].flags.formUnion(set)
        }
    }

    /// MADV_COLD's visible effect on PTEs: the accessed bits are cleared.
    mutating func markOld(_ p: Int, _ start: UInt64, _ end: UInt64) {
        var a = start
        while a < end {
            if let s = pteSlot(p, a), fmt.isPresent(Pte(tables.words[s])) {
                tables.words[s] = fmt.mkold(Pte(tables.words[s])).raw
            }
            a += VA.pageSize
        }
    }
}
