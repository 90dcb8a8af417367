//! Reading fields of the redis crate's replies (`XINFO`, `XPENDING`…): flat RESP2 pairs or
//! RESP3 maps, one way for the source, `consume` and `replay --to`.

use ::redis::Value;

/// A value as text (bulk or simple strings, numbers).
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::Okay => Some("OK".into()),
        Value::Int(i) => Some(i.to_string()),
        Value::Double(d) => Some(d.to_string()),
        _ => None,
    }
}

/// A value as a number, also from its text.
pub fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        other => text(other)?.parse().ok(),
    }
}

/// A named field of a flat RESP2 reply (`XINFO GROUPS`) or of a RESP3 map.
pub fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    match v {
        Value::Array(a) => a
            .chunks(2)
            .find(|kv| kv.len() == 2 && text(&kv[0]).as_deref() == Some(name))
            .map(|kv| &kv[1]),
        Value::Map(m) => m
            .iter()
            .find(|(k, _)| text(k).as_deref() == Some(name))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// An entry as XREAD gives it: id and field pairs (none when it was deleted while pending).
pub type RawEntry = (String, Option<Vec<(Vec<u8>, Vec<u8>)>>);

/// A value's bytes, taken out of the reply rather than copied (entries are most of a read).
fn bytes(v: Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.into_bytes()),
        Value::Int(i) => Some(i.to_string().into_bytes()),
        _ => None,
    }
}

/// The entries of one stream in a reply (XRANGE, one key of XREAD, XAUTOCLAIM's second).
pub fn entries(v: Value) -> Vec<RawEntry> {
    let Value::Array(list) = v else {
        return Vec::new();
    };
    list.into_iter()
        .filter_map(|e| {
            let Value::Array(pair) = e else { return None };
            let mut pair = pair.into_iter();
            let id = text(&pair.next()?)?;
            let fields = match pair.next() {
                Some(Value::Array(f)) => {
                    let mut f = f.into_iter();
                    let mut pairs = Vec::with_capacity(f.len() / 2);
                    while let (Some(k), Some(v)) = (f.next(), f.next()) {
                        if let (Some(k), Some(v)) = (bytes(k), bytes(v)) {
                            pairs.push((k, v));
                        }
                    }
                    Some(pairs)
                }
                _ => None,
            };
            Some((id, fields))
        })
        .collect()
}

/// An XREAD or XREADGROUP reply: per key with entries, its entries (a RESP2 array of
/// [key, entries] pairs, or a RESP3 map); nil (nothing came) is none.
pub fn streams(v: Value) -> Vec<(String, Vec<RawEntry>)> {
    let pairs: Vec<(Value, Value)> = match v {
        Value::Array(list) => list
            .into_iter()
            .filter_map(|kv| match kv {
                Value::Array(kv) => {
                    let mut kv = kv.into_iter();
                    Some((kv.next()?, kv.next()?))
                }
                _ => None,
            })
            .collect(),
        Value::Map(m) => m,
        _ => Vec::new(),
    };
    pairs
        .into_iter()
        .filter_map(|(k, e)| Some((text(&k)?, entries(e))))
        .collect()
}
