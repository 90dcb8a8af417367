//! Salesforce logins through the real binary: the JWT bearer flow (against `serve --salesforce`
//! and the independent faye server, which checks the assertion with node's crypto), client
//! credentials, the Salesforce CLI's login (`--sf-org`, a fake `sf` on PATH), the emulator's
//! error bodies for each grant, and no secret at `-vvv`. Keys: fixtures/keys (TEST-ONLY).

use std::process::{Child, Command as StdCommand, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::faye::{faye_modules, Faye};
use crate::salesforce::{
    journal_events, markers, read_log, replay_ids, wait_exit, wait_until, SfServer, CH, CLIENT_ID,
    CLIENT_SECRET, PASSWORD, USERNAME,
};

fn key(name: &str) -> String {
    fixture(&format!("keys/{name}")).display().to_string()
}

/// The variables of a JWT bearer login with `private` (and nothing else).
fn jwt_vars(private: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SFDC_CLIENT_ID", CLIENT_ID.to_string()),
        ("SFDC_USERNAME", USERNAME.to_string()),
        ("SFDC_JWT_KEY", key(private)),
    ]
}

/// `feedctl` with exactly these `SFDC_*` variables (any other one of the test's environment removed).
fn cmd_with(sb: &Sandbox, vars: &[(&str, String)]) -> assert_cmd::Command {
    let mut c = sb.cmd();
    for (k, _) in std::env::vars() {
        if k.starts_with("SFDC_") {
            c.env_remove(k);
        }
    }
    for (k, v) in vars {
        c.env(k, v);
    }
    c.timeout(Duration::from_secs(40));
    c
}

/// `feedctl ARGS` in the background with exactly these variables, stderr into `log`.
fn spawn_with(sb: &Sandbox, args: &[&str], log: &str, vars: &[(&str, String)]) -> Child {
    let err = std::fs::File::create(sb.path().join(log)).unwrap();
    let mut c = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SFDC_") {
            c.env_remove(k);
        }
    }
    c.args(args)
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(sb.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap()
}

