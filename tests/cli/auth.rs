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

/// A forward HTTP proxy for one test: forwards each connection to the server it names and keeps
/// the first request line of each, so the test can see what went through it.
fn start_proxy() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut client = client;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head).to_string();
                let first = text.lines().next().unwrap_or("").to_string();
                // Absolute-form request line: METHOD http://host:port/path HTTP/1.1
                let target = first
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .trim_start_matches("http://")
                    .to_string();
                let authority = target.split('/').next().unwrap_or("").to_string();
                log.lock().unwrap().push(first);
                let Ok(mut server) = std::net::TcpStream::connect(&authority) else {
                    return;
                };
                server.write_all(&head).unwrap();
                let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let up = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut s2);
                    let _ = s2.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut server, &mut client);
                let _ = up.join();
            });
        }
    });
    (port, seen)
}

#[test]
fn the_configured_proxy_carries_every_call() {
    let pod = InProcess::start(test_options(""));
    let (proxy_port, seen) = start_proxy();
    let sb = Sandbox::new();
    let (host, port) = host_port(&pod.url());
    sb.write(
        "config.yaml",
        &format!(
            "scheme: http\nhost: {host}\nport: {port}\nproxy:\n  host: 127.0.0.1\n  port: {proxy_port}\nbot:\n  username: demo-bot\n  privateKey:\n    path: {}\n",
            fixture(PRIVATE_KEY).display()
        ),
    );
    let out = sb.cmd().args(["auth", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST http://") && l.contains("/login/pubkey/authenticate")),
        "through the proxy: {lines:?}"
    );
}

fn tls_pod(client_ca: bool) -> InProcess {
    let read = |f: &str| std::fs::read_to_string(fixture(f)).unwrap();
    let mut opts = test_options("");
    opts.tls = Some(feedctl::serve::tls::TlsOptions {
        cert_pem: read("tls/TEST-ONLY-server-cert.pem"),
        key_pem: read("tls/TEST-ONLY-server-key.pem"),
        client_ca_pem: client_ca.then(|| read("tls/TEST-ONLY-ca.pem")),
    });
    InProcess::start(opts)
}

fn https_config(sb: &Sandbox, url: &str, trust: bool, credential: &str) {
    let port = url.rsplit(':').next().unwrap();
    let trust = if trust {
        format!(
            "ssl:\n  trustStore:\n    path: {}\n",
            fixture("tls/TEST-ONLY-ca.pem").display()
        )
    } else {
        String::new()
    };
    sb.write("config.yaml", &format!("scheme: https\nhost: 127.0.0.1\nport: {port}\n{trust}bot:\n  username: demo-bot\n{credential}"));
}

#[test]
fn certificate_auth_over_mtls_with_a_trust_store() {
    let pod = tls_pod(true);
    assert!(pod.url().starts_with("https://"));
    let sb = Sandbox::new();
    let cert = format!(
        "  certificate:\n    path: {}\n",
        fixture("tls/TEST-ONLY-bot-cert-and-key.pem").display()
    );
    https_config(&sb, &pod.url(), true, &cert);
    let out = sb
        .cmd()
        .args(["auth", "check", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let calls: Vec<&str> = v["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call"].as_str().unwrap())
        .collect();
    assert_eq!(
        calls,
        [
            "/sessionauth/v1/authenticate",
            "/keyauth/v1/authenticate",
            "/pod/v2/sessioninfo"
        ]
    );
    let out = sb.cmd().args(["datafeed", "create"]).output().unwrap();
    assert!(
        out.status.success(),
        "agent calls work with the certificate session: {}",
        stderr_of(&out)
    );
}

#[test]
fn without_the_trust_store_the_server_certificate_is_refused() {
    let pod = tls_pod(false);
    let sb = Sandbox::new();
    let key = format!(
        "  privateKey:\n    path: {}\n",
        fixture(PRIVATE_KEY).display()
    );
    https_config(&sb, &pod.url(), false, &key);
    let out = sb.cmd().args(["auth", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).to_lowercase().contains("certificate"),
        "{}",
        stderr_of(&out)
    );
    // With ssl.trustStore, the same RSA bot logs in over HTTPS.
    https_config(&sb, &pod.url(), true, &key);
    let out = sb.cmd().args(["auth", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn a_client_certificate_the_ca_does_not_accept_is_refused() {
    let pod = tls_pod(true);
    let sb = Sandbox::new();
    // The server's own certificate is not a client certificate (its key usage is serverAuth).
    let bundle = format!(
        "{}{}",
        std::fs::read_to_string(fixture("tls/TEST-ONLY-server-cert.pem")).unwrap(),
        std::fs::read_to_string(fixture("tls/TEST-ONLY-server-key.pem")).unwrap()
    );
    let file = sb.write("wrong-cert.pem", &bundle);
    https_config(
        &sb,
        &pod.url(),
        true,
        &format!("  certificate:\n    path: {}\n", file.display()),
    );
    let out = sb.cmd().args(["auth", "check"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", stderr_of(&out));
}
