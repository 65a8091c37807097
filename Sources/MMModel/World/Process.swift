/// Processes, their VMAs and their counters. Spec: semantics §0.3, §2.1, §7.

public struct VMFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let read = VMFlags(rawValue: 1 << 0)
    public static let write = VMFlags(rawValue: 1 << 1)
    public static let mayWrite = VMFlags(rawValue: 1 << 2)
    /// MADV_DONTFORK.
    public static let dontCopy = VMFlags(rawValue: 1 << 3)
    /// MADV_WIPEONFORK.
    public static let wipeOnFork = VMFlags(rawValue: 1 << 4)
    /// MADV_HUGEPAGE.
    public static let hugepage = VMFlags(rawValue: 1 << 5)
    /// MADV_NOHUGEPAGE.
    public static let noHugepage = VMFlags(rawValue: 1 << 6)
    /// VM_SOFTDIRTY: set on new VMAs; soft-dirty tracking is off while it is set.
    public static let softDirty = VMFlags(rawValue: 1 << 7)
    /// VM_UFFD_WP.
    public static let uffdWp = VMFlags(rawValue: 1 << 8)
    public static let locked = VMFlags(rawValue: 1 << 9)
}

/// A private anonymous VMA, [start, end).
public struct VMA: Hashable, Sendable {
    public var start: UInt64
    public var end: UInt64
    public var flags: VMFlags
    /// Whether the VMA has an anon_vma (prepared by the first folio allocated in
    /// it; a zero-page-only VMA has none, R-ZERO-4).
    public var hasAnonVma: Bool
    /// Swap readahead state (`vma->swap_readahead_info`, §4.10): the last
    /// swap-in address, the last window and the readahead hits since. A VMA
    /// that never swapped in through readahead reads as (0, 0, 4).
    public var raPrevAddr: UInt64 = 0
    public var raPrevWin: UInt32 = 0
    public var raHits: UInt32 = 4
    /// `vm_pgoff - (vm_start >> PAGE_SHIFT)`: 0 for a VMA that never moved;
    /// mremap sets it so that moved pages keep their linear index (the
    /// kernel's new VMA gets the old `vm_pgoff`, Kernel/Mremap.swift). Splits
    /// and resizes keep it.
    public var pgoffShift: Int64 = 0
    public var pages: UInt64 { (end - start) >> VA.pageShift }
    /// `vm_pgoff`.
    public var pgoff: UInt64 { UInt64(bitPattern: Int64(bitPattern: start >> VA.pageShift) &+ pgoffShift) }
    /// `linear_page_index(vma, a)`: the linear page index of address `a` in this VMA.
    @inline(__always) public func linear(_ a: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: a >> VA.pageShift) &+ pgoffShift)
    }
    public func contains(_ a: UInt64) -> Bool { a >= start && a < end }
    /// `is_cow_mapping`: private and may become writable.
    public var isCow: Bool { flags.contains(.mayWrite) }
}

/// Fault and event counters of a process. `minor` / `major` are what
/// `getrusage` reports (§7.1); the others break them down.
public struct FaultCounters: Hashable, Sendable {
    public var minor: UInt64 = 0
    public var major: UInt64 = 0
    public var anonFirstTouch: UInt64 = 0
    public var zeroPageMapped: UInt64 = 0
    public var wpReuse: UInt64 = 0
    public var wpCopy: UInt64 = 0
    public var unshare: UInt64 = 0
    public var swapinCache: UInt64 = 0
    public var swapinDevice: UInt64 = 0
    public var forkPagesCopied: UInt64 = 0
    public var forkPtesBatched: UInt64 = 0
    public var forkBatches: UInt64 = 0
    /// Anon rmap duplications at its fork (`folio_try_dup_anon_rmap_*` calls):
    /// one per batch with batching, one per PTE without (KernelPolicy.forkBatching).
    public var forkRmapOps: UInt64 = 0
    /// Folio reference additions at its fork (`folio_ref_add` / `folio_get`
    /// calls), counted like `forkRmapOps`.
    public var forkRefOps: UInt64 = 0
    public var pageTablesAllocated: UInt64 = 0
    /// Entries written into its page tables at its fork (PTEs and PMD leaves
    /// copied; a PTE table shared by `KernelPolicy.cowPte` copies none).
    public var forkPtesCopied: UInt64 = 0
    /// COW PTE mode: PTE tables its fork shared with it instead of copying.
    public var forkTablesShared: UInt64 = 0
    /// COW PTE mode: shared tables it broke by copying them (a new table).
    public var cowPteBreakCopies: UInt64 = 0
    /// COW PTE mode: shared tables it reused as their last user (the PMD made
    /// writable again; nothing copied).
    public var cowPteBreakReuses: UInt64 = 0
    /// COW PTE mode: entries copied by its breaks.
    public var cowPteBreakPtesCopied: UInt64 = 0
    /// COW PTE mode: shared tables it let go whole (munmap of the whole table,
    /// exit) without copying.
    public var cowPteSharesDropped: UInt64 = 0
    /// COW PTE mode: breaks (copies and reuses) by cause, indexed by
    /// `CowPteBreakCause.rawValue`.
    public var cowPteBreaksByCause = [UInt64](repeating: 0, count: CowPteBreakCause.allCases.count)
    public init() {}
}

