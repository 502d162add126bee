//! `mpm-hooks changelog`: print a changelog section (or every one), or prepend the next one.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::release;

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// From this revision (default: the latest version tag before --to)
    #[arg(long)]
    from: Option<String>,
    /// Up to this revision (default: HEAD); a version tag heads the section with its version
    #[arg(long)]
    to: Option<String>,
    /// Every tagged release, newest first
    #[arg(long, conflicts_with_all = ["from", "to"])]
    all: bool,
    /// Prepend the next version's section to the changelog file instead of printing it
    #[arg(long, conflicts_with_all = ["from", "to", "all"])]
    write: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let Args { from, to, all, write } = args;
    if write {
        match release::write_changelog(ctx)? {
            release::Written::Section { file, version } => writeln!(out(), "{file}: added the {version} section")?,
            release::Written::NothingToRelease(why) => writeln!(out(), "{why}; the changelog is unchanged")?,
        }
        return Ok(0);
    }
    let range = if all {
        release::Range::All
    } else if from.is_some() || to.is_some() {
        release::Range::Between { from, to }
    } else {
        release::Range::Unreleased
    };
    write!(out(), "{}", release::changelog(ctx, range)?)?;
    Ok(0)
}
