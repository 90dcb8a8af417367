//! `serve --events FILE` and `serve --journal J` read their events as feeds read them, not all
//! at start (issue 33 item 4): a bad line late in a file is found when a feed reaches it (the
//! events before it are served first); positions read long ago are read again exactly; a
//! journal's recordings and chunks are served in order, paced, and again with `--loop`.

use std::io::Read;
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

/// Reads a v2 feed, acknowledging each read, until a read is empty or fails: the events of
/// each read, and the failure.
async fn drain(c: &Client, feed: &str) -> (Vec<Vec<String>>, Option<String>) {
    let mut ack = String::new();
    let mut reads = Vec::new();
    loop {
        match c.read_datafeed(feed, &ack, Duration::from_secs(5)).await {
            Ok(r) if r.events.is_empty() => return (reads, None),
            Ok(r) => {
                reads.push(raws(&r.events));
                ack = r.ack_id.unwrap_or_default();
            }
            Err(e) => return (reads, Some(e.to_string())),
        }
    }
}

/// serve's stderr, once it is stopped.
fn stop_and_stderr(mut serve: ServeProcess) -> String {
    let _ = serve.child.kill();
    let _ = serve.child.wait();
    let mut err = String::new();
    if let Some(mut s) = serve.child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    err
}

#[test]
fn a_bad_last_line_is_found_when_read_after_every_event_before_it_was_served() {
    let sb = Sandbox::new();
    let events = generated_events(5000);
    let mut text = events.clone();
    text.push_str("\n{\"id\":\"cut\",\"type\":\n");
    let file = sb.write("events.ndjson", &text);
    // Before: the whole file was checked at start, and serve refused it (exit 2) before
    // serving anything. Now it starts, and serves.
    let serve = ServeProcess::spawn(&[
        "--events",
        file.to_str().unwrap(),
        "--accept-any-key",
        "--poll-timeout",
        "300ms",
    ]);
    let c = local_client(&serve.base_url, PRIVATE_KEY);
    runtime().block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let (reads, failure) = drain(&c, &feed.id).await;
        let got: Vec<String> = reads.into_iter().flatten().collect();
        let expected: Vec<String> = events.lines().map(String::from).collect();
        assert_eq!(got.len(), expected.len(), "every event before the bad line");
        assert!(got == expected, "every event before the bad line, exact");
        let failure = failure.expect("the read reaching the bad line fails");
        assert!(
            failure.contains("HTTP 500")
                && failure.contains("line 5001: not valid JSON")
                && failure.contains("events.ndjson"),
            "{failure}"
        );
        // It stays there: the next read says the same, and a v1 feed reaches it too.
        let again = c
            .read_datafeed(&feed.id, "", Duration::from_secs(5))
            .await
            .unwrap_err()
            .to_string();
        assert!(again.contains("line 5001"), "{again}");
    });
    let err = stop_and_stderr(serve);
    assert!(err.contains("line 5001: not valid JSON"), "{err}");
}

#[test]
fn a_bad_line_among_the_first_events_still_refuses_the_file_at_start() {
    let sb = Sandbox::new();
    let mut text = generated_events(500);
    text.push_str("\n[1]\n");
    text.push_str(&generated_events(10));
    let file = sb.write("events.ndjson", &text);
    let out = sb
        .cmd()
        .args(["serve", "--accept-any-key", "--listen", "127.0.0.1:0"])
        .arg("--events")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("line 501: expected a JSON object"),
        "{}",
        stderr_of(&out)
    );
    assert!(stdout_of(&out).is_empty(), "nothing served");
}

