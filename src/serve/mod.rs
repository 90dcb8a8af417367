//! `feedctl serve`: an emulated pod on loopback that a bot kit, or feedctl itself, can talk to
//! (DESIGN §7). Start it in-process with [`start`], or as a process with `feedctl serve`.

pub mod faults;
mod hub;
mod reqlog;
mod routes;
pub mod salesforce;
mod sessions;
pub mod store;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use crate::FastMap;

pub use faults::{FaultRule, Faults};
pub use hub::{HubSettings, Published};
pub use reqlog::LoggedRequest;
pub use store::{Cursor, EventStore, Fetched, FileStore, FileStoreError, Known, StoreRead};

/// Everything `serve` can be told.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// The events to serve, in order (raw JSON objects), all available at once.
    pub events: Vec<Arc<RawValue>>,
    /// Events that stay in a file or journal until read: after `events`, or as recorded chunks.
    pub stored: Option<StoredEvents>,
    /// `None`: publish every chunk at once; `Some(f)`: the recorded gaps divided by `f`.
    pub pace: Option<f64>,
    /// Start the chunks again when they are all published.
    pub looped: bool,
    /// Where messages the bot sends are handed (the command stores them in a journal).
    pub outbox: Option<tokio::sync::mpsc::UnboundedSender<SentMessage>>,
    /// PEM public key that login JWTs must verify against; `None` means accept any key.
    pub public_key: Option<String>,
    pub bot_user_id: i64,
    pub bot_name: Option<String>,
    /// Whether session tokens allow Simplified Key Delivery (no key manager call).
    pub skd: bool,
    pub agent_version: String,
    pub hub: HubSettings,
    pub faults: Vec<FaultRule>,
    pub seed: u64,
    pub request_log: Option<PathBuf>,
    /// Echo each request on stderr.
    pub echo: bool,
    /// Serve HTTPS (and optionally verify client certificates) instead of plain HTTP.
    pub tls: Option<tls::TlsOptions>,
    /// `--state DIR`: the feeds kept across restarts (`DIR/symphony-state.json`).
    pub state: Option<PathBuf>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            events: Vec::new(),
            stored: None,
            pace: None,
            looped: false,
            outbox: None,
            public_key: None,
            bot_user_id: DEFAULT_BOT_USER_ID,
            bot_name: None,
            skd: false,
            agent_version: "Agent-25.8.1".into(),
            hub: HubSettings {
                poll_timeout: Duration::from_secs(30),
                visibility_timeout: Duration::from_secs(30),
                feed_ttl: Duration::from_secs(30 * 60),
                max_feeds: 20,
                batch_size: 100,
            },
            faults: Vec::new(),
            seed: 0,
            request_log: None,
            echo: false,
            tls: None,
            state: None,
        }
    }
}

/// Events served from a store, read when a feed reads them.
pub struct StoredEvents {
    pub store: Arc<dyn EventStore>,
    pub publish: Publish,
}

/// When a store's events enter the log.
pub enum Publish {
    /// All of them, from the start, after `events` (`serve --events FILE`).
    AtStart,
    /// Recorded chunks, once a client has created a feed: all at once without `pace`, else
    /// one by one from this source, paced as recorded.
    Recorded(Box<dyn ChunkSource>),
}

/// The recorded chunks of a store, in order, read as they are published (`--pace`).
pub trait ChunkSource: Send {
    /// The next chunk; `None` after the last.
    fn next_chunk(&mut self) -> Result<Option<RecordedChunk>, String>;
    /// Back to the first chunk (`--loop`).
    fn rewind(&mut self);
}

/// A recorded chunk to serve.
#[derive(Debug, Clone, Copy)]
pub struct RecordedChunk {
    /// When it was received (ms), for pacing.
    pub received_at: i64,
    /// Where its first and last events are in the store.
    pub first: Cursor,
    pub last: Cursor,
}

/// What the latest read that served a stream served there: the one event (its id and, when
/// served from a journal, its row), or several, when a reply cannot tell which it answers.
enum StreamServed {
    One(Arc<str>, Option<i64>),
    Several,
}

/// What reads served, to link a bot's reply to the event it answers. Every served event goes
/// through its maps: SipHash was a tenth of serve's time, hence [`FastMap`].
#[derive(Default)]
struct LastServed {
    /// Per stream: what the latest read that had any there served.
    by_stream: FastMap<Arc<str>, StreamServed>,
    /// Events served lately, by id: their journal row. Two generations: when the newer holds
    /// half of `SERVED_KEPT` ids it becomes the older and the older is dropped whole, so
    /// forgetting costs nothing per event (a queue of ids and a removal per event was a tenth
    /// of serve's CPU). A reply can name any of the last `SERVED_KEPT / 2` to `SERVED_KEPT`
    /// events served, and the two hold no more ids than the queue did.
    by_id: FastMap<Arc<str>, Option<i64>>,
    by_id_before: FastMap<Arc<str>, Option<i64>>,
}

