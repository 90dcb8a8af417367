//! `serve --salesforce --pubsub-listen`: the Pub/Sub API emulator against the PUBLISHED client,
//! npm's salesforce-pubsub-api-client, driven by tests/pubsub/client.mjs as a user's consumer
//! and publisher would use it (user-supplied login, `rejectUnauthorizedSsl: false` for the
//! emulator's test-only certificate). The client decodes Avro itself with the schema from
//! GetSchema and decodes replay ids itself, so what it prints checks the emulator independently.
//!
//! Its node_modules come from FEEDCTL_TEST_PUBSUB_MODULES (set by .ci/run); without it these
//! tests say so and do nothing on a developer's machine, and fail under CI=true.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command as StdCommand, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;
use crate::salesforce::{
    password_token, replay_ids, sf_cmd, CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME,
};

pub(crate) const ORDER: &str = "/event/Order__e";
pub(crate) const ORG_ID: &str = "00DFEEDCTL00001";
const AUTH_ERROR: &str = "sfdc.platform.eventbus.grpc.service.auth.error";
const REPLAY_CORRUPTED: &str = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted";

fn pubsub_modules() -> Option<String> {
    if !tools_installed(&["node"]) {
        return None;
    }
    let m = std::env::var("FEEDCTL_TEST_PUBSUB_MODULES")
        .ok()
        .filter(|p| !p.is_empty());
    match &m {
        None => {
            assert!(
                std::env::var_os("CI").is_none(),
                "FEEDCTL_TEST_PUBSUB_MODULES is not set under CI=true: .ci/run installs salesforce-pubsub-api-client and sets it"
            );
            eprintln!("FEEDCTL_TEST_PUBSUB_MODULES is not set: the Pub/Sub client tests are skipped (.ci/run sets it)");
        }
        Some(dir) => assert!(
            std::path::Path::new(dir)
                .join("salesforce-pubsub-api-client/package.json")
                .exists(),
            "FEEDCTL_TEST_PUBSUB_MODULES={dir} has no salesforce-pubsub-api-client; run .ci/run"
        ),
    }
    m
}

/// `feedctl serve --salesforce --pubsub-listen 127.0.0.1:0`: its base URL and Pub/Sub endpoint
/// (also the emulator of tests/cli/pubsub_source.rs).
pub(crate) struct Serve {
    child: Child,
    pub(crate) url: String,
    pub(crate) endpoint: String,
}

impl Serve {
    pub(crate) fn start(extra: &[&str]) -> Self {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
            .args(["serve", "--salesforce", "--listen", "127.0.0.1:0"])
            .args(["--pubsub-listen", "127.0.0.1:0", "--poll-timeout", "1s"])
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
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let url = lines.next().expect("base URL").expect("line");
        let endpoint = lines.next().expect("Pub/Sub endpoint").expect("line");
        assert!(url.starts_with("http://localhost:"), "{url}");
        assert!(endpoint.starts_with("localhost:"), "{endpoint}");
        Serve {
            child,
            url,
            endpoint,
        }
    }

    pub(crate) fn token(&self) -> String {
        password_token(&self.url)
    }

    /// Publishes through the Streaming API side (`feedctl inject --channel`); the replay id.
    pub(crate) fn inject(&self, sb: &Sandbox, channel: &str, payload: Value) -> i64 {
        self.inject_typed(sb, channel, None, payload)
    }

