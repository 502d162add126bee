//! Secret scanning: the quality corpus, the `secrets` step in real commits, `mpm-hooks scan`.

use std::path::Path;

use predicates::prelude::*;
use predicates::str::contains;

use mpm_hooks::config::SecretsConfig;
use mpm_hooks::secrets::{Scanner, builtin};

use crate::common::{TestRepo, stderr};

fn example(rule: &str) -> &'static str {
    builtin().iter().find(|r| r.id == rule).unwrap().example
}

/// The value in a rule's example line (after `=`), for planting in other files.
fn token(rule: &str) -> String {
    let line = example(rule);
    line.split_once('=')
        .map_or(line, |(_, v)| v)
        .trim()
        .trim_matches('"')
        .to_string()
}

/// Recall on labelled credentials and false alarms on hard negatives (tests/secrets-corpus,
/// written by bench/gen_secrets_corpus.py).
#[test]
fn quality_on_the_labelled_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/secrets-corpus");
    let labels: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("labels.json")).unwrap()).unwrap();
    let scanner = Scanner::new(&SecretsConfig::default(), &root).unwrap();
    let positives = labels["positives"].as_array().unwrap();
    let (mut hit, mut exact) = (0, 0);
    for p in positives {
        let file = p["file"].as_str().unwrap();
        let line = p["line"].as_u64().unwrap() as u32;
        let content = std::fs::read(root.join(file)).unwrap();
        let mut found = Vec::new();
        scanner.scan(file, &content, 1, &mut found);
        let at_line: Vec<&str> = found
            .iter()
            .filter(|f| f.line == line)
            .map(|f| f.rule.as_str())
            .collect();
        if at_line.is_empty() {
            println!("missed: {file}:{line} ({})", p["rule"]);
        } else {
            hit += 1;
            if at_line.contains(&p["rule"].as_str().unwrap()) {
                exact += 1;
            } else {
                println!("other rule: {file}:{line}: expected {}, got {at_line:?}", p["rule"]);
            }
        }
    }
    let negatives = std::fs::read_to_string(root.join(labels["negative_file"].as_str().unwrap())).unwrap();
    let cases: Vec<&str> = negatives.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut flagged = 0;
    for case in &cases {
        let mut found = Vec::new();
        scanner.scan("negatives.txt", case.as_bytes(), 1, &mut found);
        if !found.is_empty() {
            flagged += 1;
            println!(
                "false alarm: {case} -> {:?}",
                found.iter().map(|f| &f.rule).collect::<Vec<_>>()
            );
        }
    }
    let recall = hit as f64 / positives.len() as f64;
    let fp = flagged as f64 / cases.len() as f64;
    println!(
        "recall {hit}/{} ({:.1}%), right rule {exact}; false alarms {flagged}/{} ({:.2}%)",
        positives.len(),
        recall * 100.0,
        cases.len(),
        fp * 100.0
    );
    // The project's own labelled corpus: every secret found, nothing else (issue 14's measure).
    assert_eq!(
        hit,
        positives.len(),
        "recall {:.1}%: every positive must be found",
        recall * 100.0
    );
    assert_eq!(
        flagged,
        0,
        "false alarms {:.2}%: no negative may be flagged",
        fp * 100.0
    );
}

fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_file("README.md", "hello\n", "chore: start");
    repo.install();
    repo
}

#[test]
fn a_staged_secret_blocks_the_commit_redacted() {
    let repo = repo();
    let key = token("github-pat");
    repo.write("app.py", &format!("import os\n\nTOKEN = \"{key}\"\n"));
    repo.git(&["add", "app.py"]);
    let out = repo.commit("feat: add app");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("app.py:3: github-pat (GitHub personal access token (classic)): ghp_…"),
        "{err}"
    );
    assert!(err.contains("mpm-hooks: allow"), "{err}");
    assert!(err.contains("--update-baseline"), "{err}");
    assert!(!err.contains(&key), "the full secret was printed");
    assert_eq!(repo.count(), 1);
}

