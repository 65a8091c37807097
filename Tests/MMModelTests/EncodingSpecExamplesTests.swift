// The worked examples of spec/pte-and-swap-encoding.md, row by row. Every
// expected value below is copied from the spec's tables (or, where a row is
// marked, derived from the spec's formulas by hand); none comes from the model.
import Testing
@testable import MMModel

private let x86 = PteFormat(arch: .x86_64)
private let arm = PteFormat(arch: .arm64)
private let x86Live = PteFormat(arch: .x86_64, config: .live618)
private let armLive = PteFormat(arch: .arm64, config: .live618)

// MARK: §1.5 x86-64 present

@Test("§1.5 anon RW user accessed dirty NX PFN 0x12345 is 0x8000000012345067")
func spec1_5Present() throws {
    var info = PteInfo(kind: .present)
    info.pteFlags = [.valid, .write, .user, .young, .dirty, .nx]
    info.pfn = 0x12345
    #expect(try x86.encode(info) == Pte(0x8000_0000_1234_5067))
    let d = x86.decode(Pte(0x8000_0000_1234_5067))
    #expect(d.kind == .present && d.pteFlags == info.pteFlags && d.pfn == 0x12345)
    #expect(d.attrs == 0 && d.stray == 0)
    #expect(d.preds == [.present, .write, .dirty, .young])
}

@Test("§1.5 pte_wrprotect moves D to SavedDirty: 0x8400000012345025")
func spec1_5Wrprotect() {
    let w = x86.wrprotect(Pte(0x8000_0000_1234_5067))
    #expect(w == Pte(0x8400_0000_1234_5025))
    #expect(x86.isDirty(w) && !x86.isWrite(w))
}

@Test("§1.5 pte_next_pfn of the first row is 0x8000000012346067")
func spec1_5NextPfn() throws {
    #expect(try x86.nextPfn(Pte(0x8000_0000_1234_5067)) == Pte(0x8000_0000_1234_6067))
    #expect(try x86.advancePfn(Pte(0x8000_0000_1234_5067), by: 1) == Pte(0x8000_0000_1234_6067))
}

@Test("§1.5 PROT_NONE (PAGE_NONE 0x120) PFN 0x12345 is 0x000FFFFFEDCBA120, PFN inverted")
func spec1_5ProtNone() throws {
    var info = PteInfo(kind: .present)
    info.pteFlags = [.protnone, .young]  // PAGE_NONE = PROTNONE | ACCESSED (§1.1)
    info.pfn = 0x12345
    let p = try x86.encode(info)
    #expect(p == Pte(0x000F_FFFF_EDCB_A120))
    #expect(x86.pfn(p) == 0x12345)
    #expect(x86.isPresent(p) && x86.isProtnone(p) && !x86.isNone(p))
    let d = x86.decode(p)
    #expect(d.kind == .present && d.pteFlags == [.protnone, .young] && d.pfn == 0x12345 && d.attrs == 0)
}

@Test("§1.5 pte_advance_pfn(+1) of PROT_NONE subtracts 0x1000: 0x000FFFFFEDCB9120")
func spec1_5ProtNoneAdvance() throws {
    let a = try x86.advancePfn(Pte(0x000F_FFFF_EDCB_A120), by: 1)
    #expect(a == Pte(0x000F_FFFF_EDCB_9120))
    #expect(x86.pfn(a) == 0x12346)
}

@Test("§1.5 a value with only A and D set (0x60) is pte_none")
func spec1_5OnlyAD() {
    #expect(x86.isNone(Pte(0x60)))
    #expect(x86.kind(of: Pte(0x60)) == .none)
    #expect(x86.decode(Pte(0x60)).stray == 0x60)
}

// MARK: §2.5 x86-64 swap PTEs

@Test("§2.5 type 3 offset 0x1234: 0x1FFFFFFFFFDB9600, +E ...608, +E+SD+UFFD ...60E")
func spec2_5Encode() throws {
    var info = PteInfo(kind: .swap)
    info.swpType = 3
    info.swpOffset = 0x1234
    #expect(try x86.encode(info) == Pte(0x1FFF_FFFF_FFDB_9600))
    info.swpFlags = [.exclusive]
    #expect(try x86.encode(info) == Pte(0x1FFF_FFFF_FFDB_9608))
    info.swpFlags = [.exclusive, .softDirty, .uffdWp]
    #expect(try x86.encode(info) == Pte(0x1FFF_FFFF_FFDB_960E))
    // The same through the kernel's helpers: __swp_entry() then pte_swp_mk*().
    #expect(x86.archSwpEntry(type: 3, offset: 0x1234) == Pte(0x1FFF_FFFF_FFDB_9600))
    #expect(x86.swpSet(x86.swpSet(x86.swpSet(Pte(0x1FFF_FFFF_FFDB_9600), .exclusive), .softDirty), .uffdWp)
            == Pte(0x1FFF_FFFF_FFDB_960E))
}

