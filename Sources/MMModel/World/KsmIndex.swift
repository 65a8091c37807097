/// KSM's side structures (mm/ksm.c), kept for KSM folios and the swap slots
/// they were written to only. Spec: semantics §1.8, §5.1.
///
/// A KSM folio is mapped at addresses unrelated to its linear index: the
/// kernel's rmap for it (`rmap_walk_ksm`) follows the stable node's
/// rmap_items, each an (mm, address) whose anon_vma covers that address in
/// every process of the family. The model keeps, per KSM folio, the virtual
/// page numbers of its rmap_items, and an rmap walk looks at every live
/// process at each of them (fork copies an entry to the same address, so a
/// child needs no item of its own, as in `rmap_walk_ksm`'s `search_new_forks`
/// pass). A listed address that no longer maps the folio costs a walk a
/// look and nothing else (`page_vma_mapped_walk()`'s `check_pte()` filters).
/// After swap-out, the slots keep the addresses of the swap PTEs the walk
/// wrote, so the swap side of the rmap (and the checker) finds them too.

/// `VM_MERGEABLE`: the range was given MADV_MERGEABLE; ksmd scans it.
extension VMFlags {
    public static let mergeable = VMFlags(rawValue: 1 << 15)
}

/// Per KSM folio: where it may be mapped, and the stable tree by content.
struct KsmIndex: Sendable {
    /// KSM folio head → the virtual page numbers of its rmap_items, each once,
    /// ascending (a walk visits a process's mappings in address order).
    var vpns: [Int32: [UInt64]] = [:]
    /// The stable tree: content token → the KSM folios with that content (a
    /// stable node, or the dups of a chain when one was full), oldest first.
    var stable: [UInt64: [Int32]] = [:]
    /// KSM folios freed since the last drain, with their addresses (the
    /// incremental checker looks there for entries still mapping them).
    var freedSinceDrain: [(head: Int32, vpns: [UInt64])] = []

    /// Records that `head` (content `token`) is a new KSM folio mapped at `vpns`.
    mutating func insert(_ head: Int32, token: UInt64, vpns v: [UInt64]) {
        vpns[head] = []
        for x in v { note(head, x) }
        stable[token, default: []].append(head)
    }

    /// Adds `vpn` to the addresses of KSM folio `head` unless it is there.
    mutating func note(_ head: Int32, _ vpn: UInt64) {
        sortedInsert(&vpns[head, default: []], vpn)
    }

    /// Forgets a KSM folio being freed (`Frames.free`): its stable node goes
    /// (the kernel finds it stale at the next lookup and removes it).
    mutating func forget(_ head: Int32, token: UInt64, tracking: Bool) {
        let v = vpns.removeValue(forKey: head) ?? []
        if tracking { freedSinceDrain.append((head, v)) }
        if var list = stable[token] {
            list.removeAll { $0 == head }
            stable[token] = list.isEmpty ? nil : list
        }
    }
}

/// Inserts `x` into ascending `list` unless it is there.
func sortedInsert(_ list: inout [UInt64], _ x: UInt64) {
    let i = sortedIndex(list, x)
    if i == list.count || list[i] != x { list.insert(x, at: i) }
}

/// Whether ascending `list` holds `x`.
func sortedContains(_ list: [UInt64], _ x: UInt64) -> Bool {
    let i = sortedIndex(list, x)
    return i < list.count && list[i] == x
}

/// The first index of ascending `list` whose value is not below `x`.
func sortedIndex(_ list: [UInt64], _ x: UInt64) -> Int {
    var lo = 0, hi = list.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if list[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// KSM's counters and per-process state that is not a folio's.
public struct KsmState: Sendable {
    /// `ksm_zero_pages` (/sys/kernel/mm/ksm): zero-page PTEs KSM installed
    /// (`use_zero_pages`), less those unmapped since; fork adds the child's
    /// copy of its parent's count (`ksm_fork`).
    public internal(set) var zeroPages = 0
    /// `mm->ksm_zero_pages` (/proc/PID/ksm_stat) by process index.
    var zeroPagesByProcess: [Int] = []
    /// vmstat `cow_ksm`: write (or unshare) faults that copied a KSM page.
    public internal(set) var cowKsm = 0
    /// vmstat `ksm_swpin_copy`: swap-ins that got a private copy from
    /// `ksm_might_need_to_copy`.
    public internal(set) var swapinCopies = 0
    /// The family (root anon_vma) of each process index, for
    /// `ksm_might_need_to_copy`: a process starts its own, a fork child
    /// shares its parent's. Indices past the end are their own.
    var family: [Int32] = []

    func family(of p: Int) -> Int32 { p < family.count ? family[p] : Int32(p) }

    func zeroPages(of p: Int) -> Int { p < zeroPagesByProcess.count ? zeroPagesByProcess[p] : 0 }

    mutating func addZeroPages(_ p: Int, _ d: Int) {
        if zeroPagesByProcess.count <= p { zeroPagesByProcess.append(contentsOf: repeatElement(0, count: p + 1 - zeroPagesByProcess.count)) }
        zeroPagesByProcess[p] += d
        zeroPages += d
    }
}

/// What /sys/kernel/mm/ksm reports after ksmd's scans settled (`World.ksmCounters`).
public struct KsmCounters: Hashable, Sendable {
    /// `pages_shared`: KSM pages in use (mapped at least once).
    public var pagesShared = 0
    /// `pages_sharing`: the further mappings of them (sites sharing them).
    public var pagesSharing = 0
    /// `ksm_zero_pages`.
    public var zeroPages = 0
    /// `stable_node_chains`: contents with more than one KSM page (a stable
    /// node reached `max_page_sharing` and got dups).
    public var stableNodeChains = 0
    /// `stable_node_dups`: the KSM pages of those chains.
    public var stableNodeDups = 0
    public init() {}
}
