//! Salesforce channels as a `feed::Source`: log in, handshake, subscribe from the markers, and
//! long-poll `/meta/connect`; each reply's events become one chunk per channel. The marker of a
//! channel is its last event's replayId + createdDate, never moved back by an older event.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::auth::{login, Credentials, LoginError, Session};
use super::bayeux::{Bayeux, Incoming, WireError};
use super::message::Message;
use super::{INVALID_REPLAY_PREFIX, REPLAY_ALL, REPLAY_NEW};
use crate::config::Retry;
use crate::feed::{Backoff, Chunk, Committed, Cursor, ErrorClass, Notice, Source, SourceError};

/// `--replay`: where a channel with no marker starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayStart {
    New,
    All,
    /// After this replay id.
    After(i64),
}

impl ReplayStart {
    pub fn value(self) -> i64 {
        match self {
            ReplayStart::New => REPLAY_NEW,
            ReplayStart::All => REPLAY_ALL,
            ReplayStart::After(id) => id,
        }
    }
}

/// `--replay-fallback`: what to subscribe with when a replay id is out of retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    All,
    New,
}

/// Everything the source needs.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    /// `https://LOGIN_HOST[:port]` (or `http://` for a loopback emulator).
    pub login_url: String,
    pub channels: Vec<String>,
    pub credentials: Credentials,
    pub replay: ReplayStart,
    pub fallback: Option<Fallback>,
    /// How long the client may stay disconnected before it gives up; `None`: forever. Every
    /// call made while disconnected is bounded by what is left of it.
    pub connection_timeout: Option<Duration>,
    /// Most events taken into one chunk; no connect is sent while any are pending.
    pub max_pending: usize,
    pub api_version: String,
    pub retry: Retry,
    /// Markers to resume from (a recording's), per channel.
    pub markers: BTreeMap<String, Cursor>,
    /// `--exit-at-end`: end at the first connect that brings nothing (not the first connect
    /// after a handshake, which Bayeux answers at once, before any event).
    pub exit_at_end: bool,
}

/// A channel's marker: the last event kept, or the fallback value (-2/-1, no date) until the
/// next event.
#[derive(Debug, Clone, PartialEq)]
struct Mark {
    replay_id: i64,
    date: Option<String>,
    date_ms: Option<i64>,
}

impl Mark {
    fn from_cursor(c: &Cursor) -> Option<Mark> {
        let v = c.value();
        let replay_id = v.get("replayId")?.as_i64()?;
        let date = v
            .get("createdDate")
            .and_then(Value::as_str)
            .map(str::to_string);
        let date_ms = date.as_deref().and_then(super::parse_date);
        Some(Mark {
            replay_id,
            date,
            date_ms,
        })
    }

    /// The marker a fallback leaves: subscribe with `value` until an event comes.
    fn fallback(value: i64) -> Mark {
        Mark {
            replay_id: value,
            date: None,
            date_ms: None,
        }
    }

    fn cursor(&self) -> Cursor {
        let mut v = json!({"replayId": self.replay_id});
        if let Some(d) = &self.date {
            v["createdDate"] = json!(d);
        }
        Cursor::new(v)
    }
}

/// What a step of the state machine ran into.
enum Trouble {
    /// Wait (backoff) and try again.
    Retry(String),
    Fatal(SourceError),
    /// Not a trouble: all there was is read (`--exit-at-end`).
    End,
}

impl From<WireError> for Trouble {
    fn from(e: WireError) -> Self {
        match e {
            // The caller turns this into a new login when it can.
            WireError::Unauthorized(r) => Trouble::Retry(format!("unauthorized: {r}")),
            WireError::Transient(r) => Trouble::Retry(r),
        }
    }
}

/// A message waiting to be handed out, with when its reply came.
struct Pending {
    msg: Message,
    received_at: i64,
    latency: Duration,
}

