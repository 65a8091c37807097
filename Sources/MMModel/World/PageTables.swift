/// Page tables of every process, as one pool of 512-entry tables in one
/// contiguous `[UInt64]`. Leaves (PTEs, huge PMDs) hold real encoded values of
/// the world's `PteFormat`; an entry of an upper level that points to a table
/// holds the table's pool index in place of a PFN, with the arch's table
/// descriptor bits (x86-64 `_PAGE_TABLE`, arm64 table descriptor 0b11).
public struct PageTablePool: Sendable {
    public static let entries = 512
    var words = TrackedArray<UInt64>()
    /// Per table: the process, level and first address it maps, recorded when
    /// it is allocated, so a written entry can be traced to (pid, address).
    var owners: [TableOwner] = []
    var freeTables: [Int32] = []
    /// Per table (COW PTE mode, `KernelPolicy.cowPte`): how many PMD entries
    /// reference it write-protected, i.e. as a shared COW table. 0 for every
    /// ordinary table; 2 or more while shared; 1 after the other sharers left,
    /// until its last user reuses it (Kernel/CowPte.swift).
    var shareCount: [Int32] = []
    /// The processes other than `owners[t].process` whose PMD references a
    /// shared table `t` (sparse: only tables shared now), so a written entry
    /// can be traced to every (pid, address) it maps.
    var coOwners: [Int32: [Int32]] = [:]
    /// Whether a table became shared or stopped being shared by a process since
    /// the last `drain` (the incremental checker then recounts RSS and re-checks
    /// the sharing rules).
    var sharingChangedSinceDrain = false
    public private(set) var liveTables = 0
    /// Tables ever allocated (a counter users read; never decremented).
    public private(set) var allocatedTotal = 0
    /// Whether a table was released since the last `drain` (the incremental
    /// checker then recounts RSS instead of trusting entry deltas).
    var releasedSinceDrain = false

    /// Allocates a zeroed table for process index `p` at `level` (0 = PTE
    /// table … 3 = PGD) covering addresses from `base`.
    mutating func allocate(_ p: Int, level: Int, base: UInt64) -> Int32 {
        liveTables += 1
        allocatedTotal += 1
        let owner = TableOwner(process: Int32(p), level: Int8(level), live: true, base: base)
        if let t = freeTables.popLast() {
            // Zeroed without recording the writes: the old values are the dead
            // owner's entries (a released PMD table still points to its PTE
            // tables), which the incremental checker would charge to the new owner.
            let start = Int(t) * PageTablePool.entries
            words.untracked.withUnsafeMutableBufferPointer { w in
                for i in start..<(start + PageTablePool.entries) { w[i] = 0 }
            }
            owners[Int(t)] = owner
            shareCount[Int(t)] = 0
            return t
        }
        let t = Int32(words.count / PageTablePool.entries)
        words.append(contentsOf: repeatElement(0, count: PageTablePool.entries))
        owners.append(owner)
        shareCount.append(0)
        return t
    }

    mutating func release(_ t: Int32) {
        liveTables -= 1
        freeTables.append(t)
        owners[Int(t)].live = false
        releasedSinceDrain = true
        if shareCount[Int(t)] != 0 || coOwners[t] != nil {
            shareCount[Int(t)] = 0
            coOwners[t] = nil
            sharingChangedSinceDrain = true
        }
    }

    /// Every process index whose PMD references table `t` as its owners say.
    func ownerProcesses(_ t: Int32) -> [Int32] {
        [owners[Int(t)].process] + (coOwners[t] ?? [])
    }
}

/// Who a page table belongs to: process index, level and the first address
/// its entries map.
struct TableOwner: Sendable {
    var process: Int32
    var level: Int8
    var live: Bool
    var base: UInt64

    /// The address entry `i` of the table maps.
    func address(_ i: Int) -> UInt64 { base + (UInt64(i) << (12 + 9 * UInt64(level))) }
}

/// Virtual address helpers: 4 levels of 9 bits over 4 KiB pages.
public enum VA {
    public static let pageShift: UInt64 = 12
    public static let pageSize: UInt64 = 4096
    public static let pmdSize: UInt64 = 1 << 21
    public static let userTop: UInt64 = 1 << 47
    @inline(__always) static func index(_ addr: UInt64, level: Int) -> Int {
        Int((addr >> (12 + 9 * UInt64(level))) & 511)      // level 0 = PTE ... 3 = PGD
    }
}

extension PteFormat {
    /// The descriptor of an upper-level entry pointing to table `t`.
    @inline(__always) func tableEntry(_ t: Int32) -> UInt64 {
        (UInt64(t) << 12) | (arch == .x86_64 ? 0x67 : 0x3)
    }
    @inline(__always) func tableIndex(_ e: UInt64) -> Int32 { Int32(truncatingIfNeeded: (e >> 12) & 0xFFFF_FFFF) }
    /// The PMD entry of a shared COW PTE table (`KernelPolicy.cowPte`): the
    /// table descriptor write-protected — x86-64 RW (bit 1) clear, arm64
    /// APTable[1] (bit 62) set, so no store through the table succeeds.
    @inline(__always) func tableEntryWriteProtected(_ t: Int32) -> UInt64 {
        arch == .x86_64 ? tableEntry(t) & ~UInt64(2) : tableEntry(t) | (1 << 62)
    }
    /// Whether a PMD-level table entry is write-protected (a COW PTE table).
    @inline(__always) func pmdTableIsWriteProtected(_ e: UInt64) -> Bool {
        arch == .x86_64 ? e & 2 == 0 : e & (1 << 62) != 0
    }
    /// Whether a PMD-level entry is a table pointer (not none, not a huge leaf).
    @inline(__always) func pmdIsTable(_ e: UInt64) -> Bool {
        switch arch {
        case .x86_64: return e & 1 != 0 && e & (1 << 7) == 0
        case .arm64: return e & 3 == 3
        }
    }
    /// Whether a PMD-level entry is a huge (PMD-mapped) leaf: x86-64 PSE, arm64 block.
    @inline(__always) func pmdIsLeaf(_ e: UInt64) -> Bool {
        switch arch {
        case .x86_64: return e & (1 << 7) != 0 && e & (X86.present | X86.protnone) != 0
        case .arm64: return e != 0 && e & 3 != 3 && e & (Arm64.valid | Arm64.ng) != 0
        }
    }
    /// A PMD leaf from a PTE-shaped value (`pmd_mkhuge`): x86-64 sets PSE; arm64
    /// clears the table/page bit to make a block descriptor.
    @inline(__always) func pmdLeaf(_ pte: Pte) -> UInt64 {
        arch == .x86_64 ? pte.raw | (1 << 7) : pte.raw & ~UInt64(2)
    }
    /// The PTE-shaped value of a PMD leaf, so the PTE helpers apply to it.
    @inline(__always) func pteOfPmd(_ pmd: UInt64) -> Pte {
        Pte(arch == .x86_64 ? pmd & ~UInt64(1 << 7) : pmd | 2)
    }
}
