//! Configured checks in the pre-commit stage and the three tiers, with real commits.

use std::time::{Duration, Instant};

use predicates::str::contains;

use crate::common::{TestRepo, stderr};

/// A repository with `config` as .mpm-hooks.toml and the hooks installed.
fn repo(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".mpm-hooks.toml", config);
    repo.write("README.md", "hello\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);
    repo.install();
    repo
}

/// A check that fails when a staged file it is given contains `BAD`.
const NO_BAD: &str = r#"
[[check]]
name = "no-bad"
run = "sh -c 'if grep -l BAD -- \"$@\"; then exit 1; fi' sh {files}"
fix = "sed -i s/BAD/good/g {files}"
files = ["*.txt"]
"#;

#[test]
fn a_failing_check_blocks_the_commit_with_its_output() {
    let repo = repo(&NO_BAD.replace("fix = \"sed -i s/BAD/good/g {files}\"\n", ""));
    repo.write("a.txt", "BAD\n");
    repo.git(&["add", "a.txt"]);
    let out = repo.commit("feat: a");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("--- no-bad ---"), "{err}");
    assert!(err.contains("a.txt"), "{err}");
    repo.write("a.txt", "fine\n");
    repo.git(&["add", "a.txt"]);
    let out = repo.commit("feat: a");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn files_with_spaces_quotes_and_leading_dashes_are_single_arguments() {
    let repo = repo(
        r#"
[[check]]
name = "args"
run = "sh -c 'for f; do printf \"[%s]\\n\" \"$f\"; done > .git/args.log' sh {files}"
"#,
    );
    for name in ["with space.txt", "-rf", "it's \"quoted\".txt"] {
        repo.write(name, "x\n");
    }
    repo.git(&["add", "--", "with space.txt", "-rf", "it's \"quoted\".txt"]);
    let out = repo.commit("feat: names");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = repo.read(".git/args.log");
    let mut args: Vec<&str> = log.lines().collect();
    args.sort();
    assert_eq!(args, ["[./-rf]", "[it's \"quoted\".txt]", "[with space.txt]"]);
}

#[test]
fn checks_see_the_staged_content_and_unstaged_changes_come_back() {
    let repo = repo(NO_BAD);
    repo.write(
        "a.txt",
        "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n",
    );
    repo.git(&["add", "a.txt"]);
    // Unstaged: BAD at the end. The check must not see it, and it must survive.
    repo.write(
        "a.txt",
        "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nBAD unstaged\n",
    );
    let out = repo.commit("feat: a");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]).lines().count(), 8);
    assert!(repo.read("a.txt").ends_with("BAD unstaged\n"));
    assert_eq!(repo.git(&["status", "--porcelain"]), " M a.txt\n");
    assert!(
        std::fs::read_dir(repo.child(".git/mpm-hooks/stash"))
            .unwrap()
            .next()
            .is_none()
    );
}

