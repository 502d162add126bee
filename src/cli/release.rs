//! `mpm-hooks release`: the plan, the release gate, then the commit and the tag (or the dry run).

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::{release, version};

use super::{BumpLevel, out, print_results};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bump: patch, minor, major, or auto (what the commits since the latest version tag imply)
    #[arg(value_enum, default_value = "auto")]
    level: BumpLevel,
    /// Release a pre-release of the bump instead: rc gives 1.3.0-rc.0, then 1.3.0-rc.1
    #[arg(long, value_name = "NAME")]
    pre: Option<String>,
    /// Print the version, the changelog section and the diff of every file; change nothing
    #[arg(long)]
    dry_run: bool,
    /// Skip the release gate (`mpm-hooks check --release`); recorded in the audit log
    #[arg(long)]
    no_gate: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let Args {
        level,
        pre,
        dry_run,
        no_gate,
    } = args;
    // The release reads the version files and rewrites them: under the version lock throughout
    // (its own commit skips the build-number step, which would wait for the lock).
    let _lock = if dry_run { None } else { ctx.ws.lock_versions()? };
    let pre = pre.as_deref().map(version::parse_pre_name).transpose()?;
    let plan = match release::prepare(ctx, level.level(), pre.as_deref())? {
        release::Prepared::Ready(plan) => plan,
        release::Prepared::Nothing(why) => {
            writeln!(out(), "{why}")?;
            return Ok(0);
        }
    };
    let since = release::since(plan.previous_tag.as_deref());
    writeln!(
        out(),
        "release {}: {} bump of {}, {} commit(s) {since}",
        plan.tag,
        plan.level.word(),
        plan.old,
        plan.commits
    )?;
    let run = release::run_gate(ctx, no_gate)?;
    if run.skipped {
        writeln!(out(), "release gate: skipped (--no-gate)")?;
    } else if run.failed() {
        print_results(&run.results)?;
    }
    let gate = run.verdict()?;
    if gate == release::Gate::Passed {
        writeln!(out(), "release gate: passed ({} check(s))", run.results.len())?;
    }
    if dry_run {
        let mut out = out();
        writeln!(out, "\n{}", plan.section.trim_end())?;
        writeln!(out)?;
        for change in &plan.files.changes {
            write!(out, "{}", change.diff())?;
        }
        writeln!(
            out,
            "then: git commit -m {:?} and git tag -a {} (dry run: nothing changed)",
            plan.message, plan.tag
        )?;
        return Ok(0);
    }
    let commit = release::execute(ctx, &plan, gate)?;
    let mut out = out();
    for c in &plan.files.changes {
        if c.rel == ctx.config.config.changelog.file {
            writeln!(out, "{}: added the {} section", c.rel, plan.new)?;
        } else {
            let old = c.old_value.as_deref().unwrap_or("(new)");
            writeln!(out, "{}: {old} -> {}", c.rel, c.new_value)?;
        }
    }
    let id = commit.to_string();
    writeln!(out, "commit {} {}", &id[..7], plan.message)?;
    writeln!(out, "tag {}", plan.tag)?;
    writeln!(out, "\npublish it with:\n  {}", plan.push_command())?;
    Ok(0)
}
