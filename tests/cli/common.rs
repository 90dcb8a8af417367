//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use feedctl::serve::{self, HubSettings, ServeOptions, Server};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn fixture(rel: &str) -> PathBuf {
    fixtures().join(rel)
}

pub const PUBLIC_KEY: &str = "keys/TEST-ONLY-bot-public.pem";
pub const PRIVATE_KEY: &str = "keys/TEST-ONLY-bot-private-pkcs8.pem";
pub const PRIVATE_KEY_PKCS1: &str = "keys/TEST-ONLY-bot-private-pkcs1.pem";
pub const WRONG_KEY: &str = "keys/TEST-ONLY-wrong-private.pem";

/// A scratch directory used as HOME and working directory, so no real config is picked up.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `feedctl` with a clean environment: HOME and cwd in the sandbox, no FEEDCTL_* variables,
    /// no colours, no standard input.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("feedctl").expect("binary");
        for (k, _) in std::env::vars() {
            if k.starts_with("FEEDCTL_") {
                c.env_remove(k);
            }
        }
        c.env("HOME", self.path())
            .env("NO_COLOR", "1")
            .current_dir(self.path())
            .write_stdin("");
        c.timeout(Duration::from_secs(60));
        c
    }

    /// `feedctl ARGS` as a background process in the sandbox, for tests that signal or kill it.
    /// Its output is discarded.
    pub fn spawn(&self, args: &[&str]) -> Child {
        StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
            .args(args)
            .env("HOME", self.path())
            .env("NO_COLOR", "1")
            .current_dir(self.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn feedctl")
    }

    /// [`Self::spawn`] with its stderr in the file `log` of the sandbox.
    pub fn spawn_logged<S: AsRef<std::ffi::OsStr>>(&self, args: &[S], log: &str) -> Child {
        StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
            .args(args)
            .env("HOME", self.path())
            .env("NO_COLOR", "1")
            .current_dir(self.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.path().join(log)).expect("log"))
            .spawn()
            .expect("spawn feedctl")
    }

    /// The events `journal export` gives (each line's `event`), in its order; none when it
    /// fails (no journal yet).
    pub fn exported_events(&self, journal: &str) -> Vec<serde_json::Value> {
        let out = self
            .cmd()
            .args(["journal", "export", "-j", journal])
            .timeout(Duration::from_secs(10))
            .output()
            .unwrap();
        if !out.status.success() {
            return Vec::new();
        }
        stdout_of(&out)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|mut v| v["event"].take())
            .collect()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// A bot config pointing every component at `base_url`, signing with `key` (a fixture path).
    pub fn config_for(&self, base_url: &str, key: &str) -> PathBuf {
        let (host, port) = host_port(base_url);
        self.write(
            "config.yaml",
            &format!(
                "scheme: http\nhost: {host}\nport: {port}\nbot:\n  username: demo-bot\n  privateKey:\n    path: {}\n",
                fixture(key).display()
            ),
        )
    }
}

pub fn host_port(base_url: &str) -> (String, u16) {
    let addr = base_url.trim_start_matches("http://");
    let (h, p) = addr.rsplit_once(':').expect("host:port");
    (h.to_string(), p.parse().expect("port"))
}

/// An emulator running in this test process, on a runtime of its own.
pub struct InProcess {
    pub rt: tokio::runtime::Runtime,
    pub server: Option<Server>,
}

impl InProcess {
    pub fn start(opts: ServeOptions) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt.block_on(serve::start(opts)).expect("serve starts");
        InProcess {
            rt,
            server: Some(server),
        }
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("running")
    }

    pub fn url(&self) -> String {
        self.server().base_url.clone()
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.stop());
        }
    }
}

/// Serve options for tests: the test public key, short timeouts, the given events.
pub fn test_options(events: &str) -> ServeOptions {
    ServeOptions {
        events: serve::read_ndjson(events).expect("events"),
        public_key: Some(std::fs::read_to_string(fixture(PUBLIC_KEY)).expect("public key")),
        hub: HubSettings {
            poll_timeout: Duration::from_millis(500),
            visibility_timeout: Duration::from_millis(800),
            feed_ttl: Duration::from_secs(600),
            max_feeds: 20,
            batch_size: 100,
        },
        ..ServeOptions::default()
    }
}

pub fn demo_events() -> String {
    std::fs::read_to_string(fixture("demo.ndjson")).expect("demo.ndjson")
}

pub fn all_types() -> String {
    std::fs::read_to_string(fixture("events/all-types.ndjson")).expect("all-types")
}

/// `feedctl serve` as a separate process; killed on drop.
pub struct ServeProcess {
    pub child: Child,
    pub base_url: String,
}

