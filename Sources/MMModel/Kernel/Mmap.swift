/// Address-space layout: `mmap` of private anonymous memory, `munmap`, and the
/// VMA splitting other range operations share. Spec: semantics §0.3, §2.1.
extension World {
    /// Lowest address `mmap` hands out without a hint.
    static let mmapBase: UInt64 = 0x7F00_0000_0000

    /// Maps `len` bytes of private anonymous memory readable (and writable with
    /// `write`). With a non-zero `hint` the mapping goes exactly there and
    /// must not overlap (MAP_FIXED_NOREPLACE); otherwise at the lowest free
    /// address from `mmapBase` aligned to `align` (0: 2 MiB for lengths of at
    /// least 2 MiB, as the kernel's THP alignment of anonymous mappings, else 4 KiB).
    public mutating func mmap(_ pid: Int32, length len: UInt64, hint: UInt64 = 0, align: UInt64 = 0,
                              read: Bool = true, write: Bool = true) throws(MMMError) -> UInt64 {
        defer { afterOperation() }
        let p = try checkPid(pid)
        guard len > 0, len <= VA.userTop else { throw .invalidArgument }
        let size = (len + VA.pageSize - 1) & ~(VA.pageSize - 1)
        var a = align == 0 ? (size >= VA.pmdSize ? VA.pmdSize : VA.pageSize) : align
        guard a & (a - 1) == 0, a >= VA.pageSize, a <= 1 << 40 else { throw .invalidArgument }
        var start: UInt64
        if hint != 0 {
            guard hint & (VA.pageSize - 1) == 0, hint < VA.userTop, size <= VA.userTop - hint else { throw .invalidArgument }
            guard isFree(p, hint, size) else { throw .busy }
            start = hint
        } else {
            start = World.mmapBase
            while true {
                start = (start + a - 1) & ~(a - 1)
                guard start < VA.userTop, size <= VA.userTop - start else { throw .noMemory }
                if let overlap = processes[p].vmas.first(where: { $0.start < start + size && $0.end > start }) {
                    start = overlap.end
                } else { break }
            }
            a = 0
        }
        var flags: VMFlags = [.mayWrite, .softDirty]
        if read { flags.insert(.read) }
        if write { flags.insert(.write) }
        let vma = VMA(start: start, end: start + size, flags: flags, hasAnonVma: false)
        let at = processes[p].vmas.firstIndex(where: { $0.start > start }) ?? processes[p].vmas.count
        processes[p].vmas.insert(vma, at: at)
        return start
    }

    func isFree(_ p: Int, _ start: UInt64, _ size: UInt64) -> Bool {
        !processes[p].vmas.contains { $0.start < start + size && $0.end > start }
    }

    /// Validates a page-aligned range and returns it page-rounded.
    func checkRange(_ addr: UInt64, _ len: UInt64) throws(MMMError) -> (UInt64, UInt64) {
        guard addr & (VA.pageSize - 1) == 0, len > 0, addr < VA.userTop, len <= VA.userTop - addr else {
            throw .invalidArgument
        }
        return (addr, addr + ((len + VA.pageSize - 1) & ~(VA.pageSize - 1)))
    }

    /// Throws `.fault` unless VMAs cover every page of [start, end) (the
    /// kernel's -ENOMEM for madvise and mprotect over a hole).
    func checkMapped(_ p: Int, _ start: UInt64, _ end: UInt64) throws(MMMError) {
        var a = start
        while a < end {
            guard let vi = processes[p].vmaIndex(a) else { throw .fault }
            a = processes[p].vmas[vi].end
        }
    }

    /// Splits VMAs so that `start` and `end` are VMA boundaries (`split_vma`).
    mutating func splitVmas(_ p: Int, _ start: UInt64, _ end: UInt64) {
        for cut in [start, end] {
            guard let i = processes[p].vmaIndex(cut), processes[p].vmas[i].start != cut else { continue }
            var upper = processes[p].vmas[i]
            upper.start = cut
            processes[p].vmas[i].end = cut
            processes[p].vmas.insert(upper, at: i + 1)
            // A PMD mapping the cut crosses becomes PTEs (the folio stays whole).
            if cut & (VA.pmdSize - 1) != 0 { splitHugePmd(p, cut) }
        }
    }

    /// Indices of the VMAs inside [start, end) after `splitVmas`.
    func vmasIn(_ p: Int, _ start: UInt64, _ end: UInt64) -> [Int] {
        processes[p].vmas.indices.filter { processes[p].vmas[$0].start >= start && processes[p].vmas[$0].end <= end }
    }

    /// Unmaps [addr, addr + len): zaps the pages and removes the VMAs.
    public mutating func munmap(_ pid: Int32, _ addr: UInt64, _ len: UInt64) throws(MMMError) {
        defer { afterOperation() }
        let p = try checkPid(pid)
        let (start, end) = try checkRange(addr, len)
        splitVmas(p, start, end)
        zapRange(p, start, end)
        processes[p].vmas.removeAll { $0.start >= start && $0.end <= end }
    }
}
