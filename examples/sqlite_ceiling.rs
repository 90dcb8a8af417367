//! The bare-SQLite ceiling for `bench/record.sh`: the rows `feedctl record` stores for the same
//! events, with the same work in SQLite: the journal's schema (every migration) and writer
//! pragmas, one transaction per chunk holding the partition's figures upsert, the chunk row, its
//! events, the per-type counts upsert and the marker upsert. What it leaves out is what is not SQLite: the network, parsing
//! and duplicate detection (a Bloom filter that finds no repeats in these events). It streams
//! (reads a chunk's lines, then writes them; only the writing is timed), so it runs at any size
//! in flat memory: the reference of `bench/record.sh`, `bench/redis.sh` and `bench/scale.sh`.
//!
//! With `redis` after CHUNK_SIZE the lines are stored Redis entries (`journal export`'s `event`,
//! docs/redis.md) and the rows are those `record redis://…` stores: partition = stream key,
//! event id = entry id, type = hopeit's type, no stream id (for `bench/redis.sh`).
//!
//! With `salesforce`, the lines are stored Salesforce messages (Streaming API or Pub/Sub API,
//! docs/salesforce.md) and the rows those `record sfdc://…` / `sfpubsub://…` store: partition =
//! stream id = channel, event id = replayId, type = the event name, message id = EventUuid (for
//! `bench/pubsub.sh`).
//!
//! Usage: cargo run --release --example sqlite_ceiling -- EVENTS.ndjson JOURNAL.db CHUNK_SIZE [redis|salesforce]

#![allow(clippy::disallowed_macros)] // a developer tool, not feedctl's own output

use std::io::BufRead;
use std::time::Instant;

use rusqlite::params;

struct Row {
    id: String,
    kind: String,
    partition: String,
    key: String,
    ts: i64,
    stream: String,
    mid: String,
    raw: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(4).map(String::as_str).unwrap_or("symphony");
    if args.len() < 4 || args.len() > 5 || !["symphony", "redis", "salesforce"].contains(&mode) {
        eprintln!("usage: sqlite_ceiling EVENTS.ndjson JOURNAL.db CHUNK_SIZE [redis|salesforce]");
        std::process::exit(2);
    }
    let (events, db) = (&args[1], &args[2]);
    let chunk: usize = args[3].parse().expect("chunk size");
    let redis = mode == "redis";
    let salesforce = mode == "salesforce";
    let _ = std::fs::remove_file(db);
    let mut conn = rusqlite::Connection::open(db).expect("open");
    conn.execute_batch(feedctl::journal::WRITER_PRAGMAS)
        .expect("pragmas");
    for m in feedctl::journal::MIGRATIONS {
        conn.execute_batch(m).expect("schema");
    }
    let (kind, source) = if redis {
        ("redis", "redis")
    } else if salesforce {
        ("salesforce", "salesforce-pubsub")
    } else {
        ("symphony", "datafeed-v2")
    };
    conn.execute(
        "INSERT INTO recordings (name, source_kind, source, created_at) VALUES ('bench', ?1, ?2, 0)",
        params![kind, source],
    )
    .expect("recording");
    // Streamed: a chunk's rows are read, then written, and only the writing is timed (the
    // ceiling is SQLite alone, in flat memory at any size).
    let mut lines = std::io::BufReader::new(std::fs::File::open(events).expect("events")).lines();
    let mut sqlite = std::time::Duration::ZERO;
    let (mut total, mut prev) = (0usize, "0-0".to_string());
    for n in 0.. {
        let batch: Vec<Row> = lines
            .by_ref()
            .take(chunk)
            .map(|l| row_of(l.expect("line"), mode))
            .collect();
        if batch.is_empty() {
            break;
        }
        total += batch.len();
        let started = Instant::now();
        let seq = n as i64 + 1;
        let (before, after) = if redis || salesforce {
            (
                format!("{{\"id\":\"{prev}\"}}"),
                format!("{{\"id\":\"{}\"}}", batch[batch.len() - 1].id),
            )
        } else {
            (
                format!("{{\"feedId\":\"bench_f\",\"ackId\":\"ack-{}\"}}", seq - 1),
                format!("{{\"feedId\":\"bench_f\",\"ackId\":\"ack-{seq}\"}}"),
            )
        };
        let partition = &batch[0].partition;
        let tx = conn.transaction().expect("tx");
        let events_through: i64 = tx
            .prepare_cached(
                "INSERT INTO partition_counts (recording_id, partition, chunks, events, duplicates, first_received_at, last_received_at, in_order)
                 VALUES (1, ?1, 1, ?2, 0, 0, 0, 1)
                 ON CONFLICT (recording_id, partition) DO UPDATE SET chunks = chunks + 1, events = events + ?2,
                     first_received_at = min(first_received_at, 0), last_received_at = max(last_received_at, 0),
                     in_order = in_order AND 0 >= last_received_at
                 RETURNING events",
            )
            .expect("prepare")
            .query_row(params![partition, batch.len() as i64], |r| r.get(0))
            .expect("partition counts");
        tx.prepare_cached(
            "INSERT INTO chunks (recording_id, seq, partition, cursor_before, cursor_after, feed_id, ack_sent, ack_received, received_at, size, latency_ms, event_count, duplicates, events_through)
             VALUES (1, ?1, ?5, ?2, ?3, 'bench_f', ?2, ?3, 0, 0, 0, ?4, 0, ?6)",
        )
        .expect("prepare")
        .execute(params![seq, before, after, batch.len() as i64, partition, events_through])
        .expect("chunk");
        let chunk_id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (recording_id, chunk_id, position, event_id, type, timestamp, stream_id, initiator_id, message_id, dedupe_key, duplicate_of, raw, partition)
                     VALUES (1, ?1, ?2, ?3, ?9, ?4, ?5, 1, ?6, ?7, NULL, ?8, ?10)",
                )
                .expect("prepare");
            let mut counts: std::collections::BTreeMap<(&str, &str), i64> = Default::default();
            for (pos, r) in batch.iter().enumerate() {
                insert
                    .execute(params![
                        chunk_id,
                        pos as i64,
                        r.id,
                        r.ts,
                        r.stream,
                        r.mid,
                        r.key,
                        r.raw,
                        r.kind,
                        r.partition
                    ])
                    .expect("insert");
                *counts.entry((&r.kind, &r.stream)).or_default() += 1;
            }
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO event_counts (recording_id, type, stream_id, events) VALUES (1, ?3, ?1, ?2)
                     ON CONFLICT (recording_id, type, stream_id) DO UPDATE SET events = events + ?2",
                )
                .expect("prepare");
            for ((kind, stream), n) in counts {
                upsert.execute(params![stream, n, kind]).expect("counts");
            }
        }
        tx.prepare_cached(
            "INSERT INTO markers (recording_id, partition, cursor, chunk_seq, updated_at) VALUES (1, ?3, ?1, ?2, 0)
             ON CONFLICT (recording_id, partition) DO UPDATE SET cursor = excluded.cursor, chunk_seq = excluded.chunk_seq, updated_at = excluded.updated_at",
        )
        .expect("prepare")
        .execute(params![after, seq, partition])
        .expect("marker");
        tx.commit().expect("commit");
        sqlite += started.elapsed();
        prev = batch[batch.len() - 1].id.clone();
    }
    println!("{:.0}", total as f64 / sqlite.as_secs_f64());
}

