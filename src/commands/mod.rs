//! One module per subcommand; the only layer that knows config, wire, emulator and output.

mod auth;
mod completions;
mod config_show;
mod consume;
mod datafeed;
mod demo;
mod init;
mod inject;
mod journal;
pub mod record;
mod replay;
mod serve;
pub mod tail;

use anyhow::Result;

use crate::cli::{AuthCommand, Cli, Command, ConfigCommand, EventSelection, Global};
use crate::config::{self, Overrides, Settings};
use crate::exit::{Exit, Fail};
use crate::journal::Selection;
use crate::output::Printer;
use crate::symphony::event::EVENT_TYPES;

/// Runs the command, printing through `p`, the one printer decided from the global flags.
pub async fn run(cli: Cli, p: &Printer) -> Result<Exit> {
    let g = &cli.global;
    match &cli.command {
        Command::Init(args) => init::run(g, p, args).await,
        Command::Completions(args) => completions::run(args),
        Command::Config(args) => match args.command {
            ConfigCommand::Show(_) => config_show::run(g, p),
        },
        Command::Auth(args) => match args.command {
            AuthCommand::Check(_) => auth::check(g, p).await,
        },
        Command::Datafeed(cmd) => datafeed::run(g, p, cmd).await,
        Command::Tail(args) => tail::run(g, p, args).await,
        Command::Record(args) => record::run(g, p, args).await,
        Command::Journal(args) => journal::run(g, p, &args.command),
        Command::Replay(args) => replay::run(g, p, args).await,
        Command::Consume(args) => consume::run(g, p, args).await,
        Command::Serve(args) => serve::run(g, p, args).await,
        Command::Inject(args) => inject::run(g, p, args).await,
        Command::Demo(args) => demo::run(g, p, args).await,
    }
}

/// Resolves the bot configuration from the global flags, the environment and the file.
pub fn load_settings(g: &Global) -> Result<Settings, config::ConfigError> {
    let overrides = Overrides {
        config: g.config.clone(),
        host: g.host.clone(),
        port: g.port,
        scheme: g.scheme.clone(),
        context: None,
        username: g.username.clone(),
        private_key: g.private_key.clone(),
        datafeed_version: g.datafeed_version.clone(),
        insecure: g.insecure,
    };
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    config::load(
        &overrides,
        &|name| std::env::var(name).ok(),
        home.as_deref(),
    )
}

/// Ctrl-C, listened for from the start so a signal that comes between two awaits is not lost.
pub struct Interrupt {
    #[cfg(unix)]
    sigint: tokio::signal::unix::Signal,
}

impl Interrupt {
    pub fn new() -> std::io::Result<Self> {
        Ok(Interrupt {
            #[cfg(unix)]
            sigint: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?,
        })
    }

    pub async fn recv(&mut self) {
        #[cfg(unix)]
        self.sigint.recv().await;
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A token cancelled by Ctrl-C, for the follow loop. The signal is listened for from here on,
/// so one that comes before the loop starts is not lost.
pub fn cancel_on_interrupt() -> std::io::Result<tokio_util::sync::CancellationToken> {
    let mut interrupt = Interrupt::new()?;
    let token = tokio_util::sync::CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        interrupt.recv().await;
        cancel.cancel();
    });
    Ok(token)
}

/// Like `cancel_on_interrupt`, for a command that stops on SIGTERM as on Ctrl-C (`replay`: a
/// service manager's stop must not leave handlers running and the run open). The flag tells
/// whether SIGTERM came, for exit status 143.
pub fn cancel_on_interrupt_or_term() -> std::io::Result<(
    tokio_util::sync::CancellationToken,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
)> {
    let mut interrupt = Interrupt::new()?;
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let token = tokio_util::sync::CancellationToken::new();
    let terminated = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (cancel, flag) = (token.clone(), terminated.clone());
    tokio::spawn(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = term.recv() => flag.store(true, std::sync::atomic::Ordering::SeqCst),
        }
        #[cfg(not(unix))]
        {
            let _ = &flag;
            interrupt.recv().await;
        }
        cancel.cancel();
    });
    Ok((token, terminated))
}

