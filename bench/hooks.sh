#!/usr/bin/env bash
# The cost of the hooks on a commit: a repository of 5,000 files, a staged change of 3 files
# and 50 added lines, committed again and again (reset between runs), side by side:
# no hooks; a no-op native hook (/bin/true, the floor); mpm-hooks (both stages, default
# config); the pre-commit framework running mpm-hooks' hooks; lefthook and husky running a
# no-op hook of each stage. Wall time (median) and CPU time (user+sys, mean) per commit.
source "$(dirname "$0")/common.sh"
install_anchors
build
runs=${RUNS:-40}

repos="$work/hooks"
mkdir -p "$repos"
for v in none true mpm framework lefthook husky; do make_repo "$repos/$v"; done
# mpm-hooks with VERSION and BUILD_NUMBER: the build-number step increments and stages it.
make_repo "$repos/versioned" versioned

cp /bin/true "$repos/true/.git/hooks/pre-commit"; cp /bin/true "$repos/true/.git/hooks/commit-msg"
(cd "$repos/mpm" && "$bin" install >/dev/null)
(cd "$repos/versioned" && "$bin" install >/dev/null)
cat > "$repos/framework/.pre-commit-config.yaml" <<YAML
repos:
  - repo: local
    hooks:
      - id: mpm-hooks-secrets
        name: secrets
        entry: $bin run pre-commit --only secrets
        language: system
        pass_filenames: false
      - id: mpm-hooks-build-number
        name: build-number
        entry: $bin run pre-commit --only build-number
        language: system
        pass_filenames: false
      - id: mpm-hooks-commit-msg
        name: commit-msg
        entry: $bin run commit-msg
        language: system
        stages: [commit-msg]
YAML
(cd "$repos/framework" && git add .pre-commit-config.yaml && pre-commit install --hook-type pre-commit --hook-type commit-msg >/dev/null && pre-commit install-hooks >/dev/null)
(cd "$repos/lefthook" && printf 'pre-commit:\n  commands:\n    noop:\n      run: "true"\ncommit-msg:\n  commands:\n    noop:\n      run: "true"\n' > lefthook.yml && git add lefthook.yml && "$work/node_modules/.bin/lefthook" install >/dev/null)
(cd "$repos/husky" && "$work/node_modules/.bin/husky" >/dev/null && printf 'true\n' > .husky/pre-commit && printf 'true\n' > .husky/commit-msg && git add .husky)

args=()
for v in none true mpm versioned framework lefthook husky; do
    args+=(--command-name "$v" "cd $repos/$v && git commit -q -m 'feat: bench change'")
done
hyperfine --warmup 3 --runs "$runs" --export-json "$work/hooks.json" \
    --prepare "sh -c 'for v in none true mpm versioned framework lefthook husky; do cd $repos/\$v && git reset -q --soft \$(cat .git/bench-base); done; cd $repos/versioned && git reset -q -- BUILD_NUMBER && git checkout -q -- BUILD_NUMBER'" \
    "${args[@]}" >/dev/null

python3 - "$work/hooks.json" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
cpu = lambda x: (x["user"] + x["system"]) * 1000
wall = lambda x: statistics.median(x["times"]) * 1000
floor_w, floor_c = wall(r["true"]), cpu(r["true"])
print(f"| variant | wall median (ms) | CPU mean (ms) | added wall vs no-op (ms) | added CPU vs no-op (ms) |")
print("|---|---|---|---|---|")
for k in ["none", "true", "mpm", "versioned", "framework", "lefthook", "husky"]:
    x = r[k]
    print(f"| {k} | {wall(x):.1f} | {cpu(x):.1f} | {wall(x)-floor_w:+.1f} | {cpu(x)-floor_c:+.1f} |")
for m in ["mpm", "versioned"]:
  mpm_w, mpm_c = wall(r[m]) - floor_w, cpu(r[m]) - floor_c
  for k in ["lefthook", "husky", "framework"]:
    print(f"{m}: ", end="")
    print(f"mpm-hooks adds {mpm_w:.1f} ms wall / {mpm_c:.1f} ms CPU; {k} adds {wall(r[k])-floor_w:.1f} ms wall / {cpu(r[k])-floor_c:.1f} ms CPU: ratio {(wall(r[k])-floor_w)/max(mpm_w,0.01):.0f}x wall, {(cpu(r[k])-floor_c)/max(mpm_c,0.01):.0f}x CPU")
PY

# Processes a commit starts with mpm-hooks installed.
cd "$repos/mpm" && git reset -q --soft "$(cat .git/bench-base)"
strace -f -qq -e trace=execve -o "$work/execve.log" git commit -q -m "feat: bench change" >/dev/null 2>&1 || true
echo "execve calls during one commit with mpm-hooks:"; grep -o 'execve("[^"]*"' "$work/execve.log" | sort | uniq -c
