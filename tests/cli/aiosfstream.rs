//! The published aiosfstream-ng client (PyPI, in a venv made by .ci/run) against
//! `feedctl serve --salesforce`, as a user's consumer runs: ALL_EVENTS, stored markers in a
//! shelve, an expired marker with replay_fallback, a server restart, and a journal served back
//! with its original replay ids. Each asserts the exact events received.
//!
//! The interpreter comes from FEEDCTL_TEST_SFDC_PYTHON; without it these tests say so and do
//! nothing on a developer's machine, and fail under CI=true, where .ci/run installs the client.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::*;
use crate::salesforce::{sf_cmd, SfServer, CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME};

fn python() -> Option<String> {
    let p = std::env::var("FEEDCTL_TEST_SFDC_PYTHON")
        .ok()
        .filter(|p| !p.is_empty());
    if p.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "FEEDCTL_TEST_SFDC_PYTHON is not set under CI=true: .ci/run installs aiosfstream-ng and sets it"
        );
        eprintln!("FEEDCTL_TEST_SFDC_PYTHON is not set: the aiosfstream tests are skipped (.ci/run sets it)");
    }
    if let Some(py) = &p {
        let works = StdCommand::new(py)
            .args(["-c", "import aiosfstream_ng"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            works,
            "FEEDCTL_TEST_SFDC_PYTHON={py} cannot import aiosfstream_ng; run .ci/run"
        );
    }
    p
}

