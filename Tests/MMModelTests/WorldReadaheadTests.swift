import Testing
@testable import MMModel

// Spec semantics §4.10, worked example [K] (page-cluster 3, so max_win = 8):
// 32 pages swapped out, then shared with a child by fork (swap count 2, so the
// synchronous device cannot skip the swap cache). The parent reads page 10 and
// then upward, wrapping to 0:
//   page     0123456789abcdef0123456789abcdef   (pages 0-31)
//   major    M..M......M....M.......M.......M   at 10, 15, 23, 31, 0, 3
// 6 major faults (one per readahead window) and 26 minor ones (swap-cache hits).
@Test("swap VMA readahead window: 6 major + 26 minor for 32 shared pages (§4.10)")
func vmaReadaheadWorkedExample() throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 32 * page)
    try w.access(parent, a, 32 * page, read: false, write: true, value: 5)
    #expect(try w.pageout(parent, a, 32 * page) == 32)
    let child = try w.fork(parent)
    var majors: [Int] = []
    let order = Array(10..<32) + Array(0..<10)
    for i in order {
        let before = try w.counters(parent).major
        #expect(try w.read(parent, a + UInt64(i) * page) == 5)
        if try w.counters(parent).major > before { majors.append(i) }
    }
    #expect(majors == [10, 15, 23, 31, 0, 3])
    let c = try w.counters(parent)
    #expect(c.major == 6 && c.minor == 32 + 26)      // 32 minor from the first fill
    // R-SC-6: the child's reads then all hit the swap cache (minor).
    let cb = try w.counters(child)
    try w.access(child, a, 32 * page, read: true, write: false)
    #expect(try w.counters(child).major == cb.major)
    #expect(w.invariantViolations().isEmpty)
}

// §4.10: with page-cluster 0 there is no readahead: every shared page is a major fault.
@Test("page-cluster 0: no readahead, one major fault per shared page (§4.10)")
func noReadaheadWithPageClusterZero() throws {
    var cfg = WorldConfig.small()
    cfg.pageCluster = 0
    var w = try World(cfg)
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 16 * page)
    try w.access(parent, a, 16 * page, read: false, write: true, value: 1)
    try w.pageout(parent, a, 16 * page)
    _ = try w.fork(parent)
    let before = try w.counters(parent)
    try w.access(parent, a, 16 * page, read: true, write: false)
    #expect(try w.counters(parent).major - before.major == 16)
    #expect(try w.counters(parent).minor == before.minor)
}
