//! The command line as the debug log keeps it.

use std::ffi::OsString;

use super::Cli;

/// The command line as the debug log keeps it: subcommand and flag names, and values chosen from
/// a fixed set (`--format json`, `bump patch`); every other value (a message given with -m, a
/// path, a revision) only as its length, so no token typed on the command line reaches the log.
pub fn logged_args(args: &[OsString]) -> String {
    use clap::CommandFactory;
    let mut root = Cli::command();
    root.build();
    let mut cmd = &root;
    let mut out = vec!["mpm-hooks".to_string()];
    let keep = |a: Option<&clap::Arg>| a.is_some_and(|a| !a.get_possible_values().is_empty());
    let takes_value = |a: Option<&clap::Arg>| a.is_some_and(|a| a.get_action().takes_values());
    // Some(keep) when the next word is the previous flag's value.
    let (mut value_of, mut positional, mut only_positionals) = (None, 0, false);
    for word in args.iter().skip(1).map(|a| a.to_string_lossy()) {
        let shown = |keep: bool| {
            if keep {
                word.to_string()
            } else {
                mpm_hooks::audit::redacted(&word)
            }
        };
        if let Some(kept) = value_of.take() {
            out.push(shown(kept));
        } else if word == "--" && !only_positionals {
            only_positionals = true;
            out.push(word.to_string());
        } else if let (Some(name), false) = (word.strip_prefix("--"), only_positionals) {
            let (name, value) = name.split_once('=').map_or((name, None), |(n, v)| (n, Some(v)));
            let arg = cmd.get_arguments().find(|a| a.get_long() == Some(name));
            match value {
                Some(v) if keep(arg) => out.push(format!("--{name}={v}")),
                Some(v) => out.push(format!("--{name}={}", mpm_hooks::audit::redacted(v))),
                None => {
                    out.push(format!("--{name}"));
                    value_of = takes_value(arg).then(|| keep(arg));
                }
            }
        } else if let (Some(flags), false) = (word.strip_prefix('-').filter(|f| !f.is_empty()), only_positionals) {
            // A cluster of short flags (-vv), or one that takes a value, glued (-mTEXT) or next.
            let mut kept = String::from("-");
            for (i, c) in flags.char_indices() {
                kept.push(c);
                let arg = cmd.get_arguments().find(|a| a.get_short() == Some(c));
                if takes_value(arg) {
                    let rest = &flags[i + c.len_utf8()..];
                    if rest.is_empty() {
                        value_of = Some(keep(arg));
                    } else if keep(arg) {
                        kept.push_str(rest);
                    } else {
                        kept.push_str(&mpm_hooks::audit::redacted(rest));
                    }
                    break;
                }
            }
            out.push(kept);
        } else if let Some(sub) = (positional == 0 && !only_positionals)
            .then(|| cmd.find_subcommand(word.as_ref()))
            .flatten()
        {
            out.push(sub.get_name().to_string());
            cmd = sub;
        } else {
            let arg = cmd.get_positionals().nth(positional);
            positional += usize::from(arg.is_some_and(|a| a.get_num_args().is_none_or(|n| n.max_values() <= 1)));
            out.push(shown(keep(arg)));
        }
    }
    out.join(" ")
}
