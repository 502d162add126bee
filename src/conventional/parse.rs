//! Messages as git stores them (cleanup) and as Conventional Commits 1.0.0 reads them (parse).
//!
//! The parser follows what commitlint's default parser (conventional-commits-parser 7 with the
//! conventionalcommits preset) makes of a message, so that the default rules agree with
//! commitlint: header `type(scope)!: subject` on the first line, body up to the first footer
//! token line (`Token: value`, `Token #value`), breaking-change notes, references, mentions and
//! reverts as the parser finds them, `gpg:` lines dropped, lengths measured in UTF-16 units as
//! JavaScript does. Everything is plain string scanning: no regex is compiled on the commit-msg
//! hook's path.

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

/// A parsed message, as conventional-commits-parser returns it with the options commitlint's
/// config-conventional uses (the conventionalcommits preset): the one type the rules, bump
/// inference, changelog and `check-msg --json` read. Keys serialize as the parser names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Commit {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub scope: Option<String>,
    pub subject: Option<String>,
    /// The first line (`null` in JSON when empty, as the parser gives it).
    #[serde(serialize_with = "empty_as_null")]
    pub header: String,
    pub body: Option<String>,
    pub footer: Option<String>,
    /// Breaking-change notes: `BREAKING CHANGE:` / `BREAKING-CHANGE:` lines (any case, text on
    /// the same line or the lines after, a `* ` bullet allowed), or the `!` header's subject.
    pub notes: Vec<Note>,
    pub references: Vec<Reference>,
    pub mentions: Vec<String>,
    pub revert: Option<Revert>,
    /// Always `null` with this preset (it sets no merge pattern); kept for the parser's shape.
    pub merge: Option<String>,
    /// The message as given, for the rules that read its lines back (leading blanks).
    #[serde(skip)]
    pub(crate) raw: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    /// The keyword as written (`BREAKING CHANGE`, `BREAKING-CHANGE`, in any case).
    pub title: String,
    pub text: String,
}

/// An issue reference: `Fixes #12` (action `Fixes`), `owner/repo#3`, `#7` in the header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    pub action: Option<String>,
    pub owner: Option<String>,
    pub repository: Option<String>,
    pub issue: String,
    /// The text the reference was read from, as the parser gives it (it may begin with the
    /// words before it).
    pub raw: String,
    pub prefix: String,
}

/// What `Revert "<header>"\n\nThis reverts commit <hash>.` reverts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revert {
    pub header: String,
    pub hash: Option<String>,
}

fn empty_as_null<S: serde::Serializer>(s: &str, ser: S) -> Result<S::Ok, S::Error> {
    if s.is_empty() {
        ser.serialize_none()
    } else {
        ser.serialize_str(s)
    }
}

impl Commit {
    /// The breaking changes this commit announces: the one reading of "breaking" that the bump,
    /// the changelog, `version next --json` and `check-msg --json` share. Every note is one: the
    /// preset's only note keywords are `BREAKING CHANGE` and `BREAKING-CHANGE`, and its
    /// `whatBump` counts every such note as a major change.
    pub fn breaking_changes(&self) -> &[Note] {
        &self.notes
    }

    pub fn is_breaking(&self) -> bool {
        !self.breaking_changes().is_empty()
    }

    /// The header has the `!` of a breaking change.
    pub fn has_bang(&self) -> bool {
        split_header(&self.header).is_some_and(|(_, _, bang, _)| bang)
    }
}

// JavaScript's character classes, which the reference implementations' regexes use.

