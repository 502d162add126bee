//! The one door to git. git2 serves discovery, configuration, the index, tags and commit walks;
//! the staged view comes from one `git diff --cached` subprocess, which skips unchanged subtrees
//! through the index's cache-tree and so beats an in-process tree walk on large repositories
//! (numbers in README, "Performance"). Here: the workspace and repository, discovery,
//! configuration, and running git; the rest in one file per concern.

mod added;
mod amend;
mod files;
mod history;
mod index;
mod objects;
mod packs;
mod push;
mod refs;
mod staged;
mod walk;
mod worktree;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::config::GitEnv;
use crate::error::{Error, Result};

pub use amend::commit_is_amend;
pub use history::{AddedBlock, AddedFile, CommitInfo, CommitPatch, PatchReader};
pub use index::{IndexEntry, LoadedEntry, index_ids, is_partial_commit_index};
pub use objects::{blob_id, store_blob};
pub use push::{RefUpdate, parse_ref_updates};
pub use refs::today;
pub use staged::{AddedLine, StagedFile, StagedPaths, StagedView};
pub use worktree::{UnstagedChange, path_from_bytes};

/// Where the tool works: the work tree's top inside a repository, else the current folder.
pub struct Workspace {
    pub root: PathBuf,
    pub repo: Option<Repo>,
}

impl Workspace {
    /// Discovers the repository from the current folder, honouring GIT_DIR and GIT_WORK_TREE.
    /// Outside any repository the current folder serves (the `version` commands work there).
    pub fn discover(env: &GitEnv) -> Result<Workspace> {
        match Repo::discover(env) {
            Ok(repo) => Ok(Workspace {
                root: repo.root.clone(),
                repo: Some(repo),
            }),
            Err(Error::NotARepository) => {
                let cwd = std::env::current_dir().map_err(|source| Error::Read {
                    path: PathBuf::from("."),
                    source,
                })?;
                Ok(Workspace { root: cwd, repo: None })
            }
            Err(e) => Err(e),
        }
    }

    pub fn repo(&self) -> Result<&Repo> {
        self.repo.as_ref().ok_or(Error::NotARepository)
    }

    /// `<common git dir>/mpm-hooks`: logs, audit, temp files. Never in the work tree.
    pub fn state_dir(&self) -> Option<PathBuf> {
        self.repo.as_ref().map(|r| r.common_dir.join("mpm-hooks"))
    }

    /// Takes the version lock (see [`crate::version::lock`]); outside a repository there is no
    /// git dir to hold it in, and nothing is locked.
    pub fn lock_versions(&self) -> Result<Option<crate::fs::Lock>> {
        self.repo.as_ref().map(|r| crate::version::lock(&r.git_dir)).transpose()
    }

    /// Where atomic writes put their temp files.
    pub fn scratch_dir(&self) -> Option<PathBuf> {
        self.state_dir().map(|d| d.join("tmp"))
    }
}

pub struct Repo {
    /// The repository as libgit2 sees it. libgit2 cannot open a SHA-256 repository: there it is
    /// an empty stand-in that nothing reads (`git2()` refuses), and what the hooks, install,
    /// doctor and the version commands need goes through git itself or the files.
    inner: git2::Repository,
    sha256: bool,
    /// The work tree's top.
    pub root: PathBuf,
    /// This work tree's git dir (`.git`, or `.git/worktrees/<name>` in a linked worktree).
    pub git_dir: PathBuf,
    /// The git dir shared by all worktrees.
    pub common_dir: PathBuf,
    /// git's variables for this process, read by the configuration.
    env: GitEnv,
}

/// Starts git subprocesses in a repository: its work tree, and its git dir when GIT_DIR named
/// one.
struct Launcher {
    root: PathBuf,
    git_dir: Option<PathBuf>,
}

impl Launcher {
    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.root);
        if let Some(dir) = &self.git_dir {
            cmd.env("GIT_DIR", dir).env("GIT_WORK_TREE", &self.root);
        }
        cmd
    }
}

/// What git is in the middle of, as the stages need to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitState {
    Normal,
    Merge,
    Rebase,
    CherryPick,
    Revert,
    Other,
}

