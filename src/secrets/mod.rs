//! Secret scanning: rules (keywords, regex, entropy, allowlists), the scanner, and reports.
//!
//! The engine runs one Aho-Corasick automaton over all rules' keywords first; only the rules
//! whose keywords occur then run their regex, and a rule's regex is compiled the first time it
//! is needed (byte regexes without Unicode classes: compiling and matching are both far faster).
//! A hook run over a change that mentions no keyword compiles no regex at all.

mod builtin;
pub mod checksum;
pub mod decode;
mod keywords;
pub mod report;

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use ignore::gitignore::Gitignore;
use regex::bytes::{Regex, RegexBuilder};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{SecretRule, SecretsConfig};
use crate::error::{Error, Result};

/// A built-in rule, as data.
#[derive(Debug, Clone, Copy)]
pub struct RuleDef {
    pub id: &'static str,
    pub description: &'static str,
    /// Literals (matched case-insensitively), one of which must occur for the rule to run.
    pub keywords: &'static [&'static str],
    /// The secret is the first capture group, or the whole match.
    pub regex: &'static str,
    /// Minimum Shannon entropy (bits per character) of the secret.
    pub entropy: Option<f64>,
    /// A line the rule must flag (random characters in the provider's format).
    pub example: &'static str,
    /// A line the rule must not flag.
    pub negative: &'static str,
}

pub fn builtin() -> &'static [RuleDef] {
    builtin::BUILTIN
}

pub fn builtin_ids() -> Vec<&'static str> {
    builtin::BUILTIN.iter().map(|r| r.id).chain([KEY_STORE_RULE]).collect()
}

/// The rule that flags a file by its name: a PKCS#12 key store (RFC 7292; `.p12`, and `.pfx`,
/// Microsoft's name for the same format) holds a private key with its certificate chain, under
/// a password at best. Committed, it is a leaked key whatever its bytes (they are binary, so no
/// content rule sees them).
const KEY_STORE_RULE: &str = "pkcs12-file";

/// Whether the file name in `path` ends in `.p12` or `.pfx` (any case).
fn is_key_store_name(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && (ext.eq_ignore_ascii_case("p12") || ext.eq_ignore_ascii_case("pfx"))
    })
}

struct Rule {
    /// Can match across lines (`[\s\S]`): it sees the whole text, not just its keyword lines.
    multiline: bool,
    id: String,
    description: String,
    pattern: String,
    entropy: Option<f64>,
    allow_values: Vec<regex::Regex>,
    allow_paths: Option<Gitignore>,
    /// The file names the rule runs on (a file format's rule), if not every file.
    file_names: Option<&'static [&'static str]>,
    compiled: OnceLock<Option<Regex>>,
}

impl Rule {
    fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| {
                // ASCII classes first (fast); a pattern that needs Unicode falls back to it.
                RegexBuilder::new(&self.pattern)
                    .unicode(false)
                    .build()
                    .or_else(|_| RegexBuilder::new(&self.pattern).build())
                    .ok()
            })
            .as_ref()
    }

    /// Keyword-context rules (a provider name near a value) and the generic ones accept values
    /// that a fixed token format would not, so they get the stricter value checks.
    fn contextual(&self) -> bool {
        self.entropy.is_some()
    }
}

/// One secret found. The secret itself never leaves this struct except redacted or hashed.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub description: String,
    pub path: String,
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// At most the first four characters (none of a value under 12), then `…`.
    pub redacted: String,
    /// SHA-256 of the secret: what the baseline stores.
    pub fingerprint: String,
    /// How the secret was encoded where it was found, outermost first (`base64`,
    /// `percent+base64`); none for a secret written as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

/// A file that was not scanned, and why (never skipped silently).
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

pub struct Scanner {
    rules: Vec<Rule>,
    prefilter: keywords::Keywords,
    /// For each keyword pattern, the rules it enables.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keywords: they always run.
    always: Vec<usize>,
    allow_paths: Option<Gitignore>,
    allow_values: Vec<regex::Regex>,
    pub max_file_size: u64,
    baseline: HashSet<(String, String, String)>,
    /// The literal prefixes of the token-format rules (`ghp_`, `xoxb-`, `sk-ant-api03`): a value
    /// that starts with one is that provider's, and the generic rules leave it to that rule (a
    /// malformed token is not a generic secret).
    prefixes: Vec<String>,
    /// Also scan what encoded runs decode to ([`decode`]).
    decode: bool,
    /// Report key-store files by name ([`KEY_STORE_RULE`] not disabled).
    key_store_names: bool,
}

/// A finding before its baseline check: the bytes it covers in the scanned text (for an encoded
/// secret: the whole encoded run) and its rank (0 a token format, 1 a keyword-context rule, 2 a
/// generic rule).
type Found = (Finding, (usize, usize), u8);

/// Nested encodings decoded, at most (base64 in base64, a base64 value percent-encoded in a URL).
const MAX_DECODE_DEPTH: usize = 2;

/// Lock files: their integrity hashes are not secrets.
const LOCK_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "Cargo.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "composer.lock",
    "Gemfile.lock",
    "go.sum",
    "flake.lock",
    "packages.lock.json",
];

impl Scanner {
    /// A scanner for a few KB (the hook): its keyword automaton is quick to build.
    pub fn new(cfg: &SecretsConfig, root: &Path) -> Result<Scanner> {
        Scanner::build(cfg, root, false)
    }

    /// A scanner for trees and history: its keyword automaton is slower to build (about 1 ms)
    /// and scans about 2.7 times faster.
    pub fn for_bulk(cfg: &SecretsConfig, root: &Path) -> Result<Scanner> {
        Scanner::build(cfg, root, true)
    }

