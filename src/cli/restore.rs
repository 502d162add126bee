//! `mpm-hooks restore`: lists the kept unstaged changes of this worktree and (without `--list`)
//! merges each back into the work tree; the index is never touched.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::checks;

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only list them
    #[arg(long)]
    list: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let repo = ctx.ws.repo()?;
    let kept = checks::kept(repo);
    if kept.is_empty() {
        writeln!(out(), "no unstaged changes are kept")?;
        return Ok(0);
    }
    let mut code = 0;
    for k in &kept {
        writeln!(out(), "{}: {}", k.dir.display(), k.files.join(", "))?;
        if args.list {
            continue;
        }
        let left = checks::restore_kept(repo, k)?;
        if left.is_empty() {
            writeln!(out(), "  restored")?;
        }
        for (file, yours) in left {
            code = 1;
            writeln!(
                out(),
                "  {file}: your changes overlap what it holds now; your whole version is {} (compare: `git diff --no-index -- {file} {}`)",
                yours.display(),
                yours.display()
            )?;
        }
    }
    Ok(code)
}
