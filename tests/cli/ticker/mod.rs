//! A fourth kind of source that exists only here, to prove the seam of docs/architecture.md:
//! everything it needs is in this folder (the source, its events, how they read) and the one
//! arm below that hands it to `record`'s and `tail`'s paths; no file of the product names it.
//!
//! `Ticker` counts from 1 to N in chunks of two, on one partition, `ticks`: each event is
//! `{"n":N,"kind":"even"|"odd","at":MS}`, its cursor `{"n":N}`, nothing to acknowledge.

use std::time::Duration;

use feedctl::feed::{
    Chunk, Columns, Committed, Cursor, FeedEvent, Notice, Shown, Source, SourceError,
};

use crate::common::*;

/// One tick.
pub struct Tick {
    raw: String,
    n: u64,
    kind: &'static str,
    at: i64,
    id: String,
}

impl FeedEvent for Tick {
    const SOURCE: &'static str = "ticker";

    fn raw(&self) -> &[u8] {
        self.raw.as_bytes()
    }

    fn columns(&self) -> Columns<'_> {
        Columns {
            event_id: Some(&self.id),
            event_type: Some(self.kind),
            timestamp: Some(self.at),
            stream_id: Some("ticks"),
            ..Columns::default()
        }
    }

    fn dedupe_key(&self) -> String {
        self.id.clone()
    }
}

/// A line and paths of its own are not needed: the defaults read its columns and its JSON.
impl Shown for Tick {}

pub struct Ticker {
    next: u64,
    last: u64,
}

/// 2026-11-22 14:30:00 UTC, the first tick.
const START: i64 = 1_795_357_800_000;

impl Source for Ticker {
    type Event = Tick;
    type Ack = ();

    async fn next_chunk(
        &mut self,
        _notify: &mut dyn FnMut(Notice),
    ) -> Result<Option<Chunk<Tick, ()>>, SourceError> {
        if self.next > self.last {
            return Ok(None);
        }
        let before = Cursor::new(serde_json::json!({ "n": self.next - 1 }));
        let ticks: Vec<Tick> = (self.next..=self.last.min(self.next + 1))
            .map(|n| {
                let kind = if n.is_multiple_of(2) { "even" } else { "odd" };
                let at = START + n as i64 * 1000;
                Tick {
                    raw: format!(r#"{{"n":{n},"kind":"{kind}","at":{at}}}"#),
                    n,
                    kind,
                    at,
                    id: format!("tick-{n}"),
                }
            })
            .collect();
        self.next += ticks.len() as u64;
        let after = Cursor::new(serde_json::json!({ "n": ticks.last().map_or(0, |t| t.n) }));
        let body = Vec::new();
        Ok(Some(Chunk::new(
            "ticks".into(),
            (self.next - 1).div_ceil(2),
            before,
            after,
            ticks,
            body,
            START,
            Duration::ZERO,
            (),
        )))
    }

    async fn commit(&mut self, _done: Committed<()>) -> Result<(), SourceError> {
        Ok(())
    }

    async fn close(&mut self, _notify: &mut dyn FnMut(Notice)) {}
}

#[test]
fn a_fourth_source_records_and_tails_through_the_product_paths_with_only_its_folder() {
    use clap::Parser;
    use feedctl::cli::{Cli, Command};
    use feedctl::sources::Follow;

    let sb = Sandbox::new();
    let journal = sb.path().join("ticks.db");
    let journal = journal.to_str().unwrap();
    let cli = Cli::try_parse_from(["feedctl", "record", "-j", journal, "--name", "ticks"]).unwrap();
    let Command::Record(args) = &cli.command else {
        unreachable!()
    };
    let p = feedctl::output::Printer::new(true, 0, true);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut j = feedctl::journal::Journal::open_for_write(&args.journal.journal).unwrap();
        let rec = j
            .recording(&feedctl::journal::NewRecording {
                name: "ticks",
                kind: Ticker::KIND,
                source: Ticker::KIND,
                description: Some("1 to 5"),
                pod_url: None,
                username: None,
            })
            .unwrap();
        let stop = feedctl::feed::Stop {
            deadline: None,
            cancel: Default::default(),
        };
        // The one arm: this source handed to record's path.
        feedctl::commands::record::Record {
            p: &p,
            args,
            journal: &mut j,
            recording: rec.id,
            stop: &stop,
        }
        .follow(Ticker { next: 1, last: 5 })
        .await
        .unwrap();
    });

    // What it recorded reads as every source's events do: the real binary on the journal.
    let out = sb
        .cmd()
        .args(["journal", "export", "-j", "ticks.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    for (i, l) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        assert_eq!(l["source"], "ticker");
        assert_eq!(l["partition"], "ticks");
        assert_eq!(l["eventId"], format!("tick-{n}"));
        assert_eq!(l["type"], if n.is_multiple_of(2) { "even" } else { "odd" });
        assert_eq!(l["chunk"], n.div_ceil(2));
        assert_eq!(l["event"]["n"], n);
    }
    // It resumes from its marker like any other: the journal holds `ticks` at {"n":5}.
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "ticks.db", "-o", "json"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("ticks"), "{}", stdout_of(&out));
    // And replays: the handler sees the source and the partition.
    let out = sb
        .cmd()
        .args(["replay", "-j", "ticks.db", "--type", "even"])
        .args([
            "--exec",
            "echo $FEEDCTL_SOURCE/$FEEDCTL_PARTITION/$FEEDCTL_EVENT_ID >> seen",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut seen: Vec<String> = std::fs::read_to_string(sb.path().join("seen"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    seen.sort();
    assert_eq!(seen, ["ticker/ticks/tick-2", "ticker/ticks/tick-4"]);

    // tail's path, with its one keeper (what it prints goes to this test's stdout): it
    // takes the source, its filter and template, and ends when the source does.
    let cli = Cli::try_parse_from([
        "feedctl",
        "tail",
        "--type",
        "ODD",
        "--format",
        "{source} {partition} {id} {type} {.at}|{chunk}",
    ])
    .unwrap();
    let Command::Tail(args) = &cli.command else {
        unreachable!()
    };
    let ended = rt.block_on(
        feedctl::commands::tail::Tail {
            g: &cli.global,
            p: &p,
            args,
            known_types: None,
        }
        .follow(Ticker { next: 1, last: 3 }),
    );
    assert!(ended.is_ok(), "{ended:?}");
}

impl Ticker {
    /// The kind of source its recordings are of.
    pub const KIND: &'static str = <Tick as FeedEvent>::SOURCE;
}
