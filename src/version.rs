//! The dual version system: `VERSION` (a semantic version) and `BUILD_NUMBER` (a serial number),
//! their three formats, bumps, and the version sources kept in sync with them (Cargo.toml,
//! pyproject.toml, package.json, and files named in config).
//!
//! Every command is planned first (all files read and validated, every new content computed)
//! and applied second, so a bad input never leads to any file being rewritten.

use std::path::{Path, PathBuf};

use semver::{Prerelease, Version};
use serde::Serialize;

use crate::config::{Bump, VersionConfig};
use crate::error::{Error, Result};

pub const VERSION_FILE: &str = "VERSION";
pub const BUILD_FILE: &str = "BUILD_NUMBER";

/// The lock every read-modify-write of VERSION, BUILD_NUMBER and the synced sources holds:
/// `<git dir>/mpm-hooks.lock`, beside git's own `index.lock`.
pub const LOCK_FILE: &str = "mpm-hooks.lock";

/// How long a command waits for another one's lock before it gives up.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Takes the version lock of the work tree whose git dir is `git_dir`: held until the value is
/// dropped. Take it before reading the files a change is computed from.
pub fn lock(git_dir: &Path) -> Result<crate::fs::Lock> {
    crate::fs::Lock::acquire(&git_dir.join(LOCK_FILE), LOCK_WAIT)
}

/// Parses VERSION's content: surrounding whitespace, CRLF and a BOM are tolerated; a `v` prefix,
/// build metadata or anything but MAJOR.MINOR.PATCH[-PRE] is refused.
pub fn parse_version(text: &str, path: &Path) -> Result<Version> {
    let s = clean(text);
    let bad = |reason: String| Error::BadVersion {
        path: path.to_path_buf(),
        reason,
    };
    if s.is_empty() {
        return Err(bad("is empty; it should hold a semantic version such as 1.2.3".into()));
    }
    if s.lines().count() > 1 {
        return Err(bad(
            "holds more than one line; it should hold one semantic version".into()
        ));
    }
    let v = Version::parse(s).map_err(|_| {
        let why = if s.starts_with(['v', 'V']) {
            " (drop the leading `v`)"
        } else {
            ""
        };
        bad(format!(
            "`{s}` is not a semantic version{why}; expected MAJOR.MINOR.PATCH such as 1.2.3"
        ))
    })?;
    if !v.build.is_empty() {
        return Err(bad(format!(
            "`{s}` carries build metadata; VERSION holds {} and BUILD_NUMBER holds the build",
            without_build(&v)
        )));
    }
    Ok(v)
}

/// Parses a version given on the command line, with the same rules as VERSION.
pub fn parse_version_arg(value: &str) -> Result<Version> {
    match Version::parse(value.trim()) {
        Ok(v) if v.build.is_empty() => Ok(v),
        _ => Err(Error::BadVersionArg {
            value: value.to_string(),
        }),
    }
}

pub fn parse_build(text: &str, path: &Path) -> Result<u64> {
    let s = clean(text);
    s.parse::<u64>().map_err(|_| Error::BadBuildNumber {
        path: path.to_path_buf(),
        reason: if s.is_empty() {
            "is empty; it should hold a whole number such as 1".into()
        } else {
            format!("`{s}` is not a whole number from 0 to {}", u64::MAX)
        },
    })
}

fn clean(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text).trim()
}

fn without_build(v: &Version) -> Version {
    Version {
        build: semver::BuildMetadata::EMPTY,
        ..v.clone()
    }
}

/// The three ways a version is written.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Formats {
    /// `4.2.2+build.332`: a PEP 440 local version (pre-releases in PEP 440 spelling: `6.0.0rc1`).
    pub development: String,
    /// `v4.2.2-build.332`.
    pub display: String,
    /// `4.2.2`.
    pub release: String,
}

pub fn formats(v: &Version, build: u64) -> Formats {
    Formats {
        development: format!("{}+build.{build}", pep440(v)),
        display: format!("v{v}-build.{build}"),
        release: v.to_string(),
    }
}

