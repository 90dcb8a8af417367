//! Writing: recordings, chunks with their events and marker in one transaction, markers, gaps.
//! Cursors are JSON text that only their source reads; the journal stores and returns them.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::bloom::{key_hash, Bloom};
use super::in_place;
use super::open::{now_millis, sql_error};
use super::{Journal, JournalError, Recording};

/// One event to store, with its indexed columns already extracted by the caller.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The exact bytes received: stored as TEXT when they are UTF-8 (Symphony's JSON always
    /// is), as a BLOB otherwise.
    pub raw: &'a [u8],
    pub event_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub timestamp: Option<i64>,
    pub stream_id: Option<&'a str>,
    pub initiator_id: Option<i64>,
    pub message_id: Option<&'a str>,
    pub dedupe_key: String,
}

/// A recording to find or create: its name and where its events come from.
#[derive(Debug, Clone, Default)]
pub struct NewRecording<'a> {
    pub name: &'a str,
    /// The source kind: 'symphony', 'redis', 'salesforce', 'import'.
    pub kind: &'a str,
    /// The schema-1 label, kept for readers of that column: 'datafeed-v2', 'datafeed-v1', 'import'.
    pub source: &'a str,
    /// The SOURCE as the user gave it, without secrets.
    pub description: Option<&'a str>,
    pub pod_url: Option<&'a str>,
    pub username: Option<&'a str>,
}

/// One delivery to store.
#[derive(Debug, Clone)]
pub struct ChunkRecord<'a> {
    /// The part of the source it came from ('datafeed' for Symphony, 'import' for imports).
    pub partition: &'a str,
    /// Where the partition stood before and after this delivery (JSON).
    pub cursor_before: &'a str,
    pub cursor_after: &'a str,
    // Symphony's own columns; None for other sources.
    pub feed_id: Option<&'a str>,
    pub ack_sent: Option<&'a str>,
    pub ack_received: Option<&'a str>,
    pub received_at: i64,
    pub size: usize,
    pub latency_ms: u64,
    pub events: Vec<NewEvent<'a>>,
}

impl<'a> ChunkRecord<'a> {
    /// A chunk of an import that keeps no cursor (hand-written hopeit payloads): partition
    /// `import`, empty cursors, its size the events' bytes.
    pub fn imported(events: Vec<NewEvent<'a>>, received_at: i64) -> Self {
        ChunkRecord {
            partition: "import",
            cursor_before: "{}",
            cursor_after: "{}",
            feed_id: None,
            ack_sent: None,
            ack_received: None,
            received_at,
            size: events.iter().map(|e| e.raw.len()).sum(),
            latency_ms: 0,
            events,
        }
    }
}

/// Where a partition of a recording stands: the cursor to resume from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub partition: String,
    /// JSON, as the source wrote it.
    pub cursor: String,
    /// The partition's last chunk that the cursor acknowledges (0 before its first chunk).
    pub chunk_seq: i64,
}

/// A place where events may be missing: the partition had to restart from `cursor_after`.
#[derive(Debug, Clone)]
pub struct NewGap<'a> {
    pub partition: &'a str,
    pub reason: &'a str,
    /// Symphony: the feed that was gone and the one that replaced it.
    pub old_feed: Option<&'a str>,
    pub new_feed: Option<&'a str>,
    pub cursor_after: &'a str,
    /// How many events were lost, where the source counted them; `None`: unknown.
    pub lost: Option<u64>,
}

/// An event's first delivery in its recording, by timestamp and dedupe key: one seek down
/// `events_by_time (timestamp, dedupe_key)` whatever the number of events sharing the
/// timestamp.
pub(super) const FIRST_DELIVERY: &str = "SELECT id FROM events WHERE timestamp IS ?2 AND recording_id = ?1 AND dedupe_key = ?3 AND duplicate_of IS NULL LIMIT 1";

const INSERT_EVENT: &str = "INSERT INTO events (recording_id, chunk_id, position, event_id, type, timestamp, stream_id, initiator_id, message_id, dedupe_key, duplicate_of, raw, partition)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

/// Binds raw bytes as TEXT when they are UTF-8, so `sqlite3` users can read and `json_extract`
/// them, and as a BLOB otherwise.
fn raw_value(raw: &[u8]) -> ToSqlOutput<'_> {
    match std::str::from_utf8(raw) {
        Ok(_) => ToSqlOutput::Borrowed(ValueRef::Text(raw)),
        Err(_) => ToSqlOutput::Borrowed(ValueRef::Blob(raw)),
    }
}

