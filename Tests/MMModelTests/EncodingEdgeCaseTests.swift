// The numbered edge cases of spec/pte-and-swap-encoding.md §9 that concern
// the encoding layer, one test each. Expected values come from the spec's rules
// (cited per test) or from mmmodel.h where the model deliberately refuses what
// the kernel would wrap.
import Testing
@testable import MMModel

private let x86 = PteFormat(arch: .x86_64)
private let arm = PteFormat(arch: .arm64)

// x86 PTE bits used below (spec §1.1).
private let P: UInt64 = 1 << 0, RW: UInt64 = 1 << 1, US: UInt64 = 1 << 2, PCD: UInt64 = 1 << 4
private let A: UInt64 = 1 << 5, D: UInt64 = 1 << 6, SPECIAL: UInt64 = 1 << 9, UFFD: UInt64 = 1 << 10
private let SD: UInt64 = 1 << 11, SAVED: UInt64 = 1 << 58, NX: UInt64 = 1 << 63
private func x86Pte(_ pfn: UInt64, _ bits: UInt64) -> UInt64 { pfn << 12 | bits }

@Test("§9.1 x86 pte_none ignores A and D (0x20, 0x40, 0x60); arm64 none is exactly 0")
func edge1NoneIgnoresAD() {
    for v: UInt64 in [0, 0x20, 0x40, 0x60] {
        #expect(x86.isNone(Pte(v)) && !x86.isPresent(Pte(v)) && !x86.isSwapPte(Pte(v)))
        #expect(x86.decode(Pte(v)).kind == .none && x86.decode(Pte(v)).preds == [.none])
    }
    for v: UInt64 in [0x10, 0x61, 0x68, 0x80, 0x1_0000_0000_0060] { #expect(!x86.isNone(Pte(v))) }
    #expect(arm.isNone(Pte(0)))
    for v: UInt64 in [0x20, 0x40, 0x60, 0x400, 1 << 55] { #expect(!arm.isNone(Pte(v))) }
}

@Test("§9.2 x86 PROT_NONE is present, stores ~PFN and steps by subtracting; batching follows it")
func edge2ProtNone() throws {
    let pn = Pte(0x000F_FFFF_EDCB_A120)  // §1.5: PAGE_NONE, PFN 0x12345
    #expect(x86.isPresent(pn) && x86.isProtnone(pn) && !x86.isSwapPte(pn))
    #expect(x86.pfn(pn) == 0x12345)
    // Raw bits 12-51 are the complement of the PFN.
    #expect((pn.raw >> 12) & ((1 << 40) - 1) == ~UInt64(0x12345) & ((1 << 40) - 1))
    let a3 = try x86.advancePfn(pn, by: 3)
    #expect(a3.raw == pn.raw - 3 << 12 && x86.pfn(a3) == 0x12348)
    // A present (P=1) PTE steps by adding.
    #expect(try x86.advancePfn(Pte(0x8000_0000_1234_5067), by: 3).raw == 0x8000_0000_1234_8067)
    // fork/zap/mprotect batch over PROT_NONE ranges: four consecutive PFNs make one batch.
    let ptes = (0..<4).map { pn.raw - UInt64($0) << 12 }
    let r = try x86.batch(ptes, FpbArgs(folioPfn: 0x12340, folioNrPages: 16, maxNr: 4))
    #expect(r.nr == 4)
    // The generic raw add (+0x1000) would point at the previous frame: not a batch.
    let wrong = (0..<4).map { pn.raw + UInt64($0) << 12 }
    #expect(try x86.batch(wrong, FpbArgs(folioPfn: 0x12340, folioNrPages: 16, maxNr: 4)).nr == 1)
    // arm64 PROT_NONE (present-invalid, not user, UXN) is present too and keeps its PFN plain.
    let armPn = Pte(0x0040_0000_1234_5C02 | 1 << 11)
    #expect(arm.isPresent(armPn) && arm.isProtnone(armPn) && arm.pfn(armPn) == 0x12345)
    #expect(try arm.advancePfn(armPn, by: 1).raw == armPn.raw + 0x1000)
}

@Test("§9.3 x86 SavedDirty: wrprotect D→58, mkwrite 58→D, mkdirty on read-only sets 58, dirty tests both, mkclean clears both")
func edge3SavedDirty() {
    let rwDirty = Pte(x86Pte(0x12345, P | RW | US | A | D))
    let ro = x86.wrprotect(rwDirty)
    #expect(ro.raw == x86Pte(0x12345, P | US | A | SAVED))
    #expect(x86.mkwrite(ro) == rwDirty)
    // pte_mkwrite_novma sets RW only; SavedDirty stays in bit 58.
    #expect(x86.mkwriteNovma(ro).raw == x86Pte(0x12345, P | RW | US | A | SAVED))
    // pte_mkdirty on a read-only PTE: SavedDirty + soft-dirty, not D.
    let roClean = Pte(x86Pte(0x12345, P | US))
    #expect(x86.mkdirty(roClean).raw == x86Pte(0x12345, P | US | SAVED | SD))
    #expect(x86.mkdirty(Pte(x86Pte(0x12345, P | RW | US))).raw == x86Pte(0x12345, P | RW | US | D | SD))
    #expect(x86.isDirty(Pte(x86Pte(1, P | D))) && x86.isDirty(Pte(x86Pte(1, P | SAVED))))
    #expect(!x86.isDirty(Pte(x86Pte(1, P | A))))
    #expect(x86.mkclean(Pte(x86Pte(1, P | RW | D | SAVED))).raw == x86Pte(1, P | RW))
    // The shift is unconditional: wrprotect of an already read-only D PTE moves D too.
    #expect(x86.wrprotect(Pte(x86Pte(1, P | D))).raw == x86Pte(1, P | SAVED))
}

@Test("§9.4 x86 mkdirty sets soft-dirty, which MERGE_YOUNG_DIRTY then carries into *ptentp")
func edge4MkdirtySoftDirty() throws {
    #expect(x86.mkdirty(Pte(x86Pte(0x10, P | RW))).raw & SD != 0)
    // Without CONFIG_MEM_SOFT_DIRTY the side effect is gone.
    let noSD = PteFormat(arch: .x86_64, config: .live618)
    #expect(noSD.mkdirty(Pte(x86Pte(0x10, P | RW))).raw == x86Pte(0x10, P | RW | D))
    // Batch: a clean first entry followed by a dirty one; the merged PTE is soft-dirty.
    let ptes = [x86Pte(0x10, P | RW | US), x86Pte(0x11, P | RW | US | D)]
    let a = FpbArgs(flags: .mergeYoungDirty, folioPfn: 0x10, folioNrPages: 2, maxNr: 2)
    let r = try x86.batch(ptes, a)
    #expect(r.nr == 2 && r.anyDirty)
    #expect(r.pte.raw == x86Pte(0x10, P | RW | US | D | SD))
    #expect(try noSD.batch(ptes, a).pte.raw == x86Pte(0x10, P | RW | US | D))
}

@Test("§9.5 swap encodings that collide with none: x86 (0, 2^50-1), arm64 (0, 0), generic (0, 0)")
func edge5NoneCollision() {
    let x86Zero = x86.archSwpEntry(type: 0, offset: (1 << 50) - 1)
    let armZero = arm.archSwpEntry(type: 0, offset: 0)
    #expect(x86Zero == Pte(0) && armZero == Pte(0))
    #expect(SwpEntry(type: 0, offset: 0)?.val == 0)
    // The model refuses to build them (mmmodel.h mmm_swp_entry_to_pte / mmm_pte_encode: -EINVAL).
    #expect(throws: MMMError.invalidArgument) { try x86.pte(of: SwpEntry(type: 0, offset: (1 << 50) - 1)!) }
    #expect(throws: MMMError.invalidArgument) { try arm.pte(of: SwpEntry(type: 0, offset: 0)!) }
    // Their neighbours are fine: x86 (0, 0) and arm64 (0, 1).
    #expect(throws: Never.self) { try x86.pte(of: SwpEntry(type: 0, offset: 0)!) }
    #expect((try? arm.pte(of: SwpEntry(type: 0, offset: 1)!)) == Pte(0x1000))
    // With a swap flag OR-ed in, x86 (0, 2^50-1) is a swap PTE again (0x8 is not none).
    let withE = x86.swpSet(x86Zero, .exclusive)
    #expect(withE == Pte(0x8) && x86.isSwapPte(withE))
    #expect(x86.decode(withE).swpOffset == (1 << 50) - 1)
}

@Test("§9.6 offsets: x86 keeps 50 bits, arm64 spills into 62-63 and masks on decode, generic keeps 58")
func edge6Truncation() {
    // x86 decode of any value yields at most 50 offset bits.
    #expect(x86.archSwpOffset(Pte(0)) == (1 << 50) - 1)
    #expect(x86.archSwpOffset(Pte(UInt64.max)) == 0)
    // arm64: bits 62-63 are not offset bits; decode masks them and reports them as stray.
    let spilled = Pte(0xC000_0000_0123_40C0)
    #expect(arm.archSwpOffset(spilled) == 0x1234)
    #expect(arm.decode(spilled).stray == 0xC000_0000_0000_0000)
    // Generic entries hold 58 bits; an arch PTE only 50: the model refuses the rest (-ERANGE).
    let wide = SwpEntry(type: 1, offset: (1 << 58) - 1)!
    #expect(wide.offset == (1 << 58) - 1)
    for f in [x86, arm] {
        #expect(throws: MMMError.outOfRange) { try f.pte(of: wide) }
        #expect(throws: MMMError.outOfRange) { try f.pte(of: SwpEntry(type: 1, offset: 1 << 50)!) }
        #expect((try? f.pte(of: SwpEntry(type: 1, offset: (1 << 50) - 1)!)).map { f.swpEntry($0).offset } == (1 << 50) - 1)
    }
    // Bit 63 of a generic entry is never set by swp_entry() (§4.1).
    #expect(throws: MMMError.invalidArgument) { try x86.pte(of: SwpEntry(val: 1 << 63 | 5)) }
}

@Test("§9.7 pte_move_swp_offset: no kernel bounds checks, so the model refuses under/overflow and non-swap inputs; rebuilds the PTE")
func edge7MoveSwpOffset() throws {
    for f in [x86, arm] {
        let p = f.swapPte(type: 5, offset: 10, [.exclusive, .uffdWp])
        #expect(throws: MMMError.outOfRange) { try f.moveSwpOffset(p, by: -11) }
        #expect(throws: MMMError.outOfRange) { try f.moveSwpOffset(p, by: Int64.min) }
        #expect(throws: MMMError.outOfRange) { try f.moveSwpOffset(p, by: Int64.max) }
        #expect(throws: MMMError.outOfRange) { try f.moveSwpOffset(p, by: 1 << 50) }
        #expect(try f.moveSwpOffset(p, by: -10) == f.swapPte(type: 5, offset: 0, [.exclusive, .uffdWp]))
        #expect(try f.moveSwpOffset(p, by: (1 << 50) - 11) == f.swapPte(type: 5, offset: (1 << 50) - 1, [.exclusive, .uffdWp]))
        // Non-swap inputs: none, present, migration, marker.
        #expect(throws: MMMError.invalidArgument) { try f.moveSwpOffset(Pte(0), by: 1) }
        #expect(throws: MMMError.invalidArgument) { try f.moveSwpOffset(Pte(0x8000_0000_1234_5067 & ~(1 << 62)), by: 1) }
        let mig = f.archSwpEntry(type: f.swapType(of: .migrationWrite)!, offset: 0x12345)
        #expect(throws: MMMError.invalidArgument) { try f.moveSwpOffset(mig, by: 1) }
        let marker = f.archSwpEntry(type: 31, offset: 1)
        #expect(throws: MMMError.invalidArgument) { try f.moveSwpOffset(marker, by: 1) }
    }
    // Rebuilt: x86 stray bits 4-7 are dropped, E/SD/UFFD kept.
    let x = Pte(x86.swapPte(type: 2, offset: 0x40, [.exclusive, .softDirty, .uffdWp]).raw | 0xF0)
    #expect(try x86.moveSwpOffset(x, by: 1) == x86.swapPte(type: 2, offset: 0x41, [.exclusive, .softDirty, .uffdWp]))
    // arm64 bits 62-63 pollution is dropped.
    let a = Pte(0xC000_0000_0123_40C4)
    #expect(try arm.moveSwpOffset(a, by: 0) == Pte(0x0000_0000_0123_40C4))
    #expect(try arm.moveSwpOffset(a, by: 1) == Pte(0x0000_0000_0123_50C4))
    // x86 moving onto (0, 2^50-1) with no flags would be pte_none: refused.
    #expect(throws: MMMError.outOfRange) { try x86.moveSwpOffset(x86.swapPte(type: 0, offset: (1 << 50) - 2), by: 1) }
    // ... but with the exclusive bit it is a valid swap PTE (0x8).
    #expect(try x86.moveSwpOffset(x86.swapPte(type: 0, offset: (1 << 50) - 2, [.exclusive]), by: 1) == Pte(0x8))
}

@Test("§9.8 config-dependent swap and PTE bits: absent helpers are no-ops, tests read false; exclusive always exists")
func edge8ConfigBits() {
    let noSD = PteFormat(arch: .x86_64, config: .all.subtracting(.softDirty))
    let noUffd = PteFormat(arch: .x86_64, config: .all.subtracting(.uffdWp))
    let armNoUffd = PteFormat(arch: .arm64, config: .all.subtracting(.uffdWp))
    let s = Pte(0x1FFF_FFFF_FFDB_9600)
    #expect(x86.swpSet(s, .softDirty) == Pte(0x1FFF_FFFF_FFDB_9602))
    #expect(noSD.swpSet(s, .softDirty) == s && !noSD.swpTest(Pte(0x1FFF_FFFF_FFDB_9602), .softDirty))
    #expect(x86.swpSet(s, .uffdWp) == Pte(0x1FFF_FFFF_FFDB_9604))
    #expect(noUffd.swpSet(s, .uffdWp) == s && !noUffd.swpTest(Pte(0x1FFF_FFFF_FFDB_9604), .uffdWp))
    // arm64 never has soft-dirty, even when asked for.
    let armSD = PteFormat(arch: .arm64, config: .all)
    let sa = Pte(0x0000_0000_0123_40C0)
    #expect(armSD.swpSet(sa, .softDirty) == sa && !armSD.config.contains(.softDirty))
    #expect(armSD.mksoftDirty(Pte(0x0068_0000_1234_5FC3)) == Pte(0x0068_0000_1234_5FC3))
    #expect(armNoUffd.swpSet(sa, .uffdWp) == sa)
    for f in [x86, noSD, noUffd, arm, armNoUffd] {
        #expect(f.swpTest(f.swpSet(f.archSwpEntry(type: 1, offset: 1), .exclusive), .exclusive))
    }
    // Present bits likewise: pte_mksoft_dirty / pte_mkuffd_wp are identities when not configured.
    let pr = Pte(x86Pte(0x10, P | RW | US))
    #expect(noSD.mksoftDirty(pr) == pr && !noSD.isSoftDirty(Pte(pr.raw | SD)))
    #expect(noUffd.mkuffdWp(pr) == pr && !noUffd.isUffdWp(Pte(pr.raw | UFFD)))
    // The arch info lists only the bits that exist.
    #expect(!noSD.supportedSwpFlags.contains(.softDirty) && !armSD.supportedSwpFlags.contains(.softDirty))
    #expect(!noUffd.supportedPteFlags.contains(.uffdWp) && x86.supportedPteFlags.contains(.uffdWp))
}

@Test("§9.9 type numbering is config-dependent; only SWP_PTE_MARKER = 31 is fixed")
func edge9TypeNumbering() {
    // MAX_SWAPFILES = 32 - DEVICE(3) - MIGRATION(3) - HWPOISON(1) - MARKER(1), each when configured.
    let expected: [(KernelConfig, UInt32)] = [
        (.all, 24), ([.devicePrivate], 28), ([.migration], 28), ([.memoryFailure], 30),
        ([.devicePrivate, .migration], 25), ([], 31), (.live618, 28),
    ]
    for (config, max) in expected {
        for arch in Arch.allCases {
            let f = PteFormat(arch: arch, config: config)
            #expect(f.maxSwapfiles == max)
            #expect(f.swapType(of: .marker) == 31 && f.kind(ofSwapType: 31) == .marker)
            // Every type below MAX_SWAPFILES is a real swap type.
            #expect(f.kind(ofSwapType: max - 1) == .swap)
            #expect(max == 31 || f.kind(ofSwapType: max) != .swap)
        }
    }
}

@Test("§9.10 swap_pte_batch is raw equality: E/SD/UFFD differences, another type, a gap or a stray bit end the batch")
func edge10SwapBatchRaw() throws {
    for f in [x86, arm] {
        let flags: SwpFlags = f.arch == .x86_64 ? [.exclusive, .softDirty] : [.exclusive]
        let run = (0..<8).map { f.swapPte(type: 3, offset: 0x100 + UInt64($0), flags).raw }
        #expect(try f.swapBatch(run, maxNr: 8) == 8)
        var r = run
        r[4] = f.swpClear(Pte(r[4]), .exclusive).raw
        #expect(try f.swapBatch(r, maxNr: 8) == 4)
        r = run
        r[3] = f.swpSet(Pte(r[3]), .uffdWp).raw
        #expect(try f.swapBatch(r, maxNr: 8) == 3)
        if f.arch == .x86_64 {
            r = run
            r[2] = f.swpClear(Pte(r[2]), .softDirty).raw
            #expect(try f.swapBatch(r, maxNr: 8) == 2)
        }
        r = run
        r[5] = f.swapPte(type: 4, offset: 0x105, flags).raw
        #expect(try f.swapBatch(r, maxNr: 8) == 5)
        r = run
        r[6] = f.swapPte(type: 3, offset: 0x107, flags).raw
        #expect(try f.swapBatch(r, maxNr: 8) == 6)
        // Descending offsets never join.
        let down = (0..<4).map { f.swapPte(type: 3, offset: 0x100 - UInt64($0), flags).raw }
        #expect(try f.swapBatch(down, maxNr: 4) == 1)
        // A stray bit (x86 bit 4, arm64 bit 62) is not rebuilt by pte_next_swp_offset.
        r = run
        r[1] |= f.arch == .x86_64 ? 0x10 : 1 << 62
        #expect(try f.swapBatch(r, maxNr: 8) == 1)
        // A migration entry with the next offset never joins a real swap batch.
        r = run
        r[1] = f.archSwpEntry(type: f.swapType(of: .migrationRead)!, offset: 0x101).raw
        #expect(try f.swapBatch(r, maxNr: 8) == 1)
        // The first entry must be a real swap entry.
        #expect(throws: MMMError.invalidArgument) { try f.swapBatch([r[1]], maxNr: 1) }
    }
}

@Test("§9.11 batch counts include the first entry, are ≥ 1, and are min(nr, max_nr) even after a contpte overshoot")
func edge11CountsIncludeFirst() throws {
    // A lone entry followed by a mismatch: 1.
    let ptes = [x86Pte(0x10, P | RW | US), x86Pte(0x20, P | RW | US)]
    #expect(try x86.batch(ptes, FpbArgs(folioPfn: 0x10, folioNrPages: 16, maxNr: 2)).nr == 1)
    #expect(try x86.batch(ptes, FpbArgs(folioPfn: 0x10, folioNrPages: 16, maxNr: 1)).nr == 1)
    #expect(try x86.swapBatch([x86.swapPte(type: 1, offset: 5).raw], maxNr: 1) == 1)
    // arm64: a contpte block of 16 from index 0, but max_nr 5: the hint jumps to 16, result 5.
    let cont = Pte(0x0078_0000_0000_0FC3)
    let block = (0..<16).map { arm.withPfn(cont, 0x100 + UInt64($0)).raw }
    #expect(arm.batchHint(Pte(block[0]), index: 0) == 16)
    #expect(try arm.batch(block, FpbArgs(folioPfn: 0x100, folioNrPages: 16, maxNr: 5)).nr == 5)
    #expect(try arm.batch(block, FpbArgs(folioPfn: 0x100, folioNrPages: 16, maxNr: 16)).nr == 16)
}

@Test("§9.12 folio-end clamp uses the PFN distance from the first entry; never beyond the folio's last page")
func edge12FolioEndClamp() throws {
    // 16-page folio at 0x100; the first entry maps page 14; the following entries
    // continue the PFN run into the next folio (0x110, 0x111).
    let ptes = (0..<4).map { x86Pte(0x10E + UInt64($0), P | RW | US | A | D) }
    let a = FpbArgs(folioPfn: 0x100, folioNrPages: 16, maxNr: 4)
    #expect(try x86.batch(ptes, a).nr == 2)
    // The first entry's PFN must lie inside the folio.
    #expect(throws: MMMError.invalidArgument) {
        try x86.batch(ptes, FpbArgs(folioPfn: 0x100, folioNrPages: 14, maxNr: 4))
    }
    #expect(throws: MMMError.invalidArgument) {
        try x86.batch(ptes, FpbArgs(folioPfn: 0x10F, folioNrPages: 16, maxNr: 4))
    }
    // Starting at the last page of the folio gives 1.
    #expect(try x86.batch(Array(ptes[1...]), FpbArgs(folioPfn: 0x100, folioNrPages: 16, maxNr: 3)).nr == 1)
    // Same on arm64, where a contpte hint would otherwise overshoot the folio end.
    let cont = Pte(0x0078_0000_0000_0FC3)
    let block = (0..<16).map { arm.withPfn(cont, 0x200 + UInt64($0)).raw }
    #expect(try arm.batch(block, FpbArgs(folioPfn: 0x200, folioNrPages: 4, maxNr: 16)).nr == 4)
}

