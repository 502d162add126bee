//! Messages that lead the user right: hints that work as printed, quiet success, `-q`, a closed
//! pipe, help texts, and output that keeps its columns.

use mpm_hooks::secrets::builtin;

use crate::common::{TestRepo, stderr};

/// The value in a rule's example line (after `=`), for planting in files.
fn token(rule: &str) -> String {
    let line = builtin().iter().find(|r| r.id == rule).unwrap().example;
    line.split_once('=')
        .map_or(line, |(_, v)| v)
        .trim()
        .trim_matches('"')
        .to_string()
}

/// The command in backquotes that the secrets report offers to accept the findings.
fn accept_hint(text: &str) -> Vec<String> {
    let hint = text
        .split('`')
        .find(|part| part.contains("--update-baseline"))
        .unwrap_or_else(|| panic!("no --update-baseline hint in:\n{text}"));
    let words: Vec<String> = hint.split_whitespace().map(str::to_string).collect();
    assert_eq!(words[0], "mpm-hooks", "{hint}");
    words[1..].to_vec()
}

/// `git commit -a` stages into a temporary index: once the commit stopped, nothing is staged.
/// The hint must still accept the finding when run as printed.
#[test]
fn the_baseline_hint_of_the_hook_accepts_what_it_found() {
    let repo = TestRepo::new();
    repo.commit_file("app.py", "import os\n", "chore: start");
    repo.install();
    repo.write("app.py", &format!("import os\nTOKEN = \"{}\"\n", token("github-pat")));
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "feat: token"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let args = accept_hint(&stderr(&out));
    let accepted = repo.cmd().args(&args).output().unwrap();
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    assert!(
        String::from_utf8_lossy(&accepted.stdout).contains("1 finding(s) accepted"),
        "{}",
        String::from_utf8_lossy(&accepted.stdout)
    );
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "feat: token"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `scan --history` offers a command that scans history again, and updating the baseline from
/// history keeps what a scan of files accepted before.
#[test]
fn the_history_hint_scans_history_and_the_baseline_is_merged() {
    let repo = TestRepo::new();
    repo.commit_file("README.md", "hello\n", "chore: start");
    repo.write("old.py", &format!("TOKEN = \"{}\"\n", token("github-pat")));
    repo.git(&["add", "old.py"]);
    repo.git(&["commit", "-q", "-m", "chore: leak"]);
    repo.git(&["rm", "-q", "old.py"]);
    repo.git(&["commit", "-q", "-m", "chore: unleak"]);
    repo.write("d.py", &format!("KEY = \"{}\"\n", token("sendgrid-api-key")));
    let out = repo.cmd().args(["scan", "--update-baseline", "d.py"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = repo.cmd().args(["scan", "--history"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let args = accept_hint(&String::from_utf8_lossy(&out.stdout));
    assert!(args.iter().any(|a| a == "--history"), "{args:?}");
    let out = repo.cmd().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let baseline = repo.read(".mpm-hooks-baseline.json");
    assert!(
        baseline.contains("\"d.py\""),
        "the earlier entry was dropped:\n{baseline}"
    );
    assert!(baseline.contains("\"old.py\""), "{baseline}");
    repo.cmd().args(["scan", "--history"]).assert().success();
    repo.cmd().args(["scan", "d.py"]).assert().success();
}

/// `-q` is honoured by install, init and uninstall: nothing printed on success.
#[test]
fn quiet_install_init_and_uninstall_print_nothing() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "chore: start");
    for command in ["init", "install", "uninstall"] {
        let out = repo.cmd().args(["-q", command]).output().unwrap();
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout) + stderr(&out).as_str(),
            "",
            "{command} -q printed"
        );
    }
    assert!(repo.child("VERSION").exists());
}

/// A reader that goes away (`mpm-hooks doctor --json | head -1`) ends the command quietly
/// with success, as ripgrep does: no "error: Broken pipe".
#[test]
fn a_closed_pipe_ends_quietly() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "chore: start");
    repo.install();
    for args in [&["doctor", "--json"][..], &["config", "show"], &["--help"]] {
        let mut child = repo
            .command(crate::common::bin())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The read end closes before the command writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(stderr(&out), "", "{args:?}");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}
