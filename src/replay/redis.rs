//! `replay --to redis://host/KEY` (DESIGN §4b): each chunk written as pipelined slices of
//! `XADD`s on one connection ([`crate::redis::conn`]). Entries recorded from
//! Redis keep their original fields; any event can be written in hopeit.engine's layout. Every
//! selected event is checked before the first write, because one bad entry stalls a hopeit
//! consumer.

use std::borrow::Cow;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use ::redis::Value;
use serde_json::value::RawValue;
use serde_json::Value as Json;

use crate::exit::{Exit, Fail};
use crate::journal::{EventText, Journal, JournalError, Selection};
use crate::redis::conn::{connect, Conn, Failure};
use crate::redis::entry::{pairs_of, Pairs};
use crate::redis::hopeit::{self, Encoding};
use crate::redis::schema::PayloadSchema;
use crate::redis::stored;
use crate::redis::StreamUrl;

use super::sink::{Done, Sink};
use super::{Chunk, Delivery, Outcome, RunResult};

/// How events become entries.
#[derive(Debug, Clone, PartialEq)]
pub enum Layout {
    /// Redis entries: their original fields; other events: `id`, `type`, `event` (the JSON).
    Original,
    /// hopeit.engine's fields, the payload of this `type` encoded so.
    Hopeit {
        event_type: String,
        encoding: Encoding,
    },
}

/// Where and how `replay --to` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisTarget {
    pub url: StreamUrl,
    pub layout: Layout,
    /// `MAXLEN ~ N` on every XADD.
    pub maxlen: Option<u64>,
    /// `--schema`: every hopeit payload is checked against it before the first XADD.
    pub schema: Option<Arc<PayloadSchema>>,
}

impl RedisTarget {
    /// What the run stores as its "handler": `XADD <url without password>`.
    pub fn command(&self) -> String {
        format!("XADD {}", self.url)
    }
}

/// The parts of an event that decide its entry, borrowed (the pre-flight check reads every
/// selected event before the first write: copying each into a [`Delivery`] was a third of it).
#[derive(Debug, Clone, Copy)]
pub struct EventRef<'a> {
    pub row: i64,
    pub raw: &'a str,
    pub event_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
}

impl<'a> From<&'a Delivery> for EventRef<'a> {
    fn from(d: &'a Delivery) -> Self {
        EventRef {
            row: d.row,
            raw: &d.raw,
            event_id: d.event_id.as_deref(),
            event_type: d.event_type.as_deref(),
        }
    }
}

/// The XADD of one event: `head` (`XADD key [MAXLEN ~ n] *`), then the entry's fields, or
/// why it cannot be written (`submit_ts`: hopeit's, when the entry is written in its layout;
/// `payload`: a buffer for the encoded payload, kept from one event to the next).
fn write_xadd(
    target: &RedisTarget,
    d: EventRef<'_>,
    submit_ts: &str,
    head: &[&[u8]],
    payload: &mut Vec<u8>,
) -> Result<::redis::Cmd, String> {
    // Sized once: a command that grows argument by argument reallocates about ten times,
    // which showed in profiles.
    let sized = |fields: usize, bytes: usize| {
        let head_bytes: usize = head.iter().map(|a| a.len()).sum();
        let mut cmd = ::redis::Cmd::with_capacity(head.len() + 2 * fields, head_bytes + bytes);
        for arg in head {
            cmd.arg(*arg);
        }
        cmd
    };
    let mut cmd;
    match checked(target, d)? {
        Checked::Fields(fields) => {
            let bytes = fields.iter().map(|(k, v)| k.len() + v.len()).sum();
            cmd = sized(fields.len(), bytes);
            for (k, v) in &fields {
                cmd.arg(&k[..]).arg(&v[..]);
            }
        }
        Checked::Hopeit { id, payload: text } => {
            let Layout::Hopeit {
                event_type,
                encoding,
            } = &target.layout
            else {
                return Err("not the hopeit layout".into());
            };
            payload.clear();
            encoding.encode_into(&text, payload);
            let fields =
                hopeit::entry_fields(id, event_type, submit_ts, *encoding, Cow::Borrowed(payload));
            let bytes = fields.iter().map(|(k, v)| k.len() + v.len()).sum();
            cmd = sized(fields.len(), bytes);
            for (k, v) in &fields {
                cmd.arg(k.as_bytes()).arg(&v[..]);
            }
        }
    }
    Ok(cmd)
}

/// An event that can be written: its fields, or hopeit's id and payload still to encode (the
/// pre-flight check stops here, so payloads are not encoded twice).
enum Checked<'a> {
    Fields(Pairs),
    /// The payload as JSON text: for a stored hopeit payload, its text in the event itself
    /// (parsing it into a tree only to write it out again was most of the check's time).
    Hopeit {
        id: Cow<'a, str>,
        payload: Cow<'a, str>,
    },
}

