//! `--speed original|Nx|max`: how long to wait between chunks.

use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// The gaps between chunks as recorded, divided by the factor (1.0 = original).
    Scaled(f64),
    /// No waiting.
    Max,
}

impl FromStr for Speed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "original" | "1x" => Ok(Speed::Scaled(1.0)),
            "max" => Ok(Speed::Max),
            other => other
                .strip_suffix('x')
                .and_then(|n| n.parse::<f64>().ok())
                .filter(|f| f.is_finite() && *f > 0.0)
                .map(Speed::Scaled)
                .ok_or_else(|| {
                    format!("bad speed `{s}`: expected original, max, or a factor like 2x or 0.5x")
                }),
        }
    }
}

impl Speed {
    /// The wait before a chunk received at `at`, the previous one having been received at `prev`.
    pub fn gap(&self, prev: Option<i64>, at: i64) -> Duration {
        match (self, prev) {
            (Speed::Scaled(f), Some(p)) if at > p => {
                Duration::from_secs_f64((at - p) as f64 / 1000.0 / f)
            }
            _ => Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_scales() {
        assert_eq!(
            "original".parse::<Speed>().unwrap().gap(Some(1000), 4000),
            Duration::from_secs(3)
        );
        assert_eq!(
            "2x".parse::<Speed>().unwrap().gap(Some(1000), 4000),
            Duration::from_millis(1500)
        );
        assert_eq!(
            "max".parse::<Speed>().unwrap().gap(Some(1000), 4000),
            Duration::ZERO
        );
        assert_eq!(
            "original".parse::<Speed>().unwrap().gap(None, 4000),
            Duration::ZERO
        );
        assert!("fast".parse::<Speed>().is_err());
        assert!("0x".parse::<Speed>().is_err());
    }
}
