//! Messages as git stores them (cleanup) and as Conventional Commits 1.0.0 reads them (parse).
//!
//! The parser follows what commitlint's default parser (conventional-commits-parser with the
//! conventionalcommits preset) makes of a message, so that the default rules agree with
//! commitlint: header `type(scope)!: subject` on the first line, everything after it body and
//! footers, `gpg:` lines dropped, lengths measured in UTF-16 units as JavaScript does.

use std::sync::OnceLock;

use regex::Regex;

/// How git cleans a message before storing it (`git commit --cleanup=<mode>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleanup {
    /// Strip trailing whitespace, collapse blank lines, drop comment lines, cut at the scissors.
    Strip,
    /// Like strip, but keep comment lines.
    Whitespace,
    /// Cut at the scissors line only, then whitespace.
    Scissors,
    /// Leave the message as it is.
    Verbatim,
}

impl Cleanup {
    pub fn parse(s: &str) -> Option<Cleanup> {
        match s {
            "strip" => Some(Cleanup::Strip),
            "whitespace" => Some(Cleanup::Whitespace),
            "scissors" => Some(Cleanup::Scissors),
            "verbatim" => Some(Cleanup::Verbatim),
            _ => None,
        }
    }
}

pub const SCISSORS: &str = "------------------------ >8 ------------------------";

/// Candidates git tries for `core.commentChar = auto`, in its order.
const AUTO_COMMENT_CHARS: &[char] = &['#', ';', '@', '!', '$', '%', '^', '&', '|', ':'];

/// The comment string in effect: `core.commentChar` / `core.commentString`, default `#`. For
/// `auto`, the candidate that begins git's own hint or scissors lines in this message.
pub fn comment_string(configured: Option<&str>, message: &str) -> String {
    match configured {
        Some("auto") => AUTO_COMMENT_CHARS
            .iter()
            .map(|c| c.to_string())
            .find(|c| {
                message.lines().any(|l| {
                    l.strip_prefix(c.as_str())
                        .is_some_and(|rest| rest.starts_with(" Please enter") || rest.trim() == SCISSORS)
                })
            })
            .unwrap_or_else(|| "#".into()),
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "#".into(),
    }
}