/// A JSON string's text, borrowed from where it lies unless it has escapes; `None` for any
/// other JSON value. (Copying every entry's id into a `String`, twice per event counting the
/// check, showed in profiles.)
fn text_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    match serde_json::from_str::<&str>(raw.get()) {
        Ok(text) => Some(Cow::Borrowed(text)),
        Err(_) => serde_json::from_str::<String>(raw.get())
            .ok()
            .map(Cow::Owned),
    }
}

fn checked<'a>(target: &RedisTarget, d: EventRef<'a>) -> Result<Checked<'a>, String> {
    let fast = match target.layout {
        Layout::Hopeit { .. } => checked_hopeit_entry(d).or_else(|| checked_by_members(target, d)),
        Layout::Original => checked_by_members(target, d),
    };
    fast.unwrap_or_else(|| checked_whole(target, d))
}

/// [`checked_whole`] for the events replay writes most (entries recorded from Redis, hopeit's
/// included), reading only the members it needs: the whole event as a `Value` tree was most of
/// `replay --to`'s CPU. `None` where this does not decide: the event is read whole.
fn checked_by_members<'a>(
    target: &RedisTarget,
    d: EventRef<'a>,
) -> Option<Result<Checked<'a>, String>> {
    let m: stored::Members = stored::members(d.raw)?;
    let is_entry = m.id.is_some() && (m.fields.is_some() || m.pairs.is_some());
    if !is_entry {
        return None;
    }
    let parse = |r: &RawValue| serde_json::from_str::<Json>(r.get()).ok();
    Some(match &target.layout {
        Layout::Original => {
            // pairs_of reads `pairs`, else `fields`: an object of just those two.
            let mut two = serde_json::Map::new();
            if let Some(p) = m.pairs {
                two.insert("pairs".into(), parse(p)?);
            }
            if let Some(f) = m.fields {
                two.insert("fields".into(), parse(f)?);
            }
            fields_of_entry(&Json::Object(two))
        }
        // One with a `hopeit` member that checked_hopeit_entry did not read: read whole.
        Layout::Hopeit { .. } if m.hopeit.is_some() => return None,
        Layout::Hopeit { .. } => {
            let payload: &'a str = match m.fields {
                Some(f) => f.get(),
                None => return Some(Err(NOT_TEXT.into())),
            };
            // hopeit's own event id: the `id` field when it is a string.
            let field_id = match m.fields {
                Some(f) if f.get().trim_start().starts_with('{') => {
                    let f: stored::IdField = stored::members(f.get())?;
                    f.id.and_then(text_of)
                }
                _ => None,
            };
            hopeit_checked(d, true, Cow::Borrowed(payload), field_id)
        }
    })
}

/// [`checked_by_members`] for an entry recorded in hopeit's layout (what replay writes most
/// in hopeit's layout), in one pass over it; `None` when it has no `hopeit` member or is
/// not read so.
fn checked_hopeit_entry<'a>(d: EventRef<'a>) -> Option<Result<Checked<'a>, String>> {
    let e: stored::HopeitEntry = stored::members(d.raw)?;
    let is_entry = e.id.is_some() && (e.fields.is_some() || e.pairs.is_some());
    let hopeit = e.hopeit.filter(|_| is_entry)?;
    let payload: &'a str = match hopeit.0.filter(|p| p.get() != "null") {
        Some(p) => p.get(),
        None => return Some(Err(NOT_DECODED.into())),
    };
    // hopeit's own event id: the `id` field when it is a string.
    let field_id = e.fields.and_then(|f| f.0).and_then(text_of);
    Some(hopeit_checked(d, false, Cow::Borrowed(payload), field_id))
}

const NOT_DECODED: &str = "its hopeit payload was not decoded (pickle?)";
const NOT_TEXT: &str = "its fields are not all text";

/// An entry's original fields, to write as they were.
fn fields_of_entry(json: &Json) -> Result<Checked<'static>, String> {
    let pairs = pairs_of(json).ok_or("its fields cannot be read back")?;
    if pairs.is_empty() {
        return Err("an entry with no fields cannot be written".into());
    }
    Ok(Checked::Fields(pairs))
}

