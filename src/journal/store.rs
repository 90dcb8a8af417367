//! Opening a journal safely (identity check before any write, 0600, single writer), writing
//! chunks atomically with their marker, and the queries behind `journal` commands.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::bloom::{key_hash, Bloom};
use super::schema::{APPLICATION_ID, MIGRATIONS};
use super::JournalError;

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

#[derive(Debug, Clone, Serialize)]
pub struct Recording {
    pub id: i64,
    pub name: String,
    pub source: String,
    #[serde(rename = "podUrl")]
    pub pod_url: Option<String>,
    pub username: Option<String>,
    #[serde(rename = "botUserId")]
    pub bot_user_id: Option<i64>,
    #[serde(rename = "createdAt")]
    pub created_at: i64,
    pub chunks: i64,
    pub events: i64,
    pub duplicates: i64,
    pub gaps: i64,
}

/// A stored event, as `journal show` and `export` see it.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    #[serde(rename = "row")]
    pub row_id: i64,
    pub recording: String,
    pub chunk: i64,
    #[serde(rename = "receivedAt")]
    pub received_at: i64,
    #[serde(rename = "feedId")]
    pub feed_id: Option<String>,
    #[serde(rename = "eventId")]
    pub event_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub timestamp: Option<i64>,
    #[serde(rename = "streamId")]
    pub stream_id: Option<String>,
    #[serde(rename = "initiatorId")]
    pub initiator_id: Option<i64>,
    #[serde(rename = "duplicateOf")]
    pub duplicate_of: Option<i64>,
    #[serde(skip)]
    pub raw: String,
}

/// What `journal info` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub path: String,
    pub bytes: u64,
    pub recordings: Vec<Recording>,
    pub events: i64,
    pub chunks: i64,
    pub duplicates: i64,
    pub gaps: i64,
    #[serde(rename = "firstTimestamp")]
    pub first_timestamp: Option<i64>,
    #[serde(rename = "lastTimestamp")]
    pub last_timestamp: Option<i64>,
    #[serde(rename = "byType")]
    pub by_type: Vec<(String, i64)>,
    #[serde(rename = "byStream")]
    pub by_stream: Vec<(String, i64)>,
}

/// Filters for `journal show` and `export`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub recording: Option<String>,
    pub types: Vec<String>,
    pub streams: Vec<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub limit: Option<u64>,
    /// Chunk numbers, inclusive.
    pub chunks: Option<(i64, i64)>,
    pub skip_duplicates: bool,
    /// Only events whose last result in this replay run was not `handled`.
    pub failed_in_run: Option<i64>,
}

/// A message a bot sent while being served.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    #[serde(rename = "streamId")]
    pub stream_id: String,
    pub message: Option<String>,
    pub data: Option<String>,
    #[serde(rename = "answersEventRow")]
    pub answers_event_row: Option<i64>,
    #[serde(rename = "answersEvent")]
    pub answers_event: Option<String>,
    #[serde(skip)]
    pub request: Option<String>,
}

