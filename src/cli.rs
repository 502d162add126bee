//! Arguments (clap derive) and one short function per subcommand that calls the library and
//! prints its result. No logic lives here.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use mpm_hooks::Context;
use mpm_hooks::checks;
use mpm_hooks::config::{self, LogLevel};
use mpm_hooks::conventional::{self, Cleanup};
use mpm_hooks::hook::{self, Outcome, Stage};
use mpm_hooks::release;
use mpm_hooks::version::{self, Level};

#[derive(Debug, Parser)]
#[command(name = "mpm-hooks", version = env!("MPM_HOOKS_VERSION"), about = "Git hooks that keep a repository honest", max_term_width = 100)]
pub struct Cli {
    /// More output (-vv: debug); also raises the log level; hook stages list every step
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors: nothing printed on success
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show or change VERSION and BUILD_NUMBER (default: status)
    Version(VersionArgs),
    /// Show or check the effective configuration
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Write a starter .mpm-hooks.toml, VERSION (0.1.0) and BUILD_NUMBER (1) where missing
    Init,
    /// Install the hooks (pre-commit, commit-msg; post-commit when a partial commit needs it) in this clone
    Install {
        /// Replace a hook that is not ours instead of keeping it; allow a hooks folder outside the repository
        #[arg(long)]
        force: bool,
    },
    /// Remove the hooks and put back the ones install kept aside
    Uninstall,
    /// Check that the hooks, the config and the version files are healthy
    Doctor {
        /// Print the checks as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Run a hook stage by hand, as git would
    Run {
        /// The stage to run
        #[arg(value_parser = ["pre-commit", "commit-msg", "post-commit"])]
        stage: String,
        /// git's arguments for the hook (commit-msg: the message file)
        args: Vec<OsString>,
        /// Say what would change, change nothing
        #[arg(long)]
        dry_run: bool,
        /// Run only these steps (comma-separated)
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
    /// Check a commit message (a file, - for stdin, or -m TEXT)
    CheckMsg {
        /// The message file (as git hands it to the commit-msg hook), or - for stdin
        #[arg(required_unless_present = "message")]
        file: Option<PathBuf>,
        /// The message itself, as it would be stored in history
        #[arg(short, long, conflicts_with = "file")]
        message: Option<String>,
        /// How to clean the message first (default: strip for a file, verbatim for -m)
        #[arg(long, value_parser = ["strip", "whitespace", "scissors", "verbatim"])]
        cleanup: Option<String>,
        /// Print the verdict as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Check the messages of a range of commits (default: since the latest version tag)
    LintCommits {
        /// From this revision, excluded (default: the latest version tag)
        #[arg(long)]
        from: Option<String>,
        /// Up to this revision, included (default: HEAD)
        #[arg(long)]
        to: Option<String>,
        /// Print the failures as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Scan for secrets: the staged change (default), files and folders, or history
    Scan(ScanArgs),
    /// Run every check's auto-fix on all tracked files (or the staged ones)
    Fix {
        /// Only the staged files
        #[arg(long)]
        staged: bool,
        /// Print the results as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// The quality gate: quality-tier checks on all tracked files, the secret scan, version status
    Check {
        /// Only the staged files
        #[arg(long)]
        staged: bool,
        /// The release gate: the quality gate plus the release-tier checks
        #[arg(long)]
        release: bool,
        /// Print the results as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// The changelog of the commits since the latest version tag (or of a range, or of every release)
    Changelog {
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
    },
    /// Release: gate, bump, changelog, a `chore(release)` commit and an annotated tag (never pushes)
    Release {
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
    },
    /// Put back unstaged changes that a pre-commit run set aside and could not restore
    Restore {
        /// Only list them
        #[arg(long)]
        list: bool,
    },
    /// The BUILD_NUMBER merge driver (git runs it: %O %A %B)
    #[command(hide = true)]
    MergeBuildNumber {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
struct VersionArgs {
    #[command(subcommand)]
    action: Option<VersionAction>,
    /// Print the status as one JSON object
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum VersionAction {
    /// Version, build number, the three formats and every version source
    Status {
        /// Print the status as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Bump the version (BUILD_NUMBER restarts at 1) and sync every source
    Bump {
        /// patch, minor, major, or auto (what the commits since the latest version tag imply)
        level: BumpLevel,
        /// Bump to a pre-release of that version: rc gives 1.3.0-rc.0, then 1.3.0-rc.1; a bump
        /// without --pre finalizes it (1.3.0)
        #[arg(long, value_name = "NAME")]
        pre: Option<String>,
        /// Print the diff of every file; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Set the version (starts VERSION and BUILD_NUMBER where they are missing)
    Set {
        /// The new version, such as 1.4.0
        version: String,
        /// Print the diff of every file; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Add 1 to BUILD_NUMBER
    IncrementBuild {
        /// Print the diff; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Rewrite every version source from VERSION
    Rebuild {
        /// Print the diff of every file; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The version the commits since the latest version tag imply, and why
    Next {
        /// Print the answer as one JSON object
        #[arg(long)]
        json: bool,
        /// The next pre-release of that name instead (1.3.0-rc.0, or rc.1 after it)
        #[arg(long, value_name = "NAME")]
        pre: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BumpLevel {
    /// 1.2.3 -> 1.2.4
    Patch,
    /// 1.2.3 -> 1.3.0
    Minor,
    /// 1.2.3 -> 2.0.0
    Major,
    /// What the commits since the latest version tag imply
    Auto,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ScanFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Print the effective configuration, with the environment applied
    Show {
        /// Print it as JSON instead of TOML
        #[arg(long)]
        json: bool,
    },
    /// Validate .mpm-hooks.toml (exit 2 on an error)
    Check,
}

pub fn run(args: Vec<OsString>) -> Result<u8> {
    if let Some(file) = plain_check_msg(&args) {
        let ctx = Context::load(0)?;
        recover_leftovers(&ctx);
        ctx.log
            .log(LogLevel::Debug, || format!("command: check-msg {}", file.display()));
        return check_msg(&ctx, Some(file), None, None, false);
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let verbosity = if cli.quiet { -1 } else { cli.verbose as i8 };
    let mut ctx = Context::load(verbosity)?;
    ctx.env.quiet |= cli.quiet;
    ctx.env.verbose |= cli.verbose > 0;
    if !matches!(cli.command, Command::MergeBuildNumber { .. }) {
        recover_leftovers(&ctx);
    }
    ctx.log
        .log(LogLevel::Debug, || format!("command: {}", logged_args(&args)));
    let result = match cli.command {
        Command::Version(args) => version_cmd(&ctx, args),
        Command::Config { action } => config_cmd(&ctx, action),
        Command::Init => init(&ctx),
        Command::Install { force } => install(&ctx, force),
        Command::Uninstall => uninstall(&ctx),
        Command::Doctor { json } => doctor(&ctx, json),
        Command::Run {
            stage,
            args,
            dry_run,
            only,
        } => {
            let stage = Stage::from_hook_name(&stage).expect("clap checked the stage name");
            run_stage(&ctx, stage, &args, &hook::Options { dry_run, only }, false)
        }
        Command::CheckMsg {
            file,
            message,
            cleanup,
            json,
        } => check_msg(&ctx, file, message, cleanup, json),
        Command::LintCommits { from, to, json } => lint_commits(&ctx, from, to, json),
        Command::MergeBuildNumber { base: _, ours, theirs } => merge_build_number(&ours, &theirs),
        Command::Fix { staged, json } => fix(&ctx, staged, json),
        Command::Check { staged, release, json } => gate(&ctx, staged, release, json),
        Command::Scan(args) => scan(&ctx, args, cli.verbose > 0),
        Command::Changelog { from, to, all, write } => changelog(&ctx, from, to, all, write),
        Command::Release {
            level,
            pre,
            dry_run,
            no_gate,
        } => release_cmd(&ctx, level, pre, dry_run, no_gate),
        Command::Restore { list } => restore(&ctx, list),
    };
    result.map_err(|e| relative(e, &ctx))
}

/// Library errors name paths relative to the work tree's top.
fn relative(e: anyhow::Error, ctx: &Context) -> anyhow::Error {
    match e.downcast::<mpm_hooks::Error>() {
        Ok(e) => e.relative_to(&ctx.ws.root).into(),
        Err(e) => e,
    }
}

/// The binary was invoked by git as a hook (argv[0] is the hook's name).
pub fn run_hook(name: &str, args: Vec<OsString>) -> Result<u8> {
    let stage = Stage::from_hook_name(name).expect("main checked the hook name");
    let ctx = Context::load(0)?;
    recover_leftovers(&ctx);
    run_stage(&ctx, stage, &args, &hook::Options::default(), true).map_err(|e| relative(e, &ctx))
}

/// `check-msg FILE` and nothing else: what husky, lefthook or a hand-written commit-msg hook
/// run on every commit. It skips building clap's tree of every command and option: 44 page
/// faults and a quarter of the instructions fewer (README, "Performance"). Any other arguments
/// (an option, `-` for stdin, a third) go through clap.
fn plain_check_msg(args: &[OsString]) -> Option<PathBuf> {
    match args {
        [_, command, file] if command == "check-msg" && !file.as_encoded_bytes().starts_with(b"-") => {
            Some(PathBuf::from(file))
        }
        _ => None,
    }
}

/// Unstaged changes that a killed run set aside go back before anything else happens.
fn recover_leftovers(ctx: &Context) {
    if let Some(repo) = &ctx.ws.repo {
        for line in mpm_hooks::checks::recover(repo) {
            anstream::eprintln!("mpm-hooks: {line}");
        }
    }
}

/// `mpm-hooks restore`: lists the kept unstaged changes of this worktree and (without `--list`)
/// merges each back into the work tree; the index is never touched.
fn restore(ctx: &Context, list: bool) -> Result<u8> {
    let repo = ctx.ws.repo()?;
    let kept = checks::kept(repo);
    if kept.is_empty() {
        writeln!(out(), "no unstaged changes are kept")?;
        return Ok(0);
    }
    let mut code = 0;
    for k in &kept {
        writeln!(out(), "{}: {}", k.dir.display(), k.files.join(", "))?;
        if list {
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
        if in_commit {
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

fn install(ctx: &Context, force: bool) -> Result<u8> {
    let repo = ctx.ws.repo()?;
    let done = mpm_hooks::install::install(repo, ctx.ws.scratch_dir().as_deref(), force)?;
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

fn uninstall(ctx: &Context) -> Result<u8> {
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

fn doctor(ctx: &Context, json: bool) -> Result<u8> {
    use mpm_hooks::install::{Check, Level as L};
    let check = |name: &str, level, message: String| Check {
        name: name.into(),
        level,
        message,
    };
    let mut checks = Vec::new();
    match &ctx.ws.repo {
        None => checks.push(check("repository", L::Fail, "not inside a git repository".into())),
        Some(repo) => {
            checks.push(check("repository", L::Ok, repo.root.display().to_string()));
            checks.extend(mpm_hooks::install::doctor_hooks(repo, env!("MPM_HOOKS_VERSION")));
        }
    }
    checks.push(match &ctx.config.path {
        Some(p) => check("config", L::Ok, format!("{} is valid", p.display())),
        None => check(
            "config",
            L::Info,
            "no .mpm-hooks.toml: the embedded default applies".into(),
        ),
    });
    if ctx.ws.root.join(version::VERSION_FILE).exists() {
        checks.push(match version::status(&ctx.ws.root, &ctx.config.config.version) {
            Ok(s) if s.in_sync() => check("version", L::Ok, s.development_format),
            Ok(s) => {
                let bad: Vec<String> = s
                    .sources
                    .iter()
                    .filter(|x| !x.in_sync)
                    .map(|x| format!("{} has {}", x.path, x.version.as_deref().unwrap_or("none")))
                    .collect();
                check(
                    "version",
                    L::Fail,
                    format!(
                        "VERSION is {} but {}: run mpm-hooks version rebuild",
                        s.version,
                        bad.join(", ")
                    ),
                )
            }
            Err(e) => check("version", L::Fail, e.relative_to(&ctx.ws.root).to_string()),
        });
    } else {
        checks.push(check(
            "version",
            L::Info,
            "no VERSION: the version system is not used here (mpm-hooks init starts it)".into(),
        ));
    }
    let failed = checks.iter().any(|c| c.level == L::Fail);
    let mut out = out();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "ok": !failed, "checks": checks }))?
        )?;
    } else {
        for c in &checks {
            let word = match c.level {
                L::Ok => "ok",
                L::Info => "info",
                L::Warn => "warn",
                L::Fail => "FAIL",
            };
            writeln!(out, "{word:<5} {:<14} {}", c.name, c.message)?;
        }
    }
    Ok(if failed { 1 } else { 0 })
}

fn check_msg(
    ctx: &Context,
    file: Option<PathBuf>,
    message: Option<String>,
    cleanup: Option<String>,
    json: bool,
) -> Result<u8> {
    let cfg = &ctx.config.config.commit_msg;
    let repo_cfg = |k: &str| ctx.ws.repo.as_ref().and_then(|r| r.config_string(k));
    let comment = repo_cfg("core.commentString").or_else(|| repo_cfg("core.commentChar"));
    let (raw, default_mode, saved) = match (message, file) {
        (Some(m), _) => (m.into_bytes(), Cleanup::Verbatim, None),
        // Standard input is linted as given, as commitlint lints it.
        (None, Some(f)) if f.as_os_str() == "-" => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
            (buf, Cleanup::Verbatim, None)
        }
        // A message file (husky's or lefthook's commit-msg hook) is cleaned exactly as git will
        // clean it for this repository, so it is decided as the commit-msg hook decides it.
        (None, Some(f)) => {
            let bytes = std::fs::read(&f).map_err(|source| mpm_hooks::Error::Read {
                path: f.clone(),
                source,
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let comment = conventional::comment_string(comment.as_deref(), &text);
            let mode = conventional::hook_cleanup(repo_cfg("commit.cleanup").as_deref(), &text, &comment);
            (bytes, mode, Some(f.display().to_string()))
        }
        (None, None) => unreachable!("clap requires a file or -m"),
    };
    let mode = cleanup.as_deref().and_then(Cleanup::parse).unwrap_or(default_mode);
    let verdict = conventional::check_bytes(&raw, mode, comment.as_deref(), cfg);
    // A message file (husky's or lefthook's commit-msg hook hands over .git/COMMIT_EDITMSG) is
    // reopened from a cleaned copy: git's file may hold the diff of `git commit -v`.
    let saved = match (&ctx.ws.repo, saved) {
        (Some(repo), Some(shown)) if !verdict.valid => {
            let text = String::from_utf8_lossy(&raw);
            let cleaned = conventional::cleanup(&text, mode, &conventional::comment_string(comment.as_deref(), &text));
            // The path given is relative to the top; run from elsewhere, it is shown whole.
            let at_top = std::env::current_dir()
                .and_then(|d| d.canonicalize())
                .ok()
                .zip(repo.root.canonicalize().ok())
                .is_some_and(|(cwd, top)| cwd == top);
            Some(
                hook::steps::commit_msg::save_rejected(repo, &cleaned, ctx.ws.scratch_dir().as_deref())
                    .map_or(shown, |p| {
                        if at_top { p } else { repo.root.join(p) }.display().to_string()
                    }),
            )
        }
        (_, saved) => saved,
    };
    if json {
        writeln!(out(), "{}", serde_json::to_string_pretty(&verdict.to_json())?)?;
    } else {
        let text = conventional::render(&verdict, cfg, saved.as_deref());
        if !text.is_empty() {
            anstream::eprint!("{text}");
        }
        if verdict.valid && !ctx.env.quiet {
            writeln!(out(), "ok: {}", verdict.header)?;
        }
    }
    Ok(if verdict.valid { 0 } else { 1 })
}

fn lint_commits(ctx: &Context, from: Option<String>, to: Option<String>, json: bool) -> Result<u8> {
    let repo = ctx.ws.repo()?;
    let cfg = &ctx.config.config.commit_msg;
    let to = repo.resolve(to.as_deref().unwrap_or("HEAD"))?;
    let from = match from {
        Some(rev) => Some(repo.resolve(&rev)?),
        None => repo
            .version_tags(&ctx.config.config.version.tag_prefix)?
            .first()
            .map(|(_, _, oid)| *oid),
    };
    // Failures are written as they come, in history order: memory stays flat over any range.
    // The JSON document names its counts before the list, so its entries wait in an unnamed
    // temporary file until the counts are known.
    let mut text = std::io::BufWriter::new(out());
    let mut spill = if json {
        Some(std::io::BufWriter::new(tempfile::tempfile()?))
    } else {
        None
    };
    let mut entries = 0usize;
    let (checked, failed) = conventional::lint_batches(
        cfg,
        |c: &mpm_hooks::git::CommitInfo| c.message.as_str(),
        |feed| repo.each_commit(from, to, false, feed).map_err(anyhow::Error::from),
        |c, v| -> std::io::Result<()> {
            match &mut spill {
                Some(file) => {
                    let entry = serde_json::json!({ "commit": c.id, "header": v.header, "errors": v.errors });
                    let entry = serde_json::to_string_pretty(&entry)?;
                    if entries > 0 {
                        write!(file, ",")?;
                    }
                    entries += 1;
                    for line in entry.lines() {
                        write!(file, "\n    {line}")?;
                    }
                    Ok(())
                }
                None => {
                    let rules: Vec<&str> = v.errors.iter().map(|f| f.rule).collect();
                    writeln!(
                        text,
                        "{} {}  [{}]",
                        &c.id[..7.min(c.id.len())],
                        v.header,
                        rules.join(", ")
                    )
                }
            }
        },
    )?;
    match spill {
        Some(file) => {
            let mut file = file.into_inner().map_err(|e| e.into_error())?;
            write!(
                text,
                "{{\n  \"checked\": {checked},\n  \"failed\": {failed},\n  \"failures\": ["
            )?;
            if failed > 0 {
                std::io::Seek::rewind(&mut file)?;
                std::io::copy(&mut file, &mut text)?;
                write!(text, "\n  ")?;
            }
            writeln!(text, "]\n}}")?;
        }
        None => writeln!(text, "{checked} commit(s) checked, {failed} failed")?,
    }
    text.flush()?;
    Ok(if failed == 0 { 0 } else { 1 })
}

fn print_results(results: &[checks::CheckResult]) -> Result<()> {
    let mut out = out();
    for r in results {
        let word = match r.status {
            checks::Status::Passed => "ok",
            checks::Status::Failed => "FAILED",
            checks::Status::Fixed => "fixed",
            checks::Status::Skipped => "skipped",
        };
        let mut line = format!("{:<20} {word:<8} {:>8.1} ms", r.name, r.millis);
        if let Some(n) = &r.note {
            line.push_str(&format!("  {n}"));
        }
        if !r.fixed.is_empty() {
            line.push_str(&format!("  changed: {}", r.fixed.join(", ")));
        }
        writeln!(out, "{line}")?;
    }
    for r in results
        .iter()
        .filter(|r| r.status == checks::Status::Failed && !r.output.trim().is_empty())
    {
        writeln!(out, "\n--- {} ---\n{}", r.name, r.output.trim_end())?;
    }
    Ok(())
}

fn fix(ctx: &Context, staged: bool, json: bool) -> Result<u8> {
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

/// The quality gate (and with `release`, the release gate).
fn gate(ctx: &Context, staged: bool, release: bool, json: bool) -> Result<u8> {
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

#[derive(Debug, Args)]
struct ScanArgs {
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

fn scan(ctx: &Context, args: ScanArgs, verbose: bool) -> Result<u8> {
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

fn changelog(ctx: &Context, from: Option<String>, to: Option<String>, all: bool, write: bool) -> Result<u8> {
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

fn release_cmd(ctx: &Context, level: BumpLevel, pre: Option<String>, dry_run: bool, no_gate: bool) -> Result<u8> {
    let level = match level {
        BumpLevel::Patch => Some(Level::Patch),
        BumpLevel::Minor => Some(Level::Minor),
        BumpLevel::Major => Some(Level::Major),
        BumpLevel::Auto => None,
    };
    // The release reads the version files and rewrites them: under the version lock throughout
    // (its own commit skips the build-number step, which would wait for the lock).
    let _lock = if dry_run { None } else { ctx.ws.lock_versions()? };
    let pre = pre.as_deref().map(version::parse_pre_name).transpose()?;
    let plan = match release::prepare(ctx, level, pre.as_deref())? {
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
        format!("{:?}", plan.level).to_lowercase(),
        plan.old,
        plan.commits
    )?;
    let gate = if no_gate {
        writeln!(out(), "release gate: skipped (--no-gate)")?;
        release::Gate::Skipped
    } else {
        let results = mpm_hooks::gate::run(ctx, false, true)?;
        if mpm_hooks::gate::failed(&results) {
            print_results(&results)?;
            anstream::eprintln!("error: the release gate failed: nothing was changed");
            anstream::eprintln!("hint: fix what failed (mpm-hooks check --release), or release anyway with --no-gate");
            return Ok(1);
        }
        writeln!(out(), "release gate: passed ({} check(s))", results.len())?;
        release::Gate::Passed
    };
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

fn merge_build_number(ours: &std::path::Path, theirs: &std::path::Path) -> Result<u8> {
    match mpm_hooks::build_number::merge(ours, theirs)? {
        Ok(_) => Ok(0),
        Err(conflict) => {
            anstream::eprintln!("{conflict}");
            Ok(1)
        }
    }
}

fn out() -> anstream::AutoStream<std::io::StdoutLock<'static>> {
    anstream::AutoStream::auto(std::io::stdout().lock())
}

/// Standard output, or nowhere with `-q`: for commands whose output only reports success.
fn quiet_or_out(ctx: &Context) -> Box<dyn Write> {
    if ctx.env.quiet {
        Box::new(std::io::sink())
    } else {
        Box::new(out())
    }
}

fn version_cmd(ctx: &Context, args: VersionArgs) -> Result<u8> {
    let root = &ctx.ws.root;
    let cfg = &ctx.config.config.version;
    // Every change is read and written under the version lock, so that concurrent runs never
    // lose one another's change.
    let _lock = match args.action {
        None | Some(VersionAction::Status { .. } | VersionAction::Next { .. }) => None,
        Some(_) => ctx.ws.lock_versions()?,
    };
    let (command, plan) = match args.action {
        None => return version_status(ctx, args.json),
        Some(VersionAction::Status { json }) => return version_status(ctx, json || args.json),
        Some(VersionAction::Next { json, pre }) => return version_next(ctx, json, pre),
        Some(VersionAction::Bump { level, pre, dry_run }) => {
            let pre = pre.as_deref().map(version::parse_pre_name).transpose()?;
            let level = match level {
                BumpLevel::Patch => Level::Patch,
                BumpLevel::Minor => Level::Minor,
                BumpLevel::Major => Level::Major,
                BumpLevel::Auto => match release::next(ctx)?.level {
                    Some(level) => level,
                    None => {
                        writeln!(
                            out(),
                            "nothing calls for a release: no feat, fix, perf or breaking change since the last version tag"
                        )?;
                        return Ok(0);
                    }
                },
            };
            (
                ("version bump", dry_run),
                version::plan_bump_pre(root, cfg, level, pre.as_deref())?.1,
            )
        }
        Some(VersionAction::Set { version, dry_run }) => {
            let v = version::parse_version_arg(&version)?;
            (("version set", dry_run), version::plan_set(root, cfg, &v, true)?)
        }
        Some(VersionAction::IncrementBuild { dry_run }) => (
            ("version increment-build", dry_run),
            version::plan_increment_build(root)?,
        ),
        Some(VersionAction::Rebuild { dry_run }) => (("version rebuild", dry_run), version::plan_rebuild(root, cfg)?),
    };
    write_plan(ctx, command.0, &plan, command.1)
}

/// Prints a plan as diffs (`--dry-run`) or applies it and prints `path: old -> new`.
fn write_plan(ctx: &Context, command: &str, plan: &version::Plan, dry_run: bool) -> Result<u8> {
    let mut out = out();
    if plan.changes.is_empty() {
        writeln!(out, "nothing to change")?;
        return Ok(0);
    }
    if dry_run {
        for change in &plan.changes {
            write!(out, "{}", change.diff())?;
        }
        return Ok(0);
    }
    ctx.apply_version_plan(command, plan)?;
    for c in &plan.changes {
        writeln!(
            out,
            "{}: {} -> {}",
            c.rel,
            c.old_value.as_deref().unwrap_or("(new)"),
            c.new_value
        )?;
    }
    Ok(0)
}

fn version_next(ctx: &Context, json: bool, pre: Option<String>) -> Result<u8> {
    let pre = pre.as_deref().map(version::parse_pre_name).transpose()?;
    let n = release::next_pre(ctx, pre.as_deref())?;
    let mut out = out();
    if json {
        let v = serde_json::json!({
            "current": n.base.to_string(),
            "tag": n.tag,
            "latest_tag": n.latest.as_ref().map(|l| &l.0),
            "bump": n.level.map(|l| format!("{l:?}").to_lowercase()),
            "next": n.next.to_string(),
            "commits": n.commits.len(),
            "reasons": n.reasons,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    let since = n.since();
    match n.level {
        None => writeln!(
            out,
            "{} (no release needed: {} commit(s) {since}, none a feat, fix, perf or breaking change)",
            n.next,
            n.commits.len()
        )?,
        Some(level) => {
            writeln!(out, "{}", n.next)?;
            writeln!(
                out,
                "{} bump of {} from {} commit(s) {since}, decided by:",
                format!("{level:?}").to_lowercase(),
                n.base,
                n.commits.len()
            )?;
            for r in &n.reasons {
                writeln!(out, "  {} {}", &r.id[..7.min(r.id.len())], r.header)?;
            }
        }
    }
    Ok(0)
}

fn version_status(ctx: &Context, json: bool) -> Result<u8> {
    let status = version::status(&ctx.ws.root, &ctx.config.config.version)?;
    let mut out = out();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&status)?)?;
    } else {
        writeln!(out, "version        {}", status.version)?;
        writeln!(out, "build number   {}", status.build_number)?;
        writeln!(out, "development    {}", status.development_format)?;
        writeln!(out, "display        {}", status.display_format)?;
        writeln!(out, "release        {}", status.release_format)?;
        for s in &status.sources {
            let state = match (s.placeholder, s.in_sync) {
                (true, _) => "placeholder: not synced, by design",
                (false, true) => "in sync",
                (false, false) => "OUT OF SYNC",
            };
            writeln!(
                out,
                "source         {}: {} ({state})",
                s.path,
                s.version.as_deref().unwrap_or("-")
            )?;
        }
    }
    drop(out);
    let mut bad = false;
    for s in status.sources.iter().filter(|s| !s.in_sync) {
        bad = true;
        anstream::eprintln!(
            "error: {} has version {} but VERSION has {}",
            s.path,
            s.version.as_deref().unwrap_or("(none)"),
            status.version
        );
    }
    if bad {
        anstream::eprintln!("hint: mpm-hooks version rebuild");
        return Ok(1);
    }
    Ok(0)
}

fn config_cmd(ctx: &Context, action: ConfigAction) -> Result<u8> {
    let mut out = out();
    match action {
        ConfigAction::Show { json } => {
            let cfg = &ctx.config.config;
            let source = ctx
                .config
                .path
                .as_ref()
                .map_or("embedded default".to_string(), |p| p.display().to_string());
            if json {
                let v = serde_json::json!({
                    "source": source,
                    "environment": ctx.config.environment,
                    "config": cfg,
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                writeln!(out, "# source: {source}\n# environment: {}", ctx.config.environment)?;
                write!(out, "{}", toml::to_string_pretty(cfg)?)?;
            }
        }
        ConfigAction::Check => {
            // Loading the context already validated the file for the current environment; this
            // validates it for the others too.
            config::check(&ctx.ws.root, &ctx.env)?;
            match &ctx.config.path {
                Some(p) => writeln!(out, "{}: ok", p.display())?,
                None => writeln!(out, "no {}: the embedded default applies", config::FILE_NAME)?,
            }
        }
    }
    Ok(0)
}

fn init(ctx: &Context) -> Result<u8> {
    let root = &ctx.ws.root;
    let scratch = ctx.ws.scratch_dir();
    let mut out = quiet_or_out(ctx);
    let cfg_path = root.join(config::FILE_NAME);
    if cfg_path.exists() {
        writeln!(out, "{}: exists, left as it is", config::FILE_NAME)?;
    } else {
        mpm_hooks::fs::write_atomic(&cfg_path, config::STARTER.as_bytes(), scratch.as_deref())?;
        writeln!(out, "{}: created", config::FILE_NAME)?;
    }
    let _lock = ctx.ws.lock_versions()?;
    let mut plan = version::Plan::default();
    let mut origin = None;
    if !root.join(version::VERSION_FILE).exists() {
        let vcfg = &ctx.config.config.version;
        let tags = match ctx.ws.repo() {
            Ok(repo) => repo.version_tags(&vcfg.tag_prefix)?,
            Err(_) => Vec::new(),
        };
        let tag = tags.first().map(|(name, v, _)| (name.as_str(), v));
        let (start, why) = version::initial_version(root, vcfg, tag)?;
        origin = Some(why);
        plan = version::plan_set(root, vcfg, &start, true)?;
        // Only the two files: init does not rewrite existing sources.
        plan.changes.retain(|c| c.old.is_none());
    } else if !root.join(version::BUILD_FILE).exists() {
        version::read_state(root)?;
        plan = version::plan_increment_build(root)?;
    }
    for name in [version::VERSION_FILE, version::BUILD_FILE] {
        if !plan.changes.iter().any(|c| c.rel == name) {
            writeln!(out, "{name}: exists, left as it is")?;
        }
    }
    ctx.apply_version_plan("init", &plan)?;
    for c in &plan.changes {
        match (&origin, c.rel == version::VERSION_FILE) {
            (Some(why), true) => writeln!(out, "{}: created ({}, {why})", c.rel, c.new_value)?,
            _ => writeln!(out, "{}: created ({})", c.rel, c.new_value)?,
        }
    }
    if origin.is_some() {
        let status = version::status(root, &ctx.config.config.version)?;
        for s in &status.sources {
            let v = s.version.as_deref().unwrap_or("-");
            if s.placeholder {
                writeln!(
                    out,
                    "{}: {v} is a placeholder, left alone (not synced, by design)",
                    s.path
                )?;
            } else if !s.in_sync {
                writeln!(
                    out,
                    "{}: {v} differs from VERSION; sync it with: mpm-hooks version rebuild",
                    s.path
                )?;
            }
        }
    }
    Ok(0)
}

/// The command line as the debug log keeps it: subcommand and flag names, and values chosen from
/// a fixed set (`--format json`, `bump patch`); every other value (a message given with -m, a
/// path, a revision) only as its length, so no token typed on the command line reaches the log.
fn logged_args(args: &[OsString]) -> String {
    use clap::CommandFactory;
    let mut root = Cli::command();
    root.build();
    let mut cmd = &root;
    let mut out = vec!["mpm-hooks".to_string()];
    let keep = |a: Option<&clap::Arg>| a.is_some_and(|a| !a.get_possible_values().is_empty());
    let takes_value = |a: Option<&clap::Arg>| a.is_some_and(|a| a.get_action().takes_values());
    // Some(keep) when the next word is the previous flag's value.
    let (mut value_of, mut positional, mut only_positionals) = (None, 0, false);
    for word in args.iter().skip(1).map(|a| a.to_string_lossy()) {
        let shown = |keep: bool| {
            if keep {
                word.to_string()
            } else {
                mpm_hooks::audit::redacted(&word)
            }
        };
        if let Some(kept) = value_of.take() {
            out.push(shown(kept));
        } else if word == "--" && !only_positionals {
            only_positionals = true;
            out.push(word.to_string());
        } else if let (Some(name), false) = (word.strip_prefix("--"), only_positionals) {
            let (name, value) = name.split_once('=').map_or((name, None), |(n, v)| (n, Some(v)));
            let arg = cmd.get_arguments().find(|a| a.get_long() == Some(name));
            match value {
                Some(v) if keep(arg) => out.push(format!("--{name}={v}")),
                Some(v) => out.push(format!("--{name}={}", mpm_hooks::audit::redacted(v))),
                None => {
                    out.push(format!("--{name}"));
                    value_of = takes_value(arg).then(|| keep(arg));
                }
            }
        } else if let (Some(flags), false) = (word.strip_prefix('-').filter(|f| !f.is_empty()), only_positionals) {
            // A cluster of short flags (-vv), or one that takes a value, glued (-mTEXT) or next.
            let mut kept = String::from("-");
            for (i, c) in flags.char_indices() {
                kept.push(c);
                let arg = cmd.get_arguments().find(|a| a.get_short() == Some(c));
                if takes_value(arg) {
                    let rest = &flags[i + c.len_utf8()..];
                    if rest.is_empty() {
                        value_of = Some(keep(arg));
                    } else if keep(arg) {
                        kept.push_str(rest);
                    } else {
                        kept.push_str(&mpm_hooks::audit::redacted(rest));
                    }
                    break;
                }
            }
            out.push(kept);
        } else if let Some(sub) = (positional == 0 && !only_positionals)
            .then(|| cmd.find_subcommand(word.as_ref()))
            .flatten()
        {
            out.push(sub.get_name().to_string());
            cmd = sub;
        } else {
            let arg = cmd.get_positionals().nth(positional);
            positional += usize::from(arg.is_some_and(|a| a.get_num_args().is_none_or(|n| n.max_values() <= 1)));
            out.push(shown(keep(arg)));
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    /// `--help` says what every subcommand, option and argument does.
    #[test]
    fn every_command_and_option_has_help() {
        use clap::CommandFactory;
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || ((id == "help" || id == "version") && !arg.is_positional()) {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.is_hide_set() || sub.get_name() == "help" {
                    continue;
                }
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(sub_path.clone());
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        let mut cmd = super::Cli::command();
        cmd.build();
        walk(&cmd, "mpm-hooks", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    /// Only the plain shape skips clap, and clap reads that shape the same way.
    #[test]
    fn plain_check_msg_is_exactly_check_msg_file() {
        use clap::Parser;
        let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        let plain = args(&["mpm-hooks", "check-msg", ".git/COMMIT_EDITMSG"]);
        assert_eq!(
            super::plain_check_msg(&plain),
            Some(std::path::PathBuf::from(".git/COMMIT_EDITMSG"))
        );
        match super::Cli::parse_from(&plain).command {
            super::Command::CheckMsg {
                file,
                message,
                cleanup,
                json,
            } => assert_eq!(
                (file, message, cleanup, json),
                (Some(".git/COMMIT_EDITMSG".into()), None, None, false)
            ),
            other => panic!("{other:?}"),
        }
        for other in [
            &["mpm-hooks", "check-msg", "-"][..],
            &["mpm-hooks", "check-msg", "--json", "f"],
            &["mpm-hooks", "check-msg", "f", "--json"],
            &["mpm-hooks", "-q", "check-msg", "f"],
            &["mpm-hooks", "scan", "f"],
            &["mpm-hooks", "check-msg"],
        ] {
            assert_eq!(super::plain_check_msg(&args(other)), None, "{other:?}");
        }
    }
}