/// The checks of a hopeit payload, JSON text that parsed (`from_fields`: it is an entry's
/// fields), and its event id.
fn hopeit_checked<'a>(
    d: EventRef<'a>,
    from_fields: bool,
    payload: Cow<'a, str>,
    field_id: Option<Cow<'a, str>>,
) -> Result<Checked<'a>, String> {
    if from_fields {
        let fields: Json = serde_json::from_str(&payload).map_err(|e| format!("not JSON ({e})"))?;
        if fields
            .as_object()
            .is_some_and(|o| o.values().any(|v| !v.is_string()))
        {
            return Err("it has binary field values, which a hopeit payload cannot carry".into());
        }
    }
    // JSON text that parsed is an object when it starts with a brace.
    if !payload.trim_start().starts_with('{') {
        return Err("a hopeit payload must be a JSON object (a dataobject)".into());
    }
    // hopeit's own event id when the entry has one, so a consumer sees the same id again.
    let id = field_id
        .or_else(|| d.event_id.map(Cow::Borrowed))
        .or_else(|| match &payload {
            Cow::Borrowed(text) => text_of(stored::members::<stored::IdField>(text)?.id?),
            Cow::Owned(text) => {
                let id = text_of(stored::members::<stored::IdField>(text)?.id?)?;
                Some(Cow::Owned(id.into_owned()))
            }
        })
        .unwrap_or_else(|| Cow::Owned(format!("feedctl-{}", d.row)));
    Ok(Checked::Hopeit { id, payload })
}

/// The checks on the whole event as a `Value`.
fn checked_whole<'a>(target: &RedisTarget, d: EventRef<'a>) -> Result<Checked<'a>, String> {
    let json: Json = serde_json::from_str(d.raw).map_err(|e| format!("not JSON ({e})"))?;
    let is_entry =
        json.get("id").is_some() && (json.get("fields").is_some() || json.get("pairs").is_some());
    match &target.layout {
        Layout::Original if is_entry => fields_of_entry(&json),
        Layout::Original => {
            let mut f = Vec::new();
            if let Some(id) = d.event_id {
                f.push((b"id".to_vec(), id.as_bytes().to_vec()));
            }
            if let Some(t) = d.event_type {
                f.push((b"type".to_vec(), t.as_bytes().to_vec()));
            }
            f.push((b"event".to_vec(), d.raw.as_bytes().to_vec()));
            Ok(Checked::Fields(f))
        }
        Layout::Hopeit { .. } => {
            // The payload: a recorded hopeit payload, a Redis entry's fields, or the event
            // (its own text, on one line: numbers and escapes as stored, not as a tree writes
            // them again).
            let payload: Cow<'a, str> = match (json.get("hopeit"), is_entry) {
                (Some(h), _) => Cow::Owned(
                    h.get("payload")
                        .filter(|p| !p.is_null())
                        .ok_or(NOT_DECODED)?
                        .to_string(),
                ),
                (None, true) => Cow::Owned(json.get("fields").ok_or(NOT_TEXT)?.to_string()),
                (None, false) => super::exec::one_line(d.raw),
            };
            let field_id = json
                .pointer("/fields/id")
                .and_then(Json::as_str)
                .map(|id| Cow::Owned(id.to_string()));
            let from_fields = json.get("hopeit").is_none() && is_entry;
            hopeit_checked(d, from_fields, payload, field_id)
        }
    }
}

/// How many problems the check before the first write shows; it counts the rest.
pub const SHOWN: usize = 10;

/// What the check before the first write found: the first [`SHOWN`] problems, and how many
/// there are.
#[derive(Debug, Default)]
struct Refusals {
    first: Vec<Refusal>,
    total: usize,
}

#[derive(Debug)]
struct Refusal {
    row: i64,
    event_id: Option<String>,
    why: String,
}

impl Refusals {
    fn push(&mut self, e: &EventText<'_>, why: String) {
        if self.first.len() < SHOWN {
            self.first.push(Refusal {
                row: e.row_id,
                event_id: e.event_id.map(str::to_string),
                why,
            });
        }
        self.total += 1;
    }

    /// Those of the first half, then the second's.
    fn then(mut self, other: Refusals) -> Refusals {
        let room = SHOWN.saturating_sub(self.first.len());
        self.first.extend(other.first.into_iter().take(room));
        self.total += other.total;
        self
    }
}

/// What an event is checked for beyond being writable.
#[derive(Clone, Copy)]
struct Checks<'s> {
    /// `--schema`: every hopeit payload validates.
    schema: Option<&'s PayloadSchema>,
    /// `--layout original` into a stream that looks like a hopeit app's: every entry is one a
    /// hopeit consumer can read.
    hopeit_target: bool,
}

