// Shared helpers of the encoding tests: a seeded generator, the formats the
// tests run under, and buffer-free wrappers of the batch functions.
@testable import MMModel

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, seedable, well-mixed
/// generator, so every property run sees the same values for the same seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D1_0498_49BB_133B
        return z ^ (z >> 31)
    }
}

/// The configurations the tests run under: the full one (MAX_SWAPFILES 24), the
/// live 6.18 one (28), none at all (31), and two partial ones (spec encoding §4.2).
let testConfigs: [KernelConfig] = [
    .all, .live618, [], [.migration, .memoryFailure], [.softDirty, .devicePrivate],
]

/// Every arch under every test configuration.
let testFormats: [PteFormat] = Arch.allCases.flatMap { arch in
    testConfigs.map { PteFormat(arch: arch, config: $0) }
}

extension PteFormat {
    /// `folioPteBatch` over an array (the array is the caller's copy of the table).
    func batch(_ ptes: [UInt64], _ a: FpbArgs) throws(MMMError) -> FpbResult {
        var result: Result<FpbResult, MMMError> = .failure(.invalidArgument)
        ptes.withUnsafeBufferPointer { buf in
            do throws(MMMError) { result = .success(try folioPteBatch(buf, a)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// `swapPteBatch` over an array.
    func swapBatch(_ ptes: [UInt64], maxNr: Int) throws(MMMError) -> Int {
        var result: Result<Int, MMMError> = .failure(.invalidArgument)
        ptes.withUnsafeBufferPointer { buf in
            do throws(MMMError) { result = .success(try swapPteBatch(buf, maxNr: maxNr)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// A real swap PTE built by the kernel's formulas (`__swp_entry()` plus the
    /// `pte_swp_mk*()` bits), for tests that need one without going through encode.
    func swapPte(type: UInt32, offset: UInt64, _ flags: SwpFlags = []) -> Pte {
        var p = archSwpEntry(type: type, offset: offset)
        for (flag, _) in SwpFlags.named where flags.contains(flag) { p = swpSet(p, flag) }
        return p
    }
}

/// Collects property failures so that a loop of 100k values costs one `#expect`.
struct FailureLog {
    private(set) var count = 0
    private(set) var first: [String] = []
    mutating func fail(_ what: @autoclosure () -> String) {
        count += 1
        if first.count < 5 { first.append(what()) }
    }
    var summary: String { "\(count) failures, first: \(first.joined(separator: "; "))" }
}
