//! The message to start from: a header suggested from the staged paths and the branch name, and
//! the editor file with that suggestion put above what git prepared. Paths and text in, text
//! out; the prepare-commit-msg step hands them over.

use crate::config::{CommitMsgConfig, DEFAULT_TICKET_PATTERN, PrepareMode};

/// What the staged change and the branch suggest; each part only when it is clear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggestion {
    /// A configured type: from the paths (docs, test or ci only), else from the branch prefix.
    pub kind: Option<String>,
    /// The scope whose configured folders hold every staged path.
    pub scope: Option<String>,
    /// The ticket in the branch name, for a `Refs:` footer.
    pub ticket: Option<String>,
}

impl Suggestion {
    /// `type(scope): `, ready for the subject; `<type>` stands in for an unknown type. None when
    /// neither is known.
    pub fn header(&self) -> Option<String> {
        if self.kind.is_none() && self.scope.is_none() {
            return None;
        }
        let kind = self.kind.as_deref().unwrap_or("<type>");
        Some(match &self.scope {
            Some(scope) => format!("{kind}({scope}): "),
            None => format!("{kind}: "),
        })
    }

    pub fn footer(&self) -> Option<String> {
        self.ticket.as_ref().map(|t| format!("Refs: {t}"))
    }
}

/// The suggestion for a commit of `paths` (as staged, relative to the top) on `branch`.
pub fn suggest<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    branch: Option<&str>,
    cfg: &CommitMsgConfig,
) -> Suggestion {
    let mut class = None;
    let mut same_class = true;
    let mut scope = None;
    let mut same_scope = true;
    let mut any = false;
    for path in paths {
        any = true;
        if same_class {
            let c = classify(path);
            same_class = class.is_none_or(|k| k == c);
            class = Some(c);
        }
        if same_scope {
            let s = scope_of(path, cfg);
            same_scope = s.is_some() && (scope.is_none() || scope == s);
            scope = s;
        }
        if !same_class && !same_scope {
            break;
        }
    }
    let known = |t: &str| cfg.types.contains_key(t).then(|| t.to_string());
    let from_paths = match (any && same_class).then_some(class).flatten() {
        Some(Class::Ci) => known("ci"),
        Some(Class::Test) => known("test"),
        Some(Class::Docs) => known("docs"),
        _ => None,
    };
    let kind = from_paths.or_else(|| branch.and_then(|b| branch_type(b, cfg)));
    Suggestion {
        kind,
        scope: (any && same_scope).then_some(scope).flatten().map(str::to_string),
        ticket: branch.and_then(|b| ticket(b, &cfg.ticket_pattern)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Ci,
    Test,
    Docs,
    Other,
}

/// One class per path, the first that fits: CI configuration, tests, documentation.
fn classify(path: &str) -> Class {
    let name = path.rsplit('/').next().unwrap_or(path);
    let dirs = || path.split('/').rev().skip(1);
    let first = path.split('/').next().unwrap_or("");
    let ci_dir = [".ci", ".circleci", ".buildkite", ".woodpecker", ".gitlab-ci", ".gitlab"].contains(&first)
        || path.starts_with(".github/workflows/")
        || path.starts_with(".github/actions/");
    let ci_file = [
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
        ".travis.yml",
        "azure-pipelines.yml",
        "bitbucket-pipelines.yml",
        ".drone.yml",
        "appveyor.yml",
        ".woodpecker.yml",
        "Jenkinsfile",
    ]
    .contains(&path);
    if ci_dir || ci_file {
        return Class::Ci;
    }
    let test_dir = |d: &str| ["test", "tests", "__tests__", "spec", "specs", "testdata", "e2e"].contains(&d);
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let test_file = stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem.ends_with(".test")
        || stem.ends_with(".spec")
        || (matches!(ext, "java" | "kt" | "cs" | "scala") && (stem.ends_with("Test") || stem.ends_with("Tests")));
    if dirs().any(test_dir) || test_file {
        return Class::Test;
    }
    // `.txt` is prose except for the build and dependency files that use the extension.
    let prose_txt = ext == "txt"
        && name != "CMakeLists.txt"
        && !stem.starts_with("requirements")
        && !stem.starts_with("constraints");
    let docs_ext = matches!(ext, "md" | "markdown" | "mdx" | "rst" | "adoc" | "asciidoc") || prose_txt;
    let docs_dir = ["docs", "doc", "documentation"].contains(&first);
    if docs_ext || docs_dir || stem == "README" {
        return Class::Docs;
    }
    Class::Other
}

/// The scope whose folder holds `path`, the deepest folder when several do.
fn scope_of<'c>(path: &str, cfg: &'c CommitMsgConfig) -> Option<&'c str> {
    let mut best: Option<(&str, usize)> = None;
    for (scope, folders) in &cfg.scope_paths {
        for folder in &folders.0 {
            let folder = folder.trim_start_matches("./").trim_matches('/');
            let inside = path
                .strip_prefix(folder)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
            if inside && !folder.is_empty() && best.is_none_or(|(_, len)| folder.len() > len) {
                best = Some((scope, folder.len()));
            }
        }
    }
    best.map(|(scope, _)| scope)
}

