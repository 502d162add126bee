//! The hook stages.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    PreCommit,
    CommitMsg,
}

impl Stage {
    pub fn from_hook_name(name: &str) -> Option<Stage> {
        match name {
            "pre-commit" => Some(Stage::PreCommit),
            "commit-msg" => Some(Stage::CommitMsg),
            _ => None,
        }
    }
}
