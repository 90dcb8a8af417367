//! Authentication against serve: right key, wrong key, re-login on 401, no secrets in output.

use feedctl::serve::FaultRule;

use crate::common::*;

#[test]
fn auth_check_succeeds_with_the_right_key_in_both_pem_forms() {
    let pod = InProcess::start(test_options(""));
    for key in [PRIVATE_KEY, PRIVATE_KEY_PKCS1] {
        let sb = Sandbox::new();
        sb.config_for(&pod.url(), key);
        let out = sb
            .cmd()
            .args(["auth", "check", "-o", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{key}: {}", stderr_of(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["user"]["username"], "demo-bot");
        assert_eq!(v["user"]["id"], 349026222344902i64);
        let calls: Vec<&str> = v["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["call"].as_str().unwrap())
            .collect();
        assert_eq!(
            calls,
            [
                "/login/pubkey/authenticate",
                "/relay/pubkey/authenticate",
                "/pod/v2/sessioninfo"
            ]
        );
        assert!(v["calls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == 200 && c["millis"].is_u64()));
    }
}

#[test]
fn auth_check_table_names_the_bot() {
    let pod = InProcess::start(test_options(""));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let out = sb
        .cmd()
        .args(["auth", "check", "-o", "table"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = stdout_of(&out);
    assert!(
        s.contains("authenticated as demo-bot") && s.contains("349026222344902"),
        "{s}"
    );
    assert!(s.contains("/login/pubkey/authenticate"), "{s}");
}

#[test]
fn a_wrong_key_exits_3_with_a_clear_message() {
    let pod = InProcess::start(test_options(""));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), WRONG_KEY);
    let out = sb.cmd().args(["auth", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("authentication refused by /login/pubkey/authenticate (HTTP 401)"),
        "{err}"
    );
    assert!(err.contains("public key"), "says what to check: {err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn simplified_key_delivery_skips_the_key_manager() {
    let mut opts = test_options("");
    opts.skd = true;
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let out = sb
        .cmd()
        .args(["auth", "check", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["simplifiedKeyDelivery"], true);
    let targets: Vec<String> = pod
        .server()
        .requests()
        .iter()
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(
        targets,
        ["login", "info", "sessioninfo"],
        "no relay call with SKD"
    );
}

#[test]
fn a_401_from_the_agent_triggers_exactly_one_new_login_and_the_call_is_repeated() {
    let mut opts = test_options("");
    opts.faults = vec!["list:401".parse::<FaultRule>().unwrap()];
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let out = sb
        .cmd()
        .args(["datafeed", "list", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let log: Vec<(String, u16)> = pod
        .server()
        .requests()
        .iter()
        .map(|r| (r.target.clone(), r.status))
        .collect();
    let expected: Vec<(String, u16)> = [
        ("login", 200),
        ("relay", 200),
        ("list", 401),
        ("login", 200),
        ("relay", 200),
        ("list", 200),
    ]
    .iter()
    .map(|(t, s)| (t.to_string(), *s))
    .collect();
    assert_eq!(log, expected);
}

#[test]
fn a_session_rejected_twice_is_an_authentication_failure() {
    let mut opts = test_options("");
    opts.faults = vec!["list:401x2".parse::<FaultRule>().unwrap()];
    let pod = InProcess::start(opts);
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let out = sb.cmd().args(["datafeed", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let logins = pod
        .server()
        .requests()
        .iter()
        .filter(|r| r.target == "login")
        .count();
    assert_eq!(logins, 2, "one re-login, not a loop");
}

#[test]
fn no_token_or_key_material_appears_at_vvv() {
    let pod = InProcess::start(test_options(&demo_events()));
    let sb = Sandbox::new();
    sb.config_for(&pod.url(), PRIVATE_KEY);
    let mut transcript = String::new();
    let out = sb.cmd().args(["-vvv", "auth", "check"]).output().unwrap();
    assert!(out.status.success());
    transcript += &(stdout_of(&out) + &stderr_of(&out));
    let out = sb
        .cmd()
        .args(["-vvv", "datafeed", "create", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    transcript += &(stdout_of(&out) + &stderr_of(&out));
    let id = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = sb
        .cmd()
        .args(["-vvv", "datafeed", "read", &id, "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    transcript += &(stdout_of(&out) + &stderr_of(&out));
    let out = sb.cmd().args(["-vvv", "config", "show"]).output().unwrap();
    transcript += &(stdout_of(&out) + &stderr_of(&out));
    assert!(
        transcript.contains("DEBUG") || transcript.contains("TRACE"),
        "-vvv really logs: {transcript}"
    );

    let tokens = pod.server().issued_tokens();
    assert!(
        tokens.len() >= 6,
        "sessions and key manager tokens were issued"
    );
    for t in tokens {
        assert!(!transcript.contains(&t), "a token leaked");
        // Not even a fragment of one.
        assert!(
            !transcript.contains(&t[t.len() - 20..]),
            "a token fragment leaked"
        );
    }
    let pem = std::fs::read_to_string(fixture(PRIVATE_KEY)).unwrap();
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!transcript.contains(line), "key material leaked");
    }
}
