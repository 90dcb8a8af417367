//! feedctl's Salesforce client against an independent Bayeux server: npm's faye with a small
//! Salesforce-like extension (tests/faye/server.js: bearer check, replay ext and buffer,
//! Salesforce's error strings). Handshake, subscribe with replay, long-poll delivery, and a
//! re-handshake after the server forgot the client.
//!
//! faye's node_modules come from FEEDCTL_TEST_FAYE_MODULES (set by .ci/run); without it these
//! tests say so and do nothing on a developer's machine, and fail under CI=true.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::salesforce::{sf_cmd, CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME};

pub fn faye_modules() -> Option<String> {
    let m = std::env::var("FEEDCTL_TEST_FAYE_MODULES")
        .ok()
        .filter(|p| !p.is_empty());
    if m.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "FEEDCTL_TEST_FAYE_MODULES is not set under CI=true: .ci/run installs faye and sets it"
        );
        eprintln!(
            "FEEDCTL_TEST_FAYE_MODULES is not set: the faye tests are skipped (.ci/run sets it)"
        );
    }
    if let Some(dir) = &m {
        assert!(
            std::path::Path::new(dir).join("faye/package.json").exists(),
            "FEEDCTL_TEST_FAYE_MODULES={dir} has no faye; run .ci/run"
        );
    }
    m
}

pub struct Faye {
    child: Child,
    pub url: String,
}

impl Faye {
    fn start(modules: &str) -> Self {
        Self::start_with(modules, &[])
    }

    /// With more variables for server.js (`SFDC_JWT_PUBLIC_KEY`).
    pub fn start_with(modules: &str, env: &[(&str, &str)]) -> Self {
        let mut child = StdCommand::new("node")
            .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/faye/server.js"))
            .env("NODE_PATH", modules)
            .env("SFDC_CLIENT_ID", CLIENT_ID)
            .env("SFDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("SFDC_USERNAME", USERNAME)
            .env("SFDC_PASSWORD", PASSWORD)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (.ci/run installs nodejs)");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(
            first.starts_with("http://127.0.0.1:"),
            "faye server URL, got {first:?}"
        );
        Faye {
            child,
            url: first.trim().to_string(),
        }
    }

    pub fn post(&self, path: &str, body: &str) -> serde_json::Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let r = reqwest::Client::new()
                .post(format!("{}{path}", self.url))
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            r.json().await.unwrap()
        })
    }

    pub fn publish(&self, channel: &str, name: &str) -> i64 {
        self.post(
            "/test/publish",
            &format!("{{\"channel\":\"{channel}\",\"name\":\"{name}\"}}"),
        )["replayId"]
            .as_i64()
            .unwrap()
    }

    pub fn source(&self, channel: &str) -> String {
        format!(
            "sfdc+http://{}{channel}",
            self.url.trim_start_matches("http://")
        )
    }
}

impl Drop for Faye {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ids_of(stdout: &str) -> Vec<i64> {
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["data"]["event"]
                ["replayId"]
                .as_i64()
                .unwrap()
        })
        .collect()
}

