//! What a human sees of a replay on stderr: the progress bar and notices while it runs (the
//! engine's [`Observer`]), and the end-of-run table. Shared by `replay` and the demo.

use std::sync::OnceLock;
use std::time::Duration;

use indicatif::ProgressBar;

use crate::replay::engine::Observer;
use crate::replay::stats::{Bucket, Report};

use super::{table, Printer};

/// The engine's observer for a terminal: a progress bar (only on a TTY, also with `-q`) that
/// notices are printed around.
pub struct ReplayProgress {
    printer: Printer,
    bar: OnceLock<ProgressBar>,
}

impl ReplayProgress {
    pub fn new(printer: &Printer) -> Self {
        ReplayProgress {
            printer: printer.clone(),
            bar: OnceLock::new(),
        }
    }

    /// Runs `f` with the bar out of the way, so a line never lands inside it.
    fn around(&self, f: impl FnOnce()) {
        match self.bar.get() {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

impl Observer for ReplayProgress {
    fn notice(&self, text: &str) {
        self.around(|| self.printer.note(text));
    }

    fn alert(&self, text: &str) {
        self.around(|| crate::stderr_line!("{text}"));
    }

    fn start(&self, total: u64) {
        let _ = self.bar.set(
            self.printer
                .bar("{bar:30} {pos}/{len} events · {rate} · eta {eta}", total),
        );
    }

    fn progress(&self, done: u64) {
        if let Some(bar) = self.bar.get() {
            bar.inc(done);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// The end-of-run table, for the human: stderr (not with `-q`).
/// `again`: the flags after `--rerun-failed RUN` that deliver the failed events the way this
/// run did (`--exec 'CMD'`, with `--mode stream`; or `--to 'URL'` with its layout), already
/// quoted for a shell ([`shell_quote`]).
pub fn summary(p: &Printer, r: &Report, elapsed: Duration, journal: &std::path::Path, again: &str) {
    if p.quiet() {
        return;
    }
    p.note(&format!(
        "replay run {}: {}, {}, {} in {:.1}s{}",
        r.run,
        crate::text::counted(r.events, "event"),
        crate::text::counted(r.attempts, "handler run"),
        crate::text::counted(r.requeued_chunks, "chunk re-queue"),
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
    let mut t = table(&header);
    for (ty, counts) in &r.by_type {
        let mut row = vec![if ty.is_empty() {
            "(none)".to_string()
        } else {
            super::safe(ty)
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
    crate::stderr_line!("{t}");
    let d = &r.duration_ms;
    crate::stderr_line!(
        "handler time: p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        d.p50,
        d.p90,
        d.p99,
        d.max
    );
    if p.stderr_is_terminal() {
        for line in histogram(&r.duration_histogram) {
            crate::stderr_line!("{line}");
        }
    }
    if !r.slowest.is_empty() {
        let list: Vec<String> = r
            .slowest
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} ms",
                    super::safe(s.event_type.as_deref().unwrap_or("?")),
                    super::safe(s.event_id.as_deref().unwrap_or("?")),
                    s.millis
                )
            })
            .collect();
        crate::stderr_line!("slowest: {}", list.join(", "));
    }
    let failed: u64 = ["failed", "timeout", "requeued"]
        .iter()
        .map(|k| r.outcomes.get(k).copied().unwrap_or(0))
        .sum();
    if failed > 0 {
        // A command the user can paste: the journal and the sink of this run included.
        crate::stderr_line!(
            "{} not handled; deliver them again with `feedctl replay -j {} --rerun-failed {} {again}`",
            crate::text::counted(failed, "event"),
            shell_quote(&journal.display().to_string()),
            r.run,
        );
    }
}

/// Width of the longest bar of the handler-time histogram.
const BAR_WIDTH: usize = 40;

/// The handler-time histogram as lines: `  4-7 ms  ██████▌ 12`, bars scaled to the fullest
/// bucket.
pub fn histogram(buckets: &[Bucket]) -> Vec<String> {
    let most = buckets.iter().map(|b| b.count).max().unwrap_or(0);
    let labels: Vec<String> = buckets
        .iter()
        .map(|b| match b.from_ms == b.to_ms {
            true => format!("{} ms", b.from_ms),
            false => format!("{}-{} ms", b.from_ms, b.to_ms),
        })
        .collect();
    let wide = labels.iter().map(String::len).max().unwrap_or(0);
    buckets
        .iter()
        .zip(&labels)
        .map(|(b, label)| {
            let bar = super::chart::bar(b.count, most, BAR_WIDTH);
            format!("  {label:>wide$}  {bar:<BAR_WIDTH$} {}", b.count)
        })
        .collect()
}

/// `text` as one word for `sh`, in single quotes.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
