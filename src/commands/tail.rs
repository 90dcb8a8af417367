//! `feedctl tail`: follow a feed live and print events, surviving what a server throws at it.

use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use anyhow::Result;

use crate::cli::{Global, OutputFormat, TailArgs};
use crate::exit::{Exit, Fail};
use crate::feed::{follow, Chunk, Delivery, Ended, Keeper, Next, Notice, Shown, Source, Stop};
use crate::output;
use crate::output::events::{envelope, plain_line, Template};
use crate::output::Printer;
use crate::sources::{self, Follow, Spec};
use crate::symphony::event::EVENT_TYPES;
use crate::symphony::Client;

use super::Purpose;

use super::load_settings;

/// What decides which events are printed: the same for every source (`--type` matches the
/// event's type case-insensitively, `--stream` its stream: a conversation, a stream key, a
/// channel); `--initiator` is Symphony's.
pub struct Filter {
    types: Vec<String>,
    streams: Vec<String>,
    initiators: Vec<String>,
}

impl Filter {
    /// `known`: the source's closed list of types, when it has one (Symphony's 17).
    pub fn new(
        types: &[String],
        known: Option<&[&str]>,
        streams: &[String],
        initiators: &[String],
    ) -> Result<Self, Fail> {
        let mut checked = Vec::new();
        for t in types.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            if let Some(known) = known {
                if !known.iter().any(|k| k.eq_ignore_ascii_case(t)) {
                    return Err(Fail::usage(format!(
                        "unknown event type `{t}`; expected one of: {}",
                        known.join(", ")
                    )));
                }
            }
            checked.push(t.to_string());
        }
        Ok(Filter {
            types: checked,
            streams: streams.to_vec(),
            initiators: initiators.to_vec(),
        })
    }

    pub fn accepts<E: Shown>(&self, e: &E) -> bool {
        let c = e.columns();
        (self.types.is_empty()
            || c.event_type
                .is_some_and(|t| self.types.iter().any(|w| w.eq_ignore_ascii_case(t))))
            && (self.streams.is_empty()
                || c.stream_id
                    .is_some_and(|s| self.streams.iter().any(|w| w == s)))
            && (self.initiators.is_empty() || self.initiators.iter().any(|w| e.initiated_by(w)))
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

impl Style {
    /// `own`: the `--format` names of the source's own.
    fn of(g: &Global, p: &Printer, args: &TailArgs, own: &[&str]) -> Result<Style, Fail> {
        Ok(if args.raw {
            Style::Raw
        } else if let Some(t) = &args.format {
            Style::Template(
                Template::parse(t, own)
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
        })
    }
}

pub async fn run(g: &Global, p: &Printer, args: &TailArgs) -> Result<Exit> {
    let spec = sources::parse(&args.sources)?;
    if !matches!(spec, Spec::SymphonyBot) {
        for (given, flag) in [
            (!args.initiator.is_empty(), "--initiator"),
            (args.source.feed.is_some(), "--feed"),
            (args.source.tag.is_some(), "--tag"),
            (args.keep_feed, "--keep-feed"),
        ] {
            if given {
                return Err(Fail::usage(format!(
                    "{flag} applies to the Symphony datafeed, not to {} SOURCEs",
                    match spec {
                        Spec::Redis(_) => "redis://",
                        _ => "sfdc://",
                    }
                ))
                .into());
            }
        }
    }
    let settings = match spec {
        Spec::SymphonyBot => Some(load_settings(g)?),
        _ => None,
    };
    let client = settings.as_ref().map(Client::new).transpose()?;
    let req = super::source_request(
        &args.source,
        &args.redis,
        &args.salesforce,
        Purpose::Tail {
            keep_feed: args.keep_feed,
        },
    );
    let source = sources::open(&spec, &req, client.as_ref(), settings.as_ref(), &[])?;
    if args.source.feed.is_some() {
        p.note("note: other readers of this datafeed share its events: what tail reads, they may not get");
    }
    source
        .follow(Tail {
            g,
            p,
            args,
            known_types: matches!(spec, Spec::SymphonyBot).then_some(&EVENT_TYPES[..]),
        })
        .await
}

/// tail's one path, for any source (public: a source outside the product, such as the test
/// suite's, runs through it too).
pub struct Tail<'a> {
    pub g: &'a Global,
    pub p: &'a Printer,
    pub args: &'a TailArgs,
    /// The source's closed list of event types, when it has one.
    pub known_types: Option<&'a [&'a str]>,
}

impl Follow for Tail<'_> {
    type Out = Result<Exit>;

    async fn follow<S: Source>(self, source: S) -> Result<Exit>
    where
        S::Event: Shown,
    {
        let printing = Printing::<S::Event>::new(self.g, self.p, self.args, self.known_types)?;
        tail_from(self.p, self.args, source, printing).await
    }
}

/// Follows any source into the printing keeper until `--count`, `--duration` or Ctrl-C, then
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

/// tail's keeper, for every source: prints each new event that passes the filter; a chunk is
/// "kept" once printed.
struct Printing<'p, E> {
    p: &'p Printer,
    filter: Filter,
    style: Style,
    count: Option<u64>,
    printed: u64,
    seen: Seen,
    _events: std::marker::PhantomData<E>,
}

impl<'p, E: Shown> Printing<'p, E> {
    fn new(
        g: &Global,
        p: &'p Printer,
        args: &TailArgs,
        known_types: Option<&[&str]>,
    ) -> Result<Self, Fail> {
        Ok(Printing {
            p,
            filter: Filter::new(&args.types, known_types, &args.stream, &args.initiator)?,
            style: Style::of(g, p, args, E::OWN_FIELDS)?,
            count: args.count,
            printed: 0,
            seen: Seen::new(),
            _events: std::marker::PhantomData,
        })
    }
}

impl<E: Shown, A> Keeper<E, A> for Printing<'_, E> {
    fn announce(&mut self, n: &Notice) {
        self.p.note(&output::notice_line(n));
    }

    fn note(&mut self, _: Notice) -> Result<()> {
        Ok(())
    }

    fn keep(&mut self, chunk: &Chunk<E, A>) -> Result<Next> {
        // A delivery with a body of its own is printed as it came; a source whose events are
        // the delivery (Redis) prints them below.
        let whole_body = matches!(self.style, Style::Raw) && !chunk.body.is_empty();
        if whole_body && self.p.body(&chunk.body).is_err() {
            return Ok(Next::Abandon);
        }
        let d = Delivery {
            partition: &chunk.partition,
            chunk: chunk.number,
            received_at: chunk.received_at,
            cursor: &chunk.cursor_after,
        };
        let seen = &mut self.seen;
        let fresh: Vec<&E> = chunk
            .events
            .iter()
            .filter(|e| seen.first(e.dedupe_key()))
            .collect();
        let repeats = chunk.events.len() - fresh.len();
        let stamps: Vec<i64> = fresh.iter().filter_map(|e| e.columns().timestamp).collect();
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
                Style::Raw if whole_body => continue,
                Style::Raw => String::from_utf8_lossy(e.raw()).into_owned(),
                Style::Pretty => plain_line(e, &d),
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
