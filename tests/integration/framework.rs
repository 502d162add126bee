//! The hooks through the real pre-commit framework and prek, from a clone of this repository at
//! its HEAD commit, as a team would point its .pre-commit-config.yaml at it. Each runner builds
//! the crate once (language: rust); both share one target folder to keep that to one full build.

use std::path::{Path, PathBuf};

use crate::common::{TestRepo, stderr};

fn runner_available(runner: &str) -> bool {
    std::process::Command::new(runner)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn this_repository_at_head(tmp: &Path) -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = String::from_utf8(
        std::process::Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(root)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    let clone = tmp.join("mpm-hooks-src");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--no-local"])
        .arg(root)
        .arg(&clone)
        .env("GIT_CONFIG_GLOBAL", crate::common::empty_configs(tmp).0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    (clone, head)
}

fn drive(runner: &str) {
    assert!(
        runner_available(runner),
        "`{runner}` is not installed: python3 -m pip install pre-commit==4.7.0 prek==0.5.11 (the README's test command does)"
    );
    let tmp = assert_fs::TempDir::new().unwrap();
    let (source, head) = this_repository_at_head(tmp.path());
    let repo = TestRepo::new();
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: mpm-hooks-commit-msg-src\n      - id: mpm-hooks-secrets-src\n      - id: mpm-hooks-build-number-src\n      - id: mpm-hooks-prepare-commit-msg-src\n      - id: mpm-hooks-pre-push-src\n",
            source.display()
        ),
    );
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "7\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);

    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/framework");
    let home = tmp.path().join("cache");
    let env = [
        ("PRE_COMMIT_HOME", home.to_str().unwrap()),
        ("PREK_HOME", home.to_str().unwrap()),
        ("CARGO_TARGET_DIR", target.to_str().unwrap()),
    ];
    let out = repo
        .command(runner)
        .args([
            "install",
            "--hook-type",
            "pre-commit",
            "--hook-type",
            "commit-msg",
            "--hook-type",
            "prepare-commit-msg",
            "--hook-type",
            "pre-push",
        ])
        .envs(env)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{runner} install: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );

    repo.write("src.py", &"x = 1\n".repeat(20));
    repo.git(&["add", "src.py"]);
    let bad = repo.git_with(&env, &["commit", "-q", "-m", "Add the code."]);
    let text = format!("{}{}", String::from_utf8_lossy(&bad.stdout), stderr(&bad));
    assert!(!bad.status.success(), "{runner}: a bad message passed:\n{text}");
    assert!(text.contains("type-empty"), "{runner}:\n{text}");
    assert_eq!(repo.count(), 1);

    // A staged secret is stopped by the secrets hook.
    let key = mpm_hooks::secrets::builtin()
        .iter()
        .find(|r| r.id == "github-pat")
        .unwrap()
        .example;
    repo.write("leak.py", key);
    repo.git(&["add", "leak.py"]);
    let leak = repo.git_with(&env, &["commit", "-q", "-m", "feat: leak"]);
    let text = format!("{}{}", String::from_utf8_lossy(&leak.stdout), stderr(&leak));
    assert!(
        !leak.status.success() && text.contains("github-pat"),
        "{runner}:\n{text}"
    );
    repo.git(&["rm", "-q", "--cached", "leak.py"]);
    std::fs::remove_file(repo.child("leak.py")).unwrap();

    let good = repo.git_with(&env, &["commit", "-q", "-m", "feat: add the code"]);
    let text = format!("{}{}", String::from_utf8_lossy(&good.stdout), stderr(&good));
    assert!(good.status.success(), "{runner}:\n{text}");
    assert_eq!(repo.count(), 2);
    // The build number moved into the same commit (the rejected attempt did not count twice),
    // and the runner saw no unstaged modification.
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "8\n", "{runner}:\n{text}");
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "{runner}");

    // A secret already committed is found by `run --all-files` and `run --files` (CI), where
    // nothing is staged: the hook scans the files it is given whole.
    repo.write("old.py", key);
    repo.git(&["add", "old.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "feat: an old leak"]);
    for args in [&["run", "--all-files"][..], &["run", "--files", "old.py"][..]] {
        let out = repo.command(runner).args(args).envs(env).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(
            !out.status.success() && text.contains("old.py:1: github-pat"),
            "{runner} {args:?}:\n{text}"
        );
        assert!(
            !text.contains(key.split_once('=').map_or(key, |(_, v)| v)),
            "{runner}: the secret was printed"
        );
    }

    // pre-push through the framework, which hands the hook the pushed range in its
    // PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF: what the remote has passes; a commit that adds a
    // secret (committed with --no-verify) is refused and named.
    let remote = TestRepo::bare_dir();
    remote.git(&["init", "-q", "--bare"]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["rm", "-q", "old.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "fix: drop the old leak"]);
    let first = repo.git_with(&env, &["push", "-q", "--no-verify", "origin", "main"]);
    assert!(first.status.success(), "{runner}: {}", stderr(&first));
    repo.write("late.py", key);
    repo.git(&["add", "late.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "feat: a late leak"]);
    let push = repo.git_with(&env, &["push", "origin", "main"]);
    let text = format!("{}{}", String::from_utf8_lossy(&push.stdout), stderr(&push));
    assert!(
        !push.status.success() && text.contains("late.py:1") && text.contains("github-pat"),
        "{runner}: pre-push:\n{text}"
    );
    let remote_head = remote.git(&["rev-parse", "main"]);
    assert_ne!(remote_head, repo.head(), "{runner}: the secret reached the remote");
}

#[test]
fn through_the_pre_commit_framework() {
    drive("pre-commit");
}

#[test]
fn through_prek() {
    drive("prek");
}
