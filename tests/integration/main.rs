//! The one integration test binary: real git, real repositories, the real `mpm-hooks` binary.

mod common;
mod config;
mod hooks;
mod version;
