//! Unstaged changes set aside while the pre-commit checks run, and put back byte for byte.
//!
//! Before the checks, every unstaged change to a tracked file (content, mode, symlink target,
//! deletion; not intent-to-add entries, which git never commits, nor submodules, whose gitlink
//! comes from the index) is saved in an owner-only folder under this worktree's own git dir,
//! `<git dir>/mpm-hooks/stash/unstaged-<pid>-<ms>/`: your exact bytes of each file, a
//! `git diff --binary` patch to read, and a list. Then those files are checked out from the
//! index. Afterwards each file goes back: your bytes exactly when nothing touched it, a
//! three-way merge of the raw bytes when a fixer changed other lines, and when a fixer's change
//! touches your lines, its change to that file is rolled back (index and work tree) and your
//! bytes go back. A [`Stash`] restores when dropped, so a panic or an early return restores
//! too. A run killed outright leaves the folder; that worktree's next run puts it back (never
//! another worktree's). What cannot go back safely is renamed `kept-unstaged-changes-<ms>`,
//! reported once, and `mpm-hooks restore` puts it back on request.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::git::{Repo, path_from_bytes};

/// A file's state in the work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Snap {
    Missing,
    /// Content and permission bits (`0o600` stays `0o600`: git's checkout would widen it).
    File {
        bytes: Vec<u8>,
        mode: u32,
    },
    Link(Vec<u8>),
}

impl Snap {
    /// Its kind and permission bits for the list: `f0644`, `l0000`, `-0000`.
    fn tag(&self) -> Vec<u8> {
        let (kind, mode) = match self {
            Snap::Missing => ('-', 0),
            Snap::File { mode, .. } => ('f', *mode),
            Snap::Link(_) => ('l', 0),
        };
        format!("{kind}{mode:04o}").into_bytes()
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Snap::Missing => b"",
            Snap::File { bytes, .. } | Snap::Link(bytes) => bytes,
        }
    }

    /// Reads a [`Snap::tag`] back, with the bytes saved beside it.
    fn from_tag(tag: &[u8], bytes: Vec<u8>) -> Option<Snap> {
        let (&kind, mode) = tag.split_first()?;
        let mode = u32::from_str_radix(std::str::from_utf8(mode).ok()?, 8).ok()?;
        match kind {
            b'-' => Some(Snap::Missing),
            b'f' => Some(Snap::File { bytes, mode }),
            b'l' => Some(Snap::Link(bytes)),
            _ => None,
        }
    }
}

fn read_snap(path: &Path) -> std::io::Result<Snap> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Snap::Missing),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Ok(Snap::Link(
            std::fs::read_link(path)?.into_os_string().into_encoded_bytes(),
        ));
    }
    if !meta.is_file() {
        return Ok(Snap::Missing);
    }
    Ok(Snap::File {
        bytes: std::fs::read(path)?,
        mode: mode_of(&meta),
    })
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o644
}

/// Makes `path` hold `snap`: a file is replaced atomically (keeping its permissions, with the
/// permission bits as saved), a symlink is re-made, a missing file is removed.
fn write_snap(path: &Path, snap: &Snap, scratch: &Path) -> Result<()> {
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let current = std::fs::symlink_metadata(path).ok();
    let is_dir = current.as_ref().is_some_and(|m| m.is_dir());
    if is_dir {
        return Err(werr(std::io::Error::other("a folder is in the way")));
    }
    let remove = || match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(werr(e)),
        _ => Ok(()),
    };
    match snap {
        Snap::Missing => remove(),
        Snap::Link(target) => {
            remove()?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(werr)?;
            }
            #[cfg(unix)]
            {
                std::os::unix::fs::symlink(path_from_bytes(target), path).map_err(werr)
            }
            #[cfg(not(unix))]
            {
                crate::fs::write_atomic(path, target, Some(scratch))
            }
        }
        Snap::File { bytes, mode } => {
            if current.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
                remove()?;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(werr)?;
            }
            crate::fs::write_atomic_unsynced(path, bytes, Some(scratch))?;
            set_mode(path, *mode).map_err(werr)
        }
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Writes a file only its owner can read (it holds the user's code).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
}

