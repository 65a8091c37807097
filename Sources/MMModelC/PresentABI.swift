// Header area: present PTEs, predicates and mutators. Each is one call into
// PteFormat; the predicates accept any value, as the kernel's do.
import CMMModel
import MMModel

@_cdecl("mmm_pte_none")
public func mmm_pte_none(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isNone(Pte(pte)))
}

@_cdecl("mmm_pte_present")
public func mmm_pte_present(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isPresent(Pte(pte)))
}

@_cdecl("mmm_pte_protnone")
public func mmm_pte_protnone(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isProtnone(Pte(pte)))
}

@_cdecl("mmm_pte_write")
public func mmm_pte_write(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isWrite(Pte(pte)))
}

@_cdecl("mmm_pte_dirty")
public func mmm_pte_dirty(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isDirty(Pte(pte)))
}

@_cdecl("mmm_pte_young")
public func mmm_pte_young(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isYoung(Pte(pte)))
}

@_cdecl("mmm_pte_soft_dirty")
public func mmm_pte_soft_dirty(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isSoftDirty(Pte(pte)))
}

@_cdecl("mmm_pte_uffd_wp")
public func mmm_pte_uffd_wp(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isUffdWp(Pte(pte)))
}

@_cdecl("mmm_pte_special")
public func mmm_pte_special(_ arch: UInt32, _ pte: UInt64) -> Int32 {
    guard let f = format(arch) else { return EINVAL_C }
    return bool(f.isSpecial(Pte(pte)))
}

@_cdecl("mmm_pte_pfn")
public func mmm_pte_pfn(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let f = format(arch), f.isPresent(Pte(pte)) else { return EINVAL_C }
    return store(f.pfn(Pte(pte)), out)
}

/// The shape of every present-PTE mutator: validate, apply, store.
@inline(__always)
func mutatePresent(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?,
                   _ op: (PteFormat, Pte) -> Pte) -> Int32 {
    guard let f = format(arch), f.isPresent(Pte(pte)) else { return EINVAL_C }
    return store(op(f, Pte(pte)).raw, out)
}

@_cdecl("mmm_pte_mkwrite")
public func mmm_pte_mkwrite(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkwrite($1) }
}

@_cdecl("mmm_pte_mkwrite_novma")
public func mmm_pte_mkwrite_novma(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkwriteNovma($1) }
}

@_cdecl("mmm_pte_wrprotect")
public func mmm_pte_wrprotect(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.wrprotect($1) }
}

@_cdecl("mmm_pte_mkdirty")
public func mmm_pte_mkdirty(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkdirty($1) }
}

@_cdecl("mmm_pte_mkclean")
public func mmm_pte_mkclean(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkclean($1) }
}

@_cdecl("mmm_pte_mkyoung")
public func mmm_pte_mkyoung(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkyoung($1) }
}

@_cdecl("mmm_pte_mkold")
public func mmm_pte_mkold(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkold($1) }
}

@_cdecl("mmm_pte_mksoft_dirty")
public func mmm_pte_mksoft_dirty(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mksoftDirty($1) }
}

@_cdecl("mmm_pte_clear_soft_dirty")
public func mmm_pte_clear_soft_dirty(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.clearSoftDirty($1) }
}

@_cdecl("mmm_pte_mkuffd_wp")
public func mmm_pte_mkuffd_wp(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkuffdWp($1) }
}

@_cdecl("mmm_pte_clear_uffd_wp")
public func mmm_pte_clear_uffd_wp(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.clearUffdWp($1) }
}

@_cdecl("mmm_pte_mkspecial")
public func mmm_pte_mkspecial(_ arch: UInt32, _ pte: UInt64, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    mutatePresent(arch, pte, out) { $0.mkspecial($1) }
}
