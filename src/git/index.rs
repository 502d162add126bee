//! The index file: one entry loaded without a repository handle, staged by patching the file's
//! bytes where its layout allows (else through gix-index or git), and whole-index reads.

use std::path::{Path, PathBuf};

use super::{Repo, git_stdout};
use crate::error::{Error, Result};

/// One index entry as read from the index file, with no repository handle, so that it can be
/// loaded on another thread: what is staged for a path, and the whole index with new content
/// staged for it, prepared ahead.
///
/// In the usual index (version 2 or 3, SHA-1, no split index) the entry is found by walking the
/// file's bytes, and staging patches its id and size in a copy of the file: copying the bytes
/// skips parsing and serializing every other entry (5,000 entries: 0.2 ms to parse, 0.8 ms to
/// serialize with gix-index). Any other index is parsed and written by gix-index (keeping the
/// cache tree, the sparse-index marker and every entry; git's optional caches, such as the
/// untracked cache, are left for git to rebuild). A path that is not in the index yet goes
/// through git2, which inserts it. The new checksum comes from the `sha1` crate.
pub struct LoadedEntry {
    path: PathBuf,
    rel: String,
    form: Form,
    /// The index file's size, modification time and inode when it was read.
    stamp: Option<(u64, Option<std::time::SystemTime>, u64)>,
    /// Content whose blob is stored, and the complete index file with it staged.
    ready: Option<(Vec<u8>, Vec<u8>)>,
}

enum Form {
    /// The index file, the offset of the entry in it, and where the extensions start.
    Raw {
        bytes: Vec<u8>,
        at: usize,
        extensions: usize,
    },
    Parsed(Box<gix_index::File>),
    /// An index of SHA-256 ids (neither the patch nor gix-index as built here reads those):
    /// staged through git, with the entry's mode.
    Sha256 {
        mode: u32,
        id: Option<git2::Oid>,
    },
}

fn stamp(meta: &std::fs::Metadata) -> (u64, Option<std::time::SystemTime>, u64) {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    (meta.len(), meta.modified().ok(), inode)
}

impl LoadedEntry {
    /// Reads the entry of `rel` from the index file `path` (a missing file is an empty index).
    pub fn load(path: PathBuf, rel: &str) -> Result<LoadedEntry> {
        let (raw, stamp) = match std::fs::File::open(&path) {
            Ok(mut file) => {
                let meta = file.metadata().map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                })?;
                let mut raw = Vec::with_capacity(meta.len() as usize);
                std::io::Read::read_to_end(&mut file, &mut raw).map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                })?;
                (raw, Some(stamp(&meta)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), None),
            Err(source) => return Err(Error::Read { path, source }),
        };
        let form = match locate_entry(&raw, rel.as_bytes()) {
            Some((at, extensions)) => Form::Raw {
                bytes: raw,
                at,
                extensions,
            },
            None => match parse_index(&path, raw.is_empty()) {
                Ok(file) => Form::Parsed(Box::new(file)),
                Err(_) if is_sha256_index(&raw) => match sha256_entry(&raw, rel.as_bytes()) {
                    Some((mode, id)) => Form::Sha256 { mode, id: Some(id) },
                    None => Form::Sha256 {
                        mode: 0o100644,
                        id: None,
                    },
                },
                Err(e) => return Err(e),
            },
        };
        Ok(LoadedEntry {
            path,
            rel: rel.to_string(),
            form,
            stamp,
            ready: None,
        })
    }

    /// The id of the staged blob, if the path is in the index.
    pub fn id(&self) -> Option<git2::Oid> {
        let bytes = match &self.form {
            Form::Raw { bytes, at, .. } => &bytes[at + 40..at + 60],
            Form::Parsed(file) => file
                .entry_by_path_and_stage(self.rel.as_str().into(), gix_index::entry::Stage::Unconflicted)?
                .id
                .as_slice(),
            Form::Sha256 { id, .. } => return *id,
        };
        git2::Oid::from_bytes(bytes).ok()
    }

    /// Whether the index file is still the one that was read (git replaces it on every write).
    pub fn is_current(&self) -> bool {
        match std::fs::metadata(&self.path) {
            Ok(meta) => self.stamp == Some(stamp(&meta)),
            Err(_) => self.stamp.is_none() && !self.path.exists(),
        }
    }

    /// Builds the index file with `content` staged, whose blob `id` is already stored, so that
    /// staging it later is a single write. Only for an entry found in the index bytes.
    pub fn prepare(&mut self, content: &[u8], id: git2::Oid) {
        if let Form::Raw { bytes, at, extensions } = &self.form {
            let new = patched(bytes, *at, *extensions, id, content.len());
            self.ready = Some((content.to_vec(), new));
        }
    }
}

