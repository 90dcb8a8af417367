//! `feedctl tail`: follow a feed live and print events, surviving what a server throws at it.

use std::collections::{HashSet, VecDeque};

use anyhow::Result;

use crate::cli::{Global, OutputFormat, TailArgs};
use crate::exit::{Exit, Fail};
use crate::feed::{follow, Chunk, Ended, Keeper, Next, Notice, Source, Stop};
use crate::output;
use crate::output::events::{envelope, pretty, Delivery, Template};
use crate::output::Printer;
use crate::sources::{self, datafeed_options, DatafeedRequest, Spec};
use crate::symphony::event::EVENT_TYPES;
use crate::symphony::source::{DatafeedSource, FeedOwner};
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

pub async fn run(g: &Global, p: &Printer, args: &TailArgs) -> Result<Exit> {
    match sources::parse(&args.sources)? {
        Spec::SymphonyBot => symphony(g, p, args).await,
    }
}

/// Follows the Symphony bot of the config from a feed of tail's own (or `--feed`).
async fn symphony(g: &Global, p: &Printer, args: &TailArgs) -> Result<Exit> {
    let filter = Filter::new(&args.types, &args.stream, &args.initiator)?;
    let style = if args.raw {
        Style::Raw
    } else if let Some(t) = &args.format {
        Style::Template(Template::parse(t).map_err(Fail::usage)?)
    } else {
        match g.output {
            Some(OutputFormat::Json) | Some(OutputFormat::Ndjson) => Style::Envelope,
            Some(OutputFormat::Table) => Style::Pretty,
            None if p.stdout_is_terminal() => Style::Pretty,
            None => Style::Envelope,
        }
    };
    let settings = load_settings(g)?;
    let client = Client::new(&settings)?;
    let opts = datafeed_options(
        &settings,
        &DatafeedRequest {
            feed: args.source.feed.as_deref(),
            tag: args.source.tag.as_deref(),
            read_timeout: args.source.read_timeout,
            owner: FeedOwner::Tail,
            keep: args.keep_feed,
            exit_at_end: args.source.exit_at_end,
        },
    );
    let mut source = DatafeedSource::new(&client, opts);
    if args.source.feed.is_some() {
        p.note("note: other readers of this datafeed share its events: what tail reads, they may not get");
    }

    let stop = Stop {
        deadline: args.duration.map(|d| tokio::time::Instant::now() + d),
        cancel: super::cancel_on_interrupt()?,
    };
    let mut printer = Printing {
        p,
        filter,
        style,
        count: args.count,
        printed: 0,
        seen: Seen::new(),
    };
    let outcome = follow(&mut source, &mut printer, &stop).await;
    source
        .close(&mut |n: Notice| p.note(&output::notice_line(&n)))
        .await;
    match outcome {
        Ok(Ended::Interrupted) => {
            p.note("interrupted");
            Ok(Exit::Interrupted)
        }
        Ok(_) => Ok(Exit::Success),
        Err(e) => Err(e),
    }
}

/// tail's keeper: prints each new event that passes the filter; a chunk is "kept" once printed.
struct Printing<'p> {
    p: &'p Printer,
    filter: Filter,
    style: Style,
    count: Option<u64>,
    printed: u64,
    seen: Seen,
}

impl<A> Keeper<Event, A> for Printing<'_> {
    fn announce(&mut self, n: &Notice) {
        self.p.note(&output::notice_line(n));
    }

    fn note(&mut self, _: Notice) -> Result<()> {
        Ok(())
    }

    fn keep(&mut self, chunk: &Chunk<Event, A>) -> Result<Next> {
        if let Style::Raw = self.style {
            if self.p.line(String::from_utf8_lossy(&chunk.body)).is_err() {
                return Ok(Next::Abandon);
            }
        }
        let feed_id = chunk
            .cursor_after
            .text("feedId")
            .unwrap_or(&chunk.partition);
        let d = Delivery {
            feed_id,
            chunk: chunk.number,
            received_at: chunk.received_at,
        };
        let seen = &mut self.seen;
        let fresh: Vec<&Event> = chunk
            .events
            .iter()
            .filter(|e| seen.first(e.dedupe_key()))
            .collect();
        let repeats = chunk.events.len() - fresh.len();
        let stamps: Vec<i64> = fresh.iter().filter_map(|e| e.timestamp()).collect();
        if stamps.windows(2).any(|w| w[0] > w[1]) {
            self.p.note(&format!("note: chunk {} delivered events out of timestamp order (printed in delivery order)", chunk.number));
        }
        let full = |printed: u64| self.count.is_some_and(|c| printed >= c);
        for e in fresh {
            if !self.filter.accepts(e) || full(self.printed) {
                continue;
            }
            self.printed += 1;
            let text = match &self.style {
                Style::Raw => continue,
                Style::Pretty => pretty(e),
                Style::Envelope => envelope(e, &d),
                Style::Template(t) => t.render(e, &d),
            };
            // The reader went away (`tail | head`): stop, and still delete the feed.
            if self.p.line(text).is_err() {
                return Ok(Next::Abandon);
            }
        }
        if repeats > 0 {
            self.p.note(&format!(
                "note: chunk {} repeated {repeats} event(s) already delivered; printed once",
                chunk.number
            ));
        }
        Ok(if full(self.printed) {
            Next::Finish
        } else {
            Next::Continue
        })
    }
}
