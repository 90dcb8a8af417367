//! Storing a replay run and every result in the journal (DESIGN §6: handler, options, and per
//! event the attempt, exit status, duration and the start of stdout/stderr).
//!
//! Results are written by a thread of their own that owns the journal: writing a batch took
//! the delivering task as long as a fast sink's whole work on it (`replay --to redis`), so the
//! next chunks now go out while the last batch is being written. At most two batches wait for
//! the writer, so memory stays bounded however slow the disk.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::journal::{Journal, JournalError, ResultRow};

use super::stats::millis;
use super::RunResult;

/// What the writer thread is asked.
enum Job {
    Store(Vec<RunResult>),
    /// Answers once everything sent before is written, with the first failure since the last
    /// answer.
    Flush(mpsc::Sender<Result<(), JournalError>>),
    Finish(String, mpsc::Sender<Result<(), JournalError>>),
}

/// A run being stored: results are kept back and written in batches.
pub struct RunLog {
    pub id: i64,
    unsaved: Vec<RunResult>,
    last_save: Instant,
    jobs: Option<mpsc::SyncSender<Job>>,
    writer: Option<JoinHandle<()>>,
    /// Set by the writer when a batch could not be written, so the next `record` stops the run.
    failed: Arc<AtomicBool>,
}

impl RunLog {
    /// Starts the run in the journal; `handler` is what results are delivered to (the command).
    pub fn start(journal: Journal, handler: &str, options: &str) -> Result<Self, JournalError> {
        let id = journal.start_run(handler, options)?;
        let (jobs, queue) = mpsc::sync_channel(2);
        let failed = Arc::new(AtomicBool::new(false));
        let flag = failed.clone();
        let writer = std::thread::Builder::new()
            .name("replay-results".into())
            .spawn(move || write_results(journal, id, queue, &flag))
            .map_err(|e| JournalError::Invalid(format!("cannot start the results writer: {e}")))?;
        Ok(RunLog {
            id,
            unsaved: Vec::new(),
            last_save: Instant::now(),
            jobs: Some(jobs),
            writer: Some(writer),
            failed,
        })
    }

    /// Keeps results for the next batch. One transaction per chunk would cost more than a fast
    /// handler does, so a batch is handed to the writer every 5,000 results or 500 ms; a
    /// failure to write an earlier batch is returned here.
    pub fn record(&mut self, results: &[RunResult]) -> Result<(), JournalError> {
        if self.failed.load(Ordering::Acquire) {
            return self.save();
        }
        self.unsaved.extend(results.iter().cloned());
        if self.unsaved.len() >= 5_000 || self.last_save.elapsed() >= Duration::from_millis(500) {
            let batch = std::mem::take(&mut self.unsaved);
            self.send(Job::Store(batch))?;
            self.last_save = Instant::now();
        }
        Ok(())
    }

    /// Writes pending results to the journal and waits until every result so far is stored.
    pub fn save(&mut self) -> Result<(), JournalError> {
        if !self.unsaved.is_empty() {
            let batch = std::mem::take(&mut self.unsaved);
            self.send(Job::Store(batch))?;
        }
        let (answer, done) = mpsc::channel();
        self.send(Job::Flush(answer))?;
        done.recv().unwrap_or_else(|_| Err(writer_gone()))
    }

    /// Marks the run `done`, `failed` or `interrupted`.
    pub fn finish(&self, status: &str) -> Result<(), JournalError> {
        let (answer, done) = mpsc::channel();
        self.send(Job::Finish(status.to_string(), answer))?;
        done.recv().unwrap_or_else(|_| Err(writer_gone()))
    }

    fn send(&self, job: Job) -> Result<(), JournalError> {
        match &self.jobs {
            Some(jobs) => jobs.send(job).map_err(|_| writer_gone()),
            None => Err(writer_gone()),
        }
    }
}

impl Drop for RunLog {
    /// Lets the writer store what it was given and close the journal (and its lock) before
    /// the caller goes on.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

fn writer_gone() -> JournalError {
    JournalError::Invalid("the replay results writer stopped".into())
}

/// The writer thread: stores batches in order, keeps the first failure for the next answer.
fn write_results(mut journal: Journal, run: i64, queue: mpsc::Receiver<Job>, flag: &AtomicBool) {
    let mut failed: Option<JournalError> = None;
    for job in queue {
        match job {
            Job::Store(batch) => {
                if failed.is_none() && !flag.load(Ordering::Acquire) {
                    failed = store(&mut journal, run, &batch).err();
                    if failed.is_some() {
                        flag.store(true, Ordering::Release);
                    }
                }
            }
            Job::Flush(answer) => {
                let _ = answer.send(failed.take().map_or(Ok(()), Err));
            }
            Job::Finish(status, answer) => {
                let r = match failed.take() {
                    Some(e) => Err(e),
                    None => journal.finish_run(run, &status),
                };
                let _ = answer.send(r);
            }
        }
    }
}

/// One batch of results in one transaction.
fn store(journal: &mut Journal, run: i64, batch: &[RunResult]) -> Result<(), JournalError> {
    let rows: Vec<ResultRow> = batch
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
    journal.store_results(run, &rows)
}
