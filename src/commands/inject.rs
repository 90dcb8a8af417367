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
    let ty = args.event_type.to_ascii_uppercase();
    if !EVENT_TYPES.contains(&ty.as_str()) {
        return Err(Fail::usage(format!(
            "unknown event type `{}`; expected one of: {}",
            args.event_type,
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

pub async fn run(g: &Global, p: &Printer, args: &InjectArgs) -> Result<Exit> {
    let body = match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Fail::usage(format!("cannot read {}: {e}", path.display())))?;
            crate::serve::read_ndjson(&text)
                .map_err(|e| Fail::usage(format!("{}: {e}", path.display())))?;
            text
        }
        None => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            build_event(args, now)?.to_string() + "\n"
        }
    };
    // `127.0.0.1:9443` as serve's listen address is written: serve speaks plain HTTP unless told.
    let server = if args.server.contains("://") {
        args.server.trim_end_matches('/').to_string()
    } else {
        format!("http://{}", args.server.trim_end_matches('/'))
    };
    let url = format!("{server}/feedctl/v1/events");
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .context("setting up the HTTP client")?;
    let resp = client
        .post(&url)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .map_err(|e| Fail::new(Exit::Feed, format!("cannot reach feedctl serve at {server}: {e}; is it running? (its first line of output is the URL)")))?;
    let status = resp.status();
    let answer: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let message = answer
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no details");
        return Err(Fail::new(
            Exit::Feed,
            format!("serve refused the events (HTTP {status}): {message}"),
        )
        .into());
    }
    let n = answer.get("published").and_then(Value::as_u64).unwrap_or(0);
    p.note(&format!("injected {n} event(s) into {server}"));
    if matches!(
        g.output,
        Some(OutputFormat::Json) | Some(OutputFormat::Ndjson)
    ) {
        p.ndjson(&answer)?;
    }
    Ok(Exit::Success)
}
