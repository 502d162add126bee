//! The hook stages. Every way in (argv[0] = `pre-commit` / `commit-msg`, `mpm-hooks run`, the
//! shims, the pre-commit framework) ends in [`run`]. A stage is an ordered list of steps; each
//! step is one function over a [`StepInput`], which computes the staged view once, on first use.

use std::cell::{OnceCell, RefCell};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::JoinHandle;
use std::time::Instant;

use crate::Context;
use crate::build_number;
use crate::config::{IN_HOOK_VAR, LogLevel};
use crate::error::{Error, Result};
use crate::git::{self, GitState, Repo, StagedView};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    PreCommit,
    CommitMsg,
    /// Runs after git has made the commit and written the real index; it cannot change the
    /// commit. It brings the real index in line after a partial commit.
    PostCommit,
}

impl Stage {
    pub fn from_hook_name(name: &str) -> Option<Stage> {
        match name {
            "pre-commit" => Some(Stage::PreCommit),
            "commit-msg" => Some(Stage::CommitMsg),
            "post-commit" => Some(Stage::PostCommit),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::PreCommit => "pre-commit",
            Stage::CommitMsg => "commit-msg",
            Stage::PostCommit => "post-commit",
        }
    }

    /// The arguments git passes to this hook.
    fn arg_count(self) -> usize {
        match self {
            Stage::PreCommit => 0,
            Stage::CommitMsg => 1,
            Stage::PostCommit => 0,
        }
    }

    fn steps(self) -> &'static [Step] {
        match self {
            Stage::PreCommit => &[
                Step {
                    name: "checks",
                    run: crate::checks::step,
                },
                Step {
                    name: "secrets",
                    run: crate::secrets::step,
                },
                Step {
                    name: "build-number",
                    run: crate::build_number::step,
                },
            ],
            Stage::CommitMsg => &[Step {
                name: "commit-msg",
                run: crate::conventional::step,
            }],
            Stage::PostCommit => &[Step {
                name: "sync-index",
                run: crate::build_number::after_commit,
            }],
        }
    }

    /// Every stage, each a hook that install links.
    pub const ALL: [Stage; 3] = [Stage::PreCommit, Stage::CommitMsg, Stage::PostCommit];

    /// Linked only when needed: post-commit has work only after a partial commit whose hooks
    /// changed the index, so install leaves it out (git then starts no third process on every
    /// commit) and the pre-commit stage links it the first time a partial commit needs it.
    pub fn on_demand(self) -> bool {
        self == Stage::PostCommit
    }
}

pub struct Step {
    pub name: &'static str,
    pub run: fn(&StepInput<'_>) -> Result<Outcome>,
}

/// What a step found. A failed check is an outcome; an `Err` means the tool or its input is
/// broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Passed; the notes say what it did (one short line each).
    Ok(Vec<String>),
    /// Failed; the details teach the fix.
    Failed(String),
    Skipped(String),
}

/// What every step of one stage run shares.
pub struct StepInput<'a> {
    pub ctx: &'a Context,
    pub repo: &'a Repo,
    pub args: &'a [OsString],
    pub dry_run: bool,
    pub git_state: GitState,
    staged: OnceCell<StagedView>,
    build: RefCell<Option<JoinHandle<Result<Option<build_number::Prepared>>>>>,
}

impl Drop for StepInput<'_> {
    /// A read-ahead that no step took (a step before it failed) is waited for: it may be
    /// storing a blob, which should not be cut off by the process exiting.
    fn drop(&mut self) {
        if let Some(handle) = self.build.get_mut().take() {
            let _ = handle.join();
        }
    }
}

impl StepInput<'_> {
    /// What the build-number step read ahead on another thread, if the stage started it and it
    /// succeeded (a failure is met again, and reported, when the step reads it itself).
    pub fn prepared_build(&self) -> Option<build_number::Prepared> {
        self.build.borrow_mut().take()?.join().ok()?.ok()?
    }

    /// The staged changes (index vs HEAD), computed on first use and shared by every step.
    pub fn staged(&self) -> Result<&StagedView> {
        if let Some(view) = self.staged.get() {
            return Ok(view);
        }
        let view = self.repo.staged()?;
        Ok(self.staged.get_or_init(|| view))
    }
}

#[derive(Debug, Clone)]
pub struct StepReport {
    pub name: String,
    pub outcome: Outcome,
    pub millis: f64,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub stage: Stage,
    pub steps: Vec<StepReport>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.steps.iter().any(|s| matches!(s.outcome, Outcome::Failed(_)))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dry_run: bool,
    /// Run only these steps (the pre-commit framework runs one step per hook).
    pub only: Vec<String>,
}

