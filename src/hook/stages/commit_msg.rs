//! `commit-msg`: the message git is about to commit, checked as commitlint's
//! config-conventional checks it.

use std::ops::RangeInclusive;

use super::super::{StageSpec, Step, StepInput, StepReport, any_failed, steps};
use crate::error::Result;

pub struct CommitMsg;

impl StageSpec for CommitMsg {
    fn name(&self) -> &'static str {
        "commit-msg"
    }

    fn args(&self) -> RangeInclusive<usize> {
        1..=1
    }

    fn steps(&self) -> &'static [Step] {
        &[steps::commit_msg::STEP]
    }

    /// A rejected message stops the commit: the increment the pre-commit stage made is undone.
    fn around(
        &self,
        input: &StepInput<'_>,
        run: &mut dyn FnMut() -> Result<Vec<StepReport>>,
    ) -> Result<Vec<StepReport>> {
        let mut reports = run()?;
        if any_failed(&reports) {
            super::undo_increment(input, &mut reports);
        }
        Ok(reports)
    }
}
