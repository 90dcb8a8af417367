//! Symphony's datafeed as a [`Source`]: the read loop with the kits' error handling (DESIGN §4,
//! notes §6.2). 401 → log in again (inside `Client::call_with`), wait the retry interval and
//! repeat the read with the same ackId, as often as `datafeed.retry` allows; 400 → the feed is
//! gone, make a new one (v2: from an empty ackId), record a gap, wait the retry interval;
//! 403 → stop; 429, 5xx, network trouble, cut or garbled bodies, reads that hang → back off and
//! read again. The partition is called `datafeed` whatever the feed's id, since a recreated feed
//! continues the same partition; the feed id lives in the cursor.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::config::{DatafeedVersion, Retry};
use crate::feed::{
    Backoff, Chunk, Columns, Committed, Cursor, ErrorClass, FeedEvent, Notice, Source, SourceError,
};

use super::client::On401;
use super::datafeed::is_fanout_id;
use super::{ApiError, Client, Event};

/// The partition name of a Symphony recording.
pub const PARTITION: &str = "datafeed";

/// Whose datafeed feedctl makes: the one place that decides the tags of feedctl's own feeds, so
/// a `tail` never finds (and deletes) a feed that a `record` keeps.
#[derive(Debug, Clone)]
pub enum FeedOwner<'a> {
    Tail,
    Recording(&'a str),
}

impl FeedOwner<'_> {
    /// The tag of this owner's feed: the user's `--tag`, else `feedctl` for tail and
    /// `feedctl-record-NAME` for a recording (stable per name, so a restart finds the same feed).
    pub fn tag(&self, given: Option<&str>) -> String {
        match (given, self) {
            (Some(t), _) => t.to_string(),
            (None, FeedOwner::Tail) => "feedctl".to_string(),
            (None, FeedOwner::Recording(name)) => {
                format!("feedctl-record-{name}").chars().take(100).collect()
            }
        }
    }
}

/// Which feed to read.
#[derive(Debug, Clone)]
pub enum FeedChoice {
    /// A feed of feedctl's own, found by the options' tag (created if missing), deleted at the end unless `keep`.
    Own { keep: bool },
    /// A given feed, shared knowingly with its other readers.
    Given(String),
    /// Continue a feed from a stored cursor (record's marker).
    Resume { id: String, ack_id: String },
}