    pub(crate) fn inject_typed(
        &self,
        sb: &Sandbox,
        channel: &str,
        kind: Option<&str>,
        payload: Value,
    ) -> i64 {
        let mut cmd = sb.cmd();
        cmd.args(["inject", "--server", &self.url, "--channel", channel])
            .args(["-o", "json", "--payload", &payload.to_string()]);
        if let Some(k) = kind {
            cmd.args(["--type", k]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "inject: {}", stderr_of(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["replayIds"][0].as_i64().unwrap()
    }

    /// A fault through `feedctl inject --sfdc-fault`, or the admin endpoint for those the CLI
    /// does not name (`unavailable`, `available`).
    pub(crate) fn fault(&self, sb: &Sandbox, fault: &str) {
        if fault.ends_with("available") {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let status = rt.block_on(async {
                reqwest::Client::new()
                    .post(format!("{}/feedctl/v1/salesforce/faults", self.url))
                    .json(&json!({ "fault": fault }))
                    .send()
                    .await
                    .unwrap()
                    .status()
            });
            assert!(status.is_success(), "{fault}: {status}");
            return;
        }
        let out = sb
            .cmd()
            .args(["inject", "--server", &self.url, "--sfdc-fault", fault])
            .output()
            .unwrap();
        assert!(out.status.success(), "fault: {}", stderr_of(&out));
    }

    fn source(&self, channel: &str) -> String {
        format!(
            "sfdc+http://{}{channel}",
            self.url.trim_start_matches("http://")
        )
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tests/pubsub/client.mjs (or raw.mjs): commands in, what the client reports out.
struct Client {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Value>,
}

impl Client {
    fn start(modules: &str, serve: &Serve, token: &str) -> Self {
        Self::script("client.mjs", modules, serve, token)
    }

    /// tests/pubsub/SCRIPT with the same protocol (raw.mjs: the gRPC stream itself).
    fn script(script: &str, modules: &str, serve: &Serve, token: &str) -> Self {
        let mut child = StdCommand::new("node")
            .arg(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/pubsub")
                    .join(script),
            )
            .env("FEEDCTL_TEST_PUBSUB_MODULES", modules)
            .env("SF_ACCESS_TOKEN", token)
            // The published client insists on https; the emulator accepts either scheme.
            .env("SF_INSTANCE_URL", serve.url.replace("http://", "https://"))
            .env("SF_ORG_ID", ORG_ID)
            .env("PUBSUB_ENDPOINT", &serve.endpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs (.ci/run installs nodejs)");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| panic!("client.mjs printed {line:?}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            lines,
        };
        assert_eq!(c.next(Duration::from_secs(20))["kind"], "ready");
        c
    }

    fn send(&mut self, cmd: Value) {
        writeln!(self.stdin, "{cmd}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next line, within `limit`.
    fn next(&mut self, limit: Duration) -> Value {
        match self.lines.recv_timeout(limit) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => panic!("client.mjs said nothing within {limit:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("client.mjs ended"),
        }
    }

    /// Every line within `limit` (for asserting that nothing more comes).
    fn quiet_for(&mut self, limit: Duration) -> Vec<Value> {
        let deadline = Instant::now() + limit;
        let mut out = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) => out.push(v),
                Err(_) => break,
            }
        }
        out
    }

    /// The next `n` events (failing on anything else but keepalives).
    fn events(&mut self, n: usize) -> Vec<Value> {
        let mut out = Vec::new();
        while out.len() < n {
            let v = self.next(Duration::from_secs(20));
            match v["kind"].as_str() {
                Some("event") => out.push(v),
                Some("keepalive") => {}
                _ => panic!("expected an event, got {v}"),
            }
        }
        out
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({"op": "exit"}));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ids(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e["replayId"].as_i64().unwrap())
        .collect()
}

/// Events injected through the Streaming API side arrive at the published client with the
/// same replay ids, their fields decoded from Avro; it gets no more than it asked for until it
/// asks again; what it publishes gets the next replay id and reaches it and a CometD client.
#[test]
fn pubsub_published_client_gets_exact_events_flow_control_and_publishes_to_cometd() {
    let Some(modules) = pubsub_modules() else {
        return;
    };
    let serve = Serve::start(&["--channel", ORDER, "--pubsub-keepalive", "1s"]);
    let sb = Sandbox::new();
    let injected: Vec<i64> = (1..=5)
        .map(|i| {
            serve.inject(
                &sb,
                ORDER,
                json!({"Sku__c": format!("S-{i}"), "Amount__c": i * 10, "Rush__c": i % 2 == 0}),
            )
        })
        .collect();
    let mut client = Client::start(&modules, &serve, &serve.token());

    // Subscribe with 2 requested: exactly 2, then the client's lastEvent, then nothing for
    // longer than a keepalive interval although 3 more are retained.
    client.send(json!({"op": "subscribe", "topic": ORDER, "n": 2, "from": "earliest"}));
    let first = client.events(2);
    assert_eq!(ids(&first), injected[..2]);
    assert_eq!(client.next(Duration::from_secs(10))["kind"], "lastEvent");
    let idle = client.quiet_for(Duration::from_millis(2500));
    assert!(
        idle.iter().all(|v| v["kind"] != "event"),
        "events beyond num_requested: {idle:?}"
    );

    // Asking for 3 more brings exactly the other 3.
    client.send(json!({"op": "more", "topic": ORDER, "n": 3}));
    let rest = client.events(3);
    assert_eq!(ids(&rest), injected[2..]);
    let all: Vec<Value> = first.into_iter().chain(rest).collect();
    for (i, e) in all.iter().enumerate() {
        let n = i as i64 + 1;
        let p = &e["payload"];
        assert_eq!(p["Sku__c"], format!("S-{n}"), "{e}");
        assert_eq!(p["Amount__c"].as_f64(), Some((n * 10) as f64), "{e}");
        assert_eq!(p["Rush__c"], n % 2 == 0, "{e}");
        assert_eq!(p["CreatedById"], "005000000000001AAA", "{e}");
        assert!(
            p["CreatedDate"].as_i64().unwrap() > 1_700_000_000_000,
            "{e}"
        );
        assert_eq!(e["id"], format!("feedctl-{:08}", injected[i]), "{e}");
        assert_eq!(
            e["schemaId"], all[0]["schemaId"],
            "one schema for one field set"
        );
    }
    assert_eq!(client.next(Duration::from_secs(10))["kind"], "lastEvent");

    // The published client publishes: the next replay id of the channel.
    client.send(json!({"op": "publish", "topic": ORDER, "payload": {
        "CreatedDate": 0, "CreatedById": "005000000000009AAA",
        "Sku__c": {"string": "P-1"}, "Amount__c": {"double": 7.5}, "Rush__c": null,
    }}));
    let published = client.next(Duration::from_secs(20));
    assert_eq!(published["kind"], "published", "{published}");
    assert_eq!(published["error"], Value::Null, "{published}");
    let pid = published["replayId"].as_i64().unwrap();
    assert_eq!(pid, injected[4] + 1);
    client.send(json!({"op": "more", "topic": ORDER, "n": 1}));
    let got = client.events(1);
    assert_eq!(ids(&got), [pid]);
    assert_eq!(got[0]["payload"]["Sku__c"], "P-1");
    assert_eq!(got[0]["payload"]["Amount__c"].as_f64(), Some(7.5));
    assert_eq!(got[0]["payload"]["Rush__c"], Value::Null);

    // A CometD client of the same channel sees all six, the Pub/Sub one included.
    let out = sf_cmd(&sb)
        .args(["tail", &serve.source(ORDER), "--replay", "all"])
        .args(["--exit-at-end", "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    let cometd = replay_ids(&stdout);
    assert_eq!(cometd[..5], injected[..]);
    assert_eq!(cometd[5], pid);
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"]["data"]["payload"]["Sku__c"], "P-1", "{last}");
}

/// Replay from a CUSTOM replay id gives exactly the events after it, also for a journal
/// recorded from the Streaming API and served again; an id the org does not retain ends the
/// stream with INVALID_ARGUMENT and Salesforce's replayid.corrupted code; a token the org did
/// not issue gets UNAUTHENTICATED and the auth.error code.
#[test]
fn pubsub_custom_replay_from_a_journal_invalid_replay_id_and_bad_token() {
    let Some(modules) = pubsub_modules() else {
        return;
    };
    let sb = Sandbox::new();
    let ids_recorded: Vec<i64> = {
        let live = Serve::start(&["--channel", ORDER]);
        let injected: Vec<i64> = (1..=3)
            .map(|i| live.inject(&sb, ORDER, json!({"Sku__c": format!("J-{i}")})))
            .collect();
        let out = sf_cmd(&sb)
            .args(["record", &live.source(ORDER), "-j", "sf.db", "--name", "sf"])
            .args(["--replay", "all", "--exit-at-end"])
            .output()
            .unwrap();
        assert!(out.status.success(), "record: {}", stderr_of(&out));
        injected
    };
    let journal = sb.path().join("sf.db");
    let serve = Serve::start(&["--journal", journal.to_str().unwrap()]);
    let token = serve.token();
    let mut client = Client::start(&modules, &serve, &token);
    client.send(json!({"op": "subscribe", "topic": ORDER, "n": 10, "from": ids_recorded[0]}));
    let got = client.events(2);
    assert_eq!(ids(&got), ids_recorded[1..]);
    assert_eq!(got[0]["payload"]["Sku__c"], "J-2");
    assert_eq!(got[1]["payload"]["Sku__c"], "J-3");

    // An id below what the org retains (the topic has its own client: the published client
    // keeps one subscription a topic).
    client.send(json!({"op": "subscribe", "topic": "/event/Other__e", "n": 1, "from": 12345}));
    let err = client.next(Duration::from_secs(20));
    assert_eq!(err["kind"], "error", "{err}");
    assert_eq!(err["code"], 3, "INVALID_ARGUMENT: {err}");
    assert_eq!(err["errorCode"], REPLAY_CORRUPTED, "{err}");
    drop(client);

    // A token the org never issued, and one it revoked (`--sfdc-fault revoke-tokens`).
    let out = sb
        .cmd()
        .args([
            "inject",
            "--server",
            &serve.url,
            "--sfdc-fault",
            "revoke-tokens",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "fault: {}", stderr_of(&out));
    for token in [format!("{ORG_ID}!not-issued"), token] {
        let mut refused = Client::start(&modules, &serve, &token);
        refused.send(json!({"op": "subscribe", "topic": ORDER, "n": 1}));
        let err = refused.next(Duration::from_secs(20));
        assert_eq!(err["kind"], "error", "{err}");
        assert_eq!(err["code"], 16, "UNAUTHENTICATED: {err}");
        assert_eq!(err["errorCode"], AUTH_ERROR, "{err}");
    }
}

/// Change events: the header as Salesforce's schema has it, and the changed and nulled fields
/// as bitmaps that the published client expands back into the field names the Streaming API
/// gave; /data/ChangeEvents carries them too, under its own replay ids.
#[test]
fn pubsub_change_events_carry_field_bitmaps_the_published_client_expands() {
    let Some(modules) = pubsub_modules() else {
        return;
    };
    const ACCOUNTS: &str = "/data/AccountChangeEvent";
    let serve = Serve::start(&["--channel", ACCOUNTS]);
    let sb = Sandbox::new();
    let created = serve.inject_typed(
        &sb,
        ACCOUNTS,
        Some("CREATE"),
        json!({"Name": "Acme", "Phone": "555"}),
    );
    let updated = serve.inject_typed(
        &sb,
        ACCOUNTS,
        Some("UPDATE"),
        json!({"Name": "Acme Corp", "Phone": null}),
    );
    let mut client = Client::start(&modules, &serve, &serve.token());
    client.send(json!({"op": "subscribe", "topic": ACCOUNTS, "n": 2, "from": "earliest"}));
    let got = client.events(2);
    assert_eq!(ids(&got), [created, updated]);
    assert_eq!(client.next(Duration::from_secs(10))["kind"], "lastEvent");
    let header = &got[1]["payload"]["ChangeEventHeader"];
    assert_eq!(header["entityName"], "Account", "{header}");
    assert_eq!(header["changeType"], "UPDATE", "{header}");
    assert_eq!(
        header["changedFields"],
        json!(["Name", "Phone", "LastModifiedDate"]),
        "{header}"
    );
    assert_eq!(header["nulledFields"], json!(["Phone"]), "{header}");
    assert_eq!(header["diffFields"], json!([]), "{header}");
    assert!(
        header["commitTimestamp"].as_i64().unwrap() > 1_700_000_000_000,
        "{header}"
    );
    assert_eq!(got[1]["payload"]["Name"], "Acme Corp");
    assert_eq!(got[1]["payload"]["Phone"], Value::Null);
    assert_eq!(
        got[0]["ChangeEventHeader"],
        Value::Null,
        "the header is in the payload"
    );
    assert_eq!(
        got[0]["payload"]["ChangeEventHeader"]["changeType"],
        "CREATE"
    );
    assert_eq!(got[0]["payload"]["Phone"], "555");

    client.send(
        json!({"op": "subscribe", "topic": "/data/ChangeEvents", "n": 2, "from": "earliest"}),
    );
    let all = client.events(2);
    assert_eq!(
        all[1]["payload"]["ChangeEventHeader"]["changedFields"],
        json!(["Name", "Phone", "LastModifiedDate"])
    );
    assert_eq!(all[1]["payload"]["Name"], "Acme Corp");
}

/// On the wire, what the published client hides: a stream sends no more events than requested
/// (`pending_num_requested` counts down), and when idle an empty FetchResponse whose
/// `latest_replay_id` is the subscriber's position while events it did not request wait (a
/// client storing it skips nothing), else the topic's newest.
#[test]
fn pubsub_keepalives_carry_the_position_and_never_skip_unrequested_events() {
    let Some(modules) = pubsub_modules() else {
        return;
    };
    let serve = Serve::start(&["--channel", ORDER, "--pubsub-keepalive", "1s"]);
    let sb = Sandbox::new();
    let a = serve.inject(&sb, ORDER, json!({"Sku__c": "A"}));
    let b = serve.inject(&sb, ORDER, json!({"Sku__c": "B"}));
    let mut raw = Client::script("raw.mjs", &modules, &serve, &serve.token());
    raw.send(json!({"op": "subscribe", "topic": ORDER, "n": 1, "preset": "EARLIEST"}));
    let wait = Duration::from_secs(10);
    let response = |ids: &[i64], latest: i64, pending: i64| json!({"kind": "response", "replayIds": ids, "latestReplayId": latest, "pending": pending});
    assert_eq!(raw.next(wait), response(&[a], a, 0));
    assert_eq!(
        raw.next(wait),
        response(&[], a, 0),
        "keepalive at the position: b waits"
    );
    raw.send(json!({"op": "more", "n": 5}));
    assert_eq!(raw.next(wait), response(&[b], b, 4));
    assert_eq!(
        raw.next(wait),
        response(&[], b, 4),
        "keepalive at the newest"
    );
    let c = serve.inject(&sb, ORDER, json!({"Sku__c": "C"}));
    // More keepalives may come while `inject` runs: all at b, then c.
    let next = loop {
        let r = raw.next(wait);
        if r != response(&[], b, 4) {
            break r;
        }
    };
    assert_eq!(next, response(&[c], c, 3));
}

/// Faults on demand: `reset-streams` ends an open Subscribe stream with UNAVAILABLE, as a
/// transient failure does on Salesforce; `unavailable` answers new calls UNAVAILABLE with
/// Salesforce's service.unavailable code until `available`.
#[test]
fn pubsub_faults_reset_open_streams_and_make_the_service_unavailable() {
    let Some(modules) = pubsub_modules() else {
        return;
    };
    let serve = Serve::start(&["--channel", ORDER]);
    let sb = Sandbox::new();
    let a = serve.inject(&sb, ORDER, json!({"Sku__c": "A"}));
    let mut raw = Client::script("raw.mjs", &modules, &serve, &serve.token());
    let wait = Duration::from_secs(10);
    let subscribe = json!({"op": "subscribe", "topic": ORDER, "n": 5, "preset": "EARLIEST"});
    raw.send(subscribe.clone());
    assert_eq!(raw.next(wait)["replayIds"], json!([a]));
    serve.fault(&sb, "reset-streams");
    assert_eq!(
        raw.next(wait),
        json!({"kind": "error", "code": 14, "errorCode": ""})
    );
    serve.fault(&sb, "unavailable");
    raw.send(subscribe.clone());
    assert_eq!(
        raw.next(wait),
        json!({"kind": "error", "code": 14, "errorCode": "sfdc.platform.eventbus.grpc.service.unavailable"})
    );
    serve.fault(&sb, "available");
    raw.send(subscribe);
    assert_eq!(raw.next(wait)["replayIds"], json!([a]));
}
