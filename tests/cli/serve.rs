//! The emulated pod on the wire: status codes and shapes per the spec, ackId and re-queue,
//! 400 for unknown feeds, 403 for a 21st feed, the request log, and the process interface.

use std::time::Duration;

use feedctl::symphony::{ApiError, Client};

use crate::common::*;

fn client_for(pod: &InProcess) -> Client {
    local_client(&pod.url(), PRIVATE_KEY)
}

fn ids(events: &[feedctl::symphony::Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.id().unwrap_or("").to_string())
        .collect()
}

#[test]
fn unacknowledged_events_come_again_after_the_visibility_timeout() {
    let pod = InProcess::start(test_options(&all_types()));
    let c = client_for(&pod);
    pod.rt.block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let first = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(first.events.len(), 17);
        // Not acknowledged (the same empty ackId again): nothing new yet...
        let early = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert!(early.events.is_empty());
        // ...but once the visibility timeout (800 ms in tests) has passed, the batch is back.
        tokio::time::sleep(Duration::from_millis(900)).await;
        let again = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(ids(&again.events), ids(&first.events));
        // Acknowledged this time: it never comes back.
        let ack = again.ack_id.unwrap();
        let after = c
            .read_datafeed(&feed.id, &ack, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(after.events.is_empty());
        tokio::time::sleep(Duration::from_millis(900)).await;
        let later = c
            .read_datafeed(
                &feed.id,
                after.ack_id.as_deref().unwrap(),
                Duration::from_secs(5),
            )
            .await
            .unwrap();
        assert!(later.events.is_empty());
    });
}

#[test]
fn an_idle_read_long_polls_then_answers_200_with_no_events() {
    let pod = InProcess::start(test_options(""));
    let c = client_for(&pod);
    pod.rt.block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let started = std::time::Instant::now();
        let r = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert!(r.events.is_empty() && r.ack_id.is_some());
        assert!(
            started.elapsed() >= Duration::from_millis(450),
            "waited for the poll timeout"
        );
    });
}

#[test]
fn events_published_during_a_long_poll_are_delivered_at_once() {
    let pod = InProcess::start(test_options(""));
    let c = client_for(&pod);
    let events = arc_events(&all_types());
    pod.rt.block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let read = c.read_datafeed(&feed.id, "", Duration::from_secs(5));
        let publish = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            pod.server().publish(events[..3].to_vec());
        };
        let (r, _) = tokio::join!(read, publish);
        assert_eq!(r.unwrap().events.len(), 3);
    });
}

#[test]
fn unknown_feed_and_malformed_ack_id_are_400() {
    let pod = InProcess::start(test_options(""));
    let c = client_for(&pod);
    pod.rt.block_on(async {
        let e = c
            .read_datafeed("nope_f", "", Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(400));
        let feed = c.create_datafeed(None, false).await.unwrap();
        let e = c
            .read_datafeed(
                &feed.id,
                "not-an-ack-id-of-this-server",
                Duration::from_secs(5),
            )
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(400));
        let e = c.delete_datafeed("nope_f").await.unwrap_err();
        assert_eq!(e.status(), Some(400));
        let e = c
            .read_datafeed_v1("nope", Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(400));
    });
}

#[test]
fn an_expired_feed_is_400_and_its_successor_misses_nothing() {
    let mut opts = test_options(&all_types());
    opts.hub.feed_ttl = Duration::from_millis(300);
    let pod = InProcess::start(opts);
    let c = client_for(&pod);
    pod.rt.block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let e = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(400));
        let next = c.create_datafeed(None, false).await.unwrap();
        let r = c
            .read_datafeed(&next.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(r.events.len(), 17);
    });
}

#[test]
fn the_21st_feed_is_refused_with_403_and_the_20_keep_working() {
    let pod = InProcess::start(test_options(""));
    let c = client_for(&pod);
    pod.rt.block_on(async {
        let mut feeds = Vec::new();
        for _ in 0..20 {
            feeds.push(c.create_datafeed(None, false).await.unwrap().id);
        }
        // Exactly at the limit: the 21st create is refused, as the spec's text says.
        let e = c.create_datafeed(None, false).await.unwrap_err();
        assert_eq!(e.status(), Some(403), "{e}");
        assert!(e.to_string().contains("20 active feeds"), "{e}");
        assert_eq!(c.list_datafeeds(None).await.unwrap().len(), 20);
        for id in [&feeds[0], &feeds[19]] {
            assert!(
                c.read_datafeed(id, "", Duration::from_secs(5))
                    .await
                    .is_ok(),
                "the 20 feeds are readable"
            );
        }
        c.delete_datafeed(&feeds[0]).await.unwrap();
        let again = c.create_datafeed(None, false).await;
        assert!(again.is_ok(), "deleting one makes room for one");
        assert_eq!(
            c.create_datafeed(None, false).await.unwrap_err().status(),
            Some(403)
        );
    });
}

