//! What every step of one stage run shares: the context, the repository, git's arguments, the
//! hook's stdin when its stage reads it, and the staged view or the pushed commits, computed
//! once on first use.

use std::cell::OnceCell;
use std::ffi::OsString;

use crate::Context;
use crate::error::Result;
use crate::git::{CommitInfo, GitState, RefUpdate, Repo, StagedView, parse_ref_updates};

pub struct StepInput<'a> {
    pub ctx: &'a Context,
    pub repo: &'a Repo,
    /// What git passed the hook (or the files the pre-commit framework names).
    pub args: &'a [OsString],
    pub dry_run: bool,
    pub git_state: GitState,
    staged: OnceCell<StagedView>,
    /// What git wrote on the hook's stdin, read by the stage (pre-push) before the user's kept
    /// hook runs, which gets the same bytes.
    stdin: OnceCell<Vec<u8>>,
    pushed: OnceCell<Pushed>,
}

/// What a push sends: git's ref updates, and the commits among them the remote does not have
/// (newest first, with their messages).
pub struct Pushed {
    pub remote: String,
    pub updates: Vec<RefUpdate>,
    pub commits: Vec<CommitInfo>,
}

impl<'a> StepInput<'a> {
    pub fn new(ctx: &'a Context, repo: &'a Repo, args: &'a [OsString], dry_run: bool) -> StepInput<'a> {
        StepInput {
            ctx,
            repo,
            args,
            dry_run,
            git_state: repo.state(),
            staged: OnceCell::new(),
            stdin: OnceCell::new(),
            pushed: OnceCell::new(),
        }
    }

    /// A commit can be written: no merge, rebase or the like under way, and not a dry run.
    pub fn writes(&self) -> bool {
        self.git_state == GitState::Normal && !self.dry_run
    }

    /// The staged changes (index vs HEAD), computed on first use and shared by every step.
    pub fn staged(&self) -> Result<&StagedView> {
        if let Some(view) = self.staged.get() {
            return Ok(view);
        }
        let view = self.repo.staged()?;
        Ok(self.staged.get_or_init(|| view))
    }

    /// Keeps the hook's stdin, read once by the stage, for its steps and the user's kept hook.
    pub fn keep_stdin(&self, bytes: Vec<u8>) {
        let _ = self.stdin.set(bytes);
    }

    /// The hook's stdin, when the stage read it.
    pub fn stdin(&self) -> Option<&[u8]> {
        self.stdin.get().map(Vec::as_slice)
    }

    /// What the push sends (the stage's stdin and the remote's name, git's first argument),
    /// computed on first use and shared by every step.
    pub fn pushed(&self) -> Result<&Pushed> {
        if let Some(pushed) = self.pushed.get() {
            return Ok(pushed);
        }
        let remote = self
            .args
            .first()
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default();
        let updates = parse_ref_updates(self.stdin().unwrap_or_default())?;
        let commits = self.repo.pushed_commits(&remote, &updates)?;
        Ok(self.pushed.get_or_init(|| Pushed {
            remote,
            updates,
            commits,
        }))
    }
}