    fn build(cfg: &SecretsConfig, root: &Path, bulk: bool) -> Result<Scanner> {
        let cerr = |message: String| Error::Config {
            path: crate::config::FILE_NAME.into(),
            line: None,
            message,
        };
        // Built-in and custom rules have the same fields.
        let defs = builtin()
            .iter()
            .filter(|r| !cfg.disable.iter().any(|d| d == r.id))
            .map(|r| SecretRule {
                id: r.id.into(),
                description: r.description.into(),
                keywords: r.keywords.iter().map(|k| k.to_string()).collect(),
                regex: r.regex.into(),
                entropy: r.entropy,
                allow_values: Vec::new(),
                allow_paths: Vec::new(),
            })
            .chain(cfg.rule.iter().cloned());
        let mut rules = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut always = Vec::new();
        let prefixes: Vec<String> = builtin()
            .iter()
            .filter(|r| r.entropy.is_none() && !r.regex.contains(r"[\s\S]") && !cfg.disable.iter().any(|d| d == r.id))
            .flat_map(|r| r.keywords.iter())
            .filter(|k| k.len() >= 4 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)))
            .map(|k| k.to_ascii_lowercase())
            .collect();
        for (i, def) in defs.enumerate() {
            let SecretRule {
                id,
                description,
                keywords,
                regex: pattern,
                entropy,
                allow_values,
                allow_paths,
            } = def;
            let description = if description.is_empty() {
                id.clone()
            } else {
                description
            };
            let allow_values = allow_values
                .iter()
                .map(|v| regex::Regex::new(v).map_err(|e| cerr(format!("[[secrets.rule]] `{id}`: allow_values: {e}"))))
                .collect::<Result<Vec<_>>>()?;
            let allow_paths = (!allow_paths.is_empty())
                .then(|| crate::config::compile_globs(root, &allow_paths, "[[secrets.rule]] allow_paths"))
                .transpose()?;
            if keywords.is_empty() {
                always.push(i);
            }
            for k in keywords {
                let k = k.to_ascii_lowercase();
                match seen.get(&k) {
                    Some(&j) => keyword_rules[j].push(i),
                    None => {
                        seen.insert(k.clone(), patterns.len());
                        patterns.push(k);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
            let file_names = builtin::FILE_SCOPED
                .iter()
                .find(|(rule, _)| *rule == id)
                .map(|(_, names)| *names);
            rules.push(Rule {
                file_names,
                multiline: pattern.contains(r"[\s\S]"),
                id,
                description,
                pattern,
                entropy,
                allow_values,
                allow_paths,
                compiled: OnceLock::new(),
            });
        }
        let prefilter =
            keywords::Keywords::new(&patterns, bulk).map_err(|e| cerr(format!("[secrets] keywords: {e}")))?;
        let allow_paths = (!cfg.allow_paths.is_empty())
            .then(|| crate::config::compile_globs(root, &cfg.allow_paths, "[secrets] allow_paths"))
            .transpose()?;
        let allow_values = cfg
            .allow_values
            .iter()
            .map(|v| regex::Regex::new(v).map_err(|e| cerr(format!("[secrets] allow_values: {e}"))))
            .collect::<Result<Vec<_>>>()?;
        Ok(Scanner {
            rules,
            prefilter,
            keyword_rules,
            always,
            allow_paths,
            allow_values,
            max_file_size: cfg.max_file_size,
            baseline: HashSet::new(),
            prefixes,
            decode: cfg.decode,
            key_store_names: !cfg.disable.iter().any(|d| d == KEY_STORE_RULE),
        })
    }

    /// Findings in the baseline file (`rule`, `path`, SHA-256 of the secret) are not reported.
    pub fn with_baseline(mut self, entries: impl IntoIterator<Item = (String, String, String)>) -> Scanner {
        self.baseline.extend(entries);
        self
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Whether `path` (relative to the repository root, or absolute) is never scanned (config or
    /// lock file).
    pub fn path_allowed(&self, path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|name| LOCK_FILES.contains(&name))
            || self.allow_paths.as_ref().is_some_and(|g| glob_matches(g, path))
    }

    /// Why a file's content is not scanned: binary (a NUL in the first 8 KB) or too large.
    pub fn skip_reason(&self, content: &[u8]) -> Option<String> {
        if content.len() as u64 > self.max_file_size {
            return Some(format!(
                "larger than [secrets] max_file_size ({} bytes)",
                self.max_file_size
            ));
        }
        if content[..content.len().min(8192)].contains(&0) {
            return Some("binary".into());
        }
        None
    }

    /// Scans `text`, whose first line is line `first_line` of `path`. A rule runs its regex only
    /// on the lines where one of its keywords occurs (a multi-line rule: on the whole text).
    pub fn scan(&self, path: &str, text: &[u8], first_line: u32, out: &mut Vec<Finding>) {
        self.scan_at(path, Path::new(path), text, first_line, out);
    }

    /// [`Scanner::scan`] of a file shown as `path` whose location, for the rules' `allow_paths`,
    /// is `location` (relative to the repository root, or absolute).
    ///
    /// Encoded runs (base64, hex, percent-encoding) are decoded and what they decode to is
    /// scanned by the same rules; such a finding is reported at the line of the encoded run.
    ///
    /// A text that starts at line 1 (a whole file, or a change that adds its first line) is also
    /// checked by its name ([`Scanner::scan_name`]).
    pub fn scan_at(&self, path: &str, location: &Path, text: &[u8], first_line: u32, out: &mut Vec<Finding>) {
        if first_line == 1 {
            self.scan_name(path, location, out);
        }
        let mut found = self.find(path, location, text);
        if self.decode {
            let mut budget = decode::MAX_DECODED;
            let decoded = self.find_decoded(path, location, text, 1, &mut budget);
            found = merge(found, decoded);
        }
        for (f, (start, _), _) in &mut found {
            f.line = first_line + text[..*start].iter().filter(|&&b| b == b'\n').count() as u32;
        }
        out.extend(found.into_iter().map(|(f, _, _)| f).filter(|f| {
            self.baseline.is_empty()
                || !self
                    .baseline
                    .contains(&(f.rule.clone(), f.path.clone(), f.fingerprint.clone()))
        }));
    }

    /// The finding for a file that is a secret by its name (a PKCS#12 key store), at line 1,
    /// unless the rule's path allowlist or the baseline holds it. Binary content is never
    /// scanned: callers that skip a binary file still call this.
    pub fn scan_name(&self, path: &str, location: &Path, out: &mut Vec<Finding>) {
        if !self.key_store_names || !is_key_store_name(path) || self.path_allowed(location) {
            return;
        }
        let finding = Finding {
            rule: KEY_STORE_RULE.into(),
            description: "PKCS#12 key store file (.p12/.pfx)".into(),
            path: path.to_string(),
            line: 1,
            commit: None,
            redacted: "(the whole file)".into(),
            fingerprint: fingerprint(path),
            encoding: None,
        };
        if !self
            .baseline
            .contains(&(finding.rule.clone(), finding.path.clone(), finding.fingerprint.clone()))
        {
            out.push(finding);
        }
    }

    /// What the encoded runs of `text` decode to, scanned (and, to [`MAX_DECODE_DEPTH`], the
    /// runs in that): each finding covers the encoded run it came from.
    fn find_decoded(&self, path: &str, location: &Path, text: &[u8], depth: usize, budget: &mut usize) -> Vec<Found> {
        let segments = decode::segments(text, budget);
        if segments.is_empty() {
            return Vec::new();
        }
        let expanded = decode::expand(text, &segments);
        let mut found = self.find(path, location, &expanded.text);
        if depth < MAX_DECODE_DEPTH {
            let nested = self.find_decoded(path, location, &expanded.text, depth + 1, budget);
            found = merge(found, nested);
        }
        // Only what lies in a decoded run: the rest of its line was scanned as it is.
        found
            .into_iter()
            .filter_map(|(mut f, (a, b), rank)| {
                let &(_, _, i) = expanded.pieces.iter().find(|(x, y, _)| a < *y && *x < b)?;
                let segment = &segments[i];
                let name = segment.encoding.name();
                let encoding = match f.encoding.take() {
                    Some(inner) => format!("{name}+{inner}"),
                    None => name.to_string(),
                };
                f.description = format!("{} ({encoding}-encoded)", self.description_of(&f.rule));
                f.encoding = Some(encoding);
                Some((f, (segment.start, segment.end), rank))
            })
            .collect()
    }

    fn description_of<'a>(&'a self, rule: &'a str) -> &'a str {
        self.rules
            .iter()
            .find(|r| r.id == rule)
            .map_or(rule, |r| r.description.as_str())
    }

    /// The rules over `text` as it is: one finding per secret (the most specific rule), lines
    /// not set yet, the baseline not applied.
    fn find(&self, path: &str, location: &Path, text: &[u8]) -> Vec<Found> {
        // Per rule: the byte ranges to run its regex on (none: its keywords do not occur);
        // `None` for the whole text.
        let mut spans: Vec<Option<Vec<(usize, usize)>>> = vec![Some(Vec::new()); self.rules.len()];
        for &i in &self.always {
            spans[i] = None;
        }
        let mut line = (0, 0);
        for (start, pattern) in self.prefilter.find_all(text) {
            // Hits come in order: most fall on the line of the previous one.
            if start >= line.1 || start < line.0 {
                line = keyword_span(text, start);
            }
            for &i in &self.keyword_rules[pattern] {
                if self.rules[i].multiline {
                    spans[i] = None;
                } else if let Some(v) = spans[i].as_mut()
                    && v.last() != Some(&line)
                {
                    v.push(line);
                }
            }
        }
        let mut found: Vec<Found> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if spans[i].as_ref().is_some_and(Vec::is_empty) {
                continue;
            }
            if rule.allow_paths.as_ref().is_some_and(|g| glob_matches(g, location)) {
                continue;
            }
            if let Some(names) = rule.file_names {
                let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
                if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    continue;
                }
            }
            let Some(re) = rule.regex() else { continue };
            let whole = [(0, text.len())];
            let ranges: &[(usize, usize)] = spans[i].as_deref().unwrap_or(&whole);
            for &(from, to) in ranges {
                for caps in re.captures_iter(&text[from..to]) {
                    // The first group that took part (a rule may offer alternatives).
                    let Some(m) = (1..caps.len()).find_map(|g| caps.get(g)).or_else(|| caps.get(0)) else {
                        continue;
                    };
                    let (start, end) = (from + m.start(), from + m.end());
                    let secret = String::from_utf8_lossy(m.as_bytes());
                    if !self.reportable(rule, &secret, line_of(text, start)) {
                        continue;
                    }
                    if rule.id.starts_with("generic-") {
                        let whole = caps.get(0).map_or((start, end), |m| (from + m.start(), from + m.end()));
                        // The name comes first, or last (`"v" == password`).
                        let key = if whole.0 + 1 == start && whole.1 > end + 1 {
                            key_at(text, whole.1 - 1)
                        } else {
                            key_at(text, whole.0)
                        };
                        let quoted =
                            start > 0 && b"\"'`".contains(&text[start - 1]) && text.get(end) == Some(&text[start - 1]);
                        // Bare, a value needs a digit: letters and symbols bare are code
                        // (`windows_sys::core::PSTR`, `Token![struct]`).
                        let bare_words = !quoted && !secret.bytes().any(|b| b.is_ascii_digit());
                        if !self.generic_ok(&secret, key) || bare_words {
                            continue;
                        }
                    }
                    let finding = Finding {
                        rule: rule.id.clone(),
                        description: rule.description.clone(),
                        path: path.to_string(),
                        line: 0,
                        commit: None,
                        redacted: redact(&secret),
                        fingerprint: fingerprint(&secret),
                        encoding: None,
                    };
                    let rank = if rule.id.starts_with("generic-") {
                        2
                    } else {
                        u8::from(rule.contextual())
                    };
                    found.push((finding, (start, end), rank));
                }
            }
        }
        // One secret, one finding: the most specific rule that matched the same characters.
        // The baseline applies after: a baselined finding still hides the less specific rules
        // that matched its characters (else accepting it would bring up the generic one).
        let taken: Vec<((usize, usize), u8)> = found.iter().map(|f| (f.1, f.2)).collect();
        found.retain(|(_, (a, b), rank)| !taken.iter().any(|((x, y), r)| r < rank && a < y && x < b));
        found
    }

    /// The generic rules' further checks: the value is no provider's token (well-formed, it is
    /// that rule's finding; malformed, nobody's), and the name is not one of a non-secret
    /// (`credentialsId`, `token_url`, `publicToken`, `csrf-token`).
    fn generic_ok(&self, secret: &str, key: &str) -> bool {
        // Compared as it is and percent-decoded (`token=ghp%5F…` in a URL is a GitHub token's).
        let value = if secret.contains('%') {
            decode::decode_percent(secret.as_bytes())
                .map_or_else(|| secret.to_string(), |d| String::from_utf8_lossy(&d).into_owned())
        } else {
            secret.to_string()
        }
        .to_ascii_lowercase();
        // Percent-escapes of punctuation (`%20!%22$%&`): no letter once decoded, no secret.
        if !value.bytes().any(|b| b.is_ascii_alphabetic()) {
            return false;
        }
        // A Telegram bot token's shape: the bot's number, `:`, then `A`.
        let telegram = secret
            .split_once(':')
            .is_some_and(|(n, rest)| n.len() >= 3 && n.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with('A'));
        if self.prefixes.iter().any(|p| value.starts_with(p.as_str()))
            || is_uuid(secret)
            || telegram
            || secret.len() > GENERIC_MAX_LEN
            || is_email(secret)
            || is_indirect_reference(secret)
            || is_words(secret)
            || has_version(secret)
            || is_code_name(secret)
        {
            return false;
        }
        let key: String = key
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        const NOT_SECRET_SUFFIXES: &[&str] = &[
            "id", "ids", "name", "names", "url", "uri", "path", "file", "type", "field", "length", "len", "format",
            "pattern", "prefix", "header", "count", "size", "ttl", "timeout", "version",
        ];
        // Names that hold a secret-like word but name something else (gitleaks' generic-api-key
        // allowlist): an Azure Key Vault (`keyVaultToStoreSecrets`), a .NET `UserSecretsId`, a
        // Vault `accessor`, an `author`.
        const NOT_SECRET_PARTS: &[&str] = &["keyvault", "usersecretsid", "accessor", "author", "csrf", "xsrf"];
        // Names that say their value is not a real one: a test's stand-in (`fakeToken`,
        // `dummy_password`, `mockSecret`, `nonMatchingToken`, `invalidApiKey`, `exampleKey`).
        // `test` is not one: `test_api_key` is often a provider's real test-mode key.
        const NOT_REAL_PARTS: &[&str] = &[
            "fake",
            "dummy",
            "mock",
            "bogus",
            "invalid",
            "nonmatching",
            "example",
            "sample",
            "placeholder",
        ];
        !(NOT_SECRET_SUFFIXES.iter().any(|s| key.ends_with(s))
            || key.starts_with("public")
            || NOT_SECRET_PARTS.iter().any(|p| key.contains(p))
            || NOT_REAL_PARTS.iter().any(|p| key.contains(p)))
    }

    fn reportable(&self, rule: &Rule, secret: &str, line: &[u8]) -> bool {
        if builtin::PUBLIC_VALUES
            .iter()
            .any(|(id, v, _)| *id == rule.id && *v == secret)
        {
            return false;
        }
        if let Some(min) = rule.entropy
            && shannon(secret) < min
        {
            return false;
        }
        if is_placeholder(secret)
            || is_dpapi_blob(secret)
            || !checksum::holds(secret)
            || (rule.contextual()
                && !contextual_value_ok(
                    secret,
                    rule.id.starts_with("generic-"),
                    rule.id.ends_with("-url-password"),
                ))
        {
            return false;
        }
        if rule
            .allow_values
            .iter()
            .chain(&self.allow_values)
            .any(|re| re.is_match(secret))
        {
            return false;
        }
        let line = String::from_utf8_lossy(line);
        !(ALLOW_MARKERS.iter().any(|m| line.contains(m)) || is_integrity_line(&line))
    }
}