impl GitState {
    pub fn name(self) -> &'static str {
        match self {
            GitState::Normal => "normal",
            GitState::Merge => "merge",
            GitState::Rebase => "rebase",
            GitState::CherryPick => "cherry-pick",
            GitState::Revert => "revert",
            GitState::Other => "am/bisect",
        }
    }
}

impl Repo {
    /// Opens the repository as git does from the current folder and the environment. The work
    /// tree is git's: `GIT_WORK_TREE`, else `core.worktree` (relative to the git dir), else, when
    /// `GIT_DIR` is set (git sets it for hooks in a separate git dir or a linked worktree), the
    /// current folder; else the folder holding `.git` (a folder or a gitfile link). libgit2 takes
    /// the folder above the git dir instead, which is another folder entirely when the git dir
    /// lives apart from its work tree.
    pub fn discover(env: &GitEnv) -> Result<Repo> {
        let inner = match git2::Repository::open_from_env() {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Err(Error::NotARepository),
            Err(e) if e.message().contains("sha256") => return Repo::discover_sha256(e, Path::new("."), env),
            Err(e) => return Err(Error::git("cannot open the repository", e)),
        };
        let git_dir = absolute(inner.path());
        let root = if let Some(tree) = &env.work_tree {
            absolute(Path::new(tree))
        } else if let Some(tree) = env
            .dir
            .as_ref()
            .and_then(|_| inner.config().ok())
            .and_then(|c| c.get_path("core.worktree").ok())
        {
            absolute(&git_dir.join(tree))
        } else if let (Some(_), Some(_)) = (&env.dir, inner.workdir()) {
            absolute(Path::new("."))
        } else {
            match inner.workdir() {
                Some(workdir) => absolute(workdir),
                None => return Err(Error::BareRepository { path: git_dir }),
            }
        };
        if inner.workdir().map(absolute).as_ref() != Some(&root) {
            inner
                .set_workdir(&root, false)
                .map_err(|e| Error::git(format!("cannot use {} as the work tree", root.display()), e))?;
        }
        let common_dir = absolute(inner.commondir());
        Ok(Repo {
            inner,
            sha256: false,
            root,
            git_dir,
            common_dir,
            env: env.clone(),
        })
    }