/// The type a branch name starts with (`feat/...`, `Fix/...`, `feature/...`), when configured.
fn branch_type(branch: &str, cfg: &CommitMsgConfig) -> Option<String> {
    let (prefix, _) = branch.split_once('/')?;
    let prefix = prefix.to_lowercase();
    let kind = match prefix.as_str() {
        "feature" | "features" => "feat",
        "bugfix" | "hotfix" | "bug" => "fix",
        "doc" => "docs",
        "tests" => "test",
        other => other,
    };
    cfg.types.contains_key(kind).then(|| kind.to_string())
}

/// The ticket in `branch`: `pattern`'s first group when it has one, else its match. The
/// default pattern is matched by hand; an empty one finds nothing.
pub fn ticket(branch: &str, pattern: &str) -> Option<String> {
    if pattern.is_empty() {
        return None;
    }
    if pattern == DEFAULT_TICKET_PATTERN {
        return default_ticket(branch).map(str::to_string);
    }
    let re = regex::Regex::new(pattern).ok()?;
    let caps = re.captures(branch)?;
    caps.get(1).or_else(|| caps.get(0)).map(|m| m.as_str().to_string())
}

/// The leftmost match of `[A-Z][A-Z0-9]+-[0-9]+`.
fn default_ticket(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let key = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    (0..b.len()).find_map(|start| {
        if !b[start].is_ascii_uppercase() {
            return None;
        }
        let mut i = start + 1;
        while i < b.len() && key(b[i]) {
            i += 1;
        }
        if i == start + 1 || b.get(i) != Some(&b'-') {
            return None;
        }
        let digits = i + 1;
        let mut end = digits;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        (end > digits).then(|| &s[start..end])
    })
}

