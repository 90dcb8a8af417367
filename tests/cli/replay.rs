//! `feedctl replay --exec`: the handler contract of DESIGN §6, through the real binary.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// A sandbox with the demo events imported as recording `demo` in chunks of `chunk` events.
fn journal_with(events: &str, chunk: usize) -> Sandbox {
    let sb = Sandbox::new();
    let file = sb.write("events.ndjson", events);
    let out = sb
        .cmd()
        .args([
            "journal",
            "import",
            "-j",
            "j.db",
            "--name",
            "demo",
            "--chunk-size",
            &chunk.to_string(),
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    sb
}

fn script(sb: &Sandbox, name: &str, body: &str) -> String {
    let path = sb.write(name, &format!("#!/bin/sh\n{body}\n"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

fn report(sb: &Sandbox, name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(sb.path().join(name)).expect("report written"))
        .unwrap()
}

/// (chunk, start ns, end ns) per handler run, from a log the handler writes.
fn intervals(log: &Path) -> Vec<(i64, u128, u128)> {
    let text = std::fs::read_to_string(log).unwrap();
    let mut starts: HashMap<String, (i64, u128)> = HashMap::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (what, key, chunk, t) = (
            parts[0],
            parts[1].to_string(),
            parts[2].parse().unwrap(),
            parts[3].parse::<u128>().unwrap(),
        );
        if what == "start" {
            starts.insert(key, (chunk, t));
        } else {
            let (c, s) = starts[&key];
            assert_eq!(c, chunk);
            out.push((c, s, t));
        }
    }
    out
}

const TIMED_HANDLER: &str = r#"k="$FEEDCTL_EVENT_ID-$FEEDCTL_EVENT_TYPE"
echo "start $k $FEEDCTL_CHUNK $(date +%s%N)" >> times.log
cat > /dev/null
sleep 0.2
echo "end $k $FEEDCTL_CHUNK $(date +%s%N)" >> times.log"#;

#[test]
fn events_of_a_chunk_overlap_and_chunks_do_not() {
    let events: String = demo_events()
        .lines()
        .take(12)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 4);
    let handler = script(&sb, "timed.sh", TIMED_HANDLER);
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--exec",
            &handler,
            "--concurrency",
            "4",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let runs = intervals(&sb.path().join("times.log"));
    assert_eq!(runs.len(), 12);
    for chunk in 1..=3 {
        let mine: Vec<&(i64, u128, u128)> = runs.iter().filter(|r| r.0 == chunk).collect();
        assert_eq!(mine.len(), 4);
        let latest_start = mine.iter().map(|r| r.1).max().unwrap();
        let earliest_end = mine.iter().map(|r| r.2).min().unwrap();
        assert!(
            latest_start < earliest_end,
            "events of chunk {chunk} overlap"
        );
        if chunk < 3 {
            let last_end = mine.iter().map(|r| r.2).max().unwrap();
            let next_first_start = runs
                .iter()
                .filter(|r| r.0 == chunk + 1)
                .map(|r| r.1)
                .min()
                .unwrap();
            assert!(
                next_first_start >= last_end,
                "chunk {} starts only after chunk {chunk} is done",
                chunk + 1
            );
        }
    }
}

#[test]
fn sequential_runs_nothing_at_once() {
    let events: String = demo_events()
        .lines()
        .take(6)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 3);
    let handler = script(
        &sb,
        "timed.sh",
        &TIMED_HANDLER.replace("sleep 0.2", "sleep 0.05"),
    );
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--exec", &handler, "--sequential"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut runs = intervals(&sb.path().join("times.log"));
    runs.sort_by_key(|r| r.1);
    assert_eq!(runs.len(), 6);
    for w in runs.windows(2) {
        assert!(w[1].1 >= w[0].2, "no overlap with --sequential");
    }
}

#[test]
fn shell_metacharacters_reach_the_handler_intact_and_never_run() {
    let nasty = [
        r#"{"id":"$(touch pwned1)","type":"MESSAGESENT","timestamp":1,"payload":{"messageSent":{"message":{"message":"<p>`touch pwned2` $(touch pwned3) ' \" ; | &amp;\n next line</p>","stream":{"streamId":"s; touch pwned4; '\"`"}}}}}"#,
        r#"{"id":"`touch pwned5`","type":"MESSAGESENT","timestamp":2,"payload":{"messageSent":{"message":{"message":"<p>${HOME} $((1+1)) \\ \" '</p>","stream":{"streamId":"$(touch pwned6)"}}}}}"#,
        r#"{"id":"a'b\"c\nd","type":"MESSAGESENT","timestamp":3,"payload":{"messageSent":{"message":{"message":"<p>plain</p>","stream":{"streamId":"x\ny"}}}}}"#,
    ];
    let text: String = nasty.iter().map(|l| format!("{l}\n")).collect();
    let sb = journal_with(&text, 3);
    std::fs::create_dir(sb.path().join("in")).unwrap();
    let handler = script(
        &sb,
        "capture.sh",
        r#"n=$(ls in | grep -c json)
cat > "in/$n.json"
printf '%s' "$FEEDCTL_EVENT_ID" > "in/$n.id"
printf '%s' "$FEEDCTL_STREAM_ID" > "in/$n.stream""#,
    );
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--exec", &handler, "--sequential"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    for (n, line) in nasty.iter().enumerate() {
        let got = std::fs::read_to_string(sb.path().join(format!("in/{n}.json"))).unwrap();
        assert_eq!(
            got,
            format!("{line}\n"),
            "stdin is the exact event, one line"
        );
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            std::fs::read_to_string(sb.path().join(format!("in/{n}.id"))).unwrap(),
            v["id"].as_str().unwrap()
        );
        assert_eq!(
            std::fs::read_to_string(sb.path().join(format!("in/{n}.stream"))).unwrap(),
            v["payload"]["messageSent"]["message"]["stream"]["streamId"]
                .as_str()
                .unwrap()
        );
    }
    for i in 1..=6 {
        assert!(
            !sb.path().join(format!("pwned{i}")).exists(),
            "event text was executed"
        );
    }
}

