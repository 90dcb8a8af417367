//! `feedctl record`: follow a feed and commit every chunk, with its marker, before acking it.

use std::time::Instant;

use anyhow::Result;

use crate::cli::{Global, RecordArgs};
use crate::exit::Exit;
use crate::feed::{follow, Cursor, Ended, Notice, Source, Stop};
use crate::journal::{Journal, NewRecording};
use crate::output;
use crate::output::Printer;
use crate::recorder::Recorder;
use crate::sources::{self, datafeed_description, datafeed_options, DatafeedRequest, Spec};
use crate::symphony::source::{DatafeedSource, FeedChoice, FeedOwner, PARTITION};
use crate::symphony::{ApiError, Client};

use super::load_settings;

pub async fn run(g: &Global, p: &Printer, args: &RecordArgs) -> Result<Exit> {
    let spec = sources::parse(&args.sources)?;
    // Open the journal first: a second writer fails before anything touches the server.
    let mut journal = Journal::open_for_write(&args.journal.journal)?;
    match spec {
        Spec::SymphonyBot => symphony(g, p, args, &mut journal).await,
    }
}

/// Records the Symphony bot of the config, resuming from the recording's `datafeed` marker.
async fn symphony(
    g: &Global,
    p: &Printer,
    args: &RecordArgs,
    journal: &mut Journal,
) -> Result<Exit> {
    let settings = load_settings(g)?;
    let (kind, label, description) = datafeed_description(&settings);
    let recording = journal.recording(&NewRecording {
        name: &args.name,
        kind,
        source: label,
        description: Some(&description),
        pod_url: Some(&settings.pod.base_url()),
        username: Some(&settings.username),
    })?;
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
    let mut opts = datafeed_options(
        &settings,
        &DatafeedRequest {
            feed: args.source.feed.as_deref(),
            tag: args.source.tag.as_deref(),
            read_timeout: args.source.read_timeout,
            owner: FeedOwner::Recording(&args.name),
            keep: true,
            exit_at_end: args.source.exit_at_end,
        },
    );
    if args.source.feed.is_none() {
        let marker = journal
            .markers(recording.id)?
            .into_iter()
            .find(|m| m.partition == PARTITION);
        let resume = marker.and_then(|m| {
            let cursor = Cursor::from_json(&m.cursor).ok()?;
            Some((FeedChoice::from_cursor(&cursor)?, m.chunk_seq))
        });
        if let Some((choice, seq)) = resume {
            if let FeedChoice::Resume { id, .. } = &choice {
                p.note(&format!(
                    "record: resuming recording `{}` after chunk {seq} on datafeed {id}",
                    args.name
                ));
            }
            opts.choice = choice;
        }
    }
    let source = DatafeedSource::new(&client, opts);
    record_from(p, args, journal, recording.id, source).await
}

/// Follows any source into a recording: every chunk committed with its marker before the
/// source acknowledges it, progress on a terminal, a summary at the end.
async fn record_from<S: Source>(
    p: &Printer,
    args: &RecordArgs,
    journal: &mut Journal,
    recording: i64,
    mut source: S,
) -> Result<Exit> {
    let progress = p.spinner("{spinner} recording: {msg}", "waiting for events…");
    let started = Instant::now();
    let stop = Stop {
        deadline: args.duration.map(|d| tokio::time::Instant::now() + d),
        cancel: super::cancel_on_interrupt()?,
    };
    let (outcome, t) = {
        let mut recorder = Recorder::new(journal, recording, args.count)
            .on_notice(|n| progress.suspend(|| p.note(&output::notice_line(n))))
            .on_kept(|t, _| {
                let rate = t.events as f64 / started.elapsed().as_secs_f64().max(0.001);
                let last = t.last_event_time.map(output::time).unwrap_or_default();
                progress.set_message(format!(
                    "{} events · {} chunks (last #{}) · {rate:.0}/s · last event {last} · {} retries",
                    t.events, t.chunks, t.last_seq, t.retries
                ));
            });
        let outcome = follow(&mut source, &mut recorder, &stop).await;
        (outcome, recorder.tally)
    };
    source
        .close(&mut |n: Notice| p.note(&output::notice_line(&n)))
        .await;
    progress.finish_and_clear();
    let elapsed = started.elapsed();
    let stopped = match &outcome {
        Ok(Ended::Interrupted) => "interrupted; ",
        Err(_) => "stopped by an error; ",
        _ => "",
    };
    p.note(&format!(
        "record: {stopped}stored {} events in {} chunks ({} repeated deliveries flagged) in {:.1}s into {} (recording `{}`); run the same command to resume",
        t.events,
        t.chunks,
        t.duplicates,
        elapsed.as_secs_f64(),
        args.journal.journal.display(),
        args.name
    ));
    match outcome? {
        Ended::Interrupted => Ok(Exit::Interrupted),
        _ => Ok(Exit::Success),
    }
}
