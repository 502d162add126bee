//! `[hooks] stages`: install links the listed stages and unlinks the ones left out, doctor
//! reports a mismatch.

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
        .stdout(contains("info  pre-push       another tool's hook, left alone"));

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
        "warn  pre-push       linked, but [hooks] stages leaves it out: run mpm-hooks install to unlink it",
    ));
    repo.install();
    repo.cmd().arg("doctor").assert().success().stdout(contains(
        "ok    pre-push       not linked: [hooks] stages leaves it out",
    ));
    repo.write(".mpm-hooks.toml", "");
    repo.cmd().arg("doctor").assert().code(1).stdout(contains(
        "FAIL  pre-push       not installed ([hooks] stages lists it): run mpm-hooks install",
    ));
}
