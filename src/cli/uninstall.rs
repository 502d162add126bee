//! `mpm-hooks uninstall`.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;

use super::out;

pub fn exec(ctx: &Context) -> Result<u8> {
    let lines = mpm_hooks::install::uninstall(ctx.ws.repo()?)?;
    if ctx.env.quiet {
        return Ok(0);
    }
    let mut out = out();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(0)
}
