/// Kernel version presets and the debated patches as named switches (issue 6).
/// Spec: semantics §11 (presets V1-V29 and preset guidance), §3.10 (COW reuse
/// history), §4.6 / §4.7 (swap-in reuse by era), §2.4 / §2.5 (the pinned-page
/// gate at fork, R-FORK-10), §2.3 (R-FORK-6); encoding §6.4 (batching API).
///
/// A `KernelPolicy` is held by `WorldConfig` (and so by every `World`); the
/// kernel paths read it at their decision points (each branch is commented
/// with the switch it reads). The default is `.v6_18`: exactly the behaviour
/// the model had before policies existed.
///
/// Source checks for this file (what was read, where):
/// * 5.15: `do_wp_page` (refcount 1 + mapcount 1, no swap-cache handling) and
///   `do_swap_page` (`reuse_swap_page` on write faults only, before the rmap
///   and `swap_free`), mm/memory.c of a 5.15.16 tree
///   (yuqi-lee/fastswap-linux-5.15.16 in the search index, core unchanged).
/// * 6.12: `copy_present_ptes` with `FPB_IGNORE_DIRTY` / `FPB_IGNORE_SOFT_DIRTY`,
///   `wp_can_reuse_anon_folio` refusing every large folio, `do_swap_page`
///   mapping an exclusive folio writable on a read fault unless
///   `userfaultfd_pte_wp` or `pte_needs_soft_dirty_wp`, `alloc_swap_folio` /
///   `can_swapin_thp` with `pte_move_swp_offset`: Debian linux-source-6.12.
/// * 6.18: the model's own paths (spec snapshots `next-memory`, live 6.18.44).
/// Everything else is tagged as the spec tags it ([L], [R], [U]).
public struct KernelPolicy: Hashable, Sendable {

    // MARK: Switch value types

    /// What MADV_COLLAPSE accepts (switch `madvCollapse`).
    public enum MadvCollapse: String, Hashable, Sendable, CaseIterable {
        /// ≤ 6.0: unknown advice, EINVAL.
        case none
        /// 6.1-6.12: a 2 MiB without a writable PTE is refused (SCAN_PAGE_RO).
        case needsWritable
        /// 6.18: no writable PTE needed.
        case any
    }

    /// What `do_wp_page` does for an anonymous page that is not known exclusive
    /// (spec §3.3, §3.10, table V4).
    public enum WpReuseRule: String, Hashable, Sendable, CaseIterable {
        /// ≤ 5.8: `reuse_swap_page()` — reuse when the page's mapcount plus its
        /// swap count is at most 1 (dropping the swap cache when it is exactly
        /// 1); other references (GUP, pins) are not looked at, which is the
        /// CVE-2020-29374 class of leaks. [R]
        case reuseSwapPage
        /// 5.9-5.17: Linus Torvalds, "mm: do_wp_page() simplification"
        /// (09854ba94c6a, 5.9): reuse only when refcount == 1 and mapcount == 1;
        /// a swap-cache page (refcount 2) is always copied — the complaint of
        /// the January 2022 thread (Liang Zhang, "mm: reuse the unshared
        /// swapcache page in do_wp_page"). [S: 5.15.16 mm/memory.c]
        case refcountOne
        /// 5.18+: David Hildenbrand, "mm: optimize do_wp_page() for exclusive
        /// pages in the swapcache" (53a05ad9f21d, COW fixes part 1): refcount
        /// ≤ 1 + swap cache, trylock, free the swap cache, refcount == 1
        /// (`wp_can_reuse_anon_folio` since 6.7). [L; S: 6.12, next-memory]
        case refcount
    }

