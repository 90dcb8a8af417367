//! `feedctl serve --salesforce`: an emulated Salesforce streaming endpoint (DESIGN §10) for
//! aiosfstream-style clients and feedctl itself: the OAuth token endpoint, a Bayeux
//! long-polling endpoint at `/cometd/<version>` with Salesforce's replay semantics, retention,
//! error strings and session expiry, and faults on demand through a loopback admin endpoint.

mod pubsub;
mod routes;
mod state;

pub use pubsub::{PubSubOptions, ORG_ID, TEST_CERT_PEM, TEST_KEY_PEM};

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::config::Secret;

/// The key JWT bearer assertions must be signed with (`--jwt-public-key`: an RSA public key or
/// the certificate uploaded to the connected app).
#[derive(Clone)]
pub struct JwtKey(pub Arc<jsonwebtoken::DecodingKey>);

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKey")
    }
}

impl JwtKey {
    /// From a PEM public key (`BEGIN PUBLIC KEY` / `BEGIN RSA PUBLIC KEY`) or certificate.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        if pem.contains("PRIVATE KEY-----") {
            return Err("this is a private key; give the certificate uploaded to the connected app, or its public key".into());
        }
        jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes())
            .map(|k| JwtKey(Arc::new(k)))
            .map_err(|e| format!("not an RSA public key or certificate in PEM form ({e})"))
    }
}

/// Who may log in (`grant_type=password`) and with which refresh token.
#[derive(Debug, Clone)]
pub struct OrgLogin {
    pub client_id: String,
    pub client_secret: Secret,
    pub username: String,
    /// Password + security token, as the client sends it.
    pub password: Secret,
    pub refresh_token: Secret,
    /// JWT bearer logins: assertions signed by this key, `iss` = `client_id`, `sub` =
    /// `username`. `None`: the JWT bearer grant is refused (no certificate uploaded).
    pub jwt_key: Option<JwtKey>,
}

impl OrgLogin {
    /// The documented test credentials, used when no `SFDC_*` variable says otherwise.
    pub fn demo() -> Self {
        OrgLogin {
            client_id: "feedctl-demo-client".into(),
            client_secret: Secret::new("feedctl-demo-secret"),
            username: "demo@feedctl.invalid".into(),
            password: Secret::new("demo-password"),
            refresh_token: Secret::new("feedctl-demo-refresh"),
            jwt_key: None,
        }
    }
}

/// A message recorded from Salesforce, served again with its replay id.
#[derive(Debug, Clone)]
pub struct RecordedMessage {
    pub channel: String,
    pub replay_id: i64,
    /// The message exactly as recorded.
    pub raw: String,
    /// When it was received (ms), for pacing.
    pub received_at: i64,
}

/// Everything `serve --salesforce` can be told.
#[derive(Debug, Clone)]
pub struct SalesforceOptions {
    pub listen: SocketAddr,
    pub login: OrgLogin,
    /// Channels that exist from the start (besides those of the recorded messages).
    pub channels: Vec<String>,
    pub recorded: Vec<RecordedMessage>,
    /// `None`: all recorded messages retained at once; `Some(f)`: published at the recorded
    /// pace divided by `f`.
    pub pace: Option<f64>,
    /// How long a `/meta/connect` is held when there is nothing to deliver (`advice.timeout`).
    pub poll_timeout: Duration,
    /// A session whose client does not poll again within this long is dropped (Salesforce: 40 s).
    pub session_timeout: Duration,
    /// How long events stay retained (24 h standard, 72 h high-volume).
    pub retention: Duration,
    /// Most events in one connect reply.
    pub batch_size: usize,
    /// Echo each request on stderr.
    pub echo: bool,
    /// `--state DIR`: replay ids, retained events and tokens kept across restarts.
    pub state: Option<std::path::PathBuf>,
    /// The first replay id of a channel new to the org; `None`: from the start time
    /// ([`fresh_first_id`]), so a restart without `--state` is a new org whose ids are above
    /// any an earlier run gave.
    pub first_replay_id: Option<i64>,
    /// Also serve the Pub/Sub API (gRPC over TLS) on a port of its own.
    pub pubsub: Option<PubSubOptions>,
}

