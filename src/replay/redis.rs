//! `replay --to redis://host/KEY` (DESIGN §4b): each chunk written with one pipelined round of
//! `XADD`s. Entries recorded from Redis keep their original fields; any event can be written in
//! hopeit.engine's layout. Every selected event is checked before the first write, because one
//! bad entry stalls a hopeit consumer.

use std::time::{Duration, Instant};

use ::redis::aio::MultiplexedConnection;
use ::redis::Value;
use serde_json::Value as Json;

use crate::exit::{Exit, Fail};
use crate::journal::{Journal, JournalError, Selection};
use crate::redis::conn::{connect, Failure};
use crate::redis::entry::{pairs_of, Pairs};
use crate::redis::hopeit::{self, Encoding};
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
}

impl RedisTarget {
    /// What the run stores as its "handler": `XADD <url without password>`.
    pub fn command(&self) -> String {
        format!("XADD {}", self.url)
    }
}

/// The fields of one event's entry, or why it cannot be written.
pub fn fields_for(target: &RedisTarget, d: &Delivery) -> Result<Pairs, String> {
    Ok(match checked(target, d)? {
        Checked::Fields(f) => f,
        Checked::Hopeit { id, payload } => {
            let Layout::Hopeit {
                event_type,
                encoding,
            } = &target.layout
            else {
                return Err("not the hopeit layout".into());
            };
            hopeit::entry_fields(&id, event_type, &hopeit::submit_ts(), *encoding, &payload)
        }
    })
}

/// An event that can be written: its fields, or hopeit's id and payload still to encode (the
/// pre-flight check stops here, so payloads are not encoded twice).
enum Checked {
    Fields(Pairs),
    Hopeit { id: String, payload: Json },
}

fn checked(target: &RedisTarget, d: &Delivery) -> Result<Checked, String> {
    let json: Json = serde_json::from_str(&d.raw).map_err(|e| format!("not JSON ({e})"))?;
    let is_entry =
        json.get("id").is_some() && (json.get("fields").is_some() || json.get("pairs").is_some());
    match &target.layout {
        Layout::Original if is_entry => {
            let pairs = pairs_of(&json).ok_or("its fields cannot be read back")?;
            if pairs.is_empty() {
                return Err("an entry with no fields cannot be written".into());
            }
            Ok(Checked::Fields(pairs))
        }
        Layout::Original => {
            let mut f = Vec::new();
            if let Some(id) = &d.event_id {
                f.push((b"id".to_vec(), id.as_bytes().to_vec()));
            }
            if let Some(t) = &d.event_type {
                f.push((b"type".to_vec(), t.as_bytes().to_vec()));
            }
            f.push((b"event".to_vec(), d.raw.as_bytes().to_vec()));
            Ok(Checked::Fields(f))
        }
        Layout::Hopeit { .. } => {
            // The payload: a recorded hopeit payload, a Redis entry's fields, or the event.
            let payload = match (json.get("hopeit"), is_entry) {
                (Some(h), _) => h
                    .get("payload")
                    .filter(|p| !p.is_null())
                    .cloned()
                    .ok_or("its hopeit payload was not decoded (pickle?)")?,
                (None, true) => {
                    let f = json
                        .get("fields")
                        .cloned()
                        .ok_or("its fields are not all text")?;
                    if f.as_object()
                        .is_some_and(|o| o.values().any(|v| !v.is_string()))
                    {
                        return Err(
                            "it has binary field values, which a hopeit payload cannot carry"
                                .into(),
                        );
                    }
                    f
                }
                (None, false) => json.clone(),
            };
            if !payload.is_object() {
                return Err("a hopeit payload must be a JSON object (a dataobject)".into());
            }
            // hopeit's own event id when the entry has one, so a consumer sees the same id again.
            let id = json
                .pointer("/fields/id")
                .and_then(Json::as_str)
                .map(str::to_string)
                .or_else(|| d.event_id.clone())
                .or_else(|| payload.get("id").and_then(Json::as_str).map(str::to_string))
                .unwrap_or_else(|| format!("feedctl-{}", d.row));
            Ok(Checked::Hopeit { id, payload })
        }
    }
}

