//! `journal verify`: SQLite's own integrity check, then the journal's invariants.
//!
//! The invariants over events and chunks are checked in one pass over both tables, read side
//! by side in row order (a chunk's events follow each other), while SQLite's
//! `integrity_check` runs on a second connection in another thread. The pass only tells which
//! invariants may be broken; each of those is then found and described by its SQL query below,
//! so a journal in trouble gets the same report as before and a sound one is read once. The
//! SQL queries over small tables (recordings, markers, gaps) always run.

use std::collections::HashSet;
use std::hash::BuildHasher;

use rusqlite::types::ValueRef;
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::{Journal, JournalError};
use crate::FastMap;

/// One thing found wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub check: &'static str,
    pub detail: String,
}

/// The name of the check of references between tables.
const REFERENCES: &str = "references";

/// Each invariant as a query that returns one row per violation (a description), and whether
/// the pass over events and chunks covers it (its query then runs only when the pass found
/// something).
const INVARIANTS: &[(&str, &str, bool)] = &[
    (
        "chunk event counts",
        "WITH held AS (SELECT chunk_id, count(*) AS n FROM events GROUP BY chunk_id)
         SELECT 'chunk ' || c.seq || ' of recording ' || c.recording_id || ' says ' || c.event_count || ' events, holds ' || coalesce(h.n, 0)
         FROM chunks c LEFT JOIN held h ON h.chunk_id = c.id WHERE coalesce(h.n, 0) != c.event_count",
        true,
    ),
    (
        "chunk sequence",
        "SELECT 'recording ' || recording_id || ' has chunks 1..' || max(seq) || ' but ' || count(*) || ' chunks'
         FROM chunks GROUP BY recording_id HAVING max(seq) != count(*) OR min(seq) != 1",
        true,
    ),
    (
        "event positions",
        "SELECT 'chunk id ' || chunk_id || ' has positions that are not 0..n-1'
         FROM events GROUP BY chunk_id HAVING min(position) != 0 OR max(position) != count(*) - 1 OR count(DISTINCT position) != count(*)",
        true,
    ),
    (
        "duplicate links",
        "SELECT 'event ' || d.id || ' is marked a duplicate of ' || d.duplicate_of || ', which is not an earlier first delivery of the same event'
         FROM events d LEFT JOIN events f ON f.id = d.duplicate_of
         WHERE d.duplicate_of IS NOT NULL AND (f.id IS NULL OR f.dedupe_key != d.dedupe_key OR f.recording_id != d.recording_id
               OR f.duplicate_of IS NOT NULL OR f.id >= d.id)",
        true,
    ),
    (
        "first deliveries unique",
        "SELECT 'recording ' || recording_id || ': ' || count(*) || ' first deliveries of ' || dedupe_key
         FROM events WHERE duplicate_of IS NULL GROUP BY recording_id, dedupe_key HAVING count(*) > 1",
        true,
    ),
    (
        "chunk duplicate counts",
        "WITH held AS (SELECT chunk_id, count(duplicate_of) AS n FROM events GROUP BY chunk_id)
         SELECT 'chunk ' || c.seq || ' of recording ' || c.recording_id || ' counts ' || c.duplicates || ' duplicates, holds ' || coalesce(h.n, 0)
         FROM chunks c LEFT JOIN held h ON h.chunk_id = c.id WHERE coalesce(h.n, 0) != c.duplicates",
        true,
    ),
    (
        "event counts",
        "WITH actual AS (SELECT recording_id, coalesce(type, '') AS type, coalesce(stream_id, '') AS stream_id, count(*) AS n
                         FROM events GROUP BY 1, 2, 3)
         SELECT 'recording ' || coalesce(a.recording_id, c.recording_id) || ', type ' || coalesce(a.type, c.type) || ', stream ' ||
                coalesce(a.stream_id, c.stream_id) || ': counted ' || coalesce(c.events, 0) || ', stored ' || coalesce(a.n, 0)
         FROM actual a FULL JOIN event_counts c
              ON c.recording_id = a.recording_id AND c.type = a.type AND c.stream_id = a.stream_id
         WHERE coalesce(a.n, 0) != coalesce(c.events, 0)",
        true,
    ),
    // Schema 4: what `journal info` reads per partition is what its chunks hold.
    (
        "partition counts",
        "WITH actual AS (
             SELECT recording_id, partition, count(*) AS chunks, sum(event_count) AS events, sum(duplicates) AS duplicates,
                    min(received_at) AS first, max(received_at) AS last, min(coalesce(received_at >= previous, 1)) AS in_order
             FROM (SELECT recording_id, partition, event_count, duplicates, received_at,
                          lag(received_at) OVER (PARTITION BY recording_id, partition ORDER BY id) AS previous
                   FROM chunks)
             GROUP BY recording_id, partition)
         SELECT 'recording ' || coalesce(a.recording_id, k.recording_id) || ', partition ' || coalesce(a.partition, k.partition) ||
                ': kept ' || coalesce(k.chunks, 0) || ' chunks, ' || coalesce(k.events, 0) || ' events, ' ||
                coalesce(k.duplicates, 0) || ' duplicates, received ' || coalesce(k.first_received_at, '-') || '..' ||
                coalesce(k.last_received_at, '-') || ' in order ' || coalesce(k.in_order, '-') ||
                '; its chunks hold ' || coalesce(a.chunks, 0) || ' chunks, ' || coalesce(a.events, 0) || ' events, ' ||
                coalesce(a.duplicates, 0) || ' duplicates, received ' || coalesce(a.first, '-') || '..' ||
                coalesce(a.last, '-') || ' in order ' || coalesce(a.in_order, '-')
         FROM actual a FULL JOIN partition_counts k ON k.recording_id = a.recording_id AND k.partition = a.partition
         WHERE a.chunks IS NOT k.chunks OR a.events IS NOT k.events OR a.duplicates IS NOT k.duplicates
               OR a.first IS NOT k.first_received_at OR a.last IS NOT k.last_received_at OR a.in_order IS NOT k.in_order",
        true,
    ),
    (
        "chunk running counts",
        "SELECT 'chunk ' || seq || ' of recording ' || recording_id || ' says its partition held ' || events_through ||
                ' events up to it, its chunks hold ' || n
         FROM (SELECT seq, recording_id, events_through,
                      sum(event_count) OVER (PARTITION BY recording_id, partition ORDER BY id) AS n FROM chunks)
         WHERE events_through != n",
        true,
    ),
    // Only sources whose events are JSON text; a Redis entry may be any bytes.
    (
        "raw JSON",
        "SELECT 'event ' || e.id || ' does not hold a JSON object' FROM events e JOIN recordings r ON r.id = e.recording_id
         WHERE r.source_kind IN ('symphony', 'import')
           AND (typeof(e.raw) != 'text' OR json_valid(e.raw) = 0 OR json_type(e.raw) != 'object')",
        true,
    ),
    (
        "markers",
        "SELECT 'recording ' || m.recording_id || ', partition ' || m.partition || ': marker at chunk ' || m.chunk_seq || ', last chunk ' || coalesce(max(c.seq), 0)
         FROM markers m LEFT JOIN chunks c ON c.recording_id = m.recording_id AND c.partition = m.partition
         GROUP BY m.recording_id, m.partition HAVING m.chunk_seq != coalesce(max(c.seq), 0)",
        true,
    ),
    // Schema 2: what names a source, a partition and a cursor is there and readable.
    (
        "source kinds",
        "SELECT 'recording ' || id || ' (' || name || ') names no source kind' FROM recordings WHERE source_kind = ''",
        false,
    ),
    (
        "chunk partitions",
        "SELECT 'chunk ' || seq || ' of recording ' || recording_id || ' has no partition' FROM chunks WHERE partition = ''",
        true,
    ),
    (
        "event partitions",
        "SELECT 'event ' || e.id || ' is in partition ' || coalesce(e.partition, 'NULL') || ', its chunk in ' || c.partition
         FROM events e JOIN chunks c ON c.id = e.chunk_id WHERE e.partition IS NOT c.partition",
        true,
    ),
    (
        "chunk cursors",
        "SELECT 'chunk ' || seq || ' of recording ' || recording_id || ' has a cursor that is not JSON' FROM chunks
         WHERE json_valid(coalesce(cursor_before, '{}')) = 0 OR json_valid(coalesce(cursor_after, '{}')) = 0",
        true,
    ),
    (
        "marker cursors",
        "SELECT 'recording ' || recording_id || ', partition ' || partition || ': the marker cursor is not JSON'
         FROM markers WHERE json_valid(cursor) = 0",
        false,
    ),
    (
        "gap cursors",
        "SELECT 'gap ' || id || ' of recording ' || recording_id || ' has a cursor that is not JSON'
         FROM gaps WHERE json_valid(coalesce(cursor_after, '{}')) = 0",
        false,
    ),
    // Schema 3: a gap's loss is unknown (NULL) or a count.
    (
        "gap losses",
        "SELECT 'gap ' || id || ' of recording ' || recording_id || ' lost ' || quote(lost) || ' events, not a count'
         FROM gaps WHERE lost IS NOT NULL AND (typeof(lost) != 'integer' OR lost < 0)",
        false,
    ),
];