/// The first replay id of a new org: the start time in milliseconds × 1,000, above every id
/// an earlier run gave unless it published a thousand events a millisecond, and within
/// JavaScript's exact integers (2^53).
pub fn fresh_first_id() -> i64 {
    crate::journal::now_millis() * 1_000 + 1
}

impl Default for SalesforceOptions {
    fn default() -> Self {
        SalesforceOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            login: OrgLogin::demo(),
            channels: Vec::new(),
            recorded: Vec::new(),
            pace: None,
            poll_timeout: Duration::from_secs(110),
            session_timeout: Duration::from_secs(40),
            retention: Duration::from_secs(24 * 3600),
            batch_size: 100,
            echo: false,
            state: None,
            first_replay_id: None,
            pubsub: None,
        }
    }
}

/// Most events a channel retains, whatever `--retention` says (the oldest go first).
pub const MAX_RETAINED: usize = 200_000;

/// Most JWT assertions remembered against reuse (each only until it expires).
pub const MAX_ASSERTIONS: usize = 100_000;

/// Most live sessions; a handshake beyond it is refused until some expire.
pub const MAX_SESSIONS: usize = 10_000;

/// Part of what is retained leaves retention (`expire:upto=ID`, `expire:older=DURATION`): the
/// case `replay_fallback` exists for, a marker out of retention while newer events remain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expiry {
    /// Every event up to this replay id, on every channel.
    Upto(i64),
    /// Every event received longer ago than this.
    Older(Duration),
}

impl Expiry {
    /// `expire:upto=ID` or `expire:older=DURATION`.
    pub fn parse(fault: &str) -> Result<Expiry, String> {
        let arg = fault.strip_prefix("expire:").unwrap_or(fault);
        if let Some(id) = arg.strip_prefix("upto=") {
            return id
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Expiry::Upto)
                .ok_or_else(|| {
                    format!(
                        "expire:upto=`{}`: expected a replay id (a positive number)",
                        crate::text::clip(id, 30)
                    )
                });
        }
        if let Some(age) = arg.strip_prefix("older=") {
            return humantime::parse_duration(age.trim())
                .map(Expiry::Older)
                .map_err(|e| {
                    format!(
                        "expire:older=`{}`: {e}; expected a duration like 1h",
                        crate::text::clip(age, 30)
                    )
                });
        }
        Err(format!(
            "`{}`: expected expire, expire:upto=REPLAY_ID or expire:older=DURATION",
            crate::text::clip(fault, 40)
        ))
    }
}

struct Retained {
    replay_id: i64,
    at: Instant,
    /// When it was published, ms since the epoch (what `--state` keeps).
    at_ms: i64,
    raw: Arc<str>,
    /// What the Pub/Sub API sends for it, kept from its first delivery (`pubsub::Encoded`).
    pubsub: Option<Arc<pubsub::Encoded>>,
}

#[derive(Default)]
struct Channel {
    log: VecDeque<Retained>,
    last_id: i64,
}

impl Channel {
    fn push(&mut self, r: Retained) {
        self.last_id = r.replay_id;
        self.log.push_back(r);
        if self.log.len() > MAX_RETAINED {
            self.log.pop_front();
        }
    }

    /// Drops what is older than `retention`; how many.
    fn expire(&mut self, retention: Duration) -> usize {
        let before = self.log.len();
        while self.log.front().is_some_and(|r| r.at.elapsed() > retention) {
            self.log.pop_front();
        }
        before - self.log.len()
    }

    /// Drops the events up to replay id `upto`, keeping the newer ones; how many.
    fn expire_upto(&mut self, upto: i64) -> usize {
        let before = self.log.len();
        while self.log.front().is_some_and(|r| r.replay_id <= upto) {
            self.log.pop_front();
        }
        before - self.log.len()
    }

