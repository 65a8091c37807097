// Pins the world enums of the core to the values include/mmmodel.h gives
// them: the C wrappers convert with init(rawValue:), so a drift would make a
// C caller's MMM_* value mean something else.
import CMMModel
import MMModel
import Testing

@Test("MMM_THP_* are THPSetting raw values")
func thpSettingsMatchHeader() {
    #expect(THPSetting.never.rawValue == MMM_THP_NEVER)
    #expect(THPSetting.always.rawValue == MMM_THP_ALWAYS)
    #expect(THPSetting.madvise.rawValue == MMM_THP_MADVISE)
    #expect(THPSetting.inherit.rawValue == MMM_THP_INHERIT)
}

@Test("MMM_SWAP_* are SwapDeviceKind raw values")
func swapDeviceKindsMatchHeader() {
    #expect(SwapDeviceKind.synchronous.rawValue == MMM_SWAP_SYNC)
    #expect(SwapDeviceKind.asynchronous.rawValue == MMM_SWAP_ASYNC)
}

@Test("MMM_MADV_* are MadviseAdvice raw values (Linux's numbers)")
func madviseAdviceMatchesHeader() {
    let pairs: [(MadviseAdvice, UInt32)] = [
        (.dontneed, MMM_MADV_DONTNEED), (.dontfork, MMM_MADV_DONTFORK), (.dofork, MMM_MADV_DOFORK),
        (.hugepage, MMM_MADV_HUGEPAGE), (.nohugepage, MMM_MADV_NOHUGEPAGE),
        (.wipeonfork, MMM_MADV_WIPEONFORK), (.keeponfork, MMM_MADV_KEEPONFORK), (.cold, MMM_MADV_COLD),
        (.pageout, MMM_MADV_PAGEOUT), (.populateRead, MMM_MADV_POPULATE_READ),
        (.populateWrite, MMM_MADV_POPULATE_WRITE),
        (.free, MMM_MADV_FREE), (.mergeable, MMM_MADV_MERGEABLE), (.unmergeable, MMM_MADV_UNMERGEABLE),
        (.collapse, MMM_MADV_COLLAPSE),
    ]
    #expect(pairs.count == MadviseAdvice.allCases.count)
    for (advice, value) in pairs { #expect(advice.rawValue == value) }
}

@Test("MMM_MREMAP_* are MremapFlags raw values (Linux's numbers)")
func mremapFlagsMatchHeader() {
    #expect(MremapFlags.mayMove.rawValue == MMM_MREMAP_MAYMOVE)
    #expect(MremapFlags.fixed.rawValue == MMM_MREMAP_FIXED)
    #expect(MremapFlags.dontUnmap.rawValue == MMM_MREMAP_DONTUNMAP)
}

@Test("MMM_WORLD_MAX_* are the limits World.init enforces")
func worldLimitsMatchHeader() throws {
    var c = WorldConfig()
    c.frames = Int(MMM_WORLD_MAX_FRAMES) + 1
    #expect(throws: MMMError.invalidArgument) { try World(c) }
    c = WorldConfig()
    c.swapSlots = Int(MMM_WORLD_MAX_SWAP_SLOTS) + 1
    #expect(throws: MMMError.invalidArgument) { try World(c) }
}

@Test("MMM_UFFD_FEATURE_* are UffdFeatures raw values; MMM_UFFD_EVENT_WRITE is bit 0")
func uffdFeaturesMatchHeader() {
    #expect(UffdFeatures.eventFork.rawValue == MMM_UFFD_FEATURE_EVENT_FORK)
    #expect(UffdFeatures.wpUnpopulated.rawValue == MMM_UFFD_FEATURE_WP_UNPOPULATED)
    #expect(UffdFeatures.wpAsync.rawValue == MMM_UFFD_FEATURE_WP_ASYNC)
    #expect(UffdFeatures.all.rawValue == MMM_UFFD_FEATURE_EVENT_FORK | MMM_UFFD_FEATURE_WP_UNPOPULATED | MMM_UFFD_FEATURE_WP_ASYNC)
    #expect(MMM_UFFD_EVENT_WRITE == 1)
}

@Test("MMM_COWPTE_CAUSE_* are CowPteBreakCause raw values; breaks_by_cause[] has room for all")
func cowPteCausesMatchHeader() {
    let pairs: [(CowPteBreakCause, UInt32)] = [
        (.writeFault, MMM_COWPTE_CAUSE_WRITE_FAULT), (.unshareFault, MMM_COWPTE_CAUSE_UNSHARE_FAULT),
        (.anonFault, MMM_COWPTE_CAUSE_ANON_FAULT), (.swapIn, MMM_COWPTE_CAUSE_SWAP_IN), (.zap, MMM_COWPTE_CAUSE_ZAP),
        (.mprotect, MMM_COWPTE_CAUSE_MPROTECT), (.madvise, MMM_COWPTE_CAUSE_MADVISE),
        (.uffdWp, MMM_COWPTE_CAUSE_UFFD_WP), (.clearRefs, MMM_COWPTE_CAUSE_CLEAR_REFS), (.ksm, MMM_COWPTE_CAUSE_KSM),
        (.unmapWalk, MMM_COWPTE_CAUSE_UNMAP_WALK), (.referencedWalk, MMM_COWPTE_CAUSE_REFERENCED_WALK),
        (.mremap, MMM_COWPTE_CAUSE_MREMAP), (.collapse, MMM_COWPTE_CAUSE_COLLAPSE), (.other, MMM_COWPTE_CAUSE_OTHER),
    ]
    #expect(pairs.count == CowPteBreakCause.allCases.count)
    #expect(Int(MMM_COWPTE_CAUSES) == CowPteBreakCause.allCases.count)
    for (cause, value) in pairs { #expect(UInt32(cause.rawValue) == value) }
    #expect(MemoryLayout.size(ofValue: mmm_cow_pte_counters().breaks_by_cause) / 8 >= CowPteBreakCause.allCases.count)
}
