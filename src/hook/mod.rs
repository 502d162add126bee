//! The hook layer. Every way in (argv[0] = a hook name, `mpm-hooks run`, the shims, the
//! pre-commit framework) ends in [`run`]. A stage ([`stages`], one file each) is a list of
//! steps plus what it does around them; a step ([`steps`], one file each) adapts a pure part
//! (the checks, the secret scanner, the build number, the commit-message rules) to what git
//! hands the hook. The domain modules know nothing of hooks.
//!
//! Adding a stage: a file under `stages/` implementing [`StageSpec`], and one line each in
//! [`Stage`], [`Stage::ALL`] and [`Stage::spec`].

mod input;
mod legacy;
pub mod stages;
pub mod steps;

use std::any::Any;
use std::ffi::OsString;
use std::ops::RangeInclusive;
use std::path::Path;
use std::time::Instant;

pub use input::{FileSet, StepInput};
pub use legacy::legacy_hooks;

use crate::Context;
use crate::config::LogLevel;
use crate::error::{Error, Result};

/// The stages mpm-hooks runs, one per git hook: the registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    PreCommit,
    PrepareCommitMsg,
    CommitMsg,
    /// Runs after git has made the commit and written the real index; it cannot change the
    /// commit. It brings the real index in line after a partial commit.
    PostCommit,
    PrePush,
}

impl Stage {
    /// Every stage, each a hook that install links.
    pub const ALL: [Stage; 5] = [
        Stage::PreCommit,
        Stage::PrepareCommitMsg,
        Stage::CommitMsg,
        Stage::PostCommit,
        Stage::PrePush,
    ];

    fn spec(self) -> &'static dyn StageSpec {
        match self {
            Stage::PreCommit => &stages::pre_commit::PreCommit,
            Stage::PrepareCommitMsg => &stages::prepare_commit_msg::PrepareCommitMsg,
            Stage::CommitMsg => &stages::commit_msg::CommitMsg,
            Stage::PostCommit => &stages::post_commit::PostCommit,
            Stage::PrePush => &stages::pre_push::PrePush,
        }
    }

    pub fn from_hook_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == name)
    }

    /// git's name for the hook.
    pub fn name(self) -> &'static str {
        self.spec().name()
    }

    /// Linked only when needed (see [`StageSpec::on_demand`]).
    pub fn on_demand(self) -> bool {
        self.spec().on_demand()
    }

    /// Whether git's run of this hook (at `hook`, with `args`) has nothing to do, decided before
    /// anything is loaded ([`StageSpec::idle`]).
    pub fn idle(self, hook: &Path, args: &[OsString]) -> bool {
        self.spec().idle(hook, args)
    }

    /// Whether the stage only helps and may never stop git ([`StageSpec::advisory`]).
    pub fn advisory(self) -> bool {
        self.spec().advisory()
    }

    /// The names of its steps, in order.
    pub fn step_names(self) -> Vec<&'static str> {
        self.spec().steps().iter().map(|s| s.name).collect()
    }
}

/// What a stage is: git's hook name and arguments, its steps, and what it does around them.
pub trait StageSpec: Sync {
    fn name(&self) -> &'static str;

    /// How many arguments git passes this hook.
    fn args(&self) -> RangeInclusive<usize>;

    /// Whether named steps may be handed file names instead (the pre-commit framework's
    /// `pass_filenames`).
    fn takes_files(&self) -> bool {
        false
    }

    fn steps(&self) -> &'static [Step];

    /// Install leaves the hook out; the stage is linked the first time it has work.
    fn on_demand(&self) -> bool {
        false
    }

    /// A hook git runs for every commit may know from its path and arguments alone that it has
    /// no work: then the binary exits before loading the configuration or the repository.
    fn idle(&self, hook: &Path, args: &[OsString]) -> bool {
        let _ = (hook, args);
        false
    }

    /// A stage that only helps (a suggestion) must not stop git when it cannot run (git runs
    /// prepare-commit-msg even for `git commit --no-verify`): its error is said and it passes.
    fn advisory(&self) -> bool {
        false
    }

    /// Runs the steps (`steps` runs the user's kept hook, then every step, in order); a stage with work before or after
    /// them (a record for a later stage, undoing what a stopped commit left) wraps the call.
    fn around(
        &self,
        input: &StepInput<'_>,
        steps: &mut dyn FnMut() -> Result<Vec<StepReport>>,
    ) -> Result<Vec<StepReport>> {
        let _ = input;
        steps()
    }
}

/// What a step started before the stage's first step ran (a read-ahead on another thread),
/// handed back to it when it runs; dropped unused when a step before it errs.
pub type Started = Option<Box<dyn Any>>;

