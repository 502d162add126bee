//! The `mpm-hooks` binary: argv[0] picks a hook stage (the binary is installed as `pre-commit`,
//! `commit-msg` and `post-commit`), anything else goes through clap. Errors print as one line, its causes
//! joined, then a hint; exit codes are 0 ok, 1 a check failed, 2 usage or configuration error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let invoked_as = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string();
    // git runs post-commit after every commit; most of the time it has nothing to do.
    if invoked_as == "post-commit" && mpm_hooks::hook::post_commit_idle(std::path::Path::new(&args[0])) {
        return ExitCode::SUCCESS;
    }
    let result = if mpm_hooks::hook::Stage::from_hook_name(&invoked_as).is_some() {
        cli::run_hook(&invoked_as, args.split_off(1))
    } else {
        cli::run(args)
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A reader that stopped reading (`mpm-hooks doctor --json | head -1`) is not an error:
        // exit quietly with success, as ripgrep does.
        Err(err) if broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            let code = err
                .chain()
                .find_map(|e| e.downcast_ref::<mpm_hooks::Error>())
                .map_or(2, mpm_hooks::Error::exit_code);
            ExitCode::from(code)
        }
    }
}

/// Our own output cut short: a bare I/O error from writing it. A library error that wraps one
/// (a check's pipe, a git process) stays an error.
fn broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn report(err: &anyhow::Error) {
    let error = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let hint = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Cyan.into()));
    anstream::eprintln!("{error}error:{error:#} {err:#}");
    if let Some(h) = err
        .chain()
        .find_map(|e| e.downcast_ref::<mpm_hooks::Error>())
        .and_then(|e| e.hint())
    {
        anstream::eprintln!("{hint}hint:{hint:#} {h}");
    }
}
