//! `prepare-commit-msg`: before git opens the editor on a new message, a header suggested from
//! the staged change and the branch. What the user saves still goes through commit-msg.

use std::ffi::OsString;
use std::ops::RangeInclusive;
use std::path::Path;

use super::super::{Outcome, StageSpec, Step, StepInput, StepReport, legacy_hooks, steps};
use crate::error::Result;

pub struct PrepareCommitMsg;

impl StageSpec for PrepareCommitMsg {
    fn name(&self) -> &'static str {
        "prepare-commit-msg"
    }

    /// The message file, then where the message comes from and, for `commit`, its object.
    fn args(&self) -> RangeInclusive<usize> {
        1..=3
    }

    fn steps(&self) -> &'static [Step] {
        &[steps::suggest_msg::STEP]
    }

    fn idle(&self, hook: &Path, args: &[OsString]) -> bool {
        idle(hook, args)
    }

    fn advisory(&self) -> bool {
        true
    }

    /// It runs before the editor opens, on every commit: it says nothing unless something
    /// failed or the user asked (`-v`); the log keeps the record.
    fn around(
        &self,
        input: &StepInput<'_>,
        run: &mut dyn FnMut() -> Result<Vec<StepReport>>,
    ) -> Result<Vec<StepReport>> {
        let mut reports = run()?;
        if !input.ctx.env.verbose {
            reports.retain(|s| matches!(s.outcome, Outcome::Failed(_)));
        }
        Ok(reports)
    }
}

/// Whether a run by git has nothing to do, decided before anything is loaded: git runs this hook
/// for every commit, `-m` and `-F` ones included, where the message comes from git (`message`,
/// `merge`, `squash`, `commit`) and no suggestion is made; only the user's own hook kept aside at
/// install would still have work. `hook` is git's path to the hook, `args` git's arguments.
fn idle(hook: &Path, args: &[OsString]) -> bool {
    let source = args.get(1).map(|s| s.to_string_lossy());
    if steps::suggest_msg::suggests_for(source.as_deref()) {
        return false;
    }
    match hook.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => legacy_hooks(dir, PrepareCommitMsg.name()).is_empty(),
        _ => false,
    }
}
