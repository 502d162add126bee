//! The changelog: commits grouped by type into a Keep a Changelog section, and the one edit
//! `--write` makes to CHANGELOG.md (the new section goes in above the latest release; every
//! other byte of the file stays as it was).
//!
//! Works on messages, not on a repository: callers hand it the commits of a range.

use std::sync::OnceLock;

use regex::Regex;

use crate::config::{ChangelogConfig, CommitMsgConfig};
use crate::conventional::{self, Commit};
use crate::git::CommitInfo;

pub const BREAKING_TITLE: &str = "Breaking changes";
pub const OTHER_TITLE: &str = "Other";

/// The title and first lines of a new CHANGELOG.md.
const PREAMBLE: &str = "# Changelog\n\nAll notable changes to this project are documented in this file. The format follows\n[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and the project uses\n[Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n\n";

/// One line of the changelog.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub scope: Option<String>,
    pub description: String,
    /// The short commit id.
    pub id: String,
    /// For a breaking change: the `BREAKING CHANGE` footer's text.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Group {
    pub title: String,
    pub entries: Vec<Entry>,
}

/// Groups `commits` (newest first, as `git log` gives them): breaking changes first, then the
/// configured types in order, then "Other" for messages that are not conventional. Merges,
/// fixup!/squash!/amend! commits, hidden types, and reverts of commits in the same range (with
/// the commits they revert) are left out.
pub fn groups(commits: &[CommitInfo], types: &CommitMsgConfig, cfg: &ChangelogConfig) -> Vec<Group> {
    let reverted = reverted_in_range(commits);
    let mut breaking = Vec::new();
    let mut by_section: Vec<Vec<Entry>> = vec![Vec::new(); cfg.sections.len()];
    let mut other = Vec::new();
    for c in commits {
        if c.parents > 1 || reverted.contains(&c.id.as_str()) {
            continue;
        }
        let id = c.id.chars().take(7).collect::<String>();
        let message = c.message.trim();
        let header = message.lines().next().unwrap_or("").trim().to_string();
        if let Some(quoted) = git_revert(&header) {
            // A revert of a commit released before: shown with the reverts.
            if let Some(i) = cfg.sections.iter().position(|s| s.kind == "revert") {
                by_section[i].push(Entry {
                    scope: None,
                    description: format!("revert \"{quoted}\""),
                    id,
                    note: None,
                });
            }
            continue;
        }
        if conventional::is_ignored(message) && !header.starts_with("Reapply ") && !header.starts_with("reapply ") {
            continue;
        }
        let commit = conventional::parse::parse(message);
        let kind = commit.kind.as_deref().map(str::to_lowercase);
        let conventional = commit.subject.is_some() && kind.as_ref().is_some_and(|k| types.types.contains_key(k));
        // A breaking change is listed whatever its header, as conventional-changelog lists it.
        if !conventional && !commit.is_breaking() {
            if cfg.include_other && !header.is_empty() {
                other.push(Entry {
                    scope: None,
                    description: header,
                    id,
                    note: None,
                });
            }
            continue;
        }
        let entry = entry(&commit, id);
        if commit.is_breaking() {
            breaking.push(entry);
        } else if let Some(i) = cfg.sections.iter().position(|s| Some(&s.kind) == kind.as_ref()) {
            by_section[i].push(entry);
        }
    }
    let mut out = Vec::new();
    let mut push = |title: &str, entries: Vec<Entry>| {
        if !entries.is_empty() {
            out.push(Group {
                title: title.to_string(),
                entries,
            });
        }
    };
    push(BREAKING_TITLE, breaking);
    for (section, entries) in cfg.sections.iter().zip(by_section) {
        push(&section.title, entries);
    }
    push(OTHER_TITLE, other);
    out
}

fn entry(commit: &Commit, id: String) -> Entry {
    let description = commit
        .subject
        .clone()
        .unwrap_or_else(|| commit.header.trim().to_string());
    // The breaking changes' texts, but not the `!` header's, which is the description.
    let texts: Vec<&str> = commit
        .breaking_changes()
        .iter()
        .map(|n| n.text.as_str())
        .filter(|t| !t.is_empty() && *t != description)
        .collect();
    let note = (!texts.is_empty()).then(|| texts.join("\n\n"));
    Entry {
        scope: commit.scope.clone(),
        description,
        id,
        note,
    }
}

/// `Revert "<header>"`, as `git revert` writes it: the reverted header.
fn git_revert(header: &str) -> Option<&str> {
    header
        .strip_prefix("Revert \"")
        .and_then(|h| h.strip_suffix('"'))
        .filter(|h| !h.is_empty())
}

