//! Everything written to stdout: tables, JSON and NDJSON records, short event summaries.
//! stdout carries data only; notices go to stderr through `note`.

pub mod auth;
pub mod chart;
pub mod events;
pub mod json;
mod printer;

pub use printer::{Printer, StdoutClosed};
pub mod redis;
pub mod replay;
pub mod salesforce;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use crate::symphony::Event;

/// How records are printed (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Ndjson,
}

/// A table that fits the terminal width.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
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

pub use crate::text::{clip, plain_text, terminal_safe};

/// `terminal_safe` as an owned cell or line part.
pub fn safe(text: &str) -> String {
    terminal_safe(text).into_owned()
}

/// Rows of an event table: time, type, stream, initiator, text (terminal-safe).
pub fn event_table(events: &[Event]) -> Table {
    let mut t = table(&["TIME", "TYPE", "STREAM", "INITIATOR", "ID", "TEXT"]);
    for e in events {
        t.add_row(vec![
            e.timestamp().map(time).unwrap_or_default(),
            safe(e.event_type()),
            safe(&clip(e.stream_id().unwrap_or(""), 16)),
            safe(e.initiator_name().unwrap_or("")),
            safe(e.id().unwrap_or("")),
            safe(&clip(
                &e.message_text().map(plain_text).unwrap_or_default(),
                60,
            )),
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
