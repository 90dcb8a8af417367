//! The emulated datafeed service: one event log, and feeds that read it with real v2 semantics
//! (ackId, re-queue of unacknowledged events after a visibility timeout, TTL, the 20-feed
//! limit) or v1 semantics (no ack). See `docs/serve.md` for the choices made where the spec is
//! silent.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde_json::value::RawValue;
use tokio::sync::Notify;

use super::store::{EventStore, Fetched, Known};

#[derive(Debug, Clone)]
pub struct HubSettings {
    /// How long an idle read waits before answering with no events.
    pub poll_timeout: Duration,
    /// How long delivered events wait for their ack before they are delivered again.
    pub visibility_timeout: Duration,
    /// A feed not read for this long expires (reads then get 400).
    pub feed_ttl: Duration,
    /// Active v2 feeds per user; creating one more answers 403.
    pub max_feeds: usize,
    /// Most events in one read.
    pub batch_size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

struct Batch {
    positions: Vec<usize>,
    deadline: Instant,
}

struct Feed {
    owner: String,
    tag: Option<String>,
    version: Version,
    created_at: i64,
    last_read: Instant,
    /// Next log position never delivered to this feed.
    next: usize,
    /// Delivered but not acknowledged in time: delivered again first.
    requeued: VecDeque<usize>,
    inflight: HashMap<String, Batch>,
}

impl Feed {
    /// The first position this feed has not had acknowledged: where a successor resumes.
    fn resume_point(&self) -> usize {
        let unacked = self
            .requeued
            .iter()
            .chain(self.inflight.values().flat_map(|b| b.positions.iter()));
        unacked.copied().min().unwrap_or(self.next).min(self.next)
    }

    fn requeue_expired(&mut self, now: Instant) {
        let expired: Vec<String> = self
            .inflight
            .iter()
            .filter(|(_, b)| b.deadline <= now)
            .map(|(k, _)| k.clone())
            .collect();
        let mut back: Vec<usize> = expired
            .into_iter()
            .filter_map(|k| self.inflight.remove(&k))
            .flat_map(|b| b.positions)
            .collect();
        back.sort_unstable();
        for p in back.into_iter().rev() {
            self.requeued.push_front(p);
        }
    }

    fn earliest_deadline(&self) -> Option<Instant> {
        self.inflight.values().map(|b| b.deadline).min()
    }
}

/// An event of the log: its exact JSON, and its id (read once, for the request log).
#[derive(Debug, Clone)]
pub struct Published {
    /// One JSON object, checked when it entered the log or was read back from the store.
    pub raw: Arc<str>,
    /// The event's id (read once, for the request log and the outbox).
    pub id: Arc<str>,
    pub stream_id: Option<Arc<str>>,
    /// The event's row, when it comes from a journal.
    pub row: Option<i64>,
    /// The last event of a recorded chunk: a read never goes past it, so chunks are served as
    /// they were recorded.
    pub chunk_end: bool,
}

impl Published {
    pub fn new(raw: &RawValue) -> Self {
        let text: Arc<str> = Arc::from(raw.get());
        Self::read(text.clone()).unwrap_or_else(|| Published {
            raw: text,
            id: Arc::from(""),
            stream_id: None,
            row: None,
            chunk_end: false,
        })
    }

    /// An event's text with its id and stream read from it, in the one pass that also checks
    /// it is one JSON object (`None` when it is not).
    fn read(text: Arc<str>) -> Option<Self> {
        let (id, stream_id) = crate::symphony::event::id_and_stream(&text)?;
        let known = Known {
            id: id.as_deref().map(Arc::from),
            stream_id: stream_id.as_deref().map(Arc::from),
        };
        Some(Self::with(text, known))
    }

