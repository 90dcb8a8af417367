//! `feedctl replay`: resolve the flags into [`ReplayOptions`], run the engine (`replay/`) with
//! Ctrl-C as its cancellation and the terminal as its observer, then print the summary and the
//! report. `--dry-run` only lists what would be delivered.

use anyhow::{Context, Result};

use crate::cli::{Global, HandlerMode, Layout, OutputFormat, ReplayArgs};
use crate::exit::{Exit, Fail};
use crate::journal::{Journal, JournalError, Selection};
use crate::output;
use crate::output::replay::{shell_quote, summary, ReplayProgress};
use crate::output::Printer;
use crate::redis::hopeit::Encoding;
use crate::redis::schema::PayloadSchema;
use crate::replay::engine::{replay, AsGiven, ReplayOptions};
use crate::replay::pace::Speed;
use crate::replay::redis::{Layout as ReplayLayout, RedisTarget};
use crate::replay::sink::SinkKind;
use crate::replay::RunSettings;
use crate::sources;

use super::selection;

/// `--chunks A..B`, `A..`, `..B` or `N`: inclusive, checked here so a typo is a usage error.
fn parse_chunks(s: &str) -> Result<(i64, i64), Fail> {
    let bad = || {
        Fail::usage(format!(
            "--chunks `{s}`: expected A..B (e.g. 3..7), A.. or a single number"
        ))
    };
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (s.trim(), s.trim()),
    };
    let from = if a.is_empty() {
        1
    } else {
        a.parse().map_err(|_| bad())?
    };
    let to = if b.is_empty() {
        i64::MAX
    } else {
        b.parse().map_err(|_| bad())?
    };
    if from > to {
        return Err(bad());
    }
    Ok((from, to))
}

/// The engine's settings from the flags; the defaults that depend on the machine are decided here.
/// `--to`: the Redis sink's target, checked here so a bad URL or layout is a usage error.
fn redis_target(args: &ReplayArgs) -> Result<Option<RedisTarget>, Fail> {
    let t = &args.to;
    let Some(to) = &t.to else { return Ok(None) };
    sources::redis_connecting(&t.tls, t.connection_timeout.as_deref(), None)?;
    let mut urls = sources::parse_redis(std::slice::from_ref(to))
        .map_err(|e| Fail::usage(e.message.replacen("SOURCE 1", "--to", 1)))?;
    let url = urls.remove(0);
    let layout = match t.layout {
        Layout::Original => ReplayLayout::Original,
        Layout::Hopeit => {
            let event_type = t.hopeit_type.clone().filter(|ty| crate::redis::hopeit::valid_type(ty)).ok_or_else(|| {
                Fail::usage("--layout hopeit needs --hopeit-type module.ClassName (the payload's dataobject, as hopeit's readers dispatch on it)")
            })?;
            let encoding = Encoding::parse(&t.hopeit_ser, &t.hopeit_comp).ok_or_else(|| {
                Fail::usage(format!(
                    "--hopeit-ser {} with --hopeit-comp {}: not a serialisation and compression feedctl writes",
                    t.hopeit_ser, t.hopeit_comp
                ))
            })?;
            ReplayLayout::Hopeit {
                event_type,
                encoding,
            }
        }
    };
    // The class whose schema an OpenAPI document gives: --hopeit-type's, in either layout.
    let event_type = match &layout {
        ReplayLayout::Hopeit { event_type, .. } => Some(event_type.as_str()),
        ReplayLayout::Original => t.hopeit_type.as_deref(),
    };
    let schema = t
        .schema
        .as_deref()
        .map(|arg| PayloadSchema::load(arg, event_type).map(std::sync::Arc::new))
        .transpose()
        .map_err(Fail::usage)?;
    Ok(Some(RedisTarget {
        url,
        layout,
        maxlen: t.maxlen,
        schema,
    }))
}

/// The flags that deliver events again the way this run does, for the hint after failures:
/// the handler (and stream mode), or the Redis target with its layout. A password is never
/// shown, so a URL that had one is written without it ([`run`] says where it goes).
fn again(args: &ReplayArgs, target: Option<&RedisTarget>) -> String {
    let Some(t) = target else {
        let mut flags = format!("--exec {}", shell_quote(args.exec.as_deref().unwrap_or("")));
        if args.mode == HandlerMode::Stream {
            flags.push_str(" --mode stream");
        }
        return flags;
    };
    let mut flags = format!("--to {}", shell_quote(&t.url.to_string()));
    if let ReplayLayout::Hopeit {
        event_type,
        encoding,
    } = &t.layout
    {
        flags.push_str(&format!(
            " --layout hopeit --hopeit-type {} --hopeit-ser {} --hopeit-comp {}",
            shell_quote(event_type),
            encoding.ser(),
            encoding.comp()
        ));
    }
    if let Some(n) = t.maxlen {
        flags.push_str(&format!(" --maxlen {n}"));
    }
    flags
}

/// True when the run writes to a Redis URL that has a password.
fn options_password(o: &ReplayOptions) -> bool {
    matches!(&o.sink, SinkKind::Redis(t) if t.url.password.is_some())
}

