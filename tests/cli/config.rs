//! Bot configuration (DESIGN §2): the kits' config.yaml examples load as-is, `${VAR}` expansion,
//! precedence (flag > env > file > default), lookup order, redaction in `config show`, and a clear
//! exit-2 error (file, key, what was expected) for every malformed config in
//! `fixtures/config/invalid/`.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

use crate::common::*;

/// Variables that `fixtures/config/env-vars.yaml` reads; removed from the child unless a test sets them.
const ENV_VARS_YAML_VARS: &[&str] = &[
    "POD_HOST",
    "POD_PORT",
    "AGENT_HOST",
    "BOT_USERNAME",
    "BOT_KEY_DIR",
    "DATAFEED_TAG",
];

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("feedctl runs")
}

/// `feedctl --config PATH config show -o json` (or without --config when `config` is None).
fn show_cmd(sb: &Sandbox, config: Option<&Path>) -> Command {
    let mut c = sb.cmd();
    if let Some(path) = config {
        c.arg("--config").arg(path);
    }
    c.args(["config", "show", "-o", "json"]);
    c
}

/// Runs a `config show -o json` command that must succeed, and parses its output.
fn show_ok(cmd: Command) -> Value {
    let out = run(cmd);
    assert_eq!(
        out.status.code(),
        Some(0),
        "config show should succeed; stderr:\n{}",
        stderr_of(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "config show -o json is not JSON ({e}):\n{}",
            stdout_of(&out)
        )
    })
}

/// The (value, source) of one resolved setting.
fn setting<'a>(doc: &'a Value, key: &str) -> Option<(&'a str, &'a str)> {
    doc["settings"]
        .as_array()
        .expect("`settings` is an array")
        .iter()
        .find(|s| s["key"] == key)
        .map(|s| {
            (
                s["value"].as_str().expect("value is a string"),
                s["source"].as_str().expect("source is a string"),
            )
        })
}

#[track_caller]
fn assert_setting(doc: &Value, key: &str, value: &str, source: &str) {
    match setting(doc, key) {
        Some(found) => assert_eq!(found, (value, source), "setting `{key}`"),
        None => panic!("no setting `{key}` in:\n{doc:#}"),
    }
}

fn file_of(doc: &Value) -> &str {
    doc["file"].as_str().expect("`file` is a string")
}

