//! feedctl's own reader of the replies that carry a recording on one server: plain `XREAD`
//! ([`super::plain`]) and a group's `XREADGROUP` ([`super::source`]), over a stream the
//! connection layer opened ([`stream`]; in a cluster the crate's connection reads instead).
//!
//! Why not the client crate's connection, as everywhere else: its reply parser builds a
//! `Value` (a `Vec` each) for every field of every entry, holding the reply's bytes until the
//! whole is parsed. Measured in one run of bench/redis.sh (docs/benchmarks.md), `record` read
//! 1.55x faster here, and one large entry costs about twice its size in memory here against
//! 3 to 3.5x through the crate. Here a reply is read into one buffer, its end found by a scan that
//! jumps over bulk strings, and the entries are built from the bytes where they lie.
//!
//! What the crate does well stays with it: small replies (AUTH, SELECT, XINFO) and every error
//! go through its parser and then [`Failure::from_redis`], so they mean here what they mean on
//! the crate's connections ([`super::conn`]). TLS (`rediss://`) trusts the same roots as the
//! crate (webpki's).

use std::time::Duration;

use ::redis::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::conn::{connect_timeout, Failure};
use super::guard::{self, Refusal};
use super::url::Server;

/// A connection's byte stream: TCP, or TLS over it.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How much is read from the socket at a time, at least.
const READ_SIZE: usize = 64 * 1024;

/// One connection; replies are read in the order their commands were sent.
pub struct Wire {
    io: Box<dyn Io>,
    server: Server,
    /// How long an awaited reply may go without a byte (above a BLOCK time).
    timeout: Duration,
    /// The largest reply taken ([`guard::max_reply`]); past it the server sends more than
    /// memory should hold, and the read fails instead of growing without bound.
    cap: u64,
    /// Bytes received and not yet taken.
    buf: Vec<u8>,
    /// How far the end of the first reply in `buf` was looked for.
    scan: Scan,
}

impl Wire {
    /// Connects, authenticates and selects the database, as the crate's connections do (or
    /// PINGs: a connection counts once the server answered), each reply within
    /// [`connect_timeout`]. `timeout`: how long an awaited reply may go without a byte.
    pub async fn open(server: &Server, timeout: Duration) -> Result<Wire, Failure> {
        let cap = guard::max_reply().map_err(Failure::Local)?;
        let io = stream(server).await?;
        let mut wire = Wire {
            io,
            server: server.clone(),
            timeout: connect_timeout(),
            cap,
            buf: Vec::with_capacity(READ_SIZE),
            scan: Scan::default(),
        };
        let handshake = async {
            let mut out = Vec::new();
            if let Some(p) = &server.password {
                match &server.username {
                    Some(u) => command(&mut out, &[b"AUTH", u.as_bytes(), p.expose().as_bytes()]),
                    None => command(&mut out, &[b"AUTH", p.expose().as_bytes()]),
                }
                wire.send(&out).await?;
                // Whatever the server says against AUTH, the credentials did not do.
                if value(&wire.reply().await?, server).is_err() {
                    return Err(Failure::auth_failed(server));
                }
            }
            if server.db != 0 {
                out.clear();
                command(&mut out, &[b"SELECT", server.db.to_string().as_bytes()]);
                wire.send(&out).await?;
                value(&wire.reply().await?, server)?;
            }
            if server.password.is_none() && server.db == 0 {
                // Nothing was asked yet: a server that answers nothing (or a TLS server that
                // wants a client certificate, which says so after the handshake) is found here.
                out.clear();
                command(&mut out, &[b"PING"]);
                wire.send(&out).await?;
                value(&wire.reply().await?, server)?;
            }
            Ok::<(), Failure>(())
        };
        match handshake.await {
            Ok(()) => {}
            // Not one byte of an answer: as good as unreachable (not a read to make smaller).
            Err(Failure::Overload(why)) => {
                return Err(Failure::Transient(format!(
                    "{why} while connecting (no answer to the handshake)"
                )))
            }
            Err(f) => return Err(f),
        }
        wire.timeout = timeout;
        Ok(wire)
    }

    /// The connection's stream, for another client to speak over, once every reply was taken.
    pub fn into_io(self, server: &Server) -> Result<Box<dyn Io>, Failure> {
        if !self.buf.is_empty() {
            return Err(Failure::Refused(format!(
                "{server}: the server sent what was not asked for"
            )));
        }
        Ok(self.io)
    }

