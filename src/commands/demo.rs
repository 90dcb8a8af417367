//! `feedctl demo`: the README's first command. Starts the emulator in-process, seeded from
//! `fixtures/`, and runs the main job against it with the test-only bot key: authenticate,
//! create a feed, follow it as `tail` does through an injected fault while recording every chunk
//! into a journal as `record` does, check the journal, delete the feed, and replay the journal
//! through a small handler from `fixtures/handlers/` as `replay --exec` does. Then the same for
//! Salesforce against the built-in streaming emulator: record a channel, survive a dropped
//! session, resume from the marker, replay (steps 8-12, on stderr, in a journal of their own).

use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::{DemoArgs, Global, OutputFormat};
use crate::config::{Credential, Secret, Settings};
use crate::exit::Exit;
use crate::feed::Delivery;
use crate::feed::{follow, Chunk, Ended, Keeper, Next, Notice, Source, Stop};
use crate::journal::{Journal, NewRecording};
use crate::output;
use crate::output::events::{envelope, pretty};
use crate::output::replay::{summary, ReplayProgress};
use crate::output::Printer;
use crate::recorder::Recorder;
use crate::replay::engine::{replay, AsGiven, ReplayOptions};
use crate::replay::sink::SinkKind;
use crate::replay::RunSettings;
use crate::serve::{self, HubSettings, ServeOptions};
use crate::symphony::source::{DatafeedSource, FeedChoice, FollowOptions};
use crate::symphony::{Client, Event};
use crate::text::counted;
use tokio_util::sync::CancellationToken;

const TEST_PUBLIC_KEY: &str = include_str!("../../fixtures/keys/TEST-ONLY-bot-public.pem");
const TEST_PRIVATE_KEY: &str = include_str!("../../fixtures/keys/TEST-ONLY-bot-private-pkcs8.pem");
const BOT: &str = "demo-bot";
const PRICE_BOT: &str = include_str!("../../fixtures/handlers/price-bot.sh");

pub async fn run(g: &Global, p: &Printer, args: &DemoArgs) -> Result<Exit> {
    let events = serve::read_ndjson(serve::DEMO_EVENTS)
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
        faults: vec!["read:503+2".parse().map_err(anyhow::Error::msg)?],
        ..ServeOptions::default()
    })
    .await?;
    let (journal_path, temporary) = match &args.journal {
        Some(p) => (p.clone(), false),
        None => (
            std::env::temp_dir().join(format!("feedctl-demo-{}.db", std::process::id())),
            true,
        ),
    };
    let result = walk_through(g, p, &server.base_url, total, &journal_path).await;
    server.stop().await;
    let result = match result {
        // The Salesforce path, in a journal of its own so the Symphony one stays as it was.
        Ok(Exit::Success) => {
            let sf_path = std::env::temp_dir()
                .join(format!("feedctl-demo-{}-salesforce.db", std::process::id()));
            let walked = Box::pin(salesforce_walk(p, &sf_path)).await;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", sf_path.display()));
            }
            walked
        }
        other => other,
    };
    if temporary {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", journal_path.display()));
        }
    }
    result
}

