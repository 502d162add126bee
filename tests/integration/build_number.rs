//! The build-number step and the BUILD_NUMBER merge driver, with real commits, merges, rebases.

use predicates::str::contains;

use crate::common::{TestRepo, stderr};

fn versioned() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "41\n");
    repo.git(&["add", "VERSION", "BUILD_NUMBER"]);
    repo.commit_file("src/lib.rs", "fn a() {}\n", "chore: start");
    repo.install();
    repo
}

fn lines(n: usize, word: &str) -> String {
    (0..n).map(|i| format!("{word} {i}\n")).collect()
}

#[test]
fn a_substantial_change_increments_into_the_same_commit() {
    let repo = versioned();
    repo.write("src/big.rs", &lines(12, "let x ="));
    repo.git(&["add", "src/big.rs"]);
    let out = repo.commit("feat: big change");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("BUILD_NUMBER 41 -> 42: 12 changed line(s) in 1 file(s)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.read("BUILD_NUMBER"), "42\n");
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let audit = repo.audit();
    assert_eq!(audit.last().unwrap()["command"], "pre-commit build-number");
    assert_eq!(audit.last().unwrap()["new"], "42");
}

#[test]
fn an_unstaged_edit_of_build_number_is_left_alone() {
    let repo = versioned();
    repo.write("BUILD_NUMBER", "50\n");
    repo.write("src/big.rs", &lines(12, "let x ="));
    repo.git(&["add", "src/big.rs"]);
    let out = repo.commit("feat: big change");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("BUILD_NUMBER has unstaged changes: not incremented"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "41\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "50\n");
}

#[test]
fn small_and_excluded_changes_do_not() {
    let repo = versioned();
    repo.write("src/small.rs", &lines(3, "x"));
    repo.write("README.md", &lines(50, "words"));
    repo.write("docs/guide/a.rs", &lines(50, "x"));
    repo.git(&["add", "."]);
    let out = repo.commit("docs: words");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not incremented: 3 changed line(s) in 1 file(s), 2 excluded; threshold 10"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.read("BUILD_NUMBER"), "41\n");
}

#[test]
fn a_pure_rename_counts_nothing_and_a_binary_counts_its_weight() {
    let repo = versioned();
    repo.commit_file("src/long.rs", &lines(40, "y"), "chore: add long");
    let before = repo.read("BUILD_NUMBER");
    repo.git(&["mv", "src/long.rs", "src/renamed.rs"]);
    assert!(repo.commit("refactor: rename").status.success());
    assert_eq!(repo.read("BUILD_NUMBER"), before);
    std::fs::write(repo.child("logo.bin"), b"\x00\x01\x02binary").unwrap();
    repo.git(&["add", "logo.bin"]);
    let out = repo.commit("feat: logo");
    assert!(
        stderr(&out).contains("10 changed line(s) in 1 file(s)"),
        "{}",
        stderr(&out)
    );
    assert_ne!(repo.read("BUILD_NUMBER"), before);
}

#[test]
fn a_hand_edit_wins_and_a_rejected_commit_is_not_counted_twice() {
    let repo = versioned();
    repo.write("BUILD_NUMBER", "100\n");
    repo.write("src/big.rs", &lines(20, "z"));
    repo.git(&["add", "."]);
    assert!(repo.commit("feat: hand edit").status.success());
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "100\n");

    repo.write("src/more.rs", &lines(20, "w"));
    repo.git(&["add", "."]);
    assert!(!repo.commit("Bad message").status.success());
    assert_eq!(repo.read("BUILD_NUMBER"), "100\n");
    let out = repo.commit("feat: more");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "101\n");
}

