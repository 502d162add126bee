//! `mpm-hooks release` and `mpm-hooks changelog` on real repositories: real tags, real commits
//! through the installed hooks, and a byte-for-byte comparison wherever nothing may change.

use predicates::prelude::*;
use predicates::str::contains;

use crate::common::{TestRepo, stderr};

fn today() -> String {
    let out = std::process::Command::new("date").arg("+%F").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Released 1.2.0 (tagged v1.2.0), hooks installed, then four commits: a feat, a fix, a docs
/// change and one that is not conventional.
fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.2.0\n");
    repo.write("BUILD_NUMBER", "17\n");
    repo.write("Cargo.toml", "[package]\nname = \"demo\"\nversion = \"1.2.0\" # kept\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);
    repo.git(&["tag", "-a", "v1.2.0", "-m", "Release v1.2.0"]);
    repo.install();
    repo.commit_file("src/api.rs", "fn export() {}\n", "feat(api): add export");
    repo.commit_file("src/input.rs", "fn read() {}\n", "fix: handle empty input");
    repo.commit_file("docs.md", "# Docs\n", "docs: explain the export");
    repo.commit_file("README", "readme\n", "Update the readme");
    repo
}

fn short(repo: &TestRepo, rev: &str) -> String {
    repo.git(&["rev-parse", "--short=7", rev]).trim().to_string()
}

fn section(repo: &TestRepo, version: &str) -> String {
    format!(
        "## [{version}] - {}\n\n### Features\n\n- **api:** add export ({})\n\n### Bug fixes\n\n- handle empty input ({})\n\n### Other\n\n- Update the readme ({})\n\n",
        today(),
        short(repo, "HEAD~3"),
        short(repo, "HEAD~2"),
        short(repo, "HEAD"),
    )
}

#[test]
fn auto_release_bumps_writes_the_changelog_commits_and_tags() {
    let repo = project();
    let expected = section(&repo, "1.3.0");
    let before = repo.head();
    let out = repo.cmd().arg("release").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("release v1.3.0: minor bump of 1.2.0, 4 commit(s) since v1.2.0"),
        "{stdout}"
    );
    assert!(stdout.contains("git push --atomic origin main v1.3.0"), "{stdout}");
    // The commit went through the installed hooks, which passed it.
    assert!(stderr(&out).contains("mpm-hooks pre-commit: "), "{}", stderr(&out));

    assert_eq!(repo.read("VERSION"), "1.3.0\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "1\n");
    assert_eq!(
        repo.read("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"1.3.0\" # kept\n"
    );
    let changelog = repo.read("CHANGELOG.md");
    assert!(
        changelog.starts_with("# Changelog\n\nAll notable changes"),
        "{changelog}"
    );
    assert!(changelog.ends_with(&expected), "{changelog}");

    let head = repo.head();
    assert_eq!(repo.git(&["rev-parse", "HEAD~1"]).trim(), before);
    let tag = repo.git(&["cat-file", "-p", "v1.3.0"]);
    assert!(
        tag.starts_with(&format!("object {head}\ntype commit\ntag v1.3.0\n")),
        "{tag}"
    );
    assert!(tag.ends_with("\nRelease v1.3.0\n"), "{tag}");
    let show = repo.git(&["show", "--stat", "--format=%s", "HEAD"]);
    assert!(show.starts_with("chore(release): v1.3.0\n"), "{show}");
    for file in ["BUILD_NUMBER", "CHANGELOG.md", "Cargo.toml", "VERSION"] {
        assert!(show.contains(&format!(" {file} ")), "{file} not in the commit:\n{show}");
    }
    assert!(show.contains("4 files changed"), "{show}");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    let audit = repo.audit();
    let last = audit.last().unwrap();
    assert_eq!(last["command"], "release");
    assert_eq!(last["old"], "1.2.0");
    assert_eq!(last["new"], "1.3.0");
    assert_eq!(last["tag"], "v1.3.0");
    assert_eq!(last["commit"], head.as_str());
    assert_eq!(last["gate"], "passed");
    assert!(
        audit
            .iter()
            .any(|r| r["command"] == "release" && r["file"] == "BUILD_NUMBER" && r["old"] == "17")
    );
}

#[test]
fn the_next_release_goes_above_the_last_and_keeps_the_file() {
    let repo = project();
    repo.cmd().arg("release").assert().success();
    let first = repo.read("CHANGELOG.md");
    let preamble_end = first.find("## [1.3.0]").unwrap();
    repo.commit_file("src/input.rs", "fn read() { todo() }\n", "fix(input): no panic on EOF");
    repo.cmd()
        .arg("release")
        .assert()
        .success()
        .stdout(contains("release v1.3.1"));
    let second = repo.read("CHANGELOG.md");
    let new = format!(
        "## [1.3.1] - {}\n\n### Bug fixes\n\n- **input:** no panic on EOF ({})\n\n",
        today(),
        short(&repo, "HEAD~1")
    );
    assert_eq!(
        second,
        format!("{}{new}{}", &first[..preamble_end], &first[preamble_end..])
    );
    assert_eq!(repo.git(&["tag", "-l"]), "v1.2.0\nv1.3.0\nv1.3.1\n");
    assert_eq!(repo.read("VERSION"), "1.3.1\n");
}

#[test]
fn dry_run_prints_everything_and_changes_nothing() {
    let repo = project();
    let before = repo.snapshot();
    repo.cmd()
        .args(["release", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("release v1.3.0"))
        .stdout(contains(section(&repo, "1.3.0").trim_end()))
        .stdout(contains("--- a/VERSION\n+++ b/VERSION\n@@ -1 +1 @@\n-1.2.0\n+1.3.0\n"))
        .stdout(contains("-17\n+1\n"))
        .stdout(contains("--- /dev/null\n+++ b/CHANGELOG.md\n"))
        .stdout(contains("dry run: nothing changed"));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn explicit_levels_and_nothing_to_release() {
    let repo = TestRepo::new();
    repo.write("VERSION", "2.0.0\n");
    repo.write("BUILD_NUMBER", "3\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "chore: start"]);
    repo.git(&["tag", "-a", "v2.0.0", "-m", "Release v2.0.0"]);
    repo.commit_file("a.md", "a\n", "docs: a");
    let before = repo.snapshot();
    repo.cmd().arg("release").assert().success().stdout(contains(
        "nothing to release: 1 commit(s) since v2.0.0, none a feat, fix, perf or breaking change",
    ));
    assert_eq!(repo.snapshot(), before);
    repo.cmd().args(["release", "major"]).assert().success();
    assert_eq!(repo.read("VERSION"), "3.0.0\n");
    assert!(repo.read("CHANGELOG.md").contains("## [3.0.0] - "));
    assert!(repo.read("CHANGELOG.md").contains("No notable changes."));
}

/// Runs `release` expecting a refusal with `code` and a message, and nothing changed.
fn refused(repo: &TestRepo, args: &[&str], code: i32, message: &str) {
    let before = repo.snapshot();
    let out = repo.cmd().arg("release").args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(message), "expected `{message}` in:\n{err}");
    assert!(err.contains("hint: "), "{err}");
    assert_eq!(repo.snapshot(), before, "the repository changed:\n{err}");
}

#[test]
fn a_dirty_tree_is_refused_listing_what_is_dirty() {
    let repo = project();
    repo.write("src/api.rs", "fn export() { changed() }\n");
    repo.write("staged.txt", "new\n");
    repo.git(&["add", "staged.txt"]);
    refused(&repo, &[], 1, "the work tree is not clean (2 uncommitted change(s)): ");
    let err = stderr(&repo.cmd().arg("release").output().unwrap());
    assert!(err.contains("M src/api.rs") && err.contains("A  staged.txt"), "{err}");
}

#[test]
fn a_detached_head_is_refused() {
    let repo = project();
    repo.git(&["checkout", "-q", "--detach"]);
    refused(&repo, &[], 1, "HEAD is detached");
}

#[test]
fn an_existing_tag_for_the_version_is_refused() {
    let repo = project();
    // v1.3.0 exists on another branch, out of main's history.
    repo.git(&["switch", "-q", "-c", "other", "v1.2.0"]);
    repo.commit_file("other.txt", "x\n", "feat: elsewhere");
    repo.git(&["tag", "-a", "v1.3.0", "-m", "Release v1.3.0"]);
    repo.git(&["switch", "-q", "main"]);
    refused(&repo, &[], 1, "tag v1.3.0 already exists");
}

#[test]
fn an_unwritable_changelog_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let repo = project();
    repo.write("CHANGELOG.md", "# Changelog\n");
    std::fs::set_permissions(repo.child("CHANGELOG.md"), std::fs::Permissions::from_mode(0o444)).unwrap();
    repo.git(&["add", "CHANGELOG.md"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "docs: changelog"]);
    refused(&repo, &[], 2, "CHANGELOG.md is read-only");
}

#[test]
fn version_and_latest_tag_disagreeing_is_refused_saying_which_is_ahead() {
    let repo = project();
    repo.commit_file("VERSION", "1.4.0\n", "chore: set the version by hand");
    refused(
        &repo,
        &[],
        1,
        "VERSION (1.4.0) is ahead of the latest tag v1.2.0 (1.2.0)",
    );

    let repo = project();
    repo.git(&["tag", "-a", "v1.5.0", "-m", "Release v1.5.0", "HEAD~1"]);
    refused(
        &repo,
        &[],
        1,
        "the latest tag v1.5.0 (1.5.0) is ahead of VERSION (1.2.0)",
    );
    let err = stderr(&repo.cmd().arg("release").output().unwrap());
    assert!(err.contains("mpm-hooks version set 1.5.0"), "{err}");
}

#[test]
fn no_commits_since_the_last_tag_is_refused() {
    let repo = project();
    repo.cmd().arg("release").assert().success();
    refused(&repo, &["patch"], 1, "nothing to release: no commits since v1.3.0");
    refused(&repo, &[], 1, "nothing to release: no commits since v1.3.0");
}

#[test]
fn a_release_commit_the_rules_reject_is_refused_up_front() {
    // `chore(release): v1.3.0` is accepted as it is (a bare version, as commitlint ignores it);
    // with another tag prefix the rules apply, and `release` is not an allowed scope here.
    let repo = project();
    repo.commit_file(
        ".mpm-hooks.toml",
        "[version]\ntag_prefix = \"rel-\"\n[commit_msg]\nscopes = [\"api\"]\n",
        "chore: only api scopes",
    );
    refused(
        &repo,
        &[],
        1,
        "the release commit message `chore(release): rel-1.3.0` breaks this project's commit rules: scope-enum",
    );
}

#[test]
fn a_failing_gate_stops_the_release_and_no_gate_is_audited() {
    let repo = project();
    repo.commit_file(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"release-tests\"\nrun = \"false\"\npass_filenames = false\ntiers = [\"release\"]\n",
        "chore: a release check",
    );
    let before = repo.snapshot();
    let out = repo.cmd().arg("release").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the release gate failed: nothing was changed"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("release-tests        FAILED"));
    assert_eq!(repo.snapshot(), before);

    repo.cmd()
        .args(["release", "--no-gate"])
        .assert()
        .success()
        .stdout(contains("release gate: skipped (--no-gate)"));
    assert_eq!(repo.read("VERSION"), "1.3.0\n");
    assert_eq!(repo.audit().last().unwrap()["gate"], "skipped");
}

#[test]
fn a_hook_rejecting_the_release_commit_rolls_everything_back() {
    let repo = project();
    // Passes the gate (tier quality) but fails in the commit's pre-commit stage.
    repo.commit_file(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"blocker\"\nrun = \"false\"\npass_filenames = false\ntiers = [\"pre-commit\"]\n",
        "chore: a blocking hook",
    );
    let before = repo.snapshot();
    let out = repo.cmd().arg("release").output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the release commit failed, so the release was rolled back: nothing changed"),
        "{err}"
    );
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.child("CHANGELOG.md").exists());
}

#[test]
fn a_tag_that_cannot_be_made_after_the_commit_rolls_the_commit_back() {
    let repo = project();
    // Signing the tag fails: the release commit exists by then and must go again.
    repo.git(&["config", "tag.gpgSign", "true"]);
    repo.git(&["config", "gpg.program", "false"]);
    let before = repo.snapshot();
    let head = repo.head();
    let out = repo.cmd().arg("release").output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("tagging failed, so the release was rolled back"), "{err}");
    // The commit was made, then undone.
    assert!(
        repo.git(&["reflog", "-2", "--format=%gs"])
            .starts_with("mpm-hooks: roll back\ncommit: chore(release): v1.3.0\n")
    );
    assert_eq!(repo.head(), head);
    assert_eq!(repo.snapshot(), before);
    assert_eq!(repo.git(&["tag", "-l"]), "v1.2.0\n");
}

