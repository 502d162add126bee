//! Repositories that are not one `.git` folder inside one work tree: separate git dirs, the
//! environment, `core.worktree`, a moved clone, concurrent writers, index formats, SHA-256.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TestRepo, bin, stderr};

fn lines(n: usize, word: &str) -> String {
    (0..n).map(|i| format!("{word} {i}\n")).collect()
}

/// A work tree and its git dir kept apart; `env` is what git commands need to find them.
struct Shape {
    repo: TestRepo,
    /// The work tree (a folder inside the test's temp folder).
    work: PathBuf,
    env: Vec<(String, PathBuf)>,
}

impl Shape {
    fn new(setup: impl FnOnce(&TestRepo, &Path) -> Vec<(String, PathBuf)>) -> Shape {
        let repo = TestRepo::bare_dir();
        let work = repo.child("work");
        let env = setup(&repo, repo.path());
        std::fs::create_dir_all(&work).unwrap();
        Shape { repo, work, env }
    }

    fn run(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Output {
        let mut cmd = self.repo.command(program);
        cmd.current_dir(&self.work);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.args(args).output().unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self.run("git", args);
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.work.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The starting commit (hooks bypassed), then install.
    fn start(&self) {
        self.write("VERSION", "1.0.0\n");
        self.write("BUILD_NUMBER", "41\n");
        self.write("src/lib.rs", "fn a() {}\n");
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);
        self.install();
    }

    fn install(&self) {
        let out = self.run(bin(), &["install"]);
        assert!(out.status.success(), "install: {}", stderr(&out));
    }

    /// A check that always fails stops the commit; once it passes, BUILD_NUMBER moves.
    fn gate_and_build_number_work(&self, name: &str) {
        self.write(
            ".mpm-hooks.toml",
            "[[check]]\nname = \"no\"\nrun = \"false\"\npass_filenames = false\n",
        );
        self.write("src/big.rs", &lines(12, "let x ="));
        self.git(&["add", "-A"]);
        let out = self.run("git", &["commit", "-q", "-m", "feat: big change"]);
        assert!(
            !out.status.success(),
            "{name}: the failing check did not stop the commit"
        );
        assert!(stderr(&out).contains("no"), "{name}: {}", stderr(&out));
        assert_eq!(self.git(&["rev-list", "--count", "HEAD"]).trim(), "1", "{name}");

        self.write(
            ".mpm-hooks.toml",
            "[[check]]\nname = \"yes\"\nrun = \"true\"\npass_filenames = false\n",
        );
        self.git(&["add", "-A"]);
        let out = self.run("git", &["commit", "-q", "-m", "feat: big change"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(self.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n", "{name}");
        assert_eq!(
            std::fs::read_to_string(self.work.join("BUILD_NUMBER")).unwrap(),
            "42\n",
            "{name}"
        );
        assert_eq!(self.git(&["status", "--porcelain"]), "", "{name}");
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn init_with_a_separate_git_dir_runs_the_checks_and_counts_builds() {
    let shape = Shape::new(|repo, top| {
        let out = repo
            .command("git")
            .args(["init", "-q", "-b", "main", "--separate-git-dir"])
            .args([top.join("gitdir"), top.join("work")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        Vec::new()
    });
    shape.start();
    shape.gate_and_build_number_work("init --separate-git-dir");
}

#[test]
fn clone_with_a_separate_git_dir_runs_the_checks_and_counts_builds() {
    let shape = Shape::new(|repo, top| {
        let src = top.join("src");
        std::fs::create_dir_all(&src).unwrap();
        let git = |dir: &Path, args: &[&str]| {
            let out = repo.command("git").current_dir(dir).args(args).output().unwrap();
            assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        };
        git(&src, &["init", "-q", "-b", "main"]);
        std::fs::write(src.join("VERSION"), "1.0.0\n").unwrap();
        std::fs::write(src.join("BUILD_NUMBER"), "41\n").unwrap();
        git(&src, &["add", "-A"]);
        git(&src, &["commit", "-q", "--no-verify", "-m", "chore: start"]);
        let (gitdir, work) = (top.join("gitdir"), top.join("work"));
        git(
            top,
            &[
                "clone",
                "-q",
                "--separate-git-dir",
                path_str(&gitdir),
                path_str(&src),
                path_str(&work),
            ],
        );
        Vec::new()
    });
    shape.install();
    shape.gate_and_build_number_work("clone --separate-git-dir");
}

#[test]
fn git_dir_and_work_tree_from_the_environment() {
    let shape = Shape::new(|repo, top| {
        let store = top.join("store");
        std::fs::create_dir_all(&store).unwrap();
        let out = repo
            .command("git")
            .current_dir(&store)
            .args(["init", "-q", "-b", "main"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        vec![
            ("GIT_DIR".into(), store.join(".git")),
            ("GIT_WORK_TREE".into(), top.join("work")),
        ]
    });
    shape.start();
    shape.gate_and_build_number_work("GIT_DIR + GIT_WORK_TREE");
}

#[test]
fn core_worktree_points_the_hooks_at_the_work_tree() {
    let shape = Shape::new(|repo, top| {
        let store = top.join("store");
        std::fs::create_dir_all(&store).unwrap();
        let git = |args: &[&str]| {
            let out = repo.command("git").current_dir(&store).args(args).output().unwrap();
            assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["config", "core.worktree", path_str(&top.join("work"))]);
        vec![("GIT_DIR".into(), store.join(".git"))]
    });
    shape.start();
    shape.gate_and_build_number_work("core.worktree");
}

/// Two processes incrementing at once lose no increment: each read-modify-write holds the lock.
#[test]
fn concurrent_increments_are_never_lost() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "7\n");
    let repo = std::sync::Arc::new(repo);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let repo = repo.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let out = repo.cmd().args(["version", "increment-build"]).output().unwrap();
                    assert!(out.status.success(), "{}", stderr(&out));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(repo.read("BUILD_NUMBER"), "107\n");
    assert_eq!(repo.audit().len(), 100);
    assert!(!repo.child(".git/mpm-hooks.lock").exists());
}

/// A lock that stays held is waited for briefly, then named in the error with what to do.
#[test]
fn a_held_lock_is_a_clear_error_after_a_short_wait() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "7\n");
    std::fs::write(repo.child(".git/mpm-hooks.lock"), "").unwrap();
    let started = std::time::Instant::now();
    let out = repo.cmd().args(["version", "increment-build"]).output().unwrap();
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("mpm-hooks.lock"), "{err}");
    assert!(err.contains("remove"), "{err}");
    assert!(waited >= std::time::Duration::from_secs(1), "{waited:?}");
    assert_eq!(repo.read("BUILD_NUMBER"), "7\n");
}

/// The merge driver does not depend on where the clone was when install ran.
#[test]
fn the_merge_driver_survives_moving_the_clone() {
    let mut shape = Shape::new(|repo, top| {
        let out = repo
            .command("git")
            .args(["init", "-q", "-b", "main"])
            .arg(top.join("work"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        Vec::new()
    });
    shape.start();
    let moved = shape.repo.child("moved");
    std::fs::rename(&shape.work, &moved).unwrap();
    shape.work = moved;

    shape.git(&["checkout", "-q", "-b", "left"]);
    shape.write("BUILD_NUMBER", "44\n");
    shape.git(&["commit", "-q", "--no-verify", "-am", "chore: left"]);
    shape.git(&["checkout", "-q", "main"]);
    shape.write("BUILD_NUMBER", "42\n");
    shape.git(&["commit", "-q", "--no-verify", "-am", "chore: right"]);
    let out = shape.run("git", &["merge", "--no-edit", "left"]);
    assert!(
        out.status.success(),
        "merge stopped: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    assert_eq!(shape.git(&["show", "HEAD:BUILD_NUMBER"]), "44\n");

    let out = shape.run(bin(), &["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("merge driver"), "{text}");
}

/// doctor runs the driver: one that cannot run is reported.
#[test]
fn doctor_reports_a_broken_merge_driver() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "1\n");
    repo.commit_file("src/lib.rs", "fn a() {}\n", "chore: start");
    repo.install();
    repo.cmd().arg("doctor").assert().success();
    let stale = repo.child("gone/hooks/mpm-hooks");
    let driver = format!("'{}' merge-build-number %O %A %B", stale.display());
    repo.git(&["config", "merge.mpm-hooks-build-number.driver", &driver]);
    let out = repo.cmd().arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.contains("merge driver")),
        "{text}"
    );
    repo.git(&["config", "--unset", "merge.mpm-hooks-build-number.driver"]);
    let out = repo.cmd().arg("doctor").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

fn versioned() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "41\n");
    for i in 0..30 {
        repo.write(&format!("src/m{}/f{i}.rs", i % 4), "fn f() {}\n");
    }
    repo.write("docs/guide.md", "# guide\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);
    repo.install();
    repo
}

/// Every index layout git writes goes through the build-number step and comes out as the user
/// had it: the same index version, the number in the commit, `git fsck` clean; by `git add`
/// then `git commit`, and by `git commit -a` (a temporary index git writes).
#[test]
fn every_index_layout_is_kept_by_the_build_number_step() {
    let layouts: &[(&str, &[&[&str]])] = &[
        ("v2", &[]),
        ("v3", &[&["add", "-N", "later.rs"]]),
        ("v4", &[&["update-index", "--index-version", "4"]]),
        (
            "split",
            &[
                &["config", "core.splitIndex", "true"],
                &["update-index", "--split-index"],
            ],
        ),
        (
            "v4 split",
            &[
                &["update-index", "--index-version", "4"],
                &["config", "core.splitIndex", "true"],
                &["update-index", "--split-index"],
            ],
        ),
        (
            "sparse",
            &[
                &["sparse-checkout", "init", "--cone", "--sparse-index"],
                &["sparse-checkout", "set", "src/m1"],
            ],
        ),
        (
            "v4 skipHash",
            &[
                &["update-index", "--index-version", "4"],
                &["config", "index.skipHash", "true"],
                &["update-index", "--really-refresh"],
            ],
        ),
    ];
    for (name, setup) in layouts {
        // `commit -a` commits an intent-to-add file, leaving a v2 index: git's own doing.
        for all in [false, true].into_iter().filter(|&all| !(all && *name == "v3")) {
            let name = format!("{name}{}", if all { " (commit -a)" } else { "" });
            let repo = versioned();
            repo.write("later.rs", "// later\n");
            for args in setup.iter() {
                repo.git(args);
            }
            let version = repo.git(&["update-index", "--show-index-version"]);
            repo.write("src/m1/f1.rs", &lines(12, "let x ="));
            let out = if all {
                repo.git_output(&["commit", "-q", "-a", "-m", "feat: big change"])
            } else {
                repo.git(&["add", "src/m1/f1.rs"]);
                repo.commit("feat: big change")
            };
            assert!(out.status.success(), "{name}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("BUILD_NUMBER 41 -> 42"),
                "{name}: {}",
                stderr(&out)
            );
            assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n", "{name}");
            assert_eq!(repo.git(&["show", "HEAD:src/m1/f1.rs"]), lines(12, "let x ="), "{name}");
            assert_eq!(repo.git(&["update-index", "--show-index-version"]), version, "{name}");
            assert_eq!(
                repo.git(&["write-tree"]),
                repo.git(&["rev-parse", "HEAD^{tree}"]),
                "{name}"
            );
            let status = repo.git(&["status", "--porcelain"]);
            let expected = if name.starts_with("v3") {
                " A later.rs\n"
            } else {
                "?? later.rs\n"
            };
            assert_eq!(status, expected, "{name}");
            repo.git(&["fsck", "--no-dangling", "--no-progress"]);
            if name.starts_with("sparse") {
                let sparse = repo.git(&["ls-files", "--sparse"]);
                assert!(
                    sparse.lines().any(|l| l.ends_with('/')),
                    "{name}: no longer sparse: {sparse}"
                );
            }
        }
    }
}

/// A SHA-256 repository: install, a real commit through both hooks (the number incremented and
/// staged), the version commands and doctor work; what does not work yet says so in one line.
#[test]
fn a_sha256_repository_commits_through_the_hooks() {
    let repo = TestRepo::bare_dir();
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256"]);
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "41\n");
    repo.git(&["add", "VERSION", "BUILD_NUMBER"]);
    repo.commit_file("src/lib.rs", "fn a() {}\n", "chore: start");
    repo.install();

    repo.write("src/big.rs", &lines(12, "let x ="));
    repo.git(&["add", "src/big.rs"]);
    let out = repo.commit("not a conventional message");
    assert!(!out.status.success(), "commit-msg did not run: {}", stderr(&out));
    assert!(stderr(&out).contains("commit-msg"), "{}", stderr(&out));
    let out = repo.commit("feat: big change");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("secrets ok") && stderr(&out).contains("BUILD_NUMBER 41 -> 42"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "42\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    repo.git(&["fsck", "--no-dangling", "--no-progress"]);
    assert_eq!(repo.git(&["rev-parse", "--show-object-format"]), "sha256\n");
    // `commit -a`: git's temporary index, in version 4.
    repo.git(&["update-index", "--index-version", "4"]);
    repo.write("src/big.rs", &lines(14, "let y ="));
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "feat: bigger"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "43\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["update-index", "--show-index-version"]), "4\n");
    repo.git(&["fsck", "--no-dangling", "--no-progress"]);

    // An unstaged edit of BUILD_NUMBER is left alone, as in a SHA-1 repository.
    repo.write("BUILD_NUMBER", "50\n");
    repo.write("src/more.rs", &lines(12, "let z ="));
    repo.git(&["add", "src/more.rs"]);
    let out = repo.commit("feat: more");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unstaged changes: not incremented"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "43\n");
    repo.write("BUILD_NUMBER", "43\n");

    repo.cmd().args(["version"]).assert().success();
    let out = repo.cmd().args(["version", "next"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("1.1.0\n"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    repo.git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0", "HEAD"]);
    let out = repo.cmd().args(["version", "next", "--json"]).output().unwrap();
    let next: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (next["tag"].as_str(), next["commits"].as_u64()),
        (Some("v1.1.0"), Some(0)),
        "{next}"
    );
    repo.cmd().args(["version", "increment-build"]).assert().success();
    assert_eq!(repo.read("BUILD_NUMBER"), "44\n");
    let out = repo.cmd().arg("doctor").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    repo.cmd().arg("lint-commits").assert().success();
    let out = repo.cmd().args(["changelog", "--from", "v1.1.0~1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("- more ("),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `release` in a SHA-256 repository: the release commit and an annotated tag on it, VERSION
/// and BUILD_NUMBER moved, nothing left uncommitted.
#[test]
fn a_sha256_repository_releases() {
    let repo = TestRepo::bare_dir();
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256"]);
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "3\n");
    repo.git(&["add", "VERSION", "BUILD_NUMBER"]);
    repo.commit_file("src/lib.rs", "fn a() {}\n", "chore: start");
    repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    repo.install();
    repo.commit_file("src/more.rs", &lines(12, "let z ="), "feat: more");
    repo.cmd().args(["release", "--dry-run"]).assert().success();
    let out = repo.cmd().arg("release").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.read("VERSION"), "1.1.0\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "1\n");
    let head = repo.head();
    assert_eq!(head.len(), 64, "not a SHA-256 commit id: {head}");
    let tag = repo.git(&["cat-file", "-p", "v1.1.0"]);
    assert!(tag.starts_with(&format!("object {head}\ntype commit\n")), "{tag}");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// The checks step in a SHA-256 repository: a failing check stops the commit, a passing one lets
/// it through, and unstaged changes to a staged file are set aside and put back.
#[test]
fn a_sha256_repository_runs_the_checks() {
    let repo = TestRepo::bare_dir();
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256"]);
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "41\n");
    repo.git(&["add", "VERSION", "BUILD_NUMBER"]);
    repo.commit_file("src/lib.rs", "fn a() {}\n", "chore: start");
    repo.install();
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"no\"\nrun = \"false\"\npass_filenames = false\n",
    );
    repo.write("src/big.rs", &lines(12, "let x ="));
    repo.git(&["add", "-A"]);
    repo.write("src/big.rs", &format!("{}// unstaged\n", lines(12, "let x =")));
    let out = repo.commit("feat: big change");
    assert!(!out.status.success(), "the failing check did not stop the commit");
    assert!(repo.read("src/big.rs").ends_with("// unstaged\n"));
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"only-staged\"\nrun = \"sh -c '! grep -q unstaged src/big.rs'\"\npass_filenames = false\n",
    );
    repo.git(&["add", ".mpm-hooks.toml"]);
    let out = repo.commit("feat: big change");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "HEAD:BUILD_NUMBER"]), "42\n");
    assert!(repo.read("src/big.rs").ends_with("// unstaged\n"));
    assert_eq!(repo.git(&["status", "--porcelain"]), " M src/big.rs\n");
    // The commands that run the checks over every tracked file (the unstaged line is there now).
    let out = repo.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("only-staged"),
        "{}",
        stderr(&out)
    );
    repo.cmd().arg("fix").assert().success();
}

/// The build-number step takes the same lock: a commit waits while another run holds it, then
/// increments from what that run left.
#[test]
fn a_commit_waits_for_the_version_lock() {
    let repo = versioned();
    let lock = repo.child(".git/mpm-hooks.lock");
    std::fs::write(&lock, "").unwrap();
    repo.write("src/m1/f1.rs", &lines(12, "let x ="));
    repo.git(&["add", "src/m1/f1.rs"]);
    let holder = {
        let (lock, build) = (lock.clone(), repo.child("BUILD_NUMBER"));
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(1500));
            // What the run holding the lock wrote before letting go.
            std::fs::write(build, "50\n").unwrap();
            std::fs::remove_file(lock).unwrap();
        })
    };
    let started = std::time::Instant::now();
    let out = repo.commit("feat: big change");
    holder.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(started.elapsed() >= std::time::Duration::from_millis(1500));
    assert!(stderr(&out).contains("has unstaged changes"), "{}", stderr(&out));
    assert_eq!(repo.read("BUILD_NUMBER"), "50\n");
}
