//! Fault injection: rules like `read:500x3` that make serve misbehave on purpose, so clients'
//! error handling can be tested. The grammar is documented in `docs/faults.md`.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The calls a rule can target.
pub const TARGETS: &[&str] = &[
    "login",
    "relay",
    "sessioninfo",
    "info",
    "list",
    "create",
    "delete",
    "read",
    "message",
    "any",
];

#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer with this HTTP status and a V2Error body (429 also gets `Retry-After: 1`).
    Status(u16),
    /// Never answer; the client has to give up.
    Hang,
    /// Send a 200 head, then break the connection before any body.
    Reset,
    /// Close the connection before any response head: a dropped TCP connection.
    Drop,
    /// Send part of a body, then break the connection.
    Truncate,
    /// Answer 200 with a body that is not JSON.
    Garbage,
    /// Deliver each event of the read twice.
    Duplicate,
    /// Deliver the events of the read in a shuffled order.
    Reorder,
}

impl FaultKind {
    /// Faults the read handler applies itself (it needs the events); the rest replace the answer.
    pub fn shapes_events(&self) -> bool {
        matches!(self, FaultKind::Duplicate | FaultKind::Reorder)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::Status(s) => write!(f, "{s}"),
            FaultKind::Hang => f.write_str("hang"),
            FaultKind::Reset => f.write_str("reset"),
            FaultKind::Drop => f.write_str("drop"),
            FaultKind::Truncate => f.write_str("truncate"),
            FaultKind::Garbage => f.write_str("garbage"),
            FaultKind::Duplicate => f.write_str("duplicate"),
            FaultKind::Reorder => f.write_str("reorder"),
        }
    }
}

/// `TARGET:KIND[+SKIP][xCOUNT|x*][@PROBABILITY]`.
#[derive(Debug)]
pub struct FaultRule {
    pub text: String,
    pub target: String,
    pub kind: FaultKind,
    /// Matching calls to let through before the rule starts.
    pub skip: u64,
    /// How many times it fires; `None` is without limit.
    pub count: Option<u64>,
    /// Fire on each eligible call with this probability (else on every one).
    pub probability: Option<f64>,
    seen: AtomicU64,
    fired: AtomicU64,
}

impl FromStr for FaultRule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!("bad fault `{text}`: {why}; expected TARGET:KIND[+SKIP][xCOUNT][@PROB], e.g. read:500x3 or read:reset@0.2 (see docs/faults.md)")
        };
        if text.trim().is_empty() {
            return Err(bad("the rule is empty"));
        }
        let (target, rest) = text.split_once(':').ok_or_else(|| bad("missing `:`"))?;
        let target = target.trim().to_ascii_lowercase();
        if !TARGETS.contains(&target.as_str()) {
            return Err(bad(&format!(
                "unknown target `{target}` (one of {})",
                TARGETS.join(", ")
            )));
        }
        let end = rest.find(['+', 'x', '@']).unwrap_or(rest.len());
        let kind = match &rest[..end] {
            "hang" => FaultKind::Hang,
            "reset" => FaultKind::Reset,
            "drop" => FaultKind::Drop,
            "truncate" => FaultKind::Truncate,
            "garbage" => FaultKind::Garbage,
            "duplicate" => FaultKind::Duplicate,
            "reorder" => FaultKind::Reorder,
            code => match code.parse::<u16>() {
                Ok(c) if (400..=599).contains(&c) => FaultKind::Status(c),
                _ => return Err(bad(&format!("unknown kind `{code}` (an HTTP status 400-599, hang, drop, reset, truncate, garbage, duplicate or reorder)"))),
            },
        };
        if kind.shapes_events() && target != "read" && target != "any" {
            return Err(bad(&format!(
                "`{kind}` shapes the events of a read: its target is `read` or `any`, not `{target}`"
            )));
        }
        let mut rest = &rest[end..];
        let (mut skip, mut count, mut probability, mut explicit_count) = (0, Some(1), None, false);
        let mut given = String::new();
        while !rest.is_empty() {
            let (mark, tail) = rest.split_at(1);
            let end = tail.find(['+', 'x', '@']).unwrap_or(tail.len());
            let value = &tail[..end];
            if given.contains(mark) {
                return Err(bad(&format!("`{mark}` is given twice")));
            }
            given.push_str(mark);
            match mark {
                "+" => skip = value.parse().map_err(|_| bad("`+` takes a whole number"))?,
                "x" if value == "*" => {
                    count = None;
                    explicit_count = true;
                }
                "x" => {
                    let n: u64 = value
                        .parse()
                        .map_err(|_| bad("`x` takes a whole number or `*`"))?;
                    if n == 0 {
                        return Err(bad(
                            "`x0` would never fire; `x` takes a count of at least 1, or `*`",
                        ));
                    }
                    count = Some(n);
                    explicit_count = true;
                }
                "@" => {
                    let p: f64 = value
                        .parse()
                        .map_err(|_| bad("`@` takes a probability between 0 and 1"))?;
                    if !(0.0..=1.0).contains(&p) {
                        return Err(bad("`@` takes a probability between 0 and 1"));
                    }
                    probability = Some(p);
                }
                _ => unreachable!(),
            }
            rest = &tail[end..];
        }
        // A probability without a count applies for as long as serve runs.
        if probability.is_some() && !explicit_count {
            count = None;
        }
        Ok(FaultRule {
            text: text.to_string(),
            target,
            kind,
            skip,
            count,
            probability,
            seen: AtomicU64::new(0),
            fired: AtomicU64::new(0),
        })
    }
}

