//! The replay engine (DESIGN §6): reads the selected chunks from the journal, paces them
//! (`--speed`), hands each to a [`Sink`] with the kits' chunk semantics (the next chunk only when
//! the whole chunk is done; the whole chunk again after `--requeue-delay` when an event asked for
//! a re-queue, up to `--max-redeliveries`), stops cleanly on cancellation, and stores the run and
//! every result in the journal.
//!
//! It prints nothing itself: progress and notices go to an [`Observer`] handed down by the
//! caller, and Ctrl-C arrives as a cancellation token, so the same engine serves `replay`, the
//! demo, and later consumer workers.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::exit::Fail;
use crate::journal::{Journal, JournalError, Selection};

use super::chunks::{read_chunks, Chunks};
use super::pace::Speed;
use super::run::RunLog;
use super::sink::{self, Done, Sink, SinkKind};
use super::stats::{millis, Report, Stats};
use super::{Chunk, Outcome, RunSettings};

/// Everything a replay needs, already resolved (from flags by `feedctl replay`, chosen by the
/// demo): no clap types, so any caller can fill it in.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// The journal to read events from and to store the run in.
    pub journal: PathBuf,
    pub selection: Selection,
    pub sink: SinkKind,
    /// The handler command and how it is run (concurrency, `--slow`, `--timeout`, `--grace`).
    pub handler: RunSettings,
    /// One event at a time (the exec sink has its concurrency set to 1 as well).
    pub sequential: bool,
    pub requeue_delay: Duration,
    pub max_redeliveries: u32,
    pub speed: Speed,
    /// The filters as the user spelled them, stored with the run.
    pub as_given: AsGiven,
}

/// Options as the user spelled them: the run's record in the journal (and the report) shows
/// what was asked, not the parsed values.
#[derive(Debug, Clone, Default)]
pub struct AsGiven {
    pub speed: String,
    pub recording: Option<String>,
    pub types: Vec<String>,
    pub streams: Vec<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub chunks: Option<String>,
}

impl ReplayOptions {
    /// The options stored with the run, in the shape (and key order) `journal runs` and the
    /// report have always shown.
    pub fn stored(&self) -> serde_json::Value {
        json!({
            "mode": self.sink.as_str(),
            "concurrency": self.handler.concurrency,
            "sequential": self.sequential,
            "requeueDelayMs": millis(self.requeue_delay),
            "maxRedeliveries": self.max_redeliveries,
            "slowMs": millis(self.handler.slow),
            "timeoutMs": self.handler.timeout.map(millis),
            "speed": self.as_given.speed,
            "recording": self.as_given.recording,
            "types": self.as_given.types,
            "streams": self.as_given.streams,
            "since": self.as_given.since,
            "until": self.as_given.until,
            "chunks": self.as_given.chunks,
            "skipDuplicates": self.selection.skip_duplicates,
            "rerunFailed": self.selection.failed_in_run,
        })
    }
}

/// Where the engine reports to: the caller decides how (a progress bar, notes, nothing).
pub trait Observer: Sync {
    /// A notice for the human: the run starting, an event that failed, a chunk re-queued.
    fn notice(&self, text: &str);
    /// Something the human must see even when notices are silenced (Ctrl-C and the grace).
    fn alert(&self, text: &str);
    /// Delivery starts; `total` events are selected.
    fn start(&self, total: u64);
    /// `done` more events have a result. Each event is counted once, as soon as its first
    /// result comes (a re-queued chunk delivered again does not count its events twice).
    fn progress(&self, done: u64);
    /// Delivery is over: clear whatever shows progress.
    fn finish(&self);
}

/// A finished run, for the caller's summary and exit status.
#[derive(Debug)]
pub struct Finished {
    pub report: Report,
    pub elapsed: Duration,
    /// Events whose final outcome is a failure.
    pub failed: u64,
    pub interrupted: bool,
}

/// Why a replay could not run or finish.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Refused before any event was delivered (no handler to run, an unknown run to re-run).
    #[error(transparent)]
    Refused(#[from] Fail),
}

impl ReplayError {
    /// The error itself, not wrapped, so the exit status mapping (which looks for `Fail` and
    /// `JournalError`) and the one-line message stay what they were.
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            ReplayError::Journal(e) => e.into(),
            ReplayError::Refused(e) => e.into(),
        }
    }
}

