//! A hermetic git repository in a temp folder: no global or system config, a fixed identity,
//! no signing. Every test drives the real `git` and the real `mpm-hooks` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_fs::TempDir;
use assert_fs::prelude::*;

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mpm-hooks"))
}

/// Writes empty global and system git configs into `dir` and returns (global, system). Tests
/// point `GIT_CONFIG_GLOBAL` / `GIT_CONFIG_SYSTEM` at these, never at `/dev/null`: a global
/// config write run as root locks `/dev/null.lock` and renames it over the device.
pub fn empty_configs(dir: &Path) -> (PathBuf, PathBuf) {
    let global = dir.join("gitconfig-global");
    let system = dir.join("gitconfig-system");
    std::fs::write(&global, "").unwrap();
    std::fs::write(&system, "").unwrap();
    (global, system)
}

pub struct TestRepo {
    pub dir: TempDir,
    home: TempDir,
}

impl TestRepo {
    /// A fresh repository with `git init`.
    pub fn new() -> TestRepo {
        let repo = TestRepo::bare_dir();
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// An empty folder that is not a repository.
    pub fn bare_dir() -> TestRepo {
        let home = TempDir::new().unwrap();
        empty_configs(home.path());
        TestRepo {
            dir: TempDir::new().unwrap(),
            home,
        }
    }

    /// The empty global git config this repository's commands use (a file in the test's own
    /// temp folder: a global config write lands there, never on a device or a shared path).
    pub fn global_config(&self) -> PathBuf {
        self.home.path().join("gitconfig-global")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn child(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("GIT_CONFIG_GLOBAL", self.home.path().join("gitconfig-global"))
            .env("GIT_CONFIG_SYSTEM", self.home.path().join("gitconfig-system"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path())
            .env("GIT_AUTHOR_NAME", "Test User")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test User")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("MPM_HOOKS_ENV")
            .env_remove("MPM_HOOKS_LOG_LEVEL")
            .env_remove("MPM_HOOKS")
            .env_remove("SKIP")
            .current_dir(self.path());
        // The tests may themselves run under the pre-commit framework, which sets these.
        for var in [
            "PRE_COMMIT",
            "PRE_COMMIT_FROM_REF",
            "PRE_COMMIT_TO_REF",
            "PRE_COMMIT_ORIGIN",
            "PRE_COMMIT_SOURCE",
            "PRE_COMMIT_LOCAL_BRANCH",
            "PRE_COMMIT_REMOTE_BRANCH",
            "PRE_COMMIT_REMOTE_NAME",
            "PRE_COMMIT_REMOTE_URL",
            "PRE_COMMIT_COMMIT_MSG_SOURCE",
            "PRE_COMMIT_COMMIT_OBJECT_NAME",
        ] {
            cmd.env_remove(var);
        }
    }

    /// `program` with the hermetic environment, run in the repository (change with current_dir).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd
    }

    /// `git ARGS` in the repository; panics if git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn git_output(&self, args: &[&str]) -> Output {
        self.git_with(&[], args)
    }

    /// `git ARGS` with extra environment variables.
    pub fn git_with(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        cmd.envs(vars.iter().copied());
        cmd.args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"]);
        cmd.args(args).output().unwrap()
    }

    /// An `mpm-hooks` command in the repository.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(bin());
        let inner = self.command("true");
        for (k, v) in inner.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.current_dir(self.path());
        cmd
    }

    pub fn write(&self, rel: &str, content: &str) {
        self.dir.child(rel).write_str(content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.child(rel)).unwrap()
    }

    /// Writes, stages and commits a file with hooks bypassed; returns the new HEAD.
    pub fn commit_file(&self, rel: &str, content: &str, message: &str) -> String {
        self.write(rel, content);
        self.git(&["add", "--", rel]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
        self.head()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// The audit log's records.
    pub fn audit(&self) -> Vec<serde_json::Value> {
        let path = self.child(".git/mpm-hooks/audit.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

impl TestRepo {
    /// `mpm-hooks install` in the repository; panics if it fails.
    pub fn install(&self) -> String {
        let out = self.cmd().arg("install").output().unwrap();
        assert!(out.status.success(), "install failed: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git commit -m MESSAGE` with the hooks running.
    pub fn commit(&self, message: &str) -> Output {
        self.git_output(&["commit", "-q", "-m", message])
    }

    /// Number of commits on HEAD.
    pub fn count(&self) -> usize {
        let out = self.git_output(&["rev-list", "--count", "HEAD"]);
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
    }
}

/// Everything a user could see change: each work-tree file's bytes and mode, `git status`,
/// every ref and where it points, and the index entries.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    files: std::collections::BTreeMap<String, (Vec<u8>, u32)>,
    status: String,
    refs: String,
    index: String,
}

impl TestRepo {
    pub fn snapshot(&self) -> Snapshot {
        use std::os::unix::fs::PermissionsExt;
        let mut files = std::collections::BTreeMap::new();
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(self.path()).unwrap().display().to_string();
                    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                    files.insert(rel, (std::fs::read(&path).unwrap(), mode));
                }
            }
        }
        Snapshot {
            files,
            status: self.git(&["status", "--porcelain", "--untracked-files=all"]),
            refs: self.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
            index: self.git(&["ls-files", "-s"]),
        }
    }
}
