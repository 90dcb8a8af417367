//! The journal API on a scratch file: markers per partition, gaps, bytes that are not UTF-8,
//! chunks grouped once, and a schema newer than this build refused.

use super::*;

fn scratch() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("j.db");
    (dir, path)
}

fn event<'a>(raw: &'a [u8], id: &'a str) -> NewEvent<'a> {
    NewEvent {
        raw,
        event_id: Some(id),
        event_type: Some("T"),
        timestamp: Some(1),
        stream_id: None,
        initiator_id: None,
        message_id: None,
        dedupe_key: format!("{id}|T|1|"),
    }
}

fn chunk<'a>(
    partition: &'a str,
    before: &'a str,
    after: &'a str,
    events: Vec<NewEvent<'a>>,
) -> ChunkRecord<'a> {
    ChunkRecord {
        partition,
        cursor_before: before,
        cursor_after: after,
        feed_id: None,
        ack_sent: None,
        ack_received: None,
        received_at: 10,
        size: 0,
        latency_ms: 0,
        events,
    }
}

/// A recording of kind `import` named so (made, or found when it exists).
fn imported(j: &Journal, name: &str) -> Recording {
    j.recording(&NewRecording {
        name,
        kind: "import",
        source: "import",
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn markers_follow_chunks_and_gaps_per_partition() {
    let (_dir, path) = scratch();
    let mut j = Journal::open_for_write(&path).unwrap();
    let rec = j
        .recording(&NewRecording {
            name: "r",
            kind: "redis",
            source: "redis",
            description: Some("redis://host/a"),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (rec.kind.as_str(), rec.description.as_deref()),
        ("redis", Some("redis://host/a"))
    );
    // Bytes that are not UTF-8 are kept as given.
    let raw: &[u8] = b"\xff\x00bin";
    j.append_chunk(
        rec.id,
        &chunk("a", "{}", r#"{"id":"1-0"}"#, vec![event(raw, "1-0")]),
        true,
    )
    .unwrap();
    j.append_chunk(
        rec.id,
        &chunk("b", "{}", r#"{"id":"5-0"}"#, vec![event(b"{}", "5-0")]),
        true,
    )
    .unwrap();
    j.append_chunk(
        rec.id,
        &chunk(
            "a",
            r#"{"id":"1-0"}"#,
            r#"{"id":"2-0"}"#,
            vec![event(b"{}", "2-0")],
        ),
        false,
    )
    .unwrap();
    let m = j.markers(rec.id).unwrap();
    assert_eq!(
        m,
        vec![
            Marker {
                partition: "a".into(),
                cursor: r#"{"id":"1-0"}"#.into(),
                chunk_seq: 1
            },
            Marker {
                partition: "b".into(),
                cursor: r#"{"id":"5-0"}"#.into(),
                chunk_seq: 2
            },
        ]
    );
    j.set_marker(rec.id, "a", r#"{"id":"2-0"}"#).unwrap();
    j.add_gap(
        rec.id,
        &NewGap {
            partition: "b",
            reason: "trimmed",
            old_feed: None,
            new_feed: None,
            cursor_after: r#"{"id":"0-0"}"#,
            lost: None,
        },
    )
    .unwrap();
    let m = j.markers(rec.id).unwrap();
    assert_eq!(
        (m[0].cursor.as_str(), m[0].chunk_seq),
        (r#"{"id":"2-0"}"#, 3)
    );
    assert_eq!(
        (m[1].cursor.as_str(), m[1].chunk_seq),
        (r#"{"id":"0-0"}"#, 2)
    );

    let mut chunks = Vec::new();
    j.chunks(&Selection::default(), |c| {
        chunks.push(c);
        true
    })
    .unwrap();
    let seen: Vec<(i64, Option<&str>, usize)> = chunks
        .iter()
        .map(|c| (c.seq, c.partition.as_deref(), c.events.len()))
        .collect();
    assert_eq!(
        seen,
        vec![(1, Some("a"), 1), (2, Some("b"), 1), (3, Some("a"), 1)]
    );
    assert_eq!(chunks[0].events[0].raw, raw, "the exact bytes back");
    assert_eq!(chunks[0].events[0].partition.as_deref(), Some("a"));
    let mut first = 0;
    j.chunks(&Selection::default(), |_| {
        first += 1;
        false
    })
    .unwrap();
    assert_eq!(first, 1, "false stops");
    assert!(j.verify().unwrap().is_empty(), "{:?}", j.verify().unwrap());
}

#[test]
fn a_journal_of_a_newer_schema_is_refused() {
    let (_dir, path) = scratch();
    drop(Journal::open_for_write(&path).unwrap());
    let newer = MIGRATIONS.len() as i64 + 1;
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {newer}"))
        .unwrap();
    for opened in [Journal::open_read(&path), Journal::open_for_write(&path)] {
        match opened {
            Err(JournalError::TooNew { found, known, .. }) => {
                assert_eq!((found, known), (newer, MIGRATIONS.len() as i64))
            }
            Err(e) => panic!("expected TooNew, got {e}"),
            Ok(_) => panic!("expected TooNew, the journal opened"),
        }
    }
}

/// The count taken from `event_counts` for simple selections is the one the join gives.
/// Completion's `--type` values: from the per-type counts (no scan of `events`, so instant on any
/// size), per recording when named, and nothing from a file that is not a journal.
#[test]
fn stored_types_come_from_the_counts() {
    let (dir, path) = scratch();
    let mut j = Journal::open_for_write(&path).unwrap();
    for (name, types) in [("a", ["T", "U"]), ("b", ["U", "V"])] {
        let rec = imported(&j, name);
        for (k, ty) in types.iter().enumerate() {
            let id = format!("{name}{k}");
            let events = vec![NewEvent {
                event_type: Some(ty),
                ..event(b"{}", &id)
            }];
            let (before, after) = (k.to_string(), (k + 1).to_string());
            j.append_chunk(rec.id, &chunk("p", &before, &after, events), true)
                .unwrap();
        }
    }
    let plan: Vec<String> = j
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", open::STORED_TYPES))
        .unwrap()
        .query_map(rusqlite::params![None::<String>, 10], |r| r.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter()
            .all(|step| !step.contains("events ") && !step.ends_with("events")),
        "{plan:?}"
    );
    drop(j);
    let busy = std::time::Duration::from_millis(100);
    assert_eq!(
        stored_types(&path, None, 10, busy).unwrap(),
        ["T", "U", "V"]
    );
    assert_eq!(
        stored_types(&path, Some("b"), 10, busy).unwrap(),
        ["U", "V"]
    );
    assert_eq!(stored_types(&path, None, 2, busy).unwrap(), ["T", "U"]);
    assert!(stored_types(&path, Some("c"), 10, busy).unwrap().is_empty());
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    assert!(stored_types(&other, None, 10, busy).is_err());
    assert!(stored_types(&dir.path().join("missing.db"), None, 10, busy).is_err());
}

#[test]
fn counts_of_simple_selections_match_the_events() {
    let (_dir, path) = scratch();
    let mut j = Journal::open_for_write(&path).unwrap();
    for (name, types) in [("a", ["T", "U"]), ("b", ["U", "V"])] {
        let rec = imported(&j, name);
        for (k, ty) in types.iter().enumerate() {
            let ids: Vec<String> = (0..3).map(|i| format!("{name}{k}{i}")).collect();
            let events = ids
                .iter()
                .enumerate()
                .map(|(i, id)| NewEvent {
                    event_type: Some(ty),
                    stream_id: (i % 2 == 0).then_some("s1"),
                    ..event(b"{}", id)
                })
                .collect();
            let (before, after) = (k.to_string(), (k + 1).to_string());
            j.append_chunk(rec.id, &chunk("p", &before, &after, events), true)
                .unwrap();
        }
    }
    let by_join = |sel: &Selection| {
        let mut n = 0;
        j.events(sel, |_| {
            n += 1;
            true
        })
        .unwrap();
        n
    };
    let sels = [
        Selection::default(),
        Selection {
            recording: Some("b".into()),
            ..Default::default()
        },
        Selection {
            types: vec!["U".into(), "V".into()],
            ..Default::default()
        },
        Selection {
            recording: Some("a".into()),
            streams: vec!["s1".into()],
            ..Default::default()
        },
        Selection {
            recording: Some("none".into()),
            ..Default::default()
        },
    ];
    for sel in &sels {
        assert_eq!(j.count_events(sel).unwrap(), by_join(sel), "{sel:?}");
    }
    assert_eq!(j.count_events(&sels[0]).unwrap(), 12);
}

#[test]
fn a_scan_in_two_halves_lends_the_rows_events_reads() {
    let (_dir, path) = scratch();
    let mut j = Journal::open_for_write(&path).unwrap();
    let mut ids = Vec::new();
    // Recording `a` resumed after `b`: recording order is not row order.
    for (round, name) in ["a", "b", "a"].iter().enumerate() {
        let rec = imported(&j, name);
        let round_ids: Vec<String> = (0..5).map(|i| format!("{name}{round}{i}")).collect();
        let events = round_ids
            .iter()
            .enumerate()
            .map(|(i, id)| NewEvent {
                event_type: Some(if i % 2 == 0 { "T" } else { "U" }),
                ..event(id.as_bytes(), id)
            })
            .collect();
        let (before, after) = (round.to_string(), (round + 1).to_string());
        j.append_chunk(rec.id, &chunk("p", &before, &after, events), true)
            .unwrap();
        ids.extend(round_ids);
    }
    let (lo, hi) = j.row_span().unwrap().unwrap();
    assert_eq!(hi - lo + 1, ids.len() as i64);
    let read = |sel: &Selection| {
        let mut rows = Vec::new();
        j.events(sel, |e| {
            rows.push((e.row_id, e.event_id, e.event_type, e.raw));
            true
        })
        .unwrap();
        rows
    };
    let scanned = |sel: &Selection, spans: &[(i64, i64)]| {
        let mut rows = Vec::new();
        for &span in spans {
            j.scan_events(sel, span, |e| {
                rows.push((
                    e.row_id,
                    e.event_id.map(str::to_string),
                    e.event_type.map(str::to_string),
                    e.raw.to_vec(),
                ));
                true
            })
            .unwrap();
        }
        rows
    };
    let mid = lo + (hi - lo) / 2;
    for sel in [
        Selection::default(),
        Selection {
            recording: Some("a".into()),
            ..Default::default()
        },
        Selection {
            types: vec!["U".into()],
            last: Some(4),
            ..Default::default()
        },
    ] {
        let mut whole = read(&sel);
        whole.sort();
        assert_eq!(scanned(&sel, &[(lo, mid), (mid + 1, hi)]), whole, "{sel:?}");
    }
    // With a limit, the same first events as `events`, recording by recording.
    let first = Selection {
        limit: Some(7),
        ..Default::default()
    };
    assert_eq!(scanned(&first, &[(lo, hi)]), read(&first));

    let (_empty_dir, empty) = scratch();
    assert_eq!(
        Journal::open_for_write(&empty).unwrap().row_span().unwrap(),
        None
    );
}

/// Above the size of the full check, damage in the events is met while writing: the chunk in
/// progress is rolled back and the error names exactly what this run stored before it.
#[test]
fn damage_met_while_writing_a_large_journal_names_what_this_run_stored() {
    let (_dir, path) = scratch();
    let pad = "x".repeat(300);
    let raws: Vec<String> = (0..3000)
        .map(|i| format!("{{\"id\":\"e{i}\",\"pad\":\"{pad}\"}}"))
        .collect();
    let keys: Vec<String> = (0..3000).map(|i| format!("e{i}")).collect();
    let event_at = |i: usize| NewEvent {
        timestamp: Some(i as i64),
        dedupe_key: format!("e{i}|T|{i}|"),
        ..event(raws[i].as_bytes(), &keys[i])
    };
    {
        let mut j = Journal::open_for_write(&path).unwrap();
        let rec = imported(&j, "r");
        for c in 0..30 {
            let events = (c * 100..c * 100 + 100).map(event_at).collect();
            j.append_chunk(rec.id, &chunk("import", "{}", "{}", events), true)
                .unwrap();
        }
    }
    // A leaf of the time index in the middle: only a lookup of an old timestamp reads it.
    let (page, size): (i64, i64) = {
        let c = rusqlite::Connection::open(&path).unwrap();
        let size = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        let leaves: Vec<i64> = c
            .prepare("SELECT pageno FROM dbstat WHERE name = 'events_by_time' AND pagetype = 'leaf' ORDER BY path")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (leaves[leaves.len() / 2], size)
    };
    let mut bytes = std::fs::read(&path).unwrap();
    let at = ((page - 1) * size) as usize;
    bytes[at..at + size as usize].fill(0x5a);
    std::fs::write(&path, &bytes).unwrap();
    // The full check finds it before any write...
    assert!(matches!(
        Journal::open_for_write(&path),
        Err(JournalError::Refused { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "left untouched");
    // ...a journal "too large" for it is written until a lookup reads the damaged page.
    let mut j = Journal::open_for_write_checking(&path, 0).unwrap();
    let rec = imported(&j, "r");
    let fresh: Vec<String> = (5000..5002)
        .map(|i| format!("{{\"id\":\"n{i}\"}}"))
        .collect();
    let ids: Vec<String> = (5000..5002).map(|i| format!("n{i}")).collect();
    for k in 0..2 {
        let e = NewEvent {
            timestamp: Some(5000 + k as i64),
            dedupe_key: format!("n{k}|T|{}|", 5000 + k),
            ..event(fresh[k].as_bytes(), &ids[k])
        };
        j.append_chunk(rec.id, &chunk("import", "{}", "{}", vec![e]), true)
            .unwrap();
    }
    // Every timestamp of the damaged leaf is looked up: a repeat of each stored event.
    let repeats = (0..3000).map(event_at).collect();
    let err = j
        .append_chunk(rec.id, &chunk("import", "{}", "{}", repeats), true)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is damaged")
            && err.contains("the chunk in progress was not stored")
            && err.contains(
                "this run stored 2 chunks with 2 events (chunks 31..32 of the recording)"
            ),
        "{err}"
    );
}

#[test]
fn repeats_are_flagged_while_the_filter_grows_and_after_a_reopen() {
    let (_dir, path) = scratch();
    // Run 1: 2000 keys, then the first 500 again (the filter grew meanwhile); run 2: 1000..3000.
    let ids: Vec<String> = (0..3000).chain(0..500).map(|i| format!("e{i}")).collect();
    let mut flagged = 0;
    for half in [(0..2000).chain(3000..3500), (1000..3000).chain(0..0)] {
        let half: Vec<String> = half.map(|i| ids[i].clone()).collect();
        // Each run opens the journal again: its filter is loaded from the stored keys.
        let mut j = Journal::open_for_write(&path).unwrap();
        let rec = imported(&j, "r");
        for (k, batch) in half.chunks(100).enumerate() {
            let events = batch.iter().map(|id| event(b"{}", id)).collect();
            let (_, d) = j
                .append_chunk(rec.id, &chunk("p", "", &k.to_string(), events), true)
                .unwrap();
            flagged += d;
        }
        assert!(j.seen[&rec.id].keys() >= 2000, "grown past its first size");
    }
    assert_eq!(
        flagged, 1500,
        "500 repeats in the first run, 1000 in the second"
    );
    let j = Journal::open_read(&path).unwrap();
    let unflagged: i64 = j
        .conn
        .query_row(
            "SELECT count(*) FROM events WHERE duplicate_of IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unflagged, 3000);
}

#[test]
fn a_new_journal_is_private_complete_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = scratch();
    drop(Journal::open_for_write(&path).unwrap());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["j.db"]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // Complete: its identity and schema are in the file itself. (That it is never seen
    // incomplete by a run killed while creating it is what record::survives_20_sigkills
    // exercises, by chance: no test here can stop the creation at a given moment.)
    let raw =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let (app, version): (i64, i64) = raw
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(app, i64::from(APPLICATION_ID));
    assert_eq!(version, MIGRATIONS.len() as i64);
}

#[test]
fn a_first_delivery_is_found_by_timestamp_and_key_in_one_seek() {
    // Thousands of events sharing one timestamp (a burst, or no timestamp at all): the lookup
    // must seek both columns, not read every event of that millisecond.
    let (_dir, path) = scratch();
    let j = Journal::open_for_write(&path).unwrap();
    let plan: Vec<String> = j
        .conn()
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {}",
            super::ingest::FIRST_DELIVERY
        ))
        .unwrap()
        .query_map(rusqlite::params![1, 1_700_000_000_000i64, "k"], |r| {
            r.get(3)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        plan,
        ["SEARCH events USING INDEX events_by_time (timestamp=? AND dedupe_key=?)"],
        "{plan:?}"
    );
}
