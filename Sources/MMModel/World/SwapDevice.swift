/// The swap device (type 0): per slot the swap count, the swap-cache folio that
/// owns it, and the content tokens written to it. Spec: semantics §1.7, §4.1, §4.3.
public struct SwapDevice: Sendable {
    public let kind: SwapDeviceKind
    public let slots: Int
    /// `swcount(e)`: swap PTEs naming the slot.
    var count: TrackedArray<UInt32>
    /// Head frame of the swap-cache folio owning the slot, or -1 (`SWAP_HAS_CACHE`).
    var cache: TrackedArray<Int32>
    /// The linear page index the slot's page had when it entered the swap
    /// cache: where the swap PTEs naming it are (the swap side of the rmap).
    var index: [UInt64]
    /// Whether the slot is allocated (from swap-out until count and cache both drop).
    var used: [Bool]
    /// The contents written by swap-out (tokens; 0 = zero-filled, the zero map).
    var data: [UInt64]
    /// Slots a KSM folio was written to → the virtual page numbers of the swap
    /// PTEs that name them, ascending (they sit where the folio was mapped, not at
    /// `index`; KsmIndex.swift). Dropped with the slot.
    var ksmVpns: [Int: [UInt64]] = [:]
    var cursor = 1
    public private(set) var freeSlots: Int

    init(kind: SwapDeviceKind, slots: Int) {
        self.kind = kind
        self.slots = max(slots, 1)
        count = TrackedArray(repeating: 0, count: self.slots)
        cache = TrackedArray(repeating: -1, count: self.slots)
        index = Array(repeating: 0, count: self.slots)
        used = Array(repeating: false, count: self.slots)
        data = Array(repeating: 0, count: self.slots)
        freeSlots = self.slots - 1
        used[0] = true                      // the header page
    }

    /// Allocates `nr` consecutive slots, naturally aligned to `nr`, scanning on
    /// from where the last allocation ended (ascending offsets on an idle
    /// device, §4.1 [K]). Nil when no such run is free.
    mutating func allocate(_ nr: Int) -> Int? {
        guard nr >= 1, freeSlots >= nr else { return nil }
        var start = (cursor + nr - 1) / nr * nr
        var wrapped = false
        while true {
            if start + nr > slots {
                if wrapped { return nil }
                wrapped = true
                start = nr                       // slot 0 is the header
                continue
            }
            if wrapped && start >= cursor { return nil }
            var ok = true
            for s in start..<(start + nr) where used[s] { ok = false; break }
            if ok {
                for s in start..<(start + nr) { used[s] = true; count[s] = 0; cache[s] = -1 }
                freeSlots -= nr
                cursor = start + nr
                return start
            }
            start += nr
        }
    }

    /// Releases a slot once nothing names it and no folio caches it.
    mutating func releaseIfUnused(_ s: Int) {
        guard used[s], count[s] == 0, cache[s] < 0, s != 0 else { return }
        used[s] = false
        data[s] = 0
        if !ksmVpns.isEmpty { ksmVpns[s] = nil }
        freeSlots += 1
    }

    mutating func setTracking(_ on: Bool) {
        count.setTracking(on)
        cache.setTracking(on)
    }

    mutating func drain() {
        count.drain()
        cache.drain()
    }

    public func swapCount(_ s: Int) -> UInt32 { s > 0 && s < slots ? count[s] : 0 }
    public func cachedFolio(_ s: Int) -> Int32? { s > 0 && s < slots && cache[s] >= 0 ? cache[s] : nil }
    public func isUsed(_ s: Int) -> Bool { s > 0 && s < slots && used[s] }
}
