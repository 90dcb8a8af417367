//! The README's first command.

use crate::common::*;

#[test]
fn demo_runs_the_main_job_without_a_pod() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["demo", "-o", "ndjson"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 40, "every demo event on stdout");
    for l in &lines {
        serde_json::from_str::<serde_json::Value>(l).expect("each line is JSON");
    }
    let err = stderr_of(&out);
    assert!(err.contains("authenticated as demo-bot"), "{err}");
    assert!(err.contains("received all 40 of 40 events"), "{err}");
}
