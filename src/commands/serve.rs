//! `feedctl serve`: run the emulated pod until stopped, serving events from a file or recorded
//! chunks from a journal, and storing what the bot sends back in the journal's outbox.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use serde_json::value::RawValue;

use crate::cli::{Global, ServeArgs};
use crate::exit::{Exit, Fail};
use crate::journal::{Journal, OutboxMessage, Selection};
use crate::output::Printer;
use crate::serve::{
    self, EventStore, FaultRule, Fetched, FileStore, FileStoreError, HubSettings, ServeOptions,
    ServedChunk, StoredEvents,
};

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

/// The recorded chunks of a journal (or of one recording), in order, as the rows of their
/// events: their bytes are read again when a feed reads them, so serve holds 8 bytes an event.
fn index_chunks(journal: &Journal, recording: Option<&str>) -> Result<Vec<ServedChunk>> {
    let sel = Selection {
        recording: recording.map(str::to_string),
        ..Selection::default()
    };
    let mut chunks: Vec<ServedChunk> = Vec::new();
    // Each row checked where SQLite lends it, only its key kept (copying every row whole into
    // an `EventRow` first was most of serve's start on a large journal). A Symphony pod serves
    // JSON text; bytes that are not (another source's) are skipped.
    journal.chunks_of(
        &sel,
        |row| {
            std::str::from_utf8(row.raw)
                .is_ok_and(|t| serde_json::from_str::<&RawValue>(t).is_ok())
                .then_some(row.row_id as u64)
        },
        |chunk| {
            chunks.push(ServedChunk {
                received_at: chunk.received_at,
                // By reference: collecting from `into_iter()` would keep the rows' larger buffer.
                keys: chunk.events.iter().flatten().copied().collect(),
            });
            true
        },
    )?;
    Ok(chunks)
}

/// The journal as serve's event store: a key is an event's row.
struct JournalStore {
    journal: Mutex<Journal>,
    path: PathBuf,
}

impl JournalStore {
    /// Opened once serve's own writer holds the journal, so this reader is a plain read-only
    /// one that sees the file as the writer changes it (not an `immutable` one, which may not).
    fn open(path: &Path) -> Result<Self> {
        Ok(JournalStore {
            journal: Mutex::new(Journal::open_read(path)?),
            path: path.to_path_buf(),
        })
    }
}

impl EventStore for JournalStore {
    fn fetch(&self, keys: &[u64]) -> Result<Vec<Fetched>, String> {
        let j = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .map(|&key| {
                let bytes = j
                    .raw_event(key as i64)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| self.changed(key))?;
                // The same bytes as served before reads came from the journal: the stored text.
                let text = std::str::from_utf8(&bytes).map_err(|_| self.changed(key))?;
                // The journal's id and stream columns are the recording source's (an entry id
                // for Redis), so the hub reads the event's own from its text.
                Ok(Fetched {
                    text: Arc::from(text),
                    known: None,
                })
            })
            .collect()
    }

    fn row(&self, key: u64) -> Option<i64> {
        Some(key as i64)
    }

    fn changed(&self, key: u64) -> String {
        format!(
            "the journal {} no longer holds the event of row {key} as it was; restart serve",
            self.path.display()
        )
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
    let events = match &args.events {
        // The built-in demo events; a file named `demo` is `./demo`.
        Some(path) if path.as_os_str() == "demo" => serve::read_ndjson(serve::DEMO_EVENTS)
            .map_err(|e| Fail::usage(format!("the built-in demo events: {e}")))?,
        Some(path) => {
            // Checked in full now, read again event by event as feeds read them.
            let file = FileStore::open(path).map_err(|e| match e {
                FileStoreError::Read(e) => Fail::usage(format!(
                    "cannot read the events file {}: {e}",
                    path.display()
                )),
                FileStoreError::Line(m) => Fail::usage(format!("{}: {m}", path.display())),
            })?;
            stored = Some(StoredEvents {
                at_once: (0..file.len() as u64).collect(),
                store: Arc::new(file),
                chunks: Vec::new(),
            });
            Vec::new()
        }
        None => Vec::new(),
    };
    // The journal: recorded chunks to serve (unless --events), and the outbox for replies.
    let mut chunks = Vec::new();
    let mut outbox: Option<Journal> = None;
    let (mut bot_user_id, mut bot_name) = (args.bot_user_id, args.bot_name.clone());
    if let Some(path) = &args.journal {
        if args.events.is_none() {
            let reader = Journal::open_read(path)?;
            if let Some(name) = &args.recording {
                if !reader.recordings()?.iter().any(|r| &r.name == name) {
                    return Err(Fail::usage(format!(
                        "{} has no recording `{name}`; `feedctl journal ls -j {}` lists them",
                        path.display(),
                        path.display()
                    ))
                    .into());
                }
            }
            chunks = index_chunks(&reader, args.recording.as_deref())?;
            // Present the bot that recorded, unless told otherwise.
            let recorded = reader.recordings()?.into_iter().find(|r| {
                args.recording.as_ref().is_none_or(|n| *n == r.name) && r.bot_user_id.is_some()
            });
            if let Some(r) = recorded {
                bot_user_id = bot_user_id.or(r.bot_user_id);
                bot_name = bot_name.or(r.username);
            }
        }
        outbox = Some(Journal::open_for_write(path)?);
        if !chunks.is_empty() {
            stored = Some(StoredEvents {
                store: Arc::new(JournalStore::open(path)?),
                at_once: Vec::new(),
                chunks: std::mem::take(&mut chunks),
            });
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
    let (count, chunk_count) = match &stored {
        Some(st) => (
            st.at_once.len() + st.chunks.iter().map(|c| c.keys.len()).sum::<usize>(),
            st.chunks.len(),
        ),
        None => (events.len(), 0),
    };
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
    let source = if chunk_count > 0 {
        format!(
            "{} in {}, published {} once a bot creates a feed",
            crate::text::counted(count as u64, "recorded event"),
            crate::text::counted(chunk_count as u64, "chunk"),
            match pace {
                None => "at once".to_string(),
                Some(f) => format!("at {f}x the recorded pace"),
            }
        )
    } else {
        crate::text::counted(count as u64, "event")
    };
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
    })
    .await
    .map_err(|e| Fail::usage(e.to_string()))?;
    p.line(&server.base_url)?;
    p.note(&format!(
        "serve: emulated Salesforce streaming endpoint at {} (token: /services/oauth2/token, Bayeux: /cometd/45.0) with {}; log in as {username} (password, refresh token and client credentials from SFDC_* or the documented demo ones{jwt}); stop with Ctrl-C",
        server.base_url,
        crate::text::counted(count as u64, "recorded event"),
    ));
    let interrupted = wait_for_stop().await.context("waiting for a stop signal")?;
    server.stop().await;
    Ok(if interrupted {
        Exit::Interrupted
    } else {
        Exit::Success
    })
}
