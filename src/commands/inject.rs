//! `feedctl inject`: push events into a running `feedctl serve` through its admin endpoint
//! (`POST /feedctl/v1/events`, loopback only), so a developer can poke a bot by hand.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use rand::Rng;
use serde_json::{json, Value};

use crate::cli::{Global, InjectArgs, OutputFormat};
use crate::exit::{Exit, Fail};
use crate::output::Printer;
use crate::symphony::event::{payload_key, EVENT_TYPES};

/// Who an injected event comes from when `--from` is not given (Reed, of fixtures/).
const DEFAULT_USER_ID: i64 = 344147139494862;

fn random_id(n: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// Text as PresentationML, escaped.
fn presentation_ml(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    format!("<div data-format=\"PresentationML\" data-version=\"2.0\" class=\"wysiwyg\"><p>{escaped}</p></div>")
}

/// Builds one event of the spec's shape from the flags.
pub fn build_event(args: &InjectArgs, now: i64) -> Result<Value, Fail> {
    let given = args.event_type.as_deref().unwrap_or("MESSAGESENT");
    let ty = given.to_ascii_uppercase();
    if !EVENT_TYPES.contains(&ty.as_str()) {
        return Err(Fail::usage(format!(
            "unknown event type `{given}`; expected one of: {}",
            EVENT_TYPES.join(", ")
        )));
    }
    let user = match args.from.as_deref() {
        Some(f) => match f.parse::<i64>() {
            Ok(id) => {
                json!({ "userId": id, "username": format!("user{id}"), "displayName": format!("User {id}") })
            }
            Err(_) => json!({ "userId": DEFAULT_USER_ID, "username": f, "displayName": f }),
        },
        None => {
            json!({ "userId": DEFAULT_USER_ID, "username": "reedUAT", "displayName": "Reed Feldman" })
        }
    };
    let stream = args
        .stream
        .as_ref()
        .map(|s| json!({ "streamId": s, "streamType": "ROOM" }));
    let message_id = format!("{}___{}", random_id(22), random_id(8));
    let key = payload_key(&ty).unwrap_or("unknown");
    let body = match ty.as_str() {
        "MESSAGESENT" => {
            let stream =
                stream.ok_or_else(|| Fail::usage("--stream is required for a MESSAGESENT"))?;
            json!({ "message": {
                "messageId": message_id,
                "timestamp": now,
                "message": presentation_ml(args.text.as_deref().unwrap_or("")),
                "data": "{}",
                "user": user,
                "stream": stream,
                "externalRecipients": false,
            }})
        }
        "CONNECTIONREQUESTED" => {
            json!({ "toUser": { "userId": crate::serve::DEFAULT_BOT_USER_ID } })
        }
        "CONNECTIONACCEPTED" => {
            json!({ "fromUser": { "userId": crate::serve::DEFAULT_BOT_USER_ID } })
        }
        _ => {
            let stream =
                stream.ok_or_else(|| Fail::usage(format!("--stream is required for a {ty}")))?;
            json!({ "stream": stream })
        }
    };
    let mut event = json!({
        "id": random_id(6),
        "timestamp": now,
        "type": ty,
        "initiator": { "user": user },
        "payload": { key: body },
    });
    if ty == "MESSAGESENT" {
        event["messageId"] = json!(message_id);
    }
    Ok(event)
}

/// `127.0.0.1:9443` as serve's listen address is written: serve speaks plain HTTP unless told.
fn server_base(server: &str) -> String {
    let server = server.trim_end_matches('/');
    if server.contains("://") {
        server.to_string()
    } else {
        format!("http://{server}")
    }
}

/// Publishes to, or triggers a fault in, a running `serve --salesforce`.
async fn salesforce(g: &Global, p: &Printer, args: &InjectArgs) -> Result<Exit> {
    let (path, body) = match (&args.channel, &args.sfdc_fault) {
        (Some(channel), _) => {
            if !crate::salesforce::valid_channel(channel) {
                return Err(Fail::usage(format!(
                    "--channel `{}`: expected /topic/NAME, /event/NAME__e, /data/NAME or /u/NAME",
                    crate::text::clip(channel, 60)
                ))
                .into());
            }
            let payload: Value = match &args.payload {
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| Fail::usage(format!("--payload is not JSON: {e}")))?,
                None => json!({}),
            };
            // Salesforce's values for the channel's kind, its default when none is given.
            let ty = crate::serve::salesforce::event_type(channel, args.event_type.as_deref())
                .map_err(Fail::usage)?;
            (
                "events",
                json!({"channel": channel, "type": ty, "payload": payload}),
            )
        }
        (None, Some(fault)) => ("faults", json!({"fault": fault})),
        (None, None) => unreachable!("called with --channel or --sfdc-fault"),
    };
    let url = format!("{}/feedctl/v1/salesforce/{path}", server_base(&args.server));
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .context("setting up the HTTP client")?;
    let resp = client
        .post(&url)
        .json(&body)
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .map_err(|e| Fail::new(Exit::Feed, format!("cannot reach feedctl serve --salesforce at {}: {e}; is it running? (its first line of output is the URL)", args.server)))?;
    let status = resp.status();
    let answer: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let message = answer
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no details; is this a serve --salesforce?");
        return Err(Fail::new(
            Exit::Feed,
            format!("serve refused (HTTP {status}): {message}"),
        )
        .into());
    }
    match answer.get("replayIds") {
        Some(ids) => p.note(&format!(
            "published replayId {} on {}",
            ids,
            args.channel.as_deref().unwrap_or("")
        )),
        None => p.note(&format!(
            "fault: {}",
            answer.get("message").and_then(Value::as_str).unwrap_or("")
        )),
    }
    if matches!(
        g.output,
        Some(OutputFormat::Json) | Some(OutputFormat::Ndjson)
    ) {
        p.ndjson(&answer)?;
    }
    Ok(Exit::Success)
}

