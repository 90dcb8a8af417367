//! `feedctl record`: follow a feed and commit every chunk, with its marker, before acking it.

use std::time::Instant;

use anyhow::Result;

use crate::cli::{Global, RecordArgs};
use crate::exit::Exit;
use crate::feed::{follow, Ended, Notice, Shown, Source, Stop};
use crate::journal::{Journal, NewRecording};
use crate::output;
use crate::output::Printer;
use crate::recorder::Recorder;
use crate::sources::{self, Follow, Spec};
use crate::symphony::{ApiError, Client};

use super::Purpose;
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
    let settings = match spec {
        Spec::SymphonyBot => Some(load_settings(g)?),
        _ => None,
    };
    let client = settings.as_ref().map(Client::new).transpose()?;
    let named = spec.described(settings.as_ref(), args.salesforce.sf_org.as_deref());
    let recording = journal.recording(&NewRecording {
        name: &args.name,
        kind: named.kind,
        source: named.label,
        description: Some(&named.description),
        pod_url: named.server_url.as_deref(),
        username: named.username.as_deref(),
    })?;
    if recording.kind != named.kind {
        return Err(crate::exit::Fail::usage(format!(
            "recording `{}` in {} records a {} source, not {}; give another --name",
            args.name,
            args.journal.journal.display(),
            recording.kind,
            named.kind
        ))
        .into());
    }
    if let (Some(client), None) = (&client, recording.bot_user_id) {
        who_the_bot_is(client, &mut journal, recording.id, &stop).await?;
    }
    let markers = journal.markers(recording.id)?;
    for m in &markers {
        if let Some(at) = spec.resumes_at(m).filter(|_| args.source.feed.is_none()) {
            p.note(&format!(
                "record: resuming recording `{}` after chunk {} on {at}",
                args.name, m.chunk_seq
            ));
        }
    }
    let req = super::source_request(
        &args.source,
        &args.redis,
        &args.salesforce,
        Purpose::Record { name: &args.name },
    );
    let source = sources::open(&spec, &req, client.as_ref(), settings.as_ref(), &markers)?;
    source
        .follow(Record {
            p,
            args,
            journal: &mut journal,
            recording: recording.id,
            stop: &stop,
        })
        .await
}

/// Asks the pod who the bot is, so `serve` can present the same identity to a bot under test.
/// Bounded by the stop: a login that never completes must not outlive --duration or Ctrl-C.
/// When the stop comes first, following ends at once and says so.
async fn who_the_bot_is(
    client: &Client,
    journal: &mut Journal,
    recording: i64,
    stop: &Stop,
) -> Result<()> {
    let asked = tokio::select! {
        r = client.session_info() => Some(r),
        _ = stop.cancel.cancelled() => None,
        _ = sleep_until_deadline(stop.deadline) => None,
    };
    match asked {
        None => {}
        Some(Ok(info)) => {
            if let Some(id) = info.get("id").and_then(|v| v.as_i64()) {
                journal.set_bot_user_id(recording, id)?;
            }
        }
        Some(Err(e @ ApiError::AuthRejected { .. })) => return Err(e.into()),
        Some(Err(e)) => tracing::warn!("could not ask the pod who the bot is ({e}); the recording will not know its bot's user id"),
    }
    Ok(())
}

/// record's one path, for any source (public: a source outside the product, such as the test
/// suite's, runs through it too).
pub struct Record<'a> {
    pub p: &'a Printer,
    pub args: &'a RecordArgs,
    pub journal: &'a mut Journal,
    pub recording: i64,
    pub stop: &'a Stop,
}

impl Follow for Record<'_> {
    type Out = Result<Exit>;

    async fn follow<S: Source>(self, source: S) -> Result<Exit>
    where
        S::Event: Shown,
    {
        record_from(
            self.p,
            self.args,
            self.journal,
            self.recording,
            source,
            self.stop,
        )
        .await
    }
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
