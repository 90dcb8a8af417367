//! One Bayeux data message as received, with what the journal indexes: replayId (event id),
//! event type, time, channel (in the stream column) and the record id (in the message column).

use std::sync::OnceLock;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::feed::{Columns, FeedEvent};

/// A streamed event: the exact JSON received and the fields read out of it.
#[derive(Debug, Clone)]
pub struct Message {
    raw: Box<RawValue>,
    pub channel: String,
    pub replay_id: Option<i64>,
    replay_text: Option<String>,
    pub event_type: Option<String>,
    /// The event time: CDC's `ChangeEventHeader.commitTimestamp`, else `event.createdDate`
    /// (PushTopic, generic), else `payload.CreatedDate` (platform events).
    pub date: Option<String>,
    pub timestamp: Option<i64>,
    pub record_id: Option<String>,
    /// The message as a tree: given by `parse`, else read from `raw` when first asked.
    value: OnceLock<Value>,
}

/// The members of a message that [`Message`]'s fields are read from.
#[derive(Default, Clone, Copy)]
pub struct Index<'v> {
    pub channel: Option<&'v str>,
    /// `data.event.replayId`.
    pub replay_id: Option<&'v Value>,
    /// `data.event.type`.
    pub event_type: Option<&'v Value>,
    /// `data.event.createdDate`.
    pub created: Option<&'v Value>,
    /// `data.event.EventUuid`.
    pub uuid: Option<&'v Value>,
    /// `data.payload.ChangeEventHeader`.
    pub header: Option<&'v Value>,
    /// `data.payload.CreatedDate`.
    pub payload_created: Option<&'v Value>,
    /// `data.sobject.Id`.
    pub sobject_id: Option<&'v Value>,
}

impl Message {
    /// Reads a data message; the bytes are kept as they are.
    pub fn parse(raw: Box<RawValue>, value: Value) -> Self {
        // Borrowed, and read with `get` rather than `pointer` (which unescapes each token into
        // a new String): this runs for every event received.
        let data = value.get("data").unwrap_or(&Value::Null);
        let index = Index {
            channel: value.get("channel").and_then(Value::as_str),
            replay_id: at(data, &["event", "replayId"]),
            event_type: at(data, &["event", "type"]),
            created: at(data, &["event", "createdDate"]),
            uuid: at(data, &["event", "EventUuid"]),
            header: at(data, &["payload", "ChangeEventHeader"]),
            payload_created: at(data, &["payload", "CreatedDate"]),
            sobject_id: at(data, &["sobject", "Id"]),
        };
        let mut m = Message::indexed(raw, index);
        m.value = OnceLock::from(value);
        m
    }

    /// A message whose members the caller read already (`raw` holds them); its tree is read
    /// from `raw` only if asked for.
    pub fn indexed(raw: Box<RawValue>, index: Index<'_>) -> Self {
        let channel = index.channel.unwrap_or("").to_string();
        let replay_id = index
            .replay_id
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
        let header = index.header;
        let event_type = index
            .event_type
            .and_then(Value::as_str)
            .or_else(|| {
                header
                    .and_then(|h| h.get("changeType"))
                    .and_then(Value::as_str)
            })
            .map(str::to_string)
            .or_else(|| {
                channel
                    .rsplit('/')
                    .next()
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            });
        // A CDC event's time is its commit (as aiosfstream and Salesforce have it), whatever
        // the record's own CreatedDate says: an UNDELETE of an old record is a new event.
        let (date, timestamp) = if let Some(ms) = header
            .and_then(|h| h.get("commitTimestamp"))
            .and_then(Value::as_i64)
        {
            (Some(super::format_date(ms)), Some(ms))
        } else if let Some(d) = index.created.and_then(Value::as_str) {
            (Some(d.to_string()), super::parse_date(d))
        } else if let Some(d) = index.payload_created.and_then(Value::as_str) {
            (Some(d.to_string()), super::parse_date(d))
        } else if let Some(ms) = index.payload_created.and_then(Value::as_i64) {
            // The Pub/Sub API's Avro payloads carry it as a long, milliseconds since the epoch.
            (Some(super::format_date(ms)), Some(ms))
        } else {
            (None, None)
        };
        let record_id = index
            .sobject_id
            .and_then(Value::as_str)
            .or_else(|| {
                header
                    .and_then(|h| h.get("recordIds"))
                    .and_then(|ids| ids.get(0))
                    .and_then(Value::as_str)
            })
            .or_else(|| index.uuid.and_then(Value::as_str))
            .map(str::to_string);
        Message {
            raw,
            channel,
            replay_text: replay_id.map(|r| r.to_string()),
            replay_id,
            event_type,
            date,
            timestamp,
            record_id,
            value: OnceLock::new(),
        }
    }

