//! Salesforce Pub/Sub API topics as a `feed::Source`: log in (the Streaming API source's
//! logins), one gRPC connection, one `Subscribe` stream per topic with bounded flow control
//! (`num_requested` asked again only as the keeper commits), payloads decoded with the schema
//! `GetSchema` gives (cached). Each `FetchResponse` is one chunk; a keepalive that moves the
//! position is a chunk without events, so the marker moves too. The marker of a topic is its
//! replay id, bytes kept exactly (docs/salesforce.md, "Pub/Sub API source").

use std::collections::{BTreeMap, HashMap};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::stream::{SelectAll, Stream, StreamExt};
use serde_json::{json, Value};
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::avro::{EventSchema, Payload};
use super::proto::pub_sub_client::PubSubClient;
use super::proto::{FetchRequest, FetchResponse, ReplayPreset, SchemaRequest};
use crate::config::Retry;
use crate::feed::{
    Ack, Backoff, Chunk, Committed, Cursor, ErrorClass, Notice, Source, SourceError,
};
use crate::salesforce::auth::{login, Credentials, LoginError, Session};
use crate::salesforce::message::Index;
use crate::salesforce::{Fallback, Message, ReplayStart};

/// Salesforce's error codes (the `error-code` trailer) for a replay id it cannot resume from.
pub const REPLAY_CODES: &[&str] = &[
    "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
    "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed",
];

/// Salesforce's error code for a refused token.
pub const AUTH_CODE: &str = "sfdc.platform.eventbus.grpc.service.auth.error";

/// A stream that brought nothing, not even a keepalive, for this long is taken as dead and
/// opened again (Salesforce sends a keepalive within 270 s).
pub const STREAM_IDLE: Duration = Duration::from_secs(300);

/// `--exit-at-end`: nothing more is coming once a subscription brought nothing for this long.
pub const END_IDLE: Duration = Duration::from_secs(3);

/// Most bytes of one `FetchResponse` (Salesforce: an event is at most 1 MB; a response holds at
/// most `num_requested` of them).
pub const MAX_RESPONSE: usize = 16 << 20;

/// Most schemas kept (a topic gets a new one when its fields change).
const MAX_SCHEMAS: usize = 1_000;

/// How long one call (connect, Subscribe, GetSchema, a login) may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything the source needs.
#[derive(Debug, Clone)]
pub struct PubSubOptions {
    /// `https://HOST:PORT` (or `http://` for a loopback emulator).
    pub endpoint: String,
    /// The host name the server's certificate must name.
    pub host: String,
    /// `--pubsub-ca`: trust only these certificates (PEM); else the system's and Mozilla's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Where the grants log in.
    pub login_url: String,
    pub topics: Vec<String>,
    pub credentials: Credentials,
    pub replay: ReplayStart,
    pub fallback: Option<Fallback>,
    /// How long the source may stay disconnected before it gives up; `None`: forever.
    pub connection_timeout: Option<Duration>,
    /// Most events requested and not yet committed, per topic (`num_requested`).
    pub max_pending: usize,
    pub retry: Retry,
    /// Markers to resume from (a recording's), per topic.
    pub markers: BTreeMap<String, Cursor>,
    pub exit_at_end: bool,
}

/// Where a topic stands: a replay id (bytes, exactly as received), or a preset until the
/// first event (after a fallback).
#[derive(Debug, Clone, PartialEq)]
enum Mark {
    Id(Vec<u8>),
    Preset(ReplayPreset),
}

impl Mark {
    /// A marker as stored: `{"replayIdBytes":"BASE64","replayId":N}` (N when the bytes are one,
    /// as the Streaming API's marker has it), `{"replayPreset":"EARLIEST"}` after a fallback.
    /// A Streaming API marker (`replayId` only) is read too.
    fn from_cursor(c: &Cursor) -> Option<Mark> {
        let v = c.value();
        if let Some(b) = v.get("replayIdBytes").and_then(Value::as_str) {
            return base64::engine::general_purpose::STANDARD
                .decode(b)
                .ok()
                .map(Mark::Id);
        }
        if let Some(p) = v.get("replayPreset").and_then(Value::as_str) {
            return ReplayPreset::from_str_name(p).map(Mark::Preset);
        }
        match v.get("replayId").and_then(Value::as_i64)? {
            -2 => Some(Mark::Preset(ReplayPreset::Earliest)),
            id if id < 0 => Some(Mark::Preset(ReplayPreset::Latest)),
            id => Some(Mark::Id(super::replay::encode(id))),
        }
    }

    fn cursor(&self) -> Cursor {
        match self {
            Mark::Id(bytes) => {
                let mut v = json!({
                    "replayIdBytes": base64::engine::general_purpose::STANDARD.encode(bytes)
                });
                if let Some(id) = super::replay::decode(bytes) {
                    v["replayId"] = json!(id);
                }
                Cursor::new(v)
            }
            Mark::Preset(p) => Cursor::new(json!({"replayPreset": p.as_str_name()})),
        }
    }

    /// The first request's preset and replay id.
    fn request(&self) -> (ReplayPreset, Vec<u8>) {
        match self {
            Mark::Id(b) => (ReplayPreset::Custom, b.clone()),
            Mark::Preset(p) => (*p, Vec::new()),
        }
    }

    fn text(&self) -> String {
        match self {
            Mark::Id(b) => match super::replay::decode(b) {
                Some(id) => format!("replay id {id}"),
                None => format!(
                    "replay id {}",
                    base64::engine::general_purpose::STANDARD.encode(b)
                ),
            },
            Mark::Preset(p) => p.as_str_name().to_string(),
        }
    }
}

/// What a chunk's commit gives back: the events it kept, which the topic's stream may now
/// send again.
#[derive(Debug)]
pub struct Granted {
    topic: usize,
    generation: u64,
    events: usize,
}

