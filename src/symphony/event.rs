//! The `V4Event` model (notes §5): typed enough to filter and display, while every struct keeps
//! the fields it does not know, and `Event` keeps the exact bytes received for storage and output.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Fields a struct does not model, kept so nothing received is dropped.
pub type Extra = Map<String, Value>;

/// The 17 event types of the spec.
pub const EVENT_TYPES: [&str; 17] = [
    "MESSAGESENT",
    "SHAREDPOST",
    "INSTANTMESSAGECREATED",
    "ROOMCREATED",
    "ROOMUPDATED",
    "ROOMDEACTIVATED",
    "ROOMREACTIVATED",
    "USERJOINEDROOM",
    "USERLEFTROOM",
    "ROOMMEMBERPROMOTEDTOOWNER",
    "ROOMMEMBERDEMOTEDFROMOWNER",
    "CONNECTIONREQUESTED",
    "CONNECTIONACCEPTED",
    "MESSAGESUPPRESSED",
    "SYMPHONYELEMENTSACTION",
    "USERREQUESTEDTOJOINROOM",
    "GENERICSYSTEMEVENT",
];

/// The payload key that goes with an event type (`MESSAGESENT` → `messageSent`).
pub fn payload_key(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "MESSAGESENT" => "messageSent",
        "SHAREDPOST" => "sharedPost",
        "INSTANTMESSAGECREATED" => "instantMessageCreated",
        "ROOMCREATED" => "roomCreated",
        "ROOMUPDATED" => "roomUpdated",
        "ROOMDEACTIVATED" => "roomDeactivated",
        "ROOMREACTIVATED" => "roomReactivated",
        "USERJOINEDROOM" => "userJoinedRoom",
        "USERLEFTROOM" => "userLeftRoom",
        "ROOMMEMBERPROMOTEDTOOWNER" => "roomMemberPromotedToOwner",
        "ROOMMEMBERDEMOTEDFROMOWNER" => "roomMemberDemotedFromOwner",
        "CONNECTIONREQUESTED" => "connectionRequested",
        "CONNECTIONACCEPTED" => "connectionAccepted",
        "MESSAGESUPPRESSED" => "messageSuppressed",
        "SYMPHONYELEMENTSACTION" => "symphonyElementsAction",
        "USERREQUESTEDTOJOINROOM" => "userRequestedToJoinRoom",
        "GENERICSYSTEMEVENT" => "genericSystemEvent",
        _ => return None,
    })
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct V4Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator: Option<V4Initiator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<V4Payload>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct V4Initiator {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<V4User>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct V4User {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct V4Stream {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct V4Message {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// PresentationML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// EntityJSON, as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<V4User>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<V4Stream>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The payload of every type: the spec's one-key-per-type object. Each part keeps its own
/// unknown fields; `extra` keeps payload keys of types this version does not know.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct V4Payload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_sent: Option<WithMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_post: Option<WithMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instant_message_created: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_created: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_updated: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_deactivated: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_reactivated: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_joined_room: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_left_room: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_member_promoted_to_owner: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_member_demoted_from_owner: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_requested: Option<Connection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_accepted: Option<Connection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_suppressed: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symphony_elements_action: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_requested_to_join_room: Option<StreamChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_system_event: Option<StreamChange>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `messageSent` and `sharedPost`: a message (and, for shared posts, the shared one).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WithMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<V4Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_message: Option<V4Message>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The payloads that are about a stream: room life cycle, membership, suppression, elements,
/// generic system events. Type-specific fields (`roomProperties`, `affectedUser`, `formValues`,
/// `parameters`, ...) stay in `extra` exactly as received.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StreamChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<V4Stream>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_user: Option<V4User>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `connectionRequested` (`toUser`) and `connectionAccepted` (`fromUser`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_user: Option<V4User>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user: Option<V4User>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl V4Payload {
    /// The message carried by a `messageSent` or `sharedPost` payload.
    pub fn message(&self) -> Option<&V4Message> {
        self.message_sent
            .as_ref()
            .or(self.shared_post.as_ref())
            .and_then(|m| m.message.as_ref())
    }

    /// The stream this payload is about, if any.
    pub fn stream(&self) -> Option<&V4Stream> {
        if let Some(m) = self.message() {
            return m.stream.as_ref();
        }
        [
            &self.instant_message_created,
            &self.room_created,
            &self.room_updated,
            &self.room_deactivated,
            &self.room_reactivated,
            &self.user_joined_room,
            &self.user_left_room,
            &self.room_member_promoted_to_owner,
            &self.room_member_demoted_from_owner,
            &self.message_suppressed,
            &self.symphony_elements_action,
            &self.user_requested_to_join_room,
            &self.generic_system_event,
        ]
        .into_iter()
        .flatten()
        .find_map(|c| c.stream.as_ref())
    }
}

/// One event as received: the exact JSON bytes, the few fields every filter and index needs
/// (read in one cheap pass), and the full typed model (parsed only when asked for).
#[derive(Debug, Clone)]
pub struct Event {
    text: Text,
    index: Index,
    /// Boxed: the model is over 9 KiB, and an `Event` is moved several times on its way from
    /// the response to the journal; unboxed, those moves were a fifth of the read path's time.
    model: std::sync::OnceLock<Box<V4Event>>,
}

// What moving an event costs: keep it to its bytes' place and the index.
const _: () = assert!(std::mem::size_of::<Event>() <= 256);

/// An event's bytes: a range of a shared buffer, the response body it came in (or its own
/// text). A read's events then cost no allocation and no copy each: with a hundred events a
/// read, those were a sixth of the read path.
#[derive(Debug, Clone)]
struct Text {
    buf: Arc<str>,
    start: usize,
    end: usize,
}

impl Text {
    fn get(&self) -> &str {
        &self.buf[self.start..self.end]
    }
}

/// The fields feedctl filters, stores and dedupes on.
#[derive(Debug, Clone, Default)]
struct Index {
    id: Option<Field>,
    message_id: Option<Field>,
    event_type: Option<Field>,
    timestamp: Option<i64>,
    stream_id: Option<Field>,
    initiator_id: Option<i64>,
    initiator_username: Option<Field>,
}

/// A text field of the index: where it lies in the event's bytes (the usual case: a string
/// without escapes, which the parse borrowed), or its decoded text.
#[derive(Debug, Clone)]
enum Field {
    At(usize, usize),
    Own(Box<str>),
}

/// Where `part` lies in `whole`, when it is a slice of it (as what a parse of `whole` borrowed
/// is); `None` for text that lives elsewhere.
fn range_in(whole: &str, part: &str) -> Option<(usize, usize)> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start + part.len() <= whole.len()).then_some((start, start + part.len()))
}

impl Field {
    /// `value` as a range of `text` when it is one, else a copy.
    fn of(text: &str, value: &str) -> Field {
        match range_in(text, value) {
            Some((start, end)) => Field::At(start, end),
            None => Field::Own(value.into()),
        }
    }

    fn get<'a>(&'a self, text: &'a str) -> &'a str {
        match self {
            Field::At(start, end) => &text[*start..*end],
            Field::Own(s) => s,
        }
    }

    /// The field's text, borrowed from `text` where it lies there.
    fn into_cow(self, text: &str) -> Cow<'_, str> {
        match self {
            Field::At(start, end) => Cow::Borrowed(&text[start..end]),
            Field::Own(s) => Cow::Owned(s.into()),
        }
    }
}