impl ServeProcess {
    pub fn spawn(args: &[&str]) -> Self {
        Self::spawn_at("127.0.0.1:0", args)
    }

    pub fn spawn_at(listen: &str, args: &[&str]) -> Self {
        let bin = assert_cmd::cargo::cargo_bin("feedctl");
        let mut child = StdCommand::new(bin)
            .arg("serve")
            .arg("--listen")
            .arg(listen)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("first line");
        assert!(
            first.starts_with("http://127.0.0.1:"),
            "serve's first line should be its base URL, got {first:?}"
        );
        ServeProcess {
            child,
            base_url: first.trim().to_string(),
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `journal info -o json` of `journal` in the sandbox (asserting it succeeded).
pub fn journal_info(sb: &Sandbox, journal: &str) -> serde_json::Value {
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", journal, "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).expect("journal info -o json")
}

pub fn arc_events(text: &str) -> Vec<Arc<serde_json::value::RawValue>> {
    serve::read_ndjson(text).expect("events")
}

impl Sandbox {
    /// A config for `base_url` with fast retries (10 ms, ×2, cap 200 ms) so fault tests are quick.
    pub fn fast_config_for(&self, base_url: &str, extra: &str) -> PathBuf {
        let (host, port) = host_port(base_url);
        self.write(
            "config.yaml",
            &format!(
                "scheme: http\nhost: {host}\nport: {port}\nbot:\n  username: demo-bot\n  privateKey:\n    path: {}\n\
                 datafeed:\n  retry:\n    initialIntervalMillis: 10\n    maxIntervalMillis: 200\n{extra}",
                fixture(PRIVATE_KEY).display()
            ),
        )
    }
}

/// `n` distinct MESSAGESENT events, one per line.
pub fn generated_events(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"g{i:06}","messageId":"m{i:06}","timestamp":{},"type":"MESSAGESENT","initiator":{{"user":{{"userId":344147139494862,"username":"reedUAT"}}}},"payload":{{"messageSent":{{"message":{{"messageId":"m{i:06}","timestamp":{},"message":"<div data-format=\"PresentationML\" data-version=\"2.0\">event {i}</div>","stream":{{"streamId":"s1","streamType":"IM"}}}}}}}}}}"#,
                1795357800000i64 + i as i64,
                1795357800000i64 + i as i64
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The dedupe keys of NDJSON events (id|type|timestamp|messageId).
pub fn keys_of_events(ndjson: &str) -> Vec<String> {
    ndjson
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            feedctl::symphony::Event::parse(l)
                .expect("event")
                .dedupe_key()
        })
        .collect()
}

/// A feedctl client, as a bot, for an emulator at `base_url`, signing with the fixture `key`.
pub fn local_client(base_url: &str, key: &str) -> feedctl::symphony::Client {
    use feedctl::config::{Credential, Secret, Settings};
    let (host, port) = host_port(base_url);
    let pem = std::fs::read_to_string(fixture(key)).expect("key");
    let settings = Settings::local(
        "http",
        &host,
        port,
        "demo-bot",
        Credential::RsaKey {
            pem: Secret::new(pem),
            origin: "test".into(),
        },
    );
    feedctl::symphony::Client::new(&settings).expect("client")
}

/// Polls `cond` every 25 ms for at most `limit`; whether it held.
pub fn wait_for(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    cond()
}

/// Whether every tool is installed (a command on PATH): outside CI a test without them is
/// skipped with a note; in CI (CI=true) a missing one fails, since .ci/run installs them.
pub fn tools_installed(tools: &[&str]) -> bool {
    for tool in tools {
        let found = StdCommand::new("sh")
            .args(["-c", &format!("command -v {tool} >/dev/null 2>&1")])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !found {
            assert!(
                std::env::var_os("CI").is_none(),
                "{tool} is not installed; .ci/run installs it in CI"
            );
            eprintln!("skipped: {tool} is not installed");
            return false;
        }
    }
    true
}

/// A loopback port that was free a moment ago (for a server a test restarts on the same port).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A feedctl run in the background by a test, killed (and reaped) if the test ends or panics
/// before it exits, so a failing test leaves no process behind.
pub struct Background(Option<std::process::Child>);

impl Background {
    pub fn new(child: std::process::Child) -> Self {
        Background(Some(child))
    }

    pub fn wait_with_output(mut self) -> std::io::Result<std::process::Output> {
        match self.0.take() {
            Some(child) => child.wait_with_output(),
            None => Err(std::io::Error::other("already taken")),
        }
    }
}

impl std::ops::Deref for Background {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        self.0
            .as_ref()
            .expect("the child is only taken by wait_with_output")
    }
}

impl std::ops::DerefMut for Background {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0
            .as_mut()
            .expect("the child is only taken by wait_with_output")
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
