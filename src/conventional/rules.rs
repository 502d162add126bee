//! The rules, named as commitlint names them, with config-conventional's defaults; and the
//! report that teaches the fix.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use super::parse::{Commit, js_len};
use crate::config::{CommitMsgConfig, Severity};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub message: String,
    /// Characters of the header to underline (start, end), when the finding is about it.
    #[serde(skip)]
    pub span: Option<(usize, usize)>,
}

/// Rules whose default is a warning (config-conventional level 1); every other rule is an error.
const WARN_BY_DEFAULT: &[&str] = &["body-leading-blank", "footer-leading-blank", "message-encoding"];

pub fn severity(cfg: &CommitMsgConfig, rule: &str) -> Severity {
    match cfg.severity.get(rule) {
        Some(s) => *s,
        None if WARN_BY_DEFAULT.contains(&rule) => Severity::Warn,
        None => Severity::Error,
    }
}

/// Every rule's findings for one parsed message.
pub fn check(commit: &Commit, cfg: &CommitMsgConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |rule: &'static str, message: String, span: Option<(usize, usize)>| {
        out.push(Finding { rule, message, span });
    };
    let header = &commit.header;
    let header_chars = header.chars().count();
    let type_span = commit.kind.as_ref().map(|t| (0, t.chars().count()));

    if header.trim_start() != header.as_str() || header.trim_end() != header.as_str() {
        let lead = header.chars().take_while(|c| c.is_whitespace()).count();
        let span = if lead > 0 {
            (0, lead)
        } else {
            let trail = header.chars().rev().take_while(|c| c.is_whitespace()).count();
            (header_chars - trail, header_chars)
        };
        add(
            "header-trim",
            "the header must not start or end with whitespace".into(),
            Some(span),
        );
    }
    let max = cfg.header_max_length;
    if js_len(header) > max {
        add(
            "header-max-length",
            format!(
                "the header is {} characters long; at most {max} are allowed",
                js_len(header)
            ),
            Some((max.min(header_chars), header_chars)),
        );
    }
    match &commit.kind {
        None => add(
            "type-empty",
            "the header has no type: it should read `type(scope): subject`".into(),
            Some((
                0,
                header_chars.clamp(1, header.find(':').map_or(1, |i| header[..i].chars().count().max(1))),
            )),
        ),
        Some(kind) => {
            if kind.to_lowercase() != *kind {
                add("type-case", format!("the type `{kind}` must be lower-case"), type_span);
            }
            if !cfg.types.contains_key(kind) {
                add("type-enum", format!("`{kind}` is not an allowed type"), type_span);
            }
        }
    }
    match &commit.subject {
        None => {
            let span = header.find(':').map(|i| {
                let at = header[..i].chars().count() + 1;
                (at, at + 1)
            });
            add(
                "subject-empty",
                "the subject is empty: say what the commit does after `type: `".into(),
                span,
            );
        }
        Some(subject) => {
            let start = header_chars - subject.chars().count();
            if subject.starts_with(|c: char| c.is_ascii_alphabetic())
                && let Some(case) = cfg.subject_case_never.iter().find(|c| is_case(subject, c))
            {
                add(
                    "subject-case",
                    format!("the subject must not be {case}: start it with a lower-case letter"),
                    Some((start, start + 1)),
                );
            }
        }
    }
    // commitlint checks the full stop on the whole header, and lets `...` and `type:` pass.
    let colon = header.find(':').unwrap_or(0);
    if !(colon > 0 && colon == header.len() - 1) && header.ends_with('.') && !header.ends_with("...") {
        add(
            "subject-full-stop",
            "the subject must not end with a full stop".into(),
            Some((header_chars - 1, header_chars)),
        );
    }
    if let (Some(scope), false) = (&commit.scope, cfg.scopes.is_empty()) {
        let bad: Vec<&str> = scope
            .split(['/', '\\', ','])
            .map(str::trim)
            .filter(|s| !cfg.scopes.iter().any(|a| a == s))
            .collect();
        if !bad.is_empty() {
            let start = header.find('(').map_or(0, |i| header[..i].chars().count() + 1);
            add(
                "scope-enum",
                format!(
                    "scope `{}` is not allowed; allowed scopes: {}",
                    bad.join(", "),
                    cfg.scopes.join(", ")
                ),
                Some((start, start + scope.chars().count())),
            );
        }
    }
    if cfg.scope_required && commit.scope.is_none() && commit.kind.is_some() {
        let end = commit.kind.as_ref().map_or(0, |k| k.chars().count());
        add(
            "scope-empty",
            "a scope is required: `type(scope): subject`".into(),
            Some((end, end + 1)),
        );
    }
    if commit.body.is_some() && !commit.blank_after_header {
        add(
            "body-leading-blank",
            "leave a blank line between the header and the body".into(),
            None,
        );
    }
    if commit.footer.is_some() && !commit.blank_before_footer {
        add(
            "footer-leading-blank",
            "leave a blank line before the footers".into(),
            None,
        );
    }
    let footer_lines = commit.footer.as_deref().map_or(0, |f| f.split('\n').count());
    let limit_for = |i: usize, len: usize| {
        let in_footer = i + footer_lines >= len;
        if in_footer {
            ("footer-max-line-length", cfg.footer_max_line_length)
        } else {
            ("body-max-line-length", cfg.body_max_line_length)
        }
    };
    let n = trailing_nonblank_len(&commit.rest_lines);
    let mut reported = [false, false];
    for (i, line) in commit.rest_lines.iter().enumerate().take(n) {
        let (rule, limit) = limit_for(i, n);
        let which = usize::from(rule.starts_with("footer"));
        // Like commitlint 20: a line with a URL may be long (a URL cannot be wrapped).
        if js_len(line) > limit && !reported[which] && !has_url(line) {
            reported[which] = true;
            add(
                rule,
                format!(
                    "line {} is {} characters long; at most {limit} are allowed (wrap it)",
                    i + 2,
                    js_len(line)
                ),
                None,
            );
        }
    }
    out
}