/// Findings in a text as it is (`plain`) and in what its encoded runs decode to (`decoded`, each
/// covering its encoded run), one per secret. A base64 or hex run is one token: a rule that
/// matched it as it is (a generic rule on a base64 password, the Kubernetes Secret rule) gives
/// way to a rule as specific that matched what it decodes to (the GitHub token inside). A
/// percent-encoded stretch is mostly text as it is: there the plain finding stays. A decoded
/// finding also goes when the same secret was found as it is.
fn merge(plain: Vec<Found>, decoded: Vec<Found>) -> Vec<Found> {
    if decoded.is_empty() {
        return plain;
    }
    let overlap = |(a, b): (usize, usize), (x, y): (usize, usize)| a < y && x < b;
    let atomic = |f: &Finding| !f.encoding.as_deref().is_some_and(|e| e.starts_with("percent"));
    let mut out: Vec<Found> = plain
        .iter()
        .filter(|(_, span, rank)| {
            !decoded
                .iter()
                .any(|(d, s, r)| atomic(d) && r <= rank && overlap(*s, *span))
        })
        .cloned()
        .collect();
    out.extend(decoded.into_iter().filter(|(d, span, rank)| {
        !plain.iter().any(|(p, s, r)| {
            p.fingerprint == d.fingerprint || (overlap(*s, *span) && (r < rank || (r == rank && !atomic(d))))
        })
    }));
    out.sort_by_key(|(_, (a, _), _)| *a);
    out
}

/// Whether the gitignore-style globs `g` (relative to the repository root) match `path`: relative
/// to the root, or absolute. A path outside the root matches nothing.
fn glob_matches(g: &Gitignore, path: &Path) -> bool {
    let relative = if path.is_absolute() {
        match path.strip_prefix(g.path()) {
            Ok(r) => r,
            Err(_) => return false,
        }
    } else {
        path
    };
    g.matched_path_or_any_parents(relative, false).is_ignore()
}

/// Inline annotations that mark a line as not a secret (ours, gitleaks', detect-secrets').
pub const ALLOW_MARKERS: &[&str] = &["mpm-hooks: allow", "gitleaks:allow", "pragma: allowlist secret"];

