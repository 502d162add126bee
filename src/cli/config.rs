//! `mpm-hooks config show` and `config check`.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::config;

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Print the effective configuration, with the environment applied
    Show {
        /// Print it as JSON instead of TOML
        #[arg(long)]
        json: bool,
    },
    /// Validate .mpm-hooks.toml (exit 2 on an error)
    Check,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let mut out = out();
    match args.action {
        Action::Show { json } => {
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
        Action::Check => {
            // Loading the context already validated the file for the current environment; this
            // validates it for the others too.
            config::check(&ctx.ws.root, &ctx.env, &mpm_hooks::secrets::builtin_ids())?;
            match &ctx.config.path {
                Some(p) => writeln!(out, "{}: ok", p.display())?,
                None => writeln!(out, "no {}: the embedded default applies", config::FILE_NAME)?,
            }
        }
    }
    Ok(0)
}
