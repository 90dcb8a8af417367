//! `sfpubsub://` SOURCEs: feedctl's Pub/Sub API client (`tail`, `record`) against the Pub/Sub
//! emulator, `serve --salesforce --pubsub-listen` (the emulator tests/cli/pubsub.rs checks
//! against the published npm client). TLS with the emulator's test-only CA (`--pubsub-ca`), the
//! logins of the Salesforce source at the emulator's token endpoint (`--sf-login-url`).

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::common::*;
use crate::pubsub::{Serve, ORDER};
use crate::salesforce::{
    gaps, journal_events, markers, read_log, sf_cmd, spawn_sf_env, wait_exit, PASSWORD,
};

const ACCOUNTS: &str = "/data/AccountChangeEvent";

fn source(serve: &Serve, topic: &str) -> String {
    format!("sfpubsub://{}{topic}", serve.endpoint)
}

/// The flags every run against the emulator needs: where to log in, which CA to trust.
fn flags(serve: &Serve) -> Vec<String> {
    vec![
        "--sf-login-url".into(),
        serve.url.clone(),
        "--pubsub-ca".into(),
        fixture("tls/TEST-ONLY-ca.pem").display().to_string(),
    ]
}

fn b64(id: i64) -> String {
    base64::engine::general_purpose::STANDARD.encode(id.to_be_bytes())
}

/// `feedctl record -j JOURNAL SOURCE… FLAGS… EXTRA…` in the background, stderr into `log`.
fn spawn_record(
    sb: &Sandbox,
    serve: &Serve,
    journal: &str,
    topics: &[&str],
    extra: &[&str],
    log: &str,
) -> Background {
    let mut args: Vec<String> = vec!["record".into(), "-j".into(), journal.into()];
    args.extend(topics.iter().map(|t| source(serve, t)));
    args.extend(flags(serve));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    spawn_sf_env(sb, &args, log, &[])
}

/// `feedctl record` in the foreground.
fn record(
    sb: &Sandbox,
    serve: &Serve,
    journal: &str,
    topic: &str,
    extra: &[&str],
) -> std::process::Output {
    sf_cmd(sb)
        .args(["record", "-j", journal, &source(serve, topic)])
        .args(flags(serve))
        .args(extra)
        .output()
        .unwrap()
}

fn ids(events: &[(String, i64)]) -> Vec<i64> {
    events.iter().map(|(_, id)| *id).collect()
}

/// Waits until the journal holds at least `n` events.
fn wait_stored(sb: &Sandbox, journal: &str, n: usize) {
    assert!(
        wait_for(Duration::from_secs(20), || {
            sb.path().join(journal).exists() && journal_events(sb, journal).len() >= n
        }),
        "{n} events were not recorded in time"
    );
}

