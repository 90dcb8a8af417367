//! Everything written to stdout: tables, JSON and NDJSON records, short event summaries.
//! stdout carries data only; notices go to stderr through `note`.

use std::io::{IsTerminal, Write};

pub mod auth;
pub mod events;
pub mod replay;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::symphony::Event;

/// How records are printed (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Ndjson,
}

/// The format to use: the flag, else a table on a terminal and JSON when piped.
pub fn resolve(flag: Option<OutputFormat>) -> OutputFormat {
    flag.unwrap_or(if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    })
}

/// A table that fits the terminal width.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// Writes a line to stdout; a closed pipe (e.g. `| head`) ends quietly.
pub fn line(text: impl std::fmt::Display) {
    if !try_line(text) {
        std::process::exit(0);
    }
}

/// Writes a line to stdout; false when the reader has gone (a closed pipe), so a long-running
/// command can clean up before it stops.
pub fn try_line(text: impl std::fmt::Display) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|_| out.flush()).is_ok()
}

pub fn json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => line(s),
        Err(e) => note(&format!("cannot serialise output: {e}")),
    }
}

pub fn ndjson<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string(value) {
        Ok(s) => line(s),
        Err(e) => note(&format!("cannot serialise output: {e}")),
    }
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `-q`: notices are not printed, only errors.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// A notice for the human (stderr); silent with `-q`.
pub fn note(text: &str) {
    if !quiet() {
        eprintln!("{text}");
    }
}

/// A follow notice as its stderr line: `retry:` for what costs time or events, `feed:` else.
pub fn notice_line(n: &crate::feed::Notice) -> String {
    use crate::feed::Notice;
    let tag = match n {
        Notice::Retry { .. } | Notice::Gap { .. } => console::style("retry:").yellow().for_stderr(),
        _ => console::style("feed:").cyan().for_stderr(),
    };
    format!("{tag} {n}")
}

/// Milliseconds since the epoch as `YYYY-MM-DD HH:MM:SS.mmm` UTC.
pub fn time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs.max(0) as u64);
    let s = humantime::format_rfc3339_millis(
        t + std::time::Duration::from_millis(ms.rem_euclid(1000) as u64),
    )
    .to_string();
    s.replacen('T', " ", 1).trim_end_matches('Z').to_string()
}

pub use crate::text::{clip, plain_text};

/// Rows of an event table: time, type, stream, initiator, text.
pub fn event_table(events: &[Event]) -> Table {
    let mut t = table(&["TIME", "TYPE", "STREAM", "INITIATOR", "ID", "TEXT"]);
    for e in events {
        t.add_row(vec![
            e.timestamp().map(time).unwrap_or_default(),
            e.event_type().to_string(),
            clip(e.stream_id().unwrap_or(""), 16),
            e.initiator_name().unwrap_or("").to_string(),
            e.id().unwrap_or("").to_string(),
            clip(&e.message_text().map(plain_text).unwrap_or_default(), 60),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_time() {
        assert_eq!(time(1795357800289), "2026-11-22 14:30:00.289");
    }
}
