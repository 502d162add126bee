//! The pre-commit step `secrets`: the lines the staged change adds, through the scanner; files
//! the pre-commit framework names with nothing staged are scanned whole.

use crate::error::Result;
use crate::hook::{Outcome, Started, Step, StepInput};
use crate::scan;
use crate::secrets::{Scanner, report};

pub const STEP: Step = Step {
    name: "secrets",
    start: None,
    run,
};

fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let root = &input.repo.root;
    let scanner = Scanner::new(&input.ctx.config.config.secrets, root)?.with_baseline(report::load_baseline(root)?);
    let outcome = if input.args.is_empty() {
        scan::staged(&scanner, input.staged()?)
    } else {
        scan::named(&scanner, input.staged()?, root, input.args)?
    };
    let skipped: Vec<String> = outcome
        .skipped
        .iter()
        .map(|s| format!("skipped {}: {}", s.path, s.reason))
        .collect();
    if outcome.findings.is_empty() {
        return Ok(Outcome::Ok(skipped));
    }
    Ok(Outcome::Failed(report::text(
        &outcome.findings,
        &outcome.skipped,
        true,
        &report::accept_command(&outcome.findings),
    )))
}
