#!/usr/bin/env bash
# What the hooks add to a commit as the index grows: synthetic repositories of 1k / 10k / 100k
# (and, with SIZES, 1M) files, built with `git fast-import` (one commit) and `git reset --hard`
# (the work tree and an index with stat data and a full cache tree, as after a clone), VERSION
# and BUILD_NUMBER present, then a staged change of 3 files / 50 added lines, committed again
# and again (reset between runs), side by side in one hyperfine run per size:
#   noop:      a no-op native hook (/bin/true) for each hook mpm-hooks installs that a commit
#              runs (pre-commit, prepare-commit-msg, commit-msg): the floor;
#   hooks:     mpm-hooks installed (default config): the increment is staged into each commit;
# then the three hooks alone as git runs them for `git commit` (on .git/index itself, which git
# names in GIT_INDEX_FILE and does not hold locked meanwhile; CPU of mpm-hooks and the git it
# runs, over three /bin/true; with SKIP=build-number: what a repository without BUILD_NUMBER
# pays), and the pre-commit stage with and without the build-number step, for `git commit` and
# for `git commit -a` (whose hooks get git's lock file, index.lock, a copy of the index), plus
# that step's time as the stage logs it (its read-ahead runs while git computes the staged
# changes).
#   SIZES="1000 10000 100000 1000000" RUNS=20 BIN=target/release/mpm-hooks bash bench/large.sh
# MANYFILES=1: the repositories set `feature.manyFiles` (git's advice for big trees: index v4,
# no index checksum under `index.skipHash`, the untracked cache), kept apart as rN-manyfiles.
# CPU is user+sys (every process), the mean hyperfine gives; wall is the median.
source "$(dirname "$0")/common.sh"
need hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine; }
if [ -n "${BIN:-}" ]; then bin=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN"); else build; fi
sizes=${SIZES:-1000 10000 100000}
runs=${RUNS:-20}
repos="$work/large"
mkdir -p "$repos"
noop="$repos/noop-hooks"
mkdir -p "$noop"
for h in pre-commit prepare-commit-msg commit-msg; do cp /bin/true "$noop/$h"; done