/// Before the first write: every selected event can be written, and the server answers.
pub async fn preflight(
    target: &RedisTarget,
    journal: &std::path::Path,
    sel: &Selection,
) -> Result<(), Fail> {
    let (path, sel, t) = (journal.to_path_buf(), sel.clone(), target.clone());
    let checked = tokio::task::spawn_blocking(move || -> Result<Option<String>, JournalError> {
        let j = Journal::open_read(&path)?;
        let mut bad = None;
        j.events(&sel, |row| {
            let raw = String::from_utf8_lossy(&row.raw).into_owned();
            let d = Delivery {
                row: row.row_id,
                raw,
                event_id: row.event_id.clone(),
                event_type: row.event_type.clone(),
                timestamp: row.timestamp,
                stream_id: None,
                initiator_id: None,
                source: "".into(),
                partition: "".into(),
            };
            match checked(&t, &d) {
                Ok(_) => true,
                Err(why) => {
                    bad = Some(format!(
                        "event {} (row {}): {why}",
                        row.event_id.as_deref().unwrap_or("?"),
                        row.row_id
                    ));
                    false
                }
            }
        })?;
        Ok(bad)
    })
    .await
    .map_err(|e| Fail::usage(e.to_string()))?
    .map_err(|e| Fail::usage(e.to_string()))?;
    if let Some(why) = checked {
        return Err(Fail::usage(format!(
            "nothing was written to {}: {why}",
            target.url
        )));
    }
    let server = target.url.server();
    let failed = |f: Failure| match f {
        Failure::Auth(t) => Fail::new(Exit::Auth, t),
        other => Fail::new(Exit::Feed, describe(other)),
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
        "stream" | "none" => Ok(()),
        other => Err(Fail::usage(format!(
            "key `{}` holds a {other}, not a stream (WRONGTYPE); nothing was written",
            target.url.key
        ))),
    }
}

fn describe(f: Failure) -> String {
    match f {
        Failure::Transient(t) | Failure::Auth(t) | Failure::Refused(t) | Failure::NoGroup(t) => t,
        Failure::WrongType | Failure::WrongTypeOf(..) => "the key is not a stream".into(),
    }
}

/// The XADD sink.
pub struct RedisSink {
    target: RedisTarget,
    conn: Option<MultiplexedConnection>,
}

impl RedisSink {
    pub fn new(target: RedisTarget) -> Self {
        RedisSink { target, conn: None }
    }

    async fn write(&mut self, chunk: &Chunk) -> Result<Vec<String>, String> {
        if self.conn.is_none() {
            self.conn = Some(
                connect(&self.target.url.server(), Duration::from_secs(30))
                    .await
                    .map_err(describe)?,
            );
        }
        let mut pipe = ::redis::pipe();
        for d in &chunk.events {
            let fields = fields_for(&self.target, d)?;
            let cmd = pipe.cmd("XADD").arg(&self.target.url.key);
            if let Some(n) = self.target.maxlen {
                cmd.arg("MAXLEN").arg("~").arg(n);
            }
            cmd.arg("*");
            for (k, v) in fields {
                cmd.arg(k).arg(v);
            }
        }
        let Some(c) = self.conn.as_mut() else {
            return Err("not connected".into());
        };
        let reply: Vec<Value> = match pipe.query_async(c).await {
            Ok(r) => r,
            Err(e) => {
                self.conn = None;
                return Err(describe(Failure::from_redis(e, &self.target.url.server())));
            }
        };
        Ok(reply
            .into_iter()
            .map(|v| match v {
                Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
                Value::SimpleString(s) => s,
                other => format!("{other:?}"),
            })
            .collect())
    }
}

impl Sink for RedisSink {
    /// One pipelined round per chunk: one result per event, its new entry id as its output.
    async fn deliver(
        &mut self,
        chunk: &Chunk,
        attempt: u32,
        _done: Done<'_>,
        _cancel: &tokio_util::sync::CancellationToken,
    ) -> Vec<RunResult> {
        let started = Instant::now();
        let written = self.write(chunk).await;
        let duration = started.elapsed();
        chunk
            .events
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (outcome, out, err) = match &written {
                    Ok(ids) => (
                        Outcome::Handled,
                        ids.get(i).cloned().unwrap_or_default(),
                        String::new(),
                    ),
                    Err(e) => (Outcome::Failed, String::new(), e.clone()),
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

    async fn finish(&mut self, _grace: Duration) {
        self.conn = None;
    }
}