@Test("§9.13 page-table and VMA end: max_nr bounds the batch, and the model also stops at the 512-entry table end")
func edge13MaxNrAndTableEnd() throws {
    let ptes = (0..<16).map { x86Pte(0x400 + UInt64($0), P | RW | US) }
    #expect(try x86.batch(ptes, FpbArgs(folioPfn: 0x400, folioNrPages: 16, maxNr: 3)).nr == 3)
    #expect(try x86.batch(ptes, FpbArgs(tableIndex: 510, folioPfn: 0x400, folioNrPages: 16, maxNr: 16)).nr == 2)
    #expect(try x86.batch(ptes, FpbArgs(tableIndex: 511, folioPfn: 0x400, folioNrPages: 16, maxNr: 16)).nr == 1)
    #expect(throws: MMMError.invalidArgument) {
        try x86.batch(ptes, FpbArgs(tableIndex: 512, folioPfn: 0x400, folioNrPages: 16, maxNr: 16))
    }
    #expect(throws: MMMError.invalidArgument) { try x86.batch(ptes, FpbArgs(folioPfn: 0x400, folioNrPages: 16, maxNr: 0)) }
    #expect(throws: MMMError.invalidArgument) { try x86.batch(ptes, FpbArgs(folioPfn: 0x400, folioNrPages: 16, maxNr: 17)) }
    let swaps = (0..<16).map { x86.swapPte(type: 0, offset: 0x40 + UInt64($0)).raw }
    #expect(try x86.swapBatch(swaps, maxNr: 7) == 7)
    #expect(throws: MMMError.invalidArgument) { try x86.swapBatch(swaps, maxNr: 0) }
    #expect(throws: MMMError.invalidArgument) { try x86.swapBatch(swaps, maxNr: 17) }
}