    /// How `do_swap_page` decides writability (spec §4.6, table V15/V16).
    public enum SwapInReuse: String, Hashable, Sendable, CaseIterable {
        /// ≤ 5.17: no exclusive marker; a read maps read-only; a write fault
        /// maps writable + dirty when `reuse_swap_page()` says the page and its
        /// slot have one user (mapcount + swap count ≤ 1), else read-only and
        /// `do_wp_page` in the same fault. [S: 5.15.16 mm/memory.c]
        case reuseSwapPage
        /// 5.18-6.10: only a write fault maps writable (dirty, write flag
        /// consumed) an exclusive or solely referenced folio; a read fault maps
        /// it AE but read-only, so read-then-write costs a second, minor fault.
        /// (5.18: refcount test only; 5.19: + the swap PTE's exclusive bit.)
        /// [S/L]
        case writeFaultOnly
        /// 6.11+: Barry Song, "mm: swap: reuse exclusive folio directly instead
        /// of wp page faults" (v2 2 Jun 2024, Acked-by David Hildenbrand) and
        /// "mm: set pte writable while pte_soft_dirty() is true in
        /// do_swap_page()" (Jun 2024), both in the 6.11-rc1 MM pull: a read
        /// fault maps an exclusive folio writable but clean, never under
        /// uffd-wp or pending soft-dirty. [S: 6.12; K on 6.18]
        case exclusiveWritableOnRead
        /// The first RFC of that change (31 May 2024): writable **and dirty** on
        /// a read fault, the uffd-wp bit not consulted — what review caught:
        /// clean pages made dirty, and a uffd-wp page made writable without a
        /// trap (the checker reports INV-15). Never merged. [L]
        case rfcDirtyOnRead
    }

    /// The early-copy gate for maybe-pinned pages at fork (spec §2.4, §2.5,
    /// R-FORK-10, table V6).
    public enum ForkPinnedGate: String, Hashable, Sendable, CaseIterable {
        /// ≤ 5.8: none — a pinned page is shared with the child and write-protected
        /// in the parent, whose next write copies it away from the pin. [R]
        case none
        /// 5.9-5.18: Peter Xu, "mm: Do early cow for pinned pages during fork()
        /// for ptes" (70e806e4e645, 5.9): copy for the child when
        /// `page_needs_cow_for_dma()` (MMF_HAS_PINNED ∧ maybe pinned), whatever
        /// the page's sharing. [R]
        case needsCowForDma
        /// 5.19+: `page_try_dup_anon_rmap()` (5.19-6.7), then
        /// `folio_try_dup_anon_rmap_*()` (6.8, rmap overhaul): -EBUSY, and so a
        /// copy, only for an AE page of a maybe-pinned folio. [L/S]
        case exclusiveAndPinned
    }

    /// mprotect's write upgrade of private anonymous PTEs (spec §6.3, R-MPR-1, V19).
    public enum MprotectUpgrade: String, Hashable, Sendable, CaseIterable {
        /// ≤ 5.18: never; the next write takes a fault. [R]
        case none
        /// 5.19-6.1: AE pages that are already dirty (David Hildenbrand,
        /// "mm/mprotect: try avoiding write faults for exclusive anonymous
        /// pages when changing protection"). [R]
        case exclusiveDirty
        /// 6.2+: clean AE pages too (Nadav Amit, "mm/mprotect: allow clean
        /// exclusive anon pages to be writable", v2 8 Nov 2022). [L; K on 6.18]
        case exclusive
    }

    // MARK: Switches

