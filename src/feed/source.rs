//! What a source is to the rest of feedctl: chunks with cursors, notices, neutral errors.

use std::time::Duration;

use serde_json::Value;

/// Where a partition stands, opaque to all but its source; stored as JSON in the journal
/// (chunks' cursor before/after, markers). DF v2: `{"feedId":"..","ackId":".."}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cursor(Value);

impl Cursor {
    pub fn new(value: Value) -> Self {
        Cursor(value)
    }

    /// The cursor as stored in the journal.
    pub fn to_json(&self) -> String {
        self.0.to_string()
    }

    /// A cursor read back from the journal.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text).map(Cursor)
    }

    /// A text field of the cursor (`feedId`, `ackId`, ...), for the source that made it.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    pub fn value(&self) -> &Value {
        &self.0
    }
}

/// The neutral indexed columns of an event (DESIGN §4a), plus Symphony's own, borrowed from it.
#[derive(Debug, Clone, Default)]
pub struct Columns<'a> {
    pub event_id: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub timestamp: Option<i64>,
    pub stream_id: Option<&'a str>,
    pub initiator_id: Option<i64>,
    pub message_id: Option<&'a str>,
}

/// One event of a chunk, as the journal and the loop see it.
pub trait FeedEvent {
    /// The kind of source, as envelopes and recordings name it (`symphony`, `redis`, …).
    const SOURCE: &'static str;

    /// The exact bytes received.
    fn raw(&self) -> &[u8];
    fn columns(&self) -> Columns<'_>;
    /// What makes two deliveries the same event (DESIGN §5).
    fn dedupe_key(&self) -> String;
}

/// One delivery exactly as received: the unit of ack, of storage and of replay.
#[derive(Debug)]
pub struct Chunk<E, A> {
    pub partition: String,
    /// 1 for the first chunk with events in this run.
    pub number: u64,
    pub cursor_before: Cursor,
    /// Where the partition stands once this chunk is committed: the journal's new marker.
    pub cursor_after: Cursor,
    pub events: Vec<E>,
    /// The body of the delivery exactly as received; empty when the events' raw bytes are the
    /// delivery (Redis: each entry's stored JSON), so a large entry is not held twice.
    pub body: Vec<u8>,
    /// Bytes of the delivery (the journal's `chunks.size`): the body's length, or what the
    /// events' bytes add up to when the body is not kept.
    pub size: usize,
    /// Milliseconds since the epoch.
    pub received_at: i64,
    pub latency: Duration,
    /// What the source needs to acknowledge the chunk; only the follow loop takes it out.
    pub(super) ack: A,
}

impl<E, A: Ack> Chunk<E, A> {
    /// What the acknowledgement gives the journal's columns of the chunk.
    pub fn ack_columns(&self) -> AckColumns<'_> {
        self.ack.journal_columns()
    }
}

impl<E, A> Chunk<E, A> {
    /// A chunk as a source delivers it; `ack` goes back to the source only as a [`Committed`].
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        partition: String,
        number: u64,
        cursor_before: Cursor,
        cursor_after: Cursor,
        events: Vec<E>,
        body: Vec<u8>,
        received_at: i64,
        latency: Duration,
        ack: A,
    ) -> Self {
        Chunk {
            partition,
            number,
            cursor_before,
            cursor_after,
            events,
            size: body.len(),
            body,
            received_at,
            latency,
            ack,
        }
    }
}

/// What a source's acknowledgement gives the journal's columns of its chunk beyond the cursors
/// (the journal has columns for a feed and the ackIds sent and received, which only Symphony's
/// acknowledgement fills); by default nothing.
pub trait Ack {
    fn journal_columns(&self) -> AckColumns<'_> {
        AckColumns::default()
    }
}

/// See [`Ack::journal_columns`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AckColumns<'a> {
    pub feed_id: Option<&'a str>,
    pub ack_sent: Option<&'a str>,
    pub ack_received: Option<&'a str>,
}

/// Nothing to acknowledge (Salesforce: its marker is in the journal).
impl Ack for () {}

/// Entry ids to acknowledge (Redis `XACK`).
impl Ack for Vec<String> {}