impl FeedChoice {
    /// Resumes from a cursor the journal stored for [`PARTITION`]; `None` if it names no feed.
    pub fn from_cursor(cursor: &Cursor) -> Option<Self> {
        let id = cursor.text("feedId").filter(|id| !id.is_empty())?;
        Some(FeedChoice::Resume {
            id: id.to_string(),
            ack_id: cursor.text("ackId").unwrap_or("").to_string(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub version: DatafeedVersion,
    /// DF v1: the file that keeps the id of feedctl's own feed between runs (`<id>@`, the kits'
    /// format), read before creating one and rewritten when a feed is (re)created.
    pub id_file: Option<std::path::PathBuf>,
    pub choice: FeedChoice,
    /// A read with no complete answer after this long is abandoned and issued again.
    pub read_timeout: Duration,
    pub retry: Retry,
    pub include_invisible: bool,
    /// Tag for feeds feedctl creates (its own, and replacements of a feed that is gone).
    pub tag: String,
    /// Stop at the first read that comes back empty: the backlog is read (`--exit-at-end`).
    pub exit_at_end: bool,
}

/// A datafeed chunk's acknowledgement: the ackId its read returned (v2; none for v1), sent with
/// the next read once the chunk is kept; with the feed and the ackId the read sent, which the
/// journal keeps in the chunk's own columns.
#[derive(Debug)]
pub struct DatafeedAck {
    pub feed_id: String,
    pub sent: String,
    pub received: Option<String>,
}

impl crate::feed::Ack for DatafeedAck {
    fn journal_columns(&self) -> crate::feed::AckColumns<'_> {
        crate::feed::AckColumns {
            feed_id: Some(&self.feed_id),
            ack_sent: Some(&self.sent),
            ack_received: self.received.as_deref(),
        }
    }
}

impl FeedEvent for Event {
    const SOURCE: &'static str = "symphony";

    fn raw(&self) -> &[u8] {
        Event::raw(self).as_bytes()
    }

    fn columns(&self) -> Columns<'_> {
        Columns {
            event_id: self.id(),
            event_type: (!self.event_type().is_empty()).then(|| self.event_type()),
            timestamp: self.timestamp(),
            stream_id: self.stream_id(),
            initiator_id: self.initiator_id(),
            message_id: self.message_id(),
        }
    }

    fn dedupe_key(&self) -> String {
        Event::dedupe_key(self)
    }
}

/// A datafeed followed through every fault, as the kits follow it.
pub struct DatafeedSource<'c> {
    client: &'c Client,
    opts: FollowOptions,
    feed_id: Option<String>,
    /// The cursor of the last committed chunk: what the next read sends.
    ack_id: String,
    chunks: u64,
    backoff: Backoff,
    relogins_seen: u64,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl<'c> DatafeedSource<'c> {
    pub fn new(client: &'c Client, opts: FollowOptions) -> Self {
        let backoff = Backoff::new(opts.retry.clone());
        let (feed_id, ack_id) = match &opts.choice {
            FeedChoice::Resume { id, ack_id } => (Some(id.clone()), ack_id.clone()),
            _ => (None, String::new()),
        };
        DatafeedSource {
            client,
            opts,
            feed_id,
            ack_id,
            chunks: 0,
            backoff,
            relogins_seen: client.relogins(),
        }
    }

    fn cursor(&self, id: &str, ack: &str) -> Cursor {
        Cursor::new(match self.opts.version {
            DatafeedVersion::V2 => json!({"feedId": id, "ackId": ack}),
            DatafeedVersion::V1 => json!({"feedId": id}),
        })
    }

    /// Waits after a transient failure, or gives up when the retry budget is spent.
    async fn back_off(
        &mut self,
        e: ApiError,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<(), SourceError> {
        match self.backoff.next_wait(e.retry_after()) {
            Some(wait) => {
                let reason = crate::text::clip(&e.to_string(), 240);
                notify(Notice::Retry {
                    reason,
                    wait,
                    attempt: self.backoff.failures(),
                });
                tokio::time::sleep(wait).await;
                Ok(())
            }
            None => Err(SourceError::new(
                // A session the pod keeps rejecting right after fresh logins is an auth failure.
                if matches!(e, ApiError::Status { status: 401, .. }) {
                    ErrorClass::Auth
                } else {
                    ErrorClass::Transient
                },
                format!(
                    "gave up after {} attempts (datafeed.retry.maxAttempts): {e}",
                    self.backoff.failures()
                ),
            )),
        }
    }

    /// Finds or creates the feed to read.
    async fn open(&mut self, notify: &mut dyn FnMut(Notice)) -> Result<(), SourceError> {
        loop {
            let result = match (&self.opts.choice, self.opts.version) {
                (FeedChoice::Given(id), _) | (FeedChoice::Resume { id, .. }, _) => {
                    self.feed_id = Some(id.clone());
                    notify(Notice::Attached {
                        text: format!("reading datafeed {id}"),
                    });
                    return Ok(());
                }
                (FeedChoice::Own { .. }, DatafeedVersion::V2) => self.own_v2(notify).await,
                (FeedChoice::Own { .. }, DatafeedVersion::V1) => match self.stored_v1_id() {
                    Some(id) => Ok((id, "reusing")),
                    None => self.client.create_datafeed_v1().await.map(|id| {
                        self.store_v1_id(&id, notify);
                        (id, "created")
                    }),
                },
            };
            match result {
                Ok((id, how)) => {
                    self.backoff.reset();
                    let text = match (&self.opts.id_file, self.opts.version) {
                        (Some(file), DatafeedVersion::V1) => {
                            format!("{how} datafeed {id} (id kept in {})", file.display())
                        }
                        _ => format!("{how} datafeed {id}"),
                    };
                    notify(Notice::Opened {
                        partition: PARTITION.into(),
                        cursor: self.cursor(&id, ""),
                        text,
                    });
                    self.feed_id = Some(id);
                    self.ack_id.clear();
                    return Ok(());
                }
                Err(e) if e.is_transient() => self.back_off(e, notify).await?,
                Err(e) => return Err(classify(e)),
            }
        }
    }

    /// The v1 feed id kept in the id file, if there is one (`<id>@<agent>`, or a bare id).
    fn stored_v1_id(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.opts.id_file.as_ref()?).ok()?;
        let id = text.trim().split('@').next().unwrap_or("").trim();
        (!id.is_empty()).then(|| id.to_string())
    }

    /// Keeps a new v1 feed id for the next run; a file that cannot be written costs only that.
    fn store_v1_id(&self, id: &str, notify: &mut dyn FnMut(Notice)) {
        let Some(path) = &self.opts.id_file else {
            return;
        };
        let written = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, format!("{id}@")));
        if let Err(e) = written {
            notify(Notice::Info {
                text: format!(
                    "could not keep the v1 feed id in {} ({e}): the next run creates a new feed",
                    path.display()
                ),
            });
        }
    }

