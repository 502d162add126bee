//! One file per step: each adapts a pure part to what git hands the hook.

pub mod build_number;
pub mod checks;
pub mod commit_msg;
pub mod push_checks;
pub mod push_messages;
pub mod push_secrets;
pub mod push_tag;
pub mod secrets;
pub mod suggest_msg;
pub mod sync_index;
