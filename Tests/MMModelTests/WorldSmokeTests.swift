import Testing
@testable import MMModel

// Spec semantics §7.4: 2 MiB written, MADV_PAGEOUT, then read and write every
// page: 6.18 (6.11+ swap-in reuse rule), sync device, order-0 → 0 minor, 512 major.
@Test func seedMicrobenchmark618() throws {
    var w = try World(WorldConfig())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 << 20)
    try w.access(pid, a, 2 << 20, read: false, write: true, value: 7)
    #expect(try w.counters(pid).minor == 512)
    #expect(try w.pageout(pid, a, 2 << 20) == 512)
    let before = try w.counters(pid)
    for i in 0..<512 {
        let addr = a + UInt64(i) * 4096
        #expect(try w.read(pid, addr) == 7)
        try w.write(pid, addr, 8)
    }
    let after = try w.counters(pid)
    #expect(after.minor - before.minor == 0)
    #expect(after.major - before.major == 512)
}