/// All the rules of one serve, with the seeded random source they share.
pub struct Faults {
    rules: Vec<FaultRule>,
    rng: Mutex<StdRng>,
}

impl Faults {
    pub fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Faults {
            rules,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// The faults for one call of `target`: one that replaces the answer, and one that shapes
    /// the events of a read. Every rule for the target counts the call, whether or not another
    /// rule fires, so `+SKIP` always means "after that many calls"; the first eligible rule of
    /// each kind fires.
    pub fn pick(&self, target: &str) -> (Option<FaultKind>, Option<FaultKind>) {
        let (mut replace, mut shape) = (None, None);
        for rule in &self.rules {
            if rule.target != target && rule.target != "any" {
                continue;
            }
            let seen = rule.seen.fetch_add(1, Ordering::SeqCst);
            let slot = if rule.kind.shapes_events() {
                &mut shape
            } else {
                &mut replace
            };
            if slot.is_some() || seen < rule.skip {
                continue;
            }
            if let Some(max) = rule.count {
                if rule.fired.load(Ordering::SeqCst) >= max {
                    continue;
                }
            }
            if let Some(p) = rule.probability {
                let roll: f64 = self.rng.lock().map(|mut r| r.gen()).unwrap_or(1.0);
                if roll >= p {
                    continue;
                }
            }
            rule.fired.fetch_add(1, Ordering::SeqCst);
            *slot = Some(rule.kind.clone());
        }
        (replace, shape)
    }

    /// Shuffles with the shared seeded source, for `reorder`.
    pub fn shuffle<T>(&self, items: &mut [T]) {
        if let Ok(mut rng) = self.rng.lock() {
            for i in (1..items.len()).rev() {
                let j = rng.gen_range(0..=i);
                items.swap(i, j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let r: FaultRule = "read:500x3".parse().unwrap();
        assert_eq!(
            (r.target.as_str(), r.kind.clone(), r.skip, r.count),
            ("read", FaultKind::Status(500), 0, Some(3))
        );
        let r: FaultRule = "login:401".parse().unwrap();
        assert_eq!(r.count, Some(1));
        let r: FaultRule = "read:reset+2x*".parse().unwrap();
        assert_eq!(
            (r.kind.clone(), r.skip, r.count),
            (FaultKind::Reset, 2, None)
        );
        let r: FaultRule = "read:drop+1".parse().unwrap();
        assert_eq!((r.kind.clone(), r.skip), (FaultKind::Drop, 1));
        let r: FaultRule = "read:garbage@0.25".parse().unwrap();
        assert_eq!((r.probability, r.count), (Some(0.25), None));
        for bad in [
            "read",
            "nowhere:500",
            "read:200",
            "read:boom",
            "read:500xq",
            "read:500@2",
        ] {
            assert!(bad.parse::<FaultRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn skip_and_count_schedule() {
        let f = Faults::new(vec!["read:503+1x2".parse().unwrap()], 1);
        let fired: Vec<bool> = (0..5).map(|_| f.pick("read").0.is_some()).collect();
        assert_eq!(fired, [false, true, true, false, false]);
        assert!(f.pick("login").0.is_none());
    }

    #[test]
    fn every_rule_counts_every_call() {
        let f = Faults::new(
            vec![
                "read:500+1".parse().unwrap(),
                "read:duplicate+2".parse().unwrap(),
                "read:503+2".parse().unwrap(),
            ],
            1,
        );
        let picks: Vec<_> = (0..4).map(|_| f.pick("read")).collect();
        assert_eq!(picks[0], (None, None));
        assert_eq!(picks[1], (Some(FaultKind::Status(500)), None));
        assert_eq!(
            picks[2],
            (Some(FaultKind::Status(503)), Some(FaultKind::Duplicate))
        );
        assert_eq!(picks[3], (None, None));
    }
}
