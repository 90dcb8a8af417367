//! How a source's events read beyond the envelope's columns ([`super::FeedEvent`]): a line for
//! a human, `--format` names of the source's own, where dotted paths start. Each source says it
//! once (`output/` does it for the three built in, with colours); a source with nothing to add
//! gets a line of its columns and paths into its JSON.

use std::borrow::Cow;

use serde_json::Value;

use super::{Cursor, FeedEvent};

/// Where an event came from, for envelopes, lines and templates.
pub struct Delivery<'a> {
    /// The chunk's partition (`datafeed`, a stream key, a channel).
    pub partition: &'a str,
    pub chunk: u64,
    pub received_at: i64,
    /// Where the partition stood after the chunk (Symphony's feed id is in it).
    pub cursor: &'a Cursor,
}

pub trait Shown: FeedEvent {
    /// `--format` names of this source's own, beyond the names every source has.
    const OWN_FIELDS: &'static [&'static str] = &[];

    /// One readable line, terminal-safe; `None`: the line of its columns.
    fn pretty(&self, _d: &Delivery) -> Option<String> {
        None
    }

    /// The value of one of [`Shown::OWN_FIELDS`].
    fn own_field(&self, _name: &str, _d: &Delivery) -> String {
        String::new()
    }

    /// Whether `who` (a user id or name) started the event (`--initiator`).
    fn initiated_by(&self, _who: &str) -> bool {
        false
    }

    /// Where a dotted `--format` path starts: the event's JSON.
    fn path_root(&self) -> Option<Cow<'_, Value>> {
        serde_json::from_slice(self.raw()).ok().map(Cow::Owned)
    }
}