/// The PEP 440 spelling of a version: `1.0.0-rc.1` -> `1.0.0rc1`, `2.0.0-alpha` -> `2.0.0a0`;
/// a pre-release PEP 440 cannot express is left in semver spelling.
pub fn pep440(v: &Version) -> String {
    let base = format!("{}.{}.{}", v.major, v.minor, v.patch);
    if v.pre.is_empty() {
        return base;
    }
    let pre = v.pre.as_str();
    let (label, num) = match pre.split_once('.') {
        Some((l, n)) => (l, n),
        None => {
            let split = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
            (&pre[..split], &pre[split..])
        }
    };
    let num = if num.is_empty() { "0" } else { num };
    let short = match label {
        "alpha" | "a" => "a",
        "beta" | "b" => "b",
        "rc" | "c" | "pre" | "preview" => "rc",
        "dev" => ".dev",
        _ => return format!("{base}-{pre}"),
    };
    match num.parse::<u64>() {
        Ok(n) => format!("{base}{short}{n}"),
        Err(_) => format!("{base}-{pre}"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Patch,
    Minor,
    Major,
}

impl Level {
    pub fn from_bump(b: Bump) -> Option<Level> {
        match b {
            Bump::None => None,
            Bump::Patch => Some(Level::Patch),
            Bump::Minor => Some(Level::Minor),
            Bump::Major => Some(Level::Major),
        }
    }

    /// The level as the commands print it (`minor bump of 1.2.3`) and the JSON names it.
    pub fn word(&self) -> &'static str {
        match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        }
    }
}

/// The next version, as `npm version` computes it: a pre-release is finalized when the bump
/// would not move past it (patch of 1.2.3-rc.1 is 1.2.3, minor of 1.3.0-rc.1 is 1.3.0).
pub fn bump(v: &Version, level: Level) -> Version {
    let pre = !v.pre.is_empty();
    let (major, minor, patch) = match level {
        Level::Patch if pre => (v.major, v.minor, v.patch),
        Level::Patch => (v.major, v.minor, v.patch + 1),
        Level::Minor if pre && v.patch == 0 => (v.major, v.minor, 0),
        Level::Minor => (v.major, v.minor + 1, 0),
        Level::Major if pre && v.minor == 0 && v.patch == 0 => (v.major, 0, 0),
        Level::Major => (v.major + 1, 0, 0),
    };
    Version {
        major,
        minor,
        patch,
        pre: Prerelease::EMPTY,
        build: semver::BuildMetadata::EMPTY,
    }
}

/// Checks a pre-release name given with `--pre`: one identifier of letters, digits and hyphens
/// that is not a number (`rc`, `beta`, `alpha`), as commitizen and cocogitto take it.
pub fn parse_pre_name(name: &str) -> Result<String> {
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(name.to_string())
    } else {
        Err(Error::Usage {
            message: format!(
                "--pre `{name}` is not a pre-release name: use letters, digits and hyphens, not only digits (rc, beta, alpha)"
            ),
        })
    }
}

/// The pre-release `NAME.N` of `v`, as (NAME, N).
fn pre_parts(v: &Version) -> Option<(&str, u64)> {
    let (name, n) = v.pre.as_str().split_once('.')?;
    Some((name, n.parse().ok()?))
}

/// The next pre-release `NAME.N`, as commitizen's `--prerelease` and cocogitto's `--pre` count:
/// when `v` is a pre-release that the bump would only finalize (1.3.0-rc.0 and minor), the next
/// of that version (1.3.0-rc.1, or 1.3.0-NAME.0 under another name); else the bump's version
/// with `NAME.0` (1.2.0 and minor: 1.3.0-rc.0). A plain [`bump`] finalizes the pre-release.
pub fn bump_pre(v: &Version, level: Level, name: &str) -> Version {
    let final_ = bump(v, level);
    let n = match pre_parts(v) {
        Some((current, n)) if current == name && without_pre(v) == final_ => n + 1,
        _ => 0,
    };
    Version {
        pre: Prerelease::new(&format!("{name}.{n}")).unwrap_or(Prerelease::EMPTY),
        ..final_
    }
}

fn without_pre(v: &Version) -> Version {
    Version {
        pre: Prerelease::EMPTY,
        build: semver::BuildMetadata::EMPTY,
        ..v.clone()
    }
}

/// A file that carries the version besides VERSION.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the root, as shown to the user.
    pub rel: String,
    pub path: PathBuf,
    kind: SourceKind,
}

#[derive(Debug, Clone)]
enum SourceKind {
    Cargo,
    Pyproject,
    PackageJson,
    /// Cargo.lock's entry for the package Cargo.toml names (so `cargo build --locked` still
    /// works after a bump).
    CargoLock(String),
    Pattern(regex::Regex),
}

