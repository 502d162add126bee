//! Conventional Commits as the ecosystem reads them: breaking changes in every form
//! conventional-commits-parser accepts (bump, changelog, `version next --json` and
//! `check-msg --json` agree), commitlint's case rules and default ignores through the real
//! commit-msg hook, and the full parse `check-msg --json` hands to scripts.

use predicates::str::contains;

use crate::common::{TestRepo, stderr};

/// Every way a commit says it breaks something, as conventional-commits-parser reads it.
const BREAKING_FORMS: &[(&str, &str)] = &[
    ("footer", "feat: new api\n\nBREAKING CHANGE: the old endpoint is gone\n"),
    (
        "hyphen footer",
        "feat: new api\n\nBREAKING-CHANGE: the old endpoint is gone\n",
    ),
    (
        "footer text on the next line",
        "feat: new api\n\nBREAKING CHANGE:\nthe old endpoint is gone\n",
    ),
    (
        "hyphen footer text on the next line",
        "feat: new api\n\nBREAKING-CHANGE:\nthe old endpoint is gone\n",
    ),
    (
        "GitHub squash bullet",
        "feat: new api (#7)\n\n* feat: add the v2 endpoint\n\n* BREAKING CHANGE: the old endpoint is gone\n",
    ),
    ("bang", "feat!: the old endpoint is gone\n"),
];

/// Released 1.4.0 (tag v1.4.0), hooks installed, then one commit made with `message`.
fn released_then(message: &str) -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.4.0\n");
    repo.write("BUILD_NUMBER", "3\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);
    repo.git(&["tag", "-a", "v1.4.0", "-m", "Release v1.4.0"]);
    repo.install();
    repo.write("api.rs", "fn v2() {}\n");
    repo.git(&["add", "api.rs"]);
    let out = repo.commit(message);
    assert!(out.status.success(), "the hook refused {message:?}: {}", stderr(&out));
    let id = repo.git(&["rev-parse", "--short=7", "HEAD"]).trim().to_string();
    (repo, id)
}

