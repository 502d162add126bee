//! The quality gate (`mpm-hooks check`) and the release gate (`check --release`, and the first
//! step of `mpm-hooks release`): the checks of the tier on all tracked files (or the staged
//! ones), the secret scan of the same files, and the version sources in sync with VERSION.

use std::path::PathBuf;
use std::time::Instant;

use crate::Context;
use crate::checks::{self, CheckResult, Status};
use crate::config::Tier;
use crate::error::Result;
use crate::{secrets, version};

/// The files a gate works on: the staged ones, or every tracked file.
pub fn target_files(ctx: &Context, staged: bool) -> Result<Vec<String>> {
    let repo = ctx.ws.repo()?;
    if staged {
        Ok(repo
            .staged()?
            .files
            .into_iter()
            .filter(|f| f.status != 'D')
            .map(|f| f.path)
            .collect())
    } else {
        Ok(repo
            .tracked()?
            .into_iter()
            .filter(|p| ctx.ws.root.join(p).is_file())
            .collect())
    }
}

/// Runs the gate; a result per check, then `secrets` and `version`.
pub fn run(ctx: &Context, staged: bool, release: bool) -> Result<Vec<CheckResult>> {
    let cfg = &ctx.config.config;
    let files = target_files(ctx, staged)?;
    let mut selected = checks::of_tier(&cfg.check, Tier::Quality);
    if release {
        for c in checks::of_tier(&cfg.check, Tier::Release) {
            if !selected.iter().any(|s| s.name == c.name) {
                selected.push(c);
            }
        }
    }
    let env = &ctx.env;
    let mut results = checks::run(
        &selected,
        &files,
        &ctx.ws.root,
        cfg.checks.jobs,
        &|n| env.skips(n),
        None,
    )?;

    let started = Instant::now();
    let scanner = secrets::Scanner::for_bulk(&cfg.secrets, &ctx.ws.root)?
        .with_baseline(secrets::report::load_baseline(&ctx.ws.root)?);
    let paths: Vec<PathBuf> = files.iter().map(|f| ctx.ws.root.join(f)).collect();
    let scan = if paths.is_empty() {
        secrets::Outcome::default()
    } else {
        secrets::scan_paths(&scanner, &paths, &ctx.ws.root, false)?
    };
    results.push(CheckResult {
        name: "secrets".into(),
        status: if scan.findings.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        },
        note: Some(format!("{} file(s) scanned", files.len())),
        output: secrets::report::text(
            &scan.findings,
            &[],
            false,
            &secrets::report::accept_command(&scan.findings),
        ),
        fixed: Vec::new(),
        millis: started.elapsed().as_secs_f64() * 1000.0,
    });
    if ctx.ws.root.join(version::VERSION_FILE).exists() {
        let started = Instant::now();
        let (status, note) = match version::status(&ctx.ws.root, &cfg.version) {
            Ok(s) if s.in_sync() => (Status::Passed, s.development_format),
            Ok(s) => (
                Status::Failed,
                format!(
                    "a source disagrees with VERSION {}: run mpm-hooks version rebuild",
                    s.version
                ),
            ),
            Err(e) => (Status::Failed, e.relative_to(&ctx.ws.root).to_string()),
        };
        results.push(CheckResult {
            name: "version".into(),
            status,
            note: Some(note),
            output: String::new(),
            fixed: Vec::new(),
            millis: started.elapsed().as_secs_f64() * 1000.0,
        });
    }
    Ok(results)
}

pub fn failed(results: &[CheckResult]) -> bool {
    results.iter().any(|r| r.status == Status::Failed)
}