/// Runs one stage: first the user's own hook kept aside at install (same arguments, stdin
/// inherited, a failure fails the stage), then our steps in order.
pub fn run(ctx: &Context, stage: Stage, args: &[OsString], opts: &Options) -> Result<Report> {
    // The pre-commit framework names the files to a hook it runs for named steps
    // (`pass_filenames`): the secrets step scans those with nothing staged whole.
    let named_files = matches!(stage, Stage::PreCommit) && !opts.only.is_empty();
    if args.len() != stage.arg_count() && !named_files {
        return Err(Error::Usage {
            message: format!(
                "the {} hook takes {} argument(s) from git, got {}",
                stage.name(),
                stage.arg_count(),
                args.len()
            ),
        });
    }
    if let Some(unknown) = opts
        .only
        .iter()
        .find(|o| !stage.steps().iter().any(|s| s.name == o.as_str()))
    {
        let known: Vec<&str> = stage.steps().iter().map(|s| s.name).collect();
        return Err(Error::Usage {
            message: format!(
                "the {} stage has no step `{unknown}`; its steps: {}",
                stage.name(),
                known.join(", ")
            ),
        });
    }
    // A chained user hook that calls back into the whole stage must not run it twice (nor its
    // own legacy hooks, which would recurse); a call for named steps (the pre-commit framework's
    // hooks) runs those steps.
    if ctx.env.in_hook && opts.only.is_empty() {
        return Ok(Report {
            stage,
            steps: Vec::new(),
        });
    }
    let repo = ctx.ws.repo()?;
    // In a partial commit (`git commit PATH`), what the hooks stage reaches the commit but not
    // the real index, which git holds locked meanwhile: the entries they change are recorded
    // for the post-commit stage. Only there is the temporary index read whole, twice.
    let index = repo.index_path();
    let partial = (stage == Stage::PreCommit && !opts.dry_run && git::is_partial_commit_index(&index))
        .then(|| git::index_ids(&index).ok())
        .flatten();
    let mut steps = Vec::new();
    let chain = !ctx.env.in_hook && opts.only.is_empty();
    for legacy in legacy_hooks(&repo.hooks_dir().0, stage.name())
        .into_iter()
        .filter(|_| chain)
    {
        let started = Instant::now();
        let outcome = run_legacy(&legacy, args, &repo.root)?;
        steps.push(StepReport {
            name: file_name(&legacy),
            outcome,
            millis: elapsed_ms(started),
        });
    }
    let skip_all = if ctx.env.disabled {
        Some("MPM_HOOKS=0".to_string())
    } else if ctx.env.skips(stage.name()) {
        Some(format!("SKIP={}", stage.name()))
    } else {
        None
    };
    let git_state = repo.state();
    let selected = |name: &str| opts.only.is_empty() || opts.only.iter().any(|o| o == name);
    // The build-number step's reading (BUILD_NUMBER, the index, its globs, the next number's
    // blob and index bytes) does not depend on the staged changes: it runs on another thread
    // while the steps before it wait for git to compute them.
    let build_runs =
        stage == Stage::PreCommit && selected("build-number") && skip_all.is_none() && !ctx.env.skips("build-number");
    let scratch = ctx.ws.scratch_dir();
    let normal = git_state == GitState::Normal && !opts.dry_run;
    if build_runs && normal {
        // An increment an earlier attempt made for a commit that never happened is undone
        // first, so that the staged changes and the read-ahead see BUILD_NUMBER as HEAD has it.
        for note in build_number::settle(repo, scratch.as_deref())? {
            ctx.log.log(LogLevel::Info, || note.clone());
        }
    }
    // After the commit, only a pre-commit run's record gives the post-commit stage work.
    let quiet_stage = stage == Stage::PostCommit && !build_number::has_pending(repo);
    let build = (build_runs && git_state == GitState::Normal).then(|| {
        let (root, objects, index) = (repo.root.clone(), repo.common_dir.join("objects"), repo.index_path());
        let cfg = ctx.config.config.build.clone();
        let ahead = !opts.dry_run;
        std::thread::spawn(move || build_number::prepare(&root, &objects, index, &cfg, ahead))
    });
    let input = StepInput {
        ctx,
        repo,
        args,
        dry_run: opts.dry_run,
        git_state,
        staged: OnceCell::new(),
        build: RefCell::new(build),
    };
    for step in stage.steps() {
        if !selected(step.name) || quiet_stage {
            continue;
        }
        let started = Instant::now();
        let outcome = match &skip_all {
            Some(why) => Outcome::Skipped(why.clone()),
            None if ctx.env.skips(step.name) => Outcome::Skipped(format!("SKIP={}", step.name)),
            None => (step.run)(&input)?,
        };
        steps.push(StepReport {
            name: step.name.to_string(),
            outcome,
            millis: elapsed_ms(started),
        });
    }
    if stage == Stage::PostCommit {
        // A post-commit step that had nothing to do says nothing.
        steps.retain(|s| !(s.name == "sync-index" && matches!(&s.outcome, Outcome::Ok(notes) if notes.is_empty())));
    }
    let failed = steps.iter().any(|s| matches!(s.outcome, Outcome::Failed(_)));
    if let Some(before) = partial
        && !failed
    {
        let after = git::index_ids(&index)?;
        let changed = after
            .into_iter()
            .filter(|(path, id)| before.get(path) != Some(id))
            .map(|(path, id)| {
                let old = before.get(&path).copied();
                (path, old, id)
            })
            .collect();
        build_number::record_restaged(repo, scratch.as_deref(), changed)?;
        // The post-commit stage brings the real index in line after this commit: linked now,
        // the first time a partial commit needs it (git looks for the hook when it runs it).
        if build_number::post_commit_has_work(&repo.git_dir) {
            crate::install::link_on_demand(repo, Stage::PostCommit)?;
        }
    }
    if failed && normal && matches!(stage, Stage::PreCommit | Stage::CommitMsg) {
        // The commit stops here: the increment made for it is undone, and the report says so.
        let started = Instant::now();
        match build_number::abandon(repo, scratch.as_deref()) {
            Ok(notes) if notes.is_empty() => {}
            Ok(notes) => steps.push(StepReport {
                name: "build-number".into(),
                outcome: Outcome::Ok(notes),
                millis: elapsed_ms(started),
            }),
            Err(e) => ctx.log.log(LogLevel::Warn, || {
                format!("cannot undo the BUILD_NUMBER increment: {e}")
            }),
        }
    }
    let report = Report { stage, steps };
    ctx.log.log(
        if report.failed() {
            LogLevel::Warn
        } else {
            LogLevel::Info
        },
        || {
            let steps: Vec<String> = report
                .steps
                .iter()
                .map(|s| format!("{}={} ({:.1} ms)", s.name, outcome_word(&s.outcome), s.millis))
                .collect();
            format!("{} [{}]: {}", stage.name(), input.git_state.name(), steps.join(", "))
        },
    );
    Ok(report)
}

