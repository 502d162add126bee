#!/usr/bin/env bash
# A release archive as cargo-binstall expects it (Cargo.toml, [package.metadata.binstall]):
# dist/mpm-hooks-<target>.tar.gz holding mpm-hooks-<target>/mpm-hooks, the licence and the README.
#   bash packaging/archive.sh [BINARY] [TARGET]
# BINARY defaults to target/release/mpm-hooks, TARGET to the host triple rustc reports.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/mpm-hooks}
target=${2:-$(rustc -vV | sed -n 's/^host: //p')}
[ -x "$bin" ] || { echo "archive.sh: $bin is not an executable; build it first (cargo build --release)" >&2; exit 2; }
name="mpm-hooks-$target"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" dist
cp "$bin" "$stage/$name/mpm-hooks"
cp LICENSE README.md "$stage/$name/"
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
