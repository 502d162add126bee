//! The staged view: what the commit being made changes, from one `git diff --cached`; and the
//! staged paths alone, from the index and HEAD's tree read in process.

use super::Repo;
use super::index::{CachedTree, PathEntry, read_paths};
use crate::error::{Error, Result};

/// How the staged view asks git for the changes: renames found, the raw records and the patch
/// with no context, whole ids, nothing the user's diff settings would add or reformat.
const DIFF_OPTIONS: [&str; 11] = [
    "-M",
    "--raw",
    "-z",
    "-p",
    "-U0",
    "--no-abbrev",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--submodule=short",
];

/// The id of the empty tree, what the first commit is compared with.
const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

impl Repo {
    /// The changes staged for the next commit: index vs HEAD, or vs the empty tree on the first
    /// commit. One git subprocess: when the index's cache tree records the tree the commit will
    /// have (git writes it just before the pre-commit hook), `git diff <HEAD's tree> <that
    /// tree>`, which reads only the folders that differ; else `git diff --cached`, which reads
    /// every index entry.
    pub fn staged(&self) -> Result<StagedView> {
        if let Some((head, index)) = self.staged_trees() {
            if head == index {
                return Ok(StagedView::default());
            }
            let mut args = vec!["diff", head.as_str(), index.as_str()];
            args.extend(DIFF_OPTIONS);
            args.push("--");
            // A tree the cache records but the object store lacks: asked the long way below.
            if let Ok(out) = self.run_git(&args) {
                return parse_staged(&out);
            }
        }
        let mut args = vec!["diff", "--cached"];
        args.extend(DIFF_OPTIONS);
        parse_staged(&self.run_git(&args)?)
    }

    /// HEAD's tree (the empty tree on an unborn branch) and the tree the index's cache tree
    /// records for the whole commit, when it records one.
    fn staged_trees(&self) -> Option<(String, String)> {
        if self.is_sha256() {
            return None;
        }
        let index = super::index::cached_root_tree(&self.index_path())?;
        let head = match self.head_commit().ok()? {
            Some(commit) => self
                .git2("reading HEAD")
                .ok()?
                .find_commit(commit)
                .ok()?
                .tree_id()
                .to_string(),
            None => EMPTY_TREE.to_string(),
        };
        Some((head, index.to_string()))
    }
}

/// The paths of the staged change, without their content.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StagedPaths {
    /// Every path whose entry differs between HEAD and the index (id, mode or type), is added or
    /// is deleted, in git's order, as `git diff --cached --name-only --no-renames` lists them:
    /// a rename is its two paths, an intent-to-add entry (`git add -N`) none. Empty when the
    /// index holds a conflict.
    pub paths: Vec<String>,
    /// The index holds unmerged entries: there is no commit to describe yet.
    pub unmerged: bool,
}

