//! The one follow loop: read a chunk, let the keeper keep it, acknowledge it, until told to stop.

use tokio_util::sync::CancellationToken;

use super::source::{Chunk, Committed, Notice, Source, SourceError};

/// What the loop does with chunks and notices: `record` commits them to the journal, `tail`
/// prints them.
pub trait Keeper<E, A> {
    /// Shown at once, while the source is still waiting or retrying.
    fn announce(&mut self, notice: &Notice);
    /// Kept once the read returned (or was abandoned): gaps and markers go into the journal here.
    fn note(&mut self, notice: Notice) -> anyhow::Result<()>;
    /// Keeps a chunk. `Ok` means it is safe for the source to acknowledge it.
    fn keep(&mut self, chunk: &Chunk<E, A>) -> anyhow::Result<Next>;
}

/// What the keeper wants after a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Kept: acknowledge it and read on.
    Continue,
    /// Kept, and that was enough (`--count`): acknowledge it and stop.
    Finish,
    /// Not kept (the reader of stdout went away): stop without acknowledging it.
    Abandon,
}

/// Why the loop stopped without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The keeper had enough.
    Finished,
    /// `--duration` ran out.
    Deadline,
    /// Ctrl-C.
    Interrupted,
    /// The source had nothing more (`--exit-at-end`).
    AtEnd,
}

/// When to stop besides the keeper's say: a deadline and a cancellation (Ctrl-C).
pub struct Stop {
    pub deadline: Option<tokio::time::Instant>,
    pub cancel: CancellationToken,
}

/// Follows `source` into `keeper` until the keeper, the deadline or the cancellation stops it.
/// The source's error is returned as is, after the notices that came before it were kept.
pub async fn follow<S: Source>(
    source: &mut S,
    keeper: &mut impl Keeper<S::Event, S::Ack>,
    stop: &Stop,
) -> anyhow::Result<Ended> {
    loop {
        let mut pending: Vec<Notice> = Vec::new();
        let read = {
            let mut notify = |n: Notice| {
                keeper.announce(&n);
                pending.push(n);
            };
            let next = source.next_chunk(&mut notify);
            tokio::select! {
                c = next => Some(c),
                _ = stop.cancel.cancelled() => None,
                _ = sleep_until(stop.deadline) => None,
            }
        };
        for n in pending {
            keeper.note(n)?;
        }
        let chunk: Chunk<S::Event, S::Ack> = match read {
            Some(Ok(Some(c))) => c,
            Some(Ok(None)) => return Ok(Ended::AtEnd),
            Some(Err(e)) => return Err(source_error(e)),
            None if stop.cancel.is_cancelled() => return Ok(Ended::Interrupted),
            None => return Ok(Ended::Deadline),
        };
        let next = keeper.keep(&chunk)?;
        if next == Next::Abandon {
            return Ok(Ended::Finished);
        }
        source
            .commit(Committed::after_keeping(chunk))
            .await
            .map_err(source_error)?;
        if next == Next::Finish {
            return Ok(Ended::Finished);
        }
    }
}

fn source_error(e: SourceError) -> anyhow::Error {
    anyhow::Error::new(e)
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
