//! `feedctl serve`: an emulated pod on loopback that a bot kit, or feedctl itself, can talk to
//! (DESIGN §7). Start it in-process with [`start`], or as a process with `feedctl serve`.

pub mod faults;
mod hub;
mod reqlog;
mod routes;
mod sessions;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

pub use faults::{FaultRule, Faults};
pub use hub::HubSettings;
pub use reqlog::LoggedRequest;

/// Everything `serve` can be told.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// The events to serve, in order (raw JSON objects).
    pub events: Vec<Arc<RawValue>>,
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
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            events: Vec::new(),
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
        }
    }
}

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
    cert_user: Option<String>,
    agent_version: String,
    base_url: OnceLock<String>,
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
    let cert_user = opts
        .public_key
        .is_none()
        .then(|| opts.bot_name.clone().unwrap_or_else(|| "demo-bot".into()));
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| ServeError::Bind(opts.listen, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError::Bind(opts.listen, e))?;
    let base_url = format!("http://{addr}");
    let app = Arc::new(App {
        sessions: sessions::Sessions::new(key, opts.skd),
        hub: hub::Hub::new(opts.hub, opts.events),
        faults: Faults::new(opts.faults, opts.seed),
        log: reqlog::RequestLog::new(opts.request_log.as_deref(), opts.echo)
            .map_err(ServeError::Log)?,
        shutdown: CancellationToken::new(),
        bot_user_id: opts.bot_user_id,
        bot_name: opts.bot_name,
        cert_user,
        agent_version: opts.agent_version,
        base_url: OnceLock::new(),
    });
    let _ = app.base_url.set(base_url.clone());
    let router = routes::router(app.clone());
    let stop = app.shutdown.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router)
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
