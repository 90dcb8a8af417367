//! How feedctl connects to Redis, on every path (`tail`, `record`, `replay --to`, `consume`):
//! TLS client certificates (`--tls-cert/--tls-key`, `--tls-ca`), `rediss://` to a port without
//! TLS, Unix sockets (`redis+unix://`), and `--connection-timeout` (docs/redis.md,
//! "Connecting"). Each server is a real redis-server started by the test, stopped by PID.

use std::time::{Duration, Instant};

use crate::common::*;
use crate::redis_server::{test_ca, test_client_cert, RedisServer};

fn xlen(r: &RedisServer, key: &str) -> usize {
    redis::cmd("XLEN").arg(key).query(&mut r.conn()).unwrap()
}

/// `rediss://` to a port that speaks plain Redis ends at once (exit 4) saying the server did
/// not speak TLS, instead of "timed out" and retrying forever.
#[test]
fn rediss_to_a_plain_port_says_the_server_did_not_speak_tls() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    r.fill("in", 3);
    let sb = Sandbox::new();
    let url = format!("rediss://127.0.0.1:{}/in", r.port);
    for args in [
        vec!["tail", url.as_str(), "--from", "beginning", "--count", "1"],
        vec!["record", "-j", "r.db", url.as_str(), "--count", "3"],
        vec!["consume", url.as_str(), "--group", "g", "--exec", "true"],
    ] {
        let started = Instant::now();
        let out = sb
            .cmd()
            .timeout(Duration::from_secs(20))
            .args(&args)
            .args(["--tls-ca".to_string(), test_ca().display().to_string()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("did not speak TLS") && stderr_of(&out).contains("redis://"),
            "{args:?}: {}",
            stderr_of(&out)
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{args:?}: took {:?}",
            started.elapsed()
        );
    }
}