    /// Where a subscription with this replay value starts (the last id it has seen), or
    /// `None` when the id is not retained.
    fn start(&self, replay: i64) -> Option<i64> {
        match replay {
            -1 => Some(self.last_id),
            -2 => Some(
                self.log
                    .front()
                    .map(|r| r.replay_id - 1)
                    .unwrap_or(self.last_id),
            ),
            n if n == 0 && self.last_id == 0 => Some(0),
            n => self
                .log
                .binary_search_by_key(&n, |r| r.replay_id)
                .ok()
                .map(|_| n),
        }
    }
}

struct Session {
    cookie: String,
    subs: BTreeMap<String, i64>,
    last_seen: Instant,
    polling: bool,
    connected: bool,
}

#[derive(Default)]
struct State {
    channels: BTreeMap<String, Channel>,
    sessions: HashMap<String, Session>,
    tokens: HashSet<String>,
    /// Assertions already used (their `jti`, else their signature), until they expire.
    assertions: HashMap<String, u64>,
    /// Logins answer invalid_grant (a locked or changed user).
    locked: bool,
    /// User logins answer invalid_app_access (the user lost access to the connected app).
    app_denied: bool,
    /// The next Bayeux requests answered with something that is not JSON.
    garbage: u32,
    /// Token and Bayeux requests answer 503 (an outage or maintenance) until `available`.
    unavailable: bool,
    next_client: u64,
    /// A new channel's last replay id before its first event.
    base: i64,
    /// `--state DIR`, when given.
    store: Option<state::Store>,
}

impl State {
    /// Appends a recorded message to its channel if its replay id is newer than what the
    /// channel retains. (A journal's ids are the org's: a channel's first recorded message is
    /// kept whatever this run's base, and publishing goes on after the newest.)
    fn retain(&mut self, channel: &str, replay_id: i64, raw: Arc<str>) -> bool {
        let ch = self.channel(channel);
        if ch.log.back().is_some_and(|r| replay_id <= r.replay_id) {
            return false;
        }
        ch.push(Retained {
            replay_id,
            at: Instant::now(),
            at_ms: crate::journal::now_millis(),
            raw,
            pubsub: None,
        });
        true
    }

    /// A channel, made (empty, its ids starting after the org's base) when new.
    fn channel(&mut self, name: &str) -> &mut Channel {
        let base = self.base;
        self.channels
            .entry(name.to_string())
            .or_insert_with(|| Channel {
                log: VecDeque::new(),
                last_id: base,
            })
    }

    /// Keeps a published event in `--state`, if given; a failure is logged (the event is
    /// served either way, as it was published).
    fn keep(&mut self, channel: &str, r: &Retained) {
        if let Some(store) = self.store.as_mut() {
            let kept = state::KeptEvent {
                channel: channel.to_string(),
                replay_id: r.replay_id,
                at: r.at_ms,
                raw: r.raw.to_string(),
            };
            if let Err(e) = store.append(&kept) {
                tracing::warn!("{e}");
            }
        }
    }

    /// Saves the channels' sequences and the tokens in `--state`, and with `rewrite` the
    /// retained events too (after they changed other than by a publish).
    fn save(&mut self, rewrite: bool) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let last_ids: BTreeMap<String, i64> = self
            .channels
            .iter()
            .map(|(k, c)| (k.clone(), c.last_id))
            .collect();
        let mut result = store.save_meta(&last_ids, self.tokens.iter().map(String::as_str));
        if rewrite && result.is_ok() {
            let retained: Vec<state::KeptEvent> = self
                .channels
                .iter()
                .flat_map(|(name, c)| {
                    c.log.iter().map(move |r| state::KeptEvent {
                        channel: name.clone(),
                        replay_id: r.replay_id,
                        at: r.at_ms,
                        raw: r.raw.to_string(),
                    })
                })
                .collect();
            result = store.rewrite(&retained);
        }
        if let Err(e) = result {
            tracing::warn!("{e}");
        }
    }
}

pub(crate) struct SfApp {
    opts: SalesforceOptions,
    state: Mutex<State>,
    notify: tokio::sync::Notify,
    shutdown: CancellationToken,
    base_url: String,
    /// The Pub/Sub API's schemas, learnt from the channels' payloads.
    pubsub: pubsub::PubSubState,
}