fn line_bounds(text: &[u8], at: usize) -> (usize, usize) {
    let start = text[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let end = text[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| at + i);
    (start, end)
}

/// The line of `at`, and the next one too when this one ends an XML start tag
/// (`<apiToken>` with the value on the line below); a line that ends in `\\` (a shell command
/// continued, as `curl … \\` then `-u user:password` is written) runs on to the lines that
/// continue it, [`MAX_CONTINUED_LINES`] at most.
fn keyword_span(text: &[u8], at: usize) -> (usize, usize) {
    let (start, mut end) = line_bounds(text, at);
    let last = |from: usize, to: usize| {
        text[from..to]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map(|i| text[from + i])
    };
    if last(start, end) == Some(b'>') && end < text.len() {
        return (start, line_bounds(text, end + 1).1);
    }
    let mut line_start = start;
    for _ in 0..MAX_CONTINUED_LINES {
        if last(line_start, end) != Some(b'\\') || end >= text.len() {
            break;
        }
        line_start = end + 1;
        end = line_bounds(text, line_start).1;
    }
    (start, end)
}

/// Continuation lines a keyword's span takes in (a long `curl` command runs to about ten).
const MAX_CONTINUED_LINES: usize = 10;

/// The name a generic rule's match starts in: the word characters around `at`.
fn key_at(text: &[u8], at: usize) -> &str {
    let word = |b: &u8| b.is_ascii_alphanumeric() || b"_-.".contains(b);
    let start = text[..at].iter().rposition(|b| !word(b)).map_or(0, |i| i + 1);
    let end = text[at..].iter().position(|b| !word(b)).map_or(text.len(), |i| at + i);
    std::str::from_utf8(&text[start..end]).unwrap_or("")
}

/// `8-4-4-4-12` hex digits: an identifier (a Jenkins credentials ID, a .NET UserSecretsId).
fn is_uuid(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The longest value a generic rule takes. Issued keys and bearer tokens stay under it (a
/// Facebook page token is about 250 characters); longer runs under a secret-like name are encoded
/// documents (a signed payload, a certificate chain, an image), which the provider rules and the
/// decoders look into. (gitleaks' generic-api-key stops at 150, which loses such tokens.)
const GENERIC_MAX_LEN: usize = 512;

/// A version in the value (`jjwt-jackson-0.11.2`, `rc0.13.0_20230412`): a package coordinate or
/// a release name, which random key alphabets (base64, hex) never write.
fn has_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(5).enumerate().any(|(i, w)| {
        w[0].is_ascii_digit()
            && w[1] == b'.'
            && w[2].is_ascii_digit()
            && (w[3] == b'.' || (w[3].is_ascii_digit() && w[4] == b'.'))
            && (i == 0 || !b[i - 1].is_ascii_alphabetic())
    })
}

/// A name in code: a path (`proc_macro2::TokenStream`, `super::Foundation::HANDLE`) or an
/// upper-case constant (`MSV1_0_PROTOCOL_MESSAGE_TYPE`, `IKEEXT_CREDENTIAL0`), as a type
/// annotation or a constant's value writes it.
fn is_code_name(v: &str) -> bool {
    let constant = v.contains('_')
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && v.split('_')
            .any(|w| w.len() >= 4 && w.bytes().all(|b| b.is_ascii_uppercase()));
    constant || v.split("::").filter(|p| !p.is_empty()).count() >= 2
}

/// `name@host.tld`: an e-mail address, an identifier.
fn is_email(v: &str) -> bool {
    let Some((local, host)) = v.split_once('@') else {
        return false;
    };
    let part = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
    !local.is_empty()
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
        && host.contains('.')
        && host.split('.').all(part)
}

/// An expression, not a literal (detect-secrets' `is_indirect_reference`): a name followed by a
/// call or an index (`get_secret_key()`, `request.headers['apikey']`, `config[`).
fn is_indirect_reference(v: &str) -> bool {
    let name = v
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || b"_.$-".contains(b))
        .count();
    name > 0 && matches!(v.as_bytes().get(name), Some(b'(' | b'['))
}

/// Words, not random characters: capitalised words (`AgencyIdentificationCodeContentType`,
/// three or more, of three letters or more) cover at least 60% of the value. In random base62 a
/// capital then two lower-case letters starts at one place in about fourteen.
fn is_words(v: &str) -> bool {
    let b = v.as_bytes();
    let (mut words, mut covered, mut i) = (0, 0, 0);
    while i < b.len() {
        if b[i].is_ascii_uppercase() {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_lowercase()).count();
            if n >= 2 {
                words += 1;
                covered += n + 1;
            }
            i += n + 1;
        } else {
            i += 1;
        }
    }
    words >= 3 && covered * 10 >= b.len() * 6
}

/// A stretch of at least 12 characters that repeats a unit of 1 to 4 (`aaaaaaaaaaaa`,
/// `123123123123`), after any run the value starts with (a Twitter bearer token starts with 21 A's
/// by format).
fn has_filler(v: &str) -> bool {
    let b = v.as_bytes();
    let lead = b.iter().take_while(|&&c| Some(&c) == b.first()).count();
    let b = if lead >= 8 { &b[lead..] } else { b };
    (1..=4).any(|p| {
        let mut run = 0;
        for i in p..b.len() {
            run = if b[i] == b[i - p] { run + 1 } else { 0 };
            if run + p >= 12 {
                return true;
            }
        }
        false
    })
}

/// A template inside the value (`${DB_PASSWORD}`, `${env:X}`, `{{ vault_token }}`, `<password>`,
/// `%(password)s`): a name or an expression in its delimiters, not symbols strewn in a password
/// (`m{{h}o)p${e]nob(...}}` is none).
fn has_template(v: &str) -> bool {
    let within = |open: &str, close: &str, ok: fn(char) -> bool| {
        v.match_indices(open).any(|(i, _)| {
            let rest = &v[i + open.len()..];
            rest.find(close).is_some_and(|j| rest[..j].chars().all(ok))
        })
    };
    within("${", "}", |c| c.is_alphanumeric() || "_.:-/| '\"".contains(c))
        || within("{{", "}}", |c| c != '{' && c != '}')
        || within("<", ">", |c| c != '<')
        || within("%(", ")", |c| c.is_alphanumeric() || c == '_')
}

/// What a `{...}` holds in a template: a name (`{apikey}`, `{API_TOKEN}`) or an expression
/// (`{base64(email:password)}`), not random characters.
fn is_template(inner: &str) -> bool {
    inner.chars().all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-') || inner.chars().any(|c| "()[] ".contains(c))
}

/// Eight or more characters in a row, each the one after the previous in `0-9` or `a-z`
/// (`abcdefgh`, `12345678`, `klmnopqr`): typed by hand. In random base62 any one place starts
/// such a run with a chance of 1 in 62^7.
fn has_sequence(lower: &str) -> bool {
    let mut run = 1;
    for w in lower.as_bytes().windows(2) {
        let next = w[0].is_ascii_alphanumeric() && w[1] == w[0] + 1 && w[0] != b'9';
        run = if next { run + 1 } else { 1 };
        if run >= 8 {
            return true;
        }
    }
    false
}

fn line_of(text: &[u8], at: usize) -> &[u8] {
    let (start, end) = line_bounds(text, at);
    &text[start..end]
}

fn is_integrity_line(line: &str) -> bool {
    line.contains("integrity") && (line.contains("sha512-") || line.contains("sha384-") || line.contains("sha1-"))
}

/// Base64 of a Windows DPAPI blob (version 1, then the provider GUID
/// df9d8cd0-1501-11d1-8c7a-00c04fc297eb): a secret encrypted for one user on one machine, as
/// NuGet's `Password` and .NET's `ProtectedData` store it; only that account can decrypt it.
fn is_dpapi_blob(v: &str) -> bool {
    v.starts_with("AQAAANCMnd8BFdERjHoAwE/Cl+")
}