# $1 files in folders of 100, two levels deep (src/pN/qM/mK.py), small distinct contents.
make_large() { # $1: size, $2: folder
    local n=$1 dir=$2
    rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
    git init -q -b main
    git config gc.auto 0; git config maintenance.auto false
    python3 - "$n" <<'PY' | git fast-import --quiet
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
w = out.write
w(b"commit refs/heads/main\nauthor bench <bench@example.com> 1700000000 +0000\n"
  b"committer bench <bench@example.com> 1700000000 +0000\ndata 19\nchore: large tree\n\n")
def inline(path, data):
    w(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
inline("VERSION", b"1.0.0\n")
inline("BUILD_NUMBER", b"100\n")
for i in range(n):
    path = f"src/p{i // 10000}/q{(i // 100) % 100}/m{i % 100}.py"
    inline(path, b"def f%d():\n    return %d\n" % (i, i))
w(b"\n")
PY
    git reset -q --hard main
    for f in src/p0/q0/m1.py src/p0/q0/m2.py src/p0/q1/m3.py; do
        for i in $(seq 1 17); do printf 'x%s = compute(%s)\n' "$i" "$i" >> "$f"; done
    done
    git add src
    if [ -n "${MANYFILES:-}" ]; then
        git config feature.manyFiles true
        git update-index --index-version 4
    fi
    git rev-parse HEAD > .git/bench-base
    "$bin" install >/dev/null
    cd - >/dev/null
}

# Back to the staged change, BUILD_NUMBER as HEAD has it, and (as `git commit` does just before
# its hooks) the index's cache tree written whole.
reset='git reset -q --soft $(cat .git/bench-base) && git reset -q -- BUILD_NUMBER && git checkout -q -- BUILD_NUMBER && rm -f .git/mpm-hooks/build-number-pending.json && git write-tree >/dev/null'
msg="feat: bench change"
# The hooks a commit runs, as git runs them, in the repository's top, from the folder $1: on
# .git/index, as `git commit` names it in GIT_INDEX_FILE.
# The shell that runs them is named `git` and given `commit` ($0), as the hooks' parent reads in
# a commit (the build-number step looks for `git commit --amend` among its ancestors).
git_sh="$repos/git-sh/git"
mkdir -p "$(dirname "$git_sh")" && ln -sf /bin/sh "$git_sh"
hooks() {
    echo "env GIT_INDEX_FILE=.git/index $git_sh -c '$1/pre-commit && $1/prepare-commit-msg .git/BENCH_MSG message && $1/commit-msg .git/BENCH_MSG' commit"
}
# The reset before each run of a stage as `git commit -a` runs it: the index copied to
# index.lock, which git names in GIT_INDEX_FILE then.
reset_lock="rm -f .git/index.lock && $reset && cp .git/index .git/index.lock"
table="$work/large.md"
{
    echo "| files | index | commit, no-op hooks: wall / CPU | the commit with mpm-hooks adds: wall / CPU | the hooks' own CPU over no-op hooks | the same, SKIP=build-number | build-number step: CPU / in the stage | the step, \`git commit -a\` |"
    echo "|---|---|---|---|---|---|---|---|"
} > "$table"
for n in $sizes; do
    r="$repos/r$n${MANYFILES:+-manyfiles}"
    if [ ! -f "$r/.git/bench-base" ]; then
        echo "building $n files..." >&2
        make_large "$n" "$r"
    else
        (cd "$r" && "$bin" install --force >/dev/null 2>&1 || true)
    fi
    cd "$r"
    printf '%s\n' "$msg" > .git/BENCH_MSG
    sh -c "$reset"
    # Whole commits: git's own work (100,000 lstat calls at 100k files) moves from run to run
    # by more than the hooks cost, so these are for scale; the columns after measure the hooks.
    hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/large-$n.json" \
        --prepare "sh -c '$reset'" \
        --command-name noop "git -c core.hooksPath=$noop commit -q -m '$msg'" \
        --command-name hooks "git commit -q -m '$msg'" >/dev/null
    # The three hooks alone, run as git runs them for a commit, against three /bin/true; the
    # pre-commit stage with and without its build-number step.
    hyperfine -N --warmup 2 --runs "$((runs * 3))" --export-json "$work/large-$n-hooks.json" \
        --prepare "sh -c '$reset'" \
        --command-name noop-hooks "$(hooks "$noop")" \
        --command-name own-hooks "$(hooks .git/hooks)" \
        --command-name own-no-bn "env SKIP=build-number $(hooks .git/hooks)" \
        --command-name stage "env GIT_INDEX_FILE=.git/index $git_sh -c '.git/hooks/pre-commit && :' commit" \
        --command-name stage-no-bn "env SKIP=build-number GIT_INDEX_FILE=.git/index $git_sh -c '.git/hooks/pre-commit && :' commit" >/dev/null
    # The same stage as `git commit -a` runs it, on git's lock file.
    hyperfine -N --warmup 2 --runs "$((runs * 3))" --export-json "$work/large-$n-lock.json" \
        --prepare "sh -c '$reset_lock'" \
        --command-name stage-a "env GIT_INDEX_FILE=.git/index.lock $git_sh -c '.git/hooks/pre-commit && :' commit" \
        --command-name stage-a-no-bn "env SKIP=build-number GIT_INDEX_FILE=.git/index.lock $git_sh -c '.git/hooks/pre-commit && :' commit" >/dev/null
    # The step's own time as the stage logs it (median of 15 runs).
    step=$(for i in $(seq 1 15); do
        sh -c "$reset"; GIT_INDEX_FILE=.git/index MPM_HOOKS_LOG_LEVEL=info .git/hooks/pre-commit >/dev/null 2>&1
        grep -o 'build-number=ok ([0-9.]* ms)' .git/mpm-hooks/logs/mpm-hooks.log | tail -1 | grep -o '[0-9.]*'
    done | sort -n | sed -n 8p)
    rm -f .git/index.lock
    sh -c "$reset"
    python3 - "$work/large-$n.json" "$work/large-$n-hooks.json" "$work/large-$n-lock.json" "$n" "$(stat -c %s .git/index)" "$step" "${MANYFILES:+ (manyFiles)}" >> "$table" <<'PY'
import json, statistics, sys
r = {x["command"]: x for f in sys.argv[1:4] for x in json.load(open(f))["results"]}
sys.argv = sys.argv[:1] + sys.argv[2:]
cpu = lambda k: (r[k]["user"] + r[k]["system"]) * 1000
wall = lambda k: statistics.median(r[k]["times"]) * 1000
print(f"| {int(sys.argv[3]):,}{sys.argv[6]} | {int(sys.argv[4]) / 1e6:.1f} MB | {wall('noop'):.0f} / {cpu('noop'):.0f} ms "
      f"| {wall('hooks') - wall('noop'):+.1f} / {cpu('hooks') - cpu('noop'):+.1f} ms "
      f"| {cpu('own-hooks') - cpu('noop-hooks'):+.1f} ms "
      f"| {cpu('own-no-bn') - cpu('noop-hooks'):+.1f} ms "
      f"| {cpu('stage') - cpu('stage-no-bn'):+.1f} / {sys.argv[5]} ms "
      f"| {cpu('stage-a') - cpu('stage-a-no-bn'):+.1f} ms |")
PY
    tail -1 "$table" >&2
    cd - >/dev/null
done
cat "$table"