impl Event {
    /// Parses one event, keeping its bytes. Fails only when the text is not a JSON object: a
    /// field of an unexpected type is kept as received and simply not indexed.
    pub fn from_raw(raw: &RawValue) -> Result<Self, serde_json::Error> {
        let buf: Arc<str> = Arc::from(raw.get());
        Self::in_buffer(&buf, 0, buf.len())
    }

    /// One event of a delivery: `event` is a slice of `body` (as a parse borrowing from the
    /// body gives it), kept as a range of the body instead of a copy.
    pub fn in_body(body: &Arc<str>, event: &str) -> Result<Self, serde_json::Error> {
        match range_in(body, event) {
            Some((start, end)) => Self::in_buffer(body, start, end),
            // Not a slice of the body after all: the event gets its own copy.
            None => {
                let own: Arc<str> = Arc::from(event);
                Self::in_buffer(&own, 0, own.len())
            }
        }
    }

    fn in_buffer(buf: &Arc<str>, start: usize, end: usize) -> Result<Self, serde_json::Error> {
        let text = Text {
            buf: buf.clone(),
            start,
            end,
        };
        Ok(Event {
            index: index_of(text.get())?,
            text,
            model: std::sync::OnceLock::new(),
        })
    }

    /// The events of the JSON array at `at` in a read's body, each read once where it lies,
    /// and the position after the array. Checking the list and then indexing each event
    /// walked every byte twice (the list's parse was 12% of the read path). `None` when the
    /// array is not plainly one of event objects the one-pass reader takes: the caller then
    /// parses the body the two-pass way, which gives the same events or its error.
    pub fn list_at(body: &Arc<str>, at: usize) -> Option<(Vec<Event>, usize)> {
        let text: &str = body;
        let byte = |i: usize| text.as_bytes().get(i).copied();
        if byte(at) != Some(b'[') {
            return None;
        }
        let mut events = Vec::new();
        let mut pos = skip_ws(text, at + 1);
        if byte(pos) == Some(b']') {
            return Some((events, pos + 1));
        }
        loop {
            // Only objects: anything else is refused by the two-pass way, with its message.
            if byte(pos) != Some(b'{') {
                return None;
            }
            let (light, end) = value_at::<light::Event>(text, pos)?;
            events.push(Event {
                index: light.into_index(&text[pos..end]),
                text: Text {
                    buf: body.clone(),
                    start: pos,
                    end,
                },
                model: std::sync::OnceLock::new(),
            });
            pos = skip_ws(text, end);
            match byte(pos) {
                Some(b',') => pos = skip_ws(text, pos + 1),
                Some(b']') => return Some((events, pos + 1)),
                _ => return None,
            }
        }
    }

    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        // Checked where it lies (surrounding whitespace is not part of the event), copied once.
        Self::from_raw(serde_json::from_str::<&RawValue>(text)?)
    }

    /// The full typed model. An event whose fields do not fit the spec's types is given as an
    /// empty model with every field in `extra`, so nothing is ever dropped.
    pub fn model(&self) -> &V4Event {
        self.model.get_or_init(|| {
            Box::new(
                serde_json::from_str(self.raw()).unwrap_or_else(|_| V4Event {
                    extra: serde_json::from_str(self.raw()).unwrap_or_default(),
                    ..V4Event::default()
                }),
            )
        })
    }

    /// The exact JSON received.
    pub fn raw(&self) -> &str {
        self.text.get()
    }

    fn field<'a>(&'a self, f: &'a Option<Field>) -> Option<&'a str> {
        f.as_ref().map(|f| f.get(self.text.get()))
    }

    pub fn event_type(&self) -> &str {
        self.field(&self.index.event_type).unwrap_or("")
    }

    /// Whether the type is one of the 17 of the spec.
    pub fn is_known_type(&self) -> bool {
        EVENT_TYPES.contains(&self.event_type())
    }

    pub fn id(&self) -> Option<&str> {
        self.field(&self.index.id)
    }

    pub fn timestamp(&self) -> Option<i64> {
        self.index.timestamp
    }

    pub fn stream_id(&self) -> Option<&str> {
        self.field(&self.index.stream_id)
    }

    pub fn initiator_id(&self) -> Option<i64> {
        self.index.initiator_id
    }

    pub fn initiator_username(&self) -> Option<&str> {
        self.field(&self.index.initiator_username)
    }

    pub fn initiator_name(&self) -> Option<&str> {
        let u = self.model().initiator.as_ref()?.user.as_ref()?;
        u.display_name.as_deref().or(u.username.as_deref())
    }

    /// The top-level `messageId`, else the one of the carried message.
    pub fn message_id(&self) -> Option<&str> {
        self.field(&self.index.message_id)
    }

    /// The PresentationML text of the carried message, if any.
    pub fn message_text(&self) -> Option<&str> {
        self.model().payload.as_ref()?.message()?.message.as_deref()
    }

    /// The key that tells a repeat delivery from a distinct event (DESIGN §5): event ids alone
    /// are not unique, so type, timestamp and message id are part of it.
    pub fn dedupe_key(&self) -> String {
        use std::fmt::Write;
        let (id, ty, mid) = (
            self.id().unwrap_or(""),
            self.event_type(),
            self.message_id().unwrap_or(""),
        );
        // Built in place: it is made for every event read, and `format!` with a
        // `to_string()` of the timestamp allocated twice.
        let mut key = String::with_capacity(id.len() + ty.len() + mid.len() + 23);
        key.push_str(id);
        key.push('|');
        key.push_str(ty);
        key.push('|');
        if let Some(t) = self.timestamp() {
            let _ = write!(key, "{t}");
        }
        key.push('|');
        key.push_str(mid);
        key
    }
}

