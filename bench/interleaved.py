#!/usr/bin/env python3
"""Hook cost per commit, measured interleaved: on a shared machine, load drifts over a run, and
hyperfine times all runs of one command before the next. Here every round commits once in each
repository, in turn, so drift falls on all alike; CPU is the children's user+sys from getrusage
(git and every hook it starts), minus the no-op hook's. One commit's CPU moves with the load of
the machine by more than the hooks' difference, so the mean over many rounds is the estimate,
given with its standard error; wall time is the median.

Run bench/hooks-vs-base.sh once first: it makes the repositories (bench/work/hooks-vs-base/*).
    python3 bench/interleaved.py [ROUNDS [VARIANT...]]
"""
import os, random, resource, statistics, subprocess, sys, time

work = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work", "hooks-vs-base")
# `new-2` / `new-versioned-2` (copies of `new` / `new-versioned` installed with `[hooks] stages =
# ["pre-commit", "commit-msg"]`, the stages the baseline has) are measured too when present.
# Named variants after ROUNDS select a subset ("true" is always measured: it is the floor).
wanted = ["true", *sys.argv[2:]] if len(sys.argv) > 2 else None
variants = [v for v in ["true", "base", "new", "new-2", "base-versioned", "new-versioned", "new-versioned-2"]
            if os.path.isdir(os.path.join(work, v)) and (wanted is None or v in wanted)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
env = dict(os.environ, GIT_CONFIG_GLOBAL=os.path.join(os.path.dirname(work), "gitconfig-global"),
           GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def reset(repo, versioned):
    base = open(os.path.join(repo, ".git", "bench-base")).read().strip()
    git(repo, "reset", "-q", "--soft", base)
    if versioned:
        git(repo, "reset", "-q", "--", "BUILD_NUMBER")
        git(repo, "checkout", "-q", "--", "BUILD_NUMBER")
        pending = os.path.join(repo, ".git", "mpm-hooks", "build-number-pending.json")
        if os.path.exists(pending):
            os.remove(pending)


cpu = {v: [] for v in variants}
wall = {v: [] for v in variants}
# Each round visits the repositories in a new order (seeded: runs are comparable), so that no
# variant always follows the same one (a warm cache, a neighbour's write-back) or runs first.
order = random.Random(7)
for r in range(rounds + 3):
    for v in order.sample(variants, len(variants)):
        repo = os.path.join(work, v)
        reset(repo, "versioned" in v)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        git(repo, "commit", "-q", "-m", "feat: bench change")
        w = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r >= 3:  # warm-up rounds
            cpu[v].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
            wall[v].append(w * 1000)
for v in variants:
    reset(os.path.join(work, v), "versioned" in v)
med = lambda xs: statistics.median(xs)
mean = lambda xs: statistics.fmean(xs)
se = lambda xs: statistics.stdev(xs) / len(xs) ** 0.5
floor_c, floor_w = mean(cpu["true"]), med(wall["true"])
print(f"{rounds} interleaved rounds; per commit, minus the no-op hook ({floor_c:.1f} ms CPU mean, {floor_w:.1f} ms wall median)")
pairs = [("base", "new"), ("base", "new-2"), ("base-versioned", "new-versioned"), ("base-versioned", "new-versioned-2")]
for b, n in [(b, n) for b, n in pairs if b in variants and n in variants]:
    bc, nc = mean(cpu[b]) - floor_c, mean(cpu[n]) - floor_c
    err = (se(cpu[b]) ** 2 + se(cpu[n]) ** 2) ** 0.5
    bw, nw = med(wall[b]) - floor_w, med(wall[n]) - floor_w
    print(f"{n:>16}: CPU {nc:+.2f} ms (base {bc:+.2f}, difference {nc - bc:+.2f} ± {err:.2f}); "
          f"wall {nw:+.2f} ms (base {bw:+.2f}, difference {nw - bw:+.2f})")
