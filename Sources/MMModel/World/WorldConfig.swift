/// How a world is built: the machine, its kernel configuration and the sysfs
/// knobs that change anonymous-memory behaviour. Spec: semantics §0.1, §3.8,
/// §4.4, §4.10.

/// One `transparent_hugepage` setting (top-level `enabled`, or a per-size
/// `hugepages-<size>kB/enabled`).
public enum THPSetting: UInt32, Sendable, CaseIterable {
    case never = 0
    case always = 1
    case madvise = 2
    /// Per-size only: follow the top-level setting.
    case inherit = 3
}

/// Whether swap I/O completes synchronously (zram: `SWP_SYNCHRONOUS_IO`) or
/// through asynchronous writeback (a block device).
public enum SwapDeviceKind: UInt32, Sendable {
    case synchronous = 0
    case asynchronous = 1
}

public struct WorldConfig: Sendable {
    /// Encodings of the page tables (arch and kernel config).
    public var format: PteFormat = PteFormat(arch: .x86_64, config: .live618)
    /// Physical frames the model may allocate (4 KiB each).
    public var frames: Int = 1 << 18
    /// Slots of the single swap device (type 0); slot 0 is the header and never used.
    public var swapSlots: Int = 1 << 18
    /// `/sys/kernel/mm/transparent_hugepage/enabled`.
    public var thpEnabled: THPSetting = .madvise
    /// `hugepages-<size>kB/enabled` by folio order 1...9 (index 0 unused). The
    /// kernel's defaults: PMD size inherits, every smaller size is off.
    public var thpOrders: [THPSetting] = [.never, .never, .never, .never, .never, .never, .never, .never, .never, .inherit]
    /// `transparent_hugepage/use_zero_page`: read faults may map the huge zero page.
    public var useHugeZeroPage: Bool = true
    /// `/sys/kernel/mm/ksm/use_zero_pages`: KSM maps empty pages to the zero
    /// page instead of merging them into a KSM page (default off).
    public var ksmUseZeroPages: Bool = false
    public var swapDevice: SwapDeviceKind = .synchronous
    /// `vm.page-cluster`.
    public var pageCluster: Int = 3
    /// Run the incremental checker after every public operation
    /// (`World.checkAfterEachOperation`); for tests, off by default.
    public var checkAfterEachOperation: Bool = false
    /// The kernel release the world behaves as (`KernelPolicy`, Policy/):
    /// presets and switches for the debated changes. Default: 6.18.
    public var policy: KernelPolicy = .v6_18

    public init() {}

    /// Order of a PMD mapping (2 MiB with 4 KiB pages).
    public static let pmdOrder = 9
}
