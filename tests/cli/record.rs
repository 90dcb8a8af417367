//! `feedctl record` and the journal: nothing lost across kills, duplicates flagged, resumable,
//! single writer, private files, bad files refused untouched, export | import round trip.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use feedctl::serve::FaultRule;
use rand::{Rng, SeedableRng};

use crate::common::*;

fn pod_with(events: &str, faults: &[&str], batch: usize, visibility_ms: u64) -> InProcess {
    let mut opts = test_options(events);
    opts.hub.batch_size = batch;
    opts.hub.poll_timeout = Duration::from_millis(300);
    opts.hub.visibility_timeout = Duration::from_millis(visibility_ms);
    opts.faults = faults
        .iter()
        .map(|f| f.parse::<FaultRule>().unwrap())
        .collect();
    opts.seed = 7;
    InProcess::start(opts)
}

fn exported(sb: &Sandbox, journal: &str) -> Vec<serde_json::Value> {
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", journal])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn verify_ok(sb: &Sandbox, journal: &str) {
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", journal])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "verify: {}{}",
        stdout_of(&out),
        stderr_of(&out)
    );
}

#[test]
fn records_resumes_and_keeps_exact_bytes() {
    let events = demo_events();
    let pod = pod_with(&events, &[], 10, 800);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "rec.db", "--count", "15"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        journal_info(&sb, "rec.db")["events"],
        20,
        "two chunks of 10 stored whole"
    );
    // The same command resumes on the same feed from the marker.
    let out = sb
        .cmd()
        .args(["record", "-j", "rec.db", "--count", "20"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(
        out.status.success() && err.contains("resuming recording `default` after chunk 2"),
        "{err}"
    );
    let creates = pod
        .server()
        .requests()
        .iter()
        .filter(|r| r.target == "create")
        .count();
    assert_eq!(creates, 1, "the feed is reused across runs");
    let rows = exported(&sb, "rec.db");
    let raws: Vec<String> = rows.iter().map(|r| r["event"].to_string()).collect();
    let served: Vec<String> = events
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(raws, served, "every event once, in order");
    verify_ok(&sb, "rec.db");
    // Exact bytes: the stored text is the served line itself.
    let out = sb
        .cmd()
        .args([
            "journal", "show", "-j", "rec.db", "--limit", "1", "-o", "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.path().join("rec.db"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "journal files are private");
    }
}

#[test]
fn survives_20_sigkills_without_losing_or_doubling_anything() {
    let events = generated_events(1500);
    let pod = pod_with(&events, &[], 25, 300);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    for _ in 0..20 {
        let mut child = sb.spawn(&["record", "-j", "crash.db", "--read-timeout", "2s"]);
        std::thread::sleep(Duration::from_millis(rng.gen_range(20..250)));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // Let the last run finish the job: everything not acknowledged comes again.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = sb
            .cmd()
            .args([
                "record",
                "-j",
                "crash.db",
                "--duration",
                "1500ms",
                "--read-timeout",
                "2s",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let stored: Vec<String> = exported(&sb, "crash.db")
            .iter()
            .map(|r| r["event"]["id"].as_str().unwrap().to_string())
            .collect();
        let unique: std::collections::HashSet<&String> = stored.iter().collect();
        if unique.len() == 1500 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of 1500 events after the kills",
            unique.len()
        );
    }
    verify_ok(&sb, "crash.db");
    // Stored more than once only if served more than once, and then flagged.
    let mut served: HashMap<String, usize> = HashMap::new();
    for r in pod.server().requests() {
        for id in r.events.unwrap_or_default() {
            *served.entry(id.to_string()).or_default() += 1;
        }
    }
    let mut stored: HashMap<String, usize> = HashMap::new();
    let mut firsts: HashMap<String, usize> = HashMap::new();
    let out = sb
        .cmd()
        .args([
            "journal", "show", "-j", "crash.db", "--limit", "100000", "-o", "ndjson",
        ])
        .output()
        .unwrap();
    for line in stdout_of(&out).lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = row["eventId"].as_str().unwrap().to_string();
        *stored.entry(id.clone()).or_default() += 1;
        if row["duplicateOf"].is_null() {
            *firsts.entry(id).or_default() += 1;
        }
    }
    assert_eq!(firsts.len(), 1500);
    assert!(
        firsts.values().all(|n| *n == 1),
        "one first delivery per event"
    );
    for (id, n) in &stored {
        assert!(
            *n <= served[id],
            "{id} stored {n} times but served {} times",
            served[id]
        );
    }
}

#[test]
fn duplicates_and_reordering_from_the_server_are_stored_and_flagged() {
    let events = demo_events();
    let pod = pod_with(&events, &["read:duplicate+1", "read:reorder+2"], 10, 800);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "d.db", "--count", "50"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let i = journal_info(&sb, "d.db");
    assert_eq!(i["events"], 50);
    assert_eq!(
        i["duplicates"], 10,
        "the repeated chunk is kept and flagged"
    );
    let out = sb
        .cmd()
        .args([
            "journal", "show", "-j", "d.db", "--limit", "100", "-o", "json",
        ])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let dups: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| !r["duplicateOf"].is_null())
        .collect();
    assert_eq!(dups.len(), 10);
    for d in dups {
        let first = rows.iter().find(|r| r["row"] == d["duplicateOf"]).unwrap();
        assert_eq!(
            first["event"], d["event"],
            "flagged against its first delivery"
        );
    }
    // The reordered chunk is stored in delivery order.
    let chunk3: Vec<i64> = rows
        .iter()
        .filter(|r| r["chunk"] == 3)
        .map(|r| r["time"].as_i64().unwrap())
        .collect();
    assert!(
        chunk3.windows(2).any(|w| w[0] > w[1]),
        "delivery order kept: {chunk3:?}"
    );
    verify_ok(&sb, "d.db");
}

#[test]
fn a_recreated_feed_is_recorded_as_a_gap() {
    let pod = pod_with(&demo_events(), &["read:400+2"], 10, 800);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "g.db", "--count", "40"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let i = journal_info(&sb, "g.db");
    assert_eq!(i["gaps"], 1);
    // A new feed starts empty: how many events the old one still held is unknown.
    assert!(i["gapList"][0]["lost"].is_null(), "{i}");
    assert_eq!(i["partitions"][0]["lostUnknown"], 1, "{i}");
    verify_ok(&sb, "g.db");
}

#[test]
fn a_second_writer_fails_at_once() {
    let pod = pod_with("", &[], 10, 800);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let mut first = sb.spawn(&["record", "-j", "w.db"]);
    let until = Instant::now() + Duration::from_secs(10);
    while !pod.server().requests().iter().any(|r| r.target == "create") {
        assert!(Instant::now() < until);
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    let out = sb.cmd().args(["record", "-j", "w.db"]).output().unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(started.elapsed() < Duration::from_secs(2), "at once");
    assert!(
        stderr_of(&out).contains("being written by another feedctl process"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn export_then_import_round_trips_exact_bytes_and_chunks() {
    let events = all_types();
    let pod = pod_with(&events, &[], 5, 800);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "a.db", "--count", "17"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let first = exported(&sb, "a.db");
    let text: String = first.iter().map(|v| v.to_string() + "\n").collect();
    // Through a pipe, as a user would.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "a.db"])
        .output()
        .unwrap();
    let exported_text = stdout_of(&out);
    assert_eq!(exported_text.lines().count(), 17);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "b.db", "-"])
        .write_stdin(exported_text.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "b.db"])
        .output()
        .unwrap();
    let again = stdout_of(&out);
    // Same event bytes, same chunking, same recording name.
    let strip = |t: &str| -> Vec<(String, u64, String)> {
        t.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let raw_start = l.find("\"event\":").unwrap() + 8;
                (
                    v["recording"].as_str().unwrap().to_string(),
                    v["chunk"].as_u64().unwrap(),
                    l[raw_start..l.len() - 1].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&again), strip(&exported_text));
    let original: Vec<&str> = events.lines().collect();
    let bytes: Vec<String> = strip(&again).into_iter().map(|(_, _, raw)| raw).collect();
    assert_eq!(bytes, original, "the exact bytes served");
    assert!(!text.is_empty());
}

#[test]
fn hand_written_events_import_into_chunks() {
    let sb = Sandbox::new();
    let file = sb.write("scenario.ndjson", &(all_types() + "\n"));
    let out = sb
        .cmd()
        .args([
            "journal",
            "import",
            "-j",
            "s.db",
            "--chunk-size",
            "5",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let i = journal_info(&sb, "s.db");
    assert_eq!(i["events"], 17);
    assert_eq!(i["chunks"], 4);
    assert_eq!(i["recordings"][0]["name"], "scenario");
    verify_ok(&sb, "s.db");
    let bad = sb.write("bad.ndjson", "{\"id\":\"x\"}\n[1,2]\n");
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "s.db", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("line 2"), "{}", stderr_of(&out));
    assert_eq!(
        journal_info(&sb, "s.db")["events"],
        17,
        "a bad file imports nothing"
    );
    let out = sb
        .cmd()
        .args([
            "journal",
            "show",
            "-j",
            "s.db",
            "--type",
            "roomcreated",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn bad_files_are_refused_with_exit_2_and_left_untouched() {
    let sb = Sandbox::new();
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(sb.path().join("garbage.db"), &garbage).unwrap();
    sb.write("notes.txt", "just some text\nnot a database\n");
    {
        let other = rusqlite::Connection::open(sb.path().join("other.db")).unwrap();
        other
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    // A real journal with its tail cut off.
    let file = sb.write("s.ndjson", &demo_events());
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "cut.db", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let full = std::fs::read(sb.path().join("cut.db")).unwrap();
    std::fs::write(sb.path().join("cut.db"), &full[..full.len() / 2]).unwrap();
    let _ = std::fs::remove_file(sb.path().join("cut.db-wal"));
    let _ = std::fs::remove_file(sb.path().join("cut.db-shm"));

    for name in ["garbage.db", "notes.txt", "other.db", "cut.db"] {
        let before = std::fs::read(sb.path().join(name)).unwrap();
        let commands: Vec<Vec<&str>> = vec![
            vec!["journal", "ls", "-j", name],
            vec!["journal", "info", "-j", name],
            vec!["journal", "show", "-j", name],
            vec!["journal", "export", "-j", name],
            vec!["journal", "verify", "-j", name],
            vec!["journal", "import", "-j", name, "s.ndjson"],
        ];
        for args in commands {
            let out = sb.cmd().args(&args).output().unwrap();
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            assert!(err.contains(name), "names the file: {err}");
            assert!(
                err.contains("not a feedctl journal")
                    || err.contains("damaged")
                    || err.contains("integrity"),
                "{args:?}: {err}"
            );
        }
        assert_eq!(
            std::fs::read(sb.path().join(name)).unwrap(),
            before,
            "{name} untouched"
        );
    }
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "missing.db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no journal at missing.db"));
}

/// The ids of the bot's datafeeds with `tag`, as `feedctl datafeed list` shows them.
fn feeds_tagged(sb: &Sandbox, tag: &str) -> Vec<String> {
    let out = sb
        .cmd()
        .args(["datafeed", "list", "--tag", tag, "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_recorders_replacement_feed_keeps_its_tag_and_tail_never_touches_it() {
    let pod = pod_with(&demo_events(), &[], 10, 800);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let record = |count: &str| {
        let out = sb
            .cmd()
            .args(["record", "-j", "r.db", "--count", count])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stderr_of(&out)
    };
    record("10");
    let first = feeds_tagged(&sb, "feedctl-record-default");
    assert_eq!(first.len(), 1, "record made a feed of its own: {first:?}");
    // The feed goes away behind the recorder's back (expired, or deleted by someone else).
    let out = sb
        .cmd()
        .args(["datafeed", "delete", "--yes", &first[0]])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = record("20");
    assert!(err.contains("is gone"), "{err}");
    let replacement = feeds_tagged(&sb, "feedctl-record-default");
    assert_eq!(
        replacement.len(),
        1,
        "the replacement has the recording's tag"
    );
    assert_ne!(replacement, first);
    assert!(
        feeds_tagged(&sb, "feedctl").is_empty(),
        "nothing carries tail's tag"
    );
    // A tail reads a feed of its own and deletes only that one.
    let out = sb.cmd().args(["tail", "--count", "3"]).output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains(&replacement[0]),
        "tail must not touch the recorder's feed: {err}"
    );
    assert!(err.contains("created datafeed"), "{err}");
    assert_eq!(
        feeds_tagged(&sb, "feedctl-record-default"),
        replacement,
        "the recorder's feed survives the tail"
    );
    // The recorder resumes on its replacement, where it stood.
    let before = journal_info(&sb, "r.db")["events"].as_i64().unwrap();
    let err = record("5");
    assert!(
        err.contains(&format!("on datafeed {}", replacement[0])),
        "{err}"
    );
    let after = journal_info(&sb, "r.db");
    assert!(after["events"].as_i64().unwrap() > before, "{after}");
    assert_eq!(after["gaps"], 1, "no new gap: the recorder kept its events");
    verify_ok(&sb, "r.db");
}

#[test]
fn record_honours_tag() {
    let pod = pod_with(&demo_events(), &[], 10, 800);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "t.db", "--count", "10", "--tag", "nightly"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(feeds_tagged(&sb, "nightly").len(), 1);
    assert!(feeds_tagged(&sb, "feedctl-record-default").is_empty());
}

/// Issue 32 item 5: `serve --state DIR` keeps its datafeeds across a restart (where each stands,
/// its unacknowledged batch under the same ackId), so `record` resumes against the restarted
/// emulator as against a real pod: no recreated feed, no gap, every event once. Without it the
/// restarted emulator does not know the feed (400): a new feed, and a gap.
#[test]
fn a_recording_resumes_on_a_serve_restarted_with_its_state() {
    for with_state in [true, false] {
        let sb = Sandbox::new();
        let events = sb.write("events.ndjson", &demo_events());
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let state = sb.path().join("pod-state");
        let mut args = vec![
            "--events".to_string(),
            events.display().to_string(),
            "--accept-any-key".into(),
            "--batch-size".into(),
            "10".into(),
            "--poll-timeout".into(),
            "300ms".into(),
        ];
        if with_state {
            args.extend(["--state".into(), state.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let pod = ServeProcess::spawn_at(&listen, &args);
        sb.fast_config_for(&pod.base_url, "");
        let out = sb
            .cmd()
            .args(["record", "-j", "s.db", "--count", "10"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        drop(pod); // SIGKILL: what --state keeps is written as it changes
        let pod = ServeProcess::spawn_at(&listen, &args);
        let out = sb
            .cmd()
            .args(["record", "-j", "s.db", "--count", "30"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        drop(pod);
        let i = journal_info(&sb, "s.db");
        if with_state {
            assert_eq!(i["events"], 40, "every event once: {i}");
            assert_eq!(i["duplicates"], 0, "{i}");
            assert_eq!(i["gaps"], 0, "the same feed, resumed: {}", stderr_of(&out));
            assert!(
                !stderr_of(&out).contains("created datafeed"),
                "{}",
                stderr_of(&out)
            );
        } else {
            assert_eq!(
                i["gaps"], 1,
                "a restart without --state forgets the feed: {i}"
            );
        }
    }
}