#[test]
fn exit_75_requeues_the_whole_chunk_until_handled() {
    let events: String = demo_events()
        .lines()
        .take(4)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 4);
    // The second event of the chunk asks for a re-queue twice.
    let handler = script(
        &sb,
        "flaky.sh",
        r#"echo "$FEEDCTL_EVENT_ID $FEEDCTL_ATTEMPT" >> attempts.log
cat > /dev/null
if [ "$FEEDCTL_EVENT_ID" = 7163ur ] && [ "$FEEDCTL_ATTEMPT" -lt 3 ]; then exit 75; fi"#,
    );
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--exec",
            &handler,
            "--requeue-delay",
            "100ms",
            "--report",
            "r.json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("delivering the whole chunk again"),
        "{}",
        stderr_of(&out)
    );
    let log = std::fs::read_to_string(sb.path().join("attempts.log")).unwrap();
    assert_eq!(log.lines().count(), 12, "all 4 events, 3 deliveries: {log}");
    for attempt in 1..=3 {
        assert_eq!(
            log.lines()
                .filter(|l| l.ends_with(&format!(" {attempt}")))
                .count(),
            4,
            "FEEDCTL_ATTEMPT counts up"
        );
    }
    let r = report(&sb, "r.json");
    assert_eq!(r["requeuedChunks"], 2);
    assert_eq!(r["outcomes"]["handled"], 4);
}

#[test]
fn past_max_redeliveries_exit_75_counts_as_failed() {
    let events: String = demo_events()
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 2);
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--exec",
            "cat >/dev/null; [ \"$FEEDCTL_EVENT_ID\" = 7163ur ] && exit 75; exit 0",
            "--requeue-delay",
            "50ms",
            "--max-redeliveries",
            "1",
            "--report",
            "r.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let r = report(&sb, "r.json");
    assert_eq!(r["attempts"], 4, "delivered twice");
    assert_eq!(r["outcomes"]["requeued"], 1);
    assert_eq!(r["failures"][0]["eventId"], "7163ur");
}

