//! OAuth 2.0 login against `LOGIN_HOST/services/oauth2/token`: the JWT bearer, client
//! credentials, refresh-token and username-password flows, the Salesforce CLI's login
//! (`sf org display`), and a ready access token + instance URL used first. Secrets stay in
//! `Secret` and are never formatted.

use std::time::Duration;

use serde_json::Value;

use crate::config::Secret;

/// The JWT bearer grant type (RFC 7523).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// How long a JWT bearer assertion is valid (Salesforce: `exp` within 3 minutes).
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(180);

/// Most bytes read from `sf org display --json`.
const SF_OUTPUT_LIMIT: u64 = 1 << 20;

/// One way to get a token.
#[derive(Debug, Clone)]
pub enum Grant {
    /// `sf org display --target-org ALIAS --json` (`--sf-org ALIAS`).
    SfCli {
        alias: String,
        /// A plain `http://` instance URL is accepted (the SOURCE is `sfdc+http://`).
        plain_http: bool,
    },
    /// The JWT bearer flow: an RS256 assertion signed with the connected app's private key.
    Jwt {
        client_id: String,
        username: String,
        /// The private key (PEM), from the file `SFDC_JWT_KEY` names.
        key: Secret,
        /// `aud`: `SFDC_JWT_AUDIENCE`, else the login URL of the SOURCE.
        audience: Option<String>,
    },
    /// `grant_type=client_credentials` (runs as the connected app's "Run As" user).
    ClientCredentials {
        client_id: String,
        client_secret: Secret,
    },
    /// `grant_type=refresh_token` with a refresh token from an earlier authorization.
    Refresh {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
    Password {
        client_id: String,
        client_secret: Secret,
        username: String,
        /// The password followed by the security token.
        password: Secret,
    },
}

impl Grant {
    /// Who logs in, for messages (no secret).
    pub fn who(&self) -> String {
        match self {
            Grant::SfCli { alias, .. } => format!("the sf CLI's org {alias}"),
            Grant::Jwt { username, .. } => format!("{username} (JWT bearer)"),
            Grant::ClientCredentials { client_id, .. } => format!(
                "the client credentials of {}",
                crate::text::clip(client_id, 12)
            ),
            Grant::Password { username, .. } => username.clone(),
            Grant::Refresh { client_id, .. } => format!(
                "a refresh token of client {}",
                crate::text::clip(client_id, 12)
            ),
        }
    }

    /// What to check when this grant is refused.
    pub fn variables(&self) -> &'static str {
        match self {
            Grant::SfCli { .. } => "the org alias given with --sf-org (`sf org list` shows them; `sf org login web --alias ALIAS` logs in again)",
            Grant::Jwt { .. } => "SFDC_JWT_KEY (the private key of the certificate uploaded to the connected app), SFDC_CLIENT_ID (its consumer key) and SFDC_USERNAME (a user pre-authorized for the app)",
            Grant::ClientCredentials { .. } => "SFDC_CLIENT_ID and SFDC_CLIENT_SECRET (the connected app's consumer key and secret; the app needs a Run As user and the SOURCE your org's My Domain host)",
            Grant::Password { .. } => "SFDC_USERNAME, SFDC_PASSWORD (password + security token), SFDC_CLIENT_ID and SFDC_CLIENT_SECRET",
            Grant::Refresh { .. } => "SFDC_REFRESH_TOKEN, SFDC_CLIENT_ID and SFDC_CLIENT_SECRET",
        }
    }
}

/// Where the credentials come from: `--sf-org`, or `SFDC_*` variables (never the command line).
/// A given token is used first; the grants log in (again) when there is none or it is refused.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// `SFDC_ACCESS_TOKEN` + `SFDC_INSTANCE_URL`.
    pub given: Option<Session>,
    /// In the order they are tried: JWT bearer, client credentials, refresh token, password
    /// (or the sf CLI alone).
    pub grants: Vec<Grant>,
}

