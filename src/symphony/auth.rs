//! Bot authentication (notes §2): an RS512 JWT posted to the pod login and the key manager
//! relay, or certificate auth over mTLS; Simplified Key Delivery skips the key manager.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::http::{Component, Http, DEFAULT_TIMEOUT};
use super::ApiError;
use crate::config::{Credential, Secret};

/// How far in the future the JWT expires: the kits' 240 s, under the pod's 5-minute limit.
pub const JWT_LIFETIME: Duration = Duration::from_secs(240);

/// The tokens that authorise agent and pod calls. Debug output is redacted.
#[derive(Debug, Clone)]
pub struct Session {
    pub session_token: Secret,
    /// `None` when Simplified Key Delivery made the key manager call unnecessary.
    pub km_token: Option<Secret>,
}

/// One authentication call and how long it took, for `auth check`.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub call: String,
    pub url: String,
    pub status: Option<u16>,
    pub millis: u128,
}

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    exp: u64,
}

/// Signs the short-lived authentication JWT for `username`.
pub fn sign_jwt(username: &str, pem: &Secret) -> Result<Secret, ApiError> {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.expose().as_bytes())
        .map_err(|e| ApiError::Local(format!("the bot's private key cannot sign ({e})")))?;
    let exp = (SystemTime::now() + JWT_LIFETIME)
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS512);
    jsonwebtoken::encode(&header, &Claims { sub: username, exp }, &key)
        .map(Secret::new)
        .map_err(|e| ApiError::Local(format!("cannot sign the authentication JWT ({e})")))
}

#[derive(Deserialize)]
struct TokenBody {
    token: Option<String>,
}

/// Logs in from scratch; returns the session and the calls made.
pub async fn login(
    http: &Http,
    username: &str,
    credential: &Credential,
) -> Result<(Session, Vec<Step>), ApiError> {
    let mut steps = Vec::new();
    let session_token = match credential {
        Credential::RsaKey { pem, .. } => {
            let jwt = sign_jwt(username, pem)?;
            token_call(
                http,
                Component::Pod,
                "/login/pubkey/authenticate",
                Some(&jwt),
                &mut steps,
            )
            .await?
        }
        Credential::Certificate { .. } => {
            token_call(
                http,
                Component::SessionAuth,
                "/sessionauth/v1/authenticate",
                None,
                &mut steps,
            )
            .await?
        }
    };
    let km_token = if simplified_key_delivery(http, &session_token, &mut steps).await {
        tracing::debug!("Simplified Key Delivery applies: no key manager call");
        None
    } else {
        Some(match credential {
            // The Java kit signs a fresh JWT for the relay; so do we.
            Credential::RsaKey { pem, .. } => {
                let jwt = sign_jwt(username, pem)?;
                token_call(
                    http,
                    Component::KeyManager,
                    "/relay/pubkey/authenticate",
                    Some(&jwt),
                    &mut steps,
                )
                .await?
            }
            Credential::Certificate { .. } => {
                token_call(
                    http,
                    Component::KeyManager,
                    "/keyauth/v1/authenticate",
                    None,
                    &mut steps,
                )
                .await?
            }
        })
    };
    Ok((
        Session {
            session_token,
            km_token,
        },
        steps,
    ))
}

