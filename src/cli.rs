//! Arguments (clap derive) and one short function per subcommand that calls the library and
//! prints its result. No logic lives here.

use std::ffi::OsString;
use std::io::Write;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use mpm_hooks::Context;
use mpm_hooks::config::{self, LogLevel};
use mpm_hooks::version::{self, Level};

#[derive(Debug, Parser)]
#[command(name = "mpm-hooks", version = env!("MPM_HOOKS_VERSION"), about = "Git hooks that keep a repository honest", max_term_width = 100)]
pub struct Cli {
    /// More output (-vv: debug); also raises the log level
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors
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
        #[arg(long)]
        json: bool,
    },
    /// Bump the version (BUILD_NUMBER restarts at 1) and sync every source
    Bump {
        level: BumpLevel,
        #[arg(long)]
        dry_run: bool,
    },
    /// Set the version (starts VERSION and BUILD_NUMBER where they are missing)
    Set {
        version: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Add 1 to BUILD_NUMBER
    IncrementBuild {
        #[arg(long)]
        dry_run: bool,
    },
    /// Rewrite every version source from VERSION
    Rebuild {
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BumpLevel {
    Patch,
    Minor,
    Major,
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Print the effective configuration, with the environment applied
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Validate .mpm-hooks.toml (exit 2 on an error)
    Check,
}

pub fn run(args: Vec<OsString>) -> Result<u8> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let verbosity = if cli.quiet { -1 } else { cli.verbose as i8 };
    let ctx = Context::load(verbosity)?;
    ctx.log.log(LogLevel::Debug, || format!("command: {:?}", cli.command));
    let result = match cli.command {
        Command::Version(args) => version_cmd(&ctx, args),
        Command::Config { action } => config_cmd(&ctx, action),
        Command::Init => init(&ctx),
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

/// The binary was invoked by git as a hook.
pub fn run_hook(name: &str, args: Vec<OsString>) -> Result<u8> {
    let _ = (name, args);
    Ok(0)
}

fn out() -> anstream::AutoStream<std::io::StdoutLock<'static>> {
    anstream::AutoStream::auto(std::io::stdout().lock())
}

fn version_cmd(ctx: &Context, args: VersionArgs) -> Result<u8> {
    let root = &ctx.ws.root;
    let cfg = &ctx.config.config.version;
    let (command, plan) = match args.action {
        None => return version_status(ctx, args.json),
        Some(VersionAction::Status { json }) => return version_status(ctx, json || args.json),
        Some(VersionAction::Bump { level, dry_run }) => {
            let level = match level {
                BumpLevel::Patch => Level::Patch,
                BumpLevel::Minor => Level::Minor,
                BumpLevel::Major => Level::Major,
            };
            (("version bump", dry_run), version::plan_bump(root, cfg, level)?.1)
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
            let state = if s.in_sync { "in sync" } else { "OUT OF SYNC" };
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
            // Loading the context already parsed and validated the file.
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
    let mut out = out();
    let cfg_path = root.join(config::FILE_NAME);
    if cfg_path.exists() {
        writeln!(out, "{}: exists, left as it is", config::FILE_NAME)?;
    } else {
        mpm_hooks::fs::write_atomic(&cfg_path, config::STARTER.as_bytes(), scratch.as_deref())?;
        writeln!(out, "{}: created", config::FILE_NAME)?;
    }
    let mut plan = version::Plan::default();
    if !root.join(version::VERSION_FILE).exists() {
        plan = version::plan_set(root, &ctx.config.config.version, &semver::Version::new(0, 1, 0), true)?;
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
        writeln!(out, "{}: created ({})", c.rel, c.new_value)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
