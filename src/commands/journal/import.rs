//! `journal import`: NDJSON lines (hand-written events, `export`/`tail` envelopes, or hopeit
//! payloads) into a recording. Two passes over the input keep memory flat at any size: the first
//! checks every line (a bad one leaves the journal untouched) and names the import, the second
//! writes it holding one chunk at a time. In both, the lines are parsed on threads of their own
//! ([`Input::each_parsed`]) while the pass hashes and writes them.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use anyhow::Result;
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use crate::exit::{Exit, Fail};
use crate::journal::{now_millis, ChunkRecord, Journal, NewEvent, NewRecording};
use crate::output::Printer;
use crate::recorder::new_event;
use crate::redis::entry::Entry;
use crate::redis::hopeit::{self, Encoding};
use crate::redis::schema::PayloadSchema;
use crate::replay::redis::SHOWN;
use crate::symphony::Event;

use super::input::Input;

/// An export or tail line.
#[derive(Deserialize)]
struct Envelope {
    recording: Option<String>,
    /// Symphony's feed id (exports before the common envelope).
    #[serde(rename = "feedId")]
    feed_id: Option<String>,
    /// The partition (the common envelope).
    partition: Option<String>,
    chunk: u64,
    #[serde(rename = "receivedAt")]
    received_at: Option<i64>,
    event: Box<RawValue>,
}

/// The chunk an event belongs to: its envelope's (feed id, partition, chunk number); `None`
/// for a hand-written event.
type ChunkKey = Option<(Option<String>, Option<String>, u64)>;

/// One line of the input, parsed.
struct Line {
    event: Event,
    key: ChunkKey,
    /// The envelope's delivery time and recording.
    received_at: Option<i64>,
    recording: Option<String>,
}

/// What tells an envelope from an event: an object `event` and a `chunk`.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
    #[serde(borrow, default)]
    chunk: Option<&'a RawValue>,
}

/// Parses line `n`; `None` for a blank line.
fn parse_line(file: &Path, n: usize, line: &str) -> Result<Option<Line>, Fail> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let at = || format!("{} line {}", file.display(), n);
    if !line.trim_start().starts_with('{') {
        // Not an object: say so if it is JSON at all.
        serde_json::from_str::<serde::de::IgnoredAny>(line)
            .map_err(|e| Fail::usage(format!("{}: not valid JSON: {e}", at())))?;
        return Err(Fail::usage(format!(
            "{}: expected a JSON object (an event, or an export/tail envelope)",
            at()
        )));
    }
    // The members that tell an envelope, borrowed: the line is checked whole as JSON here
    // without building a tree of it (that was one of the four parses of every line).
    let probe: Probe = serde_json::from_str(line)
        .map_err(|e| Fail::usage(format!("{}: not valid JSON: {e}", at())))?;
    let is_envelope = probe
        .event
        .is_some_and(|e| e.get().trim_start().starts_with('{'))
        && probe.chunk.is_some();
    if !is_envelope {
        let event =
            Event::parse(line).map_err(|e| Fail::usage(format!("{}: bad event: {e}", at())))?;
        return Ok(Some(Line {
            event,
            key: None,
            received_at: None,
            recording: None,
        }));
    }
    let env: Envelope = serde_json::from_str(line)
        .map_err(|e| Fail::usage(format!("{}: bad envelope: {e}", at())))?;
    let event = Event::from_raw(&env.event)
        .map_err(|e| Fail::usage(format!("{}: bad event: {e}", at())))?;
    Ok(Some(Line {
        event,
        key: Some((env.feed_id, env.partition, env.chunk)),
        received_at: env.received_at,
        recording: env.recording,
    }))
}

/// Groups events into chunks as they come: an envelope's chunk for as long as its key lasts,
/// hand-written events `chunk_size` at a time. Both passes group through it, so they agree.
struct Chunker {
    chunk_size: u64,
    key: ChunkKey,
    len: u64,
}

impl Chunker {
    fn new(chunk_size: u64) -> Self {
        Chunker {
            chunk_size,
            key: None,
            len: 0,
        }
    }

