//! Pub/Sub API payloads: Avro binary datums, written and read with the Avro schema the topic
//! publishes. [`TopicSchema`] makes the schema Salesforce would publish for a platform event
//! or change event topic from the JSON payloads the Streaming API gives (what feedctl's
//! Salesforce journal holds); [`EventSchema`] turns a payload into Avro and back, following any
//! schema (one of ours, or one from `GetSchema`).
//!
//! Choices (docs/salesforce.md, "Pub/Sub API emulator"):
//! - A platform event's record: `CreatedDate` (long, ms), `CreatedById` (string), then each
//!   field seen on the topic as `["null", T]` with default null. A change event's:
//!   `ChangeEventHeader` (Salesforce's fields; `changeType` an enum), then each field seen.
//! - T from the first non-null JSON value seen: string → string, number → double (Salesforce's
//!   Number fields are doubles), boolean → boolean, array → array of strings (other items as
//!   their JSON text), object → a nested record of optional fields; a field only ever null is a
//!   string. Fields are kept in the order first seen.
//! - A value that does not fit its field's type is written as its JSON text in a string field,
//!   else as null; a payload field the schema does not name is not written (Avro has no place
//!   for it) — the emulator's schemas learn every field first, so it drops none.
//! - `changedFields`/`nulledFields`/`diffFields` are written as Salesforce's bitmaps (uppercase
//!   hex of the fields' positions; `P-0x…` for the fields of the record field at position P)
//!   and read back as field names, as the Streaming API gives them.
//! - The schema id is the Avro CRC-64 fingerprint of the schema's canonical form, in
//!   base64url: the same schema always has the same id.

use std::collections::HashMap;

use apache_avro::schema::{Name, RecordSchema};
use apache_avro::types::Value as Avro;
use apache_avro::Schema;
use base64::Engine;
use serde_json::{json, Map, Value};

/// The namespace of Salesforce's event schemas.
pub const NAMESPACE: &str = "com.sforce.eventbus";

/// The header record every change event carries.
pub const CHANGE_EVENT_HEADER: &str = "ChangeEventHeader";

/// The fields of a change event header that hold field bitmaps.
const BITMAP_FIELDS: [&str; 3] = ["changedFields", "nulledFields", "diffFields"];

/// What went wrong writing or reading a payload.
#[derive(Debug, thiserror::Error)]
pub enum AvroError {
    #[error("not an event schema: {0}")]
    Schema(String),
    #[error("cannot write the payload with schema {id}: {why}")]
    Encode { id: String, why: String },
    #[error("cannot read the payload with schema {id}: {why}")]
    Decode { id: String, why: String },
}

/// The two kinds of Pub/Sub topics with Avro payloads feedctl knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/event/Name__e` (and standard platform events).
    PlatformEvent,
    /// `/data/ObjectChangeEvent`, `/data/ChangeEvents` and custom channels of change events.
    ChangeEvent,
}

impl Kind {
    /// The kind of a topic name; `None` for the Streaming API's PushTopics and generic
    /// channels, which the Pub/Sub API does not serve.
    pub fn of(topic: &str) -> Option<Kind> {
        let name = topic
            .strip_prefix("/event/")
            .map(|n| (Kind::PlatformEvent, n));
        let name = name.or_else(|| topic.strip_prefix("/data/").map(|n| (Kind::ChangeEvent, n)));
        match name {
            Some((kind, n)) if avro_name(n) => Some(kind),
            _ => None,
        }
    }
}

/// Whether `s` may name an Avro record or field.
fn avro_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The type of a field learnt from payloads.
#[derive(Debug, Clone, PartialEq)]
enum Learnt {
    String,
    Double,
    Boolean,
    Strings,
    Record(Fields),
    /// Only null so far.
    Unknown,
}

/// Fields in the order first seen, with their types.
#[derive(Debug, Clone, Default, PartialEq)]
struct Fields(Vec<(String, Learnt)>);

