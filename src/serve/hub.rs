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

use super::store::{Cursor, EventStore, Fetched, Known};

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

/// The log: runs of events held in memory and runs of a store's events, in order. A feed's
/// position is an index into the whole log, as before runs existed (`--state` keeps them).
#[derive(Default)]
struct Log {
    segments: Vec<Segment>,
}

enum Segment {
    /// Given in memory: in-process, the demo events, or injected while serve runs.
    Held(Vec<Arc<Published>>),
    /// Events of the store, read when a feed reads them.
    Stored(Run),
}

/// Where a position of the log is.
enum At {
    Held(usize, usize),
    /// In a run, at this ordinal of it: certain when the run's length is known or the ordinal
    /// was found before, else to be found by reading the run.
    Stored(usize, usize),
    /// Past the end of the log, which holds this many events.
    End(usize),
}

impl Log {
    fn locate(&self, p: usize) -> At {
        let mut start = 0;
        for (i, seg) in self.segments.iter().enumerate() {
            let len = match seg {
                Segment::Held(v) => v.len(),
                Segment::Stored(r) => match r.len {
                    Some(n) => n,
                    None => return At::Stored(i, p - start),
                },
            };
            if p < start + len {
                return match seg {
                    Segment::Held(_) => At::Held(i, p - start),
                    Segment::Stored(_) => At::Stored(i, p - start),
                };
            }
            start += len;
        }
        At::End(start)
    }

    fn push_held(&mut self, events: impl IntoIterator<Item = Arc<Published>>) {
        if !matches!(self.segments.last(), Some(Segment::Held(_))) {
            self.segments.push(Segment::Held(Vec::new()));
        }
        if let Some(Segment::Held(v)) = self.segments.last_mut() {
            v.extend(events);
        }
    }

    /// Events known so far: every held one, and those of the runs found by reads.
    fn known_len(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Held(v) => v.len(),
                Segment::Stored(r) => r.len.unwrap_or(r.found),
            })
            .sum()
    }
}

/// Every how many events of a run the hub notes where the event is in the store, so that any
/// position found before is read again after at most this many others (a re-queued batch, a
/// feed created later, one restored by `--state`): 16 bytes per 4096 events.
const CHECKPOINT: usize = 4096;
/// How many places of lately read events each run keeps, so that the next read of a feed, and
/// the re-read of a batch not acknowledged, start right where they are.
const HINTS: usize = 256;
/// The most events one store read skips over or asks for at once.
const READ_STEP: usize = 1024;

/// A run of the store's events in the log: from `begin`, to `upto` (the last event of the
/// latest recorded chunk published; `None`: the store's end), found as feeds read it.
struct Run {
    upto: Option<Cursor>,
    /// How many events it holds, once a read reached its end (up to `upto` as it is now).
    len: Option<usize>,
    /// Events found so far by reads (ordinals `0..found`), and where the next one is.
    found: usize,
    frontier: Cursor,
    /// `checkpoints[i]`: where the event of ordinal `i * CHECKPOINT` is.
    checkpoints: Vec<Cursor>,
    /// Where lately read events are: (ordinal, place), oldest first.
    hints: VecDeque<(usize, Cursor)>,
}

impl Run {
    fn new(begin: Cursor, upto: Option<Cursor>) -> Run {
        Run {
            upto,
            len: None,
            found: 0,
            frontier: begin,
            checkpoints: vec![begin],
            hints: VecDeque::new(),
        }
    }

    /// The nearest place known at or before `ordinal`: (its ordinal, where it is).
    fn place_before(&self, ordinal: usize) -> (usize, Cursor) {
        if ordinal >= self.found {
            return (self.found, self.frontier);
        }
        let i = (ordinal / CHECKPOINT).min(self.checkpoints.len() - 1);
        let mut best = (i * CHECKPOINT, self.checkpoints[i]);
        for &(o, at) in &self.hints {
            if o <= ordinal && o > best.0 {
                best = (o, at);
            }
        }
        best
    }

