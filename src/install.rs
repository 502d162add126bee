//! `install`, `uninstall` and `doctor`.
//!
//! Install copies the running binary into the hooks folder as `mpm-hooks` and makes each hook a
//! relative symlink to it: git runs `pre-commit` -> argv[0] says which stage, no shell starts,
//! and the hooks keep working after the installing binary is deleted or the clone is moved. A
//! user's own hook is kept aside as `<hook>.legacy` and run first. Every step is undone when a
//! later one fails, so a failed install leaves the hooks folder as it was.

use std::path::{Path, PathBuf};

use crate::Context;
use crate::config::HooksConfig;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::hook::{Stage, legacy_hooks};
use crate::version;

pub const BINARY: &str = "mpm-hooks";
/// Marks a hook file (a shim) as ours.
pub const MARKER: &str = "mpm-hooks: managed hook";

/// What install did, one line per hook and per piece.
#[derive(Debug, Default)]
pub struct Installed {
    pub hooks_dir: PathBuf,
    pub lines: Vec<String>,
}

/// Where hooks live, refusing a `core.hooksPath` outside the repository unless `force`.
pub fn hooks_dir(repo: &Repo, force: bool) -> Result<PathBuf> {
    let (dir, custom) = repo.hooks_dir();
    if custom && !force && !inside(&dir, &[&repo.root, &repo.common_dir]) {
        return Err(Error::HooksOutside {
            path: dir,
            origin: "core.hooksPath".into(),
        });
    }
    Ok(dir)
}

/// Whether `path` (or, when it does not exist yet, its nearest existing ancestor) lies under
/// one of `roots`, symlinks resolved.
fn inside(path: &Path, roots: &[&Path]) -> bool {
    let mut probe = path.to_path_buf();
    let real = loop {
        if let Ok(real) = probe.canonicalize() {
            break real;
        }
        if !probe.pop() {
            return false;
        }
    };
    roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .any(|r| real.starts_with(r))
}

/// Undo steps, run in reverse when a later step fails.
#[derive(Default)]
struct Journal(Vec<Box<dyn FnOnce()>>);

impl Journal {
    fn push(&mut self, undo: impl FnOnce() + 'static) {
        self.0.push(Box::new(undo));
    }

    fn rollback(self) {
        for undo in self.0.into_iter().rev() {
            undo();
        }
    }
}