/// A PKCS#12 key store is binary, so no content rule reads it: its name blocks the commit, and
/// `scan` reports it while saying its content was skipped.
#[test]
fn a_committed_key_store_is_found_by_its_name() {
    let repo = repo();
    repo.write("certs/client.p12", "\u{0}\u{30}\u{82}PKCS12");
    repo.git(&["add", "certs/client.p12"]);
    let out = repo.commit("feat: add the client certificate");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("certs/client.p12:1: pkcs12-file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.count(), 1);
    repo.cmd()
        .args(["scan", "certs", "-v"])
        .assert()
        .code(1)
        .stdout(contains("certs/client.p12:1: pkcs12-file"))
        .stdout(contains("skipped certs/client.p12: binary"));
}

#[test]
fn only_what_is_staged_counts() {
    let repo = repo();
    let key = token("stripe-live-secret-key");
    // In the work tree only: does not block.
    repo.write("clean.py", "x = 1\n");
    repo.git(&["add", "clean.py"]);
    repo.write("clean.py", &format!("x = 1\nkey = \"{key}\"\n"));
    let out = repo.commit("feat: clean");
    assert!(out.status.success(), "{}", stderr(&out));
    // Staged, then deleted from the work tree: still blocks (the commit is made of the index).
    repo.write("leak.py", &format!("key = \"{key}\"\n"));
    repo.git(&["add", "leak.py"]);
    std::fs::remove_file(repo.child("leak.py")).unwrap();
    let out = repo.commit("feat: leak");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("leak.py:1: stripe-live-secret-key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_rename_reports_nothing_and_old_lines_are_not_rescanned() {
    let repo = repo();
    let key = token("npm-access-token");
    repo.write("old.txt", &format!("{key}\n"));
    repo.git(&["add", "old.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: old"]);
    repo.git(&["mv", "old.txt", "new.txt"]);
    let out = repo.commit("refactor: rename");
    assert!(out.status.success(), "{}", stderr(&out));
    repo.write("new.txt", &format!("{key}\nmore\n"));
    repo.git(&["add", "new.txt"]);
    assert!(repo.commit("docs: more").status.success());
}

#[test]
fn a_private_key_across_lines_is_found() {
    let repo = repo();
    repo.write("deploy/id_rsa", example("private-key-rsa"));
    repo.git(&["add", "."]);
    let out = repo.commit("chore: key");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("deploy/id_rsa:1: private-key-rsa"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn allow_markers_and_the_baseline() {
    let repo = repo();
    let key = token("slack-bot-token");
    repo.write("a.py", &format!("TOKEN = \"{key}\"  # mpm-hooks: allow\n"));
    repo.write("b.py", &format!("TOKEN = \"{key}\"  # gitleaks:allow\n"));
    repo.write("c.py", &format!("TOKEN = \"{key}\"  # pragma: allowlist secret\n"));
    repo.git(&["add", "."]);
    assert!(repo.commit("feat: allowed").status.success());

    let other = token("sendgrid-api-key");
    repo.write("d.py", &format!("KEY = \"{other}\"\n"));
    repo.cmd().args(["scan", "d.py"]).assert().code(1);
    repo.cmd()
        .args(["scan", "--update-baseline", "d.py"])
        .assert()
        .success()
        .stdout(contains(".mpm-hooks-baseline.json: 1 finding(s) accepted"));
    let baseline = repo.read(".mpm-hooks-baseline.json");
    assert!(
        !baseline.contains(&other) && baseline.contains("sendgrid-api-key"),
        "{baseline}"
    );
    repo.cmd().args(["scan", "d.py"]).assert().success();
    repo.git(&["add", "."]);
    assert!(repo.commit("feat: baselined").status.success());
}

#[test]
fn scan_paths_hidden_files_gitignore_and_outside_a_repository() {
    let dir = TestRepo::bare_dir();
    let key = token("openai-project-key");
    dir.write(".env", &format!("OPENAI_API_KEY={key}\n"));
    dir.write(
        "sub/.npmrc",
        &format!("//registry.npmjs.org/:_authToken={}\n", token("npm-access-token")),
    );
    dir.write("logo.png", "\u{0}\u{1}PNG");
    dir.cmd()
        .args(["scan", ".", "-v"])
        .assert()
        .code(1)
        .stdout(contains(".env:1: openai-project-key"))
        .stdout(contains("sub/.npmrc:1: npm"))
        .stdout(contains("skipped logo.png: binary"));

    let repo = TestRepo::new();
    repo.write(".gitignore", "ignored/\n");
    repo.write("ignored/key.txt", &key);
    repo.cmd()
        .args(["scan", "."])
        .assert()
        .success()
        .stdout(contains("no secrets found"));
    repo.cmd()
        .args(["scan", "--no-ignore", "."])
        .assert()
        .code(1)
        .stdout(contains("ignored/key.txt:1"));
    repo.cmd()
        .args(["scan", "missing"])
        .assert()
        .code(2)
        .stderr(contains("cannot read missing"));
}

#[test]
fn large_files_are_skipped_and_said_so() {
    let repo = TestRepo::new();
    repo.write(".mpm-hooks.toml", "[secrets]\nmax_file_size = 100\n");
    repo.write("big.txt", &format!("{}\n{}\n", "a".repeat(200), token("github-pat")));
    repo.cmd().args(["scan", "-v", "."]).assert().success().stdout(contains(
        "skipped big.txt: larger than [secrets] max_file_size (100 bytes)",
    ));
}

#[test]
fn history_scan_names_the_commit() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "nothing\n", "chore: a");
    let key = token("groq-api-key");
    let leak = repo.commit_file("b.py", &format!("GROQ = \"{key}\"\n"), "feat: b");
    repo.commit_file("b.py", "GROQ = os.environ[\"GROQ\"]\n", "fix: remove the key");
    repo.cmd()
        .args(["scan", "--history"])
        .assert()
        .code(1)
        .stdout(contains(format!("b.py:1 ({}): groq-api-key", &leak[..10])));
    let out = repo
        .cmd()
        .args(["scan", "--history", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["commits"], 3);
    assert_eq!(v["findings"][0]["commit"], leak);
    repo.cmd()
        .args(["scan", "--history", &format!("{leak}..HEAD")])
        .assert()
        .success();
    repo.cmd()
        .args(["scan", "--history", "--since", "2026-06-01"])
        .assert()
        .success();
    repo.cmd()
        .args(["scan", "--history", "--until", "2026-06-01"])
        .assert()
        .code(1);
    repo.cmd()
        .args(["scan", "--history", "--since", "June"])
        .assert()
        .code(2)
        .stderr(contains("YYYY-MM-DD"));
}

#[test]
fn sarif_has_a_result_per_finding_with_its_location() {
    let dir = TestRepo::bare_dir();
    dir.write(
        "src/config.js",
        &format!("// config\nconst key = '{}';\n", token("anthropic-api-key")),
    );
    let out = dir.cmd().args(["scan", "--format", "sarif", "src"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "anthropic-api-key");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/config.js");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(v["runs"][0]["tool"]["driver"]["rules"][0]["id"], "anthropic-api-key");
}

/// Plants secrets, runs every output, the hook, the log and the audit at full verbosity, and
/// looks for any full secret anywhere.
#[test]
fn no_output_ever_contains_a_full_secret() {
    let repo = repo();
    let planted: Vec<String> = [
        "github-pat",
        "aws-access-key-id",
        "stripe-live-secret-key",
        "slack-webhook",
        "postgres-url-password",
    ]
    .iter()
    .map(|r| token(r))
    .collect();
    let body: String = planted
        .iter()
        .enumerate()
        .map(|(i, k)| format!("k{i} = \"{k}\"\n"))
        .collect();
    repo.write("leak.py", &body);
    repo.write(".mpm-hooks.toml", "[log]\nlevel = \"debug\"\nformat = \"json\"\n");
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "1\n");
    repo.git(&["add", "."]);
    let mut outputs = Vec::new();
    let out = repo.git_output(&["commit", "-q", "-m", "feat: leak"]);
    outputs.push(String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out));
    for args in [
        vec!["scan"],
        vec!["scan", "-vv", "."],
        vec!["scan", "--format", "json", "."],
        vec!["scan", "--format", "sarif", "."],
        vec!["scan", "--update-baseline", "."],
    ] {
        let out = repo.cmd().args(&args).output().unwrap();
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out));
    }
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: leak"]);
    let out = repo
        .cmd()
        .args(["scan", "--history", "--format", "sarif"])
        .output()
        .unwrap();
    outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
    for file in [
        ".mpm-hooks-baseline.json",
        ".git/mpm-hooks/logs/mpm-hooks.log",
        ".git/mpm-hooks/audit.jsonl",
    ] {
        outputs.push(std::fs::read_to_string(repo.child(file)).unwrap_or_default());
    }
    let all = outputs.join("\n");
    assert!(all.contains("github-pat"), "the scans found nothing to redact:\n{all}");
    for secret in &planted {
        let core = secret.rsplit(':').next().unwrap().split('@').next().unwrap();
        assert!(!all.contains(core), "a full secret leaked: {core}");
    }
}