impl Fields {
    /// Learns the fields of `object` (except `skip`); whether anything was new.
    fn learn(&mut self, object: &Map<String, Value>, skip: &[&str]) -> bool {
        let mut changed = false;
        for (name, value) in object {
            if skip.contains(&name.as_str()) || !avro_name(name) {
                continue;
            }
            let seen = Learnt::of(value);
            match self.0.iter_mut().find(|(n, _)| n == name) {
                None => {
                    self.0.push((name.clone(), seen));
                    changed = true;
                }
                Some((_, known)) => match (known, value) {
                    (Learnt::Record(fields), Value::Object(o)) => changed |= fields.learn(o, &[]),
                    (k @ Learnt::Unknown, _) if seen != Learnt::Unknown => {
                        *k = seen;
                        changed = true;
                    }
                    _ => {}
                },
            }
        }
        changed
    }

    /// The Avro fields, each optional, naming nested records after their path.
    fn avro(&self, path: &str) -> Vec<Value> {
        self.0
            .iter()
            .map(|(name, t)| {
                let inner = match t {
                    Learnt::String | Learnt::Unknown => json!("string"),
                    Learnt::Double => json!("double"),
                    Learnt::Boolean => json!("boolean"),
                    Learnt::Strings => json!({"type": "array", "items": "string"}),
                    Learnt::Record(fields) => {
                        let record = format!("{path}_{name}");
                        json!({"type": "record", "name": record, "fields": fields.avro(&record)})
                    }
                };
                json!({"name": name, "type": ["null", inner], "default": null})
            })
            .collect()
    }
}

impl Learnt {
    fn of(v: &Value) -> Learnt {
        match v {
            Value::Null => Learnt::Unknown,
            Value::Bool(_) => Learnt::Boolean,
            Value::Number(_) => Learnt::Double,
            Value::String(_) => Learnt::String,
            Value::Array(_) => Learnt::Strings,
            Value::Object(o) => {
                let mut fields = Fields::default();
                fields.learn(o, &[]);
                Learnt::Record(fields)
            }
        }
    }
}

/// The schema of a topic, learnt from the payloads of its events.
#[derive(Debug, Clone)]
pub struct TopicSchema {
    kind: Kind,
    name: String,
    fields: Fields,
}

