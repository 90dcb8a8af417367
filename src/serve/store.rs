//! Where the bytes of served events stay while serve runs: a file (here) or a journal (the
//! command's adapter), read forward as feeds read them, the way a bot reads a pod: nothing is
//! read or indexed at start, and what serve keeps of a store does not grow with its events
//! (see the hub's `Run`).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::value::RawValue;

use crate::symphony::event::{id_and_stream_spans, FieldSpan};

/// Where an event of a store is, in the store's own terms (a file: its byte offset and the
/// number of lines before it; a journal: the index of its recording and its row). The hub
/// keeps a few of them and hands them back; only the store reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub a: u64,
    pub b: u64,
}

/// Events kept outside memory, read forward from a cursor.
pub trait EventStore: Send + Sync {
    /// Where the first event is (or would be).
    fn begin(&self) -> Cursor;

    /// Up to `max` events from `from` on (the place of an event, or of the first one after
    /// it), none past `upto` (the place of the last event a recorded chunk published so far;
    /// `None`: to the end). Stops after an event that ends a recorded chunk, and before an
    /// event that cannot be served. An `Err` says what went wrong with the store (answered
    /// as a 500).
    fn read(&self, from: Cursor, upto: Option<Cursor>, max: usize) -> Result<StoreRead, String>;

    /// What to say when an event read before is no longer there as it was.
    fn changed(&self, at: Cursor) -> String;
}

/// What one [`EventStore::read`] found.
#[derive(Debug, Default)]
pub struct StoreRead {
    pub events: Vec<Fetched>,
    /// Where the event after the last one is: where the next read starts.
    pub next: Cursor,
    /// No event after the last one (up to `upto`).
    pub end: bool,
    /// The event at `next` cannot be served: why, naming it (a line that is not one JSON
    /// object). Set only by the read that first reached it.
    pub bad: Option<String>,
}

/// An event read from a store.
#[derive(Debug)]
pub struct Fetched {
    /// Where it is in the store.
    pub at: Cursor,
    /// Its exact text, shared as is by the reads that serve it.
    pub text: Arc<str>,
    /// Its id and stream id when the store read them; `None` has the hub read them from the
    /// text, in the pass that also checks it is one JSON object.
    pub known: Option<Known>,
    /// Its journal row, when the store is a journal (the outbox links replies to it).
    pub row: Option<i64>,
    /// The last event of a recorded chunk: a read never goes past it.
    pub chunk_end: bool,
}

/// An event's id and stream id, as [`crate::symphony::event::id_and_stream`] reads them.
#[derive(Debug)]
pub struct Known {
    pub id: Option<Arc<str>>,
    pub stream_id: Option<Arc<str>>,
}

impl Known {
    /// The two fields out of `text` where [`id_and_stream_spans`] found them; `None` when one
    /// is written with escapes (the hub then reads them from the text).
    pub fn from_spans(text: &str, (id, stream): (FieldSpan, FieldSpan)) -> Option<Known> {
        let field = |span: FieldSpan| match span {
            FieldSpan::Absent => Some(None),
            FieldSpan::At(r) => text.get(r).map(|s| Some(Arc::from(s))),
            FieldSpan::Escaped => None,
        };
        Some(Known {
            id: field(id)?,
            stream_id: field(stream)?,
        })
    }
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

/// An NDJSON file of events, read forward in blocks as feeds read it: blank lines skipped,
/// one JSON object a line, its surrounding whitespace not part of the event. The file stays
/// open, so one renamed or deleted under a running serve is still served; one rewritten in
/// place is noticed when an event read before is no longer one JSON object where it was.
pub struct FileStore {
    file: File,
    path: PathBuf,
    /// Bytes a line took on average in the latest read, to size the next one.
    line_len: AtomicUsize,
}

/// The most one read of the file asks for at once (more only when one event is longer).
const BLOCK: usize = 256 << 10;
/// The least: a read of a few events still takes a page or two.
const MIN_BLOCK: usize = 8 << 10;

/// How many events [`FileStore::open`] checks at start, so that a file of the wrong kind is
/// refused before anything is served.
pub const CHECKED_AT_START: usize = 1000;

impl FileStore {
    /// Opens the file and checks its first [`CHECKED_AT_START`] events; the rest is checked
    /// as feeds read it.
    pub fn open(path: &Path) -> Result<Self, FileStoreError> {
        let file = File::open(path)?;
        let store = FileStore {
            file,
            path: path.to_path_buf(),
            line_len: AtomicUsize::new(1024),
        };
        let first = store.read_lines(Cursor::default(), CHECKED_AT_START)?;
        if let Some(bad) = first.bad {
            return Err(FileStoreError::Line(bad));
        }
        Ok(store)
    }

