//! A real hopeit.engine app (PyPI `hopeit.engine[redis-streams,fs-storage]`, in a venv made by
//! .ci/run) on a real redis-server: the streams tutorial app of tests/hopeit/, run by
//! `hopeit_server` as its users run it. Its `send-message` endpoint writes with hopeit's default
//! json+base64+lz4; feedctl records and decodes those entries, then replays them into the
//! stream its `process-message` STREAM event consumes, which must save every one and leave
//! none pending.
//!
//! The interpreter comes from FEEDCTL_TEST_HOPEIT_PYTHON; without it these tests say so and do
//! nothing on a developer's machine, and fail under CI=true, where .ci/run installs hopeit.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::redis_server::RedisServer;

const STREAM: &str = "my-stream";
const GROUP: &str = "process-message-group";
const TYPE: &str = "my_streaming_app.data_model.MyMessage";

pub fn python() -> Option<String> {
    let p = std::env::var("FEEDCTL_TEST_HOPEIT_PYTHON")
        .ok()
        .filter(|p| !p.is_empty());
    if p.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "FEEDCTL_TEST_HOPEIT_PYTHON is not set under CI=true: .ci/run installs hopeit.engine and sets it"
        );
        eprintln!("FEEDCTL_TEST_HOPEIT_PYTHON is not set: the hopeit.engine tests are skipped (.ci/run sets it)");
    }
    if let Some(py) = &p {
        let works = StdCommand::new(py)
            .args(["-c", "import hopeit.redis_streams, hopeit.fs_storage"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            works,
            "FEEDCTL_TEST_HOPEIT_PYTHON={py} cannot import hopeit.redis_streams; run .ci/run"
        );
    }
    p
}

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hopeit")
}

/// `hopeit_server run --start-streams` in a process group of its own (gunicorn forks a
/// worker), killed as a group on drop.
struct HopeitApp {
    child: Child,
    port: u16,
    saved: PathBuf,
    dir: tempfile::TempDir,
}

impl HopeitApp {
    fn start(py: &str, redis_port: u16) -> HopeitApp {
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join("saved");
        let port = free_port();
        let bin = Path::new(py).with_file_name("hopeit_server");
        let app = app_dir();
        let files = ["server.json", "plugin-config.json", "config.json"]
            .map(|f| app.join(f).display().to_string())
            .join(",");
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = StdCommand::new(bin)
            .args(["run", "--start-streams", "--host", "127.0.0.1"])
            .args(["--port", &port.to_string()])
            .arg(format!("--config-files={files}"))
            .env("PYTHONPATH", &app)
            .env(
                "HOPEIT_TEST_REDIS_URL",
                format!("redis://127.0.0.1:{redis_port}"),
            )
            .env("HOPEIT_TEST_SAVE_PATH", &saved)
            .env("REDIS_USERNAME", "")
            .env("REDIS_PASSWORD", "")
            .current_dir(dir.path())
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("spawn hopeit_server");
        HopeitApp {
            child,
            port,
            saved,
            dir,
        }
    }

    fn log(&self) -> String {
        let mut s = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        if let Ok(rd) = std::fs::read_dir(self.dir.path().join("logs")) {
            for e in rd.flatten() {
                s.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        s
    }

    /// Ready when its HTTP port answers and its STREAM event has joined the group.
    fn wait_ready(&mut self, c: &mut redis::Connection) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("hopeit_server exited with {status}:\n{}", self.log());
            }
            let http = std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            // hopeit makes its group (from 0, MKSTREAM) as its STREAM event starts: from then
            // on nothing written is missed.
            if http && group_state(c).0 >= 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "hopeit app not ready in 90 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// POSTs each text to send-message, as a user's client does.
    fn send(&self, py: &str, texts: &[&str]) {
        let url = format!(
            "http://127.0.0.1:{}/api/my-streaming-app/1x0/send-message",
            self.port
        );
        let out = StdCommand::new(py)
            .arg(app_dir().join("send.py"))
            .arg(url)
            .args(texts)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "send.py: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["status"], 200, "{line}");
        }
    }

