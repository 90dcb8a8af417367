//! The check before the first write: the server answers, the key is a stream (or none), and
//! every selected event can be written as its stream's consumers can read it.

use std::borrow::Cow;
use std::time::Duration;

use serde_json::Value as Json;

use crate::exit::{Exit, Fail};
use crate::journal::{EventText, Journal, JournalError, Selection};
use crate::redis::conn::{connect, Failure};
use crate::redis::entry::Pairs;
use crate::redis::hopeit;
use crate::redis::schema::PayloadSchema;

use super::entry::{checked, Checked};
use super::spill::{Spill, SpillWriter};
use super::{EventRef, Layout, RedisTarget};

/// How many problems the check before the first write shows; it counts the rest.
pub const SHOWN: usize = 10;

/// What the check before the first write found: the first [`SHOWN`] problems, and how many
/// there are.
#[derive(Debug, Default)]
struct Refusals {
    first: Vec<Refusal>,
    total: usize,
}

#[derive(Debug)]
struct Refusal {
    row: i64,
    event_id: Option<String>,
    why: String,
}

impl Refusals {
    fn push(&mut self, e: &EventText<'_>, why: String) {
        if self.first.len() < SHOWN {
            self.first.push(Refusal {
                row: e.row_id,
                event_id: e.event_id.map(str::to_string),
                why,
            });
        }
        self.total += 1;
    }

    /// Those of the first half, then the second's.
    fn then(mut self, other: Refusals) -> Refusals {
        let room = SHOWN.saturating_sub(self.first.len());
        self.first.extend(other.first.into_iter().take(room));
        self.total += other.total;
        self
    }
}

/// What an event is checked for beyond being writable.
#[derive(Clone, Copy)]
struct Checks<'s> {
    /// `--schema`: every hopeit payload validates.
    schema: Option<&'s PayloadSchema>,
    /// `--layout original` into a stream that looks like a hopeit app's: every entry is one a
    /// hopeit consumer can read.
    hopeit_target: bool,
}

/// Why a stored event cannot be written, added to `found`; an event written in hopeit's
/// layout is kept in `spill` as it will be written (see [`super::spill`]).
fn refused(
    target: &RedisTarget,
    checks: Checks<'_>,
    e: EventText<'_>,
    found: &mut Refusals,
    spill: &mut Kept,
) {
    // Valid UTF-8 (every source records JSON text) is checked, not copied.
    let raw = crate::text::utf8_or_lossy(e.raw);
    let d = EventRef {
        row: e.row_id,
        raw: &raw,
        event_id: e.event_id,
        event_type: e.event_type,
    };
    let payload: Cow<'_, [u8]> = match checked(target, d) {
        Err(why) => return found.push(&e, why),
        Ok(Checked::Hopeit { id, payload }) => {
            spill.push(target, &e, &id, &payload);
            match payload {
                Cow::Borrowed(p) => Cow::Borrowed(p.as_bytes()),
                Cow::Owned(p) => Cow::Owned(p.into_bytes()),
            }
        }
        Ok(Checked::Fields(_)) if checks.schema.is_none() && !checks.hopeit_target => return,
        Ok(Checked::Fields(pairs)) => match hopeit::consumer_check(&pairs) {
            Err(why) if checks.hopeit_target => {
                return found.push(&e, format!("{why} (the target is a hopeit stream)"))
            }
            Err(why) => return found.push(&e, format!("{why} (--schema checks hopeit entries)")),
            Ok(Some(json)) => Cow::Owned(json),
            Ok(None) if checks.schema.is_some() => {
                return found.push(
                    &e,
                    "its pickled payload cannot be checked by --schema".into(),
                )
            }
            Ok(None) => return,
        },
    };
    let Some(schema) = checks.schema else { return };
    let value: Json = match serde_json::from_slice(&payload) {
        Ok(v) => v,
        Err(err) => return found.push(&e, format!("its payload is not JSON ({err})")),
    };
    let mut problems = Vec::new();
    let room = SHOWN.saturating_sub(found.first.len());
    let n = schema.problems(&value, room, &mut problems);
    let shown = problems.len();
    for p in problems {
        found.push(&e, format!("payload {p}"));
    }
    // Those past what is shown are counted.
    found.total += n - shown;
}

