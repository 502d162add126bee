//! Conventional Commits: the commit-msg step, `check-msg`, `lint-commits`, and the version bump
//! a history implies.
//!
//! The parser is our own rather than git-conventional's: the default profile must agree with
//! commitlint's verdicts (its parser accepts `feat(scope with spaces):`, a body without a blank
//! line, and measures in UTF-16 units), and git's cleanup must come first; wrapping
//! git-conventional would have meant re-deciding most of what it decides.

pub mod parse;
pub mod rules;
pub mod suggest;

use serde::Serialize;

pub use parse::{Cleanup, Commit, cleanup, comment_string, is_ignored};
pub use rules::Finding;

use crate::config::{Bump, BumpRules, CommitMsgConfig, Severity};
use crate::error::Result;

/// The verdict on one message.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub valid: bool,
    /// Accepted as it is (a merge, revert, fixup!, ...): no rule ran.
    pub ignored: bool,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
    pub header: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub scope: Option<String>,
    pub breaking: bool,
    #[serde(skip)]
    pub commit: Commit,
}

impl Verdict {
    /// The verdict with the whole parse, as `check-msg --json` prints it: `valid`, `ignored`,
    /// `errors`, `warnings`, `breaking`, then conventional-commits-parser's keys (`type`,
    /// `scope`, `subject`, `header`, `body`, `footer`, `notes`, `references`, `mentions`,
    /// `revert`, `merge`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "valid": self.valid,
            "ignored": self.ignored,
            "errors": self.errors,
            "warnings": self.warnings,
            "breaking": self.breaking,
        });
        if let (Some(out), Ok(serde_json::Value::Object(parse))) =
            (v.as_object_mut(), serde_json::to_value(&self.commit))
        {
            out.extend(parse);
        }
        v
    }
}

/// Lints a message that is already cleaned up.
pub fn lint(message: &str, cfg: &CommitMsgConfig) -> Verdict {
    lint_with(message, cfg, &ignore_patterns(cfg))
}

/// `[commit_msg] ignore`, compiled (validated when the config was loaded).
fn ignore_patterns(cfg: &CommitMsgConfig) -> Vec<regex::Regex> {
    cfg.ignore.iter().filter_map(|p| regex::Regex::new(p).ok()).collect()
}

fn lint_with(message: &str, cfg: &CommitMsgConfig, ignore: &[regex::Regex]) -> Verdict {
    let commit = parse::parse(message);
    let mut verdict = Verdict {
        valid: true,
        ignored: false,
        errors: Vec::new(),
        warnings: Vec::new(),
        header: commit.header.clone(),
        kind: commit.kind.clone(),
        scope: commit.scope.clone(),
        breaking: commit.is_breaking(),
        commit: Commit::default(),
    };
    if message.trim().is_empty() {
        verdict.valid = false;
        verdict.errors.push(Finding {
            rule: "message-empty",
            message: "the message is empty".into(),
            span: None,
        });
        return verdict;
    }
    if is_ignored(message) || ignore.iter().any(|re| re.is_match(&commit.header)) {
        verdict.ignored = true;
        verdict.commit = commit;
        return verdict;
    }
    for finding in rules::check(&commit, cfg) {
        match rules::severity(cfg, finding.rule) {
            Severity::Error => verdict.errors.push(finding),
            Severity::Warn => verdict.warnings.push(finding),
            Severity::Off => {}
        }
    }
    verdict.valid = verdict.errors.is_empty();
    verdict.commit = commit;
    verdict
}

