//! `feedctl serve`: run the emulated pod until stopped, serving events from a file or recorded
//! chunks from a journal, and storing what the bot sends back in the journal's outbox.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use serde_json::value::RawValue;

use crate::cli::{Global, ServeArgs};
use crate::exit::{Exit, Fail};
use crate::journal::{Journal, OutboxMessage, Selection, ServedRowPlace};
use crate::output::Printer;
use crate::serve::{
    self, ChunkSource, Cursor, EventStore, FaultRule, Fetched, FileStore, FileStoreError,
    HubSettings, Known, Publish, RecordedChunk, ServeOptions, StoreRead, StoredEvents,
};
use crate::symphony::event::id_and_stream_spans;

/// `--pace`: `None` publishes everything at once.
fn parse_pace(s: &str) -> Result<Option<f64>, Fail> {
    match s.trim().to_ascii_lowercase().as_str() {
        "instant" | "max" => Ok(None),
        "original" => Ok(Some(1.0)),
        other => other
            .strip_suffix('x')
            .and_then(|n| n.parse::<f64>().ok())
            .filter(|f| f.is_finite() && *f > 0.0)
            .map(Some)
            .ok_or_else(|| {
                Fail::usage(format!(
                    "bad --pace `{s}`: expected instant, original, or a factor like 2x"
                ))
            }),
    }
}

/// The journal as serve's event store, read forward from a row as feeds read it: a cursor is
/// the index of a recording in `recordings` and a row of it. A Symphony pod serves JSON text;
/// rows that are not (another source's) are skipped.
struct JournalStore {
    journal: Mutex<Journal>,
    path: PathBuf,
    /// The recordings served, oldest first (the order every reader of the journal uses).
    recordings: Vec<i64>,
}

impl JournalStore {
    /// Opened once serve's own writer holds the journal, so this reader is a plain read-only
    /// one that sees the file as the writer changes it (not an `immutable` one, which may not).
    fn open(path: &Path, recordings: Vec<i64>) -> Result<Self> {
        Ok(JournalStore {
            journal: Mutex::new(Journal::open_read(path)?),
            path: path.to_path_buf(),
            recordings,
        })
    }
}

/// An event row as served: its text with its id and stream, unless it is not JSON at all.
fn served_row(at: Cursor, row: i64, raw: &[u8]) -> Option<Fetched> {
    let text = std::str::from_utf8(raw).ok()?;
    let known = match id_and_stream_spans(text) {
        Ok(spans) => Known::from_spans(text, spans),
        // JSON but not an object: served as it is stored, where the hub finds it is not an
        // event (a 500, as for one changed under serve).
        Err(_) => {
            serde_json::from_str::<&RawValue>(text).ok()?;
            None
        }
    };
    Some(Fetched {
        at,
        text: Arc::from(text),
        known,
        row: Some(row),
        chunk_end: false,
    })
}

impl EventStore for JournalStore {
    fn begin(&self) -> Cursor {
        Cursor { a: 0, b: 0 }
    }

    fn read(&self, from: Cursor, upto: Option<Cursor>, max: usize) -> Result<StoreRead, String> {
        let j = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = StoreRead::default();
        let (mut rec, mut row) = (from.a, from.b as i64);
        // The latest event found, held until the next one says whether it ends its chunk.
        let mut pending: Option<(Fetched, i64)> = None;
        let flush = |out: &mut StoreRead, pending: &mut Option<(Fetched, i64)>| {
            if let Some((mut f, _)) = pending.take() {
                f.chunk_end = true;
                out.events.push(f);
            }
        };
        loop {
            let Some(&recording) = self.recordings.get(rec as usize) else {
                flush(&mut out, &mut pending);
                out.end = true;
                out.next = Cursor { a: rec, b: 0 };
                break;
            };
            let last_row = match upto {
                Some(u) if u.a < rec => {
                    flush(&mut out, &mut pending);
                    out.end = true;
                    out.next = Cursor {
                        a: rec,
                        b: row as u64,
                    };
                    break;
                }
                Some(u) if u.a == rec => Some(u.b as i64),
                _ => None,
            };
            let (mut scanned, mut stopped) = (None, false);
            j.served_rows(recording, row, last_row, |r, chunk, raw| {
                scanned = Some(r);
                let Some(f) = served_row(
                    Cursor {
                        a: rec,
                        b: r as u64,
                    },
                    r,
                    raw,
                ) else {
                    return true;
                };
                if let Some((mut p, p_chunk)) = pending.take() {
                    p.chunk_end = p_chunk != chunk;
                    let ends = p.chunk_end;
                    out.events.push(p);
                    if ends || out.events.len() >= max {
                        out.next = f.at;
                        stopped = true;
                        return false;
                    }
                }
                pending = Some((f, chunk));
                true
            })
            .map_err(|e| e.to_string())?;
            if stopped {
                break;
            }
            // The recording's rows (up to `upto`) are all read: its last event ends its chunk.
            let ended = pending.is_some();
            flush(&mut out, &mut pending);
            if last_row.is_some() {
                out.end = true;
                out.next = Cursor {
                    a: rec,
                    b: scanned.map_or(row, |r| r + 1) as u64,
                };
                break;
            }
            (rec, row) = (rec + 1, 0);
            if ended {
                out.next = Cursor { a: rec, b: 0 };
                break;
            }
        }
        Ok(out)
    }