/// Why a stored event cannot be written, added to `found`.
fn refused(target: &RedisTarget, checks: Checks<'_>, e: EventText<'_>, found: &mut Refusals) {
    // Valid UTF-8 (every source records JSON text) is checked, not copied.
    let raw = crate::text::utf8_or_lossy(e.raw);
    let d = EventRef {
        row: e.row_id,
        raw: &raw,
        event_id: e.event_id,
        event_type: e.event_type,
    };
    let payload: Cow<'_, [u8]> = match checked(target, d) {
        Err(why) => return found.push(&e, why),
        Ok(Checked::Hopeit { payload, .. }) => match payload {
            Cow::Borrowed(p) => Cow::Borrowed(p.as_bytes()),
            Cow::Owned(p) => Cow::Owned(p.into_bytes()),
        },
        Ok(Checked::Fields(_)) if checks.schema.is_none() && !checks.hopeit_target => return,
        Ok(Checked::Fields(pairs)) => match hopeit::consumer_check(&pairs) {
            Err(why) if checks.hopeit_target => {
                return found.push(&e, format!("{why} (the target is a hopeit stream)"))
            }
            Err(why) => return found.push(&e, format!("{why} (--schema checks hopeit entries)")),
            Ok(Some(json)) => Cow::Owned(json),
            Ok(None) if checks.schema.is_some() => {
                return found.push(
                    &e,
                    "its pickled payload cannot be checked by --schema".into(),
                )
            }
            Ok(None) => return,
        },
    };
    let Some(schema) = checks.schema else { return };
    let value: Json = match serde_json::from_slice(&payload) {
        Ok(v) => v,
        Err(err) => return found.push(&e, format!("its payload is not JSON ({err})")),
    };
    let mut problems = Vec::new();
    let room = SHOWN.saturating_sub(found.first.len());
    let n = schema.problems(&value, room, &mut problems);
    let shown = problems.len();
    for p in problems {
        found.push(&e, format!("payload {p}"));
    }
    // Those past what is shown are counted.
    found.total += n - shown;
}

/// A journal of fewer rows than this is checked on one thread: a second costs more than it
/// saves. (The halves are of the journal's rows: a selection within one half gains nothing.)
const SPLIT_AT: i64 = 20_000;

/// Every selected event that cannot be written, the first [`SHOWN`] by row with why.
///
/// Redis is idle until this is done, and reading a row costs about what checking it does, so
/// the rows are split in two halves by row id, each read and checked on a thread of its own
/// with a connection of its own, every row checked where SQLite lends it. (Before, one thread
/// read and copied rows and another checked them: twice the copies, and the two threads took
/// turns through a channel.) A selection with a limit counts its first N across all the rows,
/// so one thread reads it whole.
fn refusals(
    target: &RedisTarget,
    checks: Checks<'_>,
    journal: &std::path::Path,
    sel: &Selection,
) -> Result<Refusals, JournalError> {
    let j = Journal::open_read(journal)?;
    let Some((lo, hi)) = j.row_span()? else {
        return Ok(Refusals::default());
    };
    let mid = lo + (hi - lo) / 2;
    let split = sel.limit.is_none() && hi - lo >= SPLIT_AT;
    let check = |j: &Journal, rows: (i64, i64)| -> Result<Refusals, JournalError> {
        let mut found = Refusals::default();
        j.scan_events(sel, rows, |e| {
            refused(target, checks, e, &mut found);
            true
        })?;
        Ok(found)
    };
    if !split {
        return check(&j, (lo, hi));
    }
    std::thread::scope(|s| {
        let second = s.spawn(|| check(&Journal::open_read(journal)?, (mid + 1, hi)));
        let first = check(&j, (lo, mid));
        let second = second
            .join()
            .unwrap_or_else(|_| Err(JournalError::Invalid("the check stopped".into())));
        Ok(first?.then(second?))
    })
}

/// The refusals as lines naming each event: its id, recording, chunk and row.
fn named(journal: &std::path::Path, found: &Refusals) -> String {
    let j = Journal::open_read(journal).ok();
    let mut out = String::new();
    for r in &found.first {
        let place = j
            .as_ref()
            .and_then(|j| j.event_place(r.row).ok().flatten())
            .map(|(rec, chunk)| format!("recording {rec}, chunk {chunk}, "))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n  event {} ({place}row {}): {}",
            crate::text::terminal_safe(r.event_id.as_deref().unwrap_or("?")),
            r.row,
            r.why
        ));
    }
    if found.total > found.first.len() {
        out.push_str(&format!("\n  and {} more", found.total - found.first.len()));
    }
    out
}