/// Links the stages `[hooks] stages` lists (and unlinks those it no longer lists), with the
/// binary they run.
pub fn install(repo: &Repo, hooks: &HooksConfig, scratch: Option<&Path>, force: bool) -> Result<Installed> {
    let dir = hooks_dir(repo, force)?;
    let mut journal = Journal::default();
    let mut out = Installed {
        hooks_dir: dir.clone(),
        lines: Vec::new(),
    };
    let mut replaced = Vec::new();
    let steps = install_steps(
        repo,
        hooks,
        &dir,
        scratch,
        force,
        &mut journal,
        &mut out.lines,
        &mut replaced,
    );
    match steps {
        Ok(()) => {
            for kept in replaced {
                let _ = std::fs::remove_file(kept);
            }
            Ok(out)
        }
        Err(e) => {
            journal.rollback();
            Err(e)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn install_steps(
    repo: &Repo,
    hooks: &HooksConfig,
    dir: &Path,
    scratch: Option<&Path>,
    force: bool,
    journal: &mut Journal,
    lines: &mut Vec<String>,
    replaced: &mut Vec<PathBuf>,
) -> Result<()> {
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    if !force {
        refuse_committed_hooks(repo, hooks, dir)?;
    }
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(werr(dir))?;
        let d = dir.to_path_buf();
        journal.push(move || {
            let _ = std::fs::remove_dir(d);
        });
    }

    // The binary itself.
    let exe = std::env::current_exe().map_err(|source| Error::Read {
        path: PathBuf::from("(the running mpm-hooks)"),
        source,
    })?;
    let target = dir.join(BINARY);
    let same_file = exe.canonicalize().ok() == target.canonicalize().ok();
    let new = if same_file {
        None
    } else {
        Some(std::fs::read(&exe).map_err(|source| Error::Read {
            path: exe.clone(),
            source,
        })?)
    };
    let old = std::fs::read(&target).ok();
    match (&new, &old) {
        (None, _) => lines.push(format!("{BINARY}: unchanged")),
        (Some(n), Some(o)) if n == o => lines.push(format!("{BINARY}: unchanged")),
        (Some(n), _) => {
            write_executable(&target, n, scratch)?;
            let t = target.clone();
            let scratch = scratch.map(Path::to_path_buf);
            let previous = old.clone();
            journal.push(move || match previous {
                Some(bytes) => {
                    let _ = write_executable(&t, &bytes, scratch.as_deref());
                }
                None => {
                    let _ = std::fs::remove_file(&t);
                }
            });
            lines.push(format!(
                "{BINARY}: {} ({})",
                if old.is_some() { "upgraded" } else { "installed" },
                target.display()
            ));
        }
    }

    for stage in Stage::ALL {
        let name = stage.name();
        let hook = dir.join(name);
        if hook.is_dir() && (hooks.lists(name) || stage.on_demand()) {
            return Err(Error::Hook {
                hook: name.into(),
                message: format!(
                    "{} is a folder, not a hook; move it away and install again",
                    hook.display()
                ),
            });
        }
        let listed = hooks.lists(name);
        match hook_kind(&hook) {
            HookKind::Ours if !listed && !stage.on_demand() => {
                let (line, undo) = unlink(dir, name)?;
                journal.push(undo);
                lines.push(format!("{name}: not in [hooks] stages: {line}"));
                continue;
            }
            _ if !listed && !stage.on_demand() => {
                lines.push(format!("{name}: not linked ([hooks] stages leaves it out)"));
                continue;
            }
            HookKind::Ours => {
                lines.push(format!("{name}: unchanged"));
                continue;
            }
            HookKind::Missing if stage.on_demand() => {
                lines.push(format!("{name}: linked by the first partial commit that needs it"));
                continue;
            }
            HookKind::Missing => lines.push(format!("{name}: installed")),
            HookKind::Foreign if force => {
                // Set aside until the whole install succeeds, so a rollback can still restore it.
                let kept = hook.with_file_name(format!(".{name}.mpm-hooks-replaced"));
                std::fs::rename(&hook, &kept).map_err(werr(&hook))?;
                let (h, k) = (hook.clone(), kept.clone());
                journal.push(move || {
                    let _ = std::fs::rename(k, h);
                });
                replaced.push(kept);
                lines.push(format!("{name}: installed (replaced the hook that was there: --force)"));
            }
            HookKind::Foreign => {
                let existing = legacy_hooks(dir, name);
                let legacy = free_legacy_name(dir, name);
                std::fs::rename(&hook, &legacy).map_err(werr(&hook))?;
                let (h, l) = (hook.clone(), legacy.clone());
                journal.push(move || {
                    let _ = std::fs::rename(l, h);
                });
                let mut line = format!(
                    "{name}: installed; your hook is kept as {} and runs first",
                    legacy.display()
                );
                if let Some(first) = existing.first() {
                    line.push_str(&format!(
                        " (an earlier one, {}, was already there: both are kept and run, in that order)",
                        first.display()
                    ));
                }
                lines.push(line);
            }
        }
        link_hook(&hook, name)?;
        let h = hook.clone();
        journal.push(move || {
            let _ = std::fs::remove_file(h);
        });
    }

    if let Some(line) = exclude_from_work_tree(repo, dir, scratch)? {
        lines.push(line);
    }

    for line in crate::build_number::register_merge_driver(repo)? {
        lines.push(line);
    }
    Ok(())
}

/// A hooks folder in the work tree (a team's `core.hooksPath = .husky`, committed) must not
/// offer our binary, links and kept hooks to `git add -A`: they are listed in the repository's
/// A hook of the team's, committed in a hooks folder inside the work tree (`.husky/pre-commit`),
/// is not moved aside: that would change tracked files, which `git add -A` then stages. The
/// install is refused before anything is written, with the way to call mpm-hooks from it.
fn refuse_committed_hooks(repo: &Repo, hooks: &HooksConfig, dir: &Path) -> Result<()> {
    let Ok(rel_dir) = dir.strip_prefix(&repo.root) else {
        return Ok(());
    };
    let foreign: Vec<(&str, String)> = Stage::ALL
        .iter()
        .filter(|stage| hooks.lists(stage.name()))
        .map(|stage| (stage.name(), dir.join(stage.name())))
        .filter(|(_, hook)| matches!(hook_kind(hook), HookKind::Foreign))
        .map(|(name, _)| (name, rel_dir.join(name).to_string_lossy().replace('\\', "/")))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let tracked = repo.tracked()?;
    let committed: Vec<&(&str, String)> = foreign.iter().filter(|(_, rel)| tracked.contains(rel)).collect();
    let Some((name, rel)) = committed.first() else {
        return Ok(());
    };
    let files: Vec<&str> = committed.iter().map(|(_, rel)| rel.as_str()).collect();
    Err(Error::refused(
        format!(
            "{} committed to this repository (the team's hooks): installing would move {} and change tracked files; nothing was changed",
            files.join(", "),
            if files.len() == 1 { "it" } else { "them" }
        ),
        format!(
            "call mpm-hooks from the team's hook instead (add the line `mpm-hooks run {name} \"$@\"` to {rel}, and likewise for the others), or install with --force to replace them"
        ),
    ))
}

/// own `info/exclude` (never committed). Returns what was done, if anything.
fn exclude_from_work_tree(repo: &Repo, dir: &Path, scratch: Option<&Path>) -> Result<Option<String>> {
    let real = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (dir, root) = (real(dir), real(&repo.root));
    let Ok(rel) = dir.strip_prefix(&root) else {
        return Ok(None);
    };
    if rel.as_os_str().is_empty() || dir.starts_with(real(&repo.common_dir)) || dir.starts_with(real(&repo.git_dir)) {
        return Ok(None);
    }
    let rel = rel.to_string_lossy().replace('\\', "/");
    let mut wanted = vec![format!("/{rel}/{BINARY}")];
    for stage in Stage::ALL {
        // Our link (a committed hook of that name stays tracked: excludes leave tracked
        // files alone) and the user's hook kept aside.
        wanted.push(format!("/{rel}/{}", stage.name()));
        wanted.push(format!("/{rel}/{}.legacy*", stage.name()));
    }
    let exclude = repo.common_dir.join("info").join("exclude");
    let current = crate::fs::read_optional(&exclude)?.unwrap_or_default();
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|w| !current.lines().any(|l| l == w.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut text = current.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# mpm-hooks: the hook binary and the hooks it keeps aside stay out of the work tree's commits\n");
    for m in &missing {
        text.push_str(m);
        text.push('\n');
    }
    if let Some(parent) = exclude.parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    crate::fs::write_atomic(&exclude, text.as_bytes(), scratch)?;
    Ok(Some(format!(
        "{rel}/ is in the work tree: {rel}/{BINARY}, the hook links and the kept hooks are listed in {} so that `git add` leaves them out",
        exclude.display()
    )))
}

fn write_executable(path: &Path, bytes: &[u8], scratch: Option<&Path>) -> Result<()> {
    crate::fs::write_atomic(path, bytes, scratch)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

fn free_legacy_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(format!("{name}.legacy"));
    if std::fs::symlink_metadata(&first).is_err() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{name}.legacy.{n}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("an unused name")
}

#[derive(Debug, PartialEq, Eq)]
enum HookKind {
    Missing,
    Ours,
    Foreign,
}

fn hook_kind(path: &Path) -> HookKind {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return HookKind::Missing;
    };
    if meta.file_type().is_symlink() {
        return match std::fs::read_link(path) {
            Ok(t) if t == Path::new(BINARY) => HookKind::Ours,
            _ => HookKind::Foreign,
        };
    }
    if meta.is_file()
        && meta.len() < 4096
        && std::fs::read(path).is_ok_and(|b| String::from_utf8_lossy(&b).contains(MARKER))
    {
        return HookKind::Ours;
    }
    HookKind::Foreign
}

/// Makes `hook` run the binary beside it, atomically (a temp link renamed into place).
#[cfg(unix)]
fn link_hook(hook: &Path, name: &str) -> Result<()> {
    let tmp = hook.with_file_name(format!(".{name}.mpm-hooks-tmp"));
    let _ = std::fs::remove_file(&tmp);
    let werr = |source| Error::Write {
        path: hook.to_path_buf(),
        source,
    };
    std::os::unix::fs::symlink(BINARY, &tmp).map_err(werr)?;
    std::fs::rename(&tmp, hook).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        werr(e)
    })
}