/// Tables whose references `PRAGMA foreign_key_check` checks table by table, as they are small
/// or point at events by row id; those of `events` and `chunks` are checked by the pass.
const REFERENCING_TABLES: &[&str] = &[
    "markers",
    "gaps",
    "replay_results",
    "outbox",
    "event_counts",
    "partition_counts",
];

/// The first deliveries' hashes held in memory at once (8 MiB); more go to a temporary file.
const FIRSTS_IN_MEMORY: usize = 1 << 20;

/// The events read between two calls of the progress callback.
const PROGRESS_EVERY: u64 = 4096;

impl Journal {
    /// Every problem found; an empty list means the journal is sound.
    pub fn verify(&self) -> Result<Vec<Problem>, JournalError> {
        self.verify_with_progress(|_, _| {})
    }

    /// [`Journal::verify`], calling `progress(row, last_row)` now and then during the pass over
    /// the events (row ids, so the total is known without counting).
    pub fn verify_with_progress(
        &self,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<Vec<Problem>, JournalError> {
        let sql_err = |e| super::open::sql_error(self.path(), e);
        // SQLite's check reads every page on its own connection while this one makes the pass.
        let path = self.path();
        let (integrity, pass) = std::thread::scope(|s| {
            let integrity = s.spawn(move || integrity_check(path));
            let pass = self.pass(&mut progress);
            let integrity = integrity.join().unwrap_or_else(|_| {
                Err(JournalError::Invalid("the integrity check stopped".into()))
            });
            (integrity, pass)
        });
        let lines = integrity?;
        if lines != ["ok"] {
            // Queries over a damaged file say nothing reliable.
            return Ok(lines
                .into_iter()
                .map(|detail| Problem {
                    check: "sqlite integrity",
                    detail,
                })
                .collect());
        }
        let suspects = match pass {
            Ok(suspects) => suspects,
            // A value of another type than the schema's (written by hand): the pass cannot
            // read it, each check's query can.
            Err(JournalError::Sqlite {
                error:
                    rusqlite::Error::InvalidColumnType(..)
                    | rusqlite::Error::FromSqlConversionFailure(..)
                    | rusqlite::Error::IntegralValueOutOfRange(..)
                    | rusqlite::Error::Utf8Error(..),
                ..
            }) => INVARIANTS
                .iter()
                .filter(|(_, _, by_pass)| *by_pass)
                .map(|(check, _, _)| *check)
                .chain([REFERENCES])
                .collect(),
            Err(e) => return Err(e),
        };
        let mut problems = Vec::new();
        let fk = |sql: &str| -> Result<Vec<Problem>, JournalError> {
            let mut stmt = self.conn().prepare(sql).map_err(sql_err)?;
            let found: Vec<String> = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "{} row {} breaks a reference to {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?
                    ))
                })
                .map_err(sql_err)?
                .collect::<Result<_, _>>()
                .map_err(sql_err)?;
            Ok(found
                .into_iter()
                .map(|detail| Problem {
                    check: REFERENCES,
                    detail,
                })
                .collect())
        };
        if suspects.contains(REFERENCES) {
            problems.extend(fk("PRAGMA foreign_key_check")?);
        } else {
            for table in REFERENCING_TABLES {
                problems.extend(fk(&format!("PRAGMA foreign_key_check({table})"))?);
            }
        }
        for (check, sql, by_pass) in INVARIANTS {
            if *by_pass && !suspects.contains(check) {
                continue;
            }
            let mut stmt = self.conn().prepare(sql).map_err(sql_err)?;
            let found: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .map_err(sql_err)?
                .collect::<Result<_, _>>()
                .map_err(sql_err)?;
            problems.extend(found.into_iter().map(|detail| Problem { check, detail }));
        }
        Ok(problems)
    }

    /// One pass over the chunks and the events, side by side in row order: the names of the
    /// checks that may fail (each is then run in SQL to say where).
    fn pass(
        &self,
        progress: &mut impl FnMut(u64, u64),
    ) -> Result<HashSet<&'static str>, JournalError> {
        // The events' JSON is checked on a thread of its own (a third of the pass), fed in
        // batches through a bounded channel, so the pass and SQLite's check share two cores
        // more evenly.
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<JsonBatch>(JSON_BATCHES);
            let checker = s.spawn(move || rx.iter().all(|b| b.all_objects()));
            let mut json = JsonFeed {
                tx: Some(tx),
                batch: JsonBatch::new(),
            };
            let found = self.pass_feeding(progress, &mut json);
            json.finish();
            let all_objects = checker.join().unwrap_or(false);
            let mut suspects = found?;
            if !all_objects {
                suspects.insert("raw JSON");
            }
            Ok(suspects)
        })
    }

    fn pass_feeding(
        &self,
        progress: &mut impl FnMut(u64, u64),
        json: &mut JsonFeed,
    ) -> Result<HashSet<&'static str>, JournalError> {
        let conn = self.conn();
        let e = |err| super::open::sql_error(self.path(), err);
        let mut suspects: HashSet<&'static str> = HashSet::new();

        // Recordings: their kind, whether their events must be JSON objects.
        let kinds: crate::FastMap<i64, bool> = {
            let mut stmt = conn
                .prepare("SELECT id, source_kind IN ('symphony', 'import') FROM recordings")
                .map_err(e)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(e)?;
            rows.collect::<Result<_, _>>().map_err(e)?
        };
        let last_row: u64 = conn
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(e)?
            .max(0) as u64;

        let mut chunk_rows = conn.prepare(CHUNKS).map_err(e)?;
        let mut chunks = Chunks::new(conn, &mut chunk_rows).map_err(e)?;
        let mut figures = Figures::default();
        let mut counts = Counts::default();
        // The first deliveries' hashes, a million in memory at a time.
        let dir = match self.path().parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        let io = |error| JournalError::Io {
            path: self.path().to_path_buf(),
            error,
        };
        let mut firsts = super::repeats::Repeats::new(dir, FIRSTS_IN_MEMORY);
        // One fixed state for the whole pass: equal keys, equal hashes.
        let first_hasher = foldhash::quality::FixedState::default();
        let mut first_of = conn
            .prepare("SELECT recording_id, dedupe_key, duplicate_of FROM events WHERE id = ?1")
            .map_err(e)?;
        let mut stmt = conn
            .prepare(
                // The bytes as a BLOB: SQLite lends a blob where it lies, but copies text to
                // end it with a NUL (an eighth of the pass); its type comes from the record.
                "SELECT id, recording_id, chunk_id, position, type, stream_id, dedupe_key, duplicate_of, partition,
                        typeof(raw) = 'text', CAST(raw AS BLOB)
                 FROM events ORDER BY id",
            )
            .map_err(e)?;
        let mut rows = stmt.query([]).map_err(e)?;
        let mut read = 0u64;
        while let Some(r) = rows.next().map_err(e)? {
            let id: i64 = r.get(0).map_err(e)?;
            let recording: i64 = r.get(1).map_err(e)?;
            let chunk_id: i64 = r.get(2).map_err(e)?;
            let position: i64 = r.get(3).map_err(e)?;
            let text =
                |i| -> rusqlite::Result<Option<&str>> { Ok(r.get_ref(i)?.as_str_or_null()?) };
            let ty = text(4).map_err(e)?;
            let stream = text(5).map_err(e)?;
            let key = r.get_ref(6).map_err(e)?;
            let duplicate_of: Option<i64> = r.get(7).map_err(e)?;
            let partition = text(8).map_err(e)?;
            let text_raw: bool = r.get(9).map_err(e)?;
            let raw = r.get_ref(10).map_err(e)?;

            let json_kind = match kinds.get(&recording) {
                Some(k) => *k,
                None => {
                    suspects.insert(REFERENCES);
                    false
                }
            };
            // The chunk this event belongs to, every chunk before it done with.
            match chunks
                .reach(chunk_id, &mut figures, &mut suspects)
                .map_err(e)?
            {
                Some(c) => {
                    if position != c.held {
                        suspects.insert("event positions");
                    }
                    c.held += 1;
                    if duplicate_of.is_some() {
                        c.duplicates_held += 1;
                    }
                    if partition != Some(c.partition.as_str()) {
                        suspects.insert("event partitions");
                    }
                }
                // No such chunk, or its events do not follow each other: the SQL says which.
                None => {
                    suspects.extend([
                        REFERENCES,
                        "chunk event counts",
                        "event positions",
                        "chunk duplicate counts",
                        "event partitions",
                    ]);
                }
            }
            counts.add(recording, ty.unwrap_or(""), stream.unwrap_or(""), 1);
            if json_kind {
                match text_raw {
                    true => json.push(key_bytes(raw)),
                    false => {
                        suspects.insert("raw JSON");
                    }
                }
            }
            match duplicate_of {
                None => {
                    firsts
                        .push(first_hasher.hash_one((recording, key_bytes(key))))
                        .map_err(io)?;
                }
                Some(first) => {
                    let found: Option<(i64, Vec<u8>, Option<i64>)> = first_of
                        .query_row([first], |f| {
                            Ok((f.get(0)?, key_bytes(f.get_ref(1)?).to_vec(), f.get(2)?))
                        })
                        .optional()
                        .map_err(e)?;
                    match found {
                        None => {
                            suspects.extend([REFERENCES, "duplicate links"]);
                        }
                        Some((rec, k, dup)) => {
                            if first >= id
                                || rec != recording
                                || k != key_bytes(key)
                                || dup.is_some()
                            {
                                suspects.insert("duplicate links");
                            }
                        }
                    }
                }
            }
            read += 1;
            if read.is_multiple_of(PROGRESS_EVERY) {
                progress(id.max(0) as u64, last_row);
            }
        }
        chunks.finish(&mut figures, &mut suspects).map_err(e)?;
        progress(last_row, last_row);

        // Two first deliveries of one event (or, once in 2^64, two keys of one hash).
        if firsts.any().map_err(io)? {
            suspects.insert("first deliveries unique");
        }
        // The counts kept as chunks were written, against the ones just made.
        {
            // Each kept count taken off the recount: all of them zero when they agree.
            let mut stmt = conn
                .prepare("SELECT recording_id, type, stream_id, events FROM event_counts")
                .map_err(e)?;
            let mut rows = stmt.query([]).map_err(e)?;
            let mut kept_rows = 0usize;
            while let Some(r) = rows.next().map_err(e)? {
                kept_rows += 1;
                let read = || -> rusqlite::Result<(i64, String, String, i64)> {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                };
                let (rec, ty, stream, n) = read().map_err(e)?;
                // A kept row of no events disagrees with a recount that has no such row.
                if n == 0 {
                    suspects.insert("event counts");
                }
                counts.add(rec, &ty, &stream, -n);
            }
            if !counts.all_zero() || counts.rows() != kept_rows {
                suspects.insert("event counts");
            }
        }
        figures.compare(conn, &mut suspects).map_err(e)?;
        Ok(suspects)
    }
}

