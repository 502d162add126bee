//! The pre-commit step `build-number`: BUILD_NUMBER moves by one when a commit changes enough
//! code ([`crate::build_number`] counts it), staged into that same commit.
//!
//! One commit, one increment, whatever kind of commit git makes:
//! - a partial commit (`git commit PATH`, `--only`) is made from a temporary index while git
//!   holds the real one locked, so the hook cannot write it: the post-commit stage
//!   ([`super::sync_index`]) stages what was committed into the real index afterwards (BUILD_NUMBER,
//!   and what a fixer re-staged), from the record ([`Pending`]) the pre-commit run leaves;
//! - a commit that does not happen after the increment (a failed step or rejected message:
//!   undone at once; an empty message or a failed editor, after which no hook runs: undone by
//!   the next pre-commit run, which sees HEAD has not moved) does not keep its increment;
//! - `git commit --amend` counts from HEAD's parent, not from the commit it replaces. git does
//!   not tell its hooks about --amend; the step reads git's command line from /proc (Linux).
//!   Elsewhere an amend of a commit that already incremented increments again: the limitation.
//! - a staged BUILD_NUMBER lower than HEAD's (the parent's, when amending) is refused.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use crate::build_number::Matchers;
use crate::config::{BuildConfig, LogLevel};
use crate::error::{Error, Result};
use crate::git::{GitState, LoadedEntry, Repo, blob_id};
use crate::hook::{Outcome, Started, Step, StepInput};
use crate::version::{self, BUILD_FILE, Change, Plan};

pub const STEP: Step = Step {
    name: "build-number",
    start: Some(start),
    run,
};

/// Before any step runs: an increment an earlier attempt made for a commit that never happened
/// is undone, so that the staged changes and the read-ahead see BUILD_NUMBER as HEAD has it;
/// then the reading that does not depend on the staged changes (BUILD_NUMBER, the index, the
/// globs, the next number's blob and index bytes) starts on another thread, while the steps
/// before this one wait for git to compute the staged changes.
fn start(input: &StepInput<'_>) -> Result<Started> {
    if input.git_state != GitState::Normal || !input.files.is_commit() {
        return Ok(None);
    }
    let repo = input.repo;
    if !input.dry_run {
        for note in settle(repo, input.ctx.ws.scratch_dir().as_deref())? {
            input.ctx.log.log(LogLevel::Info, || note.clone());
        }
    }
    let (root, objects, index) = (repo.root.clone(), repo.common_dir.join("objects"), repo.index_path());
    let cfg = input.ctx.config.config.build.clone();
    let ahead = !input.dry_run;
    let handle = std::thread::spawn(move || prepare(&root, &objects, index, &cfg, ahead));
    Ok(Some(Box::new(ReadAhead(Some(handle)))))
}

/// The read-ahead thread. One that no step took (a step before it erred) is waited for when
/// dropped: it may be storing a blob, which should not be cut off by the process exiting.
struct ReadAhead(Option<JoinHandle<Result<Option<Prepared>>>>);