/// The version sources present in `root`: the three defaults when they exist and carry a
/// version of their own, then every configured file (which must exist).
pub fn sources(root: &Path, cfg: &VersionConfig, origin: &Path) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for (name, kind) in [
        ("Cargo.toml", SourceKind::Cargo),
        ("pyproject.toml", SourceKind::Pyproject),
        ("package.json", SourceKind::PackageJson),
    ] {
        let path = root.join(name);
        if path.is_file() {
            let source = Source {
                rel: name.to_string(),
                path,
                kind,
            };
            let text = crate::fs::read_to_string(&source.path)?;
            if source.read(&text)?.is_some() {
                let lock = root.join("Cargo.lock");
                let package = matches!(source.kind, SourceKind::Cargo)
                    .then(|| text.parse::<toml_edit::DocumentMut>().ok())
                    .flatten()
                    .and_then(|doc| doc.get("package")?.get("name")?.as_str().map(String::from));
                out.push(source);
                if let Some(name) = package
                    && lock.is_file()
                {
                    let source = Source {
                        rel: "Cargo.lock".into(),
                        path: lock,
                        kind: SourceKind::CargoLock(name),
                    };
                    if source.read(&crate::fs::read_to_string(&source.path)?)?.is_some() {
                        out.push(source);
                    }
                }
            }
        }
    }
    for file in &cfg.files {
        let path = crate::fs::resolve_inside(root, &file.path, origin)?;
        let re = file.compile().map_err(|message| Error::Config {
            path: origin.to_path_buf(),
            line: None,
            message,
        })?;
        out.push(Source {
            rel: file.path.clone(),
            path,
            kind: SourceKind::Pattern(re),
        });
    }
    Ok(out)
}

impl Source {
    fn bad(&self, reason: impl Into<String>) -> Error {
        Error::BadSource {
            path: PathBuf::from(&self.rel),
            reason: reason.into(),
        }
    }

