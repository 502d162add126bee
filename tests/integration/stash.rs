//! Unstaged work set aside while the pre-commit checks run comes back byte for byte, once, to
//! the worktree that set it aside; what fixers commit passes every check.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// A check that passes whatever the files hold.
const PASS: &str = "[[check]]\nname = \"pass\"\nrun = \"true\"\npass_filenames = false\n";

/// A check that fails on `BAD` in a .txt file; its fixer makes it `good`.
const NO_BAD: &str = r#"
[[check]]
name = "no-bad"
run = "sh -c 'if grep -l BAD -- \"$@\"; then exit 1; fi' sh {files}"
fix = "sed -i s/BAD/good/g {files}"
files = ["*.txt"]
"#;

fn bytes(repo: &TestRepo, rel: &str) -> Vec<u8> {
    std::fs::read(repo.child(rel)).unwrap()
}

fn put(repo: &TestRepo, rel: &str, content: &[u8]) {
    std::fs::write(repo.child(rel), content).unwrap();
}

fn commit_ok(repo: &TestRepo) -> String {
    let out = repo.commit("feat: x");
    assert!(out.status.success(), "{}", stderr(&out));
    stderr(&out)
}

/// The set-aside folders left in a git dir.
fn left_in(git_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(git_dir.join("mpm-hooks/stash"))
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn line_endings_and_lone_crs_come_back_byte_for_byte() {
    for (setup, attributes) in [
        ("core.autocrlf", None),
        ("eol attribute", Some("*.txt eol=crlf\n")),
        ("text=auto", Some("* text=auto\n")),
    ] {
        let repo = repo(PASS);
        if setup == "core.autocrlf" {
            repo.git(&["config", "core.autocrlf", "true"]);
        }
        if let Some(a) = attributes {
            repo.commit_file(".gitattributes", a, "chore: attributes");
        }
        put(&repo, "a.txt", b"one\r\ntwo\r\nthree\r\n");
        repo.git(&["add", "a.txt"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "chore: a"]);
        put(&repo, "a.txt", b"one\r\ntwo, staged\r\nthree\r\n");
        repo.git(&["add", "a.txt"]);
        let mine: &[u8] = b"one\r\ntwo, staged\r\nthree\r\nfour, mine\nfive\rsix\r\n";
        put(&repo, "a.txt", mine);
        commit_ok(&repo);
        assert_eq!(bytes(&repo, "a.txt"), mine, "{setup}");
        assert!(left_in(&repo.child(".git")).is_empty(), "{setup}");
    }
}

#[test]
fn a_binary_file_comes_back_byte_for_byte() {
    // The check sees the staged bytes, not the unstaged ones.
    let repo =
        repo("[[check]]\nname = \"staged\"\nrun = \"sh -c '! grep -q more blob.bin'\"\npass_filenames = false\n");
    put(&repo, "blob.bin", b"\x00\x01\x02staged\xff\r\n");
    repo.git(&["add", "blob.bin"]);
    let mine: &[u8] = b"\x00\x01\x02staged\xff\r\nmore\x00\xfe";
    put(&repo, "blob.bin", mine);
    commit_ok(&repo);
    assert_eq!(bytes(&repo, "blob.bin"), mine);
    assert_eq!(repo.git(&["status", "--porcelain"]), " M blob.bin\n");
}

#[cfg(unix)]
#[test]
fn a_staged_symlink_with_an_unstaged_change_comes_back() {
    let repo = repo(PASS);
    std::os::unix::fs::symlink("target-a", repo.child("link")).unwrap();
    repo.git(&["add", "link"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: link"]);
    std::fs::remove_file(repo.child("link")).unwrap();
    std::os::unix::fs::symlink("target-b", repo.child("link")).unwrap();
    repo.git(&["add", "link"]);
    std::fs::remove_file(repo.child("link")).unwrap();
    std::os::unix::fs::symlink("target-c", repo.child("link")).unwrap();
    commit_ok(&repo);
    assert_eq!(repo.git(&["show", "HEAD:link"]), "target-b");
    assert_eq!(std::fs::read_link(repo.child("link")).unwrap(), Path::new("target-c"));
    assert!(left_in(&repo.child(".git")).is_empty());
    // Nothing is left to trip the next command.
    let out = repo.cmd().args(["config", "check"]).output().unwrap();
    assert!(!stderr(&out).contains("unstaged"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn an_unstaged_mode_change_comes_back() {
    // The check sees the mode being committed.
    let repo = repo("[[check]]\nname = \"mode\"\nrun = \"sh -c 'test ! -x run.sh'\"\npass_filenames = false\n");
    repo.commit_file("run.sh", "echo 1\n", "chore: script");
    repo.write("run.sh", "echo 2\n");
    repo.git(&["add", "run.sh"]);
    std::process::Command::new("chmod")
        .args(["755", repo.child("run.sh").to_str().unwrap()])
        .status()
        .unwrap();
    commit_ok(&repo);
    assert!(repo.git(&["ls-tree", "HEAD", "run.sh"]).starts_with("100644"));
    assert_eq!(mode(&repo.child("run.sh")), 0o755);
    assert_eq!(repo.read("run.sh"), "echo 2\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), " M run.sh\n");
}

/// An owner-only file with unstaged changes stays owner-only (git's checkout would widen it).
#[cfg(unix)]
#[test]
fn an_owner_only_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo(PASS);
    repo.commit_file("secret.txt", "one\n", "chore: s");
    repo.write("secret.txt", "two\n");
    repo.git(&["add", "secret.txt"]);
    repo.write("secret.txt", "two\nthree, mine\n");
    std::fs::set_permissions(repo.child("secret.txt"), std::fs::Permissions::from_mode(0o600)).unwrap();
    commit_ok(&repo);
    assert_eq!(repo.read("secret.txt"), "two\nthree, mine\n");
    assert_eq!(mode(&repo.child("secret.txt")), 0o600);
}

#[test]
fn an_unstaged_deletion_comes_back() {
    // The check sees the file being committed.
    let repo = repo("[[check]]\nname = \"there\"\nrun = \"sh -c 'grep -q two a.txt'\"\npass_filenames = false\n");
    repo.commit_file("a.txt", "one\n", "chore: a");
    repo.write("a.txt", "two\n");
    repo.git(&["add", "a.txt"]);
    std::fs::remove_file(repo.child("a.txt")).unwrap();
    commit_ok(&repo);
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "two\n");
    assert!(!repo.child("a.txt").exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), " D a.txt\n");
}

#[test]
fn an_intent_to_add_file_stays_as_it_was() {
    let repo = repo(PASS);
    repo.commit_file("a.txt", "one\n", "chore: a");
    repo.write("a.txt", "two\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "two\nthree, mine\n");
    repo.write("new.txt", "not yet\n");
    repo.git(&["add", "-N", "new.txt"]);
    commit_ok(&repo);
    assert_eq!(repo.read("new.txt"), "not yet\n");
    assert_eq!(repo.read("a.txt"), "two\nthree, mine\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), " M a.txt\n A new.txt\n");
    assert!(left_in(&repo.child(".git")).is_empty());
}

#[test]
fn a_staged_submodule_with_an_unstaged_change_comes_back() {
    let sub = TestRepo::new();
    sub.commit_file("s.txt", "1\n", "chore: one");
    let repo = repo(PASS);
    let sub_path = sub.path().to_str().unwrap().to_string();
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        &sub_path,
        "sub",
    ]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: submodule"]);
    let in_sub = |args: &[&str]| {
        let mut all = vec!["-C", "sub"];
        all.extend_from_slice(args);
        repo.git(&all)
    };
    std::fs::write(repo.child("sub/s.txt"), "2\n").unwrap();
    in_sub(&["commit", "-q", "-am", "chore: two"]);
    let staged = in_sub(&["rev-parse", "HEAD"]);
    repo.git(&["add", "sub"]);
    std::fs::write(repo.child("sub/s.txt"), "3\n").unwrap();
    in_sub(&["commit", "-q", "-am", "chore: three"]);
    let checked_out = in_sub(&["rev-parse", "HEAD"]);
    commit_ok(&repo);
    let committed = repo.git(&["rev-parse", "HEAD:sub"]);
    assert_eq!(committed, staged);
    assert_eq!(in_sub(&["rev-parse", "HEAD"]), checked_out);
    assert!(left_in(&repo.child(".git")).is_empty());
    let out = repo.cmd().args(["config", "check"]).output().unwrap();
    assert!(!stderr(&out).contains("unstaged"), "{}", stderr(&out));
}

/// A fixer that changes the line next to an unstaged edit: its change is rolled back, the
/// unstaged edit is back exactly, the index is as it was, and the commit stops naming the file.
#[test]
fn a_fixer_next_to_unstaged_edits_is_rolled_back_and_the_edits_stay() {
    let repo = repo(NO_BAD);
    repo.write("a.txt", "BAD\nline 2\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "BAD\nline 2, mine\n");
    let out = repo.commit("feat: a");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("next to your unstaged changes in a.txt"), "{err}");
    assert!(!err.contains("git apply"), "{err}");
    assert_eq!(repo.read("a.txt"), "BAD\nline 2, mine\n");
    assert_eq!(repo.git(&["show", ":a.txt"]), "BAD\nline 2\n");
    assert_eq!(repo.count(), 1);
    assert!(left_in(&repo.child(".git")).is_empty());
}

/// A fixer that changes lines away from the unstaged edits: both end up in the work tree, the
/// fix alone in the commit.
#[test]
fn a_fixer_away_from_unstaged_edits_merges_with_them() {
    let repo = repo(NO_BAD);
    repo.write("a.txt", "BAD\n2\n3\n4\n5\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "BAD\n2\n3\n4\n5, mine\r\n");
    let err = commit_ok(&repo);
    assert!(
        err.contains("the fixers changed (and staged) edits you did not make in: a.txt"),
        "{err}"
    );
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "good\n2\n3\n4\n5\n");
    assert_eq!(repo.read("a.txt"), "good\n2\n3\n4\n5, mine\r\n");
}

/// `sorted` wants sorted lines, `lower` lower-case ones; lower-casing can unsort. What is
/// committed must pass both.
const SORTED_AND_LOWER: &str = r#"
[[check]]
name = "sorted"
run = "sh -c 'for f; do LC_ALL=C sort -c \"$f\" || exit 1; done' sh {files}"
fix = "sh -c 'for f; do LC_ALL=C sort -o \"$f\" \"$f\"; done' sh {files}"
files = ["*.txt"]

[[check]]
name = "lower"
run = "sh -c 'if grep -l \"[A-Z]\" -- \"$@\"; then exit 1; fi' sh {files}"
fix = "sed -i s/B/b/g {files}"
files = ["*.txt"]
"#;

#[test]
fn what_the_fixers_commit_passes_every_check() {
    let repo = repo(SORTED_AND_LOWER);
    repo.write("a.txt", "B\na\n");
    repo.git(&["add", "a.txt"]);
    commit_ok(&repo);
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "a\nb\n");
    repo.cmd().arg("check").assert().success();
}

/// Two fixers that undo each other: the commit stops after a few rounds and names the file.
#[test]
fn fixers_that_undo_each_other_stop_the_commit() {
    let repo = repo(
        r#"
[[check]]
name = "no-x"
run = "sh -c 'if grep -l X -- \"$@\"; then exit 1; fi' sh {files}"
fix = "sed -i s/X/Y/g {files}"
files = ["*.txt"]

[[check]]
name = "no-y"
run = "sh -c 'if grep -l Y -- \"$@\"; then exit 1; fi' sh {files}"
fix = "sed -i s/Y/X/g {files}"
files = ["*.txt"]
"#,
    );
    repo.write("a.txt", "a X b\n");
    repo.git(&["add", "a.txt"]);
    let out = repo.commit("feat: fight");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the fixers still change a.txt"), "{err}");
    assert_eq!(repo.count(), 1);
}

#[test]
fn split_and_sparse_indexes_work() {
    let repo = repo(PASS);
    repo.commit_file("src/a.txt", "one\n", "chore: a");
    repo.commit_file("other/b.txt", "b\n", "chore: b");
    repo.git(&["update-index", "--split-index"]);
    repo.write("src/a.txt", "two\n");
    repo.git(&["add", "src/a.txt"]);
    repo.write("src/a.txt", "two\nthree, mine\n");
    commit_ok(&repo);
    assert_eq!(repo.read("src/a.txt"), "two\nthree, mine\n");

    repo.git(&["update-index", "--no-split-index"]);
    repo.git(&["sparse-checkout", "set", "--cone", "--sparse-index", "src"]);
    repo.write("src/a.txt", "four\n");
    repo.git(&["add", "src/a.txt"]);
    repo.write("src/a.txt", "four\nfive, mine\n");
    commit_ok(&repo);
    assert_eq!(repo.git(&["show", "HEAD:src/a.txt"]), "four\n");
    assert_eq!(repo.read("src/a.txt"), "four\nfive, mine\n");
}

#[cfg(unix)]
fn wait_for(path: &Path) -> String {
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

/// A check that writes the hook's pid to `pid_file` and then hangs.
#[cfg(unix)]
fn hang(pid_file: &Path) -> String {
    format!(
        "[[check]]\nname = \"hang\"\nrun = \"sh -c 'echo $PPID > {}; sleep 30'\"\npass_filenames = false\n",
        pid_file.display()
    )
}

/// Starts `git commit` in `dir` and kills the hook with `signal` once its checks run.
#[cfg(unix)]
fn commit_and_kill(repo: &TestRepo, dir: &Path, pid_file: &Path, signal: &str) {
    let _ = std::fs::remove_file(pid_file);
    let mut commit = repo
        .command("git")
        .args(["commit", "-q", "-m", "feat: x"])
        .current_dir(dir)
        .spawn()
        .unwrap();
    let pid = wait_for(pid_file);
    std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    let _ = commit.wait();
}

#[cfg(unix)]
#[test]
fn set_aside_work_is_owner_only() {
    let tmp = assert_fs::TempDir::new().unwrap();
    let pid_file = tmp.path().join("hook.pid");
    let repo = repo(&hang(&pid_file));
    repo.write("a.txt", "staged\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "staged\nmine\n");
    let mut commit = repo
        .command("git")
        .args(["commit", "-q", "-m", "feat: x"])
        .spawn()
        .unwrap();
    let pid = wait_for(&pid_file);
    let root = repo.child(".git/mpm-hooks/stash");
    assert_eq!(mode(&root), 0o700);
    let dirs = left_in(&repo.child(".git"));
    assert_eq!(dirs.len(), 1);
    assert_eq!(mode(&dirs[0]), 0o700);
    for f in std::fs::read_dir(&dirs[0]).unwrap().flatten() {
        assert_eq!(mode(&f.path()), 0o600, "{}", f.path().display());
    }
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let _ = commit.wait();
    assert_eq!(repo.read("a.txt"), "staged\nmine\n");
}

/// Killed in worktree A: a run in worktree B leaves A's work alone; A's next run puts it back.
#[cfg(unix)]
#[test]
fn set_aside_work_goes_back_only_to_its_own_worktree() {
    let tmp = assert_fs::TempDir::new().unwrap();
    let pid_file = tmp.path().join("hook.pid");
    let repo = repo(&hang(&pid_file));
    repo.commit_file("a.txt", "base\n", "chore: a");
    let a = tmp.path().join("a");
    repo.git(&["worktree", "add", "-q", "-b", "wt-a", a.to_str().unwrap()]);
    std::fs::write(a.join("a.txt"), "staged\n").unwrap();
    repo.git(&["-C", a.to_str().unwrap(), "add", "a.txt"]);
    std::fs::write(a.join("a.txt"), "staged\nA's work\n").unwrap();
    commit_and_kill(&repo, &a, &pid_file, "-KILL");
    assert_eq!(std::fs::read_to_string(a.join("a.txt")).unwrap(), "staged\n");
    // Worktree B (the main one) holds what A's set-aside patch would apply to.
    repo.write("a.txt", "staged\n");
    let out = repo.cmd().args(["config", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.read("a.txt"), "staged\n", "B's file untouched");
    assert_eq!(std::fs::read_to_string(a.join("a.txt")).unwrap(), "staged\n");
    let out = repo.cmd().args(["config", "check"]).current_dir(&a).output().unwrap();
    assert!(
        stderr(&out).contains("restored the unstaged changes an interrupted mpm-hooks run had set aside"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(a.join("a.txt")).unwrap(), "staged\nA's work\n");
}

/// The work is already back in the file (put back by hand): it is not applied a second time.
#[cfg(unix)]
#[test]
fn set_aside_work_is_never_restored_twice() {
    let tmp = assert_fs::TempDir::new().unwrap();
    let pid_file = tmp.path().join("hook.pid");
    let repo = repo(&hang(&pid_file));
    repo.write("a.txt", "staged\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "staged\nmine\n");
    commit_and_kill(&repo, repo.path(), &pid_file, "-KILL");
    assert_eq!(repo.read("a.txt"), "staged\n");
    repo.write("a.txt", "staged\nmine\n");
    repo.cmd().args(["config", "check"]).assert().success();
    assert_eq!(repo.read("a.txt"), "staged\nmine\n");
    assert!(left_in(&repo.child(".git")).is_empty());
}

/// The file changed after the kill: the work is kept, reported once, and `mpm-hooks restore`
/// merges it back.
#[cfg(unix)]
#[test]
fn work_that_cannot_go_back_is_kept_reported_once_and_restored_on_request() {
    let tmp = assert_fs::TempDir::new().unwrap();
    let pid_file = tmp.path().join("hook.pid");
    let repo = repo(&hang(&pid_file));
    repo.write("a.txt", "1\n2\n3\n4\n5\n6\n7\n8\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9, mine\n");
    commit_and_kill(&repo, repo.path(), &pid_file, "-KILL");
    repo.write("a.txt", "1, edited since\n2\n3\n4\n5\n6\n7\n8\n");
    let out = repo.cmd().args(["config", "check"]).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("could not go back (a.txt changed since)"), "{err}");
    assert!(err.contains("run `mpm-hooks restore`"), "{err}");
    let out = repo.cmd().args(["config", "check"]).output().unwrap();
    assert!(!stderr(&out).contains("could not go back"), "{}", stderr(&out));
    let out = repo.cmd().args(["restore", "--list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("kept-unstaged-changes-"));
    assert_eq!(repo.read("a.txt"), "1, edited since\n2\n3\n4\n5\n6\n7\n8\n");
    repo.cmd().arg("restore").assert().success();
    assert_eq!(repo.read("a.txt"), "1, edited since\n2\n3\n4\n5\n6\n7\n8\n9, mine\n");
    let out = repo.cmd().args(["restore", "--list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no unstaged changes are kept"));
}

/// `git commit PATH` and `git commit -a` (git's temporary index): the checks see what is being
/// committed, and everything else comes back as it was, staged or not.
#[test]
fn partial_and_all_commits_keep_the_rest_as_it_was() {
    // The check: the work tree is exactly what is being committed.
    let repo = repo("[[check]]\nname = \"exact\"\nrun = \"git diff --quiet\"\npass_filenames = false\n");
    repo.commit_file("a.txt", "a\n", "chore: a");
    repo.commit_file("b.txt", "b\n", "chore: b");
    repo.write("a.txt", "a, staged\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "a, staged\na, unstaged\n");
    repo.write("b.txt", "b, committed by path\n");
    let out = repo.git_output(&["commit", "-q", "-m", "feat: b", "b.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:b.txt"]), "b, committed by path\n");
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "a\n");
    assert_eq!(repo.git(&["show", ":a.txt"]), "a, staged\n");
    assert_eq!(repo.read("a.txt"), "a, staged\na, unstaged\n");
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "feat: all"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:a.txt"]), "a, staged\na, unstaged\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(left_in(&repo.child(".git")).is_empty());
}

/// Kept work that overlaps what the file holds now: `mpm-hooks restore` leaves the file alone,
/// says where the whole saved version is, and keeps it.
#[cfg(unix)]
#[test]
fn restore_never_overwrites_edits_it_cannot_merge() {
    let tmp = assert_fs::TempDir::new().unwrap();
    let pid_file = tmp.path().join("hook.pid");
    let repo = repo(&hang(&pid_file));
    repo.write("a.txt", "1\n");
    repo.git(&["add", "a.txt"]);
    repo.write("a.txt", "1\n2, mine\n");
    commit_and_kill(&repo, repo.path(), &pid_file, "-KILL");
    repo.write("a.txt", "1\n2, typed again differently\n");
    let out = repo.cmd().args(["config", "check"]).output().unwrap();
    assert!(stderr(&out).contains("could not go back"), "{}", stderr(&out));
    let out = repo.cmd().arg("restore").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("a.txt: your changes overlap what it holds now"),
        "{stdout}"
    );
    assert_eq!(repo.read("a.txt"), "1\n2, typed again differently\n");
    let saved = stdout
        .split("your whole version is ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert_eq!(std::fs::read_to_string(saved).unwrap(), "1\n2, mine\n");
    let out = repo.cmd().args(["restore", "--list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("a.txt"));
}