/// Why the stream at `key` looks like a hopeit app's, if it does: its newest entry is in
/// hopeit's layout (`type`, `ser`, `comp`, `payload`), or one of its groups has a consumer
/// named as hopeit names them (`<UTC time>.<host>.<pid>.<id>`). A group alone does not make
/// it one: feedctl's own `consume` workers read groups of any stream.
async fn hopeit_stream(
    c: &mut crate::redis::conn::Conn,
    key: &str,
) -> ::redis::RedisResult<Option<String>> {
    let newest: Vec<(String, Pairs)> = ::redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(c)
        .await?;
    if let Some((id, pairs)) = newest.first() {
        if hopeit::recognise(pairs) {
            return Ok(Some(format!("its newest entry {id} is in hopeit's layout")));
        }
    }
    let groups: ::redis::Value = ::redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(key)
        .query_async(c)
        .await?;
    let ::redis::Value::Array(groups) = groups else {
        return Ok(None);
    };
    for g in groups {
        let Some(name) = name_of(&g) else {
            continue;
        };
        let consumers: ::redis::Value = ::redis::cmd("XINFO")
            .arg("CONSUMERS")
            .arg(key)
            .arg(&name)
            .query_async(c)
            .await?;
        let ::redis::Value::Array(consumers) = consumers else {
            continue;
        };
        if consumers
            .iter()
            .any(|c| name_of(c).is_some_and(|n| hopeit::consumer_name(&n)))
        {
            return Ok(Some(format!(
                "its group {} has a hopeit consumer",
                crate::text::terminal_safe(&name)
            )));
        }
    }
    Ok(None)
}

/// The `name` of an `XINFO GROUPS` or `XINFO CONSUMERS` item, as text.
fn name_of(item: &::redis::Value) -> Option<String> {
    use crate::redis::value::{field, text};
    field(item, "name").and_then(text)
}

/// Before the first write: the server answers, the key is a stream (or none), and every
/// selected event can be written, as its stream's consumers can read it.
pub async fn preflight(
    target: &RedisTarget,
    journal: &std::path::Path,
    sel: &Selection,
) -> Result<(), Fail> {
    let server = target.url.server();
    let failed = |f: Failure| match f {
        Failure::Auth(t) => Fail::new(Exit::Auth, t),
        Failure::Local(t) => Fail::usage(t),
        other => Fail::new(Exit::Feed, other.text().to_string()),
    };
    let mut c = connect(&server, Duration::from_secs(10))
        .await
        .map_err(failed)?;
    let kind = ::redis::cmd("TYPE")
        .arg(&target.url.key)
        .query_async::<String>(&mut c)
        .await
        .map_err(|e| failed(Failure::from_redis(e, &server)))?;
    match kind.as_str() {
        "stream" | "none" => {}
        other => {
            return Err(Fail::usage(format!(
                "key `{}` holds a {other}, not a stream (WRONGTYPE); nothing was written",
                target.url.key
            )))
        }
    }
    let hopeit_target = match (&target.layout, kind.as_str()) {
        (Layout::Original, "stream") => hopeit_stream(&mut c, &target.url.key)
            .await
            .map_err(|e| failed(Failure::from_redis(e, &server)))?,
        _ => None,
    };
    drop(c);
    let (path, sel, t) = (journal.to_path_buf(), sel.clone(), target.clone());
    let is_hopeit = hopeit_target.is_some();
    let found = tokio::task::spawn_blocking(move || {
        let checks = Checks {
            schema: t.schema.as_deref(),
            hopeit_target: is_hopeit,
        };
        refusals(&t, checks, &path, &sel)
    })
    .await
    .map_err(|e| Fail::usage(e.to_string()))?
    .map_err(|e| Fail::usage(e.to_string()))?;
    if found.total == 0 {
        return Ok(());
    }
    let mut why = format!(
        "nothing was written to {}: {} in the selected events{}",
        target.url,
        crate::text::counted(found.total as u64, "problem"),
        match found.total > SHOWN {
            true => format!(", the first {SHOWN}:"),
            false => ":".into(),
        }
    );
    why.push_str(&named(journal, &found));
    if let Some(schema) = &target.schema {
        why.push_str(&format!("\n(payloads checked against {})", schema.source));
    }
    if let Some(reason) = hopeit_target {
        why.push_str(&format!(
            "\n`{}` looks like a hopeit app's stream ({reason}): a hopeit consumer stops reading at an entry it cannot read; write hopeit entries with --layout hopeit --hopeit-type module.Class",
            target.url.key
        ));
    }
    Err(Fail::usage(why))
}

/// The XADD sink.
pub struct RedisSink {
    target: RedisTarget,
    conn: Option<Conn>,
    /// Each hopeit payload, encoded here before it is written (kept from event to event).
    payload: Vec<u8>,
    /// The chunk the engine delivers after this one ([`Sink::next_up`]), to send once this
    /// one's XADDs are out.
    next: Option<Arc<Chunk>>,
    /// A chunk whose XADDs went out before its delivery.
    ahead: Option<(Arc<Chunk>, Sent)>,
}

