//! `pre-push`: what is about to leave the machine. git names the remote (and its URL) and writes
//! one line per ref on stdin; the stage reads it once, and its steps check only the commits the
//! remote does not have yet ([`crate::hook::StepInput::pushed`]): the commit messages, the secret
//! scan of every line they add, the checks of tier `pre-push` on the files they change, and the
//! VERSION a pushed version tag names.

use std::io::{IsTerminal, Read};
use std::ops::RangeInclusive;

use super::super::{StageSpec, Step, StepInput, StepReport, steps};
use crate::error::{Error, Result};

pub struct PrePush;

impl StageSpec for PrePush {
    fn name(&self) -> &'static str {
        "pre-push"
    }

    /// The remote's name (or its URL, when pushed to by URL) and its URL.
    fn args(&self) -> RangeInclusive<usize> {
        2..=2
    }

    fn steps(&self) -> &'static [Step] {
        &[
            steps::push_tag::STEP,
            steps::push_messages::STEP,
            steps::push_secrets::STEP,
            steps::push_checks::STEP,
        ]
    }

    /// git's refs are read from stdin before anything runs: the user's kept pre-push hook gets
    /// the same bytes. A terminal (`mpm-hooks run pre-push` typed by hand) gives none.
    fn around(
        &self,
        input: &StepInput<'_>,
        run: &mut dyn FnMut() -> Result<Vec<StepReport>>,
    ) -> Result<Vec<StepReport>> {
        let mut bytes = Vec::new();
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            stdin.lock().read_to_end(&mut bytes).map_err(|e| Error::Hook {
                hook: self.name().into(),
                message: format!("cannot read the refs git writes on stdin: {e}"),
            })?;
        }
        input.keep_stdin(bytes);
        run()
    }
}
