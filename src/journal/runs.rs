//! Replay runs and the handler results stored with them.

use rusqlite::{params, OptionalExtension};

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
