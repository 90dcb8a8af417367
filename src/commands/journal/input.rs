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
