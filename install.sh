#!/bin/sh
# Builds mpm-hooks, installs the binary where cargo installs binaries (~/.cargo/bin, or
# CARGO_INSTALL_ROOT, or install.root of cargo's config), and, when run inside a git
# repository, installs its hooks there. Safe to run again: every step is idempotent.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is not installed; get it from https://rustup.rs (or your package manager's rust/cargo package), then run ./install.sh again" >&2
    exit 1
fi

echo "install.sh: building and installing mpm-hooks with cargo install (this takes a few minutes)"
log=$(mktemp)
status=$(mktemp)
trap 'rm -f "$log" "$status"' EXIT
# cargo says where it put the binary ("Installing /x/bin/mpm-hooks" or "Replacing ..."): that
# path, not a guess, is the one run below. Its output is shown as it comes.
{ cargo install --locked --color never --path "$here" 2>&1; echo $? >"$status"; } | tee "$log"
if [ "$(cat "$status")" != 0 ]; then
    echo "install.sh: cargo install failed (see above)" >&2
    exit 1
fi

bin=$(sed -n -e 's/^ *Installing \(.*mpm-hooks\)$/\1/p' -e 's/^ *Replacing \(.*mpm-hooks\)$/\1/p' "$log" | tail -n 1)
if [ -z "$bin" ]; then
    # Nothing installed (already up to date): where cargo installs, in cargo's order.
    bin="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin/mpm-hooks"
    if [ ! -x "$bin" ]; then
        bin=$(command -v mpm-hooks || true)
    fi
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "install.sh: cannot find the mpm-hooks that cargo installed; run 'mpm-hooks install' in your clone" >&2
    exit 1
fi
echo "install.sh: installed $bin"
"$bin" --version

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    "$bin" install
else
    echo "install.sh: not inside a git repository; run '$bin install' in each clone to install the hooks"
fi
