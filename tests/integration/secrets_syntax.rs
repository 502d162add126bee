//! A secret is found in every syntax it is written in (issue 14, section 2), and the same
//! syntax with a placeholder, an environment lookup or a non-secret name is not flagged.

use std::path::Path;

use mpm_hooks::config::SecretsConfig;
use mpm_hooks::secrets::Scanner;

use crate::common::{TestRepo, stderr};

/// A Datadog access key (40 characters, `[a-z0-9]`, random) and a generic password.
const DD: &str = "k3v9q0x2m7w4t8r1z6p5n0c3b8y2d7f4h1j6l9s0";
const PW: &str = "Zq7vR2mX9kL4pW8sT3nB";

fn findings(file: &str, text: &str) -> Vec<String> {
    let scanner = Scanner::new(&SecretsConfig::default(), Path::new("/r")).unwrap();
    let mut out = Vec::new();
    scanner.scan(file, text.as_bytes(), 1, &mut out);
    out.into_iter().map(|f| f.rule).collect()
}

#[test]
fn a_provider_key_is_found_in_every_syntax() {
    let cases = [
        ("config.go", format!("var datadogToken string = \"{DD}\"\n")),
        ("config.go", format!("datadogToken := \"{DD}\"\n")),
        ("config.go", format!("datadogToken := `{DD}`\n")),
        ("config.php", format!("$datadogToken .= \"{DD}\";\n")),
        (
            "Config.java",
            format!("System.setProperty(\"DATADOG_TOKEN\", \"{DD}\");\n"),
        ),
        ("Config.kt", format!("val datadogToken = \"{DD}\"\n")),
        ("Settings.cs", format!("string datadogToken = \"{DD}\";\n")),
        ("Makefile", format!("DATADOG_TOKEN ::= {DD}\n")),
        ("Makefile", format!("DATADOG_TOKEN :::= \"{DD}\"\n")),
        ("Makefile", format!("DATADOG_TOKEN ?= {DD}\n")),
        ("config.xml", format!("<datadogToken>{DD}</datadogToken>\n")),
        ("config.xml", format!("<datadogToken>\n    {DD}\n</datadogToken>\n")),
        ("app.ini", format!("datadogToken={DD}\n")),
        ("app.ini", format!("datadog_token = {DD}\n")),
        (
            "config.json",
            format!("{{\"config.ini\": \"DATADOG_TOKEN={DD}\\nDEBUG=1\"}}\n"),
        ),
        ("config.yaml", format!("datadog_token: {DD}\n")),
        (
            "config.yaml",
            format!("datadog:\n  token: '{DD}'\n  datadog_token: \"{DD}\"\n"),
        ),
        (".env", format!("DATADOG_TOKEN={DD}\n")),
        ("deploy.sh", format!("export DATADOG_TOKEN=\"{DD}\"\n")),
        ("main.tf", format!("  datadog_token = \"{DD}\"\n")),
        ("logstash.conf", format!("  \"datadogToken\" => \"{DD}\"\n")),
    ];
    for (file, text) in &cases {
        let found = findings(file, text);
        assert!(
            found.iter().any(|r| r == "datadog-access-token"),
            "{file}: {text:?}: {found:?}"
        );
    }
}

#[test]
fn a_generic_password_is_found_in_every_syntax() {
    let cases = [
        ("config.go", format!("var dbPassword string = \"{PW}\"\n")),
        ("config.go", format!("dbPassword := \"{PW}\"\n")),
        ("config.php", format!("$db_password .= '{PW}';\n")),
        (
            "Config.java",
            format!("System.setProperty(\"DB_PASSWORD\", \"{PW}\");\n"),
        ),
        ("Makefile", format!("DB_PASSWORD ::= {PW}\n")),
        ("Makefile", format!("DB_PASSWORD ?= {PW}\n")),
        ("config.xml", format!("<password>\n  {PW}\n</password>\n")),
        ("app.ini", format!("password={PW}\n")),
        ("config.json", format!("{{\"env\": \"DB_PASSWORD={PW}\\nDEBUG=1\"}}\n")),
        ("deploy.sh", format!("export DB_PASSWORD={PW}\n")),
        ("main.tf", format!("  admin_password = \"{PW}\"\n")),
    ];
    for (file, text) in &cases {
        let found = findings(file, text);
        assert!(!found.is_empty(), "{file}: {text:?}");
    }
}