/// The replies to one slice's pipeline, on their way.
type Replies = Pin<Box<dyn Future<Output = Result<Vec<Value>, Failure>> + Send>>;

/// A slice's pipeline, handed to the connection: its replies still to come, or already in.
enum Slice {
    Waiting(usize, Replies),
    Done(usize, Result<Vec<Value>, Failure>),
}

/// The XADDs of a chunk's `n` events that went out, slice by slice, and why the rest did not.
struct Sent {
    n: usize,
    slices: Vec<Slice>,
    unwritten: Option<String>,
}

/// One result per event: its new entry id, or why it has none.
type Written = Vec<Result<String, String>>;

impl RedisSink {
    pub fn new(target: RedisTarget) -> Self {
        RedisSink {
            target,
            conn: None,
            payload: Vec::new(),
            next: None,
            ahead: None,
        }
    }

    /// Writes a chunk: one result per event, its new entry id or why it was not written.
    ///
    /// The chunk goes out as slices of [`SLICE`] XADDs, each handed to the connection as soon
    /// as it is built, so Redis works through one slice while the next is built. Then the
    /// next chunk's go out, when the engine told it ([`Sink::next_up`]), and only then are
    /// this chunk's replies read: Redis has the next chunk to work on while the engine books
    /// this one's results (waiting for the replies and booking them left Redis idle a third
    /// of the time). One connection keeps the entries in the chunks' order.
    async fn write(&mut self, chunk: &Chunk) -> Written {
        let next = self.next.take();
        // Sent ahead for another chunk cannot happen (the engine delivers the chunk it told
        // next); were it to, its replies are read off first.
        if let Some((_, other)) = self.ahead.take_if(|a| !std::ptr::eq(&*a.0, chunk)) {
            self.answers(other).await;
        }
        let sent = match self.ahead.take() {
            Some((_, a)) => a,
            None => self.send(&chunk.events).await,
        };
        if let (None, Some(next)) = (&sent.unwritten, next) {
            let ahead = self.send(&next.events).await;
            self.ahead = Some((next, ahead));
        }
        self.answers(sent).await
    }

    /// Hands the XADDs of `events` to the connection, slice by slice.
    async fn send(&mut self, events: &[Delivery]) -> Sent {
        let mut sent = Sent {
            n: events.len(),
            slices: Vec::new(),
            unwritten: None,
        };
        let conn = match &self.conn {
            Some(c) => c.clone(),
            None => match connect(&self.target.url.server(), Duration::from_secs(30)).await {
                Ok(c) => {
                    self.conn = Some(c.clone());
                    c
                }
                Err(f) => {
                    sent.unwritten = Some(f.text().to_string());
                    return sent;
                }
            },
        };
        for part in events.chunks(SLICE) {
            let pipe = match self.encode(part) {
                Ok(p) => p,
                Err(why) => {
                    sent.unwritten = Some(why);
                    break;
                }
            };
            let (mut conn, server) = (conn.clone(), self.target.url.server());
            let mut replies: Replies = Box::pin(async move {
                pipe.query_async::<Vec<Value>>(&mut conn)
                    .await
                    .map_err(|e| Failure::from_redis(e, &server))
            });
            // Polled once here, the pipeline is in the connection's queue before the next
            // slice's is built: the order of the entries is the order of the slices.
            let first = poll_fn(|cx| Poll::Ready(replies.as_mut().poll(cx))).await;
            sent.slices.push(match first {
                Poll::Ready(r) => Slice::Done(part.len(), r),
                Poll::Pending => Slice::Waiting(part.len(), replies),
            });
            // The connection's driver, a task of its own on replay's one thread, writes the
            // slice to the socket only once this task yields: without it, Redis got a chunk's
            // XADDs (and the next chunk's) only after all were built, and idled meanwhile
            // (measured: 2.61 s against 2.31 s for 500k entries).
            tokio::task::yield_now().await;
        }
        sent
    }

    /// The results of the events of `sent`: the replies to its slices, in order, then why
    /// the rest were not written. A connection that failed is dropped (the next chunk
    /// connects again).
    async fn answers(&mut self, sent: Sent) -> Written {
        let n = sent.n;
        let server = self.target.url.server();
        let mut results = Vec::with_capacity(n);
        for slice in sent.slices {
            let (count, replies) = match slice {
                Slice::Done(count, r) => (count, r),
                Slice::Waiting(count, fut) => (count, fut.await),
            };
            match replies {
                Ok(values) => {
                    results.extend(values.into_iter().map(|v| match v {
                        Value::BulkString(id) => Ok(String::from_utf8(id).unwrap_or_else(|e| {
                            String::from_utf8_lossy(e.as_bytes()).into_owned()
                        })),
                        Value::ServerError(e) => {
                            Err(Failure::from_redis(e.into(), &server).text().to_string())
                        }
                        other => Err(format!("Redis answered XADD with {other:?}")),
                    }))
                }
                Err(f) => {
                    self.conn = None;
                    results.extend(std::iter::repeat_n(Err(f.text().to_string()), count));
                }
            }
        }
        let why = sent
            .unwritten
            .unwrap_or_else(|| "no reply from Redis".into());
        results.resize(n, Err(why));
        results
    }

