//! A/B of two Redis client crates on feedctl's two hot paths (issue 30), one client per process so
//! the time and peak RSS that bench/redis-client-ab.sh measures are that client's own:
//!
//!   redis-client-ab CLIENT write URL KEY N   N XADDs of hopeit's 8 fields, pipelines of 1000
//!   redis-client-ab CLIENT drain URL KEY N   plain XREAD COUNT 1000 from 0-0 until N entries
//!
//! CLIENT is `redis-rs` (a MultiplexedConnection, replies as redis::Value), `fred` (its typed
//! commands, replies as fred's Value) or `fred-raw` (drain only: XREAD through `custom_raw`, the
//! reply as the parsed frame, before fred's Value conversion). One command or pipeline in flight;
//! every reply is turned into owned entries, as feedctl's record needs them.

use std::error::Error;
use std::io::Write;
use std::time::Duration;

use fred::prelude::*;
use fred::types::{ClusterHash, CustomCommand, Resp3Frame};

type Res<T> = Result<T, Box<dyn Error>>;

const BATCH: usize = 1000;

/// One stream entry, owned.
struct Entry {
    id: String,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// hopeit's layout: 8 fields, a payload of 150 bytes; the id and payload differ per entry.
fn fields(i: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut payload = format!("{i:09}").into_bytes();
    payload.resize(150, b'x');
    vec![
        ("id", format!("import-{i:09}").into_bytes()),
        ("type", b"bench.model.Msg".to_vec()),
        ("submit_ts", b"2026-12-02T05:00:00.000000+00:00".to_vec()),
        ("event_ts", Vec::new()),
        ("auth_info", b"e30=".to_vec()),
        ("ser", b"json+base64".to_vec()),
        ("comp", b"lz4".to_vec()),
        ("payload", payload),
    ]
}

fn bad(what: &str) -> Box<dyn Error> {
    format!("unexpected XREAD reply: {what}").into()
}

/// The flat `field value field value …` array as pairs.
fn pairs<T>(flat: Vec<T>, bytes: impl Fn(T) -> Res<Vec<u8>>) -> Res<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((bytes(k)?, bytes(v)?));
    }
    Ok(out)
}

// ---- redis-rs ----------------------------------------------------------------------------------

mod rs {
    use super::*;
    use redis::Value;

    pub async fn connect(url: &str) -> Res<redis::aio::MultiplexedConnection> {
        let config =
            redis::AsyncConnectionConfig::new().set_response_timeout(Some(Duration::from_secs(60)));
        Ok(redis::Client::open(url)?
            .get_multiplexed_async_connection_with_config(&config)
            .await?)
    }

    pub async fn write(url: &str, key: &str, n: usize) -> Res<usize> {
        let mut con = connect(url).await?;
        let mut done = 0;
        while done < n {
            let mut pipe = redis::pipe();
            for i in done..(done + BATCH).min(n) {
                pipe.xadd(key, "*", &fields(i));
            }
            let ids: Vec<String> = pipe.query_async(&mut con).await?;
            done += ids.len();
        }
        Ok(done)
    }

    fn bytes(v: Value) -> Res<Vec<u8>> {
        match v {
            Value::BulkString(b) => Ok(b),
            Value::SimpleString(s) => Ok(s.into_bytes()),
            _ => Err(bad("not a string")),
        }
    }

    fn array(v: Value) -> Res<Vec<Value>> {
        match v {
            Value::Array(a) => Ok(a),
            _ => Err(bad("not an array")),
        }
    }

    /// `[[key, [[id, [f, v, …]], …]]]` (nil when nothing is new) into entries.
    fn entries(reply: Value, out: &mut Vec<Entry>) -> Res<()> {
        if reply == Value::Nil {
            return Ok(());
        }
        for stream in array(reply)? {
            let mut key_entries = array(stream)?.into_iter();
            for e in array(key_entries.nth(1).ok_or_else(|| bad("no entries"))?)? {
                let mut e = array(e)?.into_iter();
                let (Some(id), Some(flat)) = (e.next(), e.next()) else {
                    return Err(bad("short entry"));
                };
                out.push(Entry {
                    id: String::from_utf8(bytes(id)?)?,
                    fields: pairs(array(flat)?, bytes)?,
                });
            }
        }
        Ok(())
    }

    pub async fn drain(url: &str, key: &str, n: usize) -> Res<(usize, usize)> {
        let mut con = connect(url).await?;
        let (mut last, mut count, mut size) = ("0-0".to_string(), 0, 0);
        while count < n {
            let reply: Value = redis::cmd("XREAD")
                .arg("COUNT")
                .arg(BATCH)
                .arg("STREAMS")
                .arg(key)
                .arg(&last)
                .query_async(&mut con)
                .await?;
            let mut got = Vec::with_capacity(BATCH);
            entries(reply, &mut got)?;
            let Some(tail) = got.last() else {
                return Err(bad("stream ended early"));
            };
            last.clone_from(&tail.id);
            count += got.len();
            size += tally(&got);
        }
        Ok((count, size))
    }
}

// ---- fred --------------------------------------------------------------------------------------

mod fr {
    use super::*;

    pub async fn connect(url: &str) -> Res<Client> {
        let client = Builder::from_config(Config::from_url(url)?).build()?;
        client.init().await?;
        Ok(client)
    }

