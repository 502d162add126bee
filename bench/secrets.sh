#!/usr/bin/env bash
# Secret scanning, side by side: a tree of real source (the cargo registry's crate sources,
# copied; over 100 MB) scanned by mpm-hooks, secretlint (recommended
# preset), detect-secrets (on a 10% slice: it takes minutes per 10 MB) and rg with 20
# provider-prefix regexes (the speed of light for reading and matching the same bytes); the
# findings by rule; recall and false alarms of all three scanners on tests/secrets-corpus;
# and `scan --history` over the 10,000 commits bench/commit-msg.sh writes.
source "$(dirname "$0")/common.sh"
install_anchors
build
tree="$work/tree"
if [ ! -d "$tree" ]; then
    mkdir -p "$tree"
    cp -r "$HOME"/.cargo/registry/src/*/. "$tree/crates"
fi
echo "tree: $(du -sm "$tree" | cut -f1) MB, $(find "$tree" -type f | wc -l) files"
printf '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}\n' > "$tree/.secretlintrc.json"
rgargs=()
for p in 'AKIA[A-Z2-7]{16}' 'AIza[0-9A-Za-z_-]{35}' 'ghp_[0-9A-Za-z]{36}' 'github_pat_[0-9A-Za-z_]{82}' 'glpat-[0-9A-Za-z_-]{20}' \
         'sk-ant-api03-[A-Za-z0-9_-]{93}' 'sk-proj-[A-Za-z0-9_-]{20,}' 'hf_[A-Za-z]{34}' 'sk_live_[0-9A-Za-z]{24}' 'rk_live_[0-9A-Za-z]{24}' \
         'xox[bpe]-[0-9A-Za-z-]{20,}' 'hooks\.slack\.com/services/' 'SG\.[A-Za-z0-9_-]{22}\.' 'npm_[A-Za-z0-9]{36}' 'pypi-AgEIcHlwaS5vcmc' \
         'dckr_pat_[A-Za-z0-9_-]{27}' 'AKCp[A-Za-z0-9]{69}' 'BEGIN [A-Z ]*PRIVATE KEY' 'dop_v1_[a-f0-9]{64}' 'eyJ[A-Za-z0-9_-]{10,}\.eyJ'; do
    rgargs+=(-e "$p")
done
measure() { # name, command...: wall, CPU and peak memory of one run
    local name=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > "$work/$name.out" 2>/dev/null || true
    read -r wall user sys kb < <(tail -n 1 "$work/time.txt")
    printf '| %s | %.2f | %.2f | %.0f |\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$((kb / 1024))"
}
echo "| tool | wall (s) | CPU (s) | peak memory (MB) |"
echo "|---|---|---|---|"
for i in 1 2 3; do measure mpm-hooks "$bin" scan --no-ignore --format json "$tree"; done
for i in 1 2 3; do measure rg rg --no-ignore --hidden -c "${rgargs[@]}" "$tree"; done
# The target (within 2x of rg's wall time), side by side: ROUNDS rounds of hyperfine, the
# median of each and the ratio per round (single runs on a shared machine are too noisy).
# (Through hyperfine's shell, which it measures and subtracts: rg's patterns hold spaces.)
rgcmd="rg --no-ignore --hidden -c$(printf ' %q' "${rgargs[@]}") $tree"
for round in $(seq 1 "${ROUNDS:-5}"); do
    hyperfine -i --warmup 2 --runs 20 --export-json "$work/tree-vs-rg.json" \
        "$bin scan --no-ignore --format json $tree" "$rgcmd" >/dev/null
    python3 -c '
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
m = [statistics.median(x["times"]) * 1000 for x in r]
c = [(x["user"] + x["system"]) * 1000 for x in r]
print(f"mpm-hooks {m[0]:.1f} ms (CPU {c[0]:.0f}), rg {m[1]:.1f} ms (CPU {c[1]:.0f}): {m[0] / m[1]:.2f}x")
' "$work/tree-vs-rg.json"
done
# secretlint took over 9 minutes (421 CPU-seconds) on the whole 158 MB tree here and was
# stopped; it runs on the slice, beside detect-secrets. FULL=1 runs it on the whole tree.
[ -n "${FULL:-}" ] && measure secretlint sh -c "cd '$tree' && NODE_PATH='$work/node_modules' '$work/node_modules/.bin/secretlint' --secretlintrc .secretlintrc.json --format json '**/*'"
ls -d "$tree"/crates/* | sed -n 1,60p > "$work/slice.txt"
mkdir -p "$work/slice" && xargs -a "$work/slice.txt" cp -r -t "$work/slice" 2>/dev/null || true
echo "detect-secrets slice: $(du -sm "$work/slice" | cut -f1) MB"
measure detect-secrets-slice sh -c "cd '$work/slice' && detect-secrets scan --all-files ."
cp "$tree/.secretlintrc.json" "$work/slice/.secretlintrc.json"
measure secretlint-slice sh -c "cd '$work/slice' && NODE_PATH='$work/node_modules' '$work/node_modules/.bin/secretlint' --secretlintrc .secretlintrc.json --format json '**/*'"
measure mpm-hooks-slice "$bin" scan --no-ignore --format json "$work/slice"

