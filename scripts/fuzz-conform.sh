#!/usr/bin/env bash
# scripts/fuzz-conform.sh - differential testing of the model against the live
# kernel with random scenarios (docs/conformance.md, "Random scenarios").
#
#   scripts/fuzz-conform.sh [COUNT [SEED [OUTDIR]]]
#
# Generates COUNT scenarios (default 100) from seed SEED (default 1) with
# scripts/fuzz-gen.py into OUTDIR (default /tmp/mmm-fuzz), runs them all with
# `mmm conform --runs 2 --json` and prints each file's verdict. Needs root and
# scripts/live-setup.sh first (restore afterwards with --restore). MMM and
# MMM_LIVE name the binaries (default: mmm on PATH or .build/debug/mmm, and
# conform's own search for mmm-live).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100}; seed=${2:-1}; out=${3:-/tmp/mmm-fuzz}
mmm=${MMM:-$(command -v mmm || echo .build/debug/mmm)}
live=()
[ -n "${MMM_LIVE:-}" ] && live=(--live "$MMM_LIVE")
rm -rf "$out/s"; mkdir -p "$out/s"
scripts/fuzz-gen.py "$out/s" "$count" --seed "$seed"
"$mmm" conform "${live[@]}" --runs 2 --json "$out"/s/*.mmm > "$out/report.json" || true
python3 - "$out/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for f in r["files"]:
    if f["status"] != "matches":
        kinds = [k for k, v in f["differences"].items() if any(d["counted"] for d in v)]
        print(f["file"], f["status"], ",".join(kinds), f.get("error") or "")
print("summary:", r["summary"])
PY
