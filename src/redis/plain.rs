//! One plain read (`XINFO STREAM` per key for the gap check, then `XREAD` from the cursors),
//! and the same read started ahead on a task of its own. Reads go over a connection of their
//! own that parses XREAD replies in place ([`super::wire`]).
//!
//! A read that brought entries starts the next one as soon as its reply is in, from its last
//! entry ids, before it builds its entries: the round trip (Redis gathering a batch, the
//! client parsing it) was the longest step of recording, and so it runs while this batch is
//! built and the one before is committed. One read is in flight at a time, and at most
//! [`READS_AHEAD`] reads are started and not yet taken by the source: a read waits for a slot
//! before it asks, and gives it back when the source has taken its entries.
//!
//! Why a task: `record` commits a chunk synchronously (SQLite) on the follow loop's task, so a
//! read that is only a future would not move until the commit is done. On a task of its own
//! the next round trip, and building its entries' JSON (hopeit payloads decoded), run on the
//! other worker thread during the commit. Only plain reads are started ahead: their cursor is
//! in the request and they acknowledge nothing, whereas a group read would move entries into
//! this consumer's pending list that a stopping `--count` never hands out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ::redis::Value;

use super::conn::Failure;
use super::entry::Entry;
use super::url::Server;
use super::wire::{self, Wire};

/// Where a plain read starts: one cursor per key.
#[derive(Clone)]
pub struct Request {
    pub server: Server,
    pub keys: Vec<String>,
    pub cursors: Vec<String>,
    pub batch: usize,
    /// `None`: do not block (`--exit-at-end` wants to know at once that nothing is there).
    pub block: Option<Duration>,
    /// The source's read-ahead slots (see [`slots`]), shared by every read it starts.
    pub slots: Arc<tokio::sync::Semaphore>,
}

/// Reads started and not yet taken by the source: the one in flight and two built. Each holds
/// a batch in memory, so this bounds memory whatever the speed of the keeper (unbounded, the
/// chain read 1M entries ahead of a slow journal; two slots were measurably slower than three).
pub const READS_AHEAD: usize = 3;

/// The longest text kept of an XINFO STREAM reply (an entry id, a field name): longer values
/// are entries' contents, which the gap check does not need.
pub const SKIM: usize = 256;

/// A source's read-ahead slots.
pub fn slots() -> Arc<tokio::sync::Semaphore> {
    Arc::new(tokio::sync::Semaphore::new(READS_AHEAD))
}

/// What a plain read brought back.
pub struct Read {
    /// Per key, in the order of [`Request::keys`]: its XINFO STREAM, `None` when the key does
    /// not exist (yet).
    pub infos: Vec<Option<Value>>,
    /// Per key that had entries: the entries after its cursor, already built.
    pub streams: Vec<(String, Vec<Entry>)>,
    /// How long the read's round trip took (its XINFOs and XREAD go together).
    pub latency: Duration,
    /// The read after this one, on its way when this one brought entries.
    pub next: Option<Ahead>,
    /// The connection, when no read went on with it.
    pub wire: Option<Wire>,
    /// This read's slot, free again once the source has taken the read and dropped it.
    _slot: tokio::sync::OwnedSemaphorePermit,
}

/// Reads once: the XINFOs first, so a trim found there happened before the XREAD. The
/// connection goes on with the next read when this one brought entries, else back to the
/// source in [`Read::wire`]; a failed read drops it (the source connects again).
pub async fn read(mut wire: Wire, req: Request) -> Result<Read, Failure> {
    let slot = req
        .slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Failure::Transient("the reads ahead were stopped".into()))?;
    // The XINFOs and the XREAD in one round trip: Redis runs them in order, so a trim seen in
    // an XINFO still happened before the XREAD.
    let mut out = Vec::new();
    for key in &req.keys {
        wire::command(&mut out, &[b"XINFO", b"STREAM", key.as_bytes()]);
    }
    let (count, block) = (
        req.batch.to_string(),
        req.block.map(|b| b.as_millis().to_string()),
    );
    let mut xread: Vec<&[u8]> = vec![b"XREAD", b"COUNT", count.as_bytes()];
    if let Some(block) = &block {
        xread.extend([&b"BLOCK"[..], block.as_bytes()]);
    }
    xread.push(b"STREAMS");
    xread.extend(req.keys.iter().map(|k| k.as_bytes()));
    xread.extend(req.cursors.iter().map(|c| c.as_bytes()));
    wire::command(&mut out, &xread);
    let t0 = Instant::now();
    wire.send(&out).await?;
    let mut infos = Vec::with_capacity(req.keys.len());
    for _ in &req.keys {
        // Only ids and numbers of it are used: its first and last entries are left out.
        infos.push(
            match wire::value(&wire.skimmed_reply(SKIM).await?, &req.server) {
                Ok(v) => Some(v),
                // No such key (yet): nothing was lost.
                Err(Failure::Refused(t)) if t.contains("no such key") => None,
                Err(f) => return Err(f),
            },
        );
    }
    let reply = wire.reply().await?;
    if let Some(f) = wire::error(&reply, &req.server) {
        return Err(f);
    }
    let latency = t0.elapsed();
    let garbage = |why: String| Failure::Refused(format!("{}: {why}", req.server));
    let last = wire::last_ids(&reply).map_err(garbage)?;
    let (next, wire) = match last.is_empty() {
        true => (None, Some(wire)),
        false => {
            let mut after = req.clone();
            for (key, id) in last {
                if let Some(i) = req.keys.iter().position(|k| *k == key) {
                    after.cursors[i] = id;
                }
            }
            (Some(Ahead::start(wire, after)), None)
        }
    };
    let mut streams: Vec<(String, Vec<Entry>)> = Vec::new();
    let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
    wire::xread_entries(&reply, |key, id, pairs| {
        if streams.last().is_none_or(|(k, _)| k.as_bytes() != key) {
            streams.push((text(key), Vec::with_capacity(req.batch)));
        }
        if let Some((key, entries)) = streams.last_mut() {
            entries.push(Entry::new(key, &text(id), pairs.unwrap_or_default()));
        }
    })
    .map_err(garbage)?;
    Ok(Read {
        infos,
        streams,
        latency,
        next,
        wire,
        _slot: slot,
    })
}

/// A read running ahead; dropping it abandons the read (nothing was acknowledged by it).
pub struct Ahead(tokio::task::JoinHandle<Result<Read, Failure>>);

impl Ahead {
    pub fn start(wire: Wire, req: Request) -> Ahead {
        Ahead(tokio::spawn(read(wire, req)))
    }

    /// Its outcome; a task that died counts as a failed read, to be retried.
    pub async fn wait(mut self) -> Result<Read, Failure> {
        match (&mut self.0).await {
            Ok(r) => r,
            Err(e) => Err(Failure::Transient(format!("the read ahead stopped: {e}"))),
        }
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        self.0.abort();
    }
}
