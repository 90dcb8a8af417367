//! Storing a replay run and every result in the journal (DESIGN §6: handler, options, and per
//! event the attempt, exit status, duration and the start of stdout/stderr).

use std::time::{Duration, Instant};

use crate::journal::{Journal, JournalError, ResultRow};

use super::stats::millis;
use super::RunResult;

/// A run being stored: results are kept back and written in batches.
pub struct RunLog {
    journal: Journal,
    pub id: i64,
    unsaved: Vec<RunResult>,
    last_save: Instant,
}

impl RunLog {
    /// Starts the run in the journal; `handler` is what results are delivered to (the command).
    pub fn start(journal: Journal, handler: &str, options: &str) -> Result<Self, JournalError> {
        let id = journal.start_run(handler, options)?;
        Ok(RunLog {
            journal,
            id,
            unsaved: Vec::new(),
            last_save: Instant::now(),
        })
    }

    /// Keeps results for the next batch. One transaction per chunk would cost more than a fast
    /// handler does, so a batch is written every 5,000 results or 500 ms.
    pub fn record(&mut self, results: &[RunResult]) -> Result<(), JournalError> {
        self.unsaved.extend(results.iter().cloned());
        if self.unsaved.len() >= 5_000 || self.last_save.elapsed() >= Duration::from_millis(500) {
            self.save()?;
            self.last_save = Instant::now();
        }
        Ok(())
    }

    /// Writes pending results to the journal in one transaction.
    pub fn save(&mut self) -> Result<(), JournalError> {
        let rows: Vec<ResultRow> = self
            .unsaved
            .iter()
            .map(|r| ResultRow {
                event_row: r.row,
                attempt: r.attempt,
                outcome: r.outcome.as_str(),
                exit_status: r.status,
                duration_ms: millis(r.duration),
                stdout_head: &r.stdout_head,
                stderr_head: &r.stderr_head,
            })
            .collect();
        self.journal.store_results(self.id, &rows)?;
        self.unsaved.clear();
        Ok(())
    }

    /// Marks the run `done`, `failed` or `interrupted`.
    pub fn finish(&self, status: &str) -> Result<(), JournalError> {
        self.journal.finish_run(self.id, status)
    }
}