@Test("§2.5 decode check: 0x1FFFFFFFFFDB9608 is type 3, offset 0x1234, exclusive")
func spec2_5Decode() {
    let d = x86.decode(Pte(0x1FFF_FFFF_FFDB_9608))
    #expect(d.kind == .swap && d.swpType == 3 && d.swpOffset == 0x1234)
    #expect(d.swpFlags == [.exclusive] && d.stray == 0)
    #expect(x86.archSwpType(Pte(0x1FFF_FFFF_FFDB_9608)) == 3)
    #expect(x86.archSwpOffset(Pte(0x1FFF_FFFF_FFDB_9608)) == 0x1234)
    #expect(x86.swpEntry(Pte(0x1FFF_FFFF_FFDB_960E)).val == 0x0C00_0000_0000_1234)
}

@Test("§2.5 offset ±1 with exclusive kept: 0x1FFFFFFFFFDB9408 and 0x1FFFFFFFFFDB9808")
func spec2_5Move() throws {
    let p = Pte(0x1FFF_FFFF_FFDB_9608)
    #expect(try x86.moveSwpOffset(p, by: 1) == Pte(0x1FFF_FFFF_FFDB_9408))
    #expect(try x86.nextSwpOffset(p) == Pte(0x1FFF_FFFF_FFDB_9408))
    #expect(try x86.moveSwpOffset(p, by: -1) == Pte(0x1FFF_FFFF_FFDB_9808))
}

@Test("§2.5 type 3 offset 0 exclusive is 0x1FFFFFFFFFFFFE08; moving it to -1 wraps in the kernel, refused here")
func spec2_5OffsetZero() throws {
    var info = PteInfo(kind: .swap)
    info.swpType = 3
    info.swpFlags = [.exclusive]
    #expect(try x86.encode(info) == Pte(0x1FFF_FFFF_FFFF_FE08))
    // Kernel result 0x1800000000000008 decodes as offset 2^50 - 1 (§2.5, §5.2) ...
    let wrapped = x86.decode(Pte(0x1800_0000_0000_0008))
    #expect(wrapped.kind == .swap && wrapped.swpType == 3 && wrapped.swpOffset == (1 << 50) - 1)
    #expect(wrapped.swpFlags == [.exclusive])
    // ... and the model refuses to wrap (mmmodel.h, mmm_pte_move_swp_offset: -ERANGE).
    #expect(throws: MMMError.outOfRange) { try x86.moveSwpOffset(Pte(0x1FFF_FFFF_FFFF_FE08), by: -1) }
}

@Test("§2.5 type 3 offset 2^50-1 is 0x1800000000000000; offset 2^50 is exactly (3, 0)")
func spec2_5OffsetMax() throws {
    var info = PteInfo(kind: .swap)
    info.swpType = 3
    info.swpOffset = (1 << 50) - 1
    #expect(try x86.encode(info) == Pte(0x1800_0000_0000_0000))
    // __swp_entry keeps 50 bits: 2^50 encodes as offset 0 (the kernel formula) ...
    #expect(x86.archSwpEntry(type: 3, offset: 0) == Pte(0x1FFF_FFFF_FFFF_FE00))
    // ... which the model refuses to produce from a wider offset (mmmodel.h: -ERANGE).
    #expect(throws: MMMError.outOfRange) { try x86.pte(of: SwpEntry(type: 3, offset: 1 << 50)!) }
    #expect(throws: MMMError.outOfRange) { try x86.moveSwpOffset(Pte(0x1800_0000_0000_0000), by: 1) }
    info.swpOffset = 1 << 50
    #expect(throws: MMMError.outOfRange) { try x86.encode(info) }
}

