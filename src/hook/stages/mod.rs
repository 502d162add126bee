//! One file per stage.

pub mod commit_msg;
pub mod post_commit;
pub mod pre_commit;
pub mod pre_push;
pub mod prepare_commit_msg;

use std::time::Instant;

use super::{Outcome, StepInput, StepReport, steps};
use crate::config::LogLevel;

/// The commit stops here (a step failed or the message was rejected): the BUILD_NUMBER
/// increment made for it is undone, and the report says so.
fn undo_increment(input: &StepInput<'_>, reports: &mut Vec<StepReport>) {
    if !input.writes() {
        return;
    }
    let began = Instant::now();
    match steps::build_number::abandon(input.repo, input.ctx.ws.scratch_dir().as_deref()) {
        Ok(notes) if notes.is_empty() => {}
        Ok(notes) => reports.push(StepReport::timed("build-number", began, Outcome::Ok(notes))),
        Err(e) => input.ctx.log.log(LogLevel::Warn, || {
            format!("cannot undo the BUILD_NUMBER increment: {e}")
        }),
    }
}
