/// The encoding rules of one architecture under one kernel configuration: the
/// subject of every `pte_*` helper. Spec: encoding §1 (x86-64), §3 (arm64), §4
/// (generic entries).
///
/// A `PteFormat` holds no table and no state; building one is a few
/// instructions, so the C layer makes one per call from the `mmm_arch` word.
public struct PteFormat: Hashable, Sendable {
    public let arch: Arch
    /// The effective configuration: options the arch cannot have are removed
    /// (arm64 has no soft-dirty, spec encoding §3.1).
    public let config: KernelConfig

    public init(arch: Arch, config: KernelConfig = .all) {
        self.arch = arch
        self.config = arch == .arm64 ? config.subtracting(.softDirty) : config
    }

    // MARK: The C `mmm_arch` word

    /// Bits of the `mmm_arch` word that remove a configuration option
    /// (`MMM_ARCH_CFG_NO_*`), in `KernelConfig` order.
    static let cfgNoShift: UInt32 = 8
    static let cfgNoMask: UInt32 = 0x1F00

    /// Parses an `mmm_arch` word; nil for an unknown arch or any unknown bit.
    @inlinable
    public init?(cValue: UInt32) {
        guard cValue & ~UInt32(0x1FFF) == 0, let arch = Arch(rawValue: cValue & 0xFF) else { return nil }
        let removed = KernelConfig(rawValue: (cValue & 0x1F00) >> 8)
        self.init(arch: arch, config: KernelConfig.all.subtracting(removed))
    }

    /// The `mmm_arch` word naming this format.
    public var cValue: UInt32 {
        arch.rawValue | (KernelConfig.all.subtracting(config).rawValue << 8)
            & ~(arch == .arm64 ? UInt32(0x100) : 0)
    }

    // MARK: Geometry

    /// PTEs in one page table (`PTRS_PER_PTE`).
    public static let ptesPerTable = 512
    /// PTEs in a contiguous block: arm64 `CONT_PTES` with 4 KiB pages; 1 without.
    public var contPtes: Int { arch == .arm64 ? 16 : 1 }

    /// Width of the PFN field of a present PTE: x86-64 bits 12-51, arm64 bits
    /// 12-47 (48-bit physical addresses).
    @inlinable @inline(__always) var pfnBits: UInt64 { arch == .x86_64 ? 40 : 36 }
    /// `PTE_PFN_MASK` / `PTE_ADDR_LOW` for this model.
    @inlinable @inline(__always) var pfnMask: UInt64 { ((1 << pfnBits) - 1) << 12 }
    /// Largest PFN a present PTE can hold.
    public var maxPfn: UInt64 { (1 << pfnBits) - 1 }

    /// Width of the arch swap offset field: 50 bits on both (spec encoding §2.1, §3.5).
    public static let swpOffsetBits: UInt64 = 50
    /// Largest offset an arch swap PTE can hold.
    @inlinable public var maxSwpOffset: UInt64 { (1 << PteFormat.swpOffsetBits) - 1 }

    /// `SWP_PFN_BITS` = MAX_PHYSMEM_BITS - PAGE_SHIFT: x86-64 4-level 46 - 12,
    /// arm64 48 - 12 (spec encoding §2.4, §4.3).
    @inlinable public var swpPfnBits: UInt64 { arch == .x86_64 ? 34 : 36 }

    // MARK: Swap type numbering (spec encoding §4.2, include/linux/swap.h)

    @usableFromInline var deviceNum: UInt32 { config.contains(.devicePrivate) ? 3 : 0 }
    @usableFromInline var migrationNum: UInt32 { config.contains(.migration) ? 3 : 0 }
    @usableFromInline var hwpoisonNum: UInt32 { config.contains(.memoryFailure) ? 1 : 0 }

    /// `MAX_SWAPFILES`: real swap types are below it.
    @inlinable public var maxSwapfiles: UInt32 { 32 - deviceNum - migrationNum - hwpoisonNum - 1 }
    /// `SWP_PTE_MARKER`, always the last type.
    public static let markerType: UInt32 = 31

    /// The swap type of a non-swap kind, or nil when the configuration lacks it.
    public func swapType(of kind: PteKind) -> UInt32? {
        let m = maxSwapfiles
        switch kind {
        case .hwpoison: return hwpoisonNum == 0 ? nil : m
        case .migrationRead: return migrationNum == 0 ? nil : m + hwpoisonNum
        case .migrationReadExclusive: return migrationNum == 0 ? nil : m + hwpoisonNum + 1
        case .migrationWrite: return migrationNum == 0 ? nil : m + hwpoisonNum + 2
        case .devicePrivateWrite: return deviceNum == 0 ? nil : m + hwpoisonNum + migrationNum
        case .devicePrivateRead: return deviceNum == 0 ? nil : m + hwpoisonNum + migrationNum + 1
        case .deviceExclusive: return deviceNum == 0 ? nil : m + hwpoisonNum + migrationNum + 2
        case .marker: return PteFormat.markerType
        case .none, .present, .swap: return nil
        }
    }

    /// The kind of a non-present entry of swap type `type` (0..31).
    @inlinable @inline(__always)
    public func kind(ofSwapType type: UInt32) -> PteKind {
        if type < maxSwapfiles { return .swap }
        if type == PteFormat.markerType { return .marker }
        var t = type - maxSwapfiles
        if t < hwpoisonNum { return .hwpoison }
        t -= hwpoisonNum
        if t < migrationNum { return t == 0 ? .migrationRead : t == 1 ? .migrationReadExclusive : .migrationWrite }
        t -= migrationNum
        // Numbering is contiguous up to the marker, so what is left is a device type.
        return t == 0 ? .devicePrivateWrite : t == 1 ? .devicePrivateRead : .deviceExclusive
    }

    // MARK: Which named bits exist

    /// The `PteFlags` this format can encode.
    public var supportedPteFlags: PteFlags {
        var f: PteFlags = [.valid, .write, .user, .young, .dirty, .special, .protnone, .nx]
        switch arch {
        case .x86_64:
            f.insert(.savedDirty)
            if config.contains(.softDirty) { f.insert(.softDirty) }
        case .arm64:
            f.formUnion([.rdonly, .cont])
        }
        if config.contains(.uffdWp) { f.insert(.uffdWp) }
        return f
    }

    /// The `SwpFlags` this format can encode (migration young / dirty included).
    public var supportedSwpFlags: SwpFlags {
        var f: SwpFlags = [.exclusive, .migYoung, .migDirty]
        if config.contains(.softDirty) { f.insert(.softDirty) }
        if config.contains(.uffdWp) { f.insert(.uffdWp) }
        return f
    }
}
