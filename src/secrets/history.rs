//! `scan --history`: every line history adds, read as one streamed `git log -p` and scanned on
//! every core while git still reads; findings come out in history order.

use std::path::Path;

use super::{Finding, Outcome, Scanner, scan_added};
use crate::error::Result;
use crate::git::{CommitPatch, Repo};

/// Every line added in the history of `range`, each finding with the commit that added it.
/// `progress(commits done, findings so far)` is called as batches are scanned.
pub fn scan(
    scanner: &Scanner,
    repo: &Repo,
    range: &str,
    since: Option<i64>,
    until: Option<i64>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Bounded: git is not read further ahead than two batches per worker.
    let (send, receive) = std::sync::mpsc::sync_channel::<(usize, Vec<CommitPatch>)>(threads * 2);
    let receive = std::sync::Mutex::new(receive);
    let (done_send, done) = std::sync::mpsc::channel::<(usize, usize, Vec<Finding>)>();
    let mut scanned: std::collections::BTreeMap<usize, Vec<Finding>> = Default::default();
    let (mut commits, mut found) = (0, 0);
    let mut take = |(batch_no, n, findings): (usize, usize, Vec<Finding>)| {
        commits += n;
        found += findings.len();
        scanned.insert(batch_no, findings);
        progress(commits, found);
    };
    let read = std::thread::scope(|scope| {
        for _ in 0..threads {
            let (receive, done_send) = (&receive, done_send.clone());
            scope.spawn(move || {
                loop {
                    let next = receive.lock().map(|r| r.recv());
                    let Ok(Ok((batch_no, batch))) = next else {
                        break;
                    };
                    let n = batch.len();
                    let _ = done_send.send((batch_no, n, scan_batch(scanner, batch)));
                }
            });
        }
        drop(done_send);
        let mut batch_no = 0;
        let read = repo.each_commit_patch(range, since, until, |batch| {
            // The workers live until this scope ends, so the send cannot fail.
            let _ = send.send((batch_no, batch));
            batch_no += 1;
            while let Ok(result) = done.try_recv() {
                take(result);
            }
        });
        drop(send);
        for result in done.iter() {
            take(result);
        }
        read
    });
    read?;
    Ok(Outcome {
        findings: scanned.into_values().flatten().collect(),
        skipped: Vec::new(),
        commits,
    })
}

/// The findings of a batch of commits, in their order.
fn scan_batch(scanner: &Scanner, batch: Vec<CommitPatch>) -> Vec<Finding> {
    let mut out = Vec::new();
    for commit in batch {
        let start = out.len();
        for file in &commit.files {
            if !scanner.path_allowed(Path::new(&file.path)) {
                scan_added(scanner, &file.path, &file.lines, &mut out);
            }
        }
        for f in &mut out[start..] {
            f.commit = Some(commit.id.clone());
        }
    }
    out
}
