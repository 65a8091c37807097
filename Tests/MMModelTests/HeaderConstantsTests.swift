// Pins every Swift constant of the core to the value include/mmmodel.h gives
// it (the header is hand-written, so the two could drift; style §4.1), and the
// sized structs to their C layout.
import CMMModel
import Testing
@testable import MMModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@Test("mmm_arch words: MMM_ARCH_* are Arch raw values")
func headerArch() {
    #expect(Arch.x86_64.rawValue == MMM_ARCH_X86_64)
    #expect(Arch.arm64.rawValue == MMM_ARCH_ARM64)
    #expect(Arch.allCases.count == 2)
}

// Swift's importer skips macros that are built from other macros over several
// lines, so MMM_ARCH_CFG_LIVE_6_18 and MMM_VERSION_NUMBER are spelled out here
// as the header defines them (Tests/packaging compiles the header itself).
private let cfgLive618 = MMM_ARCH_CFG_NO_SOFT_DIRTY | MMM_ARCH_CFG_NO_DEVICE_PRIVATE | MMM_ARCH_CFG_NO_MEMORY_FAILURE

@Test("MMM_ARCH_CFG_NO_* each remove one KernelConfig option; MMM_ARCH_CFG_LIVE_6_18 is .live618")
func headerArchConfig() throws {
    let pairs: [(UInt32, KernelConfig)] = [
        (MMM_ARCH_CFG_NO_SOFT_DIRTY, .softDirty), (MMM_ARCH_CFG_NO_UFFD_WP, .uffdWp),
        (MMM_ARCH_CFG_NO_DEVICE_PRIVATE, .devicePrivate), (MMM_ARCH_CFG_NO_MIGRATION, .migration),
        (MMM_ARCH_CFG_NO_MEMORY_FAILURE, .memoryFailure),
    ]
    for (bit, option) in pairs {
        let f = try #require(PteFormat(cValue: MMM_ARCH_X86_64 | bit))
        #expect(f.config == KernelConfig.all.subtracting(option))
        #expect(f.cValue == MMM_ARCH_X86_64 | bit)
    }
    for arch in [MMM_ARCH_X86_64, MMM_ARCH_ARM64] {
        let live = try #require(PteFormat(cValue: arch | cfgLive618))
        #expect(live.config == KernelConfig.live618)
        #expect(live.maxSwapfiles == 28)
        let full = try #require(PteFormat(cValue: arch))
        #expect(full.config == (arch == MMM_ARCH_ARM64 ? KernelConfig.all.subtracting(.softDirty) : .all))
        #expect(full.maxSwapfiles == 24)
    }
    // Unknown arch words and reserved bits are refused.
    for bad: UInt32 in [0, 3, 0xFF, 0xFFFF_FFFF, 1 << 16, 1 << 13, MMM_ARCH_X86_64 | 0x2000] {
        #expect(PteFormat(cValue: bad) == nil)
    }
}