impl SfApp {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere must not take the emulator down with it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a message to its channel if its replay id is new there.
    fn retain(&self, channel: &str, replay_id: i64, raw: Arc<str>) -> bool {
        let kept = self.lock().retain(channel, replay_id, raw);
        if kept {
            self.notify.notify_waiters();
        }
        kept
    }

    /// Applies a fault on demand (docs/salesforce.md) and says what it did.
    pub(crate) fn fault(&self, fault: &str, count: u32) -> Result<String, String> {
        let mut st = self.lock();
        let text = match fault {
            "drop-sessions" => {
                let n = st.sessions.len();
                st.sessions.clear();
                format!(
                    "dropped {}: their next request gets 403::Unknown client",
                    crate::text::counted(n as u64, "session")
                )
            }
            "revoke-tokens" => {
                let n = st.tokens.len();
                st.tokens.clear();
                format!(
                    "revoked {}: requests with them get 401::Authentication invalid",
                    crate::text::counted(n as u64, "token")
                )
            }
            "expire" => {
                let n: usize = st.channels.values().map(|c| c.log.len()).sum();
                for c in st.channels.values_mut() {
                    c.log.clear();
                }
                format!(
                    "expired {}: replay ids up to now are invalid",
                    crate::text::counted(n as u64, "retained event")
                )
            }
            f if f.starts_with("expire:") => match Expiry::parse(f)? {
                Expiry::Upto(id) => {
                    let n: usize = st.channels.values_mut().map(|c| c.expire_upto(id)).sum();
                    format!(
                        "expired {} up to replay id {id}: those ids are invalid, newer events stay",
                        crate::text::counted(n as u64, "retained event")
                    )
                }
                Expiry::Older(age) => {
                    let n: usize = st.channels.values_mut().map(|c| c.expire(age)).sum();
                    format!(
                        "expired {} older than {}: their ids are invalid, newer events stay",
                        crate::text::counted(n as u64, "retained event"),
                        humantime::format_duration(age)
                    )
                }
            },
            "lock-logins" => {
                st.locked = true;
                "logins now answer invalid_grant".to_string()
            }
            "unlock-logins" => {
                st.locked = false;
                "logins work again".to_string()
            }
            "deny-app-access" => {
                st.app_denied = true;
                "user logins (password, refresh token, JWT bearer) now answer invalid_app_access".to_string()
            }
            "allow-app-access" => {
                st.app_denied = false;
                "user logins may access the connected app again".to_string()
            }
            "garbage" => {
                st.garbage = count;
                format!(
                    "the next {} get an HTML page instead of JSON",
                    crate::text::counted(count as u64, "Bayeux request")
                )
            }
            "unavailable" => {
                st.unavailable = true;
                "token and Bayeux requests now answer 503 Service Unavailable, Pub/Sub calls UNAVAILABLE".to_string()
            }
            "reset-streams" => {
                self.pubsub.reset_streams();
                "every open Pub/Sub Subscribe stream ends with UNAVAILABLE (RST_STREAM closed stream)".to_string()
            }
            "available" => {
                st.unavailable = false;
                "token and Bayeux requests are answered again".to_string()
            }
            _ => return Err("unknown fault; expected drop-sessions, revoke-tokens, expire, expire:upto=REPLAY_ID, expire:older=DURATION, lock-logins, unlock-logins, deny-app-access, allow-app-access, garbage, unavailable, available or reset-streams".into()),
        };
        // What an org keeps changed: the retained events (expiry) or the tokens.
        if fault.starts_with("expire") || fault == "revoke-tokens" {
            st.save(fault.starts_with("expire"));
        }
        drop(st);
        // Held long polls see the change at once.
        self.notify.notify_waiters();
        Ok(text)
    }