#[test]
fn config_allows_disables_and_adds_rules() {
    let repo = TestRepo::new();
    repo.write("fixtures/keys.py", &format!("K = \"{}\"\n", token("github-pat")));
    repo.write(
        "app.py",
        &format!(
            "K = \"{}\"\nACME = \"acme_{}\"\n",
            token("stripe-test-secret-key"),
            "k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8"
        ),
    );
    repo.write(
        ".mpm-hooks.toml",
        "[secrets]\nallow_paths = [\"fixtures/**\"]\nallow_values = ['^sk_test_']\n\n[[secrets.rule]]\nid = \"acme-token\"\ndescription = \"ACME token\"\nkeywords = [\"acme_\"]\nregex = '\\b(acme_[a-z0-9]{32})\\b'\n",
    );
    repo.cmd()
        .args(["scan", "."])
        .assert()
        .code(1)
        .stdout(contains("app.py:2: acme-token (ACME token): acme…"))
        .stdout(contains("fixtures").not())
        .stdout(contains("stripe").not());
    repo.write(".mpm-hooks.toml", "[secrets]\ndisable = [\"github-pta\"]\n");
    repo.cmd()
        .args(["scan", "."])
        .assert()
        .code(2)
        .stderr(contains("no built-in rule `github-pta`; did you mean `github-pat`?"));
}

