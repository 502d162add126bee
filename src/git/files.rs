//! File lists for a run over more than the staged change: every tracked file, the files
//! changed between two commits, and checking that a name a user gave is a commit.

use std::ffi::OsString;

use super::{Repo, git_output, git_stdout, path_from_bytes};
use crate::error::Result;

impl Repo {
    /// Every tracked file (`git ls-files -z`), relative to the work tree's top, as the bytes
    /// git gave.
    pub fn tracked_files(&self) -> Result<Vec<OsString>> {
        let out = git_stdout(self.git_command().args(["ls-files", "-z"]), "ls-files -z")?;
        Ok(nul_paths(&out))
    }

    /// The files changed on `to`'s side since it forked from `from` (`git diff --name-only
    /// A...B`, as the pre-commit framework lists them for `--from-ref`/`--to-ref`); two
    /// commits with no common ancestor are compared directly (`A..B`), as it does too.
    pub fn changed_files(&self, from: &str, to: &str) -> Result<Vec<OsString>> {
        let diff = ["diff", "--name-only", "--no-ext-diff", "-z"];
        let mut cmd = self.git_command();
        cmd.args(diff).arg(format!("{from}...{to}")).arg("--");
        let out = git_output(&mut cmd, "diff --name-only")?;
        if out.status.success() {
            return Ok(nul_paths(&out.stdout));
        }
        let direct = format!("{from}..{to}");
        let what = format!("{} {direct}", diff.join(" "));
        let out = git_stdout(self.git_command().args(diff).arg(&direct).arg("--"), &what)?;
        Ok(nul_paths(&out))
    }

    /// Whether `rev` names a commit here (`git rev-parse --verify REV^{commit}`).
    pub fn is_commit(&self, rev: &str) -> Result<bool> {
        let peeled = format!("{rev}^{{commit}}");
        let mut cmd = self.git_command();
        cmd.args(["rev-parse", "--verify", "--quiet", "--end-of-options", &peeled]);
        Ok(git_output(&mut cmd, "rev-parse --verify")?.status.success())
    }
}

fn nul_paths(out: &[u8]) -> Vec<OsString> {
    out.split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| path_from_bytes(p).into_os_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_separated_names_keep_their_bytes() {
        let names = nul_paths(b"a b.txt\0dir/-x\0\xff.bin\0");
        assert_eq!(names.len(), 3);
        assert_eq!(names[0], "a b.txt");
        assert_eq!(names[1], "dir/-x");
        assert_eq!(names[2].as_encoded_bytes(), b"\xff.bin");
    }
}
