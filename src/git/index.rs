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
    /// Content whose blob is stored, and the index file with it staged, as pieces of the file
    /// read and new bytes (checksum included).
    ready: Option<(Vec<u8>, Vec<Piece>)>,
}

enum Form {
    /// The index file, the offset of the entry in it, and where the extensions start.
    Raw {
        bytes: Vec<u8>,
        at: usize,
        extensions: usize,
    },
    /// The index file kept open, read once (mapped) with the staging prepared
    /// (see [`LoadedEntry::load_staging`]): the entry's own bytes, and its index's version.
    Streamed {
        file: std::fs::File,
        entry: Vec<u8>,
        version: u32,
    },
    Parsed(Box<gix_index::File>),
    /// An index of SHA-256 ids (neither the patch nor gix-index as built here reads those):
    /// staged through git, with the entry's mode.
    Sha256 {
        mode: u32,
        id: Option<git2::Oid>,
    },
}

/// An index file's size, modification time and inode: git replaces the file on every write.
type Stamp = (u64, Option<std::time::SystemTime>, u64);

fn stamp(meta: &std::fs::Metadata) -> Stamp {
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

    /// [`LoadedEntry::load`], with `content` (blob `id`, already stored) staged ahead when the
    /// entry holds blob `expected`, as [`LoadedEntry::prepare`] does, but with the file mapped
    /// and never copied: hashed where it lies, its entries walked once for every reader of the
    /// hook ([`mapped`]), and staging later copies the unchanged ranges from the open file (or
    /// leaves them where they are, in git's lock file). At 100,000 files, reading the 8 MB index
    /// into memory costs more (fresh pages for the whole file) than walking and hashing it.
    /// Any index this cannot prepare (another blob
    /// staged, a layout [`locate_entry`] refuses) is loaded as [`LoadedEntry::load`] does.
    pub fn load_staging(
        path: PathBuf,
        rel: &str,
        expected: git2::Oid,
        content: &[u8],
        id: git2::Oid,
    ) -> Result<LoadedEntry> {
        if let Ok(file) = std::fs::File::open(&path)
            && let Ok(meta) = file.metadata()
            && let Some((entry, version, pieces)) =
                stream_patch(&file, meta.len(), rel.as_bytes(), expected, id, content.len())
        {
            return Ok(LoadedEntry {
                path,
                rel: rel.to_string(),
                form: Form::Streamed { file, entry, version },
                stamp: Some(stamp(&meta)),
                ready: Some((content.to_vec(), pieces)),
            });
        }
        let mut loaded = LoadedEntry::load(path, rel)?;
        if loaded.id() == Some(expected) {
            loaded.prepare(content, id);
        }
        Ok(loaded)
    }

    /// The id of the staged blob, if the path is in the index.
    pub fn id(&self) -> Option<git2::Oid> {
        let bytes = match &self.form {
            Form::Raw { bytes, at, .. } => &bytes[at + 40..at + 60],
            Form::Streamed { entry, .. } => &entry[40..60],
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
            let new = patch_pieces(bytes, *at, *extensions, self.rel.as_bytes(), id, content.len());
            self.ready = Some((content.to_vec(), new));
        }
    }
}

pub(super) fn parse_index(path: &Path, missing: bool) -> Result<gix_index::File> {
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

/// The index file `file` (`len` bytes), mapped, with its stage-0 entry `path`, which must
/// hold blob `expected`, given blob `id` of `size` bytes: the entry's bytes, the index's
/// version, and the pieces of the new file as [`patch_pieces`] makes them, checksum included.
/// Only the entries up to `path` are walked here (where the extensions start is found by the
/// walk the staged view shares, [`mapped`]), and the checksum is a SHA-1 of the mapped
/// bytes as they are, in three ranges, never copied. `None` when the index is not one
/// [`locate_entry`] patches (SHA-1 ids only), or the entry is missing or holds another blob.
fn stream_patch(
    file: &std::fs::File,
    len: u64,
    path: &[u8],
    expected: git2::Oid,
    id: git2::Oid,
    size: usize,
) -> Option<(Vec<u8>, u32, Vec<Piece>)> {
    use sha1::Digest;
    if super::objects::SHA256_OBJECTS.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let mapped = mapped(file)?;
    let (map, extensions) = (&mapped.map, mapped.extensions);
    if map.len() as u64 != len || map.len() < 12 + 20 {
        return None;
    }
    let (_, version, count) = read_header(&mut &map[..])?;
    let mut at = 12;
    let mut found = None;
    walk_entries(&mut &map[12..], version, count, |entry, name| {
        if name == path && (u16::from_be_bytes([entry[60], entry[61]]) >> 12) & 3 == 0 {
            found = Some(entry.len());
            return std::ops::ControlFlow::Break(());
        }
        at += entry.len();
        std::ops::ControlFlow::Continue(())
    })?;
    let (target, entry_len) = (at, found?);
    let entry = map[target..target + entry_len].to_vec();
    if &entry[40..60] != expected.as_bytes() {
        return None;
    }
    let end = map.len() - 20;
    if extensions < target + entry_len || extensions > end {
        return None;
    }
    let tail = &map[extensions..end];
    if !extensions_patchable(tail, path, 20) {
        return None;
    }
    let stat = new_stat(u32::try_from(size).unwrap_or(u32::MAX), id.as_bytes());
    let mut pieces = vec![Piece::Old(0..target + 36), Piece::New(stat)];
    extension_pieces(tail, extensions, target + 60, path, &mut pieces);
    // Under `index.skipHash` the checksum is null, and nothing needs hashing.
    let sum = if is_null_checksum(map) {
        [0; 20]
    } else {
        let mut hasher = sha1::Sha1::new();
        for piece in &pieces {
            hasher.update(piece_bytes(map, piece));
        }
        hasher.finalize().into()
    };
    pieces.push(Piece::New(sum.to_vec()));
    Some((entry, version, pieces))
}

/// The index file `file` mapped into memory, its pages mapped at once, as git maps the index
/// it reads: at 100,000 files, reading the 8 MB through a buffer instead copies every byte
/// (1 ms of CPU here), and reading it whole takes 8 MB of fresh pages. `None` for an empty
/// file, or one that cannot be mapped.
#[cfg(unix)]
fn map_index(file: &std::fs::File) -> Option<IndexBytes> {
    // SAFETY: the mapping is read-only. Index files are never cut short in place by git or
    // libgit2, which replace the file through its lock instead (a new inode; this mapping
    // keeps the old one). The one writer in place is this process's own staging of git's lock
    // file (`write_in_place`), after the readers are done: a later reader of that file sees a
    // new size or modification time and maps it anew. Another program cutting the file short
    // meanwhile would stop this process with SIGBUS, as it would git, which maps the index the
    // same way.
    #[allow(unsafe_code)]
    unsafe { memmap2::MmapOptions::new().populate().map(file) }.ok()
}

/// Elsewhere the file is read whole: a mapped file there cannot be replaced (git renames its
/// lock over the index) while the mapping lasts.
#[cfg(not(unix))]
fn map_index(mut file: &std::fs::File) -> Option<IndexBytes> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
    (!bytes.is_empty()).then_some(bytes)
}

#[cfg(unix)]
type IndexBytes = memmap2::Mmap;
#[cfg(not(unix))]
type IndexBytes = Vec<u8>;

/// An index file's 12-byte header read from `reader`, with its version (2 to 4) and entry count;
/// `None` for anything else.
fn read_header(reader: &mut impl std::io::Read) -> Option<([u8; 12], u32, u32)> {
    let mut header = [0u8; 12];
    reader.read_exact(&mut header).ok()?;
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let version = be32(&header[4..]);
    (&header[..4] == b"DIRC" && (2..=4).contains(&version)).then(|| (header, version, be32(&header[8..])))
}