fn parse_index(path: &Path, missing: bool) -> Result<gix_index::File> {
    // One thread: the hook's index is small next to the cost of starting threads. The
    // checksum is not verified on read, as git does not verify it either.
    let options = gix_index::decode::Options {
        thread_limit: Some(1),
        ..Default::default()
    };
    match gix_index::File::at(path, gix_hash::Kind::Sha1, true, options) {
        Ok(file) => Ok(file),
        Err(_) if missing && !path.exists() => Ok(gix_index::File::from_state(
            gix_index::State::new(gix_hash::Kind::Sha1),
            path.to_path_buf(),
        )),
        Err(e) => Err(Error::Git {
            message: format!("cannot read the index {}: {e}", path.display()),
            source: None,
        }),
    }
}

/// Whether `raw` is an index file of SHA-256 ids: its trailing checksum is the SHA-256 of the
/// rest (or null, under `index.skipHash`).
fn is_sha256_index(raw: &[u8]) -> bool {
    if raw.len() < 12 + 32 || &raw[..4] != b"DIRC" {
        return false;
    }
    let (body, sum) = raw.split_at(raw.len() - 32);
    sum.iter().all(|&b| b == 0) || <sha2::Sha256 as sha2::Digest>::digest(body).as_slice() == sum
}

/// The mode and id of the stage-0 entry `path` in a SHA-256 index that can be walked (as
/// [`locate_entry`] walks a SHA-1 one), the id cut to its first 20 bytes (see
/// [`blob_id`](super::blob_id)).
fn sha256_entry(raw: &[u8], path: &[u8]) -> Option<(u32, git2::Oid)> {
    let (at, _) = locate_entry_with(raw, path, 32)?;
    let mode = u32::from_be_bytes(raw.get(at + 24..at + 28)?.try_into().ok()?);
    Some((mode, git2::Oid::from_bytes(raw.get(at + 40..at + 60)?).ok()?))
}

fn is_null_checksum(index: &[u8]) -> bool {
    index.len() >= 20 && index[index.len() - 20..].iter().all(|&b| b == 0)
}

/// The index file `raw` with the entry at `at` staged as blob `id` of `size` bytes, its
/// checksum written (kept null under `index.skipHash`).
fn patched(raw: &[u8], at: usize, extensions: usize, id: git2::Oid, size: usize) -> Vec<u8> {
    let size = u32::try_from(size).unwrap_or(u32::MAX);
    let mut new = patch_entry(raw, at, extensions, id.as_bytes(), size);
    finish(&mut new, is_null_checksum(raw));
    new
}

/// Writes the checksum of an index file into its last 20 bytes, unless the index had none
/// (`index.skipHash`).
fn finish(index: &mut [u8], keep_null_checksum: bool) {
    if !keep_null_checksum {
        let end = index.len() - 20;
        let digest = <sha1::Sha1 as sha1::Digest>::digest(&index[..end]);
        index[end..].copy_from_slice(&digest);
    }
}

/// A loaded index entry with the repository that stores its blobs.
pub struct IndexEntry<'r> {
    repo: &'r Repo,
    loaded: LoadedEntry,
}