/// The row of one input line: its columns, read from a JSON tree (not timed).
fn row_of(l: String, mode: &str) -> Row {
    let v: serde_json::Value = serde_json::from_str(&l).expect("json");
    if mode == "salesforce" {
        let channel = v["channel"].as_str().unwrap_or("").to_string();
        let id = v["data"]["event"]["replayId"]
            .as_i64()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Row {
            key: format!("{channel}|{id}"),
            ts: v["data"]["payload"]["CreatedDate"].as_i64().unwrap_or(0),
            kind: channel.rsplit('/').next().unwrap_or("").to_string(),
            mid: v["data"]["event"]["EventUuid"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            stream: channel.clone(),
            partition: channel,
            id,
            raw: l,
        };
    }
    if mode == "redis" {
        let id = v["id"].as_str().unwrap_or("").to_string();
        let partition = v["stream"].as_str().unwrap_or("").to_string();
        return Row {
            key: format!("{partition}\u{1f}{id}"),
            ts: id
                .split('-')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0),
            kind: v["hopeit"]["type"].as_str().unwrap_or("").to_string(),
            stream: String::new(),
            mid: String::new(),
            id,
            partition,
            raw: l,
        };
    }
    let id = v["id"].as_str().unwrap_or("").to_string();
    let ts = v["timestamp"].as_i64().unwrap_or(0);
    let mid = v["messageId"].as_str().unwrap_or("").to_string();
    let stream = v["payload"]["messageSent"]["message"]["stream"]["streamId"]
        .as_str()
        .unwrap_or("")
        .to_string();
    Row {
        key: format!("{id}|MESSAGESENT|{ts}|{mid}"),
        id,
        kind: "MESSAGESENT".into(),
        partition: "datafeed".into(),
        ts,
        stream,
        mid,
        raw: l,
    }
}
