//! Hardening (issue 14): hostile servers, damaged files and misbehaving handlers meet bounded
//! waits, bounded memory, and files that are never written when they are refused.

use std::process::Command as StdCommand;
use std::time::Duration;

use crate::common::*;

fn sidecars(sb: &Sandbox, name: &str) -> Vec<String> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| format!("{name}{s}"))
        .filter(|f| sb.path().join(f).exists())
        .collect()
}

fn import_demo(sb: &Sandbox, name: &str) {
    let file = sb.write("s.ndjson", &demo_events());
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", name, file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn writers_refuse_damaged_empty_and_tableless_journals_before_writing() {
    let sb = Sandbox::new();
    import_demo(&sb, "cut.db");
    let full = std::fs::read(sb.path().join("cut.db")).unwrap();
    std::fs::write(sb.path().join("cut.db"), &full[..full.len() / 2]).unwrap();
    std::fs::write(sb.path().join("empty.db"), b"").unwrap();
    {
        let c = rusqlite::Connection::open(sb.path().join("bare.db")).unwrap();
        c.execute_batch("PRAGMA application_id = 1178878804; PRAGMA user_version = 2;")
            .unwrap();
    }
    sb.write(
        "cfg.yaml",
        "host: 127.0.0.1\nport: 9\nscheme: http\nbot:\n  username: b\n",
    );
    for (name, why) in [
        ("cut.db", "damaged"),
        ("empty.db", "an empty file"),
        ("bare.db", "no table"),
    ] {
        let before = std::fs::read(sb.path().join(name)).unwrap();
        for args in [
            vec!["journal", "import", "-j", name, "s.ndjson"],
            vec!["replay", "-j", name, "--exec", "true"],
            vec!["journal", "show", "-j", name],
        ] {
            let out = sb.cmd().args(&args).output().unwrap();
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(name) && err.contains(why), "{args:?}: {err}");
            assert!(err.contains("left untouched"), "{err}");
        }
        assert_eq!(
            std::fs::read(sb.path().join(name)).unwrap(),
            before,
            "{name} untouched"
        );
        assert!(sidecars(&sb, name).is_empty(), "{:?}", sidecars(&sb, name));
    }
}

/// Damage inside the file (not a cut): readers find it when SQLite reads the page, a writer
/// before it writes (`PRAGMA quick_check`, docs/journal.md): a clear error with exit 2 that
/// points at `journal verify`, never a panic; a writer leaves the file untouched.
#[test]
fn damage_inside_a_journal_is_a_clear_error_when_it_is_read() {
    let sb = Sandbox::new();
    let big = "x".repeat(3000);
    let events: String = (0..300)
        .map(|i| format!("{{\"id\":\"e{i}\",\"messageId\":\"m{i}\",\"timestamp\":{},\"type\":\"MESSAGESENT\",\"payload\":{{\"pad\":\"{big}\"}}}}\n", 1_795_357_800_000_i64 + i))
        .collect();
    let file = sb.write("big.ndjson", &events);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "d.db", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut bytes = std::fs::read(sb.path().join("d.db")).unwrap();
    let at = bytes.len() / 2 / 4096 * 4096;
    bytes[at..at + 8192].fill(0xff);
    std::fs::write(sb.path().join("d.db"), &bytes).unwrap();
    let out = sb
        .cmd()
        .args(["replay", "-j", "d.db", "--exec", "true"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("damaged") && err.contains("left untouched") && err.contains("journal verify"),
        "{err}"
    );
    assert_eq!(std::fs::read(sb.path().join("d.db")).unwrap(), bytes);
    for args in [
        vec!["journal", "export", "-j", "d.db"],
        vec!["journal", "verify", "-j", "d.db"],
    ] {
        let out = sb.cmd().args(&args).output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("d.db") && err.contains("damaged") && err.contains("journal verify"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("left untouched") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn readers_leave_no_files_and_read_a_read_only_journal() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    import_demo(&sb, "s.db");
    assert!(sidecars(&sb, "s.db").is_empty());
    let before = std::fs::read(sb.path().join("s.db")).unwrap();
    for args in [
        vec!["journal", "ls", "-j", "s.db"],
        vec!["journal", "info", "-j", "s.db"],
        vec!["journal", "show", "-j", "s.db"],
        vec!["journal", "export", "-j", "s.db"],
        vec!["journal", "verify", "-j", "s.db"],
        vec!["journal", "outbox", "-j", "s.db"],
        vec!["journal", "runs", "-j", "s.db"],
    ] {
        let out = sb.cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        assert!(
            sidecars(&sb, "s.db").is_empty(),
            "{args:?} left {:?}",
            sidecars(&sb, "s.db")
        );
    }
    assert_eq!(std::fs::read(sb.path().join("s.db")).unwrap(), before);

    // A read-only file in a read-only directory.
    let dir = sb.path().join("ro");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(sb.path().join("s.db"), dir.join("s.db")).unwrap();
    std::fs::set_permissions(dir.join("s.db"), std::fs::Permissions::from_mode(0o400)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "ro/s.db"])
        .output()
        .unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out).lines().count(),
        demo_events().lines().count()
    );
}

