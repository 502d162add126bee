#!/usr/bin/env bash
# check-msg on one message against commitlint (config-conventional), commitizen (cz check) and
# cocogitto (cog verify), side by side; then lint-commits over 10,000 commits.
source "$(dirname "$0")/common.sh"
install_anchors
build
d="$work/commit-msg"; rm -rf "$d"; mkdir -p "$d"; cd "$d"
git init -q -b main
echo "export default { extends: ['@commitlint/config-conventional'] };" > commitlint.config.mjs
ln -sf "$work/node_modules" node_modules
printf 'feat(api): add the retry budget to the client\n\nThe client now retries idempotent calls.\n' > msg
# ROUNDS rounds (default 3): the millisecond tools 300 runs each, the slow ones RUNS runs, in
# the same round, then each tool's median and its ratio to check-msg's median of that round.
for round in $(seq 1 "${ROUNDS:-3}"); do
    hyperfine -N --warmup 20 --runs 300 --export-json "$work/commit-msg-fast.json" \
        "$bin check-msg msg" \
        "$work/cargo/bin/cog verify --file msg" >/dev/null
    hyperfine -N --warmup 3 --runs "${RUNS:-20}" --export-json "$work/commit-msg-slow.json" \
        "$work/node_modules/.bin/commitlint --edit msg" \
        "cz check --commit-msg-file msg" >/dev/null
    python3 - "$work/commit-msg-fast.json" "$work/commit-msg-slow.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"] + json.load(open(sys.argv[2]))["results"]
base = statistics.median(r[0]["times"])
print(" | ".join(
    f"{x['command'].split('/')[-1].split(' ')[0]} {statistics.median(x['times'])*1000:.2f} ms "
    f"(CPU {(x['user']+x['system'])*1000:.2f}, {statistics.median(x['times'])/base:.0f}x)" for x in r))
PY
done

# 10,000 commits, written with fast-import.
h="$work/history"; rm -rf "$h"; mkdir -p "$h"; cd "$h"; git init -q -b main
python3 - <<'PY' | git fast-import --quiet
import random
random.seed(1)
kinds = ["feat", "fix", "docs", "chore", "refactor", "test", "perf", "Feat", "update"]
for i in range(10000):
    k = random.choice(kinds)
    subject = random.choice(["add the thing", "Handle errors.", "speed up parsing", "remove dead code"])
    msg = f"{k}(core): {subject} {i}\n\nBody line for commit {i}.\n".encode()
    line = f"x{i} = {random.randint(0, 10**9)}\n".encode()
    print(f"commit refs/heads/main\ncommitter Bench <b@e> {1700000000 + i} +0000\ndata {len(msg)}")
    import sys; sys.stdout.flush(); sys.stdout.buffer.write(msg); print()
    print(f"M 644 inline f{i % 50}.py\ndata {len(line)}")
    sys.stdout.flush(); sys.stdout.buffer.write(line); print()
PY
git reset -q --hard main
hyperfine -N --warmup 1 --runs 10 -i --export-json "$work/lint.json" "$bin lint-commits" >/dev/null
python3 - "$work/lint.json" <<'PY'
import json, statistics, sys
x = json.load(open(sys.argv[1]))["results"][0]
m = statistics.median(x["times"])
print(f"lint-commits over 10,000 commits: median {m*1000:.0f} ms, {10000/m:,.0f} messages/s (CPU {(x['user']+x['system'])*1000:.0f} ms)")
PY
