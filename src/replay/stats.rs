//! The end-of-run summary: counts by outcome and type, duration percentiles, the slowest events.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::{Outcome, RunResult};

/// A final result per event (its last attempt), and every attempt's duration.
#[derive(Default)]
pub struct Stats {
    /// Every handler run's duration, in the same memory at any number of events.
    durations: Durations,
    /// Counts by [`Outcome`] (its index in [`OUTCOMES`]), and by type and outcome: arrays,
    /// made maps for the report, because a map entry per outcome per event showed in profiles.
    by_outcome: [u64; OUTCOMES.len()],
    by_type: BTreeMap<String, [u64; OUTCOMES.len()]>,
    slowest: Vec<Slow>,
    failures: Vec<Failure>,
    pub attempts: u64,
    pub requeued_chunks: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Slow {
    pub row: i64,
    #[serde(rename = "eventId")]
    pub event_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub attempt: u32,
    pub millis: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub row: i64,
    #[serde(rename = "eventId")]
    pub event_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub outcome: Outcome,
    pub status: Option<i32>,
    pub stderr: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub run: i64,
    pub command: String,
    pub options: serde_json::Value,
    pub events: u64,
    pub attempts: u64,
    #[serde(rename = "requeuedChunks")]
    pub requeued_chunks: u64,
    pub outcomes: BTreeMap<&'static str, u64>,
    #[serde(rename = "byType")]
    pub by_type: BTreeMap<String, BTreeMap<&'static str, u64>>,
    #[serde(rename = "durationMs")]
    pub duration_ms: Percentiles,
    /// The summary's histogram: handler runs by duration, in buckets of powers of two.
    #[serde(rename = "durationHistogram")]
    pub duration_histogram: Vec<Bucket>,
    pub slowest: Vec<Slow>,
    pub failures: Vec<Failure>,
    pub interrupted: bool,
}

/// Handler run durations in milliseconds. `p95` stays for the reports read before p90 and p99
/// were added.
#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub p50: u64,
    pub p90: u64,
    pub p95: u64,
    pub p99: u64,
    pub max: u64,
}

/// Handler runs that took `from_ms..=to_ms` milliseconds: a bar of the summary's histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    #[serde(rename = "fromMs")]
    pub from_ms: u64,
    #[serde(rename = "toMs")]
    pub to_ms: u64,
    pub count: u64,
}

/// The longest duration told apart (about 49 days); longer runs count as this long.
const LONGEST_MS: u64 = u32::MAX as u64;

/// Every handler run's duration in an HDR histogram (the `hdrhistogram` crate): fixed memory
/// (about 180 KiB) however many events a run has, where a Vec of durations grew by one per
/// handler run. Three significant digits: exact up to 2,047 ms, within 0.1% above.
pub struct Durations {
    hist: Histogram<u64>,
    /// The longest run, exactly.
    max: u64,
}

impl Default for Durations {
    fn default() -> Self {
        Durations {
            // Constant, valid bounds (1 ..= LONGEST_MS, 3 digits): this cannot fail.
            hist: Histogram::new_with_max(LONGEST_MS, 3).expect("valid histogram bounds"),
            max: 0,
        }
    }
}

impl Durations {
    pub fn record(&mut self, ms: u64) {
        self.hist.saturating_record(ms);
        self.max = self.max.max(ms);
    }

    pub fn percentiles(&self) -> Percentiles {
        let at = |q: f64| self.hist.value_at_quantile(q).min(self.max);
        Percentiles {
            p50: at(0.5),
            p90: at(0.9),
            p95: at(0.95),
            p99: at(0.99),
            max: self.max,
        }
    }

    /// Counts by powers of two: 0 ms, 1 ms, 2-3 ms, 4-7 ms, … from the shortest run's bucket
    /// to the longest's (at most 33 buckets; empty ones between are kept, so the shape shows).
    pub fn buckets(&self) -> Vec<Bucket> {
        if self.hist.is_empty() {
            return Vec::new();
        }
        let slot = |ms: u64| -> usize {
            match ms {
                0 => 0,
                _ => 64 - ms.leading_zeros() as usize,
            }
        };
        let bounds = |i: usize| -> (u64, u64) {
            match i {
                0 => (0, 0),
                _ => (1 << (i - 1), (1u64 << i) - 1),
            }
        };
        let mut counts = [0u64; 65];
        for v in self.hist.iter_recorded() {
            counts[slot(self.hist.lowest_equivalent(v.value_iterated_to()))] += v.count_at_value();
        }
        let first = counts.iter().position(|n| *n > 0).unwrap_or(0);
        let last = counts.iter().rposition(|n| *n > 0).unwrap_or(0);
        (first..=last)
            .map(|i| {
                let (from_ms, to_ms) = bounds(i);
                Bucket {
                    from_ms,
                    to_ms,
                    count: counts[i],
                }
            })
            .collect()
    }
}

/// Every outcome, in the order of [`Stats`]' counts.
const OUTCOMES: [Outcome; 5] = [
    Outcome::Handled,
    Outcome::Requeued,
    Outcome::Failed,
    Outcome::Timeout,
    Outcome::Interrupted,
];