    /// PageAnonExclusive, the swap-PTE exclusive bit and R/O-pin unshare faults
    /// (5.19, "mm: COW fixes part 2"; V1-V3). Off models ≤ 5.18: AE bits are
    /// still kept as bookkeeping (the checker's invariants read them), but no
    /// decision reads them: `do_wp_page` has no AE short cut, GUP read pins never
    /// unshare, swap-out writes no exclusive bit, swap-in is never "exclusive"
    /// from the swap PTE. [L]
    public var anonExclusive = true
    /// `do_wp_page`'s reuse test for pages not known exclusive (V4).
    public var wpReuse = WpReuseRule.refcount
    /// 6.15+: David Hildenbrand, "mm: COW reuse support for PTE-mapped THP with
    /// CONFIG_MM_ID" (v1 29 Aug 2024, merged 6.15): `__wp_can_reuse_large_anon_folio`
    /// (§3.4). Off: a page of a large folio is always copied (≤ 6.14). [S/L; K]
    public var largeFolioReuse = true
    /// `do_swap_page`'s writability rule (§4.6).
    public var swapInReuse = SwapInReuse.exclusiveWritableOnRead
    /// 6.9+: David Hildenbrand, "mm/memory: optimize fork() with PTE-mapped THP"
    /// (f8d937761d65, v3 29 Jan 2024): `copy_present_ptes` copies a run of PTEs
    /// of one large folio with one reference add and one rmap dup. Off: one PTE
    /// at a time. Same resulting state; the counters `forkBatches`,
    /// `forkPtesBatched`, `forkRmapOps`, `forkRefOps` differ (R-FORK-6). [L/S]
    public var forkBatching = true
    /// The `folio_pte_batch` flag API fork uses (encoding §6.4): `.v6_10`
    /// (`FPB_IGNORE_*`, 6.9-6.16) or `.v6_17` (`FPB_RESPECT_*` / `FPB_MERGE_*`,
    /// David Hildenbrand, "mm: folio_pte_batch() improvements", 6.17). Both
    /// give the same batches for private anonymous memory. [S: 6.12; P]
    public var fpbAPI = FpbAPI.v6_17
    /// The pinned-page gate at fork (V6).
    public var forkPinnedGate = ForkPinnedGate.exclusiveAndPinned
    /// 6.8+: anonymous mTHP orders on first-touch faults (Ryan Roberts,
    /// "mm: thp: support allocation of anonymous multi-size THP", 6.8; V11).
    /// Off: order 0 below PMD size. [L]
    public var mthpFaults = true
    /// 6.10+: mTHP swap-out without splitting (Ryan Roberts, "swap-out mTHP
    /// without splitting", 6.10; V12). Off: a large folio below PMD order is
    /// split before it gets swap slots. [R]
    public var mthpSwapOut = true
    /// 6.12+: splitting an anonymous large folio maps each zero-filled new
    /// order-0 page to the shared zero page and frees it (remap_page with
    /// RMP_USE_SHARED_ZEROPAGE, "mm: remap unused subpages to shared zeropage
    /// when splitting isolated thp", 6.12; seen live on 6.18). Off: every page
    /// stays mapped. [K]
    public var splitRemapsZeroPages = true
    /// 6.10+: a large folio found in the swap cache is mapped whole when its
    /// PTEs are the matching swap batch (Chuanhua Han / Barry Song, "mm: swap:
    /// entirely map large folios found in swapcache"; V13; encoding §6.4 puts
    /// the `pte_move_swp_offset` form in 6.11). Off: one page per fault. [R/U]
    public var mapLargeSwapCacheFolio = true
    /// 6.12+: large-folio swap-in on synchronous devices (`alloc_swap_folio`,
    /// "mm: support large folios swap-in for zRAM-like devices", v6 Aug 2024;
    /// V14). Off: the skip-swap-cache path allocates order 0. [S: 6.12; L]
    public var largeSwapIn = true
    /// mprotect's write upgrade (V19).
    public var mprotectUpgrade = MprotectUpgrade.exclusive
    /// 6.13+: Dev Jain, "mm: allocate THP on hugezeropage wp-fault"
    /// (1ced09e0331f, v4 16 Sep 2024): a write fault on the huge zero PMD
    /// allocates a PMD THP (R-ZERO-5; V27). Off: split into zero-page PTEs and
    /// copy one page. [K on 6.18; L for the release]
    public var hugeZeroWriteAllocates = true
    /// 6.3+: David Hildenbrand, "mm/userfaultfd: rely on vma->vm_page_prot in
    /// uffd_wp_range()" (931298e103c2, posted 23 Dec 2022, merged for 6.3, not
    /// backported): UFFDIO_WRITEPROTECT without MODE_WP (and UFFDIO_UNREGISTER)
    /// passes MM_CP_TRY_CHANGE_WRITABLE, so an AE page of a private VM_WRITE
    /// VMA is mapped writable at once (`can_change_pte_writable`, §6.3). Off
    /// (5.7-6.2): the PTE only loses UW and stays read-only; the next write is
    /// a `do_wp_page` reuse fault. [L: the commit message says so for private
    /// mappings; K: on for 6.18]
    public var uffdUnprotectUpgrade = true
    /// 6.4+: Peter Xu, "mm/uffd: UFFD_FEATURE_WP_UNPOPULATED" (v2 Mar 2023,
    /// merged 6.4; V21): an anonymous uffd-wp context with this feature
    /// protects none PTEs with UFFD_WP PTE markers. Off: the feature is
    /// unknown (UFFDIO_API fails with -EINVAL; the model refuses the
    /// registration). [R for the release; K: markers on 6.18]
    public var uffdWpUnpopulated = true
    /// 6.7+: Peter Xu, "userfaultfd: UFFD_FEATURE_WP_ASYNC" (v33 of Muhammad
    /// Usama Anjum's PAGEMAP_SCAN series, Aug 2023, merged 6.7; V22): a write
    /// to a protected page clears UW in the kernel and goes on (W2), no event.
    /// The feature implies WP_UNPOPULATED. Off: unknown feature. [L/S: 6.12]
    public var uffdWpAsync = true
    /// MADV_COLLAPSE (Kernel/Collapse.swift): unknown before 6.1 (Zach
    /// O'Keefe, "mm/madvise: introduce MADV_COLLAPSE sync hugepage collapse",
    /// 7d8faaf15545, 6.1); through 6.12 a 2 MiB needs one writable PTE
    /// (`hpage_collapse_scan_pmd` / `__collapse_huge_page_isolate`:
    /// SCAN_PAGE_RO, EINVAL) [S: 6.12]; 6.18 collapses read-only, zero-page and
    /// swapped-only ranges too [K; onset between them U].
    public var madvCollapse = MadvCollapse.any
    /// 6.17+: Lorenzo Stoakes, "mm/mremap: permit mremap() move of multiple
    /// VMAs" (d23cb648e365, merged for 6.17; `remap_move`): a pure MREMAP_FIXED
    /// move may span several VMAs [K: 6.18]. Off: the range must lie in one VMA (EFAULT).
    public var mremapMultiVma = true
    /// Never merged (RFC, in no preset): Chih-En Lin, "Introduce Copy-On-Write
    /// to Page Table" (v3 Dec 2022 … v5 Apr 2023; semantics §5.5). Fork shares
    /// whole PTE tables between parent and child (both PMDs write-protected, a
    /// share count per table) instead of copying them; the first path that must
    /// change an entry breaks the sharing for its process (Kernel/CowPte.swift,
    /// docs/kernel-policy.md "COW PTE tables"). Same observations, other costs.
    public var cowPte = false
    /// With `cowPte`: the young-bit-clearing rmap walk (`folio_referenced`)
    /// breaks shared tables too, as RFC v3 did (`PVMW_BREAK_COW_PTE` in
    /// `folio_referenced_one`); off follows v4 and the review (Barry Song,
    /// Dec 2022): clearing the accessed bit through a shared table is harmless.
    public var cowPteBreakOnYoung = false

