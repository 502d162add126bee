#!/usr/bin/env bash
# The wheel, as a user gets it: `python -m build` in this clone, `pip install --no-index` of the
# wheel into a fresh venv (no network, no Rust toolchain on PATH), then the installed binary's
# --version and real commits through `mpm-hooks install`. Run by .ci/run; prints how long the
# build took. Everything it makes is in a temp folder, removed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test-wheel: $*" >&2; exit 1; }

started=$(date +%s)
# maturin as a PEP 517 backend tags a wheel linux_x86_64 (this machine only) unless told the
# policy; with it, maturin's auditwheel checks every symbol the binary needs against it.
python3 -m build -C maturin.build-args="--compatibility manylinux_2_34" --outdir "$tmp/dist" "$root" >"$tmp/build.log" 2>&1 || { tail -40 "$tmp/build.log"; fail "python -m build failed"; }
echo "test-wheel: python -m build took $(( $(date +%s) - started )) s"
wheel=$(ls "$tmp"/dist/*.whl)
ls "$tmp"/dist/*.tar.gz >/dev/null || fail "no sdist was built"
version=$(tr -d '[:space:]' < "$root/VERSION")
build=$(tr -d '[:space:]' < "$root/BUILD_NUMBER")
case "$(basename "$wheel")" in
    mpm_hooks-"$version"-py3-none-manylinux_2_34_x86_64.whl) ;;
    *) fail "unexpected wheel name $(basename "$wheel") (want mpm_hooks-$version-py3-none-manylinux_2_34_x86_64.whl)" ;;
esac
# Only the binary and the metadata.
python3 - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
data = [n for n in names if ".data/" in n]
other = [n for n in names if ".data/" not in n and ".dist-info/" not in n]
assert data == [n for n in data if n.endswith(".data/scripts/mpm-hooks")] and len(data) == 1, names
assert not other, f"unexpected files in the wheel: {other}"
print("test-wheel: contents:", ", ".join(sorted(n.split("/")[-1] for n in names)))
PY

python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --no-index "$wheel"
# A PATH with the venv and the system's tools, without cargo.
ORIG_PATH="$PATH"
export PATH="$tmp/venv/bin:/usr/local/bin:/usr/bin:/bin"
! command -v cargo >/dev/null || fail "cargo is still on PATH"
[ "$(command -v mpm-hooks)" = "$tmp/venv/bin/mpm-hooks" ] || fail "mpm-hooks is not the venv's"
got=$(mpm-hooks --version)
[ "$got" = "mpm-hooks $version+build.$build" ] || fail "--version says '$got', want 'mpm-hooks $version+build.$build'"
echo "test-wheel: $got"

# Real commits through the installed hooks, in a hermetic git environment.
: >"$tmp/gitconfig"
export GIT_CONFIG_GLOBAL="$tmp/gitconfig" GIT_CONFIG_NOSYSTEM=1 HOME="$tmp"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
git init -q -b main "$tmp/repo"
cd "$tmp/repo"
mpm-hooks install -q >/dev/null
printf 'print("hello")\n' > app.py
git add app.py
if git commit -q -m "Added the app." 2>"$tmp/rejected.txt"; then fail "a bad message was accepted"; fi
grep -q "type-empty\|subject-case\|Conventional Commits" "$tmp/rejected.txt" || { cat "$tmp/rejected.txt"; fail "the rejection does not say why"; }
git commit -q -m "feat: add the app" 2>"$tmp/accepted.txt" || { cat "$tmp/accepted.txt"; fail "a good message was rejected"; }
[ "$(git rev-list --count HEAD)" = 1 ] || fail "the commit was not made"
echo "test-wheel: pip install: ok"

# The wheel hook repository (packaging/hook_repo.py) through the real pre-commit and prek, with
# cargo off PATH and the wheel served by find-links: install, a rejected message, a blocked
# secret, a passing commit. Both runners come from the venv of the README's test command.
hookrepo="$tmp/hook-repo"
python3 "$root/packaging/hook_repo.py" --out "$hookrepo"
git -C "$hookrepo" init -q -b main && git -C "$hookrepo" add -A && git -C "$hookrepo" commit -q -m "chore: mpm-hooks $version"
rev=$(git -C "$hookrepo" rev-parse HEAD)
export PIP_FIND_LINKS="$tmp/dist" UV_FIND_LINKS="$tmp/dist"
runner_path="$PATH"
for runner in pre-commit prek; do
    exe=$(PATH="$ORIG_PATH" command -v "$runner") || fail "$runner is not installed (python3 -m pip install pre-commit==4.7.0 prek==0.5.11)"
    uv=$(PATH="$ORIG_PATH" command -v uv || true)
    bindir="$tmp/bin-$runner"; mkdir -p "$bindir"; ln -sf "$exe" "$bindir/$runner"
    [ -z "$uv" ] || ln -sf "$uv" "$bindir/uv"
    export PATH="$bindir:$runner_path" PRE_COMMIT_HOME="$tmp/cache-$runner" PREK_HOME="$tmp/cache-$runner"
    ! command -v cargo >/dev/null || fail "cargo is on PATH"
    repo="$tmp/user-$runner"
    git init -q -b main "$repo"; cd "$repo"
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: mpm-hooks-commit-msg\n      - id: mpm-hooks-secrets\n      - id: mpm-hooks-build-number\n' "$hookrepo" "$rev" > .pre-commit-config.yaml
    git add .pre-commit-config.yaml
    "$runner" install --hook-type pre-commit --hook-type commit-msg >/dev/null
    started=$(date +%s.%N)
    "$runner" install-hooks >"$tmp/install-$runner.log" 2>&1 || { cat "$tmp/install-$runner.log"; fail "$runner install-hooks failed"; }
    echo "test-wheel: $runner install-hooks (wheel): $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)") s"
    printf 'print("hello")\n' > app.py; git add app.py
    if git commit -q -m "Added the app." >"$tmp/out.txt" 2>&1; then fail "$runner: a bad message was accepted"; fi
    grep -q "Conventional Commits" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "$runner: the rejection does not say why"; }
    # A token of GitHub's documented shape: 30 characters, then their CRC32 in base62 (one that
    # fails the checksum was never issued, and is not reported).
    python3 -c 'import zlib; b = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5"; n = zlib.crc32(b.encode()); a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"; d = "".join(a[n // 62 ** i % 62] for i in range(5, -1, -1)); print(f"token = \"ghp_{b}{d}\"")' > creds.py; git add creds.py
    if git commit -q -m "feat: add creds" >"$tmp/out.txt" 2>&1; then fail "$runner: a secret was not blocked"; fi
    grep -q "github-pat" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "$runner: the secret finding is not named"; }
    git rm -q --cached creds.py; rm creds.py
    git commit -q -m "feat: add the app" >"$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; fail "$runner: a good commit was rejected"; }
    [ "$(git rev-list --count HEAD)" = 1 ] || fail "$runner: the commit was not made"
    echo "test-wheel: $runner: rejected message, blocked secret, passing commit: ok"
done
echo "test-wheel: ok (installed wheel: $(basename "$wheel"))"
