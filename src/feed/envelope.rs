//! The one shape in which an event leaves feedctl as data, whatever its source (docs/output.md):
//! `tail`'s NDJSON, `journal export`, `journal show -o json`, and a stream-mode handler's input.
//!
//! ```json
//! {"source":"redis","partition":"orders","eventId":"1700000000000-0","type":"order.Created",
//!  "time":1700000000000,"chunk":3,"receivedAt":1700000000123,"event":{…exactly as kept…}}
//! ```
//!
//! The same keys for every source; `recording` comes first where the event was read from a
//! journal. The native event sits under `event` as its exact bytes (on one line: only JSON that
//! spans lines loses the whitespace between its tokens).

use std::io::Write;

/// What an envelope says about one event besides the event itself. (Serialized, it is the
/// same members in the same order as [`Envelope::write_members`] writes.)
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<'a> {
    /// The recording it was read from (`journal export`, `journal show`, replay); `None` live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording: Option<&'a str>,
    /// The kind of source: `symphony`, `redis`, `salesforce`, `import`, …
    pub source: &'a str,
    /// Its partition: `datafeed` (Symphony), the stream key (Redis), the channel (Salesforce).
    pub partition: &'a str,
    /// The source's own id: Symphony's event id, the Redis entry id, the replayId.
    pub event_id: Option<&'a str>,
    /// Symphony's type, hopeit's type (or a `type` field), Salesforce's event or change type.
    #[serde(rename = "type")]
    pub event_type: Option<&'a str>,
    /// When the event happened, milliseconds since the epoch.
    pub time: Option<i64>,
    pub chunk: i64,
    /// When its chunk was received, milliseconds since the epoch.
    pub received_at: i64,
}

impl Envelope<'_> {
    /// The envelope's members before `event`, each followed by a comma, without the opening
    /// brace (a stream-mode line puts its own members first).
    pub fn write_members(&self, out: &mut Vec<u8>) {
        let text = |out: &mut Vec<u8>, name: &str, v: Option<&str>| {
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            match v {
                // Writing into a Vec cannot fail.
                Some(v) => drop(serde_json::to_writer(&mut *out, v)),
                None => out.extend_from_slice(b"null"),
            }
            out.push(b',');
        };
        if let Some(r) = self.recording {
            text(out, "recording", Some(r));
        }
        text(out, "source", Some(self.source));
        text(out, "partition", Some(self.partition));
        text(out, "eventId", self.event_id);
        text(out, "type", self.event_type);
        let mut n = itoa::Buffer::new();
        out.extend_from_slice(b"\"time\":");
        match self.time {
            Some(t) => out.extend_from_slice(n.format(t).as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"chunk\":");
        out.extend_from_slice(n.format(self.chunk).as_bytes());
        out.extend_from_slice(b",\"receivedAt\":");
        out.extend_from_slice(n.format(self.received_at).as_bytes());
        out.push(b',');
    }

    /// The whole envelope on one line (no newline), `event` the text given: JSON on one line.
    pub fn line(&self, event: &str) -> String {
        let mut out = Vec::with_capacity(event.len() + 160);
        out.push(b'{');
        self.write_members(&mut out);
        out.extend_from_slice(b"\"event\":");
        let _ = out.write_all(event.as_bytes());
        out.push(b'}');
        // Members are JSON written by serde_json, the event UTF-8 text.
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_is_there_and_the_event_is_kept_as_given() {
        let e = Envelope {
            recording: Some("live"),
            source: "redis",
            partition: "or\"ders",
            event_id: Some("1-0"),
            event_type: None,
            time: Some(1),
            chunk: 3,
            received_at: 4,
        };
        let line = e.line(r#"{"b":1e5,"a":"x"}"#);
        assert_eq!(
            line,
            r#"{"recording":"live","source":"redis","partition":"or\"ders","eventId":"1-0","type":null,"time":1,"chunk":3,"receivedAt":4,"event":{"b":1e5,"a":"x"}}"#
        );
        let live = Envelope {
            recording: None,
            time: None,
            ..e
        };
        assert!(live.line("{}").starts_with(r#"{"source":"redis","#));
        assert!(live.line("{}").contains(r#""time":null,"#));
        // Serialized, the same members in the same order.
        for env in [e, live] {
            let mut members = serde_json::to_string(&env).unwrap();
            members.pop();
            assert_eq!(format!("{members},\"event\":{{}}}}"), env.line("{}"));
        }
    }
}
