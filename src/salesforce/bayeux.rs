//! A Bayeux long-polling client, as Salesforce speaks it: JSON arrays of messages, replies
//! matched by `id`, the `BAYEUX_BROWSER` cookie kept per session, the bearer token on every
//! request, and `advice` followed. It sends what it is told; the source decides what to do.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::config::Secret;

/// The most bytes one reply may have (a connect reply holds a batch of events).
pub const MAX_REPLY: usize = 64 << 20;

/// What the server advised (`advice`), with Salesforce's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub reconnect: String,
    pub interval: Duration,
    pub timeout: Duration,
}

impl Default for Advice {
    fn default() -> Self {
        Advice {
            reconnect: "retry".into(),
            interval: Duration::ZERO,
            timeout: Duration::from_secs(110),
        }
    }
}

impl Advice {
    /// Takes what a message advises over the current advice.
    pub fn update(&mut self, msg: &Value) {
        let Some(a) = msg.get("advice") else { return };
        if let Some(r) = a.get("reconnect").and_then(Value::as_str) {
            self.reconnect = r.to_string();
        }
        if let Some(i) = a.get("interval").and_then(Value::as_u64) {
            // A huge interval is a server bug; a minute is the most feedctl waits for it.
            self.interval = Duration::from_millis(i.min(60_000));
        }
        if let Some(t) = a.get("timeout").and_then(Value::as_u64) {
            self.timeout = Duration::from_millis(t.min(600_000));
        }
    }
}

/// Why a request got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// HTTP 401/403 or a `401::` error: the token is not (or no longer) accepted.
    #[error("{0}")]
    Unauthorized(String),
    /// Connection refused or reset, timeout, 5xx, a body that is not a Bayeux reply.
    #[error("{0}")]
    Transient(String),
}

/// One message of a reply: its exact bytes and its parsed form.
#[derive(Debug)]
pub struct Incoming {
    pub raw: Box<RawValue>,
    pub value: Value,
}

impl Incoming {
    pub fn channel(&self) -> &str {
        self.value
            .get("channel")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    pub fn id(&self) -> Option<&str> {
        self.value.get("id").and_then(Value::as_str)
    }
    pub fn successful(&self) -> bool {
        self.value.get("successful").and_then(Value::as_bool) == Some(true)
    }
    pub fn error(&self) -> &str {
        self.value
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// A handshake denial's reason (`ext.sfdc.failureReason`), else the error.
    pub fn failure_reason(&self) -> &str {
        self.value
            .pointer("/ext/sfdc/failureReason")
            .and_then(Value::as_str)
            .unwrap_or_else(|| self.error())
    }
}

/// The full cause of a reqwest error (its Display alone says little).
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

/// A duration as messages show it: `3s`, `2.5s`.
pub fn seconds(d: Duration) -> String {
    let tenths = (d.as_millis() + 50) / 100;
    if tenths.is_multiple_of(10) {
        format!("{}s", tenths / 10)
    } else {
        format!("{}.{}s", tenths / 10, tenths % 10)
    }
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the answer did not finish in time")]
    Timeout,
    #[error("the answer is larger than {} MiB", .0 >> 20)]
    TooLarge(usize),
    #[error("the answer was cut: {0}")]
    Cut(String),
}

/// Reads a body of at most `limit` bytes (within the request's timeout).
pub async fn read_limited(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if body.len() + c.len() > limit {
                    return Err(ReadError::TooLarge(limit));
                }
                body.extend_from_slice(&c);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err(ReadError::Timeout),
            Err(e) => return Err(ReadError::Cut(error_chain(&e))),
        }
    }
}

/// Most characters of one exchange shown at trace level.
const TRACE_CLIP: usize = 4000;

/// One line per message for the debug log: channel, id, outcome; never a token (the token is
/// a header, and headers are not logged).
fn summary(m: &Value) -> String {
    let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
    let mut line = s("channel").to_string();
    if let Some(id) = m.get("id").and_then(Value::as_str) {
        line.push_str(&format!(" id={id}"));
    }
    if !s("subscription").is_empty() {
        line.push_str(&format!(" subscription={}", s("subscription")));
    }
    if let Some(r) = m.pointer("/ext/replay").filter(|r| !r.is_boolean()) {
        line.push_str(&format!(" replay={r}"));
    }
    if let Some(ok) = m.get("successful").and_then(Value::as_bool) {
        line.push_str(&format!(" successful={ok}"));
    }
    if !s("error").is_empty() {
        line.push_str(&format!(" error={:?}", crate::text::clip(s("error"), 120)));
    }
    if let Some(a) = m.get("advice") {
        line.push_str(&format!(" advice={a}"));
    }
    if let Some(r) = m.pointer("/data/event/replayId") {
        line.push_str(&format!(" replayId={r}"));
    }
    crate::text::terminal_safe(&line).into_owned()
}