impl Repo {
    /// The paths of the staged change (index vs HEAD; on an unborn branch every index entry).
    ///
    /// Read in process: the index against HEAD's tree (libgit2), skipping every folder whose
    /// cache-tree id (the index's TREE extension) is still HEAD's, so that only the trees of
    /// changed folders are read. The usual index is walked in its bytes; gix-index reads the
    /// others (version 4, a split index). A SHA-256 repository and a sparse index go to
    /// `git diff --cached --name-status` instead, which reads them.
    pub fn staged_paths(&self) -> Result<StagedPaths> {
        if self.sha256 {
            return self.staged_paths_by_git();
        }
        let index_path = self.index_path();
        let raw = match std::fs::read(&index_path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(Error::Read {
                    path: index_path,
                    source,
                });
            }
        };
        let parsed;
        let (entries, cache) = match read_paths(&raw) {
            Some(read) => read,
            None if raw.is_empty() => (Vec::new(), None),
            None => {
                parsed = super::index::parse_index(&index_path, false)?;
                if parsed.is_sparse() {
                    return self.staged_paths_by_git();
                }
                (gix_entries(&parsed), parsed.tree().map(gix_tree))
            }
        };
        if entries.iter().any(|e| e.stage != 0) {
            return Ok(StagedPaths {
                paths: Vec::new(),
                unmerged: true,
            });
        }
        let repo = &self.inner;
        let head = match repo.refname_to_id("HEAD") {
            Ok(id) => Some(
                repo.find_commit(id)
                    .map_err(|e| Error::git("cannot read the HEAD commit", e))?
                    .tree_id(),
            ),
            Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => None,
            Err(e) => return Err(Error::git("cannot resolve HEAD", e)),
        };
        let mut walk = Walk {
            repo,
            entries: &entries,
            paths: Vec::new(),
        };
        walk.folder(head, b"", 0, entries.len(), cache.as_ref())
            .map_err(|e| Error::git("cannot read HEAD's tree", e))?;
        Ok(StagedPaths {
            paths: walk.paths,
            unmerged: false,
        })
    }

    /// [`Repo::staged_paths`] from one `git diff --cached --name-status` (no patch, no renames).
    fn staged_paths_by_git(&self) -> Result<StagedPaths> {
        let out = self.run_git(&[
            "diff",
            "--cached",
            "--name-status",
            "--no-renames",
            "-z",
            "--no-color",
            "--no-ext-diff",
            "--no-relative",
        ])?;
        Ok(parse_name_status(&out))
    }
}

/// The entries of an index gix-index parsed.
fn gix_entries(file: &gix_index::File) -> Vec<PathEntry<'_>> {
    file.entries()
        .iter()
        .map(|e| PathEntry {
            path: e.path(file),
            mode: e.mode.bits(),
            id: e.id.as_slice(),
            stage: e.stage_raw() as u8,
            intent_to_add: e.flags.contains(gix_index::entry::Flags::INTENT_TO_ADD),
        })
        .collect()
}

/// A cache tree as gix-index parsed it.
fn gix_tree(tree: &gix_index::extension::Tree) -> CachedTree<'_> {
    CachedTree {
        name: &tree.name,
        id: tree.num_entries.map(|_| tree.id.as_slice()),
        count: tree.num_entries,
        children: tree.children.iter().map(gix_tree).collect(),
    }
}

/// `git diff --name-status -z` output: a status then a path, each ended by a NUL.
fn parse_name_status(out: &[u8]) -> StagedPaths {
    let mut staged = StagedPaths::default();
    let mut fields = out.split(|&b| b == 0);
    while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
        if status.first() == Some(&b'U') {
            staged.unmerged = true;
        }
        staged.paths.push(String::from_utf8_lossy(path).into_owned());
    }
    if staged.unmerged {
        staged.paths.clear();
    }
    staged
}

/// The walk of HEAD's tree beside the index, folder by folder.
struct Walk<'a> {
    repo: &'a git2::Repository,
    entries: &'a [PathEntry<'a>],
    paths: Vec<String>,
}

