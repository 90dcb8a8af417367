//! `feedctl journal runs [RUN]`: the stored replay runs, and one run's handler results.

use anyhow::Result;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::exit::{Exit, Fail};
use crate::journal::{Journal, RunInfo};
use crate::output::{self, Printer};
use crate::text::counted;

/// Characters of a handler's stdout or stderr shown in a table cell (JSON has the whole head).
const HEAD_SHOWN: usize = 40;

pub fn runs(
    p: &Printer,
    format: OutputFormat,
    path: &std::path::Path,
    run: Option<i64>,
    limit: u64,
) -> Result<Exit> {
    let j = Journal::open_read(path)?;
    match run {
        None => list(p, format, &j.runs()?),
        Some(id) => show(p, format, &j, path, id, limit),
    }
}

fn list(p: &Printer, format: OutputFormat, runs: &[RunInfo]) -> Result<Exit> {
    match format {
        OutputFormat::Table => {
            let mut t = output::table(&[
                "RUN",
                "STARTED",
                "COMMAND",
                "STATUS",
                "EVENTS",
                "HANDLED",
                "NOT HANDLED",
                "TOOK",
            ]);
            for r in runs {
                t.add_row(vec![
                    r.id.to_string(),
                    output::time(r.started_at),
                    output::safe(&output::clip(&r.command, 40)),
                    r.status.clone(),
                    r.events.to_string(),
                    r.outcomes.get("handled").copied().unwrap_or(0).to_string(),
                    not_handled(r),
                    took(r),
                ]);
            }
            p.line(t)?;
            p.note(&counted(runs.len() as u64, "run"));
        }
        OutputFormat::Json => p.json(runs)?,
        OutputFormat::Ndjson => runs.iter().try_for_each(|r| p.ndjson(r))?,
    }
    Ok(Exit::Success)
}

/// The events not handled, by outcome: `2 failed, 1 timeout`, or `0`.
fn not_handled(r: &RunInfo) -> String {
    let parts: Vec<String> = r
        .outcomes
        .iter()
        .filter(|(o, _)| o.as_str() != "handled")
        .map(|(o, n)| format!("{n} {o}"))
        .collect();
    if parts.is_empty() {
        "0".into()
    } else {
        parts.join(", ")
    }
}

/// How long the run took, `-` while it runs (or when it was killed before it finished).
fn took(r: &RunInfo) -> String {
    match r.duration_ms {
        Some(ms) => format!("{:.1}s", ms as f64 / 1000.0),
        None => "-".into(),
    }
}

fn show(
    p: &Printer,
    format: OutputFormat,
    j: &Journal,
    path: &std::path::Path,
    id: i64,
    limit: u64,
) -> Result<Exit> {
    let Some(info) = j.run_info(id)? else {
        return Err(Fail::usage(format!(
            "{} has no replay run {id}; `feedctl journal runs -j {}` lists them",
            path.display(),
            crate::output::replay::shell_quote(&path.display().to_string()),
        ))
        .into());
    };
    let results = j.run_results(id, limit)?;
    match format {
        OutputFormat::Table => {
            p.line(format!(
                "run         {} ({}), started {}, took {}",
                info.id,
                info.status,
                output::time(info.started_at),
                took(&info)
            ))?;
            p.line(format!("command     {}", output::safe(&info.command)))?;
            p.line(format!(
                "events      {} ({} handled, not handled: {}), {}",
                info.events,
                info.outcomes.get("handled").copied().unwrap_or(0),
                not_handled(&info),
                counted(info.attempts, "handler run"),
            ))?;
            let mut t = output::table(&[
                "ROW", "TYPE", "EVENT ID", "TRY", "OUTCOME", "STATUS", "MS", "STDOUT", "STDERR",
            ]);
            for r in &results {
                t.add_row(vec![
                    r.row.to_string(),
                    output::safe(r.event_type.as_deref().unwrap_or("")),
                    output::safe(&output::clip(r.event_id.as_deref().unwrap_or(""), 20)),
                    r.attempt.to_string(),
                    r.outcome.clone(),
                    r.status.map(|s| s.to_string()).unwrap_or_default(),
                    r.duration_ms.to_string(),
                    head_cell(&r.stdout),
                    head_cell(&r.stderr),
                ]);
            }
            p.line(t)?;
            p.note(&format!(
                "{} of {} shown (--limit {limit})",
                results.len(),
                counted(j.run_result_count(id)?, "handler run"),
            ));
        }
        OutputFormat::Json => p.json(&json!({ "run": info, "results": results }))?,
        OutputFormat::Ndjson => results.iter().try_for_each(|r| p.ndjson(r))?,
    }
    Ok(Exit::Success)
}

/// A handler's output in a cell: its last newline dropped, control characters made visible,
/// cut to [`HEAD_SHOWN`] characters.
fn head_cell(text: &str) -> String {
    let text = text.strip_suffix('\n').unwrap_or(text);
    output::clip(&output::safe(text), HEAD_SHOWN)
}
