//! `--schema FILE`: hopeit payloads checked against their dataobject's JSON Schema before
//! anything is written, since one payload a hopeit consumer cannot validate stops its read loop
//! (redis-streams-notes.md). The file is a JSON Schema, or an OpenAPI document (what
//! `hopeit_openapi create` writes), whose `components/schemas/<Class>` is taken for hopeit's
//! type `module.Class`; `FILE#/json/pointer` picks any other schema in the file. `$ref`s
//! resolve within the file only: the validator has no retriever of files or URLs.

use std::path::Path;

use serde_json::{Map, Value};

/// The largest schema file read.
pub const MAX_FILE: u64 = 16 * 1024 * 1024;

/// The longest a problem's description may be (a long `enum`, a long value): clipped past it.
const MAX_PROBLEM: usize = 300;

/// Keywords that validate the instance where they stand: not copied from the document's root
/// into the schema built around a `#/pointer` (the root is not the schema asked for).
const ASSERTING: [&str; 36] = [
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "minProperties",
    "maxProperties",
    "items",
    "prefixItems",
    "additionalItems",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
    "format",
    "pattern",
];

/// A compiled schema for one dataobject.
pub struct PayloadSchema {
    validator: jsonschema::Validator,
    /// Which schema of which file, for messages: `FILE` or `FILE#/pointer`.
    pub source: String,
}

impl std::fmt::Debug for PayloadSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayloadSchema")
            .field("source", &self.source)
            .finish()
    }
}

impl PartialEq for PayloadSchema {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// `FILE` and the pointer after its last `#`, unless a file is named with the `#`.
fn split_arg(arg: &str) -> (&str, Option<&str>) {
    if Path::new(arg).exists() {
        return (arg, None);
    }
    match arg.rsplit_once('#') {
        Some((file, pointer)) => (file, Some(pointer)),
        None => (arg, None),
    }
}

fn read_document(file: &str) -> Result<Value, String> {
    let meta = std::fs::metadata(file).map_err(|e| format!("--schema {file}: {e}"))?;
    if meta.len() > MAX_FILE {
        return Err(format!(
            "--schema {file}: larger than {} MiB",
            MAX_FILE >> 20
        ));
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("--schema {file}: {e}"))?;
    let yaml = [".yaml", ".yml"].iter().any(|x| file.ends_with(x));
    if yaml {
        serde_yaml_ng::from_str(&text).map_err(|e| format!("--schema {file}: not YAML ({e})"))
    } else {
        serde_json::from_str(&text).map_err(|e| format!("--schema {file}: not JSON ({e})"))
    }
}

impl PayloadSchema {
    /// The schema `arg` names (`FILE` or `FILE#/pointer`) for hopeit's type `event_type`.
    pub fn load(arg: &str, event_type: Option<&str>) -> Result<PayloadSchema, String> {
        let (file, pointer) = split_arg(arg);
        let doc = read_document(file)?;
        let is_openapi = doc.get("openapi").is_some_and(Value::is_string);
        let pointer = match (pointer, is_openapi) {
            (Some(p), _) => Some(p.to_string()),
            (None, false) => None,
            (None, true) => {
                let class = event_type
                    .and_then(|t| t.rsplit('.').next())
                    .ok_or_else(|| format!("--schema {file} is an OpenAPI document: name its schema, {file}#/components/schemas/NAME"))?;
                Some(format!("/components/schemas/{class}"))
            }
        };
        let source = match &pointer {
            Some(p) => format!("{file}#{p}"),
            None => file.to_string(),
        };
        let schema = match &pointer {
            None => doc,
            Some(p) => {
                if !p.is_empty() && !p.starts_with('/') {
                    return Err(format!(
                        "--schema {source}: `#{p}` is not a JSON pointer (#/components/schemas/NAME)"
                    ));
                }
                if doc.pointer(p).is_none() {
                    let names: Vec<&str> = doc
                        .pointer("/components/schemas")
                        .and_then(Value::as_object)
                        .map(|m| m.keys().take(20).map(String::as_str).collect())
                        .unwrap_or_default();
                    let known = match names.is_empty() {
                        true => String::new(),
                        false => format!(" (its components/schemas: {})", names.join(", ")),
                    };
                    return Err(format!(
                        "--schema {source}: no such schema in the file{known}"
                    ));
                }
                around(doc, p)
            }
        };
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| {
                format!(
                    "--schema {source}: not a usable JSON Schema: {} (only `$ref`s within the file resolve)",
                    crate::text::clip(&e.to_string(), MAX_PROBLEM)
                )
            })?;
        Ok(PayloadSchema { validator, source })
    }

