//! Reading parts of an entry's stored JSON (docs/redis.md) without building all of it.
//!
//! `replay --to` needs a few members of each stored event (is it an entry, its fields, hopeit's
//! payload). Parsing the whole event into a `Value` tree, with every field and the decoded
//! payload, was most of replay's CPU; here each member stays JSON text until it is needed.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// The members of a stored event that replay looks at, each as its JSON text.
#[derive(Debug, Default, Deserialize)]
pub struct Members<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    pub id: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    pub fields: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    pub pairs: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    pub hopeit: Option<&'a RawValue>,
}

/// An entry's `id` field, from the stored `fields` member.
#[derive(Debug, Default, Deserialize)]
pub struct IdField<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    pub id: Option<&'a RawValue>,
}

/// What replay in hopeit's layout reads of an event that has a `hopeit` member, in one pass
/// over it (a pass for the event, then one for `hopeit` and one for `fields` was a fifth of
/// `replay --to`'s delivering thread): is it an entry, hopeit's payload, the `id` field.
#[derive(Debug, Default, Deserialize)]
pub struct HopeitEntry<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    pub id: Option<&'a RawValue>,
    /// The object's `id` member.
    #[serde(default, borrow, deserialize_with = "id_member")]
    pub fields: Option<Member<'a>>,
    #[serde(default, borrow, deserialize_with = "present")]
    pub pairs: Option<&'a RawValue>,
    /// The object's `payload` member.
    #[serde(default, borrow, deserialize_with = "payload_member")]
    pub hopeit: Option<Member<'a>>,
}

/// One member of an object (the last, when its name repeats, as `Value::get` finds it).
#[derive(Debug, Default)]
pub struct Member<'a>(pub Option<&'a RawValue>);

fn id_member<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Member<'de>>, D::Error> {
    d.deserialize_map(Pick("id")).map(Some)
}

fn payload_member<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Member<'de>>, D::Error> {
    d.deserialize_map(Pick("payload")).map(Some)
}

/// Reads an object (only an object: a struct would take an array by position), keeping the
/// named member as JSON text and skipping the others.
struct Pick(&'static str);

impl<'de> Visitor<'de> for Pick {
    type Value = Member<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Member<'de>, A::Error> {
        let mut found = None;
        while let Some(named) = map.next_key_seed(Named(self.0))? {
            if named {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Member(found))
    }
}

/// Whether a member's name is the one given, without a copy of the name: serde's `Cow<str>`
/// is always an owned copy, and the names of every entry's `fields` were a copy each.
struct Named(&'static str);

impl<'de> DeserializeSeed<'de> for Named {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Named {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a member name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<bool, E> {
        Ok(name == self.0)
    }
}

/// The members of `text`, or `None` when it is not one JSON object with distinct member names
/// (the caller then reads it whole, as before, so such events are judged exactly as they were).
pub fn members<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    // A struct would also accept an array, by position.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// A member that is there, even as `null` (as `Value::get` finds it).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_found_as_value_get_finds_them() {
        let m: Members = members(r#"{"id":null,"x":[1,{"a":2}],"fields":{"a":"b"}}"#).unwrap();
        assert_eq!(m.id.map(RawValue::get), Some("null"));
        assert_eq!(m.fields.map(RawValue::get), Some(r#"{"a":"b"}"#));
        assert!(m.pairs.is_none() && m.hopeit.is_none());
        assert!(members::<Members>(r#"[1,2,3,4]"#).is_none());
        assert!(members::<Members>(r#"{"id":1,"id":2}"#).is_none());
        assert!(members::<Members>(r#"{"id":1} x"#).is_none());
    }

    #[test]
    fn a_hopeit_entry_is_read_in_one_pass_as_value_get_reads_it() {
        let text = r#"{"stream":"s","id":"1-0","fields":{"a":"x","id":"f1","id":"f2"},"hopeit":{"type":"t","payload":{"n":1},"x":[]}}"#;
        let e: HopeitEntry = members(text).unwrap();
        assert_eq!(e.id.map(RawValue::get), Some(r#""1-0""#));
        assert_eq!(e.fields.unwrap().0.map(RawValue::get), Some(r#""f2""#));
        assert!(e.pairs.is_none());
        assert_eq!(e.hopeit.unwrap().0.map(RawValue::get), Some(r#"{"n":1}"#));
        let e: HopeitEntry = members(r#"{"id":"1-0","fields":{"a":"b"}}"#).unwrap();
        assert!(e.fields.unwrap().0.is_none() && e.hopeit.is_none());
        // Not objects where objects are read: not decided here.
        for text in [
            r#"{"id":"1-0","fields":["id","x"],"hopeit":{"payload":{}}}"#,
            r#"{"id":"1-0","fields":{"a":"b"},"hopeit":[{}]}"#,
            r#"{"id":"1-0","fields":null,"hopeit":{"payload":{}}}"#,
        ] {
            assert!(members::<HopeitEntry>(text).is_none(), "{text}");
        }
    }
}
