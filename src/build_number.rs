//! How much of a staged change counts toward a build (`[build]`: the threshold, include and
//! exclude globs, binary weight), and the merge driver that makes two branches' increments never
//! conflict (the merge keeps the larger number). The hook step that moves BUILD_NUMBER is
//! [`crate::hook::steps::build_number`].

use std::path::{Path, PathBuf};

use ignore::gitignore::Gitignore;

use crate::config::BuildConfig;
use crate::error::{Error, Result};
use crate::git::{Repo, StagedView};
use crate::version::{self, BUILD_FILE};

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
            exclude: crate::config::compile_globs(root, &cfg.exclude, "[build] exclude")?,
            include: (!cfg.include.is_empty())
                .then(|| crate::config::compile_globs(root, &cfg.include, "[build] include"))
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
