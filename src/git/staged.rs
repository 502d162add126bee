//! The staged view: what the commit being made changes, from one `git diff --cached`.

use super::Repo;
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
    fn hunk_headers() {
        assert_eq!(parse_hunk_header(b"0,0 +1,3 @@"), Some((0, 3, 1)));
        assert_eq!(parse_hunk_header(b"5 +6 @@ fn x"), Some((1, 1, 6)));
        assert_eq!(parse_hunk_header(b"garbage"), None);
    }
}