/// Parses `--since/--until`, one grammar (docs/cli.md, "Times"): milliseconds since the epoch;
/// a date (`2026-12-01`, midnight UTC); RFC 3339 (`2026-11-22T14:30:00Z`, also without the zone or
/// the `T`); or a duration ago (`90s`, `30m`, `1h`, `2d`, `1h30m`).
fn parse_time(flag: &str, s: &str) -> Result<i64, Fail> {
    let t = s.trim();
    if let Ok(ms) = t.parse::<i64>() {
        return Ok(ms);
    }
    let is_date = t.len() == 10
        && t.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    let absolute = if is_date {
        humantime::parse_rfc3339(&format!("{t}T00:00:00Z"))
    } else {
        humantime::parse_rfc3339_weak(t)
    };
    let time = absolute.or_else(|_| {
        humantime::parse_duration(t)
            .ok()
            .and_then(|ago| std::time::SystemTime::now().checked_sub(ago))
            .ok_or(())
    });
    time.map_err(|_| Fail::usage(format!("{flag} `{s}`: expected a duration ago (1h, 30m, 2d), a date (2026-12-01), RFC 3339 (2026-11-22T14:30:00Z) or milliseconds since the epoch")))
        .and_then(|t| {
            t.duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .map_err(|_| Fail::usage(format!("{flag} `{s}` is before 1970")))
        })
}

/// The journal filters from the flags. A Symphony type matches case-insensitively; any other
/// is another source's (hopeit's `module.Class`, a Redis `type` field, a Salesforce event
/// name) and matches the stored type exactly, said once on stderr in case it was a typo.
pub fn selection(s: &EventSelection, p: &Printer) -> Result<Selection, Fail> {
    let mut types = Vec::new();
    for t in s.types.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let upper = t.to_ascii_uppercase();
        if EVENT_TYPES.contains(&upper.as_str()) {
            types.push(upper);
        } else {
            p.note(&format!(
                "--type {t}: not a Symphony event type, so matched exactly against the recorded type (hopeit's type, a Redis `type` field, a Salesforce event); Symphony's are {}",
                EVENT_TYPES.join(", ")
            ));
            types.push(t.to_string());
        }
    }
    Ok(Selection {
        recording: s.recording.clone(),
        types,
        streams: s.stream.clone(),
        since: s
            .since
            .as_deref()
            .map(|v| parse_time("--since", v))
            .transpose()?,
        until: s
            .until
            .as_deref()
            .map(|v| parse_time("--until", v))
            .transpose()?,
        last: s.last,
        ..Selection::default()
    })
}

/// Who opens a source: `tail` (its own datafeed deleted at the end unless kept) or a recording
/// (its datafeed kept, Redis from the beginning, connections waited for as long as it takes).
pub enum Purpose<'a> {
    Tail { keep_feed: bool },
    Record { name: &'a str },
}

/// What `tail` and `record` ask of each kind of source, from their shared flag groups.
pub fn source_request<'a>(
    source: &'a crate::cli::SourceArgs,
    r: &'a crate::cli::RedisArgs,
    sf: &'a crate::cli::SalesforceArgs,
    purpose: Purpose<'a>,
) -> crate::sources::Request<'a> {
    use crate::redis::Start;
    use crate::sources::{default_consumer, DatafeedRequest, RedisRequest, SalesforceRequest};
    use crate::symphony::source::FeedOwner;
    let (owner, keep, default_from, default_consumer, default_timeout) = match purpose {
        // tail is watched by someone: a connection that never comes is said at once.
        Purpose::Tail { keep_feed } => (
            FeedOwner::Tail,
            keep_feed,
            Start::End,
            default_consumer(None),
            Some(std::time::Duration::from_secs(10)),
        ),
        Purpose::Record { name } => (
            FeedOwner::Recording(name),
            true,
            Start::Beginning,
            default_consumer(Some(name)),
            None,
        ),
    };
    crate::sources::Request {
        datafeed: DatafeedRequest {
            feed: source.feed.as_deref(),
            tag: source.tag.as_deref(),
            read_timeout: source.read_timeout,
            owner,
            keep,
            exit_at_end: source.exit_at_end,
        },
        redis: RedisRequest {
            from: r.from.as_deref(),
            group: r.group.as_deref(),
            consumer: r.consumer.as_deref(),
            claim_idle: r.claim_idle,
            batch: r.batch as usize,
            default_from,
            default_consumer,
            exit_at_end: source.exit_at_end,
            share_group: r.share_group,
        },
        redis_tls: &r.tls,
        salesforce: SalesforceRequest {
            replay: sf.replay.as_deref(),
            fallback: sf.replay_fallback.as_deref(),
            connection_timeout: sf.connection_timeout.as_deref(),
            default_timeout,
            max_pending: sf.max_pending,
            allow_plain_http: sf.allow_plain_http,
            sf_org: sf.sf_org.as_deref(),
            login_url: sf.sf_login_url.as_deref(),
            pubsub_ca: sf.pubsub_ca.as_deref(),
            markers: Vec::new(),
            exit_at_end: source.exit_at_end,
        },
    }
}