impl ReadAhead {
    /// What it read, if it succeeded (a failure is met again, and reported, when the step reads
    /// it itself).
    fn take(mut self) -> Option<Prepared> {
        self.0.take()?.join().ok()?.ok()?
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

/// What the step needs that does not depend on the staged changes. The stage reads it on
/// another thread while git computes the staged changes: the work-tree BUILD_NUMBER, its index
/// entry with the next number staged ahead (blob stored, index bytes patched and hashed), and
/// the compiled globs. Nothing in the work tree or the index is written.
struct Prepared {
    work: String,
    entry: LoadedEntry,
    matchers: Matchers,
}

impl Prepared {
    /// Whether BUILD_NUMBER and the index are still what was read (a check's fixer may have
    /// changed them since).
    fn is_current(&self, root: &Path) -> bool {
        crate::fs::read_optional(&root.join(BUILD_FILE)).ok().flatten().as_ref() == Some(&self.work)
            && self.entry.is_current()
    }
}

/// Reads what [`Prepared`] holds; `None` without a BUILD_NUMBER. With `ahead`, the blob of the
/// next number is stored and staged ahead: when the commit turns out not to need it, it is one
/// small unreferenced object, which the next increment reuses and `git gc` prunes.
fn prepare(root: &Path, objects: &Path, index: PathBuf, cfg: &BuildConfig, ahead: bool) -> Result<Option<Prepared>> {
    let Some(work) = crate::fs::read_optional(&root.join(BUILD_FILE))? else {
        return Ok(None);
    };
    // The next number's blob is stored first, so that the index is read once, with it staged
    // as it passes (when the index holds the work tree's number).
    let next = version::parse_build(&work, Path::new(BUILD_FILE))
        .ok()
        .and_then(|n| n.checked_add(1))
        .filter(|_| ahead)
        .map(|next| format!("{next}\n"));
    let stored = next.and_then(|new| Some((crate::git::store_blob(objects, new.as_bytes()).ok()?, new)));
    let entry = match stored {
        Some((id, new)) => LoadedEntry::load_staging(index, BUILD_FILE, blob_id(work.as_bytes()), new.as_bytes(), id)?,
        None => LoadedEntry::load(index, BUILD_FILE)?,
    };
    Ok(Some(Prepared {
        work,
        entry,
        matchers: Matchers::new(root, cfg)?,
    }))
}

fn run(input: &StepInput<'_>, started: Started) -> Result<Outcome> {
    let root = &input.repo.root;
    if !input.files.is_commit() {
        return Ok(Outcome::Skipped("not a commit".into()));
    }
    if input.git_state != GitState::Normal {
        return Ok(Outcome::Skipped(format!("{} in progress", input.git_state.name())));
    }
    let path = root.join(BUILD_FILE);
    let missing = || Ok(Outcome::Skipped("no BUILD_NUMBER; `mpm-hooks init` starts one".into()));
    if !path.exists() {
        return missing();
    }
    // The staged changes first: when no step before this one asked for them, git computes
    // them while the read-ahead thread finishes.
    let view = input.staged()?;
    let cfg = &input.ctx.config.config.build;
    // BUILD_NUMBER is read (again, if the read-ahead is stale) and written under the version
    // lock, as by every command that changes it: a concurrent increment is never lost.
    let _lock = if input.dry_run {
        None
    } else {
        Some(version::lock(&input.repo.git_dir)?)
    };
    let ahead = started
        .and_then(|s| s.downcast::<ReadAhead>().ok())
        .and_then(|r| r.take());
    let prepared = match ahead {
        Some(p) if p.is_current(root) => Some(p),
        _ => prepare(
            root,
            &input.repo.common_dir.join("objects"),
            input.repo.index_path(),
            cfg,
            !input.dry_run,
        )?,
    };
    let Some(Prepared { work, entry, matchers }) = prepared else {
        return missing();
    };
    if entry.is_intent_to_add() {
        return Ok(Outcome::Ok(vec![
            "BUILD_NUMBER is only intent-to-add (git add -N): not incremented; `git add BUILD_NUMBER` to commit it"
                .into(),
        ]));
    }
    let entry = input.repo.entry_of(entry);
    if view.contains(BUILD_FILE) {
        return staged_by_hand(input.repo, &entry);
    }
    let work_value = version::parse_build(&work, Path::new(BUILD_FILE))?;
    // Staged as it is in the work tree (the usual case): no need to read the blob.
    let current = if entry.id() == Some(blob_id(work.as_bytes())) {
        work_value
    } else {
        match entry.content()? {
            Some(bytes) => version::parse_build(&String::from_utf8_lossy(&bytes), Path::new(BUILD_FILE))?,
            None => work_value,
        }
    };
    if current != work_value {
        return Ok(Outcome::Ok(vec![
            "BUILD_NUMBER has unstaged changes: not incremented (stage or discard them)".into(),
        ]));
    }
    let t = matchers.tally(view, cfg);
    let why = format!(
        "{} changed line(s) in {} file(s), {} excluded; threshold {}",
        t.lines, t.files, t.excluded, cfg.min_changed_lines
    );
    if t.lines < cfg.min_changed_lines {
        return Ok(Outcome::Ok(vec![format!("not incremented: {why}")]));
    }
    let head = input.repo.head_commit()?;
    // An amend replaces HEAD: the number counts from HEAD's parent, once.
    if let Some(head) = head
        && crate::git::commit_is_amend()
    {
        let parent = match input.repo.first_parent(head)? {
            Some(parent) => number_at(input.repo, parent)?,
            None => None,
        };
        match parent {
            None => {
                return Ok(Outcome::Ok(vec![
                    "not incremented: the commit being amended has no parent with a BUILD_NUMBER to count from".into(),
                ]));
            }
            Some(p) if current > p => {
                return Ok(Outcome::Ok(vec![format!(
                    "not incremented: the commit being amended already carries {current} (its parent {p}); an amend counts once"
                )]));
            }
            Some(_) => {}
        }
    }
    let next = current.checked_add(1).ok_or_else(|| Error::BadBuildNumber {
        path: PathBuf::from(BUILD_FILE),
        reason: format!("{current} cannot be incremented: it is the largest build number"),
    })?;
    if input.dry_run {
        return Ok(Outcome::Ok(vec![format!("would increment {current} -> {next}: {why}")]));
    }
    if std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()) {
        return Err(Error::ReadOnly {
            path: PathBuf::from(BUILD_FILE),
        });
    }
    // The index first: when it is locked, nothing at all has been written.
    let new = format!("{next}\n");
    entry.stage(new.as_bytes())?;
    let scratch = input.ctx.ws.scratch_dir();
    crate::fs::write_atomic_unsynced(&path, new.as_bytes(), scratch.as_deref())?;
    let index = input.repo.index_path();
    let mut pending = Pending::load(input.repo)
        .filter(|p| p.head == oid_text(head) && p.index == index.to_string_lossy())
        .unwrap_or_default();
    pending.head = oid_text(head);
    pending.index = index.to_string_lossy().into_owned();
    pending.old = Some(work.clone());
    pending.new = Some(new.clone());
    pending.save(input.repo, scratch.as_deref())?;
    let plan = Plan {
        changes: vec![Change {
            rel: BUILD_FILE.into(),
            path,
            old: Some(work),
            new,
            old_value: Some(current.to_string()),
            new_value: next.to_string(),
        }],
    };
    input.ctx.audit_plan("pre-commit build-number", &plan)?;
    Ok(Outcome::Ok(vec![format!("BUILD_NUMBER {current} -> {next}: {why}")]))
}

/// BUILD_NUMBER staged by hand (or by another tool): kept, unless it goes down from HEAD's
/// number (from the parent's, when amending), which the commit may not record.
fn staged_by_hand(repo: &Repo, entry: &crate::git::IndexEntry<'_>) -> Result<Outcome> {
    let left = || {
        Ok(Outcome::Ok(vec![
            "BUILD_NUMBER is part of the commit: left as staged".into(),
        ]))
    };
    let Some(staged) = entry.content()?.and_then(|b| parse_quietly(&b)) else {
        return left();
    };
    let Some(head) = repo.head_commit()? else {
        return left();
    };
    let (base, whose) = if crate::git::commit_is_amend() {
        match repo.first_parent(head)? {
            Some(parent) => (number_at(repo, parent)?, "the parent of the commit being amended"),
            None => (None, ""),
        }
    } else {
        (number_at(repo, head)?, "HEAD")
    };
    match base {
        Some(base) if staged < base => Ok(Outcome::Failed(format!(
            "BUILD_NUMBER is staged as {staged}, lower than {whose}'s {base}: a build number never goes down (stage {base} or higher)"
        ))),
        _ => left(),
    }
}

/// BUILD_NUMBER in `commit`; `None` when it has none or it is not a number.
fn number_at(repo: &Repo, commit: git2::Oid) -> Result<Option<u64>> {
    Ok(repo.file_at(commit, BUILD_FILE)?.and_then(|b| parse_quietly(&b)))
}

fn parse_quietly(bytes: &[u8]) -> Option<u64> {
    version::parse_build(&String::from_utf8_lossy(bytes), Path::new(BUILD_FILE)).ok()
}

pub(super) fn oid_text(id: Option<git2::Oid>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// What the pre-commit stage changed for a commit that git has not made yet:
/// `<git dir>/mpm-hooks/build-number-pending.json`. git tells a pre-commit hook neither whether
/// the commit then happens (a rejected message, an empty one, a failed editor stop it) nor, in
/// a partial commit, lets it write the real index. This record is how the next run tells an
/// increment that never reached a commit (HEAD has not moved since: undone, then counted anew)
/// and how the post-commit stage brings the real index in line with what was committed.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Pending {
    /// HEAD when it was written ("" on an unborn branch).
    pub(super) head: String,
    /// The index file git handed the hook (a partial commit's is named after git's process).
    pub(super) index: String,
    /// BUILD_NUMBER's text before and after the increment.
    pub(super) old: Option<String>,
    pub(super) new: Option<String>,
    /// Entries the stage changed in a partial commit's temporary index: path, blob id before
    /// (`None`: added), blob id after.
    pub(super) restaged: Vec<(String, Option<String>, String)>,
}

/// Whether the record in the git dir `git_dir` gives the post-commit stage work: only a partial
/// commit (git handed the hooks a temporary `next-index-*.lock`, and writes the real index
/// itself) leaves the real index behind what was committed. After any other commit the record
/// is stale once HEAD has moved, and the next pre-commit run clears it ([`settle`]).
pub fn post_commit_has_work(git_dir: &Path) -> bool {
    let Ok(bytes) = std::fs::read(Pending::at(git_dir)) else {
        return false;
    };
    // A record that does not parse is the full stage's to handle.
    serde_json::from_slice::<Pending>(&bytes).map_or(true, |p| {
        !p.restaged.is_empty()
            || Path::new(&p.index)
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("next-index"))
    })
}

