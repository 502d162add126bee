#!/bin/sh
# Builds mpm-hooks, installs the binary into ~/.cargo/bin, and, when run inside a git
# repository, installs its hooks there. Safe to run again: every step is idempotent.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is not installed; get it from https://rustup.rs (or your package manager's rust/cargo package), then run ./install.sh again" >&2
    exit 1
fi

echo "install.sh: building and installing mpm-hooks into ${CARGO_HOME:-$HOME/.cargo}/bin"
cargo install --locked --quiet --path "$here"

bin="${CARGO_HOME:-$HOME/.cargo}/bin/mpm-hooks"
"$bin" --version

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    "$bin" install
else
    echo "install.sh: not inside a git repository; run 'mpm-hooks install' in each clone to install the hooks"
fi
