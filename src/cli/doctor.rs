//! `mpm-hooks doctor`: the library's health rows, as a table or one JSON object.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::install;

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the checks as one JSON object
    #[arg(long)]
    json: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let checks = install::doctor(ctx, env!("MPM_HOOKS_VERSION"));
    let failed = install::failed(&checks);
    let mut out = out();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "ok": !failed, "checks": checks }))?
        )?;
    } else {
        // The name column fits the longest name (`prepare-commit-msg`).
        let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in &checks {
            writeln!(out, "{:<5} {:<width$} {}", c.level.word(), c.name, c.message)?;
        }
    }
    Ok(if failed { 1 } else { 0 })
}