#[test]
fn changelog_prints_the_unreleased_section() {
    let repo = project();
    let before = repo.snapshot();
    repo.cmd()
        .arg("changelog")
        .assert()
        .success()
        .stdout(predicate::eq(section(&repo, "1.3.0")));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn changelog_all_and_ranges_follow_the_tags() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "feat: first"]);
    repo.git(&["tag", "-a", "v1.0.0", "-m", "Release v1.0.0"]);
    repo.commit_file("a", "a\n", "fix(core): second");
    let second = short(&repo, "HEAD");
    repo.git(&["tag", "v1.1.0"]);
    repo.commit_file("b", "b\n", "feat!: third");
    let third = short(&repo, "HEAD");
    let all = String::from_utf8(repo.cmd().args(["changelog", "--all"]).output().unwrap().stdout).unwrap();
    assert_eq!(
        all,
        format!(
            "## [Unreleased]\n\n### Breaking changes\n\n- third ({third})\n\n\
             ## [1.1.0] - 2026-01-01\n\n### Bug fixes\n\n- **core:** second ({second})\n\n\
             ## [1.0.0] - 2026-01-01\n\n### Features\n\n- first ({})\n\n",
            short(&repo, "v1.0.0^{commit}")
        )
    );
    repo.cmd()
        .args(["changelog", "--to", "v1.1.0"])
        .assert()
        .success()
        .stdout(predicate::eq(format!(
            "## [1.1.0] - 2026-01-01\n\n### Bug fixes\n\n- **core:** second ({second})\n\n"
        )));
    repo.cmd()
        .args(["changelog", "--from", "v1.0.0"])
        .assert()
        .success()
        .stdout(contains("## [Unreleased]"))
        .stdout(contains(format!("- **core:** second ({second})")))
        .stdout(contains(format!("- third ({third})")));
    repo.cmd()
        .args(["changelog", "--from", "nope"])
        .assert()
        .code(2)
        .stderr(contains("cannot resolve `nope`"));
}