impl Ack for Granted {}

/// A topic's open stream: where its further requests go.
struct Open {
    requests: tokio::sync::mpsc::Sender<FetchRequest>,
    generation: u64,
}

type Responses =
    Pin<Box<dyn Stream<Item = (usize, u64, Option<Result<Response, tonic::Status>>)> + Send>>;

/// The schemas known so far, by id: the source's, shared with its streams' readers.
type Schemas = Arc<std::sync::Mutex<HashMap<String, Arc<EventSchema>>>>;

fn known(schemas: &Schemas, id: &str) -> Option<Arc<EventSchema>> {
    schemas
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(id)
        .cloned()
}

/// A `FetchResponse` as its stream's reader passes it on: each event decoded into its stored
/// text already when its schema was known, so decoding runs beside the journal's commit of
/// the previous chunk.
pub struct Response {
    events: Vec<Prepared>,
    latest_replay_id: Vec<u8>,
}

enum Prepared {
    Decoded {
        message: Message,
        replay_id: Vec<u8>,
        size: usize,
        problem: Option<String>,
    },
    /// Its schema is not known yet: `GetSchema` first.
    Raw(super::proto::ConsumerEvent),
}

/// Decodes what it can of a response (see [`Response`]).
fn prepare(topic: &str, resp: FetchResponse, schemas: &Schemas) -> Response {
    let mut last: Option<Arc<EventSchema>> = None;
    let events = resp
        .events
        .into_iter()
        .filter(|ce| ce.event.is_some())
        .map(|ce| {
            let Some(pe) = &ce.event else {
                return Prepared::Raw(ce);
            };
            let schema = match last.take() {
                Some(s) if s.id == pe.schema_id => Some(s),
                _ => known(schemas, &pe.schema_id),
            };
            let Some(schema) = schema else {
                return Prepared::Raw(ce);
            };
            let (payload, problem) = match schema.read_payload(&pe.payload) {
                Ok(p) => (Some(p), None),
                Err(e) => (None, Some(e.to_string())),
            };
            let message = message(
                topic,
                &ce.replay_id,
                pe,
                payload.as_ref(),
                problem.as_deref(),
            );
            last = Some(schema);
            Prepared::Decoded {
                message,
                size: pe.payload.len(),
                replay_id: ce.replay_id,
                problem,
            }
        })
        .collect();
    Response {
        events,
        latest_replay_id: resp.latest_replay_id,
    }
}

/// Reads a topic's stream on a task of its own, decoding each response (at most two read
/// ahead: the flow control bounds what the server sends anyway); ends when the stream ends or
/// its receiver is dropped (the stream is then dropped, which cancels it).
fn reader(
    topic: String,
    mut stream: tonic::Streaming<FetchResponse>,
    schemas: Schemas,
) -> impl Stream<Item = Result<Response, tonic::Status>> + Send {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        loop {
            let item = tokio::select! {
                item = stream.next() => item,
                _ = tx.closed() => return,
            };
            let Some(item) = item else { return };
            let failed = item.is_err();
            let item = item.map(|resp| prepare(&topic, resp, &schemas));
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|r| (r, rx)) })
}

/// What a step ran into.
enum Trouble {
    Retry(String),
    Fatal(SourceError),
    End,
}

pub struct PubSubSource {
    http: reqwest::Client,
    opts: PubSubOptions,
    session: Option<Session>,
    given_used: bool,
    grant: usize,
    fresh_login: bool,
    channel: Option<Channel>,
    open: Vec<Option<Open>>,
    responses: SelectAll<Responses>,
    generation: u64,
    marks: Vec<Option<Mark>>,
    schemas: Schemas,
    chunks: u64,
    backoff: Backoff,
    down_since: Option<Instant>,
    /// When the streams last brought anything (or were opened).
    last_heard: Instant,
}

impl PubSubSource {
    pub fn new(http: reqwest::Client, opts: PubSubOptions) -> Self {
        let marks = opts
            .topics
            .iter()
            .map(|t| opts.markers.get(t).and_then(Mark::from_cursor))
            .collect();
        PubSubSource {
            backoff: Backoff::new(opts.retry.clone()),
            http,
            open: opts.topics.iter().map(|_| None).collect(),
            opts,
            session: None,
            given_used: false,
            grant: 0,
            fresh_login: false,
            channel: None,
            responses: SelectAll::new(),
            generation: 0,
            marks,
            schemas: Schemas::default(),
            chunks: 0,
            down_since: None,
            last_heard: Instant::now(),
        }
    }

    fn left(&self) -> Option<Duration> {
        crate::salesforce::time_left(self.opts.connection_timeout, self.down_since)
    }

    /// A call's own bound, cut to what is left of `--connection-timeout`.
    fn bound(&self, own: Duration) -> Duration {
        self.left().map_or(own, |left| own.min(left))
    }

    /// Where a topic starts: its marker, else `--replay`.
    fn start_of(&self, i: usize) -> Mark {
        match &self.marks[i] {
            Some(m) => m.clone(),
            None => match self.opts.replay {
                ReplayStart::New => Mark::Preset(ReplayPreset::Latest),
                ReplayStart::All => Mark::Preset(ReplayPreset::Earliest),
                ReplayStart::After(id) => Mark::Id(super::replay::encode(id)),
            },
        }
    }

    /// Drops every stream (and the connection with `channel`): they are opened again from the
    /// markers.
    fn close_streams(&mut self, channel: bool) {
        self.responses = SelectAll::new();
        for o in &mut self.open {
            *o = None;
        }
        if channel {
            self.channel = None;
        }
    }

