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

/// The default range starts at the newest version tag on HEAD's history however the tag gets
/// there: through a tag of a tag to its commit; a version tag on a blob is no release.
#[test]
fn lint_commits_starts_at_a_version_tag_through_a_nested_tag() {
    let repo = TestRepo::new();
    repo.commit_file("a", "1", "Bad 1");
    repo.commit_file("a", "2", "Bad 2");
    repo.git(&["tag", "-a", "inner", "-m", "inner"]);
    repo.git(&[
        "-c",
        "advice.nestedTag=false",
        "tag",
        "-a",
        "v2.0.0",
        "-m",
        "nested",
        "inner",
    ]);
    let blob = repo.git(&["rev-parse", "HEAD:a"]).trim().to_string();
    repo.git(&["tag", "v3.0.0", &blob]);
    for n in 3..6 {
        repo.commit_file("a", &n.to_string(), &format!("Bad {n}"));
    }
    let out = repo.cmd().arg("lint-commits").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("3 commit(s) checked, 3 failed"), "{stdout}");
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

/// Commits made by `git fast-import` from `(parents, committer date)`, each given by its
/// position; all messages fail the rules ("Bad <n>"). Returns their ids. No commit-graph is
/// written, so `lint-commits` walks history in process.
fn dag(repo: &TestRepo, commits: &[(Vec<usize>, u64)]) -> Vec<String> {
    let mut stream = String::new();
    for (n, (parents, date)) in commits.iter().enumerate() {
        let message = format!("Bad {n}\n");
        stream.push_str(&format!(
            "commit refs/heads/walk\nmark :{}\ncommitter T <t@e> {date} +0000\ndata {}\n{message}",
            n + 1,
            message.len()
        ));
        // The first parent (`from`) resets the branch; with none, a root commit.
        match parents.split_first() {
            Some((first, rest)) => {
                stream.push_str(&format!("from :{}\n", first + 1));
                for p in rest {
                    stream.push_str(&format!("merge :{}\n", p + 1));
                }
            }
            None => stream.push_str("deleteall\n"),
        }
        stream.push_str(&format!("M 644 inline f\ndata {}\n{n}\n\n", n.to_string().len() + 1));
        if parents.is_empty() && n > 0 {
            // A second root: fast-import would otherwise take the branch's tip as its parent.
            stream = stream.replacen(
                &format!("commit refs/heads/walk\nmark :{}\n", n + 1),
                &format!("reset refs/heads/walk\n\ncommit refs/heads/walk\nmark :{}\n", n + 1),
                1,
            );
        }
    }
    let marks = repo.child(".git/walk-marks");
    let mut child = repo
        .command("git")
        .args(["fast-import", "--quiet", "--force"])
        .arg(format!("--export-marks={}", marks.display()))
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let marks = std::fs::read_to_string(marks).unwrap();
    let mut ids = vec![String::new(); commits.len()];
    for line in marks.lines() {
        let (mark, id) = line.split_once(' ').unwrap();
        ids[mark[1..].parse::<usize>().unwrap() - 1] = id.to_string();
    }
    assert!(!repo.child(".git/objects/info/commit-graph").exists());
    ids
}

