//! The default profile against commitlint's verdicts on real history
//! (../shared/corpus/conventional-commits-A.jsonl beside the repository, or the folder named by
//! MPM_HOOKS_CORPUS; absent outside CI, which the test says).

use mpm_hooks::config::CommitMsgConfig;
use mpm_hooks::conventional;

fn corpus() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("MPM_HOOKS_CORPUS")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain([root.join("../shared/corpus")])
        .map(|dir| dir.join("conventional-commits-A.jsonl"))
        .find(|p| p.exists())
}

#[test]
fn agrees_with_commitlint_on_real_history() {
    let Some(path) = corpus() else {
        println!("conformance corpus not found (../shared/corpus or MPM_HOOKS_CORPUS): skipped");
        return;
    };
    let cfg = CommitMsgConfig::default();
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut total, mut agree) = (0usize, 0usize);
    let mut disagreements = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let message = v["message"].as_str().unwrap();
        let expected = v["commitlint"]["valid"].as_bool().unwrap();
        // As commitlint lints a message piped on stdin: no cleanup.
        let verdict = conventional::lint(message, &cfg);
        total += 1;
        if verdict.valid == expected {
            agree += 1;
        } else {
            let ours: Vec<&str> = verdict.errors.iter().map(|f| f.rule).collect();
            disagreements.push(format!(
                "{} {:?}: commitlint {} {}, ours {} {:?}",
                &v["sha"].as_str().unwrap()[..10],
                message.lines().next().unwrap_or(""),
                if expected { "valid" } else { "invalid" },
                v["commitlint"]["errors"],
                if verdict.valid { "valid" } else { "invalid" },
                ours
            ));
        }
    }
    for d in &disagreements {
        println!("disagreement: {d}");
    }
    let rate = agree as f64 / total as f64;
    println!("conformance: {agree}/{total} agree ({:.2}%)", rate * 100.0);
    assert!(rate >= 0.995, "agreement {:.2}% is below 99.5%", rate * 100.0);
}
