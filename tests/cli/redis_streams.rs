//! Redis streams as a source: `tail` and `record` against a real `redis-server` that each test
//! starts on a free loopback port and stops by PID (Drop).
//!
//! redis-server comes from Debian's package, which .ci/run installs: without it these tests say
//! so and do nothing on a developer's machine, and fail under CI=true.

use std::collections::HashSet;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::redis_server::RedisServer;

fn exported_ids(sb: &Sandbox, journal: &str) -> Vec<String> {
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", journal])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stdout_of(&out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["event"]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

fn pending(c: &mut redis::Connection, key: &str, group: &str) -> i64 {
    let v: redis::Value = redis::cmd("XPENDING").arg(key).arg(group).query(c).unwrap();
    match v {
        redis::Value::Array(a) => match a.first() {
            Some(redis::Value::Int(n)) => *n,
            _ => 0,
        },
        _ => 0,
    }
}

fn pending_ids(c: &mut redis::Connection, key: &str, group: &str) -> HashSet<String> {
    let v: Vec<(String, String, u64, u64)> = redis::cmd("XPENDING")
        .arg(key)
        .arg(group)
        .arg("-")
        .arg("+")
        .arg(100_000)
        .query(c)
        .unwrap();
    v.into_iter().map(|(id, ..)| id).collect()
}

use feedctl::redis::source::parse_id;

fn last_delivered(c: &mut redis::Connection, key: &str, group: &str) -> Option<(u64, u64)> {
    let groups: Vec<redis::Value> = redis::cmd("XINFO").arg("GROUPS").arg(key).query(c).unwrap();
    for g in groups {
        let redis::Value::Array(kv) = g else { continue };
        let text = |v: &redis::Value| match v {
            redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
            redis::Value::SimpleString(s) => s.clone(),
            _ => String::new(),
        };
        let get = |name: &str| {
            kv.chunks(2)
                .find(|p| text(&p[0]) == name)
                .map(|p| text(&p[1]))
        };
        if get("name").as_deref() == Some(group) {
            return get("last-delivered-id").and_then(|id| parse_id(&id));
        }
    }
    None
}

fn hopeit_lz4(payload: &serde_json::Value) -> Vec<u8> {
    feedctl::redis::hopeit::Encoding::JSON64_LZ4.encode(&payload.to_string())
}

#[test]
fn redis_tail_prints_entries_with_binary_fields_and_hopeit_payloads_decoded() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let plain = r.xadd(
        &mut c,
        "events",
        &[("kind", b"order"), ("blob", &[0xff, 0x00, 0x01])],
    );
    let payload = serde_json::json!({"text": "hello", "status": "VALID"});
    let lz4 = hopeit_lz4(&payload);
    let hop = r.xadd(
        &mut c,
        "events",
        &[
            ("id", b"e1"),
            ("type", b"my_streaming_app.data_model.MyMessage"),
            ("submit_ts", b"2026-01-01T00:00:00+00:00"),
            ("event_ts", b""),
            ("track.request_id", b"req-1"),
            ("auth_info", b"e30="),
            ("ser", b"json+base64"),
            ("comp", b"lz4"),
            ("payload", &lz4),
        ],
    );
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "tail",
            &r.url("events"),
            "--from",
            "beginning",
            "--count",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"], "redis");
    assert_eq!(lines[0]["partition"], "events");
    assert_eq!(lines[0]["eventId"], plain.as_str());
    let lines: Vec<&serde_json::Value> = lines.iter().map(|l| &l["event"]).collect();
    assert_eq!(lines[0]["id"], plain.as_str());
    assert_eq!(lines[0]["fields"]["kind"], "order");
    assert_eq!(lines[0]["fields"]["blob"]["base64"], "/wAB");
    assert_eq!(lines[1]["id"], hop.as_str());
    assert_eq!(lines[1]["hopeit"]["payload"], payload);
    assert_eq!(lines[1]["hopeit"]["request_id"], "req-1");

    // --type filters on hopeit's type; the readable line shows the decoded payload.
    let out = sb
        .cmd()
        .args([
            "tail",
            &r.url("events"),
            "--from",
            "beginning",
            "--count",
            "1",
            "-o",
            "table",
        ])
        .args(["--type", "my_streaming_app.data_model.MyMessage"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(
        text.contains("my_streaming_app.data_model.MyMessage") && text.contains("\"hello\""),
        "{text}"
    );
    assert!(text.contains("req=req-1"), "{text}");
}

#[test]
fn redis_tail_from_end_sees_only_new_entries() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    r.xadd(&mut c, "s", &[("n", b"old")]);
    let sb = Sandbox::new();
    let child = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args(["tail", &r.url("s"), "--count", "2", "--duration", "20s"])
        .env("HOME", sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    r.xadd(&mut c, "s", &[("n", b"new1")]);
    r.xadd(&mut c, "s", &[("n", b"new2")]);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(
        !text.contains("old") && text.contains("new1") && text.contains("new2"),
        "{text}"
    );
}

#[test]
fn redis_record_resumes_after_sigkill_with_nothing_lost() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let mut ids = Vec::new();
    for i in 0..3000 {
        ids.push(r.xadd(&mut c, "orders", &[("n", i.to_string().as_bytes())]));
    }
    let sb = Sandbox::new();
    let url = r.url("orders");
    for _ in 0..3 {
        let mut child = sb.spawn(&["record", "-j", "j.db", "--batch", "20", &url]);
        std::thread::sleep(Duration::from_millis(150));
        child.kill().unwrap();
        child.wait().unwrap();
        for i in 0..200 {
            ids.push(r.xadd(&mut c, "orders", &[("more", i.to_string().as_bytes())]));
        }
    }
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &url, "--duration", "2s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("resuming"), "{}", stderr_of(&out));
    let got = exported_ids(&sb, "j.db");
    let distinct: HashSet<&String> = got.iter().collect();
    let want: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct, want, "every entry recorded, none invented");
    let mut sorted = got.clone();
    sorted.sort_by_key(|id| feedctl::redis::source::parse_id(id));
    assert_eq!(got, sorted, "in stream order");
    let i = journal_info(&sb, "j.db");
    assert_eq!(i["recordings"][0]["gaps"], 0);
}