    /// Whether an event with `key` opens a new chunk.
    fn opens(&mut self, key: &ChunkKey) -> bool {
        let goes_on = self.len > 0
            && match key {
                Some(_) => self.key == *key,
                None => self.key.is_none() && self.len < self.chunk_size,
            };
        if goes_on {
            self.len += 1;
        } else {
            self.key = key.clone();
            self.len = 1;
        }
        !goes_on
    }
}

/// FNV-1a over the chunk boundaries and the exact event bytes: names an import by what it
/// holds, so running it again can tell how far it got. It hashes the same bytes in the same
/// order as when every chunk was held at once, so imports that version left half done resume.
/// Beside it, a fast hash of the same bytes ([`Fingerprint::end`]) tells the second pass that
/// the input did not change since the first: FNV-1a goes a byte at a time, and computing it
/// again there was a fifth of the writing thread's time.
struct Fingerprint {
    /// FNV-1a's state; `None` where the import is already named (the second pass).
    h: Option<u64>,
    check: foldhash::fast::FoldHasher<'static>,
    events: usize,
}

impl Fingerprint {
    /// Both hashes: the first pass.
    fn new() -> Self {
        Fingerprint {
            h: Some(0xcbf2_9ce4_8422_2325),
            ..Fingerprint::check_only()
        }
    }

