import MMModel

/// A world for the benchmarks: one process that has written `bytes` of private
/// anonymous memory (2 MiB aligned), as 4 KiB pages or, with `huge`, PMD THPs.
/// Frames: the pages plus one PMD of headroom; no swap.
func writtenWorld(bytes: UInt64, huge: Bool, value: UInt64) throws(MMMError) -> (world: World, pid: Int32, base: UInt64) {
    var cfg = WorldConfig()
    cfg.frames = Int(bytes / VA.pageSize) + 512
    cfg.swapSlots = 1
    cfg.thpEnabled = .madvise
    var w = try World(cfg)
    let pid = w.createProcess()
    let base = try w.mmap(pid, length: bytes, align: VA.pmdSize)
    try w.madvise(pid, base, bytes, huge ? .hugepage : .nohugepage)
    try w.access(pid, base, bytes, read: false, write: true, value: value)
    return (w, pid, base)
}
