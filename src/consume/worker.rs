//! The worker loop: take entries (due re-deliveries, entries of dead workers, this worker's own
//! leftovers, new ones), hand them to the handler sink as one chunk, then settle each entry by
//! its handler's result:
//!
//! - exit 0 → XACK at once (its result stored first, with `-j`), while its batch-mates may
//!   still run: one that hangs, or a worker killed meanwhile, must not make it run again;
//! - exit 75 → stays pending; delivered again after `--requeue-delay` (XCLAIM JUSTID, so the
//!   PEL's delivery count does not grow: asking for later is not a failure);
//! - other exits and timeouts → delivered again after `--retry-delay` (XCLAIM, the count grows)
//!   until the count reaches `--max-deliveries`; then XADD to the dead-letter stream and, only
//!   once that write succeeded, XACK;
//! - an entry claimed with a count already past `--max-deliveries` (its handler never finished:
//!   it killed or hung its workers) goes to the dead letters without running again.
//!
//! After a signal nothing new is read or started, running handlers get the grace, and only
//! entries whose handler exited 0 are acknowledged: everything else stays pending for the
//! other workers (or this one, restarted under the same name).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::exit::Fail;
use crate::feed::{ErrorClass, SourceError};
use crate::redis::Entry;
use crate::replay::sink::{self, Done, Sink, Sinks};
use crate::replay::{Chunk, Delivery, Outcome, RunResult};

use super::dead::{self, Reason};
use super::group::{Group, BLOCK};
use super::reply::{now_ms, Got, Pairs};
use super::{Notify, Options};

/// Consecutive transient failures (connection lost, LOADING) before the worker gives up (exit 4).
const MAX_RECONNECTS: u32 = 8;

/// What a run did, for the summary and the exit status.
#[derive(Debug, Default, Clone)]
pub struct Finished {
    /// Handler runs started.
    pub runs: u64,
    /// Entries acknowledged after exit 0.
    pub acked: u64,
    /// Entries written to the dead-letter stream (and then acknowledged).
    pub dead: u64,
    /// Handler runs that exited 75.
    pub requeued: u64,
    /// Handler runs that failed or timed out.
    pub failed: u64,
    /// Entries taken over from other consumers (XAUTOCLAIM).
    pub claimed: u64,
    /// Entries found deleted or trimmed while pending (acknowledged, nothing to run).
    pub vanished: u64,
    /// Entries left pending with this worker's consumer name at the end (waiting for a
    /// re-delivery, interrupted, not run after a signal): as XPENDING counts them.
    pub left_pending: u64,
    pub elapsed: Duration,
    pub interrupted: bool,
}

/// Consumed entries and their handler results, for a caller that stores them (`-j`).
pub trait Keep: Send {
    /// The entries of one chunk, before their handlers run.
    fn entries(&mut self, entries: &[Entry]) -> Result<(), String>;
    /// Results of handler runs of the chunk last given to [`Keep::entries`]
    /// (`RunResult::row` is the index into it). Called as results come: an entry's result is
    /// stored before the entry is acknowledged.
    fn results(&mut self, results: &[RunResult]) -> Result<(), String>;
}