/// Replays `options.selection` from the journal into the sink the options name, storing the run;
/// returns when every chunk is done, after `cancel` fired, or on a journal error.
pub async fn replay(
    options: &ReplayOptions,
    observer: &dyn Observer,
    cancel: &CancellationToken,
) -> Result<Finished, ReplayError> {
    let path = &options.journal;
    let journal = Journal::open_for_write(path)?;
    let mut selection = options.selection.clone();
    if let Some(run) = selection.failed_in_run {
        if !journal.run_exists(run)? {
            return Err(Fail::usage(format!("there is no replay run {run} in {}; `feedctl replay --report` and the end-of-run table give run numbers", path.display())).into());
        }
        selection.run_selection = journal.run_selection(run)?.map(Box::new);
    }
    // Before any event is delivered: can the sink work at all? (The Redis sink checks every
    // event the run delivers, so after the selection is resolved.)
    let spill = match &options.sink {
        SinkKind::Redis(target) => super::redis::preflight(target, path, &selection).await?,
        _ => None,
    };
    let mut sink =
        sink::build(&options.sink, &options.handler, options.sequential).map_err(Fail::usage)?;
    if let (sink::Sinks::Redis(s), Some(spill)) = (&mut sink, spill) {
        s.use_spill(spill);
    }
    let total = journal.count_events(&selection)?;
    let mut stored = options.stored();
    // Resolved, so a later --rerun-failed of this run knows what it was to deliver.
    stored["selection"] = serde_json::to_value(&selection).unwrap_or_default();
    let command = &options.handler.command;
    let mut run = RunLog::start(journal, command, &stored.to_string())?;
    observer.notice(&format!(
        "replay run {}: {} from {} through `{command}`",
        run.id,
        crate::text::counted(total, "event"),
        path.display()
    ));
    // The Redis sink has the chunks from its check, when the check read them in order.
    let kept = match &mut sink {
        sink::Sinks::Redis(s) => s.kept_chunks(path),
        _ => None,
    };
    let chunks = kept.unwrap_or_else(|| read_chunks(path.clone(), selection.clone()));
    let (stats, elapsed, outcome) = deliver_all(
        &mut sink, &mut run, options, chunks, observer, cancel, total,
    )
    .await;
    observer.finish();
    run.save()?;
    sink.finish(options.handler.grace).await;
    let interrupted = cancel.is_cancelled();
    run.finish(if interrupted {
        "interrupted"
    } else if outcome.is_err() {
        "failed"
    } else {
        "done"
    })?;
    outcome?;
    Ok(Finished {
        failed: stats.failed(),
        report: stats.report(run.id, command, stored, interrupted),
        elapsed,
        interrupted,
    })
}

