# Sourced by scripts/test.sh and scripts/demo.sh (bash).

# mmm_ensure_deps: apt-get install what is missing of cmake, ninja-build,
# libcmocka-dev and pkg-config (apt-get update first, only then).
mmm_ensure_deps() {
	local missing=() sudo=()
	command -v cmake >/dev/null 2>&1 || missing+=(cmake)
	command -v ninja >/dev/null 2>&1 || missing+=(ninja-build)
	command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
	dpkg -s libcmocka-dev >/dev/null 2>&1 || missing+=(libcmocka-dev)
	if ((${#missing[@]})); then
		echo "installing: ${missing[*]}"
		if [[ $(id -u) -ne 0 ]]; then
			command -v sudo >/dev/null 2>&1 || {
				echo "need root (or sudo) to install ${missing[*]}" >&2; return 1; }
			sudo=(sudo)
		fi
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
	fi
	echo "cmake $(cmake --version | sed -n '1s/.* //p'), ninja $(ninja --version)," \
		"pkg-config $(pkg-config --version), cmocka $(pkg-config --modversion cmocka)"
}

# mmm_find_swift: set $swift to the swift executable ($SWIFT, PATH, /opt/swift).
mmm_find_swift() {
	swift=${SWIFT:-$(command -v swift || true)}
	if [[ -z $swift && -x /opt/swift/usr/bin/swift ]]; then
		swift=/opt/swift/usr/bin/swift
	fi
	[[ -n $swift ]] || { echo "swift not found (SWIFT, PATH, /opt/swift/usr/bin)" >&2; return 1; }
	"$swift" --version 2>/dev/null | head -1
}
