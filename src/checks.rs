//! Configured checks: the tiers behind the pre-commit step `checks`, `mpm-hooks fix`, `check`
//! and `check --release`.
//!
//! Commands are split as a shell would and run without one; `{files}` becomes one argument per
//! file. While the pre-commit checks run, unstaged changes are set aside under this worktree's
//! git dir and put back afterwards, byte for byte (see [`stash`]).

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{Check, Tier};
use crate::error::{Error, Result};
use crate::git::Repo;

mod stash;
pub use stash::{Kept, Restored, Stash, kept, recover, restore_kept, stash_root};

/// Set by Ctrl-C / SIGTERM / SIGHUP while checks run.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub(crate) fn watch_signals() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
}

/// Whether Ctrl-C, SIGTERM or SIGHUP arrived since [`watch_signals`].
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Room left for file arguments on one command line (well under Linux's 2 MB ARG_MAX, which
/// the environment shares).
const ARG_BUDGET: usize = 128 * 1024;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    /// Failed, then passed after its `fix` ran.
    Fixed,
    Skipped,
}

impl Status {
    pub fn word(&self) -> &'static str {
        match self {
            Status::Passed => "ok",
            Status::Failed => "failed",
            Status::Fixed => "fixed",
            Status::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub status: Status,
    /// Why it was skipped, or the one-line reason it could not run.
    pub note: Option<String>,
    /// What it printed (stdout, then stderr), for a failure.
    pub output: String,
    /// Files its fixer changed (and, in the hook, re-staged).
    pub fixed: Vec<String>,
    pub millis: f64,
}

impl CheckResult {
    fn new(name: &str) -> CheckResult {
        CheckResult {
            name: name.to_string(),
            status: Status::Passed,
            note: None,
            output: String::new(),
            fixed: Vec::new(),
            millis: 0.0,
        }
    }

    fn skipped(&mut self, why: String) {
        self.status = Status::Skipped;
        self.note = Some(why);
    }

    /// Records how a run ended; false when it was interrupted.
    fn record(&mut self, run: Run) -> bool {
        match run {
            Run::Ok => {}
            Run::Failed(output) => {
                self.status = Status::Failed;
                self.output = output;
            }
            Run::NotRunnable(why) => {
                self.status = Status::Failed;
                self.note = Some(why);
            }
            Run::Interrupted => return false,
        }
        true
    }
}

/// The checks of `tier`.
pub fn of_tier(checks: &[Check], tier: Tier) -> Vec<&Check> {
    checks.iter().filter(|c| c.tiers.contains(&tier)).collect()
}

/// The files among `candidates` that `check` applies to.
pub fn select<F: AsRef<OsStr>>(check: &Check, candidates: &[F], root: &Path) -> Result<Vec<OsString>> {
    let key = format!("[[check]] `{}`", check.name);
    let include = (!check.files.is_empty())
        .then(|| crate::config::compile_globs(root, &check.files, &key))
        .transpose()?;
    let exclude = crate::config::compile_globs(root, &check.exclude, &key)?;
    Ok(candidates
        .iter()
        .filter(|f| {
            let p = Path::new(f.as_ref());
            include
                .as_ref()
                .is_none_or(|g| g.matched_path_or_any_parents(p, false).is_ignore())
                && !exclude.matched_path_or_any_parents(p, false).is_ignore()
        })
        .map(|f| f.as_ref().to_os_string())
        .collect())
}

/// The command lines to run: `{files}` replaced by the files (a leading `-` made `./-`, so no
/// name reads as an option), split into batches under the argument limit. File names go to
/// the command as the bytes git gave, UTF-8 or not.
pub fn command_lines(line: &str, files: &[OsString], pass_filenames: bool) -> Vec<Vec<OsString>> {
    let argv: Vec<OsString> = shlex::split(line)
        .unwrap_or_default()
        .into_iter()
        .map(OsString::from)
        .collect();
    let has_placeholder = argv.iter().any(|a| a == "{files}");
    if !pass_filenames || files.is_empty() {
        return vec![argv.into_iter().filter(|a| a != "{files}").collect()];
    }
    let safe: Vec<OsString> = files
        .iter()
        .map(|f| {
            if f.as_encoded_bytes().starts_with(b"-") {
                let mut dotted = OsString::from("./");
                dotted.push(f);
                dotted
            } else {
                f.clone()
            }
        })
        .collect();
    let mut batches: Vec<Vec<OsString>> = vec![Vec::new()];
    let mut used = 0;
    for f in safe {
        if used + f.len() + 1 > ARG_BUDGET && !batches.last().is_some_and(Vec::is_empty) {
            batches.push(Vec::new());
            used = 0;
        }
        used += f.len() + 1;
        batches.last_mut().expect("one batch").push(f);
    }
    batches
        .into_iter()
        .map(|batch| {
            let mut out = Vec::new();
            for a in &argv {
                if a == "{files}" {
                    out.extend(batch.iter().cloned());
                } else {
                    out.push(a.clone());
                }
            }
            if !has_placeholder {
                out.extend(batch);
            }
            out
        })
        .collect()
}

enum Run {
    Ok,
    Failed(String),
    /// The program could not be started: the one-line reason.
    NotRunnable(String),
    Interrupted,
}

/// Runs each command line in turn (stopping at the first failure), output captured.
fn run_lines(check: &str, lines: &[Vec<OsString>], root: &Path) -> Run {
    let mut output = String::new();
    for argv in lines {
        let Some((program, args)) = argv.split_first() else {
            continue;
        };
        let program_name = program.to_string_lossy();
        let child = Command::new(program)
            .args(args)
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Run::NotRunnable(format!(
                    "check `{check}`: program `{program_name}` not found; install it, or fix `run` in .mpm-hooks.toml"
                ));
            }
            Err(e) => return Run::NotRunnable(format!("check `{check}`: cannot run `{program_name}`: {e}")),
        };
        // Read the pipes on their own threads so a chatty tool never blocks on a full pipe.
        let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(o) = out.as_mut() {
                let _ = std::io::Read::read_to_end(o, &mut buf);
            }
            buf
        });
        let err_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(e) = err.as_mut() {
                let _ = std::io::Read::read_to_end(e, &mut buf);
            }
            buf
        });
        let mut pause = Duration::from_micros(200);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if INTERRUPTED.load(Ordering::SeqCst) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(10));
                }
                Err(e) => return Run::NotRunnable(format!("check `{check}`: {e}")),
            }
        };
        // Interrupted: a grandchild may still hold the pipes open; leave the readers behind.
        let Some(status) = status else { return Run::Interrupted };
        output.push_str(&String::from_utf8_lossy(&reader.join().unwrap_or_default()));
        output.push_str(&String::from_utf8_lossy(&err_reader.join().unwrap_or_default()));
        if !status.success() {
            return Run::Failed(output);
        }
    }
    Run::Ok
}