    /// Sends commands written with [`command`].
    pub async fn send(&mut self, commands: &[u8]) -> Result<(), Failure> {
        let write = async {
            self.io.write_all(commands).await?;
            self.io.flush().await
        };
        match tokio::time::timeout(self.timeout, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(super::conn::io_failure(&self.server, &e)),
            Err(_) => Err(Failure::Transient(format!(
                "{}: a command could not be sent within {:?}",
                self.server, self.timeout
            ))),
        }
    }

    /// The next reply, whole, taken out of the buffer (which keeps what follows it).
    pub async fn reply(&mut self) -> Result<Vec<u8>, Failure> {
        self.replies(1).await
    }

    /// The next `n` replies, whole and one after the other in one buffer ([`replies`] splits
    /// them), taken out of the connection's buffer. A reply is timed by its progress: it fails
    /// when no byte came for the timeout, not when the whole takes longer (a large batch on a
    /// slow link); one over the cap fails as soon as its length or its bytes say so.
    async fn replies(&mut self, n: usize) -> Result<Vec<u8>, Failure> {
        let (mut end, mut found) = (0, 0);
        while found < n {
            let oversize = |r: Refusal| Failure::oversize(&self.server, r);
            match reply_end(&self.buf[end..], &mut self.scan, self.cap) {
                Ok(Some(len)) => {
                    end += len;
                    found += 1;
                    self.scan = Scan::default();
                    continue;
                }
                Ok(None) => {}
                Err(r @ Refusal::Oversize { .. }) => return Err(oversize(r)),
                Err(why) => return Err(Failure::Refused(format!("{}: {why}", self.server))),
            }
            if (self.buf.len() - end) as u64 > self.cap {
                return Err(oversize(Refusal::Oversize {
                    size: (self.buf.len() - end) as u64,
                    cap: self.cap,
                    announced: false,
                }));
            }
            self.fill().await?;
        }
        Ok(self.take(end))
    }

    /// The next reply with the text of every bulk string longer than `keep` left out (each
    /// is an empty string instead): its bytes are dropped as they come, so a reply that
    /// carries entries feedctl does not need (XINFO STREAM's first and last entries, as large
    /// as the largest entry) costs no memory.
    pub async fn skimmed_reply(&mut self, keep: usize) -> Result<Vec<u8>, Failure> {
        let server = self.server.clone();
        let refused = |why: String| Failure::Refused(format!("{server}: {why}"));
        let oversize = |r: Refusal| Failure::oversize(&server, r);
        let (mut pos, mut pending) = (0, 1usize);
        while pending > 0 {
            let Some(h) = header(&self.buf, pos).map_err(refused)? else {
                self.fill().await?;
                continue;
            };
            pending -= 1;
            match h.kind {
                b'$' if h.n > keep as i64 => {
                    if h.n as u64 > self.cap {
                        return Err(oversize(Refusal::Oversize {
                            size: h.n as u64,
                            cap: self.cap,
                            announced: true,
                        }));
                    }
                    let mut skip = h.n as usize + 2;
                    loop {
                        let d = skip.min(self.buf.len() - h.next);
                        self.buf.drain(h.next..h.next + d);
                        skip -= d;
                        if skip == 0 {
                            break;
                        }
                        self.fill().await?;
                    }
                    self.buf.splice(pos..h.next, *b"$0\r\n\r\n");
                    pos += 6;
                }
                b'$' if h.n >= 0 => {
                    let end = h.next + h.n as usize + 2;
                    while self.buf.len() < end {
                        self.fill().await?;
                    }
                    pos = end;
                }
                b'*' => {
                    pending += h.n.max(0) as usize;
                    pos = h.next;
                }
                b'+' | b'-' | b':' | b'$' => pos = h.next,
                other => return Err(refused(guard::not_resp(other))),
            }
            if pos as u64 > self.cap {
                return Err(oversize(Refusal::Oversize {
                    size: pos as u64,
                    cap: self.cap,
                    announced: false,
                }));
            }
        }
        Ok(self.take(pos))
    }

