//! hopeit.engine's stream layout (redis-streams-notes.md): recognising its entries, decoding a
//! payload by the entry's own `ser`/`comp`, and encoding one for `replay --to --layout hopeit`.

use std::borrow::Cow;
use std::io::Read;

use base64::Engine;
use serde_json::Value;

/// The most a decompressed payload may grow to; past it the payload is left undecoded.
pub const MAX_PAYLOAD: u64 = 64 * 1024 * 1024;

/// The fields a hopeit consumer requires of an entry (0.30.1).
pub const REQUIRED: [&str; 8] = [
    "id",
    "type",
    "submit_ts",
    "event_ts",
    "auth_info",
    "ser",
    "comp",
    "payload",
];

/// The value of a field.
pub fn get<'p, B: AsRef<[u8]>>(pairs: &'p [(B, B)], name: &str) -> Option<&'p [u8]> {
    pairs
        .iter()
        .find(|(k, _)| k.as_ref() == name.as_bytes())
        .map(|(_, v)| v.as_ref())
}

/// True when the fields are in hopeit's layout.
pub fn recognise<B: AsRef<[u8]>>(pairs: &[(B, B)]) -> bool {
    let get = |f: &str| get(pairs, f);
    ["type", "ser", "comp", "payload"]
        .iter()
        .all(|f| get(f).is_some())
}

/// Writes the `hopeit` object of an entry's JSON into `out`: type, request id, ser, comp, and
/// the payload decoded (or why not). Written straight out, not built as a `Value` and then
/// serialised: recording does nothing else with it.
pub fn write_description<B: AsRef<[u8]>>(pairs: &[(B, B)], out: &mut Vec<u8>) {
    let get = |f: &str| get(pairs, f);
    let text = |f: &str| get(f).map(String::from_utf8_lossy);
    // Serialising into a Vec cannot fail.
    let member = |out: &mut Vec<u8>, name: &str, value: Option<&str>| {
        if out.last() != Some(&b'{') {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut *out, name);
        out.push(b':');
        let _ = serde_json::to_writer(&mut *out, &value);
    };
    let (ser, comp) = (
        text("ser").unwrap_or_default(),
        text("comp").unwrap_or_default(),
    );
    out.push(b'{');
    member(out, "type", text("type").as_deref());
    if let Some(r) = text("track.request_id") {
        member(out, "request_id", Some(&r));
    }
    member(out, "ser", Some(&ser));
    member(out, "comp", Some(&comp));
    match decode(&ser, &comp, get("payload").unwrap_or_default()) {
        Ok(json) => {
            out.extend_from_slice(b",\"payload\":");
            out.extend_from_slice(&json);
        }
        Err(why) => {
            member(out, "payload", None);
            member(out, "undecoded", Some(&why));
        }
    }
    out.push(b'}');
}

/// Decodes a payload: decompress by `comp`, then deserialise by `ser`; the JSON text, compact.
pub fn decode(ser: &str, comp: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
    let base = ser.split(':').next().unwrap_or("");
    if base == "pickle" {
        return Err(format!(
            "{ser} payloads are kept undecoded (unpickling is not safe)"
        ));
    }
    let bytes = decompress(comp, payload)?;
    let json_bytes = match ser {
        "json" => bytes,
        "json+base64" => base64::engine::general_purpose::STANDARD
            .decode(trim_ascii(&bytes))
            .map_err(|e| format!("ser json+base64: the payload is not base64 ({e})"))?,
        other => return Err(format!("unknown ser `{other}`")),
    };
    compact_json(json_bytes).map_err(|e| format!("ser {ser}: the payload is not JSON ({e})"))
}

/// JSON text checked and without the whitespace between its tokens (a stored event is one
/// line), else kept as it was written: numbers, escapes and every other byte as sent. Checked
/// and copied, not parsed into a `Value` tree and serialised again: that was a third of
/// decoding a payload, and it rewrote numbers (`1e5` became `100000.0`). Text with `\u`
/// escapes is also checked as a tree, which refuses a lone surrogate that a stored event could
/// not be read back with; the tree is then dropped.
pub(crate) fn compact_json(bytes: Vec<u8>) -> Result<Vec<u8>, serde_json::Error> {
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        // Not UTF-8, so not JSON: the parser says where.
        Err(_) => return serde_json::from_slice::<Value>(&bytes).map(|_| bytes),
    };
    if text.contains("\\u") {
        serde_json::from_str::<Value>(text)?;
    } else {
        serde_json::from_str::<serde::de::IgnoredAny>(text)?;
    }
    if !bytes
        .iter()
        .any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in &bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        }
        out.push(b);
    }
    Ok(out)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// Undoes `comp` (its level suffix, `lz4:3`, does not change how to decode).