@Test("§2.5 type 0 offset 0 is 0x07FFFFFFFFFFFE00; type 0 offset 2^50-1 is 0, indistinguishable from none")
func spec2_5TypeZero() throws {
    var info = PteInfo(kind: .swap)
    #expect(try x86.encode(info) == Pte(0x07FF_FFFF_FFFF_FE00))
    #expect(x86.archSwpEntry(type: 0, offset: (1 << 50) - 1) == Pte(0))
    #expect(x86.isNone(x86.archSwpEntry(type: 0, offset: (1 << 50) - 1)))
    info.swpOffset = (1 << 50) - 1
    #expect(throws: MMMError.invalidArgument) { try x86.encode(info) }
}

// MARK: §3.6 arm64

@Test("§3.6 swap type 3 offset 0x1234: 0x12340C0, +E 0x12340C4, +E+UFFD 0x12340CC")
func spec3_6Encode() throws {
    var info = PteInfo(kind: .swap)
    info.swpType = 3
    info.swpOffset = 0x1234
    #expect(try arm.encode(info) == Pte(0x0000_0000_0123_40C0))
    info.swpFlags = [.exclusive]
    #expect(try arm.encode(info) == Pte(0x0000_0000_0123_40C4))
    info.swpFlags = [.exclusive, .uffdWp]
    #expect(try arm.encode(info) == Pte(0x0000_0000_0123_40CC))
    // arm64 has no swap soft-dirty (§3.1, §3.5).
    info.swpFlags = [.exclusive, .softDirty]
    #expect(throws: MMMError.invalidArgument) { try arm.encode(info) }
    let d = arm.decode(Pte(0x0000_0000_0123_40CC))
    #expect(d.kind == .swap && d.swpType == 3 && d.swpOffset == 0x1234 && d.swpFlags == [.exclusive, .uffdWp])
}

@Test("§3.6 offset ±1 with exclusive: 0x12350C4 and 0x12330C4; offset 0 exclusive 0xC4")
func spec3_6Move() throws {
    let p = Pte(0x0000_0000_0123_40C4)
    #expect(try arm.moveSwpOffset(p, by: 1) == Pte(0x0000_0000_0123_50C4))
    #expect(try arm.moveSwpOffset(p, by: -1) == Pte(0x0000_0000_0123_30C4))
    #expect(try arm.moveSwpOffset(p, by: -0x1234) == Pte(0xC4))
}

@Test("§3.6 offset 0 - 1 pollutes bits 62-63 (0xFFFFFFFFFFFFF0C4) in the kernel; decodes to 2^50-1; refused here")
func spec3_6Underflow() {
    let d = arm.decode(Pte(0xFFFF_FFFF_FFFF_F0C4))
    #expect(d.kind == .swap && d.swpType == 3 && d.swpOffset == (1 << 50) - 1 && d.swpFlags == [.exclusive])
    #expect(d.stray == 0xC000_0000_0000_0000)
    #expect(throws: MMMError.outOfRange) { try arm.moveSwpOffset(Pte(0xC4), by: -1) }
}

@Test("§3.6 offset 2^50-1 is 0x3FFFFFFFFFFFF0C0; offset 2^50 spills to 0x40000000000000C0, not pte_same with (3, 0)")
func spec3_6Overflow() throws {
    var info = PteInfo(kind: .swap)
    info.swpType = 3
    info.swpOffset = (1 << 50) - 1
    #expect(try arm.encode(info) == Pte(0x3FFF_FFFF_FFFF_F0C0))
    let spilled = arm.decode(Pte(0x4000_0000_0000_00C0))
    #expect(spilled.kind == .swap && spilled.swpType == 3 && spilled.swpOffset == 0)
    #expect(spilled.stray == 1 << 62)
    #expect(arm.archSwpEntry(type: 3, offset: 0) == Pte(0xC0))
    #expect(Pte(0x4000_0000_0000_00C0) != arm.archSwpEntry(type: 3, offset: 0))
    #expect(throws: MMMError.outOfRange) { try arm.moveSwpOffset(Pte(0x3FFF_FFFF_FFFF_F0C0), by: 1) }
    #expect(throws: MMMError.outOfRange) { try arm.pte(of: SwpEntry(type: 3, offset: 1 << 50)!) }
}

@Test("§3.6 type 0 offset 0 is 0, indistinguishable from pte_none")
func spec3_6TypeZero() {
    #expect(arm.archSwpEntry(type: 0, offset: 0) == Pte(0))
    #expect(arm.isNone(Pte(0)))
    #expect(throws: MMMError.invalidArgument) { try arm.encode(PteInfo(kind: .swap)) }
    #expect(throws: MMMError.invalidArgument) { try arm.pte(of: SwpEntry(val: 0)) }
}

