//! `consume status`: how a consumer group stands (also one of hopeit's): lag, pending entries
//! per consumer with idle times and delivery counts, the oldest pending entry, dead letters,
//! and which entries are stuck (pending longer than a threshold).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::exit::Fail;
use crate::feed::SourceError;
use crate::redis::StreamUrl;

use super::group::Group;
use super::reply::{self, now_ms, PendingEntry};

/// Most pending entries looked at one by one (per-consumer oldest idle and delivery counts);
/// the totals come from Redis and are exact whatever the size.
pub const SCAN_LIMIT: usize = 10_000;

#[derive(Debug, Serialize)]
pub struct Status {
    pub stream: String,
    pub group: String,
    /// Entries in the stream now.
    pub length: i64,
    /// Entries not yet delivered to the group (XINFO GROUPS `lag`; null when Redis cannot tell).
    pub lag: Option<i64>,
    #[serde(rename = "lastDeliveredId")]
    pub last_delivered_id: Option<String>,
    /// Entries delivered and not acknowledged.
    pub pending: i64,
    pub oldest: Option<Pending>,
    pub consumers: Vec<Consumer>,
    #[serde(rename = "deadLetterStream")]
    pub dead_key: String,
    #[serde(rename = "deadLetters")]
    pub dead_letters: i64,
    #[serde(rename = "stuckAfterMs")]
    pub stuck_after_ms: Option<u64>,
    /// Entries pending longer than `--stuck-after` (at most 100 listed).
    pub stuck: Vec<Pending>,
    /// Whether every pending entry was looked at (false past SCAN_LIMIT).
    pub complete: bool,
}

#[derive(Debug, Serialize, Clone)]
pub struct Pending {
    pub id: String,
    pub consumer: String,
    #[serde(rename = "idleMs")]
    pub idle_ms: i64,
    /// Since the entry was written (its id's time).
    #[serde(rename = "ageMs")]
    pub age_ms: Option<i64>,
    pub deliveries: i64,
}

#[derive(Debug, Serialize, Default, Clone)]
pub struct Consumer {
    pub name: String,
    pub pending: i64,
    /// Since the consumer last talked to Redis (XINFO CONSUMERS `idle`).
    #[serde(rename = "idleMs")]
    pub idle_ms: Option<i64>,
    /// The longest a pending entry of this consumer has been idle.
    #[serde(rename = "oldestIdleMs")]
    pub oldest_idle_ms: Option<i64>,
    #[serde(rename = "maxDeliveries")]
    pub max_deliveries: i64,
}

fn pending_of(p: PendingEntry) -> Pending {
    let age = reply::parse_id(&p.id).map(|(ms, _)| now_ms() - ms as i64);
    Pending {
        id: p.id,
        consumer: p.consumer,
        idle_ms: p.idle_ms,
        age_ms: age,
        deliveries: p.deliveries,
    }
}

/// Looks at `group` on `url`'s stream; `dead_key` is counted with XLEN.
pub async fn status(
    url: &StreamUrl,
    group_name: &str,
    dead_key: &str,
    stuck_after: Option<Duration>,
) -> Result<Status, StatusError> {
    let mut g = Group::connect(url, group_name, "").await?;
    let key = url.key.clone();
    let mut cmd = redis::cmd("XINFO");
    cmd.arg("GROUPS").arg(&key);
    let groups = match g.run("XINFO GROUPS", &cmd).await {
        Ok(v) => v,
        // No such key: Redis says "ERR no such key".
        Err(e) if e.message.contains("no such key") => {
            return Err(
                Fail::usage(format!("stream `{key}` does not exist on {}", url.server())).into(),
            )
        }
        Err(e) => return Err(e.into()),
    };
    let list = match &groups {
        redis::Value::Array(a) => a.clone(),
        _ => Vec::new(),
    };
    let names: Vec<String> = list
        .iter()
        .filter_map(|v| reply::field(v, "name").and_then(reply::text))
        .collect();
    let Some(info) = list
        .iter()
        .find(|v| reply::field(v, "name").and_then(reply::text).as_deref() == Some(group_name))
    else {
        return Err(Fail::usage(format!(
            "stream `{key}` has no consumer group `{group_name}`; its groups: {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ))
        .into());
    };
    let lag = reply::field(info, "lag").and_then(reply::int);
    let last_delivered_id = reply::field(info, "last-delivered-id").and_then(reply::text);
    let pending = reply::field(info, "pending")
        .and_then(reply::int)
        .unwrap_or(0);
    let length = reply::int(&g.run("XLEN", redis::cmd("XLEN").arg(&key)).await?).unwrap_or(0);
    let dead_letters =
        reply::int(&g.run("XLEN", redis::cmd("XLEN").arg(dead_key)).await?).unwrap_or(0);

    let mut consumers: BTreeMap<String, Consumer> = BTreeMap::new();
    let mut cmd = redis::cmd("XINFO");
    cmd.arg("CONSUMERS").arg(&key).arg(group_name);
    if let redis::Value::Array(list) = g.run("XINFO CONSUMERS", &cmd).await? {
        for c in &list {
            let Some(name) = reply::field(c, "name").and_then(reply::text) else {
                continue;
            };
            consumers.insert(
                name.clone(),
                Consumer {
                    name,
                    pending: reply::field(c, "pending").and_then(reply::int).unwrap_or(0),
                    idle_ms: reply::field(c, "idle").and_then(reply::int),
                    ..Consumer::default()
                },
            );
        }
    }
    let mut cmd = redis::cmd("XPENDING");
    cmd.arg(&key)
        .arg(group_name)
        .arg("-")
        .arg("+")
        .arg(SCAN_LIMIT);
    let lines = reply::pending(&g.run("XPENDING", &cmd).await?);
    let complete = (lines.len() as i64) >= pending || lines.len() < SCAN_LIMIT;
    let mut oldest: Option<Pending> = None;
    for p in &lines {
        let c = consumers
            .entry(p.consumer.clone())
            .or_insert_with(|| Consumer {
                name: p.consumer.clone(),
                ..Consumer::default()
            });
        c.oldest_idle_ms = Some(c.oldest_idle_ms.unwrap_or(0).max(p.idle_ms));
        c.max_deliveries = c.max_deliveries.max(p.deliveries);
        // The oldest pending entry is the first in id order: XPENDING lists by id.
        if oldest.is_none() {
            oldest = Some(pending_of(p.clone()));
        }
    }
    let stuck = match stuck_after {
        Some(d) => {
            let mut cmd = redis::cmd("XPENDING");
            cmd.arg(&key)
                .arg(group_name)
                .arg("IDLE")
                .arg(d.as_millis() as u64)
                .arg("-")
                .arg("+")
                .arg(100);
            reply::pending(&g.run("XPENDING", &cmd).await?)
                .into_iter()
                .map(pending_of)
                .collect()
        }
        None => Vec::new(),
    };
    Ok(Status {
        stream: key,
        group: group_name.to_string(),
        length,
        lag,
        last_delivered_id,
        pending,
        oldest,
        consumers: consumers.into_values().collect(),
        dead_key: dead_key.to_string(),
        dead_letters,
        stuck_after_ms: stuck_after.map(|d| d.as_millis() as u64),
        stuck,
        complete,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error(transparent)]
    Redis(#[from] SourceError),
    #[error(transparent)]
    Refused(#[from] Fail),
}