@Test("§9.14 accessed is always ignored; uffd-wp, special, PFN, protection and cache bits always compared; arm64 PTE_CONT compared")
func edge14AlwaysComparedBits() throws {
    let base = P | RW | US | NX
    func run(_ second: UInt64) -> [UInt64] { [x86Pte(0x10, base), x86Pte(0x11, second)] }
    for api in [FpbAPI.v6_17, .v6_10] {
        let strict = FpbFlags.known(for: api).intersection(api == .v6_17 ? [.respectDirty, .respectSoftDirty, .respectWrite] : [])
        let a = FpbArgs(api: api, flags: strict, folioPfn: 0x10, folioNrPages: 16, maxNr: 2)
        #expect(try x86.batch(run(base | A), a).nr == 2)  // young differs: ignored
        for bit in [UFFD, SPECIAL, US, NX, PCD, UInt64(1) << 59 /* pkey */] {
            #expect(try x86.batch(run(base ^ bit), a).nr == 1)
        }
        #expect(try x86.batch([x86Pte(0x10, base), x86Pte(0x12, base)], a).nr == 1)  // PFN gap
    }
    // arm64: a contpte entry does not continue a non-contpte run (first entry not CONT).
    let plain = Pte(0x0068_0000_0000_0FC3)
    let ptes = [arm.withPfn(plain, 0x10).raw, arm.withPfn(plain, 0x11).raw | 1 << 52]
    #expect(try arm.batch(ptes, FpbArgs(folioPfn: 0x10, folioNrPages: 16, maxNr: 2)).nr == 1)
    // AF (young) differs only: still a batch.
    let young = [arm.withPfn(plain, 0x10).raw, arm.mkold(arm.withPfn(plain, 0x11)).raw]
    #expect(try arm.batch(young, FpbArgs(flags: [.respectDirty, .respectWrite], folioPfn: 0x10, folioNrPages: 16, maxNr: 2)).nr == 2)
}