    fn changed(&self, at: Cursor) -> String {
        format!(
            "the journal {} no longer holds the event of row {} as it was; restart serve",
            self.path.display(),
            at.b
        )
    }
}

/// The recorded chunks of the journal's served recordings, read a page of rows at a time as
/// they are published (`--pace`): where each chunk's events are, and when it was received.
struct JournalChunks {
    journal: Journal,
    recordings: Vec<i64>,
    rec: usize,
    after: i64,
    page: std::collections::VecDeque<ServedRowPlace>,
    /// The chunk being gathered: its id and what is known of it.
    current: Option<(i64, RecordedChunk)>,
}

/// Rows read at once to find where chunks end.
const CHUNK_PAGE: usize = 4096;

impl JournalChunks {
    fn open(path: &Path, recordings: Vec<i64>) -> Result<Self> {
        Ok(JournalChunks {
            journal: Journal::open_read(path)?,
            recordings,
            rec: 0,
            after: 0,
            page: Default::default(),
            current: None,
        })
    }
}

impl ChunkSource for JournalChunks {
    fn next_chunk(&mut self) -> Result<Option<RecordedChunk>, String> {
        loop {
            if self.page.is_empty() {
                let Some(&recording) = self.recordings.get(self.rec) else {
                    return Ok(self.current.take().map(|(_, c)| c));
                };
                self.page = self
                    .journal
                    .served_row_places(recording, self.after, CHUNK_PAGE)
                    .map_err(|e| e.to_string())?
                    .into();
                if self.page.is_empty() {
                    (self.rec, self.after) = (self.rec + 1, 0);
                    if let Some((_, done)) = self.current.take() {
                        return Ok(Some(done));
                    }
                    continue;
                }
            }
            let Some(r) = self.page.pop_front() else {
                continue;
            };
            self.after = r.row;
            let at = Cursor {
                a: self.rec as u64,
                b: r.row as u64,
            };
            match &mut self.current {
                Some((chunk, c)) if *chunk == r.chunk => c.last = at,
                _ => {
                    let started = RecordedChunk {
                        received_at: r.received_at,
                        first: at,
                        last: at,
                    };
                    if let Some((_, done)) = self.current.replace((r.chunk, started)) {
                        return Ok(Some(done));
                    }
                }
            }
        }
    }

    fn rewind(&mut self) {
        (self.rec, self.after) = (0, 0);
        self.page.clear();
        self.current = None;
    }
}

/// A bot config for the official kits that points at this emulator.
fn bot_config(p: &Printer, args: &ServeArgs) -> Result<String, Fail> {
    if args.listen.port() == 0 {
        return Err(Fail::usage(
            "--print-config needs a fixed port: give --listen 127.0.0.1:PORT (not port 0)",
        ));
    }
    let username = args.bot_name.clone().unwrap_or_else(|| "demo-bot".into());
    let key = match &args.key_dir {
        Some(dir) => {
            let (private, public) = crate::keys::generate_key_pair(dir)
                .map_err(|e| Fail::usage(format!("cannot write a key pair into {}: {e}", dir.display())))?;
            p.note(&format!(
                "wrote a TEST key pair: {} (private) and {} (public); start serve with --public-key {}",
                private.display(),
                public.display(),
                public.display()
            ));
            format!("    path: {}", private.display())
        }
        None => "    path: /path/to/bot-private-key.pem   # the key whose public half serve checks (--public-key), or any key with --accept-any-key".into(),
    };
    Ok(format!(
        "# A bot config for the official Symphony bot kits (Java or Python), pointing every component\n\
         # at `feedctl serve` on {listen}. Plain HTTP and test credentials: for local testing only.\n\
         scheme: http\n\
         host: {host}\n\
         port: {port}\n\
         bot:\n  username: {username}\n  privateKey:\n{key}\n\
         datafeed:\n  version: v2\n",
        listen = args.listen,
        host = args.listen.ip(),
        port = args.listen.port(),
    ))
}

