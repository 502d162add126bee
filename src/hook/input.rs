//! What every step of one stage run shares: the context, the repository, git's arguments, and
//! the staged view, computed once on first use.

use std::cell::OnceCell;
use std::ffi::OsString;

use crate::Context;
use crate::error::Result;
use crate::git::{GitState, Repo, StagedView};

pub struct StepInput<'a> {
    pub ctx: &'a Context,
    pub repo: &'a Repo,
    /// What git passed the hook (or the files the pre-commit framework names).
    pub args: &'a [OsString],
    pub dry_run: bool,
    pub git_state: GitState,
    staged: OnceCell<StagedView>,
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
}