    fn with(text: Arc<str>, known: Known) -> Self {
        Published {
            raw: text,
            id: known.id.unwrap_or_else(|| Arc::from("")),
            stream_id: known.stream_id,
            row: None,
            chunk_end: false,
        }
    }
}

/// One event of the log. Events of a store (a file, a journal) are only their key: their bytes
/// are read when a feed reads them, so a million-event log is 16 MiB instead of the events.
#[derive(Clone)]
enum Slot {
    Stored {
        key: u64,
        chunk_end: bool,
    },
    /// Given in memory: in-process, the demo events, or injected while serve runs.
    Held(Arc<Published>),
}

// The log's cost per event: keep it at two words.
const _: () = assert!(std::mem::size_of::<Slot>() == 16);

#[derive(Default)]
struct State {
    log: Vec<Slot>,
    feeds: HashMap<String, Feed>,
    /// Where the next feed of (user, tag) starts: set when such a feed is deleted or expires,
    /// so a client that recreates its feed after a 400 misses nothing.
    resume: HashMap<(String, Option<String>), usize>,
}

/// What `serve --state DIR` keeps of the feeds (`symphony-state.json`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Kept {
    feeds: Vec<KeptFeed>,
    resume: Vec<KeptResume>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct KeptFeed {
    id: String,
    owner: String,
    tag: Option<String>,
    v1: bool,
    #[serde(rename = "createdAt")]
    created_at: i64,
    next: usize,
    requeued: Vec<usize>,
    /// Unacknowledged batches by their ackId.
    inflight: std::collections::BTreeMap<String, Vec<usize>>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct KeptResume {
    owner: String,
    tag: Option<String>,
    at: usize,
}

/// What a read answers.
pub enum ReadOutcome {
    Events {
        events: Vec<Published>,
        ack_id: Option<String>,
    },
    UnknownFeed,
    BadAckId,
    /// The store could not give the events back (a file changed under serve, a journal error).
    Unavailable(String),
}

/// Where a read stands once the log has been looked at.
enum Step {
    Deliver {
        slots: Vec<Slot>,
        ack_id: Option<String>,
    },
    Wait(Instant),
}

pub struct Hub {
    settings: HubSettings,
    /// `serve --state DIR`: the file the feeds are kept in (rewritten as they change), and the
    /// file injected events are appended to (as they come: not rewritten with every read).
    kept: Option<(std::path::PathBuf, std::path::PathBuf)>,
    store: Option<Arc<dyn EventStore>>,
    state: Mutex<State>,
    arrived: Notify,
    created: Notify,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn random_hex(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| format!("{:x}", rng.gen_range(0..16u8)))
        .collect()
}

const ACK_PREFIX: &str = "ack-";

impl Hub {
    pub fn new(settings: HubSettings, events: Vec<Arc<RawValue>>) -> Self {
        let events = events
            .into_iter()
            .map(|e| Slot::Held(Arc::new(Published::new(&e))))
            .collect();
        Hub {
            settings,
            kept: None,
            store: None,
            state: Mutex::new(State {
                log: events,
                ..Default::default()
            }),
            arrived: Notify::new(),
            created: Notify::new(),
        }
    }

    /// Serves the events of `store` too: `keys` from the start, after the events given to
    /// [`Hub::new`], and more with [`Hub::publish_stored`].
    pub fn with_store(mut self, store: Arc<dyn EventStore>, keys: Vec<u64>) -> Self {
        let log = &mut self.state.get_mut().unwrap_or_else(|e| e.into_inner()).log;
        log.extend(keys.into_iter().map(|key| Slot::Stored {
            key,
            chunk_end: false,
        }));
        self.store = Some(store);
        self
    }

    /// Keeps the feeds in `file` across restarts (`serve --state DIR`), and takes back what a
    /// previous run kept there: its injected events (after the log given now, which must be
    /// the same), its feeds where they stood, their unacknowledged batches under the same
    /// ackIds (delivered again after the visibility timeout, as after any lost read).
    pub fn with_state(mut self, file: std::path::PathBuf) -> Result<Self, String> {
        let st = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        let injected = file.with_extension("injected.ndjson");
        match std::fs::read_to_string(&injected) {
            Ok(text) => {
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    let raw: Box<RawValue> = serde_json::from_str(line).map_err(|e| {
                        format!(
                            "--state: {}: an injected event is not JSON ({e})",
                            injected.display()
                        )
                    })?;
                    st.log.push(Slot::Held(Arc::new(Published::new(&raw))));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("--state: cannot read {}: {e}", injected.display())),
        }
        let kept: Option<Kept> = match std::fs::read(&file) {
            Ok(bytes) => Some(serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "--state: {} is not what serve keeps ({e}); remove it to start afresh",
                    file.display()
                )
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("--state: cannot read {}: {e}", file.display())),
        };
        if let Some(kept) = kept {
            let len = st.log.len();
            let now = Instant::now();
            let deadline = now + self.settings.visibility_timeout;
            for f in kept.feeds {
                let within = |p: &usize| *p < len;
                st.feeds.insert(
                    f.id,
                    Feed {
                        owner: f.owner,
                        tag: f.tag,
                        version: if f.v1 { Version::V1 } else { Version::V2 },
                        created_at: f.created_at,
                        last_read: now,
                        next: f.next.min(len),
                        requeued: f.requeued.into_iter().filter(within).collect(),
                        inflight: f
                            .inflight
                            .into_iter()
                            .map(|(ack, positions)| {
                                let positions = positions.into_iter().filter(within).collect();
                                (
                                    ack,
                                    Batch {
                                        positions,
                                        deadline,
                                    },
                                )
                            })
                            .collect(),
                    },
                );
            }
            for r in kept.resume {
                st.resume.insert((r.owner, r.tag), r.at.min(len));
            }
        }
        self.kept = Some((file, injected));
        self.save(&self.lock());
        Ok(self)
    }

    /// Writes what `--state` keeps (to a new file, then renamed over the old one); a failure
    /// is logged, serving goes on.
    fn save(&self, st: &State) {
        let Some((file, _)) = &self.kept else {
            return;
        };
        let kept = Kept {
            feeds: st
                .feeds
                .iter()
                .map(|(id, f)| KeptFeed {
                    id: id.clone(),
                    owner: f.owner.clone(),
                    tag: f.tag.clone(),
                    v1: f.version == Version::V1,
                    created_at: f.created_at,
                    next: f.next,
                    requeued: f.requeued.iter().copied().collect(),
                    inflight: f
                        .inflight
                        .iter()
                        .map(|(k, b)| (k.clone(), b.positions.clone()))
                        .collect(),
                })
                .collect(),
            resume: st
                .resume
                .iter()
                .map(|((owner, tag), at)| KeptResume {
                    owner: owner.clone(),
                    tag: tag.clone(),
                    at: *at,
                })
                .collect(),
        };
        let tmp = file.with_extension("json.new");
        let written = serde_json::to_vec(&kept)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, file));
        if let Err(e) = written {
            tracing::warn!("--state: cannot write {}: {e}", file.display());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the state half-updated in a way that matters here.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends events to the log; every feed sees them.
    pub fn publish(&self, events: Vec<Arc<RawValue>>) {
        let mut st = self.lock();
        if let Some((_, injected)) = &self.kept {
            // One line each (an event's text may span lines), appended in the log's order.
            let mut lines = String::new();
            for e in &events {
                match e.get().contains('\n') {
                    true => match serde_json::from_str::<serde_json::Value>(e.get()) {
                        Ok(v) => lines.push_str(&v.to_string()),
                        Err(_) => lines.push_str(&e.get().replace('\n', " ")),
                    },
                    false => lines.push_str(e.get()),
                }
                lines.push('\n');
            }
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(injected)
                .and_then(|mut f| std::io::Write::write_all(&mut f, lines.as_bytes()));
            if let Err(e) = appended {
                tracing::warn!("--state: cannot write {}: {e}", injected.display());
            }
        }
        st.log.extend(
            events
                .iter()
                .map(|e| Slot::Held(Arc::new(Published::new(e)))),
        );
        drop(st);
        self.arrived.notify_waiters();
    }

    /// Appends a recorded chunk of the store's events: a read never goes past its last.
    pub fn publish_stored(&self, keys: &[u64]) {
        let last = keys.len().saturating_sub(1);
        let slots = keys.iter().enumerate().map(|(i, &key)| Slot::Stored {
            key,
            chunk_end: i == last,
        });
        self.lock().log.extend(slots);
        self.arrived.notify_waiters();
    }

    /// Waits until some client has created a feed: recorded chunks are paced from then on, so
    /// a bot that starts after serve misses nothing.
    pub async fn first_feed(&self) {
        loop {
            let created = self.created.notified();
            tokio::pin!(created);
            created.as_mut().enable();
            if !self.lock().feeds.is_empty() {
                return;
            }
            created.await;
        }
    }

    pub fn max_feeds(&self) -> usize {
        self.settings.max_feeds
    }

    pub fn event_count(&self) -> usize {
        self.lock().log.len()
    }

    /// Removes a feed that was not read within its TTL; remembers where it stood.
    fn expire(&self, st: &mut State, now: Instant) {
        let ttl = self.settings.feed_ttl;
        let gone: Vec<String> = st
            .feeds
            .iter()
            .filter(|(_, f)| now.duration_since(f.last_read) > ttl)
            .map(|(k, _)| k.clone())
            .collect();
        for id in gone {
            if let Some(f) = st.feeds.remove(&id) {
                st.resume
                    .insert((f.owner.clone(), f.tag.clone()), f.resume_point());
            }
        }
    }

    /// Creates a feed; `None` when the user already has `max_feeds` active v2 feeds (v1 feeds
    /// are not limited: they cannot be deleted, so a limit would only strand their users).
    pub fn create(
        &self,
        owner: &str,
        tag: Option<String>,
        version: Version,
    ) -> Option<(String, i64)> {
        let mut st = self.lock();
        let now = Instant::now();
        self.expire(&mut st, now);
        if version == Version::V2
            && st
                .feeds
                .values()
                .filter(|f| f.owner == owner && f.version == Version::V2)
                .count()
                >= self.settings.max_feeds
        {
            return None;
        }
        let id = match version {
            Version::V2 => format!("{}_f", random_hex(32)),
            Version::V1 => random_hex(32),
        };
        let key = (
            owner.to_string(),
            if version == Version::V1 {
                Some("\u{0}v1".into())
            } else {
                tag.clone()
            },
        );
        // A v1 feed has no ack: what its predecessor delivered is gone, so a successor (a kit
        // recreating its feed after a 400) starts where the user's latest v1 feed stands.
        let v1_successor = (version == Version::V1)
            .then(|| {
                st.feeds
                    .values()
                    .filter(|f| f.owner == owner && f.version == Version::V1)
                    .max_by_key(|f| f.created_at)
                    .map(|f| f.next)
            })
            .flatten();
        let start = st.resume.remove(&key).or(v1_successor).unwrap_or(0);
        let created_at = now_millis();
        st.feeds.insert(
            id.clone(),
            Feed {
                owner: owner.to_string(),
                tag: key.1,
                version,
                created_at,
                last_read: now,
                next: start,
                requeued: VecDeque::new(),
                inflight: HashMap::new(),
            },
        );
        self.save(&st);
        drop(st);
        self.created.notify_waiters();
        Some((id, created_at))
    }

    /// The user's v2 feeds, optionally only those with `tag`: (id, createdAt).
    pub fn list(&self, owner: &str, tag: Option<&str>) -> Vec<(String, i64)> {
        let mut st = self.lock();
        self.expire(&mut st, Instant::now());
        let mut out: Vec<(String, i64)> = st
            .feeds
            .iter()
            .filter(|(_, f)| {
                f.owner == owner
                    && f.version == Version::V2
                    && tag.is_none_or(|t| f.tag.as_deref() == Some(t))
            })
            .map(|(id, f)| (id.clone(), f.created_at))
            .collect();
        out.sort_by_key(|(_, at)| *at);
        out
    }

    /// Deletes a v2 feed; false when there is none by that id for this user.
    pub fn delete(&self, owner: &str, id: &str) -> bool {
        let mut st = self.lock();
        self.expire(&mut st, Instant::now());
        match st.feeds.get(id) {
            Some(f) if f.owner == owner && f.version == Version::V2 => {}
            _ => return false,
        }
        let f = st.feeds.remove(id).expect("checked above");
        st.resume
            .insert((f.owner.clone(), f.tag.clone()), f.resume_point());
        self.save(&st);
        self.arrived.notify_waiters();
        true
    }

    /// One read, long-polling up to the poll timeout. v2 acknowledges `ack_id` first; v1 has no
    /// ack, so what it delivers is gone. `limit` caps the batch (v1's `limit` query).
    pub async fn read(
        &self,
        owner: &str,
        id: &str,
        version: Version,
        ack_id: &str,
        limit: Option<usize>,
    ) -> ReadOutcome {
        let started = Instant::now();
        let poll_deadline = started + self.settings.poll_timeout;
        let batch_size = limit
            .unwrap_or(self.settings.batch_size)
            .clamp(1, self.settings.batch_size.max(1));
        let mut acked = false;
        loop {
            let notified = self.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let step = {
                let mut st = self.lock();
                let now = Instant::now();
                self.expire(&mut st, now);
                let st = &mut *st;
                let log = &st.log;
                let log_len = log.len();
                let Some(feed) = st
                    .feeds
                    .get_mut(id)
                    .filter(|f| f.owner == owner && f.version == version)
                else {
                    return ReadOutcome::UnknownFeed;
                };
                feed.last_read = now;
                if !acked && version == Version::V2 && !ack_id.is_empty() {
                    if !ack_id.starts_with(ACK_PREFIX) {
                        return ReadOutcome::BadAckId;
                    }
                    // An unknown but well-formed ackId (already acknowledged, or expired) is
                    // harmless: the kits resend the previous one after a failure.
                    feed.inflight.remove(ack_id);
                    acked = true;
                }
                feed.requeue_expired(now);
                let mut positions = Vec::new();
                while positions.len() < batch_size {
                    if let Some(p) = feed.requeued.pop_front() {
                        positions.push(p);
                    } else if feed.next < log_len {
                        positions.push(feed.next);
                        feed.next += 1;
                        let chunk_end = match &log[feed.next - 1] {
                            Slot::Stored { chunk_end, .. } => *chunk_end,
                            Slot::Held(p) => p.chunk_end,
                        };
                        if chunk_end {
                            break;
                        }
                    } else {
                        break;
                    }
                }
                let timed_out = now >= poll_deadline;
                if !positions.is_empty() || timed_out {
                    let new_ack =
                        (version == Version::V2).then(|| format!("{ACK_PREFIX}{}", random_hex(24)));
                    if let Some(ack) = &new_ack {
                        if !positions.is_empty() {
                            feed.inflight.insert(
                                ack.clone(),
                                Batch {
                                    positions: positions.clone(),
                                    deadline: now + self.settings.visibility_timeout,
                                },
                            );
                        }
                    }
                    let slots = positions.iter().map(|p| log[*p].clone()).collect();
                    self.save(st);
                    Step::Deliver {
                        slots,
                        ack_id: new_ack,
                    }
                } else {
                    let requeue_at = feed.earliest_deadline().unwrap_or(poll_deadline);
                    Step::Wait(requeue_at.min(poll_deadline))
                }
            };
            match step {
                Step::Wait(until) => {
                    let _ = tokio::time::timeout_at(until.into(), notified).await;
                }
                Step::Deliver { slots, ack_id } => {
                    return match self.materialize(slots).await {
                        Ok(events) => ReadOutcome::Events { events, ack_id },
                        Err(e) => ReadOutcome::Unavailable(e),
                    };
                }
            }
        }
    }

    /// The events of a read, the stored ones read from the store: after the state's lock is
    /// released, and on a blocking thread, since it is file or SQLite I/O.
    async fn materialize(&self, slots: Vec<Slot>) -> Result<Vec<Published>, String> {
        let keys: Vec<u64> = slots
            .iter()
            .filter_map(|s| match s {
                Slot::Stored { key, .. } => Some(*key),
                Slot::Held(_) => None,
            })
            .collect();
        let (store, mut fetched) = match &self.store {
            Some(store) if !keys.is_empty() => {
                let reader = store.clone();
                let fetched = tokio::task::spawn_blocking(move || reader.fetch(&keys))
                    .await
                    .map_err(|e| format!("reading the served events: {e}"))??;
                (Some(store), fetched.into_iter())
            }
            _ => (None, Vec::new().into_iter()),
        };
        slots
            .into_iter()
            .map(|s| match s {
                Slot::Held(p) => Ok((*p).clone()),
                Slot::Stored { key, chunk_end } => {
                    let Fetched { text, known } = fetched
                        .next()
                        .ok_or("the event store gave back fewer events than asked")?;
                    let store = store
                        .ok_or("the log names a stored event, but serve has no event store")?;
                    let published = match known {
                        Some(known) => Published::with(text, known),
                        None => Published::read(text).ok_or_else(|| store.changed(key))?,
                    };
                    Ok(Published {
                        row: store.row(key),
                        chunk_end,
                        ..published
                    })
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(visibility_ms: u64) -> Hub {
        let events = (0..5)
            .map(|i| Arc::from(RawValue::from_string(format!("{{\"id\":\"e{i}\"}}")).unwrap()))
            .collect();
        Hub::new(
            HubSettings {
                poll_timeout: Duration::from_millis(100),
                visibility_timeout: Duration::from_millis(visibility_ms),
                feed_ttl: Duration::from_secs(60),
                max_feeds: 2,
                batch_size: 2,
            },
            events,
        )
    }

    fn ids(o: &ReadOutcome) -> (Vec<String>, Option<String>) {
        match o {
            ReadOutcome::Events { events, ack_id } => (
                events.iter().map(|e| e.raw.to_string()).collect(),
                ack_id.clone(),
            ),
            _ => panic!("not events"),
        }
    }

    #[tokio::test]
    async fn ack_advances_and_unacked_come_back() {
        let h = hub(150);
        let (id, _) = h.create("bot", None, Version::V2).unwrap();
        let (first, ack1) = ids(&h.read("bot", &id, Version::V2, "", None).await);
        assert_eq!(first.len(), 2);
        let (second, _ack2) = ids(&h
            .read("bot", &id, Version::V2, ack1.as_deref().unwrap(), None)
            .await);
        assert_eq!(second, [r#"{"id":"e2"}"#, r#"{"id":"e3"}"#]);
        // Never acknowledge the second batch: after the visibility timeout it comes again.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (again, _) = ids(&h
            .read("bot", &id, Version::V2, "ack-unknownbutwellformed", None)
            .await);
        assert_eq!(again, second);
    }

    #[tokio::test]
    async fn unknown_feed_bad_ack_and_limit() {
        let h = hub(1000);
        assert!(matches!(
            h.read("bot", "nope_f", Version::V2, "", None).await,
            ReadOutcome::UnknownFeed
        ));
        let (a, _) = h.create("bot", None, Version::V2).unwrap();
        assert!(matches!(
            h.read("bot", &a, Version::V2, "garbage", None).await,
            ReadOutcome::BadAckId
        ));
        // The limit is 2 here: the second is allowed, a third refused.
        assert!(h.create("bot", None, Version::V2).is_some());
        assert!(h.create("bot", None, Version::V2).is_none());
        assert!(
            h.create("bot", None, Version::V1).is_some(),
            "v1 is not limited"
        );
    }

    #[tokio::test]
    async fn a_recreated_feed_resumes_where_the_deleted_one_stood() {
        let h = hub(1000);
        let (a, _) = h.create("bot", None, Version::V2).unwrap();
        let (_, ack) = ids(&h.read("bot", &a, Version::V2, "", None).await);
        let (_, _) = ids(&h
            .read("bot", &a, Version::V2, ack.as_deref().unwrap(), None)
            .await);
        assert!(h.delete("bot", &a));
        let (b, _) = h.create("bot", None, Version::V2).unwrap();
        let (events, _) = ids(&h.read("bot", &b, Version::V2, "", None).await);
        // e2 and e3 were delivered but never acknowledged: they are not lost.
        assert_eq!(events, [r#"{"id":"e2"}"#, r#"{"id":"e3"}"#]);
    }
}
