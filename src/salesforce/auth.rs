//! OAuth 2.0 login: the username-password flow against `LOGIN_HOST/services/oauth2/token`, or a
//! ready access token + instance URL. Secrets stay in `Secret` and are never formatted.

use std::time::Duration;

use serde_json::Value;

use crate::config::Secret;

/// Where the credentials come from: `SFDC_*` variables (never the command line).
#[derive(Debug, Clone)]
pub enum Credentials {
    Password {
        client_id: String,
        client_secret: Secret,
        username: String,
        /// The password followed by the security token.
        password: Secret,
    },
    Token {
        access_token: Secret,
        instance_url: String,
    },
    /// `grant_type=refresh_token` with a refresh token from an earlier authorization.
    Refresh {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
}

impl Credentials {
    /// Reads `SFDC_ACCESS_TOKEN` + `SFDC_INSTANCE_URL`, else `SFDC_REFRESH_TOKEN` with the
    /// client id and secret, else `SFDC_CLIENT_ID`,
    /// `SFDC_CLIENT_SECRET`, `SFDC_USERNAME`, `SFDC_PASSWORD`; the error names what is missing.
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        if let Some(token) = var("SFDC_ACCESS_TOKEN") {
            let instance_url = var("SFDC_INSTANCE_URL")
                .ok_or("SFDC_ACCESS_TOKEN is set but SFDC_INSTANCE_URL is not: give both")?;
            return Ok(Credentials::Token {
                access_token: Secret::new(token),
                instance_url: instance_url.trim_end_matches('/').to_string(),
            });
        }
        if let Some(refresh) = var("SFDC_REFRESH_TOKEN") {
            let (Some(client_id), Some(secret)) =
                (var("SFDC_CLIENT_ID"), var("SFDC_CLIENT_SECRET"))
            else {
                return Err(
                    "SFDC_REFRESH_TOKEN needs SFDC_CLIENT_ID and SFDC_CLIENT_SECRET too".into(),
                );
            };
            return Ok(Credentials::Refresh {
                client_id,
                client_secret: Secret::new(secret),
                refresh_token: Secret::new(refresh),
            });
        }
        let names = [
            "SFDC_CLIENT_ID",
            "SFDC_CLIENT_SECRET",
            "SFDC_USERNAME",
            "SFDC_PASSWORD",
        ];
        let missing: Vec<&str> = names.iter().copied().filter(|n| var(n).is_none()).collect();
        if !missing.is_empty() {
            return Err(format!(
                "Salesforce login needs {} in the environment (password = password + security token), or SFDC_ACCESS_TOKEN and SFDC_INSTANCE_URL",
                missing.join(", ")
            ));
        }
        let v = |k: &str| var(k).unwrap_or_default();
        Ok(Credentials::Password {
            client_id: v("SFDC_CLIENT_ID"),
            client_secret: Secret::new(v("SFDC_CLIENT_SECRET")),
            username: v("SFDC_USERNAME"),
            password: Secret::new(v("SFDC_PASSWORD")),
        })
    }

    /// Who logs in, for messages (no secret).
    pub fn who(&self) -> String {
        match self {
            Credentials::Password { username, .. } => username.clone(),
            Credentials::Token { instance_url, .. } => {
                format!("a given access token for {instance_url}")
            }
            Credentials::Refresh { client_id, .. } => {
                format!(
                    "a refresh token of client {}",
                    crate::text::clip(client_id, 12)
                )
            }
        }
    }

    /// True when a new token can be had by logging in again.
    pub fn can_login(&self) -> bool {
        !matches!(self, Credentials::Token { .. })
    }
}

/// A logged-in session: the bearer token and the org's instance URL.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: Secret,
    pub instance_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The server refused the credentials (`invalid_grant`, `invalid_client_id`, ...).
    #[error("Salesforce login refused: {error}{}", if .description.is_empty() { String::new() } else { format!(" ({})", .description) })]
    Rejected { error: String, description: String },
    /// Could not reach the server or understand it: worth another try.
    #[error("Salesforce login failed: {0}")]
    Transient(String),
}

/// Logs in (or hands back the given token).
pub async fn login(
    http: &reqwest::Client,
    login_url: &str,
    creds: &Credentials,
) -> Result<Session, LoginError> {
    let form: Vec<(&str, &str)> = match creds {
        Credentials::Token {
            access_token,
            instance_url,
        } => {
            return Ok(Session {
                access_token: access_token.clone(),
                instance_url: instance_url.clone(),
            })
        }
        Credentials::Password {
            client_id,
            client_secret,
            username,
            password,
        } => vec![
            ("grant_type", "password"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("username", username),
            ("password", password.expose()),
        ],
        Credentials::Refresh {
            client_id,
            client_secret,
            refresh_token,
        } => vec![
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("refresh_token", refresh_token.expose()),
        ],
    };
    let url = format!("{}/services/oauth2/token", login_url.trim_end_matches('/'));
    let resp = http
        .post(&url)
        .form(&form)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        // reqwest's error names the URL, which carries no secret (the form is in the body).
        .map_err(|e| {
            LoginError::Transient(format!(
                "{url}: {}",
                crate::salesforce::bayeux::error_chain(&e)
            ))
        })?;
    let status = resp.status();
    let body = crate::salesforce::bayeux::read_limited(resp, 1 << 20)
        .await
        .map_err(|e| LoginError::Transient(format!("{url}: {e}")))?;
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    if status.is_client_error() {
        if let Some(error) = json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
        {
            let description = json
                .as_ref()
                .and_then(|j| j.get("error_description"))
                .and_then(Value::as_str)
                .unwrap_or("");
            return Err(LoginError::Rejected {
                error: crate::text::clip(error, 80),
                description: crate::text::clip(description, 200),
            });
        }
    }
    if !status.is_success() {
        return Err(LoginError::Transient(format!(
            "{url} answered HTTP {status}"
        )));
    }
    let json = json.ok_or_else(|| {
        LoginError::Transient(format!("{url} answered something that is not JSON"))
    })?;
    let token = json.get("access_token").and_then(Value::as_str);
    let instance = json.get("instance_url").and_then(Value::as_str);
    match (token, instance) {
        (Some(t), Some(i)) => Ok(Session {
            access_token: Secret::new(t),
            instance_url: i.trim_end_matches('/').to_string(),
        }),
        _ => Err(LoginError::Transient(format!(
            "{url} answered without access_token or instance_url"
        ))),
    }
}
