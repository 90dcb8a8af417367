//! JSON that feedctl re-serialises (`-o json` documents, `journal show` rows) written so that a
//! terminal cannot act on it: serde_json already escapes C0 controls (`\u001b`), and this also
//! escapes DEL, the C1 controls (U+009B is a one-character CSI) and the bidirectional
//! overrides as `\u009b`. Any JSON parser reads the same strings. Raw values (events kept as
//! received) are written untouched, so exact-byte outputs stay exact.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// One JSON document, indented, terminal-safe.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    to_string(value, Safe(PrettyFormatter::new()))
}

/// One JSON document on one line, terminal-safe.
pub fn to_string_compact<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    to_string(value, Safe(CompactFormatter))
}

fn to_string<T: Serialize + ?Sized, F: Formatter>(value: &T, f: F) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, f))?;
    // The serializer writes only whole UTF-8 strings and ASCII escapes.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// A formatter that escapes what a terminal may act on and otherwise does what `F` does.
struct Safe<F>(F);

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if crate::text::terminal_unsafe(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_and_bidi_are_escaped_and_parse_back_the_same() {
        let v = serde_json::json!({"t": "a\u{1b}[2Kb\u{9b}31m\u{7f}\u{202e}é✓"});
        let s = to_string_compact(&v).unwrap();
        assert_eq!(s, r#"{"t":"a\u001b[2Kb\u009b31m\u007f\u202eé✓"}"#);
        assert!(!s.chars().any(crate::text::terminal_unsafe));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
        let pretty = to_string_pretty(&v).unwrap();
        assert_eq!(
            pretty,
            serde_json::to_string_pretty(&v)
                .unwrap()
                .replace('\u{9b}', "\\u009b")
                .replace('\u{7f}', "\\u007f")
                .replace('\u{202e}', "\\u202e")
        );
    }

    #[test]
    fn raw_values_are_kept() {
        let raw = serde_json::value::RawValue::from_string("{\"t\":\"\u{9b}\"}".into()).unwrap();
        assert_eq!(to_string_compact(&raw).unwrap(), "{\"t\":\"\u{9b}\"}");
    }
}
