# Shared by the bench scripts: the release binary, the anchors (installed by name from their
# registries into bench/work, which git ignores), and a hermetic git environment.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work="$here/work"
mkdir -p "$work"
# An empty global config of its own, never /dev/null: a global config write run as root would
# rename a lock file over the device.
: > "$work/gitconfig-global"
export GIT_CONFIG_GLOBAL="$work/gitconfig-global" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

need() { command -v "$1" >/dev/null 2>&1; }
install_anchors() {
    need hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine; }
    need strace || apt-get install -y -qq strace
    need rg || apt-get install -y -qq ripgrep
    if [ ! -x "$work/node_modules/.bin/commitlint" ]; then
        (cd "$work" && { [ -f package.json ] || npm init -y >/dev/null; } &&
            npm install --ignore-scripts --no-audit --no-fund @commitlint/cli@20 @commitlint/config-conventional@20 \
                lefthook@2 husky@9 secretlint@12 @secretlint/secretlint-rule-preset-recommend >/dev/null)
    fi
    need cz || python3 -m pip install -q commitizen==4.19.3
    need detect-secrets || python3 -m pip install -q detect-secrets==1.5.0
    need pre-commit || python3 -m pip install -q pre-commit==4.7.0
    [ -x "$work/cargo/bin/cog" ] || cargo install -q cocogitto --root "$work/cargo"
}
build() { (cd "$root" && cargo build --release -q); bin="$root/target/release/mpm-hooks"; }

# The repository of the hook benchmarks: 5,000 files, then a staged change of 3 files / 50 added
# lines; .git/bench-base holds the commit to reset to between runs.
make_repo() { # $1: folder; $2: "versioned" to add VERSION and BUILD_NUMBER
    rm -rf "$1"; mkdir -p "$1"; cd "$1"
    git init -q -b main
    if [ "${2:-}" = versioned ]; then printf '1.0.0\n' > VERSION; printf '100\n' > BUILD_NUMBER; fi
    for d in $(seq 0 49); do
        mkdir -p "src/d$d"
        for f in $(seq 0 99); do printf 'def f%s():\n    return %s\n' "$f" "$f" > "src/d$d/m$f.py"; done
    done
    git add -A && git commit -q -m "chore: 5000 files"
    for f in src/d1/m1.py src/d2/m2.py src/d3/m3.py; do
        for i in $(seq 1 17); do printf 'x%s = compute(%s)\n' "$i" "$i" >> "$f"; done
    done
    git add -A
    git rev-parse HEAD > .git/bench-base
    cd - >/dev/null
}
