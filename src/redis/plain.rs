//! One plain read (`XINFO STREAM` per key for the gap check, then `XREAD` from the cursors),
//! and the same read started ahead on a task of its own, over a connection of its own.
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
//!
//! Two links carry reads ([`Link`]). On one server (a sentinel's master, a Unix socket), the
//! reply is read by feedctl's own reader ([`super::wire`], over a stream the connection layer
//! opened), which builds entries from the bytes where they lie: an entry costs about twice its
//! size in memory, where the crate's parser holds its bytes, its `Value` and the entry (3 to 3.5x,
//! measured), and the reads are faster (docs/benchmarks.md). In a Redis Cluster, reads go over
//! the crate's cluster connection, which finds each key's node and follows MOVED, ASK and
//! failovers. There keys of different hash slots cannot be read by one XREAD (CROSSSLOT), nor
//! wait in one BLOCK: each key is read in turn without blocking, and a round that found
//! nothing waits [`CLUSTER_POLL`] (or less, the BLOCK time) before the next.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ::redis::Value;

use super::conn::{Conn, Failure};
use super::entry::Entry;
use super::info;
use super::url::Server;
use super::value::{self, RawEntry};
use super::wire::{self, Wire};

/// What reads go over (see the module's doc).
pub enum Link {
    Own(Wire),
    Cluster(Conn),
}

/// The longest text kept of an XINFO STREAM reply on feedctl's own reader (an entry id, a
/// field name): longer values are entries' contents, which the gap check does not need.
pub const SKIM: usize = 256;

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
    /// The link, when no read went on with it.
    pub link: Option<Link>,
    /// This read's slot, free again once the source has taken the read and dropped it.
    _slot: tokio::sync::OwnedSemaphorePermit,
}

/// How long a cluster read of several keys waits after a round that found nothing.
pub const CLUSTER_POLL: Duration = Duration::from_millis(100);

/// Reads once: the XINFOs first, so a trim found there happened before the XREAD. The link
/// goes on with the next read when this one brought entries, else back to the source in
/// [`Read::link`]; a failed read drops it (the source connects again).
pub async fn read(link: Link, req: Request) -> Result<Read, Failure> {
    let slot = req
        .slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Failure::Transient("the reads ahead were stopped".into()))?;
    match link {
        Link::Own(wire) => read_own(wire, req, slot).await,
        Link::Cluster(conn) => read_cluster(conn, req, slot).await,
    }
}

/// The next read, from the last entry of each key that had entries (`last`), started at
/// once; or, when none had, the link back to the source.
fn go_on(link: Link, req: &Request, last: Vec<(String, String)>) -> (Option<Ahead>, Option<Link>) {
    if last.is_empty() {
        return (None, Some(link));
    }
    let mut after = req.clone();
    for (key, id) in last {
        if let Some(i) = req.keys.iter().position(|k| *k == key) {
            after.cursors[i] = id;
        }
    }
    (Some(Ahead::start(link, after)), None)
}

/// A read by feedctl's own reader: the XINFOs (skimmed: their entries' contents dropped as
/// they come) and the XREAD in one round trip, the entries built where they lie in the reply.
async fn read_own(
    mut wire: Wire,
    req: Request,
    slot: tokio::sync::OwnedSemaphorePermit,
) -> Result<Read, Failure> {
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
    let (next, link) = go_on(Link::Own(wire), &req, last);
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
        link,
        _slot: slot,
    })
}

/// A read over the crate's cluster connection.
async fn read_cluster(
    mut conn: Conn,
    req: Request,
    slot: tokio::sync::OwnedSemaphorePermit,
) -> Result<Read, Failure> {
    let t0 = Instant::now();
    let (mut infos, mut got) = (Vec::with_capacity(req.keys.len()), Vec::new());
    if req.keys.len() > 1 {
        for (key, cursor) in req.keys.iter().zip(&req.cursors) {
            let (info, entries) = round_trip(&mut conn, &req, &[key], &[cursor], None).await?;
            infos.extend(info);
            got.extend(entries);
        }
        if got.is_empty() {
            if let Some(block) = req.block {
                tokio::time::sleep(block.min(CLUSTER_POLL)).await;
            }
        }
    } else {
        (infos, got) = round_trip(&mut conn, &req, &req.keys, &req.cursors, req.block).await?;
    }
    let latency = t0.elapsed();
    let last = got
        .iter()
        .filter_map(|(key, entries)| Some((key.clone(), entries.last()?.0.clone())))
        .collect();
    let (next, link) = go_on(Link::Cluster(conn), &req, last);
    let streams = got
        .into_iter()
        .map(|(key, raw)| {
            let entries = raw
                .into_iter()
                .map(|(id, pairs)| Entry::new(&key, &id, &pairs.unwrap_or_default()))
                .collect();
            (key, entries)
        })
        .collect();
    Ok(Read {
        infos,
        streams,
        latency,
        next,
        link,
        _slot: slot,
    })
}

/// The XINFOs of `keys` and the XREAD after `cursors` in one round trip: Redis runs them in
/// order, so a trim seen in an XINFO still happened before the XREAD.
async fn round_trip(
    conn: &mut Conn,
    req: &Request,
    keys: &[impl AsRef<str>],
    cursors: &[impl AsRef<str>],
    block: Option<Duration>,
) -> Result<(Vec<Option<Value>>, Vec<(String, Vec<RawEntry>)>), Failure> {
    loop {
        let mut pipe = ::redis::pipe();
        for key in keys {
            // Each XINFO is its own reply: a key that does not exist (yet) fails only its own.
            pipe.add_command(info::command(key.as_ref()));
        }
        let xread = pipe.cmd("XREAD").arg("COUNT").arg(req.batch);
        if let Some(block) = block {
            xread.arg("BLOCK").arg(block.as_millis() as u64);
        }
        xread.arg("STREAMS");
        for key in keys {
            xread.arg(key.as_ref());
        }
        for cursor in cursors {
            xread.arg(cursor.as_ref());
        }
        let replies: Vec<::redis::RedisResult<Value>> = pipe
            .ignore_errors()
            .query_async(conn)
            .await
            .map_err(|e| Failure::from_redis(e, &req.server))?;
        let mut replies = replies.into_iter();
        let mut infos = Vec::with_capacity(keys.len());
        let mut again = false;
        for _ in keys {
            infos.push(match replies.next() {
                Some(Ok(v)) => Some(v),
                // No such key (yet): nothing was lost.
                Some(Err(e)) if info::no_such_key(&e) => None,
                // The entries this XREAD brought are read again by the next round trip,
                // which asks XINFO itself.
                Some(Err(e)) if info::scripts_refused(&e) => {
                    again = true;
                    None
                }
                Some(Err(e)) => return Err(Failure::from_redis(e, &req.server)),
                None => None,
            });
        }
        if again {
            continue;
        }
        let streams = match replies.next() {
            Some(Ok(v)) => value::streams(v),
            Some(Err(e)) => return Err(Failure::from_redis(e, &req.server)),
            None => Vec::new(),
        };
        return Ok((infos, streams));
    }
}

/// A read running ahead; dropping it abandons the read (nothing was acknowledged by it).
pub struct Ahead(tokio::task::JoinHandle<Result<Read, Failure>>);

impl Ahead {
    pub fn start(link: Link, req: Request) -> Ahead {
        Ahead(tokio::spawn(read(link, req)))
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
