//! Configured checks: the pre-commit step `checks`, and the tiers behind `mpm-hooks fix`,
//! `check` and `check --release`.
//!
//! Commands are split as a shell would and run without one; `{files}` becomes one argument per
//! file. While the pre-commit checks run, unstaged changes to the staged files are set aside as
//! a patch under the git dir and put back afterwards, also on Ctrl-C or SIGTERM; a patch left
//! by a run killed outright is put back by the next `mpm-hooks` run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{Check, Tier};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::stage::{Outcome, StepInput};

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
pub fn select(check: &Check, candidates: &[String], root: &Path) -> Result<Vec<String>> {
    let key = format!("[[check]] `{}`", check.name);
    let include = (!check.files.is_empty())
        .then(|| crate::build_number::globs(root, &check.files, &key))
        .transpose()?;
    let exclude = crate::build_number::globs(root, &check.exclude, &key)?;
    Ok(candidates
        .iter()
        .filter(|f| {
            let p = Path::new(f.as_str());
            include
                .as_ref()
                .is_none_or(|g| g.matched_path_or_any_parents(p, false).is_ignore())
                && !exclude.matched_path_or_any_parents(p, false).is_ignore()
        })
        .cloned()
        .collect())
}

/// The command lines to run: `{files}` replaced by the files (a leading `-` made `./-`, so no
/// name reads as an option), split into batches under the argument limit.
pub fn command_lines(line: &str, files: &[String], pass_filenames: bool) -> Vec<Vec<String>> {
    let argv = shlex::split(line).unwrap_or_default();
    let has_placeholder = argv.iter().any(|a| a == "{files}");
    if !pass_filenames || files.is_empty() {
        return vec![argv.into_iter().filter(|a| a != "{files}").collect()];
    }
    let safe: Vec<String> = files
        .iter()
        .map(|f| {
            if f.starts_with('-') {
                format!("./{f}")
            } else {
                f.clone()
            }
        })
        .collect();
    let mut batches: Vec<Vec<String>> = vec![Vec::new()];
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
fn run_lines(check: &str, lines: &[Vec<String>], root: &Path) -> Run {
    let mut output = String::new();
    for argv in lines {
        let Some((program, args)) = argv.split_first() else {
            continue;
        };
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
                    "check `{check}`: program `{program}` not found; install it, or fix `run` in .mpm-hooks.toml"
                ));
            }
            Err(e) => return Run::NotRunnable(format!("check `{check}`: cannot run `{program}`: {e}")),
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

/// Runs `checks` on `files` in parallel (at most `jobs` at once), results in config order.
/// With `fix_in` (the pre-commit hook), a failing check with a `fix` is fixed, what the fixer
/// changed is re-staged, and the check runs again.
pub fn run(
    checks: &[&Check],
    files: &[String],
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
            let fixable = files.clone();
            if let Run::Ok | Run::Failed(_) =
                run_lines(&check.name, &command_lines(fix, files, check.pass_filenames), root)
            {
                let changed = repo.unstaged(&fixable)?;
                repo.stage_paths(&changed)?;
                if let Run::Ok = run_lines(
                    &check.name,
                    &command_lines(&check.run, files, check.pass_filenames),
                    root,
                ) {
                    result.status = Status::Fixed;
                    result.output.clear();
                }
                result.fixed = changed;
            }
            result.millis += started.elapsed().as_secs_f64() * 1000.0;
        }
        out.push(result);
    }
    Ok(out)
}

/// Runs every check's `fix` on `files` (in config order: fixers may touch the same files) and
/// reports which files each changed.
pub fn fix_all(checks: &[Check], files: &[String], root: &Path) -> Result<Vec<CheckResult>> {
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
                .map(|(f, _)| f.clone())
                .collect();
        }
        result.millis = started.elapsed().as_secs_f64() * 1000.0;
        out.push(result);
    }
    Ok(out)
}

fn fingerprints(root: &Path, files: &[String]) -> Vec<Option<Vec<u8>>> {
    files.iter().map(|f| std::fs::read(root.join(f)).ok()).collect()
}

/// Unstaged changes to staged files, set aside while the pre-commit checks run.
pub struct Stash {
    path: PathBuf,
}

fn stash_dir(repo: &Repo) -> PathBuf {
    repo.common_dir.join("mpm-hooks").join("stash")
}

impl Stash {
    /// Saves the work tree's changes to `paths` as a patch, then makes the work tree match the
    /// index. The patch is on disk before the work tree is touched.
    pub fn save(repo: &Repo, paths: &[String]) -> Result<Stash> {
        let patch = repo.unstaged_patch(paths)?;
        let dir = stash_dir(repo);
        std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
            path: dir.clone(),
            source,
        })?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let path = dir.join(format!("unstaged-{}-{stamp}.patch", std::process::id()));
        crate::fs::write_atomic(&path, &patch, None)?;
        repo.checkout_index(paths)?;
        Ok(Stash { path })
    }

    /// Puts the changes back. On a conflict the patch stays where it is and the error says how
    /// to apply it by hand.
    pub fn restore(self, repo: &Repo) -> Result<()> {
        restore_patch(repo, &self.path)
    }
}

