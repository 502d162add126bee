//! A user's own hook, kept aside by install (`<name>.legacy`), runs first in its stage.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Runs one kept hook with git's arguments; stdin is inherited (pre-push reads its refs there).
pub fn run(path: &Path, args: &[OsString], root: &Path) -> Result<Outcome> {
    let status = Command::new(path)
        .args(args)
        .current_dir(root)
        .env(IN_HOOK_VAR, "1")
        .status()
        .map_err(|e| Error::Hook {
            hook: file_name(path),
            message: format!("cannot run it: {e} (is it executable? chmod +x {})", path.display()),
        })?;
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
