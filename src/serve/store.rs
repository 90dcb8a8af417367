//! Where the bytes of served events stay while serve runs: a file (here) or a journal (the
//! command's adapter), read when a feed reads them. The hub's log then costs 16 bytes an event
//! instead of the event itself, so serving a million events fits in a few dozen MiB.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use serde_json::value::RawValue;

/// Events kept outside memory; a key is the store's own name for one of them.
pub trait EventStore: Send + Sync {
    /// The exact text of the events with these keys, in order; an error says what went wrong
    /// with the store (it is answered as a 500). The hub checks each text is still one JSON
    /// object, in the pass that reads its id (so the store need not parse it).
    fn fetch(&self, keys: &[u64]) -> Result<Vec<String>, String>;

    /// The journal row of the event, when the store is a journal (the outbox links replies to it).
    fn row(&self, key: u64) -> Option<i64>;

    /// What to say when the event of `key` no longer is one JSON object.
    fn changed(&self, key: u64) -> String;
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

/// An NDJSON file of events, indexed once: where each event's bytes are (12 bytes an event).
/// The file stays open, so one renamed or deleted under a running serve is still served; one
/// rewritten in place is noticed when an event's place no longer holds one JSON object.
pub struct FileStore {
    file: File,
    path: PathBuf,
    starts: Vec<u64>,
    lens: Vec<u32>,
}

/// Reads no more than this at once when neighbouring events are fetched in one read.
const MAX_SPAN: u64 = 4 << 20;

impl FileStore {
    /// Checks every line as [`super::read_ndjson`] does (blank lines skipped, one JSON object a
    /// line, its surrounding whitespace not part of the event) and notes where each event is.
    pub fn open(path: &Path) -> Result<Self, FileStoreError> {
        let file = File::open(path)?;
        let mut reader = BufReader::with_capacity(1 << 16, &file);
        let (mut starts, mut lens) = (Vec::new(), Vec::new());
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
                let raw: &RawValue = serde_json::from_str(trimmed)
                    .map_err(|e| FileStoreError::Line(format!("line {n}: not valid JSON: {e}")))?;
                if !raw.get().starts_with('{') {
                    return Err(FileStoreError::Line(format!(
                        "line {n}: expected a JSON object (one V4Event per line)"
                    )));
                }
                let len = u32::try_from(trimmed.len()).map_err(|_| {
                    FileStoreError::Line(format!("line {n}: an event of over 4 GiB"))
                })?;
                starts.push(at + (text.len() - text.trim_start().len()) as u64);
                lens.push(len);
            }
            at += read as u64;
        }
        drop(reader);
        Ok(FileStore {
            file,
            path: path.to_path_buf(),
            starts,
            lens,
        })
    }

    /// How many events the file holds; their keys are `0..len`.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    fn span(&self, key: u64) -> Option<(u64, u64)> {
        let k = usize::try_from(key).ok()?;
        Some((*self.starts.get(k)?, u64::from(*self.lens.get(k)?)))
    }
}

impl EventStore for FileStore {
    fn fetch(&self, keys: &[u64]) -> Result<Vec<String>, String> {
        let mut out = Vec::with_capacity(keys.len());
        let mut i = 0;
        while i < keys.len() {
            // A feed mostly reads events in file order: one read covers a run of them, as long
            // as each next event lies after the run and the run stays under MAX_SPAN.
            let (first, _) = self.span(keys[i]).ok_or_else(|| self.changed(keys[i]))?;
            let (mut end, mut stop) = (i, first);
            while end < keys.len() {
                let (s, l) = self
                    .span(keys[end])
                    .ok_or_else(|| self.changed(keys[end]))?;
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
                let (s, l) = self.span(key).ok_or_else(|| self.changed(key))?;
                let bytes = &buf[(s - first) as usize..(s - first + l) as usize];
                // A cheap look here; the hub's pass over the event checks it fully.
                let text = std::str::from_utf8(bytes)
                    .ok()
                    .filter(|t| t.starts_with('{') && t.ends_with('}'))
                    .ok_or_else(|| self.changed(key))?;
                out.push(text.to_string());
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

    #[test]
    fn events_come_back_exact_in_any_order() {
        let (_d, s) = store("{\"id\":\"a\"}\n\n  { \"id\" : \"b\" }\t\r\n{\"id\":\"c\"}");
        assert_eq!(s.len(), 3);
        assert_eq!(
            s.fetch(&[0, 1, 2]).unwrap(),
            ["{\"id\":\"a\"}", "{ \"id\" : \"b\" }", "{\"id\":\"c\"}"]
        );
        // Requeued events come back out of file order, and one may be asked for twice.
        assert_eq!(
            s.fetch(&[2, 0, 0, 1]).unwrap(),
            [
                "{\"id\":\"c\"}",
                "{\"id\":\"a\"}",
                "{\"id\":\"a\"}",
                "{ \"id\" : \"b\" }"
            ]
        );
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
    }
}
