//! Reading: recordings, the summary behind `journal info`, events and their selection.

use serde::{Deserialize, Serialize};

use super::{Journal, JournalError};

#[derive(Debug, Clone, Serialize)]
pub struct Recording {
    pub id: i64,
    pub name: String,
    /// 'symphony', 'import', ...
    #[serde(rename = "sourceKind")]
    pub kind: String,
    pub source: String,
    /// The SOURCE it was recorded from, without secrets.
    pub description: Option<String>,
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

/// A stored event as [`Journal::scan_events`] lends it: its row, the columns that name it, its
/// exact bytes, and where it was delivered (its recording, chunk and partition).
#[derive(Debug, Clone, Copy)]
pub struct EventText<'r> {
    pub row_id: i64,
    pub event_id: Option<&'r str>,
    pub event_type: Option<&'r str>,
    pub raw: &'r [u8],
    pub recording_id: i64,
    /// The chunk's `seq` within its recording, and when it was received (ms).
    pub chunk: i64,
    pub received_at: i64,
    pub timestamp: Option<i64>,
    pub stream_id: Option<&'r str>,
    pub initiator_id: Option<i64>,
    pub partition: Option<&'r str>,
}

/// A stored event, as `journal show` and `export` see it.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    #[serde(rename = "row")]
    pub row_id: i64,
    pub recording: String,
    /// The recording's kind of source (`symphony`, `redis`, `salesforce`, `import`).
    pub source: String,
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
    pub partition: Option<String>,
    /// The exact bytes received (UTF-8 JSON for Symphony and imports).
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// One stored delivery with its events, as `replay` and `serve` use it (each event an
/// [`EventRow`], or what [`Journal::chunks_of`] made of it).
#[derive(Debug, Clone)]
pub struct StoredChunk<E = EventRow> {
    pub recording: String,
    pub seq: i64,
    pub partition: Option<String>,
    pub received_at: i64,
    pub events: Vec<E>,
}

/// A stored event as [`Journal::event_views`] lends it, every column of an [`EventRow`]
/// borrowed from SQLite's row.
#[derive(Debug, Clone, Copy)]
pub struct EventView<'r> {
    pub row_id: i64,
    pub recording: &'r str,
    pub source: &'r str,
    pub chunk: i64,
    pub received_at: i64,
    pub feed_id: Option<&'r str>,
    pub event_id: Option<&'r str>,
    pub event_type: Option<&'r str>,
    pub timestamp: Option<i64>,
    pub stream_id: Option<&'r str>,
    pub initiator_id: Option<i64>,
    pub duplicate_of: Option<i64>,
    pub partition: Option<&'r str>,
    pub raw: &'r [u8],
}

impl From<EventView<'_>> for EventRow {
    fn from(v: EventView<'_>) -> Self {
        let owned = |s: Option<&str>| s.map(str::to_string);
        EventRow {
            row_id: v.row_id,
            recording: v.recording.to_string(),
            source: v.source.to_string(),
            chunk: v.chunk,
            received_at: v.received_at,
            feed_id: owned(v.feed_id),
            event_id: owned(v.event_id),
            event_type: owned(v.event_type),
            timestamp: v.timestamp,
            stream_id: owned(v.stream_id),
            initiator_id: v.initiator_id,
            duplicate_of: v.duplicate_of,
            partition: owned(v.partition),
            raw: v.raw.to_vec(),
        }
    }
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
    /// Each recording's partitions (a Symphony `datafeed`, an `import`, a Redis stream key, a
    /// Salesforce channel), by recording and name.
    pub partitions: Vec<PartitionSummary>,
    /// Every gap, oldest first.
    #[serde(rename = "gapList")]
    pub gap_list: Vec<GapSummary>,
}