    /// Reads what the server sent next into the buffer: some bytes within the timeout, or a
    /// failure.
    async fn fill(&mut self) -> Result<(), Failure> {
        self.buf.reserve(READ_SIZE);
        let read = tokio::time::timeout(self.timeout, self.io.read_buf(&mut self.buf));
        match read.await {
            Ok(Ok(0)) => Err(Failure::Transient(format!(
                "{}: the server closed the connection",
                self.server
            ))),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(super::conn::io_failure(&self.server, &e)),
            Err(_) => Err(Failure::Overload(format!(
                "{}: {}",
                self.server,
                Refusal::Stalled(self.timeout)
            ))),
        }
    }

    /// The first `end` bytes of the buffer, taken out of it.
    fn take(&mut self, end: usize) -> Vec<u8> {
        let rest = &self.buf[end..];
        let mut next = Vec::with_capacity(rest.len().max(READ_SIZE));
        next.extend_from_slice(rest);
        let mut replies = std::mem::replace(&mut self.buf, next);
        replies.truncate(end);
        replies
    }
}

/// A connection to the server (each step within [`connect_timeout`]): a Unix socket, TCP, or
/// TLS over TCP for `rediss://`, with the run's TLS settings ([`super::conn::tls_config`]).
/// What both feedctl's connections and the crate's are opened on; for `redis+sentinel://`, on
/// the master the sentinels name ([`super::sentinel`]).
pub async fn stream(server: &Server) -> Result<Box<dyn Io>, Failure> {
    let unreachable = |why: String| Failure::Transient(format!("{server}: {why}"));
    if let Some(sentinel) = &server.sentinel {
        return Box::pin(super::sentinel::master_stream(server, sentinel)).await;
    }
    let limit = connect_timeout();
    if let Some(path) = &server.socket {
        let unix = tokio::time::timeout(limit, tokio::net::UnixStream::connect(path))
            .await
            .map_err(|_| unreachable(format!("no connection within {limit:?}")))?
            .map_err(|e| unreachable(e.to_string()))?;
        return Ok(Box::new(unix));
    }
    let tcp = tokio::time::timeout(
        limit,
        TcpStream::connect((server.host.as_str(), server.port)),
    )
    .await
    .map_err(|_| unreachable(format!("no connection within {limit:?}")))?
    .map_err(|e| unreachable(e.to_string()))?;
    // Commands go out whole, each write at once (the crate sets the same).
    let _ = tcp.set_nodelay(true);
    Ok(match server.tls {
        true => Box::new(tls(server, tcp).await?),
        false => Box::new(tcp),
    })
}

/// How long a TLS handshake may go unanswered before the port is asked, over a connection of
/// its own, whether it speaks plain Redis: a plain server waits for the end of a line that a
/// ClientHello seldom has, and says nothing.
const PROBE_AFTER: Duration = Duration::from_millis(750);