    /// feedctl's own v2 feed: the one with the options' tag, else a new one.
    async fn own_v2(
        &self,
        _notify: &mut dyn FnMut(Notice),
    ) -> Result<(String, &'static str), ApiError> {
        let tag = &self.opts.tag;
        let existing = self.client.list_datafeeds(Some(tag)).await?;
        if let Some(f) = existing.into_iter().find(|f| is_fanout_id(&f.id)) {
            return Ok((f.id, "reusing"));
        }
        let f = self
            .client
            .create_datafeed(Some(tag), self.opts.include_invisible)
            .await?;
        Ok((f.id, "created"))
    }

    /// A replacement for a feed the server says is gone (400), as the kits make one.
    async fn recreate(&mut self, notify: &mut dyn FnMut(Notice)) -> Result<(), SourceError> {
        let old = self.feed_id.take().unwrap_or_default();
        if self.opts.version == DatafeedVersion::V2 {
            // The kits delete the stale feed first; a 400 here only confirms it is gone.
            let _ = self.client.delete_datafeed(&old).await;
        }
        loop {
            let result = match self.opts.version {
                DatafeedVersion::V2 => self
                    .client
                    .create_datafeed(Some(&self.opts.tag), self.opts.include_invisible)
                    .await
                    .map(|f| f.id),
                DatafeedVersion::V1 => self.client.create_datafeed_v1().await,
            };
            match result {
                Ok(new) => {
                    let text = match self.opts.version {
                        DatafeedVersion::V2 => format!(
                            "datafeed {old} is gone (HTTP 400: expired or deleted); created {new} and started from an empty ackId; events in between may be lost"
                        ),
                        DatafeedVersion::V1 => format!(
                            "datafeed {old} is gone (HTTP 400: expired or deleted); created {new} and read on from it; events in between may be lost"
                        ),
                    };
                    if self.opts.version == DatafeedVersion::V1 {
                        self.store_v1_id(&new, notify);
                    }
                    notify(Notice::Gap {
                        partition: PARTITION.into(),
                        cursor: self.cursor(&new, ""),
                        replaced: Some((old.clone(), new.clone())),
                        reason: "the feed was gone (HTTP 400): events in between may be lost"
                            .into(),
                        // A new feed starts empty: nothing says what the old one still held.
                        lost: None,
                        text,
                    });
                    self.feed_id = Some(new);
                    self.ack_id.clear();
                    // A replacement is feedctl's own now; a given feed's replacement is kept,
                    // since its user did not ask feedctl to clean up.
                    if !matches!(self.opts.choice, FeedChoice::Own { .. }) {
                        self.opts.choice = FeedChoice::Own { keep: true };
                    }
                    return Ok(());
                }
                Err(e) if e.is_transient() => self.back_off(e, notify).await?,
                Err(e) => return Err(classify(e)),
            }
        }
    }
}

/// Maps the wire's errors onto the neutral classes.
fn classify(e: ApiError) -> SourceError {
    let class = match &e {
        ApiError::AuthRejected { .. } => ErrorClass::Auth,
        ApiError::Local(_) => ErrorClass::Local,
        _ if e.is_transient() => ErrorClass::Transient,
        _ => ErrorClass::Refused,
    };
    // The whole chain, as the error printer would show it: the wire's causes say what broke.
    let mut message = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    SourceError::new(class, message)
}

