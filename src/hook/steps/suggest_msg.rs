//! The prepare-commit-msg step `suggest-msg`: when git opens the editor on a new message, the
//! header suggested from the staged paths and the branch goes above what git prepared, as a
//! comment or pre-filled (`[commit_msg] prepare`).

use std::path::Path;

use crate::config::PrepareMode;
use crate::conventional::suggest::{prepare, suggest};
use crate::conventional::{Cleanup, comment_string};
use crate::error::{Error, Result};
use crate::hook::{Outcome, Started, Step, StepInput};

pub const STEP: Step = Step {
    name: "suggest-msg",
    start: None,
    run,
};

/// git's second argument: where the message comes from. Only a message the user is about to
/// write (none, or `template`) gets a suggestion; `-m`/`-F` (message), a merge, a squash and
/// `-c`/`-C`/`--amend` (commit) are left as they are.
pub fn suggests_for(source: Option<&str>) -> bool {
    matches!(source, None | Some("" | "template"))
}

fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let cfg = &input.ctx.config.config.commit_msg;
    if cfg.prepare == PrepareMode::Off {
        return Ok(Outcome::Skipped("[commit_msg] prepare = \"off\"".into()));
    }
    let source = input.args.get(1).map(|s| s.to_string_lossy());
    if !suggests_for(source.as_deref()) {
        return Ok(Outcome::Skipped(format!(
            "the message comes from git ({})",
            source.unwrap_or_default()
        )));
    }
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
    // A file that is not UTF-8 (an i18n.commitEncoding template) is left as git wrote it.
    let Ok(text) = std::str::from_utf8(&raw) else {
        return Ok(Outcome::Skipped("the message file is not UTF-8".into()));
    };
    let repo = input.repo;
    let comment_cfg = repo.comment_setting();
    let comment = comment_string(comment_cfg.as_deref(), text);
    // git strips comment lines unless commit.cleanup keeps them (its default strips them when
    // the editor opens, which is when this step writes).
    let keeps_comments = matches!(
        repo.config_string("commit.cleanup").as_deref().and_then(Cleanup::parse),
        Some(Cleanup::Whitespace | Cleanup::Scissors | Cleanup::Verbatim)
    );
    // Only the names count: no patch is read. A conflict leaves nothing to describe yet.
    let staged = input.staged_paths()?;
    if staged.unmerged {
        return Ok(Outcome::Skipped("the index holds a conflict".into()));
    }
    let branch = repo.branch().ok().flatten();
    let suggestion = suggest(staged.paths.iter().map(String::as_str), branch.as_deref(), cfg);
    let Some(prepared) = prepare(text, &suggestion, cfg.prepare, &comment, keeps_comments, cfg) else {
        return Ok(Outcome::Ok(Vec::new()));
    };
    let note = match suggestion.header() {
        Some(h) => format!("suggested `{}`", h.trim_end()),
        None => "listed the allowed types".into(),
    };
    // Atomic, not synced: git writes this file itself without a sync and rewrites it on every
    // commit; the sync would cost more than the rest of the step.
    if !input.dry_run {
        crate::fs::write_atomic_unsynced(&full, prepared.as_bytes(), input.ctx.ws.scratch_dir().as_deref())?;
    }
    Ok(Outcome::Ok(vec![note]))
}

#[cfg(test)]
mod tests {
    use super::suggests_for;

    #[test]
    fn only_a_message_the_user_writes_gets_a_suggestion() {
        for (source, yes) in [
            (None, true),
            (Some("template"), true),
            (Some("message"), false),
            (Some("merge"), false),
            (Some("squash"), false),
            (Some("commit"), false),
        ] {
            assert_eq!(suggests_for(source), yes, "{source:?}");
        }
    }
}
