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
use crate::redis::{Start, StreamSource, StreamUrl};
use crate::sources::{
    self, datafeed_description, datafeed_options, redis_description, redis_options,
    DatafeedRequest, RedisRequest, Spec,
};
use crate::symphony::source::{DatafeedSource, FeedChoice, FeedOwner, PARTITION};
use crate::symphony::{ApiError, Client};
use crate::text::{counted, counted_as};

use super::load_settings;

pub async fn run(g: &Global, p: &Printer, args: &RecordArgs) -> Result<Exit> {
    let spec = sources::parse(&args.sources)?;
    // Open the journal first: a second writer fails before anything touches the server.
    let mut journal = Journal::open_for_write(&args.journal.journal)?;
    // One stop for every phase (asking who the bot is, logging in, following): --duration
    // counts from here and Ctrl-C is heard from here on.
    let stop = Stop {
        deadline: args.duration.map(|d| tokio::time::Instant::now() + d),
        cancel: super::cancel_on_interrupt()?,
    };
    match spec {
        Spec::SymphonyBot => symphony(g, p, args, &mut journal, &stop).await,
        Spec::Redis(urls) => redis(p, args, &mut journal, &urls, &stop).await,
        Spec::Salesforce(spec) => salesforce(p, args, &mut journal, &spec, &stop).await,
    }
}

/// Records Redis streams, one partition per key, each resuming from its marker.
async fn redis(
    p: &Printer,
    args: &RecordArgs,
    journal: &mut Journal,
    urls: &[StreamUrl],
    stop: &Stop,
) -> Result<Exit> {
    let (kind, label, description) = redis_description(urls);
    let recording = journal.recording(&NewRecording {
        name: &args.name,
        kind,
        source: label,
        description: Some(&description),
        pod_url: None,
        username: None,
    })?;
    let markers = journal.markers(recording.id)?;
    for m in &markers {
        if urls.iter().any(|u| u.key == m.partition) {
            p.note(&format!(
                "record: resuming recording `{}` on stream `{}` after chunk {} ({})",
                args.name, m.partition, m.chunk_seq, m.cursor
            ));
        }
    }
    let r = &args.redis;
    sources::redis_connecting(&r.tls, args.salesforce.connection_timeout.as_deref(), None)?;
    let opts = redis_options(
        urls,
        &RedisRequest {
            from: r.from.as_deref(),
            group: r.group.as_deref(),
            consumer: r.consumer.as_deref(),
            claim_idle: r.claim_idle,
            batch: r.batch as usize,
            default_from: Start::Beginning,
            default_consumer: sources::default_consumer(Some(&args.name)),
            exit_at_end: args.source.exit_at_end,
            share_group: r.share_group,
        },
        &markers,
    )?;
    record_from(
        p,
        args,
        journal,
        recording.id,
        StreamSource::new(opts),
        stop,
    )
    .await
}

/// Records Salesforce channels, each resuming from its marker in the recording.
async fn salesforce(
    p: &Printer,
    args: &RecordArgs,
    journal: &mut Journal,
    spec: &sources::SalesforceSpec,
    stop: &Stop,
) -> Result<Exit> {
    let env = |k: &str| std::env::var(k).ok();
    let who = crate::salesforce::Credentials::resolve(
        &env,
        args.salesforce.sf_org.as_deref(),
        spec.plain_http,
    )
    .ok()
    .map(|c| c.who());
    let description = spec.description();
    let recording = journal.recording(&NewRecording {
        name: &args.name,
        kind: "salesforce",
        source: "salesforce",
        description: Some(&description),
        pod_url: Some(&spec.login_url),
        username: who.as_deref(),
    })?;
    if recording.kind != "salesforce" {
        return Err(crate::exit::Fail::usage(format!(
            "recording `{}` in {} records a {} source, not Salesforce; give another --name",
            args.name,
            args.journal.journal.display(),
            recording.kind
        ))
        .into());
    }
    let markers: Vec<(String, String)> = journal
        .markers(recording.id)?
        .into_iter()
        .map(|m| (m.partition, m.cursor))
        .collect();
    for (channel, cursor) in &markers {
        if spec.channels.contains(channel) {
            p.note(&format!(
                "record: resuming {channel} of recording `{}` from {cursor}",
                args.name
            ));
        }
    }
    let sf = &args.salesforce;
    let source = sources::salesforce_source(
        spec,
        &sources::SalesforceRequest {
            replay: sf.replay.as_deref(),
            fallback: sf.replay_fallback.as_deref(),
            connection_timeout: sf.connection_timeout.as_deref(),
            default_timeout: None,
            max_pending: sf.max_pending,
            allow_plain_http: sf.allow_plain_http,
            sf_org: sf.sf_org.as_deref(),
            markers,
            exit_at_end: args.source.exit_at_end,
        },
        &env,
    )?;
    record_from(p, args, journal, recording.id, source, stop).await
}

