//! The README's first command.

use crate::common::*;

#[test]
fn demo_runs_the_main_job_without_a_pod() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["demo", "-o", "ndjson"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 40, "every demo event on stdout");
    for l in &lines {
        serde_json::from_str::<serde_json::Value>(l).expect("each line is JSON");
    }
    let err = stderr_of(&out);
    assert!(err.contains("authenticated as demo-bot"), "{err}");
    assert!(err.contains("received all 40 of 40 events"), "{err}");
    assert!(
        err.contains("40 events in 4 chunks") && err.contains("verify: ok"),
        "the demo records: {err}"
    );
    assert!(
        err.contains("HTTP 503") && err.contains("retrying in"),
        "and shows a retry: {err}"
    );
    assert!(
        err.contains("replay run 1: 40 events"),
        "and replays: {err}"
    );
    assert!(
        err.contains("] reply in Rk3pVw9yHq2LdN7sXbT4Zn___oKd7Q2bdA: AAPL is 100.00"),
        "through the fixture handler: {err}"
    );
}

#[test]
fn demo_can_keep_its_journal() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["demo", "--journal", "demo.db", "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "demo.db", "-o", "json"])
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["events"], 40);
    assert_eq!(info["recordings"][0]["name"], "demo");
}

#[test]
fn demo_walks_the_salesforce_path_too() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["demo", "-o", "ndjson"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    for expected in [
        "emulated Salesforce streaming endpoint",
        "subscribed with --replay all and recorded 4 events",
        "403::Unknown client",
        "recorded 3 more after a new handshake",
        r#"resumed from the stored marker {"replayId":7"#,
        "9 Salesforce events, 0 duplicates, verify: ok",
        "handled replayId 9 (created)",
    ] {
        assert!(err.contains(expected), "`{expected}` in: {err}");
    }
    assert!(!err.contains("demo-password"), "no secret printed");
}