impl TopicSchema {
    /// An empty schema for `topic` (only the fields every event of its kind has); `None` for
    /// topics the Pub/Sub API does not serve.
    pub fn new(topic: &str) -> Option<TopicSchema> {
        let kind = Kind::of(topic)?;
        let name = topic.rsplit('/').next().unwrap_or(topic).to_string();
        Some(TopicSchema {
            kind,
            name,
            fields: Fields::default(),
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Learns the fields of one event's payload (the Streaming API's `data.payload`); whether
    /// the schema changed.
    pub fn learn(&mut self, payload: &Map<String, Value>) -> bool {
        let skip: &[&str] = match self.kind {
            Kind::PlatformEvent => &["CreatedDate", "CreatedById"],
            Kind::ChangeEvent => &[CHANGE_EVENT_HEADER],
        };
        self.fields.learn(payload, skip)
    }

    /// The Avro schema as Salesforce's `GetSchema` gives it.
    pub fn build(&self) -> Result<EventSchema, AvroError> {
        let mut fields = match self.kind {
            Kind::PlatformEvent => vec![
                json!({"name": "CreatedDate", "type": "long"}),
                json!({"name": "CreatedById", "type": "string"}),
            ],
            Kind::ChangeEvent => {
                vec![json!({"name": CHANGE_EVENT_HEADER, "type": header_schema()})]
            }
        };
        fields.extend(self.fields.avro(&self.name));
        let schema = json!({
            "type": "record",
            "name": self.name,
            "namespace": NAMESPACE,
            "fields": fields,
        });
        EventSchema::parse(&schema.to_string())
    }
}

/// Salesforce's change event header.
fn header_schema() -> Value {
    let strings = json!({"type": "array", "items": "string"});
    json!({
        "type": "record",
        "name": CHANGE_EVENT_HEADER,
        "namespace": "com.sforce.eventbus",
        "fields": [
            {"name": "entityName", "type": "string"},
            {"name": "recordIds", "type": strings},
            {"name": "changeType", "type": {"type": "enum", "name": "ChangeType", "namespace": "com.sforce.eventbus", "symbols": crate::salesforce::CHANGE_TYPES}},
            {"name": "changeOrigin", "type": "string"},
            {"name": "transactionKey", "type": "string"},
            {"name": "sequenceNumber", "type": "int"},
            {"name": "commitTimestamp", "type": "long"},
            {"name": "commitNumber", "type": "long"},
            {"name": "commitUser", "type": "string"},
            {"name": "nulledFields", "type": strings},
            {"name": "diffFields", "type": strings},
            {"name": "changedFields", "type": strings},
        ],
    })
}

/// An event schema with its id: writes payloads to Avro binary and reads them back.
#[derive(Debug, Clone)]
pub struct EventSchema {
    pub id: String,
    /// The schema's JSON, as `GetSchema` returns it.
    pub json: String,
    schema: Schema,
    /// Its named types, to follow references.
    named: HashMap<String, Schema>,
}

impl EventSchema {
    /// From an Avro schema's JSON (a record).
    pub fn parse(text: &str) -> Result<EventSchema, AvroError> {
        let schema = Schema::parse_str(text).map_err(|e| AvroError::Schema(e.to_string()))?;
        if !matches!(schema, Schema::Record(_)) {
            return Err(AvroError::Schema("an event schema is a record".into()));
        }
        let fingerprint = schema.fingerprint::<apache_avro::rabin::Rabin>();
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&fingerprint.bytes);
        let mut named = HashMap::new();
        collect_named(&schema, &mut named);
        Ok(EventSchema {
            id,
            json: text.to_string(),
            schema,
            named,
        })
    }

    fn top(&self) -> &RecordSchema {
        match &self.schema {
            Schema::Record(r) => r,
            // `parse` accepts records only.
            _ => unreachable!("an event schema is a record"),
        }
    }

    /// Writes a payload (the Streaming API's `data.payload`) as an Avro datum.
    pub fn encode(&self, payload: &Map<String, Value>) -> Result<Vec<u8>, AvroError> {
        let value = self.record_value(self.top(), payload, true);
        apache_avro::writer::datum::GenericDatumWriter::builder(&self.schema)
            .build()
            .and_then(|w| w.write_value_to_vec(value))
            .map_err(|e| AvroError::Encode {
                id: self.id.clone(),
                why: e.to_string(),
            })
    }

    /// Reads an Avro datum back into a payload, every field of the schema present (null when
    /// the event has none), field bitmaps as field names.
    pub fn decode(&self, mut bytes: &[u8]) -> Result<Map<String, Value>, AvroError> {
        let value = self.read(&mut bytes).map_err(|e| AvroError::Decode {
            id: self.id.clone(),
            why: e.to_string(),
        })?;
        match self.to_json(value) {
            Value::Object(mut o) => {
                if let Some(Value::Object(header)) = o.get_mut(CHANGE_EVENT_HEADER) {
                    for f in BITMAP_FIELDS {
                        if let Some(Value::Array(bitmaps)) = header.get_mut(f) {
                            *bitmaps = self.names_of(bitmaps);
                        }
                    }
                }
                Ok(o)
            }
            _ => Err(AvroError::Decode {
                id: self.id.clone(),
                why: "not a record".into(),
            }),
        }
    }

    /// Reads an Avro datum as a [`Payload`]: what [`EventSchema::decode`] gives, but written
    /// as JSON text from the Avro value itself, without a JSON tree (the change event header
    /// apart: it is small, and its bitmaps become names).
    pub fn read_payload(&self, mut bytes: &[u8]) -> Result<Payload, AvroError> {
        let failed = |why: String| AvroError::Decode {
            id: self.id.clone(),
            why,
        };
        let value = self.read(&mut bytes).map_err(|e| failed(e.to_string()))?;
        let Avro::Record(mut fields) = value else {
            return Err(failed("not a record".into()));
        };
        let header = fields
            .iter()
            .position(|(name, _)| name == CHANGE_EVENT_HEADER)
            .map(|i| {
                let value = std::mem::replace(&mut fields[i].1, Avro::Null);
                let mut header = avro_json(value);
                if let Value::Object(h) = &mut header {
                    for f in BITMAP_FIELDS {
                        if let Some(Value::Array(bitmaps)) = h.get_mut(f) {
                            *bitmaps = self.names_of(bitmaps);
                        }
                    }
                }
                (i, header)
            });
        Ok(Payload { fields, header })
    }

    fn read(&self, bytes: &mut &[u8]) -> Result<Avro, apache_avro::Error> {
        apache_avro::reader::datum::GenericDatumReader::builder(&self.schema)
            .build()?
            .read_value(bytes)
    }

    fn resolve<'a>(&'a self, schema: &'a Schema) -> &'a Schema {
        match schema {
            Schema::Ref { name } => self.named.get(&name.fullname(None)).unwrap_or(schema),
            s => s,
        }
    }

    fn record_value(&self, r: &RecordSchema, object: &Map<String, Value>, top: bool) -> Avro {
        let fields = r
            .fields
            .iter()
            .map(|f| {
                let given = object.get(&f.name);
                let value = match (top, f.name.as_str(), given) {
                    (true, CHANGE_EVENT_HEADER, Some(Value::Object(h))) => {
                        let mut h = h.clone();
                        for b in BITMAP_FIELDS {
                            if let Some(Value::Array(names)) = h.get(b) {
                                let bitmaps = self.bitmaps_of(names);
                                h.insert(b.to_string(), bitmaps);
                            }
                        }
                        self.value(&f.schema, Some(&Value::Object(h)))
                    }
                    _ => self.value(&f.schema, given),
                };
                (f.name.clone(), value)
            })
            .collect();
        Avro::Record(fields)
    }

    /// The Avro value of `given` for `schema`, as close as the schema allows.
    fn value(&self, schema: &Schema, given: Option<&Value>) -> Avro {
        let given = given.filter(|v| !v.is_null());
        match (self.resolve(schema), given) {
            (Schema::Union(u), _) => {
                let variants = u.variants();
                // The first variant the value fits, else null if allowed, else the first.
                let fits = variants
                    .iter()
                    .position(|s| self.fits(s, given))
                    .or_else(|| variants.iter().position(|s| matches!(s, Schema::Null)))
                    .unwrap_or(0);
                let inner = self.value(&variants[fits], given);
                Avro::Union(fits as u32, Box::new(inner))
            }
            (Schema::Null, _) => Avro::Null,
            (Schema::Boolean, v) => Avro::Boolean(v.and_then(Value::as_bool).unwrap_or(false)),
            (Schema::Int, v) => Avro::Int(v.and_then(Value::as_i64).unwrap_or(0) as i32),
            (Schema::Long | Schema::TimestampMillis, v) => Avro::Long(long_of(v)),
            (Schema::Float, v) => Avro::Float(v.and_then(Value::as_f64).unwrap_or(0.0) as f32),
            (Schema::Double, v) => Avro::Double(v.and_then(Value::as_f64).unwrap_or(0.0)),
            (Schema::String, v) => Avro::String(text_of(v)),
            (Schema::Bytes, v) => Avro::Bytes(text_of(v).into_bytes()),
            (Schema::Array(a), v) => Avro::Array(
                v.and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .map(|i| self.value(&a.items, Some(i)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            (Schema::Enum(e), v) => {
                let wanted = v.and_then(Value::as_str).unwrap_or("");
                let at = e.symbols.iter().position(|s| s == wanted).unwrap_or(0);
                Avro::Enum(at as u32, e.symbols.get(at).cloned().unwrap_or_default())
            }
            (Schema::Record(r), v) => {
                let empty = Map::new();
                self.record_value(r, v.and_then(Value::as_object).unwrap_or(&empty), false)
            }
            // Types Salesforce's event schemas do not use: left for Avro to refuse.
            _ => Avro::Null,
        }
    }

    /// Whether `given` is written as this union variant.
    fn fits(&self, schema: &Schema, given: Option<&Value>) -> bool {
        let Some(v) = given else {
            return matches!(schema, Schema::Null);
        };
        match (self.resolve(schema), v) {
            (Schema::Boolean, Value::Bool(_)) => true,
            (Schema::Int | Schema::Long, Value::Number(n)) => n.is_i64(),
            (Schema::Long | Schema::TimestampMillis, Value::String(s)) => {
                crate::salesforce::parse_date(s).is_some()
            }
            (Schema::Float | Schema::Double, Value::Number(_)) => true,
            (Schema::Array(_), Value::Array(_)) => true,
            (Schema::Record(_), Value::Object(_)) => true,
            (Schema::Enum(e), Value::String(s)) => e.symbols.contains(s),
            (Schema::String | Schema::Bytes, _) => true,
            _ => false,
        }
    }

    /// Field names (or bitmaps already) → Salesforce's bitmaps of field positions.
    fn bitmaps_of(&self, names: &[Value]) -> Value {
        let fields = &self.top().fields;
        let mut top: Vec<usize> = Vec::new();
        let mut nested: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut kept: Vec<Value> = Vec::new();
        for n in names.iter().filter_map(Value::as_str) {
            if n.starts_with("0x") || n.contains("-0x") {
                kept.push(json!(n));
                continue;
            }
            let (parent, child) = match n.split_once('.') {
                Some((p, c)) => (p, Some(c)),
                None => (n, None),
            };
            let Some(p) = fields.iter().position(|f| f.name == parent) else {
                continue;
            };
            match child {
                None => top.push(p),
                Some(c) => {
                    let Some(record) = self.record_in(&fields[p].schema) else {
                        continue;
                    };
                    let Some(ci) = record.fields.iter().position(|f| f.name == c) else {
                        continue;
                    };
                    match nested.iter_mut().find(|(q, _)| *q == p) {
                        Some((_, cs)) => cs.push(ci),
                        None => nested.push((p, vec![ci])),
                    }
                }
            }
        }
        let mut out = Vec::new();
        if !top.is_empty() {
            out.push(json!(hex_bitmap(&top)));
        }
        out.extend(kept);
        for (p, cs) in nested {
            out.push(json!(format!("{p}-{}", hex_bitmap(&cs))));
        }
        Value::Array(out)
    }

    /// Salesforce's bitmaps → field names (`Parent.Child` for nested ones).
    fn names_of(&self, bitmaps: &[Value]) -> Vec<Value> {
        let fields = &self.top().fields;
        let mut names = Vec::new();
        for b in bitmaps.iter().filter_map(Value::as_str) {
            match b.split_once('-') {
                None => {
                    for i in bits_of(b) {
                        if let Some(f) = fields.get(i) {
                            names.push(json!(f.name));
                        }
                    }
                }
                Some((p, bits)) => {
                    let Some(parent) = p.parse::<usize>().ok().and_then(|p| fields.get(p)) else {
                        continue;
                    };
                    let Some(record) = self.record_in(&parent.schema) else {
                        continue;
                    };
                    for i in bits_of(bits) {
                        if let Some(f) = record.fields.get(i) {
                            names.push(json!(format!("{}.{}", parent.name, f.name)));
                        }
                    }
                }
            }
        }
        names
    }

    /// The record a field holds (directly or as a union's variant).
    fn record_in<'a>(&'a self, schema: &'a Schema) -> Option<&'a RecordSchema> {
        match self.resolve(schema) {
            Schema::Record(r) => Some(r),
            Schema::Union(u) => u.variants().iter().find_map(|s| match self.resolve(s) {
                Schema::Record(r) => Some(r),
                _ => None,
            }),
            _ => None,
        }
    }

    fn to_json(&self, v: Avro) -> Value {
        avro_json(v)
    }
}

/// An Avro value as JSON: what [`EventSchema::decode`] gives for it.
fn avro_json(v: Avro) -> Value {
    match v {
        Avro::Null => Value::Null,
        Avro::Boolean(b) => json!(b),
        Avro::Int(i) => json!(i),
        Avro::Long(l) | Avro::TimestampMillis(l) => json!(l),
        Avro::Float(f) => json!(f),
        Avro::Double(d) => serde_json::Number::from_f64(d).map_or(Value::Null, Value::Number),
        Avro::String(s) | Avro::Enum(_, s) => json!(s),
        Avro::Bytes(b) => json!(String::from_utf8_lossy(&b)),
        Avro::Union(_, inner) => avro_json(*inner),
        Avro::Array(items) => Value::Array(items.into_iter().map(avro_json).collect()),
        Avro::Map(m) => Value::Object(m.into_iter().map(|(k, v)| (k, avro_json(v))).collect()),
        Avro::Record(fields) => {
            Value::Object(fields.into_iter().map(|(k, v)| (k, avro_json(v))).collect())
        }
        other => json!(format!("{other:?}")),
    }
}

/// A payload read by [`EventSchema::read_payload`]: serializes as the JSON object
/// [`EventSchema::decode`] gives, byte for byte, without building it.
#[derive(Debug)]
pub struct Payload {
    fields: Vec<(String, Avro)>,
    /// The change event header's position and its JSON (bitmaps as field names).
    header: Option<(usize, Value)>,
}

impl Payload {
    /// `ChangeEventHeader`, as JSON.
    pub fn header(&self) -> Option<&Value> {
        self.header.as_ref().map(|(_, h)| h)
    }

    /// A top-level field other than the header, as JSON.
    pub fn field(&self, name: &str) -> Option<Value> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| avro_json(v.clone()))
    }
}

impl serde::Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (i, (name, value)) in self.fields.iter().enumerate() {
            match &self.header {
                Some((at, header)) if *at == i => map.serialize_entry(name, header)?,
                _ => map.serialize_entry(name, &Json(value))?,
            }
        }
        map.end()
    }
}

