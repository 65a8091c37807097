/// Bit positions of x86-64 PTEs (arch/x86/include/asm/pgtable_types.h; spec encoding §1.1).
@usableFromInline enum X86 {
    @usableFromInline static let present: UInt64 = 1 << 0
    @usableFromInline static let rw: UInt64 = 1 << 1
    @usableFromInline static let user: UInt64 = 1 << 2
    @usableFromInline static let pwt: UInt64 = 1 << 3
    @usableFromInline static let accessed: UInt64 = 1 << 5
    @usableFromInline static let dirty: UInt64 = 1 << 6
    /// `_PAGE_PROTNONE` when P is clear; `_PAGE_GLOBAL` when P is set.
    @usableFromInline static let protnone: UInt64 = 1 << 8
    @usableFromInline static let special: UInt64 = 1 << 9
    @usableFromInline static let uffdWp: UInt64 = 1 << 10
    @usableFromInline static let softDirty: UInt64 = 1 << 11
    @usableFromInline static let savedDirty: UInt64 = 1 << 58
    @usableFromInline static let nx: UInt64 = 1 << 63
    /// `_PAGE_KNL_ERRATUM_MASK`: bits `pte_none()` ignores.
    @usableFromInline static let knlErratum: UInt64 = accessed | dirty
    // Swap PTE bits (spec encoding §2.3).
    @usableFromInline static let swpSoftDirty: UInt64 = 1 << 1
    @usableFromInline static let swpUffdWp: UInt64 = 1 << 2
    @usableFromInline static let swpExclusive: UInt64 = 1 << 3
}

/// Bit positions of arm64 level-3 descriptors (arch/arm64/include/asm/pgtable-hwdef.h,
/// pgtable-prot.h; spec encoding §3.1).
@usableFromInline enum Arm64 {
    @usableFromInline static let valid: UInt64 = 1 << 0
    @usableFromInline static let user: UInt64 = 1 << 6
    @usableFromInline static let rdonly: UInt64 = 1 << 7
    @usableFromInline static let af: UInt64 = 1 << 10
    /// `PTE_NG`; `PTE_PRESENT_INVALID` when VALID is clear.
    @usableFromInline static let ng: UInt64 = 1 << 11
    @usableFromInline static let write: UInt64 = 1 << 51
    @usableFromInline static let cont: UInt64 = 1 << 52
    @usableFromInline static let uxn: UInt64 = 1 << 54
    @usableFromInline static let dirty: UInt64 = 1 << 55
    @usableFromInline static let special: UInt64 = 1 << 56
    @usableFromInline static let uffdWp: UInt64 = 1 << 58
    // Swap PTE bits (spec encoding §3.5).
    @usableFromInline static let swpExclusive: UInt64 = 1 << 2
    @usableFromInline static let swpUffdWp: UInt64 = 1 << 3
}

extension PteFormat {
    /// The PTE bit a flag names on this arch, or 0 where the flag does not exist
    /// (or its config option is off). `protnone` is the P=0 / VALID=0 meaning.
    @inlinable @inline(__always)
    public func bit(of flag: PteFlags) -> UInt64 {
        switch arch {
        case .x86_64:
            switch flag {
            case .valid: return X86.present
            case .write: return X86.rw
            case .user: return X86.user
            case .young: return X86.accessed
            case .dirty: return X86.dirty
            case .savedDirty: return X86.savedDirty
            case .softDirty: return config.contains(.softDirty) ? X86.softDirty : 0
            case .uffdWp: return config.contains(.uffdWp) ? X86.uffdWp : 0
            case .special: return X86.special
            case .protnone: return X86.protnone
            case .nx: return X86.nx
            default: return 0
            }
        case .arm64:
            switch flag {
            case .valid: return Arm64.valid
            case .write: return Arm64.write
            case .user: return Arm64.user
            case .young: return Arm64.af
            case .dirty: return Arm64.dirty
            case .rdonly: return Arm64.rdonly
            case .uffdWp: return config.contains(.uffdWp) ? Arm64.uffdWp : 0
            case .special: return Arm64.special
            case .protnone: return Arm64.ng
            case .nx: return Arm64.uxn
            case .cont: return Arm64.cont
            default: return 0
            }
        }
    }

    // MARK: Predicates (the kernel's answers for any value)