@Test("MMM_PTE_KIND_* are PteKind raw values")
func headerKinds() {
    let pairs: [(PteKind, UInt32)] = [
        (.none, MMM_PTE_KIND_NONE), (.present, MMM_PTE_KIND_PRESENT), (.swap, MMM_PTE_KIND_SWAP),
        (.migrationRead, MMM_PTE_KIND_MIGRATION_READ),
        (.migrationReadExclusive, MMM_PTE_KIND_MIGRATION_READ_EXCLUSIVE),
        (.migrationWrite, MMM_PTE_KIND_MIGRATION_WRITE),
        (.devicePrivateRead, MMM_PTE_KIND_DEVICE_PRIVATE_READ),
        (.devicePrivateWrite, MMM_PTE_KIND_DEVICE_PRIVATE_WRITE),
        (.deviceExclusive, MMM_PTE_KIND_DEVICE_EXCLUSIVE),
        (.hwpoison, MMM_PTE_KIND_HWPOISON), (.marker, MMM_PTE_KIND_MARKER),
    ]
    for (kind, c) in pairs { #expect(kind.rawValue == c, "\(kind.name)") }
    #expect(pairs.count == PteKind.allCases.count)
}

@Test("MMM_PTE_F_* are PteFlags raw values")
func headerPteFlags() {
    let pairs: [(PteFlags, UInt64)] = [
        (.valid, MMM_PTE_F_VALID), (.write, MMM_PTE_F_WRITE), (.user, MMM_PTE_F_USER),
        (.young, MMM_PTE_F_YOUNG), (.dirty, MMM_PTE_F_DIRTY), (.savedDirty, MMM_PTE_F_SAVED_DIRTY),
        (.rdonly, MMM_PTE_F_RDONLY), (.softDirty, MMM_PTE_F_SOFT_DIRTY), (.uffdWp, MMM_PTE_F_UFFD_WP),
        (.special, MMM_PTE_F_SPECIAL), (.protnone, MMM_PTE_F_PROTNONE), (.nx, MMM_PTE_F_NX),
        (.cont, MMM_PTE_F_CONT),
    ]
    for (flag, c) in pairs { #expect(flag.rawValue == c) }
    #expect(pairs.count == PteFlags.named.count)
}

@Test("MMM_PTE_F_* name the bits of spec §1.1 (x86-64) and §3.1 (arm64)")
func headerPteFlagBits() {
    let x86 = PteFormat(arch: .x86_64), arm = PteFormat(arch: .arm64)
    let x86Bits: [(PteFlags, Int)] = [
        (.valid, 0), (.write, 1), (.user, 2), (.young, 5), (.dirty, 6), (.savedDirty, 58),
        (.softDirty, 11), (.uffdWp, 10), (.special, 9), (.protnone, 8), (.nx, 63),
    ]
    for (flag, n) in x86Bits { #expect(x86.bit(of: flag) == 1 << n) }
    #expect(x86.bit(of: .rdonly) == 0 && x86.bit(of: .cont) == 0)
    let armBits: [(PteFlags, Int)] = [
        (.valid, 0), (.write, 51), (.user, 6), (.young, 10), (.dirty, 55), (.rdonly, 7),
        (.uffdWp, 58), (.special, 56), (.protnone, 11), (.nx, 54), (.cont, 52),
    ]
    for (flag, n) in armBits { #expect(arm.bit(of: flag) == 1 << n) }
    #expect(arm.bit(of: .savedDirty) == 0 && arm.bit(of: .softDirty) == 0)
}

@Test("MMM_SWP_F_* are SwpFlags raw values, at the swap PTE bits of spec §2.3 and §3.5")
func headerSwpFlags() {
    let pairs: [(SwpFlags, UInt64)] = [
        (.exclusive, MMM_SWP_F_EXCLUSIVE), (.softDirty, MMM_SWP_F_SOFT_DIRTY), (.uffdWp, MMM_SWP_F_UFFD_WP),
        (.migYoung, MMM_SWP_F_MIG_YOUNG), (.migDirty, MMM_SWP_F_MIG_DIRTY),
    ]
    for (flag, c) in pairs { #expect(flag.rawValue == c) }
    #expect(pairs.count == SwpFlags.named.count)
    let x86 = PteFormat(arch: .x86_64), arm = PteFormat(arch: .arm64)
    #expect(x86.swpBit(of: .exclusive) == 1 << 3 && x86.swpBit(of: .softDirty) == 1 << 1 && x86.swpBit(of: .uffdWp) == 1 << 2)
    #expect(arm.swpBit(of: .exclusive) == 1 << 2 && arm.swpBit(of: .uffdWp) == 1 << 3 && arm.swpBit(of: .softDirty) == 0)
}

@Test("MMM_PTE_MARKER_* are PteMarker raw values (PTE_MARKER_UFFD_WP 1, POISONED 2, GUARD 4; spec §4.3)")
func headerMarkers() {
    #expect(PteMarker.uffdWp.rawValue == MMM_PTE_MARKER_UFFD_WP && MMM_PTE_MARKER_UFFD_WP == 1)
    #expect(PteMarker.poisoned.rawValue == MMM_PTE_MARKER_POISONED && MMM_PTE_MARKER_POISONED == 2)
    #expect(PteMarker.guardRegion.rawValue == MMM_PTE_MARKER_GUARD && MMM_PTE_MARKER_GUARD == 4)
    #expect(PteMarker.all.rawValue == 7)  // PTE_MARKER_MASK = BIT(3) - 1
}

@Test("MMM_PRED_* are PtePreds raw values")
func headerPreds() {
    let pairs: [(PtePreds, UInt32)] = [
        (.none, MMM_PRED_NONE), (.present, MMM_PRED_PRESENT), (.swapPte, MMM_PRED_SWAP_PTE),
        (.nonSwap, MMM_PRED_NON_SWAP), (.protnone, MMM_PRED_PROTNONE), (.write, MMM_PRED_WRITE),
        (.dirty, MMM_PRED_DIRTY), (.young, MMM_PRED_YOUNG), (.softDirty, MMM_PRED_SOFT_DIRTY),
        (.uffdWp, MMM_PRED_UFFD_WP), (.special, MMM_PRED_SPECIAL), (.exclusive, MMM_PRED_EXCLUSIVE),
    ]
    for (pred, c) in pairs { #expect(pred.rawValue == c) }
}

@Test("MMM_FPB_API_* and MMM_FPB_* are FpbAPI / FpbFlags raw values, and the kernel's fpb_t values (spec §6.1, §6.4)")
func headerFpb() {
    #expect(FpbAPI.v6_17.rawValue == MMM_FPB_API_6_17 && FpbAPI.v6_10.rawValue == MMM_FPB_API_6_10)
    #expect(FpbFlags.respectDirty.rawValue == MMM_FPB_RESPECT_DIRTY && MMM_FPB_RESPECT_DIRTY == 0x01)
    #expect(FpbFlags.respectSoftDirty.rawValue == MMM_FPB_RESPECT_SOFT_DIRTY && MMM_FPB_RESPECT_SOFT_DIRTY == 0x02)
    #expect(FpbFlags.respectWrite.rawValue == MMM_FPB_RESPECT_WRITE && MMM_FPB_RESPECT_WRITE == 0x04)
    #expect(FpbFlags.mergeWrite.rawValue == MMM_FPB_MERGE_WRITE && MMM_FPB_MERGE_WRITE == 0x08)
    #expect(FpbFlags.mergeYoungDirty.rawValue == MMM_FPB_MERGE_YOUNG_DIRTY && MMM_FPB_MERGE_YOUNG_DIRTY == 0x10)
    #expect(FpbFlags.ignoreDirty.rawValue == MMM_FPB_IGNORE_DIRTY && MMM_FPB_IGNORE_DIRTY == 0x01)
    #expect(FpbFlags.ignoreSoftDirty.rawValue == MMM_FPB_IGNORE_SOFT_DIRTY && MMM_FPB_IGNORE_SOFT_DIRTY == 0x02)
    #expect(FpbFlags.known(for: .v6_17).rawValue == 0x1F && FpbFlags.known(for: .v6_10).rawValue == 0x03)
}

@Test("MMMError values are Linux errno numbers and cross the C interface negated")
func headerErrors() {
    #expect(MMMError.invalidArgument.errno == EINVAL && MMMError.invalidArgument.cValue == -EINVAL)
    #expect(MMMError.outOfRange.errno == ERANGE && MMMError.outOfRange.cValue == -34)
    #expect(MMMError.busy.errno == EBUSY)
    #expect(MMMError.noMemory.errno == ENOMEM)
    #expect(MMMError.fault.errno == EFAULT)
    #expect(MMMError.noSuchProcess.errno == ESRCH)
    #expect(MMMError.notSupported.errno == EOPNOTSUPP)
    #expect(MMMError.invalidArgument.name == "EINVAL" && MMMError.outOfRange.name == "ERANGE")
}

@Test("version macros: 0.1.0")
func headerVersion() {
    #expect(MMM_VERSION_MAJOR == 0 && MMM_VERSION_MINOR == 1 && MMM_VERSION_PATCH == 0)
    #expect(MMM_VERSION_STRING == "0.1.0")
    // MMM_VERSION_NUMBER is not importable (see cfgLive618); the ABI test compares
    // mmm_version_number() with MAJOR * 1000000 + MINOR * 1000 + PATCH.
}

@Test("layouts: Pte is one word; the sized structs have the C sizes and offsets pinned in layout.c")
func headerLayouts() {
    #expect(MemoryLayout<Pte>.size == 8 && MemoryLayout<Pte>.stride == 8 && MemoryLayout<Pte>.alignment == 8)
    #expect(MemoryLayout<mmm_arch_info>.size == 56)
    #expect(MemoryLayout<mmm_pte_info>.size == 64)
    #expect(MemoryLayout<mmm_fpb_args>.size == 40)
    #expect(MemoryLayout<mmm_fpb_result>.size == 24)
    // `size` is the first member of each, as the sized-struct convention needs.
    #expect(MemoryLayout<mmm_arch_info>.offset(of: \.size) == 0)
    #expect(MemoryLayout<mmm_pte_info>.offset(of: \.size) == 0)
    #expect(MemoryLayout<mmm_fpb_args>.offset(of: \.size) == 0)
    #expect(MemoryLayout<mmm_fpb_result>.offset(of: \.size) == 0)
    // Natural C alignment, no hidden padding.
    #expect(MemoryLayout<mmm_arch_info>.offset(of: \.max_swp_offset) == 16)
    #expect(MemoryLayout<mmm_arch_info>.offset(of: \.swp_flags) == 48)
    #expect(MemoryLayout<mmm_pte_info>.offset(of: \.flags) == 8)
    #expect(MemoryLayout<mmm_pte_info>.offset(of: \.swp_type) == 32)
    #expect(MemoryLayout<mmm_pte_info>.offset(of: \.attrs) == 40)
    #expect(MemoryLayout<mmm_pte_info>.offset(of: \.preds) == 48)
    #expect(MemoryLayout<mmm_pte_info>.offset(of: \.stray) == 56)
    #expect(MemoryLayout<mmm_fpb_args>.offset(of: \.folio_pfn) == 16)
    #expect(MemoryLayout<mmm_fpb_args>.offset(of: \.max_nr) == 32)
    #expect(MemoryLayout<mmm_fpb_result>.offset(of: \.pte) == 8)
    #expect(MemoryLayout<mmm_fpb_result>.offset(of: \.any_writable) == 16)
    #expect(MemoryLayout<mmm_fpb_result>.offset(of: \.any_dirty) == 18)
}

@Test("geometry constants: 512 PTEs per table, arm64 CONT_PTES 16, 50-bit swap offsets, SWP_TYPE_SHIFT 58 (spec §2.1, §3.4, §3.5, §4.1)")
func headerGeometry() {
    #expect(PteFormat.ptesPerTable == 512)
    #expect(PteFormat(arch: .arm64).contPtes == 16 && PteFormat(arch: .x86_64).contPtes == 1)
    #expect(PteFormat.swpOffsetBits == 50)
    #expect(PteFormat(arch: .x86_64).maxSwpOffset == (1 << 50) - 1)
    #expect(SwpEntry.typeShift == 58 && SwpEntry.offsetMask == (1 << 58) - 1)
    #expect(PteFormat.markerType == 31)
    // SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT: x86-64 4-level 46 - 12, arm64 48-bit PA 48 - 12 (§2.4, §4.3).
    #expect(PteFormat(arch: .x86_64).swpPfnBits == 34 && PteFormat(arch: .arm64).swpPfnBits == 36)
    // PTE_PFN_MASK: x86-64 bits 12-51; arm64 (48-bit PA) bits 12-47 (§1.1, §3.1).
    #expect(PteFormat(arch: .x86_64).maxPfn == (1 << 40) - 1 && PteFormat(arch: .arm64).maxPfn == (1 << 36) - 1)
}
