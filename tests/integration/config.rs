use predicates::str::contains;

use crate::common::TestRepo;

#[test]
fn without_a_file_the_embedded_default_serves() {
    let repo = TestRepo::new();
    repo.cmd()
        .args(["config", "check"])
        .assert()
        .success()
        .stdout(contains("embedded default"));
    let out = repo.cmd().args(["config", "show", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["config"]["build"]["min_changed_lines"], 10);
    assert_eq!(v["environment"], "development");
}

#[test]
fn unknown_key_names_file_line_and_closest_key() {
    let repo = TestRepo::new();
    repo.write(
        ".mpm-hooks.toml",
        "[log]\nlevel = \"info\"\n\n[bulid]\nmin_changed_lines = 3\n",
    );
    repo.cmd().args(["config", "check"]).assert().code(2).stderr(contains(
        "error: .mpm-hooks.toml line 4: unknown key `bulid`; did you mean `build`?",
    ));
}

#[test]
fn wrong_type_names_the_key() {
    let repo = TestRepo::new();
    repo.write(".mpm-hooks.toml", "[build]\nmin_changed_lines = \"ten\"\n");
    repo.cmd()
        .args(["config", "check"])
        .assert()
        .code(2)
        .stderr(contains(".mpm-hooks.toml line 2: wrong value for `min_changed_lines`"));
}

#[test]
fn every_command_refuses_a_bad_config() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write(".mpm-hooks.toml", "chek = 1\n");
    repo.cmd()
        .arg("version")
        .assert()
        .code(2)
        .stderr(contains("unknown key `chek`"));
}

#[test]
fn environment_overlay_is_chosen_by_mpm_hooks_env() {
    let repo = TestRepo::new();
    repo.write(
        ".mpm-hooks.toml",
        "[build]\nmin_changed_lines = 5\n\n[environments.production]\nlog = { format = \"json\", level = \"info\" }\nbuild = { min_changed_lines = 50 }\n",
    );
    let show = |env: Option<&str>| {
        let mut cmd = repo.cmd();
        cmd.args(["config", "show", "--json"]);
        if let Some(env) = env {
            cmd.env("MPM_HOOKS_ENV", env);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let dev = show(None);
    assert_eq!(dev["config"]["build"]["min_changed_lines"], 5);
    assert_eq!(dev["config"]["log"]["format"], "text");
    let prod = show(Some("production"));
    assert_eq!(prod["environment"], "production");
    assert_eq!(prod["config"]["build"]["min_changed_lines"], 50);
    assert_eq!(prod["config"]["log"]["format"], "json");
    assert_eq!(prod["config"]["log"]["level"], "info");
}

#[test]
fn json_log_lines_under_the_git_dir() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "1\n");
    repo.write(
        ".mpm-hooks.toml",
        "[environments.production]\nlog = { format = \"json\", level = \"info\" }\n",
    );
    repo.cmd()
        .env("MPM_HOOKS_ENV", "production")
        .args(["version", "increment-build"])
        .assert()
        .success();
    let log = repo.read(".git/mpm-hooks/logs/mpm-hooks.log");
    let line: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(line["level"], "INFO");
    assert!(line["message"].as_str().unwrap().contains("BUILD_NUMBER 1 -> 2"));
}

#[test]
fn default_level_logs_nothing_for_a_quiet_success() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "1\n");
    repo.cmd().args(["version", "increment-build"]).assert().success();
    assert!(!repo.child(".git/mpm-hooks/logs/mpm-hooks.log").exists());
    repo.cmd()
        .env("MPM_HOOKS_LOG_LEVEL", "info")
        .args(["version", "increment-build"])
        .assert()
        .success();
    assert!(repo.read(".git/mpm-hooks/logs/mpm-hooks.log").contains("INFO"));
}

#[test]
fn init_writes_what_is_missing_and_never_overwrites() {
    let repo = TestRepo::new();
    repo.cmd()
        .arg("init")
        .assert()
        .success()
        .stdout(contains(".mpm-hooks.toml: created"));
    assert_eq!(repo.read("VERSION"), "0.1.0\n");
    assert_eq!(repo.read("BUILD_NUMBER"), "1\n");
    repo.cmd().args(["config", "check"]).assert().success();
    repo.write("VERSION", "3.0.0\n");
    repo.write(".mpm-hooks.toml", "# mine\n");
    repo.cmd()
        .arg("init")
        .assert()
        .success()
        .stdout(contains("exists, left as it is"));
    assert_eq!(repo.read("VERSION"), "3.0.0\n");
    assert_eq!(repo.read(".mpm-hooks.toml"), "# mine\n");
}

#[test]
fn bare_repository_is_refused() {
    let dir = TestRepo::bare_dir();
    dir.git(&["init", "-q", "--bare"]);
    dir.cmd()
        .arg("version")
        .assert()
        .code(2)
        .stderr(contains("is a bare repository"));
}
