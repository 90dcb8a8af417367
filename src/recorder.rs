//! The journal as the follow loop's keeper: each chunk, its events and its partition's marker
//! are committed in one transaction, and only then does the loop let the source acknowledge it
//! (DESIGN §5). Gaps and fresh partitions the source announces are kept here too.

use crate::feed::{Ack, Chunk, FeedEvent, Keeper, Next, Notice};
use crate::journal::{ChunkRecord, Journal, JournalError, NewEvent, NewGap};

/// The journal's view of an event: its exact bytes and the indexed columns.
pub fn new_event<E: FeedEvent>(e: &E) -> NewEvent<'_> {
    let c = e.columns();
    NewEvent {
        raw: e.raw(),
        event_id: c.event_id,
        event_type: c.event_type,
        timestamp: c.timestamp,
        stream_id: c.stream_id,
        initiator_id: c.initiator_id,
        message_id: c.message_id,
        dedupe_key: e.dedupe_key(),
    }
}

/// The journal's view of a chunk, with its cursors as JSON.
pub fn chunk_record<'c, E: FeedEvent, A: Ack>(
    c: &'c Chunk<E, A>,
    cursor_before: &'c str,
    cursor_after: &'c str,
) -> ChunkRecord<'c> {
    let acked = c.ack_columns();
    ChunkRecord {
        partition: &c.partition,
        cursor_before,
        cursor_after,
        feed_id: acked.feed_id,
        ack_sent: acked.ack_sent,
        ack_received: acked.ack_received,
        received_at: c.received_at,
        size: c.size,
        latency_ms: c.latency.as_millis() as u64,
        events: c.events.iter().map(new_event).collect(),
    }
}

/// What a recording has kept so far in this run.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub chunks: u64,
    pub events: u64,
    pub duplicates: usize,
    pub retries: u64,
    /// The last chunk's sequence number in the recording.
    pub last_seq: i64,
    pub last_event_time: Option<i64>,
}

/// What a caller does after each commit.
type OnKept<'j> = Box<dyn FnMut(&Tally, &dyn ChunkView) + 'j>;

/// Commits chunks into one recording of a journal.
pub struct Recorder<'j> {
    journal: &'j mut Journal,
    recording: i64,
    /// Stop once at least this many events are stored (the chunk that crosses it is stored whole).
    count: Option<u64>,
    pub tally: Tally,
    /// Shown as each notice arrives (stderr, above a progress bar).
    announce: Box<dyn FnMut(&Notice) + 'j>,
    /// Told after each commit (progress, or the demo's printing).
    kept: OnKept<'j>,
}

/// The parts of a committed chunk a caller may want to show, whatever its source.
pub trait ChunkView {
    fn number(&self) -> u64;
    fn partition(&self) -> &str;
    fn received_at(&self) -> i64;
}

impl<E, A> ChunkView for Chunk<E, A> {
    fn number(&self) -> u64 {
        self.number
    }
    fn partition(&self) -> &str {
        &self.partition
    }
    fn received_at(&self) -> i64 {
        self.received_at
    }
}

impl<'j> Recorder<'j> {
    pub fn new(journal: &'j mut Journal, recording: i64, count: Option<u64>) -> Self {
        Recorder {
            journal,
            recording,
            count,
            tally: Tally::default(),
            announce: Box::new(|_| {}),
            kept: Box::new(|_, _| {}),
        }
    }

    pub fn on_notice(mut self, f: impl FnMut(&Notice) + 'j) -> Self {
        self.announce = Box::new(f);
        self
    }

    pub fn on_kept(mut self, f: impl FnMut(&Tally, &dyn ChunkView) + 'j) -> Self {
        self.kept = Box::new(f);
        self
    }

    /// Keeps a chunk: one transaction with its events and the new marker.
    fn commit<E: FeedEvent, A: Ack>(&mut self, chunk: &Chunk<E, A>) -> Result<(), JournalError> {
        let (before, after) = (chunk.cursor_before.to_json(), chunk.cursor_after.to_json());
        let record = chunk_record(chunk, &before, &after);
        let (seq, dups) = self.journal.append_chunk(self.recording, &record, true)?;
        let t = &mut self.tally;
        t.chunks += 1;
        t.events += chunk.events.len() as u64;
        t.duplicates += dups;
        t.last_seq = seq;
        if let Some(ts) = chunk
            .events
            .iter()
            .filter_map(|e| e.columns().timestamp)
            .max()
        {
            t.last_event_time = Some(ts);
        }
        Ok(())
    }
}

impl<E: FeedEvent, A: Ack> Keeper<E, A> for Recorder<'_> {
    fn announce(&mut self, notice: &Notice) {
        (self.announce)(notice)
    }

    fn note(&mut self, notice: Notice) -> anyhow::Result<()> {
        match notice {
            Notice::Retry { .. } => self.tally.retries += 1,
            Notice::Gap {
                partition,
                cursor,
                replaced,
                reason,
                lost,
                ..
            } => {
                let (old, new) = replaced.unzip();
                self.journal.add_gap(
                    self.recording,
                    &NewGap {
                        partition: &partition,
                        reason: &reason,
                        old_feed: old.as_deref(),
                        new_feed: new.as_deref(),
                        cursor_after: &cursor.to_json(),
                        lost,
                    },
                )?
            }
            Notice::Opened {
                partition, cursor, ..
            } => self
                .journal
                .set_marker(self.recording, &partition, &cursor.to_json())?,
            _ => {}
        }
        Ok(())
    }

    fn keep(&mut self, chunk: &Chunk<E, A>) -> anyhow::Result<Next> {
        self.commit(chunk)?;
        (self.kept)(&self.tally, chunk);
        Ok(match self.count {
            Some(c) if self.tally.events >= c => Next::Finish,
            _ => Next::Continue,
        })
    }
}