#[test]
fn allow_paths_are_relative_to_the_root_from_anywhere() {
    let repo = TestRepo::new();
    repo.write("fixtures/keys.py", &format!("K = \"{}\"\n", token("github-pat")));
    repo.write(".mpm-hooks.toml", "[secrets]\nallow_paths = [\"fixtures/**\"]\n");
    // From a subfolder, by a relative and by an absolute path: still allowed.
    let sub = repo.child("fixtures");
    repo.cmd()
        .current_dir(&sub)
        .args(["scan", "keys.py"])
        .assert()
        .success();
    repo.cmd()
        .current_dir(&sub)
        .arg("scan")
        .arg(sub.join("keys.py"))
        .assert()
        .success();
    // A folder outside the repository, scanned from inside it: its files are not under the
    // globs' root, so the globs match none of them (and nothing panics).
    let outside = assert_fs::TempDir::new().unwrap();
    std::fs::create_dir_all(outside.path().join("fixtures")).unwrap();
    std::fs::write(
        outside.path().join("fixtures/keys.py"),
        format!("K = \"{}\"\n", token("github-pat")),
    )
    .unwrap();
    repo.cmd()
        .arg("scan")
        .arg(outside.path())
        .assert()
        .code(1)
        .stdout(contains("keys.py:1: github-pat"));
}