pub struct Step {
    pub name: &'static str,
    /// Starts work that does not need the staged view, before the first step runs.
    pub start: Option<fn(&StepInput<'_>) -> Result<Started>>,
    pub run: fn(&StepInput<'_>, Started) -> Result<Outcome>,
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

impl Outcome {
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Failed(_) => "failed",
            Outcome::Skipped(_) => "skipped",
        }
    }
}

#[derive(Debug, Clone)]
pub struct StepReport {
    pub name: String,
    pub outcome: Outcome,
    pub millis: f64,
}

impl StepReport {
    pub fn timed(name: impl Into<String>, started: Instant, outcome: Outcome) -> StepReport {
        StepReport {
            name: name.into(),
            outcome,
            millis: started.elapsed().as_secs_f64() * 1000.0,
        }
    }
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
    /// What the steps look at: the commit under way, or (no commit under way, nothing staged or
    /// written) every tracked file or a range of commits.
    pub files: FileSet,
}

/// Runs one stage: first the user's own hook kept aside at install (same arguments, stdin
/// inherited, a failure fails the stage), then its steps in order.
pub fn run(ctx: &Context, stage: Stage, args: &[OsString], opts: &Options) -> Result<Report> {
    let spec = stage.spec();
    let framework_args = input::framework_args(stage, args, &ctx.env.framework);
    let args = framework_args.as_deref().unwrap_or(args);
    let named_files = spec.takes_files() && !opts.only.is_empty();
    if !spec.args().contains(&args.len()) && !named_files {
        let (lo, hi) = (spec.args().start().to_owned(), spec.args().end().to_owned());
        let wanted = if lo == hi {
            lo.to_string()
        } else {
            format!("{lo} to {hi}")
        };
        return Err(Error::Usage {
            message: format!(
                "the {} hook takes {wanted} argument(s) from git, got {}",
                stage.name(),
                args.len()
            ),
        });
    }
    if let Some(unknown) = opts
        .only
        .iter()
        .find(|o| !spec.steps().iter().any(|s| s.name == o.as_str()))
    {
        return Err(Error::Usage {
            message: format!(
                "the {} stage has no step `{unknown}`; its steps: {}",
                stage.name(),
                stage.step_names().join(", ")
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
    let skip_all = if ctx.env.disabled {
        Some("MPM_HOOKS=0".to_string())
    } else if ctx.env.skips(stage.name()) {
        Some(format!("SKIP={}", stage.name()))
    } else {
        None
    };
    let input = StepInput::new(ctx, repo, args, opts.dry_run).with_files(&opts.files)?;
    let selected: Vec<&Step> = spec
        .steps()
        .iter()
        .filter(|s| opts.only.is_empty() || opts.only.iter().any(|o| o == s.name))
        .collect();
    let mut run_steps = || -> Result<Vec<StepReport>> {
        let mut out = Vec::with_capacity(selected.len());
        // The pre-commit framework runs the hooks it kept aside (also `<name>.legacy`) itself.
        if opts.only.is_empty() && !ctx.env.framework.running {
            for kept in legacy_hooks(&repo.hooks_dir().0, stage.name()) {
                let began = Instant::now();
                // The user's own hook expects git's hook: with no commit under way it stays out.
                let outcome = if input.files.is_commit() {
                    legacy::run(&kept, args, &repo.root, input.stdin())?
                } else {
                    Outcome::Skipped("not a commit".into())
                };
                out.push(StepReport::timed(legacy::file_name(&kept), began, outcome));
            }
        }
        let skipped = |step: &Step| match &skip_all {
            Some(why) => Some(why.clone()),
            None if ctx.env.skips(step.name) => Some(format!("SKIP={}", step.name)),
            None => None,
        };
        // Work that does not need the staged view starts first, for every step that will run.
        let mut started = Vec::with_capacity(selected.len());
        for step in &selected {
            started.push(match (step.start, skipped(step)) {
                (Some(start), None) => start(&input)?,
                _ => None,
            });
        }
        for (step, ahead) in selected.iter().zip(started) {
            let began = Instant::now();
            let outcome = match skipped(step) {
                Some(why) => Outcome::Skipped(why),
                None => (step.run)(&input, ahead)?,
            };
            out.push(StepReport::timed(step.name, began, outcome));
        }
        Ok(out)
    };
    let steps = spec.around(&input, &mut run_steps)?;
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
                .map(|s| format!("{}={} ({:.1} ms)", s.name, s.outcome.word(), s.millis))
                .collect();
            format!("{} [{}]: {}", stage.name(), input.git_state.name(), steps.join(", "))
        },
    );
    Ok(report)
}

/// Whether any of `steps` failed.
fn any_failed(steps: &[StepReport]) -> bool {
    steps.iter().any(|s| matches!(s.outcome, Outcome::Failed(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configs_stage_names_are_the_stages() {
        let names: Vec<&str> = Stage::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names, crate::config::STAGE_NAMES);
        let on_demand: Vec<&str> = Stage::ALL.iter().filter(|s| s.on_demand()).map(|s| s.name()).collect();
        assert_eq!(on_demand, crate::config::ON_DEMAND_STAGES);
    }
}