/// Rounds of fixing at most in the hook. After a fixer changed files, every check runs again
/// on what is now staged, so what is committed passes every check; fixers that keep undoing
/// each other fail the commit.
const FIX_ROUNDS: usize = 3;

/// Runs `checks` on `files` in parallel (at most `jobs` at once), results in config order.
/// With `fix_in` (the pre-commit hook), a failing check with a `fix` is fixed, what the fixer
/// changed is re-staged, and the check runs again; when any fixer changed a file, every check
/// runs again (up to [`FIX_ROUNDS`] rounds) until no fixer changes anything.
pub fn run<F: AsRef<OsStr> + Sync>(
    checks: &[&Check],
    files: &[F],
    root: &Path,
    jobs: usize,
    skip: &(dyn Fn(&str) -> bool + Sync),
    fix_in: Option<&Repo>,
) -> Result<Vec<CheckResult>> {
    let mut results = run_round(checks, files, root, jobs, skip, fix_in)?;
    if fix_in.is_none() {
        return Ok(results);
    }
    let mut fixed: Vec<Vec<String>> = results.iter().map(|r| r.fixed.clone()).collect();
    let mut millis: Vec<f64> = results.iter().map(|r| r.millis).collect();
    let mut round = 1;
    let mut still_changing = Vec::new();
    while results.iter().any(|r| !r.fixed.is_empty()) {
        if round == FIX_ROUNDS {
            still_changing = results.iter().flat_map(|r| r.fixed.iter().cloned()).collect();
            break;
        }
        round += 1;
        results = run_round(checks, files, root, jobs, skip, fix_in)?;
        for (i, r) in results.iter().enumerate() {
            fixed[i].extend(r.fixed.iter().cloned());
            millis[i] += r.millis;
        }
    }
    for ((r, mut f), ms) in results.iter_mut().zip(fixed).zip(millis) {
        f.sort();
        f.dedup();
        if !f.is_empty() && r.status == Status::Passed {
            r.status = Status::Fixed;
        }
        r.fixed = f;
        r.millis = ms;
    }
    if !still_changing.is_empty() {
        still_changing.sort();
        still_changing.dedup();
        let mut r = CheckResult::new("fixers");
        r.status = Status::Failed;
        r.note = Some(format!(
            "after {FIX_ROUNDS} rounds the fixers still change {}: two of them undo each other's changes, so no version passes every check; make their settings agree (your unstaged changes are back as they were; the fixers' changes are staged)",
            still_changing.join(", ")
        ));
        results.push(r);
    }
    Ok(results)
}

