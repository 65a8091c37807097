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

# --- 1. System packages and Swift -------------------------------------------------
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"
step "Checking build dependencies"
mmm_ensure_deps || die "installing build dependencies"
mmm_find_swift || die "no Swift toolchain"

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
testing=$(grep -E 'Test run with [0-9]+ tests?' "$log" | tail -1 | sed 's/^.*Test run/Test run/; s/ after .*//' || true)
swift_tests=$(printf '%s\n' "$testing" | sed -nE 's/^Test run with ([0-9]+) tests?.*/\1/p')
[[ -n $swift_tests && $swift_tests -gt 0 ]] || die "swift test ran no test"
swift_summary="Swift Testing: $testing"

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
c_tests=$(printf '%s\n' "$ctest_summary" | sed -nE 's/.* out of ([0-9]+).*/\1/p')
[[ -n $c_tests && $c_tests -gt 0 ]] || die "ctest ran no test"

echo
echo "scripts/test.sh: OK in $((SECONDS - start))s -- swift build: no warnings;" \
	"$swift_summary; ctest: $ctest_summary"
# One plain closing line for whoever reads the end of the log.
echo "$((swift_tests + c_tests)) passed, 0 failed"