    /// The payload's problems (`at /path: what [rule]`), the first `max` of them pushed onto
    /// `out`; how many there are.
    pub fn problems(&self, payload: &Value, max: usize, out: &mut Vec<String>) -> usize {
        let mut n = 0;
        for e in self.validator.iter_errors(payload) {
            if n < max {
                let at = e.instance_path().to_string();
                let what = crate::text::clip(&e.to_string(), MAX_PROBLEM);
                out.push(format!(
                    "at {}: {} [{}]",
                    if at.is_empty() { "/" } else { &at },
                    crate::text::terminal_safe(&what),
                    e.kind().keyword()
                ));
            }
            n += 1;
        }
        n
    }
}

/// The schema at `pointer` of `doc`, as a schema whose `$ref`s into the rest of the document
/// (`#/components/schemas/Status`) still resolve: `{"$ref": "#pointer"}` with the document's
/// root members that do not validate (`components`, `$defs`, `$schema`, `$id`...).
fn around(doc: Value, pointer: &str) -> Value {
    let mut root = Map::new();
    if let Value::Object(members) = doc {
        for (k, v) in members {
            if !ASSERTING.contains(&k.as_str()) {
                root.insert(k, v);
            }
        }
    }
    root.insert("$ref".into(), Value::String(format!("#{pointer}")));
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(dir: &Path, name: &str, v: &Value) -> String {
        let p = dir.join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p.display().to_string()
    }

    fn problems(s: &PayloadSchema, v: Value) -> (usize, Vec<String>) {
        let mut out = Vec::new();
        let n = s.problems(&v, 2, &mut out);
        (n, out)
    }

    #[test]
    fn an_openapi_document_gives_the_type_s_schema_with_its_refs() {
        let dir = tempfile::tempdir().unwrap();
        let doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "Status": {"enum": ["NEW", "VALID"], "type": "string"},
            "MyMessage": {"type": "object", "required": ["text", "status"], "properties": {
                "text": {"type": "string"}, "status": {"$ref": "#/components/schemas/Status"}}}}}});
        let file = write(dir.path(), "api.json", &doc);
        let s = PayloadSchema::load(&file, Some("app.model.MyMessage")).unwrap();
        assert_eq!(s.source, format!("{file}#/components/schemas/MyMessage"));
        assert_eq!(problems(&s, json!({"text": "a", "status": "NEW"})).0, 0);
        let (n, out) = problems(&s, json!({"text": 1, "status": "BOGUS\u{1b}"}));
        assert_eq!(n, 2, "{out:?}");
        assert!(
            out.iter()
                .any(|p| p.starts_with("at /status: ") && p.ends_with("[enum]")),
            "{out:?}"
        );
        assert!(
            out.iter()
                .any(|p| p.starts_with("at /text: ") && p.ends_with("[type]")),
            "{out:?}"
        );
        assert!(out.iter().all(|p| !p.contains('\u{1b}')), "{out:?}");
        let (n, out) = problems(&s, json!({}));
        assert_eq!((n, out.len()), (2, 2));
        assert!(out[0].starts_with("at /: "), "{out:?}");

        // Another schema by pointer; a missing one names those there are.
        let s = PayloadSchema::load(&format!("{file}#/components/schemas/Status"), None).unwrap();
        assert_eq!(problems(&s, json!("VALID")).0, 0);
        let e = PayloadSchema::load(&file, Some("app.model.Other")).unwrap_err();
        assert!(e.contains("Status, MyMessage"), "{e}");
    }

    #[test]
    fn a_plain_schema_is_taken_whole_and_remote_refs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let plain = json!({"$defs": {"n": {"type": "integer"}}, "type": "object",
            "properties": {"n": {"$ref": "#/$defs/n"}}, "additionalProperties": false});
        let file = write(dir.path(), "s.json", &plain);
        let s = PayloadSchema::load(&file, Some("a.B")).unwrap();
        assert_eq!(problems(&s, json!({"n": 1})).0, 0);
        assert_eq!(problems(&s, json!({"n": "1", "x": 2})).0, 2);
        for remote in [
            json!({"$ref": "https://example.com/schema.json"}),
            json!({"$ref": "other.json"}),
        ] {
            let file = write(dir.path(), "r.json", &remote);
            let e = PayloadSchema::load(&file, None).unwrap_err();
            assert!(e.contains("not a usable JSON Schema"), "{e}");
        }
        let file = write(dir.path(), "bad.json", &json!({"type": 12}));
        assert!(PayloadSchema::load(&file, None).is_err());
    }
}
