#!/usr/bin/env bash
# scripts/live-setup.sh - prepare this machine for live-kernel conformance runs
# (`mmm conform`, tools/live/mmm-live), and put it back afterwards.
#
#   scripts/live-setup.sh            set up (idempotent); records the old values
#   scripts/live-setup.sh --reset    a fresh zram swap (same size): slots from 1 again
#   scripts/live-setup.sh --restore  put back everything the setup changed
#   scripts/live-setup.sh --status   print the current settings
#
# What it sets (needs root; the spec's [K] facts were measured this way, spec
# semantics §0.1):
#   * swap: /dev/zram0 ($MMM_ZRAM_SIZE, default 4G; algorithm $MMM_ZRAM_ALG or
#     the device default) as a swap device. Other swap devices are left alone,
#     but mmm-live warns when more than one is active.
#   * zswap off (/sys/module/zswap/parameters/enabled = N): pages go to zram,
#     swap-ins are major faults from the device. Only written when it is not N
#     already: any runtime write to it sets up zswap and marks it "ever
#     enabled", which disables large-folio (mTHP) swap-in until reboot.
#   * khugepaged kept out of the way: khugepaged/defrag = 0 and
#     scan_sleep_millisecs / alloc_sleep_millisecs = 1 hour, so it does not
#     collapse a scenario's PTE-mapped ranges back into a THP.
#   * KSM stopped (ksm/run = 0) between merges, with fast, plain scans for
#     when mmm-live runs it for a `ksm merge` (it sets run = 1 until ksmd has
#     made three full scans, then 0 again): pages_to_scan 10000,
#     sleep_millisecs 10, smart_scan 0 (no skipping of pages that did not
#     merge before), use_zero_pages 0, advisor_mode none.
#   * THP: transparent_hugepage/enabled = madvise, hugepages-2048kB = inherit,
#     every other size never, use_zero_page = 1, vm.page-cluster = 3 (the
#     scenario header's defaults). mmm-live also applies each scenario's own
#     header (thp, thp SIZE, huge-zero-page, page-cluster) for the run and
#     restores them after it.
# The old values are recorded in $MMM_LIVE_STATE (default
# /var/tmp/mmm-live-setup.state) on the first run; --restore writes them back
# and removes the zram swap if the setup added it.
set -euo pipefail

state=${MMM_LIVE_STATE:-/var/tmp/mmm-live-setup.state}
size=${MMM_ZRAM_SIZE:-4G}
alg=${MMM_ZRAM_ALG:-}
thp=/sys/kernel/mm/transparent_hugepage
die() { echo "scripts/live-setup.sh: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root"

# The knobs the setup changes and the values it gives them.
knobs=(
	"/sys/module/zswap/parameters/enabled=N"
	"$thp/khugepaged/defrag=0"
	"$thp/khugepaged/scan_sleep_millisecs=3600000"
	"$thp/khugepaged/alloc_sleep_millisecs=3600000"
	"/sys/kernel/mm/ksm/run=0"
	"/sys/kernel/mm/ksm/pages_to_scan=10000"
	"/sys/kernel/mm/ksm/sleep_millisecs=10"
	"/sys/kernel/mm/ksm/smart_scan=0"
	"/sys/kernel/mm/ksm/use_zero_pages=0"
	"/sys/kernel/mm/ksm/advisor_mode=none"
	"$thp/enabled=madvise"
	"$thp/use_zero_page=1"
	"/proc/sys/vm/page-cluster=3"
)
for f in "$thp"/hugepages-*kB/enabled; do
	[[ -e $f ]] || continue
	if [[ $f == */hugepages-2048kB/* ]]; then knobs+=("$f=inherit"); else knobs+=("$f=never"); fi
done

# The selected word of a sysfs choice file ("always [madvise] never"), or the value.
current() {
	local v
	v=$(cat "$1")
	if [[ $v == *"["*"]"* ]]; then v=${v#*[}; v=${v%%]*}; fi
	printf '%s' "$v"
}

zram_is_swap() { grep -q '^/dev/zram0[[:space:]]' /proc/swaps; }

zram_make() {
	[[ -b /dev/zram0 ]] || modprobe zram num_devices=1 2>/dev/null || true
	[[ -b /dev/zram0 ]] || die "/dev/zram0 does not exist (zram module missing?)"
	echo 1 >/sys/block/zram0/reset
	if [[ -n $alg ]]; then echo "$alg" >/sys/block/zram0/comp_algorithm; fi
	echo "$size" >/sys/block/zram0/disksize
	mkswap /dev/zram0 >/dev/null
	swapon /dev/zram0
}

status() {
	echo "swaps:"; sed 's/^/  /' /proc/swaps
	[[ -e /sys/block/zram0/disksize ]] &&
		echo "zram0: disksize $(cat /sys/block/zram0/disksize) algorithm $(current /sys/block/zram0/comp_algorithm)"
	local k
	for k in "${knobs[@]}"; do
		[[ -e ${k%=*} ]] && echo "${k%=*} = $(current "${k%=*}")"
	done
	[[ -e $state ]] && echo "recorded old values: $state" || echo "no recorded state ($state)"
}

case ${1:-} in
--status)
	status
	;;
--reset)
	zram_is_swap || die "/dev/zram0 is not an active swap device (run scripts/live-setup.sh first)"
	size=$(cat /sys/block/zram0/disksize)
	alg=$(current /sys/block/zram0/comp_algorithm)
	swapoff /dev/zram0
	zram_make
	echo "fresh zram swap: $(grep '^/dev/zram0' /proc/swaps)"
	;;
--restore)
	# A swap file mmm-live left behind (a 'swap disk' run that was killed).
	if grep -q '^/var/tmp/mmm-live-disk.swap[[:space:]]' /proc/swaps; then swapoff /var/tmp/mmm-live-disk.swap; fi
	rm -f /var/tmp/mmm-live-disk.swap
	[[ -e $state ]] || die "nothing to restore ($state does not exist)"
	while IFS= read -r line; do
		case $line in
		zram-added) if zram_is_swap; then swapoff /dev/zram0; echo 1 >/sys/block/zram0/reset; fi ;;
		knob\ *) kv=${line#knob }; f=${kv%=*}; v=${kv##*=}
			[[ -e $f && $(current "$f") != "$v" ]] && { echo "$v" >"$f" 2>/dev/null || echo "could not restore $f" >&2; } ;;
		esac
	done < <(tac "$state")
	rm -f "$state"
	echo "restored"
	;;
"")
	if [[ ! -e $state ]]; then
		: >"$state"
		for k in "${knobs[@]}"; do
			f=${k%=*}
			[[ -e $f ]] && echo "knob $f=$(current "$f")" >>"$state"
		done
		zram_is_swap || echo "zram-added" >>"$state"
	fi
	for k in "${knobs[@]}"; do
		f=${k%=*}
		[[ -e $f ]] || continue
		# Write only what differs: the first write to zswap's 'enabled', even
		# of N, creates the zswap pool and sets zswap_ever_enabled, which turns
		# off large-folio swap-in until the next boot (mm/zswap.c zswap_setup).
		[[ $(current "$f") == "${k##*=}" ]] || echo "${k##*=}" >"$f" || die "cannot set $f"
	done
	zram_is_swap || zram_make
	status
	;;
*)
	die "usage: scripts/live-setup.sh [--reset|--restore|--status]"
	;;
esac
