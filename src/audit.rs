//! The log file and the audit trail, both under `<git dir>/mpm-hooks/`, never in the work tree.
//! The log is text or JSON lines; the audit is JSON lines, one per change to VERSION or
//! BUILD_NUMBER and one per release. Neither ever holds a secret: callers pass paths, versions and counts only.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{LogFormat, LogLevel};
use crate::error::{Error, Result};

pub struct Logger {
    file: Option<PathBuf>,
    level: LogLevel,
    format: LogFormat,
}

impl Logger {
    pub fn new(state_dir: Option<&Path>, level: LogLevel, format: LogFormat) -> Logger {
        Logger {
            file: state_dir.map(|d| d.join("logs").join("mpm-hooks.log")),
            level,
            format,
        }
    }

    pub fn disabled() -> Logger {
        Logger {
            file: None,
            level: LogLevel::Error,
            format: LogFormat::Text,
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
        let _ = append(path, line.as_bytes());
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