    fn metadata<T>(&self, session: &Session, req: &mut tonic::Request<T>) -> Result<(), Trouble> {
        let org = session.org_id.clone().unwrap_or_default();
        let md = req.metadata_mut();
        let bad = |what: &str| {
            Trouble::Fatal(SourceError::new(
                ErrorClass::Local,
                format!("the {what} cannot be sent as gRPC metadata (not visible ASCII)"),
            ))
        };
        md.insert(
            "accesstoken",
            MetadataValue::try_from(session.access_token.expose())
                .map_err(|_| bad("access token"))?,
        );
        md.insert(
            "instanceurl",
            MetadataValue::try_from(session.instance_url.as_str())
                .map_err(|_| bad("instance URL"))?,
        );
        md.insert(
            "tenantid",
            MetadataValue::try_from(org.as_str()).map_err(|_| bad("org id"))?,
        );
        Ok(())
    }

    /// The token was refused: log in again once, else stop (exit 3).
    fn refused(&mut self, reason: &str, notify: &mut dyn FnMut(Notice)) -> Result<(), Trouble> {
        let can_login = self.grant < self.opts.credentials.grants.len();
        crate::salesforce::token_refused("the Pub/Sub API", self.fresh_login, can_login, reason)
            .map_err(Trouble::Fatal)?;
        notify(Notice::Reauthenticated {
            text: format!("the Pub/Sub API refused the access token ({reason}); logging in again, then subscribing again from the markers"),
        });
        self.session = None;
        self.close_streams(false);
        Ok(())
    }

    /// Logs in (a given token first, then the grants in turn).
    async fn log_in(&mut self, notify: &mut dyn FnMut(Notice)) -> Result<(), Trouble> {
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
        let timeout = self.bound(CALL_TIMEOUT);
        match login(&self.http, &self.opts.login_url, &grant, timeout).await {
            Ok(s) => {
                if s.org_id.is_none() {
                    return Err(Trouble::Fatal(SourceError::new(
                        ErrorClass::Refused,
                        "the login gave no org id (no identity URL in the token response), which the Pub/Sub API needs as tenantid; set SFDC_ORG_ID",
                    )));
                }
                self.session = Some(s);
                self.fresh_login = true;
                Ok(())
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
                Err(Trouble::Fatal(SourceError::new(
                    ErrorClass::Auth,
                    format!(
                        "{e}, logging in as {}; check {}",
                        grant.who(),
                        grant.variables()
                    ),
                )))
            }
            Err(LoginError::Transient(r)) => Err(Trouble::Retry(r)),
            Err(LoginError::Local(r)) => {
                Err(Trouble::Fatal(SourceError::new(ErrorClass::Local, r)))
            }
        }
    }

