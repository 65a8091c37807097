/// Physical memory: frames grouped in naturally aligned folios, kept as
/// struct-of-arrays indexed by frame number (frame = PFN - `pfnBase`).
/// Spec: semantics §1.1-§1.7.
///
/// Per frame the model keeps 24 bytes: the content token (8), the folio's
/// refcount (4, meaningful at the head), the page's mapcount (4: the small
/// folio's mapcount, or `pmap(p)` for a page of a large folio), a packed
/// metadata word (4) and the low 32 bits of the folio's linear page index (4).
/// Large folios keep their extra counters in `large`; swap-cache membership in
/// `swapCacheSlot`.
public struct FolioFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let anon = FolioFlags(rawValue: 1 << 0)
    public static let ksm = FolioFlags(rawValue: 1 << 1)
    public static let swapCache = FolioFlags(rawValue: 1 << 2)
    public static let lru = FolioFlags(rawValue: 1 << 3)
    public static let dirty = FolioFlags(rawValue: 1 << 4)
    public static let swapBacked = FolioFlags(rawValue: 1 << 5)
    public static let writeback = FolioFlags(rawValue: 1 << 6)
    /// Brought into the swap cache by readahead and not hit since.
    public static let readahead = FolioFlags(rawValue: 1 << 7)
}

/// The counters a large folio has beyond its pages' (§1.2, §1.3, §1.6).
public struct LargeFolioState: Hashable, Sendable {
    /// `_large_mapcount` + 1: all PTE mappings of its pages plus PMD mappings.
    public var lmap: Int32 = 0
    /// `_entire_mapcount` + 1: PMD mappings.
    public var emap: Int32 = 0
    /// `_pincount`.
    public var pincount: Int32 = 0
    /// MM-owner slots (6.15+, CONFIG_MM_ID): (mm id, count) × 2 and the shared bit.
    public var id0: Int32 = 0, cnt0: Int32 = 0, id1: Int32 = 0, cnt1: Int32 = 0
    public var shared = false
}

public struct Frames: Sendable {
    /// PFN of frame 0; PFNs below it are the zero pages.
    public static let pfnBase: UInt64 = 0x100000
    /// The shared zero page (`ZERO_PAGE(0)`), just below the pool.
    public static let zeroPfn: UInt64 = pfnBase - 1
    /// The huge zero folio: 512 frames, PMD aligned, below the zero page.
    public static let hugeZeroPfn: UInt64 = pfnBase - 0x400

    public private(set) var count: Int
    var token: [UInt64]
    var ref: TrackedArray<Int32>
    var mapcount: TrackedArray<Int32>
    /// bits 0-3 folio order, 4 AE, 5 allocated, 6 free-block head, 8-15 folio
    /// flags (head), 16-19 high bits of the linear page index (head), 20-23
    /// order of a free block (free heads).
    var meta: TrackedArray<UInt32>
    var indexLow: [UInt32]
    var large: [Int32: LargeFolioState] = [:]
    /// Folio head → first swap slot, for folios in the swap cache.
    var swapCacheSlot: [Int32: Int32] = [:]
    /// Buddy allocator free lists by order (lazy deletion: an entry is valid
    /// only while its frame is still a free head of that order).
    var freeLists: [[Int32]]
    public private(set) var freeFrames: Int
    /// Folios freed since the last drain, while tracking: (head, pages, index),
    /// so the incremental checker can look for entries still mapping them.
    var freedSinceDrain: [(head: Int32, nr: Int32, index: UInt64)] = []
    /// KSM folios: their rmap addresses and the stable tree (KsmIndex.swift).
    var ksm = KsmIndex()

    init(count: Int) {
        self.count = count
        token = Array(repeating: 0, count: count)
        ref = TrackedArray(repeating: 0, count: count)
        mapcount = TrackedArray(repeating: 0, count: count)
        meta = TrackedArray(repeating: 0, count: count)
        indexLow = Array(repeating: 0, count: count)
        freeLists = Array(repeating: [], count: WorldConfig.pmdOrder + 1)
        freeFrames = 0
        // Seed the free lists with the largest aligned blocks.
        var f = 0
        while f < count {
            var order = WorldConfig.pmdOrder
            while order > 0 && (f & ((1 << order) - 1) != 0 || f + (1 << order) > count) { order -= 1 }
            pushFree(Int32(f), order: order)
            f += 1 << order
        }
    }

    // MARK: Metadata accessors

    @inline(__always) func order(_ f: Int32) -> Int { Int(meta[Int(f)] & 0xF) }
    @inline(__always) func head(_ f: Int32) -> Int32 { f & ~Int32((1 << order(f)) - 1) }
    @inline(__always) func nr(_ head: Int32) -> Int { 1 << order(head) }
    @inline(__always) func isAllocated(_ f: Int32) -> Bool { meta[Int(f)] & (1 << 5) != 0 }
    @inline(__always) func ae(_ f: Int32) -> Bool { meta[Int(f)] & (1 << 4) != 0 }
    @inline(__always) mutating func setAE(_ f: Int32, _ on: Bool) {
        if on { meta[Int(f)] |= 1 << 4 } else { meta[Int(f)] &= ~(1 << 4) }
    }
    @inline(__always) func flags(_ head: Int32) -> FolioFlags { FolioFlags(rawValue: (meta[Int(head)] >> 8) & 0xFF) }
    @inline(__always) mutating func setFlags(_ head: Int32, _ fl: FolioFlags) {
        meta[Int(head)] = (meta[Int(head)] & ~(0xFF << 8)) | ((fl.rawValue & 0xFF) << 8)
    }
    @inline(__always) mutating func insertFlags(_ head: Int32, _ fl: FolioFlags) { setFlags(head, flags(head).union(fl)) }
    @inline(__always) mutating func removeFlags(_ head: Int32, _ fl: FolioFlags) { setFlags(head, flags(head).subtracting(fl)) }