/// One round: every check once, a failing one fixed and run again.
fn run_round<F: AsRef<OsStr> + Sync>(
    checks: &[&Check],
    files: &[F],
    root: &Path,
    jobs: usize,
    skip: &(dyn Fn(&str) -> bool + Sync),
    fix_in: Option<&Repo>,
) -> Result<Vec<CheckResult>> {
    watch_signals();
    let jobs = if jobs == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        jobs
    };
    let mut plans = Vec::new();
    for check in checks {
        plans.push((check, select(check, files, root)?));
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(CheckResult, bool)>>> = Mutex::new(vec![None; plans.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(plans.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((check, files)) = plans.get(i) else { break };
                    let started = Instant::now();
                    let mut result = CheckResult::new(&check.name);
                    let mut interrupted = false;
                    if skip(&check.name) {
                        result.skipped(format!("SKIP={}", check.name));
                    } else if check.pass_filenames && files.is_empty() {
                        result.skipped("no matching files".into());
                    } else {
                        let lines = command_lines(&check.run, files, check.pass_filenames);
                        interrupted = !result.record(run_lines(&check.name, &lines, root));
                    }
                    result.millis = started.elapsed().as_secs_f64() * 1000.0;
                    results.lock().expect("not poisoned")[i] = Some((result, interrupted));
                }
            });
        }
    });
    let mut out = Vec::new();
    for (slot, (check, files)) in results.into_inner().expect("not poisoned").into_iter().zip(&plans) {
        let (mut result, interrupted) = slot.expect("every check ran");
        if interrupted || INTERRUPTED.load(Ordering::SeqCst) {
            return Err(Error::Hook {
                hook: "pre-commit".into(),
                message: "interrupted; the checks were stopped".into(),
            });
        }
        if let (Some(repo), Status::Failed, Some(fix), None) = (fix_in, &result.status, &check.fix, &result.note) {
            let started = Instant::now();
            let fixable: Vec<Vec<u8>> = files.iter().map(|f| f.as_encoded_bytes().to_vec()).collect();
            if let Run::Ok | Run::Failed(_) =
                run_lines(&check.name, &command_lines(fix, files, check.pass_filenames), root)
            {
                let changed = repo.unstaged(&fixable)?;
                repo.stage_raw_paths(&changed)?;
                if let Run::Ok = run_lines(
                    &check.name,
                    &command_lines(&check.run, files, check.pass_filenames),
                    root,
                ) {
                    result.status = Status::Fixed;
                    result.output.clear();
                }
                result.fixed = changed
                    .iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect();
            }
            result.millis += started.elapsed().as_secs_f64() * 1000.0;
        }
        out.push(result);
    }
    Ok(out)
}

/// Runs every check's `fix` on `files` (in config order: fixers may touch the same files) and
/// reports which files each changed.
pub fn fix_all<F: AsRef<OsStr>>(checks: &[Check], files: &[F], root: &Path) -> Result<Vec<CheckResult>> {
    watch_signals();
    let mut out = Vec::new();
    for check in checks {
        let Some(fix) = &check.fix else { continue };
        let selected = select(check, files, root)?;
        let started = Instant::now();
        let mut result = CheckResult::new(&check.name);
        if check.pass_filenames && selected.is_empty() {
            result.skipped("no matching files".into());
        } else {
            let before = fingerprints(root, &selected);
            let lines = command_lines(fix, &selected, check.pass_filenames);
            if !result.record(run_lines(&check.name, &lines, root)) {
                return Err(Error::Hook {
                    hook: "fix".into(),
                    message: "interrupted".into(),
                });
            }
            let after = fingerprints(root, &selected);
            result.fixed = selected
                .iter()
                .zip(before.iter().zip(&after))
                .filter(|(_, (b, a))| b != a)
                .map(|(f, _)| f.to_string_lossy().into_owned())
                .collect();
        }
        result.millis = started.elapsed().as_secs_f64() * 1000.0;
        out.push(result);
    }
    Ok(out)
}

fn fingerprints(root: &Path, files: &[OsString]) -> Vec<Option<Vec<u8>>> {
    files.iter().map(|f| std::fs::read(root.join(f)).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_become_single_arguments_and_dashes_are_safe() {
        let files: Vec<OsString> = ["a b.py", "-rf", "q\"uote.py"].map(OsString::from).into();
        let lines = command_lines("black --check {files}", &files, true);
        assert_eq!(lines, vec![vec!["black", "--check", "a b.py", "./-rf", "q\"uote.py"]]);
        let lines = command_lines("ruff 'check' --fix", &files[..1], true);
        assert_eq!(lines, vec![vec!["ruff", "check", "--fix", "a b.py"]]);
        let lines = command_lines("cargo clippy -- -D warnings", &files, false);
        assert_eq!(lines, vec![vec!["cargo", "clippy", "--", "-D", "warnings"]]);
    }

    #[test]
    fn long_lists_are_split_under_the_argument_limit() {
        let files: Vec<OsString> = (0..20_000)
            .map(|i| OsString::from(format!("src/some/deep/folder/file_{i}.py")))
            .collect();
        let lines = command_lines("lint {files}", &files, true);
        assert!(lines.len() > 1);
        assert_eq!(lines.iter().map(|l| l.len() - 1).sum::<usize>(), files.len());
        assert!(
            lines
                .iter()
                .all(|l| l.iter().map(|a| a.len() + 1).sum::<usize>() <= ARG_BUDGET + 16)
        );
    }
}
