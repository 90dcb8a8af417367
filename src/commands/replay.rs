//! `feedctl replay`: read chunks from the journal (on a thread of their own, so a million events
//! never sit in memory), deliver them to the handler with the kits' chunk semantics, and store
//! every result in the journal.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::cli::{Global, HandlerMode, OutputFormat, ReplayArgs};
use crate::exit::{Exit, Fail};
use crate::journal::{Journal, JournalError, ResultRow, Selection};
use crate::output::{self, note};
use crate::replay::exec::{preflight, run_event, Groups};
use crate::replay::pace::Speed;
use crate::replay::stats::{millis, Report, Stats};
use crate::replay::stream::StreamHandler;
use crate::replay::{Chunk, Delivery, Outcome, RunResult, RunSettings};

use super::journal::selection;

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

/// Reads the selection chunk by chunk on a blocking thread.
fn read_chunks(
    path: std::path::PathBuf,
    sel: Selection,
) -> mpsc::Receiver<Result<Chunk, JournalError>> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        let journal = match Journal::open_read(&path) {
            Ok(j) => j,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        let mut current: Option<Chunk> = None;
        let result = journal.events(&sel, |row| {
            let same = current
                .as_ref()
                .is_some_and(|c| c.seq == row.chunk && c.recording == row.recording);
            if !same {
                if let Some(done) = current.take() {
                    if tx.blocking_send(Ok(done)).is_err() {
                        return false;
                    }
                }
                current = Some(Chunk {
                    recording: row.recording.clone(),
                    seq: row.chunk,
                    received_at: row.received_at,
                    events: Vec::new(),
                });
            }
            if let Some(c) = current.as_mut() {
                c.events.push(Delivery {
                    row: row.row_id,
                    raw: String::from_utf8_lossy(&row.raw).into_owned(),
                    event_id: row.event_id,
                    event_type: row.event_type,
                    timestamp: row.timestamp,
                    stream_id: row.stream_id,
                    initiator_id: row.initiator_id,
                });
            }
            true
        });
        match result {
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
            }
            Ok(()) => {
                if let Some(done) = current {
                    let _ = tx.blocking_send(Ok(done));
                }
            }
        }
    });
    rx
}