#[test]
fn a_fixer_fixes_restages_and_the_commit_proceeds() {
    let repo = repo(NO_BAD);
    repo.write("a.txt", "BAD\n");
    repo.write("b.txt", "fine\n");
    repo.git(&["add", "."]);
    let out = repo.commit("feat: fixed");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("fixed and re-staged: a.txt"), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "good\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_missing_program_is_named_in_one_line() {
    let repo = repo("[[check]]\nname = \"lint\"\nrun = \"no-such-linter-xyz {files}\"\n");
    repo.write("a.txt", "x\n");
    repo.git(&["add", "a.txt"]);
    let out = repo.commit("feat: a");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("check `lint`: program `no-such-linter-xyz` not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn skip_by_check_name() {
    let repo = repo(&NO_BAD.replace("fix = \"sed -i s/BAD/good/g {files}\"\n", ""));
    repo.write("a.txt", "BAD\n");
    repo.git(&["add", "a.txt"]);
    let out = repo.git_with(
        &[("SKIP", "no-bad"), ("MPM_HOOKS_VERBOSE", "1")],
        &["commit", "-q", "-m", "feat: skipped"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("no-bad         skipped"), "{}", stderr(&out));
}

#[test]
fn checks_run_in_parallel() {
    let check = |n: u32| format!("[[check]]\nname = \"sleep{n}\"\nrun = \"sleep 1\"\npass_filenames = false\n");
    let repo = repo(&format!("{}{}{}[checks]\njobs = 3\n", check(1), check(2), check(3)));
    repo.write("a.txt", "x\n");
    repo.git(&["add", "a.txt"]);
    let started = Instant::now();
    let out = repo.commit("feat: parallel");
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(took < Duration::from_millis(2500), "three 1 s checks took {took:?}");
}

#[cfg(unix)]
fn wait_for(path: &std::path::Path) -> String {
    let started = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path)
            && s.ends_with('\n')
        {
            return s.trim().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A check that records its parent's pid (ours) and then hangs.
#[cfg(unix)]
const HANG: &str =
    "[[check]]\nname = \"hang\"\nrun = \"sh -c 'echo $PPID > .git/hook.pid; sleep 30'\"\npass_filenames = false\n";

#[cfg(unix)]
fn partially_staged(repo: &TestRepo) {
    repo.write("a.txt", "staged\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "staged\nunstaged work\n");
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_puts_the_unstaged_changes_back() {
    let repo = repo(HANG);
    partially_staged(&repo);
    let mut commit = repo
        .command("git")
        .args(["commit", "-q", "-m", "feat: x"])
        .spawn()
        .unwrap();
    let pid = wait_for(&repo.child(".git/hook.pid"));
    assert_eq!(
        repo.read("a.txt"),
        "staged\n",
        "the work tree matches the index while checks run"
    );
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = commit.wait().unwrap();
    assert!(!status.success());
    assert_eq!(repo.read("a.txt"), "staged\nunstaged work\n");
}

#[cfg(unix)]
#[test]
fn after_a_kill_9_the_next_run_restores_the_leftover_patch() {
    let repo = repo(HANG);
    partially_staged(&repo);
    let mut commit = repo
        .command("git")
        .args(["commit", "-q", "-m", "feat: x"])
        .spawn()
        .unwrap();
    let pid = wait_for(&repo.child(".git/hook.pid"));
    std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .unwrap();
    let _ = commit.wait();
    assert_eq!(repo.read("a.txt"), "staged\n");
    repo.cmd().args(["config", "check"]).assert().success().stderr(contains(
        "restored the unstaged changes an interrupted mpm-hooks run had set aside",
    ));
    assert_eq!(repo.read("a.txt"), "staged\nunstaged work\n");
}

#[test]
fn the_three_tiers_as_commands() {
    let repo = repo(&format!(
        "{NO_BAD}\n[[check]]\nname = \"slow-tests\"\nrun = \"false\"\npass_filenames = false\ntiers = [\"release\"]\n"
    ));
    repo.write("a.txt", "BAD\n");
    repo.git(&["add", "a.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: bad"]);
    repo.cmd()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains("no-bad               FAILED"))
        .stdout(contains("secrets              ok"))
        .stdout(contains("quality gate: FAILED"));
    repo.cmd()
        .arg("fix")
        .assert()
        .success()
        .stdout(contains("changed: a.txt"));
    assert_eq!(repo.read("a.txt"), "good\n");
    repo.cmd()
        .arg("check")
        .assert()
        .success()
        .stdout(contains("quality gate: passed"));
    let out = repo.cmd().args(["check", "--release", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["gate"], "release");
    let failed: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["slow-tests"]);
}

#[test]
fn check_config_errors_name_the_check() {
    let repo = TestRepo::new();
    for (config, expected) in [
        (
            "[[check]]\nname = \"a\"\nrun = \"x\"\n[[check]]\nname = \"a\"\nrun = \"y\"\n",
            "`a` is defined twice",
        ),
        ("[[check]]\nname = \"a\"\nrun = \"black 'unclosed\"\n", "unclosed quote"),
        (
            "[[check]]\nname = \"a\"\nrun = \"x\"\ntiers = [\"nightly\"]\n",
            "line 4",
        ),
    ] {
        repo.write(".mpm-hooks.toml", config);
        repo.cmd()
            .args(["config", "check"])
            .assert()
            .code(2)
            .stderr(contains(expected));
    }
}

/// A file name that is not UTF-8 reaches the check as the bytes git gave, and its unstaged
/// change comes back.
#[cfg(target_os = "linux")]
#[test]
fn file_names_that_are_not_utf8_reach_checks_as_they_are() {
    use std::os::unix::ffi::OsStrExt;
    let repo = repo(
        "[[check]]\nname = \"exists\"\nrun = \"sh -c 'for f; do test -f \\\"$f\\\" || { echo \\\"missing: $f\\\"; exit 1; }; done' sh {files}\"\n",
    );
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(repo.path().join(name), "staged\n").unwrap();
    repo.git(&["add", "-A"]);
    std::fs::write(repo.path().join(name), "staged\nunstaged\n").unwrap();
    let out = repo.commit("feat: latin-1 name");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(repo.path().join(name)).unwrap(), b"staged\nunstaged\n");
}
