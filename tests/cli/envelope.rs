//! Issue 31 items 1 and 2: every source's events leave feedctl in one envelope, read by one `jq`
//! filter; `--format`, `--type` and `journal show` work the same for every source. Each source
//! is the real thing: the emulated pod, a redis-server, the Salesforce emulator.

use std::time::Duration;

use crate::common::*;
use crate::redis_server::RedisServer;
use crate::salesforce::{sf_cmd, SfServer};

/// The one filter: the envelope's keys and the kinds of their values.
const FILTER: &str = r#"[.source, .partition, .eventId, .type, (.time|type), (.chunk|type), (.receivedAt|type), (.event|type)] | @tsv"#;

/// `stdout` through `jq -r FILTER`, one row of fields per line.
fn jq(stdout: &str) -> Vec<Vec<String>> {
    use std::io::Write;
    let mut child = std::process::Command::new("jq")
        .args(["-r", FILTER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("jq");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdout.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "jq failed on:\n{stdout}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn row(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

/// Two Redis entries with known ids: a plain one and one with a `type` field.
fn redis_entries(r: &RedisServer) {
    let mut c = r.conn();
    for (id, fields) in [
        ("1795357800041-0", vec![("sku", "A-1"), ("qty", "2")]),
        (
            "1795357800042-0",
            vec![("type", "order.Placed"), ("sku", "B-2")],
        ),
    ] {
        let mut cmd = redis::cmd("XADD");
        cmd.arg("orders").arg(id);
        for (k, v) in fields {
            cmd.arg(k).arg(v);
        }
        let _: String = cmd.query(&mut c).unwrap();
    }
}

#[test]
fn one_jq_filter_reads_the_envelope_of_every_source() {
    if !tools_installed(&["jq"]) {
        return;
    }
    // Symphony: the emulated pod's first three demo events.
    let events = demo_events();
    let pod = InProcess::start(test_options(&events));
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args([
            "tail",
            "--count",
            "3",
            "--read-timeout",
            "2s",
            "-o",
            "ndjson",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let want: Vec<Vec<String>> = events
        .lines()
        .take(3)
        .map(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            row(&[
                "symphony",
                "datafeed",
                e["id"].as_str().unwrap(),
                e["type"].as_str().unwrap(),
                "number",
                "number",
                "number",
                "object",
            ])
        })
        .collect();
    assert_eq!(jq(&stdout_of(&out)), want);

    // Redis: the entries, by their ids; the type from the `type` field.
    let Some(r) = RedisServer::start() else {
        return;
    };
    redis_entries(&r);
    let out = sb
        .cmd()
        .args([
            "tail",
            &r.url("orders"),
            "--from",
            "beginning",
            "--count",
            "2",
        ])
        .args(["-o", "ndjson"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        jq(&stdout_of(&out)),
        vec![
            row(&[
                "redis",
                "orders",
                "1795357800041-0",
                "",
                "number",
                "number",
                "number",
                "object"
            ]),
            row(&[
                "redis",
                "orders",
                "1795357800042-0",
                "order.Placed",
                "number",
                "number",
                "number",
                "object"
            ]),
        ]
    );

    // Salesforce: the channel, the replay ids the emulator gave, the PushTopic event type.
    let srv = SfServer::start("127.0.0.1:0", &["--channel", crate::salesforce::CH]);
    let ids: Vec<i64> = (0..2)
        .map(|i| srv.publish(&sb, crate::salesforce::CH, &format!("Acme {i}")))
        .collect();
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &srv.source(crate::salesforce::CH),
            "--replay",
            "all",
        ])
        .args(["--exit-at-end", "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = jq(&stdout_of(&out));
    assert_eq!(rows.len(), 2, "{}", stdout_of(&out));
    for (row, id) in rows.iter().zip(&ids) {
        assert_eq!(
            row[..3],
            [
                "salesforce".to_string(),
                crate::salesforce::CH.to_string(),
                id.to_string()
            ]
        );
        assert!(!row[3].is_empty(), "a type: {row:?}");
        assert_eq!(
            row[4..],
            ["number", "number", "number", "object"].map(String::from)
        );
    }
}

/// `--format` names and dotted paths, and `--type`, on Redis and Salesforce (Symphony's are in
/// tail.rs and the unit tests).
#[test]
fn format_paths_and_type_filters_work_for_redis_and_salesforce() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    redis_entries(&r);
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "tail",
            &r.url("orders"),
            "--from",
            "beginning",
            "--exit-at-end",
        ])
        .args([
            "--format",
            "{source} {partition} {id} [{type}] {fields.sku} {fields.nope}|{timestamp}",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "redis orders 1795357800041-0 [] A-1 |1795357800041\n\
         redis orders 1795357800042-0 [order.Placed] B-2 |1795357800042\n"
    );
    // --type matches the entry's type without regard to case.
    let out = sb
        .cmd()
        .args([
            "tail",
            &r.url("orders"),
            "--from",
            "beginning",
            "--exit-at-end",
        ])
        .args(["--type", "ORDER.placed", "--format", "{id}"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "1795357800042-0\n");
    // A name that is neither the source's nor a path is refused, naming what there is.
    let out = sb
        .cmd()
        .args(["tail", &r.url("orders"), "--format", "{text}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("{partition}"),
        "{}",
        stderr_of(&out)
    );

    let srv = SfServer::start("127.0.0.1:0", &["--channel", crate::salesforce::CH]);
    let ids: Vec<i64> = (0..2)
        .map(|i| srv.publish(&sb, crate::salesforce::CH, &format!("Acme {i}")))
        .collect();
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &srv.source(crate::salesforce::CH),
            "--replay",
            "all",
        ])
        .args([
            "--exit-at-end",
            "--format",
            "{id}={event.replayId} {channel} {sobject.Name}",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let want: String = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("{id}={id} {} Acme {i}\n", crate::salesforce::CH))
        .collect();
    assert_eq!(stdout_of(&out), want);
}

/// A journal with one recording of each source: `sym` (the first chunks of the emulated pod's
/// demo events), `redis` (the two entries of [`redis_entries`]), `sf` (two events of the
/// Salesforce emulator). `None` when redis-server is missing outside CI.
fn one_recording_of_each(sb: &Sandbox) -> Option<(RedisServer, SfServer, InProcess)> {
    let mut opts = test_options(&demo_events());
    opts.hub.batch_size = 3;
    let pod = InProcess::start(opts);
    sb.fast_config_for(&pod.url(), "");
    let out = sb
        .cmd()
        .args(["record", "-j", "all.db", "--name", "sym", "--count", "3"])
        .args(["--read-timeout", "2s"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let r = RedisServer::start()?;
    redis_entries(&r);
    let out = sb
        .cmd()
        .args([
            "record",
            &r.url("orders"),
            "-j",
            "all.db",
            "--name",
            "redis",
        ])
        .args(["--exit-at-end"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // Replay ids from 1, as a new org's (not from the start time): the snapshots stay the same.
    let srv = SfServer::start(
        "127.0.0.1:0",
        &["--channel", crate::salesforce::CH, "--first-replay-id", "1"],
    );
    for i in 0..2 {
        srv.publish(sb, crate::salesforce::CH, &format!("Acme {i}"));
    }
    let out = sf_cmd(sb)
        .args(["record", &srv.source(crate::salesforce::CH), "-j", "all.db"])
        .args(["--name", "sf", "--replay", "all", "--exit-at-end"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    Some((r, srv, pod))
}

fn run(sb: &Sandbox, args: &[&str]) -> String {
    let out = sb.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    stdout_of(&out)
}

/// What changes from run to run: when chunks were received, the Salesforce emulator's dates
/// (it stamps events as they are published), the journal's path and size.
fn stable(name: &str, text: &str, salesforce: bool) {
    let mut filters = vec![(r#""receivedAt": ?\d+"#, r#""receivedAt":"[received]""#)];
    if salesforce {
        filters.push((r#""time": ?\d+"#, r#""time":"[time]""#));
        filters.push((
            r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+0000)?",
            "[date]",
        ));
    }
    insta::with_settings!({ filters => filters, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn snapshots_of_the_envelope_format_and_show_for_each_source() {
    let sb = Sandbox::new();
    let Some((r, srv, _pod)) = one_recording_of_each(&sb) else {
        return;
    };
    for (rec, salesforce) in [("sym", false), ("redis", false), ("sf", true)] {
        let export = run(
            &sb,
            &["journal", "export", "-j", "all.db", "--recording", rec],
        );
        stable(&format!("envelope-export-{rec}"), &export, salesforce);
        let show = run(
            &sb,
            &[
                "journal",
                "show",
                "-j",
                "all.db",
                "--recording",
                rec,
                "-o",
                "table",
            ],
        );
        stable(&format!("envelope-show-table-{rec}"), &show, salesforce);
        let show = run(
            &sb,
            &[
                "journal",
                "show",
                "-j",
                "all.db",
                "--recording",
                rec,
                "-o",
                "json",
                "--limit",
                "2",
            ],
        );
        stable(&format!("envelope-show-json-{rec}"), &show, salesforce);
    }
    // journal info: every recording by its partitions (dates and the file's size vary).
    let info = run(&sb, &["journal", "info", "-j", "all.db", "-o", "table"]);
    insta::with_settings!({
        filters => vec![
            (r"\(\d+ bytes\)", "(N bytes)"),
            (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?", "[date]"),
            (r"\d{2}:\d{2}:\d{2}(\.\d+)?", "[clock]"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("envelope-info-all", info);
    });
    // The same template over the live sources.
    let template = "{source}|{partition}|{id}|{type}|{timestamp}|{chunk}";
    let out = sb
        .cmd()
        .args([
            "tail",
            &r.url("orders"),
            "--from",
            "beginning",
            "--exit-at-end",
        ])
        .args(["--format", template])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stable("envelope-format-redis", &stdout_of(&out), false);
    let out = sf_cmd(&sb)
        .args([
            "tail",
            &srv.source(crate::salesforce::CH),
            "--replay",
            "all",
        ])
        .args(["--exit-at-end", "--format", template])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    // The timestamps of the emulator's events: the time of the run.
    let text: String = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split('|').collect();
            assert!(f[4].parse::<i64>().is_ok(), "{l}");
            f[4] = "[time]";
            f.join("|") + "\n"
        })
        .collect();
    stable("envelope-format-sf", &text, false);
    let out = sb
        .cmd()
        .args([
            "tail",
            "--count",
            "3",
            "--read-timeout",
            "2s",
            "--format",
            template,
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stable("envelope-format-sym", &stdout_of(&out), false);
}
