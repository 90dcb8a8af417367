//! How one event is shown while following a feed: a readable line on a terminal, the NDJSON
//! envelope when piped (the same keys for every source, [`crate::feed::Envelope`]), or a user's
//! `--format` template. Each kind of event says how it reads through [`Shown`].

use std::borrow::Cow;

use console::style;
use serde_json::Value;

use super::{clip, plain_text, safe};
use crate::feed::{Delivery, Envelope, FeedEvent, Shown};
use crate::journal::EventRow;
use crate::symphony::Event;

/// The envelope of an event read live (docs/output.md): the same keys for every source, the
/// event exactly as received under `event`.
pub fn envelope<E: FeedEvent>(e: &E, d: &Delivery) -> String {
    let c = e.columns();
    let raw = String::from_utf8_lossy(e.raw());
    Envelope {
        recording: None,
        source: E::SOURCE,
        partition: d.partition,
        event_id: c.event_id,
        event_type: c.event_type,
        time: c.timestamp,
        chunk: d.chunk as i64,
        received_at: d.received_at,
    }
    .line(&crate::replay::exec::one_line(&raw))
}

/// The line of an event whose source has no line of its own: time, partition, type and id.
pub fn plain_line<E: Shown>(e: &E, d: &Delivery) -> String {
    if let Some(line) = e.pretty(d) {
        return line;
    }
    let c = e.columns();
    format!(
        "{} {} {} {}",
        style(
            c.timestamp
                .map(clock)
                .unwrap_or_else(|| "--:--:--.---".into())
        )
        .dim(),
        style(safe(&clip(d.partition, 24))).cyan(),
        style(safe(c.event_type.unwrap_or("?"))).green(),
        style(safe(c.event_id.unwrap_or(""))).dim()
    )
}

impl Shown for Event {
    const OWN_FIELDS: &'static [&'static str] = &[
        "message_id",
        "stream",
        "initiator",
        "initiator_id",
        "text",
        "feed",
    ];

    fn pretty(&self, _d: &Delivery) -> Option<String> {
        Some(pretty(self))
    }

    fn initiated_by(&self, who: &str) -> bool {
        self.initiator_id().is_some_and(|i| i.to_string() == who)
            || self.initiator_username() == Some(who)
    }

    fn own_field(&self, name: &str, d: &Delivery) -> String {
        match name {
            "message_id" => self.message_id().unwrap_or("").to_string(),
            "stream" => stream_label(self),
            "initiator" => self.initiator_name().unwrap_or("").to_string(),
            "initiator_id" => self
                .initiator_id()
                .map(|i| i.to_string())
                .unwrap_or_default(),
            "text" => self.message_text().map(plain_text).unwrap_or_default(),
            "feed" => d.cursor.text("feedId").unwrap_or("").to_string(),
            _ => String::new(),
        }
    }
}

fn clock(ms: i64) -> String {
    let t = super::time(ms);
    t.split_once(' ')
        .map(|(_, clock)| clock.to_string())
        .unwrap_or(t)
}

fn stream_label(e: &Event) -> String {
    let Some(stream) = e.model().payload.as_ref().and_then(|p| p.stream()) else {
        return String::new();
    };
    match (&stream.room_name, &stream.stream_type, &stream.stream_id) {
        (Some(name), _, _) => name.clone(),
        (None, Some(kind), Some(id)) => format!("{kind} {}", clip(id, 10)),
        (None, None, Some(id)) => clip(id, 10),
        _ => String::new(),
    }
}

/// One readable line: time, type, stream, initiator and a preview of the text. Everything taken
/// from the event is terminal-safe: this line is for a human.
pub fn pretty(e: &Event) -> String {
    let time = e
        .timestamp()
        .map(clock)
        .unwrap_or_else(|| "--:--:--.---".into());
    let ty = safe(e.event_type());
    let ty = ty.as_str();
    let ty_styled = match ty {
        "MESSAGESENT" | "SHAREDPOST" => style(format!("{ty:<26}")).green(),
        "MESSAGESUPPRESSED" | "ROOMDEACTIVATED" | "USERLEFTROOM" => {
            style(format!("{ty:<26}")).red()
        }
        "SYMPHONYELEMENTSACTION" => style(format!("{ty:<26}")).magenta(),
        _ if !e.is_known_type() => style(format!("{ty:<26}")).yellow(),
        _ => style(format!("{ty:<26}")).blue(),
    };
    let who = safe(e.initiator_name().unwrap_or(""));
    let text = e.message_text().map(plain_text).unwrap_or_default();
    let mut line = format!(
        "{} {} {}",
        style(time).dim(),
        ty_styled,
        style(safe(&clip(&stream_label(e), 24))).cyan()
    );
    if !who.is_empty() {
        line.push_str(&format!(" {}", style(who).bold()));
    }
    if !text.is_empty() {
        line.push_str(&format!(": {}", safe(&clip(&text, 100))));
    }
    line
}

