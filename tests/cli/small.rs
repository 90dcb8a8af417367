//! Smaller things a newcomer trips on (issue 16, item 17), each through the binary.

use crate::common::*;

#[test]
fn inject_takes_serves_listen_address_without_a_scheme() {
    let serve = ServeProcess::spawn(&["--accept-any-key"]);
    let sb = Sandbox::new();
    let addr = serve.base_url.trim_start_matches("http://").to_string();
    let out = sb
        .cmd()
        .args([
            "inject", "--server", &addr, "--text", "hello", "--stream", "s1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains(&format!("into http://{addr}")),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn message_text_decodes_every_html_entity() {
    let event = r#"{"id":"e1","messageId":"m1","timestamp":1795357800000,"type":"MESSAGESENT","initiator":{"user":{"userId":1,"username":"u"}},"payload":{"messageSent":{"message":{"messageId":"m1","timestamp":1795357800000,"message":"<div data-format=\"PresentationML\">caf&eacute; &euro;5 &#8364;6 &#x263A; &hellip; &amp;&lt;b&gt;</div>","stream":{"streamId":"s1","streamType":"IM"}}}}}"#;
    let sb = Sandbox::new();
    let file = sb.write("e.ndjson", event);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = sb
        .cmd()
        .args(["journal", "show", "-j", "j.db", "-o", "table"])
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(text.contains("café €5 €6 ☺ … &<b>"), "{text}");
}

#[test]
fn the_replay_retry_hint_names_the_journal_and_the_handler() {
    let sb = Sandbox::new();
    let file = sb.write("e.ndjson", &generated_events(2));
    let imported = sb
        .cmd()
        .args([
            "journal",
            "import",
            "-j",
            "my journal.db",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(imported.status.success(), "{}", stderr_of(&imported));
    let out = sb
        .cmd()
        .args(["replay", "-j", "my journal.db", "--exec", "exit 1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("`feedctl replay -j 'my journal.db' --rerun-failed 1 --exec 'exit 1'`"),
        "{err}"
    );
}

#[test]
fn reading_commands_leave_no_wal_or_shm_files_behind() {
    let sb = Sandbox::new();
    let file = sb.write("e.ndjson", &generated_events(3));
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    for args in [
        &["journal", "info", "-j", "j.db"][..],
        &["journal", "verify", "-j", "j.db"],
        &["journal", "ls", "-j", "j.db"],
    ] {
        let out = sb.cmd().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        for leftover in ["j.db-wal", "j.db-shm"] {
            assert!(
                !sb.path().join(leftover).exists(),
                "{args:?} left {leftover}"
            );
        }
    }
}
