//! A user's own hook, kept aside by install (`<name>.legacy`), runs first in its stage.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Outcome;
use crate::config::IN_HOOK_VAR;
use crate::error::{Error, Result};

/// The user's hooks kept aside by install: `<name>.legacy`, then `<name>.legacy.2`, ...
pub fn legacy_hooks(hooks_dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(hooks_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            let rest = file.strip_prefix(name)?.strip_prefix(".legacy")?;
            let n = if rest.is_empty() {
                1
            } else {
                rest.strip_prefix('.')?.parse().ok()?
            };
            Some((n, e.path()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

/// Runs one kept hook with git's arguments. Its stdin is `stdin` when the stage read git's
/// (pre-push reads its refs there), else inherited.
pub fn run(path: &Path, args: &[OsString], root: &Path, stdin: Option<&[u8]>) -> Result<Outcome> {
    let failed = |e: std::io::Error| Error::Hook {
        hook: file_name(path),
        message: format!("cannot run it: {e} (is it executable? chmod +x {})", path.display()),
    };
    let mut cmd = Command::new(path);
    cmd.args(args).current_dir(root).env(IN_HOOK_VAR, "1");
    let status = match stdin {
        None => cmd.status().map_err(failed)?,
        Some(bytes) => {
            let mut child = cmd.stdin(Stdio::piped()).spawn().map_err(failed)?;
            // A hook that exits without reading all of it closes the pipe: not an error.
            if let Some(mut pipe) = child.stdin.take() {
                let _ = pipe.write_all(bytes);
            }
            child.wait().map_err(failed)?
        }
    };
    Ok(if status.success() {
        Outcome::Ok(Vec::new())
    } else {
        Outcome::Failed(format!(
            "your own hook {} (kept aside by mpm-hooks install) failed with {status}",
            path.display()
        ))
    })
}

pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