fn has_url(line: &str) -> bool {
    static URL: OnceLock<Regex> = OnceLock::new();
    URL.get_or_init(|| Regex::new(r"https?://\S").expect("valid regex"))
        .is_match(line)
}

fn trailing_nonblank_len(lines: &[String]) -> usize {
    lines.iter().rposition(|l| !l.trim().is_empty()).map_or(0, |i| i + 1)
}

/// commitlint's `ensureCase`: quoted parts are ignored; a text with nothing left, or that
/// starts with a digit, is in every case.
pub fn is_case(raw: &str, case: &str) -> bool {
    let input = without_quoted(raw);
    let input = input.trim();
    // A text starting with a lower-case letter is in none of the capitalised cases: spare the
    // word splitting.
    if matches!(case, "start-case" | "pascal-case") && input.starts_with(|c: char| c.is_ascii_lowercase()) {
        return false;
    }
    let words = || words(input);
    let transformed = match case {
        "lower-case" | "lowercase" => input.to_lowercase(),
        "upper-case" | "uppercase" => input.to_uppercase(),
        "sentence-case" | "sentencecase" => upper_first(input),
        "start-case" => words().iter().map(|w| upper_first(w)).collect::<Vec<_>>().join(" "),
        "camel-case" => camel(&words()),
        "pascal-case" => upper_first(&camel(&words())),
        "kebab-case" => words().iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("-"),
        "snake-case" => words().iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("_"),
        _ => return false,
    };
    transformed.is_empty() || transformed.starts_with(|c: char| c.is_ascii_digit()) || transformed == input
}

