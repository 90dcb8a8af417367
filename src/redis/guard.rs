//! Bounds on what a Redis server can make feedctl hold or wait for, on every connection (the
//! redis crate's and feedctl's own, [`super::wire`]): a reply larger than [`max_reply`] is
//! refused as soon as its size is known (a bulk string says its length first), and a reply
//! that is awaited times out only when no byte of it came for a while, however long the whole
//! reply takes on a slow link.
//!
//! The crate has no limit of its own (its parser allocates what a length header asks for), so
//! its connections are opened here over a stream ([`Guarded`]) that follows the replies as
//! their bytes go by ([`Framer`]) and fails the connection when one is too large or stalls.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The variable that raises (or lowers) [`max_reply`], in MiB.
pub const MAX_REPLY_VAR: &str = "FEEDCTL_REDIS_MAX_REPLY_MIB";

/// [`max_reply`] when [`MAX_REPLY_VAR`] is not set: Redis's own default `proto-max-bulk-len`,
/// the largest string a server with default settings accepts.
pub const DEFAULT_MAX_REPLY_MIB: u64 = 512;

/// The largest reply a connection accepts, in bytes: [`MAX_REPLY_VAR`] or the default, read
/// once per run. `Err`: the variable is not a whole number of MiB from 1 on.
pub fn max_reply() -> Result<u64, String> {
    static CAP: OnceLock<Result<u64, String>> = OnceLock::new();
    CAP.get_or_init(|| {
        let Some(v) = std::env::var_os(MAX_REPLY_VAR).filter(|v| !v.is_empty()) else {
            return Ok(DEFAULT_MAX_REPLY_MIB << 20);
        };
        v.to_str()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .filter(|mib| (1..=1 << 24).contains(mib))
            .map(|mib| mib << 20)
            .ok_or_else(|| {
                format!(
                    "{MAX_REPLY_VAR}={}: not a number of MiB (1 to 16777216); unset it for {DEFAULT_MAX_REPLY_MIB}",
                    v.to_string_lossy()
                )
            })
    })
    .clone()
}

/// Why a connection's replies were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// A reply over the cap (bytes): `announced` when one string's length alone is over it
    /// (`size` is that length), else the reply grew past it (`size`: how far it got).
    #[error("{}", oversize_text(*.size, *.cap, *.announced))]
    Oversize {
        size: u64,
        cap: u64,
        announced: bool,
    },
    /// Bytes that are not RESP.
    #[error("{0}")]
    Garbage(String),
    /// A reply was awaited and no byte of it came for this long.
    #[error("no byte of a reply for {0:?}")]
    Stalled(Duration),
}

fn oversize_text(size: u64, cap: u64, announced: bool) -> String {
    let what = match announced {
        true => format!("a reply of {size} bytes"),
        false => "a reply".to_string(),
    };
    format!(
        "{what} is over the limit of {} MiB a reply may take; set {MAX_REPLY_VAR} to raise it",
        cap >> 20
    )
}

/// The text of a reply that is not RESP, with what the user may check.
pub fn not_resp(kind: u8) -> String {
    format!(
        "the reply is not Redis's protocol (it starts with {:?}, not a RESP type); is this a Redis server's port?",
        kind as char
    )
}

/// The longest header line of a length or an integer: a sign and 20 digits, CR LF.
const MAX_HEADER: usize = 24;

/// Follows RESP values as their bytes go by, holding no more than a header line: counts the
/// values that ended and refuses one over the cap. It keeps nothing else, so it costs the same
/// whatever a server sends.
#[derive(Debug)]
pub struct Framer {
    cap: u64,
    /// Values still to come in the current top-level value (0: between values).
    pending: u64,
    /// Bytes of the current top-level value so far.
    size: u64,
    /// Bytes of a bulk string's body (with its CR LF) still to come; 0: in a header line.
    body: u64,
    /// The header line so far, up to [`MAX_HEADER`] bytes (a simple string's text is not kept).
    line: Vec<u8>,
}

impl Framer {
    /// Refuses a value over `cap` bytes.
    pub fn new(cap: u64) -> Framer {
        Framer {
            cap,
            pending: 0,
            size: 0,
            body: 0,
            line: Vec::with_capacity(MAX_HEADER),
        }
    }

    /// A value has started and not ended.
    pub fn inside(&self) -> bool {
        self.pending > 0 || !self.line.is_empty()
    }