#[track_caller]
fn assert_config_error(out: &Output) -> String {
    let err = stderr_of(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2; stderr:\n{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout on error, got:\n{}",
        stdout_of(out)
    );
    assert!(!err.contains("panicked"), "a panic:\n{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "a panic:\n{err}");
    err
}

fn key_path() -> String {
    fixture(PRIVATE_KEY).display().to_string()
}

// ---------------------------------------------------------------------------------------------
// The examples of notes §7

#[test]
fn minimal_example_loads_with_kit_defaults() {
    let sb = Sandbox::new();
    let path = fixture("config/minimal.yaml");
    let doc = show_ok(show_cmd(&sb, Some(&path)));

    assert_eq!(file_of(&doc), path.display().to_string());
    for component in ["pod", "agent", "keyManager", "sessionAuth"] {
        assert_setting(
            &doc,
            &format!("{component}.host"),
            "acme.symphony.com",
            "file: host",
        );
        assert_setting(&doc, &format!("{component}.port"), "443", "default");
        assert_setting(&doc, &format!("{component}.scheme"), "https", "default");
        assert!(setting(&doc, &format!("{component}.proxy.host")).is_none());
    }
    assert_setting(&doc, "bot.username", "my-bot", "file: bot.username");
    assert_setting(
        &doc,
        "bot.privateKey.path",
        "../keys/TEST-ONLY-bot-private-pkcs8.pem",
        "file: bot.privateKey.path",
    );
    assert_setting(&doc, "datafeed.version", "v2", "default");
    // notes §6.3: the global retry and datafeed.retry have different defaults.
    assert_setting(&doc, "retry.maxAttempts", "10", "default");
    assert_setting(&doc, "datafeed.retry.maxAttempts", "-1", "default");
    assert_setting(
        &doc,
        "datafeed.retry.initialIntervalMillis",
        "500",
        "default",
    );
    assert_setting(&doc, "datafeed.retry.multiplier", "2", "default");
    assert_setting(
        &doc,
        "datafeed.retry.maxIntervalMillis",
        "300000",
        "default",
    );
    assert_setting(&doc, "datafeed.includeInvisible", "false", "default");
}

#[test]
fn split_hosts_example_loads_with_per_component_overrides() {
    let sb = Sandbox::new();
    let doc = show_ok(show_cmd(&sb, Some(&fixture("config/split-hosts.yaml"))));

    assert_setting(
        &doc,
        "agent.host",
        "agent.acme.internal",
        "file: agent.host",
    );
    assert_setting(&doc, "agent.port", "8443", "file: agent.port");
    assert_setting(
        &doc,
        "keyManager.host",
        "km.acme.internal",
        "file: keyManager.host",
    );
    assert_setting(&doc, "keyManager.port", "8444", "file: keyManager.port");
    // The pod and session auth inherit the top-level host and the default port.
    assert_setting(&doc, "pod.host", "acme.symphony.com", "file: host");
    assert_setting(&doc, "pod.port", "443", "default");
    assert_setting(&doc, "sessionAuth.host", "acme.symphony.com", "file: host");
    assert_setting(&doc, "sessionAuth.port", "443", "default");
    // The global proxy applies to every component.
    for component in ["pod", "agent", "keyManager", "sessionAuth"] {
        assert_setting(
            &doc,
            &format!("{component}.proxy.host"),
            "proxy.acme.internal",
            "file: proxy.host",
        );
        assert_setting(
            &doc,
            &format!("{component}.proxy.port"),
            "3128",
            "file: proxy.port",
        );
    }
    assert_setting(
        &doc,
        "ssl.trustStore.path",
        "TEST-ONLY-ca.pem",
        "file: ssl.trustStore.path",
    );
    assert_setting(
        &doc,
        "defaultHeaders.User-Agent",
        "feedctl/0.1",
        "file: defaultHeaders.User-Agent",
    );
    assert_setting(&doc, "datafeed.version", "v2", "file: datafeed.version");
    assert_setting(
        &doc,
        "datafeed.idFilePath",
        "./state/",
        "file: datafeed.idFilePath",
    );
    assert_setting(
        &doc,
        "datafeed.retry.maxAttempts",
        "-1",
        "file: datafeed.retry.maxAttempts",
    );
    assert_setting(
        &doc,
        "datafeed.retry.initialIntervalMillis",
        "500",
        "file: datafeed.retry.initialIntervalMillis",
    );
    assert_setting(
        &doc,
        "datafeed.retry.maxIntervalMillis",
        "300000",
        "file: datafeed.retry.maxIntervalMillis",
    );
    // The global retry is not set in the file: kit defaults.
    assert_setting(&doc, "retry.maxAttempts", "10", "default");
}

#[test]
fn json_config_loads() {
    let sb = Sandbox::new();
    let doc = show_ok(show_cmd(&sb, Some(&fixture("config/bot.json"))));
    assert_setting(&doc, "pod.host", "acme.symphony.com", "file: host");
    assert_setting(&doc, "pod.port", "443", "file: port");
    assert_setting(
        &doc,
        "agent.host",
        "agent.acme.internal",
        "file: agent.host",
    );
    assert_setting(&doc, "agent.port", "8443", "file: agent.port");
    assert_setting(&doc, "datafeed.version", "v1", "file: datafeed.version");
    assert_setting(
        &doc,
        "datafeed.retry.maxAttempts",
        "5",
        "file: datafeed.retry.maxAttempts",
    );
    assert_setting(
        &doc,
        "datafeed.retry.multiplier",
        "1.5",
        "file: datafeed.retry.multiplier",
    );
}

#[test]
fn table_output_goes_to_stdout_and_names_sources() {
    let sb = Sandbox::new();
    let mut c = sb.cmd();
    c.arg("--config")
        .arg(fixture("config/split-hosts.yaml"))
        .args(["config", "show", "-o", "table"]);
    let out = run(c);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let table = stdout_of(&out);
    for text in [
        "agent.host",
        "agent.acme.internal",
        "file: agent.host",
        "default",
    ] {
        assert!(table.contains(text), "`{text}` missing from:\n{table}");
    }
    // The "config file: ..." notice is for humans: stderr.
    assert!(stderr_of(&out).contains("split-hosts.yaml"));
    assert!(!table.contains("config file:"));
}

// ---------------------------------------------------------------------------------------------
// ${VAR} expansion

fn env_vars_cmd(sb: &Sandbox, set: &[(&str, &str)]) -> Command {
    let mut c = show_cmd(sb, Some(&fixture("config/env-vars.yaml")));
    for var in ENV_VARS_YAML_VARS {
        c.env_remove(var);
    }
    for (k, v) in set {
        c.env(k, v);
    }
    c
}

#[test]
fn variables_expand_from_the_environment() {
    let sb = Sandbox::new();
    let doc = show_ok(env_vars_cmd(
        &sb,
        &[
            ("POD_HOST", "pod.from-env.example"),
            ("POD_PORT", "8443"),
            ("BOT_USERNAME", "env-bot"),
            ("DATAFEED_TAG", "tag-from-env"),
        ],
    ));
    assert_setting(&doc, "pod.host", "pod.from-env.example", "file: host");
    assert_setting(&doc, "pod.port", "8443", "file: port");
    assert_setting(&doc, "bot.username", "env-bot", "file: bot.username");
    assert_setting(&doc, "datafeed.tag", "tag-from-env", "file: datafeed.tag");
    // AGENT_HOST is unset: its default.
    assert_setting(
        &doc,
        "agent.host",
        "agent.acme.internal",
        "file: agent.host",
    );
}

#[test]
fn variables_fall_back_to_defaults_and_escapes_stay_literal() {
    let sb = Sandbox::new();
    // Only the variable without a default is set; POD_PORT is set but empty, so `:-` falls back.
    let doc = show_ok(env_vars_cmd(
        &sb,
        &[("POD_HOST", "pod.from-env.example"), ("POD_PORT", "")],
    ));
    assert_setting(&doc, "pod.port", "443", "file: port");
    assert_setting(
        &doc,
        "agent.host",
        "agent.acme.internal",
        "file: agent.host",
    );
    assert_setting(&doc, "bot.username", "my-bot", "file: bot.username");
    assert_setting(
        &doc,
        "bot.privateKey.path",
        "../keys/TEST-ONLY-bot-private-pkcs8.pem",
        "file: bot.privateKey.path",
    );
    assert_setting(
        &doc,
        "datafeed.tag",
        "my-bot-datafeed",
        "file: datafeed.tag",
    );
    // `$${requestId}` is the literal text `${requestId}`, not a lookup of `requestId`.
    assert_setting(
        &doc,
        "defaultHeaders.X-Request-Template",
        "${requestId}",
        "file: defaultHeaders.X-Request-Template",
    );
}

#[test]
fn escape_is_literal_even_when_the_variable_exists() {
    let sb = Sandbox::new();
    let mut c = env_vars_cmd(&sb, &[("POD_HOST", "pod.from-env.example")]);
    c.env("requestId", "must-not-appear");
    let doc = show_ok(c);
    assert_setting(
        &doc,
        "defaultHeaders.X-Request-Template",
        "${requestId}",
        "file: defaultHeaders.X-Request-Template",
    );
}

#[test]
fn unset_variable_without_default_is_a_config_error() {
    let sb = Sandbox::new();
    let out = run(env_vars_cmd(&sb, &[]));
    let err = assert_config_error(&out);
    for text in [
        "configuration error",
        "env-vars.yaml",
        "at `host`",
        "`POD_HOST` is not set",
    ] {
        assert!(err.contains(text), "`{text}` missing from:\n{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Precedence: flag > FEEDCTL_* > file > default

/// A config with a host, a username and a key, but no port or scheme.
fn precedence_config(sb: &Sandbox) -> PathBuf {
    sb.write(
        "bot.yaml",
        &format!(
            "host: file.example.com\nbot:\n  username: file-bot\n  privateKey:\n    path: {}\ndatafeed:\n  version: v1\n",
            key_path()
        ),
    )
}

#[test]
fn file_beats_defaults() {
    let sb = Sandbox::new();
    let doc = show_ok(show_cmd(&sb, Some(&precedence_config(&sb))));
    assert_setting(&doc, "pod.host", "file.example.com", "file: host");
    assert_setting(&doc, "agent.host", "file.example.com", "file: host");
    assert_setting(&doc, "pod.port", "443", "default");
    assert_setting(&doc, "pod.scheme", "https", "default");
    assert_setting(&doc, "bot.username", "file-bot", "file: bot.username");
    assert_setting(&doc, "datafeed.version", "v1", "file: datafeed.version");
}

#[test]
fn environment_beats_file() {
    let sb = Sandbox::new();
    let pkcs1 = fixture(PRIVATE_KEY_PKCS1).display().to_string();
    let mut c = show_cmd(&sb, Some(&precedence_config(&sb)));
    c.env("FEEDCTL_HOST", "env.example.com")
        .env("FEEDCTL_PORT", "9443")
        .env("FEEDCTL_SCHEME", "http")
        .env("FEEDCTL_BOT_USERNAME", "env-bot")
        .env("FEEDCTL_PRIVATE_KEY_PATH", &pkcs1)
        .env("FEEDCTL_DATAFEED_VERSION", "v2");
    let doc = show_ok(c);
    for component in ["pod", "agent", "keyManager", "sessionAuth"] {
        assert_setting(
            &doc,
            &format!("{component}.host"),
            "env.example.com",
            "env FEEDCTL_HOST",
        );
        assert_setting(
            &doc,
            &format!("{component}.port"),
            "9443",
            "env FEEDCTL_PORT",
        );
        assert_setting(
            &doc,
            &format!("{component}.scheme"),
            "http",
            "env FEEDCTL_SCHEME",
        );
    }
    assert_setting(&doc, "bot.username", "env-bot", "env FEEDCTL_BOT_USERNAME");
    assert_setting(
        &doc,
        "bot.privateKey.path",
        &pkcs1,
        "env FEEDCTL_PRIVATE_KEY_PATH",
    );
    assert_setting(
        &doc,
        "datafeed.version",
        "v2",
        "env FEEDCTL_DATAFEED_VERSION",
    );
}

#[test]
fn flags_beat_environment() {
    let sb = Sandbox::new();
    let pkcs1 = fixture(PRIVATE_KEY_PKCS1).display().to_string();
    let mut c = sb.cmd();
    c.arg("--config")
        .arg(precedence_config(&sb))
        .args([
            "--host",
            "flag.example.com",
            "--port",
            "10443",
            "--scheme",
            "https",
        ])
        .args([
            "--username",
            "flag-bot",
            "--private-key",
            &pkcs1,
            "--datafeed-version",
            "v1",
        ])
        .args(["config", "show", "-o", "json"])
        .env("FEEDCTL_HOST", "env.example.com")
        .env("FEEDCTL_PORT", "9443")
        .env("FEEDCTL_SCHEME", "http")
        .env("FEEDCTL_BOT_USERNAME", "env-bot")
        .env("FEEDCTL_PRIVATE_KEY_PATH", key_path())
        .env("FEEDCTL_DATAFEED_VERSION", "v2");
    let doc = show_ok(c);
    assert_setting(&doc, "pod.host", "flag.example.com", "flag --host");
    assert_setting(&doc, "agent.host", "flag.example.com", "flag --host");
    assert_setting(&doc, "pod.port", "10443", "flag --port");
    assert_setting(&doc, "pod.scheme", "https", "flag --scheme");
    assert_setting(&doc, "bot.username", "flag-bot", "flag --username");
    assert_setting(&doc, "bot.privateKey.path", &pkcs1, "flag --private-key");
    assert_setting(&doc, "datafeed.version", "v1", "flag --datafeed-version");
}

#[test]
fn flag_host_beats_a_component_host_in_the_file() {
    let sb = Sandbox::new();
    let mut c = show_cmd(&sb, Some(&fixture("config/split-hosts.yaml")));
    c.args(["--host", "localhost"]);
    let doc = show_ok(c);
    assert_setting(&doc, "agent.host", "localhost", "flag --host");
    assert_setting(&doc, "keyManager.host", "localhost", "flag --host");
    // What the flag does not set still comes from the file.
    assert_setting(&doc, "keyManager.port", "8444", "file: keyManager.port");
}

#[test]
fn empty_environment_variable_is_ignored() {
    let sb = Sandbox::new();
    let mut c = show_cmd(&sb, Some(&precedence_config(&sb)));
    c.env("FEEDCTL_HOST", "");
    let doc = show_ok(c);
    assert_setting(&doc, "pod.host", "file.example.com", "file: host");
}

#[test]
fn flags_and_environment_alone_are_enough() {
    let sb = Sandbox::new();
    let mut c = show_cmd(&sb, None);
    c.args(["--host", "flag.example.com", "--username", "flag-bot"])
        .env("FEEDCTL_PRIVATE_KEY_PATH", key_path());
    let doc = show_ok(c);
    assert!(doc["file"].is_null(), "no file: {doc:#}");
    assert_setting(&doc, "pod.host", "flag.example.com", "flag --host");
    assert_setting(&doc, "pod.port", "443", "default");
    assert_setting(
        &doc,
        "bot.privateKey.path",
        &key_path(),
        "env FEEDCTL_PRIVATE_KEY_PATH",
    );
}

#[test]
fn bad_environment_value_is_a_config_error_naming_the_variable() {
    let sb = Sandbox::new();
    let mut c = show_cmd(&sb, Some(&precedence_config(&sb)));
    c.env("FEEDCTL_PORT", "https");
    let err = assert_config_error(&run(c));
    assert!(err.contains("configuration error"), "{err}");
    assert!(err.contains("FEEDCTL_PORT"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Lookup: --config, $FEEDCTL_CONFIG, ./config.yaml, ~/.symphony/config.yaml

struct Lookup {
    sb: Sandbox,
    /// The working directory (not HOME, so ./config.yaml and ~/.symphony are told apart).
    cwd: PathBuf,
}

impl Lookup {
    fn new() -> Self {
        let sb = Sandbox::new();
        let cwd = sb.path().join("work");
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::create_dir_all(sb.path().join(".symphony")).unwrap();
        std::fs::create_dir_all(sb.path().join("elsewhere")).unwrap();
        Lookup { sb, cwd }
    }

    fn config(host: &str) -> String {
        format!(
            "host: {host}\nbot:\n  username: my-bot\n  privateKey: {{ path: {} }}\n",
            key_path()
        )
    }

    fn write(&self, rel: &str, host: &str) -> PathBuf {
        self.sb.write(rel, &Self::config(host))
    }

    fn cmd(&self) -> Command {
        let mut c = show_cmd(&self.sb, None);
        c.current_dir(&self.cwd);
        c
    }
}

#[test]
fn lookup_order_env_then_cwd_then_home() {
    let l = Lookup::new();
    let home = l.write(".symphony/config.yaml", "home.example.com");
    let doc = show_ok(l.cmd());
    assert_setting(&doc, "pod.host", "home.example.com", "file: host");
    assert_eq!(file_of(&doc), home.display().to_string());

    l.write("work/config.yaml", "cwd.example.com");
    let doc = show_ok(l.cmd());
    assert_setting(&doc, "pod.host", "cwd.example.com", "file: host");
    assert!(file_of(&doc).ends_with("config.yaml"));

    let env_file = l.write("elsewhere/bot.yaml", "env.example.com");
    let mut c = l.cmd();
    c.env("FEEDCTL_CONFIG", &env_file);
    let doc = show_ok(c);
    assert_setting(&doc, "pod.host", "env.example.com", "file: host");
    assert_eq!(file_of(&doc), env_file.display().to_string());

    let flag_file = l.write("elsewhere/flag.yaml", "flag.example.com");
    let mut c = l.cmd();
    c.env("FEEDCTL_CONFIG", &env_file)
        .arg("--config")
        .arg(&flag_file);
    let doc = show_ok(c);
    assert_setting(&doc, "pod.host", "flag.example.com", "file: host");
    assert_eq!(file_of(&doc), flag_file.display().to_string());
}

#[test]
fn relative_paths_in_cwd_config_resolve_against_its_directory() {
    let l = Lookup::new();
    let keys = l.cwd.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::copy(fixture(PRIVATE_KEY), keys.join("bot.pem")).unwrap();
    l.sb.write(
        "work/config.yaml",
        "host: acme.symphony.com\nbot: { username: my-bot, privateKey: { path: keys/bot.pem } }\n",
    );
    let doc = show_ok(l.cmd());
    assert_setting(
        &doc,
        "bot.privateKey.path",
        "keys/bot.pem",
        "file: bot.privateKey.path",
    );
}

#[test]
fn missing_config_flag_file_is_exit_2() {
    let l = Lookup::new();
    // A fallback exists, but an explicit path that does not exist must not silently use it.
    l.write("work/config.yaml", "cwd.example.com");
    let missing = l.sb.path().join("nope/bot.yaml");
    let mut c = l.cmd();
    c.arg("--config").arg(&missing);
    let err = assert_config_error(&run(c));
    assert!(err.contains("configuration error"), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("--config"), "{err}");
}

#[test]
fn missing_feedctl_config_file_is_exit_2() {
    let l = Lookup::new();
    l.write("work/config.yaml", "cwd.example.com");
    let missing = l.sb.path().join("nope/bot.yaml");
    let mut c = l.cmd();
    c.env("FEEDCTL_CONFIG", &missing);
    let err = assert_config_error(&run(c));
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("FEEDCTL_CONFIG"), "{err}");
}

#[test]
fn no_config_anywhere_is_exit_2_and_says_what_to_do() {
    let l = Lookup::new();
    let err = assert_config_error(&run(l.cmd()));
    assert!(err.contains("configuration error"), "{err}");
    assert!(
        err.contains("feedctl init") || err.contains("--config"),
        "should point at `feedctl init` or --config:\n{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Secrets never printed

const PROXY_PASSWORD: &str = "pr0xy-Pa55w0rd-do-not-print";
const BEARER: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.do-not-print";

/// Distinctive pieces of the test key's body (the base64 lines).
fn key_material() -> Vec<String> {
    std::fs::read_to_string(fixture(PRIVATE_KEY))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .map(str::to_string)
        .collect()
}

fn secrets_config(sb: &Sandbox) -> PathBuf {
    let pem = std::fs::read_to_string(fixture(PRIVATE_KEY)).unwrap();
    let indented: String = pem.lines().map(|l| format!("      {l}\n")).collect();
    sb.write(
        "secrets.yaml",
        &format!(
            "host: acme.symphony.com\n\
             proxy:\n  host: proxy.acme.internal\n  port: 3128\n  username: proxy-user\n  password: {PROXY_PASSWORD}\n\
             defaultHeaders:\n  Authorization: {BEARER}\n  User-Agent: feedctl-tests\n\
             bot:\n  username: my-bot\n  privateKey:\n    content: |\n{indented}"
        ),
    )
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    assert!(
        !text.contains(PROXY_PASSWORD),
        "{what} shows the proxy password:\n{text}"
    );
    assert!(
        !text.contains("do-not-print"),
        "{what} shows the Authorization header:\n{text}"
    );
    assert!(
        !text.contains("PRIVATE KEY-----"),
        "{what} shows the private key:\n{text}"
    );
    for line in key_material() {
        assert!(!text.contains(&line), "{what} shows key material:\n{text}");
    }
}

#[test]
fn config_show_redacts_inline_key_proxy_password_and_auth_headers() {
    let sb = Sandbox::new();
    let path = secrets_config(&sb);
    for format in ["json", "table", "ndjson"] {
        for verbosity in [None, Some("-vvv")] {
            let mut c = sb.cmd();
            c.arg("--config")
                .arg(&path)
                .args(["config", "show", "-o", format]);
            if let Some(v) = verbosity {
                c.arg(v);
            }
            let out = run(c);
            assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
            let what = format!("config show -o {format} {}", verbosity.unwrap_or(""));
            assert_no_secret(&format!("stdout of {what}"), &stdout_of(&out));
            assert_no_secret(&format!("stderr of {what}"), &stderr_of(&out));
        }
    }
    let doc = show_ok(show_cmd(&sb, Some(&path)));
    assert_setting(
        &doc,
        "bot.privateKey.content",
        "<redacted>",
        "file: bot.privateKey.content",
    );
    assert_setting(
        &doc,
        "pod.proxy.password",
        "<redacted>",
        "file: proxy.password",
    );
    assert_setting(
        &doc,
        "pod.proxy.username",
        "proxy-user",
        "file: proxy.username",
    );
    assert_setting(
        &doc,
        "defaultHeaders.Authorization",
        "<redacted>",
        "file: defaultHeaders.Authorization",
    );
    assert_setting(
        &doc,
        "defaultHeaders.User-Agent",
        "feedctl-tests",
        "file: defaultHeaders.User-Agent",
    );
}

#[test]
fn errors_do_not_echo_inline_key_content() {
    let sb = Sandbox::new();
    let bogus = "MIIEvQIBADANBgkqhkiG9w0B-not-a-real-key-do-not-print";
    let path = sb.write(
        "bad-key.yaml",
        &format!(
            "host: acme.symphony.com\nbot:\n  username: my-bot\n  privateKey:\n    content: |\n      -----BEGIN PRIVATE KEY-----\n      {bogus}\n      -----END PRIVATE KEY-----\n"
        ),
    );
    let err = assert_config_error(&run(show_cmd(&sb, Some(&path))));
    assert!(err.contains("at `bot.privateKey.content`"), "{err}");
    assert!(!err.contains(bogus), "the key material is echoed:\n{err}");
}

// ---------------------------------------------------------------------------------------------
// Malformed configs: exit 2, the file, the key, what was expected, never a panic

struct Invalid {
    file: &'static str,
    /// The key the message must name (as "at `key`"), when there is one.
    key: Option<&'static str>,
    /// Further fragments the message must contain.
    says: &'static [&'static str],
}

const fn bad(
    file: &'static str,
    key: Option<&'static str>,
    says: &'static [&'static str],
) -> Invalid {
    Invalid { file, key, says }
}

const INVALID: &[Invalid] = &[
    bad(
        "01-missing-username.yaml",
        Some("bot.username"),
        &["missing", "username"],
    ),
    bad("02-bad-yaml-syntax.yaml", None, &["invalid YAML", "line 4"]),
    bad(
        "03-unknown-datafeed-version.yaml",
        Some("datafeed.version"),
        &["`v3`", "v2", "v1"],
    ),
    bad(
        "04-key-file-missing.yaml",
        Some("bot.privateKey.path"),
        &["my-bot-rsa.pem", "cannot read"],
    ),
    bad(
        "05-key-file-not-a-private-key.yaml",
        Some("bot.privateKey.path"),
        &["TEST-ONLY-bot-public.pem", "not a private key"],
    ),
    bad(
        "06-key-path-and-content.yaml",
        Some("bot.privateKey"),
        &["both `path` and `content`"],
    ),
    bad(
        "07-private-key-missing.yaml",
        Some("bot.privateKey"),
        &["missing", "bot.privateKey.path"],
    ),
    bad(
        "08-port-not-a-number.yaml",
        Some("port"),
        &["port number", "\"https\""],
    ),
    bad(
        "09-port-out-of-range.yaml",
        Some("agent.port"),
        &["1-65535", "84430"],
    ),
    bad("10-scheme-ftp.yaml", Some("scheme"), &["`ftp`", "`https`"]),
    bad(
        "11-unset-variable.yaml",
        Some("bot.username"),
        &["`SYMPHONY_BOT_USERNAME` is not set", ":-"],
    ),
    bad("12-unclosed-variable.yaml", Some("host"), &["not closed"]),
    bad(
        "13-top-level-list.yaml",
        None,
        &["expected a mapping", "top level"],
    ),
    bad(
        "14-retry-interval-too-short.yaml",
        Some("datafeed.retry.initialIntervalMillis"),
        &["at least 10", "got 5"],
    ),
    bad(
        "15-datafeed-tag-too-long.yaml",
        Some("datafeed.tag"),
        &["at most 100 characters", "got 101"],
    ),
    bad(
        "16-bot-is-a-string.yaml",
        Some("bot"),
        &["expected a mapping"],
    ),
    bad("17-missing-host.yaml", Some("host"), &["missing", "--host"]),
    bad(
        "18-trust-store-missing.yaml",
        Some("ssl.trustStore.path"),
        &["acme-ca.pem", "cannot read"],
    ),
    bad("19-bad-json.json", None, &["invalid JSON", "line 6"]),
    bad(
        "20-key-and-certificate.yaml",
        Some("bot"),
        &["both `privateKey` and `certificate`"],
    ),
    bad(
        "21-trust-store-is-a-string.yaml",
        Some("ssl.trustStore"),
        &["expected a mapping", "path"],
    ),
    bad(
        "22-include-invisible-yes.yaml",
        Some("datafeed.includeInvisible"),
        &["true or false", "\"yes\""],
    ),
    bad(
        "23-proxy-without-host.yaml",
        Some("proxy.host"),
        &["missing"],
    ),
    bad(
        "24-retry-max-below-initial.yaml",
        Some("retry.maxIntervalMillis"),
        &["at least initialIntervalMillis", "1000"],
    ),
];

#[test]
fn every_invalid_config_fails_cleanly_naming_file_and_key() {
    let dir = fixture("config/invalid");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/config/invalid")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = INVALID.iter().map(|c| c.file.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every file in fixtures/config/invalid/ needs a row in INVALID, and back"
    );
    assert!(INVALID.len() >= 12);

    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for case in INVALID {
        let path = dir.join(case.file);
        let mut c = show_cmd(&sb, Some(&path));
        // The unset-variable case must really be unset; a panic must not be hidden either.
        c.env_remove("SYMPHONY_BOT_USERNAME")
            .env_remove("SYMPHONY_POD_HOST")
            .env_remove("RUST_BACKTRACE");
        let out = run(c);
        let err = stderr_of(&out);
        let mut expected = vec![
            "configuration error".to_string(),
            path.display().to_string(),
        ];
        if let Some(key) = case.key {
            expected.push(format!("at `{key}`"));
        }
        expected.extend(case.says.iter().map(|s| s.to_string()));
        let missing: Vec<_> = expected
            .iter()
            .filter(|e| !err.contains(e.as_str()))
            .collect();
        let problems = [
            (out.status.code() != Some(2)).then(|| format!("exit {:?}, not 2", out.status.code())),
            (!missing.is_empty()).then(|| format!("missing {missing:?}")),
            (err.contains("panicked") || err.contains("RUST_BACKTRACE"))
                .then(|| "a panic".to_string()),
            (!out.stdout.is_empty()).then(|| format!("stdout not empty: {}", stdout_of(&out))),
        ];
        let problems: Vec<_> = problems.into_iter().flatten().collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n  stderr: {}",
                case.file,
                problems.join("; "),
                err.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} invalid configs misbehave:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