impl Walk<'_> {
    fn push(&mut self, path: &[u8]) {
        self.paths.push(String::from_utf8_lossy(path).into_owned());
    }

    /// An index entry HEAD does not have; intent-to-add ones are not part of the commit.
    fn added(&mut self, i: usize) {
        let entry = &self.entries[i];
        if !entry.intent_to_add {
            self.paths.push(String::from_utf8_lossy(entry.path).into_owned());
        }
    }

    /// Where the entries under `folder` (ending in `/`) that start at `i` end: `i` plus the
    /// count of the folder's valid cache-tree record when the entries agree, else a binary
    /// search.
    fn folder_end(&self, folder: &[u8], i: usize, hi: usize, cache: Option<&CachedTree<'_>>) -> usize {
        let inside = |at: usize| self.entries.get(at).is_some_and(|e| e.path.starts_with(folder));
        if let Some(count) = cache.and_then(|c| c.count) {
            let end = i + count as usize;
            if end <= hi && (count == 0 || inside(end - 1)) && (end == hi || !inside(end)) {
                return end;
            }
        }
        i + self.entries[i..hi].partition_point(|e| e.path.starts_with(folder))
    }

    /// Compares the folder `prefix` (empty, or ending in `/`) of HEAD, tree `tree` (None: HEAD
    /// has no such folder), with the index entries `lo..hi`, all under `prefix`; `cache` is the
    /// folder's cache-tree record.
    fn folder(
        &mut self,
        tree: Option<git2::Oid>,
        prefix: &[u8],
        lo: usize,
        hi: usize,
        cache: Option<&CachedTree<'_>>,
    ) -> std::result::Result<(), git2::Error> {
        if let (Some(id), Some(cached)) = (tree, cache.and_then(|c| c.id))
            && cached == id.as_bytes()
        {
            return Ok(());
        }
        let Some(id) = tree else {
            (lo..hi).for_each(|i| self.added(i));
            return Ok(());
        };
        let tree = self.repo.find_tree(id)?;
        let mut i = lo;
        let mut full = prefix.to_vec();
        for item in tree.iter() {
            let name = item.name_bytes();
            full.truncate(prefix.len());
            full.extend_from_slice(name);
            let mode = item.filemode() as u32;
            if mode & 0o170000 == 0o040000 {
                // The folder's entries sort as `name/...`, after anything else below that.
                full.push(b'/');
                while i < hi && self.entries[i].path < full.as_slice() {
                    self.added(i);
                    i += 1;
                }
                let child = cache.and_then(|c| subtree(c, name));
                let end = self.folder_end(&full, i, hi, child);
                self.folder(Some(item.id()), &full, i, end, child)?;
                i = end;
                continue;
            }
            while i < hi && self.entries[i].path < full.as_slice() {
                self.added(i);
                i += 1;
            }
            if i < hi && self.entries[i].path == full.as_slice() {
                let entry = &self.entries[i];
                let changed =
                    entry.id != item.id().as_bytes() || entry.mode != canonical_mode(mode) || entry.intent_to_add;
                if changed {
                    self.push(&full);
                }
                i += 1;
            } else {
                self.push(&full);
            }
        }
        (i..hi).for_each(|i| self.added(i));
        Ok(())
    }
}

/// The cache-tree record of the subfolder `name` of `tree`. git keeps subtrees ordered by name
/// length, then name (cache-tree.c, `subtree_name_cmp`): a binary search, else a scan.
fn subtree<'t, 'a>(tree: &'t CachedTree<'a>, name: &[u8]) -> Option<&'t CachedTree<'a>> {
    let key = (name.len(), name);
    match tree.children.binary_search_by(|c| (c.name.len(), c.name).cmp(&key)) {
        Ok(i) => Some(&tree.children[i]),
        Err(_) => tree.children.iter().find(|c| c.name == name),
    }
}

/// A tree entry's mode as git compares it with the index's: any regular file is 644 or 755.
fn canonical_mode(mode: u32) -> u32 {
    match mode & 0o170000 {
        0o100000 if mode & 0o100 != 0 => 0o100755,
        0o100000 => 0o100644,
        _ => mode,
    }
}

/// The staged changes, computed once per stage and handed to every step.
#[derive(Debug, Default)]
pub struct StagedView {
    pub files: Vec<StagedFile>,
}

#[derive(Debug, Default, Clone)]
pub struct StagedFile {
    /// The path in the index (the new path of a rename).
    pub path: String,
    /// The same path as the raw bytes git gave (file names need not be UTF-8).
    pub raw_path: Vec<u8>,
    /// The old path of a rename or copy.
    pub old_path: Option<String>,
    /// git's status letter: A, M, D, R, C, T.
    pub status: char,
    pub new_mode: u32,
    pub new_blob: String,
    pub binary: bool,
    pub added_count: u64,
    pub deleted_count: u64,
    /// Lines the change adds, with their line numbers in the new file.
    pub added: Vec<AddedLine>,
}

#[derive(Debug, Clone)]
pub struct AddedLine {
    pub number: u32,
    pub text: String,
}

impl StagedView {
    pub fn contains(&self, path: &str) -> bool {
        self.files.iter().any(|f| f.path == path)
    }
}

