//! Where the bytes of served events stay while serve runs: a file (here) or a journal (the
//! command's adapter), read when a feed reads them. The hub's log then costs 16 bytes an event
//! instead of the event itself, so serving a million events fits in a few dozen MiB.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::value::RawValue;

use crate::symphony::event::{id_and_stream_spans, FieldSpan};

/// Events kept outside memory; a key is the store's own name for one of them.
pub trait EventStore: Send + Sync {
    /// The events with these keys, in order; an error says what went wrong with the store (it
    /// is answered as a 500).
    fn fetch(&self, keys: &[u64]) -> Result<Vec<Fetched>, String>;

    /// The journal row of the event, when the store is a journal (the outbox links replies to it).
    fn row(&self, key: u64) -> Option<i64>;

    /// What to say when the event of `key` no longer is one JSON object.
    fn changed(&self, key: u64) -> String;
}

/// An event read back from a store.
#[derive(Debug)]
pub struct Fetched {
    /// Its exact text, shared as is by the reads that serve it.
    pub text: Arc<str>,
    /// Its id and stream id when the store noted them before; `None` has the hub read them
    /// from the text, in the pass that also checks it is still one JSON object.
    pub known: Option<Known>,
}

/// An event's id and stream id, as [`crate::symphony::event::id_and_stream`] reads them.
#[derive(Debug)]
pub struct Known {
    pub id: Option<Arc<str>>,
    pub stream_id: Option<Arc<str>>,
}

/// Why an events file cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    #[error("{0}")]
    Read(#[from] std::io::Error),
    /// A line that is not one JSON object; the text names the line.
    #[error("{0}")]
    Line(String),
}

/// An NDJSON file of events, indexed once: where each event's bytes are, and where its id and
/// stream id lie in them (24 bytes an event). The file stays open, so one renamed or deleted
/// under a running serve is still served; one rewritten in place is noticed when an event's
/// place no longer holds an object with its id and stream where they were.
pub struct FileStore {
    file: File,
    path: PathBuf,
    places: Vec<Place>,
}

/// Where one event of the file is. The id and stream id are kept as places in the event's bytes
/// (offsets from its start) because a read then copies them instead of parsing the event: that
/// parse was a third of serve's CPU while a client read as fast as it could.
#[derive(Clone, Copy)]
struct Place {
    start: u64,
    len: u32,
    id_at: u32,
    stream_at: u32,
    id_len: u16,
    stream_len: u16,
}

// A million events: 24 MiB.
const _: () = assert!(std::mem::size_of::<Place>() == 24);

/// `*_at` of a field the event does not have.
const ABSENT: u32 = u32::MAX;
/// `id_len` of an event whose fields are read from its text when served: one written with
/// escapes (its text is not a slice of the event's), or too long to note here.
const REREAD: u16 = u16::MAX;

impl Place {
    fn new(start: u64, len: u32, (id, stream): (FieldSpan, FieldSpan)) -> Place {
        let mut place = Place {
            start,
            len,
            id_at: ABSENT,
            stream_at: ABSENT,
            id_len: 0,
            stream_len: 0,
        };
        let note = |span: FieldSpan| match span {
            FieldSpan::Absent => Some((ABSENT, 0)),
            FieldSpan::At(r) => Some((
                u32::try_from(r.start).ok().filter(|&at| at != ABSENT)?,
                u16::try_from(r.len()).ok().filter(|&n| n != REREAD)?,
            )),
            FieldSpan::Escaped => None,
        };
        match (note(id), note(stream)) {
            (Some((id_at, id_len)), Some((stream_at, stream_len))) => {
                (place.id_at, place.id_len) = (id_at, id_len);
                (place.stream_at, place.stream_len) = (stream_at, stream_len);
            }
            _ => place.id_len = REREAD,
        }
        place
    }