@Test("§3.6 present clean 0x0068000012345FC3, hardware-dirty 0x0068000012345F43, wrprotect 0x00E0000012345FC3")
func spec3_6Present() throws {
    // VALID, TYPE, USER, RDONLY, SH=3, AF, nG, DBM, PXN, UXN, PFN 0x12345.
    let clean = Pte(0x0068_0000_1234_5FC3)
    let d = arm.decode(clean)
    #expect(d.kind == .present && d.pfn == 0x12345)
    #expect(d.pteFlags == [.valid, .write, .user, .young, .rdonly, .nx])
    // TYPE (bit 1), SH (bits 8-9), nG (bit 11, an attribute while VALID), PXN (bit 53).
    #expect(d.attrs == 0x0020_0000_0000_0B02)
    #expect(try arm.encode(d) == clean)
    #expect(arm.isWrite(clean) && !arm.isDirty(clean) && arm.isYoung(clean))

    let hwDirty = Pte(0x0068_0000_1234_5F43)
    #expect(arm.isDirty(hwDirty) && arm.isWrite(hwDirty))
    #expect(arm.mkclean(hwDirty) == clean)
    #expect(arm.wrprotect(hwDirty) == Pte(0x00E0_0000_1234_5FC3))
    #expect(arm.isDirty(Pte(0x00E0_0000_1234_5FC3)) && !arm.isWrite(Pte(0x00E0_0000_1234_5FC3)))
    // A clean PTE stays clean through wrprotect (no PTE_DIRTY set).
    #expect(arm.wrprotect(clean) == Pte(0x0060_0000_1234_5FC3))
}

// MARK: §4.1 generic entry

@Test("§4.1 swp_entry(3, 0x1234).val is 0x0C00000000001234; type and offset limits")
func spec4_1Pack() throws {
    let e = try #require(SwpEntry(type: 3, offset: 0x1234))
    #expect(e.val == 0x0C00_0000_0000_1234 && e.type == 3 && e.offset == 0x1234)
    #expect(SwpEntry(type: 31, offset: (1 << 58) - 1)?.val == 0x7FFF_FFFF_FFFF_FFFF)
    #expect(SwpEntry(type: 32, offset: 0) == nil)
    #expect(SwpEntry(type: 0, offset: 1 << 58) == nil)
    #expect(SwpEntry(val: 0).type == 0 && SwpEntry(val: 0).offset == 0)
}

// MARK: §4.2 type numbering

private struct TypeRow: Sendable, CustomStringConvertible {
    var config: KernelConfig
    var max: UInt32
    var hwpoison: UInt32?
    var migration: (UInt32, UInt32, UInt32)?
    var device: (UInt32, UInt32, UInt32)?
    var description: String { "MAX_SWAPFILES \(max)" }
}

// The ≥ 6.15 rows of the §4.2 table.
private let typeRows: [TypeRow] = [
    TypeRow(config: .all, max: 24, hwpoison: 24, migration: (25, 26, 27), device: (28, 29, 30)),
    TypeRow(config: [.migration, .memoryFailure], max: 27, hwpoison: 27, migration: (28, 29, 30)),
    TypeRow(config: [.migration], max: 28, migration: (28, 29, 30)),
    TypeRow(config: .live618, max: 28, migration: (28, 29, 30)),
    TypeRow(config: [], max: 31),
]

