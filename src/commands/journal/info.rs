//! `feedctl journal info`: counts by recording, partition, type and stream, the time range,
//! gaps, and (on a terminal) each partition's events over time as a sparkline.

use anyhow::Result;

use crate::cli::OutputFormat;
use crate::exit::Exit;
use crate::journal::{Journal, PartitionSummary, Summary};
use crate::output::{self, chart, Printer};
use crate::text::{counted, counted_as};

/// Rows of the partition, stream and gap tables (and chart) before the rest is left to `-o json`.
const ROWS_SHOWN: usize = 20;
/// Characters of a partition's name in front of its sparkline.
const LABEL: usize = 14;

pub fn info(p: &Printer, format: OutputFormat, path: &std::path::Path) -> Result<Exit> {
    let j = Journal::open_read(path)?;
    let s = j.summary()?;
    match format {
        OutputFormat::Table => table(p, &s)?,
        OutputFormat::Json => p.json(&s)?,
        OutputFormat::Ndjson => p.ndjson(&s)?,
    }
    Ok(Exit::Success)
}

fn table(p: &Printer, s: &Summary) -> Result<()> {
    p.line(format!("journal     {} ({} bytes)", s.path, s.bytes))?;
    p.line(format!(
        "events      {} in {}, {}, {}",
        s.events,
        counted(s.chunks as u64, "chunk"),
        counted_as(
            s.duplicates as u64,
            "repeated delivery",
            "repeated deliveries"
        ),
        counted(s.gaps as u64, "gap"),
    ))?;
    let time = |t: Option<i64>| t.map(output::time).unwrap_or_else(|| "-".into());
    p.line(format!(
        "time range  {} .. {}",
        time(s.first_timestamp),
        time(s.last_timestamp)
    ))?;
    let mut t = output::table(&[
        "RECORDING",
        "SOURCE",
        "CHUNKS",
        "EVENTS",
        "DUPLICATES",
        "GAPS",
    ]);
    for r in &s.recordings {
        t.add_row(vec![
            output::safe(&r.name),
            r.source.clone(),
            r.chunks.to_string(),
            r.events.to_string(),
            r.duplicates.to_string(),
            r.gaps.to_string(),
        ]);
    }
    p.line(t)?;
    // Chunks and duplicates per partition are in -o json: with them the table did not fit 80
    // columns.
    let mut t = output::table(&["RECORDING", "PARTITION", "EVENTS", "GAPS", "RECEIVED"]);
    for part in s.partitions.iter().take(ROWS_SHOWN) {
        t.add_row(vec![
            output::safe(&part.recording),
            output::safe(&part.partition),
            part.events.to_string(),
            gaps(part),
            received(part.first_received_at, part.last_received_at),
        ]);
    }
    p.line(t)?;
    if p.stdout_is_terminal() {
        for line in sparklines(s) {
            p.line(line)?;
        }
    }
    if s.partitions.len() > ROWS_SHOWN {
        p.note(&format!(
            "{}; -o json lists them all",
            counted((s.partitions.len() - ROWS_SHOWN) as u64, "more partition")
        ));
    }
    let mut t = output::table(&["TYPE", "EVENTS"]);
    for (ty, n) in &s.by_type {
        t.add_row(vec![output::safe(ty), n.to_string()]);
    }
    p.line(t)?;
    let mut t = output::table(&["STREAM", "EVENTS"]);
    for (st, n) in s.by_stream.iter().take(ROWS_SHOWN) {
        t.add_row(vec![
            if st.is_empty() {
                "(none)".into()
            } else {
                output::safe(st)
            },
            n.to_string(),
        ]);
    }
    p.line(t)?;
    if s.by_stream.len() > ROWS_SHOWN {
        p.note(&format!(
            "{}; -o json lists them all",
            counted((s.by_stream.len() - ROWS_SHOWN) as u64, "more stream")
        ));
    }
    if !s.gap_list.is_empty() {
        let mut t = output::table(&[
            "RECORDING",
            "PARTITION",
            "AFTER CHUNK",
            "AT",
            "LOST",
            "REASON",
        ]);
        for g in s.gap_list.iter().take(ROWS_SHOWN) {
            t.add_row(vec![
                output::safe(&g.recording),
                output::safe(&g.partition),
                g.after_chunk.to_string(),
                output::time(g.at),
                g.lost.map_or_else(|| "?".into(), |n| n.to_string()),
                output::safe(&g.reason),
            ]);
        }
        p.line(t)?;
        if s.gap_list.len() > ROWS_SHOWN {
            p.note(&format!(
                "{}; -o json lists them all",
                counted((s.gap_list.len() - ROWS_SHOWN) as u64, "more gap")
            ));
        }
        p.note(
            "note: gaps mark where a partition had to restart; events in between may be missing (LOST: how many, where the source counted them; ?: unknown)",
        );
    }
    Ok(())
}

