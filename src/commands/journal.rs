//! `feedctl journal ls|info|show|export|import|verify`.

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use crate::cli::{Global, JournalCommand, OutputFormat};
use crate::exit::{Exit, Fail};
use crate::journal::{now_millis, ChunkRecord, EventRow, Journal, NewEvent, NewRecording};
use crate::output;
use crate::output::Printer;
use crate::symphony::Event;

use crate::recorder::new_event;
use crate::redis::entry::Entry;
use crate::redis::hopeit::{self, Encoding};

use super::selection;

pub fn run(g: &Global, p: &Printer, cmd: &JournalCommand) -> Result<Exit> {
    let format = p.format(g.output);
    match cmd {
        JournalCommand::Ls { journal } => {
            let j = Journal::open_read(&journal.journal)?;
            let recordings = j.recordings()?;
            match format {
                OutputFormat::Table => {
                    let mut t = output::table(&[
                        "NAME",
                        "SOURCE",
                        "CHUNKS",
                        "EVENTS",
                        "DUPLICATES",
                        "GAPS",
                        "CREATED",
                    ]);
                    for r in &recordings {
                        t.add_row(vec![
                            r.name.clone(),
                            r.source.clone(),
                            r.chunks.to_string(),
                            r.events.to_string(),
                            r.duplicates.to_string(),
                            r.gaps.to_string(),
                            output::time(r.created_at),
                        ]);
                    }
                    p.line(t)?;
                }
                OutputFormat::Json => p.json(&recordings)?,
                OutputFormat::Ndjson => recordings.iter().try_for_each(|r| p.ndjson(r))?,
            }
            Ok(Exit::Success)
        }
        JournalCommand::Info { journal } => {
            let j = Journal::open_read(&journal.journal)?;
            let s = j.summary()?;
            match format {
                OutputFormat::Table => {
                    p.line(format!("journal     {} ({} bytes)", s.path, s.bytes))?;
                    p.line(format!(
                        "events      {} in {} chunks, {} repeated deliveries, {} gaps",
                        s.events, s.chunks, s.duplicates, s.gaps
                    ))?;
                    p.line(format!(
                        "time range  {} .. {}",
                        s.first_timestamp
                            .map(output::time)
                            .unwrap_or_else(|| "-".into()),
                        s.last_timestamp
                            .map(output::time)
                            .unwrap_or_else(|| "-".into())
                    ))?;
                    let mut t = output::table(&[
                        "RECORDING",
                        "SOURCE",
                        "CHUNKS",
                        "EVENTS",
                        "DUPLICATES",
                        "GAPS",
                    ]);
                    for r in &s.recordings {
                        t.add_row(vec![
                            r.name.clone(),
                            r.source.clone(),
                            r.chunks.to_string(),
                            r.events.to_string(),
                            r.duplicates.to_string(),
                            r.gaps.to_string(),
                        ]);
                    }
                    p.line(t)?;
                    let mut t = output::table(&["TYPE", "EVENTS"]);
                    for (ty, n) in &s.by_type {
                        t.add_row(vec![ty.clone(), n.to_string()]);
                    }
                    p.line(t)?;
                    let mut t = output::table(&["STREAM", "EVENTS"]);
                    for (st, n) in s.by_stream.iter().take(20) {
                        t.add_row(vec![
                            if st.is_empty() {
                                "(none)".into()
                            } else {
                                st.clone()
                            },
                            n.to_string(),
                        ]);
                    }
                    p.line(t)?;
                    if s.by_stream.len() > 20 {
                        p.note(&format!(
                            "{} more streams; -o json lists them all",
                            s.by_stream.len() - 20
                        ));
                    }
                    if s.gaps > 0 {
                        p.note("note: gaps mark where a feed had to be recreated; events in between may be missing");
                    }
                }
                OutputFormat::Json => p.json(&s)?,
                OutputFormat::Ndjson => p.ndjson(&s)?,
            }
            Ok(Exit::Success)
        }
        JournalCommand::Show {
            journal,
            select,
            limit,
        } => {
            let j = Journal::open_read(&journal.journal)?;
            let mut sel = selection(select, p)?;
            sel.limit = Some(*limit);
            let mut rows = Vec::new();
            j.events(&sel, |r| {
                rows.push(r);
                true
            })?;
            match format {
                OutputFormat::Table => {
                    let events: Vec<Event> = rows
                        .iter()
                        .filter_map(|r| {
                            std::str::from_utf8(&r.raw)
                                .ok()
                                .and_then(|raw| Event::parse(raw).ok())
                        })
                        .collect();
                    let mut t = output::table(&[
                        "ROW",
                        "REC",
                        "CHUNK",
                        "TIME",
                        "TYPE",
                        "STREAM",
                        "INITIATOR",
                        "DUP OF",
                        "TEXT",
                    ]);
                    for (r, e) in rows.iter().zip(&events) {
                        t.add_row(vec![
                            r.row_id.to_string(),
                            r.recording.clone(),
                            r.chunk.to_string(),
                            r.timestamp.map(output::time).unwrap_or_default(),
                            output::safe(r.event_type.as_deref().unwrap_or_default()),
                            output::safe(&output::clip(r.stream_id.as_deref().unwrap_or(""), 14)),
                            output::safe(e.initiator_name().unwrap_or("")),
                            r.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
                            output::safe(&output::clip(
                                &e.message_text().map(output::plain_text).unwrap_or_default(),
                                50,
                            )),
                        ]);
                    }
                    p.line(t)?;
                    p.note(&format!("{} event(s) shown (--limit {limit})", rows.len()));
                }
                OutputFormat::Json => p.json(&rows.iter().map(row_json).collect::<Vec<_>>())?,
                OutputFormat::Ndjson => rows.iter().try_for_each(|r| p.ndjson(&row_json(r)))?,
            }
            Ok(Exit::Success)
        }
        JournalCommand::Export { journal, select } => {
            let j = Journal::open_read(&journal.journal)?;
            let sel = selection(select, p)?;
            let mut n = 0u64;
            let mut closed = None;
            j.events(&sel, |r| match p.line(export_line(&r)) {
                Ok(()) => {
                    n += 1;
                    true
                }
                Err(e) => {
                    closed = Some(e);
                    false
                }
            })?;
            if let Some(e) = closed {
                return Err(e.into());
            }
            p.note(&format!("exported {n} event(s)"));
            Ok(Exit::Success)
        }
        JournalCommand::Import {
            journal,
            file,
            name,
            chunk_size,
            hopeit_type: Some(t),
        } => import_hopeit(p, &journal.journal, file, name.as_deref(), *chunk_size, t),
        JournalCommand::Import {
            journal,
            file,
            name,
            chunk_size,
            hopeit_type: None,
        } => import(p, &journal.journal, file, name.as_deref(), *chunk_size),
        JournalCommand::Outbox { journal, limit } => {
            let j = Journal::open_read(&journal.journal)?;
            let messages = j.outbox(*limit)?;
            match format {
                OutputFormat::Table => {
                    let mut t = output::table(&["ID", "TIME", "STREAM", "ANSWERS", "MESSAGE"]);
                    for m in &messages {
                        t.add_row(vec![
                            m.id.to_string(),
                            output::time(m.at),
                            output::safe(&output::clip(&m.stream_id, 16)),
                            output::safe(m.answers_event.as_deref().unwrap_or("unknown")),
                            output::safe(&output::clip(
                                &output::plain_text(m.message.as_deref().unwrap_or("")),
                                60,
                            )),
                        ]);
                    }
                    p.line(t)?;
                    p.note(&format!("{} message(s)", messages.len()));
                }
                OutputFormat::Json => p.json(&messages)?,
                OutputFormat::Ndjson => messages.iter().try_for_each(|r| p.ndjson(r))?,
            }
            Ok(Exit::Success)
        }
        JournalCommand::Verify { journal } => {
            let j = Journal::open_read(&journal.journal)?;
            let problems = j.verify()?;
            match format {
                OutputFormat::Table => {
                    for problem in &problems {
                        p.line(format!("{}: {}", problem.check, problem.detail))?;
                    }
                    if problems.is_empty() {
                        p.note(&format!(
                            "{}: ok (SQLite integrity and journal invariants)",
                            journal.journal.display()
                        ));
                    } else {
                        p.note(&format!(
                            "{}: {} problem(s) found",
                            journal.journal.display(),
                            problems.len()
                        ));
                    }
                }
                OutputFormat::Json => {
                    p.json(&json!({ "ok": problems.is_empty(), "problems": problems }))?
                }
                OutputFormat::Ndjson => problems.iter().try_for_each(|r| p.ndjson(r))?,
            }
            // A damaged file is a bad input (2); a sound file whose contents break an invariant is a failed check (1).
            Ok(if problems.is_empty() {
                Exit::Success
            } else if problems.iter().any(|p| p.check == "sqlite integrity") {
                Exit::Usage
            } else {
                Exit::Failed
            })
        }
    }
}