/// Values that are documentation, not credentials.
pub fn is_placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    if l.starts_with("-----begin") || l.starts_with("putty-user-key-file") {
        // A key block: a placeholder only when its body is elided or a template.
        let body: String = l.lines().skip(1).filter(|x| !x.starts_with("-----")).collect();
        return body.contains("...") || body.contains("xxxx") || body.contains('<') || body.contains("example");
    }
    const WORDS: &[&str] = &[
        "example",
        "placeholder",
        "changeme",
        "change_me",
        "change-me",
        "dummy",
        "redacted",
        "sample",
        "environ",
        "getenv",
        "process.env",
        "env::var",
        "env(",
        "env[",
    ];
    // `<` opens a template (`<your-password>`, `<user:password>`); a `>` alone is a symbol.
    if WORDS.iter().any(|w| l.contains(w)) || l.contains('<') || l.ends_with('>') || has_template(v) {
        return true;
    }
    if l.contains("your")
        && ["here", "key", "token", "secret", "password", "_id"]
            .iter()
            .any(|w| l.contains(w))
    {
        return true;
    }
    if [
        "xxxx",
        "****",
        "....",
        "----",
        "____",
        "0000000000",
        "1234567890",
        "abcdef123456",
    ]
    .iter()
    .any(|w| l.contains(w))
    {
        return true;
    }
    if v.starts_with('$')
        || (v.starts_with('%') && v.ends_with('%'))
        || (v.starts_with('[') && v.ends_with(']'))
        || (v.starts_with('{') && v.ends_with('}') && is_template(&v[1..v.len() - 1]))
    {
        return true;
    }
    // Elided (`ops_eyJ...`), filler (`AIzaaaaaaaaa…`, `glc_1111…`), or a stretch of the alphabet
    // or the digits in order (`…-klmnopqrstuvwx-…`).
    if v.starts_with("...") || v.ends_with("...") || has_filler(v) || has_sequence(&l) {
        return true;
    }
    // Common development defaults in connection strings.
    matches!(
        l.as_str(),
        "password"
            | "pass"
            | "passwd"
            | "pwd"
            | "secret"
            | "postgres"
            | "root"
            | "admin"
            | "test"
            | "mysql"
            | "redis"
            | "guest"
            | "user"
            | "123456"
            | "12345678"
            | "password123"
            | "mongo"
            | "rabbitmq"
    )
}

