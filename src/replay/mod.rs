//! Replaying recorded chunks into a bot's handler (DESIGN §6). The engine ([`engine::replay`])
//! reads chunks from the journal ([`chunks`]), paces and delivers them to a [`sink::Sink`] and
//! stores the run ([`run`]). Today's sinks are a shell command run per event ([`exec`]) and one
//! long-lived process speaking NDJSON ([`stream`], `--mode stream`); `sink` says how a new one
//! (Redis `XADD`) plugs in. Nothing here prints through `output` or knows the command line:
//! settings come as [`engine::ReplayOptions`], progress goes to an [`engine::Observer`].

pub mod chunks;
pub mod engine;
pub mod exec;
pub mod lines;
pub mod pace;
pub mod redis;
pub mod run;
pub mod sink;
pub mod stats;
pub mod stream;
pub mod watchdog;

use std::time::Duration;

use serde::Serialize;

/// Exit status that asks for the chunk to be delivered again (EX_TEMPFAIL, like the kits'
/// EventException).
pub const REQUEUE_STATUS: i32 = 75;

/// One event to deliver, with what the handler is told about it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The event's row in the journal.
    pub row: i64,
    pub raw: String,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub timestamp: Option<i64>,
    pub stream_id: Option<String>,
    pub initiator_id: Option<i64>,
    /// The kind of source it was recorded from (`symphony`, `redis`, `salesforce`, `import`),
    /// and its partition (a stream key, a channel, `datafeed`): `FEEDCTL_SOURCE` and
    /// `FEEDCTL_PARTITION` for the handler (DESIGN §6).
    pub source: std::sync::Arc<str>,
    pub partition: std::sync::Arc<str>,
}

/// A chunk as recorded: the unit of concurrency, re-queue and pacing.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub recording: String,
    pub seq: i64,
    /// When the chunk was received (ms), for `--speed original`.
    pub received_at: i64,
    pub events: Vec<Delivery>,
}

/// What became of one handler run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Handled,
    Requeued,
    Failed,
    Timeout,
    /// Stopped by Ctrl-C before it finished.
    Interrupted,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Handled => "handled",
            Outcome::Requeued => "requeued",
            Outcome::Failed => "failed",
            Outcome::Timeout => "timeout",
            Outcome::Interrupted => "interrupted",
        }
    }

    pub fn from_status(status: Option<i32>) -> Outcome {
        match status {
            Some(0) => Outcome::Handled,
            Some(REQUEUE_STATUS) => Outcome::Requeued,
            _ => Outcome::Failed,
        }
    }
}

/// One handler run of one event.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub row: i64,
    pub attempt: u32,
    pub outcome: Outcome,
    /// The exit status (per-event mode) or the status the handler answered (stream mode).
    pub status: Option<i32>,
    pub duration: Duration,
    pub stdout_head: String,
    pub stderr_head: String,
}

impl RunResult {
    /// The row the journal stores for this run, against the event at `event_row` (replay's
    /// rows are journal rows already; a consume worker maps its entries to the rows it stored).
    pub fn stored(&self, event_row: i64) -> crate::journal::ResultRow<'_> {
        crate::journal::ResultRow {
            event_row,
            attempt: self.attempt,
            outcome: self.outcome.as_str(),
            exit_status: self.status,
            duration_ms: stats::millis(self.duration),
            stdout_head: &self.stdout_head,
            stderr_head: &self.stderr_head,
        }
    }
}

/// How handlers are run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub command: String,
    pub concurrency: usize,
    pub slow: Duration,
    pub timeout: Option<Duration>,
    /// After Ctrl-C, how long running handlers may finish before they are killed.
    pub grace: Duration,
    /// Show handler output live, prefixed with the event.
    pub verbose: bool,
}

/// The first KiB of a handler's output, on a character boundary.
pub fn head(bytes: &[u8]) -> String {
    let cut = bytes.len().min(1024);
    let s = String::from_utf8_lossy(&bytes[..cut]);
    s.trim_end_matches('\u{FFFD}').to_string()
}
