//! `--mode stream`: one long-lived handler. feedctl writes one JSON line per event and reads one
//! result line per event, matched by `id`, so results may come back in any order. The protocol
//! is documented in `docs/handler.md`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::exec::{kill_group, one_line};
use super::lines::BoundedLines;
use super::sink::Done;
use super::{Chunk, Outcome, RunResult, RunSettings, REQUEUE_STATUS};
use crate::feed::Envelope;

/// The longest result line read whole; a longer line is cut there (and is no result).
const RESULT_LINE_LIMIT: usize = 64 * 1024;

/// A result line from the handler.
#[derive(Debug, Deserialize)]
struct ResultLine<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    status: Option<Status<'a>>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Status<'a> {
    Code(i64),
    #[serde(borrow)]
    Word(std::borrow::Cow<'a, str>),
    Other(serde::de::IgnoredAny),
}

/// The row a result's id names, when it is a request of this attempt (`<row>.<attempt>`).
fn request_row(id: &str, attempt: u32) -> Option<i64> {
    let (row, of) = id.split_once('.')?;
    (of.parse::<u32>().ok()? == attempt).then(|| row.parse().ok())?
}

impl ResultLine<'_> {
    /// `0`/`"ok"` handled, `75`/`"requeue"` re-queue, anything else a failure.
    fn status_code(&self) -> i32 {
        match &self.status {
            None => 0,
            Some(Status::Code(n)) => i32::try_from(*n).unwrap_or(1),
            Some(Status::Word(w)) => match w.as_ref() {
                "ok" | "handled" => 0,
                "requeue" | "retry" => REQUEUE_STATUS,
                _ => 1,
            },
            Some(Status::Other(_)) => 1,
        }
    }
}