/// Events injected on two topics (a platform event and a change event) reach `tail` on one
/// connection, decoded from Avro, with their replay ids exact and the bytes kept; nothing at
/// -vvv shows the token or the password.
#[test]
fn pubsub_source_tail_prints_injected_events_decoded_from_two_topics() {
    let serve = Serve::start(&["--channel", ORDER, "--channel", ACCOUNTS]);
    let sb = Sandbox::new();
    let o1 = serve.inject(&sb, ORDER, json!({"Sku__c": "S-1", "Amount__c": 10}));
    let a1 = serve.inject_typed(
        &sb,
        ACCOUNTS,
        Some("UPDATE"),
        json!({"Name": "Acme Corp", "Phone": null}),
    );
    let o2 = serve.inject(&sb, ORDER, json!({"Sku__c": "S-2", "Amount__c": 20}));
    let out = sf_cmd(&sb)
        .args(["tail", &source(&serve, ORDER), &source(&serve, ACCOUNTS)])
        .args(flags(&serve))
        .args(["--replay", "all", "--count", "3", "-o", "ndjson", "-vvv"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    let lines: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let of =
        |topic: &str| -> Vec<&Value> { lines.iter().filter(|l| l["partition"] == topic).collect() };
    let orders = of(ORDER);
    let accounts = of(ACCOUNTS);
    let order_ids: Vec<String> = orders
        .iter()
        .map(|l| l["eventId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order_ids,
        [o1.to_string(), o2.to_string()],
        "in order, exact replay ids"
    );
    for (l, (id, sku, amount)) in orders.iter().zip([(o1, "S-1", 10.0), (o2, "S-2", 20.0)]) {
        assert_eq!(l["source"], "salesforce", "{l}");
        assert_eq!(l["type"], "Order__e", "{l}");
        let e = &l["event"];
        assert_eq!(e["channel"], ORDER, "{l}");
        assert_eq!(e["data"]["payload"]["Sku__c"], sku, "{l}");
        assert_eq!(
            e["data"]["payload"]["Amount__c"].as_f64(),
            Some(amount),
            "{l}"
        );
        assert_eq!(e["data"]["event"]["replayId"], id, "{l}");
        // What makes a replay exact: the replay id's bytes, the Avro bytes, the schema and event ids.
        assert_eq!(e["pubsub"]["replayId"], b64(id), "{l}");
        assert_eq!(e["pubsub"]["schemaId"], e["data"]["schema"], "{l}");
        assert_eq!(e["pubsub"]["id"], e["data"]["event"]["EventUuid"], "{l}");
        let avro = base64::engine::general_purpose::STANDARD
            .decode(e["pubsub"]["payload"].as_str().unwrap())
            .unwrap();
        assert!(
            avro.windows(3).any(|w| w == sku.as_bytes()),
            "the Avro bytes hold the SKU: {l}"
        );
        assert_eq!(l["time"], e["data"]["payload"]["CreatedDate"], "{l}");
    }
    assert_eq!(accounts.len(), 1, "{lines:?}");
    let a = accounts[0];
    assert_eq!(a["eventId"], a1.to_string());
    assert_eq!(a["type"], "UPDATE", "{a}");
    let header = &a["event"]["data"]["payload"]["ChangeEventHeader"];
    assert_eq!(
        header["changedFields"],
        json!(["Name", "Phone", "LastModifiedDate"]),
        "bitmaps expanded: {a}"
    );
    assert_eq!(header["nulledFields"], json!(["Phone"]), "{a}");
    assert!(
        !err.contains("00DFEEDCTL00001!"),
        "no access token at -vvv: {err}"
    );
    assert!(!err.contains(PASSWORD), "{err}");
    assert!(!stdout_of(&out).contains("00DFEEDCTL00001!"));
    // --exit-at-end: the backlog, then exit 0 once nothing came for 3 s.
    let out = sf_cmd(&sb)
        .args(["tail", &source(&serve, ORDER)])
        .args(flags(&serve))
        .args(["--replay", "all", "--exit-at-end", "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 2, "{}", stdout_of(&out));
}

/// record, SIGKILLed three times while events arrive, then run again: every event exactly
/// once, in order, the marker the last replay id's exact bytes; export, verify and replay
/// read the recording.
#[test]
fn pubsub_source_record_resumes_after_sigkill_with_every_event_once() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let mut published = Vec::new();
    for round in 0..3u64 {
        let mut rec = spawn_record(
            &sb,
            &serve,
            "kill.db",
            &[ORDER],
            &["--replay", "all", "--max-pending", "2"],
            "kill.err",
        );
        for i in 0..12 {
            published.push(serve.inject(&sb, ORDER, json!({"Sku__c": format!("r{round}e{i}")})));
            if i % 4 == 0 {
                std::thread::sleep(Duration::from_millis(60));
            }
        }
        std::thread::sleep(Duration::from_millis(200 * (round + 1)));
        let _ = rec.kill(); // SIGKILL, wherever it is
        let _ = rec.wait();
    }
    let stored = journal_events(&sb, "kill.db").len();
    assert!(
        stored > 0,
        "the killed runs recorded something: {}",
        read_log(&sb, "kill.err")
    );
    let remaining = published.len().saturating_sub(stored);
    if remaining > 0 {
        let out = record(
            &sb,
            &serve,
            "kill.db",
            ORDER,
            // Two at a time: more are asked for only as chunks are committed.
            &[
                "--count",
                &remaining.to_string(),
                "--max-pending",
                "2",
                "--duration",
                "30s",
            ],
        );
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert!(stderr_of(&out).contains("resuming"), "{}", stderr_of(&out));
    }
    let got = ids(&journal_events(&sb, "kill.db"));
    let unique: BTreeSet<i64> = got.iter().copied().collect();
    assert_eq!(
        unique,
        published.iter().copied().collect(),
        "0 lost across 3 SIGKILLs"
    );
    assert_eq!(got.len(), unique.len(), "nothing twice: {got:?}");
    assert_eq!(got, published, "in order");
    let m = markers(&sb, "kill.db", "default");
    let last = *published.last().unwrap();
    assert_eq!(m[0].0, ORDER);
    assert_eq!(
        m[0].1["replayIdBytes"],
        b64(last),
        "the replay id's bytes, exactly"
    );
    assert_eq!(m[0].1["replayId"], last);
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "kill.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout_of(&out));
    // export gives each event as stored, the exact bytes under `pubsub`.
    let exported = sb.exported_events("kill.db");
    assert_eq!(exported.len(), published.len());
    for (e, id) in exported.iter().zip(&published) {
        assert_eq!(e["pubsub"]["replayId"], b64(*id), "{e}");
        assert_eq!(e["data"]["event"]["replayId"], *id, "{e}");
    }
    // replay hands each event to a handler with its replay id.
    let handler = sb.write(
        "h.sh",
        "#!/bin/sh\ncat >/dev/null\necho \"$FEEDCTL_EVENT_ID\" >> handled.txt\n",
    );
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&handler)
        .status()
        .unwrap();
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "kill.db",
            "--exec",
            &handler.display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let handled: BTreeSet<i64> = std::fs::read_to_string(sb.path().join("handled.txt"))
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(handled, unique);
}

/// An expired marker: without --replay-fallback record stops (exit 4) naming Salesforce's
/// error code and the fix; with --replay-fallback all it records a gap and goes on from the
/// earliest retained event.
#[test]
fn pubsub_source_expired_replay_id_stops_or_falls_back_with_a_gap() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let old = serve.inject(&sb, ORDER, json!({"Sku__c": "old"}));
    let out = record(
        &sb,
        &serve,
        "gap.db",
        ORDER,
        &["--replay", "all", "--count", "1"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    serve.fault(&sb, "expire");
    let kept = serve.inject(&sb, ORDER, json!({"Sku__c": "after expiry"}));
    let out = record(
        &sb,
        &serve,
        "gap.db",
        ORDER,
        &["--count", "1", "--connection-timeout", "10s"],
    );
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("replayid.corrupted")
            && err.contains(&format!("replay id {old}"))
            && err.contains("--replay-fallback all"),
        "names the code, the replay id and the fix: {err}"
    );
    assert_eq!(gaps(&sb, "gap.db"), 0);
    let out = record(
        &sb,
        &serve,
        "gap.db",
        ORDER,
        &[
            "--count",
            "1",
            "--replay-fallback",
            "all",
            "--duration",
            "20s",
        ],
    );
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("a gap is recorded"), "{err}");
    assert_eq!(gaps(&sb, "gap.db"), 1);
    assert_eq!(ids(&journal_events(&sb, "gap.db")), [old, kept]);
    let m = markers(&sb, "gap.db", "default");
    assert_eq!(m[0].1["replayIdBytes"], b64(kept));
}

/// The `reset-streams` fault ends the Subscribe stream mid-recording: record reconnects with
/// backoff from the last replay id it kept and nothing is lost or doubled.
#[test]
fn pubsub_source_stream_reset_mid_recording_loses_and_doubles_nothing() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let mut published: Vec<i64> = (0..10)
        .map(|i| serve.inject(&sb, ORDER, json!({"Sku__c": format!("a{i}")})))
        .collect();
    let mut rec = spawn_record(
        &sb,
        &serve,
        "reset.db",
        &[ORDER],
        &["--replay", "all", "--max-pending", "3", "--count", "25"],
        "reset.err",
    );
    wait_stored(&sb, "reset.db", 10);
    serve.fault(&sb, "reset-streams");
    for i in 0..15 {
        published.push(serve.inject(&sb, ORDER, json!({"Sku__c": format!("b{i}")})));
        if i == 5 {
            serve.fault(&sb, "reset-streams");
        }
    }
    let status = wait_exit(&mut rec, Duration::from_secs(40));
    let log = read_log(&sb, "reset.err");
    assert!(status.success(), "{log}");
    assert!(
        log.contains("RST_STREAM") && log.contains("retrying"),
        "the reset is announced: {log}"
    );
    assert_eq!(
        ids(&journal_events(&sb, "reset.db")),
        published,
        "every event once, in order: {log}"
    );
}

/// A revoked token: the stream opened again after a reset is refused, record logs in again
/// once and goes on; a given token that cannot be renewed ends with exit 3.
#[test]
fn pubsub_source_revoked_token_logs_in_again_or_exits_3() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let first: Vec<i64> = (0..2)
        .map(|i| serve.inject(&sb, ORDER, json!({"Sku__c": format!("a{i}")})))
        .collect();
    let mut rec = spawn_record(
        &sb,
        &serve,
        "auth.db",
        &[ORDER],
        &["--replay", "all", "--count", "4"],
        "auth.err",
    );
    wait_stored(&sb, "auth.db", 2);
    serve.fault(&sb, "revoke-tokens");
    serve.fault(&sb, "reset-streams");
    let later: Vec<i64> = (0..2)
        .map(|i| serve.inject(&sb, ORDER, json!({"Sku__c": format!("b{i}")})))
        .collect();
    let status = wait_exit(&mut rec, Duration::from_secs(40));
    let log = read_log(&sb, "auth.err");
    assert!(status.success(), "{log}");
    assert!(log.contains("logging in again"), "{log}");
    let all: Vec<i64> = first.iter().chain(&later).copied().collect();
    assert_eq!(ids(&journal_events(&sb, "auth.db")), all, "{log}");

    // A given token, nothing to log in again with: exit 3, no token in the message.
    let token = serve.token();
    serve.fault(&sb, "revoke-tokens");
    let out = sb
        .cmd()
        .args(["tail", &source(&serve, ORDER)])
        .args(flags(&serve))
        .args(["--replay", "all", "--count", "1"])
        .env("SFDC_ACCESS_TOKEN", &token)
        .env("SFDC_INSTANCE_URL", &serve.url)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("auth.error") && err.contains("SFDC_ACCESS_TOKEN"),
        "{err}"
    );
    assert!(!err.contains(&token), "{err}");
}