impl Credentials {
    /// The `SFDC_*` variables only (no `--sf-org`).
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        Self::resolve(get, None, false)
    }

    /// With `--sf-org ALIAS` the sf CLI is the one login and no `SFDC_*` variable is read.
    /// Otherwise reads `SFDC_ACCESS_TOKEN` + `SFDC_INSTANCE_URL`, then every complete set, in
    /// this order: `SFDC_JWT_KEY` + `SFDC_CLIENT_ID` + `SFDC_USERNAME` (JWT bearer);
    /// `SFDC_CLIENT_ID` + `SFDC_CLIENT_SECRET` with neither `SFDC_USERNAME` nor
    /// `SFDC_REFRESH_TOKEN` (client credentials); `SFDC_REFRESH_TOKEN` with the client id and
    /// secret; `SFDC_CLIENT_ID`, `SFDC_CLIENT_SECRET`, `SFDC_USERNAME`, `SFDC_PASSWORD`. The
    /// error names what is missing.
    pub fn resolve(
        get: &dyn Fn(&str) -> Option<String>,
        sf_org: Option<&str>,
        plain_http: bool,
    ) -> Result<Self, String> {
        if let Some(alias) = sf_org {
            let alias = alias.trim();
            if alias.is_empty() || alias.starts_with('-') {
                return Err(
                    "--sf-org needs an org alias or username (`sf org list` shows them)".into(),
                );
            }
            return Ok(Credentials {
                given: None,
                grants: vec![Grant::SfCli {
                    alias: alias.to_string(),
                    plain_http,
                }],
            });
        }
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        let given = match var("SFDC_ACCESS_TOKEN") {
            Some(token) => {
                let instance_url = var("SFDC_INSTANCE_URL")
                    .ok_or("SFDC_ACCESS_TOKEN is set but SFDC_INSTANCE_URL is not: give both")?;
                let org_id = var("SFDC_ORG_ID").or_else(|| org_id_of_token(&token));
                Some(Session {
                    access_token: Secret::new(token),
                    instance_url: instance_url.trim_end_matches('/').to_string(),
                    org_id,
                })
            }
            None => None,
        };
        let mut grants = Vec::new();
        if let Some(path) = var("SFDC_JWT_KEY") {
            let (Some(client_id), Some(username)) = (var("SFDC_CLIENT_ID"), var("SFDC_USERNAME"))
            else {
                return Err("SFDC_JWT_KEY needs SFDC_CLIENT_ID (the connected app's consumer key) and SFDC_USERNAME too".into());
            };
            let pem = std::fs::read_to_string(&path)
                .map_err(|e| format!("SFDC_JWT_KEY: cannot read {path}: {e}"))?;
            crate::config::check_pem(&pem).map_err(|e| format!("SFDC_JWT_KEY {path}: {e}"))?;
            grants.push(Grant::Jwt {
                client_id,
                username,
                key: Secret::new(pem),
                audience: var("SFDC_JWT_AUDIENCE").map(|a| a.trim_end_matches('/').to_string()),
            });
        }
        if var("SFDC_USERNAME").is_none() && var("SFDC_REFRESH_TOKEN").is_none() {
            if let (Some(client_id), Some(secret)) =
                (var("SFDC_CLIENT_ID"), var("SFDC_CLIENT_SECRET"))
            {
                grants.push(Grant::ClientCredentials {
                    client_id,
                    client_secret: Secret::new(secret),
                });
            }
        }
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
                "Salesforce login needs one of: SFDC_CLIENT_ID + SFDC_USERNAME + SFDC_JWT_KEY (JWT bearer); SFDC_CLIENT_ID + SFDC_CLIENT_SECRET (client credentials); SFDC_REFRESH_TOKEN + SFDC_CLIENT_ID + SFDC_CLIENT_SECRET; SFDC_ACCESS_TOKEN + SFDC_INSTANCE_URL; SFDC_CLIENT_ID + SFDC_CLIENT_SECRET + SFDC_USERNAME + SFDC_PASSWORD (missing here: {}); or --sf-org ALIAS (docs/salesforce.md)",
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
    /// The org id (the Pub/Sub API's `tenantid`): from the token response's identity URL, `sf
    /// org display`'s `id`, or for a given token `SFDC_ORG_ID`, else the token's prefix.
    pub org_id: Option<String>,
}

