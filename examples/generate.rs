//! Writes feedctl's completion scripts into `completions/` and its man pages into `man/`, from
//! the clap definitions: `cargo run --example generate [-- --check] [-- DIR]` (DIR defaults to
//! the crate's root). With `--check` nothing is written and the exit status is 1 when a file is
//! stale.

#![allow(clippy::disallowed_macros)] // a developer tool, not feedctl's own output

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                eprintln!("usage: cargo run --example generate [-- [--check] [DIR]]");
                return ExitCode::SUCCESS;
            }
            _ => dir = PathBuf::from(arg),
        }
    }
    match feedctl::generate::run(&dir, check) {
        Ok(stale) if stale.is_empty() || !check => ExitCode::SUCCESS,
        Ok(stale) => {
            for s in stale {
                eprintln!("stale: {s}");
            }
            eprintln!(
                "run `{}` and commit the result",
                feedctl::generate::REGENERATE
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
