//! `consume requeue`: dead letters back into their stream after a fix. Each letter's original
//! fields are written (XADD, as a new entry) before the letter is deleted (XDEL), so a failure
//! in between at worst leaves a letter that was also requeued, never one that was lost.

use crate::feed::SourceError;
use crate::redis::StreamUrl;

use super::dead;
use super::group::Group;
use super::Notify;

/// Letters moved per round trip.
const BATCH: usize = 500;

#[derive(Debug, Default, serde::Serialize)]
pub struct Requeued {
    /// Letters written back and deleted from the dead-letter stream.
    pub moved: u64,
    /// Entries of the dead-letter stream that are not feedctl's dead letters (left alone).
    pub skipped: u64,
    /// The streams written to.
    pub streams: Vec<String>,
}

/// Moves up to `count` letters of `dead_url`'s stream into `to` (else each letter's own stream).
pub async fn requeue(
    dead_url: &StreamUrl,
    to: Option<&str>,
    count: Option<u64>,
    notify: &dyn Notify,
) -> Result<Requeued, SourceError> {
    let mut g = Group::connect(dead_url, "", "").await?;
    let dead_key = dead_url.key.clone();
    let mut done = Requeued::default();
    let mut start = "-".to_string();
    loop {
        let room = match count {
            Some(n) if done.moved >= n => break,
            Some(n) => ((n - done.moved) as usize).min(BATCH),
            None => BATCH,
        };
        let got = g.range(&dead_key, &start, room).await?;
        let Some(last) = got.last() else { break };
        start = format!("({}", last.id);
        let mut by_target: Vec<(String, Vec<dead::Pairs>, Vec<String>)> = Vec::new();
        for e in got {
            let Some(letter) = e.pairs.as_ref().and_then(dead::read) else {
                done.skipped += 1;
                continue;
            };
            let Some(target) = to.map(str::to_string).or(letter.stream) else {
                done.skipped += 1;
                continue;
            };
            match by_target.iter_mut().find(|(t, _, _)| *t == target) {
                Some((_, pairs, ids)) => {
                    pairs.push(letter.original);
                    ids.push(e.id);
                }
                None => by_target.push((target, vec![letter.original], vec![e.id])),
            }
        }
        for (target, pairs, ids) in by_target {
            g.add_all(&target, &pairs).await?;
            g.delete(&dead_key, &ids).await?;
            done.moved += ids.len() as u64;
            if !done.streams.contains(&target) {
                notify.notice(&format!(
                    "requeue: writing dead letters back into `{target}`"
                ));
                done.streams.push(target);
            }
        }
    }
    Ok(done)
}
