//! The sink seam: where the engine's chunks go.
//!
//! A sink is a trait, not an enum of behaviours, because each sink keeps state of its own between
//! chunks (the stream handler's process, the exec sink's process groups, the Redis sink's
//! connection) and the engine should only ever see "deliver a chunk, get one result per event".
//! The trait takes a whole chunk rather than one event so that a sink can batch (stream mode
//! writes a chunk's lines at once; the Redis sink pipelines its `XADD`s) and own its
//! concurrency (`--concurrency`, `--sequential`), and it returns [`RunResult`]s, whose exit
//! status and output heads a processless sink may leave empty.
//!
//! `async fn` in traits is not object-safe, so the concrete sink is chosen once, in [`build`],
//! and carried as the [`Sinks`] enum that forwards to it; the engine is generic over [`Sink`]
//! and never names a concrete one. A new sink is a file of its own with an `impl Sink`, a
//! [`SinkKind`] variant and an arm in [`build`] and in [`Sinks`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::exec::{preflight, ExecSink};
use super::redis::{RedisSink, RedisTarget};
use super::stream::StreamHandler;
use super::{Chunk, RunResult, RunSettings};

/// Something the engine delivers chunks to.
pub trait Sink: Send {
    /// Delivers one attempt of a chunk and returns one result per event it delivered, telling
    /// `done` of each result as soon as it has it (a progress bar then moves per event, not per
    /// chunk). Once `cancel` fires it starts nothing new and stops what runs within its grace;
    /// events it never started may be left out.
    fn deliver(
        &mut self,
        chunk: &Chunk,
        attempt: u32,
        done: Done<'_>,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Vec<RunResult>> + Send;

    /// The replay is over (done or interrupted): let the sink finish within `grace`, then stop it.
    fn finish(&mut self, grace: Duration) -> impl Future<Output = ()> + Send;

    /// The chunk the engine will deliver after the one it delivers next, told only when
    /// nothing is to come between the two (no pacing wait): a sink may start on it early, so
    /// its server does not sit idle while the engine books a chunk's results. A sink that
    /// does must give the results of what it started and was never asked to deliver in
    /// [`Sink::settle`]. Most sinks start nothing early.
    fn next_up(&mut self, _next: &Arc<Chunk>) {}

    /// The results of events a sink started early whose chunk was never delivered (the
    /// replay stopped first), once they are known; called once, before the run is saved.
    fn settle(&mut self) -> impl Future<Output = Vec<RunResult>> + Send {
        std::future::ready(Vec::new())
    }
}

/// Where a sink says "this event has its result" while a delivery is still running, by the
/// event's journal row. Telling it is optional for a sink (the engine counts whatever was not
/// told when the delivery returns) and telling it twice is harmless: the engine counts each
/// event once per chunk, whatever the attempt. A sink that has the whole result at that point
/// tells it with [`Done::result`], for a caller that acts on each at once (a consume worker
/// acknowledges an entry as soon as its handler succeeded, not when the chunk is over).
#[derive(Clone, Copy)]
pub struct Done<'a> {
    row: Option<&'a (dyn Fn(i64) + Sync)>,
    result: Option<&'a (dyn Fn(&RunResult) + Sync)>,
}

impl<'a> Done<'a> {
    pub fn new(f: &'a (dyn Fn(i64) + Sync)) -> Self {
        Done {
            row: Some(f),
            result: None,
        }
    }

    /// For callers that want each result as it comes (consume workers).
    pub fn results(f: &'a (dyn Fn(&RunResult) + Sync)) -> Self {
        Done {
            row: None,
            result: Some(f),
        }
    }

    /// For callers that show no progress.
    pub fn ignored() -> Self {
        Done {
            row: None,
            result: None,
        }
    }

    pub fn event(&self, row: i64) {
        if let Some(f) = self.row {
            f(row);
        }
    }

    /// An event's whole result (also counts as [`Done::event`]).
    pub fn result(&self, r: &RunResult) {
        self.event(r.row);
        if let Some(f) = self.result {
            f(r);
        }
    }
}