#[test]
fn failures_are_logged_replay_goes_on_and_rerun_failed_delivers_only_them() {
    let sb = journal_with(&demo_events(), 10);
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--exec", "cat >/dev/null; echo oops >&2; [ \"$FEEDCTL_EVENT_TYPE\" = MESSAGESUPPRESSED ] && exit 3; exit 0", "--report", "r.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("failed: MESSAGESUPPRESSED jv1ein")
            && err.contains("exit 3")
            && err.contains("oops"),
        "{err}"
    );
    let r = report(&sb, "r.json");
    assert_eq!(r["events"], 40);
    assert_eq!(r["outcomes"]["handled"], 39);
    assert_eq!(r["outcomes"]["failed"], 1);
    assert!(r["durationMs"]["p95"].is_u64() && r["slowest"].as_array().unwrap().len() == 5);
    let run = r["run"].as_i64().unwrap().to_string();
    // Everything is in the journal, output heads included.
    let db = rusqlite::Connection::open(sb.path().join("j.db")).unwrap();
    let (n, stderr): (i64, String) = db
        .query_row(
            "SELECT count(*), max(stderr_head) FROM replay_results WHERE run_id = ?1",
            [&run],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, stderr.trim()), (40, "oops"));
    let command: String = db
        .query_row(
            "SELECT command FROM replay_runs WHERE id = ?1",
            [&run],
            |r| r.get(0),
        )
        .unwrap();
    assert!(command.contains("MESSAGESUPPRESSED"));
    drop(db);

    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--exec",
            "cat >/dev/null",
            "--rerun-failed",
            &run,
            "--report",
            "r2.json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let r2 = report(&sb, "r2.json");
    assert_eq!(r2["events"], 1);
    assert_eq!(r2["byType"]["MESSAGESUPPRESSED"]["handled"], 1);
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--exec",
            "true",
            "--rerun-failed",
            "999",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Process ids whose process group is `pgid`, from /proc.
fn group_members(pgid: i32) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields[0] != "Z" && fields[2].parse::<i32>().ok() == Some(pgid) {
            found.push(pid);
        }
    }
    found
}

#[test]
fn timeout_kills_the_handlers_whole_process_group() {
    let events: String = demo_events()
        .lines()
        .take(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 1);
    let handler = script(
        &sb,
        "spawner.sh",
        "echo $$ > pgid\nsleep 30 &\nsleep 30 &\n(sleep 30; echo never) &\nwait",
    );
    let started = Instant::now();
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--exec",
            &handler,
            "--timeout",
            "500ms",
            "--report",
            "r.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        stderr_of(&out).contains("killed after --timeout"),
        "{}",
        stderr_of(&out)
    );
    let pgid: i32 = std::fs::read_to_string(sb.path().join("pgid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        group_members(pgid),
        Vec::<i32>::new(),
        "no process of the handler's group is left"
    );
    assert_eq!(report(&sb, "r.json")["outcomes"]["timeout"], 1);
}

#[test]
fn a_handler_that_cannot_run_is_refused_before_any_event() {
    let sb = journal_with(&demo_events(), 10);
    let not_exec = sb.write("handler.sh", "#!/bin/sh\nexit 0\n");
    for cmd in [
        "no-such-handler-anywhere --flag",
        not_exec.to_str().unwrap(),
        "./missing.sh",
    ] {
        let out = sb
            .cmd()
            .args(["replay", "-j", "j.db", "--exec", cmd])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains("not found")
                || err.contains("not an executable")
                || err.contains("cannot be run"),
            "{err}"
        );
    }
    let db = rusqlite::Connection::open(sb.path().join("j.db")).unwrap();
    let runs: i64 = db
        .query_row("SELECT count(*) FROM replay_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 0, "nothing was delivered");
}

#[test]
fn speed_original_and_2x_follow_the_recorded_timing() {
    let sb = journal_with(&demo_events(), 1);
    let run = |speed: &str| {
        let started = Instant::now();
        let out = sb
            .cmd()
            .args(["replay", "-j", "j.db", "--exec", "true", "--speed", speed])
            .output()
            .unwrap();
        assert!(out.status.success());
        started.elapsed().as_secs_f64()
    };
    // What the same replay costs with no waiting: start-up and 40 handlers, not pacing.
    let overhead = run("max");
    for (speed, expected) in [("original", 3.0), ("2x", 1.5)] {
        let paced = run(speed) - overhead;
        assert!(
            (paced - expected).abs() <= expected * 0.2,
            "--speed {speed}: {paced:.2}s of pacing, expected about {expected}s"
        );
    }
}

