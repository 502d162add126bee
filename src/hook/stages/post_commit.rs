//! `post-commit`: runs after git made the commit and wrote the real index; it cannot change
//! the commit. After a partial commit it brings the real index in line with what was
//! committed. Linked on demand: only a partial commit whose hooks changed the index gives it
//! work, so install leaves it out and the pre-commit stage links it the first time.

use std::ffi::OsString;
use std::ops::RangeInclusive;
use std::path::Path;

use super::super::{Outcome, StageSpec, Step, StepInput, StepReport, legacy_hooks, steps};
use crate::error::Result;

pub struct PostCommit;

impl StageSpec for PostCommit {
    fn name(&self) -> &'static str {
        "post-commit"
    }

    fn args(&self) -> RangeInclusive<usize> {
        0..=0
    }

    fn steps(&self) -> &'static [Step] {
        &[steps::sync_index::STEP]
    }

    fn on_demand(&self) -> bool {
        true
    }

    fn idle(&self, hook: &Path, _args: &[OsString]) -> bool {
        idle(hook)
    }

    /// A step that had nothing to do says nothing.
    fn around(
        &self,
        _input: &StepInput<'_>,
        run: &mut dyn FnMut() -> Result<Vec<StepReport>>,
    ) -> Result<Vec<StepReport>> {
        let mut reports = run()?;
        reports.retain(|s| {
            !(s.name == steps::sync_index::STEP.name && matches!(&s.outcome, Outcome::Ok(n) if n.is_empty()))
        });
        Ok(reports)
    }
}

/// Whether a post-commit run has nothing to do, decided before anything is loaded: git runs
/// the hook after every commit, and only a partial commit's record left by the pre-commit run
/// (under the git dir that holds the index git names in GIT_INDEX_FILE) or the user's own
/// post-commit hook kept aside at install gives it work. Unsure (no GIT_INDEX_FILE, no hooks
/// folder) is not idle.
fn idle(hook: &Path) -> bool {
    let Some(index) = crate::config::GitEnv::from_process().index_file else {
        return false;
    };
    let (Some(git_dir), Some(hooks_dir)) = (Path::new(&index).parent(), hook.parent()) else {
        return false;
    };
    if hooks_dir.as_os_str().is_empty() || steps::build_number::post_commit_has_work(git_dir) {
        return false;
    }
    legacy_hooks(hooks_dir, PostCommit.name()).is_empty()
}
