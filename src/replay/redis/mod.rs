//! `replay --to redis://host/KEY` (DESIGN §4b): each chunk written as pipelined slices of
//! `XADD`s on one connection ([`crate::redis::conn`]). Entries recorded from
//! Redis keep their original fields; any event can be written in hopeit.engine's layout. Every
//! selected event is checked before the first write, because one bad entry stalls a hopeit
//! consumer.
//!
//! - [`entry`]: what an event becomes (its XADD, or why it cannot be written);
//! - [`check`]: the check of every selected event before the first write;
//! - [`sink`]: the XADDs, pipelined.

mod check;
mod entry;
mod sink;
mod spill;

pub use check::{preflight, SHOWN};
pub use sink::RedisSink;
pub use spill::Spill;

use std::sync::Arc;

use crate::redis::hopeit::Encoding;
use crate::redis::schema::PayloadSchema;
use crate::redis::StreamUrl;

use super::Delivery;

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