    /// Up to `max` events from `from`, read in blocks sized by the lines read lately (a
    /// quarter more than `max` of them take), within [`MIN_BLOCK`]..[`BLOCK`].
    fn read_lines(&self, from: Cursor, max: usize) -> std::io::Result<StoreRead> {
        let (mut offset, mut line) = (from.a, from.b);
        let block = (max.saturating_mul(self.line_len.load(Ordering::Relaxed)) / 4 * 5)
            .clamp(MIN_BLOCK, BLOCK);
        let mut out = StoreRead::default();
        let mut buf: Vec<u8> = Vec::new();
        // `buf` holds the file's bytes from `buf_at`; `eof` once a read returned nothing more.
        let (mut buf_at, mut eof) = (offset, false);
        while out.events.len() < max {
            let rel = (offset - buf_at) as usize;
            let newline = memchr::memchr(b'\n', &buf[rel..]);
            if newline.is_none() && !eof {
                // Keep the line begun, read the next block after it.
                buf.drain(..rel);
                buf_at = offset;
                let have = buf.len();
                buf.resize(have + block.max(have), 0);
                let n = read_at(&self.file, &mut buf[have..], buf_at + have as u64)?;
                buf.truncate(have + n);
                eof = n == 0;
                continue;
            }
            let (bytes, taken) = match newline {
                Some(i) => (&buf[rel..rel + i], i + 1),
                None => (&buf[rel..], buf.len() - rel),
            };
            if taken == 0 {
                out.end = true;
                break;
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                out.bad = Some(format!("line {}: not UTF-8 text", line + 1));
                break;
            };
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                let spans = match id_and_stream_spans(trimmed) {
                    Ok(spans) => spans,
                    Err(e) => {
                        out.bad = Some(bad_line(line + 1, trimmed, e));
                        break;
                    }
                };
                out.events.push(Fetched {
                    at: Cursor { a: offset, b: line },
                    known: Known::from_spans(trimmed, spans),
                    text: Arc::from(trimmed),
                    row: None,
                    chunk_end: false,
                });
            }
            offset += taken as u64;
            line += 1;
        }
        if !out.end && out.bad.is_none() && out.events.len() == max {
            // Whether the file ends here too: only blank lines, or nothing, after the last.
            let rest = &buf[((offset - buf_at) as usize).min(buf.len())..];
            out.end = eof && rest.iter().all(u8::is_ascii_whitespace);
        }
        out.next = Cursor { a: offset, b: line };
        Ok(out)
    }
}

/// `read_at` until `buf` is full or the file ends; how many bytes were read.
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], at + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Why a line cannot be served, in the words of reading the file as JSON lines.
fn bad_line(n: u64, text: &str, e: serde_json::Error) -> String {
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
    fn begin(&self) -> Cursor {
        Cursor::default()
    }

    fn read(&self, from: Cursor, _upto: Option<Cursor>, max: usize) -> Result<StoreRead, String> {
        let mut read = self
            .read_lines(from, max)
            .map_err(|e| format!("cannot read the events file {}: {e}", self.path.display()))?;
        if let Some(bad) = read.bad.take() {
            read.bad = Some(format!(
                "the events file {}: {bad}; the events before it were served: fix the file and restart serve",
                self.path.display()
            ));
        }
        Ok(read)
    }

    fn changed(&self, at: Cursor) -> String {
        format!(
            "the events file {} changed while serve runs (line {} is no longer the event it was); restart serve to read it again",
            self.path.display(),
            at.b + 1
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

    fn texts(read: &StoreRead) -> Vec<String> {
        read.events.iter().map(|f| f.text.to_string()).collect()
    }

    #[test]
    fn events_come_back_exact_from_any_place_read_before() {
        let (_d, s) = store("{\"id\":\"a\"}\n\n  { \"id\" : \"b\" }\t\r\n{\"id\":\"c\"}");
        let all = s.read(s.begin(), None, 10).unwrap();
        assert_eq!(
            texts(&all),
            ["{\"id\":\"a\"}", "{ \"id\" : \"b\" }", "{\"id\":\"c\"}"]
        );
        assert!(all.end && all.bad.is_none());
        // Lines are counted from 0 in the cursor: b is on line 3.
        assert_eq!(all.events[1].at.b, 2);
        // Read again from where an event was, a few at a time.
        let two = s.read(all.events[1].at, None, 1).unwrap();
        assert_eq!(texts(&two), ["{ \"id\" : \"b\" }"]);
        assert!(!two.end);
        let rest = s.read(two.next, None, 5).unwrap();
        assert_eq!(texts(&rest), ["{\"id\":\"c\"}"]);
        assert!(rest.end);
        let none = s.read(rest.next, None, 5).unwrap();
        assert!(none.events.is_empty() && none.end);
    }

    #[test]
    fn an_event_longer_than_a_block_is_read_whole() {
        let long = format!("{{\"id\":\"x\",\"pad\":\"{}\"}}", "p".repeat(3 * BLOCK));
        let (_d, s) = store(&format!("{{\"id\":\"a\"}}\n{long}\n{{\"id\":\"b\"}}\n"));
        let all = s.read(s.begin(), None, 10).unwrap();
        assert_eq!(all.events.len(), 3);
        assert_eq!(&*all.events[1].text, long);
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
        let read = s.read(s.begin(), None, 10).unwrap();
        for (f, line) in read.events.into_iter().zip(lines) {
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
    fn bad_lines_are_named_at_start_or_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.ndjson");
        std::fs::write(&path, "{\"id\":\"a\"}\n\n[1]\n").unwrap();
        match FileStore::open(&path) {
            Err(FileStoreError::Line(m)) => assert!(m.starts_with("line 3: expected"), "{m}"),
            _ => panic!("a non-object line among the first events must be refused"),
        }
        // Past the events checked at start: the read that reaches it stops before it.
        let mut text = "{\"id\":\"a\"}\n".repeat(CHECKED_AT_START + 5);
        text.push_str("{\"id\":\n");
        std::fs::write(&path, &text).unwrap();
        let s = FileStore::open(&path).unwrap();
        let read = s.read(s.begin(), None, CHECKED_AT_START + 100).unwrap();
        assert_eq!(read.events.len(), CHECKED_AT_START + 5);
        let bad = read.bad.unwrap();
        assert!(
            bad.contains(&format!("line {}: not valid JSON", CHECKED_AT_START + 6)),
            "{bad}"
        );
        assert!(!read.end);
    }
}
