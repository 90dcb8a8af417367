//! `feedctl tail` against serve with every fault kind: each served event printed exactly once,
//! stdout valid NDJSON throughout, and stderr saying what happened.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use feedctl::serve::FaultRule;

use crate::common::*;

fn serve_with(events: &str, faults: &[&str], batch: usize) -> InProcess {
    let mut opts = test_options(events);
    opts.hub.batch_size = batch;
    opts.hub.poll_timeout = Duration::from_millis(300);
    opts.faults = faults
        .iter()
        .map(|f| f.parse::<FaultRule>().unwrap())
        .collect();
    opts.seed = 42;
    InProcess::start(opts)
}

/// Runs `tail --count N` piped and checks every event came exactly once as an NDJSON envelope.
fn tail_all(pod: &InProcess, sb: &Sandbox, events: &str, extra_args: &[&str]) -> String {
    let expected = keys_of_events(events);
    let count = expected.len().to_string();
    let mut args = vec!["tail", "--count", &count, "--read-timeout", "2s"];
    args.extend_from_slice(extra_args);
    let out = sb
        .cmd()
        .args(&args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "exit {:?}: {err}", out.status.code());
    let mut got = Vec::new();
    for line in stdout_of(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
        assert!(
            v["source"] == "symphony"
                && v["partition"] == "datafeed"
                && v["eventId"] == v["event"]["id"]
                && v["type"] == v["event"]["type"]
                && v["chunk"].is_u64()
                && v["receivedAt"].is_i64(),
            "{line}"
        );
        got.push(
            feedctl::symphony::Event::parse(&v["event"].to_string())
                .unwrap()
                .dedupe_key(),
        );
    }
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no event printed twice");
    let want: HashSet<&String> = expected.iter().collect();
    assert_eq!(unique, want, "every served event printed");
    // tail deleted its own feed on the way out.
    assert!(
        pod.server()
            .requests()
            .iter()
            .any(|r| r.target == "delete" && r.status == 204),
        "own feed deleted"
    );
    err
}

fn check_fault(fault: &str, stderr_says: &str) {
    let events = demo_events();
    let pod = serve_with(&events, &[fault], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let err = tail_all(&pod, &sb, &events, &[]);
    assert!(
        err.contains(stderr_says),
        "{fault}: stderr should say `{stderr_says}`:\n{err}"
    );
    assert!(
        pod.server().requests().iter().any(|r| r.fault.is_some()),
        "{fault} fired"
    );
}

#[test]
fn survives_500s() {
    check_fault("read:500+1x3", "answered HTTP 500");
}

#[test]
fn survives_a_401_by_logging_in_again() {
    check_fault("read:401+1", "authenticated again");
}

#[test]
fn survives_a_400_by_recreating_the_feed() {
    check_fault("read:400+2", "is gone (HTTP 400");
}

#[test]
fn survives_a_429_honouring_retry_after() {
    let started = Instant::now();
    check_fault("read:429+1", "answered HTTP 429");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After: 1"
    );
}

#[test]
fn survives_a_read_that_hangs() {
    check_fault("read:hang+1", "timed out");
}

#[test]
fn survives_a_reset_connection() {
    check_fault("read:reset+1", "connection broken");
}

#[test]
fn survives_a_dropped_connection() {
    check_fault("read:drop+1", "read failed");
}

#[test]
fn survives_a_truncated_body() {
    check_fault("read:truncate+1", "connection broken");
}

#[test]
fn survives_a_garbage_body() {
    check_fault("read:garbage+1", "not valid per the API spec");
}

#[test]
fn survives_login_500s() {
    check_fault(
        "login:500x2",
        "/login/pubkey/authenticate answered HTTP 500",
    );
}

#[test]
fn prints_duplicated_deliveries_once() {
    check_fault("read:duplicate+1", "repeated 7 events already delivered");
}

#[test]
fn prints_reordered_deliveries() {
    check_fault("read:reorder+1", "out of timestamp order");
}