/// Why the worker stopped before its time.
#[derive(Debug, thiserror::Error)]
pub enum ConsumeError {
    #[error(transparent)]
    Redis(#[from] SourceError),
    #[error(transparent)]
    Refused(#[from] Fail),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Why {
    Requeue,
    Retry,
}

/// An entry this worker holds pending until its next delivery is due.
struct Waiting {
    id: String,
    due: Instant,
    why: Why,
}

/// What a chunk's early acknowledgements did: the rows settled, the entries acknowledged
/// (and how many XACK found pending), those whose XACK is still owed.
#[derive(Default)]
struct Early {
    rows: HashSet<i64>,
    ids: Vec<String>,
    acked: u64,
    owed: Vec<String>,
}

/// An entry in hand, with its PEL delivery count.
struct InHand {
    got: Got,
    deliveries: i64,
}

struct Worker<'a> {
    opts: &'a Options,
    notify: &'a dyn Notify,
    cancel: &'a CancellationToken,
    group: Group,
    sink: Sinks,
    keep: Option<&'a mut dyn Keep>,
    waiting: Vec<Waiting>,
    /// Exit-75 re-deliveries per entry, added to FEEDCTL_ATTEMPT (they leave the count alone).
    requeues: HashMap<String, u32>,
    /// Settled but not yet told to Redis (kept across a reconnect).
    to_ack: Vec<String>,
    to_bury: Vec<(String, Pairs, Reason)>,
    /// Dead letters written whose XACK is still owed.
    to_unack: Vec<String>,
    own_after: Option<String>,
    claim_from: Option<String>,
    next_claim: Instant,
    chunk_seq: i64,
    done: Finished,
}

/// Runs a worker until `--count`, `--duration`, `--exit-when-idle` or `cancel`.
pub async fn run<'a>(
    opts: &'a Options,
    notify: &'a dyn Notify,
    cancel: &'a CancellationToken,
    keep: Option<&'a mut dyn Keep>,
) -> Result<Finished, ConsumeError> {
    // Before anything is read: can the handler run at all?
    let mut sink = sink::build(&opts.sink, &opts.handler, opts.sequential).map_err(Fail::usage)?;
    let begun = Instant::now();
    let Some((group, created)) = first_connection(opts, notify, cancel).await? else {
        // A signal before Redis ever answered: nothing was read, nothing is pending.
        sink.finish(opts.handler.grace).await;
        return Ok(Finished {
            elapsed: begun.elapsed(),
            interrupted: true,
            ..Finished::default()
        });
    };
    if created {
        notify.notice(&format!(
            "created consumer group `{}` on stream `{}` from its first entry",
            opts.group, opts.url.key
        ));
    }
    notify.notice(&format!(
        "consuming `{}` as `{}` of group `{}` through `{}`",
        opts.url, opts.consumer, opts.group, opts.handler.command
    ));
    let mut w = Worker {
        opts,
        notify,
        cancel,
        group,
        sink,
        keep,
        waiting: Vec::new(),
        requeues: HashMap::new(),
        to_ack: Vec::new(),
        to_bury: Vec::new(),
        to_unack: Vec::new(),
        own_after: Some("0".into()),
        claim_from: Some("0-0".into()),
        next_claim: Instant::now() + opts.claim_idle,
        chunk_seq: 0,
        done: Finished::default(),
    };
    let started = Instant::now();
    let outcome = w.work(started).await;
    // Whatever was settled is told to Redis, also after a signal: never more than that.
    let flushed = w.flush().await;
    w.sink.finish(opts.handler.grace).await;
    w.done.elapsed = started.elapsed();
    w.done.interrupted = cancel.is_cancelled();
    outcome?;
    flushed?;
    // Redis's count, not the worker's: entries not run or not settled after a signal stay
    // pending too, and so do any an earlier worker of this name left.
    w.done.left_pending = match w.group.pending_here().await {
        Ok(n) => n,
        Err(e) => {
            notify.notice(&format!(
                "could not count the entries left pending: {}",
                e.message
            ));
            w.waiting.len() as u64
        }
    };
    Ok(w.done)
}

/// The first connection, and the group made sure of: a transient failure (refused, a
/// timeout, LOADING) is retried as a reconnect is, within `--connection-timeout` and
/// [`MAX_RECONNECTS`]; anything else (refused credentials, TLS, not a stream) ends at once.
/// `None` after a signal. The group is created from the stream's first entry when missing
/// (`true`).
async fn first_connection(
    opts: &Options,
    notify: &dyn Notify,
    cancel: &CancellationToken,
) -> Result<Option<(Group, bool)>, ConsumeError> {
    let mut outage = crate::redis::conn::Outage::new();
    let mut failures = 0u32;
    loop {
        let attempt = async {
            let mut group = Group::connect(&opts.url, &opts.group, &opts.consumer).await?;
            let created = group.ensure().await?;
            Ok::<_, SourceError>((group, created))
        };
        let e = tokio::select! {
            r = attempt => match r {
                Ok(g) => return Ok(Some(g)),
                Err(e) if e.class == ErrorClass::Transient => e,
                Err(e) => return Err(e.into()),
            },
            _ = cancel.cancelled() => return Ok(None),
        };
        failures += 1;
        let wait = next_try(opts, notify, &mut outage, failures, e)?;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = cancel.cancelled() => return Ok(None),
        }
    }
}

