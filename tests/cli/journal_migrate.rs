//! A journal written by the schema-1 release (fixtures/journals/schema-1.db) opens, migrates to
//! the current schema, verifies, shows, exports the same bytes, replays, and `record` resumes
//! from its migrated marker; one of schema 2 (fixtures/journals/schema-2.db) migrates too.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::common::*;

/// A copy of the fixture in the sandbox: a migration writes to the file it opens.
fn schema_1_copy(sb: &Sandbox) -> PathBuf {
    let to = sb.path().join("old.db");
    std::fs::copy(fixture("journals/schema-1.db"), &to).expect("copy the fixture");
    to
}

fn sqlite(path: &PathBuf) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open with rusqlite")
}

fn info(sb: &Sandbox) -> serde_json::Value {
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "old.db", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).expect("info JSON")
}

/// The migrated (recording name, partition, cursor) markers.
fn markers(path: &PathBuf) -> Vec<(String, String, String, i64)> {
    let db = sqlite(path);
    let mut stmt = db
        .prepare(
            "SELECT r.name, m.partition, m.cursor, m.chunk_seq FROM markers m
             JOIN recordings r ON r.id = m.recording_id ORDER BY r.id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_schema_1_journal_migrates_and_keeps_every_recording() {
    let sb = Sandbox::new();
    let path = schema_1_copy(&sb);
    let s = info(&sb);
    let counts: Vec<(String, i64, i64, i64, String)> = s["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["events"].as_i64().unwrap(),
                r["chunks"].as_i64().unwrap(),
                r["gaps"].as_i64().unwrap(),
                r["sourceKind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("demo", 40, 4, 0, "symphony"),
        ("hand-made", 17, 1, 0, "import"),
        ("unknown-types", 2, 1, 0, "import"),
        ("live", 40, 1, 0, "symphony"),
        ("gappy", 30, 3, 1, "symphony"),
    ]
    .map(|(n, e, c, g, k)| (n.to_string(), e, c, g, k.to_string()));
    assert_eq!(counts, expected);

    let db = sqlite(&path);
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 5, "migrated to schema 5");
    // Schema 5: a first delivery is found by timestamp and dedupe key in one seek.
    let index: Vec<String> = db
        .prepare("SELECT name FROM pragma_index_info('events_by_time') ORDER BY seqno")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(index, ["timestamp", "dedupe_key"]);
    // Schema 3's count of lost events: unknown for a gap stored before it.
    let (gaps, unknown): (i64, i64) = db
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE lost IS NULL) FROM gaps",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((gaps, unknown), (1, 1));
    let gappy = &s["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["recording"] == "gappy")
        .unwrap();
    assert_eq!(
        (&gappy["lost"], &gappy["lostUnknown"]),
        (&0.into(), &1.into())
    );
    assert!(s["gapList"][0]["lost"].is_null(), "{s}");
    // Symphony chunks: partition 'datafeed' and cursors built from their own columns.
    let (partition, before, after): (String, String, String) = db
        .query_row(
            "SELECT partition, cursor_before, cursor_after FROM chunks c JOIN recordings r ON r.id = c.recording_id
             WHERE r.name = 'demo' AND c.seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(partition, "datafeed");
    assert_eq!(
        before,
        r#"{"feedId":"8dbd0ee82159ee768455fcf72b18bcab_f","ackId":"ack-e24ed6ce178a334704df78e6"}"#
    );
    assert_eq!(
        after,
        r#"{"feedId":"8dbd0ee82159ee768455fcf72b18bcab_f","ackId":"ack-17d3ba937b8ce4d284d13f38"}"#
    );
    let unpartitioned: i64 = db
        .query_row(
            "SELECT count(*) FROM events WHERE partition IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unpartitioned, 0, "every event has its chunk's partition");
    drop(db);

    assert_eq!(
        markers(&path),
        vec![
            (
                "demo".into(),
                "datafeed".into(),
                r#"{"feedId":"8dbd0ee82159ee768455fcf72b18bcab_f","ackId":"ack-f45e91957715cd1281b03756"}"#.into(),
                4
            ),
            (
                "live".into(),
                "datafeed".into(),
                r#"{"feedId":"de4295c6d3d5e25934f829ddc8bcdfd0_f","ackId":"ack-0454e0905174088be523a266"}"#.into(),
                1
            ),
            (
                "gappy".into(),
                "datafeed".into(),
                r#"{"feedId":"c2fedd4692bac7742f4d32f3e6ccff5d_f","ackId":"ack-570e4000dead2cb73761f41a"}"#.into(),
                3
            ),
        ]
    );

    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "old.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "verify: {}", stderr_of(&out));

    let out = sb
        .cmd()
        .args([
            "journal",
            "show",
            "-j",
            "old.db",
            "--recording",
            "gappy",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    assert_eq!(rows.len(), 30);
    assert!(rows
        .iter()
        .all(|r| r["partition"] == "datafeed" && r["event"]["id"].is_string()));
}

#[test]
fn a_migrated_journal_exports_the_same_bytes_and_replays() {
    let sb = Sandbox::new();
    schema_1_copy(&sb);
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "old.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // The release's export had the envelope of its time ({"recording","feedId","chunk",
    // "receivedAt","event"}); the event bytes and where each was received stay the same.
    let expected = std::fs::read_to_string(fixture("journals/schema-1.export.ndjson")).unwrap();
    let parts = |line: &str| -> (serde_json::Value, String) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let event = line.split_once(",\"event\":").unwrap().1;
        let event = event.strip_suffix('}').unwrap().to_string();
        (
            serde_json::json!([v["recording"], v["chunk"], v["receivedAt"]]),
            event,
        )
    };
    let now: Vec<_> = stdout_of(&out).lines().map(parts).collect();
    let then: Vec<_> = expected.lines().map(parts).collect();
    assert_eq!(now.len(), then.len());
    assert!(
        now == then,
        "the export differs from the schema-1 release's:\n{}",
        stdout_of(&out)
    );

    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "old.db",
            "--exec",
            "cat >/dev/null",
            "--speed",
            "max",
            "--report",
            "r.json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report["outcomes"]["handled"], 129, "{report}");
}

/// Schema 2 -> 3: a Redis recording whose gap's count was only in its reason's text opens with
/// `gaps.lost` NULL (unknown: the text's "up to" is not turned into a count), verifies, and
/// `journal info` says the loss is unknown.
#[test]
fn a_schema_2_journal_migrates_with_its_gaps_lost_unknown() {
    let sb = Sandbox::new();
    let path = sb.path().join("old.db");
    std::fs::copy(fixture("journals/schema-2.db"), &path).expect("copy the fixture");
    let s = info(&sb);
    assert_eq!(s["gaps"], 1, "{s}");
    let gap = &s["gapList"][0];
    assert!(
        gap["reason"].as_str().unwrap().contains("up to 15 entries"),
        "{gap}"
    );
    assert!(gap["lost"].is_null(), "{gap}");
    let part = &s["partitions"][0];
    assert_eq!(
        (&part["lost"], &part["lostUnknown"]),
        (&0.into(), &1.into()),
        "{part}"
    );
    let db = sqlite(&path);
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 5);
    let lost: Option<i64> = db
        .query_row("SELECT lost FROM gaps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(lost, None);
    drop(db);
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "old.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "verify: {}", stdout_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "old.db", "-o", "table"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&out).contains("1 (? lost)"),
        "{}",
        stdout_of(&out)
    );
}

/// `journal verify` reports a gap whose loss is not a count.
#[test]
fn verify_reports_a_gap_lost_that_is_not_a_count() {
    let sb = Sandbox::new();
    let path = sb.path().join("old.db");
    std::fs::copy(fixture("journals/schema-2.db"), &path).expect("copy the fixture");
    info(&sb);
    sqlite(&path)
        .execute_batch("UPDATE gaps SET lost = -3")
        .unwrap();
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "old.db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    assert!(
        stdout_of(&out).contains("lost -3 events, not a count"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn a_journal_of_a_newer_schema_is_refused_untouched() {
    let sb = Sandbox::new();
    let path = schema_1_copy(&sb);
    sqlite(&path)
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    for args in [
        &["journal", "info", "-j", "old.db"][..],
        &["journal", "import", "-j", "old.db", "-"][..],
    ] {
        let out = sb.cmd().args(args).output().unwrap();
        assert!(!out.status.success());
        let err = stderr_of(&out);
        assert!(
            err.contains("newer feedctl") && err.contains("schema version 99"),
            "{err}"
        );
    }
    assert!(std::fs::read(&path).unwrap() == before, "left untouched");
}

/// A TCP relay to `upstream` that keeps a copy of every byte clients send through it.
fn recording_relay(upstream: SocketAddr) -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = sent.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            let Ok(server) = TcpStream::connect(upstream) else {
                continue;
            };
            let (mut from_client, mut to_server) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n @ 1..) = from_client.read(&mut buf) {
                    log.lock().unwrap().extend_from_slice(&buf[..n]);
                    if to_server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to_server.shutdown(Shutdown::Write);
            });
            let (mut from_server, mut to_client) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_server, &mut to_client);
                let _ = to_client.shutdown(Shutdown::Write);
            });
        }
    });
    (format!("http://{addr}"), sent)
}

