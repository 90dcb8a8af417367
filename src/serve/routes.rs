//! The HTTP surface of the emulated pod, path for path as in the official specs (notes §11):
//! exact status codes, `application/json` bodies, V2Error / Error shapes.

use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::faults::FaultKind;
use super::hub::{Published, ReadOutcome, Version};
use super::reqlog::LoggedRequest;
use super::sessions::SessionUser;
use super::App;

/// Ids of the events a handler delivered, passed to the request log through the response.
#[derive(Clone)]
struct Served(Vec<Arc<str>>);

/// A `duplicate` or `reorder` fault picked for this read, passed to the handler.
#[derive(Clone)]
struct Shape(FaultKind);

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/login/pubkey/authenticate", post(login))
        .route("/relay/pubkey/authenticate", post(relay))
        .route("/sessionauth/v1/authenticate", post(cert_login))
        .route("/keyauth/v1/authenticate", post(cert_relay))
        .route("/pod/v2/sessioninfo", get(session_info))
        .route("/agent/v1/info", get(agent_info))
        .route("/agent/v5/datafeeds", get(list_feeds).post(create_feed))
        .route("/agent/v5/datafeeds/{id}", delete(delete_feed))
        .route("/agent/v5/datafeeds/{id}/read", post(read_feed))
        .route("/agent/v4/datafeed/create", post(create_feed_v1))
        .route("/agent/v4/datafeed/{id}/read", get(read_feed_v1))
        .route(
            "/agent/v4/stream/{sid}/message/create",
            post(create_message),
        )
        .route("/feedctl/v1/events", post(inject_events))
        .fallback(not_emulated)
        .layer(axum::middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// A V2Error / Error body with the given status.
fn error(status: u16, message: impl Into<String>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        Json(json!({ "code": status, "message": message.into() })),
    )
        .into_response()
}

/// The fault-grammar name of a call.
fn target(method: &Method, path: &str) -> &'static str {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["", "login", "pubkey", "authenticate"])
        | ("POST", ["", "sessionauth", "v1", "authenticate"]) => "login",
        ("POST", ["", "relay", "pubkey", "authenticate"])
        | ("POST", ["", "keyauth", "v1", "authenticate"]) => "relay",
        ("GET", ["", "pod", "v2", "sessioninfo"]) => "sessioninfo",
        ("GET", ["", "agent", "v1", "info"]) => "info",
        ("GET", ["", "agent", "v5", "datafeeds"]) => "list",
        ("POST", ["", "agent", "v5", "datafeeds"])
        | ("POST", ["", "agent", "v4", "datafeed", "create"]) => "create",
        ("DELETE", ["", "agent", "v5", "datafeeds", _]) => "delete",
        ("POST", ["", "agent", "v5", "datafeeds", _, "read"])
        | ("GET", ["", "agent", "v4", "datafeed", _, "read"]) => "read",
        ("POST", ["", "agent", "v4", "stream", _, "message", "create"]) => "message",
        ("POST", ["", "feedctl", "v1", "events"]) => "inject",
        _ => "other",
    }
}

/// The path with ids replaced, for logs.
fn template(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        let prev = if i > 0 { parts[i - 1] } else { "" };
        if matches!(prev, "datafeeds" | "datafeed" | "stream") && !p.is_empty() && *p != "create" {
            out.push("{id}");
        } else {
            out.push(p);
        }
    }
    out.join("/")
}