#[cfg(not(unix))]
fn link_hook(hook: &Path, name: &str) -> Result<()> {
    let shim = format!("#!/bin/sh\n# {MARKER}\nexec \"$(dirname \"$0\")/{BINARY}\" run {name} \"$@\"\n");
    crate::fs::write_atomic(hook, shim.as_bytes(), None)
}

/// Links an on-demand stage ([`Stage::on_demand`]) to the installed binary, when install put
/// the binary in the hooks folder and nothing holds that hook's name yet. Returns whether it
/// linked it.
pub fn link_on_demand(repo: &Repo, stage: Stage) -> Result<bool> {
    let (dir, _) = repo.hooks_dir();
    let hook = dir.join(stage.name());
    if !matches!(hook_kind(&hook), HookKind::Missing) || !dir.join(BINARY).is_file() {
        return Ok(false);
    }
    link_hook(&hook, stage.name())?;
    Ok(true)
}

/// Removes our link `<dir>/<name>` and puts the user's hook kept aside as `<name>.legacy` back in
/// its place. Returns what it did (`removed; your hook is back`) and how to undo it.
fn unlink(dir: &Path, name: &str) -> Result<(String, impl FnOnce() + 'static)> {
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    let hook = dir.join(name);
    std::fs::remove_file(&hook).map_err(werr(&hook))?;
    let kept = legacy_hooks(dir, name);
    let mut restored = None;
    let line = match kept.split_first() {
        Some((first, rest))
            if first
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".legacy")) =>
        {
            if let Err(e) = std::fs::rename(first, &hook) {
                let _ = link_hook(&hook, name);
                return Err(werr(first)(e));
            }
            restored = Some(first.clone());
            let mut line = "removed; your hook is back".to_string();
            for other in rest {
                line.push_str(&format!("; {} is kept: restore it by hand", other.display()));
            }
            line
        }
        _ => "removed".to_string(),
    };
    let name = name.to_string();
    let undo = move || {
        if let Some(kept) = restored {
            let _ = std::fs::rename(&hook, kept);
        }
        let _ = link_hook(&hook, &name);
    };
    Ok((line, undo))
}