impl Pending {
    pub(super) fn at(git_dir: &Path) -> PathBuf {
        git_dir.join("mpm-hooks").join("build-number-pending.json")
    }

    pub(super) fn path(repo: &Repo) -> PathBuf {
        Pending::at(&repo.git_dir)
    }

    /// The record, if there is one (an unreadable one counts as none).
    pub(super) fn load(repo: &Repo) -> Option<Pending> {
        let bytes = std::fs::read(Pending::path(repo)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub(super) fn save(&self, repo: &Repo, scratch: Option<&Path>) -> Result<()> {
        let path = Pending::path(repo);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let json = serde_json::to_vec(self).unwrap_or_default();
        crate::fs::write_atomic_unsynced(&path, &json, scratch)
    }

    pub(super) fn clear(repo: &Repo) {
        let _ = std::fs::remove_file(Pending::path(repo));
    }

    /// Puts BUILD_NUMBER back where this record's increment found it: the work tree, and the
    /// index git handed this hook when `index`; each only while it still holds the increment.
    fn undo(&self, repo: &Repo, index: bool, scratch: Option<&Path>) -> Result<Vec<String>> {
        let (Some(old), Some(new)) = (&self.old, &self.new) else {
            return Ok(Vec::new());
        };
        let _lock = version::lock(&repo.git_dir)?;
        let mut undone = false;
        if index && repo.index_path().exists() {
            let entry = repo.index_entry(BUILD_FILE)?;
            if entry.id() == Some(blob_id(new.as_bytes())) {
                entry.stage(old.as_bytes())?;
                undone = true;
            }
        }
        let path = repo.root.join(BUILD_FILE);
        if crate::fs::read_optional(&path)?.as_ref() == Some(new) {
            crate::fs::write_atomic_unsynced(&path, old.as_bytes(), scratch)?;
            undone = true;
        }
        Ok(if undone {
            vec![format!(
                "BUILD_NUMBER back to {}: the increment to {} was for a commit that did not happen",
                old.trim(),
                new.trim()
            )]
        } else {
            Vec::new()
        })
    }
}

/// Before the pre-commit steps: an increment recorded by an earlier attempt that never became
/// a commit (HEAD has not moved since: its message was rejected, or git stopped after the
/// hook) is undone, so that this attempt counts once. A record whose commit happened is dropped.
pub fn settle(repo: &Repo, scratch: Option<&Path>) -> Result<Vec<String>> {
    let Some(mut pending) = Pending::load(repo) else {
        return Ok(Vec::new());
    };
    if pending.head != oid_text(repo.head_commit()?) {
        Pending::clear(repo);
        return Ok(Vec::new());
    }
    let notes = pending.undo(repo, true, scratch)?;
    // The record stays (the post-commit stage uses it to put a real index that a partial
    // commit could not write back in line); re-stagings of another attempt do not.
    let index = repo.index_path().to_string_lossy().into_owned();
    if pending.index != index {
        pending.restaged.clear();
        pending.index = index;
    }
    pending.save(repo, scratch)?;
    Ok(notes)
}

/// The commit stopped after the pre-commit stage (a step failed, or the message was
/// rejected): this attempt's increment is undone. git throws its own locked index away (`-a`,
/// partial commits); an index it hands the hook as the real one is put back here.
pub fn abandon(repo: &Repo, scratch: Option<&Path>) -> Result<Vec<String>> {
    let Some(pending) = Pending::load(repo) else {
        return Ok(Vec::new());
    };
    let mut notes = Vec::new();
    if pending.head == oid_text(repo.head_commit()?) {
        let index = repo.index_path();
        let locked = index.extension().is_some_and(|e| e == "lock");
        notes = pending.undo(repo, !locked, scratch)?;
    }
    Pending::clear(repo);
    Ok(notes)
}

/// Whether a pre-commit run left a record for the post-commit stage.
pub fn has_pending(repo: &Repo) -> bool {
    Pending::path(repo).exists()
}

/// Records the entries a pre-commit run changed in a partial commit's temporary index, for the
/// post-commit stage to bring the real index in line.
pub fn record_restaged(
    repo: &Repo,
    scratch: Option<&Path>,
    changed: Vec<(String, Option<git2::Oid>, git2::Oid)>,
) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let head = oid_text(repo.head_commit()?);
    let index = repo.index_path().to_string_lossy().into_owned();
    let mut pending = Pending::load(repo)
        .filter(|p| p.head == head && p.index == index)
        .unwrap_or_default();
    pending.head = head;
    pending.index = index;
    for (path, before, after) in changed {
        let before = before.map(|b| b.to_string());
        match pending.restaged.iter_mut().find(|r| r.0 == path) {
            Some(r) => r.2 = after.to_string(),
            None => pending.restaged.push((path, before, after.to_string())),
        }
    }
    pending.save(repo, scratch)
}
