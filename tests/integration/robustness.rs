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
