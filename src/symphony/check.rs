//! `auth check`'s work, shared by `auth check` and `init --check`: log in, ask the pod who the
//! bot is, and keep which calls answered how fast.

use serde_json::{json, Value};

use crate::config::Settings;

use super::{ApiError, Client};

/// What an authentication check found.
#[derive(Debug, Clone)]
pub struct AuthReport {
    /// `/pod/v2/sessioninfo` as the pod answered it.
    pub user: Value,
    /// The username of the config, for when the pod does not say.
    pub username: String,
    /// No key manager token: the pod uses Simplified Key Delivery.
    pub skd: bool,
    /// Each call made: `{call, url, status, millis}`.
    pub calls: Vec<Value>,
}

/// Authenticates with the config's credentials and asks the pod who the bot is.
pub async fn check(settings: &Settings) -> Result<AuthReport, ApiError> {
    let client = Client::new(settings)?;
    let session = client.session().await?;
    let started = std::time::Instant::now();
    let user = client.session_info().await?;
    let info_ms = started.elapsed().as_millis();
    let mut calls: Vec<_> = client
        .auth_steps()
        .into_iter()
        .map(|s| json!({ "call": s.call, "url": s.url, "status": s.status, "millis": s.millis }))
        .collect();
    calls.push(json!({ "call": "/pod/v2/sessioninfo", "url": format!("{}/pod/v2/sessioninfo", settings.pod.base_url()), "status": 200, "millis": info_ms }));
    Ok(AuthReport {
        user,
        username: settings.username.clone(),
        skd: session.km_token.is_none(),
        calls,
    })
}
