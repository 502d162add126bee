//! File access that names the path on failure, and the one atomic write used for every file the
//! tool changes (VERSION, BUILD_NUMBER, synced sources, hooks, config).

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

pub fn read_to_string(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads a file, returning `None` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes `contents` to `path` so that a reader (or a crash) sees the old or the new content,
/// never a partial file: a temp file is written and synced, given the old file's permissions,
/// then renamed over the target.
///
/// The temp file is made in `scratch` (a folder under the git dir, so a crash never leaves a stray
/// file in the work tree where it could be committed) when that is on the same filesystem, else
/// beside the target. A read-only target is refused: rename would silently replace it.
pub fn write_atomic(path: &Path, contents: &[u8], scratch: Option<&Path>) -> Result<()> {
    replace(path, contents, scratch, true)
}

/// [`write_atomic`] without syncing the temp file before the rename: what git does with the
/// files it writes in the work tree. For the pre-commit hook's BUILD_NUMBER, where the sync
/// took 0.3 ms of a step meant to take 1 (a crash still leaves the old or the new content on
/// filesystems that flush a file renamed over another, as ext4 and btrfs do).
pub fn write_atomic_unsynced(path: &Path, contents: &[u8], scratch: Option<&Path>) -> Result<()> {
    replace(path, contents, scratch, false)
}

fn replace(path: &Path, contents: &[u8], scratch: Option<&Path>, sync: bool) -> Result<()> {
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let existing = match std::fs::metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(werr(e)),
    };
    if let Some(meta) = &existing
        && meta.permissions().readonly()
    {
        return Err(Error::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    let target_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = None;
    if let Some(dir) = scratch
        && std::fs::create_dir_all(dir).is_ok()
        && same_filesystem(dir, &target_dir)
    {
        tmp = tempfile::Builder::new().prefix(".mpm-hooks-").tempfile_in(dir).ok();
    }
    let mut tmp = match tmp {
        Some(t) => t,
        None => tempfile::Builder::new()
            .prefix(".mpm-hooks-")
            .suffix(".tmp")
            .tempfile_in(&target_dir)
            .map_err(werr)?,
    };
    tmp.write_all(contents).map_err(werr)?;
    if sync {
        tmp.as_file().sync_all().map_err(werr)?;
    }
    if let Some(perms) = existing.map(|m| m.permissions()).or_else(new_file_permissions) {
        std::fs::set_permissions(tmp.path(), perms).map_err(werr)?;
    }
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn same_filesystem(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_filesystem(_: &Path, _: &Path) -> bool {
    false
}

/// What a plain `create` gives under the usual umask (temp files are made 0600).
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// An exclusive lock, as git's `index.lock`: a file made with an exclusive create (which
/// succeeds for one process only), removed when the value is dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock `path`, retrying for up to `wait` while another process holds it. Still
    /// held after that: an error that names the lock file and what to do.
    pub fn acquire(path: &Path, wait: std::time::Duration) -> Result<Lock> {
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(1);
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    // Who holds it, for whoever finds it left behind.
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(Lock {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && started.elapsed() < wait => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(25));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(Error::refused(
                        format!(
                            "{} is held: another mpm-hooks (pid {}) is changing the version files",
                            path.display(),
                            std::fs::read_to_string(path)
                                .ok()
                                .map(|p| p.trim().to_string())
                                .filter(|p| !p.is_empty())
                                .unwrap_or_else(|| "unknown".into())
                        ),
                        format!(
                            "wait for it to finish and try again; if no mpm-hooks is running, the lock was left behind by a crash: remove {}",
                            path.display()
                        ),
                    ));
                }
                Err(source) => {
                    return Err(Error::Write {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Resolves a path named in configuration (`origin` is the config file) against `root`, refusing
/// absolute paths, `..` that climbs out, and symlinks that lead outside the root.
pub fn resolve_inside(root: &Path, value: &str, origin: &Path) -> Result<PathBuf> {
    let escape = || Error::PathEscapes {
        path: origin.to_path_buf(),
        value: value.to_string(),
    };
    let rel = Path::new(value);
    let mut depth: usize = 0;
    for c in rel.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => depth = depth.checked_sub(1).ok_or_else(escape)?,
            Component::RootDir | Component::Prefix(_) => return Err(escape()),
        }
    }
    let joined = root.join(rel);
    // Follow symlinks of whatever part exists and check it is still under the root.
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut probe = joined.clone();
    loop {
        if let Ok(real) = probe.canonicalize() {
            if !real.starts_with(&canonical_root) {
                return Err(escape());
            }
            break;
        }
        if !probe.pop() {
            break;
        }
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        write_atomic(&path, b"new", None).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file left behind");
    }

    #[test]
    fn write_atomic_refuses_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "old").unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms).unwrap();
        assert!(matches!(write_atomic(&path, b"new", None), Err(Error::ReadOnly { .. })));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    }

    #[test]
    fn a_lock_is_exclusive_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = Lock::acquire(&path, std::time::Duration::ZERO).unwrap();
        let e = Lock::acquire(&path, std::time::Duration::from_millis(20)).unwrap_err();
        assert!(e.to_string().contains("x.lock is held"), "{e}");
        drop(held);
        assert!(!path.exists());
        Lock::acquire(&path, std::time::Duration::ZERO).unwrap();
    }

    #[test]
    fn resolve_inside_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let origin = Path::new(".mpm-hooks.toml");
        assert!(resolve_inside(dir.path(), "a/b.py", origin).is_ok());
        assert!(resolve_inside(dir.path(), "a/../b.py", origin).is_ok());
        assert!(resolve_inside(dir.path(), "../b.py", origin).is_err());
        assert!(resolve_inside(dir.path(), "a/../../b.py", origin).is_err());
        assert!(resolve_inside(dir.path(), "/etc/passwd", origin).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/tmp", dir.path().join("out")).unwrap();
            assert!(resolve_inside(dir.path(), "out/x", origin).is_err());
        }
    }
}