@Test("§4.2 MAX_SWAPFILES and type numbers per config", arguments: typeRows)
private func spec4_2Types(row: TypeRow) {
    for arch in Arch.allCases {
        let f = PteFormat(arch: arch, config: row.config)
        #expect(f.maxSwapfiles == row.max)
        #expect(f.swapType(of: .hwpoison) == row.hwpoison)
        #expect(f.swapType(of: .migrationRead) == row.migration?.0)
        #expect(f.swapType(of: .migrationReadExclusive) == row.migration?.1)
        #expect(f.swapType(of: .migrationWrite) == row.migration?.2)
        #expect(f.swapType(of: .devicePrivateWrite) == row.device?.0)
        #expect(f.swapType(of: .devicePrivateRead) == row.device?.1)
        #expect(f.swapType(of: .deviceExclusive) == row.device?.2)
        #expect(f.swapType(of: .marker) == 31)
        for t in 0..<row.max { #expect(f.kind(ofSwapType: t) == .swap) }
        #expect(f.kind(ofSwapType: 31) == .marker)
    }
}

// MARK: §4.6 special entries

private struct SpecialRow: Sendable, CustomStringConvertible {
    var kind: PteKind
    var pfn: UInt64 = 0
    var marker: PteMarker = []
    var generic: UInt64
    var x86: UInt64
    var arm64: UInt64
    var description: String { "\(kind.name) \(marker.rawValue)" }
}

// §4.6, full config (MAX_SWAPFILES 24); the last two rows use the §4.2 type
// numbers (29, 30) with the §2.2 / §3.5 formulas, derived by hand.
private let fullConfigRows: [SpecialRow] = [
    SpecialRow(kind: .marker, marker: .uffdWp, generic: 0x7C00_0000_0000_0001,
               x86: 0xFFFF_FFFF_FFFF_FC00, arm64: 0x0000_0000_0000_17C0),
    SpecialRow(kind: .marker, marker: .poisoned, generic: 0x7C00_0000_0000_0002,
               x86: 0xFFFF_FFFF_FFFF_FA00, arm64: 0x0000_0000_0000_27C0),
    SpecialRow(kind: .marker, marker: .guardRegion, generic: 0x7C00_0000_0000_0004,
               x86: 0xFFFF_FFFF_FFFF_F600, arm64: 0x0000_0000_0000_47C0),
    SpecialRow(kind: .hwpoison, pfn: 0x12345, generic: 0x6000_0000_0001_2345,
               x86: 0xC7FF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5600),
    SpecialRow(kind: .migrationRead, pfn: 0x12345, generic: 0x6400_0000_0001_2345,
               x86: 0xCFFF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5640),
    SpecialRow(kind: .migrationReadExclusive, pfn: 0x12345, generic: 0x6800_0000_0001_2345,
               x86: 0xD7FF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5680),
    SpecialRow(kind: .migrationWrite, pfn: 0x12345, generic: 0x6C00_0000_0001_2345,
               x86: 0xDFFF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_56C0),
    SpecialRow(kind: .devicePrivateWrite, pfn: 0x12345, generic: 0x7000_0000_0001_2345,
               x86: 0xE7FF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5700),
    SpecialRow(kind: .devicePrivateRead, pfn: 0x12345, generic: 0x7400_0000_0001_2345,
               x86: 0xEFFF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5740),
    SpecialRow(kind: .deviceExclusive, pfn: 0x12345, generic: 0x7800_0000_0001_2345,
               x86: 0xF7FF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5780),
]

// The same entries under MMM_ARCH_CFG_LIVE_6_18 (MAX_SWAPFILES 28, migration
// read / read-exclusive / write = 28 / 29 / 30, markers unchanged), derived by
// hand from the §2.2 / §3.5 / §4.1 formulas.
private let live618Rows: [SpecialRow] = Array(fullConfigRows[0..<3]) + [
    SpecialRow(kind: .migrationRead, pfn: 0x12345, generic: 0x7000_0000_0001_2345,
               x86: 0xE7FF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5700),
    SpecialRow(kind: .migrationReadExclusive, pfn: 0x12345, generic: 0x7400_0000_0001_2345,
               x86: 0xEFFF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5740),
    SpecialRow(kind: .migrationWrite, pfn: 0x12345, generic: 0x7800_0000_0001_2345,
               x86: 0xF7FF_FFFF_FDB9_7400, arm64: 0x0000_0000_1234_5780),
]

private func checkSpecial(_ row: SpecialRow, _ f: PteFormat) throws {
    var info = PteInfo(kind: row.kind)
    info.pfn = row.pfn
    info.marker = row.marker
    let expected = Pte(f.arch == .x86_64 ? row.x86 : row.arm64)
    #expect(try f.encode(info) == expected)
    #expect(f.swpEntry(expected).val == row.generic)
    #expect(try f.pte(of: SwpEntry(val: row.generic)) == expected)
    let d = f.decode(expected)
    #expect(d.kind == row.kind && d.pfn == row.pfn && d.marker == row.marker && d.stray == 0)
    #expect(d.swpType == UInt32(row.generic >> 58))
    #expect(d.preds == [.swapPte, .nonSwap])
}

@Test("§4.6 special entries, full config (MAX_SWAPFILES 24)", arguments: fullConfigRows)
private func spec4_6Full(row: SpecialRow) throws {
    try checkSpecial(row, x86)
    try checkSpecial(row, arm)
}

@Test("§4.6 special entries, MMM_ARCH_CFG_LIVE_6_18 (MAX_SWAPFILES 28, migration 28/29/30)", arguments: live618Rows)
private func spec4_6Live(row: SpecialRow) throws {
    try checkSpecial(row, x86Live)
    try checkSpecial(row, armLive)
}

@Test("§4.6 swap (3, 0x1234) is a real swap entry in both configs", arguments: [x86, arm, x86Live, armLive])
func spec4_6Swap(f: PteFormat) throws {
    let pte = Pte(f.arch == .x86_64 ? 0x1FFF_FFFF_FFDB_9600 : 0x0000_0000_0123_40C0)
    #expect(f.swpEntry(pte).val == 0x0C00_0000_0000_1234)
    #expect(try f.pte(of: SwpEntry(val: 0x0C00_0000_0000_1234)) == pte)
    #expect(f.decode(pte).preds == [.swapPte])
}

@Test("§4.6 with MMM_ARCH_CFG_LIVE_6_18, hwpoison and device entries are not configured")
func spec4_6LiveMissingKinds() {
    for f in [x86Live, armLive] {
        for kind in [PteKind.hwpoison, .devicePrivateRead, .devicePrivateWrite, .deviceExclusive] {
            var info = PteInfo(kind: kind)
            info.pfn = 0x12345
            #expect(throws: MMMError.invalidArgument) { try f.encode(info) }
        }
        // Types 24..27 are real swap types under this config.
        let d = f.decode(f.archSwpEntry(type: 27, offset: 0x12345))
        #expect(d.kind == .swap && d.swpType == 27 && d.preds == [.swapPte])
    }
}

// MARK: §6.5 folio_pte_batch worked example (x86-64)

// Folio: order 4, base PFN 0x12340; max_nr 5.
private let batchPtes: [UInt64] = [
    0x8000_0000_1234_0067,  // P RW US A D NX
    0x8000_0000_1234_1007,  // P RW US, clean, old
    0x8400_0000_1234_2025,  // P US A + SavedDirty (read-only, logically dirty)
    0x8000_0000_1234_3867,  // P RW US A D + soft-dirty
    0x8000_0000_1234_5067,  // PFN 0x12345: not the next PFN
]

private func batchArgs(_ api: FpbAPI, _ flags: UInt32) -> FpbArgs {
    FpbArgs(api: api, flags: FpbFlags(rawValue: flags), tableIndex: 0,
            folioPfn: 0x12340, folioNrPages: 16, maxNr: 5)
}

@Test("§6.5 6.17 API: flags 0 → 4, RESPECT_DIRTY → 1, RESPECT_SOFT_DIRTY → 3, RESPECT_WRITE → 2, all three → 1",
      arguments: [(UInt32(0), 4), (0x1, 1), (0x2, 3), (0x4, 2), (0x7, 1)])
func spec6_5Counts(flags: UInt32, expected: Int) throws {
    let r = try x86.batch(batchPtes, batchArgs(.v6_17, flags))
    #expect(r.nr == expected)
    // No MERGE flag: the first PTE comes back unchanged and nothing is reported.
    #expect(r.pte == Pte(batchPtes[0]))
    #expect(!r.anyWritable && !r.anyYoung && !r.anyDirty)
}

@Test("§6.5 normalised values of each flags row")
func spec6_5Normalised() {
    func norm(_ i: Int, _ flags: UInt32) -> UInt64 {
        x86.batchNormalise(Pte(batchPtes[i]), .v6_17, FpbFlags(rawValue: flags)).raw
    }
    #expect((0..<5).map { norm($0, 0) } == [0x8000_0000_1234_0005, 0x8000_0000_1234_1005, 0x8000_0000_1234_2005,
                                            0x8000_0000_1234_3005, 0x8000_0000_1234_5005])
    #expect(norm(0, 0x1) == 0x8400_0000_1234_0005 && norm(1, 0x1) == 0x8000_0000_1234_1005)
    #expect(norm(3, 0x2) == 0x8000_0000_1234_3805)
    #expect(norm(0, 0x4) == 0x8000_0000_1234_0007 && norm(1, 0x4) == 0x8000_0000_1234_1007)
    #expect(norm(2, 0x4) == 0x8000_0000_1234_2005)
    #expect(norm(0, 0x7) == 0x8000_0000_1234_0047 && norm(1, 0x7) == 0x8000_0000_1234_1007)
}

