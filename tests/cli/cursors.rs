//! kcat-style cursors and time filters: `--exit-at-end` for tail and record, one time grammar
//! for `--since/--until` (durations ago, dates, RFC 3339, epoch ms), `--last N`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::*;

fn serve_demo() -> InProcess {
    let mut opts = test_options(&demo_events());
    opts.hub.batch_size = 7;
    opts.hub.poll_timeout = Duration::from_millis(300);
    InProcess::start(opts)
}

#[test]
fn tail_and_record_exit_at_end_after_the_backlog() {
    let pod = serve_demo();
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["tail", "--exit-at-end", "--read-timeout", "5s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 40, "the whole backlog");
    let out = sb
        .cmd()
        .args([
            "record",
            "-j",
            "j.db",
            "--exit-at-end",
            "--read-timeout",
            "5s",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("stored 40 events"),
        "{}",
        stderr_of(&out)
    );
}

/// An event of type MESSAGESENT with the given id and timestamp.
fn event(id: &str, ts: i64) -> String {
    format!(
        r#"{{"id":"{id}","messageId":"m{id}","timestamp":{ts},"type":"MESSAGESENT","initiator":{{"user":{{"userId":1,"username":"u"}}}},"payload":{{"messageSent":{{"message":{{"messageId":"m{id}","timestamp":{ts},"message":"<div>{id}</div>","stream":{{"streamId":"s1","streamType":"IM"}}}}}}}}}}"#
    )
}

fn shown_ids(sb: &Sandbox, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["journal", "show", "-j", "j.db", "-o", "json"];
    args.extend_from_slice(extra);
    let out = sb.cmd().args(&args).output().unwrap();
    assert!(out.status.success(), "{extra:?}: {}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["event"]["id"]
                .as_str()
                .or(e["eventId"].as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn since_takes_durations_ago_and_dates_and_last_takes_the_newest() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let events = [
        event("old", 1795357800000), // 2026-11-22T...
        event("twohours", now - 2 * 3600 * 1000),
        event("tenmin", now - 10 * 60 * 1000),
    ]
    .join("\n");
    let sb = Sandbox::new();
    let file = sb.write("e.ndjson", &events);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(shown_ids(&sb, &["--since", "1h"]), ["tenmin"]);
    assert_eq!(shown_ids(&sb, &["--since", "3h"]), ["twohours", "tenmin"]);
    assert_eq!(shown_ids(&sb, &["--until", "1h"]), ["old", "twohours"]);
    assert_eq!(
        shown_ids(&sb, &["--since", "2026-11-22", "--until", "2026-11-23"]),
        ["old"]
    );
    assert_eq!(
        shown_ids(
            &sb,
            &[
                "--since",
                "2026-11-22T00:00:00Z",
                "--until",
                "1795357800001"
            ]
        ),
        ["old"]
    );
    assert_eq!(shown_ids(&sb, &["--last", "2"]), ["twohours", "tenmin"]);
    assert_eq!(
        shown_ids(&sb, &["--last", "9"]),
        ["old", "twohours", "tenmin"]
    );
    assert_eq!(
        shown_ids(&sb, &["--last", "1", "--until", "1h"]),
        ["twohours"]
    );
    let out = sb
        .cmd()
        .args(["journal", "show", "-j", "j.db", "--since", "yesterday-ish"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("a duration ago (1h"),
        "{}",
        stderr_of(&out)
    );
    // replay: the same selection.
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--last",
            "2",
            "--exec",
            "cat >/dev/null",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("2 events, 2 handler runs"),
        "{}",
        stderr_of(&out)
    );
}
