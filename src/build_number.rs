//! The `build-number` step: BUILD_NUMBER moves by one when a commit changes enough code, staged
//! into that same commit; and the merge driver that makes two branches' increments never
//! conflict (the merge keeps the larger number).

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
    if view.contains(BUILD_FILE) {
        return Ok(Outcome::Ok(vec![
            "BUILD_NUMBER is part of the commit: left as staged".into(),
        ]));
    }
    let work_value = version::parse_build(&work, Path::new(BUILD_FILE))?;
    let entry = input.repo.entry_of(entry);
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
    crate::fs::write_atomic_unsynced(&path, new.as_bytes(), input.ctx.ws.scratch_dir().as_deref())?;
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

/// Registers the merge driver in .git/info/attributes and .git/config (never the work tree).
pub fn register_merge_driver(repo: &Repo, binary: &Path) -> Result<Vec<String>> {
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
    let driver = format!("{} merge-build-number %O %A %B", shell_quote(&binary.to_string_lossy()));
    if repo.local_config_string(&format!("merge.{DRIVER}.driver")).as_deref() != Some(driver.as_str()) {
        repo.set_local_config(
            &format!("merge.{DRIVER}.name"),
            "mpm-hooks: keep the larger BUILD_NUMBER",
        )?;
        repo.set_local_config(&format!("merge.{DRIVER}.driver"), &driver)?;
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

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
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