fn restore_patch(repo: &Repo, path: &Path) -> Result<()> {
    let patch = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    match repo.apply_patch(&patch) {
        Ok(()) => {
            let _ = std::fs::remove_file(path);
            Ok(())
        }
        Err(_) => Err(Error::Hook {
            hook: "checks".into(),
            message: format!(
                "your unstaged changes did not go back cleanly (a fixer changed the same lines); they are saved in {}: apply them with `git apply --3way {}`",
                path.display(),
                path.display()
            ),
        }),
    }
}

/// Puts back unstaged changes left by a run that was killed before it could (kill -9, a crash).
/// Returns one line per patch handled.
pub fn recover(repo: &Repo) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(stash_dir(repo)) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("unstaged-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        lines.push(match restore_patch(repo, &path) {
            Ok(()) => "restored the unstaged changes an interrupted mpm-hooks run had set aside".to_string(),
            Err(e) => e.to_string(),
        });
    }
    lines
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    false
}

/// The pre-commit step `checks`: the pre-commit tier on the staged files.
pub fn step(input: &StepInput<'_>) -> Result<Outcome> {
    let cfg = &input.ctx.config.config;
    let checks = of_tier(&cfg.check, Tier::PreCommit);
    if checks.is_empty() {
        return Ok(Outcome::Skipped("no checks configured".into()));
    }
    let repo = input.repo;
    let staged: Vec<String> = input
        .staged()?
        .files
        .iter()
        .filter(|f| f.status != 'D')
        .map(|f| f.path.clone())
        .collect();
    if input.dry_run {
        let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
        return Ok(Outcome::Ok(vec![format!(
            "would run {} on {} staged file(s)",
            names.join(", "),
            staged.len()
        )]));
    }
    let unstaged = repo.unstaged(&staged)?;
    let stash = if unstaged.is_empty() {
        None
    } else {
        Some(Stash::save(repo, &unstaged)?)
    };
    let env = &input.ctx.env;
    let autofix = cfg.checks.autofix.then_some(repo);
    let results = run(
        &checks,
        &staged,
        &repo.root,
        cfg.checks.jobs,
        &|name| env.skips(name),
        autofix,
    );
    let restored = stash.map(|s| s.restore(repo)).transpose();
    let results = results?;
    restored?;
    Ok(summarize(&results))
}

fn summarize(results: &[CheckResult]) -> Outcome {
    let mut notes = Vec::new();
    for r in results {
        let word = match r.status {
            Status::Passed => "ok",
            Status::Failed => "failed",
            Status::Fixed => "fixed",
            Status::Skipped => "skipped",
        };
        let mut line = format!("{:<14} {word:<7} {:>7.1} ms", r.name, r.millis);
        if let Some(n) = &r.note
            && r.status == Status::Skipped
        {
            line.push_str(&format!(" ({n})"));
        }
        if !r.fixed.is_empty() {
            line.push_str(&format!("  fixed and re-staged: {}", r.fixed.join(", ")));
        }
        notes.push(line);
    }
    let failed: Vec<&CheckResult> = results.iter().filter(|r| r.status == Status::Failed).collect();
    if failed.is_empty() {
        let summary = format!("{} check(s)", results.len());
        return Outcome::Ok(std::iter::once(summary).chain(notes).collect());
    }
    let mut text = notes.join("\n");
    for r in failed {
        text.push_str(&format!("\n\n--- {} ---\n", r.name));
        match &r.note {
            Some(n) => text.push_str(n),
            None => text.push_str(r.output.trim_end()),
        }
    }
    Outcome::Failed(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_become_single_arguments_and_dashes_are_safe() {
        let files = vec!["a b.py".to_string(), "-rf".to_string(), "q\"uote.py".to_string()];
        let lines = command_lines("black --check {files}", &files, true);
        assert_eq!(lines, vec![vec!["black", "--check", "a b.py", "./-rf", "q\"uote.py"]]);
        let lines = command_lines("ruff 'check' --fix", &files[..1], true);
        assert_eq!(lines, vec![vec!["ruff", "check", "--fix", "a b.py"]]);
        let lines = command_lines("cargo clippy -- -D warnings", &files, false);
        assert_eq!(lines, vec![vec!["cargo", "clippy", "--", "-D", "warnings"]]);
    }

    #[test]
    fn long_lists_are_split_under_the_argument_limit() {
        let files: Vec<String> = (0..20_000)
            .map(|i| format!("src/some/deep/folder/file_{i}.py"))
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