    /// What a read of the store learnt about this run.
    fn learn(&mut self, span: &Span) {
        if span.from <= self.found && span.to > self.found {
            for &(o, at) in &span.marks {
                if o >= self.found && o == self.checkpoints.len() * CHECKPOINT {
                    self.checkpoints.push(at);
                }
            }
            self.found = span.to;
            self.frontier = span.next;
        }
        if span.end && span.upto == self.upto && span.to == self.found {
            self.len = Some(span.to);
        }
        for &(o, at) in &span.hints {
            if o < self.found && !self.hints.iter().any(|&(h, _)| h == o) {
                if self.hints.len() == HINTS {
                    self.hints.pop_front();
                }
                self.hints.push_back((o, at));
            }
        }
    }
}

/// What one read of a run found: events `from..to` of it read in order, where the next one is,
/// and places worth keeping.
#[derive(Default)]
struct Span {
    from: usize,
    to: usize,
    next: Cursor,
    /// Places of events whose ordinal is a multiple of CHECKPOINT.
    marks: Vec<(usize, Cursor)>,
    /// Places of the first event wanted and of the next one.
    hints: Vec<(usize, Cursor)>,
    /// The run has no event at `to` (up to `upto`).
    end: bool,
    upto: Option<Cursor>,
    /// The event at `to` cannot be served.
    bad: Option<String>,
}

/// Events wanted by a read: re-queued ones (not `new`), then new ones.
enum Want {
    Held { event: Arc<Published>, new: bool },
    Stored(StoredWant),
}

#[derive(Clone)]
struct StoredWant {
    segment: usize,
    ordinal: usize,
    count: usize,
    /// New events: stop after the end of a recorded chunk.
    new: bool,
    place: (usize, Cursor),
    upto: Option<Cursor>,
}

/// Reads `want` from the store, starting at the place known before it: the events wanted,
/// and what the read learnt.
fn read_run(store: &dyn EventStore, want: &StoredWant) -> Result<(Vec<Fetched>, Span), String> {
    let (mut o, mut at) = want.place;
    let mut span = Span {
        from: o,
        upto: want.upto,
        ..Span::default()
    };
    let mut got: Vec<Fetched> = Vec::new();
    loop {
        let need = if o < want.ordinal {
            want.ordinal - o
        } else {
            want.count - got.len()
        };
        if need == 0 {
            break;
        }
        let read = store.read(at, want.upto, need.min(READ_STEP))?;
        let some = !read.events.is_empty();
        for e in read.events {
            if o % CHECKPOINT == 0 {
                span.marks.push((o, e.at));
            }
            if o == want.ordinal {
                span.hints.push((o, e.at));
            }
            if o >= want.ordinal {
                got.push(e);
            }
            o += 1;
        }
        at = read.next;
        if read.bad.is_some() {
            span.bad = read.bad;
            break;
        }
        if read.end {
            span.end = true;
            break;
        }
        if !some || (want.new && got.last().is_some_and(|e| e.chunk_end)) {
            break;
        }
    }
    span.to = o;
    span.next = at;
    span.hints.push((o, at));
    Ok((got, span))
}

#[derive(Default)]
struct State {
    log: Log,
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
    /// Events to read from the store (outside the lock) before answering.
    Fetch(Plan),
    Wait(Instant),
}

/// How the second half of a read ends.
enum Settled {
    Answer(ReadOutcome),
    /// The feed moved, or the store held less than planned: plan again.
    Replan,
    /// Nothing to deliver yet.
    Wait,
}

/// What a read is to deliver, as planned under the lock; checked again once the store was read.
struct Plan {
    wants: Vec<Want>,
    /// The re-queued positions taken (the feed's first ones), and those of them in the log.
    requeued: Vec<usize>,
    requeued_served: Vec<usize>,
    /// Where the feed's new events start.
    new_from: usize,
}

