//! What an event becomes in the stream: its XADD's fields (an entry recorded from Redis: its
//! own; any event: hopeit.engine's layout, or `id`, `type`, `event`), or why it cannot be
//! written. The check before the first write and the sink decide alike.

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::Value as Json;

use crate::redis::entry::{pairs_of, Pairs};
use crate::redis::hopeit;
use crate::redis::stored;

use super::{EventRef, Layout, RedisTarget};

/// The XADD of one event: `head` (`XADD key [MAXLEN ~ n] *`), then the entry's fields, or
/// why it cannot be written (`submit_ts`: hopeit's, when the entry is written in its layout;
/// `payload`: a buffer for the encoded payload, kept from one event to the next).
pub(super) fn write_xadd(
    target: &RedisTarget,
    d: EventRef<'_>,
    submit_ts: &str,
    head: &[&[u8]],
    payload: &mut Vec<u8>,
) -> Result<::redis::Cmd, String> {
    match checked(target, d)? {
        Checked::Fields(fields) => {
            let bytes = fields.iter().map(|(k, v)| k.len() + v.len()).sum();
            let mut cmd = sized(head, fields.len(), bytes);
            for (k, v) in &fields {
                cmd.arg(&k[..]).arg(&v[..]);
            }
            Ok(cmd)
        }
        Checked::Hopeit { id, payload: text } => {
            let Layout::Hopeit { encoding, .. } = &target.layout else {
                return Err("not the hopeit layout".into());
            };
            payload.clear();
            encoding.encode_into(&text, payload);
            hopeit_xadd(target, head, id, submit_ts, payload)
        }
    }
}

/// The XADD of an entry in hopeit's layout: its id and its payload, encoded already.
pub(super) fn hopeit_xadd(
    target: &RedisTarget,
    head: &[&[u8]],
    id: Cow<'_, str>,
    submit_ts: &str,
    encoded: &[u8],
) -> Result<::redis::Cmd, String> {
    let Layout::Hopeit {
        event_type,
        encoding,
    } = &target.layout
    else {
        return Err("not the hopeit layout".into());
    };
    let fields = hopeit::entry_fields(id, event_type, submit_ts, *encoding, Cow::Borrowed(encoded));
    let bytes = fields.iter().map(|(k, v)| k.len() + v.len()).sum();
    let mut cmd = sized(head, fields.len(), bytes);
    for (k, v) in &fields {
        cmd.arg(k.as_bytes()).arg(&v[..]);
    }
    Ok(cmd)
}

/// A command of `head` with room for `fields` more pairs of `bytes` in all: sized once, as a
/// command that grows argument by argument reallocates about ten times, which showed in
/// profiles.
fn sized(head: &[&[u8]], fields: usize, bytes: usize) -> ::redis::Cmd {
    let head_bytes: usize = head.iter().map(|a| a.len()).sum();
    let mut cmd = ::redis::Cmd::with_capacity(head.len() + 2 * fields, head_bytes + bytes);
    for arg in head {
        cmd.arg(*arg);
    }
    cmd
}

/// An event that can be written: its fields, or hopeit's id and payload still to encode (the
/// pre-flight check stops here, so payloads are not encoded twice).
pub(super) enum Checked<'a> {
    Fields(Pairs),
    /// The payload as JSON text: for a stored hopeit payload, its text in the event itself
    /// (parsing it into a tree only to write it out again was most of the check's time).
    Hopeit {
        id: Cow<'a, str>,
        payload: Cow<'a, str>,
    },
}

/// A JSON string's text, borrowed from where it lies unless it has escapes; `None` for any
/// other JSON value. (Copying every entry's id into a `String`, twice per event counting the
/// check, showed in profiles.)
fn text_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    match serde_json::from_str::<&str>(raw.get()) {
        Ok(text) => Some(Cow::Borrowed(text)),
        Err(_) => serde_json::from_str::<String>(raw.get())
            .ok()
            .map(Cow::Owned),
    }
}

pub(super) fn checked<'a>(target: &RedisTarget, d: EventRef<'a>) -> Result<Checked<'a>, String> {
    let fast = match target.layout {
        Layout::Hopeit { .. } => checked_hopeit_entry(d).or_else(|| checked_by_members(target, d)),
        Layout::Original => checked_by_members(target, d),
    };
    fast.unwrap_or_else(|| checked_whole(target, d))
}

