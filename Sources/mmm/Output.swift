#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one line to standard error, after flushing standard output so the
/// two streams interleave in order.
func printError(_ line: String) {
    fflush(nil)
    var text = line + "\n"
    text.withUTF8 { buf in
        var done = 0
        while done < buf.count {
            let n = write(2, buf.baseAddress! + done, buf.count - done)
            if n <= 0 { return }
            done += n
        }
    }
}

/// An error `run()` reports as "Error: <description>" with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}
