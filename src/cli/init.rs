//! `mpm-hooks init`: a starter .mpm-hooks.toml, VERSION and BUILD_NUMBER where missing.

use std::io::Write;

use anyhow::Result;
use mpm_hooks::Context;
use mpm_hooks::config;
use mpm_hooks::version;

use super::quiet_or_out;

pub fn exec(ctx: &Context) -> Result<u8> {
    let root = &ctx.ws.root;
    let scratch = ctx.ws.scratch_dir();
    let mut out = quiet_or_out(ctx);
    let cfg_path = root.join(config::FILE_NAME);
    if cfg_path.exists() {
        writeln!(out, "{}: exists, left as it is", config::FILE_NAME)?;
    } else {
        mpm_hooks::fs::write_atomic(&cfg_path, config::STARTER.as_bytes(), scratch.as_deref())?;
        writeln!(out, "{}: created", config::FILE_NAME)?;
    }
    let _lock = ctx.ws.lock_versions()?;
    let mut plan = version::Plan::default();
    let mut origin = None;
    if !root.join(version::VERSION_FILE).exists() {
        let vcfg = &ctx.config.config.version;
        let tags = match ctx.ws.repo() {
            Ok(repo) => repo.version_tags(&vcfg.tag_prefix)?,
            Err(_) => Vec::new(),
        };
        let tag = tags.first().map(|(name, v, _)| (name.as_str(), v));
        let (start, why) = version::initial_version(root, vcfg, tag)?;
        origin = Some(why);
        plan = version::plan_set(root, vcfg, &start, true)?;
        // Only the two files: init does not rewrite existing sources.
        plan.changes.retain(|c| c.old.is_none());
    } else if !root.join(version::BUILD_FILE).exists() {
        version::read_state(root)?;
        plan = version::plan_increment_build(root)?;
    }
    for name in [version::VERSION_FILE, version::BUILD_FILE] {
        if !plan.changes.iter().any(|c| c.rel == name) {
            writeln!(out, "{name}: exists, left as it is")?;
        }
    }
    ctx.apply_version_plan("init", &plan)?;
    for c in &plan.changes {
        match (&origin, c.rel == version::VERSION_FILE) {
            (Some(why), true) => writeln!(out, "{}: created ({}, {why})", c.rel, c.new_value)?,
            _ => writeln!(out, "{}: created ({})", c.rel, c.new_value)?,
        }
    }
    if origin.is_some() {
        let status = version::status(root, &ctx.config.config.version)?;
        for s in &status.sources {
            let v = s.version.as_deref().unwrap_or("-");
            if s.placeholder {
                writeln!(
                    out,
                    "{}: {v} is a placeholder, left alone (not synced, by design)",
                    s.path
                )?;
            } else if !s.in_sync {
                writeln!(
                    out,
                    "{}: {v} differs from VERSION; sync it with: mpm-hooks version rebuild",
                    s.path
                )?;
            }
        }
    }
    Ok(0)
}
