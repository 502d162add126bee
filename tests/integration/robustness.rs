//! Inputs that must never panic or hang: a 10 MB message and NUL bytes through check-msg.

use std::time::{Duration, Instant};

use crate::common::TestRepo;

#[test]
fn a_ten_megabyte_message_with_nul_bytes_is_handled() {
    let repo = TestRepo::new();
    let mut msg = b"feat: huge\n\n".to_vec();
    for i in 0..200_000 {
        msg.extend_from_slice(format!("line {i} with a NUL \0 and some text to reach ten megabytes...\n").as_bytes());
    }
    assert!(msg.len() > 10_000_000);
    std::fs::write(repo.child("msg"), &msg).unwrap();
    let started = Instant::now();
    let out = repo.cmd().args(["check-msg", "msg"]).output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(repo.child("msg"), b"\0\0\0\xff\xfe").unwrap();
    let out = repo.cmd().args(["check-msg", "msg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// The suite leaves the machine as it found it: a global config write by git (or by a tool a
/// test drives) lands in the test's own temp folder, and `/dev/null` stays the device.
#[test]
fn a_global_config_write_stays_in_the_test_folder() {
    use std::os::unix::fs::FileTypeExt;
    let repo = TestRepo::new();
    repo.git(&["config", "--global", "mpmtest.key", "value"]);
    let global = std::fs::read_to_string(repo.global_config()).unwrap();
    assert!(global.contains("key = value"), "{global}");
    assert!(!repo.global_config().starts_with("/dev"));
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null is no longer a device");
}
