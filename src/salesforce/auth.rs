//! OAuth 2.0 login: the refresh-token and username-password flows against
//! `LOGIN_HOST/services/oauth2/token`, and a ready access token + instance URL used first.
//! Secrets stay in `Secret` and are never formatted.

use std::time::Duration;

use serde_json::Value;

use crate::config::Secret;

/// One way to get a token from the login host.
#[derive(Debug, Clone)]
pub enum Grant {
    Password {
        client_id: String,
        client_secret: Secret,
        username: String,
        /// The password followed by the security token.
        password: Secret,
    },
    /// `grant_type=refresh_token` with a refresh token from an earlier authorization.
    Refresh {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
}

impl Grant {
    /// Who logs in, for messages (no secret).
    pub fn who(&self) -> String {
        match self {
            Grant::Password { username, .. } => username.clone(),
            Grant::Refresh { client_id, .. } => format!(
                "a refresh token of client {}",
                crate::text::clip(client_id, 12)
            ),
        }
    }

    /// The variables to check when this grant is refused.
    pub fn variables(&self) -> &'static str {
        match self {
            Grant::Password { .. } => "SFDC_USERNAME, SFDC_PASSWORD (password + security token), SFDC_CLIENT_ID and SFDC_CLIENT_SECRET",
            Grant::Refresh { .. } => "SFDC_REFRESH_TOKEN, SFDC_CLIENT_ID and SFDC_CLIENT_SECRET",
        }
    }
}

/// Where the credentials come from: `SFDC_*` variables (never the command line). A given
/// token is used first; the grants log in (again) when there is none or it is refused.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// `SFDC_ACCESS_TOKEN` + `SFDC_INSTANCE_URL`.
    pub given: Option<Session>,
    /// In the order they are tried: the refresh token, then the password.
    pub grants: Vec<Grant>,
}

impl Credentials {
    /// Reads `SFDC_ACCESS_TOKEN` + `SFDC_INSTANCE_URL`, `SFDC_REFRESH_TOKEN` with the client
    /// id and secret, and `SFDC_CLIENT_ID`, `SFDC_CLIENT_SECRET`, `SFDC_USERNAME`,
    /// `SFDC_PASSWORD`; whatever is complete is used. The error names what is missing.
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        let given = match var("SFDC_ACCESS_TOKEN") {
            Some(token) => {
                let instance_url = var("SFDC_INSTANCE_URL")
                    .ok_or("SFDC_ACCESS_TOKEN is set but SFDC_INSTANCE_URL is not: give both")?;
                Some(Session {
                    access_token: Secret::new(token),
                    instance_url: instance_url.trim_end_matches('/').to_string(),
                })
            }
            None => None,
        };
        let mut grants = Vec::new();
        if let Some(refresh) = var("SFDC_REFRESH_TOKEN") {
            let (Some(client_id), Some(secret)) =
                (var("SFDC_CLIENT_ID"), var("SFDC_CLIENT_SECRET"))
            else {
                return Err(
                    "SFDC_REFRESH_TOKEN needs SFDC_CLIENT_ID and SFDC_CLIENT_SECRET too".into(),
                );
            };
            grants.push(Grant::Refresh {
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
        if missing.is_empty() {
            let v = |k: &str| var(k).unwrap_or_default();
            grants.push(Grant::Password {
                client_id: v("SFDC_CLIENT_ID"),
                client_secret: Secret::new(v("SFDC_CLIENT_SECRET")),
                username: v("SFDC_USERNAME"),
                password: Secret::new(v("SFDC_PASSWORD")),
            });
        } else if given.is_none() && grants.is_empty() {
            return Err(format!(
                "Salesforce login needs {} in the environment (password = password + security token), or SFDC_ACCESS_TOKEN and SFDC_INSTANCE_URL, or SFDC_REFRESH_TOKEN with SFDC_CLIENT_ID and SFDC_CLIENT_SECRET",
                missing.join(", ")
            ));
        }
        Ok(Credentials { given, grants })
    }

    /// Who logs in, for messages (no secret).
    pub fn who(&self) -> String {
        match (&self.given, self.grants.first()) {
            (Some(s), _) => format!("a given access token for {}", s.instance_url),
            (None, Some(g)) => g.who(),
            (None, None) => "nobody".into(),
        }
    }

    /// True when a new token can be had by logging in again.
    pub fn can_login(&self) -> bool {
        !self.grants.is_empty()
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

/// Logs in with `grant`; the call gives up after `timeout`.
pub async fn login(
    http: &reqwest::Client,
    login_url: &str,
    grant: &Grant,
    timeout: Duration,
) -> Result<Session, LoginError> {
    let form: Vec<(&str, &str)> = match grant {
        Grant::Password {
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
        Grant::Refresh {
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
    // The grant type only: the form carries the secrets.
    tracing::debug!("POST {url} grant_type={}", form[0].1);
    let no_answer = || {
        LoginError::Transient(format!(
            "no answer from {url} within {}",
            super::bayeux::seconds(timeout)
        ))
    };
    let resp = http
        .post(&url)
        .form(&form)
        .timeout(timeout)
        .send()
        .await
        // reqwest's error names the URL, which carries no secret (the form is in the body).
        .map_err(|e| {
            if e.is_timeout() {
                no_answer()
            } else {
                LoginError::Transient(format!("{url}: {}", super::bayeux::error_chain(&e)))
            }
        })?;
    let status = resp.status();
    let body = super::bayeux::read_limited(resp, 1 << 20)
        .await
        .map_err(|e| match e {
            super::bayeux::ReadError::Timeout => no_answer(),
            e => LoginError::Transient(format!("{url}: {e}")),
        })?;
    // Never the body: it holds the access token.
    tracing::debug!("{url} answered HTTP {status}");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Credentials, String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Credentials::from_env(&move |k: &str| {
            vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn a_given_token_first_then_the_refresh_token_then_the_password() {
        let c = from(&[
            ("SFDC_ACCESS_TOKEN", "t"),
            ("SFDC_INSTANCE_URL", "https://x.my.salesforce.com/"),
            ("SFDC_REFRESH_TOKEN", "r"),
            ("SFDC_CLIENT_ID", "id"),
            ("SFDC_CLIENT_SECRET", "s"),
            ("SFDC_USERNAME", "u"),
            ("SFDC_PASSWORD", "p"),
        ])
        .unwrap();
        assert_eq!(
            c.given.as_ref().map(|s| s.instance_url.as_str()),
            Some("https://x.my.salesforce.com")
        );
        assert!(matches!(
            c.grants[..],
            [Grant::Refresh { .. }, Grant::Password { .. }]
        ));
        let c = from(&[
            ("SFDC_ACCESS_TOKEN", "t"),
            ("SFDC_INSTANCE_URL", "https://x"),
        ])
        .unwrap();
        assert!(c.given.is_some() && !c.can_login());
        assert!(from(&[("SFDC_USERNAME", "u")])
            .unwrap_err()
            .contains("SFDC_PASSWORD"));
        assert!(from(&[("SFDC_ACCESS_TOKEN", "t"), ("SFDC_REFRESH_TOKEN", "r")]).is_err());
    }
}