    /// The exact JSON text received.
    pub fn raw_text(&self) -> &str {
        self.raw.get()
    }

    /// The message as a JSON tree.
    pub fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::from_str(self.raw.get()).unwrap_or(Value::Null))
    }
}

/// The value at a path of object keys.
fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

impl FeedEvent for Message {
    const SOURCE: &'static str = "salesforce";

    fn raw(&self) -> &[u8] {
        self.raw.get().as_bytes()
    }

    fn columns(&self) -> Columns<'_> {
        Columns {
            event_id: self.replay_text.as_deref(),
            event_type: self.event_type.as_deref(),
            timestamp: self.timestamp,
            stream_id: Some(&self.channel),
            initiator_id: None,
            message_id: self.record_id.as_deref(),
        }
    }

    fn dedupe_key(&self) -> String {
        // A replay id is unique within its channel.
        match &self.replay_text {
            Some(r) => format!("{}|{r}", self.channel),
            None => format!("{}|{}", self.channel, self.raw.get()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Message {
        let raw: Box<RawValue> = serde_json::from_str(text).unwrap();
        let value = serde_json::from_str(text).unwrap();
        Message::parse(raw, value)
    }

    #[test]
    fn pushtopic_platform_event_and_cdc_columns() {
        let t = parse(
            r#"{"channel":"/topic/X","data":{"event":{"createdDate":"2016-03-29T16:40:08.208Z","replayId":13,"type":"created"},"sobject":{"Id":"001A","Name":"Acme"}},"extra":[1, 2]}"#,
        );
        assert_eq!(
            (t.replay_id, t.event_type.as_deref(), t.record_id.as_deref()),
            (Some(13), Some("created"), Some("001A"))
        );
        assert_eq!(
            t.timestamp,
            crate::salesforce::parse_date("2016-03-29T16:40:08.208Z")
        );
        assert!(
            t.raw_text().contains(r#""extra":[1, 2]"#),
            "bytes kept as received"
        );
        let e = parse(
            r#"{"channel":"/event/Order__e","data":{"schema":"s","event":{"replayId":55,"EventUuid":"u-1"},"payload":{"CreatedDate":"2026-01-01T00:00:00.000Z","Order_Number__c":"42"}}}"#,
        );
        assert_eq!(
            (e.replay_id, e.event_type.as_deref(), e.record_id.as_deref()),
            (Some(55), Some("Order__e"), Some("u-1"))
        );
        assert!(e.timestamp.is_some());
        let c = parse(
            r#"{"channel":"/data/AccountChangeEvent","data":{"schema":"s","event":{"replayId":7},"payload":{"ChangeEventHeader":{"changeType":"UPDATE","recordIds":["001B"],"commitTimestamp":1700000000000}}}}"#,
        );
        assert_eq!(
            (c.event_type.as_deref(), c.record_id.as_deref(), c.timestamp),
            (Some("UPDATE"), Some("001B"), Some(1700000000000))
        );
        assert_eq!(c.dedupe_key(), "/data/AccountChangeEvent|7");
        // An UNDELETE carries the record's old CreatedDate: the commit is the event's time.
        let u = parse(
            r#"{"channel":"/data/AccountChangeEvent","data":{"event":{"replayId":8},"payload":{"CreatedDate":"2001-02-03T04:05:06.000Z","ChangeEventHeader":{"changeType":"UNDELETE","recordIds":["001B"],"commitTimestamp":1700000000000}}}}"#,
        );
        assert_eq!(u.timestamp, Some(1700000000000));
        assert_eq!(c.columns().stream_id, Some("/data/AccountChangeEvent"));
    }
}