pub fn decompress(comp: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
    let algo = comp.split(':').next().unwrap_or("");
    let mut out = Vec::new();
    let read = match algo {
        "none" | "" => return Ok(payload.to_vec()),
        "lz4" => return super::lz4::decompress(comp, payload),
        "zip" => flate2::read::ZlibDecoder::new(payload)
            .take(MAX_PAYLOAD + 1)
            .read_to_end(&mut out),
        "gzip" => flate2::read::GzDecoder::new(payload)
            .take(MAX_PAYLOAD + 1)
            .read_to_end(&mut out),
        "bz2" => bzip2::read::BzDecoder::new(payload)
            .take(MAX_PAYLOAD + 1)
            .read_to_end(&mut out),
        "lzma" => {
            let mut input = std::io::BufReader::new(payload);
            let mut bounded = Bounded(&mut out);
            return lzma_rs::xz_decompress(&mut input, &mut bounded)
                .map(|_| out)
                .map_err(|e| format!("comp lzma: {e}"));
        }
        other => return Err(format!("unknown comp `{other}`")),
    };
    read.map_err(|e| format!("comp {comp}: {e}"))?;
    if out.len() as u64 > MAX_PAYLOAD {
        return Err(format!(
            "comp {comp}: decompressed payload larger than {} MiB",
            MAX_PAYLOAD >> 20
        ));
    }
    Ok(out)
}

/// A writer that refuses to grow past [`MAX_PAYLOAD`].
struct Bounded<'a>(&'a mut Vec<u8>);

impl std::io::Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.0.len() + buf.len()) as u64 > MAX_PAYLOAD {
            return Err(std::io::Error::other("decompressed payload too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The `ser`/`comp` pairs feedctl can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `ser=json comp=none`.
    Json,
    /// hopeit's default: `ser=json+base64 comp=lz4`.
    Json64Lz4,
}

impl Encoding {
    pub fn ser(&self) -> &'static str {
        match self {
            Encoding::Json => "json",
            Encoding::Json64Lz4 => "json+base64",
        }
    }
    pub fn comp(&self) -> &'static str {
        match self {
            Encoding::Json => "none",
            Encoding::Json64Lz4 => "lz4",
        }
    }

    /// The payload field for a JSON value, given as its JSON text.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(text, &mut out);
        out
    }

    /// [`Encoding::encode`] appended to `out`, through buffers kept from one payload to the
    /// next (`replay --to` encodes a million).
    pub fn encode_into(&self, text: &str, out: &mut Vec<u8>) {
        thread_local! {
            static BASE64: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        match self {
            Encoding::Json => out.extend_from_slice(text.as_bytes()),
            Encoding::Json64Lz4 => BASE64.with(|b64| {
                let mut b64 = b64.borrow_mut();
                b64.clear();
                base64::engine::general_purpose::STANDARD.encode_string(text, &mut b64);
                super::lz4::frame_into(b64.as_bytes(), out);
            }),
        }
    }
}

/// True for a type hopeit can dispatch on: `module.QualName`, no spaces.
pub fn valid_type(t: &str) -> bool {
    t.contains('.') && !t.contains(char::is_whitespace) && !t.starts_with('.') && !t.ends_with('.')
}

/// hopeit's `submit_ts`: now, UTC, ISO-8601 with microseconds and `+00:00`.
pub fn submit_ts() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now())
        .to_string()
        .replace('Z', "+00:00")
}