/// After the `failures`-th transient failure in a row: the wait before the next try (500 ms
/// doubling, at most 10 s, cut to what is left of `--connection-timeout`), announced; or the
/// error that ends the run once either bound is used up.
fn next_try(
    opts: &Options,
    notify: &dyn Notify,
    outage: &mut crate::redis::conn::Outage,
    failures: u32,
    e: SourceError,
) -> Result<Duration, ConsumeError> {
    if failures > MAX_RECONNECTS {
        return Err(e.into());
    }
    let wait =
        Duration::from_millis(500 * (1 << (failures - 1).min(5))).min(Duration::from_secs(10));
    let wait = outage
        .wait(&opts.url.server(), wait, &e.message)
        .map_err(|why| SourceError::new(ErrorClass::Transient, why))?;
    notify.notice(&format!(
        "retry: {} (attempt {failures} of {MAX_RECONNECTS}, next in {})",
        e.message,
        humantime::format_duration(wait)
    ));
    Ok(wait)
}

fn slack(d: Duration) -> Duration {
    d.saturating_sub(Duration::from_millis(100))
}

impl Worker<'_> {
    async fn work(&mut self, started: Instant) -> Result<(), ConsumeError> {
        let mut failures = 0u32;
        let mut last_work = Instant::now();
        let mut outage = crate::redis::conn::Outage::new();
        loop {
            if self.cancel.is_cancelled() {
                return Ok(());
            }
            let settled = self.done.acked + self.done.dead;
            if self.opts.count.is_some_and(|n| settled >= n) {
                return Ok(());
            }
            if let Some(d) = self.opts.duration {
                if started.elapsed() >= d {
                    return Ok(());
                }
            }
            if let Some(d) = self.opts.exit_when_idle {
                if self.waiting.is_empty() && last_work.elapsed() >= d {
                    self.notify.notice(&format!(
                        "idle for {}: stopping",
                        humantime::format_duration(d)
                    ));
                    return Ok(());
                }
            }
            match self.step(started, last_work).await {
                Ok(worked) => {
                    failures = 0;
                    outage.up();
                    if worked {
                        last_work = Instant::now();
                    }
                }
                Err(ConsumeError::Redis(e)) if e.class == ErrorClass::Transient => {
                    failures += 1;
                    let wait = next_try(self.opts, self.notify, &mut outage, failures, e)?;
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.cancel.cancelled() => return Ok(()),
                    }
                    if let Ok(g) =
                        Group::connect(&self.opts.url, &self.opts.group, &self.opts.consumer).await
                    {
                        self.group = g;
                        outage.up();
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One round: tell Redis what was settled, take entries, run them. True when there was work.
    async fn step(&mut self, started: Instant, last_work: Instant) -> Result<bool, ConsumeError> {
        self.flush().await?;
        let now = Instant::now();
        if self.claim_from.is_none() && now >= self.next_claim {
            self.claim_from = Some("0-0".into());
            self.next_claim = now + self.opts.claim_idle;
        }
        let settled = self.done.acked + self.done.dead;
        let room = match self.opts.count {
            Some(n) => (n.saturating_sub(settled + self.waiting.len() as u64) as usize)
                .min(self.opts.batch),
            None => self.opts.batch,
        };
        let due: Vec<Waiting> = {
            let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
                .into_iter()
                .partition(|w| w.due <= now);
            self.waiting = later;
            due
        };
        let hand = if !due.is_empty() {
            self.redeliver(due).await?
        } else if room == 0 {
            // --count reached but re-deliveries are still owed: wait for the next one.
            self.pause(now, started, last_work).await;
            return Ok(false);
        } else if let Some(from) = self.claim_from.clone() {
            let (next, got, deleted) = self
                .group
                .autoclaim(self.opts.claim_idle, &from, room)
                .await?;
            self.claim_from = (next != "0-0").then_some(next);
            if !deleted.is_empty() {
                self.done.vanished += deleted.len() as u64;
                self.notify.notice(&format!(
                    "{} pending entr(ies) were deleted or trimmed before anyone handled them: dropped from the group by Redis ({})",
                    deleted.len(),
                    crate::text::clip(&deleted.join(" "), 200)
                ));
            }
            // An entry this worker was holding for later that is overdue anyway: now.
            let ids: HashSet<&str> = got.iter().map(|g| g.id.as_str()).collect();
            self.waiting.retain(|w| !ids.contains(w.id.as_str()));
            if !got.is_empty() {
                self.done.claimed += got.len() as u64;
                self.notify.notice(&format!(
                    "took over {} entr(ies) idle for more than {} (XAUTOCLAIM)",
                    got.len(),
                    humantime::format_duration(self.opts.claim_idle)
                ));
            }
            self.with_counts(got).await?
        } else if let Some(after) = self.own_after.clone() {
            let got = self.group.read_own(&after, room).await?;
            self.own_after = got.last().map(|g| g.id.clone());
            if !got.is_empty() {
                self.notify.notice(&format!(
                    "{} entr(ies) were still pending for consumer `{}`: handling them first",
                    got.len(),
                    self.opts.consumer
                ));
            }
            self.with_counts(got).await?
        } else {
            let block = self.block_for(now, started, last_work);
            let got = tokio::select! {
                r = self.group.read_new(room, block) => r?,
                _ = self.cancel.cancelled() => return Ok(false),
            };
            got.into_iter()
                .map(|got| InHand { got, deliveries: 1 })
                .collect()
        };
        if hand.is_empty() {
            return Ok(false);
        }
        self.handle(hand).await?;
        Ok(true)
    }

    /// How long a read of new entries may block: never past the next due re-delivery, claim,
    /// `--duration` or `--exit-when-idle`.
    fn block_for(&self, now: Instant, started: Instant, last_work: Instant) -> Duration {
        let mut until = now + BLOCK;
        if let Some(w) = self.waiting.iter().map(|w| w.due).min() {
            until = until.min(w);
        }
        until = until.min(self.next_claim);
        if let Some(d) = self.opts.duration {
            until = until.min(started + d);
        }
        if let Some(d) = self.opts.exit_when_idle {
            until = until.min(last_work + d);
        }
        until
            .saturating_duration_since(now)
            .max(Duration::from_millis(10))
    }

    async fn pause(&self, now: Instant, started: Instant, last_work: Instant) {
        let wait = self.block_for(now, started, last_work);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = self.cancel.cancelled() => {}
        }
    }

    /// Entries due again: exit-75 ones touched (JUSTID) and read back, failed ones claimed
    /// (the delivery count grows). One another worker took over meanwhile stays with it.
    async fn redeliver(&mut self, due: Vec<Waiting>) -> Result<Vec<InHand>, ConsumeError> {
        let requeue: Vec<String> = due
            .iter()
            .filter(|w| w.why == Why::Requeue)
            .map(|w| w.id.clone())
            .collect();
        let retry: Vec<String> = due
            .iter()
            .filter(|w| w.why == Why::Retry)
            .map(|w| w.id.clone())
            .collect();
        let mut got = Vec::new();
        let held = self
            .group
            .touch(&requeue, slack(self.opts.requeue_delay))
            .await?;
        got.extend(self.group.fetch(&held).await?);
        got.extend(
            self.group
                .claim(&retry, slack(self.opts.retry_delay))
                .await?,
        );
        let lost = requeue.len() + retry.len() - got.len();
        if lost > 0 {
            self.notify.notice(&format!(
                "{lost} entr(ies) waiting for a re-delivery were taken over by another worker meanwhile"
            ));
        }
        self.with_counts(got).await
    }

    /// Adds each entry's delivery count from the PEL.
    async fn with_counts(&mut self, got: Vec<Got>) -> Result<Vec<InHand>, ConsumeError> {
        if got.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = got.iter().map(|g| g.id.clone()).collect();
        let counts = self.group.pending_of(&ids).await?;
        Ok(got
            .into_iter()
            .map(|g| {
                let deliveries = counts.get(&g.id).map(|p| p.deliveries).unwrap_or(1);
                InHand { got: g, deliveries }
            })
            .collect())
    }

    /// Runs the handler on entries in hand and settles each by its result.
    async fn handle(&mut self, hand: Vec<InHand>) -> Result<(), ConsumeError> {
        let max = i64::from(self.opts.max_deliveries);
        let mut runnable: Vec<(Entry, Pairs, i64)> = Vec::new();
        for h in hand {
            match h.got.pairs {
                None => {
                    // Deleted or trimmed while pending: nothing to run, nothing to keep.
                    self.done.vanished += 1;
                    self.notify.notice(&format!(
                        "entry {} was deleted or trimmed while pending: acknowledged without running the handler",
                        h.got.id
                    ));
                    self.to_ack.push(h.got.id);
                }
                Some(pairs) if h.deliveries > max => {
                    let reason = format!(
                        "delivered {} times without a result (more than --max-deliveries {max}): its handler never finished, or its workers died",
                        h.deliveries
                    );
                    self.to_bury.push((
                        h.got.id.clone(),
                        pairs,
                        Reason {
                            id: h.got.id,
                            reason,
                            exit_status: None,
                            attempts: h.deliveries,
                            stderr: String::new(),
                        },
                    ));
                }
                Some(pairs) => {
                    let entry = Entry::new(&self.opts.url.key, &h.got.id, &pairs);
                    runnable.push((entry, pairs, h.deliveries));
                }
            }
        }
        // FEEDCTL_ATTEMPT is one per chunk: entries in hand with different counts go in turns.
        let mut attempts: Vec<u32> = runnable
            .iter()
            .map(|(e, _, d)| self.attempt(&e.id, *d))
            .collect();
        attempts.sort_unstable();
        attempts.dedup();
        for attempt in attempts {
            if self.cancel.is_cancelled() {
                break;
            }
            let part: Vec<&(Entry, Pairs, i64)> = runnable
                .iter()
                .filter(|(e, _, d)| self.attempt(&e.id, *d) == attempt)
                .collect();
            self.run_chunk(&part, attempt).await?;
        }
        self.flush().await
    }

    fn attempt(&self, id: &str, deliveries: i64) -> u32 {
        deliveries.max(1) as u32 + self.requeues.get(id).copied().unwrap_or(0)
    }

    async fn run_chunk(
        &mut self,
        part: &[&(Entry, Pairs, i64)],
        attempt: u32,
    ) -> Result<(), ConsumeError> {
        self.chunk_seq += 1;
        let chunk = Chunk {
            // Read live from the stream: no recording (the envelope has none).
            recording: String::new(),
            seq: self.chunk_seq,
            received_at: now_ms(),
            events: part
                .iter()
                .enumerate()
                .map(|(i, (e, _, _))| Delivery {
                    row: i as i64,
                    raw: String::from_utf8_lossy(&e.raw).into_owned(),
                    event_id: Some(e.id.clone()),
                    event_type: e.event_type.clone(),
                    timestamp: e.timestamp,
                    // The entry's stream, as for an entry recorded from Redis.
                    stream_id: Some(self.opts.url.key.clone()),
                    initiator_id: None,
                    source: "redis".into(),
                    partition: self.opts.url.key.as_str().into(),
                })
                .collect(),
        };
        let ids: Vec<String> = part.iter().map(|(e, _, _)| e.id.clone()).collect();
        // While handlers run their entries are touched now and then, so that other workers
        // do not take them for abandoned after --claim-idle.
        let mut beat = self.group.handle();
        let every = (self.opts.claim_idle / 3).max(Duration::from_millis(100));
        let heartbeat = async {
            loop {
                tokio::time::sleep(every).await;
                let _ = beat.touch(&ids, Duration::ZERO).await;
            }
        };
        let (notify, cancel) = (self.notify, self.cancel);
        let sink = &mut self.sink;
        let mut keep = self.keep.as_deref_mut();
        if let Some(k) = keep.as_deref_mut() {
            let entries: Vec<Entry> = part.iter().map(|(e, _, _)| e.clone()).collect();
            if let Err(e) = k.entries(&entries) {
                notify.alert(&format!("could not store the entries in the journal: {e}"));
            }
        }
        // Each entry whose handler exited 0 is stored and acknowledged as soon as it is, not
        // when the whole chunk is over: a batch-mate that hangs, or a worker killed meanwhile,
        // must not leave it pending to be run again. (Unbounded, but it never holds more than
        // the chunk's entries: a sink tells each result once.)
        let (tell, mut told) = tokio::sync::mpsc::unbounded_channel::<RunResult>();
        let delivering = async {
            let tell = tell;
            let on_result = |r: &RunResult| {
                if r.outcome == Outcome::Handled {
                    let _ = tell.send(r.clone());
                }
            };
            sink.deliver(&chunk, attempt, Done::results(&on_result), cancel)
                .await
        };
        let mut acker = self.group.handle();
        let acking = async {
            let mut settled = Early::default();
            while let Some(first) = told.recv().await {
                let mut batch = vec![first];
                while let Ok(r) = told.try_recv() {
                    batch.push(r);
                }
                batch.retain(|r| settled.rows.insert(r.row));
                if let Some(k) = keep.as_deref_mut() {
                    if let Err(e) = k.results(&batch) {
                        notify.alert(&format!("could not store the results in the journal: {e}"));
                    }
                }
                let ids: Vec<String> = batch
                    .iter()
                    .filter_map(|r| part.get(r.row as usize))
                    .map(|(e, _, _)| e.id.clone())
                    .collect();
                // After one failed XACK the rest wait for the worker's flush (after a
                // reconnect), rather than each waiting for a dead connection.
                if settled.owed.is_empty() {
                    if let Ok(n) = acker.ack(&ids).await {
                        settled.acked += n as u64;
                        settled.ids.extend(ids);
                        continue;
                    }
                }
                settled.owed.extend(ids);
            }
            settled
        };
        let (results, early) = tokio::select! {
            r = async { tokio::join!(delivering, acking) } => r,
            () = heartbeat => unreachable!("the heartbeat never ends"),
        };
        self.done.runs += results.len() as u64;
        self.done.acked += early.acked;
        for id in &early.ids {
            self.requeues.remove(id);
        }
        self.to_ack.extend(early.owed);
        let rest: Vec<&RunResult> = results
            .iter()
            .filter(|r| !early.rows.contains(&r.row))
            .collect();
        if let Some(k) = self.keep.as_deref_mut() {
            let rest: Vec<RunResult> = rest.iter().map(|r| (*r).clone()).collect();
            if let Err(e) = k.results(&rest) {
                self.notify
                    .alert(&format!("could not store the results in the journal: {e}"));
            }
        }
        let stopped = self.cancel.is_cancelled();
        for r in rest {
            let Some((entry, pairs, deliveries)) = part.get(r.row as usize) else {
                continue;
            };
            match r.outcome {
                Outcome::Handled => self.to_ack.push(entry.id.clone()),
                // After a signal, anything but exit 0 stays pending for the others, as is.
                _ if stopped => {}
                Outcome::Requeued => {
                    self.done.requeued += 1;
                    *self.requeues.entry(entry.id.clone()).or_default() += 1;
                    self.waiting.push(Waiting {
                        id: entry.id.clone(),
                        due: Instant::now() + self.opts.requeue_delay,
                        why: Why::Requeue,
                    });
                }
                Outcome::Failed | Outcome::Timeout | Outcome::Interrupted => {
                    self.done.failed += 1;
                    let how = match r.outcome {
                        Outcome::Timeout => "killed after --timeout".to_string(),
                        _ => r
                            .status
                            .map(|s| format!("exit {s}"))
                            .unwrap_or_else(|| "no exit status".into()),
                    };
                    let first_err = r.stderr_head.lines().next().unwrap_or("").to_string();
                    if *deliveries >= i64::from(self.opts.max_deliveries) {
                        self.to_bury.push((
                            entry.id.clone(),
                            (*pairs).clone(),
                            Reason {
                                id: entry.id.clone(),
                                reason: format!(
                                    "{how} on delivery {deliveries} of --max-deliveries {}",
                                    self.opts.max_deliveries
                                ),
                                exit_status: r.status,
                                attempts: *deliveries,
                                stderr: r.stderr_head.clone(),
                            },
                        ));
                    } else {
                        self.notify.notice(&format!(
                            "failed: entry {} (delivery {deliveries} of {}): {how}{}; delivering it again in {}",
                            entry.id,
                            self.opts.max_deliveries,
                            if first_err.is_empty() { String::new() } else { format!(": {first_err}") },
                            humantime::format_duration(self.opts.retry_delay)
                        ));
                        self.waiting.push(Waiting {
                            id: entry.id.clone(),
                            due: Instant::now() + self.opts.retry_delay,
                            why: Why::Retry,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Tells Redis what was settled: XACK of handled entries; dead letters written (XADD) and
    /// only then acknowledged. What fails stays here for the next try.
    async fn flush(&mut self) -> Result<(), ConsumeError> {
        if !self.to_ack.is_empty() {
            let n = self.group.ack(&self.to_ack).await?;
            for id in &self.to_ack {
                self.requeues.remove(id);
            }
            self.done.acked += n as u64;
            self.to_ack.clear();
        }
        if !self.to_unack.is_empty() {
            self.group.ack(&self.to_unack).await?;
            self.to_unack.clear();
        }
        if !self.to_bury.is_empty() {
            let letters: Vec<Pairs> = self
                .to_bury
                .iter()
                .map(|(_, pairs, r)| {
                    dead::letter(
                        &self.opts.url.key,
                        &self.opts.group,
                        &self.opts.consumer,
                        r,
                        pairs,
                    )
                })
                .collect();
            self.group.add_all(&self.opts.dead_key, &letters).await?;
            // Written: from here on only the XACK is owed, never a second dead letter.
            for (id, _, r) in std::mem::take(&mut self.to_bury) {
                self.requeues.remove(&id);
                self.notify.notice(&format!(
                    "dead letter: entry {id} → `{}` ({})",
                    self.opts.dead_key, r.reason
                ));
                self.done.dead += 1;
                self.to_unack.push(id);
            }
            self.group.ack(&self.to_unack).await?;
            self.to_unack.clear();
        }
        Ok(())
    }
}