    /// Takes the next bytes of the stream; returns how many top-level values ended in them.
    pub fn feed(&mut self, mut b: &[u8]) -> Result<u64, Refusal> {
        let mut ended = 0;
        while !b.is_empty() {
            if self.body > 0 {
                let n = self.body.min(b.len() as u64);
                self.body -= n;
                self.grow(n)?;
                b = &b[n as usize..];
                if self.body == 0 {
                    ended += self.one_ended();
                }
                continue;
            }
            let (part, whole) = match memchr::memchr(b'\n', b) {
                Some(nl) => (&b[..=nl], true),
                None => (b, false),
            };
            b = &b[part.len()..];
            self.grow(part.len() as u64)?;
            let room = MAX_HEADER.saturating_sub(self.line.len()).min(part.len());
            self.line.extend_from_slice(&part[..room]);
            let kind = self.line[0];
            let simple = matches!(kind, b'+' | b'-' | b',' | b'(' | b'_' | b'#');
            if !simple && room < part.len() {
                return Err(Refusal::Garbage(match kind {
                    b'$' | b'*' | b':' | b'=' | b'!' | b'%' | b'~' | b'>' | b'|' => {
                        "Redis sent a length line of over 24 bytes".into()
                    }
                    other => not_resp(other),
                }));
            }
            if whole {
                ended += self.header()?;
            }
        }
        Ok(ended)
    }

    fn grow(&mut self, n: u64) -> Result<(), Refusal> {
        self.size += n;
        match self.size > self.cap {
            true => Err(Refusal::Oversize {
                size: self.size,
                cap: self.cap,
                announced: false,
            }),
            false => Ok(()),
        }
    }

    /// A whole header line is in `line`: how many top-level values it ended (0 or 1).
    fn header(&mut self) -> Result<u64, Refusal> {
        let kind = self.line[0];
        let number = || integer(self.line[1..].strip_suffix(b"\r\n")?);
        let n = match kind {
            b'+' | b'-' | b',' | b'(' | b'_' | b'#' => None,
            b':' | b'$' | b'=' | b'!' | b'*' | b'%' | b'~' | b'>' | b'|' => {
                Some(number().ok_or_else(|| {
                    Refusal::Garbage(format!(
                        "Redis sent {:?} where a number belongs",
                        kind as char
                    ))
                })?)
            }
            other => return Err(Refusal::Garbage(not_resp(other))),
        };
        self.line.clear();
        if self.pending == 0 {
            self.pending = 1;
        }
        let n = n.unwrap_or(0);
        match kind {
            b'$' | b'=' | b'!' if n >= 0 => {
                let size = self.size + n as u64 + 2;
                if size > self.cap {
                    // One string over the cap, or the reply grows past it with this one.
                    let one = n as u64 > self.cap;
                    return Err(Refusal::Oversize {
                        size: if one { n as u64 } else { size },
                        cap: self.cap,
                        announced: one,
                    });
                }
                self.body = n as u64 + 2;
                Ok(0)
            }
            b'*' | b'~' | b'>' | b'%' | b'|' if n > 0 => {
                let n = n as u64;
                self.pending += match kind {
                    b'%' => n * 2,
                    // An attribute's pairs, then the value it is about.
                    b'|' => n * 2 + 1,
                    _ => n,
                };
                Ok(self.one_ended())
            }
            _ => Ok(self.one_ended()),
        }
    }

    /// One value ended: 1 when that ended a top-level value.
    fn one_ended(&mut self) -> u64 {
        self.pending -= 1;
        if self.pending > 0 {
            return 0;
        }
        self.size = 0;
        1
    }
}

/// The decimal integer of a header line (every command's and reply's argument has one, so
/// this is read without going through `str`).
fn integer(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
    }
    Some(if negative { -n } else { n })
}

/// Commands handed to a connection and replies that came back: the connection's handle counts
/// the commands ([`super::conn::Node`]), its stream the replies (one reply per command: the
/// crate's connections are RESP2, with no subscriptions), so the stream knows when a reply is
/// awaited without reading the commands it writes (following their headers cost a tenth of
/// `replay --to`).
#[derive(Debug, Default)]
pub struct Meter {
    asked: AtomicU64,
    answered: AtomicU64,
}

