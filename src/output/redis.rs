//! How a Redis stream entry reads to a human: a line on a terminal (hopeit entries by type,
//! request id and decoded payload; others by their fields); `--format` paths start at its
//! stored JSON (docs/redis.md).

use console::style;
use serde_json::Value;

use super::clip;
use crate::redis::Entry;

/// Control characters of a stream's bytes never reach the terminal.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect()
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) if o.contains_key("base64") => format!(
            "<{} bytes>",
            o["base64"].as_str().map_or(0, |b| b.len() * 3 / 4)
        ),
        other => other.to_string(),
    }
}

/// One line: time of the entry id, stream, id, then the hopeit type and payload or the fields.
pub fn pretty(e: &Entry) -> String {
    let time = e
        .timestamp
        .map(super::time)
        .and_then(|t| t.split_once(' ').map(|(_, c)| c.to_string()))
        .unwrap_or_else(|| "--:--:--.---".into());
    let mut line = format!(
        "{} {} {}",
        style(time).dim(),
        style(clip(&safe(&e.key), 24)).cyan(),
        style(&e.id).dim()
    );
    line.push(' ');
    line.push_str(&summary(e.json()));
    line
}

/// What an entry says: hopeit's type, request id and payload, or its fields.
pub fn summary(json: &Value) -> String {
    if let Some(h) = json.get("hopeit") {
        let ty = h.get("type").and_then(Value::as_str).unwrap_or("?");
        let mut line = style(clip(&safe(ty), 60)).green().to_string();
        if let Some(r) = h.get("request_id").and_then(Value::as_str) {
            line.push_str(&format!(" req={}", clip(&safe(r), 36)));
        }
        let body = match (h.get("payload"), h.get("undecoded").and_then(Value::as_str)) {
            (_, Some(why)) => style(format!("[{why}]")).yellow().to_string(),
            (Some(p), None) => clip(&safe(&p.to_string()), 160),
            (None, None) => String::new(),
        };
        line.push_str(&format!(": {body}"));
        return line;
    }
    let fields: Vec<String> = match (json.get("fields"), json.get("pairs")) {
        (Some(Value::Object(f)), _) => f
            .iter()
            .map(|(k, v)| format!("{}={}", safe(k), safe(&value_text(v))))
            .collect(),
        (_, Some(Value::Array(p))) => p
            .iter()
            .map(|kv| {
                let k = kv.get(0).map(value_text).unwrap_or_default();
                let v = kv.get(1).map(value_text).unwrap_or_default();
                format!("{}={}", safe(&k), safe(&v))
            })
            .collect(),
        _ => Vec::new(),
    };
    clip(&fields.join(" "), 200)
}

impl crate::feed::Shown for Entry {
    fn pretty(&self, _d: &crate::feed::Delivery) -> Option<String> {
        Some(pretty(self))
    }

    /// Paths start at the stored entry: `{fields.sku}`, `{hopeit.payload.id}`.
    fn path_root(&self) -> Option<std::borrow::Cow<'_, Value>> {
        Some(std::borrow::Cow::Borrowed(self.json()))
    }
}