impl Serialize for Event {
    /// Serialises as the exact bytes received (a copy as a JSON value: this is for whole
    /// documents such as `datafeed read -o json`; the read and write paths use `raw()`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RawValue::from_string(self.raw().to_owned())
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Event::from_raw(&raw).map_err(serde::de::Error::custom)
    }
}

/// The indexed fields of an event's text, in one pass. Fails only when the text is not a JSON
/// object.
fn index_of(text: &str) -> Result<Index, serde_json::Error> {
    if !text.trim_start().starts_with('{') {
        return Err(serde::de::Error::custom("an event must be a JSON object"));
    }
    match serde_json::from_str::<light::Event>(text) {
        Ok(l) => Ok(l.into_index(text)),
        // An object whose nesting is not what the spec says: index what can be found.
        Err(_) => light::tolerant_index(&serde_json::from_str::<Value>(text)?)
            .ok_or_else(|| serde::de::Error::custom("an event must be a JSON object")),
    }
}

/// The position of the first byte at or after `at` that is not JSON whitespace.
pub fn skip_ws(text: &str, at: usize) -> usize {
    let rest = text.as_bytes().get(at..).unwrap_or_default();
    at + rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

/// The JSON value at `at`, and the position after it; `None` when there is none there.
pub fn value_at<'a, T: Deserialize<'a>>(text: &'a str, at: usize) -> Option<(T, usize)> {
    let mut values = serde_json::Deserializer::from_str(text.get(at..)?).into_iter::<T>();
    let value = values.next()?.ok()?;
    Some((value, at + values.byte_offset()))
}

/// An event's id and stream id, as [`id_and_stream`] finds them.
pub type IdAndStream<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

/// The id and stream id of an event's text, for a holder of the bytes that needs no more of
/// them (serve's log): one pass, no copy of the event. `None` when the text is not one JSON
/// object, so the same pass checks the bytes.
pub fn id_and_stream(text: &str) -> Option<IdAndStream<'_>> {
    let index = index_of(text).ok()?;
    Some((
        index.id.map(|f| f.into_cow(text)),
        index.stream_id.map(|f| f.into_cow(text)),
    ))
}