/// A chunk's acknowledgement after its keeper kept it. Made only by [`super::follow`], so a
/// source cannot be acknowledged before the journal committed.
#[derive(Debug)]
pub struct Committed<A> {
    ack: A,
    partition: String,
    cursor: Cursor,
}

impl<A> Committed<A> {
    pub(super) fn after_keeping<E>(chunk: Chunk<E, A>) -> Self {
        Committed {
            ack: chunk.ack,
            partition: chunk.partition,
            cursor: chunk.cursor_after,
        }
    }

    pub fn ack(&self) -> &A {
        &self.ack
    }

    pub fn into_ack(self) -> A {
        self.ack
    }

    pub fn partition(&self) -> &str {
        &self.partition
    }

    pub fn cursor(&self) -> &Cursor {
        &self.cursor
    }
}

/// Something the user should hear about while following; some of it the journal keeps too.
#[derive(Debug, Clone)]
pub enum Notice {
    /// A partition of feedctl's own was made or found (a datafeed created or reused): the
    /// journal stores its cursor as the marker, so a restart before the first chunk finds it.
    Opened {
        partition: String,
        cursor: Cursor,
        text: String,
    },
    /// A given partition is read as it is.
    Attached { text: String },
    /// The session was renewed and the read repeated.
    Reauthenticated { text: String },
    /// A transient failure; the source waits and tries again.
    Retry {
        reason: String,
        wait: Duration,
        attempt: u32,
    },
    /// The partition's cursor was lost (a feed gone, a stream trimmed, a replay id expired):
    /// it restarts from `cursor`, and events in between may be lost. The journal records a gap.
    Gap {
        partition: String,
        cursor: Cursor,
        /// What was replaced by what (old and new feed id), where the source has such a thing.
        replaced: Option<(String, String)>,
        /// Stored with the gap.
        reason: String,
        /// How many events the source counted as lost, where it can count them (the journal's
        /// `gaps.lost`); `None` when it cannot know. For Redis, an upper bound (docs/journal.md).
        lost: Option<u64>,
        /// Shown to the user.
        text: String,
    },
    /// Something else worth a line on stderr (a feed deleted on exit).
    Info { text: String },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Opened { text, .. }
            | Notice::Attached { text }
            | Notice::Reauthenticated { text }
            | Notice::Gap { text, .. }
            | Notice::Info { text } => f.write_str(text),
            Notice::Retry {
                reason,
                wait,
                attempt,
            } => write!(
                f,
                "{reason}; retrying in {:.1}s (attempt {})",
                wait.as_secs_f64(),
                attempt + 1
            ),
        }
    }
}

/// The classes of failure every source maps its errors onto (DESIGN §4a); `exit.rs` maps them
/// onto exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Retries were used up on something that may pass (network, 5xx, LOADING).
    Transient,
    /// The credentials were refused, even after a fresh login.
    Auth,
    /// The cursor is gone and no fallback applies.
    Gone,
    /// The server refused for good (too many feeds, unknown channel).
    Refused,
    /// Something on this machine: a bad setting, a key that cannot be read, a wrong key type.
    Local,
}

/// A source's failure, with its class and a message that says what to do.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    pub class: ErrorClass,
    pub message: String,
}

impl SourceError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        SourceError {
            class,
            message: message.into(),
        }
    }
}

/// A feed of events with cursors. Sources run on the caller's task (the follow loop is never
/// spawned), so their futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Source {
    type Event: FeedEvent;
    /// What acknowledges a chunk: DF v2 the ackId for the next read, Redis the entry ids.
    type Ack: Ack;

    /// Reads until a chunk with events arrives, retrying transient failures with backoff and
    /// announcing them through `notify`; `None` when the source read all there was (asked to
    /// stop there: `--exit-at-end`). Dropping the future abandons the read.
    async fn next_chunk(
        &mut self,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Self::Event, Self::Ack>>, SourceError>;

    /// Acknowledges a chunk the keeper kept: DF v2 sends the ackId with the next read, a
    /// Redis group `XACK`s its entries, Salesforce does nothing (its marker is in the journal).
    async fn commit(&mut self, done: Committed<Self::Ack>) -> Result<(), SourceError>;

    /// Releases what the source made for itself (feedctl's own datafeed, unless kept).
    async fn close(&mut self, notify: &mut dyn FnMut(Notice));
}