/// `\s`: WhiteSpace and LineTerminator (Rust's `is_whitespace` without U+0085, plus U+FEFF).
pub(crate) fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// What `.` does not match and where a multiline `^` may start.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `\w` (ASCII).
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `s` starts with `prefix`, ASCII letters compared without case (a regex's `i` flag on ASCII).
fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|b| b.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The parser's `trimNewLines`: no CR or LF at either end.
fn trim_newlines(s: &str) -> &str {
    s.trim_matches(['\r', '\n'])
}

/// The preset's header patterns: `^(\w*)(?:\((.*)\))?!: (.*)$` (breaking, tried first) then
/// `^(\w*)(?:\((.*)\))?!?: (.*)$`, matched by hand. The scope runs to the last `)` that the
/// separator follows, as the greedy `.*` makes it. Returns (type, scope, `!`, subject).
fn split_header(h: &str) -> Option<(&str, Option<&str>, bool, &str)> {
    // `.` matches no line terminator and `$` is the end: a header holding one never matches.
    if h.contains(is_line_terminator) {
        return None;
    }
    let kind_end = h.find(|c: char| !is_word(c)).unwrap_or(h.len());
    let (kind, rest) = h.split_at(kind_end);
    for bang_only in [true, false] {
        let sep = |r: &str| -> Option<(bool, usize)> {
            if r.starts_with("!: ") {
                Some((true, 3))
            } else if !bang_only && r.starts_with(": ") {
                Some((false, 2))
            } else {
                None
            }
        };
        if let Some(inner) = rest.strip_prefix('(')
            && let Some(close) = inner
                .match_indices(')')
                .map(|(i, _)| i)
                .rfind(|&i| sep(&inner[i + 1..]).is_some())
        {
            let (bang, skip) = sep(&inner[close + 1..])?;
            return Some((kind, Some(&inner[..close]), bang, &inner[close + 1 + skip..]));
        }
        if let Some((bang, skip)) = sep(rest) {
            return Some((kind, None, bang, &rest[skip..]));
        }
    }
    None
}

/// The notes pattern, `^(?:\*\s+)?(BREAKING CHANGE|BREAKING-CHANGE):\s*(.*)` with the `i` flag:
/// (title, text on this line).
fn match_note(line: &str) -> Option<(&str, &str)> {
    let mut s = line;
    if let Some(after) = line.strip_prefix('*') {
        let t = after.trim_start_matches(is_js_space);
        if t.len() < after.len() {
            s = t;
        }
    }
    let title = ["BREAKING CHANGE", "BREAKING-CHANGE"]
        .into_iter()
        .find(|kw| starts_with_ci(s, kw) && s[kw.len()..].starts_with(':'))?;
    let title = &s[..title.len()];
    let text = s[title.len() + 1..].trim_start_matches(is_js_space);
    let text = text.split(is_line_terminator).next().unwrap_or("");
    Some((title, text))
}

/// The footer token pattern, `^(?:BREAKING CHANGE|[\w-]+)(?::\s+|\s+#).+` with the `i` flag
/// (`#` being the issue prefix): a git trailer or an issue line, never indented.
fn is_footer_token(line: &str) -> bool {
    let rest_ok = |r: &str| -> bool {
        if let Some(t) = r.strip_prefix(':') {
            // `\s+.+`: a space, then anything on the line.
            let mut chars = t.chars();
            return chars.next().is_some_and(is_js_space) && chars.any(|c| !is_line_terminator(c));
        }
        let t = r.trim_start_matches(is_js_space);
        t.len() < r.len()
            && t.strip_prefix('#')
                .is_some_and(|i| i.chars().next().is_some_and(|c| !is_line_terminator(c)))
    };
    if starts_with_ci(line, "BREAKING CHANGE") && rest_ok(&line[15..]) {
        return true;
    }
    let end = line.find(|c: char| !(is_word(c) || c == '-')).unwrap_or(line.len());
    end > 0 && rest_ok(&line[end..])
}

/// The parser's default reference actions.
const ACTIONS: &[&str] = &[
    "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
];

/// Where an action keyword starts (the lookahead `(?=(?:close|...|resolved)|$)`).
fn action_at(s: &str) -> bool {
    may_start_action(s) && ["close", "fix", "resolve"].iter().any(|k| starts_with_ci(s, k))
}

/// Whether `s` starts with the first letter of an action: most places do not, and a history
/// has many lines with a `#` (`Merge pull request #123 ...`) to look through.
fn may_start_action(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'c' | b'C' | b'f' | b'F' | b'r' | b'R'))
}

/// The references pattern, `(actions)(?:\s+(.*?))(?=(?:actions)|$)` (`gi`): each action
/// with the text up to the next action or the end of the line. None when no action occurs.
fn action_sentences(line: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    'scan: while from < line.len() {
        for (p, _) in line[from..].char_indices().map(|(i, c)| (from + i, c)) {
            if !may_start_action(&line[p..]) {
                continue;
            }
            for kw in ACTIONS {
                if !starts_with_ci(&line[p..], kw) {
                    continue;
                }
                let after = &line[p + kw.len()..];
                let text = after.trim_start_matches(is_js_space);
                if text.len() == after.len() {
                    continue;
                }
                let start = line.len() - text.len();
                // Lazily up to the next action or the end; `.` stops at a line terminator.
                let mut end = None;
                for (i, c) in text.char_indices() {
                    if action_at(&text[i..]) {
                        end = Some(start + i);
                        break;
                    }
                    if is_line_terminator(c) {
                        break;
                    }
                }
                let end = match end {
                    Some(e) => e,
                    None if !text.contains(is_line_terminator) => line.len(),
                    None => continue,
                };
                out.push((&line[p..p + kw.len()], &line[start..end]));
                from = end;
                continue 'scan;
            }
        }
        break;
    }
    out
}

/// The loose URL pattern the parser skips references in,
/// `\b(?:https?):\/\/(?:www\.)?([-a-zA-Z0-9@:%_+.~#?&//=])+\b`.
fn has_loose_url(s: &str) -> bool {
    s.match_indices("http").any(|(i, _)| {
        let before_ok = !s[..i].chars().next_back().is_some_and(is_word);
        let rest = &s[i + 4..];
        let rest = rest.strip_prefix('s').unwrap_or(rest);
        before_ok
            && rest.strip_prefix("://").is_some_and(|r| {
                r.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "-@:%_+.~#?&/=".contains(*c))
                    .any(is_word)
            })
    })
}

