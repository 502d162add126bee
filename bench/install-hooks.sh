#!/usr/bin/env bash
# The first `pre-commit install-hooks` (and prek's) of the wheel hook repository
# (packaging/hook_repo.py, the binary from a wheel) against this repository's `-src` hooks
# (language: rust: cargo builds the crate), each with an empty cache, side by side.
#   WHEEL_DIR=/path/to/dist bash bench/install-hooks.sh     # a folder holding the wheel
# Without WHEEL_DIR the wheel is built first (python -m build: minutes).
source "$(dirname "$0")/common.sh"
python3 -m pip install -q pre-commit==4.7.0 prek==0.5.11 build==1.6.1 uv==0.13.9
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${WHEEL_DIR:-}" ]; then
    python3 -m build -C maturin.build-args="--compatibility manylinux_2_34" --wheel --outdir "$tmp/dist" "$root" >/dev/null
    WHEEL_DIR="$tmp/dist"
fi
export PIP_FIND_LINKS="$WHEEL_DIR" UV_FIND_LINKS="$WHEEL_DIR"
python3 "$root/packaging/hook_repo.py" --out "$tmp/wheel-hooks"
git -C "$tmp/wheel-hooks" init -q -b main && git -C "$tmp/wheel-hooks" add -A && git -C "$tmp/wheel-hooks" commit -q -m "chore: hooks"
git clone -q "$root" "$tmp/src-hooks"
config() { # $1: repo, $2: rev, $3: id suffix
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: mpm-hooks-secrets%s\n' "$1" "$2" "$3"
}
for kind in wheel src; do
    repo="$tmp/user-$kind"; git init -q -b main "$repo"
    if [ "$kind" = wheel ]; then
        config "$tmp/wheel-hooks" "$(git -C "$tmp/wheel-hooks" rev-parse HEAD)" "" > "$repo/.pre-commit-config.yaml"
    else
        config "$tmp/src-hooks" "$(git -C "$tmp/src-hooks" rev-parse HEAD)" "-src" > "$repo/.pre-commit-config.yaml"
    fi
done
for runner in pre-commit prek; do
    for kind in wheel src; do
        cache="$tmp/cache-$runner-$kind"
        /usr/bin/time -f "$runner $kind: %e s wall, %U+%S s CPU" \
            env PRE_COMMIT_HOME="$cache" PREK_HOME="$cache" sh -c "cd '$tmp/user-$kind' && $runner install-hooks >/dev/null 2>&1"
    done
done
