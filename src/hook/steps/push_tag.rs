//! The pre-push step `version-tag`: a pushed version tag (`refs/tags/<[version] tag_prefix>X.Y.Z`)
//! must name the version in VERSION at the commit it tags.

use std::path::Path;

use crate::error::Result;
use crate::hook::{Outcome, Started, Step, StepInput};
use crate::version::{self, VERSION_FILE};

pub const STEP: Step = Step {
    name: "version-tag",
    start: None,
    run,
};

fn run(input: &StepInput<'_>, _: Started) -> Result<Outcome> {
    let prefix = &input.ctx.config.config.version.tag_prefix;
    let pushed = input.pushed()?;
    let (mut notes, mut refused) = (Vec::new(), Vec::new());
    for update in pushed.updates.iter().filter(|u| !u.is_deletion()) {
        let Some(tag) = update.local_ref.strip_prefix("refs/tags/") else {
            continue;
        };
        let Some(named) = tag
            .strip_prefix(prefix.as_str())
            .and_then(|v| semver::Version::parse(v).ok())
        else {
            continue;
        };
        let at = super::push_secrets::short(&update.local_id);
        let Some(bytes) = input.repo.file_at_rev(&update.local_id, VERSION_FILE)? else {
            notes.push(format!("{tag}: the tagged commit has no VERSION; not compared"));
            continue;
        };
        match version::parse_version(&String::from_utf8_lossy(&bytes), Path::new(VERSION_FILE)) {
            Ok(v) if (v.major, v.minor, v.patch, &v.pre) == (named.major, named.minor, named.patch, &named.pre) => {
                notes.push(format!("{tag} matches VERSION"));
            }
            Ok(v) => refused.push(format!(
                "{tag} ({at}): VERSION at the tagged commit is {v}, the tag says {named}\n  \
                 move the tag to the commit whose VERSION is {named} (`git tag -f {tag} <commit>`), \
                 or delete it (`git tag -d {tag}`) and tag with `mpm-hooks release`"
            )),
            Err(e) => refused.push(format!("{tag} ({at}): VERSION at the tagged commit: {e}")),
        }
    }
    Ok(if !refused.is_empty() {
        Outcome::Failed(refused.join("\n"))
    } else if notes.is_empty() {
        Outcome::Skipped("no version tag pushed".into())
    } else {
        Outcome::Ok(notes)
    })
}
