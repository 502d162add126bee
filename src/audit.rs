//! The log file and the audit trail, both under `<git dir>/mpm-hooks/`, never in the work tree.
//! The log is text or JSON lines; the audit is JSON lines, one per change to VERSION or
//! BUILD_NUMBER and one per release. Neither ever holds a secret: callers pass paths, versions and counts only.
//! The log rotates itself past a size cap (`mpm-hooks.log.1`, `.2` kept); the audit trail is the
//! record of every version change and is never rotated.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{LogFormat, LogLevel};
use crate::error::{Error, Result};

pub struct Logger {
    file: Option<PathBuf>,
    level: LogLevel,
    format: LogFormat,
    /// Rotate past this many bytes; 0 never.
    max_size: u64,
}

impl Logger {
    pub fn new(state_dir: Option<&Path>, level: LogLevel, format: LogFormat) -> Logger {
        Logger {
            file: state_dir.map(|d| d.join("logs").join("mpm-hooks.log")),
            level,
            format,
            max_size: 0,
        }
    }

    /// Rotates the log when a line would take it past `max_size` bytes (0: never).
    pub fn rotate_at(mut self, max_size: u64) -> Logger {
        self.max_size = max_size;
        self
    }

    pub fn disabled() -> Logger {
        Logger {
            file: None,
            level: LogLevel::Error,
            format: LogFormat::Text,
            max_size: 0,
        }
    }

    pub fn enabled(&self, level: LogLevel) -> bool {
        self.file.is_some() && level <= self.level
    }

    /// Logs the message `message` builds; it is not built when the level is filtered out.
    /// A log that cannot be written never fails the command.
    pub fn log(&self, level: LogLevel, message: impl FnOnce() -> String) {
        if !self.enabled(level) {
            return;
        }
        let Some(path) = &self.file else { return };
        let time = now();
        let message = message();
        let line = match self.format {
            LogFormat::Text => format!("{time} {:<5} {message}\n", level_name(level)),
            LogFormat::Json => {
                let v = serde_json::json!({"time": time, "level": level_name(level), "message": message});
                format!("{v}\n")
            }
        };
        let _ = append_rotating(path, line.as_bytes(), self.max_size);
    }
}

/// A value that must not be logged (a commit message, a path, a revision typed on the command
/// line), as its length only.
pub fn redacted(value: &str) -> String {
    format!("<redacted {} chars>", value.chars().count())
}

fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Error => "ERROR",
        LogLevel::Warn => "WARN",
        LogLevel::Info => "INFO",
        LogLevel::Debug => "DEBUG",
    }
}

pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    // One write call per record, so concurrent hooks do not interleave within a line.
    f.write_all(bytes)
}

/// How many rotated logs are kept beside the live one.
const KEEP: u32 = 2;

/// Appends to the log; when the line would take it past `max_size`, the log becomes `.1` (and
/// `.1` becomes `.2`, the oldest is dropped) and the line starts a new one: one stat per line
/// logged, no external tool. Two hooks rotating at the same moment may rotate twice.
fn append_rotating(path: &Path, bytes: &[u8], max_size: u64) -> std::io::Result<()> {
    if max_size > 0
        && let Ok(meta) = std::fs::metadata(path)
        && meta.len() > 0
        && meta.len() + bytes.len() as u64 > max_size
    {
        let rotated = |n: u32| {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        };
        for n in (1..KEEP).rev() {
            let _ = std::fs::rename(rotated(n), rotated(n + 1));
        }
        let _ = std::fs::rename(path, rotated(1));
    }
    append(path, bytes)
}

/// One change to VERSION or BUILD_NUMBER.
#[derive(Debug, serde::Serialize)]
pub struct Record<'a> {
    pub time: String,
    pub command: &'a str,
    pub file: &'a str,
    pub old: Option<&'a str>,
    pub new: &'a str,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
}

/// Appends one JSON line to `<state dir>/audit.jsonl`.
pub fn record(state_dir: &Path, record: &impl serde::Serialize) -> Result<()> {
    let path = state_dir.join("audit.jsonl");
    let mut line = serde_json::to_string(record).map_err(|e| Error::Write {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    line.push('\n');
    append(&path, line.as_bytes()).map_err(|source| Error::Write { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_past_its_cap_and_keeps_two() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("logs").join("mpm-hooks.log");
        for i in 0..100 {
            append_rotating(&log, format!("line {i:03} of the log\n").as_bytes(), 100).unwrap();
        }
        let read = |name: &str| std::fs::read_to_string(dir.path().join("logs").join(name)).unwrap();
        // 20 bytes a line: five fit in 100.
        assert_eq!(
            read("mpm-hooks.log"),
            (95..100)
                .map(|i| format!("line {i:03} of the log\n"))
                .collect::<String>()
        );
        assert!(read("mpm-hooks.log.1").starts_with("line 090 "));
        assert!(read("mpm-hooks.log.2").starts_with("line 085 "));
        assert!(!dir.path().join("logs").join("mpm-hooks.log.3").exists());
        append_rotating(&log, &[b'x'; 300], 0).unwrap();
        assert!(read("mpm-hooks.log").len() > 300, "0 never rotates");
    }
}
