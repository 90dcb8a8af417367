//! `feedctl datafeed create|list|read|delete` (v2) and `create|read` (v1) against serve, with
//! the documented JSON shapes pinned by snapshots.

use serde_json::Value;

use crate::common::*;

fn json_of(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        stderr_of(out)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout_of(out)))
}

/// Replaces values that change from run to run, keeping the shape.
fn normalise(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    match k.as_str() {
                        // Datafeed ids are long and random; event ids (6 characters) are kept.
                        "id" | "datafeedId" if item.as_str().is_some_and(|s| s.len() >= 20) => {
                            *item = Value::String("[datafeed id]".into())
                        }
                        "createdAt" if item.is_number() => *item = Value::String("[millis]".into()),
                        "ackId" | "ackIdSent" if item.as_str().is_some_and(|s| !s.is_empty()) => {
                            *item = Value::String("[ack id]".into())
                        }
                        _ => walk(item),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

#[test]
fn v2_create_list_read_ack_delete() {
    let pod = InProcess::start(test_options(&all_types()));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);

    let created = json_of(
        &sb.cmd()
            .args(["datafeed", "create", "--tag", "tests", "-o", "json"])
            .output()
            .unwrap(),
    );
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.ends_with("_f"));
    insta::assert_json_snapshot!("datafeed_create_v2", normalise(created));

    let listed = json_of(
        &sb.cmd()
            .args(["datafeed", "list", "-o", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed[0]["id"], id.as_str());
    insta::assert_json_snapshot!("datafeed_list", normalise(listed));
    let by_tag = json_of(
        &sb.cmd()
            .args(["datafeed", "list", "--tag", "other", "-o", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(by_tag, Value::Array(vec![]), "tag restricts the list");

    let read = json_of(
        &sb.cmd()
            .args(["datafeed", "read", &id, "-o", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(read["events"].as_array().unwrap().len(), 17);
    // The events are the exact JSON served.
    let served: Vec<Value> = all_types()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(read["events"].as_array().unwrap(), &served);
    let ack = read["ackId"].as_str().unwrap().to_string();
    let shape = normalise(serde_json::json!({
        "datafeedId": read["datafeedId"], "version": read["version"], "ackIdSent": read["ackIdSent"],
        "ackId": read["ackId"], "events": [read["events"][0]],
    }));
    insta::assert_json_snapshot!("datafeed_read_v2", shape);

    // Acknowledged: the next read has nothing (long poll ends empty).
    let next = json_of(
        &sb.cmd()
            .args(["datafeed", "read", &id, "--ack-id", &ack, "-o", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(next["events"].as_array().unwrap().len(), 0);

    let deleted = json_of(
        &sb.cmd()
            .args(["datafeed", "delete", "--yes", &id, "-o", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        deleted,
        serde_json::json!({"deleted": [id], "notFound": []})
    );
    let listed = json_of(
        &sb.cmd()
            .args(["datafeed", "list", "-o", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed, Value::Array(vec![]));
    // Deleting again is not an error: it is reported as not found.
    let again = json_of(
        &sb.cmd()
            .args(["datafeed", "delete", "--yes", &id, "-o", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(again["notFound"][0], id.as_str());
}

#[test]
fn ndjson_and_table_outputs() {
    let pod = InProcess::start(test_options(&all_types()));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let id = stdout_of(
        &sb.cmd()
            .args(["datafeed", "create", "-o", "table"])
            .output()
            .unwrap(),
    )
    .trim()
    .to_string();
    assert!(
        id.ends_with("_f"),
        "table output of create is the bare id: {id}"
    );
    let out = sb
        .cmd()
        .args(["datafeed", "read", &id, "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<String> = stdout_of(&out).lines().map(str::to_string).collect();
    let expected: Vec<String> = all_types().lines().map(str::to_string).collect();
    assert_eq!(
        lines, expected,
        "ndjson prints the exact bytes served, one event per line"
    );
    assert!(
        stderr_of(&out).contains("ackId: "),
        "the new ackId goes to stderr"
    );
    let out = sb
        .cmd()
        .args(["datafeed", "list", "-o", "table"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains(&id) && stdout_of(&out).contains("fanout"));
}

#[test]
fn v1_create_and_read() {
    let pod = InProcess::start(test_options(&all_types()));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let created = json_of(
        &sb.cmd()
            .args([
                "--datafeed-version",
                "v1",
                "datafeed",
                "create",
                "-o",
                "json",
            ])
            .output()
            .unwrap(),
    );
    let id = created["id"].as_str().unwrap().to_string();
    insta::assert_json_snapshot!("datafeed_create_v1", normalise(created));
    let read = json_of(
        &sb.cmd()
            .args([
                "--datafeed-version",
                "v1",
                "datafeed",
                "read",
                &id,
                "-o",
                "json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(read["events"].as_array().unwrap().len(), 17);
    assert_eq!(read["ackId"], Value::Null);
    // v1 has no ack: what was delivered is gone, and an idle read is a 204 with no events.
    let idle = json_of(
        &sb.cmd()
            .args([
                "--datafeed-version",
                "v1",
                "datafeed",
                "read",
                &id,
                "-o",
                "json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(idle["events"].as_array().unwrap().len(), 0);
    let statuses: Vec<u16> = pod
        .server()
        .requests()
        .iter()
        .filter(|r| r.target == "read")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [200, 204]);
    let out = sb
        .cmd()
        .args(["--datafeed-version", "v1", "datafeed", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "v1 has no list call");
}

#[test]
fn reading_an_unknown_feed_says_what_to_do() {
    let pod = InProcess::start(test_options(""));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let out = sb
        .cmd()
        .args(["datafeed", "read", "0000_f"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = stderr_of(&out);
    assert!(
        err.contains("does not exist")
            && err.contains("feedctl datafeed create")
            && err.contains("HTTP 400"),
        "{err}"
    );
}

#[test]
fn a_server_sending_garbage_is_a_clear_error_not_a_panic() {
    let mut opts = test_options("");
    opts.faults = vec!["list:garbage".parse().unwrap()];
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let out = sb.cmd().args(["datafeed", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = stderr_of(&out);
    assert!(err.contains("not valid per the API spec"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_script_gets_the_bare_id_with_q_and_delete_without_a_terminal_needs_yes() {
    let pod = InProcess::start(test_options(""));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    // Piped, as in ID=$(feedctl -q datafeed create): only the id on stdout.
    let out = sb
        .cmd()
        .args(["-q", "datafeed", "create"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let id = stdout_of(&out);
    assert!(
        id.trim().ends_with("_f") && id.trim().lines().count() == 1 && !id.contains('{'),
        "{id:?}"
    );
    let id = id.trim().to_string();
    // Delete with stdin not a terminal: refused, nothing deleted.
    let out = sb
        .cmd()
        .args(["datafeed", "delete", &id])
        .write_stdin("y\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("--yes") && err.contains(&id), "{err}");
    assert!(
        !pod.server().requests().iter().any(|r| r.target == "delete"),
        "nothing deleted"
    );
    let out = sb
        .cmd()
        .args(["datafeed", "delete", "--yes", &id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn serve_events_demo_uses_the_built_in_events_from_any_directory() {
    let sb = Sandbox::new();
    let serve = ServeProcess::spawn(&[
        "--events",
        "demo",
        "--accept-any-key",
        "--poll-timeout",
        "300ms",
    ]);
    sb.config_for(&serve.base_url, PRIVATE_KEY);
    let out = sb
        .cmd()
        .args(["tail", "--count", "40", "--read-timeout", "5s"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 40);
}
