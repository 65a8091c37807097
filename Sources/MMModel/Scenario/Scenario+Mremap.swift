/// The scenario lines for mremap and MADV_COLLAPSE: parsing and running
/// (docs/scenario-language.md, "mremap" and "collapse").
///
///     mremap PAGES N [pages] | SIZE [maymove] [fixed DEST] [as NAME]
///
/// PAGES is the old range (old address and length), the size the new length.
/// `maymove` is MREMAP_MAYMOVE; `fixed DEST` is MREMAP_FIXED | MREMAP_MAYMOVE
/// to the address of page DEST (a page of any mapping of the process, mapped
/// or not: what is there is unmapped first). `as NAME` names the resulting
/// range [new address, + new length) as a new mapping of the process. Without
/// it the mapping follows: when PAGES is the whole mapping it is now at the
/// new address with the new size; when PAGES is a part of it the range must
/// stay in place (no `maymove` / `fixed`), and a grow past the mapping's end
/// extends the mapping.
extension ScenarioParser {
    func parseMremap(_ n: Int, _ w: [Substring]) throws(ScenarioError) -> ScenarioOp {
        let usage = "mremap PAGES N pages|SIZE [maymove] [fixed DEST] [as NAME]"
        guard w.count >= 3 else { throw ScenarioError(line: n, "expected '\(usage)'") }
        let range = try ScenarioParser.pageRange(w[1], n)
        let (pages, next) = try ScenarioParser.mappingLength(w, 2, n)
        var i = next
        var mayMove = false
        var fixed: PageRange? = nil
        var name: String? = nil
        while i < w.count {
            switch w[i] {
            case "maymove":
                mayMove = true
            case "fixed":
                guard i + 1 < w.count, fixed == nil else { throw ScenarioError(line: n, "expected 'fixed DEST' once, DEST a page like B[0]") }
                let d = try ScenarioParser.pageRange(w[i + 1], n)
                guard let b = d.bounds, b.count == 1 else { throw ScenarioError(line: n, "'fixed' takes one page, like B[0]") }
                fixed = d
                i += 1
            case "as":
                guard i + 1 < w.count, name == nil else { throw ScenarioError(line: n, "expected 'as NAME' once") }
                try ScenarioParser.checkName(String(w[i + 1]), n)
                name = String(w[i + 1])
                i += 1
            default:
                throw ScenarioError(line: n, "unknown mremap option '\(w[i])' (\(usage))")
            }
            i += 1
        }
        return .mremap(range, pages: pages, mayMove: mayMove || fixed != nil, fixed: fixed, name: name)
    }
}

extension ScenarioRunner {
    /// Runs an `mremap` line for process `i` and updates its mapping names.
    mutating func execMremap(_ s: ScenarioStatement, _ i: Int, _ r: PageRange, pages: Int, mayMove: Bool,
                             fixed: PageRange?, name: String?) throws {
        let (a, len, b) = try resolve(r, i, s)
        guard let mi = procs[i].maps.firstIndex(where: { $0.name == r.mapping }) else { return }
        let whole = b.lowerBound == 0 && b.upperBound == procs[i].maps[mi].pages - 1
        if let nm = name {
            guard !procs[i].maps.contains(where: { $0.name == nm }) else {
                throw ScenarioError(line: s.line, "mapping '\(nm)' already exists in \(procs[i].name)")
            }
        } else if !whole && mayMove {
            throw ScenarioError(line: s.line, "'\(s.text)': name the remapped part with 'as NAME' (it may move)")
        }
        var flags: MremapFlags = mayMove ? .mayMove : []
        var dest: UInt64 = 0
        if let f = fixed {
            flags.insert(.fixed)
            dest = try resolve(f, i, s).0
        }
        let newLen = UInt64(pages) * VA.pageSize
        let to = try world.mremap(procs[i].pid, a, oldLength: len, newLength: newLen, flags: flags, newAddress: dest)
        if let nm = name {
            procs[i].maps.append(Mapping(name: nm, start: to, pages: pages))
        } else if whole {
            procs[i].maps[mi].start = to
            procs[i].maps[mi].pages = pages
        } else {
            procs[i].maps[mi].pages = max(procs[i].maps[mi].pages, b.lowerBound + pages)
        }
    }
}
