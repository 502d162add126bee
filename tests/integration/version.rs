use predicates::prelude::*;
use predicates::str::contains;

use crate::common::TestRepo;

fn repo_with(version: &str, build: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("VERSION", version);
    repo.write("BUILD_NUMBER", build);
    repo
}

#[test]
fn status_prints_the_three_formats() {
    let repo = repo_with("4.2.2\n", "332\n");
    repo.cmd()
        .arg("version")
        .assert()
        .success()
        .stdout(contains("4.2.2+build.332"))
        .stdout(contains("v4.2.2-build.332"))
        .stdout(contains("release        4.2.2"));
}

#[test]
fn status_json_has_exactly_the_documented_keys() {
    let repo = repo_with("4.2.2", "332");
    repo.write("package.json", "{\n  \"name\": \"x\",\n  \"version\": \"4.2.2\"\n}\n");
    let out = repo.cmd().args(["version", "status", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "build_number",
            "development_format",
            "display_format",
            "release_format",
            "sources",
            "version"
        ]
    );
    assert_eq!(v["build_number"], 332);
    assert_eq!(v["development_format"], "4.2.2+build.332");
    assert_eq!(v["sources"][0]["path"], "package.json");
    assert_eq!(v["sources"][0]["in_sync"], true);
}

#[test]
fn status_fails_when_a_source_disagrees() {
    let repo = repo_with("4.2.2", "3");
    repo.write("pyproject.toml", "[project]\nname = \"x\"\nversion = \"4.2.1\"\n");
    repo.cmd()
        .arg("version")
        .assert()
        .code(1)
        .stderr(contains("pyproject.toml has version 4.2.1 but VERSION has 4.2.2"))
        .stderr(contains("mpm-hooks version rebuild"));
}

