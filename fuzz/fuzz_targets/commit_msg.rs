//! Cleanup + parser + rules over arbitrary bytes: no input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpm_hooks::config::CommitMsgConfig;
use mpm_hooks::conventional::{self, Cleanup};

fuzz_target!(|data: &[u8]| {
    let cfg = CommitMsgConfig::default();
    for mode in [Cleanup::Strip, Cleanup::Whitespace, Cleanup::Scissors, Cleanup::Verbatim] {
        let verdict = conventional::check_bytes(data, mode, Some("auto"), &cfg);
        let _ = conventional::render(&verdict, &cfg, Some(".git/COMMIT_EDITMSG"));
    }
    let text = String::from_utf8_lossy(data);
    let _ = conventional::infer_bump(&[("0".into(), text.into_owned())], &cfg, &semver::Version::new(0, 1, 0), true);
});
