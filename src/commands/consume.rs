//! `feedctl consume`: settings from the flags, the worker (`consume::worker`) with SIGINT and
//! SIGTERM as its cancellation and the terminal as its notifier, then the summary; `status` and
//! `requeue` print what `consume::status` and `consume::requeue` found.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use anyhow::Result;
use tokio_util::sync::CancellationToken;

use crate::cli::{
    ConsumeArgs, ConsumeCommand, ConsumeGroupArgs, ConsumeRequeueArgs, ConsumeStatusArgs,
    ConsumeWorkerArgs, Global, HandlerMode, OutputFormat, RedisConnArgs,
};
use crate::consume::{self, status::StatusError, worker::ConsumeError, Notify};
use crate::exit::{Exit, Fail};
use crate::output::{self, Printer};
use crate::redis::StreamUrl;
use crate::replay::sink::SinkKind;
use crate::replay::RunSettings;

struct Notes<'a>(&'a Printer);

/// consume's notices quote entry ids and the handlers' stderr: shown terminal-safe (they are
/// one line each and carry no styling of their own).
impl Notify for Notes<'_> {
    fn notice(&self, text: &str) {
        self.0.note(&output::terminal_safe(text));
    }
    fn alert(&self, text: &str) {
        crate::stderr_line!("{}", output::terminal_safe(text));
    }
}

pub async fn run(g: &Global, p: &Printer, args: &ConsumeArgs) -> Result<Exit> {
    match &args.command {
        Some(ConsumeCommand::Status(a)) => status(g, p, a).await,
        Some(ConsumeCommand::Requeue(a)) => requeue(p, a).await,
        None => work(g, p, &args.worker).await,
    }
}

fn parse_url(s: &str) -> Result<StreamUrl, Fail> {
    let env = std::env::var("REDISCLI_AUTH").ok();
    if !StreamUrl::is_redis(s) {
        return Err(Fail::usage(format!(
            "SOURCE `{}`: consume works on Redis streams: redis://[user:password@]host[:port][/db]/KEY",
            crate::text::clip(s, 60)
        )));
    }
    StreamUrl::parse(s, env.as_deref()).map_err(|e| Fail::usage(format!("SOURCE: {e}")))
}

/// `--connection-timeout` of `status` and `requeue` when not given: they try once, and a
/// person waits for them.
const ONE_SHOT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Sets how this run connects to Redis (TLS files, `--connection-timeout`).
fn connecting(c: &RedisConnArgs, default: Option<std::time::Duration>) -> Result<(), Fail> {
    crate::sources::redis_connecting(&c.tls, c.connection_timeout.as_deref(), default)
}

/// The URL, group and dead-letter key; clap makes SOURCE and --group required.
fn target(t: &ConsumeGroupArgs) -> Result<(StreamUrl, String, String), Fail> {
    let url = parse_url(t.source.as_deref().unwrap_or_default())?;
    let group = t.group.clone().unwrap_or_default();
    let dead = t
        .dead_letter
        .clone()
        .unwrap_or_else(|| format!("{}:dead", url.key));
    Ok((url, group, dead))
}

/// A token cancelled by SIGINT or SIGTERM, and which one came (0 until then).
fn cancel_on_signals() -> std::io::Result<(CancellationToken, Arc<AtomicI32>)> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let token = CancellationToken::new();
    let which = Arc::new(AtomicI32::new(0));
    let (t, w) = (token.clone(), which.clone());
    tokio::spawn(async move {
        let sig = tokio::select! {
            _ = int.recv() => libc::SIGINT,
            _ = term.recv() => libc::SIGTERM,
        };
        w.store(sig, Ordering::SeqCst);
        t.cancel();
    });
    Ok((token, which))
}

async fn work(g: &Global, p: &Printer, a: &ConsumeWorkerArgs) -> Result<Exit> {
    let (url, group, dead_key) = target(&a.target)?;
    connecting(&a.target.conn, None)?;
    if dead_key == url.key {
        return Err(Fail::usage("--dead-letter must name another stream than SOURCE's key").into());
    }
    let concurrency = if a.sequential {
        1
    } else {
        a.concurrency.map(|c| c as usize).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        })
    };
    let opts = consume::Options {
        url,
        group,
        consumer: a
            .consumer
            .clone()
            .unwrap_or_else(|| crate::sources::default_consumer(Some("consume"))),
        dead_key,
        sink: match a.mode {
            HandlerMode::PerEvent => SinkKind::PerEvent,
            HandlerMode::Stream => SinkKind::Stream,
        },
        handler: RunSettings {
            command: a.exec.clone().unwrap_or_default(),
            concurrency,
            slow: a.slow,
            timeout: a.timeout,
            grace: a.grace,
            verbose: g.verbose > 0,
        },
        sequential: a.sequential,
        batch: a.batch.map(|b| b as usize).unwrap_or(concurrency),
        requeue_delay: a.requeue_delay,
        retry_delay: a.retry_delay,
        max_deliveries: a.max_deliveries,
        claim_idle: a.claim_idle,
        count: a.count,
        duration: a.duration,
        exit_when_idle: a.exit_when_idle,
    };
    let mut log = match &a.journal {
        Some(path) => Some(consume::journal::RunLog::start(path, &opts)?),
        None => None,
    };
    let (cancel, which) = cancel_on_signals()?;
    let notes = Notes(p);
    let announce = {
        let cancel = cancel.clone();
        let grace = opts.handler.grace;
        async move {
            cancel.cancelled().await;
            crate::stderr_line!(
                "stopping: no new entries; waiting up to {}s for the running handlers; the rest stays pending",
                grace.as_secs()
            );
        }
    };
    let announcer = tokio::spawn(announce);
    let outcome = consume::worker::run(
        &opts,
        &notes,
        &cancel,
        log.as_mut().map(|l| l as &mut dyn consume::worker::Keep),
    )
    .await;
    announcer.abort();
    let interrupted = cancel.is_cancelled();
    if let Some(log) = log.as_mut() {
        log.finish(match (&outcome, interrupted) {
            (Err(_), _) => "failed",
            (_, true) => "interrupted",
            _ => "done",
        })?;
    }
    let done = outcome.map_err(|e| match e {
        ConsumeError::Redis(e) => anyhow::Error::from(e),
        ConsumeError::Refused(e) => e.into(),
    })?;
    p.note(&format!(
        "consumed `{}` as `{}`: {} acknowledged, {} dead-lettered, {} ({} failed, {} asked for later), {} taken over, {} left pending, in {}",
        opts.url.key,
        opts.consumer,
        done.acked,
        done.dead,
        crate::text::counted(done.runs as u64, "handler run"),
        done.failed,
        done.requeued,
        done.claimed,
        done.left_pending,
        humantime::format_duration(std::time::Duration::from_millis(done.elapsed.as_millis() as u64)),
    ));
    if let Some(log) = &log {
        p.note(&format!(
            "run {} stored in {}",
            log.id(),
            log.path().display()
        ));
    }
    if interrupted {
        return Ok(match which.load(Ordering::SeqCst) {
            libc::SIGTERM => Exit::Terminated,
            _ => Exit::Interrupted,
        });
    }
    Ok(if done.dead > 0 {
        Exit::Failed
    } else {
        Exit::Success
    })
}