/// The commits `lint-commits --json` lists (every message fails), and what `git rev-list`
/// lists for the same range, in order.
fn listed_and_git(repo: &TestRepo, to: &str, from: Option<&str>) -> (Vec<String>, Vec<String>) {
    let mut cmd = repo.cmd();
    cmd.args(["lint-commits", "--json", "--to", to]);
    if let Some(from) = from {
        cmd.args(["--from", from]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<String> = v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["commit"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(v["checked"], listed.len());
    assert_eq!(v["failed"], listed.len());
    let mut args = vec!["rev-list", to];
    let not = from.map(|f| format!("^{f}"));
    args.extend(not.as_deref());
    let git = repo.git(&args).lines().map(String::from).collect();
    (listed, git)
}

/// Commits of one second: `lint-commits --from U --to T` takes C (T's parent) while it still
/// looks in the range, then finds it reachable from U two commits down (git's walk, which holds
/// its answer until it ends, leaves C out): C is not listed.
#[test]
fn lint_commits_leaves_out_a_commit_found_out_of_range_later() {
    let repo = TestRepo::new();
    const D: u64 = 1_700_000_000;
    // 0 R, 1 C, 2 Y, 3 X, 4 U, 5 T: U -> X -> Y -> C -> R, T -> C, all at D.
    let ids = dag(
        &repo,
        &[
            (vec![], D),
            (vec![0], D),
            (vec![1], D),
            (vec![2], D),
            (vec![3], D),
            (vec![1], D),
        ],
    );
    let (listed, git) = listed_and_git(&repo, &ids[5], Some(&ids[4]));
    assert_eq!(git, [ids[5].clone()]);
    assert_eq!(listed, git);
    let out = repo
        .cmd()
        .args(["lint-commits", "--to", &ids[5], "--from", &ids[4]])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with("1 commit(s) checked, 1 failed\n"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A small deterministic generator (xorshift): a number below its argument.
fn generator(mut state: u64) -> impl FnMut(u64) -> u64 {
    move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}

/// `n` commits as [`dag`] takes them: merges (octopus ones too), several roots, dates that
/// repeat the commit before's and clocks a day ahead or behind.
fn random_history(n: usize, next: &mut impl FnMut(u64) -> u64) -> Vec<(Vec<usize>, u64)> {
    let mut commits: Vec<(Vec<usize>, u64)> = Vec::new();
    for n in 0..n {
        let parents = if n == 0 || next(60) == 0 {
            vec![]
        } else {
            let count = match next(20) {
                0 => 3,
                1..=4 => 2,
                _ => 1,
            };
            let mut parents: Vec<usize> = Vec::new();
            for _ in 0..count {
                // Mostly recent commits, sometimes far back.
                let back = if next(4) == 0 {
                    next(n as u64)
                } else {
                    next(8.min(n as u64))
                };
                let p = n - 1 - back as usize;
                if !parents.contains(&p) {
                    parents.push(p);
                }
            }
            parents
        };
        let date = match next(10) {
            0..=2 if n > 0 => commits[n - 1].1,
            3 => 1_700_000_000 + n as u64 * 60 + next(86_400),
            4 => 1_700_000_000 + (n as u64 * 60).saturating_sub(next(86_400)),
            _ => 1_700_000_000 + n as u64 * 60,
        };
        commits.push((parents, date));
    }
    commits
}

/// A repository of `n` commits as [`random_history`] makes them from `seed`: the repository,
/// the commits' ids, and the generator, to draw more from.
fn random_repo(seed: u64, n: usize) -> (TestRepo, Vec<String>, impl FnMut(u64) -> u64) {
    let repo = TestRepo::new();
    let mut next = generator(seed);
    let commits = random_history(n, &mut next);
    let ids = dag(&repo, &commits);
    (repo, ids, next)
}

/// A history of 400 commits with merges (octopus ones too), several roots, dates that repeat
/// and clocks that were wrong (parents newer than their children): every range between 40
/// pairs of its commits, and the whole history from several tips, lists exactly the commits
/// `git rev-list` lists, in its order.
#[test]
fn lint_commits_walks_ranges_in_git_s_order() {
    let (repo, ids, mut next) = random_repo(0x9e37_79b9_7f4a_7c15, 400);
    let mut checked = 0;
    for tip in [399, 398, 350, 200] {
        let (listed, git) = listed_and_git(&repo, &ids[tip], None);
        assert_eq!(listed, git, "the history of {tip}");
        checked += listed.len();
    }
    for _ in 0..40 {
        let (to, from) = (ids[300 + next(100) as usize].clone(), ids[next(400) as usize].clone());
        let (listed, git) = listed_and_git(&repo, &to, Some(&from));
        assert_eq!(listed, git, "{to} ^{from}");
        checked += listed.len();
    }
    assert!(checked > 1_000, "{checked}");
}

/// With a commit-graph, git takes the dates of the commits it holds from there, where a date
/// keeps 34 bits: a commit dated past 2514 sorts as if long ago. The walk here reads dates from
/// the commits, so it leaves such a history to git, and the list is git's; without the graph it
/// is the commits' order.
#[test]
fn lint_commits_orders_as_git_does_with_a_commit_graph_s_dates() {
    let repo = TestRepo::new();
    let past_2514 = (1u64 << 34) + 500;
    // R; A (dated past 2514, 500 to the graph) and B (600) on R; M merges them.
    let ids = dag(
        &repo,
        &[(vec![], 100), (vec![0], past_2514), (vec![0], 600), (vec![1, 2], 1_000)],
    );
    let (listed, git) = listed_and_git(&repo, &ids[3], None);
    assert_eq!(listed, [&ids[3], &ids[1], &ids[2], &ids[0]].map(String::clone));
    assert_eq!(listed, git);
    repo.git(&["commit-graph", "write", "--reachable", "--no-progress"]);
    for from in [None, Some(ids[0].as_str())] {
        let (listed, git) = listed_and_git(&repo, &ids[3], from);
        assert_eq!(
            listed[..3],
            [&ids[3], &ids[2], &ids[1]].map(String::clone),
            "from {from:?}"
        );
        assert_eq!(listed, git, "from {from:?}");
    }
}

/// History as git walks it differs from what the commits record (a replace ref grafting a
/// commit onto another parent): git walks it, and the list is git's.
#[test]
fn lint_commits_follows_replace_refs_as_git_does() {
    let repo = TestRepo::new();
    let ids = dag(
        &repo,
        &[
            (vec![], 100),
            (vec![0], 200),
            (vec![1], 300),
            (vec![], 250),
            (vec![3], 350),
            (vec![2], 400),
        ],
    );
    let before = listed_and_git(&repo, &ids[5], Some(&ids[0]));
    assert_eq!(before.0, before.1);
    // 2's parent becomes 4 (of the other root's line).
    repo.git(&["replace", "--graft", &ids[2], &ids[4]]);
    let (listed, git) = listed_and_git(&repo, &ids[5], Some(&ids[0]));
    assert_ne!(git, before.1);
    assert_eq!(listed, git);
}

/// Without a commit-graph, a commit missing from the store: the walk here cannot read it, git
/// walks the range and fails, and the command stops with an error (no partial list).
#[test]
fn lint_commits_stops_at_a_missing_commit_without_a_commit_graph() {
    let repo = TestRepo::new();
    for i in 0..6 {
        repo.commit_file("a", &i.to_string(), &format!("Bad {i}"));
    }
    let base = repo.git(&["rev-parse", "HEAD~5"]).trim().to_string();
    let gone = repo.git(&["rev-parse", "HEAD~2"]).trim().to_string();
    std::fs::remove_file(repo.child(&format!(".git/objects/{}/{}", &gone[..2], &gone[2..]))).unwrap();
    for range in [vec!["--from", base.as_str()], vec![]] {
        let out = repo.cmd().arg("lint-commits").args(&range).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{range:?}");
        assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&gone[..7]) || stderr.contains("bad object"), "{stderr}");
    }
}

/// Version tags are ordered as `git rev-list --topo-order --date-order HEAD` lists their commits
/// (the walk here, with or without a commit-graph): `changelog --all` heads its sections in that
/// order, and `lint-commits` starts after the first.
#[test]
fn version_tags_follow_git_s_topological_order() {
    let (repo, ids, _) = random_repo(0x2545_f491_4f6c_dd1d, 300);
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/walk"]);
    repo.git(&["reset", "-q", "--hard"]);
    let mut version_of = std::collections::HashMap::new();
    for (k, id) in ids.iter().enumerate().filter(|(n, _)| n % 3 == 0) {
        let version = format!("1.{}.0", k / 3);
        repo.git(&["tag", &format!("v{version}"), id]);
        version_of.insert(id.clone(), version);
    }
    let expected: Vec<String> = repo
        .git(&["rev-list", "--topo-order", "--date-order", "HEAD"])
        .lines()
        .filter_map(|id| version_of.get(id).cloned())
        .collect();
    assert!(expected.len() > 20, "{}", expected.len());
    for graph in [false, true] {
        if graph {
            repo.git(&["commit-graph", "write", "--reachable", "--no-progress"]);
        }
        let out = repo.cmd().args(["changelog", "--all"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("## ["))
            .filter_map(|l| l.split_once(']'))
            .map(|(v, _)| v.to_string())
            .filter(|v| v != "Unreleased")
            .collect();
        assert_eq!(listed, expected, "commit-graph: {graph}");
        let first = repo
            .git(&["rev-parse", &format!("v{}", expected[0])])
            .trim()
            .to_string();
        let (listed, git) = listed_and_git(&repo, "HEAD", Some(&first));
        assert_eq!(listed, git);
        let out = repo.cmd().args(["lint-commits", "--json"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["checked"], git.len(), "the default range starts at v{}", expected[0]);
    }
}
