//! `prepare-commit-msg`: before git opens the editor on a new message, a header suggested from
//! the staged change and the branch. What the user saves still goes through commit-msg.

use std::ops::RangeInclusive;

use super::super::{Outcome, StageSpec, Step, StepInput, StepReport, steps};
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
