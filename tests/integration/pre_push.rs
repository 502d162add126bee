//! The pre-push stage with a real bare remote and a real `git push`: what is new to the remote
//! is checked (messages, secrets, pre-push checks, version tags), and nothing else.

use mpm_hooks::secrets::builtin;

use crate::common::{TestRepo, stderr};

/// A secret the scanner finds: a rule's own example line.
fn secret_line() -> String {
    builtin()
        .iter()
        .find(|r| r.id == "groq-api-key")
        .unwrap()
        .example
        .to_string()
}

/// A repository with one commit, hooks installed, and an empty bare remote `origin`.
fn with_remote() -> (TestRepo, TestRepo) {
    let remote = TestRepo::bare_dir();
    remote.git(&["init", "-q", "--bare"]);
    let repo = TestRepo::new();
    repo.commit_file("VERSION", "1.2.0\n", "feat: start");
    repo.install();
    let url = remote.path().to_str().unwrap().to_string();
    repo.git(&["remote", "add", "origin", &url]);
    (repo, remote)
}

fn push(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    let mut all = vec!["push"];
    all.extend_from_slice(args);
    repo.git_output(&all)
}

/// Where `rev` points in the remote, if it has it.
fn remote_has(remote: &TestRepo, rev: &str) -> Option<String> {
    let out = remote.git_output(&["rev-parse", "--verify", "-q", rev]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn short(id: &str) -> &str {
    &id[..10]
}

#[test]
fn first_push_checks_every_commit_and_passes() {
    let (repo, remote) = with_remote();
    repo.commit_file("a.txt", "a\n", "feat: add a");
    let out = push(&repo, &["-u", "origin", "main"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("mpm-hooks pre-push: "), "{err}");
    assert!(err.contains("commit-msg ok (2 message(s))"), "{err}");
    assert!(err.contains("secrets ok (2 commit(s))"), "{err}");
    assert!(
        err.contains("checks skipped (no checks of tier pre-push configured)"),
        "{err}"
    );
    assert_eq!(remote_has(&remote, "main"), Some(repo.head()));
}

#[test]
fn a_new_branch_checks_only_what_the_remote_lacks() {
    let (repo, remote) = with_remote();
    // A bad message already on the remote (pushed past the hooks) is not checked again.
    repo.commit_file("old.txt", "x\n", "Old style message.");
    assert!(push(&repo, &["--no-verify", "-u", "origin", "main"]).status.success());
    repo.git(&["switch", "-q", "-c", "topic"]);
    repo.commit_file("b.txt", "b\n", "feat: add b");
    repo.commit_file("c.txt", "c\n", "fix: mend c");
    let out = push(&repo, &["-u", "origin", "topic"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("commit-msg ok (2 message(s))"), "{err}");
    assert!(err.contains("secrets ok (2 commit(s))"), "{err}");
    // A bad message that slipped past `git commit --no-verify` is caught before it leaves.
    let bad = repo.commit_file("d.txt", "d\n", "Added d.");
    let out = push(&repo, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("{} Added d.", short(&bad))), "{err}");
    assert!(err.contains("1 of 1 message(s) break the rules"), "{err}");
    assert_ne!(remote_has(&remote, "topic"), Some(bad));
}

#[test]
fn a_secret_three_commits_back_is_refused_with_its_commit_and_file() {
    let (repo, remote) = with_remote();
    assert!(push(&repo, &["-u", "origin", "main"]).status.success());
    let before = repo.head();
    let leaky = repo.commit_file(
        "config/creds.env",
        &format!("{}\n", secret_line()),
        "feat: add settings",
    );
    // Removed again later: still in the history the push would send.
    repo.commit_file("config/creds.env", "GROQ_API_KEY=\n", "fix: drop the key");
    repo.commit_file("z.txt", "z\n", "docs: note");
    let out = push(&repo, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("config/creds.env:1 ({})", short(&leaky))),
        "{err}"
    );
    assert!(err.contains("groq-api-key"), "{err}");
    assert!(err.contains("\nsecrets:\n"), "{err}");
    assert!(
        err.contains(&format!("mpm-hooks scan --history {}..", short(&before))),
        "{err}"
    );
    assert!(!err.contains(&secret_line()), "the report leaks the secret:\n{err}");
    assert!(err.contains("the push was stopped"), "{err}");
    assert!(err.contains("git push --no-verify"), "{err}");
    assert!(!err.contains("the commit was stopped"), "{err}");
    assert_eq!(remote_has(&remote, "main"), Some(before));
}

#[test]
fn a_force_push_checks_only_its_new_commits() {
    let (repo, remote) = with_remote();
    let base = repo.head();
    // On the remote already, past the hooks: a secret and a bad message.
    repo.commit_file("leak.env", &format!("{}\n", secret_line()), "Leaked.");
    assert!(push(&repo, &["--no-verify", "-u", "origin", "main"]).status.success());
    // Rewritten: the remote's commits are dropped, one new commit replaces them.
    repo.git(&["reset", "-q", "--hard", &base]);
    let new = repo.commit_file("fixed.txt", "ok\n", "fix: replace the leaky commit");
    let out = push(&repo, &["--force"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("commit-msg ok (1 message(s))"), "{err}");
    assert!(err.contains("secrets ok (1 commit(s))"), "{err}");
    assert_eq!(remote_has(&remote, "main"), Some(new));
    // A force push that brings a secret is refused like any other.
    repo.git(&["reset", "-q", "--hard", &base]);
    let bad = repo.commit_file("leak2.env", &format!("{}\n", secret_line()), "feat: again");
    let out = push(&repo, &["--force"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("leak2.env:1 ({})", short(&bad))), "{err}");
    assert!(!err.contains("leak.env:1"), "an old commit was checked again:\n{err}");
}

#[test]
fn a_version_tag_must_match_version_at_its_commit() {
    let (repo, remote) = with_remote();
    assert!(push(&repo, &["-u", "origin", "main"]).status.success());
    repo.git(&["tag", "-a", "-m", "release", "v1.2.0"]);
    let out = push(&repo, &["origin", "v1.2.0"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("version-tag ok (v1.2.0 matches VERSION)"), "{err}");
    assert!(err.contains("secrets ok (no new commits)"), "{err}");
    assert!(remote_has(&remote, "refs/tags/v1.2.0").is_some());
    // VERSION says 1.2.0: a tag that says otherwise is refused, lightweight or annotated.
    repo.git(&["tag", "v1.3.0"]);
    let out = push(&repo, &["origin", "v1.3.0"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("v1.3.0 (") && err.contains("VERSION at the tagged commit is 1.2.0, the tag says 1.3.0"),
        "{err}"
    );
    assert!(remote_has(&remote, "refs/tags/v1.3.0").is_none());
    // A tag outside the configured prefix is not a version tag.
    repo.git(&["tag", "nightly"]);
    let out = push(&repo, &["origin", "nightly"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("version-tag skipped (no version tag pushed)"));
}

#[test]
fn a_branch_deletion_checks_nothing() {
    let (repo, remote) = with_remote();
    repo.git(&["switch", "-q", "-c", "gone"]);
    repo.commit_file("g.txt", "g\n", "Bad message.");
    assert!(push(&repo, &["--no-verify", "origin", "gone"]).status.success());
    let out = push(&repo, &["origin", "--delete", "gone"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("secrets ok (no new commits)"), "{err}");
    assert!(remote_has(&remote, "gone").is_none());
}

#[test]
fn no_verify_skips_the_stage() {
    let (repo, remote) = with_remote();
    let leaky = repo.commit_file("k.env", &format!("{}\n", secret_line()), "Leak.");
    let out = push(&repo, &["--no-verify", "origin", "main"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("mpm-hooks pre-push"), "{err}");
    assert_eq!(remote_has(&remote, "main"), Some(leaky));
}

#[test]
fn checks_of_tier_pre_push_run_on_the_pushed_files() {
    let (repo, remote) = with_remote();
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"no-bad\"\nrun = \"sh -c 'if grep -l BAD -- \\\"$@\\\"; then exit 1; fi' sh {files}\"\nfiles = [\"*.txt\"]\ntiers = [\"pre-push\"]\n",
    );
    repo.git(&["add", ".mpm-hooks.toml"]);
    // Not a pre-commit check: the commit goes through.
    repo.write("a.txt", "BAD\n");
    repo.git(&["add", "a.txt"]);
    let out = repo.commit("feat: add a");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = push(&repo, &["-u", "origin", "main"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--- no-bad ---") && err.contains("a.txt"), "{err}");
    assert!(remote_has(&remote, "main").is_none());
    repo.write("a.txt", "good\n");
    repo.git(&["commit", "-q", "-am", "fix: no longer bad"]);
    let out = push(&repo, &["-u", "origin", "main"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("checks ok (1 check(s) on"), "{}", stderr(&out));
}

#[test]
fn a_users_kept_pre_push_hook_gets_the_same_stdin() {
    let remote = TestRepo::bare_dir();
    remote.git(&["init", "-q", "--bare"]);
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "feat: start");
    let hook = repo.child(".git/hooks/pre-push");
    std::fs::write(&hook, "#!/bin/sh\necho \"$1\" > kept-args.log\ncat > kept-stdin.log\n").unwrap();
    let mut perms = std::fs::metadata(&hook).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&hook, perms).unwrap();
    let out = repo.install();
    assert!(out.contains("pre-push: installed; your hook is kept as"), "{out}");
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    let out = push(&repo, &["origin", "main"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let head = repo.head();
    assert_eq!(repo.read("kept-args.log"), "origin\n");
    assert!(
        repo.read("kept-stdin.log")
            .starts_with(&format!("refs/heads/main {head} refs/heads/main ")),
        "{}",
        repo.read("kept-stdin.log")
    );
    assert!(err.contains("secrets ok (1 commit(s))"), "{err}");
}

#[test]
fn the_stage_runs_by_hand_with_git_s_arguments_and_stdin() {
    let (repo, _remote) = with_remote();
    assert!(push(&repo, &["-u", "origin", "main"]).status.success());
    let base = repo.head();
    let leaky = repo.commit_file("creds.env", &format!("{}\n", secret_line()), "feat: add settings");
    let stdin = format!("refs/heads/main {leaky} refs/heads/main {base}\n");
    let out = repo
        .cmd()
        .args(["run", "pre-push", "origin", "unused-url"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("creds.env:1 ({})", short(&leaky))), "{err}");
}
