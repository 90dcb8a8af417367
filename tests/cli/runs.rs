//! `feedctl journal runs`, replay's handler-time percentiles and `journal info` per partition,
//! through the real binary (issue 31 item 5, and item 2's `journal info`).

use crate::common::*;

/// A sandbox whose `j.db` holds `events` imported as recording `demo`, in chunks of 10.
fn imported(events: &str) -> Sandbox {
    let sb = Sandbox::new();
    let file = sb.write("events.ndjson", events);
    let out = sb
        .cmd()
        .args(["journal", "import", "-j", "j.db", "--name", "demo"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    sb
}

fn first_demo_events(n: usize) -> String {
    demo_events()
        .lines()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr_of(out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// `wc -c` says how many bytes each event's stdin had (the handler also keeps a copy of what
/// it read, so the test knows without knowing the envelope); one event fails with a word and
/// an escape sequence on stderr.
const HANDLER: &str = r#"tee -a seen.log | wc -c
if [ "$FEEDCTL_EVENT_ID" = 7163ur ]; then printf 'no thanks \033]0;pwned\007\n' >&2; exit 3; fi"#;

#[test]
fn journal_runs_lists_runs_and_shows_what_each_handler_said() {
    let sb = imported(&first_demo_events(3));
    let out = sb
        .cmd()
        .args(["replay", "-j", "j.db", "--sequential", "--exec", HANDLER])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let seen = std::fs::read_to_string(sb.path().join("seen.log")).unwrap();
    let sizes: Vec<String> = seen.lines().map(|l| format!("{}\n", l.len() + 1)).collect();
    assert_eq!(sizes.len(), 3);

    // The list: one run, its command and its counts by final outcome.
    let runs = json_of(
        &sb.cmd()
            .args(["journal", "runs", "-j", "j.db", "-o", "json"])
            .output()
            .unwrap(),
    );
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["id"], 1);
    assert_eq!(runs[0]["command"], HANDLER);
    assert_eq!(runs[0]["status"], "done");
    assert_eq!(runs[0]["events"], 3);
    assert_eq!(runs[0]["attempts"], 3);
    assert_eq!(
        runs[0]["outcomes"],
        serde_json::json!({"failed": 1, "handled": 2})
    );
    let table = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&table);
    assert!(
        text.contains("1 failed") && text.contains("wc -c"),
        "{text}"
    );
    assert_eq!(stderr_of(&table).trim(), "1 run");

    // One run: each event's outcome, status, and the handler's own words, exactly in JSON.
    let shown = json_of(
        &sb.cmd()
            .args(["journal", "runs", "-j", "j.db", "1", "-o", "json"])
            .output()
            .unwrap(),
    );
    let results = shown["results"].as_array().unwrap();
    let got: Vec<(String, String, Option<i64>, String, String)> = results
        .iter()
        .map(|r| {
            (
                r["eventId"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
                r["status"].as_i64(),
                r["stdout"].as_str().unwrap().to_string(),
                r["stderr"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "ui8y4t".into(),
                "handled".into(),
                Some(0),
                sizes[0].clone(),
                String::new()
            ),
            (
                "7163ur".into(),
                "failed".into(),
                Some(3),
                sizes[1].clone(),
                "no thanks \u{1b}]0;pwned\u{7}\n".into()
            ),
            (
                "n8laqw".into(),
                "handled".into(),
                Some(0),
                sizes[2].clone(),
                String::new()
            ),
        ]
    );
    assert!(results.iter().all(|r| r["durationMs"].is_i64()));
    assert_eq!(shown["run"]["id"], 1);

    // The table: the same words, the escape sequence made visible.
    let table = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "1", "-o", "table"])
        .output()
        .unwrap();
    let text = stdout_of(&table);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("no thanks \\x1b]0;pwned\\x07"), "{text}");
    for size in &sizes {
        assert!(
            text.contains(&format!(" {} ", size.trim())),
            "{size} in {text}"
        );
    }
    assert!(
        stderr_of(&table).contains("3 of 3 handler runs shown"),
        "{}",
        stderr_of(&table)
    );

    // NDJSON: one result per line.
    let nd = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "1", "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(stdout_of(&nd).lines().count(), 3);

    // A run that does not exist: exit 2, and how to list them.
    let missing = sb
        .cmd()
        .args(["journal", "runs", "-j", "j.db", "7"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let err = stderr_of(&missing);
    assert!(
        err.contains("no replay run 7") && err.contains("feedctl journal runs -j"),
        "{err}"
    );
    assert!(missing.stdout.is_empty());
}
