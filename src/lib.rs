//! mpm-hooks: git hooks that keep a repository honest.
//!
//! The library holds all the logic; the binary only parses arguments and maps results to exit
//! codes. [`Context`] is built once per run (workspace, configuration, environment, log) and
//! passed down: nothing below it reads configuration or environment variables again.

pub mod audit;
pub mod build_number;
pub mod changelog;
pub mod checks;
pub mod config;
pub mod conventional;
pub mod error;
pub mod fs;
pub mod gate;
pub mod git;
pub mod hook;
pub mod install;
pub mod release;
pub mod scan;
pub mod secrets;
pub mod version;

pub use error::{Error, Result};

use config::{Env, LogLevel};

/// Everything a command needs, read once at the start.
pub struct Context {
    pub ws: git::Workspace,
    pub config: config::Loaded,
    pub env: Env,
    pub log: audit::Logger,
}

impl Context {
    /// Discovers the workspace and loads its configuration. `verbosity` is -1 for `-q`, 0, or
    /// the number of `-v`s; it raises or lowers the log level set by config and environment.
    pub fn load(verbosity: i8) -> Result<Context> {
        let env = Env::from_process();
        let ws = git::Workspace::discover(&env.git)?;
        let config = config::load(&ws.root, &env, &secrets::builtin_ids())?;
        let mut level = env.log_level.unwrap_or(config.config.log.level);
        if verbosity > 0 {
            level = level.max(if verbosity > 1 { LogLevel::Debug } else { LogLevel::Info });
        } else if verbosity < 0 {
            level = LogLevel::Error;
        }
        let log = audit::Logger::new(ws.state_dir().as_deref(), level, config.config.log.format)
            .rotate_at(config.config.log.max_size);
        Ok(Context { ws, config, env, log })
    }

    /// Writes a version plan and records each VERSION / BUILD_NUMBER change in the audit log.
    pub fn apply_version_plan(&self, command: &str, plan: &version::Plan) -> Result<()> {
        version::apply(plan, self.ws.scratch_dir().as_deref())?;
        self.audit_plan(command, plan)
    }

    /// Records each VERSION / BUILD_NUMBER change of a plan that was written.
    pub fn audit_plan(&self, command: &str, plan: &version::Plan) -> Result<()> {
        let Some(state) = self.ws.state_dir() else {
            return Ok(());
        };
        let (user_name, user_email) = self.ws.repo.as_ref().map(|r| r.user()).unwrap_or_default();
        for change in &plan.changes {
            if change.rel == version::VERSION_FILE || change.rel == version::BUILD_FILE {
                audit::record(
                    &state,
                    &audit::Record {
                        time: audit::now(),
                        command,
                        file: &change.rel,
                        old: change.old_value.as_deref(),
                        new: &change.new_value,
                        user_name: user_name.clone(),
                        user_email: user_email.clone(),
                    },
                )?;
            }
            self.log.log(LogLevel::Info, || {
                format!(
                    "{command}: {} {} -> {}",
                    change.rel,
                    change.old_value.as_deref().unwrap_or("(new)"),
                    change.new_value
                )
            });
        }
        Ok(())
    }
}