/// One partition of a recording in `journal info`: counts from its chunks, and its events
/// over time.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionSummary {
    pub recording: String,
    #[serde(rename = "sourceKind")]
    pub kind: String,
    pub partition: String,
    pub chunks: i64,
    pub events: i64,
    pub duplicates: i64,
    pub gaps: i64,
    /// Events its gaps lost, summed over the gaps whose source counted them.
    pub lost: u64,
    /// How many of its gaps lost an unknown number of events: when not 0, `lost` is only
    /// what is known.
    #[serde(rename = "lostUnknown")]
    pub lost_unknown: i64,
    /// When its first and last chunk were received (ms).
    #[serde(rename = "firstReceivedAt")]
    pub first_received_at: Option<i64>,
    #[serde(rename = "lastReceivedAt")]
    pub last_received_at: Option<i64>,
    /// Events by when their chunk was received, in [`RATE_BUCKETS`] buckets that are the same
    /// for every partition of the journal.
    pub rate: Rate,
}

/// Events counted in buckets of time: `counts[i]` were received in
/// `start + i * width_ms .. start + (i + 1) * width_ms`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rate {
    pub start: i64,
    #[serde(rename = "widthMs")]
    pub width_ms: i64,
    pub counts: Vec<u64>,
}

/// A gap as `journal info` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct GapSummary {
    pub recording: String,
    pub partition: String,
    /// The recording's last chunk before the gap.
    #[serde(rename = "afterChunk")]
    pub after_chunk: i64,
    pub at: i64,
    /// Why, as the source said it.
    pub reason: String,
    /// How many events were lost, where the source counted them (Redis: an upper bound);
    /// `None` (JSON null): unknown.
    pub lost: Option<u64>,
}

/// How many buckets of time `journal info` counts events in: one sparkline character each, so
/// a partition's row fits 80 columns.
pub const RATE_BUCKETS: i64 = 48;

/// Filters for `journal show` and `export`, and what a replay run delivers (stored with the run).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Selection {
    pub recording: Option<String>,
    pub types: Vec<String>,
    pub streams: Vec<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub limit: Option<u64>,
    /// Only the last N selected events (by arrival), still read oldest first.
    pub last: Option<u64>,
    /// Chunk numbers, inclusive.
    pub chunks: Option<(i64, i64)>,
    pub skip_duplicates: bool,
    /// Only events whose last result in this replay run was not `handled`; with `run_selection`,
    /// also those of that selection the run never delivered (it was interrupted).
    pub failed_in_run: Option<i64>,
    /// The selection of the run named by `failed_in_run`, as it stored it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_selection: Option<Box<Selection>>,
}