    /// `pte_none()`: x86-64 ignores A and D (Knights Landing erratum); arm64 tests 0.
    @inlinable @inline(__always) public func isNone(_ p: Pte) -> Bool {
        arch == .x86_64 ? p.raw & ~X86.knlErratum == 0 : p.raw == 0
    }

    /// `pte_present()`: valid, or PROT_NONE / present-invalid.
    @inlinable @inline(__always) public func isPresent(_ p: Pte) -> Bool {
        arch == .x86_64 ? p.raw & (X86.present | X86.protnone) != 0
                        : p.raw & (Arm64.valid | Arm64.ng) != 0
    }

    /// `is_swap_pte()`: neither none nor present.
    @inlinable @inline(__always) public func isSwapPte(_ p: Pte) -> Bool { !isNone(p) && !isPresent(p) }

    /// `pte_protnone()` with CONFIG_NUMA_BALANCING. x86-64: PROTNONE without P;
    /// arm64: present-invalid, not user-accessible, not user-executable.
    @inlinable @inline(__always) public func isProtnone(_ p: Pte) -> Bool {
        switch arch {
        case .x86_64: return p.raw & (X86.present | X86.protnone) == X86.protnone
        case .arm64:
            return p.raw & (Arm64.valid | Arm64.ng) == Arm64.ng
                && p.raw & Arm64.user == 0 && p.raw & Arm64.uxn != 0
        }
    }

    /// `pte_write()` (shadow-stack PTEs are not modelled).
    @inlinable @inline(__always) public func isWrite(_ p: Pte) -> Bool {
        p.raw & (arch == .x86_64 ? X86.rw : Arm64.write) != 0
    }

    /// `pte_dirty()`: x86-64 D or SavedDirty; arm64 hardware dirty
    /// (WRITE and not RDONLY) or PTE_DIRTY.
    @inlinable @inline(__always) public func isDirty(_ p: Pte) -> Bool {
        switch arch {
        case .x86_64: return p.raw & (X86.dirty | X86.savedDirty) != 0
        case .arm64: return isHwDirtyArm64(p.raw) || p.raw & Arm64.dirty != 0
        }
    }

    @inlinable func isHwDirtyArm64(_ v: UInt64) -> Bool {
        v & Arm64.write != 0 && v & Arm64.rdonly == 0
    }

    /// `pte_young()`.
    @inlinable @inline(__always) public func isYoung(_ p: Pte) -> Bool { p.raw & bit(of: .young) != 0 }
    /// `pte_soft_dirty()`; false where not configured.
    @inlinable @inline(__always) public func isSoftDirty(_ p: Pte) -> Bool { p.raw & bit(of: .softDirty) != 0 }
    /// `pte_uffd_wp()`; false where not configured.
    @inlinable @inline(__always) public func isUffdWp(_ p: Pte) -> Bool { p.raw & bit(of: .uffdWp) != 0 }
    /// `pte_special()`.
    @inlinable @inline(__always) public func isSpecial(_ p: Pte) -> Bool { p.raw & bit(of: .special) != 0 }

    /// `pte_pfn()`: x86-64 undoes the L1TF inversion of a non-present value.
    @inlinable @inline(__always) public func pfn(_ p: Pte) -> UInt64 {
        ((p.raw ^ invertMask(p.raw)) & pfnMask) >> 12
    }

    /// x86-64 `protnone_mask()`: all ones for a non-zero value without P.
    @inlinable @inline(__always) func invertMask(_ v: UInt64) -> UInt64 {
        arch == .x86_64 && v != 0 && v & X86.present == 0 ? ~0 : 0
    }

    /// The PTE with its PFN field replaced (`pfn_pte()` on the other bits).
    /// `pfn` must be at most `maxPfn`.
    @inlinable func withPfn(_ p: Pte, _ pfn: UInt64) -> Pte {
        let rest = p.raw & ~pfnMask
        return Pte(rest | (((pfn << 12) ^ invertMask(rest)) & pfnMask))
    }

    // MARK: Mutators (spec encoding §1.3, §3.2; checked against the 6.18 helpers)

    /// x86-64 `mksaveddirty_shift()`: on a read-only value, D moves to SavedDirty.
    @inlinable func x86SavedDirtyShift(_ v: UInt64) -> UInt64 {
        guard v & X86.rw == 0, v & X86.dirty != 0 else { return v }
        return (v | X86.savedDirty) & ~X86.dirty
    }

