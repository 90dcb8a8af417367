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

/// hopeit's serialisations feedctl writes (`pickle` never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ser {
    /// `json`: the UTF-8 JSON text.
    Json,
    /// `json+base64`: base64 of that text (hopeit's default).
    Json64,
}

/// hopeit's compressions (`hopeit.server.compression`), written at hopeit's default levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comp {
    None,
    /// An LZ4 frame (hopeit's default).
    Lz4,
    /// A zlib stream (Python's `zlib.compress`, level 6), not a zip archive.
    Zip,
    /// A gzip member (`gzip.compress`, level 9).
    Gzip,
    /// A bzip2 stream (`bz2.compress`, level 9).
    Bz2,
    /// An xz container (`lzma.compress`).
    Lzma,
}

impl Comp {
    /// Every compression, by its `comp` value.
    pub const ALL: [Comp; 6] = [
        Comp::None,
        Comp::Lz4,
        Comp::Zip,
        Comp::Gzip,
        Comp::Bz2,
        Comp::Lzma,
    ];

    /// The `comp` field's value: the bare name, which hopeit decodes whatever level wrote it.
    pub fn name(&self) -> &'static str {
        match self {
            Comp::None => "none",
            Comp::Lz4 => "lz4",
            Comp::Zip => "zip",
            Comp::Gzip => "gzip",
            Comp::Bz2 => "bz2",
            Comp::Lzma => "lzma",
        }
    }

    pub fn parse(name: &str) -> Option<Comp> {
        Comp::ALL.into_iter().find(|c| c.name() == name)
    }

    /// `data` compressed, appended to `out`.
    fn compress_into(&self, data: &[u8], out: &mut Vec<u8>) {
        use std::io::Write;
        // Writing into a Vec cannot fail: the encoders' errors are the Vec's.
        match self {
            Comp::None => out.extend_from_slice(data),
            Comp::Lz4 => super::lz4::frame_into(data, out),
            Comp::Zip => {
                let mut z = flate2::write::ZlibEncoder::new(out, flate2::Compression::new(6));
                let _ = z.write_all(data);
                let _ = z.finish();
            }
            Comp::Gzip => {
                let mut z = flate2::write::GzEncoder::new(out, flate2::Compression::new(9));
                let _ = z.write_all(data);
                let _ = z.finish();
            }
            Comp::Bz2 => {
                let mut z = bzip2::write::BzEncoder::new(out, bzip2::Compression::new(9));
                let _ = z.write_all(data);
                let _ = z.finish();
            }
            Comp::Lzma => {
                let _ = lzma_rs::xz_compress(&mut std::io::Cursor::new(data), out);
            }
        }
    }
}

/// The `ser`/`comp` pair feedctl writes a payload with: any serialisation with any compression,
/// as hopeit itself allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    pub ser: Ser,
    pub comp: Comp,
}

impl Encoding {
    /// `ser=json comp=none`.
    pub const JSON: Encoding = Encoding {
        ser: Ser::Json,
        comp: Comp::None,
    };
    /// hopeit's default: `ser=json+base64 comp=lz4`.
    pub const JSON64_LZ4: Encoding = Encoding {
        ser: Ser::Json64,
        comp: Comp::Lz4,
    };

    /// From the values of `--hopeit-ser` and `--hopeit-comp`.
    pub fn parse(ser: &str, comp: &str) -> Option<Encoding> {
        let ser = match ser {
            "json" => Ser::Json,
            "json+base64" => Ser::Json64,
            _ => return None,
        };
        Some(Encoding {
            ser,
            comp: Comp::parse(comp)?,
        })
    }

    pub fn ser(&self) -> &'static str {
        match self.ser {
            Ser::Json => "json",
            Ser::Json64 => "json+base64",
        }
    }
    pub fn comp(&self) -> &'static str {
        self.comp.name()
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
        match self.ser {
            Ser::Json => self.comp.compress_into(text.as_bytes(), out),
            Ser::Json64 => BASE64.with(|b64| {
                let mut b64 = b64.borrow_mut();
                b64.clear();
                base64::engine::general_purpose::STANDARD.encode_string(text, &mut b64);
                self.comp.compress_into(b64.as_bytes(), out);
            }),
        }
    }
}