fn ms(v: Option<i64>) -> String {
    v.map(|m| {
        humantime::format_duration(std::time::Duration::from_secs((m / 1000).max(0) as u64))
            .to_string()
    })
    .unwrap_or_else(|| "-".into())
}

async fn status(g: &Global, p: &Printer, a: &ConsumeStatusArgs) -> Result<Exit> {
    let (url, group, dead_key) = target(&a.target)?;
    connecting(&a.target.conn, Some(ONE_SHOT_TIMEOUT))?;
    let s = consume::status::status(&url, &group, &dead_key, a.stuck_after)
        .await
        .map_err(|e| match e {
            StatusError::Redis(e) => anyhow::Error::from(e),
            StatusError::Refused(e) => e.into(),
        })?;
    match p.format(g.output) {
        OutputFormat::Json => p.json(&s)?,
        OutputFormat::Ndjson => p.ndjson(&s)?,
        OutputFormat::Table => {
            p.line(format!(
                "stream {}  group {}  length {}  lag {}  pending {}  dead letters {} ({})",
                s.stream,
                s.group,
                s.length,
                s.lag
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "unknown".into()),
                s.pending,
                s.dead_letters,
                s.dead_key
            ))?;
            if let Some(o) = &s.oldest {
                p.line(format!(
                    "oldest pending: {} with {} (idle {}, written {} ago, {} deliveries)",
                    o.id,
                    o.consumer,
                    ms(Some(o.idle_ms)),
                    ms(o.age_ms),
                    o.deliveries
                ))?;
            }
            let mut t = output::table(&[
                "CONSUMER",
                "PENDING",
                "IDLE",
                "OLDEST PENDING IDLE",
                "MAX DELIVERIES",
            ]);
            for c in &s.consumers {
                t.add_row(vec![
                    output::safe(&c.name),
                    c.pending.to_string(),
                    ms(c.idle_ms),
                    ms(c.oldest_idle_ms),
                    c.max_deliveries.to_string(),
                ]);
            }
            p.line(t)?;
            if !s.stuck.is_empty() {
                let mut t = output::table(&["STUCK ENTRY", "CONSUMER", "IDLE", "DELIVERIES"]);
                for e in &s.stuck {
                    t.add_row(vec![
                        e.id.clone(),
                        output::safe(&e.consumer),
                        ms(Some(e.idle_ms)),
                        e.deliveries.to_string(),
                    ]);
                }
                p.line(t)?;
            }
            if !s.complete {
                p.note(&format!(
                    "only the first {} pending entries were looked at one by one; the totals are exact",
                    consume::status::SCAN_LIMIT
                ));
            }
        }
    }
    if let Some(d) = a.stuck_after {
        if !s.stuck.is_empty() {
            p.note(&format!(
                "stuck: {}{} entr(ies) pending longer than {}; `feedctl consume` workers with --claim-idle take them over",
                s.stuck.len(),
                if s.stuck.len() >= 100 { "+" } else { "" },
                humantime::format_duration(d)
            ));
            return Ok(Exit::Failed);
        }
    }
    Ok(Exit::Success)
}

async fn requeue(p: &Printer, a: &ConsumeRequeueArgs) -> Result<Exit> {
    let url = parse_url(&a.source)?;
    connecting(&a.conn, Some(ONE_SHOT_TIMEOUT))?;
    let done = consume::requeue::requeue(&url, a.to.as_deref(), a.count, &Notes(p)).await?;
    p.note(&format!(
        "requeued {} from `{}`{}",
        crate::text::counted(done.moved as u64, "dead letter"),
        url.key,
        if done.skipped > 0 {
            format!(
                "; {} entr(ies) that are not feedctl dead letters left alone",
                done.skipped
            )
        } else {
            String::new()
        }
    ));
    Ok(Exit::Success)
}
