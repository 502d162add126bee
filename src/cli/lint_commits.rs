//! `mpm-hooks lint-commits`: the messages of a range of commits, failures as they come.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::conventional;

use super::out;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// From this revision, excluded (default: the latest version tag)
    #[arg(long)]
    from: Option<String>,
    /// Up to this revision, included (default: HEAD)
    #[arg(long)]
    to: Option<String>,
    /// Print the failures as one JSON object
    #[arg(long)]
    json: bool,
}

pub fn exec(ctx: &Context, args: Args) -> Result<u8> {
    let Args { from, to, json } = args;
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