/// Ids of reverts whose reverted commit is also in the range, and of those commits: neither was
/// released, so neither belongs in the changelog. A revert names what it reverts in its body
/// (`This reverts commit <id>.` from `git revert`, or `Refs: <id>` for a `revert:` commit).
fn reverted_in_range(commits: &[CommitInfo]) -> Vec<&str> {
    static HEX: OnceLock<Regex> = OnceLock::new();
    let hex = HEX.get_or_init(|| Regex::new(r"\b[0-9a-f]{7,40}\b").expect("valid regex"));
    let mut out = Vec::new();
    // Oldest first, so a revert of a revert pairs with the nearest one before it.
    for c in commits.iter().rev() {
        let header = c.message.trim_start().lines().next().unwrap_or("");
        let is_revert = header.starts_with("Revert \"")
            || header.to_lowercase().starts_with("revert:")
            || header.to_lowercase().starts_with("revert(");
        if !is_revert || out.contains(&c.id.as_str()) {
            continue;
        }
        let body = c.message.trim_start().split_once('\n').map_or("", |(_, b)| b);
        let target = hex.find_iter(body).find_map(|m| {
            commits
                .iter()
                .find(|t| t.id != c.id && t.id.starts_with(m.as_str()) && !out.contains(&t.id.as_str()))
        });
        if let Some(target) = target {
            out.push(target.id.as_str());
            out.push(c.id.as_str());
        }
    }
    out
}

/// A release's heading: `## [1.2.0] - 2026-11-24`, or `## [Unreleased]`.
pub fn heading(version: Option<&str>, date: Option<&str>) -> String {
    match (version, date) {
        (Some(v), Some(d)) => format!("## [{v}] - {d}"),
        (Some(v), None) => format!("## [{v}]"),
        (None, _) => "## [Unreleased]".to_string(),
    }
}

