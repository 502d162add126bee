//! `mpm-hooks install`.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Replace a hook that is not ours instead of keeping it; allow a hooks folder outside the repository
    #[arg(long)]
    force: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let repo = ctx.ws.repo()?;
    let hooks = &ctx.config.config.hooks;
    let done = mpm_hooks::install::install(repo, hooks, ctx.ws.scratch_dir().as_deref(), args.force)?;
    if ctx.env.quiet {
        return Ok(0);
    }
    let mut out = out();
    writeln!(out, "hooks folder: {}", done.hooks_dir.display())?;
    for line in done.lines {
        writeln!(out, "{line}")?;
    }
    Ok(0)
}
