//! The built-in rules against the labelled cases of gitleaks' own rule tests
//! (../shared/corpus/secrets-gitleaks.jsonl beside the repository, or the folder named by
//! MPM_HOOKS_CORPUS; absent outside CI, which the test says). Scored per file, as the corpus
//! README says: a positive is found when any finding falls in its file, a negative is a false
//! alarm when any does. The floors below are today's figures: a ratchet, raised as rules improve.
//! `MPM_HOOKS_CORPUS_MISSES=1` prints every miss and false alarm (rule ids only, never a value).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mpm_hooks::config::SecretsConfig;
use mpm_hooks::secrets::{Scanner, checksum};

/// Positives found, at least (of 6,143). The corpus draws the last six characters of its GitHub
/// and npm tokens at random, where the providers put a CRC32 of the rest: 156 such positives were
/// never issued by anyone and are not reported (README, "Not secrets"); the test counts them.
/// 122 more are gitleaks' placeholder examples (Snyk, SonarQube and MessageBird's
/// `12345678-ABCD-…`, age's `AGE-SECRET-KEY-1QQQ…`), which the placeholder filter drops.
const RECALL_FLOOR: usize = 5853;
/// False alarms, at most (of 357 negatives).
const FALSE_ALARM_CEILING: usize = 7;

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("MPM_HOOKS_CORPUS")
        .map(PathBuf::from)
        .into_iter()
        .chain([root.join("../shared/corpus")])
        .map(|dir| dir.join("secrets-gitleaks.jsonl"))
        .find(|p| p.exists())
}

#[derive(Default)]
struct Tally {
    positives: usize,
    found: usize,
    negatives: usize,
    false_alarms: usize,
}

#[test]
fn finds_what_gitleaks_rule_tests_hold() {
    let Some(path) = corpus() else {
        println!("secrets corpus not found (../shared/corpus or MPM_HOOKS_CORPUS): skipped");
        return;
    };
    let show = std::env::var_os("MPM_HOOKS_CORPUS_MISSES").is_some();
    let scanner = Scanner::for_bulk(&SecretsConfig::default(), Path::new("/corpus")).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut families: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    let mut unissued = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let family = v["family"].as_str().unwrap().to_string();
        let filename = v["filename"].as_str().unwrap();
        let content = v["content"].as_str().unwrap();
        let positive = v["expected"].as_str().unwrap() == "positive";
        let mut findings = Vec::new();
        scanner.scan(filename, content.as_bytes(), 1, &mut findings);
        let hit = !findings.is_empty();
        if positive && !hit && fails_checksum(content) {
            unissued += 1;
        }
        let t = families.entry(family).or_default();
        for t in [t, &mut total] {
            if positive {
                t.positives += 1;
                t.found += usize::from(hit);
            } else {
                t.negatives += 1;
                t.false_alarms += usize::from(hit);
            }
        }
        if show && hit != positive {
            let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
            println!(
                "{} {} {} {}: {:?}",
                if positive { "miss" } else { "false-alarm" },
                v["id"].as_str().unwrap(),
                v["rule"].as_str().unwrap(),
                filename,
                rules
            );
        }
    }
    for (family, t) in &families {
        if t.found < t.positives || t.false_alarms > 0 {
            println!(
                "{family}: found {}/{}, false alarms {}/{}",
                t.found, t.positives, t.false_alarms, t.negatives
            );
        }
    }
    println!(
        "secrets conformance: recall {}/{} ({:.2}%), false alarms {}/{} ({:.2}%)",
        total.found,
        total.positives,
        100.0 * total.found as f64 / total.positives as f64,
        total.false_alarms,
        total.negatives,
        100.0 * total.false_alarms as f64 / total.negatives as f64
    );
    println!("positives missed whose only token fails its provider's checksum: {unissued}");
    assert!(
        total.found >= RECALL_FLOOR,
        "recall fell: {} found, floor {RECALL_FLOOR}",
        total.found
    );
    assert!(
        total.false_alarms <= FALSE_ALARM_CEILING,
        "false alarms rose: {}, ceiling {FALSE_ALARM_CEILING}",
        total.false_alarms
    );
}

/// Whether `content` holds a GitHub or npm token of the 36-character form whose checksum fails.
fn fails_checksum(content: &str) -> bool {
    let re = regex::Regex::new(r"\b(?:gh[pousr]|npm)_[A-Za-z0-9]{36}\b").unwrap();
    re.find_iter(content).any(|m| !checksum::holds(m.as_str()))
}