#[test]
fn selection_and_dry_run() {
    let sb = journal_with(&demo_events(), 5);
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--dry-run",
            "--chunks",
            "2..3",
            "--type",
            "messagesent",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r["type"] == "MESSAGESENT" && (r["chunk"] == 2 || r["chunk"] == 3)));
    assert!(stderr_of(&out).contains("dry run: would deliver"));
    let db = rusqlite::Connection::open(sb.path().join("j.db")).unwrap();
    let runs: i64 = db
        .query_row("SELECT count(*) FROM replay_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 0, "a dry run runs nothing");
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--exec", "true", "--chunks", "9..2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn verbose_shows_handler_output_with_the_event() {
    let events: String = demo_events()
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 2);
    let out = sb
        .cmd()
        .args([
            "-v",
            "replay",
            "-j",
            "j.db",
            "--exec",
            "cat >/dev/null; echo handled it",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr_of(&out).contains("[MESSAGESENT 7163ur] handled it"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn ctrl_c_stops_new_handlers_kills_running_ones_after_the_grace_and_exits_130() {
    let sb = journal_with(&demo_events(), 5);
    let handler = script(
        &sb,
        "slow.sh",
        "echo $$ >> pgids\ncat > /dev/null\nsleep 20",
    );
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args([
            "replay",
            "-j",
            "j.db",
            "--exec",
            &handler,
            "--concurrency",
            "2",
            "--grace",
            "300ms",
            "--report",
            "r.json",
        ])
        .current_dir(sb.path())
        .env("HOME", sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(sb.path().join("pgids"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
        < 2
    {
        assert!(Instant::now() < until, "handlers never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let sent = Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(sent.elapsed() < Duration::from_secs(5));
    let pgids = std::fs::read_to_string(sb.path().join("pgids")).unwrap();
    assert_eq!(
        pgids.lines().count(),
        2,
        "no new handler started after Ctrl-C"
    );
    for pgid in pgids.lines() {
        assert_eq!(group_members(pgid.parse().unwrap()), Vec::<i32>::new());
    }
    let r = report(&sb, "r.json");
    assert_eq!(r["interrupted"], true);
    assert_eq!(r["outcomes"]["interrupted"], 2, "what ran is stored");
}

const OUT_OF_ORDER_HANDLER: &str = r#"import json, sys
held = []
for line in sys.stdin:
    req = json.loads(line)
    held.append(req)
    if len(held) == 2:
        for r in reversed(held):
            status = 3 if r["event"].get("type") == "MESSAGESUPPRESSED" else 0
            print(json.dumps({"id": r["id"], "status": status}), flush=True)
        held = []
"#;

#[test]
fn stream_mode_matches_results_by_id_in_any_order() {
    let sb = journal_with(&demo_events(), 2);
    sb.write("handler.py", OUT_OF_ORDER_HANDLER);
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--mode",
            "stream",
            "--exec",
            "python3 handler.py",
            "--report",
            "r.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let r = report(&sb, "r.json");
    assert_eq!(r["outcomes"]["handled"], 39);
    assert_eq!(r["failures"][0]["eventId"], "jv1ein");
}

/// Issue 31 item 1: a stream-mode handler reads every event in the envelope every source
/// shares, after the delivery's own id and attempt.
#[test]
fn stream_mode_lines_carry_the_envelope() {
    let sb = journal_with(&demo_events(), 7);
    sb.write(
        "handler.sh",
        r#"while IFS= read -r line; do
  printf '%s\n' "$line" >> lines.ndjson
  id=$(printf '%s\n' "$line" | sed 's/^{"id":"\([^"]*\)".*/\1/')
  printf '{"id":"%s","status":0}\n' "$id"
done
"#,
    );
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--mode",
            "stream",
            "--exec",
            "sh handler.sh",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = std::fs::read_to_string(sb.path().join("lines.ndjson")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    for (l, raw) in lines.iter().zip(text.lines()) {
        let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "attempt",
                "recording",
                "source",
                "partition",
                "eventId",
                "type",
                "time",
                "chunk",
                "receivedAt",
                "event"
            ],
            "{raw}"
        );
        assert_eq!(l["recording"], "demo");
        assert_eq!(l["source"], "import");
        assert_eq!(l["eventId"], l["event"]["id"]);
        assert_eq!(l["type"], l["event"]["type"]);
        assert_eq!(l["time"], l["event"]["timestamp"]);
    }
}

#[test]
fn stream_mode_requeues_and_times_out_like_per_event() {
    let sb = journal_with(&demo_events(), 4);
    // Asks once for a re-queue of one event; never answers another; answers the rest.
    sb.write(
        "handler.py",
        r#"import json, sys
for line in sys.stdin:
    req = json.loads(line)
    eid = req["event"].get("id")
    if eid == "3cnb81" and req["event"]["type"] == "ROOMCREATED":
        continue
    status = 75 if eid == "7163ur" and req["attempt"] == 1 else 0
    print(json.dumps({"id": req["id"], "status": status}), flush=True)
"#,
    );
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--mode",
            "stream",
            "--exec",
            "python3 handler.py",
            "--timeout",
            "2s", // well above a Python start on a loaded machine
            "--requeue-delay",
            "50ms",
            "--report",
            "r.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let r = report(&sb, "r.json");
    assert_eq!(r["requeuedChunks"], 1);
    assert_eq!(r["outcomes"]["timeout"], 1, "{r}");
    assert_eq!(
        r["outcomes"]["handled"], 39,
        "the handler is restarted after a timeout"
    );
}

/// The progress bar, on a terminal, moves as each event gets its result (not once per chunk),
/// a re-queued chunk does not count its events twice, and `-q` keeps the bar (docs/output.md).
#[test]
fn the_progress_bar_moves_per_event_counts_requeues_once_and_stays_with_quiet() {
    let events: String = demo_events()
        .lines()
        .take(4)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 4);
    // One chunk of four: each event takes a while, the first one asks for a re-queue once.
    let handler = script(
        &sb,
        "slow.sh",
        r#"cat > /dev/null
sleep 0.4
if [ "$FEEDCTL_ATTEMPT" = 1 ] && [ ! -e requeued ]; then touch requeued; exit 75; fi"#,
    );
    for quiet in [false, true] {
        let _ = std::fs::remove_file(sb.path().join("requeued"));
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"));
        if quiet {
            cmd.arg("-q");
        }
        cmd.args([
            "replay",
            "-j",
            "j.db",
            "--sequential",
            "--requeue-delay",
            "0s",
            "--exec",
            &handler,
        ])
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .current_dir(sb.path());
        let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).expect("pty");
        let out = p.exp_eof().expect("replay ends");
        // Every step drawn, and never past 4 although the handler ran 8 times.
        let seen: Vec<u64> = (1..=8)
            .filter(|n| out.contains(&format!(" {n}/4 events")))
            .collect();
        assert_eq!(seen, [1, 2, 3, 4], "quiet={quiet}: {out:?}");
        assert!(out.contains("8 handler runs") != quiet, "{out:?}");
    }
}

/// True while `pid` is a live process (a zombie waiting for its reaper counts as gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next()),
            Some('Z') | Some('X') | None
        ),
        Err(_) => false,
    }
}

/// The pids in the names of the sandbox's files that start with `prefix` (`sh-1234`).
fn pids_named(dir: &Path, prefix: &str) -> Vec<i32> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_prefix(prefix)?.parse().ok()
        })
        .collect()
}

