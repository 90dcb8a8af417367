//! `serve --salesforce --state DIR`: what the emulator keeps across its restarts, as an org
//! keeps it across Salesforce's: each channel's replay ids (they keep increasing), the events
//! still in retention and the access tokens it issued. Two files in DIR:
//!
//! - `salesforce-events.ndjson`: one line per published event, appended as it is published
//!   (`{"channel","replayId","at","raw"}`, `at` in ms since the epoch); rewritten at start and
//!   after an `expire` fault with only what is still retained, so it never grows past the
//!   retention window and [`super::MAX_RETAINED`] events a channel.
//! - `salesforce-meta.json`: each channel's last replay id and the issued tokens, rewritten
//!   (to a new file, then renamed) when a token is issued or revoked and after a fault.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const EVENTS: &str = "salesforce-events.ndjson";
const META: &str = "salesforce-meta.json";

/// One retained event as the files keep it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptEvent {
    pub channel: String,
    #[serde(rename = "replayId")]
    pub replay_id: i64,
    /// When it was published, ms since the epoch (its retention counts from here).
    pub at: i64,
    pub raw: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Meta {
    #[serde(rename = "lastReplayIds")]
    last_ids: BTreeMap<String, i64>,
    tokens: Vec<String>,
}

/// What a previous run left.
#[derive(Debug, Default)]
pub struct Loaded {
    pub last_ids: BTreeMap<String, i64>,
    /// Still in retention, in publishing order.
    pub events: Vec<KeptEvent>,
    pub tokens: Vec<String>,
}

/// The open state directory.
pub struct Store {
    dir: PathBuf,
    events: File,
}

fn failed(what: &str, path: &Path, e: impl std::fmt::Display) -> String {
    format!("--state: cannot {what} {}: {e}", path.display())
}

impl Store {
    /// Opens DIR (made if missing), reads what it holds, keeps only the events published
    /// within `retention` of `now` (ms), and rewrites the events file with them.
    pub fn open(dir: &Path, retention_ms: i64, now: i64) -> Result<(Store, Loaded), String> {
        std::fs::create_dir_all(dir).map_err(|e| failed("create", dir, e))?;
        let meta_path = dir.join(META);
        let meta: Meta = match std::fs::read(&meta_path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                failed(
                    "read",
                    &meta_path,
                    format!("{e}; remove the directory to start a new org"),
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Meta::default(),
            Err(e) => return Err(failed("read", &meta_path, e)),
        };
        let events_path = dir.join(EVENTS);
        let mut loaded = Loaded {
            last_ids: meta.last_ids,
            events: Vec::new(),
            tokens: meta.tokens,
        };
        match File::open(&events_path) {
            Ok(f) => {
                for (n, line) in BufReader::new(f).lines().enumerate() {
                    let line = line.map_err(|e| failed("read", &events_path, e))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    // A line cut by a kill mid-write is the last one: what was not written
                    // whole was never acknowledged to the publisher.
                    let Ok(e) = serde_json::from_str::<KeptEvent>(&line) else {
                        tracing::warn!(
                            "{}: line {} is not whole; dropped",
                            events_path.display(),
                            n + 1
                        );
                        continue;
                    };
                    let last = loaded.last_ids.entry(e.channel.clone()).or_insert(0);
                    *last = (*last).max(e.replay_id);
                    if now - e.at <= retention_ms {
                        loaded.events.push(e);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed("read", &events_path, e)),
        }
        let events = write_events(dir, &loaded.events)?;
        let store = Store {
            dir: dir.to_path_buf(),
            events,
        };
        store.save_meta(&loaded.last_ids, loaded.tokens.iter().map(String::as_str))?;
        Ok((store, loaded))
    }

    /// Appends a published event.
    pub fn append(&mut self, e: &KeptEvent) -> Result<(), String> {
        let mut line = serde_json::to_vec(e).map_err(|e| e.to_string())?;
        line.push(b'\n');
        self.events
            .write_all(&line)
            .map_err(|err| failed("write", &self.dir.join(EVENTS), err))
    }

    /// Rewrites the events file with what is retained now (after an `expire` fault).
    pub fn rewrite(&mut self, retained: &[KeptEvent]) -> Result<(), String> {
        self.events = write_events(&self.dir, retained)?;
        Ok(())
    }

    /// Saves each channel's last replay id and the tokens in force.
    pub fn save_meta<'a>(
        &self,
        last_ids: &BTreeMap<String, i64>,
        tokens: impl Iterator<Item = &'a str>,
    ) -> Result<(), String> {
        let meta = Meta {
            last_ids: last_ids.clone(),
            tokens: tokens.map(str::to_string).collect(),
        };
        let path = self.dir.join(META);
        let tmp = self.dir.join(format!("{META}.new"));
        let bytes = serde_json::to_vec_pretty(&meta).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, bytes).map_err(|e| failed("write", &tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| failed("write", &path, e))
    }
}

/// Writes `events` to a new events file, renames it over the old one, and opens it to append.
fn write_events(dir: &Path, events: &[KeptEvent]) -> Result<File, String> {
    let path = dir.join(EVENTS);
    let tmp = dir.join(format!("{EVENTS}.new"));
    let mut out =
        std::io::BufWriter::new(File::create(&tmp).map_err(|e| failed("write", &tmp, e))?);
    for e in events {
        serde_json::to_writer(&mut out, e).map_err(|e| failed("write", &tmp, e))?;
        out.write_all(b"\n").map_err(|e| failed("write", &tmp, e))?;
    }
    out.flush().map_err(|e| failed("write", &tmp, e))?;
    drop(out);
    std::fs::rename(&tmp, &path).map_err(|e| failed("write", &path, e))?;
    OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| failed("open", &path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_kept_comes_back_and_expired_events_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, loaded) = Store::open(dir.path(), 1000, 10_000).unwrap();
        assert!(loaded.events.is_empty() && loaded.last_ids.is_empty());
        for (id, at) in [(7, 8_000), (8, 9_500)] {
            store
                .append(&KeptEvent {
                    channel: "/topic/X".into(),
                    replay_id: id,
                    at,
                    raw: format!("{{\"n\":{id}}}"),
                })
                .unwrap();
        }
        let mut ids = BTreeMap::new();
        ids.insert("/topic/X".to_string(), 8);
        store.save_meta(&ids, ["t1"].into_iter()).unwrap();
        // A line cut by a kill is dropped, not fatal.
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join(EVENTS))
            .unwrap();
        f.write_all(b"{\"channel\":\"/topic/X\",\"repl").unwrap();
        drop(store);
        let (_, loaded) = Store::open(dir.path(), 1000, 10_000).unwrap();
        assert_eq!(loaded.last_ids["/topic/X"], 8, "the sequence goes on");
        let ids: Vec<i64> = loaded.events.iter().map(|e| e.replay_id).collect();
        assert_eq!(ids, [8], "the event older than the retention is gone");
        assert_eq!(loaded.tokens, ["t1"]);
    }
}