pub async fn run(_g: &Global, p: &Printer, args: &ServeArgs) -> Result<Exit> {
    if args.salesforce {
        return salesforce(p, args).await;
    }
    if args.print_config {
        p.line(bot_config(p, args)?.trim_end())?;
        return Ok(Exit::Success);
    }
    let pace = parse_pace(&args.pace)?;
    let mut stored: Option<StoredEvents> = None;
    // What the start note says the events are.
    let mut source = String::new();
    let events = match &args.events {
        // The built-in demo events; a file named `demo` is `./demo`.
        Some(path) if path.as_os_str() == "demo" => serve::read_ndjson(serve::DEMO_EVENTS)
            .map_err(|e| Fail::usage(format!("the built-in demo events: {e}")))?,
        Some(path) => {
            // Its first events checked now; the rest read, and checked, as feeds read them.
            let file = FileStore::open(path).map_err(|e| match e {
                FileStoreError::Read(e) => Fail::usage(format!(
                    "cannot read the events file {}: {e}",
                    path.display()
                )),
                FileStoreError::Line(m) => Fail::usage(format!("{}: {m}", path.display())),
            })?;
            stored = Some(StoredEvents {
                store: Arc::new(file),
                publish: Publish::AtStart,
            });
            source = format!("the events of {}, read as feeds read them", path.display());
            Vec::new()
        }
        None => Vec::new(),
    };
    // The journal: recorded chunks to serve (unless --events), and the outbox for replies.
    let mut outbox: Option<Journal> = None;
    let (mut bot_user_id, mut bot_name) = (args.bot_user_id, args.bot_name.clone());
    let mut served: Option<(Vec<i64>, u64)> = None;
    if let Some(path) = &args.journal {
        if args.events.is_none() {
            let reader = Journal::open_read(path)?;
            let recordings: Vec<_> = reader
                .served_recordings()?
                .into_iter()
                .filter(|r| args.recording.as_ref().is_none_or(|n| *n == r.name))
                .collect();
            if let (Some(name), true) = (&args.recording, recordings.is_empty()) {
                return Err(Fail::usage(format!(
                    "{} has no recording `{name}`; `feedctl journal ls -j {}` lists them",
                    path.display(),
                    path.display()
                ))
                .into());
            }
            // Present the bot that recorded, unless told otherwise.
            if let Some(r) = recordings.iter().find(|r| r.bot_user_id.is_some()) {
                bot_user_id = bot_user_id.or(r.bot_user_id);
                bot_name = bot_name.or(r.username.clone());
            }
            // From the counts kept per chunk: no pass over the events.
            let count = reader.count_events(&Selection {
                recording: args.recording.clone(),
                ..Selection::default()
            })?;
            served = Some((recordings.into_iter().map(|r| r.id).collect(), count));
        }
        outbox = Some(Journal::open_for_write(path)?);
        if let Some((recordings, count)) = served.filter(|(_, n)| *n > 0) {
            stored = Some(StoredEvents {
                store: Arc::new(JournalStore::open(path, recordings.clone())?),
                publish: Publish::Recorded(Box::new(JournalChunks::open(path, recordings)?)),
            });
            source = format!(
                "{} from {}, published {} once a bot creates a feed",
                crate::text::counted(count, "recorded event"),
                path.display(),
                match pace {
                    None => "at once".to_string(),
                    Some(f) => format!("at {f}x the recorded pace"),
                }
            );
        }
    }
    let public_key = match &args.public_key {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            Fail::usage(format!(
                "cannot read the public key {}: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    let read = |p: &std::path::PathBuf, what: &str| -> Result<String, Fail> {
        std::fs::read_to_string(p)
            .map_err(|e| Fail::usage(format!("cannot read the {what} {}: {e}", p.display())))
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(serve::tls::TlsOptions {
            cert_pem: read(cert, "TLS certificate")?,
            key_pem: read(key, "TLS key")?,
            client_ca_pem: args
                .client_ca
                .as_ref()
                .map(|c| read(c, "client CA"))
                .transpose()?,
        }),
        _ => None,
    };
    let faults = args
        .faults
        .iter()
        // An empty rule (`--fault ''`, `a,,b`, a trailing comma) is refused like any bad one.
        .flat_map(|f| f.split(','))
        .map(|f| f.trim().parse::<FaultRule>().map_err(Fail::usage))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.listen.ip().is_loopback() {
        tracing::warn!("serve listens on {}, which is reachable from other machines; it has no TLS and test credentials", args.listen);
    }
    let (sent_tx, mut sent_rx) = tokio::sync::mpsc::unbounded_channel::<serve::SentMessage>();
    let event_count = events.len();
    let server = serve::start(ServeOptions {
        listen: args.listen,
        events,
        stored,
        pace,
        looped: args.loop_,
        outbox: outbox.is_some().then_some(sent_tx),
        public_key,
        bot_user_id: bot_user_id.unwrap_or(serve::DEFAULT_BOT_USER_ID),
        bot_name,
        skd: args.skd,
        hub: HubSettings {
            poll_timeout: args.poll_timeout,
            visibility_timeout: args.visibility_timeout,
            feed_ttl: args.feed_ttl,
            max_feeds: args.max_feeds,
            batch_size: args.batch_size.max(1),
        },
        faults,
        seed: args.seed,
        request_log: args.request_log.clone(),
        echo: true,
        tls,
        state: args.state.clone(),
        ..ServeOptions::default()
    })
    .await
    .map_err(|e| Fail::usage(e.to_string()))?;
    // The base URL is the first line of stdout, so scripts and tests can read it.
    p.line(&server.base_url)?;
    if source.is_empty() {
        source = crate::text::counted(event_count as u64, "event");
    }
    p.note(&format!(
        "serve: emulated pod at {} with {source}; stop with Ctrl-C",
        server.base_url
    ));
    // Replies go into the journal as they come.
    let writer = tokio::spawn(async move {
        while let Some(m) = sent_rx.recv().await {
            if let Some(j) = outbox.as_ref() {
                let row = OutboxMessage {
                    id: 0,
                    at: m.at,
                    stream_id: m.stream_id,
                    message: m.message,
                    data: m.data,
                    answers_event_row: m.answers_row,
                    answers_event: m.answers_event,
                    request: Some(m.request.to_string()),
                };
                if let Err(e) = j.add_outbox(&row) {
                    tracing::error!("cannot store a message in the outbox: {e}");
                }
            }
        }
    });
    let interrupted = wait_for_stop().await.context("waiting for a stop signal")?;
    server.stop().await;
    let _ = writer.await;
    Ok(if interrupted {
        Exit::Interrupted
    } else {
        Exit::Success
    })
}

/// Waits for Ctrl-C (true) or SIGTERM (false).
async fn wait_for_stop() -> std::io::Result<bool> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.map(|_| true),
        _ = term.recv() => Ok(false),
    }
}