pub struct SalesforceSource {
    http: reqwest::Client,
    opts: SourceOptions,
    session: Option<Session>,
    /// The given token (SFDC_ACCESS_TOKEN) was tried: from now on the grants log in.
    given_used: bool,
    /// The grant to log in with next (grants before it were refused).
    grant: usize,
    /// The session's token was just issued: a refusal now is for good.
    fresh_login: bool,
    bayeux: Option<Bayeux>,
    /// Channels subscribed in the current Bayeux session.
    subscribed: Vec<String>,
    /// Channels subscribed at least once by this process: subscribing one again with -1 may
    /// skip what was published in between.
    followed: BTreeSet<String>,
    /// Channels whose fallback (with its gap) was just decided: their next subscribe is it.
    fell_back: BTreeSet<String>,
    marks: BTreeMap<String, Mark>,
    pending: VecDeque<Pending>,
    chunks: u64,
    backoff: Backoff,
    /// Since when there is no working long poll (`None`: the last connect succeeded).
    down_since: Option<Instant>,
    /// Connects that returned nothing, to honour advice.interval between them.
    first_connect: bool,
}

impl SalesforceSource {
    pub fn new(http: reqwest::Client, opts: SourceOptions) -> Self {
        let marks = opts
            .markers
            .iter()
            .filter_map(|(ch, c)| Some((ch.clone(), Mark::from_cursor(c)?)))
            .collect();
        SalesforceSource {
            backoff: Backoff::new(opts.retry.clone()),
            http,
            opts,
            session: None,
            given_used: false,
            grant: 0,
            fresh_login: false,
            bayeux: None,
            subscribed: Vec::new(),
            followed: BTreeSet::new(),
            fell_back: BTreeSet::new(),
            marks,
            pending: VecDeque::new(),
            chunks: 0,
            down_since: None,
            first_connect: true,
        }
    }

    /// The replay value a channel is subscribed with: its marker (a replay id, or the fallback
    /// value until an event comes), else `--replay`.
    fn replay_value(&self, ch: &str) -> i64 {
        match self.marks.get(ch) {
            Some(m) => m.replay_id,
            None => self.opts.replay.value(),
        }
    }

    /// What is left of `--connection-timeout` (all of it while connected); `None`: no limit.
    fn left(&self) -> Option<Duration> {
        super::time_left(self.opts.connection_timeout, self.down_since)
    }

    /// A call's own bound, cut to what is left of `--connection-timeout`.
    fn bound(&self, own: Duration) -> Duration {
        self.left().map_or(own, |left| own.min(left))
    }

    /// The next chunk out of the pending messages: consecutive messages of one channel.
    fn take_chunk(&mut self) -> Option<Chunk<Message, ()>> {
        let first = self.pending.front()?;
        let channel = first.msg.channel.clone();
        let (received_at, latency) = (first.received_at, first.latency);
        let mut events = Vec::new();
        while let Some(p) = self.pending.front() {
            if p.msg.channel != channel || events.len() >= self.opts.max_pending.max(1) {
                break;
            }
            if let Some(p) = self.pending.pop_front() {
                events.push(p.msg);
            }
        }
        let before = self
            .marks
            .get(&channel)
            .map(Mark::cursor)
            .unwrap_or_default();
        for m in &events {
            let Some(replay_id) = m.replay_id else {
                continue;
            };
            let new = Mark {
                replay_id,
                date: m.date.clone(),
                date_ms: m.timestamp,
            };
            let keep_old = match (self.marks.get(&channel), new.date_ms) {
                (None, _) => false,
                // A replayed older event never moves the marker back (aiosfstream's rule).
                (Some(old), Some(ms)) => old.date_ms.is_some_and(|o| ms < o),
                (Some(old), None) => old.date_ms.is_some(),
            };
            if !keep_old {
                self.marks.insert(channel.clone(), new);
            }
        }
        let after = self
            .marks
            .get(&channel)
            .map(Mark::cursor)
            .unwrap_or_default();
        self.chunks += 1;
        let body = format!(
            "[{}]",
            events
                .iter()
                .map(|e| e.raw_text())
                .collect::<Vec<_>>()
                .join(",")
        );
        Some(Chunk::new(
            channel,
            self.chunks,
            before,
            after,
            events,
            body.into_bytes(),
            received_at,
            latency,
            (),
        ))
    }