/// Parses `git diff --raw -z -p` output: NUL-separated raw records, an empty record, then one
/// `diff --git` section per record, in the same order.
fn parse_staged(out: &[u8]) -> Result<StagedView> {
    let bad = |what: &str| Error::GitCommand {
        args: "diff --cached".into(),
        message: format!("unexpected output ({what})"),
    };
    let mut files = Vec::new();
    let mut pos = 0;
    let next_field = |pos: &mut usize| -> Option<&[u8]> {
        let rest = &out[*pos..];
        let end = memchr(0, rest)?;
        *pos += end + 1;
        Some(&rest[..end])
    };
    while let Some(field) = next_field(&mut pos) {
        if field.is_empty() {
            break;
        }
        let meta = std::str::from_utf8(field.strip_prefix(b":").ok_or_else(|| bad("raw record"))?)
            .map_err(|_| bad("raw record"))?;
        let parts: Vec<&str> = meta.split(' ').collect();
        let [_old_mode, new_mode, _old_blob, new_blob, status] = parts[..] else {
            return Err(bad("raw record"));
        };
        let status = status.chars().next().ok_or_else(|| bad("status"))?;
        let first = next_field(&mut pos).ok_or_else(|| bad("path"))?;
        let (raw_path, old_path) = if matches!(status, 'R' | 'C') {
            let second = next_field(&mut pos).ok_or_else(|| bad("path"))?;
            (second, Some(String::from_utf8_lossy(first).into_owned()))
        } else {
            (first, None)
        };
        files.push(StagedFile {
            path: String::from_utf8_lossy(raw_path).into_owned(),
            raw_path: raw_path.to_vec(),
            old_path,
            status,
            new_mode: u32::from_str_radix(new_mode, 8).unwrap_or(0),
            new_blob: new_blob.to_string(),
            ..StagedFile::default()
        });
    }
    let patch = &out[pos.min(out.len())..];
    let mut index: Option<usize> = None;
    let (mut old_left, mut new_left, mut number) = (0u64, 0u64, 0u32);
    for line in patch.split(|&b| b == b'\n') {
        if old_left == 0 && new_left == 0 {
            if line.starts_with(b"diff --git ") {
                index = Some(index.map_or(0, |i| i + 1));
                continue;
            }
            let Some(file) = index.and_then(|i| files.get_mut(i)) else {
                continue;
            };
            if let Some(header) = line.strip_prefix(b"@@ -") {
                let (o, n, start) = parse_hunk_header(header).ok_or_else(|| bad("hunk header"))?;
                (old_left, new_left, number) = (o, n, start);
            } else if line.starts_with(b"Binary files ") {
                file.binary = true;
            }
            continue;
        }
        let Some(file) = index.and_then(|i| files.get_mut(i)) else {
            return Err(bad("hunk outside a file"));
        };
        match line.first() {
            Some(b'+') => {
                file.added_count += 1;
                file.added.push(AddedLine {
                    number,
                    text: String::from_utf8_lossy(&line[1..]).into_owned(),
                });
                number += 1;
                new_left = new_left.saturating_sub(1);
            }
            Some(b'-') => {
                file.deleted_count += 1;
                old_left = old_left.saturating_sub(1);
            }
            Some(b'\\') => {}
            _ => {
                // A context line; -U0 gives none, but be tolerant.
                number += 1;
                old_left = old_left.saturating_sub(1);
                new_left = new_left.saturating_sub(1);
            }
        }
    }
    Ok(StagedView { files })
}

