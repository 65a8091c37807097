// The pure logic behind `mmm decode` / `mmm encode` (PteInfo+CLI.swift,
// PteInfo+JSON.swift), checked against the spec's worked examples.
import Testing
@testable import MMModel

@Suite("CLI core: decode lines, encode words, JSON")
struct CLICoreTests {
    @Test("decode line names the spec's kind and fields", arguments: specExamples)
    func decodeLine(_ ex: SpecExample) throws {
        let line = PteFormat(arch: ex.arch).decodeLine(Pte(ex.value))
        // The line is the value, two spaces, then the words (mmmodel.h mmm_pte_format).
        let prefix = "0x" + hex(ex.value, width: 16) + "  "
        #expect(line.hasPrefix(prefix), "\(ex.source)")
        let words = Set(line.dropFirst(prefix.count).split(separator: " ").map(String.init))
        #expect(words == ex.wordSet, "\(ex.source)")
    }

    @Test("the headline line, exactly")
    func headlineLine() {
        // spec encoding §2.5: type 3, offset 0x1234, exclusive = 0x1FFFFFFFFFDB9608; the
        // words are mmmodel.h's mmm_pte_format example "swap type=3 offset=0x1234 exclusive".
        #expect(PteFormat(arch: .x86_64).decodeLine(Pte(0x1FFF_FFFF_FFDB_9608))
                == "0x1FFFFFFFFFDB9608  swap type=3 offset=0x1234 exclusive")
        // mmmodel.h mmm_pte_format example "present write user young dirty nx pfn=0x12345",
        // spec encoding §1.5 first row.
        #expect(PteFormat(arch: .x86_64).decodeLine(Pte(0x8000_0000_1234_5067))
                == "0x8000000012345067  present write user young dirty nx pfn=0x12345")
    }

    @Test("encode words gives the spec value", arguments: specExamples.filter { !$0.hasStray })
    func encodeWords(_ ex: SpecExample) {
        let words = ex.words.split(separator: " ").map(String.init)
        #expect(PteFormat(arch: ex.arch).encode(words: words) == .success(Pte(ex.value)), "\(ex.source)")
    }

    @Test("encode(decode(v).text()) == v", arguments: specExamples.filter { !$0.hasStray })
    func roundTrip(_ ex: SpecExample) {
        let f = PteFormat(arch: ex.arch)
        let text = f.decode(Pte(ex.value)).text()
        let words = text.split(separator: " ").map(String.init)
        #expect(f.encode(words: words) == .success(Pte(ex.value)), "\(ex.source): \(text)")
    }

    @Test("refusals carry the errno and a reason")
    func refusals() {
        let x86 = PteFormat(arch: .x86_64), arm = PteFormat(arch: .arm64)
        func refused(_ f: PteFormat, _ text: String) -> (MMMError, String?)? {
            if case .failure(.refused(let e, let r)) = f.encode(words: text.split(separator: " ").map(String.init)) {
                return (e, r)
            }
            return nil
        }
        // spec encoding §2.5 / §2.4: type 0, offset 2^50 − 1 is 0, indistinguishable from pte_none.
        let none86 = refused(x86, "swap type=0 offset=0x3ffffffffffff")
        #expect(none86?.0 == .invalidArgument)
        #expect(none86?.1 == "would read as pte_none")
        // spec encoding §3.6: arm64 type 0, offset 0 is pte_none.
        #expect(refused(arm, "swap type=0 offset=0")?.1 == "would read as pte_none")
        // spec encoding §4.2: full configuration, MAX_SWAPFILES = 24; mmmodel.h: -ERANGE.
        let type24 = refused(x86, "swap type=24 offset=1")
        #expect(type24?.0 == .outOfRange)
        #expect(type24?.1 == "type 24 is not below MAX_SWAPFILES (24)")
        // spec encoding §2.1/§3.5: the arch offset field is 50 bits.
        #expect(refused(arm, "swap type=3 offset=0x4000000000000")?.0 == .outOfRange)
        // spec encoding §4.2 "MIGRATION only" row: no hwpoison type in the live 6.18 config.
        let live = PteFormat(arch: .x86_64, config: .live618)
        #expect(refused(live, "hwpoison pfn=1")?.1 == "hwpoison entries do not exist in this configuration")
        // spec encoding §3.1: arm64 has no soft-dirty.
        #expect(refused(arm, "swap type=3 offset=1 soft_dirty")?.1 == "soft_dirty does not exist on arm64 with this configuration")
        // mmmodel.h mmm_pte_encode: @stray must be 0.
        #expect(refused(x86, "none stray=0x60")?.0 == .invalidArgument)
        // The description is the MMMError text then the reason.
        #expect(EncodeWordsError.refused(.invalidArgument, reason: "would read as pte_none").description
                == "-EINVAL (Invalid argument): would read as pte_none")
    }

    @Test("unknown words are usage errors")
    func usageErrors() {
        let f = PteFormat(arch: .x86_64)
        #expect(f.encode(words: ["swap", "type=3", "bogus"]) == .failure(.usage(.unknownWord("bogus"))))
        #expect(f.encode(words: ["swap", "hwpoison"]) == .failure(.usage(.conflict("hwpoison"))))
        #expect(f.encode(words: ["type=3"]) == .failure(.usage(.noKind)))
        #expect(f.encode(words: ["swap", "offset=0x"]) == .failure(.usage(.badNumber("offset=0x"))))
    }

    @Test("--config words and the live-6.18 preset")
    func configWords() {
        #expect(KernelConfig.parse(cliList: "no-soft-dirty") == .success(KernelConfig.all.subtracting(.softDirty)))
        // mmmodel.h MMM_ARCH_CFG_LIVE_6_18 = no soft-dirty, no device-private, no memory failure.
        #expect(KernelConfig.parse(cliList: "live-6.18") == .success(.live618))
        #expect(KernelConfig.parse(cliList: "no-soft-dirty,no-device-private,no-memory-failure") == .success(.live618))
        #expect(KernelConfig.parse(cliList: "live-6.18,no-uffd-wp,no-migration") == .success([]))
        #expect(KernelConfig.parse(cliList: "no-foo") == .failure(CLIWordError(word: "no-foo")))
        #expect(KernelConfig.parse(cliList: "") == .failure(CLIWordError(word: "")))
        #expect(KernelConfig.parse(cliList: "no-migration,") == .failure(CLIWordError(word: "")))
        // spec encoding §4.2: live 6.18 is the "MIGRATION only" row, MAX_SWAPFILES = 28.
        if case .success(let c) = KernelConfig.parse(cliList: "live-6.18") {
            #expect(PteFormat(arch: .x86_64, config: c).maxSwapfiles == 28)
        }
    }

    @Test("decode values: decimal or 0x-hexadecimal, 64 bits, nothing else")
    func values() {
        #expect(parseCLIValue("0x1FFFFFFFFFDB9608") == 0x1FFF_FFFF_FFDB_9608)
        #expect(parseCLIValue("0X1fffffffffdb9608") == 0x1FFF_FFFF_FFDB_9608)
        #expect(parseCLIValue("19087556") == 0x12340C4)
        #expect(parseCLIValue("0xFFFFFFFFFFFFFFFF") == UInt64.max)
        #expect(parseCLIValue("18446744073709551615") == UInt64.max)
        for bad in ["", "0x", "x1", "1FFF", "+5", "-0", "0x+5", "0x-0", " 1", "1 ", "0x1g", "1_000",
                    "0x10000000000000000", "18446744073709551616", "１"] {
            #expect(parseCLIValue(bad) == nil, "'\(bad)'")
        }
    }

    @Test("jsonString escapes quotes, backslashes and control characters")
    func jsonEscaping() throws {
        #expect(jsonString("a\"b\\c") == #""a\"b\\c""#)
        #expect(jsonString("\n\r\t\u{08}\u{0C}") == #""\n\r\t\b\f""#)
        #expect(jsonString("\u{01}\u{1F}\u{7F}") == #""\u0001\u001F\u007F""#)
        #expect(jsonString("é→𝄞") == "\"é→𝄞\"")
        let nasty = "q\"b\\s/\u{00}\u{1B}x\u{2028}é"
        #expect(JSON.parse(jsonString(nasty)) == .string(nasty))
        // The test reader is strict enough to catch malformed output.
        for bad in [#"{"a":1,}"#, #"{"a" 1}"#, "{\"a\":\"\u{01}\"}", #"["a"] x"#, #"{"a":01}"#, #"{'a':1}"#] {
            #expect(JSON.parse(bad) == nil, "\(bad)")
        }
        #expect(jsonArray([]) == "[]")
        #expect(jsonArray(["a", "b\""]) == #"["a","b\""]"#)
    }
}

