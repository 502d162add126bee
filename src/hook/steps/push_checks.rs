//! The pre-push step `checks`: the configured checks of tier `pre-push` on the files the pushed
//! commits change, as they are in the work tree (files since deleted are left out). Nothing is
//! fixed: a push sends commits, not the work tree.

use std::ffi::OsString;

use crate::checks::{self, Status};
use crate::config::Tier;
use crate::error::Result;
use crate::hook::{Outcome, Started, Step, StepInput};

pub const STEP: Step = Step {
    name: "checks",
    start: None,
    run,
};

fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let cfg = &input.ctx.config.config;
    let selected = checks::of_tier(&cfg.check, Tier::PrePush);
    if selected.is_empty() {
        return Ok(Outcome::Skipped("no checks of tier pre-push configured".into()));
    }
    let pushed = input.pushed()?;
    let ids: Vec<String> = pushed.commits.iter().map(|c| c.id.clone()).collect();
    let root = &input.repo.root;
    let files: Vec<OsString> = input
        .repo
        .changed_paths(&ids)?
        .into_iter()
        .filter(|p| root.join(p).is_file())
        .map(OsString::from)
        .collect();
    if files.is_empty() {
        return Ok(Outcome::Ok(vec!["no changed file in the work tree".into()]));
    }
    let names: Vec<&str> = selected.iter().map(|c| c.name.as_str()).collect();
    if input.dry_run {
        return Ok(Outcome::Ok(vec![format!(
            "would run {} on {} file(s)",
            names.join(", "),
            files.len()
        )]));
    }
    let env = &input.ctx.env;
    let results = checks::run(&selected, &files, root, cfg.checks.jobs, &|name| env.skips(name), None)?;
    let mut text = String::new();
    for r in results.iter().filter(|r| r.status == Status::Failed) {
        text.push_str(&format!("--- {} ---\n", r.name));
        text.push_str(r.note.as_deref().unwrap_or(r.output.trim_end()));
        text.push('\n');
    }
    if text.is_empty() {
        return Ok(Outcome::Ok(vec![format!(
            "{} check(s) on {} file(s)",
            results.len(),
            files.len()
        )]));
    }
    Ok(Outcome::Failed(text))
}