    async fn connect(&mut self) -> Result<Channel, Trouble> {
        if let Some(c) = &self.channel {
            return Ok(c.clone());
        }
        let timeout = self.bound(CALL_TIMEOUT);
        let local = |e: String| Trouble::Fatal(SourceError::new(ErrorClass::Local, e));
        let mut ep = Endpoint::from_shared(self.opts.endpoint.clone())
            .map_err(|e| {
                local(format!(
                    "{}: not a usable endpoint ({e})",
                    self.opts.endpoint
                ))
            })?
            .connect_timeout(timeout.max(Duration::from_millis(1)))
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_timeout(Duration::from_secs(20))
            .keep_alive_while_idle(true);
        if self.opts.endpoint.starts_with("https://") {
            let mut tls = ClientTlsConfig::new().domain_name(self.opts.host.clone());
            match &self.opts.ca_pem {
                Some(pem) => tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(pem)),
                None => {
                    tls = tls.with_webpki_roots();
                    if !rustls_native_certs::load_native_certs().certs.is_empty() {
                        tls = tls.with_native_roots();
                    }
                }
            }
            ep = ep
                .tls_config(tls)
                .map_err(|e| local(format!("cannot set up TLS for {}: {e}", self.opts.endpoint)))?;
        }
        if !self.opts.endpoint.starts_with("https://")
            && speaks_tls(&self.opts.endpoint, timeout).await
        {
            return Err(Trouble::Fatal(SourceError::new(
                ErrorClass::Refused,
                format!("{}: the server speaks TLS, not plain-text HTTP/2; use sfpubsub:// (Salesforce's endpoints, and feedctl's emulator unless started with --pubsub-plain)", self.opts.endpoint),
            )));
        }
        let connected = tokio::time::timeout(timeout, ep.connect()).await;
        let channel = match connected {
            Ok(Ok(c)) => c,
            Ok(Err(e)) if tls_error_in(&e).is_some() => {
                let tls = tls_error_in(&e).expect("a TLS error");
                return Err(Trouble::Fatal(tls_refused(&self.opts.endpoint, tls)));
            }
            Ok(Err(e)) => {
                return Err(Trouble::Retry(format!(
                    "cannot connect to {}: {}",
                    self.opts.endpoint,
                    error_chain(&e)
                )))
            }
            Err(_) => {
                return Err(Trouble::Retry(format!(
                    "no connection to {} within {}",
                    self.opts.endpoint,
                    crate::salesforce::bayeux::seconds(timeout)
                )))
            }
        };
        self.channel = Some(channel.clone());
        Ok(channel)
    }

    fn client(&self, channel: Channel) -> PubSubClient<Channel> {
        PubSubClient::new(channel).max_decoding_message_size(MAX_RESPONSE)
    }

    /// Opens the stream of topic `i` from its marker, asking for `--max-pending` events.
    async fn subscribe(
        &mut self,
        i: usize,
        session: &Session,
        channel: Channel,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<(), Trouble> {
        let topic = self.opts.topics[i].clone();
        let (preset, replay_id) = self.start_of(i).request();
        let (tx, rx) = tokio::sync::mpsc::channel::<FetchRequest>(16);
        let first = FetchRequest {
            topic_name: topic.clone(),
            replay_preset: preset as i32,
            replay_id,
            num_requested: self.num_requested(),
            auth_refresh: String::new(),
        };
        // The channel has room: it is new.
        let _ = tx.try_send(first);
        let outgoing =
            futures_util::stream::unfold(
                rx,
                |mut rx| async move { rx.recv().await.map(|r| (r, rx)) },
            );
        let mut req = tonic::Request::new(outgoing);
        self.metadata(session, &mut req)?;
        let timeout = self.bound(CALL_TIMEOUT);
        let answer = tokio::time::timeout(timeout, self.client(channel).subscribe(req)).await;
        let stream = match answer {
            Ok(Ok(r)) => r.into_inner(),
            Ok(Err(status)) => return self.failed(i, &status, notify),
            Err(_) => {
                return Err(Trouble::Retry(format!(
                    "Subscribe {topic}: no answer within {}",
                    crate::salesforce::bayeux::seconds(timeout)
                )))
            }
        };
        self.generation += 1;
        let generation = self.generation;
        let tagged = reader(topic.clone(), stream, self.schemas.clone())
            .map(move |r| (i, generation, Some(r)))
            .chain(futures_util::stream::once(
                async move { (i, generation, None) },
            ));
        self.responses.push(Box::pin(tagged));
        self.open[i] = Some(Open {
            requests: tx,
            generation,
        });
        tracing::debug!("Pub/Sub Subscribe {topic} from {}", self.start_of(i).text());
        Ok(())
    }

    fn num_requested(&self) -> i32 {
        self.opts.max_pending.clamp(1, i32::MAX as usize) as i32
    }

    /// What a failed call or stream of topic `i` means: a fallback, a new login, a retry or
    /// the end.
    fn failed(
        &mut self,
        i: usize,
        status: &tonic::Status,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<(), Trouble> {
        use tonic::Code;
        let topic = self.opts.topics[i].clone();
        let code = status
            .metadata()
            .get("error-code")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let message = crate::text::clip(status.message(), 200);
        let said = if code.is_empty() {
            format!("{:?}: {message}", status.code())
        } else {
            format!("{:?} {code}: {message}", status.code())
        };
        if REPLAY_CODES.contains(&code.as_str()) {
            let from = self.start_of(i);
            let Some(fallback) = self.opts.fallback else {
                return Err(Trouble::Fatal(SourceError::new(
                    ErrorClass::Gone,
                    format!("the Pub/Sub API cannot resume {topic} from {} ({said}): it is out of retention (72 hours) or not valid; --replay-fallback all (or new) subscribes again with a gap recorded",
                        from.text()
                    ),
                )));
            };
            let preset = match fallback {
                Fallback::All => ReplayPreset::Earliest,
                Fallback::New => ReplayPreset::Latest,
            };
            let mark = Mark::Preset(preset);
            notify(Notice::Gap {
                partition: topic.clone(),
                cursor: mark.cursor(),
                replaced: None,
                reason: format!("replay id not retained ({}): {said}", from.text()),
                lost: None,
                text: format!(
                    "{topic}: the Pub/Sub API cannot resume from {} ({code}); subscribing with {} ({}); events in between may be lost, a gap is recorded",
                    from.text(),
                    preset.as_str_name(),
                    if preset == ReplayPreset::Earliest { "everything retained" } else { "new events" }
                ),
            });
            self.marks[i] = Some(mark);
            self.open[i] = None;
            // Its other stream items, if any, belong to a dead generation and are ignored.
            return Ok(());
        }
        if status.code() == Code::Unauthenticated || code == AUTH_CODE {
            return self.refused(&said, notify);
        }
        match status.code() {
            Code::Unavailable
            | Code::Unknown
            | Code::Internal
            | Code::Aborted
            | Code::Cancelled
            | Code::DeadlineExceeded
            | Code::ResourceExhausted => Err(Trouble::Retry(format!("Subscribe {topic}: {said}"))),
            Code::PermissionDenied => Err(Trouble::Fatal(SourceError::new(
                ErrorClass::Refused,
                format!("the Pub/Sub API does not let this user read {topic} ({said}); check the user's permissions on the event or entity"),
            ))),
            Code::NotFound => Err(Trouble::Fatal(SourceError::new(
                ErrorClass::Refused,
                format!("the Pub/Sub API has no topic {topic} ({said}); expected /event/NAME__e, /data/ChangeEvents, /data/NAMEChangeEvent or a custom channel"),
            ))),
            _ => Err(Trouble::Fatal(SourceError::new(
                ErrorClass::Refused,
                format!("the Pub/Sub API refused Subscribe {topic}: {said}"),
            ))),
        }
    }

    /// The schema of `id`, from the cache or `GetSchema`.
    async fn schema(&mut self, id: &str, session: &Session) -> Result<Arc<EventSchema>, Trouble> {
        if let Some(s) = known(&self.schemas, id) {
            return Ok(s);
        }
        let channel = self.connect().await?;
        let mut req = tonic::Request::new(SchemaRequest {
            schema_id: id.to_string(),
        });
        self.metadata(session, &mut req)?;
        let timeout = self.bound(CALL_TIMEOUT);
        let info = match tokio::time::timeout(timeout, self.client(channel).get_schema(req)).await {
            Ok(Ok(r)) => r.into_inner(),
            Ok(Err(status)) => {
                let code = status
                    .metadata()
                    .get("error-code")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let said = format!(
                    "{:?} {code}: {}",
                    status.code(),
                    crate::text::clip(status.message(), 200)
                );
                if status.code() == tonic::Code::Unauthenticated || code == AUTH_CODE {
                    return Err(Trouble::Retry(format!(
                        "unauthorized: GetSchema {id}: {said}"
                    )));
                }
                return Err(Trouble::Retry(format!(
                    "GetSchema {}: {said}",
                    crate::text::clip(id, 40)
                )));
            }
            Err(_) => {
                return Err(Trouble::Retry(format!(
                    "GetSchema {}: no answer within {}",
                    crate::text::clip(id, 40),
                    crate::salesforce::bayeux::seconds(timeout)
                )))
            }
        };
        let schema = Arc::new(EventSchema::parse(&info.schema_json).map_err(|e| {
            Trouble::Fatal(SourceError::new(
                ErrorClass::Refused,
                format!(
                    "the schema {} from GetSchema cannot be read: {e}",
                    crate::text::clip(id, 40)
                ),
            ))
        })?);
        let mut schemas = self.schemas.lock().unwrap_or_else(|p| p.into_inner());
        if schemas.len() >= MAX_SCHEMAS {
            schemas.clear();
        }
        schemas.insert(id.to_string(), schema.clone());
        Ok(schema)
    }

    /// A response as a chunk of topic `i`: its events decoded; `None` for a keepalive that
    /// does not move the marker.
    async fn chunk(
        &mut self,
        i: usize,
        generation: u64,
        resp: Response,
        session: &Session,
        started: Instant,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Message, Granted>>, Trouble> {
        let topic = self.opts.topics[i].clone();
        let received_at = now_ms();
        let mut events = Vec::with_capacity(resp.events.len());
        let mut size = 0usize;
        let mut last_id: Option<Vec<u8>> = None;
        let undecoded = |p: &str| {
            Notice::Info {
            text: format!("{topic}: an event's payload could not be decoded ({}); it is kept undecoded (pubsub.payload)", crate::text::clip(p, 120)),
        }
        };
        for prepared in resp.events {
            let ce = match prepared {
                Prepared::Decoded {
                    message,
                    replay_id,
                    size: n,
                    problem,
                } => {
                    size += n;
                    if let Some(p) = &problem {
                        notify(undecoded(p));
                    }
                    events.push(message);
                    last_id = Some(replay_id);
                    continue;
                }
                Prepared::Raw(ce) => ce,
            };
            let Some(pe) = &ce.event else { continue };
            size += pe.payload.len();
            let (payload, problem) = match self.schema(&pe.schema_id, session).await {
                Ok(s) => match s.read_payload(&pe.payload) {
                    Ok(p) => (Some(p), None),
                    Err(e) => (None, Some(e.to_string())),
                },
                Err(Trouble::Fatal(e)) if e.class == ErrorClass::Refused => (None, Some(e.message)),
                Err(t) => return Err(t),
            };
            if let Some(p) = &problem {
                notify(undecoded(p));
            }
            events.push(message(
                &topic,
                ce.replay_id.as_slice(),
                pe,
                payload.as_ref(),
                problem.as_deref(),
            ));
            last_id = Some(ce.replay_id);
        }
        let latest = if resp.latest_replay_id.is_empty() {
            last_id
        } else {
            Some(resp.latest_replay_id)
        };
        let before = self.marks[i].as_ref().map(Mark::cursor).unwrap_or_default();
        if let Some(id) = latest {
            self.marks[i] = Some(Mark::Id(id));
        }
        let after = self.marks[i].as_ref().map(Mark::cursor).unwrap_or_default();
        if events.is_empty() && before == after {
            return Ok(None);
        }
        if !events.is_empty() {
            self.chunks += 1;
        }
        let n = events.len();
        let mut chunk = Chunk::new(
            topic,
            self.chunks,
            before,
            after,
            events,
            Vec::new(),
            received_at,
            started.elapsed(),
            Granted {
                topic: i,
                generation,
                events: n,
            },
        );
        chunk.size = size;
        Ok(Some(chunk))
    }

    /// One step towards the next chunk.
    async fn step(
        &mut self,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Message, Granted>>, Trouble> {
        let all_open = self.session.is_some() && self.open.iter().all(Option::is_some);
        if !all_open {
            self.down_since.get_or_insert_with(Instant::now);
        }
        let Some(session) = self.session.clone() else {
            self.log_in(notify).await?;
            return Ok(None);
        };
        if !all_open {
            let channel = self.connect().await?;
            for i in 0..self.open.len() {
                if self.open[i].is_none() {
                    self.subscribe(i, &session, channel.clone(), notify).await?;
                    if self.session.is_none() {
                        return Ok(None);
                    }
                }
            }
            self.down_since = None;
            self.last_heard = Instant::now();
            return Ok(None);
        }
        let started = Instant::now();
        let idle = if self.opts.exit_at_end {
            END_IDLE
        } else {
            STREAM_IDLE
        };
        let wait = idle.saturating_sub(self.last_heard.elapsed());
        let next = match tokio::time::timeout(wait, self.responses.next()).await {
            Ok(Some(n)) => n,
            Ok(None) => {
                self.close_streams(false);
                return Ok(None);
            }
            Err(_) if self.opts.exit_at_end => return Err(Trouble::End),
            Err(_) => {
                self.close_streams(true);
                return Err(Trouble::Retry(format!(
                    "nothing on the Subscribe streams for {}, not even a keepalive",
                    crate::salesforce::bayeux::seconds(STREAM_IDLE)
                )));
            }
        };
        let (i, generation, item) = next;
        if self.open[i].as_ref().map(|o| o.generation) != Some(generation) {
            // What an abandoned stream still had to say.
            return Ok(None);
        }
        match item {
            Some(Ok(resp)) => {
                self.last_heard = Instant::now();
                self.backoff.reset();
                self.fresh_login = false;
                self.chunk(i, generation, resp, &session, started, notify)
                    .await
            }
            Some(Err(status)) => {
                self.failed(i, &status, notify)?;
                Ok(None)
            }
            None => {
                self.close_streams(false);
                Err(Trouble::Retry(format!(
                    "the Pub/Sub API ended the Subscribe stream of {}",
                    self.opts.topics[i]
                )))
            }
        }
    }
}

/// The stored event: the Streaming API's message shape (so everything that reads Salesforce
/// events reads it: columns, lines, `serve --salesforce`), the decoded payload in
/// `data.payload` (null when it could not be decoded), and under `pubsub` what makes a replay
/// exact. Written as text straight from the Avro value (no JSON tree per event):
///
/// `{"channel":TOPIC,"data":{"schema":ID,"event":{"replayId":N,"EventUuid":ID},"payload":{…}},
///   "pubsub":{"replayId":B64,"schemaId":ID,"id":ID,"payload":B64,"headers":[{"key","value"}],
///   "decodeError":TEXT}}` (`replayId` when the bytes are a number, `EventUuid` when the id is
/// not empty, `headers` when there are some, `decodeError` when it could not be decoded).
fn message(
    topic: &str,
    replay_id: &[u8],
    pe: &super::proto::ProducerEvent,
    payload: Option<&Payload>,
    problem: Option<&str>,
) -> Message {
    let number = super::replay::decode(replay_id);
    let stored = Stored {
        topic,
        replay_id,
        number,
        pe,
        payload,
        problem,
    };
    // Strings, numbers and maps of string keys always serialize.
    let raw = serde_json::value::to_raw_value(&stored).expect("the stored shape serializes");
    let number = number.map(Value::from);
    let uuid = (!pe.id.is_empty()).then(|| Value::String(pe.id.clone()));
    let created = payload.and_then(|p| p.field("CreatedDate"));
    Message::indexed(
        raw,
        Index {
            channel: Some(topic),
            replay_id: number.as_ref(),
            uuid: uuid.as_ref(),
            header: payload.and_then(Payload::header),
            payload_created: created.as_ref(),
            ..Index::default()
        },
    )
}

/// The stored event's text (see [`message`]).
struct Stored<'a> {
    topic: &'a str,
    replay_id: &'a [u8],
    number: Option<i64>,
    pe: &'a super::proto::ProducerEvent,
    payload: Option<&'a Payload>,
    problem: Option<&'a str>,
}

/// Bytes as standard base64, written without a String of their own.
struct B64<'a>(&'a [u8]);

impl Serialize for B64<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&base64::display::Base64Display::new(
            self.0,
            &base64::engine::general_purpose::STANDARD,
        ))
    }
}

