//! The HTTP surface of the Salesforce emulator: `/services/oauth2/token`, `/cometd/<version>`
//! and feedctl's loopback admin endpoints (publish, faults).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use rand::Rng;
use serde_json::{json, Value};

use super::{Session, SfApp};
use crate::salesforce::{invalid_replay_error, unknown_channel_error};

pub fn router(app: Arc<SfApp>) -> Router {
    Router::new()
        .route("/services/oauth2/token", post(token))
        .route("/cometd/{version}", post(cometd))
        .route("/feedctl/v1/salesforce/events", post(admin_publish))
        .route("/feedctl/v1/salesforce/faults", post(admin_fault))
        .with_state(app)
}

fn random(n: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

fn echo(app: &SfApp, line: &str) {
    if app.opts.echo {
        // stderr of `feedctl serve`: a request log line, never a token.
        crate::stderr_line!("{line}");
    }
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /services/oauth2/token`: the password, refresh_token, client_credentials and JWT
/// bearer grants, with Salesforce's error bodies.
async fn token(State(app): State<Arc<SfApp>>, body: Bytes) -> Response {
    let form: std::collections::HashMap<String, String> =
        form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let l = &app.opts.login;
    let grant = get("grant_type");
    echo(
        &app,
        &format!(
            "POST /services/oauth2/token grant_type={}",
            crate::text::clip(grant, 60)
        ),
    );
    if app.lock().unavailable {
        return unavailable();
    }
    match grant {
        "password" | "refresh_token" | "client_credentials" => {
            if get("client_id") != l.client_id {
                return oauth_error("invalid_client_id", "client identifier invalid");
            }
            if get("client_secret") != l.client_secret.expose() {
                return oauth_error("invalid_client", "invalid client credentials");
            }
            let ok = match grant {
                "password" => {
                    get("username") == l.username && get("password") == l.password.expose()
                }
                "refresh_token" => get("refresh_token") == l.refresh_token.expose(),
                _ => true,
            };
            if !ok {
                let description = if grant == "refresh_token" {
                    "expired access/refresh token"
                } else {
                    "authentication failure"
                };
                return oauth_error("invalid_grant", description);
            }
        }
        crate::salesforce::auth::JWT_BEARER => {
            if let Err((error, description)) = check_assertion(&app, get("assertion")) {
                echo(
                    &app,
                    &format!("JWT bearer login refused: {error} ({description})"),
                );
                return oauth_error(error, description);
            }
        }
        _ => return oauth_error("unsupported_grant_type", "grant type not supported"),
    }
    if app.lock().locked {
        return oauth_error("invalid_grant", "authentication failure");
    }
    if grant != "client_credentials" && app.lock().app_denied {
        return oauth_error(
            "invalid_app_access",
            "user is not admin approved to access this app",
        );
    }
    // Like Salesforce's, a token starts with the org id (the published Pub/Sub client reads it).
    let token = format!("{}!{}", super::ORG_ID, random(60));
    {
        let mut st = app.lock();
        st.tokens.insert(token.clone());
        st.save(false);
    }
    let now = crate::journal::now_millis();
    Json(json!({
        "access_token": token,
        "instance_url": app.base_url,
        "id": format!("{}/id/{}AAA/005FEEDCTL0000001AAA", app.base_url, super::ORG_ID),
        "token_type": "Bearer",
        "issued_at": now.to_string(),
        "signature": random(44),
    }))
    .into_response()
}

/// The claims the emulator checks in a JWT bearer assertion.
#[derive(serde::Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: serde_json::Value,
    exp: u64,
    #[serde(default)]
    jti: Option<String>,
}

/// Checks a JWT bearer assertion as Salesforce does: RS256 signature against `--jwt-public-key`,
/// `iss` = the consumer key, `aud` = the login host, `sub` = a pre-authorized user, `exp` in
/// the future and at most 3 minutes away (plus a minute of clock skew); a reused assertion is
/// refused. Errors are Salesforce's `(error, error_description)`.
fn check_assertion(app: &SfApp, jwt: &str) -> Result<(), (&'static str, &'static str)> {
    use jsonwebtoken::{Algorithm, Validation};
    const INVALID: (&str, &str) = ("invalid_grant", "invalid assertion");
    let Some(key) = &app.opts.login.jwt_key else {
        // No certificate uploaded to the connected app: nothing verifies.
        return Err(INVALID);
    };
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| INVALID)?;
    if header.alg != Algorithm::RS256 {
        return Err(INVALID);
    }
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_aud = false;
    v.leeway = 60;
    v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let data = jsonwebtoken::decode::<Claims>(jwt, &key.0, &v).map_err(|_| INVALID)?;
    let c = data.claims;
    let now = crate::journal::now_millis().max(0) as u64 / 1000;
    let lifetime = crate::salesforce::auth::ASSERTION_LIFETIME.as_secs();
    if c.exp > now + lifetime + 60 {
        return Err(INVALID);
    }
    if c.iss != app.opts.login.client_id {
        return Err(("invalid_client_id", "client identifier invalid"));
    }
    let port = app.base_url.rsplit(':').next().unwrap_or("");
    let allowed = [
        app.base_url.clone(),
        format!("http://127.0.0.1:{port}"),
        "https://login.salesforce.com".to_string(),
        "https://test.salesforce.com".to_string(),
    ];
    let aud_ok = |a: &serde_json::Value| {
        a.as_str()
            .is_some_and(|a| allowed.iter().any(|x| x == a.trim_end_matches('/')))
    };
    let aud_ok = match &c.aud {
        serde_json::Value::Array(list) => list.iter().any(aud_ok),
        a => aud_ok(a),
    };
    if !aud_ok {
        return Err(("invalid_grant", "audience is invalid"));
    }
    if c.sub != app.opts.login.username {
        return Err(("invalid_grant", "user hasn't approved this consumer"));
    }
    let once = c
        .jti
        .unwrap_or_else(|| jwt.rsplit('.').next().unwrap_or("").to_string());
    let mut st = app.lock();
    st.assertions.retain(|_, exp| *exp + 60 >= now);
    if st.assertions.contains_key(&once) {
        return Err(INVALID);
    }
    if st.assertions.len() >= super::MAX_ASSERTIONS {
        return Err(("invalid_grant", "too many assertions; try again later"));
    }
    st.assertions.insert(once, c.exp);
    Ok(())
}

/// The answer of the `unavailable` fault: what a client gets during an outage.
fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("content-type", "text/plain"), ("retry-after", "1")],
        "Service Unavailable",
    )
        .into_response()
}

fn reply_json(status: StatusCode, replies: Vec<Value>) -> Response {
    (status, Json(Value::Array(replies))).into_response()
}

fn cookie_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == "BAYEUX_BROWSER")
        .map(|(_, v)| v.to_string())
}

fn advice(app: &SfApp, reconnect: &str) -> Value {
    json!({"reconnect": reconnect, "interval": 0, "timeout": app.opts.poll_timeout.as_millis() as u64})
}

/// `POST /cometd/<version>`: a batch of Bayeux messages.
async fn cometd(
    State(app): State<Arc<SfApp>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if version.parse::<f64>().map_or(true, |v| v < 37.0) {
        return reply_json(
            StatusCode::BAD_REQUEST,
            vec![
                json!({"error": format!("400::API version {} is not supported by the Streaming API with replay; use 37.0 or later", crate::text::clip(&version, 10)), "successful": false}),
            ],
        );
    }
    let messages: Vec<Value> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(a)) => a,
        Ok(v @ Value::Object(_)) => vec![v],
        _ => {
            return reply_json(
                StatusCode::BAD_REQUEST,
                vec![
                    json!({"error": "400::Bad request: expected a JSON array of Bayeux messages", "successful": false}),
                ],
            )
        }
    };
    let summary: Vec<&str> = messages
        .iter()
        .filter_map(|m| m.get("channel").and_then(Value::as_str))
        .collect();
    echo(
        &app,
        &format!("POST /cometd/{version} {}", summary.join(",")),
    );
    {
        let mut st = app.lock();
        if st.unavailable {
            return unavailable();
        }
        if st.garbage > 0 {
            st.garbage -= 1;
            return (
                StatusCode::OK,
                [("content-type", "text/html")],
                "<html><body>Service temporarily unavailable</body></html>",
            )
                .into_response();
        }
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("OAuth "))
        })
        .map(str::to_string);
    let auth_error = match &bearer {
        None => Some("401::Request requires authentication"),
        Some(t) if !app.lock().tokens.contains(t) => Some("401::Authentication invalid"),
        Some(_) => None,
    };
    if let Some(error) = auth_error {
        let replies = messages
            .iter()
            .map(|m| {
                let channel = m.get("channel").cloned().unwrap_or(Value::Null);
                let mut r = if channel == "/meta/handshake" {
                    json!({"channel": channel, "successful": false, "error": "403::Handshake denied", "ext": {"sfdc": {"failureReason": error}}})
                } else {
                    json!({"channel": channel, "successful": false, "error": error})
                };
                r["advice"] = json!({"reconnect": "none"});
                if let Some(id) = m.get("id") {
                    r["id"] = id.clone();
                }
                r
            })
            .collect();
        return reply_json(StatusCode::UNAUTHORIZED, replies);
    }
    let cookie = cookie_of(&headers);
    let mut replies = Vec::new();
    let mut set_cookie = None;
    let mut connect: Option<(String, Value)> = None;
    {
        let mut st = app.lock();
        // Sessions whose client stopped polling are dropped, as Salesforce does after 40 s.
        let timeout = app.opts.session_timeout;
        st.sessions
            .retain(|_, s| s.polling || s.last_seen.elapsed() <= timeout);
        let retention = app.opts.retention;
        for ch in st.channels.values_mut() {
            ch.expire(retention);
        }
        for m in &messages {
            let channel = m.get("channel").and_then(Value::as_str).unwrap_or("");
            let id = m.get("id").cloned().unwrap_or(Value::Null);
            let cid = m
                .get("clientId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if channel == "/meta/handshake" && st.sessions.len() >= super::MAX_SESSIONS {
                replies.push(json!({"channel": channel, "id": id, "successful": false, "error": "503::Too many sessions; try again later", "advice": {"reconnect": "handshake", "interval": 5000}}));
                continue;
            }
            if channel == "/meta/handshake" {
                st.next_client += 1;
                let cid = format!("{}{}", random(20), st.next_client);
                let value = random(24);
                st.sessions.insert(
                    cid.clone(),
                    Session {
                        cookie: value.clone(),
                        subs: Default::default(),
                        last_seen: Instant::now(),
                        polling: false,
                        connected: false,
                    },
                );
                set_cookie = Some(value);
                replies.push(json!({"ext": {"replay": true, "payload.format": true}, "minimumVersion": "1.0", "clientId": cid, "supportedConnectionTypes": ["long-polling"], "channel": "/meta/handshake", "id": id, "version": "1.0", "successful": true, "advice": advice(&app, "retry")}));
                continue;
            }
            // A session whose client sends no BAYEUX_BROWSER cookie: Salesforce's documented
            // answer (Streaming API error codes), not "unknown client".
            if cookie.is_none() && set_cookie.is_none() && st.sessions.contains_key(&cid) {
                replies.push(json!({"clientId": cid, "channel": channel, "id": id, "successful": false, "error": format!("400::Client {cid} has established a session, but no BAYEUX_BROWSER cookie present")}));
                continue;
            }
            let known = st.sessions.get(&cid).is_some_and(|s| {
                set_cookie.is_some() || cookie.as_deref() == Some(s.cookie.as_str())
            });
            if !known {
                replies.push(json!({"clientId": cid, "channel": channel, "id": id, "successful": false, "error": "403::Unknown client", "advice": {"reconnect": "handshake", "interval": 0}}));
                continue;
            }
            match channel {
                "/meta/subscribe" | "/meta/unsubscribe" => {
                    let sub = m.get("subscription").and_then(Value::as_str).unwrap_or("").to_string();
                    let mut r = json!({"clientId": cid, "channel": channel, "id": id, "subscription": sub});
                    if channel == "/meta/unsubscribe" {
                        if let Some(s) = st.sessions.get_mut(&cid) {
                            s.subs.remove(&sub);
                        }
                        r["successful"] = json!(true);
                        replies.push(r);
                        continue;
                    }
                    let given = m.pointer("/ext/replay").and_then(|r| r.get(&sub));
                    // A replay value is a number ("send numbers, not strings"): anything else,
                    // a string "-2" included, is refused as an invalid replay id (the only
                    // refusal of a replay value Salesforce documents).
                    let replay = match given {
                        None => Some(-1),
                        Some(v) => v.as_i64(),
                    };
                    let Some(replay) = replay else {
                        let text = given.map(|v| match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        });
                        r["successful"] = json!(false);
                        r["error"] = json!(invalid_replay_error(crate::text::clip(&text.unwrap_or_default(), 40)));
                        replies.push(r);
                        continue;
                    };
                    let start = st.channels.get(&sub).map(|c| c.start(replay));
                    match start {
                        None => {
                            r["successful"] = json!(false);
                            r["error"] = json!(unknown_channel_error(&sub));
                        }
                        Some(None) => {
                            r["successful"] = json!(false);
                            r["error"] = json!(invalid_replay_error(replay));
                        }
                        Some(Some(from)) => {
                            if let Some(s) = st.sessions.get_mut(&cid) {
                                s.subs.insert(sub, from);
                            }
                            r["successful"] = json!(true);
                        }
                    }
                    replies.push(r);
                }
                "/meta/disconnect" => {
                    st.sessions.remove(&cid);
                    replies.push(json!({"clientId": cid, "channel": channel, "id": id, "successful": true}));
                }
                "/meta/connect" if connect.is_none() => connect = Some((cid, id)),
                "/meta/connect" => replies.push(json!({"clientId": cid, "channel": channel, "id": id, "successful": false, "error": "400::Only one connect per request"})),
                other => replies.push(json!({"clientId": cid, "channel": other, "id": id, "successful": false, "error": "403::Publish denied: Salesforce streaming channels are published over REST"})),
            }
        }
    }
    if let Some((cid, id)) = connect {
        let (events, alive) = long_poll(&app, &cid).await;
        if alive {
            replies.push(json!({"clientId": cid, "channel": "/meta/connect", "id": id, "successful": true, "advice": advice(&app, "retry")}));
        } else {
            replies.push(json!({"clientId": cid, "channel": "/meta/connect", "id": id, "successful": false, "error": "403::Unknown client", "advice": {"reconnect": "handshake", "interval": 0}}));
        }
        // Data first, as Salesforce sends them, then the connect reply.
        let mut body = String::from("[");
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(e);
        }
        for r in &replies {
            if body.len() > 1 {
                body.push(',');
            }
            body.push_str(&r.to_string());
        }
        body.push(']');
        let mut resp = (
            StatusCode::OK,
            [("content-type", "application/json;charset=UTF-8")],
            body,
        )
            .into_response();
        add_cookie(&mut resp, set_cookie);
        return resp;
    }
    let mut resp = reply_json(StatusCode::OK, replies);
    add_cookie(&mut resp, set_cookie);
    resp
}

fn add_cookie(resp: &mut Response, value: Option<String>) {
    if let Some(v) = value {
        if let Ok(h) = HeaderValue::from_str(&format!("BAYEUX_BROWSER={v}; Path=/; HttpOnly")) {
            resp.headers_mut().append("set-cookie", h);
        }
    }
}

/// Holds a connect until events are there for the session (or the poll timeout); the first
/// connect of a session is answered at once. Returns the events and whether the session lives.
async fn long_poll(app: &SfApp, cid: &str) -> (Vec<std::sync::Arc<str>>, bool) {
    let deadline = tokio::time::Instant::now() + app.opts.poll_timeout;
    let first = {
        let mut st = app.lock();
        match st.sessions.get_mut(cid) {
            Some(s) => {
                s.polling = true;
                !std::mem::replace(&mut s.connected, true)
            }
            None => return (Vec::new(), false),
        }
    };
    loop {
        let notified = app.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let (events, alive) = take_events(app, cid);
        if !alive || !events.is_empty() || first || tokio::time::Instant::now() >= deadline {
            let mut st = app.lock();
            if let Some(s) = st.sessions.get_mut(cid) {
                s.polling = false;
                s.last_seen = Instant::now();
            }
            return (events, alive);
        }
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
            _ = app.shutdown.cancelled() => return (Vec::new(), true),
        }
    }
}

/// The session's undelivered events, oldest first per channel, at most a batch.
fn take_events(app: &SfApp, cid: &str) -> (Vec<std::sync::Arc<str>>, bool) {
    let mut guard = app.lock();
    let st = &mut *guard;
    let Some(s) = st.sessions.get_mut(cid) else {
        return (Vec::new(), false);
    };
    let mut out = Vec::new();
    for (name, from) in s.subs.iter_mut() {
        let Some(ch) = st.channels.get(name) else {
            continue;
        };
        let after = *from;
        for r in ch.log.iter().filter(|r| r.replay_id > after) {
            if out.len() >= app.opts.batch_size.max(1) {
                break;
            }
            out.push(r.raw.clone());
            *from = r.replay_id;
        }
    }
    (out, true)
}

fn loopback_only(peer: &SocketAddr) -> Option<Response> {
    (!peer.ip().is_loopback()).then(|| {
        (
            StatusCode::FORBIDDEN,
            Json(json!({"message": "the admin endpoint answers loopback clients only"})),
        )
            .into_response()
    })
}

/// `POST /feedctl/v1/salesforce/events`: `{"channel":…, "payload":{…}, "type":…}` or an array.
async fn admin_publish(
    State(app): State<Arc<SfApp>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Response {
    if let Some(r) = loopback_only(&peer) {
        return r;
    }
    let items = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(a)) => a,
        Ok(v @ Value::Object(_)) => vec![v],
        _ => return (StatusCode::BAD_REQUEST, Json(json!({"message": "expected a JSON object {\"channel\":…, \"payload\":{…}} or an array of them"}))).into_response(),
    };
    let mut ids = Vec::new();
    for it in items {
        let Some(channel) = it
            .get("channel")
            .and_then(Value::as_str)
            .filter(|c| crate::salesforce::valid_channel(c))
        else {
            return (StatusCode::BAD_REQUEST, Json(json!({"message": "each event needs a channel: /topic/NAME, /event/NAME__e, /data/NAME or /u/NAME"}))).into_response();
        };
        let ty = match super::event_type(channel, it.get("type").and_then(Value::as_str)) {
            Ok(ty) => ty,
            Err(e) => {
                return (StatusCode::BAD_REQUEST, Json(json!({"message": e}))).into_response()
            }
        };
        ids.push(app.publish(
            channel,
            ty.as_deref(),
            it.get("payload").cloned().unwrap_or(json!({})),
        ));
    }
    echo(
        &app,
        &format!(
            "POST /feedctl/v1/salesforce/events: published {}",
            crate::text::counted(ids.len() as u64, "event")
        ),
    );
    Json(json!({"published": ids.len(), "replayIds": ids})).into_response()
}

/// `POST /feedctl/v1/salesforce/faults`: `{"fault": "drop-sessions" | "revoke-tokens" |
/// "expire" | "lock-logins" | "unlock-logins" | "garbage" | "unavailable" | "available",
/// "count": N}`.
async fn admin_fault(
    State(app): State<Arc<SfApp>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = loopback_only(&peer) {
        return r;
    }
    let fault = body.get("fault").and_then(Value::as_str).unwrap_or("");
    let count = body.get("count").and_then(Value::as_u64).unwrap_or(1) as u32;
    let text = match app.fault(fault, count) {
        Ok(t) => t,
        Err(e) => return (StatusCode::BAD_REQUEST, Json(json!({"message": e}))).into_response(),
    };
    echo(&app, &format!("fault: {text}"));
    Json(json!({"fault": fault, "message": text})).into_response()
}