async fn walk_through(
    g: &Global,
    p: &Printer,
    base_url: &str,
    total: usize,
    journal_path: &std::path::Path,
) -> Result<Exit> {
    let step = |n: u32, text: &str| {
        p.note(&format!(
            "{} {text}",
            console::style(format!("[{n}]")).cyan().bold().for_stderr()
        ))
    };
    step(
        1,
        &format!("started an emulated pod at {base_url} with its {total} built-in demo events"),
    );
    let addr = base_url.trim_start_matches("http://");
    let (host, port) = addr.rsplit_once(':').context("server address")?;
    let mut settings = Settings::local(
        "http",
        host,
        port.parse()?,
        BOT,
        Credential::RsaKey {
            pem: Secret::new(TEST_PRIVATE_KEY),
            origin: "fixtures/keys (TEST-ONLY)".into(),
        },
    );
    settings.datafeed.retry.initial_interval = Duration::from_millis(200);
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
    step(
        3,
        &format!("created datafeed {} (POST /agent/v5/datafeeds)", feed.id),
    );
    let mut journal = Journal::open_for_write(journal_path)?;
    let description = format!("{base_url} as {BOT}");
    let recording = journal.recording(&NewRecording {
        name: "demo",
        kind: "symphony",
        source: "datafeed-v2",
        description: Some(&description),
        pod_url: Some(base_url),
        username: Some(BOT),
    })?;
    step(4, "following it as `feedctl tail` does and recording each chunk as `feedctl record` does, before acknowledging it;");
    p.note("    the pod fails one read on purpose (HTTP 503) to show a retry");
    let mut source = DatafeedSource::new(
        &client,
        FollowOptions {
            version: settings.datafeed.version,
            id_file: None,
            choice: FeedChoice::Resume {
                id: feed.id.clone(),
                ack_id: String::new(),
            },
            read_timeout: Duration::from_secs(10),
            retry: settings.datafeed.retry.clone(),
            include_invisible: false,
            tag: "feedctl-demo".into(),
            exit_at_end: false,
        },
    );
    let pretty_out = match g.output {
        Some(OutputFormat::Table) => true,
        Some(_) => false,
        None => p.stdout_is_terminal(),
    };
    let mut shown = Shown {
        p,
        recorder: Recorder::new(&mut journal, recording.id, Some(total as u64)),
        pretty: pretty_out,
    };
    let stop = Stop {
        deadline: Some(tokio::time::Instant::now() + Duration::from_secs(60)),
        cancel: CancellationToken::new(),
    };
    let ended = follow(&mut source, &mut shown, &stop).await?;
    let (received, chunks) = (
        shown.recorder.tally.events as usize,
        shown.recorder.tally.chunks,
    );
    drop(shown);
    if ended != Ended::Finished {
        anyhow::bail!("the emulator stopped sending events ({received} of {total} received)");
    }
    client.delete_datafeed(&feed.id).await?;
    step(5, &format!("received all {received} of {total} events in {chunks} chunks, each committed to the journal before the next read acknowledged it; deleted the datafeed"));
    let summary = journal.summary()?;
    let problems = journal.verify()?;
    step(
        6,
        &format!(
            "journal {}: {} in {}, {}, {}; verify: {}",
            journal_path.display(),
            counted(summary.events as u64, "event"),
            counted(summary.chunks as u64, "chunk"),
            counted(summary.by_type.len() as u64, "type"),
            counted(summary.by_stream.len() as u64, "stream"),
            if problems.is_empty() {
                "ok".to_string()
            } else {
                crate::text::counted(problems.len() as u64, "problem")
            }
        ),
    );
    // The journal's writer lock is released before replay takes it.
    drop(journal);
    step(7, "replaying the journal through fixtures/handlers/price-bot.sh, as `feedctl replay --exec` does (its output prefixed with each event):");
    let handler =
        std::env::temp_dir().join(format!("feedctl-demo-{}-price-bot.sh", std::process::id()));
    write_handler(&handler)?;
    let replayed = Box::pin(replay_journal(p, journal_path, &handler)).await;
    let _ = std::fs::remove_file(&handler);
    let replayed = replayed?;
    p.note(
        "next: `feedctl serve --events demo --accept-any-key` runs the same pod for your own bot;",
    );
    p.note("      `feedctl tail` follows it live, `feedctl record --journal FILE` records it,");
    p.note("      and `feedctl replay --journal FILE --exec YOUR-HANDLER` replays it offline");
    Ok(
        if received == total && problems.is_empty() && replayed == Exit::Success {
            Exit::Success
        } else {
            Exit::Failed
        },
    )
}

const SF_CHANNEL: &str = "/topic/DemoAccounts";

/// Follows the Salesforce source into the recording until `count` more events are stored.
async fn record_some(
    p: &Printer,
    journal: &mut Journal,
    recording: i64,
    source: &mut crate::salesforce::SalesforceSource,
    count: u64,
) -> Result<u64> {
    let mut recorder = Recorder::new(journal, recording, Some(count))
        .on_notice(|n| p.note(&format!("    {}", output::notice_line(n))));
    let stop = Stop {
        deadline: Some(tokio::time::Instant::now() + Duration::from_secs(20)),
        cancel: CancellationToken::new(),
    };
    let ended = follow(source, &mut recorder, &stop).await?;
    if ended != Ended::Finished {
        anyhow::bail!(
            "the Salesforce emulator stopped sending events ({} of {count} received)",
            recorder.tally.events
        );
    }
    Ok(recorder.tally.events)
}

