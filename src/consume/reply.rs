//! Reading the RESP replies of the stream commands a worker sends (RESP2 arrays, RESP3 maps).

use redis::Value;

/// Field pairs of an entry, exactly as stored (binary-safe).
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// An entry as XREADGROUP, XCLAIM or XAUTOCLAIM give it: its id, and its fields unless it was
/// deleted or trimmed while pending.
#[derive(Debug, Clone)]
pub struct Got {
    pub id: String,
    pub pairs: Option<Pairs>,
}

pub use crate::redis::source::{now_ms, parse_id};
pub use crate::redis::value::{field, int, text};

fn bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b.clone()),
        Value::SimpleString(s) => Some(s.as_bytes().to_vec()),
        Value::Int(i) => Some(i.to_string().into_bytes()),
        _ => None,
    }
}

/// A list of `[id, [field, value, ...]]`.
pub fn entries(v: &Value) -> Vec<Got> {
    let Value::Array(list) = v else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|e| {
            let Value::Array(pair) = e else { return None };
            let id = text(pair.first()?)?;
            let pairs = match pair.get(1) {
                Some(Value::Array(f)) => Some(
                    f.chunks(2)
                        .filter(|kv| kv.len() == 2)
                        .filter_map(|kv| Some((bytes(&kv[0])?, bytes(&kv[1])?)))
                        .collect(),
                ),
                Some(Value::Map(m)) => Some(
                    m.iter()
                        .filter_map(|(k, v)| Some((bytes(k)?, bytes(v)?)))
                        .collect(),
                ),
                _ => None,
            };
            Some(Got { id, pairs })
        })
        .collect()
}

/// The entries of one key in an XREADGROUP reply (nil when BLOCK ran out).
pub fn read_reply(v: &Value) -> Vec<Got> {
    match v {
        Value::Array(list) => list
            .iter()
            .filter_map(|s| match s {
                Value::Array(kv) if kv.len() == 2 => Some(entries(&kv[1])),
                _ => None,
            })
            .flatten()
            .collect(),
        Value::Map(m) => m.iter().flat_map(|(_, e)| entries(e)).collect(),
        _ => Vec::new(),
    }
}

/// XAUTOCLAIM: the cursor to continue from, the entries taken, the ids deleted meanwhile.
pub fn autoclaim(v: &Value) -> (String, Vec<Got>, Vec<String>) {
    let Value::Array(a) = v else {
        return ("0-0".into(), Vec::new(), Vec::new());
    };
    let next = a.first().and_then(text).unwrap_or_else(|| "0-0".into());
    let got = a.get(1).map(entries).unwrap_or_default();
    let deleted = match a.get(2) {
        Some(Value::Array(d)) => d.iter().filter_map(text).collect(),
        _ => Vec::new(),
    };
    (next, got, deleted)
}

/// One line of the extended XPENDING form.
#[derive(Debug, Clone)]
pub struct PendingEntry {
    pub id: String,
    pub consumer: String,
    pub idle_ms: i64,
    pub deliveries: i64,
}

pub fn pending(v: &Value) -> Vec<PendingEntry> {
    let Value::Array(list) = v else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|e| {
            let Value::Array(p) = e else { return None };
            Some(PendingEntry {
                id: text(p.first()?)?,
                consumer: text(p.get(1)?)?,
                idle_ms: int(p.get(2)?)?,
                deliveries: int(p.get(3)?)?,
            })
        })
        .collect()
}

/// A list of ids (XCLAIM JUSTID).
pub fn ids(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(text).collect(),
        _ => Vec::new(),
    }
}
