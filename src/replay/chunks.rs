//! Reading the chunks to replay out of the journal.

use tokio::sync::mpsc;

use std::sync::Arc;

use crate::journal::{EventView, Journal, JournalError, Selection};

use super::{Chunk, Delivery};

/// Reads the selection chunk by chunk on a blocking thread of its own (SQLite is synchronous),
/// through a small channel so a million events never sit in memory.
pub fn read_chunks(
    path: std::path::PathBuf,
    sel: Selection,
) -> mpsc::Receiver<Result<Chunk, JournalError>> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        let journal = match Journal::open_read(&path) {
            Ok(j) => j,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        // Each recording's kind of source, for FEEDCTL_SOURCE.
        let kinds: std::collections::HashMap<String, Arc<str>> = match journal.recordings() {
            Ok(rs) => rs.into_iter().map(|r| (r.name, r.kind.into())).collect(),
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        // Each event keeps only what a delivery needs, copied from the row SQLite lends; the
        // source and partition are shared by every event of a recording and a partition.
        let (mut recording, mut source, mut partition): (Option<String>, Arc<str>, Arc<str>) =
            Default::default();
        let delivery = |row: EventView<'_>| {
            if recording.as_deref() != Some(row.recording) {
                recording = Some(row.recording.to_string());
                source = kinds
                    .get(row.recording)
                    .cloned()
                    .unwrap_or_else(|| "".into());
            }
            // No partition is an empty one for the handler.
            if *partition != *row.partition.unwrap_or("") {
                partition = row.partition.unwrap_or("").into();
            }
            let owned = |s: Option<&str>| s.map(str::to_string);
            Delivery {
                row: row.row_id,
                // Every source recorded today sends JSON text; a source with binary entries
                // gets a delivery of its own documented JSON.
                raw: crate::text::utf8_or_lossy(row.raw).into_owned(),
                event_id: owned(row.event_id),
                event_type: owned(row.event_type),
                timestamp: row.timestamp,
                stream_id: owned(row.stream_id),
                initiator_id: row.initiator_id,
                source: source.clone(),
                partition: partition.clone(),
            }
        };
        let result = journal.chunks_of(&sel, delivery, |stored| {
            let chunk = Chunk {
                recording: stored.recording,
                seq: stored.seq,
                received_at: stored.received_at,
                events: stored.events,
            };
            tx.blocking_send(Ok(chunk)).is_ok()
        });
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}
