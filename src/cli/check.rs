//! `mpm-hooks check` (the quality gate, or with `--release` the release gate) and `mpm-hooks fix`.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::checks;

use super::{out, print_results};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the staged files
    #[arg(long)]
    staged: bool,
    /// The release gate: the quality gate plus the release-tier checks
    #[arg(long)]
    release: bool,
    /// Print the results as one JSON object
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct FixArgs {
    /// Only the staged files
    #[arg(long)]
    staged: bool,
    /// Print the results as one JSON object
    #[arg(long)]
    json: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let Args { staged, release, json } = args;
    let results = mpm_hooks::gate::run(ctx, staged, release)?;
    let failed = mpm_hooks::gate::failed(&results);
    let name = if release { "release" } else { "quality" };
    if json {
        let v = serde_json::json!({ "gate": name, "ok": !failed, "results": results });
        writeln!(out(), "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print_results(&results)?;
        writeln!(out(), "\n{name} gate: {}", if failed { "FAILED" } else { "passed" })?;
    }
    Ok(if failed { 1 } else { 0 })
}

pub fn fix(ctx: &Context, args: FixArgs) -> Result<u8> {
    let FixArgs { staged, json } = args;
    let files = mpm_hooks::gate::target_files(ctx, staged)?;
    let results = checks::fix_all(&ctx.config.config.check, &files, &ctx.ws.root)?;
    if json {
        writeln!(
            out(),
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "fixes": results }))?
        )?;
    } else if results.is_empty() {
        writeln!(out(), "no check has a `fix` command")?;
    } else {
        print_results(&results)?;
    }
    Ok(if results.iter().any(|r| r.status == checks::Status::Failed) {
        1
    } else {
        0
    })
}
