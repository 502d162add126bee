//! Whether the commit being made amends, which git does not tell its hooks.

use std::path::{Path, PathBuf};

/// Whether the hook runs under `git commit --amend`, which git does not tell its hooks: the
/// nearest `git` process among the hook's ancestors (through any shells and runners between)
/// is read from /proc. `false` when that cannot be read (not Linux, or no git ancestor found).
#[cfg(target_os = "linux")]
pub fn commit_is_amend() -> bool {
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..16 {
        if pid <= 1 {
            return false;
        }
        let proc = PathBuf::from(format!("/proc/{pid}"));
        let Ok(cmdline) = std::fs::read(proc.join("cmdline")) else {
            return false;
        };
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let is_git = args
            .first()
            .and_then(|a| Path::new(a).file_name())
            .is_some_and(|n| n == "git" || n == "git.exe");
        if is_git && let Some(amend) = commit_amends(&args[1..]) {
            return amend;
        }
        let Some(parent) = std::fs::read_to_string(proc.join("stat")).ok().and_then(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok())
        }) else {
            return false;
        };
        pid = parent;
    }
    false
}

#[cfg(not(target_os = "linux"))]
pub fn commit_is_amend() -> bool {
    false
}

/// For git's arguments after the program name: `None` unless the command is `git commit`,
/// else whether it amends (`--amend`, or an unambiguous prefix of it, and no later
/// `--no-amend`). Option values (`-m --amend`) and pathspecs are not mistaken for the option.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn commit_amends(args: &[String]) -> Option<bool> {
    let mut rest = args.iter();
    // git's own options, before the command.
    loop {
        let arg = rest.next()?;
        match arg.as_str() {
            "-c" | "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--config-env" => {
                rest.next();
            }
            a if a.starts_with('-') => {}
            "commit" => break,
            _ => return None,
        }
    }
    const TAKES_VALUE_SHORT: &[char] = &['m', 'F', 'c', 'C', 't'];
    const TAKES_VALUE_LONG: &[&str] = &[
        "--message",
        "--file",
        "--reedit-message",
        "--reuse-message",
        "--template",
        "--author",
        "--date",
        "--cleanup",
        "--fixup",
        "--squash",
        "--trailer",
        "--pathspec-from-file",
    ];
    let mut amend = false;
    while let Some(arg) = rest.next() {
        let a = arg.as_str();
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            if a.contains('=') {
                continue;
            }
            if long.len() >= 2 && "amend".starts_with(long) {
                amend = true;
            } else if a == "--no-amend" {
                amend = false;
            } else if TAKES_VALUE_LONG.contains(&a) {
                rest.next();
            }
        } else if let Some(short) = a.strip_prefix('-') {
            // A cluster such as `-am`: a value-taking letter takes the rest, or the next argument.
            for (i, ch) in short.char_indices() {
                if TAKES_VALUE_SHORT.contains(&ch) {
                    if i + ch.len_utf8() == short.len() {
                        rest.next();
                    }
                    break;
                }
            }
        }
    }
    Some(amend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_amends_reads_gits_command_line() {
        let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(commit_amends(&args("-c a=b commit -q --amend -m x")), Some(true));
        assert_eq!(commit_amends(&args("commit --amen --no-edit")), Some(true));
        assert_eq!(commit_amends(&args("commit -m --amend")), Some(false));
        assert_eq!(commit_amends(&args("commit -am --amend")), Some(false));
        assert_eq!(commit_amends(&args("commit --amend --no-amend")), Some(false));
        assert_eq!(commit_amends(&args("commit -- --amend")), Some(false));
        assert_eq!(commit_amends(&args("commit --a")), Some(false));
        assert_eq!(commit_amends(&args("-C dir status --amend")), None);
    }
}
