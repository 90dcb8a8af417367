//! Edges of issue 29: a closed stderr, a damaged journal under a writer, event text on replay's
//! stderr and in re-serialised JSON, `--tag`'s limit and tail stopped by SIGTERM.

use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use crate::common::*;

/// Runs `feedctl ARGS` in `sb` through bash with its output (`2>&1` or stderr alone, per
/// `redirect`) piped into `head -1`, which closes the pipe after one line; returns feedctl's
/// own exit status (`PIPESTATUS[0]`) and what head printed.
fn through_head(sb: &Sandbox, args: &[&str], redirect: &str) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("feedctl");
    let script = format!("\"$0\" \"$@\" {redirect} | head -1; echo \"status=${{PIPESTATUS[0]}}\"");
    let out = StdCommand::new("bash")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .args(args)
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .current_dir(sb.path())
        .output()
        .expect("bash");
    let text = stdout_of(&out);
    let status = text
        .lines()
        .find_map(|l| l.strip_prefix("status="))
        .unwrap_or_else(|| panic!("no status in {text:?} / {}", stderr_of(&out)))
        .parse()
        .unwrap();
    (status, text)
}

#[test]
fn a_closed_stderr_or_stdout_never_panics_record_or_tail() {
    let pod = InProcess::start(test_options(&demo_events()));
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let served = demo_events().lines().count();

    // record's notices go to stderr; the reader leaves after the first ("feed: created …"), and
    // record goes on, prints its summary into the closed pipe and ends as usual.
    let (status, head) = through_head(
        &sb,
        &["record", "--journal", "rec.db", "--duration", "2s"],
        "2>&1",
    );
    assert_ne!(status, 101, "record panicked: {head}");
    assert_eq!(status, 0, "{head}");
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "rec.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "rec.db"])
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out).lines().count(),
        served,
        "every event stored"
    );

    // tail: the first line is a notice, the next write to stdout finds the pipe closed: tail
    // stops quietly, deletes its feed (a notice into the closed stderr) and exits 0.
    let (status, head) = through_head(&sb, &["tail", "--count", "40", "--tag", "t1"], "2>&1");
    assert_ne!(status, 101, "tail panicked: {head}");
    assert_eq!(status, 0, "{head}");
    // stderr alone closed: every event still reaches stdout.
    let (status, head) = through_head(
        &sb,
        &["tail", "--count", "5", "--tag", "t2", "-v"],
        "2>&1 >tail.ndjson",
    );
    assert_eq!(status, 0, "{head}");
    let printed = std::fs::read_to_string(sb.path().join("tail.ndjson")).unwrap();
    assert_eq!(printed.lines().count(), 5, "{printed}");
    let deletes = pod
        .server()
        .requests()
        .iter()
        .filter(|r| r.target == "delete" && r.status == 204)
        .count();
    assert_eq!(deletes, 2, "both tails deleted their feeds");
}

/// A journal of a few thousand events, and what `dbstat` says about its pages.
fn journal_of(sb: &Sandbox, name: &str, events: usize) -> Vec<u8> {
    let file = sb.write("many.ndjson", &generated_events(events));
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", name, "--chunk-size", "100"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    std::fs::read(sb.path().join(name)).unwrap()
}

/// The page number of a leaf of the time index, away from its right edge (where inserts go).
fn index_leaf_in_the_middle(path: &std::path::Path) -> (u64, u64) {
    let c = rusqlite::Connection::open(path).unwrap();
    let page_size: u64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let leaves: Vec<u64> = c
        .prepare("SELECT pageno FROM dbstat WHERE name = 'events_by_time' AND pagetype = 'leaf' ORDER BY path")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(leaves.len() >= 3, "{leaves:?}");
    (leaves[leaves.len() / 2], page_size)
}

