//! The `V4Event` model (notes §5): typed enough to filter and display, while every struct keeps
//! the fields it does not know, and `Event` keeps the exact bytes received for storage and output.

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

/// One event as received: the exact JSON bytes, and the typed view of them.
#[derive(Debug, Clone)]
pub struct Event {
    raw: Box<RawValue>,
    pub model: V4Event,
}

impl Event {
    /// Parses one event, keeping its bytes. Fails only when the text is not a JSON object.
    pub fn from_raw(raw: Box<RawValue>) -> Result<Self, serde_json::Error> {
        let model = serde_json::from_str(raw.get())?;
        Ok(Event { raw, model })
    }

    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        Self::from_raw(RawValue::from_string(text.to_string())?)
    }

    /// The exact JSON received.
    pub fn raw(&self) -> &str {
        self.raw.get()
    }

    pub fn raw_value(&self) -> &RawValue {
        &self.raw
    }

    pub fn event_type(&self) -> &str {
        self.model.event_type.as_deref().unwrap_or("")
    }

    /// Whether the type is one of the 17 of the spec.
    pub fn is_known_type(&self) -> bool {
        EVENT_TYPES.contains(&self.event_type())
    }

    pub fn id(&self) -> Option<&str> {
        self.model.id.as_deref()
    }

    pub fn timestamp(&self) -> Option<i64> {
        self.model.timestamp
    }

    pub fn stream_id(&self) -> Option<&str> {
        self.model.payload.as_ref()?.stream()?.stream_id.as_deref()
    }

    pub fn initiator_id(&self) -> Option<i64> {
        self.model.initiator.as_ref()?.user.as_ref()?.user_id
    }

    pub fn initiator_name(&self) -> Option<&str> {
        let u = self.model.initiator.as_ref()?.user.as_ref()?;
        u.display_name.as_deref().or(u.username.as_deref())
    }

    /// The top-level `messageId`, else the one of the carried message.
    pub fn message_id(&self) -> Option<&str> {
        self.model.message_id.as_deref().or_else(|| {
            self.model
                .payload
                .as_ref()?
                .message()?
                .message_id
                .as_deref()
        })
    }

    /// The PresentationML text of the carried message, if any.
    pub fn message_text(&self) -> Option<&str> {
        self.model.payload.as_ref()?.message()?.message.as_deref()
    }

    /// The key that tells a repeat delivery from a distinct event (DESIGN §5): event ids alone
    /// are not unique, so type, timestamp and message id are part of it.
    pub fn dedupe_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.id().unwrap_or(""),
            self.event_type(),
            self.timestamp().map(|t| t.to_string()).unwrap_or_default(),
            self.message_id().unwrap_or("")
        )
    }
}

impl Serialize for Event {
    /// Serialises as the exact bytes received.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Event::from_raw(raw).map_err(serde::de::Error::custom)
    }
}
