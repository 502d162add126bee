//! The `build-number` step: BUILD_NUMBER moves by one when a commit changes enough code, staged
//! into that same commit; and the merge driver that makes two branches' increments never
//! conflict (the merge keeps the larger number).
//!
//! One commit, one increment, whatever kind of commit git makes:
//! - a partial commit (`git commit PATH`, `--only`) is made from a temporary index while git
//!   holds the real one locked, so the hook cannot write it: the post-commit stage
//!   ([`after_commit`]) stages what was committed into the real index afterwards (BUILD_NUMBER,
//!   and what a fixer re-staged), from the record ([`Pending`]) the pre-commit run leaves;
//! - a commit that does not happen after the increment (a failed step or rejected message:
//!   undone at once; an empty message or a failed editor, after which no hook runs: undone by
//!   the next pre-commit run, which sees HEAD has not moved) does not keep its increment;
//! - `git commit --amend` counts from HEAD's parent, not from the commit it replaces. git does
//!   not tell its hooks about --amend; the step reads git's command line from /proc (Linux).
//!   Elsewhere an amend of a commit that already incremented increments again: the limitation.
//! - a staged BUILD_NUMBER lower than HEAD's (the parent's, when amending) is refused.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::config::BuildConfig;
use crate::error::{Error, Result};
use crate::git::{GitState, LoadedEntry, Repo, StagedView, blob_id};
use crate::stage::{Outcome, StepInput};
use crate::version::{self, BUILD_FILE, Change, Plan};

const DRIVER: &str = "mpm-hooks-build-number";
const ATTRIBUTE_LINE: &str = "BUILD_NUMBER merge=mpm-hooks-build-number";
const ATTRIBUTE_COMMENT: &str = "# mpm-hooks: keep the larger BUILD_NUMBER on merge (mpm-hooks uninstall removes this)";

/// How much of the staged change counts as code.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub lines: u64,
    pub files: usize,
    pub excluded: usize,
}

pub fn tally(view: &StagedView, cfg: &BuildConfig, root: &Path) -> Result<Tally> {
    Ok(Matchers::new(root, cfg)?.tally(view, cfg))
}

/// `[build] exclude` and `include`, compiled.
pub struct Matchers {
    exclude: Gitignore,
    include: Option<Gitignore>,
}

impl Matchers {
    pub fn new(root: &Path, cfg: &BuildConfig) -> Result<Matchers> {
        Ok(Matchers {
            exclude: globs(root, &cfg.exclude, "[build] exclude")?,
            include: (!cfg.include.is_empty())
                .then(|| globs(root, &cfg.include, "[build] include"))
                .transpose()?,
        })
    }

    pub fn tally(&self, view: &StagedView, cfg: &BuildConfig) -> Tally {
        let mut t = Tally::default();
        for file in &view.files {
            let path = Path::new(&file.path);
            let counted = !self.exclude.matched_path_or_any_parents(path, false).is_ignore()
                && self
                    .include
                    .as_ref()
                    .is_none_or(|inc| inc.matched_path_or_any_parents(path, false).is_ignore());
            if !counted {
                t.excluded += 1;
                continue;
            }
            t.files += 1;
            t.lines += if file.binary {
                cfg.binary_weight
            } else {
                file.added_count + file.deleted_count
            };
        }
        t
    }
}