impl IndexEntry<'_> {
    /// The id of the staged blob, if the path is in the index.
    pub fn id(&self) -> Option<git2::Oid> {
        self.loaded.id()
    }

    /// The staged content, if the path is in the index.
    pub fn content(&self) -> Result<Option<Vec<u8>>> {
        if let Form::Sha256 { .. } = self.loaded.form {
            return Ok(self.repo.staged_blob_by_git(&self.loaded.path, &self.loaded.rel));
        }
        let Some(id) = self.id() else {
            return Ok(None);
        };
        let blob = self
            .repo
            .git2("reading the index")?
            .find_blob(id)
            .map_err(|e| Error::git(format!("cannot read {} from the index", self.loaded.rel), e))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// Stages `content`; fails, writing nothing, when index.lock is held.
    pub fn stage(self, content: &[u8]) -> Result<()> {
        let LoadedEntry {
            path, rel, form, ready, ..
        } = self.loaded;
        let rel = rel.as_str();
        if let Form::Sha256 { mode, .. } = form {
            let id = self.repo.hash_object(content)?;
            return self.repo.update_index(&path, rel, &id, mode);
        }
        let fail = |e: &dyn std::fmt::Display| Error::Git {
            message: format!("cannot stage {rel}: {e}"),
            source: None,
        };
        let bytes = match ready {
            Some((prepared, bytes)) if prepared == content => bytes,
            _ => {
                let id = self
                    .repo
                    .git2("storing a blob")?
                    .blob(content)
                    .map_err(|e| Error::git(format!("cannot store {rel}"), e))?;
                match form {
                    Form::Raw { bytes, at, extensions } => patched(&bytes, at, extensions, id, content.len()),
                    // Staged through git above.
                    Form::Sha256 { .. } => return Err(Error::Sha256 { what: "staging".into() }),
                    Form::Parsed(mut file) => {
                        // gix-index writes neither version 4 nor a split index: git does those.
                        let by_git = file.version() == gix_index::Version::V4 || file.link().is_some();
                        let unconflicted = gix_index::entry::Stage::Unconflicted;
                        let Some(entry) = file.entry_mut_by_path_and_stage(rel.into(), unconflicted) else {
                            return self.repo.stage_new(rel, content);
                        };
                        if by_git {
                            return self.repo.update_index(&path, rel, &id.to_string(), entry.mode.bits());
                        }
                        entry.id = gix_hash::ObjectId::try_from(id.as_bytes()).map_err(|e| fail(&e))?;
                        entry.stat.size = u32::try_from(content.len()).unwrap_or(u32::MAX);
                        // The cached tree of the top folder no longer matches; git rebuilds it
                        // on commit.
                        if let Some(tree) = file.tree_mut() {
                            tree.num_entries = None;
                        }
                        let mut bytes = Vec::with_capacity(64 * 1024);
                        let options = gix_index::write::Options {
                            skip_hash: true,
                            ..Default::default()
                        };
                        file.write_to(&mut bytes, options).map_err(|e| fail(&e))?;
                        finish(&mut bytes, file.checksum().is_some_and(|c| c.is_null()));
                        bytes
                    }
                }
            }
        };
        write_locked(&path, &bytes).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Git {
                    message: format!(
                        "cannot stage {rel}; another git process holds index.lock: wait for it, or remove the stale lock file"
                    ),
                    source: None,
                }
            } else {
                fail(&e)
            }
        })
    }
}

impl Repo {
    /// Opens that index through git2.
    fn index(&self) -> Result<git2::Index> {
        self.git2("reading the index")?;
        if std::env::var_os("GIT_INDEX_FILE").is_none() {
            return self.inner.index().map_err(|e| Error::git("cannot open the index", e));
        }
        let mut index = git2::Index::open(&self.index_path()).map_err(|e| Error::git("cannot open the index", e))?;
        // A free-standing index needs the repository to hash work-tree files.
        self.inner
            .set_index(&mut index)
            .map_err(|e| Error::git("cannot open the index", e))?;
        self.inner.index().map_err(|e| Error::git("cannot open the index", e))
    }

    /// The index entry of `rel` (a path at the top of the work tree), loaded once, for reading
    /// what is staged and then staging new content for it.
    pub fn index_entry(&self, rel: &str) -> Result<IndexEntry<'_>> {
        Ok(self.entry_of(LoadedEntry::load(self.index_path(), rel)?))
    }

    /// An entry loaded (maybe on another thread) from this repository's index.
    pub fn entry_of(&self, loaded: LoadedEntry) -> IndexEntry<'_> {
        IndexEntry { repo: self, loaded }
    }

    /// The content staged for `rel` in the index file `index`, read by git (`None` when the
    /// path is not there).
    fn staged_blob_by_git(&self, index: &Path, rel: &str) -> Option<Vec<u8>> {
        let out = self
            .git_command()
            .env("GIT_INDEX_FILE", index)
            .args(["cat-file", "blob", &format!(":{rel}")])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    }

    /// Every path in the index, through git: for a SHA-256 repository, which libgit2 cannot read.
    fn tracked_by_git(&self) -> Result<Vec<String>> {
        let out = self.run_git(&["ls-files", "-z", "--cached"])?;
        Ok(out
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect())
    }

    /// Stages the stored blob `id` as `rel` in the index file `index` with `git update-index`:
    /// for the layouts that cannot be patched in place and that gix-index does not write.
    fn update_index(&self, index: &Path, rel: &str, id: &str, mode: u32) -> Result<()> {
        let info = format!("{mode:o},{id},{rel}");
        let args = ["update-index", "--add", "--cacheinfo", info.as_str()];
        let mut cmd = self.git_command();
        cmd.env("GIT_INDEX_FILE", index)
            .args(args)
            .stdin(std::process::Stdio::null());
        git_stdout(&mut cmd, &args.join(" ")).map(|_| ())
    }

    /// Every path in the index.
    pub fn tracked(&self) -> Result<Vec<String>> {
        if self.sha256 {
            return self.tracked_by_git();
        }
        let index = self.index()?;
        Ok(index
            .iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect())
    }

    /// Adds an entry that is not in the index yet, through git2.
    fn stage_new(&self, rel: &str, content: &[u8]) -> Result<()> {
        let path = Path::new(rel);
        let mut index = self.index()?;
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(content.len()).unwrap_or(u32::MAX),
            id: git2::Oid::zero(),
            flags: 0,
            flags_extended: 0,
            path: rel.as_bytes().to_vec(),
        };
        index
            .add_frombuffer(&entry, content)
            .map_err(|e| index_error(path, e))?;
        index.write().map_err(|e| index_error(path, e))
    }
}