/// The org id in an identity URL (`https://login.salesforce.com/id/ORGID/USERID`).
pub fn org_id_of_identity(url: &str) -> Option<String> {
    let rest = url.split("/id/").nth(1)?;
    let id = rest.split('/').next()?;
    valid_org_id(id).then(|| id.to_string())
}

/// The org id an access token starts with (Salesforce's session ids are `ORGID!…`).
pub fn org_id_of_token(token: &str) -> Option<String> {
    let (id, _) = token.split_once('!')?;
    valid_org_id(id).then(|| id.to_string())
}

/// An org id: 15 or 18 letters and digits starting with `00D`.
fn valid_org_id(id: &str) -> bool {
    (id.len() == 15 || id.len() == 18)
        && id.starts_with("00D")
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The server refused the credentials (`invalid_grant`, `invalid_client_id`, ...).
    #[error("Salesforce login refused: {error}{}", if .description.is_empty() { String::new() } else { format!(" ({})", .description) })]
    Rejected { error: String, description: String },
    /// Could not reach the server or understand it: worth another try.
    #[error("Salesforce login failed: {0}")]
    Transient(String),
    /// Something on this machine (a key that cannot sign, no `sf` to run): exit 2.
    #[error("{0}")]
    Local(String),
}

/// The claims of a JWT bearer assertion.
#[derive(serde::Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    /// Unique per assertion: every login (again) sends a fresh one.
    jti: String,
}

/// A fresh RS256 assertion for the JWT bearer flow, valid for `ASSERTION_LIFETIME`.
pub fn assertion(
    client_id: &str,
    username: &str,
    audience: &str,
    key_pem: &Secret,
) -> Result<Secret, String> {
    use rand::Rng;
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key_pem.expose().as_bytes())
        .map_err(|e| format!("SFDC_JWT_KEY is not a usable RSA private key ({e})"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let jti: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    let claims = Assertion {
        iss: client_id,
        sub: username,
        aud: audience,
        exp: now + ASSERTION_LIFETIME.as_secs(),
        jti,
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .map(Secret::new)
    .map_err(|e| format!("cannot sign the JWT bearer assertion with SFDC_JWT_KEY ({e})"))
}

/// The `aud` of an assertion when `SFDC_JWT_AUDIENCE` is not set: the values Salesforce
/// documents for a My Domain host (`https://test.salesforce.com` for a sandbox's
/// `*.sandbox.my.salesforce.com`, `https://login.salesforce.com` for any other
/// `*.my.salesforce.com`), else the login URL itself.
pub fn default_audience(login_url: &str) -> String {
    let login_url = login_url.trim_end_matches('/');
    let host = login_url
        .split("://")
        .nth(1)
        .unwrap_or(login_url)
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if host.ends_with(".sandbox.my.salesforce.com") {
        "https://test.salesforce.com".into()
    } else if host.ends_with(".my.salesforce.com") {
        "https://login.salesforce.com".into()
    } else {
        login_url.to_string()
    }
}

/// Logs in with `grant`; the call gives up after `timeout`.
pub async fn login(
    http: &reqwest::Client,
    login_url: &str,
    grant: &Grant,
    timeout: Duration,
) -> Result<Session, LoginError> {
    let login_url = login_url.trim_end_matches('/');
    let signed;
    let form: Vec<(&str, &str)> = match grant {
        Grant::SfCli { alias, plain_http } => return sf_login(alias, *plain_http, timeout).await,
        Grant::Jwt {
            client_id,
            username,
            key,
            audience,
        } => {
            let aud = match audience {
                Some(a) => a.clone(),
                None => default_audience(login_url),
            };
            let aud = aud.as_str();
            signed = assertion(client_id, username, aud, key).map_err(LoginError::Local)?;
            vec![("grant_type", JWT_BEARER), ("assertion", signed.expose())]
        }
        Grant::ClientCredentials {
            client_id,
            client_secret,
        } => vec![
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
        ],
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
            org_id: json
                .get("id")
                .and_then(Value::as_str)
                .and_then(org_id_of_identity)
                .or_else(|| org_id_of_token(t)),
        }),
        _ => Err(LoginError::Transient(format!(
            "{url} answered without access_token or instance_url"
        ))),
    }
}

