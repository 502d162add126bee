//! `pre-commit`: the configured checks, the secret scan of the staged added lines, and the
//! BUILD_NUMBER increment, on what is about to be committed.

use std::ops::RangeInclusive;

use super::super::{StageSpec, Step, StepInput, StepReport, any_failed, steps};
use crate::error::Result;
use crate::git;
use crate::hook::Stage;

pub struct PreCommit;

impl StageSpec for PreCommit {
    fn name(&self) -> &'static str {
        "pre-commit"
    }

    fn args(&self) -> RangeInclusive<usize> {
        0..=0
    }

    fn takes_files(&self) -> bool {
        true
    }

    fn steps(&self) -> &'static [Step] {
        &[steps::checks::STEP, steps::secrets::STEP, steps::build_number::STEP]
    }

    /// In a partial commit (`git commit PATH`), what the hooks stage reaches the commit but not
    /// the real index, which git holds locked meanwhile: the entries they change are recorded
    /// for the post-commit stage. Only there is the temporary index read whole, twice. A commit
    /// that stops here does not keep its increment.
    fn around(
        &self,
        input: &StepInput<'_>,
        run: &mut dyn FnMut() -> Result<Vec<StepReport>>,
    ) -> Result<Vec<StepReport>> {
        let repo = input.repo;
        let index = repo.index_path();
        let partial = (!input.dry_run && git::is_partial_commit_index(&index))
            .then(|| git::index_ids(&index).ok())
            .flatten();
        let mut reports = run()?;
        let failed = any_failed(&reports);
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
            steps::build_number::record_restaged(repo, input.ctx.ws.scratch_dir().as_deref(), changed)?;
            // The post-commit stage brings the real index in line after this commit: linked now,
            // the first time a partial commit needs it (git looks for the hook when it runs it).
            if steps::build_number::post_commit_has_work(&repo.git_dir) {
                crate::install::link_on_demand(repo, Stage::PostCommit)?;
            }
        }
        if failed {
            super::undo_increment(input, &mut reports);
        }
        Ok(reports)
    }
}
