#!/usr/bin/env bash
# scripts/test.sh - the test command of MMModel: every Swift and C test.
#
#   1. installs what is missing of cmake, ninja-build, libcmocka-dev, pkg-config
#      (apt-get; root or sudo)
#   2. swift build --build-tests (debug), failing on any warning in Sources/ or Tests/
#   3. swift test (Swift Testing and XCTest)
#   4. a fresh CMake build in build/ci (Release, Ninja): libmmmodel.a/.so,
#      the mmm CLI, examples, cmocka tests
#   5. ctest: cmocka tests, examples, packaging and consumer tests
#
# Works from a fresh clone. Environment: SWIFT (swift executable, default from
# PATH or /opt/swift/usr/bin), CTEST_PARALLEL_LEVEL (default: number of CPUs).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$SECONDS
step() { printf '\n==> %s\n' "$*"; }
die() { printf 'scripts/test.sh: FAILED: %s\n' "$*" >&2; exit 1; }

# --- 1. System packages --------------------------------------------------------
step "Checking build dependencies"
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v ninja >/dev/null 2>&1 || missing+=(ninja-build)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
dpkg -s libcmocka-dev >/dev/null 2>&1 || missing+=(libcmocka-dev)
if ((${#missing[@]})); then
	echo "installing: ${missing[*]}"
	sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install ${missing[*]}"
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
cmake_version=$(cmake --version | sed -n '1s/.* //p')
echo "cmake $cmake_version, ninja $(ninja --version), pkg-config $(pkg-config --version)," \
	"cmocka $(pkg-config --modversion cmocka)"

swift=${SWIFT:-}
if [[ -z $swift ]]; then
	swift=$(command -v swift || true)
	[[ -n $swift ]] || { [[ -x /opt/swift/usr/bin/swift ]] && swift=/opt/swift/usr/bin/swift; }
	[[ -n $swift ]] || die "swift not found (PATH, /opt/swift/usr/bin)"
fi
"$swift" --version 2>/dev/null | head -1

# --- 2. swift build (debug), warnings in our code fail ------------------------
step "swift build --build-tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"$swift" build --build-tests 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
((rc == 0)) || die "swift build (exit $rc)"
# Diagnostics are reported with absolute paths; dependencies live in .build/.
warnings=$(grep -E ':[0-9]+:([0-9]+:)? warning:' "$log" |
	grep -E "^($root/)?(Sources|Tests|Package\.swift)" | sort -u || true)
if [[ -n $warnings ]]; then
	printf '%s\n' "$warnings" >&2
	die "swift build: $(printf '%s\n' "$warnings" | wc -l) warning(s) in Sources/ or Tests/"
fi
echo "no warnings in Sources/ or Tests/"

# --- 3. swift test ---------------------------------------------------------------
step "swift test"
"$swift" test --skip-build 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
((rc == 0)) || die "swift test (exit $rc)"
xctest=$(grep -E '^[[:space:]]*Executed [0-9]+ tests?' "$log" | tail -1 | sed 's/^[[:space:]]*//; s/ in .*//' || true)
testing=$(grep -E 'Test run with [0-9]+ tests?' "$log" | tail -1 | sed 's/^.*Test run/Test run/; s/ after .*//' || true)
swift_summary="XCTest: ${xctest:-none}; Swift Testing: ${testing:-none}"

# --- 4. CMake build --------------------------------------------------------------
build=build/ci
step "cmake -G Ninja -S . -B $build"
rm -rf "$build"
cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSWIFT_EXECUTABLE="$swift"
step "cmake --build $build"
cmake --build "$build"

# --- 5. ctest ----------------------------------------------------------------------
step "ctest --test-dir $build"
export CMOCKA_MESSAGE_OUTPUT=${CMOCKA_MESSAGE_OUTPUT:-STDOUT}
set +e
ctest --test-dir "$build" --output-on-failure -j "${CTEST_PARALLEL_LEVEL:-$(nproc)}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
((rc == 0)) || die "ctest (exit $rc)"
ctest_summary=$(grep -E 'tests passed' "$log" | tail -1)

echo
echo "scripts/test.sh: OK in $((SECONDS - start))s -- swift build: no warnings;" \
	"$swift_summary; ctest: $ctest_summary"
