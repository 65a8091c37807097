import Testing
@testable import MMModel

// Bad input (issue 3 item 8): errors are reported, not crashes, and a refused
// operation leaves the world as it was (pageState of the range, free frames and
// slots, every process's counters). Faults refused before handle_mm_fault are
// not counted (R-ACCT-1, §6.4 row 1).

// An address outside every VMA: SIGSEGV-like .fault, nothing changes.
//   VMA  [WW]  hole
@Test("access outside every VMA throws .fault, world unchanged (R-ACCT-1)")
func accessOutsideVma() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 2 * page)
    try w.access(pid, a, 2 * page, read: false, write: true, value: 1)
    let before = try WorldSnapshot(w, pid, a, pages: 2)
    #expect(throws: MMMError.fault) { _ = try w.read(pid, a + 2 * page) }
    #expect(throws: MMMError.fault) { try w.write(pid, a - page, 1) }
    #expect(throws: MMMError.fault) { try w.pin(pid, a + 2 * page, page, write: true) }
    #expect(throws: MMMError.fault) { try w.madvise(pid, a, 3 * page, .dontneed) }
    #expect(try WorldSnapshot(w, pid, a, pages: 2) == before)
    #expect(w.invariantViolations() == [])
}

// §6.4 row 1: a write to a read-only VMA is SIGSEGV and counts nothing; reads work.
@Test("write to a read-only VMA throws .fault, world unchanged (§6.4)")
func writeReadOnlyVma() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page, write: false)
    #expect(try w.read(pid, a) == 0)
    let before = try WorldSnapshot(w, pid, a, pages: 1)
    #expect(throws: MMMError.fault) { try w.write(pid, a, 1) }
    #expect(throws: MMMError.fault) { try w.pin(pid, a, page, write: true) }
    #expect(try WorldSnapshot(w, pid, a, pages: 1) == before)
    #expect(try w.faults(pid) == [1, 0])
    #expect(w.invariantViolations() == [])
}

@Test("unknown or exited process → .noSuchProcess")
func unknownProcess() throws {
    var w = try World(.small())
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: page)
    #expect(throws: MMMError.noSuchProcess) { _ = try w.read(99, a) }
    #expect(throws: MMMError.noSuchProcess) { _ = try w.fork(0) }
    #expect(throws: MMMError.noSuchProcess) { try w.pageState(-1, a) }
    try w.exit(pid)
    #expect(throws: MMMError.noSuchProcess) { try w.write(pid, a, 1) }
    #expect(throws: MMMError.noSuchProcess) { _ = try w.mmap(pid, length: page) }
    #expect(throws: MMMError.noSuchProcess) { try w.exit(pid) }
    #expect(w.invariantViolations() == [])
}

// Out of frames: a first-touch fault and a COW copy that cannot allocate throw
// .noMemory; nothing is mapped, nothing counted.
//   frames: 4, all used   parent WWWW. | child rrrr
@Test("out of frames → .noMemory, world unchanged")
func outOfFrames() throws {
    var w = try World(.small(frames: 4))
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 5 * page)
    try w.access(parent, a, 4 * page, read: false, write: true, value: 1)
    #expect(w.frames.freeFrames == 0)
    var before = try WorldSnapshot(w, parent, a, pages: 5)
    #expect(throws: MMMError.noMemory) { try w.write(parent, a + 4 * page, 2) }
    #expect(try WorldSnapshot(w, parent, a, pages: 5) == before)
    let child = try w.fork(parent)
    before = try WorldSnapshot(w, child, a, pages: 5)
    let parentBefore = try WorldSnapshot(w, parent, a, pages: 5)
    #expect(throws: MMMError.noMemory) { try w.write(child, a, 2) }
    #expect(throws: MMMError.noMemory) { try w.write(parent, a + page, 2) }
    #expect(try WorldSnapshot(w, child, a, pages: 5) == before)
    #expect(try WorldSnapshot(w, parent, a, pages: 5) == parentBefore)
    #expect(w.invariantViolations() == [])
}

// Out of frames at swap-in: the skip path cannot allocate; the swap entry stays.
@Test("out of frames at swap-in → .noMemory, swap entry kept")
func outOfFramesSwapIn() throws {
    var w = try World(.small(frames: 2))
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 3 * page)
    try w.access(pid, a, 2 * page, read: false, write: true, value: 1)
    try w.pageout(pid, a, page)
    try w.write(pid, a + 2 * page, 3)                 // takes the freed frame
    let before = try WorldSnapshot(w, pid, a, pages: 3)
    #expect(throws: MMMError.noMemory) { _ = try w.read(pid, a) }
    #expect(try WorldSnapshot(w, pid, a, pages: 3) == before)
    #expect(w.invariantViolations() == [])
}

// Out of swap slots: MADV_PAGEOUT needing more slots than the device has free
// throws .noMemory before swapping anything.
@Test("out of swap slots → .noMemory, world unchanged")
func outOfSwapSlots() throws {
    var w = try World(.small(swapSlots: 3))             // slot 0 is the header: 2 usable
    let pid = w.createProcess()
    let a = try w.mmap(pid, length: 4 * page)
    try w.access(pid, a, 4 * page, read: false, write: true, value: 1)
    let before = try WorldSnapshot(w, pid, a, pages: 4)
    #expect(throws: MMMError.noMemory) { try w.pageout(pid, a, 4 * page) }
    #expect(throws: MMMError.noMemory) { try w.madvise(pid, a, 4 * page, .pageout) }
    #expect(try WorldSnapshot(w, pid, a, pages: 4) == before)
    #expect(try w.pageout(pid, a, 2 * page) == 2)
    #expect(try w.rows(pid, a, 4) == "SSWW")
    #expect(w.invariantViolations() == [])
}

// §2.5 with R-FORK-9: fork must copy every AE page of a maybe-pinned folio; it
// needs exactly that many free frames. With them it succeeds; without, .noMemory
// and no child, the world unchanged.
//   page    0123   all pinned read-write
//   fork →  WWWW | WWWW   four copies
@Test("fork of pinned pages needs one frame per copy; too few → .noMemory unchanged (§2.5)")
func forkPinnedOutOfFrames() throws {
    var w = try World(.small(frames: 8))
    let parent = w.createProcess()
    let a = try w.mmap(parent, length: 4 * page)
    try w.access(parent, a, 4 * page, read: false, write: true, value: 1)
    _ = try w.pin(parent, a, 4 * page, write: true)
    var tight = w
    let child = try w.fork(parent)
    #expect(try w.rows(child, a, 4) == "WWWW" && w.counters(child).forkPagesCopied == 4)
    #expect(w.frames.freeFrames == 0)
    #expect(w.invariantViolations() == [])

    try tight.write(parent, a, 2)                      // no fault: still AE and writable
    let q = tight.createProcess()
    _ = try tight.mmap(q, length: page)
    try tight.write(q, World.mmapBase, 1)              // one frame gone: 3 left for 4 copies
    let procs = tight.processes.count
    let before = try WorldSnapshot(tight, parent, a, pages: 4)
    #expect(throws: MMMError.noMemory) { _ = try tight.fork(parent) }
    #expect(tight.processes.count == procs)
    #expect(try WorldSnapshot(tight, parent, a, pages: 4) == before)
    #expect(tight.invariantViolations() == [])
}
