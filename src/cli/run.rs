//! The hook stages: `mpm-hooks run <stage>`, and the binary invoked by git as a hook (argv[0] is
//! the hook's name). Both end in [`run_stage`], which runs the stage and renders its report.
//! The one file of the command line that knows the stage module.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::hook::{self, Outcome, Stage};

use super::{recover_leftovers, relative};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stage to run (git's hook name)
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(Stage::ALL.map(Stage::name)))]
    stage: String,
    /// git's arguments for the hook (commit-msg: the message file; pre-push: the remote's name
    /// and URL, with git's ref lines on stdin; prepare-commit-msg: the file, source, object)
    args: Vec<OsString>,
    /// Say what would change, change nothing
    #[arg(long)]
    dry_run: bool,
    /// Run only these steps (comma-separated)
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// pre-commit, for CI: check every tracked file; no commit, nothing staged or written
    #[arg(long, conflicts_with_all = ["args", "from_ref"])]
    all_files: bool,
    /// pre-commit, for CI: check the files changed since this ref forked (with --to-ref)
    #[arg(long, value_name = "REF", requires = "to_ref", conflicts_with = "args")]
    from_ref: Option<String>,
    /// pre-commit, for CI: the end of the range (with --from-ref)
    #[arg(long, value_name = "REF", requires = "from_ref")]
    to_ref: Option<String>,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let stage = Stage::from_hook_name(&args.stage).expect("clap checked the stage name");
    let files = match (args.all_files, args.from_ref, args.to_ref) {
        (true, _, _) => hook::FileSet::All,
        (false, Some(from), Some(to)) => hook::FileSet::Range { from, to },
        _ => hook::FileSet::Staged,
    };
    if files != hook::FileSet::Staged && stage != Stage::PreCommit {
        let option = if args.all_files {
            "--all-files"
        } else {
            "--from-ref/--to-ref"
        };
        return Err(mpm_hooks::Error::Usage {
            message: format!(
                "{option} is for `mpm-hooks run pre-commit` only; the {} stage runs on what git hands its hook",
                stage.name()
            ),
        }
        .into());
    }
    let opts = hook::Options {
        dry_run: args.dry_run,
        only: args.only,
        files,
    };
    run_stage(ctx, stage, &args.args, &opts, false)
}

/// The binary was invoked by git as a hook: `argv` is git's whole command line, `argv[0]` the
/// hook's path. None when `argv[0]` names no hook.
pub fn hook(argv: &[OsString]) -> Option<Result<u8>> {
    let path = Path::new(argv.first()?);
    let stage = Stage::from_hook_name(path.file_name().and_then(OsStr::to_str).unwrap_or(""))?;
    // git runs post-commit and prepare-commit-msg for every commit; most of the time they have
    // nothing to do, and know it from their path and arguments.
    if stage.idle(path, &argv[1..]) {
        return Some(Ok(0));
    }
    Some(run_hook(stage, &argv[1..]))
}

fn run_hook(stage: Stage, args: &[OsString]) -> Result<u8> {
    let result = Context::load(0).map_err(anyhow::Error::from).and_then(|ctx| {
        recover_leftovers(&ctx);
        run_stage(&ctx, stage, args, &hook::Options::default(), true).map_err(|e| relative(e, &ctx))
    });
    match result {
        // An advisory stage (prepare-commit-msg, which git runs even for `git commit
        // --no-verify`) that cannot run, a broken configuration say, must not stop the commit.
        // It says why; commit-msg still reports a broken configuration, unless skipped.
        Err(e) if stage.advisory() => {
            let _ = writeln!(
                anstream::stderr(),
                "mpm-hooks {}: no suggestion: {}",
                stage.name(),
                format!("{e:#}").lines().next().unwrap_or_default()
            );
            Ok(0)
        }
        other => other,
    }
}

/// Every way into a stage ends here: run it and report. A stage that passed says so in one
/// line (nothing with `-q`); with `-v` (or MPM_HOOKS_VERBOSE=1), or when a step failed, every
/// step gets its row, then each failure's details, indented under its name.
fn run_stage(ctx: &Context, stage: Stage, args: &[OsString], opts: &hook::Options, by_git: bool) -> Result<u8> {
    let report = hook::run(ctx, stage, args, opts)?;
    let err = render_report(&report, ctx.env.quiet, ctx.env.verbose, by_git || ctx.env.in_commit)?;
    // The report is built whole and written at once: one write, not one per formatted piece.
    anstream::stderr().lock().write_all(&err)?;
    Ok(if report.failed() { 1 } else { 0 })
}

