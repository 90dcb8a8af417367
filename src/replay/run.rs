//! Storing a replay run and every result in the journal (DESIGN §6: handler, options, and per
//! event the attempt, exit status, duration and the start of stdout/stderr).
//!
//! Results are written by a thread of their own, so that SQLite's inserts (a fifth of a fast
//! stream-mode replay when they were done between chunks) run while the handler works on the
//! next chunk instead of before it is sent. The thread takes batches over a bounded channel:
//! a journal slower than the handler holds the engine back rather than growing memory.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::journal::{Journal, JournalError, ResultRow};

use super::RunResult;

/// At most this many result batches wait for the writer thread.
const QUEUED_BATCHES: usize = 64;

enum Msg {
    Results(Vec<RunResult>),
    /// Write what is kept back now, and say when it is done.
    Flush(SyncSender<()>),
}

/// A run being stored: results go to the writer thread, which writes them in batches.
pub struct RunLog {
    pub id: i64,
    tx: Option<SyncSender<Msg>>,
    writer: Option<JoinHandle<(Journal, Result<(), JournalError>)>>,
    /// The journal back from the writer thread, once it stopped.
    journal: Option<Journal>,
}

impl RunLog {
    /// Starts the run in the journal; `handler` is what results are delivered to (the command).
    pub fn start(journal: Journal, handler: &str, options: &str) -> Result<Self, JournalError> {
        let id = journal.start_run(handler, options)?;
        let (tx, rx) = sync_channel(QUEUED_BATCHES);
        let writer = std::thread::Builder::new()
            .name("replay-results".into())
            .spawn(move || write_results(journal, id, rx))
            .map_err(|e| JournalError::Invalid(format!("cannot start the results writer: {e}")))?;
        Ok(RunLog {
            id,
            tx: Some(tx),
            writer: Some(writer),
            journal: None,
        })
    }

    /// Hands results to the writer (moved, not copied: a million results were a million
    /// copies of their output heads). An error the writer met earlier is returned here, so
    /// the replay stops at the next chunk.
    pub fn record(&mut self, results: Vec<RunResult>) -> Result<(), JournalError> {
        if results.is_empty() {
            return Ok(());
        }
        let sent = self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send(Msg::Results(results)).is_ok());
        if sent {
            Ok(())
        } else {
            self.stop()
        }
    }

    /// Writes every result handed over so far, and waits until they are in the journal.
    pub fn save(&mut self) -> Result<(), JournalError> {
        let (done_tx, done_rx) = sync_channel(1);
        let sent = self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send(Msg::Flush(done_tx)).is_ok());
        if sent && done_rx.recv().is_ok() {
            return Ok(());
        }
        self.stop()
    }

    /// Marks the run `done`, `failed` or `interrupted`, after every result is written.
    pub fn finish(&mut self, status: &str) -> Result<(), JournalError> {
        self.stop()?;
        match &self.journal {
            Some(j) => j.finish_run(self.id, status),
            None => Err(JournalError::Invalid(
                "the results writer stopped without giving the journal back".into(),
            )),
        }
    }

    /// Stops the writer thread (it writes what it holds first) and takes the journal back;
    /// returns the writer's error, if it had one.
    fn stop(&mut self) -> Result<(), JournalError> {
        self.tx = None;
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        match writer.join() {
            Ok((journal, result)) => {
                self.journal = Some(journal);
                result
            }
            Err(_) => Err(JournalError::Invalid(
                "the results writer stopped unexpectedly".into(),
            )),
        }
    }
}

/// The writer thread: keeps results back and writes them in one transaction every 5,000
/// results or 500 ms (one per chunk would cost more than a fast handler does), on a flush, and
/// when the engine is done. After an error it stops taking results and gives the error back.
fn write_results(
    mut journal: Journal,
    run: i64,
    rx: Receiver<Msg>,
) -> (Journal, Result<(), JournalError>) {
    let mut unsaved: Vec<RunResult> = Vec::new();
    let mut last_save = Instant::now();
    let every = Duration::from_millis(500);
    loop {
        let msg = match rx.recv_timeout(every.saturating_sub(last_save.elapsed())) {
            Ok(m) => Some(m),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let flush = match msg {
            Some(Msg::Results(r)) => {
                unsaved.extend(r);
                None
            }
            Some(Msg::Flush(done)) => Some(done),
            None => None,
        };
        if flush.is_some() || unsaved.len() >= 5_000 || last_save.elapsed() >= every {
            if let Err(e) = save(&mut journal, run, &unsaved) {
                return (journal, Err(e));
            }
            unsaved.clear();
            last_save = Instant::now();
        }
        if let Some(done) = flush {
            let _ = done.send(());
        }
    }
    let result = save(&mut journal, run, &unsaved);
    (journal, result)
}

fn save(journal: &mut Journal, run: i64, results: &[RunResult]) -> Result<(), JournalError> {
    if results.is_empty() {
        return Ok(());
    }
    let rows: Vec<ResultRow> = results.iter().map(|r| r.stored(r.row)).collect();
    journal.store_results(run, &rows)
}
