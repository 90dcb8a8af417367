//! Writing: recordings, chunks with their events and marker in one transaction, markers, gaps.

use rusqlite::{params, Connection, OptionalExtension};

use super::bloom::{key_hash, Bloom};
use super::open::{now_millis, sql_error};
use super::{Journal, JournalError, Recording};

/// One event to store, with its indexed columns already extracted by the caller.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub raw: &'a str,
    pub event_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub timestamp: Option<i64>,
    pub stream_id: Option<&'a str>,
    pub initiator_id: Option<i64>,
    pub message_id: Option<&'a str>,
    pub dedupe_key: String,
}

/// One delivery to store.
#[derive(Debug, Clone)]
pub struct ChunkRecord<'a> {
    pub feed_id: Option<&'a str>,
    pub ack_sent: Option<&'a str>,
    pub ack_received: Option<&'a str>,
    pub received_at: i64,
    pub size: usize,
    pub latency_ms: u64,
    pub events: Vec<NewEvent<'a>>,
}

impl Journal {
    /// The recording called `name`, created if it does not exist yet.
    pub fn recording(
        &self,
        name: &str,
        source: &str,
        pod_url: Option<&str>,
        username: Option<&str>,
    ) -> Result<Recording, JournalError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO recordings (name, source, pod_url, username, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, source, pod_url, username, now_millis()],
            )
            .map_err(|e| self.sql(e))?;
        self.recordings()?
            .into_iter()
            .find(|r| r.name == name)
            .ok_or_else(|| JournalError::Invalid(format!("recording {name} vanished")))
    }

    /// Remembers who the recording bot is, so `serve` can present the same identity.
    pub fn set_bot_user_id(&self, recording: i64, user_id: i64) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE recordings SET bot_user_id = ?1 WHERE id = ?2",
                params![user_id, recording],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Where a recording stands: (feed id, ackId to send next, last chunk seq).
    pub fn marker(&self, recording: i64) -> Result<Option<(String, String, i64)>, JournalError> {
        self.conn
            .query_row(
                "SELECT feed_id, ack_id, chunk_seq FROM markers WHERE recording_id = ?1",
                [recording],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Stores a chunk, its events and the new marker in one transaction. Returns the chunk's
    /// sequence number and how many of its events repeat earlier deliveries.
    pub fn append_chunk(
        &mut self,
        recording: i64,
        chunk: &ChunkRecord,
        marker: Option<(&str, &str)>,
    ) -> Result<(i64, usize), JournalError> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        let seq: i64 = tx
            .query_row(
                "SELECT coalesce(max(seq), 0) + 1 FROM chunks WHERE recording_id = ?1",
                [recording],
                |r| r.get(0),
            )
            .map_err(e)?;
        tx.execute(
            "INSERT INTO chunks (recording_id, seq, feed_id, ack_sent, ack_received, received_at, size, latency_ms, event_count, duplicates)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)",
            params![recording, seq, chunk.feed_id, chunk.ack_sent, chunk.ack_received, chunk.received_at, chunk.size as i64, chunk.latency_ms as i64, chunk.events.len() as i64],
        )
        .map_err(e)?;
        let chunk_id = tx.last_insert_rowid();
        let mut duplicates = 0;
        if !self.seen.contains_key(&recording) {
            self.seen
                .insert(recording, load_seen(&tx, recording).map_err(e)?);
        }
        let seen = self.seen.get_mut(&recording).expect("loaded above");
        {
            let mut first = tx
                .prepare_cached(
                    "SELECT id FROM events WHERE timestamp IS ?2 AND recording_id = ?1 AND dedupe_key = ?3 AND duplicate_of IS NULL LIMIT 1",
                )
                .map_err(e)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (recording_id, chunk_id, position, event_id, type, timestamp, stream_id, initiator_id, message_id, dedupe_key, duplicate_of, raw)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(e)?;
            for (pos, ev) in chunk.events.iter().enumerate() {
                let hash = key_hash(&ev.dedupe_key);
                // Only a key the filter may have seen needs the index.
                let dup: Option<i64> = if seen.maybe_contains(hash) {
                    first
                        .query_row(params![recording, ev.timestamp, ev.dedupe_key], |r| {
                            r.get(0)
                        })
                        .optional()
                        .map_err(e)?
                } else {
                    None
                };
                if dup.is_some() {
                    duplicates += 1;
                }
                insert
                    .execute(params![
                        recording,
                        chunk_id,
                        pos as i64,
                        ev.event_id,
                        ev.event_type,
                        ev.timestamp,
                        ev.stream_id,
                        ev.initiator_id,
                        ev.message_id,
                        ev.dedupe_key,
                        dup,
                        ev.raw
                    ])
                    .map_err(e)?;
                seen.insert(hash);
            }
        }
        {
            let mut counts: std::collections::BTreeMap<(&str, &str), i64> = Default::default();
            for ev in &chunk.events {
                *counts
                    .entry((ev.event_type.unwrap_or(""), ev.stream_id.unwrap_or("")))
                    .or_default() += 1;
            }
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO event_counts (recording_id, type, stream_id, events) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (recording_id, type, stream_id) DO UPDATE SET events = events + ?4",
                )
                .map_err(e)?;
            for ((ty, stream), n) in counts {
                upsert
                    .execute(params![recording, ty, stream, n])
                    .map_err(e)?;
            }
        }
        if duplicates > 0 {
            tx.execute(
                "UPDATE chunks SET duplicates = ?1 WHERE id = ?2",
                params![duplicates as i64, chunk_id],
            )
            .map_err(e)?;
        }
        if let Some((feed, ack)) = marker {
            tx.execute(
                "INSERT INTO markers (recording_id, feed_id, ack_id, chunk_seq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (recording_id) DO UPDATE SET feed_id = ?2, ack_id = ?3, chunk_seq = ?4, updated_at = ?5",
                params![recording, feed, ack, seq, now_millis()],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok((seq, duplicates))
    }

    /// Records that the feed was replaced and events in between may be missing; the marker
    /// moves to the new feed with an empty cursor.
    pub fn add_gap(
        &mut self,
        recording: i64,
        old_feed: &str,
        new_feed: &str,
        reason: &str,
    ) -> Result<(), JournalError> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        let after: i64 = tx
            .query_row(
                "SELECT coalesce(max(seq), 0) FROM chunks WHERE recording_id = ?1",
                [recording],
                |r| r.get(0),
            )
            .map_err(e)?;
        tx.execute(
            "INSERT INTO gaps (recording_id, after_chunk_seq, old_feed_id, new_feed_id, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![recording, after, old_feed, new_feed, reason, now_millis()],
        )
        .map_err(e)?;
        tx.execute(
            "INSERT INTO markers (recording_id, feed_id, ack_id, chunk_seq, updated_at) VALUES (?1, ?2, '', ?3, ?4)
             ON CONFLICT (recording_id) DO UPDATE SET feed_id = ?2, ack_id = '', chunk_seq = ?3, updated_at = ?4",
            params![recording, new_feed, after, now_millis()],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// Sets the marker of a recording outside a chunk (a new feed before its first chunk).
    pub fn set_marker(
        &mut self,
        recording: i64,
        feed: &str,
        ack: &str,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO markers (recording_id, feed_id, ack_id, chunk_seq, updated_at)
                 VALUES (?1, ?2, ?3, (SELECT coalesce(max(seq), 0) FROM chunks WHERE recording_id = ?1), ?4)
                 ON CONFLICT (recording_id) DO UPDATE SET feed_id = ?2, ack_id = ?3, updated_at = ?4",
                params![recording, feed, ack, now_millis()],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }
}

/// The dedupe keys a recording already holds, for a writer's first chunk.
fn load_seen(conn: &Connection, recording: i64) -> rusqlite::Result<Bloom> {
    let mut bloom = Bloom::new();
    let mut stmt = conn.prepare("SELECT dedupe_key FROM events WHERE recording_id = ?1")?;
    let mut rows = stmt.query([recording])?;
    while let Some(r) = rows.next()? {
        bloom.insert(key_hash(r.get_ref(0)?.as_str()?));
    }
    Ok(bloom)
}