/// The offset of the stage-0 entry `path` in the index file `raw` and the offset of the first
/// extension, when the file can be patched in place: index version 2, 3 or 4, SHA-1 ids, and
/// only extensions that are optional or the cache tree (no split index, sparse directories or
/// end-of-entries table, whose contents depend on the entries' positions). `None` otherwise,
/// and when `path` is not there. Patching changes no entry's length, so a version 4 index (whose
/// paths are stored as the difference from the previous entry's) stays version 4.
fn locate_entry(raw: &[u8], path: &[u8]) -> Option<(usize, usize)> {
    locate_entry_with(raw, path, 20)
}

/// [`locate_entry`] for ids of `hash_len` bytes (20: SHA-1, 32: SHA-256).
fn locate_entry_with(raw: &[u8], path: &[u8], hash_len: usize) -> Option<(usize, usize)> {
    let be32 = |at: usize| {
        raw.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    if raw.len() < 32 || &raw[..4] != b"DIRC" {
        return None;
    }
    let version = be32(4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(8)? as usize;
    let end = raw.len().checked_sub(hash_len)?;
    let mut at = 12;
    let mut target = None;
    // Version 4: the previous entry's path, which the next one strips a tail of and extends.
    let mut name = Vec::new();
    for _ in 0..count {
        let flags_at = at + 40 + hash_len;
        let flags = u16::from_be_bytes([*raw.get(flags_at)?, *raw.get(flags_at + 1)?]);
        let name_at = flags_at + if version >= 3 && flags & 0x4000 != 0 { 4 } else { 2 };
        if version == 4 {
            let (strip, used) = varint(raw.get(name_at..end)?)?;
            let suffix_at = name_at + used;
            let suffix_len = raw.get(suffix_at..end)?.iter().position(|&b| b == 0)?;
            name.truncate(name.len().checked_sub(usize::try_from(strip).ok()?)?);
            name.extend_from_slice(&raw[suffix_at..suffix_at + suffix_len]);
            if name == path && (flags >> 12) & 3 == 0 {
                target = Some(at);
            }
            at = suffix_at + suffix_len + 1;
            continue;
        }
        let name_len = raw.get(name_at..end)?.iter().position(|&b| b == 0)?;
        if &raw[name_at..name_at + name_len] == path && (flags >> 12) & 3 == 0 {
            target = Some(at);
        }
        at += (name_at - at + name_len + 8) & !7;
    }
    let extensions = at;
    while at < end {
        let signature = raw.get(at..at + 4)?;
        let len = be32(at + 4)? as usize;
        let data = raw.get(at + 8..at + 8 + len)?;
        let patchable = match signature {
            b"TREE" => tree_root(data).is_some(),
            b"EOIE" => false,
            _ => signature[0].is_ascii_uppercase(),
        };
        if !patchable {
            return None;
        }
        at += 8 + len;
    }
    (at == end).then_some((target?, extensions))
}

/// git's varint (varint.c, as in pack offsets): the value and the bytes it took.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut used = 0;
    let mut c = *bytes.first()?;
    let mut value = u64::from(c & 127);
    while c & 128 != 0 {
        used += 1;
        c = *bytes.get(used)?;
        value = value.checked_add(1)?.checked_mul(128)? + u64::from(c & 127);
    }
    Some((value, used + 1))
}

/// The cache tree's first record, the top folder's: "" NUL, "<entries> <subtrees>" LF, then
/// its tree id unless <entries> is -1 (invalid). Returns the subtree count and where the rest
/// of the extension starts.
fn tree_root(data: &[u8]) -> Option<(&str, usize)> {
    let line_end = data.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(data.get(1..line_end)?).ok()?;
    let (entries, subtrees) = line.split_once(' ')?;
    let rest = if entries == "-1" {
        line_end + 1
    } else {
        line_end + 1 + 20
    };
    (rest <= data.len()).then_some((subtrees, rest))
}

/// The index file `raw` (checked by `locate_entry`) with the entry at `target` given a new blob
/// id and size, and the cached tree of the top folder marked invalid; every other byte is kept,
/// extensions too. The checksum is left for the caller.
fn patch_entry(raw: &[u8], target: usize, extensions: usize, id: &[u8], size: u32) -> Vec<u8> {
    let be32 = |at: usize| u32::from_be_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]) as usize;
    let end = raw.len() - 20;
    let mut at = extensions;
    let mut out = Vec::with_capacity(raw.len() + 32);
    out.extend_from_slice(&raw[..at]);
    out[target + 36..target + 40].copy_from_slice(&size.to_be_bytes());
    out[target + 40..target + 60].copy_from_slice(id);
    while at < end {
        let len = be32(at + 4);
        let data = &raw[at + 8..at + 8 + len];
        match tree_root(data) {
            Some((subtrees, rest)) if &raw[at..at + 4] == b"TREE" => {
                let mut tree = format!("\0-1 {subtrees}\n").into_bytes();
                tree.extend_from_slice(&data[rest..]);
                out.extend_from_slice(b"TREE");
                out.extend_from_slice(&(tree.len() as u32).to_be_bytes());
                out.extend_from_slice(&tree);
            }
            _ => out.extend_from_slice(&raw[at..at + 8 + len]),
        }
        at += 8 + len;
    }
    out.extend_from_slice(&raw[end..]);
    out
}

