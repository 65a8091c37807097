#!/bin/sh
# consumer_pkgconfig: install MMModel into a fresh prefix and build
# consumer.c against it with pkg-config, once with the shared library and
# once statically (libmmmodel.a named explicitly). Both must run and pass.
# usage: test_pkgconfig.sh <build-dir> <work-dir> <consumer.c> <cc>
set -eu
cmake=${CMAKE:-cmake}
build=$1 work=$2 src=$3 cc=$4

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log"

PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
pkg-config --exists --print-errors mmmodel
libdir=$(pkg-config --variable=libdir mmmodel)
echo "pkg-config --cflags --libs mmmodel: $(pkg-config --cflags --libs mmmodel)"
echo "pkg-config --static --libs mmmodel: $(pkg-config --static --libs mmmodel)"
test "$(pkg-config --modversion mmmodel)" = 0.1.0

# Shared: what a user types.
# shellcheck disable=SC2046
"$cc" -Wall -Wextra -Werror -o "$work/consumer_shared" "$src" \
	$(pkg-config --cflags --libs mmmodel)
readelf -d "$work/consumer_shared" | grep -q 'NEEDED.*\[libmmmodel\.so\.0\]' || {
	echo "consumer_shared does not load libmmmodel.so.0"; exit 1; }
LD_LIBRARY_PATH=$libdir "$work/consumer_shared"

# Static: libmmmodel.a by name, then the libraries it needs (Libs.private).
# --as-needed drops the -lmmmodel (.so) that pkg-config repeats.
# shellcheck disable=SC2046
"$cc" -Wall -Wextra -Werror -o "$work/consumer_static" "$src" \
	$(pkg-config --cflags mmmodel) "$libdir/libmmmodel.a" \
	-Wl,--as-needed $(pkg-config --static --libs mmmodel)
if readelf -d "$work/consumer_static" | grep -q 'NEEDED.*libmmmodel'; then
	echo "consumer_static still needs libmmmodel.so"; exit 1
fi
env -u LD_LIBRARY_PATH "$work/consumer_static"
echo "consumer_pkgconfig: OK"
