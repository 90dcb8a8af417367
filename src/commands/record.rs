//! `feedctl record`: follow a feed and commit every chunk, with its marker, before acking it.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{Global, RecordArgs};
use crate::config::DatafeedVersion;
use crate::exit::Exit;
use crate::feed::{Chunk, FeedChoice, Follower, Notice};
use crate::journal::{ChunkRecord, Journal, NewEvent, NewGap, NewRecording};
use crate::output::note;
use crate::symphony::{ApiError, Client, Event};

use super::load_settings;
use super::tail::{announce, follow_options};

/// The journal's view of an event: its exact bytes and the indexed columns.
pub fn new_event(e: &Event) -> NewEvent<'_> {
    NewEvent {
        raw: e.raw().as_bytes(),
        event_id: e.id(),
        event_type: (!e.event_type().is_empty()).then(|| e.event_type()),
        timestamp: e.timestamp(),
        stream_id: e.stream_id(),
        initiator_id: e.initiator_id(),
        message_id: e.message_id(),
        dedupe_key: e.dedupe_key(),
    }
}

/// The partition of a Symphony recording: one datafeed, whatever its current id.
pub const DATAFEED: &str = "datafeed";

/// A Symphony cursor as the journal stores it: `{"feedId":..,"ackId":..}`; v1 has no ackId.
pub fn datafeed_cursor(feed_id: &str, ack_id: Option<&str>) -> String {
    match ack_id {
        Some(ack) => serde_json::json!({ "feedId": feed_id, "ackId": ack }),
        None => serde_json::json!({ "feedId": feed_id }),
    }
    .to_string()
}

/// The feed id and ackId (empty when none) of a stored Symphony cursor.
fn parse_datafeed_cursor(cursor: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(cursor).ok()?;
    let feed = v.get("feedId")?.as_str()?.to_string();
    let ack = v.get("ackId").and_then(|a| a.as_str()).unwrap_or("");
    Some((feed, ack.to_string()))
}

/// The chunk's cursors before and after, for `chunk_record`.
pub fn chunk_cursors(c: &Chunk) -> (String, String) {
    // v1 has no ackId: its chunks come back without one.
    let v2 = c.ack_received.is_some();
    (
        datafeed_cursor(&c.feed_id, v2.then_some(c.ack_sent.as_str())),
        datafeed_cursor(&c.feed_id, c.ack_received.as_deref()),
    )
}

pub fn chunk_record<'a>(c: &'a Chunk, cursors: &'a (String, String)) -> ChunkRecord<'a> {
    ChunkRecord {
        partition: DATAFEED,
        cursor_before: &cursors.0,
        cursor_after: &cursors.1,
        feed_id: Some(&c.feed_id),
        ack_sent: Some(&c.ack_sent),
        ack_received: c.ack_received.as_deref(),
        received_at: c.received_at,
        size: c.body.len(),
        latency_ms: c.latency.as_millis() as u64,
        events: c.events.iter().map(new_event).collect(),
    }
}

/// The tag of a recording's own feed: stable per name, so a restart finds the same feed.
fn record_tag(name: &str) -> String {
    format!("feedctl-record-{name}").chars().take(100).collect()
}

