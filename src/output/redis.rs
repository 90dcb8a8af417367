//! How a Redis stream entry is shown while following: a readable line on a terminal (hopeit
//! entries by type, request id and decoded payload; others by their fields), its stored JSON
//! (docs/redis.md) when piped.

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
    if let Some(h) = e.json().get("hopeit") {
        let ty = h.get("type").and_then(Value::as_str).unwrap_or("?");
        line.push_str(&format!(" {}", style(clip(&safe(ty), 60)).green()));
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
    let fields: Vec<String> = match (e.json().get("fields"), e.json().get("pairs")) {
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
    line.push(' ');
    line.push_str(&clip(&fields.join(" "), 200));
    line
}

/// The entry's stored JSON, one line: borrowed, not copied (an entry may be hundreds of MB,
/// and memory is bounded by twice the largest entry, docs/redis.md).
pub fn json_line(e: &Entry) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&e.raw)
}