    /// The version this source carries, if it carries one of its own.
    pub fn read(&self, text: &str) -> Result<Option<String>> {
        match &self.kind {
            SourceKind::Cargo | SourceKind::Pyproject => {
                let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
                    self.bad(format!("does not parse as TOML: {}", one_line(&e.to_string())))
                })?;
                Ok(self.toml_slot(&doc).and_then(|i| i.as_str().map(String::from)))
            }
            SourceKind::CargoLock(name) => {
                let doc = self.toml(text)?;
                Ok(lock_entry(&doc, name).and_then(|t| t.get("version")?.as_str().map(String::from)))
            }
            SourceKind::PackageJson => {
                serde_json::from_str::<serde_json::Value>(text)
                    .map_err(|e| self.bad(format!("is not valid JSON: {e}")))?;
                Ok(self.json_version_span(text)?.map(|(a, b)| text[a..b].to_string()))
            }
            SourceKind::Pattern(re) => {
                let caps = re.captures(text).ok_or_else(|| {
                    self.bad(format!(
                        "pattern `{}` does not match; fix [version] files in .mpm-hooks.toml",
                        re.as_str()
                    ))
                })?;
                Ok(caps.name("version").map(|m| m.as_str().to_string()))
            }
        }
    }

    /// `text` with the version replaced by `new`, everything else byte for byte.
    pub fn write(&self, text: &str, new: &str) -> Result<String> {
        match &self.kind {
            SourceKind::Cargo | SourceKind::Pyproject => {
                let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
                    self.bad(format!("does not parse as TOML: {}", one_line(&e.to_string())))
                })?;
                let item = self
                    .toml_slot_mut(&mut doc)
                    .ok_or_else(|| self.bad("has no version to set"))?;
                let decor = item.as_value().map(|v| v.decor().clone());
                *item = toml_edit::value(new);
                if let (Some(decor), Some(v)) = (decor, item.as_value_mut()) {
                    *v.decor_mut() = decor;
                }
                Ok(keep_line_endings(text, doc.to_string()))
            }
            SourceKind::CargoLock(name) => {
                let mut doc = self.toml(text)?;
                let entry = doc
                    .get_mut("package")
                    .and_then(|p| p.as_array_of_tables_mut())
                    .and_then(|tables| {
                        tables
                            .iter_mut()
                            .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(name) && !t.contains_key("source"))
                    })
                    .ok_or_else(|| {
                        self.bad(format!(
                            "has no entry for package `{name}`; run cargo generate-lockfile"
                        ))
                    })?;
                let decor = entry
                    .get("version")
                    .and_then(|v| v.as_value())
                    .map(|v| v.decor().clone());
                entry["version"] = toml_edit::value(new);
                if let (Some(decor), Some(v)) = (decor, entry["version"].as_value_mut()) {
                    *v.decor_mut() = decor;
                }
                Ok(keep_line_endings(text, doc.to_string()))
            }
            SourceKind::PackageJson => {
                let (a, b) = self
                    .json_version_span(text)?
                    .ok_or_else(|| self.bad("has no top-level \"version\""))?;
                Ok(format!("{}{new}{}", &text[..a], &text[b..]))
            }
            SourceKind::Pattern(re) => {
                let caps = re
                    .captures(text)
                    .ok_or_else(|| self.bad(format!("pattern `{}` does not match", re.as_str())))?;
                let m = caps
                    .name("version")
                    .ok_or_else(|| self.bad("pattern has no `version` group"))?;
                Ok(format!("{}{new}{}", &text[..m.start()], &text[m.end()..]))
            }
        }
    }

    /// The top-level `"version"` string's span; a second top-level `"version"` key is refused:
    /// JSON parsers (npm's among them) read the last one, this file's first.
    fn json_version_span(&self, text: &str) -> Result<Option<(usize, usize)>> {
        let (span, keys) = json_version_span(text);
        if let [first, second, ..] = keys[..] {
            let line = |at: usize| text[..at].matches('\n').count() + 1;
            return Err(self.bad(format!(
                "has a top-level \"version\" twice (lines {} and {}): JSON parsers read the last one; keep one",
                line(first),
                line(second)
            )));
        }
        Ok(span)
    }

    fn toml(&self, text: &str) -> Result<toml_edit::DocumentMut> {
        text.parse().map_err(|e: toml_edit::TomlError| {
            self.bad(format!("does not parse as TOML: {}", one_line(&e.to_string())))
        })
    }

    fn toml_slot<'a>(&self, doc: &'a toml_edit::DocumentMut) -> Option<&'a toml_edit::Item> {
        let paths: &[&[&str]] = match self.kind {
            SourceKind::Cargo => &[&["package", "version"], &["workspace", "package", "version"]],
            _ => &[&["project", "version"], &["tool", "poetry", "version"]],
        };
        paths.iter().find_map(|path| {
            let mut item = doc.as_item();
            for key in *path {
                item = item.get(key)?;
            }
            // `version.workspace = true` inherits: not a source of its own.
            item.as_str().map(|_| item)
        })
    }

    fn toml_slot_mut<'a>(&self, doc: &'a mut toml_edit::DocumentMut) -> Option<&'a mut toml_edit::Item> {
        let paths: &[&[&str]] = match self.kind {
            SourceKind::Cargo => &[&["package", "version"], &["workspace", "package", "version"]],
            _ => &[&["project", "version"], &["tool", "poetry", "version"]],
        };
        let path = paths.iter().find(|path| {
            let mut item = doc.as_item();
            for key in path.iter() {
                match item.get(key) {
                    Some(i) => item = i,
                    None => return false,
                }
            }
            item.is_str()
        })?;
        let mut item = doc.as_item_mut();
        for key in path.iter() {
            item = item.get_mut(key)?;
        }
        Some(item)
    }
}

/// The `[[package]]` of a lock file for the local package `name` (local ones have no `source`).
fn lock_entry<'a>(doc: &'a toml_edit::DocumentMut, name: &str) -> Option<&'a toml_edit::Table> {
    doc.get("package")?
        .as_array_of_tables()?
        .iter()
        .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(name) && !t.contains_key("source"))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `out` (a rewrite of `original`) with CRLF line endings where `original` has them throughout:
/// toml_edit writes every line break it emits as LF.
fn keep_line_endings(original: &str, out: String) -> String {
    let crlf = original.matches("\r\n").count();
    if crlf == 0 || crlf != original.matches('\n').count() {
        return out;
    }
    out.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// The byte range of the first top-level `"version"` string value in a JSON object (inside the
/// quotes), and where each top-level `"version"` key starts.
fn json_version_span(text: &str) -> (Option<(usize, usize)>, Vec<usize>) {
    let b = text.as_bytes();
    let (mut i, mut depth, mut in_value) = (0usize, 0usize, false);
    let mut key_is_version = false;
    let (mut span, mut keys) = (None, Vec::new());
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 {
                    if in_value {
                        if key_is_version && span.is_none() {
                            span = Some((start, j.min(b.len())));
                        }
                    } else {
                        key_is_version = &b[start..j.min(b.len())] == b"version";
                        if key_is_version {
                            keys.push(i);
                        }
                    }
                }
                i = j + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b':' if depth == 1 => in_value = true,
            b',' if depth == 1 => {
                in_value = false;
                key_is_version = false;
            }
            _ => {}
        }
        i += 1;
    }
    (span, keys)
}