/// Records the Symphony bot of the config, resuming from the recording's `datafeed` marker.
async fn symphony(
    g: &Global,
    p: &Printer,
    args: &RecordArgs,
    journal: &mut Journal,
    stop: &Stop,
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
        // Bounded by the stop: a login that never completes must not outlive --duration or
        // Ctrl-C. When the stop comes first, following ends at once and says so.
        let asked = tokio::select! {
            r = client.session_info() => Some(r),
            _ = stop.cancel.cancelled() => None,
            _ = sleep_until_deadline(stop.deadline) => None,
        };
        match asked {
            None => {}
            Some(Ok(info)) => {
                if let Some(id) = info.get("id").and_then(|v| v.as_i64()) {
                    journal.set_bot_user_id(recording.id, id)?;
                }
            }
            Some(Err(e @ ApiError::AuthRejected { .. })) => return Err(e.into()),
            Some(Err(e)) => tracing::warn!("could not ask the pod who the bot is ({e}); the recording will not know its bot's user id"),
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
    record_from(p, args, journal, recording.id, source, stop).await
}

/// Waits for the deadline, or forever without one.
async fn sleep_until_deadline(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Follows any source into a recording: every chunk committed with its marker before the
/// source acknowledges it, progress on a terminal, a summary at the end.
async fn record_from<S: Source>(
    p: &Printer,
    args: &RecordArgs,
    journal: &mut Journal,
    recording: i64,
    mut source: S,
    stop: &Stop,
) -> Result<Exit> {
    let progress = p.spinner("{spinner} recording: {msg}", "waiting for events…");
    let started = Instant::now();
    let (outcome, t) = {
        let mut recorder = Recorder::new(journal, recording, args.count)
            .on_notice(|n| progress.suspend(|| p.note(&output::notice_line(n))))
            .on_kept(|t, _| {
                let rate = t.events as f64 / started.elapsed().as_secs_f64().max(0.001);
                let last = t.last_event_time.map(output::time).unwrap_or_default();
                progress.set_message(format!(
                    "{} · {} (last #{}) · {rate:.0}/s · last event {last} · {}",
                    counted(t.events, "event"),
                    counted(t.chunks, "chunk"),
                    t.last_seq,
                    counted_as(t.retries, "retry", "retries"),
                ));
            });
        let outcome = follow(&mut source, &mut recorder, stop).await;
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
        "record: {stopped}stored {} in {} ({} flagged) in {:.1}s into {} (recording `{}`); run the same command to resume",
        counted(t.events, "event"),
        counted(t.chunks, "chunk"),
        counted_as(t.duplicates as u64, "repeated delivery", "repeated deliveries"),
        elapsed.as_secs_f64(),
        args.journal.journal.display(),
        args.name
    ));
    match outcome? {
        Ended::Interrupted => Ok(Exit::Interrupted),
        _ => Ok(Exit::Success),
    }
}