impl Journal {
    pub fn recordings(&self) -> Result<Vec<Recording>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                // The counts kept per partition as chunks are written, never a pass over the
                // chunks (250 ms at a million chunks).
                "SELECT r.id, r.name, r.source, r.pod_url, r.username, r.created_at, r.bot_user_id, r.source_kind, r.description,
                        coalesce(c.n, 0), coalesce(c.events, 0), coalesce(c.duplicates, 0),
                        (SELECT count(*) FROM gaps g WHERE g.recording_id = r.id)
                 FROM recordings r
                 LEFT JOIN (SELECT recording_id, sum(chunks) AS n, sum(events) AS events, sum(duplicates) AS duplicates
                            FROM partition_counts GROUP BY recording_id) c ON c.recording_id = r.id
                 ORDER BY r.id",
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
                    kind: r.get(7)?,
                    description: r.get(8)?,
                    chunks: r.get(9)?,
                    events: r.get(10)?,
                    duplicates: r.get(11)?,
                    gaps: r.get(12)?,
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
                // Two subqueries, not one `SELECT min(), max()`: SQLite answers each alone from
                // one end of events_by_time, but both together as a full index scan (58 ms
                // against 2 ms on a million events).
                "SELECT (SELECT min(timestamp) FROM events), (SELECT max(timestamp) FROM events)",
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
        let (partitions, gap_list) = self.partitions(&recordings)?;
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
            partitions,
            gap_list,
        })
    }

    /// Every partition's counts, time range and rate, from the figures kept per partition
    /// (`partition_counts`) and a few steps down `chunks_by_partition_time` per bucket of the
    /// rate, never a pass over the chunks; and the gaps.
    fn partitions(
        &self,
        recordings: &[Recording],
    ) -> Result<(Vec<PartitionSummary>, Vec<GapSummary>), JournalError> {
        use std::collections::HashMap;
        let kept: Vec<KeptPartition> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT recording_id, partition, chunks, events, duplicates, first_received_at, last_received_at, in_order
                     FROM partition_counts",
                )
                .map_err(|e| self.sql(e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                })
                .map_err(|e| self.sql(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))?
        };
        let first = kept.iter().map(|k| k.5).min();
        let last = kept.iter().map(|k| k.6).max();
        let start = first.unwrap_or(0);
        let span = last.unwrap_or(start) - start + 1;
        // Whole milliseconds, enough of them that RATE_BUCKETS cover the span.
        let width = ((span + RATE_BUCKETS - 1) / RATE_BUCKETS).max(1);
        let rate = || Rate {
            start,
            width_ms: width,
            counts: vec![0; RATE_BUCKETS as usize],
        };
        let name_of = |id: i64| -> (String, String) {
            recordings
                .iter()
                .find(|r| r.id == id)
                .map(|r| (r.name.clone(), r.kind.clone()))
                .unwrap_or_else(|| (id.to_string(), String::new()))
        };
        let mut parts: Vec<PartitionSummary> = Vec::new();
        let mut index: HashMap<(i64, String), usize> = HashMap::new();
        let new_part = |rec: i64, partition: &str| {
            let (recording, kind) = name_of(rec);
            PartitionSummary {
                recording,
                kind,
                partition: partition.to_string(),
                chunks: 0,
                events: 0,
                duplicates: 0,
                gaps: 0,
                lost: 0,
                lost_unknown: 0,
                first_received_at: None,
                last_received_at: None,
                rate: rate(),
            }
        };
        for (rec, partition, chunks, events, duplicates, first, last, in_order) in kept {
            let mut p = new_part(rec, &partition);
            p.chunks = chunks;
            p.events = events;
            p.duplicates = duplicates;
            p.first_received_at = Some(first);
            p.last_received_at = Some(last);
            p.rate.counts = match in_order {
                true => self.rate_in_order(rec, &partition, (first, last), events, start, width)?,
                false => self.rate_of_chunks(rec, &partition, start, width)?,
            };
            index.insert((rec, partition), parts.len());
            parts.push(p);
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT recording_id, coalesce(partition, ''), after_chunk_seq, at, reason, lost FROM gaps ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let gaps = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        let mut list = Vec::with_capacity(gaps.len());
        for (rec, partition, after_chunk, at, reason, lost) in gaps {
            let key = (rec, partition.clone());
            let i = match index.get(&key) {
                Some(i) => *i,
                None => {
                    parts.push(new_part(rec, &partition));
                    index.insert(key, parts.len() - 1);
                    parts.len() - 1
                }
            };
            // A negative count (written by hand) is no count.
            let lost = lost.and_then(|n| u64::try_from(n).ok());
            let p = &mut parts[i];
            p.gaps += 1;
            match lost {
                Some(n) => p.lost = p.lost.saturating_add(n),
                None => p.lost_unknown += 1,
            }
            list.push(GapSummary {
                recording: name_of(rec).0,
                partition,
                after_chunk,
                at,
                reason,
                lost,
            });
        }
        // By recording, then partition name.
        let order: std::collections::BTreeMap<(i64, String), usize> = index.into_iter().collect();
        let mut parts: Vec<Option<PartitionSummary>> = parts.into_iter().map(Some).collect();
        let sorted = order.values().filter_map(|i| parts[*i].take()).collect();
        Ok((sorted, list))
    }

    /// Stored events in recording, chunk and position order, filtered; `each` is called per row.
    pub fn events(
        &self,
        sel: &Selection,
        mut each: impl FnMut(EventRow) -> bool,
    ) -> Result<(), JournalError> {
        self.event_views(sel, |v| each(v.into()))
    }

    /// [`Journal::events`], each row lent for the call straight from SQLite's row: a reader
    /// that keeps a few columns copies only those (replay's chunk reader made seven strings
    /// of every row, and dropped three of them at once).
    pub fn event_views(
        &self,
        sel: &Selection,
        mut each: impl FnMut(EventView<'_>) -> bool,
    ) -> Result<(), JournalError> {
        // One recording at a time, in row order: rows are inserted in delivery order, so row
        // order is chunk and position order, and no sort of the whole journal is needed.
        let recordings: Vec<(i64, String, String)> = self
            .recordings()?
            .into_iter()
            .filter(|r| sel.recording.as_ref().is_none_or(|name| *name == r.name))
            .map(|r| (r.id, r.name, r.kind))
            .collect();
        let mut left = sel.limit;
        for (id, name, kind) in recordings {
            if left == Some(0) {
                break;
            }
            // The recording stays in the filter: `--last` counts within it.
            let (filter, mut args) = filter(sel);
            let mut sql = format!(
                "SELECT e.id, c.seq, c.received_at, c.feed_id, e.event_id, e.type, e.timestamp, e.stream_id, e.initiator_id, e.duplicate_of, e.raw, e.partition{filter} AND e.recording_id = ? ORDER BY e.id"
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
                let view = (|| -> rusqlite::Result<EventView<'_>> {
                    let text = |i: usize| -> rusqlite::Result<Option<&str>> {
                        Ok(r.get_ref(i)?.as_str_or_null()?)
                    };
                    Ok(EventView {
                        row_id: r.get(0)?,
                        recording: &name,
                        source: &kind,
                        chunk: r.get(1)?,
                        received_at: r.get(2)?,
                        feed_id: text(3)?,
                        event_id: text(4)?,
                        event_type: text(5)?,
                        timestamp: r.get(6)?,
                        stream_id: text(7)?,
                        initiator_id: r.get(8)?,
                        duplicate_of: r.get(9)?,
                        // TEXT or BLOB: the bytes either way.
                        raw: r.get_ref(10)?.as_bytes()?,
                        partition: text(11)?,
                    })
                })()
                .map_err(|e| self.sql(e))?;
                if let Some(l) = left.as_mut() {
                    *l -= 1;
                }
                if !each(view) {
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

    /// The lowest and highest event row ids, to split a pass over the events between threads.
    pub fn row_span(&self) -> Result<Option<(i64, i64)>, JournalError> {
        self.conn
            // Two subqueries: each is one step down the rowid b-tree, where `min(id), max(id)`
            // in one query steps through every row (80 ms at a million events).
            .query_row(
                "SELECT (SELECT min(id) FROM events), (SELECT max(id) FROM events)",
                [],
                |r| Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?)),
            )
            .map_err(|e| self.sql(e))
    }

    /// The selected events whose row ids are within `rows` (inclusive), in row order, each
    /// lent for the call straight from SQLite's row: for passes that read every selected event
    /// and keep none (replay --to's check before the first write). Copying every column of
    /// every row into an [`EventRow`] cost that check as much as the check itself. With
    /// `sel.limit`, the same first events as [`Journal::events`] (recording by recording).
    pub fn scan_events(
        &self,
        sel: &Selection,
        rows: (i64, i64),
        mut each: impl FnMut(EventText<'_>) -> bool,
    ) -> Result<(), JournalError> {
        let (filter, mut args) = filter(sel);
        let mut sql =
            format!("SELECT e.id, e.event_id, e.type, e.raw, e.recording_id, c.seq, c.received_at, e.timestamp, e.stream_id, e.initiator_id, e.partition{filter} AND e.id BETWEEN ? AND ?");
        args.push(rows.0.into());
        args.push(rows.1.into());
        match sel.limit {
            Some(n) => sql.push_str(&format!(" ORDER BY e.recording_id, e.id LIMIT {n}")),
            None => sql.push_str(" ORDER BY e.id"),
        }
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let mut found = stmt
            .query(rusqlite::params_from_iter(args))
            .map_err(|e| self.sql(e))?;
        while let Some(r) = found.next().map_err(|e| self.sql(e))? {
            let text = (|| -> rusqlite::Result<EventText<'_>> {
                let text = |i: usize| -> rusqlite::Result<Option<&str>> {
                    Ok(r.get_ref(i)?.as_str_or_null()?)
                };
                Ok(EventText {
                    row_id: r.get(0)?,
                    event_id: text(1)?,
                    event_type: text(2)?,
                    // TEXT or BLOB: the bytes either way.
                    raw: r.get_ref(3)?.as_bytes()?,
                    recording_id: r.get(4)?,
                    chunk: r.get(5)?,
                    received_at: r.get(6)?,
                    timestamp: r.get(7)?,
                    stream_id: text(8)?,
                    initiator_id: r.get(9)?,
                    partition: text(10)?,
                })
            })()
            .map_err(|e| self.sql(e))?;
            if !each(text) {
                break;
            }
        }
        Ok(())
    }

    /// The selected events grouped into their chunks, in order; `each` is called per chunk
    /// (false stops). A chunk holds only its selected events.
    pub fn chunks(
        &self,
        sel: &Selection,
        each: impl FnMut(StoredChunk) -> bool,
    ) -> Result<(), JournalError> {
        self.chunks_of(sel, |v| EventRow::from(v), each)
    }

    /// [`Journal::chunks`] with each event made by `event` from the row SQLite lends, so a
    /// reader copies only what it keeps.
    pub fn chunks_of<E>(
        &self,
        sel: &Selection,
        mut event: impl FnMut(EventView<'_>) -> E,
        mut each: impl FnMut(StoredChunk<E>) -> bool,
    ) -> Result<(), JournalError> {
        let mut current: Option<StoredChunk<E>> = None;
        let mut stopped = false;
        self.event_views(sel, |row| {
            let same = current
                .as_ref()
                .is_some_and(|c| c.seq == row.chunk && c.recording == row.recording);
            if !same {
                if let Some(done) = current.take() {
                    if !each(done) {
                        stopped = true;
                        return false;
                    }
                }
                current = Some(StoredChunk {
                    recording: row.recording.to_string(),
                    seq: row.chunk,
                    partition: row.partition.map(str::to_string),
                    received_at: row.received_at,
                    events: Vec::new(),
                });
            }
            if let Some(c) = current.as_mut() {
                c.events.push(event(row));
            }
            true
        })?;
        if let (false, Some(last)) = (stopped, current) {
            each(last);
        }
        Ok(())
    }

    /// The recording's name and the chunk's number of the event at `row`, to name it.
    pub fn event_place(&self, row: i64) -> Result<Option<(String, i64)>, JournalError> {
        use rusqlite::OptionalExtension;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.name, c.seq FROM events e JOIN recordings r ON r.id = e.recording_id \
                 JOIN chunks c ON c.id = e.chunk_id WHERE e.id = ?1",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_row([row], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// The stored bytes of the event at `row`; `None` when there is no such row.
    pub fn raw_event(&self, row: i64) -> Result<Option<Vec<u8>>, JournalError> {
        use rusqlite::OptionalExtension;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT raw FROM events WHERE id = ?1")
            .map_err(|e| self.sql(e))?;
        stmt.query_row([row], |r| Ok(r.get_ref(0)?.as_bytes()?.to_vec()))
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// How many events a selection holds (ignoring its limit).
    pub fn count_events(&self, sel: &Selection) -> Result<u64, JournalError> {
        if let Some(n) = self.count_from_counts(sel)? {
            return Ok(n);
        }
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
}

impl Journal {
    /// A selection by recording, type and stream only is counted from `event_counts` (kept per
    /// chunk by the writers, checked by `journal verify`) instead of a join over every event:
    /// a replay of a million events started 50 ms later for that count.
    fn count_from_counts(&self, sel: &Selection) -> Result<Option<u64>, JournalError> {
        let simple = sel.since.is_none()
            && sel.until.is_none()
            && sel.chunks.is_none()
            && !sel.skip_duplicates
            && sel.failed_in_run.is_none()
            && sel.last.is_none();
        if !simple {
            return Ok(None);
        }
        let mut sql = String::from(
            "SELECT coalesce(sum(k.events), 0) FROM event_counts k JOIN recordings r ON r.id = k.recording_id WHERE 1 = 1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(name) = &sel.recording {
            sql.push_str(" AND r.name = ?");
            args.push(name.clone().into());
        }
        // `event_counts` says '' where the event column is NULL, which `IN` never matches.
        for (column, values) in [("type", &sel.types), ("stream_id", &sel.streams)] {
            if !values.is_empty() {
                sql.push_str(&format!(
                    " AND k.{column} != '' AND k.{column} IN ({})",
                    vec!["?"; values.len()].join(",")
                ));
                args.extend(values.iter().map(|t| t.clone().into()));
            }
        }
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(args), |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| Some(n as u64))
            .map_err(|e| self.sql(e))
    }
}

impl Journal {
    /// A partition's events per bucket of the rate when its chunks were received in order:
    /// the events received before each bucket's end, less those before its start, each one
    /// step down `chunks_by_partition_time` (`events_through` numbers them in that order).
    fn rate_in_order(
        &self,
        rec: i64,
        partition: &str,
        (first, last): (i64, i64),
        events: i64,
        start: i64,
        width: i64,
    ) -> Result<Vec<u64>, JournalError> {
        let mut before_stmt = self
            .conn
            .prepare_cached(
                "SELECT events_through FROM chunks INDEXED BY chunks_by_partition_time
                 WHERE recording_id = ?1 AND partition = ?2 AND received_at < ?3
                 ORDER BY received_at DESC, events_through DESC LIMIT 1",
            )
            .map_err(|e| self.sql(e))?;
        // The partition's events received before `t`.
        let mut before = |t: i64| -> Result<i64, JournalError> {
            if t <= first {
                return Ok(0);
            }
            if t > last {
                return Ok(events);
            }
            use rusqlite::OptionalExtension;
            before_stmt
                .query_row(rusqlite::params![rec, partition, t], |r| r.get(0))
                .optional()
                .map(|n| n.unwrap_or(0))
                .map_err(|e| self.sql(e))
        };
        let mut counts = Vec::with_capacity(RATE_BUCKETS as usize);
        let mut below = 0;
        for b in 1..=RATE_BUCKETS {
            // Every chunk falls before the last bucket's end (the buckets cover the span).
            let upto = match b {
                RATE_BUCKETS => events,
                _ => before(start + b * width)?,
            };
            counts.push((upto - below).max(0) as u64);
            below = upto;
        }
        Ok(counts)
    }

    /// A partition's events per bucket of the rate read from each of its chunks: for a
    /// partition whose chunks were not received in order (a clock set back).
    fn rate_of_chunks(
        &self,
        rec: i64,
        partition: &str,
        start: i64,
        width: i64,
    ) -> Result<Vec<u64>, JournalError> {
        let mut counts = vec![0u64; RATE_BUCKETS as usize];
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT received_at, event_count FROM chunks WHERE recording_id = ?1 AND partition = ?2",
            )
            .map_err(|e| self.sql(e))?;
        let mut rows = stmt
            .query(rusqlite::params![rec, partition])
            .map_err(|e| self.sql(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let (at, events): (i64, i64) =
                (|| Ok((r.get(0)?, r.get(1)?)))().map_err(|e| self.sql(e))?;
            let b = ((at - start) / width).clamp(0, RATE_BUCKETS - 1) as usize;
            counts[b] += events.max(0) as u64;
        }
        Ok(counts)
    }
}

/// A row of `partition_counts`: recording, partition, chunks, events, duplicates, first and
/// last receipt, whether its chunks were received in order.
type KeptPartition = (i64, String, i64, i64, i64, i64, i64, bool);

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
    if let (Some(run), Some(within)) = (sel.failed_in_run, &sel.run_selection) {
        // What the run was to deliver, less what it handled in the end: failures, timeouts,
        // and the events it never started.
        let (inner, inner_args) = filter(within);
        sql.push_str(&format!(
            " AND e.id IN (SELECT e.id{inner})
              AND e.id NOT IN (SELECT rr.event_row_id FROM replay_results rr WHERE rr.run_id = ?
                   AND rr.id = (SELECT max(id) FROM replay_results WHERE run_id = rr.run_id AND event_row_id = rr.event_row_id)
                   AND rr.outcome = 'handled')"
        ));
        args.extend(inner_args);
        args.push(run.into());
    } else if let Some(run) = sel.failed_in_run {
        sql.push_str(
                " AND e.id IN (SELECT rr.event_row_id FROM replay_results rr WHERE rr.run_id = ?
                   AND rr.id = (SELECT max(id) FROM replay_results WHERE run_id = rr.run_id AND event_row_id = rr.event_row_id)
                   AND rr.outcome != 'handled')",
            );
        args.push(run.into());
    }
    if let Some(n) = sel.last {
        // The row id of the N-th newest selected event: everything from it on.
        let inner = Selection {
            last: None,
            ..sel.clone()
        };
        let (inner_sql, inner_args) = filter(&inner);
        sql.push_str(&format!(
            " AND e.id >= COALESCE((SELECT e.id{inner_sql} ORDER BY e.id DESC LIMIT 1 OFFSET {}), 0)",
            n.max(1) - 1
        ));
        args.extend(inner_args);
    }
    (sql, args)
}

// ---------------------------------------------------------------------------------------------
// `serve --journal`: the journal read as a bot reads it, from a row on, never all at start
// (issue 33 item 4). Kept apart from the queries above.

/// A recording as `serve` presents it, read without counting its chunks.
#[derive(Debug, Clone)]
pub struct ServedRecording {
    pub id: i64,
    pub name: String,
    pub username: Option<String>,
    pub bot_user_id: Option<i64>,
}

/// One event row of a recording as the pacing of `serve` sees it: no bytes.
#[derive(Debug, Clone, Copy)]
pub struct ServedRowPlace {
    pub row: i64,
    pub chunk: i64,
    pub received_at: i64,
}

impl Journal {
    /// The recordings, oldest first (the order every reader serves them in), with the bot that
    /// recorded each: one step per recording, none per chunk.
    pub fn served_recordings(&self) -> Result<Vec<ServedRecording>, JournalError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, username, bot_user_id FROM recordings ORDER BY id")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ServedRecording {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    username: r.get(2)?,
                    bot_user_id: r.get(3)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// The events of one recording from row `from` on (to row `upto` included, when given), in
    /// row order, which is chunk and position order: each lent to `each` as its row, its
    /// chunk's id and its stored bytes, until `each` answers false. A step down the rowid
    /// b-tree to `from`, then the rows in order: no pass over what comes before.
    pub fn served_rows(
        &self,
        recording: i64,
        from: i64,
        upto: Option<i64>,
        mut each: impl FnMut(i64, i64, &[u8]) -> bool,
    ) -> Result<(), JournalError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, chunk_id, raw FROM events WHERE recording_id = ?1 AND id >= ?2 AND id <= ?3 ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let mut rows = stmt
            .query(rusqlite::params![recording, from, upto.unwrap_or(i64::MAX)])
            .map_err(|e| self.sql(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let (row, chunk): (i64, i64) = (
                r.get(0).map_err(|e| self.sql(e))?,
                r.get(1).map_err(|e| self.sql(e))?,
            );
            // TEXT or BLOB: the bytes either way.
            let raw = r
                .get_ref(2)
                .and_then(|v| v.as_bytes().map_err(Into::into))
                .map_err(|e| self.sql(e))?;
            if !each(row, chunk, raw) {
                break;
            }
        }
        Ok(())
    }

    /// At most `max` event rows of one recording after row `after`, in row order, with their
    /// chunk and its receive time (no bytes): where each recorded chunk ends, for pacing.
    pub fn served_row_places(
        &self,
        recording: i64,
        after: i64,
        max: usize,
    ) -> Result<Vec<ServedRowPlace>, JournalError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.id, e.chunk_id, c.received_at FROM events e JOIN chunks c ON c.id = e.chunk_id \
                 WHERE e.recording_id = ?1 AND e.id > ?2 ORDER BY e.id LIMIT ?3",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(rusqlite::params![recording, after, max as i64], |r| {
                Ok(ServedRowPlace {
                    row: r.get(0)?,
                    chunk: r.get(1)?,
                    received_at: r.get(2)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}