/// VERSION and BUILD_NUMBER as read from the root.
#[derive(Debug, Clone)]
pub struct State {
    pub version: Version,
    /// `None` when the repository has no BUILD_NUMBER.
    pub build: Option<u64>,
}

pub fn read_state(root: &Path) -> Result<State> {
    let vpath = root.join(VERSION_FILE);
    let text = crate::fs::read_optional(&vpath)?.ok_or(Error::MissingVersion {
        path: PathBuf::from(VERSION_FILE),
    })?;
    let version = parse_version(&text, Path::new(VERSION_FILE))?;
    let build = read_build(root)?;
    Ok(State { version, build })
}

pub fn read_build(root: &Path) -> Result<Option<u64>> {
    crate::fs::read_optional(&root.join(BUILD_FILE))?
        .map(|t| parse_build(&t, Path::new(BUILD_FILE)))
        .transpose()
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    pub path: String,
    pub version: Option<String>,
    /// Nothing to fix: it carries VERSION, or a placeholder left alone by design.
    pub in_sync: bool,
    /// Its version is one of `[version] placeholders` (`0.0.0-development`): not synced.
    pub placeholder: bool,
}

impl SourceStatus {
    /// Its state as `version status` shows it.
    pub fn word(&self) -> &'static str {
        match (self.placeholder, self.in_sync) {
            (true, _) => "placeholder: not synced, by design",
            (false, true) => "in sync",
            (false, false) => "OUT OF SYNC",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub version: String,
    pub build_number: u64,
    pub development_format: String,
    pub display_format: String,
    pub release_format: String,
    pub sources: Vec<SourceStatus>,
}

impl Status {
    pub fn in_sync(&self) -> bool {
        self.sources.iter().all(|s| s.in_sync)
    }
}

pub fn status(root: &Path, cfg: &VersionConfig) -> Result<Status> {
    let state = read_state(root)?;
    let build = state.build.unwrap_or(0);
    let f = formats(&state.version, build);
    let want = state.version.to_string();
    let mut out = Vec::new();
    for source in sources(root, cfg, Path::new(crate::config::FILE_NAME))? {
        let text = crate::fs::read_to_string(&source.path)?;
        let version = source.read(&text)?;
        let placeholder = is_placeholder(cfg, version.as_deref());
        out.push(SourceStatus {
            path: source.rel.clone(),
            in_sync: placeholder || version.as_deref() == Some(want.as_str()),
            placeholder,
            version,
        });
    }
    Ok(Status {
        version: want,
        build_number: build,
        development_format: f.development,
        display_format: f.display,
        release_format: f.release,
        sources: out,
    })
}

/// A source version that `[version] placeholders` lists (`0.0.0-development`): left alone.
pub fn is_placeholder(cfg: &VersionConfig, version: Option<&str>) -> bool {
    version.is_some_and(|v| cfg.placeholders.iter().any(|p| p == v.trim()))
}

/// Where `init` starts VERSION: the latest version tag; else the version the sources carry,
/// when they all agree (placeholders aside); else 0.1.0. With the reason, for the user.
pub fn initial_version(root: &Path, cfg: &VersionConfig, tag: Option<(&str, &Version)>) -> Result<(Version, String)> {
    if let Some((name, v)) = tag {
        return Ok((without_build(v), format!("from the latest version tag {name}")));
    }
    let mut found: Vec<(String, String)> = Vec::new();
    for source in sources(root, cfg, Path::new(crate::config::FILE_NAME))? {
        let text = crate::fs::read_to_string(&source.path)?;
        if let Some(v) = source.read(&text)?
            && !is_placeholder(cfg, Some(&v))
            && !matches!(source.kind, SourceKind::CargoLock(_))
        {
            found.push((source.rel.clone(), v.trim().to_string()));
        }
    }
    let default = Version::new(0, 1, 0);
    let Some((_, first)) = found.first() else {
        return Ok((default, "no version tag and no version source: the default".into()));
    };
    let names = || {
        found
            .iter()
            .map(|(rel, v)| format!("{rel} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if found.iter().any(|(_, v)| v != first) {
        return Ok((
            default,
            format!("no version tag, and the sources disagree ({}): the default", names()),
        ));
    }
    match Version::parse(first) {
        Ok(v) if v.build.is_empty() => Ok((v, format!("from {}", names()))),
        _ => Ok((
            default,
            format!("no version tag, and {} is not a semantic version: the default", names()),
        )),
    }
}

/// One file a command would change.
#[derive(Debug, Clone)]
pub struct Change {
    pub rel: String,
    pub path: PathBuf,
    pub old: Option<String>,
    pub new: String,
    /// The values shown as `path: old -> new`.
    pub old_value: Option<String>,
    pub new_value: String,
}

impl Change {
    /// A unified diff of the change, for `--dry-run`.
    pub fn diff(&self) -> String {
        let old = self.old.as_deref().unwrap_or("");
        let from = match self.old {
            Some(_) => format!("a/{}", self.rel),
            None => "/dev/null".to_string(),
        };
        similar::TextDiff::from_lines(old, &self.new)
            .unified_diff()
            .header(&from, &format!("b/{}", self.rel))
            .to_string()
    }
}

/// What a version command will write; computed in full before anything is written.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    fn push(
        &mut self,
        rel: &str,
        path: PathBuf,
        old: Option<String>,
        new: String,
        old_value: Option<String>,
        new_value: String,
    ) {
        if old.as_deref() != Some(new.as_str()) {
            self.changes.push(Change {
                rel: rel.to_string(),
                path,
                old,
                new,
                old_value,
                new_value,
            });
        }
    }
}

/// Plans writing `new` to VERSION (resetting BUILD_NUMBER to 1 when the version changes, or
/// creating it when `create` and it is missing) and syncing every source.
pub fn plan_set(root: &Path, cfg: &VersionConfig, new: &Version, create: bool) -> Result<Plan> {
    let vpath = root.join(VERSION_FILE);
    let old_text = crate::fs::read_optional(&vpath)?;
    let old = match &old_text {
        Some(t) => Some(parse_version(t, Path::new(VERSION_FILE))?),
        None if create => None,
        None => {
            return Err(Error::MissingVersion {
                path: PathBuf::from(VERSION_FILE),
            });
        }
    };
    let bpath = root.join(BUILD_FILE);
    let old_build_text = crate::fs::read_optional(&bpath)?;
    let old_build = old_build_text
        .as_deref()
        .map(|t| parse_build(t, Path::new(BUILD_FILE)))
        .transpose()?;
    let mut plan = Plan::default();
    plan.push(
        VERSION_FILE,
        vpath,
        old_text,
        format!("{new}\n"),
        old.as_ref().map(|v| v.to_string()),
        new.to_string(),
    );
    let changed = old.as_ref() != Some(new);
    if (changed && old_build.is_some()) || old_build_text.is_none() {
        plan.push(
            BUILD_FILE,
            bpath,
            old_build_text,
            "1\n".into(),
            old_build.map(|b| b.to_string()),
            "1".into(),
        );
    }
    plan_sources(root, cfg, new, &mut plan)?;
    Ok(plan)
}

/// Plans rewriting every source from `version`.
pub fn plan_sources(root: &Path, cfg: &VersionConfig, version: &Version, plan: &mut Plan) -> Result<()> {
    let new = version.to_string();
    for source in sources(root, cfg, Path::new(crate::config::FILE_NAME))? {
        let text = crate::fs::read_to_string(&source.path)?;
        let old_value = source.read(&text)?;
        if is_placeholder(cfg, old_value.as_deref()) && new != old_value.as_deref().unwrap_or_default() {
            continue;
        }
        let updated = source.write(&text, &new)?;
        plan.push(
            &source.rel,
            source.path.clone(),
            Some(text),
            updated,
            old_value,
            new.clone(),
        );
    }
    Ok(())
}

pub fn plan_bump(root: &Path, cfg: &VersionConfig, level: Level) -> Result<(Version, Plan)> {
    plan_bump_pre(root, cfg, level, None)
}

/// [`plan_bump`], to the pre-release `pre` of the bump when given ([`bump_pre`]).
pub fn plan_bump_pre(root: &Path, cfg: &VersionConfig, level: Level, pre: Option<&str>) -> Result<(Version, Plan)> {
    let state = read_state(root)?;
    let next = match pre {
        Some(name) => bump_pre(&state.version, level, name),
        None => bump(&state.version, level),
    };
    if next <= state.version {
        return Err(Error::Usage {
            message: format!(
                "{next} would come before VERSION {}: a pre-release name sorts after the one it follows (alpha, beta, rc)",
                state.version
            ),
        });
    }
    let mut plan = plan_set(root, cfg, &next, false)?;
    // A bump always restarts the build count, even when the version string is unchanged.
    if state.build.is_some_and(|b| b != 1) && !plan.changes.iter().any(|c| c.rel == BUILD_FILE) {
        let bpath = root.join(BUILD_FILE);
        let old = crate::fs::read_optional(&bpath)?;
        plan.push(
            BUILD_FILE,
            bpath,
            old,
            "1\n".into(),
            state.build.map(|b| b.to_string()),
            "1".into(),
        );
    }
    Ok((next, plan))
}

pub fn plan_increment_build(root: &Path) -> Result<Plan> {
    read_state(root)?;
    let bpath = root.join(BUILD_FILE);
    let old_text = crate::fs::read_optional(&bpath)?;
    let old = match &old_text {
        Some(t) => parse_build(t, Path::new(BUILD_FILE))?,
        None => 0,
    };
    let new = old.checked_add(1).ok_or_else(|| Error::BadBuildNumber {
        path: PathBuf::from(BUILD_FILE),
        reason: format!("{old} cannot be incremented: it is the largest build number"),
    })?;
    let mut plan = Plan::default();
    plan.push(
        BUILD_FILE,
        bpath,
        old_text.clone(),
        format!("{new}\n"),
        old_text.map(|_| old.to_string()),
        new.to_string(),
    );
    Ok(plan)
}

pub fn plan_rebuild(root: &Path, cfg: &VersionConfig) -> Result<Plan> {
    let state = read_state(root)?;
    let mut plan = Plan::default();
    plan_sources(root, cfg, &state.version, &mut plan)?;
    Ok(plan)
}

/// Writes every change atomically. When one write fails, the ones already made are put back.
pub fn apply(plan: &Plan, scratch: Option<&Path>) -> Result<()> {
    for (i, change) in plan.changes.iter().enumerate() {
        if let Err(e) = crate::fs::write_atomic(&change.path, change.new.as_bytes(), scratch) {
            let _ = revert(&plan.changes[..i], scratch);
            return Err(e);
        }
    }
    Ok(())
}

/// Puts back what `changes` replaced (and removes the files they created), last first. Goes on
/// past a failure, and returns the first one.
pub fn revert(changes: &[Change], scratch: Option<&Path>) -> Result<()> {
    let mut first = Ok(());
    for done in changes.iter().rev() {
        let result = match &done.old {
            Some(old) => crate::fs::write_atomic(&done.path, old.as_bytes(), scratch),
            None => match std::fs::remove_file(&done.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Write {
                    path: done.path.clone(),
                    source: e,
                }),
                _ => Ok(()),
            },
        };
        if first.is_ok() {
            first = result;
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn formats_of_a_release_and_a_prerelease() {
        let f = formats(&v("4.2.2"), 332);
        assert_eq!(f.development, "4.2.2+build.332");
        assert_eq!(f.display, "v4.2.2-build.332");
        assert_eq!(f.release, "4.2.2");
        let f = formats(&v("6.0.0-rc.1"), 3);
        assert_eq!(f.development, "6.0.0rc1+build.3");
        assert_eq!(f.display, "v6.0.0-rc.1-build.3");
        assert_eq!(f.release, "6.0.0-rc.1");
    }

    #[test]
    fn bumps_follow_npm() {
        assert_eq!(bump(&v("4.2.2"), Level::Patch), v("4.2.3"));
        assert_eq!(bump(&v("4.2.2"), Level::Minor), v("4.3.0"));
        assert_eq!(bump(&v("4.2.2"), Level::Major), v("5.0.0"));
        assert_eq!(bump(&v("1.2.3-rc.1"), Level::Patch), v("1.2.3"));
        assert_eq!(bump(&v("1.3.0-rc.1"), Level::Minor), v("1.3.0"));
        assert_eq!(bump(&v("1.3.1-rc.1"), Level::Minor), v("1.4.0"));
        assert_eq!(bump(&v("2.0.0-rc.1"), Level::Major), v("2.0.0"));
        assert_eq!(bump(&v("2.1.0-rc.1"), Level::Major), v("3.0.0"));
    }

    #[test]
    fn pre_releases_count_up_then_move_on() {
        assert_eq!(bump_pre(&v("1.2.0"), Level::Minor, "rc"), v("1.3.0-rc.0"));
        assert_eq!(bump_pre(&v("1.3.0-rc.0"), Level::Minor, "rc"), v("1.3.0-rc.1"));
        assert_eq!(bump_pre(&v("1.3.0-rc.1"), Level::Patch, "rc"), v("1.3.0-rc.2"));
        assert_eq!(bump_pre(&v("1.3.0-beta.4"), Level::Minor, "rc"), v("1.3.0-rc.0"));
        assert_eq!(bump_pre(&v("1.3.0-rc"), Level::Minor, "rc"), v("1.3.0-rc.0"));
        assert_eq!(bump_pre(&v("1.3.0-rc.1"), Level::Major, "rc"), v("2.0.0-rc.0"));
        assert_eq!(bump_pre(&v("1.2.1-rc.0"), Level::Minor, "rc"), v("1.3.0-rc.0"));
        assert_eq!(bump(&v("1.3.0-rc.1"), Level::Minor), v("1.3.0"));
        for bad in ["", "1", "r.c", "rc 1", "é"] {
            assert!(parse_pre_name(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_pre_name("rc-x1").unwrap(), "rc-x1");
    }

    #[test]
    fn version_file_tolerance_and_refusals() {
        let p = Path::new("VERSION");
        assert_eq!(parse_version("\u{feff} 4.2.2\r\n", p).unwrap(), v("4.2.2"));
        assert_eq!(parse_version("6.0.0-rc.1\n", p).unwrap(), v("6.0.0-rc.1"));
        for bad in ["", "4.2", "v4.2.2", "4.2.2+meta", "banana", "1.2.3\n4.5.6"] {
            let e = parse_version(bad, p).unwrap_err().to_string();
            assert!(e.starts_with("VERSION: "), "{bad}: {e}");
        }
    }

    #[test]
    fn build_number_parsing() {
        let p = Path::new("BUILD_NUMBER");
        assert_eq!(parse_build("\u{feff}332\r\n", p).unwrap(), 332);
        assert_eq!(parse_build("18446744073709551615", p).unwrap(), u64::MAX);
        for bad in ["abc", "-1", "", "1.5", "18446744073709551616"] {
            assert!(parse_build(bad, p).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_span_finds_only_the_top_level_version() {
        let text = r#"{"name": "x", "dependencies": {"version": "9.9.9"}, "version" : "1.2.3", "a": [1]}"#;
        let (a, b) = json_version_span(text).0.unwrap();
        assert_eq!(&text[a..b], "1.2.3");
        assert_eq!(json_version_span(text).1.len(), 1);
        assert_eq!(json_version_span(r#"{"name": "x"}"#), (None, vec![]));
        assert_eq!(
            json_version_span(r#"{"v": "version", "x": {"version": "1"}}"#),
            (None, vec![])
        );
        let twice = "{\n  \"version\": \"1.0.0\",\n  \"version\": \"2.0.0\"\n}\n";
        assert_eq!(json_version_span(twice).1.len(), 2);
    }

    #[test]
    fn cargo_toml_keeps_formatting() {
        let s = Source {
            rel: "Cargo.toml".into(),
            path: PathBuf::new(),
            kind: SourceKind::Cargo,
        };
        let text = "[package]\nname = \"x\"\nversion   = \"0.1.0\"  # the version\nedition = \"2024\"\n\n[dependencies]\nfoo = { version = \"1\" }\n";
        assert_eq!(s.read(text).unwrap().as_deref(), Some("0.1.0"));
        let out = s.write(text, "0.2.0").unwrap();
        assert_eq!(out, text.replace("\"0.1.0\"", "\"0.2.0\""));
        let ws = "[package]\nname = \"x\"\nversion.workspace = true\n";
        assert_eq!(s.read(ws).unwrap(), None);
    }

    #[test]
    fn pep440_spellings() {
        assert_eq!(pep440(&v("1.0.0-alpha")), "1.0.0a0");
        assert_eq!(pep440(&v("1.0.0-beta.2")), "1.0.0b2");
        assert_eq!(pep440(&v("1.0.0-rc1")), "1.0.0rc1");
        assert_eq!(pep440(&v("1.0.0-foo.bar")), "1.0.0-foo.bar");
    }
}