    /// One XADD per event, in one pipeline whose replies are kept whatever each says.
    fn encode(&mut self, events: &[Delivery]) -> Result<::redis::Pipeline, String> {
        // One submission time for the slice: formatting the clock per entry showed in profiles.
        let submit_ts = hopeit::submit_ts();
        let maxlen = self.target.maxlen.map(|n| n.to_string());
        let mut head: Vec<&[u8]> = vec![b"XADD", self.target.url.key.as_bytes()];
        if let Some(n) = &maxlen {
            head.extend([&b"MAXLEN"[..], b"~", n.as_bytes()]);
        }
        head.push(b"*");
        let mut pipe = ::redis::pipe();
        pipe.ignore_errors();
        for d in events {
            pipe.add_command(write_xadd(
                &self.target,
                d.into(),
                &submit_ts,
                &head,
                &mut self.payload,
            )?);
        }
        Ok(pipe)
    }
}

/// The events' results, each its entry id or why it has none.
fn run_results(
    chunk: &Chunk,
    attempt: u32,
    written: Written,
    duration: Duration,
) -> Vec<RunResult> {
    chunk
        .events
        .iter()
        .zip(written)
        .map(|(d, w)| {
            let (outcome, out, err) = match w {
                Ok(id) => (Outcome::Handled, id, String::new()),
                Err(e) => (Outcome::Failed, String::new(), e),
            };
            RunResult {
                row: d.row,
                attempt,
                outcome,
                status: Some(if outcome == Outcome::Handled { 0 } else { 1 }),
                duration,
                stdout_head: out,
                stderr_head: err,
            }
        })
        .collect()
}

/// XADDs per slice: enough to keep Redis busy while the next slice is written, few enough
/// that the first reaches it early (redis-benchmark's `-P 100`).
const SLICE: usize = 100;

impl Sink for RedisSink {
    /// Pipelined slices of XADDs: one result per event, its new entry id as its output.
    async fn deliver(
        &mut self,
        chunk: &Chunk,
        attempt: u32,
        _done: Done<'_>,
        _cancel: &tokio_util::sync::CancellationToken,
    ) -> Vec<RunResult> {
        let started = Instant::now();
        let written = self.write(chunk).await;
        run_results(chunk, attempt, written, started.elapsed())
    }

    async fn finish(&mut self, _grace: Duration) {
        self.conn = None;
    }

    /// At full speed, the next chunk's XADDs go out before this chunk's replies are read.
    fn next_up(&mut self, next: &Arc<Chunk>) {
        self.next = Some(next.clone());
    }

