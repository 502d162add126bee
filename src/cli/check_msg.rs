//! `mpm-hooks check-msg`: a commit message from a file, standard input or `-m`, decided as the
//! commit-msg hook decides it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::conventional::{self, Cleanup};

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The message file (as git hands it to the commit-msg hook), or - for stdin
    #[arg(required_unless_present = "message")]
    pub file: Option<PathBuf>,
    /// The message itself, as it would be stored in history
    #[arg(short, long, conflicts_with = "file")]
    pub message: Option<String>,
    /// How to clean the message first (default: strip for a file, verbatim for -m)
    #[arg(long, value_parser = ["strip", "whitespace", "scissors", "verbatim"])]
    pub cleanup: Option<String>,
    /// Print the verdict as one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let Args {
        file,
        message,
        cleanup,
        json,
    } = args;
    let cfg = &ctx.config.config.commit_msg;
    let repo_cfg = |k: &str| ctx.ws.repo.as_ref().and_then(|r| r.config_string(k));
    let comment = ctx.ws.repo.as_ref().and_then(|r| r.comment_setting());
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
                mpm_hooks::hook::steps::commit_msg::save_rejected(repo, &cleaned, ctx.ws.scratch_dir().as_deref())
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