/// A partition's gaps and what they lost, in the GAPS column (a column of its own would not
/// fit 80 columns): `0`, `2 (15 lost)`, `1 (? lost)`, `3 (15+? lost)` when some gaps' losses
/// are unknown.
fn gaps(part: &PartitionSummary) -> String {
    match (part.gaps, part.lost, part.lost_unknown) {
        (0, _, _) => "0".into(),
        (n, lost, 0) => format!("{n} ({lost} lost)"),
        (n, 0, _) => format!("{n} (? lost)"),
        (n, lost, _) => format!("{n} ({lost}+? lost)"),
    }
}

/// When a partition's first and last chunks were received, to the second:
/// `2026-11-22 14:30:00 .. 14:30:03` (the date once when both are on the same day).
fn received(first: Option<i64>, last: Option<i64>) -> String {
    let second = |t: i64| output::time(t).chars().take(19).collect::<String>();
    match (first, last) {
        (Some(f), Some(l)) => {
            let (f, l) = (second(f), second(l));
            match f.get(..10) == l.get(..10) {
                true => format!("{f} .. {}", l.get(11..).unwrap_or(&l)),
                false => format!("{f} .. {l}"),
            }
        }
        _ => "-".into(),
    }
}

/// Each partition's events over time: a heading with the time span and the width of one
/// character, then one row per partition (its name, its sparkline, its busiest bucket as a
/// whole rate), all on the same time axis, within 80 columns.
fn sparklines(s: &Summary) -> Vec<String> {
    let Some(rate) = s.partitions.first().map(|p| &p.rate) else {
        return Vec::new();
    };
    if s.partitions.iter().all(|p| p.events == 0) {
        return Vec::new();
    }
    let width = std::time::Duration::from_millis(rate.width_ms.max(1) as u64);
    let mut lines = vec![format!(
        "events received from {}, {} a character:",
        output::time(rate.start),
        humantime::format_duration(width),
    )];
    let several = s.recordings.len() > 1;
    for part in s.partitions.iter().take(ROWS_SHOWN) {
        let name = match several {
            true => format!("{}/{}", part.recording, part.partition),
            false => part.partition.clone(),
        };
        let label = output::clip(&output::safe(&name), LABEL);
        let peak = part.rate.counts.iter().copied().max().unwrap_or(0);
        let per_sec = peak as f64 * 1000.0 / part.rate.width_ms.max(1) as f64;
        lines.push(format!(
            "  {label:<LABEL$} {} peak {}",
            chart::sparkline(&part.rate.counts),
            whole_rate(per_sec)
        ));
    }
    lines
}

/// A rate as a whole number per second, or per minute or hour when that is below one a second.
fn whole_rate(per_sec: f64) -> String {
    if per_sec >= 1.0 || per_sec == 0.0 {
        format!("{per_sec:.0}/s")
    } else if per_sec * 60.0 >= 1.0 {
        format!("{:.0}/min", per_sec * 60.0)
    } else {
        format!("{:.0}/h", (per_sec * 3600.0).max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::{gaps, whole_rate};
    use crate::journal::{PartitionSummary, Rate};

    #[test]
    fn a_partitions_gaps_say_what_they_lost() {
        let part = |gaps, lost, lost_unknown| PartitionSummary {
            recording: "r".into(),
            kind: "redis".into(),
            partition: "p".into(),
            chunks: 0,
            events: 0,
            duplicates: 0,
            gaps,
            lost,
            lost_unknown,
            first_received_at: None,
            last_received_at: None,
            rate: Rate::default(),
        };
        assert_eq!(gaps(&part(0, 0, 0)), "0");
        assert_eq!(gaps(&part(2, 15, 0)), "2 (15 lost)");
        assert_eq!(gaps(&part(1, 0, 1)), "1 (? lost)");
        assert_eq!(gaps(&part(3, 15, 1)), "3 (15+? lost)");
    }

    #[test]
    fn rates_are_whole_numbers() {
        assert_eq!(whole_rate(33.2923), "33/s");
        assert_eq!(whole_rate(0.0), "0/s");
        assert_eq!(whole_rate(0.5), "30/min");
        assert_eq!(whole_rate(0.001), "4/h");
    }
}