/// Where `outcome` is counted.
fn index(outcome: Outcome) -> usize {
    OUTCOMES.iter().position(|o| *o == outcome).unwrap_or(0)
}

/// Counts as the report shows them: only the outcomes that happened, by name.
fn named(counts: &[u64; OUTCOMES.len()]) -> BTreeMap<&'static str, u64> {
    OUTCOMES
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(o, n)| (o.as_str(), *n))
        .collect()
}

const SLOWEST: usize = 5;
const FAILURES_KEPT: usize = 100;

impl Stats {
    /// Counts one handler run (every attempt counts towards durations).
    pub fn attempt(&mut self, r: &RunResult, event_type: Option<&str>, event_id: Option<&str>) {
        self.attempts += 1;
        let ms = r.duration.as_millis().min(LONGEST_MS as u128) as u32;
        self.durations.record(ms as u64);
        if self.slowest.len() < SLOWEST || self.slowest.last().is_some_and(|s| s.millis < ms as u64)
        {
            self.slowest.push(Slow {
                row: r.row,
                event_id: event_id.map(str::to_string),
                event_type: event_type.map(str::to_string),
                attempt: r.attempt,
                millis: ms as u64,
            });
            self.slowest.sort_by_key(|s| std::cmp::Reverse(s.millis));
            self.slowest.truncate(SLOWEST);
        }
    }

    /// Counts an event's final outcome.
    pub fn last(&mut self, r: &RunResult, event_type: Option<&str>, event_id: Option<&str>) {
        let outcome = index(r.outcome);
        self.by_outcome[outcome] += 1;
        // Looked up before inserting: a type's name is copied once, not once per event.
        let ty = event_type.unwrap_or("");
        let counts = match self.by_type.get_mut(ty) {
            Some(c) => c,
            None => self.by_type.entry(ty.to_string()).or_default(),
        };
        counts[outcome] += 1;
        if matches!(
            r.outcome,
            Outcome::Failed | Outcome::Timeout | Outcome::Requeued
        ) && self.failures.len() < FAILURES_KEPT
        {
            self.failures.push(Failure {
                row: r.row,
                event_id: event_id.map(str::to_string),
                event_type: event_type.map(str::to_string),
                outcome: r.outcome,
                status: r.status,
                stderr: r.stderr_head.clone(),
            });
        }
    }

    pub fn events(&self) -> u64 {
        self.by_outcome.iter().sum()
    }

    /// Events whose final outcome is a failure (a failed status, a timeout, or re-queues used up).
    pub fn failed(&self) -> u64 {
        [Outcome::Failed, Outcome::Timeout, Outcome::Requeued]
            .iter()
            .map(|o| self.by_outcome[index(*o)])
            .sum()
    }

    pub fn percentiles(&self) -> Percentiles {
        self.durations.percentiles()
    }

    pub fn report(
        self,
        run: i64,
        command: &str,
        options: serde_json::Value,
        interrupted: bool,
    ) -> Report {
        let duration_ms = self.percentiles();
        Report {
            run,
            command: command.to_string(),
            options,
            events: self.events(),
            attempts: self.attempts,
            requeued_chunks: self.requeued_chunks,
            outcomes: named(&self.by_outcome),
            by_type: self
                .by_type
                .iter()
                .map(|(t, c)| (t.clone(), named(c)))
                .collect(),
            duration_ms,
            duration_histogram: self.durations.buckets(),
            slowest: self.slowest,
            failures: self.failures,
            interrupted,
        }
    }
}

pub fn millis(d: Duration) -> u64 {
    d.as_millis() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_buckets_of_known_durations() {
        let mut d = Durations::default();
        for ms in [0, 1, 2, 3, 3, 5, 9, 9, 9, 700] {
            d.record(ms);
        }
        let p = d.percentiles();
        assert_eq!((p.p50, p.p90, p.p99, p.max), (3, 9, 700, 700));
        let b: Vec<(u64, u64, u64)> = d
            .buckets()
            .iter()
            .map(|b| (b.from_ms, b.to_ms, b.count))
            .collect();
        assert_eq!(
            b[..5],
            [(0, 0, 1), (1, 1, 1), (2, 3, 3), (4, 7, 1), (8, 15, 3)]
        );
        assert_eq!(b.last(), Some(&(512, 1023, 1)));
        assert_eq!(b.iter().map(|b| b.2).sum::<u64>(), 10);
        assert!(Durations::default().buckets().is_empty());
    }

    #[test]
    fn memory_stays_the_same_however_many_runs_are_counted() {
        let fresh = Durations::default();
        let mut d = Durations::default();
        for i in 0..1_000_000u64 {
            d.record(i % 100_000);
        }
        // The counts array is sized once, at creation, for every duration it can tell apart.
        assert_eq!(d.hist.distinct_values(), fresh.hist.distinct_values());
        assert_eq!(d.hist.len(), 1_000_000);
    }

    #[test]
    fn a_long_run_is_counted_as_the_longest_and_its_max_is_exact() {
        let mut d = Durations::default();
        d.record(5_000_001);
        d.record(u64::MAX);
        assert_eq!(d.percentiles().max, u64::MAX);
        assert!(d.percentiles().p50 >= 5_000_000);
    }
}
