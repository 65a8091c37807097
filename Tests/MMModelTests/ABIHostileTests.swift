// The C entry points driven with hostile values through the header's own
// prototypes (CMMModel; mmm_arch_info through MMModelC, since Swift gives that
// name to the struct), asserting the errno mmmodel.h documents for each; and
// one exit test that runs the whole sweep in a child process to prove that no
// input traps (style §4.2: "the opposite promise").
import CMMModel
import MMModelC
import Testing

private let EINVAL: Int32 = -22
private let ERANGE: Int32 = -34

private let x86 = MMM_ARCH_X86_64
private let arm = MMM_ARCH_ARM64
private let badArches: [UInt32] = [0, 3, 0xFF, 0xFFFF_FFFF, 1 << 16, MMM_ARCH_X86_64 | 0x2000, MMM_ARCH_ARM64 | 1 << 31]
private let hostilePtes: [UInt64] = [0, .max, 1, 0x60, 1 << 63, 0x8000_0000_0000_0000 | 0x100, 0x7FFF_FFFF_FFFF_FFFF]

private typealias Pred = @Sendable (mmm_arch, UInt64) -> Int32
private typealias Mut = @Sendable (mmm_arch, UInt64, UnsafeMutablePointer<UInt64>?) -> Int32

private let predicates: [Pred] = [
    CMMModel.mmm_pte_none, CMMModel.mmm_pte_present, CMMModel.mmm_pte_protnone, CMMModel.mmm_pte_write,
    CMMModel.mmm_pte_dirty, CMMModel.mmm_pte_young, CMMModel.mmm_pte_soft_dirty, CMMModel.mmm_pte_uffd_wp,
    CMMModel.mmm_pte_special, CMMModel.mmm_is_swap_pte, CMMModel.mmm_pte_swp_exclusive,
    CMMModel.mmm_pte_swp_soft_dirty, CMMModel.mmm_pte_swp_uffd_wp,
]
private let presentMutators: [Mut] = [
    CMMModel.mmm_pte_mkwrite, CMMModel.mmm_pte_mkwrite_novma, CMMModel.mmm_pte_wrprotect, CMMModel.mmm_pte_mkdirty,
    CMMModel.mmm_pte_mkclean, CMMModel.mmm_pte_mkyoung, CMMModel.mmm_pte_mkold, CMMModel.mmm_pte_mksoft_dirty,
    CMMModel.mmm_pte_clear_soft_dirty, CMMModel.mmm_pte_mkuffd_wp, CMMModel.mmm_pte_clear_uffd_wp,
    CMMModel.mmm_pte_mkspecial, CMMModel.mmm_pte_pfn, CMMModel.mmm_pte_next_pfn,
]
private let swapMutators: [Mut] = [
    CMMModel.mmm_pte_swp_mkexclusive, CMMModel.mmm_pte_swp_clear_exclusive, CMMModel.mmm_pte_swp_mksoft_dirty,
    CMMModel.mmm_pte_swp_clear_soft_dirty, CMMModel.mmm_pte_swp_mkuffd_wp, CMMModel.mmm_pte_swp_clear_uffd_wp,
    CMMModel.mmm_pte_next_swp_offset, CMMModel.mmm_pte_to_swp_entry,
]

// Spec §2.5 / §3.6: swap (3, 0x1234) and the §1.5 / §3.6 present PTEs.
private func swapPte(_ arch: mmm_arch) -> UInt64 { arch & 0xFF == x86 ? 0x1FFF_FFFF_FFDB_9600 : 0x0000_0000_0123_40C0 }
private func presentPte(_ arch: mmm_arch) -> UInt64 { arch & 0xFF == x86 ? 0x8000_0000_1234_5067 : 0x0068_0000_1234_5FC3 }

