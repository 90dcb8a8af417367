//! `feedctl journal ls|info|show|export|import|verify|outbox|runs`.

use anyhow::Result;

use crate::cli::{Global, JournalCommand, OutputFormat};
use crate::exit::Exit;
use crate::journal::Journal;
use crate::output;
use crate::output::Printer;

use super::selection;

mod import;
mod info;
mod input;
mod runs;
mod verify;

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
        JournalCommand::Info { journal } => info::info(p, format, &journal.journal),
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
                    let mut t = output::table(&[
                        "ROW",
                        "REC",
                        "CHUNK",
                        "PARTITION",
                        "ID",
                        "TIME",
                        "TYPE",
                        "DUP OF",
                        "WHAT",
                    ]);
                    for r in &rows {
                        t.add_row(vec![
                            r.row_id.to_string(),
                            output::safe(&r.recording),
                            r.chunk.to_string(),
                            output::safe(&output::clip(r.partition.as_deref().unwrap_or(""), 24)),
                            output::safe(&output::clip(r.event_id.as_deref().unwrap_or(""), 24)),
                            r.timestamp.map(output::time).unwrap_or_default(),
                            output::safe(r.event_type.as_deref().unwrap_or_default()),
                            r.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
                            output::clip(&output::events::stored_summary(&r.source, &r.raw), 60),
                        ]);
                    }
                    p.line(t)?;
                    p.note(&format!(
                        "{} shown (--limit {limit})",
                        crate::text::counted(rows.len() as u64, "event")
                    ));
                }
                OutputFormat::Json => p.json(
                    &rows
                        .iter()
                        .map(|r| output::events::row_json(r, true))
                        .collect::<Vec<_>>(),
                )?,
                OutputFormat::Ndjson => rows
                    .iter()
                    .try_for_each(|r| p.ndjson(&output::events::row_json(r, true)))?,
            }
            Ok(Exit::Success)
        }
        JournalCommand::Export { journal, select } => {
            let j = Journal::open_read(&journal.journal)?;
            let sel = selection(select, p)?;
            let mut n = 0u64;
            let mut closed = None;
            let mut out = p.lines();
            // One buffer for every line, each row lent by SQLite: the stored bytes are copied
            // once, into the output.
            let mut line = Vec::new();
            j.event_views(&sel, |r| {
                line.clear();
                export_line(&r, &mut line);
                match out.line(&line) {
                    Ok(()) => {
                        n += 1;
                        true
                    }
                    Err(e) => {
                        closed = Some(e);
                        false
                    }
                }
            })?;
            if let Some(e) = closed.map(Err).unwrap_or_else(|| out.finish()).err() {
                return Err(e.into());
            }
            p.note(&format!("exported {}", crate::text::counted(n, "event")));
            Ok(Exit::Success)
        }
        JournalCommand::Import {
            journal,
            file,
            name,
            chunk_size,
            hopeit_type: Some(t),
            schema,
        } => import::import_hopeit(
            p,
            &journal.journal,
            file,
            name.as_deref(),
            *chunk_size,
            t,
            schema.as_deref(),
        ),
        JournalCommand::Import {
            journal,
            file,
            name,
            chunk_size,
            hopeit_type: None,
            ..
        } => import::import(p, &journal.journal, file, name.as_deref(), *chunk_size),
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
                    p.note(&crate::text::counted(messages.len() as u64, "message"));
                }
                OutputFormat::Json => p.json(&messages)?,
                OutputFormat::Ndjson => messages.iter().try_for_each(|r| p.ndjson(r))?,
            }
            Ok(Exit::Success)
        }
        JournalCommand::Runs {
            journal,
            run,
            limit,
        } => runs::runs(p, format, &journal.journal, *run, *limit),
        JournalCommand::Verify { journal } => verify::verify(p, format, &journal.journal),
    }
}

/// One export line: the envelope of `tail` with the recording, the exact event bytes inside
/// (JSON on one line: only a stored event that spans lines loses the whitespace between its
/// tokens).
fn export_line(r: &crate::journal::EventView<'_>, out: &mut Vec<u8>) {
    out.push(b'{');
    crate::feed::Envelope {
        recording: Some(r.recording),
        source: r.source,
        partition: r.partition.unwrap_or(""),
        event_id: r.event_id,
        event_type: r.event_type,
        time: r.timestamp,
        chunk: r.chunk,
        received_at: r.received_at,
    }
    .write_members(out);
    out.extend_from_slice(b"\"event\":");
    if memchr::memchr2(b'\n', b'\r', r.raw).is_some() {
        let raw = String::from_utf8_lossy(r.raw);
        out.extend_from_slice(crate::replay::exec::one_line(&raw).as_bytes());
    } else {
        // Every source records UTF-8 JSON: the stored bytes themselves.
        out.extend_from_slice(r.raw);
    }
    out.push(b'}');
}
