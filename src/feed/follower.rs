//! The read loop. Errors are handled as the official kits do (notes §6.2): 401 → log in again
//! and repeat the read with the same ackId (inside `Client::call`); 400 → the feed is gone, make
//! a new one and start from an empty ackId; 403 → stop; 429, 5xx, network trouble, cut or
//! garbled bodies, reads that hang → back off and read again.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::{DatafeedVersion, Retry};
use crate::symphony::datafeed::is_fanout_id;
use crate::symphony::{ApiError, Client, Event};

use super::Backoff;

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

#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub version: DatafeedVersion,
    pub choice: FeedChoice,
    /// A read with no complete answer after this long is abandoned and issued again.
    pub read_timeout: Duration,
    pub retry: Retry,
    pub include_invisible: bool,
    /// Tag for feeds feedctl creates (its own, and replacements of a feed that is gone).
    pub tag: String,
}

/// Something the user should hear about while following.
#[derive(Debug, Clone)]
pub enum Notice {
    FeedCreated {
        id: String,
    },
    FeedReused {
        id: String,
    },
    FeedAttached {
        id: String,
    },
    /// The feed was gone (400); a new one replaces it and events in between may be lost.
    FeedRecreated {
        old: String,
        new: String,
    },
    Reauthenticated,
    Retry {
        reason: String,
        wait: Duration,
        attempt: u32,
    },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::FeedCreated { id } => write!(f, "created datafeed {id}"),
            Notice::FeedReused { id } => write!(f, "reusing datafeed {id}"),
            Notice::FeedAttached { id } => write!(f, "reading datafeed {id}"),
            Notice::FeedRecreated { old, new } => write!(
                f,
                "datafeed {old} is gone (HTTP 400: expired or deleted); created {new} and started from an empty ackId; events in between may be lost"
            ),
            Notice::Reauthenticated => write!(f, "session rejected (HTTP 401): authenticated again and repeated the read"),
            Notice::Retry { reason, wait, attempt } => write!(
                f,
                "{reason}; retrying in {:.1}s (attempt {})",
                wait.as_secs_f64(),
                attempt + 1
            ),
        }
    }
}

/// One delivery exactly as received.
#[derive(Debug)]
pub struct Chunk {
    pub feed_id: String,
    /// 1 for the first chunk with events in this run.
    pub number: u64,
    pub ack_sent: String,
    /// The cursor that acknowledges this chunk on the next read (v2).
    pub ack_received: Option<String>,
    pub events: Vec<Event>,
    pub body: Vec<u8>,
    /// Milliseconds since the epoch.
    pub received_at: i64,
    pub latency: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the datafeed service refused the read with HTTP 403 ({message}): this bot has too many active datafeeds (Symphony allows 20); list them with `feedctl datafeed list` and remove unused ones with `feedctl datafeed delete ID`")]
    TooManyFeeds { message: String },
    #[error("gave up after {attempts} attempts (datafeed.retry.maxAttempts): {last}")]
    Exhausted { attempts: u32, last: ApiError },
    #[error(transparent)]
    Api(#[from] ApiError),
}

pub struct Follower<'c> {
    client: &'c Client,
    opts: FollowOptions,
    feed_id: Option<String>,
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

impl<'c> Follower<'c> {
    pub fn new(client: &'c Client, opts: FollowOptions) -> Self {
        let backoff = Backoff::new(opts.retry.clone());
        let (feed_id, ack_id) = match &opts.choice {
            FeedChoice::Resume { id, ack_id } => (Some(id.clone()), ack_id.clone()),
            _ => (None, String::new()),
        };
        Follower {
            client,
            opts,
            feed_id,
            ack_id,
            chunks: 0,
            backoff,
            relogins_seen: client.relogins(),
        }
    }

    pub fn feed_id(&self) -> Option<&str> {
        self.feed_id.as_deref()
    }

    /// The cursor the next read will send.
    pub fn ack_id(&self) -> &str {
        &self.ack_id
    }

    /// Waits after a transient failure, or gives up when the retry budget is spent.
    async fn back_off(
        &mut self,
        e: ApiError,
        notify: &mut impl FnMut(Notice),
    ) -> Result<(), FeedError> {
        match self.backoff.next_wait(e.retry_after()) {
            Some(wait) => {
                let reason = crate::output::clip(&e.to_string(), 240);
                notify(Notice::Retry {
                    reason,
                    wait,
                    attempt: self.backoff.failures(),
                });
                tokio::time::sleep(wait).await;
                Ok(())
            }
            None => Err(FeedError::Exhausted {
                attempts: self.backoff.failures(),
                last: e,
            }),
        }
    }