    /// The repository whose work tree holds `dir`, found from there as git finds it with no
    /// `GIT_DIR` (what a tool or a test that works on several repositories opens).
    pub fn open(dir: &Path) -> Result<Repo> {
        let inner = match git2::Repository::open_ext(dir, git2::RepositoryOpenFlags::empty(), [] as [&Path; 0]) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Err(Error::NotARepository),
            Err(e) if e.message().contains("sha256") => return Repo::discover_sha256(e, dir, &GitEnv::default()),
            Err(e) => return Err(Error::git("cannot open the repository", e)),
        };
        let git_dir = absolute(inner.path());
        let Some(root) = inner.workdir().map(absolute) else {
            return Err(Error::BareRepository { path: git_dir });
        };
        let common_dir = absolute(inner.commondir());
        Ok(Repo {
            inner,
            sha256: false,
            root,
            git_dir,
            common_dir,
            env: GitEnv::default(),
        })
    }

    /// A repository libgit2 refused for its SHA-256 objects (`refused`): git finds it from `dir`.
    fn discover_sha256(refused: git2::Error, dir: &Path, env: &GitEnv) -> Result<Repo> {
        let args = [
            "rev-parse",
            "--show-object-format",
            "--absolute-git-dir",
            "--git-common-dir",
            "--is-bare-repository",
        ];
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| Error::GitCommand {
                args: args.join(" "),
                message: format!("cannot start git: {e}"),
            })?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        let [format, git_dir, common_dir, bare] = lines[..] else {
            return Err(Error::git("cannot open the repository", refused));
        };
        if !out.status.success() || format != "sha256" {
            return Err(Error::git("cannot open the repository", refused));
        }
        let git_dir = absolute(Path::new(git_dir));
        let common_dir = absolute(Path::new(common_dir));
        if bare == "true" {
            return Err(Error::BareRepository { path: git_dir });
        }
        let top = Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .current_dir(dir)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim_end_matches('\n').to_string());
        let Some(top) = top else {
            return Err(Error::BareRepository { path: git_dir });
        };
        let fail = |e| Error::git("cannot open the repository", e);
        objects::SHA256_OBJECTS.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(Repo {
            inner: git2::Repository::from_odb(git2::Odb::new().map_err(fail)?).map_err(fail)?,
            sha256: true,
            root: absolute(Path::new(&top)),
            git_dir,
            common_dir,
            env: env.clone(),
        })
    }

    /// Whether the repository's objects are SHA-256 ones.
    pub fn is_sha256(&self) -> bool {
        self.sha256
    }

    /// libgit2's view of the repository, for `what`; a SHA-256 repository is refused with one
    /// clear line.
    fn git2(&self, what: &str) -> Result<&git2::Repository> {
        if self.sha256 {
            return Err(Error::Sha256 { what: what.into() });
        }
        Ok(&self.inner)
    }

    /// The configuration git reads (system, global, the repository's).
    fn config(&self) -> std::result::Result<git2::Config, git2::Error> {
        if !self.sha256 {
            return self.inner.config();
        }
        let mut config = git2::Config::open_default()?;
        config.add_file(&self.common_dir.join("config"), git2::ConfigLevel::Local, false)?;
        Ok(config)
    }

    /// `git` run in the work tree's top. When the repository was found through `GIT_DIR`, the
    /// git dir and work tree are passed on as absolute paths (a relative `GIT_DIR` names another
    /// folder from the work tree's top).
    pub fn git_command(&self) -> Command {
        self.launcher().command()
    }

    /// What starts git here, for threads ([`Repo`] itself stays on one).
    fn launcher(&self) -> Launcher {
        Launcher {
            root: self.root.clone(),
            git_dir: self.env.dir.is_some().then(|| self.git_dir.clone()),
        }
    }

    pub fn config_string(&self, key: &str) -> Option<String> {
        self.config().ok()?.get_string(key).ok()
    }

    /// What marks a comment line in commit messages, as configured: `core.commentString`, else
    /// `core.commentChar` (`None`: git's default `#`; `auto` is resolved against the message).
    pub fn comment_setting(&self) -> Option<String> {
        self.config_string("core.commentString")
            .or_else(|| self.config_string("core.commentChar"))
    }

    fn local_config(&self) -> Result<git2::Config> {
        if self.sha256 {
            return git2::Config::open(&self.common_dir.join("config"))
                .map_err(|e| Error::git("cannot open .git/config", e));
        }
        self.inner
            .config()
            .and_then(|c| c.open_level(git2::ConfigLevel::Local))
            .map_err(|e| Error::git("cannot open .git/config", e))
    }

    /// Sets `key` in the repository's own config (.git/config), never the global one.
    pub fn set_local_config(&self, key: &str, value: &str) -> Result<()> {
        self.local_config()?
            .set_str(key, value)
            .map_err(|e| Error::git(format!("cannot set {key} in .git/config"), e))
    }

    pub fn local_config_string(&self, key: &str) -> Option<String> {
        self.local_config().ok()?.get_string(key).ok()
    }

    /// Removes a whole section from .git/config (git2 leaves empty section headers behind).
    pub fn remove_local_section(&self, section: &str) -> Result<()> {
        self.run_git(&["config", "--local", "--remove-section", section])
            .map(|_| ())
    }

    /// Who is committing, as git decides it (GIT_AUTHOR_* first, then user.*), for the audit log.
    pub fn user(&self) -> (Option<String>, Option<String>) {
        (
            self.env.author_name.clone().or_else(|| self.config_string("user.name")),
            self.env
                .author_email
                .clone()
                .or_else(|| self.config_string("user.email")),
        )
    }

    pub fn state(&self) -> GitState {
        use git2::RepositoryState as S;
        if self.sha256 {
            return self.state_from_files();
        }
        match self.inner.state() {
            S::Clean => GitState::Normal,
            S::Merge => GitState::Merge,
            S::Rebase | S::RebaseInteractive | S::RebaseMerge | S::ApplyMailboxOrRebase => GitState::Rebase,
            S::CherryPick | S::CherryPickSequence => GitState::CherryPick,
            S::Revert | S::RevertSequence => GitState::Revert,
            S::Bisect | S::ApplyMailbox => GitState::Other,
        }
    }

    /// What git is in the middle of, from the files it leaves in the git dir (as libgit2 tells).
    fn state_from_files(&self) -> GitState {
        let has = |name: &str| self.git_dir.join(name).exists();
        if has("rebase-merge") {
            GitState::Rebase
        } else if has("rebase-apply") {
            if has("rebase-apply/applying") {
                GitState::Other
            } else {
                GitState::Rebase
            }
        } else if has("MERGE_HEAD") {
            GitState::Merge
        } else if has("REVERT_HEAD") {
            GitState::Revert
        } else if has("CHERRY_PICK_HEAD") {
            GitState::CherryPick
        } else if has("BISECT_LOG") {
            GitState::Other
        } else {
            GitState::Normal
        }
    }

    /// The hooks folder as git resolves it: `core.hooksPath` (relative to the work tree's top),
    /// else `<common git dir>/hooks`, shared by linked worktrees.
    pub fn hooks_dir(&self) -> (PathBuf, bool) {
        match self.config_string("core.hooksPath") {
            Some(p) if !p.is_empty() => {
                let expanded = match p.strip_prefix("~/") {
                    Some(rest) => self.env.home.as_ref().map(PathBuf::from).unwrap_or_default().join(rest),
                    None => PathBuf::from(&p),
                };
                (self.root.join(expanded), true)
            }
            _ => (self.common_dir.join("hooks"), false),
        }
    }

    /// The index git is committing from: GIT_INDEX_FILE when git set one (`commit -a`, `commit
    /// <paths>`), else the repository's.
    pub fn index_path(&self) -> PathBuf {
        match &self.env.index_file {
            Some(path) => {
                let path = PathBuf::from(path);
                if path.is_absolute() { path } else { self.root.join(path) }
            }
            None => self.git_dir.join("index"),
        }
    }
}