/// Where an event's id and stream id lie in its text, as [`id_and_stream_spans`] finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSpan {
    Absent,
    /// The field's text is these bytes of the event's.
    At(std::ops::Range<usize>),
    /// Written with escapes: its text is not a slice of the event's, so it must be read again.
    Escaped,
}

/// The id and stream id of an event's text as byte ranges of it, for a holder that keeps the
/// bytes and wants the two fields again later without a parse (serve's events file). Fails
/// only when the text is not a JSON object, as [`id_and_stream`] does.
pub fn id_and_stream_spans(text: &str) -> Result<(FieldSpan, FieldSpan), serde_json::Error> {
    let index = index_of(text)?;
    let span = |f: Option<Field>| match f {
        None => FieldSpan::Absent,
        Some(Field::At(start, end)) => FieldSpan::At(start..end),
        Some(Field::Own(_)) => FieldSpan::Escaped,
    };
    Ok((span(index.id), span(index.stream_id)))
}

/// A one-pass reader of the indexed fields: it skips everything else without building it, and
/// a scalar of the wrong type reads as absent instead of failing the event.
mod light {
    use std::borrow::Cow;

    use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;
    use serde_json::Value;

    use super::{Field, Index};

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Event<'a> {
        #[serde(default, borrow, deserialize_with = "text")]
        id: Option<Cow<'a, str>>,
        #[serde(default, borrow, deserialize_with = "text")]
        message_id: Option<Cow<'a, str>>,
        #[serde(default, deserialize_with = "int")]
        timestamp: Option<i64>,
        #[serde(default, borrow, rename = "type", deserialize_with = "text")]
        event_type: Option<Cow<'a, str>>,
        #[serde(default, borrow)]
        initiator: Option<Initiator<'a>>,
        #[serde(default, borrow)]
        payload: Option<Payload<'a>>,
    }

    #[derive(Deserialize)]
    struct Initiator<'a> {
        #[serde(default, borrow)]
        user: Option<User<'a>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct User<'a> {
        #[serde(default, deserialize_with = "int")]
        user_id: Option<i64>,
        #[serde(default, borrow, deserialize_with = "text")]
        username: Option<Cow<'a, str>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Stream<'a> {
        #[serde(default, borrow, deserialize_with = "text")]
        stream_id: Option<Cow<'a, str>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Message<'a> {
        #[serde(default, borrow, deserialize_with = "text")]
        message_id: Option<Cow<'a, str>>,
        #[serde(default, borrow)]
        stream: Option<Stream<'a>>,
    }

    /// Every payload part has the same shape as far as the index goes.
    #[derive(Deserialize)]
    struct Part<'a> {
        #[serde(default, borrow)]
        stream: Option<Stream<'a>>,
        #[serde(default, borrow)]
        message: Option<Message<'a>>,
    }

    /// Parts boxed: inline, the fifteen of them made a payload over a kilobyte, copied as the
    /// parse returned it; an event has one.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Payload<'a> {
        #[serde(default, borrow)]
        message_sent: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        shared_post: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        instant_message_created: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        room_created: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        room_updated: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        room_deactivated: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        room_reactivated: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        user_joined_room: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        user_left_room: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        room_member_promoted_to_owner: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        room_member_demoted_from_owner: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        message_suppressed: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        symphony_elements_action: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        user_requested_to_join_room: Option<Box<Part<'a>>>,
        #[serde(default, borrow)]
        generic_system_event: Option<Box<Part<'a>>>,
    }

    impl<'a> Payload<'a> {
        fn parts(&self) -> impl Iterator<Item = &Part<'a>> {
            [
                &self.message_sent,
                &self.shared_post,
                &self.instant_message_created,
                &self.room_created,
                &self.room_updated,
                &self.room_deactivated,
                &self.room_reactivated,
                &self.user_joined_room,
                &self.user_left_room,
                &self.room_member_promoted_to_owner,
                &self.room_member_demoted_from_owner,
                &self.message_suppressed,
                &self.symphony_elements_action,
                &self.user_requested_to_join_room,
                &self.generic_system_event,
            ]
            .into_iter()
            .filter_map(|p| p.as_deref())
        }
    }

    impl Event<'_> {
        /// The index, its text fields as ranges of `text` (the text this was parsed from).
        pub fn into_index(self, text: &str) -> Index {
            let field = |v: &str| Field::of(text, v);
            let message = self
                .payload
                .as_ref()
                .and_then(|p| p.parts().find_map(|part| part.message.as_ref()));
            let stream_id = message
                .and_then(|m| m.stream.as_ref())
                .or_else(|| {
                    self.payload
                        .as_ref()
                        .and_then(|p| p.parts().find_map(|part| part.stream.as_ref()))
                })
                .and_then(|s| s.stream_id.as_deref())
                .map(field);
            let user = self.initiator.as_ref().and_then(|i| i.user.as_ref());
            Index {
                id: self.id.as_deref().map(field),
                message_id: self
                    .message_id
                    .as_deref()
                    .or_else(|| message.and_then(|m| m.message_id.as_deref()))
                    .map(field),
                event_type: self.event_type.as_deref().map(field),
                timestamp: self.timestamp,
                stream_id,
                initiator_id: user.and_then(|u| u.user_id),
                initiator_username: user.and_then(|u| u.username.as_deref()).map(field),
            }
        }
    }

    /// The slow path, for objects whose nesting breaks the spec's types.
    pub fn tolerant_index(v: &Value) -> Option<Index> {
        let obj = v.as_object()?;
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(|t| Field::Own(t.into()));
        let payload = obj.get("payload").and_then(Value::as_object);
        let part = payload.and_then(|p| p.values().find(|v| v.is_object()));
        let message = part.and_then(|p| p.get("message"));
        let stream = message
            .and_then(|m| m.get("stream"))
            .or_else(|| part.and_then(|p| p.get("stream")));
        let user = obj.get("initiator").and_then(|i| i.get("user"));
        Some(Index {
            id: s(obj.get("id")),
            message_id: s(obj.get("messageId"))
                .or_else(|| s(message.and_then(|m| m.get("messageId")))),
            event_type: s(obj.get("type")),
            timestamp: obj.get("timestamp").and_then(Value::as_i64),
            stream_id: s(stream.and_then(|st| st.get("streamId"))),
            initiator_id: user.and_then(|u| u.get("userId")).and_then(Value::as_i64),
            initiator_username: s(user.and_then(|u| u.get("username"))),
        })
    }

    /// Reads a string, or absent for any other JSON value (which is skipped, not built).
    fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
        d.deserialize_any(Lenient(|v: Scalar<'de>| match v {
            Scalar::Str(s) => Some(s),
            _ => None,
        }))
    }

    /// Reads an integer, or absent for any other JSON value.
    fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_any(Lenient(|v: Scalar<'de>| match v {
            Scalar::Int(i) => Some(i),
            _ => None,
        }))
    }

    enum Scalar<'de> {
        Str(Cow<'de, str>),
        Int(i64),
        Other,
    }

    struct Lenient<F>(F);

    impl<'de, T, F: FnOnce(Scalar<'de>) -> Option<T>> Visitor<'de> for Lenient<F> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok((self.0)(Scalar::Str(Cow::Borrowed(v))))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok((self.0)(Scalar::Str(Cow::Owned(v.to_string()))))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok((self.0)(Scalar::Str(Cow::Owned(v))))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok((self.0)(Scalar::Int(v)))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(i64::try_from(v).ok().and_then(|i| (self.0)(Scalar::Int(i))))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok((self.0)(Scalar::Other))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok((self.0)(Scalar::Other))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::value::RawValue;

    use super::Event;

    #[test]
    fn a_field_of_the_wrong_type_does_not_lose_the_event() {
        let e = Event::parse(r#"{"id":7,"timestamp":"123","type":"MESSAGESENT","initiator":"bob","payload":{"messageSent":{"message":{"messageId":"m1","stream":{"streamId":"s1"}}}}}"#).unwrap();
        assert_eq!(e.event_type(), "MESSAGESENT");
        assert_eq!(e.id(), None);
        assert_eq!(e.timestamp(), None);
        assert_eq!(e.stream_id(), Some("s1"));
        assert_eq!(e.message_id(), Some("m1"));
        // The typed model keeps everything, as extra fields.
        assert_eq!(
            serde_json::to_value(e.model()).unwrap(),
            serde_json::from_str::<serde_json::Value>(e.raw()).unwrap()
        );
        assert!(Event::parse("[1,2]").is_err());
    }

    #[test]
    fn index_reads_stream_and_ids_of_every_shape() {
        let e = Event::parse(r#"{"id":"a","type":"USERJOINEDROOM","timestamp":5,"initiator":{"user":{"userId":9,"username":"u"}},"payload":{"userJoinedRoom":{"stream":{"streamId":"r1"},"affectedUser":{"userId":3}}}}"#).unwrap();
        assert_eq!(
            (e.stream_id(), e.initiator_id(), e.initiator_username()),
            (Some("r1"), Some(9), Some("u"))
        );
        assert_eq!(e.dedupe_key(), "a|USERJOINEDROOM|5|");
    }

    #[test]
    fn events_of_a_body_are_its_bytes_and_escaped_fields_read_decoded() {
        let body: Arc<str> = Arc::from(
            r#"[{"id":"a\"b","type":"MESSAGESENT","timestamp":7,"payload":{"messageSent":{"message":{"messageId":"m\u0031","stream":{"streamId":"s1"}}}}}, {"id":"c"}]"#,
        );
        let raws: Vec<&RawValue> = serde_json::from_str(&body).unwrap();
        let events: Vec<Event> = raws
            .iter()
            .map(|r| Event::in_body(&body, r.get()).unwrap())
            .collect();
        assert_eq!(events[0].id(), Some("a\"b"));
        assert_eq!(events[0].message_id(), Some("m1"));
        assert_eq!(events[0].stream_id(), Some("s1"));
        assert_eq!(events[0].dedupe_key(), "a\"b|MESSAGESENT|7|m1");
        assert_eq!(events[1].raw(), r#"{"id":"c"}"#);
        // The same bytes, not a copy of them.
        assert_eq!(events[1].raw().as_ptr(), raws[1].get().as_ptr());
        // A text that is not part of the body is copied.
        let own = Event::in_body(&body, r#"{"id":"d"}"#).unwrap();
        assert_eq!((own.raw(), own.id()), (r#"{"id":"d"}"#, Some("d")));
        assert!(Event::in_body(&body, "[1]").is_err());
    }
}
