//! The log under the git dir rotates itself past its cap; the audit trail never does.

use crate::common::TestRepo;

#[test]
fn the_log_rotates_at_its_cap_and_the_audit_trail_is_kept_whole() {
    let repo = TestRepo::new();
    repo.write(".mpm-hooks.toml", "[log]\nlevel = \"debug\"\nmax_size = 400\n");
    repo.write("VERSION", "1.0.0\n");
    repo.write("BUILD_NUMBER", "1\n");
    repo.commit_file("a.txt", "a\n", "chore: start");
    for _ in 0..12 {
        repo.cmd().args(["version", "bump", "patch"]).assert().success();
        repo.cmd().args(["scan", "."]).assert().success();
    }
    let logs = repo.child(".git/mpm-hooks/logs");
    let size = |name: &str| std::fs::metadata(logs.join(name)).map(|m| m.len()).ok();
    for name in ["mpm-hooks.log", "mpm-hooks.log.1", "mpm-hooks.log.2"] {
        let len = size(name).unwrap_or_else(|| panic!("{name} is missing"));
        assert!(len > 0 && len <= 400, "{name}: {len} bytes");
    }
    assert_eq!(size("mpm-hooks.log.3"), None);
    let audit = repo.audit();
    assert_eq!(audit.len(), 12, "{audit:?}");
    assert_eq!(audit.last().unwrap()["new"], "1.0.12");
    assert_eq!(repo.read("VERSION"), "1.0.12\n");
}