/// `serve --salesforce`: the emulated streaming endpoint, serving a Salesforce recording.
async fn salesforce(p: &Printer, args: &ServeArgs) -> Result<Exit> {
    use crate::serve::salesforce::{OrgLogin, RecordedMessage, SalesforceOptions};
    let pace = parse_pace(&args.pace)?;
    for c in &args.sfdc.channels {
        if !crate::salesforce::valid_channel(c) {
            return Err(Fail::usage(format!(
                "--channel `{}`: expected /topic/NAME, /event/NAME__e, /data/NAME or /u/NAME",
                crate::text::clip(c, 60)
            ))
            .into());
        }
    }
    let mut recorded = Vec::new();
    if let Some(path) = &args.journal {
        let reader = Journal::open_read(path)?;
        let ours: Vec<String> = reader
            .recordings()?
            .into_iter()
            .filter(|r| r.kind == "salesforce")
            .filter(|r| args.recording.as_ref().is_none_or(|n| *n == r.name))
            .map(|r| r.name)
            .collect();
        if ours.is_empty() {
            return Err(Fail::usage(format!(
                "{} has no Salesforce recording{}; `feedctl journal ls -j {}` lists them",
                path.display(),
                args.recording
                    .as_ref()
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default(),
                path.display()
            ))
            .into());
        }
        for name in ours {
            let sel = Selection {
                recording: Some(name),
                ..Selection::default()
            };
            reader.chunks(&sel, |chunk| {
                for row in chunk.events {
                    let Ok(raw) = String::from_utf8(row.raw) else {
                        continue;
                    };
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(&raw) else {
                        continue;
                    };
                    let channel = v
                        .get("channel")
                        .and_then(|c| c.as_str())
                        .unwrap_or("")
                        .to_string();
                    let Some(replay_id) =
                        v.pointer("/data/event/replayId").and_then(|r| r.as_i64())
                    else {
                        continue;
                    };
                    recorded.push(RecordedMessage {
                        channel,
                        replay_id,
                        raw,
                        received_at: chunk.received_at,
                    });
                }
                true
            })?;
        }
    }
    let demo = OrgLogin::demo();
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let login = OrgLogin {
        client_id: env("SFDC_CLIENT_ID").unwrap_or(demo.client_id),
        client_secret: env("SFDC_CLIENT_SECRET")
            .map(crate::config::Secret::new)
            .unwrap_or(demo.client_secret),
        username: env("SFDC_USERNAME").unwrap_or(demo.username),
        password: env("SFDC_PASSWORD")
            .map(crate::config::Secret::new)
            .unwrap_or(demo.password),
        refresh_token: env("SFDC_REFRESH_TOKEN")
            .map(crate::config::Secret::new)
            .unwrap_or(demo.refresh_token),
        jwt_key: match &args.sfdc.jwt_public_key {
            Some(path) => {
                let pem = std::fs::read_to_string(path).map_err(|e| {
                    Fail::usage(format!(
                        "--jwt-public-key: cannot read {}: {e}",
                        path.display()
                    ))
                })?;
                Some(
                    crate::serve::salesforce::JwtKey::from_pem(&pem).map_err(|e| {
                        Fail::usage(format!("--jwt-public-key {}: {e}", path.display()))
                    })?,
                )
            }
            None => None,
        },
    };
    let username = login.username.clone();
    let jwt = if login.jwt_key.is_some() {
        ", JWT bearer assertions signed by --jwt-public-key"
    } else {
        ""
    };
    let count = recorded.len();
    let server = crate::serve::salesforce::start(SalesforceOptions {
        listen: args.listen,
        login,
        channels: args.sfdc.channels.clone(),
        recorded,
        pace,
        poll_timeout: args.poll_timeout,
        session_timeout: args.sfdc.session_timeout,
        retention: args.sfdc.retention,
        batch_size: args.batch_size.max(1),
        echo: true,
        // A journal's emulator keeps its org beside the journal unless told where.
        state: args.state.clone().or_else(|| {
            args.journal.as_ref().map(|j| {
                let mut dir = j.clone().into_os_string();
                dir.push(".sfstate");
                std::path::PathBuf::from(dir)
            })
        }),
        first_replay_id: args.sfdc.first_replay_id,
        pubsub: args
            .sfdc
            .pubsub_listen
            .map(|listen| crate::serve::salesforce::PubSubOptions {
                listen,
                keepalive: args.sfdc.pubsub_keepalive,
                cert_pem: crate::serve::salesforce::TEST_CERT_PEM.to_string(),
                key_pem: crate::serve::salesforce::TEST_KEY_PEM.to_string(),
                plain: args.sfdc.pubsub_plain,
            }),
    })
    .await
    .map_err(|e| Fail::usage(e.to_string()))?;
    p.line(&server.base_url)?;
    if let Some(endpoint) = &server.pubsub_endpoint {
        p.line(endpoint)?;
    }
    p.note(&format!(
        "serve: emulated Salesforce streaming endpoint at {} (token: /services/oauth2/token, Bayeux: /cometd/45.0) with {}; log in as {username} (password, refresh token and client credentials from SFDC_* or the documented demo ones{jwt}); stop with Ctrl-C",
        server.base_url,
        crate::text::counted(count as u64, "recorded event"),
    ));
    if let Some(endpoint) = &server.pubsub_endpoint {
        p.note(&format!(
            "serve: Pub/Sub API (gRPC over TLS, test-only certificate for localhost) at {endpoint}; metadata accesstoken (from the token endpoint), instanceurl {} (https:// accepted), tenantid {}",
            server.base_url,
            crate::serve::salesforce::ORG_ID,
        ));
    }
    let interrupted = wait_for_stop().await.context("waiting for a stop signal")?;
    server.stop().await;
    Ok(if interrupted {
        Exit::Interrupted
    } else {
        Exit::Success
    })
}
