//! The secret scanner over what git holds: the lines a staged change adds, the files the
//! pre-commit framework names, and every line history adds. The scanner itself
//! ([`crate::secrets`]) works on bytes and knows no git.

use std::ffi::OsString;
use std::path::Path;

use crate::error::Result;
use crate::git::{AddedLine, CommitPatch, Repo, StagedFile, StagedView};
use crate::secrets::{Finding, Outcome, Scanner, Skipped, scan_paths};

/// Every line added in the history of `range`, each finding with the commit that added it.
/// `progress(commits done, findings so far)` is called as commits are scanned.
///
/// The commits are listed first (`git rev-list`), then read in consecutive shares, each by its
/// own git process and scanned by the thread that reads it: reading and diffing the blobs,
/// most of the work, runs on every core too. Shares are taken in order by as many threads as there are cores, and
/// their findings put back in history order.
pub fn history(
    scanner: &Scanner,
    repo: &Repo,
    range: &str,
    since: Option<i64>,
    until: Option<i64>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome> {
    let ids = repo.history_commits(range, since, until)?;
    commits(scanner, repo, &ids, progress)
}

/// Every line the commits `commits` add (ids, in the order findings are wanted), each finding
/// with the commit that added it; see [`history`].
pub fn commits(
    scanner: &Scanner,
    repo: &Repo,
    commits: &[String],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Four shares a thread balance uneven shares; a git process costs a few milliseconds, so
    // a share is never under 256 commits.
    let share = commits.len().div_ceil(threads * 4).max(256);
    let chunks: Vec<_> = commits.chunks(share).collect();
    let readers = repo.patch_readers(chunks.len());
    let shares: Vec<_> = chunks
        .into_iter()
        .zip(readers)
        .enumerate()
        .map(|(i, (ids, reader))| (i, ids, reader))
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
    // A share reads its merges last: each finding goes back to its commit's place (a stable
    // sort keeps a commit's findings in file order).
    let place: std::collections::HashMap<&str, usize> =
        commits.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    findings.sort_by_key(|f| f.commit.as_deref().and_then(|c| place.get(c)).copied());
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

/// The staged change: only the lines it adds, read from the index by git.
pub fn staged(scanner: &Scanner, view: &StagedView) -> Outcome {
    let mut out = Outcome::default();
    for file in &view.files {
        staged_file(scanner, file, &mut out);
    }
    out
}

fn staged_file(scanner: &Scanner, file: &StagedFile, out: &mut Outcome) {
    if file.added.is_empty() && !file.binary || scanner.path_allowed(Path::new(&file.path)) {
        return;
    }
    if file.binary {
        if file.status != 'D' {
            scanner.scan_name(&file.path, Path::new(&file.path), &mut out.findings);
        }
        out.skipped.push(Skipped {
            path: file.path.clone(),
            reason: "binary".into(),
        });
        return;
    }
    let size: usize = file.added.iter().map(|l| l.text.len() + 1).sum();
    if size as u64 > scanner.max_file_size {
        out.skipped.push(Skipped {
            path: file.path.clone(),
            reason: format!("larger than [secrets] max_file_size ({} bytes)", scanner.max_file_size),
        });
        return;
    }
    added(scanner, &file.path, &file.added, &mut out.findings);
}

/// The files the pre-commit framework names (`pass_filenames`, paths relative to the root): one
/// with a staged change is scanned as in a commit (the lines it adds); one with nothing staged
/// (`pre-commit run --all-files`, `--files`, CI) is scanned whole, so that a secret already
/// committed is found.
pub fn named(scanner: &Scanner, view: &StagedView, root: &Path, names: &[OsString]) -> Result<Outcome> {
    let mut out = Outcome::default();
    let mut whole = Vec::new();
    for name in names {
        let shown = name.to_string_lossy();
        let shown = shown.trim_start_matches("./");
        match view.files.iter().find(|f| f.path == shown) {
            Some(file) => staged_file(scanner, file, &mut out),
            None => {
                let path = root.join(name);
                if path.is_file() {
                    whole.push(path);
                }
            }
        }
    }
    let found = whole_paths(scanner, root, &whole)?;
    out.findings.extend(found.findings);
    out.skipped.extend(found.skipped);
    Ok(out)
}

/// Files named relative to the root (every tracked file, with no commit under way), each
/// scanned whole as the work tree has it, ignore files not consulted: git tracks them.
pub fn whole(scanner: &Scanner, root: &Path, names: &[OsString]) -> Result<Outcome> {
    let paths: Vec<_> = names.iter().map(|n| root.join(n)).collect();
    whole_paths(scanner, root, &paths)
}

fn whole_paths(scanner: &Scanner, root: &Path, paths: &[std::path::PathBuf]) -> Result<Outcome> {
    if paths.is_empty() {
        return Ok(Outcome::default());
    }
    scan_paths(scanner, paths, root, true)
}

/// Scans the lines a staged change adds: consecutive added lines form one block, so that
/// multi-line rules (PEM keys) see the whole added hunk.
fn added(scanner: &Scanner, path: &str, lines: &[AddedLine], out: &mut Vec<Finding>) {
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i].number;
        let mut j = i;
        let mut text = String::new();
        while j < lines.len() && lines[j].number == start + (j - i) as u32 {
            if j > i {
                text.push('\n');
            }
            text.push_str(&lines[j].text);
            j += 1;
        }
        scanner.scan(path, text.as_bytes(), start, out);
        i = j;
    }
}
