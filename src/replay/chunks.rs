//! Reading the chunks to replay out of the journal.

use tokio::sync::mpsc;

use std::sync::Arc;

use crate::journal::{EventView, Journal, JournalError, Selection};

use super::{Chunk, Delivery};

/// The chunks of a selection, as the reader thread hands them over.
pub struct Chunks {
    rx: mpsc::Receiver<Vec<Result<Chunk, JournalError>>>,
    ready: std::collections::VecDeque<Result<Chunk, JournalError>>,
}

impl Chunks {
    /// The next chunk; `None` at the end.
    pub async fn recv(&mut self) -> Option<Result<Chunk, JournalError>> {
        if self.ready.is_empty() {
            self.ready.extend(self.rx.recv().await?);
        }
        self.ready.pop_front()
    }

    /// The next chunk if the reader already has it.
    pub fn try_recv(&mut self) -> Option<Result<Chunk, JournalError>> {
        if self.ready.is_empty() {
            self.ready.extend(self.rx.try_recv().ok()?);
        }
        self.ready.pop_front()
    }
}

/// Chunks are handed over in batches of at least this many events or bytes of events (or one
/// larger chunk): a hand-over per chunk woke the reader thread once per chunk of a fast
/// replay. With the channel's two batches, at most three batches are read ahead.
const BATCH_EVENTS: usize = 1_000;
const BATCH_BYTES: usize = 1 << 20;

/// Reads the selection chunk by chunk on a blocking thread of its own (SQLite is synchronous),
/// through a small channel so a million events never sit in memory.
pub fn read_chunks(path: std::path::PathBuf, sel: Selection) -> Chunks {
    spawn_reader(move |tx| {
        let journal = Journal::open_read(&path)?;
        // Each recording's kind of source, for FEEDCTL_SOURCE.
        let kinds = source_kinds(&journal)?;
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
        journal.chunks_of(&sel, delivery, |stored| {
            let chunk = Chunk {
                recording: stored.recording,
                seq: stored.seq,
                received_at: stored.received_at,
                events: stored.events,
            };
            tx.add(Ok(chunk))
        })
    })
}

/// Each recording's kind of source (`FEEDCTL_SOURCE`), by its name.
fn source_kinds(
    journal: &Journal,
) -> Result<std::collections::HashMap<String, Arc<str>>, JournalError> {
    Ok(journal
        .recordings()?
        .into_iter()
        .map(|r| (r.name, r.kind.into()))
        .collect())
}

/// Chunks that `read` hands over, read on a thread of its own; an error it returns ends them.
pub fn spawn_reader(
    read: impl FnOnce(&mut Batcher) -> Result<(), JournalError> + Send + 'static,
) -> Chunks {
    let (batch_tx, rx) = mpsc::channel(2);
    let chunks = Chunks {
        rx,
        ready: Default::default(),
    };
    std::thread::spawn(move || {
        let mut tx = Batcher {
            tx: batch_tx,
            batch: Vec::new(),
            events: 0,
            bytes: 0,
        };
        match read(&mut tx) {
            Err(e) => tx.fail(e),
            Ok(()) => {
                tx.send_batch();
            }
        }
    });
    chunks
}

/// The reader thread's side of the hand-over.
pub struct Batcher {
    tx: mpsc::Sender<Vec<Result<Chunk, JournalError>>>,
    batch: Vec<Result<Chunk, JournalError>>,
    events: usize,
    bytes: usize,
}

impl Batcher {
    /// Adds a chunk (or an error) to the batch, handing it over once it holds enough events;
    /// false when replay no longer reads.
    pub fn add(&mut self, chunk: Result<Chunk, JournalError>) -> bool {
        if let Ok(c) = &chunk {
            self.events += c.events.len();
            self.bytes += c.events.iter().map(|d| d.raw.len()).sum::<usize>();
        }
        self.batch.push(chunk);
        (self.events < BATCH_EVENTS && self.bytes < BATCH_BYTES) || self.send_batch()
    }

    /// Hands what the batch holds over now.
    fn send_batch(&mut self) -> bool {
        (self.events, self.bytes) = (0, 0);
        let batch = std::mem::take(&mut self.batch);
        batch.is_empty() || self.tx.blocking_send(batch).is_ok()
    }

    /// An error ends the reading: handed over with what came before it.
    fn fail(&mut self, e: JournalError) {
        self.add(Err(e));
        self.send_batch();
    }
}
