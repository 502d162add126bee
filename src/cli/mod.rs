//! Arguments (clap derive) and one file per subcommand that parses, calls the library and
//! renders its result. No logic lives here: this file holds the command tree, the dispatch and
//! the rendering the commands share.

mod changelog;
mod check;
mod check_msg;
mod config;
mod doctor;
mod init;
mod install;
mod lint_commits;
mod logged_args;
mod merge_build_number;
mod release;
mod restore;
pub mod run;
mod scan;
mod uninstall;
mod version;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use mpm_hooks::Context;
use mpm_hooks::checks;
use mpm_hooks::config::LogLevel;
use mpm_hooks::version::Level;

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
    Version(version::Args),
    /// Show or check the effective configuration
    Config(config::Args),
    /// Write a starter .mpm-hooks.toml, VERSION (0.1.0) and BUILD_NUMBER (1) where missing
    Init,
    /// Install the hooks (pre-commit, commit-msg; post-commit when a partial commit needs it) in this clone
    Install(install::Args),
    /// Remove the hooks and put back the ones install kept aside
    Uninstall,
    /// Check that the hooks, the config and the version files are healthy
    Doctor(doctor::Args),
    /// Run a hook stage by hand, as git would
    Run(run::Args),
    /// Check a commit message (a file, - for stdin, or -m TEXT)
    CheckMsg(check_msg::Args),
    /// Check the messages of a range of commits (default: since the latest version tag)
    LintCommits(lint_commits::Args),
    /// Scan for secrets: the staged change (default), files and folders, or history
    Scan(scan::Args),
    /// Run every check's auto-fix on all tracked files (or the staged ones)
    Fix(check::FixArgs),
    /// The quality gate: quality-tier checks on all tracked files, the secret scan, version status
    Check(check::Args),
    /// The changelog of the commits since the latest version tag (or of a range, or of every release)
    Changelog(changelog::Args),
    /// Release: gate, bump, changelog, a `chore(release)` commit and an annotated tag (never pushes)
    Release(release::Args),
    /// Put back unstaged changes that a pre-commit run set aside and could not restore
    Restore(restore::Args),
    /// The BUILD_NUMBER merge driver (git runs it: %O %A %B)
    #[command(hide = true)]
    MergeBuildNumber(merge_build_number::Args),
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

impl BumpLevel {
    /// The level asked for; None for `auto`, which the commits decide.
    fn level(self) -> Option<Level> {
        match self {
            BumpLevel::Patch => Some(Level::Patch),
            BumpLevel::Minor => Some(Level::Minor),
            BumpLevel::Major => Some(Level::Major),
            BumpLevel::Auto => None,
        }
    }
}

pub fn exec(args: Vec<OsString>) -> Result<u8> {
    if let Some(file) = plain_check_msg(&args) {
        let ctx = Context::load(0)?;
        recover_leftovers(&ctx);
        ctx.log
            .log(LogLevel::Debug, || format!("command: check-msg {}", file.display()));
        let args = check_msg::Args {
            file: Some(file),
            message: None,
            cleanup: None,
            json: false,
        };
        return check_msg::exec(&ctx, args);
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
    if !matches!(cli.command, Command::MergeBuildNumber(_)) {
        recover_leftovers(&ctx);
    }
    ctx.log.log(LogLevel::Debug, || {
        format!("command: {}", logged_args::logged_args(&args))
    });
    let result = match cli.command {
        Command::Version(args) => version::exec(&ctx, args),
        Command::Config(args) => config::exec(&ctx, args),
        Command::Init => init::exec(&ctx),
        Command::Install(args) => install::exec(&ctx, args),
        Command::Uninstall => uninstall::exec(&ctx),
        Command::Doctor(args) => doctor::exec(&ctx, args),
        Command::Run(args) => run::exec(&ctx, args),
        Command::CheckMsg(args) => check_msg::exec(&ctx, args),
        Command::LintCommits(args) => lint_commits::exec(&ctx, args),
        Command::MergeBuildNumber(args) => merge_build_number::exec(args),
        Command::Fix(args) => check::fix(&ctx, args),
        Command::Check(args) => check::exec(&ctx, args),
        Command::Scan(args) => scan::exec(&ctx, args, cli.verbose > 0),
        Command::Changelog(args) => changelog::exec(&ctx, args),
        Command::Release(args) => release::exec(&ctx, args),
        Command::Restore(args) => restore::exec(&ctx, args),
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
        for line in checks::recover(repo) {
            anstream::eprintln!("mpm-hooks: {line}");
        }
    }
}

/// The results of the checks, a row each, then the output of each that failed.
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
            super::Command::CheckMsg(super::check_msg::Args {
                file,
                message,
                cleanup,
                json,
            }) => assert_eq!(
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