/// hopeit's `comp` values (its `Compression` enum, 0.30.1): any other stops its read loop.
pub const COMPS: [&str; 14] = [
    "none", "lz4", "lz4:0", "lz4:16", "zip", "zip:1", "zip:9", "gzip", "gzip:1", "gzip:9", "bz2",
    "bz2:1", "bz2:9", "lzma",
];

/// hopeit's `ser` values (its `Serialization` enum, 0.30.1).
pub const SERS: [&str; 5] = ["json", "json+base64", "pickle:3", "pickle:4", "pickle:5"];

/// Why a hopeit consumer cannot read this entry (its read loop stops on such an entry,
/// redis-streams-notes.md): a required field missing or not UTF-8, a `ser`, `comp` or `type`
/// it does not know, an `auth_info` that is not base64 JSON, a payload that does not decode.
/// Else the payload's JSON text, decoded (`None` for a pickled one, never unpickled).
pub fn consumer_check<B: AsRef<[u8]>>(pairs: &[(B, B)]) -> Result<Option<Vec<u8>>, String> {
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|f| get(pairs, f).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "it lacks hopeit's {} {}, which a hopeit consumer needs",
            if missing.len() == 1 {
                "field"
            } else {
                "fields"
            },
            missing.join(", ")
        ));
    }
    let text = |f: &str| -> Result<&str, String> {
        std::str::from_utf8(get(pairs, f).unwrap_or_default())
            .map_err(|_| format!("its hopeit field {f} is not UTF-8"))
    };
    for f in ["id", "submit_ts", "event_ts"] {
        text(f)?;
    }
    let (event_type, ser, comp) = (text("type")?, text("ser")?, text("comp")?);
    if !valid_type(event_type) {
        return Err("its hopeit type is not module.QualName".into());
    }
    if !SERS.contains(&ser) {
        return Err(format!(
            "hopeit knows no ser `{}`",
            crate::text::clip(&crate::text::terminal_safe(ser), 40)
        ));
    }
    if !COMPS.contains(&comp) {
        return Err(format!(
            "hopeit knows no comp `{}`",
            crate::text::clip(&crate::text::terminal_safe(comp), 40)
        ));
    }
    let auth = base64::engine::general_purpose::STANDARD
        .decode(trim_ascii(get(pairs, "auth_info").unwrap_or_default()))
        .ok()
        .and_then(|json| serde_json::from_slice::<Value>(&json).ok());
    if auth.is_none() {
        return Err("its auth_info is not base64 of JSON (`e30=` is {})".into());
    }
    if ser.starts_with("pickle") {
        return Ok(None);
    }
    decode(ser, comp, get(pairs, "payload").unwrap_or_default())
        .map(Some)
        .map_err(|why| format!("its hopeit payload does not decode: {why}"))
}