/// (stream, entry id) of every exported event, in journal order.
fn exported_entries(sb: &Sandbox, journal: &str) -> Vec<(String, String)> {
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", journal])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stdout_of(&out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let e = &v["event"];
            (
                e["stream"].as_str().unwrap().into(),
                e["id"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// Plain reads are read one batch ahead while the journal commits: killed mid-read-ahead, a
/// resumed recording of two keys still finds each key's marker exactly after its last
/// committed entry (nothing lost, nothing twice, each key in order).
#[test]
fn redis_record_reading_ahead_two_keys_resumes_after_sigkill_exactly() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let mut want: Vec<(String, String)> = Vec::new();
    for i in 0..2000 {
        for key in ["a", "b"] {
            let id = r.xadd(&mut c, key, &[("n", i.to_string().as_bytes())]);
            want.push((key.into(), id));
        }
    }
    let sb = Sandbox::new();
    let (ua, ub) = (r.url("a"), r.url("b"));
    for round in 0..4 {
        let mut child = sb.spawn(&["record", "-j", "j.db", "--batch", "15", &ua, &ub]);
        std::thread::sleep(Duration::from_millis(120 + 40 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        for i in 0..150 {
            for key in ["a", "b"] {
                let id = r.xadd(&mut c, key, &[("more", i.to_string().as_bytes())]);
                want.push((key.into(), id));
            }
        }
    }
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &ua, &ub, "--duration", "2s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let got = exported_entries(&sb, "j.db");
    assert_eq!(got.len(), want.len(), "every entry recorded once");
    let distinct: HashSet<&(String, String)> = got.iter().collect();
    assert_eq!(distinct, want.iter().collect(), "none lost, none invented");
    for key in ["a", "b"] {
        let mine: Vec<&String> = got
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, id)| id)
            .collect();
        let mut sorted = mine.clone();
        sorted.sort_by_key(|id| feedctl::redis::source::parse_id(id));
        assert_eq!(mine, sorted, "stream {key} in order");
    }
    assert_eq!(journal_info(&sb, "j.db")["recordings"][0]["gaps"], 0);
}

#[test]
fn redis_group_acks_only_what_the_journal_committed_and_recovers_pending_after_a_kill() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let mut ids = HashSet::new();
    for i in 0..3000 {
        ids.insert(r.xadd(&mut c, "jobs", &[("n", i.to_string().as_bytes())]));
    }
    let sb = Sandbox::new();
    let url = r.url("jobs");
    let args = [
        "record",
        "-j",
        "j.db",
        "--batch",
        "25",
        "--group",
        "g",
        "--consumer",
        "rec",
        &url,
    ];
    for _ in 0..3 {
        let mut child = sb.spawn(&args);
        std::thread::sleep(Duration::from_millis(200));
        child.kill().unwrap();
        child.wait().unwrap();
        // Delivered to the group (up to its last-delivered-id) and no longer pending means
        // acked: every such entry must already be in the journal.
        let recorded: HashSet<String> = exported_ids(&sb, "j.db").into_iter().collect();
        let still = pending_ids(&mut c, "jobs", "g");
        let last = last_delivered(&mut c, "jobs", "g");
        let acked: Vec<&String> = ids
            .iter()
            .filter(|id| parse_id(id) <= last && !still.contains(*id))
            .collect();
        for id in acked {
            assert!(
                recorded.contains(id),
                "{id} was acked before the journal committed it"
            );
        }
    }
    let out = sb
        .cmd()
        .args([
            "record",
            "-j",
            "j.db",
            "--group",
            "g",
            "--consumer",
            "rec",
            &url,
            "--duration",
            "2s",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let recorded: HashSet<String> = exported_ids(&sb, "j.db").into_iter().collect();
    assert_eq!(recorded, ids, "every entry recorded");
    assert_eq!(
        pending(&mut c, "jobs", "g"),
        0,
        "nothing left pending: all acked after commit"
    );
}

#[test]
fn redis_wrong_type_exits_2_naming_the_type() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let _: () = redis::cmd("RPUSH")
        .arg("queue")
        .arg("x")
        .query(&mut c)
        .unwrap();
    let sb = Sandbox::new();
    let out = sb.cmd().args(["tail", &r.url("queue")]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("holds a list, not a stream"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn redis_wrong_password_exits_3_and_is_never_printed() {
    let Some(r) = RedisServer::start_with(Some("right-pw-123")) else {
        return;
    };
    let sb = Sandbox::new();
    let url = format!("redis://:wrong-pw-456@127.0.0.1:{}/s", r.port);
    let out = sb.cmd().args(["-vvv", "tail", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(!all.contains("wrong-pw-456"), "{all}");
    assert!(all.contains("authentication failed"), "{all}");
    // No password at all: NOAUTH, also exit 3.
    let out = sb.cmd().args(["tail", &r.url("s")]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    // REDISCLI_AUTH gives the right one.
    let mut c = r.conn();
    r.xadd(&mut c, "s", &[("a", b"1")]);
    let out = sb
        .cmd()
        .env("REDISCLI_AUTH", "right-pw-123")
        .args(["tail", &r.url("s"), "--from", "beginning", "--count", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("right-pw-123"));
    // A bad URL names the part, never the password.
    let out = sb
        .cmd()
        .args(["tail", "redis://:hunter2@127.0.0.1:70000/s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("port") && !stderr_of(&out).contains("hunter2"),
        "{}",
        stderr_of(&out)
    );
}

/// `rediss://` is verified: a server whose certificate a private CA signed is refused at once
/// (exit 4, saying what to do), and trusted once `SSL_CERT_FILE` names that CA, on feedctl's own
/// connection (record's reads, replay --to's XADDs) and on the client crate's (replay --to's
/// check of the key, consume). A CA file that cannot be read is a configuration error (exit 2).
#[test]
fn rediss_is_verified_and_trusts_the_ca_that_ssl_cert_file_names() {
    let Some(r) = RedisServer::start_tls() else {
        return;
    };
    r.fill("in", 250);
    let sb = Sandbox::new();
    let ca = crate::redis_server::test_ca();

    let started = std::time::Instant::now();
    let out = sb
        .cmd()
        .env_remove("SSL_CERT_FILE")
        .args(["tail", &r.url("in"), "--from", "beginning", "--count", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("invalid peer certificate")
            && stderr_of(&out).contains("SSL_CERT_FILE"),
        "{}",
        stderr_of(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(20), "not retried");
    let out = sb
        .cmd()
        .env_remove("SSL_CERT_FILE")
        .args(["consume", &r.url("in"), "--group", "g", "--exec", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));

    let out = sb
        .cmd()
        .env("SSL_CERT_FILE", sb.path().join("missing.pem"))
        .args(["tail", &r.url("in"), "--count", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("missing.pem"),
        "{}",
        stderr_of(&out)
    );

    let out = sb
        .cmd()
        .env("SSL_CERT_FILE", &ca)
        .args([
            "-q",
            "record",
            "-j",
            "tls.db",
            "--name",
            "t",
            &r.url("in"),
            "--count",
            "250",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(journal_info(&sb, "tls.db")["events"], 250);
    let out = sb
        .cmd()
        .env("SSL_CERT_FILE", &ca)
        .args(["-q", "replay", "-j", "tls.db", "--to", &r.url("copy")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let copied: usize = redis::cmd("XLEN").arg("copy").query(&mut r.conn()).unwrap();
    assert_eq!(copied, 250);
    let out = sb
        .cmd()
        .env("SSL_CERT_FILE", &ca)
        .args([
            "-q",
            "consume",
            &r.url("copy"),
            "--group",
            "g",
            "--exec",
            "true",
        ])
        .args(["--duration", "3s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(r.pending("copy", "g"), 0);
}

/// The reads' own connection (src/redis/wire.rs) logs in and selects the database as the
/// client crate's connections do: entries of db 2 behind a password are read, those of db 0
/// are not.
#[test]
fn redis_reads_the_database_the_url_names_behind_a_password() {
    let Some(r) = RedisServer::start_with(Some("pw-db-2")) else {
        return;
    };
    let mut c = r.conn();
    let xadd = |c: &mut redis::Connection, id: &str| {
        redis::cmd("XADD")
            .arg("s")
            .arg(id)
            .arg("a")
            .arg("b")
            .exec(c)
    };
    xadd(&mut c, "1-1").unwrap();
    redis::cmd("SELECT").arg(2).exec(&mut c).unwrap();
    xadd(&mut c, "2-2").unwrap();
    let sb = Sandbox::new();
    let url = format!("redis://:pw-db-2@127.0.0.1:{}/2/s", r.port);
    let args = [
        "record",
        "-j",
        "j.db",
        &url,
        "--from",
        "beginning",
        "--exit-at-end",
    ];
    let out = sb.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(exported_ids(&sb, "j.db"), ["2-2"]);
}

#[test]
fn redis_trimming_past_the_cursor_records_a_gap_and_goes_on() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    for i in 0..5 {
        r.xadd(&mut c, "t", &[("n", i.to_string().as_bytes())]);
    }
    let sb = Sandbox::new();
    let url = r.url("t");
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &url, "--count", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut later = Vec::new();
    for i in 0..10 {
        later.push(r.xadd(&mut c, "t", &[("later", i.to_string().as_bytes())]));
    }
    let _: i64 = redis::cmd("XTRIM")
        .arg("t")
        .arg("MAXLEN")
        .arg(3)
        .query(&mut c)
        .unwrap();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &url, "--duration", "1500ms"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("trimmed"), "{}", stderr_of(&out));
    let i = journal_info(&sb, "j.db");
    assert_eq!(i["recordings"][0]["gaps"], 1);
    // A plain read cannot count what was between its cursor and the first kept entry.
    assert!(i["gapList"][0]["lost"].is_null(), "{i}");
    assert_eq!(i["partitions"][0]["lostUnknown"], 1, "{i}");
    let got = exported_ids(&sb, "j.db");
    assert_eq!(got.len(), 8, "5 before, the 3 kept after the trim");
    assert_eq!(&got[5..], &later[7..]);
}

/// Stops `child` (SIGSTOP) and waits until it is stopped: kill(2) returns before the signal
/// took effect, and a recorder still running could read what the test adds next.
fn stop(child: &std::process::Child) {
    unsafe { libc::kill(child.id() as i32, libc::SIGSTOP) };
    let stat = format!("/proc/{}/stat", child.id());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    // The state follows the command name in parentheses: `pid (comm) T ...`.
    while !std::fs::read_to_string(&stat)
        .unwrap_or_default()
        .rsplit_once(')')
        .is_some_and(|(_, rest)| rest.trim_start().starts_with('T'))
    {
        assert!(std::time::Instant::now() < deadline, "feedctl did not stop");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Issue 31 item 2: entries trimmed under a running plain `record`, before it read them, are
/// counted: the gap's `lost` is the number trimmed away unread (every entry added is either
/// in the journal or counted lost), from Redis's own `entries-added` and the count the reader
/// kept since the start of the stream. The recorder is stopped (SIGSTOP) while the entries
/// come and go, so it cannot read them first.
#[test]
fn redis_trimmed_under_a_plain_recording_counts_the_entries_lost() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    for i in 0..5 {
        r.xadd(&mut c, "t", &[("n", i.to_string().as_bytes())]);
    }
    let sb = Sandbox::new();
    let url = r.url("t");
    let mut rec = sb.spawn(&[
        "record",
        "-j",
        "j.db",
        &url,
        "--from",
        "beginning",
        "--duration",
        "30s",
    ]);
    let stored = |sb: &Sandbox| {
        sb.path().join("j.db").exists()
            && journal_info(sb, "j.db")["events"].as_i64().unwrap_or(0) >= 5
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !stored(&sb) {
        assert!(
            std::time::Instant::now() < deadline,
            "the 5 entries were not stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop(&rec);
    let mut later = Vec::new();
    for i in 0..10 {
        later.push(r.xadd(&mut c, "t", &[("later", i.to_string().as_bytes())]));
    }
    let _: i64 = redis::cmd("XTRIM")
        .arg("t")
        .arg("MAXLEN")
        .arg(3)
        .query(&mut c)
        .unwrap();
    unsafe { libc::kill(rec.id() as i32, libc::SIGCONT) };
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while exported_ids(&sb, "j.db").last() != later.last() {
        assert!(
            std::time::Instant::now() < deadline,
            "the kept entries were not stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(rec.id() as i32, libc::SIGINT) };
    assert_eq!(rec.wait().unwrap().code(), Some(130), "interrupted");
    let got = exported_ids(&sb, "j.db");
    assert_eq!(&got[got.len() - 3..], &later[7..], "the 3 kept");
    // The blocked read may have had the first later entry before the stop: 6 or 7 lost.
    let unread = 15 - got.len() as u64;
    assert!(unread == 6 || unread == 7, "{got:?}");
    let i = journal_info(&sb, "j.db");
    assert_eq!(i["gaps"], 1, "{i}");
    assert_eq!(i["gapList"][0]["lost"], unread, "{i}");
    assert!(
        i["gapList"][0]["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("up to {unread} entries")),
        "{i}"
    );
    let part = &i["partitions"][0];
    assert_eq!(
        (&part["lost"], &part["lostUnknown"]),
        (&unread.into(), &0.into()),
        "{i}"
    );
}

/// The same count tells a trim of only entries already read (the cursor's among them) from a
/// loss: no gap, where the first kept entry past the cursor alone would have made one. The
/// recorder, stopped in its blocking read, has the first of 3 new entries delivered; a trim to
/// the last 2 then removes only entries it read. (Stopped between two reads, it had none
/// delivered, and the first new entry is lost: a gap of 1.)
#[test]
fn redis_trimmed_entries_already_read_under_a_plain_recording_are_no_gap() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    for i in 0..5 {
        r.xadd(&mut c, "t", &[("n", i.to_string().as_bytes())]);
    }
    let sb = Sandbox::new();
    let url = r.url("t");
    let mut rec = sb.spawn(&[
        "record",
        "-j",
        "j.db",
        &url,
        "--from",
        "beginning",
        "--duration",
        "30s",
    ]);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !sb.path().join("j.db").exists() || exported_ids(&sb, "j.db").len() < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "the 5 entries were not stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop(&rec);
    let later: Vec<String> = (0..3)
        .map(|i| r.xadd(&mut c, "t", &[("later", i.to_string().as_bytes())]))
        .collect();
    let _: i64 = redis::cmd("XTRIM")
        .arg("t")
        .arg("MAXLEN")
        .arg(2)
        .query(&mut c)
        .unwrap();
    unsafe { libc::kill(rec.id() as i32, libc::SIGCONT) };
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while exported_ids(&sb, "j.db").last() != later.last() {
        assert!(
            std::time::Instant::now() < deadline,
            "the kept entries were not stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(rec.id() as i32, libc::SIGINT) };
    assert_eq!(rec.wait().unwrap().code(), Some(130), "interrupted");
    let got = exported_ids(&sb, "j.db");
    let i = journal_info(&sb, "j.db");
    if got.contains(&later[0]) {
        assert_eq!(got.len(), 8, "{got:?}");
        assert_eq!(i["gaps"], 0, "only entries read were trimmed: {i}");
    } else {
        assert_eq!(got.len(), 7, "{got:?}");
        assert_eq!(i["gapList"][0]["lost"], 1, "{i}");
    }
}

#[test]
fn redis_a_vanished_group_records_a_gap_and_is_made_again() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    r.xadd(&mut c, "q", &[("n", b"1")]);
    let sb = Sandbox::new();
    let url = r.url("q");
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &url, "--group", "g", "--count", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let _: i64 = redis::cmd("XGROUP")
        .arg("DESTROY")
        .arg("q")
        .arg("g")
        .query(&mut c)
        .unwrap();
    let fresh = r.xadd(&mut c, "q", &[("n", b"2")]);
    // Resumed without --group: the marker remembers the group.
    let out = sb
        .cmd()
        .args([
            "record",
            "-j",
            "j.db",
            &url,
            "--count",
            "1",
            "--duration",
            "10s",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("vanished"), "{}", stderr_of(&out));
    assert_eq!(journal_info(&sb, "j.db")["recordings"][0]["gaps"], 1);
    let got = exported_ids(&sb, "j.db");
    assert_eq!(got.last(), Some(&fresh));
    assert_eq!(got.len(), 2, "the first entry is not read again");
    assert_eq!(pending(&mut c, "q", "g"), 0);
}

#[test]
fn redis_restart_mid_record_is_retried_and_announced() {
    let Some(mut r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    r.xadd(&mut c, "live", &[("n", b"before")]);
    let sb = Sandbox::new();
    let url = r.url("live");
    let child = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args([
            "record",
            "-j",
            "j.db",
            &url,
            "--count",
            "2",
            "--duration",
            "30s",
        ])
        .env("HOME", sb.path())
        .current_dir(sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    r.restart_after(Duration::from_millis(1200));
    let mut c = r.conn();
    r.xadd(&mut c, "live", &[("n", b"after")]);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("retrying in"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(exported_ids(&sb, "j.db").len(), 2);
}

fn entries_of(c: &mut redis::Connection, key: &str) -> Vec<(String, feedctl::redis::entry::Pairs)> {
    let v: Vec<(String, feedctl::redis::entry::Pairs)> = redis::cmd("XRANGE")
        .arg(key)
        .arg("-")
        .arg("+")
        .query(c)
        .unwrap();
    v
}

#[test]
fn redis_replay_to_writes_original_fields_or_hopeit_layout_and_validates_first() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    r.xadd(&mut c, "src", &[("kind", b"a"), ("blob", &[0xfe, 0x01])]);
    r.xadd(&mut c, "src", &[("kind", b"b"), ("n", b"2")]);
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &r.url("src"), "--count", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));

    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--to",
            &r.url("copy"),
            "--maxlen",
            "100",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let src: Vec<_> = entries_of(&mut c, "src").into_iter().map(|e| e.1).collect();
    let copy: Vec<_> = entries_of(&mut c, "copy")
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(src, copy, "the original fields, bytes and order");

    // hopeit's default layout: json+base64 in an LZ4 frame, decoded back by tail.
    r.xadd(&mut c, "text", &[("kind", b"a")]);
    r.xadd(&mut c, "text", &[("kind", b"b"), ("n", b"2")]);
    let out = sb
        .cmd()
        .args([
            "record",
            "-j",
            "j.db",
            "--name",
            "two",
            &r.url("text"),
            "--count",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--recording", "two"])
        .args(["--to", &r.url("hop"), "--layout", "hopeit"])
        .args(["--hopeit-type", "app.data_model.Thing"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["tail", &r.url("hop"), "--from", "beginning", "--count", "2"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", stderr_of(&out));
    assert_eq!(lines[1]["type"], "app.data_model.Thing");
    let lines: Vec<&serde_json::Value> = lines.iter().map(|l| &l["event"]).collect();
    assert_eq!(lines[1]["fields"]["comp"], "lz4");
    assert_eq!(lines[1]["hopeit"]["type"], "app.data_model.Thing");
    assert_eq!(
        lines[1]["hopeit"]["payload"],
        serde_json::json!({"kind": "b", "n": "2"})
    );

    // An entry whose fields cannot be a hopeit payload (a binary value) is refused before any
    // XADD, with exit 2.
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--to",
            &r.url("bad"),
            "--layout",
            "hopeit",
        ])
        .args(["--hopeit-type", "app.data_model.Thing"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("nothing was written"),
        "{}",
        stderr_of(&out)
    );
    let n: i64 = redis::cmd("XLEN").arg("bad").query(&mut c).unwrap();
    assert_eq!(n, 0);
}

/// An entry's fields decoded as feedctl reads them (the same code as `record`).
fn decoded(c: &mut redis::Connection, key: &str) -> Vec<serde_json::Value> {
    entries_of(c, key)
        .into_iter()
        .map(|(id, pairs)| {
            feedctl::redis::entry::Entry::new(key, &id, &pairs)
                .json()
                .clone()
        })
        .collect()
}

#[test]
fn redis_hand_written_hopeit_payloads_are_imported_and_replayed_as_hopeit_entries() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let sb = Sandbox::new();
    sb.write(
        "messages.ndjson",
        "{\"text\":\"a\",\"status\":\"VALID\"}\n\n{\"id\":\"m-2\",\"text\":\"b\",\"status\":\"NEW\"}\n{\"text\":\"c\",\"status\":\"VALID\"}\n",
    );
    sb.write("orders.ndjson", "{\"sku\":\"A-1\",\"qty\":2}\n");
    sb.write("bad.ndjson", "{\"text\":\"a\"}\n[1,2]\n");
    let import = |file: &str, ty: &str| {
        sb.cmd()
            .args(["journal", "import", "-j", "j.db", file, "--hopeit-type", ty])
            .output()
            .unwrap()
    };
    let out = import("messages.ndjson", "my_app.data_model.MyMessage");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("imported 3 hopeit payloads"),
        "{}",
        stderr_of(&out)
    );
    let out = import("orders.ndjson", "shop.model.Order");
    assert!(out.status.success(), "{}", stderr_of(&out));
    // A line that is not an object is refused with its line number; nothing is imported.
    let out = import("bad.ndjson", "my_app.data_model.MyMessage");
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("bad.ndjson line 2"),
        "{}",
        stderr_of(&out)
    );
    let out = import("orders.ndjson", "NoModule");
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(exported_ids(&sb, "j.db").len(), 4);

    // hopeit's default encoding on the way out, every payload as written by hand.
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--recording", "messages"])
        .args(["--to", &r.url("dev"), "--layout", "hopeit"])
        .args(["--hopeit-type", "my_app.data_model.MyMessage"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let dev = decoded(&mut c, "dev");
    assert_eq!(dev.len(), 3);
    let payloads: Vec<_> = dev.iter().map(|e| e["hopeit"]["payload"].clone()).collect();
    assert_eq!(
        payloads,
        vec![
            serde_json::json!({"text": "a", "status": "VALID"}),
            serde_json::json!({"id": "m-2", "text": "b", "status": "NEW"}),
            serde_json::json!({"text": "c", "status": "VALID"}),
        ]
    );
    for e in &dev {
        assert_eq!(e["fields"]["ser"], "json+base64");
        assert_eq!(e["fields"]["comp"], "lz4");
        assert_eq!(e["fields"]["auth_info"], "e30=");
        assert_eq!(e["hopeit"]["type"], "my_app.data_model.MyMessage");
    }
    assert_eq!(
        dev[1]["fields"]["id"], "m-2",
        "the payload's own id is hopeit's id"
    );

    // --type with a hopeit type selects by it (with a note that it is not a Symphony type);
    // the original layout of an imported payload is already a hopeit entry (json, none).
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--type", "shop.model.Order"])
        .args(["--to", &r.url("orders")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("not a Symphony event type"),
        "{}",
        stderr_of(&out)
    );
    let orders = decoded(&mut c, "orders");
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["hopeit"]["type"], "shop.model.Order");
    assert_eq!(orders[0]["fields"]["ser"], "json");
    assert_eq!(
        orders[0]["hopeit"]["payload"],
        serde_json::json!({"sku": "A-1", "qty": 2})
    );
}

#[test]
fn redis_replay_type_selects_recorded_hopeit_types() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    for (ty, text) in [
        ("app.model.Order", "o1"),
        ("app.model.Refund", "r1"),
        ("app.model.Order", "o2"),
    ] {
        let payload = hopeit_lz4(&serde_json::json!({ "text": text }));
        r.xadd(
            &mut c,
            "mixed",
            &[
                ("id", text.as_bytes()),
                ("type", ty.as_bytes()),
                ("submit_ts", b"2026-01-01T00:00:00+00:00"),
                ("event_ts", b""),
                ("auth_info", b"e30="),
                ("ser", b"json+base64"),
                ("comp", b"lz4"),
                ("payload", &payload),
            ],
        );
    }
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &r.url("mixed"), "--count", "3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--type", "app.model.Order"])
        .args(["--to", &r.url("orders")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let texts: Vec<_> = decoded(&mut c, "orders")
        .iter()
        .map(|e| e["hopeit"]["payload"]["text"].clone())
        .collect();
    assert_eq!(texts, vec!["o1", "o2"]);
    // A Symphony type still matches case-insensitively and finds none of these.
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--type", "messagesent", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("not a Symphony event type"));
}

/// `--exit-at-end` on Redis: tail and record (plain and in a group) read what is there and end
/// with exit 0 at once, without waiting on BLOCK; a resumed record adds nothing.
#[test]
fn redis_exit_at_end_reads_what_is_there_and_stops() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let ids: Vec<String> = (0..250)
        .map(|i| r.xadd(&mut c, "s", &[("n", i.to_string().as_bytes())]))
        .collect();
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["tail", &r.url("s"), "--from", "beginning", "--exit-at-end"])
        .args(["-o", "ndjson", "--batch", "100"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 250);
    for group in [None, Some("g")] {
        let journal = format!("{}.db", group.unwrap_or("plain"));
        for run in 1..=2 {
            let mut cmd = sb.cmd();
            cmd.args(["record", "-j", &journal, &r.url("s"), "--exit-at-end"])
                .timeout(Duration::from_secs(20));
            if let Some(g) = group {
                cmd.args(["--group", g]);
            }
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{group:?} run {run}: {}",
                stderr_of(&out)
            );
            assert_eq!(exported_ids(&sb, &journal), ids, "{group:?} run {run}");
        }
    }
    assert_eq!(
        pending(&mut c, "s", "g"),
        0,
        "every entry of the group acked"
    );
}

/// Something else than Redis on the port (here an HTTP server's answer to anything): a clear
/// one-line error and exit 4, for `tail` and for `replay --to`, not a retry loop or a dump.
#[test]
fn redis_a_server_that_is_not_redis_is_named_and_exits_4() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut conn = conn;
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            });
        }
    });
    let sb = Sandbox::new();
    let url = format!("redis://127.0.0.1:{port}/k");
    let out = sb
        .cmd()
        .args(["tail", &url, "--exit-at-end"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("is this a Redis server's port?"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    std::fs::write(sb.path().join("e.ndjson"), "{\"id\":\"e1\",\"n\":1}\n").unwrap();
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "e.ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--to", &url])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("is this a Redis server's port?"));
}

/// Ctrl-C during a full-speed `replay --to`, which sends a chunk's XADDs before the previous
/// chunk's replies are read: every entry that reached the stream is in the run's results, with
/// its entry id, once; nothing is in the results that is not in the stream.
#[test]
fn redis_replay_to_interrupted_keeps_every_written_entry_in_the_run() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let sb = Sandbox::new();
    let lines: String = (0..60_000)
        .map(|i| format!("{{\"id\":\"e{i}\",\"text\":\"event number {i}\"}}\n"))
        .collect();
    sb.write("events.ndjson", &lines);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--chunk-size", "100"])
        .arg("events.ndjson")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));

    let url = r.url("copy");
    let mut replay = sb.spawn(&[
        "replay",
        "-j",
        "j.db",
        "--to",
        &url,
        "--layout",
        "hopeit",
        "--hopeit-type",
        "app.m.Event",
    ]);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while redis::cmd("XLEN").arg("copy").query::<i64>(&mut c).unwrap() < 5_000 {
        assert!(std::time::Instant::now() < deadline, "replay wrote nothing");
        std::thread::sleep(Duration::from_millis(5));
    }
    unsafe { libc::kill(replay.id() as i32, libc::SIGINT) };
    let status = replay.wait().unwrap();

    let in_stream: Vec<String> = entries_of(&mut c, "copy")
        .into_iter()
        .map(|e| e.0)
        .collect();
    let db = rusqlite::Connection::open(sb.path().join("j.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT stdout_head FROM replay_results WHERE outcome = 'handled' ORDER BY event_row_id")
        .unwrap();
    let in_run: Vec<String> = stmt
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let failed: i64 = db
        .query_row(
            "SELECT count(*) FROM replay_results WHERE outcome != 'handled'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(failed, 0, "nothing failed");
    assert_eq!(
        in_run, in_stream,
        "the run holds exactly the entries written, in order"
    );
    if in_stream.len() < 60_000 {
        assert_eq!(status.code(), Some(130), "interrupted");
    }

    // `--rerun-failed` of that run writes what it never delivered, checked and written like
    // any selection (the check before the first write reads the run's own selection): every
    // event once, in order.
    let out = sb
        .cmd()
        .args([
            "-q",
            "replay",
            "-j",
            "j.db",
            "--rerun-failed",
            "1",
            "--to",
            &url,
        ])
        .args(["--layout", "hopeit", "--hopeit-type", "app.m.Event"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let ids: Vec<String> = entries_of(&mut c, "copy")
        .into_iter()
        .map(|e| {
            let id = e.1.iter().find(|(k, _)| k.as_slice() == b"id");
            String::from_utf8_lossy(&id.expect("an id field").1).into_owned()
        })
        .collect();
    let mut stmt = db
        .prepare("SELECT event_id FROM events ORDER BY id")
        .unwrap();
    let expected: Vec<String> = stmt
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(expected.len(), 60_000);
    assert_eq!(ids.len(), expected.len(), "every event, once");
    assert!(ids == expected, "in order");
}

/// The tutorial app's OpenAPI document, as `hopeit_openapi create` wrote it (tests/hopeit/).
fn openapi() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hopeit/openapi.json")
        .display()
        .to_string()
}

const MY_MESSAGE: &str = "my_app.data_model.MyMessage";

#[test]
fn redis_hopeit_schema_refuses_invalid_payloads_before_the_first_xadd() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let sb = Sandbox::new();
    let schema = openapi();
    sb.write(
        "good.ndjson",
        "{\"text\":\"a\",\"status\":\"VALID\"}\n{\"id\":\"m-2\",\"text\":\"b\",\"status\":\"NEW\"}\n",
    );
    let mut bad = String::from("{\"text\":\"ok\",\"status\":\"VALID\"}\n");
    bad.push_str("{\"text\":\"x\",\"status\":\"BOGUS\"}\n");
    for i in 0..12 {
        bad.push_str(&format!("{{\"text\":{i},\"status\":\"NEW\"}}\n"));
    }
    sb.write("bad.ndjson", &bad);
    let import = |file: &str, schema: Option<&str>| {
        let mut cmd = sb.cmd();
        cmd.args(["journal", "import", "-j", "j.db", file])
            .args(["--hopeit-type", MY_MESSAGE]);
        if let Some(s) = schema {
            cmd.args(["--schema", s]);
        }
        cmd.output().unwrap()
    };

    // journal import --schema: the first 10 problems named by line, path and rule, then a
    // count; nothing imported.
    let out = import("bad.ndjson", Some(&schema));
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("13 problems"), "{err}");
    assert!(
        err.contains("bad.ndjson line 2: payload at /status: ") && err.contains("[enum]"),
        "{err}"
    );
    assert!(
        err.contains("bad.ndjson line 3: payload at /text: ") && err.contains("[type]"),
        "{err}"
    );
    assert!(err.contains("and 3 more"), "{err}");
    assert!(
        err.contains("openapi.json#/components/schemas/MyMessage"),
        "{err}"
    );
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "j.db", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        !out.status.success() || !stdout_of(&out).contains("\"bad\""),
        "nothing imported: {}",
        stdout_of(&out)
    );
    let out = import("good.ndjson", Some(&schema));
    assert!(out.status.success(), "{}", stderr_of(&out));

    // Imported without a schema, the bad payloads are refused by replay --schema: exit 2,
    // each named by event id, recording, chunk and row, and the stream stays empty.
    let out = import("bad.ndjson", None);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let replay = |recording: &str, key: &str, extra: &[&str]| {
        sb.cmd()
            .args(["replay", "-j", "j.db", "--recording", recording])
            .args(["--to", &r.url(key), "--layout", "hopeit"])
            .args(["--hopeit-type", MY_MESSAGE, "--schema", &schema])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = replay("bad", "bad", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        err.contains("13 problems in the selected events, the first 10:"),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l.starts_with("  event ")
            && l.ends_with("-1 (recording bad, chunk 1, row 4): payload at /status: \"BOGUS\" is not one of \"NEW\", \"VALID\" or \"PROCESSED\" [enum]")),
        "{err}"
    );
    assert!(err.contains("and 3 more"), "{err}");
    let n: i64 = redis::cmd("XLEN").arg("bad").query(&mut c).unwrap();
    assert_eq!(n, 0, "nothing written");
    // The same payloads written as they are stored (--layout original) are checked too, the
    // schema named by pointer or by --hopeit-type's class.
    for named in [
        vec![
            "--schema".to_string(),
            format!("{schema}#/components/schemas/MyMessage"),
        ],
        vec![
            "--schema".into(),
            schema.clone(),
            "--hopeit-type".into(),
            MY_MESSAGE.into(),
        ],
    ] {
        let out = sb
            .cmd()
            .args(["replay", "-j", "j.db", "--recording", "bad"])
            .args(["--to", &r.url("bad")])
            .args(&named)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("at /status"),
            "{}",
            stderr_of(&out)
        );
        let n: i64 = redis::cmd("XLEN").arg("bad").query(&mut c).unwrap();
        assert_eq!(n, 0, "nothing written");
    }
    // An OpenAPI document without a class to take is a usage error that says how to name one.
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--recording", "bad"])
        .args(["--to", &r.url("bad"), "--schema", &schema])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("#/components/schemas/NAME"),
        "{}",
        stderr_of(&out)
    );

    // Valid payloads pass.
    let out = replay("good", "good", &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(decoded(&mut c, "good").len(), 2);
}

#[test]
fn redis_replay_original_into_a_hopeit_stream_refuses_entries_a_hopeit_consumer_cannot_read() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let payload = br#"{"text":"hi","status":"VALID"}"#;
    let full: Vec<(&str, &[u8])> = vec![
        ("id", b"e-1"),
        ("type", MY_MESSAGE.as_bytes()),
        ("submit_ts", b"2026-12-02T00:11:47.739104+00:00"),
        ("event_ts", b""),
        ("auth_info", b"e30="),
        ("ser", b"json"),
        ("comp", b"none"),
        ("payload", payload),
    ];
    // A recording of one entry like hopeit's without submit_ts, and one plain entry.
    let lacking: Vec<_> = full
        .iter()
        .filter(|(k, _)| *k != "submit_ts")
        .cloned()
        .collect();
    r.xadd(&mut c, "src", &lacking);
    r.xadd(&mut c, "plainsrc", &[("sku", b"A-1")]);
    let sb = Sandbox::new();
    for (name, key) in [("lacking", "src"), ("plain", "plainsrc")] {
        let out = sb
            .cmd()
            .args(["record", "-j", "j.db", "--name", name, &r.url(key)])
            .args(["--count", "1"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let replay = |recording: &str, key: &str| {
        sb.cmd()
            .args(["replay", "-j", "j.db", "--recording", recording])
            .args(["--to", &r.url(key)])
            .output()
            .unwrap()
    };

    // A stream whose newest entry is hopeit's.
    r.xadd(&mut c, "hs", &full);
    // A stream with a group one of whose consumers is named as hopeit names them.
    r.xadd(&mut c, "grouped", &[("sku", b"B-2")]);
    let _: () = redis::cmd("XGROUP")
        .arg(&["CREATE", "grouped", "process-message-group", "$"][..])
        .query(&mut c)
        .unwrap();
    let _: i64 = redis::cmd("XGROUP")
        .arg(&["CREATECONSUMER", "grouped", "process-message-group"][..])
        .arg("2026-12-02T00:11:47.739104+00:00.vm.4242.140234567")
        .query(&mut c)
        .unwrap();
    for (key, reason) in [
        ("hs", "its newest entry"),
        ("grouped", "has a hopeit consumer"),
    ] {
        let before: i64 = redis::cmd("XLEN").arg(key).query(&mut c).unwrap();
        for recording in ["lacking", "plain"] {
            let out = replay(recording, key);
            assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
            let err = stderr_of(&out);
            let missing = match recording {
                "lacking" => "lacks hopeit's field submit_ts,",
                _ => "lacks hopeit's fields id, type, submit_ts",
            };
            assert!(err.contains(missing), "{err}");
            assert!(err.contains("looks like a hopeit app's stream"), "{err}");
            assert!(err.contains(reason), "{err}");
        }
        let after: i64 = redis::cmd("XLEN").arg(key).query(&mut c).unwrap();
        assert_eq!(before, after, "nothing written to {key}");
    }

    // Streams that are not hopeit's take them: a new one, one of plain entries, one whose
    // group's consumers are not hopeit's.
    r.xadd(&mut c, "orders", &[("sku", b"C-3")]);
    let _: () = redis::cmd("XGROUP")
        .arg(&["CREATE", "orders", "workers", "$"][..])
        .query(&mut c)
        .unwrap();
    let _: i64 = redis::cmd("XGROUP")
        .arg(&["CREATECONSUMER", "orders", "workers", "feedctl-host"][..])
        .query(&mut c)
        .unwrap();
    for key in ["new", "orders"] {
        let out = replay("lacking", key);
        assert!(out.status.success(), "{key}: {}", stderr_of(&out));
    }
}

#[test]
fn redis_replay_hopeit_writes_every_compression_feedctl_reads_back() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let sb = Sandbox::new();
    sb.write(
        "m.ndjson",
        "{\"text\":\"a ünï\",\"status\":\"VALID\"}\n{\"text\":\"b\",\"status\":\"NEW\",\"n\":[1,2.5]}\n",
    );
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "m.ndjson"])
        .args(["--hopeit-type", MY_MESSAGE])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let want = vec![
        serde_json::json!({"text": "a ünï", "status": "VALID"}),
        serde_json::json!({"text": "b", "status": "NEW", "n": [1, 2.5]}),
    ];
    for comp in ["zip", "gzip", "bz2", "lzma"] {
        for ser in ["json", "json+base64"] {
            let key = format!("{comp}-{ser}");
            let out = sb
                .cmd()
                .args(["replay", "-j", "j.db", "--to", &r.url(&key)])
                .args(["--layout", "hopeit", "--hopeit-type", MY_MESSAGE])
                .args(["--hopeit-ser", ser, "--hopeit-comp", comp])
                .args(["--schema", &openapi()])
                .output()
                .unwrap();
            assert!(out.status.success(), "{key}: {}", stderr_of(&out));
            let got = decoded(&mut c, &key);
            assert_eq!(got.len(), 2, "{key}");
            for (e, w) in got.iter().zip(&want) {
                assert_eq!(e["fields"]["comp"], comp);
                assert_eq!(e["fields"]["ser"], ser);
                assert_eq!(&e["hopeit"]["payload"], w, "{key}: {e}");
            }
        }
    }
}

/// Issue 29, item 7: a group read whose reply is cut off (here by a proxy, once, after 500
/// KB) leaves the entries Redis delivered in this consumer's pending list; after
/// reconnecting, the reader reads them first (`XREADGROUP … 0`), so all 3000 reach the
/// journal, once each, and nothing stays pending.
#[test]
fn redis_group_read_cut_mid_reply_reads_its_pending_entries_first_after_reconnecting() {
    use crate::redis_server::{Fault, FaultProxy};
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let pad = "x".repeat(500);
    let mut ids = Vec::new();
    for part in (0..3000).collect::<Vec<_>>().chunks(500) {
        let mut pipe = redis::pipe();
        for i in part {
            pipe.cmd("XADD")
                .arg("jobs")
                .arg("*")
                .arg("n")
                .arg(i.to_string())
                .arg("pad")
                .arg(&pad);
        }
        let got: Vec<String> = pipe.query(&mut c).unwrap();
        ids.extend(got);
    }
    // A read of 1000 entries is a reply of about 530 KB: the first one is cut.
    let proxy = FaultProxy::start(r.port, Fault::CutRepliesAfter(500 * 1024));
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &proxy.url("jobs"), "--group", "g"])
        .args(["--exit-at-end", "--duration", "40s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(proxy.wait_done(Duration::ZERO), "the proxy cut a reply");
    assert!(
        stderr_of(&out).contains("retrying in"),
        "{}",
        stderr_of(&out)
    );
    let got = exported_ids(&sb, "j.db");
    assert_eq!(got.len(), 3000, "each entry once: {}", stderr_of(&out));
    assert_eq!(
        got.into_iter().collect::<HashSet<_>>(),
        ids.into_iter().collect()
    );
    assert_eq!(r.pending("jobs", "g"), 0, "nothing left pending");
}

/// Issue 29, item 10: a recorder killed after the journal committed a chunk and before its
/// XACK reached Redis (a proxy holds the XACK; the test kills feedctl then) leaves those
/// entries pending for its consumer. Resumed, it acknowledges the ones at or below its
/// marker's `through` without storing them again: no duplicates, nothing pending.
#[test]
fn redis_group_resumed_after_a_kill_before_the_xack_acks_what_the_journal_has() {
    use crate::redis_server::{Fault, FaultProxy};
    let Some(r) = RedisServer::start() else {
        return;
    };
    let ids = r.fill("jobs", 10);
    let proxy = FaultProxy::start(r.port, Fault::HoldCommand(b"XACK"));
    let sb = Sandbox::new();
    let url = proxy.url("jobs");
    let mut child = sb.spawn(&["record", "-j", "j.db", &url, "--group", "g"]);
    let held = proxy.wait_done(Duration::from_secs(20));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(held, "feedctl sent an XACK");
    assert_eq!(exported_ids(&sb, "j.db"), ids, "committed before the XACK");
    assert_eq!(r.pending("jobs", "g"), 10, "the XACK never reached Redis");
    let more = r.fill("jobs", 2);
    // Resumed (the marker names the group and consumer), straight to the server.
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &r.url("jobs"), "--exit-at-end"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let all: Vec<String> = ids.iter().chain(&more).cloned().collect();
    assert_eq!(exported_ids(&sb, "j.db"), all, "none stored twice");
    assert_eq!(journal_info(&sb, "j.db")["recordings"][0]["duplicates"], 0);
    assert_eq!(r.pending("jobs", "g"), 0);
    assert!(
        stderr_of(&out).contains("10 entries pending")
            && stderr_of(&out).contains("in the journal already"),
        "{}",
        stderr_of(&out)
    );
}

/// Issue 29, item 9: entries trimmed while a group recorder was stopped, before the group
/// read them, are a gap (with the range and a count), as for plain reads; a later trim of
/// only entries the group had read is none, Redis's lag count having been set right.
#[test]
fn redis_group_trimmed_while_stopped_records_a_gap() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let old = r.fill("t", 100);
    let sb = Sandbox::new();
    let url = r.url("t");
    let record = |extra: &[&str]| {
        let out = sb
            .cmd()
            .args([
                "record", "-j", "j.db", &url, "--group", "g", "--batch", "10",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stderr_of(&out)
    };
    record(&["--count", "50"]);
    assert_eq!(exported_ids(&sb, "j.db"), old[..50]);
    // Stopped: 50 more come, and MAXLEN 50 trims the 50 the group had not read.
    let new = r.fill("t", 50);
    let _: i64 = redis::cmd("XTRIM")
        .arg("t")
        .arg("MAXLEN")
        .arg(50)
        .query(&mut r.conn())
        .unwrap();
    let err = record(&["--exit-at-end"]);
    assert!(
        err.contains(&format!(
            "up to 50 entries after {} were trimmed before consumer group `g` read them (first kept entry: {})",
            old[49], new[0]
        )),
        "{err}"
    );
    // The journal keeps the count: exactly the 50 trimmed unread, per gap and per partition.
    let i = journal_info(&sb, "j.db");
    assert_eq!(i["recordings"][0]["gaps"], 1);
    assert_eq!(i["gapList"][0]["lost"], 50, "{i}");
    let part = &i["partitions"][0];
    assert_eq!(
        (&part["lost"], &part["lostUnknown"]),
        (&50.into(), &0.into()),
        "{i}"
    );
    let table = stdout_of(
        &sb.cmd()
            .args(["journal", "info", "-j", "j.db", "-o", "table"])
            .output()
            .unwrap(),
    );
    assert!(table.contains("1 (50 lost)"), "{table}");
    let want: Vec<String> = old[..50].iter().chain(&new).cloned().collect();
    assert_eq!(exported_ids(&sb, "j.db"), want);
    // Stopped again: 10 more, and a trim of exactly the entries read: nothing lost.
    let later = r.fill("t", 10);
    let _: i64 = redis::cmd("XTRIM")
        .arg("t")
        .arg("MAXLEN")
        .arg(10)
        .query(&mut r.conn())
        .unwrap();
    let err = record(&["--exit-at-end"]);
    assert!(!err.contains("trimmed"), "{err}");
    assert_eq!(journal_info(&sb, "j.db")["recordings"][0]["gaps"], 1);
    assert_eq!(exported_ids(&sb, "j.db").len(), 110);
    assert_eq!(exported_ids(&sb, "j.db")[100..], later);
    assert_eq!(r.pending("t", "g"), 0);
}

/// Issue 29, item 11: `tail --group` and `record --group` refuse a group that another consumer
/// reads (an application's: here made with XREADGROUP as `worker-1`), exit 2 saying how to
/// watch without taking, and take nothing from it; `--share-group` reads it on purpose. A
/// group of feedctl's own consumer only (a restarted tail) is read as before.
#[test]
fn redis_group_of_other_consumers_is_refused_unless_shared() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("work")
        .arg("app")
        .arg("0")
        .arg("MKSTREAM")
        .exec(&mut c)
        .unwrap();
    // worker-1 has one entry in hand (pending) when feedctl comes.
    r.fill("work", 1);
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("app")
        .arg("worker-1")
        .arg("COUNT")
        .arg(1)
        .arg("STREAMS")
        .arg("work")
        .arg(">")
        .query(&mut c)
        .unwrap();
    let taken = last_delivered(&mut c, "work", "app");
    r.fill("work", 20);
    let sb = Sandbox::new();
    let url = r.url("work");
    for cmd in [
        vec!["tail", &url, "--group", "app", "--count", "5"],
        vec![
            "record", "-j", "j.db", &url, "--group", "app", "--count", "5",
        ],
    ] {
        let out = sb.cmd().args(&cmd).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains("has other consumers (`worker-1`, 1 in all)")
                && err.contains("leave out --group")
                && err.contains("--share-group"),
            "{err}"
        );
        assert!(stdout_of(&out).is_empty());
    }
    assert_eq!(
        last_delivered(&mut c, "work", "app"),
        taken,
        "nothing taken"
    );
    assert_eq!(r.pending("work", "app"), 1, "worker-1's own");
    // On purpose: it takes (and acknowledges) what it prints.
    let out = sb
        .cmd()
        .args([
            "tail",
            &url,
            "--group",
            "app",
            "--share-group",
            "--count",
            "5",
        ])
        .args(["-o", "ndjson", "--batch", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 5);
    // A group of its own, read again by the same (default) consumer: no refusal.
    for _ in 0..2 {
        let out = sb
            .cmd()
            .args(["tail", &url, "--group", "mine", "--count", "5"])
            .args(["-o", "ndjson", "--batch", "5"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert_eq!(stdout_of(&out).lines().count(), 5);
    }
    let out = sb
        .cmd()
        .args(["tail", &url, "--share-group"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
}

/// Issue 31 item 2 (its first part): a recording of several keys names each key as the
/// events' partition: `journal info` counts per key and `journal show` names the key of each
/// entry (they showed `(none)` and null).
#[test]
fn redis_journal_info_and_show_name_each_stream_key() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    for i in 0..3 {
        r.xadd(&mut c, "orders", &[("n", i.to_string().as_bytes())]);
    }
    r.xadd(&mut c, "refunds", &[("n", b"1")]);
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &r.url("orders"), &r.url("refunds")])
        .arg("--exit-at-end")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let info = sb
        .cmd()
        .args(["journal", "info", "-j", "j.db", "-o", "json"])
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&stdout_of(&info)).unwrap();
    assert_eq!(
        info["byStream"],
        serde_json::json!([["orders", 3], ["refunds", 1]]),
        "{info}"
    );
    let show = sb
        .cmd()
        .args(["journal", "show", "-j", "j.db", "-o", "json"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout_of(&show)).unwrap();
    let keys: Vec<&str> = rows.iter().filter_map(|r| r["streamId"].as_str()).collect();
    assert_eq!(keys.len(), 4, "{rows:?}");
    assert_eq!(keys.iter().filter(|k| **k == "orders").count(), 3);
    assert_eq!(keys.iter().filter(|k| **k == "refunds").count(), 1);
}
