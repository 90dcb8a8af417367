//! A stream entry as feedctl keeps it: one JSON object (docs/redis.md), binary-safe.
//!
//! `{"stream":KEY,"id":"<ms>-<seq>","fields":{NAME:VALUE,...},"hopeit":{...}}`: a VALUE is a
//! string when it is UTF-8 and `{"base64":"..."}` when not; when a field name is not UTF-8 or
//! repeats, all pairs go in order into `"pairs":[[NAME,VALUE],...]` instead of `fields`.
//! `hopeit` is there for entries in hopeit.engine's layout: its type, request id and the payload
//! decoded by the entry's own `ser`/`comp`.

use std::sync::OnceLock;

use base64::Engine;
use serde_json::{json, Value};

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
    /// `raw` parsed, only when something asks (tail's pretty line): recording never does.
    json: OnceLock<Value>,
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
    /// Builds the entry from what XREAD returned. The JSON is written straight into `raw`
    /// rather than built as a `Value` tree and then serialised: that tree was a third of
    /// recording's time per entry, and nothing on the recording path reads it. The pairs may
    /// be owned or lie in a reply ([`super::wire`]).
    pub fn new<B: AsRef<[u8]>>(key: &str, id: &str, pairs: &[(B, B)]) -> Entry {
        let mut raw = Vec::with_capacity(
            64 + key.len()
                + pairs
                    .iter()
                    .map(|(k, v)| k.as_ref().len() + v.as_ref().len() + 6)
                    .sum::<usize>(),
        );
        raw.extend_from_slice(b"{\"stream\":");
        write_str(&mut raw, key);
        raw.extend_from_slice(b",\"id\":");
        write_str(&mut raw, id);
        if plain_names(pairs) {
            raw.extend_from_slice(b",\"fields\":{");
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    raw.push(b',');
                }
                // plain_names checked that every name is UTF-8.
                write_str(
                    &mut raw,
                    std::str::from_utf8(k.as_ref()).unwrap_or_default(),
                );
                raw.push(b':');
                write_value(&mut raw, v.as_ref());
            }
            raw.push(b'}');
        } else {
            raw.extend_from_slice(b",\"pairs\":[");
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    raw.push(b',');
                }
                raw.push(b'[');
                write_value(&mut raw, k.as_ref());
                raw.push(b',');
                write_value(&mut raw, v.as_ref());
                raw.push(b']');
            }
            raw.push(b']');
        }
        let event_type =
            hopeit::get(pairs, "type").map(|t| String::from_utf8_lossy(t).into_owned());
        if hopeit::recognise(pairs) {
            raw.extend_from_slice(b",\"hopeit\":");
            hopeit::write_description(pairs, &mut raw);
        }
        raw.push(b'}');
        Entry {
            key: key.to_string(),
            id: id.to_string(),
            raw,
            json: OnceLock::new(),
            event_type,
            timestamp: id_ms(id),
            dedupe: format!("{key}\u{1f}{id}"),
        }
    }

    /// The stored JSON as a value.
    pub fn json(&self) -> &Value {
        self.json
            .get_or_init(|| serde_json::from_slice(&self.raw).unwrap_or(Value::Null))
    }
}

/// True when every field name is UTF-8 and none repeats: the entry's fields fit an object.
fn plain_names<B: AsRef<[u8]>>(pairs: &[(B, B)]) -> bool {
    pairs.iter().enumerate().all(|(i, (k, _))| {
        let k = k.as_ref();
        // Entries have a handful of fields: a scan is cheaper than hashing them.
        std::str::from_utf8(k).is_ok() && !pairs[..i].iter().any(|(p, _)| p.as_ref() == k)
    })
}