#[test]
fn record_resumes_a_migrated_recording_from_its_marker() {
    let pod = InProcess::start(test_options(&demo_events()));
    let upstream: SocketAddr = pod
        .url()
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let (url, sent) = recording_relay(upstream);
    let sb = Sandbox::new();
    let path = schema_1_copy(&sb);
    sb.fast_config_for(&url, "");
    let out = sb
        .cmd()
        .args(["record", "-j", "old.db", "--name", "gappy", "--count", "5"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "resuming recording `gappy` after chunk 3 on datafeed c2fedd4692bac7742f4d32f3e6ccff5d_f"
        ),
        "{err}"
    );
    // The first read went to the migrated feed with the migrated ackId.
    let sent = String::from_utf8_lossy(&sent.lock().unwrap()).into_owned();
    let read = sent
        .find("/datafeeds/c2fedd4692bac7742f4d32f3e6ccff5d_f/read")
        .unwrap_or_else(|| panic!("no read of the migrated feed in:\n{sent}"));
    assert!(
        sent[read..].contains(r#""ackId":"ack-570e4000dead2cb73761f41a""#),
        "the migrated ackId was not sent:\n{sent}"
    );
    // That feed is unknown to this pod: a gap from it to the new feed, and the marker follows.
    let db = sqlite(&path);
    let (old, new, cursor): (String, String, String) = db
        .query_row(
            "SELECT old_feed_id, new_feed_id, cursor_after FROM gaps WHERE recording_id = 5 ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(old, "c2fedd4692bac7742f4d32f3e6ccff5d_f");
    assert_eq!(cursor, format!(r#"{{"feedId":"{new}","ackId":""}}"#));
    drop(db);
    let gappy = markers(&path).into_iter().find(|m| m.0 == "gappy").unwrap();
    assert_eq!(gappy.1, "datafeed");
    assert_eq!(gappy.3, 4, "the marker acknowledges the new chunk");
    assert!(gappy.2.contains(&new), "{gappy:?}");
    assert_eq!(info(&sb)["recordings"][4]["gaps"], 2);
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "old.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "verify: {}", stdout_of(&out));
}

#[test]
fn handlers_are_told_the_source_and_partition_of_each_event() {
    let sb = Sandbox::new();
    let path = schema_1_copy(&sb);
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            path.to_str().unwrap(),
            "--exec",
            r#"echo "$FEEDCTL_SOURCE $FEEDCTL_PARTITION" >> seen.txt"#,
            "--sequential",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let seen = std::fs::read_to_string(sb.path().join("seen.txt")).unwrap();
    let count = |line: &str| seen.lines().filter(|l| *l == line).count();
    // demo 40 + live 40 + gappy 30 recorded from a pod; hand-made 17 + unknown-types 2 imported.
    assert_eq!(count("symphony datafeed"), 110, "{seen}");
    assert_eq!(count("import import"), 19, "{seen}");
}
