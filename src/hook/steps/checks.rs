//! The pre-commit step `checks`: the configured checks of the pre-commit tier on the staged
//! files, with the unstaged changes set aside meanwhile and put back byte for byte. With no
//! commit under way (every tracked file, a range) they check the work tree's files: no fixer
//! runs, nothing is set aside or staged.

use std::ffi::OsString;

use crate::checks::{self, CheckResult, Stash, Status};
use crate::config::Tier;
use crate::error::Result;
use crate::hook::{Outcome, Started, Step, StepInput};

pub const STEP: Step = Step {
    name: "checks",
    start: None,
    run,
};

/// The pre-commit step `checks`: the pre-commit tier on the staged files.
fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let cfg = &input.ctx.config.config;
    let selected = checks::of_tier(&cfg.check, Tier::PreCommit);
    if selected.is_empty() {
        return Ok(Outcome::Skipped("no checks configured".into()));
    }
    if !input.files.is_commit() {
        return check_only(input, &selected);
    }
    let repo = input.repo;
    let view = input.staged()?;
    let staged: Vec<OsString> = view
        .files
        .iter()
        .filter(|f| f.status != 'D')
        .map(|f| crate::git::path_from_bytes(&f.raw_path).into_os_string())
        .collect();
    if input.dry_run {
        let names: Vec<&str> = selected.iter().map(|c| c.name.as_str()).collect();
        return Ok(Outcome::Ok(vec![format!(
            "would run {} on {} staged file(s)",
            names.join(", "),
            staged.len()
        )]));
    }
    // Restores when dropped too: a panic or an early return puts the work back.
    let stash = Stash::save(repo)?;
    let env = &input.ctx.env;
    let autofix = cfg.checks.autofix.then_some(repo);
    let results = checks::run(
        &selected,
        &staged,
        &repo.root,
        cfg.checks.jobs,
        &|name| env.skips(name),
        autofix,
    );
    let before = |path: &[u8]| {
        view.files
            .iter()
            .find(|f| f.raw_path == path && f.status != 'D')
            .map(|f| (f.new_mode, f.new_blob.clone()))
    };
    let restored = stash.map(|s| s.restore(&before)).transpose();
    let results = results?;
    let restored = restored?.unwrap_or_default();
    if !restored.rolled_back.is_empty() {
        let files = restored.rolled_back.join(", ");
        let mut results = results;
        for r in &mut results {
            r.fixed.retain(|f| !restored.rolled_back.contains(f));
        }
        let mut text = match summarize(&results) {
            Outcome::Ok(lines) => lines[1..].join("\n"),
            Outcome::Failed(text) => text,
            Outcome::Skipped(_) => String::new(),
        };
        text.push_str(&format!(
            "\n\na fixer changed lines next to your unstaged changes in {files}: its changes to {} were rolled back (in the index and the work tree) and your unstaged changes are back exactly as they were. Run `mpm-hooks fix` to apply the fixers to your work tree, review the result, stage it and commit again.",
            if restored.rolled_back.len() == 1 { "that file" } else { "those files" }
        ));
        return Ok(Outcome::Failed(text));
    }
    Ok(summarize(&results))
}

/// No commit under way: the checks on the listed files as the work tree has them, in check
/// mode (a check with a `fix` is only checked); nothing is set aside or staged.
fn check_only(input: &StepInput<'_>, selected: &[&crate::config::Check]) -> Result<Outcome> {
    let files = input.listed()?;
    if input.dry_run {
        let names: Vec<&str> = selected.iter().map(|c| c.name.as_str()).collect();
        return Ok(Outcome::Ok(vec![format!(
            "would run {} on {} file(s)",
            names.join(", "),
            files.len()
        )]));
    }
    let (root, env) = (&input.repo.root, &input.ctx.env);
    let jobs = input.ctx.config.config.checks.jobs;
    let results = checks::run(selected, files, root, jobs, &|name| env.skips(name), None)?;
    Ok(match summarize(&results) {
        Outcome::Ok(mut notes) => {
            notes[0] = format!("{} check(s) on {} file(s)", results.len(), files.len());
            Outcome::Ok(notes)
        }
        other => other,
    })
}

fn summarize(results: &[CheckResult]) -> Outcome {
    let mut notes = Vec::new();
    for r in results {
        let word = r.status.word();
        let mut line = format!("{:<14} {word:<7} {:>7.1} ms", r.name, r.millis);
        if let Some(n) = &r.note
            && r.status == Status::Skipped
        {
            line.push_str(&format!(" ({n})"));
        }
        if !r.fixed.is_empty() {
            line.push_str(&format!("  fixed and re-staged: {}", r.fixed.join(", ")));
        }
        notes.push(line);
    }
    let mut changed: Vec<&str> = results
        .iter()
        .flat_map(|r| r.fixed.iter().map(String::as_str))
        .collect();
    changed.sort_unstable();
    changed.dedup();
    if !changed.is_empty() {
        notes.push(format!(
            "the fixers changed (and staged) edits you did not make in: {}",
            changed.join(", ")
        ));
    }
    let failed: Vec<&CheckResult> = results.iter().filter(|r| r.status == Status::Failed).collect();
    if failed.is_empty() {
        let summary = format!("{} check(s)", results.len());
        return Outcome::Ok(std::iter::once(summary).chain(notes).collect());
    }
    let mut text = notes.join("\n");
    for r in failed {
        text.push_str(&format!("\n\n--- {} ---\n", r.name));
        match &r.note {
            Some(n) => text.push_str(n),
            None => text.push_str(r.output.trim_end()),
        }
    }
    Outcome::Failed(text)
}
