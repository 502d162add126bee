//! The pre-push step `secrets`: every line the pushed commits add, through the scanner; each
//! finding names its commit and file.

use crate::error::Result;
use crate::hook::{Outcome, Started, Step, StepInput};
use crate::scan;
use crate::secrets::{Scanner, report};

pub const STEP: Step = Step {
    name: "secrets",
    start: None,
    run,
};

/// A commit's short id, as the push report names it.
pub(super) fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let pushed = input.pushed()?;
    if pushed.commits.is_empty() {
        return Ok(Outcome::Ok(vec!["no new commits".into()]));
    }
    let root = &input.repo.root;
    let cfg = &input.ctx.config.config.secrets;
    let scanner = Scanner::new(cfg, root)?.with_baseline(report::load_baseline(root)?);
    let ids: Vec<String> = pushed.commits.iter().map(|c| c.id.clone()).collect();
    let outcome = scan::commits(&scanner, input.repo, &ids, &mut |_, _| {})?;
    if outcome.findings.is_empty() {
        return Ok(Outcome::Ok(vec![format!("{} commit(s)", ids.len())]));
    }
    // What accepts these findings scans what this push sends: each pushed ref's new range.
    let accept: Vec<String> = pushed
        .updates
        .iter()
        .filter(|u| !u.is_deletion())
        .map(|u| {
            let range = if u.is_new() {
                short(&u.local_id).to_string()
            } else {
                format!("{}..{}", short(&u.remote_id), short(&u.local_id))
            };
            format!("mpm-hooks scan --history {range} --update-baseline")
        })
        .collect();
    let mut text = report::text(&outcome.findings, &outcome.skipped, true, &accept.join("` or `"));
    text.push_str(
        "\nthese commits are not pushed yet: a secret removed by a later commit stays in history, \
         so rewrite the commit that adds it (`git rebase -i`) before pushing",
    );
    Ok(Outcome::Failed(text))
}
