// Header area: worlds — the handle, its error message, the config, create and
// destroy. The operations are in WorldOpsABI.swift, the queries and the rmap
// primitives in WorldQueryABI.swift.
//
// A handle is a retained `WorldBox`; every call validates its C arguments
// before the core sees them, turns the core's `MMMError` into -errno, and
// records the outcome on the handle (message set on failure, "" on success).
import CMMModel
import MMModel

/// A failed call: the error returned and the text after "function: ".
struct Failure: Error {
    let err: MMMError
    let text: String
    static func inval(_ text: String) -> Failure { Failure(err: .invalidArgument, text: text) }
}

/// The caller's sized output struct, checked: `-EINVAL` when `out` is NULL or
/// its `size` field is below this library's struct.
func sizedOut<T>(_ out: UnsafeMutablePointer<T>?) throws(Failure) -> UnsafeMutablePointer<T> {
    guard let out else { throw .inval("out is NULL") }
    let size = callerSize(UnsafePointer(out))
    guard size >= MemoryLayout<T>.size else { throw .inval("out->size \(size) is too small") }
    return out
}

/// What an mmm_world handle points to: the world value and the message of the
/// last call on it (NUL-terminated, owned here; nil means "").
final class WorldBox {
    var world: World
    private var message: UnsafeMutablePointer<CChar>?

    init(_ world: World) { self.world = world }
    deinit { message?.deallocate() }

    var messagePointer: UnsafePointer<CChar> { message.map { UnsafePointer($0) } ?? cString("") }

    func setMessage(_ text: String?) {
        message?.deallocate()
        message = nil
        guard let text else { return }
        let bytes = text.utf8CString
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: bytes.count) }
        message = p
    }

    /// Runs one C call: 0 and "" on success, -errno and "name: text" on failure.
    func run(_ name: StaticString, _ body: (WorldBox) throws(Failure) -> Void) -> Int32 {
        do {
            try body(self)
            setMessage(nil)
            return 0
        } catch {
            setMessage("\(name): \(error.text)")
            return error.err.cValue
        }
    }

    /// Runs a core operation, explaining its error in terms of `pid` / `addr`.
    /// Process `pid`, live or exited (its counters stay readable); `-ESRCH`
    /// when it was never created.
    func process(everCreated pid: Int32) throws(Failure) -> Process {
        guard pid >= 1, Int(pid) <= world.processes.count else {
            throw Failure(err: .noSuchProcess, text: "pid \(pid) was never created")
        }
        return world.processes[Int(pid) - 1]
    }

    func core<T>(pid: Int32, addr: UInt64? = nil, len: UInt64 = 0, write: Bool = false,
                 _ op: (inout World) throws(MMMError) -> T) throws(Failure) -> T {
        do {
            return try op(&world)
        } catch {
            throw Failure(err: error, text: explain(error, pid: pid, addr: addr, len: len, write: write))
        }
    }

    /// The text for a core error, read from the (unchanged) world.
    func explain(_ e: MMMError, pid: Int32, addr: UInt64?, len: UInt64, write: Bool) -> String {
        var at = "pid \(pid)"
        if let addr { at += len > 0 ? ", range [\(hex0x(addr)), +\(hex0x(len)))" : ", address \(hex0x(addr))" }
        switch e {
        case .noSuchProcess:
            return "pid \(pid) is not a live process"
        case .fault:
            guard let addr, len == 0 else {
                return "\(at): SIGSEGV: part of the range is not mapped, or its VMA forbids the access"
            }
            guard let proc = world.process(pid), let vi = proc.vmaIndex(addr) else {
                return "\(at): SIGSEGV: no VMA contains the address"
            }
            let v = proc.vmas[vi]
            let what = write ? "writable" : "readable"
            return "\(at): SIGSEGV: the VMA [\(hex0x(v.start)), \(hex0x(v.end))) is not \(what)"
        case .noMemory:
            return "\(at): out of model memory (\(world.frames.freeFrames) free frames, \(world.swap.freeSlots) free swap slots)"
        case .busy:
            return "\(at): the range overlaps an existing mapping"
        default:
            return "\(at): \(e)"
        }
    }
}

/// The box behind a handle, or nil for NULL.
@inline(__always)
func worldBox(_ w: OpaquePointer?) -> WorldBox? {
    guard let w else { return nil }
    return Unmanaged<WorldBox>.fromOpaque(UnsafeRawPointer(w)).takeUnretainedValue()
}

/// Addresses a world accepts: below 2^47.
func checkAddress(_ addr: UInt64, _ name: String = "address") throws(Failure) {
    guard addr < VA.userTop else { throw .inval("\(name) \(hex0x(addr)) is not below 2^47") }
}

/// A range [addr, addr + len): page-aligned start (when `aligned`), len ≥ 1, ending by 2^47.
func checkRange(_ addr: UInt64, _ len: UInt64, aligned: Bool = true) throws(Failure) {
    if aligned && addr & (VA.pageSize - 1) != 0 { throw .inval("address \(hex0x(addr)) is not page aligned") }
    guard len > 0 else { throw .inval("length is 0") }
    guard addr < VA.userTop, len <= VA.userTop - addr else {
        throw .inval("range [\(hex0x(addr)), +\(hex0x(len))) does not end by 2^47")
    }
}

// MARK: Config