/// Each `#issue` in a sentence, as the parser's reference-parts pattern
/// `(?:.*?)??\s*([\w-\.\/]*?)??(#)([\w-]+)(?=\s|$|[,;.)\]])` (`gi`) finds them one after the
/// other: `raw` runs from where the previous one ended.
fn parse_references(sentence: &str, action: Option<&str>, out: &mut Vec<Reference>) {
    if has_loose_url(sentence) {
        return;
    }
    let in_repo = |c: char| is_word(c) || matches!(c, '-' | '.' | '/');
    let mut from = 0;
    while let Some(found) = sentence[from..].match_indices('#').find_map(|(i, _)| {
        let hash = from + i;
        let after = &sentence[hash + 1..];
        let len = after.find(|c: char| !(is_word(c) || c == '-')).unwrap_or(after.len());
        let next = after[len..].chars().next();
        let ends = next.is_none_or(|c| is_js_space(c) || ",;.)]".contains(c));
        (len > 0 && ends).then_some((hash, len))
    }) {
        let (hash, len) = found;
        let repo_start = sentence[from..hash]
            .char_indices()
            .rev()
            .take_while(|(_, c)| in_repo(*c))
            .last()
            .map_or(hash, |(i, _)| from + i);
        let repository = &sentence[repo_start..hash];
        let (owner, repository) = match repository.split_once('/') {
            _ if repository.is_empty() => (None, None),
            Some((o, r)) => (Some(o.to_string()), Some(r.to_string())),
            None => (None, Some(repository.to_string())),
        };
        let end = hash + 1 + len;
        out.push(Reference {
            action: action.map(str::to_string),
            owner,
            repository,
            issue: sentence[hash + 1..end].to_string(),
            raw: sentence[from..end].to_string(),
            prefix: "#".into(),
        });
        from = end;
    }
}

/// The references on one line: after each action keyword if there is one, else anywhere.
fn line_references(line: &str, out: &mut Vec<Reference>) {
    if !line.contains('#') {
        return;
    }
    let sentences = action_sentences(line);
    if sentences.is_empty() {
        // `/()(.+)/gi`: each run of the line between line terminators, without an action.
        for part in line.split(is_line_terminator).filter(|p| !p.is_empty()) {
            parse_references(part, None, out);
        }
    } else {
        for (action, sentence) in sentences {
            parse_references(sentence, Some(action), out);
        }
    }
}

/// `@([\w-]+)` over the whole message.
fn mentions(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(i) = rest.find('@') {
        let after = &rest[i + 1..];
        let len = after.find(|c: char| !(is_word(c) || c == '-')).unwrap_or(after.len());
        if len > 0 {
            out.push(after[..len].to_string());
        }
        rest = &after[len..];
    }
    out
}

/// The preset's revert pattern,
/// `^(?:Revert|revert:)\s"?([\s\S]+?)"?\s*This reverts commit (\w*)\.` with the `i` flag.
fn parse_revert(input: &str) -> Option<Revert> {
    let after = if starts_with_ci(input, "revert") && input[6..].starts_with(is_js_space) {
        &input[6..]
    } else if starts_with_ci(input, "revert:") && input[7..].starts_with(is_js_space) {
        &input[7..]
    } else {
        return None;
    };
    let space = after.chars().next()?;
    let body = &after[space.len_utf8()..];
    const MARK: &str = "this reverts commit ";
    // `"?` takes the quote if the rest can match with it, else leaves it to the header.
    let starts = body.strip_prefix('"').into_iter().chain([body]);
    for text in starts {
        let first = text.chars().next()?.len_utf8();
        let lower = text.to_ascii_lowercase();
        for (t, _) in lower.match_indices(MARK) {
            // The lazy header ends where `"?\s*` before the mark begins, and holds a character.
            let spaced = text[..t].trim_end_matches(is_js_space).len();
            let quoted = if text[..spaced].ends_with('"') {
                spaced - 1
            } else {
                spaced
            };
            let end = quoted.max(first);
            if end > t {
                continue;
            }
            let after = &text[t + MARK.len()..];
            let hash_len = after.find(|c: char| !is_word(c)).unwrap_or(after.len());
            if after[hash_len..].starts_with('.') {
                return Some(Revert {
                    header: text[..end].to_string(),
                    hash: Some(after[..hash_len].to_string()).filter(|h| !h.is_empty()),
                });
            }
        }
    }
    None
}

/// `appendLine`: a blank first line does not start a section.
fn append_line(to: &mut Option<String>, line: &str) {
    match to {
        Some(s) if !s.is_empty() => {
            s.push('\n');
            s.push_str(line);
        }
        _ => *to = Some(line.to_string()),
    }
}

