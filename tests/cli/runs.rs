//! `feedctl journal runs`, replay's handler-time percentiles and `journal info` per partition,
//! through the real binary (issue 31 item 5, and item 2's `journal info`).

use crate::common::*;

/// A sandbox whose `j.db` holds `events` imported as recording `demo`, in chunks of 10.
fn imported(events: &str) -> Sandbox {
    let sb = Sandbox::new();
    let file = sb.write("events.ndjson", events);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--name", "demo"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    sb
}

fn first_demo_events(n: usize) -> String {
    demo_events()
        .lines()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr_of(out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// `wc -c` says how many bytes each event's stdin had (the handler also keeps a copy of what
/// it read, so the test knows without knowing the envelope); one event fails with a word and
/// an escape sequence on stderr.
const HANDLER: &str = r#"tee -a seen.log | wc -c
if [ "$FEEDCTL_EVENT_ID" = 7163ur ]; then printf 'no thanks \033]0;pwned\007\n' >&2; exit 3; fi"#;

#[test]
fn journal_runs_lists_runs_and_shows_what_each_handler_said() {
    let sb = imported(&first_demo_events(3));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--sequential", "--exec", HANDLER])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let seen = std::fs::read_to_string(sb.path().join("seen.log")).unwrap();
    let sizes: Vec<String> = seen.lines().map(|l| format!("{}\n", l.len() + 1)).collect();
    assert_eq!(sizes.len(), 3);

    // The list: one run, its command and its counts by final outcome.
    let runs = json_of(
        &sb.cmd()
            .args(["journal", "runs", "-j", "j.db", "-o", "json"])
            .output()
            .unwrap(),
    );
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["id"], 1);
    assert_eq!(runs[0]["command"], HANDLER);
    assert_eq!(runs[0]["status"], "done");
    assert_eq!(runs[0]["events"], 3);
    assert_eq!(runs[0]["attempts"], 3);
    assert_eq!(
        runs[0]["outcomes"],
        serde_json::json!({"failed": 1, "handled": 2})
    );
    let table = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&table);
    assert!(
        text.contains("1 failed") && text.contains("wc -c"),
        "{text}"
    );
    assert_eq!(stderr_of(&table).trim(), "1 run");

    // One run: each event's outcome, status, and the handler's own words, exactly in JSON.
    let shown = json_of(
        &sb.cmd()
            .args(["journal", "runs", "-j", "j.db", "1", "-o", "json"])
            .output()
            .unwrap(),
    );
    let results = shown["results"].as_array().unwrap();
    let got: Vec<(String, String, Option<i64>, String, String)> = results
        .iter()
        .map(|r| {
            (
                r["eventId"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
                r["status"].as_i64(),
                r["stdout"].as_str().unwrap().to_string(),
                r["stderr"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "ui8y4t".into(),
                "handled".into(),
                Some(0),
                sizes[0].clone(),
                String::new()
            ),
            (
                "7163ur".into(),
                "failed".into(),
                Some(3),
                sizes[1].clone(),
                "no thanks \u{1b}]0;pwned\u{7}\n".into()
            ),
            (
                "n8laqw".into(),
                "handled".into(),
                Some(0),
                sizes[2].clone(),
                String::new()
            ),
        ]
    );
    assert!(results.iter().all(|r| r["durationMs"].is_i64()));
    assert_eq!(shown["run"]["id"], 1);

    // The table: the same words, the escape sequence made visible.
    let table = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "1", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&table);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("no thanks \\x1b]0;pwned\\x07"), "{text}");
    for size in &sizes {
        assert!(
            text.contains(&format!(" {} ", size.trim())),
            "{size} in {text}"
        );
    }
    assert!(
        stderr_of(&table).contains("3 of 3 handler runs shown"),
        "{}",
        stderr_of(&table)
    );

    // NDJSON: one result per line.
    let nd = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "1", "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(stdout_of(&nd).lines().count(), 3);

    // A run that does not exist: exit 2, and how to list them.
    let missing = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "7"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let err = stderr_of(&missing);
    assert!(
        err.contains("no replay run 7") && err.contains("feedctl journal runs -j"),
        "{err}"
    );
    assert!(missing.stdout.is_empty());
}

