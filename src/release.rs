//! Releases: the version the history implies, the changelog, and `mpm-hooks release`.
//!
//! A release is computed in full before anything is written ([`prepare`]: every refusal comes
//! from there, with the repository untouched), then carried out by [`execute`]: write the files,
//! stage them, commit, tag. A failure at any point after the first write puts everything back:
//! files restored, index entries reset, the branch moved back if the commit was made.

use std::path::Path;

use semver::Version;

use crate::Context;
use crate::changelog;
use crate::checks::CheckResult;
use crate::config::LogLevel;
use crate::conventional::{self, Reason};
use crate::error::{Error, Result};
use crate::git::{self, CommitInfo, Repo};
use crate::version::{self, Level};

/// What the commits since the latest final version tag (or all of HEAD's history) imply.
/// Pre-release tags are skipped for the level: a final release counts every commit since the
/// previous final one. The nearest tag, pre-release or not, is what VERSION stands at and what
/// the next pre-release counts from.
pub struct Next {
    /// The latest final tag's version, or VERSION when there is no final tag.
    pub base: Version,
    /// The latest final version tag reachable from HEAD.
    pub tag: Option<String>,
    /// The nearest version tag reachable from HEAD, pre-releases included: (name, version).
    pub latest: Option<(String, Version)>,
    pub level: Option<Level>,
    /// The next version: the next pre-release of `pre` when asked, else the final one.
    pub next: Version,
    /// The pre-release name asked for (`--pre rc`).
    pub pre: Option<String>,
    /// The commits that decided the level.
    pub reasons: Vec<Reason>,
    /// The commits since the final tag, newest first.
    pub commits: Vec<CommitInfo>,
    /// With `pre`, when the nearest tag is a pre-release: the commits since it.
    pub since_latest: Option<Vec<CommitInfo>>,
}

pub fn next(ctx: &Context) -> Result<Next> {
    next_pre(ctx, None)
}

/// [`next`], to the next pre-release named `pre` when given.
pub fn next_pre(ctx: &Context, pre: Option<&str>) -> Result<Next> {
    let repo = ctx.ws.repo()?;
    let vcfg = &ctx.config.config.version;
    let tags = repo.version_tags(&vcfg.tag_prefix)?;
    let latest = tags.first().map(|(name, v, _)| (name.clone(), v.clone()));
    let (base, tag, from) = match tags.iter().find(|t| t.1.pre.is_empty()) {
        Some((name, v, oid)) => (v.clone(), Some(name.clone()), Some(*oid)),
        None => (version::read_state(&ctx.ws.root)?.version, None, None),
    };
    let head = repo.head_commit()?;
    let commits = match head {
        Some(head) => repo.commits(from, head)?,
        None => Vec::new(),
    };
    let since_latest = match (pre, tags.first(), head) {
        (Some(_), Some((_, v, oid)), Some(head)) if !v.pre.is_empty() => Some(repo.commits(Some(*oid), head)?),
        _ => None,
    };
    let messages: Vec<(String, String)> = commits.iter().map(|c| (c.id.clone(), c.message.clone())).collect();
    let rules = vcfg.bump_rules(&ctx.config.config.commit_msg);
    let (bump, reasons) = conventional::infer_bump(&messages, &rules, &base, vcfg.major_version_zero);
    let level = Level::from_bump(bump);
    // A pre-release tag stands for where VERSION is: 1.3.0-rc.0 and minor is 1.3.0 (or rc.1).
    let at = latest.as_ref().map_or(&base, |(_, v)| v);
    let next = match (level, pre) {
        (None, _) => at.clone(),
        (Some(l), Some(name)) => version::bump_pre(at, l, name),
        (Some(l), None) => version::bump(at, l),
    };
    Ok(Next {
        base,
        tag,
        latest,
        level,
        next,
        pre: pre.map(String::from),
        reasons,
        commits,
        since_latest,
    })
}

impl Next {
    pub fn since(&self) -> String {
        since(self.tag.as_deref())
    }
}

