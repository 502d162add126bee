//! History walks: commits and their messages (`git log`), and the lines commits add
//! ([`PatchReader`]), both read from git while it is still walking.

use std::process::Command;

use super::{Repo, git_stdout};
use crate::error::{Error, Result};

pub struct CommitInfo {
    pub id: String,
    pub message: String,
    pub parents: usize,
}

impl Repo {
    /// Commits reachable from `to` but not from `from`, newest first in topological order, with
    /// their raw messages.
    pub fn commits(&self, from: Option<git2::Oid>, to: git2::Oid) -> Result<Vec<CommitInfo>> {
        let mut commits = Vec::new();
        self.each_commit(from, to, true, |batch| commits.extend(batch))?;
        Ok(commits)
    }

    /// Hands the commits reachable from `to` but not from `from` to `f` in batches, newest first,
    /// while `git log` is still reading history: one subprocess reads a long history about twice
    /// as fast as walking it through git2 (10,000 commits: 52 vs 120 ms here), and without
    /// `topo` (git's default date order) its first commits arrive before it has walked them all.
    pub fn each_commit(
        &self,
        from: Option<git2::Oid>,
        to: git2::Oid,
        topo: bool,
        mut f: impl FnMut(Vec<CommitInfo>),
    ) -> Result<()> {
        use std::io::{BufRead, Read};
        const BATCH: usize = 256;
        let to = to.to_string();
        let not_from = from.map(|f| format!("^{f}"));
        let mut args = vec!["log", "-z", "--no-color", "--format=%H %P%n%B", to.as_str()];
        if topo {
            args.insert(1, "--topo-order");
        }
        if let Some(f) = &not_from {
            args.push(f);
        }
        args.push("--");
        let failed = |message: String| Error::GitCommand {
            args: args.join(" "),
            message,
        };
        let mut child = self
            .git_command()
            .args(&args)
            // To a pipe, git flushes after every commit: one write and one wake-up of this
            // reader per commit. Fully buffered, 10,000 commits take 30% less time.
            .env("GIT_FLUSH", "0")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("cannot start git: {e}")))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        // stderr is read on the side so that git never blocks on a full pipe.
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut batch = Vec::with_capacity(BATCH);
        let records = std::io::BufReader::with_capacity(256 * 1024, stdout).split(0);
        for record in records {
            let record = record.map_err(|e| failed(format!("cannot read git's output: {e}")))?;
            if record.is_empty() {
                continue;
            }
            batch.push(CommitInfo::from_record(&record));
            if batch.len() == BATCH {
                f(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        }
        if !batch.is_empty() {
            f(batch);
        }
        let status = child.wait().map_err(|e| failed(format!("cannot wait for git: {e}")))?;
        let stderr = errors.join().unwrap_or_default();
        if !status.success() {
            return Err(failed(stderr.trim().to_string()));
        }
        Ok(())
    }
}

impl CommitInfo {
    /// One record of `git log -z --format="%H %P%n%B"`.
    pub(super) fn from_record(record: &[u8]) -> CommitInfo {
        let text = String::from_utf8_lossy(record);
        let (ids, message) = text.split_once('\n').unwrap_or((&text, ""));
        let mut ids = ids.split(' ').filter(|s| !s.is_empty());
        CommitInfo {
            id: ids.next().unwrap_or_default().to_string(),
            message: message.to_string(),
            parents: ids.count(),
        }
    }
}

impl Repo {
    /// The commits of `range` (`A..B`, a single revision, or HEAD), newest first, within
    /// `since` / `until` (commit time, seconds since the epoch).
    pub fn history_commits(&self, range: &str, since: Option<i64>, until: Option<i64>) -> Result<Vec<String>> {
        let mut args = vec!["rev-list".to_string()];
        if let Some(s) = since {
            args.push(format!("--max-age={s}"));
        }
        if let Some(u) = until {
            args.push(format!("--min-age={u}"));
        }
        args.extend(["--end-of-options".to_string(), range.to_string(), "--".to_string()]);
        let out = git_stdout(self.git_command().args(&args), &args.join(" "))?;
        Ok(String::from_utf8_lossy(&out).lines().map(String::from).collect())
    }

    /// A reader of the lines commits add (see [`PatchReader`]); one per git process, each
    /// usable on its own thread.
    pub fn patch_reader(&self) -> PatchReader {
        PatchReader {
            cmd: self.git_command(),
        }
    }
}