impl LastServed {
    fn note(&mut self, id: &Arc<str>, row: Option<i64>) {
        if self.by_id.len() >= SERVED_KEPT / 2 {
            // Sized at once: growing it again step by step rehashed every id each time.
            let fresh = FastMap::with_capacity_and_hasher(SERVED_KEPT / 2, Default::default());
            self.by_id_before = std::mem::replace(&mut self.by_id, fresh);
        }
        self.by_id.insert(id.clone(), row);
    }

    fn row_of(&self, id: &str) -> Option<Option<i64>> {
        self.by_id
            .get(id)
            .or_else(|| self.by_id_before.get(id))
            .copied()
    }
}

/// How many served events a reply can at most still be linked to by id.
const SERVED_KEPT: usize = 100_000;

/// How many of the bot's messages are kept in memory.
const SENT_KEPT: usize = 10_000;

/// A message the bot sent (`POST /agent/v4/stream/{sid}/message/create`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SentMessage {
    pub at: i64,
    #[serde(rename = "streamId")]
    pub stream_id: String,
    pub message: Option<String>,
    pub data: Option<String>,
    /// The event the message answers, when the request tells (docs/testing-a-bot.md); else none.
    #[serde(rename = "answersEvent")]
    pub answers_event: Option<String>,
    #[serde(rename = "answersEventRow")]
    pub answers_row: Option<i64>,
    /// Everything else received (version, attachment names and sizes), as JSON.
    pub request: serde_json::Value,
}

/// The 40 demo events (fixtures/demo.ndjson), built into the binary: `serve --events demo` and
/// `feedctl demo` work from any directory.
pub const DEMO_EVENTS: &str = include_str!("../../fixtures/demo.ndjson");

/// The user id sessioninfo reports unless told otherwise (the demo bot of `fixtures/`).
pub const DEFAULT_BOT_USER_ID: i64 = 349026222344902;

/// Shared state of the running emulator.
pub(crate) struct App {
    sessions: sessions::Sessions,
    hub: hub::Hub,
    faults: Faults,
    log: reqlog::RequestLog,
    shutdown: CancellationToken,
    bot_user_id: i64,
    bot_name: Option<String>,
    /// Who a certificate login is for: `--bot-name`, else demo-bot.
    cert_user: String,
    /// Certificate login without a verified client certificate (`--accept-any-key`).
    accept_any_cert: bool,
    agent_version: String,
    base_url: OnceLock<String>,
    echo: bool,
    /// What reads served, to link a bot's reply to the event it answers.
    last_served: std::sync::Mutex<LastServed>,
    /// The last `SENT_KEPT` messages the bot sent (for in-process tests; the journal keeps all).
    sent: std::sync::Mutex<Vec<SentMessage>>,
    outbox: Option<tokio::sync::mpsc::UnboundedSender<SentMessage>>,
}

/// A running emulator.
pub struct Server {
    pub base_url: String,
    app: Arc<App>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the public key is not an RSA public key in PEM form ({0})")]
    BadPublicKey(String),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("cannot write the request log: {0}")]
    Log(std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
    /// `--state DIR` could not be read or written.
    #[error("{0}")]
    State(String),
}

/// Binds and starts serving in the background.
pub async fn start(opts: ServeOptions) -> Result<Server, ServeError> {
    let key = match &opts.public_key {
        Some(pem) => sessions::KeyCheck::PublicKey(Box::new(
            jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes())
                .map_err(|e| ServeError::BadPublicKey(e.to_string()))?,
        )),
        None => sessions::KeyCheck::AcceptAny,
    };
    let accept_any_cert = opts.public_key.is_none();
    let cert_user = opts.bot_name.clone().unwrap_or_else(|| "demo-bot".into());
    let acceptor = match &opts.tls {
        Some(t) => Some(tls::acceptor(t).map_err(ServeError::Tls)?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| ServeError::Bind(opts.listen, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError::Bind(opts.listen, e))?;
    let base_url = format!(
        "{}://{addr}",
        if acceptor.is_some() { "https" } else { "http" }
    );
    let mut hub = hub::Hub::new(opts.hub, opts.events);
    let mut recorded = None;
    if let Some(stored) = opts.stored {
        let at_once = matches!(stored.publish, Publish::AtStart);
        hub = hub.with_store(stored.store.clone(), at_once);
        if let Publish::Recorded(chunks) = stored.publish {
            recorded = Some((stored.store, chunks));
        }
    }
    if let Some(dir) = &opts.state {
        std::fs::create_dir_all(dir).map_err(|e| {
            ServeError::State(format!("--state: cannot create {}: {e}", dir.display()))
        })?;
        hub = hub
            .with_state(dir.join("symphony-state.json"))
            .map_err(ServeError::State)?;
    }
    let app = Arc::new(App {
        sessions: sessions::Sessions::new(key, opts.skd),
        hub,
        faults: Faults::new(opts.faults, opts.seed),
        log: reqlog::RequestLog::new(opts.request_log.as_deref(), opts.echo)
            .map_err(ServeError::Log)?,
        shutdown: CancellationToken::new(),
        bot_user_id: opts.bot_user_id,
        bot_name: opts.bot_name,
        cert_user,
        accept_any_cert,
        agent_version: opts.agent_version,
        base_url: OnceLock::new(),
        echo: opts.echo,
        last_served: Default::default(),
        sent: Default::default(),
        outbox: opts.outbox,
    });
    let _ = app.base_url.set(base_url.clone());
    if let Some((store, chunks)) = recorded {
        tokio::spawn(publish_chunks(
            app.clone(),
            store,
            chunks,
            opts.pace,
            opts.looped,
        ));
    }
    let router = routes::router(app.clone());
    let stop = app.shutdown.clone();
    let task = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<tls::Peer>();
        let served = axum::serve(
            tls::Listener {
                tcp: listener,
                tls: acceptor,
            },
            service,
        )
        .with_graceful_shutdown(async move { stop.cancelled().await });
        if let Err(e) = served.await {
            tracing::error!("serve stopped: {e}");
        }
    });
    Ok(Server {
        base_url,
        app,
        task,
    })
}