/// The editor file with the suggestion above what git prepared (its template, its comment
/// lines, a `-v` diff), or None when there is nothing to add. `comment` is git's comment
/// string; `keeps_comments` says the cleanup keeps comment lines in the message (`verbatim`,
/// `whitespace`, `scissors`), so only a prefilled header and footer are written then.
pub fn prepare(
    original: &str,
    suggestion: &Suggestion,
    mode: PrepareMode,
    comment: &str,
    keeps_comments: bool,
    cfg: &CommitMsgConfig,
) -> Option<String> {
    let prefill = mode == PrepareMode::Prefill;
    let (header, footer) = match mode {
        PrepareMode::Off => return None,
        PrepareMode::Prefill => (suggestion.kind.as_ref().and(suggestion.header()), suggestion.footer()),
        PrepareMode::Comment => (None, None),
    };
    let mut notes = Vec::new();
    if !keeps_comments {
        if header.is_none()
            && let Some(h) = suggestion.header()
        {
            notes.push(format!("Suggested header: {h}<subject>"));
        }
        if footer.is_none()
            && let Some(f) = suggestion.footer()
        {
            notes.push(format!("Suggested footer: {f}"));
        }
        let types: Vec<&str> = cfg.types.keys().map(String::as_str).collect();
        notes.push(format!("Allowed types: {}", types.join(", ")));
        if !cfg.scopes.is_empty() {
            notes.push(format!("Allowed scopes: {}", cfg.scopes.join(", ")));
        }
    }
    if header.is_none() && footer.is_none() && notes.is_empty() {
        return None;
    }
    let (body, rest) = split_at_comment(original, comment);
    let mut out = String::with_capacity(original.len() + 256);
    let body_text = body.trim_matches('\n');
    if prefill {
        // Line one is where the editor's cursor starts: the header, or empty for the user's.
        out.push_str(header.as_deref().unwrap_or(""));
        out.push('\n');
        if !body_text.trim().is_empty() {
            out.push('\n');
            out.push_str(body_text);
            out.push('\n');
        }
        if let Some(f) = &footer {
            out.push('\n');
            out.push_str(f);
            out.push('\n');
        }
    } else if body_text.trim().is_empty() {
        out.push('\n');
    } else {
        out.push_str(body);
        if !body.ends_with('\n') {
            out.push('\n');
        }
    }
    for note in &notes {
        out.push_str(&format!("{comment} {note}\n"));
    }
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(rest);
    }
    Some(out)
}

