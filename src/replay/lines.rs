//! Reading a handler's output line by line in bounded memory: a line longer than the limit is
//! kept up to the limit and the rest read and dropped, so a handler printing hundreds of MB
//! (with or without newlines) costs the limit, not what it printed.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One line, without its newline: at most the limit's bytes, and how long it really was.
#[derive(Debug)]
pub struct Line {
    pub bytes: Vec<u8>,
    /// The whole line's length, newline excluded; more than `bytes.len()` when it was cut.
    pub len: u64,
    /// Whether a newline ended it (the last line of a stream may have none).
    pub ended: bool,
}

impl Line {
    pub fn was_cut(&self) -> bool {
        self.len > self.bytes.len() as u64
    }
}

/// Lines of at most `max` bytes from `reader`. `next_line` is cancel-safe: a line cut short by
/// a `select!` goes on where it stopped on the next call.
pub struct BoundedLines<R> {
    reader: R,
    max: usize,
    line: Vec<u8>,
    len: u64,
}

impl<R: AsyncBufRead + Unpin> BoundedLines<R> {
    pub fn new(reader: R, max: usize) -> Self {
        BoundedLines {
            reader,
            max,
            line: Vec::new(),
            len: 0,
        }
    }

    /// The next line; `None` at the end of the stream (a last line without a newline counts).
    pub async fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        loop {
            // fill_buf is cancel-safe, and nothing below awaits between reading and consuming.
            let buf = self.reader.fill_buf().await?;
            if buf.is_empty() {
                if self.len == 0 && self.line.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.take(false)));
            }
            let (upto, ends) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            let room = self.max.saturating_sub(self.line.len());
            self.line.extend_from_slice(&buf[..upto.min(room)]);
            self.len += upto as u64;
            self.reader.consume(if ends { upto + 1 } else { upto });
            if ends {
                return Ok(Some(self.take(true)));
            }
        }
    }

    fn take(&mut self, ended: bool) -> Line {
        let len = std::mem::take(&mut self.len);
        Line {
            bytes: std::mem::take(&mut self.line),
            len,
            ended,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_cut_and_counted() {
        let input: &[u8] = b"short\n0123456789abcdef\nlast";
        let mut lines = BoundedLines::new(tokio::io::BufReader::with_capacity(4, input), 8);
        let a = lines.next_line().await.unwrap().unwrap();
        assert_eq!(
            (a.bytes.as_slice(), a.len, a.was_cut()),
            (&b"short"[..], 5, false)
        );
        let b = lines.next_line().await.unwrap().unwrap();
        assert_eq!(
            (b.bytes.as_slice(), b.len, b.was_cut()),
            (&b"01234567"[..], 16, true)
        );
        let c = lines.next_line().await.unwrap().unwrap();
        assert_eq!((c.bytes.as_slice(), c.ended), (&b"last"[..], false));
        assert!(lines.next_line().await.unwrap().is_none());
    }
}
