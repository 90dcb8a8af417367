//! `feedctl __complete-types WORDS…`: the values the completion scripts (completions/) offer
//! for `--type`. The scripts are static (clap_complete's generators), except that where they
//! would list the 17 Symphony types they call this with the words typed before the value
//! (src/generate.rs adds the call). When those words name a journal, the types stored in it
//! are offered; otherwise the 17 Symphony types, as the static scripts did.
//!
//! It is an argument the binary checks before clap parses anything, like the replay
//! watchdog's, not a hidden subcommand: clap_complete offers hidden subcommands too, so every
//! user would see it at `feedctl <TAB>`. It never prints to stderr and always exits 0 within
//! [`DEADLINE`]: a missing, locked or damaged journal gives the Symphony types.
//!
//! Why not clap_complete's dynamic completion (`CompleteEnv`, `ArgValueCompleter`): it is
//! behind the `unstable-dynamic` feature (4.6), a value completer is given only the value
//! typed so far, not the journal named earlier on the line, and every other completion would
//! change from the static scripts users have installed to calls into the binary.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use clap::CommandFactory;

use crate::cli::Cli;

/// The argument that asks for the `--type` values (never one a user types).
pub const ARG: &str = "__complete-types";

/// The longest the answer may take; after it the Symphony types are offered.
pub const DEADLINE: Duration = Duration::from_millis(500);

/// How long SQLite waits for a journal locked by a writer before giving up.
const BUSY: Duration = Duration::from_millis(100);

/// At most this many types are offered from a journal.
pub const MAX_TYPES: usize = 1000;

/// Called first in `main`: when asked for the `--type` values, prints them and exits 0.
pub fn run_if_asked() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == ARG) {
        let types = types_for(args.collect());
        let mut out = std::io::stdout().lock();
        for t in types {
            // A closed stdout (the shell gave up) is no one's concern.
            if writeln!(out, "{t}").is_err() {
                break;
            }
        }
        let _ = out.flush();
        std::process::exit(0);
    }
}

/// The `--type` values for a command line: `words` are the words before the value being
/// completed, the program's name first (a last `--type` is left out).
pub fn types_for(mut words: Vec<OsString>) -> Vec<String> {
    let symphony = || {
        crate::symphony::event::EVENT_TYPES
            .iter()
            .map(|t| t.to_string())
            .collect()
    };
    if words.last().is_some_and(|w| w == "--type") {
        words.pop();
    }
    let Some((journal, recording)) = journal_of(words) else {
        return symphony();
    };
    let (tx, rx) = mpsc::channel();
    // A journal on a hung file system must not hang the shell: the answer is waited for at
    // most DEADLINE, then the process exits (this thread with it).
    std::thread::spawn(move || {
        let _ = tx.send(crate::journal::stored_types(
            &journal,
            recording.as_deref(),
            MAX_TYPES,
            BUSY,
        ));
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(types)) => types.into_iter().filter(|t| plain(t)).collect(),
        _ => symphony(),
    }
}

/// The journal the command would read, with the `--recording` it names: clap parses the words
/// as the command would (so `-j`, `--journal=`, `$FEEDCTL_JOURNAL` and the default file all
/// count), ignoring what is missing or wrong on a line still being typed. None for a command
/// without a journal (`tail`, `inject`).
fn journal_of(words: Vec<OsString>) -> Option<(PathBuf, Option<String>)> {
    let matches = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(words)
        .ok()?;
    let mut m = &matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    if !takes_types(&matches) {
        return None;
    }
    let journal = m.try_get_one::<PathBuf>("journal").ok()??.clone();
    let recording = m.try_get_one::<String>("recording").ok().flatten().cloned();
    Some((journal, recording))
}

/// Whether the innermost command of `matches` has a `--type` option.
fn takes_types(matches: &clap::ArgMatches) -> bool {
    let root = Cli::command();
    let mut cmd = &root;
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        let Some(next) = cmd.find_subcommand(name) else {
            return false;
        };
        cmd = next;
        m = sub;
    }
    let found = cmd.get_arguments().any(|a| a.get_long() == Some("type"));
    found
}

/// A type offered as it is: one word a shell takes without quoting. Others (spaces, quotes,
/// `$`, control characters: event data must not drive the terminal or the shell) are left
/// out of completion; they can still be typed.
fn plain(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:/@+-".contains(c))
}