fn is_gpg_line(line: &str) -> bool {
    line.trim_start_matches(is_js_space).starts_with("gpg:")
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    at: usize,
    commit: Commit,
}

impl<'a> Parser<'a> {
    fn line(&self) -> Option<&'a str> {
        self.lines.get(self.at).copied()
    }

    /// `parseNotes`: a note line, then every line up to and including the next footer token
    /// (a following note line starts a note of its own).
    fn notes(&mut self) -> bool {
        let Some((title, text)) = self.line().and_then(match_note) else {
            return false;
        };
        let index = self.commit.notes.len();
        self.commit.notes.push(Note {
            title: title.to_string(),
            text: text.to_string(),
        });
        append_line(&mut self.commit.footer, self.lines[self.at]);
        self.at += 1;
        while let Some(line) = self.line() {
            if self.notes() {
                return true;
            }
            let token = is_footer_token(line);
            line_references(line, &mut self.commit.references);
            if !token {
                let note = &mut self.commit.notes[index];
                if note.text.is_empty() {
                    note.text = line.to_string();
                } else {
                    note.text.push('\n');
                    note.text.push_str(line);
                }
            }
            append_line(&mut self.commit.footer, line);
            self.at += 1;
            if token {
                break;
            }
        }
        true
    }

    /// `parseBodyAndFooter`: body until the first footer token, footer after it.
    fn body_and_footer(&mut self, is_body: bool) -> bool {
        let Some(line) = self.line() else {
            return is_body;
        };
        let still_body = is_body && !is_footer_token(line);
        line_references(line, &mut self.commit.references);
        if still_body {
            append_line(&mut self.commit.body, line);
        } else {
            append_line(&mut self.commit.footer, line);
        }
        self.at += 1;
        still_body
    }
}

/// Parses a (cleaned) message as conventional-commits-parser 7 does with the conventionalcommits
/// preset's options and commitlint's (no `-field-` meta lines, no merge pattern). Never fails:
/// what does not match leaves fields empty, and the rules report it.
pub fn parse(message: &str) -> Commit {
    let lines: Vec<&str> = trim_newlines(message)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !is_gpg_line(l))
        .collect();
    let mut p = Parser {
        lines,
        at: 0,
        commit: Commit {
            raw: message.to_string(),
            ..Commit::default()
        },
    };
    if let Some(header) = p.line() {
        p.at += 1;
        p.commit.header = header.to_string();
        if let Some((kind, scope, _, subject)) = split_header(header) {
            let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
            p.commit.kind = some(kind);
            p.commit.scope = scope.and_then(some);
            p.commit.subject = some(subject);
        }
        line_references(header, &mut p.commit.references);
    }
    let mut is_body = true;
    while p.line().is_some() {
        if p.notes() {
            is_body = false;
        }
        if !p.body_and_footer(is_body) {
            is_body = false;
        }
    }
    let mut commit = p.commit;
    // `parseBreakingHeader`: `type!: subject` is a note when no footer made one.
    if commit.notes.is_empty()
        && let Some((_, _, true, subject)) = split_header(&commit.header)
    {
        commit.notes.push(Note {
            title: "BREAKING CHANGE".into(),
            text: subject.to_string(),
        });
    }
    commit.mentions = mentions(message);
    commit.revert = parse_revert(message);
    // `cleanupCommit`.
    for part in [&mut commit.body, &mut commit.footer] {
        if let Some(s) = part.as_mut().filter(|s| !s.is_empty()) {
            *s = trim_newlines(s).to_string();
        }
    }
    for note in &mut commit.notes {
        note.text = trim_newlines(&note.text).to_string();
    }
    let mut seen = std::collections::HashSet::new();
    commit
        .references
        .retain(|r| seen.insert(format!("{} {}", r.action.as_deref().unwrap_or("null"), r.raw).to_lowercase()));
    commit
}

/// Messages accepted as they are: commitlint's default ignores (`@commitlint/is-ignored`,
/// `defaults.ts`, `wildcards`), each pattern matched by hand, on the message without trailing
/// whitespace as commitlint's `lint` gives it.
pub fn is_ignored(message: &str) -> bool {
    let m = message.trim_end_matches(is_js_space);
    // `.` stops at any line terminator; `isSemver` splits on `\n` only.
    let first_line = m.split(is_line_terminator).next().unwrap_or("");
    // `^((Merge pull request)|(Merge (.*?) into (.*?)|(Merge branch (.*?)))(?:\r?\n)*$)/m` and
    // `^(Merge tag (.*?))(?:\r?\n)*$/m`: at the start of any line.
    if m.contains("Merge ") && m.split(is_line_terminator).any(is_merge_line) {
        return true;
    }
    let merged = |rest: &str| {
        // `^(Merged (.*?)(in|into) (.*)|Merged PR (.*): (.*))`
        rest.contains("in ") || rest.contains("into ") || rest.strip_prefix("PR ").is_some_and(|r| r.contains(": "))
    };
    m.starts_with("Revert ")
        || m.starts_with("revert ")
        || m.starts_with("Reapply ")
        || m.starts_with("reapply ")
        || ["amend!", "fixup!", "squash!"].iter().any(|p| m.starts_with(p))
        || is_release_version(m.split('\n').next().unwrap_or(""))
        || first_line.strip_prefix("Merged ").is_some_and(merged)
        || m.starts_with("Merge remote-tracking branch")
        || m.starts_with("Automatic merge")
        || first_line
            .strip_prefix("Auto-merged ")
            .is_some_and(|r| r.contains(" into "))
}