    public init() {}

    // MARK: Presets

    /// The preset names, oldest first.
    public static let presetNames = ["5.4", "5.15", "6.1", "6.6", "6.8", "6.10", "6.11", "6.12", "6.15", "6.18"]

    /// 6.18: today's model (spec §0.1 live kernel). The default.
    public static let v6_18 = KernelPolicy()

    /// The preset of a release (semantics §11 columns; "6.11" is 6.10 plus the
    /// swap-in change, for the seed debate). Nil for an unknown name.
    public static func preset(_ name: String) -> KernelPolicy? {
        var p = KernelPolicy()
        switch name {
        case "6.18":
            return p
        case "6.15":
            // 6.18 less what 6.17 brought: the FPB_RESPECT_* / FPB_MERGE_*
            // flags and moving several VMAs with one mremap.
            p.fpbAPI = .v6_10
            p.mremapMultiVma = false
        case "6.12":
            p = preset("6.15")!
            p.largeFolioReuse = false
            p.madvCollapse = .needsWritable
            p.hugeZeroWriteAllocates = false
        case "6.11":
            p = preset("6.12")!
            p.largeSwapIn = false
            p.splitRemapsZeroPages = false
        case "6.10":
            p = preset("6.11")!
            p.swapInReuse = .writeFaultOnly
        case "6.8":
            p = preset("6.10")!
            p.forkBatching = false
            p.mthpSwapOut = false
            p.mapLargeSwapCacheFolio = false
        case "6.6", "6.1":
            p = preset("6.8")!
            p.mthpFaults = false
            p.uffdWpAsync = false                               // 6.7
            if name == "6.1" {
                // (MADV_COLLAPSE itself is 6.1: needsWritable from the 6.12 preset.)
                p.mprotectUpgrade = .exclusiveDirty
                p.uffdUnprotectUpgrade = false                  // 6.3
                p.uffdWpUnpopulated = false                     // 6.4
            }
        case "5.15":
            p = preset("6.1")!
            p.madvCollapse = .none
            p.anonExclusive = false
            p.wpReuse = .refcountOne
            p.swapInReuse = .reuseSwapPage
            p.forkPinnedGate = .needsCowForDma
            p.mprotectUpgrade = .none
        case "5.4":
            // Approximation: 5.15 with the ≤ 5.8 COW rule and no fork gate.
            p = preset("5.15")!
            p.wpReuse = .reuseSwapPage
            p.forkPinnedGate = .none
        default:
            return nil
        }
        return p
    }