    /// Finds or creates the feed to read.
    async fn open(&mut self, notify: &mut impl FnMut(Notice)) -> Result<(), FeedError> {
        loop {
            let result = match (&self.opts.choice, self.opts.version) {
                (FeedChoice::Given(id), _) | (FeedChoice::Resume { id, .. }, _) => {
                    self.feed_id = Some(id.clone());
                    notify(Notice::FeedAttached { id: id.clone() });
                    return Ok(());
                }
                (FeedChoice::Own { .. }, DatafeedVersion::V2) => {
                    self.own_v2(self.opts.tag.clone(), notify).await
                }
                (FeedChoice::Own { .. }, DatafeedVersion::V1) => {
                    self.client.create_datafeed_v1().await.map(|id| {
                        notify(Notice::FeedCreated { id: id.clone() });
                        id
                    })
                }
            };
            match result {
                Ok(id) => {
                    self.backoff.reset();
                    self.feed_id = Some(id);
                    self.ack_id.clear();
                    return Ok(());
                }
                Err(e) if e.is_transient() => self.back_off(e, notify).await?,
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn own_v2(
        &self,
        tag: String,
        notify: &mut impl FnMut(Notice),
    ) -> Result<String, ApiError> {
        let existing = self.client.list_datafeeds(Some(&tag)).await?;
        if let Some(f) = existing.into_iter().find(|f| is_fanout_id(&f.id)) {
            notify(Notice::FeedReused { id: f.id.clone() });
            return Ok(f.id);
        }
        let f = self
            .client
            .create_datafeed(Some(&tag), self.opts.include_invisible)
            .await?;
        notify(Notice::FeedCreated { id: f.id.clone() });
        Ok(f.id)
    }

    /// A replacement for a feed the server says is gone (400), as the kits make one.
    async fn recreate(&mut self, notify: &mut impl FnMut(Notice)) -> Result<(), FeedError> {
        let old = self.feed_id.take().unwrap_or_default();
        if self.opts.version == DatafeedVersion::V2 {
            // The kits delete the stale feed first; a 400 here only confirms it is gone.
            let _ = self.client.delete_datafeed(&old).await;
        }
        let tag = self.opts.tag.clone();
        loop {
            let result = match self.opts.version {
                DatafeedVersion::V2 => self
                    .client
                    .create_datafeed(Some(&tag), self.opts.include_invisible)
                    .await
                    .map(|f| f.id),
                DatafeedVersion::V1 => self.client.create_datafeed_v1().await,
            };
            match result {
                Ok(new) => {
                    notify(Notice::FeedRecreated {
                        old,
                        new: new.clone(),
                    });
                    self.feed_id = Some(new);
                    self.ack_id.clear();
                    // A replacement is feedctl's own now, so it is cleaned up like one.
                    if !matches!(self.opts.choice, FeedChoice::Own { .. }) {
                        self.opts.choice = FeedChoice::Own { keep: true };
                    }
                    return Ok(());
                }
                Err(e) if e.is_transient() => self.back_off(e, notify).await?,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Reads until a chunk with events arrives. The ackId of the previous chunk is sent with
    /// this read, so call it only once the previous chunk is safely handled.
    pub async fn next_chunk(
        &mut self,
        notify: &mut impl FnMut(Notice),
    ) -> Result<Chunk, FeedError> {
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
                        .read_datafeed(&id, &sent, self.opts.read_timeout)
                        .await
                }
                DatafeedVersion::V1 => {
                    self.client
                        .read_datafeed_v1(&id, self.opts.read_timeout)
                        .await
                }
            };
            let relogins = self.client.relogins();
            if relogins > self.relogins_seen {
                self.relogins_seen = relogins;
                notify(Notice::Reauthenticated);
            }
            match result {
                Ok(read) => {
                    self.backoff.reset();
                    if let Some(ack) = &read.ack_id {
                        self.ack_id = ack.clone();
                    }
                    if read.events.is_empty() {
                        continue;
                    }
                    self.chunks += 1;
                    return Ok(Chunk {
                        feed_id: id,
                        number: self.chunks,
                        ack_sent: sent,
                        ack_received: read.ack_id,
                        events: read.events,
                        body: read.body,
                        received_at: now_millis(),
                        latency: started.elapsed(),
                    });
                }
                Err(e) if e.status() == Some(400) => self.recreate(notify).await?,
                Err(e) if e.status() == Some(403) => {
                    let message = match &e {
                        ApiError::Status { message, .. } => message.clone().unwrap_or_default(),
                        _ => String::new(),
                    };
                    return Err(FeedError::TooManyFeeds { message });
                }
                Err(e) if e.is_transient() => self.back_off(e, notify).await?,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Deletes the feed if it is feedctl's own and not to be kept (v2 only: v1 has no delete).
    pub async fn close(&mut self) -> Option<String> {
        let keep = match &self.opts.choice {
            FeedChoice::Own { keep, .. } => *keep,
            _ => true,
        };
        if keep || self.opts.version != DatafeedVersion::V2 {
            return None;
        }
        let id = self.feed_id.take()?;
        match tokio::time::timeout(Duration::from_secs(3), self.client.delete_datafeed(&id)).await {
            Ok(Ok(())) | Ok(Err(ApiError::Status { status: 400, .. })) => Some(id),
            _ => {
                tracing::warn!(
                    "could not delete datafeed {id}; remove it with `feedctl datafeed delete {id}`"
                );
                None
            }
        }
    }
}

/// The tag of feedctl's own feeds, so a later run finds and reuses its feed.
pub const DEFAULT_TAG: &str = "feedctl";