#[test]
fn every_breaking_form_bumps_major_and_heads_the_changelog() {
    for (form, message) in BREAKING_FORMS {
        let (repo, id) = released_then(message);
        let out = repo.cmd().args(["version", "next"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("2.0.0\nmajor bump of 1.4.0"), "{form}: {text}");

        let out = repo.cmd().args(["version", "next", "--json"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["bump"], "major", "{form}: {v}");
        assert_eq!(v["next"], "2.0.0", "{form}: {v}");
        assert_eq!(v["reasons"][0]["breaking"], true, "{form}: {v}");

        let out = repo.cmd().arg("changelog").output().unwrap();
        let log = String::from_utf8_lossy(&out.stdout);
        let subject = message.lines().next().unwrap().split_once(": ").unwrap().1;
        assert!(
            log.contains(&format!("### Breaking changes\n\n- {subject} ({id})\n")),
            "{form}: {log}"
        );
        assert!(!log.contains("### Features"), "{form}: {log}");
        if !form.starts_with("bang") {
            assert!(
                log.contains(&format!("({id})\n  the old endpoint is gone\n")),
                "{form}: {log}"
            );
        }

        let out = repo
            .cmd()
            .args(["check-msg", "--json", "-m", message])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["breaking"], true, "{form}: {v}");
        assert_eq!(v["notes"][0]["text"], "the old endpoint is gone", "{form}: {v}");
    }
}

#[test]
fn words_that_only_look_like_a_breaking_change_are_not_one() {
    for message in [
        "feat: new api\n\nBREAKING CHANGE was discussed, this commit has none\n",
        "feat: new api\n\n  BREAKING CHANGE: indented, so part of the body\n",
        "feat: new api\n\nSee the BREAKING CHANGE: section of the docs\n",
    ] {
        let (repo, _) = released_then(message);
        let out = repo.cmd().args(["version", "next", "--json"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["bump"], "minor", "{message:?}: {v}");
    }
}

#[test]
fn check_msg_json_shows_the_whole_parse() {
    let repo = TestRepo::new();
    let message = "fix(api): keep @bob's token\n\nThe token was dropped on refresh.\nThanks @alice-b.\n\n\
                   Fixes #12, closes owner/repo#3\nBREAKING CHANGE:\nrefresh needs a scope\n";
    let out = repo
        .cmd()
        .args(["check-msg", "--json", "-m", message])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The keys scripts already read.
    assert_eq!(v["valid"], true);
    assert_eq!(v["ignored"], false);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["breaking"], true);
    assert_eq!(v["type"], "fix");
    assert_eq!(v["scope"], "api");
    // The parse, as conventional-commits-parser returns it.
    assert_eq!(v["header"], "fix(api): keep @bob's token");
    assert_eq!(v["subject"], "keep @bob's token");
    assert_eq!(v["body"], "The token was dropped on refresh.\nThanks @alice-b.");
    assert_eq!(
        v["footer"],
        "Fixes #12, closes owner/repo#3\nBREAKING CHANGE:\nrefresh needs a scope"
    );
    assert_eq!(
        v["notes"],
        serde_json::json!([{ "title": "BREAKING CHANGE", "text": "refresh needs a scope" }])
    );
    assert_eq!(
        v["references"],
        serde_json::json!([
            { "action": "Fixes", "owner": null, "repository": null, "issue": "12", "raw": "#12", "prefix": "#" },
            { "action": "closes", "owner": "owner", "repository": "repo", "issue": "3", "raw": "owner/repo#3", "prefix": "#" },
        ])
    );
    assert_eq!(v["mentions"], serde_json::json!(["bob", "alice-b"]));
    assert_eq!(v["revert"], serde_json::Value::Null);
    assert_eq!(v["merge"], serde_json::Value::Null);

    let out = repo
        .cmd()
        .args([
            "check-msg",
            "--json",
            "-m",
            "Revert \"feat: add x\"\n\nThis reverts commit 0123abc4567.\n",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ignored"], true);
    assert_eq!(
        v["revert"],
        serde_json::json!({ "header": "feat: add x", "hash": "0123abc4567" })
    );
    assert_eq!(v["type"], serde_json::Value::Null);
    assert_eq!(v["notes"], serde_json::json!([]));
}

#[test]
fn the_hook_rejects_upper_case_subjects_in_any_script() {
    let repo = TestRepo::new();
    repo.install();
    // commitlint's own tests: "rejects uppercase Cyrillic subjects", and start/sentence case
    // with a non-ASCII first letter.
    for message in ["fix: ПОЧИНИТЬ ВСЁ", "fix: Äm ne", "fix: Мав зуъ", "fix: ÛNDERWERP"] {
        let out = repo.git_output(&["commit", "-q", "--allow-empty", "-m", message]);
        assert_eq!(out.status.code(), Some(1), "{message} was accepted");
        assert!(stderr(&out).contains("subject-case"), "{message}: {}", stderr(&out));
    }
    for message in ["fix: починить всё", "fix: äm ne", "fix: 这是一次提交", "fix: θέΜα"] {
        let out = repo.git_output(&["commit", "-q", "--allow-empty", "-m", message]);
        assert!(out.status.success(), "{message}: {}", stderr(&out));
    }
}

#[test]
fn the_hook_accepts_what_commitlint_ignores_and_nothing_more() {
    let repo = TestRepo::new();
    repo.install();
    for message in [
        "v2.3.0 [skip ci]",
        "chore(release): 1.2.3 (ci skip)",
        "2.3.3-beta.1 [skip-ci]",
        "chore: 2.3.3-beta.1 [CI SKIP]",
        "Merged in feature/x (pull request #8)",
        "Auto-merged develop into main",
        "Reapply \"feat: x\"",
        "amend! feat: x",
    ] {
        let out = repo.git_output(&["commit", "-q", "--allow-empty", "-m", message]);
        assert!(out.status.success(), "{message}: {}", stderr(&out));
    }
    // Not in commitlint's list: these are linted, and fail.
    for message in [
        "Initial commit",
        "=1.2.3",
        "V1.2.3",
        "01.2.3",
        "v2.3.0 [skip ci] [ci skip]",
    ] {
        let out = repo.git_output(&["commit", "-q", "--allow-empty", "-m", message]);
        assert_eq!(out.status.code(), Some(1), "{message} was accepted");
    }
    repo.cmd()
        .args(["check-msg", "-m", "v2.3.0 [skip ci]", "--json"])
        .assert()
        .success()
        .stdout(contains("\"ignored\": true"));
}

/// `check-msg FILE` (what husky and lefthook run) decides a message file as the commit-msg hook
/// does: git keeps `#` lines of `git commit -F` (whitespace cleanup), so both reject a long one;
/// standard input is linted as given, as commitlint lints it.
#[test]
fn check_msg_of_a_file_decides_as_the_hook_does() {
    let repo = TestRepo::new();
    repo.install();
    let long = format!("# {}", "x".repeat(120));
    repo.write("msg", &format!("feat: add a\n\n{long}\n"));
    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]);
    let out = repo.git_output(&["commit", "-q", "-F", "msg"]);
    assert!(!out.status.success(), "the hook accepted it");
    assert!(stderr(&out).contains("body-max-line-length"), "{}", stderr(&out));
    let out = repo.cmd().args(["check-msg", "msg"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "check-msg FILE decided otherwise: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("body-max-line-length"), "{}", stderr(&out));
    let out = repo
        .cmd()
        .args(["check-msg", "-"])
        .write_stdin(format!("feat: add a\n\n{long}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "stdin was cleaned: {}", stderr(&out));
    // With git's editor template in it, the file is stripped, as git strips it.
    repo.write(
        "msg",
        &format!("feat: add a\n\n# Please enter the commit message\n{long}\n"),
    );
    repo.cmd().args(["check-msg", "msg"]).assert().success();
}