/// A Bayeux session with one server: cookies, client id, message ids, advice.
pub struct Bayeux {
    http: reqwest::Client,
    endpoint: String,
    token: Secret,
    cookies: BTreeMap<String, String>,
    pub client_id: Option<String>,
    next_id: u64,
    pub advice: Advice,
}

impl Bayeux {
    pub fn new(http: reqwest::Client, instance_url: &str, version: &str, token: Secret) -> Self {
        Bayeux {
            http,
            endpoint: format!("{}/cometd/{version}", instance_url.trim_end_matches('/')),
            token,
            cookies: BTreeMap::new(),
            client_id: None,
            next_id: 0,
            advice: Advice::default(),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// Posts a batch of messages and returns every message of the reply.
    pub async fn post(
        &mut self,
        messages: Vec<Value>,
        timeout: Duration,
    ) -> Result<Vec<Incoming>, WireError> {
        for m in &messages {
            tracing::debug!("bayeux → {}", summary(m));
        }
        let body = Value::Array(messages).to_string();
        tracing::trace!(
            "bayeux → POST {} (within {}): {}",
            self.endpoint,
            seconds(timeout),
            crate::text::terminal_safe(&crate::text::clip(&body, TRACE_CLIP))
        );
        let mut req = self
            .http
            .post(&self.endpoint)
            .bearer_auth(self.token.expose())
            .header("content-type", "application/json")
            .timeout(timeout)
            .body(body);
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", cookie.join("; "));
        }
        let no_answer = |endpoint: &str| {
            WireError::Transient(format!(
                "no answer from {endpoint} within {}",
                seconds(timeout)
            ))
        };
        let resp = req.send().await.map_err(|e| {
            if e.is_timeout() {
                no_answer(&self.endpoint)
            } else {
                WireError::Transient(format!("{}: {}", self.endpoint, error_chain(&e)))
            }
        })?;
        for v in resp.headers().get_all("set-cookie") {
            // `NAME=VALUE; Path=/; ...`: only the pair is sent back.
            if let Some((name, value)) = v
                .to_str()
                .ok()
                .and_then(|s| s.split(';').next())
                .and_then(|p| p.split_once('='))
            {
                self.cookies
                    .insert(name.trim().to_string(), value.trim().to_string());
            }
        }
        let status = resp.status();
        let body = read_limited(resp, MAX_REPLY).await.map_err(|e| match e {
            ReadError::Timeout => no_answer(&self.endpoint),
            e => WireError::Transient(format!("{}: {e}", self.endpoint)),
        })?;
        tracing::trace!(
            "bayeux ← HTTP {status}: {}",
            crate::text::terminal_safe(&crate::text::clip(
                &String::from_utf8_lossy(&body),
                TRACE_CLIP
            ))
        );
        let replies: Option<Vec<Box<RawValue>>> = serde_json::from_slice(&body).ok();
        if status == 401 || status == 403 {
            let reason = replies
                .as_ref()
                .and_then(|r| r.first())
                .and_then(|m| serde_json::from_str::<Value>(m.get()).ok())
                .and_then(|m| m.get("error").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(WireError::Unauthorized(crate::text::clip(&reason, 200)));
        }
        if !status.is_success() {
            return Err(WireError::Transient(format!(
                "{} answered HTTP {status}",
                self.endpoint
            )));
        }
        let replies = replies.ok_or_else(|| {
            WireError::Transient(format!(
                "{} answered something that is not a Bayeux reply (a JSON array of messages): {}",
                self.endpoint,
                crate::text::clip(&String::from_utf8_lossy(&body), 60)
            ))
        })?;
        let mut out = Vec::with_capacity(replies.len());
        for raw in replies {
            let value: Value =
                serde_json::from_str(raw.get()).map_err(|e| WireError::Transient(e.to_string()))?;
            if !value.is_object() {
                return Err(WireError::Transient(format!(
                    "{} answered a message that is not an object",
                    self.endpoint
                )));
            }
            tracing::debug!("bayeux ← {}", summary(&value));
            out.push(Incoming { raw, value });
        }
        Ok(out)
    }

    /// `/meta/handshake` with `ext.replay`; sets the client id on success. Returns the reply.
    pub async fn handshake(
        &mut self,
        timeout: Duration,
    ) -> Result<(Incoming, Vec<Incoming>), WireError> {
        self.client_id = None;
        self.cookies.clear();
        let id = self.id();
        let msg = json!({
            "channel": "/meta/handshake", "version": "1.0", "minimumVersion": "1.0",
            "supportedConnectionTypes": ["long-polling"], "id": id, "ext": {"replay": true},
        });
        let (reply, data) = self.exchange(vec![msg], &id, timeout).await?;
        self.advice.update(&reply.value);
        if reply.successful() {
            self.client_id = reply
                .value
                .get("clientId")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        Ok((reply, data))
    }

    /// `/meta/subscribe` for each channel with its replay value, in one batch; replies by channel.
    pub async fn subscribe(
        &mut self,
        channels: &[(String, Option<i64>)],
        timeout: Duration,
    ) -> Result<(Vec<(String, Incoming)>, Vec<Incoming>), WireError> {
        let cid = self.client_id.clone().unwrap_or_default();
        let mut ids = BTreeMap::new();
        let msgs: Vec<Value> = channels
            .iter()
            .map(|(ch, replay)| {
                let id = self.id();
                ids.insert(id.clone(), ch.clone());
                let mut m = json!({"channel": "/meta/subscribe", "clientId": cid, "subscription": ch, "id": id});
                if let Some(r) = replay {
                    m["ext"] = json!({"replay": {ch.as_str(): r}});
                }
                m
            })
            .collect();
        let replies = self.post(msgs, timeout).await?;
        let mut answered = Vec::new();
        let mut data = Vec::new();
        for m in replies {
            let ch = m.id().and_then(|id| ids.get(id)).cloned();
            match ch {
                Some(ch) if m.channel() == "/meta/subscribe" => answered.push((ch, m)),
                _ if m.channel().starts_with("/meta/") => {}
                _ => data.push(m),
            }
        }
        for (ch, m) in &answered {
            let _ = ch;
            self.advice.update(&m.value);
        }
        if answered.len() < channels.len() {
            return Err(WireError::Transient(format!(
                "{} did not answer every subscribe",
                self.endpoint
            )));
        }
        Ok((answered, data))
    }

    /// How long past `advice.timeout` a held `/meta/connect` is waited for: ×1.2 as aiocometd
    /// does, and never less than 10 s.
    pub fn connect_margin(&self) -> Duration {
        (self.advice.timeout / 5).max(Duration::from_secs(10))
    }

    /// `/meta/connect`: the server may hold it up to `advice.timeout`; it is waited for that
    /// long plus `margin`.
    pub async fn connect(
        &mut self,
        margin: Duration,
    ) -> Result<(Incoming, Vec<Incoming>), WireError> {
        let cid = self.client_id.clone().unwrap_or_default();
        let id = self.id();
        let msg = json!({"channel": "/meta/connect", "clientId": cid, "connectionType": "long-polling", "id": id});
        let timeout = self.advice.timeout + margin;
        let (reply, data) = self.exchange(vec![msg], &id, timeout).await?;
        self.advice.update(&reply.value);
        Ok((reply, data))
    }

    /// `/meta/disconnect`, best effort.
    pub async fn disconnect(&mut self) {
        if let Some(cid) = self.client_id.take() {
            let id = self.id();
            let msg = json!({"channel": "/meta/disconnect", "clientId": cid, "id": id});
            let _ = self.post(vec![msg], Duration::from_secs(5)).await;
        }
    }

    /// Posts messages and picks the reply with `id` out of the answer; the rest that are not
    /// meta messages are data.
    async fn exchange(
        &mut self,
        msgs: Vec<Value>,
        id: &str,
        timeout: Duration,
    ) -> Result<(Incoming, Vec<Incoming>), WireError> {
        let channel = msgs[0]
            .get("channel")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let replies = self.post(msgs, timeout).await?;
        let mut reply = None;
        let mut data = Vec::new();
        for m in replies {
            if m.channel() == channel && (m.id() == Some(id) || m.id().is_none()) && reply.is_none()
            {
                reply = Some(m);
            } else if !m.channel().starts_with("/meta/") {
                data.push(m);
            }
        }
        match reply {
            Some(r) => Ok((r, data)),
            None => Err(WireError::Transient(format!(
                "{} answered without a {channel} reply",
                self.endpoint
            ))),
        }
    }
}