    /// The fast hash alone: the second pass.
    fn check_only() -> Self {
        static SEED: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x1e1f);
        Fingerprint {
            h: None,
            check: SEED.build_hasher(),
            events: 0,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.check.write(bytes);
        if let Some(h) = self.h.as_mut() {
            for b in bytes {
                *h ^= u64::from(*b);
                *h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }

    fn chunk(&mut self) {
        self.feed(b"\x1echunk");
    }

    fn event(&mut self, raw: &[u8]) {
        self.feed(b"\x1f");
        self.feed(raw);
        self.events += 1;
    }

    /// The fast hash of everything so far (a chunk's end, for [`ChunkEnds`]).
    fn end(&self) -> u64 {
        self.check.finish()
    }

    /// The cursors' `import` value (first pass only).
    fn name(&self) -> String {
        format!("fnv1a64:{:016x}:{}", self.h.unwrap_or(0), self.events)
    }
}

/// The fast running hash at the end of every chunk, taken by the first pass: the second pass
/// compares before writing each chunk, so an input changed in between (a file rewritten, a
/// spool damaged) stops the import at a chunk boundary instead of storing what was not checked.
/// Eight bytes a chunk, kept in an unnamed temporary file beside the journal, not in memory
/// (ten million one-event chunks would hold 80 MB).
struct ChunkEnds {
    written: Option<std::io::BufWriter<std::fs::File>>,
    read: Option<std::io::BufReader<std::fs::File>>,
    len: usize,
    compared: usize,
}

impl ChunkEnds {
    /// An empty list, its file in the folder of `journal`.
    fn beside(journal: &Path) -> Result<Self> {
        let dir = match journal.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let file = tempfile::tempfile_in(dir).map_err(|e| {
            Fail::usage(format!(
                "cannot make a temporary file in {} for the import's chunk hashes: {e}",
                dir.display()
            ))
        })?;
        Ok(ChunkEnds {
            written: Some(std::io::BufWriter::new(file)),
            read: None,
            len: 0,
            compared: 0,
        })
    }

    fn push(&mut self, hash: u64) -> Result<()> {
        use std::io::Write;
        if let Some(w) = self.written.as_mut() {
            w.write_all(&hash.to_le_bytes())?;
        }
        self.len += 1;
        Ok(())
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Whether chunk `k` (from 0, asked in order) ended at the same hash in the first pass.
    fn agrees(&mut self, k: usize, hash: u64) -> Result<bool> {
        use std::io::{Read, Seek};
        if let Some(w) = self.written.take() {
            let mut file = w.into_inner().map_err(|e| e.into_error())?;
            file.seek(std::io::SeekFrom::Start(0))?;
            self.read = Some(std::io::BufReader::new(file));
        }
        if k != self.compared || k >= self.len {
            return Ok(false);
        }
        let mut bytes = [0u8; 8];
        if let Some(r) = self.read.as_mut() {
            r.read_exact(&mut bytes)?;
        }
        self.compared += 1;
        Ok(u64::from_le_bytes(bytes) == hash)
    }
}

/// Threads that parse the input's lines, beside the one that reads them and the one that uses
/// them: parsing is most of the first pass, and beside the writing in the second.
const PARSERS: usize = 2;

/// A line of the second pass that the first found good no longer parses.
#[derive(Debug, thiserror::Error)]
#[error("a line changed")]
struct LineChanged;

/// The error of a second pass that did not meet the input the first one checked.
fn changed(file: &Path, stored: usize, of: usize) -> anyhow::Error {
    Fail::usage(format!(
        "{} changed while it was imported: {stored} of its {} are stored; import it again once it stays put",
        file.display(),
        crate::text::counted(of as u64, "chunk")
    ))
    .into()
}

/// What the first pass learnt: the import's name, its chunks, the envelopes' recording.
struct Scan {
    fingerprint: String,
    ends: ChunkEnds,
    recording: Option<String>,
}

/// The first pass: every line checked, nothing kept but hashes.
fn scan(input: &mut Input, file: &Path, journal: &Path, chunk_size: u64) -> Result<Scan> {
    let mut chunker = Chunker::new(chunk_size);
    let mut print = Fingerprint::new();
    let mut ends = ChunkEnds::beside(journal)?;
    let mut recording: Option<String> = None;
    let mut any = false;
    let parse = |n: usize, text: &str| Ok(parse_line(file, n, text)?);
    input.each_parsed(PARSERS, parse, |_, line| {
        recording = recording.take().or(line.recording);
        if chunker.opens(&line.key) {
            if any {
                ends.push(print.end())?;
            }
            any = true;
            print.chunk();
        }
        print.event(line.event.raw().as_bytes());
        Ok(())
    })?;
    if any {
        ends.push(print.end())?;
    }
    Ok(Scan {
        fingerprint: print.name(),
        ends,
        recording,
    })
}

/// A chunk of the second pass, filled as its lines are read.
struct Pending {
    feed_id: Option<String>,
    /// The envelope's delivery time; `None` for hand-written events.
    received_at: Option<i64>,
    events: Vec<Event>,
}

/// The second pass's writer: stores chunks from `done` on, each with its resumable cursor.
struct Writer<'a> {
    journal: Journal,
    recording: i64,
    fingerprint: &'a str,
    ends: &'a mut ChunkEnds,
    file: &'a Path,
    /// Chunks already stored by an earlier run: read past, not written.
    done: usize,
    /// Chunks met so far in this pass.
    seen: usize,
    events: usize,
    duplicates: usize,
}

impl Writer<'_> {
    fn cursor(&self, k: usize) -> String {
        json!({"import": self.fingerprint, "chunk": k, "of": self.ends.len()}).to_string()
    }

    /// Chunk `seen` is complete, its hash `hash`: stored unless an earlier run did.
    fn finish(&mut self, c: Pending, hash: u64) -> Result<()> {
        let k = self.seen;
        self.seen += 1;
        if !self.ends.agrees(k, hash)? {
            return Err(changed(self.file, k.max(self.done), self.ends.len()));
        }
        if k < self.done {
            return Ok(());
        }
        // Hand-written events have no delivery time: a chunk counts as received at its last
        // event's timestamp, so `replay --speed original` paces them as the events happened.
        let received_at = c.received_at.unwrap_or_else(|| {
            c.events
                .iter()
                .filter_map(Event::timestamp)
                .max()
                .unwrap_or_else(now_millis)
        });
        let (before, after) = (self.cursor(k), self.cursor(k + 1));
        let record = ChunkRecord {
            partition: "import",
            cursor_before: &before,
            cursor_after: &after,
            feed_id: c.feed_id.as_deref(),
            ack_sent: None,
            ack_received: None,
            received_at,
            size: c.events.iter().map(|e| e.raw().len()).sum(),
            latency_ms: 0,
            events: c.events.iter().map(new_event).collect::<Vec<NewEvent>>(),
        };
        let (_, d) = self.journal.append_chunk(self.recording, &record, true)?;
        self.events += c.events.len();
        self.duplicates += d;
        Ok(())
    }
}

/// `journal import FILE`: events or envelopes, resumable after a kill.
pub(super) fn import(
    p: &Printer,
    path: &Path,
    file: &Path,
    name: Option<&str>,
    chunk_size: u64,
) -> Result<Exit> {
    let mut input = Input::open(p, file, path)?;
    let mut scan = scan(&mut input, file, path, chunk_size)?;
    let chunks = scan.ends.len();
    let name = import_name(file, name, scan.recording.clone());
    let journal = Journal::open_for_write(path)?;
    let rec = journal.recording(&NewRecording {
        name: &name,
        kind: "import",
        source: "import",
        description: Some(&file.display().to_string()),
        pod_url: None,
        username: None,
    })?;
    // Resumable: each chunk's cursor names the import (its fingerprint) and how far it got,
    // and is committed with the chunk as the `import` marker. Running the same import again
    // after a kill goes on after the last chunk stored; after a complete one it adds nothing.
    let done = journal
        .markers(rec.id)?
        .into_iter()
        .find(|m| m.partition == "import")
        .and_then(|m| serde_json::from_str::<serde_json::Value>(&m.cursor).ok())
        .filter(|c| c["import"] == scan.fingerprint.as_str())
        .and_then(|c| c["chunk"].as_u64())
        .map_or(0, |k| (k as usize).min(chunks));
    if done == chunks {
        p.note(&format!(
            "{} was already imported into recording `{name}` of {}: nothing added (use --name to import it again as another recording)",
            file.display(),
            path.display()
        ));
        return Ok(Exit::Success);
    }
    if done > 0 {
        p.note(&format!(
            "resuming an interrupted import into recording `{name}`: chunks 1..{done} of {chunks} are already stored"
        ));
    }
    let mut w = Writer {
        journal,
        recording: rec.id,
        fingerprint: &scan.fingerprint,
        ends: &mut scan.ends,
        file,
        done,
        seen: 0,
        events: 0,
        duplicates: 0,
    };
    let mut chunker = Chunker::new(chunk_size);
    let mut print = Fingerprint::check_only();
    let mut pending: Option<Pending> = None;
    // A line that no longer parses: the input changed since the first pass.
    let parse = |n: usize, text: &str| parse_line(file, n, text).map_err(|_| LineChanged.into());
    let wrote = input.each_parsed(PARSERS, parse, |_, line| {
        if chunker.opens(&line.key) {
            if let Some(c) = pending.take() {
                w.finish(c, print.end())?;
            }
            print.chunk();
            pending = Some(Pending {
                feed_id: line.key.as_ref().and_then(|(f, _, _)| f.clone()),
                received_at: line
                    .key
                    .as_ref()
                    .map(|_| line.received_at.unwrap_or_else(now_millis)),
                events: Vec::new(),
            });
        }
        print.event(line.event.raw().as_bytes());
        // Chunks an earlier run stored are only hashed.
        if let Some(c) = pending.as_mut().filter(|_| w.seen >= done) {
            c.events.push(line.event);
        }
        Ok(())
    });
    match wrote {
        Err(e) if e.is::<LineChanged>() => return Err(changed(file, w.seen.max(done), chunks)),
        other => other?,
    }
    if let Some(c) = pending.take() {
        w.finish(c, print.end())?;
    }
    if w.seen != chunks {
        return Err(changed(file, w.seen.max(done), chunks));
    }
    p.note(&format!(
        "imported {} in {} into recording `{name}` of {} ({} flagged)",
        crate::text::counted(w.events as u64, "event"),
        crate::text::counted((chunks - done) as u64, "chunk"),
        path.display(),
        crate::text::counted_as(
            w.duplicates as u64,
            "repeated delivery",
            "repeated deliveries"
        )
    ));
    Ok(Exit::Success)
}

/// The recording's name: the flag, else the input's own, else the file's stem, else `import`.
fn import_name(file: &Path, name: Option<&str>, from_input: Option<String>) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| s != "-")
        .unwrap_or_else(|| "import".into());
    name.map(str::to_string).or(from_input).unwrap_or(stem)
}