/// Removes what install added and puts the user's kept hooks back, byte for byte.
pub fn uninstall(repo: &Repo) -> Result<Vec<String>> {
    let (dir, _) = repo.hooks_dir();
    let mut lines = Vec::new();
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    for stage in Stage::ALL {
        let name = stage.name();
        match hook_kind(&dir.join(name)) {
            HookKind::Ours => lines.push(format!("{name}: {}", unlink(&dir, name)?.0)),
            HookKind::Missing => lines.push(format!("{name}: not installed")),
            HookKind::Foreign => lines.push(format!("{name}: not ours, left as it is")),
        }
    }
    let bin = dir.join(BINARY);
    if bin.exists() {
        std::fs::remove_file(&bin).map_err(werr(&bin))?;
        lines.push(format!("{BINARY}: removed"));
    }
    lines.extend(crate::build_number::unregister_merge_driver(repo)?);
    Ok(lines)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Info,
    Warn,
    Fail,
}

impl Level {
    /// The level as `doctor` prints it: a failure stands out.
    pub fn word(&self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Check {
    pub name: String,
    pub level: Level,
    pub message: String,
}

fn check(name: &str, level: Level, message: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        level,
        message: message.into(),
    }
}

/// `doctor`'s health model: a row per thing it looks at (the repository, the hooks, the
/// configuration, the version files), each with its level. Any `Fail` is a failed doctor.
pub fn doctor(ctx: &Context, running_version: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    match &ctx.ws.repo {
        None => checks.push(check("repository", Level::Fail, "not inside a git repository")),
        Some(repo) => {
            checks.push(check("repository", Level::Ok, repo.root.display().to_string()));
            checks.extend(doctor_hooks(repo, &ctx.config.config.hooks, running_version));
        }
    }
    checks.push(match &ctx.config.path {
        Some(p) => check("config", Level::Ok, format!("{} is valid", p.display())),
        None => check(
            "config",
            Level::Info,
            "no .mpm-hooks.toml: the embedded default applies",
        ),
    });
    checks.push(doctor_version(ctx));
    checks
}

/// Whether any of `doctor`'s rows failed.
pub fn failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.level == Level::Fail)
}