/// "since v1.2.0", or "in all of history" when there is no version tag.
pub fn since(tag: Option<&str>) -> String {
    tag.map_or("in all of history".to_string(), |t| format!("since {t}"))
}

/// Which commits `mpm-hooks changelog` renders.
pub enum Range {
    /// Since the latest version tag, headed by the version they imply.
    Unreleased,
    /// `--from` (default: the latest version tag before `--to`) to `--to` (default: HEAD).
    Between { from: Option<String>, to: Option<String> },
    /// Every tagged release, newest first, after the unreleased commits.
    All,
}

/// The changelog of a range, as Markdown.
pub fn changelog(ctx: &Context, range: Range) -> Result<String> {
    let repo = ctx.ws.repo()?;
    let cfg = &ctx.config.config;
    let render = |heading: &str, commits: &[CommitInfo]| {
        changelog::render(heading, &changelog::groups(commits, &cfg.commit_msg, &cfg.changelog))
    };
    match range {
        Range::Unreleased => {
            let next = next(ctx)?;
            let heading = match next.level {
                Some(_) => changelog::heading(Some(&next.next.to_string()), Some(&git::today())),
                None => changelog::heading(None, None),
            };
            Ok(render(&heading, &next.commits))
        }
        Range::Between { from, to } => {
            let to_name = to.unwrap_or_else(|| "HEAD".into());
            let to_id = repo.resolve(&to_name)?;
            let from_id = match &from {
                Some(f) => Some(repo.resolve(f)?),
                None => repo
                    .version_tags(&cfg.version.tag_prefix)?
                    .into_iter()
                    .map(|(_, _, id)| id)
                    .find(|&id| id != to_id && repo.is_ancestor(id, to_id)),
            };
            let heading = match to_name
                .strip_prefix(&cfg.version.tag_prefix)
                .and_then(|v| Version::parse(v).ok())
                .filter(|_| repo.tag_commit(&to_name).is_some())
            {
                Some(v) => changelog::heading(Some(&v.to_string()), repo.tag_date(&to_name).as_deref()),
                None => changelog::heading(None, None),
            };
            Ok(render(&heading, &repo.commits(from_id, to_id)?))
        }
        Range::All => {
            let Some(head) = repo.head_commit()? else {
                return Ok(String::new());
            };
            let tags = repo.version_tags(&cfg.version.tag_prefix)?;
            let mut out = String::new();
            let unreleased = repo.commits(tags.first().map(|t| t.2), head)?;
            if !unreleased.is_empty() {
                out.push_str(&render(&changelog::heading(None, None), &unreleased));
            }
            for (i, (name, v, id)) in tags.iter().enumerate() {
                // Of several tags on one commit, the highest version (listed first) gets it.
                if i > 0 && tags[i - 1].2 == *id {
                    continue;
                }
                let older = tags[i + 1..].iter().map(|t| t.2).find(|t| t != id);
                let heading = changelog::heading(Some(&v.to_string()), repo.tag_date(name).as_deref());
                out.push_str(&render(&heading, &repo.commits(older, *id)?));
            }
            Ok(out)
        }
    }
}

/// The change to the changelog file that adds `version`'s section for `commits`. `None` when
/// the file has that section already and `keep_existing` (a section written by `changelog
/// --write`, perhaps edited since, is kept as it is).
fn changelog_change(
    ctx: &Context,
    version: &Version,
    commits: &[CommitInfo],
    keep_existing: bool,
) -> Result<(Option<version::Change>, String)> {
    let cfg = &ctx.config.config;
    let rel = cfg.changelog.file.clone();
    let path = crate::fs::resolve_inside(&ctx.ws.root, &rel, Path::new(crate::config::FILE_NAME))?;
    let section = changelog::render(
        &changelog::heading(Some(&version.to_string()), Some(&git::today())),
        &changelog::groups(commits, &cfg.commit_msg, &cfg.changelog),
    );
    let old = crate::fs::read_optional(&path)?;
    if let Some(text) = &old
        && changelog::has_release(text, &version.to_string())
    {
        if keep_existing {
            return Ok((None, section));
        }
        return Err(Error::refused(
            format!("{rel} already has a section for {version}"),
            format!("remove that section from {rel} to write it again"),
        ));
    }
    let new = changelog::insert(old.as_deref(), &section);
    Ok((
        Some(version::Change {
            rel,
            path,
            old,
            new,
            old_value: None,
            new_value: format!("{version} section"),
        }),
        section,
    ))
}

