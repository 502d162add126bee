#!/usr/bin/env python3
"""The pre-commit stage alone, two binaries interleaved, in a repository bench/large.sh made:
each round resets the staged change (as large.sh does) and runs each binary's pre-commit once,
in a seeded random order; CPU (user + sys, from getrusage) and minor page faults per run, the
mean with its standard error, and the median.

    python3 bench/stage.py REPO ROUNDS OLD_BINARY NEW_BINARY [--skip-build-number] [--as-commit]

--as-commit runs the stage on a copy of the index in .git/index.lock, as `git commit` does
(GIT_INDEX_FILE=.git/index.lock), instead of on .git/index itself; the copy is removed before
each reset.

e.g. `python3 bench/stage.py bench/work/large/r100000 30 /tmp/old target/release/mpm-hooks`.
The runs are made from a process whose command line reads `git -c ... commit`, as the hook's
parent does in a commit.
"""
import os, random, resource, statistics, subprocess, sys, tempfile

# Under git the hook's parent is `git commit`, which the build-number step reads from /proc (for
# --amend); elsewhere it walks up every ancestor. The runs are made from a process named so.
if os.environ.get("STAGE_PY_AS_GIT") != "1":
    os.environ["STAGE_PY_AS_GIT"] = "1"
    code = f"import runpy, sys; sys.argv = {sys.argv!r}; runpy.run_path({os.path.abspath(__file__)!r}, run_name='__main__')"
    # A link named `git` to this Python (which finds its library through the link).
    named = os.path.join(tempfile.mkdtemp(prefix="stage-git-"), "git")
    os.symlink(os.path.realpath(sys.executable), named)
    os.execv(named, [named, "-c", code, "commit"])

repo, rounds, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, GIT_CONFIG_GLOBAL=os.path.join(here, "work", "gitconfig-global"), GIT_CONFIG_NOSYSTEM="1")
if "--skip-build-number" in sys.argv:
    env["SKIP"] = "build-number"
reset = ("git reset -q --soft $(cat .git/bench-base) && git reset -q -- BUILD_NUMBER && "
         "git checkout -q -- BUILD_NUMBER && rm -f .git/mpm-hooks/build-number-pending.json && "
         "git write-tree >/dev/null")
# The binary reads its name: each gets a folder with a `pre-commit` link to it.
links = {}
for name, binary in [("old", old), ("new", new)]:
    folder = tempfile.mkdtemp(prefix=f"stage-{name}-")
    os.symlink(os.path.abspath(binary), os.path.join(folder, "pre-commit"))
    links[name] = os.path.join(folder, "pre-commit")
as_commit = "--as-commit" in sys.argv
if as_commit:
    lock = os.path.join(os.path.abspath(repo), ".git", "index.lock")
    env["GIT_INDEX_FILE"] = lock
    reset = f"rm -f {lock} && {reset} && cp .git/index {lock}"
runs = {k: {"cpu": [], "flt": []} for k in links}
order = random.Random(5)
for r in range(rounds + 2):
    for k in order.sample(list(links), len(links)):
        subprocess.run(["sh", "-c", reset], cwd=repo, env=dict(env, GIT_INDEX_FILE=".git/index"), check=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([links[k]], cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r >= 2:  # warm-up rounds
            runs[k]["cpu"].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
            runs[k]["flt"].append(after.ru_minflt - before.ru_minflt)
subprocess.run(["sh", "-c", reset], cwd=repo, env=dict(env, GIT_INDEX_FILE=".git/index"), check=True)
if as_commit:
    os.remove(lock)
for k, x in runs.items():
    se = statistics.stdev(x["cpu"]) / len(x["cpu"]) ** 0.5
    print(f"{k}: CPU {statistics.fmean(x['cpu']):.2f} ± {se:.2f} ms (median {statistics.median(x['cpu']):.2f}), "
          f"{statistics.fmean(x['flt']):.0f} minor faults")