/// Walks the entries of an index of `version` with `count` entries and SHA-1 ids, read through
/// `reader` from just after its 12-byte header: `visit` gets each entry's bytes as the file
/// holds them (stat data, id, flags, the path to its NUL and padding) and its whole path (a
/// version 4 entry stores only what differs from the previous one's). Returns the bytes the
/// entries take; `None` when the file does not hold such entries.
fn walk_entries<R: std::io::BufRead>(
    reader: &mut R,
    version: u32,
    count: u32,
    mut visit: impl FnMut(&[u8], &[u8]) -> std::ops::ControlFlow<()>,
) -> Option<usize> {
    const FIXED: usize = 62;
    let mut buf = Vec::with_capacity(256);
    // Version 4: the previous entry's path, which the next one strips a tail of and extends.
    let mut previous = Vec::new();
    let mut total = 0;
    for _ in 0..count {
        // The usual case: the whole entry is in the reader's buffer, walked where it is.
        let avail = reader.fill_buf().ok()?;
        if let Some((size, name)) = entry_in(avail, version) {
            let entry = &avail[..size];
            let path = match name {
                Name::Whole(range) => &entry[range],
                Name::Tail { strip, range } => {
                    previous.truncate(previous.len().checked_sub(strip)?);
                    previous.extend_from_slice(&entry[range]);
                    &previous
                }
            };
            let flow = visit(entry, path);
            total += size;
            reader.consume(size);
            if flow.is_break() {
                break;
            }
            continue;
        }
        // Across the end of the buffer (or not an entry, which this finds): copied piece by
        // piece.
        buf.clear();
        buf.resize(FIXED, 0);
        reader.read_exact(&mut buf).ok()?;
        let flags = u16::from_be_bytes([buf[FIXED - 2], buf[FIXED - 1]]);
        if version >= 3 && flags & 0x4000 != 0 {
            buf.resize(FIXED + 2, 0);
            reader.read_exact(&mut buf[FIXED..]).ok()?;
        }
        let name_at = buf.len();
        if version == 4 {
            // The varint of the bytes to strip from the previous path, then a NUL-ended tail.
            loop {
                let mut byte = [0u8];
                reader.read_exact(&mut byte).ok()?;
                buf.push(byte[0]);
                if byte[0] & 128 == 0 {
                    break;
                }
            }
            let (strip, _) = varint(&buf[name_at..])?;
            let suffix_at = buf.len();
            if reader.read_until(0, &mut buf).ok()? == 0 || buf.last() != Some(&0) {
                return None;
            }
            previous.truncate(previous.len().checked_sub(usize::try_from(strip).ok()?)?);
            previous.extend_from_slice(&buf[suffix_at..buf.len() - 1]);
            if visit(&buf, &previous).is_break() {
                return Some(total + buf.len());
            }
        } else {
            // The length in the flags, as git reads it; a name of 0xFFF bytes or more ends at
            // its NUL. NUL padding to a multiple of 8 bytes follows.
            let name_len = match usize::from(flags & 0xfff) {
                0xfff => {
                    if reader.read_until(0, &mut buf).ok()? == 0 || buf.last() != Some(&0) {
                        return None;
                    }
                    buf.len() - 1 - name_at
                }
                len => len,
            };
            let have = buf.len();
            buf.resize((name_at + name_len + 8) & !7, 0);
            reader.read_exact(&mut buf[have..]).ok()?;
            if buf[name_at + name_len] != 0 {
                return None;
            }
            if visit(&buf, &buf[name_at..name_at + name_len]).is_break() {
                return Some(total + buf.len());
            }
        }
        total += buf.len();
    }
    Some(total)
}

/// Where an entry's path is in its bytes: whole (versions 2 and 3), or as the count of bytes to
/// strip from the previous entry's path and the tail to add (version 4).
enum Name {
    Whole(std::ops::Range<usize>),
    Tail {
        strip: usize,
        range: std::ops::Range<usize>,
    },
}

/// The size of the index entry (of an index of `version`, SHA-1 ids) at the start of `bytes`
/// and where its path is, when `bytes` holds the whole entry and it is well formed; `None`
/// otherwise (the caller reads it piece by piece, and finds what is wrong).
fn entry_in(bytes: &[u8], version: u32) -> Option<(usize, Name)> {
    let flags = u16::from_be_bytes([*bytes.get(60)?, *bytes.get(61)?]);
    let name_at = if version >= 3 && flags & 0x4000 != 0 { 64 } else { 62 };
    if version == 4 {
        let (strip, used) = varint(bytes.get(name_at..)?)?;
        let tail_at = name_at + used;
        let tail_len = bytes.get(tail_at..)?.iter().position(|&b| b == 0)?;
        let range = tail_at..tail_at + tail_len;
        let strip = usize::try_from(strip).ok()?;
        return Some((range.end + 1, Name::Tail { strip, range }));
    }
    let name_len = match usize::from(flags & 0xfff) {
        0xfff => bytes.get(name_at..)?.iter().position(|&b| b == 0)?,
        len => len,
    };
    let size = (name_at + name_len + 8) & !7;
    (size <= bytes.len() && bytes[name_at + name_len] == 0).then_some((size, Name::Whole(name_at..name_at + name_len)))
}

/// A piece of an index file being written: a range of the file read, or new bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Old(std::ops::Range<usize>),
    New(Vec<u8>),
}

/// The index file `raw` with the entry at `at` staged as blob `id` of `size` bytes, its
/// checksum written (kept null under `index.skipHash`), as pieces: the 8 MB of a 100,000-file
/// index are hashed and written from the bytes read, never copied.
fn patch_pieces(raw: &[u8], at: usize, extensions: usize, path: &[u8], id: git2::Oid, size: usize) -> Vec<Piece> {
    let size = u32::try_from(size).unwrap_or(u32::MAX);
    let mut pieces = patch_entry(raw, at, extensions, path, id.as_bytes(), size);
    let sum = if is_null_checksum(raw) {
        [0; 20]
    } else {
        let mut hasher = <sha1::Sha1 as sha1::Digest>::new();
        for piece in &pieces {
            sha1::Digest::update(&mut hasher, piece_bytes(raw, piece));
        }
        sha1::Digest::finalize(hasher).into()
    };
    pieces.push(Piece::New(sum.to_vec()));
    pieces
}

fn piece_bytes<'a>(raw: &'a [u8], piece: &'a Piece) -> &'a [u8] {
    match piece {
        Piece::Old(range) => &raw[range.clone()],
        Piece::New(bytes) => bytes,
    }
}

/// [`patch_pieces`] as one buffer.
#[cfg(test)]
fn patched(raw: &[u8], at: usize, extensions: usize, path: &[u8], id: git2::Oid, size: usize) -> Vec<u8> {
    let pieces = patch_pieces(raw, at, extensions, path, id, size);
    pieces
        .iter()
        .flat_map(|p| piece_bytes(raw, p).iter().copied())
        .collect()
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
        // Prepared from the mapped file: its ranges copied from it.
        let form = match (ready, form) {
            (Some((prepared, pieces)), Form::Streamed { file, .. }) if prepared == content => {
                return write_index(&path, Source::File(&file), &pieces).map_err(|e| lock_error(rel, &e));
            }
            // Other content: the file read whole, as `load` does.
            (_, Form::Streamed { .. }) => (None, LoadedEntry::load(path.clone(), rel)?.form),
            other => other,
        };
        // The file read and the pieces to write: ranges of it and new bytes.
        let (raw, pieces) = match form {
            (Some((prepared, pieces)), Form::Raw { bytes, .. }) if prepared == content => (bytes, pieces),
            (_, form) => {
                let id = self
                    .repo
                    .git2("storing a blob")?
                    .blob(content)
                    .map_err(|e| Error::git(format!("cannot store {rel}"), e))?;
                match form {
                    Form::Raw { bytes, at, extensions } => {
                        let pieces = patch_pieces(&bytes, at, extensions, rel.as_bytes(), id, content.len());
                        (bytes, pieces)
                    }
                    // Staged through git above; a streamed form was read again above.
                    Form::Sha256 { .. } | Form::Streamed { .. } => {
                        return Err(Error::Sha256 { what: "staging".into() });
                    }
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
                        // The cached trees of the folders holding it no longer match; git
                        // rebuilds them on commit.
                        if let Some(tree) = file.tree_mut() {
                            invalidate_folders(tree, rel.as_bytes());
                        }
                        let mut bytes = Vec::with_capacity(64 * 1024);
                        let options = gix_index::write::Options {
                            skip_hash: true,
                            ..Default::default()
                        };
                        file.write_to(&mut bytes, options).map_err(|e| fail(&e))?;
                        finish(&mut bytes, file.checksum().is_some_and(|c| c.is_null()));
                        let all = Piece::Old(0..bytes.len());
                        (bytes, vec![all])
                    }
                }
            }
        };
        write_index(&path, Source::Memory(&raw), &pieces).map_err(|e| lock_error(rel, &e))
    }
}

/// The error for a failed write of the index while staging `rel`.
fn lock_error(rel: &str, e: &std::io::Error) -> Error {
    let message = if e.kind() == std::io::ErrorKind::AlreadyExists {
        format!("cannot stage {rel}; another git process holds index.lock: wait for it, or remove the stale lock file")
    } else {
        format!("cannot stage {rel}: {e}")
    };
    Error::Git { message, source: None }
}

impl Repo {
    /// Opens that index through git2.
    fn index(&self) -> Result<git2::Index> {
        self.git2("reading the index")?;
        if self.env.index_file.is_none() {
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
        // The length in the flags, as git reads it; a name of 0xFFF bytes or more ends at its NUL.
        let name_len = match usize::from(flags & 0xfff) {
            0xfff => raw.get(name_at..end)?.iter().position(|&b| b == 0)?,
            len if raw.get(name_at + len) == Some(&0) && name_at + len < end => len,
            _ => return None,
        };
        if name_len == path.len() && &raw[name_at..name_at + name_len] == path && (flags >> 12) & 3 == 0 {
            target = Some(at);
        }
        at += (name_at - at + name_len + 8) & !7;
    }
    extensions_patchable(raw.get(at..end)?, path, hash_len).then_some((target?, at))
}

/// One index entry as the staged paths need it, borrowed from the index.
pub(super) struct PathEntry<'a> {
    pub path: &'a [u8],
    pub mode: u32,
    pub id: &'a [u8],
    pub stage: u8,
    pub intent_to_add: bool,
}

/// A cache-tree record: a folder's name, its tree id and the count of index entries below it
/// while the record is valid, its subfolders.
pub(super) struct CachedTree<'a> {
    pub name: &'a [u8],
    pub id: Option<&'a [u8]>,
    pub count: Option<u32>,
    pub children: Vec<CachedTree<'a>>,
}