/// Lints messages as they arrive, on every core: `produce` hands over batches (say, while
/// `git log` is still reading history) and each batch is linted while the next is read.
/// `failed` gets the messages that fail, in the order given, as soon as every batch before
/// theirs is done: memory stays flat however long the range. Returns how many messages were
/// linted and how many failed; an error of `failed` (say, a closed pipe) stops the reading.
pub fn lint_batches<T: Send, E: From<W>, W>(
    cfg: &CommitMsgConfig,
    message: impl Fn(&T) -> &str + Sync,
    produce: impl FnOnce(&mut dyn FnMut(Vec<T>)) -> Result<(), E>,
    mut failed: impl FnMut(T, Verdict) -> Result<(), W>,
) -> Result<(usize, usize), E> {
    let ignore = ignore_patterns(cfg);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Batches in flight (queued, being linted, or linted and waiting for an earlier one).
    let window = threads * 4;
    let (send, receive) = std::sync::mpsc::sync_channel::<(usize, Vec<T>)>(window);
    let receive = std::sync::Mutex::new(receive);
    let (done_send, done) = std::sync::mpsc::channel::<(usize, Vec<(T, Verdict)>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (receive, done_send, message, ignore) = (&receive, done_send.clone(), &message, &ignore);
            scope.spawn(move || {
                loop {
                    let next = receive.lock().map(|r| r.recv());
                    let Ok(Ok((batch_no, batch))) = next else {
                        break;
                    };
                    let failures = batch
                        .into_iter()
                        .filter_map(|item| {
                            let verdict = lint_with(message(&item), cfg, ignore);
                            (!verdict.valid).then_some((item, verdict))
                        })
                        .collect();
                    if done_send.send((batch_no, failures)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_send);
        let mut order = Ordered {
            pending: std::collections::BTreeMap::new(),
            next: 0,
            failed: 0,
            error: None,
        };
        let (mut sent, mut linted) = (0, 0);
        let produced = produce(&mut |batch| {
            if order.error.is_some() {
                return;
            }
            linted += batch.len();
            // The receivers live until this scope ends, so the send cannot fail.
            let _ = send.send((sent, batch));
            sent += 1;
            while let Ok(result) = done.try_recv() {
                order.take(result, &mut failed);
            }
            while sent - order.next > window {
                match done.recv() {
                    Ok(result) => order.take(result, &mut failed),
                    Err(_) => break,
                }
            }
        });
        drop(send);
        for result in done.iter() {
            order.take(result, &mut failed);
        }
        produced?;
        if let Some(e) = order.error {
            return Err(e.into());
        }
        Ok((linted, order.failed))
    })
}

/// Linted batches put back in the order they were given.
struct Ordered<T, W> {
    pending: std::collections::BTreeMap<usize, Vec<(T, Verdict)>>,
    next: usize,
    failed: usize,
    error: Option<W>,
}

impl<T, W> Ordered<T, W> {
    fn take(
        &mut self,
        (batch_no, failures): (usize, Vec<(T, Verdict)>),
        emit: &mut impl FnMut(T, Verdict) -> Result<(), W>,
    ) {
        self.pending.insert(batch_no, failures);
        while let Some(failures) = self.pending.remove(&self.next) {
            self.next += 1;
            for (item, verdict) in failures {
                self.failed += 1;
                if self.error.is_none()
                    && let Err(e) = emit(item, verdict)
                {
                    self.error = Some(e);
                }
            }
        }
    }
}

/// Cleans raw message bytes as git would, then lints them. Bytes that are not UTF-8 are read
/// lossily and reported as a warning.
pub fn check_bytes(raw: &[u8], mode: Cleanup, comment_config: Option<&str>, cfg: &CommitMsgConfig) -> Verdict {
    let text = String::from_utf8_lossy(raw);
    let comment = comment_string(comment_config, &text);
    let cleaned = cleanup(&text, mode, &comment);
    let mut verdict = lint(&cleaned, cfg);
    if std::str::from_utf8(raw).is_err() && rules::severity(cfg, "message-encoding") != Severity::Off {
        let f = Finding {
            rule: "message-encoding",
            message: "the message is not valid UTF-8; it was read with replacement characters".into(),
            span: None,
        };
        if rules::severity(cfg, "message-encoding") == Severity::Error {
            verdict.errors.push(f);
            verdict.valid = false;
        } else {
            verdict.warnings.push(f);
        }
    }
    verdict
}

/// The cleanup git will apply to a message file given to the commit-msg hook: `commit.cleanup`
/// when set; else `strip` when git's editor template is in the message (comment hints or the
/// scissors line), and `whitespace` otherwise (`git commit -m` keeps `#` lines).
pub fn hook_cleanup(configured: Option<&str>, message: &str, comment: &str) -> Cleanup {
    match configured.and_then(Cleanup::parse) {
        Some(mode) => mode,
        None => {
            let template = message.lines().any(|l| {
                l.strip_prefix(comment)
                    .is_some_and(|rest| rest.trim() == parse::SCISSORS || rest.starts_with(" Please enter"))
            });
            if template { Cleanup::Strip } else { Cleanup::Whitespace }
        }
    }
}

/// The report that teaches the fix: the header, a caret under each offending part, each rule
/// with what to do, the allowed types, an example from the user's own words.
pub fn render(verdict: &Verdict, cfg: &CommitMsgConfig, saved_at: Option<&str>) -> String {
    let mut out = String::new();
    if !verdict.errors.is_empty() {
        out.push_str(
            "the commit message does not follow Conventional Commits (https://www.conventionalcommits.org):\n\n",
        );
        out.push_str(&format!("    {}\n", verdict.header));
        for f in &verdict.errors {
            if let Some((start, end)) = f.span {
                out.push_str(&format!(
                    "    {}{}\n",
                    " ".repeat(start),
                    "^".repeat(end.saturating_sub(start).max(1))
                ));
            }
            out.push_str(&format!("    {}: {}{}\n", f.rule, f.message, hint(f, verdict, cfg)));
        }
        out.push('\n');
        let types: Vec<&str> = cfg.types.keys().map(String::as_str).collect();
        out.push_str(&format!("  allowed types: {}\n", types.join(", ")));
        if !cfg.scopes.is_empty() {
            out.push_str(&format!("  allowed scopes: {}\n", cfg.scopes.join(", ")));
        }
        out.push_str(&format!("  for example:   {}\n", rules::example(&verdict.commit, cfg)));
        if let Some(path) = saved_at {
            out.push_str(&format!(
                "  your message is saved in {path}; reopen it with: git commit -e -F {path}\n"
            ));
        }
    }
    for w in &verdict.warnings {
        out.push_str(&format!("  warning: {}: {}\n", w.rule, w.message));
    }
    out
}

fn hint(f: &Finding, verdict: &Verdict, cfg: &CommitMsgConfig) -> String {
    if f.rule != "type-enum" {
        return String::new();
    }
    let Some(kind) = &verdict.kind else {
        return String::new();
    };
    let known: Vec<&str> = cfg.types.keys().map(String::as_str).collect();
    let lower = kind.to_lowercase();
    let guess = if cfg.types.contains_key(&lower) {
        Some(lower.as_str())
    } else {
        crate::config::closest(&lower, &known).or_else(|| synonym(&lower))
    };
    guess.map(|g| format!("; did you mean `{g}`?")).unwrap_or_default()
}

/// Common words people use in place of a type.
fn synonym(word: &str) -> Option<&'static str> {
    match word {
        "feature" | "features" | "add" | "new" | "enhancement" => Some("feat"),
        "bugfix" | "hotfix" | "bug" | "fixes" | "fixed" => Some("fix"),
        "doc" | "documentation" => Some("docs"),
        "tests" | "testing" => Some("test"),
        "refactoring" | "cleanup" => Some("refactor"),
        "performance" | "optimization" => Some("perf"),
        "deps" | "dependencies" => Some("build"),
        _ => None,
    }
}

/// One commit that decided a bump.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    pub id: String,
    pub header: String,
    pub bump: Bump,
    /// It announces a breaking change ([`Commit::is_breaking`]).
    pub breaking: bool,
}