/// What `changelog --write` did.
pub enum Written {
    Section { file: String, version: Version },
    NothingToRelease(String),
}

/// `mpm-hooks changelog --write`: prepends the next version's section to the changelog file.
pub fn write_changelog(ctx: &Context) -> Result<Written> {
    let next = next(ctx)?;
    if next.level.is_none() {
        return Ok(Written::NothingToRelease(nothing_message(&next)));
    }
    let (change, _) = changelog_change(ctx, &next.next, &next.commits, false)?;
    let change = change.expect("a missing section is always added");
    crate::fs::write_atomic(&change.path, change.new.as_bytes(), ctx.ws.scratch_dir().as_deref())?;
    Ok(Written::Section {
        file: change.rel,
        version: next.next,
    })
}

fn nothing_message(next: &Next) -> String {
    format!(
        "nothing to release: {} commit(s) {}, none a feat, fix, perf or breaking change",
        next.commits.len(),
        next.since()
    )
}

/// A release, worked out in full; nothing is written yet.
pub struct Plan {
    pub old: Version,
    pub new: Version,
    pub level: Level,
    /// The version tag the release follows, if any.
    pub previous_tag: Option<String>,
    pub commits: usize,
    pub reasons: Vec<Reason>,
    pub tag: String,
    pub message: String,
    pub branch: String,
    pub remote: String,
    /// The changelog section (also when the file has it already).
    pub section: String,
    /// VERSION, BUILD_NUMBER, every version source, the changelog file.
    pub files: version::Plan,
    /// Where HEAD was: a rollback returns here.
    pub head: git2::Oid,
}

impl Plan {
    /// The command that publishes the release.
    pub fn push_command(&self) -> String {
        format!("git push --atomic {} {} {}", self.remote, self.branch, self.tag)
    }
}

pub enum Prepared {
    Ready(Box<Plan>),
    /// Nothing calls for a release (not an error: exit 0).
    Nothing(String),
}

/// Checks that the repository can be released and computes the release. Writes nothing.
/// `level` is `None` for `auto`.
pub fn prepare(ctx: &Context, level: Option<Level>, pre: Option<&str>) -> Result<Prepared> {
    let repo = ctx.ws.repo()?;
    let root = &ctx.ws.root;
    let cfg = &ctx.config.config;
    let Some(head) = repo.head_commit()? else {
        return Err(Error::refused(
            "nothing to release: the repository has no commits yet",
            "commit the project first",
        ));
    };
    let Some(branch) = repo.branch()? else {
        return Err(Error::refused(
            format!(
                "HEAD is detached (at {}): a release commit would be on no branch",
                short(&head.to_string())
            ),
            "check out the branch to release from, e.g. `git switch main`",
        ));
    };
    let state = repo.state();
    if state != git::GitState::Normal {
        return Err(Error::refused(
            format!("a {} is in progress", state.name()),
            format!("finish it or abort it (git {} --abort), then release", state.name()),
        ));
    }
    refuse_dirty(repo)?;
    let current = version::read_state(root)?.version;
    let next = next_pre(ctx, pre)?;
    if let Some((tag, tagged)) = &next.latest
        && *tagged != current
    {
        return Err(disagreement(&current, tag, tagged, &cfg.version.tag_prefix));
    }
    // A pre-release lists what is new since the previous pre-release; a final release, all
    // that is new since the previous final one.
    let (commits, since_tag) = match &next.since_latest {
        Some(commits) => (commits, next.latest.as_ref().map(|l| l.0.as_str())),
        None => (&next.commits, next.tag.as_deref()),
    };
    if commits.is_empty() {
        return Err(Error::refused(
            format!("nothing to release: no commits {}", since(since_tag)),
            "commit the changes to release first",
        ));
    }
    let Some(level) = level.or(next.level) else {
        return Ok(Prepared::Nothing(nothing_message(&next)));
    };
    let (new, mut files) = version::plan_bump_pre(root, &cfg.version, level, pre)?;
    let tag = format!("{}{new}", cfg.version.tag_prefix);
    if let Some(at) = repo.tag_commit(&tag) {
        return Err(Error::refused(
            format!(
                "tag {tag} already exists (on {}): {new} was released already",
                short(&at.to_string())
            ),
            format!(
                "release from the branch that has {tag}, or choose the version: mpm-hooks release patch|minor|major"
            ),
        ));
    }
    let message = format!("chore(release): {tag}");
    let verdict = conventional::lint(&message, &cfg.commit_msg);
    if let Some(f) = verdict.errors.first() {
        return Err(Error::refused(
            format!(
                "the release commit message `{message}` breaks this project's commit rules: {}: {}",
                f.rule, f.message
            ),
            "allow it in .mpm-hooks.toml: [commit_msg] types must include `chore`, and scopes (when set) `release`",
        ));
    }
    let (change, section) = changelog_change(ctx, &new, commits, true)?;
    files.changes.extend(change);
    for change in &files.changes {
        if std::fs::metadata(&change.path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(Error::ReadOnly {
                path: change.path.clone(),
            });
        }
    }
    Ok(Prepared::Ready(Box::new(Plan {
        old: current,
        new,
        level,
        previous_tag: since_tag.map(String::from),
        commits: commits.len(),
        reasons: next.reasons,
        message,
        remote: repo.push_remote(&branch),
        branch,
        tag,
        section,
        files,
        head,
    })))
}

