//! `feedctl tail`: follow a feed live and print events, surviving what a server throws at it.

use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use anyhow::Result;

use crate::cli::{Global, OutputFormat, TailArgs};
use crate::exit::{Exit, Fail};
use crate::feed::FeedEvent;
use crate::feed::{follow, Chunk, Ended, Keeper, Next, Notice, Source, Stop};
use crate::output;
use crate::output::events::{envelope, pretty, Delivery, Template};
use crate::output::Printer;
use crate::redis::{Entry, Start, StreamSource, StreamUrl};
use crate::salesforce::Message;
use crate::sources::{self, datafeed_options, redis_options, DatafeedRequest, RedisRequest, Spec};
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
    // One copy of each key, shared by the set and the queue, hashed fast: this runs for every
    // event read.
    keys: HashSet<Rc<str>, foldhash::fast::RandomState>,
    order: VecDeque<Rc<str>>,
}

impl Seen {
    const CAPACITY: usize = 200_000;

    pub fn new() -> Self {
        Seen {
            keys: HashSet::default(),
            order: VecDeque::new(),
        }
    }

    /// True the first time a dedupe key is seen.
    pub fn first(&mut self, key: String) -> bool {
        if self.keys.contains(key.as_str()) {
            return false;
        }
        let key: Rc<str> = Rc::from(key);
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
        Spec::Redis(urls) => redis(g, p, args, &urls).await,
        Spec::Salesforce(spec) => salesforce(g, p, args, &spec).await,
    }
}

/// Follows Salesforce channels and prints each event once.
async fn salesforce(
    g: &Global,
    p: &Printer,
    args: &TailArgs,
    spec: &sources::SalesforceSpec,
) -> Result<Exit> {
    if !args.stream.is_empty()
        || !args.initiator.is_empty()
        || args.source.feed.is_some()
        || args.format.is_some()
    {
        return Err(Fail::usage(
            "--stream, --initiator, --feed and --format are for the Symphony datafeed; with sfdc:// SOURCEs filter with --type (the event type: created, updated, the change type, or the event name)",
        )
        .into());
    }
    let sf = &args.salesforce;
    let source = sources::salesforce_source(
        spec,
        &sources::SalesforceRequest {
            replay: sf.replay.as_deref(),
            fallback: sf.replay_fallback.as_deref(),
            connection_timeout: sf.connection_timeout.as_deref(),
            default_timeout: Some(std::time::Duration::from_secs(10)),
            max_pending: sf.max_pending,
            allow_plain_http: sf.allow_plain_http,
            sf_org: sf.sf_org.as_deref(),
            markers: Vec::new(),
            exit_at_end: args.source.exit_at_end,
        },
        &|k| std::env::var(k).ok(),
    )?;
    let json = match g.output {
        Some(OutputFormat::Json) | Some(OutputFormat::Ndjson) => true,
        Some(OutputFormat::Table) => false,
        None => !p.stdout_is_terminal(),
    };
    let printer = SalesforcePrinting {
        p,
        types: args
            .types
            .iter()
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
        json,
        raw: args.raw,
        count: args.count,
        printed: 0,
        seen: Seen::new(),
    };
    tail_from(p, args, source, printer).await
}

/// tail's keeper for Salesforce: a line per new event (or the message as received).
struct SalesforcePrinting<'p> {
    p: &'p Printer,
    types: Vec<String>,
    json: bool,
    raw: bool,
    count: Option<u64>,
    printed: u64,
    seen: Seen,
}

impl<A> Keeper<Message, A> for SalesforcePrinting<'_> {
    fn announce(&mut self, n: &Notice) {
        self.p.note(&output::notice_line(n));
    }

    fn note(&mut self, _: Notice) -> Result<()> {
        Ok(())
    }

    fn keep(&mut self, chunk: &Chunk<Message, A>) -> Result<Next> {
        if self.raw && self.p.body(&chunk.body).is_err() {
            return Ok(Next::Abandon);
        }
        for e in &chunk.events {
            if self.count.is_some_and(|c| self.printed >= c) {
                break;
            }
            if !self.seen.first(e.dedupe_key()) {
                continue;
            }
            let ty = e.event_type.as_deref().unwrap_or("").to_ascii_lowercase();
            if !self.types.is_empty() && !self.types.contains(&ty) {
                continue;
            }
            self.printed += 1;
            if self.raw {
                continue;
            }
            let text = if self.json {
                output::salesforce::json_line(e)
            } else {
                output::salesforce::pretty(e)
            };
            if self.p.line(text).is_err() {
                return Ok(Next::Abandon);
            }
        }
        Ok(if self.count.is_some_and(|c| self.printed >= c) {
            Next::Finish
        } else {
            Next::Continue
        })
    }
}