/// The bump a list of commits (newest first) implies: any breaking change -> major, else the
/// highest level among their types (and git's reverts) under `rules`. Below 1.0.0, with
/// `major_version_zero`, one level lower.
pub fn infer_bump(
    messages: &[(String, String)],
    rules: &BumpRules,
    current: &semver::Version,
    major_version_zero: bool,
) -> (Bump, Vec<Reason>) {
    let mut reasons = Vec::new();
    for (id, message) in messages {
        // commitlint ignores git's reverts, semantic-release releases them (`revert: true`).
        let commit = parse::parse(message);
        let revert = rules.revert != Bump::None && commit.revert.is_some();
        if !revert && is_ignored(message) {
            continue;
        }
        let kind = commit.kind.as_ref().filter(|_| commit.subject.is_some());
        let mut bump = kind
            .and_then(|k| rules.types.get(&k.to_lowercase()).copied())
            .unwrap_or(Bump::None);
        if revert {
            bump = bump.max(rules.revert);
        }
        // A breaking change is major whatever the header says, as conventional-changelog's
        // `whatBump` and semantic-release count it.
        let breaking = commit.is_breaking();
        if breaking {
            bump = Bump::Major;
        }
        if bump != Bump::None {
            reasons.push(Reason {
                id: id.clone(),
                header: commit.header.clone(),
                bump,
                breaking,
            });
        }
    }
    let top = reasons.iter().map(|r| r.bump).max().unwrap_or(Bump::None);
    reasons.retain(|r| r.bump == top);
    let level = if major_version_zero && current.major == 0 {
        match top {
            Bump::Major => Bump::Minor,
            Bump::Minor => Bump::Patch,
            other => other,
        }
    } else {
        top
    };
    (level, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_after_cleanup_is_invalid() {
        let cfg = CommitMsgConfig::default();
        let v = check_bytes(b"# only a comment\n\n", Cleanup::Strip, None, &cfg);
        assert!(!v.valid);
        assert_eq!(v.errors[0].rule, "message-empty");
    }

    #[test]
    fn invalid_utf8_is_read_lossily_and_reported() {
        let cfg = CommitMsgConfig::default();
        let v = check_bytes(b"feat: caf\xe9\n", Cleanup::Strip, None, &cfg);
        assert!(v.valid);
        assert_eq!(v.warnings[0].rule, "message-encoding");
    }

    #[test]
    fn hook_cleanup_keeps_hash_lines_of_dash_m_messages() {
        assert_eq!(hook_cleanup(None, "#123 fix\n", "#"), Cleanup::Whitespace);
        assert_eq!(
            hook_cleanup(None, "fix: x\n# Please enter the commit message\n", "#"),
            Cleanup::Strip
        );
        assert_eq!(hook_cleanup(Some("verbatim"), "x", "#"), Cleanup::Verbatim);
    }

    #[test]
    fn render_teaches() {
        let cfg = CommitMsgConfig::default();
        let v = lint("feature(api): Add thing.", &cfg);
        let text = render(&v, &cfg, Some(".git/COMMIT_EDITMSG"));
        assert!(text.contains("    feature(api): Add thing.\n    ^^^^^^^\n"), "{text}");
        assert!(text.contains("type-enum: `feature` is not an allowed type; did you mean `feat`?"));
        assert!(text.contains("for example:   feat(api): add thing"));
        assert!(text.contains("git commit -e -F .git/COMMIT_EDITMSG"));
    }

    #[test]
    fn bump_inference() {
        let cfg = crate::config::VersionConfig::default().bump_rules(&CommitMsgConfig::default());
        let v1 = semver::Version::new(1, 2, 3);
        let m = |xs: &[&str]| {
            xs.iter()
                .enumerate()
                .map(|(i, s)| (i.to_string(), s.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(infer_bump(&m(&["fix: a", "docs: b"]), &cfg, &v1, true).0, Bump::Patch);
        assert_eq!(infer_bump(&m(&["fix: a", "feat: b"]), &cfg, &v1, true).0, Bump::Minor);
        assert_eq!(infer_bump(&m(&["feat!: a", "feat: b"]), &cfg, &v1, true).0, Bump::Major);
        assert_eq!(
            infer_bump(&m(&["fix: a\n\nBREAKING CHANGE: gone"]), &cfg, &v1, true).0,
            Bump::Major
        );
        assert_eq!(
            infer_bump(&m(&["docs: a", "Merge branch 'x'"]), &cfg, &v1, true).0,
            Bump::None
        );
        // Every breaking form, whatever the header.
        for msg in [
            "fix: a\n\nBREAKING CHANGE:\ngone",
            "fix: a\n\nBREAKING-CHANGE:\n\ngone",
            "fix: a (#1)\n\n* fix: b\n\n* BREAKING CHANGE: gone",
            "docs: a\n\nbreaking-change: gone",
            "Update the api\n\nBREAKING CHANGE: gone",
        ] {
            let (bump, reasons) = infer_bump(&m(&[msg, "feat: b"]), &cfg, &v1, true);
            assert_eq!(bump, Bump::Major, "{msg:?}");
            assert!(reasons[0].breaking, "{msg:?}");
        }
        assert_eq!(infer_bump(&m(&["Update the api"]), &cfg, &v1, true).0, Bump::None);
        let v0 = semver::Version::new(0, 4, 0);
        assert_eq!(infer_bump(&m(&["feat!: a"]), &cfg, &v0, true).0, Bump::Minor);
        assert_eq!(infer_bump(&m(&["feat: a"]), &cfg, &v0, true).0, Bump::Patch);
        assert_eq!(infer_bump(&m(&["feat!: a"]), &cfg, &v0, false).0, Bump::Major);
        // Reverts: ignored by default, a patch under semantic-release's rules.
        let revert = "Revert \"feat: a\"\n\nThis reverts commit 0123abc.";
        assert_eq!(infer_bump(&m(&[revert]), &cfg, &v1, true).0, Bump::None);
        let sr = crate::config::VersionConfig {
            bump_rules: crate::config::BumpRulesPreset::SemanticRelease,
            ..Default::default()
        }
        .bump_rules(&CommitMsgConfig::default());
        let (bump, reasons) = infer_bump(&m(&[revert, "docs: b", "revert: c"]), &sr, &v1, true);
        assert_eq!((bump, reasons.len()), (Bump::Patch, 1));
        let typed = "revert: feat: a\n\nThis reverts commit 0123abc.";
        assert_eq!(infer_bump(&m(&[typed]), &sr, &v1, true).0, Bump::Patch);
        assert_eq!(infer_bump(&m(&["improvement: a"]), &sr, &v1, true).0, Bump::Minor);
        assert_eq!(infer_bump(&m(&["refactor: a"]), &sr, &v1, true).0, Bump::None);
    }
}
