//! What a scan found, as text, JSON or SARIF 2.1.0, and the baseline of accepted findings.
//! Findings carry the secret only redacted and hashed: no output here can leak one.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Finding, Skipped};
use crate::error::{Error, Result};

pub const BASELINE_FILE: &str = ".mpm-hooks-baseline.json";

/// The three ways out, printed under every finding list; `accept` is the command that accepts
/// these findings (the same scope as the scan that found them: see [`accept_command`]).
pub fn ways_out(accept: &str) -> String {
    format!(
        "  If it is a secret: remove it (and rotate it: it may already be copied somewhere).
  If it is not: mark the line with a comment `mpm-hooks: allow`,
  or accept these findings with `{accept}`."
    )
}

/// `mpm-hooks scan --update-baseline -- FILE...` over the files of these findings: what accepts
/// them whatever scan found them (the staged change may be gone once the commit stopped: a
/// `git commit -a` stages into a temporary index). Paths are as the findings name them.
pub fn accept_command(findings: &[Finding]) -> String {
    let mut paths: Vec<&str> = findings.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut command = String::from("mpm-hooks scan --update-baseline --");
    for p in paths {
        command.push(' ');
        if p.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+,@:".contains(&b)) {
            command.push_str(p);
        } else {
            command.push_str(&format!("'{}'", p.replace('\'', "'\\''")));
        }
    }
    command
}

pub fn text(findings: &[Finding], skipped: &[Skipped], list_skipped: bool, accept: &str) -> String {
    let mut out = String::new();
    for f in findings {
        let at = match &f.commit {
            Some(c) => format!("{}:{} ({})", f.path, f.line, &c[..c.len().min(10)]),
            None => format!("{}:{}", f.path, f.line),
        };
        out.push_str(&format!("{at}: {} ({}): {}\n", f.rule, f.description, f.redacted));
    }
    if !skipped.is_empty() {
        if list_skipped {
            for s in skipped {
                out.push_str(&format!("skipped {}: {}\n", s.path, s.reason));
            }
        } else {
            out.push_str(&format!(
                "skipped {} file(s) (binary or too large; -v lists them)\n",
                skipped.len()
            ));
        }
    }
    if !findings.is_empty() {
        out.push_str(&format!("{} secret(s) found\n{}\n", findings.len(), ways_out(accept)));
    }
    out
}

pub fn json(findings: &[Finding], skipped: &[Skipped]) -> serde_json::Value {
    serde_json::json!({ "findings": findings, "skipped": skipped })
}

/// SARIF 2.1.0: one result per finding, with its rule and where it is, so code-scanning UIs
/// show it.
pub fn sarif(findings: &[Finding], version: &str) -> serde_json::Value {
    let mut rule_ids: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.description.as_str()))
        .collect();
    rule_ids.sort();
    // One entry a rule: a secret found encoded has the rule's description with a suffix, which
    // sorts after the plain one.
    rule_ids.dedup_by(|a, b| a.0 == b.0);
    let rules: Vec<_> = rule_ids
        .iter()
        .map(|(id, description)| {
            serde_json::json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": description },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut message = format!("{} found: {}", f.description, f.redacted);
            if let Some(c) = &f.commit {
                message.push_str(&format!(" (added in commit {c})"));
            }
            serde_json::json!({
                "ruleId": f.rule,
                "ruleIndex": rule_ids.iter().position(|(id, _)| *id == f.rule),
                "level": "error",
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.path },
                        "region": { "startLine": f.line },
                    }
                }],
                "partialFingerprints": { "secretSha256/v1": f.fingerprint },
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "mpm-hooks",
                "version": version,
                "informationUri": "https://www.conventionalcommits.org",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

#[derive(Debug, Serialize, Deserialize)]
struct Baseline {
    version: u32,
    findings: Vec<BaselineEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineEntry {
    rule: String,
    path: String,
    /// SHA-256 of the secret; never the secret.
    sha256: String,
}

/// The accepted findings, as (rule, path, sha256); an absent file accepts nothing.
pub fn load_baseline(root: &Path) -> Result<Vec<(String, String, String)>> {
    let path = root.join(BASELINE_FILE);
    let Some(text) = crate::fs::read_optional(&path)? else {
        return Ok(Vec::new());
    };
    let b: Baseline = serde_json::from_str(&text).map_err(|e| Error::Config {
        path: BASELINE_FILE.into(),
        line: Some(e.line()),
        message: format!("not a valid baseline: {e}; regenerate it with `mpm-hooks scan --update-baseline`"),
    })?;
    Ok(b.findings.into_iter().map(|e| (e.rule, e.path, e.sha256)).collect())
}

/// What [`write_baseline`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineWritten {
    /// Entries in the file now.
    pub total: usize,
    /// Of those, entries the file had before that this scan did not find (another scope's).
    pub kept: usize,
    /// The file before was not a valid baseline and was replaced.
    pub replaced_invalid: bool,
}

/// Adds the findings to the baseline: entries already there are kept (a scan of some files
/// must not drop what a scan of others accepted).
pub fn write_baseline(root: &Path, findings: &[Finding], scratch: Option<&Path>) -> Result<BaselineWritten> {
    let (earlier, replaced_invalid) = match load_baseline(root) {
        Ok(entries) => (entries, false),
        Err(_) => (Vec::new(), true),
    };
    let found: Vec<BaselineEntry> = findings
        .iter()
        .map(|f| BaselineEntry {
            rule: f.rule.clone(),
            path: f.path.clone(),
            sha256: f.fingerprint.clone(),
        })
        .collect();
    let kept: Vec<BaselineEntry> = earlier
        .into_iter()
        .map(|(rule, path, sha256)| BaselineEntry { rule, path, sha256 })
        .filter(|e| {
            !found
                .iter()
                .any(|f| f.path == e.path && f.rule == e.rule && f.sha256 == e.sha256)
        })
        .collect();
    let kept_count = kept.len();
    let mut entries = found;
    entries.extend(kept);
    entries.sort_by(|a, b| (&a.path, &a.rule, &a.sha256).cmp(&(&b.path, &b.rule, &b.sha256)));
    entries.dedup_by(|a, b| a.path == b.path && a.rule == b.rule && a.sha256 == b.sha256);
    let n = entries.len();
    let text = serde_json::to_string_pretty(&Baseline {
        version: 1,
        findings: entries,
    })
    .map_err(|e| Error::Write {
        path: BASELINE_FILE.into(),
        source: std::io::Error::other(e),
    })? + "\n";
    crate::fs::write_atomic(&root.join(BASELINE_FILE), text.as_bytes(), scratch)?;
    Ok(BaselineWritten {
        total: n,
        kept: kept_count,
        replaced_invalid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_lists_a_rule_once_whether_found_plain_or_encoded() {
        let finding = |description: &str, encoding: Option<&str>| Finding {
            rule: "github-pat".into(),
            description: description.into(),
            path: "a.yaml".into(),
            line: 1,
            commit: None,
            redacted: "ghp_…".into(),
            fingerprint: "f".into(),
            encoding: encoding.map(String::from),
        };
        let findings = [
            finding("GitHub token (base64-encoded)", Some("base64")),
            finding("GitHub token", None),
        ];
        let sarif = sarif(&findings, "1.0.0");
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "{rules:?}");
        assert_eq!(rules[0]["shortDescription"]["text"], "GitHub token");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert!(results.iter().all(|r| r["ruleIndex"] == 0));
    }
}