#[test]
fn the_same_syntaxes_with_no_secret_are_quiet() {
    let cases = [
        ("config.go", "var datadogToken string = os.Getenv(\"DATADOG_TOKEN\")\n"),
        ("config.go", "dbPassword := \"<your-password-here>\"\n"),
        ("config.php", "$db_password .= getenv('DB_PASSWORD');\n"),
        (
            "Config.java",
            "System.setProperty(\"DB_PASSWORD\", System.getenv(\"DB_PASSWORD\"));\n",
        ),
        ("Makefile", "DB_PASSWORD ::= $(shell cat /run/secrets/db)\n"),
        ("Makefile", "DATADOG_TOKEN ?= ${DATADOG_TOKEN}\n"),
        ("config.xml", "<password>\n  ${DB_PASSWORD}\n</password>\n"),
        (
            "config.xml",
            "<UserSecretsId>79a3edd0-2092-40a2-a04d-dcb46d5ca9ed</UserSecretsId>\n",
        ),
        ("app.ini", "password=changeme\n"),
        ("app.ini", "token_url=https://auth.example.net/oauth2/token\n"),
        ("config.yaml", "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'\n"),
        ("config.yaml", "datadog_token: '{{ vault_datadog_token }}'\n"),
        ("config.json", "{\"secretName\": \"prod-db-password-v2\"}\n"),
        (
            "deploy.sh",
            "export DB_PASSWORD=\"$(vault read -field=pw secret/db)\"\n",
        ),
        ("main.tf", "  admin_password = var.admin_password\n"),
        ("app.py", "csrf_token = \"Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7\"\n"),
        (
            "app.py",
            "publicToken = \"9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\"\n",
        ),
    ];
    for (file, text) in cases {
        let found = findings(file, text);
        assert!(found.is_empty(), "{file}: {text:?}: {found:?}");
    }
}

/// Real AWS secret access keys are base64: `/` in one made it look like a path, and it passed.
#[test]
fn an_aws_secret_key_with_a_slash_blocks_the_commit() {
    let repo = TestRepo::new();
    repo.commit_file("README.md", "hello\n", "chore: start");
    repo.install();
    let key = "Hq8/Tz3LkW9pVx2Rb7Nc4Ym6Qd1Sf5Gh0Jk8Lz3A";
    repo.write(
        "creds",
        &format!("[default]\naws_access_key_id = AKIALACI57K43PEADJ4S\naws_secret_access_key = {key}\n"),
    );
    repo.write("app.js", &format!("const cfg = {{ awsSecretAccessKey: \"{key}\" }};\n"));
    repo.git(&["add", "creds", "app.js"]);
    let out = repo.commit("feat: add credentials");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("creds:3: aws-secret-access-key"), "{err}");
    assert!(err.contains("app.js:1: aws-secret-access-key"), "{err}");
    assert!(!err.contains(key), "the full secret was printed");
    // A path with the same shape is still not a key.
    assert!(
        findings(
            "creds",
            "aws_secret_access_key = /run/secrets/aws/secret_access_key_v1\n"
        )
        .is_empty()
    );
}

/// The pre-commit framework's `pass_filenames` (`pre-commit run --all-files`, `--files`, CI): a
/// named file with nothing staged is scanned whole, so a committed secret is found; a named file
/// with a staged change is scanned as in a commit, its added lines only.
#[test]
fn named_files_with_nothing_staged_are_scanned_whole() {
    let repo = TestRepo::new();
    repo.commit_file("README.md", "hello\n", "chore: start");
    let key = mpm_hooks::secrets::builtin()
        .iter()
        .find(|r| r.id == "github-pat")
        .unwrap()
        .example;
    repo.commit_file("leak.py", &format!("{key}\n"), "feat: leak");
    repo.commit_file("clean.py", "x = 1\n", "feat: clean");
    let out = repo
        .cmd()
        .args([
            "run",
            "pre-commit",
            "--only",
            "secrets",
            "README.md",
            "leak.py",
            "clean.py",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("leak.py:1: github-pat"), "{err}");
    assert!(!err.contains(key), "the full secret was printed");
    // In a commit: the file has a staged change, and only its added lines count.
    repo.write("leak.py", &format!("{key}\ny = 2\n"));
    repo.git(&["add", "leak.py"]);
    let out = repo
        .cmd()
        .args(["run", "pre-commit", "--only", "secrets", "leak.py"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // With no file named (a hook run by git), the staged change as ever.
    let out = repo
        .cmd()
        .args(["run", "pre-commit", "--only", "secrets"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}
