// Header area: scenarios — run a script (docs/scenario-language.md) from a
// string or a file and read its observation (docs/observation-format.md) as
// text, through a callback, and its verdict.
//
// A handle is a retained `ScenarioBox` holding the finished run: the text in
// the form the flags asked for, and the messages, each NUL-terminated and
// owned by the box. Bad arguments are refused before the core sees them; a
// script that does not parse or whose run stops is not an argument error: it
// gives a handle whose status says so.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMMModel
import MMModel

let scenarioFlagsKnown: UInt32 = 0x3   // MMM_SCENARIO_VERBOSE | MMM_SCENARIO_JSON

/// A finished scenario run, as the C caller sees it.
final class ScenarioBox {
    let result: ScenarioResult
    /// The observation (text or JSON, per the flags), NUL-terminated, and its length.
    let text: UnsafeMutablePointer<CChar>
    let textLength: Int
    /// The failed expectations and the error, one per line, NUL-terminated.
    let message: UnsafeMutablePointer<CChar>

    init(_ result: ScenarioResult, flags: UInt32) {
        self.result = result
        (text, textLength) = ScenarioBox.copy(ScenarioBox.observation(result, flags: flags))
        var lines = result.failures.map { "line \($0.line): \($0.message)" }
        if let e = result.error { lines.append(e.line > 0 ? "line \(e.line): \(e.message)" : e.message) }
        message = ScenarioBox.copy(lines.joined(separator: "\n")).0
    }

    deinit {
        text.deallocate()
        message.deallocate()
    }

    /// A NUL-terminated copy owned by the box, and its length without the NUL.
    static func copy(_ s: String) -> (UnsafeMutablePointer<CChar>, Int) {
        let bytes = s.utf8CString
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: bytes.count) }
        return (p, bytes.count - 1)
    }

    static func observation(_ r: ScenarioResult, flags: UInt32) -> String {
        let verbose = flags & 0x1 != 0
        return flags & 0x2 != 0 ? r.observationJSON(verbose: verbose) + "\n" : r.observationText(verbose: verbose)
    }
}

@inline(__always)
func scenarioBox(_ s: OpaquePointer?) -> ScenarioBox? {
    guard let s else { return nil }
    return Unmanaged<ScenarioBox>.fromOpaque(UnsafeRawPointer(s)).takeUnretainedValue()
}

/// The script in `text[0..<len]` as a String; an errno for bad arguments.
func scenarioText(_ text: UnsafePointer<CChar>?, _ len: Int, _ flags: UInt32) -> Result<String, MMMError> {
    guard let text, len > 0, flags & ~scenarioFlagsKnown == 0 else { return .failure(.invalidArgument) }
    let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(text), count: len)
    guard let s = String(validating: bytes, as: UTF8.self) else { return .failure(.illegalByteSequence) }
    return .success(s)
}

/// Runs a script and hands out a handle.
func runScenario(_ text: String, name: String, flags: UInt32, _ out: UnsafeMutablePointer<OpaquePointer?>) {
    let box = ScenarioBox(Scenario.run(text: text, name: name), flags: flags)
    out.pointee = OpaquePointer(Unmanaged.passRetained(box).toOpaque())
}

@_cdecl("mmm_scenario_run")
public func mmm_scenario_run(_ text: UnsafePointer<CChar>?, _ len: Int, _ flags: UInt32,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let out, len >= 0 else { return EINVAL_C }
    switch scenarioText(text, len, flags) {
    case .failure(let e): return e.cValue
    case .success(let s):
        runScenario(s, name: "", flags: flags, out)
        return 0
    }
}

@_cdecl("mmm_scenario_run_file")
public func mmm_scenario_run_file(_ path: UnsafePointer<CChar>?, _ flags: UInt32,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let path, let out, flags & ~scenarioFlagsKnown == 0, path.pointee != 0 else { return EINVAL_C }
    var bytes: [UInt8] = []
    switch readFile(path, into: &bytes) {
    case .some(let e): return e.cValue
    case .none: break
    }
    guard !bytes.isEmpty else { return EINVAL_C }
    guard let text = String(validating: bytes, as: UTF8.self) else { return MMMError.illegalByteSequence.cValue }
    // The file's name labels the observation (`scenario NAME`), as `mmm run` does.
    let name = String(validating: UnsafeRawBufferPointer(start: UnsafeRawPointer(path), count: strlen(path)), as: UTF8.self) ?? ""
    runScenario(text, name: name, flags: flags, out)
    return 0
}