impl Source for DatafeedSource<'_> {
    type Event = Event;
    /// DF v2: the ackId that acknowledges the chunk on the next read; v1 has none.
    type Ack = DatafeedAck;

    async fn next_chunk(
        &mut self,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Event, DatafeedAck>>, SourceError> {
        loop {
            if self.feed_id.is_none() {
                self.open(notify).await?;
            }
            let id = self.feed_id.clone().unwrap_or_default();
            let sent = self.ack_id.clone();
            let started = Instant::now();
            let result = match self.opts.version {
                DatafeedVersion::V2 => {
                    self.client
                        .read_datafeed_with(On401::Refresh, &id, &sent, self.opts.read_timeout)
                        .await
                }
                DatafeedVersion::V1 => {
                    self.client
                        .read_datafeed_v1_with(On401::Refresh, &id, self.opts.read_timeout)
                        .await
                }
            };
            let relogins = self.client.relogins();
            if relogins > self.relogins_seen {
                self.relogins_seen = relogins;
                notify(Notice::Reauthenticated {
                    text: "session rejected (HTTP 401): authenticated again; the read is repeated after the retry wait"
                        .into(),
                });
            }
            match result {
                Ok(read) => {
                    self.backoff.reset();
                    if read.events.is_empty() {
                        // Nothing to keep, so nothing is lost by moving on at once.
                        if let Some(ack) = read.ack_id {
                            self.ack_id = ack;
                        }
                        if self.opts.exit_at_end {
                            // `--exit-at-end`: a read came back empty, the feed has nothing more.
                            return Ok(None);
                        }
                        continue;
                    }
                    self.chunks += 1;
                    let after = read.ack_id.clone().unwrap_or_else(|| sent.clone());
                    let chunk = Chunk::new(
                        PARTITION.into(),
                        self.chunks,
                        self.cursor(&id, &sent),
                        self.cursor(&id, &after),
                        read.events,
                        read.body,
                        now_millis(),
                        started.elapsed(),
                        DatafeedAck {
                            feed_id: id,
                            sent,
                            received: read.ack_id,
                        },
                    );
                    return Ok(Some(chunk));
                }
                Err(e) if e.status() == Some(400) => {
                    self.recreate(notify).await?;
                    // As the kits do: the 400 was a failed attempt, the new feed is read after
                    // the retry wait.
                    self.back_off(e, notify).await?
                }
                // The client logged in again already; the read is repeated after the wait.
                Err(e @ ApiError::Status { status: 401, .. }) => self.back_off(e, notify).await?,
                Err(e) if e.status() == Some(403) => {
                    let message = match &e {
                        ApiError::Status { message, .. } => message.clone().unwrap_or_default(),
                        _ => String::new(),
                    };
                    return Err(SourceError::new(ErrorClass::Refused, format!(
                        "the datafeed service refused the read with HTTP 403 ({message}): this bot has too many active datafeeds (Symphony allows 20); list them with `feedctl datafeed list` and remove unused ones with `feedctl datafeed delete ID`"
                    )));
                }
                Err(e) if e.is_transient() => self.back_off(e, notify).await?,
                Err(e) => return Err(classify(e)),
            }
        }
    }

    async fn commit(&mut self, done: Committed<DatafeedAck>) -> Result<(), SourceError> {
        // DF v2 acknowledges with the next read, which sends this ackId.
        if let Some(ack) = done.into_ack().received {
            self.ack_id = ack;
        }
        Ok(())
    }

    /// Deletes the feed if it is feedctl's own and not to be kept (v2 only: v1 has no delete).
    async fn close(&mut self, notify: &mut dyn FnMut(Notice)) {
        let keep = match &self.opts.choice {
            FeedChoice::Own { keep, .. } => *keep,
            _ => true,
        };
        if keep || self.opts.version != DatafeedVersion::V2 {
            return;
        }
        let Some(id) = self.feed_id.take() else {
            return;
        };
        match tokio::time::timeout(Duration::from_secs(3), self.client.delete_datafeed(&id)).await {
            Ok(Ok(())) | Ok(Err(ApiError::Status { status: 400, .. })) => notify(Notice::Info {
                text: format!("deleted datafeed {id}"),
            }),
            _ => tracing::warn!(
                "could not delete datafeed {id}; remove it with `feedctl datafeed delete {id}`"
            ),
        }
    }
}