/// Steps 8-12: the Salesforce path against the built-in streaming emulator: record a channel,
/// survive a dropped session, resume from the marker, replay. All on stderr.
async fn salesforce_walk(p: &Printer, journal_path: &std::path::Path) -> Result<Exit> {
    use crate::serve::salesforce::{self as sf, OrgLogin, SalesforceOptions};
    use crate::sources::{salesforce_source, SalesforceRequest, SalesforceSpec};
    let step = |n: u32, text: &str| {
        p.note(&format!(
            "{} {text}",
            console::style(format!("[{n}]")).cyan().bold().for_stderr()
        ))
    };
    let server = sf::start(SalesforceOptions {
        channels: vec![SF_CHANNEL.into()],
        poll_timeout: Duration::from_secs(1),
        // The demo's org is new every time: small ids read better in its narration.
        first_replay_id: Some(1),
        ..SalesforceOptions::default()
    })
    .await?;
    let names = [
        "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell",
    ];
    let publish = |range: std::ops::Range<usize>| {
        for name in &names[range] {
            server.publish(
                SF_CHANNEL,
                Some("created"),
                serde_json::json!({ "Name": name }),
            );
        }
    };
    publish(0..4);
    step(8, &format!("started an emulated Salesforce streaming endpoint at {} and published 4 PushTopic events on {SF_CHANNEL}", server.base_url));
    let demo = OrgLogin::demo();
    let env = move |k: &str| -> Option<String> {
        match k {
            "SFDC_CLIENT_ID" => Some(demo.client_id.clone()),
            "SFDC_CLIENT_SECRET" => Some(demo.client_secret.expose().to_string()),
            "SFDC_USERNAME" => Some(demo.username.clone()),
            "SFDC_PASSWORD" => Some(demo.password.expose().to_string()),
            _ => None,
        }
    };
    let spec = SalesforceSpec {
        login_url: server.base_url.clone(),
        host: "localhost".into(),
        plain_http: true,
        channels: vec![SF_CHANNEL.into()],
    };
    let mut journal = Journal::open_for_write(journal_path)?;
    let description = spec.description();
    let recording = journal.recording(&NewRecording {
        name: "demo-salesforce",
        kind: "salesforce",
        source: "salesforce",
        description: Some(&description),
        pod_url: Some(&spec.login_url),
        username: Some("demo@feedctl.invalid"),
    })?;
    let request = |markers| SalesforceRequest {
        replay: Some("all"),
        max_pending: 100,
        markers,
        ..SalesforceRequest::default()
    };
    let mut source = salesforce_source(&spec, &request(Vec::new()), &env)?;
    let first = Box::pin(record_some(p, &mut journal, recording.id, &mut source, 4)).await?;
    let marker = |j: &Journal| -> Result<String> {
        Ok(j.markers(recording.id)?
            .into_iter()
            .next()
            .map(|m| m.cursor)
            .unwrap_or_default())
    };
    step(9, &format!("logged in (OAuth password flow), handshook with the replay extension, subscribed with --replay all and recorded {first} events as `feedctl record sfdc+http://…{SF_CHANNEL}` does; marker {}", marker(&journal)?));
    let dropped = server.fault("drop-sessions").map_err(anyhow::Error::msg)?;
    publish(4..7);
    step(
        10,
        &format!("the emulator {dropped}; 3 more events published:"),
    );
    let second = Box::pin(record_some(p, &mut journal, recording.id, &mut source, 3)).await?;
    p.note(&format!("    recorded {second} more after a new handshake, resubscribed from the marker: none lost, none twice"));
    source.close(&mut |_| {}).await;
    publish(7..9);
    let markers: Vec<(String, String)> = journal
        .markers(recording.id)?
        .into_iter()
        .map(|m| (m.partition, m.cursor))
        .collect();
    let resumed_from = marker(&journal)?;
    let mut source = salesforce_source(&spec, &request(markers), &env)?;
    let third = Box::pin(record_some(p, &mut journal, recording.id, &mut source, 2)).await?;
    source.close(&mut |_| {}).await;
    step(11, &format!("stopped; 2 events published meanwhile; a new run resumed from the stored marker {resumed_from} (not --replay all again) and recorded exactly those {third}"));
    let summary = journal.summary()?;
    let problems = journal.verify()?;
    drop(journal);
    server.stop().await;
    step(12, &format!("journal: {} Salesforce events, {} duplicates, verify: {}; replaying them through a handler, as `feedctl replay --exec` does:", summary.events, summary.duplicates, if problems.is_empty() { "ok" } else { "problems" }));
    let handler =
        std::env::temp_dir().join(format!("feedctl-demo-{}-sf-handler.sh", std::process::id()));
    std::fs::write(&handler, "#!/bin/sh\n# One Salesforce message on stdin; its replayId and type in the environment.\ncat >/dev/null\necho \"handled replayId $FEEDCTL_EVENT_ID ($FEEDCTL_EVENT_TYPE)\"\n")
        .with_context(|| format!("writing {}", handler.display()))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&handler, std::fs::Permissions::from_mode(0o755))?;
    }
    let replayed = Box::pin(replay_journal(p, journal_path, &handler)).await;
    let _ = std::fs::remove_file(&handler);
    let replayed = replayed?;
    p.note("next: `feedctl serve --salesforce --channel /topic/X` runs the same endpoint for your own consumer (docs/salesforce.md)");
    Ok(
        if summary.events == 9 && problems.is_empty() && replayed == Exit::Success {
            Exit::Success
        } else {
            Exit::Failed
        },
    )
}

