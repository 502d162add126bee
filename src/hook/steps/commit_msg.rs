//! The commit-msg step: the message file git hands the hook, cleaned up as git will clean it
//! for this repository, then the rules.

use std::path::Path;

use crate::conventional::{check_bytes, cleanup, comment_string, hook_cleanup, render};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::hook::{Outcome, Started, Step, StepInput};

pub const STEP: Step = Step {
    name: "commit-msg",
    start: None,
    run,
};

/// The commit-msg step: git's cleanup, then the rules.
fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let path = Path::new(&input.args[0]);
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        input.repo.root.join(path)
    };
    let raw = std::fs::read(&full).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&raw);
    let comment_cfg = input.repo.comment_setting();
    let comment = comment_string(comment_cfg.as_deref(), &text);
    let mode = hook_cleanup(input.repo.config_string("commit.cleanup").as_deref(), &text, &comment);
    let cfg = &input.ctx.config.config.commit_msg;
    let verdict = check_bytes(&raw, mode, comment_cfg.as_deref(), cfg);
    if verdict.valid {
        let notes = verdict
            .warnings
            .iter()
            .map(|w| format!("warning: {}: {}", w.rule, w.message))
            .collect();
        Ok(Outcome::Ok(notes))
    } else {
        // git's file keeps the template, and with `git commit -v` the diff below the scissors
        // line: reopened with `-F`, that diff would become part of the message. The message is
        // saved cleaned as git would clean it, in a file of our own.
        let saved = save_rejected(
            input.repo,
            &cleanup(&text, mode, &comment),
            input.ctx.ws.scratch_dir().as_deref(),
        )
        .unwrap_or_else(|_| path.to_path_buf());
        Ok(Outcome::Failed(render(&verdict, cfg, Some(&saved.to_string_lossy()))))
    }
}

/// Where a rejected message is kept for `git commit -e -F`: this worktree's git dir.
pub const REJECTED_FILE: &str = "mpm-hooks/rejected-msg";

/// Saves a rejected message (already cleaned) to [`REJECTED_FILE`] and returns the path to give
/// the user: relative to the work tree's top when it lies under it.
pub fn save_rejected(repo: &Repo, cleaned: &str, scratch: Option<&Path>) -> Result<std::path::PathBuf> {
    let path = repo.git_dir.join(REJECTED_FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    crate::fs::write_atomic(&path, cleaned.as_bytes(), scratch)?;
    let root = repo.root.canonicalize().unwrap_or_else(|_| repo.root.clone());
    let real = path.canonicalize().unwrap_or_else(|_| path.clone());
    Ok(real.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(real))
}