/// Reads the lines commits add with `git log -p -U0`: no rename detection, no textconv or
/// external diff, binary files left out. A merge counts only what it adds beyond all its
/// parents (git's dense combined diff, `--cc`): a line taken from one side was added by that
/// side's commit and is not counted again; a line in none of the parents (a conflict
/// resolution, an "evil merge") is. Works in SHA-256 repositories too: nothing goes through
/// libgit2.
pub struct PatchReader {
    cmd: Command,
}

impl PatchReader {
    /// Hands `commits` to `f` in batches, in the order given, each with the lines it adds,
    /// while git is still reading them.
    pub fn read(mut self, commits: &[String], mut f: impl FnMut(Vec<CommitPatch>)) -> Result<()> {
        use std::io::{BufRead, Read, Write};
        // A batch ends after this many commits or this many bytes of added text, whichever
        // comes first: enough work to share across cores, little enough to keep memory flat.
        const BATCH_COMMITS: usize = 64;
        const BATCH_BYTES: usize = 4 << 20;
        // git's own memory is most of a history read's: its delta-base cache (96 MB by default)
        // and its pack windows (mapped and read through, so counted as resident). Smaller ones
        // cost no measurable time here (moby's last 7,000 commits: 240 MB down to 82 MB).
        let args = [
            "-c",
            "core.quotePath=false",
            "-c",
            "core.deltaBaseCacheLimit=16m",
            "-c",
            "core.packedGitLimit=32m",
            "-c",
            "core.packedGitWindowSize=1m",
            "log",
            "--no-walk=unsorted",
            "--stdin",
            "--no-color",
            "--format=%x00%H",
            "-p",
            "-U0",
            "--cc",
            "--no-renames",
            "--no-textconv",
            "--no-ext-diff",
            "--no-relative",
            "--no-show-signature",
            "--submodule=short",
            "--src-prefix=a/",
            "--dst-prefix=b/",
        ];
        if commits.is_empty() {
            return Ok(());
        }
        let failed = |message: String| Error::GitCommand {
            args: args.join(" "),
            message,
        };
        let mut child = self
            .cmd
            .args(args)
            .env("GIT_FLUSH", "0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("cannot start git: {e}")))?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let ids = commits.join("\n") + "\n";
        // Written on the side: git may start writing before it has read every id.
        let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut reader = std::io::BufReader::with_capacity(256 * 1024, stdout);
        let mut parser = PatchParser::default();
        let mut batch = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| failed(format!("cannot read git's output: {e}")))?;
            if n == 0 {
                break;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            if let Some(done) = parser.line(&line) {
                batch.push(done);
                if batch.len() >= BATCH_COMMITS || parser.bytes >= BATCH_BYTES {
                    parser.bytes = 0;
                    f(std::mem::take(&mut batch));
                }
            }
        }
        batch.extend(parser.finish());
        if !batch.is_empty() {
            f(batch);
        }
        let _ = writer.join();
        let status = child.wait().map_err(|e| failed(format!("cannot wait for git: {e}")))?;
        let stderr = errors.join().unwrap_or_default();
        if !status.success() {
            return Err(failed(stderr.trim().to_string()));
        }
        Ok(())
    }
}

/// One commit of a history read: the lines it adds, file by file, in git's order.
#[derive(Debug, Default)]
pub struct CommitPatch {
    pub id: String,
    pub files: Vec<AddedFile>,
}

/// The lines one commit adds to one file (never empty), in blocks of consecutive lines.
#[derive(Debug)]
pub struct AddedFile {
    pub path: String,
    pub blocks: Vec<AddedBlock>,
}

/// Consecutive added lines, as they are in the file from line `start` (joined by `\n`, no
/// final one): a multi-line secret (a PEM key) is seen whole.
#[derive(Debug)]
pub struct AddedBlock {
    pub start: u32,
    pub lines: u32,
    pub text: Vec<u8>,
}

/// Reads `git log -p -U0 --cc --format=%x00%H` line by line.
#[derive(Default)]
struct PatchParser {
    commit: Option<CommitPatch>,
    /// The file being read: its path (None for a deletion) and added lines.
    file: Option<(Option<String>, Vec<AddedBlock>)>,
    /// Inside a hunk: the prefix columns (one per parent) and the next new line number.
    hunk: Option<(usize, u32)>,
    /// Bytes of added text since the last batch.
    bytes: usize,
}

