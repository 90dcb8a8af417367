//! The README's five-minute tour, run verbatim in an empty directory with no pod and no config:
//! what a new user types first must work.

use std::io::Read;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The shell block between `<!-- NAME:start` and `<!-- NAME:end -->` of a file of the project.
fn block(file: &str, name: &str) -> String {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect(file);
    let start = text
        .find(&format!("<!-- {name}:start"))
        .expect("start marker");
    let end = text
        .find(&format!("<!-- {name}:end -->"))
        .expect("end marker");
    let block = &text[start..end];
    let body = block
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.rsplit_once("```"))
        .expect("a ```sh block between the markers")
        .0;
    body.to_string()
}

fn tour() -> String {
    block("README.md", "tour")
}

/// Runs `script` with bash -e in the sandbox, feedctl first on PATH, within `limit`; its
/// (status, stdout, stderr).
fn run_script(
    sb: &Sandbox,
    script: &str,
    limit: Duration,
) -> (std::process::ExitStatus, String, String) {
    let bin = assert_cmd::cargo::cargo_bin("feedctl");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The harness only adds the clean-up: background jobs end with the script, whatever happens.
    let script = format!("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}");
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
        if k.starts_with("FEEDCTL_") || k.starts_with("SFDC_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd.spawn().expect("bash");
    // Read as it comes, so a full pipe never holds the script.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let until = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("the script did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (
        status,
        out_reader.join().unwrap(),
        err_reader.join().unwrap(),
    )
}

#[test]
fn the_redis_walkthrough_works_verbatim_on_a_free_port() {
    if !tools_installed(&["redis-server", "redis-cli"]) {
        return;
    }
    let sb = Sandbox::new();
    let script = block("docs/redis.md", "walkthrough").replace("6390", &free_port().to_string());
    let (status, out, err) = run_script(&sb, &script, Duration::from_secs(120));
    assert!(
        status.success(),
        "the walkthrough failed ({status}):\n{err}\n{out}"
    );
    // The tour's steps on a stream: three tailed entries (envelopes, piped), a journal of
    // three, three handler runs and their output, a copy of the stream.
    let tailed: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with("{\"source\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(tailed.len(), 3, "{out}");
    assert!(tailed
        .iter()
        .all(|e| e["source"] == "redis" && e["partition"] == "orders"));
    assert!(err.contains("3 events, 3 handler runs"), "{err}");
    assert_eq!(out.matches("\"command\": \"wc -c\"").count(), 1, "{out}");
    assert_eq!(out.matches("\"outcome\": \"handled\"").count(), 3, "{out}");
    assert!(
        out.contains("\"partition\": \"orders\""),
        "journal info names the key:\n{out}"
    );
}

#[test]
fn the_salesforce_walkthrough_works_verbatim_on_a_free_port() {
    let sb = Sandbox::new();
    let script =
        block("docs/salesforce.md", "walkthrough").replace("8090", &free_port().to_string());
    let (status, out, err) = run_script(&sb, &script, Duration::from_secs(120));
    assert!(
        status.success(),
        "the walkthrough failed ({status}):\n{err}\n{out}"
    );
    let tailed: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with("{\"source\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(tailed.len(), 3, "{out}");
    assert!(tailed
        .iter()
        .all(|e| e["source"] == "salesforce" && e["partition"] == "/topic/AccountUpdates"));
    assert!(err.contains("3 events, 3 handler runs"), "{err}");
    assert_eq!(out.matches("\"outcome\": \"handled\"").count(), 3, "{out}");
    // The resumed recording took only the new event; the expired marker said so (exit 4),
    // then the fallback recorded a gap.
    assert!(out.contains("exit 4"), "{out}\n{err}");
    let info: Vec<&str> = out.lines().filter(|l| l.contains("\"events\":")).collect();
    let last_info = out.rsplit("{\n  \"path\"").next().unwrap_or("");
    assert!(
        last_info.contains("\"events\": 5") && last_info.contains("\"gaps\": 1"),
        "the journal ends with 5 events and 1 gap:\n{last_info}\n{info:?}"
    );
}

#[test]
fn the_readme_tour_works_verbatim_with_no_pod() {
    let sb = Sandbox::new();
    let (status, out, err) = run_script(&sb, &tour(), Duration::from_secs(120));
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