/// The chunk loop, generic over the sink: pacing, delivery, re-queue, results to the run log.
async fn deliver_all(
    sink: &mut impl Sink,
    run: &mut RunLog,
    options: &ReplayOptions,
    mut chunks: Chunks,
    observer: &dyn Observer,
    cancel: &CancellationToken,
    total: u64,
) -> (Stats, Duration, Result<(), JournalError>) {
    let mut stats = Stats::default();
    let mut previous_at: Option<i64> = None;
    observer.start(total);
    let started = Instant::now();

    // The chunk taken from the reader ahead of its turn, told to the sink as next up.
    let mut taken: Option<Result<Arc<Chunk>, JournalError>> = None;
    let work = async {
        loop {
            let chunk = match taken.take() {
                Some(chunk) => chunk?,
                None => match chunks.recv().await {
                    Some(chunk) => Arc::new(chunk?),
                    None => break,
                },
            };
            let wait = options.speed.gap(previous_at, chunk.received_at);
            previous_at = Some(chunk.received_at);
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = cancel.cancelled() => break,
                }
            }
            if cancel.is_cancelled() {
                break;
            }
            // The next chunk, when the reader has it ready and no pacing wait comes between
            // the two: the sink may start on it while this one's results are booked.
            if let Some(next) = chunks.try_recv() {
                let next = next.map(Arc::new);
                if let Ok(next) = &next {
                    if options
                        .speed
                        .gap(Some(chunk.received_at), next.received_at)
                        .is_zero()
                    {
                        sink.next_up(next);
                    }
                }
                taken = Some(next);
            }
            // Where each event of the chunk is, to name it in notices and statistics: results
            // come in the chunk's order, so the i-th is looked for first, and the map of all
            // the chunk's rows is built only for a sink that answers out of order.
            let position: std::cell::OnceCell<HashMap<i64, usize>> = std::cell::OnceCell::new();
            let describe = |i: usize, row: i64| -> (Option<&str>, Option<&str>) {
                let at = match chunk.events.get(i) {
                    Some(d) if d.row == row => Some(i),
                    _ => position
                        .get_or_init(|| {
                            let rows = chunk.events.iter().enumerate();
                            rows.map(|(i, d)| (d.row, i)).collect()
                        })
                        .get(&row)
                        .copied(),
                };
                at.map(|i| {
                    let d = &chunk.events[i];
                    (d.event_type.as_deref(), d.event_id.as_deref())
                })
                .unwrap_or((None, None))
            };
            // The events of this chunk shown as done: the bar moves as each result comes, once
            // per event whatever the attempt.
            // (Empty, so unallocated, for a sink that tells nothing while delivering.)
            let shown: Mutex<HashSet<i64>> = Mutex::new(HashSet::new());
            let show = |row: i64| {
                let first = shown.lock().map(|mut s| s.insert(row)).unwrap_or(false);
                if first {
                    observer.progress(1);
                }
            };
            let mut attempt = 1;
            loop {
                let mut results = sink
                    .deliver(&chunk, attempt, Done::new(&show), cancel)
                    .await;
                if cancel.is_cancelled() {
                    for r in results.iter_mut().filter(|r| r.outcome != Outcome::Handled) {
                        r.outcome = Outcome::Interrupted;
                    }
                }
                for (i, r) in results.iter().enumerate() {
                    let (ty, id) = describe(i, r.row);
                    stats.attempt(r, ty, id);
                    if matches!(r.outcome, Outcome::Failed | Outcome::Timeout)
                        && !cancel.is_cancelled()
                    {
                        // Event text and handler output: shown terminal-safe.
                        let safe = crate::text::terminal_safe;
                        observer.notice(&format!(
                            "failed: {} {} (chunk {}, attempt {}): {}{}",
                            safe(ty.unwrap_or("?")),
                            safe(id.unwrap_or("?")),
                            chunk.seq,
                            r.attempt,
                            match r.outcome {
                                Outcome::Timeout => "killed after --timeout".to_string(),
                                _ => r
                                    .status
                                    .map(|s| format!("exit {s}"))
                                    .unwrap_or_else(|| "no exit status".into()),
                            },
                            r.stderr_head
                                .lines()
                                .next()
                                .map(|l| format!(": {}", safe(l)))
                                .unwrap_or_default()
                        ));
                    }
                }
                let requeue = results
                    .iter()
                    .filter(|r| r.outcome == Outcome::Requeued)
                    .count();
                let again =
                    requeue > 0 && attempt <= options.max_redeliveries && !cancel.is_cancelled();
                // A chunk delivered again keeps this attempt's results only in the journal,
                // unless the wait for the next attempt is interrupted: then they are final.
                let last = match again {
                    true => {
                        let kept = results.clone();
                        run.record(results)?;
                        kept
                    }
                    false => results,
                };
                if again {
                    stats.requeued_chunks += 1;
                    observer.notice(&format!(
                        "requeue: chunk {} ({} exited 75); delivering the whole chunk again in {} (attempt {} of {})",
                        chunk.seq,
                        crate::text::counted(requeue as u64, "event"),
                        humantime::format_duration(options.requeue_delay),
                        attempt + 1,
                        options.max_redeliveries + 1
                    ));
                    tokio::select! {
                        _ = tokio::time::sleep(options.requeue_delay) => {}
                        _ = cancel.cancelled() => {}
                    }
                    if !cancel.is_cancelled() {
                        attempt += 1;
                        continue;
                    }
                }
                for (i, r) in last.iter().enumerate() {
                    let (ty, id) = describe(i, r.row);
                    stats.last(r, ty, id);
                }
                // Sinks that answer a chunk at once tell nothing while delivering: then every
                // event is shown now, at once (a lock and a set per event showed in profiles).
                let none_shown = shown.lock().map(|s| s.is_empty()).unwrap_or(false);
                match none_shown {
                    true => observer.progress(last.len() as u64),
                    false => last.iter().for_each(|r| show(r.row)),
                }
                if !again {
                    // Whatever is pending is written at the end, and on Ctrl-C.
                    run.record(last)?;
                }
                break;
            }
            if cancel.is_cancelled() {
                break;
            }
        }
        Ok::<(), JournalError>(())
    };
    // Said once, as soon as the cancellation comes, while the work winds down within the grace.
    let announce = async {
        cancel.cancelled().await;
        observer.alert(&format!(
            "interrupted: no new handlers; waiting up to {}s for the running ones",
            options.handler.grace.as_secs()
        ));
        std::future::pending::<()>().await
    };
    let outcome = tokio::select! {
        biased;
        () = announce => unreachable!("the announcement never ends"),
        r = work => r,
    };
    drop(chunks);
    // What the sink started early for a chunk it was never given (the replay stopped first)
    // is done all the same: its results are kept like any others.
    let late = sink.settle().await;
    let ahead = taken.and_then(Result::ok);
    for r in &late {
        let d = ahead
            .as_ref()
            .and_then(|c| c.events.iter().find(|d| d.row == r.row));
        let (ty, id) = d.map_or((None, None), |d| {
            (d.event_type.as_deref(), d.event_id.as_deref())
        });
        stats.attempt(r, ty, id);
        stats.last(r, ty, id);
    }
    observer.progress(late.len() as u64);
    let outcome = outcome.and(run.record(late));
    (stats, started.elapsed(), outcome)
}