/// Posts to an authentication endpoint and takes the `token` of the answer. Any non-2xx is a
/// refusal, except 5xx/429, which the caller may retry.
async fn token_call(
    http: &Http,
    component: Component,
    path: &str,
    jwt: Option<&Secret>,
    steps: &mut Vec<Step>,
) -> Result<Secret, ApiError> {
    let mut req = http.request(component, Method::POST, path);
    if let Some(jwt) = jwt {
        req = req.json(&serde_json::json!({ "token": jwt.expose() }));
    }
    // Certificate endpoints get no body and no Content-Type: some gateways refuse an empty JSON body.
    let url = format!("{}{path}", http.base_url(component));
    let result = http.send(path, req, DEFAULT_TIMEOUT).await;
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            steps.push(Step {
                call: path.to_string(),
                url,
                status: None,
                millis: 0,
            });
            return Err(e);
        }
    };
    steps.push(Step {
        call: path.to_string(),
        url,
        status: Some(resp.status.as_u16()),
        millis: resp.elapsed.as_millis(),
    });
    let status = resp.status.as_u16();
    if !resp.status.is_success() {
        let message = super::client::error_message(&resp.body);
        return Err(if status == 429 || status >= 500 {
            ApiError::Status {
                call: path.to_string(),
                status,
                message,
                retry_after: super::client::retry_after(&resp.headers),
            }
        } else {
            ApiError::AuthRejected {
                call: path.to_string(),
                status,
                message,
            }
        });
    }
    let body: TokenBody = serde_json::from_slice(&resp.body).map_err(|e| ApiError::Malformed {
        call: path.to_string(),
        detail: format!("expected a Token object: {e}"),
    })?;
    body.token
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or_else(|| ApiError::Malformed {
            call: path.to_string(),
            detail: "the Token object has no `token`".into(),
        })
}

/// SKD applies when the session token says so and the agent is 24.12 or newer (notes §2.3).
async fn simplified_key_delivery(
    http: &Http,
    session_token: &Secret,
    steps: &mut Vec<Step>,
) -> bool {
    if !token_allows_skd(session_token) {
        return false;
    }
    let req = http
        .request(Component::Agent, Method::GET, "/agent/v1/info")
        .header("sessionToken", session_token.expose());
    let url = format!("{}/agent/v1/info", http.base_url(Component::Agent));
    match http.send("/agent/v1/info", req, DEFAULT_TIMEOUT).await {
        Ok(resp) => {
            steps.push(Step {
                call: "/agent/v1/info".into(),
                url,
                status: Some(resp.status.as_u16()),
                millis: resp.elapsed.as_millis(),
            });
            resp.status.is_success()
                && serde_json::from_slice::<serde_json::Value>(&resp.body)
                    .ok()
                    .and_then(|v| {
                        v.get("version")
                            .and_then(|v| v.as_str())
                            .map(agent_supports_skd)
                    })
                    .unwrap_or(false)
        }
        Err(_) => false,
    }
}

/// Reads the unverified payload of a JWT-shaped session token.
fn token_allows_skd(token: &Secret) -> bool {
    let Some(payload) = token.expose().split('.').nth(1) else {
        return false;
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|v| {
            v.get("canUseSimplifiedKeyDelivery")
                .and_then(|b| b.as_bool())
        })
        .unwrap_or(false)
}

/// `Agent-<major>.<minor>...` with major > 24, or 24 and minor ≥ 12.
pub fn agent_supports_skd(version: &str) -> bool {
    let Some(rest) = version.strip_prefix("Agent-") else {
        return false;
    };
    let mut parts = rest.split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    major > 24 || (major == 24 && minor >= 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skd_version_rule() {
        assert!(agent_supports_skd("Agent-24.12.1"));
        assert!(agent_supports_skd("Agent-25.1.0-SNAPSHOT"));
        assert!(!agent_supports_skd("Agent-24.11.0"));
        assert!(!agent_supports_skd("24.12"));
    }

    #[test]
    fn jwt_has_sub_and_short_exp_for_both_key_forms() {
        for file in [
            "TEST-ONLY-bot-private-pkcs8.pem",
            "TEST-ONLY-bot-private-pkcs1.pem",
        ] {
            let pem = std::fs::read_to_string(format!(
                "{}/fixtures/keys/{file}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let jwt = sign_jwt("demo-bot", &Secret::new(pem)).unwrap();
            let payload = jwt.expose().split('.').nth(1).unwrap();
            let claims: serde_json::Value = serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(payload)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(claims["sub"], "demo-bot");
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let exp = claims["exp"].as_u64().unwrap();
            assert!(exp > now && exp <= now + 240, "exp {exp} now {now}");
            let header = jwt.expose().split('.').next().unwrap();
            let header: serde_json::Value = serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(header)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(header["alg"], "RS512");
        }
    }
}
