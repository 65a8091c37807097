// swift-tools-version:6.0
//
// MMModel: an executable model of Linux anonymous memory.
//
// Targets, layered downward only:
//   MMModel        the core, plain Swift, no Foundation
//   CMMModel       exposes include/mmmodel.h to Swift and pins its struct layouts
//   MMModelC       the C ABI: @_cdecl wrappers over MMModel, one file per header area
//   mmm            the command-line tool
//   mmm-bench      benchmarks (C ABI against the same operation written in C;
//                  World.fork against fork() of the live kernel)
//
// The C deliverables (libmmmodel.a / libmmmodel.so with the Swift runtime linked
// in, mmmodel.pc, the CMake package) are produced by CMakeLists.txt from the
// `mmmodel` product built here.
import PackageDescription

let optimize: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "MMModel",
    products: [
        .library(name: "MMModel", targets: ["MMModel"]),
        .library(name: "mmmodel", type: .static, targets: ["MMModelC"]),
        .executable(name: "mmm", targets: ["mmm"]),
        .executable(name: "mmm-bench", targets: ["mmm-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "MMModel", swiftSettings: optimize),
        .target(name: "CMMModel"),
        .target(name: "MMModelC", dependencies: ["MMModel", "CMMModel"], swiftSettings: optimize),
        .executableTarget(
            name: "mmm",
            dependencies: ["MMModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "MMModelBenchC", dependencies: ["CMMModel"],
                cSettings: [.unsafeFlags(["-O2"])]),
        .executableTarget(name: "mmm-bench", dependencies: ["MMModel", "MMModelC", "MMModelBenchC"]),
        .testTarget(name: "MMModelTests", dependencies: ["MMModel", "MMModelC", "CMMModel"]),
    ],
    swiftLanguageModes: [.v6]
)
