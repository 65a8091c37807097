import ArgumentParser

/// The `mmm` command: an executable model of Linux anonymous memory.
@main
struct MMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmm",
        abstract: "An executable model of Linux anonymous memory.",
        discussion: """
            PTE values are 64-bit words, written in decimal or 0x-hexadecimal. decode and \
            encode need --arch; --config removes kernel options (default: all on, \
            MAX_SWAPFILES = 24). The preset live-6.18 is the 6.18 kernel of the spec: \
            no-soft-dirty,no-device-private,no-memory-failure (MAX_SWAPFILES = 28). \
            run executes scenario files (docs/scenario-language.md); their header names \
            the machine.

            Exit status:
              0   success
              1   a value could not be decoded or encoded; a scenario expectation failed
              64  usage error (unknown option, word or value)
            """,
        version: "0.1.0",  // MMM_VERSION_STRING
        subcommands: [Decode.self, Encode.self, Run.self, Show.self, Explore.self, Conform.self, Compare.self])
}