#[test]
fn a_sigkilled_replay_takes_its_handlers_and_their_children_down() {
    let events: String = demo_events()
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    // The shell forks a grandchild in its group, then waits (per event, and in stream mode
    // without ever answering).
    let handler = "touch \"sh-$$\"; sleep 100 & touch \"gc-$!\"; wait";
    for mode in ["per-event", "stream"] {
        let sb = journal_with(&events, 2);
        let mut replay = sb.spawn(&[
            "replay",
            "-j",
            "j.db",
            "--mode",
            mode,
            "--concurrency",
            "2",
            "--exec",
            handler,
        ]);
        let want = if mode == "stream" { 1 } else { 2 };
        let dir = sb.path().to_path_buf();
        let deadline = Instant::now() + Duration::from_secs(20);
        while (pids_named(&dir, "sh-").len() < want || pids_named(&dir, "gc-").len() < want)
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(25));
        }
        let pids = [pids_named(&dir, "sh-"), pids_named(&dir, "gc-")].concat();
        let running = pids.len() == 2 * want && pids.iter().all(|p| alive(*p));
        replay.kill().expect("SIGKILL");
        replay.wait().expect("reaped");
        assert!(running, "{mode}: handlers running: {pids:?}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while pids.iter().any(|p| alive(*p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(25));
        }
        let left: Vec<i32> = pids.iter().copied().filter(|p| alive(*p)).collect();
        for p in &left {
            unsafe { libc::kill(*p, libc::SIGKILL) };
        }
        assert!(
            left.is_empty(),
            "{mode}: handler processes outlived replay: {left:?}"
        );
    }
}

