//! `feedctl tail`: follow a feed live and print events, surviving what a server throws at it.

use std::collections::{HashSet, VecDeque};
use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::{Global, OutputFormat, SourceArgs, TailArgs};
use crate::config::Settings;
use crate::exit::{Exit, Fail};
use crate::feed::{FeedChoice, FollowOptions, Follower, Notice};
use crate::output::events::{envelope, pretty, Delivery, Template};
use crate::output::{self, note};
use crate::symphony::event::EVENT_TYPES;
use crate::symphony::{Client, Event};

use super::load_settings;

/// What decides which events are printed.
pub struct Filter {
    types: Vec<String>,
    streams: Vec<String>,
    initiators: Vec<String>,
}

impl Filter {
    pub fn new(types: &[String], streams: &[String], initiators: &[String]) -> Result<Self, Fail> {
        let mut checked = Vec::new();
        for t in types.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let upper = t.to_ascii_uppercase();
            if !EVENT_TYPES.contains(&upper.as_str()) {
                return Err(Fail::usage(format!(
                    "unknown event type `{t}`; expected one of: {}",
                    EVENT_TYPES.join(", ")
                )));
            }
            checked.push(upper);
        }
        Ok(Filter {
            types: checked,
            streams: streams.to_vec(),
            initiators: initiators.to_vec(),
        })
    }

    pub fn accepts(&self, e: &Event) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == e.event_type()))
            && (self.streams.is_empty()
                || e.stream_id()
                    .is_some_and(|s| self.streams.iter().any(|w| w == s)))
            && (self.initiators.is_empty() || {
                let id = e.initiator_id().map(|i| i.to_string());
                self.initiators.iter().any(|w| {
                    Some(w.as_str()) == id.as_deref() || Some(w.as_str()) == e.initiator_username()
                })
            })
    }
}

/// Remembers recent deliveries so repeats (at-least-once delivery) are printed once.
pub struct Seen {
    keys: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    const CAPACITY: usize = 200_000;

    pub fn new() -> Self {
        Seen {
            keys: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// True the first time a dedupe key is seen.
    pub fn first(&mut self, key: String) -> bool {
        if self.keys.contains(&key) {
            return false;
        }
        if self.order.len() == Self::CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
        self.order.push_back(key.clone());
        self.keys.insert(key);
        true
    }
}

impl Default for Seen {
    fn default() -> Self {
        Self::new()
    }
}

/// How tail prints.
enum Style {
    Pretty,
    Envelope,
    Raw,
    Template(Template),
}

/// Follow options from the config and the source flags.
pub fn follow_options(settings: &Settings, source: &SourceArgs) -> FollowOptions {
    let choice = match &source.feed {
        Some(id) => FeedChoice::Given(id.clone()),
        None => FeedChoice::Own {
            keep: source.keep_feed,
        },
    };
    FollowOptions {
        version: settings.datafeed.version,
        choice,
        read_timeout: source.read_timeout,
        retry: settings.datafeed.retry.clone(),
        include_invisible: settings.datafeed.include_invisible,
        tag: source.tag.clone(),
    }
}

/// Prints a follower notice on stderr.
pub fn announce(n: &Notice) {
    let tag = match n {
        Notice::Retry { .. } | Notice::FeedRecreated { .. } => {
            console::style("retry:").yellow().for_stderr()
        }
        _ => console::style("feed:").cyan().for_stderr(),
    };
    note(&format!("{tag} {n}"));
}

pub async fn run(g: &Global, args: &TailArgs) -> Result<Exit> {
    let filter = Filter::new(&args.types, &args.stream, &args.initiator)?;
    let style = if args.raw {
        Style::Raw
    } else if let Some(t) = &args.format {
        Style::Template(Template::parse(t).map_err(Fail::usage)?)
    } else {
        match g.output {
            Some(OutputFormat::Json) | Some(OutputFormat::Ndjson) => Style::Envelope,
            Some(OutputFormat::Table) => Style::Pretty,
            None if std::io::stdout().is_terminal() => Style::Pretty,
            None => Style::Envelope,
        }
    };
    let settings = load_settings(g)?;
    let client = Client::new(&settings)?;
    let mut follower = Follower::new(&client, follow_options(&settings, &args.source));
    if args.source.feed.is_some() {
        note("note: other readers of this datafeed share its events: what tail reads, they may not get");
    }

    let mut interrupt = super::Interrupt::new()?;
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let mut printed: u64 = 0;
    let mut seen = Seen::new();
    let mut notify = |n: Notice| announce(&n);
    let outcome: Result<Exit> = loop {
        if args.count.is_some_and(|c| printed >= c) {
            break Ok(Exit::Success);
        }
        let next = follower.next_chunk(&mut notify);
        let chunk = tokio::select! {
            c = next => c,
            _ = interrupt.recv() => break Ok(Exit::Interrupted),
            _ = super::sleep_until(deadline) => break Ok(Exit::Success),
        };
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => break Err(e.into()),
        };
        if let Style::Raw = style {
            if !output::try_line(String::from_utf8_lossy(&chunk.body)) {
                break Ok(Exit::Success);
            }
        }
        let d = Delivery {
            feed_id: &chunk.feed_id,
            chunk: chunk.number,
            received_at: chunk.received_at,
        };
        let mut reader_gone = false;
        let fresh: Vec<&Event> = chunk
            .events
            .iter()
            .filter(|e| seen.first(e.dedupe_key()))
            .collect();
        let repeats = chunk.events.len() - fresh.len();
        let stamps: Vec<i64> = fresh.iter().filter_map(|e| e.timestamp()).collect();
        if stamps.windows(2).any(|w| w[0] > w[1]) {
            note(&format!("note: chunk {} delivered events out of timestamp order (printed in delivery order)", chunk.number));
        }
        for e in fresh {
            if !filter.accepts(e) || args.count.is_some_and(|c| printed >= c) {
                continue;
            }
            printed += 1;
            let text = match &style {
                Style::Raw => continue,
                Style::Pretty => pretty(e),
                Style::Envelope => envelope(e, &d),
                Style::Template(t) => t.render(e, &d),
            };
            // The reader went away (`tail | head`): stop, and still delete the feed.
            if !output::try_line(text) {
                reader_gone = true;
                break;
            }
        }
        if reader_gone {
            break Ok(Exit::Success);
        }
        if repeats > 0 {
            note(&format!(
                "note: chunk {} repeated {repeats} event(s) already delivered; printed once",
                chunk.number
            ));
        }
    };
    if let Some(id) = follower.close().await {
        note(&format!("feed: deleted datafeed {id}"));
    }
    if outcome.as_ref().is_ok_and(|e| *e == Exit::Interrupted) {
        note("interrupted");
    }
    outcome
}
