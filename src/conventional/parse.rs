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

fn header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // The conventionalcommits preset: `^(\w*)(?:\((.*)\))?!?: (.*)$`, with JavaScript's ASCII `\w`.
    RE.get_or_init(|| Regex::new(r"^([A-Za-z0-9_]*)(?:\((.*)\))?(!?): (.*)$").expect("valid regex"))
}

fn footer_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(BREAKING CHANGE|BREAKING-CHANGE|[A-Za-z][A-Za-z0-9-]*)(?:: | #)(.*)$").expect("valid regex")
    })
}

fn gpg_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^\s*gpg:").expect("valid regex"))
}

/// Parses a (cleaned) message. Never fails: what does not match leaves fields empty, and the
/// rules report it.
pub fn parse(message: &str) -> Commit {
    let trimmed = message.trim_matches(['\r', '\n']);
    let lines: Vec<&str> = trimmed
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !gpg_re().is_match(l))
        .collect();
    let header = lines.first().copied().unwrap_or("").to_string();
    let mut commit = Commit {
        header: header.clone(),
        ..Commit::default()
    };
    if let Some(c) = header_re().captures(&header) {
        commit.kind = Some(c[1].to_string()).filter(|s| !s.is_empty());
        commit.scope = c.get(2).map(|m| m.as_str().to_string()).filter(|s| !s.is_empty());
        commit.subject = Some(c[4].to_string()).filter(|s| !s.is_empty());
        if &c[3] == "!" {
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
        if i == paragraph_start && footer_re().is_match(line) {
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
        if let Some(c) = footer_re().captures(line) {
            commit.footers.push(Footer {
                token: c[1].to_string(),
                value: c[2].to_string(),
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
    static RES: OnceLock<Vec<Regex>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            // JavaScript's `m` flag: `^` and `$` at every line, CR and LF both ending lines.
            r"(?mR)^((Merge pull request)|(Merge (.*?) into (.*?)|(Merge branch (.*?)))(?:\r?\n)*$)",
            r"(?mR)^(Merge tag (.*?))(?:\r?\n)*$",
            r"^(R|r)evert (.*)",
            r"^(R|r)eapply (.*)",
            r"^(amend|fixup|squash)!",
            r"^(Merged (.*?)(in|into) (.*)|Merged PR (.*): (.*))",
            r"^Merge remote-tracking branch(\s*)(.*)",
            r"^Automatic merge(.*)",
            r"^Auto-merged (.*?) into (.*)",
        ]
        .iter()
        .map(|r| Regex::new(r).expect("valid regex"))
        .collect()
    });
    res.iter().any(|r| r.is_match(message)) || is_bare_version(message)
}

/// `1.2.3`, `v1.2.3` or `chore(release): 1.2.3` alone on the first line.
fn is_bare_version(message: &str) -> bool {
    static CHORE: OnceLock<Regex> = OnceLock::new();
    let first = message.split('\n').next().unwrap_or("");
    let chore = CHORE.get_or_init(|| Regex::new(r"^chore(\([^)]+\))?:").expect("valid regex"));
    let stripped = chore.replace(first, "");
    let v = stripped.trim().trim_start_matches(['v', '=', ' ', '\t']);
    semver::Version::parse(v).is_ok()
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