@Test("§9.15 arm64 contpte: the hint skips comparisons inside a block; only a valid CONT PTE gives a hint")
func edge15ContHint() throws {
    let cont = Pte(0x0078_0000_0000_0FC3)
    var block = (0..<16).map { arm.withPfn(cont, 0x300 + UInt64($0)).raw }
    // Entries 1..15 of the block are inconsistent; they are not looked at.
    for i in 1..<16 { block[i] = UInt64(i) }
    #expect(try arm.batch(block, FpbArgs(folioPfn: 0x300, folioNrPages: 16, maxNr: 16)).nr == 16)
    // Present-invalid (PROT_NONE) with the CONT bit: not valid, hint 1.
    let pn = Pte((cont.raw & ~1) | 1 << 11)
    #expect(arm.isPresent(pn) && arm.batchHint(pn, index: 0) == 1)
    // x86 never hints, whatever bit 52 holds.
    #expect(x86.batchHint(Pte(x86Pte(0x10, P) | 1 << 52), index: 0) == 1)
}

@Test("§9.16 flags default inversion: 6.10 flags 0 respects dirty/soft-dirty, 6.17 flags 0 ignores them; 6.10 always ignores write")
func edge16FlagInversion() throws {
    let dirtyDiff = [x86Pte(0x10, P | RW | US | D), x86Pte(0x11, P | RW | US)]
    let sdDiff = [x86Pte(0x10, P | RW | US | SD), x86Pte(0x11, P | RW | US)]
    let writeDiff = [x86Pte(0x10, P | RW | US), x86Pte(0x11, P | US)]
    func nr(_ p: [UInt64], _ api: FpbAPI, _ flags: FpbFlags = []) throws -> Int {
        try x86.batch(p, FpbArgs(api: api, flags: flags, folioPfn: 0x10, folioNrPages: 16, maxNr: 2)).nr
    }
    #expect(try nr(dirtyDiff, .v6_10) == 1 && nr(dirtyDiff, .v6_17) == 2)
    #expect(try nr(sdDiff, .v6_10) == 1 && nr(sdDiff, .v6_17) == 2)
    #expect(try nr(dirtyDiff, .v6_10, .ignoreDirty) == 2 && nr(sdDiff, .v6_10, .ignoreSoftDirty) == 2)
    #expect(try nr(writeDiff, .v6_10) == 2 && nr(writeDiff, .v6_17) == 2)
    #expect(try nr(writeDiff, .v6_17, .respectWrite) == 1)
    // 6.10 has no RESPECT_WRITE / MERGE flags: 0x04 and up are unknown there.
    #expect(throws: MMMError.invalidArgument) { try nr(writeDiff, .v6_10, FpbFlags(rawValue: 0x04)) }
    #expect(throws: MMMError.invalidArgument) { try nr(writeDiff, .v6_17, FpbFlags(rawValue: 0x20)) }
}