/// The entries and the cache tree of the index file `raw`, read from its bytes with nothing
/// copied, when it is a SHA-1 index of version 2 or 3 whose extensions are all optional ones or
/// the cache tree. `None` for any other (version 4, a split index, sparse directories): parsing
/// it is gix-index's job. gix-index builds every entry (5,000 entries: 0.2 ms in a release
/// build, 5 ms in a debug one); this walk only steps over their bytes.
pub(super) fn read_paths(raw: &[u8]) -> Option<(Vec<PathEntry<'_>>, Option<CachedTree<'_>>)> {
    let be32 = |at: usize| {
        raw.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    if raw.len() < 32 || &raw[..4] != b"DIRC" {
        return None;
    }
    let version = be32(4)?;
    if !(2..=3).contains(&version) {
        return None;
    }
    let count = be32(8)? as usize;
    let end = raw.len().checked_sub(20)?;
    let mut entries = Vec::with_capacity(count.min(end / 62));
    let mut at = 12;
    for _ in 0..count {
        // An entry is at least 64 bytes: stat data, mode, id, flags, a name, its NUL.
        let head = raw.get(at..(at + 64).min(end))?;
        if head.len() < 64 {
            return None;
        }
        let flags = (u16::from(head[60]) << 8) | u16::from(head[61]);
        let extended = version == 3 && flags & 0x4000 != 0;
        let name_at = at + if extended { 64 } else { 62 };
        // The flags hold the path's length, up to 0xFFF (longer ones end at their NUL).
        let name_len = match usize::from(flags & 0xFFF) {
            0xFFF => raw.get(name_at..end)?.iter().position(|&b| b == 0)?,
            len if raw.get(name_at + len) == Some(&0) => len,
            _ => return None,
        };
        entries.push(PathEntry {
            path: &raw[name_at..name_at + name_len],
            mode: u32::from_be_bytes([head[24], head[25], head[26], head[27]]),
            id: &head[40..60],
            stage: ((flags >> 12) & 3) as u8,
            intent_to_add: extended && head[62] & 0x20 != 0,
        });
        at += (name_at - at + name_len + 8) & !7;
    }
    let mut tree = None;
    while at < end {
        let signature = raw.get(at..at + 4)?;
        let len = be32(at + 4)? as usize;
        let data = raw.get(at + 8..at + 8 + len)?;
        match signature {
            b"TREE" if !data.is_empty() => {
                let mut pos = 0;
                tree = Some(cached_tree(data, &mut pos)?);
            }
            _ if signature[0].is_ascii_uppercase() => {}
            _ => return None,
        }
        at += 8 + len;
    }
    (at == end).then_some((entries, tree))
}

/// The cache-tree record at `at` in the TREE extension `data` and its subtrees' records: each is
/// "<name>" NUL, "<entries> <subtrees>" LF, the tree id unless <entries> is -1 (invalid).
fn cached_tree<'a>(data: &'a [u8], at: &mut usize) -> Option<CachedTree<'a>> {
    let name_end = *at + data.get(*at..)?.iter().position(|&b| b == 0)?;
    let line_end = name_end + 1 + data.get(name_end + 1..)?.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&data[name_end + 1..line_end]).ok()?;
    let (entries, subtrees) = line.split_once(' ')?;
    let entries: i64 = entries.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    let name = &data[*at..name_end];
    *at = line_end + 1;
    let id = if entries >= 0 {
        let id = data.get(*at..*at + 20)?;
        *at += 20;
        Some(id)
    } else {
        None
    };
    let children = (0..subtrees)
        .map(|_| cached_tree(data, at))
        .collect::<Option<Vec<_>>>()?;
    Some(CachedTree {
        name,
        id,
        count: u32::try_from(entries).ok(),
        children,
    })
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

/// The cache tree `data` with the records of the folders holding `path` marked invalid (their
/// entry count -1, no tree id): the top folder's and each one down to the entry's own. git
/// reuses a cached tree still marked valid when it writes the commit's tree, so invalidating
/// only the top folder would commit a nested path as it was. Each record is "<name>" NUL,
/// "<entries> <subtrees>" LF, the tree id unless <entries> is -1, then its subtrees' records.
/// `None` when `data` is not a whole cache tree of ids of `hash_len` bytes.
fn invalidated_tree(data: &[u8], path: &[u8], hash_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    // For each folder still open: subtrees left to read, and the path below it when it holds
    // `path`.
    let mut open: Vec<(usize, Option<&[u8]>)> = Vec::new();
    let mut at = 0;
    loop {
        let name_end = at + data.get(at..)?.iter().position(|&b| b == 0)?;
        let name = &data[at..name_end];
        let on_path = match open.last_mut() {
            None => Some(path),
            Some((left, below)) => {
                *left = left.checked_sub(1)?;
                below.and_then(|p| {
                    let slash = p.iter().position(|&b| b == b'/')?;
                    (&p[..slash] == name).then(|| &p[slash + 1..])
                })
            }
        };
        let line_end = name_end + 1 + data.get(name_end + 1..)?.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&data[name_end + 1..line_end]).ok()?;
        let (entries, subtrees) = line.split_once(' ')?;
        let entries: i64 = entries.parse().ok()?;
        let subtrees: usize = subtrees.parse().ok()?;
        let end = if entries < 0 {
            line_end + 1
        } else {
            line_end + 1 + hash_len
        };
        if end > data.len() {
            return None;
        }
        if on_path.is_some() {
            out.extend_from_slice(&data[at..=name_end]);
            out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes());
        } else {
            out.extend_from_slice(&data[at..end]);
        }
        at = end;
        open.push((subtrees, on_path));
        while open.last().is_some_and(|&(left, _)| left == 0) {
            open.pop();
        }
        if open.is_empty() {
            return (at == data.len()).then_some(out);
        }
    }
}

/// The index file `raw` (checked by `locate_entry`) with the entry `path` at `target` given a
/// new blob id and size, and the cached trees of the folders holding it marked invalid; every
/// other byte is kept, extensions too: the pieces up to the checksum, which is left for the
/// caller.
fn patch_entry(raw: &[u8], target: usize, extensions: usize, path: &[u8], id: &[u8], size: u32) -> Vec<Piece> {
    let end = raw.len() - 20;
    let mut pieces = vec![Piece::Old(0..target + 36), Piece::New(new_stat(size, id))];
    extension_pieces(&raw[extensions..end], extensions, target + 60, path, &mut pieces);
    pieces
}

/// An entry's size and id fields (its bytes 36 to 60) for a blob `id` of `size` bytes.
fn new_stat(size: u32, id: &[u8]) -> Vec<u8> {
    let mut stat = size.to_be_bytes().to_vec();
    stat.extend_from_slice(id);
    stat
}

/// The pieces of an index from offset `kept` (after the patched entry) to the checksum, where
/// `tail` holds its extensions (checked by [`extensions_patchable`]), which start at offset
/// `base`: kept as they are, but for the cached trees of the folders holding `path`, marked
/// invalid.
fn extension_pieces(tail: &[u8], base: usize, mut kept: usize, path: &[u8], pieces: &mut Vec<Piece>) {
    let mut at = 0;
    while at + 8 <= tail.len() {
        let len = u32::from_be_bytes([tail[at + 4], tail[at + 5], tail[at + 6], tail[at + 7]]) as usize;
        if &tail[at..at + 4] == b"TREE"
            && let Some(tree) = tail
                .get(at + 8..at + 8 + len)
                .and_then(|data| invalidated_tree(data, path, 20))
        {
            pieces.push(Piece::Old(kept..base + at));
            let mut new = b"TREE".to_vec();
            new.extend_from_slice(&(tree.len() as u32).to_be_bytes());
            new.extend_from_slice(&tree);
            pieces.push(Piece::New(new));
            kept = base + at + 8 + len;
        }
        at += 8 + len;
    }
    pieces.push(Piece::Old(kept..base + tail.len()));
}

/// Whether the extensions `tail` (from the first one to the checksum) can be kept as they are,
/// or patched for `path`: the cache tree and optional extensions only; not a split index,
/// sparse directories or the end-of-entries table, whose contents depend on the entries'
/// positions.
fn extensions_patchable(tail: &[u8], path: &[u8], hash_len: usize) -> bool {
    let mut at = 0;
    while at < tail.len() {
        let Some(head) = tail.get(at..at + 8) else {
            return false;
        };
        let len = u32::from_be_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let Some(data) = tail.get(at + 8..at + 8 + len) else {
            return false;
        };
        let patchable = match &head[..4] {
            b"TREE" => invalidated_tree(data, path, hash_len).is_some(),
            b"EOIE" => false,
            signature => signature[0].is_ascii_uppercase(),
        };
        if !patchable {
            return false;
        }
        at += 8 + len;
    }
    true
}