/// SQLite's `PRAGMA integrity_check` on a connection of its own, so it runs beside the pass.
fn integrity_check(path: &std::path::Path) -> Result<Vec<String>, JournalError> {
    let sql_err = |e| super::open::sql_error(path, e);
    let conn = super::open::open_read_only(path, false)?;
    let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(sql_err)?;
    let lines = stmt
        .query_map([], |r| r.get(0))
        .map_err(sql_err)?
        .collect::<Result<_, _>>()
        .map_err(sql_err)?;
    Ok(lines)
}

/// Events per (recording, type, stream), as `event_counts` keeps them: maps within maps, so
/// an event's row is found by its borrowed strings, with no key made per event.
#[derive(Default)]
struct Counts(FastMap<i64, FastMap<String, FastMap<String, i64>>>);

impl Counts {
    fn add(&mut self, recording: i64, ty: &str, stream: &str, n: i64) {
        let types = self.0.entry(recording).or_default();
        if !types.contains_key(ty) {
            types.insert(ty.to_string(), FastMap::default());
        }
        let Some(streams) = types.get_mut(ty) else {
            return;
        };
        match streams.get_mut(stream) {
            Some(count) => *count += n,
            None => {
                streams.insert(stream.to_string(), n);
            }
        }
    }

    fn all_zero(&self) -> bool {
        self.0
            .values()
            .flat_map(|t| t.values())
            .flat_map(|s| s.values())
            .all(|n| *n == 0)
    }