/// A server that requires a client certificate (`tls-auth-clients yes`): without one every
/// path exits 4 at once naming --tls-cert; with the TEST-ONLY client certificate (flags or
/// FEEDCTL_REDIS_TLS_* variables) tail, record, replay --to and consume work.
#[test]
fn a_server_that_requires_a_client_certificate_gets_the_one_of_tls_cert() {
    let Some(r) = RedisServer::start_tls_client_auth() else {
        return;
    };
    r.fill("in", 40);
    let sb = Sandbox::new();
    let ca = test_ca().display().to_string();
    let cert = test_client_cert().display().to_string();
    let url = r.url("in");

    for args in [
        vec!["tail", url.as_str(), "--from", "beginning", "--count", "1"],
        vec!["record", "-j", "no.db", url.as_str(), "--count", "40"],
        vec!["consume", url.as_str(), "--group", "g", "--exec", "true"],
        vec!["consume", "status", url.as_str(), "--group", "g"],
    ] {
        let started = Instant::now();
        let mut c = sb.cmd();
        c.timeout(Duration::from_secs(20))
            .env("FEEDCTL_REDIS_TLS_CA", &ca)
            .args(&args);
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("--tls-cert")
                && stderr_of(&out).contains("requires a client certificate"),
            "{args:?}: {}",
            stderr_of(&out)
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{args:?}: took {:?}",
            started.elapsed()
        );
    }

    // With it: flags on record, tail and consume; the variables on replay --to.
    let out = sb
        .cmd()
        .args(["-q", "record", "-j", "tls.db", &url, "--count", "40"])
        .args(["--tls-ca", &ca, "--tls-cert", &cert, "--tls-key", &cert])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args([
            "-o",
            "ndjson",
            "tail",
            &url,
            "--from",
            "beginning",
            "--count",
            "2",
        ])
        .args(["--tls-ca", &ca, "--tls-cert", &cert])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 2, "{}", stdout_of(&out));
    let out = sb
        .cmd()
        .timeout(Duration::from_secs(20))
        .env("FEEDCTL_REDIS_TLS_CA", &ca)
        .args(["-q", "replay", "-j", "tls.db", "--to", &r.url("copy")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("--tls-cert"),
        "{}",
        stderr_of(&out)
    );
    let out = sb
        .cmd()
        .env("FEEDCTL_REDIS_TLS_CA", &ca)
        .env("FEEDCTL_REDIS_TLS_CERT", &cert)
        .env("FEEDCTL_REDIS_TLS_KEY", &cert)
        .args(["-q", "replay", "-j", "tls.db", "--to", &r.url("copy")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(xlen(&r, "copy"), 40);
    let out = sb
        .cmd()
        .args([
            "-q",
            "consume",
            &r.url("copy"),
            "--group",
            "g",
            "--exec",
            "true",
        ])
        .args(["--count", "40", "--tls-ca", &ca, "--tls-cert", &cert])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(r.pending("copy", "g"), 0);
    let out = sb
        .cmd()
        .args(["consume", "status", &r.url("copy"), "--group", "g"])
        .args(["--tls-ca", &ca, "--tls-cert", &cert])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

/// `redis+unix:///path?key=KEY`: a server on a Unix socket only, for tail, record, replay --to
/// and consume.
#[test]
fn a_unix_socket_serves_tail_record_replay_and_consume() {
    let Some(r) = RedisServer::start_unix() else {
        return;
    };
    r.fill("in", 30);
    let sb = Sandbox::new();
    let url = r.url("in");
    let out = sb
        .cmd()
        .args(["-q", "record", "-j", "u.db", &url, "--count", "30"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "u.db", "-o", "json"])
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["events"], 30, "{info}");
    let out = sb
        .cmd()
        .args([
            "-o",
            "ndjson",
            "tail",
            &url,
            "--from",
            "beginning",
            "--count",
            "3",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 3, "{}", stdout_of(&out));
    let copy = r.url("copy");
    let out = sb
        .cmd()
        .args(["-q", "replay", "-j", "u.db", "--to", &copy])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(xlen(&r, "copy"), 30);
    let out = sb
        .cmd()
        .args([
            "-q", "consume", &copy, "--group", "g", "--exec", "true", "--count", "30",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(r.pending("copy", "g"), 0);
    // A socket that is not there: the path is named, the password of the query never.
    let out = sb
        .cmd()
        .timeout(Duration::from_secs(20))
        .args([
            "-vvv",
            "tail",
            "redis+unix:///nonexistent/redis.sock?key=k&pass=hunter2",
        ])
        .args(["--connection-timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("/nonexistent/redis.sock")
            && !stderr_of(&out).contains("hunter2")
            && !stdout_of(&out).contains("hunter2"),
        "{}",
        stderr_of(&out)
    );
}

/// `--connection-timeout 2s`: a port that accepts and never answers, and one that refuses,
/// end with exit 4 naming the host well before the old behaviour (retrying forever).
#[test]
fn connection_timeout_bounds_connecting_to_redis() {
    let sb = Sandbox::new();
    // Accepts (the kernel's backlog) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    // Refuses: a port given back.
    let refused_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for port in [silent_port, refused_port] {
        let url = format!("redis://127.0.0.1:{port}/k");
        for args in [
            vec!["tail", url.as_str()],
            vec!["record", "-j", "t.db", url.as_str()],
            vec!["consume", url.as_str(), "--group", "g", "--exec", "true"],
        ] {
            let started = Instant::now();
            let out = sb
                .cmd()
                .timeout(Duration::from_secs(30))
                .args(&args)
                .args(["--connection-timeout", "2s"])
                .output()
                .unwrap();
            let took = started.elapsed();
            assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr_of(&out));
            let needle = format!("127.0.0.1:{port}");
            assert!(
                stderr_of(&out).contains(&needle),
                "{args:?}: {}",
                stderr_of(&out)
            );
            assert!(took < Duration::from_secs(6), "{args:?}: took {took:?}");
            // A worker's first connection is tried once, each step within the timeout.
            if args[0] != "consume" {
                assert!(
                    stderr_of(&out).contains("--connection-timeout 2s"),
                    "{args:?}: {}",
                    stderr_of(&out)
                );
                assert!(took >= Duration::from_secs(2), "{args:?}: took {took:?}");
            }
        }
    }
    drop(silent);
}
