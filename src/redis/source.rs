//! Redis streams as a `feed::Source`: plain `XREAD` from a cursor, or a consumer group (own
//! pending entries first, then idle ones of others with `XAUTOCLAIM`, then new ones), acked
//! with `XACK` only once the keeper kept the chunk.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ::redis::Value;
use serde_json::json;

use crate::config::Retry;
use crate::feed::{Backoff, Chunk, Committed, Cursor, ErrorClass, Notice, Source, SourceError};

use super::conn::{connect, Conn, Failure, Outage};
use super::count::Count;
use super::entry::Entry;
use super::info;
use super::plain::{self, Link};
use super::url::Server;
use super::value::{self, entries, field, text, RawEntry};
use super::wire::{self, Wire};

/// Where a plain reader starts on a key it has no cursor for.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    Beginning,
    End,
    /// After this entry id (exclusive, like XREAD).
    After(String),
    /// The first entry at or after this time (ms since the epoch).
    Time(i64),
}

/// How the keys are read.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Plain,
    Group {
        group: String,
        consumer: String,
        /// Take over entries of other consumers idle longer than this.
        claim_idle: Option<Duration>,
    },
}

/// What a stream source is told.
#[derive(Debug, Clone)]
pub struct Options {
    pub server: Server,
    /// One partition per key: its key and where it starts (a resumed marker's id, or `--from`).
    pub keys: Vec<(String, Start)>,
    /// Keys whose start came from a marker: no `Opened` notice for them.
    pub resumed: Vec<String>,
    pub mode: Mode,
    /// Where a group created by feedctl starts (`0`: the whole history).
    pub group_start: String,
    pub block: Duration,
    pub batch: usize,
    pub retry: Retry,
    /// `--exit-at-end`: reads do not block, and the first one that finds nothing new ends.
    pub exit_at_end: bool,
    /// `--share-group`: read a group that other consumers read too (else refused).
    pub share_group: bool,
    /// Per key, a resumed marker's `through` for this group and consumer: this consumer's
    /// pending entries up to it are in the journal already (a kill came between the commit
    /// and the XACK), so they are acknowledged, not recorded again.
    pub recorded: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// This consumer's pending entries after this id.
    Pending(String),
    /// XAUTOCLAIM from this cursor.
    Claim(String),
    /// Never-delivered entries (`>`).
    New,
}

struct Part {
    key: String,
    start: Start,
    /// The last entry id handed out (plain: the XREAD cursor).
    last: String,
    phase: Phase,
    /// The `max-deleted-entry-id` already reported as a gap.
    reported_deleted: Option<(u64, u64)>,
    /// Group mode without `--claim-idle`: every entry delivered to this consumer up to this id
    /// was handed out (or found recorded), in id order; stored in the cursor as `through`, so
    /// that once its chunk is committed a resumed run knows those are in the journal. Claims
    /// take entries below it at any time, so with `--claim-idle` there is none.
    through: Option<String>,
    /// A resumed marker's `through`, used only while the first reading of this consumer's
    /// pending entries runs: the ones up to it are acknowledged without being kept again.
    recorded: Option<String>,
    /// Plain reads: how many entries Redis had added up to `last` (its `entries-added` counter
    /// at that entry), where this run knows it; never above the truth, so a trim's count
    /// from it is never below the truth.
    counted: Option<u64>,
}

/// What a plain read's XINFO STREAM says of the entries Redis counted, for the count after
/// the read ([`StreamSource::count_read`]).
struct Counted {
    /// The count of entries added before the read's first entry, where known.
    before: Option<u64>,
    /// `entries-added` and `last-generated-id`: a read that ends at that id ends at that count.
    added: u64,
    last_generated: Option<(u64, u64)>,
}

/// Reads one or more stream keys of one server.
pub struct StreamSource {
    opts: Options,
    conn: Option<Conn>,
    ready: bool,
    parts: Vec<Part>,
    queue: VecDeque<Chunk<Entry, Vec<String>>>,
    number: u64,
    backoff: Backoff,
    /// Acks that could not be sent (connection lost): sent before the next read.
    unacked: Vec<(String, Vec<String>)>,
    /// The last read of new entries found none.
    drained: bool,
    /// Plain mode: the next read, sent while the chunks of the last one are built and kept.
    ahead: Option<plain::Ahead>,
    /// The reads' link (plain reads when no read ahead holds it, group reads): a blocking
    /// read on it does not hold up the acks and checks sent on [`Self::conn`].
    reads: Option<Link>,
    /// Plain mode: the slots that bound how far reads run ahead.
    slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// The COUNT of reads: `--batch`, or less after a reply stalled or ran over the cap.
    count: Count,
    /// How long no step has worked, against `--connection-timeout`.
    outage: Outage,
}

/// One step's outcome: chunks were queued, or nothing came.
type Step = Result<(), Failure>;

