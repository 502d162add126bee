#!/usr/bin/env bash
# `mpm-hooks version status --json` on this repository against `git rev-parse --show-toplevel`,
# 20 runs each, side by side. Target: within 2x.
source "$(dirname "$0")/common.sh"
install_anchors
build
cd "$root"
hyperfine -N --warmup 5 --runs 20 --export-json "$work/version.json" \
    "$bin version status --json" "git rev-parse --show-toplevel" >/dev/null
python3 - "$work/version.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    print(f"{x['command']}: median {statistics.median(x['times'])*1000:.2f} ms, CPU {(x['user']+x['system'])*1000:.2f} ms")
m = [statistics.median(x["times"]) for x in r]
print(f"ratio {m[0]/m[1]:.2f}x")
PY