/// `text` split before its first comment line: the message part (a template's text) and the
/// rest (git's comment lines, the scissors line and a `-v` diff).
fn split_at_comment<'t>(text: &'t str, comment: &str) -> (&'t str, &'t str) {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(comment) {
            return text.split_at(at);
        }
        at += line.len();
    }
    (text, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ScopePaths;

    fn cfg() -> CommitMsgConfig {
        let mut cfg = CommitMsgConfig::default();
        cfg.scope_paths.insert("api".into(), ScopePaths(vec!["src/api".into()]));
        cfg.scope_paths
            .insert("v2".into(), ScopePaths(vec!["./src/api/v2/".into()]));
        cfg.scope_paths
            .insert("web".into(), ScopePaths(vec!["web".into(), "frontend".into()]));
        cfg
    }

    fn kind(paths: &[&str], branch: Option<&str>) -> Option<String> {
        suggest(paths.iter().copied(), branch, &cfg()).kind
    }

    #[test]
    fn docs_tests_and_ci_only_changes_give_their_type() {
        assert_eq!(
            kind(&["README.md", "docs/guide/intro.html", "notes.txt"], None).as_deref(),
            Some("docs")
        );
        assert_eq!(
            kind(&["tests/integration/main.rs", "src/api/user_test.go"], None).as_deref(),
            Some("test")
        );
        assert_eq!(
            kind(&["web/app.spec.ts", "tests/README.md"], None).as_deref(),
            Some("test")
        );
        assert_eq!(
            kind(&[".github/workflows/ci.yml", ".gitlab-ci.yml", ".ci/run"], None).as_deref(),
            Some("ci")
        );
        assert_eq!(kind(&["docs/a.md", "src/lib.rs"], None), None);
        assert_eq!(kind(&["requirements.txt"], None), None);
        assert_eq!(kind(&["CMakeLists.txt"], None), None);
        assert_eq!(kind(&[], None), None);
    }

    #[test]
    fn a_type_missing_from_the_configured_types_is_not_suggested() {
        let mut cfg = cfg();
        cfg.types.remove("docs");
        assert_eq!(
            suggest(["README.md"], Some("feat/x"), &cfg).kind.as_deref(),
            Some("feat")
        );
    }

    #[test]
    fn the_branch_gives_type_and_ticket_and_the_paths_win_on_type() {
        let s = suggest(["src/lib.rs"], Some("feat/ABC-123-login"), &cfg());
        assert_eq!(s.kind.as_deref(), Some("feat"));
        assert_eq!(s.footer().as_deref(), Some("Refs: ABC-123"));
        assert_eq!(kind(&["src/lib.rs"], Some("feature/x")).as_deref(), Some("feat"));
        assert_eq!(kind(&["src/lib.rs"], Some("hotfix/x")).as_deref(), Some("fix"));
        assert_eq!(kind(&["src/lib.rs"], Some("wip/x")), None);
        assert_eq!(kind(&["src/lib.rs"], Some("feat")), None);
        assert_eq!(kind(&["docs/x.md"], Some("fix/ABC-1")).as_deref(), Some("docs"));
    }

    #[test]
    fn one_scope_when_every_path_is_under_its_folders() {
        let scope = |paths: &[&str]| suggest(paths.iter().copied(), None, &cfg()).scope;
        assert_eq!(scope(&["src/api/a.rs", "src/api/b/c.rs"]).as_deref(), Some("api"));
        assert_eq!(scope(&["web/a.ts", "frontend/b.ts"]).as_deref(), Some("web"));
        assert_eq!(scope(&["src/api/v2/a.rs"]).as_deref(), Some("v2"));
        assert_eq!(scope(&["src/api/v2/a.rs", "src/api/a.rs"]), None);
        assert_eq!(scope(&["src/api/a.rs", "README.md"]), None);
        assert_eq!(scope(&["src/apis/a.rs"]), None);
        assert_eq!(scope(&[]), None);
    }

    #[test]
    fn scope_paths_read_as_a_folder_or_a_list() {
        let text =
            "[commit_msg]\nprepare = \"prefill\"\nscope_paths = { api = \"src/api\", web = [\"web\", \"frontend\"] }\n";
        let cfg = crate::config::parse(text, std::path::Path::new(".mpm-hooks.toml"), "development", &[])
            .unwrap()
            .commit_msg;
        assert_eq!(cfg.prepare, PrepareMode::Prefill);
        assert_eq!(cfg.scope_paths["api"], ScopePaths(vec!["src/api".into()]));
        assert_eq!(cfg.scope_paths["web"].0, ["web", "frontend"]);
        let bad = |text: &str| {
            crate::config::parse(text, std::path::Path::new(".mpm-hooks.toml"), "development", &[])
                .unwrap_err()
                .to_string()
        };
        assert!(bad("[commit_msg]\nscope_paths = { api = \"../x\" }\n").contains("inside the repository"));
        let e = bad("[commit_msg]\nscopes = [\"web\"]\nscope_paths = { api = \"src/api\" }\n");
        assert!(e.contains("`api` is not in [commit_msg] scopes"), "{e}");
        assert!(bad("[commit_msg]\nticket_pattern = \"([\"\n").contains("ticket_pattern"));
    }

    #[test]
    fn the_hand_matcher_agrees_with_the_default_regex() {
        let re = regex::Regex::new(DEFAULT_TICKET_PATTERN).unwrap();
        for branch in [
            "feat/ABC-123-x",
            "ABC-1",
            "feat/A-1",
            "feat/abc-123",
            "fix/X9-",
            "fix/AB-CD-12",
            "JIRA42-7/PROJ-8",
            "ABC--1 DEF-2",
            "é/ÅB-1/AB-2",
            "AB12-34x",
            "",
            "A",
        ] {
            assert_eq!(default_ticket(branch), re.find(branch).map(|m| m.as_str()), "{branch}");
        }
    }

    #[test]
    fn a_configured_ticket_pattern_uses_its_group() {
        assert_eq!(ticket("feat/gh-42-x", r"gh-(\d+)").as_deref(), Some("42"));
        assert_eq!(ticket("feat/#42", r"#\d+").as_deref(), Some("#42"));
        assert_eq!(ticket("feat/ABC-1", "").as_deref(), None);
    }

    const GIT: &str =
        "\n# Please enter the commit message for your changes.\n#\n# Changes to be committed:\n#\tmodified:   a\n#\n";

    fn docs_api_ticket() -> Suggestion {
        Suggestion {
            kind: Some("docs".into()),
            scope: Some("api".into()),
            ticket: Some("ABC-123".into()),
        }
    }

    const TYPES: &str = "Allowed types: build, chore, ci, docs, feat, fix, perf, refactor, revert, style, test";

    #[test]
    fn comment_mode_puts_comments_above_what_git_wrote() {
        let out = prepare(GIT, &docs_api_ticket(), PrepareMode::Comment, "#", false, &cfg()).unwrap();
        assert_eq!(
            out,
            format!(
                "\n# Suggested header: docs(api): <subject>\n# Suggested footer: Refs: ABC-123\n# {TYPES}\n\n{}",
                &GIT[1..]
            )
        );
        assert_eq!(
            crate::conventional::cleanup(&out, crate::conventional::Cleanup::Strip, "#"),
            ""
        );
    }

    #[test]
    fn prefill_mode_writes_header_and_footer() {
        let semi = GIT.replace('#', ";");
        let out = prepare(&semi, &docs_api_ticket(), PrepareMode::Prefill, ";", false, &cfg()).unwrap();
        assert_eq!(
            out,
            format!("docs(api): \n\nRefs: ABC-123\n; {TYPES}\n\n{}", &semi[1..])
        );
        let out = prepare(GIT, &docs_api_ticket(), PrepareMode::Prefill, "#", false, &cfg()).unwrap();
        assert_eq!(out, format!("docs(api): \n\nRefs: ABC-123\n# {TYPES}\n\n{}", &GIT[1..]));
        // Left as it is, the message is a header with no subject: commit-msg refuses it.
        let cleaned = crate::conventional::cleanup(&out, crate::conventional::Cleanup::Strip, "#");
        assert_eq!(cleaned, "docs(api):\n\nRefs: ABC-123\n");
        assert!(!crate::conventional::lint(&cleaned, &cfg()).valid);
    }

    #[test]
    fn prefill_without_a_type_suggests_the_header_as_a_comment() {
        let s = Suggestion {
            kind: None,
            scope: Some("api".into()),
            ticket: None,
        };
        let out = prepare(GIT, &s, PrepareMode::Prefill, "#", false, &cfg()).unwrap();
        assert!(
            out.starts_with("\n# Suggested header: <type>(api): <subject>\n# Allowed"),
            "{out}"
        );
    }

    #[test]
    fn a_template_keeps_its_text_and_the_footer_follows_it() {
        let template = "\nWhy:\n\nHow:\n\n# Please enter the commit message.\n";
        let out = prepare(template, &docs_api_ticket(), PrepareMode::Prefill, "#", false, &cfg()).unwrap();
        assert_eq!(
            out,
            format!("docs(api): \n\nWhy:\n\nHow:\n\nRefs: ABC-123\n# {TYPES}\n\n# Please enter the commit message.\n")
        );
        let template = "Subject here\n# hint\n";
        let out = prepare(template, &docs_api_ticket(), PrepareMode::Comment, "#", false, &cfg()).unwrap();
        assert!(out.starts_with("Subject here\n# Suggested header"), "{out}");
    }

    #[test]
    fn cleanups_that_keep_comments_get_no_comment_lines() {
        let out = prepare(GIT, &docs_api_ticket(), PrepareMode::Comment, "#", true, &cfg());
        assert_eq!(out, None);
        let out = prepare(GIT, &docs_api_ticket(), PrepareMode::Prefill, "#", true, &cfg()).unwrap();
        assert_eq!(out, format!("docs(api): \n\nRefs: ABC-123\n\n{}", &GIT[1..]));
        assert_eq!(
            prepare(GIT, &docs_api_ticket(), PrepareMode::Off, "#", false, &cfg()),
            None
        );
    }

    #[test]
    fn allowed_scopes_are_listed_when_configured() {
        let mut cfg = cfg();
        cfg.scopes = vec!["api".into(), "web".into()];
        let out = prepare("", &Suggestion::default(), PrepareMode::Comment, "//", false, &cfg).unwrap();
        assert_eq!(out, format!("\n// {TYPES}\n// Allowed scopes: api, web\n"));
    }
}
