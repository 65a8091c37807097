/// The architectures MMModel encodes, with the raw values of the C `MMM_ARCH_*`
/// constants. Both use 4 KiB pages.
public enum Arch: UInt32, CaseIterable, Sendable, CustomStringConvertible {
    /// x86-64, 4-level paging. The corresponding C value is `MMM_ARCH_X86_64`.
    case x86_64 = 1
    /// arm64, 4 KiB granule, 48-bit physical addresses. The corresponding C value is `MMM_ARCH_ARM64`.
    case arm64 = 2

    public var description: String {
        switch self {
        case .x86_64: return "x86_64"
        case .arm64: return "arm64"
        }
    }

    /// Parses "x86_64", "x86-64", "amd64", "arm64" or "aarch64".
    public init?(name: String) {
        switch name.lowercased() {
        case "x86_64", "x86-64", "amd64", "x86": self = .x86_64
        case "arm64", "aarch64": self = .arm64
        default: return nil
        }
    }
}

/// The kernel configuration options that change PTE and swap-entry encodings.
///
/// Spec: encoding §1.1 (soft-dirty and uffd-wp bits exist only when configured),
/// §4.2 (the non-swap type numbering depends on device-private, migration and
/// memory-failure support).
public struct KernelConfig: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// CONFIG_MEM_SOFT_DIRTY (x86-64 only).
    @inlinable public static var softDirty: KernelConfig { KernelConfig(rawValue: 1 << 0) }
    /// CONFIG_HAVE_ARCH_USERFAULTFD_WP (and PTE markers for it).
    @inlinable public static var uffdWp: KernelConfig { KernelConfig(rawValue: 1 << 1) }
    /// CONFIG_DEVICE_PRIVATE: three device swap types.
    @inlinable public static var devicePrivate: KernelConfig { KernelConfig(rawValue: 1 << 2) }
    /// CONFIG_MIGRATION: three migration swap types.
    @inlinable public static var migration: KernelConfig { KernelConfig(rawValue: 1 << 3) }
    /// CONFIG_MEMORY_FAILURE: the hwpoison swap type.
    @inlinable public static var memoryFailure: KernelConfig { KernelConfig(rawValue: 1 << 4) }

    /// Every option on: MAX_SWAPFILES = 24 (spec encoding §4.2, first row).
    /// (softDirty | uffdWp | devicePrivate | migration | memoryFailure; a constant
    /// initialiser, so clients fold it instead of calling an addressor.)
    @inlinable public static var all: KernelConfig { KernelConfig(rawValue: 0x1F) }
    /// The 6.18 kernel of these machines (spec encoding §0.1): MAX_SWAPFILES = 28.
    public static let live618: KernelConfig = [.uffdWp, .migration]
}