/// Where [`write_locked`] takes the unchanged ranges of the index from: the bytes read, or the
/// file they were read from.
enum Source<'a> {
    Memory(&'a [u8]),
    File(&'a std::fs::File),
}

/// [`invalidated_tree`] for a cache tree parsed by gix-index: marks `tree` and each subtree
/// down to the one holding `path` invalid.
fn invalidate_folders(mut tree: &mut gix_index::extension::Tree, mut path: &[u8]) {
    tree.num_entries = None;
    while let Some(slash) = path.iter().position(|&b| b == b'/') {
        let (folder, rest) = (&path[..slash], &path[slash + 1..]);
        let Some(child) = tree.children.iter_mut().find(|c| c.name.as_slice() == folder) else {
            return;
        };
        child.num_entries = None;
        tree = child;
        path = rest;
    }
}

/// Writes the index file `path` as `pieces` of `source` (the file as read) and new bytes: in
/// place when git holds the file for the hook ([`write_in_place`]), else by replacing it
/// ([`write_locked`]).
fn write_index(path: &Path, source: Source<'_>, pieces: &[Piece]) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Source::File(read) = source
        && path.extension().is_some_and(|e| e == "lock")
        && write_in_place(path, read, pieces)?
    {
        return Ok(());
    }
    write_locked(path, source, pieces)
}

/// Rewrites the index file `path` in place, when git holds it as its lock for a hook (during
/// `git commit`, GIT_INDEX_FILE is `index.lock` or `next-index-<pid>.lock`): only the bytes
/// that change are written, a range that moved (after a shorter cache tree) is copied, and the
/// file is cut to its new length. The 8 MB of a 100,000-file index are not copied (4.5 ms of
/// CPU here). Safe there because nothing else reads the file meanwhile, and were this process
/// to stop midway its hook fails and git discards the file (its own index is untouched).
/// `Ok(false)`, having written nothing, unless `path` is still the file `read` that the
/// pieces' ranges come from and no range would move towards the end; then the file is
/// replaced whole.
#[cfg(unix)]
fn write_in_place(path: &Path, read: &std::fs::File, pieces: &[Piece]) -> std::io::Result<bool> {
    use std::os::unix::fs::{FileExt, MetadataExt};
    let file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    let (now, then) = (file.metadata()?, read.metadata()?);
    if (now.dev(), now.ino(), now.len()) != (then.dev(), then.ino(), then.len()) {
        return Ok(false);
    }
    let mut out = 0;
    for piece in pieces {
        match piece {
            Piece::Old(range) if range.start < out || range.end as u64 > now.len() => return Ok(false),
            Piece::Old(range) => out += range.len(),
            Piece::New(bytes) => out += bytes.len(),
        }
    }
    let mut out = 0;
    let mut moved = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Old(range) => {
                // Earlier writes end at or before `out`, and a moved range starts after it:
                // it is read before anything is written over it.
                if range.start != out {
                    moved.resize(range.len(), 0);
                    file.read_exact_at(&mut moved, range.start as u64)?;
                    file.write_all_at(&moved, out as u64)?;
                }
                out += range.len();
            }
            Piece::New(bytes) => {
                file.write_all_at(bytes, out as u64)?;
                out += bytes.len();
            }
        }
    }
    file.set_len(out as u64)?;
    Ok(true)
}

/// Replaces `path` as git does: write `<path>.lock` (created exclusively: it is git's lock),
/// then rename it over `path`. From memory, the pieces go out in one vectored write where the
/// system takes them all at once; from the file read, its ranges are copied by the kernel
/// (`copy_file_range` where there is one) and never pass through this process. (One write from
/// the mapping of the file read is cheaper at the median but not in the tail, when git has just
/// written that file: up to 18 to 28 ms of CPU instead of 5 at 100,000 files;
/// `bench/index-write.py`.)
fn write_locked(path: &Path, source: Source<'_>, pieces: &[Piece]) -> std::io::Result<()> {
    let mut lock_name = path.as_os_str().to_os_string();
    lock_name.push(".lock");
    let lock = PathBuf::from(lock_name);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&lock)?;
    let written = match source {
        Source::Memory(raw) => write_pieces(&mut file, raw, pieces),
        Source::File(from) => copy_pieces(&mut file, from, pieces),
    };
    let written = written.and_then(|_| std::fs::rename(&lock, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&lock);
    }
    written
}