/// Cleans `message` as git would before storing it.
pub fn cleanup(message: &str, mode: Cleanup, comment: &str) -> String {
    if mode == Cleanup::Verbatim {
        return message.to_string();
    }
    let normalized = message.replace("\r\n", "\n");
    let scissors = format!("{comment} {SCISSORS}");
    let mut lines: Vec<&str> = Vec::new();
    for line in normalized.split('\n') {
        if mode != Cleanup::Whitespace && line == scissors {
            break;
        }
        if mode == Cleanup::Strip && line.starts_with(comment) {
            continue;
        }
        lines.push(line.trim_end());
    }
    // Collapse runs of blank lines, drop leading and trailing ones.
    let mut out = String::new();
    let mut blank_pending = false;
    for line in lines {
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if blank_pending {
            out.push('\n');
            blank_pending = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A parsed message: the one type the rules and bump inference use.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Commit {
    /// The first line.
    pub header: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub scope: Option<String>,
    pub subject: Option<String>,
    /// `!` in the header, or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer.
    pub breaking: bool,
    /// The text of the breaking-change footer (or the subject, for `!`).
    pub breaking_note: Option<String>,
    pub body: Option<String>,
    pub footer: Option<String>,
    pub footers: Vec<Footer>,
    /// Lines after the header, as linted (for the line-length rules).
    #[serde(skip)]
    pub(crate) rest_lines: Vec<String>,
    /// Whether the line after the header is blank (when there is more than a header).
    #[serde(skip)]
    pub(crate) blank_after_header: bool,
    /// Whether a blank line comes before the footers (when there are footers).
    #[serde(skip)]
    pub(crate) blank_before_footer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Footer {
    pub token: String,
    pub value: String,
}

/// The conventionalcommits preset's header, `^(\w*)(?:\((.*)\))?!?: (.*)$` (JavaScript's ASCII
/// `\w`), matched by hand: the scope runs to the last `)` that is followed by `: ` or `!: `, as
/// the greedy `.*` makes it. Returns (type, scope, `!`, subject).
fn split_header(h: &str) -> Option<(&str, Option<&str>, bool, &str)> {
    let kind_end = h
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(h.len());
    let kind = &h[..kind_end];
    let rest = &h[kind_end..];
    let after = |r: &str| -> Option<(bool, usize)> {
        if r.starts_with(": ") {
            Some((false, 2))
        } else if r.starts_with("!: ") {
            Some((true, 3))
        } else {
            None
        }
    };
    if let Some(inner) = rest.strip_prefix('(') {
        // The last `)` that a `: ` or `!: ` follows.
        let close = inner
            .match_indices(')')
            .map(|(i, _)| i)
            .rfind(|&i| after(&inner[i + 1..]).is_some())?;
        let (bang, skip) = after(&inner[close + 1..])?;
        return Some((kind, Some(&inner[..close]), bang, &inner[close + 1 + skip..]));
    }
    let (bang, skip) = after(rest)?;
    Some((kind, None, bang, &rest[skip..]))
}

/// A footer line, `Token: value` or `Token #value` (`BREAKING CHANGE` may hold a space).
fn split_footer(line: &str) -> Option<(&str, &str)> {
    let token_end = if line.starts_with("BREAKING CHANGE") {
        "BREAKING CHANGE".len()
    } else {
        let mut chars = line.char_indices();
        if !chars.next().is_some_and(|(_, c)| c.is_ascii_alphabetic()) {
            return None;
        }
        chars
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
            .map_or(line.len(), |(i, _)| i)
    };
    let rest = &line[token_end..];
    let value = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(" #"))?;
    Some((&line[..token_end], value))
}

fn is_gpg_line(line: &str) -> bool {
    line.trim_start().starts_with("gpg:")
}

/// Parses a (cleaned) message. Never fails: what does not match leaves fields empty, and the
/// rules report it.
pub fn parse(message: &str) -> Commit {
    let trimmed = message.trim_matches(['\r', '\n']);
    let lines: Vec<&str> = trimmed
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !is_gpg_line(l))
        .collect();
    let header = lines.first().copied().unwrap_or("").to_string();
    let mut commit = Commit {
        header: header.clone(),
        ..Commit::default()
    };
    if let Some((kind, scope, bang, subject)) = split_header(&header) {
        commit.kind = Some(kind.to_string()).filter(|s| !s.is_empty());
        commit.scope = scope.map(str::to_string).filter(|s| !s.is_empty());
        commit.subject = Some(subject.to_string()).filter(|s| !s.is_empty());
        if bang {
            commit.breaking = true;
            commit.breaking_note = commit.subject.clone();
        }
    }
    let rest: Vec<&str> = lines.iter().skip(1).copied().collect();
    commit.rest_lines = rest.iter().map(|s| s.to_string()).collect();
    if rest.iter().all(|l| l.trim().is_empty()) {
        return commit;
    }
    commit.blank_after_header = rest.first().is_some_and(|l| l.trim().is_empty());

    // Footers: the last paragraph whose first line is a `Token: value` / `Token #value` line
    // (continuation lines belong to the footer before them).
    let mut footer_start = None;
    let mut paragraph_start = 0;
    for (i, line) in rest.iter().enumerate() {
        if line.trim().is_empty() {
            paragraph_start = i + 1;
            continue;
        }
        if i == paragraph_start && split_footer(line).is_some() {
            footer_start = Some(i);
        }
    }
    // A BREAKING CHANGE line starts the footers wherever it stands.
    if let Some(i) = rest
        .iter()
        .position(|l| l.starts_with("BREAKING CHANGE:") || l.starts_with("BREAKING-CHANGE:"))
    {
        footer_start = Some(footer_start.map_or(i, |f| f.min(i)));
    }
    let (body, footer) = match footer_start {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (&rest[..], &rest[rest.len()..]),
    };
    let join = |ls: &[&str]| {
        let s = ls.join("\n");
        let s = s.trim_matches(['\r', '\n']);
        (!s.is_empty()).then(|| s.to_string())
    };
    commit.body = join(body);
    commit.footer = join(footer);
    commit.blank_before_footer = footer_start.is_some_and(|i| i > 0 && rest[i - 1].trim().is_empty());
    for line in footer {
        if let Some((token, value)) = split_footer(line) {
            commit.footers.push(Footer {
                token: token.to_string(),
                value: value.to_string(),
            });
        } else if let Some(last) = commit.footers.last_mut() {
            last.value.push('\n');
            last.value.push_str(line);
        }
    }
    if let Some(f) = commit
        .footers
        .iter()
        .find(|f| f.token == "BREAKING CHANGE" || f.token == "BREAKING-CHANGE")
    {
        commit.breaking = true;
        commit.breaking_note = Some(f.value.trim().to_string());
    }
    commit
}

/// Messages accepted as they are (commitlint's default ignores): merges, reverts, reapplies,
/// fixup!/squash!/amend!, bare versions, automatic merges.
pub fn is_ignored(message: &str) -> bool {
    // commitlint's patterns, each behind the literal it needs, so that a plain message (the
    // commit-msg hook's usual case) compiles none of them.
    let starts = |p: &str| message.starts_with(p);
    let anchored = [
        "Revert ",
        "revert ",
        "Reapply ",
        "reapply ",
        "amend!",
        "fixup!",
        "squash!",
        "Merged ",
        "Merge remote-tracking branch",
        "Automatic merge",
        "Auto-merged ",
    ];
    if anchored.iter().any(|p| starts(p)) && anchored_re().is_match(message) {
        return true;
    }
    // The merge patterns carry JavaScript's `m` flag: they match at the start of any line.
    if message.contains("Merge ") && multiline_merge_re().is_match(message) {
        return true;
    }
    is_bare_version(message)
}

fn anchored_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^(?:(?:R|r)evert (.*)|(?:R|r)eapply (.*)|(?:amend|fixup|squash)!",
            r"|Merged (.*?)(?:in|into) (.*)|Merged PR (.*): (.*)",
            r"|Merge remote-tracking branch(\s*)(.*)|Automatic merge(.*)|Auto-merged (.*?) into (.*))"
        ))
        .expect("valid regex")
    })
}