/// A half's spill while the check writes it: none when the layout is not hopeit's or a write
/// failed (delivery then writes from the events, as without one).
struct Kept {
    writer: Option<SpillWriter>,
    encoded: Vec<u8>,
}

impl Kept {
    fn new(target: &RedisTarget, dir: &std::path::Path) -> Kept {
        let writer = match target.layout {
            // Each half at most a tenth of the free space: the journal keeps the rest.
            Layout::Hopeit { .. } => SpillWriter::new(dir, 0.1).ok(),
            Layout::Original => None,
        };
        Kept {
            writer,
            encoded: Vec::new(),
        }
    }

    fn push(&mut self, target: &RedisTarget, e: &EventText<'_>, id: &str, payload: &str) {
        let (Some(w), Layout::Hopeit { encoding, .. }) = (&mut self.writer, &target.layout) else {
            return;
        };
        self.encoded.clear();
        encoding.encode_into(payload, &mut self.encoded);
        if w.push(e, id, &self.encoded).is_err() {
            self.writer = None;
        }
    }
}

/// A journal of fewer rows than this is checked on one thread: a second costs more than it
/// saves. (The halves are of the journal's rows: a selection within one half gains nothing.)
const SPLIT_AT: i64 = 20_000;

/// Every selected event that cannot be written, the first [`SHOWN`] by row with why.
///
/// Redis is idle until this is done, and reading a row costs about what checking it does, so
/// the rows are split in two halves by row id, each read and checked on a thread of its own
/// with a connection of its own, every row checked where SQLite lends it. (Before, one thread
/// read and copied rows and another checked them: twice the copies, and the two threads took
/// turns through a channel.) A selection with a limit counts its first N across all the rows,
/// so one thread reads it whole.
fn refusals(
    target: &RedisTarget,
    checks: Checks<'_>,
    journal: &std::path::Path,
    sel: &Selection,
) -> Result<(Refusals, Option<Spill>), JournalError> {
    let j = Journal::open_read(journal)?;
    let Some((lo, hi)) = j.row_span()? else {
        return Ok((Refusals::default(), None));
    };
    let dir = match journal.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mid = lo + (hi - lo) / 2;
    let split = sel.limit.is_none() && hi - lo >= SPLIT_AT;
    let check = |j: &Journal, rows: (i64, i64)| -> Result<(Refusals, Kept), JournalError> {
        let mut found = Refusals::default();
        let mut kept = Kept::new(target, &dir);
        j.scan_events(sel, rows, |e| {
            refused(target, checks, e, &mut found, &mut kept);
            true
        })?;
        Ok((found, kept))
    };
    let spill = |halves: Vec<Kept>| {
        let writers: Option<Vec<SpillWriter>> = halves.into_iter().map(|k| k.writer).collect();
        writers.and_then(|w| Spill::new(w).ok())
    };
    if !split {
        let (found, kept) = check(&j, (lo, hi))?;
        return Ok((found, spill(vec![kept])));
    }
    std::thread::scope(|s| {
        let second = s.spawn(|| check(&Journal::open_read(journal)?, (mid + 1, hi)));
        let first = check(&j, (lo, mid));
        let second = second
            .join()
            .unwrap_or_else(|_| Err(JournalError::Invalid("the check stopped".into())));
        let ((f1, k1), (f2, k2)) = (first?, second?);
        Ok((f1.then(f2), spill(vec![k1, k2])))
    })
}

/// The refusals as lines naming each event: its id, recording, chunk and row.
fn named(journal: &std::path::Path, found: &Refusals) -> String {
    let j = Journal::open_read(journal).ok();
    let mut out = String::new();
    for r in &found.first {
        let place = j
            .as_ref()
            .and_then(|j| j.event_place(r.row).ok().flatten())
            .map(|(rec, chunk)| format!("recording {rec}, chunk {chunk}, "))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n  event {} ({place}row {}): {}",
            crate::text::terminal_safe(r.event_id.as_deref().unwrap_or("?")),
            r.row,
            r.why
        ));
    }
    if found.total > found.first.len() {
        out.push_str(&format!("\n  and {} more", found.total - found.first.len()));
    }
    out
}

