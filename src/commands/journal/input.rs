//! The input of `journal import`, read line by line twice: a first pass checks every line and
//! names the import, a second one writes it. Nothing but the current line is held, so an import
//! of any size runs in the same memory.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::exit::Fail;
use crate::output::Printer;

/// A file, or standard input (`-`) copied aside as the first pass reads it.
pub(super) struct Input {
    /// The file itself, or the spool that standard input is copied into.
    file: File,
    /// Standard input that no pass has read yet: the next pass reads it and fills the spool.
    unread_stdin: bool,
    /// How messages name the input.
    shown: String,
}

impl Input {
    /// Opens `file`; for `-`, an empty spool in the journal's folder (the journal is about to
    /// hold as much again, so that disk has the room, where a tmpfs temp dir would be memory).
    pub(super) fn open(p: &Printer, file: &Path, journal: &Path) -> Result<Input, Fail> {
        let shown = file.display().to_string();
        if file.as_os_str() != "-" {
            let f = File::open(file)
                .map_err(|e| Fail::usage(format!("cannot read {}: {e}", file.display())))?;
            return Ok(Input {
                file: f,
                unread_stdin: false,
                shown,
            });
        }
        let dir = match journal.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // Unnamed (O_TMPFILE where it exists): gone with the process, even after a kill.
        let spool = tempfile::tempfile_in(dir).map_err(|e| {
            Fail::usage(format!(
                "cannot make a temporary file in {} to hold standard input while it is checked: {e}",
                dir.display()
            ))
        })?;
        if std::io::stdin().is_terminal() {
            p.note("reading NDJSON from standard input (Ctrl-D to end)");
        }
        Ok(Input {
            file: spool,
            unread_stdin: true,
            shown,
        })
    }

    /// Calls `each` with every line, numbered from 1, without its line ending (`\n` or `\r\n`,
    /// as `BufRead::lines` gives them); an error from `each` ends the pass.
    pub(super) fn each_line(
        &mut self,
        mut each: impl FnMut(usize, &str) -> Result<()>,
    ) -> Result<()> {
        self.file
            .seek(SeekFrom::Start(0))
            .with_context(|| format!("reading {}", self.shown))?;
        let source: Box<dyn Read + '_> = if self.unread_stdin {
            Box::new(Tee {
                from: std::io::stdin().lock(),
                copy: &self.file,
            })
        } else {
            Box::new(&self.file)
        };
        let mut reader = BufReader::with_capacity(1 << 16, source);
        let mut line = String::new();
        let mut n = 0;
        loop {
            line.clear();
            let read = reader
                .read_line(&mut line)
                .with_context(|| format!("reading {}", self.shown))?;
            if read == 0 {
                break;
            }
            n += 1;
            let text = match line.strip_suffix('\n') {
                Some(l) => l.strip_suffix('\r').unwrap_or(l),
                None => &line,
            };
            each(n, text)?;
        }
        drop(reader);
        // Only a pass that read standard input to its end leaves a complete copy behind.
        self.unread_stdin = false;
        Ok(())
    }
}

/// Lines handed to the parsers at once: enough that a hand-off costs little next to parsing
/// them, few enough that the parsers start early.
const BATCH_LINES: usize = 512;

/// The input read ahead of the parsed line being used, in bytes; one line larger than this is
/// read alone, once everything before it is used.
const AHEAD_BYTES: usize = 16 << 20;

/// Lines read together: their text, one after the other, and where each lies in it.
#[derive(Default)]
struct Batch {
    text: String,
    lines: Vec<(usize, std::ops::Range<usize>)>,
}

/// What a parser made of a batch: its lines parsed in order, up to the first that failed.
type Parsed<T> = (Vec<(usize, T)>, Option<anyhow::Error>, usize);

/// The input's bytes read ahead and not yet used, shared by the reader and the user of the
/// parsed lines: the reader waits while they are over [`AHEAD_BYTES`].
#[derive(Default)]
struct Ahead {
    bytes: std::sync::Mutex<(usize, bool)>,
    used: std::sync::Condvar,
}