    /// Publishes a new event on `channel` (created if needed) and returns its replay id.
    pub(crate) fn publish(&self, channel: &str, event_type: Option<&str>, payload: Value) -> i64 {
        let now = crate::journal::now_millis();
        let date = crate::salesforce::format_date(now);
        let id = {
            let mut st = self.lock();
            let ch = st.channel(channel);
            let id = ch.last_id + 1;
            let mut message = build_message(channel, id, &date, now, event_type, payload);
            let r = Retained {
                replay_id: id,
                at: Instant::now(),
                at_ms: now,
                raw: Arc::from(message.to_string()),
                pubsub: None,
            };
            st.keep(channel, &r);
            st.channel(channel).push(r);
            // A change event also goes to /data/ChangeEvents, which carries every object's
            // changes, under that channel's own replay id.
            if channel.starts_with("/data/") && channel != CHANGE_EVENTS {
                let all_id = st.channel(CHANGE_EVENTS).last_id + 1;
                message["channel"] = json!(CHANGE_EVENTS);
                message["data"]["event"]["replayId"] = json!(all_id);
                let r = Retained {
                    replay_id: all_id,
                    at: Instant::now(),
                    at_ms: now,
                    raw: Arc::from(message.to_string()),
                    pubsub: None,
                };
                st.keep(CHANGE_EVENTS, &r);
                st.channel(CHANGE_EVENTS).push(r);
            }
            id
        };
        self.notify.notify_waiters();
        id
    }
}

/// The channel of every object's change events.
pub const CHANGE_EVENTS: &str = "/data/ChangeEvents";

/// A PushTopic event's `data.event.type`.
pub const PUSHTOPIC_TYPES: &[&str] = &["created", "updated", "deleted", "undeleted"];

pub use crate::salesforce::CHANGE_TYPES;

/// The type an event published on `channel` gets: `given` checked against Salesforce's values
/// for the channel's kind (without regard to case), else the kind's default; `None` for
/// platform events and generic channels, which have none.
pub fn event_type(channel: &str, given: Option<&str>) -> Result<Option<String>, String> {
    let (values, default, kind) = if channel.starts_with("/topic/") {
        (PUSHTOPIC_TYPES, "created", "a PushTopic's event type")
    } else if channel.starts_with("/data/") {
        (CHANGE_TYPES, "CREATE", "a change event's changeType")
    } else {
        return match given {
            None => Ok(None),
            Some(t) => Err(format!(
                "--type `{}`: platform events (/event/X__e) and generic channels (/u/X) have no event type",
                crate::text::clip(t, 30)
            )),
        };
    };
    match given {
        None => Ok(Some(default.to_string())),
        Some(t) => values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(t.trim()))
            .map(|v| Some(v.to_string()))
            .ok_or_else(|| {
                format!(
                    "--type `{}` on {channel}: {kind} is one of {}",
                    crate::text::clip(t, 30),
                    values.join(", ")
                )
            }),
    }
}

/// The three-character key prefix of an object's record ids (a custom object's: `a00`).
fn key_prefix(entity: &str) -> &'static str {
    match entity {
        "Account" => "001",
        "Contact" => "003",
        "Opportunity" => "006",
        "Lead" => "00Q",
        "Case" => "500",
        "User" => "005",
        "Task" => "00T",
        "Event" => "00U",
        _ => "a00",
    }
}