/// Why the stream at `key` looks like a hopeit app's, if it does: its newest entry is in
/// hopeit's layout (`type`, `ser`, `comp`, `payload`), or one of its groups has a consumer
/// named as hopeit names them (`<UTC time>.<host>.<pid>.<id>`). A group alone does not make
/// it one: feedctl's own `consume` workers read groups of any stream.
async fn hopeit_stream(
    c: &mut crate::redis::conn::Conn,
    key: &str,
) -> ::redis::RedisResult<Option<String>> {
    let newest: Vec<(String, Pairs)> = ::redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(c)
        .await?;
    if let Some((id, pairs)) = newest.first() {
        if hopeit::recognise(pairs) {
            return Ok(Some(format!("its newest entry {id} is in hopeit's layout")));
        }
    }
    let groups: ::redis::Value = ::redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(key)
        .query_async(c)
        .await?;
    let ::redis::Value::Array(groups) = groups else {
        return Ok(None);
    };
    for g in groups {
        let Some(name) = name_of(&g) else {
            continue;
        };
        let consumers: ::redis::Value = ::redis::cmd("XINFO")
            .arg("CONSUMERS")
            .arg(key)
            .arg(&name)
            .query_async(c)
            .await?;
        let ::redis::Value::Array(consumers) = consumers else {
            continue;
        };
        if consumers
            .iter()
            .any(|c| name_of(c).is_some_and(|n| hopeit::consumer_name(&n)))
        {
            return Ok(Some(format!(
                "its group {} has a hopeit consumer",
                crate::text::terminal_safe(&name)
            )));
        }
    }
    Ok(None)
}

/// The `name` of an `XINFO GROUPS` or `XINFO CONSUMERS` item, as text.
fn name_of(item: &::redis::Value) -> Option<String> {
    use crate::redis::value::{field, text};
    field(item, "name").and_then(text)
}

