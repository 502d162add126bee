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
            npm install --no-audit --no-fund @commitlint/cli@20 @commitlint/config-conventional@20 \
                lefthook@2 husky@9 secretlint@12 @secretlint/secretlint-rule-preset-recommend >/dev/null)
    fi
    need cz || python3 -m pip install -q commitizen==4.19.3
    need detect-secrets || python3 -m pip install -q detect-secrets==1.5.0
    need pre-commit || python3 -m pip install -q pre-commit==4.7.0
    [ -x "$work/cargo/bin/cog" ] || cargo install -q cocogitto --root "$work/cargo"
}
build() { (cd "$root" && cargo build --release -q); bin="$root/target/release/mpm-hooks"; }
