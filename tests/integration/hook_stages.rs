//! `[hooks] stages`: install links the listed stages and unlinks the ones left out, doctor
//! reports a mismatch; and the pre-push and prepare-commit-msg stages run as the pre-commit
//! framework runs them (git's stdin and arguments replaced by its PRE_COMMIT_* variables).

use std::process::Output;

use predicates::str::contains;

use crate::common::{TestRepo, stderr};

fn repo_with_config(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".mpm-hooks.toml", config);
    repo.commit_file("a.txt", "a\n", "chore: start");
    repo
}

#[cfg(unix)]
fn write_hook(repo: &TestRepo, rel: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    repo.write(rel, script);
    std::fs::set_permissions(repo.child(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn linked(repo: &TestRepo, name: &str) -> bool {
    std::fs::symlink_metadata(repo.child(&format!(".git/hooks/{name}"))).is_ok()
}

#[test]
fn install_links_only_the_listed_stages() {
    let repo = repo_with_config("[hooks]\nstages = [\"pre-commit\"]\n");
    let out = repo.install();
    assert!(out.contains("pre-commit: installed"), "{out}");
    assert!(
        out.contains("commit-msg: not linked ([hooks] stages leaves it out)"),
        "{out}"
    );
    assert!(linked(&repo, "pre-commit"));
    for name in ["commit-msg", "prepare-commit-msg", "pre-push", "post-commit"] {
        assert!(!linked(&repo, name), "{name} is linked:\n{out}");
    }
    // No commit-msg hook: a message that breaks the rules goes through.
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    assert!(repo.commit("Add b.").status.success());

    // The default links the four.
    repo.write(".mpm-hooks.toml", "");
    let out = repo.install();
    for name in ["pre-commit", "commit-msg", "prepare-commit-msg", "pre-push"] {
        assert!(linked(&repo, name), "{name} is not linked:\n{out}");
    }
}

#[cfg(unix)]
#[test]
fn a_stage_left_out_is_unlinked_and_the_users_hook_put_back() {
    let repo = repo_with_config("");
    let script = "#!/bin/sh\nexit 0\n";
    write_hook(&repo, ".git/hooks/pre-push", script);
    let out = repo.install();
    assert!(out.contains("pre-push: installed; your hook is kept as"), "{out}");

    repo.write(
        ".mpm-hooks.toml",
        "[hooks]\nstages = [\"pre-commit\", \"commit-msg\"]\n",
    );
    let out = repo.install();
    assert!(
        out.contains("pre-push: not in [hooks] stages: removed; your hook is back"),
        "{out}"
    );
    assert!(
        out.contains("prepare-commit-msg: not in [hooks] stages: removed"),
        "{out}"
    );
    assert_eq!(repo.read(".git/hooks/pre-push"), script);
    assert!(!repo.child(".git/hooks/pre-push.legacy").exists());
    assert!(!linked(&repo, "prepare-commit-msg"));
    assert!(linked(&repo, "commit-msg"));
    repo.cmd()
        .arg("doctor")
        .assert()
        .success()
        .stdout(contains("info  pre-push           another tool's hook, left alone"));

    // Uninstall removes what is linked and leaves the user's hook where it is.
    repo.cmd()
        .arg("uninstall")
        .assert()
        .success()
        .stdout(contains("commit-msg: removed"))
        .stdout(contains("pre-push: not ours, left as it is"));
    assert_eq!(repo.read(".git/hooks/pre-push"), script);
    assert!(!linked(&repo, "commit-msg") && !linked(&repo, "pre-commit"));
}

#[test]
fn a_bad_stage_name_is_a_config_error() {
    for (name, says) in [
        (
            "pre-psuh",
            "[hooks] stages: no stage `pre-psuh`; did you mean `pre-push`?",
        ),
        ("post-commit", "`post-commit` is linked on demand"),
    ] {
        let repo = repo_with_config(&format!("[hooks]\nstages = [\"pre-commit\", \"{name}\"]\n"));
        repo.cmd()
            .arg("install")
            .assert()
            .code(2)
            .stderr(contains(".mpm-hooks.toml"))
            .stderr(contains(says));
        assert!(!linked(&repo, "pre-commit"), "installed despite the error");
    }
}

#[test]
fn doctor_flags_stages_linked_but_not_listed_and_listed_but_not_linked() {
    let repo = repo_with_config("");
    repo.install();
    repo.write(
        ".mpm-hooks.toml",
        "[hooks]\nstages = [\"pre-commit\", \"commit-msg\"]\n",
    );
    repo.cmd().arg("doctor").assert().success().stdout(contains(
        "warn  pre-push           linked, but [hooks] stages leaves it out: run mpm-hooks install to unlink it",
    ));
    repo.install();
    repo.cmd().arg("doctor").assert().success().stdout(contains(
        "ok    pre-push           not linked: [hooks] stages leaves it out",
    ));
    repo.write(".mpm-hooks.toml", "");
    repo.cmd().arg("doctor").assert().code(1).stdout(contains(
        "FAIL  pre-push           not installed ([hooks] stages lists it): run mpm-hooks install",
    ));
}

/// A secret the scanner finds: a rule's own example line.
fn secret_line() -> String {
    mpm_hooks::secrets::builtin()
        .iter()
        .find(|r| r.id == "groq-api-key")
        .unwrap()
        .example
        .to_string()
}

/// The installed hook run as the pre-commit framework runs `mpm-hooks run <hook>`: `args` only
/// (the files it selects), stdin already read, and its variables.
fn as_the_framework(repo: &TestRepo, hook: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
    repo.command(repo.child(&format!(".git/hooks/{hook}")))
        .args(args)
        .env("PRE_COMMIT", "1")
        .envs(vars.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn pre_push_takes_the_range_from_the_frameworks_variables() {
    let remote = TestRepo::bare_dir();
    remote.git(&["init", "-q", "--bare"]);
    let url = remote.path().to_str().unwrap().to_string();
    let repo = repo_with_config("");
    repo.install();
    repo.git(&["remote", "add", "origin", &url]);
    // A kept hook of the framework's own (it names them `<hook>.legacy` too) is its to run.
    write_hook(&repo, ".git/hooks/pre-push.legacy", "#!/bin/sh\nexit 1\n");
    repo.commit_file("leak.py", &secret_line(), "feat: add the client");
    let leak = repo.head();

    // A push that reaches a root commit: the framework names only the branches.
    let branches = [
        ("PRE_COMMIT_REMOTE_NAME", "origin"),
        ("PRE_COMMIT_REMOTE_URL", url.as_str()),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
    ];
    let out = as_the_framework(&repo, "pre-push", &[], &branches);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("groq-api-key"), "{err}");
    assert!(err.contains("leak.py"), "{err}");
    assert!(!err.contains("pre-push.legacy"), "{err}");

    // The range after it: the commit with the secret is the remote's, the new one is clean.
    repo.git_with(&[("MPM_HOOKS", "0")], &["push", "-q", "origin", "main"]);
    repo.commit_file("b.txt", "b\n", "feat: add b");
    let head = repo.head();
    let mut range = branches.to_vec();
    range.extend([
        ("PRE_COMMIT_FROM_REF", leak.as_str()),
        ("PRE_COMMIT_TO_REF", head.as_str()),
    ]);
    let out = as_the_framework(&repo, "pre-push", &[], &range);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("secrets ok (1 commit(s))"), "{err}");
}

#[test]
fn prepare_commit_msg_takes_the_source_from_the_frameworks_variables() {
    let repo = repo_with_config("");
    repo.install();
    repo.write("docs/guide.md", "guide\n");
    repo.git(&["add", "docs/guide.md"]);
    let file = ".git/COMMIT_EDITMSG";
    // `git commit -m`: the framework passes the file and says `message`; nothing is suggested.
    repo.write(file, "docs: add the guide\n");
    let out = as_the_framework(
        &repo,
        "prepare-commit-msg",
        &[file],
        &[("PRE_COMMIT_COMMIT_MSG_SOURCE", "message")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.read(file), "docs: add the guide\n");
    // No source: the editor opens on a new message, which gets the suggestion.
    repo.write(file, "\n");
    let out = as_the_framework(&repo, "prepare-commit-msg", &[file], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        repo.read(file).contains("# Suggested header: docs: <subject>"),
        "{}",
        repo.read(file)
    );
}
