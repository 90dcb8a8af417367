//! `feedctl config show`.

use anyhow::Result;
use serde_json::json;

use super::load_settings;
use crate::cli::{Global, OutputFormat};
use crate::exit::Exit;
use crate::output;
use crate::output::Printer;

pub fn run(g: &Global, p: &Printer) -> Result<Exit> {
    let settings = load_settings(g)?;
    let file = settings.file.as_ref().map(|f| f.display().to_string());
    match p.format(g.output) {
        OutputFormat::Table => {
            p.note(&format!(
                "config file: {}",
                file.as_deref()
                    .unwrap_or("(none: flags and environment only)")
            ));
            let mut t = output::table(&["SETTING", "VALUE", "SOURCE"]);
            for o in &settings.origins {
                t.add_row(vec![o.key.clone(), o.value.clone(), o.source.to_string()]);
            }
            p.line(t)?;
        }
        format => {
            let rows: Vec<_> = settings
                .origins
                .iter()
                .map(|o| json!({ "key": o.key, "value": o.value, "source": o.source.to_string() }))
                .collect();
            if format == OutputFormat::Ndjson {
                rows.iter().try_for_each(|r| p.ndjson(r))?;
            } else {
                p.json(&json!({ "file": file, "settings": rows }))?;
            }
        }
    }
    Ok(Exit::Success)
}
