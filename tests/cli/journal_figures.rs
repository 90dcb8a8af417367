//! The figures `journal info` reads per partition (schema 4: `partition_counts` and
//! `chunks.events_through`, kept as chunks are written) equal a recount of the chunks after
//! `record`, `journal import` and the migration of older journals; `journal verify` says so
//! when they do not, and still finds each broken invariant it checks in its one pass.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

fn demo_lines(n: usize) -> String {
    demo_events()
        .lines()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect()
}

fn sqlite(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open with rusqlite")
}

/// (exit code, stdout) of `journal verify`.
fn verify(sb: &Sandbox, journal: &str) -> (Option<i32>, String) {
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", journal, "-o", "table"])
        .output()
        .unwrap();
    (out.status.code(), stdout_of(&out))
}

/// Per (recording name, partition): chunks, events, duplicates, first and last receipt,
/// received in order, and the events per bucket of `journal info`'s rate: counted from every
/// chunk, as `journal info` did before it kept them.
type Recount = BTreeMap<(String, String), (i64, i64, i64, i64, i64, bool, Vec<u64>)>;

fn recount(path: &Path) -> Recount {
    let db = sqlite(path);
    let (first, last): (Option<i64>, Option<i64>) = db
        .query_row(
            "SELECT min(received_at), max(received_at) FROM chunks",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let start = first.unwrap_or(0);
    let span = last.unwrap_or(start) - start + 1;
    let width = ((span + 47) / 48).max(1);
    let mut stmt = db
        .prepare(
            "SELECT r.name, c.partition, c.received_at, c.event_count, c.duplicates
             FROM chunks c JOIN recordings r ON r.id = c.recording_id ORDER BY c.id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Recount::new();
    while let Some(r) = rows.next().unwrap() {
        let (name, part, at, events, dups): (String, String, i64, i64, i64) = (
            r.get(0).unwrap(),
            r.get(1).unwrap(),
            r.get(2).unwrap(),
            r.get(3).unwrap(),
            r.get(4).unwrap(),
        );
        let e = out
            .entry((name, part))
            .or_insert((0, 0, 0, at, at, true, vec![0; 48]));
        e.0 += 1;
        e.1 += events;
        e.2 += dups;
        e.5 &= at >= e.4;
        e.3 = e.3.min(at);
        e.4 = e.4.max(at);
        e.6[((at - start) / width).clamp(0, 47) as usize] += events as u64;
    }
    out
}

/// What `journal info -o json` and the kept table say, in the shape of [`recount`].
fn shown(sb: &Sandbox, journal: &str) -> (Recount, Recount) {
    let info = journal_info(sb, journal);
    let from_info = info["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["chunks"].as_i64().unwrap() > 0)
        .map(|p| {
            (
                (
                    p["recording"].as_str().unwrap().to_string(),
                    p["partition"].as_str().unwrap().to_string(),
                ),
                (
                    p["chunks"].as_i64().unwrap(),
                    p["events"].as_i64().unwrap(),
                    p["duplicates"].as_i64().unwrap(),
                    p["firstReceivedAt"].as_i64().unwrap(),
                    p["lastReceivedAt"].as_i64().unwrap(),
                    // Not in the output: taken from the recount below.
                    true,
                    p["rate"]["counts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n.as_u64().unwrap())
                        .collect(),
                ),
            )
        })
        .collect();
    let db = sqlite(&sb.path().join(journal));
    let mut stmt = db
        .prepare(
            "SELECT r.name, k.partition, k.chunks, k.events, k.duplicates, k.first_received_at, k.last_received_at, k.in_order
             FROM partition_counts k JOIN recordings r ON r.id = k.recording_id",
        )
        .unwrap();
    let kept = stmt
        .query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                (
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get::<_, i64>(7)? == 1,
                    Vec::new(),
                ),
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (from_info, kept)
}

/// `journal info`'s figures and the kept ones equal a recount of every chunk, each chunk's
/// running count numbers its partition's events, and `journal verify` finds nothing.
fn assert_figures_match(sb: &Sandbox, journal: &str) -> Recount {
    let (from_info, kept) = shown(sb, journal);
    let counted = recount(&sb.path().join(journal));
    assert!(!counted.is_empty());
    let without_order = |r: &Recount| -> Recount {
        r.iter()
            .map(|(k, v)| {
                let mut v = v.clone();
                v.5 = true;
                (k.clone(), v)
            })
            .collect()
    };
    assert_eq!(from_info, without_order(&counted), "journal info");
    let without_rate = |r: &Recount| -> Recount {
        r.iter()
            .map(|(k, v)| {
                let mut v = v.clone();
                v.6 = Vec::new();
                (k.clone(), v)
            })
            .collect()
    };
    assert_eq!(kept, without_rate(&counted), "partition_counts");
    let wrong: i64 = sqlite(&sb.path().join(journal))
        .query_row(
            "SELECT count(*) FROM (SELECT events_through,
                 sum(event_count) OVER (PARTITION BY recording_id, partition ORDER BY id) AS n FROM chunks)
             WHERE events_through != n",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(wrong, 0, "chunks.events_through");
    let (code, out) = verify(sb, journal);
    assert_eq!(code, Some(0), "{out}");
    counted
}

/// A journal written by `record` (Symphony), `journal import` in chunks of 1 and 3 with
/// repeated deliveries, and an import of envelopes whose chunks were received backwards.
fn written_journal() -> Sandbox {
    let mut opts = test_options(&demo_events());
    opts.hub.batch_size = 10;
    opts.hub.poll_timeout = std::time::Duration::from_millis(300);
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", "--count", "20"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));

    // Ten events, then five of them again: five repeated deliveries.
    sb.write(
        "ones.ndjson",
        &format!("{}{}", demo_lines(10), demo_lines(5)),
    );
    sb.write("threes.ndjson", &demo_lines(11));
    for (name, size, file) in [
        ("ones", "1", "ones.ndjson"),
        ("threes", "3", "threes.ndjson"),
    ] {
        let out = sb
            .cmd()
            .args(["journal", "import", "-j", "j.db", "--name", name])
            .args(["--chunk-size", size, file])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    // The chunks of `threes` again, each received a second before the one before it.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "j.db", "--recording", "threes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let backwards: String = stdout_of(&out)
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let chunk = v["chunk"].as_i64().unwrap();
            v["recording"] = "backwards".into();
            v["receivedAt"] = (1_795_400_000_000i64 - chunk * 1000).into();
            format!("{v}\n")
        })
        .collect();
    sb.write("backwards.ndjson", &backwards);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "backwards.ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    sb
}

#[test]
fn journal_info_figures_equal_a_recount_after_record_and_import() {
    let sb = written_journal();
    let counted = assert_figures_match(&sb, "j.db");
    let of = |name: &str, part: &str| counted[&(name.to_string(), part.to_string())].clone();
    assert_eq!(of("default", "datafeed").1, 20);
    assert_eq!(
        (
            of("ones", "import").0,
            of("ones", "import").1,
            of("ones", "import").2
        ),
        (15, 15, 5)
    );
    assert_eq!(
        (of("threes", "import").0, of("threes", "import").1),
        (4, 11)
    );
    // Received backwards: read from each chunk, still the same figures.
    let back = of("backwards", "import");
    assert_eq!((back.0, back.1, back.5), (4, 11, false));
    // Both ways of reading the rate were taken: the recording was received in order.
    assert!(of("default", "datafeed").5);
}

#[test]
fn journal_info_figures_equal_a_recount_after_migrating_older_journals() {
    for old in ["schema-1.db", "schema-2.db"] {
        let sb = Sandbox::new();
        std::fs::copy(
            fixture(&format!("journals/{old}")),
            sb.path().join("old.db"),
        )
        .unwrap();
        let counted = assert_figures_match(&sb, "old.db");
        assert!(counted.values().any(|v| v.1 > 0), "{old}: {counted:?}");
        // The migrated journal goes on keeping them.
        sb.write("more.ndjson", &demo_lines(7));
        let out = sb
            .cmd()
            .args(["journal", "import", "-j", "old.db", "--name", "more"])
            .args(["--chunk-size", "2", "more.ndjson"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert_figures_match(&sb, "old.db");
    }
}

/// A copy of the journal with `sql` run on it, and what `journal verify` says of it.
fn tampered(sb: &Sandbox, sql: &str) -> (Option<i32>, String) {
    std::fs::copy(sb.path().join("j.db"), sb.path().join("t.db")).unwrap();
    let _ = std::fs::remove_file(sb.path().join("t.db-wal"));
    sqlite(&sb.path().join("t.db"))
        .execute_batch(&format!("PRAGMA foreign_keys = OFF; {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    verify(sb, "t.db")
}

/// A small journal of one import, checkpointed into the one file.
fn imported_journal() -> Sandbox {
    let sb = Sandbox::new();
    sb.write(
        "ones.ndjson",
        &format!("{}{}", demo_lines(10), demo_lines(5)),
    );
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--name", "ones"])
        .args(["--chunk-size", "3", "ones.ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    sqlite(&sb.path().join("j.db"))
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        .unwrap();
    assert_eq!(verify(&sb, "j.db").0, Some(0));
    sb
}

#[test]
fn verify_catches_tampered_partition_figures() {
    let sb = imported_journal();
    for (sql, check) in [
        (
            "UPDATE partition_counts SET events = events + 1",
            "partition counts: recording 1, partition import: kept 5 chunks, 16 events",
        ),
        ("UPDATE partition_counts SET duplicates = 0", "partition counts: "),
        ("UPDATE partition_counts SET last_received_at = 1", "partition counts: "),
        (
            "UPDATE partition_counts SET in_order = 1 - in_order",
            "partition counts: ",
        ),
        ("DELETE FROM partition_counts", "partition counts: "),
        (
            "UPDATE chunks SET events_through = 99 WHERE seq = 2",
            "chunk running counts: chunk 2 of recording 1 says its partition held 99 events up to it, its chunks hold 6",
        ),
    ] {
        let (code, out) = tampered(&sb, sql);
        assert_eq!(code, Some(1), "{sql}: {out}");
        assert!(out.contains(check), "{sql}: {out}");
    }
}

/// Each invariant `journal verify` checked before its one pass is still found, with the same
/// words, and a sound journal is not reported.
#[test]
fn verify_still_finds_every_broken_invariant() {
    let sb = imported_journal();
    for (sql, check) in [
        (
            "UPDATE chunks SET event_count = 7 WHERE seq = 1",
            "chunk event counts: chunk 1 of recording 1 says 7 events, holds 3",
        ),
        (
            "UPDATE chunks SET seq = 9 WHERE seq = 5",
            "chunk sequence: recording 1 has chunks 1..9 but 5 chunks",
        ),
        (
            "UPDATE events SET position = 5 WHERE id = 2",
            "event positions: chunk id 1 has positions that are not 0..n-1",
        ),
        (
            "UPDATE events SET duplicate_of = 3 WHERE id = 11",
            "duplicate links: event 11 is marked a duplicate of 3, which is not an earlier first delivery",
        ),
        (
            "UPDATE events SET dedupe_key = (SELECT dedupe_key FROM events WHERE id = 1) WHERE id = 2",
            "first deliveries unique: recording 1: 2 first deliveries of ",
        ),
        (
            "UPDATE chunks SET duplicates = 0 WHERE seq = 4",
            "chunk duplicate counts: chunk 4 of recording 1 counts 0 duplicates, holds 2",
        ),
        (
            "UPDATE event_counts SET events = events + 1",
            "event counts: recording 1, type MESSAGESENT",
        ),
        (
            "UPDATE events SET raw = '[1]' WHERE id = 4",
            "raw JSON: event 4 does not hold a JSON object",
        ),
        (
            "UPDATE events SET raw = '{\"a\":' WHERE id = 5",
            "raw JSON: event 5 does not hold a JSON object",
        ),
        (
            "UPDATE events SET raw = CAST('{}' AS BLOB) WHERE id = 6",
            "raw JSON: event 6 does not hold a JSON object",
        ),
        (
            "UPDATE markers SET chunk_seq = 2",
            "markers: recording 1, partition import: marker at chunk 2, last chunk 5",
        ),
        (
            "UPDATE recordings SET source_kind = ''",
            "source kinds: recording 1 (ones) names no source kind",
        ),
        (
            "UPDATE events SET partition = 'other' WHERE id = 7",
            "event partitions: event 7 is in partition other, its chunk in import",
        ),
        (
            "UPDATE chunks SET cursor_after = '{' WHERE seq = 3",
            "chunk cursors: chunk 3 of recording 1 has a cursor that is not JSON",
        ),
        (
            "UPDATE events SET chunk_id = 99 WHERE id = 15",
            "references: events row 15 breaks a reference to chunks",
        ),
        (
            "UPDATE events SET duplicate_of = 999 WHERE id = 14",
            "references: events row 14 breaks a reference to events",
        ),
        (
            // Values of another type than the schema's: each check's query reads them.
            "UPDATE chunks SET seq = 'x' WHERE seq = 2",
            "chunk sequence: recording 1 has chunks 1..x but 5 chunks",
        ),
        (
            "UPDATE event_counts SET type = 5 WHERE (type, stream_id) = (SELECT type, stream_id FROM event_counts LIMIT 1)",
            "event counts: recording 1, type 5",
        ),
        (
            // An event moved to an earlier chunk, its events no longer side by side.
            "UPDATE events SET chunk_id = 1, position = 3 WHERE id = 13",
            "chunk event counts: chunk 1 of recording 1 says 3 events, holds 4",
        ),
    ] {
        let (code, out) = tampered(&sb, sql);
        assert_eq!(code, Some(1), "{sql}: {out}");
        assert!(out.contains(check), "{sql}: {out}");
    }
}

/// `journal verify` draws its progress over the events on a terminal's stderr, and nothing of
/// it when stderr is not a terminal.
#[test]
fn verify_draws_progress_only_on_a_terminal() {
    let sb = imported_journal();
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "j.db", "-o", "table"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        !stderr_of(&out).contains("verifying"),
        "{}",
        stderr_of(&out)
    );
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"));
    cmd.args(["journal", "verify", "-j", "j.db"])
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .current_dir(sb.path());
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).expect("pty");
    let tty = p.exp_eof().expect("feedctl ends");
    assert!(tty.contains("verifying") && tty.contains("100%"), "{tty:?}");
    assert!(
        tty.contains("ok (SQLite integrity and journal invariants)"),
        "{tty:?}"
    );
}