/// Reads a whole file; nil on success, else the error (ENOENT, EACCES,
/// EISDIR; any other failure is EIO).
func readFile(_ path: UnsafePointer<CChar>, into bytes: inout [UInt8]) -> MMMError? {
    func fromErrno() -> MMMError {
        // __errno_location(), not the Glibc overlay's `errno`: the overlay's
        // Swift accessor is not in the static runtime libmmmodel links.
        switch __errno_location().pointee {
        case 2, 20: return .noSuchFile          // ENOENT, ENOTDIR (a path component)
        case 13: return .accessDenied
        case 21: return .isDirectory
        default: return .ioError
        }
    }
    guard let fp = fopen(path, "rb") else { return fromErrno() }
    defer { fclose(fp) }
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { fread($0.baseAddress!, 1, $0.count, fp) }
        if n > 0 { bytes.append(contentsOf: buf[0..<n]) }
        if n < buf.count {
            if ferror(fp) != 0 { return fromErrno() }
            return nil
        }
    }
}

@_cdecl("mmm_scenario_run_cb")
public func mmm_scenario_run_cb(_ text: UnsafePointer<CChar>?, _ len: Int, _ flags: UInt32,
                                _ fn: mmm_scenario_line_fn?, _ ctx: UnsafeMutableRawPointer?) -> Int32 {
    guard let fn, len >= 0 else { return EINVAL_C }
    let script: String
    switch scenarioText(text, len, flags) {
    case .failure(let e): return e.cValue
    case .success(let s): script = s
    }
    let r = Scenario.run(text: script, name: "")
    var observation = ScenarioBox.observation(r, flags: flags)
    observation.withUTF8 { all in
        var start = 0
        var line: [CChar] = []
        for (i, b) in all.enumerated() where b == UInt8(ascii: "\n") {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: all[start..<i].map { CChar(bitPattern: $0) })
            line.append(0)
            line.withUnsafeBufferPointer { fn($0.baseAddress!, ctx) }
            start = i + 1
        }
    }
    return r.passed ? 0 : 1
}

@_cdecl("mmm_scenario_status")
public func mmm_scenario_status(_ s: OpaquePointer?, _ out: UnsafeMutablePointer<mmm_scenario_status>?) -> Int32 {
    guard let box = scenarioBox(s) else { return EINVAL_C }
    let r = box.result
    if let out {
        guard callerSize(UnsafePointer(out)) >= MemoryLayout<mmm_scenario_status>.size else { return EINVAL_C }
        var st = mmm_scenario_status()
        st.passed = r.passed ? 1 : 0
        st.stopped = r.error == nil ? 0 : 1
        st.held = UInt32(clamping: r.expectationsHeld)
        st.failed = UInt32(clamping: r.failures.count)
        st.error_line = UInt32(clamping: r.error?.line ?? 0)
        st.snapshots = UInt32(clamping: r.snapshots.count)
        writeSized(st, to: out)
    }
    return r.passed ? 0 : 1
}

@_cdecl("mmm_scenario_text")
public func mmm_scenario_text(_ s: OpaquePointer?, _ len: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar> {
    guard let box = scenarioBox(s) else {
        len?.pointee = 0
        return cString("")
    }
    len?.pointee = box.textLength
    return UnsafePointer(box.text)
}

@_cdecl("mmm_scenario_errmsg")
public func mmm_scenario_errmsg(_ s: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let box = scenarioBox(s) else { return cString("") }
    return UnsafePointer(box.message)
}

@_cdecl("mmm_scenario_free")
public func mmm_scenario_free(_ s: OpaquePointer?) {
    guard let s else { return }
    Unmanaged<ScenarioBox>.fromOpaque(UnsafeRawPointer(s)).release()
}