/// Publishes recorded chunks once a client has created a feed: all at once, or paced as
/// recorded (scaled), read from `chunks` as they are published. `--loop` publishes them
/// again: paced, once the last is published; at once, once a feed has read them all.
async fn publish_chunks(
    app: Arc<App>,
    store: Arc<dyn EventStore>,
    mut chunks: Box<dyn ChunkSource>,
    pace: Option<f64>,
    looped: bool,
) {
    tokio::select! {
        _ = app.hub.first_feed() => {}
        _ = app.shutdown.cancelled() => return,
    }
    loop {
        match pace {
            None => app.hub.publish_stored(store.begin(), None, false),
            Some(f) => {
                let mut previous: Option<i64> = None;
                loop {
                    let (back, next) = match tokio::task::spawn_blocking(move || {
                        let next = chunks.next_chunk();
                        (chunks, next)
                    })
                    .await
                    {
                        Ok(r) => r,
                        Err(e) => {
                            tracing::error!("reading the recorded chunks: {e}");
                            return;
                        }
                    };
                    chunks = back;
                    let chunk = match next {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => break,
                        Err(e) => {
                            tracing::error!("{e}");
                            return;
                        }
                    };
                    if let Some(p) = previous {
                        let gap = Duration::from_secs_f64(
                            ((chunk.received_at - p).max(0) as f64 / 1000.0) / f,
                        );
                        tokio::select! {
                            _ = tokio::time::sleep(gap) => {}
                            _ = app.shutdown.cancelled() => return,
                        }
                    }
                    app.hub
                        .publish_stored(chunk.first, Some(chunk.last), previous.is_some());
                    previous = Some(chunk.received_at);
                }
                chunks.rewind();
            }
        }
        if !looped {
            return;
        }
        if pace.is_none() {
            tokio::select! {
                _ = app.hub.drained() => {}
                _ = app.shutdown.cancelled() => return,
            }
        }
    }
}

impl Server {
    /// Every request served so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.app.log.snapshot()
    }

    /// Adds events to the log; every feed receives them.
    pub fn publish(&self, events: Vec<Arc<RawValue>>) {
        self.app.hub.publish(events);
    }

    pub fn event_count(&self) -> usize {
        self.app.hub.event_count()
    }

    /// Every message the bot sent so far.
    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.app.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Every token issued (for tests proving none leaks).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.app.sessions.issued_tokens()
    }

    /// Stops accepting, ends pending long polls, and waits for the server task.
    pub async fn stop(self) {
        self.app.shutdown.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Reads NDJSON events: one JSON object per line, blank lines skipped.
pub fn read_ndjson(text: &str) -> Result<Vec<Arc<RawValue>>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let raw: Box<RawValue> = serde_json::from_str(line)
            .map_err(|e| format!("line {}: not valid JSON: {e}", n + 1))?;
        if !raw.get().starts_with('{') {
            return Err(format!(
                "line {}: expected a JSON object (one V4Event per line)",
                n + 1
            ));
        }
        out.push(Arc::from(raw));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_ids_are_forgotten_a_generation_at_a_time() {
        let mut last = LastServed::default();
        let id = |n: usize| -> Arc<str> { Arc::from(format!("e{n}")) };
        for n in 0..SERVED_KEPT {
            last.note(&id(n), Some(n as i64));
        }
        // Every one of the last SERVED_KEPT is still known, with its row.
        assert_eq!(last.row_of("e0"), Some(Some(0)));
        assert_eq!(
            last.row_of(&id(SERVED_KEPT - 1)),
            Some(Some(SERVED_KEPT as i64 - 1))
        );
        // One more starts a generation: the oldest half goes, the latest half stays.
        last.note(&id(SERVED_KEPT), None);
        assert_eq!(last.row_of("e0"), None);
        assert_eq!(last.row_of(&id(SERVED_KEPT / 2 - 1)), None);
        assert_eq!(
            last.row_of(&id(SERVED_KEPT / 2)),
            Some(Some(SERVED_KEPT as i64 / 2))
        );
        assert_eq!(last.row_of(&id(SERVED_KEPT)), Some(None));
        assert!(last.by_id.len() + last.by_id_before.len() <= SERVED_KEPT);
    }
}
