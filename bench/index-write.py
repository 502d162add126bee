#!/usr/bin/env python3
"""Replacing a 100,000-file index the way the build-number step can: the new file written whole
beside it (index.lock) and renamed over it, its bytes taken from the old file by the kernel
(`copy_file_range`, what the step does) or by one write from a mapping of the old file. Each run
first has git write the index anew (as `git add` and `git commit` do just before the hooks), the
two ways alternating; CPU (getrusage) and wall per replacement: medians, the largest, and how
many runs took over 10 ms of CPU.

    python3 bench/index-write.py [REPO] [RUNS]     # default bench/work/large/r100000, 24
"""
import mmap, os, resource, statistics, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "work", "large", "r100000")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 24
os.chdir(repo)
env = dict(os.environ, GIT_CONFIG_GLOBAL=os.path.join(here, "work", "gitconfig-global"), GIT_CONFIG_NOSYSTEM="1")
reset = ("git reset -q --soft $(cat .git/bench-base) && git reset -q -- BUILD_NUMBER && "
         "git checkout -q -- BUILD_NUMBER && git write-tree >/dev/null")


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


res = {"copy_file_range": [], "write from the mapping": []}
for i in range(runs):
    for kind in sorted(res, reverse=i % 2 == 1):
        subprocess.run(["sh", "-c", reset], env=env, check=True)
        fd = os.open(".git/index", os.O_RDONLY)
        n = os.fstat(fd).st_size
        m = mmap.mmap(fd, n, prot=mmap.PROT_READ, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0))
        view = memoryview(m)
        t0, w0 = cpu(), time.perf_counter()
        out = os.open(".git/index.lock", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        if kind == "copy_file_range":
            left = n
            while left:
                left -= os.copy_file_range(fd, out, left)
        else:
            os.write(out, view)
        os.close(out)
        os.rename(".git/index.lock", ".git/index")
        res[kind].append(((cpu() - t0) * 1000, (time.perf_counter() - w0) * 1000))
        view.release()
        m.close()
        os.close(fd)
subprocess.run(["sh", "-c", reset], env=env, check=True)
for kind, v in res.items():
    c, w = sorted(x[0] for x in v), sorted(x[1] for x in v)
    print(f"{kind}: CPU median {statistics.median(c):.2f} ms, largest {c[-1]:.2f}; "
          f"wall median {statistics.median(w):.2f} ms, largest {w[-1]:.2f}; "
          f"{sum(x > 10 for x in c)} of {len(v)} runs over 10 ms of CPU")