    // MARK: Switches by name (CLI, scenario header, C ABI)

    /// Every switch name, in declaration order.
    public static let switchNames = [
        "anonExclusive", "wpReuse", "largeFolioReuse", "swapInReuse", "forkBatching", "fpbAPI",
        "forkPinnedGate", "mthpFaults", "mthpSwapOut", "mapLargeSwapCacheFolio", "largeSwapIn",
        "mprotectUpgrade", "hugeZeroWriteAllocates", "uffdUnprotectUpgrade", "uffdWpUnpopulated", "uffdWpAsync",
        "madvCollapse", "mremapMultiVma", "splitRemapsZeroPages",
        "cowPte", "cowPteBreakOnYoung",
    ]

    /// The values a switch accepts (booleans: `on`/`off`, also true/false, 1/0).
    public static func values(of name: String) -> [String]? {
        switch name {
        case "wpReuse": return WpReuseRule.allCases.map(\.rawValue)
        case "swapInReuse": return SwapInReuse.allCases.map(\.rawValue)
        case "forkPinnedGate": return ForkPinnedGate.allCases.map(\.rawValue)
        case "mprotectUpgrade": return MprotectUpgrade.allCases.map(\.rawValue)
        case "madvCollapse": return MadvCollapse.allCases.map(\.rawValue)
        case "fpbAPI": return ["v6_10", "v6_17"]
        default: return switchNames.contains(name) ? ["on", "off"] : nil
        }
    }

