//! What a push sends: the ref updates git hands the pre-push hook on stdin, and the commits
//! among them that the remote does not have yet.

use super::Repo;
use super::history::CommitInfo;
use crate::error::{Error, Result};

/// One line of the pre-push hook's stdin: `<local ref> <local id> <remote ref> <remote id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// `(delete)` for a deletion.
    pub local_ref: String,
    pub local_id: String,
    pub remote_ref: String,
    /// All zeros when the remote has no such ref yet.
    pub remote_id: String,
}

impl RefUpdate {
    /// The push deletes the remote ref: nothing is sent.
    pub fn is_deletion(&self) -> bool {
        is_zero(&self.local_id)
    }

    /// The remote has no such ref yet.
    pub fn is_new(&self) -> bool {
        is_zero(&self.remote_id)
    }
}

/// An object id of zeros: git's "no object" (SHA-1 or SHA-256).
fn is_zero(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b == b'0')
}

/// Parses the pre-push hook's stdin; blank lines are ignored.
pub fn parse_ref_updates(input: &[u8]) -> Result<Vec<RefUpdate>> {
    let text = String::from_utf8_lossy(input);
    let mut updates = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local_id, remote_ref, remote_id] = fields[..] else {
            return Err(Error::Hook {
                hook: "pre-push".into(),
                message: format!(
                    "cannot read the line `{line}` git gave on stdin: expected `<local ref> <local sha> <remote ref> <remote sha>`"
                ),
            });
        };
        let hex = |id: &str| id.len() >= 40 && id.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(local_id) || !hex(remote_id) {
            return Err(Error::Hook {
                hook: "pre-push".into(),
                message: format!(
                    "cannot read the line `{line}` git gave on stdin: `{local_id}` or `{remote_id}` is not an object id"
                ),
            });
        }
        updates.push(RefUpdate {
            local_ref: local_ref.into(),
            local_id: local_id.into(),
            remote_ref: remote_ref.into(),
            remote_id: remote_id.into(),
        });
    }
    Ok(updates)
}

impl Repo {
    /// The commits `updates` send that `remote` does not have, newest first, with their
    /// messages: reachable from a pushed id but from no remote-tracking ref of `remote` and from
    /// no id the remote's refs held (a force push sends only its new commits). Deletions send
    /// nothing. One `git log`; a remote id this repository does not have is passed over.
    pub fn pushed_commits(&self, remote: &str, updates: &[RefUpdate]) -> Result<Vec<CommitInfo>> {
        let sent: Vec<&RefUpdate> = updates.iter().filter(|u| !u.is_deletion()).collect();
        if sent.is_empty() {
            return Ok(Vec::new());
        }
        let mut args: Vec<String> = [
            "log",
            "-z",
            "--no-color",
            "--topo-order",
            "--ignore-missing",
            "--format=%H %P%n%B",
        ]
        .map(String::from)
        .to_vec();
        args.extend(sent.iter().map(|u| u.local_id.clone()));
        args.push("--not".into());
        // A remote given as a URL has no remote-tracking refs: the glob matches nothing.
        args.push(format!("--remotes={remote}"));
        args.extend(updates.iter().filter(|u| !u.is_new()).map(|u| u.remote_id.clone()));
        args.push("--".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run_git(&args)?;
        Ok(out
            .split(|&b| b == 0)
            .filter(|r| !r.is_empty())
            .map(CommitInfo::from_record)
            .collect())
    }

    /// The paths `commits` change (added, copied, modified, renamed to), each once, in git's
    /// order: one `git log`. Merges count for nothing, as in `git log --name-only`.
    pub fn changed_paths(&self, commits: &[String]) -> Result<Vec<String>> {
        if commits.is_empty() {
            return Ok(Vec::new());
        }
        let ids = commits.join("\n") + "\n";
        let args = [
            "-c",
            "core.quotePath=false",
            "log",
            "--no-walk=unsorted",
            "--stdin",
            "-z",
            "--format=",
            "--name-only",
            "--no-renames",
            "--diff-filter=d",
        ];
        let (_, out) = self.git_io(&args, ids.as_bytes(), &[0])?;
        let mut seen = std::collections::HashSet::new();
        Ok(out
            .split(|&b| b == 0 || b == b'\n')
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .filter(|p| seen.insert(p.clone()))
            .collect())
    }

    /// The content of `path` in the commit `rev` names (a tag is peeled); `None` when that
    /// commit has no such file. Works in SHA-256 repositories.
    pub fn file_at_rev(&self, rev: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let mut cmd = self.git_command();
        cmd.args(["cat-file", "blob", &format!("{rev}^{{commit}}:{path}")])
            .stdin(std::process::Stdio::null());
        let out = super::git_output(&mut cmd, "cat-file blob")?;
        Ok(out.status.success().then_some(out.stdout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn reads_updates_deletions_and_new_refs() {
        let input = format!(
            "refs/heads/main {A} refs/heads/main {Z}\n\n(delete) {Z} refs/heads/old {A}\nrefs/tags/v1.0.0 {A} refs/tags/v1.0.0 {Z}\n"
        );
        let updates = parse_ref_updates(input.as_bytes()).unwrap();
        assert_eq!(updates.len(), 3);
        assert!(updates[0].is_new() && !updates[0].is_deletion());
        assert!(updates[1].is_deletion() && !updates[1].is_new());
        assert_eq!(updates[2].local_ref, "refs/tags/v1.0.0");
        assert!(parse_ref_updates(b"").unwrap().is_empty());
    }

    #[test]
    fn refuses_what_git_never_writes() {
        let err = parse_ref_updates(b"refs/heads/main abc refs/heads/main").unwrap_err();
        assert!(err.to_string().contains("refs/heads/main abc"), "{err}");
        let err = parse_ref_updates(format!("a {A} b nothex").as_bytes()).unwrap_err();
        assert!(err.to_string().contains("not an object id"), "{err}");
    }

    #[test]
    fn sha256_zeros_are_zero() {
        assert!(is_zero(&"0".repeat(64)));
        assert!(!is_zero(""));
        assert!(!is_zero(A));
    }
}