python3 - "$work" <<'PY'
import json, sys, collections
w = sys.argv[1]
ours = json.load(open(f"{w}/mpm-hooks.out"))["findings"]
print(f"mpm-hooks findings on the tree: {len(ours)}")
for rule, n in collections.Counter(f["rule"] for f in ours).most_common():
    print(f"  {rule}: {n}")
for f in ours:
    print(f"    {f['path']}:{f['line']} {f['rule']} {f['redacted']}")
for name in ["secretlint", "secretlint-slice"]:
    try:
        sl = json.load(open(f"{w}/{name}.out"))
        print(f"{name} findings: {sum(len(x.get('messages', [])) for x in sl)}")
    except Exception as e:
        print(f"{name}: no output ({e})")
ds = json.load(open(f"{w}/detect-secrets-slice.out"))
print(f"detect-secrets findings on the slice: {sum(len(v) for v in ds['results'].values())}")
PY

# Quality on the labelled corpus.
# A copy outside this repository, whose own config allows the corpus.
corpus="$(mktemp -d)/corpus"; cp -r "$root/tests/secrets-corpus" "$corpus"
(cd "$corpus" && detect-secrets scan --all-files . > "$work/ds-corpus.json")
(cd "$corpus" && NODE_PATH="$work/node_modules" "$work/node_modules/.bin/secretlint" --secretlintrc "$tree/.secretlintrc.json" --format json '**/*' > "$work/sl-corpus.json" 2>/dev/null || true)
"$bin" scan --no-ignore --format json "$corpus" > "$work/mpm-corpus.json" || true
python3 - "$work" "$corpus" <<'PY'
import json, os, sys
w, corpus = sys.argv[1], sys.argv[2]
labels = json.load(open(f"{corpus}/labels.json"))
neg_file = labels["negative_file"]
neg_lines = sum(1 for l in open(f"{corpus}/{neg_file}") if l.strip())
def norm(p): return os.path.relpath(os.path.join(corpus, p), corpus) if not os.path.isabs(p) else os.path.relpath(p, corpus)
found = {}
mpm = json.load(open(f"{w}/mpm-corpus.json"))["findings"]
found["mpm-hooks"] = {(norm(f["path"].split("secrets-corpus/")[-1]), f["line"]) for f in mpm}
ds = json.load(open(f"{w}/ds-corpus.json"))["results"]
found["detect-secrets"] = {(norm(p), r["line_number"]) for p, rs in ds.items() for r in rs}
try:
    sl = json.load(open(f"{w}/sl-corpus.json"))
    found["secretlint"] = {(norm(x["filePath"]), m["loc"]["start"]["line"]) for x in sl for m in x.get("messages", [])}
except Exception:
    found["secretlint"] = set()
print("| scanner | recall | false alarms on hard negatives |")
print("|---|---|---|")
for name, f in found.items():
    hit = sum(1 for p in labels["positives"] if (p["file"], p["line"]) in f)
    fp = len({l for (p, l) in f if p == neg_file})
    print(f"| {name} | {hit}/{len(labels['positives'])} ({hit/len(labels['positives']):.1%}) | {fp}/{neg_lines} ({fp/neg_lines:.1%}) |")
PY

# History: the 10,000 commits of bench/commit-msg.sh.
if [ -d "$work/history/.git" ]; then
    cd "$work/history"
    hyperfine -N --runs 5 -i --export-json "$work/hist.json" "$bin scan --history" >/dev/null
    python3 -c "import json,statistics; x=json.load(open('$work/hist.json'))['results'][0]; m=statistics.median(x['times']); print(f'scan --history: 10,000 commits in {m:.2f} s, {10000/m:,.0f} commits/s')"
fi