#[test]
fn bump_resets_build_and_syncs_every_source_keeping_formatting() {
    let repo = repo_with("4.2.2\n", "332\n");
    let cargo = "[package]\nname = \"x\"   # the crate\nversion = \"4.2.2\" # keep me\n\n[dependencies]\nserde = { version = \"1\" }\n";
    let pyproject = "[tool.poetry]\nname = \"x\"\nversion = \"4.2.2\"\n";
    let package = "{\n  \"name\": \"x\",\n  \"version\":   \"4.2.2\",\n  \"dependencies\": { \"y\": \"^1\" }\n}";
    repo.write("Cargo.toml", cargo);
    repo.write("pyproject.toml", pyproject);
    repo.write("package.json", package);
    repo.write("src/pkg/_version.py", "__version__ = \"4.2.2\"\n");
    repo.write(
        ".mpm-hooks.toml",
        "[version]\nfiles = [{ path = \"src/pkg/_version.py\", pattern = '__version__ = \"(?P<version>[^\"]+)\"' }]\n",
    );
    repo.cmd()
        .args(["version", "bump", "minor"])
        .assert()
        .success()
        .stdout(contains("VERSION: 4.2.2 -> 4.3.0"))
        .stdout(contains("BUILD_NUMBER: 332 -> 1"))
        .stdout(contains("package.json: 4.2.2 -> 4.3.0"));
    assert_eq!(repo.read("VERSION"), "4.3.0\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "1\n");
    assert_eq!(repo.read("Cargo.toml"), cargo.replace("4.2.2", "4.3.0"));
    assert_eq!(repo.read("pyproject.toml"), pyproject.replace("4.2.2", "4.3.0"));
    assert_eq!(repo.read("package.json"), package.replace("4.2.2", "4.3.0"));
    assert_eq!(repo.read("src/pkg/_version.py"), "__version__ = \"4.3.0\"\n");
    repo.cmd().arg("version").assert().success();
    let audit = repo.audit();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["file"], "VERSION");
    assert_eq!(audit[0]["old"], "4.2.2");
    assert_eq!(audit[0]["new"], "4.3.0");
    assert_eq!(audit[0]["user_email"], "test@example.com");
    assert_eq!(audit[1]["file"], "BUILD_NUMBER");
    assert!(audit[0]["time"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn bump_finalizes_prereleases_like_npm() {
    for (from, level, to) in [
        ("1.2.3-rc.1", "patch", "1.2.3"),
        ("1.3.0-rc.1", "minor", "1.3.0"),
        ("1.3.1-rc.1", "minor", "1.4.0"),
        ("2.0.0-rc.1", "major", "2.0.0"),
        ("0.9.9", "major", "1.0.0"),
    ] {
        let repo = repo_with(from, "5");
        repo.cmd().args(["version", "bump", level]).assert().success();
        assert_eq!(repo.read("VERSION"), format!("{to}\n"), "{level} of {from}");
        assert_eq!(repo.read("BUILD_NUMBER"), "1\n");
    }
}

#[test]
fn dry_run_prints_a_diff_and_changes_nothing() {
    let repo = repo_with("1.0.0\n", "7\n");
    repo.write("package.json", "{\"version\": \"1.0.0\"}\n");
    repo.cmd()
        .args(["version", "bump", "major", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("--- a/VERSION"))
        .stdout(contains("-1.0.0"))
        .stdout(contains("+2.0.0"))
        .stdout(contains("+++ b/package.json"));
    assert_eq!(repo.read("VERSION"), "1.0.0\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "7\n");
    assert_eq!(repo.read("package.json"), "{\"version\": \"1.0.0\"}\n");
    assert!(repo.audit().is_empty());
}

#[test]
fn set_starts_the_system_and_resets_build_only_on_change() {
    let repo = TestRepo::new();
    repo.cmd().args(["version", "set", "0.3.0"]).assert().success();
    assert_eq!(repo.read("VERSION"), "0.3.0\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "1\n");
    repo.write("BUILD_NUMBER", "9\n");
    repo.cmd()
        .args(["version", "set", "0.3.0"])
        .assert()
        .success()
        .stdout(contains("nothing to change"));
    assert_eq!(repo.read("BUILD_NUMBER"), "9\n");
    repo.cmd().args(["version", "set", "0.4.0-beta.1"]).assert().success();
    assert_eq!(repo.read("BUILD_NUMBER"), "1\n");
}

#[test]
fn increment_build_and_its_overflow() {
    let repo = repo_with("1.0.0", "\u{feff}41\r\n");
    repo.cmd()
        .args(["version", "increment-build"])
        .assert()
        .success()
        .stdout(contains("BUILD_NUMBER: 41 -> 42"));
    assert_eq!(repo.read("BUILD_NUMBER"), "42\n");
    repo.write("BUILD_NUMBER", "18446744073709551615\n");
    repo.cmd()
        .args(["version", "increment-build"])
        .assert()
        .code(2)
        .stderr(contains("BUILD_NUMBER"))
        .stderr(contains("largest build number"));
    assert_eq!(repo.read("BUILD_NUMBER"), "18446744073709551615\n");
}

#[test]
fn rebuild_rewrites_sources_from_version() {
    let repo = repo_with("2.0.0", "1");
    repo.write("package.json", "{\"name\": \"a\", \"version\": \"1.0.0\"}");
    repo.cmd()
        .args(["version", "rebuild"])
        .assert()
        .success()
        .stdout(contains("package.json: 1.0.0 -> 2.0.0"));
    assert_eq!(repo.read("package.json"), "{\"name\": \"a\", \"version\": \"2.0.0\"}");
}

/// Every bad VERSION: one line naming the file, exit 2, and no source rewritten.
#[test]
fn bad_version_files_never_touch_sources() {
    for bad in ["", "4.2", "v4.2.2", "4.2.2+meta", "banana"] {
        let repo = repo_with(bad, "1");
        repo.write("package.json", "{\"version\": \"0.0.1\"}");
        for args in [&["version"][..], &["version", "bump", "patch"], &["version", "rebuild"]] {
            let out = repo.cmd().args(args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{bad:?} {args:?}");
            let err = crate::common::stderr(&out);
            assert!(err.starts_with("error: VERSION: "), "{bad:?}: {err}");
        }
        assert_eq!(repo.read("package.json"), "{\"version\": \"0.0.1\"}");
        assert_eq!(repo.read("VERSION"), bad);
    }
}

#[test]
fn missing_version_is_an_error_with_the_fix() {
    let repo = TestRepo::new();
    repo.cmd()
        .arg("version")
        .assert()
        .code(2)
        .stderr(contains("VERSION is missing"))
        .stderr(contains("mpm-hooks version set"));
}

#[test]
fn bad_build_numbers() {
    for bad in ["abc", "-1"] {
        let repo = repo_with("1.0.0", bad);
        repo.cmd()
            .args(["version", "increment-build"])
            .assert()
            .code(2)
            .stderr(contains("BUILD_NUMBER: `"))
            .stderr(contains("whole number"));
        assert_eq!(repo.read("BUILD_NUMBER"), bad);
    }
}

#[test]
fn set_banana_is_refused() {
    let repo = repo_with("1.0.0", "1");
    repo.cmd()
        .args(["version", "set", "banana"])
        .assert()
        .code(2)
        .stderr(contains("`banana` is not a semantic version"));
    assert_eq!(repo.read("VERSION"), "1.0.0");
}

#[test]
fn broken_sources_are_named_and_nothing_is_written() {
    for (file, content) in [
        ("Cargo.toml", "[package\nversion = \"1.0.0\"\n"),
        ("pyproject.toml", "[project]\nversion = = 1\n"),
        ("package.json", "{\"version\": \"1.0.0\",}"),
    ] {
        let repo = repo_with("1.0.0\n", "3\n");
        repo.write(file, content);
        repo.cmd()
            .args(["version", "bump", "patch"])
            .assert()
            .code(2)
            .stderr(contains(format!("error: {file}")));
        assert_eq!(repo.read("VERSION"), "1.0.0\n");
        assert_eq!(repo.read("BUILD_NUMBER"), "3\n");
        assert_eq!(repo.read(file), content);
    }
}

#[test]
fn a_configured_pattern_that_does_not_match_is_an_error() {
    let repo = repo_with("1.0.0\n", "3\n");
    repo.write("v.py", "VERSION = '1.0.0'\n");
    repo.write(
        ".mpm-hooks.toml",
        "[version]\nfiles = [{ path = \"v.py\", pattern = '__version__ = \"(?P<version>[^\"]+)\"' }]\n",
    );
    repo.cmd()
        .args(["version", "bump", "patch"])
        .assert()
        .code(2)
        .stderr(contains("error: v.py: pattern"))
        .stderr(contains("does not match"));
    assert_eq!(repo.read("VERSION"), "1.0.0\n");
}

#[test]
fn a_configured_path_outside_the_repository_is_refused() {
    let repo = repo_with("1.0.0\n", "3\n");
    repo.write(
        ".mpm-hooks.toml",
        "[version]\nfiles = [{ path = \"../outside.py\", pattern = '(?P<version>.+)' }]\n",
    );
    repo.cmd()
        .args(["version", "rebuild"])
        .assert()
        .code(2)
        .stderr(contains("`../outside.py` leaves the repository"));
}

#[cfg(unix)]
#[test]
fn a_read_only_version_is_refused_and_sources_stay() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo_with("1.0.0\n", "3\n");
    repo.write("package.json", "{\"version\": \"1.0.0\"}");
    std::fs::set_permissions(repo.child("VERSION"), std::fs::Permissions::from_mode(0o444)).unwrap();
    repo.cmd()
        .args(["version", "bump", "patch"])
        .assert()
        .code(2)
        .stderr(contains("VERSION is read-only"))
        .stderr(contains("chmod u+w VERSION"));
    assert_eq!(repo.read("VERSION"), "1.0.0\n");
    assert_eq!(repo.read("package.json"), "{\"version\": \"1.0.0\"}");
}

#[test]
fn works_outside_a_repository_in_the_current_folder() {
    let dir = TestRepo::bare_dir();
    dir.cmd().args(["version", "set", "1.0.0"]).assert().success();
    dir.cmd().args(["version", "bump", "patch"]).assert().success();
    assert_eq!(dir.read("VERSION"), "1.0.1\n");
}

#[test]
fn works_from_a_subfolder_on_the_work_tree_top() {
    let repo = repo_with("1.0.0\n", "3\n");
    std::fs::create_dir_all(repo.child("a/b")).unwrap();
    repo.cmd()
        .current_dir(repo.child("a/b"))
        .args(["version", "increment-build"])
        .assert()
        .success();
    assert_eq!(repo.read("BUILD_NUMBER"), "4\n");
    assert!(!repo.child("a/b/BUILD_NUMBER").exists());
}

#[test]
fn no_temp_file_is_left_in_the_work_tree() {
    let repo = repo_with("1.0.0\n", "3\n");
    repo.cmd().args(["version", "bump", "patch"]).assert().success();
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    let mut lines: Vec<_> = status.lines().collect();
    lines.sort();
    assert_eq!(lines, ["?? BUILD_NUMBER", "?? VERSION"]);
}

/// The project uses itself: its own VERSION, BUILD_NUMBER and Cargo.toml agree.
#[test]
fn this_repository_is_in_sync() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let configs = assert_fs::TempDir::new().unwrap();
    assert_cmd::Command::new(crate::common::bin())
        .current_dir(root)
        .env("GIT_CONFIG_GLOBAL", crate::common::empty_configs(configs.path()).0)
        .args(["version", "status"])
        .assert()
        .success();
    let version = std::fs::read_to_string(root.join("VERSION")).unwrap();
    let build = std::fs::read_to_string(root.join("BUILD_NUMBER")).unwrap();
    assert_cmd::Command::new(crate::common::bin())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::eq(format!(
            "mpm-hooks {}+build.{}\n",
            version.trim(),
            build.trim()
        )));
}

#[test]
fn cargo_lock_follows_cargo_toml() {
    let repo = repo_with("1.0.0\n", "4\n");
    repo.write("Cargo.toml", "[package]\nname = \"demo\"\nversion = \"1.0.0\"\n");
    let lock = "# This file is automatically @generated by Cargo.\nversion = 4\n\n\
                [[package]]\nname = \"demo\"\nversion = \"1.0.0\"\ndependencies = [\n \"other\",\n]\n\n\
                [[package]]\nname = \"other\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
    repo.write("Cargo.lock", lock);
    repo.cmd()
        .args(["version", "bump", "minor"])
        .assert()
        .success()
        .stdout(contains("Cargo.lock: 1.0.0 -> 1.1.0"));
    assert_eq!(
        repo.read("Cargo.lock"),
        lock.replacen(
            "name = \"demo\"\nversion = \"1.0.0\"",
            "name = \"demo\"\nversion = \"1.1.0\"",
            1
        )
    );
    // A lock file without the package is not a source (a workspace member's lock, say).
    repo.write("Cargo.lock", "version = 4\n");
    repo.cmd()
        .arg("version")
        .assert()
        .success()
        .stdout(contains("Cargo.lock").not());
}

/// JSON parsers read the last of two `"version"` keys; reporting the first as in sync hid a
/// package.json that npm reads as another version.
#[test]
fn package_json_with_two_version_keys_is_refused() {
    let repo = repo_with("1.0.0\n", "3\n");
    let text = "{\n  \"name\": \"x\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n  \"version\": \"2.0.0\"\n}\n";
    repo.write("package.json", text);
    for args in [&["version"][..], &["version", "bump", "patch"], &["version", "rebuild"]] {
        repo.cmd().args(args).assert().code(2).stderr(contains(
            "package.json: has a top-level \"version\" twice (lines 3 and 5)",
        ));
    }
    assert_eq!(repo.read("package.json"), text);
    assert_eq!(repo.read("VERSION"), "1.0.0\n");
}

/// A Cargo.toml or pyproject.toml with CRLF line endings keeps them through a bump.
#[test]
fn crlf_sources_keep_their_line_endings() {
    let repo = repo_with("1.0.0\n", "3\n");
    repo.write(
        "Cargo.toml",
        "[package]\r\nname = \"x\"\r\nversion = \"1.0.0\" # ours\r\n\r\n[dependencies]\r\nserde = \"1\"\r\n",
    );
    repo.write(
        "pyproject.toml",
        "[project]\r\nname = \"x\"\r\nversion = \"1.0.0\"\r\n\r\n[tool.x]\r\na = [\r\n  1,\r\n]\r\n",
    );
    repo.write(
        "Cargo.lock",
        "version = 4\r\n\r\n[[package]]\r\nname = \"x\"\r\nversion = \"1.0.0\"\r\n",
    );
    repo.cmd().args(["version", "bump", "minor"]).assert().success();
    assert_eq!(
        repo.read("Cargo.toml"),
        "[package]\r\nname = \"x\"\r\nversion = \"1.1.0\" # ours\r\n\r\n[dependencies]\r\nserde = \"1\"\r\n"
    );
    assert_eq!(
        repo.read("pyproject.toml"),
        "[project]\r\nname = \"x\"\r\nversion = \"1.1.0\"\r\n\r\n[tool.x]\r\na = [\r\n  1,\r\n]\r\n"
    );
    assert_eq!(
        repo.read("Cargo.lock"),
        "version = 4\r\n\r\n[[package]]\r\nname = \"x\"\r\nversion = \"1.1.0\"\r\n"
    );
    repo.cmd().args(["version", "set", "2.0.0"]).assert().success();
    for file in ["Cargo.toml", "pyproject.toml", "Cargo.lock"] {
        let text = repo.read(file);
        assert!(text.contains("2.0.0"), "{file}: {text:?}");
        assert_eq!(
            text.matches('\n').count(),
            text.matches("\r\n").count(),
            "{file}: {text:?}"
        );
    }
}