/// Why a shared COW PTE table was broken (`KernelPolicy.cowPte`).
public enum CowPteBreakCause: Int, CaseIterable, Hashable, Sendable {
    /// A write fault on a write-protected PTE (`do_wp_page`).
    case writeFault
    /// An unshare fault: a read-only FOLL_PIN of a page not known exclusive.
    case unshareFault
    /// A fault installing an entry where there was none.
    case anonFault
    /// A fault swapping a page in.
    case swapIn
    /// munmap / MADV_DONTNEED over part of the table.
    case zap
    case mprotect
    /// MADV_COLD / MADV_PAGEOUT aging, MADV_FREE.
    case madvise
    /// UFFDIO_WRITEPROTECT.
    case uffdWp
    /// clear_refs (soft-dirty).
    case clearRefs
    /// KSM merging.
    case ksm
    /// An rmap walk that changes entries (`try_to_unmap` for swap-out and lazyfree
    /// discard): `PVMW_BREAK_COW_PTE`.
    case unmapWalk
    /// The young-bit walk (`folio_referenced`), only with `cowPteBreakOnYoung`.
    case referencedWalk
    /// mremap moving the table's entries (or the table) away.
    case mremap
    /// MADV_COLLAPSE / khugepaged replacing the table by a PMD mapping.
    case collapse
    /// Any other path.
    case other

    public var name: String {
        switch self {
        case .writeFault: return "writeFault"
        case .unshareFault: return "unshareFault"
        case .anonFault: return "anonFault"
        case .swapIn: return "swapIn"
        case .zap: return "zap"
        case .mprotect: return "mprotect"
        case .madvise: return "madvise"
        case .uffdWp: return "uffdWp"
        case .clearRefs: return "clearRefs"
        case .ksm: return "ksm"
        case .unmapWalk: return "unmapWalk"
        case .referencedWalk: return "referencedWalk"
        case .mremap: return "mremap"
        case .collapse: return "collapse"
        case .other: return "other"
        }
    }
}

public struct Process: Sendable {
    public let pid: Int32
    /// `mm_id` for the MM-owner slots of large folios (never 0).
    public let mmId: Int32
    public var vmas: [VMA] = [] { didSet { layoutGeneration &+= 1 } }
    /// Counts changes of `vmas`, `remapShifts` and `exited`, so the
    /// incremental checker reads the VMAs again only when they changed
    /// (`ProcSnapshot.load`, Check/CheckTouched.swift).
    var layoutGeneration: UInt64 = 0
    /// Pool index of the PGD.
    var pgd: Int32
    /// MMF_HAS_PINNED: set on first FOLL_PIN, never cleared (R-PIN-3).
    public var hasPinned = false
    public var counters = FaultCounters()
    /// MM_ANONPAGES and MM_SWAPENTS.
    public var rssAnon: Int64 = 0
    public var rssSwap: Int64 = 0
    /// A process stopped by `exit` keeps its slot as a zombie until the world ends.
    public var exited = false { didSet { layoutGeneration &+= 1 } }
    /// The distinct non-zero `pgoffShift`s its VMAs have had (mremap adds,
    /// nothing removes: a stale one only costs an rmap walk a pass). The rmap
    /// looks for linear index `L` at `(L - shift) << PAGE_SHIFT` for shift 0
    /// and each of these (Rmap/Rmap.swift).
    public internal(set) var remapShifts: [Int64] = [] { didSet { layoutGeneration &+= 1 } }

    /// The VMA containing `addr`, by binary search.
    public func vmaIndex(_ addr: UInt64) -> Int? {
        var lo = 0, hi = vmas.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if vmas[mid].end <= addr { lo = mid + 1 } else { hi = mid }
        }
        return lo < vmas.count && vmas[lo].contains(addr) ? lo : nil
    }
}