/// A message of the shape Salesforce sends on each kind of channel.
fn build_message(
    channel: &str,
    id: i64,
    date: &str,
    now: i64,
    event_type: Option<&str>,
    payload: Value,
) -> Value {
    if channel.starts_with("/topic/") {
        let mut sobject = if payload.is_object() {
            payload
        } else {
            json!({})
        };
        if sobject.get("Id").is_none() {
            sobject["Id"] = json!(format!("001{:015}", id));
        }
        json!({"data": {"event": {"createdDate": date, "replayId": id, "type": event_type.unwrap_or("created")}, "sobject": sobject}, "channel": channel})
    } else if channel.starts_with("/event/") {
        let mut p = if payload.is_object() {
            payload
        } else {
            json!({})
        };
        p["CreatedDate"] = json!(date);
        p["CreatedById"] = json!("005000000000001AAA");
        let data = json!({"schema": "feedctl-emulated-schema", "payload": p, "event": {"replayId": id, "EventUuid": format!("feedctl-{id:08}")}});
        json!({"data": data, "channel": channel})
    } else if channel.starts_with("/data/") {
        let mut p = match payload {
            Value::Object(o) => o,
            _ => serde_json::Map::new(),
        };
        // /data/ChangeEvents carries every object's changes: the object is the payload's
        // `entityName` when given (an emulator's convenience), else Account.
        let entity = match channel.trim_start_matches("/data/") {
            "ChangeEvents" => p
                .remove("entityName")
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "Account".into()),
            name => name.trim_end_matches("ChangeEvent").to_string(),
        };
        let entity = entity.trim_end_matches("__ChangeEvent").to_string();
        let record = match p.remove("Id") {
            Some(Value::String(id)) => id,
            _ => format!("{}{:015}", key_prefix(&entity), id),
        };
        let change = event_type.unwrap_or("CREATE").to_ascii_uppercase();
        // An update names the fields it changed (with LastModifiedDate) and those it nulled.
        let updated = change == "UPDATE" || change == "GAP_UPDATE";
        let (changed, nulled): (Vec<&String>, Vec<&String>) = match updated {
            true => (
                p.keys().collect(),
                p.iter()
                    .filter(|(_, v)| v.is_null())
                    .map(|(k, _)| k)
                    .collect(),
            ),
            false => (Vec::new(), Vec::new()),
        };
        let mut changed: Vec<String> = changed.into_iter().cloned().collect();
        if updated && !changed.iter().any(|f| f == "LastModifiedDate") {
            changed.push("LastModifiedDate".into());
        }
        let nulled: Vec<String> = nulled.into_iter().cloned().collect();
        if updated {
            p.entry("LastModifiedDate").or_insert(json!(date));
        }
        // A transaction key is a UUID-like string; each publish is a transaction of one change.
        let key = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (now / 1000) as u32,
            (id >> 32) as u16,
            (id >> 16) as u16,
            id as u16,
            now as u64 & 0xffff_ffff_ffff
        );
        let header = json!({
            "entityName": entity,
            "recordIds": [record],
            "changeType": change,
            "changeOrigin": format!("com/salesforce/api/rest/{};client=feedctl-inject", crate::salesforce::API_VERSION),
            "transactionKey": key,
            "sequenceNumber": 1,
            "commitTimestamp": now,
            "commitNumber": now * 1000 + id % 1000,
            "commitUser": "005000000000001AAA",
            "nulledFields": nulled,
            "diffFields": [],
            "changedFields": changed,
        });
        let mut payload = serde_json::Map::new();
        payload.insert("ChangeEventHeader".into(), header);
        payload.extend(p);
        json!({"data": {"schema": "feedctl-emulated-schema", "payload": payload, "event": {"replayId": id}}, "channel": channel})
    } else {
        let text = match payload {
            Value::String(s) => s,
            other => other.to_string(),
        };
        json!({"data": {"event": {"createdDate": date, "replayId": id}, "payload": text}, "channel": channel})
    }
}

/// A running Salesforce emulator.
pub struct SalesforceServer {
    pub base_url: String,
    /// The Pub/Sub API's endpoint (`localhost:PORT`), when served.
    pub pubsub_endpoint: Option<String>,
    app: Arc<SfApp>,
    task: tokio::task::JoinHandle<()>,
    pubsub_task: Option<tokio::task::JoinHandle<()>>,
}

impl SalesforceServer {
    /// Publishes an event; returns its replay id.
    pub fn publish(&self, channel: &str, event_type: Option<&str>, payload: Value) -> i64 {
        self.app.publish(channel, event_type, payload)
    }

    /// Applies a fault on demand: drop-sessions, revoke-tokens, expire, lock-logins,
    /// unlock-logins, garbage, unavailable, available.
    pub fn fault(&self, fault: &str) -> Result<String, String> {
        self.app.fault(fault, 1)
    }

