//! `feedctl demo`: the README's first command. Starts the emulator in-process, seeded from
//! `fixtures/`, and runs the main job against it with the test-only bot key: authenticate,
//! create a feed, read every event (acknowledging each chunk), delete the feed.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::{Global, OutputFormat};
use crate::config::{Credential, Secret, Settings};
use crate::exit::Exit;
use crate::output;
use crate::serve::{self, HubSettings, ServeOptions};
use crate::symphony::{Client, Event};

const DEMO_EVENTS: &str = include_str!("../../fixtures/demo.ndjson");
const TEST_PUBLIC_KEY: &str = include_str!("../../fixtures/keys/TEST-ONLY-bot-public.pem");
const TEST_PRIVATE_KEY: &str = include_str!("../../fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem");
const BOT: &str = "demo-bot";

pub async fn run(g: &Global) -> Result<Exit> {
    let events = serve::read_ndjson(DEMO_EVENTS)
        .map_err(anyhow::Error::msg)
        .context("fixtures/demo.ndjson")?;
    let total = events.len();
    let server = serve::start(ServeOptions {
        events,
        public_key: Some(TEST_PUBLIC_KEY.to_string()),
        hub: HubSettings {
            poll_timeout: Duration::from_secs(1),
            batch_size: 10,
            ..ServeOptions::default().hub
        },
        ..ServeOptions::default()
    })
    .await?;
    let result = walk_through(g, &server.base_url, total).await;
    server.stop().await;
    result
}

async fn walk_through(g: &Global, base_url: &str, total: usize) -> Result<Exit> {
    let step = |n: u32, text: &str| {
        output::note(&format!(
            "{} {text}",
            console::style(format!("[{n}]")).cyan().bold().for_stderr()
        ))
    };
    step(
        1,
        &format!(
            "started an emulated pod at {base_url} with {total} events from fixtures/demo.ndjson"
        ),
    );
    let addr = base_url.trim_start_matches("http://");
    let (host, port) = addr.rsplit_once(':').context("server address")?;
    let settings = Settings::local(
        "http",
        host,
        port.parse()?,
        BOT,
        Credential::RsaKey {
            pem: Secret::new(TEST_PRIVATE_KEY),
            origin: "fixtures/keys (TEST-ONLY)".into(),
        },
    );
    let client = Client::new(&settings)?;
    client.session().await?;
    let me = client.session_info().await?;
    step(
        2,
        &format!(
            "authenticated as {} (user id {}) with an RS512 JWT signed by the test-only key",
            me["username"].as_str().unwrap_or(BOT),
            me["id"]
        ),
    );
    let feed = client.create_datafeed(Some("feedctl-demo"), false).await?;
    step(3, &format!("created datafeed {}", feed.id));
    let mut ack = String::new();
    let mut received: Vec<Event> = Vec::new();
    let mut reads = 0;
    while received.len() < total && reads < 50 {
        let read = client
            .read_datafeed(&feed.id, &ack, Duration::from_secs(10))
            .await?;
        reads += 1;
        if !read.events.is_empty() {
            step(
                4,
                &format!(
                    "read {} events; acknowledging them with the next read",
                    read.events.len()
                ),
            );
        }
        received.extend(read.events);
        ack = read.ack_id.unwrap_or_default();
    }
    // One more read sends the last ackId, so the server drops the final chunk from the queue.
    let _ = client
        .read_datafeed(&feed.id, &ack, Duration::from_secs(5))
        .await;
    let events = Arc::new(received);
    match output::resolve(g.output) {
        OutputFormat::Table => output::line(output::event_table(&events)),
        OutputFormat::Json => output::json(events.as_ref()),
        OutputFormat::Ndjson => events.iter().for_each(|e| output::line(e.raw())),
    }
    client.delete_datafeed(&feed.id).await?;
    step(
        5,
        &format!(
            "received all {} of {total} events in {reads} reads; deleted the datafeed",
            events.len()
        ),
    );
    output::note("next: `feedctl serve --events fixtures/demo.ndjson --accept-any-key` runs the same pod for your own bot");
    Ok(if events.len() == total {
        Exit::Success
    } else {
        Exit::Failed
    })
}
