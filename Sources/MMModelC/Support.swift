// Shared plumbing of the C ABI: turning C values into core values and back.
// Nothing here traps on caller input; every failure becomes a negative errno.
import CMMModel
import MMModel

/// The `PteFormat` an `mmm_arch` word names, or nil (→ -EINVAL).
@inline(__always)
func format(_ arch: UInt32) -> PteFormat? { PteFormat(cValue: arch) }

/// -EINVAL, a literal so that returning it costs no global initialisation.
let EINVAL_C: Int32 = -22

/// A C string pointer to a static string literal (Swift keeps literals NUL-terminated).
@inline(__always)
func cString(_ s: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// The `size` field every sized struct starts with.
@inline(__always)
func callerSize<T>(_ p: UnsafePointer<T>) -> Int {
    Int(UnsafeRawPointer(p).load(as: UInt32.self))
}

/// Reads a caller's sized struct: nil when its `size` is below `minSize`;
/// bytes beyond the caller's size read as zero (`into` starts zeroed).
func readSized<T>(_ p: UnsafePointer<T>, into value: inout T, minSize: Int) -> Bool {
    let n = callerSize(p)
    guard n >= minSize else { return false }
    withUnsafeMutableBytes(of: &value) { dst in
        dst.copyMemory(from: UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: min(n, dst.count)))
    }
    return true
}

/// Writes a sized struct to the caller: at most the caller's `size` bytes, and
/// the caller's `size` field stays as it was.
func writeSized<T>(_ value: T, to p: UnsafeMutablePointer<T>) {
    let n = callerSize(UnsafePointer(p))
    var v = value
    if n >= MemoryLayout<T>.size {
        // The usual case: the whole struct, with the caller's size kept; a
        // fixed-size store instead of a variable-length memcpy call.
        withUnsafeMutableBytes(of: &v) { $0.storeBytes(of: UInt32(truncatingIfNeeded: n), as: UInt32.self) }
        p.pointee = v
        return
    }
    withUnsafeMutableBytes(of: &v) { src in
        src.storeBytes(of: UInt32(truncatingIfNeeded: n), as: UInt32.self)
        UnsafeMutableRawPointer(p).copyMemory(from: src.baseAddress!, byteCount: min(n, src.count))
    }
}

/// Stores a result PTE: 0, or -EINVAL for a NULL out-pointer.
@inline(__always)
func store(_ value: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let out else { return EINVAL_C }
    out.pointee = value
    return 0
}

/// Runs a core operation that may throw and stores its PTE.
@inline(__always)
func store(_ out: UnsafeMutablePointer<UInt64>?, _ body: () throws(MMMError) -> Pte) -> Int32 {
    guard let out else { return EINVAL_C }
    do {
        out.pointee = try body().raw
        return 0
    } catch {
        return error.cValue
    }
}

@inline(__always)
func bool(_ b: Bool) -> Int32 { b ? 1 : 0 }
