//! The one integration test binary: real git, real repositories, the real `mpm-hooks` binary.

mod build_number;
mod bumps;
mod checks;
mod commit_msg;
mod common;
mod config;
mod conformance;
mod conventional;
mod framework;
mod hooks;
mod lint_commits;
mod log_rotation;
mod messages;
mod pre_push;
mod prepare_commit_msg;
mod release;
mod repo_shapes;
mod robustness;
mod run_all;
mod secrets;
mod secrets_conformance;
mod secrets_history;
mod secrets_syntax;
mod staged_paths;
mod stash;
mod version;
