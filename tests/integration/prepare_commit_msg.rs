//! The prepare-commit-msg stage in real commits: a scripted editor keeps a copy of the file git
//! opens, then writes a message, appends a subject to the first line, or leaves it as it is.

use std::process::Output;

use crate::common::{TestRepo, stderr};

/// A repository with the hooks installed, `config` as its .mpm-hooks.toml, on `branch`.
fn repo(config: &str, branch: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_file("src/lib.rs", "pub fn a() {}\n", "chore: start");
    if branch != "main" {
        repo.git(&["checkout", "-q", "-b", branch]);
    }
    repo.write(".mpm-hooks.toml", config);
    repo.commit_file(".mpm-hooks.toml", config, "chore: configure mpm-hooks");
    let editor = repo.child(".git/editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\ncp \"$1\" \"$SEEN\"\n\
         if [ -n \"$EDIT_MSG\" ]; then printf '%s\\n' \"$EDIT_MSG\" > \"$1\"; fi\n\
         if [ -n \"$EDIT_SUBJECT\" ]; then sed -i \"1s/\\$/$EDIT_SUBJECT/\" \"$1\"; fi\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    repo.install();
    repo
}

/// Stages each file with its content.
fn stage(repo: &TestRepo, files: &[&str]) {
    for f in files {
        repo.write(f, "content\n");
        repo.git(&["add", "--", f]);
    }
}

/// `git commit ARGS` through the scripted editor; `edit` is the editor's environment.
fn commit(repo: &TestRepo, edit: &[(&str, &str)], args: &[&str]) -> Output {
    let editor = repo.child(".git/editor.sh");
    let seen = repo.child(".git/seen");
    let mut vars = vec![
        ("GIT_EDITOR", editor.to_str().unwrap()),
        ("SEEN", seen.to_str().unwrap()),
    ];
    vars.extend_from_slice(edit);
    let mut all = vec!["commit", "-q"];
    all.extend_from_slice(args);
    repo.git_with(&vars, &all)
}

/// What the editor was given.
fn seen(repo: &TestRepo) -> String {
    repo.read(".git/seen")
}

fn message(repo: &TestRepo) -> String {
    repo.git(&["log", "-1", "--format=%B"]).trim_end().to_string()
}

const TYPES: &str = "# Allowed types: build, chore, ci, docs, feat, fix, perf, refactor, revert, style, test\n";
const PREFILL: &str = "[commit_msg]\nprepare = \"prefill\"\n";

#[test]
fn docs_only_gets_a_commented_docs_header_by_default() {
    let repo = repo("", "main");
    stage(&repo, &["docs/guide.md", "README.md"]);
    let out = commit(&repo, &[("EDIT_MSG", "docs: add the guide")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with(&format!(
            "\n# Suggested header: docs: <subject>\n{TYPES}\n# Please enter the commit message"
        )),
        "{}",
        seen(&repo)
    );
    assert!(
        seen(&repo).contains("#\tnew file:   docs/guide.md\n"),
        "git's comments are kept"
    );
    assert_eq!(message(&repo), "docs: add the guide");
    // The stage says nothing in a commit that goes well.
    assert!(!stderr(&out).contains("prepare-commit-msg"), "{}", stderr(&out));
}

#[test]
fn tests_only_prefilled_then_completed_by_the_user() {
    let repo = repo(PREFILL, "main");
    stage(&repo, &["tests/parse.rs", "src/lexer_test.go"]);
    let out = commit(&repo, &[("EDIT_SUBJECT", "cover the parser")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with(&format!("test: \n{TYPES}\n# Please enter")),
        "{}",
        seen(&repo)
    );
    assert_eq!(message(&repo), "test: cover the parser");
}

#[test]
fn a_rename_counts_both_its_paths() {
    // Moving code into docs/ is not a docs-only change: the old path counts too.
    let repo = repo(PREFILL, "main");
    std::fs::create_dir(repo.child("docs")).unwrap();
    repo.git(&["mv", "src/lib.rs", "docs/lib.md"]);
    let out = commit(&repo, &[("EDIT_MSG", "refactor: move the notes")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(seen(&repo).starts_with(&format!("\n{TYPES}")), "{}", seen(&repo));
}

#[test]
fn ci_files_give_ci() {
    let repo = repo(PREFILL, "main");
    stage(&repo, &[".github/workflows/ci.yml", ".gitlab-ci.yml"]);
    let out = commit(&repo, &[("EDIT_SUBJECT", "run on tags")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(seen(&repo).starts_with("ci: \n"), "{}", seen(&repo));
    assert_eq!(message(&repo), "ci: run on tags");
}

#[test]
fn a_ticket_branch_and_a_scope_path_fill_type_scope_and_footer() {
    let config = format!("{PREFILL}scope_paths = {{ api = \"src/api\", web = [\"web\", \"frontend\"] }}\n");
    let repo = repo(&config, "feat/ABC-123-login");
    stage(&repo, &["src/api/login.rs", "src/api/session.rs"]);
    let out = commit(&repo, &[("EDIT_SUBJECT", "add the login route")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with(&format!("feat(api): \n\nRefs: ABC-123\n{TYPES}\n# Please enter")),
        "{}",
        seen(&repo)
    );
    assert_eq!(message(&repo), "feat(api): add the login route\n\nRefs: ABC-123");
    // Files under two scopes: no scope; a branch without a type: no type, only the scope.
    stage(&repo, &["web/app.ts", "src/api/x.rs"]);
    let out = commit(&repo, &[("EDIT_SUBJECT", "wire the form")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(seen(&repo).starts_with("feat: \n"), "{}", seen(&repo));
    repo.git(&["checkout", "-q", "-b", "wip"]);
    stage(&repo, &["frontend/b.ts"]);
    let out = commit(&repo, &[("EDIT_MSG", "feat(web): style the form")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with("\n# Suggested header: <type>(web): <subject>\n# Allowed"),
        "{}",
        seen(&repo)
    );
}

#[test]
fn comment_mode_suggests_the_footer_and_uses_git_comment_char() {
    let repo = repo("[commit_msg]\nprepare = \"comment\"\n", "fix/PAY-7-rounding");
    repo.git(&["config", "core.commentChar", ";"]);
    stage(&repo, &["src/pay.rs"]);
    let out = commit(&repo, &[("EDIT_MSG", "fix: round half up\n\nRefs: PAY-7")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with(&format!(
            "\n; Suggested header: fix: <subject>\n; Suggested footer: Refs: PAY-7\n{}\n; Please enter",
            TYPES.replace('#', ";")
        )),
        "{}",
        seen(&repo)
    );
    assert_eq!(message(&repo), "fix: round half up\n\nRefs: PAY-7");
}

#[test]
fn off_leaves_the_file_as_git_wrote_it() {
    let repo = repo("[commit_msg]\nprepare = \"off\"\n", "feat/ABC-1");
    stage(&repo, &["docs/a.md"]);
    let out = commit(&repo, &[("EDIT_MSG", "docs: a")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(seen(&repo).starts_with("\n# Please enter"), "{}", seen(&repo));
    assert!(!seen(&repo).contains("Suggested") && !seen(&repo).contains("Allowed"));
}

#[test]
fn a_prefilled_header_left_as_it_is_is_rejected_with_a_lesson() {
    let repo = repo(PREFILL, "main");
    stage(&repo, &["docs/a.md"]);
    let before = repo.count();
    let out = commit(&repo, &[], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for want in [
        "`docs:` has nothing after it, so it is not read as a type: write `docs: <what the commit does>`",
        "subject-empty",
        "for example:   docs: describe the change",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert_eq!(repo.count(), before);
}

#[test]
fn a_template_is_kept_below_the_header() {
    let repo = repo(PREFILL, "feat/ABC-9");
    repo.write(".git/template.txt", "\nWhy:\n\n# Explain the change.\n");
    repo.git(&["config", "commit.template", ".git/template.txt"]);
    stage(&repo, &["src/a.rs"]);
    let out = commit(&repo, &[("EDIT_SUBJECT", "add a")], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with(&format!(
            "feat: \n\nWhy:\n\nRefs: ABC-9\n{TYPES}\n# Explain the change.\n"
        )),
        "{}",
        seen(&repo)
    );
    assert_eq!(message(&repo), "feat: add a\n\nWhy:\n\nRefs: ABC-9");
}

#[test]
fn messages_given_by_m_amend_and_merge_are_untouched() {
    let repo = repo(PREFILL, "feat/ABC-1");
    stage(&repo, &["docs/a.md"]);
    let out = commit(&repo, &[], &["-m", "docs: add a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(message(&repo), "docs: add a");

    // --amend (source `commit`): the editor gets the old message alone.
    stage(&repo, &["docs/b.md"]);
    let out = commit(&repo, &[], &["--amend"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with("docs: add a\n\n# Please enter"),
        "{}",
        seen(&repo)
    );
    assert_eq!(message(&repo), "docs: add a");

    // A merge (source `merge`) keeps git's message.
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.commit_file("docs/side.md", "side\n", "docs: side");
    repo.git(&["checkout", "-q", "feat/ABC-1"]);
    repo.commit_file("docs/main.md", "main\n", "docs: main");
    let editor = repo.child(".git/editor.sh");
    let seen_at = repo.child(".git/seen");
    let out = repo.git_with(
        &[
            ("GIT_EDITOR", editor.to_str().unwrap()),
            ("SEEN", seen_at.to_str().unwrap()),
        ],
        &["merge", "-q", "--no-ff", "--edit", "side"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        seen(&repo).starts_with("Merge branch 'side' into feat/ABC-1\n"),
        "{}",
        seen(&repo)
    );
    assert!(!seen(&repo).contains("Allowed types"), "{}", seen(&repo));
    assert_eq!(message(&repo), "Merge branch 'side' into feat/ABC-1");
}

/// git runs prepare-commit-msg even for `git commit --no-verify`: a configuration the hooks
/// cannot read must not stop a commit the user chose to make without them.
#[test]
fn a_broken_configuration_does_not_stop_a_no_verify_commit() {
    let repo = repo("[commit_msg]\nprepare = \"prefill\"\n", "main");
    repo.write(".mpm-hooks.toml", "[commit_msg\n");
    stage(&repo, &["docs/guide.md"]);
    let out = commit(&repo, &[("EDIT_MSG", "docs: a guide")], &["--no-verify"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("mpm-hooks prepare-commit-msg: no suggestion:"), "{err}");
    assert!(err.contains(".mpm-hooks.toml"), "{err}");
    assert_eq!(message(&repo), "docs: a guide");
}

/// A `-m` commit gets no suggestion, and the hook leaves before reading anything; the user's own
/// prepare-commit-msg hook, kept aside at install, still runs for it.
#[test]
fn a_dash_m_commit_still_runs_the_users_own_hook() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "chore: start");
    let own = repo.child(".git/hooks/prepare-commit-msg");
    std::fs::write(
        &own,
        "#!/bin/sh\necho \"$2\" >> \"$(git rev-parse --git-dir)/own-hook.log\"\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    repo.install();
    assert!(repo.child(".git/hooks/prepare-commit-msg.legacy").exists());
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    let out = repo.git_output(&["commit", "-q", "-m", "docs: b"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.read(".git/own-hook.log"), "message\n");
}
