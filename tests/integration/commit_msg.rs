//! The commit-msg stage, `check-msg`, `lint-commits`, and bumps inferred from real history.

use predicates::prelude::*;
use predicates::str::contains;

use crate::common::{TestRepo, stderr};

#[test]
fn a_rejected_commit_teaches_the_fix_and_keeps_the_message() {
    let repo = TestRepo::new();
    repo.install();
    let out = repo.git_output(&["commit", "-q", "--allow-empty", "-m", "feature(api): Add the thing."]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for want in [
        "        feature(api): Add the thing.\n        ^^^^^^^\n",
        "type-enum: `feature` is not an allowed type; did you mean `feat`?",
        "subject-case",
        "subject-full-stop",
        "allowed types: build, chore, ci, docs, feat, fix, perf, refactor, revert, style, test",
        "for example:   feat(api): add the thing",
        "git commit -e -F .git/mpm-hooks/rejected-msg",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert_eq!(
        repo.read(".git/mpm-hooks/rejected-msg"),
        "feature(api): Add the thing.\n"
    );
    // Reopening the saved message after fixing it works.
    std::fs::write(repo.child(".git/mpm-hooks/rejected-msg"), "feat(api): add the thing\n").unwrap();
    let out = repo.git_with(
        &[("GIT_EDITOR", "true")],
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-e",
            "-F",
            ".git/mpm-hooks/rejected-msg",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_editor_path_cleans_comments_and_scissors_as_git_does() {
    let repo = TestRepo::new();
    repo.install();
    let editor = repo.child("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'fix: real subject\\n\\n# a comment git strips\\n' | cat - \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = repo.git_with(
        &[("GIT_EDITOR", editor.to_str().unwrap())],
        &["commit", "-q", "-v", "--allow-empty"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["log", "-1", "--format=%B"]).trim(), "fix: real subject");
}

/// `git commit -v` puts the diff below the scissors line of .git/COMMIT_EDITMSG: the advised
/// command must reopen the message alone, not commit the diff as part of it.
#[test]
fn the_advised_reopen_after_commit_v_commits_no_diff() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "chore: start");
    repo.install();
    repo.write("a.txt", "a\nsecond line of the diff\n");
    repo.git(&["add", "a.txt"]);
    let editor = repo.child("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'Bad message.\\n\\nThe body.\\n' | cat - \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\"\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = repo.git_with(&[("GIT_EDITOR", editor.to_str().unwrap())], &["commit", "-q", "-v"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        repo.read(".git/COMMIT_EDITMSG").contains("second line of the diff"),
        "the test needs git's file to hold the diff"
    );
    let advised = err
        .split("reopen it with: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no advice in:\n{err}"));
    let words: Vec<&str> = advised.split_whitespace().collect();
    assert_eq!(&words[..4], ["git", "commit", "-e", "-F"], "{advised}");
    let file = words[4];
    let fixed = repo
        .command("sed")
        .args(["-i", "s/^Bad message\\.$/fix: a good message/", file])
        .output()
        .unwrap();
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    let out = repo.git_with(&[("GIT_EDITOR", "true")], &words[1..]);
    assert!(out.status.success(), "{}", stderr(&out));
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert_eq!(message.trim_end(), "fix: a good message\n\nThe body.");
}

#[test]
fn merges_reverts_and_fixups_pass_as_they_are() {
    let repo = TestRepo::new();
    repo.install();
    for m in [
        "Merge branch 'feature'",
        "Revert \"feat: x\"",
        "fixup! feat: x",
        "squash! fix: y",
    ] {
        let out = repo.git_output(&["commit", "-q", "--allow-empty", "-m", m]);
        assert!(out.status.success(), "{m}: {}", stderr(&out));
    }
}

#[test]
fn check_msg_file_stdin_and_message() {
    let repo = TestRepo::new();
    repo.write("msg", "fix: handle x\n\n# Please enter the commit message\n# ------------------------ >8 ------------------------\nBad stuff\n");
    repo.cmd()
        .args(["check-msg", "msg"])
        .assert()
        .success()
        .stdout(contains("ok: fix: handle x"));
    repo.cmd()
        .args(["check-msg", "-"])
        .write_stdin("Bad header\n")
        .assert()
        .code(1)
        .stderr(contains("type-empty"));
    repo.cmd()
        .args(["check-msg", "-m", "docs: explain y"])
        .assert()
        .success();
    // -m is taken as it would be stored: a `#` line is not a comment there.
    repo.cmd().args(["check-msg", "-m", "# not a comment"]).assert().code(1);
    repo.cmd()
        .args(["check-msg", "--cleanup", "strip", "-m", "feat: x\n# dropped"])
        .assert()
        .success();
    repo.cmd()
        .args(["check-msg", "missing-file"])
        .assert()
        .code(2)
        .stderr(contains("cannot read missing-file"));
}

#[test]
fn check_msg_json() {
    let repo = TestRepo::new();
    let out = repo
        .cmd()
        .args(["check-msg", "--json", "-m", "feat(core)!: Drop it"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["type"], "feat");
    assert_eq!(v["scope"], "core");
    assert_eq!(v["breaking"], true);
    assert_eq!(v["errors"][0]["rule"], "subject-case");
    let out = repo
        .cmd()
        .args(["check-msg", "--json", "-m", "feat: x\nbody right after"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["warnings"][0]["rule"], "body-leading-blank");
}

#[test]
fn config_changes_the_rules() {
    let repo = TestRepo::new();
    repo.write(
        ".mpm-hooks.toml",
        "[commit_msg]\nscopes = [\"api\", \"cli\"]\nscope_required = true\nheader_max_length = 30\nignore = ['^WIP']\n[commit_msg.severity]\n\"subject-case\" = \"off\"\n",
    );
    repo.cmd()
        .args(["check-msg", "-m", "fix(api): Capital is fine now"])
        .assert()
        .success();
    repo.cmd()
        .args(["check-msg", "-m", "fix(web): x"])
        .assert()
        .code(1)
        .stderr(contains("scope `web` is not allowed; allowed scopes: api, cli"));
    repo.cmd()
        .args(["check-msg", "-m", "fix: x"])
        .assert()
        .code(1)
        .stderr(contains("scope-empty"));
    repo.cmd()
        .args(["check-msg", "-m", "fix(cli): a header that is much too long"])
        .assert()
        .code(1)
        .stderr(contains("header-max-length"));
    repo.cmd().args(["check-msg", "-m", "WIP whatever"]).assert().success();
}

#[test]
fn scope_case_is_off_until_configured() {
    let repo = TestRepo::new();
    repo.cmd().args(["check-msg", "-m", "fix(API): x"]).assert().success();
    repo.write(".mpm-hooks.toml", "[commit_msg]\nscope_case = [\"lower-case\"]\n");
    repo.cmd()
        .args(["check-msg", "-m", "fix(API): x"])
        .assert()
        .code(1)
        .stderr(contains("scope-case: the scope `API` must be lower-case"));
    repo.cmd()
        .args(["check-msg", "-m", "fix(données/ui): x"])
        .assert()
        .success();
    repo.cmd().args(["check-msg", "-m", "fix(ДАННЫЕ): x"]).assert().code(1);
    repo.write(
        ".mpm-hooks.toml",
        "[commit_msg]\nscope_case = [\"lower-case\"]\n[commit_msg.severity]\n\"scope-case\" = \"warn\"\n",
    );
    repo.cmd()
        .args(["check-msg", "-m", "fix(API): x"])
        .assert()
        .success()
        .stderr(contains("warning: scope-case"));
}

#[test]
fn lint_commits_reports_each_failing_commit() {
    let repo = TestRepo::new();
    repo.commit_file("a", "1", "feat: one");
    repo.commit_file("a", "2", "Bad two");
    repo.git(&["tag", "v0.1.0"]);
    let bad = repo.commit_file("a", "3", "fix: Three.");
    repo.commit_file("a", "4", "Merge branch 'x'");
    repo.commit_file("a", "5", "docs: five");
    // Default: since the latest version tag.
    repo.cmd()
        .arg("lint-commits")
        .assert()
        .code(1)
        .stdout(contains(format!(
            "{} fix: Three.  [subject-case, subject-full-stop]",
            &bad[..7]
        )))
        .stdout(contains("3 commit(s) checked, 1 failed"))
        .stdout(contains("Bad two").not());
    repo.cmd()
        .args(["lint-commits", "--from", "HEAD~4"])
        .assert()
        .code(1)
        .stdout(contains("4 commit(s) checked, 2 failed"));
    repo.cmd().args(["lint-commits", "--from", "HEAD~1"]).assert().success();
    let out = repo.cmd().args(["lint-commits", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["checked"], 3);
    assert_eq!(v["failures"][0]["commit"], bad);
}

#[test]
fn version_next_and_bump_auto_follow_history_and_tags() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.4.0\n");
    repo.write("BUILD_NUMBER", "9\n");
    repo.commit_file("a", "1", "feat: before the tag");
    repo.git(&["tag", "-a", "v1.4.0", "-m", "Release v1.4.0"]);
    repo.commit_file("a", "2", "docs: words");
    repo.cmd()
        .args(["version", "next"])
        .assert()
        .success()
        .stdout(contains("1.4.0 (no release needed"));
    repo.cmd()
        .args(["version", "bump", "auto"])
        .assert()
        .success()
        .stdout(contains("nothing calls for a release"));
    assert_eq!(repo.read("VERSION"), "1.4.0\n");
    let fix = repo.commit_file("a", "3", "fix: a bug");
    repo.cmd()
        .args(["version", "next"])
        .assert()
        .success()
        .stdout(contains("1.4.1\npatch bump of 1.4.0 from 2 commit(s) since v1.4.0"))
        .stdout(contains(&fix[..7]));
    let feat = repo.commit_file("a", "4", "feat(api): a feature");
    repo.cmd()
        .args(["version", "next"])
        .assert()
        .stdout(contains("1.5.0\n"))
        .stdout(contains(&feat[..7]));
    repo.commit_file("a", "5", "refactor: rework\n\nBREAKING CHANGE: the API changed");
    let out = repo.cmd().args(["version", "next", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["next"], "2.0.0");
    assert_eq!(v["bump"], "major");
    assert_eq!(v["tag"], "v1.4.0");
    repo.cmd()
        .args(["version", "bump", "auto"])
        .assert()
        .success()
        .stdout(contains("VERSION: 1.4.0 -> 2.0.0"))
        .stdout(contains("BUILD_NUMBER: 9 -> 1"));
}

#[test]
fn below_one_a_breaking_change_bumps_minor() {
    let repo = TestRepo::new();
    repo.write("VERSION", "0.3.2\n");
    repo.commit_file("a", "1", "feat!: break it");
    repo.cmd()
        .args(["version", "next"])
        .assert()
        .stdout(contains("0.4.0\n"));
    repo.write(".mpm-hooks.toml", "[version]\nmajor_version_zero = false\n");
    repo.cmd()
        .args(["version", "next"])
        .assert()
        .stdout(contains("1.0.0\n"));
}

#[test]
fn the_projects_own_history_follows_the_rules() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join(".git").exists() {
        println!("not a git checkout: skipped");
        return;
    }
    let configs = assert_fs::TempDir::new().unwrap();
    assert_cmd::Command::new(crate::common::bin())
        .current_dir(root)
        .env("GIT_CONFIG_GLOBAL", crate::common::empty_configs(configs.path()).0)
        .args(["lint-commits"])
        .assert()
        .success();
}

#[test]
fn lint_commits_keeps_history_order_over_a_long_history() {
    // 1,000 commits (more than one batch of the streamed `git log`), every seventh invalid.
    let repo = TestRepo::new();
    let mut stream = String::new();
    for i in 0..1000 {
        let message = if i % 7 == 3 {
            format!("Update things {i}\n")
        } else {
            format!("fix: change {i}\n")
        };
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@e> {} +0000\ndata {}\n{message}\nM 644 inline f\ndata {}\n{i}\n\n",
            1_700_000_000 + i,
            message.len(),
            i.to_string().len() + 1
        ));
    }
    let mut child = repo
        .command("git")
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
    let out = repo.cmd().arg("lint-commits").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected: Vec<String> = (0..1000)
        .rev()
        .filter(|i| i % 7 == 3)
        .map(|i| format!("Update things {i}  [type-empty, subject-empty]"))
        .collect();
    let reported: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, rest)| rest))
        .collect();
    assert_eq!(reported[..reported.len() - 1], expected);
    assert!(stdout.ends_with("1000 commit(s) checked, 143 failed\n"), "{stdout}");
}

/// `check-msg FILE`, as husky's or lefthook's commit-msg hook runs it on git's file, saves the
/// message without the template and the diff, and names the copy so it opens from anywhere.
#[test]
fn check_msg_of_a_file_saves_the_message_without_the_diff() {
    let repo = TestRepo::new();
    repo.commit_file("sub/a.txt", "a\n", "chore: start");
    repo.write(
        "msg",
        "Bad message.\n\n# Please enter the commit message for your changes.\n\
         # ------------------------ >8 ------------------------\n\
         # Do not modify or remove the line above.\ndiff --git a/a.txt b/a.txt\n+added\n",
    );
    let out = repo
        .cmd()
        .current_dir(repo.child("sub"))
        .args(["check-msg", repo.child("msg").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let saved = repo.child(".git/mpm-hooks/rejected-msg");
    let saved = saved.canonicalize().unwrap();
    assert!(err.contains(&format!("git commit -e -F {}", saved.display())), "{err}");
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), "Bad message.\n");
}
