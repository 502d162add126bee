//! `mpm-hooks scan`: secrets in the staged change, in files and folders, or in history.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::ValueEnum;
use mpm_hooks::Context;
use mpm_hooks::config::LogLevel;

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and folders to scan (works outside a repository too)
    paths: Vec<PathBuf>,
    /// Every line added in history: all of HEAD, or a range such as v1.0.0..HEAD
    #[arg(long, num_args = 0..=1, default_missing_value = "HEAD", conflicts_with = "paths")]
    history: Option<String>,
    /// With --history: commits from this date (YYYY-MM-DD)
    #[arg(long, requires = "history")]
    since: Option<String>,
    /// With --history: commits up to this date (YYYY-MM-DD)
    #[arg(long, requires = "history")]
    until: Option<String>,
    /// How to print the findings: text, JSON, or SARIF 2.1.0 for code-scanning tools
    #[arg(long, value_enum, default_value = "text")]
    format: ScanFormat,
    /// Do not honour .gitignore and .ignore files
    #[arg(long)]
    no_ignore: bool,
    /// Accept the findings of this scan: add them to .mpm-hooks-baseline.json (entries already there are kept)
    #[arg(long)]
    update_baseline: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ScanFormat {
    Text,
    Json,
    Sarif,
}

pub fn exec(ctx: &Context, args: Args, verbose: bool) -> Result<u8> {
    use mpm_hooks::secrets::{self, Scanner, report};
    let root = &ctx.ws.root;
    let scanner = if args.paths.is_empty() && args.history.is_none() {
        Scanner::new(&ctx.config.config.secrets, root)?
    } else {
        Scanner::for_bulk(&ctx.config.config.secrets, root)?
    };
    let scanner = if args.update_baseline {
        scanner
    } else {
        scanner.with_baseline(report::load_baseline(root)?)
    };
    let started = std::time::Instant::now();
    let outcome = if let Some(range) = &args.history {
        let date = |d: &Option<String>, end: bool| -> Result<Option<i64>> {
            d.as_deref()
                .map(|d| {
                    let t = if end { "23:59:59" } else { "00:00:00" };
                    humantime::parse_rfc3339_weak(&format!("{d} {t}"))
                        .map(|t| {
                            t.duration_since(std::time::UNIX_EPOCH)
                                .map_or(0, |d| d.as_secs() as i64)
                        })
                        .map_err(|_| anyhow::anyhow!("`{d}` is not a date; write it as YYYY-MM-DD"))
                })
                .transpose()
        };
        let (since, until) = (date(&args.since, false)?, date(&args.until, true)?);
        // A progress line on a terminal only, at most ten times a second, erased at the end.
        let show = !ctx.env.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
        let mut shown: Option<std::time::Instant> = None;
        let mut progress = |commits: usize, findings: usize| {
            if show && shown.is_none_or(|t| t.elapsed().as_millis() >= 100) {
                shown = Some(std::time::Instant::now());
                let elapsed = started.elapsed().as_secs_f64();
                eprint!("\rscanning history: {commits} commit(s), {findings} finding(s), {elapsed:.1} s\x1b[K");
            }
        };
        let outcome = mpm_hooks::scan::history(&scanner, ctx.ws.repo()?, range, since, until, &mut progress);
        if show {
            eprint!("\r\x1b[K");
        }
        outcome?
    } else if args.paths.is_empty() {
        mpm_hooks::scan::staged(&scanner, &ctx.ws.repo()?.staged()?)
    } else {
        let cwd = std::env::current_dir()?;
        secrets::scan_paths(&scanner, &args.paths, &cwd, args.no_ignore)?
    };
    ctx.log.log(LogLevel::Info, || {
        format!(
            "scan: {} finding(s), {} skipped, {} commit(s), {:.0} ms",
            outcome.findings.len(),
            outcome.skipped.len(),
            outcome.commits,
            started.elapsed().as_secs_f64() * 1000.0
        )
    });
    if args.update_baseline {
        let w = report::write_baseline(root, &outcome.findings, ctx.ws.scratch_dir().as_deref())?;
        let mut line = format!("{}: {} finding(s) accepted", report::BASELINE_FILE, w.total - w.kept);
        if w.kept > 0 {
            line.push_str(&format!(
                "; {} accepted earlier kept ({} in all; delete the file to start over)",
                w.kept, w.total
            ));
        }
        if w.replaced_invalid {
            line.push_str("; the file was not a valid baseline and was replaced");
        }
        if !ctx.env.quiet {
            writeln!(out(), "{line}")?;
        }
        return Ok(0);
    }
    let mut out = out();
    match args.format {
        ScanFormat::Text => {
            // The command that accepts these findings scans what this scan scanned.
            let accept = match &args.history {
                Some(range) => {
                    let mut c = String::from("mpm-hooks scan --history");
                    if range != "HEAD" {
                        c.push_str(&format!(" {range}"));
                    }
                    for (flag, value) in [("--since", &args.since), ("--until", &args.until)] {
                        if let Some(v) = value {
                            c.push_str(&format!(" {flag} {v}"));
                        }
                    }
                    c + " --update-baseline"
                }
                None => report::accept_command(&outcome.findings),
            };
            let text = report::text(&outcome.findings, &outcome.skipped, verbose, &accept);
            write!(out, "{text}")?;
            if outcome.findings.is_empty() && !ctx.env.quiet {
                let what = if args.history.is_some() {
                    format!("{} commit(s)", outcome.commits)
                } else {
                    "the scanned content".to_string()
                };
                writeln!(out, "no secrets found in {what}")?;
            }
        }
        ScanFormat::Json => {
            let mut v = report::json(&outcome.findings, &outcome.skipped);
            if args.history.is_some() {
                v["commits"] = outcome.commits.into();
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        ScanFormat::Sarif => {
            let v = report::sarif(&outcome.findings, env!("MPM_HOOKS_VERSION"));
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
    }
    Ok(if outcome.findings.is_empty() { 0 } else { 1 })
}