fn short(id: &str) -> &str {
    &id[..7.min(id.len())]
}

fn refuse_dirty(repo: &Repo) -> Result<()> {
    let dirty = repo.dirty()?;
    if dirty.is_empty() {
        return Ok(());
    }
    let mut list: Vec<&str> = dirty.iter().take(10).map(|d| d.trim_start()).collect();
    let more = format!("and {} more", dirty.len().saturating_sub(10));
    if dirty.len() > 10 {
        list.push(&more);
    }
    Err(Error::refused(
        format!(
            "the work tree is not clean ({} uncommitted change(s)): {}",
            dirty.len(),
            list.join(", ")
        ),
        "commit or stash them (git stash), then release",
    ))
}

fn disagreement(current: &Version, tag: &str, tagged: &Version, prefix: &str) -> Error {
    if current > tagged {
        Error::refused(
            format!("VERSION ({current}) is ahead of the latest tag {tag} ({tagged})"),
            format!(
                "if {current} was released, tag its release commit: git tag -a {prefix}{current} <commit>; \
                 if not, set VERSION back and commit: mpm-hooks version set {tagged}"
            ),
        )
    } else {
        Error::refused(
            format!("the latest tag {tag} ({tagged}) is ahead of VERSION ({current})"),
            format!("bring VERSION up to the tag and commit it: mpm-hooks version set {tagged}"),
        )
    }
}

/// What the gate did before a release, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    Passed,
    /// `--no-gate`.
    Skipped,
}

/// The release gate before a release (`check --release`), or none with `--no-gate`.
pub struct GateRun {
    pub skipped: bool,
    /// A result per check; none when skipped.
    pub results: Vec<CheckResult>,
}

impl GateRun {
    pub fn failed(&self) -> bool {
        crate::gate::failed(&self.results)
    }

    /// What the audit log records, or the error that stops the release with nothing changed.
    pub fn verdict(&self) -> Result<Gate> {
        if self.skipped {
            Ok(Gate::Skipped)
        } else if self.failed() {
            Err(Error::refused(
                "the release gate failed: nothing was changed",
                "fix what failed (mpm-hooks check --release), or release anyway with --no-gate",
            ))
        } else {
            Ok(Gate::Passed)
        }
    }
}