#[test]
fn a_journal_is_read_while_its_writer_runs() {
    let sb = Sandbox::new();
    import_demo(&sb, "s.db");
    let path = sb.path().join("s.db");
    let serve = ServeProcess::spawn(&["--accept-any-key", "--journal", path.to_str().unwrap()]);
    // The writer holds the journal in WAL mode: readers share its log.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "s.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out).lines().count(),
        demo_events().lines().count()
    );
    drop(serve);
}

/// A message whose text and sender name try to set the window title, erase the line and
/// recolour the terminal.
const HOSTILE: &str = r#"{"id":"h1","messageId":"hm1","timestamp":1795357800000,"type":"MESSAGESENT","initiator":{"user":{"userId":7,"username":"\u001b[31mred"}},"payload":{"messageSent":{"message":{"messageId":"hm1","timestamp":1795357800000,"message":"<div data-format=\"PresentationML\" data-version=\"2.0\">hi \u001b]0;pwned\u0007 \u001b[2Kgone \u009b1m</div>","stream":{"streamId":"s1","streamType":"IM"}}}}}"#;

/// Output of `feedctl ARGS` run in `sb` on a pseudo-terminal, without colours.
fn on_a_terminal(sb: &Sandbox, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"));
    cmd.args(args)
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .current_dir(sb.path());
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).expect("pty");
    p.exp_eof().expect("feedctl ends")
}

fn assert_escaped(out: &str) {
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{9b}'),
        "raw control characters reached the terminal: {out:?}"
    );
    assert!(out.contains(r"\x1b]0;pwned\x07"), "{out:?}");
    assert!(
        out.contains(r"\x1b[2Kgone") && out.contains(r"\u{9b}1m"),
        "{out:?}"
    );
}