/// A TLS session over `tcp`, checked for the URL's host against the run's roots, with its
/// client certificate when one is given. Every TLS error is permanent
/// ([`super::conn::tls_failure`]); a port that speaks plain Redis is told at once.
async fn tls(
    server: &Server,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Failure> {
    let refused = |why: String| Failure::Refused(format!("{server}: TLS: {why}"));
    let config = super::conn::tls_config()?;
    let name = rustls_pki_types::ServerName::try_from(server.host.clone())
        .map_err(|e| refused(e.to_string()))?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let limit = connect_timeout();
    let handshake = tokio::time::timeout(limit, connector.connect(name, tcp));
    tokio::pin!(handshake);
    let done = tokio::select! {
        r = &mut handshake => Some(r),
        _ = tokio::time::sleep(PROBE_AFTER.min(limit)) => None,
    };
    let done = match done {
        Some(r) => r,
        None => {
            let probe = speaks_plain_redis(server);
            tokio::pin!(probe);
            tokio::select! {
                r = &mut handshake => r,
                true = &mut probe => return Err(super::conn::not_tls(server)),
            }
        }
    };
    done.map_err(|_| Failure::Transient(format!("{server}: no TLS handshake within {limit:?}")))?
        .map_err(|e| super::conn::io_failure(server, &e))
}

/// True when the server's port answers a plain `PING` as Redis does (`+PONG`, or an error
/// such as `-NOAUTH`), within the connect timeout.
async fn speaks_plain_redis(server: &Server) -> bool {
    let probe = async {
        let mut tcp = TcpStream::connect((server.host.as_str(), server.port))
            .await
            .ok()?;
        tcp.write_all(b"PING\r\n").await.ok()?;
        let mut first = [0u8; 1];
        tcp.read_exact(&mut first).await.ok()?;
        Some(matches!(first[0], b'+' | b'-'))
    };
    tokio::time::timeout(connect_timeout(), probe)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// Appends one command (a RESP array of bulk strings) to `out`.
pub fn command(out: &mut Vec<u8>, args: &[&[u8]]) {
    array(out, args.len());
    for a in args {
        bulk(out, a);
    }
}

/// Appends the head of a command of `n` arguments, each to follow with [`bulk`] (a command
/// written straight from borrowed parts, with no list of them).
fn array(out: &mut Vec<u8>, n: usize) {
    out.push(b'*');
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends one argument.
fn bulk(out: &mut Vec<u8>, arg: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(itoa::Buffer::new().format(arg.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(arg);
    out.extend_from_slice(b"\r\n");
}

/// A whole reply as the crate's `Value`, or the error the server answered, parsed by the
/// crate and sorted by [`Failure::from_redis`] as on the crate's own connections.
pub fn value(reply: &[u8], server: &Server) -> Result<Value, Failure> {
    ::redis::parse_redis_value(reply)
        .and_then(Value::extract_error)
        .map_err(|e| Failure::from_redis(e, server))
}

/// The error the server answered, when `reply` is one (`-CODE text`).
pub fn error(reply: &[u8], server: &Server) -> Option<Failure> {
    (reply.first() == Some(&b'-'))
        .then(|| value(reply, server).err())
        .flatten()
}

/// Progress of the search for a reply's end: the offset reached, and how many values are
/// still to come there (0 before the search starts).
#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    pos: usize,
    pending: usize,
}

/// Where the reply at the start of `b` ends, if all of it is there. Resumes where `s` stopped
/// (a large reply arrives in many reads), and jumps over bulk strings by their length; one
/// that says it is over `cap` bytes is refused before it comes.
fn reply_end(b: &[u8], s: &mut Scan, cap: u64) -> Result<Option<usize>, Refusal> {
    if s.pending == 0 {
        *s = Scan { pos: 0, pending: 1 };
    }
    while s.pending > 0 {
        let Some(line) = header(b, s.pos).map_err(Refusal::Garbage)? else {
            return Ok(None);
        };
        s.pos = match line.kind {
            b'+' | b'-' | b':' => line.next,
            b'$' if line.n < 0 => line.next,
            b'$' if line.next as u64 + line.n as u64 > cap => {
                // One string over the cap, or the reply grows past it with this one.
                let one = line.n as u64 > cap;
                return Err(Refusal::Oversize {
                    size: if one {
                        line.n as u64
                    } else {
                        line.next as u64 + line.n as u64
                    },
                    cap,
                    announced: one,
                });
            }
            b'$' => {
                let end = line.next + line.n as usize + 2;
                if end > b.len() {
                    return Ok(None);
                }
                if &b[end - 2..end] != b"\r\n" {
                    return Err(Refusal::Garbage(
                        "Redis sent a string longer than it said".into(),
                    ));
                }
                end
            }
            b'*' => {
                s.pending += line.n.max(0) as usize;
                line.next
            }
            other => return Err(Refusal::Garbage(guard::not_resp(other))),
        };
        s.pending -= 1;
    }
    Ok(Some(s.pos))
}

/// One header line: its type byte, its number (for `$`, `*` and `:`), and where what
/// follows it starts.
struct Header {
    kind: u8,
    n: i64,
    next: usize,
}

fn header(b: &[u8], at: usize) -> Result<Option<Header>, String> {
    let Some(nl) = memchr::memchr(b'\n', b.get(at..).unwrap_or_default()) else {
        return Ok(None);
    };
    let end = at + nl;
    if nl < 2 || b[end - 1] != b'\r' {
        return Err("Redis sent a line that does not end in CRLF".into());
    }
    let kind = b[at];
    let text = &b[at + 1..end - 1];
    let n = match kind {
        b'$' | b'*' | b':' => {
            let n = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or_else(|| format!("Redis sent {:?} where a number belongs", kind as char))?;
            // Lengths past any memory are for the caller's cap to refuse.
            if kind != b':' && n < -1 {
                return Err(format!("Redis sent a length of {n}"));
            }
            n
        }
        _ => 0,
    };
    Ok(Some(Header {
        kind,
        n,
        next: end + 1,
    }))
}

/// A reply's values one by one, read where they lie. Only used on a reply [`reply_end`]
/// found whole, so running out is malformed input, never a wait.
struct Values<'a> {
    b: &'a [u8],
    pos: usize,
}

/// One value of a reply: text (simple or bulk), nil, an integer, an array's length.
#[derive(Debug, PartialEq)]
enum Item<'a> {
    Text(&'a [u8]),
    Nil,
    Int(i64),
    Array(usize),
    Error,
}

impl<'a> Values<'a> {
    fn next(&mut self) -> Option<Item<'a>> {
        let h = header(self.b, self.pos).ok()??;
        let (item, next) = match h.kind {
            b'+' => (Item::Text(&self.b[self.pos + 1..h.next - 2]), h.next),
            b'-' => (Item::Error, h.next),
            b':' => (Item::Int(h.n), h.next),
            b'$' | b'*' if h.n < 0 => (Item::Nil, h.next),
            b'$' => {
                let end = h.next + h.n as usize;
                (Item::Text(self.b.get(h.next..end)?), end + 2)
            }
            b'*' => (Item::Array(h.n as usize), h.next),
            _ => return None,
        };
        self.pos = next;
        Some(item)
    }

    /// Text, or `None` for anything else.
    fn text(&mut self) -> Option<&'a [u8]> {
        match self.next()? {
            Item::Text(t) => Some(t),
            _ => None,
        }
    }

    /// An array's length; nil is an empty array.
    fn array(&mut self) -> Option<usize> {
        match self.next()? {
            Item::Array(n) => Some(n),
            Item::Nil => Some(0),
            _ => None,
        }
    }

    /// Skips one value, arrays with all they hold.
    fn skip(&mut self) -> Option<()> {
        let mut pending = 1usize;
        while pending > 0 {
            if let Item::Array(n) = self.next()? {
                pending += n;
            }
            pending -= 1;
        }
        Some(())
    }
}

/// An XREAD reply's entries, key by key, each handed to `entry` with its field pairs as they
/// lie in the reply (`None`: an entry deleted while pending, which only a group read gets).
/// Nil (BLOCK ran out) is no entries. `Err`: the reply is not an XREAD reply.
pub fn xread_entries<'r>(
    reply: &'r [u8],
    mut entry: impl FnMut(&'r [u8], &'r [u8], Option<&[(&'r [u8], &'r [u8])]>),
) -> Result<(), String> {
    let bad = || "Redis answered XREAD with something else than streams of entries".to_string();
    let mut v = Values { b: reply, pos: 0 };
    let mut pairs = Vec::new();
    for _ in 0..v.array().ok_or_else(bad)? {
        if v.array() != Some(2) {
            return Err(bad());
        }
        let key = v.text().ok_or_else(bad)?;
        for _ in 0..v.array().ok_or_else(bad)? {
            if v.array() != Some(2) {
                return Err(bad());
            }
            let id = v.text().ok_or_else(bad)?;
            match v.next().ok_or_else(bad)? {
                Item::Array(n) => {
                    pairs.clear();
                    for _ in 0..n / 2 {
                        let name = v.text().ok_or_else(bad)?;
                        pairs.push((name, v.text().ok_or_else(bad)?));
                    }
                    if n % 2 == 1 {
                        v.skip().ok_or_else(bad)?;
                    }
                    entry(key, id, Some(&pairs));
                }
                Item::Nil => entry(key, id, None),
                _ => return Err(bad()),
            }
        }
    }
    Ok(())
}

