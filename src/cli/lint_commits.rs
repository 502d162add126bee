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
    // Failures wait in an unnamed temporary file (memory stays flat over any range), each
    // rendered once, with its position in history order: the walk may name commits it handed on
    // that are not in the range after all (see `each_commit`), and the JSON document names its
    // counts before the list.
    let mut spill = std::io::BufWriter::new(tempfile::tempfile()?);
    // Each failure's position among the commits handed on, and its end in the file.
    let mut entries: Vec<(usize, u64)> = Vec::new();
    let mut written = 0u64;
    let mut retracted = Vec::new();
    let (checked, _) = conventional::lint_batches(
        cfg,
        |(_, c): &(usize, mpm_hooks::git::CommitInfo)| c.message.as_str(),
        |feed| {
            let mut next = 0;
            let numbered = |batch: Vec<mpm_hooks::git::CommitInfo>| {
                let first = next;
                next += batch.len();
                feed(batch.into_iter().enumerate().map(|(i, c)| (first + i, c)).collect());
            };
            retracted = repo.each_commit(from, to, numbered)?;
            Ok::<_, anyhow::Error>(())
        },
        |(at, c), v| -> std::io::Result<()> {
            let entry = if json {
                let errors = v.errors.iter().map(|f| JsonError {
                    message: &f.message,
                    rule: f.rule,
                });
                let entry = JsonEntry {
                    commit: &c.id,
                    errors: errors.collect(),
                    header: &v.header,
                };
                // Indented as the list's items: each line after a newline and four spaces.
                let entry = serde_json::to_string_pretty(&entry)?;
                format!("\n    {}", entry.replace('\n', "\n    "))
            } else {
                let rules: Vec<&str> = v.errors.iter().map(|f| f.rule).collect();
                format!("{} {}  [{}]\n", &c.id[..7.min(c.id.len())], v.header, rules.join(", "))
            };
            spill.write_all(entry.as_bytes())?;
            written += entry.len() as u64;
            entries.push((at, written));
            Ok(())
        },
    )?;
    let retracted: std::collections::HashSet<usize> = retracted.into_iter().collect();
    let checked = checked - retracted.len();
    let failed = entries.iter().filter(|(at, _)| !retracted.contains(at)).count();
    let mut file = spill.into_inner().map_err(|e| e.into_error())?;
    std::io::Seek::rewind(&mut file)?;
    let mut file = std::io::BufReader::new(file);
    // JSON escapes every control character, so there is nothing for the terminal filter to take
    // out of it (3% of the CPU of a long JSON list went there).
    let stdout: Box<dyn Write> = if json {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(out())
    };
    let mut text = std::io::BufWriter::with_capacity(64 * 1024, stdout);
    if json {
        write!(
            text,
            "{{\n  \"checked\": {checked},\n  \"failed\": {failed},\n  \"failures\": ["
        )?;
    }
    let (mut start, mut kept, mut entry) = (0, 0, Vec::new());
    for (at, end) in entries {
        entry.resize((end - start) as usize, 0);
        std::io::Read::read_exact(&mut file, &mut entry)?;
        start = end;
        if retracted.contains(&at) {
            continue;
        }
        if json && kept > 0 {
            write!(text, ",")?;
        }
        kept += 1;
        text.write_all(&entry)?;
    }
    if json {
        if kept > 0 {
            write!(text, "\n  ")?;
        }
        writeln!(text, "]\n}}")?;
    } else {
        writeln!(text, "{checked} commit(s) checked, {failed} failed")?;
    }
    text.flush()?;
    Ok(if failed == 0 { 0 } else { 1 })
}

/// A failure in the JSON document, its keys in the order the document has always had.
#[derive(serde::Serialize)]
struct JsonEntry<'a> {
    commit: &'a str,
    errors: Vec<JsonError<'a>>,
    header: &'a str,
}

#[derive(serde::Serialize)]
struct JsonError<'a> {
    message: &'a str,
    rule: &'a str,
}
