/// Running one scenario under another kernel: the header's preset replaced
/// and switches added (`mmm run --preset`, `mmm compare`, the policy tests).
extension Scenario {
    /// The scenario with its header's kernel preset replaced by `preset` (when
    /// given) and `switches` (`NAME=VALUE`) applied after the header's own.
    /// Throws `.invalidArgument` for an unknown preset or switch.
    public func under(preset: String?, switches: [String]) throws(MMMError) -> Scenario {
        var s = self
        if let preset { s.header.kernel = preset }
        s.header.switches += switches
        _ = try KernelPolicy.make(preset: s.header.kernel, switches: s.header.switches)
        return s
    }

    /// Parses `text`, moves it to `preset` / `switches` (`under`) and runs it;
    /// a parse error or a refused preset or switch is the result's `error`.
    public static func run(text: String, name: String = "", preset: String?, switches: [String]) -> ScenarioResult {
        switch parse(text: text) {
        case .success(let s):
            do throws(MMMError) {
                return try s.under(preset: preset, switches: switches).run(name: name)
            } catch {
                var r = ScenarioResult(name: name, header: s.header)
                r.error = ScenarioError(line: 0, "unknown kernel preset or switch in '"
                                        + ([preset ?? s.header.kernel] + switches).joined(separator: " ") + "'")
                return r
            }
        case .failure(let e):
            var r = ScenarioResult(name: name, header: ScenarioHeader())
            r.error = e
            return r
        }
    }
}
