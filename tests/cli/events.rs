//! The event model: every fixture parses into its type and serialises back to the same bytes.

use feedctl::symphony::event::{payload_key, EVENT_TYPES};
use feedctl::symphony::Event;

use crate::common::*;

fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

#[test]
fn every_type_parses_into_its_payload_and_round_trips_byte_for_byte() {
    let text = all_types();
    let mut seen = Vec::new();
    for line in lines(&text) {
        let event = Event::parse(line).expect("parses");
        let ty = event.event_type().to_string();
        assert!(event.is_known_type(), "{ty} is one of the 17");
        // The typed payload carries the key of its type.
        let payload =
            serde_json::to_value(event.model().payload.as_ref().expect("payload")).unwrap();
        let key = payload_key(&ty).unwrap();
        assert!(
            payload.get(key).is_some_and(|p| p.is_object()),
            "{ty}: payload.{key}"
        );
        // Exact bytes out, as read.
        assert_eq!(serde_json::to_string(&event).unwrap(), line);
        // And the typed model alone loses nothing either.
        let original: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            serde_json::to_value(event.model()).unwrap(),
            original,
            "{ty}: typed model keeps every field"
        );
        seen.push(ty);
    }
    seen.sort();
    let mut all: Vec<String> = EVENT_TYPES.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(seen, all, "one fixture per type, all 17");
}

#[test]
fn typed_accessors_read_the_fields_a_filter_needs() {
    let text = all_types();
    let first = Event::parse(lines(&text)[0]).unwrap();
    assert_eq!(first.event_type(), "MESSAGESENT");
    assert!(first.stream_id().is_some());
    assert!(first.initiator_id().is_some());
    assert!(first.message_id().is_some());
    assert!(first.message_text().unwrap().contains("PresentationML"));
    for line in lines(&text) {
        let e = Event::parse(line).unwrap();
        assert!(
            e.timestamp().is_some() && e.id().is_some(),
            "{}",
            e.event_type()
        );
    }
}

#[test]
fn unknown_types_and_fields_are_kept() {
    let text = std::fs::read_to_string(fixture("events/unknown.ndjson")).unwrap();
    let mut unknown_types = 0;
    for line in lines(&text) {
        let event = Event::parse(line).expect("an unknown type or field is not an error");
        if !event.is_known_type() {
            unknown_types += 1;
        }
        assert_eq!(serde_json::to_string(&event).unwrap(), line);
        let original: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(serde_json::to_value(event.model()).unwrap(), original);
    }
    assert_eq!(unknown_types, 1);
}

#[test]
fn demo_fixture_is_valid_and_shares_one_id_on_purpose() {
    let text = demo_events();
    let events: Vec<Event> = lines(&text)
        .iter()
        .map(|l| Event::parse(l).expect("parses"))
        .collect();
    assert_eq!(events.len(), 40);
    let mut keys: Vec<String> = events.iter().map(Event::dedupe_key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        keys.len(),
        40,
        "ids repeat, but the dedupe key tells the events apart"
    );
    let mut ids: Vec<&str> = events.iter().filter_map(Event::id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        39,
        "one id is shared by two events, as happens for real"
    );
}
