//! Salesforce sources through the real binary against `feedctl serve --salesforce` on loopback:
//! replay new/all/id, stored markers, resume after SIGKILL with nothing lost, expired markers
//! with and without fallback, dropped sessions, revoked tokens, a restarted server, two
//! channels in one recording, and the bad-input promises (exit codes, no secrets at -vvv).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "test-client-secret-Zq81";
pub const USERNAME: &str = "tester@example.invalid";
pub const PASSWORD: &str = "s3cret-PassWord+TOKEN";

/// An access token from the emulator at `base_url` by the username-password flow, as a user's
/// own client would get one (the Streaming and the Pub/Sub tests both use it).
pub fn password_token(base_url: &str) -> String {
    let (status, body) = crate::salesforce_logins::token_request(
        base_url,
        &[
            ("grant_type", "password"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("username", USERNAME),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// `feedctl serve --salesforce` as a process; killed on drop.
pub struct SfServer {
    child: Child,
    pub url: String,
}

impl SfServer {
    pub fn start(listen: &str, extra: &[&str]) -> Self {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
            .args([
                "serve",
                "--salesforce",
                "--listen",
                listen,
                "--poll-timeout",
                "1s",
            ])
            .args(extra)
            .env("NO_COLOR", "1")
            .env("SFDC_CLIENT_ID", CLIENT_ID)
            .env("SFDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("SFDC_USERNAME", USERNAME)
            .env("SFDC_PASSWORD", PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serve --salesforce");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("first line");
        assert!(
            first.starts_with("http://localhost:"),
            "base URL first, got {first:?}"
        );
        SfServer {
            child,
            url: first.trim().to_string(),
        }
    }

    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// The SOURCE for `channel` on this server.
    pub fn source(&self, channel: &str) -> String {
        format!("sfdc+http://localhost:{}{channel}", self.port())
    }

    /// Publishes an event through `feedctl inject --channel`; returns its replay id.
    pub fn publish(&self, sb: &Sandbox, channel: &str, name: &str) -> i64 {
        let out = sb
            .cmd()
            .args([
                "inject",
                "--server",
                &self.url,
                "--channel",
                channel,
                "-o",
                "json",
            ])
            .args(["--payload", &format!("{{\"Name\":\"{name}\"}}")])
            .output()
            .unwrap();
        assert!(out.status.success(), "inject: {}", stderr_of(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["replayIds"][0].as_i64().unwrap()
    }

    /// POSTs to the emulator's loopback admin endpoint (faults the CLI does not name).
    pub fn admin(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let r = reqwest::Client::new()
                .post(format!("{}{path}", self.url))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json().await.unwrap()
        })
    }

    /// An access token of this server, as `SFDC_ACCESS_TOKEN` would hold it.
    fn token(&self) -> String {
        password_token(&self.url)
    }

    /// The server answers 503 to token and Bayeux requests (`true`) or again normally.
    fn set_unavailable(&self, on: bool) {
        let fault = if on { "unavailable" } else { "available" };
        self.admin(
            "/feedctl/v1/salesforce/faults",
            serde_json::json!({ "fault": fault }),
        );
    }

    pub fn fault(&self, sb: &Sandbox, fault: &str) {
        let out = sb
            .cmd()
            .args(["inject", "--server", &self.url, "--sfdc-fault", fault])
            .output()
            .unwrap();
        assert!(out.status.success(), "fault: {}", stderr_of(&out));
    }
}

impl Drop for SfServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `feedctl` with the test credentials in its environment.
pub fn sf_cmd(sb: &Sandbox) -> assert_cmd::Command {
    let mut c = sb.cmd();
    c.env("SFDC_CLIENT_ID", CLIENT_ID)
        .env("SFDC_CLIENT_SECRET", CLIENT_SECRET)
        .env("SFDC_USERNAME", USERNAME)
        .env("SFDC_PASSWORD", PASSWORD)
        .env_remove("SFDC_ACCESS_TOKEN")
        .env_remove("SFDC_REFRESH_TOKEN");
    c.timeout(Duration::from_secs(40));
    c
}

/// `feedctl ARGS` in the background with the credentials, stderr into `log`.
fn spawn_sf(sb: &Sandbox, args: &[&str], log: &str) -> Background {
    spawn_sf_env(sb, args, log, &[])
}

/// As `spawn_sf`, with more variables (`SFDC_ACCESS_TOKEN`...).
pub(crate) fn spawn_sf_env(
    sb: &Sandbox,
    args: &[&str],
    log: &str,
    env: &[(&str, &str)],
) -> Background {
    let err = std::fs::File::create(sb.path().join(log)).unwrap();
    let mut c = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"));
    c.args(args)
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("SFDC_CLIENT_ID", CLIENT_ID)
        .env("SFDC_CLIENT_SECRET", CLIENT_SECRET)
        .env("SFDC_USERNAME", USERNAME)
        .env("SFDC_PASSWORD", PASSWORD)
        .env_remove("SFDC_ACCESS_TOKEN")
        .env_remove("SFDC_REFRESH_TOKEN");
    for (k, v) in env {
        c.env(k, v);
    }
    Background::new(
        c.current_dir(sb.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .unwrap(),
    )
}

/// The number of gaps `journal info` counts.
pub(crate) fn gaps(sb: &Sandbox, journal: &str) -> i64 {
    journal_info(sb, journal)["gaps"].as_i64().unwrap()
}

/// Waits for a background command to end (at most `limit`).
pub fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn read_log(sb: &Sandbox, log: &str) -> String {
    std::fs::read_to_string(sb.path().join(log)).unwrap_or_default()
}

/// Replay ids of the NDJSON messages on stdout.
pub fn replay_ids(stdout: &str) -> Vec<i64> {
    stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            let id = v["event"]["data"]["event"]["replayId"]
                .as_i64()
                .expect("replayId");
            // The envelope names the source, the channel and the replay id.
            assert_eq!(v["source"], "salesforce", "{l}");
            assert_eq!(v["partition"], v["event"]["channel"], "{l}");
            assert_eq!(v["eventId"], id.to_string(), "{l}");
            id
        })
        .collect()
}

/// (channel, replay id) of every event of a journal, in order.
pub fn journal_events(sb: &Sandbox, journal: &str) -> Vec<(String, i64)> {
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
            (
                v["event"]["channel"].as_str().unwrap().to_string(),
                v["event"]["data"]["event"]["replayId"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The markers of the journal's recording `name`, per channel.
pub fn markers(sb: &Sandbox, journal: &str, name: &str) -> Vec<(String, serde_json::Value)> {
    let j = feedctl::journal::Journal::open_read(&sb.path().join(journal)).unwrap();
    let rec = j
        .recordings()
        .unwrap()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap();
    j.markers(rec.id)
        .unwrap()
        .into_iter()
        .map(|m| (m.partition, serde_json::from_str(&m.cursor).unwrap()))
        .collect()
}

pub fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub const CH: &str = "/topic/AccountUpdates";

#[test]
fn salesforce_tail_replays_new_all_and_from_an_id() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let ids: Vec<i64> = (0..3)
        .map(|i| srv.publish(&sb, CH, &format!("Acme {i}")))
        .collect();
    let src = srv.source(CH);
    let out = sf_cmd(&sb)
        .args([
            "tail", &src, "--replay", "all", "--count", "3", "-o", "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        replay_ids(&stdout_of(&out)),
        ids,
        "--replay all: everything retained"
    );
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &src,
            "--replay",
            &ids[0].to_string(),
            "--count",
            "2",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        replay_ids(&stdout_of(&out)),
        ids[1..].to_vec(),
        "--replay ID: after it"
    );
    // --replay new (the default) sees only what is published after it subscribed.
    let tail = spawn_sf(
        &sb,
        &[
            "tail",
            &src,
            "--count",
            "1",
            "-o",
            "ndjson",
            "--duration",
            "20s",
        ],
        "new.err",
    );
    wait_until("the subscribe", Duration::from_secs(15), || {
        read_log(&sb, "new.err").contains("subscribed to /topic/AccountUpdates: new events only")
    });
    let fresh = srv.publish(&sb, CH, "Fresh");
    let out = tail.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", read_log(&sb, "new.err"));
    // Its output went to /dev/null: check through a pretty tail instead.
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &src,
            "--replay",
            &ids[2].to_string(),
            "--count",
            "1",
            "-o",
            "table",
        ])
        .output()
        .unwrap();
    let line = stdout_of(&out);
    assert!(
        line.contains(CH)
            && line.contains("created")
            && line.contains(&format!("#{fresh}"))
            && line.contains("Name=Fresh"),
        "a readable line: channel, type, replayId, fields: {line}"
    );
}

#[test]
fn salesforce_record_keeps_exact_json_and_resumes_from_its_marker() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let first: Vec<i64> = (0..4)
        .map(|i| srv.publish(&sb, CH, &format!("A{i}")))
        .collect();
    let src = srv.source(CH);
    let out = sf_cmd(&sb)
        .args([
            "record", "-j", "sf.db", &src, "--replay", "all", "--count", "4",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let m = markers(&sb, "sf.db", "default");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].0, CH, "one partition per channel");
    assert_eq!(m[0].1["replayId"], first[3], "marker = last replayId");
    assert!(
        m[0].1["createdDate"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z')),
        "{:?}",
        m[0].1
    );
    let more: Vec<i64> = (0..2)
        .map(|i| srv.publish(&sb, CH, &format!("B{i}")))
        .collect();
    // The same command resumes after the marker (not --replay all again).
    let out = sf_cmd(&sb)
        .args([
            "record", "-j", "sf.db", &src, "--replay", "all", "--count", "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("after chunk 1 on /topic/AccountUpdates from"),
        "{}",
        stderr_of(&out)
    );
    let got: Vec<i64> = journal_events(&sb, "sf.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(
        got,
        [first.clone(), more].concat(),
        "every event once, in order"
    );
    // Exact bytes: the stored event is the message as the server sent it.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "sf.db"])
        .output()
        .unwrap();
    let line = stdout_of(&out).lines().next().unwrap().to_string();
    assert!(
        line.contains(r#""event":{"data":{"event":{"createdDate":"#),
        "{line}"
    );
    // Indexed: type and channel.
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "sf.db", "-o", "json"])
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["recordings"][0]["sourceKind"], "salesforce");
    assert!(!info.to_string().contains(PASSWORD));
}

#[test]
fn salesforce_record_resumes_after_sigkill_with_nothing_lost() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH, "--batch-size", "3"]);
    let sb = Sandbox::new();
    let src = srv.source(CH);
    let mut published = Vec::new();
    for round in 0..3 {
        let mut rec = spawn_sf(
            &sb,
            &[
                "record",
                "-j",
                "kill.db",
                &src,
                "--replay",
                "all",
                "--max-pending",
                "2",
            ],
            "kill.err",
        );
        for i in 0..12 {
            published.push(srv.publish(&sb, CH, &format!("r{round}e{i}")));
            if i % 4 == 0 {
                std::thread::sleep(Duration::from_millis(60));
            }
        }
        std::thread::sleep(Duration::from_millis(150 * (round + 1)));
        let _ = rec.kill(); // SIGKILL, wherever it is
        let _ = rec.wait();
    }
    // A last run picks up whatever the killed ones had not committed.
    let stored_now = journal_events(&sb, "kill.db").len();
    let remaining = published.len().saturating_sub(stored_now);
    if remaining > 0 {
        let out = sf_cmd(&sb)
            .args([
                "record",
                "-j",
                "kill.db",
                &src,
                "--count",
                &remaining.to_string(),
                "--duration",
                "20s",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let got: Vec<i64> = journal_events(&sb, "kill.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let unique: BTreeSet<i64> = got.iter().copied().collect();
    assert_eq!(
        unique,
        published.iter().copied().collect(),
        "0 lost across 3 SIGKILLs"
    );
    assert_eq!(
        got.len(),
        unique.len(),
        "the marker is committed with its chunk: nothing twice"
    );
    let m = markers(&sb, "kill.db", "default");
    assert_eq!(m[0].1["replayId"], *published.last().unwrap());
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "kill.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout_of(&out));
}

#[test]
fn salesforce_expired_marker_stops_without_fallback_and_records_a_gap_with_it() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let src = srv.source(CH);
    let old = srv.publish(&sb, CH, "old");
    let out = sf_cmd(&sb)
        .args([
            "record", "-j", "gap.db", &src, "--replay", "all", "--count", "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    srv.fault(&sb, "expire");
    let kept = srv.publish(&sb, CH, "after expiry");
    let out = sf_cmd(&sb)
        .args(["record", "-j", "gap.db", &src, "--count", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "400::The replayId {{{old}}} you provided was invalid."
        )) && err.contains("--replay-fallback all"),
        "names the fix: {err}"
    );
    let out = sf_cmd(&sb)
        .args([
            "record",
            "-j",
            "gap.db",
            &src,
            "--count",
            "1",
            "--replay-fallback",
            "all",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("gap is recorded"),
        "{}",
        stderr_of(&out)
    );
    let ids: Vec<i64> = journal_events(&sb, "gap.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(ids, vec![old, kept], "fell back to everything retained");
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "gap.db", "-o", "json"])
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["gaps"], 1, "{info}");
    // Replay ids tell no count of what expired: the loss is unknown, not 0.
    assert!(info["gapList"][0]["lost"].is_null(), "{info}");
    let part = &info["partitions"][0];
    assert_eq!(
        (&part["lost"], &part["lostUnknown"]),
        (&0.into(), &1.into()),
        "{info}"
    );
    // --replay-fallback new: only what comes after.
    srv.fault(&sb, "expire");
    let tail = spawn_sf(
        &sb,
        &[
            "record",
            "-j",
            "gap.db",
            &src,
            "--count",
            "1",
            "--replay-fallback",
            "new",
            "--duration",
            "20s",
        ],
        "new.err",
    );
    wait_until("the fallback subscribe", Duration::from_secs(15), || {
        read_log(&sb, "new.err").contains("subscribed to /topic/AccountUpdates: new events only")
    });
    std::thread::sleep(Duration::from_millis(300));
    let newer = srv.publish(&sb, CH, "newest");
    let out = tail.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", read_log(&sb, "new.err"));
    let ids: Vec<i64> = journal_events(&sb, "gap.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(ids, vec![old, kept, newer]);
}

#[test]
fn salesforce_dropped_session_and_revoked_token_are_recovered_without_loss() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let src = srv.source(CH);
    let rec = spawn_sf(
        &sb,
        &[
            "record",
            "-j",
            "drop.db",
            &src,
            "--count",
            "6",
            "--duration",
            "30s",
        ],
        "drop.err",
    );
    wait_until("the subscribe", Duration::from_secs(15), || {
        read_log(&sb, "drop.err").contains("subscribed to")
    });
    let mut ids = vec![srv.publish(&sb, CH, "one"), srv.publish(&sb, CH, "two")];
    wait_until("2 stored", Duration::from_secs(10), || {
        sb.path().join("drop.db").exists() && markers(&sb, "drop.db", "default").len() == 1
    });
    srv.fault(&sb, "drop-sessions");
    ids.push(srv.publish(&sb, CH, "three"));
    ids.push(srv.publish(&sb, CH, "four"));
    wait_until("re-handshake", Duration::from_secs(10), || {
        read_log(&sb, "drop.err").contains("dropped the session")
    });
    srv.fault(&sb, "revoke-tokens");
    ids.push(srv.publish(&sb, CH, "five"));
    ids.push(srv.publish(&sb, CH, "six"));
    let out = rec.wait_with_output().unwrap();
    let err = read_log(&sb, "drop.err");
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("403::Unknown client") && err.contains("resubscribing from the markers"),
        "{err}"
    );
    assert!(
        err.contains("401::Authentication invalid") && err.contains("logging in again"),
        "{err}"
    );
    let got: Vec<i64> = journal_events(&sb, "drop.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(got, ids, "nothing lost, nothing twice");
    assert!(
        !err.contains(PASSWORD) && !err.contains("00DFEEDCTL"),
        "no secrets: {err}"
    );
}

#[test]
fn salesforce_wrong_credentials_and_a_locked_user_exit_3_with_the_reason() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let src = srv.source(CH);
    let out = sf_cmd(&sb)
        .env("SFDC_PASSWORD", "wrong")
        .args(["tail", &src, "-vvv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("invalid_grant"),
        "{}",
        stderr_of(&out)
    );
    // Token revoked and the user locked: the fresh login fails too.
    let rec = spawn_sf(&sb, &["record", "-j", "lock.db", &src, "-vvv"], "lock.err");
    wait_until("the subscribe", Duration::from_secs(15), || {
        read_log(&sb, "lock.err").contains("subscribed to")
    });
    srv.fault(&sb, "lock-logins");
    srv.fault(&sb, "revoke-tokens");
    let mut rec = rec;
    let start = Instant::now();
    let status = loop {
        if let Some(s) = rec.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "record should stop with exit 3"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let err = read_log(&sb, "lock.err");
    assert_eq!(status.code(), Some(3), "{err}");
    assert!(err.contains("invalid_grant"), "{err}");
    for secret in [PASSWORD, CLIENT_SECRET, "00DFEEDCTL"] {
        assert!(!err.contains(secret), "`{secret}` printed at -vvv: {err}");
    }
}

#[test]
fn salesforce_bad_sources_unknown_channels_and_garbage_answers() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let out = sf_cmd(&sb)
        .args(["tail", "sfdc+http://example.com/topic/X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("loopback"), "{}", stderr_of(&out));
    let out = sf_cmd(&sb)
        .args(["tail", "sfdc://login.salesforce.com/topics/X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("channel `/topics/X`"),
        "{}",
        stderr_of(&out)
    );
    let out = sf_cmd(&sb)
        .args(["tail", "sfdc://login.salesforce.com:99999/topic/X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("port"), "{}", stderr_of(&out));
    let out = sf_cmd(&sb)
        .env_remove("SFDC_PASSWORD")
        .args(["tail", &srv.source(CH)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("SFDC_PASSWORD"),
        "{}",
        stderr_of(&out)
    );
    let out = sf_cmd(&sb)
        .args(["tail", &srv.source("/topic/Nope")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr_of(&out).contains("/topic/Nope"),
        "{}",
        stderr_of(&out)
    );
    // Nobody listening: retries announced, then exit 4 once --connection-timeout is used up.
    let port = free_port();
    let started = Instant::now();
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &format!("sfdc+http://127.0.0.1:{port}/topic/X"),
            "--connection-timeout",
            "1s",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "gave up on time"
    );
    let err = stderr_of(&out);
    assert!(
        err.contains("retrying in") && err.contains("--connection-timeout 1s"),
        "{err}"
    );
    // Garbage: retries announced, then events.
    srv.fault(&sb, "garbage");
    let id = srv.publish(&sb, CH, "after garbage");
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &srv.source(CH),
            "--replay",
            "all",
            "--count",
            "1",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("not a Bayeux reply") && stderr_of(&out).contains("retrying in"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(replay_ids(&stdout_of(&out)), vec![id]);
}

#[test]
fn salesforce_two_channels_in_one_recording_survive_a_server_restart() {
    let srv = SfServer::start(
        "127.0.0.1:0",
        &["--channel", CH, "--channel", "/event/Order__e"],
    );
    let port = srv.port();
    let sb = Sandbox::new();
    let a = srv.publish(&sb, CH, "acct");
    let o = srv.publish(&sb, "/event/Order__e", "order");
    let out = sf_cmd(&sb)
        .args([
            "record",
            "-j",
            "two.db",
            &srv.source(CH),
            &srv.source("/event/Order__e"),
            "--replay",
            "all",
            "--count",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let m = markers(&sb, "two.db", "default");
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().any(|(p, c)| p == CH && c["replayId"] == a));
    assert!(m
        .iter()
        .any(|(p, c)| p == "/event/Order__e" && c["replayId"] == o));
    // The server goes away while record runs and comes back (empty) on the same port.
    let sources = [srv.source(CH), srv.source("/event/Order__e")];
    let rec = spawn_sf(
        &sb,
        &[
            "record",
            "-j",
            "two.db",
            &sources[0],
            &sources[1],
            "--replay-fallback",
            "all",
            "--count",
            "2",
            "--duration",
            "30s",
        ],
        "restart.err",
    );
    wait_until("both subscribes", Duration::from_secs(15), || {
        read_log(&sb, "restart.err")
            .matches("subscribed to")
            .count()
            == 2
    });
    drop(srv);
    wait_until("a retry", Duration::from_secs(10), || {
        read_log(&sb, "restart.err").contains("retrying in")
    });
    let srv = SfServer::start(
        &format!("127.0.0.1:{port}"),
        &["--channel", CH, "--channel", "/event/Order__e"],
    );
    wait_until("resubscribed", Duration::from_secs(20), || {
        read_log(&sb, "restart.err").contains("gap is recorded")
    });
    std::thread::sleep(Duration::from_millis(500));
    srv.publish(&sb, CH, "after restart");
    srv.publish(&sb, "/event/Order__e", "after restart");
    let out = rec.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", read_log(&sb, "restart.err"));
    let events = journal_events(&sb, "two.db");
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events
            .iter()
            .filter(|(c, _)| c == "/event/Order__e")
            .count(),
        2
    );
}

#[test]
fn salesforce_logs_in_with_a_refresh_token_or_uses_a_given_access_token() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let id = srv.publish(&sb, CH, "refreshed");
    // The serve process has no SFDC_REFRESH_TOKEN: it accepts its documented demo one.
    let out = sf_cmd(&sb)
        .env_remove("SFDC_USERNAME")
        .env_remove("SFDC_PASSWORD")
        .env("SFDC_REFRESH_TOKEN", "feedctl-demo-refresh")
        .args([
            "tail",
            &srv.source(CH),
            "--replay",
            "all",
            "--count",
            "1",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(replay_ids(&stdout_of(&out)), vec![id]);
    // A given token that the server does not know: exit 3, nothing to log in with.
    let out = sf_cmd(&sb)
        .env_remove("SFDC_USERNAME")
        .env_remove("SFDC_PASSWORD")
        .env_remove("SFDC_CLIENT_ID")
        .env_remove("SFDC_CLIENT_SECRET")
        .env("SFDC_ACCESS_TOKEN", "00Dnot-a-real-token")
        .env("SFDC_INSTANCE_URL", &srv.url)
        .args(["tail", &srv.source(CH)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("SFDC_ACCESS_TOKEN"),
        "{}",
        stderr_of(&out)
    );
    assert!(!stderr_of(&out).contains("00Dnot-a-real-token"));
}

/// `--exit-at-end` on a Salesforce SOURCE: everything retained is read, then the first connect
/// that brings nothing ends tail and record with exit 0; a resumed record adds nothing.
#[test]
fn salesforce_exit_at_end_reads_the_backlog_then_stops() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let ids: Vec<i64> = (0..3)
        .map(|i| srv.publish(&sb, CH, &format!("Acme {i}")))
        .collect();
    let src = srv.source(CH);
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &src,
            "--replay",
            "all",
            "--exit-at-end",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(replay_ids(&stdout_of(&out)), ids);
    // The second run resumes from the first one's marker: nothing new, nothing added.
    for (run, from) in [(1, &["--replay", "all"][..]), (2, &[][..])] {
        let out = sf_cmd(&sb)
            .args(["record", &src, "-j", "x.db", "--name", "x", "--exit-at-end"])
            .args(from)
            .output()
            .unwrap();
        assert!(out.status.success(), "run {run}: {}", stderr_of(&out));
        let kept: Vec<i64> = journal_events(&sb, "x.db")
            .into_iter()
            .map(|e| e.1)
            .collect();
        assert_eq!(kept, ids, "run {run}");
    }
}

/// Issue 32 item 1: feedctl's own client across emulator restarts. With `--state` the org is
/// the same (ids go on, retained events stay): `record` resumes from its marker and stores
/// exactly the new events. Without it a restart is a new org whose ids start far above the
/// old ones: the stored marker gets Salesforce's invalid-replayId error at once (exit 4),
/// never a silent wait for "events after 2".
#[test]
fn salesforce_record_resumes_across_emulator_restarts_with_state_and_is_told_without() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let sb = Sandbox::new();
    let state = sb.path().join("org");
    let state = state.to_str().unwrap();
    let record = |extra: &[&str]| {
        sf_cmd(&sb)
            .args([
                "record",
                &format!("sfdc+http://localhost:{port}{CH}"),
                "-j",
                "r.db",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let srv = SfServer::start(&listen, &["--channel", CH, "--state", state]);
    let first: Vec<i64> = (0..2)
        .map(|i| srv.publish(&sb, CH, &format!("a{i}")))
        .collect();
    let out = record(&["--replay", "all", "--count", "2"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    drop(srv);
    let srv = SfServer::start(&listen, &["--channel", CH, "--state", state]);
    let second: Vec<i64> = (0..2)
        .map(|i| srv.publish(&sb, CH, &format!("b{i}")))
        .collect();
    assert_eq!(
        second[0],
        first[1] + 1,
        "the sequence goes on: {first:?} {second:?}"
    );
    let out = record(&["--count", "2"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let kept: Vec<i64> = journal_events(&sb, "r.db")
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(kept, [first.clone(), second.clone()].concat());
    assert_eq!(gaps(&sb, "r.db"), 0);
    drop(srv);

    // Without --state: a new org.
    let srv = SfServer::start(&listen, &["--channel", CH]);
    let third = srv.publish(&sb, CH, "c0");
    assert!(
        third > second[1],
        "a new org's ids are above the old ones: {third}"
    );
    let started = std::time::Instant::now();
    let out = record(&["--count", "1"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        stderr_of(&out).contains(&format!(
            "400::The replayId {{{}}} you provided was invalid",
            second[1]
        )),
        "{}",
        stderr_of(&out)
    );
}

/// Issue 32 item 2: `expire:upto=ID` takes a recording's marker out of retention while newer
/// events stay: without a fallback record stops (exit 4); with `--replay-fallback all` it
/// stores exactly the newer events, and a gap.
#[test]
fn salesforce_marker_expired_while_newer_events_remain_falls_back_to_exactly_those() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let old: Vec<i64> = (0..2)
        .map(|i| srv.publish(&sb, CH, &format!("old{i}")))
        .collect();
    let src = srv.source(CH);
    let out = sf_cmd(&sb)
        .args([
            "record", &src, "-j", "x.db", "--name", "x", "--replay", "all", "--count", "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let newer: Vec<i64> = (0..2)
        .map(|i| srv.publish(&sb, CH, &format!("new{i}")))
        .collect();
    srv.fault(&sb, &format!("expire:upto={}", old[1]));
    let out = sf_cmd(&sb)
        .args(["record", &src, "-j", "x.db", "--name", "x", "--count", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    let out = sf_cmd(&sb)
        .args(["record", &src, "-j", "x.db", "--name", "x", "--count", "2"])
        .args(["--replay-fallback", "all"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let kept: Vec<i64> = journal_events(&sb, "x.db")
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(
        kept,
        [old.clone(), newer.clone()].concat(),
        "nothing newer lost, nothing twice"
    );
    assert_eq!(gaps(&sb, "x.db"), 1);
}

/// Issue 29 item 1: after a fallback to -2, a dropped session (while the server is briefly
/// unavailable and an event is published) re-subscribes with -2 again, so the event is stored;
/// after a fallback to -1, re-subscribing with -1 records a gap where events can be skipped.
#[test]
fn salesforce_fallback_survives_a_rehandshake_and_a_new_resubscribe_records_a_gap() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let src = srv.source(CH);
    let first = srv.publish(&sb, CH, "old");
    let out = sf_cmd(&sb)
        .args([
            "record", "-j", "fb.db", &src, "--replay", "all", "--count", "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    srv.fault(&sb, "expire");
    // The server loses the session while it is unavailable; an event comes meanwhile.
    let lose_session_and_publish = |log: &str, name: &str| -> i64 {
        std::thread::sleep(Duration::from_millis(300));
        srv.set_unavailable(true);
        srv.fault(&sb, "drop-sessions");
        // A 503 on the re-handshake (or on the next connect, when that came first).
        wait_until("a 503", Duration::from_secs(10), || {
            read_log(&sb, log).contains("503")
        });
        let id = srv.publish(&sb, CH, name);
        srv.set_unavailable(false);
        id
    };
    let mut rec = spawn_sf(
        &sb,
        &[
            "record",
            "-j",
            "fb.db",
            &src,
            "--replay-fallback",
            "all",
            "--count",
            "1",
            "--duration",
            "15s",
        ],
        "all.err",
    );
    wait_until("the fallback subscribe", Duration::from_secs(15), || {
        read_log(&sb, "all.err").contains("subscribed to /topic/AccountUpdates: everything")
    });
    let meanwhile = lose_session_and_publish("all.err", "meanwhile");
    let status = wait_exit(&mut rec, Duration::from_secs(20));
    let err = read_log(&sb, "all.err");
    assert!(status.success(), "{err}");
    assert_eq!(
        err.matches("subscribed to /topic/AccountUpdates: everything retained (-2)")
            .count(),
        2,
        "-2 again after the re-handshake: {err}"
    );
    let ids: Vec<i64> = journal_events(&sb, "fb.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(
        ids,
        vec![first, meanwhile],
        "the event published while the session was down is stored: {err}"
    );
    assert_eq!(gaps(&sb, "fb.db"), 1, "one gap: the fallback");
    // --replay-fallback new: the re-subscribe with -1 may skip events: a gap says so.
    srv.fault(&sb, "expire");
    let mut rec = spawn_sf(
        &sb,
        &[
            "record",
            "-j",
            "fb.db",
            &src,
            "--replay-fallback",
            "new",
            "--count",
            "1",
            "--duration",
            "15s",
        ],
        "new.err",
    );
    wait_until("the fallback subscribe", Duration::from_secs(15), || {
        read_log(&sb, "new.err").contains("subscribed to /topic/AccountUpdates: new events only")
    });
    lose_session_and_publish("new.err", "skipped");
    wait_until("the resubscribe", Duration::from_secs(15), || {
        read_log(&sb, "new.err").contains("subscribed again with new events only")
    });
    std::thread::sleep(Duration::from_millis(300));
    let last = srv.publish(&sb, CH, "after");
    let status = wait_exit(&mut rec, Duration::from_secs(20));
    let err = read_log(&sb, "new.err");
    assert!(status.success(), "{err}");
    let ids: Vec<i64> = journal_events(&sb, "fb.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(ids, vec![first, meanwhile, last], "{err}");
    assert_eq!(
        gaps(&sb, "fb.db"),
        3,
        "the fallback to new and the re-subscribe with -1 each record a gap: {err}"
    );
}

/// Issue 29 item 2: a given access token that is refused (unknown at start, or revoked while
/// running) is replaced by logging in with the refresh token or the password, in that order;
/// exit 3 only when nothing can log in.
#[test]
fn salesforce_a_refused_given_token_is_renewed_with_what_else_is_there() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let src = srv.source(CH);
    let id = srv.publish(&sb, CH, "one");
    let tail = |refresh: &str, password: bool| {
        let mut c = sf_cmd(&sb);
        c.env("SFDC_ACCESS_TOKEN", "00Dexpired-token-Xy")
            .env("SFDC_INSTANCE_URL", &srv.url)
            .env("SFDC_REFRESH_TOKEN", refresh);
        if !password {
            c.env_remove("SFDC_USERNAME").env_remove("SFDC_PASSWORD");
        }
        c.args([
            "tail", &src, "--replay", "all", "--count", "1", "-o", "ndjson",
        ])
        .output()
        .unwrap()
    };
    // The refresh token (the serve process has none: its documented demo one).
    let out = tail("feedctl-demo-refresh", false);
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(replay_ids(&stdout_of(&out)), vec![id]);
    assert!(err.contains("logging in again"), "{err}");
    // A refresh token the server refuses, then the password.
    let out = tail("not-the-refresh-token", true);
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("invalid_grant") && err.contains(&format!("logging in as {USERNAME}")),
        "{err}"
    );
    // Nothing that logs in: exit 3, naming what to check.
    let out = tail("not-the-refresh-token", false);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("invalid_grant") && err.contains("SFDC_REFRESH_TOKEN"),
        "{err}"
    );
    for secret in [
        "00Dexpired-token-Xy",
        "not-the-refresh-token",
        "feedctl-demo-refresh",
    ] {
        assert!(!err.contains(secret), "`{secret}` printed: {err}");
    }
    // A good given token revoked while record runs: the password logs in again, nothing lost.
    let token = srv.token();
    let mut rec = spawn_sf_env(
        &sb,
        &[
            "record",
            "-j",
            "tok.db",
            &src,
            "--count",
            "2",
            "--duration",
            "20s",
        ],
        "tok.err",
        &[
            ("SFDC_ACCESS_TOKEN", token.as_str()),
            ("SFDC_INSTANCE_URL", srv.url.as_str()),
        ],
    );
    wait_until("the subscribe", Duration::from_secs(15), || {
        read_log(&sb, "tok.err").contains("subscribed to")
    });
    std::thread::sleep(Duration::from_millis(300));
    let a = srv.publish(&sb, CH, "before revoke");
    wait_until("1 stored", Duration::from_secs(10), || {
        sb.path().join("tok.db").exists() && markers(&sb, "tok.db", "default").len() == 1
    });
    srv.fault(&sb, "revoke-tokens");
    wait_until("the next poll is refused", Duration::from_secs(10), || {
        read_log(&sb, "tok.err").contains("logging in again")
    });
    let b = srv.publish(&sb, CH, "after revoke");
    let status = wait_exit(&mut rec, Duration::from_secs(25));
    let err = read_log(&sb, "tok.err");
    assert!(status.success(), "{err}");
    assert!(
        err.contains("401::Authentication invalid") && err.contains("logging in again"),
        "{err}"
    );
    let ids: Vec<i64> = journal_events(&sb, "tok.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(ids, vec![a, b]);
    assert!(!err.contains(&token) && !err.contains(PASSWORD), "{err}");
}

/// Issue 29 item 3: a CDC event's time is `ChangeEventHeader.commitTimestamp`, not the record's
/// `CreatedDate`: an UNDELETE of an old record moves the marker, and a resume stores nothing
/// again.
/// Issue 32 item 3: a change event as Salesforce sends it: the changeType from Salesforce's
/// values (CREATE without --type, never `CREATED`), the header filled as documented, and the
/// event also delivered on /data/ChangeEvents under that channel's replay id.
#[test]
fn salesforce_change_events_are_shaped_and_fanned_out_as_salesforce_sends_them() {
    let cdc = "/data/AccountChangeEvent";
    let all = "/data/ChangeEvents";
    let srv = SfServer::start(
        "127.0.0.1:0",
        &["--channel", cdc, "--channel", all, "--first-replay-id", "1"],
    );
    let sb = Sandbox::new();
    let inject = |extra: &[&str]| {
        sb.cmd()
            .args(["inject", "--server", &srv.url, "--channel", cdc])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = inject(&["--payload", r#"{"Name":"Acme"}"#]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = inject(&[
        "--payload",
        r#"{"Name":"Acme 2","Phone":null}"#,
        "--type",
        "update",
    ]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    // PushTopic's values are not a change type: refused, naming Salesforce's.
    let out = inject(&["--type", "created"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("GAP_OVERFLOW"),
        "{}",
        stderr_of(&out)
    );
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &srv.source(cdc),
            &srv.source(all),
            "--replay",
            "all",
        ])
        .args(["--exit-at-end", "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let events: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let on = |ch: &str| -> Vec<&serde_json::Value> {
        events.iter().filter(|e| e["partition"] == ch).collect()
    };
    assert_eq!(on(cdc).len(), 2, "{}", stdout_of(&out));
    assert_eq!(on(all).len(), 2, "also on {all}: {}", stdout_of(&out));
    for (i, e) in on(all).iter().enumerate() {
        assert_eq!(e["eventId"], (i + 1).to_string(), "{all}'s own replay ids");
        let h = &e["event"]["data"]["payload"]["ChangeEventHeader"];
        assert_eq!(
            h,
            &on(cdc)[i]["event"]["data"]["payload"]["ChangeEventHeader"]
        );
    }
    let header = |i: usize| on(cdc)[i]["event"]["data"]["payload"]["ChangeEventHeader"].clone();
    let (create, update) = (header(0), header(1));
    assert_eq!(create["changeType"], "CREATE");
    assert_eq!(update["changeType"], "UPDATE");
    assert_eq!(create["entityName"], "Account");
    assert!(create["recordIds"][0].as_str().unwrap().starts_with("001"));
    assert!(create["changeOrigin"]
        .as_str()
        .unwrap()
        .starts_with("com/salesforce/api/"));
    let key = create["transactionKey"].as_str().unwrap();
    assert_eq!(
        key.split('-').map(str::len).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert_eq!(create["sequenceNumber"], 1);
    assert!(create["commitTimestamp"].is_i64() && create["commitNumber"].is_i64());
    assert!(create["commitUser"].as_str().unwrap().starts_with("005"));
    assert_eq!(create["changedFields"], serde_json::json!([]));
    assert_eq!(
        update["changedFields"],
        serde_json::json!(["Name", "Phone", "LastModifiedDate"])
    );
    assert_eq!(update["nulledFields"], serde_json::json!(["Phone"]));
    assert_eq!(
        on(cdc)[1]["type"],
        "UPDATE",
        "the envelope's type is the change type"
    );
}

#[test]
fn salesforce_cdc_time_is_the_commit_timestamp() {
    let cdc = "/data/AccountChangeEvent";
    let srv = SfServer::start("127.0.0.1:0", &["--channel", cdc]);
    let sb = Sandbox::new();
    let src = srv.source(cdc);
    let inject = |ty: &str, payload: &str| -> i64 {
        let out = sb
            .cmd()
            .args(["inject", "--server", &srv.url, "--channel", cdc])
            .args(["--type", ty, "--payload", payload, "-o", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "inject: {}", stderr_of(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["replayIds"][0].as_i64().unwrap()
    };
    let created = inject("CREATE", r#"{"Name":"New Co"}"#);
    let record = |extra: &[&str]| {
        let out = sf_cmd(&sb)
            .args(["record", "-j", "cdc.db", &src, "--replay", "all"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    };
    record(&["--count", "1"]);
    // Deleted long ago, undeleted now: the record's CreatedDate is from 2001.
    let undeleted = inject(
        "UNDELETE",
        r#"{"Name":"Old Co","CreatedDate":"2001-02-03T04:05:06.000Z"}"#,
    );
    record(&["--count", "1"]);
    let m = markers(&sb, "cdc.db", "default");
    assert_eq!(m[0].1["replayId"], undeleted, "the marker moved: {m:?}");
    assert!(
        !m[0].1["createdDate"].as_str().unwrap().starts_with("2001"),
        "the marker's date is the commit's: {m:?}"
    );
    // Resumed twice: nothing comes again.
    for _ in 0..2 {
        let out = sf_cmd(&sb)
            .args(["record", "-j", "cdc.db", &src, "--exit-at-end", "-v"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(&format!("after replayId {undeleted}")),
            "{}",
            stderr_of(&out)
        );
    }
    let ids: Vec<i64> = journal_events(&sb, "cdc.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(ids, vec![created, undeleted]);
    // The stored time column is the commit time too.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "cdc.db"])
        .output()
        .unwrap();
    let last: serde_json::Value =
        serde_json::from_str(stdout_of(&out).lines().last().unwrap()).unwrap();
    let commit = last["event"]["data"]["payload"]["ChangeEventHeader"]["commitTimestamp"]
        .as_i64()
        .unwrap();
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "cdc.db", "-o", "json"])
        .output()
        .unwrap();
    let info = stdout_of(&out);
    assert!(
        info.replace(' ', "")
            .contains(&format!("\"lastTimestamp\":{commit}")),
        "the newest event time is the UNDELETE's commit ({commit}): {info}"
    );
}

/// Issue 29 item 4: a token endpoint or a Bayeux endpoint that accepts and never answers ends
/// the run at --connection-timeout (exit 4, naming the endpoint), not after 60 s.
#[test]
fn salesforce_connection_timeout_bounds_a_silent_token_endpoint_and_handshake() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts, reads nothing, answers nothing, keeps every connection open.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let sb = Sandbox::new();
    let src = format!("sfdc+http://127.0.0.1:{port}/topic/X");
    let started = Instant::now();
    let out = sf_cmd(&sb)
        .args(["tail", &src, "--connection-timeout", "3s"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {err}");
    assert!(
        err.contains(&format!(
            "no answer from http://127.0.0.1:{port}/services/oauth2/token within 3s"
        )) && err.contains("--connection-timeout 3s"),
        "{err}"
    );
    // A given token: the handshake is what hangs.
    let started = Instant::now();
    let out = sf_cmd(&sb)
        .env_remove("SFDC_USERNAME")
        .env_remove("SFDC_PASSWORD")
        .env("SFDC_ACCESS_TOKEN", "00Dsome-token")
        .env("SFDC_INSTANCE_URL", format!("http://127.0.0.1:{port}"))
        .args([
            "record",
            "-j",
            "hang.db",
            &src,
            "--connection-timeout",
            "3s",
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {err}");
    assert!(
        err.contains(&format!(
            "no answer from http://127.0.0.1:{port}/cometd/45.0 within 3s"
        )) && err.contains("--connection-timeout 3s"),
        "{err}"
    );
    assert!(!err.contains("00Dsome-token"), "{err}");
}

/// Issue 29 item 5: `--replay -2` parses (as `--replay=-2` did), and -vvv logs the Bayeux
/// exchange (handshake, subscribe with its replay value, connect) with no token or password.
#[test]
fn salesforce_replay_minus_two_parses_and_vvv_logs_the_bayeux_exchange_without_secrets() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let ids = vec![srv.publish(&sb, CH, "a"), srv.publish(&sb, CH, "b")];
    let src = srv.source(CH);
    let out = sf_cmd(&sb)
        .args([
            "tail", &src, "--replay", "-2", "--count", "2", "-o", "ndjson", "-vvv",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(replay_ids(&stdout_of(&out)), ids, "--replay -2: everything");
    for shown in [
        "grant_type=password",
        "bayeux → /meta/handshake",
        "bayeux ← /meta/handshake",
        "successful=true",
        r#"bayeux → /meta/subscribe id=2 subscription=/topic/AccountUpdates replay={"/topic/AccountUpdates":-2}"#,
        "bayeux → /meta/connect",
        "bayeux ← /topic/AccountUpdates",
        "bayeux ← HTTP 200 OK",
    ] {
        assert!(err.contains(shown), "`{shown}` not in -vvv: {err}");
    }
    for secret in [PASSWORD, CLIENT_SECRET, "00DFEEDCTL", "BAYEUX_BROWSER"] {
        assert!(!err.contains(secret), "`{secret}` printed at -vvv: {err}");
    }
    // A given token is not shown either; -1 parses as well.
    let token = srv.token();
    let out = sf_cmd(&sb)
        .env("SFDC_ACCESS_TOKEN", &token)
        .env("SFDC_INSTANCE_URL", &srv.url)
        .args([
            "tail",
            &src,
            "--replay",
            "-1",
            "--exit-at-end",
            "-o",
            "ndjson",
            "-vvv",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("replay={\"/topic/AccountUpdates\":-1}"),
        "{err}"
    );
    assert!(!err.contains(&token), "{err}");
}

/// Issue 32 item 4: a client that does not send the `BAYEUX_BROWSER` cookie back gets
/// Salesforce's documented answer (Streaming API error codes: "400 Client {client} has
/// established a session, but no {cookie} cookie present"), not `403::Unknown client`; with the
/// cookie the same request is answered.
#[test]
fn salesforce_a_request_without_the_bayeux_cookie_gets_salesforces_400() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let token = srv.token();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let bayeux = format!("{}/cometd/45.0", srv.url);
        let http = reqwest::Client::new(); // no cookie store
        let post = |body: serde_json::Value, cookie: Option<String>| {
            let mut r = http.post(&bayeux).bearer_auth(&token).json(&body);
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            r.send()
        };
        let hs = post(
            serde_json::json!([{"channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": ["long-polling"], "id": "1"}]),
            None,
        )
        .await
        .unwrap();
        let cookie = hs
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
            .expect("a BAYEUX_BROWSER cookie at handshake");
        assert!(cookie.starts_with("BAYEUX_BROWSER="), "{cookie}");
        let hs: serde_json::Value = hs.json().await.unwrap();
        // The handshake reply, field by field as the notes give it.
        assert_eq!(hs[0]["successful"], true, "{hs}");
        assert_eq!(hs[0]["supportedConnectionTypes"], serde_json::json!(["long-polling"]));
        assert_eq!(
            hs[0]["ext"],
            serde_json::json!({"replay": true, "payload.format": true})
        );
        assert_eq!(hs[0]["version"], "1.0");
        let cid = hs[0]["clientId"].as_str().unwrap().to_string();
        let subscribe = serde_json::json!([{"channel": "/meta/subscribe", "clientId": cid, "subscription": CH, "id": "2"}]);
        let without: serde_json::Value = post(subscribe.clone(), None)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(without[0]["successful"], false);
        assert_eq!(
            without[0]["error"],
            format!("400::Client {cid} has established a session, but no BAYEUX_BROWSER cookie present")
        );
        let with: serde_json::Value = post(subscribe, Some(cookie.clone()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(with[0]["successful"], true, "{with}");
        // A replay value is a number: "-2" as a string is refused as an invalid replay id.
        let text: serde_json::Value = post(
            serde_json::json!([{"channel": "/meta/subscribe", "clientId": cid, "subscription": CH, "id": "4", "ext": {"replay": {CH: "-2"}}}]),
            Some(cookie.clone()),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(text[0]["successful"], false, "{text}");
        assert!(
            text[0]["error"]
                .as_str()
                .unwrap()
                .starts_with("400::The replayId {-2} you provided was invalid."),
            "{text}"
        );
        // The first connect is answered at once, with Salesforce's advice (the poll timeout is
        // SfServer's --poll-timeout 1s; Salesforce sends 110000).
        let connect: serde_json::Value = post(
            serde_json::json!([{"channel": "/meta/connect", "clientId": cid, "connectionType": "long-polling", "id": "3"}]),
            Some(cookie),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let c = connect
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["channel"] == "/meta/connect")
            .unwrap();
        assert_eq!(c["successful"], true, "{connect}");
        assert_eq!(
            c["advice"],
            serde_json::json!({"reconnect": "retry", "interval": 0, "timeout": 1000})
        );
    });
}