/// The demo's keeper: records each chunk as `record` does, then shows its events as `tail` does.
struct Shown<'j> {
    p: &'j Printer,
    recorder: Recorder<'j>,
    pretty: bool,
}

impl<A: crate::feed::Ack> Keeper<Event, A> for Shown<'_> {
    fn announce(&mut self, n: &Notice) {
        // The demo attached to the feed it made itself; saying so again is noise.
        if !matches!(n, Notice::Attached { .. }) {
            self.p.note(&output::notice_line(n));
        }
    }

    fn note(&mut self, n: Notice) -> Result<()> {
        Keeper::<Event, A>::note(&mut self.recorder, n)
    }

    fn keep(&mut self, chunk: &Chunk<Event, A>) -> Result<Next> {
        let next = self.recorder.keep(chunk)?;
        let d = Delivery {
            partition: &chunk.partition,
            chunk: chunk.number,
            received_at: chunk.received_at,
            cursor: &chunk.cursor_after,
        };
        for e in &chunk.events {
            self.p.line(if self.pretty {
                pretty(e)
            } else {
                envelope(e, &d)
            })?;
        }
        Ok(next)
    }
}

/// Step 7: the engine `feedctl replay` runs, with the handler's output shown per event (as
/// `-v` does) and the summary table, but no report on stdout, whatever `-o` says.
async fn replay_journal(
    p: &Printer,
    journal: &std::path::Path,
    handler: &std::path::Path,
) -> Result<Exit> {
    let options = ReplayOptions {
        journal: journal.to_path_buf(),
        selection: Default::default(),
        sink: SinkKind::PerEvent,
        handler: RunSettings {
            command: handler.display().to_string(),
            concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            slow: Duration::from_secs(30),
            timeout: Some(Duration::from_secs(10)),
            grace: Duration::from_secs(2),
            verbose: true,
        },
        sequential: false,
        requeue_delay: Duration::from_secs(1),
        max_redeliveries: 3,
        speed: crate::replay::pace::Speed::Max,
        as_given: AsGiven {
            speed: "max".into(),
            ..AsGiven::default()
        },
    };
    let cancel = super::cancel_on_interrupt()?;
    let done = replay(&options, &ReplayProgress::new(p), &cancel)
        .await
        .map_err(|e| e.into_anyhow())?;
    let again = format!(
        "--exec {}",
        crate::output::replay::shell_quote(&options.handler.command)
    );
    summary(p, &done.report, done.elapsed, journal, &again);
    Ok(if done.interrupted {
        Exit::Interrupted
    } else if done.failed > 0 {
        Exit::Failed
    } else {
        Exit::Success
    })
}

/// Writes the demo handler (embedded, so the demo works from any directory) as an executable.
fn write_handler(path: &std::path::Path) -> Result<()> {
    std::fs::write(path, PRICE_BOT).with_context(|| format!("writing {}", path.display()))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}