    /// The event's id and stream id out of its text, when noted; `Err` when the text no longer
    /// holds a JSON string where one was.
    fn known(&self, text: &str) -> Result<Option<Known>, ()> {
        if self.id_len == REREAD {
            return Ok(None);
        }
        let field = |at: u32, len: u16| -> Result<Option<Arc<str>>, ()> {
            if at == ABSENT {
                return Ok(None);
            }
            let (at, len) = (at as usize, usize::from(len));
            // The quotes around the string are a check that the field is still there.
            let quoted = text.get(at.wrapping_sub(1)..at + len + 1).ok_or(())?;
            if !(quoted.starts_with('"') && quoted.ends_with('"')) {
                return Err(());
            }
            Ok(Some(Arc::from(&quoted[1..quoted.len() - 1])))
        };
        Ok(Some(Known {
            id: field(self.id_at, self.id_len)?,
            stream_id: field(self.stream_at, self.stream_len)?,
        }))
    }
}

/// Reads no more than this at once when neighbouring events are fetched in one read.
const MAX_SPAN: u64 = 4 << 20;

impl FileStore {
    /// Checks every line as [`super::read_ndjson`] does (blank lines skipped, one JSON object a
    /// line, its surrounding whitespace not part of the event) and notes where each event is.
    pub fn open(path: &Path) -> Result<Self, FileStoreError> {
        let file = File::open(path)?;
        let mut reader = BufReader::with_capacity(1 << 16, &file);
        let mut places = Vec::new();
        let mut line = Vec::new();
        let (mut at, mut n) = (0u64, 0usize);
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            if read == 0 {
                break;
            }
            n += 1;
            // The same error as reading the whole file as text gave.
            let text = std::str::from_utf8(&line).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                )
            })?;
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                // One pass both checks the line and finds its id and stream.
                let spans = id_and_stream_spans(trimmed)
                    .map_err(|e| FileStoreError::Line(bad_line(n, trimmed, e)))?;
                let len = u32::try_from(trimmed.len()).map_err(|_| {
                    FileStoreError::Line(format!("line {n}: an event of over 4 GiB"))
                })?;
                let start = at + (text.len() - text.trim_start().len()) as u64;
                places.push(Place::new(start, len, spans));
            }
            at += read as u64;
        }
        drop(reader);
        Ok(FileStore {
            file,
            path: path.to_path_buf(),
            places,
        })
    }

    /// How many events the file holds; their keys are `0..len`.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    fn place(&self, key: u64) -> Result<&Place, String> {
        usize::try_from(key)
            .ok()
            .and_then(|k| self.places.get(k))
            .ok_or_else(|| self.changed(key))
    }
}

/// Why a line cannot be served, in the words of reading the file as JSON lines.
fn bad_line(n: usize, text: &str, e: serde_json::Error) -> String {
    match serde_json::from_str::<&RawValue>(text) {
        Err(e) => format!("line {n}: not valid JSON: {e}"),
        Ok(raw) if !raw.get().starts_with('{') => {
            format!("line {n}: expected a JSON object (one V4Event per line)")
        }
        // Valid JSON, but a field an event is read by cannot be read (a lone surrogate).
        Ok(_) => format!("line {n}: an event serve cannot read: {e}"),
    }
}