/// Runs a git command with its output captured; failing to start it is an error naming `what`.
fn git_output(cmd: &mut Command, what: &str) -> Result<std::process::Output> {
    cmd.output().map_err(|e| Error::GitCommand {
        args: what.to_string(),
        message: format!("cannot start git: {e}"),
    })
}

/// A git command's stdout; a non-zero exit is an error carrying git's own message.
fn git_stdout(cmd: &mut Command, what: &str) -> Result<Vec<u8>> {
    let out = git_output(cmd, what)?;
    if !out.status.success() {
        return Err(Error::GitCommand {
            args: what.to_string(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

impl Repo {
    /// Runs git with `args` in the work tree and returns its stdout.
    pub fn run_git(&self, args: &[&str]) -> Result<Vec<u8>> {
        git_stdout(self.git_command().args(args), &args.join(" "))
    }

    /// Runs git in the work tree with `input` on stdin; the exit code and stdout, or an error
    /// naming the command when git cannot start or exits with a code not in `ok`.
    fn git_io(&self, args: &[&str], input: &[u8], ok: &[i32]) -> Result<(i32, Vec<u8>)> {
        use std::io::Write;
        let fail = |message: String| Error::GitCommand {
            args: args.join(" "),
            message,
        };
        let mut child = self
            .git_command()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("cannot start git: {e}")))?;
        let mut stdin = child.stdin.take().expect("piped");
        let input = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child
            .wait_with_output()
            .map_err(|e| fail(format!("cannot run git: {e}")))?;
        let _ = writer.join();
        let code = out.status.code().unwrap_or(-1);
        if !ok.contains(&code) {
            return Err(fail(String::from_utf8_lossy(&out.stderr).trim().to_string()));
        }
        Ok((code, out.stdout))
    }
}

/// `p` made absolute against the current folder, `.` and `..` resolved by name (as git does
/// with the paths it is given), without the trailing slash git2 leaves on folders.
fn absolute(p: &Path) -> PathBuf {
    let p = p.to_path_buf();
    let p = if p.is_absolute() {
        p
    } else {
        std::env::current_dir().map(|c| c.join(&p)).unwrap_or(p)
    };
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
