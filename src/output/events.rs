//! How one event is shown while following a feed: a coloured line on a terminal, an NDJSON
//! envelope when piped, or a user's `--format` template.

use console::style;

use super::{clip, plain_text, safe};
use crate::symphony::Event;

/// Where an event came from, for envelopes and templates.
pub struct Delivery<'a> {
    pub feed_id: &'a str,
    pub chunk: u64,
    pub received_at: i64,
}

/// `{"feedId":…,"chunk":…,"receivedAt":…,"event":<exact JSON received>}` (docs/output.md).
pub fn envelope(e: &Event, d: &Delivery) -> String {
    format!(
        "{{\"feedId\":{},\"chunk\":{},\"receivedAt\":{},\"event\":{}}}",
        serde_json::Value::from(d.feed_id),
        d.chunk,
        d.received_at,
        e.raw()
    )
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

/// The names a `--format` template can use.
pub const TEMPLATE_FIELDS: &[&str] = &[
    "time",
    "timestamp",
    "type",
    "id",
    "message_id",
    "stream",
    "stream_id",
    "initiator",
    "initiator_id",
    "text",
    "feed",
    "chunk",
];

/// A parsed `--format` template: literal text and `{field}` placeholders.
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
}

impl Template {
    /// Parses `{field}` placeholders; `{{` and `}}` stand for literal braces, `\t` and `\n` for
    /// a tab and a newline.
    pub fn parse(text: &str) -> Result<Self, String> {
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
                    if !TEMPLATE_FIELDS.contains(&name.as_str()) {
                        return Err(format!(
                            "unknown field `{{{name}}}` in --format; use any of: {}",
                            TEMPLATE_FIELDS
                                .iter()
                                .map(|f| format!("{{{f}}}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        ));
                    }
                    if !lit.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Field(name));
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

    pub fn render(&self, e: &Event, d: &Delivery) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field(f) => out.push_str(&self.value(e, d, f)),
            }
        }
        out
    }

    fn value(&self, e: &Event, d: &Delivery, field: &str) -> String {
        let v = match field {
            "time" => e.timestamp().map(super::time).unwrap_or_default(),
            "timestamp" => e.timestamp().map(|t| t.to_string()).unwrap_or_default(),
            "type" => e.event_type().to_string(),
            "id" => e.id().unwrap_or("").to_string(),
            "message_id" => e.message_id().unwrap_or("").to_string(),
            "stream" => stream_label(e),
            "stream_id" => e.stream_id().unwrap_or("").to_string(),
            "initiator" => e.initiator_name().unwrap_or("").to_string(),
            "initiator_id" => e.initiator_id().map(|i| i.to_string()).unwrap_or_default(),
            "text" => e.message_text().map(plain_text).unwrap_or_default(),
            "feed" => d.feed_id.to_string(),
            "chunk" => d.chunk.to_string(),
            _ => String::new(),
        };
        if self.terminal {
            safe(&v)
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fields_and_escapes() {
        let e = Event::parse(r#"{"id":"a1","type":"MESSAGESENT","timestamp":5,"payload":{"messageSent":{"message":{"message":"<p>hi</p>"}}}}"#).unwrap();
        let d = Delivery {
            feed_id: "f_f",
            chunk: 2,
            received_at: 0,
        };
        let t = Template::parse("{{{type}}}\\t{id} {text} #{chunk}").unwrap();
        assert_eq!(t.render(&e, &d), "{MESSAGESENT}\ta1 hi #2");
        assert!(Template::parse("{nope}")
            .unwrap_err()
            .contains("{initiator}"));
        assert!(Template::parse("a } b").is_err());
        assert!(Template::parse("{time").is_err());
    }

    #[test]
    fn envelope_keeps_the_exact_event() {
        let raw = r#"{"id":"x", "type":"NEWTYPE","extra":[1,2]}"#;
        let e = Event::parse(raw).unwrap();
        let line = envelope(
            &e,
            &Delivery {
                feed_id: "f_f",
                chunk: 1,
                received_at: 7,
            },
        );
        assert_eq!(
            line,
            format!(r#"{{"feedId":"f_f","chunk":1,"receivedAt":7,"event":{raw}}}"#)
        );
    }
}
