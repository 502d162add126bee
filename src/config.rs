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
    pub hooks: HooksConfig,
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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub level: LogLevel,
    pub format: LogFormat,
    /// The log's size cap in bytes: past it the writer rotates it (two earlier files kept,
    /// `.1` and `.2`); 0 never rotates. The audit trail is never rotated.
    pub max_size: u64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: LogLevel::default(),
            format: LogFormat::default(),
            max_size: 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct VersionConfig {
    /// Extra version sources beside Cargo.toml, pyproject.toml and package.json.
    pub files: Vec<VersionFile>,
    pub tag_prefix: String,
    /// Below 1.0.0 a breaking change bumps minor and a feat bumps patch.
    pub major_version_zero: bool,
    /// Which rules decide the bump of each commit: this project's (`[commit_msg] types`) or
    /// semantic-release's default release rules.
    pub bump_rules: BumpRulesPreset,
    /// The bump of a type, over the preset: `revert = "patch"`. `revert` also covers git's own
    /// `Revert "..."` commits.
    pub bumps: BTreeMap<String, Bump>,
    /// Version sources whose version is a placeholder left alone (such as package.json's
    /// `0.0.0-development` under semantic-release): reported, never synced or failed on.
    pub placeholders: Vec<String>,
}

impl Default for VersionConfig {
    fn default() -> Self {
        VersionConfig {
            files: Vec::new(),
            tag_prefix: "v".into(),
            major_version_zero: true,
            bump_rules: BumpRulesPreset::Default,
            bumps: BTreeMap::new(),
            placeholders: ["0.0.0-development", "0.0.0-semantic-release", "0.0.0"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// The presets of `[version] bump_rules`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BumpRulesPreset {
    /// The bump each type has in `[commit_msg] types` (feat minor, fix and perf patch).
    #[default]
    Default,
    /// @semantic-release/commit-analyzer's default release rules
    /// (lib/default-release-rules.js) for Conventional Commits: breaking major, feat and
    /// improvement minor, fix, perf and a revert (as its parser reads one) patch.
    SemanticRelease,
}

/// The bump of each commit, resolved from `[version] bump_rules`, `[version] bumps` and
/// `[commit_msg] types`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BumpRules {
    /// Per type, lowercase.
    pub types: BTreeMap<String, Bump>,
    /// The bump of a revert that git wrote (`Revert "<header>"` ... `This reverts commit <hash>.`).
    pub revert: Bump,
}

impl VersionConfig {
    pub fn bump_rules(&self, commit_msg: &CommitMsgConfig) -> BumpRules {
        let mut types: BTreeMap<String, Bump> = match self.bump_rules {
            BumpRulesPreset::Default => commit_msg.types.iter().map(|(t, b)| (t.to_lowercase(), *b)).collect(),
            BumpRulesPreset::SemanticRelease => [
                ("feat", Bump::Minor),
                ("improvement", Bump::Minor),
                ("fix", Bump::Patch),
                ("perf", Bump::Patch),
            ]
            .into_iter()
            .map(|(t, b)| (t.to_string(), b))
            .collect(),
        };
        // semantic-release's `{revert: true}` covers what the parser reads as a revert (git's
        // `Revert "..."`, or `revert:` with `This reverts commit`), not the type `revert`.
        let mut revert = match self.bump_rules {
            BumpRulesPreset::Default => types.get("revert").copied().unwrap_or(Bump::None),
            BumpRulesPreset::SemanticRelease => Bump::Patch,
        };
        for (t, b) in &self.bumps {
            let t = t.to_lowercase();
            if t == "revert" {
                revert = *b;
            }
            types.insert(t, *b);
        }
        BumpRules { types, revert }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VersionFile {
    pub path: String,
    /// A regex with a named group `version`.
    pub pattern: String,
}

impl VersionFile {
    /// The pattern, compiled: validation and the version sources use this one function, so
    /// they agree and say the same thing.
    pub fn compile(&self) -> std::result::Result<regex::Regex, String> {
        let re = regex::Regex::new(&self.pattern)
            .map_err(|e| format!("[version] files: pattern for `{}` is not a valid regex: {e}", self.path))?;
        if !re.capture_names().any(|n| n == Some("version")) {
            return Err(format!(
                "[version] files: pattern for `{}` needs a named group (?P<version>...)",
                self.path
            ));
        }
        Ok(re)
    }
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
    /// Cases the scope must be in (one of them, each `/`, `\` or `,` part): commitlint's
    /// scope-case `always`. Empty, the default (config-conventional leaves the rule off): any.
    pub scope_case: Vec<String>,
    /// Extra regexes; a message whose first line matches one is accepted as it is.
    pub ignore: Vec<String>,
    /// Severity per rule name (commitlint's rule names), overriding the defaults.
    pub severity: BTreeMap<String, Severity>,
    /// What the prepare-commit-msg stage puts in the editor: nothing, the suggested header as
    /// a comment (the default), or the header itself.
    pub prepare: PrepareMode,
    /// The scope to suggest when every staged file is under one of its folders:
    /// `{ api = "src/api", web = ["web", "frontend"] }`. The deepest folder wins.
    pub scope_paths: BTreeMap<String, ScopePaths>,
    /// A regex for the ticket in the branch name (`feat/ABC-123-x`), suggested as a
    /// `Refs: ABC-123` footer: its first group when it has one, else the whole match. Empty: off.
    pub ticket_pattern: String,
}

/// The ticket pattern in effect unless `[commit_msg] ticket_pattern` says otherwise (matched by
/// hand, without compiling a regex on the hook path).
pub const DEFAULT_TICKET_PATTERN: &str = "[A-Z][A-Z0-9]+-[0-9]+";

impl CommitMsgConfig {
    /// What the prepare-commit-msg stage would refuse later: the ticket regex, the scope folders.
    fn validate(&self) -> std::result::Result<(), String> {
        let pattern = &self.ticket_pattern;
        if !pattern.is_empty() && pattern != DEFAULT_TICKET_PATTERN {
            regex::Regex::new(pattern)
                .map_err(|e| format!("[commit_msg] ticket_pattern: `{pattern}` is not a valid regex: {e}"))?;
        }
        for (scope, paths) in &self.scope_paths {
            if !self.scopes.is_empty() && !self.scopes.contains(scope) {
                return Err(format!(
                    "[commit_msg] scope_paths: `{scope}` is not in [commit_msg] scopes; add it there or use one of: {}",
                    self.scopes.join(", ")
                ));
            }
            for path in &paths.0 {
                if path.trim_matches('/').is_empty() || !stays_inside(path) {
                    return Err(format!(
                        "[commit_msg] scope_paths: `{scope}` names `{path}`; name a folder inside the repository, relative to its top, such as \"src/{scope}\""
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `[commit_msg] prepare`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PrepareMode {
    /// The editor opens as git prepared it.
    Off,
    /// The suggestion and the allowed types as comment lines: git strips them, so what is
    /// committed is only what the user writes.
    #[default]
    Comment,
    /// The suggested header (`docs(api): `) and footer written as the message's start.
    Prefill,
}

/// The folders of one scope in `[commit_msg] scope_paths`: one path or a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopePaths(pub Vec<String>);

impl Serialize for ScopePaths {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ScopePaths {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ScopePaths;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a folder or a list of folders")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<ScopePaths, E> {
                Ok(ScopePaths(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<ScopePaths, A::Error> {
                let mut paths = Vec::new();
                while let Some(p) = seq.next_element::<String>()? {
                    paths.push(p);
                }
                Ok(ScopePaths(paths))
            }
        }
        d.deserialize_any(Visit)
    }
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
            scope_case: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            prepare: PrepareMode::default(),
            scope_paths: BTreeMap::new(),
            ticket_pattern: DEFAULT_TICKET_PATTERN.into(),
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
    /// Also scan what base64, hex and percent-encoded runs decode to.
    pub decode: bool,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            allow_paths: Vec::new(),
            allow_values: Vec::new(),
            disable: Vec::new(),
            max_file_size: 2 * 1024 * 1024,
            rule: Vec::new(),
            decode: true,
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
    /// `pre-push`: run on the files the pushed commits change.
    PrePush,
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

/// The stages (git hooks) mpm-hooks has, by git's name: the hook layer's stages, listed here so
/// that configuration is validated without calling into it (a unit test there keeps the two
/// lists equal).
pub const STAGE_NAMES: [&str; 5] = [
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-push",
];

/// The stages install leaves out: they are linked the first time they have work.
pub const ON_DEMAND_STAGES: [&str; 1] = ["post-commit"];

/// `[hooks]`: which git hooks `mpm-hooks install` links.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HooksConfig {
    /// The stages install links, by git's hook name; a stage linked earlier and left out here
    /// is unlinked by the next install. post-commit is linked on demand and is not listed.
    pub stages: Vec<String>,
}

impl Default for HooksConfig {
    fn default() -> Self {
        HooksConfig {
            stages: ["pre-commit", "commit-msg", "prepare-commit-msg", "pre-push"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl HooksConfig {
    /// Whether install links the stage named `name`.
    pub fn lists(&self, name: &str) -> bool {
        self.stages.iter().any(|s| s == name)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let listable: Vec<&str> = STAGE_NAMES
            .into_iter()
            .filter(|n| !ON_DEMAND_STAGES.contains(n))
            .collect();
        for (i, name) in self.stages.iter().enumerate() {
            if ON_DEMAND_STAGES.contains(&name.as_str()) {
                return Err(format!(
                    "[hooks] stages: `{name}` is linked on demand (by the first commit that needs it), not by install; leave it out of the list"
                ));
            }
            if !listable.contains(&name.as_str()) {
                let hint = closest(name, &listable)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_else(|| format!("; the stages: {}", listable.join(", ")));
                return Err(format!("[hooks] stages: no stage `{name}`{hint}"));
            }
            if self.stages[..i].contains(name) {
                return Err(format!(
                    "[hooks] stages: `{name}` is listed twice; list each stage once"
                ));
            }
        }
        Ok(())
    }
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
/// `rules`: the ids of the built-in secret rules (`[secrets] disable` must name one); the
/// caller hands them in, so that configuration depends on no scanner.
pub fn load(root: &Path, env: &Env, rules: &[&str]) -> Result<Loaded> {
    let path = root.join(FILE_NAME);
    let environment = env.environment.clone();
    match crate::fs::read_optional(&path)? {
        None => Ok(Loaded {
            config: Config::default(),
            path: None,
            environment,
        }),
        Some(text) => Ok(Loaded {
            config: parse(&text, Path::new(FILE_NAME), &environment, rules)?,
            path: Some(path),
            environment,
        }),
    }
}

/// Parses and validates `text`, then applies `[environments.<environment>]` and validates the
/// result: every command, and `config check`, refuses the same files for the same reasons.
pub fn parse(text: &str, origin: &Path, environment: &str, rules: &[&str]) -> Result<Config> {
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
    validate(&config, rules).map_err(cerr)?;
    if !config.environments.contains_key(environment) {
        return Ok(config);
    }
    // Overlay: deep-merge the environment's table over the top level, then read it again and
    // validate the result (an overlay's globs, regexes and commands are checked there).
    let mut base: toml::Table = toml::from_str(text).map_err(|e| describe(text, origin, &e))?;
    let overlay = base
        .remove("environments")
        .and_then(|envs| envs.as_table().and_then(|t| t.get(environment).cloned()));
    if let Some(toml::Value::Table(overlay)) = overlay {
        merge(&mut base, overlay);
    }
    let merged = toml::Value::Table(base)
        .try_into::<Config>()
        .map_err(|e| cerr(format!("[environments.{environment}]: {}", e.message())))?;
    validate(&merged, rules).map_err(|m| cerr(format!("[environments.{environment}]: {m}")))?;
    Ok(merged)
}

/// Loads the configuration as `load` does and also validates every other environment's overlay,
/// so that `config check` catches an error that only `MPM_HOOKS_ENV=<name>` would meet.
pub fn check(root: &Path, env: &Env, rules: &[&str]) -> Result<Loaded> {
    let loaded = load(root, env, rules)?;
    if loaded.path.is_some() {
        let text = crate::fs::read_to_string(&root.join(FILE_NAME))?;
        for name in loaded.config.environments.keys() {
            parse(&text, Path::new(FILE_NAME), name, rules)?;
        }
    }
    Ok(loaded)
}

/// Everything a command would refuse later: regexes, globs, command lines, paths, names.
fn validate(config: &Config, rules: &[&str]) -> std::result::Result<(), String> {
    for kind in config.version.bumps.keys() {
        if kind.is_empty() || kind.contains(|c: char| c.is_whitespace() || "():!".contains(c)) {
            return Err(format!(
                "[version] bumps: `{kind}` is not a commit type; name a type such as `revert = \"patch\"`"
            ));
        }
    }
    for value in &config.version.placeholders {
        if semver::Version::parse(value).is_err() {
            return Err(format!(
                "[version] placeholders: `{value}` is not a semantic version; list versions such as \"0.0.0-development\""
            ));
        }
    }
    for file in config.version.files.iter() {
        file.compile()?;
        if !stays_inside(&file.path) {
            return Err(format!(
                "[version] files: path `{}` leaves the repository; name a file inside it, relative to its top",
                file.path
            ));
        }
    }
    for pattern in config
        .secrets
        .allow_values
        .iter()
        .chain(config.secrets.rule.iter().flat_map(|r| &r.allow_values))
    {
        regex::Regex::new(pattern)
            .map_err(|e| format!("[secrets] allow_values: `{pattern}` is not a valid regex: {e}"))?;
    }
    for rule in &config.secrets.rule {
        regex::bytes::Regex::new(&rule.regex)
            .map_err(|e| format!("[[secrets.rule]] `{}`: regex does not compile: {e}", rule.id))?;
        globs(
            &rule.allow_paths,
            &format!("[[secrets.rule]] `{}` allow_paths", rule.id),
        )?;
    }
    globs(&config.secrets.allow_paths, "[secrets] allow_paths")?;
    globs(&config.build.exclude, "[build] exclude")?;
    globs(&config.build.include, "[build] include")?;
    for id in &config.secrets.disable {
        if !rules.contains(&id.as_str()) {
            let hint = closest(id, rules)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(format!("[secrets] disable: no built-in rule `{id}`{hint}"));
        }
    }
    let mut names = std::collections::HashSet::new();
    for check in &config.check {
        if !names.insert(check.name.as_str()) {
            return Err(format!(
                "[[check]] `{}` is defined twice; give each check its own name",
                check.name
            ));
        }
        for (key, line) in [("run", Some(&check.run)), ("fix", check.fix.as_ref())] {
            if let Some(line) = line {
                command_line(line).map_err(|why| format!("[[check]] `{}`: {key} = {line:?} {why}", check.name))?;
            }
        }
        globs(&check.files, &format!("[[check]] `{}` files", check.name))?;
        globs(&check.exclude, &format!("[[check]] `{}` exclude", check.name))?;
    }
    for pattern in &config.commit_msg.ignore {
        regex::Regex::new(pattern)
            .map_err(|e| format!("[commit_msg] ignore: `{pattern}` is not a valid regex: {e}"))?;
    }
    config.commit_msg.validate()?;
    config.hooks.validate()?;
    let types: Vec<&str> = config.commit_msg.types.keys().map(String::as_str).collect();
    // Only sections the file sets: the default ones stay valid when [commit_msg] types shrinks.
    let own_sections = config.changelog.sections != ChangelogConfig::default().sections;
    for section in config.changelog.sections.iter().filter(|_| own_sections) {
        if !types.contains(&section.kind.as_str()) {
            let hint = closest(&section.kind, &types)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_else(|| format!("; add it to [commit_msg] types or use one of: {}", types.join(", ")));
            return Err(format!(
                "[changelog] sections: `{}` is not a commit type{hint}",
                section.kind
            ));
        }
    }
    if config.changelog.file.trim().is_empty() {
        return Err("[changelog] file is empty; name a file such as CHANGELOG.md".into());
    }
    Ok(())
}

/// Parses each gitignore-style glob as the commands do (without building the matcher, which
/// the commands that use it do).
/// Checks `patterns` as [`compile_globs`] reads them.
fn globs(patterns: &[String], key: &str) -> std::result::Result<(), String> {
    glob_lines(Path::new("."), patterns, key).map(drop)
}

/// `patterns` read as gitignore lines, not yet compiled (validation stops here: compiling the
/// set is the costly part).
fn glob_lines(
    root: &Path,
    patterns: &[String],
    key: &str,
) -> std::result::Result<ignore::gitignore::GitignoreBuilder, String> {
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    for p in patterns {
        b.add_line(None, p).map_err(|e| format!("{key}: bad glob `{p}`: {e}"))?;
    }
    Ok(b)
}

/// gitignore-style globs over repository paths (`[build] exclude`, `[[check]] files`,
/// `[secrets] allow_paths`, ...), compiled; the one glob compiler, with validation's messages.
pub fn compile_globs(root: &Path, patterns: &[String], key: &str) -> Result<ignore::gitignore::Gitignore> {
    let cerr = |message: String| Error::Config {
        path: PathBuf::from(FILE_NAME),
        line: None,
        message,
    };
    glob_lines(root, patterns, key)
        .map_err(cerr)?
        .build()
        .map_err(|e| cerr(format!("{key}: {e}")))
}

/// Whether the relative path `value` stays inside the folder it is relative to, by its text.
fn stays_inside(value: &str) -> bool {
    let mut depth: usize = 0;
    for c in Path::new(value).components() {
        match c {
            std::path::Component::Normal(_) => depth += 1,
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            std::path::Component::RootDir | std::path::Component::Prefix(_) => return false,
        }
    }
    true
}

/// The one placeholder a check's command line knows.
pub const PLACEHOLDER: &str = "{files}";

/// Checks a `[[check]]` command line: it is split like a shell would split it and run without
/// one, so shell syntax outside quotes (`&&`, `|`, `;`, `>`, `$(`) and placeholders other than
/// `{files}` would be passed to the program as plain arguments. The error completes the
/// sentence `run = "..." `.
pub fn command_line(line: &str) -> std::result::Result<(), String> {
    if shlex::split(line).is_none_or(|argv| argv.is_empty()) {
        return Err("is not a command line (empty, or an unclosed quote)".into());
    }
    let bare = unquoted(line);
    let sh = if line.contains('\'') {
        "run = \"sh -c '...'\"".to_string()
    } else {
        format!("run = \"sh -c '{line}'\"")
    };
    for op in ["&&", "||", "$(", "|", ";", ">", "<", "`", "&"] {
        if bare.contains(op) {
            let op = if op == "`" {
                "a backtick (`)".to_string()
            } else {
                format!("`{op}`")
            };
            return Err(format!(
                "uses the shell operator {op}, but the command runs without a shell, so {op} would reach the \
                 program as an argument; for shell syntax write {sh}, or quote {op} if it is an argument"
            ));
        }
    }
    // `{name}` spans in what a shell would read (no regex: this runs on every load).
    let placeholders = bare.match_indices('{').filter_map(|(start, _)| {
        let len = bare[start + 1..].find('}')?;
        let name = &bare[start + 1..start + 1 + len];
        let word = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        word.then(|| (start, &bare[start..start + len + 2]))
    });
    for (start, m) in placeholders {
        if m != PLACEHOLDER {
            return Err(format!(
                "uses the placeholder `{m}`, which mpm-hooks does not know; the only one is {PLACEHOLDER} (the \
                 matching files, each one argument), or leave it out to have the files appended"
            ));
        }
        let alone = |c: Option<char>| c.is_none_or(char::is_whitespace);
        if !alone(bare[..start].chars().next_back()) || !alone(bare[start + m.len()..].chars().next()) {
            return Err(format!(
                "has {PLACEHOLDER} inside a word; it is replaced only when it stands alone, as a word of its own"
            ));
        }
    }
    Ok(())
}

/// `line` with every quoted or backslash-escaped character blanked out, as a shell reads it: what
/// is left is what a shell would interpret.
fn unquoted(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(' ');
            }
            (None, '\\') => {
                chars.next();
                out.push_str("  ");
            }
            (Some(q), c) if c == q => {
                quote = None;
                out.push(' ');
            }
            (Some('"'), '\\') => {
                chars.next();
                out.push_str("  ");
            }
            (Some(_), _) => out.push(' '),
            (None, c) => out.push(c),
        }
    }
    out
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
    } else if let Some(what) = wrong_value(msg) {
        match e.span().and_then(|s| key_at(text, s.start)) {
            Some(key) => format!("{key}: {what}"),
            None => what,
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

/// serde's "invalid type: string \"five\", expected u64" in the user's words: "expected a whole
/// number, got the string \"five\"". `None` for other messages.
fn wrong_value(msg: &str) -> Option<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"^(?s)(?:invalid type|invalid value|invalid length): (.*?), expected (.*)$|^unknown variant `(.*?)`, expected (.*)$")
            .expect("valid regex")
    });
    let caps = re.captures(msg)?;
    let (got, expected) = match (caps.get(1), caps.get(2), caps.get(3), caps.get(4)) {
        (Some(g), Some(x), _, _) => (g.as_str().to_string(), x.as_str()),
        (_, _, Some(v), Some(x)) => (format!("string {:?}", v.as_str()), x.as_str()),
        _ => return None,
    };
    let expected = match expected.trim() {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number (0 or more)".to_string(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_string(),
        "f32" | "f64" => "a number".to_string(),
        "a boolean" => "true or false".to_string(),
        "a string" | "a borrowed string" => "a string in quotes".to_string(),
        "a sequence" => "a list [...]".to_string(),
        "a map" => "a table".to_string(),
        x if x.starts_with("struct ") => "a table".to_string(),
        x if x.starts_with("one of ") || x.starts_with('`') => {
            format!("one of {}", x.trim_start_matches("one of ").replace('`', "\""))
        }
        x => x.to_string(),
    };
    let got = match got.split_once(' ') {
        Some(("string", v)) => format!("the string {v}"),
        Some(("integer" | "floating", v)) => format!("the number {}", v.trim_start_matches("point ").trim_matches('`')),
        Some(("boolean", v)) => v.trim_matches('`').to_string(),
        _ if got == "sequence" => "a list".to_string(),
        _ if got == "map" => "a table".to_string(),
        _ => got,
    };
    Some(format!("expected {expected}, got {got}"))
}

/// The key whose value covers byte `at`, as the user writes it: `[build] min_changed_lines`,
/// `[[check]] tiers`, `[environments.ci] build.min_changed_lines`.
fn key_at(text: &str, at: usize) -> Option<String> {
    fn walk(item: &toml_edit::Item, at: usize, path: &mut Vec<(String, bool)>) -> bool {
        match item {
            toml_edit::Item::Table(t) => t.iter().any(|(k, v)| descend(k, v, at, path)),
            toml_edit::Item::ArrayOfTables(a) => a.iter().any(|t| t.iter().any(|(k, v)| descend(k, v, at, path))),
            toml_edit::Item::Value(v) => value(v, at, path),
            toml_edit::Item::None => false,
        }
    }
    fn value(v: &toml_edit::Value, at: usize, path: &mut Vec<(String, bool)>) -> bool {
        match v {
            toml_edit::Value::InlineTable(t) => {
                t.iter()
                    .any(|(k, v)| descend(k, &toml_edit::Item::Value(v.clone()), at, path))
                    || v.span().is_some_and(|s| s.contains(&at))
            }
            toml_edit::Value::Array(a) => {
                a.iter().any(|v| value(v, at, path)) || a.span().is_some_and(|s| s.contains(&at))
            }
            v => v.span().is_some_and(|s| s.contains(&at)),
        }
    }
    fn descend(k: &str, v: &toml_edit::Item, at: usize, path: &mut Vec<(String, bool)>) -> bool {
        path.push((k.to_string(), v.is_table() || v.is_array_of_tables()));
        if walk(v, at, path) {
            return true;
        }
        path.pop();
        false
    }
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut path: Vec<(String, bool)> = Vec::new();
    if !walk(doc.as_item(), at, &mut path) {
        return None;
    }
    // The table part is what a header names: the keys of tables up to the first other one; an
    // array of tables shows as [[name]].
    let (key, _) = path.pop()?;
    let header_len = path.iter().position(|(_, table)| !*table).unwrap_or(path.len());
    let (header, rest) = path.split_at(header_len);
    let name = header.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(".");
    let dotted: Vec<&str> = rest.iter().map(|(k, _)| k.as_str()).chain([key.as_str()]).collect();
    Some(match header.last() {
        None => dotted.join("."),
        Some(_) if header_is_array(&doc, header) => format!("[[{name}]] {}", dotted.join(".")),
        Some(_) => format!("[{name}] {}", dotted.join(".")),
    })
}

fn header_is_array(doc: &toml_edit::Document<&str>, header: &[(String, bool)]) -> bool {
    let mut item = doc.as_item();
    for (k, _) in header {
        match item.get(k) {
            Some(i) => item = i,
            None => return false,
        }
    }
    item.is_array_of_tables()
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
    /// git's own variables, for the door to git.
    pub git: GitEnv,
    /// What the pre-commit framework (or prek) says to the hook it runs.
    pub framework: FrameworkEnv,
}

/// The pre-commit framework and prek run a hook with the files they select as its arguments
/// and say the rest in variables (pre_commit/commands/run.py, prek's cli/run/run.rs): they read
/// git's pre-push stdin themselves and name the first ref update that sends something (the
/// range, or only the branches when the push reaches a root commit); for prepare-commit-msg
/// they pass the message file and name where the message comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameworkEnv {
    /// PRE_COMMIT=1: the framework runs this hook; it runs the hooks it kept aside itself.
    pub running: bool,
    /// PRE_COMMIT_FROM_REF (or the older PRE_COMMIT_ORIGIN): the remote side of the range.
    pub from_ref: Option<String>,
    /// PRE_COMMIT_TO_REF (or PRE_COMMIT_SOURCE): the commit pushed.
    pub to_ref: Option<String>,
    /// PRE_COMMIT_LOCAL_BRANCH: git's `<local ref>` (`refs/heads/main`).
    pub local_branch: Option<String>,
    /// PRE_COMMIT_REMOTE_BRANCH: git's `<remote ref>`.
    pub remote_branch: Option<String>,
    /// PRE_COMMIT_REMOTE_NAME and PRE_COMMIT_REMOTE_URL: git's two pre-push arguments.
    pub remote_name: Option<String>,
    pub remote_url: Option<String>,
    /// PRE_COMMIT_COMMIT_MSG_SOURCE and PRE_COMMIT_COMMIT_OBJECT_NAME: git's second and third
    /// prepare-commit-msg arguments.
    pub commit_msg_source: Option<String>,
    pub commit_object_name: Option<String>,
}

/// git's own variables, as git (or the user) set them for this process: read here, used by the
/// door to git ([`crate::git`]).
#[derive(Debug, Clone, Default)]
pub struct GitEnv {
    /// GIT_DIR: the repository was found through it (git sets it for hooks in a separate git
    /// dir or a linked worktree).
    pub dir: Option<std::ffi::OsString>,
    /// GIT_WORK_TREE.
    pub work_tree: Option<std::ffi::OsString>,
    /// GIT_INDEX_FILE: the index git commits from (`commit -a`, `commit PATH`).
    pub index_file: Option<std::ffi::OsString>,
    /// GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL, for the audit log.
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    /// HOME, for a `core.hooksPath` that starts with `~/`.
    pub home: Option<std::ffi::OsString>,
    /// GIT_OBJECT_DIRECTORY or GIT_ALTERNATE_OBJECT_DIRECTORIES is set: git reads objects from
    /// elsewhere, so a history scan reads them through git too.
    pub objects_elsewhere: bool,
    /// GIT_GRAFT_FILE or GIT_REPLACE_REF_BASE is set: history as git walks it may differ from
    /// what the commits record, so git walks it.
    pub history_rewritten: bool,
}

impl GitEnv {
    pub fn from_process() -> GitEnv {
        let os = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let text = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        GitEnv {
            dir: os("GIT_DIR"),
            work_tree: os("GIT_WORK_TREE"),
            index_file: os("GIT_INDEX_FILE"),
            author_name: text("GIT_AUTHOR_NAME"),
            author_email: text("GIT_AUTHOR_EMAIL"),
            home: os("HOME"),
            objects_elsewhere: os("GIT_OBJECT_DIRECTORY").is_some() || os("GIT_ALTERNATE_OBJECT_DIRECTORIES").is_some(),
            history_rewritten: os("GIT_GRAFT_FILE").is_some() || os("GIT_REPLACE_REF_BASE").is_some(),
        }
    }
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
            git: GitEnv::from_process(),
            framework: FrameworkEnv {
                running: var("PRE_COMMIT").is_some(),
                from_ref: var("PRE_COMMIT_FROM_REF").or_else(|| var("PRE_COMMIT_ORIGIN")),
                to_ref: var("PRE_COMMIT_TO_REF").or_else(|| var("PRE_COMMIT_SOURCE")),
                local_branch: var("PRE_COMMIT_LOCAL_BRANCH"),
                remote_branch: var("PRE_COMMIT_REMOTE_BRANCH"),
                remote_name: var("PRE_COMMIT_REMOTE_NAME"),
                remote_url: var("PRE_COMMIT_REMOTE_URL"),
                commit_msg_source: var("PRE_COMMIT_COMMIT_MSG_SOURCE"),
                commit_object_name: var("PRE_COMMIT_COMMIT_OBJECT_NAME"),
            },
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
# max_size = 1048576      # bytes; past it the log is rotated (.1, .2 kept); 0: never

[version]
# tag_prefix = "v"
# major_version_zero = true   # below 1.0.0: breaking -> minor, feat -> patch
# bump_rules = "default"      # or "semantic-release": its default release rules (a revert is a patch)
# bumps = { revert = "patch" }  # the bump of a type, over the preset
# placeholders = ["0.0.0-development", "0.0.0-semantic-release", "0.0.0"]  # left alone in sources
# files = [{ path = "src/pkg/_version.py", pattern = '__version__ = "(?P<version>[^"]+)"' }]

[commit_msg]
# scopes = []             # allowed scopes; empty allows any
# scope_required = false
# header_max_length = 100
# scope_case = []         # cases the scope must be in, e.g. ["lower-case"]; empty: any
# ignore = []             # regexes for messages to accept as they are
# prepare = "comment"     # prepare-commit-msg: "off", "comment" (a suggested header as a comment),
#                         # or "prefill" (the suggested header written for you)
# scope_paths = { api = "src/api", web = ["web", "frontend"] }  # the scope when all files are there
# ticket_pattern = "[A-Z][A-Z0-9]+-[0-9]+"  # the ticket in the branch name -> a `Refs:` footer; "": off
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

# Checks run on the staged files before each commit (tier pre-commit), on the files a push
# changes (tier pre-push), by `mpm-hooks check` (tier quality) and `mpm-hooks check --release`
# (tier release):
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

[hooks]
# The git hooks `mpm-hooks install` links; install again after changing the list (a stage left
# out is unlinked, and your own hook it kept aside is put back). post-commit is not listed: it
# is linked by the first partial commit that needs it.
# stages = ["pre-commit", "commit-msg", "prepare-commit-msg", "pre-push"]

# Per-environment overrides, chosen by MPM_HOOKS_ENV (default: development):
# [environments.production]
# log = { format = "json", level = "info" }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text, Path::new(FILE_NAME), "development", &[])
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
        assert_eq!(
            e,
            ".mpm-hooks.toml line 2: [build] min_changed_lines: expected a whole number (0 or more), got the string \"ten\""
        );
        let e = err("[[secrets.rule]]\nid = \"x\"\nregex = \"a\"\nentropy = \"high\"\n");
        assert_eq!(
            e,
            ".mpm-hooks.toml line 4: [[secrets.rule]] entropy: expected a number, got the string \"high\""
        );
        let e = err("[log]\nlevel = \"loud\"\n");
        assert!(
            e.ends_with(
                "[log] level: expected one of \"error\", \"warn\", \"info\", \"debug\", got the string \"loud\""
            ),
            "{e}"
        );
    }

    #[test]
    fn command_lines_without_shell_syntax_or_unknown_placeholders() {
        for ok in [
            "black --check {files}",
            "sh -c 'a && b' --",
            "awk '{print}' {files}",
            "grep -e \"a|b\" {files}",
            r"echo a\;b",
            r#"sh -c 'if grep -l BAD -- "$@"; then exit 1; fi' sh {files}"#,
        ] {
            assert_eq!(command_line(ok), Ok(()), "{ok}");
        }
        for bad in [
            "a && b",
            "a || b",
            "a | b",
            "a; b",
            "a > out",
            "a < in",
            "echo `x`",
            "echo $(x)",
            "a &",
            "eslint {staged_files}",
            "eslint --files={files}",
            "",
            "echo 'open",
        ] {
            assert!(command_line(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environment_overlay_applies() {
        let text =
            "[log]\nlevel = \"warn\"\n[environments.production]\nlog = { format = \"json\", level = \"info\" }\n";
        let dev = parse(text, Path::new(FILE_NAME), "development", &[]).unwrap();
        assert_eq!(dev.log.format, LogFormat::Text);
        let prod = parse(text, Path::new(FILE_NAME), "production", &[]).unwrap();
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
            parse(STARTER, Path::new(FILE_NAME), "development", &[]).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn hooks_stages_are_known_stages_and_not_post_commit() {
        let ok = parse(
            "[hooks]\nstages = [\"pre-commit\"]\n",
            Path::new(FILE_NAME),
            "development",
            &[],
        )
        .unwrap();
        assert_eq!(ok.hooks.stages, ["pre-commit"]);
        let e = err("[hooks]\nstages = [\"pre-comit\"]\n");
        assert_eq!(
            e,
            ".mpm-hooks.toml: [hooks] stages: no stage `pre-comit`; did you mean `pre-commit`?"
        );
        let e = err("[hooks]\nstages = [\"post-commit\"]\n");
        assert!(e.contains("`post-commit` is linked on demand"), "{e}");
        let e = err("[hooks]\nstages = [\"pre-push\", \"pre-push\"]\n");
        assert!(e.contains("listed twice"), "{e}");
        let e = err("[hooks]\nstages = [\"zzzzzzzz\"]\n");
        assert!(
            e.ends_with("the stages: pre-commit, prepare-commit-msg, commit-msg, pre-push"),
            "{e}"
        );
    }

    #[test]
    fn closest_suggests_near_names_only() {
        assert_eq!(closest("chek", &["check", "log"]), Some("check"));
        assert_eq!(closest("zzzzzz", &["check", "log"]), None);
    }
}