/// What a stored event says, in a few words, by its kind of source (`journal show`): who said
/// what (Symphony), hopeit's payload or the fields (Redis), the record and fields (Salesforce),
/// else the event's JSON. Terminal-safe.
pub fn stored_summary(source: &str, raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    match source {
        "redis" => match serde_json::from_str::<Value>(&text) {
            Ok(json) => super::redis::summary(&json),
            Err(_) => safe(&clip(&text, 200)),
        },
        "salesforce" => match (
            serde_json::from_str::<Box<serde_json::value::RawValue>>(&text),
            serde_json::from_str::<Value>(&text),
        ) {
            (Ok(raw), Ok(value)) => safe(&super::salesforce::summary(
                &crate::salesforce::Message::parse(raw, value),
            )),
            _ => safe(&clip(&text, 200)),
        },
        _ => match Event::parse(&text) {
            Ok(e) if e.is_known_type() => {
                let who = e.initiator_name().unwrap_or("");
                let said = e.message_text().map(plain_text).unwrap_or_default();
                safe(&match (who.is_empty(), said.is_empty()) {
                    (false, false) => format!("{who}: {said}"),
                    (false, true) => who.to_string(),
                    _ => said,
                })
            }
            _ => safe(&clip(&one_line_text(&text), 200)),
        },
    }
}

/// JSON text on one line, for a glance.
fn one_line_text(text: &str) -> String {
    crate::replay::exec::one_line(text).into_owned()
}

/// The envelope of a stored event (docs/output.md): the same keys for every source.
pub fn stored_envelope(r: &EventRow) -> Envelope<'_> {
    Envelope {
        recording: Some(&r.recording),
        source: &r.source,
        partition: r.partition.as_deref().unwrap_or(""),
        event_id: r.event_id.as_deref(),
        event_type: r.event_type.as_deref(),
        time: r.timestamp,
        chunk: r.chunk,
        received_at: r.received_at,
    }
}

/// A row of `journal show -o json` (and of `replay --dry-run`, without the event): the row,
/// the envelope's members, the event's stream and its duplicate, the event itself.
pub fn row_json(r: &EventRow, with_event: bool) -> serde_json::Value {
    let mut row = serde_json::Map::new();
    row.insert("row".into(), r.row_id.into());
    if let Ok(serde_json::Value::Object(members)) = serde_json::to_value(stored_envelope(r)) {
        row.extend(members);
    }
    let mut v = serde_json::Value::Object(row);
    v["streamId"] = r.stream_id.clone().into();
    v["duplicateOf"] = r.duplicate_of.into();
    if with_event {
        v["event"] = serde_json::from_slice(&r.raw).unwrap_or(serde_json::Value::Null);
    }
    v
}

/// The `--format` names every source has (docs/output.md).
pub const COMMON_FIELDS: &[&str] = &[
    "time",
    "timestamp",
    "type",
    "id",
    "source",
    "partition",
    "stream_id",
    "chunk",
    "received",
];

/// A parsed `--format` template: literal text, `{name}` and `{dotted.path}` placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
    /// Field values made terminal-safe (stdout is a terminal); piped output stays exact.
    terminal: bool,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Field(String),
    /// A path into the event's JSON, by member names and array indexes.
    Path(Vec<String>),
}

