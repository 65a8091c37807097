/// The policy as the kernel paths read it, and the rules of older releases
/// that do not fit in one line at their decision point. Spec: semantics §3.10,
/// §2.4, R-FORK-10, §11.
extension World {
    /// The kernel behaviour this world follows (`WorldConfig.policy`).
    public var policy: KernelPolicy { config.policy }

    /// Replaces the policy of a world that has no process yet (a policy changed
    /// under live page tables would mix two kernels' states). Throws `.busy`
    /// once a process exists.
    public mutating func setPolicy(_ p: KernelPolicy) throws(MMMError) {
        guard processes.isEmpty else { throw .busy }
        config.policy = p
    }

    /// `do_wp_page`'s reuse test for a small anonymous folio under the pre-5.18
    /// rules (`KernelPolicy.wpReuse`), for the page `head` (order 0):
    /// * `.refcountOne` (5.9-5.17, 09854ba94c6a): refcount == 1 and mapcount == 1
    ///   — a page still in the swap cache holds a second reference and is
    ///   copied (the January 2022 complaint) [S: 5.15.16 mm/memory.c];
    /// * `.reuseSwapPage` (≤ 5.8): `reuse_swap_page()`: mapcount + the swap count
    ///   of its slot (when in the swap cache) ≤ 1; at exactly 1 the swap cache
    ///   is dropped. References that are not mappings (GUP, pins) do not count:
    ///   the CVE-2020-29374 leak [R].
    mutating func canReuseAnonFolioOldRule(_ head: Int32) -> Bool {
        let fl = frames.flags(head)
        guard !fl.contains(.ksm) else { return false }
        switch policy.wpReuse {
        case .refcountOne:
            return frames.ref[Int(head)] == 1 && frames.mapcount[Int(head)] == 1
        case .reuseSwapPage:
            var count = frames.mapcount[Int(head)]
            if let s = frames.swapCacheSlot[head] { count += Int32(swap.count[Int(s)]) }
            guard count <= 1 else { return false }
            if fl.contains(.swapCache) && !fl.contains(.writeback) { deleteFromSwapCache(head); frames.insertFlags(head, .dirty) }
            return true
        case .refcount:
            preconditionFailure("the 5.18+ rule is canReuseAnonFolio's own")
        }
    }

    /// Whether fork's anon rmap dup must refuse `nr` pages from `page` of the
    /// folio `head` mapped by `src` (-EBUSY, so the child gets copies), by
    /// `KernelPolicy.forkPinnedGate` (§2.4, R-FORK-10): never (≤ 5.8); when the
    /// folio needs COW for DMA (5.9-5.18); when it does and a page is AE (5.19+).
    func forkDupRefused(_ src: Int, _ head: Int32, _ page: Int32, _ nr: Int) -> Bool {
        switch policy.forkPinnedGate {
        case .none: return false
        case .needsCowForDma: return needsCowForDma(src, head)
        case .exclusiveAndPinned:
            guard needsCowForDma(src, head) else { return false }
            for i in 0..<nr where frames.ae(Int32(Int(page) + i)) { return true }
            return false
        }
    }
}

extension World {
    /// Policy `mprotectUpgrade` (§6.3, R-MPR-1): whether mprotect may make this
    /// AE page's PTE writable at all — never before 5.19, only a dirty one in
    /// 5.19-6.1, clean ones too from 6.2.
    func mprotectMayUpgrade(_ pte: Pte) -> Bool {
        switch policy.mprotectUpgrade {
        case .none: return false
        case .exclusiveDirty: return fmt.isDirty(pte)
        case .exclusive: return true
        }
    }
}
