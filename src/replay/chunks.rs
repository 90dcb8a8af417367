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
        let mut current: Option<Chunk> = None;
        let result = journal.events(&sel, |row| {
            let same = current
                .as_ref()
                .is_some_and(|c| c.seq == row.chunk && c.recording == row.recording);
            if !same {
                if let Some(done) = current.take() {
                    if tx.blocking_send(Ok(done)).is_err() {
                        return false;
                    }
                }
                current = Some(Chunk {
                    recording: row.recording.clone(),
                    seq: row.chunk,
                    received_at: row.received_at,
                    events: Vec::new(),
                });
            }
            if let Some(c) = current.as_mut() {
                c.events.push(Delivery {
                    row: row.row_id,
                    raw: row.raw,
                    event_id: row.event_id,
                    event_type: row.event_type,
                    timestamp: row.timestamp,
                    stream_id: row.stream_id,
                    initiator_id: row.initiator_id,
                });
            }
            true
        });
        match result {
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
            }
            Ok(()) => {
                if let Some(done) = current {
                    let _ = tx.blocking_send(Ok(done));
                }
            }
        }
    });
    rx
}
