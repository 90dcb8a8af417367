//! Reading the chunks to replay out of the journal.

use tokio::sync::mpsc;

use crate::journal::{Journal, JournalError, Selection};

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
        let kinds: std::collections::HashMap<String, std::sync::Arc<str>> =
            match journal.recordings() {
                Ok(rs) => rs.into_iter().map(|r| (r.name, r.kind.into())).collect(),
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
        let result = journal.chunks(&sel, |stored| {
            let source = kinds
                .get(&stored.recording)
                .cloned()
                .unwrap_or_else(|| "".into());
            let partition: std::sync::Arc<str> = stored.partition.as_deref().unwrap_or("").into();
            let chunk = Chunk {
                recording: stored.recording,
                seq: stored.seq,
                received_at: stored.received_at,
                events: stored
                    .events
                    .into_iter()
                    .map(|row| Delivery {
                        row: row.row_id,
                        // Every source recorded today sends JSON text; a source with binary
                        // entries gets a delivery of its own documented JSON.
                        raw: String::from_utf8(row.raw)
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                        event_id: row.event_id,
                        event_type: row.event_type,
                        timestamp: row.timestamp,
                        stream_id: row.stream_id,
                        initiator_id: row.initiator_id,
                        source: source.clone(),
                        partition: partition.clone(),
                    })
                    .collect(),
            };
            tx.blocking_send(Ok(chunk)).is_ok()
        });
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}
