#!/usr/bin/env bash
# Did a change make the hooks slower? The commit of bench/hooks.sh (5,000-file repository, 3
# files / 50 added lines staged, committed again and again, reset between runs) with this
# tree's release binary and with a baseline binary, side by side in one hyperfine run, plus
# the no-op native hook as the floor. Rounds, because one run moves by a millisecond.
#   BASE=/path/to/old/mpm-hooks ROUNDS=3 RUNS=40 bash bench/hooks-vs-base.sh
source "$(dirname "$0")/common.sh"
need hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine; }
build
: "${BASE:?set BASE to the baseline mpm-hooks binary (a release build of the older commit)}"
runs=${RUNS:-40}
rounds=${ROUNDS:-3}


repos="$work/hooks-vs-base"
mkdir -p "$repos"
variants=(true base new base-versioned new-versioned)
make_repo "$repos/true"
for v in base new; do make_repo "$repos/$v"; make_repo "$repos/$v-versioned" versioned; done
cp /bin/true "$repos/true/.git/hooks/pre-commit"; cp /bin/true "$repos/true/.git/hooks/commit-msg"
for v in base base-versioned; do (cd "$repos/$v" && "$BASE" install >/dev/null); done
for v in new new-versioned; do (cd "$repos/$v" && "$bin" install >/dev/null); done

args=()
for v in "${variants[@]}"; do
    args+=(--command-name "$v" "cd $repos/$v && git commit -q -m 'feat: bench change'")
done
reset="for v in ${variants[*]}; do cd $repos/\$v && git reset -q --soft \$(cat .git/bench-base); done"
reset="$reset; for v in base-versioned new-versioned; do cd $repos/\$v && git reset -q -- BUILD_NUMBER && git checkout -q -- BUILD_NUMBER; rm -f .git/mpm-hooks/*pending* 2>/dev/null; done"
for round in $(seq 1 "$rounds"); do
    hyperfine --warmup 3 --runs "$runs" --export-json "$work/hooks-vs-base.json" \
        --prepare "sh -c '$reset'" "${args[@]}" >/dev/null
    python3 - "$work/hooks-vs-base.json" "$round" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
cpu = lambda x: (x["user"] + x["system"]) * 1000
wall = lambda x: statistics.median(x["times"]) * 1000
fw, fc = wall(r["true"]), cpu(r["true"])
out = []
for pair in [("base", "new"), ("base-versioned", "new-versioned")]:
    b, n = (r[p] for p in pair)
    out.append(f"{pair[1]}: adds {wall(n)-fw:+.1f} ms wall / {cpu(n)-fc:+.1f} ms CPU over the no-op hook; "
               f"base {wall(b)-fw:+.1f} / {cpu(b)-fc:+.1f}; difference {wall(n)-wall(b):+.1f} wall, {cpu(n)-cpu(b):+.1f} CPU")
print(f"round {sys.argv[2]}: " + " | ".join(out))
PY
done