impl StreamSource {
    pub fn new(opts: Options) -> Self {
        let claims = matches!(
            opts.mode,
            Mode::Group {
                claim_idle: Some(_),
                ..
            }
        );
        let parts = opts
            .keys
            .iter()
            .map(|(k, s)| {
                let recorded = opts
                    .recorded
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, id)| id.clone());
                Part {
                    key: k.clone(),
                    start: s.clone(),
                    last: "0-0".into(),
                    phase: Phase::Pending("0-0".into()),
                    reported_deleted: None,
                    through: recorded.clone().filter(|_| !claims),
                    recorded,
                    counted: None,
                }
            })
            .collect();
        StreamSource {
            backoff: Backoff::new(opts.retry.clone()),
            count: Count::new(opts.batch),
            opts,
            conn: None,
            ready: false,
            parts,
            queue: VecDeque::new(),
            number: 0,
            unacked: Vec::new(),
            drained: false,
            ahead: None,
            reads: None,
            slots: plain::slots(),
            outage: Outage::new(),
        }
    }

    /// Where part `i` stands: the last id handed out, and in a group its group and consumer
    /// (and `through`, see [`Part::through`]).
    fn cursor(&self, i: usize) -> Cursor {
        let p = &self.parts[i];
        match &self.opts.mode {
            Mode::Plain => Cursor::new(json!({ "id": p.last })),
            Mode::Group {
                group, consumer, ..
            } => {
                let mut c = json!({ "id": p.last, "group": group, "consumer": consumer });
                if let Some(through) = &p.through {
                    c["through"] = json!(through);
                }
                Cursor::new(c)
            }
        }
    }

    /// `--claim-idle`: entries of others join this consumer's pending list at any time.
    fn claims(&self) -> bool {
        matches!(
            self.opts.mode,
            Mode::Group {
                claim_idle: Some(_),
                ..
            }
        )
    }

    /// Part `i`'s entries up to `id` were handed out (or found recorded) in id order.
    fn handled_through(&mut self, i: usize, id: &str) {
        if self.claims() {
            return;
        }
        let p = &mut self.parts[i];
        if p.through.as_deref().and_then(parse_id) < parse_id(id) {
            p.through = Some(id.to_string());
        }
    }

    /// How long a reply may take: above BLOCK, or every blocking read would fail.
    fn response_timeout(&self) -> Duration {
        self.opts.block + Duration::from_secs(10)
    }

    async fn conn(&mut self) -> Result<Conn, Failure> {
        if let Some(c) = &self.conn {
            return Ok(c.clone());
        }
        let c = connect(&self.opts.server, self.response_timeout()).await?;
        // Connected (the handshake was answered): the outage, if any, is over.
        self.outage.up();
        self.conn = Some(c.clone());
        Ok(c)
    }

    /// The reads' link, taken (give it back into `self.reads`): feedctl's own reader on one
    /// server, the crate's connection in a cluster ([`plain::Link`]); as [`Self::conn`],
    /// connecting ends an outage.
    async fn take_reads(&mut self) -> Result<Link, Failure> {
        if let Some(link) = self.reads.take() {
            return Ok(link);
        }
        let cluster = self.conn().await?.is_cluster();
        let (server, timeout) = (&self.opts.server, self.response_timeout());
        let link = match cluster {
            true => Link::Cluster(connect(server, timeout).await?),
            false => Link::Own(Wire::open(server, timeout).await?),
        };
        self.outage.up();
        Ok(link)
    }

    async fn query(&mut self, cmd: &::redis::Cmd) -> Result<Value, Failure> {
        let mut c = self.conn().await?;
        cmd.query_async::<Value>(&mut c)
            .await
            .map_err(|e| Failure::from_redis(e, &self.opts.server))
    }

    /// Checks every key is a stream (or absent), resolves plain starts, creates groups.
    async fn setup(&mut self, notify: &mut dyn FnMut(Notice)) -> Step {
        for i in 0..self.parts.len() {
            let key = self.parts[i].key.clone();
            let t = self.query(::redis::cmd("TYPE").arg(&key)).await?;
            let kind = text(&t).unwrap_or_default();
            if kind != "stream" && kind != "none" {
                return Err(Failure::WrongTypeOf(key, kind));
            }
            match self.opts.mode.clone() {
                Mode::Plain => {
                    let last = match self.parts[i].start.clone() {
                        Start::Beginning => "0-0".to_string(),
                        Start::After(id) => id,
                        Start::Time(ms) if ms <= 0 => "0-0".to_string(),
                        Start::Time(ms) => format!("{}-{}", ms - 1, u64::MAX),
                        Start::End => {
                            if kind == "none" {
                                "0-0".to_string()
                            } else {
                                let info = self.xinfo_stream(&key).await?;
                                field(&info, "last-generated-id")
                                    .and_then(text)
                                    .unwrap_or_else(|| "0-0".into())
                            }
                        }
                    };
                    // Resolved once: a restart or reconnect goes on from the cursor.
                    self.parts[i].start = Start::After(last.clone());
                    self.parts[i].last = last.clone();
                    if !self.opts.resumed.contains(&key) {
                        notify(Notice::Opened {
                            partition: key.clone(),
                            cursor: self.cursor(i),
                            text: format!("reading stream `{key}` after entry {last}"),
                        });
                    }
                }
                Mode::Group {
                    group, consumer, ..
                } => {
                    if let Start::After(id) = &self.parts[i].start {
                        self.parts[i].last = id.clone();
                    }
                    if !self.opts.share_group {
                        self.refuse_shared(&key, &group, &consumer).await?;
                    }
                    if self.opts.resumed.contains(&key) {
                        // A resumed recording's group should be there: if not, it vanished.
                        let last = self.parts[i].last.clone();
                        if self.create_group(&key, &group, &last).await? {
                            let why = "missing when the recording resumed";
                            notify(vanished(&key, &group, &last, self.cursor(i), why));
                        }
                    } else {
                        let start = self.opts.group_start.clone();
                        if self.create_group(&key, &group, &start).await? {
                            notify(Notice::Info {
                                text: format!(
                                    "created consumer group `{group}` on stream `{key}` from {start}"
                                ),
                            });
                        }
                    }
                    notify(Notice::Attached {
                        text: format!(
                            "reading stream `{key}` as consumer `{consumer}` of group `{group}`: its pending entries first"
                        ),
                    });
                }
            }
        }
        self.ready = true;
        Ok(())
    }

    /// Refuses a group that other consumers read: each entry goes to one consumer, and the
    /// ones feedctl takes it acknowledges, so an application reading that group would never
    /// get them. Only the consumer feedctl reads as is its own (its name is stable per host,
    /// and per recording, so a restarted tail or a resumed recording finds itself); any other,
    /// another feedctl's included, would lose entries to it.
    async fn refuse_shared(&mut self, key: &str, group: &str, consumer: &str) -> Step {
        let cmd = ::redis::cmd("XINFO")
            .arg("CONSUMERS")
            .arg(key)
            .arg(group)
            .clone();
        let reply = match self.query(&cmd).await {
            Ok(v) => v,
            // No group (or no key) yet: feedctl makes it, nobody else reads it.
            Err(Failure::NoGroup(_)) => return Ok(()),
            Err(Failure::Refused(t)) if t.contains("no such key") => return Ok(()),
            Err(f) => return Err(f),
        };
        let Value::Array(list) = reply else {
            return Ok(());
        };
        let others: Vec<String> = list
            .iter()
            .filter_map(|c| field(c, "name").and_then(text))
            .filter(|name| name != consumer)
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        let named: Vec<String> = others
            .iter()
            .take(3)
            .map(|n| {
                format!(
                    "`{}`",
                    crate::text::terminal_safe(&crate::text::clip(n, 60))
                )
            })
            .collect();
        Err(Failure::Local(format!(
            "consumer group `{group}` of stream `{key}` has other consumers ({}{}, {} in all): reading it as consumer `{consumer}` would take entries meant for them and acknowledge them: they would never get those. To watch the stream without taking anything, leave out --group (a plain read changes nothing in Redis) or give a group of your own (--group with a new name); to share this group's entries with them on purpose, add --share-group",
            named.join(", "),
            if others.len() > 3 { ", …" } else { "" },
            others.len()
        )))
    }

    /// XINFO STREAM, its first and last entries cut to their ids ([`info`]).
    async fn xinfo_stream(&mut self, key: &str) -> Result<Value, Failure> {
        let mut c = self.conn().await?;
        let mut reply = info::command(key).query_async::<Value>(&mut c).await;
        if reply.as_ref().is_err_and(info::scripts_refused) {
            reply = info::command(key).query_async::<Value>(&mut c).await;
        }
        reply.map_err(|e| Failure::from_redis(e, &self.opts.server))
    }

    /// XGROUP CREATE ... MKSTREAM; false when the group was there.
    async fn create_group(&mut self, key: &str, group: &str, start: &str) -> Result<bool, Failure> {
        let mut c = self.conn().await?;
        let r = ::redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(key)
            .arg(group)
            .arg(start)
            .arg("MKSTREAM")
            .query_async::<Value>(&mut c)
            .await;
        match r {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(false),
            Err(e) => Err(Failure::from_redis(e, &self.opts.server)),
        }
    }

    /// Sends acks that failed earlier.
    async fn flush_acks(&mut self) -> Step {
        while let Some((key, ids)) = self.unacked.pop() {
            if let Err(f) = self.xack(&key, &ids).await {
                self.unacked.push((key, ids));
                return Err(f);
            }
        }
        Ok(())
    }

    async fn xack(&mut self, key: &str, ids: &[String]) -> Step {
        let Mode::Group { group, .. } = &self.opts.mode else {
            return Ok(());
        };
        if ids.is_empty() {
            return Ok(());
        }
        let cmd = ::redis::cmd("XACK").arg(key).arg(group).arg(ids).clone();
        self.query(&cmd).await.map(|_| ())
    }

    async fn step(&mut self, notify: &mut dyn FnMut(Notice)) -> Step {
        if !self.ready {
            self.setup(notify).await?;
        }
        self.flush_acks().await?;
        match self.opts.mode.clone() {
            Mode::Plain => self.read_plain(notify).await,
            Mode::Group {
                group,
                consumer,
                claim_idle,
            } => match self.read_group(&group, &consumer, claim_idle, notify).await {
                Err(Failure::NoGroup(why)) => self.regroup(&group, &why, notify).await,
                other => other,
            },
        }
    }

    /// The group vanished (deleted, or the key expired, or Redis restarted empty): made again
    /// after the last entry read, and a gap recorded.
    async fn regroup(&mut self, group: &str, why: &str, notify: &mut dyn FnMut(Notice)) -> Step {
        for i in 0..self.parts.len() {
            let (key, last) = (self.parts[i].key.clone(), self.parts[i].last.clone());
            if self.create_group(&key, group, &last).await? {
                notify(vanished(&key, group, &last, self.cursor(i), why));
            }
            self.parts[i].phase = Phase::New;
        }
        Ok(())
    }

    async fn read_plain(&mut self, notify: &mut dyn FnMut(Notice)) -> Step {
        let read = match self.ahead.take() {
            Some(ahead) => ahead.wait().await,
            None => {
                let link = self.take_reads().await?;
                plain::read(link, self.plain_request()).await
            }
        };
        let mut read = read.map_err(|f| self.count.over_cap(f))?;
        self.reads = read.link.take();
        let mut counted = Vec::with_capacity(read.infos.len());
        for (i, info) in read.infos.iter().enumerate() {
            counted.push(match info {
                Some(info) => self.check_trimmed(i, info, notify),
                None => None,
            });
        }
        for (i, c) in counted.into_iter().enumerate() {
            let entries = self
                .parts
                .get(i)
                .and_then(|p| read.streams.iter().find(|(k, _)| *k == p.key))
                .map(|(_, e)| e.as_slice())
                .unwrap_or_default();
            self.count_read(
                i,
                c,
                entries.len() as u64,
                entries.last().map(|e| e.id.as_str()),
            );
        }
        self.drained = read.streams.is_empty();
        // The next read is on its way (from where these entries end, as plain_request would
        // ask) while the keeper commits these: a plain read carries its cursor in the request
        // and acknowledges nothing, so reading ahead cannot lose an entry.
        self.ahead = read.next.take();
        for (key, entries) in read.streams {
            self.push_chunk(&key, entries, Vec::new(), read.latency);
        }
        Ok(())
    }

    /// One XREADGROUP of `--batch` entries after each (key, id), blocking for BLOCK or not,
    /// over the reads' connection: the entries per key. In a cluster, keys of several hash
    /// slots are read one by one without blocking, and a round that found nothing waits as
    /// plain reads do ([`plain::CLUSTER_POLL`]).
    async fn xreadgroup(
        &mut self,
        group: &str,
        consumer: &str,
        block: bool,
        after: &[(&str, &str)],
    ) -> Result<Vec<(String, Vec<RawEntry>)>, Failure> {
        let mut conn = match self.take_reads().await? {
            Link::Own(wire) => {
                return self
                    .xreadgroup_own(wire, group, consumer, block, after)
                    .await
            }
            Link::Cluster(conn) => conn,
        };
        let got = match after.len() {
            1 => {
                self.xreadgroup_on(&mut conn, group, consumer, block, after)
                    .await
            }
            _ => {
                let mut got = Vec::new();
                for one in after {
                    let one = std::slice::from_ref(one);
                    match self
                        .xreadgroup_on(&mut conn, group, consumer, false, one)
                        .await
                    {
                        Ok(entries) => got.extend(entries),
                        Err(f) => {
                            self.reads = Some(Link::Cluster(conn));
                            return Err(f);
                        }
                    }
                }
                if got.is_empty() && block {
                    tokio::time::sleep(self.opts.block.min(plain::CLUSTER_POLL)).await;
                }
                Ok(got)
            }
        };
        // The connection is fine whatever the server refused: a lost one is dropped on the
        // transient failure that says so.
        self.reads = Some(Link::Cluster(conn));
        got
    }

    /// [`Self::xreadgroup`] by feedctl's own reader: the entries per key, read from the reply
    /// where they lie, as plain reads are.
    async fn xreadgroup_own(
        &mut self,
        mut wire: Wire,
        group: &str,
        consumer: &str,
        block: bool,
        after: &[(&str, &str)],
    ) -> Result<Vec<(String, Vec<RawEntry>)>, Failure> {
        let (count, ms) = (
            self.count.now.to_string(),
            self.opts.block.as_millis().to_string(),
        );
        let mut args: Vec<&[u8]> = vec![
            b"XREADGROUP",
            b"GROUP",
            group.as_bytes(),
            consumer.as_bytes(),
            b"COUNT",
            count.as_bytes(),
        ];
        if block {
            args.extend([&b"BLOCK"[..], ms.as_bytes()]);
        }
        args.push(b"STREAMS");
        args.extend(after.iter().map(|(key, _)| key.as_bytes()));
        args.extend(after.iter().map(|(_, id)| id.as_bytes()));
        let mut out = Vec::new();
        wire::command(&mut out, &args);
        wire.send(&out).await?;
        let reply = wire.reply().await.map_err(|f| self.count.over_cap(f))?;
        let server = &self.opts.server;
        if let Some(f) = wire::error(&reply, server) {
            // The connection is fine: the server refused this one command (NOGROUP...).
            self.reads = Some(Link::Own(wire));
            return Err(f);
        }
        let mut got: Vec<(String, Vec<RawEntry>)> = Vec::new();
        let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
        wire::xread_entries(&reply, |key, id, pairs| {
            if got.last().is_none_or(|(k, _)| k.as_bytes() != key) {
                got.push((text(key), Vec::new()));
            }
            let pairs = pairs.map(|p| p.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect());
            if let Some((_, entries)) = got.last_mut() {
                entries.push((text(id), pairs));
            }
        })
        .map_err(|why| Failure::Refused(format!("{server}: {why}")))?;
        self.reads = Some(Link::Own(wire));
        Ok(got)
    }

    async fn xreadgroup_on(
        &mut self,
        conn: &mut Conn,
        group: &str,
        consumer: &str,
        block: bool,
        after: &[(&str, &str)],
    ) -> Result<Vec<(String, Vec<RawEntry>)>, Failure> {
        let mut cmd = ::redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(group)
            .arg(consumer)
            .arg("COUNT")
            .arg(self.count.now);
        if block {
            cmd.arg("BLOCK").arg(self.opts.block.as_millis() as u64);
        }
        cmd.arg("STREAMS");
        for (key, _) in after {
            cmd.arg(*key);
        }
        for (_, id) in after {
            cmd.arg(*id);
        }
        match cmd.query_async::<Value>(conn).await {
            Ok(v) => Ok(value::streams(v)),
            Err(e) => Err(self
                .count
                .over_cap(Failure::from_redis(e, &self.opts.server))),
        }
    }

    /// The next plain read from where every key stands now.
    fn plain_request(&self) -> plain::Request {
        plain::Request {
            server: self.opts.server.clone(),
            keys: self.parts.iter().map(|p| p.key.clone()).collect(),
            cursors: self.parts.iter().map(|p| p.last.clone()).collect(),
            batch: self.count.now,
            block: (!self.opts.exit_at_end).then_some(self.opts.block),
            slots: self.slots.clone(),
        }
    }

    /// Entries trimmed or deleted before the group got them: the next `>` read moves the
    /// group's last-delivered-id past them without a word, so before each such read that id
    /// is set against the stream's first entry (or, the stream empty, its last-generated-id)
    /// and `max-deleted-entry-id`. The group's `lag` (entries added after last-delivered-id)
    /// is never below the truth, so a lag no larger than the entries kept means only entries
    /// already read were trimmed: no gap. Redis stops counting right once a read skipped
    /// trimmed entries (its `entries-read` goes on from the old count), so after reporting a
    /// gap, a group read by feedctl alone has its count set right (`XGROUP SETID` to the same
    /// id with `ENTRIESREAD`), and the next check (and `XINFO`'s lag) is exact again. Redis
    /// cannot tell (nil lag): the gap is recorded as a plain read's is.
    async fn check_group_trimmed(
        &mut self,
        i: usize,
        group: &str,
        notify: &mut dyn FnMut(Notice),
    ) -> Step {
        let key = self.parts[i].key.clone();
        // XINFO STREAM skimmed (its first and last entries can be as large as the largest
        // entry, and it is asked before every read), XINFO GROUPS on the command connection.
        let got = match self.xinfo_stream(&key).await {
            Ok(stream) => {
                let mut c = self.conn().await?;
                let groups: Result<Value, _> = ::redis::cmd("XINFO")
                    .arg("GROUPS")
                    .arg(&key)
                    .query_async(&mut c)
                    .await;
                groups
                    .map(|g| (stream, g))
                    .map_err(|e| Failure::from_redis(e, &self.opts.server))
            }
            Err(f) => Err(f),
        };
        let (stream, groups) = match got {
            Ok(v) => v,
            // No key: the read finds no group, which is made again (a gap of its own).
            Err(Failure::Refused(t)) if t.contains("no such key") => return Ok(()),
            Err(f) => return Err(f),
        };
        let Value::Array(groups) = groups else {
            return Ok(());
        };
        let Some(g) = groups
            .iter()
            .find(|g| field(g, "name").and_then(text).as_deref() == Some(group))
        else {
            return Ok(());
        };
        let Some(delivered) = field(g, "last-delivered-id").and_then(text) else {
            return Ok(());
        };
        let Some(ld) = parse_id(&delivered) else {
            return Ok(());
        };
        let int = |v: Option<&Value>| match v {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        let lag = int(field(g, "lag"));
        let length = int(field(&stream, "length")).unwrap_or(0);
        let added = int(field(&stream, "entries-added"));
        let id_of = |name: &str| field(&stream, name).and_then(text);
        let first = field(&stream, "first-entry").and_then(|e| match e {
            Value::Array(a) => a.first().and_then(text),
            _ => None,
        });
        // The first id kept after last-delivered-id, when nothing between was kept.
        let kept = match &first {
            Some(f) => parse_id(f),
            None => id_of("last-generated-id").and_then(|l| parse_id(&l)),
        };
        let trimmed = kept.filter(|k| *k > ld);
        let lost = trimmed.and(lag).map(|lag| lag - length);
        let trimmed = match lost {
            Some(n) => trimmed.filter(|_| n > 0),
            None => trimmed.filter(|_| ld != (0, 0)),
        };
        let max_deleted = id_of("max-deleted-entry-id").and_then(|d| parse_id(&d));
        // A group that has delivered nothing yet lost nothing it had (as plain reads from 0).
        let deleted = max_deleted.filter(|d| ld != (0, 0) && *d > ld);
        let Some(mark) = trimmed.or(deleted) else {
            return Ok(());
        };
        if self.parts[i].reported_deleted.is_some_and(|r| mark <= r) {
            return Ok(());
        }
        self.parts[i].reported_deleted = Some(mark);
        let first = first.unwrap_or_else(|| "none: the stream is empty".into());
        // Redis's own count: entries added after the group's last delivered one (its lag)
        // that are no longer in the stream; the gap's `lost`. An upper bound: the lag runs
        // over once a read skipped trimmed entries (set right below), and the two XINFO
        // replies are not one snapshot, so an entry added between them counts too.
        let counted = trimmed.and(lost).map(|n| n.max(0) as u64);
        let (why, how_many) = match (trimmed, counted) {
            (Some(_), Some(n)) => (
                "trimmed",
                format!("up to {}", crate::text::counted_as(n, "entry", "entries")),
            ),
            (Some(_), None) => ("trimmed", "entries".to_string()),
            (None, _) => ("deleted", "entries".to_string()),
        };
        // Every entry before the first kept one counts as read; only without XDEL holes
        // (then Redis cannot count either) and when no one else reads the group (its
        // last-delivered-id could have moved since the XINFO).
        let holes = max_deleted.is_some_and(|d| d != (0, 0) && Some(d) >= kept);
        if let (Some(_), Some(added), false, false) = (trimmed, added, holes, self.opts.share_group)
        {
            let set = ::redis::cmd("XGROUP")
                .arg("SETID")
                .arg(&key)
                .arg(group)
                .arg(&delivered)
                .arg("ENTRIESREAD")
                .arg(added - length)
                .clone();
            self.query(&set).await?;
        }
        notify(Notice::Gap {
            partition: key.clone(),
            cursor: self.cursor(i),
            replaced: None,
            reason: format!("{why}: {how_many} after {delivered} were removed from the stream before consumer group `{group}` read them (first kept entry: {first})"),
            lost: counted,
            text: format!(
                "stream `{key}`: {how_many} after {delivered} were {why} before consumer group `{group}` read them (first kept entry: {first}); a gap is recorded, going on from there"
            ),
        });
        Ok(())
    }

    /// A plain read's count of entries after it: `counted` from its XINFO and `n` entries read,
    /// the last one `last`. A read that ends at the stream's last-generated-id (as of the
    /// XINFO) ends at its `entries-added`; otherwise the count goes on entry by entry where it
    /// was known, which an entry deleted unseen in between only leaves below the truth.
    fn count_read(&mut self, i: usize, counted: Option<Counted>, n: u64, last: Option<&str>) {
        let Some(part) = self.parts.get_mut(i) else {
            return;
        };
        part.counted = counted.and_then(|c| {
            let at = last.map_or_else(|| parse_id(&part.last), parse_id);
            match at.is_some() && at == c.last_generated {
                true => Some(c.added),
                false => c.before.map(|b| b + n),
            }
        });
    }

    /// A cursor below entries deleted or trimmed since is a gap (Redis 7: `max-deleted-entry-id`);
    /// `info` is the key's XINFO STREAM, asked just before the read from that cursor. With
    /// Redis 7's counters, a trim past the cursor counts its entries lost: those added after
    /// the cursor (`entries-added` less the cursor's count) and no longer in the stream.
    /// Returns what the count after the read starts from.
    fn check_trimmed(
        &mut self,
        i: usize,
        info: &Value,
        notify: &mut dyn FnMut(Notice),
    ) -> Option<Counted> {
        let key = self.parts[i].key.clone();
        let cur = parse_id(&self.parts[i].last)?;
        let first = field(info, "first-entry").and_then(|e| match e {
            Value::Array(a) => a.first().and_then(text),
            _ => None,
        });
        let int = |name: &str| match field(info, name) {
            Some(Value::Int(n)) => u64::try_from(*n).ok(),
            _ => None,
        };
        let id_of = |name: &str| field(info, name).and_then(text).and_then(|d| parse_id(&d));
        let max_deleted = id_of("max-deleted-entry-id").filter(|d| *d != (0, 0));
        let last_generated = id_of("last-generated-id");
        let first_id = first.as_deref().and_then(parse_id);
        // The cursor's count: nothing comes before 0-0, and the last entry generated is the
        // `entries-added`-th; else what this run counted so far.
        let added = int("entries-added");
        let length = int("length").unwrap_or(0);
        let at_cursor = match added {
            None => None,
            Some(_) if cur == (0, 0) => Some(0),
            Some(a) if Some(cur) == last_generated => Some(a),
            Some(_) => self.parts[i].counted,
        };
        // Trimming (XTRIM, MAXLEN) leaves the first kept entry past the cursor; XDEL shows in
        // max-deleted-entry-id (Redis 7 does not move it on trimming).
        let trimmed = first_id.filter(|f| cur != (0, 0) && *f > cur);
        let deleted = max_deleted.filter(|d| *d > cur);
        let counted = added.map(|added| Counted {
            // Past a trim, the read starts at the first kept entry: with no XDEL hole in the
            // stream, every entry before it is one of `entries-added - length`. Without a
            // trim, the count goes on from the cursor's while nothing after it was deleted.
            before: match (trimmed, first_id) {
                (Some(_), Some(f)) => added
                    .checked_sub(length)
                    .filter(|_| max_deleted.is_none_or(|d| d < f)),
                _ => at_cursor.filter(|_| deleted.is_none()),
            },
            added,
            last_generated,
        });
        let Some(mark) = trimmed.or(deleted) else {
            return counted;
        };
        if self.parts[i].reported_deleted.is_some_and(|r| mark <= r) {
            return counted;
        }
        // Every entry kept is past the cursor: those added after it and not kept were lost.
        let lost = trimmed.and_then(|_| added?.checked_sub(length)?.checked_sub(at_cursor?));
        // The count is never below the truth: none lost is none (only entries already read,
        // the cursor's among them, were trimmed), as a group's lag tells.
        if lost == Some(0) && deleted.is_none() {
            return counted;
        }
        self.parts[i].reported_deleted = Some(mark);
        let first = first.unwrap_or_else(|| "none".into());
        let last = self.parts[i].last.clone();
        let why = if trimmed.is_some() {
            "trimmed"
        } else {
            "deleted"
        };
        let how_many = match lost {
            Some(n) => format!("up to {}", crate::text::counted_as(n, "entry", "entries")),
            None => "entries".to_string(),
        };
        notify(Notice::Gap {
            partition: key.clone(),
            cursor: self.cursor(i),
            replaced: None,
            reason: format!("{why}: {how_many} after {last} were removed from the stream before they were read (first kept entry: {first})"),
            lost,
            text: format!(
                "stream `{key}`: {how_many} after {last} were {why} before feedctl read them (first kept entry: {first}); a gap is recorded, going on from there"
            ),
        });
        counted
    }

    async fn read_group(
        &mut self,
        group: &str,
        consumer: &str,
        claim_idle: Option<Duration>,
        notify: &mut dyn FnMut(Notice),
    ) -> Step {
        // Set again by a read of new entries below; any other read is progress.
        self.drained = false;
        // This consumer's own pending entries, then idle ones of others.
        for i in 0..self.parts.len() {
            let key = self.parts[i].key.clone();
            match self.parts[i].phase.clone() {
                Phase::Pending(after) => {
                    let t0 = Instant::now();
                    let mut entries: Vec<RawEntry> = self
                        .xreadgroup(group, consumer, false, &[(&key, &after)])
                        .await?
                        .into_iter()
                        .flat_map(|(_, e)| e)
                        .collect();
                    let Some(next) = entries.last().map(|e| e.0.clone()) else {
                        // All read: a resumed marker's `through` has served.
                        self.parts[i].recorded = None;
                        self.parts[i].phase = match claim_idle {
                            Some(_) => Phase::Claim("0-0".into()),
                            None => Phase::New,
                        };
                        continue;
                    };
                    self.parts[i].phase = Phase::Pending(next.clone());
                    // Up to a resumed marker's `through`, they are in the journal already: a
                    // stop came between their commit and their XACK.
                    let recorded = self.parts[i].recorded.as_deref().and_then(parse_id);
                    let kept = entries
                        .partition_point(|e| recorded.is_some() && parse_id(&e.0) <= recorded);
                    let done: Vec<String> = entries.drain(..kept).map(|e| e.0).collect();
                    if let Some(first) = done.first() {
                        notify(Notice::Info {
                            text: format!(
                                "stream `{key}`: {} pending for consumer `{consumer}` ({first}…{}) in the journal already (a stop came between their commit and their XACK): acknowledged, not recorded again",
                                crate::text::counted_as(done.len() as u64, "entry", "entries"),
                                done[done.len() - 1]
                            ),
                        });
                        self.xack(&key, &done).await?;
                    }
                    if entries.is_empty() {
                        // The next page on the next step (the source loops until a chunk).
                        return Ok(());
                    }
                    if after == "0-0" || !done.is_empty() {
                        notify(Notice::Info {
                            text: format!("stream `{key}`: reading the entries still pending for consumer `{consumer}`"),
                        });
                    }
                    self.handled_through(i, &next);
                    self.deliver_group(&key, entries, Vec::new(), t0.elapsed(), notify)
                        .await?;
                    return Ok(());
                }
                Phase::Claim(start) => {
                    let idle = claim_idle.unwrap_or_default().as_millis() as u64;
                    let cmd = ::redis::cmd("XAUTOCLAIM")
                        .arg(&key)
                        .arg(group)
                        .arg(consumer)
                        .arg(idle)
                        .arg(&start)
                        .arg("COUNT")
                        .arg(self.count.now)
                        .clone();
                    let t0 = Instant::now();
                    let reply = self.query(&cmd).await.map_err(|f| self.count.over_cap(f))?;
                    let (next, entries, deleted) = autoclaim(reply);
                    self.parts[i].phase = if next == "0-0" {
                        Phase::New
                    } else {
                        Phase::Claim(next)
                    };
                    if !entries.is_empty() || !deleted.is_empty() {
                        if !entries.is_empty() {
                            notify(Notice::Info {
                                text: format!(
                                    "stream `{key}`: took over {} idle for more than {} ms",
                                    crate::text::counted_as(
                                        entries.len() as u64,
                                        "entry",
                                        "entries"
                                    ),
                                    idle
                                ),
                            });
                        }
                        self.deliver_group(&key, entries, deleted, t0.elapsed(), notify)
                            .await?;
                        return Ok(());
                    }
                }
                Phase::New => {}
            }
        }
        for i in 0..self.parts.len() {
            self.check_group_trimmed(i, group, notify).await?;
        }
        let keys: Vec<String> = self.parts.iter().map(|p| p.key.clone()).collect();
        let new: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), ">")).collect();
        let t0 = Instant::now();
        // BLOCK for new entries, unless `--exit-at-end` wants to know at once that there are
        // none.
        let block = !self.opts.exit_at_end;
        let got = self.xreadgroup(group, consumer, block, &new).await?;
        let latency = t0.elapsed();
        self.drained = got.is_empty();
        if got.is_empty() && claim_idle.is_some() {
            // Nothing new: look again for entries that went idle meanwhile.
            for p in &mut self.parts {
                p.phase = Phase::Claim("0-0".into());
            }
        }
        for (key, entries) in got {
            let (Some(i), Some(last)) = (
                self.parts.iter().position(|p| p.key == key),
                entries.last().map(|e| e.0.clone()),
            ) else {
                continue;
            };
            self.handled_through(i, &last);
            self.deliver_group(&key, entries, Vec::new(), latency, notify)
                .await?;
        }
        Ok(())
    }

    /// Queues a group chunk; entries deleted while pending have no fields: acked at once
    /// (there is nothing to keep) and said so.
    async fn deliver_group(
        &mut self,
        key: &str,
        entries: Vec<RawEntry>,
        mut deleted: Vec<String>,
        latency: Duration,
        notify: &mut dyn FnMut(Notice),
    ) -> Step {
        let mut kept = Vec::with_capacity(entries.len());
        for e in entries {
            match e.1 {
                Some(_) => kept.push(e),
                None => deleted.push(e.0),
            }
        }
        if !deleted.is_empty() {
            notify(Notice::Info {
                text: format!(
                    "stream `{key}`: {} pending entries were deleted or trimmed before they were handled ({}…); acknowledged without content",
                    deleted.len(),
                    deleted[0]
                ),
            });
            self.xack(key, &deleted).await?;
        }
        let ids: Vec<String> = kept.iter().map(|e| e.0.clone()).collect();
        // Each entry's fields are dropped once its JSON is built: a batch is not held twice.
        let events = kept
            .into_iter()
            .map(|(id, pairs)| Entry::new(key, &id, pairs.as_deref().unwrap_or_default()))
            .collect();
        self.push_chunk(key, events, ids, latency);
        Ok(())
    }

    fn push_chunk(&mut self, key: &str, events: Vec<Entry>, ack: Vec<String>, latency: Duration) {
        if events.is_empty() {
            return;
        }
        let Some(i) = self.parts.iter().position(|p| p.key == key) else {
            return;
        };
        let before = self.cursor(i);
        let last = events.last().map(|e| e.id.clone()).unwrap_or_default();
        // Plain: the cursor. Group: the highest id seen, where a recreated group restarts.
        if parse_id(&last) > parse_id(&self.parts[i].last) {
            self.parts[i].last = last;
        }
        let after = self.cursor(i);
        // The delivery is the entries' stored JSON, one a line: no body is built from it (a
        // copy of every entry, the largest one's included, that nothing reads), only its size.
        let size = events.iter().map(|e| e.raw.len() + 1).sum();
        self.number += 1;
        let mut chunk = Chunk::new(
            key.to_string(),
            self.number,
            before,
            after,
            events,
            Vec::new(),
            now_ms(),
            latency,
            ack,
        );
        chunk.size = size;
        self.queue.push_back(chunk);
    }

    /// After a failed read, a group reader reads its own pending entries again first: a
    /// reply cut off (by the connection, a proxy, a timeout) leaves entries Redis delivered,
    /// and so moved into this consumer's pending list, that feedctl never saw, and no `>`
    /// read gives them again. Every chunk handed out was acknowledged before the next read
    /// (the follow loop acks a chunk before asking for the next; failed acks are sent first),
    /// so what is pending now is exactly what was lost on the way.
    fn reread_pending(&mut self) {
        if matches!(self.opts.mode, Mode::Group { .. }) && self.ready {
            for p in &mut self.parts {
                p.phase = Phase::Pending("0-0".into());
            }
        }
    }

    /// WRONGTYPE, with the type the key does hold.
    async fn wrong_type(&mut self) -> SourceError {
        for i in 0..self.parts.len() {
            let key = self.parts[i].key.clone();
            if let Ok(t) = self.query(::redis::cmd("TYPE").arg(&key)).await {
                let kind = text(&t).unwrap_or_default();
                if kind != "stream" && kind != "none" {
                    return wrong_type_error(&key, &kind);
                }
            }
        }
        SourceError::new(ErrorClass::Local, "WRONGTYPE: a key is not a stream")
    }
}

