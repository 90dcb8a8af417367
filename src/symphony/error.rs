//! What can go wrong on the wire, classified so callers can decide: retry, re-authenticate,
//! recreate the feed, or give up.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with a status the call does not expect.
    #[error("{call} answered HTTP {status}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        call: String,
        status: u16,
        message: Option<String>,
        retry_after: Option<Duration>,
    },
    /// The bot's credentials were refused by an authentication endpoint.
    #[error("authentication refused by {call} (HTTP {status}){}: check `bot.username` and that the bot's public key (or certificate) is registered for that user on the pod", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    AuthRejected {
        call: String,
        status: u16,
        message: Option<String>,
    },
    /// The server could not be reached, or the connection broke or timed out.
    #[error("{call} failed: {kind}: {detail}")]
    Transport {
        call: String,
        kind: TransportKind,
        detail: String,
    },
    /// A 2xx answer whose body is not what the spec says.
    #[error("{call} sent a response that is not valid per the API spec: {detail}")]
    Malformed { call: String, detail: String },
    /// A local problem preparing the request (a key that cannot sign, a bad certificate file).
    #[error("{0}")]
    Local(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Connect,
    Timeout,
    /// The connection was reset or the body was cut short.
    Broken,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "cannot connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Broken => "connection broken",
        })
    }
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } | ApiError::AuthRejected { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Whether the kits would retry this with backoff: 429, 5xx, network trouble, garbage bodies.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => *status == 429 || *status >= 500,
            ApiError::Transport { .. } | ApiError::Malformed { .. } => true,
            ApiError::AuthRejected { .. } | ApiError::Local(_) => false,
        }
    }

    /// A short reason for retry notices ("HTTP 503", "connection broken", ...).
    pub fn reason(&self) -> String {
        match self {
            ApiError::Status { status, .. } | ApiError::AuthRejected { status, .. } => {
                format!("HTTP {status}")
            }
            ApiError::Transport { kind, .. } => kind.to_string(),
            ApiError::Malformed { .. } => "malformed response".into(),
            ApiError::Local(m) => m.clone(),
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(call: &str, e: reqwest::Error) -> Self {
        let kind = if e.is_timeout() {
            TransportKind::Timeout
        } else if e.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Broken
        };
        // reqwest's message names the URL but never headers, so no token can leak through it.
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        ApiError::Transport {
            call: call.to_string(),
            kind,
            detail,
        }
    }
}
