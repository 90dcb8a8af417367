//! One consumer group of one stream, as a worker, `status` and `requeue` talk to it: every
//! Redis command they send, each failure sorted by `redis::conn::Failure`.

use std::collections::HashMap;
use std::time::Duration;

use crate::redis::conn::Conn;
use redis::Value;

use crate::feed::SourceError;
use crate::redis::conn::{self, Failure};
use crate::redis::{Server, StreamUrl};

use super::reply::{self, Got, Pairs, PendingEntry};

/// How long one blocking read waits for new entries: short, so that signals, retries that fall
/// due and the periodic claim are never kept waiting longer than this.
pub const BLOCK: Duration = Duration::from_millis(1000);

/// A connection to one stream key (and, for workers, one group and consumer name).
pub struct Group {
    pub server: Server,
    pub key: String,
    pub group: String,
    pub consumer: String,
    conn: Conn,
}

/// What a command is doing, for error messages.
fn fail(server: &Server, what: &str, e: redis::RedisError) -> SourceError {
    Failure::from_redis(e, server).into_source_error(what)
}

impl Group {
    /// Connects; replies may take up to BLOCK plus a margin (the client's 500 ms default would
    /// fail every blocking read).
    pub async fn connect(
        url: &StreamUrl,
        group: &str,
        consumer: &str,
    ) -> Result<Group, SourceError> {
        let server = url.server();
        let conn = conn::connect(&server, BLOCK + Duration::from_secs(10))
            .await
            .map_err(|f| f.into_source_error(&format!("connecting to {server}")))?;
        Ok(Group {
            server,
            key: url.key.clone(),
            group: group.to_string(),
            consumer: consumer.to_string(),
            conn,
        })
    }

    async fn query(&mut self, what: &str, cmd: &redis::Cmd) -> Result<Value, SourceError> {
        match cmd.query_async::<Value>(&mut self.conn).await {
            Ok(v) => Ok(v),
            Err(e) if e.code() == Some("WRONGTYPE") => Err(self.wrong_type().await),
            Err(e) => Err(fail(&self.server, what, e)),
        }
    }

    /// The error for a key that is not a stream, naming what it is.
    async fn wrong_type(&mut self) -> SourceError {
        let kind = redis::cmd("TYPE")
            .arg(&self.key)
            .query_async::<Value>(&mut self.conn)
            .await
            .ok()
            .and_then(|v| reply::text(&v))
            .unwrap_or_else(|| "value of another type".into());
        Failure::WrongTypeOf(self.key.clone(), kind).into_source_error("")
    }

    /// Creates the group from the start of the stream (MKSTREAM) unless it exists; true when made.
    pub async fn ensure(&mut self) -> Result<bool, SourceError> {
        let mut cmd = redis::cmd("XGROUP");
        cmd.arg("CREATE")
            .arg(&self.key)
            .arg(&self.group)
            .arg("0")
            .arg("MKSTREAM");
        match cmd.query_async::<Value>(&mut self.conn).await {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(false),
            Err(e) if e.code() == Some("WRONGTYPE") => Err(self.wrong_type().await),
            Err(e) => Err(fail(&self.server, "creating the consumer group", e)),
        }
    }

    /// Entries never delivered to anyone (`>`), waiting up to `block`.
    pub async fn read_new(
        &mut self,
        count: usize,
        block: Duration,
    ) -> Result<Vec<Got>, SourceError> {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(&self.group)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(count.max(1))
            .arg("BLOCK")
            .arg(block.as_millis().max(1) as u64)
            .arg("STREAMS")
            .arg(&self.key)
            .arg(">");
        Ok(reply::read_reply(&self.query("XREADGROUP", &cmd).await?))
    }

    /// This consumer's own pending entries after `after` (a restarted worker's leftovers).
    pub async fn read_own(&mut self, after: &str, count: usize) -> Result<Vec<Got>, SourceError> {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(&self.group)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(count.max(1))
            .arg("STREAMS")
            .arg(&self.key)
            .arg(after);
        Ok(reply::read_reply(&self.query("XREADGROUP", &cmd).await?))
    }

    /// Takes over entries idle longer than `min_idle` from `start` on: (next start, entries,
    /// ids deleted meanwhile, which Redis drops from the PEL itself).
    pub async fn autoclaim(
        &mut self,
        min_idle: Duration,
        start: &str,
        count: usize,
    ) -> Result<(String, Vec<Got>, Vec<String>), SourceError> {
        let mut cmd = redis::cmd("XAUTOCLAIM");
        cmd.arg(&self.key)
            .arg(&self.group)
            .arg(&self.consumer)
            .arg(min_idle.as_millis() as u64)
            .arg(start)
            .arg("COUNT")
            .arg(count.max(1));
        Ok(reply::autoclaim(&self.query("XAUTOCLAIM", &cmd).await?))
    }

