//! `feedctl journal verify`: SQLite's integrity check and the journal's invariants, with a
//! progress bar over the events on a terminal.

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::exit::Exit;
use crate::journal::Journal;
use crate::output::Printer;

pub fn verify(p: &Printer, format: OutputFormat, path: &Path) -> Result<Exit> {
    let j = Journal::open_read(path)?;
    // Drawn only when stderr is a terminal (the printer's rule); counted in event rows.
    let bar = p.bar("verifying {bar:30} {percent}% · eta {eta}", 0);
    let problems = j.verify_with_progress(|row, last| {
        bar.set_length(last);
        bar.set_position(row);
    })?;
    bar.finish_and_clear();
    match format {
        OutputFormat::Table => {
            for problem in &problems {
                p.line(format!("{}: {}", problem.check, problem.detail))?;
            }
            if problems.is_empty() {
                p.note(&format!(
                    "{}: ok (SQLite integrity and journal invariants)",
                    path.display()
                ));
            } else {
                p.note(&format!(
                    "{}: {} found",
                    path.display(),
                    crate::text::counted(problems.len() as u64, "problem")
                ));
            }
        }
        OutputFormat::Json => {
            p.json(&json!({ "ok": problems.is_empty(), "problems": problems }))?
        }
        OutputFormat::Ndjson => problems.iter().try_for_each(|r| p.ndjson(r))?,
    }
    // A damaged file is a bad input (2); a sound file whose contents break an invariant is a failed check (1).
    Ok(if problems.is_empty() {
        Exit::Success
    } else if problems.iter().any(|p| p.check == "sqlite integrity") {
        Exit::Usage
    } else {
        Exit::Failed
    })
}
