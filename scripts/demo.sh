#!/usr/bin/env bash
# scripts/demo.sh - the main job: build MMModel (release) and use it.
#
# Builds the C library, the mmm CLI (swift build -c release --product mmm) and
# the examples through CMake in build/release (MMM_BUILD_DIR), then decodes and
# encodes a few PTE values with mmm, runs the swap_batch C example, and runs the
# seed-microbenchmark scenario on the model (and compares it under 6.10 and 6.18).
# Installs cmake, ninja-build, libcmocka-dev and pkg-config via apt if missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"
run() { printf '\n$ %s\n' "$*"; "$@"; }

mmm_ensure_deps
mmm_find_swift

build=${MMM_BUILD_DIR:-build/release}
if [[ ! -f $build/build.ninja ]]; then
	cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSWIFT_EXECUTABLE="$swift"
fi
cmake --build "$build"

mmm=$build/swiftpm/release/mmm
echo
echo "== mmm: PTE values taken apart and built =="
# x86-64: a present, writable, dirty, NX user page; a swap entry (type 3, offset 0x1234, exclusive)
run "$mmm" decode --arch x86_64 0x8000000012345067 0x1FFFFFFFFFDB9608
# arm64: the same swap entry
run "$mmm" decode --arch arm64 0x00000000012340C4
run "$mmm" encode --arch x86_64 swap type=3 offset=0x1234 exclusive
run "$mmm" encode --arch arm64 swap type=3 offset=0x1234 exclusive

echo
echo "== examples/swap_batch.c: the C library from C =="
swap_batch=$(find "$build" -path "$build/swiftpm" -prune -o -type f -name swap_batch -perm -u+x -print | head -1)
if [[ -z $swap_batch ]]; then
	echo "swap_batch was not built (examples/swap_batch.c missing?)" >&2
	exit 1
fi
run "$swap_batch"

echo
echo "== mmm run: the seed microbenchmark, and 6.10 against 6.18 =="
# 2 MiB written, MADV_PAGEOUT, then read and write every page (spec §7.4)
run "$mmm" run examples/scenarios/seed-microbenchmark.mmm
run "$mmm" compare examples/scenarios/seed-microbenchmark-6.10.mmm --preset 6.10 --preset 6.18
