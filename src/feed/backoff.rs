//! Capped exponential backoff with jitter, configured like the kits' `datafeed.retry`.

use std::time::Duration;

use rand::Rng;

use crate::config::Retry;

/// The longest `Retry-After` honoured (or `maxIntervalMillis`, when that is longer): a server
/// that asks for hours (a misconfigured proxy) would leave the run asleep without a word.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(300);

/// Counts failed attempts of one call; a success starts the count again.
#[derive(Debug, Clone)]
pub struct Backoff {
    retry: Retry,
    failures: u32,
}

impl Backoff {
    pub fn new(retry: Retry) -> Self {
        Backoff { retry, failures: 0 }
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failed attempts since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Records a failure and returns how long to wait before the next attempt, or `None` when
    /// `maxAttempts` is used up. A server's `Retry-After` is honoured when it asks for longer.
    pub fn next_wait(&mut self, retry_after: Option<Duration>) -> Option<Duration> {
        self.failures += 1;
        let max_attempts = self.retry.max_attempts;
        if max_attempts >= 0 && i64::from(self.failures) >= max_attempts.max(1) {
            return None;
        }
        let exp = self
            .retry
            .multiplier
            .powi(self.failures.saturating_sub(1).min(64) as i32);
        let base = self.retry.initial_interval.as_secs_f64() * exp;
        let capped = base.min(self.retry.max_interval.as_secs_f64());
        // ±20 % jitter, so many clients that failed together do not retry together.
        let jittered = capped * rand::thread_rng().gen_range(0.8..=1.2);
        let wait = Duration::from_secs_f64(jittered.min(self.retry.max_interval.as_secs_f64()));
        Some(match retry_after {
            Some(ra) if ra > wait => ra.min(self.retry.max_interval.max(RETRY_AFTER_CAP)),
            _ => wait,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(max_attempts: i64) -> Retry {
        Retry {
            max_attempts,
            initial_interval: Duration::from_millis(500),
            multiplier: 2.0,
            max_interval: Duration::from_secs(4),
        }
    }

    #[test]
    fn grows_and_caps_with_jitter() {
        let mut b = Backoff::new(retry(-1));
        let waits: Vec<f64> = (0..8)
            .map(|_| b.next_wait(None).unwrap().as_secs_f64())
            .collect();
        let bases = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0];
        for (w, base) in waits.iter().zip(bases) {
            assert!(
                *w >= base * 0.8 - 1e-9 && *w <= (base * 1.2).min(4.0) + 1e-9,
                "{w} vs {base}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        let mut b = Backoff::new(retry(-1));
        assert_eq!(
            b.next_wait(Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2)),
            "longer than the backoff's 0.5 s: honoured"
        );
        assert_eq!(
            b.next_wait(Some(Duration::from_secs(3600))),
            Some(RETRY_AFTER_CAP),
            "an hour is cut to the cap"
        );
        let mut long = retry(-1);
        long.max_interval = Duration::from_secs(600);
        assert_eq!(
            Backoff::new(long).next_wait(Some(Duration::from_secs(3600))),
            Some(Duration::from_secs(600)),
            "a longer maxInterval is the cap"
        );
    }

    #[test]
    fn max_attempts_counts_the_first_try() {
        let mut b = Backoff::new(retry(3));
        assert!(b.next_wait(None).is_some());
        assert!(b.next_wait(None).is_some());
        assert!(
            b.next_wait(None).is_none(),
            "3 attempts in all: the first and two retries"
        );
    }

    #[test]
    fn honours_retry_after() {
        let mut b = Backoff::new(retry(-1));
        assert_eq!(
            b.next_wait(Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
    }
}