fn make_private_dir(dir: &Path) -> Result<()> {
    let werr = |source| Error::Write {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(werr)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(werr)?;
    }
    Ok(())
}

/// Where this worktree's set-aside changes live: its own git dir, never the shared one.
pub fn stash_root(repo: &Repo) -> PathBuf {
    repo.git_dir.join("mpm-hooks").join("stash")
}

/// A staged file's index entry (mode, blob) as it was before the fixers ran, by raw path.
pub type EntryBefore<'a> = &'a dyn Fn(&[u8]) -> Option<(u32, String)>;

const LIST: &str = "list";
const CLEAN_LIST: &str = "list-after-checkout";
/// The length of a [`Snap::tag`].
const TAG: usize = 5;
const PATCH: &str = "changes.patch";
const KEPT: &str = "kept-unstaged-changes-";

struct Entry {
    path: Vec<u8>,
    user: Snap,
    /// What the checkout wrote; `None` when the run died before it was recorded.
    clean: Option<Snap>,
}

/// Unstaged changes set aside while the pre-commit checks run; put back when restored or
/// dropped.
pub struct Stash<'r> {
    repo: &'r Repo,
    dir: PathBuf,
    entries: Vec<Entry>,
    done: bool,
}

/// How a restore ended.
#[derive(Debug, Default)]
pub struct Restored {
    /// Files where a fixer changed lines next to unstaged changes: the fixer's change to them
    /// was rolled back and the unstaged changes are back as they were.
    pub rolled_back: Vec<String>,
}

