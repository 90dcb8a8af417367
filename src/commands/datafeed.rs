//! `feedctl datafeed create|list|delete|read`: the raw Datafeed API, v2 unless configured v1.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use serde_json::json;

use super::load_settings;
use crate::cli::{DatafeedCommand, Global, OutputFormat};
use crate::config::DatafeedVersion;
use crate::exit::{Exit, Fail};
use crate::output;
use crate::output::Printer;
use crate::symphony::datafeed::is_fanout_id;
use crate::symphony::{ApiError, Client};

pub async fn run(g: &Global, p: &Printer, cmd: &DatafeedCommand) -> Result<Exit> {
    let settings = load_settings(g)?;
    let version = settings.datafeed.version;
    if version == DatafeedVersion::V1
        && matches!(
            cmd,
            DatafeedCommand::List { .. } | DatafeedCommand::Delete { .. }
        )
    {
        return Err(Fail::usage(
            "Datafeed v1 has no list or delete call; use --datafeed-version v2",
        )
        .into());
    }
    // Ask before contacting the pod, so a "no" costs nothing.
    if let DatafeedCommand::Delete { ids } = cmd {
        if !confirm_delete(g, ids)? {
            p.note("nothing deleted");
            return Ok(Exit::Success);
        }
    }
    let client = Client::new(&settings)?;
    let format = p.format(g.output);
    match cmd {
        DatafeedCommand::Create {
            tag,
            include_invisible,
            ..
        } => {
            let tag = tag.clone().or(settings.datafeed.tag.clone());
            let record = match version {
                DatafeedVersion::V2 => {
                    let feed = client
                        .create_datafeed(
                            tag.as_deref(),
                            *include_invisible || settings.datafeed.include_invisible,
                        )
                        .await?;
                    json!({ "id": feed.id, "version": "v2", "type": feed.feed_type, "createdAt": feed.created_at })
                }
                DatafeedVersion::V1 => {
                    let id = client.create_datafeed_v1().await?;
                    json!({ "id": id, "version": "v1", "type": null, "createdAt": null })
                }
            };
            match format {
                // `-q` is for scripts: `ID=$(feedctl -q datafeed create)` gets the bare id.
                _ if g.quiet => p.line(record["id"].as_str().unwrap_or_default())?,
                OutputFormat::Table => p.line(record["id"].as_str().unwrap_or_default())?,
                OutputFormat::Json => p.json(&record)?,
                OutputFormat::Ndjson => p.ndjson(&record)?,
            }
        }
        DatafeedCommand::List { tag, .. } => {
            let feeds = client.list_datafeeds(tag.as_deref()).await?;
            let records: Vec<_> = feeds
                .iter()
                .map(|f| {
                    let kind = if is_fanout_id(&f.id) { "fanout" } else if f.id.contains("_p_") { "datahose" } else { "other" };
                    json!({ "id": f.id, "type": f.feed_type, "createdAt": f.created_at, "kind": kind })
                })
                .collect();
            match format {
                OutputFormat::Table => {
                    let mut t = output::table(&["ID", "KIND", "TYPE", "CREATED"]);
                    for r in &records {
                        t.add_row(vec![
                            r["id"].as_str().unwrap_or("").to_string(),
                            r["kind"].as_str().unwrap_or("").to_string(),
                            r["type"].as_str().unwrap_or("").to_string(),
                            r["createdAt"]
                                .as_i64()
                                .map(output::time)
                                .unwrap_or_default(),
                        ]);
                    }
                    p.line(t)?;
                    p.note(&crate::text::counted(records.len() as u64, "datafeed"));
                }
                OutputFormat::Json => p.json(&records)?,
                OutputFormat::Ndjson => records.iter().try_for_each(|r| p.ndjson(r))?,
            }
        }
        DatafeedCommand::Delete { ids } => {
            let (mut deleted, mut gone) = (Vec::new(), Vec::new());
            for id in ids {
                match client.delete_datafeed(id).await {
                    Ok(()) => {
                        p.note(&format!("deleted datafeed {id}"));
                        deleted.push(id.clone());
                    }
                    // The agent answers 400 for a feed that does not exist (any more).
                    Err(ApiError::Status { status: 400, .. }) => {
                        p.note(&format!(
                            "datafeed {id} does not exist (already deleted or expired)"
                        ));
                        gone.push(id.clone());
                    }
                    Err(e) => return Err(e).with_context(|| format!("deleting datafeed {id}")),
                }
            }
            let record = json!({ "deleted": deleted, "notFound": gone });
            match format {
                OutputFormat::Table => {}
                OutputFormat::Json => p.json(&record)?,
                OutputFormat::Ndjson => p.ndjson(&record)?,
            }
        }
        DatafeedCommand::Read {
            id,
            ack_id,
            timeout,
            ..
        } => {
            let read = match version {
                DatafeedVersion::V2 => client.read_datafeed(id, ack_id, *timeout).await,
                DatafeedVersion::V1 => client.read_datafeed_v1(id, *timeout).await,
            }
            .map_err(|e| match e {
                ApiError::Status { status: 400, .. } => anyhow::Error::new(e)
                    .context(format!("datafeed {id} does not exist (expired or deleted); create one with `feedctl datafeed create`")),
                e => e.into(),
            })?;
            match format {
                OutputFormat::Table => {
                    p.line(output::event_table(&read.events))?;
                    p.note(&crate::text::counted(read.events.len() as u64, "event"));
                    if let Some(ack) = &read.ack_id {
                        p.note(&format!(
                            "ackId: {ack}   (pass it with --ack-id to acknowledge these events)"
                        ));
                    }
                }
                OutputFormat::Json => p.json(&json!({
                    "datafeedId": id,
                    "version": version.to_string(),
                    "ackIdSent": (version == DatafeedVersion::V2).then_some(ack_id),
                    "ackId": read.ack_id,
                    "events": read.events,
                }))?,
                OutputFormat::Ndjson => {
                    read.events.iter().try_for_each(|e| p.line(e.raw()))?;
                    if let Some(ack) = &read.ack_id {
                        p.note(&format!("ackId: {ack}"));
                    }
                }
            }
        }
    }
    Ok(Exit::Success)
}

/// Deleting needs a yes: `--yes`, or an answer at the terminal. Without a terminal to ask at,
/// nothing is deleted (exit 2), as `gh` refuses: a script must say `--yes`.
fn confirm_delete(g: &Global, ids: &[String]) -> Result<bool> {
    if g.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Fail::usage(format!(
            "not deleting {}: there is no terminal to ask at; add --yes to delete without asking",
            ids.join(", ")
        ))
        .into());
    }
    let prompt = if ids.len() == 1 {
        format!(
            "Delete datafeed {}? A bot reading it would have to create a new one",
            ids[0]
        )
    } else {
        format!("Delete {} datafeeds?", ids.len())
    };
    dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact()
        .context("reading the answer")
}
