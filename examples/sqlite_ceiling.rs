//! The bare-SQLite ceiling for `bench/record.sh`: the same rows `feedctl record` stores (raw JSON
//! plus the indexed columns, the same schema and pragmas), inserted by a plain loop in
//! transactions of one chunk each: no network, no parsing, no duplicate detection.
//!
//! Usage: cargo run --release --example sqlite_ceiling -- EVENTS.ndjson JOURNAL.db CHUNK_SIZE

use std::io::BufRead;
use std::time::Instant;

use rusqlite::params;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (events, db, chunk) = (
        &args[1],
        &args[2],
        args[3].parse::<usize>().expect("chunk size"),
    );
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(events).expect("events"))
        .lines()
        .map(|l| l.expect("line"))
        .collect();
    let _ = std::fs::remove_file(db);
    let mut conn = rusqlite::Connection::open(db).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .expect("pragmas");
    conn.execute_batch(feedctl::journal::MIGRATIONS[0])
        .expect("schema");
    conn.execute(
        "INSERT INTO recordings (name, source, created_at) VALUES ('bench', 'bench', 0)",
        [],
    )
    .expect("recording");
    // Column extraction happens before timing, so the ceiling is SQLite alone.
    let rows: Vec<(String, String, i64, String, String)> = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            let id = v["id"].as_str().unwrap_or("").to_string();
            let ts = v["timestamp"].as_i64().unwrap_or(0);
            let mid = v["messageId"].as_str().unwrap_or("").to_string();
            (
                id.clone(),
                format!("{id}|MESSAGESENT|{ts}|{mid}"),
                ts,
                mid,
                l.clone(),
            )
        })
        .collect();
    let started = Instant::now();
    for (seq, batch) in rows.chunks(chunk).enumerate() {
        let tx = conn.transaction().expect("tx");
        tx.execute(
            "INSERT INTO chunks (recording_id, seq, received_at, size, latency_ms, event_count, duplicates) VALUES (1, ?1, 0, 0, 0, ?2, 0)",
            params![seq as i64 + 1, batch.len() as i64],
        )
        .expect("chunk");
        let chunk_id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (recording_id, chunk_id, position, event_id, type, timestamp, stream_id, initiator_id, message_id, dedupe_key, raw)
                     VALUES (1, ?1, ?2, ?3, 'MESSAGESENT', ?4, 's', 1, ?5, ?6, ?7)",
                )
                .expect("prepare");
            for (pos, (id, key, ts, mid, raw)) in batch.iter().enumerate() {
                insert
                    .execute(params![chunk_id, pos as i64, id, ts, mid, key, raw])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{:.0}", rows.len() as f64 / secs);
}