impl<'r> Stash<'r> {
    /// Sets every unstaged change aside (see the module docs); `None` when there is none.
    /// Everything is on disk before the work tree is touched.
    pub fn save(repo: &'r Repo) -> Result<Option<Stash<'r>>> {
        let paths: Vec<Vec<u8>> = repo
            .unstaged_changes()?
            .into_iter()
            .filter(|c| c.status != 'A')
            .map(|c| c.path)
            .collect();
        if paths.is_empty() {
            return Ok(None);
        }
        let root = stash_root(repo);
        make_private_dir(&root)?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let dir = root.join(format!("unstaged-{}-{stamp}", std::process::id()));
        make_private_dir(&dir)?;
        let mut entries = Vec::new();
        let mut list = Vec::new();
        for (i, path) in paths.into_iter().enumerate() {
            let abs = repo.root.join(path_from_bytes(&path));
            let user = read_snap(&abs).map_err(|source| Error::Read { path: abs, source })?;
            write_private(&dir.join(format!("yours-{i}")), user.bytes())?;
            list.extend_from_slice(&user.tag());
            list.extend_from_slice(&path);
            list.push(0);
            entries.push(Entry {
                path,
                user,
                clean: None,
            });
        }
        let paths: Vec<Vec<u8>> = entries.iter().map(|e| e.path.clone()).collect();
        write_private(&dir.join(PATCH), &repo.unstaged_patch(&paths)?)?;
        write_private(&dir.join(LIST), &list)?;
        let mut stash = Stash {
            repo,
            dir,
            entries,
            done: false,
        };
        repo.checkout_index(&paths)?;
        let mut kinds = Vec::new();
        for (i, e) in stash.entries.iter_mut().enumerate() {
            let abs = repo.root.join(path_from_bytes(&e.path));
            let clean = read_snap(&abs).map_err(|source| Error::Read { path: abs, source })?;
            write_private(&stash.dir.join(format!("index-{i}")), clean.bytes())?;
            kinds.extend_from_slice(&clean.tag());
            e.clean = Some(clean);
        }
        write_private(&stash.dir.join(CLEAN_LIST), &kinds)?;
        Ok(Some(stash))
    }

    /// Puts the changes back. `before` gives a staged file's index entry (mode, blob) as it was
    /// before the fixers ran: where a fixer's change touches unstaged lines, that entry comes
    /// back and so do your bytes, and the file is named in [`Restored::rolled_back`].
    pub fn restore(mut self, before: EntryBefore<'_>) -> Result<Restored> {
        self.done = true;
        // On an error the folder stays under this pid: the next run reports it and
        // `mpm-hooks restore` takes it from there.
        let rolled_back = put_back(self.repo, &self.dir, &self.entries, Mode::Hook(before))?;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(Restored { rolled_back })
    }
}

impl Drop for Stash<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // A panic or an early return: put back what can go back exactly; the rest stays for
        // the next run, which reports it.
        if let Ok(conflicts) = put_back(self.repo, &self.dir, &self.entries, Mode::Exact)
            && conflicts.is_empty()
        {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

enum Mode<'a> {
    /// In the hook: merge a fixer's change in, or roll it back.
    Hook(EntryBefore<'a>),
    /// Only exact restores (the file as the checkout left it); returns the others.
    Exact,
    /// `mpm-hooks restore`: merge with whatever the file holds now; returns what did not merge.
    Merge,
}

/// Puts each entry back; the paths it could not (Exact, Merge) or rolled back (Hook).
fn put_back(repo: &Repo, dir: &Path, entries: &[Entry], mode: Mode<'_>) -> Result<Vec<String>> {
    let scratch = dir.join("tmp");
    let mut left = Vec::new();
    let mut rollback = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let abs = repo.root.join(path_from_bytes(&e.path));
        let current = read_snap(&abs).map_err(|source| Error::Read {
            path: abs.clone(),
            source,
        })?;
        if current == e.user {
            continue;
        }
        if e.clean.as_ref() == Some(&current) {
            write_snap(&abs, &e.user, &scratch)?;
            continue;
        }
        let name = String::from_utf8_lossy(&e.path).into_owned();
        if matches!(mode, Mode::Exact) {
            left.push(name);
            continue;
        }
        if let (Snap::File { mode, .. }, Some(Snap::File { .. }), Snap::File { bytes, .. }) =
            (&e.user, &e.clean, &current)
        {
            let theirs = dir.join(format!("now-{i}"));
            write_private(&theirs, bytes)?;
            let merged = repo.merge_files(
                &dir.join(format!("yours-{i}")),
                &dir.join(format!("index-{i}")),
                &theirs,
            )?;
            let _ = std::fs::remove_file(&theirs);
            if let Some(merged) = merged {
                write_snap(
                    &abs,
                    &Snap::File {
                        bytes: merged,
                        mode: *mode,
                    },
                    &scratch,
                )?;
                continue;
            }
        }
        match mode {
            Mode::Hook(before) => {
                if let Some((m, blob)) = before(&e.path) {
                    rollback.push((m, blob, e.path.clone()));
                }
                write_snap(&abs, &e.user, &scratch)?;
                left.push(name);
            }
            _ => left.push(name),
        }
    }
    if !rollback.is_empty() {
        repo.set_index_entries(&rollback)?;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(left)
}

/// Reads a stash folder back: `None` when it holds nothing to put back.
fn load(dir: &Path) -> Option<Vec<Entry>> {
    let list = std::fs::read(dir.join(LIST)).ok()?;
    let clean = std::fs::read(dir.join(CLEAN_LIST)).ok();
    let mut entries = Vec::new();
    for (i, record) in list.split(|&b| b == 0).filter(|r| !r.is_empty()).enumerate() {
        let (tag, path) = record.split_at_checked(TAG)?;
        let user = Snap::from_tag(tag, std::fs::read(dir.join(format!("yours-{i}"))).ok()?)?;
        let clean = clean
            .as_ref()
            .and_then(|tags| tags.get(i * TAG..(i + 1) * TAG))
            .and_then(|tag| Snap::from_tag(tag, std::fs::read(dir.join(format!("index-{i}"))).ok()?));
        entries.push(Entry {
            path: path.to_vec(),
            user,
            clean,
        });
    }
    Some(entries)
}

/// The set-aside folders a finished run left in this worktree: `(pid, folder)`.
fn leftovers(repo: &Repo) -> Vec<(u32, PathBuf)> {
    let Ok(read) = std::fs::read_dir(stash_root(repo)) else {
        return Vec::new();
    };
    let mut out: Vec<(u32, PathBuf)> = read
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix("unstaged-")?.split('-').next()?.parse::<u32>().ok()?;
            (e.path().is_dir() && pid != std::process::id() && !process_alive(pid)).then(|| (pid, e.path()))
        })
        .collect();
    out.sort();
    out
}