extension WorldConfig {
    /// The core config a C config names, or the reason it is refused.
    init(_ c: mmm_world_config) throws(Failure) {
        self.init()
        guard let f = PteFormat(cValue: c.arch) else { throw .inval("unknown arch \(hex0x(UInt64(c.arch)))") }
        guard c.frames >= 1, c.frames <= 1 << 26 else { throw .inval("frames \(c.frames) not in 1 ... 2^26") }
        guard c.swap_slots >= 1, c.swap_slots <= 1 << 26 else {
            throw .inval("swap_slots \(c.swap_slots) not in 1 ... 2^26")
        }
        guard let top = THPSetting(rawValue: c.thp_enabled), top != .inherit else {
            throw .inval("thp_enabled \(c.thp_enabled) is not NEVER, ALWAYS or MADVISE")
        }
        guard c.page_cluster <= 31 else { throw .inval("page_cluster \(c.page_cluster) above 31") }
        let orders = [c.thp_orders.0, c.thp_orders.1, c.thp_orders.2, c.thp_orders.3, c.thp_orders.4,
                      c.thp_orders.5, c.thp_orders.6, c.thp_orders.7, c.thp_orders.8, c.thp_orders.9]
        guard orders[0] == 0, orders[1] == 0 else { throw .inval("thp_orders[0] or [1] is not 0 (no such size)") }
        var settings: [THPSetting] = [.never, .never]
        for o in 2...9 {
            guard let s = THPSetting(rawValue: UInt32(orders[o])) else {
                throw .inval("thp_orders[\(o)] = \(orders[o]) is not a MMM_THP_* value")
            }
            settings.append(s)
        }
        guard c.use_huge_zero_page <= 1 else { throw .inval("use_huge_zero_page is not 0 or 1") }
        guard let dev = SwapDeviceKind(rawValue: UInt32(c.swap_device)) else {
            throw .inval("swap_device \(c.swap_device) is not MMM_SWAP_SYNC or MMM_SWAP_ASYNC")
        }
        guard c.reserved == 0 else { throw .inval("reserved is not 0") }
        guard c.ksm_use_zero_pages <= 1 else { throw .inval("ksm_use_zero_pages is not 0 or 1") }
        let r2 = c.reserved2
        guard r2.0 | r2.1 | r2.2 | r2.3 | r2.4 | r2.5 | r2.6 == 0 else { throw .inval("reserved2 is not 0") }
        format = f
        frames = Int(c.frames)
        swapSlots = Int(c.swap_slots)
        thpEnabled = top
        thpOrders = settings
        useHugeZeroPage = c.use_huge_zero_page == 1
        swapDevice = dev
        pageCluster = Int(c.page_cluster)
        ksmUseZeroPages = c.ksm_use_zero_pages == 1
    }
}

/// The sizes of struct mmm_world_config a caller may give: the first layout's
/// (MMM_WORLD_CONFIG_SIZE_V0, before ksm_use_zero_pages) or at least the
/// current one; a size ending inside a field is refused.
func worldConfigSizeOK(_ n: Int) -> Bool {
    n == Int(MMM_WORLD_CONFIG_SIZE_V0) || n >= MemoryLayout<mmm_world_config>.size
}

@_cdecl("mmm_world_config_init")
public func mmm_world_config_init(_ cfg: UnsafeMutablePointer<mmm_world_config>?) -> Int32 {
    guard let cfg, worldConfigSizeOK(callerSize(UnsafePointer(cfg))) else { return EINVAL_C }
    writeSized(mmm_world_config(WorldConfig()), to: cfg)
    return 0
}

extension mmm_world_config {
    /// The C form of a world configuration (thp_orders[0] and [1] are always 0:
    /// anonymous memory has no order-1 size).
    init(_ d: WorldConfig) {
        self.init()
        arch = d.format.cValue
        frames = UInt64(d.frames)
        swap_slots = UInt64(d.swapSlots)
        thp_enabled = d.thpEnabled.rawValue
        page_cluster = UInt32(d.pageCluster)
        let o = d.thpOrders.map { UInt8(truncatingIfNeeded: $0.rawValue) }
        thp_orders = (0, 0, o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9])
        use_huge_zero_page = d.useHugeZeroPage ? 1 : 0
        swap_device = UInt8(d.swapDevice.rawValue)
        ksm_use_zero_pages = d.ksmUseZeroPages ? 1 : 0
    }
}

// MARK: Lifecycle

@_cdecl("mmm_world_create")
public func mmm_world_create(_ cfg: UnsafePointer<mmm_world_config>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let cfg, let out else { return EINVAL_C }
    var c = mmm_world_config()
    // A config of the first layout (before ksm_use_zero_pages) is accepted:
    // the fields it lacks read as 0.
    guard worldConfigSizeOK(callerSize(cfg)), readSized(cfg, into: &c, minSize: Int(MMM_WORLD_CONFIG_SIZE_V0)) else {
        return EINVAL_C
    }
    do {
        let config = try WorldConfig(c)
        let world = try World(config)
        out.pointee = OpaquePointer(Unmanaged.passRetained(WorldBox(world)).toOpaque())
        return 0
    } catch let e as Failure {
        return e.err.cValue
    } catch let e as MMMError {
        return e.cValue
    } catch {
        return EINVAL_C
    }
}

@_cdecl("mmm_world_destroy")
public func mmm_world_destroy(_ w: OpaquePointer?) {
    guard let w else { return }
    Unmanaged<WorldBox>.fromOpaque(UnsafeRawPointer(w)).release()
}

@_cdecl("mmm_world_errmsg")
public func mmm_world_errmsg(_ w: OpaquePointer?) -> UnsafePointer<CChar> {
    worldBox(w)?.messagePointer ?? cString("")
}
