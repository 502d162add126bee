//! `mpm-hooks run pre-commit --all-files` and `--from-ref A --to-ref B`: the checks and the
//! secret scan with no commit under way, over every tracked file or a range; nothing staged or
//! written.

use predicates::str::contains;

use mpm_hooks::secrets::builtin;

use crate::common::{TestRepo, stderr};

/// A check that fails when a file it is given contains `BAD`; its fixer would rewrite it.
const NO_BAD: &str = r#"
[[check]]
name = "no-bad"
run = "sh -c 'if grep -l BAD -- \"$@\"; then exit 1; fi' sh {files}"
fix = "sed -i s/BAD/good/g {files}"
files = ["*.txt"]
"#;

/// A GitHub token as the built-in rule's example has it.
fn secret() -> String {
    let line = builtin().iter().find(|r| r.id == "github-pat").unwrap().example;
    let token = line.split_once('=').map_or(line, |(_, v)| v).trim().trim_matches('"');
    format!("token = \"{token}\"\n")
}

/// A versioned repository with the `no-bad` check and the hooks installed.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".mpm-hooks.toml", NO_BAD);
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "41\n");
    repo.write("README.md", "hello\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);
    repo.install();
    repo
}

fn run(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    repo.cmd().args(["run", "pre-commit"]).args(args).output().unwrap()
}

/// The bytes of everything the run must not write: the index file, BUILD_NUMBER, and what a
/// user sees (work-tree files, status, refs, index entries).
fn state(repo: &TestRepo) -> (crate::common::Snapshot, Vec<u8>, String) {
    // The snapshot first: its `git status` may refresh the index's stat data once.
    let snapshot = repo.snapshot();
    let index = std::fs::read(repo.child(".git/index")).unwrap();
    (snapshot, index, repo.read("BUILD_NUMBER"))
}

#[test]
fn all_files_finds_a_committed_secret_that_a_plain_run_does_not() {
    let repo = repo();
    repo.commit_file("config.py", &secret(), "feat: config");
    let plain = run(&repo, &[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let out = run(&repo, &["--all-files"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("config.py:1: github-pat"), "{err}");
    assert!(err.contains("build-number"), "{err}");
    assert!(err.contains("not a commit"), "{err}");
}

#[test]
fn all_files_checks_without_fixing_and_writes_nothing() {
    let repo = repo();
    repo.commit_file("a.txt", "BAD\n", "feat: a");
    // A staged change that would increment BUILD_NUMBER in a commit, and an unstaged one that
    // a commit's checks would set aside.
    let lines: String = (0..20).map(|i| format!("let x{i} = {i};\n")).collect();
    repo.write("src/big.rs", &lines);
    repo.git(&["add", "src/big.rs"]);
    repo.write("README.md", "hello\nunstaged\n");
    let before = state(&repo);
    let out = run(&repo, &["--all-files"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--- no-bad ---"), "{err}");
    assert!(err.contains("a.txt"), "{err}");
    assert!(!err.contains("fixed"), "{err}");
    assert_eq!(state(&repo), before, "the run changed the repository");
    assert_eq!(repo.read("a.txt"), "BAD\n");

    // Once the file is fine, the same run passes and still increments nothing.
    repo.commit_file("a.txt", "fine\n", "fix: a");
    let before = state(&repo);
    let out = run(&repo, &["--all-files"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("build-number skipped (not a commit)"), "{err}");
    assert_eq!(state(&repo), before, "the run changed the repository");
}

#[test]
fn a_range_is_checked_on_its_files_and_scanned_on_its_added_lines() {
    let repo = repo();
    // Before the range: a file the check rejects, which a range that leaves it alone skips.
    let base = repo.commit_file("old.txt", "BAD\n", "chore: old");
    let clean = repo.commit_file("notes.txt", "fine\n", "docs: notes");
    // A secret added, then removed: gone from the work tree, still in the history pushed.
    let leaked = repo.commit_file("config.py", &secret(), "feat: config");
    repo.git(&["rm", "-q", "config.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "fix: drop config"]);
    let dropped = repo.head();
    let tip = repo.commit_file("more.txt", "fine too\n", "docs: more");
    let before = state(&repo);

    let out = run(&repo, &["--from-ref", &base, "--to-ref", &clean]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&repo, &["--from-ref", &dropped, "--to-ref", &tip]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = run(&repo, &["--from-ref", &base, "--to-ref", &tip]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("config.py:1 ({})", &leaked[..10])), "{err}");
    assert!(!err.contains("--- no-bad ---"), "{err}");
    assert!(err.contains(&format!("--history {base}..{tip}")), "{err}");

    // The check runs on the range's files: one that adds a rejected file fails.
    let bad = repo.commit_file("new.txt", "BAD\n", "feat: new");
    let out = run(&repo, &["--from-ref", &tip, "--to-ref", &bad]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--- no-bad ---") && err.contains("new.txt"), "{err}");
    assert!(!err.contains("old.txt"), "{err}");
    repo.git(&["reset", "-q", "--hard", &tip]);
    assert_eq!(state(&repo), before, "the runs changed the repository");
}

#[test]
fn a_bad_ref_is_named_with_a_hint() {
    let repo = repo();
    repo.cmd()
        .args(["run", "pre-commit", "--from-ref", "no-such-branch", "--to-ref", "HEAD"])
        .assert()
        .code(2)
        .stderr(contains(
            "--from-ref `no-such-branch` names no commit in this repository",
        ))
        .stderr(contains("hint: check the name with `git rev-parse no-such-branch`"));
    repo.cmd()
        .args(["run", "pre-commit", "--from-ref", "HEAD", "--to-ref", "v9"])
        .assert()
        .code(2)
        .stderr(contains("--to-ref `v9` names no commit"));
}

#[test]
fn the_options_belong_to_pre_commit_and_go_together() {
    let repo = repo();
    repo.cmd()
        .args(["run", "commit-msg", "--all-files"])
        .assert()
        .code(2)
        .stderr(contains("--all-files is for `mpm-hooks run pre-commit` only"));
    repo.cmd()
        .args(["run", "post-commit", "--from-ref", "HEAD", "--to-ref", "HEAD"])
        .assert()
        .code(2)
        .stderr(contains("--from-ref/--to-ref is for `mpm-hooks run pre-commit` only"));
    repo.cmd()
        .args(["run", "pre-commit", "--from-ref", "HEAD"])
        .assert()
        .code(2)
        .stderr(contains("--to-ref"));
    repo.cmd()
        .args([
            "run",
            "pre-commit",
            "--all-files",
            "--from-ref",
            "HEAD",
            "--to-ref",
            "HEAD",
        ])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
}

/// A user's own pre-commit hook kept at install expects a commit under way: it stays out.
#[cfg(unix)]
#[test]
fn a_kept_user_hook_is_left_out_with_no_commit_under_way() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    repo.commit_file("README.md", "hello\n", "chore: start");
    let hook = repo.child(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\ntouch .git/user-hook-ran\n").unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.install();
    let out = run(&repo, &["--all-files", "-v"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("pre-commit.legacy") && err.contains("not a commit"),
        "{err}"
    );
    assert!(!repo.child(".git/user-hook-ran").exists(), "{err}");
    assert_eq!(run(&repo, &[]).status.code(), Some(0));
    assert!(repo.child(".git/user-hook-ran").exists(), "a plain run runs it");
}