/// Puts back unstaged changes that a run of this worktree set aside and never put back
/// (kill -9, a crash). What cannot go back exactly is kept and reported here, once. One line
/// per set-aside folder.
pub fn recover(repo: &Repo) -> Vec<String> {
    let mut lines = Vec::new();
    for (_, dir) in leftovers(repo) {
        let Some(entries) = load(&dir) else {
            // Killed before the list was written: the work tree was never touched.
            let _ = std::fs::remove_dir_all(&dir);
            continue;
        };
        let names: Vec<String> = entries
            .iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect();
        match put_back(repo, &dir, &entries, Mode::Exact) {
            Ok(left) if left.is_empty() => {
                let _ = std::fs::remove_dir_all(&dir);
                lines.push(format!(
                    "restored the unstaged changes an interrupted mpm-hooks run had set aside ({})",
                    names.join(", ")
                ));
            }
            outcome => {
                let why = match outcome {
                    Ok(left) => format!("{} changed since", left.join(", ")),
                    Err(e) => e.to_string(),
                };
                let kept = keep(&dir);
                lines.push(format!(
                    "unstaged changes an interrupted mpm-hooks run had set aside could not go back ({why}); they are kept in {}: run `mpm-hooks restore` to merge them back",
                    kept.display()
                ));
            }
        }
    }
    lines
}

/// Renames a set-aside folder to say it is kept (so it is reported once, not on every run).
fn keep(dir: &Path) -> PathBuf {
    let stamp = dir
        .file_name()
        .map(|n| n.to_string_lossy().rsplit('-').next().unwrap_or("0").to_string())
        .unwrap_or_default();
    let kept = dir.with_file_name(format!("{KEPT}{stamp}"));
    match std::fs::rename(dir, &kept) {
        Ok(()) => kept,
        Err(_) => dir.to_path_buf(),
    }
}

/// One kept set of unstaged changes, for `mpm-hooks restore`.
#[derive(Debug)]
pub struct Kept {
    pub dir: PathBuf,
    pub files: Vec<String>,
}

/// The set-aside changes of this worktree that were not put back (kept, or left by a run
/// that died), oldest first.
pub fn kept(repo: &Repo) -> Vec<Kept> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(stash_root(repo))
        .map(|r| {
            r.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(KEPT))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    dirs.extend(leftovers(repo).into_iter().map(|(_, d)| d));
    dirs.sort_by_key(|d| {
        d.file_name()
            .map(|n| n.to_string_lossy().rsplit('-').next().unwrap_or("").to_string())
    });
    dirs.into_iter()
        .filter_map(|dir| {
            let entries = load(&dir)?;
            Some(Kept {
                files: entries
                    .iter()
                    .map(|e| String::from_utf8_lossy(&e.path).into_owned())
                    .collect(),
                dir,
            })
        })
        .collect()
}

/// `mpm-hooks restore`: puts one kept set back, merging with what each file holds now. Returns
/// the files that could not merge (the folder is then kept; your whole version of each is its
/// `yours-<n>` file); the folder is removed when every file went back.
pub fn restore_kept(repo: &Repo, kept: &Kept) -> Result<Vec<(String, PathBuf)>> {
    let Some(entries) = load(&kept.dir) else {
        return Ok(Vec::new());
    };
    let left = put_back(repo, &kept.dir, &entries, Mode::Merge)?;
    if left.is_empty() {
        let _ = std::fs::remove_dir_all(&kept.dir);
        return Ok(Vec::new());
    }
    Ok(entries
        .iter()
        .enumerate()
        .filter(|(_, e)| left.contains(&String::from_utf8_lossy(&e.path).into_owned()))
        .map(|(i, e)| {
            (
                String::from_utf8_lossy(&e.path).into_owned(),
                kept.dir.join(format!("yours-{i}")),
            )
        })
        .collect())
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    false
}