pub struct Hub {
    settings: HubSettings,
    /// A feed found nothing more to read: `--loop` without pacing publishes the next round.
    drained: Notify,
    /// The store's events after those a read just delivered, being read for the feed's next
    /// read (one batch: the read-ahead window).
    ahead: Mutex<Option<Ahead>>,
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
        let mut log = Log::default();
        if !events.is_empty() {
            log.push_held(events.iter().map(|e| Arc::new(Published::new(e))));
        }
        Hub {
            settings,
            drained: Notify::new(),
            ahead: Mutex::new(None),
            kept: None,
            store: None,
            state: Mutex::new(State {
                log,
                ..Default::default()
            }),
            arrived: Notify::new(),
            created: Notify::new(),
        }
    }

    /// Serves the events of `store` too: all of them from the start after the events given to
    /// [`Hub::new`] when `at_once`, else as published by [`Hub::publish_stored`].
    pub fn with_store(mut self, store: Arc<dyn EventStore>, at_once: bool) -> Self {
        if at_once {
            let log = &mut self.state.get_mut().unwrap_or_else(|e| e.into_inner()).log;
            log.segments
                .push(Segment::Stored(Run::new(store.begin(), None)));
        }
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
                    st.log.push_held([Arc::new(Published::new(&raw))]);
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
            // Positions past the log are dropped here when its length is known, else by the
            // reads that find where it ends.
            let unknown = st
                .log
                .segments
                .iter()
                .any(|s| matches!(s, Segment::Stored(r) if r.len.is_none()));
            let len = match unknown {
                true => usize::MAX,
                false => st.log.known_len(),
            };
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
        st.log
            .push_held(events.iter().map(|e| Arc::new(Published::new(e))));
        drop(st);
        self.arrived.notify_waiters();
    }

    /// Appends the store's events from `from` to `upto` (the last event of a recorded chunk;
    /// `None`: to the store's end). `continues`: they follow the events published before
    /// without a gap, so the run the log ends with, if any, grows instead of a new one.
    pub fn publish_stored(&self, from: Cursor, upto: Option<Cursor>, continues: bool) {
        let mut st = self.lock();
        match st.log.segments.last_mut() {
            Some(Segment::Stored(run)) if continues => {
                run.upto = upto;
                run.len = None;
            }
            _ => st.log.segments.push(Segment::Stored(Run::new(from, upto))),
        }
        drop(st);
        self.arrived.notify_waiters();
    }

    /// Waits until a feed has read everything published.
    pub async fn drained(&self) {
        self.drained.notified().await;
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

    /// The events in the log, as far as reads have found the store's runs.
    pub fn event_count(&self) -> usize {
        self.lock().log.known_len()
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
    ///
    /// The events are planned under the lock, read from the store outside it (file or SQLite
    /// I/O, on a blocking thread), and delivered if the feed did not move meanwhile (else the
    /// read is planned again).
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
        // Plans made again at once because a read of the store found more than was known.
        let mut replans = 0;
        loop {
            let notified = self.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let step = {
                let mut st = self.lock();
                let now = Instant::now();
                self.expire(&mut st, now);
                let st = &mut *st;
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
                let plan = plan_read(&st.log, feed, batch_size);
                if plan.wants.is_empty() {
                    self.drained.notify_waiters();
                }
                if !plan.wants.is_empty() || !plan.requeued.is_empty() || now >= poll_deadline {
                    Step::Fetch(plan)
                } else {
                    let requeue_at = feed.earliest_deadline().unwrap_or(poll_deadline);
                    Step::Wait(requeue_at.min(poll_deadline))
                }
            };
            let plan = match step {
                Step::Wait(until) => {
                    let _ = tokio::time::timeout_at(until.into(), notified).await;
                    continue;
                }
                Step::Fetch(plan) => plan,
            };
            let fetched = match self.fetch(&plan).await {
                Ok(fetched) => fetched,
                Err(e) => return ReadOutcome::Unavailable(e),
            };
            match self.settle(owner, id, version, plan, fetched, poll_deadline, replans) {
                Settled::Answer(outcome) => return outcome,
                Settled::Replan => replans += 1,
                Settled::Wait => {
                    let _ = tokio::time::timeout_at(poll_deadline.into(), notified).await;
                }
            }
        }
    }

    /// The second half of a read, under the lock again: what the store reads found is noted,
    /// and the plan delivered if the feed did not move meanwhile.
    #[allow(clippy::too_many_arguments)]
    fn settle(
        &self,
        owner: &str,
        id: &str,
        version: Version,
        plan: Plan,
        fetched: Vec<(Vec<Fetched>, Option<Span>)>,
        poll_deadline: Instant,
        replans: usize,
    ) -> Settled {
        let mut st = self.lock();
        let st = &mut *st;
        // What the reads of the store found stays true whatever the feed did meanwhile.
        let mut failure = None;
        let mut ended_empty = false;
        for (want, (got, span)) in plan.wants.iter().zip(&fetched) {
            let (Want::Stored(w), Some(span)) = (want, span) else {
                continue;
            };
            if let Some(Segment::Stored(run)) = st.log.segments.get_mut(w.segment) {
                let knew = run.found;
                run.learn(span);
                ended_empty |= w.new && got.is_empty() && span.end;
                if let (Some(bad), None) = (&span.bad, &failure) {
                    // Read before, and now not one event: the store changed under serve.
                    failure = Some(match span.to < knew {
                        true => self.changed(span.next),
                        false => bad.clone(),
                    });
                }
            }
        }
        let Some(feed) = st
            .feeds
            .get_mut(id)
            .filter(|f| f.owner == owner && f.version == version)
        else {
            return Settled::Answer(ReadOutcome::UnknownFeed);
        };
        let unmoved = feed.next == plan.new_from
            && feed.requeued.len() >= plan.requeued.len()
            && feed
                .requeued
                .iter()
                .take(plan.requeued.len())
                .eq(plan.requeued.iter());
        let mut events = Vec::with_capacity(plan.requeued.len() + 16);
        let (mut requeued, mut new) = (0, 0);
        // Where the feed's next read of the store will start, to read it ahead.
        let mut next_want = None;
        for (want, (got, span)) in plan.wants.iter().zip(fetched) {
            if let (Want::Stored(w), Some(span)) = (want, &span) {
                let read_on = w.new && !got.is_empty() && !span.end && span.bad.is_none();
                if read_on && span.to == w.ordinal + got.len() {
                    next_want = Some(StoredWant {
                        ordinal: span.to,
                        place: (span.to, span.next),
                        ..w.clone()
                    });
                }
            }
            let (n, is_new) = match want {
                Want::Held { event, new } => {
                    events.push((**event).clone());
                    (1, *new)
                }
                Want::Stored(w) => {
                    let n = got.len();
                    for f in got {
                        match self.published(f) {
                            Ok(p) => events.push(p),
                            Err(e) => return Settled::Answer(ReadOutcome::Unavailable(e)),
                        }
                    }
                    (n, w.new)
                }
            };
            match is_new {
                true => new += n,
                false => requeued += n,
            }
        }
        // A run held fewer events than planned (its end was not known yet): plan again.
        let short = requeued < plan.requeued_served.len() || (events.is_empty() && ended_empty);
        if !unmoved || (short && replans < MAX_REPLANS) {
            return Settled::Replan;
        }
        if events.is_empty() {
            if let Some(e) = failure {
                return Settled::Answer(ReadOutcome::Unavailable(e));
            }
        }
        let now = Instant::now();
        if events.is_empty() && now < poll_deadline {
            return Settled::Wait;
        }
        if short {
            // Still not what was planned after planning again: the store lost events found
            // before. Nothing is taken from the feed.
            let why = failure.unwrap_or_else(|| {
                "the served events changed while serve runs (fewer than were read before); restart serve".into()
            });
            return Settled::Answer(ReadOutcome::Unavailable(why));
        }
        feed.requeued.drain(..plan.requeued.len());
        feed.next = plan.new_from + new;
        let mut positions = plan.requeued_served;
        positions.extend(plan.new_from..plan.new_from + new);
        let new_ack = (version == Version::V2).then(|| format!("{ACK_PREFIX}{}", random_hex(24)));
        if let Some(ack) = &new_ack {
            if !positions.is_empty() {
                feed.inflight.insert(
                    ack.clone(),
                    Batch {
                        positions,
                        deadline: now + self.settings.visibility_timeout,
                    },
                );
            }
        }
        self.save(st);
        if let (Some(w), Some(store)) = (next_want, &self.store) {
            let store = store.clone();
            let key = ahead_key(&w);
            let task = tokio::task::spawn_blocking(move || read_run(&*store, &w));
            *self.ahead.lock().unwrap_or_else(|e| e.into_inner()) = Some(Ahead { key, task });
        }
        Settled::Answer(ReadOutcome::Events {
            events,
            ack_id: new_ack,
        })
    }

    /// Reads the stored events a plan wants, on a blocking thread: for each want, the events
    /// and what the read learnt (`None` for a held event).
    async fn fetch(&self, plan: &Plan) -> Result<Vec<(Vec<Fetched>, Option<Span>)>, String> {
        let mut stored: Vec<StoredWant> = plan
            .wants
            .iter()
            .filter_map(|w| match w {
                Want::Stored(w) => Some(w.clone()),
                Want::Held { .. } => None,
            })
            .collect();
        // The feed's new events may be read already, or being read, by the read-ahead.
        let ahead = match stored.last() {
            Some(w) if w.new => {
                let mut slot = self.ahead.lock().unwrap_or_else(|e| e.into_inner());
                match slot.as_ref().is_some_and(|a| a.key == ahead_key(w)) {
                    true => slot.take().zip(stored.pop()),
                    false => None,
                }
            }
            _ => None,
        };
        let store = match &self.store {
            Some(store) => store.clone(),
            None if stored.is_empty() && ahead.is_none() => {
                return Ok(plan.wants.iter().map(|_| (Vec::new(), None)).collect())
            }
            None => return Err("the log names stored events, but serve has no event store".into()),
        };
        let mut read = Vec::new();
        if !stored.is_empty() {
            let store = store.clone();
            read = tokio::task::spawn_blocking(move || {
                stored
                    .iter()
                    .map(|w| read_run(&*store, w))
                    .collect::<Result<Vec<_>, String>>()
            })
            .await
            .map_err(|e| format!("reading the served events: {e}"))??;
        }
        if let Some((ahead, w)) = ahead {
            let got = match ahead.task.await {
                Ok(got) => got?,
                // The read-ahead did not finish: read now.
                Err(_) => tokio::task::spawn_blocking(move || read_run(&*store, &w))
                    .await
                    .map_err(|e| format!("reading the served events: {e}"))??,
            };
            read.push(got);
        }
        let mut read = read.into_iter();
        Ok(plan
            .wants
            .iter()
            .map(|w| match w {
                Want::Held { .. } => (Vec::new(), None),
                Want::Stored(_) => read
                    .next()
                    .map(|(got, span)| (got, Some(span)))
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// A stored event as the log serves it.
    fn published(&self, f: Fetched) -> Result<Published, String> {
        let published = match f.known {
            Some(known) => Published::with(f.text, known),
            None => Published::read(f.text).ok_or_else(|| self.changed(f.at))?,
        };
        Ok(Published {
            row: f.row,
            chunk_end: f.chunk_end,
            ..published
        })
    }

    fn changed(&self, at: Cursor) -> String {
        match &self.store {
            Some(store) => store.changed(at),
            None => "the served events changed".into(),
        }
    }
}

/// A read of the store started ahead of the read that will want it.
struct Ahead {
    /// The want it answers: segment, ordinal, count, upto.
    key: AheadKey,
    task: tokio::task::JoinHandle<Result<(Vec<Fetched>, Span), String>>,
}

type AheadKey = (usize, usize, usize, Option<Cursor>);

fn ahead_key(w: &StoredWant) -> AheadKey {
    (w.segment, w.ordinal, w.count, w.upto)
}

/// How many times one read plans again at once when the store held fewer events than known.
const MAX_REPLANS: usize = 8;

/// What a read of `feed` is to deliver: its re-queued events first, then new ones from its
/// position (never past the end of a recorded chunk, nor past the end of a run).
fn plan_read(log: &Log, feed: &mut Feed, batch: usize) -> Plan {
    let mut plan = Plan {
        wants: Vec::new(),
        requeued: Vec::new(),
        requeued_served: Vec::new(),
        new_from: 0,
    };
    let stored_want = |i: usize, o: usize, new: bool, count: usize| -> Option<Want> {
        match &log.segments[i] {
            Segment::Stored(run) => Some(Want::Stored(StoredWant {
                segment: i,
                ordinal: o,
                count,
                new,
                place: run.place_before(o),
                upto: run.upto,
            })),
            Segment::Held(_) => None,
        }
    };
    let held = |i: usize, o: usize| match &log.segments[i] {
        Segment::Held(v) => v.get(o).cloned(),
        Segment::Stored(_) => None,
    };
    for &p in feed.requeued.iter().take(batch) {
        plan.requeued.push(p);
        match log.locate(p) {
            At::Held(i, o) => {
                if let Some(event) = held(i, o) {
                    plan.wants.push(Want::Held { event, new: false });
                    plan.requeued_served.push(p);
                }
            }
            At::Stored(i, o) => {
                plan.requeued_served.push(p);
                if let Some(Want::Stored(w)) = plan.wants.last_mut() {
                    if !w.new && w.segment == i && w.ordinal + w.count == o {
                        w.count += 1;
                        continue;
                    }
                }
                plan.wants.extend(stored_want(i, o, false, 1));
            }
            // Past the end of the log (a position `--state` kept of a longer one): gone.
            At::End(_) => {}
        }
    }
    let room = batch - plan.requeued.len();
    let at = log.locate(feed.next);
    if let At::End(total) = at {
        feed.next = feed.next.min(total);
    }
    plan.new_from = feed.next;
    if room > 0 {
        match at {
            At::Held(i, o) => {
                if let Segment::Held(v) = &log.segments[i] {
                    plan.wants
                        .extend(v[o..].iter().take(room).map(|e| Want::Held {
                            event: e.clone(),
                            new: true,
                        }));
                }
            }
            At::Stored(i, o) => plan.wants.extend(stored_want(i, o, true, room)),
            At::End(_) => {}
        }
    }
    plan
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

    /// Events `{"id":"eN"}` in memory, read as a store: a cursor is an event's index.
    struct Numbered(usize);

    impl EventStore for Numbered {
        fn begin(&self) -> Cursor {
            Cursor::default()
        }

        fn read(
            &self,
            from: Cursor,
            _upto: Option<Cursor>,
            max: usize,
        ) -> Result<super::super::store::StoreRead, String> {
            let from = from.a as usize;
            let to = (from + max).min(self.0);
            Ok(super::super::store::StoreRead {
                events: (from..to)
                    .map(|i| Fetched {
                        at: Cursor { a: i as u64, b: 0 },
                        text: Arc::from(format!("{{\"id\":\"e{i}\"}}")),
                        known: None,
                        row: None,
                        chunk_end: false,
                    })
                    .collect(),
                next: Cursor { a: to as u64, b: 0 },
                end: to == self.0,
                bad: None,
            })
        }

        fn changed(&self, _at: Cursor) -> String {
            "changed".into()
        }
    }

    fn names(from: usize, to: usize) -> Vec<String> {
        (from..to).map(|i| format!("{{\"id\":\"e{i}\"}}")).collect()
    }

    #[tokio::test]
    async fn a_batch_whose_place_was_forgotten_is_read_again_from_a_checkpoint() {
        let h = Hub::new(
            HubSettings {
                poll_timeout: Duration::from_millis(50),
                visibility_timeout: Duration::from_millis(300),
                feed_ttl: Duration::from_secs(60),
                max_feeds: 5,
                batch_size: 7,
            },
            Vec::new(),
        )
        .with_store(Arc::new(Numbered(20_000)), true);
        // A reads 5005 events, acknowledging all but its last batch (4998..5005).
        let (a, _) = h.create("bot", Some("a".into()), Version::V2).unwrap();
        let mut ack = String::new();
        let mut last = Vec::new();
        for _ in 0..715 {
            let (events, next) = ids(&h.read("bot", &a, Version::V2, &ack, None).await);
            ack = next.unwrap();
            last = events;
        }
        assert_eq!(last, names(4998, 5005));
        // A v1 feed reads 3 at a time: 400 reads, each place new, push A's out of the hints.
        let (b, _) = h.create("bot", None, Version::V1).unwrap();
        for i in 0..400 {
            let (events, _) = ids(&h.read("bot", &b, Version::V1, "", Some(3)).await);
            assert_eq!(events, names(3 * i, 3 * i + 3));
        }
        {
            let st = h.lock();
            let Some(Segment::Stored(run)) = st.log.segments.first() else {
                panic!("one run");
            };
            assert!(run.hints.len() <= HINTS);
            assert!(!run.hints.iter().any(|&(o, _)| o == 4998), "forgotten");
            assert_eq!(run.checkpoints.len(), 2, "one at 0, one at 4096");
            assert_eq!(run.len, None, "the end not read yet");
        }
        tokio::time::sleep(Duration::from_millis(350)).await;
        let (again, _) = ids(&h
            .read("bot", &a, Version::V2, "ack-unknownbutwellformed", None)
            .await);
        assert_eq!(
            again,
            names(4998, 5005),
            "re-read from the checkpoint at 4096"
        );
        let (next, _) = ids(&h.read("bot", &a, Version::V2, "", None).await);
        assert_eq!(next, names(5005, 5012));
    }
}