/// `show -o json`: the indexed columns and the event itself.
fn row_json(r: &EventRow) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["event"] = serde_json::from_slice(&r.raw).unwrap_or(serde_json::Value::Null);
    v
}

/// One export line: the tail envelope plus the recording, with the exact event bytes inside.
fn export_line(r: &EventRow) -> String {
    format!(
        "{{\"recording\":{},\"feedId\":{},\"chunk\":{},\"receivedAt\":{},\"event\":{}}}",
        serde_json::Value::from(r.recording.as_str()),
        serde_json::Value::from(r.feed_id.clone()),
        r.chunk,
        r.received_at,
        // Symphony and imported events are UTF-8 JSON, so this is the stored text itself.
        String::from_utf8_lossy(&r.raw)
    )
}

/// An export or tail line.
#[derive(Deserialize)]
struct Envelope {
    recording: Option<String>,
    #[serde(rename = "feedId")]
    feed_id: Option<String>,
    chunk: u64,
    #[serde(rename = "receivedAt")]
    received_at: Option<i64>,
    event: Box<RawValue>,
}

/// Events read from the input, grouped into chunks.
struct PendingChunk {
    key: Option<(Option<String>, u64)>,
    feed_id: Option<String>,
    received_at: i64,
    events: Vec<Event>,
}

