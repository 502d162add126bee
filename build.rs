//! Embeds the project's own version, from its VERSION and BUILD_NUMBER, as
//! `MPM_HOOKS_VERSION` (development format: `0.1.0+build.7`).

use std::path::Path;

fn read(name: &str) -> String {
    // Read at run time: a build script binary may be reused for another copy of the source.
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = Path::new(&dir).join(name);
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
    text.trim_start_matches('\u{feff}').trim().to_string()
}

fn main() {
    let version = read("VERSION");
    let build = read("BUILD_NUMBER");
    println!("cargo:rustc-env=MPM_HOOKS_VERSION={version}+build.{build}");
    // The binary is linked as the platform builds it (a position-independent executable on
    // Linux): it parses every commit's content, so it keeps full address randomization. Linking
    // it -no-pie saved no time a user could see (README, "Performance").
}
