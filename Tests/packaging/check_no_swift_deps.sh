#!/bin/sh
# no_swift_runtime_deps: neither libmmmodel.so nor programs linked against
# the libraries need a Swift runtime library at run time (the runtime is
# inside libmmmodel). Checks DT_NEEDED and what ldd resolves.
# usage: check_no_swift_deps.sh <elf-file>...
set -eu
bad='libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU|libicu'
status=0
for f in "$@"; do
	needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	echo "$f: NEEDED $needed"
	if readelf -d "$f" | grep 'NEEDED' | grep -Eq "$bad"; then
		echo "  FAIL: needs a Swift runtime library"; status=1
	fi
	if ldd "$f" | grep -Eq "$bad"; then
		echo "  FAIL: ldd resolves a Swift runtime library:"; ldd "$f" | grep -E "$bad"; status=1
	fi
	if ldd "$f" | grep -q 'not found'; then
		echo "  FAIL: unresolved libraries:"; ldd "$f" | grep 'not found'; status=1
	fi
done
exit "$status"