/// Records 4 events with `vars` while every token is revoked after the first 2: the login is
/// renewed, nothing is lost. Returns the recorder's stderr (at -vvv).
fn record_through_a_revocation(
    srv: &SfServer,
    sb: &Sandbox,
    vars: &[(&str, String)],
    extra: &[&str],
) -> String {
    let src = srv.source(CH);
    let mut args = vec![
        "record",
        "-j",
        "l.db",
        &src,
        "--count",
        "4",
        "--duration",
        "30s",
        "-vvv",
    ];
    args.extend_from_slice(extra);
    let mut rec = spawn_with(sb, &args, "l.err", vars);
    wait_until("the subscribe", Duration::from_secs(15), || {
        read_log(sb, "l.err").contains("subscribed to")
    });
    let mut ids = vec![srv.publish(sb, CH, "one"), srv.publish(sb, CH, "two")];
    wait_until("2 stored", Duration::from_secs(10), || {
        sb.path().join("l.db").exists() && markers(sb, "l.db", "default").len() == 1
    });
    srv.fault(sb, "revoke-tokens");
    wait_until("the renewed login", Duration::from_secs(10), || {
        read_log(sb, "l.err").contains("logging in again")
    });
    ids.push(srv.publish(sb, CH, "three"));
    ids.push(srv.publish(sb, CH, "four"));
    let status = wait_exit(&mut rec, Duration::from_secs(30));
    let err = read_log(sb, "l.err");
    assert!(status.success(), "{err}");
    assert!(
        err.contains("401::Authentication invalid") && err.contains("logging in again"),
        "{err}"
    );
    let got: Vec<i64> = journal_events(sb, "l.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(got, ids, "nothing lost, nothing twice");
    err
}

/// Secrets that must never show: tokens, JWTs (base64 of `{"`), keys, passwords.
fn assert_no_secrets(err: &str) {
    let pem = std::fs::read_to_string(key("TEST-ONLY-bot-private-pkcs8.pem")).unwrap();
    let key_line = pem.lines().nth(1).unwrap();
    for secret in [
        "00DFEEDCTL",
        "eyJ",
        "PRIVATE KEY",
        key_line,
        CLIENT_SECRET,
        PASSWORD,
        "BAYEUX_BROWSER",
    ] {
        assert!(!err.contains(secret), "`{secret}` printed at -vvv: {err}");
    }
}

#[test]
fn salesforce_jwt_bearer_login_renews_with_a_fresh_assertion_and_loses_nothing() {
    let public = key("TEST-ONLY-bot-public.pem");
    let srv = SfServer::start(
        "127.0.0.1:0",
        &["--channel", CH, "--jwt-public-key", &public],
    );
    let sb = Sandbox::new();
    let vars = jwt_vars("TEST-ONLY-bot-private-pkcs8.pem");
    // The emulator refuses an assertion it has seen: the login after the revocation works only
    // with a fresh one.
    let err = record_through_a_revocation(&srv, &sb, &vars, &[]);
    let logins = err
        .matches("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer")
        .count();
    assert!(logins >= 2, "a JWT login, then another: {err}");
    assert_no_secrets(&err);

    // A key the connected app does not know: exit 3 naming what to fix.
    let out = cmd_with(&sb, &jwt_vars("TEST-ONLY-wrong-private.pem"))
        .args(["tail", &srv.source(CH), "--replay", "all", "--count", "1"])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{e}");
    assert!(
        e.contains("invalid_grant (invalid assertion)")
            && e.contains("SFDC_JWT_KEY")
            && e.contains("certificate uploaded to the connected app"),
        "{e}"
    );
    // A user that is not pre-authorized.
    let mut other = jwt_vars("TEST-ONLY-bot-private-pkcs8.pem");
    other[1].1 = "someone.else@example.invalid".into();
    let out = cmd_with(&sb, &other)
        .args(["tail", &srv.source(CH), "--replay", "all", "--count", "1"])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{e}");
    assert!(
        e.contains("user hasn't approved this consumer") && e.contains("pre-authorized"),
        "{e}"
    );
    // The user taken off the connected app: invalid_app_access, exit 3 with the fix.
    srv.fault(&sb, "deny-app-access");
    let out = cmd_with(&sb, &jwt_vars("TEST-ONLY-bot-private-pkcs8.pem"))
        .args(["tail", &srv.source(CH), "--replay", "all", "--count", "1"])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{e}");
    assert!(
        e.contains("invalid_app_access (user is not admin approved to access this app)")
            && e.contains("Permitted Users"),
        "{e}"
    );
    srv.fault(&sb, "allow-app-access");
    // Not a private key: exit 2 at once.
    let out = cmd_with(&sb, &jwt_vars("TEST-ONLY-bot-public.pem"))
        .args(["tail", &srv.source(CH), "--count", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("SFDC_JWT_KEY"),
        "{}",
        stderr_of(&out)
    );

    // The PKCS#1 form of the key, against an emulator given the certificate.
    let cert = key("TEST-ONLY-bot-cert.pem");
    let srv2 = SfServer::start("127.0.0.1:0", &["--channel", CH, "--jwt-public-key", &cert]);
    let id = srv2.publish(&sb, CH, "a");
    let out = cmd_with(&sb, &jwt_vars("TEST-ONLY-bot-private-pkcs1.pem"))
        .args([
            "tail",
            &srv2.source(CH),
            "--replay",
            "all",
            "--count",
            "1",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(replay_ids(&stdout_of(&out)), vec![id]);
}

#[test]
fn salesforce_client_credentials_login_and_a_wrong_secret_exits_3() {
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let vars = vec![
        ("SFDC_CLIENT_ID", CLIENT_ID.to_string()),
        ("SFDC_CLIENT_SECRET", CLIENT_SECRET.to_string()),
    ];
    let ids = vec![srv.publish(&sb, CH, "a"), srv.publish(&sb, CH, "b")];
    let out = cmd_with(&sb, &vars)
        .args([
            "tail",
            &srv.source(CH),
            "--replay",
            "all",
            "--count",
            "2",
            "-o",
            "ndjson",
            "-vvv",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(replay_ids(&stdout_of(&out)), ids);
    assert!(err.contains("grant_type=client_credentials"), "{err}");
    assert_no_secrets(&err);

    let wrong = vec![
        ("SFDC_CLIENT_ID", CLIENT_ID.to_string()),
        ("SFDC_CLIENT_SECRET", "not-the-secret".to_string()),
    ];
    let out = cmd_with(&sb, &wrong)
        .args(["tail", &srv.source(CH), "--count", "1"])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{e}");
    assert!(
        e.contains("invalid_client (invalid client credentials)")
            && e.contains("SFDC_CLIENT_SECRET"),
        "{e}"
    );
    assert!(!e.contains("not-the-secret"), "{e}");

    // Salesforce takes this flow on the org's My Domain host only.
    let out = cmd_with(&sb, &vars)
        .args([
            "tail",
            "sfdc://login.salesforce.com/topic/X",
            "--count",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("My Domain"), "{}", stderr_of(&out));
}

/// Whether node runs (the fake `sf` is a node script); under CI=true it must.
fn node_available() -> bool {
    let ok = StdCommand::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "node is not installed under CI=true: .ci/run installs nodejs"
        );
        eprintln!("node is not installed: the --sf-org test is skipped");
    }
    ok
}

/// A fake Salesforce CLI in `bin/sf`: `sf org display --target-org feedctl-test --json` logs in
/// to `server` with the password flow (as sf refreshes its stored login) and prints sf's JSON;
/// `hang` never answers; another alias gets sf's NoOrgFound error. Each call is appended to `sf.calls`.
fn fake_sf(sb: &Sandbox, server: &str) -> std::path::PathBuf {
    let bin = sb.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/usr/bin/env node
const fs = require('fs');
const a = process.argv.slice(2);
fs.appendFileSync({calls:?}, a.join(' ') + '\n');
const alias = a[a.indexOf('--target-org') + 1];
if (a[0] !== 'org' || a[1] !== 'display' || !a.includes('--json')) process.exit(2);
if (alias === 'hang') setTimeout(() => process.exit(3), 30000); // never answers in time, ends by itself
else if (alias !== 'feedctl-test') {{
  console.log(JSON.stringify({{ status: 1, name: 'NoOrgFound', message: `No authorization information found for ${{alias}}.`, exitCode: 1 }}));
  process.exit(1);
}}
const form = new URLSearchParams({{ grant_type: 'password', client_id: {id:?}, client_secret: {secret:?}, username: {user:?}, password: {pass:?} }});
if (alias === 'feedctl-test') fetch({server:?} + '/services/oauth2/token', {{ method: 'POST', body: form }})
  .then((r) => r.json())
  .then((j) => console.log(JSON.stringify({{ status: 0, result: {{ id: '00DFEEDCTL0000001AAA', accessToken: j.access_token, instanceUrl: j.instance_url, username: {user:?}, alias, connectedStatus: 'Connected' }}, warnings: [] }})));
"#,
        calls = sb.path().join("sf.calls").display().to_string(),
        id = CLIENT_ID,
        secret = CLIENT_SECRET,
        user = USERNAME,
        pass = PASSWORD,
        server = server,
    );
    let sf = bin.join("sf");
    std::fs::write(&sf, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sf, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn salesforce_sf_org_login_asks_sf_again_after_a_401() {
    if !node_available() {
        return;
    }
    let srv = SfServer::start("127.0.0.1:0", &["--channel", CH]);
    let sb = Sandbox::new();
    let bin = fake_sf(&sb, &srv.url);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let vars = vec![("PATH", path.clone())];
    let err = record_through_a_revocation(&srv, &sb, &vars, &["--sf-org", "feedctl-test"]);
    let calls = std::fs::read_to_string(sb.path().join("sf.calls")).unwrap();
    assert!(
        calls
            .lines()
            .all(|l| l == "org display --target-org feedctl-test --json")
            && calls.lines().count() >= 2,
        "sf asked once, then again after the 401: {calls}"
    );
    assert_no_secrets(&err);

    // An alias sf does not know: exit 3 with sf's message.
    let out = cmd_with(&sb, &vars)
        .args(["tail", &srv.source(CH), "--sf-org", "nope", "--count", "1"])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{e}");
    assert!(
        e.contains("No authorization information found for nope") && e.contains("--sf-org"),
        "{e}"
    );
    // An sf that never answers is killed at the bound: --connection-timeout, exit 4.
    let started = std::time::Instant::now();
    let out = cmd_with(&sb, &vars)
        .args([
            "tail",
            &srv.source(CH),
            "--sf-org",
            "hang",
            "--connection-timeout",
            "2s",
        ])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{e}");
    assert!(e.contains("gave no answer within"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10), "{e}");
    // No sf at all: exit 2 saying so.
    let empty = sb.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = cmd_with(&sb, &[("PATH", empty.display().to_string())])
        .args([
            "tail",
            &srv.source(CH),
            "--sf-org",
            "feedctl-test",
            "--count",
            "1",
        ])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("`sf`, on PATH"), "{e}");
}

/// Posts a form to a token endpoint; returns (HTTP status, JSON body).
pub fn token_request(url: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("{url}/services/oauth2/token"))
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

/// An RS256 assertion with these claims, signed with a fixture key.
fn signed(private: &str, claims: serde_json::Value) -> String {
    let pem = std::fs::read(key(private)).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(&pem).unwrap(),
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn salesforce_emulator_token_endpoint_answers_each_grant_with_salesforces_errors() {
    let public = key("TEST-ONLY-bot-public.pem");
    let srv = SfServer::start("127.0.0.1:0", &["--jwt-public-key", &public]);
    let jwt = |private: &str, iss: &str, sub: &str, aud: &str, exp: u64| {
        signed(
            private,
            serde_json::json!({"iss": iss, "sub": sub, "aud": aud, "exp": exp}),
        )
    };
    let bearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    let good = jwt(
        "TEST-ONLY-bot-private-pkcs8.pem",
        CLIENT_ID,
        USERNAME,
        &srv.url,
        now() + 120,
    );
    let (status, body) = token_request(&srv.url, &[("grant_type", bearer), ("assertion", &good)]);
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].as_str().is_some() && body["instance_url"] == srv.url.as_str());
    let refused = |assertion: &str| {
        let (status, body) = token_request(
            &srv.url,
            &[("grant_type", bearer), ("assertion", assertion)],
        );
        assert_eq!(status, 400, "{body}");
        (
            body["error"].as_str().unwrap().to_string(),
            body["error_description"].as_str().unwrap().to_string(),
        )
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    let invalid = pair("invalid_grant", "invalid assertion");
    assert_eq!(refused(&good), invalid, "an assertion is good once");
    let p8 = "TEST-ONLY-bot-private-pkcs8.pem";
    let cases = [
        (
            jwt(
                "TEST-ONLY-wrong-private.pem",
                CLIENT_ID,
                USERNAME,
                &srv.url,
                now() + 120,
            ),
            invalid.clone(),
        ),
        (
            jwt(p8, CLIENT_ID, USERNAME, &srv.url, now() - 600),
            invalid.clone(),
        ),
        (
            jwt(p8, CLIENT_ID, USERNAME, &srv.url, now() + 3600),
            invalid.clone(),
        ),
        (
            jwt(p8, "other-client", USERNAME, &srv.url, now() + 120),
            pair("invalid_client_id", "client identifier invalid"),
        ),
        (
            jwt(p8, CLIENT_ID, USERNAME, "https://example.com", now() + 120),
            pair("invalid_grant", "audience is invalid"),
        ),
        (
            jwt(
                p8,
                CLIENT_ID,
                "nobody@example.invalid",
                &srv.url,
                now() + 120,
            ),
            pair("invalid_grant", "user hasn't approved this consumer"),
        ),
        ("not-a-jwt".to_string(), invalid.clone()),
    ];
    for (assertion, expected) in cases {
        assert_eq!(refused(&assertion), expected);
    }
    // The login host is a valid audience too, as on Salesforce.
    let host = jwt(
        p8,
        CLIENT_ID,
        USERNAME,
        "https://login.salesforce.com",
        now() + 120,
    );
    let (status, body) = token_request(&srv.url, &[("grant_type", bearer), ("assertion", &host)]);
    assert_eq!(status, 200, "{body}");

    let (status, body) = token_request(
        &srv.url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let (_, body) = token_request(
        &srv.url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ],
    );
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_description"], "invalid client credentials");
    let (_, body) = token_request(
        &srv.url,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", "revoked"),
        ],
    );
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "expired access/refresh token");

    // Without --jwt-public-key no assertion verifies; a private key is refused as the flag.
    let bare = SfServer::start("127.0.0.1:0", &[]);
    let fresh = jwt(p8, CLIENT_ID, USERNAME, &bare.url, now() + 120);
    let (status, body) = token_request(&bare.url, &[("grant_type", bearer), ("assertion", &fresh)]);
    assert_eq!(
        (status, &body["error"]),
        (400, &serde_json::json!("invalid_grant"))
    );
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "serve",
            "--salesforce",
            "--jwt-public-key",
            &key("TEST-ONLY-bot-private-pkcs8.pem"),
        ])
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("private key"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn faye_jwt_bearer_login_is_checked_with_node_crypto_and_renewed_after_a_revocation() {
    let Some(modules) = faye_modules() else {
        return;
    };
    let cert = key("TEST-ONLY-bot-cert.pem");
    let faye = Faye::start_with(&modules, &[("SFDC_JWT_PUBLIC_KEY", &cert)]);
    let sb = Sandbox::new();
    let ch = "/topic/FayeJwt";
    let vars = jwt_vars("TEST-ONLY-bot-private-pkcs8.pem");
    let a = faye.publish(ch, "a");
    let b = faye.publish(ch, "b");
    let out = cmd_with(&sb, &vars)
        .args([
            "tail",
            &faye.source(ch),
            "--replay",
            "all",
            "--count",
            "2",
            "-o",
            "ndjson",
            "-vvv",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(replay_ids(&stdout_of(&out)), vec![a, b]);
    assert_no_secrets(&err);

    // Revoked mid-run: a fresh assertion (faye refuses a used one) and nothing lost.
    let mut rec = spawn_with(
        &sb,
        &[
            "record",
            "-j",
            "f.db",
            &faye.source(ch),
            "--count",
            "2",
            "--duration",
            "30s",
        ],
        "f.err",
        &vars,
    );
    wait_until("the subscribe", Duration::from_secs(15), || {
        read_log(&sb, "f.err").contains("subscribed to")
    });
    let c = faye.publish(ch, "c");
    wait_until("1 stored", Duration::from_secs(10), || {
        sb.path().join("f.db").exists() && markers(&sb, "f.db", "default").len() == 1
    });
    faye.post("/test/revoke", "");
    wait_until("the renewed login", Duration::from_secs(10), || {
        read_log(&sb, "f.err").contains("logging in again")
    });
    let d = faye.publish(ch, "d");
    let status = wait_exit(&mut rec, Duration::from_secs(30));
    let err = read_log(&sb, "f.err");
    assert!(status.success(), "{err}");
    assert!(err.contains("logging in again"), "{err}");
    let mut got: Vec<i64> = journal_events(&sb, "f.db")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    // Delivery is at least once: `d`, published while the renewed session subscribes, can come
    // both live and from the retained events after the marker; every delivery is kept.
    got.dedup();
    assert_eq!(got, vec![c, d], "nothing lost");

    let out = cmd_with(&sb, &jwt_vars("TEST-ONLY-wrong-private.pem"))
        .args(["tail", &faye.source(ch), "--count", "1"])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{e}");
    assert!(
        e.contains("invalid assertion") && e.contains("SFDC_JWT_KEY"),
        "{e}"
    );
}
