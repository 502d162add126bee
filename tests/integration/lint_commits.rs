//! `lint-commits` over long histories: results streamed in history order, text and JSON.

use crate::common::TestRepo;

/// A history of `n` commits built by `git fast-import`; every seventh message is invalid.
fn long_history(n: usize) -> TestRepo {
    let repo = TestRepo::new();
    let mut stream = String::new();
    for i in 0..n {
        let message = if i % 7 == 3 {
            format!("Update things {i}\n")
        } else {
            format!("fix: change {i}\n\nA body line for change {i}.\n")
        };
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@e> {} +0000\ndata {}\n{message}\n",
            1_700_000_000 + i,
            message.len(),
        ));
        if i == 0 {
            stream.push_str("M 644 inline f\ndata 2\nf\n\n");
        }
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
    repo
}

/// Commits "Ändere Dinge" stored in ISO-8859-1 (an `encoding` header), changing `a`.
fn commit_latin1(repo: &TestRepo) {
    std::fs::write(repo.child("message"), b"\xc4ndere Dinge\n").unwrap();
    repo.write("a", "3");
    repo.git(&["add", "a"]);
    repo.git(&[
        "-c",
        "i18n.commitEncoding=ISO-8859-1",
        "commit",
        "-q",
        "--no-verify",
        "-F",
        "message",
    ]);
}

/// 20,000 commits (many batches, several in flight at once): every failure once, newest first,
/// in text and in JSON, with the counts.
#[test]
fn lint_commits_streams_a_long_history_in_order() {
    const N: usize = 20_000;
    let repo = long_history(N);
    let invalid: Vec<usize> = (0..N).rev().filter(|i| i % 7 == 3).collect();
    let out = repo.cmd().arg("lint-commits").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected: Vec<String> = invalid
        .iter()
        .map(|i| format!("Update things {i}  [type-empty, subject-empty]"))
        .collect();
    let reported: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, rest)| rest))
        .collect();
    assert_eq!(reported[..reported.len() - 1], expected);
    assert!(
        stdout.ends_with(&format!("{N} commit(s) checked, {} failed\n", invalid.len())),
        "{}",
        &stdout[stdout.len().saturating_sub(200)..]
    );

    let out = repo.cmd().args(["lint-commits", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["checked"], N);
    assert_eq!(v["failed"], invalid.len());
    let headers: Vec<String> = v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["header"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = invalid.iter().map(|i| format!("Update things {i}")).collect();
    assert_eq!(headers, expected);
    let ids: Vec<String> = repo
        .git(&["log", "--format=%H", "--grep=^Update things"])
        .lines()
        .map(String::from)
        .collect();
    let commits: Vec<&str> = v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["commit"].as_str().unwrap())
        .collect();
    assert_eq!(commits, ids);
}

/// A message stored in another encoding (an `encoding` header) reaches the rules as `git log`
/// shows it, in UTF-8; the messages around it as they are stored, in history order.
#[test]
fn lint_commits_reads_a_message_in_another_encoding_as_utf8() {
    let repo = TestRepo::new();
    repo.commit_file("a", "1", "feat: one");
    repo.commit_file("a", "2", "Bad two");
    commit_latin1(&repo);
    let latin = repo.head();
    let raw = repo.git(&["cat-file", "commit", "HEAD"]);
    assert!(raw.contains("\nencoding ISO-8859-1\n"), "{raw}");
    repo.commit_file("a", "4", "Bad four");
    let out = repo.cmd().args(["lint-commits", "--from", "HEAD~3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let headers: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(_, h)| h)
        .collect();
    assert_eq!(
        headers,
        [
            "Bad four  [type-empty, subject-empty]",
            "Ändere Dinge  [type-empty, subject-empty]",
            "Bad two  [type-empty, subject-empty]",
            "commit(s) checked, 3 failed",
        ],
        "{stdout}"
    );
    assert!(stdout.contains(&format!("{} Ändere Dinge  [", &latin[..7])), "{stdout}");
}

/// A commit the walk knows (from the commit-graph) but whose object is gone: the command stops
/// with an error that names it (and does not hang waiting on its readers).
#[test]
fn lint_commits_names_a_missing_commit() {
    let repo = TestRepo::new();
    for i in 0..6 {
        repo.commit_file("a", &i.to_string(), &format!("Bad {i}"));
    }
    repo.git(&["commit-graph", "write", "--reachable", "--no-progress"]);
    let base = repo.git(&["rev-parse", "HEAD~5"]).trim().to_string();
    let gone = repo.git(&["rev-parse", "HEAD~2"]).trim().to_string();
    std::fs::remove_file(repo.child(&format!(".git/objects/{}/{}", &gone[..2], &gone[2..]))).unwrap();
    let out = repo.cmd().args(["lint-commits", "--from", &base]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("commit {gone} is missing from the repository")),
        "{stderr}"
    );
}

/// A range is walked by `git rev-list` and its messages read in this process, with or without a
/// commit-graph; where this process does not read the store (here GIT_OBJECT_DIRECTORY says the
/// objects may be elsewhere), by one `git log` without a commit-graph and by parallel
/// `git cat-file` readers with one. All four: the same failures, in the same order, text and
/// JSON, and a message in another encoding as UTF-8.
#[test]
fn lint_commits_reads_a_range_the_same_with_and_without_a_commit_graph() {
    const N: usize = 9_000;
    let repo = long_history(N);
    let root = repo.git(&["rev-list", "--max-parents=0", "HEAD"]).trim().to_string();
    commit_latin1(&repo);
    repo.git(&["gc", "-q"]);
    std::fs::remove_file(repo.child(".git/objects/info/commit-graph")).ok();
    let objects = repo.child(".git/objects");
    let run_with = |args: &[&str], through_git: bool| {
        let mut cmd = repo.cmd();
        if through_git {
            cmd.env("GIT_OBJECT_DIRECTORY", &objects);
        }
        let out = cmd.arg("lint-commits").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let run = |args: &[&str]| {
        let here = run_with(args, false);
        assert_eq!(run_with(args, true), here, "read by git");
        here
    };
    let text = run(&["--from", &root]);
    let json = run(&["--from", &root, "--json"]);
    let failed = (1..N).filter(|i| i % 7 == 3).count() + 1;
    assert!(
        text.ends_with(&format!("{N} commit(s) checked, {failed} failed\n")),
        "{}",
        &text[text.len() - 200..]
    );
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("Ändere Dinge  [type-empty, subject-empty]"),
        "{}",
        &text[..200]
    );
    assert!(!repo.child(".git/objects/info/commit-graph").exists());
    repo.git(&["commit-graph", "write", "--reachable", "--no-progress"]);
    assert_eq!(run(&["--from", &root]), text);
    assert_eq!(run(&["--from", &root, "--json"]), json);
}