#[test]
fn event_text_cannot_drive_the_terminal_but_piped_data_stays_exact() {
    let pod = InProcess::start(test_options(HOSTILE));
    let sb = Sandbox::new();
    sb.fast_config_for(&pod.url(), "");

    let pretty = on_a_terminal(&sb, &["tail", "--count", "1"]);
    assert_escaped(&pretty);
    assert!(
        pretty.contains(r"\x1b[31mred"),
        "the sender's name too: {pretty:?}"
    );
    assert_escaped(&on_a_terminal(
        &sb,
        &["tail", "--count", "1", "--format", "{initiator}: {text}"],
    ));

    // Piped: the envelope carries the exact event, a template the exact text.
    let out = sb.cmd().args(["tail", "--count", "1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(
        v["event"],
        serde_json::from_str::<serde_json::Value>(HOSTILE).unwrap()
    );
    assert!(stdout_of(&out).contains(&HOSTILE[..60]), "exact bytes");
    let out = sb
        .cmd()
        .args(["tail", "--count", "1", "--format", "{text}"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("hi \u{1b}]0;pwned\u{7} \u{1b}[2Kgone"));

    // journal show, as a table on the terminal.
    sb.write("h.ndjson", HOSTILE);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "h.db", "h.ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let shown = on_a_terminal(&sb, &["journal", "show", "-j", "h.db"]);
    assert!(shown.contains("1 event shown"), "{shown:?}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    let out = sb
        .cmd()
        .args(["journal", "show", "-j", "h.db", "-o", "table"])
        .env("COLUMNS", "400")
        .output()
        .unwrap();
    assert_escaped(&stdout_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "h.db"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&out).contains(&format!("\"event\":{HOSTILE}}}")),
        "export stays exact"
    );
}

fn demo_journal(sb: &Sandbox, chunk: usize) {
    let file = sb.write("events.ndjson", &demo_events());
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--chunk-size"])
        .arg(chunk.to_string())
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

fn executable(sb: &Sandbox, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = sb.write(name, &format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn the_exec_precheck_leaves_shell_lists_to_the_shell() {
    let sb = Sandbox::new();
    demo_journal(&sb, 10);
    let events = demo_events().lines().count();
    executable(&sb, "h.sh", "cat >/dev/null; echo x >> ran.log");
    // A list whose first program exists runs; the handler's own status decides.
    for (cmd, code) in [
        ("./h.sh; exit 0", 0),
        ("./h.sh; exit 1", 1),
        ("true; nope-feedctl", 1),
    ] {
        let out = sb
            .cmd()
            .args(["replay", "-j", "j.db", "--exec", cmd])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(code), "{cmd}: {err}");
        // Not refused up front (the refusal names "handler `PROGRAM`").
        assert!(!err.contains("handler `"), "{cmd}: {err}");
    }
    let ran = std::fs::read_to_string(sb.path().join("ran.log")).unwrap();
    assert_eq!(
        ran.lines().count(),
        2 * events,
        "h.sh ran for every event, twice"
    );
    // A simple command whose program is missing is still refused before any event.
    for cmd in ["./missing.sh --flag", "nope-feedctl>/dev/null"] {
        let out = sb
            .cmd()
            .args(["replay", "-j", "j.db", "--exec", cmd])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = stderr_of(&out);
        assert!(
            err.contains("cannot be run") || err.contains("not found"),
            "{err}"
        );
    }
}

/// What a hostile HTTP server does after reading a request.
#[derive(Clone, Copy)]
enum Hostile {
    /// 200 with a body that never ends (at most 2 GiB, until the client hangs up).
    EndlessBody,
    /// Never answers (holds the connection for at most 120 s).
    Silent,
}

/// A loopback server that answers every request with `how`; stops accepting when dropped.
struct HostileServer {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl HostileServer {
    fn start(how: Hostile) -> Self {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            let until = std::time::Instant::now() + Duration::from_secs(180);
            while !stopping.load(Ordering::Relaxed) && std::time::Instant::now() < until {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let stopping = stopping.clone();
                std::thread::spawn(move || {
                    conn.set_nonblocking(false).ok();
                    conn.set_read_timeout(Some(Duration::from_secs(5))).ok();
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
                        match conn.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    match how {
                        Hostile::EndlessBody => {
                            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[");
                            let piece = vec![b' '; 64 * 1024];
                            for _ in 0..(2u64 << 30) / piece.len() as u64 {
                                if stopping.load(Ordering::Relaxed)
                                    || conn.write_all(&piece).is_err()
                                {
                                    break;
                                }
                            }
                        }
                        Hostile::Silent => {
                            let until = std::time::Instant::now() + Duration::from_secs(120);
                            let mut buf = [0u8; 1024];
                            conn.set_read_timeout(Some(Duration::from_millis(200))).ok();
                            while !stopping.load(Ordering::Relaxed)
                                && std::time::Instant::now() < until
                            {
                                if let Ok(0) = conn.read(&mut buf) {
                                    break;
                                }
                            }
                        }
                    }
                });
            }
        });
        HostileServer { port, stop }
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Runs feedctl to its end and returns (output, peak RSS in KiB from /proc/PID/status VmHWM).
fn run_measured(sb: &Sandbox, args: &[&str], limit: Duration) -> (std::process::Output, u64) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args(args)
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .current_dir(sb.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let started = std::time::Instant::now();
    let mut peak = 0u64;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("feedctl {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), peak)
}

#[test]
fn an_endless_body_is_cut_at_the_limit_and_memory_stays_bounded() {
    let hostile = HostileServer::start(Hostile::EndlessBody);
    let sb = Sandbox::new();
    sb.config_for(&format!("http://127.0.0.1:{}", hostile.port), PRIVATE_KEY);
    let (out, peak_kb) = run_measured(&sb, &["auth", "check"], Duration::from_secs(50));
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("larger than 1 MiB"), "{err}");
    assert!(peak_kb < 64 * 1024, "auth check peaked at {peak_kb} KiB");

    // A datafeed read: logins answered by a real emulator, the agent streams forever.
    let pod = InProcess::start(test_options(&demo_events()));
    let (host, port) = host_port(&pod.url());
    sb.write(
        "config.yaml",
        &format!(
            "scheme: http\nhost: {host}\nport: {port}\nagent:\n  host: 127.0.0.1\n  port: {}\nbot:\n  username: demo-bot\n  privateKey:\n    path: {}\n",
            hostile.port,
            fixture(PRIVATE_KEY).display()
        ),
    );
    let (out, peak_kb) = run_measured(&sb, &["datafeed", "read", "f1"], Duration::from_secs(50));
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("larger than 32 MiB"), "{err}");
    assert!(
        peak_kb < 160 * 1024,
        "datafeed read peaked at {peak_kb} KiB"
    );
}

#[test]
fn record_duration_bounds_a_login_that_never_completes() {
    let silent = HostileServer::start(Hostile::Silent);
    let sb = Sandbox::new();
    sb.config_for(&format!("http://127.0.0.1:{}", silent.port), PRIVATE_KEY);
    let started = std::time::Instant::now();
    let out = sb
        .cmd()
        .args(["record", "-j", "r.db", "--duration", "2s"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}: {err}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("stored 0 events"), "{err}");
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "r.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "journal intact: {}", stderr_of(&out));
}

fn stored_timeouts(sb: &Sandbox) -> Vec<Option<i64>> {
    let db = rusqlite::Connection::open(sb.path().join("j.db")).unwrap();
    let mut q = db
        .prepare("SELECT json_extract(options, '$.timeoutMs') FROM replay_runs ORDER BY id")
        .unwrap();
    q.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn replay_handlers_have_a_default_timeout_also_in_stream_mode() {
    let sb = Sandbox::new();
    // One chunk of 3000 events (about 1 MB): more than a pipe holds.
    let file = sb.write("many.ndjson", &generated_events(3000));
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--chunk-size", "3000"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // A stream handler that neither reads its input nor answers.
    let started = std::time::Instant::now();
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--mode",
            "stream",
            "--exec",
            "sleep 300",
        ])
        // One write of the whole chunk (stream mode writes concurrency × 64 events at a time).
        .args([
            "--timeout",
            "1s",
            "--concurrency",
            "64",
            "--report",
            "r.json",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(started.elapsed() < Duration::from_secs(20), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(r["outcomes"]["timeout"], 3000, "{r}");

    // Without --timeout the default (5 minutes) is in force; 0 is none.
    for extra in [&[][..], &["--timeout", "0"][..]] {
        let out = sb
            .cmd()
            .args(["replay", "-j", "j.db", "--chunks", "1..1", "--exec", "true"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    assert_eq!(stored_timeouts(&sb), vec![Some(1000), Some(300_000), None]);
}

#[test]
fn hostile_handler_output_is_read_in_bounded_memory_and_said_cut() {
    let sb = Sandbox::new();
    demo_journal(&sb, 1);
    // Per event: 400 MB on stdout without a newline.
    let (out, peak_kb) = run_measured(
        &sb,
        &[
            "replay",
            "-j",
            "j.db",
            "--chunks",
            "1..1",
            "--exec",
            "cat >/dev/null; head -c 400000000 /dev/zero",
        ],
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(peak_kb < 100 * 1024, "replay peaked at {peak_kb} KiB");
    let db = rusqlite::Connection::open(sb.path().join("j.db")).unwrap();
    let head: String = db
        .query_row("SELECT stdout_head FROM replay_results", [], |r| r.get(0))
        .unwrap();
    assert!(head.len() < 2048, "{} bytes stored", head.len());
    assert!(
        head.ends_with("[feedctl: output cut, 400000000 bytes in all, the first KiB kept]"),
        "{head:?}"
    );
    drop(db);

    // Stream mode: a 300 MB line without a newline, then proper results.
    executable(
        &sb,
        "stream.sh",
        r#"head -c 300000000 /dev/zero; echo
sed -u 's/^{"id":"\([^"]*\)".*/{"id":"\1","status":0}/'"#,
    );
    let (out, peak_kb) = run_measured(
        &sb,
        &[
            "replay",
            "-j",
            "j.db",
            "--chunks",
            "1..3",
            "--mode",
            "stream",
            "--exec",
            "./stream.sh",
        ],
        Duration::from_secs(120),
    );
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("a line of 300000000 bytes") && err.contains("cut"),
        "{err}"
    );
    assert!(peak_kb < 100 * 1024, "replay peaked at {peak_kb} KiB");
}

/// One number from the journal; 0 while it does not exist yet.
fn count(sb: &Sandbox, sql: &str) -> i64 {
    rusqlite::Connection::open_with_flags(
        sb.path().join("j.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .and_then(|db| db.query_row(sql, [], |r| r.get(0)))
    .unwrap_or(0)
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let until = std::time::Instant::now() + limit;
    while !done() {
        assert!(
            std::time::Instant::now() < until,
            "{what}: not within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_import_killed_midway_resumes_without_duplicates() {
    let sb = Sandbox::new();
    let n = 20_000;
    let file = sb.write("big.ndjson", &generated_events(n));
    let mut child = sb.spawn(&[
        "journal",
        "import",
        "-j",
        "j.db",
        "--chunk-size",
        "20",
        file.to_str().unwrap(),
    ]);
    wait_for("the first chunks", Duration::from_secs(60), || {
        count(&sb, "SELECT count(*) FROM chunks") >= 5
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = count(&sb, "SELECT count(*) FROM events");
    assert!(
        partial > 0 && partial < n as i64,
        "killed midway: {partial} of {n}"
    );

    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--chunk-size", "20"])
        .arg(&file)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("resuming an interrupted import"), "{err}");
    assert_eq!(count(&sb, "SELECT count(*) FROM events"), n as i64);
    assert_eq!(
        count(
            &sb,
            "SELECT count(*) FROM events WHERE duplicate_of IS NOT NULL"
        ),
        0
    );
    assert_eq!(count(&sb, "SELECT count(*) FROM recordings"), 1);

    // The same import again adds nothing, and says so.
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--chunk-size", "20"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr_of(&out).contains("already imported"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(count(&sb, "SELECT count(*) FROM events"), n as i64);
    let out = sb
        .cmd()
        .args(["journal", "verify", "-j", "j.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

fn replay_child(sb: &Sandbox, extra: &[&str]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args(["replay", "-j", "j.db"])
        .args(extra)
        .current_dir(sb.path())
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn lines_in(sb: &Sandbox, name: &str) -> usize {
    std::fs::read_to_string(sb.path().join(name))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[test]
fn sigterm_stops_a_replay_like_ctrl_c_and_exits_143() {
    let sb = Sandbox::new();
    demo_journal(&sb, 5);
    executable(&sb, "slow.sh", "echo $$ >> pids\ncat >/dev/null\nsleep 30");
    let mut child = replay_child(
        &sb,
        &[
            "--exec",
            "./slow.sh",
            "--concurrency",
            "2",
            "--grace",
            "200ms",
        ],
    );
    wait_for("two handlers", Duration::from_secs(10), || {
        lines_in(&sb, "pids") >= 2
    });
    StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let sent = std::time::Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert!(sent.elapsed() < Duration::from_secs(5));
    for pid in std::fs::read_to_string(sb.path().join("pids"))
        .unwrap()
        .lines()
    {
        assert!(!alive(pid), "handler {pid} still running");
    }
    assert_eq!(
        count(
            &sb,
            "SELECT count(*) FROM replay_runs WHERE status = 'interrupted'"
        ),
        1
    );
}

#[test]
fn a_killed_replay_is_closed_on_the_next_open_and_rerun_failed_covers_what_never_ran() {
    let sb = Sandbox::new();
    demo_journal(&sb, 1);
    let total = demo_events().lines().count();
    executable(
        &sb,
        "h.sh",
        "cat >/dev/null\necho $FEEDCTL_EVENT_ID >> ran\nsleep 0.1",
    );
    let mut child = replay_child(&sb, &["--exec", "./h.sh", "--sequential"]);
    // Killed after results of the first events were stored.
    wait_for("stored results", Duration::from_secs(20), || {
        count(
            &sb,
            "SELECT count(*) FROM replay_results WHERE outcome = 'handled'",
        ) >= 3
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        count(
            &sb,
            "SELECT count(*) FROM replay_runs WHERE status = 'running'"
        ),
        1,
        "SIGKILL leaves the run open"
    );
    let handled = count(
        &sb,
        "SELECT count(DISTINCT event_row_id) FROM replay_results WHERE outcome = 'handled'",
    ) as usize;
    assert!(handled < total);

    // The handler running when replay was killed finishes on its own (SIGKILL cannot stop it).
    std::thread::sleep(Duration::from_millis(500));
    std::fs::remove_file(sb.path().join("ran")).unwrap();
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--rerun-failed",
            "1",
            "--exec",
            "./h.sh",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("replay run 2: {} event", total - handled)),
        "every event not handled in run 1, also those never started: {err}"
    );
    assert_eq!(lines_in(&sb, "ran"), total - handled);
    assert_eq!(
        count(
            &sb,
            "SELECT count(*) FROM replay_runs WHERE id = 1 AND status = 'interrupted'"
        ),
        1,
        "the abandoned run is closed as interrupted"
    );
    // Nothing left to do after that.
    let out = sb
        .cmd()
        .args([
            "replay",
            "-j",
            "j.db",
            "--rerun-failed",
            "2",
            "--exec",
            "./h.sh",
        ])
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("replay run 3: 0 events"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn serve_refuses_the_fault_rules_its_grammar_calls_invalid() {
    let sb = Sandbox::new();
    sb.write("e.ndjson", &demo_events());
    for (rule, says) in [
        ("read:500@0.5@0.5", "`@` is given twice"),
        ("read:500+1+2", "`+` is given twice"),
        ("login:duplicate", "its target is `read` or `any`"),
        ("", "the rule is empty"),
        ("read:500,", "the rule is empty"),
        ("read:500x0", "`x0` would never fire"),
    ] {
        let out = sb
            .cmd()
            .args([
                "serve",
                "--events",
                "e.ndjson",
                "--accept-any-key",
                "--fault",
                rule,
            ])
            .timeout(Duration::from_secs(10))
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{rule:?}: {err}");
        assert!(
            err.contains("bad fault") && err.contains(says),
            "{rule:?}: {err}"
        );
        assert!(stdout_of(&out).is_empty(), "serve never started: {rule:?}");
    }
}

#[test]
fn inject_sends_a_large_file_in_batches_and_explains_an_oversized_event() {
    let pod = InProcess::start(test_options(""));
    let sb = Sandbox::new();
    let n = 12_000;
    let file = sb.write("big.ndjson", &generated_events(n));
    assert!(
        std::fs::metadata(&file).unwrap().len() > 4 << 20,
        "over serve's 2 MiB per request"
    );
    let out = sb
        .cmd()
        .args(["inject", "--server", &pod.url(), "--file", "big.ndjson"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&format!("injected {n} events")), "{err}");
    let posts = pod
        .server()
        .requests()
        .iter()
        .filter(|r| r.target == "inject" && r.status == 200)
        .count();
    assert!(posts >= 3, "sent in batches: {posts}");

    // One event larger than serve takes: a clear refusal, nothing half-said.
    let huge = format!(
        r#"{{"id":"big","timestamp":1,"type":"MESSAGESENT","payload":{{"messageSent":{{"message":{{"message":"{}"}}}}}}}}"#,
        "x".repeat(3 << 20)
    );
    sb.write("huge.ndjson", &huge);
    let out = sb
        .cmd()
        .args(["inject", "--server", &pod.url(), "--file", "huge.ndjson"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("HTTP 413") && err.contains("serve's limit of 2 MiB"),
        "{err}"
    );
    assert!(!err.contains("no details"), "{err}");
}

fn vm_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// `n` requests on one keep-alive connection, each read to its end.
fn hammer(base_url: &str, n: usize) {
    use std::io::{BufRead, BufReader, Read, Write};
    let addr = base_url.trim_start_matches("http://");
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    for _ in 0..n {
        writer
            .write_all(b"GET /pod/v2/sessioninfo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
    }
}

#[test]
fn serve_memory_stays_flat_over_many_requests() {
    let sb = Sandbox::new();
    let events = sb.write("e.ndjson", &demo_events());
    // Its own process: serve echoes every request on stderr, which must not fill a pipe here.
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("feedctl"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--accept-any-key",
            "--events",
        ])
        .arg(&events)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let base_url = first.trim().to_string();
    let pid = child.id();
    hammer(&base_url, 8_000);
    let warm = vm_rss_kb(pid);
    hammer(&base_url, 32_000);
    let after = vm_rss_kb(pid);
    let _ = child.kill();
    let _ = child.wait();
    // Kept per request before: about 250 bytes, so 32,000 more requests cost about 8 MiB.
    assert!(
        after < warm + 3 * 1024,
        "serve grew from {warm} KiB to {after} KiB over 32,000 requests"
    );
}