/// The version files: VERSION readable and every source in sync with it.
fn doctor_version(ctx: &Context) -> Check {
    const NAME: &str = "version";
    if !ctx.ws.root.join(version::VERSION_FILE).exists() {
        return check(
            NAME,
            Level::Info,
            "no VERSION: the version system is not used here (mpm-hooks init starts it)",
        );
    }
    match version::status(&ctx.ws.root, &ctx.config.config.version) {
        Ok(s) if s.in_sync() => check(NAME, Level::Ok, s.development_format),
        Ok(s) => {
            let bad: Vec<String> = s
                .sources
                .iter()
                .filter(|x| !x.in_sync)
                .map(|x| format!("{} has {}", x.path, x.version.as_deref().unwrap_or("none")))
                .collect();
            check(
                NAME,
                Level::Fail,
                format!(
                    "VERSION is {} but {}: run mpm-hooks version rebuild",
                    s.version,
                    bad.join(", ")
                ),
            )
        }
        Err(e) => check(NAME, Level::Fail, e.relative_to(&ctx.ws.root).to_string()),
    }
}

/// The hooks' health: installed, executable, and at the running binary's version.
fn doctor_hooks(repo: &Repo, hooks: &HooksConfig, running_version: &str) -> Vec<Check> {
    let mut out = Vec::new();
    let dir = match hooks_dir(repo, false) {
        Ok(d) => d,
        Err(e) => return vec![check("hooks folder", Level::Warn, e.to_string())],
    };
    out.push(check("hooks folder", Level::Ok, dir.display().to_string()));
    for stage in Stage::ALL {
        let name = stage.name();
        let hook = dir.join(name);
        let listed = hooks.lists(name) || stage.on_demand();
        let c = match hook_kind(&hook) {
            HookKind::Ours if !listed => check(
                name,
                Level::Warn,
                "linked, but [hooks] stages leaves it out: run mpm-hooks install to unlink it",
            ),
            HookKind::Missing if !listed => check(name, Level::Ok, "not linked: [hooks] stages leaves it out"),
            HookKind::Foreign if !listed => check(
                name,
                Level::Info,
                "another tool's hook, left alone: [hooks] stages leaves this stage out",
            ),
            HookKind::Missing if stage.on_demand() && dir.join(BINARY).exists() => {
                check(name, Level::Ok, "linked by the first partial commit that needs it")
            }
            HookKind::Missing => check(
                name,
                Level::Fail,
                "not installed ([hooks] stages lists it): run mpm-hooks install",
            ),
            HookKind::Foreign => check(
                name,
                Level::Fail,
                "another tool's hook is there: run mpm-hooks install to chain it",
            ),
            HookKind::Ours if !is_executable(&hook) => {
                check(name, Level::Fail, "installed but not executable: run mpm-hooks install")
            }
            HookKind::Ours => check(name, Level::Ok, "installed"),
        };
        out.push(c);
    }
    let bin = dir.join(BINARY);
    let installed = std::process::Command::new(&bin)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .trim_start_matches("mpm-hooks ")
                .to_string()
        });
    out.push(match installed {
        None if !bin.exists() => check("hook binary", Level::Fail, "missing: run mpm-hooks install"),
        None => check("hook binary", Level::Fail, "does not run: run mpm-hooks install"),
        Some(v) => match compare_versions(&v, running_version) {
            std::cmp::Ordering::Less => check(
                "hook binary",
                Level::Warn,
                format!("{v} is older than this mpm-hooks ({running_version}): run mpm-hooks install to upgrade"),
            ),
            _ => check("hook binary", Level::Ok, v),
        },
    });
    out.push(doctor_merge_driver(repo));
    out
}

