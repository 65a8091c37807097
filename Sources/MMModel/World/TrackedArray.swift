/// An array that can record which elements were written, and what each held
/// before its first write, since the last `drain`: the bookkeeping behind the
/// incremental checker (`World.checkTouched`). Reads cost what an array read
/// costs; a write costs one branch while tracking is off, and while it is on a
/// compare, a bit test and, on an element's first change, two appends (a write
/// of the value already there is not recorded). Draining keeps the
/// lists' capacity, so a world checked after every operation does not
/// allocate per page.
struct TrackedArray<Element: Sendable & Equatable>: Sendable {
    private(set) var values: [Element]
    private(set) var tracking = false
    /// One bit per element: set while the element is in `written`.
    private var marks: [UInt64] = []
    /// Indices written since the last drain, in first-write order.
    private(set) var written: [Int] = []
    /// `before[k]` is what `values[written[k]]` held before its first write.
    private(set) var before: [Element] = []

    init(repeating value: Element, count: Int) { values = Array(repeating: value, count: count) }
    init() { values = [] }

    var count: Int { values.count }

    subscript(i: Int) -> Element {
        @inline(__always) get { values[i] }
        @inline(__always) set {
            if tracking && values[i] != newValue { note(i) }
            values[i] = newValue
        }
    }

    /// The plain array, for bulk paths that write through pointers. Such a path
    /// must `note` what it may write first, or the incremental checker will
    /// not see it (entries are what matter: frames and slots an entry names,
    /// before or after, are checked with it).
    var untracked: [Element] {
        get { values }
        _modify { yield &values }
    }

    /// Records `range` as written (before-values as they are now), while tracking.
    /// Indices already recorded cost a bit each, tested a word at a time, so a
    /// bulk path that notes the rest of a table again and again stays linear.
    mutating func note(_ range: Range<Int>) {
        guard tracking else { return }
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let w = i >> 6, lo = i & 63
            let hi = min(64, lo + (end - i))            // bits [lo, hi) of word w
            let upto = hi == 64 ? ~UInt64(0) : (UInt64(1) << UInt64(hi)) - 1
            var todo = ~marks[w] & upto & ~((UInt64(1) << UInt64(lo)) - 1)
            if todo != 0 {
                marks[w] |= todo
                while todo != 0 {
                    let k = w << 6 | todo.trailingZeroBitCount
                    written.append(k)
                    before.append(values[k])
                    todo &= todo - 1
                }
            }
            i = w << 6 + hi
        }
    }

    @inline(__always) private mutating func note(_ i: Int) {
        let w = i >> 6, b = UInt64(1) << UInt64(i & 63)
        if marks[w] & b == 0 {
            marks[w] |= b
            written.append(i)
            before.append(values[i])
        }
    }

    mutating func append(contentsOf more: some Collection<Element>) {
        values.append(contentsOf: more)
        if tracking { growMarks() }
    }

    private mutating func growMarks() {
        let need = (values.count + 63) >> 6
        if marks.count < need { marks.append(contentsOf: repeatElement(0, count: need - marks.count)) }
    }

    /// Starts (or stops) recording writes; either way forgets what was recorded.
    mutating func setTracking(_ on: Bool) {
        tracking = on
        drain()
        if on { growMarks() } else { marks = [] }
    }

    /// Forgets the recorded writes, keeping the lists' capacity.
    mutating func drain() {
        if written.isEmpty { return }
        for i in written { marks[i >> 6] = 0 }
        written.removeAll(keepingCapacity: true)
        before.removeAll(keepingCapacity: true)
    }

    func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E) -> R {
        try values.withUnsafeBufferPointer { (b) throws(E) -> R in try body(b) }
    }
}
