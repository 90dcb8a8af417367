//! `serve --salesforce --pubsub-listen ADDR`: the Salesforce Pub/Sub API (gRPC over TLS, from
//! the published `pubsub_api.proto`) beside the Streaming API, on the same org: the same
//! channels, retained events, replay ids and access tokens. `GetTopic`, `GetSchema`,
//! `Subscribe` (flow control by `num_requested`, keepalives, LATEST/EARLIEST/CUSTOM) and
//! `Publish`; events are Avro-encoded with the schema learnt from the topic's payloads
//! (`crate::salesforce::pubsub::avro`). docs/salesforce.md, "Pub/Sub API emulator".

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::Stream;
use serde_json::{Map, Value};
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::{Request, Response, Status, Streaming};

use super::SfApp;
use crate::salesforce::pubsub::avro::{EventSchema, Kind, TopicSchema};
use crate::salesforce::pubsub::proto::pub_sub_server::{PubSub, PubSubServer};
use crate::salesforce::pubsub::proto::{
    ConsumerEvent, EventHeader, FetchRequest, FetchResponse, ManagedFetchRequest,
    ManagedFetchResponse, ProducerEvent, PublishRequest, PublishResponse, PublishResult,
    ReplayPreset, SchemaInfo, SchemaRequest, TopicInfo, TopicRequest,
};
use crate::salesforce::pubsub::replay;

/// The org id the emulator's tokens and `tenantid` carry (15 characters; the 18-character
/// form is accepted too).
pub const ORG_ID: &str = "00DFEEDCTL00001";

/// Salesforce's error codes, sent in the `error-code` trailer (Pub/Sub API, "Handle Errors").
pub mod codes {
    pub const AUTH: &str = "sfdc.platform.eventbus.grpc.service.auth.error";
    pub const UNAVAILABLE: &str = "sfdc.platform.eventbus.grpc.service.unavailable";
    pub const REPLAY_CORRUPTED: &str =
        "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted";
    pub const REPLAY_VALIDATION: &str =
        "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed";
    pub const REQUESTED_INVALID: &str =
        "sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid";
    pub const TOPIC: &str = "sfdc.platform.eventbus.grpc.subscription.topic.notfound";
    pub const SCHEMA: &str = "sfdc.platform.eventbus.grpc.schema.notfound";
}

/// Most events in one `FetchResponse` (the published clients ask for at most 100 at a time).
pub const MAX_BATCH: usize = 100;

/// Most schemas the emulator remembers for `GetSchema` (one more per field a topic learns).
pub const MAX_SCHEMAS: usize = 10_000;

/// How long a new `Subscribe` stream may take to send its first `FetchRequest`.
const FIRST_REQUEST_WAIT: Duration = Duration::from_secs(60);

/// How `serve --salesforce` serves the Pub/Sub API.
#[derive(Debug, Clone)]
pub struct PubSubOptions {
    pub listen: SocketAddr,
    /// An empty `FetchResponse` with the latest replay id after this long without one
    /// (Salesforce: within 270 s).
    pub keepalive: Duration,
    pub cert_pem: String,
    pub key_pem: String,
    /// Plain-text HTTP/2 (h2c) instead of TLS: `--pubsub-plain`.
    pub plain: bool,
}

/// The test-only certificate (localhost, 127.0.0.1) and key the Pub/Sub endpoint serves
/// unless told otherwise: fixtures/tls/README.md.
pub const TEST_CERT_PEM: &str = include_str!("../../../fixtures/tls/TEST-ONLY-server-cert.pem");
pub const TEST_KEY_PEM: &str = include_str!("../../../fixtures/tls/TEST-ONLY-server-key.pem");

/// The Pub/Sub side's own state: each topic's schema as learnt so far, every schema given
/// out (by id), and how many times the `reset-streams` fault was applied.
#[derive(Default)]
pub(super) struct PubSubState {
    book: Mutex<SchemaBook>,
    resets: AtomicU64,
}