/// The Markdown of one release: its heading, then each group. Ends with a blank line.
pub fn render(heading: &str, groups: &[Group]) -> String {
    let mut out = format!("{heading}\n\n");
    if groups.is_empty() {
        out.push_str("No notable changes.\n\n");
    }
    for group in groups {
        out.push_str(&format!("### {}\n\n", group.title));
        for e in &group.entries {
            out.push_str("- ");
            if let Some(scope) = &e.scope {
                out.push_str(&format!("**{scope}:** "));
            }
            out.push_str(&format!("{} ({})\n", e.description, e.id));
            if let Some(note) = &e.note {
                for line in note.lines() {
                    if line.trim().is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str(&format!("  {line}\n"));
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Whether `text` already has a section for `version`.
pub fn has_release(text: &str, version: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("## ")
            .map(|h| h.trim_start_matches('[').trim_start_matches('v'))
            .is_some_and(|h| {
                h.strip_prefix(version)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([']', ' ']))
            })
    })
}

/// The file with `section` added: above the first release heading (`## [1.0.0]`, `## 1.0.0`;
/// an `## [Unreleased]` section stays on top), else at the end. A missing or empty file starts
/// with the Keep a Changelog preamble. Every byte of `existing` is kept.
pub fn insert(existing: Option<&str>, section: &str) -> String {
    let existing = existing.unwrap_or("");
    if existing.trim().is_empty() {
        return format!("{PREAMBLE}{section}");
    }
    let mut offset = 0;
    for line in existing.split_inclusive('\n') {
        if is_release_heading(line) {
            return format!("{}{section}{}", &existing[..offset], &existing[offset..]);
        }
        offset += line.len();
    }
    let separator = if existing.ends_with("\n\n") {
        ""
    } else if existing.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{existing}{separator}{section}")
}

fn is_release_heading(line: &str) -> bool {
    line.strip_prefix("## ")
        .map(|h| h.trim_start_matches('[').trim_start_matches('v'))
        .is_some_and(|h| h.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commits(list: &[(&str, &str)]) -> Vec<CommitInfo> {
        list.iter()
            .map(|(id, m)| CommitInfo {
                id: id.to_string(),
                message: m.to_string(),
                parents: 1,
            })
            .collect()
    }

    fn render_default(list: &[(&str, &str)]) -> String {
        let g = groups(&commits(list), &CommitMsgConfig::default(), &ChangelogConfig::default());
        render(&heading(Some("1.3.0"), Some("2026-11-24")), &g)
    }

    #[test]
    fn groups_in_order_with_scope_and_short_id() {
        let text = render_default(&[
            ("aaaaaaa1111", "fix(parser): handle CRLF\n"),
            ("bbbbbbb2222", "docs: explain\n"),
            (
                "ccccccc3333",
                "feat(api)!: drop v1\n\nBREAKING CHANGE: the /v1 routes are gone.\nUse /v2.\n",
            ),
            ("ddddddd4444", "feat: add export\n"),
            ("eeeeeee5555", "fixup! feat: add export\n"),
            ("fffffff6666", "Update stuff\n"),
            ("0000000aaaa", "perf: cache the index\n"),
        ]);
        assert_eq!(
            text,
            "## [1.3.0] - 2026-11-24\n\n\
             ### Breaking changes\n\n\
             - **api:** drop v1 (ccccccc)\n  the /v1 routes are gone.\n  Use /v2.\n\n\
             ### Features\n\n- add export (ddddddd)\n\n\
             ### Bug fixes\n\n- **parser:** handle CRLF (aaaaaaa)\n\n\
             ### Performance\n\n- cache the index (0000000)\n\n\
             ### Other\n\n- Update stuff (fffffff)\n\n"
        );
    }

    #[test]
    fn breaking_changes_in_every_form_head_the_changelog() {
        let text = render_default(&[
            (
                "1111111",
                "feat(api): next line\n\nBREAKING CHANGE:\nthe v1 routes are gone\n",
            ),
            ("2222222", "fix: hyphen\n\nBREAKING-CHANGE:\n\nno more v1\n"),
            (
                "3333333",
                "feat: squash (#7)\n\n* feat: a\n\n* BREAKING CHANGE: bullet\n",
            ),
            ("4444444", "Update the api\n\nBREAKING CHANGE: not conventional\n"),
            ("5555555", "feat!: bang\n"),
            ("6666666", "feat: plain\n"),
        ]);
        assert_eq!(
            text,
            "## [1.3.0] - 2026-11-24\n\n\
             ### Breaking changes\n\n\
             - **api:** next line (1111111)\n  the v1 routes are gone\n\
             - hyphen (2222222)\n  no more v1\n\
             - squash (#7) (3333333)\n  bullet\n\
             - Update the api (4444444)\n  not conventional\n\
             - bang (5555555)\n\n\
             ### Features\n\n- plain (6666666)\n\n"
        );
    }

    #[test]
    fn reverts_of_unreleased_commits_cancel_out() {
        let text = render_default(&[
            (
                "1111111aaaa",
                "Revert \"feat: add export\"\n\nThis reverts commit 2222222bbbbcccc.\n",
            ),
            ("2222222bbbbcccc", "feat: add export\n"),
            ("3333333", "Revert \"fix: old bug\"\n\nThis reverts commit 9999999.\n"),
            ("4444444", "Merge branch 'x'\n"),
        ]);
        assert!(!text.contains("add export"), "{text}");
        assert!(
            text.contains("### Reverts\n\n- revert \"fix: old bug\" (3333333)\n"),
            "{text}"
        );
        assert!(!text.contains("Merge"), "{text}");
    }

    #[test]
    fn merges_and_other_can_be_left_out() {
        let mut list = commits(&[("1111111", "feat: merged thing\n"), ("2222222", "WIP\n")]);
        list[0].parents = 2;
        let cfg = ChangelogConfig {
            include_other: false,
            ..ChangelogConfig::default()
        };
        assert!(groups(&list, &CommitMsgConfig::default(), &cfg).is_empty());
        assert_eq!(
            render("## [Unreleased]", &[]),
            "## [Unreleased]\n\nNo notable changes.\n\n"
        );
    }

    #[test]
    fn insert_keeps_every_other_byte() {
        let section = "## [1.1.0] - 2026-11-24\n\n### Features\n\n- x (1234567)\n\n";
        let file = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- wip\n\n## [1.0.0] - 2026-01-01\n\n- first\n";
        let out = insert(Some(file), section);
        assert_eq!(
            out,
            format!(
                "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- wip\n\n{section}## [1.0.0] - 2026-01-01\n\n- first\n"
            )
        );
        assert_eq!(insert(Some("# Log"), section), format!("# Log\n\n{section}"));
        assert!(insert(None, section).starts_with("# Changelog\n\nAll notable changes"));
        assert!(insert(None, section).ends_with(section));
    }

    #[test]
    fn finds_existing_releases() {
        let file = "# Changelog\n\n## [1.0.0] - 2026-01-01\n## v2.0.0\n";
        assert!(has_release(file, "1.0.0"));
        assert!(has_release(file, "2.0.0"));
        assert!(!has_release(file, "1.0.0-rc.1"));
        assert!(!has_release(file, "1.0"));
    }
}