fn options(
    g: &Global,
    args: &ReplayArgs,
    sel: Selection,
    speed: Speed,
    target: Option<RedisTarget>,
) -> ReplayOptions {
    let concurrency = if args.sequential {
        1
    } else {
        args.concurrency.map(|c| c as usize).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        })
    };
    ReplayOptions {
        journal: args.journal.journal.clone(),
        selection: sel,
        sink: match (&target, args.mode) {
            (Some(t), _) => SinkKind::Redis(Box::new(t.clone())),
            (None, HandlerMode::PerEvent) => SinkKind::PerEvent,
            (None, HandlerMode::Stream) => SinkKind::Stream,
        },
        handler: RunSettings {
            command: match &target {
                Some(t) => t.command(),
                None => args.exec.clone().unwrap_or_default(),
            },
            concurrency,
            slow: args.slow,
            // `--timeout 0`: no limit.
            timeout: (!args.timeout.is_zero()).then_some(args.timeout),
            grace: args.grace,
            verbose: g.verbose > 0,
        },
        sequential: args.sequential,
        requeue_delay: args.requeue_delay,
        max_redeliveries: args.max_redeliveries,
        speed,
        as_given: AsGiven {
            speed: args.speed.clone(),
            recording: args.select.recording.clone(),
            types: args.select.types.clone(),
            streams: args.select.stream.clone(),
            since: args.select.since.clone(),
            until: args.select.until.clone(),
            chunks: args.chunks.clone(),
        },
    }
}

pub async fn run(g: &Global, p: &Printer, args: &ReplayArgs) -> Result<Exit> {
    let speed: Speed = args.speed.parse().map_err(Fail::usage)?;
    let mut sel = selection(&args.select, p)?;
    sel.chunks = args.chunks.as_deref().map(parse_chunks).transpose()?;
    sel.skip_duplicates = args.skip_duplicates;
    sel.failed_in_run = args.rerun_failed;
    let path = args.journal.journal.clone();
    if !path.is_file() {
        return Err(JournalError::Missing(path).into());
    }
    let format = p.format(g.output);

    if args.dry_run {
        let journal = Journal::open_read(&path)?;
        if let Some(run) = sel.failed_in_run {
            sel.run_selection = journal.run_selection(run)?.map(Box::new);
        }
        return dry_run(p, &journal, &sel, format);
    }
    let target = redis_target(args)?;
    let again = again(args, target.as_ref());
    let options = options(g, args, sel, speed, target);
    let (cancel, terminated) = super::cancel_on_interrupt_or_term()?;
    let observer = ReplayProgress::new(p);
    let done = replay(&options, &observer, &cancel)
        .await
        .map_err(|e| e.into_anyhow())?;
    summary(p, &done.report, done.elapsed, &path, &again);
    if done.failed > 0 && options_password(&options) {
        p.note("the URL above is shown without its password: give it in REDISCLI_AUTH");
    }
    if let Some(file) = &args.report {
        std::fs::write(file, serde_json::to_string_pretty(&done.report)? + "\n")
            .with_context(|| format!("writing {}", file.display()))?;
    }
    // The report goes to stdout only when asked for: replay's work is what the handler did.
    match (g.output, format) {
        (Some(_), OutputFormat::Json) => p.json(&done.report)?,
        (Some(_), OutputFormat::Ndjson) => p.ndjson(&done.report)?,
        _ => {}
    }
    Ok(
        if done.interrupted && terminated.load(std::sync::atomic::Ordering::SeqCst) {
            Exit::Terminated
        } else if done.interrupted {
            Exit::Interrupted
        } else if done.failed > 0 {
            Exit::Failed
        } else {
            Exit::Success
        },
    )
}

/// Lists what would be delivered, reading the journal only: nothing runs, no run is stored.
fn dry_run(p: &Printer, journal: &Journal, sel: &Selection, format: OutputFormat) -> Result<Exit> {
    let mut rows = Vec::new();
    let mut chunks = std::collections::BTreeSet::new();
    journal.events(sel, |r| {
        chunks.insert((r.recording.clone(), r.chunk));
        rows.push(r);
        true
    })?;
    match format {
        OutputFormat::Table => {
            let mut t = output::table(&[
                "RECORDING",
                "CHUNK",
                "ROW",
                "TYPE",
                "EVENT ID",
                "STREAM",
                "DUP OF",
            ]);
            for r in &rows {
                t.add_row(vec![
                    r.recording.clone(),
                    r.chunk.to_string(),
                    r.row_id.to_string(),
                    r.event_type.clone().unwrap_or_default(),
                    r.event_id.clone().unwrap_or_default(),
                    output::clip(r.stream_id.as_deref().unwrap_or(""), 16),
                    r.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
                ]);
            }
            p.line(t)?;
        }
        OutputFormat::Json => p.json(
            &rows
                .iter()
                .map(|r| output::events::row_json(r, false))
                .collect::<Vec<_>>(),
        )?,
        OutputFormat::Ndjson => rows
            .iter()
            .try_for_each(|r| p.ndjson(&output::events::row_json(r, false)))?,
    }
    p.note(&format!(
        "dry run: would deliver {} in {}",
        crate::text::counted(rows.len() as u64, "event"),
        crate::text::counted(chunks.len() as u64, "chunk")
    ));
    Ok(Exit::Success)
}
