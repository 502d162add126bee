//! The pre-push step `commit-msg`: the message of every pushed commit, through the rules
//! `lint-commits` applies: a message that slipped past `git commit --no-verify` is caught here.

use crate::conventional;
use crate::error::{Error, Result};
use crate::git::CommitInfo;
use crate::hook::{Outcome, Started, Step, StepInput};

pub const STEP: Step = Step {
    name: "commit-msg",
    start: None,
    run,
};

fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let pushed = input.pushed()?;
    if pushed.commits.is_empty() {
        return Ok(Outcome::Ok(vec!["no new commits".into()]));
    }
    let cfg = &input.ctx.config.config.commit_msg;
    let mut failures = Vec::new();
    let (checked, failed) = conventional::lint_batches(
        cfg,
        |c: &&CommitInfo| c.message.as_str(),
        |feed| -> Result<()> {
            feed(pushed.commits.iter().collect());
            Ok(())
        },
        |c, verdict| -> std::result::Result<(), Error> {
            let mut text = format!("{} {}", super::push_secrets::short(&c.id), verdict.header);
            for e in &verdict.errors {
                text.push_str(&format!("\n  {}: {}", e.rule, e.message));
            }
            failures.push(text);
            Ok(())
        },
    )?;
    if failed == 0 {
        return Ok(Outcome::Ok(vec![format!("{checked} message(s)")]));
    }
    failures.push(format!(
        "\n{failed} of {checked} message(s) break the rules: reword them (`git rebase -i`, \
         `reword`) and push again, or push once with SKIP=commit-msg"
    ));
    Ok(Outcome::Failed(failures.join("\n")))
}