fn write_pieces(file: &mut std::fs::File, raw: &[u8], pieces: &[Piece]) -> std::io::Result<()> {
    use std::io::{IoSlice, Write};
    let mut slices: Vec<IoSlice<'_>> = pieces.iter().map(|p| IoSlice::new(piece_bytes(raw, p))).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match file.write_vectored(rest) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn copy_pieces(file: &mut std::fs::File, mut from: &std::fs::File, pieces: &[Piece]) -> std::io::Result<()> {
    use std::io::{Read, Seek, Write};
    for piece in pieces {
        match piece {
            Piece::Old(range) => {
                from.seek(std::io::SeekFrom::Start(range.start as u64))?;
                let len = (range.end - range.start) as u64;
                if std::io::copy(&mut from.take(len), file)? != len {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
            }
            Piece::New(bytes) => file.write_all(bytes)?,
        }
    }
    Ok(())
}

impl LoadedEntry {
    /// Whether the entry only marks the path intent-to-add (`git add -N`): it holds the empty
    /// blob, and the commit leaves the path out.
    pub fn is_intent_to_add(&self) -> bool {
        match &self.form {
            Form::Raw { bytes, at, .. } => {
                let version = bytes.get(4..8).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                version.is_some_and(|v| entry_is_intent_to_add(v, &bytes[*at..]))
            }
            Form::Streamed { entry, version, .. } => entry_is_intent_to_add(*version, entry),
            Form::Parsed(file) => file
                .entry_by_path_and_stage(self.rel.as_str().into(), gix_index::entry::Stage::Unconflicted)
                .is_some_and(|e| e.flags.contains(gix_index::entry::Flags::INTENT_TO_ADD)),
            Form::Sha256 { .. } => false,
        }
    }
}

/// Whether the index entry starting `entry` (of an index of `version`) has the intent-to-add
/// flag: in the extended flags word, from version 3.
fn entry_is_intent_to_add(version: u32, entry: &[u8]) -> bool {
    let flags = u16::from_be_bytes([entry[60], entry[61]]);
    version >= 3
        && flags & 0x4000 != 0
        && entry
            .get(62..64)
            .is_some_and(|b| u16::from_be_bytes([b[0], b[1]]) & 0x2000 != 0)
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

/// The tree the index file `path` records for its top folder in its cache tree (the `TREE`
/// extension), while that record is valid: the tree `git commit` makes the commit from, as it
/// rebuilds only the folders marked invalid. git writes the cache tree whole before it runs the
/// pre-commit hook, so this is how the hook learns what is staged without a `git diff --cached`
/// that reads every entry (at 100,000 files, 18 ms of git's time for a 3-file change). `None`
/// when the record is missing or invalid, or the file cannot be walked.
///
/// The file is mapped and walked, entry by entry, to find where the extensions start.
pub fn cached_root_tree(path: &Path) -> Option<git2::Oid> {
    let file = std::fs::File::open(path).ok()?;
    let mapped = mapped(&file)?;
    let map = &mapped.map;
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let end = map.len().checked_sub(20)?;
    let mut at = mapped.extensions;
    while at + 8 <= end {
        let size = usize::try_from(be32(&map[at + 4..at + 8])).ok()?;
        if &map[at..at + 4] == b"TREE" {
            // The top folder's record: an empty name, "<entries> <subtrees>" LF, then its id
            // unless <entries> is -1.
            let data = map.get(at + 8..at + 8 + size.min(64))?;
            let line_end = data.iter().position(|&b| b == b'\n')?;
            let line = std::str::from_utf8(data.get(1..line_end)?).ok()?;
            let entries: i64 = line.split_once(' ')?.0.parse().ok()?;
            return if data[0] == 0 && entries >= 0 {
                git2::Oid::from_bytes(data.get(line_end + 1..line_end + 21)?).ok()
            } else {
                None
            };
        }
        at = at.checked_add(8 + size)?;
    }
    None
}

/// An index file mapped into memory, and where its extensions start (after its entries).
struct Mapped {
    map: IndexBytes,
    extensions: usize,
}

/// The index file `file` mapped, with where its extensions start: found by one walk of its
/// entries per file, which the readers of one hook share, on any thread, a second caller
/// waiting for the first. At 100,000 files both the staged view (for the cached root tree) and
/// the build-number read-ahead need it, and the walk is most of what either costs. The file is
/// known by its device, size, modification time and inode (which the mapping keeps from being
/// reused), and the 8 bytes found where the extensions start (an extension's header, or the
/// checksum) are checked again, as a rewrite in place would show in the mapping.
fn mapped(file: &std::fs::File) -> Option<std::sync::Arc<Mapped>> {
    use std::sync::{Arc, Mutex, OnceLock};
    type Cell = Arc<OnceLock<Option<(Arc<Mapped>, [u8; 8])>>>;
    static MAPPED: Mutex<Option<((u64, Stamp), Cell)>> = Mutex::new(None);
    let meta = file.metadata().ok()?;
    #[cfg(unix)]
    let device = std::os::unix::fs::MetadataExt::dev(&meta);
    #[cfg(not(unix))]
    let device = 0;
    let key = (device, stamp(&meta));
    let cell = {
        let mut slot = MAPPED.lock().ok()?;
        match slot.as_ref() {
            Some((walked, cell)) if *walked == key => cell.clone(),
            _ => {
                let cell = Arc::new(OnceLock::new());
                *slot = Some((key, cell.clone()));
                cell
            }
        }
    };
    let walk = || {
        let mapped = map_and_walk(file)?;
        let head = mapped
            .map
            .get(mapped.extensions..mapped.extensions + 8)?
            .try_into()
            .ok()?;
        Some((Arc::new(mapped), head))
    };
    let (found, head) = cell.get_or_init(walk).clone()?;
    if found.map.get(found.extensions..found.extensions + 8) == Some(&head[..]) {
        return Some(found);
    }
    map_and_walk(file).map(Arc::new)
}

/// Maps `file` and walks its entries to where its extensions start.
fn map_and_walk(file: &std::fs::File) -> Option<Mapped> {
    let map = map_index(file)?;
    let (_, version, count) = read_header(&mut &map[..])?;
    let walked = walk_entries(&mut map.get(12..)?, version, count, |_, _| {
        std::ops::ControlFlow::Continue(())
    })?;
    Some(Mapped {
        extensions: 12 + walked,
        map,
    })
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

    const ITA: u16 = 0x2000;
    const SKIP_WORKTREE: u16 = 0x4000;

    /// One entry of a crafted index: its id is `fill` repeated, its size 100 + its position.
    #[derive(Clone)]
    struct E {
        path: Vec<u8>,
        mode: u32,
        stage: u16,
        extended: u16,
        fill: u8,
    }

    fn e(path: &[u8], fill: u8) -> E {
        E {
            path: path.to_vec(),
            mode: 0o100644,
            stage: 0,
            extended: 0,
            fill,
        }
    }

    #[derive(Clone, Copy)]
    enum Sum {
        Sha1,
        Sha256,
        Null,
    }

    /// git's varint, as `encode_varint` in varint.c writes it.
    fn encode_varint(mut value: u64) -> Vec<u8> {
        let mut bytes = vec![(value & 127) as u8];
        loop {
            value >>= 7;
            if value == 0 {
                return bytes;
            }
            value -= 1;
            bytes.insert(0, 128 | (value & 127) as u8);
        }
    }

    /// An index file byte by byte, as read-cache.c writes it: `DIRC`, version, entry count; each
    /// entry's stat data, mode, id and flags (the extended flags word from version 3 when set),
    /// then its path, NUL-padded to a multiple of 8 bytes or, in version 4, as the number of
    /// bytes to strip from the previous path, the new tail and a NUL; the extensions (signature,
    /// length, data); the checksum over all that.
    fn index_file(version: u32, entries: &[E], extensions: &[(&[u8; 4], &[u8])], hash_len: usize, sum: Sum) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend(version.to_be_bytes());
        out.extend((entries.len() as u32).to_be_bytes());
        let mut previous: &[u8] = b"";
        for (i, entry) in entries.iter().enumerate() {
            let start = out.len();
            // ctime, mtime (seconds, nanoseconds), dev, ino, mode, uid, gid, size
            for field in [1u32, 2, 3, 4, 5, 6, entry.mode, 7, 8, 100 + i as u32] {
                out.extend(field.to_be_bytes());
            }
            out.extend(vec![entry.fill; hash_len]);
            let mut flags = (entry.stage << 12) | entry.path.len().min(0xFFF) as u16;
            if entry.extended != 0 {
                flags |= 0x4000;
            }
            out.extend(flags.to_be_bytes());
            if entry.extended != 0 {
                out.extend(entry.extended.to_be_bytes());
            }
            if version == 4 {
                let common = previous.iter().zip(&entry.path).take_while(|(a, b)| a == b).count();
                out.extend(encode_varint((previous.len() - common) as u64));
                out.extend(&entry.path[common..]);
                out.push(0);
                previous = &entry.path;
            } else {
                out.extend(&entry.path);
                let padded = (out.len() - start + 8) & !7;
                out.resize(start + padded, 0);
            }
        }
        for (signature, data) in extensions {
            out.extend(*signature);
            out.extend((data.len() as u32).to_be_bytes());
            out.extend(*data);
        }
        let checksum = match sum {
            Sum::Sha1 => <sha1::Sha1 as sha1::Digest>::digest(&out).to_vec(),
            Sum::Sha256 => <sha2::Sha256 as sha2::Digest>::digest(&out).to_vec(),
            Sum::Null => vec![0; hash_len],
        };
        out.extend(checksum);
        out
    }

    fn sha1_index(version: u32, entries: &[E], extensions: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        index_file(version, entries, extensions, 20, Sum::Sha1)
    }

    /// A cache-tree record: folder name, entry count, subtree count, and an id unless invalid.
    fn tree_record(name: &str, entries: i32, subtrees: u32, fill: u8) -> Vec<u8> {
        let mut out = format!("{name}\0{entries} {subtrees}\n").into_bytes();
        if entries >= 0 {
            out.extend([fill; 20]);
        }
        out
    }

    fn new_id() -> git2::Oid {
        git2::Oid::from_bytes(&[0xee; 20]).unwrap()
    }

    /// Stages blob [`new_id`] of 7 bytes for `path` in `raw`, which must be patchable.
    fn patch(raw: &[u8], path: &[u8]) -> Vec<u8> {
        let (at, extensions) = locate_entry(raw, path).expect("patchable, with the path in it");
        patched(raw, at, extensions, path, new_id(), 7)
    }

    /// Path, stage, first byte of the id, size, flags.
    type ReadEntry = (Vec<u8>, u32, u8, u32, gix_index::entry::Flags);

    /// Reads an index file with gix-index (an independent reader): its version and, for each
    /// entry, its path, stage, id's first byte, size and flags.
    fn read_back(bytes: &[u8]) -> (gix_index::Version, Vec<ReadEntry>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        std::fs::write(&path, bytes).unwrap();
        let file = parse_index(&path, false).expect("gix-index reads it");
        let entries = file
            .entries()
            .iter()
            .map(|en| {
                let stage = en.stage() as u32;
                (
                    en.path(&file).to_vec(),
                    stage,
                    en.id.as_slice()[0],
                    en.stat.size,
                    en.flags,
                )
            })
            .collect();
        (file.version(), entries)
    }

    fn checksum_is_sha1(bytes: &[u8]) -> bool {
        let (body, sum) = bytes.split_at(bytes.len() - 20);
        <sha1::Sha1 as sha1::Digest>::digest(body).as_slice() == sum
    }

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
        for value in [0, 1, 127, 128, 255, 16_511, 16_512, 1 << 40] {
            let bytes = encode_varint(value);
            assert_eq!(varint(&bytes), Some((value, bytes.len())), "{value}");
        }
    }

    #[test]
    fn version_2_entry_is_found_and_only_its_id_size_and_checksum_change() {
        let raw = sha1_index(2, &[e(b"a", 1), e(b"b/c", 2), e(b"d", 3)], &[]);
        // Header 12 bytes, then entries of 62 + name + NUL padding: 64, 72, 64 bytes.
        assert_eq!(locate_entry(&raw, b"a"), Some((12, 12 + 64 + 72 + 64)));
        assert_eq!(locate_entry(&raw, b"b/c"), Some((12 + 64, 12 + 64 + 72 + 64)));
        assert_eq!(locate_entry(&raw, b"d"), Some((12 + 64 + 72, 12 + 64 + 72 + 64)));
        assert_eq!(locate_entry(&raw, b"b"), None);
        assert_eq!(locate_entry(&raw, b"b/"), None);
        let new = patch(&raw, b"b/c");
        assert_eq!(new.len(), raw.len());
        let changed: Vec<usize> = (0..raw.len() - 20).filter(|&i| raw[i] != new[i]).collect();
        let at = 12 + 64;
        assert!(changed.iter().all(|&i| (at + 36..at + 60).contains(&i)), "{changed:?}");
        assert!(checksum_is_sha1(&new));
        let (version, entries) = read_back(&new);
        assert_eq!(version, gix_index::Version::V2);
        let short: Vec<_> = entries
            .iter()
            .map(|(p, _, id, size, _)| (p.clone(), *id, *size))
            .collect();
        assert_eq!(
            short,
            [
                (b"a".to_vec(), 1, 100),
                (b"b/c".to_vec(), 0xee, 7),
                (b"d".to_vec(), 3, 102)
            ]
        );
    }

    #[test]
    fn version_3_extended_flags_are_stepped_over_and_kept() {
        let mut ita = e(b"a", 1);
        ita.extended = ITA;
        let mut skip = e(b"b", 2);
        skip.extended = SKIP_WORKTREE;
        let raw = sha1_index(3, &[ita, skip, e(b"c", 3)], &[]);
        // An extended entry has two more bytes before its name: 64 + "a" + NULs = 72.
        assert_eq!(locate_entry(&raw, b"b"), Some((12 + 72, 12 + 72 + 72 + 64)));
        assert_eq!(locate_entry(&raw, b"c"), Some((12 + 72 + 72, 12 + 72 + 72 + 64)));
        for path in [&b"b"[..], b"c"] {
            let (_, entries) = read_back(&patch(&raw, path));
            assert_eq!(entries.len(), 3);
            let flags = |name: &[u8]| entries.iter().find(|en| en.0 == name).unwrap().4;
            assert!(flags(b"a").contains(gix_index::entry::Flags::INTENT_TO_ADD));
            assert!(flags(b"b").contains(gix_index::entry::Flags::SKIP_WORKTREE));
            let patched = entries.iter().find(|en| en.0 == path).unwrap();
            assert_eq!((patched.2, patched.3), (0xee, 7));
        }
        // An intent-to-add entry is told apart through the loaded file.
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        std::fs::write(&index, &raw).unwrap();
        let load = |rel: &str| LoadedEntry::load(index.clone(), rel).unwrap();
        assert!(load("a").is_intent_to_add());
        assert!(!load("b").is_intent_to_add());
        assert!(!load("c").is_intent_to_add());
        assert!(matches!(load("c").form, Form::Raw { .. }));
        assert_eq!(load("c").id(), git2::Oid::from_bytes(&[3; 20]).ok());
    }

    #[test]
    fn version_4_prefix_compressed_paths_are_rebuilt_and_stay_version_4() {
        let entries = [
            e(b"dir/a", 1),
            e(b"dir/ab", 2),
            e(b"dir/b/c", 3),
            e(b"e", 4),
            e(b"e/f", 5),
        ];
        let raw = sha1_index(4, &entries, &[]);
        for entry in &entries {
            assert!(locate_entry(&raw, &entry.path).is_some(), "{:?}", entry.path);
        }
        assert_eq!(locate_entry(&raw, b"dir/b"), None);
        assert_eq!(locate_entry(&raw, b"dir"), None);
        let new = patch(&raw, b"dir/b/c");
        assert_eq!(new.len(), raw.len());
        let (version, read) = read_back(&new);
        assert_eq!(version, gix_index::Version::V4);
        let ids: Vec<_> = read.iter().map(|en| (en.0.clone(), en.2)).collect();
        let paths = ["dir/a", "dir/ab", "dir/b/c", "e", "e/f"].map(|p| p.as_bytes().to_vec());
        assert_eq!(ids, paths.into_iter().zip([1, 2, 0xee, 4, 5]).collect::<Vec<_>>());
        // A version 4 file that strips more than the previous path holds is refused.
        let mut bad = raw.clone();
        let second = 12 + 62 + 1 + "dir/a".len() + 1;
        assert_eq!(bad[second + 62], 0);
        bad[second + 62] = 9;
        assert_eq!(locate_entry(&bad, b"e"), None);
    }

    #[test]
    fn optional_extensions_are_kept_and_the_cache_tree_marked_invalid() {
        let tree = tree_record("", 2, 0, 0xaa);
        let reuc = b"gone\x00100644\x000\x000\x00"
            .iter()
            .copied()
            .chain([9; 20])
            .collect::<Vec<u8>>();
        let untr = b"untracked cache data, kept as it is".to_vec();
        let extensions: [(&[u8; 4], &[u8]); 3] = [(b"TREE", &tree), (b"REUC", &reuc), (b"UNTR", &untr)];
        let raw = sha1_index(2, &[e(b"a", 1), e(b"b", 2)], &extensions);
        let new = patch(&raw, b"b");
        assert!(checksum_is_sha1(&new));
        let (_, extensions_at) = locate_entry(&raw, b"b").unwrap();
        let invalid = tree_record("", -1, 0, 0);
        let mut expected = b"TREE".to_vec();
        expected.extend((invalid.len() as u32).to_be_bytes());
        expected.extend(&invalid);
        for (signature, data) in [(b"REUC", &reuc), (b"UNTR", &untr)] {
            expected.extend(signature);
            expected.extend((data.len() as u32).to_be_bytes());
            expected.extend(data);
        }
        assert_eq!(&new[extensions_at..new.len() - 20], expected.as_slice());
        // An already invalid cache tree stays as it is.
        let raw = sha1_index(2, &[e(b"a", 1)], &[(b"TREE", &invalid)]);
        let new = patch(&raw, b"a");
        assert_eq!(new[..new.len() - 20][64 + 12..], raw[..raw.len() - 20][64 + 12..]);
        assert_eq!(read_back(&new).1.len(), 1);
    }

    #[test]
    fn layouts_that_depend_on_entry_positions_are_left_to_gix_index_or_git() {
        let entries = || [e(b"a", 1), e(b"b", 2)];
        // The split index's link, sparse directories, the end-of-index-entries table, and any
        // other required (lower-case) extension.
        for signature in [b"link", b"sdir", b"EOIE", b"abcd"] {
            let raw = sha1_index(2, &entries(), &[(signature, b"12345678")]);
            assert_eq!(locate_entry(&raw, b"a"), None, "{}", String::from_utf8_lossy(signature));
        }
        // A cache tree whose top record cannot be read.
        let raw = sha1_index(2, &entries(), &[(b"TREE", b"\x002")]);
        assert_eq!(locate_entry(&raw, b"a"), None);
        // Versions before 2 or after 4.
        for version in [1, 5] {
            assert_eq!(locate_entry(&sha1_index(version, &entries(), &[]), b"a"), None);
        }
    }

    #[test]
    fn a_sha256_index_is_walked_for_reading_only() {
        let entries = [e(b"a", 1), e(b"b", 2)];
        let raw = index_file(3, &entries, &[], 32, Sum::Sha256);
        assert!(is_sha256_index(&raw));
        assert!(!is_sha256_index(&sha1_index(3, &entries, &[])));
        assert!(is_sha256_index(&index_file(3, &entries, &[], 32, Sum::Null)));
        assert_eq!(
            sha256_entry(&raw, b"b"),
            Some((0o100644, git2::Oid::from_bytes(&[2; 20]).unwrap()))
        );
        assert_eq!(sha256_entry(&raw, b"c"), None);
        // Its cache tree holds ids of 32 bytes.
        let tree: Vec<u8> = b"\x002 0\n".iter().copied().chain([0xaa; 32]).collect();
        let with_tree = index_file(3, &entries, &[(b"TREE", &tree)], 32, Sum::Sha256);
        assert_eq!(
            sha256_entry(&with_tree, b"a"),
            Some((0o100644, git2::Oid::from_bytes(&[1; 20]).unwrap()))
        );
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        std::fs::write(&index, &raw).unwrap();
        let loaded = LoadedEntry::load(index, "b").unwrap();
        assert!(matches!(loaded.form, Form::Sha256 { mode: 0o100644, .. }));
        assert_eq!(loaded.id(), git2::Oid::from_bytes(&[2; 20]).ok());
    }

    #[test]
    fn odd_entries_long_names_raw_bytes_conflicts_and_sparse_directories() {
        // A name of 0xFFF bytes or more stores 0xFFF as its length: the NUL ends it, and in
        // versions 2 and 3 the NUL padding follows (as git writes it; checked against
        // `git update-index --cacheinfo` with a 5,026-byte path).
        let long = vec![b'x'; 5000];
        let odd = b"caf\xe9/\xff\xfe name".to_vec();
        let stage = |path: &[u8], stage: u16, fill: u8| E { stage, ..e(path, fill) };
        let entries = [
            e(&long, 1),
            e(&odd, 2),
            stage(b"m", 1, 3),
            stage(b"m", 2, 4),
            stage(b"m", 3, 5),
            stage(b"n", 2, 6),
            e(b"n", 7),
            e(b"z", 8),
        ];
        for version in [2, 4] {
            let raw = sha1_index(version, &entries, &[]);
            assert_eq!(&raw[12 + 60..12 + 62], &[0x0f, 0xff]);
            for (path, fill) in [(&long[..], 1), (&odd, 2), (b"n", 7), (b"z", 8)] {
                let (at, _) = locate_entry(&raw, path).unwrap_or_else(|| panic!("v{version} {path:?}"));
                assert_eq!(raw[at + 40], fill, "v{version}");
                let new = patch(&raw, path);
                assert_eq!(&new[at + 36..at + 60], &[&[0, 0, 0, 7][..], &[0xee; 20]].concat()[..]);
            }
            // Only the conflict stages of `m`: nothing to patch.
            assert_eq!(locate_entry(&raw, b"m"), None, "v{version}");
        }
        // Read back by gix-index, which does not skip the padding after a long name in
        // versions 2 and 3: without the long name there, and with it in version 4.
        for (version, entries) in [(2, &entries[1..]), (4, &entries[..])] {
            let raw = sha1_index(version, entries, &[]);
            let (_, read) = read_back(&patch(&raw, b"n"));
            assert_eq!(read.len(), entries.len());
            let stages: Vec<_> = read.iter().map(|en| (en.0.clone(), en.1, en.2)).collect();
            assert!(stages.contains(&(b"n".to_vec(), 0, 0xee)), "v{version}");
            assert!(stages.contains(&(b"n".to_vec(), 2, 6)), "v{version}");
            assert!(stages.contains(&(b"m".to_vec(), 3, 5)), "v{version}");
            assert!(stages.contains(&(odd.clone(), 0, 2)), "v{version}");
        }
        // A sparse index: a folder entry (mode 040000, trailing slash, skip-worktree), marked by
        // the `sdir` extension: not patched in place.
        let mut folder = e(b"lib/", 9);
        folder.mode = 0o040000;
        folder.extended = SKIP_WORKTREE;
        let raw = sha1_index(3, &[e(b"a", 1), folder], &[(b"sdir", b"")]);
        assert_eq!(locate_entry(&raw, b"a"), None);
        assert_eq!(locate_entry(&raw, b"lib/"), None);
    }

    #[test]
    fn paths_are_read_from_the_bytes_of_versions_2_and_3_only() {
        let long = vec![b'x'; 5000];
        let mut ita = e(b"d/new", 3);
        ita.extended = ITA;
        let mut exe = e(b"d/run", 4);
        exe.mode = 0o100755;
        let conflict = E { stage: 2, ..e(b"m", 5) };
        let entries = [e(b"a", 1), e(&long, 2), ita, exe, conflict];
        let mut tree = tree_record("", -1, 2, 0);
        tree.extend(tree_record("d", 2, 0, 0xd1));
        tree.extend(tree_record("e", -1, 0, 0));
        let raw = sha1_index(3, &entries, &[(b"TREE", &tree), (b"UNTR", b"kept")]);
        let (read, cache) = read_paths(&raw).unwrap();
        let got: Vec<_> = read
            .iter()
            .map(|p| (p.path.len(), p.mode, p.id[0], p.stage, p.intent_to_add))
            .collect();
        assert_eq!(
            got,
            [
                (1, 0o100644, 1, 0, false),
                (5000, 0o100644, 2, 0, false),
                (5, 0o100644, 3, 0, true),
                (5, 0o100755, 4, 0, false),
                (1, 0o100644, 5, 2, false),
            ]
        );
        let cache = cache.unwrap();
        assert_eq!((cache.name, cache.id), (&b""[..], None));
        assert_eq!(cache.children[0].name, b"d");
        assert_eq!(cache.children[0].id, Some(&[0xd1; 20][..]));
        assert_eq!((cache.count, cache.children[0].count), (None, Some(2)));
        assert_eq!(cache.children[1].id, None);
        // Left to gix-index: version 4, a split index, sparse directories; and broken files.
        let two = [e(b"a", 1), e(b"b", 2)];
        assert!(read_paths(&sha1_index(2, &two, &[])).is_some());
        assert!(read_paths(&sha1_index(4, &two, &[])).is_none());
        assert!(read_paths(&sha1_index(2, &two, &[(b"link", &[0; 20])])).is_none());
        assert!(read_paths(&sha1_index(3, &two, &[(b"sdir", b"")])).is_none());
        let raw = sha1_index(2, &two, &[(b"TREE", &tree)]);
        for cut in [20, 70, raw.len() - 30] {
            assert!(read_paths(&raw[..cut]).is_none(), "cut at {cut}");
        }
        assert!(read_paths(&sha1_index(2, &two, &[(b"TREE", b"x\0oops\n")])).is_none());
    }

    #[test]
    fn the_cached_root_tree_is_read_past_every_entry_layout() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let root = |raw: &[u8]| {
            std::fs::write(&index, raw).unwrap();
            cached_root_tree(&index)
        };
        let long = vec![b'x'; 5000];
        let mut extended = e(b"i", 3);
        extended.extended = ITA;
        let entries = [e(b"a", 1), e(&long, 2), extended, e(b"dir/b", 4), e(b"dir/c", 5)];
        let mut tree = tree_record("", 5, 1, 0xaa);
        tree.extend(tree_record("dir", 2, 0, 0xbb));
        let valid = Some(git2::Oid::from_bytes(&[0xaa; 20]).unwrap());
        for version in [2, 3, 4] {
            let entries = if version == 2 { &entries[..2] } else { &entries[..] };
            let raw = sha1_index(
                version,
                entries,
                &[(b"REUC", b"x\x00"), (b"TREE", &tree), (b"UNTR", b"u")],
            );
            assert_eq!(root(&raw), valid, "v{version}");
            // Every cut of the file: no id, or the right one (cut after the record).
            for len in 0..raw.len() {
                assert!([None, valid].contains(&root(&raw[..len])), "v{version} {len}");
            }
        }
        let mut invalid = tree_record("", -1, 1, 0);
        invalid.extend(tree_record("dir", 2, 0, 0xbb));
        assert_eq!(root(&sha1_index(2, &entries[..1], &[(b"TREE", &invalid)])), None);
        assert_eq!(root(&sha1_index(2, &entries[..1], &[])), None);
        assert_eq!(root(&sha1_index(5, &entries[..1], &[(b"TREE", &tree)])), None);
        assert_eq!(cached_root_tree(&dir.path().join("absent")), None);
    }

    #[test]
    fn a_skip_hash_index_keeps_its_null_checksum() {
        let raw = index_file(2, &[e(b"a", 1)], &[], 20, Sum::Null);
        let new = patch(&raw, b"a");
        assert!(new[new.len() - 20..].iter().all(|&b| b == 0));
        assert_eq!(read_back(&new).1[0].2, 0xee);
    }

    /// The entries an index of `version` can hold: version 2 has no extended flags.
    fn in_version(entries: &[E], version: u32) -> Vec<E> {
        entries
            .iter()
            .filter(|en| version > 2 || en.extended == 0)
            .cloned()
            .collect()
    }

    /// [`stream_patch`] on `raw` for `path` (expected to hold blob `fill`s), written through
    /// the open file as staging writes it: the new file's bytes.
    fn stream(raw: &[u8], path: &[u8], fill: u8) -> Option<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        std::fs::write(&index, raw).unwrap();
        let file = std::fs::File::open(&index).unwrap();
        let expected = git2::Oid::from_bytes(&[fill; 20]).unwrap();
        let (entry, _, pieces) = stream_patch(&file, raw.len() as u64, path, expected, new_id(), 7)?;
        assert_eq!(entry[40], fill);
        write_locked(&index, Source::File(&file), &pieces).unwrap();
        let replaced = std::fs::read(&index).unwrap();
        // Written in place, as in a hook where the index is git's lock file: the same bytes.
        #[cfg(unix)]
        {
            let held = dir.path().join("next-index-1.lock");
            std::fs::write(&held, raw).unwrap();
            let read = std::fs::File::open(&held).unwrap();
            assert!(write_in_place(&held, &read, &pieces).unwrap());
            assert_eq!(std::fs::read(&held).unwrap(), replaced);
        }
        Some(replaced)
    }

    /// The walk to the extensions is shared by the readers of one file, and a file that only
    /// looks the same (same size, modification time and inode, other entries) is walked again.
    #[test]
    fn the_extensions_are_found_once_a_file_and_again_for_another() {
        let one = sha1_index(2, &[e(b"a", 1), e(b"b", 2)], &[(b"UNTR", &[7u8; 72])]);
        let other = sha1_index(2, &[e(b"a", 1), e(b"b", 2), e(b"c", 3)], &[(b"UNTR", &[7u8; 8])]);
        assert_eq!(one.len(), other.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        std::fs::write(&path, &one).unwrap();
        let first = std::fs::File::open(&path).unwrap();
        let at = locate_entry(&one, b"b").unwrap().1 as u64;
        let extensions_at = |file: &std::fs::File| mapped(file).map(|m| m.extensions as u64);
        assert_eq!(extensions_at(&first), Some(at));
        assert_eq!(extensions_at(&std::fs::File::open(&path).unwrap()), Some(at));
        // The same file rewritten in place, its modification time put back.
        let before = stamp(&first.metadata().unwrap());
        let modified = first.metadata().unwrap().modified().unwrap();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut &file, &other).unwrap();
        file.set_modified(modified).unwrap();
        let again = std::fs::File::open(&path).unwrap();
        assert_eq!(stamp(&again.metadata().unwrap()), before);
        assert_eq!(
            extensions_at(&again),
            Some(locate_entry(&other, b"c").unwrap().1 as u64)
        );
    }

    /// In place only on the file the pieces were read from: another file at that path (git
    /// replaced it) or pieces that would move a range towards the end write nothing.
    #[cfg(unix)]
    #[test]
    fn an_index_is_written_in_place_only_over_the_file_read() {
        let raw = sha1_index(2, &[e(b"a", 1), e(b"b", 2)], &[]);
        let dir = tempfile::tempdir().unwrap();
        let held = dir.path().join("index.lock");
        std::fs::write(&held, &raw).unwrap();
        let read = std::fs::File::open(&held).unwrap();
        let expected = git2::Oid::from_bytes(&[2; 20]).unwrap();
        let (_, _, pieces) = stream_patch(&read, raw.len() as u64, b"b", expected, new_id(), 7).unwrap();
        let replaced = dir.path().join("other");
        std::fs::write(&replaced, &raw).unwrap();
        std::fs::rename(&replaced, &held).unwrap();
        assert!(!write_in_place(&held, &read, &pieces).unwrap());
        assert_eq!(std::fs::read(&held).unwrap(), raw);
        let read = std::fs::File::open(&held).unwrap();
        let grown = [Piece::New(vec![0; 8]), Piece::Old(0..raw.len())];
        assert!(!write_in_place(&held, &read, &grown).unwrap());
        assert_eq!(std::fs::read(&held).unwrap(), raw);
        assert!(write_in_place(&held, &read, &pieces).unwrap());
        assert_eq!(std::fs::read(&held).unwrap(), patch(&raw, b"b"));
    }

    #[test]
    fn entries_are_walked_the_same_across_any_buffer_boundary() {
        // Entries that straddle the end of the reader's buffer are read piece by piece: every
        // buffer size gives the same entries, paths and length as walking the bytes whole.
        let long = vec![b'y'; 4100];
        let mut extended = e(b"dir/i", 3);
        extended.extended = ITA;
        let entries = [
            e(b"BUILD_NUMBER", 1),
            e(&long, 2),
            extended,
            e(b"dir/j", 4),
            e(b"dir/sub/k", 5),
        ];
        for version in [2, 3, 4] {
            let entries = in_version(&entries, version);
            let raw = sha1_index(version, &entries, &[]);
            let walk = |capacity: usize| {
                let mut reader = std::io::BufReader::with_capacity(capacity, &raw[12..]);
                let mut seen = Vec::new();
                let total = walk_entries(&mut reader, version, entries.len() as u32, |entry, path| {
                    seen.push((entry.to_vec(), path.to_vec()));
                    std::ops::ControlFlow::Continue(())
                });
                (total, seen)
            };
            // Stopped after the third entry: the bytes of the first three.
            let first_three = |capacity: usize| {
                let mut reader = std::io::BufReader::with_capacity(capacity, &raw[12..]);
                let mut n = 0;
                walk_entries(&mut reader, version, entries.len() as u32, |_, _| {
                    n += 1;
                    if n == 3 {
                        std::ops::ControlFlow::Break(())
                    } else {
                        std::ops::ControlFlow::Continue(())
                    }
                })
            };
            let whole = walk(1 << 20);
            assert_eq!(whole.0, Some(raw.len() - 12 - 20), "v{version}");
            let paths: Vec<&[u8]> = whole.1.iter().map(|(_, p)| p.as_slice()).collect();
            let expected: Vec<&[u8]> = entries.iter().map(|en| en.path.as_slice()).collect();
            assert_eq!(paths, expected, "v{version}");
            let three: usize = whole.1[..3].iter().map(|(entry, _)| entry.len()).sum();
            for capacity in [1, 7, 61, 62, 63, 64, 65, 100, 4096, 4160] {
                assert!(walk(capacity) == whole, "v{version}, a buffer of {capacity}");
                assert_eq!(first_three(capacity), Some(three), "v{version}, a buffer of {capacity}");
            }
        }
    }

    #[test]
    fn streaming_the_index_stages_the_same_bytes_as_patching_it() {
        let long = vec![b'x'; 5000];
        let mut extended = e(b"i", 3);
        extended.extended = ITA;
        let stage = |path: &[u8], stage: u16, fill: u8| E { stage, ..e(path, fill) };
        let entries = [
            e(b"BUILD_NUMBER", 1),
            e(&long, 2),
            extended,
            stage(b"m", 2, 4),
            e(b"dir/b", 5),
            e(b"dir/sub/c", 6),
        ];
        let mut tree = tree_record("", 5, 1, 0xaa);
        tree.extend(tree_record("dir", 2, 1, 0xbb));
        tree.extend(tree_record("sub", 1, 0, 0xcc));
        let extensions: [(&[u8; 4], &[u8]); 3] = [(b"REUC", b"x\x00"), (b"TREE", &tree), (b"UNTR", b"u")];
        for version in [2, 3, 4] {
            let entries = in_version(&entries, version);
            for sum in [Sum::Sha1, Sum::Null] {
                for exts in [&extensions[..], &[]] {
                    let raw = index_file(version, &entries, exts, 20, sum);
                    for (path, fill) in [(&b"BUILD_NUMBER"[..], 1), (&long, 2), (b"dir/b", 5), (b"dir/sub/c", 6)] {
                        let streamed = stream(&raw, path, fill);
                        assert_eq!(
                            streamed,
                            Some(patch(&raw, path)),
                            "v{version} {}",
                            String::from_utf8_lossy(path)
                        );
                        // Another blob staged than the one expected: not prepared.
                        assert_eq!(stream(&raw, path, fill + 1), None);
                    }
                    // Only the conflict stage of `m`, and a path not there: nothing to stage.
                    assert_eq!(stream(&raw, b"m", 4), None);
                    assert_eq!(stream(&raw, b"nope", 1), None);
                }
            }
        }
        // The layouts `locate_entry` leaves to gix-index or git.
        for signature in [b"link", b"sdir", b"EOIE", b"abcd"] {
            let raw = sha1_index(2, &[e(b"a", 1)], &[(signature, b"12345678")]);
            assert_eq!(stream(&raw, b"a", 1), None);
        }
        // Every cut and every flipped byte: no panic; what is prepared is what patching gives.
        let raw = sha1_index(4, &entries, &extensions);
        for len in 0..raw.len() {
            assert_eq!(
                stream(&raw[..len], b"dir/b", 5).is_some(),
                locate_entry(&raw[..len], b"dir/b").is_some()
            );
        }
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0xff;
            if let Some(new) = stream(&bad, b"dir/b", 5) {
                assert_eq!(new, patch(&bad, b"dir/b"), "byte {i}");
            }
        }
    }

    #[test]
    fn prepared_bytes_are_the_patched_index() {
        let raw = sha1_index(2, &[e(b"BUILD_NUMBER", 1), e(b"src/x.rs", 2)], &[]);
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        std::fs::write(&index, &raw).unwrap();
        let mut loaded = LoadedEntry::load(index.clone(), "BUILD_NUMBER").unwrap();
        assert_eq!(loaded.id(), git2::Oid::from_bytes(&[1; 20]).ok());
        assert!(loaded.is_current());
        loaded.prepare(b"42\nabcd", new_id());
        let (content, pieces) = loaded.ready.as_ref().unwrap();
        assert_eq!(content, b"42\nabcd");
        let bytes: Vec<u8> = pieces.iter().flat_map(|p| piece_bytes(&raw, p).to_vec()).collect();
        assert_eq!(bytes, patch(&raw, b"BUILD_NUMBER"));
        // A path not in the index: read through gix-index, no id.
        let missing = LoadedEntry::load(index, "nope").unwrap();
        assert!(matches!(missing.form, Form::Parsed(_)));
        assert_eq!(missing.id(), None);
        // No index file at all: an empty index.
        let none = LoadedEntry::load(dir.path().join("absent"), "a").unwrap();
        assert_eq!(none.id(), None);
        assert!(none.is_current());
    }

    #[test]
    fn staging_a_nested_path_invalidates_every_folder_above_it() {
        // git reuses a cached tree that is still marked valid when it writes the commit's tree:
        // every folder holding the changed entry must be marked invalid, not only the top one.
        let records = |list: &[(&str, i32, u32, u8)]| {
            list.iter()
                .flat_map(|&(name, entries, subtrees, fill)| tree_record(name, entries, subtrees, fill))
                .collect::<Vec<u8>>()
        };
        let tree = records(&[
            ("", 3, 2, 0xa0),
            ("b", 1, 0, 0xa1),
            ("d", 1, 1, 0xa2),
            ("e", 1, 0, 0xa3),
        ]);
        let raw = sha1_index(2, &[e(b"a", 1), e(b"b/c", 2), e(b"d/e/f", 3)], &[(b"TREE", &tree)]);
        let tree_of = |bytes: &[u8]| {
            let (_, extensions) = locate_entry(bytes, b"a").unwrap();
            bytes[extensions + 8..bytes.len() - 20].to_vec()
        };
        let cases: [(&[u8], Vec<u8>); 3] = [
            (
                b"d/e/f",
                records(&[("", -1, 2, 0), ("b", 1, 0, 0xa1), ("d", -1, 1, 0), ("e", -1, 0, 0)]),
            ),
            (
                b"b/c",
                records(&[("", -1, 2, 0), ("b", -1, 0, 0), ("d", 1, 1, 0xa2), ("e", 1, 0, 0xa3)]),
            ),
            (
                b"a",
                records(&[("", -1, 2, 0), ("b", 1, 0, 0xa1), ("d", 1, 1, 0xa2), ("e", 1, 0, 0xa3)]),
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(
                tree_of(&patch(&raw, path)),
                expected,
                "{}",
                String::from_utf8_lossy(path)
            );
        }
    }

    #[test]
    fn the_gix_index_path_invalidates_the_same_folders() {
        let mut tree = tree_record("", 3, 2, 0xa0);
        for (name, entries, subtrees, fill) in [("b", 1, 0, 0xa1), ("d", 1, 1, 0xa2), ("e", 1, 0, 0xa3)] {
            tree.extend(tree_record(name, entries, subtrees, fill));
        }
        let raw = sha1_index(2, &[e(b"a", 1), e(b"b/c", 2), e(b"d/e/f", 3)], &[(b"TREE", &tree)]);
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        std::fs::write(&index, &raw).unwrap();
        let mut file = parse_index(&index, false).unwrap();
        let tree = file.tree_mut().unwrap();
        invalidate_folders(tree, b"d/e/f");
        let counts = |t: &gix_index::extension::Tree| {
            let d = &t.children[1];
            [
                t.num_entries,
                t.children[0].num_entries,
                d.num_entries,
                d.children[0].num_entries,
            ]
        };
        assert_eq!(counts(tree), [None, Some(1), None, None]);
    }

    #[test]
    fn truncated_or_corrupt_files_are_errors_not_panics() {
        let tree = tree_record("", 2, 0, 0xaa);
        let entries = [e(b"a", 1), e(b"dir/b", 2)];
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        for version in [2, 3, 4] {
            let raw = sha1_index(version, &entries, &[(b"TREE", &tree), (b"UNTR", b"data")]);
            let (_, extensions) = locate_entry(&raw, b"dir/b").unwrap();
            for len in 0..raw.len() {
                let cut = &raw[..len];
                let _ = locate_entry(cut, b"dir/b");
                let _ = sha256_entry(cut, b"dir/b");
                std::fs::write(&index, cut).unwrap();
                // Cut inside the entries: an error. Cut in the extensions, the file may read as
                // a shorter valid one (git does not verify the checksum either).
                let loaded = LoadedEntry::load(index.clone(), "dir/b");
                let ids = index_ids(&index);
                if len > 0 && len < extensions + 20 {
                    assert!(loaded.is_err(), "v{version} cut at {len}");
                    assert!(ids.is_err(), "v{version} cut at {len}");
                }
            }
            // Every byte flipped in turn: whatever is found is within the file.
            for i in 0..raw.len() {
                let mut bad = raw.clone();
                bad[i] ^= 0xff;
                if let Some((at, extensions)) = locate_entry(&bad, b"dir/b") {
                    assert!(
                        at + 62 <= extensions && extensions <= bad.len() - 20,
                        "v{version} byte {i}"
                    );
                    let _ = patched(&bad, at, extensions, b"dir/b", new_id(), 7);
                }
            }
        }
        // An entry count larger than the file holds.
        let mut raw = sha1_index(2, &entries, &[]);
        raw[11] = 200;
        assert_eq!(locate_entry(&raw, b"a"), None);
        std::fs::write(&index, &raw).unwrap();
        assert!(LoadedEntry::load(index, "a").is_err());
    }
}