#[test]
fn skip_secrets_lets_the_commit_through() {
    let repo = repo();
    repo.write("a.py", &format!("K = \"{}\"\n", token("github-pat")));
    repo.git(&["add", "."]);
    let out = repo.git_with(&[("SKIP", "secrets")], &["commit", "-q", "-m", "feat: a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("(SKIP=secrets)"));
}

/// `scan <(cat file)` names a pipe (/dev/fd/63): it is read like a file, not passed over.
#[cfg(unix)]
#[test]
fn scan_reads_a_named_pipe() {
    let repo = TestRepo::new();
    let fifo = repo.child("in.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let line = format!("token = \"{}\"\n", token("github-pat"));
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let _ = f.write_all(line.as_bytes());
        })
    };
    let out = repo.cmd().args(["scan", "in.fifo"]).output().unwrap();
    // The old code never opened the pipe: unblock the writer before asserting.
    for _ in 0..200 {
        if writer.is_finished() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    if !writer.is_finished() {
        drop(std::fs::File::open(&fifo));
    }
    writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", stderr(&out));
    assert!(stdout.contains("in.fifo:1: github-pat"), "{stdout}");
    assert!(!stdout.contains(&token("github-pat")), "{stdout}");
}

/// A short secret (a custom rule's 6-character value) is never shown, not even in part: not in
/// text, JSON or SARIF output, the baseline, the hook's report or the log.
#[test]
fn a_short_secret_is_never_shown() {
    let repo = TestRepo::new();
    repo.install();
    repo.write(
        ".mpm-hooks.toml",
        "[[secrets.rule]]\nid = \"pin\"\nkeywords = [\"pin=\"]\nregex = 'pin=([0-9a-z]{6})\\b'\n",
    );
    repo.write("a.txt", "pin=k7q2zx\n");
    let value = "k7q2zx";
    let mut seen = String::new();
    for format in ["text", "json", "sarif"] {
        let out = repo
            .cmd()
            .env("MPM_HOOKS_LOG_LEVEL", "debug")
            .args(["scan", "--format", format, "a.txt"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("pin"), "{format}: {stdout}");
        seen.push_str(&stdout);
        seen.push_str(&stderr(&out));
    }
    repo.cmd()
        .args(["scan", "--update-baseline", "a.txt"])
        .assert()
        .success();
    seen.push_str(&repo.read(".mpm-hooks-baseline.json"));
    std::fs::remove_file(repo.child(".mpm-hooks-baseline.json")).unwrap();
    repo.git(&["add", "a.txt"]);
    let out = repo.git_with(&[("MPM_HOOKS_LOG_LEVEL", "debug")], &["commit", "-q", "-m", "feat: a"]);
    assert!(!out.status.success());
    seen.push_str(&stderr(&out));
    seen.push_str(&String::from_utf8_lossy(&out.stdout));
    seen.push_str(&std::fs::read_to_string(repo.child(".git/mpm-hooks/logs/mpm-hooks.log")).unwrap_or_default());
    assert!(seen.contains("pin"), "{seen}");
    for part in ["k7q2", "k7q", "k7"] {
        assert!(!seen.contains(part), "`{part}` shown:\n{seen}");
    }
    assert!(!seen.contains(value));
}

/// Standard base64, padded.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn a_kubernetes_secret_with_a_base64_token_is_blocked_as_that_token() {
    let repo = repo();
    let key = token("github-pat");
    let encoded = base64(key.as_bytes());
    repo.write(
        "deploy/github.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: github\n  namespace: ci\ntype: Opaque\ndata:\n  \
             token: {encoded}\n"
        ),
    );
    // And in a CI file, percent-encoded in a clone URL.
    repo.write(
        ".ci/mirror.sh",
        &format!("git push \"https%3A%2F%2Fbot%3A{key}%40github.com%2Forg%2Fmirror.git\"\n"),
    );
    repo.git(&["add", "."]);
    let out = repo.commit("ci: mirror");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for line in [
        "deploy/github.yaml:8: github-pat (GitHub personal access token (classic) (base64-encoded)): ghp_…",
        ".ci/mirror.sh:1: github-pat (GitHub personal access token (classic) (percent-encoded)): ghp_…",
    ] {
        assert!(err.contains(line), "{err}");
    }
    assert!(
        !err.contains(&key) && !err.contains(&encoded),
        "the secret was printed: {err}"
    );
    assert_eq!(repo.count(), 1);
}