#[test]
fn a_403_stops_with_exit_4_and_says_what_to_do() {
    let pod = serve_with(&demo_events(), &["read:403"], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["tail", "--read-timeout", "2s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = stderr_of(&out);
    assert!(
        err.contains("feedctl datafeed list") && err.contains("feedctl datafeed delete"),
        "{err}"
    );
}

#[test]
fn running_out_of_attempts_exits_4() {
    let pod = serve_with(&demo_events(), &["read:503x*"], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "    maxAttempts: 3\n");
    let out = sb
        .cmd()
        .args(["tail", "--read-timeout", "2s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("gave up after 3 attempts"), "{err}");
    assert_eq!(
        err.matches("retrying in").count(),
        2,
        "every retry announced: {err}"
    );
}

#[test]
fn soak_2000_events_through_a_seeded_20_percent_fault_mix() {
    let events = generated_events(2000);
    let faults = [
        "read:500@0.05",
        "read:reset@0.04",
        "read:truncate@0.04",
        "read:garbage@0.03",
        "read:duplicate@0.02",
        "read:reorder@0.02",
    ];
    let pod = serve_with(&events, &faults, 50);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let started = Instant::now();
    let err = tail_all(&pod, &sb, &events, &[]);
    assert!(started.elapsed() < Duration::from_secs(90), "bounded time");
    let faulted = pod
        .server()
        .requests()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(
        faulted >= 5,
        "the mix really fired ({faulted} faults): {err}"
    );
}

#[test]
fn two_readers_on_their_own_feeds_both_get_every_event() {
    let events = demo_events();
    let pod = serve_with(&events, &[], 10);
    let bot = local_client(&pod.url(), PRIVATE_KEY);
    // The "bot" has its own feed before tail starts.
    let feed = pod.rt.block_on(bot.create_datafeed(None, false)).unwrap();
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    tail_all(&pod, &sb, &events, &[]);
    let mut got = 0;
    let mut ack = String::new();
    while got < 40 {
        let r = pod
            .rt
            .block_on(bot.read_datafeed(&feed.id, &ack, Duration::from_secs(5)))
            .unwrap();
        got += r.events.len();
        ack = r.ack_id.unwrap();
    }
    assert_eq!(got, 40, "the other reader got every event too");
}

#[test]
fn filters_and_templates() {
    let events = demo_events();
    let pod = serve_with(&events, &[], 100);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args([
            "tail",
            "--type",
            "roomcreated,userjoinedroom",
            "--count",
            "3",
            "--format",
            "{type}|{id}|{initiator}",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines: Vec<String> = stdout_of(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("ROOMCREATED|") || l.starts_with("USERJOINEDROOM|")),
        "{lines:?}"
    );

    let out = sb.cmd().args(["tail", "--type", "NOPE"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("unknown event type `NOPE`")
            && stderr_of(&out).contains("MESSAGESENT")
    );
    let out = sb
        .cmd()
        .args(["tail", "--format", "{bogus}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn duration_stops_an_idle_tail() {
    let pod = serve_with("", &[], 10);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let started = Instant::now();
    let out = sb
        .cmd()
        .args(["tail", "--duration", "700ms"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[cfg(unix)]
#[test]
fn sigint_during_a_long_poll_exits_130_within_a_second_and_deletes_the_feed() {
    let mut opts = test_options("");
    opts.hub.poll_timeout = Duration::from_secs(30);
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let mut child = sb.spawn(&["tail"]);
    // Wait until tail has created its feed and is in its long poll.
    let until = Instant::now() + Duration::from_secs(10);
    while !pod.server().requests().iter().any(|r| r.target == "create") {
        assert!(Instant::now() < until, "tail never created its feed");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(sent.elapsed() < Duration::from_secs(5), "tail did not stop");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "stopped within 1 s ({:?})",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    assert!(
        pod.server()
            .requests()
            .iter()
            .any(|r| r.target == "delete" && r.status == 204),
        "feed deleted"
    );
}

#[test]
fn tails_a_v1_feed_through_faults() {
    let events = demo_events();
    let pod = serve_with(&events, &["read:500+1x2", "read:400+4"], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "  version: v1\n");
    let out = sb
        .cmd()
        .args(["tail", "--count", "40", "--read-timeout", "2s"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    let lines = stdout_of(&out).lines().count();
    assert_eq!(lines, 40, "{err}");
    assert!(
        err.contains("answered HTTP 500") && err.contains("is gone (HTTP 400"),
        "{err}"
    );
    assert!(
        pod.server()
            .requests()
            .iter()
            .all(|r| !r.path.contains("/v5/")),
        "v1 calls only"
    );
}

/// A config with a slower first retry interval, so a test can see the wait.
fn config_with_interval(sb: &Sandbox, base_url: &str, initial_ms: u64, extra: &str) {
    let (host, port) = host_port(base_url);
    sb.write(
        "config.yaml",
        &format!(
            "scheme: http\nhost: {host}\nport: {port}\nbot:\n  username: demo-bot\n  privateKey:\n    path: {}\n\
             datafeed:\n  retry:\n    initialIntervalMillis: {initial_ms}\n    maxIntervalMillis: 2000\n{extra}",
            fixture(PRIVATE_KEY).display()
        ),
    );
}

#[test]
fn two_401s_in_a_row_log_in_again_twice_and_wait_before_each_repeat() {
    let events = demo_events();
    let pod = serve_with(&events, &["read:401+1x2"], 7);
    let sb = Sandbox::new();
    config_with_interval(&sb, &pod.url(), 300, "");
    let err = tail_all(&pod, &sb, &events, &[]);
    assert!(err.contains("authenticated again"), "{err}");
    let requests = pod.server().requests();
    let logins = requests.iter().filter(|r| r.target == "login").count();
    assert_eq!(logins, 3, "the first login and one per 401");
    // After each 401 the read comes again only after the retry interval (300 ms, -20 % jitter).
    for (i, r) in requests.iter().enumerate() {
        if r.target == "read" && r.status == 401 {
            let ended = r.at + r.millis as i64;
            let next = requests[i + 1..]
                .iter()
                .find(|n| n.target == "read")
                .expect("a read after the 401");
            assert!(
                next.at - ended >= 230,
                "read repeated {} ms after a 401",
                next.at - ended
            );
        }
    }
}

#[test]
fn a_session_rejected_after_every_login_ends_with_exit_3_within_datafeed_retry() {
    let pod = serve_with(&demo_events(), &["read:401x*"], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "    maxAttempts: 3\n");
    let out = sb
        .cmd()
        .args(["tail", "--read-timeout", "2s"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("gave up after 3 attempts"), "{err}");
}

#[test]
fn a_400_is_followed_by_the_retry_wait_before_the_new_feed_is_read() {
    let events = demo_events();
    let pod = serve_with(&events, &["read:400+1"], 7);
    let sb = Sandbox::new();
    config_with_interval(&sb, &pod.url(), 300, "");
    tail_all(&pod, &sb, &events, &[]);
    let requests = pod.server().requests();
    let created = requests
        .iter()
        .rposition(|r| r.target == "create")
        .expect("a new feed");
    let c = &requests[created];
    let next = requests[created + 1..]
        .iter()
        .find(|r| r.target == "read")
        .expect("a read of the new feed");
    assert!(next.at - (c.at + c.millis as i64) >= 230, "read at once");
}

#[test]
fn a_v1_400_says_the_feed_was_replaced_and_names_no_ack_id() {
    let events = demo_events();
    let pod = serve_with(&events, &["read:400+2"], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "  version: v1\n");
    let out = sb
        .cmd()
        .args(["tail", "--count", "40", "--read-timeout", "2s"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    let gone = err
        .lines()
        .find(|l| l.contains("is gone (HTTP 400"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(gone.contains("read on from it"), "{gone}");
    assert!(!gone.contains("ackId"), "v1 has no ackId: {gone}");
}

#[test]
fn a_v1_tail_keeps_its_feed_id_in_id_file_path_and_the_next_run_reuses_it() {
    let events = demo_events();
    let pod = serve_with(&events, &[], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "  version: v1\n  idFilePath: state/\n");
    // The bot's own id file is never read: feedctl keeps its own beside it.
    std::fs::create_dir(sb.path().join("state")).unwrap();
    sb.write("state/datafeed.id", "the-bots-own-feed@");
    let tail = |count: &str| {
        let out = sb
            .cmd()
            .args(["tail", "--count", count, "--read-timeout", "2s"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stderr_of(&out)
    };
    let first = tail("10");
    let kept = std::fs::read_to_string(sb.path().join("state/feedctl.datafeed.id")).unwrap();
    let id = kept.trim().trim_end_matches('@').to_string();
    assert!(kept.ends_with('@') && !id.is_empty(), "{kept:?}");
    assert!(first.contains(&format!("created datafeed {id}")), "{first}");
    let second = tail("10");
    assert!(
        second.contains(&format!("reusing datafeed {id}")),
        "{second}"
    );
    let creates = pod
        .server()
        .requests()
        .iter()
        .filter(|r| r.target == "create")
        .count();
    assert_eq!(creates, 1, "one v1 feed for both runs");
    assert_eq!(
        std::fs::read_to_string(sb.path().join("state/datafeed.id")).unwrap(),
        "the-bots-own-feed@"
    );
}

#[test]
fn a_v1_feed_that_is_gone_is_replaced_in_the_id_file() {
    let events = demo_events();
    let pod = serve_with(&events, &[], 7);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "  version: v1\n");
    sb.write("feedctl.datafeed.id", "0123456789abcdef0123456789abcdef@");
    let out = sb
        .cmd()
        .args(["tail", "--count", "5", "--read-timeout", "2s"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("reusing datafeed 0123456789abcdef0123456789abcdef"),
        "{err}"
    );
    assert!(err.contains("is gone (HTTP 400"), "{err}");
    let kept = std::fs::read_to_string(sb.path().join("feedctl.datafeed.id")).unwrap();
    assert!(
        !kept.starts_with("0123456789abcdef"),
        "the new id is kept: {kept}"
    );
}