#[test]
fn commit_a_uses_gits_own_index() {
    let repo = versioned();
    repo.commit_file("src/x.rs", "a\n", "chore: x");
    repo.write("src/x.rs", &lines(30, "changed"));
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "feat: via -a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn without_build_number_one_line_says_how_to_start() {
    let repo = TestRepo::new();
    repo.commit_file("a", "a", "chore: a");
    repo.install();
    repo.write("b.rs", &lines(20, "b"));
    repo.git(&["add", "."]);
    let out = repo.commit("feat: b");
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("(no BUILD_NUMBER; `mpm-hooks init` starts one)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn skip_and_dry_run() {
    let repo = versioned();
    repo.write("src/big.rs", &lines(20, "s"));
    repo.git(&["add", "."]);
    repo.cmd()
        .args(["run", "pre-commit", "--dry-run"])
        .assert()
        .success()
        .stderr(contains(
            "would increment 41 -> 42: 20 changed line(s) in 1 file(s), 0 excluded; threshold 10",
        ));
    assert_eq!(repo.read("BUILD_NUMBER"), "41\n");
    let out = repo.git_with(&[("SKIP", "build-number")], &["commit", "-q", "-m", "feat: skipped"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("(SKIP=build-number)"), "{}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "41\n");
}

#[test]
fn a_bad_build_number_blocks_the_commit_and_writes_nothing() {
    let repo = versioned();
    repo.write("BUILD_NUMBER", "abc\n");
    repo.git(&["add", "BUILD_NUMBER"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: break it"]);
    repo.write("src/big.rs", &lines(20, "s"));
    repo.git(&["add", "."]);
    let out = repo.commit("feat: x");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("error: BUILD_NUMBER: `abc` is not a whole number"),
        "{err}"
    );
    assert!(err.contains("SKIP=build-number"), "{err}");
    assert_eq!(repo.read("BUILD_NUMBER"), "abc\n");
}

#[test]
fn a_locked_index_is_a_clear_error_and_nothing_is_written() {
    let repo = versioned();
    repo.write("src/big.rs", &lines(20, "s"));
    repo.git(&["add", "."]);
    std::fs::write(repo.child(".git/index.lock"), "").unwrap();
    repo.cmd().args(["run", "pre-commit"]).assert().code(2).stderr(contains(
        "cannot stage BUILD_NUMBER; another git process holds index.lock",
    ));
    assert_eq!(repo.read("BUILD_NUMBER"), "41\n");
    std::fs::remove_file(repo.child(".git/index.lock")).unwrap();
}

#[cfg(unix)]
#[test]
fn a_read_only_build_number_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let repo = versioned();
    std::fs::set_permissions(repo.child("BUILD_NUMBER"), std::fs::Permissions::from_mode(0o444)).unwrap();
    repo.write("src/big.rs", &lines(20, "s"));
    repo.git(&["add", "src/big.rs"]);
    let out = repo.commit("feat: x");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("BUILD_NUMBER is read-only"), "{}", stderr(&out));
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), "src/big.rs\n");
}

