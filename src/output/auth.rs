//! How an authentication check is shown: a sentence and a table, or one JSON document.

use serde_json::json;

use crate::symphony::check::AuthReport;

use super::{table, OutputFormat, Printer, StdoutClosed};

/// Prints the report in the resolved format.
pub fn auth_report(p: &Printer, r: &AuthReport, format: OutputFormat) -> Result<(), StdoutClosed> {
    match format {
        OutputFormat::Table => {
            let id = r.user.get("id").map(|v| v.to_string()).unwrap_or_default();
            let name = r
                .user
                .get("username")
                .and_then(|v| v.as_str())
                .unwrap_or(&r.username);
            let display = r
                .user
                .get("displayName")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            p.line(format!("authenticated as {name} ({display}), user id {id}"))?;
            p.line(format!(
                "key manager: {}",
                if r.skd {
                    "not needed (Simplified Key Delivery)"
                } else {
                    "authenticated"
                }
            ))?;
            let mut t = table(&["CALL", "URL", "STATUS", "TIME"]);
            for c in &r.calls {
                t.add_row(vec![
                    c["call"].as_str().unwrap_or("").to_string(),
                    c["url"].as_str().unwrap_or("").to_string(),
                    c["status"].to_string(),
                    format!("{} ms", c["millis"]),
                ]);
            }
            p.line(t)
        }
        format => {
            let out = json!({ "user": r.user, "simplifiedKeyDelivery": r.skd, "calls": r.calls });
            if format == OutputFormat::Ndjson {
                p.ndjson(&out)
            } else {
                p.json(&out)
            }
        }
    }
}
