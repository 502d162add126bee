//! Blob ids and blobs: hashing content as git does (SHA-1 or SHA-256), storing it, and reading
//! a file as a commit holds it.

use std::path::Path;

use super::{Repo, git_output};
use crate::error::{Error, Result};

/// Set when the process works in a SHA-256 repository (one repository per process).
pub(super) static SHA256_OBJECTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The id git gives `content` as a blob. In a SHA-256 repository, its first 20 bytes (all a
/// `git2::Oid` holds), as [`LoadedEntry::id`](super::LoadedEntry::id) gives an entry's there:
/// the two compare.
pub fn blob_id(content: &[u8]) -> git2::Oid {
    if SHA256_OBJECTS.load(std::sync::atomic::Ordering::Relaxed) {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(format!("blob {}\0", content.len()).as_bytes());
        hasher.update(content);
        return git2::Oid::from_bytes(&hasher.finalize()[..20]).unwrap_or_else(|_| git2::Oid::zero());
    }
    git2::Oid::hash_object(git2::ObjectType::Blob, content).unwrap_or_else(|_| git2::Oid::zero())
}

/// Stores `content` as a blob in the object folder `objects` (`<common git dir>/objects`),
/// opened on its own: a git2 repository handle cannot be shared between threads, and an
/// object database alone reads no configuration.
pub fn store_blob(objects: &Path, content: &[u8]) -> Result<git2::Oid> {
    if SHA256_OBJECTS.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(Error::Sha256 {
            what: "storing a blob with libgit2".into(),
        });
    }
    let fail = |e| Error::git("cannot store a blob", e);
    let odb = git2::Odb::new().map_err(fail)?;
    odb.add_disk_alternate(&objects.to_string_lossy()).map_err(fail)?;
    odb.write(git2::ObjectType::Blob, content).map_err(fail)
}

impl Repo {
    /// Stores `content` as a blob with `git hash-object -w`; returns its id in hex.
    pub(super) fn hash_object(&self, content: &[u8]) -> Result<String> {
        let (_, out) = self.git_io(&["hash-object", "-w", "--stdin"], content, &[0])?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The content of `path` in `commit`; `None` when the commit has no such file.
    pub fn file_at(&self, commit: git2::Oid, path: &str) -> Result<Option<Vec<u8>>> {
        if self.sha256 {
            let mut cmd = self.git_command();
            cmd.args(["cat-file", "blob", &format!("{commit}:{path}")])
                .stdin(std::process::Stdio::null());
            let out = git_output(&mut cmd, "cat-file blob")?;
            return Ok(out.status.success().then_some(out.stdout));
        }
        let fail = |e| Error::git(format!("cannot read {path} in commit {commit}"), e);
        let tree = self.inner.find_commit(commit).and_then(|c| c.tree()).map_err(fail)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(fail(e)),
        };
        match self.inner.find_blob(entry.id()) {
            Ok(blob) => Ok(Some(blob.content().to_vec())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(fail(e)),
        }
    }
}