/// Serializes an Avro value as [`avro_json`]'s tree would be (serde_json writes a tree's
/// numbers through the same calls: an `f32` as the `f64` it widens to, a non-finite one as
/// null).
struct Json<'a>(&'a Avro);

impl serde::Serialize for Json<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Avro::Null => s.serialize_unit(),
            Avro::Boolean(b) => s.serialize_bool(*b),
            Avro::Int(i) => s.serialize_i64(i64::from(*i)),
            Avro::Long(l) | Avro::TimestampMillis(l) => s.serialize_i64(*l),
            Avro::Float(f) if f.is_finite() => s.serialize_f64(f64::from(*f)),
            Avro::Double(d) if d.is_finite() => s.serialize_f64(*d),
            Avro::Float(_) | Avro::Double(_) => s.serialize_unit(),
            Avro::String(t) | Avro::Enum(_, t) => s.serialize_str(t),
            Avro::Bytes(b) => s.serialize_str(&String::from_utf8_lossy(b)),
            Avro::Union(_, inner) => Json(inner).serialize(s),
            Avro::Array(items) => s.collect_seq(items.iter().map(Json)),
            Avro::Map(m) => s.collect_map(m.iter().map(|(k, v)| (k, Json(v)))),
            Avro::Record(fields) => s.collect_map(fields.iter().map(|(k, v)| (k, Json(v)))),
            other => s.serialize_str(&format!("{other:?}")),
        }
    }
}