/// The input of an import: a file, or standard input with `-`.
fn open_input(p: &Printer, file: &Path) -> Result<Box<dyn BufRead>, Fail> {
    if file.as_os_str() == "-" {
        if std::io::stdin().is_terminal() {
            p.note("reading NDJSON from standard input (Ctrl-D to end)");
        }
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let f = std::fs::File::open(file)
        .map_err(|e| Fail::usage(format!("cannot read {}: {e}", file.display())))?;
    Ok(Box::new(BufReader::new(f)))
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

/// `import --hopeit-type T`: each line a hand-written hopeit payload, stored as the entry a
/// hopeit app would have written (`ser=json comp=none`, so the journal stays readable) on the
/// stream `import`, entry ids `<import ms>-<line>`. Replay re-encodes it as asked.
fn import_hopeit(
    p: &Printer,
    path: &Path,
    file: &Path,
    name: Option<&str>,
    chunk_size: u64,
    event_type: &str,
) -> Result<Exit> {
    if !hopeit::valid_type(event_type) {
        return Err(Fail::usage(format!(
            "--hopeit-type `{event_type}`: expected module.ClassName (the payload's dataobject, as hopeit's readers dispatch on it)"
        ))
        .into());
    }
    let reader = open_input(p, file)?;
    let at_ms = now_millis();
    let submit = hopeit::submit_ts();
    // Parse everything first: a bad line leaves the journal as it was.
    let mut entries = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", file.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{} line {}", file.display(), n + 1);
        let payload: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| Fail::usage(format!("{}: not valid JSON: {e}", at())))?;
        if !payload.is_object() {
            return Err(Fail::usage(format!(
                "{}: a hopeit payload must be a JSON object (a dataobject's fields)",
                at()
            ))
            .into());
        }
        let seq = entries.len();
        let id = payload
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("import-{}", seq + 1));
        let fields = hopeit::entry_fields(&id, event_type, &submit, Encoding::Json, &payload);
        entries.push(Entry::new("import", &format!("{at_ms}-{seq}"), &fields));
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
    for c in entries.chunks(chunk_size as usize) {
        let record = ChunkRecord {
            partition: "import",
            cursor_before: "{}",
            cursor_after: "{}",
            feed_id: None,
            ack_sent: None,
            ack_received: None,
            received_at: at_ms,
            size: c.iter().map(|e| e.raw.len()).sum(),
            latency_ms: 0,
            events: c.iter().map(new_event).collect::<Vec<NewEvent>>(),
        };
        j.append_chunk(rec.id, &record, false)?;
        chunks += 1;
    }
    p.note(&format!(
        "imported {} hopeit payload(s) of {event_type} in {chunks} chunk(s) into recording `{name}` of {}",
        entries.len(),
        path.display()
    ));
    Ok(Exit::Success)
}