#[test]
fn changelog_write_prepends_once_and_release_keeps_an_edited_section() {
    let repo = project();
    repo.commit_file(
        "CHANGELOG.md",
        "# Changelog\n\nHand-written intro.\n\n## [1.2.0] - 2026-01-01\n\n- old\n",
        "docs: a changelog",
    );
    repo.cmd()
        .args(["changelog", "--write"])
        .assert()
        .success()
        .stdout(contains("CHANGELOG.md: added the 1.3.0 section"));
    let text = repo.read("CHANGELOG.md");
    assert!(
        text.starts_with("# Changelog\n\nHand-written intro.\n\n## [1.3.0] - "),
        "{text}"
    );
    assert!(text.ends_with("## [1.2.0] - 2026-01-01\n\n- old\n"), "{text}");
    repo.cmd()
        .args(["changelog", "--write"])
        .assert()
        .code(1)
        .stderr(contains("CHANGELOG.md already has a section for 1.3.0"));

    // Edit the section, commit it, release: the edited section is what ships.
    let edited = text.replace("add export", "add the CSV export");
    repo.commit_file("CHANGELOG.md", &edited, "docs: polish the changelog");
    repo.cmd()
        .arg("release")
        .assert()
        .success()
        .stdout(contains("release v1.3.0"));
    assert_eq!(repo.read("CHANGELOG.md"), edited);
}

#[test]
fn changelog_config_is_validated_and_applied() {
    let repo = project();
    repo.commit_file(
        ".mpm-hooks.toml",
        "[changelog]\nsections = [{ type = \"feet\", title = \"New\" }]\n",
        "chore: config",
    );
    repo.cmd().arg("changelog").assert().code(2).stderr(contains(
        ".mpm-hooks.toml: [changelog] sections: `feet` is not a commit type; did you mean `feat`?",
    ));
    repo.commit_file(
        ".mpm-hooks.toml",
        "[changelog]\ninclude_other = false\nsections = [{ type = \"feat\", title = \"New\" }]\n",
        "chore: config",
    );
    let out = String::from_utf8(repo.cmd().arg("changelog").output().unwrap().stdout).unwrap();
    assert!(out.contains("### New\n\n- **api:** add export"), "{out}");
    assert!(!out.contains("Bug fixes") && !out.contains("Other"), "{out}");
}