/// `raw` with quoted parts removed, as commitlint's `/`.*?`|".*?"|'.*?'/g` removes them.
fn without_quoted(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['`', '"', '\'']) {
        let quote = rest[i..].chars().next().expect("found a quote");
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(quote) {
            Some(j) => rest = &after[j + 1..],
            None => {
                out.push(quote);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn words(s: &str) -> Vec<String> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    let re = WORD.get_or_init(|| {
        Regex::new(r"[A-Z]{2,}(?:[a-z]+)?|[A-Z]?[a-z]+|[A-Z]|[0-9]+|[^\x00-\x7f]+").expect("valid regex")
    });
    re.find_iter(s).map(|m| m.as_str().to_string()).collect()
}

fn camel(words: &[String]) -> String {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let w = w.to_lowercase();
            if i == 0 { w } else { upper_first(&w) }
        })
        .collect()
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A valid header built from the user's own words, where possible.
pub fn example(commit: &Commit, cfg: &CommitMsgConfig) -> String {
    let known: Vec<&str> = cfg.types.keys().map(String::as_str).collect();
    let (kind, subject) = match (&commit.kind, &commit.subject) {
        (Some(k), Some(s)) => (k.to_lowercase(), s.clone()),
        _ => {
            // No `type: subject` shape: the whole header becomes the subject.
            let words: &str = commit.header.trim();
            let guess = guess_type(words);
            (guess.to_string(), words.to_string())
        }
    };
    let kind = if cfg.types.contains_key(&kind) {
        kind
    } else {
        crate::config::closest(&kind, &known)
            .map(str::to_string)
            .unwrap_or_else(|| guess_type(&subject).to_string())
    };
    let kind = if cfg.types.contains_key(&kind) {
        kind
    } else {
        known.first().map_or("chore".to_string(), |k| k.to_string())
    };
    let scope = match (&commit.scope, cfg.scopes.first()) {
        (Some(s), _) if cfg.scopes.is_empty() || cfg.scopes.contains(s) => format!("({s})"),
        (_, Some(first)) if cfg.scope_required || commit.scope.is_some() => format!("({first})"),
        _ => String::new(),
    };
    let mut subject = subject.trim().trim_end_matches('.').trim().to_string();
    if subject.is_empty() {
        subject = "describe the change".into();
    }
    let mut chars = subject.chars();
    if let Some(first) = chars.next()
        && first.is_uppercase()
        && !chars.clone().next().is_some_and(char::is_uppercase)
    {
        subject = first.to_lowercase().chain(chars).collect();
    }
    let bang = if commit.breaking { "!" } else { "" };
    let mut header = format!("{kind}{scope}{bang}: {subject}");
    if js_len(&header) > cfg.header_max_length {
        header = header
            .chars()
            .take(cfg.header_max_length.saturating_sub(1))
            .collect::<String>();
        header = header.trim_end().to_string() + "…";
    }
    header
}

fn guess_type(text: &str) -> &'static str {
    let t = text.to_lowercase();
    let first = t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    match first {
        "fix" | "fixes" | "fixed" | "bugfix" | "hotfix" | "repair" | "correct" => "fix",
        "add" | "adds" | "added" | "implement" | "introduce" | "support" | "new" | "feature" => "feat",
        "doc" | "docs" | "document" | "readme" => "docs",
        "test" | "tests" => "test",
        "refactor" | "rename" | "move" | "extract" | "simplify" | "cleanup" => "refactor",
        "bump" | "upgrade" | "update" if t.contains("dep") => "build",
        "perf" | "speed" | "optimize" | "optimise" => "perf",
        _ if t.contains("readme") || t.contains("docs") => "docs",
        _ => "chore",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventional::parse::parse;

    fn rules(msg: &str) -> Vec<&'static str> {
        let cfg = CommitMsgConfig::default();
        check(&parse(msg), &cfg)
            .into_iter()
            .filter(|f| severity(&cfg, f.rule) == Severity::Error)
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn valid_messages_pass() {
        for m in [
            "feat: add x",
            "fix(api): handle y",
            "feat!: drop z",
            "feat(a, b): c",
            "docs: update `README`",
            "chore: v2 ...",
            "fix: 2 bugs",
            "perf: ~2x faster",
            "feat: Ünïcode first letter is not ascii",
        ] {
            assert!(rules(m).is_empty(), "{m}: {:?}", rules(m));
        }
    }

    #[test]
    fn each_error_rule() {
        assert_eq!(rules("feature: add x"), ["type-enum"]);
        assert_eq!(rules("Feat: add x"), ["type-case", "type-enum"]);
        assert_eq!(rules("Update readme"), ["type-empty", "subject-empty"]);
        assert_eq!(rules("feat: Add x"), ["subject-case"]);
        assert_eq!(rules("feat: ADD X"), ["subject-case"]);
        assert_eq!(rules("feat: add x."), ["subject-full-stop"]);
        assert_eq!(rules("feat: add x "), ["header-trim"]);
        assert_eq!(rules(&format!("feat: {}", "a".repeat(100))), ["header-max-length"]);
        assert_eq!(
            rules(&format!("feat: x\n\n{}", "b".repeat(101))),
            ["body-max-line-length"]
        );
        assert_eq!(
            rules(&format!("feat: x\n\nbody\n\nRefs: {}", "c".repeat(100))),
            ["footer-max-line-length"]
        );
        assert!(rules(&format!("feat: x\n\nsee https://example.com/{}", "d".repeat(100))).is_empty());
    }

    #[test]
    fn quoted_parts_are_removed_like_the_regex_does() {
        assert_eq!(without_quoted("a `b` c \"d\" e 'f' g"), "a  c  e  g");
        assert_eq!(without_quoted("don't stop"), "don't stop");
        assert_eq!(without_quoted("it's 'x' ok"), "itx' ok");
    }

    #[test]
    fn cases_follow_commitlint() {
        assert!(is_case("Add thing", "sentence-case"));
        assert!(!is_case("add thing", "sentence-case"));
        assert!(is_case("Add Thing", "start-case"));
        assert!(is_case("AddThing", "pascal-case"));
        assert!(is_case("ADD", "upper-case"));
        assert!(is_case("add `Thing`", "lower-case"));
        assert!(is_case("2 things", "upper-case"));
    }

    #[test]
    fn examples_reuse_the_users_words() {
        let cfg = CommitMsgConfig::default();
        assert_eq!(
            example(&parse("feature(api): Add the thing."), &cfg),
            "feat(api): add the thing"
        );
        assert_eq!(
            example(&parse("Fix crash on empty input"), &cfg),
            "fix: fix crash on empty input"
        );
        assert_eq!(example(&parse("Update README"), &cfg), "docs: update README");
    }
}
