import ArgumentParser
import MMModel

/// What most subcommands share: the architecture, the kernel configuration and
/// the output form.
struct CommonOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The architecture: x86_64 or arm64 (also x86-64, amd64, aarch64).",
            valueName: "arch"),
        transform: { name in
            guard let arch = Arch(name: name) else {
                throw ValidationError("unknown architecture '\(name)' (x86_64 or arm64)")
            }
            return arch
        })
    var arch: Arch

    @Option(
        help: ArgumentHelp(
            "Kernel options to remove, a comma list of "
                + (KernelConfig.cliRemovals.map(\.1) + KernelConfig.cliPresets.map(\.0))
                .joined(separator: ", ") + " (default: none removed).",
            valueName: "list"),
        transform: { list in
            switch KernelConfig.parse(cliList: list) {
            case .success(let config): return config
            case .failure(let e):
                throw ValidationError(
                    "unknown configuration word '\(e.word)' (expected "
                        + (KernelConfig.cliRemovals.map(\.1) + KernelConfig.cliPresets.map(\.0))
                        .joined(separator: ", ") + ")")
            }
        })
    var config: KernelConfig = .all

    @Flag(help: "Print one JSON object per value instead of text.")
    var json = false

    /// The encoding rules the options name.
    var format: PteFormat { PteFormat(arch: arch, config: config) }
}