/// Two branches that both increment: merge and rebase never stop on BUILD_NUMBER.
#[test]
fn merges_and_rebases_keep_the_larger_number() {
    let repo = versioned();
    repo.git(&["checkout", "-q", "-b", "left"]);
    for i in 0..3 {
        repo.write(&format!("src/left{i}.rs"), &lines(12, "l"));
        repo.git(&["add", "."]);
        assert!(repo.commit(&format!("feat: left {i}")).status.success());
    }
    assert_eq!(repo.read("BUILD_NUMBER"), "44\n");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "right"]);
    repo.write("src/right.rs", &lines(12, "r"));
    repo.git(&["add", "."]);
    assert!(repo.commit("feat: right").status.success());
    assert_eq!(repo.read("BUILD_NUMBER"), "42\n");

    let out = repo.git_output(&["merge", "--no-edit", "left"]);
    assert!(
        out.status.success(),
        "merge stopped: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(repo.read("BUILD_NUMBER"), "44\n");

    repo.git(&["checkout", "-q", "-b", "rebased", "right~0"]);
    repo.git(&["reset", "-q", "--hard", "HEAD^"]);
    let out = repo.git_output(&["rebase", "left"]);
    assert!(out.status.success(), "rebase stopped: {}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "44\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_side_that_is_not_a_number_is_a_real_conflict() {
    let repo = versioned();
    repo.git(&["checkout", "-q", "-b", "bad"]);
    repo.write("BUILD_NUMBER", "oops\n");
    repo.git(&["commit", "-q", "--no-verify", "-am", "chore: bad"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("BUILD_NUMBER", "50\n");
    repo.git(&["commit", "-q", "--no-verify", "-am", "chore: good"]);
    let out = repo.git_output(&["merge", "--no-edit", "bad"]);
    assert!(!out.status.success());
    let text = repo.read("BUILD_NUMBER");
    assert!(
        text.contains("<<<<<<<") && text.contains("oops") && text.contains("50"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("`oops` is not a number") || String::from_utf8_lossy(&out.stdout).contains("CONFLICT")
    );
}

#[test]
fn install_registers_the_driver_only_inside_the_clone() {
    let repo = versioned();
    assert!(
        repo.read(".git/info/attributes")
            .contains("BUILD_NUMBER merge=mpm-hooks-build-number")
    );
    assert!(
        repo.git(&["config", "--local", "merge.mpm-hooks-build-number.driver"])
            .contains("merge-build-number %O %A %B")
    );
    assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=all"]), "");
    repo.cmd()
        .arg("uninstall")
        .assert()
        .success()
        .stdout(contains("BUILD_NUMBER merge driver: removed"));
    assert!(!repo.read(".git/info/attributes").contains("mpm-hooks"));
    assert!(!repo.read(".git/config").contains("mpm-hooks"));
}

#[test]
fn an_overflowing_build_number_blocks_the_commit() {
    let repo = versioned();
    repo.write("BUILD_NUMBER", "18446744073709551615\n");
    repo.git(&["add", "BUILD_NUMBER"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: the largest"]);
    repo.write("src/big.rs", &lines(20, "o"));
    repo.git(&["add", "."]);
    let out = repo.commit("feat: x");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot be incremented"), "{}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "18446744073709551615\n");
}

/// The index the step rewrites may be any of git's layouts; each must come out valid, with the
/// commit carrying the new number and nothing else lost.
#[test]
fn every_index_layout_comes_out_valid() {
    let layouts: &[(&str, &[&[&str]])] = &[
        ("v2 with a cache tree", &[]),
        ("v4", &[&["update-index", "--index-version", "4"]]),
        (
            "split index",
            &[
                &["config", "core.splitIndex", "true"],
                &["update-index", "--split-index"],
            ],
        ),
        (
            "skipHash",
            &[
                &["config", "index.skipHash", "true"],
                &["update-index", "--really-refresh"],
            ],
        ),
        ("intent-to-add (v3)", &[&["add", "-N", "later.rs"]]),
        (
            "untracked cache",
            &[
                &["config", "core.untrackedCache", "true"],
                &["update-index", "--untracked-cache"],
                &["status", "--porcelain"],
            ],
        ),
    ];
    for (name, setup) in layouts {
        let repo = versioned();
        for i in 0..30 {
            repo.write(&format!("src/m{}/f{i}.rs", i % 4), "fn f() {}\n");
        }
        repo.write("later.rs", "// later\n");
        repo.git(&["add", "src"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "chore: files"]);
        for args in setup.iter() {
            repo.git(args);
        }
        repo.write("src/m1/big.rs", &lines(12, "let x ="));
        repo.git(&["add", "src/m1/big.rs"]);
        let out = repo.commit("feat: big change");
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("BUILD_NUMBER 41 -> 42"),
            "{name}: {}",
            stderr(&out)
        );
        assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n", "{name}");
        assert_eq!(
            repo.git(&["show", "HEAD:src/m1/big.rs"]),
            lines(12, "let x ="),
            "{name}"
        );
        // The index agrees with the commit, and git reads it without complaint.
        assert_eq!(
            repo.git(&["write-tree"]),
            repo.git(&["rev-parse", "HEAD^{tree}"]),
            "{name}"
        );
        let status = repo.git(&["status", "--porcelain"]);
        let expected = if name.starts_with("intent") {
            " A later.rs\n"
        } else {
            "?? later.rs\n"
        };
        assert_eq!(status, expected, "{name}");
        assert_eq!(
            repo.git(&["ls-files"]).lines().count(),
            34 + usize::from(name.starts_with("intent")),
            "{name}"
        );
        repo.git(&["fsck", "--no-dangling", "--no-progress"]);
    }
}

#[test]
fn a_fixer_that_restages_keeps_its_fix_and_the_increment() {
    // The step reads the index while the checks run; a fixer re-stages in between, and the
    // increment must be staged into the index as the fixer left it.
    let repo = versioned();
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"no-bad\"\nrun = \"sh -c 'if grep -l BAD -- \\\"$@\\\"; then exit 1; fi' sh {files}\"\nfix = \"sed -i s/BAD/good/g {files}\"\nfiles = [\"*.py\"]\n",
    );
    repo.git(&["add", ".mpm-hooks.toml"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: config"]);
    repo.write("a.py", &lines(12, "BAD"));
    repo.git(&["add", "a.py"]);
    let out = repo.commit("feat: fixed");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("BUILD_NUMBER 41 -> 42"), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:a.py"]), lines(12, "good"));
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// Work tree, index and HEAD hold the same BUILD_NUMBER, and no commit on HEAD records a lower
/// number than its parent.
fn assert_agrees(repo: &TestRepo, n: u64) {
    let want = format!("{n}\n");
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), want, "HEAD");
    assert_eq!(repo.git(&["show", ":BUILD_NUMBER"]), want, "index");
    assert_eq!(repo.read("BUILD_NUMBER"), want, "work tree");
    let status = repo.git(&["status", "--porcelain", "--", "BUILD_NUMBER"]);
    assert_eq!(status, "", "git status shows BUILD_NUMBER");
    let mut last = 0u64;
    for commit in repo.git(&["rev-list", "--reverse", "HEAD"]).lines() {
        let out = repo.git_output(&["show", &format!("{commit}:BUILD_NUMBER")]);
        if !out.status.success() {
            continue;
        }
        let value: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert!(
            value >= last,
            "BUILD_NUMBER goes down from {last} to {value} at {commit}"
        );
        last = value;
    }
}

/// `versioned()` with src/x.rs committed, then changed in the work tree by `n` lines.
fn with_a_tracked_change(n: usize) -> TestRepo {
    let repo = versioned();
    repo.commit_file("src/x.rs", "a\n", "chore: x");
    repo.write("src/x.rs", &lines(n, "changed"));
    repo
}

#[test]
fn a_partial_commit_by_path_leaves_the_real_index_at_the_new_number() {
    let repo = with_a_tracked_change(30);
    // post-commit is linked only when a partial commit needs it: no third process before.
    let post_commit = repo.child(".git/hooks/post-commit");
    assert!(
        std::fs::symlink_metadata(&post_commit).is_err(),
        "install linked post-commit"
    );
    // A rejected message first: git throws both indexes away, the work tree follows.
    assert!(
        !repo
            .git_output(&["commit", "-q", "-m", "Bad", "src/x.rs"])
            .status
            .success()
    );
    assert_agrees(&repo, 41);
    assert_eq!(repo.git(&["status", "--porcelain"]), " M src/x.rs\n");
    let out = repo.git_output(&["commit", "-q", "-m", "feat: by path", "src/x.rs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 42);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(
        std::fs::symlink_metadata(&post_commit).is_ok(),
        "post-commit was not linked"
    );
    repo.cmd().arg("doctor").assert().success();
    // The next ordinary commit goes on from there, never back.
    repo.write("src/y.rs", &lines(30, "y"));
    repo.git(&["add", "src/y.rs"]);
    let out = repo.commit("feat: next");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 43);
}

#[test]
fn a_partial_commit_with_only_leaves_the_real_index_at_the_new_number() {
    let repo = with_a_tracked_change(30);
    // Something else staged stays staged, untouched.
    repo.write("notes.txt", "keep me staged\n");
    repo.git(&["add", "notes.txt"]);
    let out = repo.git_output(&["commit", "-q", "--only", "-m", "feat: only", "--", "src/x.rs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 42);
    assert_eq!(repo.git(&["status", "--porcelain"]), "A  notes.txt\n");
}

#[test]
fn commit_a_after_a_rejected_message_leaves_everything_in_line() {
    let repo = with_a_tracked_change(30);
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "Bad message"]);
    assert!(!out.status.success());
    // git threw its index.lock away; the work-tree increment goes too.
    assert_eq!(repo.read("BUILD_NUMBER"), "41\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), " M src/x.rs\n");
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "feat: via -a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 42);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_partial_commit_with_a_fixer_leaves_no_staged_reversal() {
    let repo = versioned();
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"no-bad\"\nrun = \"sh -c 'if grep -l BAD -- \\\"$@\\\"; then exit 1; fi' sh {files}\"\nfix = \"sed -i s/BAD/good/g {files}\"\nfiles = [\"*.py\"]\n",
    );
    repo.git(&["add", ".mpm-hooks.toml"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: config"]);
    repo.commit_file("a.py", "start\n", "chore: a.py");
    repo.write("a.py", &lines(12, "BAD"));
    let out = repo.git_output(&["commit", "-q", "-m", "feat: fixed", "a.py"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:a.py"]), lines(12, "good"));
    assert_eq!(repo.git(&["show", ":a.py"]), lines(12, "good"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_agrees(&repo, 42);
}

#[test]
fn a_staged_decrement_is_refused_in_one_line() {
    let repo = versioned();
    repo.write("BUILD_NUMBER", "40\n");
    repo.write("src/big.rs", &lines(20, "d"));
    repo.git(&["add", "."]);
    let expected = "build-number:\n    BUILD_NUMBER is staged as 40, lower than HEAD's 41: a build number never goes down (stage 41 or higher)";
    repo.cmd()
        .args(["run", "pre-commit"])
        .assert()
        .code(1)
        .stderr(contains(format!("{expected}\n")));
    let out = repo.commit("feat: down");
    assert!(!out.status.success());
    assert!(stderr(&out).contains(&format!("\n{expected}\n")), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "41\n");
    assert_eq!(repo.git(&["show", ":BUILD_NUMBER"]), "40\n");
}

#[test]
fn amending_measures_against_the_parent() {
    let repo = versioned();
    repo.write("src/big.rs", &lines(12, "a"));
    repo.git(&["add", "."]);
    assert!(repo.commit("feat: first").status.success());
    assert_agrees(&repo, 42);
    for round in 0..2 {
        repo.write(&format!("src/more{round}.rs"), &lines(20, "m"));
        repo.git(&["add", "."]);
        let out = repo.git_output(&["commit", "-q", "--amend", "-m", "feat: amended"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_agrees(&repo, 42);
        assert_eq!(repo.count(), 2);
    }
    // An amend of a commit that did not increment may still take parent + 1.
    repo.write("src/small.rs", "s\n");
    repo.git(&["add", "."]);
    assert!(repo.commit("fix: small").status.success());
    assert_agrees(&repo, 42);
    repo.write("src/small.rs", &lines(20, "s"));
    repo.git(&["add", "."]);
    let out = repo.git_output(&["commit", "-q", "--amend", "--no-edit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 43);
    // Through an alias, once more: still parent + 1.
    repo.git(&["config", "alias.ca", "commit --amend --no-edit"]);
    repo.write("src/small.rs", &lines(40, "t"));
    repo.git(&["add", "."]);
    let out = repo.git_output(&["ca", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 43);
}

#[test]
fn a_rejected_message_undoes_its_increment_and_a_retry_makes_one() {
    let repo = versioned();
    repo.write("src/big.rs", &lines(20, "r"));
    repo.git(&["add", "."]);
    let out = repo.commit("Bad message");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("BUILD_NUMBER back to 41: the increment to 42 was for a commit that did not happen"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.read("BUILD_NUMBER"), "41\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "A  src/big.rs\n");
    let out = repo.commit("feat: good message");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 42);
    // Rejected again, then an unrelated small commit: it does not carry the increment.
    repo.write("src/big2.rs", &lines(20, "r"));
    repo.git(&["add", "."]);
    assert!(!repo.commit("Bad message").status.success());
    repo.git(&["reset", "-q", "src/big2.rs"]);
    repo.write("src/tiny.rs", "t\n");
    repo.git(&["add", "src/tiny.rs"]);
    let out = repo.commit("fix: tiny");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 42);
}

#[test]
fn an_aborted_commit_is_not_counted_by_the_next_one() {
    let repo = versioned();
    repo.write("src/big.rs", &lines(20, "e"));
    repo.git(&["add", "."]);
    // The editor fails: git stops after pre-commit, and no later hook runs.
    let out = repo.git_with(&[("GIT_EDITOR", "false")], &["commit", "-q"]);
    assert!(!out.status.success());
    // An unrelated small commit does not carry that increment...
    repo.git(&["reset", "-q", "src/big.rs"]);
    repo.write("src/tiny.rs", "t\n");
    repo.git(&["add", "src/tiny.rs"]);
    let out = repo.commit("fix: tiny");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 41);
    // ...and an empty message (git aborts it), then a retry: one increment.
    repo.git(&["add", "src/big.rs"]);
    let out = repo.git_output(&["commit", "-q", "-m", ""]);
    assert!(!out.status.success());
    let out = repo.git_with(&[("GIT_EDITOR", "false")], &["commit", "-q"]);
    assert!(!out.status.success());
    let out = repo.commit("feat: big");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 42);
}

#[test]
fn an_intent_to_add_build_number_says_what_it_is() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.git(&["add", "VERSION"]);
    repo.commit_file("src/lib.rs", "fn a() {}\n", "chore: start");
    repo.install();
    repo.write("BUILD_NUMBER", "7\n");
    repo.git(&["add", "-N", "BUILD_NUMBER"]);
    repo.write("src/big.rs", &lines(20, "i"));
    repo.git(&["add", "src/big.rs"]);
    let out = repo.commit("feat: big");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "BUILD_NUMBER is only intent-to-add (git add -N): not incremented; `git add BUILD_NUMBER` to commit it"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.read("BUILD_NUMBER"), "7\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), " A BUILD_NUMBER\n");
}

#[test]
fn an_aborted_commit_then_a_small_partial_commit_leaves_the_real_index_in_line() {
    let repo = with_a_tracked_change(1);
    repo.write("src/big.rs", &lines(20, "e"));
    repo.git(&["add", "src/big.rs"]);
    // The increment lands in the real index, then the editor fails: no later hook runs.
    assert!(
        !repo
            .git_with(&[("GIT_EDITOR", "false")], &["commit", "-q"])
            .status
            .success()
    );
    // A partial commit cannot write the real index from its hook; post-commit puts it back.
    let out = repo.git_output(&["commit", "-q", "-m", "fix: tiny", "src/x.rs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_agrees(&repo, 41);
    assert_eq!(repo.git(&["status", "--porcelain"]), "A  src/big.rs\n");
}