/// Before the first write: the server answers, the key is a stream (or none), and every
/// selected event can be written, as its stream's consumers can read it. What the check
/// worked out for the events written in hopeit's layout comes back for the sink to use.
pub async fn preflight(
    target: &RedisTarget,
    journal: &std::path::Path,
    sel: &Selection,
) -> Result<Option<Spill>, Fail> {
    let server = target.url.server();
    let failed = |f: Failure| match f {
        Failure::Auth(t) => Fail::new(Exit::Auth, t),
        Failure::Local(t) => Fail::usage(t),
        other => Fail::new(Exit::Feed, other.text().to_string()),
    };
    let mut c = connect(&server, Duration::from_secs(10))
        .await
        .map_err(failed)?;
    let kind = ::redis::cmd("TYPE")
        .arg(&target.url.key)
        .query_async::<String>(&mut c)
        .await
        .map_err(|e| failed(Failure::from_redis(e, &server)))?;
    match kind.as_str() {
        "stream" | "none" => {}
        other => {
            return Err(Fail::usage(format!(
                "key `{}` holds a {other}, not a stream (WRONGTYPE); nothing was written",
                target.url.key
            )))
        }
    }
    let hopeit_target = match (&target.layout, kind.as_str()) {
        (Layout::Original, "stream") => hopeit_stream(&mut c, &target.url.key)
            .await
            .map_err(|e| failed(Failure::from_redis(e, &server)))?,
        _ => None,
    };
    drop(c);
    let (path, sel, t) = (journal.to_path_buf(), sel.clone(), target.clone());
    let is_hopeit = hopeit_target.is_some();
    let (found, spill) = tokio::task::spawn_blocking(move || {
        let checks = Checks {
            schema: t.schema.as_deref(),
            hopeit_target: is_hopeit,
        };
        refusals(&t, checks, &path, &sel)
    })
    .await
    .map_err(|e| Fail::usage(e.to_string()))?
    .map_err(|e| Fail::usage(e.to_string()))?;
    if found.total == 0 {
        return Ok(spill);
    }
    let mut why = format!(
        "nothing was written to {}: {} in the selected events{}",
        target.url,
        crate::text::counted(found.total as u64, "problem"),
        match found.total > SHOWN {
            true => format!(", the first {SHOWN}:"),
            false => ":".into(),
        }
    );
    why.push_str(&named(journal, &found));
    if let Some(schema) = &target.schema {
        why.push_str(&format!("\n(payloads checked against {})", schema.source));
    }
    if let Some(reason) = hopeit_target {
        why.push_str(&format!(
            "\n`{}` looks like a hopeit app's stream ({reason}): a hopeit consumer stops reading at an entry it cannot read; write hopeit entries with --layout hopeit --hopeit-type module.Class",
            target.url.key
        ));
    }
    Err(Fail::usage(why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::hopeit::Encoding;
    use crate::redis::StreamUrl;

    /// A journal of `n` events `{"n":i}` (each a fine hopeit payload), `[i]` at the rows in
    /// `bad` (not an object: refused).
    fn journal_of(path: &std::path::Path, n: usize, bad: &[usize]) {
        use crate::journal::{ChunkRecord, NewEvent, NewRecording};
        let mut j = Journal::open_for_write(path).unwrap();
        let rec = j
            .recording(&NewRecording {
                name: "r",
                kind: "import",
                source: "import",
                ..Default::default()
            })
            .unwrap();
        let raws: Vec<String> = (1..=n)
            .map(|i| match bad.contains(&i) {
                true => format!("[{i}]"),
                false => format!(r#"{{"n":{i}}}"#),
            })
            .collect();
        let ids: Vec<String> = (1..=n).map(|i| format!("e{i}")).collect();
        for (k, part) in raws.chunks(1000).enumerate() {
            let events = part
                .iter()
                .zip(&ids[k * 1000..])
                .map(|(raw, id)| NewEvent {
                    raw: raw.as_bytes(),
                    event_id: Some(id),
                    event_type: Some("T"),
                    timestamp: None,
                    stream_id: None,
                    initiator_id: None,
                    message_id: None,
                    dedupe_key: id.clone(),
                })
                .collect();
            let chunk = ChunkRecord::imported(events, 1);
            j.append_chunk(rec.id, &chunk, true).unwrap();
        }
    }

    /// A target written in hopeit's layout.
    fn hopeit_target() -> RedisTarget {
        RedisTarget {
            url: StreamUrl::parse("redis://127.0.0.1:6379/k", None).unwrap(),
            layout: Layout::Hopeit {
                event_type: "a.B".into(),
                encoding: Encoding::JSON,
            },
            maxlen: None,
            schema: None,
        }
    }

    /// A journal of `plan`'s chunks, in order: each a recording's name and how many events;
    /// every event's columns differ (ids, types, times, streams, initiators, partitions).
    fn journal_of_chunks(path: &std::path::Path, plan: &[(&str, usize)]) {
        use crate::journal::{ChunkRecord, NewEvent, NewRecording};
        let mut j = Journal::open_for_write(path).unwrap();
        let mut n = 0;
        for (k, (name, count)) in plan.iter().enumerate() {
            let rec = j
                .recording(&NewRecording {
                    name,
                    kind: if *name == "a" { "redis" } else { "import" },
                    source: "import",
                    ..Default::default()
                })
                .unwrap();
            let texts: Vec<(String, String, String)> = (n..n + count)
                .map(|i| {
                    (
                        format!(r#"{{"n":{i}}}"#),
                        format!("e{i}"),
                        format!("s{}", i % 3),
                    )
                })
                .collect();
            n += count;
            let events = texts
                .iter()
                .enumerate()
                .map(|(i, (raw, id, stream))| NewEvent {
                    raw: raw.as_bytes(),
                    event_id: (i % 5 != 0).then_some(id),
                    event_type: Some(["T", "U"][i % 2]),
                    timestamp: (i % 4 != 0).then_some(1_000 + i as i64),
                    stream_id: (i % 7 != 0).then_some(stream),
                    initiator_id: (i % 3 != 0).then_some(i as i64),
                    message_id: None,
                    dedupe_key: id.clone(),
                })
                .collect();
            let partition = format!("p{}", k % 2);
            let chunk = ChunkRecord {
                partition: &partition,
                ..ChunkRecord::imported(events, 10 * k as i64)
            };
            j.append_chunk(rec.id, &chunk, true).unwrap();
        }
    }

    /// Every chunk of `chunks`, as comparable text, with each event's text left out.
    fn all_chunks(mut chunks: crate::replay::chunks::Chunks) -> Vec<String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut all = Vec::new();
            while let Some(c) = chunks.recv().await {
                let mut c = c.unwrap();
                c.events.iter_mut().for_each(|d| d.raw.clear());
                all.push(format!("{c:?}"));
            }
            all
        })
    }

    #[test]
    fn the_chunks_the_check_kept_are_those_the_journal_gives() {
        use crate::replay::chunks::read_chunks;
        let dir = tempfile::tempdir().unwrap();
        let target = hopeit_target();
        let checks = Checks {
            schema: None,
            hopeit_target: false,
        };
        let half = SPLIT_AT as usize;
        // Recordings one after the other (read in two halves, a chunk across the split), and
        // one read whole.
        let plans: [&[(&str, usize)]; 2] = [
            &[("a", 700), ("a", half), ("b", 3), ("b", half)],
            &[("a", 5), ("b", 7), ("b", 1)],
        ];
        let selections = [
            Selection::default(),
            Selection {
                types: vec!["T".into()],
                chunks: Some((2, 3)),
                ..Default::default()
            },
            Selection {
                recording: Some("b".into()),
                limit: Some(5),
                ..Default::default()
            },
        ];
        for (k, plan) in plans.into_iter().enumerate() {
            let path = dir.path().join(format!("j{k}.db"));
            journal_of_chunks(&path, plan);
            for sel in &selections {
                let (found, spill) = refusals(&target, checks, &path, sel).unwrap();
                assert_eq!(found.total, 0);
                let kept = spill
                    .unwrap()
                    .chunks(&path)
                    .expect("kept in delivery order");
                let read = all_chunks(read_chunks(path.clone(), sel.clone()));
                assert!(!read.is_empty());
                assert_eq!(all_chunks(kept), read, "{plan:?} {sel:?}");
            }
        }
        // A recording resumed after another: the journal's order is not the rows', so the
        // journal is read.
        let path = dir.path().join("interleaved.db");
        journal_of_chunks(&path, &[("a", 3), ("b", 3), ("a", 3)]);
        let (_, spill) = refusals(&target, checks, &path, &Selection::default()).unwrap();
        assert!(spill.unwrap().chunks(&path).is_none());
    }

    #[test]
    fn the_check_in_two_halves_names_the_refused_events_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let target = hopeit_target();
        let n = 2 * SPLIT_AT as usize + 10;
        let cases: [(&[usize], Option<usize>); 4] = [
            (&[], None),
            (&[n - 1], Some(n - 1)),
            (&[SPLIT_AT as usize + 3, n - 2], Some(SPLIT_AT as usize + 3)),
            (&[7, n - 2], Some(7)),
        ];
        for (k, (bad, first)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("j{k}.db"));
            journal_of(&path, n, bad);
            let checks = Checks {
                schema: None,
                hopeit_target: false,
            };
            let (found, _) = refusals(&target, checks, &path, &Selection::default()).unwrap();
            assert_eq!(found.total, bad.len());
            assert_eq!(found.first.first().map(|r| r.row as usize), first);
            assert_eq!(
                found.first.first().and_then(|r| r.event_id.clone()),
                first.map(|i| format!("e{i}"))
            );
            let rows: Vec<usize> = found.first.iter().map(|r| r.row as usize).collect();
            let mut sorted = bad.to_vec();
            sorted.sort();
            assert_eq!(rows, sorted, "every refused one, by row");
        }
    }
}