#[test]
fn a_batch_read_long_ago_comes_again_exact_and_a_later_feed_starts_at_the_beginning() {
    let sb = Sandbox::new();
    let events = generated_events(6000);
    let expected: Vec<String> = events.lines().map(String::from).collect();
    let file = sb.write("events.ndjson", &events);
    let serve = ServeProcess::spawn(&[
        "--events",
        file.to_str().unwrap(),
        "--accept-any-key",
        "--batch-size",
        "20",
        "--poll-timeout",
        "300ms",
        "--visibility-timeout",
        "3s",
    ]);
    let c = local_client(&serve.base_url, PRIVATE_KEY);
    runtime().block_on(async {
        // A reads up to event 5020 and leaves its last batch (5000..5020) unacknowledged.
        let a = c.create_datafeed(Some("a"), false).await.unwrap();
        let mut ack = String::new();
        let mut got = Vec::new();
        let unacked = loop {
            let r = c
                .read_datafeed(&a.id, &ack, Duration::from_secs(5))
                .await
                .unwrap();
            got.extend(raws(&r.events));
            if got.len() == 5020 {
                break raws(&r.events);
            }
            ack = r.ack_id.unwrap_or_default();
        };
        assert!(got == expected[..5020]);
        // B, created later, starts at the beginning and reads everything (300 reads: the
        // places of A's reads are long forgotten).
        let b = c.create_datafeed(Some("b"), false).await.unwrap();
        let (reads, failure) = drain(&c, &b.id).await;
        assert!(failure.is_none(), "{failure:?}");
        assert!(reads.concat() == expected, "B: every event once, exact");
        // After the visibility timeout, A gets its unacknowledged batch again, then the rest.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let again = c
            .read_datafeed(&a.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(raws(&again.events), unacked);
        assert!(unacked == expected[5000..5020]);
        let (rest, failure) = drain(&c, &a.id).await;
        assert!(failure.is_none(), "{failure:?}");
        let rest: Vec<String> = rest.concat();
        assert_eq!(rest.len(), 980);
        assert!(rest[..] == expected[5020..], "A: the rest");
    });
}

/// A journal of two recordings whose rows interleave: recording `one` imported, then `two`,
/// then more of `one` (rows 1-3 and 7-9 are one's, 4-6 two's), in chunks of 1 to 3 events.
fn two_recordings(sb: &Sandbox) -> (std::path::PathBuf, Vec<String>) {
    let events: Vec<String> = generated_events(10).lines().map(String::from).collect();
    let env = |rec: &str, chunk: u64, e: &str| {
        format!("{{\"recording\":\"{rec}\",\"feedId\":\"F{rec}\",\"chunk\":{chunk},\"receivedAt\":{},\"event\":{e}}}", 1000 * chunk)
    };
    // Each import: its recording, and the chunk of each of its events (in order).
    let imports: [(&str, &[u64]); 3] = [
        ("one", &[1, 1, 2]),
        ("two", &[1, 1, 2, 3]),
        ("one", &[3, 3, 3]),
    ];
    let mut next = 0;
    for (n, (rec, chunks)) in imports.iter().enumerate() {
        let lines: Vec<String> = chunks
            .iter()
            .map(|c| {
                next += 1;
                env(rec, *c, &events[next - 1])
            })
            .collect();
        let file = sb.write(&format!("part{n}.ndjson"), &lines.join("\n"));
        let out = sb
            .cmd()
            .args(["journal", "import", "-j", "j.db"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    (sb.path().join("j.db"), events)
}

#[test]
fn a_journal_of_interleaved_recordings_is_served_recording_by_recording_chunk_by_chunk() {
    let sb = Sandbox::new();
    let (journal, e) = two_recordings(&sb);
    let pick = |ix: &[usize]| -> Vec<String> { ix.iter().map(|&i| e[i].clone()).collect() };
    // Recording one's chunks, then recording two's: one read each.
    let whole = [
        pick(&[0, 1]),
        pick(&[2]),
        pick(&[7, 8, 9]),
        pick(&[3, 4]),
        pick(&[5]),
        pick(&[6]),
    ];
    for pace in ["instant", "1000x"] {
        let serve = ServeProcess::spawn(&[
            "--journal",
            journal.to_str().unwrap(),
            "--accept-any-key",
            "--poll-timeout",
            "300ms",
            "--pace",
            pace,
        ]);
        let c = local_client(&serve.base_url, PRIVATE_KEY);
        runtime().block_on(async {
            let feed = c.create_datafeed(None, false).await.unwrap();
            let (reads, failure) = drain(&c, &feed.id).await;
            assert!(failure.is_none(), "{failure:?}");
            assert_eq!(reads, whole, "--pace {pace}");
        });
    }
    // One recording; and again from its start with --loop.
    let serve = ServeProcess::spawn(&[
        "--journal",
        journal.to_str().unwrap(),
        "--recording",
        "two",
        "--loop",
        "--accept-any-key",
        "--poll-timeout",
        "300ms",
    ]);
    let c = local_client(&serve.base_url, PRIVATE_KEY);
    runtime().block_on(async {
        let feed = c.create_datafeed(None, false).await.unwrap();
        let mut ack = String::new();
        let mut reads = Vec::new();
        while reads.len() < 6 {
            let r = c
                .read_datafeed(&feed.id, &ack, Duration::from_secs(5))
                .await
                .unwrap();
            if !r.events.is_empty() {
                reads.push(raws(&r.events));
            }
            ack = r.ack_id.unwrap_or_default();
        }
        let round = whole[3..].to_vec();
        assert_eq!(reads[..3], round[..], "the recording");
        assert_eq!(reads[3..], round[..], "and again");
    });
}

#[test]
fn events_injected_before_the_file_is_read_to_its_end_come_after_all_of_it() {
    let sb = Sandbox::new();
    let events = generated_events(3000);
    let expected: Vec<String> = events.lines().map(String::from).collect();
    let file = sb.write("events.ndjson", &events);
    let injected = sb.write(
        "more.ndjson",
        "{\"id\":\"inj1\",\"type\":\"MESSAGESENT\"}\n{\"id\":\"inj2\",\"type\":\"MESSAGESENT\"}\n",
    );
    let serve = ServeProcess::spawn(&[
        "--events",
        file.to_str().unwrap(),
        "--accept-any-key",
        "--poll-timeout",
        "300ms",
    ]);
    let c = local_client(&serve.base_url, PRIVATE_KEY);
    runtime().block_on(async {
        // A feed has read 100 of the 3000: the file's end is not known yet when events come.
        let a = c.create_datafeed(Some("a"), false).await.unwrap();
        let first = c
            .read_datafeed(&a.id, "", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(first.events.len(), 100);
        let out = sb
            .cmd()
            .args(["inject", "--server", &serve.base_url, "--file"])
            .arg(&injected)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let mut all = raws(&first.events);
        let mut ack = first.ack_id.unwrap_or_default();
        loop {
            let r = c
                .read_datafeed(&a.id, &ack, Duration::from_secs(5))
                .await
                .unwrap();
            if r.events.is_empty() {
                break;
            }
            all.extend(raws(&r.events));
            ack = r.ack_id.unwrap_or_default();
        }
        let ids = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|e| serde_json::from_str::<serde_json::Value>(e).unwrap()["id"].to_string())
                .collect()
        };
        assert_eq!(all.len(), 3002);
        assert!(all[..3000] == expected[..], "the file first, exact");
        assert_eq!(ids(&all[3000..]), ["\"inj1\"", "\"inj2\""]);
        // A feed created now starts at the beginning and gets the same.
        let b = c.create_datafeed(Some("b"), false).await.unwrap();
        let (reads, failure) = drain(&c, &b.id).await;
        assert!(failure.is_none(), "{failure:?}");
        assert!(reads.concat() == all, "a later feed: the same log");
    });
}
