//! `feedctl auth check`: log in, ask the pod who we are, and say which endpoints answered.

use anyhow::Result;
use serde_json::json;

use super::load_settings;
use crate::cli::{Global, OutputFormat};
use crate::exit::Exit;
use crate::output;
use crate::symphony::Client;

pub async fn check(g: &Global) -> Result<Exit> {
    let settings = load_settings(g)?;
    let client = Client::new(&settings)?;
    let session = client.session().await?;
    let started = std::time::Instant::now();
    let info = client.session_info().await?;
    let info_ms = started.elapsed().as_millis();
    let mut calls: Vec<_> = client
        .auth_steps()
        .into_iter()
        .map(|s| json!({ "call": s.call, "url": s.url, "status": s.status, "millis": s.millis }))
        .collect();
    calls.push(json!({ "call": "/pod/v2/sessioninfo", "url": format!("{}/pod/v2/sessioninfo", settings.pod.base_url()), "status": 200, "millis": info_ms }));
    let skd = session.km_token.is_none();
    match output::resolve(g.output) {
        OutputFormat::Table => {
            let id = info.get("id").map(|v| v.to_string()).unwrap_or_default();
            let name = info
                .get("username")
                .and_then(|v| v.as_str())
                .unwrap_or(&settings.username);
            let display = info
                .get("displayName")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            output::line(format!("authenticated as {name} ({display}), user id {id}"));
            output::line(format!(
                "key manager: {}",
                if skd {
                    "not needed (Simplified Key Delivery)"
                } else {
                    "authenticated"
                }
            ));
            let mut t = output::table(&["CALL", "URL", "STATUS", "TIME"]);
            for c in &calls {
                t.add_row(vec![
                    c["call"].as_str().unwrap_or("").to_string(),
                    c["url"].as_str().unwrap_or("").to_string(),
                    c["status"].to_string(),
                    format!("{} ms", c["millis"]),
                ]);
            }
            output::line(t);
        }
        format => {
            let out = json!({ "user": info, "simplifiedKeyDelivery": skd, "calls": calls });
            if format == OutputFormat::Ndjson {
                output::ndjson(&out)
            } else {
                output::json(&out)
            }
        }
    }
    Ok(Exit::Success)
}