/// The most NDJSON sent in one request: well under serve's limit for a request body (2 MiB).
const BATCH_BYTES: usize = 1 << 20;

/// Opens an NDJSON file for reading line by line.
fn open_lines(
    path: &std::path::Path,
) -> Result<std::io::Lines<std::io::BufReader<std::fs::File>>, Fail> {
    use std::io::BufRead;
    std::fs::File::open(path)
        .map(|f| std::io::BufReader::new(f).lines())
        .map_err(|e| Fail::usage(format!("cannot read {}: {e}", path.display())))
}

/// Checks every line of an NDJSON file (one JSON object each, blank lines skipped) before
/// anything is sent, so a bad line anywhere injects nothing. Reads line by line.
fn check_file(path: &std::path::Path) -> Result<(), Fail> {
    let bad = |n: usize, why: String| Fail::usage(format!("{}: line {n}: {why}", path.display()));
    for (n, line) in open_lines(path)?.enumerate() {
        let line = line.map_err(|e| bad(n + 1, e.to_string()))?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let raw: Box<serde_json::value::RawValue> =
            serde_json::from_str(line).map_err(|e| bad(n + 1, format!("not valid JSON: {e}")))?;
        if !raw.get().starts_with('{') {
            return Err(bad(
                n + 1,
                "expected a JSON object (one V4Event per line)".into(),
            ));
        }
    }
    Ok(())
}

pub async fn run(g: &Global, p: &Printer, args: &InjectArgs) -> Result<Exit> {
    if args.channel.is_some() || args.sfdc_fault.is_some() {
        return salesforce(g, p, args).await;
    }
    let url = format!("{}/feedctl/v1/events", server_base(&args.server));
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .context("setting up the HTTP client")?;
    let mut published = 0u64;
    match &args.file {
        // Sent in batches of at most BATCH_BYTES (an event larger than that alone), read as
        // they are sent: memory is one batch, whatever the file's size.
        Some(path) => {
            check_file(path)?;
            let mut batch = String::new();
            let mut sent = 0usize;
            let mut lines = open_lines(path)?;
            loop {
                let line = lines
                    .next()
                    .transpose()
                    .map_err(|e| Fail::usage(format!("cannot read {}: {e}", path.display())))?;
                let full = match &line {
                    Some(l) => !batch.is_empty() && batch.len() + l.trim().len() + 1 > BATCH_BYTES,
                    None => !batch.is_empty(),
                };
                if full {
                    let body = std::mem::take(&mut batch);
                    let answer = send(&client, &url, args, body).await.map_err(|mut e| {
                        if sent > 0 {
                            e.message = format!(
                                "{} ({} of the first {} were injected)",
                                e.message,
                                crate::text::counted(published, "event"),
                                crate::text::counted(sent as u64, "request")
                            );
                        }
                        e
                    })?;
                    sent += 1;
                    published += answer.get("published").and_then(Value::as_u64).unwrap_or(0);
                }
                let Some(line) = line else { break };
                let line = line.trim();
                if !line.is_empty() {
                    batch.push_str(line);
                    batch.push('\n');
                }
            }
        }
        None => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            let body = build_event(args, now)?.to_string() + "\n";
            let answer = send(&client, &url, args, body).await?;
            published = answer.get("published").and_then(Value::as_u64).unwrap_or(0);
        }
    }
    let answer = json!({ "published": published });
    p.note(&format!(
        "injected {} into {}",
        crate::text::counted(published, "event"),
        server_base(&args.server)
    ));
    if matches!(
        g.output,
        Some(OutputFormat::Json) | Some(OutputFormat::Ndjson)
    ) {
        p.ndjson(&answer)?;
    }
    Ok(Exit::Success)
}

/// One POST of NDJSON to serve's admin endpoint; its answer, or why serve refused it.
async fn send(
    client: &reqwest::Client,
    url: &str,
    args: &InjectArgs,
    body: String,
) -> Result<Value, Fail> {
    let size = body.len();
    let resp = client
        .post(url)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .map_err(|e| Fail::new(Exit::Feed, format!("cannot reach feedctl serve at {}: {e}; is it running? (its first line of output is the URL)", args.server)))?;
    let status = resp.status();
    let answer: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        // A 413 is explained whatever serve's body says (axum's own words name no limit).
        let message = match answer.get("message").and_then(Value::as_str) {
            _ if status.as_u16() == 413 => format!(
                "a request of {} KiB is over serve's limit of 2 MiB per request; inject sends at most 1 MiB at a time, so one event is larger than serve takes",
                size / 1024
            ),
            Some(m) => m.to_string(),
            None => "no details".to_string(),
        };
        return Err(Fail::new(
            Exit::Feed,
            format!("serve refused the events (HTTP {status}): {message}"),
        ));
    }
    Ok(answer)
}
