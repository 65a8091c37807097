import ArgumentParser
import MMModel

extension MMM {
    /// `mmm decode`: PTE values to their parts.
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take PTE values apart.",
            discussion: """
                Each VALUE (decimal or 0x-hexadecimal) gives one line: the value as 16 \
                hexadecimal digits, two spaces, and its kind and fields, e.g.

                  0x1FFFFFFFFFDB9608  swap type=3 offset=0x1234 exclusive

                The words are those `mmm encode` reads; "stray=0x..." ends a value with \
                bits the kernel never sets for its kind. Without VALUE arguments the \
                values are read from standard input, one a line; blank lines and text \
                after '#' are skipped.

                With --json each value gives one JSON object on one line. Keys, in this \
                order, only where meaningful for the kind:
                  value       "0x" and 16 upper-case hex digits    all kinds
                  arch        "x86_64" or "arm64"                  all kinds
                  kind        the kind word of the text line       all kinds
                  flags       array of flag words                  all but none
                  pfn         "0x..."                              present, PFN-carrying
                  swp_type    number                               non-present kinds
                  swp_offset  "0x..."                              non-present kinds
                  marker      array of uffd_wp, poisoned, guard    marker
                  attrs       "0x...", other bits in PTE position  present
                  stray       "0x...", bits the kind never has     all but present
                  preds       array of the predicates that hold    all kinds
                Predicate words: none, present, swap_pte, non_swap, protnone, write, \
                dirty, young, soft_dirty, uffd_wp, special, exclusive. Numbers above \
                2^53 do not survive JSON, so 64-bit quantities are strings.

                A value that is not a number is reported on standard error; the others \
                are still decoded and the exit status is 1.
                """)

        @OptionGroup var options: CommonOptions

        @Argument(help: ArgumentHelp("PTE values; none: read standard input.", valueName: "value"))
        var values: [String] = []

        func run() throws {
            let format = options.format
            var failed = false
            func decodeOne(_ word: String, where place: String) {
                guard let v = parseCLIValue(word) else {
                    printError("Error: \(place)cannot decode '\(word)': not a 64-bit number (decimal or 0x-hexadecimal)")
                    failed = true
                    return
                }
                let p = Pte(v)
                print(options.json ? format.decode(p).json(value: p, arch: format.arch) : format.decodeLine(p))
            }
            if values.isEmpty {
                var lineNumber = 0
                while let line = readLine() {
                    lineNumber += 1
                    let word = stdinWord(line)
                    if word.isEmpty { continue }
                    decodeOne(word, where: "line \(lineNumber): ")
                }
            } else {
                for word in values { decodeOne(word, where: "") }
            }
            if failed { throw ExitCode.failure }
        }

        /// A line of standard input without its comment and surrounding blanks.
        func stdinWord(_ line: String) -> String {
            var s = Substring(line)
            if let hash = s.firstIndex(of: "#") { s = s[..<hash] }
            let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
            while let c = s.first, blank(c) { s = s.dropFirst() }
            while let c = s.last, blank(c) { s = s.dropLast() }
            return String(s)
        }
    }
}
