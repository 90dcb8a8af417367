//! `journal verify`: SQLite's own integrity check, then the journal's invariants.

use serde::Serialize;

use super::{Journal, JournalError};

/// One thing found wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub check: &'static str,
    pub detail: String,
}

/// Each invariant as a query that returns one row per violation (a description).
const INVARIANTS: &[(&str, &str)] = &[
    (
        "chunk event counts",
        "WITH held AS (SELECT chunk_id, count(*) AS n FROM events GROUP BY chunk_id)
         SELECT 'chunk ' || c.seq || ' of recording ' || c.recording_id || ' says ' || c.event_count || ' events, holds ' || coalesce(h.n, 0)
         FROM chunks c LEFT JOIN held h ON h.chunk_id = c.id WHERE coalesce(h.n, 0) != c.event_count",
    ),
    (
        "chunk sequence",
        "SELECT 'recording ' || recording_id || ' has chunks 1..' || max(seq) || ' but ' || count(*) || ' chunks'
         FROM chunks GROUP BY recording_id HAVING max(seq) != count(*) OR min(seq) != 1",
    ),
    (
        "event positions",
        "SELECT 'chunk id ' || chunk_id || ' has positions that are not 0..n-1'
         FROM events GROUP BY chunk_id HAVING min(position) != 0 OR max(position) != count(*) - 1 OR count(DISTINCT position) != count(*)",
    ),
    (
        "duplicate links",
        "SELECT 'event ' || d.id || ' is marked a duplicate of ' || d.duplicate_of || ', which is not an earlier first delivery of the same event'
         FROM events d LEFT JOIN events f ON f.id = d.duplicate_of
         WHERE d.duplicate_of IS NOT NULL AND (f.id IS NULL OR f.dedupe_key != d.dedupe_key OR f.recording_id != d.recording_id
               OR f.duplicate_of IS NOT NULL OR f.id >= d.id)",
    ),
    (
        "first deliveries unique",
        "SELECT 'recording ' || recording_id || ': ' || count(*) || ' first deliveries of ' || dedupe_key
         FROM events WHERE duplicate_of IS NULL GROUP BY recording_id, dedupe_key HAVING count(*) > 1",
    ),
    (
        "chunk duplicate counts",
        "WITH held AS (SELECT chunk_id, count(duplicate_of) AS n FROM events GROUP BY chunk_id)
         SELECT 'chunk ' || c.seq || ' of recording ' || c.recording_id || ' counts ' || c.duplicates || ' duplicates, holds ' || coalesce(h.n, 0)
         FROM chunks c LEFT JOIN held h ON h.chunk_id = c.id WHERE coalesce(h.n, 0) != c.duplicates",
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
    ),
    // Only sources whose events are JSON text; a Redis entry may be any bytes.
    (
        "raw JSON",
        "SELECT 'event ' || e.id || ' does not hold a JSON object' FROM events e JOIN recordings r ON r.id = e.recording_id
         WHERE r.source_kind IN ('symphony', 'import')
           AND (typeof(e.raw) != 'text' OR json_valid(e.raw) = 0 OR json_type(e.raw) != 'object')",
    ),
    (
        "markers",
        "SELECT 'recording ' || m.recording_id || ', partition ' || m.partition || ': marker at chunk ' || m.chunk_seq || ', last chunk ' || coalesce(max(c.seq), 0)
         FROM markers m LEFT JOIN chunks c ON c.recording_id = m.recording_id AND c.partition = m.partition
         GROUP BY m.recording_id, m.partition HAVING m.chunk_seq != coalesce(max(c.seq), 0)",
    ),
    // Schema 2: what names a source, a partition and a cursor is there and readable.
    (
        "source kinds",
        "SELECT 'recording ' || id || ' (' || name || ') names no source kind' FROM recordings WHERE source_kind = ''",
    ),
    (
        "chunk partitions",
        "SELECT 'chunk ' || seq || ' of recording ' || recording_id || ' has no partition' FROM chunks WHERE partition = ''",
    ),
    (
        "event partitions",
        "SELECT 'event ' || e.id || ' is in partition ' || coalesce(e.partition, 'NULL') || ', its chunk in ' || c.partition
         FROM events e JOIN chunks c ON c.id = e.chunk_id WHERE e.partition IS NOT c.partition",
    ),
    (
        "chunk cursors",
        "SELECT 'chunk ' || seq || ' of recording ' || recording_id || ' has a cursor that is not JSON' FROM chunks
         WHERE json_valid(coalesce(cursor_before, '{}')) = 0 OR json_valid(coalesce(cursor_after, '{}')) = 0",
    ),
    (
        "marker cursors",
        "SELECT 'recording ' || recording_id || ', partition ' || partition || ': the marker cursor is not JSON'
         FROM markers WHERE json_valid(cursor) = 0",
    ),
    (
        "gap cursors",
        "SELECT 'gap ' || id || ' of recording ' || recording_id || ' has a cursor that is not JSON'
         FROM gaps WHERE json_valid(coalesce(cursor_after, '{}')) = 0",
    ),
    // Schema 3: a gap's loss is unknown (NULL) or a count.
    (
        "gap losses",
        "SELECT 'gap ' || id || ' of recording ' || recording_id || ' lost ' || quote(lost) || ' events, not a count'
         FROM gaps WHERE lost IS NOT NULL AND (typeof(lost) != 'integer' OR lost < 0)",
    ),
];

impl Journal {
    /// Every problem found; an empty list means the journal is sound.
    pub fn verify(&self) -> Result<Vec<Problem>, JournalError> {
        let mut problems = Vec::new();
        let conn = self.conn();
        // Through the same mapping as every other query: a damaged file says so plainly.
        let sql_err = |e| super::open::sql_error(self.path(), e);
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(sql_err)?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(sql_err)?
            .collect::<Result<_, _>>()
            .map_err(sql_err)?;
        if lines != ["ok"] {
            problems.extend(lines.into_iter().map(|detail| Problem {
                check: "sqlite integrity",
                detail,
            }));
            // Queries over a damaged file say nothing reliable.
            return Ok(problems);
        }
        let mut stmt = conn.prepare("PRAGMA foreign_key_check").map_err(sql_err)?;
        let fk: Vec<String> = stmt
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
        problems.extend(fk.into_iter().map(|detail| Problem {
            check: "references",
            detail,
        }));
        for (check, sql) in INVARIANTS {
            let mut stmt = conn.prepare(sql).map_err(sql_err)?;
            let found: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .map_err(sql_err)?
                .collect::<Result<_, _>>()
                .map_err(sql_err)?;
            problems.extend(found.into_iter().map(|detail| Problem { check, detail }));
        }
        Ok(problems)
    }
}
