//! Reading parts of an entry's stored JSON (docs/redis.md) without building all of it.
//!
//! `replay --to` needs a few members of each stored event (is it an entry, its fields, hopeit's
//! payload). Parsing the whole event into a `Value` tree, with every field and the decoded
//! payload, was most of replay's CPU; here each member stays JSON text until it is needed.

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

/// hopeit's decoded payload, from the stored `hopeit` member.
#[derive(Debug, Default, Deserialize)]
pub struct HopeitMembers<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    pub payload: Option<&'a RawValue>,
}

/// An entry's `id` field, from the stored `fields` member.
#[derive(Debug, Default, Deserialize)]
pub struct IdField<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    pub id: Option<&'a RawValue>,
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
}