@Test("§6.5 MERGE_WRITE|MERGE_YOUNG_DIRTY from 0x8000000012340005: count 4, *ptentp 0x8000000012340867")
func spec6_5Merge() throws {
    var ptes = batchPtes
    ptes[0] = 0x8000_0000_1234_0005  // read-only, clean, old
    let r = try x86.batch(ptes, batchArgs(.v6_17, 0x18))
    #expect(r.nr == 4)
    #expect(r.anyWritable && r.anyYoung && r.anyDirty)
    #expect(r.pte == Pte(0x8000_0000_1234_0867))
    // Only entries 1..3 (no entry 4) give the same answer.
    let r3 = try x86.batch(Array(ptes[0..<4]),
                           FpbArgs(flags: [.mergeWrite, .mergeYoungDirty], folioPfn: 0x12340, folioNrPages: 16, maxNr: 4))
    #expect(r3.nr == 4 && r3.pte == Pte(0x8000_0000_1234_0867))
}

// §6.4 mapping: 6.10 IGNORE_DIRTY|IGNORE_SOFT_DIRTY ≡ 6.17 flags 0; 6.10 flags 0
// respects dirty and soft-dirty ≡ 6.17 RESPECT_DIRTY|RESPECT_SOFT_DIRTY; write
// is always ignored in 6.10.
@Test("§6.5/§6.4 6.10 API equivalents: IGNORE_D|IGNORE_SD → 4, 0 → 1, IGNORE_DIRTY → 3, IGNORE_SOFT_DIRTY → 1",
      arguments: [(UInt32(0x3), 4), (0x0, 1), (0x1, 3), (0x2, 1)])