#[derive(Default)]
struct SchemaBook {
    topics: HashMap<String, (TopicSchema, Arc<EventSchema>)>,
    by_id: HashMap<String, Arc<EventSchema>>,
}

impl SchemaBook {
    fn register(&mut self, schema: &Arc<EventSchema>) {
        if self.by_id.len() >= MAX_SCHEMAS && !self.by_id.contains_key(&schema.id) {
            // The oldest are not known; any one goes, the topics' current ones are re-added.
            self.by_id.clear();
            for (_, s) in self.topics.values() {
                self.by_id.insert(s.id.clone(), s.clone());
            }
        }
        self.by_id.insert(schema.id.clone(), schema.clone());
    }
}

impl PubSubState {
    fn lock(&self) -> std::sync::MutexGuard<'_, SchemaBook> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The `reset-streams` fault: every open Subscribe stream ends (when next woken, which the
    /// fault does at once).
    pub(super) fn reset_streams(&self) {
        self.resets.fetch_add(1, Ordering::SeqCst);
    }

    fn resets(&self) -> u64 {
        self.resets.load(Ordering::SeqCst)
    }

    /// The topic's current schema, learnt from every event it retains when first asked.
    fn topic(&self, app: &SfApp, topic: &str) -> Result<Arc<EventSchema>, Status> {
        if let Some((_, s)) = self.lock().topics.get(topic) {
            return Ok(s.clone());
        }
        let Some(mut learnt) = TopicSchema::new(topic) else {
            return Err(error(
                tonic::Code::NotFound,
                codes::TOPIC,
                &format!("topic {topic} is not a platform event or change event topic"),
            ));
        };
        let raws: Vec<Arc<str>> = {
            let st = app.lock();
            st.channels
                .get(topic)
                .map(|c| c.log.iter().map(|r| r.raw.clone()).collect())
                .unwrap_or_default()
        };
        for raw in raws {
            if let Some(p) = Served::parse(&raw).and_then(|s| s.payload) {
                learnt.learn(&p);
            }
        }
        let built = Arc::new(learnt.build().map_err(internal)?);
        let mut book = self.lock();
        let current = match book.topics.get(topic) {
            // Another call learnt it meanwhile.
            Some((_, s)) => s.clone(),
            None => {
                book.topics
                    .insert(topic.to_string(), (learnt, built.clone()));
                built
            }
        };
        book.register(&current);
        Ok(current)
    }

    /// The schema to write this payload with: the topic's, after learning its fields.
    fn for_payload(
        &self,
        app: &SfApp,
        topic: &str,
        payload: &Map<String, Value>,
    ) -> Result<Arc<EventSchema>, Status> {
        let current = self.topic(app, topic)?;
        let mut book = self.lock();
        let Some((learnt, schema)) = book.topics.get_mut(topic) else {
            return Ok(current);
        };
        if !learnt.learn(payload) {
            return Ok(schema.clone());
        }
        let built = Arc::new(learnt.build().map_err(internal)?);
        *schema = built.clone();
        book.register(&built);
        Ok(built)
    }

    fn by_id(&self, id: &str) -> Option<Arc<EventSchema>> {
        self.lock().by_id.get(id).cloned()
    }
}

/// What a retained Streaming API message gives the Pub/Sub API.
struct Served {
    payload: Option<Map<String, Value>>,
    uuid: Option<String>,
    /// A message recorded from the Pub/Sub API (its `pubsub` member): the exact payload bytes,
    /// the id of the schema they were written with, the event id and headers.
    recorded: Option<Recorded>,
}

struct Recorded {
    schema_id: String,
    id: String,
    payload: Vec<u8>,
    headers: Vec<EventHeader>,
}

impl Served {
    fn parse(raw: &str) -> Option<Served> {
        let v: Value = serde_json::from_str(raw).ok()?;
        let data = v.get("data")?;
        Some(Served {
            payload: data.get("payload").and_then(Value::as_object).cloned(),
            uuid: data
                .pointer("/event/EventUuid")
                .and_then(Value::as_str)
                .map(str::to_string),
            recorded: v.get("pubsub").and_then(Recorded::of),
        })
    }
}

