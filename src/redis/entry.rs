//! A stream entry as feedctl keeps it: one JSON object (docs/redis.md), binary-safe.
//!
//! `{"stream":KEY,"id":"<ms>-<seq>","fields":{NAME:VALUE,...},"hopeit":{...}}`: a VALUE is a
//! string when it is UTF-8 and `{"base64":"..."}` when not; when a field name is not UTF-8 or
//! repeats, all pairs go in order into `"pairs":[[NAME,VALUE],...]` instead of `fields`.
//! `hopeit` is there for entries in hopeit.engine's layout: its type, request id and the payload
//! decoded by the entry's own `ser`/`comp`.

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::feed::{Columns, FeedEvent};

use super::hopeit;

/// An entry's field/value pairs as bytes, in order.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// One entry of a stream.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub id: String,
    /// The JSON above, as stored.
    pub raw: Vec<u8>,
    pub json: Value,
    /// hopeit's `type`, else a `type` field.
    pub event_type: Option<String>,
    /// The entry id's milliseconds.
    pub timestamp: Option<i64>,
    dedupe: String,
}

/// A value as JSON: text, or base64 of bytes that are not UTF-8.
pub fn value_json(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => Value::String(s.to_string()),
        Err(_) => json!({ "base64": base64::engine::general_purpose::STANDARD.encode(b) }),
    }
}

/// A value back from its JSON (the inverse of [`value_json`]).
pub fn value_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Object(o) => o
            .get("base64")
            .and_then(Value::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()),
        // A hand-written scenario may give numbers or booleans: written as their text.
        Value::Number(_) | Value::Bool(_) => Some(v.to_string().into_bytes()),
        _ => None,
    }
}

/// The field pairs of an entry's JSON, as bytes, in order (for XADD of the original fields).
pub fn pairs_of(json: &Value) -> Option<Pairs> {
    if let Some(list) = json.get("pairs").and_then(Value::as_array) {
        return list
            .iter()
            .map(|p| {
                let p = p.as_array()?;
                Some((value_bytes(p.first()?)?, value_bytes(p.get(1)?)?))
            })
            .collect();
    }
    json.get("fields")?
        .as_object()?
        .iter()
        .map(|(k, v)| Some((k.as_bytes().to_vec(), value_bytes(v)?)))
        .collect()
}

/// The milliseconds of an entry id.
pub fn id_ms(id: &str) -> Option<i64> {
    id.split('-').next()?.parse().ok()
}

impl Entry {
    /// Builds the entry from what XREAD returned.
    pub fn new(key: &str, id: &str, pairs: &[(Vec<u8>, Vec<u8>)]) -> Entry {
        let mut obj = Map::new();
        obj.insert("stream".into(), json!(key));
        obj.insert("id".into(), json!(id));
        let mut fields = Map::new();
        let mut plain = true;
        for (k, v) in pairs {
            match std::str::from_utf8(k) {
                Ok(name) if !fields.contains_key(name) => {
                    fields.insert(name.to_string(), value_json(v));
                }
                _ => plain = false,
            }
        }
        if plain {
            obj.insert("fields".into(), Value::Object(fields));
        } else {
            let list: Vec<Value> = pairs
                .iter()
                .map(|(k, v)| json!([value_json(k), value_json(v)]))
                .collect();
            obj.insert("pairs".into(), Value::Array(list));
        }
        let mut event_type =
            hopeit::get(pairs, "type").map(|t| String::from_utf8_lossy(t).into_owned());
        if hopeit::recognise(pairs) {
            let h = hopeit::describe(pairs);
            if let Some(t) = h.get("type").and_then(Value::as_str) {
                event_type = Some(t.to_string());
            }
            obj.insert("hopeit".into(), h);
        }
        let json = Value::Object(obj);
        Entry {
            key: key.to_string(),
            id: id.to_string(),
            raw: json.to_string().into_bytes(),
            json,
            event_type,
            timestamp: id_ms(id),
            dedupe: format!("{key}\u{1f}{id}"),
        }
    }
}

impl FeedEvent for Entry {
    fn raw(&self) -> &[u8] {
        &self.raw
    }

    fn columns(&self) -> Columns<'_> {
        Columns {
            event_id: Some(&self.id),
            event_type: self.event_type.as_deref(),
            timestamp: self.timestamp,
            ..Columns::default()
        }
    }

    /// Entry ids are unique within a stream: a repeat is a redelivery.
    fn dedupe_key(&self) -> String {
        self.dedupe.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_values_and_odd_names_round_trip() {
        let pairs = vec![
            (b"a".to_vec(), b"text".to_vec()),
            (b"bin".to_vec(), vec![0xff, 0x00, 0x80]),
        ];
        let e = Entry::new("k", "1-0", &pairs);
        assert_eq!(e.json["fields"]["bin"]["base64"], "/wCA");
        assert_eq!(pairs_of(&e.json).unwrap(), pairs);
        let odd = vec![
            (b"a".to_vec(), b"1".to_vec()),
            (b"a".to_vec(), b"2".to_vec()),
            (vec![0xfe], b"3".to_vec()),
        ];
        let e = Entry::new("k", "2-0", &odd);
        assert!(e.json.get("fields").is_none());
        assert_eq!(pairs_of(&e.json).unwrap(), odd);
    }

    #[test]
    fn hopeit_entries_are_decoded() {
        let payload = hopeit::Encoding::Json64Lz4.encode(&json!({"text": "hi"}));
        let pairs = vec![
            (b"id".to_vec(), b"x".to_vec()),
            (b"type".to_vec(), b"app.data_model.MyMessage".to_vec()),
            (b"track.request_id".to_vec(), b"r1".to_vec()),
            (b"ser".to_vec(), b"json+base64".to_vec()),
            (b"comp".to_vec(), b"lz4".to_vec()),
            (b"payload".to_vec(), payload),
        ];
        let e = Entry::new("my-stream", "1700000000000-0", &pairs);
        assert_eq!(e.event_type.as_deref(), Some("app.data_model.MyMessage"));
        assert_eq!(e.json["hopeit"]["payload"]["text"], "hi");
        assert_eq!(e.json["hopeit"]["request_id"], "r1");
        assert_eq!(e.timestamp, Some(1_700_000_000_000));
    }
}