impl Serialize for Stored<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut top = s.serialize_map(Some(3))?;
        top.serialize_entry("channel", self.topic)?;
        top.serialize_entry("data", &Data(self))?;
        top.serialize_entry("pubsub", &PubSubMember(self))?;
        top.end()
    }
}

struct Data<'a>(&'a Stored<'a>);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut data = s.serialize_map(Some(3))?;
        data.serialize_entry("schema", &e.pe.schema_id)?;
        data.serialize_entry("event", &EventMember(e))?;
        data.serialize_entry("payload", &e.payload)?;
        data.end()
    }
}

struct EventMember<'a>(&'a Stored<'a>);

impl Serialize for EventMember<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut event = s.serialize_map(None)?;
        if let Some(n) = e.number {
            event.serialize_entry("replayId", &n)?;
        }
        if !e.pe.id.is_empty() {
            event.serialize_entry("EventUuid", &e.pe.id)?;
        }
        event.end()
    }
}

struct PubSubMember<'a>(&'a Stored<'a>);

impl Serialize for PubSubMember<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("replayId", &B64(e.replay_id))?;
        m.serialize_entry("schemaId", &e.pe.schema_id)?;
        m.serialize_entry("id", &e.pe.id)?;
        m.serialize_entry("payload", &B64(&e.pe.payload))?;
        if !e.pe.headers.is_empty() {
            let headers: Vec<Header<'_>> = e.pe.headers.iter().map(Header).collect();
            m.serialize_entry("headers", &headers)?;
        }
        if let Some(p) = e.problem {
            m.serialize_entry("decodeError", p)?;
        }
        m.end()
    }
}

