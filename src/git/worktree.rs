//! The work tree against the index: unstaged changes, patches of them, putting them back, and
//! staging work-tree content, through git subprocesses.

use std::path::{Path, PathBuf};

use super::Repo;
use crate::error::Result;

/// One unstaged change: a tracked path whose work-tree content or mode differs from the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnstagedChange {
    /// The path as git wrote it: raw bytes, not necessarily UTF-8.
    pub path: Vec<u8>,
    /// git's status letter: M, D, T, or A for an intent-to-add entry (`git add -N`).
    pub status: char,
}

impl UnstagedChange {
    pub fn path_lossy(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }
}

/// A path in the work tree from the bytes git gave.
pub fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Work tree against the index, for setting unstaged changes aside while checks run. Through
/// git subprocesses, which read every index git writes (split, sparse) and pass file names as
/// raw bytes; none of this runs unless checks are configured.
impl Repo {
    /// Every unstaged change in the work tree (submodules left out: what a submodule has
    /// checked out is its own business, and the commit takes the gitlink from the index).
    pub fn unstaged_changes(&self) -> Result<Vec<UnstagedChange>> {
        let (_, out) = self.git_io(
            &[
                "diff",
                "--raw",
                "-z",
                "--no-renames",
                "--ignore-submodules=all",
                "--no-ext-diff",
                "--no-textconv",
                "--no-color",
                "--no-relative",
            ],
            b"",
            &[0],
        )?;
        let mut changes = Vec::new();
        let mut records = out.split(|&b| b == 0);
        while let Some(meta) = records.next() {
            if meta.is_empty() {
                continue;
            }
            let Some(path) = records.next() else { break };
            let status = meta.last().map_or('M', |&b| b as char);
            changes.push(UnstagedChange {
                path: path.to_vec(),
                status,
            });
        }
        Ok(changes)
    }

    /// Which of `paths` (raw bytes) differ between the work tree and the index.
    pub fn unstaged(&self, paths: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: std::collections::HashSet<&[u8]> = paths.iter().map(Vec::as_slice).collect();
        Ok(self
            .unstaged_changes()?
            .into_iter()
            .filter(|c| wanted.contains(c.path.as_slice()))
            .map(|c| c.path)
            .collect())
    }

    /// The work tree's changes to `paths` as a binary patch for `git apply`, exactly as git
    /// diffs them (no textconv, no external diff).
    pub fn unstaged_patch(&self, paths: &[Vec<u8>]) -> Result<Vec<u8>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec![
            "diff",
            "--binary",
            "--no-renames",
            "--ignore-submodules=all",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--no-relative",
            "--",
        ];
        let specs: Vec<String> = paths
            .iter()
            .map(|p| format!(":(top,literal){}", String::from_utf8_lossy(p)))
            .collect();
        if specs.iter().map(|s| s.len() + 1).sum::<usize>() < 64 * 1024
            && paths.iter().all(|p| std::str::from_utf8(p).is_ok())
        {
            args.extend(specs.iter().map(String::as_str));
        }
        Ok(self.git_io(&args, b"", &[0])?.1)
    }

    /// Makes the work tree's `paths` match the index (content, mode, symlink or deletion).
    pub fn checkout_index(&self, paths: &[Vec<u8>]) -> Result<()> {
        if paths.is_empty() {
            return Ok(());
        }
        self.git_io(&["checkout-index", "-f", "-z", "--stdin"], &nul_list(paths), &[0])
            .map(|_| ())
    }

    /// Puts index entries back as they were: `(mode, blob, path)` each.
    pub fn set_index_entries(&self, entries: &[(u32, String, Vec<u8>)]) -> Result<()> {
        let mut input = Vec::new();
        for (mode, blob, path) in entries {
            input.extend_from_slice(format!("{mode:o} {blob}\t").as_bytes());
            input.extend_from_slice(path);
            input.push(0);
        }
        self.git_io(&["update-index", "-z", "--index-info"], &input, &[0])
            .map(|_| ())
    }

    /// A three-way merge of files (`ours`, `base`, `theirs`), byte for byte as they are on
    /// disk: the merged bytes, or `None` when the changes overlap or touch.
    pub fn merge_files(&self, ours: &Path, base: &Path, theirs: &Path) -> Result<Option<Vec<u8>>> {
        let (ours, base, theirs) = (ours.to_string_lossy(), base.to_string_lossy(), theirs.to_string_lossy());
        let (code, out) = self.git_io(
            &["merge-file", "-p", "-q", "--", &ours, &base, &theirs],
            b"",
            &(0..=127).collect::<Vec<_>>(),
        )?;
        Ok((code == 0).then_some(out))
    }

    /// Stages the work-tree content of `paths` (a path gone from the work tree leaves the
    /// index), as `git add` would: through git, so every index format works.
    pub fn stage_paths(&self, paths: &[String]) -> Result<()> {
        if paths.is_empty() {
            return Ok(());
        }
        let raw: Vec<Vec<u8>> = paths.iter().map(|p| p.as_bytes().to_vec()).collect();
        self.stage_raw_paths(&raw)
    }

    /// [`Repo::stage_paths`] for names as git gave them (raw bytes).
    pub fn stage_raw_paths(&self, paths: &[Vec<u8>]) -> Result<()> {
        if paths.is_empty() {
            return Ok(());
        }
        self.git_io(
            &["update-index", "--add", "--remove", "-z", "--stdin"],
            &nul_list(paths),
            &[0],
        )
        .map(|_| ())
    }
}

impl Repo {
    /// Tracked files whose work-tree or index content differs from HEAD, as `git status
    /// --short` shows them (`M  path`, ` M path`, `UU path`). Untracked files are not counted.
    pub fn dirty(&self) -> Result<Vec<String>> {
        let out = self.run_git(&[
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=no",
            "--ignore-submodules=none",
        ])?;
        let mut entries = Vec::new();
        let mut records = out.split(|&b| b == 0).filter(|r| !r.is_empty());
        while let Some(r) = records.next() {
            let r = String::from_utf8_lossy(r);
            // A rename or copy is followed by its old path.
            if r.starts_with('R') || r.starts_with('C') {
                records.next();
            }
            entries.push(r.into_owned());
        }
        Ok(entries)
    }
}

/// Names for a `-z --stdin` git command: each followed by a NUL.
fn nul_list(paths: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in paths {
        out.extend_from_slice(p);
        out.push(0);
    }
    out
}
