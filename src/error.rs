//! The library's error type. Every variant names the file, key or hook it is about, so that the
//! CLI can print one line that says what went wrong and where; `hint` says how to fix it.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is read-only")]
    ReadOnly { path: PathBuf },
    #[error("{path} is missing")]
    MissingVersion { path: PathBuf },
    #[error("{path}: {reason}")]
    BadVersion { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    BadBuildNumber { path: PathBuf, reason: String },
    #[error("`{value}` is not a semantic version (expected MAJOR.MINOR.PATCH[-PRERELEASE], e.g. 1.2.3)")]
    BadVersionArg { value: String },
    #[error("{path}: {reason}")]
    BadSource { path: PathBuf, reason: String },
    #[error("{path}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Config {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{path}: path `{value}` leaves the repository")]
    PathEscapes { path: PathBuf, value: String },
    #[error("not inside a git repository")]
    NotARepository,
    #[error("{path} is a bare repository: it has no work tree")]
    BareRepository { path: PathBuf },
    #[error("git: {message}")]
    Git {
        message: String,
        #[source]
        source: Option<git2::Error>,
    },
    #[error("`git {args}` failed: {message}")]
    GitCommand { args: String, message: String },
    #[error("hooks folder {path} is outside the repository ({origin})")]
    HooksOutside { path: PathBuf, origin: String },
    #[error("hook `{hook}`: {message}")]
    Hook { hook: String, message: String },
    /// A SHA-256 repository, where the library behind `what` (libgit2) cannot go yet.
    #[error("SHA-256 repositories are not supported by mpm-hooks for {what} yet")]
    Sha256 { what: String },
    #[error("{message}")]
    Usage { message: String },
    /// A ref given for a run over a range (`--from-ref`/`--to-ref`) that names no commit here.
    #[error("--{side}-ref `{rev}` names no commit in this repository")]
    BadRef { side: &'static str, rev: String },
    #[error("{step} failed, {}", match rollback {
        None => "so the release was rolled back: nothing changed".to_string(),
        Some(r) => format!("and rolling the release back failed too ({r}): check `git status` and `git log -1`"),
    })]
    ReleaseFailed {
        step: String,
        rollback: Option<String>,
        #[source]
        source: Box<Error>,
    },
    /// The repository is not in a state the command accepts (a dirty tree for a release, a tag
    /// that exists): nothing was changed, and `hint` says what to do.
    #[error("{message}")]
    Refused { message: String, hint: Option<String> },
}

impl Error {
    /// The exact command or edit that fixes the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::ReadOnly { path } => Some(format!("make it writable: chmod u+w {}", path.display())),
            Error::MissingVersion { .. } => {
                Some("start the version system with `mpm-hooks version set 0.1.0` or `mpm-hooks init`".into())
            }
            Error::BadVersion { path, .. } => Some(format!(
                "write a version such as 1.2.3 in {}, or run `mpm-hooks version set 1.2.3`",
                path.display()
            )),
            Error::BadBuildNumber { path, .. } => Some(format!(
                "write a whole number such as 1 in {} (or skip the step once with SKIP=build-number)",
                path.display()
            )),
            Error::BadSource { .. } => {
                Some("fix the file, or remove it from [version] files in .mpm-hooks.toml".into())
            }
            Error::Config { .. } => Some("check the file with `mpm-hooks config check`".into()),
            Error::NotARepository => Some("run this inside a git work tree (git init creates one)".into()),
            Error::Refused { hint, .. } => hint.clone(),
            Error::BadRef { rev, .. } => Some(format!(
                "check the name with `git rev-parse {rev}`; a shallow CI clone may lack it: `git fetch origin {rev}` (or clone with full history)"
            )),
            Error::Sha256 { .. } => {
                Some("the commands and hooks go through git there; report which one said this".into())
            }
            Error::HooksOutside { .. } => Some(
                "every repository that uses that folder would run these hooks; pass --force if that is what you want"
                    .into(),
            ),
            _ => None,
        }
    }

    /// The exit code: 1 when the command refused the repository's state (a check failed), 2 when
    /// the tool or its input is broken.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused { .. } | Error::ReleaseFailed { .. } => 1,
            _ => 2,
        }
    }

    pub(crate) fn refused(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Refused {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// The same error with its path shown relative to `root`, as the user knows it.
    pub fn relative_to(mut self, root: &std::path::Path) -> Error {
        match &mut self {
            Error::Read { path, .. }
            | Error::Write { path, .. }
            | Error::ReadOnly { path }
            | Error::MissingVersion { path }
            | Error::BadVersion { path, .. }
            | Error::BadBuildNumber { path, .. }
            | Error::BadSource { path, .. }
            | Error::Config { path, .. } => {
                if let Ok(rel) = path.strip_prefix(root) {
                    *path = rel.to_path_buf();
                }
            }
            _ => {}
        }
        self
    }

    pub(crate) fn git(message: impl Into<String>, source: git2::Error) -> Error {
        Error::Git {
            message: message.into(),
            source: Some(source),
        }
    }
}
