//! What every step of one stage run shares: the context, the repository, git's arguments, the
//! files the run is over, the hook's stdin when its stage reads it, and the staged view or the
//! pushed commits, computed once on first use.

use std::cell::OnceCell;
use std::ffi::OsString;

use super::Stage;
use crate::Context;
use crate::config::FrameworkEnv;
use crate::error::{Error, Result};
use crate::git::{CommitInfo, GitState, RefUpdate, Repo, StagedPaths, StagedView, parse_ref_updates};

/// What the checks and the secret scan of a run look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FileSet {
    /// The commit under way: the staged change (git's pre-commit hook).
    #[default]
    Staged,
    /// Every tracked file as the work tree has it (`--all-files`): no commit under way.
    All,
    /// The files changed between two commits (`--from-ref A --to-ref B`: `git diff A...B`),
    /// as the work tree has them, and for the secret scan the lines the commits of `A..B`
    /// add: no commit under way.
    Range { from: String, to: String },
}

impl FileSet {
    /// Whether a commit is under way: the steps that stage or write into it (the BUILD_NUMBER
    /// increment, the fixers, setting unstaged changes aside) run only then.
    pub fn is_commit(&self) -> bool {
        *self == FileSet::Staged
    }
}

pub struct StepInput<'a> {
    pub ctx: &'a Context,
    pub repo: &'a Repo,
    /// What git passed the hook (or the files the pre-commit framework names).
    pub args: &'a [OsString],
    pub dry_run: bool,
    pub git_state: GitState,
    /// What the checks and the secret scan look at.
    pub files: FileSet,
    staged: OnceCell<StagedView>,
    staged_paths: OnceCell<StagedPaths>,
    listed: OnceCell<Vec<OsString>>,
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
            files: FileSet::Staged,
            staged: OnceCell::new(),
            staged_paths: OnceCell::new(),
            listed: OnceCell::new(),
            stdin: OnceCell::new(),
            pushed: OnceCell::new(),
        }
    }

    /// The run is over `files`; a range's refs must name commits (checked here, before any
    /// step runs).
    pub fn with_files(mut self, files: &FileSet) -> Result<StepInput<'a>> {
        if let FileSet::Range { from, to } = files {
            for (side, rev) in [("from", from), ("to", to)] {
                if !self.repo.is_commit(rev)? {
                    return Err(Error::BadRef { side, rev: rev.clone() });
                }
            }
        }
        self.files = files.clone();
        Ok(self)
    }

    /// A commit can be written: one is under way, no merge, rebase or the like, and not a dry
    /// run.
    pub fn writes(&self) -> bool {
        self.git_state == GitState::Normal && !self.dry_run && self.files.is_commit()
    }

    /// The staged changes (index vs HEAD), computed on first use and shared by every step.
    pub fn staged(&self) -> Result<&StagedView> {
        if let Some(view) = self.staged.get() {
            return Ok(view);
        }
        let view = self.repo.staged()?;
        Ok(self.staged.get_or_init(|| view))
    }

    /// The paths of the staged change without their content (index vs HEAD, a rename as its
    /// two paths), computed on first use and shared by every step: cheaper than
    /// [`StepInput::staged`] for a step that needs only the names.
    pub fn staged_paths(&self) -> Result<&StagedPaths> {
        if let Some(paths) = self.staged_paths.get() {
            return Ok(paths);
        }
        let paths = self.repo.staged_paths()?;
        Ok(self.staged_paths.get_or_init(|| paths))
    }

    /// The files of a run with no commit under way ([`FileSet::All`], [`FileSet::Range`]) that
    /// the work tree has (a file deleted there or in the range is left out), relative to the
    /// work tree's top; listed on first use. Empty for [`FileSet::Staged`].
    pub fn listed(&self) -> Result<&[OsString]> {
        if let Some(files) = self.listed.get() {
            return Ok(files);
        }
        let names = match &self.files {
            FileSet::Staged => Vec::new(),
            FileSet::All => self.repo.tracked_files()?,
            FileSet::Range { from, to } => self.repo.changed_files(from, to)?,
        };
        let root = &self.repo.root;
        let names = names.into_iter().filter(|n| root.join(n).is_file()).collect();
        Ok(self.listed.get_or_init(|| names))
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
        let mut updates = parse_ref_updates(self.stdin().unwrap_or_default())?;
        if updates.is_empty() {
            updates.extend(self.framework_update()?);
        }
        let commits = self.repo.pushed_commits(&remote, &updates)?;
        Ok(self.pushed.get_or_init(|| Pushed {
            remote,
            updates,
            commits,
        }))
    }

    /// The ref update the pre-commit framework names when it runs the hook (it reads git's
    /// stdin itself): the pushed commit (PRE_COMMIT_TO_REF, else the local branch when the push
    /// reaches a root commit) and the remote side (PRE_COMMIT_FROM_REF, else none: new).
    fn framework_update(&self) -> Result<Option<RefUpdate>> {
        let fw = &self.ctx.env.framework;
        let Some(pushed) = fw.to_ref.as_ref().or(fw.local_branch.as_ref()) else {
            return Ok(None);
        };
        let local_id = self.repo.resolve(pushed)?.to_string();
        let remote_id = match &fw.from_ref {
            Some(from) => self.repo.resolve(from)?.to_string(),
            None => "0".repeat(local_id.len()),
        };
        let local_ref = fw.local_branch.clone().unwrap_or_else(|| pushed.clone());
        Ok(Some(RefUpdate {
            remote_ref: fw.remote_branch.clone().unwrap_or_else(|| local_ref.clone()),
            local_ref,
            local_id,
            remote_id,
        }))
    }
}