/// Every named type of `schema`, by full name.
fn collect_named(schema: &Schema, out: &mut HashMap<String, Schema>) {
    let name = |n: &Name| n.fullname(None);
    match schema {
        Schema::Record(r) => {
            out.insert(name(&r.name), schema.clone());
            for f in &r.fields {
                collect_named(&f.schema, out);
            }
        }
        Schema::Enum(e) => {
            out.insert(name(&e.name), schema.clone());
        }
        Schema::Fixed(f) => {
            out.insert(name(&f.name), schema.clone());
        }
        Schema::Union(u) => u.variants().iter().for_each(|s| collect_named(s, out)),
        Schema::Array(a) => collect_named(&a.items, out),
        Schema::Map(m) => collect_named(&m.types, out),
        _ => {}
    }
}

/// A long from a number, or a date (ms since the epoch) from Salesforce's date text.
fn long_of(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n
            .as_i64()
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        Some(Value::String(s)) => crate::salesforce::parse_date(s)
            .or_else(|| s.trim().parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}

/// A string field's text: a string as it is, anything else as its JSON text.
fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// `0x` and the uppercase hex of a bitmap with these bits set (bit 0 the last digit's lowest).
fn hex_bitmap(bits: &[usize]) -> String {
    let top = bits.iter().copied().max().unwrap_or(0);
    let mut digits = vec![0u8; top / 4 + 1];
    for &b in bits {
        digits[b / 4] |= 1 << (b % 4);
    }
    let hex: String = digits
        .iter()
        .rev()
        .map(|d| {
            char::from_digit(u32::from(*d), 16)
                .unwrap_or('0')
                .to_ascii_uppercase()
        })
        .collect();
    format!("0x{hex}")
}

/// The positions set in a `0x…` bitmap.
fn bits_of(hex: &str) -> Vec<usize> {
    let digits = hex.trim().trim_start_matches("0x").trim_start_matches("0X");
    let mut out = Vec::new();
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(16).unwrap_or(0);
        for bit in 0..4 {
            if d & (1 << bit) != 0 {
                out.push(i * 4 + bit);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn a_platform_event_goes_to_avro_and_back() {
        let payload = object(json!({
            "CreatedDate": "2026-12-06T10:00:00.123Z",
            "CreatedById": "005000000000001AAA",
            "Sku__c": "A-1",
            "Amount__c": 12.5,
            "Paid__c": true,
            "Tags__c": ["x", "y"],
            "Address__c": {"City": "Lyon", "Zip": "69001"},
        }));
        let mut topic = TopicSchema::new("/event/Order__e").unwrap();
        assert!(topic.learn(&payload));
        assert!(!topic.learn(&payload), "nothing new the second time");
        let schema = topic.build().unwrap();
        let avro: Value = serde_json::from_str(&schema.json).unwrap();
        assert_eq!(avro["name"], "Order__e");
        assert_eq!(
            avro["fields"][0],
            json!({"name": "CreatedDate", "type": "long"})
        );
        assert_eq!(
            avro["fields"][1],
            json!({"name": "CreatedById", "type": "string"})
        );
        assert_eq!(
            avro["fields"][2],
            json!({"name": "Sku__c", "type": ["null", "string"], "default": null})
        );
        assert_eq!(avro["fields"][3]["type"], json!(["null", "double"]));

        let bytes = schema.encode(&payload).unwrap();
        let back = schema.decode(&bytes).unwrap();
        let mut expected = payload.clone();
        // A date travels as its milliseconds, as Salesforce's do.
        expected["CreatedDate"] =
            json!(crate::salesforce::parse_date("2026-12-06T10:00:00.123Z").unwrap());
        assert_eq!(Value::Object(back), Value::Object(expected));

        // A field the event lacks comes back null; one the schema lacks is not written.
        let sparse =
            object(json!({"CreatedDate": 5, "CreatedById": "u", "Sku__c": "B", "Other__c": 1}));
        let back = schema.decode(&schema.encode(&sparse).unwrap()).unwrap();
        assert_eq!(back["Sku__c"], "B");
        assert_eq!(back["Amount__c"], Value::Null);
        assert_eq!(back["Address__c"], Value::Null);
        assert!(!back.contains_key("Other__c"));

        // A value of another type: a string field takes its JSON text, others are null.
        let odd =
            object(json!({"CreatedDate": 5, "CreatedById": "u", "Sku__c": 7, "Amount__c": "many"}));
        let back = schema.decode(&schema.encode(&odd).unwrap()).unwrap();
        assert_eq!(back["Sku__c"], "7");
        assert_eq!(back["Amount__c"], Value::Null);
    }

    #[test]
    fn the_schema_id_is_stable_and_follows_the_schema() {
        let mut a = TopicSchema::new("/event/Order__e").unwrap();
        let mut b = TopicSchema::new("/event/Order__e").unwrap();
        a.learn(&object(json!({"Sku__c": "1"})));
        b.learn(&object(json!({"Sku__c": "2"})));
        assert_eq!(a.build().unwrap().id, b.build().unwrap().id);
        b.learn(&object(json!({"Qty__c": 2})));
        assert_ne!(a.build().unwrap().id, b.build().unwrap().id);
        // From its own JSON, the same id (what a client computes from GetSchema's answer).
        let built = b.build().unwrap();
        assert_eq!(EventSchema::parse(&built.json).unwrap().id, built.id);
    }

    #[test]
    fn a_change_event_carries_its_header_and_field_bitmaps() {
        let payload = object(json!({
            "ChangeEventHeader": {
                "entityName": "Account", "recordIds": ["001000000000001AAA"], "changeType": "UPDATE",
                "changeOrigin": "com/salesforce/api/rest/59.0", "transactionKey": "k", "sequenceNumber": 1,
                "commitTimestamp": 1765000000000i64, "commitNumber": 42, "commitUser": "005000000000001AAA",
                "nulledFields": ["Phone"], "diffFields": [], "changedFields": ["Name", "Phone", "BillingAddress.City"],
            },
            "Name": "Acme", "Phone": null, "BillingAddress": {"City": "Paris", "Street": null},
        }));
        let mut topic = TopicSchema::new("/data/AccountChangeEvent").unwrap();
        topic.learn(&payload);
        let schema = topic.build().unwrap();
        let bytes = schema.encode(&payload).unwrap();
        // On the wire, positions: Name is field 1, Phone 2 (the header is 0); City is field 0
        // of BillingAddress (field 3).
        let raw = schema.read(&mut &bytes[..]).unwrap();
        let raw = schema.to_json(raw);
        assert_eq!(
            raw["ChangeEventHeader"]["changedFields"],
            json!(["0x6", "3-0x1"])
        );
        assert_eq!(raw["ChangeEventHeader"]["nulledFields"], json!(["0x4"]));
        assert_eq!(raw["ChangeEventHeader"]["changeType"], "UPDATE");
        // Read back: names again, the rest as given.
        let back = schema.decode(&bytes).unwrap();
        assert_eq!(Value::Object(back), Value::Object(payload));
    }

    #[test]
    fn a_schema_from_get_schema_with_a_named_type_used_twice_is_followed() {
        // As Salesforce's change event schemas reuse a compound type (an address) by name.
        let text = json!({
            "type": "record", "name": "ContactChangeEvent", "namespace": NAMESPACE,
            "fields": [
                {"name": "ChangeEventHeader", "type": header_schema()},
                {"name": "MailingAddress", "type": ["null", {"type": "record", "name": "Address",
                    "fields": [{"name": "City", "type": ["null", "string"], "default": null}]}], "default": null},
                {"name": "OtherAddress", "type": ["null", "Address"], "default": null},
                {"name": "Birthdate", "type": ["null", "long"], "default": null},
            ],
        });
        let schema = EventSchema::parse(&text.to_string()).unwrap();
        let payload = object(json!({
            "ChangeEventHeader": {
                "entityName": "Contact", "recordIds": ["003"], "changeType": "UPDATE",
                "changeOrigin": "", "transactionKey": "k", "sequenceNumber": 1, "commitTimestamp": 1,
                "commitNumber": 1, "commitUser": "005", "nulledFields": [], "diffFields": [],
                "changedFields": ["OtherAddress.City", "Birthdate"],
            },
            "MailingAddress": {"City": "Lyon"},
            "OtherAddress": {"City": "Nice"},
            "Birthdate": "1990-01-02T00:00:00.000Z",
        }));
        let back = schema.decode(&schema.encode(&payload).unwrap()).unwrap();
        assert_eq!(back["OtherAddress"], json!({"City": "Nice"}));
        assert_eq!(back["MailingAddress"], json!({"City": "Lyon"}));
        // A date given to a long field travels as its milliseconds.
        assert_eq!(back["Birthdate"], json!(631_238_400_000i64));
        assert_eq!(
            back["ChangeEventHeader"]["changedFields"],
            json!(["Birthdate", "OtherAddress.City"]),
            "top-level names first, then nested ones, as the bitmaps list them"
        );
        assert!(
            EventSchema::parse("\"string\"").is_err(),
            "an event schema is a record"
        );
    }

    #[test]
    fn bitmaps_are_uppercase_hex_of_positions() {
        assert_eq!(hex_bitmap(&[0]), "0x1");
        assert_eq!(hex_bitmap(&[1, 3, 4, 11]), "0x81A");
        assert_eq!(bits_of("0x81A"), [1, 3, 4, 11]);
        assert_eq!(Kind::of("/topic/X"), None);
        assert_eq!(Kind::of("/event/Order__e"), Some(Kind::PlatformEvent));
        assert_eq!(Kind::of("/data/ChangeEvents"), Some(Kind::ChangeEvent));
    }
}