fn is_merge_line(line: &str) -> bool {
    line.starts_with("Merge pull request")
        || line.starts_with("Merge branch ")
        || line.starts_with("Merge tag ")
        || line.strip_prefix("Merge ").is_some_and(|r| r.contains(" into "))
}

/// commitlint's `isSemver`: the first line without `chore:` / `chore(scope):` and without the
/// first `[skip ci]`-style and `(skip ci)`-style markers, trimmed, is a version
/// `semver.valid` accepts.
fn is_release_version(first_line: &str) -> bool {
    // `^chore(\([^)]+\))?:`
    let stripped = match first_line.strip_prefix("chore") {
        Some(rest) if rest.starts_with(':') => &rest[1..],
        Some(rest) if rest.starts_with('(') => match rest.find(')') {
            Some(i) if i > 1 && rest[i + 1..].starts_with(':') => &rest[i + 2..],
            _ => first_line,
        },
        _ => first_line,
    };
    if !stripped.contains(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let stripped = without_ci_marker(stripped, '[', ']');
    let stripped = without_ci_marker(&stripped, '(', ')');
    is_node_semver(js_trim(&stripped))
}

/// `s` without its first `/\[(skip|ci)(-|\s)(ci|skip)\]/i` (or with parentheses).
fn without_ci_marker(s: &str, open: char, close: char) -> String {
    for (i, _) in s.match_indices(open) {
        let rest = &s[i + 1..];
        let Some(w1) = ["skip", "ci"].into_iter().find(|w| starts_with_ci(rest, w)) else {
            continue;
        };
        let rest = &rest[w1.len()..];
        let Some(sep) = rest.chars().next().filter(|&c| c == '-' || is_js_space(c)) else {
            continue;
        };
        let rest = &rest[sep.len_utf8()..];
        let Some(w2) = ["ci", "skip"].into_iter().find(|w| starts_with_ci(rest, w)) else {
            continue;
        };
        if rest[w2.len()..].starts_with(close) {
            let end = s.len() - rest.len() + w2.len() + close.len_utf8();
            return format!("{}{}", &s[..i], &s[end..]);
        }
    }
    s.to_string()
}

/// node-semver's `valid` (strict): `v?MAJOR.MINOR.PATCH(-pre)?(+build)?`, numbers without
/// leading zeros and at most `Number.MAX_SAFE_INTEGER`, at most 256 characters.
fn is_node_semver(v: &str) -> bool {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    if js_len(v) > 256 {
        return false;
    }
    let v = v.strip_prefix('v').unwrap_or(v);
    let (v, build) = match v.split_once('+') {
        Some((v, b)) => (v, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    let ident = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| numeric(p) && p.parse::<u64>().is_ok_and(|n| n <= MAX_SAFE_INTEGER))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|id| ident(id) && (!id.bytes().all(|b| b.is_ascii_digit()) || numeric(id)))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
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

    fn note(title: &str, text: &str) -> Note {
        Note {
            title: title.into(),
            text: text.into(),
        }
    }

    #[test]
    fn parses_header_body_and_footer() {
        let c = parse("feat(api)!: drop v1\n\nLong body\nmore\n\nBREAKING CHANGE: v1 is gone\nRefs #12\n");
        assert_eq!(c.kind.as_deref(), Some("feat"));
        assert_eq!(c.scope.as_deref(), Some("api"));
        assert_eq!(c.subject.as_deref(), Some("drop v1"));
        assert_eq!(c.body.as_deref(), Some("Long body\nmore"));
        assert_eq!(c.footer.as_deref(), Some("BREAKING CHANGE: v1 is gone\nRefs #12"));
        // `Refs #12` is a footer token: it ends the note.
        assert_eq!(c.notes, [note("BREAKING CHANGE", "v1 is gone")]);
        assert!(c.is_breaking() && c.has_bang());
        assert_eq!(c.references.len(), 1);
        assert_eq!(
            (c.references[0].action.as_deref(), c.references[0].issue.as_str()),
            (None, "12")
        );
    }

    /// Every form conventional-commits-parser reads as a breaking change, and the note it makes.
    #[test]
    fn breaking_changes_in_every_form() {
        for (msg, title, text) in [
            ("fix: x\n\nBREAKING CHANGE: gone", "BREAKING CHANGE", "gone"),
            ("fix: x\n\nBREAKING-CHANGE: gone", "BREAKING-CHANGE", "gone"),
            (
                "fix: x\n\nBREAKING CHANGE:\ngone\nfor good",
                "BREAKING CHANGE",
                "gone\nfor good",
            ),
            ("fix: x\n\nBREAKING-CHANGE:\n\ngone", "BREAKING-CHANGE", "gone"),
            ("fix: x\n\nBREAKING CHANGE:gone", "BREAKING CHANGE", "gone"),
            ("fix: x\n\nbreaking change: gone", "breaking change", "gone"),
            (
                "fix: x (#9)\n\n* fix: a\n\n* BREAKING CHANGE: gone",
                "BREAKING CHANGE",
                "gone",
            ),
            (
                "fix: x\n\nbody\nBREAKING CHANGE: gone\nReviewed-by: Z",
                "BREAKING CHANGE",
                "gone",
            ),
            ("fix!: gone", "BREAKING CHANGE", "gone"),
            ("fix(a)!: gone", "BREAKING CHANGE", "gone"),
        ] {
            let c = parse(msg);
            assert_eq!(c.breaking_changes(), [note(title, text)], "{msg:?}");
        }
        // A footer's note wins over the `!`; a note runs on over blank lines and body-like text
        // up to a footer token.
        let c = parse("feat!: x\n\nBREAKING CHANGE: a\n\nmore\nReviewed-by: Z\nlast");
        assert_eq!(c.notes, [note("BREAKING CHANGE", "a\n\nmore")]);
        assert_eq!(
            c.footer.as_deref(),
            Some("BREAKING CHANGE: a\n\nmore\nReviewed-by: Z\nlast")
        );
        let c = parse("feat: x\n\nBREAKING CHANGE: a\nBREAKING-CHANGE: b");
        assert_eq!(c.notes, [note("BREAKING CHANGE", "a"), note("BREAKING-CHANGE", "b")]);
        for msg in [
            "feat: x\n\nBREAKING CHANGE was discussed",
            "feat: x\n\n  BREAKING CHANGE: indented",
            "feat: x\n\nsee BREAKING CHANGE: docs",
            "feat: x\n\n*BREAKING CHANGE: no space after the bullet",
            "feat: x\n\n- BREAKING CHANGE: a dash is not the bullet",
            "feat(a)! : x",
        ] {
            assert!(!parse(msg).is_breaking(), "{msg:?}");
        }
    }

    #[test]
    fn footers_start_at_the_first_token_line() {
        let c = parse("fix: x\n\nbody\nSigned-off-by: A <a@b>\nmore text\n");
        assert_eq!(c.body.as_deref(), Some("body"));
        assert_eq!(c.footer.as_deref(), Some("Signed-off-by: A <a@b>\nmore text"));
        // Indented `key: value` lines and `key:value` stay in the body.
        let c = parse("fix: x\n\n  Note: indented\nKey:value");
        assert_eq!(
            (c.body.as_deref(), c.footer),
            (Some("  Note: indented\nKey:value"), None)
        );
        assert!(is_footer_token("Closes #12"));
        assert!(is_footer_token("BREAKING CHANGE: x"));
        assert!(is_footer_token("Token:  "));
        assert!(!is_footer_token("Token: "));
        assert!(!is_footer_token("Closes #"));
        assert!(!is_footer_token("with space: x"));
    }

    #[test]
    fn non_matching_header_leaves_fields_empty() {
        let c = parse("Update the readme");
        assert_eq!((c.kind, c.subject), (None, None));
        let c = parse("feat:x");
        assert_eq!(c.kind, None);
        let c = parse("gpg: signature\nfeat: x");
        assert_eq!(c.kind.as_deref(), Some("feat"));
    }

    #[test]
    fn header_split_matches_the_presets_regexes() {
        assert_eq!(split_header("feat(a): b"), Some(("feat", Some("a"), false, "b")));
        assert_eq!(split_header("feat(a)!: b"), Some(("feat", Some("a"), true, "b")));
        assert_eq!(split_header("feat!: b"), Some(("feat", None, true, "b")));
        assert_eq!(
            split_header("fix(a): b (c): d"),
            Some(("fix", Some("a): b (c"), false, "d"))
        );
        // The breaking pattern is tried first.
        assert_eq!(
            split_header("fix(a)!: b (c): d"),
            Some(("fix", Some("a"), true, "b (c): d"))
        );
        assert_eq!(split_header("fix(a) : b"), None);
        assert_eq!(split_header(": b"), Some(("", None, false, "b")));
        assert_eq!(split_header("feat:x"), None);
        assert_eq!(split_header("feat: "), Some(("feat", None, false, "")));
        assert_eq!(split_header("feat: a\rb"), None);
    }

    /// (action, owner, repository, issue, raw)
    type Ref = (Option<String>, Option<String>, Option<String>, String, String);

    fn refs(line: &str) -> Vec<Ref> {
        let mut out = Vec::new();
        line_references(line, &mut out);
        out.into_iter()
            .map(|r| (r.action, r.owner, r.repository, r.issue, r.raw))
            .collect()
    }

    fn r(action: Option<&str>, owner: Option<&str>, repo: Option<&str>, issue: &str, raw: &str) -> Ref {
        let s = |x: Option<&str>| x.map(str::to_string);
        (s(action), s(owner), s(repo), issue.into(), raw.into())
    }

    /// Cases from conventional-commits-parser's own tests (`CommitParser.spec.ts`).
    #[test]
    fn references_as_the_parser_reads_them() {
        assert_eq!(refs("Fixes #12"), [r(Some("Fixes"), None, None, "12", "#12")]);
        assert_eq!(
            refs("Closes owner/repo#3"),
            [r(Some("Closes"), Some("owner"), Some("repo"), "3", "owner/repo#3")]
        );
        assert_eq!(
            refs("Closes #1, #123, Fixes #25"),
            [
                r(Some("Closes"), None, None, "1", "#1"),
                r(Some("Closes"), None, None, "123", ", #123"),
                r(Some("Fixes"), None, None, "25", "#25"),
            ]
        );
        assert_eq!(refs("Subject #1"), [r(None, None, None, "1", "Subject #1")]);
        assert_eq!(
            refs("closes angular/angular.js#1"),
            [r(
                Some("closes"),
                Some("angular"),
                Some("angular.js"),
                "1",
                "angular/angular.js#1"
            )]
        );
        assert_eq!(
            refs("fixed repo#77"),
            [r(Some("fixed"), None, Some("repo"), "77", "repo#77")]
        );
        assert_eq!(
            refs("Resolves #DS-2683."),
            [r(Some("Resolves"), None, None, "DS-2683", "#DS-2683")]
        );
        // No reference in a URL, nor without the issue's end.
        assert!(refs("Fixes https://github.com/a/b/issues/1#issuecomment-2").is_empty());
        assert!(refs("Fixes #12abc!").is_empty());
        assert!(refs("no issue here").is_empty());
    }

    #[test]
    fn references_are_deduplicated_and_read_from_every_line() {
        let c = parse("fix: x #1\n\nFixes #1\nfixes #1\nCloses #2");
        let got: Vec<(Option<&str>, &str)> = c
            .references
            .iter()
            .map(|r| (r.action.as_deref(), r.issue.as_str()))
            .collect();
        assert_eq!(got, [(None, "1"), (Some("Fixes"), "1"), (Some("Closes"), "2")]);
    }

    #[test]
    fn mentions_and_reverts() {
        assert_eq!(
            mentions("thanks @alice and @bob-c, mail a@b.c"),
            ["alice", "bob-c", "b"]
        );
        let rev = |m: &str| parse_revert(m).map(|r| (r.header, r.hash));
        assert_eq!(
            rev("Revert \"feat: x\"\n\nThis reverts commit 0123abc.\n"),
            Some(("feat: x".into(), Some("0123abc".into())))
        );
        assert_eq!(
            rev("revert: feat: x\n\nthis reverts commit 0123abc."),
            Some(("feat: x".into(), Some("0123abc".into())))
        );
        assert_eq!(rev("Revert \"feat: x\"\n\nThis reverts commit 0123abc"), None);
        assert_eq!(rev("Reverted \"x\"\n\nThis reverts commit 0123abc."), None);
        assert_eq!(rev("revert: x This reverts commit ."), Some(("x".into(), None)));
    }

    #[test]
    fn node_semver_valid() {
        for v in [
            "0.0.1",
            "1.0.0",
            "v0.0.1",
            "0.0.1-alpha",
            "0.0.1-0",
            "0.0.1-some-crazy-tag.999",
            "0.0.1-1e69d54",
            "1.0.0+build.01",
        ] {
            assert!(is_node_semver(v), "{v}");
        }
        for v in [
            "=1.0.0",
            "V1.0.0",
            "vv1.0.0",
            "01.0.0",
            "1.0",
            "1.0.0-01",
            "1.0.0-",
            "1.0.0+",
            "9007199254740992.0.0",
            " 1.0.0",
        ] {
            assert!(!is_node_semver(v), "{v}");
        }
    }

    // commitlint's default ignores (`@commitlint/is-ignored/src/defaults.ts`, `wildcards`), one
    // test per entry, with the cases of its `is-ignored.test.ts`.

    #[test]
    fn ignores_merge_pull_request_into_and_branch_on_any_line() {
        for m in [
            "Merge pull request #369",
            "Merge branch 'iss53'",
            "Merge branch 'ctrom-YarnBuild'\r\n\r\n\r\n",
            "Merge branch 'ctrom-YarnBuild'\r\n # some comment",
            "Merge 'a' into 'b'",
            "feat: x\n\nMerge branch 'a'",
        ] {
            assert!(is_ignored(m), "{m:?}");
        }
        for m in [
            "foo bar Merge branch xxx",
            "Merge stuff",
            "Merge branch",
            "Merge into x",
        ] {
            assert!(!is_ignored(m), "{m:?}");
        }
    }

    #[test]
    fn ignores_merge_tag_on_any_line() {
        for m in [
            "Merge tag '1.1.1'",
            "Merge tag 'a tag'\r\n",
            "Merge tag '1.1.1'\n # some comment",
        ] {
            assert!(is_ignored(m), "{m:?}");
        }
        assert!(!is_ignored("foo bar Merge tag '1.1.1'"));
    }

    #[test]
    fn ignores_reverts() {
        assert!(is_ignored("Revert \"docs: x (#36)\"\n\nThis reverts commit 1e69d54."));
        assert!(is_ignored("revert \"docs: x\""));
        assert!(!is_ignored("Reverts x") && !is_ignored("REVERT x") && !is_ignored("revert: x"));
    }

    #[test]
    fn ignores_reapplies() {
        assert!(is_ignored("Reapply \"feat: x\"") && is_ignored("reapply x"));
        assert!(!is_ignored("Reapplied x"));
    }

    #[test]
    fn ignores_amend_fixup_and_squash() {
        for m in [
            "amend! initial commit",
            "fixup! initial commit",
            "squash! initial commit",
            "fixup!x",
        ] {
            assert!(is_ignored(m), "{m:?}");
        }
        assert!(!is_ignored("fixup: x") && !is_ignored("Fixup! x"));
    }

    #[test]
    fn ignores_release_versions_with_ci_skip_markers() {
        let versions = [
            "0.0.1",
            "0.1.0",
            "1.0.0",
            "0.0.1-alpha",
            "0.0.1-some-crazy-tag",
            "0.0.1-0",
            "0.0.1-999",
            "0.0.1-alpha.0",
            "0.0.1-alpha.999",
            "0.0.1-some-crazy-tag.0",
            "0.0.1-some-crazy-tag.999",
            "0.0.1-1e69d54",
            "v0.0.1",
            " v3.0.0",
        ];
        for v in versions {
            for m in [
                v.to_string(),
                format!("chore: {v}"),
                format!("chore(release): {v}"),
                format!("{v}\n\nSigned-off-by: Developer <example@example.com>"),
                format!("{v}\n\nChange-Id: I895114872a515a269487a683124b63303818e19c"),
            ] {
                assert!(is_ignored(&m), "{m:?}");
            }
        }
        for m in [
            "2.3.3-beta.1 [skip ci]",
            "2.3.3-beta.1 [ci skip]",
            "2.3.3-beta.1 [skip-ci]",
            "2.3.3-beta.1 [ci-skip]",
            "2.3.3-beta.1 (skip ci)",
            "2.3.3-beta.1 (ci skip)",
            "2.3.3-beta.1 (skip-ci)",
            "2.3.3-beta.1 (ci-skip)",
            "chore(release): 2.3.3-beta.1 [skip ci]",
            "chore: 2.3.3-beta.1 [ci skip]",
            "v2.3.0 [SKIP CI]",
            "chore(release): 1.2.3 (ci skip)",
            "[skip ci] 1.2.3 (ci skip)",
        ] {
            assert!(is_ignored(m), "{m:?}");
        }
        for m in [
            "initial commit",
            "=1.2.3",
            "chore(): 1.2.3",
            "chore(release) 1.2.3",
            "1.2.3 [skip ci] [skip ci]",
            "1.2.3 [skip  ci]",
            "1.2.3 [skip ci",
            "release 1.2.3",
            "",
        ] {
            assert!(!is_ignored(m), "{m:?}");
        }
        assert_eq!(without_ci_marker("a [x] [Ci-Skip] b", '[', ']'), "a [x]  b");
    }

    #[test]
    fn ignores_bitbucket_and_azure_merged() {
        for m in [
            "Merged in feature/facebook-friends-sync (pull request #8)",
            "Merged develop into feature/component-form-select-card",
            "Merged PR 123: Description here",
        ] {
            assert!(is_ignored(m), "{m:?}");
        }
        assert!(!is_ignored("Merged") && !is_ignored("Merged x\nin y") && !is_ignored("Merged PR 1 x"));
    }

    #[test]
    fn ignores_remote_tracking_merges() {
        assert!(is_ignored("Merge remote-tracking branch") && is_ignored("Merge remote-tracking branch 'origin/main'"));
    }

    #[test]
    fn ignores_automatic_merges() {
        assert!(is_ignored("Automatic merge") && is_ignored("Automatic merge from x"));
        assert!(!is_ignored("automatic merge"));
    }

    #[test]
    fn ignores_auto_merged() {
        assert!(is_ignored("Auto-merged develop into master"));
        assert!(!is_ignored("Auto-merged develop") && !is_ignored("Auto-merged x\ninto y"));
    }
}
