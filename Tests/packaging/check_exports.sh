#!/bin/sh
# exports_match_header: the mmm_ functions declared in include/mmmodel.h are
# exactly the mmm_ symbols defined by libmmmodel.so (dynamic symbol table) and
# by libmmmodel.a (global text symbols), and neither library defines any other
# global symbol. The header's names are found here by preprocessing the header
# (comments gone, so every "mmm_name(" is a declaration), independently of the
# line parser the build uses for the export list.
# usage: check_exports.sh <mmmodel.h> <libmmmodel.so> <libmmmodel.a> <cc>
set -eu
header=$1 so=$2 ar=$3 cc=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$cc" -E -P -x c "$header" | grep -o '[A-Za-z0-9_]*(' | sed -n 's/^\(mmm_[A-Za-z0-9_]*\)($/\1/p' |
	sort -u >"$tmp/header"
# nm -D prints versioned names as name@@MMMODEL_0.1.
nm -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//' | sort -u >"$tmp/so.all"
nm --defined-only "$ar" | awk 'NF == 3 && $2 ~ /^([A-Z]|u)$/ {print $2, $3}' | sort -u >"$tmp/a.all"
grep '^mmm_' "$tmp/so.all" >"$tmp/so" || true
awk '$1 == "T" && $2 ~ /^mmm_/ {print $2}' "$tmp/a.all" >"$tmp/a"

status=0
n=$(wc -l <"$tmp/header")
if [ "$n" -eq 0 ]; then
	echo "no mmm_ functions found in $header"; exit 1
fi
for lib in so a; do
	if ! cmp -s "$tmp/header" "$tmp/$lib"; then
		status=1
		echo "libmmmodel.$lib and mmmodel.h differ:"
		comm -23 "$tmp/header" "$tmp/$lib" | sed "s/^/  declared, not exported by libmmmodel.$lib: /"
		comm -13 "$tmp/header" "$tmp/$lib" | sed "s/^/  exported by libmmmodel.$lib, not declared: /"
	fi
done
# Anything else global: the version node (MMMODEL_0.1) is the only allowed one.
other=$(grep -v -e '^mmm_' -e '^MMMODEL_' "$tmp/so.all" || true)
if [ -n "$other" ]; then
	status=1
	echo "libmmmodel.so exports symbols outside mmm_:"; echo "$other" | sed 's/^/  /'
fi
other=$(awk '$2 !~ /^mmm_/' "$tmp/a.all")
if [ -n "$other" ]; then
	status=1
	echo "libmmmodel.a defines global symbols outside mmm_:"; echo "$other" | sed 's/^/  /'
fi
[ "$status" -eq 0 ] && echo "exports_match_header: $n functions, header = .so = .a"
exit "$status"
