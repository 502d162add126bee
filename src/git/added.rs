//! The lines commits add, diffed in this process: git lists what each commit changes
//! (`git log --raw`, no blob read), the blobs are read from the object store ([`super::packs`]) and the
//! two sides diffed here (imara-diff's Myers with git's slider heuristic), instead of having
//! `git log -p` diff them and print the patch. The same added lines at about a third less CPU:
//! git diffs each file from its first line (it trims only the common tail) and prints every
//! hunk, while here the common head and tail are cut first and nothing is printed or parsed.

use std::io::BufRead;
use std::process::Command;

use gix_hash::ObjectId;

use super::history::{AddedBlock, AddedFile, CommitPatch, GitChild, unquote, walk_error};
use super::packs::{ObjectStore, Reader};
use crate::error::Result;

/// git's own limits: a NUL in the first 8,000 bytes makes a file binary (`buffer_is_binary`),
/// and a file over `core.bigFileThreshold` (512 MiB) is never diffed.
const BINARY_PROBE: usize = 8000;
const BIG_FILE: usize = 512 << 20;

/// Reads the lines `commits` add, as [`super::PatchReader`] does, from the objects in
/// `objects`, and hands each commit to `f`, in the order given. Merges are left to git (its
/// combined diff), and so is a commit with a blob this reader cannot read (a partial clone's
/// missing blob, which git fetches): both are put in `through_git`.
pub(super) fn read(
    cmd: Command,
    objects: &ObjectStore,
    commits: &[String],
    through_git: &mut Vec<String>,
    mut f: impl FnMut(CommitPatch),
) -> Result<()> {
    let args = [
        "-c",
        "core.quotePath=false",
        "log",
        "--no-walk=unsorted",
        "--stdin",
        "--no-color",
        "--format=%x00%H %P",
        "--raw",
        // A root commit's files are added lines too, whatever `log.showRoot` says.
        "--root",
        "--no-abbrev",
        "--no-renames",
        "--no-relative",
        "--no-show-signature",
    ];
    if commits.is_empty() {
        // `git log --stdin` given no id would read HEAD.
        return Ok(());
    }
    let failed = |message: String| walk_error(&args, message);
    let mut git = GitChild::spawn(cmd, &args, true)?;
    let writer = git.feed(commits.join("\n") + "\n");
    let stdout = git.child.stdout.take().expect("stdout is piped");
    let mut store = Store {
        reader: Reader::new(objects),
        old: Vec::new(),
        new: Vec::new(),
    };
    let mut commit: Option<CommitPatch> = None;
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(failed(format!("cannot read git's output: {e}"))),
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if let Some(header) = line.strip_prefix(b"\0") {
            if let Some(c) = commit.take() {
                f(c);
            }
            let header = String::from_utf8_lossy(header);
            let mut words = header.split_whitespace();
            let id = words.next().unwrap_or_default().to_string();
            if words.count() > 1 {
                through_git.push(id);
            } else {
                commit = Some(CommitPatch { id, files: Vec::new() });
            }
        } else if let (Some(raw), Some(c)) = (line.strip_prefix(b":"), commit.as_mut()) {
            match store.added(raw) {
                Ok(Some(file)) => c.files.push(file),
                Ok(None) => {}
                Err(Unread) => {
                    through_git.push(std::mem::take(&mut c.id));
                    commit = None;
                }
            }
        }
    }
    if let Some(c) = commit.take() {
        f(c);
    }
    let _ = writer.join();
    git.finish()
}

/// A reader of the store and its two blob buffers.
struct Store<'a> {
    reader: Reader<'a>,
    old: Vec<u8>,
    new: Vec<u8>,
}

/// Why a `--raw` entry's lines could not be read here: git reads that commit instead.
struct Unread;

impl Store<'_> {
    /// The blob `id` into the old or the new buffer.
    fn read(&mut self, id: &ObjectId, old: bool) -> std::result::Result<(), Unread> {
        let buf = if old { &mut self.old } else { &mut self.new };
        match self.reader.blob(id, buf) {
            Ok(true) => Ok(()),
            Ok(false) | Err(_) => Err(Unread),
        }
    }

    /// The lines one `--raw` entry (`old-mode new-mode old-id new-id status<TAB>path`, the
    /// leading `:` taken off) adds; `None` for a deletion, a submodule, a binary file or no
    /// added line.
    fn added(&mut self, raw: &[u8]) -> std::result::Result<Option<AddedFile>, Unread> {
        let Some(tab) = raw.iter().position(|&b| b == b'\t') else {
            return Ok(None);
        };
        let meta = String::from_utf8_lossy(&raw[..tab]);
        let path = String::from_utf8_lossy(&unquote(&raw[tab + 1..])).into_owned();
        let fields: Vec<&str> = meta.split(' ').collect();
        let [old_mode, new_mode, old_id, new_id, _status] = fields[..] else {
            return Ok(None);
        };
        // Files and symbolic links (whose target git diffs as a line); not submodules.
        let text = |mode: &str| mode.starts_with("100") || mode == "120000";
        let (Ok(new_id), true) = (ObjectId::from_hex(new_id.as_bytes()), text(new_mode)) else {
            return Ok(None);
        };
        if new_id.is_null() {
            return Ok(None);
        }
        self.read(&new_id, false)?;
        // A type change (a link became a file) is a deletion and a creation to git.
        let old_id = ObjectId::from_hex(old_id.as_bytes())
            .ok()
            .filter(|id| !id.is_null() && text(old_mode) && old_mode.starts_with("100") == new_mode.starts_with("100"));
        match old_id {
            Some(id) => self.read(&id, true)?,
            None => self.old.clear(),
        }
        let (old, new) = (&self.old, &self.new);
        if new.len() > BIG_FILE || old.len() > BIG_FILE || is_binary(old) || is_binary(new) {
            return Ok(None);
        }
        let blocks = added_blocks(old, new);
        // A large file's buffers are not kept for the small ones after it.
        self.old.shrink_to(1 << 20);
        self.new.shrink_to(1 << 20);
        Ok((!blocks.is_empty()).then_some(AddedFile { path, blocks }))
    }
}

fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_PROBE)]).is_some()
}

/// The lines `new` adds to `old`, in blocks of consecutive lines, as `git diff -U0` has them:
/// the common head and tail are cut at line ends, the rest diffed by line (Myers, then git's
/// indent heuristic to place each hunk).
pub(super) fn added_blocks(old: &[u8], new: &[u8]) -> Vec<AddedBlock> {
    let mut head = common_prefix(old, new);
    while head > 0 && new[head - 1] != b'\n' {
        head -= 1;
    }
    let (old_rest, new_rest) = (&old[head..], &new[head..]);
    let common_tail = common_suffix(old_rest, new_rest);
    // Only whole lines: the tail starts after a line end that both sides share.
    let mut tail = common_tail;
    while tail > 0 && (tail == common_tail || new_rest[new_rest.len() - tail - 1] != b'\n') {
        tail -= 1;
    }
    let (old_mid, new_mid) = (&old_rest[..old_rest.len() - tail], &new_rest[..new_rest.len() - tail]);
    if new_mid.is_empty() {
        return Vec::new();
    }
    let first = 1 + memchr::memchr_iter(b'\n', &new[..head]).count() as u32;
    let lines: Vec<&[u8]> = imara_diff::sources::byte_lines(new_mid).collect();
    let mut blocks = Vec::new();
    let mut push = |from: u32, to: u32| {
        let mut text = Vec::new();
        for (i, line) in lines[from as usize..to as usize].iter().enumerate() {
            if i > 0 {
                text.push(b'\n');
            }
            text.extend_from_slice(line.strip_suffix(b"\n").unwrap_or(line));
        }
        blocks.push(AddedBlock {
            start: first + from,
            lines: to - from,
            text,
        });
    };
    if old_mid.is_empty() {
        push(0, lines.len() as u32);
        return blocks;
    }
    let input = imara_diff::InternedInput::new(
        imara_diff::sources::byte_lines(old_mid),
        imara_diff::sources::byte_lines(new_mid),
    );
    let mut diff = imara_diff::Diff::compute(imara_diff::Algorithm::Myers, &input);
    diff.postprocess_lines(&input);
    for hunk in diff.hunks() {
        if !hunk.after.is_empty() {
            push(hunk.after.start, hunk.after.end);
        }
    }
    blocks
}

/// The length of the bytes `a` and `b` start with alike: compared 64 at a time (a slice
/// comparison is a `memcmp`), then one by one.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const STEP: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + STEP <= n && a[i..i + STEP] == b[i..i + STEP] {
        i += STEP;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// The length of the bytes `a` and `b` end with alike.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const STEP: usize = 64;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + STEP <= n && a[n - i - STEP..n - i] == b[n - i - STEP..n - i] {
        i += STEP;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(old: &str, new: &str) -> Vec<(u32, String)> {
        added_blocks(old.as_bytes(), new.as_bytes())
            .into_iter()
            .map(|b| (b.start, String::from_utf8(b.text).unwrap()))
            .collect()
    }

    #[test]
    fn blocks_of_added_lines_with_their_numbers() {
        assert_eq!(added("", "a\nb\n"), [(1, "a\nb".to_string())]);
        assert_eq!(added("a\nc\n", "a\nb\nc\n"), [(2, "b".to_string())]);
        assert_eq!(
            added("a\nb\nc\nd\n", "a\nX\nc\nY\nZ\nd\n"),
            [(2, "X".to_string()), (4, "Y\nZ".to_string())]
        );
        assert_eq!(added("a\nb\n", "a\n"), []);
        assert_eq!(added("a\nb\n", "a\nb\n"), []);
    }

    #[test]
    fn a_line_grown_in_place_is_added_whole() {
        // The common head ends inside the line: it is cut at the line's start.
        assert_eq!(
            added("key = ab\nx\n", "key = abcdef\nx\n"),
            [(1, "key = abcdef".to_string())]
        );
        // The common tail starts inside the line.
        assert_eq!(added("x\ntoken\n", "x\nmytoken\n"), [(2, "mytoken".to_string())]);
        // A final line gains its newline: git counts it as a new line.
        assert_eq!(added("a\nb", "a\nb\n"), [(2, "b".to_string())]);
        assert_eq!(added("a\n", "a\nb"), [(2, "b".to_string())]);
    }

    #[test]
    fn common_ends_over_and_under_a_step() {
        let long = "x".repeat(200);
        for (a, b, head, tail) in [
            (format!("{long}a"), format!("{long}b"), 200, 0),
            (format!("a{long}"), format!("b{long}"), 0, 200),
            (long.clone(), long.clone(), 200, 200),
            (long.clone(), format!("{long}{long}"), 200, 200),
            (String::new(), long.clone(), 0, 0),
        ] {
            assert_eq!(common_prefix(a.as_bytes(), b.as_bytes()), head);
            assert_eq!(common_suffix(a.as_bytes(), b.as_bytes()), tail);
        }
    }

    #[test]
    fn crlf_lines_keep_their_carriage_return() {
        assert_eq!(added("a\r\n", "a\r\nb\r\n"), [(2, "b\r".to_string())]);
    }
}