impl EventStore for FileStore {
    fn fetch(&self, keys: &[u64]) -> Result<Vec<Fetched>, String> {
        let mut out = Vec::with_capacity(keys.len());
        let mut i = 0;
        while i < keys.len() {
            // A feed mostly reads events in file order: one read covers a run of them, as long
            // as each next event lies after the run and the run stays under MAX_SPAN.
            let first = self.place(keys[i])?.start;
            let (mut end, mut stop) = (i, first);
            while end < keys.len() {
                let p = self.place(keys[end])?;
                let (s, l) = (p.start, u64::from(p.len));
                if end > i && (s < stop || s + l - first > MAX_SPAN) {
                    break;
                }
                stop = s + l;
                end += 1;
            }
            let mut buf = vec![0; (stop - first) as usize];
            self.file
                .read_exact_at(&mut buf, first)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => self.changed(keys[i]),
                    _ => format!("cannot read the events file {}: {e}", self.path.display()),
                })?;
            for &key in &keys[i..end] {
                let p = self.place(key)?;
                let at = (p.start - first) as usize;
                let bytes = &buf[at..at + p.len as usize];
                // A cheap look that the event is still where it was: an object, with its id and
                // stream in place.
                let text = std::str::from_utf8(bytes)
                    .ok()
                    .filter(|t| t.starts_with('{') && t.ends_with('}'))
                    .ok_or_else(|| self.changed(key))?;
                let known = p.known(text).map_err(|()| self.changed(key))?;
                out.push(Fetched {
                    text: Arc::from(text),
                    known,
                });
            }
            i = end;
        }
        Ok(out)
    }

    fn row(&self, _key: u64) -> Option<i64> {
        None
    }

    fn changed(&self, key: u64) -> String {
        format!(
            "the events file {} changed while serve runs (event {} is no longer where it was); restart serve to read it again",
            self.path.display(),
            key + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(text: &str) -> (tempfile::TempDir, FileStore) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.ndjson");
        std::fs::write(&path, text).unwrap();
        let s = FileStore::open(&path).unwrap();
        (dir, s)
    }

    fn texts(fetched: Vec<Fetched>) -> Vec<String> {
        fetched.into_iter().map(|f| f.text.to_string()).collect()
    }

    #[test]
    fn events_come_back_exact_in_any_order() {
        let (_d, s) = store("{\"id\":\"a\"}\n\n  { \"id\" : \"b\" }\t\r\n{\"id\":\"c\"}");
        assert_eq!(s.len(), 3);
        assert_eq!(
            texts(s.fetch(&[0, 1, 2]).unwrap()),
            ["{\"id\":\"a\"}", "{ \"id\" : \"b\" }", "{\"id\":\"c\"}"]
        );
        // Requeued events come back out of file order, and one may be asked for twice.
        assert_eq!(
            texts(s.fetch(&[2, 0, 0, 1]).unwrap()),
            [
                "{\"id\":\"c\"}",
                "{\"id\":\"a\"}",
                "{\"id\":\"a\"}",
                "{ \"id\" : \"b\" }"
            ]
        );
    }

    #[test]
    fn noted_fields_are_what_a_parse_of_the_served_text_reads() {
        let lines = [
            r#"{"id":"e1","payload":{"messageSent":{"message":{"stream":{"streamId":"s1"}}}}}"#,
            // Escaped: read again from the text when served.
            r#"{"id":"e\u0032","payload":{"messageSent":{"message":{"stream":{"streamId":"s\/2"}}}}}"#,
            r#"{"type":"MESSAGESENT"}"#,
            r#"{ "payload" : {"roomCreated":{"stream":{"streamId":"s4"}}} , "id" : "e4" }"#,
            // Not of the spec's shape: what the tolerant reading finds.
            r#"{"id":5,"payload":[1]}"#,
            r#"{"id":"e6","id":"e7"}"#,
        ];
        let (_d, s) = store(&lines.join("\n"));
        let keys: Vec<u64> = (0..lines.len() as u64).collect();
        for (f, line) in s.fetch(&keys).unwrap().into_iter().zip(lines) {
            assert_eq!(&*f.text, line);
            let (id, stream) = crate::symphony::event::id_and_stream(line).unwrap();
            if let Some(k) = f.known {
                assert_eq!(k.id.as_deref(), id.as_deref(), "{line}");
                assert_eq!(k.stream_id.as_deref(), stream.as_deref(), "{line}");
            } else {
                assert!(line.contains('\\') || line.contains("\"e7\""), "{line}");
            }
        }
    }

    #[test]
    fn bad_lines_are_named_and_a_rewritten_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.ndjson");
        std::fs::write(&path, "{\"id\":\"a\"}\n\n[1]\n").unwrap();
        match FileStore::open(&path) {
            Err(FileStoreError::Line(m)) => assert!(m.starts_with("line 3: expected"), "{m}"),
            _ => panic!("a non-object line must be refused"),
        }
        std::fs::write(&path, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n").unwrap();
        let s = FileStore::open(&path).unwrap();
        std::fs::write(&path, "xxxxxxxxxxxxxxxxxxxxxxxx").unwrap();
        let err = s.fetch(&[1]).unwrap_err();
        assert!(err.contains("changed while serve runs"), "{err}");
        // Still objects where they were, but the id is no longer where it was.
        std::fs::write(&path, "{\"id\":\"a\"}\n{\"i\":\"bb\"}\n").unwrap();
        assert!(s.fetch(&[0]).is_ok());
        let err = s.fetch(&[1]).unwrap_err();
        assert!(err.contains("changed while serve runs"), "{err}");
    }
}