struct Header<'a>(&'a super::proto::EventHeader);

impl Serialize for Header<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("key", &self.0.key)?;
        m.serialize_entry("value", &B64(&self.0.value))?;
        m.end()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    crate::text::clip(&s, 300)
}

impl Source for PubSubSource {
    type Event = Message;
    type Ack = Granted;

    async fn next_chunk(
        &mut self,
        notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Message, Granted>>, SourceError> {
        loop {
            match self.step(notify).await {
                Ok(Some(c)) => return Ok(Some(c)),
                Ok(None) => {}
                Err(Trouble::End) => return Ok(None),
                Err(Trouble::Fatal(e)) => return Err(e),
                Err(Trouble::Retry(reason)) => {
                    if reason.starts_with("unauthorized: ") {
                        if let Err(Trouble::Fatal(e)) = self.refused(&reason, notify) {
                            return Err(e);
                        }
                        continue;
                    }
                    self.close_streams(false);
                    let since = *self.down_since.get_or_insert_with(Instant::now);
                    let limit = self.opts.connection_timeout;
                    crate::salesforce::wait_to_retry(
                        "the Pub/Sub API",
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

    async fn commit(&mut self, done: Committed<Granted>) -> Result<(), SourceError> {
        let g = done.into_ack();
        if g.events == 0 {
            return Ok(());
        }
        let Some(open) = self.open.get(g.topic).and_then(Option::as_ref) else {
            return Ok(());
        };
        if open.generation != g.generation {
            // That stream is gone; its successor asked for a full window.
            return Ok(());
        }
        let more = FetchRequest {
            num_requested: g.events.min(i32::MAX as usize) as i32,
            ..FetchRequest::default()
        };
        // A closed stream is noticed (and opened again) by the next read.
        let _ = tokio::time::timeout(Duration::from_secs(5), open.requests.send(more)).await;
        Ok(())
    }

    async fn close(&mut self, _notify: &mut dyn FnMut(Notice)) {
        self.close_streams(true);
    }
}

/// The TLS error behind a failed connection, if that is what it is: tonic's transport error
/// holds an I/O error that holds rustls's.
fn tls_error_in<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut at = Some(e);
    while let Some(err) = at {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref()?.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        at = err.source();
    }
    None
}

/// Whether the server at a plain-text `endpoint` (`http://HOST:PORT`) answers HTTP/2's opening
/// with a TLS alert: a TLS port. A plain-text call there fails in varying ways (cancelled, a
/// transport error, a protocol error) that look like passing faults and would be retried.
/// Anything else, or no answer within `within`, leaves the decision to the real connection.
async fn speaks_tls(endpoint: &str, within: Duration) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0";
    let addr = endpoint.trim_start_matches("http://");
    let addr = addr.split('/').next().unwrap_or(addr).to_string();
    let probe = async {
        let mut tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
        tcp.write_all(PREFACE).await.ok()?;
        let mut first = [0u8; 2];
        tcp.read_exact(&mut first).await.ok()?;
        // A TLS record of type alert (21), version 3.x; an HTTP/2 frame starts with its length.
        Some(first == [0x15, 0x03])
    };
    let within = within.min(Duration::from_secs(2));
    matches!(tokio::time::timeout(within, probe).await, Ok(Some(true)))
}

/// A TLS failure is permanent (a retry meets the same certificate or the same plain-text
/// port), so it ends the run at once with what fixes it.
fn tls_refused(endpoint: &str, e: &rustls::Error) -> SourceError {
    let why = match e {
        rustls::Error::InvalidCertificate(_) => format!(
            "{endpoint}: TLS: the server's certificate is not trusted ({e}); give the PEM file of the CA that signed it with --pubsub-ca FILE (FEEDCTL_PUBSUB_CA; feedctl's emulator: fixtures/tls/TEST-ONLY-ca.pem)"
        ),
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => format!(
            "{endpoint}: the server did not speak TLS; for a plain-text endpoint on loopback (an emulator started with --pubsub-plain) use sfpubsub+http://"
        ),
        _ => format!("{endpoint}: TLS: {e}"),
    };
    SourceError::new(ErrorClass::Refused, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored text as it was written before `message` wrote it without a tree (a
    /// `serde_json` tree of the decoded payload, then its text), and the fields read from it.
    fn reference(
        topic: &str,
        replay_id: &[u8],
        pe: &super::super::proto::ProducerEvent,
        schema: Option<&EventSchema>,
    ) -> Message {
        use serde_json::Map;
        let (payload, problem) = match schema.map(|s| s.decode(&pe.payload)) {
            Some(Ok(p)) => (Value::Object(p), None),
            Some(Err(e)) => (Value::Null, Some(e.to_string())),
            None => (Value::Null, Some("no schema".to_string())),
        };
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let mut event = Map::new();
        if let Some(id) = super::super::replay::decode(replay_id) {
            event.insert("replayId".into(), json!(id));
        }
        if !pe.id.is_empty() {
            event.insert("EventUuid".into(), json!(pe.id));
        }
        let mut pubsub = json!({
            "replayId": b64(replay_id),
            "schemaId": pe.schema_id,
            "id": pe.id,
            "payload": b64(&pe.payload),
        });
        if !pe.headers.is_empty() {
            pubsub["headers"] = Value::Array(
                pe.headers
                    .iter()
                    .map(|h| json!({"key": h.key, "value": b64(&h.value)}))
                    .collect(),
            );
        }
        if let Some(p) = problem {
            pubsub["decodeError"] = json!(p);
        }
        let value = json!({
            "channel": topic,
            "data": {"schema": pe.schema_id, "event": event, "payload": payload},
            "pubsub": pubsub,
        });
        let raw = serde_json::value::to_raw_value(&value).unwrap();
        Message::parse(raw, value)
    }

    fn same(
        topic: &str,
        replay_id: &[u8],
        pe: &super::super::proto::ProducerEvent,
        schema: Option<&EventSchema>,
    ) {
        let old = reference(topic, replay_id, pe, schema);
        let (payload, problem) = match schema.map(|s| s.read_payload(&pe.payload)) {
            Some(Ok(p)) => (Some(p), None),
            Some(Err(e)) => (None, Some(e.to_string())),
            None => (None, Some("no schema".to_string())),
        };
        let new = message(topic, replay_id, pe, payload.as_ref(), problem.as_deref());
        assert_eq!(new.raw_text(), old.raw_text());
        let fields = |m: &Message| {
            (
                m.channel.clone(),
                m.replay_id,
                m.event_type.clone(),
                m.date.clone(),
                m.timestamp,
                m.record_id.clone(),
                crate::feed::FeedEvent::dedupe_key(m),
            )
        };
        assert_eq!(fields(&new), fields(&old));
        assert_eq!(new.value(), old.value(), "the tree read back from the text");
    }

    fn event(
        schema: &EventSchema,
        payload: Vec<u8>,
        id: &str,
    ) -> super::super::proto::ProducerEvent {
        super::super::proto::ProducerEvent {
            id: id.to_string(),
            schema_id: schema.id.clone(),
            payload,
            headers: Vec::new(),
        }
    }

    #[test]
    fn the_stored_text_is_the_one_a_json_tree_gave() {
        use super::super::avro::TopicSchema;
        let replay = super::super::replay::encode(1_765_000_000_123);
        // A platform event with every type the emulator learns, nulls and text to escape.
        let payload = json!({
            "CreatedDate": "2026-12-06T10:00:00.123Z", "CreatedById": "005000000000001AAA",
            "Text__c": "quote \" backslash \\ newline \n tab \t bell \u{7} é ✓ 𝄞 </script>",
            "Amount__c": 12.5, "Big__c": 1e300, "Small__c": -0.000001, "Whole__c": 3,
            "Paid__c": true, "Tags__c": ["x", "", "y\"z"], "Empty__c": [],
            "Address__c": {"City": "Lyon", "Zip": null, "Geo": {"Lat": 45.76}},
            "Never__c": null,
        });
        let Value::Object(p) = payload else {
            unreachable!()
        };
        let mut topic = TopicSchema::new("/event/Order__e").unwrap();
        topic.learn(&p);
        let schema = topic.build().unwrap();
        let pe = event(&schema, schema.encode(&p).unwrap(), "e-1");
        same("/event/Order__e", &replay, &pe, Some(&schema));
        // Fields absent, an empty event id, a replay id that is not a number, headers.
        let sparse = serde_json::Map::from_iter([("CreatedDate".to_string(), json!(0))]);
        let mut pe = event(&schema, schema.encode(&sparse).unwrap(), "");
        pe.headers = vec![super::super::proto::EventHeader {
            key: "k\"1".into(),
            value: vec![0, 255, 7],
        }];
        same("/event/Order__e", &[9, 8, 7], &pe, Some(&schema));
        // Undecodable: bytes cut short, and no schema at all.
        let mut pe = event(&schema, schema.encode(&p).unwrap(), "e-2");
        pe.payload.truncate(5);
        same("/event/Order__e", &replay, &pe, Some(&schema));
        same("/event/Order__e", &replay, &pe, None);

        // A change event: header (enum, bitmaps of top-level and nested fields), nested record.
        let cdc = json!({
            "ChangeEventHeader": {
                "entityName": "Account", "recordIds": ["001000000000001AAA", "001000000000002AAA"],
                "changeType": "UPDATE", "changeOrigin": "com/salesforce/api/rest/59.0",
                "transactionKey": "k", "sequenceNumber": 1, "commitTimestamp": 1765000000000i64,
                "commitNumber": 42, "commitUser": "005000000000001AAA", "nulledFields": ["Phone"],
                "diffFields": [], "changedFields": ["Name", "Phone", "BillingAddress.City"],
            },
            "Name": "Acme", "Phone": null, "BillingAddress": {"City": "Paris", "Street": null},
        });
        let Value::Object(c) = cdc else {
            unreachable!()
        };
        let mut topic = TopicSchema::new("/data/AccountChangeEvent").unwrap();
        topic.learn(&c);
        let schema = topic.build().unwrap();
        let pe = event(&schema, schema.encode(&c).unwrap(), "c-1");
        same("/data/AccountChangeEvent", &replay, &pe, Some(&schema));

        // A schema as Salesforce could give one: int, float, bytes (not UTF-8 too), an enum, a
        // union of several types, a map, an array of records, a timestamp and a long date.
        let text = json!({
            "type": "record", "name": "Odd__e", "namespace": "com.sforce.eventbus",
            "fields": [
                {"name": "CreatedDate", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "I", "type": "int"},
                {"name": "F", "type": "float"},
                {"name": "FNaN", "type": "float"},
                {"name": "DInf", "type": "double"},
                {"name": "B", "type": "bytes"},
                {"name": "E", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
                {"name": "U", "type": ["null", "string", "long", "boolean"]},
                {"name": "M", "type": {"type": "map", "values": "double"}},
                {"name": "R", "type": {"type": "array", "items": {"type": "record", "name": "Item",
                    "fields": [{"name": "n", "type": ["null", "string"]}]}}},
            ],
        })
        .to_string();
        let schema = EventSchema::parse(&text).unwrap();
        let avro = apache_avro::Schema::parse_str(&text).unwrap();
        use apache_avro::types::Value as A;
        let value = A::Record(vec![
            ("CreatedDate".into(), A::TimestampMillis(1_765_000_000_123)),
            ("I".into(), A::Int(-7)),
            ("F".into(), A::Float(0.1)),
            ("FNaN".into(), A::Float(f32::NAN)),
            ("DInf".into(), A::Double(f64::INFINITY)),
            ("B".into(), A::Bytes(vec![b'a', 0xff, b'"', 0x01])),
            ("E".into(), A::Enum(1, "GREEN".into())),
            ("U".into(), A::Union(2, Box::new(A::Long(42)))),
            // One entry: a map's order is its hash map's (random), either way of writing.
            (
                "M".into(),
                A::Map([("a".to_string(), A::Double(-2.0))].into_iter().collect()),
            ),
            (
                "R".into(),
                A::Array(vec![
                    A::Record(vec![(
                        "n".into(),
                        A::Union(1, Box::new(A::String("x".into()))),
                    )]),
                    A::Record(vec![("n".into(), A::Union(0, Box::new(A::Null)))]),
                ]),
            ),
        ]);
        let bytes = apache_avro::writer::datum::GenericDatumWriter::builder(&avro)
            .build()
            .unwrap()
            .write_value_to_vec(value)
            .unwrap();
        let pe = event(&schema, bytes, "o-1");
        same("/event/Odd__e", &replay, &pe, Some(&schema));
    }

    #[test]
    fn markers_keep_the_bytes_and_read_streaming_ones() {
        let m = Mark::Id(vec![0, 0, 0, 0, 0, 0, 1, 2]);
        let c = m.cursor();
        assert_eq!(c.value()["replayId"], 258);
        assert_eq!(Mark::from_cursor(&c), Some(m));
        let odd = Mark::Id(vec![9, 8, 7]);
        let c = odd.cursor();
        assert!(c.value().get("replayId").is_none());
        assert_eq!(Mark::from_cursor(&c), Some(odd));
        let streaming =
            Cursor::new(json!({"replayId": 258, "createdDate": "2026-01-01T00:00:00.000Z"}));
        assert_eq!(
            Mark::from_cursor(&streaming),
            Some(Mark::Id(vec![0, 0, 0, 0, 0, 0, 1, 2]))
        );
        let fell = Mark::Preset(ReplayPreset::Earliest);
        assert_eq!(Mark::from_cursor(&fell.cursor()), Some(fell));
    }
}