    fn rows(&self) -> usize {
        self.0
            .values()
            .flat_map(|t| t.values())
            .map(|s| s.len())
            .sum()
    }
}

/// A dedupe key's bytes, whatever SQLite holds it as.
fn key_bytes(v: ValueRef<'_>) -> &[u8] {
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => b,
        _ => &[],
    }
}

/// Whether stored text is JSON holding an object (what `raw JSON` asks of Symphony and
/// imported events). Stricter than SQLite in corners (nesting over 128 levels): such an event
/// only sends the check to its SQL query, which has the last word.
fn json_object(bytes: &[u8]) -> bool {
    let starts_an_object = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    starts_an_object && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// The chunks as the pass reads them, in row order; their cursors checked by SQLite's own
/// `json_valid`, as the check's query does.
const CHUNKS: &str =
    "SELECT id, recording_id, seq, partition, event_count, duplicates, received_at, events_through,
        json_valid(coalesce(cursor_before, '{}')) AND json_valid(coalesce(cursor_after, '{}'))
     FROM chunks ORDER BY id";

/// Batches of events on their way to the JSON check, at most: with [`JSON_BATCH_BYTES`], what
/// the channel holds (a few MiB).
const JSON_BATCHES: usize = 4;
/// Bytes of events in one batch (an event larger than that is a batch of its own).
const JSON_BATCH_BYTES: usize = 1 << 20;

/// Events' bytes one after the other, and where each ends.
struct JsonBatch {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl JsonBatch {
    fn new() -> Self {
        JsonBatch {
            bytes: Vec::with_capacity(JSON_BATCH_BYTES + (64 << 10)),
            ends: Vec::with_capacity(1024),
        }
    }

    fn all_objects(&self) -> bool {
        let mut start = 0;
        self.ends.iter().all(|end| {
            let ok = self.bytes.get(start..*end).is_some_and(json_object);
            start = *end;
            ok
        })
    }
}

/// The pass's side of the JSON check: copies each event into the batch, sends full batches.
struct JsonFeed {
    /// `None` once the checker stopped (it found an event that is not an object).
    tx: Option<std::sync::mpsc::SyncSender<JsonBatch>>,
    batch: JsonBatch,
}

impl JsonFeed {
    fn push(&mut self, raw: &[u8]) {
        if self.tx.is_none() {
            return;
        }
        self.batch.bytes.extend_from_slice(raw);
        self.batch.ends.push(self.batch.bytes.len());
        if self.batch.bytes.len() >= JSON_BATCH_BYTES {
            self.send();
        }
    }

    fn send(&mut self) {
        let batch = std::mem::replace(&mut self.batch, JsonBatch::new());
        if let Some(tx) = &self.tx {
            if tx.send(batch).is_err() {
                self.tx = None;
            }
        }
    }

    /// Sends what is left and closes the channel, so the checker ends.
    fn finish(&mut self) {
        if !self.batch.ends.is_empty() {
            self.send();
        }
        self.tx = None;
    }
}

/// A chunk in the pass: its row and what its events held so far.
struct Chunk {
    id: i64,
    recording: i64,
    seq: i64,
    partition: String,
    event_count: i64,
    duplicates: i64,
    received_at: i64,
    events_through: i64,
    cursors_json: bool,
    held: i64,
    duplicates_held: i64,
}

/// The chunks in row order, beside the events.
struct Chunks<'c> {
    rows: rusqlite::Rows<'c>,
    current: Option<Chunk>,
    recordings: HashSet<i64>,
}

/// Figures recounted from the chunks: per recording (chunk numbers) and per partition (what
/// `partition_counts` keeps, and the last chunk, which its marker must name).
#[derive(Default)]
struct Figures {
    sequences: FastMap<i64, (i64, i64, i64)>,
    /// By recording, then partition: found by the chunk's borrowed name.
    partitions: FastMap<i64, FastMap<String, PartitionFigures>>,
}

#[derive(Default, PartialEq, Debug)]
struct PartitionFigures {
    chunks: i64,
    events: i64,
    duplicates: i64,
    first: i64,
    last: i64,
    in_order: bool,
    last_seq: i64,
}

impl<'c> Chunks<'c> {
    fn new(
        conn: &rusqlite::Connection,
        stmt: &'c mut rusqlite::Statement<'_>,
    ) -> rusqlite::Result<Self> {
        let recordings = {
            let mut stmt = conn.prepare("SELECT id FROM recordings")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        Ok(Chunks {
            rows: stmt.query([])?,
            current: None,
            recordings,
        })
    }

    /// The chunk of row id `id`, every chunk before it finished; `None` when there is none
    /// (no such chunk, or one already passed: its events do not follow each other).
    fn reach(
        &mut self,
        id: i64,
        figures: &mut Figures,
        suspects: &mut HashSet<&'static str>,
    ) -> rusqlite::Result<Option<&mut Chunk>> {
        loop {
            match &self.current {
                Some(c) if c.id == id => break,
                Some(c) if c.id > id => return Ok(None),
                _ => {}
            }
            if let Some(done) = self.current.take() {
                done.finish(&self.recordings, figures, suspects);
            }
            match self.rows.next()? {
                None => return Ok(None),
                Some(r) => {
                    self.current = Some(Chunk {
                        id: r.get(0)?,
                        recording: r.get(1)?,
                        seq: r.get(2)?,
                        partition: r.get(3)?,
                        event_count: r.get(4)?,
                        duplicates: r.get(5)?,
                        received_at: r.get(6)?,
                        events_through: r.get(7)?,
                        cursors_json: r.get(8)?,
                        held: 0,
                        duplicates_held: 0,
                    })
                }
            }
        }
        Ok(self.current.as_mut())
    }

    /// Finishes the chunks left after the last event.
    fn finish(
        mut self,
        figures: &mut Figures,
        suspects: &mut HashSet<&'static str>,
    ) -> rusqlite::Result<()> {
        while self.reach(i64::MAX, figures, suspects)?.is_some() {}
        Ok(())
    }
}

impl Chunk {
    fn finish(
        self,
        recordings: &HashSet<i64>,
        figures: &mut Figures,
        suspects: &mut HashSet<&'static str>,
    ) {
        if !recordings.contains(&self.recording) {
            suspects.insert(REFERENCES);
        }
        if self.held != self.event_count {
            suspects.insert("chunk event counts");
        }
        if self.duplicates_held != self.duplicates {
            suspects.insert("chunk duplicate counts");
        }
        if self.partition.is_empty() {
            suspects.insert("chunk partitions");
        }
        if !self.cursors_json {
            suspects.insert("chunk cursors");
        }
        let s = figures
            .sequences
            .entry(self.recording)
            .or_insert((0, i64::MAX, i64::MIN));
        *s = (s.0 + 1, s.1.min(self.seq), s.2.max(self.seq));
        let parts = figures.partitions.entry(self.recording).or_default();
        if !parts.contains_key(self.partition.as_str()) {
            parts.insert(
                self.partition.clone(),
                PartitionFigures {
                    first: self.received_at,
                    last: self.received_at,
                    in_order: true,
                    ..Default::default()
                },
            );
        }
        let Some(p) = parts.get_mut(self.partition.as_str()) else {
            return;
        };
        p.chunks += 1;
        p.events += self.event_count;
        p.duplicates += self.duplicates;
        p.in_order &= self.received_at >= p.last;
        p.first = p.first.min(self.received_at);
        p.last = p.last.max(self.received_at);
        p.last_seq = p.last_seq.max(self.seq);
        if self.events_through != p.events {
            suspects.insert("chunk running counts");
        }
    }
}

impl Figures {
    fn partition(&self, (recording, name): &(i64, String)) -> Option<&PartitionFigures> {
        self.partitions.get(recording)?.get(name.as_str())
    }

    /// Chunk numbers, the kept partition figures and the markers against the recount.
    fn compare(
        &self,
        conn: &rusqlite::Connection,
        suspects: &mut HashSet<&'static str>,
    ) -> rusqlite::Result<()> {
        if self
            .sequences
            .values()
            .any(|(n, min, max)| *min != 1 || max != n)
        {
            suspects.insert("chunk sequence");
        }
        let mut stmt = conn.prepare(
            "SELECT recording_id, partition, chunks, events, duplicates, first_received_at, last_received_at, in_order
             FROM partition_counts",
        )?;
        let mut rows = stmt.query([])?;
        let mut kept = 0;
        while let Some(r) = rows.next()? {
            kept += 1;
            let key: (i64, String) = (r.get(0)?, r.get(1)?);
            let same = self.partition(&key).is_some_and(|p| {
                (
                    p.chunks,
                    p.events,
                    p.duplicates,
                    p.first,
                    p.last,
                    p.in_order,
                ) == (
                    r.get(2).unwrap_or(-1),
                    r.get(3).unwrap_or(-1),
                    r.get(4).unwrap_or(-1),
                    r.get(5).unwrap_or(-1),
                    r.get(6).unwrap_or(-1),
                    r.get::<_, i64>(7).is_ok_and(|o| o == 1),
                )
            });
            if !same {
                suspects.insert("partition counts");
            }
        }
        if kept != self.partitions.values().map(|p| p.len()).sum::<usize>() {
            suspects.insert("partition counts");
        }
        let mut stmt = conn.prepare("SELECT recording_id, partition, chunk_seq FROM markers")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key: (i64, String) = (r.get(0)?, r.get(1)?);
            let last = self.partition(&key).map_or(0, |p| p.last_seq);
            if r.get::<_, i64>(2)? != last {
                suspects.insert("markers");
            }
        }
        Ok(())
    }
}