    /// The folio's linear page index (`folio->index`: its first page's virtual
    /// page number in the anon VMA it was created in).
    func index(_ head: Int32) -> UInt64 {
        UInt64(indexLow[Int(head)]) | (UInt64((meta[Int(head)] >> 16) & 0xF) << 32)
    }
    mutating func setIndex(_ head: Int32, _ vpn: UInt64) {
        indexLow[Int(head)] = UInt32(truncatingIfNeeded: vpn)
        meta[Int(head)] = (meta[Int(head)] & ~(0xF << 16)) | (UInt32((vpn >> 32) & 0xF) << 16)
    }

    @inline(__always) public func pfn(_ f: Int32) -> UInt64 { Frames.pfnBase + UInt64(f) }
    /// The frame of a PFN, or nil for the zero pages and PFNs outside the pool.
    @inline(__always) public func frame(ofPfn pfn: UInt64) -> Int32? {
        guard pfn >= Frames.pfnBase, pfn - Frames.pfnBase < UInt64(count) else { return nil }
        return Int32(pfn - Frames.pfnBase)
    }

    // MARK: Buddy allocator

    private mutating func pushFree(_ f: Int32, order: Int) {
        meta[Int(f)] = (1 << 6) | (UInt32(order) << 20)
        freeLists[order].append(f)
        freeFrames += 1 << order
    }

    private func isFreeHead(_ f: Int32, order: Int) -> Bool {
        let m = meta[Int(f)]
        return m & (1 << 6) != 0 && Int((m >> 20) & 0xF) == order
    }

    private mutating func popFree(order: Int) -> Int32? {
        while let f = freeLists[order].popLast() {
            if isFreeHead(f, order: order) {
                meta[Int(f)] = 0
                freeFrames -= 1 << order
                return f
            }
        }
        return nil
    }

    /// Whether a folio of `order` can be allocated now.
    public func canAllocate(order: Int) -> Bool {
        for o in order...WorldConfig.pmdOrder where freeLists[o].contains(where: { isFreeHead($0, order: o) }) {
            return true
        }
        return false
    }

    /// Allocates a naturally aligned folio: refcount 1, no mapping, no flags,
    /// zero-filled (tokens 0). Nil when no block of that order is free.
    mutating func allocate(order: Int) -> Int32? {
        var o = order
        var block: Int32? = nil
        while o <= WorldConfig.pmdOrder {
            if let b = popFree(order: o) { block = b; break }
            o += 1
        }
        guard let b = block else { return nil }
        while o > order {          // split, returning the upper halves
            o -= 1
            pushFree(b + Int32(1 << o), order: o)
        }
        let n = 1 << order
        for i in 0..<n {
            let f = Int(b) + i
            meta[f] = UInt32(order) | (1 << 5)
            token[f] = 0
            mapcount[f] = 0
            ref[f] = 0
        }
        ref[Int(b)] = 1
        if order > 0 { large[b] = LargeFolioState() }
        return b
    }

    /// Returns a folio's frames to the allocator, coalescing buddies.
    mutating func free(_ head: Int32) {
        let order = self.order(head)
        if meta.tracking { freedSinceDrain.append((head, Int32(1 << order), index(head))) }
        if flags(head).contains(.ksm) { ksm.forget(head, token: token[Int(head)], tracking: meta.tracking) }
        large[head] = nil
        swapCacheSlot[head] = nil
        for i in 0..<(1 << order) { meta[Int(head) + i] = 0 }
        var f = head
        var o = order
        while o < WorldConfig.pmdOrder {
            let buddy = f ^ Int32(1 << o)
            guard Int(buddy) + (1 << o) <= count, isFreeHead(buddy, order: o) else { break }
            meta[Int(buddy)] = 0                 // its list entry goes stale
            freeFrames -= 1 << o
            f = min(f, buddy)
            o += 1
        }
        pushFree(f, order: o)
    }

    /// Starts or stops recording which frames change (`World.checkTouched`).
    mutating func setTracking(_ on: Bool) {
        ref.setTracking(on)
        mapcount.setTracking(on)
        meta.setTracking(on)
        freedSinceDrain = []
        ksm.freedSinceDrain = []
    }

    mutating func drain() {
        ref.drain()
        mapcount.drain()
        meta.drain()
        freedSinceDrain.removeAll(keepingCapacity: true)
        if !ksm.freedSinceDrain.isEmpty { ksm.freedSinceDrain.removeAll(keepingCapacity: true) }
    }

    /// Turns a large folio into order-0 folios (`split_folio`), distributing its
    /// references: each page keeps one reference per mapping of it, the head keeps
    /// whatever references are not mappings (pins, caller's). The caller moves
    /// swap-cache state.
    mutating func splitToOrder0(_ head: Int32) {
        let n = nr(head)
        guard n > 1 else { return }
        let fl = flags(head)
        let idx = index(head)
        var mappedRefs: Int32 = 0
        for i in 0..<n { mappedRefs += mapcount[Int(head) + i] }
        let extra = ref[Int(head)] - mappedRefs
        large[head] = nil
        for i in 0..<n {
            let f = Int32(Int(head) + i)
            let ae = self.ae(f)
            meta[Int(f)] = 1 << 5
            setAE(f, ae)
            setFlags(f, fl.subtracting(.swapCache))
            setIndex(f, idx + UInt64(i))
            ref[Int(f)] = mapcount[Int(f)]
        }
        ref[Int(head)] += max(extra, 0)
    }
}