    /// Delivers given pending entries to this consumer again (the delivery count goes up), if
    /// they have been idle at least `min_idle` (so an entry another worker took meanwhile stays
    /// with it).
    pub async fn claim(
        &mut self,
        ids: &[String],
        min_idle: Duration,
    ) -> Result<Vec<Got>, SourceError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("XCLAIM");
        cmd.arg(&self.key)
            .arg(&self.group)
            .arg(&self.consumer)
            .arg(min_idle.as_millis() as u64)
            .arg(ids);
        Ok(reply::entries(&self.query("XCLAIM", &cmd).await?))
    }

    /// Resets the idle time of entries this worker holds without counting a delivery (JUSTID):
    /// a re-queue (exit 75) is not a failed delivery, and a running handler's entry must not
    /// look abandoned to the other workers. Returns the ids still held.
    pub async fn touch(
        &mut self,
        ids: &[String],
        min_idle: Duration,
    ) -> Result<Vec<String>, SourceError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("XCLAIM");
        cmd.arg(&self.key)
            .arg(&self.group)
            .arg(&self.consumer)
            .arg(min_idle.as_millis() as u64)
            .arg(ids)
            .arg("JUSTID");
        Ok(reply::ids(&self.query("XCLAIM", &cmd).await?))
    }

    /// The fields of given entries (XRANGE id id each, pipelined); None for one deleted.
    pub async fn fetch(&mut self, ids: &[String]) -> Result<Vec<Got>, SourceError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.cmd("XRANGE").arg(&self.key).arg(id).arg(id);
        }
        let replies: Vec<Value> = pipe
            .query_async(&mut self.conn)
            .await
            .map_err(|e| fail(&self.server, "XRANGE", e))?;
        Ok(ids
            .iter()
            .zip(replies)
            .map(|(id, v)| {
                let pairs = reply::entries(&v).into_iter().next().and_then(|g| g.pairs);
                Got {
                    id: id.clone(),
                    pairs,
                }
            })
            .collect())
    }

    /// The PEL lines of given ids held by this consumer: delivery counts and idle times.
    pub async fn pending_of(
        &mut self,
        ids: &[String],
    ) -> Result<HashMap<String, PendingEntry>, SourceError> {
        let mut sorted: Vec<&String> = ids.iter().collect();
        sorted.sort_by_key(|id| reply::parse_id(id));
        let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
            return Ok(HashMap::new());
        };
        let mut cmd = redis::cmd("XPENDING");
        cmd.arg(&self.key)
            .arg(&self.group)
            .arg(first.as_str())
            .arg(last.as_str())
            .arg(ids.len().max(1) * 4 + 100)
            .arg(&self.consumer);
        let lines = reply::pending(&self.query("XPENDING", &cmd).await?);
        Ok(lines.into_iter().map(|p| (p.id.clone(), p)).collect())
    }

    /// How many entries are pending with this consumer (the summary form of XPENDING).
    pub async fn pending_here(&mut self) -> Result<u64, SourceError> {
        let mut cmd = redis::cmd("XPENDING");
        cmd.arg(&self.key).arg(&self.group);
        let v = self.query("XPENDING", &cmd).await?;
        let Value::Array(summary) = v else {
            return Ok(0);
        };
        let Some(Value::Array(consumers)) = summary.get(3) else {
            return Ok(0);
        };
        Ok(consumers
            .iter()
            .filter_map(|c| match c {
                Value::Array(pair) if pair.len() == 2 => {
                    Some((reply::text(&pair[0])?, reply::int(&pair[1])?))
                }
                _ => None,
            })
            .find(|(name, _)| *name == self.consumer)
            .map_or(0, |(_, n)| n.max(0) as u64))
    }

    /// Acknowledges entries; returns how many were still pending.
    pub async fn ack(&mut self, ids: &[String]) -> Result<i64, SourceError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut cmd = redis::cmd("XACK");
        cmd.arg(&self.key).arg(&self.group).arg(ids);
        Ok(reply::int(&self.query("XACK", &cmd).await?).unwrap_or(0))
    }

    /// Appends entries to `key` (pipelined XADD); returns the new ids. Fails as a whole if any
    /// XADD failed, so the caller acknowledges nothing it could not write.
    pub async fn add_all(
        &mut self,
        key: &str,
        entries: &[Pairs],
    ) -> Result<Vec<String>, SourceError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for pairs in entries {
            let c = pipe.cmd("XADD").arg(key).arg("*");
            for (k, v) in pairs {
                c.arg(k.as_slice()).arg(v.as_slice());
            }
        }
        let replies: Vec<Value> = pipe
            .query_async(&mut self.conn)
            .await
            .map_err(|e| fail(&self.server, &format!("XADD to `{key}`"), e))?;
        Ok(replies.iter().filter_map(reply::text).collect())
    }

    /// Deletes entries from `key` (XDEL).
    pub async fn delete(&mut self, key: &str, ids: &[String]) -> Result<i64, SourceError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut cmd = redis::cmd("XDEL");
        cmd.arg(key).arg(ids);
        Ok(reply::int(&self.query("XDEL", &cmd).await?).unwrap_or(0))
    }

    /// Entries of `key` from `start` (inclusive), at most `count`.
    pub async fn range(
        &mut self,
        key: &str,
        start: &str,
        count: usize,
    ) -> Result<Vec<Got>, SourceError> {
        let mut cmd = redis::cmd("XRANGE");
        cmd.arg(key)
            .arg(start)
            .arg("+")
            .arg("COUNT")
            .arg(count.max(1));
        Ok(reply::entries(&self.query("XRANGE", &cmd).await?))
    }

    /// Any other command, its errors sorted the same way.
    pub async fn run(&mut self, what: &str, cmd: &redis::Cmd) -> Result<Value, SourceError> {
        self.query(what, cmd).await
    }

    /// A second handle on the same connection, for commands sent while another one waits.
    pub fn handle(&self) -> Group {
        Group {
            server: self.server.clone(),
            key: self.key.clone(),
            group: self.group.clone(),
            consumer: self.consumer.clone(),
            conn: self.conn.clone(),
        }
    }
}