/// What the step needs that does not depend on the staged changes. The stage reads it on
/// another thread while git computes the staged changes: the work-tree BUILD_NUMBER, its index
/// entry with the next number staged ahead (blob stored, index bytes patched and hashed), and
/// the compiled globs. Nothing in the work tree or the index is written.
pub struct Prepared {
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
/// next number is stored: when the commit turns out not to need it, it is one small
/// unreferenced object, which the next increment reuses and `git gc` prunes.
pub fn prepare(
    root: &Path,
    objects: &Path,
    index: PathBuf,
    cfg: &BuildConfig,
    ahead: bool,
) -> Result<Option<Prepared>> {
    let Some(work) = crate::fs::read_optional(&root.join(BUILD_FILE))? else {
        return Ok(None);
    };
    let mut entry = LoadedEntry::load(index, BUILD_FILE)?;
    if ahead
        && entry.id() == Some(blob_id(work.as_bytes()))
        && let Ok(n) = version::parse_build(&work, Path::new(BUILD_FILE))
        && let Some(next) = n.checked_add(1)
    {
        let new = format!("{next}\n");
        if let Ok(id) = crate::git::store_blob(objects, new.as_bytes()) {
            entry.prepare(new.as_bytes(), id);
        }
    }
    Ok(Some(Prepared {
        work,
        entry,
        matchers: Matchers::new(root, cfg)?,
    }))
}

/// gitignore-style globs over repository paths.
pub fn globs(root: &Path, patterns: &[String], key: &str) -> Result<Gitignore> {
    let mut b = GitignoreBuilder::new(root);
    for p in patterns {
        b.add_line(None, p).map_err(|e| Error::Config {
            path: PathBuf::from(crate::config::FILE_NAME),
            line: None,
            message: format!("{key}: bad glob `{p}`: {e}"),
        })?;
    }
    b.build().map_err(|e| Error::Config {
        path: PathBuf::from(crate::config::FILE_NAME),
        line: None,
        message: format!("{key}: {e}"),
    })
}

pub fn step(input: &StepInput<'_>) -> Result<Outcome> {
    let root = &input.repo.root;
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
    let prepared = match input.prepared_build() {
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

fn oid_text(id: Option<git2::Oid>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// What the pre-commit stage changed for a commit that git has not made yet:
/// `<git dir>/mpm-hooks/build-number-pending.json`. git tells a pre-commit hook neither whether
/// the commit then happens (a rejected message, an empty one, a failed editor stop it) nor, in
/// a partial commit, lets it write the real index. This record is how the next run tells an
/// increment that never reached a commit (HEAD has not moved since: undone, then counted anew)
/// and how the post-commit stage brings the real index in line with what was committed.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    /// HEAD when it was written ("" on an unborn branch).
    head: String,
    /// The index file git handed the hook (a partial commit's is named after git's process).
    index: String,
    /// BUILD_NUMBER's text before and after the increment.
    old: Option<String>,
    new: Option<String>,
    /// Entries the stage changed in a partial commit's temporary index: path, blob id before
    /// (`None`: added), blob id after.
    restaged: Vec<(String, Option<String>, String)>,
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
    fn at(git_dir: &Path) -> PathBuf {
        git_dir.join("mpm-hooks").join("build-number-pending.json")
    }

    fn path(repo: &Repo) -> PathBuf {
        Pending::at(&repo.git_dir)
    }

    /// The record, if there is one (an unreadable one counts as none).
    fn load(repo: &Repo) -> Option<Pending> {
        let bytes = std::fs::read(Pending::path(repo)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn save(&self, repo: &Repo, scratch: Option<&Path>) -> Result<()> {
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

    fn clear(repo: &Repo) {
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

/// The post-commit step: after a partial commit, the real index (which git wrote apart from
/// the commit) gets what the hooks staged into the commit, where it still holds what they
/// started from; BUILD_NUMBER in the real index and the work tree is brought to HEAD's
/// where it still holds a number the pre-commit step wrote or started from.
pub fn after_commit(input: &StepInput<'_>) -> Result<Outcome> {
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

/// The driver command. git runs it through the shell in the work tree's top; the hooks folder
/// is found then (`git rev-parse --git-path hooks` honours core.hooksPath, linked worktrees and
/// separate git dirs), so the driver still runs after the clone is moved.
pub const DRIVER_COMMAND: &str = r#""$(git rev-parse --git-path hooks)/mpm-hooks" merge-build-number %O %A %B"#;

/// The driver command registered in .git/config, if any.
pub fn merge_driver(repo: &Repo) -> Option<String> {
    repo.local_config_string(&format!("merge.{DRIVER}.driver"))
}

/// Whether .git/info/attributes sends BUILD_NUMBER to the driver.
pub fn merge_driver_attribute(repo: &Repo) -> Result<bool> {
    Ok(
        crate::fs::read_optional(&attributes_path(repo))?
            .is_some_and(|t| t.lines().any(|l| l.trim() == ATTRIBUTE_LINE)),
    )
}

/// Registers the merge driver in .git/info/attributes and .git/config (never the work tree).
pub fn register_merge_driver(repo: &Repo) -> Result<Vec<String>> {
    let attributes = attributes_path(repo);
    let text = crate::fs::read_optional(&attributes)?.unwrap_or_default();
    let mut changed = false;
    if !text.lines().any(|l| l.trim() == ATTRIBUTE_LINE) {
        let mut new = text.clone();
        if !new.is_empty() && !new.ends_with('\n') {
            new.push('\n');
        }
        new.push_str(&format!("{ATTRIBUTE_COMMENT}\n{ATTRIBUTE_LINE}\n"));
        if let Some(dir) = attributes.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        crate::fs::write_atomic(&attributes, new.as_bytes(), None)?;
        changed = true;
    }
    let driver = DRIVER_COMMAND;
    if merge_driver(repo).as_deref() != Some(driver) {
        repo.set_local_config(
            &format!("merge.{DRIVER}.name"),
            "mpm-hooks: keep the larger BUILD_NUMBER",
        )?;
        repo.set_local_config(&format!("merge.{DRIVER}.driver"), driver)?;
        changed = true;
    }
    Ok(vec![format!(
        "BUILD_NUMBER merge driver: {}",
        if changed { "registered" } else { "unchanged" }
    )])
}

pub fn unregister_merge_driver(repo: &Repo) -> Result<Vec<String>> {
    let attributes = attributes_path(repo);
    let mut removed = false;
    if let Some(text) = crate::fs::read_optional(&attributes)? {
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| l.trim() != ATTRIBUTE_LINE && l.trim() != ATTRIBUTE_COMMENT)
            .collect();
        if kept.len() != text.lines().count() {
            let mut new = kept.join("\n");
            if !new.is_empty() {
                new.push('\n');
            }
            crate::fs::write_atomic(&attributes, new.as_bytes(), None)?;
            removed = true;
        }
    }
    if repo.local_config_string(&format!("merge.{DRIVER}.driver")).is_some() {
        repo.remove_local_section(&format!("merge.{DRIVER}"))?;
        removed = true;
    }
    Ok(if removed {
        vec!["BUILD_NUMBER merge driver: removed".into()]
    } else {
        Vec::new()
    })
}

fn attributes_path(repo: &Repo) -> PathBuf {
    repo.common_dir.join("info").join("attributes")
}

/// The merge driver: git passes the ancestor's, our and their versions of BUILD_NUMBER as temp
/// files; the result (written to ours) is the larger number. A side that is not a number is a
/// real conflict: both sides are left in the file with conflict markers, and the merge stops.
pub fn merge(ours: &Path, theirs: &Path) -> Result<std::result::Result<u64, String>> {
    let a = crate::fs::read_to_string(ours)?;
    let b = crate::fs::read_to_string(theirs)?;
    let parse = |t: &str| version::parse_build(t, Path::new(BUILD_FILE));
    match (parse(&a), parse(&b)) {
        (Ok(x), Ok(y)) => {
            let max = x.max(y);
            crate::fs::write_atomic(ours, format!("{max}\n").as_bytes(), None)?;
            Ok(Ok(max))
        }
        (x, _) => {
            let bad = if x.is_err() { a.trim() } else { b.trim() };
            let conflict = format!("<<<<<<< ours\n{}\n=======\n{}\n>>>>>>> theirs\n", a.trim(), b.trim());
            crate::fs::write_atomic(ours, conflict.as_bytes(), None)?;
            Ok(Err(format!(
                "BUILD_NUMBER: conflict: `{bad}` is not a number; edit BUILD_NUMBER to one number and `git add` it"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::StagedFile;

    fn file(path: &str, added: u64, deleted: u64, binary: bool) -> StagedFile {
        StagedFile {
            path: path.into(),
            status: 'M',
            added_count: added,
            deleted_count: deleted,
            binary,
            ..StagedFile::default()
        }
    }

    #[test]
    fn tally_excludes_docs_and_weighs_binaries() {
        let view = StagedView {
            files: vec![
                file("src/a.rs", 3, 2, false),
                file("README.md", 50, 0, false),
                file("docs/guide/x.rs", 50, 0, false),
                file("Cargo.lock", 100, 100, false),
                file("img.png", 0, 0, true),
                file("sub/LICENSE-MIT", 9, 0, false),
            ],
        };
        let t = tally(&view, &BuildConfig::default(), Path::new("/r")).unwrap();
        assert_eq!(
            t,
            Tally {
                lines: 15,
                files: 2,
                excluded: 4
            }
        );
    }

    #[test]
    fn include_limits_what_counts() {
        let view = StagedView {
            files: vec![file("src/a.rs", 3, 0, false), file("tests/t.py", 30, 0, false)],
        };
        let cfg = BuildConfig {
            include: vec!["src/**".into()],
            ..BuildConfig::default()
        };
        let t = tally(&view, &cfg, Path::new("/r")).unwrap();
        assert_eq!(
            t,
            Tally {
                lines: 3,
                files: 1,
                excluded: 1
            }
        );
    }
}