/// Asks for a 1 MiB pipe to the handler (Linux; 64 KiB otherwise): a chunk of events then goes
/// in with one write, instead of feedctl waiting for the handler to drain each 64 KiB, which
/// is one more wake-up of each side per chunk. Best effort: a refusal keeps the default.
fn grow_pipe(stdin: &ChildStdin) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: F_SETPIPE_SZ on a pipe feedctl owns; it only resizes the kernel's buffer.
        unsafe { libc::fcntl(stdin.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stdin;
}

/// The running handler.
pub struct StreamHandler {
    settings: RunSettings,
    child: Option<Child>,
    stdin: Option<BufWriter<ChildStdin>>,
    /// Read in the delivering task itself: no hand-off per result line.
    results: Option<BoundedLines<BufReader<ChildStdout>>>,
    pgid: i32,
}

impl StreamHandler {
    pub fn new(settings: RunSettings) -> Self {
        StreamHandler {
            settings,
            child: None,
            stdin: None,
            results: None,
            pgid: 0,
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        let mut child = Command::new(super::exec::shell())
            .arg0("sh")
            .arg("-c")
            .arg(&self.settings.command)
            .process_group(0)
            .env("FEEDCTL_MODE", "stream")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if self.settings.verbose {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .spawn()?;
        self.pgid = child.id().map(|p| p as i32).unwrap_or(0);
        super::watchdog::guard(self.pgid);
        // `-v`: the handler's stderr, echoed line by line terminal-safe (it often repeats
        // event text), never passed to the terminal as is.
        if let Some(err) = child.stderr.take() {
            tokio::spawn(super::exec::capture(err, Some("[handler]".into())));
        }
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        grow_pipe(&stdin);
        self.stdin = Some(BufWriter::with_capacity(64 * 1024, stdin));
        self.results = Some(BoundedLines::new(
            BufReader::with_capacity(64 * 1024, stdout),
            RESULT_LINE_LIMIT,
        ));
        self.child = Some(child);
        Ok(())
    }

    /// Stops the handler and everything it started.
    pub async fn stop(&mut self, signal: i32) {
        if let Some(mut child) = self.child.take() {
            self.stdin = None;
            kill_group(self.pgid, signal);
            let _ = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
            kill_group(self.pgid, libc::SIGKILL);
            super::watchdog::unguard(self.pgid);
        }
        self.results = None;
    }

    /// Closes the handler's input and gives it `grace` to finish on its own.
    pub async fn finish(&mut self, grace: Duration) {
        self.stdin = None;
        if let Some(child) = self.child.as_mut() {
            if tokio::time::timeout(grace, child.wait()).await.is_err() {
                self.stop(libc::SIGTERM).await;
            } else {
                super::watchdog::unguard(self.pgid);
            }
        }
        self.child = None;
    }

    pub fn pgid(&self) -> i32 {
        self.pgid
    }

    /// Delivers a chunk and collects one result per event (or a timeout, or a failure when the
    /// handler dies). With `sequential`, each event waits for the previous one's result.
    pub async fn deliver(
        &mut self,
        chunk: &Chunk,
        attempt: u32,
        sequential: bool,
        done: Done<'_>,
    ) -> Vec<RunResult> {
        let mut results = Vec::with_capacity(chunk.events.len());
        if sequential {
            for d in &chunk.events {
                results.extend(
                    self.deliver_some(chunk, std::slice::from_ref(d), attempt, done)
                        .await,
                );
            }
        } else {
            for part in chunk.events.chunks(self.settings.concurrency.max(1) * 64) {
                results.extend(self.deliver_some(chunk, part, attempt, done).await);
            }
        }
        results
    }

    async fn deliver_some(
        &mut self,
        chunk: &Chunk,
        events: &[super::Delivery],
        attempt: u32,
        done: Done<'_>,
    ) -> Vec<RunResult> {
        let failed = |why: String| {
            events
                .iter()
                .map(|d| RunResult {
                    row: d.row,
                    attempt,
                    outcome: Outcome::Failed,
                    status: None,
                    duration: Duration::ZERO,
                    stdout_head: String::new(),
                    stderr_head: why.clone(),
                })
                .collect::<Vec<_>>()
        };
        if self.child.is_none() {
            if let Err(e) = self.start() {
                return failed(format!("feedctl could not start the handler: {e}"));
            }
        }
        let started = Instant::now();
        let deadline = self
            .settings
            .timeout
            .map(|t| tokio::time::Instant::from_std(started) + t);
        let slow_at = tokio::time::Instant::from_std(started) + self.settings.slow;
        // Each event waiting for its result, by row: the request id is `<row>.<attempt>`, so a
        // result names its event without a string per event (a formatted id in a SipHash map
        // per event, twice, showed in stream mode's profiles).
        let mut pending: crate::FastMap<i64, usize> = crate::FastMap::default();
        pending.reserve(events.len());
        let mut buf = Vec::with_capacity(events.iter().map(|d| d.raw.len() + 256).sum());
        let mut n = itoa::Buffer::new();
        for (i, d) in events.iter().enumerate() {
            // The id is digits and a dot: it needs no JSON escaping.
            buf.extend_from_slice(b"{\"id\":\"");
            buf.extend_from_slice(n.format(d.row).as_bytes());
            buf.push(b'.');
            buf.extend_from_slice(n.format(attempt).as_bytes());
            buf.extend_from_slice(b"\",\"attempt\":");
            buf.extend_from_slice(n.format(attempt).as_bytes());
            buf.push(b',');
            Envelope {
                // A consume worker's chunks come from a stream, not a recording.
                recording: Some(chunk.recording.as_str()).filter(|r| !r.is_empty()),
                source: &d.source,
                partition: &d.partition,
                event_id: d.event_id.as_deref(),
                event_type: d.event_type.as_deref(),
                time: d.timestamp,
                chunk: chunk.seq,
                received_at: chunk.received_at,
            }
            .write_members(&mut buf);
            buf.extend_from_slice(b"\"event\":");
            buf.extend_from_slice(one_line(&d.raw).as_bytes());
            buf.extend_from_slice(b"}\n");
            pending.insert(d.row, i);
        }
        // Each event's result, by its place in `events`.
        let mut got: Vec<Option<RunResult>> = vec![None; events.len()];
        let mut warned = false;
        let mut dead = false;
        let mut timed_out = false;
        let mut written = false;
        let verbose = self.settings.verbose;
        {
            let (Some(stdin), Some(lines)) = (self.stdin.as_mut(), self.results.as_mut()) else {
                return failed("the handler's pipes are gone".into());
            };
            // Written while results are read, both under --timeout: a handler that stops
            // reading its input (a full pipe) or never answers cannot hold replay.
            let mut writing = std::pin::pin!(async {
                stdin.write_all(&buf).await?;
                stdin.flush().await
            });
            // Armed once for the chunk, not once per result line.
            let mut slow = std::pin::pin!(tokio::time::sleep_until(slow_at));
            let mut timeout = std::pin::pin!(async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            });
            while !dead && (!pending.is_empty() || !written) {
                tokio::select! {
                    w = &mut writing, if !written => {
                        written = true;
                        dead = w.is_err();
                    }
                    line = lines.next_line(), if !pending.is_empty() => match line {
                        Ok(Some(line)) if line.was_cut() => crate::stderr_line!(
                            "note: the stream handler printed a line of {} bytes; only result lines up to {} KiB are read, so it was cut and ignored",
                            line.len,
                            RESULT_LINE_LIMIT / 1024
                        ),
                        Ok(Some(line)) => match serde_json::from_slice::<ResultLine>(&line.bytes) {
                            Ok(r) => {
                                let at = request_row(&r.id, attempt).and_then(|row| Some((row, pending.remove(&row)?)));
                                if let Some((_, i)) = at {
                                    let result = answered(&events[i], attempt, r.status_code(), started.elapsed(), r.message.unwrap_or_default());
                                    done.result(&result);
                                    got[i] = Some(result);
                                }
                            }
                            // Anything else the handler prints is its own logging.
                            Err(_) if verbose => crate::stderr_line!("[handler] {}", crate::text::terminal_safe(&String::from_utf8_lossy(&line.bytes))),
                            Err(_) => {}
                        },
                        Ok(None) | Err(_) => dead = true,
                    },
                    _ = &mut slow, if !warned => {
                        warned = true;
                        crate::stderr_line!("slow: the stream handler has not answered {} of chunk {} after {}s", crate::text::counted(pending.len() as u64, "event"), chunk.seq, self.settings.slow.as_secs());
                    }
                    _ = &mut timeout => {
                        timed_out = true;
                        break;
                    }
                }
            }
        }
        let timed_out = timed_out && !pending.is_empty();
        if !pending.is_empty() || !written {
            // The handler is stuck (not reading or not answering) or gone: stop it; the next
            // chunk starts a fresh one.
            self.stop(libc::SIGKILL).await;
        }
        events
            .iter()
            .zip(got)
            .map(|(d, got)| match got {
                Some(r) => r,
                None => RunResult {
                    row: d.row,
                    attempt,
                    outcome: if timed_out {
                        Outcome::Timeout
                    } else {
                        Outcome::Failed
                    },
                    status: None,
                    duration: started.elapsed(),
                    stdout_head: String::new(),
                    stderr_head: if timed_out {
                        "no result before --timeout; the handler was restarted".into()
                    } else {
                        "the handler exited before answering".into()
                    },
                },
            })
            .collect()
    }
}

/// The result of an event the handler answered.
fn answered(
    d: &super::Delivery,
    attempt: u32,
    code: i32,
    duration: Duration,
    message: String,
) -> RunResult {
    RunResult {
        row: d.row,
        attempt,
        outcome: Outcome::from_status(Some(code)),
        status: Some(code),
        duration,
        stdout_head: super::head(message.as_bytes()),
        stderr_head: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_names_its_event_only_with_this_attempts_id() {
        assert_eq!(request_row("12.1", 1), Some(12));
        assert_eq!(request_row("12.2", 2), Some(12));
        // Another attempt's result (a late answer to a re-queued chunk), or not an id of ours.
        for id in ["12.1", "12", "x.2", "12.x", "", ".2", "12.2.2"] {
            assert_eq!(request_row(id, 2), None, "{id}");
        }
    }
}
