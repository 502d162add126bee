//! The post-commit step `sync-index`: after a partial commit, the real index (which git writes
//! apart from the commit) gets what the hooks staged into the commit.

use super::build_number::Pending;
use crate::error::Result;
use crate::git::blob_id;
use crate::hook::{Outcome, Started, Step, StepInput};
use crate::version::{self, BUILD_FILE};

pub const STEP: Step = Step {
    name: "sync-index",
    start: None,
    run,
};

/// The post-commit step: after a partial commit, the real index (which git wrote apart from
/// the commit) gets what the hooks staged into the commit, where it still holds what they
/// started from; BUILD_NUMBER in the real index and the work tree is brought to HEAD's
/// where it still holds a number the pre-commit step wrote or started from.
fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let repo = input.repo;
    let Some(pending) = Pending::load(repo) else {
        return Ok(Outcome::Ok(Vec::new()));
    };
    if input.dry_run {
        return Ok(Outcome::Ok(Vec::new()));
    }
    let Some(head) = repo.head_commit()? else {
        Pending::clear(repo);
        return Ok(Outcome::Ok(Vec::new()));
    };
    // What it writes (BUILD_NUMBER, the index entries) is written under the version lock.
    let _lock = version::lock(&repo.git_dir)?;
    let mut notes = Vec::new();
    for (path, before, after) in &pending.restaged {
        let Some(committed) = repo.file_at(head, path)? else {
            continue;
        };
        if blob_id(&committed).to_string() != *after {
            continue;
        }
        let entry = repo.index_entry(path)?;
        let staged = entry.id().map(|i| i.to_string());
        if staged.as_ref() == before.as_ref() && staged.as_deref() != Some(after.as_str()) {
            entry.stage(&committed)?;
            notes.push(format!(
                "{path}: staged as committed (the hooks changed it in a partial commit)"
            ));
        }
    }
    if let (Some(old), Some(new)) = (&pending.old, &pending.new)
        && let Some(committed) = repo.file_at(head, BUILD_FILE)?
    {
        let ours = [blob_id(old.as_bytes()), blob_id(new.as_bytes())];
        let committed_id = blob_id(&committed);
        let entry = repo.index_entry(BUILD_FILE)?;
        if let Some(id) = entry.id()
            && id != committed_id
            && ours.contains(&id)
        {
            entry.stage(&committed)?;
            notes.push(format!(
                "BUILD_NUMBER staged as committed: {}",
                String::from_utf8_lossy(&committed).trim()
            ));
        }
        let path = repo.root.join(BUILD_FILE);
        if let Some(work) = crate::fs::read_optional(&path)?
            && work.as_bytes() != committed.as_slice()
            && (work == *old || work == *new)
        {
            crate::fs::write_atomic_unsynced(&path, &committed, input.ctx.ws.scratch_dir().as_deref())?;
        }
    }
    Pending::clear(repo);
    Ok(Outcome::Ok(notes))
}
