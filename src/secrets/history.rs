//! `scan --history`: every line history adds, read with `git log -p` and scanned on every core
//! while git still reads; findings come out in history order.

use std::path::Path;

use super::{Finding, Outcome, Scanner};
use crate::error::Result;
use crate::git::{CommitPatch, Repo};

/// Every line added in the history of `range`, each finding with the commit that added it.
/// `progress(commits done, findings so far)` is called as commits are scanned.
///
/// The commits are listed first (`git rev-list`), then read in consecutive shares, each by its
/// own `git log -p` and scanned by the thread that reads it: git's diffing, most of the work,
/// runs on every core too. Shares are taken in order by as many threads as there are cores, and
/// their findings put back in history order.
pub fn scan(
    scanner: &Scanner,
    repo: &Repo,
    range: &str,
    since: Option<i64>,
    until: Option<i64>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome> {
    let commits = repo.history_commits(range, since, until)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Four shares a thread balance uneven shares; a git process costs a few milliseconds, so
    // a share is never under 256 commits.
    let share = commits.len().div_ceil(threads * 4).max(256);
    let shares: Vec<_> = commits
        .chunks(share)
        .enumerate()
        .map(|(i, ids)| (i, ids, repo.patch_reader()))
        .collect();
    let count = shares.len();
    let queue = std::sync::Mutex::new(shares.into_iter());
    let (tell, told) = std::sync::mpsc::channel::<(usize, usize)>();
    let mut results: Vec<Option<Result<Vec<Finding>>>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(count))
            .map(|_| {
                let (queue, tell) = (&queue, tell.clone());
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.next());
                        let Some((i, ids, reader)) = next else {
                            break;
                        };
                        let mut found = Vec::new();
                        let read = reader.read(ids, |batch| {
                            let n = batch.len();
                            let start = found.len();
                            scan_batch(scanner, batch, &mut found);
                            let _ = tell.send((n, found.len() - start));
                        });
                        done.push((i, read.map(|()| found)));
                    }
                    done
                })
            })
            .collect();
        drop(tell);
        let (mut scanned, mut found) = (0, 0);
        for (n, f) in told.iter() {
            scanned += n;
            found += f;
            progress(scanned, found);
        }
        for worker in workers {
            for (i, result) in worker.join().expect("the scan does not panic") {
                results[i] = Some(result);
            }
        }
    });
    let mut findings = Vec::new();
    for result in results.into_iter().flatten() {
        findings.extend(result?);
    }
    Ok(Outcome {
        findings,
        skipped: Vec::new(),
        commits: commits.len(),
    })
}

/// Scans a batch of commits, in their order, into `out`.
fn scan_batch(scanner: &Scanner, batch: Vec<CommitPatch>, out: &mut Vec<Finding>) {
    for commit in batch {
        let start = out.len();
        for file in &commit.files {
            if !scanner.path_allowed(Path::new(&file.path)) {
                for block in &file.blocks {
                    scanner.scan(&file.path, &block.text, block.start, out);
                }
            }
        }
        for f in &mut out[start..] {
            f.commit = Some(commit.id.clone());
        }
    }
}
