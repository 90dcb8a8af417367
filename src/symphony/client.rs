//! The authenticated client: holds the session, sends pod and agent calls with the session
//! headers, and on a 401 logs in once more and repeats the call (notes §2.5).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Method;
use tokio::sync::Mutex;

use super::auth::{self, Session, Step};
use super::http::{Component, Http, Response};
use super::ApiError;
use crate::config::Settings;

pub struct Client {
    pub http: Http,
    username: String,
    credential: crate::config::Credential,
    session: Mutex<Option<Arc<Session>>>,
    /// Authentication calls made so far (for `auth check` and logs; no tokens).
    steps: std::sync::Mutex<Vec<Step>>,
    /// How many times a 401 made us log in again.
    relogins: std::sync::atomic::AtomicU64,
}

impl Client {
    pub fn new(settings: &Settings) -> Result<Self, ApiError> {
        Ok(Client {
            http: Http::new(settings)?,
            username: settings.username.clone(),
            credential: settings.credential.clone(),
            session: Mutex::new(None),
            steps: Default::default(),
            relogins: Default::default(),
        })
    }

    /// The current session, logging in if there is none yet.
    pub async fn session(&self) -> Result<Arc<Session>, ApiError> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = self.login().await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    /// Logs in again unless another task already replaced the session `stale`.
    async fn refresh(&self, stale: &Arc<Session>) -> Result<Arc<Session>, ApiError> {
        let mut guard = self.session.lock().await;
        if let Some(current) = guard.as_ref() {
            if !Arc::ptr_eq(current, stale) {
                return Ok(current.clone());
            }
        }
        tracing::info!("session rejected with HTTP 401: authenticating again");
        self.relogins
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let s = self.login().await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    async fn login(&self) -> Result<Arc<Session>, ApiError> {
        let (session, steps) = auth::login(&self.http, &self.username, &self.credential).await?;
        self.steps.lock().map(|mut v| v.extend(steps)).ok();
        Ok(Arc::new(session))
    }

    /// How many times a 401 made the client log in again.
    pub fn relogins(&self) -> u64 {
        self.relogins.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The authentication calls made so far.
    pub fn auth_steps(&self) -> Vec<Step> {
        self.steps.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Sends a pod or agent call with the session headers; on 401, re-authenticates once and
    /// repeats it. `build` makes a fresh request each time.
    pub async fn call(
        &self,
        component: Component,
        method: Method,
        path: &str,
        timeout: Duration,
        build: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Response, ApiError> {
        self.call_with(On401::Repeat, component, method, path, timeout, build)
            .await
    }

    /// Like [`Client::call`], with a choice of what a 401 leads to.
    pub async fn call_with(
        &self,
        on_401: On401,
        component: Component,
        method: Method,
        path: &str,
        timeout: Duration,
        build: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Response, ApiError> {
        let call = path_template(path);
        let mut session = self.session().await?;
        for attempt in 0..2 {
            let mut req = build(self.http.request(component, method.clone(), path))
                .header("sessionToken", session.session_token.expose());
            if let Some(km) = &session.km_token {
                req = req.header("keyManagerToken", km.expose());
            }
            let resp = self.http.send(&call, req, timeout).await?;
            if resp.status.as_u16() == 401 && attempt == 0 {
                session = self.refresh(&session).await?;
                if on_401 == On401::Refresh {
                    return Ok(resp);
                }
                continue;
            }
            return Ok(resp);
        }
        unreachable!("the loop returns on its second pass")
    }
}

/// What [`Client::call_with`] does when the session is rejected with a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On401 {
    /// Log in again and repeat the call at once (one-off calls).
    Repeat,
    /// Log in again and hand the 401 back: the caller repeats the call after its retry wait,
    /// as the kits' datafeed loops do (notes §6.2).
    Refresh,
}

/// A 401 after which the client already logged in again: the caller may repeat the call.
pub fn session_rejected(call: &str, resp: &Response) -> ApiError {
    ApiError::Status {
        call: call.to_string(),
        status: 401,
        message: error_message(&resp.body),
        retry_after: None,
    }
}

/// Datafeed ids in paths are replaced by `{id}` so messages and logs stay short and stable.
fn path_template(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    for i in 0..parts.len() {
        if i > 0
            && (parts[i - 1] == "datafeeds" || parts[i - 1] == "datafeed")
            && !parts[i].is_empty()
            && parts[i] != "create"
        {
            parts[i] = "{id}";
        }
    }
    parts.join("/")
}

/// The `message` of a V2Error / Error body, if the body is one.
pub fn error_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("message")
        .and_then(|m| m.as_str())
        .map(|m| m.chars().take(300).collect())
}

/// `Retry-After` in seconds, as a 429 may carry.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Turns a response with an unexpected status into an error.
pub fn unexpected(call: &str, resp: &Response) -> ApiError {
    let status = resp.status.as_u16();
    if status == 401 {
        // A 401 right after a fresh login: the pod does not accept this bot's session.
        return ApiError::AuthRejected {
            call: call.to_string(),
            status,
            message: error_message(&resp.body),
        };
    }
    ApiError::Status {
        call: call.to_string(),
        status,
        message: error_message(&resp.body),
        retry_after: retry_after(&resp.headers),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_templated() {
        assert_eq!(
            super::path_template("/agent/v5/datafeeds/abc_f/read"),
            "/agent/v5/datafeeds/{id}/read"
        );
        assert_eq!(
            super::path_template("/agent/v4/datafeed/create"),
            "/agent/v4/datafeed/create"
        );
        assert_eq!(
            super::path_template("/agent/v4/datafeed/xyz/read"),
            "/agent/v4/datafeed/{id}/read"
        );
    }
}
