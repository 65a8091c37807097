import Testing
@testable import MMModel

// Issue 7 item 6: swap readahead of shared swap entries in a child (mm/swap_state.c
// swap_vma_readahead, spec §4.10; page-cluster 3, window ≤ 8, clipped to the VMA).
// [K] live 6.18 (zram; a C program: 16 pages written, MADV_PAGEOUT, fork, the child
// reads one page at a time, getrusage after each): upward, major faults at pages
// 0, 5 and 13; downward, at pages 15, 11 and 3; every other read minor.
@Test("16 shared swapped pages read by a child: major at 0, 5, 13 upward and 15, 11, 3 downward [K]",
      arguments: [false, true])
func readaheadChildPattern(downward: Bool) throws {
    var w = try World(.small())
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 16 * page)
    try w.access(parent, a, 16 * page, read: false, write: true, value: 1)
    #expect(try w.pageout(parent, a, 16 * page) == 16)
    let child = try w.fork(parent)
    var majors: [Int] = []
    for j in 0..<16 {
        let i = downward ? 15 - j : j
        let f0 = try w.faults(child)
        #expect(try w.read(child, a + UInt64(i) * page) == 1)
        let d = try delta(w.faults(child), f0)
        #expect(d[0] + d[1] == 1)
        if d[1] == 1 { majors.append(i) }
    }
    #expect(majors == (downward ? [15, 11, 3] : [0, 5, 13]))
    #expect(w.invariantViolations() == [])
}