/// [`checked_whole`] for the events replay writes most (entries recorded from Redis, hopeit's
/// included), reading only the members it needs: the whole event as a `Value` tree was most of
/// `replay --to`'s CPU. `None` where this does not decide: the event is read whole.
fn checked_by_members<'a>(
    target: &RedisTarget,
    d: EventRef<'a>,
) -> Option<Result<Checked<'a>, String>> {
    let m: stored::Members = stored::members(d.raw)?;
    let is_entry = m.id.is_some() && (m.fields.is_some() || m.pairs.is_some());
    if !is_entry {
        return None;
    }
    let parse = |r: &RawValue| serde_json::from_str::<Json>(r.get()).ok();
    Some(match &target.layout {
        Layout::Original => {
            // pairs_of reads `pairs`, else `fields`: an object of just those two.
            let mut two = serde_json::Map::new();
            if let Some(p) = m.pairs {
                two.insert("pairs".into(), parse(p)?);
            }
            if let Some(f) = m.fields {
                two.insert("fields".into(), parse(f)?);
            }
            fields_of_entry(&Json::Object(two))
        }
        // One with a `hopeit` member that checked_hopeit_entry did not read: read whole.
        Layout::Hopeit { .. } if m.hopeit.is_some() => return None,
        Layout::Hopeit { .. } => {
            let payload: &'a str = match m.fields {
                Some(f) => f.get(),
                None => return Some(Err(NOT_TEXT.into())),
            };
            // hopeit's own event id: the `id` field when it is a string.
            let field_id = match m.fields {
                Some(f) if f.get().trim_start().starts_with('{') => {
                    let f: stored::IdField = stored::members(f.get())?;
                    f.id.and_then(text_of)
                }
                _ => None,
            };
            hopeit_checked(d, true, Cow::Borrowed(payload), field_id)
        }
    })
}

/// [`checked_by_members`] for an entry recorded in hopeit's layout (what replay writes most
/// in hopeit's layout), in one pass over it; `None` when it has no `hopeit` member or is
/// not read so.
fn checked_hopeit_entry<'a>(d: EventRef<'a>) -> Option<Result<Checked<'a>, String>> {
    let e: stored::HopeitEntry = stored::members(d.raw)?;
    let is_entry = e.id.is_some() && (e.fields.is_some() || e.pairs.is_some());
    let hopeit = e.hopeit.filter(|_| is_entry)?;
    let payload: &'a str = match hopeit.0.filter(|p| p.get() != "null") {
        Some(p) => p.get(),
        None => return Some(Err(NOT_DECODED.into())),
    };
    // hopeit's own event id: the `id` field when it is a string.
    let field_id = e.fields.and_then(|f| f.0).and_then(text_of);
    Some(hopeit_checked(d, false, Cow::Borrowed(payload), field_id))
}

const NOT_DECODED: &str = "its hopeit payload was not decoded (pickle?)";
const NOT_TEXT: &str = "its fields are not all text";

/// An entry's original fields, to write as they were.
fn fields_of_entry(json: &Json) -> Result<Checked<'static>, String> {
    let pairs = pairs_of(json).ok_or("its fields cannot be read back")?;
    if pairs.is_empty() {
        return Err("an entry with no fields cannot be written".into());
    }
    Ok(Checked::Fields(pairs))
}

/// The checks of a hopeit payload, JSON text that parsed (`from_fields`: it is an entry's
/// fields), and its event id.
fn hopeit_checked<'a>(
    d: EventRef<'a>,
    from_fields: bool,
    payload: Cow<'a, str>,
    field_id: Option<Cow<'a, str>>,
) -> Result<Checked<'a>, String> {
    if from_fields {
        let fields: Json = serde_json::from_str(&payload).map_err(|e| format!("not JSON ({e})"))?;
        if fields
            .as_object()
            .is_some_and(|o| o.values().any(|v| !v.is_string()))
        {
            return Err("it has binary field values, which a hopeit payload cannot carry".into());
        }
    }
    // JSON text that parsed is an object when it starts with a brace.
    if !payload.trim_start().starts_with('{') {
        return Err("a hopeit payload must be a JSON object (a dataobject)".into());
    }
    // hopeit's own event id when the entry has one, so a consumer sees the same id again.
    let id = field_id
        .or_else(|| d.event_id.map(Cow::Borrowed))
        .or_else(|| match &payload {
            Cow::Borrowed(text) => text_of(stored::members::<stored::IdField>(text)?.id?),
            Cow::Owned(text) => {
                let id = text_of(stored::members::<stored::IdField>(text)?.id?)?;
                Some(Cow::Owned(id.into_owned()))
            }
        })
        .unwrap_or_else(|| Cow::Owned(format!("feedctl-{}", d.row)));
    Ok(Checked::Hopeit { id, payload })
}