impl Recorded {
    /// The `pubsub` member the `sfpubsub://` source stores; `None` when its payload could not
    /// be decoded then (`decodeError`) or a member is missing.
    fn of(pubsub: &Value) -> Option<Recorded> {
        use base64::Engine;
        let b64 = |v: Option<&Value>| {
            base64::engine::general_purpose::STANDARD
                .decode(v?.as_str()?)
                .ok()
        };
        if pubsub.get("decodeError").is_some() {
            return None;
        }
        let headers = match pubsub.get("headers") {
            None => Vec::new(),
            Some(Value::Array(hs)) => hs
                .iter()
                .map(|h| {
                    Some(EventHeader {
                        key: h.get("key")?.as_str()?.to_string(),
                        value: b64(h.get("value"))?,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
            Some(_) => return None,
        };
        Some(Recorded {
            schema_id: pubsub.get("schemaId")?.as_str()?.to_string(),
            id: pubsub.get("id")?.as_str()?.to_string(),
            payload: b64(pubsub.get("payload"))?,
            headers,
        })
    }
}

/// A retained event as the Pub/Sub API sends it, kept from its first delivery (so later ones
/// are a copy, not a parse and an encoding), as long as the event is retained. Good while its
/// channel's schema stays the one it was written with; a new field makes a new schema, and the
/// next delivery writes the event again.
pub(super) struct Encoded {
    schema: Arc<EventSchema>,
    id: Box<str>,
    payload: Box<[u8]>,
    headers: Vec<EventHeader>,
}

impl Encoded {
    fn event(&self, replay_id: i64) -> ConsumerEvent {
        ConsumerEvent {
            event: Some(ProducerEvent {
                id: self.id.to_string(),
                schema_id: self.schema.id.clone(),
                payload: self.payload.to_vec(),
                headers: self.headers.clone(),
            }),
            replay_id: replay::encode(replay_id),
        }
    }
}

fn echo(app: &SfApp, line: &str) {
    if app.opts.echo {
        // stderr of `feedctl serve`: a request log line, never a token; topic names and schema
        // ids come from the client, so nothing in them may drive the terminal.
        crate::stderr_line!("{}", crate::text::terminal_safe(line));
    }
}

fn rpc_id() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let n: u128 = rng.gen();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A gRPC status as Salesforce sends it: the message ends with the rpc id, and the trailers
/// carry the error code and the rpc id.
fn error(code: tonic::Code, error_code: &str, message: &str) -> Status {
    let id = rpc_id();
    let mut trailers = MetadataMap::new();
    if let Ok(v) = MetadataValue::try_from(error_code) {
        trailers.insert("error-code", v);
    }
    if let Ok(v) = MetadataValue::try_from(id.as_str()) {
        trailers.insert("rpc-id", v);
    }
    Status::with_metadata(code, format!("{message} rpcId: {id}"), trailers)
}

fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(format!("feedctl emulator: {e}"))
}

/// The gRPC service, on the Streaming API emulator's state.
pub(super) struct Service {
    app: Arc<SfApp>,
    keepalive: Duration,
}

impl Service {
    /// Salesforce's checks of the call's metadata: a token the org issued and not revoked,
    /// this org's instance URL (either scheme: the published clients insist on https) and id.
    fn check(&self, md: &MetadataMap, what: &str) -> Result<(), Status> {
        let get = |k: &str| md.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
        let (token, instance, tenant) = (get("accesstoken"), get("instanceurl"), get("tenantid"));
        let (unavailable, known) = {
            let st = self.app.lock();
            (st.unavailable, st.tokens.contains(token))
        };
        if unavailable {
            return Err(error(
                tonic::Code::Unavailable,
                codes::UNAVAILABLE,
                "The service is unavailable.",
            ));
        }
        let ours = self.app.base_url.split("://").nth(1).unwrap_or_default();
        let instance_ok = instance
            .split("://")
            .nth(1)
            .is_some_and(|i| i.trim_end_matches('/') == ours);
        let tenant_ok = tenant == ORG_ID || (tenant.len() == 18 && tenant.starts_with(ORG_ID));
        let why = if token.is_empty() {
            Some("no accesstoken")
        } else if !known {
            Some("the access token is not valid (never issued, or revoked)")
        } else if !instance_ok {
            Some("instanceurl is not this org's instance URL")
        } else if !tenant_ok {
            Some("tenantid is not this org's id")
        } else {
            None
        };
        match why {
            None => {
                echo(&self.app, &format!("Pub/Sub {what}"));
                Ok(())
            }
            Some(why) => {
                echo(&self.app, &format!("Pub/Sub {what} refused: {why}"));
                Err(error(
                    tonic::Code::Unauthenticated,
                    codes::AUTH,
                    "An authentication exception occurred. Provide valid authentication via metadata headers.",
                ))
            }
        }
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl PubSub for Service {
    type SubscribeStream = BoxStream<FetchResponse>;
    type PublishStreamStream = BoxStream<PublishResponse>;
    type ManagedSubscribeStream = BoxStream<ManagedFetchResponse>;

    async fn get_topic(&self, req: Request<TopicRequest>) -> Result<Response<TopicInfo>, Status> {
        let topic = req.get_ref().topic_name.clone();
        self.check(
            req.metadata(),
            &format!("GetTopic {}", crate::text::clip(&topic, 80)),
        )?;
        let schema = self.app.pubsub.topic(&self.app, &topic)?;
        let kind = TopicSchema::new(&topic).map(|t| t.kind());
        Ok(Response::new(TopicInfo {
            topic_name: topic,
            tenant_guid: ORG_ID.to_string(),
            can_publish: kind == Some(Kind::PlatformEvent),
            can_subscribe: true,
            schema_id: schema.id.clone(),
            rpc_id: rpc_id(),
        }))
    }

    async fn get_schema(
        &self,
        req: Request<SchemaRequest>,
    ) -> Result<Response<SchemaInfo>, Status> {
        let id = req.get_ref().schema_id.clone();
        self.check(
            req.metadata(),
            &format!("GetSchema {}", crate::text::clip(&id, 40)),
        )?;
        let schema = self.app.pubsub.by_id(&id).ok_or_else(|| {
            error(
                tonic::Code::NotFound,
                codes::SCHEMA,
                &format!("no schema with id {}", crate::text::clip(&id, 40)),
            )
        })?;
        Ok(Response::new(SchemaInfo {
            schema_json: schema.json.clone(),
            schema_id: schema.id.clone(),
            rpc_id: rpc_id(),
        }))
    }

    async fn subscribe(
        &self,
        req: Request<Streaming<FetchRequest>>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        self.check(req.metadata(), "Subscribe")?;
        let requests = req.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<FetchResponse, Status>>(4);
        let app = self.app.clone();
        let keepalive = self.keepalive;
        tokio::spawn(async move {
            if let Err(status) = subscription(&app, requests, &tx, keepalive).await {
                let _ = tx.send(Err(status)).await;
            }
        });
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn publish(
        &self,
        req: Request<PublishRequest>,
    ) -> Result<Response<PublishResponse>, Status> {
        let topic = req.get_ref().topic_name.clone();
        self.check(
            req.metadata(),
            &format!("Publish {}", crate::text::clip(&topic, 80)),
        )?;
        let current = self.app.pubsub.topic(&self.app, &topic)?;
        if TopicSchema::new(&topic).map(|t| t.kind()) != Some(Kind::PlatformEvent) {
            // No Salesforce error code is documented for this: a plain status.
            return Err(Status::invalid_argument(format!(
                "{}: only platform events can be published (GetTopic says can_publish false)",
                crate::text::clip(&topic, 80)
            )));
        }
        let mut results = Vec::new();
        for event in &req.get_ref().events {
            results.push(self.publish_one(&topic, event));
        }
        Ok(Response::new(PublishResponse {
            results,
            schema_id: current.id.clone(),
            rpc_id: rpc_id(),
        }))
    }

    async fn publish_stream(
        &self,
        _req: Request<Streaming<PublishRequest>>,
    ) -> Result<Response<Self::PublishStreamStream>, Status> {
        Err(Status::unimplemented(
            "the feedctl emulator does not serve PublishStream; use Publish",
        ))
    }

    async fn managed_subscribe(
        &self,
        _req: Request<Streaming<ManagedFetchRequest>>,
    ) -> Result<Response<Self::ManagedSubscribeStream>, Status> {
        Err(Status::unimplemented(
            "the feedctl emulator does not serve ManagedSubscribe; use Subscribe",
        ))
    }
}

impl Service {
    /// Publishes one event on the Streaming API side (so CometD subscribers get it too).
    fn publish_one(&self, topic: &str, event: &ProducerEvent) -> PublishResult {
        let failed = |msg: String| PublishResult {
            replay_id: Vec::new(),
            error: Some(crate::salesforce::pubsub::proto::Error {
                code: crate::salesforce::pubsub::proto::ErrorCode::Publish as i32,
                msg,
            }),
            correlation_key: event.id.clone(),
        };
        let Some(schema) = self.app.pubsub.by_id(&event.schema_id) else {
            return failed(format!(
                "unknown schema id {}; GetTopic gives the topic's",
                crate::text::clip(&event.schema_id, 40)
            ));
        };
        let payload = match schema.decode(&event.payload) {
            Ok(p) => p,
            Err(e) => return failed(e.to_string()),
        };
        let id = self.app.publish(topic, None, Value::Object(payload));
        PublishResult {
            replay_id: replay::encode(id),
            error: None,
            correlation_key: event.id.clone(),
        }
    }
}

/// One `Subscribe` stream: its first request says where to start; then events as requested,
/// never more, and a keepalive when nothing was sent for `keepalive`.
async fn subscription(
    app: &Arc<SfApp>,
    mut requests: Streaming<FetchRequest>,
    tx: &tokio::sync::mpsc::Sender<Result<FetchResponse, Status>>,
    keepalive: Duration,
) -> Result<(), Status> {
    let first = tokio::select! {
        r = tokio::time::timeout(FIRST_REQUEST_WAIT, requests.message()) => match r {
            Ok(Ok(Some(first))) => first,
            Ok(Ok(None)) | Ok(Err(_)) => return Ok(()),
            Err(_) => {
                return Err(Status::deadline_exceeded(
                    "no FetchRequest within a minute of the Subscribe call",
                ))
            }
        },
        _ = app.shutdown.cancelled() => return Ok(()),
    };
    let topic = first.topic_name.clone();
    app.pubsub.topic(app, &topic)?;
    let mut pending = requested(first.num_requested)?;
    let mut after = start(app, &topic, &first)?;
    echo(
        app,
        &format!(
            "Pub/Sub Subscribe {} from {after}, {pending} requested",
            crate::text::clip(&topic, 80)
        ),
    );
    let mut last_sent = tokio::time::Instant::now();
    let resets = app.pubsub.resets();
    loop {
        let notified = app.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if app.pubsub.resets() != resets {
            // What Salesforce's "Handle Errors" page names for a transient stream failure.
            return Err(Status::unavailable("RST_STREAM closed stream"));
        }
        let (batch, latest, undelivered) =
            take(app, &topic, after, pending.min(MAX_BATCH as i64) as usize);
        if !batch.is_empty() {
            let mut events = Vec::with_capacity(batch.len());
            let mut encoded = Vec::new();
            let mut current = app.pubsub.topic(app, &topic)?;
            for (id, raw, kept) in batch {
                // Written with the channel's schema of now, as a first delivery would be.
                let e = match kept.filter(|e| e.schema.id == current.id) {
                    Some(e) => e,
                    None => {
                        let e = Arc::new(encode(app, &topic, id, &raw)?);
                        current = e.schema.clone();
                        encoded.push((id, e.clone()));
                        e
                    }
                };
                events.push(e.event(id));
                after = id;
            }
            keep(app, &topic, encoded);
            pending -= events.len() as i64;
            let response = FetchResponse {
                events,
                latest_replay_id: replay::encode(after),
                rpc_id: rpc_id(),
                pending_num_requested: pending.min(i32::MAX as i64) as i32,
            };
            if tx.send(Ok(response)).await.is_err() {
                return Ok(());
            }
            last_sent = tokio::time::Instant::now();
            continue;
        }
        // Nothing to send now. A keepalive moves the position to the topic's latest only when
        // nothing retained is left undelivered: it must not skip what was not requested yet.
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(last_sent + keepalive) => {
                let position = if undelivered { after } else { latest.max(after) };
                after = position;
                let response = FetchResponse {
                    events: Vec::new(),
                    latest_replay_id: replay::encode(position),
                    rpc_id: rpc_id(),
                    pending_num_requested: pending.min(i32::MAX as i64) as i32,
                };
                if tx.send(Ok(response)).await.is_err() {
                    return Ok(());
                }
                last_sent = tokio::time::Instant::now();
            }
            r = requests.message() => match r {
                Ok(Some(more)) => pending = (pending + requested(more.num_requested)?).min(i32::MAX as i64),
                Ok(None) | Err(_) => return Ok(()),
            },
            _ = tx.closed() => return Ok(()),
            _ = app.shutdown.cancelled() => return Ok(()),
        }
    }
}

/// A request's `num_requested`, which must be positive.
fn requested(n: i32) -> Result<i64, Status> {
    if n <= 0 {
        return Err(error(
            tonic::Code::InvalidArgument,
            codes::REQUESTED_INVALID,
            &format!("num_requested must be greater than 0, got {n}"),
        ));
    }
    Ok(i64::from(n))
}

/// The replay id a subscription starts after, from its first request.
fn start(app: &SfApp, topic: &str, first: &FetchRequest) -> Result<i64, Status> {
    let mut st = app.lock();
    let ch = st.channel(topic);
    let preset = ReplayPreset::try_from(first.replay_preset).unwrap_or(ReplayPreset::Latest);
    let value = match preset {
        ReplayPreset::Latest => -1,
        ReplayPreset::Earliest => -2,
        ReplayPreset::Custom => {
            if first.replay_id.is_empty() {
                return Err(error(
                    tonic::Code::InvalidArgument,
                    codes::REPLAY_VALIDATION,
                    "The replay ID validation failed: a CUSTOM replay preset needs a replay ID.",
                ));
            }
            replay::decode(&first.replay_id).unwrap_or(-3)
        }
    };
    ch.start(value).ok_or_else(|| {
        error(
            tonic::Code::InvalidArgument,
            codes::REPLAY_CORRUPTED,
            "The Replay ID validation failed. Ensure that the Replay ID is valid and is within the retention window.",
        )
    })
}

/// At start, for every Pub/Sub topic holding events (a served journal, `--state`): learns its
/// schema and writes each event's Avro bytes, as a first subscription from EARLIEST would,
/// so no subscriber waits for it. A failure is left to that subscription to report.
pub(super) fn prewarm(app: &SfApp) {
    let topics: Vec<String> = app
        .lock()
        .channels
        .iter()
        .filter(|(name, c)| !c.log.is_empty() && TopicSchema::new(name).is_some())
        .map(|(name, _)| name.clone())
        .collect();
    for topic in topics {
        if app.pubsub.topic(app, &topic).is_err() {
            continue;
        }
        let retained: Vec<(i64, Arc<str>)> = app
            .lock()
            .channels
            .get(&topic)
            .map(|c| c.log.iter().map(|r| (r.replay_id, r.raw.clone())).collect())
            .unwrap_or_default();
        let mut encoded = Vec::with_capacity(retained.len());
        for (id, raw) in retained {
            match encode(app, &topic, id, &raw) {
                Ok(e) => encoded.push((id, Arc::new(e))),
                Err(_) => break,
            }
        }
        keep(app, &topic, encoded);
    }
}

/// A retained event and what the Pub/Sub API sent for it last, if it was sent.
type Taken = (i64, Arc<str>, Option<Arc<Encoded>>);

/// Up to `n` retained events after `after`, the topic's latest replay id, and whether
/// retained events after `after` are left.
fn take(app: &SfApp, topic: &str, after: i64, n: usize) -> (Vec<Taken>, i64, bool) {
    let st = app.lock();
    let Some(ch) = st.channels.get(topic) else {
        return (Vec::new(), after, false);
    };
    let from = ch.log.partition_point(|r| r.replay_id <= after);
    let batch = ch
        .log
        .range(from..)
        .take(n)
        .map(|r| (r.replay_id, r.raw.clone(), r.pubsub.clone()))
        .collect::<Vec<_>>();
    let left = ch.log.len() - from > batch.len();
    (batch, ch.last_id, left)
}

/// Keeps what was sent for these events with them while they are retained.
fn keep(app: &SfApp, topic: &str, encoded: Vec<(i64, Arc<Encoded>)>) {
    if encoded.is_empty() {
        return;
    }
    let mut st = app.lock();
    let Some(ch) = st.channels.get_mut(topic) else {
        return;
    };
    for (id, e) in encoded {
        // Gone meanwhile (expired) if not found.
        if let Ok(i) = ch.log.binary_search_by_key(&id, |r| r.replay_id) {
            ch.log[i].pubsub = Some(e);
        }
    }
}

/// A retained message as the Pub/Sub API sends it: its payload in Avro with the channel's
/// schema, or, recorded from the Pub/Sub API with that same schema, its recorded bytes as
/// they are.
fn encode(app: &SfApp, topic: &str, id: i64, raw: &str) -> Result<Encoded, Status> {
    let served = Served::parse(raw).unwrap_or(Served {
        payload: None,
        uuid: None,
        recorded: None,
    });
    let payload = served.payload.unwrap_or_default();
    let schema = app.pubsub.for_payload(app, topic, &payload)?;
    if let Some(r) = served.recorded.filter(|r| r.schema_id == schema.id) {
        return Ok(Encoded {
            schema,
            id: r.id.into(),
            payload: r.payload.into(),
            headers: r.headers,
        });
    }
    let bytes = schema.encode(&payload).map_err(internal)?;
    Ok(Encoded {
        id: served
            .uuid
            .unwrap_or_else(|| format!("feedctl-{id}"))
            .into(),
        schema,
        payload: bytes.into(),
        headers: Vec::new(),
    })
}

/// Binds (loopback only) and serves the Pub/Sub API over TLS (or plain text, when asked) until
/// the emulator stops; the endpoint as clients give it (`localhost:PORT`).
pub(super) async fn start_server(
    app: Arc<SfApp>,
    opts: &PubSubOptions,
) -> Result<(String, tokio::task::JoinHandle<()>), super::super::ServeError> {
    use tonic::transport::{Identity, Server, ServerTlsConfig};
    let bind_error = |e: std::io::Error| super::super::ServeError::Bind(opts.listen, e);
    if !opts.listen.ip().is_loopback() {
        return Err(bind_error(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the Pub/Sub emulator listens on loopback only (it has a test-only certificate)",
        )));
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let mut server = match opts.plain {
        true => Server::builder(),
        false => {
            let identity = Identity::from_pem(&opts.cert_pem, &opts.key_pem);
            Server::builder()
                .tls_config(ServerTlsConfig::new().identity(identity))
                .map_err(|e| super::super::ServeError::Tls(e.to_string()))?
        }
    };
    let service = Service {
        app: app.clone(),
        keepalive: opts.keepalive,
    };
    let router = server.add_service(PubSubServer::new(service));
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    let stop = app.shutdown.clone();
    let task = tokio::spawn(async move {
        let served =
            router.serve_with_incoming_shutdown(incoming, async move { stop.cancelled().await });
        if let Err(e) = served.await {
            tracing::error!("Pub/Sub serve stopped: {e}");
        }
    });
    Ok((format!("localhost:{}", addr.port()), task))
}