/// True for the name hopeit gives a consumer: `<UTC ISO time>.<host>.<pid>.<object id>`
/// (`2026-12-02T00:11:47.739104+00:00.myhost.4242.140234`).
pub fn consumer_name(name: &str) -> bool {
    let b = name.as_bytes();
    let date = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && b[10] == b'T';
    let mut tail = name.rsplitn(3, '.');
    let digits =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()));
    date && name.contains("+00:00.") && digits(tail.next()) && digits(tail.next())
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
        let good = Encoding::JSON64_LZ4.encode(&v.to_string());
        let cut = &good[..good.len() - 6];
        assert!(decoded("json+base64", "lz4", cut).is_err());
        assert_eq!(decoded("json+base64", "lz4", &good).unwrap(), v);
        assert_eq!(decoded("json+base64", "lz4", &good).unwrap(), v);
    }

    #[test]
    fn every_encoding_written_decodes_to_the_payload() {
        let v = json!({"text": "hi ünï", "status": "VALID", "n": [1, 2.5]});
        let magic: [(Comp, &[u8]); 6] = [
            (Comp::None, b"{"),
            (Comp::Lz4, &[0x04, 0x22, 0x4d, 0x18]),
            // zlib at level 6 (hopeit's zip), gzip, bzip2 at level 9, xz.
            (Comp::Zip, &[0x78, 0x9c]),
            (Comp::Gzip, &[0x1f, 0x8b]),
            (Comp::Bz2, b"BZh9"),
            (Comp::Lzma, &[0xfd, b'7', b'z', b'X', b'Z', 0x00]),
        ];
        for (comp, head) in magic {
            for (ser, name) in [(Ser::Json, "json"), (Ser::Json64, "json+base64")] {
                let e = Encoding::parse(name, comp.name()).unwrap();
                assert_eq!(
                    (e.ser, e.comp, e.ser(), e.comp()),
                    (ser, comp, name, comp.name())
                );
                let mut out = b"kept".to_vec();
                e.encode_into(&v.to_string(), &mut out);
                let payload = &out[4..];
                assert_eq!(&out[..4], b"kept", "appended");
                if ser == Ser::Json || comp != Comp::None {
                    assert!(payload.starts_with(head), "{name} {comp:?}");
                }
                assert_eq!(
                    decoded(name, comp.name(), payload).unwrap(),
                    v,
                    "{name} {comp:?}"
                );
            }
        }
        assert_eq!(Encoding::parse("pickle:4", "none"), None);
        assert_eq!(Encoding::parse("json", "zip:9"), None);
    }

    #[test]
    fn a_consumer_check_names_what_a_hopeit_consumer_cannot_read() {
        let entry = |skip: &str, set: (&str, &[u8])| -> Vec<(Vec<u8>, Vec<u8>)> {
            let payload = Encoding::JSON64_LZ4.encode(r#"{"text":"a"}"#);
            let fields = entry_fields(
                "i".into(),
                "app.m.T",
                "2026-12-02T00:11:47.739104+00:00",
                Encoding::JSON64_LZ4,
                payload.into(),
            );
            fields
                .into_iter()
                .filter(|(k, _)| *k != skip)
                .map(|(k, v)| match k == set.0 {
                    true => (k.as_bytes().to_vec(), set.1.to_vec()),
                    false => (k.as_bytes().to_vec(), v.into_owned()),
                })
                .collect()
        };
        let ok = consumer_check(&entry("", ("", b""))).unwrap();
        assert_eq!(ok.as_deref(), Some(&br#"{"text":"a"}"#[..]));
        type Case<'a> = (&'a str, (&'a str, &'a [u8]), &'a str);
        let cases: [Case; 7] = [
            ("submit_ts", ("", b""), "lacks hopeit's field submit_ts"),
            ("", ("type", b"T"), "not module.QualName"),
            ("", ("comp", b"zip:6"), "no comp `zip:6`"),
            ("", ("ser", b"yaml"), "no ser `yaml`"),
            ("", ("auth_info", b"{}"), "auth_info"),
            ("", ("payload", b"\x04\x22"), "does not decode"),
            ("", ("event_ts", b"\xff"), "event_ts is not UTF-8"),
        ];
        for (skip, set, want) in cases {
            let e = consumer_check(&entry(skip, set)).unwrap_err();
            assert!(e.contains(want), "{skip} {set:?}: {e}");
        }
        let pickled = entry("", ("ser", b"pickle:4"));
        assert_eq!(consumer_check(&pickled), Ok(None));
    }

    #[test]
    fn hopeit_s_consumer_names_are_told_from_others() {
        for yes in [
            "2026-12-02T00:11:47.739104+00:00.vm.4242.140234567",
            "2026-12-02T00:11:47+00:00.host.name.with.dots.1.2",
        ] {
            assert!(consumer_name(yes), "{yes}");
        }
        for no in [
            "feedctl-host",
            "worker-1",
            "2026-12-02T00:11:47+00:00.host.pid.x",
            "2026-12-02.host.1.2",
            "",
        ] {
            assert!(!consumer_name(no), "{no}");
        }
    }

    #[test]
    fn decodes_every_compression() {
        let v = json!({"text": "hi", "status": "VALID"});
        let b64 = base64::engine::general_purpose::STANDARD.encode(v.to_string());
        let lz4 = Encoding::JSON64_LZ4.encode(&v.to_string());
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
