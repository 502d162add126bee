//! The BUILD_NUMBER merge driver, as git runs it (`%O %A %B`).

use std::path::PathBuf;

use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    base: PathBuf,
    ours: PathBuf,
    theirs: PathBuf,
}

pub fn exec(args: Args) -> Result<u8> {
    match mpm_hooks::build_number::merge(&args.ours, &args.theirs)? {
        Ok(_) => Ok(0),
        Err(conflict) => {
            anstream::eprintln!("{conflict}");
            Ok(1)
        }
    }
}
