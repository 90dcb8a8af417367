//! serve's request log: one record per request (never a header, so never a token), kept in
//! memory for in-process tests, and optionally written as NDJSON and echoed on stderr.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoggedRequest {
    pub seq: u64,
    /// Milliseconds since the epoch when the request arrived.
    pub at: i64,
    pub method: String,
    /// The path with ids replaced by `{id}`.
    pub path: String,
    /// The call's target name in the fault grammar (`read`, `login`, ...).
    pub target: String,
    pub status: u16,
    pub millis: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// Ids of the events a read delivered, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<std::sync::Arc<str>>>,
}

/// How many requests are kept in memory (for in-process tests): enough for any test, and small
/// (about 1.5 MiB) for a serve left running for days; the file, when asked for, keeps everything.
const KEPT: usize = 5_000;

pub struct RequestLog {
    entries: Mutex<std::collections::VecDeque<LoggedRequest>>,
    /// Requests logged so far, for `seq`.
    count: std::sync::atomic::AtomicU64,
    file: Option<Mutex<std::fs::File>>,
    echo: bool,
}

impl RequestLog {
    pub fn new(file: Option<&Path>, echo: bool) -> std::io::Result<Self> {
        let file = match file {
            Some(p) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            )),
            None => None,
        };
        Ok(RequestLog {
            entries: Mutex::new(std::collections::VecDeque::new()),
            count: std::sync::atomic::AtomicU64::new(0),
            file,
            echo,
        })
    }

    pub fn push(&self, mut entry: LoggedRequest) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entry.seq = self
            .count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if let Some(file) = &self.file {
            if let (Ok(mut f), Ok(line)) = (file.lock(), serde_json::to_string(&entry)) {
                let _ = writeln!(f, "{line}");
            }
        }
        if self.echo {
            let events = entry
                .events
                .as_ref()
                .map(|e| format!(" {}", crate::text::counted(e.len() as u64, "event")))
                .unwrap_or_default();
            let fault = entry
                .fault
                .as_ref()
                .map(|f| format!(" [fault {f}]"))
                .unwrap_or_default();
            crate::stderr_line!(
                "serve: {} {} -> {} {}ms{events}{fault}",
                entry.method,
                entry.path,
                entry.status,
                entry.millis
            );
        }
        if entries.len() == KEPT {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}