/// The last entry id of each key in an XREAD reply (where the next read starts), found
/// without building the entries: the next read is sent before they are built.
pub fn last_ids(reply: &[u8]) -> Result<Vec<(String, String)>, String> {
    let bad = || "Redis answered XREAD with something else than streams of entries".to_string();
    let mut v = Values { b: reply, pos: 0 };
    let mut last = Vec::new();
    let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
    for _ in 0..v.array().ok_or_else(bad)? {
        if v.array() != Some(2) {
            return Err(bad());
        }
        let key = v.text().ok_or_else(bad)?;
        let mut id = None;
        for _ in 0..v.array().ok_or_else(bad)? {
            if v.array() != Some(2) {
                return Err(bad());
            }
            id = Some(v.text().ok_or_else(bad)?);
            v.skip().ok_or_else(bad)?;
        }
        if let Some(id) = id {
            last.push((text(key), text(id)));
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RESP2 of a value tree, as Redis writes it.
    fn resp(v: &Value, out: &mut Vec<u8>) {
        match v {
            Value::Nil => out.extend_from_slice(b"*-1\r\n"),
            Value::Int(i) => out.extend_from_slice(format!(":{i}\r\n").as_bytes()),
            Value::SimpleString(s) => out.extend_from_slice(format!("+{s}\r\n").as_bytes()),
            Value::BulkString(b) => {
                out.extend_from_slice(format!("${}\r\n", b.len()).as_bytes());
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Value::Array(a) => {
                out.extend_from_slice(format!("*{}\r\n", a.len()).as_bytes());
                for v in a {
                    resp(v, out);
                }
            }
            other => panic!("not RESP2: {other:?}"),
        }
    }

    /// The server errors are named after.
    fn server() -> Server {
        crate::redis::StreamUrl::parse("redis://127.0.0.1:1/k", None)
            .unwrap()
            .server()
    }

    fn bulk(b: &[u8]) -> Value {
        Value::BulkString(b.to_vec())
    }

    /// An XREAD reply of two keys, binary values, an odd field count and a deleted entry.
    fn xread_reply() -> Vec<u8> {
        let entry = |id: &str, fields: &[&[u8]]| {
            Value::Array(vec![
                bulk(id.as_bytes()),
                Value::Array(fields.iter().map(|f| bulk(f)).collect()),
            ])
        };
        let reply = Value::Array(vec![
            Value::Array(vec![
                bulk(b"k1"),
                Value::Array(vec![
                    entry("1-0", &[b"a", b"x\r\ny", b"bin", &[0xff, 0, b'\r']]),
                    entry("1-1", &[b"", b""]),
                    Value::Array(vec![bulk(b"1-2"), Value::Nil]),
                ]),
            ]),
            Value::Array(vec![
                bulk(b"k2"),
                Value::Array(vec![entry("5-0", &[b"n", b"1", b"odd"])]),
            ]),
        ]);
        let mut out = Vec::new();
        resp(&reply, &mut out);
        out
    }

    #[test]
    fn a_reply_ends_where_the_crate_parses_one_whatever_the_reads() {
        let mut two = xread_reply();
        let first = two.len();
        two.extend_from_slice(b"+OK\r\n");
        // Fed a byte at a time, as the slowest socket would: found only when whole.
        let mut s = Scan::default();
        for n in 0..=two.len() {
            let end = reply_end(&two[..n], &mut s, u64::MAX).unwrap();
            assert_eq!(end, (n >= first).then_some(first), "after {n} bytes");
            if end.is_some() {
                break;
            }
        }
        assert_eq!(
            value(&two[..first], &server()).unwrap(),
            ::redis::parse_redis_value(&two[..first]).unwrap()
        );
        for (bytes, end) in [
            (&b"$-1\r\n"[..], 5),
            (b"*0\r\n", 4),
            (b":-3\r\n+x", 5),
            (b"-ERR no such key\r\n", 18),
        ] {
            assert_eq!(
                reply_end(bytes, &mut Scan::default(), u64::MAX),
                Ok(Some(end))
            );
        }
    }

    #[test]
    fn garbage_is_refused_not_waited_for() {
        for bytes in [
            &b"HTTP/1.1 400 Bad Request\r\n"[..],
            b"$3\r\nabcd\r\n",
            b"*x\r\n",
            b"$-7\r\n",
            b"+no cr\n",
            b"%2\r\n",
        ] {
            assert!(
                reply_end(bytes, &mut Scan::default(), u64::MAX).is_err(),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn xread_entries_are_read_as_they_lie() {
        let reply = xread_reply();
        let mut seen = Vec::new();
        xread_entries(&reply, |key, id, pairs| {
            seen.push((
                key.to_vec(),
                id.to_vec(),
                pairs.map(|p| {
                    p.iter()
                        .map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .collect::<Vec<_>>()
                }),
            ))
        })
        .unwrap();
        let p = |k: &[u8], v: &[u8]| (k.to_vec(), v.to_vec());
        assert_eq!(
            seen,
            vec![
                (
                    b"k1".to_vec(),
                    b"1-0".to_vec(),
                    Some(vec![p(b"a", b"x\r\ny"), p(b"bin", &[0xff, 0, b'\r'])])
                ),
                (b"k1".to_vec(), b"1-1".to_vec(), Some(vec![p(b"", b"")])),
                (b"k1".to_vec(), b"1-2".to_vec(), None),
                (b"k2".to_vec(), b"5-0".to_vec(), Some(vec![p(b"n", b"1")])),
            ]
        );
        assert_eq!(
            last_ids(&reply).unwrap(),
            vec![("k1".into(), "1-2".into()), ("k2".into(), "5-0".into())]
        );
        // BLOCK ran out: nil, no entries.
        xread_entries(b"*-1\r\n", |_, _, _| panic!("no entries")).unwrap();
        assert!(last_ids(b"*-1\r\n").unwrap().is_empty());
        assert!(xread_entries(b":1\r\n", |_, _, _| {}).is_err());
        assert!(last_ids(b"*1\r\n$1\r\nk\r\n").is_err());
    }

    #[test]
    fn an_error_reply_is_sorted_as_on_the_crates_connections() {
        assert!(matches!(
            error(b"-WRONGTYPE no\r\n", &server()),
            Some(Failure::WrongType)
        ));
        assert!(error(b"$3\r\n1-0\r\n", &server()).is_none());
    }

    /// A connection to a peer that sends `bytes` a few at a time, and then nothing.
    fn wire_reading(bytes: Vec<u8>, cap: u64) -> Wire {
        let (client, mut peer) = tokio::io::duplex(7);
        tokio::spawn(async move {
            let _ = peer.write_all(&bytes).await;
            // Open and silent: a read past what was sent waits for the timeout.
            std::future::pending::<()>().await;
        });
        Wire {
            io: Box::new(client),
            server: server(),
            timeout: Duration::from_millis(300),
            cap,
            buf: Vec::new(),
            scan: Scan::default(),
        }
    }

    #[tokio::test]
    async fn a_skimmed_reply_leaves_long_strings_out_and_the_next_reply_whole() {
        let big = Value::BulkString(vec![b'y'; 5000]);
        let info = |v: Value| {
            Value::Array(vec![
                bulk(b"length"),
                Value::Int(1),
                bulk(b"first-entry"),
                Value::Array(vec![bulk(b"1-0"), Value::Array(vec![bulk(b"payload"), v])]),
            ])
        };
        let mut bytes = Vec::new();
        resp(&info(big), &mut bytes);
        bytes.extend_from_slice(b"+OK\r\n");
        let mut wire = wire_reading(bytes, 1 << 20);
        let got = wire.skimmed_reply(256).await.unwrap();
        let mut want = Vec::new();
        resp(&info(bulk(b"")), &mut want);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(wire.reply().await.unwrap(), b"+OK\r\n");
        // Then silence: timed out as a stall, to be retried with fewer entries.
        assert!(matches!(wire.reply().await, Err(Failure::Overload(_))));
    }

    #[tokio::test]
    async fn a_reply_over_the_cap_is_refused_before_it_is_held() {
        let mut wire = wire_reading(b"$2147483648\r\nxxxx".to_vec(), 1 << 20);
        match wire.reply().await {
            Err(Failure::Oversize { text, one_value }) => {
                assert!(one_value);
                assert!(text.contains("a reply of 2147483648 bytes"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        // Many values that add up: fewer entries a read would fit.
        let mut many = b"*100\r\n".to_vec();
        for _ in 0..100 {
            many.extend_from_slice(b"$20\r\n01234567890123456789\r\n");
        }
        let mut wire = wire_reading(many, 1000);
        assert!(matches!(
            wire.reply().await,
            Err(Failure::Oversize {
                one_value: false,
                ..
            })
        ));
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        let mut out = Vec::new();
        command(&mut out, &[b"XREAD", b"COUNT", b"10", b""]);
        assert_eq!(
            out,
            b"*4\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n$2\r\n10\r\n$0\r\n\r\n"
        );
    }
}