/// A hopeit payload line, checked; `None` for a blank line.
fn parse_payload(file: &Path, n: usize, line: &str) -> Result<Option<serde_json::Value>, Fail> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let at = || format!("{} line {}", file.display(), n);
    let payload: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| Fail::usage(format!("{}: not valid JSON: {e}", at())))?;
    if !payload.is_object() {
        return Err(Fail::usage(format!(
            "{}: a hopeit payload must be a JSON object (a dataobject's fields)",
            at()
        )));
    }
    Ok(Some(payload))
}

/// `import --hopeit-type T`: each line a hand-written hopeit payload, stored as the entry a
/// hopeit app would have written (`ser=json comp=none`, so the journal stays readable) on the
/// stream `import`, entry ids `<import ms>-<line>`. Replay re-encodes it as asked.
pub(super) fn import_hopeit(
    p: &Printer,
    path: &Path,
    file: &Path,
    name: Option<&str>,
    chunk_size: u64,
    event_type: &str,
    schema: Option<&str>,
) -> Result<Exit> {
    if !hopeit::valid_type(event_type) {
        return Err(Fail::usage(format!(
            "--hopeit-type `{event_type}`: expected module.ClassName (the payload's dataobject, as hopeit's readers dispatch on it)"
        ))
        .into());
    }
    let schema = schema
        .map(|arg| PayloadSchema::load(arg, Some(event_type)))
        .transpose()
        .map_err(Fail::usage)?;
    let mut input = Input::open(p, file, path)?;
    let at_ms = now_millis();
    let submit = hopeit::submit_ts();
    // First pass: a bad line leaves the journal as it was. The hashes of each chunk's lines
    // let the second pass notice an input that changed in between.
    let chunk_size = chunk_size as usize;
    let (mut print, mut ends, mut payloads) =
        (Fingerprint::check_only(), ChunkEnds::beside(path)?, 0usize);
    // --schema: the first SHOWN problems, and how many.
    let (mut problems, mut total) = (Vec::new(), 0usize);
    input.each_line(|n, text| {
        if let Some(payload) = parse_payload(file, n, text)? {
            if let Some(schema) = &schema {
                let mut found = Vec::new();
                total +=
                    schema.problems(&payload, SHOWN.saturating_sub(problems.len()), &mut found);
                problems.extend(
                    found
                        .into_iter()
                        .map(|p| format!("{} line {n}: payload {p}", file.display())),
                );
            }
            print.event(text.as_bytes());
            payloads += 1;
            if payloads % chunk_size == 0 {
                ends.push(print.end())?;
            }
        }
        Ok(())
    })?;
    if payloads % chunk_size != 0 {
        ends.push(print.end())?;
    }
    if total > 0 {
        let mut why = format!(
            "nothing was imported: {} in {}{}",
            crate::text::counted(total as u64, "problem"),
            file.display(),
            match total > SHOWN {
                true => format!(", the first {SHOWN}:"),
                false => ":".into(),
            }
        );
        for p in &problems {
            why.push_str(&format!("\n  {p}"));
        }
        if total > problems.len() {
            why.push_str(&format!("\n  and {} more", total - problems.len()));
        }
        if let Some(schema) = &schema {
            why.push_str(&format!("\n(payloads checked against {})", schema.source));
        }
        return Err(Fail::usage(why).into());
    }
    let name = import_name(file, name, None);
    let mut j = Journal::open_for_write(path)?;
    let rec = j.recording(&NewRecording {
        name: &name,
        kind: "import",
        source: "import",
        description: Some(&format!("{} (hopeit {event_type})", file.display())),
        pod_url: None,
        username: None,
    })?;
    let mut chunks = 0usize;
    let total_chunks = ends.len();
    let mut store = |j: &mut Journal, entries: &mut Vec<Entry>, hash: u64| -> Result<()> {
        if !ends.agrees(chunks, hash)? {
            return Err(changed(file, chunks, total_chunks));
        }
        let record = ChunkRecord::imported(entries.iter().map(new_event).collect(), at_ms);
        j.append_chunk(rec.id, &record, false)?;
        entries.clear();
        chunks += 1;
        Ok(())
    };
    let mut print = Fingerprint::check_only();
    let mut entries = Vec::with_capacity(chunk_size);
    let mut seq = 0usize;
    input.each_line(|n, text| {
        let payload = match parse_payload(file, n, text) {
            Ok(Some(payload)) => payload,
            Ok(None) => return Ok(()),
            Err(_) => return Err(changed(file, seq / chunk_size, total_chunks)),
        };
        print.event(text.as_bytes());
        let id = payload
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("import-{}", seq + 1));
        let payload = payload.to_string();
        let fields: Vec<_> = hopeit::entry_fields(
            id.as_str().into(),
            event_type,
            &submit,
            Encoding::JSON,
            Encoding::JSON.encode(&payload).into(),
        )
        .into_iter()
        .map(|(name, value)| (name.as_bytes().to_vec(), value.into_owned()))
        .collect();
        entries.push(Entry::new("import", &format!("{at_ms}-{seq}"), &fields));
        seq += 1;
        if entries.len() == chunk_size {
            store(&mut j, &mut entries, print.end())?;
        }
        Ok(())
    })?;
    if !entries.is_empty() {
        store(&mut j, &mut entries, print.end())?;
    }
    if seq != payloads {
        return Err(changed(file, seq.div_ceil(chunk_size), total_chunks));
    }
    p.note(&format!(
        "imported {} of {event_type} in {} into recording `{name}` of {}",
        crate::text::counted(seq as u64, "hopeit payload"),
        crate::text::counted(ends.len() as u64, "chunk"),
        path.display()
    ));
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::{ChunkEnds, Fingerprint};

    #[test]
    fn chunk_ends_kept_in_a_file_agree_in_order_and_only_on_the_same_hash() {
        let dir = tempfile::tempdir().unwrap();
        let mut ends = ChunkEnds::beside(&dir.path().join("j.db")).unwrap();
        for h in [11, 22, 33] {
            ends.push(h).unwrap();
        }
        assert_eq!(ends.len(), 3);
        assert!(ends.agrees(0, 11).unwrap());
        assert!(!ends.agrees(1, 23).unwrap(), "another hash");
        assert!(!ends.agrees(1, 33).unwrap(), "out of order");
        let mut again = ChunkEnds::beside(&dir.path().join("j.db")).unwrap();
        again.push(5).unwrap();
        assert!(again.agrees(0, 5).unwrap());
        assert!(!again.agrees(1, 0).unwrap(), "past the last chunk");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "unnamed: nothing left behind");
    }

    fn ends(print: &mut Fingerprint, chunks: &[&[&str]]) -> Vec<u64> {
        chunks
            .iter()
            .map(|c| {
                print.chunk();
                c.iter().for_each(|e| print.event(e.as_bytes()));
                print.end()
            })
            .collect()
    }

    #[test]
    fn the_second_pass_meets_the_first_passes_chunk_ends_unless_a_byte_changed() {
        let input: &[&[&str]] = &[&[r#"{"id":"a"}"#, r#"{"id":"b"}"#], &[r#"{"id":"c"}"#]];
        let first = ends(&mut Fingerprint::new(), input);
        assert_eq!(ends(&mut Fingerprint::check_only(), input), first);
        let changed: &[&[&str]] = &[&[r#"{"id":"a"}"#, r#"{"id":"B"}"#], &[r#"{"id":"c"}"#]];
        let second = ends(&mut Fingerprint::check_only(), changed);
        assert_ne!(second[0], first[0]);
        assert_ne!(second[1], first[1], "a change stays in every later end");
        // Moving an event to the next chunk changes the ends too.
        let moved: &[&[&str]] = &[&[r#"{"id":"a"}"#], &[r#"{"id":"b"}"#, r#"{"id":"c"}"#]];
        assert_ne!(ends(&mut Fingerprint::check_only(), moved)[1], first[1]);
    }
}
