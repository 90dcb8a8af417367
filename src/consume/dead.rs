//! The dead-letter entry: what went wrong first, then the original fields unchanged.
//!
//! `dead.id`, `dead.stream`, `dead.group`, `dead.reason`, `dead.worker`, `dead.exit_status`
//! (empty after a timeout or when the handler never ran), `dead.attempts`, `dead.at` (RFC 3339),
//! `dead.stderr` (the start of the last attempt's stderr), `dead.fields` (how many original
//! pairs follow), then the original pairs in their order, byte for byte. `requeue` writes
//! exactly the last `dead.fields` pairs back, whatever their names.

pub use super::reply::Pairs;

/// The metadata of one dead letter.
#[derive(Debug, Clone)]
pub struct Reason {
    pub id: String,
    pub reason: String,
    pub exit_status: Option<i32>,
    pub attempts: i64,
    pub stderr: String,
}

/// The fields of the dead-letter entry for `r`, with the original `pairs` after the metadata.
pub fn letter(stream: &str, group: &str, worker: &str, r: &Reason, pairs: &Pairs) -> Pairs {
    let at = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    let mut out: Pairs = [
        ("dead.id", r.id.clone()),
        ("dead.stream", stream.to_string()),
        ("dead.group", group.to_string()),
        ("dead.reason", r.reason.clone()),
        ("dead.worker", worker.to_string()),
        (
            "dead.exit_status",
            r.exit_status.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("dead.attempts", r.attempts.to_string()),
        ("dead.at", at),
        ("dead.stderr", r.stderr.clone()),
        ("dead.fields", pairs.len().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.as_bytes().to_vec(), v.into_bytes()))
    .collect();
    out.extend(pairs.iter().cloned());
    out
}

/// A dead letter read back: where it came from and its original pairs.
#[derive(Debug, Clone)]
pub struct Letter {
    pub stream: Option<String>,
    pub original: Pairs,
}

/// Reads a dead-letter entry; None when it is not one of ours.
pub fn read(pairs: &Pairs) -> Option<Letter> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name.as_bytes())
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    let n: usize = get("dead.fields")?.parse().ok()?;
    let start = pairs.len().checked_sub(n)?;
    Some(Letter {
        stream: get("dead.stream"),
        original: pairs[start..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_pairs_come_back_exactly() {
        let pairs: Pairs = vec![
            (b"dead.fields".to_vec(), b"tricky".to_vec()),
            (b"bin".to_vec(), vec![0xff, 0]),
        ];
        let r = Reason {
            id: "1-0".into(),
            reason: "failed".into(),
            exit_status: Some(3),
            attempts: 5,
            stderr: String::new(),
        };
        let l = letter("k", "g", "w", &r, &pairs);
        let back = read(&l).unwrap();
        assert_eq!(back.original, pairs);
        assert_eq!(back.stream.as_deref(), Some("k"));
    }
}
