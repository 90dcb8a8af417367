//! One HTTP client per server component, with the settings of the bot config: proxy, CA bundle,
//! default headers, a `feedctl/<version>` User-Agent and a fresh `X-Trace-Id` on every request.

use std::time::{Duration, Instant};

use rand::distributions::Alphanumeric;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};

use super::ApiError;
use crate::config::{Credential, Endpoint, Settings};

pub const USER_AGENT_VALUE: &str = concat!("feedctl/", env!("CARGO_PKG_VERSION"));
/// Connection set-up limit, as the Java kit's `connectionTimeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Default whole-request limit for calls that are not long polls.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest body read from a datafeed read: far above a real batch of events (the kits ask
/// for at most 100), low enough that an endless body cannot exhaust memory (docs/cli.md).
pub const MAX_READ_BODY: usize = 32 << 20;
/// The largest body of any other call (login, session info, feed create/list/delete, ...).
pub const MAX_BODY: usize = 1 << 20;

/// How many bytes of an answer to `call` are read before it is abandoned as too large.
pub fn body_limit(call: &str) -> usize {
    if call.ends_with("/read") {
        MAX_READ_BODY
    } else {
        MAX_BODY
    }
}

/// Which server a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Pod,
    Agent,
    KeyManager,
    SessionAuth,
}

/// A fully read response.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

/// The four component clients and their base URLs.
pub struct Http {
    clients: [(reqwest::Client, String); 4],
}

impl Http {
    /// Builds the clients; `tls_identity` is used for certificate auth (mTLS).
    pub fn new(settings: &Settings) -> Result<Self, ApiError> {
        let identity = match &settings.credential {
            Credential::Certificate { path, .. } => Some(load_identity(path)?),
            Credential::RsaKey { .. } => None,
        };
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        for (name, value) in &settings.default_headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| ApiError::Local(format!("defaultHeaders: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| ApiError::Local(format!("defaultHeaders: {e}")))?;
            headers.insert(name, value);
        }
        let ca = match &settings.trust_store {
            Some(path) => Some(load_ca(path)?),
            None => None,
        };
        if settings.insecure {
            tracing::warn!("TLS certificate verification is OFF (--insecure): use this only against a test server");
        }
        let build = |ep: &Endpoint| -> Result<(reqwest::Client, String), ApiError> {
            let mut b = reqwest::Client::builder()
                .default_headers(headers.clone())
                .connect_timeout(CONNECT_TIMEOUT)
                .use_rustls_tls()
                .danger_accept_invalid_certs(settings.insecure);
            for cert in ca.iter().flatten() {
                b = b.add_root_certificate(cert.clone());
            }
            if let Some(id) = &identity {
                b = b.identity(id.clone());
            }
            match &ep.proxy {
                Some(p) => {
                    let mut proxy = reqwest::Proxy::all(format!("http://{}:{}", p.host, p.port))
                        .map_err(|e| {
                            ApiError::Local(format!("proxy {}:{}: {e}", p.host, p.port))
                        })?;
                    if let Some(user) = &p.username {
                        proxy = proxy.basic_auth(
                            user,
                            p.password.as_ref().map(|s| s.expose()).unwrap_or(""),
                        );
                    }
                    b = b.proxy(proxy);
                }
                // Only the bot config decides about proxies, not stray *_PROXY variables.
                None => b = b.no_proxy(),
            }
            let client = b
                .build()
                .map_err(|e| ApiError::Local(format!("cannot set up the HTTP client: {e}")))?;
            Ok((client, ep.base_url()))
        };
        Ok(Http {
            clients: [
                build(&settings.pod)?,
                build(&settings.agent)?,
                build(&settings.key_manager)?,
                build(&settings.session_auth)?,
            ],
        })
    }

    pub fn base_url(&self, c: Component) -> &str {
        &self.clients[c as usize].1
    }

    /// A request to `path` (starting with `/`) on the component's base URL.
    pub fn request(&self, c: Component, method: Method, path: &str) -> reqwest::RequestBuilder {
        let (client, base) = &self.clients[c as usize];
        client
            .request(method, format!("{base}{path}"))
            .header("X-Trace-Id", trace_id())
    }

    /// Sends the request, reads the whole body within `timeout` and `body_limit(call)` bytes,
    /// and logs the call without any header (tokens travel in headers).
    pub async fn send(
        &self,
        call: &str,
        req: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> Result<Response, ApiError> {
        let started = Instant::now();
        let result = tokio::time::timeout(timeout, async {
            let resp = req
                .send()
                .await
                .map_err(|e| ApiError::from_reqwest(call, e))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let limit = body_limit(call);
            let too_large = || ApiError::Malformed {
                call: call.to_string(),
                detail: format!(
                    "the body is larger than {} MiB, feedctl's limit for this call; it stopped reading there",
                    limit >> 20
                ),
            };
            if resp.content_length().is_some_and(|n| n > limit as u64) {
                return Err(too_large());
            }
            let mut resp = resp;
            // Sized once when the server says how long the body is (within the limit, checked
            // above): growing it piece by piece re-copied a datafeed read's body several times.
            let mut body = Vec::with_capacity(resp.content_length().map_or(0, |n| n as usize));
            while let Some(piece) = resp
                .chunk()
                .await
                .map_err(|e| ApiError::from_reqwest(call, e))?
            {
                if body.len() + piece.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&piece);
            }
            Ok::<_, ApiError>((status, headers, body))
        })
        .await;
        let elapsed = started.elapsed();
        match result {
            Err(_) => {
                tracing::debug!(call, ?elapsed, "abandoned: no complete answer in time");
                Err(ApiError::Transport {
                    call: call.to_string(),
                    kind: super::TransportKind::Timeout,
                    detail: format!(
                        "no complete answer within {}",
                        humantime::format_duration(timeout)
                    ),
                })
            }
            Ok(Err(e)) => {
                tracing::debug!(call, ?elapsed, error = %e, "request failed");
                Err(e)
            }
            Ok(Ok((status, headers, body))) => {
                tracing::debug!(
                    call,
                    status = status.as_u16(),
                    bytes = body.len(),
                    ?elapsed,
                    "response"
                );
                Ok(Response {
                    status,
                    headers,
                    body,
                    elapsed,
                })
            }
        }
    }
}

/// Six random alphanumerics, as the kits send.
pub fn trace_id() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(6)
        .map(char::from)
        .collect()
}

fn load_ca(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, ApiError> {
    let pem = std::fs::read(path).map_err(|e| {
        ApiError::Local(format!(
            "cannot read ssl.trustStore {}: {e}",
            path.display()
        ))
    })?;
    reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        ApiError::Local(format!(
            "ssl.trustStore {} is not a PEM CA bundle ({e}); feedctl reads PEM, convert a JKS/PKCS#12 store with keytool or openssl",
            path.display()
        ))
    })
}

fn load_identity(path: &std::path::Path) -> Result<reqwest::Identity, ApiError> {
    let pem = std::fs::read(path).map_err(|e| {
        ApiError::Local(format!(
            "cannot read bot.certificate {}: {e}",
            path.display()
        ))
    })?;
    reqwest::Identity::from_pem(&pem).map_err(|e| {
        ApiError::Local(format!(
            "bot.certificate {} must be one PEM file with the certificate and its unencrypted key ({e}); \
             from PKCS#12: `openssl pkcs12 -in bot.p12 -out bot.pem -nodes`",
            path.display()
        ))
    })
}