/// Output (stdout and stderr together) of `feedctl ARGS` run in `sb` on a pseudo-terminal.
fn on_a_terminal(sb: &Sandbox, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"));
    cmd.args(args)
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "80")
        .current_dir(sb.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("FEEDCTL_") {
            cmd.env_remove(k);
        }
    }
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).expect("pty");
    let text = p.exp_eof().expect("feedctl ends");
    // rexpect gives each byte as a char: the UTF-8 text back.
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
}

/// One event in twenty sleeps 0.4 s: p50 and p90 are the fast ones, p99 and max the slow one.
const SLOW_ONE: &str = r#"cat > /dev/null; [ "$FEEDCTL_EVENT_ID" = 7163ur ] && sleep 0.4; exit 0"#;

#[test]
fn replay_reports_handler_time_percentiles_and_draws_a_histogram_only_on_a_terminal() {
    let sb = imported(&first_demo_events(20));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--exec", SLOW_ONE, "-o", "json"])
        .output()
        .unwrap();
    let r = json_of(&out);
    let d = &r["durationMs"];
    let ms = |k: &str| d[k].as_u64().unwrap_or_else(|| panic!("{k} in {d}"));
    assert!(ms("p50") < 300 && ms("p90") < 300 && ms("p95") < 300, "{d}");
    assert!(
        (400..5_000).contains(&ms("p99")) && ms("p99") <= ms("max"),
        "{d}"
    );
    assert!(ms("p50") <= ms("p90") && ms("p90") <= ms("p95"), "{d}");
    // The histogram's numbers: every handler run once, the slow one in the last bucket.
    let buckets = r["durationHistogram"].as_array().unwrap();
    let total: u64 = buckets.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 20);
    let last = buckets.last().unwrap();
    assert_eq!(last["count"], 1);
    assert!(
        last["fromMs"].as_u64().unwrap() <= ms("max")
            && ms("max") <= last["toMs"].as_u64().unwrap()
    );
    // Piped stderr: the percentiles line, no chart.
    let err = stderr_of(&out);
    let line = format!(
        "handler time: p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        ms("p50"),
        ms("p90"),
        ms("p99"),
        ms("max")
    );
    assert!(err.contains(&line), "{err}");
    assert!(!err.contains('█') && !err.contains('▏'), "{err}");

    // On a terminal: a bar per bucket under the percentiles, the slow run's bucket with 1.
    let tty = on_a_terminal(&sb, &["replay", "-j", "j.db", "--exec", SLOW_ONE]);
    let at = tty.find("handler time: p50").expect("percentiles");
    let bars: Vec<&str> = tty[at..]
        .lines()
        .skip(1)
        .take_while(|l| l.contains(" ms "))
        .collect();
    assert!(bars.len() >= 2, "{tty}");
    assert!(
        bars.iter()
            .all(|l| l.contains('█') || l.contains('▏') || l.trim_end().ends_with(" 0")),
        "{tty}"
    );
    assert!(bars.last().unwrap().trim_end().ends_with(" 1"), "{tty}");
    // The progress bar's rate is a whole number ("38/s", not "38.4579/s").
    let rates: Vec<&str> = tty.split(" · ").filter(|w| w.ends_with("/s")).collect();
    assert!(!rates.is_empty(), "{tty}");
    assert!(
        rates
            .iter()
            .all(|r| r.trim_end_matches("/s").chars().all(|c| c.is_ascii_digit())),
        "{rates:?}"
    );
}

