//! `serve --events FILE` and `serve --journal J` keep only where each event is and read its
//! bytes when a feed reads it: what goes on the wire must stay exactly what was in the file or
//! journal, through re-queues, v1 and v2 feeds, recorded chunk boundaries and the outbox links.

use std::time::Duration;

use feedctl::symphony::Client;

use crate::common::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn raws(events: &[feedctl::symphony::Event]) -> Vec<String> {
    events.iter().map(|e| e.raw().to_string()).collect()
}

/// Reads a v2 feed to its end, acknowledging each read; the events of each read.
async fn drain(c: &Client, feed: &str) -> Vec<Vec<String>> {
    let mut ack = String::new();
    let mut reads = Vec::new();
    loop {
        let r = c
            .read_datafeed(feed, &ack, Duration::from_secs(5))
            .await
            .unwrap();
        if r.events.is_empty() {
            return reads;
        }
        reads.push(raws(&r.events));
        ack = r.ack_id.unwrap_or_default();
    }
}

#[test]
fn an_events_file_is_served_byte_exact_through_requeues_and_both_versions() {
    let sb = Sandbox::new();
    // Odd spacing, a CRLF line, blank lines, escapes and non-ASCII text: the bytes between the
    // line's outer whitespace are the event.
    let odd = [
        r#"{"id":"odd1","type":"MESSAGESENT","timestamp":1795357800000}"#,
        r#"{ "id" : "odd2" , "type":"MESSAGESENT","note":"caf\u00e9 – naïve \"q\"","timestamp":1795357800001 }"#,
        r#"{"id":"odd3","nested":{"k":[1, 2 ,3],"e":{}},"timestamp":1795357800002}"#,
    ];
    let generated = generated_events(230);
    let mut text = format!("{}\n\n   {}  \r\n\t{}\n\n", odd[0], odd[1], odd[2]);
    text.push_str(&generated);
    let file = sb.write("events.ndjson", &text);
    let mut expected: Vec<String> = odd.iter().map(|s| s.to_string()).collect();
    expected.extend(generated.lines().map(String::from));

    let serve = ServeProcess::spawn(&[
        "--events",
        file.to_str().unwrap(),
        "--accept-any-key",
        "--batch-size",
        "100",
        "--poll-timeout",
        "300ms",
        "--visibility-timeout",
        "500ms",
    ]);
    let c = local_client(&serve.base_url, PRIVATE_KEY);
    runtime().block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let first = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(raws(&first.events), expected[..100]);
        // Never acknowledged: after the visibility timeout the same bytes come again.
        tokio::time::sleep(Duration::from_millis(700)).await;
        let again = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(raws(&again.events), expected[..100]);
        let mut ack = again.ack_id.unwrap_or_default();
        let mut got = raws(&again.events);
        loop {
            let r = c
                .read_datafeed(&feed.id, &ack, Duration::from_secs(5))
                .await
                .unwrap();
            if r.events.is_empty() {
                break;
            }
            got.extend(raws(&r.events));
            ack = r.ack_id.unwrap_or_default();
        }
        assert_eq!(got, expected, "v2: every event once, exact");

        let v1 = c.create_datafeed_v1().await.unwrap();
        let mut got = Vec::new();
        loop {
            let r = c
                .read_datafeed_v1(&v1, Duration::from_secs(5))
                .await
                .unwrap();
            if r.events.is_empty() {
                break;
            }
            got.extend(raws(&r.events));
        }
        assert_eq!(got, expected, "v1: every event once, exact");
    });

    // Rewritten in place under serve: a read says so instead of serving other bytes.
    std::fs::write(&file, "x".repeat(text.len())).unwrap();
    runtime().block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let err = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("HTTP 500") && err.contains("changed while serve runs"),
            "{err}"
        );
    });
}

#[test]
fn a_journal_is_served_chunk_by_chunk_byte_exact_and_replies_name_their_row() {
    let sb = Sandbox::new();
    let events: Vec<String> = generated_events(6).lines().map(String::from).collect();
    // Envelopes keep the event's bytes as written inside them, spacing included.
    let env = |chunk: u64, e: &str| {
        format!("{{\"recording\":\"rec\",\"feedId\":\"F\",\"chunk\":{chunk},\"receivedAt\":{},\"event\":{e}}}", 1000 * chunk)
    };
    let spaced = events[3].replacen("{", "{ ", 1).replacen(",", " ,", 2);
    let lines = [
        env(1, &events[0]),
        env(1, &events[1]),
        env(1, &events[2]),
        env(2, &spaced),
        env(3, &events[4]),
        env(3, &events[5]),
    ];
    let file = sb.write("rec.ndjson", &lines.join("\n"));
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let journal = sb.path().join("j.db");
    let serve = ServeProcess::spawn(&[
        "--journal",
        journal.to_str().unwrap(),
        "--accept-any-key",
        "--poll-timeout",
        "300ms",
    ]);
    let c = local_client(&serve.base_url, PRIVATE_KEY);
    let base = serve.base_url.clone();
    runtime().block_on(async {
        let session = c.session().await.unwrap();
        let feed = c.create_datafeed(None, false).await.unwrap();
        let reads = drain(&c, &feed.id).await;
        let chunk = |r: std::ops::Range<usize>| -> Vec<String> {
            r.map(|i| if i == 3 { spaced.clone() } else { events[i].clone() })
                .collect()
        };
        assert_eq!(
            reads,
            [chunk(0..3), chunk(3..4), chunk(4..6)],
            "one read per recorded chunk, the stored bytes"
        );
        // The latest read served one event of stream s1: a reply there answers it.
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n<messageML>ok</messageML>\r\n--XyZ--\r\n";
        let status = reqwest::Client::new()
            .post(format!("{base}/agent/v4/stream/s1/message/create"))
            .header("sessionToken", session.session_token.expose())
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .header("X-Trace-Id", "g000004")
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 200);
    });
    let row_of_g4: i64 =
        rusqlite::Connection::open_with_flags(&journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap()
            .query_row(
                "SELECT id FROM events WHERE event_id = 'g000004'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let out = sb
            .cmd()
            .args(["journal", "outbox", "-j", "j.db", "-o", "json"])
            .output()
            .unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if let Some(m) = sent.as_array().and_then(|a| a.first()) {
            assert_eq!(m["answersEvent"], "g000004");
            assert_eq!(m["answersEventRow"], row_of_g4);
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "the reply never reached the outbox"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
