// Header area: KSM counters, global reclaim, COW PTE costs. The core is
// Kernel/KSM.swift (World.ksmCounters, ksmZeroPages), Kernel/SwapOut.swift
// (World.reclaim) and Kernel/CowPte.swift (the Process counters it keeps).
import CMMModel
import MMModel

@_cdecl("mmm_ksm_counters")
public func mmm_ksm_counters(_ w: OpaquePointer?, _ out: UnsafeMutablePointer<mmm_ksm_counters>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_ksm_counters") { b throws(Failure) in
        let out = try sizedOut(out)
        let k = b.world.ksmCounters()
        var c = mmm_ksm_counters()
        c.pages_shared = UInt64(k.pagesShared)
        c.pages_sharing = UInt64(k.pagesSharing)
        c.stable_node_chains = UInt64(k.stableNodeChains)
        c.stable_node_dups = UInt64(k.stableNodeDups)
        c.ksm_zero_pages = UInt64(max(0, k.zeroPages))
        writeSized(c, to: out)
    }
}

@_cdecl("mmm_ksm_process_zero_pages")
public func mmm_ksm_process_zero_pages(_ w: OpaquePointer?, _ pid: Int32, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_ksm_process_zero_pages") { b throws(Failure) in
        guard let out else { throw .inval("out is NULL") }
        let n = try b.core(pid: pid) { (w: inout World) throws(MMMError) in try w.ksmZeroPages(pid) }
        out.pointee = UInt64(max(0, n))
    }
}

@_cdecl("mmm_reclaim")
public func mmm_reclaim(_ w: OpaquePointer?, _ pid: Int32, _ addr: UInt64, _ len: UInt64,
                        _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_reclaim") { b throws(Failure) in
        try checkRange(addr, len)
        let n = try b.core(pid: pid, addr: addr, len: len) { (w: inout World) throws(MMMError) in
            try w.reclaim(pid, addr, len)
        }
        out?.pointee = UInt64(n)
    }
}

@_cdecl("mmm_cow_pte_counters")
public func mmm_cow_pte_counters(_ w: OpaquePointer?, _ pid: Int32,
                                 _ out: UnsafeMutablePointer<mmm_cow_pte_counters>?) -> Int32 {
    guard let box = worldBox(w) else { return EINVAL_C }
    return box.run("mmm_cow_pte_counters") { b throws(Failure) in
        let out = try sizedOut(out)
        let k = try b.process(everCreated: pid).counters
        var c = mmm_cow_pte_counters()
        c.fork_ptes_copied = k.forkPtesCopied
        c.fork_tables_shared = k.forkTablesShared
        c.break_copies = k.cowPteBreakCopies
        c.break_reuses = k.cowPteBreakReuses
        c.break_ptes_copied = k.cowPteBreakPtesCopied
        c.shares_dropped = k.cowPteSharesDropped
        withUnsafeMutableBytes(of: &c.breaks_by_cause) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            for (i, v) in k.cowPteBreaksByCause.enumerated() where i < slots.count { slots[i] = v }
        }
        writeSized(c, to: out)
    }
}
