//! The README's five-minute tour, run verbatim in an empty directory with no pod and no config:
//! what a new user types first must work.

use std::io::Read;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The shell block between the tour markers of README.md.
fn tour() -> String {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md");
    let start = readme.find("<!-- tour:start").expect("tour start marker");
    let end = readme.find("<!-- tour:end -->").expect("tour end marker");
    let block = &readme[start..end];
    let body = block
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.rsplit_once("```"))
        .expect("a ```sh block between the markers")
        .0;
    body.to_string()
}

#[test]
fn the_readme_tour_works_verbatim_with_no_pod() {
    let sb = Sandbox::new();
    let bin = assert_cmd::cargo::cargo_bin("feedctl");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The harness only adds the clean-up: background jobs end with the script, whatever happens.
    let script = format!(
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{}",
        tour()
    );
    let mut cmd = StdCommand::new("bash");
    cmd.args(["-e", "-c", &script])
        .current_dir(sb.path())
        .env("PATH", path)
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("FEEDCTL_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd.spawn().expect("bash");
    let until = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("the tour did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        status.success(),
        "the tour failed ({status}):\n{err}\n{out}"
    );
    // Every step did its job: five tailed events, a journal of 40, 40 handler runs.
    assert!(out.contains("demo-bot"), "auth check names the bot:\n{out}");
    assert!(
        err.contains("40 events, 40 handler runs"),
        "the replay ran the handler on every event:\n{err}"
    );
    assert!(sb.path().join("today.db").exists());
    // `journal runs … 1` shows what `wc -c` said: a byte count per event (JSON when piped).
    assert!(
        out.contains("\"command\": \"wc -c\"")
            && out.contains("\"outcome\": \"handled\"")
            && out
                .split("\"stdout\": \"")
                .skip(1)
                .all(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))
            && out.matches("\"stdout\": \"").count() == 40,
        "journal runs shows the handler's output:\n{out}"
    );
}