    /// Stops accepting, ends pending long polls, and waits for the server task.
    pub async fn stop(self) {
        self.app.shutdown.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
        if let Some(t) = self.pubsub_task {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    }
}

/// Binds (loopback only) and serves in the background.
pub async fn start(opts: SalesforceOptions) -> Result<SalesforceServer, super::ServeError> {
    if !opts.listen.ip().is_loopback() {
        return Err(super::ServeError::Bind(
            opts.listen,
            std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the Salesforce emulator listens on loopback only (it has test credentials and no TLS)",
            ),
        ));
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| super::ServeError::Bind(opts.listen, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| super::ServeError::Bind(opts.listen, e))?;
    // `localhost`, not the IP: aiohttp drops cookies set by an IP-address host.
    let base_url = format!("http://localhost:{}", addr.port());
    let mut state = State {
        base: opts.first_replay_id.unwrap_or_else(fresh_first_id) - 1,
        ..State::default()
    };
    for c in &opts.channels {
        state.channel(c);
    }
    // A journal's messages first, with their own ids; what `--state` kept was published after
    // them (publishing goes on from the highest id), so it comes after.
    let recorded = opts.recorded.clone();
    for m in &recorded {
        state.channel(&m.channel);
        if opts.pace.is_none() {
            state.retain(&m.channel, m.replay_id, Arc::from(m.raw.as_str()));
        }
    }
    if let Some(dir) = &opts.state {
        let retention = opts.retention.as_millis().min(i64::MAX as u128) as i64;
        let now = crate::journal::now_millis();
        let (store, loaded) =
            state::Store::open(dir, retention, now).map_err(super::ServeError::State)?;
        for e in loaded.events {
            let age = Duration::from_millis((now - e.at).max(0) as u64);
            let ch = state.channel(&e.channel);
            // After the journal's messages, if any: the org's own ids, not this run's base.
            if ch.log.back().is_none_or(|r| e.replay_id > r.replay_id) {
                ch.push(Retained {
                    replay_id: e.replay_id,
                    at: Instant::now().checked_sub(age).unwrap_or_else(Instant::now),
                    at_ms: e.at,
                    raw: Arc::from(e.raw),
                    pubsub: None,
                });
            }
        }
        // A channel the org knew goes on from its last id (given before, even if its events
        // expired since), not from this run's base.
        for (name, last) in &loaded.last_ids {
            let ch = state.channel(name);
            let newest = ch.log.back().map_or(*last, |r| r.replay_id);
            ch.last_id = (*last).max(newest);
        }
        state.tokens.extend(loaded.tokens);
        state.store = Some(store);
    }
    let app = Arc::new(SfApp {
        opts,
        state: Mutex::new(state),
        notify: tokio::sync::Notify::new(),
        shutdown: CancellationToken::new(),
        base_url: base_url.clone(),
        pubsub: pubsub::PubSubState::default(),
    });
    let (pubsub_endpoint, pubsub_task) = match app.opts.pubsub.clone() {
        Some(o) => {
            pubsub::prewarm(&app);
            let (endpoint, task) = pubsub::start_server(app.clone(), &o).await?;
            (Some(endpoint), Some(task))
        }
        None => (None, None),
    };
    if let Some(f) = app.opts.pace {
        tokio::spawn(publish_paced(app.clone(), recorded, f));
    }
    let router = routes::router(app.clone());
    let stop = app.shutdown.clone();
    let task = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(async move { stop.cancelled().await });
        if let Err(e) = served.await {
            tracing::error!("serve stopped: {e}");
        }
    });
    Ok(SalesforceServer {
        base_url,
        pubsub_endpoint,
        app,
        task,
        pubsub_task,
    })
}

/// Publishes recorded messages with the recorded gaps between them, divided by `factor`.
async fn publish_paced(app: Arc<SfApp>, recorded: Vec<RecordedMessage>, factor: f64) {
    let mut previous: Option<i64> = None;
    for m in recorded {
        if let Some(p) = previous {
            let gap =
                Duration::from_secs_f64(((m.received_at - p).max(0) as f64 / 1000.0) / factor);
            tokio::select! {
                _ = tokio::time::sleep(gap.min(Duration::from_secs(3600))) => {}
                _ = app.shutdown.cancelled() => return,
            }
        }
        previous = Some(m.received_at);
        app.retain(&m.channel, m.replay_id, Arc::from(m.raw));
    }
}