/// Follows Redis streams: plain XREAD from `--from` (default the end), or as a consumer of
/// `--group`, acking each chunk once printed.
async fn redis(g: &Global, p: &Printer, args: &TailArgs, urls: &[StreamUrl]) -> Result<Exit> {
    for (given, flag) in [
        (!args.stream.is_empty(), "--stream"),
        (!args.initiator.is_empty(), "--initiator"),
        (args.format.is_some(), "--format"),
        (args.source.feed.is_some(), "--feed"),
        (args.source.tag.is_some(), "--tag"),
    ] {
        if given {
            return Err(Fail::usage(format!(
                "{flag} applies to Symphony datafeeds, not to Redis streams"
            ))
            .into());
        }
    }
    let pretty = match g.output {
        _ if args.raw => false,
        Some(OutputFormat::Json) | Some(OutputFormat::Ndjson) => false,
        Some(OutputFormat::Table) => true,
        None => p.stdout_is_terminal(),
    };
    let r = &args.redis;
    sources::redis_connecting(
        &r.tls,
        args.salesforce.connection_timeout.as_deref(),
        Some(std::time::Duration::from_secs(10)),
    )?;
    let opts = redis_options(
        urls,
        &RedisRequest {
            from: r.from.as_deref(),
            group: r.group.as_deref(),
            consumer: r.consumer.as_deref(),
            claim_idle: r.claim_idle,
            batch: r.batch as usize,
            default_from: Start::End,
            default_consumer: sources::default_consumer(None),
            exit_at_end: args.source.exit_at_end,
            share_group: r.share_group,
        },
        &[],
    )?;
    let source = StreamSource::new(opts);
    let printer = RedisPrinting {
        p,
        types: args
            .types
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        pretty,
        count: args.count,
        printed: 0,
        seen: Seen::new(),
    };
    tail_from(p, args, source, printer).await
}

/// tail's keeper for stream entries: `--type` matches hopeit's `type` (or a `type` field).
struct RedisPrinting<'p> {
    p: &'p Printer,
    types: Vec<String>,
    pretty: bool,
    count: Option<u64>,
    printed: u64,
    seen: Seen,
}

impl<A> Keeper<Entry, A> for RedisPrinting<'_> {
    fn announce(&mut self, n: &Notice) {
        self.p.note(&output::notice_line(n));
    }

    fn note(&mut self, _: Notice) -> Result<()> {
        Ok(())
    }

    fn keep(&mut self, chunk: &Chunk<Entry, A>) -> Result<Next> {
        let full = |printed: u64| self.count.is_some_and(|c| printed >= c);
        for e in &chunk.events {
            if !self.seen.first(e.dedupe_key()) || full(self.printed) {
                continue;
            }
            if !self.types.is_empty()
                && !e
                    .event_type
                    .as_ref()
                    .is_some_and(|t| self.types.iter().any(|w| w == t))
            {
                continue;
            }
            self.printed += 1;
            let text: std::borrow::Cow<str> = if self.pretty {
                output::redis::pretty(e).into()
            } else {
                output::redis::json_line(e)
            };
            if self.p.line(text).is_err() {
                return Ok(Next::Abandon);
            }
        }
        Ok(if full(self.printed) {
            Next::Finish
        } else {
            Next::Continue
        })
    }
}

/// Follows any source into a printing keeper until `--count`, `--duration` or Ctrl-C, then
/// lets the source clean up (tail's own datafeed is deleted) and maps how it ended.
async fn tail_from<S: Source>(
    p: &Printer,
    args: &TailArgs,
    mut source: S,
    mut printer: impl Keeper<S::Event, S::Ack>,
) -> Result<Exit> {
    // SIGTERM (a service manager, `timeout`, `kill`) stops tail like Ctrl-C, so its own feed
    // is deleted either way; the status tells them apart.
    let (cancel, terminated) = super::cancel_on_interrupt_or_term()?;
    let stop = Stop {
        deadline: args.duration.map(|d| tokio::time::Instant::now() + d),
        cancel,
    };
    let outcome = follow(&mut source, &mut printer, &stop).await;
    source
        .close(&mut |n: Notice| p.note(&output::notice_line(&n)))
        .await;
    match outcome {
        Ok(Ended::Interrupted) if terminated.load(std::sync::atomic::Ordering::SeqCst) => {
            p.note("terminated");
            Ok(Exit::Terminated)
        }
        Ok(Ended::Interrupted) => {
            p.note("interrupted");
            Ok(Exit::Interrupted)
        }
        Ok(_) => Ok(Exit::Success),
        Err(e) => Err(e),
    }
}

/// Follows the Symphony bot of the config from a feed of tail's own (or `--feed`).
async fn symphony(g: &Global, p: &Printer, args: &TailArgs) -> Result<Exit> {
    let filter = Filter::new(&args.types, &args.stream, &args.initiator)?;
    let style = if args.raw {
        Style::Raw
    } else if let Some(t) = &args.format {
        Style::Template(
            Template::parse(t)
                .map_err(Fail::usage)?
                .for_terminal(p.stdout_is_terminal()),
        )
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
    let source = DatafeedSource::new(&client, opts);
    if args.source.feed.is_some() {
        p.note("note: other readers of this datafeed share its events: what tail reads, they may not get");
    }

    let printer = Printing {
        p,
        filter,
        style,
        count: args.count,
        printed: 0,
        seen: Seen::new(),
    };
    tail_from(p, args, source, printer).await
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
            if self.p.body(&chunk.body).is_err() {
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
                "note: chunk {} repeated {} already delivered; printed once",
                chunk.number,
                crate::text::counted(repeats as u64, "event")
            ));
        }
        Ok(if full(self.printed) {
            Next::Finish
        } else {
            Next::Continue
        })
    }
}