#[test]
fn writers_refuse_a_journal_damaged_inside_before_writing_anything() {
    let pod = InProcess::start(test_options(&demo_events()));
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    sb.write("more.ndjson", &demo_events());
    // Two kinds of damage: a page of the time index that no insert reaches, and bytes
    // overwritten in the middle of the file.
    let original = journal_of(&sb, "a.db", 3000);
    std::fs::copy(sb.path().join("a.db"), sb.path().join("b.db")).unwrap();
    let (page, size) = index_leaf_in_the_middle(&sb.path().join("a.db"));
    let mut a = original.clone();
    let at = ((page - 1) * size) as usize;
    a[at..at + size as usize].fill(0x5a);
    std::fs::write(sb.path().join("a.db"), &a).unwrap();
    let mut b = original.clone();
    let mid = b.len() / 2;
    b[mid..mid + 3000].fill(0xff);
    std::fs::write(sb.path().join("b.db"), &b).unwrap();

    for name in ["a.db", "b.db"] {
        let before = std::fs::read(sb.path().join(name)).unwrap();
        for args in [
            vec![
                "journal",
                "import",
                "-j",
                name,
                "--name",
                "more",
                "more.ndjson",
            ],
            vec![
                "record",
                "--journal",
                name,
                "--count",
                "5",
                "--read-timeout",
                "2s",
            ],
            vec!["replay", "-j", name, "--exec", "true"],
        ] {
            let out = sb.cmd().args(&args).output().unwrap();
            let err = stderr_of(&out);
            assert!(
                std::fs::read(sb.path().join(name)).unwrap() == before,
                "{name} changed by {args:?}: {err}"
            );
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.contains(name)
                    && err.contains("damaged")
                    && err.contains("nothing was written")
                    && err.contains(&format!("feedctl journal verify -j {name}")),
                "{args:?}: {err}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
        for side in ["-wal", "-shm"] {
            assert!(
                !sb.path().join(format!("{name}{side}")).exists(),
                "{name}{side}"
            );
        }
    }
    // No feed was created for the refused record.
    assert!(
        !pod.server().requests().iter().any(|r| r.target == "create"),
        "record refused the journal before it made a feed"
    );
}

/// An event whose type and id carry escape sequences, C1's one-character CSI and a bidi
/// override.
const HOSTILE_IDS: &str = r#"{"id":"e\u001b]0;pwned\u0007","messageId":"m1","timestamp":1795357800000,"type":"MESSAGESENT\u001b[2K","payload":{"messageSent":{"message":{"messageId":"m1","timestamp":1795357800000,"message":"<div>hi \u009b31m \u202eevil</div>","stream":{"streamId":"s1","streamType":"IM"}}}}}"#;

fn assert_no_raw_controls(what: &str, text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "{what}: raw control characters: {text:?}"
    );
}

#[test]
fn replay_notices_handler_output_and_json_show_no_raw_escapes() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    sb.write("h.ndjson", HOSTILE_IDS);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "h.db", "h.ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // A handler that echoes the event on both streams and fails.
    let handler = sb.write(
        "bad.sh",
        "#!/bin/sh\nprintf 'got \\033]0;title\\007 \\302\\233 31m\\n'\nprintf 'boom \\033[2K \\302\\233 1m \\342\\200\\256\\n' >&2\nexit 1\n",
    );
    std::fs::set_permissions(&handler, std::fs::Permissions::from_mode(0o755)).unwrap();
    for verbose in [false, true] {
        let mut args = vec!["replay", "-j", "h.db", "--exec", "./bad.sh"];
        if verbose {
            args.push("-v");
        }
        let out = sb.cmd().args(&args).output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("failed: MESSAGESENT\\x1b[2K e\\x1b]0;pwned\\x07"),
            "{err}"
        );
        assert!(err.contains("boom \\x1b[2K \\u{9b} 1m \\u{202e}"), "{err}");
        if verbose {
            assert!(err.contains("got \\x1b]0;title\\x07 \\u{9b} 31m"), "{err}");
        }
        assert_no_raw_controls("replay stderr", &err);
        assert_no_raw_controls("replay stdout", &stdout_of(&out));
    }
    // Stream mode: the handler's own lines (stdout that is not a result, and stderr) with -v.
    let stream = sb.write(
        "stream.sh",
        "#!/bin/sh\nwhile IFS= read -r line; do\n  id=$(printf '%s\\n' \"$line\" | sed 's/^{\"id\":\"\\([^\"]*\\)\".*/\\1/')\n  printf 'log \\033[2J \\302\\233 1m\\n'\n  printf 'err \\033]0;t\\007\\n' >&2\n  printf '{\"id\":\"%s\",\"status\":0}\\n' \"$id\"\ndone\n",
    );
    std::fs::set_permissions(&stream, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "h.db",
            "--mode",
            "stream",
            "--exec",
            "./stream.sh",
            "-v",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("log \\x1b[2J \\u{9b} 1m"), "{err}");
    assert!(err.contains("err \\x1b]0;t\\x07"), "{err}");
    assert_no_raw_controls("stream replay stderr", &err);

    // journal show's JSON is re-serialised: U+009B and the bidi override come out as JSON
    // escapes, and the document still parses to the same event.
    for format in ["json", "ndjson"] {
        let out = sb
            .cmd()
            .args(["journal", "show", "-j", "h.db", "-o", format])
            .output()
            .unwrap();
        let text = stdout_of(&out);
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert_no_raw_controls("journal show", &text);
        assert!(
            text.contains(r"\u009b31m") && text.contains(r"\u202eevil"),
            "{text}"
        );
        let first = text.trim_start_matches('[').trim();
        let v: serde_json::Value = if format == "json" {
            serde_json::from_str::<serde_json::Value>(&text).unwrap()[0].clone()
        } else {
            serde_json::from_str(first).unwrap()
        };
        assert_eq!(
            v["event"],
            serde_json::from_str::<serde_json::Value>(HOSTILE_IDS).unwrap()
        );
    }
    // Export stays exact.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "h.db"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains(HOSTILE_IDS), "export is exact");
}