/// Applies answer-replacing faults and logs every request.
async fn observe(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let target = target(&method, &path);
    let (fault, shaping) = app.faults.pick(target);
    let mut req = req;
    if let Some(kind) = shaping {
        req.extensions_mut().insert(Shape(kind));
    }
    if fault == Some(FaultKind::Drop) {
        // Nothing may reach the client: cut the connection, then hand hyper an answer it can
        // no longer write.
        if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<super::tls::Peer>>() {
            peer.cut.cut();
        }
        app.log.push(LoggedRequest {
            seq: 0,
            at,
            method: method.to_string(),
            path: template(&path),
            target: target.to_string(),
            status: 0,
            millis: 0,
            fault: Some(FaultKind::Drop.to_string()),
            events: None,
        });
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if fault == Some(FaultKind::Hang) {
        // The client gives up long before this answers, so log it now, with no status (0).
        app.log.push(LoggedRequest {
            seq: 0,
            at,
            method: method.to_string(),
            path: template(&path),
            target: target.to_string(),
            status: 0,
            millis: 0,
            fault: Some(FaultKind::Hang.to_string()),
            events: None,
        });
        return faulty(&app, &FaultKind::Hang).await;
    }
    let mut response = match &fault {
        None => as_v2_error(next.run(req).await).await,
        Some(kind) => faulty(&app, kind).await,
    };
    // Taken out, not cloned: it names every event of the read.
    let served = response.extensions_mut().remove::<Served>().map(|s| s.0);
    let shaped = response
        .extensions()
        .get::<FaultKind>()
        .map(|k| k.to_string());
    app.log.push(LoggedRequest {
        seq: 0,
        at,
        method: method.to_string(),
        path: template(&path),
        target: target.to_string(),
        status: response.status().as_u16(),
        millis: started.elapsed().as_millis() as u64,
        fault: fault.map(|f| f.to_string()).or(shaped),
        events: served,
    });
    response
}

/// Every error answer is a V2Error JSON body, including the ones axum makes itself (a query,
/// path or body it cannot extract, a method not allowed), which come as `text/plain`.
async fn as_v2_error(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return response;
    }
    let (_, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    error(status.as_u16(), message)
}

/// The answer a fault gives instead of the real one.
async fn faulty(app: &App, kind: &FaultKind) -> Response {
    match kind {
        FaultKind::Status(429) => {
            let mut r = error(429, "Too many requests (injected by feedctl serve)");
            r.headers_mut()
                .insert("Retry-After", HeaderValue::from_static("1"));
            r
        }
        FaultKind::Status(code) => error(*code, format!("HTTP {code} injected by feedctl serve")),
        FaultKind::Hang => {
            // Hold the request until the client gives up or serve stops.
            tokio::select! {
                _ = app.shutdown.cancelled() => {}
                _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            }
            error(504, "hang ended")
        }
        FaultKind::Reset => broken_body(Bytes::new()),
        FaultKind::Truncate => broken_body(Bytes::from_static(
            br#"{"events":[{"id":"trunc","messageId":"Fd4Pc8xO","timest"#,
        )),
        FaultKind::Garbage => {
            let mut r = (
                StatusCode::OK,
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            r
        }
        FaultKind::Drop => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        FaultKind::Duplicate | FaultKind::Reorder => unreachable!("applied by the read handler"),
    }
}

/// A 200 whose body stops after `prefix` with an error, so the connection breaks mid-answer.
/// The pause lets the head and the prefix reach the client first, as a real cut would.
fn broken_body(prefix: Bytes) -> Response {
    let chunks = futures_util::stream::unfold(0u8, move |step| {
        let prefix = prefix.clone();
        async move {
            match step {
                0 => Some((Ok(prefix), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "injected",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    let mut r = Response::new(Body::from_stream(chunks));
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

#[derive(Deserialize)]
struct TokenRequest {
    token: Option<String>,
}

/// The user a `{"token": "<jwt>"}` body proves to be, or the 401 to answer.
// The error is the very response to send; boxing it would only move the allocation.
#[allow(clippy::result_large_err)]
fn verified_user(app: &App, body: &[u8]) -> Result<String, Response> {
    let Ok(req) = serde_json::from_slice::<TokenRequest>(body) else {
        return Err(error(
            401,
            "malformed authentication request: expected {\"token\": \"<jwt>\"}",
        ));
    };
    app.sessions
        .verify_jwt(req.token.as_deref().unwrap_or_default())
        .map_err(|why| error(401, why))
}

async fn login(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match verified_user(&app, &body) {
        Ok(user) => {
            let token = app.sessions.issue_session(&user);
            Json(json!({ "name": "sessionToken", "token": token, "authorizationToken": format!("Bearer {token}") })).into_response()
        }
        Err(r) => r,
    }
}

async fn relay(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match verified_user(&app, &body) {
        Ok(user) => {
            Json(json!({ "name": "keyManagerToken", "token": app.sessions.issue_km(&user) }))
                .into_response()
        }
        Err(r) => r,
    }
}

/// Certificate login: the bot is whoever presented a client certificate that `--client-ca`
/// verified (serve does not read the certificate's CN: it is `--bot-name`, else demo-bot), or
/// anyone with `--accept-any-key`. Otherwise 403, as the pod answers.
fn cert_allowed(app: &App, peer: &super::tls::Peer) -> bool {
    peer.client_cert || app.accept_any_cert
}

async fn cert_login(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<super::tls::Peer>,
) -> Response {
    if !cert_allowed(&app, &peer) {
        return error(403, "Certificate authentication is not allowed for the requested user (present a client certificate signed by serve's --client-ca)");
    }
    Json(json!({ "name": "sessionToken", "token": app.sessions.issue_session(&app.cert_user) }))
        .into_response()
}

async fn cert_relay(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<super::tls::Peer>,
) -> Response {
    if !cert_allowed(&app, &peer) {
        return error(
            403,
            "Certificate authentication is not allowed for the requested user",
        );
    }
    Json(json!({ "name": "keyManagerToken", "token": app.sessions.issue_km(&app.cert_user) }))
        .into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks the session (and, for agent calls, the key manager) token. The spec marks
/// `keyManagerToken` optional (it is absent under Simplified Key Delivery): a missing or empty
/// one is accepted; one that was not issued to this user is refused.
#[allow(clippy::result_large_err)]
fn authorize(app: &App, headers: &HeaderMap, agent: bool) -> Result<SessionUser, Response> {
    let Some(user) = header(headers, "sessionToken").and_then(|t| app.sessions.session(t)) else {
        return Err(error(401, "Invalid session"));
    };
    if agent && !user.skd {
        if let Some(t) = header(headers, "keyManagerToken").filter(|t| !t.is_empty()) {
            if app.sessions.km_user(t).as_deref() != Some(user.username.as_str()) {
                return Err(error(401, "Invalid keyManagerToken"));
            }
        }
    }
    Ok(user)
}

async fn session_info(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let user = match authorize(&app, &headers, false) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let name = app.bot_name.clone().unwrap_or(user.username.clone());
    Json(json!({
        "id": app.bot_user_id,
        "emailAddress": format!("{name}@feedctl.invalid"),
        "displayName": name,
        "username": user.username,
        "company": "feedctl serve",
        "accountType": "SYSTEM",
        "roles": ["INDIVIDUAL"],
    }))
    .into_response()
}

async fn agent_info(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    // The spec requires no token here and the Python kit sends none (it asks before deciding
    // on Simplified Key Delivery); a token that is sent must be valid.
    if headers.contains_key("sessionToken") {
        if let Err(r) = authorize(&app, &headers, false) {
            return r;
        }
    }
    Json(json!({
        "ipAddress": "127.0.0.1",
        "hostname": "localhost",
        "serverFqdn": app.base_url.get().cloned().unwrap_or_default(),
        "version": app.agent_version,
        "url": app.base_url.get().map(|b| format!("{b}/agent")).unwrap_or_default(),
        "onPrem": true,
        "mt": false,
        "commitId": "feedctl-serve",
    }))
    .into_response()
}

#[derive(Deserialize)]
struct TagQuery {
    tag: Option<String>,
}

async fn list_feeds(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<TagQuery>,
) -> Response {
    let user = match authorize(&app, &headers, true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if q.tag.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return error(400, "tag must be at most 100 characters");
    }
    let feeds: Vec<_> = app
        .hub
        .list(&user.username, q.tag.as_deref())
        .into_iter()
        .map(|(id, created)| json!({ "id": id, "createdAt": created, "type": "fanout" }))
        .collect();
    Json(feeds).into_response()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    tag: Option<String>,
    #[allow(dead_code)]
    include_invisible: Option<bool>,
}

async fn create_feed(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let user = match authorize(&app, &headers, true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let body: CreateBody = if body.iter().all(u8::is_ascii_whitespace) {
        CreateBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return error(400, format!("invalid V5DatafeedCreateBody: {e}")),
        }
    };
    if body.tag.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return error(400, "tag must be at most 100 characters");
    }
    let Some((id, created)) = app.hub.create(&user.username, body.tag, Version::V2) else {
        return too_many_feeds(&app);
    };
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "createdAt": created, "type": "fanout" })),
    )
        .into_response()
}

async fn delete_feed(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let user = match authorize(&app, &headers, true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if app.hub.delete(&user.username, &id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(400, "Could not find a datafeed with the provided id")
    }
}

/// `AckId` as the spec types it: `ackId` a string (not null), `updatePresence` a boolean, both
/// optional.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AckBody {
    #[serde(default, deserialize_with = "present_not_null")]
    ack_id: Option<String>,
    #[allow(dead_code)]
    #[serde(default, deserialize_with = "present_not_null")]
    update_presence: Option<bool>,
}

/// A field that may be left out but, when present, must not be `null`.
fn present_not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

async fn read_feed(
    State(app): State<Arc<App>>,
    shape_fault: Option<axum::Extension<Shape>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let user = match authorize(&app, &headers, true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let body: AckBody = if body.iter().all(u8::is_ascii_whitespace) {
        AckBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return error(400, format!("invalid AckId body: {e}")),
        }
    };
    let outcome = tokio::select! {
        o = app.hub.read(&user.username, &id, Version::V2, body.ack_id.as_deref().unwrap_or(""), None) => o,
        _ = app.shutdown.cancelled() => return error(503, "feedctl serve is stopping"),
    };
    match outcome {
        ReadOutcome::Events { events, ack_id } => {
            let (events, shaped) = shape(&app, events, shape_fault.map(|e| e.0 .0));
            let ids = served_ids(&events);
            remember_served(&app, &events);
            let mut body = String::from("{\"events\":");
            push_events(&mut body, &events);
            body.push_str(",\"ackId\":");
            body.push_str(&serde_json::Value::from(ack_id.unwrap_or_default()).to_string());
            body.push('}');
            let mut r = ([("content-type", "application/json")], body).into_response();
            r.extensions_mut().insert(Served(ids));
            if let Some(k) = shaped {
                r.extensions_mut().insert(k);
            }
            r
        }
        ReadOutcome::UnknownFeed => error(400, "Could not find a datafeed with the provided id"),
        ReadOutcome::BadAckId => error(400, "The format of the provided ackId is incorrect"),
        ReadOutcome::Unavailable(why) => unavailable(why),
    }
}

/// A read whose stored events could not be read back: the emulator's own failure, said on
/// stderr too, since the bot may only log a status.
fn unavailable(why: String) -> Response {
    tracing::error!("{why}");
    error(500, why)
}

/// The spec's 403: the user has as many active feeds as allowed.
fn too_many_feeds(app: &App) -> Response {
    error(
        403,
        format!(
            "Too many feeds created: this user reached {} active feeds; usually only one is needed per service account (delete the ones not in use)",
            app.hub.max_feeds()
        ),
    )
}

/// Applies `duplicate` and `reorder` faults to the events of one read.
fn shape(
    app: &App,
    mut events: Vec<Published>,
    fault: Option<FaultKind>,
) -> (Vec<Published>, Option<FaultKind>) {
    if events.is_empty() {
        return (events, None);
    }
    match fault {
        Some(FaultKind::Duplicate) => {
            let copies = events.clone();
            events.extend(copies);
            (events, Some(FaultKind::Duplicate))
        }
        Some(FaultKind::Reorder) => {
            app.faults.shuffle(&mut events);
            (events, Some(FaultKind::Reorder))
        }
        _ => (events, None),
    }
}

/// Appends the events as a JSON array: their bytes as stored, written once into a body sized
/// for them (a read's body is the bulk of what serve writes).
fn push_events(body: &mut String, events: &[Published]) {
    body.reserve(events.iter().map(|e| e.raw.len() + 1).sum::<usize>() + 64);
    body.push('[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&e.raw);
    }
    body.push(']');
}

/// Notes what a read served, so a bot's reply can be linked to the event it answers: per
/// stream, the event of the latest read that had any there (if only one); and every served
/// event by id.
fn remember_served(app: &App, events: &[Published]) {
    let mut last = app.last_served.lock().unwrap_or_else(|e| e.into_inner());
    let mut batch: super::FastMap<Arc<str>, super::StreamServed> = Default::default();
    for e in events {
        // Bounded like the request log: a reply names an event served recently.
        last.note(&e.id, e.row);
        if let Some(stream) = &e.stream_id {
            match batch.entry(stream.clone()) {
                Entry::Vacant(v) => {
                    v.insert(super::StreamServed::One(e.id.clone(), e.row));
                }
                // A `duplicate` fault serves an event twice: still one candidate.
                Entry::Occupied(mut o) => {
                    if matches!(o.get(), super::StreamServed::One(id, _) if *id != e.id) {
                        o.insert(super::StreamServed::Several);
                    }
                }
            }
        }
    }
    last.by_stream.extend(batch);
}

/// The event a reply to `stream` answers (its id and journal row), by the rule of
/// docs/testing-a-bot.md: the event named by the request's `X-Trace-Id` (the Java kit sends the
/// event's id while dispatching it), else the only event of the stream in the latest read that
/// served it; else unknown.
fn answered_event(
    app: &App,
    stream: &str,
    trace_id: Option<&str>,
) -> (Option<String>, Option<i64>) {
    let last = app.last_served.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(trace) = trace_id {
        // `base:id` is the kits' form when a trace id base is configured.
        let id = trace.rsplit(':').next().unwrap_or(trace);
        if let Some(row) = last.row_of(id) {
            return (Some(id.to_string()), row);
        }
    }
    match last.by_stream.get(stream) {
        Some(super::StreamServed::One(id, row)) => (Some(id.to_string()), *row),
        _ => (None, None),
    }
}

/// The ids for the request log: shared with the events, not copied (a read names a hundred).
fn served_ids(events: &[Published]) -> Vec<Arc<str>> {
    events.iter().map(|e| e.id.clone()).collect()
}

async fn create_feed_v1(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let user = match authorize(&app, &headers, true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Some((id, _)) = app.hub.create(&user.username, None, Version::V1) else {
        return error(503, "Max number of data feeds reached");
    };
    let mut r = Json(json!({ "id": id })).into_response();
    r.headers_mut().insert(
        "X-Warning",
        HeaderValue::from_static("This method is deprecated"),
    );
    r
}

/// v1's `?limit=N`: a whole number; anything else is a 400 with an Error body.
#[allow(clippy::result_large_err)]
fn v1_limit(query: &std::collections::HashMap<String, String>) -> Result<Option<usize>, Response> {
    query
        .get("limit")
        .map(|v| {
            v.parse::<usize>()
                .map_err(|_| error(400, format!("limit must be a whole number, not `{v}`")))
        })
        .transpose()
}

async fn read_feed_v1(
    State(app): State<Arc<App>>,
    shape_fault: Option<axum::Extension<Shape>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let user = match authorize(&app, &headers, true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let limit = match v1_limit(&q) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let outcome = tokio::select! {
        o = app.hub.read(&user.username, &id, Version::V1, "", limit) => o,
        _ = app.shutdown.cancelled() => return error(503, "feedctl serve is stopping"),
    };
    let mut r = match outcome {
        ReadOutcome::Events { events, .. } if events.is_empty() => {
            StatusCode::NO_CONTENT.into_response()
        }
        ReadOutcome::Events { events, .. } => {
            let (events, shaped) = shape(&app, events, shape_fault.map(|e| e.0 .0));
            let ids = served_ids(&events);
            remember_served(&app, &events);
            let mut body = String::new();
            push_events(&mut body, &events);
            let mut r = ([("content-type", "application/json")], body).into_response();
            r.extensions_mut().insert(Served(ids));
            if let Some(k) = shaped {
                r.extensions_mut().insert(k);
            }
            r
        }
        ReadOutcome::Unavailable(why) => unavailable(why),
        _ => error(400, "Could not find a datafeed with the provided id"),
    };
    r.headers_mut().insert(
        "X-Warning",
        HeaderValue::from_static("This method is deprecated"),
    );
    r
}

/// `POST /agent/v4/stream/{sid}/message/create` (multipart): the bot's reply. Stored, echoed on
/// stderr, and answered with a V4Message as the agent does.
async fn create_message(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(sid): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let user = match authorize(&app, &headers, true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (mut message, mut data, mut version, mut files) = (None, None, None, Vec::new());
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return error(400, format!("invalid multipart body: {e}")),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return error(400, format!("invalid multipart field `{name}`: {e}")),
        };
        match name.as_str() {
            "message" => message = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "data" => data = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "version" => version = Some(String::from_utf8_lossy(&bytes).into_owned()),
            other => files.push(json!({ "field": other, "name": file_name, "size": bytes.len() })),
        }
    }
    let Some(message) = message.filter(|m| !m.trim().is_empty()) else {
        return error(400, "the message field is required (MessageML)");
    };
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let (answers_event, answers_row) = answered_event(&app, &sid, header(&headers, "X-Trace-Id"));
    let sent = super::SentMessage {
        at,
        stream_id: sid.clone(),
        message: Some(message.clone()),
        data: data.clone(),
        answers_event,
        answers_row,
        request: json!({ "version": version, "attachments": files }),
    };
    if app.echo {
        crate::stderr_line!(
            "serve: bot sent to {sid}: {}",
            crate::text::terminal_safe(&crate::text::clip(&crate::text::plain_text(&message), 200))
        );
    }
    if let Ok(mut all) = app.sent.lock() {
        if all.len() >= super::SENT_KEPT {
            all.remove(0);
        }
        all.push(sent.clone());
    }
    if let Some(tx) = &app.outbox {
        let _ = tx.send(sent);
    }
    let name = app.bot_name.clone().unwrap_or(user.username.clone());
    let message_id = format!("{}___{}", random_id(22), random_id(8));
    let presentation = if message.trim_start().starts_with("<messageML") {
        let inner = message
            .trim()
            .trim_start_matches(|c| c != '>')
            .trim_start_matches('>');
        let inner = inner.strip_suffix("</messageML>").unwrap_or(inner);
        format!("<div data-format=\"PresentationML\" data-version=\"2.0\" class=\"wysiwyg\">{inner}</div>")
    } else {
        message
    };
    Json(json!({
        "messageId": message_id,
        "timestamp": at,
        "message": presentation,
        "data": data.unwrap_or_else(|| "{}".into()),
        "user": { "userId": app.bot_user_id, "displayName": name, "username": user.username, "email": format!("{name}@feedctl.invalid") },
        "stream": { "streamId": sid, "streamType": "ROOM" },
        "externalRecipients": false,
        "userAgent": "feedctl-serve",
        "originalFormat": "com.symphony.messageml.v2",
    }))
    .into_response()
}

fn random_id(n: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// `POST /feedctl/v1/events`: feedctl's own admin endpoint (loopback clients only) that adds
/// events, as NDJSON or a JSON array, for every feed to receive.
async fn inject_events(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<super::tls::Peer>,
    body: Bytes,
) -> Response {
    if !peer.addr.ip().is_loopback() {
        return error(
            403,
            "the admin endpoint only takes requests from this machine",
        );
    }
    let text = String::from_utf8_lossy(&body);
    let events = if text.trim_start().starts_with('[') {
        match serde_json::from_str::<Vec<Box<serde_json::value::RawValue>>>(&text) {
            Ok(list) => list.into_iter().map(Arc::from).collect::<Vec<_>>(),
            Err(e) => return error(400, format!("expected a JSON array of events: {e}")),
        }
    } else {
        match super::read_ndjson(&text) {
            Ok(list) => list,
            Err(e) => return error(400, e),
        }
    };
    if let Some(bad) = events
        .iter()
        .position(|e| !e.get().trim_start().starts_with('{'))
    {
        return error(400, format!("event {} is not a JSON object", bad + 1));
    }
    let n = events.len();
    app.hub.publish(events);
    if app.echo {
        crate::stderr_line!(
            "serve: {} injected",
            crate::text::counted(n as u64, "event")
        );
    }
    Json(json!({ "published": n })).into_response()
}

/// Endpoints a bot may call that serve does not emulate: 501, naming the endpoint.
async fn not_emulated(method: Method, uri: axum::http::Uri) -> Response {
    error(
        501,
        format!("feedctl serve does not emulate {method} {}", uri.path()),
    )
}