/// Is `name` an executable file in a directory of `PATH`?
pub fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p).any(|d| {
            let f = d.join(name);
            f.is_file()
                && std::fs::metadata(&f)
                    .map(|m| {
                        use std::os::unix::fs::PermissionsExt;
                        m.permissions().mode() & 0o111 != 0
                    })
                    .unwrap_or(false)
        })
    })
}

/// The Salesforce CLI's login: `sf org display --target-org ALIAS --json`, bounded by
/// `timeout`, its output by `SF_OUTPUT_LIMIT`. The output holds the token: never logged.
async fn sf_login(alias: &str, plain_http: bool, timeout: Duration) -> Result<Session, LoginError> {
    use tokio::io::AsyncReadExt;
    tracing::debug!("running sf org display --target-org {alias} --json");
    let mut child = tokio::process::Command::new("sf")
        .args(["org", "display", "--target-org", alias, "--json"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                LoginError::Local("--sf-org needs the Salesforce CLI, `sf`, on PATH (npm install --global @salesforce/cli), or use another login (docs/salesforce.md)".into())
            } else {
                LoginError::Local(format!("cannot run sf: {e}"))
            }
        })?;
    let mut out = Vec::new();
    let read = async {
        if let Some(stdout) = child.stdout.take() {
            stdout.take(SF_OUTPUT_LIMIT).read_to_end(&mut out).await?;
        }
        child.wait().await
    };
    let status = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(LoginError::Transient(format!("sf org display: {e}"))),
        Err(_) => {
            let _ = child.kill().await;
            return Err(LoginError::Transient(format!(
                "sf org display --target-org {alias} gave no answer within {}",
                super::bayeux::seconds(timeout)
            )));
        }
    };
    let json: Option<Value> = serde_json::from_slice(&out).ok();
    let Some(json) = json else {
        return Err(LoginError::Transient(format!(
            "sf org display --target-org {alias} ({status}) printed something that is not JSON"
        )));
    };
    let result = json.get("result");
    let token = result
        .and_then(|r| r.get("accessToken"))
        .and_then(Value::as_str);
    let instance = result
        .and_then(|r| r.get("instanceUrl"))
        .and_then(Value::as_str);
    match (json.get("status").and_then(Value::as_i64), token, instance) {
        (Some(0), Some(t), Some(i)) if !t.is_empty() => {
            if i.starts_with("http://") && !plain_http {
                return Err(LoginError::Rejected {
                    error: "sf".into(),
                    description: "sf gave a plain http:// instance URL while the SOURCE is sfdc:// (HTTPS): the token would go in clear".into(),
                });
            }
            let org_id = result
                .and_then(|r| r.get("id"))
                .and_then(Value::as_str)
                .filter(|id| valid_org_id(id))
                .map(str::to_string)
                .or_else(|| org_id_of_token(t));
            Ok(Session {
                access_token: Secret::new(t),
                instance_url: i.trim_end_matches('/').to_string(),
                org_id,
            })
        }
        _ => {
            let text = |k: &str| json.get(k).and_then(Value::as_str).unwrap_or("");
            // sf could not reach Salesforce to refresh its login: worth another try.
            let network = [
                "ENOTFOUND",
                "ECONNREFUSED",
                "ECONNRESET",
                "ETIMEDOUT",
                "EAI_AGAIN",
                "socket hang up",
            ];
            if network
                .iter()
                .any(|n| text("message").contains(n) || text("name").contains(n))
            {
                return Err(LoginError::Transient(format!(
                    "sf org display --target-org {alias}: {}",
                    crate::text::clip(text("message"), 200)
                )));
            }
            Err(LoginError::Rejected {
                error: crate::text::clip(
                    if text("name").is_empty() {
                        "sf org display failed"
                    } else {
                        text("name")
                    },
                    80,
                ),
                description: crate::text::clip(text("message"), 200),
            })
        }
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
    fn the_org_id_comes_from_the_identity_url_the_token_or_sfdc_org_id() {
        assert_eq!(
            org_id_of_identity(
                "https://login.salesforce.com/id/00D5g000004XyZaEAK/0055g00000A1b2cAAB"
            )
            .as_deref(),
            Some("00D5g000004XyZaEAK")
        );
        assert_eq!(
            org_id_of_identity("https://login.salesforce.com/id/005x/00Dy"),
            None
        );
        assert_eq!(
            org_id_of_token("00DFEEDCTL00001!AQ4AQ.x").as_deref(),
            Some("00DFEEDCTL00001")
        );
        assert_eq!(org_id_of_token("opaque-token"), None);
        let c = from(&[
            ("SFDC_ACCESS_TOKEN", "00DFEEDCTL00001!abc"),
            ("SFDC_INSTANCE_URL", "https://x"),
        ])
        .unwrap();
        assert_eq!(c.given.unwrap().org_id.as_deref(), Some("00DFEEDCTL00001"));
        let c = from(&[
            ("SFDC_ACCESS_TOKEN", "opaque"),
            ("SFDC_INSTANCE_URL", "https://x"),
            ("SFDC_ORG_ID", "00D000000000001"),
        ])
        .unwrap();
        assert_eq!(c.given.unwrap().org_id.as_deref(), Some("00D000000000001"));
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

    #[test]
    fn jwt_first_client_credentials_only_without_a_user_and_sf_org_alone() {
        let key = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem"
        );
        let c = from(&[
            ("SFDC_CLIENT_ID", "id"),
            ("SFDC_CLIENT_SECRET", "s"),
            ("SFDC_USERNAME", "u"),
            ("SFDC_PASSWORD", "p"),
            ("SFDC_REFRESH_TOKEN", "r"),
            ("SFDC_JWT_KEY", key),
        ])
        .unwrap();
        assert!(matches!(
            c.grants[..],
            [
                Grant::Jwt { .. },
                Grant::Refresh { .. },
                Grant::Password { .. }
            ]
        ));
        let c = from(&[("SFDC_CLIENT_ID", "id"), ("SFDC_CLIENT_SECRET", "s")]).unwrap();
        assert!(matches!(c.grants[..], [Grant::ClientCredentials { .. }]));
        assert!(from(&[("SFDC_JWT_KEY", key), ("SFDC_CLIENT_ID", "id")])
            .unwrap_err()
            .contains("SFDC_USERNAME"));
        assert!(from(&[
            ("SFDC_JWT_KEY", "/nonexistent/key.pem"),
            ("SFDC_CLIENT_ID", "id"),
            ("SFDC_USERNAME", "u")
        ])
        .unwrap_err()
        .contains("cannot read"));
        let get = |_: &str| Some("ignored".to_string());
        let c = Credentials::resolve(&get, Some("my-org"), false).unwrap();
        assert!(
            c.given.is_none()
                && matches!(&c.grants[..], [Grant::SfCli { alias, .. }] if alias == "my-org")
        );
        assert_eq!(
            default_audience("https://acme--dev.sandbox.my.salesforce.com"),
            "https://test.salesforce.com"
        );
        assert_eq!(
            default_audience("https://acme.my.salesforce.com/"),
            "https://login.salesforce.com"
        );
        assert_eq!(
            default_audience("https://test.salesforce.com"),
            "https://test.salesforce.com"
        );
        assert_eq!(
            default_audience("http://localhost:8090"),
            "http://localhost:8090"
        );
        // Every assertion is a new one, with exp within 3 minutes.
        let pem = Secret::new(std::fs::read_to_string(key).unwrap());
        let a = assertion("id", "u", "https://login.salesforce.com", &pem).unwrap();
        let b = assertion("id", "u", "https://login.salesforce.com", &pem).unwrap();
        assert_ne!(a.expose(), b.expose());
    }
}