/// Runs one delivery of a chunk in per-event mode: concurrently up to the limit.
async fn deliver_per_event(
    settings: &Arc<RunSettings>,
    groups: &Groups,
    stop: &CancellationToken,
    chunk: &Chunk,
    attempt: u32,
    limit: usize,
) -> Vec<RunResult> {
    let permits = Arc::new(Semaphore::new(limit.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for d in &chunk.events {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stop.cancelled() => break,
        };
        // Ctrl-C: no new handler starts.
        if stop.is_cancelled() {
            break;
        }
        let (settings, groups, d, seq) = (settings.clone(), groups.clone(), d.clone(), chunk.seq);
        tasks.spawn(async move {
            let r = run_event(&settings, &groups, &d, seq, attempt).await;
            drop(permit);
            r
        });
    }
    let mut results = Vec::with_capacity(chunk.events.len());
    while let Some(r) = tasks.join_next().await {
        if let Ok(r) = r {
            results.push(r);
        }
    }
    results
}

pub async fn run(g: &Global, args: &ReplayArgs) -> Result<Exit> {
    let speed: Speed = args.speed.parse().map_err(Fail::usage)?;
    let mut sel = selection(&args.select)?;
    sel.chunks = args.chunks.as_deref().map(parse_chunks).transpose()?;
    sel.skip_duplicates = args.skip_duplicates;
    sel.failed_in_run = args.rerun_failed;
    let path = args.journal.journal.clone();
    if !path.is_file() {
        return Err(JournalError::Missing(path).into());
    }
    let format = output::resolve(g.output);

    if args.dry_run {
        let journal = Journal::open_read(&path)?;
        return dry_run(&journal, &sel, format);
    }
    let command = args.exec.clone().unwrap_or_default();
    // Before any event is delivered: is there a handler to run at all?
    preflight(&command).map_err(Fail::usage)?;

    let mut journal = Journal::open_for_write(&path)?;
    if let Some(run) = args.rerun_failed {
        if !journal.run_exists(run)? {
            return Err(Fail::usage(format!("there is no replay run {run} in {}; `feedctl replay --report` and the end-of-run table give run numbers", path.display())).into());
        }
    }
    let total = journal.count_events(&sel)?;
    let concurrency = if args.sequential {
        1
    } else {
        args.concurrency.map(|c| c as usize).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        })
    };
    let options = json!({
        "mode": match args.mode { HandlerMode::PerEvent => "per-event", HandlerMode::Stream => "stream" },
        "concurrency": concurrency,
        "sequential": args.sequential,
        "requeueDelayMs": millis(args.requeue_delay),
        "maxRedeliveries": args.max_redeliveries,
        "slowMs": millis(args.slow),
        "timeoutMs": args.timeout.map(millis),
        "speed": args.speed,
        "recording": args.select.recording,
        "types": args.select.types,
        "streams": args.select.stream,
        "since": args.select.since,
        "until": args.select.until,
        "chunks": args.chunks,
        "skipDuplicates": args.skip_duplicates,
        "rerunFailed": args.rerun_failed,
    });
    let run_id = journal.start_run(&command, &options.to_string())?;
    note(&format!(
        "replay run {run_id}: {total} event(s) from {} through `{command}`",
        path.display()
    ));

    let settings = Arc::new(RunSettings {
        command: command.clone(),
        concurrency,
        slow: args.slow,
        timeout: args.timeout,
        grace: args.grace,
        verbose: g.verbose > 0,
    });
    let groups = Groups::default();
    let stop = CancellationToken::new();
    let mut interrupt = super::Interrupt::new()?;
    {
        // Ctrl-C: stop starting handlers, ask running ones to finish, kill them after the grace.
        let (stop, groups, grace) = (stop.clone(), groups.clone(), args.grace);
        tokio::spawn(async move {
            interrupt.recv().await;
            stop.cancel();
            eprintln!(
                "interrupted: no new handlers; waiting up to {}s for the running ones",
                grace.as_secs()
            );
            // Running handlers may finish within the grace; then they are stopped, politely first.
            tokio::time::sleep(grace).await;
            if !groups.is_empty() {
                eprintln!("interrupted: stopping the handlers still running");
                groups.signal_all(libc::SIGTERM);
                tokio::time::sleep(Duration::from_millis(200)).await;
                groups.signal_all(libc::SIGKILL);
            }
        });
    }
    let mut stream =
        (args.mode == HandlerMode::Stream).then(|| StreamHandler::new((*settings).clone()));
    let progress = progress_bar(total);
    let mut stats = Stats::default();
    let mut chunks = read_chunks(path.clone(), sel);
    let mut previous_at: Option<i64> = None;
    let started = Instant::now();
    let mut unsaved: Vec<RunResult> = Vec::new();
    let mut last_save = Instant::now();

    let outcome: Result<()> = async {
        while let Some(chunk) = chunks.recv().await {
            let chunk = chunk?;
            let wait = speed.gap(previous_at, chunk.received_at);
            previous_at = Some(chunk.received_at);
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.cancelled() => break,
                }
            }
            if stop.is_cancelled() {
                break;
            }
            // Where each event of the chunk is, to name it in notices and statistics.
            let position: HashMap<i64, usize> = chunk.events.iter().enumerate().map(|(i, d)| (d.row, i)).collect();
            let describe = |row: i64| -> (Option<&str>, Option<&str>) {
                position
                    .get(&row)
                    .map(|i| (chunk.events[*i].event_type.as_deref(), chunk.events[*i].event_id.as_deref()))
                    .unwrap_or((None, None))
            };
            let mut attempt = 1;
            loop {
                let mut results = match stream.as_mut() {
                    Some(handler) => tokio::select! {
                        r = handler.deliver(&chunk, attempt, args.sequential) => r,
                        _ = stop.cancelled() => {
                            handler.finish(settings.grace).await;
                            Vec::new()
                        }
                    },
                    None => deliver_per_event(&settings, &groups, &stop, &chunk, attempt, concurrency).await,
                };
                if stop.is_cancelled() {
                    for r in results.iter_mut().filter(|r| r.outcome != Outcome::Handled) {
                        r.outcome = Outcome::Interrupted;
                    }
                }
                // Results are written in batches: one transaction per chunk would cost more than
                // a fast handler does. Whatever is pending is written at the end, and on Ctrl-C.
                unsaved.extend(results.iter().cloned());
                if unsaved.len() >= 5_000 || last_save.elapsed() >= Duration::from_millis(500) {
                    save(&mut journal, run_id, &mut unsaved)?;
                    last_save = Instant::now();
                }
                for r in &results {
                    let (ty, id) = describe(r.row);
                    stats.attempt(r, ty, id);
                    if matches!(r.outcome, Outcome::Failed | Outcome::Timeout) && !stop.is_cancelled() {
                        progress.suspend(|| {
                            note(&format!(
                                "failed: {} {} (chunk {}, attempt {}): {}{}",
                                ty.unwrap_or("?"),
                                id.unwrap_or("?"),
                                chunk.seq,
                                r.attempt,
                                match r.outcome {
                                    Outcome::Timeout => "killed after --timeout".to_string(),
                                    _ => r.status.map(|s| format!("exit {s}")).unwrap_or_else(|| "no exit status".into()),
                                },
                                r.stderr_head.lines().next().map(|l| format!(": {l}")).unwrap_or_default()
                            ))
                        });
                    }
                }
                let requeue = results.iter().filter(|r| r.outcome == Outcome::Requeued).count();
                if requeue > 0 && attempt <= args.max_redeliveries && !stop.is_cancelled() {
                    stats.requeued_chunks += 1;
                    progress.suspend(|| {
                        note(&format!(
                            "requeue: chunk {} ({} event(s) exited 75); delivering the whole chunk again in {} (attempt {} of {})",
                            chunk.seq,
                            requeue,
                            humantime::format_duration(args.requeue_delay),
                            attempt + 1,
                            args.max_redeliveries + 1
                        ))
                    });
                    tokio::select! {
                        _ = tokio::time::sleep(args.requeue_delay) => {}
                        _ = stop.cancelled() => {}
                    }
                    if !stop.is_cancelled() {
                        attempt += 1;
                        continue;
                    }
                }
                for r in &results {
                    let (ty, id) = describe(r.row);
                    stats.last(r, ty, id);
                }
                progress.inc(results.len() as u64);
                break;
            }
            if stop.is_cancelled() {
                break;
            }
        }
        Ok(())
    }
    .await;
    progress.finish_and_clear();
    save(&mut journal, run_id, &mut unsaved)?;
    if let Some(handler) = stream.as_mut() {
        handler.finish(settings.grace).await;
    }
    drop(chunks);
    let interrupted = stop.is_cancelled();
    journal.finish_run(
        run_id,
        if interrupted {
            "interrupted"
        } else if outcome.is_err() {
            "failed"
        } else {
            "done"
        },
    )?;
    outcome?;
    let failed = stats.failed();
    let report = stats.report(run_id, &command, options, interrupted);
    print_summary(&report, started.elapsed());
    if let Some(file) = &args.report {
        std::fs::write(file, serde_json::to_string_pretty(&report)? + "\n")
            .with_context(|| format!("writing {}", file.display()))?;
    }
    // The report goes to stdout only when asked for: replay's work is what the handler did.
    match (g.output, format) {
        (Some(_), OutputFormat::Json) => output::json(&report),
        (Some(_), OutputFormat::Ndjson) => output::ndjson(&report),
        _ => {}
    }
    Ok(if interrupted {
        Exit::Interrupted
    } else if failed > 0 {
        Exit::Failed
    } else {
        Exit::Success
    })
}

