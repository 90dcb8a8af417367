//! `journal import` reads its input twice (check, then write) without holding it: standard input
//! is spooled, a bad line still leaves the journal untouched, chunks and resume markers are the
//! ones the version that held everything wrote.

use crate::common::*;

fn import(sb: &Sandbox, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut cmd = sb.cmd();
    cmd.args(["journal", "import", "-j", "j.db"]).args(args);
    if let Some(text) = stdin {
        cmd.write_stdin(text.to_string());
    }
    cmd.output().unwrap()
}

fn rows(sb: &Sandbox, sql: &str) -> Vec<Vec<String>> {
    let db = rusqlite::Connection::open_with_flags(
        sb.path().join("j.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = db.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Null => "null".into(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn files_in(sb: &Sandbox) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(sb.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The previous version's fingerprint, written out here so a change to it shows: FNV-1a 64 over
/// `\x1echunk` before each chunk and `\x1f` + the event's bytes for each event.
fn fingerprint(chunks: &[&[&str]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut n = 0;
    for c in chunks {
        feed(b"\x1echunk");
        for e in *c {
            feed(b"\x1f");
            feed(e.as_bytes());
            n += 1;
        }
    }
    format!("fnv1a64:{h:016x}:{n}")
}

#[test]
fn standard_input_is_checked_to_its_end_before_the_journal_is_touched() {
    let sb = Sandbox::new();
    let mut text = generated_events(30);
    text.push_str("\n{\"id\":\"x\"}\n[1,2]\n");
    let before = files_in(&sb);
    let out = import(&sb, &["-"], Some(&text));
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("- line 32"), "{}", stderr_of(&out));
    assert_eq!(
        files_in(&sb),
        before,
        "no journal created and no spool left behind"
    );

    let good = generated_events(30);
    let out = import(&sb, &["--chunk-size", "7", "-"], Some(&good));
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("imported 30 events in 5 chunks into recording `import`"),
        "{}",
        stderr_of(&out)
    );
    let mut after = files_in(&sb);
    after.retain(|f| !f.starts_with("j.db"));
    assert_eq!(after, before, "the spool of standard input is gone");
    let stored = rows(&sb, "SELECT raw FROM events ORDER BY id");
    let lines: Vec<Vec<String>> = good.lines().map(|l| vec![l.to_string()]).collect();
    assert_eq!(stored, lines, "the exact bytes of standard input");
}

#[test]
fn standard_input_and_the_file_it_came_from_are_the_same_import() {
    let sb = Sandbox::new();
    let text = all_types();
    let file = sb.write("scenario.ndjson", &text);
    let out = import(
        &sb,
        &["--name", "s", "--chunk-size", "5", file.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = import(&sb, &["--name", "s", "--chunk-size", "5", "-"], Some(&text));
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("already imported"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(rows(&sb, "SELECT count(*) FROM events"), [["17"]]);
}

#[test]
fn chunks_markers_and_received_times_are_the_previous_versions() {
    let sb = Sandbox::new();
    let text = all_types();
    let events: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let file = sb.write("scenario.ndjson", &text);
    let out = import(&sb, &["--chunk-size", "5", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let chunks: Vec<&[&str]> = events.chunks(5).collect();
    let print = fingerprint(&chunks);
    // Byte-compatible cursors: an import the previous version left half done resumes.
    assert_eq!(
        rows(&sb, "SELECT partition, cursor, chunk_seq FROM markers"),
        [[
            "import".to_string(),
            format!("{{\"import\":\"{print}\",\"chunk\":4,\"of\":4}}"),
            "4".to_string()
        ]]
    );
    let stored = rows(
        &sb,
        "SELECT cursor_before, cursor_after, received_at, event_count FROM chunks ORDER BY seq",
    );
    for (k, c) in chunks.iter().enumerate() {
        // A hand-written chunk counts as received at its latest event.
        let latest = c
            .iter()
            .filter_map(|e| {
                serde_json::from_str::<serde_json::Value>(e).ok()?["timestamp"].as_i64()
            })
            .max()
            .unwrap();
        assert_eq!(
            stored[k],
            [
                format!("{{\"import\":\"{print}\",\"chunk\":{k},\"of\":4}}"),
                format!("{{\"import\":\"{print}\",\"chunk\":{},\"of\":4}}", k + 1),
                latest.to_string(),
                c.len().to_string()
            ]
        );
    }
}

#[test]
fn envelopes_keep_their_chunks_around_hand_written_events() {
    let sb = Sandbox::new();
    let events: Vec<String> = generated_events(9).lines().map(String::from).collect();
    let env = |chunk: u64, at: i64, e: &str| {
        format!("{{\"recording\":\"rec\",\"feedId\":\"F\",\"chunk\":{chunk},\"receivedAt\":{at},\"event\":{e}}}")
    };
    let text = [
        env(1, 1000, &events[0]),
        env(1, 1000, &events[1]),
        env(1, 1000, &events[2]),
        env(2, 2000, &events[3]),
        env(2, 2000, &events[4]),
        events[5].clone(),
        String::new(),
        events[6].clone(),
        events[7].clone(),
        env(2, 3000, &events[8]),
    ]
    .join("\n");
    let file = sb.write("mixed.ndjson", &text);
    let out = import(&sb, &["--chunk-size", "2", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("in 5 chunks into recording `rec`"),
        "{}",
        stderr_of(&out)
    );
    let chunks = rows(
        &sb,
        "SELECT feed_id, received_at, event_count FROM chunks ORDER BY seq",
    );
    let at = |k: usize| {
        serde_json::from_str::<serde_json::Value>(&events[k]).unwrap()["timestamp"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let row = |f: &str, at: String, n: &str| vec![f.to_string(), at, n.to_string()];
    assert_eq!(
        chunks,
        [
            row("F", "1000".into(), "3"),
            row("F", "2000".into(), "2"),
            row("null", at(6), "2"),
            row("null", at(7), "1"),
            row("F", "3000".into(), "1"),
        ]
    );
}
