//! `.mpm-hooks.toml`: serde structs with defaults, `[environments.<name>]` overlays, errors that
//! name the file, the line and the closest known key. Read once at the start and passed down.
//! This is also the one place environment variables are read ([`Env`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const FILE_NAME: &str = ".mpm-hooks.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub log: LogConfig,
    pub version: VersionConfig,
    pub commit_msg: CommitMsgConfig,
    pub build: BuildConfig,
    pub secrets: SecretsConfig,
    /// Configured commands (linters, formatters, tests), run on staged or tracked files.
    pub check: Vec<Check>,
    pub checks: ChecksConfig,
    pub changelog: ChangelogConfig,
    /// Overlays chosen by MPM_HOOKS_ENV; each may set any top-level key.
    #[serde(skip_serializing)]
    pub environments: BTreeMap<String, Config>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    #[default]
    Warn,
    Info,
    Debug,
}

impl std::str::FromStr for LogLevel {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(LogLevel::Error),
            "warn" | "warning" => Ok(LogLevel::Warn),
            "info" => Ok(LogLevel::Info),
            "debug" => Ok(LogLevel::Debug),
            _ => Err(()),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub level: LogLevel,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct VersionConfig {
    /// Extra version sources beside Cargo.toml, pyproject.toml and package.json.
    pub files: Vec<VersionFile>,
    pub tag_prefix: String,
    /// Below 1.0.0 a breaking change bumps minor and a feat bumps patch.
    pub major_version_zero: bool,
}

impl Default for VersionConfig {
    fn default() -> Self {
        VersionConfig {
            files: Vec::new(),
            tag_prefix: "v".into(),
            major_version_zero: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VersionFile {
    pub path: String,
    /// A regex with a named group `version`.
    pub pattern: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warn,
    Off,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CommitMsgConfig {
    /// Allowed types, each with the bump it implies.
    pub types: BTreeMap<String, Bump>,
    /// Allowed scopes; empty allows any.
    pub scopes: Vec<String>,
    pub scope_required: bool,
    pub header_max_length: usize,
    pub body_max_line_length: usize,
    pub footer_max_line_length: usize,
    /// Cases the subject may not be in: sentence-case, start-case, pascal-case, upper-case,
    /// lower-case, camel-case, kebab-case, snake-case.
    pub subject_case_never: Vec<String>,
    /// Extra regexes; a message whose first line matches one is accepted as it is.
    pub ignore: Vec<String>,
    /// Severity per rule name (commitlint's rule names), overriding the defaults.
    pub severity: BTreeMap<String, Severity>,
}

impl Default for CommitMsgConfig {
    fn default() -> Self {
        let types = [
            ("build", Bump::None),
            ("chore", Bump::None),
            ("ci", Bump::None),
            ("docs", Bump::None),
            ("feat", Bump::Minor),
            ("fix", Bump::Patch),
            ("perf", Bump::Patch),
            ("refactor", Bump::None),
            ("revert", Bump::None),
            ("style", Bump::None),
            ("test", Bump::None),
        ];
        CommitMsgConfig {
            types: types.into_iter().map(|(t, b)| (t.to_string(), b)).collect(),
            scopes: Vec::new(),
            scope_required: false,
            header_max_length: 100,
            body_max_line_length: 100,
            footer_max_line_length: 100,
            subject_case_never: ["sentence-case", "start-case", "pascal-case", "upper-case"]
                .map(String::from)
                .to_vec(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BuildConfig {
    pub min_changed_lines: u64,
    pub exclude: Vec<String>,
    pub include: Vec<String>,
    pub binary_weight: u64,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            min_changed_lines: 10,
            exclude: [
                "*.md",
                "*.rst",
                "*.txt",
                "*.adoc",
                "docs/**",
                "LICENSE*",
                "CHANGELOG*",
                "VERSION",
                "BUILD_NUMBER",
                "Cargo.lock",
                "package-lock.json",
                "poetry.lock",
                "yarn.lock",
                "pnpm-lock.yaml",
                "uv.lock",
            ]
            .map(String::from)
            .to_vec(),
            include: Vec::new(),
            binary_weight: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SecretsConfig {
    /// gitignore-style globs of paths never scanned.
    pub allow_paths: Vec<String>,
    /// Regexes; a found value that matches one is not reported.
    pub allow_values: Vec<String>,
    /// Built-in rule ids to turn off.
    pub disable: Vec<String>,
    /// Larger files are skipped (and reported as skipped).
    pub max_file_size: u64,
    /// Custom rules, with the same fields as the built-in ones.
    pub rule: Vec<SecretRule>,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            allow_paths: Vec::new(),
            allow_values: Vec::new(),
            disable: Vec::new(),
            max_file_size: 2 * 1024 * 1024,
            rule: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretRule {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// Literals, one of which must occur for the rule to run (case-insensitive); empty: always.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The secret is the first capture group, or the whole match.
    pub regex: String,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub allow_values: Vec<String>,
    #[serde(default)]
    pub allow_paths: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub name: String,
    /// One command line, split as a shell would (quotes respected), run without a shell.
    /// `{files}` stands for the matching files, each one argument.
    pub run: String,
    /// The auto-fix variant, if the tool has one.
    #[serde(default)]
    pub fix: Option<String>,
    /// gitignore-style globs over repository paths; empty: every file.
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default = "default_tiers")]
    pub tiers: Vec<Tier>,
    /// false: run once with no file arguments.
    #[serde(default = "yes")]
    pub pass_filenames: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    PreCommit,
    Quality,
    Release,
}

fn default_tiers() -> Vec<Tier> {
    vec![Tier::PreCommit, Tier::Quality]
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ChecksConfig {
    /// How many checks run at once; 0: one per core.
    pub jobs: usize,
    /// Run a failing check's `fix`, re-stage what it changed, and check again.
    pub autofix: bool,
}

impl Default for ChecksConfig {
    fn default() -> Self {
        ChecksConfig { jobs: 0, autofix: true }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ChangelogConfig {
    /// The file `changelog --write` and `release` prepend to, relative to the repository's top.
    pub file: String,
    /// The commit types shown, in order, each under its title. Breaking changes always come
    /// first, whatever their type.
    pub sections: Vec<ChangelogSection>,
    /// List commits that are not conventional under "Other" (else leave them out).
    pub include_other: bool,
}

impl Default for ChangelogConfig {
    fn default() -> Self {
        let sections = [
            ("feat", "Features"),
            ("fix", "Bug fixes"),
            ("perf", "Performance"),
            ("revert", "Reverts"),
        ];
        ChangelogConfig {
            file: "CHANGELOG.md".into(),
            sections: sections
                .into_iter()
                .map(|(kind, title)| ChangelogSection {
                    kind: kind.into(),
                    title: title.into(),
                })
                .collect(),
            include_other: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChangelogSection {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
}

/// The loaded configuration, with where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// The file read, or `None` for the embedded default.
    pub path: Option<PathBuf>,
    pub environment: String,
}

/// Loads `<root>/.mpm-hooks.toml` (or the embedded default) and applies the environment overlay.
pub fn load(root: &Path, env: &Env) -> Result<Loaded> {
    let path = root.join(FILE_NAME);
    let environment = env.environment.clone();
    match crate::fs::read_optional(&path)? {
        None => Ok(Loaded {
            config: Config::default(),
            path: None,
            environment,
        }),
        Some(text) => Ok(Loaded {
            config: parse(&text, Path::new(FILE_NAME), &environment)?,
            path: Some(path),
            environment,
        }),
    }
}

/// Parses and validates `text`, then applies `[environments.<environment>]`.
pub fn parse(text: &str, origin: &Path, environment: &str) -> Result<Config> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let config: Config = toml::from_str(text).map_err(|e| describe(text, origin, &e))?;
    let cerr = |message: String| Error::Config {
        path: origin.to_path_buf(),
        line: None,
        message,
    };
    for (name, overlay) in &config.environments {
        if !overlay.environments.is_empty() {
            return Err(cerr(format!("[environments.{name}] cannot itself hold environments")));
        }
    }
    for file in config.version.files.iter() {
        let re = regex::Regex::new(&file.pattern).map_err(|e| {
            cerr(format!(
                "[version] files: pattern for `{}` is not a valid regex: {e}",
                file.path
            ))
        })?;
        if !re.capture_names().any(|n| n == Some("version")) {
            return Err(cerr(format!(
                "[version] files: pattern for `{}` needs a named group (?P<version>...)",
                file.path
            )));
        }
    }
    for pattern in config
        .secrets
        .allow_values
        .iter()
        .chain(config.secrets.rule.iter().flat_map(|r| &r.allow_values))
    {
        regex::Regex::new(pattern)
            .map_err(|e| cerr(format!("[secrets] allow_values: `{pattern}` is not a valid regex: {e}")))?;
    }
    for rule in &config.secrets.rule {
        regex::bytes::Regex::new(&rule.regex)
            .map_err(|e| cerr(format!("[[secrets.rule]] `{}`: regex does not compile: {e}", rule.id)))?;
    }
    let known = crate::secrets::builtin_ids();
    for id in &config.secrets.disable {
        if !known.contains(&id.as_str()) {
            let hint = closest(id, &known)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(cerr(format!("[secrets] disable: no built-in rule `{id}`{hint}")));
        }
    }
    let mut names = std::collections::HashSet::new();
    for check in &config.check {
        if !names.insert(check.name.as_str()) {
            return Err(cerr(format!(
                "[[check]] `{}` is defined twice; give each check its own name",
                check.name
            )));
        }
        for (key, line) in [("run", Some(&check.run)), ("fix", check.fix.as_ref())] {
            if let Some(line) = line
                && shlex::split(line).is_none_or(|argv| argv.is_empty())
            {
                return Err(cerr(format!(
                    "[[check]] `{}`: {key} = {line:?} is not a command line (empty, or an unclosed quote)",
                    check.name
                )));
            }
        }
    }
    for pattern in &config.commit_msg.ignore {
        regex::Regex::new(pattern)
            .map_err(|e| cerr(format!("[commit_msg] ignore: `{pattern}` is not a valid regex: {e}")))?;
    }
    let types: Vec<&str> = config.commit_msg.types.keys().map(String::as_str).collect();
    // Only sections the file sets: the default ones stay valid when [commit_msg] types shrinks.
    let own_sections = config.changelog.sections != ChangelogConfig::default().sections;
    for section in config.changelog.sections.iter().filter(|_| own_sections) {
        if !types.contains(&section.kind.as_str()) {
            let hint = closest(&section.kind, &types)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_else(|| format!("; add it to [commit_msg] types or use one of: {}", types.join(", ")));
            return Err(cerr(format!(
                "[changelog] sections: `{}` is not a commit type{hint}",
                section.kind
            )));
        }
    }
    if config.changelog.file.trim().is_empty() {
        return Err(cerr(
            "[changelog] file is empty; name a file such as CHANGELOG.md".into(),
        ));
    }
    if !config.environments.contains_key(environment) {
        return Ok(config);
    }
    // Overlay: deep-merge the environment's table over the top level, then read it again. Both
    // halves were validated above, so the merge of two valid tables is valid too.
    let mut base: toml::Table = toml::from_str(text).map_err(|e| describe(text, origin, &e))?;
    let overlay = base
        .remove("environments")
        .and_then(|envs| envs.as_table().and_then(|t| t.get(environment).cloned()));
    if let Some(toml::Value::Table(overlay)) = overlay {
        merge(&mut base, overlay);
    }
    toml::Value::Table(base)
        .try_into::<Config>()
        .map_err(|e| cerr(format!("[environments.{environment}]: {}", e.message())))
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// Turns a toml/serde error into one line: the key, the line, and the closest known key.
fn describe(text: &str, origin: &Path, e: &toml::de::Error) -> Error {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let msg = e.message().trim();
    let message = if let Some(caps) = unknown_field_re().captures(msg) {
        let unknown = &caps[1];
        let expected: Vec<&str> = caps
            .get(2)
            .map(|m| m.as_str().split(", ").map(|s| s.trim_matches('`')).collect())
            .unwrap_or_default();
        let suggestion = closest(unknown, &expected)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_else(|| {
                if expected.is_empty() {
                    String::new()
                } else {
                    format!("; known keys: {}", expected.join(", "))
                }
            });
        format!("unknown key `{unknown}`{suggestion}")
    } else if msg.starts_with("invalid type") || msg.starts_with("unknown variant") || msg.starts_with("invalid value")
    {
        let key = line
            .and_then(|l| text.lines().nth(l - 1))
            .and_then(|l| l.split_once('=').map(|(k, _)| k.trim().trim_matches('"').to_string()));
        match key {
            Some(key) => format!("wrong value for `{key}`: {msg}"),
            None => msg.to_string(),
        }
    } else {
        msg.to_string()
    };
    Error::Config {
        path: origin.to_path_buf(),
        line,
        message,
    }
}

fn unknown_field_re() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"unknown field `([^`]*)`(?:, expected (?:one of )?(.*))?").expect("valid regex")
    })
}

/// The known name nearest to `word`, if it is near enough to be a likely typo.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3) && *d < k.len().max(word.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The environment variables the tool reads, read once.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// MPM_HOOKS_ENV, default `development`.
    pub environment: String,
    /// MPM_HOOKS_LOG_LEVEL.
    pub log_level: Option<LogLevel>,
    /// MPM_HOOKS=0 disables every stage.
    pub disabled: bool,
    /// SKIP=name[,name]: stages, steps or checks to skip.
    pub skip: Vec<String>,
    /// Set while a chained user hook runs, so a hook that calls back into us does not recurse.
    pub in_hook: bool,
    /// `-q` (set by the CLI).
    pub quiet: bool,
    /// `-v` or MPM_HOOKS_VERBOSE=1: a hook stage lists every step even when all passed.
    pub verbose: bool,
    /// GIT_INDEX_FILE is set: git runs us from a commit (it sets it for the commit hooks).
    pub in_commit: bool,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Env {
            environment: var("MPM_HOOKS_ENV").unwrap_or_else(|| "development".into()),
            log_level: var("MPM_HOOKS_LOG_LEVEL").and_then(|v| v.parse().ok()),
            disabled: matches!(
                var("MPM_HOOKS").as_deref().map(str::trim),
                Some("0" | "false" | "no" | "off")
            ),
            skip: var("SKIP")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            in_hook: var(IN_HOOK_VAR).is_some(),
            quiet: false,
            verbose: var("MPM_HOOKS_VERBOSE").is_some_and(|v| !matches!(v.trim(), "0" | "false" | "no" | "off")),
            in_commit: var("GIT_INDEX_FILE").is_some(),
        }
    }

    pub fn skips(&self, name: &str) -> bool {
        self.skip.iter().any(|s| s == name)
    }
}

pub const IN_HOOK_VAR: &str = "MPM_HOOKS_RUNNING";

/// The commented starter file that `mpm-hooks init` writes.
pub const STARTER: &str = r#"# mpm-hooks configuration. Every key is optional: what is left out keeps its default.
# Check it with `mpm-hooks config check`; see the effective values with `mpm-hooks config show`.

[log]
# level = "warn"          # error, warn, info, debug (MPM_HOOKS_LOG_LEVEL overrides)
# format = "text"         # text or json

[version]
# tag_prefix = "v"
# major_version_zero = true   # below 1.0.0: breaking -> minor, feat -> patch
# files = [{ path = "src/pkg/_version.py", pattern = '__version__ = "(?P<version>[^"]+)"' }]

[commit_msg]
# scopes = []             # allowed scopes; empty allows any
# scope_required = false
# header_max_length = 100
# ignore = []             # regexes for messages to accept as they are
# [commit_msg.severity]
# "subject-case" = "warn"

[secrets]
# allow_paths = ["tests/fixtures/**"]   # never scanned
# allow_values = ['^sk_test_']          # found values matching these are not reported
# disable = ["generic-secret-assignment"]
# [[secrets.rule]]
# id = "acme-token"
# keywords = ["acme_"]
# regex = '\b(acme_[a-z0-9]{32})\b'

[build]
# min_changed_lines = 10  # BUILD_NUMBER moves when a commit changes at least this many lines of code
# binary_weight = 10
# exclude = ["*.md", "docs/**"]

# Checks run on the staged files before each commit (tier pre-commit), by `mpm-hooks check`
# (tier quality) and `mpm-hooks check --release` (tier release):
# [[check]]
# name = "black"
# run = "black --check {files}"   # split like a shell would, run without one
# fix = "black {files}"           # optional: the auto-fix variant
# files = ["*.py"]
# exclude = ["migrations/**"]
# tiers = ["pre-commit", "quality"]
# pass_filenames = true           # false: run once with no file arguments
#
# [checks]
# jobs = 0                        # 0: one per core
# autofix = true

[changelog]
# file = "CHANGELOG.md"
# include_other = true    # list commits that are not conventional under "Other"
# sections = [            # the types shown, in order (breaking changes always come first)
#   { type = "feat", title = "Features" },
#   { type = "fix", title = "Bug fixes" },
#   { type = "perf", title = "Performance" },
#   { type = "revert", title = "Reverts" },
# ]

# Per-environment overrides, chosen by MPM_HOOKS_ENV (default: development):
# [environments.production]
# log = { format = "json", level = "info" }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text, Path::new(FILE_NAME), "development")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let e = err("[log]\nlevel = \"info\"\n\n[bulid]\nmin_changed_lines = 3\n");
        assert_eq!(e, ".mpm-hooks.toml line 4: unknown key `bulid`; did you mean `build`?");
        let e = err("[build]\nmin_chnaged_lines = 3\n");
        assert_eq!(
            e,
            ".mpm-hooks.toml line 2: unknown key `min_chnaged_lines`; did you mean `min_changed_lines`?"
        );
    }

    #[test]
    fn wrong_type_names_key() {
        let e = err("[build]\nmin_changed_lines = \"ten\"\n");
        assert!(
            e.starts_with(".mpm-hooks.toml line 2: wrong value for `min_changed_lines`"),
            "{e}"
        );
    }

    #[test]
    fn environment_overlay_applies() {
        let text =
            "[log]\nlevel = \"warn\"\n[environments.production]\nlog = { format = \"json\", level = \"info\" }\n";
        let dev = parse(text, Path::new(FILE_NAME), "development").unwrap();
        assert_eq!(dev.log.format, LogFormat::Text);
        let prod = parse(text, Path::new(FILE_NAME), "production").unwrap();
        assert_eq!(prod.log.format, LogFormat::Json);
        assert_eq!(prod.log.level, LogLevel::Info);
        // Untouched sections keep their values.
        assert_eq!(prod.build.min_changed_lines, 10);
    }

    #[test]
    fn unknown_key_inside_environment_is_an_error() {
        let e = err("[environments.staging]\nlgo = {}\n");
        assert!(e.contains("unknown key `lgo`; did you mean `log`?"), "{e}");
    }

    #[test]
    fn starter_is_valid_and_default() {
        assert_eq!(
            parse(STARTER, Path::new(FILE_NAME), "development").unwrap(),
            Config::default()
        );
    }

    #[test]
    fn closest_suggests_near_names_only() {
        assert_eq!(closest("chek", &["check", "log"]), Some("check"));
        assert_eq!(closest("zzzzzz", &["check", "log"]), None);
    }
}