    /// x86-64 `clear_saveddirty_shift()`: on a writable value, SavedDirty moves to D.
    @inlinable func x86ClearSavedDirtyShift(_ v: UInt64) -> UInt64 {
        guard v & X86.rw != 0, v & X86.savedDirty != 0 else { return v }
        return (v | X86.dirty) & ~X86.savedDirty
    }

    /// `pte_mkwrite()` for a VMA without VM_SHADOW_STACK.
    @inlinable public func mkwrite(_ p: Pte) -> Pte {
        switch arch {
        case .x86_64: return Pte(x86ClearSavedDirtyShift(p.raw | X86.rw))
        case .arm64: return mkwriteNovma(p)
        }
    }

    /// `pte_mkwrite_novma()`. arm64 (6.18, commit 143937ca51cc): PTE_RDONLY is
    /// cleared only when PTE_DIRTY is set, so a clean PTE stays hardware-clean.
    @inlinable public func mkwriteNovma(_ p: Pte) -> Pte {
        switch arch {
        case .x86_64: return Pte(p.raw | X86.rw)
        case .arm64:
            var v = p.raw | Arm64.write
            if v & Arm64.dirty != 0 { v &= ~Arm64.rdonly }
            return Pte(v)
        }
    }

    /// `pte_wrprotect()`: x86-64 moves D to SavedDirty; arm64 keeps hardware
    /// dirtiness in PTE_DIRTY, then clears WRITE and sets RDONLY.
    @inlinable public func wrprotect(_ p: Pte) -> Pte {
        switch arch {
        case .x86_64: return Pte(x86SavedDirtyShift(p.raw & ~X86.rw))
        case .arm64:
            var v = p.raw
            if isHwDirtyArm64(v) { v |= Arm64.dirty }
            return Pte((v & ~Arm64.write) | Arm64.rdonly)
        }
    }

    /// `pte_mkdirty()`: x86-64 sets D and soft-dirty, then the SavedDirty shift;
    /// arm64 sets PTE_DIRTY and, if writable, clears RDONLY.
    @inlinable public func mkdirty(_ p: Pte) -> Pte {
        switch arch {
        case .x86_64: return Pte(x86SavedDirtyShift(p.raw | X86.dirty | bit(of: .softDirty)))
        case .arm64:
            var v = p.raw | Arm64.dirty
            if v & Arm64.write != 0 { v &= ~Arm64.rdonly }
            return Pte(v)
        }
    }

    /// `pte_mkclean()`: x86-64 clears D and SavedDirty; arm64 clears PTE_DIRTY
    /// and sets RDONLY.
    @inlinable public func mkclean(_ p: Pte) -> Pte {
        switch arch {
        case .x86_64: return Pte(p.raw & ~(X86.dirty | X86.savedDirty))
        case .arm64: return Pte((p.raw & ~Arm64.dirty) | Arm64.rdonly)
        }
    }

    /// `pte_mkyoung()`.
    @inlinable public func mkyoung(_ p: Pte) -> Pte { Pte(p.raw | bit(of: .young)) }
    /// `pte_mkold()`.
    @inlinable public func mkold(_ p: Pte) -> Pte { Pte(p.raw & ~bit(of: .young)) }
    /// `pte_mksoft_dirty()`; identity where not configured.
    @inlinable public func mksoftDirty(_ p: Pte) -> Pte { Pte(p.raw | bit(of: .softDirty)) }
    /// `pte_clear_soft_dirty()`.
    @inlinable public func clearSoftDirty(_ p: Pte) -> Pte { Pte(p.raw & ~bit(of: .softDirty)) }

    /// `pte_mkuffd_wp()`: sets the bit and write-protects (both arches); identity
    /// where uffd-wp is not configured.
    @inlinable public func mkuffdWp(_ p: Pte) -> Pte {
        let b = bit(of: .uffdWp)
        return b == 0 ? p : wrprotect(Pte(p.raw | b))
    }

    /// `pte_clear_uffd_wp()`: clears the bit only.
    @inlinable public func clearUffdWp(_ p: Pte) -> Pte { Pte(p.raw & ~bit(of: .uffdWp)) }
    /// `pte_mkspecial()`.
    @inlinable public func mkspecial(_ p: Pte) -> Pte { Pte(p.raw | bit(of: .special)) }
}