/// One handler run to store with its replay run.
#[derive(Debug, Clone)]
pub struct ResultRow<'a> {
    pub event_row: i64,
    pub attempt: u32,
    pub outcome: &'a str,
    pub exit_status: Option<i32>,
    pub duration_ms: u64,
    pub stdout_head: &'a str,
    pub stderr_head: &'a str,
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// Held by a writer for as long as the journal is open.
    _lock: Option<File>,
    /// Per recording: the dedupe keys stored so far, loaded on the first write.
    seen: std::collections::HashMap<i64, Bloom>,
}

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Journal {
    fn sql(&self, source: rusqlite::Error) -> JournalError {
        sql_error(&self.path, source)
    }

    /// Opens (creating it 0600 if missing) for writing; fails at once if another process writes it.
    pub fn open_for_write(path: &Path) -> Result<Self, JournalError> {
        if !path.exists() {
            create_private(path)?;
        }
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Locked {
                    path: path.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(path, e)),
        }
        let conn = Connection::open(path).map_err(|e| sql_error(path, e))?;
        let mut j = Journal {
            conn,
            path: path.to_path_buf(),
            _lock: Some(lock),
            seen: Default::default(),
        };
        j.check_identity()?;
        j.conn
            // NORMAL is durable against process crashes and kills (the WAL is written before
            // commit returns); only a power cut can lose the last commits. Foreign keys are
            // declared for readers and checked by `journal verify`, not on every insert: the
            // lookups cost more than the inserts (the writer is the only writer).
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;
                 PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 4000;",
            )
            .map_err(|e| j.sql(e))?;
        j.migrate()?;
        Ok(j)
    }

    /// Opens an existing journal for reading.
    pub fn open_read(path: &Path) -> Result<Self, JournalError> {
        if !path.is_file() {
            return Err(JournalError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| sql_error(path, e))?;
        let j = Journal {
            conn,
            path: path.to_path_buf(),
            _lock: None,
            seen: Default::default(),
        };
        let version = j.check_identity()?;
        if version == 0 {
            return Err(JournalError::NotAJournal {
                path: path.to_path_buf(),
                why: "an empty file".into(),
            });
        }
        if (version as usize) < MIGRATIONS.len() {
            // An older journal: upgrade it through a writer, then read.
            drop(j);
            drop(Journal::open_for_write(path)?);
            return Journal::open_read(path);
        }
        Ok(j)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads application id and schema version before anything is written, so a file that is
    /// not ours is never modified. Returns the schema version.
    fn check_identity(&self) -> Result<i64, JournalError> {
        let not_ours = |why: &str| JournalError::NotAJournal {
            path: self.path.clone(),
            why: why.to_string(),
        };
        let app: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if matches!(
                        f.code,
                        rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
                    ) =>
                {
                    not_ours("not an SQLite database, or a damaged one")
                }
                e => self.sql(e),
            })?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if app == 0 && version == 0 {
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|_| not_ours("not an SQLite database, or a damaged one"))?;
            if tables > 0 {
                return Err(not_ours("an SQLite database of another program"));
            }
            return Ok(0);
        }
        if app != APPLICATION_ID {
            return Err(not_ours("an SQLite database of another program"));
        }
        if version > MIGRATIONS.len() as i64 {
            return Err(JournalError::TooNew {
                path: self.path.clone(),
                found: version,
                known: MIGRATIONS.len() as i64,
            });
        }
        Ok(version)
    }

    fn migrate(&mut self) -> Result<(), JournalError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| sql_error(&self.path, e))?;
            tx.execute_batch(sql)
                .map_err(|e| sql_error(&self.path, e))?;
            tx.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
                i + 1
            ))
            .map_err(|e| sql_error(&self.path, e))?;
            tx.commit().map_err(|e| sql_error(&self.path, e))?;
        }
        Ok(())
    }

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

    pub fn recordings(&self) -> Result<Vec<Recording>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.name, r.source, r.pod_url, r.username, r.created_at, r.bot_user_id,
                        (SELECT count(*) FROM chunks c WHERE c.recording_id = r.id),
                        (SELECT coalesce(sum(event_count), 0) FROM chunks c WHERE c.recording_id = r.id),
                        (SELECT coalesce(sum(duplicates), 0) FROM chunks c WHERE c.recording_id = r.id),
                        (SELECT count(*) FROM gaps g WHERE g.recording_id = r.id)
                 FROM recordings r ORDER BY r.id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Recording {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    source: r.get(2)?,
                    pod_url: r.get(3)?,
                    username: r.get(4)?,
                    created_at: r.get(5)?,
                    bot_user_id: r.get(6)?,
                    chunks: r.get(7)?,
                    events: r.get(8)?,
                    duplicates: r.get(9)?,
                    gaps: r.get(10)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Counts by type, stream and recording, time range, duplicates, gaps and size.
    pub fn summary(&self) -> Result<Summary, JournalError> {
        let recordings = self.recordings()?;
        let events = recordings.iter().map(|r| r.events).sum();
        let chunks = recordings.iter().map(|r| r.chunks).sum();
        let duplicates = recordings.iter().map(|r| r.duplicates).sum();
        let gaps = recordings.iter().map(|r| r.gaps).sum();
        let (first, last): (Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT min(timestamp), max(timestamp) FROM events",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.sql(e))?;
        let group = |sql: &str| -> Result<Vec<(String, i64)>, JournalError> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        r.get(1)?,
                    ))
                })
                .map_err(|e| self.sql(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
        };
        let by_type = group(
            "SELECT type, sum(events) AS n FROM event_counts GROUP BY type ORDER BY n DESC, type",
        )?;
        let by_stream = group("SELECT stream_id, sum(events) AS n FROM event_counts GROUP BY stream_id ORDER BY n DESC, stream_id")?;
        let bytes = ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", self.path.display())).ok())
            .map(|m| m.len())
            .sum();
        Ok(Summary {
            path: self.path.display().to_string(),
            bytes,
            recordings,
            events,
            chunks,
            duplicates,
            gaps,
            first_timestamp: first,
            last_timestamp: last,
            by_type,
            by_stream,
        })
    }

    /// Stored events in recording, chunk and position order, filtered; `each` is called per row.
    pub fn events(
        &self,
        sel: &Selection,
        mut each: impl FnMut(EventRow) -> bool,
    ) -> Result<(), JournalError> {
        // One recording at a time, in row order: rows are inserted in delivery order, so row
        // order is chunk and position order, and no sort of the whole journal is needed.
        let recordings: Vec<(i64, String)> = self
            .recordings()?
            .into_iter()
            .filter(|r| sel.recording.as_ref().is_none_or(|name| *name == r.name))
            .map(|r| (r.id, r.name))
            .collect();
        let mut left = sel.limit;
        for (id, _) in recordings {
            if left == Some(0) {
                break;
            }
            let mut one = sel.clone();
            one.recording = None;
            let (filter, mut args) = filter(&one);
            let mut sql = format!(
                "SELECT e.id, r.name, c.seq, c.received_at, c.feed_id, e.event_id, e.type, e.timestamp, e.stream_id, e.initiator_id, e.duplicate_of, e.raw{filter} AND e.recording_id = ? ORDER BY e.id"
            );
            args.push(id.into());
            if let Some(limit) = left {
                sql.push_str(&format!(" LIMIT {limit}"));
            }
            let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(args))
                .map_err(|e| self.sql(e))?;
            let mut stop = false;
            while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
                let row = (|| -> rusqlite::Result<EventRow> {
                    Ok(EventRow {
                        row_id: r.get(0)?,
                        recording: r.get(1)?,
                        chunk: r.get(2)?,
                        received_at: r.get(3)?,
                        feed_id: r.get(4)?,
                        event_id: r.get(5)?,
                        event_type: r.get(6)?,
                        timestamp: r.get(7)?,
                        stream_id: r.get(8)?,
                        initiator_id: r.get(9)?,
                        duplicate_of: r.get(10)?,
                        raw: r.get(11)?,
                    })
                })()
                .map_err(|e| self.sql(e))?;
                if let Some(l) = left.as_mut() {
                    *l -= 1;
                }
                if !each(row) {
                    stop = true;
                    break;
                }
            }
            if stop {
                break;
            }
        }
        Ok(())
    }

    /// How many events a selection holds (ignoring its limit).
    pub fn count_events(&self, sel: &Selection) -> Result<u64, JournalError> {
        let (filter, args) = filter(sel);
        self.conn
            .query_row(
                &format!("SELECT count(*){filter}"),
                rusqlite::params_from_iter(args),
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }

    /// Starts a replay run; returns its id.
    pub fn start_run(&self, command: &str, options: &str) -> Result<i64, JournalError> {
        self.conn
            .execute(
                "INSERT INTO replay_runs (started_at, command, options, status) VALUES (?1, ?2, ?3, 'running')",
                params![now_millis(), command, options],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stores handler results of a run in one transaction.
    pub fn store_results(&mut self, run: i64, rows: &[ResultRow]) -> Result<(), JournalError> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO replay_results (run_id, event_row_id, attempt, outcome, exit_status, duration_ms, stdout_head, stderr_head)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(e)?;
            for r in rows {
                let (out, err) = (
                    Some(r.stdout_head).filter(|s| !s.is_empty()),
                    Some(r.stderr_head).filter(|s| !s.is_empty()),
                );
                insert
                    .execute(params![
                        run,
                        r.event_row,
                        r.attempt,
                        r.outcome,
                        r.exit_status,
                        r.duration_ms as i64,
                        out,
                        err
                    ])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    pub fn finish_run(&self, run: i64, status: &str) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE replay_runs SET finished_at = ?1, status = ?2 WHERE id = ?3",
                params![now_millis(), status, run],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    pub fn run_exists(&self, run: i64) -> Result<bool, JournalError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM replay_runs WHERE id = ?1",
                [run],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| self.sql(e))
    }

    /// Stores a message a served bot sent; returns its row id.
    pub fn add_outbox(&self, m: &OutboxMessage) -> Result<i64, JournalError> {
        self.conn
            .execute(
                "INSERT INTO outbox (at, stream_id, message, data, answers_event_id, answers_event, request) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![m.at, m.stream_id, m.message, m.data, m.answers_event_row, m.answers_event, m.request],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The latest messages of the outbox, oldest first.
    pub fn outbox(&self, limit: u64) -> Result<Vec<OutboxMessage>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, at, stream_id, message, data, answers_event_id, answers_event, request FROM
                 (SELECT * FROM outbox ORDER BY id DESC LIMIT ?1) ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(OutboxMessage {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    stream_id: r.get(2)?,
                    message: r.get(3)?,
                    data: r.get(4)?,
                    answers_event_row: r.get(5)?,
                    answers_event: r.get(6)?,
                    request: r.get(7)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// The FROM and WHERE part of a selection, with its arguments.
fn filter(sel: &Selection) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::from(
            " FROM events e JOIN chunks c ON c.id = e.chunk_id JOIN recordings r ON r.id = e.recording_id WHERE 1 = 1",
        );
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(name) = &sel.recording {
        sql.push_str(" AND r.name = ?");
        args.push(name.clone().into());
    }
    if !sel.types.is_empty() {
        sql.push_str(&format!(
            " AND e.type IN ({})",
            vec!["?"; sel.types.len()].join(",")
        ));
        args.extend(sel.types.iter().map(|t| t.clone().into()));
    }
    if !sel.streams.is_empty() {
        sql.push_str(&format!(
            " AND e.stream_id IN ({})",
            vec!["?"; sel.streams.len()].join(",")
        ));
        args.extend(sel.streams.iter().map(|t| t.clone().into()));
    }
    if let Some(since) = sel.since {
        sql.push_str(" AND e.timestamp >= ?");
        args.push(since.into());
    }
    if let Some(until) = sel.until {
        sql.push_str(" AND e.timestamp < ?");
        args.push(until.into());
    }
    if let Some((from, to)) = sel.chunks {
        sql.push_str(" AND c.seq BETWEEN ? AND ?");
        args.push(from.into());
        args.push(to.into());
    }
    if sel.skip_duplicates {
        sql.push_str(" AND e.duplicate_of IS NULL");
    }
    if let Some(run) = sel.failed_in_run {
        sql.push_str(
                " AND e.id IN (SELECT rr.event_row_id FROM replay_results rr WHERE rr.run_id = ?
                   AND rr.id = (SELECT max(id) FROM replay_results WHERE run_id = rr.run_id AND event_row_id = rr.event_row_id)
                   AND rr.outcome != 'handled')",
            );
        args.push(run.into());
    }
    (sql, args)
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

/// Creates the journal file with owner-only permissions before SQLite touches it.
fn create_private(path: &Path) -> Result<(), JournalError> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}

fn io(path: &Path, source: std::io::Error) -> JournalError {
    JournalError::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

pub(super) fn sql_error(path: &Path, source: rusqlite::Error) -> JournalError {
    match &source {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            JournalError::NotAJournal {
                path: path.to_path_buf(),
                why: format!("damaged: {source}; `feedctl journal verify` tells more"),
            }
        }
        _ => JournalError::Sqlite {
            path: path.to_path_buf(),
            error: source,
        },
    }
}