impl Meter {
    /// `n` more commands were handed to the connection.
    pub fn asked(&self, n: u64) {
        self.asked.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts afresh: after the handshake, whose commands the handle did not count and whose
    /// replies all came.
    pub fn reset(&self) {
        self.answered.store(0, Ordering::Relaxed);
        self.asked.store(0, Ordering::Relaxed);
    }

    fn answered(&self, n: u64) {
        self.answered.fetch_add(n, Ordering::Relaxed);
    }

    /// A reply is awaited.
    fn awaited(&self) -> bool {
        self.asked.load(Ordering::Relaxed) > self.answered.load(Ordering::Relaxed)
    }
}

/// A connection's stream with a [`Framer`] on its replies: a reply over the cap fails it, and
/// so does a wait of `progress` without a byte while a reply is awaited ([`Meter`]).
pub struct Guarded<S> {
    inner: S,
    /// The refusal that failed the stream, for its connection's callers ([`Said`]).
    said: Said,
    replies: Framer,
    meter: Arc<Meter>,
    /// The timer runs for an awaited reply.
    awaiting: bool,
    progress: Duration,
    timer: Pin<Box<Sleep>>,
}

impl<S> Guarded<S> {
    /// Refuses replies over `cap` bytes, and a reply awaited without a byte for `progress`.
    pub fn new(inner: S, cap: u64, progress: Duration) -> Guarded<S> {
        Guarded {
            inner,
            said: Said::default(),
            replies: Framer::new(cap),
            meter: Arc::default(),
            awaiting: false,
            progress,
            timer: Box::pin(tokio::time::sleep(progress)),
        }
    }

    /// The counts of commands and replies, shared with the connection's handle.
    pub fn meter(&self) -> Arc<Meter> {
        self.meter.clone()
    }

    /// A reply's wait starts now, unless one was already timed.
    fn await_reply(&mut self) {
        if !self.awaiting {
            self.awaiting = true;
            self.restart_timer();
        }
    }

    /// Where the refusal that fails this stream is kept.
    pub fn said(&self) -> Said {
        self.said.clone()
    }

    /// Fails the stream with `r`, kept for the callers.
    fn refuse(&self, r: Refusal) -> io::Error {
        if let Ok(mut said) = self.said.lock() {
            said.get_or_insert(r.clone());
        }
        refused(r)
    }