#[test]
fn a_tag_over_100_characters_is_refused_before_any_call() {
    let pod = InProcess::start(test_options(&demo_events()));
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let long = "t".repeat(101);
    for args in [
        vec!["datafeed", "create", "--tag", &long],
        vec!["datafeed", "list", "--tag", &long],
        vec!["tail", "--count", "1", "--tag", &long],
        vec![
            "record",
            "--journal",
            "r.db",
            "--count",
            "1",
            "--tag",
            &long,
        ],
    ] {
        let out = sb.cmd().args(&args).output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("--tag") && err.contains("at most 100 characters") && err.contains("101"),
            "{args:?}: {err}"
        );
    }
    assert!(
        pod.server().requests().is_empty(),
        "nothing sent: {:?}",
        pod.server()
            .requests()
            .iter()
            .map(|r| r.target.clone())
            .collect::<Vec<_>>()
    );
    assert!(!sb.path().join("r.db").exists());
    // 100 characters are fine.
    let out = sb
        .cmd()
        .args(["-q", "datafeed", "create", "--tag", &long[..100]])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[cfg(unix)]
#[test]
fn sigterm_stops_tail_deletes_its_feed_and_exits_143() {
    let mut opts = test_options("");
    opts.hub.poll_timeout = Duration::from_secs(30);
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let mut child = sb.spawn(&["tail"]);
    let until = Instant::now() + Duration::from_secs(10);
    while !pod.server().requests().iter().any(|r| r.target == "create") {
        assert!(Instant::now() < until, "tail never created its feed");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(sent.elapsed() < Duration::from_secs(5), "tail did not stop");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert!(
        pod.server()
            .requests()
            .iter()
            .any(|r| r.target == "delete" && r.status == 204),
        "feed deleted"
    );
    // And the agent lists no feed any more.
    let out = sb
        .cmd()
        .args(["datafeed", "list", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let feeds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(feeds, serde_json::json!([]), "{feeds}");
}

#[test]
fn consume_notices_quote_handler_stderr_terminal_safe() {
    let Some(redis) = crate::redis_server::RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    redis.fill("jobs", 1);
    let url = redis.url("jobs");
    let out = sb
        .cmd()
        .args([
            "consume",
            &url,
            "--group",
            "g",
            "--max-deliveries",
            "2",
            "--retry-delay",
            "50ms",
            "--exit-when-idle",
            "1s",
            "-v",
            "--exec",
            "cat >/dev/null; printf 'bad \\033]0;t\\007 \\302\\233 2J\\n' >&2; exit 3",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("failed: entry"), "{err}");
    assert!(err.contains("bad \\x1b]0;t\\x07 \\u{9b} 2J"), "{err}");
    assert_no_raw_controls("consume stderr", &err);
}
