#!/usr/bin/env bash
# What each pre-commit step adds to the stage, on the 5,000-file repository of bench/hooks.sh
# with a staged change of 3 files and 50 added lines:
#   secrets:      the stage with and without SKIP=secrets (BUILD_NUMBER present, so the staged
#                 view is computed either way);
#   build-number: the stage with and without SKIP=build-number (its increment undone between runs);
#   checks:       three configured checks that run `true`, against SKIP=checks, and lefthook
#                 running the same three commands; then three checks of `sleep 1` with jobs = 3.
source "$(dirname "$0")/common.sh"
install_anchors
build
repos="$work/hooks"
[ -d "$repos/mpm" ] || { echo "run bench/hooks.sh first (it builds the repositories)"; exit 1; }
r="$work/steps"; rm -rf "$r"; cp -r "$repos/mpm" "$r"; cd "$r"
git reset -q --soft "$(cat .git/bench-base)"
printf '1.0.0\n' > VERSION; printf '100\n' > BUILD_NUMBER
git add VERSION BUILD_NUMBER && git commit -q --no-verify -m "chore: version" && git rev-parse HEAD > .git/bench-base
for f in src/d1/m1.py src/d2/m2.py src/d3/m3.py; do for i in $(seq 1 17); do printf 'y%s = compute(%s)\n' "$i" "$i" >> "$f"; done; done
git add -A src
"$bin" install >/dev/null
undo='git reset -q HEAD BUILD_NUMBER && git checkout -q -- BUILD_NUMBER'
# ROUNDS rounds (default 5): a single run on a shared machine moves by a millisecond.
for round in $(seq 1 "${ROUNDS:-5}"); do
    hyperfine -N --warmup 5 --runs "${RUNS:-100}" --export-json "$work/steps.json" \
        --prepare "sh -c '$undo'" \
        --command-name full ".git/hooks/pre-commit" \
        --command-name no-secrets "env SKIP=secrets .git/hooks/pre-commit" \
        --command-name no-build-number "env SKIP=build-number .git/hooks/pre-commit" >/dev/null
    python3 - "$work/steps.json" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
w = lambda k: statistics.median(r[k]["times"]) * 1000
c = lambda k: (r[k]["user"] + r[k]["system"]) * 1000
print(f"stage: {w('full'):.2f} ms wall, {c('full'):.2f} ms CPU; "
      f"secrets adds {w('full')-w('no-secrets'):.2f} ms wall, {c('full')-c('no-secrets'):.2f} ms CPU; "
      f"build-number adds {w('full')-w('no-build-number'):.2f} ms wall, {c('full')-c('no-build-number'):.2f} ms CPU")
PY
done

# Checks: three no-op checks.
cat > .mpm-hooks.toml <<'TOML'
[[check]]
name = "a"
run = "true"
[[check]]
name = "b"
run = "true"
[[check]]
name = "c"
run = "true"
TOML
lh="$work/steps-lefthook"; rm -rf "$lh"; cp -r "$repos/lefthook" "$lh"; cd "$lh"
git reset -q --soft "$(cat .git/bench-base)"
printf 'pre-commit:\n  parallel: true\n  commands:\n    a:\n      run: "true"\n    b:\n      run: "true"\n    c:\n      run: "true"\n' > lefthook.yml
cd "$r"
hyperfine -N --warmup 5 --runs "${RUNS:-100}" --export-json "$work/checks.json" \
    --prepare "sh -c '$undo'" \
    --command-name "mpm-hooks, 3 checks" ".git/hooks/pre-commit" \
    --command-name "mpm-hooks, SKIP=checks" "env SKIP=a,b,c .git/hooks/pre-commit" \
    --command-name "true x3" "sh -c 'true; true; true'" \
    --command-name "lefthook, 3 commands" "sh -c 'cd $lh && $work/node_modules/.bin/lefthook run pre-commit'" >/dev/null
python3 - "$work/checks.json" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for k, x in r.items():
    print(f"| {k} | {statistics.median(x['times'])*1000:.2f} ms | {(x['user']+x['system'])*1000:.2f} ms CPU |")
a = statistics.median(r["mpm-hooks, 3 checks"]["times"]) * 1000
b = statistics.median(r["mpm-hooks, SKIP=checks"]["times"]) * 1000
print(f"the checks step adds {a-b:.2f} ms for three checks that run `true`")
PY
cat > .mpm-hooks.toml <<'TOML'
[checks]
jobs = 3
[[check]]
name = "a"
run = "sleep 1"
pass_filenames = false
[[check]]
name = "b"
run = "sleep 1"
pass_filenames = false
[[check]]
name = "c"
run = "sleep 1"
pass_filenames = false
TOML
hyperfine -N --runs 3 --prepare "sh -c '$undo'" ".git/hooks/pre-commit" 2>/dev/null | grep -E "Time"