/// (partition, source kind, events, gaps) of each partition `journal info` lists.
fn partitions(info: &serde_json::Value) -> Vec<(String, String, i64, i64)> {
    info["partitions"]
        .as_array()
        .unwrap_or_else(|| panic!("partitions in {info}"))
        .iter()
        .map(|p| {
            (
                p["partition"].as_str().unwrap().to_string(),
                p["sourceKind"].as_str().unwrap().to_string(),
                p["events"].as_i64().unwrap(),
                p["gaps"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn journal_info_lists_each_redis_stream_key_with_its_counts_and_gap() {
    let Some(r) = crate::redis_server::RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    for i in 0..3 {
        r.xadd(&mut c, "orders", &[("n", i.to_string().as_bytes())]);
    }
    r.xadd(&mut c, "refunds", &[("n", b"1")]);
    let sb = Sandbox::new();
    let record = |sb: &Sandbox| {
        let out = sb
            .cmd()
            .args(["record", "-j", "j.db", &r.url("orders"), &r.url("refunds")])
            .arg("--exit-at-end")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        out
    };
    record(&sb);
    // Entries the recorder never read are trimmed away: the next run records a gap on `orders`.
    for i in 0..10 {
        r.xadd(&mut c, "orders", &[("later", i.to_string().as_bytes())]);
    }
    let _: i64 = redis::cmd("XTRIM")
        .arg("orders")
        .arg("MAXLEN")
        .arg(3)
        .query(&mut c)
        .unwrap();
    let out = record(&sb);
    assert!(stderr_of(&out).contains("trimmed"), "{}", stderr_of(&out));

    let info = journal_info(&sb, "j.db");
    assert_eq!(
        partitions(&info),
        vec![
            ("orders".into(), "redis".into(), 6, 1),
            ("refunds".into(), "redis".into(), 1, 0)
        ],
        "{info}"
    );
    let p = &info["partitions"][0];
    assert!(p["firstReceivedAt"].as_i64().unwrap() <= p["lastReceivedAt"].as_i64().unwrap());
    assert_eq!(p["rate"]["counts"].as_array().unwrap().len(), 48);
    let counted: u64 = info["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["rate"]["counts"].as_array().unwrap().clone())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(counted, 7, "every event in one bucket of its partition");
    let gaps = info["gapList"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{info}");
    assert_eq!(gaps[0]["partition"], "orders");
    assert!(
        gaps[0]["reason"].as_str().unwrap().contains("trimmed"),
        "{info}"
    );

    // The table names each key (no `(none)`), and the gap with its reason.
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "j.db", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("┆ orders ") && text.contains("┆ refunds "),
        "{text}"
    );
    assert!(!text.contains("(none)"), "{text}");
    assert!(
        text.contains("AFTER CHUNK") && text.contains("trimmed"),
        "{text}"
    );
}

#[test]
fn journal_info_lists_each_salesforce_channel_with_its_counts() {
    use crate::salesforce::{sf_cmd, SfServer, CH};
    const ORDERS: &str = "/event/Order__e";
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH, "--channel", ORDERS]);
    let sb = Sandbox::new();
    for i in 0..3 {
        srv.publish(&sb, CH, &format!("acct {i}"));
    }
    srv.publish(&sb, ORDERS, "order");
    let out = sf_cmd(&sb)
        .args([
            "record",
            "-j",
            "sf.db",
            &srv.source(CH),
            &srv.source(ORDERS),
        ])
        .args(["--replay", "all", "--exit-at-end"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let info = journal_info(&sb, "sf.db");
    let mut got = partitions(&info);
    got.sort();
    assert_eq!(
        got,
        vec![
            (ORDERS.into(), "salesforce".into(), 1, 0),
            (CH.into(), "salesforce".into(), 3, 0),
        ],
        "{info}"
    );
}

/// Eleven demo events in chunks of four, from a fixed file: the same journal (times included)
/// on every run.
fn fixed_journal() -> Sandbox {
    let sb = Sandbox::new();
    sb.write("fixed.ndjson", &first_demo_events(11));
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "fixed.db", "--name", "fixed"])
        .args(["--chunk-size", "4", "fixed.ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    sb
}

#[test]
fn journal_info_snapshots_of_a_fixed_journal() {
    let sb = fixed_journal();
    let mut info = journal_info(&sb, "fixed.db");
    // What changes from run to run: the file's size and when the recording was made.
    info["bytes"] = 0.into();
    info["recordings"][0]["createdAt"] = 0.into();
    insta::assert_json_snapshot!("journal_info_fixed_json", info);
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "fixed.db", "-o", "table"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    let text = text
        .lines()
        .map(|l| match l.starts_with("journal ") {
            true => "journal     fixed.db (N bytes)",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("journal_info_fixed_table", text);
}

#[test]
fn journal_info_draws_a_sparkline_per_partition_only_on_a_terminal() {
    let sb = fixed_journal();
    let piped = sb
        .cmd()
        .args(["journal", "info", "-j", "fixed.db", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&piped);
    assert!(!text.contains("events received from"), "{text}");
    assert!(!text.contains('▁') && !text.contains('█'), "{text}");
    let tty = on_a_terminal(&sb, &["journal", "info", "-j", "fixed.db"]);
    let at = tty
        .find("events received from")
        .unwrap_or_else(|| panic!("{tty}"));
    let row = tty[at..].lines().nth(1).unwrap();
    assert!(row.starts_with("  import "), "{row:?}");
    assert!(row.chars().count() <= 80, "{row:?}");
    // Three chunks (4, 4 and 3 events): three bars, the fullest ones full.
    let spark: String = row.chars().filter(|c| ('▁'..='█').contains(c)).collect();
    assert_eq!(spark.chars().count(), 3, "{row:?}");
    assert!(spark.contains('█'), "{row:?}");
    assert!(
        row.contains(" peak ") && row.trim_end().ends_with("/s"),
        "{row:?}"
    );
}

#[test]
fn a_count_of_one_is_singular_in_import_and_info() {
    let one = first_demo_events(1);
    let sb = Sandbox::new();
    // The same event twice: the second is a repeated delivery.
    sb.write("twice.ndjson", &format!("{one}{one}"));
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "twice.ndjson"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(
        err.contains("imported 2 events in 1 chunk into")
            && err.contains("(1 repeated delivery flagged)"),
        "{err}"
    );
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "j.db", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("events      2 in 1 chunk, 1 repeated delivery, 0 gaps"),
        "{text}"
    );
}

#[test]
fn journal_info_shows_the_first_twenty_partitions_and_counts_the_rest() {
    let Some(r) = crate::redis_server::RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let keys: Vec<String> = (0..22).map(|i| format!("k{i:02}")).collect();
    for k in &keys {
        r.xadd(&mut c, k, &[("n", b"1")]);
    }
    let sb = Sandbox::new();
    let urls: Vec<String> = keys.iter().map(|k| r.url(k)).collect();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", "--exit-at-end"])
        .args(&urls)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(partitions(&journal_info(&sb, "j.db")).len(), 22);
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "j.db", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("┆ k19 ") && !text.contains("┆ k20 "),
        "{text}"
    );
    assert!(
        stderr_of(&out).contains("2 more partitions; -o json lists them all"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn journal_info_lists_a_symphony_recording_as_its_datafeed() {
    let mut opts = test_options(&demo_events());
    opts.hub.batch_size = 10;
    opts.hub.poll_timeout = std::time::Duration::from_millis(300);
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "rec.db", "--count", "20"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let info = journal_info(&sb, "rec.db");
    assert_eq!(
        partitions(&info),
        vec![("datafeed".into(), "symphony".into(), 20, 0)],
        "{info}"
    );
    assert_eq!(info["partitions"][0]["chunks"], 2);
}