/// Sets a partition's marker; `chunk_seq` is the partition's last chunk: `seq` when the caller
/// just wrote it (every chunk: looking it up would scan the recording's chunks each time), else
/// looked up (gaps and fresh partitions, which are rare).
fn upsert_marker(
    tx: &Transaction,
    recording: i64,
    partition: &str,
    cursor: &str,
    seq: Option<i64>,
) -> rusqlite::Result<()> {
    let sql = match seq {
        Some(_) => {
            "INSERT INTO markers (recording_id, partition, cursor, chunk_seq, updated_at)
             VALUES (?1, ?2, ?3, ?5, ?4)
             ON CONFLICT (recording_id, partition) DO UPDATE SET cursor = excluded.cursor,
                 chunk_seq = excluded.chunk_seq, updated_at = excluded.updated_at"
        }
        None => {
            "INSERT INTO markers (recording_id, partition, cursor, chunk_seq, updated_at)
             VALUES (?1, ?2, ?3, (SELECT coalesce(max(seq), 0) FROM chunks WHERE recording_id = ?1 AND partition = ?2), ?4)
             ON CONFLICT (recording_id, partition) DO UPDATE SET cursor = excluded.cursor,
                 chunk_seq = excluded.chunk_seq, updated_at = excluded.updated_at"
        }
    };
    let mut stmt = tx.prepare_cached(sql)?;
    match seq {
        Some(seq) => stmt.execute(params![recording, partition, cursor, now_millis(), seq]),
        None => stmt.execute(params![recording, partition, cursor, now_millis()]),
    }
    .map(|_| ())
}

impl Journal {
    /// The recording called `name`, created if it does not exist yet.
    pub fn recording(&self, r: &NewRecording) -> Result<Recording, JournalError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO recordings (name, source_kind, source, description, pod_url, username, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![r.name, r.kind, r.source, r.description, r.pod_url, r.username, now_millis()],
            )
            .map_err(|e| self.sql(e))?;
        self.recordings()?
            .into_iter()
            .find(|rec| rec.name == r.name)
            .ok_or_else(|| JournalError::Invalid(format!("recording {} vanished", r.name)))
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

