#!/usr/bin/env bash
# lint-commits over long synthetic histories: peak memory (/usr/bin/time's maximum resident
# set, the process's own pages and the files it maps) and time, beside `git rev-list` and `git
# log` walking the same range, without a commit-graph and then with one.
#
#   COMMITS="400000 1000000" BASE=/path/to/an/older/mpm-hooks bash bench/long-history.sh
#
# Each history is written by `git fast-import` into bench/work/long/cN (kept between runs): N
# commits whose messages are Conventional Commits, each changing one of 50 files (so a blob and
# a tree per commit, three objects per commit in one pack), and every tenth a merge of a
# two-commit side branch forked five commits back. Ranges: the whole history (from the root,
# so each commit is kept as in the range until the walk ends), text and --json, and its newer
# half. RUNS (default 3) runs each; the medians. Run by hand with a release build; not in CI.
source "$(dirname "$0")/common.sh"
[ -x /usr/bin/time ] || apt-get install -y -qq time
build
runs=${RUNS:-3}
for n in ${COMMITS:-400000 1000000}; do
    r="$work/long/c$n"
    if [ ! -f "$r/.git/long-done" ]; then
        echo "writing $n commits..." >&2
        rm -rf "$r"; mkdir -p "$r"; git -C "$r" init -q -b main
        python3 - "$n" <<'PY' | git -C "$r" fast-import --quiet
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
kinds = ["feat", "fix", "docs", "chore", "refactor", "perf", "test"]
def data(b):
    out.write(b"data %d\n" % len(b) + b + b"\n")
side = 0
for i in range(1, n + 1):
    date = 1_500_000_000 + i * 60
    if i % 10 == 0 and i > 5:
        # A side branch of two commits from five back, merged here.
        for k in range(2):
            side += 1
            out.write(b"commit refs/heads/side\nmark :%d\n" % (n + side))
            out.write(b"committer c <c@e.x> %d +0000\n" % (date - 30 + k))
            data(b"fix(side): side change %d\n" % side)
            out.write(b"from :%d\n" % (i - 5) if k == 0 else b"from :%d\n" % (n + side - 1))
            out.write(b"M 644 inline side%d.txt\n" % (side % 50))
            data(b"side %d\n" % side)
        out.write(b"commit refs/heads/main\nmark :%d\ncommitter c <c@e.x> %d +0000\n" % (i, date))
        data(b"Merge branch 'side' (%d)\n" % i)
        out.write(b"from :%d\nmerge :%d\n" % (i - 1, n + side))
        continue
    out.write(b"commit refs/heads/main\nmark :%d\ncommitter c <c@e.x> %d +0000\n" % (i, date))
    data(b"%s(core): change %d\n\nbody line for change %d\n" % (kinds[i % 7].encode(), i, i))
    if i > 1:
        out.write(b"from :%d\n" % (i - 1))
    out.write(b"M 644 inline f%d.py\n" % (i % 50))
    data(b"x = %d\n" % i)
PY
        git -C "$r" update-ref -d refs/heads/side
        git -C "$r" symbolic-ref HEAD refs/heads/main
        rm -f "$r/.git/objects/info/commit-graph"
        touch "$r/.git/long-done"
    fi
    cd "$r"
    root_commit=$(git rev-list --max-parents=0 HEAD | tail -n 1)
    half=$(git rev-list --first-parent HEAD | sed -n "$((n / 2))p")
    total=$(git rev-list --count HEAD)
    objects=$(git count-objects -v | awk '/in-pack/ {print $2}')
    echo "## $total commits ($objects objects packed), no commit-graph"
    echo "| command | wall median | CPU median | peak memory median |"
    echo "|---|---|---|---|"
    measure() { # $1: label; the rest: the command
        local label=$1; shift
        for _ in $(seq "$runs"); do
            /usr/bin/time -f '%e %U %S %M' "$@" >/dev/null 2>"$work/long-time" || true
            tail -n 1 "$work/long-time"
        done | python3 -c '
import statistics, sys
rows = [l.split() for l in sys.stdin if l.strip()]
wall = statistics.median(float(r[0]) for r in rows)
cpu = statistics.median(float(r[1]) + float(r[2]) for r in rows)
mem = statistics.median(int(r[3]) for r in rows) / 1024
print(f"| {sys.argv[1]} | {wall:.2f} s | {cpu:.2f} s | {mem:.1f} MB |")' "$label"
    }
    for b in ${BASE:+"$BASE"} "$bin"; do
        name=$([ "$b" = "$bin" ] && echo "this build" || echo "BASE")
        measure "$name: lint-commits --from <root>" "$b" lint-commits --from "$root_commit"
        measure "$name: lint-commits --json --from <root>" "$b" lint-commits --json --from "$root_commit"
        measure "$name: lint-commits --from <half>" "$b" lint-commits --from "$half"
    done
    measure "git rev-list <root>..HEAD" git rev-list "$root_commit..HEAD"
    measure "git log --format=%B <root>..HEAD" git log --format=%B "$root_commit..HEAD"
    # With a commit-graph (as `git gc` writes one), removed again after.
    git commit-graph write --reachable --no-progress
    for b in ${BASE:+"$BASE"} "$bin"; do
        name=$([ "$b" = "$bin" ] && echo "this build" || echo "BASE")
        measure "$name, commit-graph: lint-commits --from <root>" "$b" lint-commits --from "$root_commit"
    done
    measure "git rev-list <root>..HEAD, commit-graph" git rev-list "$root_commit..HEAD"
    rm -rf .git/objects/info/commit-graph .git/objects/info/commit-graphs
done
