//! The end-of-run summary: counts by outcome and type, duration percentiles, the slowest events.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::{Outcome, RunResult};

/// A final result per event (its last attempt), and every attempt's duration.
#[derive(Default)]
pub struct Stats {
    /// Millisecond durations of every handler run (for percentiles).
    durations: Vec<u32>,
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
    pub slowest: Vec<Slow>,
    pub failures: Vec<Failure>,
    pub interrupted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub p50: u64,
    pub p95: u64,
    pub max: u64,
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
        let ms = r.duration.as_millis().min(u32::MAX as u128) as u32;
        self.durations.push(ms);
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

    pub fn percentiles(&mut self) -> Percentiles {
        self.durations.sort_unstable();
        let at = |q: f64| -> u64 {
            if self.durations.is_empty() {
                return 0;
            }
            let i = ((self.durations.len() as f64 - 1.0) * q).round() as usize;
            self.durations[i] as u64
        };
        Percentiles {
            p50: at(0.5),
            p95: at(0.95),
            max: self.durations.last().copied().unwrap_or(0) as u64,
        }
    }

    pub fn report(
        mut self,
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
            slowest: self.slowest,
            failures: self.failures,
            interrupted,
        }
    }
}

pub fn millis(d: Duration) -> u64 {
    d.as_millis() as u64
}