    /// The messages the app saved: text → how many times, each PROCESSED.
    fn saved(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        let Ok(rd) = std::fs::read_dir(&self.saved) else {
            return m;
        };
        for e in rd.flatten() {
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            // A file being written may be empty or partial: counted on the next look.
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            assert_eq!(v["status"], "PROCESSED", "{text}");
            *m.entry(v["text"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        m
    }

    /// Waits (bounded) until the app saved `want` messages and its group has nothing pending
    /// and nothing left to read.
    fn wait_drained(&self, c: &mut redis::Connection, want: usize) -> BTreeMap<String, usize> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let saved = self.saved();
            let n: usize = saved.values().sum();
            let (pending, lag) = group_state(c);
            if n >= want && pending == 0 && lag == Some(0) {
                return saved;
            }
            assert!(
                Instant::now() < deadline,
                "after 60 s the app saved {n} of {want}, {pending} pending, lag {lag:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for HopeitApp {
    fn drop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: a plain kill(2) of the process group this test started.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// hopeit's group: its pending count and its lag (entries never delivered to it).
fn group_state(c: &mut redis::Connection) -> (i64, Option<i64>) {
    let Ok(groups) = redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(STREAM)
        .query::<Vec<redis::Value>>(c)
    else {
        return (-1, None);
    };
    for g in groups {
        let redis::Value::Array(kv) = g else { continue };
        let text = |v: &redis::Value| match v {
            redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
            redis::Value::SimpleString(s) => s.clone(),
            _ => String::new(),
        };
        let get = |name: &str| kv.chunks(2).find(|p| text(&p[0]) == name).map(|p| &p[1]);
        if get("name").map(text).as_deref() == Some(GROUP) {
            let int = |v: Option<&redis::Value>| match v {
                Some(redis::Value::Int(n)) => Some(*n),
                _ => None,
            };
            return (int(get("pending")).unwrap_or(-1), int(get("lag")));
        }
    }
    (-1, None)
}

#[test]
fn hopeit_app_entries_are_recorded_decoded_and_replayed_into_its_consumer() {
    let Some(py) = python() else { return };
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let mut app = HopeitApp::start(&py, r.port);
    app.wait_ready(&mut c);

    let texts = [
        "first message",
        "second one",
        "third, with ünïcødé",
        "4th",
        "fifth",
    ];
    app.send(&py, &texts);
    let first = app.wait_drained(&mut c, texts.len());
    let once: BTreeMap<String, usize> = texts.iter().map(|t| (t.to_string(), 1)).collect();
    assert_eq!(first, once, "the app itself processed what was sent");

    // What hopeit wrote, recorded with a plain XREAD (not joining hopeit's group) and decoded.
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", &r.url(STREAM), "--count", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "j.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let events: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["event"].clone())
        .collect();
    assert_eq!(events.len(), texts.len());
    for (e, t) in events.iter().zip(texts) {
        assert_eq!(e["fields"]["ser"], "json+base64", "hopeit's default: {e}");
        assert_eq!(e["fields"]["comp"], "lz4", "hopeit's default: {e}");
        assert_eq!(e["hopeit"]["type"], TYPE);
        assert!(e["hopeit"]["request_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        assert_eq!(
            e["hopeit"]["payload"],
            serde_json::json!({"text": t, "status": "VALID"}),
            "decoded equal to what send-message answered"
        );
    }

    // Joining hopeit's group would take its work (issue 29, item 11): `tail --group` and
    // `record --group` on it are refused (exit 2, saying to read without --group) and take
    // nothing, so the app still gets every entry replayed below.
    for args in [
        vec![
            "tail",
            "--group",
            GROUP,
            "--count",
            "5",
            "--duration",
            "10s",
        ],
        vec![
            "record",
            "-j",
            "g.db",
            "--group",
            GROUP,
            "--count",
            "5",
            "--duration",
            "10s",
        ],
    ] {
        let out = sb.cmd().args(&args).arg(r.url(STREAM)).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("has other consumers")
                && stderr_of(&out).contains("leave out --group"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_eq!(
        group_state(&mut c),
        (0, Some(0)),
        "nothing taken from hopeit"
    );

    // Replayed in hopeit's layout into the stream its STREAM event consumes: every entry is
    // processed, none left pending.
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--to", &r.url(STREAM)])
        .args(["--layout", "hopeit", "--hopeit-type", TYPE])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let len: usize = redis::cmd("XLEN").arg(STREAM).query(&mut c).unwrap();
    assert_eq!(len, 2 * texts.len());
    let twice: BTreeMap<String, usize> = texts.iter().map(|t| (t.to_string(), 2)).collect();
    assert_eq!(app.wait_drained(&mut c, 2 * texts.len()), twice);
    let log = app.log();
    assert!(
        !log.contains("Traceback") && !log.contains("| ERROR |"),
        "the app logged errors:\n{log}"
    );
}

/// The app's OpenAPI document, as `hopeit_openapi create --generate` wrote it from
/// tests/hopeit/'s config: `MyMessage` with `status` a `$ref` to the `Status` enum.
fn openapi() -> String {
    app_dir().join("openapi.json").display().to_string()
}

/// Imports NDJSON payloads of `MyMessage` as recording `name`.
fn import(sb: &Sandbox, name: &str, lines: &str, schema: Option<&str>) -> std::process::Output {
    sb.write(&format!("{name}.ndjson"), lines);
    let mut cmd = sb.cmd();
    cmd.args(["journal", "import", "-j", "j.db", "--name", name])
        .arg(format!("{name}.ndjson"))
        .args(["--hopeit-type", TYPE]);
    if let Some(s) = schema {
        cmd.args(["--schema", s]);
    }
    cmd.output().unwrap()
}

#[test]
fn hopeit_app_consumes_every_compression_and_never_gets_a_payload_its_schema_refuses() {
    let Some(py) = python() else { return };
    let Some(r) = RedisServer::start() else {
        return;
    };
    let mut c = r.conn();
    let mut app = HopeitApp::start(&py, r.port);
    app.wait_ready(&mut c);
    let sb = Sandbox::new();
    let schema = openapi();

    // A status the dataobject does not have: stored without --schema, refused by replay's
    // --schema before the first XADD; the stream stays empty.
    let out = import(
        &sb,
        "bogus",
        "{\"text\":\"fine\",\"status\":\"VALID\"}\n{\"text\":\"bad one\",\"status\":\"BOGUS\"}\n",
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--recording", "bogus"])
        .args(["--to", &r.url(STREAM), "--layout", "hopeit"])
        .args(["--hopeit-type", TYPE, "--schema", &schema])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("(recording bogus, chunk 1, row 2): payload at /status: \"BOGUS\""),
        "{err}"
    );
    let len: usize = redis::cmd("XLEN").arg(STREAM).query(&mut c).unwrap();
    assert_eq!(len, 0, "nothing written");

    // Valid payloads, checked against the same document on import and on replay, written in
    // each of hopeit's other compressions: the app consumes every one.
    let texts = ["zipped", "gzipped", "bz2 one", "xz one", "plain json"];
    let lines: String = texts
        .iter()
        .map(|t| format!("{{\"text\":\"{t}\",\"status\":\"VALID\"}}\n"))
        .collect();
    let out = import(&sb, "good", &lines, Some(&schema));
    assert!(out.status.success(), "{}", stderr_of(&out));
    let encodings = [
        ("json+base64", "zip"),
        ("json", "gzip"),
        ("json+base64", "bz2"),
        ("json", "lzma"),
    ];
    for (ser, comp) in encodings {
        let out = sb
            .cmd()
            .args(["replay", "-j", "j.db", "--recording", "good"])
            .args(["--to", &r.url(STREAM), "--layout", "hopeit"])
            .args(["--hopeit-type", TYPE, "--schema", &schema])
            .args(["--hopeit-ser", ser, "--hopeit-comp", comp])
            .output()
            .unwrap();
        assert!(out.status.success(), "{ser} {comp}: {}", stderr_of(&out));
    }
    let want: BTreeMap<String, usize> = texts
        .iter()
        .map(|t| (t.to_string(), encodings.len()))
        .collect();
    assert_eq!(
        app.wait_drained(&mut c, texts.len() * encodings.len()),
        want
    );
    let log = app.log();
    assert!(
        !log.contains("Traceback") && !log.contains("| ERROR |"),
        "the app logged errors:\n{log}"
    );

    // --layout original into the app's stream: an entry like hopeit's without submit_ts is
    // refused, because the stream is a hopeit app's.
    r.xadd(
        &mut c,
        "src",
        &[
            ("id", b"e-1"),
            ("type", TYPE.as_bytes()),
            ("event_ts", b""),
            ("auth_info", b"e30="),
            ("ser", b"json"),
            ("comp", b"none"),
            ("payload", br#"{"text":"no submit_ts","status":"VALID"}"#),
        ],
    );
    let out = sb
        .cmd()
        .args(["record", "-j", "j.db", "--name", "lacking", &r.url("src")])
        .args(["--count", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--recording", "lacking"])
        .args(["--to", &r.url(STREAM)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("lacks hopeit's field submit_ts"), "{err}");
    assert!(err.contains("looks like a hopeit app's stream"), "{err}");
    let len: usize = redis::cmd("XLEN").arg(STREAM).query(&mut c).unwrap();
    assert_eq!(len, texts.len() * encodings.len(), "nothing more written");
}