@Test("unknown mmm_arch words give -EINVAL from every function that takes one, and leave out-pointers alone")
func abiUnknownArch() {
    for arch in badArches {
        for p in predicates { for v in hostilePtes { #expect(p(arch, v) == EINVAL) } }
        for m in presentMutators + swapMutators {
            var out: UInt64 = 0xAAAA
            #expect(m(arch, presentPte(x86), &out) == EINVAL && out == 0xAAAA)
        }
        var out: UInt64 = 0xAAAA
        #expect(CMMModel.mmm_pte_advance_pfn(arch, presentPte(x86), 1, &out) == EINVAL)
        #expect(CMMModel.mmm_pte_move_swp_offset(arch, swapPte(x86), 1, &out) == EINVAL)
        #expect(CMMModel.mmm_swp_entry_to_pte(arch, 0x0C00_0000_0000_1234, &out) == EINVAL)
        #expect(CMMModel.mmm_non_swap_entry(arch, 0) == EINVAL)
        #expect(out == 0xAAAA)
        var info = mmm_arch_info()
        info.size = UInt32(MemoryLayout<mmm_arch_info>.size)
        #expect(MMModelC.mmm_arch_info(arch, &info) == EINVAL)
        var pi = mmm_pte_info()
        pi.size = UInt32(MemoryLayout<mmm_pte_info>.size)
        #expect(CMMModel.mmm_pte_decode(arch, 0, &pi) == EINVAL)
        #expect(CMMModel.mmm_pte_encode(arch, &pi, &out) == EINVAL)
        #expect(CMMModel.mmm_pte_format(arch, 0, nil, 0) == EINVAL)
        var ptes: [UInt64] = [presentPte(x86)]
        var args = mmm_fpb_args(size: 40, api: 0, flags: 0, table_index: 0, folio_pfn: 0x12345, folio_nr_pages: 1, max_nr: 1)
        #expect(CMMModel.mmm_folio_pte_batch(arch, &ptes, 1, &args, nil) == EINVAL)
        ptes = [swapPte(x86)]
        #expect(CMMModel.mmm_swap_pte_batch(arch, &ptes, 1, 1) == EINVAL)
    }
    // Every configuration bit may be combined; reserved bits 13-31 may not.
    #expect(CMMModel.mmm_pte_none(x86 | 0x1F00, 0) == 1 && CMMModel.mmm_pte_none(arm | 0x1F00, 0) == 1)
}

@Test("NULL out-pointers give -EINVAL (header: out-pointers must not be NULL)")
func abiNullOut() {
    for arch in [x86, arm] {
        for m in presentMutators { #expect(m(arch, presentPte(arch), nil) == EINVAL) }
        for m in swapMutators { #expect(m(arch, swapPte(arch), nil) == EINVAL) }
        #expect(CMMModel.mmm_pte_advance_pfn(arch, presentPte(arch), 1, nil) == EINVAL)
        #expect(CMMModel.mmm_pte_move_swp_offset(arch, swapPte(arch), 1, nil) == EINVAL)
        #expect(CMMModel.mmm_swp_entry_to_pte(arch, 0x0C00_0000_0000_1234, nil) == EINVAL)
        #expect(MMModelC.mmm_arch_info(arch, nil) == EINVAL)
        #expect(CMMModel.mmm_pte_decode(arch, 0, nil) == EINVAL)
        var info = mmm_pte_info()
        info.size = 64
        info.kind = MMM_PTE_KIND_SWAP
        info.swp_type = 3
        #expect(CMMModel.mmm_pte_encode(arch, &info, nil) == EINVAL)
        var out: UInt64 = 0
        #expect(CMMModel.mmm_pte_encode(arch, nil, &out) == EINVAL)
        #expect(CMMModel.mmm_pte_format(arch, 0, nil, 1) == EINVAL)
        var args = mmm_fpb_args(size: 40, api: 0, flags: 0, table_index: 0, folio_pfn: 0x12345, folio_nr_pages: 1, max_nr: 1)
        var ptes = [presentPte(arch)]
        #expect(CMMModel.mmm_folio_pte_batch(arch, nil, 1, &args, nil) == EINVAL)
        #expect(CMMModel.mmm_folio_pte_batch(arch, &ptes, 1, nil, nil) == EINVAL)
        #expect(CMMModel.mmm_swap_pte_batch(arch, nil, 1, 1) == EINVAL)
    }
    #expect(CMMModel.mmm_swp_entry(3, 0x1234, nil) == EINVAL)
}

@Test("present-only and swap-only functions refuse the other kind with -EINVAL; all-ones and zero PTEs")
func abiWrongKind() {
    for arch in [x86, arm] {
        var out: UInt64 = 0xAAAA
        // 0 is none, the swap PTE is not present: present mutators refuse both.
        for m in presentMutators {
            #expect(m(arch, 0, &out) == EINVAL)
            #expect(m(arch, swapPte(arch), &out) == EINVAL)
        }
        // Present and none values are not swap PTEs.
        for m in swapMutators {
            #expect(m(arch, 0, &out) == EINVAL)
            #expect(m(arch, presentPte(arch), &out) == EINVAL)
        }
        #expect(out == 0xAAAA)
        // All ones is present on both (P / VALID set): the mutators accept it.
        for m in presentMutators.dropLast(1) { #expect(m(arch, .max, &out) == 0) }
        // ... and its PFN is the largest, so the next PFN does not fit.
        #expect(CMMModel.mmm_pte_next_pfn(arch, .max, &out) == ERANGE)
        #expect(CMMModel.mmm_pte_advance_pfn(arch, presentPte(arch), .max, &out) == ERANGE)
        #expect(CMMModel.mmm_pte_advance_pfn(arch, presentPte(arch), 0, &out) == 0 && out == presentPte(arch))
        // Migration and marker entries are swap PTEs but not real swap entries.
        #expect(CMMModel.mmm_pte_move_swp_offset(arch, arch == x86 ? 0xFFFF_FFFF_FFFF_FC00 : 0x17C0, 1, &out) == EINVAL)
        #expect(CMMModel.mmm_pte_move_swp_offset(arch, arch == x86 ? 0xCFFF_FFFF_FDB9_7400 : 0x1234_5640, 1, &out) == EINVAL)
    }
}

@Test("stepping extremes: Int64.min / Int64.max deltas and 2^50 edges give -ERANGE (mmm_pte_move_swp_offset)")
func abiStepping() {
    for arch in [x86, arm] {
        var out: UInt64 = 0xAAAA
        for d in [Int64.min, Int64.max, Int64.min + 1, -0x1235, 1 << 50, -(1 << 50)] {
            #expect(CMMModel.mmm_pte_move_swp_offset(arch, swapPte(arch), d, &out) == ERANGE)
        }
        #expect(out == 0xAAAA)
        #expect(CMMModel.mmm_pte_move_swp_offset(arch, swapPte(arch), -0x1234, &out) == 0)
        #expect(CMMModel.mmm_pte_move_swp_offset(arch, swapPte(arch), (1 << 50) - 1 - 0x1234, &out) == 0)
        #expect(out == (arch == x86 ? 0x1800_0000_0000_0000 : 0x3FFF_FFFF_FFFF_F0C0))  // spec §2.5 / §3.6
    }
}

@Test("generic entries: type ≥ 32 or offset ≥ 2^58 → -ERANGE; bit 63 → -EINVAL; offsets ≥ 2^50 → -ERANGE; none collisions → -EINVAL")
func abiEntries() {
    var e: UInt64 = 0xAAAA
    #expect(CMMModel.mmm_swp_entry(32, 0, &e) == ERANGE)
    #expect(CMMModel.mmm_swp_entry(.max, 0, &e) == ERANGE)
    #expect(CMMModel.mmm_swp_entry(0, 1 << 58, &e) == ERANGE)
    #expect(CMMModel.mmm_swp_entry(0, .max, &e) == ERANGE)
    #expect(e == 0xAAAA)
    #expect(CMMModel.mmm_swp_entry(3, 0x1234, &e) == 0 && e == 0x0C00_0000_0000_1234)  // spec §4.1
    #expect(CMMModel.mmm_swp_type(.max) == 63 && CMMModel.mmm_swp_offset(.max) == (1 << 58) - 1)
    for arch in [x86, arm] {
        var p: UInt64 = 0xAAAA
        #expect(CMMModel.mmm_non_swap_entry(arch, 1 << 63) == EINVAL)
        #expect(CMMModel.mmm_non_swap_entry(arch, 0x7C00_0000_0000_0001) == 1)
        #expect(CMMModel.mmm_non_swap_entry(arch, 0x0C00_0000_0000_1234) == 0)
        #expect(CMMModel.mmm_swp_entry_to_pte(arch, 1 << 63, &p) == EINVAL)
        #expect(CMMModel.mmm_swp_entry_to_pte(arch, .max, &p) == EINVAL)
        #expect(CMMModel.mmm_swp_entry_to_pte(arch, 1 << 50, &p) == ERANGE)
        #expect(CMMModel.mmm_swp_entry_to_pte(arch, arch == x86 ? (1 << 50) - 1 : 0, &p) == EINVAL)
        #expect(p == 0xAAAA)
        #expect(CMMModel.mmm_pte_to_swp_entry(arch, 0, &p) == EINVAL)
        #expect(CMMModel.mmm_pte_to_swp_entry(arch, presentPte(arch), &p) == EINVAL)
    }
}

@Test("sized structs: size 0 or too small → -EINVAL and nothing written; larger sizes accepted")
func abiSizedStructs() {
    for arch in [x86, arm, x86 | MMM_ARCH_CFG_NO_SOFT_DIRTY | MMM_ARCH_CFG_NO_DEVICE_PRIVATE | MMM_ARCH_CFG_NO_MEMORY_FAILURE] {
        for size: UInt32 in [0, 1, 4, 55] {
            var info = mmm_arch_info()
            info.size = size
            info.max_swapfiles = 0xAAAA
            #expect(MMModelC.mmm_arch_info(arch, &info) == EINVAL && info.max_swapfiles == 0xAAAA)
        }
        // A caller that knows a bigger (future) struct: accepted; the tail stays untouched.
        let big = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 8)
        defer { big.deallocate() }
        big.initializeMemory(as: UInt8.self, repeating: 0xAB, count: 128)
        big.storeBytes(of: UInt32(128), as: UInt32.self)
        #expect(MMModelC.mmm_arch_info(arch, big.assumingMemoryBound(to: mmm_arch_info.self)) == 0)
        let info = big.load(as: mmm_arch_info.self)
        #expect(info.size == 128 && big.load(fromByteOffset: 56, as: UInt8.self) == 0xAB)
        // Spec §4.2 (24 full, 28 live), §2.1 / §3.5 (50-bit offsets), §3.4 (CONT_PTES 16).
        #expect(info.max_swapfiles == (arch & 0x400 != 0 ? 28 : 24))
        #expect(info.max_swp_offset == (1 << 50) - 1 && info.ptes_per_table == 512)
        #expect(info.cont_ptes == (arch & 0xFF == arm ? 16 : 1))

        for size: UInt32 in [0, 8, 63] {
            var pi = mmm_pte_info()
            pi.size = size
            pi.pfn = 0xAAAA
            #expect(CMMModel.mmm_pte_decode(arch, presentPte(arch), &pi) == EINVAL && pi.pfn == 0xAAAA)
            var out: UInt64 = 0xAAAA
            pi.kind = MMM_PTE_KIND_NONE
            pi.pfn = 0
            #expect(CMMModel.mmm_pte_encode(arch, &pi, &out) == EINVAL && out == 0xAAAA)
        }
        var pi = mmm_pte_info()
        pi.size = 64
        #expect(CMMModel.mmm_pte_decode(arch, presentPte(arch), &pi) == 0 && pi.pfn == 0x12345 && pi.size == 64)
        var out: UInt64 = 0
        #expect(CMMModel.mmm_pte_encode(arch, &pi, &out) == 0 && out == presentPte(arch))
        // Encode refuses unknown kinds, non-zero reserved / stray, and unknown flags.
        for kind: UInt32 in [11, 0xFFFF_FFFF] {
            var bad = pi
            bad.kind = kind
            #expect(CMMModel.mmm_pte_encode(arch, &bad, &out) == EINVAL)
        }
        var bad = pi
        bad.reserved = 1
        #expect(CMMModel.mmm_pte_encode(arch, &bad, &out) == EINVAL)
        bad = pi
        bad.stray = 0x10
        #expect(CMMModel.mmm_pte_encode(arch, &bad, &out) == EINVAL)
        bad = pi
        bad.flags = .max
        #expect(CMMModel.mmm_pte_encode(arch, &bad, &out) == EINVAL)
        bad = pi
        bad.pfn = .max
        #expect(CMMModel.mmm_pte_encode(arch, &bad, &out) == ERANGE)
        var swap = mmm_pte_info()
        swap.size = 64
        swap.kind = MMM_PTE_KIND_SWAP
        swap.swp_type = 24
        #expect(CMMModel.mmm_pte_encode(arch, &swap, &out) == (arch & 0x400 != 0 ? 0 : ERANGE))
        swap.swp_type = 3
        swap.swp_offset = 1 << 50
        #expect(CMMModel.mmm_pte_encode(arch, &swap, &out) == ERANGE)
    }
}

@Test("mmm_pte_format: NULL buffer with len 0 gives the length; truncation keeps a NUL; NULL with len > 0 is -EINVAL")
func abiFormat() {
    let n = CMMModel.mmm_pte_format(x86, 0x8000_0000_1234_5067, nil, 0)
    #expect(n > 0)
    var buf = [CChar](repeating: 0x7F, count: 8)
    #expect(CMMModel.mmm_pte_format(x86, 0x8000_0000_1234_5067, &buf, 1) == n)
    #expect(buf[0] == 0 && buf[1] == 0x7F)
    #expect(CMMModel.mmm_pte_format(x86, 0x8000_0000_1234_5067, &buf, 8) == n)
    #expect(buf[7] == 0)
    for v in hostilePtes { for arch in [x86, arm] { #expect(CMMModel.mmm_pte_format(arch, v, nil, 0) > 0) } }
}

@Test("mmm_folio_pte_batch hostile arguments: max_nr 0 / > nr_ptes / UInt64.max, index 512, folio 0 pages, bad api and flags, overflow")
func abiFolioBatch() {
    for arch in [x86, arm] {
        var ptes: [UInt64] = [presentPte(arch), 0, 0, 0]
        func call(_ mutate: (inout mmm_fpb_args) -> Void, nr: Int = 4) -> Int32 {
            var a = mmm_fpb_args(size: 40, api: MMM_FPB_API_6_17, flags: 0, table_index: 0,
                                 folio_pfn: 0x12340, folio_nr_pages: 16, max_nr: 4)
            mutate(&a)
            var res = mmm_fpb_result()
            res.size = 24
            res.nr = 0xAAAA
            let r = CMMModel.mmm_folio_pte_batch(arch, &ptes, nr, &a, &res)
            if r < 0 && res.nr != 0xAAAA { return -9999 }  // written on error
            return r
        }
        #expect(call { _ in } == 1)
        #expect(call { $0.size = 0 } == EINVAL)
        #expect(call { $0.size = 39 } == EINVAL)
        #expect(call { $0.max_nr = 0 } == EINVAL)
        #expect(call { $0.max_nr = 5 } == EINVAL)
        #expect(call { $0.max_nr = .max } == EINVAL)
        #expect(call({ $0.max_nr = 1 }, nr: 0) == EINVAL)
        #expect(call { $0.table_index = 512 } == EINVAL)
        #expect(call { $0.table_index = .max } == EINVAL)
        #expect(call { $0.folio_nr_pages = 0 } == EINVAL)
        #expect(call { $0.api = 2 } == EINVAL)
        #expect(call { $0.api = .max } == EINVAL)
        #expect(call { $0.flags = 0x20 } == EINVAL)
        #expect(call { $0.api = MMM_FPB_API_6_10; $0.flags = 0x04 } == EINVAL)
        #expect(call { $0.folio_pfn = 0x12346 } == EINVAL)  // ptes[0] (PFN 0x12345) outside the folio
        #expect(call { $0.folio_pfn = .max; $0.folio_nr_pages = 2 } == ERANGE)
        #expect(call { $0.folio_pfn = 0; $0.folio_nr_pages = .max } == ERANGE)
        ptes[0] = 0
        #expect(call { _ in } == EINVAL)
        ptes[0] = swapPte(arch)
        #expect(call { _ in } == EINVAL)
        // res with a too-small size.
        ptes[0] = presentPte(arch)
        var a = mmm_fpb_args(size: 40, api: 0, flags: 0, table_index: 0, folio_pfn: 0x12340, folio_nr_pages: 16, max_nr: 1)
        var res = mmm_fpb_result()
        res.size = 8
        #expect(CMMModel.mmm_folio_pte_batch(arch, &ptes, 4, &a, &res) == EINVAL)
        res.size = 24
        #expect(CMMModel.mmm_folio_pte_batch(arch, &ptes, 4, &a, &res) == 1 && res.nr == 1 && res.pte == presentPte(arch))
    }
}

@Test("mmm_swap_pte_batch hostile arguments: max_nr 0 / > nr_ptes / SIZE_MAX, first entry not a real swap PTE")
func abiSwapBatch() {
    for arch in [x86, arm] {
        var ptes: [UInt64] = [swapPte(arch), 0]
        #expect(CMMModel.mmm_swap_pte_batch(arch, &ptes, 2, 0) == EINVAL)
        #expect(CMMModel.mmm_swap_pte_batch(arch, &ptes, 2, 3) == EINVAL)
        #expect(CMMModel.mmm_swap_pte_batch(arch, &ptes, 2, .max) == EINVAL)
        #expect(CMMModel.mmm_swap_pte_batch(arch, &ptes, 0, 1) == EINVAL)
        #expect(CMMModel.mmm_swap_pte_batch(arch, &ptes, 2, 2) == 1)
        for first in [0, UInt64.max, presentPte(arch), arch == x86 ? 0xFFFF_FFFF_FFFF_FC00 : 0x17C0] {
            ptes[0] = first
            #expect(CMMModel.mmm_swap_pte_batch(arch, &ptes, 2, 1) == EINVAL)
        }
    }
}

@Test("mmm_strerror and the version: documented strings for every value, never NULL")
func abiStrings() {
    #expect(String(cString: CMMModel.mmm_strerror(0)) == "Success")
    #expect(String(cString: CMMModel.mmm_strerror(-22)) == "Invalid argument")
    #expect(String(cString: CMMModel.mmm_strerror(22)) == "Invalid argument")
    #expect(String(cString: CMMModel.mmm_strerror(-34)) == "Numerical result out of range")
    for v: Int32 in [1, -1, -9999, .max, .min + 1] {
        #expect(String(cString: CMMModel.mmm_strerror(v)) == "Unknown error")
    }
    #expect(String(cString: CMMModel.mmm_strerror(.min)) == "Unknown error")  // abs() must not trap
    #expect(String(cString: CMMModel.mmm_version()) == MMM_VERSION_STRING)
    #expect(CMMModel.mmm_version_number() == Int32(MMM_VERSION_MAJOR * 1_000_000 + MMM_VERSION_MINOR * 1000 + MMM_VERSION_PATCH))
}

/// Every entry point with hostile values; the exit test runs it in a child.
func hostileABISweep() {
    var out: UInt64 = 0
    let arches = badArches + [x86, arm, x86 | 0x1F00, arm | 0x1F00]
    let deltas: [Int64] = [.min, .max, -1, 0, 1, 1 << 50]
    for arch in arches {
        for v in hostilePtes + [swapPte(x86), swapPte(arm), presentPte(x86), presentPte(arm)] {
            for p in predicates { _ = p(arch, v) }
            for m in presentMutators + swapMutators { _ = m(arch, v, &out); _ = m(arch, v, nil) }
            for d in deltas { _ = CMMModel.mmm_pte_move_swp_offset(arch, v, d, &out) }
            for nr: UInt64 in [0, 1, .max] { _ = CMMModel.mmm_pte_advance_pfn(arch, v, nr, &out) }
            _ = CMMModel.mmm_swp_entry_to_pte(arch, v, &out)
            _ = CMMModel.mmm_non_swap_entry(arch, v)
            var pi = mmm_pte_info()
            pi.size = 64
            _ = CMMModel.mmm_pte_decode(arch, v, &pi)
            _ = CMMModel.mmm_pte_encode(arch, &pi, &out)
            pi.kind = UInt32(truncatingIfNeeded: v)
            pi.flags = v
            pi.pfn = v
            pi.swp_offset = v
            pi.swp_type = UInt32(truncatingIfNeeded: v >> 32)
            pi.marker = UInt32(truncatingIfNeeded: v)
            _ = CMMModel.mmm_pte_encode(arch, &pi, &out)
            var buf = [CChar](repeating: 0, count: 4)
            _ = CMMModel.mmm_pte_format(arch, v, &buf, 4)
            var ptes = [v, v, v]
            for maxNr in [0, 1, 3, Int.max] { _ = CMMModel.mmm_swap_pte_batch(arch, &ptes, 3, maxNr) }
            var a = mmm_fpb_args(size: 40, api: UInt32(truncatingIfNeeded: v & 3), flags: UInt32(truncatingIfNeeded: v),
                                 table_index: UInt32(truncatingIfNeeded: v >> 40), folio_pfn: v, folio_nr_pages: v >> 3,
                                 max_nr: v & 7)
            var res = mmm_fpb_result()
            res.size = 24
            _ = CMMModel.mmm_folio_pte_batch(arch, &ptes, 3, &a, &res)
        }
    }
    _ = CMMModel.mmm_strerror(.min)
    _ = CMMModel.mmm_strerror(.max)
}

@Test("no hostile input traps: the whole sweep exits normally in a child process")
func abiExitTest() async {
    await #expect(processExitsWith: .success) {
        hostileABISweep()
    }
}

@Test("the sweep also runs in-process (where exit tests are unavailable it is the only proof)")
func abiSweepInProcess() {
    hostileABISweep()
}