/// The fields hopeit's consumers require (redis-streams-notes.md), in hopeit's order, for a
/// payload already encoded by `encoding` (of JSON text that must be a JSON object).
pub fn entry_fields<'a>(
    id: Cow<'a, str>,
    event_type: &'a str,
    submit_ts: &'a str,
    encoding: Encoding,
    payload: Cow<'a, [u8]>,
) -> [(&'static str, Cow<'a, [u8]>); 8] {
    [
        (
            "id",
            match id {
                Cow::Borrowed(id) => Cow::Borrowed(id.as_bytes()),
                Cow::Owned(id) => Cow::Owned(id.into_bytes()),
            },
        ),
        ("type", Cow::Borrowed(event_type.as_bytes())),
        ("submit_ts", Cow::Borrowed(submit_ts.as_bytes())),
        ("event_ts", Cow::Borrowed(b"")),
        ("auth_info", Cow::Borrowed(b"e30=")),
        ("ser", Cow::Borrowed(encoding.ser().as_bytes())),
        ("comp", Cow::Borrowed(encoding.comp().as_bytes())),
        ("payload", payload),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;

    /// A payload decoded, as a value.
    fn decoded(ser: &str, comp: &str, payload: &[u8]) -> Result<Value, String> {
        decode(ser, comp, payload).map(|json| serde_json::from_slice(&json).unwrap())
    }

    #[test]
    fn a_payload_is_stored_as_its_own_text_without_whitespace() {
        let cases = [
            (
                r#"{"text": "a b\" c", "n": 1e5, "big": 123456789012345678901234567890}"#,
                r#"{"text":"a b\" c","n":1e5,"big":123456789012345678901234567890}"#,
            ),
            (
                "{\n  \"a\": [1, 2,\t3],\r\n  \"b\": {}\n}\n",
                r#"{"a":[1,2,3],"b":{}}"#,
            ),
            (r#"{"a":"x"}"#, r#"{"a":"x"}"#),
            // \u escapes are checked through the tree (a lone surrogate is refused there),
            // and kept as sent, numbers too.
            (
                r#"{"e": "\u00e9", "n": 1e5, "x": 0.10}"#,
                r#"{"e":"\u00e9","n":1e5,"x":0.10}"#,
            ),
        ];
        for (text, stored) in cases {
            let json = decode("json", "none", text.as_bytes()).unwrap();
            assert_eq!(String::from_utf8(json).unwrap(), stored);
        }
        for bad in [r#"{"a": 1"#, r#"{"a": 1} x"#, r#"{"a": "\ud800"}"#] {
            let err = decode("json", "none", bad.as_bytes()).unwrap_err();
            assert!(err.contains("not JSON"), "{bad}: {err}");
        }
        let not_utf8 = b"{\"a\": \"\xff\"}";
        assert!(decode("json", "none", not_utf8).is_err());
    }

    #[test]
    fn the_description_has_the_members_in_their_order() {
        let p = |k: &str, v: &[u8]| (k.as_bytes().to_vec(), v.to_vec());
        let mut out = Vec::new();
        write_description(
            &[
                p("type", b"a.B"),
                p("track.request_id", b"r\"1"),
                p("ser", b"json"),
                p("comp", b"none"),
                p("payload", b"{ \"x\": 1 }"),
            ],
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"type":"a.B","request_id":"r\"1","ser":"json","comp":"none","payload":{"x":1}}"#
        );
        let mut out = Vec::new();
        write_description(
            &[
                p("ser", b"pickle:4"),
                p("comp", b"none"),
                p("payload", b"\x80"),
            ],
            &mut out,
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["type"], Value::Null);
        assert_eq!(v["payload"], Value::Null);
        assert!(v["undecoded"].as_str().unwrap().contains("pickle"));
    }

    #[test]
    fn a_broken_lz4_payload_does_not_spoil_the_next() {
        let v = json!({"text": "after"});
        let good = Encoding::Json64Lz4.encode(&v.to_string());
        let cut = &good[..good.len() - 6];
        assert!(decoded("json+base64", "lz4", cut).is_err());
        assert_eq!(decoded("json+base64", "lz4", &good).unwrap(), v);
        assert_eq!(decoded("json+base64", "lz4", &good).unwrap(), v);
    }

    #[test]
    fn decodes_every_compression() {
        let v = json!({"text": "hi", "status": "VALID"});
        let b64 = base64::engine::general_purpose::STANDARD.encode(v.to_string());
        let lz4 = Encoding::Json64Lz4.encode(&v.to_string());
        assert_eq!(&lz4[..4], &[0x04, 0x22, 0x4d, 0x18], "an LZ4 frame");
        assert_eq!(decoded("json+base64", "lz4", &lz4).unwrap(), v);
        assert_eq!(
            decoded("json", "none", v.to_string().as_bytes()).unwrap(),
            v
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b64.as_bytes()).unwrap();
        assert_eq!(
            decoded("json+base64", "zip:9", &z.finish().unwrap()).unwrap(),
            v
        );
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        g.write_all(v.to_string().as_bytes()).unwrap();
        assert_eq!(decoded("json", "gzip:1", &g.finish().unwrap()).unwrap(), v);
        let mut b = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        b.write_all(v.to_string().as_bytes()).unwrap();
        assert_eq!(decoded("json", "bz2", &b.finish().unwrap()).unwrap(), v);
        let mut x = Vec::new();
        lzma_rs::xz_compress(&mut v.to_string().as_bytes(), &mut x).unwrap();
        assert_eq!(decoded("json", "lzma", &x).unwrap(), v);
        assert!(decoded("pickle:4", "none", b"\x80\x04")
            .unwrap_err()
            .contains("undecoded"));
    }
}
