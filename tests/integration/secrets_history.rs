//! `scan --history` over merges, evil merges, SHA-256 repositories and awkward paths.

use mpm_hooks::secrets::builtin;

use crate::common::{TestRepo, stderr};

/// The value in a rule's example line (after `=`).
fn token(rule: &str) -> String {
    let line = builtin().iter().find(|r| r.id == rule).unwrap().example;
    line.split_once('=')
        .map_or(line, |(_, v)| v)
        .trim()
        .trim_matches('"')
        .to_string()
}

/// `scan --history --format json`: (commit, path, line) of each finding, and the commits walked.
fn history(repo: &TestRepo) -> (Vec<(String, String, u64)>, u64) {
    let out = repo
        .cmd()
        .args(["scan", "--history", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["commit"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (findings, v["commits"].as_u64().unwrap())
}

/// A secret added on a branch and merged is reported once, at the branch commit that added it,
/// not again at the merge (which, diffed against its first parent, shows it a second time).
#[test]
fn a_merged_secret_is_reported_once_at_the_commit_that_added_it() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "chore: start");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let key = token("groq-api-key");
    let leak = repo.commit_file("src/b.py", &format!("x = 1\nGROQ = \"{key}\"\n"), "feat: b");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("c.txt", "c\n", "chore: c");
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature"]);
    let (findings, commits) = history(&repo);
    assert_eq!(findings, vec![(leak, "src/b.py".to_string(), 2)]);
    assert_eq!(commits, 4);
}

/// A secret written while resolving a merge conflict is in neither parent: it is found at the
/// merge, on its line; what the merge takes from either side is not reported again.
#[test]
fn an_evil_merge_secret_is_found_at_the_merge() {
    let repo = TestRepo::new();
    repo.commit_file("config.py", "one = 1\nKEY = None\nthree = 3\n", "chore: start");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let side = token("github-pat");
    let branch = repo.commit_file("config.py", "one = 1\nKEY = load()\nthree = 3\n", "feat: load the key");
    repo.commit_file("side.py", &format!("TOKEN = \"{side}\"\n"), "feat: side token");
    let side_commit = repo.head();
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("config.py", "one = 1\nKEY = os.environ\nthree = 3\n", "fix: env");
    let out = repo.git_output(&["merge", "-q", "feature"]);
    assert!(!out.status.success(), "the merge was meant to conflict");
    let key = token("groq-api-key");
    repo.write("config.py", &format!("one = 1\nKEY = \"{key}\"\nthree = 3\n"));
    repo.git(&["add", "config.py"]);
    repo.git(&["commit", "-q", "--no-verify", "--no-edit"]);
    let merge = repo.head();
    let (findings, commits) = history(&repo);
    assert_ne!(branch, merge);
    assert_eq!(
        findings,
        vec![
            (merge, "config.py".to_string(), 2),
            (side_commit, "side.py".to_string(), 1),
        ]
    );
    assert_eq!(commits, 5);
}

/// History in a SHA-256 repository is read through git itself.
#[test]
fn history_of_a_sha256_repository_is_scanned() {
    let repo = TestRepo::bare_dir();
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256"]);
    repo.commit_file("a.txt", "a\n", "chore: start");
    let key = token("groq-api-key");
    let leak = repo.commit_file("b.py", &format!("GROQ = \"{key}\"\n"), "feat: b");
    repo.commit_file("b.py", "GROQ = None\n", "fix: drop the key");
    let (findings, commits) = history(&repo);
    assert_eq!(leak.len(), 64);
    assert_eq!(findings, vec![(leak.clone(), "b.py".to_string(), 1)]);
    assert_eq!(commits, 3);
    repo.cmd()
        .args(["scan", "--history", &format!("{leak}..HEAD")])
        .assert()
        .success();
}

/// Paths git quotes in a diff header (a quote, a tab, non-ASCII) are reported as they are, the
/// line numbers of later hunks are right, and deletions and binary files add nothing.
#[test]
fn quoted_paths_line_numbers_and_binary_files() {
    let repo = TestRepo::new();
    let key = token("groq-api-key");
    let body: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    repo.commit_file("dir/na\"me\té té.py", &body, "chore: start");
    repo.commit_file("gone.py", &format!("GROQ = \"{key}\"\n"), "chore: gone");
    repo.git(&["rm", "-q", "gone.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: remove"]);
    let changed = body
        .replace("line 3\n", "changed\n")
        .replace("line 15\n", &format!("GROQ = \"{key}\"\n"));
    let leak = repo.commit_file("dir/na\"me\té té.py", &changed, "feat: key");
    std::fs::write(
        repo.child("blob.bin"),
        [&b"\0\x01GROQ = \""[..], key.as_bytes(), b"\"\n"].concat(),
    )
    .unwrap();
    repo.git(&["add", "blob.bin"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: binary"]);
    repo.commit_file("with space.py", &format!("GROQ = \"{key}\"\n"), "chore: space");
    let spaced = repo.head();
    let (findings, _) = history(&repo);
    let gone = repo.git(&["rev-parse", "HEAD~4"]).trim().to_string();
    assert_eq!(
        findings,
        vec![
            (spaced, "with space.py".to_string(), 1),
            (leak, "dir/na\"me\té té.py".to_string(), 15),
            (gone, "gone.py".to_string(), 1),
        ]
    );
}

/// On a terminal a progress line (commits, findings, elapsed) goes to stderr and is erased at
/// the end; with `-q`, or when stderr is not a terminal, nothing.
#[test]
fn a_progress_line_on_a_terminal_only() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "chore: a");
    let key = token("groq-api-key");
    repo.commit_file("b.py", &format!("GROQ = \"{key}\"\n"), "feat: b");
    repo.commit_file("c.txt", "c\n", "chore: c");
    let on_a_terminal = |args: &[&str]| {
        // python's pty runs the command on a terminal, with no shell in between.
        let out = repo
            .command("python3")
            .args(["-c", "import pty, sys; pty.spawn(sys.argv[1:])"])
            .arg(crate::common::bin())
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_a_terminal(&["scan", "--history"]);
    assert!(
        shown.contains("\rscanning history: 3 commit(s), 1 finding(s), ") && shown.contains("\r\x1b[K"),
        "{shown:?}"
    );
    assert!(shown.contains("b.py:1"), "{shown:?}");
    let quiet = on_a_terminal(&["scan", "-q", "--history"]);
    assert!(
        !quiet.contains("scanning history") && quiet.contains("b.py:1"),
        "{quiet:?}"
    );
    let out = repo.cmd().args(["scan", "--history"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
}

/// 3,000 commits are read in several shares by several git processes: every finding once, in
/// history order (newest first), with the right commit.
#[test]
fn a_long_history_keeps_its_order() {
    let repo = TestRepo::new();
    let key = token("groq-api-key");
    let mut stream = String::new();
    for i in 0..3000 {
        let content = if i % 100 == 7 {
            format!("GROQ = \"{key}\"\n{i}\n")
        } else {
            format!("{i}\n")
        };
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{}\ncommitter T <t@e> {} +0000\ndata 8\nchore: c\nM 644 inline f{}.py\ndata {}\n{content}\n",
            i + 1,
            1_700_000_000 + i,
            i % 10,
            content.len()
        ));
    }
    let mut child = repo
        .command("git")
        .args(["fast-import", "--quiet", "--export-marks=marks"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let marks = repo.read("marks");
    let id = |i: usize| {
        let mark = format!(":{} ", i + 1);
        marks.lines().find_map(|l| l.strip_prefix(&mark)).unwrap().to_string()
    };
    let (findings, commits) = history(&repo);
    assert_eq!(commits, 3000);
    let expected: Vec<(String, String, u64)> = (0..3000)
        .rev()
        .filter(|i| i % 100 == 7)
        .map(|i| (id(i), format!("f{}.py", i % 10), 1))
        .collect();
    assert_eq!(findings, expected);
}

/// Commits diffed from a packed repository (blobs stored as deltas): a line changed in the middle
/// of a file, a final line that gains its newline, CRLF lines, a symbolic link that becomes a
/// file and a private key added between existing lines are each found once, on their lines,
/// as `git log -p` has them.
#[test]
fn added_lines_from_a_packed_history() {
    let repo = TestRepo::new();
    let key = token("groq-api-key");
    let body: String = (1..=300).map(|i| format!("line {i}\n")).collect();
    repo.commit_file("big.py", &body, "chore: start");
    let middle = repo.commit_file(
        "big.py",
        &body.replace("line 150\n", &format!("GROQ = \"{key}\"\n")),
        "feat: middle",
    );
    repo.commit_file("tail.py", "a = 1\nb = 2", "chore: tail");
    let tail = repo.commit_file("tail.py", &format!("a = 1\nb = 2\nGROQ = \"{key}\""), "feat: tail");
    let crlf = repo.commit_file("crlf.py", &format!("x = 1\r\nGROQ = \"{key}\"\r\n"), "feat: crlf");
    let pem = builtin().iter().find(|r| r.id == "private-key-rsa").unwrap().example;
    let keys = repo.commit_file(
        "big.py",
        &body
            .replace("line 150\n", &format!("GROQ = \"{key}\"\n"))
            .replace("line 200\n", &format!("line 200\n{pem}\n")),
        "feat: pem",
    );
    repo.git(&["gc", "-q", "--aggressive"]);
    let (findings, commits) = history(&repo);
    assert_eq!(commits, 6);
    assert_eq!(
        findings,
        vec![
            (keys, "big.py".to_string(), 201),
            (crlf, "crlf.py".to_string(), 2),
            (tail, "tail.py".to_string(), 3),
            (middle, "big.py".to_string(), 150),
        ]
    );
}

/// A clone whose objects are not all here: a partial clone (`--filter=blob:none`, old blobs
/// fetched when asked for) and a shared clone (objects read from the original's store through
/// `info/alternates`). History is read through git where this process cannot read it: the
/// secret a later commit removed is found at the commit that added it.
#[test]
fn partial_and_shared_clones_are_scanned_whole() {
    let origin = TestRepo::new();
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    let key = token("groq-api-key");
    origin.commit_file("a.py", "a = 1\n", "chore: start");
    let leak = origin.commit_file("a.py", &format!("a = 1\nGROQ = \"{key}\"\n"), "feat: key");
    origin.commit_file("a.py", "a = 2\n", "fix: no key");
    let url = format!("file://{}", origin.path().display());
    let expected = vec![(leak, "a.py".to_string(), 2)];

    let partial = TestRepo::bare_dir();
    partial.git(&["clone", "-q", "--filter=blob:none", &url, "."]);
    let missing = partial.git(&["rev-list", "--objects", "--all", "--missing=print"]);
    assert!(
        missing.lines().any(|l| l.starts_with('?')),
        "old blobs are not fetched yet"
    );
    assert_eq!(history(&partial), (expected.clone(), 3));

    let shared = TestRepo::bare_dir();
    shared.git(&["clone", "-q", "--shared", origin.path().to_str().unwrap(), "."]);
    assert!(shared.child(".git/objects/info/alternates").exists());
    assert_eq!(history(&shared), (expected, 3));
}

/// A secret in the first commit is found whatever the user's `log.showRoot` says: the history
/// reader asks git for the root commit's diff itself.
#[test]
fn a_secret_in_the_root_commit_is_found_with_log_show_root_off() {
    let repo = TestRepo::new();
    let key = token("groq-api-key");
    let root = repo.commit_file("a.py", &format!("GROQ = \"{key}\"\n"), "feat: start");
    repo.commit_file("b.py", "b = 1\n", "feat: b");
    repo.git(&["config", "log.showRoot", "false"]);
    let expected = (vec![(root, "a.py".to_string(), 1)], 2);
    assert_eq!(history(&repo), expected);
    // Read through `git log -p` (objects behind `info/alternates`).
    let shared = TestRepo::bare_dir();
    shared.git(&["clone", "-q", "--shared", repo.path().to_str().unwrap(), "."]);
    shared.git(&["config", "log.showRoot", "false"]);
    assert_eq!(history(&shared), expected);
}