    fn queue(&mut self, data: Vec<Incoming>, started: Instant) {
        let received_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        for d in data {
            let msg = Message::parse(d.raw, d.value);
            // Only channels this source asked for; a stray broadcast is not ours to keep.
            if self.opts.channels.contains(&msg.channel) {
                self.pending.push_back(Pending {
                    msg,
                    received_at,
                    latency: started.elapsed(),
                });
            }
        }
    }

    /// The token was refused: log in again when a fresh login may help, else stop.
    fn refused(&mut self, reason: &str, notify: &mut dyn FnMut(Notice)) -> Result<(), Trouble> {
        let can_login = self.grant < self.opts.credentials.grants.len();
        super::token_refused("Salesforce", self.fresh_login, can_login, reason)
            .map_err(Trouble::Fatal)?;
        notify(Notice::Reauthenticated {
            text: format!("Salesforce refused the access token ({reason}); logging in again, then handshaking and resubscribing from the markers"),
        });
        self.session = None;
        self.bayeux = None;
        Ok(())
    }

    /// One step towards the next events: log in, handshake, subscribe or connect.
    async fn step(&mut self, notify: &mut dyn FnMut(Notice)) -> Result<(), Trouble> {
        let connected = self.session.is_some()
            && self.bayeux.as_ref().is_some_and(|b| b.client_id.is_some())
            && self
                .opts
                .channels
                .iter()
                .all(|c| self.subscribed.contains(c));
        if !connected {
            // Logging in, handshaking or subscribing: not connected, the clock runs.
            self.down_since.get_or_insert_with(Instant::now);
        }
        let Some(session) = self.session.clone() else {
            if !self.given_used {
                self.given_used = true;
                if let Some(given) = self.opts.credentials.given.clone() {
                    self.session = Some(given);
                    self.fresh_login = false;
                    return Ok(());
                }
            }
            let Some(grant) = self.opts.credentials.grants.get(self.grant).cloned() else {
                return Err(Trouble::Fatal(SourceError::new(
                    ErrorClass::Auth,
                    "no Salesforce credentials left to log in with",
                )));
            };
            let timeout = self.bound(Duration::from_secs(30));
            match login(&self.http, &self.opts.login_url, &grant, timeout).await {
                Ok(s) => {
                    self.session = Some(s);
                    self.fresh_login = true;
                    return Ok(());
                }
                Err(e @ LoginError::Rejected { .. }) => {
                    self.grant += 1;
                    if let Some(next) = self.opts.credentials.grants.get(self.grant) {
                        notify(Notice::Reauthenticated {
                            text: format!(
                                "{e} for {}; logging in as {} instead",
                                grant.who(),
                                next.who()
                            ),
                        });
                        return Ok(());
                    }
                    return Err(Trouble::Fatal(SourceError::new(
                        ErrorClass::Auth,
                        format!(
                            "{e}, logging in as {}; {}check {}",
                            grant.who(),
                            hint(&e),
                            grant.variables()
                        ),
                    )));
                }
                Err(LoginError::Transient(r)) => return Err(Trouble::Retry(r)),
                Err(LoginError::Local(r)) => {
                    return Err(Trouble::Fatal(SourceError::new(ErrorClass::Local, r)))
                }
            }
        };
        if self.bayeux.as_ref().is_none_or(|b| b.client_id.is_none()) {
            let mut b = Bayeux::new(
                self.http.clone(),
                &session.instance_url,
                &self.opts.api_version,
                session.access_token.clone(),
            );
            let started = Instant::now();
            let timeout = self.bound(Duration::from_secs(30));
            let (reply, data) = match b.handshake(timeout).await {
                Ok(r) => r,
                Err(WireError::Unauthorized(r)) => return self.refused(&r, notify),
                Err(e) => return Err(e.into()),
            };
            self.queue(data, started);
            if !reply.successful() {
                let reason = reply.failure_reason().to_string();
                if reason.starts_with("401::") || reply.error().starts_with("401::") {
                    return self.refused(&reason, notify);
                }
                return Err(Trouble::Retry(format!(
                    "handshake refused: {}",
                    crate::text::clip(reply.error(), 200)
                )));
            }
            if b.client_id.is_none() {
                return Err(Trouble::Retry("the handshake reply has no clientId".into()));
            }
            self.bayeux = Some(b);
            self.subscribed.clear();
            self.first_connect = true;
            return Ok(());
        }
        let wanted: Vec<(String, Option<i64>)> = self
            .opts
            .channels
            .iter()
            .filter(|c| !self.subscribed.contains(c))
            .map(|c| (c.clone(), Some(self.replay_value(c))))
            .collect();
        let left = self.left();
        let Some(b) = self.bayeux.as_mut() else {
            return Ok(());
        };
        if !wanted.is_empty() {
            let started = Instant::now();
            let timeout = match left {
                Some(left) => left.min(Duration::from_secs(30)),
                None => Duration::from_secs(30),
            };
            let (answers, data) = match b.subscribe(&wanted, timeout).await {
                Ok(r) => r,
                Err(WireError::Unauthorized(r)) => return self.refused(&r, notify),
                Err(e) => return Err(e.into()),
            };
            self.queue(data, started);
            for (ch, m) in answers {
                let sent = wanted
                    .iter()
                    .find(|(c, _)| *c == ch)
                    .and_then(|(_, r)| *r)
                    .unwrap_or(REPLAY_NEW);
                if m.successful() {
                    let from = match sent {
                        REPLAY_NEW => "new events only (-1)".to_string(),
                        REPLAY_ALL => "everything retained (-2)".to_string(),
                        id => format!("after replayId {id}"),
                    };
                    notify(Notice::Info {
                        text: format!("subscribed to {ch}: {from}"),
                    });
                    // Subscribed again with -1 (no event since the fallback to new, or since
                    // the start with --replay new): whatever was published while the session
                    // was down is not replayed.
                    let fallback_now = self.fell_back.remove(&ch);
                    if sent == REPLAY_NEW
                        && !fallback_now
                        && (self.followed.contains(&ch) || self.marks.contains_key(&ch))
                    {
                        self.marks.insert(ch.clone(), Mark::fallback(REPLAY_NEW));
                        notify(Notice::Gap {
                            partition: ch.clone(),
                            cursor: Cursor::new(json!({"replayId": REPLAY_NEW})),
                            replaced: None,
                            reason: "subscribed again with -1 (no event received since the last subscribe): events published in between are not replayed".into(),
                            lost: None,
                            text: format!("{ch}: subscribed again with new events only (-1), as no event has come since the last subscribe; events published in between may be lost, a gap is recorded"),
                        });
                    }
                    self.followed.insert(ch.clone());
                    self.subscribed.push(ch);
                    continue;
                }
                let error = m.error().to_string();
                if error.starts_with("403::Unknown client") {
                    return self.dropped(&error, notify);
                }
                if error.starts_with("401::") {
                    return self.refused(&error, notify);
                }
                if error.starts_with(INVALID_REPLAY_PREFIX) {
                    let Some(fb) = self.opts.fallback else {
                        return Err(Trouble::Fatal(SourceError::new(
                            ErrorClass::Gone,
                            format!("{ch}: Salesforce no longer has replayId {sent} (out of its 24/72 h retention): {error} To go on: --replay-fallback all (everything still retained) or --replay-fallback new (only new events); events in between are lost either way"),
                        )));
                    };
                    let (value, name) = match fb {
                        Fallback::All => (REPLAY_ALL, "all"),
                        Fallback::New => (REPLAY_NEW, "new"),
                    };
                    // Kept as the marker, so every later subscribe (a re-handshake, a restart
                    // of the server) uses it too until an event comes.
                    let mark = Mark::fallback(value);
                    let cursor = mark.cursor();
                    self.marks.insert(ch.clone(), mark);
                    self.fell_back.insert(ch.clone());
                    notify(Notice::Gap {
                        partition: ch.clone(),
                        cursor,
                        replaced: None,
                        reason: format!("replayId {sent} out of retention; resubscribed with --replay-fallback {name} ({value})"),
                        // Replay ids need not run one by one: the ids cannot tell how many were missed.
                        lost: None,
                        text: format!("{ch}: replayId {sent} is out of Salesforce's retention; subscribing again from {} (--replay-fallback {name}); events in between may be lost, a gap is recorded", if value == REPLAY_ALL { "everything retained" } else { "new events" }),
                    });
                    continue;
                }
                return Err(Trouble::Fatal(SourceError::new(
                    ErrorClass::Refused,
                    format!("cannot subscribe to {ch}: {}; check the channel's name (/topic/PushTopicName, /event/Name__e, /data/EntityChangeEvent, /u/Name) and that this user may read it", crate::text::clip(&error, 200)),
                )));
            }
            return Ok(());
        }
        if !self.first_connect && !b.advice.interval.is_zero() {
            tokio::time::sleep(b.advice.interval).await;
        }
        let started = Instant::now();
        // A held long poll is normal up to advice.timeout; past that, the margin is bounded by
        // what is left of --connection-timeout.
        let margin = match left {
            Some(left) => b.connect_margin().min(left),
            None => b.connect_margin(),
        };
        let (reply, data) = match b.connect(margin).await {
            Ok(r) => r,
            Err(WireError::Unauthorized(r)) => return self.refused(&r, notify),
            Err(e) => return Err(e.into()),
        };
        let was_first = std::mem::replace(&mut self.first_connect, false);
        let before = self.pending.len();
        self.queue(data, started);
        if reply.successful() {
            self.fresh_login = false;
            self.backoff.reset();
            self.down_since = None;
            // `--exit-at-end`: a connect came back empty, Salesforce has nothing more.
            if self.opts.exit_at_end && !was_first && self.pending.len() == before {
                return Err(Trouble::End);
            }
            return Ok(());
        }
        let error = reply.error().to_string();
        let reconnect = self
            .bayeux
            .as_ref()
            .map(|b| b.advice.reconnect.clone())
            .unwrap_or_default();
        if error.starts_with("401::") {
            return self.refused(&error, notify);
        }
        if error.starts_with("403::Unknown client") || reconnect == "handshake" {
            return self.dropped(&error, notify);
        }
        if reconnect == "none" {
            return Err(Trouble::Fatal(SourceError::new(
                ErrorClass::Refused,
                format!(
                    "Salesforce ended the session and advised not to reconnect: {}",
                    crate::text::clip(&error, 200)
                ),
            )));
        }
        Err(Trouble::Retry(format!(
            "connect failed: {}",
            crate::text::clip(&error, 200)
        )))
    }