/// For keyword-context and generic rules: a credential mixes kinds of characters (the generic
/// rules insist on letters and digits), and is not a path, a dotted name, or an identifier.
/// `userinfo`: the value is the password of a URL (`scheme://user:PASSWORD@host`), which people
/// choose: a long one with no digit is still a password there.
fn contextual_value_ok(v: &str, generic: bool, userinfo: bool) -> bool {
    let has = |f: fn(&char) -> bool| v.chars().any(|c| f(&c));
    let (lower, upper, digit) = (
        has(char::is_ascii_lowercase),
        has(char::is_ascii_uppercase),
        has(char::is_ascii_digit),
    );
    let symbol = has(|c| !c.is_ascii_alphanumeric());
    // A character no key alphabet uses (base64, base64url, hex, dotted or dashed names) and no
    // escape (`\n`): a password's (`!`, `#`, `$`, `(`, `{`).
    let password_symbol = has(|c| !c.is_ascii_alphanumeric() && !"_.-/+=\\".contains(*c));
    let kinds = [lower, upper, digit, symbol].iter().filter(|&&k| k).count();
    if v.contains("://") && !v.contains('@') {
        return false; // a URL with no credentials in it
    }
    // A provider-named value of one kind of character: only a long run of digits (Discord's
    // 32-character secret may be all digits); `is_placeholder` has taken `1234567890`.
    let digits_only = !generic && v.len() >= 20 && v.bytes().all(|b| b.is_ascii_digit());
    // The generic rules: letters with digits, or with a password's symbols (gitleaks drops
    // `^[a-zA-Z_.-]+$`, detect-secrets a value with no letter).
    if (kinds < 2 && !digits_only) || (generic && !((digit || password_symbol) && (lower || upper))) {
        return false;
    }
    // Random keys of 16 or more characters from an alphabet with digits have one (98% at 24
    // characters); `s.AcceptanceTimeoutSeconds` and `s.THISSTRINGISALLUPPERCASE` have none.
    if !digit && v.len() >= 16 && !userinfo && !password_symbol {
        return false;
    }
    let letters = v.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let identifier = v.chars().all(|c| c.is_ascii_alphabetic() || c == '_') && (!(lower && upper) || camel_words(v));
    // A dotted name (`config.db.password`), or a URL's host after its credentials
    // (`@cluster0.mongodb.net` in `mongodb://<user>:<password>@cluster0.mongodb.net`).
    let host = v.strip_prefix('@').unwrap_or(v);
    let dotted = host.contains('.')
        && host
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 20 && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    // A path starts at a root or is made of words; base64 (an AWS secret key) mixes digits in.
    let path = v.contains('/')
        && !v.contains('+')
        && (["/", "./", "../", "~/"].iter().any(|p| v.starts_with(p))
            || v.split('/').all(|p| !p.chars().any(|c| c.is_ascii_digit())))
        && v.split('/')
            .filter(|p| !p.is_empty())
            .all(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    (letters > 0 || digits_only) && !identifier && !dotted && !path
}

/// `getPasswordFromVault`, `PasswordField`: words, each an upper-case letter then lower-case ones.
fn camel_words(v: &str) -> bool {
    let mut segments = Vec::new();
    let mut current = String::new();
    for c in v.chars().filter(|c| *c != '_') {
        if c.is_ascii_uppercase() && !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    segments.push(current);
    segments
        .iter()
        .skip(1)
        .all(|s| s.len() >= 2 && s.chars().skip(1).all(|c| c.is_ascii_lowercase()))
}

/// Shannon entropy in bits per character.
pub fn shannon(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let bytes = s.as_bytes();
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// The first four characters, then `…`: enough to recognise, never enough to use. A value under
/// 12 characters (a custom rule's PIN or short key) shows nothing: four of six would be most of it.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = if n < 12 { 0 } else { 4.min(n / 3) };
    let head: String = secret.chars().take(shown).collect();
    format!("{head}…")
}

pub fn fingerprint(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner() -> Scanner {
        Scanner::new(&SecretsConfig::default(), Path::new("/r")).unwrap()
    }

    #[test]
    fn at_least_a_hundred_rules_with_unique_ids() {
        let ids = builtin_ids();
        assert!(ids.len() >= 100, "{}", ids.len());
        let unique: HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }

    /// Each rule fires on its own positive example and not on its negative one.
    #[test]
    fn every_rule_fires_on_its_example_only() {
        let s = scanner();
        let mut wrong = Vec::new();
        for def in builtin() {
            // A file format's rule reads its examples as a file of that format.
            let path = builtin::FILE_SCOPED
                .iter()
                .find(|(id, _)| *id == def.id)
                .map_or("src/app.py", |(_, names)| names[0]);
            let mut found = Vec::new();
            s.scan(path, def.example.as_bytes(), 1, &mut found);
            if !found.iter().any(|f| f.rule == def.id) {
                wrong.push(format!(
                    "{} did not fire on its example (found {:?})",
                    def.id,
                    found.iter().map(|f| &f.rule).collect::<Vec<_>>()
                ));
            }
            let mut found = Vec::new();
            s.scan(path, def.negative.as_bytes(), 1, &mut found);
            if found.iter().any(|f| f.rule == def.id) {
                wrong.push(format!("{} fired on its negative example: {:?}", def.id, def.negative));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn placeholders_never_fire() {
        let s = scanner();
        for line in [
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "api_key = \"xxxxxxxxxxxxxxxxxxxxxxxx\"",
            "token = \"****************\"",
            "password = \"<your-password>\"",
            "secret = \"${APP_SECRET}\"",
            "token: \"{{ vault_token }}\"",
            "api_key = \"your-api-key-here\"",
            "password = \"changeme\"",
            "api_key = os.environ[\"API_KEY\"]",
            "const token = process.env.GITHUB_TOKEN",
            "let key = std::env::var(\"API_KEY\")?;",
            "\"integrity\": \"sha512-Q2F0Y2hUaGVIYXNoV2l0aEFMb25nQmFzZTY0U3RyaW5nVGhhdExvb2tzUmFuZG9tMTIzNDU2Nzg5\"",
            // Filler shaped like a token.
            "apiKey: \"AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            "SENTRY_AUTH_TOKEN=sntryu_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "API_KEY=\"glc_111111111111111111111111111111111111111111=\"",
            "gitlab_api_token = \"GR134894112312312312312312312\"",
            // Elided, or the alphabet in order.
            "export OP_SERVICE_ACCOUNT_TOKEN=ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...",
            "secret_key => \"sk_abcdefghijklmnopqrstuvwxyz123\"",
            "ANTHROPIC_KEY=\"sk-ant-admin01-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaaogaopaaaabc123xyzAA\"",
            // A template, not a value.
            "curl -H \"Authorization: basic {base64(email:password)}\" https://h/api",
            "password = \"{db_password}\"",
            // A malformed token of a known provider is not a generic secret.
            "github_token = \"ghp_4a9Kd02LmZq7Xw1\"",
            "slack_api_token = \"xoxb-12345-abcd234\"",
            "telegram_api_token = \"2858:A1o_wsgzj2dasrnm-r7-xd2aiogyw0a_0g0\"",
            // Identifiers and non-secret names.
            "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'",
            "LLM_SECRET_NAME = \"NEXUS-GPT4-API-KEY\"",
            "vault_api_token = \"s.AcceptanceTimeoutSeconds\"",
            // A public example key, allowed by name.
            "gcp_api_token = \"AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs\"",
        ] {
            let mut found = Vec::new();
            s.scan("src/app.py", line.as_bytes(), 1, &mut found);
            assert!(
                found.is_empty(),
                "{line}: {:?}",
                found.iter().map(|f| &f.rule).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn inline_allow_markers() {
        let s = scanner();
        let key = builtin().iter().find(|r| r.id == "github-pat").unwrap().example;
        for marker in ALLOW_MARKERS {
            let mut found = Vec::new();
            s.scan("a.py", format!("{key}  # {marker}").as_bytes(), 1, &mut found);
            assert!(found.is_empty(), "{marker}");
        }
    }

    #[test]
    fn line_numbers_and_redaction() {
        let s = scanner();
        let key = builtin().iter().find(|r| r.id == "github-pat").unwrap().example;
        let text = format!("a\nb\n{key}\n");
        let mut found = Vec::new();
        s.scan("a.py", text.as_bytes(), 10, &mut found);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 12);
        assert_eq!(found[0].redacted, "ghp_…");
        assert_eq!(redact("abcdef"), "…");
        assert_eq!(redact("abcdefghijk"), "…");
        assert_eq!(redact("abcdefghijkl"), "abcd…");
    }

    #[test]
    fn a_change_with_no_keyword_compiles_no_regex() {
        let s = scanner();
        let mut found = Vec::new();
        s.scan("a.rs", b"fn main() { println!(\"hello\"); }", 1, &mut found);
        assert!(s.rules.iter().all(|r| r.compiled.get().is_none()));
    }

    #[test]
    fn identifiers_are_not_credentials() {
        assert!(camel_words("getPasswordFromVault"));
        assert!(!camel_words("gSDhXdNEBYXASP"));
        assert!(!contextual_value_ok("getPasswordFromVault", true, false));
        assert!(!contextual_value_ok("config.db.password", false, false));
        assert!(!contextual_value_ok("/etc/secrets/db", false, false));
        assert!(contextual_value_ok("gSDhXdNEBYXASP", false, false));
        assert!(contextual_value_ok("s3cr3tP4ssw0rd!", true, false));
    }

    #[test]
    fn filler_and_public_values() {
        assert!(has_filler("AIzaaaaaaaaaaaaaaaaaaaaa"));
        assert!(has_filler("x123123123123y"));
        assert!(!has_filler("AAAAAAAAAAAAAAAAAAAAAk3Jd8vQ2mXz9Lp4Rt7Wn1Bc6Yh0Fg5"));
        assert!(!has_filler("k3v9q0x2m7w4t8r1z6p5n0c3b8y2d7f4h1j6l9s0"));
        assert!(is_uuid("79a3edd0-2092-40a2-a04d-dcb46d5ca9ed"));
        assert!(!is_uuid("79a3edd0-2092-40a2-a04d"));
        assert!(!contextual_value_ok("s.THISSTRINGISALLUPPERCASE", false, false));
        // A URL's password is chosen by people: letters alone, long, are still a password.
        assert!(!contextual_value_ok("kcYIqGOLSgSaCNNa", false, false));
        assert!(contextual_value_ok("kcYIqGOLSgSaCNNa", false, true));
        assert!(!contextual_value_ok("@cluster0.mongodb.net", true, false));
        assert!(contextual_value_ok(
            "Hq8/Tz3LkW9pVx2Rb7Nc4Ym6Qd1Sf5Gh0Jk8Lz3A",
            false,
            false
        ));
        for (id, _, why) in builtin::PUBLIC_VALUES {
            assert!(builtin_ids().contains(id), "{id}");
            assert!(!why.is_empty());
        }
    }

    /// Shapes that the rules' own examples do not show.
    #[test]
    fn more_shapes_fire() {
        let s = scanner();
        for (line, rule) in [
            ("curl -u \"k7Qz2LmX9vW4pR1t:\" https://api.h.io/v1", "curl-auth-user"),
            ("curl --user ops@corp.io:pQ9wTxu4Fg https://h.io", "curl-auth-user"),
            (
                "curl --user \"{a1b2}\":\"{ZqL5kVrX1n8tA2}\" https://h.io",
                "curl-auth-user",
            ),
            ("creds = xhgCFkbOpklOu9aW7OTCHOqFvGyO9X", "generic-secret-assignment"),
            ("private-key: w2JbRlwcHPc0XU1OaywZtG7puu", "generic-secret-assignment"),
        ] {
            let mut found = Vec::new();
            s.scan("notes.txt", line.as_bytes(), 1, &mut found);
            assert!(found.iter().any(|f| f.rule == rule), "{line}: {found:?}");
        }
    }

    /// Formats read from the providers' documents (sources in the rules' comments): each with a
    /// value the format takes and one it does not.
    #[test]
    fn provider_documented_formats() {
        let s = scanner();
        let rules = |path: &str, text: &str| {
            let mut found = Vec::new();
            s.scan(path, text.as_bytes(), 1, &mut found);
            found.into_iter().map(|f| f.rule).collect::<Vec<_>>()
        };
        let hex40 = "4f0a9c3e8b71d2a65e90f3c7b18d42ea6c05b9f1";
        // curl's -u on a line that continues the command; not on a line after it ends.
        let continued =
            "curl -k -X POST https://ci.h.io/hello \\\n  -H 'Accept: text/plain' \\\n  -u dev:yqDVtkqPECriaL";
        assert!(rules("run.sh", continued).contains(&"curl-auth-user".into()));
        let ended = "curl -k -X POST https://ci.h.io/hello\nlogin -u dev:yqDVtkqPECriaL";
        assert!(!rules("run.sh", ended).contains(&"curl-auth-user".into()));
        // EasyPost test keys (`EZTK`) as production ones; not a short one.
        let eztk = "t=EZTK8a4Mw0ixEag2VevuH6LsfR28gOkp3RxSQb3NDeVkLWQ8Qhl6qmeZE4&q=1";
        assert_eq!(rules("notes.txt", eztk), ["easypost-api-key"]);
        assert!(rules("notes.txt", "t=EZTK8a4Mw0ixEag2VevuH6&q=1").is_empty());
        // Sourcegraph v2 (`sgp_` + 40 hex); not 39.
        assert_eq!(
            rules("notes.txt", &format!("sgp_{hex40}")),
            ["sourcegraph-access-token"]
        );
        assert!(rules("notes.txt", &format!("sgp_{}", &hex40[1..])).is_empty());
        // Facebook app access token: app id, `|`, secret, next to a Facebook name; `%7C` too.
        assert_eq!(
            rules("notes.txt", "facebook 1308742762612587%7CrhoK1cbv0DOU_RTX_87O4MkX7AI"),
            ["facebook-app-access-token"]
        );
        assert!(rules("notes.txt", "page 1308742762612587|rhoK1cbv0DOU_RTX_87O4MkX7AI").is_empty());
        // NuGet: `Password` in clear in a nuget.config; DPAPI-encrypted, or in another file, or
        // the reference page's own samples: not this rule's.
        let clear = r#"<add key="Password" value="f7Hq2mZ0pLw9" />"#;
        assert_eq!(rules("NuGet.Config", clear), ["nuget-config-password-unencrypted"]);
        assert!(!rules("web.config", clear).contains(&"nuget-config-password-unencrypted".into()));
        let dpapi = r#"<add key="Password" value="AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAeXk1SEuJ3UuOgrKWqXQ0ZAAAAAACAAAAAAAQZgAAAAEAACAAAAC0" />"#;
        assert!(rules("nuget.config", dpapi).is_empty());
        assert!(rules("nuget.config", r#"<add key="ClearTextPassword" value="33f!!lloppa" />"#).is_empty());
        // A PKCS#12 key store by its name, whatever it holds; not a name that only starts so.
        assert_eq!(rules("certs/es_kibana_client.p12", "\n"), ["pkcs12-file"]);
        assert_eq!(rules("ToDo.UWP_TemporaryKey.PFX", ""), ["pkcs12-file"]);
        assert!(rules("doc/type.P126.html", "\n").is_empty() && rules(".p12", "").is_empty());
        // Only where a file is scanned from its first line.
        let mut found = Vec::new();
        s.scan("client.p12", b"x", 7, &mut found);
        assert!(found.is_empty());
        let cfg = SecretsConfig {
            disable: vec!["pkcs12-file".into()],
            ..SecretsConfig::default()
        };
        let quiet = Scanner::new(&cfg, Path::new("/r")).unwrap();
        let mut found = Vec::new();
        quiet.scan("client.p12", b"", 1, &mut found);
        assert!(found.is_empty());
    }

    /// gitleaks' own examples for these providers are placeholders (a run of the digits or the
    /// alphabet in order, one letter repeated): the format's rule takes a random value of the
    /// same shape, and the placeholder is not reported.
    #[test]
    fn provider_formats_take_random_values_not_placeholders() {
        let s = scanner();
        for (line, placeholder, random, rule) in [
            (
                "snykToken = \"{}\"",
                "12345678-ABCD-ABCD-ABCD-1234567890AB",
                "8690C547-FD5C-4A5A-9537-FF6AA2D66F24",
                "snyk-token",
            ),
            (
                "MessageBirdToken = {}",
                "12345678-ABCD-ABCD-ABCD-1234567890AB",
                "8690c547-fd5c-4a5a-9537-ff6aa2d66f24",
                "messagebird-client-id",
            ),
            (
                "sonarToken := \"{}\"",
                "12345678ABCDEFH1234567890ABCDEFH12345678",
                "327013fe2474a1323aa8adef4f98661315efa78e",
                "sonar-api-token",
            ),
            (
                "ageToken: {}",
                "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
                "AGE-SECRET-KEY-10DTQH8EQG0JQUKRVMQT4Z4V37NY7EWSNDW27PKSMLY5JY63PNSWQ3PAH97",
                "age-secret-key",
            ),
        ] {
            let scan = |value: &str| {
                let mut found = Vec::new();
                s.scan("app.ini", line.replace("{}", value).as_bytes(), 1, &mut found);
                found.into_iter().map(|f| f.rule).collect::<Vec<_>>()
            };
            assert_eq!(scan(random), [rule], "{line}");
            assert!(scan(placeholder).is_empty(), "{line}: {placeholder}");
        }
    }

    /// A name that says its value is a stand-in (a test's `nonMatchingToken`, `fakePassword`)
    /// holds no secret; the same value under a plain name does.
    #[test]
    fn names_that_say_the_value_is_not_real() {
        let s = scanner();
        for name in [
            "nonMatchingToken",
            "fake_password",
            "dummySecret",
            "mock_api_key",
            "invalidToken",
        ] {
            let mut found = Vec::new();
            s.scan(
                "a.go",
                format!("{name} := \"sm_pat_rgfjdQuwj2x9Lk\"").as_bytes(),
                1,
                &mut found,
            );
            assert!(found.is_empty(), "{name}: {found:?}");
        }
        let mut found = Vec::new();
        s.scan("a.go", b"settlemintToken := \"sm_pat_rgfjdQuwj2x9Lk\"", 1, &mut found);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    /// The generic rules' value filters, each a documented criterion (detect-secrets'
    /// heuristics, gitleaks' generic-api-key allowlist).
    #[test]
    fn generic_value_filters() {
        assert!(has_template("${DB_PASSWORD}") && has_template("x{{ vault_pw }}") && has_template("%(pw)s"));
        assert!(!has_template("m{{h}o)p${e]nob(ody[finds>-_$#thisone}}"));
        assert!(is_words("clm03530:AgencyIdentificationCodeContentType"));
        assert!(!is_words("Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"));
        assert!(is_email("noreply@corp-mail.io") && !is_email("pa55@word"));
        assert!(is_indirect_reference("get_secret_key()") && is_indirect_reference("request.headers["));
        assert!(!is_indirect_reference("m{{h}o)p(x)"));
        assert!(has_version("jjwt-jackson-0.11.2") && !has_version("Hq8/Tz3L.0k9Vx2Rb"));
        assert!(is_code_name("MSV1_0_PROTOCOL_MESSAGE_TYPE") && is_code_name("proc_macro2::TokenStream"));
        assert!(!is_code_name("Zf3D0_LXCM3EIMbgJpUNnkRtOfOueHznB") && !is_code_name("AKIALACI57K43PEADJ4S"));
        // Letters with a password's symbols are a password; letters with `_.-` are a name.
        assert!(contextual_value_ok(
            "m{{h}o)p${e]nob(ody[finds>-_$#thisone}}",
            true,
            false
        ));
        assert!(!contextual_value_ok("hope-nobody_finds.thisone", true, false));
    }

    /// Generic secrets in the syntaxes detect-secrets documents, and code that only names one.
    #[test]
    fn generic_syntaxes_and_code() {
        let s = scanner();
        let fire = |line: &str| {
            let mut found = Vec::new();
            s.scan("src/app.c", line.as_bytes(), 1, &mut found);
            found.iter().any(|f| f.rule == "generic-secret-assignment")
        };
        for line in [
            "if (db_pass !== \"Zq7vR2mX9kL4pW8s\") {",
            "if (\"Zq7vR2mX9kL4pW8s\" == my_password) {",
            "char secrete[25] = \"Zq7vR2mX9kL4pW8s\";",
            "password = @\"Zq7vR2mX9kL4pW8s\";",
            "std::string secret(\"Zq7vR2mX9kL4pW8s\");",
            "conn.setPassword(\"Zq7vR2mX9kL4pW8s\");",
            "password \"Zq7vR2mX9kL4pW8s\";",
            "key_pass: \"m{{h}o)p$#e]nob(ody[finds!\"",
        ] {
            assert!(fire(line), "{line}");
        }
        for line in [
            "pub szEncPassword: windows_sys::core::PSTR,",
            "pub const MsV1_0ChangePassword: MSV1_0_PROTOCOL_MESSAGE_TYPE = 5i32;",
            "pub type TokenStream2 = proc_macro2::TokenStream;",
            "semi_token: Token![;](span),",
            "DiffableStr::tokenize_lines(\"first\\nsecond\\rthird\"),",
            "token = generate_token(user_id_2024)",
            "notes = \"Maven - io.jsonwebtoken:jjwt-jackson-0.11.2\"",
            "password_reset_from = \"noreply2@corp-mail.io\"",
            "\"password\": \"%20!%22$%&'()*+,-.%3A%3B%3C%3D%3E%40\"",
        ] {
            assert!(!fire(line), "{line}");
        }
    }

    #[test]
    fn sequences_and_templates() {
        assert!(has_sequence("x-klmnopqr-y"));
        assert!(has_sequence("a12345678"));
        assert!(!has_sequence("abc123xyz-456def789"));
        assert!(is_template("apikey"));
        assert!(is_template("base64(email:password)"));
        assert!(!is_template("ZqL5kVrX1n8tA2"));
    }

    /// Standard base64, padded (the tests' own encoder).
    fn b64(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                out.push(if i <= chunk.len() {
                    A[(n >> (18 - 6 * i) & 63) as usize] as char
                } else {
                    '='
                });
            }
        }
        out
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn github_token() -> &'static str {
        let line = builtin().iter().find(|r| r.id == "github-pat").unwrap().example;
        line.split_once('=').unwrap().1
    }

    fn found_in(text: &str) -> Vec<Finding> {
        let mut found = Vec::new();
        scanner().scan("k8s/secret.yaml", text.as_bytes(), 1, &mut found);
        found
    }

    /// The finding is the token's, at the encoded run's line, redacted as any other: neither
    /// the token nor its encoding shows.
    fn assert_found_encoded(text: &str, line: u32, encoding: &str, encoded: &str) {
        let found = found_in(text);
        assert_eq!(found.len(), 1, "{text}\n{found:?}");
        let f = &found[0];
        assert_eq!((f.rule.as_str(), f.line), ("github-pat", line), "{f:?}");
        assert_eq!(f.encoding.as_deref(), Some(encoding));
        assert!(f.description.ends_with(&format!(" ({encoding}-encoded)")), "{f:?}");
        assert_eq!(f.redacted, "ghp_…");
        assert_eq!(f.fingerprint, fingerprint(github_token()));
        let shown = format!("{f:?}{}", serde_json::to_string(f).unwrap());
        assert!(!shown.contains(github_token()) && !shown.contains(encoded), "{shown}");
    }

    #[test]
    fn a_base64_token_in_a_kubernetes_secret() {
        let encoded = b64(github_token().as_bytes());
        let yaml =
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ntype: Opaque\ndata:\n  token: {encoded}\n");
        assert_found_encoded(&yaml, 7, "base64", &encoded);
        // As it is, the run is only the Secret's data: nobody's token.
        let plain = Scanner::new(
            &SecretsConfig {
                decode: false,
                ..SecretsConfig::default()
            },
            Path::new("/r"),
        )
        .unwrap();
        let mut found = Vec::new();
        plain.scan("k8s/secret.yaml", yaml.as_bytes(), 1, &mut found);
        assert_eq!(
            found.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            ["kubernetes-secret-yaml"]
        );
    }

    #[test]
    fn a_percent_encoded_token_in_a_url() {
        let url = format!("https%3A%2F%2Fbot%3A{}%40github.com%2Forg%2Frepo.git", github_token());
        let text = format!("[remote]\nmirror = \"https://ci.corp.io/sync?to={url}\"\n");
        assert_found_encoded(&text, 2, "percent", &url);
        // `%5F` for the underscore too.
        let url = format!("token=ghp%5F{}", &github_token()[4..]);
        assert_found_encoded(&format!("curl 'https://h.io/a?{url}'"), 1, "percent", &url);
    }

    #[test]
    fn a_hex_encoded_and_a_nested_base64_token() {
        let encoded = hex(github_token().as_bytes());
        assert_found_encoded(&format!("x = 1\nGH_TOKEN_HEX={encoded}\n"), 2, "hex", &encoded);
        let encoded = b64(b64(github_token().as_bytes()).as_bytes());
        assert_found_encoded(
            &format!("variables:\n  BLOB: \"{encoded}\"\n"),
            2,
            "base64+base64",
            &encoded,
        );
        let once = b64(github_token().as_bytes());
        let encoded = once.replace('=', "%3D");
        assert_found_encoded(
            &format!("u = \"https://h.io/?t={encoded}\""),
            1,
            "percent+base64",
            &encoded,
        );
    }

    #[test]
    fn one_finding_for_a_secret_found_plain_and_encoded() {
        let text = format!(
            "TOKEN={}\nTOKEN_B64={}\n",
            github_token(),
            b64(github_token().as_bytes())
        );
        let found = found_in(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].line, found[0].encoding.as_ref()), (1, None));
        // A generic rule on the run itself gives way to the token inside it.
        let text = format!("password: \"{}\"\n", b64(github_token().as_bytes()));
        let found = found_in(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "github-pat");
    }

    #[test]
    fn encoded_data_that_holds_no_secret() {
        // Random bytes (an image, a key file, compressed data), from a fixed generator.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let random: Vec<u8> = (0..3000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let blob = b64(&random);
        let wrapped: Vec<String> = blob
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).to_string())
            .collect();
        let prose = b64(b"The quick brown fox jumps over the lazy dog, twice, before the token expires at noon.");
        let sha256 = hex(&Sha256::digest(b"release-1.2.3.tar.gz"));
        for text in [
            format!("data:\n  logo.png: {blob}\n"),
            format!("-----BEGIN DATA-----\n{}\n-----END DATA-----\n", wrapped.join("\n")),
            format!("motd: {prose}\n"),
            format!("sha256 = \"{sha256}\"\n"),
            format!("digest: sha256:{sha256}\n"),
            "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'\n".to_string(),
            // What decodes to a placeholder or a template.
            format!("note: {}\n", b64(b"password = \"changeme-please\"")),
            format!("env: {}\n", b64(b"GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}")),
        ] {
            let found = found_in(&text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }

    #[test]
    fn an_allow_marker_on_the_encoded_line_holds() {
        let text = format!("token: {}  # mpm-hooks: allow\n", b64(github_token().as_bytes()));
        assert!(found_in(&text).is_empty());
    }

    #[test]
    fn entropy() {
        assert!(shannon("aaaaaaaa") < 0.01);
        assert!(shannon("aB3$kL9@pQ2!") > 3.5);
    }
}

/// What a scan found and left out.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    /// Commits walked (history scans).
    pub commits: usize,
}

/// Files and folders, in parallel; hidden files included, .gitignore honoured unless
/// `no_ignore`. Paths are shown relative to `base` when under it.
pub fn scan_paths(scanner: &Scanner, paths: &[std::path::PathBuf], base: &Path, no_ignore: bool) -> Result<Outcome> {
    use std::sync::Mutex;
    for p in paths {
        if !p.exists() {
            return Err(Error::Read {
                path: p.clone(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
    }
    // A pipe named on the command line (`scan <(cat file)`, a mkfifo) is read as a file: the
    // walk below takes only regular files.
    let (pipes, paths): (Vec<&std::path::PathBuf>, Vec<&std::path::PathBuf>) = paths.iter().partition(|p| is_pipe(p));
    let mut piped = Outcome::default();
    for path in pipes {
        let mut content = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| {
                std::io::Read::read_to_end(&mut std::io::Read::take(file, scanner.max_file_size + 1), &mut content)
            })
            .map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
        let shown = path.strip_prefix(base).unwrap_or(path).to_string_lossy().to_string();
        match scanner.skip_reason(&content) {
            Some(reason) => piped.skipped.push(Skipped { path: shown, reason }),
            None => scanner.scan_at(&shown, &base.join(path), &content, 1, &mut piped.findings),
        }
    }
    let Some((first, rest)) = paths.split_first() else {
        return Ok(piped);
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    builder
        .hidden(false)
        .ignore(!no_ignore)
        .git_ignore(!no_ignore)
        .git_global(!no_ignore)
        .git_exclude(!no_ignore)
        .parents(!no_ignore)
        .filter_entry(|e| e.file_name() != ".git");
    let result = Mutex::new(piped);
    let errors = Mutex::new(Vec::new());
    {
        let (result, errors) = (&result, &errors);
        builder.build_parallel().run(|| {
            // One buffer per thread, reused for every file: a fresh allocation per file costs a
            // page fault per 4 KB of it.
            let mut content = Vec::new();
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                let path = entry.path();
                let shown = path
                    .strip_prefix(base)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .trim_start_matches("./")
                    .to_string();
                let location = base.join(path);
                if scanner.path_allowed(&location) {
                    return ignore::WalkState::Continue;
                }
                let mut local = Outcome::default();
                // No stat call: at most one byte past the size limit is read, and an oversize
                // file is reported as skipped by what was read.
                content.clear();
                let read = std::fs::File::open(path).and_then(|file| {
                    std::io::Read::read_to_end(&mut std::io::Read::take(file, scanner.max_file_size + 1), &mut content)
                });
                match read {
                    Ok(_) => match scanner.skip_reason(&content) {
                        Some(reason) => {
                            scanner.scan_name(&shown, &location, &mut local.findings);
                            local.skipped.push(Skipped { path: shown, reason });
                        }
                        None => scanner.scan_at(&shown, &location, &content, 1, &mut local.findings),
                    },
                    Err(e) => errors.lock().expect("not poisoned").push((path.to_path_buf(), e)),
                }
                if !local.findings.is_empty() || !local.skipped.is_empty() {
                    let mut r = result.lock().expect("not poisoned");
                    r.findings.extend(local.findings);
                    r.skipped.extend(local.skipped);
                }
                ignore::WalkState::Continue
            })
        });
    }
    if let Some((path, source)) = errors.into_inner().expect("not poisoned").into_iter().next() {
        return Err(Error::Read { path, source });
    }
    let mut out = result.into_inner().expect("not poisoned");
    out.findings
        .sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Whether `path` is (or links to) a pipe.
fn is_pipe(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}