#[test]
fn a_failed_replay_to_redis_hints_a_rerun_that_writes_to_it_again() {
    let Some(redis) = crate::redis_server::RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    redis.fill("src", 3);
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &redis.url("src"), "--count", "3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // Redis refuses every XADD (out of memory): the run fails and says how to try again.
    let mut c = redis.conn();
    let set = |c: &mut redis::Connection, v: &str| {
        let _: () = redis::cmd("CONFIG")
            .arg("SET")
            .arg("maxmemory")
            .arg(v)
            .query(c)
            .unwrap();
    };
    set(&mut c, "1");
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--to", &redis.url("copy")])
        .args([
            "--layout",
            "hopeit",
            "--hopeit-type",
            "app.data_model.Thing",
        ])
        .args([
            "--hopeit-ser",
            "json",
            "--hopeit-comp",
            "none",
            "--maxlen",
            "100",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let hint = err
        .lines()
        .find_map(|l| l.split_once("deliver them again with `"))
        .and_then(|(_, rest)| rest.strip_suffix('`'))
        .unwrap_or_else(|| panic!("no hint in: {err}"));
    assert!(!hint.contains("--exec"), "{hint}");
    // What the hint says works, as pasted into a shell, once Redis takes writes again.
    set(&mut c, "0");
    let bin = assert_cmd::cargo::cargo_bin("feedctl");
    let pasted = hint.replacen("feedctl", &format!("'{}'", bin.display()), 1);
    let again = StdCommand::new("sh")
        .args(["-c", &pasted])
        .current_dir(sb.path())
        .env("HOME", sb.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{pasted}: {}",
        stderr_of(&again)
    );
    let written: Vec<(String, Vec<Vec<u8>>)> = redis::cmd("XRANGE")
        .arg("copy")
        .arg("-")
        .arg("+")
        .query(&mut c)
        .unwrap();
    assert_eq!(written.len(), 3, "{pasted}");
    // The same layout as the first run asked for.
    let fields: Vec<String> = written[0]
        .1
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        fields
            .windows(2)
            .any(|w| w == ["type", "app.data_model.Thing"])
            && fields.windows(2).any(|w| w == ["ser", "json"]),
        "{fields:?}"
    );
}

#[test]
fn replay_to_hopeit_writes_an_events_numbers_and_escapes_as_stored() {
    let Some(redis) = crate::redis_server::RedisServer::start() else {
        return;
    };
    let event = r#"{"id":"ev1","type":"MESSAGESENT","timestamp":1700000000000,"payload":{"n":1e5,"x":0.10,"t":"\u00e9"}}"#;
    let sb = journal_with(&format!("{event}\n"), 1);
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--to", &redis.url("out")])
        .args([
            "--layout",
            "hopeit",
            "--hopeit-type",
            "app.data_model.Thing",
        ])
        .args(["--hopeit-ser", "json", "--hopeit-comp", "none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let written: Vec<(String, Vec<Vec<u8>>)> = redis::cmd("XRANGE")
        .arg("out")
        .arg("-")
        .arg("+")
        .query(&mut redis.conn())
        .unwrap();
    assert_eq!(written.len(), 1);
    let fields = &written[0].1;
    let payload = fields
        .chunks(2)
        .find(|kv| kv[0] == b"payload")
        .map(|kv| String::from_utf8_lossy(&kv[1]).into_owned())
        .expect("a payload field");
    assert_eq!(payload, event, "the event's own text, byte for byte");
}

#[test]
fn a_failed_stream_mode_replay_hints_a_rerun_in_stream_mode() {
    let events: String = demo_events()
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    let sb = journal_with(&events, 2);
    // A stream handler that exits without answering: both events fail.
    let out = sb
        .cmd()
        .args([
            "replay", "-j", "j.db", "--mode", "stream", "--exec", "exit 0",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--rerun-failed 1 --exec 'exit 0' --mode stream`"),
        "{err}"
    );
}