    fn restart_timer(&mut self) {
        self.timer.as_mut().reset(Instant::now() + self.progress);
    }
}

/// The refusal that failed a [`Guarded`] stream. The crate's connection gives the stream's
/// error to the request in flight then, but the requests queued behind it only learn that the
/// connection broke: each reads it here, so a reply over the cap means fewer entries at a time
/// whichever request met it.
pub type Said = Arc<Mutex<Option<Refusal>>>;

/// `e`, or the refusal that failed the stream under it.
pub fn explained(e: ::redis::RedisError, said: &Said) -> ::redis::RedisError {
    if refusal_of(&e).is_some() {
        return e;
    }
    match said.lock().ok().and_then(|s| s.clone()) {
        Some(r) => refused(r).into(),
        None => e,
    }
}

fn refused(r: Refusal) -> io::Error {
    let kind = match r {
        Refusal::Stalled(_) => io::ErrorKind::TimedOut,
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, r)
}

/// The [`Refusal`] an error of the crate carries, when a [`Guarded`] stream failed it.
pub fn refusal_of(e: &::redis::RedisError) -> Option<Refusal> {
    // The crate keeps the stream's io::Error in an Arc, which it gives as the source.
    type Shared = std::sync::Arc<dyn std::error::Error + Send + Sync>;
    let source = std::error::Error::source(e)?;
    let io = match source.downcast_ref::<Shared>() {
        Some(shared) => shared.downcast_ref::<io::Error>()?,
        None => source.downcast_ref::<io::Error>()?,
    };
    io.get_ref()?.downcast_ref::<Refusal>().cloned()
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let got = &buf.filled()[before..];
                if got.is_empty() && self.replies.inside() {
                    // Cut off in the middle of a reply: a dropped connection, not a reply
                    // that is not Redis's (which is what the crate's parser would say).
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection in the middle of a reply",
                    )));
                }
                if got.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                let ended = match self.replies.feed(got) {
                    Ok(n) => n,
                    Err(r) => return Poll::Ready(Err(self.refuse(r))),
                };
                self.meter.answered(ended);
                self.restart_timer();
                self.awaiting = self.replies.inside() || self.meter.awaited();
                Poll::Ready(Ok(()))
            }
            Poll::Pending if self.meter.awaited() || self.replies.inside() => {
                self.await_reply();
                match self.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        Poll::Ready(Err(self.refuse(Refusal::Stalled(self.progress))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let n = match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => n,
            other => return other,
        };
        if n > 0 && self.meter.awaited() {
            // The first command awaited: its reply's time starts now.
            self.await_reply();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_numbers_are_read_as_redis_writes_them() {
        assert_eq!(integer(b"0"), Some(0));
        assert_eq!(integer(b"-1"), Some(-1));
        assert_eq!(integer(b"2147483648"), Some(2147483648));
        assert_eq!(integer(b"9223372036854775807"), Some(i64::MAX));
        for bad in [&b""[..], b"-", b"1a", b" 1", b"99999999999999999999"] {
            assert_eq!(integer(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn values_end_where_they_end_whatever_the_reads() {
        let stream = b"*2\r\n$3\r\nabc\r\n*1\r\n:5\r\n+OK\r\n$-1\r\n-ERR x\r\n%1\r\n+a\r\n_\r\n";
        for step in [1, 2, 3, 7, stream.len()] {
            let mut f = Framer::new(1 << 20);
            let ended: u64 = stream.chunks(step).map(|c| f.feed(c).unwrap()).sum();
            assert_eq!(ended, 5, "reads of {step}");
            assert!(!f.inside());
        }
    }

    #[test]
    fn a_reply_over_the_cap_is_refused_at_its_length() {
        let mut f = Framer::new(1 << 20);
        let r = f.feed(b"$2147483648\r\n").unwrap_err();
        assert!(matches!(
            r,
            Refusal::Oversize {
                size: 2147483648,
                announced: true,
                ..
            }
        ));
        assert!(r.to_string().contains(MAX_REPLY_VAR), "{r}");
        // Many small values add up too.
        let mut f = Framer::new(100);
        f.feed(b"*1000\r\n").unwrap();
        let r = (0..100).find_map(|_| f.feed(b"$3\r\nabc\r\n").err());
        assert!(matches!(
            r,
            Some(Refusal::Oversize {
                announced: false,
                ..
            })
        ));
        // A line that never ends.
        let mut f = Framer::new(1 << 20);
        assert!(f.feed(&[b'+'; 2 << 20]).is_err());
        assert!(Framer::new(1 << 20)
            .feed(b"$11111111111111111111111111\r\n")
            .is_err());
        assert!(Framer::new(1 << 20).feed(b"HTTP/1.1 400\r\n").is_err());
    }

    #[tokio::test]
    async fn a_reply_awaited_is_timed_by_its_progress() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let step = Duration::from_millis(200);
        let (ours, mut peer) = tokio::io::duplex(1024);
        let mut g = Guarded::new(ours, 1 << 20, step);
        let meter = g.meter();
        let mut buf = [0u8; 64];
        // Nothing asked: silence is no stall.
        let idle = tokio::time::timeout(step * 3, g.read(&mut buf)).await;
        assert!(idle.is_err(), "no command, no timer");
        meter.asked(1);
        g.write_all(b"*1\r\n$4\r\nPING\r\n").await.unwrap();
        // A reply that trickles a byte at a time, each within the timeout, is fine...
        let mut got = Vec::new();
        let feeder = tokio::spawn(async move {
            for b in b"$4\r\nPONG\r\n" {
                tokio::time::sleep(step / 2).await;
                peer.write_all(&[*b]).await.unwrap();
            }
            peer
        });
        while got.len() < 10 {
            let n = g.read(&mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"$4\r\nPONG\r\n");
        let _peer = feeder.await.unwrap();
        // ...one that does not come fails the connection.
        meter.asked(1);
        g.write_all(b"*1\r\n$4\r\nPING\r\n").await.unwrap();
        let e = g.read(&mut buf).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(
            e.to_string().contains("no byte of a reply for 200ms"),
            "{e}"
        );
    }

    #[test]
    fn a_refusal_is_found_in_the_crates_error() {
        let e = ::redis::RedisError::from(refused(Refusal::Stalled(Duration::from_secs(3))));
        assert_eq!(
            refusal_of(&e),
            Some(Refusal::Stalled(Duration::from_secs(3)))
        );
        let e = ::redis::RedisError::from(io::Error::other("reset"));
        assert_eq!(refusal_of(&e), None);
    }
}