@Test("§9.17 old-API outputs cover only the entries after the first")
func edge17OldOutputs() throws {
    // First entry writable, young and dirty; the second read-only, old and clean.
    let ptes = [x86Pte(0x10, P | RW | US | A | D), x86Pte(0x11, P | US)]
    let a = FpbArgs(api: .v6_10, flags: [.ignoreDirty, .ignoreSoftDirty], folioPfn: 0x10, folioNrPages: 16, maxNr: 2)
    let r = try x86.batch(ptes, a)
    #expect(r.nr == 2)
    #expect(!r.anyWritable && !r.anyYoung && !r.anyDirty)
    #expect(r.pte == Pte(ptes[0]))
    // And the other way round: a plain first entry, a writable young dirty second one.
    let r2 = try x86.batch([x86Pte(0x10, P | US), x86Pte(0x11, P | RW | US | A | D)], a)
    #expect(r2.nr == 2 && r2.anyWritable && r2.anyYoung && r2.anyDirty)
    #expect(r2.pte == Pte(x86Pte(0x10, P | US)))  // the 6.10 caller applies them itself
}

@Test("§9.18 *ptentp is a local copy: the table is never written, the merged PTE comes back separately")
func edge18LocalCopy() throws {
    let ptes = [x86Pte(0x10, P | US), x86Pte(0x11, P | RW | US | A | D)]
    let copy = ptes
    let r = try x86.batch(ptes, FpbArgs(flags: [.mergeWrite, .mergeYoungDirty], folioPfn: 0x10, folioNrPages: 16, maxNr: 2))
    #expect(ptes == copy)
    #expect(r.pte.raw == x86Pte(0x10, P | RW | US | A | D | SD))
}