pub fn outcome_word(o: &Outcome) -> &'static str {
    match o {
        Outcome::Ok(_) => "ok",
        Outcome::Failed(_) => "failed",
        Outcome::Skipped(_) => "skipped",
    }
}

fn elapsed_ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether a post-commit run has nothing to do, decided before anything is loaded: git runs
/// the hook after every commit, and only a partial commit's record left by the pre-commit run
/// (under the git dir that holds the index git names in GIT_INDEX_FILE) or the user's own
/// post-commit hook kept aside at install gives it work. Unsure (no GIT_INDEX_FILE, no hooks folder) is not idle.
pub fn post_commit_idle(hook: &Path) -> bool {
    let Some(index) = std::env::var_os("GIT_INDEX_FILE") else {
        return false;
    };
    let (Some(git_dir), Some(hooks_dir)) = (Path::new(&index).parent(), hook.parent()) else {
        return false;
    };
    if hooks_dir.as_os_str().is_empty() || crate::build_number::post_commit_has_work(git_dir) {
        return false;
    }
    legacy_hooks(hooks_dir, Stage::PostCommit.name()).is_empty()
}

/// The user's hooks kept aside by install: `<name>.legacy`, then `<name>.legacy.2`, ...
pub fn legacy_hooks(hooks_dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(hooks_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            let rest = file.strip_prefix(name)?.strip_prefix(".legacy")?;
            let n = if rest.is_empty() {
                1
            } else {
                rest.strip_prefix('.')?.parse().ok()?
            };
            Some((n, e.path()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

fn run_legacy(path: &Path, args: &[OsString], root: &Path) -> Result<Outcome> {
    let status = Command::new(path)
        .args(args)
        .current_dir(root)
        .env(IN_HOOK_VAR, "1")
        .status()
        .map_err(|e| Error::Hook {
            hook: file_name(path),
            message: format!("cannot run it: {e} (is it executable? chmod +x {})", path.display()),
        })?;
    Ok(if status.success() {
        Outcome::Ok(Vec::new())
    } else {
        Outcome::Failed(format!(
            "your own hook {} (kept aside by mpm-hooks install) failed with {status}",
            path.display()
        ))
    })
}