    pub async fn write(url: &str, key: &str, n: usize) -> Res<usize> {
        let client = connect(url).await?;
        let mut done = 0;
        while done < n {
            let pipe = client.pipeline();
            for i in done..(done + BATCH).min(n) {
                let () = pipe.xadd(key, false, None, "*", fields(i)).await?;
            }
            let ids: Vec<String> = pipe.all().await?;
            done += ids.len();
        }
        client.quit().await?;
        Ok(done)
    }

    fn bytes(v: Value) -> Res<Vec<u8>> {
        match v {
            Value::Bytes(b) => Ok(b.to_vec()),
            Value::String(s) => Ok(s.as_bytes().to_vec()),
            _ => Err(bad("not a string")),
        }
    }

    fn array(v: Value) -> Res<Vec<Value>> {
        match v {
            Value::Array(a) => Ok(a),
            _ => Err(bad("not an array")),
        }
    }

    fn entries(reply: Value, out: &mut Vec<Entry>) -> Res<()> {
        if reply.is_null() {
            return Ok(());
        }
        for stream in array(reply)? {
            let mut key_entries = array(stream)?.into_iter();
            for e in array(key_entries.nth(1).ok_or_else(|| bad("no entries"))?)? {
                let mut e = array(e)?.into_iter();
                let (Some(id), Some(flat)) = (e.next(), e.next()) else {
                    return Err(bad("short entry"));
                };
                out.push(Entry {
                    id: String::from_utf8(bytes(id)?)?,
                    fields: pairs(array(flat)?, bytes)?,
                });
            }
        }
        Ok(())
    }

    fn frame_bytes(f: Resp3Frame) -> Res<Vec<u8>> {
        match f {
            Resp3Frame::BlobString { data, .. } => Ok(data.to_vec()),
            Resp3Frame::SimpleString { data, .. } => Ok(data.to_vec()),
            _ => Err(bad("not a string")),
        }
    }

    fn frame_array(f: Resp3Frame) -> Res<Vec<Resp3Frame>> {
        match f {
            Resp3Frame::Array { data, .. } => Ok(data),
            _ => Err(bad("not an array")),
        }
    }

    fn frame_entries(reply: Resp3Frame, out: &mut Vec<Entry>) -> Res<()> {
        if let Resp3Frame::Null = reply {
            return Ok(());
        }
        for stream in frame_array(reply)? {
            let mut key_entries = frame_array(stream)?.into_iter();
            for e in frame_array(key_entries.nth(1).ok_or_else(|| bad("no entries"))?)? {
                let mut e = frame_array(e)?.into_iter();
                let (Some(id), Some(flat)) = (e.next(), e.next()) else {
                    return Err(bad("short entry"));
                };
                out.push(Entry {
                    id: String::from_utf8(frame_bytes(id)?)?,
                    fields: pairs(frame_array(flat)?, frame_bytes)?,
                });
            }
        }
        Ok(())
    }

    /// `raw`: XREAD through `custom_raw` (the frame as parsed); else the typed `xread` (fred's Value).
    pub async fn drain(url: &str, key: &str, n: usize, raw: bool) -> Res<(usize, usize)> {
        let client = connect(url).await?;
        let xread = CustomCommand::new_static("XREAD", ClusterHash::Random, false);
        let (mut last, mut count, mut size) = ("0-0".to_string(), 0, 0);
        while count < n {
            let mut got = Vec::with_capacity(BATCH);
            if raw {
                let args = vec!["COUNT", "1000", "STREAMS", key, &last];
                frame_entries(client.custom_raw(xread.clone(), args).await?, &mut got)?;
            } else {
                let reply: Value = client.xread(Some(BATCH as u64), None, key, &last).await?;
                entries(reply, &mut got)?;
            }
            let Some(tail) = got.last() else {
                return Err(bad("stream ended early"));
            };
            last.clone_from(&tail.id);
            count += got.len();
            size += tally(&got);
        }
        client.quit().await?;
        Ok((count, size))
    }
}

/// Bytes of ids, names and values: uses every entry, so no conversion can be skipped.
fn tally(entries: &[Entry]) -> usize {
    let fields = |e: &Entry| {
        e.fields
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
    };
    entries.iter().map(|e| e.id.len() + fields(e)).sum()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [client, mode, url, key, n] = args.as_slice() else {
        return Err("usage: redis-client-ab redis-rs|fred|fred-raw write|drain URL KEY N".into());
    };
    let n: usize = n.parse()?;
    let (count, size) = match (client.as_str(), mode.as_str()) {
        ("redis-rs", "write") => (rs::write(url, key, n).await?, 0),
        ("fred", "write") => (fr::write(url, key, n).await?, 0),
        ("redis-rs", "drain") => rs::drain(url, key, n).await?,
        ("fred", "drain") => fr::drain(url, key, n, false).await?,
        ("fred-raw", "drain") => fr::drain(url, key, n, true).await?,
        _ => return Err(format!("unknown client/mode: {client} {mode}").into()),
    };
    if count != n {
        return Err(format!("{client} {mode}: {count} entries, expected {n}").into());
    }
    let mut out = std::io::stdout();
    writeln!(out, "{client} {mode}: {count} entries, {size} bytes")?;
    Ok(())
}