/// git's arguments for `stage` when the pre-commit framework runs it, which passes fewer: none
/// to pre-push (the remote is in PRE_COMMIT_REMOTE_NAME and _URL), only the message file to
/// prepare-commit-msg (its source in PRE_COMMIT_COMMIT_MSG_SOURCE). `None`: `args` as given.
pub fn framework_args(stage: Stage, args: &[OsString], fw: &FrameworkEnv) -> Option<Vec<OsString>> {
    match stage {
        Stage::PrePush if args.is_empty() => {
            let name = fw.remote_name.as_ref()?;
            let url = fw.remote_url.as_ref().unwrap_or(name);
            Some(vec![name.into(), url.into()])
        }
        Stage::PrepareCommitMsg if args.len() == 1 => {
            let source = fw.commit_msg_source.as_ref()?;
            let mut out = vec![args[0].clone(), source.into()];
            out.extend(fw.commit_object_name.as_ref().map(OsString::from));
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frameworks_variables_stand_for_gits_arguments() {
        let fw = FrameworkEnv {
            remote_name: Some("origin".into()),
            remote_url: Some("/srv/repo.git".into()),
            commit_msg_source: Some("commit".into()),
            commit_object_name: Some("abc".into()),
            ..FrameworkEnv::default()
        };
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            framework_args(Stage::PrePush, &[], &fw),
            Some(os(&["origin", "/srv/repo.git"]))
        );
        // git's own arguments win.
        assert_eq!(framework_args(Stage::PrePush, &os(&["up", "u"]), &fw), None);
        assert_eq!(
            framework_args(Stage::PrepareCommitMsg, &os(&["MSG"]), &fw),
            Some(os(&["MSG", "commit", "abc"]))
        );
        assert_eq!(framework_args(Stage::CommitMsg, &os(&["MSG"]), &fw), None);
        let none = FrameworkEnv::default();
        assert_eq!(framework_args(Stage::PrePush, &[], &none), None);
        assert_eq!(framework_args(Stage::PrepareCommitMsg, &os(&["MSG"]), &none), None);
    }
}