    /// The server forgot the session: handshake again and resubscribe from the markers.
    fn dropped(&mut self, error: &str, notify: &mut dyn FnMut(Notice)) -> Result<(), Trouble> {
        notify(Notice::Info {
            text: format!("Salesforce dropped the session ({}); handshaking again and resubscribing from the markers", crate::text::clip(error, 80)),
        });
        self.bayeux = None;
        self.subscribed.clear();
        Ok(())
    }
}

/// What Salesforce's refusal usually means, in a few words, before the variables to check.
fn hint(e: &LoginError) -> &'static str {
    let LoginError::Rejected { error, description } = e else {
        return "";
    };
    let d = description.to_ascii_lowercase();
    if error == "invalid_app_access" || d.contains("hasn't approved") {
        return "the user is not pre-authorized for the connected app (Manage → Edit Policies → Permitted Users: Admin approved users are pre-authorized, then add the user's profile or permission set); ";
    }
    if d.contains("audience") {
        return "the assertion's aud must be the login host (https://login.salesforce.com, https://test.salesforce.com for sandboxes; SFDC_JWT_AUDIENCE sets it); ";
    }
    if d.contains("invalid assertion") {
        return "the assertion's signature does not match the certificate uploaded to the connected app (or the clock is off); ";
    }
    if d.contains("client credentials user") {
        return "the connected app has no Run As user for the client credentials flow; ";
    }
    if d.contains("not supported on this domain") {
        return "the client credentials flow needs your org's My Domain host as the SOURCE's host; ";
    }
    ""
}