    /// The chunk sent ahead of a delivery that never came: its entries are in the stream,
    /// so the run keeps their ids like any other.
    async fn settle(&mut self) -> Vec<RunResult> {
        self.next = None;
        let Some((chunk, a)) = self.ahead.take() else {
            return Vec::new();
        };
        let started = Instant::now();
        let written = self.answers(a).await;
        run_results(&chunk, 1, written, started.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a check decided, comparably.
    fn decided(c: Result<Checked, String>) -> String {
        match c {
            Ok(Checked::Fields(f)) => format!("fields {f:?}"),
            Ok(Checked::Hopeit { id, payload }) => format!("hopeit {id} {payload}"),
            Err(e) => format!("refused: {e}"),
        }
    }

    /// A journal of `n` events `{"n":i}` (each a fine hopeit payload), `[i]` at the rows in
    /// `bad` (not an object: refused).
    fn journal_of(path: &std::path::Path, n: usize, bad: &[usize]) {
        use crate::journal::{ChunkRecord, NewEvent, NewRecording};
        let mut j = Journal::open_for_write(path).unwrap();
        let rec = j
            .recording(&NewRecording {
                name: "r",
                kind: "import",
                source: "import",
                ..Default::default()
            })
            .unwrap();
        let raws: Vec<String> = (1..=n)
            .map(|i| match bad.contains(&i) {
                true => format!("[{i}]"),
                false => format!(r#"{{"n":{i}}}"#),
            })
            .collect();
        let ids: Vec<String> = (1..=n).map(|i| format!("e{i}")).collect();
        for (k, part) in raws.chunks(1000).enumerate() {
            let events = part
                .iter()
                .zip(&ids[k * 1000..])
                .map(|(raw, id)| NewEvent {
                    raw: raw.as_bytes(),
                    event_id: Some(id),
                    event_type: Some("T"),
                    timestamp: None,
                    stream_id: None,
                    initiator_id: None,
                    message_id: None,
                    dedupe_key: id.clone(),
                })
                .collect();
            let chunk = ChunkRecord::imported(events, 1);
            j.append_chunk(rec.id, &chunk, true).unwrap();
        }
    }

    #[test]
    fn the_check_in_two_halves_names_the_refused_events_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let target = RedisTarget {
            url: StreamUrl::parse("redis://127.0.0.1:6379/k", None).unwrap(),
            layout: Layout::Hopeit {
                event_type: "a.B".into(),
                encoding: Encoding::JSON,
            },
            maxlen: None,
            schema: None,
        };
        let n = 2 * SPLIT_AT as usize + 10;
        let cases: [(&[usize], Option<usize>); 4] = [
            (&[], None),
            (&[n - 1], Some(n - 1)),
            (&[SPLIT_AT as usize + 3, n - 2], Some(SPLIT_AT as usize + 3)),
            (&[7, n - 2], Some(7)),
        ];
        for (k, (bad, first)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("j{k}.db"));
            journal_of(&path, n, bad);
            let checks = Checks {
                schema: None,
                hopeit_target: false,
            };
            let found = refusals(&target, checks, &path, &Selection::default()).unwrap();
            assert_eq!(found.total, bad.len());
            assert_eq!(found.first.first().map(|r| r.row as usize), first);
            assert_eq!(
                found.first.first().and_then(|r| r.event_id.clone()),
                first.map(|i| format!("e{i}"))
            );
            let rows: Vec<usize> = found.first.iter().map(|r| r.row as usize).collect();
            let mut sorted = bad.to_vec();
            sorted.sort();
            assert_eq!(rows, sorted, "every refused one, by row");
        }
    }

    #[test]
    fn reading_members_decides_as_reading_the_whole_event() {
        let url = StreamUrl::parse("redis://127.0.0.1:6379/k", None).unwrap();
        let hopeit = Layout::Hopeit {
            event_type: "a.B".into(),
            encoding: Encoding::JSON,
        };
        let events = [
            r#"{"stream":"s","id":"1-0","fields":{"id":"x","a":"b"},"hopeit":{"type":"a.B","payload":{"text":"hi","id":"p"}}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"a":"b","n":"1"}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"a":{"base64":"/w=="}}}"#,
            r#"{"stream":"s","id":"1-0","pairs":[["a","1"],["a","2"]]}"#,
            r#"{"stream":"s","id":"1-0","fields":{}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"id":7},"hopeit":{"payload":null,"undecoded":"pickle"}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"a":"b"},"hopeit":{"payload":[1]}}"#,
            r#"{"stream":"s","id":null,"fields":[1]}"#,
            r#"{"id":"e1","type":"MESSAGESENT","payload":{}}"#,
            r#"{"id":"1","fields":{"a":"b"},"fields":{"c":"d"}}"#,
            r#"[1,2]"#,
            r#"{"stream":"s","id":"1-0","fields":{"id":"a","id":"b"},"hopeit":{"payload":{"x":1},"payload":{"y":2}}}"#,
            r#"{"stream":"s","id":"1-0","pairs":[["id","x"]],"hopeit":{"payload":{"n":1}}}"#,
            r#"{"stream":"s","id":"1-0","fields":["id","x"],"hopeit":{"payload":{"n":1}}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"id":"x"},"hopeit":{"type":"t"}}"#,
            r#"{"stream":"s","fields":{"id":"x"},"hopeit":{"payload":{"n":1}}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"i\u0064":"x"},"hopeit":{"payload":{"n":1}}}"#,
        ];
        for layout in [Layout::Original, hopeit] {
            let target = RedisTarget {
                url: url.clone(),
                layout,
                maxlen: None,
                schema: None,
            };
            for raw in events {
                let d = Delivery {
                    row: 3,
                    raw: raw.into(),
                    event_id: Some("1-0".into()),
                    event_type: None,
                    timestamp: None,
                    stream_id: None,
                    initiator_id: None,
                    source: "redis".into(),
                    partition: "s".into(),
                };
                let d = EventRef::from(&d);
                let one_pass = match target.layout {
                    Layout::Hopeit { .. } => checked_hopeit_entry(d),
                    Layout::Original => None,
                };
                for fast in [checked_by_members(&target, d), one_pass]
                    .into_iter()
                    .flatten()
                {
                    assert_eq!(decided(fast), decided(checked_whole(&target, d)), "{raw}");
                }
            }
        }
    }
}
