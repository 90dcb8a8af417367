//! How a Salesforce event reads to a human: a line on a terminal; `--format` paths start at the
//! message's `data`.

use console::style;

use super::{clip, safe};
use crate::salesforce::Message;

/// time, channel, event type, replayId, then the record id and name, or a payload summary;
/// terminal-safe (every part but the time and replay id comes from the event).
pub fn pretty(m: &Message) -> String {
    let time = m
        .timestamp
        .map(super::time)
        .unwrap_or_else(|| "-".repeat(23));
    let ty = m.event_type.as_deref().unwrap_or("?");
    let replay = m.replay_id.map(|r| format!("#{r}")).unwrap_or_default();
    format!(
        "{time} {} {} {} {}",
        style(safe(&m.channel)).cyan(),
        style(format!("{:<10}", safe(ty))).green(),
        style(replay).dim(),
        safe(&summary(m))
    )
}

/// The record id and a few fields: `001… Name=Acme` or `Order_Number__c=42`.
pub fn summary(m: &Message) -> String {
    let data = m.value().get("data");
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

impl crate::feed::Shown for Message {
    const OWN_FIELDS: &'static [&'static str] = &["record_id", "channel"];

    fn pretty(&self, _d: &crate::feed::Delivery) -> Option<String> {
        Some(pretty(self))
    }

    fn own_field(&self, name: &str, _d: &crate::feed::Delivery) -> String {
        match name {
            "record_id" => self.record_id.clone().unwrap_or_default(),
            "channel" => self.channel.clone(),
            _ => String::new(),
        }
    }

    /// Paths start at the message's `data`: `{payload.Name}`, `{event.replayId}`,
    /// `{sobject.Id}`.
    fn path_root(&self) -> Option<std::borrow::Cow<'_, serde_json::Value>> {
        self.value().get("data").map(std::borrow::Cow::Borrowed)
    }
}