@Suite("CLI core: JSON objects per kind")
struct CLIJSONTests {
    func object(_ arch: Arch, _ value: UInt64, config: KernelConfig = .all) throws -> JSON {
        let f = PteFormat(arch: arch, config: config)
        let text = f.decode(Pte(value)).json(value: Pte(value), arch: arch)
        #expect(!text.contains("\n"))
        return try #require(JSON.parse(text), "not JSON: \(text)")
    }

    @Test("swap (spec encoding §2.5: type 3, offset 0x1234, exclusive = 0x1FFFFFFFFFDB9608)")
    func swap() throws {
        let o = try object(.x86_64, 0x1FFF_FFFF_FFDB_9608)
        #expect(o.keys == ["value", "arch", "kind", "flags", "swp_type", "swp_offset", "stray", "preds"])
        #expect(o["value"] == .string("0x1FFFFFFFFFDB9608"))
        #expect(o["arch"] == .string("x86_64"))
        #expect(o["kind"] == .string("swap"))
        #expect(o["flags"]?.strings == ["exclusive"])
        #expect(o["swp_type"] == .number("3"))
        #expect(o["swp_offset"] == .string("0x1234"))
        #expect(o["stray"] == .string("0x0"))
        // is_swap_pte and pte_swp_exclusive hold (spec encoding §4.4, §2.3).
        #expect(o["preds"]?.strings == ["swap_pte", "exclusive"])
    }

