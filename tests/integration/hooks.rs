//! The hook binary installed in real repositories, driven by real `git commit`s.

use predicates::str::contains;

use crate::common::{TestRepo, stderr};

fn repo_with_a_commit() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "a\n", "chore: start");
    repo
}

#[test]
fn install_makes_git_run_both_stages() {
    let repo = repo_with_a_commit();
    let out = repo.install();
    assert!(out.contains("pre-commit: installed"), "{out}");
    assert!(out.contains("commit-msg: installed"), "{out}");
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    let bad = repo.commit("Add b.");
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(err.contains("type-empty"), "{err}");
    assert!(err.contains("mpm-hooks pre-commit: "), "{err}");
    assert_eq!(repo.count(), 1);
    let good = repo.commit("feat: add b");
    assert!(good.status.success(), "{}", stderr(&good));
    assert_eq!(repo.count(), 2);
}

#[test]
fn hooks_folder_is_where_git_looks() {
    let repo = repo_with_a_commit();
    let out = repo.install();
    let git_path = repo.git(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"]);
    assert!(
        out.contains(&format!("hooks folder: {}", git_path.trim())),
        "{out} vs {git_path}"
    );
    // With a relative core.hooksPath too.
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    let out = repo.install();
    let git_path = repo.git(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"]);
    assert!(
        out.contains(&format!("hooks folder: {}", git_path.trim())),
        "{out} vs {git_path}"
    );
    assert!(repo.child(".githooks/commit-msg").exists());
    assert!(!repo.commit("bad message").status.success());
}

#[test]
fn installing_twice_changes_nothing() {
    let repo = repo_with_a_commit();
    repo.install();
    let before = std::fs::read(repo.child(".git/hooks/mpm-hooks")).unwrap();
    let config = repo.read(".git/config");
    let out = repo.install();
    assert_eq!(
        out.lines().skip(1).collect::<Vec<_>>(),
        [
            "mpm-hooks: unchanged",
            "pre-commit: unchanged",
            "prepare-commit-msg: unchanged",
            "commit-msg: unchanged",
            "post-commit: linked by the first partial commit that needs it",
            "pre-push: unchanged",
            "BUILD_NUMBER merge driver: unchanged"
        ]
    );
    assert_eq!(std::fs::read(repo.child(".git/hooks/mpm-hooks")).unwrap(), before);
    assert_eq!(repo.read(".git/config"), config);
}

#[test]
fn reinstall_from_a_newer_binary_upgrades_in_place() {
    let repo = repo_with_a_commit();
    repo.install();
    std::fs::write(repo.child(".git/hooks/mpm-hooks"), "#!/bin/sh\nexit 0\n").unwrap();
    repo.cmd()
        .arg("install")
        .assert()
        .success()
        .stdout(contains("mpm-hooks: upgraded"));
    assert!(!repo.commit("bad message").status.success());
}

#[cfg(unix)]
fn write_hook(repo: &TestRepo, rel: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    repo.write(rel, script);
    std::fs::set_permissions(repo.child(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_users_hook_is_kept_run_first_and_restored() {
    let repo = repo_with_a_commit();
    let script = "#!/bin/sh\necho \"legacy $# $1\" >> legacy.log\n[ -f block ] && exit 3\nexit 0\n";
    write_hook(&repo, ".git/hooks/commit-msg", script);
    let out = repo.install();
    assert!(out.contains("commit-msg: installed; your hook is kept as"), "{out}");
    assert_eq!(repo.read(".git/hooks/commit-msg.legacy"), script);

    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    assert!(repo.commit("feat: add b").status.success());
    assert_eq!(repo.read("legacy.log"), "legacy 1 .git/COMMIT_EDITMSG\n");

    // Its failure fails the stage, even with a valid message.
    repo.write("block", "");
    repo.write("c.txt", "c\n");
    repo.git(&["add", "c.txt"]);
    let out = repo.commit("feat: add c");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("your own hook"), "{}", stderr(&out));

    repo.cmd()
        .arg("uninstall")
        .assert()
        .success()
        .stdout(contains("commit-msg: removed; your hook is back"));
    assert_eq!(repo.read(".git/hooks/commit-msg"), script);
    assert!(!repo.child(".git/hooks/mpm-hooks").exists());
    assert!(!repo.child(".git/hooks/pre-commit").exists());
    assert!(!repo.read(".git/config").contains("mpm-hooks"));
}

#[cfg(unix)]
#[test]
fn an_existing_legacy_file_is_never_overwritten() {
    let repo = repo_with_a_commit();
    write_hook(
        &repo,
        ".git/hooks/pre-commit.legacy",
        "#!/bin/sh\necho one >> order.log\n",
    );
    write_hook(&repo, ".git/hooks/pre-commit", "#!/bin/sh\necho two >> order.log\n");
    let out = repo.install();
    assert!(out.contains("both are kept and run"), "{out}");
    assert_eq!(
        repo.read(".git/hooks/pre-commit.legacy"),
        "#!/bin/sh\necho one >> order.log\n"
    );
    assert_eq!(
        repo.read(".git/hooks/pre-commit.legacy.2"),
        "#!/bin/sh\necho two >> order.log\n"
    );
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    assert!(repo.commit("feat: add b").status.success());
    assert_eq!(repo.read("order.log"), "one\ntwo\n");
}

#[cfg(unix)]
#[test]
fn force_replaces_a_users_hook() {
    let repo = repo_with_a_commit();
    write_hook(&repo, ".git/hooks/pre-commit", "#!/bin/sh\nexit 1\n");
    repo.cmd()
        .args(["install", "--force"])
        .assert()
        .success()
        .stdout(contains("replaced the hook that was there"));
    assert!(!repo.child(".git/hooks/pre-commit.legacy").exists());
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    assert!(repo.commit("feat: add b").status.success());
}

#[cfg(unix)]
#[test]
fn a_hook_that_calls_back_into_mpm_hooks_does_not_recurse() {
    let repo = repo_with_a_commit();
    let bin = crate::common::bin();
    write_hook(
        &repo,
        ".git/hooks/commit-msg",
        &format!(
            "#!/bin/sh\necho ran >> shim.log\nexec '{}' run commit-msg \"$@\"\n",
            bin.display()
        ),
    );
    repo.install();
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    assert!(!repo.commit("bad").status.success());
    assert!(repo.commit("feat: add b").status.success());
    assert_eq!(repo.read("shim.log"), "ran\nran\n");
}

#[test]
fn hooks_outside_the_repository_need_force() {
    let repo = repo_with_a_commit();
    let global = assert_fs::TempDir::new().unwrap();
    repo.git(&["config", "core.hooksPath", &global.path().display().to_string()]);
    repo.cmd()
        .arg("install")
        .assert()
        .code(2)
        .stderr(contains("is outside the repository"))
        .stderr(contains("every repository that uses that folder"));
    assert!(!global.path().join("pre-commit").exists());
    repo.cmd().args(["install", "--force"]).assert().success();
    assert!(global.path().join("pre-commit").exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_hooks_folder_is_followed() {
    let repo = repo_with_a_commit();
    let real = repo.child("real-hooks");
    std::fs::create_dir(&real).unwrap();
    std::fs::remove_dir_all(repo.child(".git/hooks")).unwrap();
    std::os::unix::fs::symlink(&real, repo.child(".git/hooks")).unwrap();
    repo.install();
    assert!(real.join("commit-msg").exists());
    assert!(
        !repo
            .git_output(&["commit", "-q", "--allow-empty", "-m", "bad"])
            .status
            .success()
    );
    assert!(
        repo.git_output(&["commit", "-q", "--allow-empty", "-m", "fix: ok"])
            .status
            .success()
    );
}

#[cfg(unix)]
#[test]
fn hooks_survive_deleting_the_installer_and_moving_the_clone() {
    let repo = repo_with_a_commit();
    let tmp = assert_fs::TempDir::new().unwrap();
    let copy = tmp.path().join("mpm-hooks-copy");
    std::fs::copy(crate::common::bin(), &copy).unwrap();
    let out = repo.command(&copy).arg("install").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_file(&copy).unwrap();
    let moved = tmp.path().join("moved");
    std::fs::rename(repo.path(), &moved).unwrap();
    let out = repo
        .command("git")
        .args(["commit", "-q", "--allow-empty", "-m", "Bad message"])
        .current_dir(&moved)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("type-empty"), "{}", stderr(&out));
    // Put it back so TempDir can clean up.
    std::fs::rename(&moved, repo.path()).unwrap();
}

#[test]
fn a_failed_install_leaves_the_hooks_folder_as_it_was() {
    let repo = repo_with_a_commit();
    // commit-msg is a folder with content: replacing it fails after the binary and pre-commit.
    std::fs::create_dir_all(repo.child(".git/hooks/commit-msg/inner")).unwrap();
    let before: Vec<_> = list(&repo.child(".git/hooks"));
    let out = repo.cmd().arg("install").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("commit-msg"), "{}", stderr(&out));
    assert_eq!(list(&repo.child(".git/hooks")), before);
    assert!(!repo.read(".git/config").contains("mpm-hooks"));
}

#[test]
fn a_hooks_folder_that_cannot_be_made_is_a_clear_error() {
    let repo = repo_with_a_commit();
    repo.write("not-a-dir", "x");
    repo.git(&["config", "core.hooksPath", "not-a-dir/hooks"]);
    repo.cmd()
        .arg("install")
        .assert()
        .code(2)
        .stderr(contains("cannot write"));
}

fn list(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn outside_a_repository_and_in_a_bare_one() {
    let dir = TestRepo::bare_dir();
    dir.cmd()
        .arg("install")
        .assert()
        .code(2)
        .stderr(contains("not inside a git repository"));
    dir.git(&["init", "-q", "--bare"]);
    dir.cmd()
        .arg("install")
        .assert()
        .code(2)
        .stderr(contains("bare repository"));
}

#[test]
fn skip_switches() {
    let repo = repo_with_a_commit();
    repo.install();
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    let out = repo.git_with(&[("MPM_HOOKS", "0")], &["commit", "-q", "-m", "bad one"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("skipped"), "{}", stderr(&out));
    repo.write("c.txt", "c\n");
    repo.git(&["add", "c.txt"]);
    let out = repo.git_with(&[("SKIP", "commit-msg")], &["commit", "-q", "-m", "bad two"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("(SKIP=commit-msg)"), "{}", stderr(&out));
    repo.write("d.txt", "d\n");
    repo.git(&["add", "d.txt"]);
    assert!(
        repo.git_output(&["commit", "-q", "--no-verify", "-m", "bad three"])
            .status
            .success()
    );
    assert_eq!(repo.count(), 4);
}

#[test]
fn run_checks_the_argument_count() {
    let repo = repo_with_a_commit();
    repo.cmd()
        .args(["run", "commit-msg"])
        .assert()
        .code(2)
        .stderr(contains("the commit-msg hook takes 1 argument(s) from git, got 0"));
    repo.write("msg", "fix: x\n");
    repo.cmd().args(["run", "commit-msg", "msg"]).assert().success();
}

#[test]
fn doctor_reports_each_check() {
    let repo = repo_with_a_commit();
    repo.cmd()
        .arg("doctor")
        .assert()
        .code(1)
        .stdout(contains("FAIL  pre-commit"));
    repo.install();
    repo.cmd()
        .arg("doctor")
        .assert()
        .success()
        .stdout(contains("ok    pre-commit         installed"))
        .stdout(contains("info  version            no VERSION"));
    repo.write("VERSION", "1.0.0\n");
    repo.write("package.json", "{\"version\": \"0.9.0\"}");
    repo.cmd()
        .arg("doctor")
        .assert()
        .code(1)
        .stdout(contains("FAIL  version"));
    let out = repo.cmd().args(["doctor", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    std::fs::write(
        repo.child(".git/hooks/mpm-hooks"),
        "#!/bin/sh\necho 'mpm-hooks 0.0.1+build.1'\n",
    )
    .unwrap();
    repo.write("package.json", "{\"version\": \"1.0.0\"}");
    // That stand-in binary does not merge BUILD_NUMBERs either: doctor runs the driver.
    repo.cmd()
        .arg("doctor")
        .assert()
        .code(1)
        .stdout(contains("warn  hook binary"))
        .stdout(contains("run mpm-hooks install to upgrade"))
        .stdout(contains("FAIL  merge driver"));
}

#[test]
fn a_linked_worktree_shares_the_hooks() {
    let repo = repo_with_a_commit();
    repo.install();
    let wt = assert_fs::TempDir::new().unwrap();
    let wt_path = wt.path().join("wt");
    repo.git(&["worktree", "add", "-q", &wt_path.display().to_string(), "-b", "side"]);
    let out = repo
        .command(crate::common::bin())
        .arg("install")
        .current_dir(&wt_path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("pre-commit: unchanged"));
    let commit = |msg: &str| {
        repo.command("git")
            .args(["commit", "-q", "--allow-empty", "-m", msg])
            .current_dir(&wt_path)
            .output()
            .unwrap()
    };
    assert!(!commit("Bad").status.success());
    assert!(commit("fix: in the worktree").status.success());
}

#[test]
fn a_submodule_gets_its_own_hooks() {
    let sub_src = repo_with_a_commit();
    let repo = repo_with_a_commit();
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        &sub_src.path().display().to_string(),
        "sub",
    ]);
    let sub = repo.child("sub");
    let run = |program: &dyn AsRef<std::ffi::OsStr>, args: &[&str]| {
        repo.command(program).args(args).current_dir(&sub).output().unwrap()
    };
    let out = run(&crate::common::bin(), &["install"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let git_path = run(&"git", &["rev-parse", "--path-format=absolute", "--git-path", "hooks"]);
    let git_path = String::from_utf8_lossy(&git_path.stdout).trim().to_string();
    assert!(git_path.contains("modules"), "{git_path}");
    assert!(stdout.contains(&format!("hooks folder: {git_path}")), "{stdout}");
    let bad = run(
        &"git",
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "Bad",
        ],
    );
    assert!(!bad.status.success());
    let good = run(
        &"git",
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "fix: sub",
        ],
    );
    assert!(good.status.success(), "{}", stderr(&good));
}

#[test]
fn first_commit_and_detached_head() {
    let repo = TestRepo::new();
    repo.install();
    repo.write("a.py", &"x = 1\n".repeat(20));
    repo.git(&["add", "a.py"]);
    assert!(!repo.commit("Initial commit").status.success());
    let out = repo.commit("chore: initial commit");
    assert!(out.status.success(), "{}", stderr(&out));
    repo.git(&["checkout", "-q", "--detach"]);
    repo.write("b.py", "y = 2\n");
    repo.git(&["add", "b.py"]);
    assert!(!repo.commit("detached").status.success());
    assert!(repo.commit("fix: detached").status.success());
}

#[test]
fn amend_runs_the_hooks() {
    let repo = repo_with_a_commit();
    repo.install();
    assert!(
        !repo
            .git_output(&["commit", "-q", "--amend", "-m", "Bad amend"])
            .status
            .success()
    );
    assert!(
        repo.git_output(&["commit", "-q", "--amend", "-m", "chore: good amend"])
            .status
            .success()
    );
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "chore: good amend");
}

/// During a merge: the merge message is accepted as it is, and BUILD_NUMBER stays.
#[test]
fn merge_in_progress() {
    let repo = TestRepo::new();
    repo.write("BUILD_NUMBER", "5\n");
    repo.git(&["add", "BUILD_NUMBER"]);
    repo.commit_file("f.txt", "base\n", "chore: base");
    repo.install();
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.commit_file("f.txt", "side\n", "fix: side");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("f.txt", "main\n", "fix: main");
    assert!(!repo.git_output(&["merge", "-q", "--no-edit", "side"]).status.success());
    assert!(repo.child(".git/MERGE_HEAD").exists());
    repo.write("f.txt", &"resolved\n".repeat(30));
    repo.git(&["add", "f.txt"]);
    let out = repo.git_output(&["commit", "-q", "--no-edit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("merge in progress"), "{}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "5\n");
}

#[test]
fn cherry_pick_and_revert_in_progress() {
    let repo = TestRepo::new();
    repo.write("BUILD_NUMBER", "5\n");
    repo.git(&["add", "BUILD_NUMBER"]);
    repo.commit_file("f.txt", "base\n", "chore: base");
    repo.install();
    repo.git(&["checkout", "-q", "-b", "side"]);
    let side = repo.commit_file("f.txt", "side\n", "fix: side");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("f.txt", "main\n", "fix: main");
    assert!(!repo.git_output(&["cherry-pick", side.as_str()]).status.success());
    repo.write("f.txt", &"resolved\n".repeat(30));
    repo.git(&["add", "f.txt"]);
    let out = repo.git_with(&[("GIT_EDITOR", "true")], &["cherry-pick", "--continue"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("cherry-pick in progress"), "{}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "5\n");

    assert!(!repo.git_output(&["revert", "--no-edit", &side]).status.success());
    assert!(repo.child(".git/REVERT_HEAD").exists());
    repo.write("f.txt", &"again\n".repeat(30));
    repo.git(&["add", "f.txt"]);
    let out = repo.git_with(&[("GIT_EDITOR", "true")], &["revert", "--continue"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("revert in progress"), "{}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "5\n");
}

#[test]
fn rebase_in_progress() {
    let repo = TestRepo::new();
    repo.write("BUILD_NUMBER", "5\n");
    repo.git(&["add", "BUILD_NUMBER"]);
    repo.commit_file("f.txt", "base\n", "chore: base");
    repo.commit_file("g.txt", "g\n", "chore: second");
    repo.install();
    let out = repo.git_with(
        &[("GIT_SEQUENCE_EDITOR", "sed -i -e 's/^pick/edit/'")],
        &["rebase", "-q", "-i", "HEAD~1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(repo.child(".git/rebase-merge").exists());
    repo.write("g.txt", &"changed\n".repeat(30));
    repo.git(&["add", "g.txt"]);
    assert!(
        !repo
            .git_output(&["commit", "-q", "--amend", "-m", "Bad"])
            .status
            .success()
    );
    let out = repo.git_output(&["commit", "-q", "--amend", "-m", "chore: second, edited"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("rebase in progress"), "{}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "5\n");
    repo.git(&["rebase", "--continue"]);
}

#[cfg(unix)]
#[test]
fn the_sh_shims_say_how_to_fix_a_missing_binary() {
    let repo = repo_with_a_commit();
    let shim = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/commit-msg");
    std::fs::copy(&shim, repo.child(".git/hooks/commit-msg")).unwrap();
    let out = repo.git_with(
        &[("PATH", "/usr/bin:/bin")],
        &["commit", "-q", "--allow-empty", "-m", "fix: x"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("./install.sh"), "{}", stderr(&out));
    let bin_dir = crate::common::bin().parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:/usr/bin:/bin");
    assert!(
        !repo
            .git_with(&[("PATH", &path)], &["commit", "-q", "--allow-empty", "-m", "Bad"])
            .status
            .success()
    );
    assert!(
        repo.git_with(&[("PATH", &path)], &["commit", "-q", "--allow-empty", "-m", "fix: x"])
            .status
            .success()
    );
}

/// A team's hooks folder committed in the work tree (`core.hooksPath = .husky`): install keeps
/// the 8 MB binary (and its links) out of `git add -A`, says so, and the hooks still run.
#[cfg(unix)]
#[test]
fn a_tracked_hooks_folder_does_not_offer_the_binary_to_git_add() {
    let repo = repo_with_a_commit();
    // A hook mpm-hooks does not install (pre-push it does, since it has a stage).
    write_hook(&repo, ".husky/pre-rebase", "#!/bin/sh\nexit 0\n");
    repo.git(&["add", ".husky/pre-rebase"]);
    repo.git(&["commit", "-q", "-m", "chore: team hooks"]);
    repo.git(&["config", "core.hooksPath", ".husky"]);
    let out = repo.install();
    assert!(repo.child(".husky/mpm-hooks").exists());
    repo.git(&["add", "-A"]);
    let status = repo.git(&["status", "--porcelain"]);
    assert_eq!(status, "", "install left files for git add -A");
    assert!(out.contains("git add"), "install does not say what it did:\n{out}");
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    let bad = repo.commit("Add b.");
    assert_eq!(bad.status.code(), Some(1), "the hooks did not run");
    assert!(repo.commit("feat: add b").status.success());
}

/// A team's committed hook in that folder (`.husky/pre-commit`) is not moved aside: install
/// refuses before writing anything and says how to call mpm-hooks from it; `--force` replaces.
#[test]
fn a_committed_team_hook_is_not_moved_aside() {
    let repo = repo_with_a_commit();
    write_hook(&repo, ".husky/pre-commit", "#!/bin/sh\nexit 0\n");
    repo.git(&["add", ".husky/pre-commit"]);
    repo.git(&["commit", "-q", "-m", "chore: team hooks"]);
    repo.git(&["config", "core.hooksPath", ".husky"]);
    let before = repo.snapshot();
    let out = repo.cmd().arg("install").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(".husky/pre-commit committed to this repository"), "{err}");
    assert!(err.contains("mpm-hooks run pre-commit \"$@\""), "{err}");
    assert_eq!(repo.snapshot(), before, "a refused install changed something");
    assert!(!repo.child(".husky/mpm-hooks").exists());
    // Asked for, it replaces the team's hook.
    repo.cmd().args(["install", "--force"]).assert().success();
    assert!(repo.child(".husky/mpm-hooks").exists());
}

/// A commit that passes every step prints one line, not one per step.
#[test]
fn a_passing_commit_prints_one_line() {
    let repo = repo_with_a_commit();
    repo.install();
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]);
    let out = repo.commit("feat: add b");
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one summary line per commit:\n{err}");
    assert!(lines[0].starts_with("mpm-hooks pre-commit: "), "{err}");
    // Nothing at all with -q.
    repo.write("c.txt", "c\n");
    repo.git(&["add", "c.txt"]);
    let out = repo.cmd().args(["-q", "run", "pre-commit"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    // The details, on demand.
    let out = repo.git_with(&[("MPM_HOOKS_VERBOSE", "1")], &["commit", "-q", "-m", "feat: add c"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for want in [
        "mpm-hooks pre-commit secrets ",
        "mpm-hooks pre-commit build-number ",
        "mpm-hooks commit-msg commit-msg ",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

/// The rows keep their columns with a kept hook's longer name; failure details stay indented
/// under their step; by hand, outside a commit, the stage does not claim a commit stopped.
#[cfg(unix)]
#[test]
fn the_report_keeps_its_columns_and_indents() {
    let repo = repo_with_a_commit();
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"two-lines\"\nrun = \"sh -c 'echo first; echo second; exit 1'\"\npass_filenames = false\n",
    );
    write_hook(&repo, ".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n");
    repo.install();
    repo.git(&["add", ".mpm-hooks.toml"]);
    let out = repo.commit("feat: checks");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let rows: Vec<&str> = err.lines().filter(|l| l.starts_with("mpm-hooks pre-commit ")).collect();
    assert!(rows.iter().any(|r| r.contains("pre-commit.legacy")), "{err}");
    let column = |row: &str| {
        let rest = &row["mpm-hooks pre-commit ".len()..];
        let name_end = rest.find(' ').unwrap();
        name_end + rest[name_end..].find(|c: char| c != ' ').unwrap()
    };
    let first = column(rows[0]);
    for row in &rows {
        assert_eq!(column(row), first, "columns differ:\n{err}");
    }
    // Every line of the failure's details is indented under `checks:`.
    let details: Vec<&str> = err
        .split("\nchecks:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no `checks:` section in:\n{err}"))
        .lines()
        .take_while(|l| !l.starts_with("the commit was stopped"))
        .filter(|l| !l.is_empty())
        .collect();
    assert!(details.iter().any(|l| l.trim() == "second"), "{err}");
    for l in &details {
        assert!(l.starts_with("    "), "not indented: {l:?} in:\n{err}");
    }
    assert!(err.contains("the commit was stopped"), "{err}");

    let out = repo
        .cmd()
        .args(["run", "pre-commit", "--only", "checks"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(!err.contains("the commit was stopped"), "{err}");
    assert!(err.contains("the checks failed"), "{err}");
}
