//! `-j J`: a worker's run in a journal, as `replay` stores one. Each chunk a worker handles is
//! kept as a chunk of a recording `consume:KEY:GROUP:CONSUMER` (kind `redis`), its entries as
//! events, so every handler result points at the entry it ran on; the run's options say it
//! was a consumer. The entries are stored before their handlers run, each result as it comes
//! (before its entry is acknowledged).

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::feed::FeedEvent;
use crate::journal::{
    ChunkRecord, Journal, JournalError, NewEvent, NewRecording, ResultRow, Selection,
};
use crate::redis::Entry;
use crate::replay::stats::millis;
use crate::replay::RunResult;

use super::worker::Keep;
use super::Options;

/// The run being stored.
pub struct RunLog {
    journal: Journal,
    path: PathBuf,
    recording: i64,
    name: String,
    id: i64,
    /// The journal rows of the entries of the chunk being handled, by their place in it.
    rows: Vec<i64>,
}

impl RunLog {
    /// Opens (or creates) the journal and starts the run.
    pub fn start(path: &Path, o: &Options) -> Result<RunLog, JournalError> {
        let journal = Journal::open_for_write(path)?;
        let name = format!("consume:{}:{}:{}", o.url.key, o.group, o.consumer);
        let description = o.url.to_string();
        let rec = journal.recording(&NewRecording {
            name: &name,
            kind: "redis",
            source: "redis",
            description: Some(&description),
            ..NewRecording::default()
        })?;
        let options = json!({
            "consume": {
                "stream": description,
                "group": o.group,
                "consumer": o.consumer,
                "deadLetter": o.dead_key,
                "maxDeliveries": o.max_deliveries,
                "claimIdleMs": millis(o.claim_idle),
                "retryDelayMs": millis(o.retry_delay),
                "batch": o.batch,
            },
            "mode": o.sink.as_str(),
            "concurrency": o.handler.concurrency,
            "sequential": o.sequential,
            "requeueDelayMs": millis(o.requeue_delay),
            "slowMs": millis(o.handler.slow),
            "timeoutMs": o.handler.timeout.map(millis),
        });
        let id = journal.start_run(&o.handler.command, &options.to_string())?;
        Ok(RunLog {
            journal,
            path: path.to_path_buf(),
            recording: rec.id,
            name,
            id,
            rows: Vec::new(),
        })
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Marks the run `done`, `failed` or `interrupted`.
    pub fn finish(&self, status: &str) -> Result<(), JournalError> {
        self.journal.finish_run(self.id, status)
    }

    /// Stores the entries of a chunk before their handlers run, keeping their journal rows for
    /// the results to come.
    fn store_entries(&mut self, entries: &[Entry]) -> Result<(), JournalError> {
        self.rows.clear();
        if entries.is_empty() {
            return Ok(());
        }
        let events: Vec<NewEvent> = entries
            .iter()
            .map(|e| NewEvent {
                raw: e.raw(),
                event_id: Some(&e.id),
                event_type: e.event_type.as_deref(),
                timestamp: e.timestamp,
                stream_id: None,
                initiator_id: None,
                message_id: None,
                dedupe_key: e.dedupe_key(),
            })
            .collect();
        let first = &entries[0].id;
        let last = &entries[entries.len() - 1].id;
        let before = json!({ "id": first }).to_string();
        let after = json!({ "id": last }).to_string();
        let record = ChunkRecord {
            partition: &entries[0].key,
            cursor_before: &before,
            cursor_after: &after,
            feed_id: None,
            ack_sent: None,
            ack_received: None,
            received_at: crate::journal::now_millis(),
            size: entries.iter().map(|e| e.raw.len()).sum(),
            latency_ms: 0,
            events,
        };
        let (seq, _) = self.journal.append_chunk(self.recording, &record, false)?;
        let sel = Selection {
            recording: Some(self.name.clone()),
            chunks: Some((seq, seq)),
            ..Selection::default()
        };
        let rows = &mut self.rows;
        self.journal.chunks(&sel, |c| {
            rows.extend(c.events.iter().map(|e| e.row_id));
            true
        })?;
        Ok(())
    }

    fn store_results(&mut self, results: &[RunResult]) -> Result<(), JournalError> {
        let stored: Vec<ResultRow> = results
            .iter()
            .filter_map(|r| Some(r.stored(*self.rows.get(r.row as usize)?)))
            .collect();
        if stored.is_empty() {
            return Ok(());
        }
        self.journal.store_results(self.id, &stored)
    }
}

impl Keep for RunLog {
    fn entries(&mut self, entries: &[Entry]) -> Result<(), String> {
        self.store_entries(entries).map_err(|e| e.to_string())
    }

    fn results(&mut self, results: &[RunResult]) -> Result<(), String> {
        self.store_results(results).map_err(|e| e.to_string())
    }
}
