import ArgumentParser
import MMModel

extension MMM {
    /// `mmm encode`: words to a PTE value.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a PTE value from words.",
            discussion: """
                The words are those `mmm decode` prints, in any order: a kind (present, \
                protnone, swap, migration_read, migration_read_exclusive, \
                migration_write, device_private_read, device_private_write, \
                device_exclusive, hwpoison, marker=..., none), flag words, and \
                pfn=, type=, offset=, attrs= with decimal or 0x-hexadecimal numbers. \
                Examples:

                  mmm encode --arch x86_64 swap type=3 offset=0x1234 exclusive
                  mmm encode --arch arm64 present write user young pfn=0x12345
                  mmm encode --arch x86_64 marker=uffd_wp,guard

                Prints the value as 0x and 16 hexadecimal digits; with --json, the JSON \
                object `mmm decode --json` prints for it.

                An unknown word is a usage error (exit status 64). An entry the kernel \
                could not build (a type not below MAX_SWAPFILES, a flag the \
                configuration lacks, a value that would read as pte_none, ...) is \
                refused with exit status 1.
                """)

        @OptionGroup var options: CommonOptions

        @Argument(help: ArgumentHelp("The kind and fields of the entry.", valueName: "word"))
        var words: [String]

        func validate() throws {
            if case .failure(let e) = PteInfo.parse(words) { throw ValidationError(e.description) }
        }

        func run() throws {
            let format = options.format
            switch format.encode(words: words) {
            case .success(let p):
                print(options.json ? format.decode(p).json(value: p, arch: format.arch) : p.description)
            case .failure(.usage(let e)):
                throw ValidationError(e.description)  // validate() has caught it already
            case .failure(let e):
                throw CommandFailure(description: "cannot encode '\(words.joined(separator: " "))': \(e)")
            }
        }
    }
}