fn import(
    p: &Printer,
    path: &Path,
    file: &Path,
    name: Option<&str>,
    chunk_size: u64,
) -> Result<Exit> {
    let reader = open_input(p, file)?;
    // Parse everything first: a bad line leaves the journal as it was.
    let mut chunks: Vec<PendingChunk> = Vec::new();
    let mut envelope_recording: Option<String> = None;
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", file.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{} line {}", file.display(), n + 1);
        let value: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| Fail::usage(format!("{}: not valid JSON: {e}", at())))?;
        if !value.is_object() {
            return Err(Fail::usage(format!(
                "{}: expected a JSON object (an event, or an export/tail envelope)",
                at()
            ))
            .into());
        }
        let is_envelope =
            value.get("event").is_some_and(|e| e.is_object()) && value.get("chunk").is_some();
        if is_envelope {
            let env: Envelope = serde_json::from_str(&line)
                .map_err(|e| Fail::usage(format!("{}: bad envelope: {e}", at())))?;
            envelope_recording = envelope_recording.or(env.recording.clone());
            let event = Event::from_raw(env.event)
                .map_err(|e| Fail::usage(format!("{}: bad event: {e}", at())))?;
            let key = Some((env.feed_id.clone(), env.chunk));
            match chunks.last_mut() {
                Some(c) if c.key == key => c.events.push(event),
                _ => chunks.push(PendingChunk {
                    key,
                    feed_id: env.feed_id,
                    received_at: env.received_at.unwrap_or_else(now_millis),
                    events: vec![event],
                }),
            }
        } else {
            let event = Event::parse(&line)
                .map_err(|e| Fail::usage(format!("{}: bad event: {e}", at())))?;
            match chunks.last_mut() {
                Some(c) if c.key.is_none() && (c.events.len() as u64) < chunk_size => {
                    c.events.push(event)
                }
                _ => chunks.push(PendingChunk {
                    key: None,
                    feed_id: None,
                    received_at: 0,
                    events: vec![event],
                }),
            }
        }
    }
    // Hand-written events have no delivery time: a chunk counts as received at its last event's
    // timestamp, so `replay --speed original` paces them as the events happened.
    for c in chunks.iter_mut().filter(|c| c.key.is_none()) {
        c.received_at = c
            .events
            .iter()
            .filter_map(Event::timestamp)
            .max()
            .unwrap_or_else(now_millis);
    }
    let name = import_name(file, name, envelope_recording);
    let mut j = Journal::open_for_write(path)?;
    let rec = j.recording(&NewRecording {
        name: &name,
        kind: "import",
        source: "import",
        description: Some(&file.display().to_string()),
        pod_url: None,
        username: None,
    })?;
    // Resumable: each chunk's cursor names the import (a fingerprint of what was parsed) and
    // how far it got, and is committed with the chunk as the `import` marker. Running the same
    // import again after a kill goes on after the last chunk stored; after a complete one it
    // adds nothing.
    let fingerprint = import_fingerprint(&chunks);
    let cursor =
        |k: usize| json!({"import": fingerprint, "chunk": k, "of": chunks.len()}).to_string();
    let done = j
        .markers(rec.id)?
        .into_iter()
        .find(|m| m.partition == "import")
        .and_then(|m| serde_json::from_str::<serde_json::Value>(&m.cursor).ok())
        .filter(|c| c["import"] == fingerprint.as_str())
        .and_then(|c| c["chunk"].as_u64())
        .map_or(0, |k| (k as usize).min(chunks.len()));
    if done == chunks.len() {
        p.note(&format!(
            "{} was already imported into recording `{name}` of {}: nothing added (use --name to import it again as another recording)",
            file.display(),
            path.display()
        ));
        return Ok(Exit::Success);
    }
    if done > 0 {
        p.note(&format!(
            "resuming an interrupted import into recording `{name}`: chunks 1..{done} of {} are already stored",
            chunks.len()
        ));
    }
    let (mut events, mut dups) = (0usize, 0usize);
    for (k, c) in chunks.iter().enumerate().skip(done) {
        let (before, after) = (cursor(k), cursor(k + 1));
        let record = ChunkRecord {
            partition: "import",
            cursor_before: &before,
            cursor_after: &after,
            feed_id: c.feed_id.as_deref(),
            ack_sent: None,
            ack_received: None,
            received_at: c.received_at,
            size: c.events.iter().map(|e| e.raw().len()).sum(),
            latency_ms: 0,
            events: c.events.iter().map(new_event).collect::<Vec<NewEvent>>(),
        };
        let (_, d) = j.append_chunk(rec.id, &record, true)?;
        events += c.events.len();
        dups += d;
    }
    p.note(&format!(
        "imported {events} event(s) in {} chunk(s) into recording `{name}` of {} ({dups} repeated deliveries flagged)",
        chunks.len() - done,
        path.display()
    ));
    Ok(Exit::Success)
}

/// Names an import by what it holds (FNV-1a over the chunk boundaries and the exact event
/// bytes), so running it again can tell how far it got.
fn import_fingerprint(chunks: &[PendingChunk]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut events = 0usize;
    for c in chunks {
        feed(b"\x1echunk");
        for e in &c.events {
            feed(b"\x1f");
            feed(e.raw().as_bytes());
            events += 1;
        }
    }
    format!("fnv1a64:{h:016x}:{events}")
}