/// The checks on the whole event as a `Value`.
fn checked_whole<'a>(target: &RedisTarget, d: EventRef<'a>) -> Result<Checked<'a>, String> {
    let json: Json = serde_json::from_str(d.raw).map_err(|e| format!("not JSON ({e})"))?;
    let is_entry =
        json.get("id").is_some() && (json.get("fields").is_some() || json.get("pairs").is_some());
    match &target.layout {
        Layout::Original if is_entry => fields_of_entry(&json),
        Layout::Original => {
            let mut f = Vec::new();
            if let Some(id) = d.event_id {
                f.push((b"id".to_vec(), id.as_bytes().to_vec()));
            }
            if let Some(t) = d.event_type {
                f.push((b"type".to_vec(), t.as_bytes().to_vec()));
            }
            f.push((b"event".to_vec(), d.raw.as_bytes().to_vec()));
            Ok(Checked::Fields(f))
        }
        Layout::Hopeit { .. } => {
            // The payload: a recorded hopeit payload, a Redis entry's fields, or the event
            // (its own text, on one line: numbers and escapes as stored, not as a tree writes
            // them again).
            let payload: Cow<'a, str> = match (json.get("hopeit"), is_entry) {
                (Some(h), _) => Cow::Owned(
                    h.get("payload")
                        .filter(|p| !p.is_null())
                        .ok_or(NOT_DECODED)?
                        .to_string(),
                ),
                (None, true) => Cow::Owned(json.get("fields").ok_or(NOT_TEXT)?.to_string()),
                (None, false) => crate::replay::exec::one_line(d.raw),
            };
            let field_id = json
                .pointer("/fields/id")
                .and_then(Json::as_str)
                .map(|id| Cow::Owned(id.to_string()));
            let from_fields = json.get("hopeit").is_none() && is_entry;
            hopeit_checked(d, from_fields, payload, field_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::hopeit::Encoding;
    use crate::redis::StreamUrl;
    use crate::replay::Delivery;

    /// What a check decided, comparably.
    fn decided(c: Result<Checked, String>) -> String {
        match c {
            Ok(Checked::Fields(f)) => format!("fields {f:?}"),
            Ok(Checked::Hopeit { id, payload }) => format!("hopeit {id} {payload}"),
            Err(e) => format!("refused: {e}"),
        }
    }

    #[test]
    fn reading_members_decides_as_reading_the_whole_event() {
        let url = StreamUrl::parse("redis://127.0.0.1:6379/k", None).unwrap();
        let hopeit = Layout::Hopeit {
            event_type: "a.B".into(),
            encoding: Encoding::JSON,
        };
        let events = [
            r#"{"stream":"s","id":"1-0","fields":{"id":"x","a":"b"},"hopeit":{"type":"a.B","payload":{"text":"hi","id":"p"}}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"a":"b","n":"1"}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"a":{"base64":"/w=="}}}"#,
            r#"{"stream":"s","id":"1-0","pairs":[["a","1"],["a","2"]]}"#,
            r#"{"stream":"s","id":"1-0","fields":{}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"id":7},"hopeit":{"payload":null,"undecoded":"pickle"}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"a":"b"},"hopeit":{"payload":[1]}}"#,
            r#"{"stream":"s","id":null,"fields":[1]}"#,
            r#"{"id":"e1","type":"MESSAGESENT","payload":{}}"#,
            r#"{"id":"1","fields":{"a":"b"},"fields":{"c":"d"}}"#,
            r#"[1,2]"#,
            r#"{"stream":"s","id":"1-0","fields":{"id":"a","id":"b"},"hopeit":{"payload":{"x":1},"payload":{"y":2}}}"#,
            r#"{"stream":"s","id":"1-0","pairs":[["id","x"]],"hopeit":{"payload":{"n":1}}}"#,
            r#"{"stream":"s","id":"1-0","fields":["id","x"],"hopeit":{"payload":{"n":1}}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"id":"x"},"hopeit":{"type":"t"}}"#,
            r#"{"stream":"s","fields":{"id":"x"},"hopeit":{"payload":{"n":1}}}"#,
            r#"{"stream":"s","id":"1-0","fields":{"i\u0064":"x"},"hopeit":{"payload":{"n":1}}}"#,
        ];
        for layout in [Layout::Original, hopeit] {
            let target = RedisTarget {
                url: url.clone(),
                layout,
                maxlen: None,
                schema: None,
            };
            for raw in events {
                let d = Delivery {
                    row: 3,
                    raw: raw.into(),
                    event_id: Some("1-0".into()),
                    event_type: None,
                    timestamp: None,
                    stream_id: None,
                    initiator_id: None,
                    source: "redis".into(),
                    partition: "s".into(),
                };
                let d = EventRef::from(&d);
                let one_pass = match target.layout {
                    Layout::Hopeit { .. } => checked_hopeit_entry(d),
                    Layout::Original => None,
                };
                for fast in [checked_by_members(&target, d), one_pass]
                    .into_iter()
                    .flatten()
                {
                    assert_eq!(decided(fast), decided(checked_whole(&target, d)), "{raw}");
                }
            }
        }
    }
}
