// End-to-end tests of the built `mmm` executable: output, exit codes, help and
// error messages. Expected values come from the spec, mmmodel.h and the
// documented CLI contract (exit codes 0 / 1 / 64), never from earlier output.
import Testing
import CMMModel
import MMModel

@Suite("CLI executable: mmm")
struct CLIExecutableTests {
    // MARK: decode

    @Test("decode prints one line per spec value on both arches")
    func decodeSpecValues() throws {
        for arch in Arch.allCases {
            let examples = specExamples.filter { $0.arch == arch }
            let r = try runMMM(["decode", "--arch", "\(arch)"] + examples.map { "0x" + hex($0.value, width: 16) })
            #expect(r.status == 0)
            #expect(r.err == "")
            try #require(r.lines.count == examples.count)
            for (line, ex) in zip(r.lines, examples) {
                let prefix = "0x" + hex(ex.value, width: 16) + "  "
                #expect(line.hasPrefix(prefix), "\(ex.source)")
                #expect(Set(line.dropFirst(prefix.count).split(separator: " ").map(String.init)) == ex.wordSet,
                        "\(ex.source)")
            }
        }
    }

    @Test("decode accepts decimal and arch aliases")
    func decodeDecimal() throws {
        // spec encoding §3.6: arm64 swap type 3, offset 0x1234, exclusive = 0x12340C4 = 19087556.
        let r = try runMMM(["decode", "--arch", "aarch64", "19087556"])
        #expect(r.status == 0)
        #expect(r.out == "0x00000000012340C4  swap type=3 offset=0x1234 exclusive\n")
    }

    @Test("decode honours --config (spec encoding §4.2 MIGRATION-only row: type 28 is migration read)")
    func decodeLiveConfig() throws {
        // spec encoding §4.6: x86-64 0xE7FFFFFFFDB97400 is type 28, PFN 0x12345 (device-private
        // write in the full configuration); in live 6.18 type 28 is SWP_MIGRATION_READ.
        let full = try runMMM(["decode", "--arch", "x86_64", "0xE7FFFFFFFDB97400"])
        #expect(full.out == "0xE7FFFFFFFDB97400  device_private_write pfn=0x12345\n")
        let live = try runMMM(["decode", "--arch", "x86_64", "--config", "live-6.18", "0xE7FFFFFFFDB97400"])
        #expect(live.status == 0)
        #expect(live.out == "0xE7FFFFFFFDB97400  migration_read pfn=0x12345\n")
        let spelled = try runMMM(["decode", "--arch", "x86_64", "--config",
                                  "no-soft-dirty,no-device-private,no-memory-failure", "0xE7FFFFFFFDB97400"])
        #expect(spelled.out == live.out)
    }

    @Test("decode reads standard input, skipping blank lines and comments")
    func decodeStdin() throws {
        let input = """
            # spec encoding §2.5 and §1.5
              0x1FFFFFFFFFDB9608\t

            0x8000000012345067   # anon RW
            """
        let r = try runMMM(["decode", "--arch", "x86_64"], stdin: input + "\n")
        #expect(r.status == 0)
        #expect(r.err == "")
        #expect(r.lines == [
            "0x1FFFFFFFFFDB9608  swap type=3 offset=0x1234 exclusive",          // spec §2.5
            "0x8000000012345067  present write user young dirty nx pfn=0x12345", // spec §1.5
        ])
        // Standard input without a final newline and with --json.
        let j = try runMMM(["decode", "--arch", "arm64", "--json"], stdin: "0x47C0")
        #expect(j.status == 0)
        let o = try #require(JSON.parse(j.out))
        #expect(o["kind"] == .string("marker"))  // spec encoding §4.6: GUARD marker, arm64 0x47C0
        #expect(o["marker"]?.strings == ["guard"])
        // Empty standard input: nothing to do.
        let e = try runMMM(["decode", "--arch", "arm64"], stdin: "")
        #expect(e.status == 0)
        #expect(e.out == "")
    }

    @Test("decode of a bad value: message naming it, others still decoded, exit 1")
    func decodeBadValue() throws {
        let r = try runMMM(["decode", "--arch", "x86_64", "0x60", "zz", "0x10000000000000000", "0x1FFFFFFFFFDB9608"])
        #expect(r.status == 1)
        #expect(r.lines == [
            "0x0000000000000060  none stray=0x60",                     // spec §1.5: A and D only
            "0x1FFFFFFFFFDB9608  swap type=3 offset=0x1234 exclusive", // spec §2.5
        ])
        #expect(r.err == """
            Error: cannot decode 'zz': not a 64-bit number (decimal or 0x-hexadecimal)
            Error: cannot decode '0x10000000000000000': not a 64-bit number (decimal or 0x-hexadecimal)

            """)
        // A sign is not part of a value.
        let signed = try runMMM(["decode", "--arch", "x86_64", "--", "+5", "0x-0"])
        #expect(signed.status == 1)
        #expect(signed.out == "")
        #expect(signed.err.contains("cannot decode '+5'"))
        #expect(signed.err.contains("cannot decode '0x-0'"))
        let s = try runMMM(["decode", "--arch", "x86_64"], stdin: "0x60\n\n1FFF\n")
        #expect(s.status == 1)
        #expect(s.lines == ["0x0000000000000060  none stray=0x60"])
        #expect(s.err == "Error: line 3: cannot decode '1FFF': not a 64-bit number (decimal or 0x-hexadecimal)\n")
    }

    @Test("decode --json: one well-formed object per value")
    func decodeJSON() throws {
        let values = specExamples.filter { $0.arch == .x86_64 }
        let r = try runMMM(["decode", "--arch", "x86-64", "--json"] + values.map { "0x" + hex($0.value, width: 16) })
        #expect(r.status == 0)
        try #require(r.lines.count == values.count)
        for (line, ex) in zip(r.lines, values) {
            let o = try #require(JSON.parse(line), "not JSON: \(line)")
            #expect(o["value"] == .string("0x" + hex(ex.value, width: 16)), "\(ex.source)")
            #expect(o["arch"] == .string("x86_64"))
        }
        // spec encoding §2.5: type 3, offset 0x1234, exclusive.
        let first = try #require(JSON.parse(try runMMM(["decode", "--arch", "x86_64", "--json",
                                                        "0x1FFFFFFFFFDB9608"]).out))
        #expect(first["kind"] == .string("swap"))
        #expect(first["swp_type"] == .number("3"))
        #expect(first["swp_offset"] == .string("0x1234"))
        #expect(first["flags"]?.strings == ["exclusive"])
    }

    // MARK: encode

    @Test("encode prints the spec value", arguments: specExamples.filter { !$0.hasStray })
    func encodeSpecValue(_ ex: SpecExample) throws {
        let r = try runMMM(["encode", "--arch", "\(ex.arch)"] + ex.words.split(separator: " ").map(String.init))
        #expect(r.status == 0, "\(ex.source): \(r.err)")
        #expect(r.out == "0x" + hex(ex.value, width: 16) + "\n", "\(ex.source)")
    }

    @Test("encode of decode's own words gives the value back")
    func encodeDecodeRoundTrip() throws {
        for ex in specExamples where !ex.hasStray {
            let d = try runMMM(["decode", "--arch", "\(ex.arch)", "0x" + hex(ex.value, width: 16)])
            let words = d.out.split(separator: " ", omittingEmptySubsequences: true).dropFirst()
                .flatMap { $0.split(separator: "\n") }.map(String.init)
            let e = try runMMM(["encode", "--arch", "\(ex.arch)"] + words)
            #expect(e.out == "0x" + hex(ex.value, width: 16) + "\n", "\(ex.source)")
        }
    }

    @Test("encode --json prints the value and its decode")
    func encodeJSON() throws {
        // spec encoding §3.6: arm64 swap type 3, offset 0x1234, exclusive + uffd-wp = 0x12340CC.
        let r = try runMMM(["encode", "--arch", "arm64", "--json", "swap", "type=3", "offset=0x1234",
                            "exclusive", "uffd_wp"])
        #expect(r.status == 0)
        let o = try #require(JSON.parse(r.out))
        #expect(o["value"] == .string("0x00000000012340CC"))
        #expect(o["arch"] == .string("arm64"))
        #expect(o["kind"] == .string("swap"))
        #expect(o["flags"]?.strings == ["exclusive", "uffd_wp"])
        #expect(o["swp_type"] == .number("3"))
        #expect(o["swp_offset"] == .string("0x1234"))
    }

    @Test("encode refuses what the kernel could not build: exit 1 with errno and reason")
    func encodeRefused() throws {
        // spec encoding §2.5: type 0, offset 2^50 − 1 is 0x0, indistinguishable from pte_none.
        let none = try runMMM(["encode", "--arch", "x86_64", "swap", "type=0", "offset=0x3ffffffffffff"])
        #expect(none.status == 1)
        #expect(none.out == "")
        #expect(none.err == "Error: cannot encode 'swap type=0 offset=0x3ffffffffffff': "
                + "-EINVAL (Invalid argument): would read as pte_none\n")
        // spec encoding §3.6: arm64 type 0, offset 0 is pte_none.
        let armNone = try runMMM(["encode", "--arch", "arm64", "swap", "type=0", "offset=0"])
        #expect(armNone.status == 1)
        #expect(armNone.err.contains("-EINVAL (Invalid argument): would read as pte_none"))
        // spec encoding §4.2: MAX_SWAPFILES 24 in the full configuration, 28 in live 6.18.
        let full = try runMMM(["encode", "--arch", "x86_64", "swap", "type=27", "offset=1"])
        #expect(full.status == 1)
        #expect(full.err == "Error: cannot encode 'swap type=27 offset=1': "
                + "-ERANGE (Numerical result out of range): type 27 is not below MAX_SWAPFILES (24)\n")
        let live = try runMMM(["encode", "--arch", "x86_64", "--config", "live-6.18", "swap", "type=27", "offset=1"])
        #expect(live.status == 0)
        // spec encoding §4.2: no CONFIG_MEMORY_FAILURE in live 6.18, so no hwpoison type.
        let hw = try runMMM(["encode", "--arch", "x86_64", "--config", "live-6.18", "hwpoison", "pfn=0x12345"])
        #expect(hw.status == 1)
        #expect(hw.err.contains("hwpoison entries do not exist in this configuration"))
        // mmmodel.h: soft-dirty removed by MMM_ARCH_CFG_NO_SOFT_DIRTY (part of live 6.18).
        let sd = try runMMM(["encode", "--arch", "x86_64", "--config", "live-6.18", "swap", "type=3",
                             "offset=0x1234", "soft_dirty"])
        #expect(sd.status == 1)
        #expect(sd.err.contains("soft_dirty does not exist on x86_64 with this configuration"))
    }

    // MARK: usage errors (exit 64)

    @Test("encode: an unknown word is a usage error, golden message")
    func encodeUnknownWord() throws {
        let r = try runMMM(["encode", "--arch", "x86_64", "swap", "type=3", "bogus"])
        #expect(r.status == 64)
        #expect(r.out == "")
        #expect(r.err == """
            Error: unknown word 'bogus'
            Usage: mmm encode --arch <arch> [--config <list>] [--json] <word> ...
              See 'mmm encode --help' for more information.

            """)
        let two = try runMMM(["encode", "--arch", "x86_64", "swap", "hwpoison"])
        #expect(two.status == 64)
        #expect(two.err.hasPrefix("Error: 'hwpoison' names a second kind\n"))
        let noKind = try runMMM(["encode", "--arch", "x86_64", "type=3"])
        #expect(noKind.status == 64)
        #expect(noKind.err.hasPrefix("Error: no kind given"))
        let noWords = try runMMM(["encode", "--arch", "x86_64"])
        #expect(noWords.status == 64)
        #expect(noWords.err.hasPrefix("Error: Missing expected argument '<word> ...'\n"))
    }

    @Test("bad or missing --arch / --config: usage errors, golden messages")
    func optionErrors() throws {
        let noArch = try runMMM(["decode", "0x1"])
        #expect(noArch.status == 64)
        #expect(noArch.err.hasPrefix("Error: Missing expected argument '--arch <arch>'\n"))
        let badArch = try runMMM(["decode", "--arch", "sparc", "0x1"])
        #expect(badArch.status == 64)
        #expect(badArch.err.hasPrefix(
            "Error: The value 'sparc' is invalid for '--arch <arch>': unknown architecture 'sparc' (x86_64 or arm64)\n"))
        let badConfig = try runMMM(["encode", "--arch", "arm64", "--config", "no-foo", "none"])
        #expect(badConfig.status == 64)
        #expect(badConfig.err.hasPrefix(
            "Error: The value 'no-foo' is invalid for '--config <list>': unknown configuration word 'no-foo' "
                + "(expected no-soft-dirty, no-uffd-wp, no-device-private, no-migration, no-memory-failure, "
                + "live-6.18)\n"))
        let unknownOption = try runMMM(["decode", "--arch", "x86_64", "--hex", "1"])
        #expect(unknownOption.status == 64)
        let unknownCommand = try runMMM(["frobnicate"])
        #expect(unknownCommand.status == 64)
    }

    // MARK: help and version

    @Test("--help lists the subcommands and the exit codes")
    func rootHelp() throws {
        let r = try runMMM(["--help"])
        #expect(r.status == 0)
        let lines = r.lines
        #expect(lines.first == "OVERVIEW: An executable model of Linux anonymous memory.")
        #expect(lines.contains("USAGE: mmm <subcommand>"))
        #expect(lines.contains("SUBCOMMANDS:"))
        #expect(lines.contains("  decode                  Take PTE values apart."))
        #expect(lines.contains("  encode                  Build a PTE value from words."))
        #expect(lines.contains("  0   success"))
        #expect(lines.contains("  1   a value could not be decoded or encoded; a scenario expectation failed"))
        #expect(lines.contains("  64  usage error (unknown option, word or value)"))
        // Only the subcommands that exist are listed.
        let subcommands = lines.drop { $0 != "SUBCOMMANDS:" }.dropFirst().prefix { !$0.isEmpty }
        // By name: a wrapped abstract adds a line, not a subcommand.
        let names = Set(subcommands.filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(names == ["decode", "encode", "run", "show", "explore", "conform", "compare"])
        #expect(subcommands.contains { $0.hasPrefix("  run ") })
    }

    @Test("subcommand help: usage line and the shared options")
    func subcommandHelp() throws {
        let d = try runMMM(["help", "decode"])
        #expect(d.status == 0)
        #expect(d.lines.first == "OVERVIEW: Take PTE values apart.")
        #expect(d.lines.contains("USAGE: mmm decode --arch <arch> [--config <list>] [--json] [<value> ...]"))
        #expect(d.lines.contains { $0.hasPrefix("  --arch <arch>           The architecture: x86_64 or arm64") })
        #expect(d.lines.contains { $0.hasPrefix("  --config <list>         Kernel options to remove") })
        #expect(d.lines.contains("  --json                  Print one JSON object per value instead of text."))
        // The JSON keys are documented in the discussion.
        for key in ["value", "arch", "kind", "flags", "pfn", "swp_type", "swp_offset", "marker", "attrs", "stray", "preds"] {
            #expect(d.lines.contains { $0.hasPrefix("  " + key + " ") }, "JSON key \(key) documented")
        }
        let e = try runMMM(["encode", "--help"])
        #expect(e.status == 0)
        #expect(e.lines.first == "OVERVIEW: Build a PTE value from words.")
        #expect(e.lines.contains("USAGE: mmm encode --arch <arch> [--config <list>] [--json] <word> ..."))
        #expect(e.lines.contains("  mmm encode --arch x86_64 swap type=3 offset=0x1234 exclusive"))
    }

    @Test("--version is MMM_VERSION_STRING")
    func version() throws {
        let r = try runMMM(["--version"])
        #expect(r.status == 0)
        #expect(r.out == MMM_VERSION_STRING + "\n")
    }
}