#[test]
fn faye_handshake_subscribe_with_replay_and_long_poll_delivery() {
    let Some(modules) = faye_modules() else {
        return;
    };
    let faye = Faye::start(&modules);
    let sb = Sandbox::new();
    let ch = "/topic/Faye";
    let a = faye.publish(ch, "a");
    let b = faye.publish(ch, "b");
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &faye.source(ch),
            "--replay",
            "all",
            "--count",
            "2",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        ids_of(&stdout_of(&out)),
        vec![a, b],
        "ext.replay -2 honoured"
    );
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &faye.source(ch),
            "--replay",
            &a.to_string(),
            "--count",
            "1",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        ids_of(&stdout_of(&out)),
        vec![b],
        "after the given replay id (ids not contiguous)"
    );
    let out = sf_cmd(&sb)
        .args(["tail", &faye.source(ch), "--replay", "5", "--count", "1"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "an unknown replay id from another server is refused"
    );
    assert!(
        stderr_of(&out).contains("--replay-fallback"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn faye_forgotten_client_means_a_new_handshake_and_no_loss() {
    let Some(modules) = faye_modules() else {
        return;
    };
    let faye = Faye::start(&modules);
    let sb = Sandbox::new();
    let ch = "/topic/Faye";
    let err_path = sb.path().join("rec.err");
    let mut rec = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args([
            "record",
            "-j",
            "faye.db",
            &faye.source(ch),
            "--count",
            "3",
            "--duration",
            "30s",
        ])
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("SFDC_CLIENT_ID", CLIENT_ID)
        .env("SFDC_CLIENT_SECRET", CLIENT_SECRET)
        .env("SFDC_USERNAME", USERNAME)
        .env("SFDC_PASSWORD", PASSWORD)
        .current_dir(sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_to_string(&err_path)
        .unwrap_or_default()
        .contains("subscribed to")
    {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no subscribe announced"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut ids = vec![faye.publish(ch, "one")];
    std::thread::sleep(Duration::from_millis(500));
    faye.post("/test/drop", "{}");
    let start = Instant::now();
    while !std::fs::read_to_string(&err_path)
        .unwrap_or_default()
        .contains("dropped the session")
    {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no re-handshake announced"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    ids.push(faye.publish(ch, "two"));
    ids.push(faye.publish(ch, "three"));
    let status = rec.wait().unwrap();
    let err = std::fs::read_to_string(&err_path).unwrap();
    assert!(status.success(), "{err}");
    assert!(err.contains("403::Unknown client"), "{err}");
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "faye.db"])
        .output()
        .unwrap();
    let got: Vec<i64> = stdout_of(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["data"]["event"]
                ["replayId"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(got, ids);
}

/// Issue 29 item 1 against an independent server: after a fallback to -2, the client faye
/// forgot subscribes with -2 again (not --replay's default -1), so an event published before
/// it could is delivered.
#[test]
fn faye_fallback_to_all_is_kept_when_the_client_is_forgotten() {
    let Some(modules) = faye_modules() else {
        return;
    };
    let faye = Faye::start(&modules);
    let sb = Sandbox::new();
    let ch = "/topic/FayeFallback";
    let old = faye.publish(ch, "old");
    let out = sf_cmd(&sb)
        .args([
            "record",
            "-j",
            "fb.db",
            &faye.source(ch),
            "--replay",
            "all",
            "--count",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // The stored marker is no longer retained: the subscribe is refused, -2 is the fallback.
    faye.post("/test/expire", "{}");
    let err_path = sb.path().join("fb.err");
    let mut rec = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args([
            "record",
            "-j",
            "fb.db",
            &faye.source(ch),
            "--replay-fallback",
            "all",
            "--count",
            "1",
            "--duration",
            "12s",
        ])
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("SFDC_CLIENT_ID", CLIENT_ID)
        .env("SFDC_CLIENT_SECRET", CLIENT_SECRET)
        .env("SFDC_USERNAME", USERNAME)
        .env("SFDC_PASSWORD", PASSWORD)
        .current_dir(sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let log = || std::fs::read_to_string(&err_path).unwrap_or_default();
    let start = Instant::now();
    while !log().contains("everything retained (-2)") {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no fallback subscribe: {}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    // Forgotten, and an event published in the same tick: only a replay can bring it.
    let id = faye.post(
        "/test/drop",
        &format!("{{\"publish\":{{\"channel\":\"{ch}\",\"name\":\"meanwhile\"}}}}"),
    )["replayId"]
        .as_i64()
        .unwrap();
    let status = rec.wait().unwrap();
    let err = log();
    assert!(status.success(), "{err}");
    assert!(err.contains("403::Unknown client"), "{err}");
    assert_eq!(
        err.matches("everything retained (-2)").count(),
        2,
        "-2 again after the re-handshake: {err}"
    );
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "fb.db"])
        .output()
        .unwrap();
    let got: Vec<i64> = stdout_of(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["data"]["event"]
                ["replayId"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(got, vec![old, id], "{err}");
}

/// Issue 32: feedctl's client against the independent faye-based server, the scenario of the
/// emulator's `expire:upto`: the marker fell out of retention while newer events remain; with
/// `--replay-fallback all` exactly those newer events are stored, with their replay ids.
#[test]
fn faye_marker_expired_while_newer_events_remain_falls_back_to_exactly_those() {
    let Some(modules) = faye_modules() else {
        return;
    };
    let faye = Faye::start(&modules);
    let sb = Sandbox::new();
    let ch = "/topic/FayeUpto";
    let old: Vec<i64> = (0..2)
        .map(|i| faye.publish(ch, &format!("old{i}")))
        .collect();
    let record = |extra: &[&str]| {
        sf_cmd(&sb)
            .args(["record", "-j", "u.db", &faye.source(ch), "--count", "2"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = record(&["--replay", "all"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let newer: Vec<i64> = (0..2)
        .map(|i| faye.publish(ch, &format!("new{i}")))
        .collect();
    faye.post("/test/expire", &format!("{{\"upto\":{}}}", old[1]));
    let out = record(&[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    let out = record(&["--replay-fallback", "all"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let kept: Vec<i64> = crate::salesforce::journal_events(&sb, "u.db")
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(kept, [old, newer].concat());
}

/// Issue 32: feedctl's client against the faye-based server restarted as the same org (its
/// replay ids and retained events kept, as `serve --salesforce --state` keeps them): `record`
/// resumes from its stored marker and stores exactly what came after, with their ids.
#[test]
fn faye_stored_marker_resumes_across_a_restart_that_keeps_the_org() {
    let Some(modules) = faye_modules() else {
        return;
    };
    let sb = Sandbox::new();
    let port = free_port().to_string();
    let state = sb.path().join("faye-org.json");
    let env = [
        ("FAYE_PORT", port.as_str()),
        ("FAYE_STATE", state.to_str().unwrap()),
    ];
    let ch = "/topic/FayeRestart";
    let faye = Faye::start_with(&modules, &env);
    let first: Vec<i64> = (0..2).map(|i| faye.publish(ch, &format!("a{i}"))).collect();
    let record = |source: &str, extra: &[&str]| {
        sf_cmd(&sb)
            .args(["record", "-j", "r.db", source, "--count", "2"])
            .args(extra)
            .output()
            .unwrap()
    };
    let source = faye.source(ch);
    let out = record(&source, &["--replay", "all"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    drop(faye);
    let faye = Faye::start_with(&modules, &env);
    let second: Vec<i64> = (0..2).map(|i| faye.publish(ch, &format!("b{i}"))).collect();
    assert!(second[0] > first[1], "{first:?} {second:?}");
    let out = record(&source, &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let kept: Vec<i64> = crate::salesforce::journal_events(&sb, "r.db")
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(
        kept,
        [first, second].concat(),
        "exactly what came after the marker"
    );
}