/// A JSON string, escaped as serde_json escapes it.
fn write_str(out: &mut Vec<u8>, s: &str) {
    // Serialising a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// [`value_json`] written out without building it.
fn write_value(out: &mut Vec<u8>, b: &[u8]) {
    match std::str::from_utf8(b) {
        Ok(s) => write_str(out, s),
        Err(_) => {
            out.extend_from_slice(b"{\"base64\":\"");
            let start = out.len();
            out.resize(start + b.len().div_ceil(3) * 4, 0);
            let n = base64::engine::general_purpose::STANDARD
                .encode_slice(b, &mut out[start..])
                .unwrap_or(0);
            out.truncate(start + n);
            out.extend_from_slice(b"\"}");
        }
    }
}

impl FeedEvent for Entry {
    const SOURCE: &'static str = "redis";

    fn raw(&self) -> &[u8] {
        &self.raw
    }

    fn columns(&self) -> Columns<'_> {
        // The stream key is the entry's partition, in the column every source's partition
        // takes (Salesforce's channel, Symphony's stream): `journal info` counts per key and
        // `journal show` names it.
        Columns {
            event_id: Some(&self.id),
            event_type: self.event_type.as_deref(),
            timestamp: self.timestamp,
            stream_id: Some(&self.key),
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
        assert_eq!(e.json()["fields"]["bin"]["base64"], "/wCA");
        assert_eq!(pairs_of(e.json()).unwrap(), pairs);
        let odd = vec![
            (b"a".to_vec(), b"1".to_vec()),
            (b"a".to_vec(), b"2".to_vec()),
            (vec![0xfe], b"3".to_vec()),
        ];
        let e = Entry::new("k", "2-0", &odd);
        assert!(e.json().get("fields").is_none());
        assert_eq!(pairs_of(e.json()).unwrap(), odd);
    }

    /// How the stored form was built before it was written directly: a `Value` tree.
    fn built_as_value(key: &str, id: &str, pairs: &[(Vec<u8>, Vec<u8>)]) -> String {
        let mut obj = serde_json::Map::new();
        obj.insert("stream".into(), json!(key));
        obj.insert("id".into(), json!(id));
        let mut fields = serde_json::Map::new();
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
        if hopeit::recognise(pairs) {
            // (Written straight out by hopeit, checked on its own there.)
            let mut hopeit = Vec::new();
            hopeit::write_description(pairs, &mut hopeit);
            obj.insert("hopeit".into(), serde_json::from_slice(&hopeit).unwrap());
        }
        Value::Object(obj).to_string()
    }

    #[test]
    fn stored_bytes_are_those_of_the_value_tree() {
        let p = |k: &[u8], v: &[u8]| (k.to_vec(), v.to_vec());
        let payload = hopeit::Encoding::JSON64_LZ4
            .encode(&json!({"text": "h\"i\u{1}", "n": 1.5}).to_string());
        let cases: Vec<Vec<(Vec<u8>, Vec<u8>)>> = vec![
            vec![],
            vec![
                p(b"a", b"x\"y\\z\n\x7f\x01\xc3\xa9"),
                p(b"b", &[0xff, 0, 1, 2]),
            ],
            vec![p(b"a", b"1"), p(b"a", b"2")],
            vec![p(&[0xfe, 0x01], b"v"), p(b"k", &[0x80])],
            vec![
                p(b"type", b"app.M"),
                p(b"track.request_id", b"r"),
                p(b"ser", b"json+base64"),
                p(b"comp", b"lz4"),
                p(b"payload", &payload),
            ],
            vec![
                p(b"type", b"t"),
                p(b"ser", b"pickle:4"),
                p(b"comp", b"none"),
                p(b"payload", b"\x80"),
            ],
        ];
        for pairs in cases {
            let e = Entry::new("k\"ey", "1-2", &pairs);
            assert_eq!(
                String::from_utf8(e.raw.clone()).unwrap(),
                built_as_value("k\"ey", "1-2", &pairs)
            );
        }
    }

    #[test]
    fn hopeit_entries_are_decoded() {
        let payload = hopeit::Encoding::JSON64_LZ4.encode(&json!({"text": "hi"}).to_string());
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
        assert_eq!(e.json()["hopeit"]["payload"]["text"], "hi");
        assert_eq!(e.json()["hopeit"]["request_id"], "r1");
        assert_eq!(e.timestamp, Some(1_700_000_000_000));
    }
}
