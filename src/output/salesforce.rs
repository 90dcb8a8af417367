//! How a Salesforce event is shown while following: a readable line on a terminal, the message
//! exactly as received (one JSON line) when piped.

use console::style;

use super::clip;
use crate::salesforce::Message;

/// time, channel, event type, replayId, then the record id and name, or a payload summary.
pub fn pretty(m: &Message) -> String {
    let time = m
        .timestamp
        .map(super::time)
        .unwrap_or_else(|| "-".repeat(23));
    let ty = m.event_type.as_deref().unwrap_or("?");
    let replay = m.replay_id.map(|r| format!("#{r}")).unwrap_or_default();
    format!(
        "{time} {} {} {} {}",
        style(&m.channel).cyan(),
        style(format!("{ty:<10}")).green(),
        style(replay).dim(),
        summary(m)
    )
}

/// The record id and a few fields: `001… Name=Acme` or `Order_Number__c=42`.
pub fn summary(m: &Message) -> String {
    let data = m.value.get("data");
    let fields = data
        .and_then(|d| d.get("sobject").or_else(|| d.get("payload")))
        .and_then(|o| o.as_object());
    let mut parts: Vec<String> = Vec::new();
    if let Some(id) = &m.record_id {
        parts.push(id.clone());
    }
    if let Some(obj) = fields {
        for (k, v) in obj {
            if k == "Id" || k == "ChangeEventHeader" || k == "CreatedDate" || k == "CreatedById" {
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            parts.push(format!("{k}={}", clip(&text, 30)));
            if parts.len() >= 5 {
                break;
            }
        }
    } else if let Some(p) = data.and_then(|d| d.get("payload")).and_then(|p| p.as_str()) {
        parts.push(clip(p, 60));
    }
    crate::text::clip(&parts.join(" "), 120)
}

/// The message as received, on one line (re-written compactly only if it had line breaks).
pub fn json_line(m: &Message) -> String {
    let raw = m.raw_text();
    if raw.contains('\n') {
        m.value.to_string()
    } else {
        raw.to_string()
    }
}