/// `a[,b] +c[,d] @@...` (after the leading `@@ -`) -> (old count, new count, new start).
fn parse_hunk_header(h: &[u8]) -> Option<(u64, u64, u32)> {
    let h = std::str::from_utf8(h.get(..h.windows(3).position(|w| w == b" @@")?)?).ok()?;
    let (old, new) = h.split_once(" +")?;
    let range = |r: &str| -> Option<(u64, u64)> {
        match r.split_once(',') {
            Some((s, c)) => Some((s.parse().ok()?, c.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (_, old_count) = range(old)?;
    let (new_start, new_count) = range(new)?;
    Some((old_count, new_count, u32::try_from(new_start).ok()?))
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_and_patch() {
        let out = b":000000 100644 0000000000000000000000000000000000000000 badc806badc806badc806badc806badc806badc80 A\0bin.dat\0\
:100644 100644 587be6b587be6b587be6b587be6b587be6b587be6 587be6b587be6b587be6b587be6b587be6b587be6 R100\0sp ace\0new name\0\
:100644 100644 422c2b7422c2b7422c2b7422c2b7422c2b7422c2b 7be73ce7be73ce7be73ce7be73ce7be73ce7be73c M\0one\0\0\
diff --git a/bin.dat b/bin.dat\nnew file mode 100644\nindex 0000000..badc806\nBinary files /dev/null and b/bin.dat differ\n\
diff --git a/sp ace b/new name\nsimilarity index 100%\nrename from sp ace\nrename to new name\n\
diff --git a/one b/one\nindex 422c2b7..7be73ce 100644\n--- a/one\n+++ b/one\n@@ -2 +2,2 @@ a\n-b\n+B\n+--- c\n";
        let view = parse_staged(out).unwrap();
        assert_eq!(view.files.len(), 3);
        assert!(view.files[0].binary);
        assert_eq!(view.files[1].path, "new name");
        assert_eq!(view.files[1].old_path.as_deref(), Some("sp ace"));
        assert_eq!(view.files[1].added_count + view.files[1].deleted_count, 0);
        let one = &view.files[2];
        assert_eq!((one.added_count, one.deleted_count), (2, 1));
        assert_eq!(one.added[0].number, 2);
        assert_eq!(one.added[1].text, "--- c");
        assert_eq!(one.added[1].number, 3);
    }

    #[test]
    fn name_status_lists_paths_and_a_conflict_clears_them() {
        let out = b"M\0src/a.rs\0D\0old name\0A\0new name\0";
        let staged = parse_name_status(out);
        assert_eq!(staged.paths, ["src/a.rs", "old name", "new name"]);
        assert!(!staged.unmerged);
        let staged = parse_name_status(b"M\0a\0U\0b\0");
        assert!(staged.unmerged && staged.paths.is_empty());
        assert_eq!(parse_name_status(b""), StagedPaths::default());
    }

    #[test]
    fn tree_modes_compare_as_git_canonicalizes_them() {
        assert_eq!(canonical_mode(0o100664), 0o100644);
        assert_eq!(canonical_mode(0o100775), 0o100755);
        assert_eq!(canonical_mode(0o120000), 0o120000);
        assert_eq!(canonical_mode(0o160000), 0o160000);
    }

    #[test]
    fn subtrees_are_found_in_gits_order_and_out_of_it() {
        let node = |name: &'static [u8], children| CachedTree {
            name,
            id: None,
            count: None,
            children,
        };
        let leaves = |names: &[&'static [u8]]| names.iter().map(|n| node(n, Vec::new())).collect();
        // git's order: shorter names first, then bytes.
        let tree = node(b"", leaves(&[b"b", b"z", b"ab", b"lib", b"src"]));
        for name in [&b"b"[..], b"z", b"ab", b"lib", b"src"] {
            assert_eq!(subtree(&tree, name).map(|t| t.name), Some(name));
        }
        assert!(subtree(&tree, b"docs").is_none());
        let unordered = node(b"", leaves(&[b"src", b"b", b"lib"]));
        assert_eq!(subtree(&unordered, b"b").map(|t| t.name), Some(&b"b"[..]));
    }

    #[test]
    fn hunk_headers() {
        assert_eq!(parse_hunk_header(b"0,0 +1,3 @@"), Some((0, 3, 1)));
        assert_eq!(parse_hunk_header(b"5 +6 @@ fn x"), Some((1, 1, 6)));
        assert_eq!(parse_hunk_header(b"garbage"), None);
    }
}
