//! The pre-commit step `secrets`: the lines the staged change adds, through the scanner; files
//! the pre-commit framework names with nothing staged are scanned whole. With no commit under
//! way: every tracked file whole, or every line the commits of a range add.

use crate::error::Result;
use crate::hook::{FileSet, Outcome, Started, Step, StepInput};
use crate::scan;
use crate::secrets::{Scanner, report};

pub const STEP: Step = Step {
    name: "secrets",
    start: None,
    run,
};

fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let root = &input.repo.root;
    let cfg = &input.ctx.config.config.secrets;
    let scanner = match input.files {
        FileSet::Staged => Scanner::new(cfg, root)?,
        FileSet::All | FileSet::Range { .. } => Scanner::for_bulk(cfg, root)?,
    };
    let scanner = scanner.with_baseline(report::load_baseline(root)?);
    // A range is scanned as history: the lines its commits add, each finding with its commit.
    // Scanning the changed files whole would blame the range for secrets already there before
    // it, and miss one a commit added and a later one removed (it is still in the pushed
    // history).
    let (outcome, accept) = match &input.files {
        FileSet::Staged if input.args.is_empty() => (scan::staged(&scanner, input.staged()?), None),
        FileSet::Staged => (scan::named(&scanner, input.staged()?, root, input.args)?, None),
        FileSet::All => (scan::whole(&scanner, root, input.listed()?)?, None),
        FileSet::Range { from, to } => {
            let range = format!("{from}..{to}");
            let outcome = scan::history(&scanner, input.repo, &range, None, None, &mut |_, _| {})?;
            let accept = format!("mpm-hooks scan --history {range} --update-baseline");
            (outcome, Some(accept))
        }
    };
    let mut notes: Vec<String> = outcome
        .skipped
        .iter()
        .map(|s| format!("skipped {}: {}", s.path, s.reason))
        .collect();
    if let FileSet::Range { .. } = input.files {
        notes.insert(0, format!("{} commit(s)", outcome.commits));
    }
    if outcome.findings.is_empty() {
        return Ok(Outcome::Ok(notes));
    }
    let accept = accept.unwrap_or_else(|| report::accept_command(&outcome.findings));
    Ok(Outcome::Failed(report::text(
        &outcome.findings,
        &outcome.skipped,
        true,
        &accept,
    )))
}