impl Source for SalesforceSource {
    type Event = Message;
    type Ack = ();

    async fn next_chunk(
        &mut self,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Message, ()>>, SourceError> {
        loop {
            if let Some(c) = self.take_chunk() {
                return Ok(Some(c));
            }
            match self.step(notify).await {
                Ok(()) => {}
                Err(Trouble::End) => return Ok(None),
                Err(Trouble::Fatal(e)) => return Err(e),
                Err(Trouble::Retry(reason)) => {
                    let since = *self.down_since.get_or_insert_with(Instant::now);
                    let limit = self.opts.connection_timeout;
                    super::wait_to_retry(
                        "Salesforce",
                        &mut self.backoff,
                        since,
                        limit,
                        &reason,
                        notify,
                    )
                    .await?;
                }
            }
        }
    }

    async fn commit(&mut self, _done: Committed<()>) -> Result<(), SourceError> {
        // Salesforce has no acknowledgement: the marker went into the journal with the chunk.
        Ok(())
    }

    async fn close(&mut self, _notify: &mut dyn FnMut(Notice)) {
        if let Some(b) = self.bayeux.as_mut() {
            b.disconnect().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(markers: BTreeMap<String, Cursor>) -> SalesforceSource {
        SalesforceSource::new(
            reqwest::Client::new(),
            SourceOptions {
                login_url: "http://localhost:1".into(),
                channels: vec!["/topic/X".into()],
                credentials: Credentials {
                    given: Some(Session {
                        access_token: crate::config::Secret::new("t"),
                        instance_url: "http://localhost:1".into(),
                        org_id: None,
                    }),
                    grants: Vec::new(),
                },
                replay: ReplayStart::New,
                fallback: None,
                connection_timeout: None,
                max_pending: 2,
                api_version: "45.0".into(),
                retry: Retry::datafeed_default(),
                markers,
                exit_at_end: false,
            },
        )
    }

    fn pending(id: i64, date: &str) -> Pending {
        let text = format!(
            r#"{{"channel":"/topic/X","data":{{"event":{{"createdDate":"{date}","replayId":{id}}}}}}}"#
        );
        Pending {
            msg: Message::parse(
                serde_json::from_str(&text).unwrap(),
                serde_json::from_str(&text).unwrap(),
            ),
            received_at: 0,
            latency: Duration::ZERO,
        }
    }

    #[test]
    fn an_older_event_never_moves_the_marker_back_and_chunks_are_bounded() {
        let mut s = source(BTreeMap::new());
        s.pending.push_back(pending(10, "2026-01-02T00:00:00.000Z"));
        s.pending.push_back(pending(3, "2026-01-01T00:00:00.000Z"));
        s.pending.push_back(pending(11, "2026-01-03T00:00:00.000Z"));
        let c = s.take_chunk().unwrap();
        assert_eq!(c.events.len(), 2, "--max-pending 2");
        assert_eq!(c.cursor_before, Cursor::default());
        assert_eq!(
            c.cursor_after.value()["replayId"],
            10,
            "the replayed older event (3) is kept, the marker is not moved back"
        );
        let c = s.take_chunk().unwrap();
        assert_eq!(c.cursor_before.value()["replayId"], 10);
        assert_eq!(c.cursor_after.value()["replayId"], 11);
        assert!(s.take_chunk().is_none());
    }

    #[test]
    fn the_stored_marker_wins_over_replay() {
        let mut m = BTreeMap::new();
        m.insert(
            "/topic/X".to_string(),
            Cursor::new(json!({"replayId": 42, "createdDate": "2026-01-01T00:00:00.000Z"})),
        );
        let s = source(m);
        assert_eq!(s.replay_value("/topic/X"), 42);
        let s = source(BTreeMap::new());
        assert_eq!(s.replay_value("/topic/X"), REPLAY_NEW);
    }
}