/// Keepalives move the marker without events: a recording that started at LATEST and saw no
/// event keeps the position a keepalive gave, so an event published while it was stopped is
/// recorded by the next run.
#[test]
fn pubsub_source_keepalive_moves_the_marker_without_events() {
    let serve = Serve::start(&["--channel", ORDER, "--pubsub-keepalive", "1s"]);
    let sb = Sandbox::new();
    let before = serve.inject(&sb, ORDER, json!({"Sku__c": "before"}));
    let out = record(&sb, &serve, "ka.db", ORDER, &["--duration", "5s"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        journal_events(&sb, "ka.db").is_empty(),
        "LATEST: nothing old"
    );
    let m = markers(&sb, "ka.db", "default");
    assert_eq!(
        m[0].1["replayId"], before,
        "a keepalive's latest_replay_id: {m:?}"
    );
    let missed = serve.inject(&sb, ORDER, json!({"Sku__c": "while stopped"}));
    let out = record(
        &sb,
        &serve,
        "ka.db",
        ORDER,
        &["--count", "1", "--duration", "20s"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(ids(&journal_events(&sb, "ka.db")), [missed]);
    // The keepalives' chunks without events are sound journal rows.
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "ka.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout_of(&out));
}

/// The `unavailable` fault (Pub/Sub calls answer UNAVAILABLE): tail gives up after
/// --connection-timeout with exit 4; record retries with backoff and goes on once the service
/// is back, nothing lost.
#[test]
fn pubsub_source_unavailable_is_retried_within_the_connection_timeout() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let first = serve.inject(&sb, ORDER, json!({"Sku__c": "first"}));
    let token = serve.token();
    serve.fault(&sb, "unavailable");
    let started = std::time::Instant::now();
    let out = sb
        .cmd()
        .args(["tail", &source(&serve, ORDER)])
        .args(flags(&serve))
        .args([
            "--replay",
            "all",
            "--count",
            "1",
            "--connection-timeout",
            "2s",
        ])
        .env("SFDC_ACCESS_TOKEN", &token)
        .env("SFDC_INSTANCE_URL", &serve.url)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("service.unavailable") && err.contains("--connection-timeout 2s"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "bounded by --connection-timeout"
    );

    let mut rec = spawn_sf_env(
        &sb,
        &[
            "record",
            "-j",
            "down.db",
            &source(&serve, ORDER),
            "--sf-login-url",
            &serve.url,
            "--pubsub-ca",
            &fixture("tls/TEST-ONLY-ca.pem").display().to_string(),
            "--replay",
            "all",
            "--count",
            "2",
        ],
        "down.err",
        &[
            ("SFDC_ACCESS_TOKEN", &token),
            ("SFDC_INSTANCE_URL", &serve.url),
        ],
    );
    assert!(
        wait_for(Duration::from_secs(20), || read_log(&sb, "down.err")
            .contains("retrying")),
        "{}",
        read_log(&sb, "down.err")
    );
    serve.fault(&sb, "available");
    let second = serve.inject(&sb, ORDER, json!({"Sku__c": "second"}));
    let status = wait_exit(&mut rec, Duration::from_secs(40));
    let log = read_log(&sb, "down.err");
    assert!(status.success(), "{log}");
    assert!(log.contains("service.unavailable"), "{log}");
    assert_eq!(ids(&journal_events(&sb, "down.db")), [first, second]);
}

/// A recording from the Pub/Sub API is served back by `serve --salesforce -j` on both APIs
/// with its replay ids and payloads: the same decoded fields through feedctl's client again.
#[test]
fn pubsub_source_recording_is_served_back_with_its_replay_ids_and_fields() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let published: Vec<i64> = (1..=3)
        .map(|i| {
            serve.inject(
                &sb,
                ORDER,
                json!({"Sku__c": format!("S-{i}"), "Amount__c": i}),
            )
        })
        .collect();
    let out = record(
        &sb,
        &serve,
        "served.db",
        ORDER,
        &["--replay", "all", "--count", "3"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    drop(serve);
    let journal = sb.path().join("served.db").display().to_string();
    let again = Serve::start(&["-j", &journal]);
    let tail = |src: &str, extra: &[String]| -> Vec<Value> {
        let out = sf_cmd(&sb)
            .args(["tail", src])
            .args(extra)
            .args(["--replay", "all", "--count", "3", "-o", "ndjson"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stdout_of(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let via_pubsub = tail(&source(&again, ORDER), &flags(&again));
    let streaming = format!(
        "sfdc+http://{}{ORDER}",
        again.url.trim_start_matches("http://")
    );
    let via_cometd = tail(&streaming, &[]);
    for lines in [&via_pubsub, &via_cometd] {
        let got: Vec<i64> = lines
            .iter()
            .map(|l| l["event"]["data"]["event"]["replayId"].as_i64().unwrap())
            .collect();
        assert_eq!(got, published, "{lines:?}");
        for (i, l) in lines.iter().enumerate() {
            let p = &l["event"]["data"]["payload"];
            assert_eq!(p["Sku__c"], format!("S-{}", i + 1), "{l}");
            assert_eq!(p["Amount__c"].as_f64(), Some((i + 1) as f64), "{l}");
        }
    }
}

/// On a terminal, an event's text (a payload field with escape sequences) is shown escaped, as
/// for every source; piped, the event stays exact.
#[test]
fn pubsub_source_event_text_cannot_drive_the_terminal() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    serve.inject(
        &sb,
        ORDER,
        json!({"Note__c": "x\u{1b}[31mred \u{1b}]0;pwned\u{7}"}),
    );
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"));
    cmd.args(["tail", &source(&serve, ORDER)])
        .args(flags(&serve))
        .args(["--replay", "all", "--count", "1"])
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("SFDC_CLIENT_ID", crate::salesforce::CLIENT_ID)
        .env("SFDC_CLIENT_SECRET", crate::salesforce::CLIENT_SECRET)
        .env("SFDC_USERNAME", crate::salesforce::USERNAME)
        .env("SFDC_PASSWORD", PASSWORD)
        .current_dir(sb.path());
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).expect("pty");
    let out = p.exp_eof().expect("feedctl ends");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "raw control characters reached the terminal: {out:?}"
    );
    assert!(out.contains(r"Note__c=x\x1b[31mred"), "{out:?}");
    let piped = sf_cmd(&sb)
        .args(["tail", &source(&serve, ORDER)])
        .args(flags(&serve))
        .args(["--replay", "all", "--count", "1"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&piped).contains(r"x\u001b[31mred"),
        "{}",
        stdout_of(&piped)
    );
}

/// `sfpubsub+http://`, the plain-text form, against the emulator serving h2c
/// (`--pubsub-plain`): the events arrive exactly, with no CA given.
#[test]
fn pubsub_source_plain_text_form_records_from_a_plain_emulator() {
    let serve = Serve::start(&["--pubsub-plain", "--channel", ORDER]);
    let sb = Sandbox::new();
    let sent = [
        serve.inject(&sb, ORDER, json!({"Sku__c": "P-1", "Amount__c": 1})),
        serve.inject(&sb, ORDER, json!({"Sku__c": "P-2", "Amount__c": 2})),
    ];
    let plain = format!("sfpubsub+http://{}{ORDER}", serve.endpoint);
    let out = sf_cmd(&sb)
        .args(["record", "-j", "plain.db", &plain])
        .args([
            "--sf-login-url",
            &serve.url,
            "--replay",
            "all",
            "--count",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let events = journal_events(&sb, "plain.db");
    assert_eq!(
        ids(&events),
        sent,
        "both events, in order, exact replay ids"
    );
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "plain.db"])
        .output()
        .unwrap();
    let skus: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["event"]["data"]["payload"]["Sku__c"].clone()
        })
        .collect();
    assert_eq!(skus, [json!("P-1"), json!("P-2")], "decoded from Avro");
}

/// What no retry fixes ends `record` at once (its --connection-timeout is forever by
/// default), exit 4, naming the fix: TLS to a plain-text port, plain text to a TLS port, a
/// server certificate that is not trusted.
#[test]
fn pubsub_source_tls_mismatches_and_untrusted_certificates_end_at_once() {
    let plain = Serve::start(&["--pubsub-plain", "--channel", ORDER]);
    let tls = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let ca = fixture("tls/TEST-ONLY-ca.pem").display().to_string();
    let cases = [
        (
            format!("sfpubsub://{}{ORDER}", plain.endpoint),
            &plain,
            Some(ca.as_str()),
            "did not speak TLS",
            "sfpubsub+http://",
        ),
        (
            format!("sfpubsub+http://{}{ORDER}", tls.endpoint),
            &tls,
            None,
            "speaks TLS, not plain-text HTTP/2",
            "use sfpubsub://",
        ),
        (
            format!("sfpubsub://{}{ORDER}", tls.endpoint),
            &tls,
            None,
            "not trusted",
            "--pubsub-ca",
        ),
    ];
    for (k, (source, serve, ca, why, fix)) in cases.into_iter().enumerate() {
        let started = std::time::Instant::now();
        let mut cmd = sf_cmd(&sb);
        cmd.args(["record", "-j", &format!("m{k}.db"), &source])
            .args(["--sf-login-url", &serve.url, "--count", "1"])
            .args(["--connection-timeout", "60s"]);
        if let Some(ca) = ca {
            cmd.args(["--pubsub-ca", ca]);
        }
        let out = cmd.output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(4), "{source}: {err}");
        assert!(err.contains(why) && err.contains(fix), "{source}: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{source}: ended at once, not after retries ({:?}): {err}",
            started.elapsed()
        );
        assert!(!err.contains("retry:"), "{source}: not retried: {err}");
    }
}

/// `tail -o ndjson --replay all --count N` of one topic: the events' stored text.
fn tail_events(sb: &Sandbox, serve: &Serve, topic: &str, n: usize) -> Vec<Value> {
    let out = sf_cmd(sb)
        .args(["tail", &source(serve, topic)])
        .args(flags(serve))
        .args(["--replay", "all", "--count", &n.to_string(), "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone())
        .collect()
}

/// The emulator keeps each event's Avro bytes from its first delivery; once the topic learnt a
/// new field (a new schema), every event is delivered again with the new schema, not with
/// the bytes kept.
#[test]
fn pubsub_source_events_delivered_again_follow_the_topics_new_schema() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    serve.inject(&sb, ORDER, json!({"Sku__c": "S-1"}));
    serve.inject(&sb, ORDER, json!({"Sku__c": "S-2"}));
    let first = tail_events(&sb, &serve, ORDER, 2);
    let old = first[0]["pubsub"]["schemaId"].clone();
    assert_eq!(first[1]["pubsub"]["schemaId"], old);
    // Delivered again from what was kept: the same bytes.
    let again = tail_events(&sb, &serve, ORDER, 2);
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(a["pubsub"], b["pubsub"]);
    }
    serve.inject(&sb, ORDER, json!({"Sku__c": "S-3", "Qty__c": 3}));
    // The topic learns the field when the event is first delivered, after the older two.
    let learning = tail_events(&sb, &serve, ORDER, 3);
    assert_eq!(learning[0]["pubsub"], first[0]["pubsub"]);
    let new = learning[2]["pubsub"]["schemaId"].clone();
    assert_ne!(new, old, "a new field, a new schema");
    let all = tail_events(&sb, &serve, ORDER, 3);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e["pubsub"]["schemaId"], new, "{e}");
        let p = &e["data"]["payload"];
        assert_eq!(p["Sku__c"], format!("S-{}", i + 1), "{e}");
        assert!(p.as_object().unwrap().contains_key("Qty__c"), "{e}");
    }
    assert_eq!(all[2]["data"]["payload"]["Qty__c"].as_f64(), Some(3.0));
    assert_ne!(all[0]["pubsub"]["payload"], first[0]["pubsub"]["payload"]);
}