#[test]
fn a_null_ack_id_and_a_bad_limit_are_400_with_json_bodies() {
    let pod = InProcess::start(test_options(&all_types()));
    let c = client_for(&pod);
    let base = pod.url();
    pod.rt.block_on(async {
        let session = c.session().await.unwrap();
        let http = reqwest::Client::new();
        let with_tokens = |r: reqwest::RequestBuilder| {
            r.header("sessionToken", session.session_token.expose())
                .header(
                    "keyManagerToken",
                    session.km_token.as_ref().unwrap().expose(),
                )
        };
        let feed = c.create_datafeed(None, false).await.unwrap();
        for body in [
            r#"{"ackId":null}"#,
            r#"{"ackId":7}"#,
            r#"{"updatePresence":null}"#,
        ] {
            let r = with_tokens(http.post(format!("{base}/agent/v5/datafeeds/{}/read", feed.id)))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 400, "{body}");
            assert_eq!(r.headers()["content-type"], "application/json");
            let e: serde_json::Value = r.json().await.unwrap();
            assert_eq!(e["code"], 400, "{body}");
        }
        let v1 = c.create_datafeed_v1().await.unwrap();
        let r = with_tokens(http.get(format!("{base}/agent/v4/datafeed/{v1}/read?limit=ten")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        assert_eq!(r.headers()["content-type"], "application/json");
        let e: serde_json::Value = r.json().await.unwrap();
        assert!(e["message"].as_str().unwrap().contains("ten"), "{e}");
        // Rejections axum makes itself are V2Error JSON too (here: a method not allowed).
        let r = with_tokens(http.get(format!("{base}/agent/v5/datafeeds/{}/read", feed.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405);
        assert_eq!(r.headers()["content-type"], "application/json");
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["code"], 405);
    });
}

#[test]
fn agent_info_needs_no_token_and_the_key_manager_token_is_optional() {
    let pod = InProcess::start(test_options(""));
    let c = client_for(&pod);
    let base = pod.url();
    pod.rt.block_on(async {
        let session = c.session().await.unwrap();
        let http = reqwest::Client::new();
        let r = http
            .get(format!("{base}/agent/v1/info"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "the kit asks without a token");
        let r = http
            .get(format!("{base}/agent/v1/info"))
            .header("sessionToken", "not-a-session")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            401,
            "a token that is sent must be valid"
        );
        for km in [None, Some("")] {
            let mut req = http
                .get(format!("{base}/agent/v5/datafeeds"))
                .header("sessionToken", session.session_token.expose());
            if let Some(km) = km {
                req = req.header("keyManagerToken", km);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200, "keyManagerToken {km:?}");
        }
        let r = http
            .get(format!("{base}/agent/v5/datafeeds"))
            .header("sessionToken", session.session_token.expose())
            .header("keyManagerToken", "0100forged")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "a forged key manager token");
    });
}

/// `drop` closes the connection before any byte of an answer; `reset` sends a 200 head first.
#[test]
fn drop_sends_nothing_and_reset_sends_a_head_first() {
    use std::io::{Read, Write};
    let mut opts = test_options("");
    opts.faults = vec![
        "info:drop".parse().unwrap(),
        "info:reset+1".parse().unwrap(),
    ];
    let pod = InProcess::start(opts);
    let (host, port) = host_port(&pod.url());
    let answer = || {
        let mut s = std::net::TcpStream::connect((host.as_str(), port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"GET /agent/v1/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        String::from_utf8_lossy(&got).into_owned()
    };
    let dropped = answer();
    assert_eq!(dropped, "", "drop: no response head at all");
    let reset = answer();
    assert!(
        reset.starts_with("HTTP/1.1 200"),
        "reset: a head first: {reset:?}"
    );
    assert!(answer().starts_with("HTTP/1.1 200"), "then normal answers");
}

#[test]
fn wire_shapes_and_status_codes_follow_the_spec() {
    let pod = InProcess::start(test_options(""));
    let c = client_for(&pod);
    let base = pod.url();
    pod.rt.block_on(async {
        let session = c.session().await.unwrap();
        let http = reqwest::Client::new();
        let with_tokens = |r: reqwest::RequestBuilder| {
            r.header("sessionToken", session.session_token.expose())
                .header(
                    "keyManagerToken",
                    session.km_token.as_ref().unwrap().expose(),
                )
        };
        // v2 create is 201 with a V5Datafeed, JSON content type.
        let r = with_tokens(http.post(format!("{base}/agent/v5/datafeeds")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        assert_eq!(r.headers()["content-type"], "application/json");
        let feed: serde_json::Value = r.json().await.unwrap();
        assert_eq!(feed["type"], "fanout");
        assert!(feed["createdAt"].is_i64());
        // delete is 204.
        let r = with_tokens(http.delete(format!(
            "{base}/agent/v5/datafeeds/{}",
            feed["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status().as_u16(), 204);
        // v1 create is 200 with an id.
        let r = with_tokens(http.post(format!("{base}/agent/v4/datafeed/create")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        // sessioninfo: numeric id.
        let r = http
            .get(format!("{base}/pod/v2/sessioninfo"))
            .header("sessionToken", session.session_token.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let me: serde_json::Value = r.json().await.unwrap();
        assert!(me["id"].is_i64());
        // No session at all: 401 with an error body.
        let r = http
            .get(format!("{base}/agent/v5/datafeeds"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        // Endpoints serve does not emulate: 501 naming the endpoint.
        let r = http
            .get(format!("{base}/pod/v1/admin/user/list"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 501);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("GET /pod/v1/admin/user/list"));
    });
}

#[test]
fn login_refuses_a_jwt_signed_with_another_key() {
    let pod = InProcess::start(test_options(""));
    let c = local_client(&pod.url(), WRONG_KEY);
    pod.rt.block_on(async {
        let e = c.session().await.unwrap_err();
        assert!(
            matches!(e, ApiError::AuthRejected { status: 401, .. }),
            "{e}"
        );
    });
}

#[test]
fn serve_as_a_process_prints_its_url_first_and_logs_requests() {
    let sb = Sandbox::new();
    let log = sb.path().join("requests.ndjson");
    let events = fixture("demo.ndjson");
    let key = fixture(PUBLIC_KEY);
    let serve = ServeProcess::spawn(&[
        "--events",
        events.to_str().unwrap(),
        "--public-key",
        key.to_str().unwrap(),
        "--request-log",
        log.to_str().unwrap(),
        "--poll-timeout",
        "300ms",
    ]);
    sb.config_for(&serve.base_url, PRIVATE_KEY);
    let out = sb
        .cmd()
        .args(["datafeed", "create", "-o", "table"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let id = stdout_of(&out).trim().to_string();
    let out = sb
        .cmd()
        .args(["datafeed", "read", &id, "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out).lines().count(), 40);
    let logged = std::fs::read_to_string(&log).unwrap();
    let entries: Vec<serde_json::Value> = logged
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let read = entries
        .iter()
        .find(|e| e["target"] == "read")
        .expect("the read is logged");
    assert_eq!(read["status"], 200);
    assert_eq!(read["path"], "/agent/v5/datafeeds/{id}/read");
    assert_eq!(read["events"].as_array().unwrap().len(), 40);
}

#[test]
fn serve_rejects_bad_arguments_with_exit_2() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--accept-any-key",
            "--fault",
            "read:boom",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("bad fault `read:boom`"),
        "{}",
        stderr_of(&out)
    );
    let bad = sb.write("bad.ndjson", "{\"id\":\"a\"}\nnot json\n");
    let out = sb
        .cmd()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--accept-any-key",
            "--events",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("line 2"), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a key (or --accept-any-key) is required"
    );
}

#[test]
fn print_config_writes_a_kit_config_and_a_key_pair_that_serve_accepts() {
    let sb = Sandbox::new();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let out = sb
        .cmd()
        .args([
            "serve",
            "--listen",
            &listen,
            "--print-config",
            "--key-dir",
            "keys",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let config = stdout_of(&out);
    assert!(
        config.contains(&format!("port: {port}"))
            && config.contains("scheme: http")
            && config.contains("keys/bot-private.pem"),
        "{config}"
    );
    sb.write("bot-config.yaml", &config);
    let public = sb.path().join("keys/bot-public.pem");
    let _serve = ServeProcess::spawn_at(&listen, &["--public-key", public.to_str().unwrap()]);
    let out = sb
        .cmd()
        .args(["--config", "bot-config.yaml", "auth", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the printed config authenticates: {}",
        stderr_of(&out)
    );
    let out = sb
        .cmd()
        .args(["serve", "--listen", "127.0.0.1:0", "--print-config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "port 0 cannot go into a config");
}

#[test]
fn inject_checks_what_it_is_given() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "inject",
            "--server",
            "http://127.0.0.1:9",
            "--type",
            "NOPE",
            "--stream",
            "s",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sb
        .cmd()
        .args(["inject", "--server", "http://127.0.0.1:9", "--text", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--stream is required"));
    let out = sb
        .cmd()
        .args([
            "inject",
            "--server",
            "http://127.0.0.1:9",
            "--stream",
            "s",
            "--text",
            "hi",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "no serve there: {}",
        stderr_of(&out)
    );
    assert!(stderr_of(&out).contains("is it running?"));
}

#[test]
fn injected_events_reach_a_waiting_reader_at_once() {
    let pod = InProcess::start(test_options(""));
    let c = client_for(&pod);
    let sb = Sandbox::new();
    let url = pod.url();
    pod.rt.block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let read = c.read_datafeed(&feed.id, "", Duration::from_secs(5));
        let inject = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let started = std::time::Instant::now();
            let out = tokio::task::spawn_blocking(move || {
                sb.cmd()
                    .args([
                        "inject",
                        "--server",
                        &url,
                        "--type",
                        "messagesent",
                        "--stream",
                        "room1",
                        "--text",
                        "<b>hi</b> & bye",
                        "--from",
                        "42",
                    ])
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            assert!(out.status.success(), "{}", stderr_of(&out));
            started
        };
        let (r, started) = tokio::join!(read, inject);
        let r = r.unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(r.events.len(), 1);
        let e = &r.events[0];
        assert_eq!(
            (e.event_type(), e.stream_id(), e.initiator_id()),
            ("MESSAGESENT", Some("room1"), Some(42))
        );
        assert!(e
            .message_text()
            .unwrap()
            .contains("&lt;b&gt;hi&lt;/b&gt; &amp; bye"));
    });
}

#[test]
fn serving_a_recording_presents_the_bot_that_recorded_it() {
    let mut opts = test_options(&all_types());
    opts.bot_user_id = 777;
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "r.db", "--count", "17"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "ls", "-j", "r.db", "-o", "json"])
        .output()
        .unwrap();
    let recs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(recs[0]["botUserId"], 777);
    let journal = sb.path().join("r.db");
    let serve = ServeProcess::spawn(&["--journal", journal.to_str().unwrap(), "--accept-any-key"]);
    let other = Sandbox::new();
    other.config_for(&serve.base_url, PRIVATE_KEY);
    let out = other
        .cmd()
        .args(["auth", "check", "-o", "json"])
        .output()
        .unwrap();
    let me: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(me["user"]["id"], 777, "sessioninfo says who recorded");
}

/// A multipart `message/create` as a kit sends it, with an optional X-Trace-Id.
async fn send_reply(
    http: &reqwest::Client,
    base: &str,
    session: &feedctl::symphony::auth::Session,
    stream: &str,
    trace: Option<&str>,
) {
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n<messageML>ok</messageML>\r\n--XyZ--\r\n";
    let mut r = http
        .post(format!("{base}/agent/v4/stream/{stream}/message/create"))
        .header("sessionToken", session.session_token.expose())
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body);
    if let Some(t) = trace {
        r = r.header("X-Trace-Id", t);
    }
    assert_eq!(r.send().await.unwrap().status().as_u16(), 200);
}

#[test]
fn a_reply_is_linked_to_the_event_it_answers_only_when_the_request_tells() {
    let event = |id: &str, stream: &str| {
        format!(
            r#"{{"id":"{id}","messageId":"m-{id}","timestamp":1795357800000,"type":"MESSAGESENT","initiator":{{"user":{{"userId":1,"username":"u"}}}},"payload":{{"messageSent":{{"message":{{"messageId":"m-{id}","timestamp":1795357800000,"message":"<div>hi</div>","stream":{{"streamId":"{stream}","streamType":"ROOM"}}}}}}}}}}"#
        )
    };
    let events = [event("a1", "SA"), event("a2", "SA"), event("b1", "SB")].join("\n");
    let pod = InProcess::start(test_options(&events));
    let c = client_for(&pod);
    let base = pod.url();
    let sent = pod.rt.block_on(async {
        let session = c.session().await.unwrap();
        let feed = c.create_datafeed(None, false).await.unwrap();
        let r = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(r.events.len(), 3, "one read serves all three");
        let http = reqwest::Client::new();
        // SB had one event in that read: the reply answers it.
        send_reply(&http, &base, &session, "SB", None).await;
        // SA had two: which one is unknown...
        send_reply(&http, &base, &session, "SA", Some("Xy12ab")).await;
        // ...unless the trace id names it (the Java kit's trace id is the event id).
        send_reply(&http, &base, &session, "SA", Some("a2")).await;
        send_reply(&http, &base, &session, "SA", Some("base:a1")).await;
        pod.server().sent_messages()
    });
    let links: Vec<Option<&str>> = sent.iter().map(|m| m.answers_event.as_deref()).collect();
    assert_eq!(links, [Some("b1"), None, Some("a2"), Some("a1")]);
}