/// Runs the release gate on every tracked file, unless `skip` (`--no-gate`).
pub fn run_gate(ctx: &Context, skip: bool) -> Result<GateRun> {
    let results = if skip {
        Vec::new()
    } else {
        crate::gate::run(ctx, false, true)?
    };
    Ok(GateRun { skipped: skip, results })
}

/// Carries out a plan: writes the files, commits them, tags the commit. On any failure after
/// the first write, everything is put back and the error says which step failed.
pub fn execute(ctx: &Context, plan: &Plan, gate: Gate) -> Result<git2::Oid> {
    let repo = ctx.ws.repo()?;
    let scratch = ctx.ws.scratch_dir();
    crate::checks::watch_signals();
    version::apply(&plan.files, scratch.as_deref())?;
    let paths: Vec<String> = plan.files.changes.iter().map(|c| c.rel.clone()).collect();
    let interrupted = || {
        if crate::checks::interrupted() {
            Err(Error::Usage {
                message: "interrupted".into(),
            })
        } else {
            Ok(())
        }
    };
    let mut skip = ctx.env.skip.clone();
    // The release resets BUILD_NUMBER to 1; its own commit must not move it again.
    skip.extend(["build-number", "mpm-hooks-build-number", "mpm-hooks-build-number-src"].map(String::from));
    let mut step = "staging the release files";
    let result = (|| {
        interrupted()?;
        repo.stage_paths(&paths)?;
        interrupted()?;
        step = "the release commit";
        let commit = repo.commit(&plan.message, &skip)?;
        interrupted()?;
        step = "tagging";
        repo.tag_annotated(&plan.tag, &format!("Release {}", plan.tag), commit)?;
        Ok(commit)
    })();
    let commit = match result {
        Ok(commit) => commit,
        Err(e) => {
            let undo = roll_back(repo, plan, &paths, scratch.as_deref());
            ctx.log.log(LogLevel::Warn, || {
                format!("release {}: {step} failed, rolled back: {e}", plan.tag)
            });
            return Err(Error::ReleaseFailed {
                step: step.to_string(),
                rollback: undo.err().map(|u| u.to_string()),
                source: Box::new(e),
            });
        }
    };
    audit(ctx, plan, gate, commit);
    Ok(commit)
}

/// Moves the branch back if the commit was made, resets the index entries, restores the files.
fn roll_back(repo: &Repo, plan: &Plan, paths: &[String], scratch: Option<&Path>) -> Result<()> {
    let mut first = Ok(());
    if let Ok(Some(now)) = repo.head_commit()
        && now != plan.head
    {
        first = repo.reset_branch(now, plan.head);
    }
    let reset = repo.reset_paths(plan.head, paths);
    let files = version::revert(&plan.files.changes, scratch);
    first.and(reset).and(files)
}

#[derive(serde::Serialize)]
struct AuditRecord<'a> {
    time: String,
    command: &'a str,
    old: String,
    new: String,
    tag: &'a str,
    commit: String,
    gate: Gate,
    user_name: Option<String>,
    user_email: Option<String>,
}

/// One record for the release, after the usual one per VERSION / BUILD_NUMBER change. A log
/// that cannot be written does not undo a release that is done; it is reported in the log.
fn audit(ctx: &Context, plan: &Plan, gate: Gate, commit: git2::Oid) {
    let Some(state) = ctx.ws.state_dir() else { return };
    if let Err(e) = ctx.audit_plan("release", &plan.files) {
        ctx.log
            .log(LogLevel::Error, || format!("release: cannot write the audit log: {e}"));
    }
    let (user_name, user_email) = ctx.ws.repo.as_ref().map(|r| r.user()).unwrap_or_default();
    let record = AuditRecord {
        time: crate::audit::now(),
        command: "release",
        old: plan.old.to_string(),
        new: plan.new.to_string(),
        tag: &plan.tag,
        commit: commit.to_string(),
        gate,
        user_name,
        user_email,
    };
    if let Err(e) = crate::audit::record(&state, &record) {
        ctx.log
            .log(LogLevel::Error, || format!("release: cannot write the audit log: {e}"));
    }
}