/// `in_commit`: git runs the hook (a commit or, for pre-push, a push is under way).
fn render_report(report: &hook::Report, quiet: bool, verbose: bool, in_commit: bool) -> Result<Vec<u8>> {
    let (ok, bad, dim) = (
        anstyle::AnsiColor::Green.on_default(),
        anstyle::AnsiColor::Red.on_default().bold(),
        anstyle::Style::new().dimmed(),
    );
    let stage = report.stage;
    let mut err: Vec<u8> = Vec::new();
    if !report.failed() && !verbose {
        // In a commit, the pre-commit line is the commit's one summary line: a message that
        // passes adds nothing to it.
        let all_ok = report.steps.iter().all(|s| matches!(s.outcome, Outcome::Ok(_)));
        if quiet || report.steps.is_empty() || (stage == Stage::CommitMsg && in_commit && all_ok) {
            return Ok(err);
        }
        // One line: each step with its word and its first note (what it did, in short).
        let parts: Vec<String> = report
            .steps
            .iter()
            .map(|step| {
                let word = step.outcome.word();
                let style = if matches!(step.outcome, Outcome::Ok(_)) {
                    ok
                } else {
                    dim
                };
                let gist = match &step.outcome {
                    Outcome::Skipped(why) => Some(why.as_str()),
                    Outcome::Ok(notes) => notes.first().map(String::as_str),
                    Outcome::Failed(_) => None,
                };
                let gist = gist.map(|g| format!(" ({g})")).unwrap_or_default();
                format!("{} {style}{word}{style:#}{gist}", step.name)
            })
            .collect();
        let millis: f64 = report.steps.iter().map(|s| s.millis).sum();
        writeln!(err, "mpm-hooks {}: {}, {millis:.1} ms", stage.name(), parts.join(", "))?;
        // What the user must know even so: a warning, or files a check changed and re-staged.
        for step in &report.steps {
            if let Outcome::Ok(notes) = &step.outcome {
                for n in notes.iter().skip(1) {
                    if n.starts_with("warning:")
                        || n.contains("fixed and re-staged:")
                        || n.starts_with("the fixers changed")
                    {
                        writeln!(err, "    {n}")?;
                    }
                }
            }
        }
        return Ok(err);
    }
    // The name column fits the longest name (a kept hook such as `pre-commit.legacy.2`).
    let width = report.steps.iter().map(|s| s.name.len()).max().unwrap_or(0).max(14);
    for step in &report.steps {
        let word = step.outcome.word();
        let style = match step.outcome {
            Outcome::Ok(_) => ok,
            Outcome::Failed(_) => bad,
            Outcome::Skipped(_) => dim,
        };
        let detail = match &step.outcome {
            Outcome::Skipped(why) => format!(" ({why})"),
            Outcome::Ok(notes) => notes.first().map(|n| format!("  {n}")).unwrap_or_default(),
            Outcome::Failed(_) => String::new(),
        };
        if !quiet || matches!(step.outcome, Outcome::Failed(_)) {
            writeln!(
                err,
                "mpm-hooks {} {:<width$} {style}{word:<7}{style:#} {:>6.1} ms{detail}",
                stage.name(),
                step.name,
                step.millis
            )?;
        }
        if let Outcome::Ok(notes) = &step.outcome
            && !quiet
        {
            for n in notes.iter().skip(1) {
                writeln!(err, "    {n}")?;
            }
        }
    }
    for step in &report.steps {
        if let Outcome::Failed(details) = &step.outcome {
            writeln!(err, "\n{bad}{}:{bad:#}", step.name)?;
            for line in details.trim_end().lines() {
                if line.trim().is_empty() {
                    writeln!(err)?;
                } else {
                    writeln!(err, "    {line}")?;
                }
            }
        }
    }
    if report.failed() {
        if in_commit && stage == Stage::PrePush {
            writeln!(
                err,
                "\nthe push was stopped; fix the above, or skip once with SKIP=<step> (git push --no-verify skips the hook)"
            )?;
        } else if in_commit {
            writeln!(
                err,
                "\nthe commit was stopped; fix the above, or skip once with SKIP=<step> (git commit --no-verify skips every hook)"
            )?;
        } else {
            writeln!(
                err,
                "\nthe checks failed; fix the above (in a commit, SKIP=<step> skips a step once)"
            )?;
        }
    }
    Ok(err)
}
