//! Replay runs and the handler results stored with them.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::open::{now_millis, sql_error};
use super::{Journal, JournalError, Selection};

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

/// Rows written by one INSERT of results (8 parameters each, far below SQLite's limit).
const ROWS_PER_INSERT: usize = 100;
const RESULT_COLUMNS: usize = 8;

/// The INSERT of `n` result rows.
fn insert_results(n: usize) -> String {
    let row = "(?,?,?,?,?,?,?,?)";
    let mut sql = String::from(
        "INSERT INTO replay_results (run_id, event_row_id, attempt, outcome, exit_status, duration_ms, stdout_head, stderr_head) VALUES ",
    );
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(row);
    }
    sql
}

impl Journal {
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

    /// Stores handler results of a run in one transaction, [`ROWS_PER_INSERT`] rows per
    /// statement: a statement per row spent more in SQLite's statement machinery (step,
    /// reset, binding) than in inserting, and a replay stores a row per event.
    pub fn store_results(&mut self, run: i64, rows: &[ResultRow]) -> Result<(), JournalError> {
        let path = self.path.clone();
        let e = |err| sql_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        for part in rows.chunks(ROWS_PER_INSERT) {
            let mut insert = tx.prepare_cached(&insert_results(part.len())).map_err(e)?;
            for (i, r) in part.iter().enumerate() {
                let at = i * RESULT_COLUMNS;
                let values: [&dyn rusqlite::ToSql; RESULT_COLUMNS] = [
                    &run,
                    &r.event_row,
                    &r.attempt,
                    &r.outcome,
                    &r.exit_status,
                    &(r.duration_ms as i64),
                    &Some(r.stdout_head).filter(|s| !s.is_empty()),
                    &Some(r.stderr_head).filter(|s| !s.is_empty()),
                ];
                for (k, v) in values.iter().enumerate() {
                    insert.raw_bind_parameter(at + k + 1, v).map_err(e)?;
                }
            }
            insert.raw_execute().map_err(e)?;
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

    /// The selection a run delivered, as it stored it (runs stored before feedctl kept it: none).
    pub fn run_selection(&self, run: i64) -> Result<Option<Selection>, JournalError> {
        let options: Option<String> = self
            .conn
            .query_row(
                "SELECT json_extract(options, '$.selection') FROM replay_runs WHERE id = ?1",
                [run],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .flatten();
        Ok(options.and_then(|s| serde_json::from_str(&s).ok()))
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
}

/// A stored run as `journal runs` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub id: i64,
    #[serde(rename = "startedAt")]
    pub started_at: i64,
    #[serde(rename = "finishedAt")]
    pub finished_at: Option<i64>,
    /// The handler command (`--exec`), or the target of `replay --to`.
    pub command: String,
    /// `running` (or stopped without a word: killed), `done`, `failed`, `interrupted`.
    pub status: String,
    /// Events by the outcome of their last attempt.
    pub outcomes: BTreeMap<String, u64>,
    /// Events with a result (their last attempt counted once).
    pub events: u64,
    /// Handler runs, every attempt.
    pub attempts: u64,
    #[serde(rename = "durationMs")]
    pub duration_ms: Option<i64>,
    /// The options stored with the run (JSON).
    pub options: serde_json::Value,
}

/// One stored handler run, as `journal runs RUN` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunResultRow {
    /// The event's row in `events`.
    pub row: i64,
    #[serde(rename = "eventId")]
    pub event_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub partition: Option<String>,
    pub attempt: u32,
    pub outcome: String,
    pub status: Option<i32>,
    #[serde(rename = "durationMs")]
    pub duration_ms: i64,
    pub stdout: String,
    pub stderr: String,
}

impl Journal {
    /// Every stored run, oldest first, with its counts. One pass over `replay_results` (grouped
    /// by run and event, so each event's last attempt gives its outcome), not one per run.
    pub fn runs(&self) -> Result<Vec<RunInfo>, JournalError> {
        self.runs_where(None)
    }

    /// One run, or `None` when the journal has no run with that id.
    pub fn run_info(&self, run: i64) -> Result<Option<RunInfo>, JournalError> {
        Ok(self.runs_where(Some(run))?.pop())
    }

    fn runs_where(&self, only: Option<i64>) -> Result<Vec<RunInfo>, JournalError> {
        // Two forms rather than `?1 IS NULL OR run_id = ?1`, which SQLite answers with a scan
        // of every result instead of the run's rows in `replay_results_by_run`.
        let (runs_where, results_where) = match only {
            Some(_) => ("WHERE id = ?1", "WHERE run_id = ?1"),
            None => ("WHERE ?1 IS NULL", "WHERE ?1 IS NULL"),
        };
        let sql = format!(
            "SELECT id, started_at, finished_at, command, status, options FROM replay_runs {runs_where} ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let mut runs: Vec<RunInfo> = stmt
            .query_map([only], |r| {
                let started: i64 = r.get(1)?;
                let finished: Option<i64> = r.get(2)?;
                let options: String = r.get(5)?;
                Ok(RunInfo {
                    id: r.get(0)?,
                    started_at: started,
                    finished_at: finished,
                    command: r.get(3)?,
                    status: r.get(4)?,
                    outcomes: BTreeMap::new(),
                    events: 0,
                    attempts: 0,
                    duration_ms: finished.map(|f| f - started),
                    options: serde_json::from_str(&options).unwrap_or(serde_json::Value::Null),
                })
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.sql(e))?;
        // SQLite gives the other columns of the row that holds max(id) (its "bare columns"
        // rule): each event's last attempt, in the same pass that counts the attempts.
        let counts = format!(
            "SELECT run_id, outcome, count(*), sum(n) FROM (
                 SELECT run_id, outcome, max(id), count(*) AS n FROM replay_results
                 {results_where} GROUP BY run_id, event_row_id)
             GROUP BY run_id, outcome"
        );
        let mut stmt = self.conn.prepare(&counts).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([only], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(3)? as u64,
                ))
            })
            .map_err(|e| self.sql(e))?;
        for row in rows {
            let (run, outcome, events, attempts) = row.map_err(|e| self.sql(e))?;
            if let Some(info) = runs.iter_mut().find(|i| i.id == run) {
                info.events += events;
                info.attempts += attempts;
                info.outcomes.insert(outcome, events);
            }
        }
        Ok(runs)
    }

    /// The stored handler runs of `run`, in the order they were stored, at most `limit`.
    pub fn run_results(&self, run: i64, limit: u64) -> Result<Vec<RunResultRow>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rr.event_row_id, e.event_id, e.type, e.partition, rr.attempt, rr.outcome,
                        rr.exit_status, rr.duration_ms, rr.stdout_head, rr.stderr_head
                 FROM replay_results rr LEFT JOIN events e ON e.id = rr.event_row_id
                 WHERE rr.run_id = ?1 ORDER BY rr.id LIMIT ?2",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![run, limit.min(i64::MAX as u64) as i64], |r| {
                Ok(RunResultRow {
                    row: r.get(0)?,
                    event_id: r.get(1)?,
                    event_type: r.get(2)?,
                    partition: r.get(3)?,
                    attempt: r.get(4)?,
                    outcome: r.get(5)?,
                    status: r.get(6)?,
                    duration_ms: r.get(7)?,
                    stdout: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                    stderr: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// How many handler runs `run` stored.
    pub fn run_result_count(&self, run: i64) -> Result<u64, JournalError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM replay_results WHERE run_id = ?1",
                [run],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }
}
