//! `feedctl completions SHELL`: the shell completion script on stdout, byte for byte the file
//! committed in `completions/` (both come from `generate::completion_script`).

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::CompletionsArgs;
use crate::exit::Exit;
use crate::generate;

/// Writes the script as exact bytes, so it needs no printer.
pub fn run(args: &CompletionsArgs) -> Result<Exit> {
    let script = generate::completion_script(args.shell);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|_| out.flush()) {
        Ok(()) => Ok(Exit::Success),
        // `feedctl completions bash | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
        Err(e) => Err(e).context("writing the completion script to standard output"),
    }
}
