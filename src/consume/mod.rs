//! Handler workers on a Redis consumer group (DESIGN §9): many `feedctl consume` processes,
//! on as many machines, share one stream through one group; each entry goes to one worker,
//! whose handler is run by the replay engine's sinks (`replay::sink`, the §6 contract).
//!
//! What this folder gets right is recovery: an entry is acknowledged only after its handler
//! exited 0 ([`worker`]); exit 75 leaves it pending and it comes again after the re-queue delay;
//! failures come again until `--max-deliveries` (the PEL's delivery count), then go to a
//! dead-letter stream and only then are acknowledged; entries of workers that died are taken
//! over (XAUTOCLAIM). [`status`] shows a group (also hopeit's), [`requeue`] puts dead letters
//! back. Knows Redis and the sinks, not terminals or the command line: notices go to a
//! [`Notify`], settings come as [`Options`].

pub mod dead;
pub mod group;
pub mod journal;
pub mod reply;
pub mod requeue;
pub mod status;
pub mod worker;

use std::time::Duration;

use crate::redis::StreamUrl;
use crate::replay::sink::SinkKind;
use crate::replay::RunSettings;

/// A worker's settings, resolved from the flags.
#[derive(Debug, Clone)]
pub struct Options {
    pub url: StreamUrl,
    pub group: String,
    pub consumer: String,
    /// Where dead letters go (`KEY:dead` by default).
    pub dead_key: String,
    pub sink: SinkKind,
    pub handler: RunSettings,
    pub sequential: bool,
    /// Most entries taken per read: the chunk handed to the handler sink.
    pub batch: usize,
    pub requeue_delay: Duration,
    /// Wait before a failed entry is delivered again.
    pub retry_delay: Duration,
    pub max_deliveries: u32,
    pub claim_idle: Duration,
    pub count: Option<u64>,
    pub duration: Option<Duration>,
    pub exit_when_idle: Option<Duration>,
}

/// Where a worker reports what a human should know.
pub trait Notify: Sync {
    /// Something that happened (an entry dead-lettered, entries taken over).
    fn notice(&self, text: &str);
    /// Something the human must see even when notices are quiet (the signal and the grace).
    fn alert(&self, text: &str);
}
