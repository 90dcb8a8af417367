//! The bare-SQLite ceiling for `bench/record.sh`: the rows `feedctl record` stores for the same
//! events, with the same work in SQLite: the journal's schema (every migration) and writer
//! pragmas, one transaction per chunk holding the chunk row, its events, the per-type counts
//! upsert and the marker upsert. What it leaves out is what is not SQLite: the network, parsing
//! and duplicate detection (a Bloom filter that finds no repeats in these events).
//!
//! Usage: cargo run --release --example sqlite_ceiling -- EVENTS.ndjson JOURNAL.db CHUNK_SIZE

use std::io::BufRead;
use std::time::Instant;

use rusqlite::params;

struct Row {
    id: String,
    key: String,
    ts: i64,
    stream: String,
    mid: String,
    raw: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: sqlite_ceiling EVENTS.ndjson JOURNAL.db CHUNK_SIZE");
        std::process::exit(2);
    }
    let (events, db) = (&args[1], &args[2]);
    let chunk: usize = args[3].parse().expect("chunk size");
    let lines = std::io::BufReader::new(std::fs::File::open(events).expect("events")).lines();
    // Column extraction happens before timing, so the ceiling is SQLite alone.
    let rows: Vec<Row> = lines
        .map(|l| {
            let l = l.expect("line");
            let v: serde_json::Value = serde_json::from_str(&l).expect("json");
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
                ts,
                stream,
                mid,
                raw: l,
            }
        })
        .collect();
    let _ = std::fs::remove_file(db);
    let mut conn = rusqlite::Connection::open(db).expect("open");
    conn.execute_batch(feedctl::journal::WRITER_PRAGMAS)
        .expect("pragmas");
    for m in feedctl::journal::MIGRATIONS {
        conn.execute_batch(m).expect("schema");
    }
    conn.execute(
        "INSERT INTO recordings (name, source_kind, source, created_at) VALUES ('bench', 'symphony', 'datafeed-v2', 0)",
        [],
    )
    .expect("recording");
    let started = Instant::now();
    for (n, batch) in rows.chunks(chunk).enumerate() {
        let seq = n as i64 + 1;
        let before = format!("{{\"feedId\":\"bench_f\",\"ackId\":\"ack-{}\"}}", seq - 1);
        let after = format!("{{\"feedId\":\"bench_f\",\"ackId\":\"ack-{seq}\"}}");
        let tx = conn.transaction().expect("tx");
        tx.prepare_cached(
            "INSERT INTO chunks (recording_id, seq, partition, cursor_before, cursor_after, feed_id, ack_sent, ack_received, received_at, size, latency_ms, event_count, duplicates)
             VALUES (1, ?1, 'datafeed', ?2, ?3, 'bench_f', ?2, ?3, 0, 0, 0, ?4, 0)",
        )
        .expect("prepare")
        .execute(params![seq, before, after, batch.len() as i64])
        .expect("chunk");
        let chunk_id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (recording_id, chunk_id, position, event_id, type, timestamp, stream_id, initiator_id, message_id, dedupe_key, duplicate_of, raw, partition)
                     VALUES (1, ?1, ?2, ?3, 'MESSAGESENT', ?4, ?5, 1, ?6, ?7, NULL, ?8, 'datafeed')",
                )
                .expect("prepare");
            let mut counts: std::collections::BTreeMap<&str, i64> = Default::default();
            for (pos, r) in batch.iter().enumerate() {
                insert
                    .execute(params![
                        chunk_id, pos as i64, r.id, r.ts, r.stream, r.mid, r.key, r.raw
                    ])
                    .expect("insert");
                *counts.entry(&r.stream).or_default() += 1;
            }
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO event_counts (recording_id, type, stream_id, events) VALUES (1, 'MESSAGESENT', ?1, ?2)
                     ON CONFLICT (recording_id, type, stream_id) DO UPDATE SET events = events + ?2",
                )
                .expect("prepare");
            for (stream, n) in counts {
                upsert.execute(params![stream, n]).expect("counts");
            }
        }
        tx.prepare_cached(
            "INSERT INTO markers (recording_id, partition, cursor, chunk_seq, updated_at) VALUES (1, 'datafeed', ?1, ?2, 0)
             ON CONFLICT (recording_id, partition) DO UPDATE SET cursor = excluded.cursor, chunk_seq = excluded.chunk_seq, updated_at = excluded.updated_at",
        )
        .expect("prepare")
        .execute(params![after, seq])
        .expect("marker");
        tx.commit().expect("commit");
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{:.0}", rows.len() as f64 / secs);
}