/// The gap of a consumer group that vanished and was made again after `last`.
fn vanished(key: &str, group: &str, last: &str, cursor: Cursor, why: &str) -> Notice {
    Notice::Gap {
        partition: key.to_string(),
        cursor,
        replaced: None,
        reason: format!("NOGROUP: consumer group `{group}` vanished; recreated after {last}"),
        lost: None,
        text: format!(
            "stream `{key}`: consumer group `{group}` vanished ({}); made it again after entry {last}: entries pending in the old group and its other consumers' progress are lost",
            crate::text::clip(why, 120)
        ),
    }
}

fn wrong_type_error(key: &str, kind: &str) -> SourceError {
    SourceError::new(
        ErrorClass::Local,
        format!("key `{key}` holds a {kind}, not a stream (WRONGTYPE); name a stream key"),
    )
}

impl Source for StreamSource {
    type Event = Entry;
    type Ack = Vec<String>;

    async fn next_chunk(
        &mut self,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Entry, Vec<String>>>, SourceError> {
        loop {
            if let Some(c) = self.queue.pop_front() {
                return Ok(Some(c));
            }
            let step = match self.step(notify).await {
                // Retried as any transient failure, with fewer entries a read.
                Err(Failure::Overload(t)) => {
                    let n = self.count.fewer();
                    Err(Failure::Transient(format!(
                        "{t}; asking for {n} entries a read"
                    )))
                }
                step => step,
            };
            match step {
                // `--exit-at-end`: a read found no new entries, the stream has nothing more.
                Ok(()) if self.drained && self.opts.exit_at_end && self.queue.is_empty() => {
                    return Ok(None)
                }
                Ok(()) => {
                    self.backoff.reset();
                    self.count.went_well();
                    self.outage.up();
                }
                Err(Failure::Transient(t)) => {
                    self.conn = None;
                    self.reads = None;
                    self.reread_pending();
                    let wait = self.backoff.next_wait(None).map(|w| {
                        self.outage
                            .wait(&self.opts.server, w, &t)
                            .map_err(|why| SourceError::new(ErrorClass::Transient, why))
                    });
                    match wait.transpose()? {
                        Some(wait) => {
                            notify(Notice::Retry {
                                reason: crate::text::clip(&t, 240),
                                wait,
                                attempt: self.backoff.failures(),
                            });
                            tokio::time::sleep(wait).await;
                        }
                        None => {
                            return Err(SourceError::new(
                                ErrorClass::Transient,
                                format!(
                                    "{t}; giving up after {} attempts",
                                    self.backoff.failures()
                                ),
                            ))
                        }
                    }
                }
                Err(Failure::WrongTypeOf(key, kind)) => return Err(wrong_type_error(&key, &kind)),
                Err(Failure::WrongType) => return Err(self.wrong_type().await),
                Err(f) => return Err(f.into_source_error("redis")),
            }
        }
    }

    async fn commit(&mut self, done: Committed<Vec<String>>) -> Result<(), SourceError> {
        let key = done.partition().to_string();
        let ids = done.into_ack();
        match self.xack(&key, &ids).await {
            Ok(()) => Ok(()),
            Err(Failure::Transient(_) | Failure::Overload(_)) => {
                // Kept in the journal already: acked once the connection is back.
                self.conn = None;
                self.unacked.push((key, ids));
                Ok(())
            }
            Err(f) => Err(f.into_source_error("XACK")),
        }
    }

    async fn close(&mut self, _notify: &mut dyn FnMut(Notice)) {
        if !self.unacked.is_empty() {
            let _ = tokio::time::timeout(Duration::from_secs(2), self.flush_acks()).await;
        }
    }
}

/// XAUTOCLAIM's reply: the next start, the entries taken, the ids deleted meanwhile.
fn autoclaim(v: Value) -> (String, Vec<RawEntry>, Vec<String>) {
    let Value::Array(a) = v else {
        return ("0-0".into(), Vec::new(), Vec::new());
    };
    let mut a = a.into_iter();
    let next = a
        .next()
        .as_ref()
        .and_then(text)
        .unwrap_or_else(|| "0-0".into());
    let got = a.next().map(entries).unwrap_or_default();
    let deleted = match a.next() {
        Some(Value::Array(d)) => d.iter().filter_map(text).collect(),
        _ => Vec::new(),
    };
    (next, got, deleted)
}

/// `<ms>-<seq>` as a pair that orders like Redis does.
pub fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// The clock, in milliseconds since the epoch (what entry ids count).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