/// A recording from the Pub/Sub API is served back with what Salesforce sent, as it was sent:
/// the Avro bytes, schema id, event id and the event's headers (which feedctl's client keeps
/// in `pubsub.headers`).
#[test]
fn pubsub_source_recording_is_served_back_with_its_exact_bytes_and_headers() {
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    for i in 1..=2 {
        serve.inject(
            &sb,
            ORDER,
            json!({"Sku__c": format!("S-{i}"), "Amount__c": i}),
        );
    }
    let out = record(
        &sb,
        &serve,
        "exact.db",
        ORDER,
        &["--replay", "all", "--count", "2"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    drop(serve);
    // As an event with headers would have been recorded from Salesforce.
    let headers = json!([{"key": "trace", "value": "AQID"}, {"key": "", "value": ""}]);
    let db = rusqlite::Connection::open(sb.path().join("exact.db")).unwrap();
    let n = db
        .execute(
            "UPDATE events SET raw = json_set(raw, '$.pubsub.headers', json(?1))",
            [headers.to_string()],
        )
        .unwrap();
    assert_eq!(n, 2);
    let recorded: Vec<Value> = db
        .prepare("SELECT raw FROM events ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|t| serde_json::from_str(&t.unwrap()).unwrap())
        .collect();
    drop(db);
    let journal = sb.path().join("exact.db").display().to_string();
    let again = Serve::start(&["-j", &journal]);
    let served = tail_events(&sb, &again, ORDER, 2);
    assert_eq!(served.len(), 2);
    for (r, s) in recorded.iter().zip(&served) {
        assert_eq!(s["pubsub"], r["pubsub"], "served: {s}");
        assert_eq!(s["data"], r["data"], "served: {s}");
    }
}
