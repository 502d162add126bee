//! `mpm-hooks version`: status, next, and the changes (bump, set, increment-build, rebuild).

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::{release, version};

use super::{BumpLevel, out};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Print the status as one JSON object
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Version, build number, the three formats and every version source
    Status {
        /// Print the status as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Bump the version (BUILD_NUMBER restarts at 1) and sync every source
    Bump {
        /// patch, minor, major, or auto (what the commits since the latest version tag imply)
        level: BumpLevel,
        /// Bump to a pre-release of that version: rc gives 1.3.0-rc.0, then 1.3.0-rc.1; a bump
        /// without --pre finalizes it (1.3.0)
        #[arg(long, value_name = "NAME")]
        pre: Option<String>,
        /// Print the diff of every file; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Set the version (starts VERSION and BUILD_NUMBER where they are missing)
    Set {
        /// The new version, such as 1.4.0
        version: String,
        /// Print the diff of every file; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Add 1 to BUILD_NUMBER
    IncrementBuild {
        /// Print the diff; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Rewrite every version source from VERSION
    Rebuild {
        /// Print the diff of every file; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The version the commits since the latest version tag imply, and why
    Next {
        /// Print the answer as one JSON object
        #[arg(long)]
        json: bool,
        /// The next pre-release of that name instead (1.3.0-rc.0, or rc.1 after it)
        #[arg(long, value_name = "NAME")]
        pre: Option<String>,
    },
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let root = &ctx.ws.root;
    let cfg = &ctx.config.config.version;
    // Every change is read and written under the version lock, so that concurrent runs never
    // lose one another's change.
    let _lock = match args.action {
        None | Some(Action::Status { .. } | Action::Next { .. }) => None,
        Some(_) => ctx.ws.lock_versions()?,
    };
    let (command, plan) = match args.action {
        None => return version_status(ctx, args.json),
        Some(Action::Status { json }) => return version_status(ctx, json || args.json),
        Some(Action::Next { json, pre }) => return version_next(ctx, json, pre),
        Some(Action::Bump { level, pre, dry_run }) => {
            let pre = pre.as_deref().map(version::parse_pre_name).transpose()?;
            let level = match level.level() {
                Some(level) => level,
                None => match release::next(ctx)?.level {
                    Some(level) => level,
                    None => {
                        writeln!(
                            out(),
                            "nothing calls for a release: no feat, fix, perf or breaking change since the last version tag"
                        )?;
                        return Ok(0);
                    }
                },
            };
            (
                ("version bump", dry_run),
                version::plan_bump_pre(root, cfg, level, pre.as_deref())?.1,
            )
        }
        Some(Action::Set { version, dry_run }) => {
            let v = version::parse_version_arg(&version)?;
            (("version set", dry_run), version::plan_set(root, cfg, &v, true)?)
        }
        Some(Action::IncrementBuild { dry_run }) => (
            ("version increment-build", dry_run),
            version::plan_increment_build(root)?,
        ),
        Some(Action::Rebuild { dry_run }) => (("version rebuild", dry_run), version::plan_rebuild(root, cfg)?),
    };
    write_plan(ctx, command.0, &plan, command.1)
}

/// Prints a plan as diffs (`--dry-run`) or applies it and prints `path: old -> new`.
fn write_plan(ctx: &Context, command: &str, plan: &version::Plan, dry_run: bool) -> Result<u8> {
    let mut out = out();
    if plan.changes.is_empty() {
        writeln!(out, "nothing to change")?;
        return Ok(0);
    }
    if dry_run {
        for change in &plan.changes {
            write!(out, "{}", change.diff())?;
        }
        return Ok(0);
    }
    ctx.apply_version_plan(command, plan)?;
    for c in &plan.changes {
        writeln!(
            out,
            "{}: {} -> {}",
            c.rel,
            c.old_value.as_deref().unwrap_or("(new)"),
            c.new_value
        )?;
    }
    Ok(0)
}

fn version_next(ctx: &Context, json: bool, pre: Option<String>) -> Result<u8> {
    let pre = pre.as_deref().map(version::parse_pre_name).transpose()?;
    let n = release::next_pre(ctx, pre.as_deref())?;
    let mut out = out();
    if json {
        let v = serde_json::json!({
            "current": n.base.to_string(),
            "tag": n.tag,
            "latest_tag": n.latest.as_ref().map(|l| &l.0),
            "bump": n.level.map(|l| l.word()),
            "next": n.next.to_string(),
            "commits": n.commits.len(),
            "reasons": n.reasons,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    let since = n.since();
    match n.level {
        None => writeln!(
            out,
            "{} (no release needed: {} commit(s) {since}, none a feat, fix, perf or breaking change)",
            n.next,
            n.commits.len()
        )?,
        Some(level) => {
            writeln!(out, "{}", n.next)?;
            writeln!(
                out,
                "{} bump of {} from {} commit(s) {since}, decided by:",
                level.word(),
                n.base,
                n.commits.len()
            )?;
            for r in &n.reasons {
                writeln!(out, "  {} {}", &r.id[..7.min(r.id.len())], r.header)?;
            }
        }
    }
    Ok(0)
}

fn version_status(ctx: &Context, json: bool) -> Result<u8> {
    let status = version::status(&ctx.ws.root, &ctx.config.config.version)?;
    let mut out = out();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&status)?)?;
    } else {
        writeln!(out, "version        {}", status.version)?;
        writeln!(out, "build number   {}", status.build_number)?;
        writeln!(out, "development    {}", status.development_format)?;
        writeln!(out, "display        {}", status.display_format)?;
        writeln!(out, "release        {}", status.release_format)?;
        for s in &status.sources {
            writeln!(
                out,
                "source         {}: {} ({})",
                s.path,
                s.version.as_deref().unwrap_or("-"),
                s.word()
            )?;
        }
    }
    drop(out);
    let mut bad = false;
    for s in status.sources.iter().filter(|s| !s.in_sync) {
        bad = true;
        anstream::eprintln!(
            "error: {} has version {} but VERSION has {}",
            s.path,
            s.version.as_deref().unwrap_or("(none)"),
            status.version
        );
    }
    if bad {
        anstream::eprintln!("hint: mpm-hooks version rebuild");
        return Ok(1);
    }
    Ok(0)
}