impl PatchParser {
    /// Takes one line (without its newline); returns the previous commit when a new one starts.
    fn line(&mut self, line: &[u8]) -> Option<CommitPatch> {
        if let Some(id) = line.strip_prefix(b"\0") {
            let done = self.finish();
            self.commit = Some(CommitPatch {
                id: String::from_utf8_lossy(id).trim().to_string(),
                files: Vec::new(),
            });
            return done;
        }
        if line.starts_with(b"diff --git ") || line.starts_with(b"diff --cc ") || line.starts_with(b"diff --combined ")
        {
            self.end_file();
            self.file = Some((None, Vec::new()));
            self.hunk = None;
            return None;
        }
        if line.starts_with(b"@@") {
            self.hunk = hunk_start(line);
            return None;
        }
        match &mut self.hunk {
            None => {
                // A file header: the new path comes from `+++ b/path` (`+++ /dev/null`: deleted).
                if let (Some(rest), Some((path, _))) = (line.strip_prefix(b"+++ "), self.file.as_mut()) {
                    let name = unquote(rest);
                    *path = name
                        .strip_prefix(b"b/")
                        .map(|p| String::from_utf8_lossy(p).into_owned());
                }
            }
            Some((columns, next)) => {
                let columns = *columns;
                if line.len() < columns || line.starts_with(b"\\") {
                    return None;
                }
                let (prefix, text) = line.split_at(columns);
                if prefix.contains(&b'-') {
                    return None;
                }
                let number = *next;
                *next += 1;
                if prefix.iter().all(|&c| c == b'+')
                    && let Some((Some(_), blocks)) = self.file.as_mut()
                {
                    self.bytes += text.len() + 1;
                    match blocks.last_mut() {
                        Some(block) if block.start + block.lines == number => {
                            block.text.push(b'\n');
                            block.text.extend_from_slice(text);
                            block.lines += 1;
                        }
                        _ => blocks.push(AddedBlock {
                            start: number,
                            lines: 1,
                            text: text.to_vec(),
                        }),
                    }
                }
            }
        }
        None
    }

    fn end_file(&mut self) {
        if let (Some((Some(path), blocks)), Some(commit)) = (self.file.take(), self.commit.as_mut())
            && !blocks.is_empty()
        {
            commit.files.push(AddedFile { path, blocks });
        }
    }

    fn finish(&mut self) -> Option<CommitPatch> {
        self.end_file();
        self.hunk = None;
        self.commit.take()
    }
}

/// `@@ -a,b +c,d @@` or, for a merge of n parents, n+1 `@` around n `-` ranges: the number of
/// prefix columns and the first new line number.
fn hunk_start(line: &[u8]) -> Option<(usize, u32)> {
    let ats = line.iter().take_while(|&&c| c == b'@').count();
    let text = std::str::from_utf8(&line[ats..]).ok()?;
    let new = text.split(' ').find_map(|w| w.strip_prefix('+'))?;
    let start = new.split(',').next()?.parse().ok()?;
    Some((ats.saturating_sub(1).max(1), start))
}

/// A path as git writes it in a diff header: C-quoted when it holds a quote, a backslash or a
/// control character.
fn unquote(name: &[u8]) -> Vec<u8> {
    // A name with a space ends with a tab (a tab inside a name is always quoted).
    let name = name.strip_suffix(b"\t").unwrap_or(name);
    let Some(inner) = name.strip_prefix(b"\"").and_then(|n| n.strip_suffix(b"\"")) else {
        return name.to_vec();
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        i += 1;
        if c != b'\\' || i == inner.len() {
            out.push(c);
            continue;
        }
        let e = inner[i];
        i += 1;
        out.push(match e {
            b'a' => 7,
            b'b' => 8,
            b't' => b'\t',
            b'n' => b'\n',
            b'v' => 11,
            b'f' => 12,
            b'r' => b'\r',
            b'0'..=b'3' if i + 2 <= inner.len() => {
                let digits = [e, inner[i], inner[i + 1]];
                i += 2;
                digits
                    .iter()
                    .fold(0u8, |n, d| n.wrapping_mul(8).wrapping_add(d.wrapping_sub(b'0')))
            }
            other => other,
        });
    }
    out
}