/// Which sink a replay delivers to.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkKind {
    /// `sh -c CMD` once per event, the event on stdin (`--mode per-event`).
    PerEvent,
    /// One long-lived `sh -c CMD` speaking NDJSON (`--mode stream`).
    Stream,
    /// Pipelined `XADD` into a Redis stream (`--to redis://…`).
    Redis(Box<RedisTarget>),
}

impl SinkKind {
    /// The name stored with the run's options (the `--mode` value).
    pub fn as_str(&self) -> &'static str {
        match self {
            SinkKind::PerEvent => "per-event",
            SinkKind::Stream => "stream",
            SinkKind::Redis(_) => "redis",
        }
    }
}

/// The sink chosen by [`build`]: one variant per sink, each forwarding to it (stream mode's
/// buffers are boxed so the enum stays small).
pub enum Sinks {
    PerEvent(ExecSink),
    Stream(Box<StreamSink>),
    Redis(Box<RedisSink>),
}

/// Builds the sink of `kind` after checking, before any event is delivered, that it can work
/// (both handler sinks: that the command's program can be run at all).
/// (The Redis sink's own checks, which need the journal and the server, run before, in
/// `super::redis::preflight`.)
pub fn build(kind: &SinkKind, settings: &RunSettings, sequential: bool) -> Result<Sinks, String> {
    if !matches!(kind, SinkKind::Redis(_)) {
        preflight(&settings.command)?;
    }
    Ok(match kind {
        SinkKind::Redis(t) => Sinks::Redis(Box::new(RedisSink::new((**t).clone()))),
        SinkKind::PerEvent => Sinks::PerEvent(ExecSink::new(settings.clone())),
        SinkKind::Stream => Sinks::Stream(Box::new(StreamSink {
            handler: StreamHandler::new(settings.clone()),
            sequential,
            grace: settings.grace,
        })),
    })
}

impl Sink for Sinks {
    async fn deliver(
        &mut self,
        chunk: &Chunk,
        attempt: u32,
        done: Done<'_>,
        cancel: &CancellationToken,
    ) -> Vec<RunResult> {
        match self {
            Sinks::PerEvent(s) => s.deliver(chunk, attempt, done, cancel).await,
            Sinks::Stream(s) => s.deliver(chunk, attempt, done, cancel).await,
            Sinks::Redis(s) => s.deliver(chunk, attempt, done, cancel).await,
        }
    }

    async fn finish(&mut self, grace: Duration) {
        match self {
            Sinks::PerEvent(s) => s.finish(grace).await,
            Sinks::Stream(s) => s.finish(grace).await,
            Sinks::Redis(s) => s.finish(grace).await,
        }
    }

    fn next_up(&mut self, next: &Arc<Chunk>) {
        match self {
            Sinks::PerEvent(s) => s.next_up(next),
            Sinks::Stream(s) => s.next_up(next),
            Sinks::Redis(s) => s.next_up(next),
        }
    }

    async fn settle(&mut self) -> Vec<RunResult> {
        match self {
            Sinks::PerEvent(s) => s.settle().await,
            Sinks::Stream(s) => s.settle().await,
            Sinks::Redis(s) => s.settle().await,
        }
    }
}

/// Stream mode as a sink: the [`StreamHandler`] plus what the engine used to decide around it.
pub struct StreamSink {
    handler: StreamHandler,
    sequential: bool,
    grace: Duration,
}

impl Sink for StreamSink {
    /// On Ctrl-C the chunk in flight is abandoned (its results are not waited for) and the
    /// handler gets the grace to exit on its own, as before the seam existed.
    async fn deliver(
        &mut self,
        chunk: &Chunk,
        attempt: u32,
        done: Done<'_>,
        cancel: &CancellationToken,
    ) -> Vec<RunResult> {
        tokio::select! {
            r = self.handler.deliver(chunk, attempt, self.sequential, done) => r,
            _ = cancel.cancelled() => {
                self.handler.finish(self.grace).await;
                Vec::new()
            }
        }
    }

    /// Closes the handler's input and gives it `grace` to exit.
    async fn finish(&mut self, grace: Duration) {
        self.handler.finish(grace).await;
    }
}