    /// Where each partition of a recording stands, by partition name.
    pub fn markers(&self, recording: i64) -> Result<Vec<Marker>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT partition, cursor, chunk_seq FROM markers WHERE recording_id = ?1 ORDER BY partition",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([recording], |r| {
                Ok(Marker {
                    partition: r.get(0)?,
                    cursor: r.get(1)?,
                    chunk_seq: r.get(2)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Stores a chunk, its events and (with `update_marker`) its partition's marker at
    /// `cursor_after`, in one transaction. Returns the chunk's sequence number and how many of
    /// its events repeat earlier deliveries.
    pub fn append_chunk(
        &mut self,
        recording: i64,
        chunk: &ChunkRecord,
        update_marker: bool,
    ) -> Result<(i64, usize), JournalError> {
        match self.append_chunk_tx(recording, chunk, update_marker) {
            Ok((seq, duplicates)) => {
                let s = &mut self.stored;
                s.first_seq.get_or_insert(seq);
                s.last_seq = seq;
                s.chunks += 1;
                s.events += chunk.events.len() as u64;
                Ok((seq, duplicates))
            }
            // Damage met past the check before the first write (a large journal): say exactly
            // what this run committed before it.
            Err(JournalError::Damaged { path, why }) => Err(JournalError::Damaged {
                path,
                why: format!("{why}; {}", self.stored.describe()),
            }),
            Err(e) => Err(e),
        }
    }

    fn append_chunk_tx(
        &mut self,
        recording: i64,
        chunk: &ChunkRecord,
        update_marker: bool,
    ) -> Result<(i64, usize), JournalError> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        // Cached statements, as for the events: preparing these for every chunk was 4% of
        // record's time.
        let seq: i64 = tx
            .prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM chunks WHERE recording_id = ?1")
            .and_then(|mut st| st.query_row([recording], |r| r.get(0)))
            .map_err(e)?;
        // The partition's figures that `journal info` shows, in this transaction; its events
        // so far number this chunk's (`events_through`).
        let events_through: i64 = tx
            .prepare_cached(
                "INSERT INTO partition_counts (recording_id, partition, chunks, events, duplicates, first_received_at, last_received_at, in_order)
                 VALUES (?1, ?2, 1, ?3, 0, ?4, ?4, 1)
                 ON CONFLICT (recording_id, partition) DO UPDATE SET chunks = chunks + 1, events = events + ?3,
                     first_received_at = min(first_received_at, ?4), last_received_at = max(last_received_at, ?4),
                     in_order = in_order AND ?4 >= last_received_at
                 RETURNING events",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![recording, chunk.partition, chunk.events.len() as i64, chunk.received_at],
                    |r| r.get(0),
                )
            })
            .map_err(e)?;
        tx.prepare_cached(
            "INSERT INTO chunks (recording_id, seq, partition, cursor_before, cursor_after, feed_id, ack_sent, ack_received, received_at, size, latency_ms, event_count, duplicates, events_through)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13)",
        )
        .and_then(|mut st| st.execute(params![recording, seq, chunk.partition, chunk.cursor_before, chunk.cursor_after, chunk.feed_id, chunk.ack_sent, chunk.ack_received, chunk.received_at, chunk.size as i64, chunk.latency_ms as i64, chunk.events.len() as i64, events_through]))
        .map_err(e)?;
        let chunk_id = tx.last_insert_rowid();
        let mut duplicates = 0;
        if let std::collections::hash_map::Entry::Vacant(v) = self.seen.entry(recording) {
            let stored: i64 = tx
                .prepare_cached(
                    "SELECT coalesce(sum(events), 0) FROM event_counts WHERE recording_id = ?1",
                )
                .and_then(|mut st| st.query_row([recording], |r| r.get(0)))
                .map_err(e)?;
            v.insert(load_seen(&tx, recording, stored.max(0) as u64).map_err(e)?);
        }
        let seen = self.seen.get_mut(&recording).expect("loaded above");
        {
            let mut first = tx.prepare_cached(FIRST_DELIVERY).map_err(e)?;
            let mut insert = tx.prepare_cached(INSERT_EVENT).map_err(e)?;
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
                let row = params![
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
                    raw_value(ev.raw),
                    chunk.partition
                ];
                // A large event's bytes are not copied by SQLite before it writes them: it
                // would hold them twice more, next to the caller's copy (docs/redis.md, Bounds).
                match ev.raw.len() >= in_place::FROM {
                    true => in_place::execute(&tx, INSERT_EVENT, row),
                    false => insert.execute(row).map(|_| ()),
                }
                .map_err(e)?;
                seen.insert(hash);
            }
            // Past the keys it was sized for, the filter answers "maybe" ever more often (a
            // lookup each): rebuilt for twice as many, from the keys stored.
            if seen.wants_more_room() {
                *seen = load_seen(&tx, recording, seen.keys() * 2).map_err(e)?;
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
            tx.prepare_cached(
                "UPDATE partition_counts SET duplicates = duplicates + ?3 WHERE recording_id = ?1 AND partition = ?2",
            )
            .and_then(|mut st| st.execute(params![recording, chunk.partition, duplicates as i64]))
            .map_err(e)?;
        }
        if update_marker {
            upsert_marker(
                &tx,
                recording,
                chunk.partition,
                chunk.cursor_after,
                Some(seq),
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok((seq, duplicates))
    }

    /// Records that a partition had to restart (a Symphony feed replaced, a Redis cursor
    /// trimmed away) so events in between may be missing, and moves the partition's marker to
    /// `cursor_after`, in one transaction.
    pub fn add_gap(&mut self, recording: i64, gap: &NewGap) -> Result<(), JournalError> {
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
            "INSERT INTO gaps (recording_id, after_chunk_seq, old_feed_id, new_feed_id, reason, at, partition, cursor_after, lost)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![recording, after, gap.old_feed, gap.new_feed, gap.reason, now_millis(), gap.partition, gap.cursor_after, gap.lost.map(|n| i64::try_from(n).unwrap_or(i64::MAX))],
        )
        .map_err(e)?;
        upsert_marker(&tx, recording, gap.partition, gap.cursor_after, None).map_err(e)?;
        tx.commit().map_err(e)
    }

    /// Sets a partition's marker outside a chunk (a new feed before its first chunk).
    pub fn set_marker(
        &mut self,
        recording: i64,
        partition: &str,
        cursor: &str,
    ) -> Result<(), JournalError> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        upsert_marker(&tx, recording, partition, cursor, None).map_err(e)?;
        tx.commit().map_err(e)
    }
}

/// The dedupe keys a recording already holds, for a writer's first chunk.
fn load_seen(conn: &Connection, recording: i64, keys: u64) -> rusqlite::Result<Bloom> {
    let mut bloom = Bloom::for_keys(keys);
    let mut stmt = conn.prepare("SELECT dedupe_key FROM events WHERE recording_id = ?1")?;
    let mut rows = stmt.query([recording])?;
    while let Some(r) = rows.next()? {
        bloom.insert(key_hash(r.get_ref(0)?.as_str()?));
    }
    Ok(bloom)
}