impl Template {
    /// Parses `{name}` and `{a.b.c}` placeholders (`own`: the source's own names besides
    /// [`COMMON_FIELDS`]); `{{` and `}}` stand for literal braces, `\t` and `\n` for a tab
    /// and a newline.
    pub fn parse(text: &str, own: &[&str]) -> Result<Self, String> {
        let text = text.replace("\\t", "\t").replace("\\n", "\n");
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(format!("`{{{name}` in --format is not closed by `}}`; write `{{{{` for a literal brace"));
                    }
                    let part = if COMMON_FIELDS.contains(&name.as_str())
                        || own.contains(&name.as_str())
                    {
                        Part::Field(name)
                    } else if name.contains('.')
                        && !name
                            .strip_prefix('.')
                            .unwrap_or(&name)
                            .split('.')
                            .any(str::is_empty)
                    {
                        // `{.n}`: a member at the top, whatever its name.
                        let path = name.strip_prefix('.').unwrap_or(&name);
                        Part::Path(path.split('.').map(str::to_string).collect())
                    } else {
                        return Err(format!(
                            "unknown field `{{{name}}}` in --format; use any of: {}, or a dotted path into the event such as {{payload.id}}",
                            COMMON_FIELDS
                                .iter()
                                .chain(own)
                                .map(|f| format!("{{{f}}}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        ));
                    };
                    if !lit.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut lit)));
                    }
                    parts.push(part);
                }
                '}' => return Err("a lone `}` in --format; write `}}` for a literal brace".into()),
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Ok(Template {
            parts,
            terminal: false,
        })
    }

    /// On a terminal, field values are shown terminal-safe; the template's own text is kept.
    pub fn for_terminal(mut self, terminal: bool) -> Self {
        self.terminal = terminal;
        self
    }

    pub fn render<E: Shown>(&self, e: &E, d: &Delivery) -> String {
        let mut out = String::new();
        // Parsed once per event, and only when a path asks for it.
        let mut root: Option<Option<Cow<'_, Value>>> = None;
        for part in &self.parts {
            let v = match part {
                Part::Text(t) => {
                    out.push_str(t);
                    continue;
                }
                Part::Field(f) => self.value(e, d, f),
                Part::Path(path) => {
                    let root = root.get_or_insert_with(|| e.path_root());
                    root.as_deref()
                        .and_then(|r| at_path(r, path))
                        .unwrap_or_default()
                }
            };
            out.push_str(&if self.terminal { safe(&v) } else { v });
        }
        out
    }

    fn value<E: Shown>(&self, e: &E, d: &Delivery, field: &str) -> String {
        let c = e.columns();
        match field {
            "time" => c.timestamp.map(super::time).unwrap_or_default(),
            "timestamp" => c.timestamp.map(|t| t.to_string()).unwrap_or_default(),
            "type" => c.event_type.unwrap_or("").to_string(),
            "id" => c.event_id.unwrap_or("").to_string(),
            "source" => E::SOURCE.to_string(),
            "partition" => d.partition.to_string(),
            "stream_id" => c.stream_id.unwrap_or("").to_string(),
            "chunk" => d.chunk.to_string(),
            "received" => super::time(d.received_at),
            own => e.own_field(own, d),
        }
    }
}

/// The text at a dotted path: a string as it is, other JSON as compact JSON, nothing for a
/// missing member or `null`.
fn at_path(root: &Value, path: &[String]) -> Option<String> {
    let mut v = root;
    for step in path {
        v = match v {
            Value::Object(o) => o.get(step)?,
            Value::Array(a) => a.get(step.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Cursor;

    fn delivery(cursor: &Cursor) -> Delivery<'_> {
        Delivery {
            partition: "datafeed",
            chunk: 2,
            received_at: 0,
            cursor,
        }
    }

    #[test]
    fn template_fields_paths_and_escapes() {
        let e = Event::parse(r#"{"id":"a1","type":"MESSAGESENT","timestamp":5,"payload":{"messageSent":{"message":{"message":"<p>hi</p>","n":[1,{"x":true}]}}}}"#).unwrap();
        let cursor = Cursor::new(serde_json::json!({"feedId": "f_f"}));
        let d = delivery(&cursor);
        let t = Template::parse(
            "{{{type}}}\\t{id} {text} #{chunk} {feed}",
            Event::OWN_FIELDS,
        )
        .unwrap();
        assert_eq!(t.render(&e, &d), "{MESSAGESENT}\ta1 hi #2 f_f");
        let t = Template::parse(
            "{payload.messageSent.message.n.1.x}|{payload.nope.x}|{source}",
            &[],
        )
        .unwrap();
        assert_eq!(t.render(&e, &d), "true||symphony");
        assert!(Template::parse("{nope}", Event::OWN_FIELDS)
            .unwrap_err()
            .contains("{initiator}"));
        assert!(Template::parse("{text}", &[]).is_err());
        assert!(Template::parse("{a..b}", &[]).is_err());
        assert!(Template::parse("{.}", &[]).is_err());
        let t = Template::parse("{.id}{.type}", &[]).unwrap();
        assert_eq!(t.render(&e, &d), "a1MESSAGESENT");
        assert!(Template::parse("a } b", &[]).is_err());
        assert!(Template::parse("{time", &[]).is_err());
    }

    #[test]
    fn envelope_keeps_the_exact_event() {
        let raw = r#"{"id":"x", "type":"NEWTYPE","timestamp":9,"extra":[1,2]}"#;
        let e = Event::parse(raw).unwrap();
        let cursor = Cursor::default();
        let line = envelope(
            &e,
            &Delivery {
                partition: "datafeed",
                chunk: 1,
                received_at: 7,
                cursor: &cursor,
            },
        );
        assert_eq!(
            line,
            format!(
                r#"{{"source":"symphony","partition":"datafeed","eventId":"x","type":"NEWTYPE","time":9,"chunk":1,"receivedAt":7,"event":{raw}}}"#
            )
        );
    }
}