@Test("§9.19 FPB_MERGE_WRITE uses pte_mkwrite(pte, vma): SavedDirty of the first entry moves back to D")
func edge19MergeWriteVma() throws {
    // First entry read-only and SavedDirty (a wrprotected dirty PTE), second writable.
    let ptes = [x86Pte(0x10, P | US | A | SAVED), x86Pte(0x11, P | RW | US)]
    let r = try x86.batch(ptes, FpbArgs(flags: .mergeWrite, folioPfn: 0x10, folioNrPages: 16, maxNr: 2))
    #expect(r.nr == 2 && r.anyWritable)
    #expect(r.pte.raw == x86Pte(0x10, P | RW | US | A | D))  // not RW + bit 58 (pte_mkwrite_novma)
}

@Test("§9.20 arm64 pte_mkwrite_novma (6.18 fix): RDONLY cleared only when PTE_DIRTY is set")
func edge20ArmMkwriteNovma() {
    let roClean = Pte(0x0060_0000_1234_5FC3)  // §3.6 PTE after wrprotect of a clean one
    let w = arm.mkwriteNovma(roClean)
    #expect(w == Pte(0x0068_0000_1234_5FC3) && !arm.isDirty(w) && arm.isWrite(w))
    let roDirty = Pte(0x00E0_0000_1234_5FC3)  // §3.6 wrprotect of the hardware-dirty one
    #expect(arm.mkwriteNovma(roDirty) == Pte(0x00E8_0000_1234_5F43))
    #expect(arm.mkwrite(roClean) == w)
}

@Test("§4.3 a PTE marker is never empty (mm/memory.c handle_pte_marker WARNs): encode refuses marker bits 0 and bits above PTE_MARKER_MASK")
func edgeMarkerNeverEmpty() {
    for f in [x86, arm] {
        #expect(throws: MMMError.invalidArgument) { try f.encode(PteInfo(kind: .marker)) }
        var info = PteInfo(kind: .marker)
        info.marker = PteMarker(rawValue: 8)
        #expect(throws: MMMError.invalidArgument) { try f.encode(info) }
        info.marker = [.uffdWp, .guardRegion]
        #expect((try? f.encode(info)) == f.archSwpEntry(type: 31, offset: 5))
    }
}
