//! Hardening (issue 14): hostile servers, damaged files and misbehaving handlers meet bounded
//! waits, bounded memory, and files that are never written when they are refused.

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
    assert!(shown.contains("1 event(s) shown"), "{shown:?}");
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