impl Ahead {
    /// Waits for room for `n` more bytes (always room when nothing is ahead); `false` once
    /// the user of the lines has stopped.
    fn reserve(&self, n: usize) -> bool {
        let mut g = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        while g.0 > 0 && g.0 + n > AHEAD_BYTES && !g.1 {
            g = self.used.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        g.0 += n;
        !g.1
    }

    fn release(&self, n: usize) {
        let mut g = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        g.0 = g.0.saturating_sub(n);
        self.used.notify_all();
    }

    fn stop(&self) {
        self.bytes.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        self.used.notify_all();
    }
}

/// Stops the reader when the user of the lines is done, however it ends.
struct StopOnDrop<'a>(&'a Ahead);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

impl Input {
    /// [`Input::each_line`] with each line parsed by `parse` (`None`: nothing to use) before
    /// `each` gets it, in order. Parsing is most of a pass's work: the lines are read on a
    /// thread of their own and parsed on `workers` more, beside what `each` does with them.
    /// At most [`AHEAD_BYTES`] of input are held ahead of `each` (or one longer line).
    pub(super) fn each_parsed<T: Send>(
        &mut self,
        workers: usize,
        parse: impl Fn(usize, &str) -> Result<Option<T>> + Sync,
        mut each: impl FnMut(usize, T) -> Result<()>,
    ) -> Result<()> {
        use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
        let workers = workers.max(1);
        let ahead = Ahead::default();
        let parse = &parse;
        std::thread::scope(|s| {
            let mut to_parse: Vec<SyncSender<Batch>> = Vec::new();
            let mut parsed: Vec<Receiver<Parsed<T>>> = Vec::new();
            for _ in 0..workers {
                let (tx, rx) = sync_channel::<Batch>(1);
                let (out, back) = sync_channel::<Parsed<T>>(1);
                to_parse.push(tx);
                parsed.push(back);
                s.spawn(move || {
                    for b in rx {
                        let mut lines = Vec::with_capacity(b.lines.len());
                        let mut failed = None;
                        for (n, at) in &b.lines {
                            match parse(*n, &b.text[at.clone()]) {
                                Ok(Some(t)) => lines.push((*n, t)),
                                Ok(None) => {}
                                Err(e) => {
                                    failed = Some(e);
                                    break;
                                }
                            }
                        }
                        if out.send((lines, failed, b.text.len())).is_err() {
                            break;
                        }
                    }
                });
            }
            let ahead = &ahead;
            let reader = s.spawn(move || -> Result<()> {
                let mut k = 0;
                let mut batch = Batch::default();
                let mut send = |batch: &mut Batch| -> bool {
                    let b = std::mem::take(batch);
                    let ok = to_parse[k % workers].send(b).is_ok();
                    k += 1;
                    ok
                };
                let stopped = || anyhow::anyhow!("stopped");
                self.each_line(|n, text| {
                    if !ahead.reserve(text.len()) {
                        return Err(stopped());
                    }
                    let start = batch.text.len();
                    batch.text.push_str(text);
                    batch.lines.push((n, start..batch.text.len()));
                    let full =
                        batch.lines.len() >= BATCH_LINES || batch.text.len() >= AHEAD_BYTES / 8;
                    if full && !send(&mut batch) {
                        return Err(stopped());
                    }
                    Ok(())
                })?;
                if !batch.lines.is_empty() {
                    send(&mut batch);
                }
                Ok(())
            });
            let result = (|| -> Result<()> {
                let _stop = StopOnDrop(ahead);
                for k in 0.. {
                    let Ok((lines, failed, bytes)) = parsed[k % workers].recv() else {
                        break;
                    };
                    for (n, t) in lines {
                        each(n, t)?;
                    }
                    if let Some(e) = failed {
                        return Err(e);
                    }
                    ahead.release(bytes);
                }
                Ok(())
            })();
            // The parsers and the reader end once their channels close.
            drop(parsed);
            let read = reader
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the reader stopped")));
            result?;
            read
        })
    }
}

/// Reads from `from` and writes everything read into `copy`.
struct Tee<R, W> {
    from: R,
    copy: W,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.from.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}
