//! hopeit.engine's stream layout (redis-streams-notes.md): recognising its entries, decoding a
//! payload by the entry's own `ser`/`comp`, and encoding one for `replay --to --layout hopeit`.

use std::io::Read;

use base64::Engine;
use serde_json::{json, Map, Value};

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
pub fn get<'p>(pairs: &'p [(Vec<u8>, Vec<u8>)], name: &str) -> Option<&'p [u8]> {
    pairs
        .iter()
        .find(|(k, _)| k.as_slice() == name.as_bytes())
        .map(|(_, v)| v.as_slice())
}

/// True when the fields are in hopeit's layout.
pub fn recognise(pairs: &[(Vec<u8>, Vec<u8>)]) -> bool {
    let get = |f: &str| get(pairs, f);
    ["type", "ser", "comp", "payload"]
        .iter()
        .all(|f| get(f).is_some())
}

/// The `hopeit` object of an entry's JSON: type, request id, ser, comp, and the payload decoded
/// (or why not).
pub fn describe(pairs: &[(Vec<u8>, Vec<u8>)]) -> Value {
    let get = |f: &str| get(pairs, f);
    let text = |f: &str| get(f).map(|v| String::from_utf8_lossy(v).into_owned());
    let ser = text("ser").unwrap_or_default();
    let comp = text("comp").unwrap_or_default();
    let mut out = Map::new();
    out.insert("type".into(), json!(text("type")));
    if let Some(r) = text("track.request_id") {
        out.insert("request_id".into(), json!(r));
    }
    out.insert("ser".into(), json!(ser));
    out.insert("comp".into(), json!(comp));
    match decode(&ser, &comp, get("payload").unwrap_or_default()) {
        Ok(v) => {
            out.insert("payload".into(), v);
        }
        Err(why) => {
            out.insert("payload".into(), Value::Null);
            out.insert("undecoded".into(), json!(why));
        }
    }
    Value::Object(out)
}

/// Decodes a payload: decompress by `comp`, then deserialise by `ser`.
pub fn decode(ser: &str, comp: &str, payload: &[u8]) -> Result<Value, String> {
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
    serde_json::from_slice(&json_bytes)
        .map_err(|e| format!("ser {ser}: the payload is not JSON ({e})"))
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
        match self {
            Encoding::Json => text.as_bytes().to_vec(),
            Encoding::Json64Lz4 => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(text);
                super::lz4::frame(b64.as_bytes())
            }
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
/// payload (its JSON text) that must be a JSON object.
pub fn entry_fields(
    id: &str,
    event_type: &str,
    submit_ts: &str,
    encoding: Encoding,
    payload: &str,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    vec![
        (b"id".to_vec(), id.as_bytes().to_vec()),
        (b"type".to_vec(), event_type.as_bytes().to_vec()),
        (b"submit_ts".to_vec(), submit_ts.as_bytes().to_vec()),
        (b"event_ts".to_vec(), Vec::new()),
        (b"auth_info".to_vec(), b"e30=".to_vec()),
        (b"ser".to_vec(), encoding.ser().as_bytes().to_vec()),
        (b"comp".to_vec(), encoding.comp().as_bytes().to_vec()),
        (b"payload".to_vec(), encoding.encode(payload)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_broken_lz4_payload_does_not_spoil_the_next() {
        let v = json!({"text": "after"});
        let good = Encoding::Json64Lz4.encode(&v.to_string());
        let cut = &good[..good.len() - 6];
        assert!(decode("json+base64", "lz4", cut).is_err());
        assert_eq!(decode("json+base64", "lz4", &good).unwrap(), v);
        assert_eq!(decode("json+base64", "lz4", &good).unwrap(), v);
    }

    #[test]
    fn decodes_every_compression() {
        let v = json!({"text": "hi", "status": "VALID"});
        let b64 = base64::engine::general_purpose::STANDARD.encode(v.to_string());
        let lz4 = Encoding::Json64Lz4.encode(&v.to_string());
        assert_eq!(&lz4[..4], &[0x04, 0x22, 0x4d, 0x18], "an LZ4 frame");
        assert_eq!(decode("json+base64", "lz4", &lz4).unwrap(), v);
        assert_eq!(decode("json", "none", v.to_string().as_bytes()).unwrap(), v);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b64.as_bytes()).unwrap();
        assert_eq!(
            decode("json+base64", "zip:9", &z.finish().unwrap()).unwrap(),
            v
        );
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        g.write_all(v.to_string().as_bytes()).unwrap();
        assert_eq!(decode("json", "gzip:1", &g.finish().unwrap()).unwrap(), v);
        let mut b = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        b.write_all(v.to_string().as_bytes()).unwrap();
        assert_eq!(decode("json", "bz2", &b.finish().unwrap()).unwrap(), v);
        let mut x = Vec::new();
        lzma_rs::xz_compress(&mut v.to_string().as_bytes(), &mut x).unwrap();
        assert_eq!(decode("json", "lzma", &x).unwrap(), v);
        assert!(decode("pickle:4", "none", b"\x80\x04")
            .unwrap_err()
            .contains("undecoded"));
    }
}