    @Test("present (spec encoding §1.5 first row, 0x8000000012345067)")
    func present() throws {
        let o = try object(.x86_64, 0x8000_0000_1234_5067)
        #expect(o.keys == ["value", "arch", "kind", "flags", "pfn", "attrs", "preds"])
        #expect(o["kind"] == .string("present"))
        #expect(Set(o["flags"]?.strings ?? []) == ["present", "write", "user", "young", "dirty", "nx"])
        #expect(o["pfn"] == .string("0x12345"))
        #expect(o["attrs"] == .string("0x0"))
        #expect(Set(o["preds"]?.strings ?? []) == ["present", "write", "dirty", "young"])
    }

    @Test("arm64 hardware-dirty present: pte_dirty without PTE_DIRTY (spec encoding §3.2, §3.6)")
    func armHwDirty() throws {
        let o = try object(.arm64, 0x0068_0000_1234_5F43)
        #expect(o["arch"] == .string("arm64"))
        #expect(o["flags"]?.strings?.contains("dirty") == false)
        #expect(o["preds"]?.strings?.contains("dirty") == true)
        #expect(o["attrs"] == .string("0x20000000000b02"))
    }

    @Test("none with stray A/D (spec encoding §1.5: only A and D set, 0x60, is pte_none)")
    func none() throws {
        let o = try object(.x86_64, 0x60)
        #expect(o.keys == ["value", "arch", "kind", "stray", "preds"])
        #expect(o["value"] == .string("0x0000000000000060"))
        #expect(o["kind"] == .string("none"))
        #expect(o["stray"] == .string("0x60"))
        #expect(o["preds"]?.strings == ["none"])
    }

    @Test("marker (spec encoding §4.6: GUARD marker, x86-64 0xFFFFFFFFFFFFF600)")
    func marker() throws {
        let o = try object(.x86_64, 0xFFFF_FFFF_FFFF_F600)
        #expect(o.keys == ["value", "arch", "kind", "flags", "swp_type", "swp_offset", "marker", "stray", "preds"])
        #expect(o["kind"] == .string("marker"))
        #expect(o["swp_type"] == .number("31"))
        #expect(o["swp_offset"] == .string("0x4"))
        #expect(o["marker"]?.strings == ["guard"])
        #expect(o["preds"]?.strings == ["swap_pte", "non_swap"])
    }

    @Test("PFN-carrying (spec encoding §4.6: migration write PFN 0x12345, type 27, arm64 0x123456C0)")
    func migration() throws {
        let o = try object(.arm64, 0x1234_56C0)
        #expect(o.keys == ["value", "arch", "kind", "flags", "pfn", "swp_type", "swp_offset", "stray", "preds"])
        #expect(o["kind"] == .string("migration_write"))
        #expect(o["pfn"] == .string("0x12345"))
        #expect(o["swp_type"] == .number("27"))
        #expect(o["swp_offset"] == .string("0x12345"))
    }

    @Test("stray in a swap PTE (spec encoding §3.6: offset 2^50 overflow sets bit 62, 0x40000000000000C0)")
    func stray() throws {
        let o = try object(.arm64, 0x4000_0000_0000_00C0)
        #expect(o["swp_offset"] == .string("0x0"))
        #expect(o["stray"] == .string("0x4000000000000000"))
    }

    @Test("every spec example renders as one well-formed object", arguments: specExamples)
    func wellFormed(_ ex: SpecExample) throws {
        let o = try object(ex.arch, ex.value)
        #expect(o["value"] == .string("0x" + hex(ex.value, width: 16)), "\(ex.source)")
        #expect(o["kind"]?.string == ex.words.split(separator: " ").first.map {
            $0.hasPrefix("marker=") ? "marker" : $0 == "protnone" ? "present" : String($0)
        }, "\(ex.source)")
    }
}