    /// Sets switch `name` to `value`; `.invalidArgument` for an unknown name or value.
    public mutating func set(_ name: String, _ value: String) throws(MMMError) {
        func bool() throws(MMMError) -> Bool {
            switch value {
            case "on", "true", "1": return true
            case "off", "false", "0": return false
            default: throw .invalidArgument
            }
        }
        func pick<E: RawRepresentable>(_: E.Type) throws(MMMError) -> E where E.RawValue == String {
            guard let e = E(rawValue: value) else { throw .invalidArgument }
            return e
        }
        switch name {
        case "anonExclusive": anonExclusive = try bool()
        case "wpReuse": wpReuse = try pick(WpReuseRule.self)
        case "largeFolioReuse": largeFolioReuse = try bool()
        case "swapInReuse": swapInReuse = try pick(SwapInReuse.self)
        case "forkBatching": forkBatching = try bool()
        case "fpbAPI":
            switch value {
            case "v6_10", "6.10": fpbAPI = .v6_10
            case "v6_17", "6.17": fpbAPI = .v6_17
            default: throw .invalidArgument
            }
        case "forkPinnedGate": forkPinnedGate = try pick(ForkPinnedGate.self)
        case "mthpFaults": mthpFaults = try bool()
        case "mthpSwapOut": mthpSwapOut = try bool()
        case "mapLargeSwapCacheFolio": mapLargeSwapCacheFolio = try bool()
        case "largeSwapIn": largeSwapIn = try bool()
        case "splitRemapsZeroPages": splitRemapsZeroPages = try bool()
        case "mprotectUpgrade": mprotectUpgrade = try pick(MprotectUpgrade.self)
        case "hugeZeroWriteAllocates": hugeZeroWriteAllocates = try bool()
        case "uffdUnprotectUpgrade": uffdUnprotectUpgrade = try bool()
        case "uffdWpUnpopulated": uffdWpUnpopulated = try bool()
        case "uffdWpAsync": uffdWpAsync = try bool()
        case "madvCollapse": madvCollapse = try pick(MadvCollapse.self)
        case "mremapMultiVma": mremapMultiVma = try bool()
        case "cowPte": cowPte = try bool()
        case "cowPteBreakOnYoung": cowPteBreakOnYoung = try bool()
        default: throw .invalidArgument
        }
    }

    /// The value of switch `name` as `set` accepts it; nil for an unknown name.
    public func value(of name: String) -> String? {
        func b(_ v: Bool) -> String { v ? "on" : "off" }
        switch name {
        case "anonExclusive": return b(anonExclusive)
        case "wpReuse": return wpReuse.rawValue
        case "largeFolioReuse": return b(largeFolioReuse)
        case "swapInReuse": return swapInReuse.rawValue
        case "forkBatching": return b(forkBatching)
        case "fpbAPI": return fpbAPI == .v6_10 ? "v6_10" : "v6_17"
        case "forkPinnedGate": return forkPinnedGate.rawValue
        case "mthpFaults": return b(mthpFaults)
        case "mthpSwapOut": return b(mthpSwapOut)
        case "mapLargeSwapCacheFolio": return b(mapLargeSwapCacheFolio)
        case "largeSwapIn": return b(largeSwapIn)
        case "splitRemapsZeroPages": return b(splitRemapsZeroPages)
        case "mprotectUpgrade": return mprotectUpgrade.rawValue
        case "hugeZeroWriteAllocates": return b(hugeZeroWriteAllocates)
        case "uffdUnprotectUpgrade": return b(uffdUnprotectUpgrade)
        case "uffdWpUnpopulated": return b(uffdWpUnpopulated)
        case "uffdWpAsync": return b(uffdWpAsync)
        case "madvCollapse": return madvCollapse.rawValue
        case "mremapMultiVma": return b(mremapMultiVma)
        case "cowPte": return b(cowPte)
        case "cowPteBreakOnYoung": return b(cowPteBreakOnYoung)
        default: return nil
        }
    }

    /// Every switch as `NAME=VALUE`, in declaration order.
    public var assignments: [String] { KernelPolicy.switchNames.map { "\($0)=\(value(of: $0)!)" } }

    /// The switches where `self` differs from `other`, as `NAME=VALUE` of `self`.
    public func differences(from other: KernelPolicy) -> [String] {
        KernelPolicy.switchNames.filter { value(of: $0) != other.value(of: $0) }.map { "\($0)=\(value(of: $0)!)" }
    }

    /// A preset with `NAME=VALUE` switches applied in order; `.invalidArgument`
    /// for an unknown preset, a malformed assignment, or an unknown switch or value.
    public static func make(preset: String, switches: [String]) throws(MMMError) -> KernelPolicy {
        guard var p = KernelPolicy.preset(preset) else { throw .invalidArgument }
        for s in switches {
            guard let eq = s.firstIndex(of: "=") else { throw .invalidArgument }
            try p.set(String(s[..<eq]), String(s[s.index(after: eq)...]))
        }
        return p
    }
}
