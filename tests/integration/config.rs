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
fn wrong_type_is_said_in_the_users_words() {
    let repo = TestRepo::new();
    repo.write(
        ".mpm-hooks.toml",
        "[log]\nlevel = \"info\"\n[build]\nmin_changed_lines = \"five\"\n",
    );
    let out = repo.cmd().args(["config", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            ".mpm-hooks.toml line 4: [build] min_changed_lines: expected a whole number (0 or more), got the string \"five\""
        ),
        "{err}"
    );
    assert!(!err.contains("u64") && !err.contains("invalid type"), "{err}");
    // Inside an array of tables, an enum and an inline overlay table.
    for (text, want) in [
        (
            "[[check]]\nname = \"x\"\nrun = \"true\"\ntiers = [\"qa\"]\n",
            "line 4: [[check]] tiers: expected one of \"pre-commit\", \"pre-push\", \"quality\", \"release\", got the string \"qa\"",
        ),
        (
            "[environments.ci]\nbuild = { binary_weight = true }\n",
            "line 2: [environments.ci] build.binary_weight: expected a whole number (0 or more), got true",
        ),
    ] {
        repo.write(".mpm-hooks.toml", text);
        repo.cmd().arg("version").assert().code(2).stderr(contains(want));
    }
}

/// `run` is split like a shell would split it and run without one: `true && touch ran` would
/// run `true` with three arguments and pass without running `touch`.
#[test]
fn check_command_with_shell_operators_or_unknown_placeholders_is_refused() {
    let repo = TestRepo::new();
    repo.install();
    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]);
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"two\"\nrun = \"true && touch ran\"\npass_filenames = false\n",
    );
    let out = repo.commit("chore: add a");
    assert!(!out.status.success(), "the commit went through");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`&&`") && err.contains("run = \"sh -c 'true && touch ran'\""),
        "{err}"
    );
    repo.cmd()
        .args(["config", "check"])
        .assert()
        .code(2)
        .stderr(contains("`&&`"));
    for (line, what) in [
        ("eslint {staged_files}", "`{staged_files}`"),
        ("cat a.txt | grep a", "`|`"),
        ("echo a; echo b", "`;`"),
        ("echo a > out", "`>`"),
        ("echo $(date)", "`$(`"),
        ("echo `date`", "a backtick"),
    ] {
        repo.write(
            ".mpm-hooks.toml",
            &format!("[[check]]\nname = \"c\"\nrun = \"true\"\nfix = {line:?}\n"),
        );
        let out = repo.cmd().args(["config", "check"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{line}: {err}");
        assert!(
            err.contains(&format!("fix = {line:?}")) && err.contains(what),
            "{line}: {err}"
        );
    }
    // Quoted, they are the arguments of a shell (or of awk): fine.
    repo.write(
        ".mpm-hooks.toml",
        "[[check]]\nname = \"two\"\nrun = \"sh -c 'true && touch ran' --\"\nfix = \"awk '{print}' {files}\"\npass_filenames = false\n",
    );
    repo.cmd().args(["config", "check"]).assert().success();
    let out = repo.commit("chore: add a");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(repo.child("ran").exists());
}

/// `config check` refuses what the commands refuse later: one validation, at load time.
#[test]
fn config_check_refuses_what_a_command_would_refuse() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]);
    for (text, want) in [
        ("[build]\nexclude = [\"{x\"]\n", "[build] exclude: bad glob `{x`"),
        (
            "[build]\ninclude = [\"a[z-b]\"]\n",
            "[build] include: bad glob `a[z-b]`",
        ),
        (
            "[[check]]\nname = \"c\"\nrun = \"true\"\nfiles = [\"{a\"]\n",
            "[[check]] `c` files: bad glob `{a`",
        ),
        (
            "[secrets]\nallow_paths = [\"{a\"]\n",
            "[secrets] allow_paths: bad glob `{a`",
        ),
        (
            "[[secrets.rule]]\nid = \"r\"\nregex = \"abc\"\nallow_paths = [\"{a\"]\n",
            "[[secrets.rule]] `r` allow_paths: bad glob `{a`",
        ),
        (
            "[version]\nfiles = [{ path = \"../x.py\", pattern = '(?P<version>.*)' }]\n",
            "[version] files: path `../x.py` leaves the repository",
        ),
        // An environment's overlay is checked too, whatever the current environment.
        (
            "[environments.ci]\nbuild = { exclude = [\"{x\"] }\n",
            "[environments.ci]: [build] exclude: bad glob `{x`",
        ),
        (
            "[environments.ci]\nchangelog = { sections = [{ type = \"feet\", title = \"F\" }] }\n",
            "[environments.ci]: [changelog] sections: `feet` is not a commit type; did you mean `feat`?",
        ),
    ] {
        repo.write(".mpm-hooks.toml", text);
        let out = repo.cmd().args(["config", "check"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(want), "{text}: {err}");
    }
    // In its environment, every command refuses it: a bad overlay regex was skipped in silence.
    repo.write(
        ".mpm-hooks.toml",
        "[environments.ci]\ncommit_msg = { ignore = [\"(\"] }\n",
    );
    repo.cmd()
        .env("MPM_HOOKS_ENV", "ci")
        .args(["check-msg", "-m", "fix: a"])
        .assert()
        .code(2)
        .stderr(contains(
            "[environments.ci]: [commit_msg] ignore: `(` is not a valid regex",
        ));
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

/// At debug level the log keeps the command line: the text given to `check-msg -m` (here with a
/// token in it) is kept only as its length.
#[test]
fn debug_log_keeps_no_message_text() {
    let repo = TestRepo::new();
    let token = format!("ghp_{}", "Ab3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5");
    for args in [
        vec!["check-msg".to_string(), "-m".into(), format!("fix: {token}")],
        vec![
            "check-msg".to_string(),
            format!("--message=fix: {token}"),
            "--json".into(),
        ],
        vec!["-v".to_string(), "check-msg".into(), format!("-mfix: {token}")],
    ] {
        repo.cmd()
            .env("MPM_HOOKS_LOG_LEVEL", "debug")
            .args(&args)
            .assert()
            .success();
    }
    let log = repo.read(".git/mpm-hooks/logs/mpm-hooks.log");
    assert!(
        log.contains("DEBUG command: mpm-hooks check-msg -m <redacted 45 chars>")
            && log.contains("check-msg --message=<redacted 45 chars> --json"),
        "{log}"
    );
    let mut stack = vec![repo.child(".git")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains(&token[..12]), "{} holds the token", path.display());
            }
        }
    }
}