/// Replaces `path` as git does: write `<path>.lock` (created exclusively: it is git's lock),
/// then rename it over `path`.
fn write_locked(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut lock_name = path.as_os_str().to_os_string();
    lock_name.push(".lock");
    let lock = PathBuf::from(lock_name);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&lock)?;
    let written = file.write_all(bytes).and_then(|_| std::fs::rename(&lock, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&lock);
    }
    written
}

impl LoadedEntry {
    /// Whether the entry only marks the path intent-to-add (`git add -N`): it holds the empty
    /// blob, and the commit leaves the path out.
    pub fn is_intent_to_add(&self) -> bool {
        match &self.form {
            Form::Raw { bytes, at, .. } => {
                let version = bytes.get(4..8).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                let flags = u16::from_be_bytes([bytes[at + 60], bytes[at + 61]]);
                matches!(version, Some(3 | 4))
                    && flags & 0x4000 != 0
                    && bytes
                        .get(at + 62..at + 64)
                        .is_some_and(|b| u16::from_be_bytes([b[0], b[1]]) & 0x2000 != 0)
            }
            Form::Parsed(file) => file
                .entry_by_path_and_stage(self.rel.as_str().into(), gix_index::entry::Stage::Unconflicted)
                .is_some_and(|e| e.flags.contains(gix_index::entry::Flags::INTENT_TO_ADD)),
            Form::Sha256 { .. } => false,
        }
    }
}

/// Whether the index file `path` that git handed a hook is the temporary index of a partial
/// commit (`git commit PATH`, `git commit --only PATH`): git names it
/// `<git dir>/next-index-<pid>.lock`, makes the commit from it, and writes the real index,
/// which it holds locked meanwhile, separately afterwards. What a hook stages there reaches the
/// commit but not the real index.
pub fn is_partial_commit_index(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("next-index-") && n.ends_with(".lock"))
}

/// Every unconflicted entry of the index file `path`: its path and blob id.
pub fn index_ids(path: &Path) -> Result<std::collections::BTreeMap<String, git2::Oid>> {
    let file = parse_index(path, true)?;
    Ok(file
        .entries()
        .iter()
        .filter(|e| e.stage() == gix_index::entry::Stage::Unconflicted)
        .filter_map(|e| {
            let id = git2::Oid::from_bytes(e.id.as_slice()).ok()?;
            Some((e.path(&file).to_string(), id))
        })
        .collect())
}

fn index_error(path: &Path, e: git2::Error) -> Error {
    let hint = if e.code() == git2::ErrorCode::Locked {
        "; another git process holds index.lock: wait for it, or remove the stale lock file"
    } else {
        ""
    };
    Error::Git {
        message: format!("cannot stage {}{hint}", path.display()),
        source: Some(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_commit_index_names() {
        assert!(is_partial_commit_index(Path::new("/r/.git/next-index-42.lock")));
        assert!(!is_partial_commit_index(Path::new("/r/.git/index.lock")));
    }

    #[test]
    fn varints_as_git_writes_them() {
        assert_eq!(varint(&[5, 9]), Some((5, 1)));
        assert_eq!(varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x81, 0x7f]), Some((383, 2)));
        assert_eq!(varint(&[0x80]), None);
    }
}