/// The consumer script, its messages arriving on a channel line by line.
struct Consumer {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Consumer {
    fn start(
        py: &str,
        sb: &Sandbox,
        url: &str,
        channel: &str,
        count: usize,
        mode: &[&str],
        no_timeout: bool,
    ) -> Self {
        let mut cmd = StdCommand::new(py);
        cmd.arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sfdc/consumer.py"))
            .args([url, channel, &count.to_string()])
            .args(mode)
            .env("SFDC_CLIENT_ID", CLIENT_ID)
            .env("SFDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("SFDC_USERNAME", USERNAME)
            .env("SFDC_PASSWORD", PASSWORD)
            .current_dir(sb.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if no_timeout {
            cmd.env("CONNECTION_TIMEOUT", "none");
        }
        let mut child = cmd.spawn().expect("start the aiosfstream consumer");
        let out: ChildStdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let c = Consumer { child, lines };
        let first = c.next().expect("the consumer subscribes");
        assert!(first.contains("subscribed"), "{first}");
        c
    }

    fn next(&self) -> Option<String> {
        self.lines.recv_timeout(Duration::from_secs(20)).ok()
    }

    /// (replayId, Name) of the next `n` messages.
    fn take(&self, n: usize) -> Vec<(i64, String)> {
        (0..n)
            .map(|i| {
                let l = self
                    .next()
                    .unwrap_or_else(|| panic!("message {} of {n} did not come", i + 1));
                let v: serde_json::Value = serde_json::from_str(&l).unwrap();
                (
                    v["data"]["event"]["replayId"].as_i64().unwrap(),
                    v["data"]["sobject"]["Name"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    }

    fn finish(mut self) {
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the consumer exits 0 after its messages");
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CH: &str = "/topic/Orders";

fn publish_named(srv: &SfServer, sb: &Sandbox, names: &[&str]) -> Vec<(i64, String)> {
    names
        .iter()
        .map(|n| (srv.publish(sb, CH, n), n.to_string()))
        .collect()
}

#[test]
fn aiosfstream_all_events_then_stored_markers_in_a_shelve() {
    let Some(py) = python() else { return };
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let first = publish_named(&srv, &sb, &["a", "b", "c"]);
    let c = Consumer::start(&py, &sb, &srv.url, CH, 3, &["all"], false);
    assert_eq!(
        c.take(3),
        first,
        "ALL_EVENTS: everything retained, in order"
    );
    c.finish();
    // DefaultMappingStorage(shelve, ALL_EVENTS): no marker yet, so everything; markers stored.
    let c = Consumer::start(
        &py,
        &sb,
        &srv.url,
        CH,
        3,
        &["default", "markers.shelve"],
        false,
    );
    assert_eq!(c.take(3), first);
    c.finish();
    let more = publish_named(&srv, &sb, &["d", "e"]);
    // The stored marker wins: only what came after it.
    let c = Consumer::start(
        &py,
        &sb,
        &srv.url,
        CH,
        2,
        &["shelve", "markers.shelve"],
        false,
    );
    assert_eq!(c.take(2), more, "resumed after the stored marker");
    c.finish();
}

#[test]
fn aiosfstream_expired_marker_falls_back_to_all_events() {
    let Some(py) = python() else { return };
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let old = publish_named(&srv, &sb, &["old1", "old2"]);
    srv.fault(&sb, "expire");
    let kept = publish_named(&srv, &sb, &["kept1", "kept2"]);
    let c = Consumer::start(
        &py,
        &sb,
        &srv.url,
        CH,
        2,
        &["expired", &old[0].0.to_string()],
        false,
    );
    assert_eq!(
        c.take(2),
        kept,
        "replay_fallback=ALL_EVENTS after the 400 replayId error"
    );
    c.finish();
}

/// Issue 32 item 2: the marker fell out of retention but newer events are still there (what
/// `replay_fallback` exists for): aiosfstream gets the invalid-replayId error and falls back to
/// ALL_EVENTS, receiving exactly the newer events.
#[test]
fn aiosfstream_marker_expired_while_newer_events_remain_gets_exactly_those() {
    let Some(py) = python() else { return };
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let old = publish_named(&srv, &sb, &["old1", "old2"]);
    let newer = publish_named(&srv, &sb, &["new1", "new2"]);
    srv.fault(&sb, &format!("expire:upto={}", old[1].0));
    let c = Consumer::start(
        &py,
        &sb,
        &srv.url,
        CH,
        2,
        &["expired", &old[0].0.to_string()],
        false,
    );
    assert_eq!(
        c.take(2),
        newer,
        "replay_fallback=ALL_EVENTS gets the events still retained, in order"
    );
    c.finish();
}

/// Issue 32 item 1: with `--state DIR` a restarted emulator is the same org: replay ids go on
/// increasing and the tokens it issued still work, so a consumer with stored markers (the normal
/// case) receives exactly what was published after the restart.
#[test]
fn aiosfstream_stored_marker_resumes_across_an_emulator_restart_with_state() {
    let Some(py) = python() else { return };
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let sb = Sandbox::new();
    let state = sb.path().join("org");
    let state = state.to_str().unwrap();
    let srv = SfServer::start(&listen, &["--channel", CH, "--state", state]);
    let before = publish_named(&srv, &sb, &["a", "b", "c"]);
    let c = Consumer::start(
        &py,
        &sb,
        &srv.url,
        CH,
        3,
        &["default", "markers.shelve"],
        false,
    );
    assert_eq!(c.take(3), before);
    c.finish();
    drop(srv);
    let srv = SfServer::start(&listen, &["--channel", CH, "--state", state]);
    let after = publish_named(&srv, &sb, &["d", "e"]);
    assert!(
        after[0].0 > before[2].0,
        "replay ids go on increasing across the restart: {before:?} then {after:?}"
    );
    let c = Consumer::start(
        &py,
        &sb,
        &srv.url,
        CH,
        2,
        &["shelve", "markers.shelve"],
        false,
    );
    assert_eq!(
        c.take(2),
        after,
        "exactly what came after the stored marker"
    );
    c.finish();
}

#[test]
fn aiosfstream_survives_a_server_restart() {
    let Some(py) = python() else { return };
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let srv = SfServer::start(&listen, &["--channel", CH]);
    let sb = Sandbox::new();
    let before = publish_named(&srv, &sb, &["before1", "before2"]);
    let c = Consumer::start(&py, &sb, &srv.url, CH, 4, &["all"], true);
    assert_eq!(c.take(2), before);
    drop(srv);
    std::thread::sleep(Duration::from_millis(1500));
    let srv = SfServer::start(&listen, &["--channel", CH]);
    // A fresh server knows no session: the client handshakes again and resubscribes (ALL_EVENTS).
    let after = publish_named(&srv, &sb, &["after1", "after2"]);
    assert_eq!(c.take(2), after, "the events of the restarted server");
    c.finish();
}

#[test]
fn aiosfstream_receives_a_recorded_journal_with_its_replay_ids() {
    let Some(py) = python() else { return };
    let live = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let recorded = publish_named(&live, &sb, &["r1", "r2", "r3"]);
    let out = sf_cmd(&sb)
        .args([
            "record",
            "-j",
            "sf.db",
            &live.source(CH),
            "--replay",
            "all",
            "--count",
            "3",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    drop(live);
    let journal = sb.path().join("sf.db");
    let served = SfServer::start("127.0.0.1:0", &["-j", journal.to_str().unwrap()]);
    let c = Consumer::start(&py, &sb, &served.url, CH, 3, &["all"], false);
    assert_eq!(c.take(3), recorded, "same replay ids, same events");
    c.finish();
}
