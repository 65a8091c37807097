/// The checker's findings: one `Violation` per broken rule instance, each with
/// a stable rule id. Spec: semantics §8 (INV-n), encoding §1-§4 (ENC-*).

/// A rule the checker enforces. Raw values are stable ids that tests, tools
/// and the C ABI may cite.
public enum CheckRule: String, CaseIterable, Hashable, Sendable {
    /// Refcount = folio_mapcount (mappings the rmap finds) + swap cache + pins;
    /// an allocated folio has a positive refcount (R-REF-1..3, R-PIN-1).
    case inv1 = "INV-1"
    /// A writable entry maps an anon page only if the page is AE and the VMA has
    /// VM_WRITE (singly mapped pages; a shared one is INV-14).
    case inv2 = "INV-2"
    /// An AE page has at most one mapping, in one MM.
    case inv3 = "INV-3"
    /// AE only on anonymous, non-KSM pages.
    case inv4 = "INV-4"
    /// Mapcounts (small mapcount, per-page mapcount, entire and large mapcount)
    /// equal the mappings the rmap walk finds.
    case inv6 = "INV-6"
    /// The MM-owner slots of a large folio agree with the MMs mapping it (6.15+).
    case inv7 = "INV-7"
    /// No AE page in the swap cache while a swap PTE names its slot.
    case inv8 = "INV-8"
    /// A swap PTE with the exclusive bit is its slot's only user, and the slot's
    /// cached page is not mapped.
    case inv9 = "INV-9"
    /// Swap counts equal the swap PTEs naming each slot; cache ownership and
    /// slot allocation agree.
    case inv10 = "INV-10"
    /// A swap-cache folio is anonymous, swap-backed, and holds its nr references.
    case inv11 = "INV-11"
    /// Zero-page entries are special and read-only; the huge zero page's
    /// mapping count matches its PMDs; the zero pages never appear otherwise.
    case inv12 = "INV-12"
    /// A KSM folio is small and mapped read-only.
    case inv13 = "INV-13"
    /// No page is mapped writable while mapped by another entry too.
    case inv14 = "INV-14"
    /// uffd-wp entries are read-only, and only in VM_UFFD_WP VMAs.
    case inv15 = "INV-15"
    /// With soft-dirty tracking on in a VMA, a writable entry is soft-dirty.
    case inv16 = "INV-16"
    /// MM_ANONPAGES and MM_SWAPENTS equal what the page tables hold.
    case inv17 = "INV-17"
    /// A pinned anonymous page is AE while mapped.
    case inv19 = "INV-19"
    /// A non-KSM anon page is mapped at most once per MM.
    case inv22 = "INV-22"
    /// An entry has bits the kernel never sets in an entry of its kind (a
    /// decode with stray bits, or attributes other than the VMA's protection).
    case encStray = "ENC-STRAY"
    /// An entry of a kind the model never creates: a non-swap non-present kind,
    /// a swap type other than 0, a special PTE of a normal frame, a PMD-level
    /// entry that is neither table nor leaf.
    case encKind = "ENC-KIND"
    /// A present entry maps a free frame or a PFN outside memory.
    case ptFreeFrame = "PT-FREE-FRAME"
    /// A swap entry names a slot that is not allocated.
    case ptFreeSlot = "PT-FREE-SLOT"
    /// An entry lies outside every VMA.
    case ptNoVma = "PT-NO-VMA"
    /// An entry maps a page (or names a slot) away from its linear address,
    /// where the rmap cannot find it.
    case rmapAddr = "RMAP-ADDR"
    /// A large folio's geometry: its index aligned to its size; a PMD maps the
    /// head of a PMD-order folio.
    case folioGeometry = "FOLIO-GEOMETRY"
    /// A large folio's pincount equals the pins on its pages (R-PIN-1).
    case pinCount = "PIN-COUNT"
    /// COW PTE mode (`KernelPolicy.cowPte`): a PTE table referenced by a
    /// write-protected (shared) PMD entry holds no writable anonymous PTE.
    case cowPteWritable = "COWPTE-WRITABLE"
    /// COW PTE mode: a table's share count equals the write-protected PMD
    /// entries referencing it, and a table so referenced is referenced by no
    /// writable PMD entry.
    case cowPteShares = "COWPTE-SHARES"
    /// COW PTE mode: the processes whose PMD references a table are exactly
    /// its recorded owners, each once (a process that broke or let go of a
    /// shared table no longer references it).
    case cowPteOwners = "COWPTE-OWNERS"
}

/// One named value behind a violation ("mapcount" = 2, "rmap" = 1, …).
public struct ViolationValue: Hashable, Sendable {
    public var name: String
    public var value: Int64
    public init(_ name: String, _ value: Int64) { self.name = name; self.value = value }
}

/// One broken rule at one place.
public struct Violation: Hashable, Sendable, CustomStringConvertible {
    public var rule: CheckRule
    public var message: String
    /// The process, 0 when the rule is about a folio or slot as a whole.
    public var pid: Int32 = 0
    /// The address of the entry, when there is one.
    public var address: UInt64? = nil
    /// The raw PTE or PMD leaf, when there is one.
    public var entry: UInt64? = nil
    /// The frame's PFN (an entry's page, or a folio's head).
    public var pfn: UInt64? = nil
    /// The swap slot, when the rule is about one.
    public var slot: Int? = nil
    /// The offending values.
    public var values: [ViolationValue] = []

    public init(_ rule: CheckRule, _ message: String) { self.rule = rule; self.message = message }

    public var description: String {
        var s = "\(rule.rawValue): \(message)"
        if pid != 0 { s += " pid \(pid)" }
        if let a = address { s += " addr \(hex0x(a))" }
        if let e = entry { s += " entry \(hex0x(e))" }
        if let p = pfn { s += " pfn \(hex0x(p))" }
        if let sl = slot { s += " slot \(sl)" }
        for v in values { s += " \(v.name)=\(v.value)" }
        return s
    }
}