/// The BUILD_NUMBER merge driver: registered, and it runs (given 2 and 3 it keeps 3), as git
/// would run it in a merge.
fn doctor_merge_driver(repo: &Repo) -> Check {
    const NAME: &str = "merge driver";
    let Some(driver) = crate::build_number::merge_driver(repo) else {
        return check(
            NAME,
            Level::Fail,
            "not registered: merging two BUILD_NUMBERs would conflict; run mpm-hooks install",
        );
    };
    if !crate::build_number::merge_driver_attribute(repo).unwrap_or(false) {
        return check(
            NAME,
            Level::Fail,
            "BUILD_NUMBER is not sent to it (.git/info/attributes): run mpm-hooks install",
        );
    }
    match try_merge_driver(repo, &driver) {
        Ok(()) => check(NAME, Level::Ok, "runs, and keeps the larger BUILD_NUMBER"),
        Err(why) => check(
            NAME,
            Level::Fail,
            format!("does not work ({why}): merging two BUILD_NUMBERs would conflict; run mpm-hooks install"),
        ),
    }
}

/// Runs the driver command `driver` on three temp files (under the git dir) as git does: through
/// the shell, in the work tree's top.
fn try_merge_driver(repo: &Repo, driver: &str) -> std::result::Result<(), String> {
    let scratch = repo.common_dir.join("mpm-hooks").join("tmp");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let dir = tempfile::Builder::new()
        .prefix("doctor-merge-")
        .tempdir_in(&scratch)
        .map_err(|e| format!("cannot create a temp folder in {}: {e}", scratch.display()))?;
    let (base, ours, theirs) = (
        dir.path().join("base"),
        dir.path().join("ours"),
        dir.path().join("theirs"),
    );
    for (path, text) in [(&base, "1\n"), (&ours, "2\n"), (&theirs, "3\n")] {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let quote = |p: &Path| format!("'{}'", p.to_string_lossy().replace('\'', r"'\''"));
    let command = driver
        .replace("%O", &quote(&base))
        .replace("%A", &quote(&ours))
        .replace("%B", &quote(&theirs))
        .replace("%L", "7")
        .replace("%P", crate::version::BUILD_FILE);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(&repo.root)
        .env("GIT_DIR", &repo.git_dir)
        .env("GIT_WORK_TREE", &repo.root)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot start sh: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        return Err(if why.is_empty() {
            format!("`{driver}` exited with {}", out.status)
        } else {
            format!("`{driver}`: {why}")
        });
    }
    match std::fs::read_to_string(&ours) {
        Ok(t) if t.trim() == "3" => Ok(()),
        Ok(t) => Err(format!("given 2 and 3 it left `{}`", t.trim())),
        Err(e) => Err(format!("cannot read its result: {e}")),
    }
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.exists()
    }
}

/// Compares `X.Y.Z+build.N` strings: the version, then the build number.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |s: &str| {
        let v = semver::Version::parse(s).ok()?;
        let build = v
            .build
            .as_str()
            .strip_prefix("build.")
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        Some((semver::Version::new(v.major, v.minor, v.patch), v.pre.clone(), build))
    };
    match (parse(a), parse(b)) {
        (Some((va, pa, ba)), Some((vb, pb, bb))) => {
            let a = semver::Version { pre: pa, ..va };
            let b = semver::Version { pre: pb, ..vb };
            a.cmp(&b).then(ba.cmp(&bb))
        }
        _ => std::cmp::Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_build_too() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("0.1.0+build.3", "0.1.0+build.7"), Less);
        assert_eq!(compare_versions("0.2.0+build.1", "0.1.0+build.7"), Greater);
        assert_eq!(compare_versions("0.1.0+build.7", "0.1.0+build.7"), Equal);
    }
}