fn multiline_merge_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // `R`: CR and LF both end lines, as in JavaScript.
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?mR)^(?:Merge pull request|(?:Merge (.*?) into (.*?)|Merge branch (.*?))(?:\r?\n)*$",
            r"|Merge tag (.*?)(?:\r?\n)*$)"
        ))
        .expect("valid regex")
    })
}

/// `1.2.3`, `v1.2.3` or `chore(release): 1.2.3` alone on the first line.
fn is_bare_version(message: &str) -> bool {
    let first = message.split('\n').next().unwrap_or("");
    // `^chore(\([^)]+\))?:` removed, as commitlint does.
    let stripped = match first.strip_prefix("chore") {
        Some(rest) if rest.starts_with(':') => &rest[1..],
        Some(rest) if rest.starts_with('(') => match rest.find(')') {
            Some(i) if i > 1 && rest[i + 1..].starts_with(':') => &rest[i + 2..],
            _ => first,
        },
        _ => first,
    };
    let v = stripped.trim().trim_start_matches(['v', '=', ' ', '\t']);
    v.starts_with(|c: char| c.is_ascii_digit()) && semver::Version::parse(v).is_ok()
}

/// Length as JavaScript counts it (UTF-16 code units), which is what commitlint limits.
pub fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_strips_comments_scissors_and_blank_runs() {
        let msg =
            "feat: x  \r\n\r\n\n# comment\nbody\n\n\n# ------------------------ >8 ------------------------\ndiff\n";
        assert_eq!(cleanup(msg, Cleanup::Strip, "#"), "feat: x\n\nbody\n");
        assert_eq!(cleanup("#1 thing\n", Cleanup::Whitespace, "#"), "#1 thing\n");
        assert_eq!(cleanup("; c\nfix: y\n", Cleanup::Strip, ";"), "fix: y\n");
        assert_eq!(cleanup("\n\n  \n", Cleanup::Strip, "#"), "");
    }

    #[test]
    fn auto_comment_char_is_found_from_git_hints() {
        let msg = "fix: x\n; Please enter the commit message for your changes.\n";
        assert_eq!(comment_string(Some("auto"), msg), ";");
        assert_eq!(comment_string(None, msg), "#");
    }

    #[test]
    fn parses_header_body_and_footers() {
        let c = parse("feat(api)!: drop v1\n\nLong body\nmore\n\nBREAKING CHANGE: v1 is gone\nRefs #12\n");
        assert_eq!(c.kind.as_deref(), Some("feat"));
        assert_eq!(c.scope.as_deref(), Some("api"));
        assert_eq!(c.subject.as_deref(), Some("drop v1"));
        assert!(c.breaking);
        assert_eq!(c.body.as_deref(), Some("Long body\nmore"));
        assert_eq!(c.footers.len(), 2);
        assert_eq!(c.footers[0].token, "BREAKING CHANGE");
        assert_eq!(c.breaking_note.as_deref(), Some("v1 is gone"));
        assert!(c.blank_after_header && c.blank_before_footer);
    }

    #[test]
    fn breaking_footer_with_hyphen_and_multiline_value() {
        let c = parse("fix: x\n\nBREAKING-CHANGE: a\n  continued\nReviewed-by: Z\n");
        assert!(c.breaking);
        assert_eq!(c.footers[0].value, "a\n  continued");
        assert_eq!(c.footers[1].token, "Reviewed-by");
    }

    #[test]
    fn non_matching_header_leaves_fields_empty() {
        let c = parse("Update the readme");
        assert_eq!((c.kind, c.subject), (None, None));
        let c = parse("feat:x");
        assert_eq!(c.kind, None);
    }

    #[test]
    fn header_split_matches_the_presets_regex() {
        assert_eq!(split_header("feat(a): b"), Some(("feat", Some("a"), false, "b")));
        assert_eq!(split_header("feat(a)!: b"), Some(("feat", Some("a"), true, "b")));
        assert_eq!(split_header("feat!: b"), Some(("feat", None, true, "b")));
        assert_eq!(
            split_header("fix(a): b (c): d"),
            Some(("fix", Some("a): b (c"), false, "d"))
        );
        assert_eq!(split_header("fix(a) : b"), None);
        assert_eq!(split_header(": b"), Some(("", None, false, "b")));
        assert_eq!(split_header("feat:x"), None);
        assert_eq!(split_header("feat: "), Some(("feat", None, false, "")));
        assert_eq!(split_footer("Refs #12"), Some(("Refs", "12")));
        assert_eq!(split_footer("BREAKING CHANGE: x"), Some(("BREAKING CHANGE", "x")));
        assert_eq!(split_footer("Not a footer"), None);
    }

    #[test]
    fn ignores_like_commitlint() {
        for m in [
            "Merge branch 'main' into dev",
            "Merge pull request #1 from a/b\n\nbody",
            "Revert \"feat: x\"",
            "fixup! feat: x",
            "v1.2.3",
            "chore(release): 1.2.3",
            "Automatic merge from x",
            "Merge remote-tracking branch 'origin/main'",
            "Merge tag 'v1.0.0'",
            "feat: x\n\nMerge branch 'a'",
        ] {
            assert!(is_ignored(m), "{m}");
        }
        for m in ["feat: merge branches", "Merged", "Merge stuff"] {
            assert!(!is_ignored(m), "{m}");
        }
    }
}