/// Writes pending results to the journal in one transaction.
fn save(journal: &mut Journal, run: i64, results: &mut Vec<RunResult>) -> Result<(), JournalError> {
    let rows: Vec<ResultRow> = results
        .iter()
        .map(|r| ResultRow {
            event_row: r.row,
            attempt: r.attempt,
            outcome: r.outcome.as_str(),
            exit_status: r.status,
            duration_ms: millis(r.duration),
            stdout_head: &r.stdout_head,
            stderr_head: &r.stderr_head,
        })
        .collect();
    journal.store_results(run, &rows)?;
    results.clear();
    Ok(())
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() || output::quiet() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} events · {per_sec} · eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The end-of-run table, for the human: stderr (not with `-q`).
fn print_summary(r: &Report, elapsed: Duration) {
    if output::quiet() {
        return;
    }
    note(&format!(
        "replay run {}: {} event(s), {} handler run(s), {} chunk re-queue(s) in {:.1}s{}",
        r.run,
        r.events,
        r.attempts,
        r.requeued_chunks,
        elapsed.as_secs_f64(),
        if r.interrupted { " (interrupted)" } else { "" }
    ));
    // Columns for the outcomes that happened; "still 75" is an event that asked for a re-queue
    // on its last allowed delivery.
    let all = [
        ("handled", "HANDLED"),
        ("failed", "FAILED"),
        ("timeout", "TIMEOUT"),
        ("requeued", "STILL 75"),
        ("interrupted", "INTERRUPTED"),
    ];
    let shown: Vec<(&str, &str)> = all
        .into_iter()
        .filter(|(o, _)| *o == "handled" || r.outcomes.get(o).is_some_and(|n| *n > 0))
        .collect();
    let outcomes: Vec<&str> = shown.iter().map(|(o, _)| *o).collect();
    let mut header = vec!["TYPE"];
    header.extend(shown.iter().map(|(_, h)| *h));
    let mut t = output::table(&header);
    for (ty, counts) in &r.by_type {
        let mut row = vec![if ty.is_empty() {
            "(none)".to_string()
        } else {
            ty.clone()
        }];
        row.extend(
            outcomes
                .iter()
                .map(|o| counts.get(o).copied().unwrap_or(0).to_string()),
        );
        t.add_row(row);
    }
    let mut total = vec!["all".to_string()];
    total.extend(
        outcomes
            .iter()
            .map(|o| r.outcomes.get(o).copied().unwrap_or(0).to_string()),
    );
    t.add_row(total);
    eprintln!("{t}");
    eprintln!(
        "handler time: p50 {} ms, p95 {} ms, max {} ms",
        r.duration_ms.p50, r.duration_ms.p95, r.duration_ms.max
    );
    if !r.slowest.is_empty() {
        let list: Vec<String> = r
            .slowest
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} ms",
                    s.event_type.as_deref().unwrap_or("?"),
                    s.event_id.as_deref().unwrap_or("?"),
                    s.millis
                )
            })
            .collect();
        eprintln!("slowest: {}", list.join(", "));
    }
    let failed: u64 = ["failed", "timeout", "requeued"]
        .iter()
        .map(|k| r.outcomes.get(k).copied().unwrap_or(0))
        .sum();
    if failed > 0 {
        eprintln!("{failed} event(s) not handled; deliver them again with `feedctl replay --rerun-failed {} --exec ...`", r.run);
    }
}

fn dry_run(journal: &Journal, sel: &Selection, format: OutputFormat) -> Result<Exit> {
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
            output::line(t);
        }
        OutputFormat::Json => output::json(&rows),
        OutputFormat::Ndjson => rows.iter().for_each(output::ndjson),
    }
    note(&format!(
        "dry run: would deliver {} event(s) in {} chunk(s)",
        rows.len(),
        chunks.len()
    ));
    Ok(Exit::Success)
}