func spec6_5OldAPI(flags: UInt32, expected: Int) throws {
    let r = try x86.batch(batchPtes, batchArgs(.v6_10, flags))
    #expect(r.nr == expected)
    let newFlags = ~flags & 0x3  // IGNORE_x set ⇔ RESPECT_x clear
    #expect(try x86.batch(batchPtes, batchArgs(.v6_17, newFlags)).nr == expected)
}

@Test("§6.5/§6.4 6.10 API reports any_writable/young/dirty for entries after the first and leaves the PTE alone")
func spec6_5OldAPIOutputs() throws {
    var ptes = batchPtes
    ptes[0] = 0x8000_0000_1234_0005
    let r = try x86.batch(ptes, batchArgs(.v6_10, 0x3))
    #expect(r.nr == 4)
    #expect(r.anyWritable && r.anyYoung && r.anyDirty)
    #expect(r.pte == Pte(0x8000_0000_1234_0005))
}

@Test("§6.5 arm64 hint: contpte first PTE at index 19 → hint 13, next comparison at index 32")
func spec6_5ArmHint() throws {
    let base: UInt64 = 0x12300  // 64-page folio, naturally aligned; index i maps base + i
    let cont = Pte(0x0078_0000_0000_0FC3)  // the §3.6 clean PTE with PTE_CONT (bit 52), PFN 0
    func at(_ index: Int) -> UInt64 { arm.withPfn(cont, base + UInt64(index)).raw }
    #expect(arm.batchHint(Pte(at(19)), index: 19) == 13)
    #expect(arm.batchHint(Pte(at(32)), index: 32) == 16)
    #expect(arm.batchHint(arm.mkold(Pte(at(19))), index: 16) == 16)
    // Without PTE_CONT the hint is 1 (generic pte_batch_hint).
    #expect(arm.batchHint(Pte(at(19) & ~(1 << 52)), index: 19) == 1)
    // Entries at indices 20..31 are not compared: fill them with garbage. Index 32
    // matches and starts the next block, whose entries 33..47 are not compared either.
    var ptes = (19...47).map { at($0) }
    for i in 1...12 { ptes[i] = 0 }
    for i in 14..<ptes.count { ptes[i] = 0xDEAD }
    let a = FpbArgs(tableIndex: 19, folioPfn: base, folioNrPages: 64, maxNr: ptes.count)
    #expect(try arm.batch(ptes, a).nr == 29)
    // If index 32 differs the batch is 13.
    ptes[13] = at(33)
    #expect(try arm.batch(ptes, a).nr == 13)
}
