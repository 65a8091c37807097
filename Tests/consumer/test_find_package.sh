#!/bin/sh
# consumer_find_package: install MMModel into a fresh prefix and build the
# consumer project (Tests/consumer/CMakeLists.txt, find_package(MMModel)) out
# of tree against it; run the static and the shared consumer.
# usage: test_find_package.sh <build-dir> <work-dir> <consumer-source-dir>
set -eu
cmake=${CMAKE:-cmake}
build=$1 work=$2 src=$3

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log"

"$cmake" -G Ninja -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/configure.log" || {
	cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/build"

if readelf -d "$work/build/consumer" | grep -q 'NEEDED.*libmmmodel'; then
	echo "consumer (MMModel::mmmodel) needs libmmmodel.so"; exit 1
fi
readelf -d "$work/build/consumer_shared" | grep -q 'NEEDED.*\[libmmmodel\.so\.0\]' || {
	echo "consumer_shared (MMModel::mmmodel_shared) does not load libmmmodel.so.0"; exit 1; }
"$work/build/consumer"
"$work/build/consumer_shared"   # found through the RUNPATH CMake sets
echo "consumer_find_package: OK"