pub async fn run(g: &Global, args: &RecordArgs) -> Result<Exit> {
    let settings = load_settings(g)?;
    // Open the journal first: a second writer fails before anything touches the server.
    let mut journal = Journal::open_for_write(&args.journal.journal)?;
    let source = match settings.datafeed.version {
        DatafeedVersion::V2 => "datafeed-v2",
        DatafeedVersion::V1 => "datafeed-v1",
    };
    let pod_url = settings.pod.base_url();
    let recording = journal.recording(&NewRecording {
        name: &args.name,
        kind: "symphony",
        source,
        description: Some(&pod_url),
        pod_url: Some(&pod_url),
        username: Some(&settings.username),
    })?;
    let v2 = settings.datafeed.version == DatafeedVersion::V2;
    let client = Client::new(&settings)?;
    if recording.bot_user_id.is_none() {
        // Who the bot is, so `serve` can present the same identity to a bot under test.
        match client.session_info().await {
            Ok(info) => {
                if let Some(id) = info.get("id").and_then(|v| v.as_i64()) {
                    journal.set_bot_user_id(recording.id, id)?;
                }
            }
            Err(e @ ApiError::AuthRejected { .. }) => return Err(e.into()),
            Err(e) => tracing::warn!("could not ask the pod who the bot is ({e}); the recording will not know its bot's user id"),
        }
    }
    let mut opts = follow_options(&settings, &args.source);
    let marker = journal
        .markers(recording.id)?
        .into_iter()
        .find(|m| m.partition == DATAFEED)
        .and_then(|m| parse_datafeed_cursor(&m.cursor).map(|(feed, ack)| (feed, ack, m.chunk_seq)));
    match (&args.source.feed, marker) {
        (None, Some((feed, ack, seq))) => {
            note(&format!(
                "record: resuming recording `{}` after chunk {seq} on datafeed {feed}",
                args.name
            ));
            opts.choice = FeedChoice::Resume {
                id: feed,
                ack_id: ack,
            };
        }
        (None, None) => {
            opts.choice = FeedChoice::Own { keep: true };
            // A stable tag per recording, so a restart before the first chunk finds the same feed.
            opts.tag = record_tag(&args.name);
        }
        (Some(_), _) => {}
    }
    let mut follower = Follower::new(&client, opts);

    let progress = progress_bar();
    let started = Instant::now();
    let (mut events, mut chunks, mut retries, mut duplicates) = (0u64, 0u64, 0u64, 0usize);
    let mut last_event_time = String::new();
    let pending: std::cell::RefCell<Vec<Notice>> = Default::default();
    let mut notify = |n: Notice| {
        progress.suspend(|| announce(&n));
        pending.borrow_mut().push(n);
    };
    let mut interrupt = super::Interrupt::new()?;
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);

    let outcome: Result<Exit> = loop {
        if args.count.is_some_and(|c| events >= c) {
            break Ok(Exit::Success);
        }
        let next = follower.next_chunk(&mut notify);
        let chunk = tokio::select! {
            c = next => c,
            _ = interrupt.recv() => break Ok(Exit::Interrupted),
            _ = super::sleep_until(deadline) => break Ok(Exit::Success),
        };
        let notices: Vec<Notice> = pending.borrow_mut().drain(..).collect();
        for n in notices {
            match n {
                Notice::Retry { .. } => retries += 1,
                Notice::FeedRecreated { old, new } => journal.add_gap(
                    recording.id,
                    &NewGap {
                        partition: DATAFEED,
                        reason: "the feed was gone (HTTP 400): events in between may be lost",
                        old_feed: Some(&old),
                        new_feed: Some(&new),
                        cursor_after: &datafeed_cursor(&new, v2.then_some("")),
                    },
                )?,
                Notice::FeedCreated { id } | Notice::FeedReused { id } => journal.set_marker(
                    recording.id,
                    DATAFEED,
                    &datafeed_cursor(&id, v2.then_some("")),
                )?,
                _ => {}
            }
        }
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => break Err(e.into()),
        };
        let cursors = chunk_cursors(&chunk);
        let (seq, dups) =
            journal.append_chunk(recording.id, &chunk_record(&chunk, &cursors), true)?;
        chunks += 1;
        events += chunk.events.len() as u64;
        duplicates += dups;
        if let Some(ts) = chunk.events.iter().filter_map(Event::timestamp).max() {
            last_event_time = crate::output::time(ts);
        }
        let rate = events as f64 / started.elapsed().as_secs_f64().max(0.001);
        progress.set_message(format!(
            "{events} events · {chunks} chunks (last #{seq}) · {rate:.0}/s · last event {last_event_time} · {retries} retries"
        ));
    };
    progress.finish_and_clear();
    let elapsed = started.elapsed();
    let stop = match &outcome {
        Ok(Exit::Interrupted) => "interrupted; ",
        Err(_) => "stopped by an error; ",
        _ => "",
    };
    note(&format!(
        "record: {stop}stored {events} events in {chunks} chunks ({duplicates} repeated deliveries flagged) in {:.1}s into {} (recording `{}`); run the same command to resume",
        elapsed.as_secs_f64(),
        args.journal.journal.display(),
        args.name
    ));
    outcome
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() || crate::output::quiet() {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} recording: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message("waiting for events…");
    bar
}
