//! The printer: what goes to stdout (data) and stderr (notices, progress), decided once from
//! the global flags and handed down to every command, like uv's `printer.rs`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::OutputFormat;

/// stdout was closed by its reader (`feedctl ... | head`): the command stops, and feedctl exits
/// 0 without a word, as other Unix tools do.
#[derive(Debug, thiserror::Error)]
#[error("stdout was closed by its reader")]
pub struct StdoutClosed;

/// Who hears what: `-q`, `-v`, colour, and which streams are terminals.
#[derive(Debug, Clone)]
pub struct Printer {
    quiet: bool,
    verbose: u8,
    stdout_tty: bool,
    stderr_tty: bool,
}

impl Printer {
    /// Decides once; `no_color` (or `NO_COLOR`) turns colours off for both streams.
    pub fn new(quiet: bool, verbose: u8, no_color: bool) -> Self {
        let no_color = no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            console::set_colors_enabled(false);
            console::set_colors_enabled_stderr(false);
        }
        Printer {
            quiet,
            verbose,
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
        }
    }

    /// `-q`: notices are not printed, only errors.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// How many `-v`.
    pub fn verbose(&self) -> u8 {
        self.verbose
    }

    /// Whether stdout is a terminal (readable lines there, NDJSON when piped).
    pub fn stdout_is_terminal(&self) -> bool {
        self.stdout_tty
    }

    /// Whether stderr is a terminal (charts and progress are drawn only there).
    pub fn stderr_is_terminal(&self) -> bool {
        self.stderr_tty
    }

    /// The format to use: the flag, else a table on a terminal and JSON when piped.
    pub fn format(&self, flag: Option<OutputFormat>) -> OutputFormat {
        flag.unwrap_or(if self.stdout_tty {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        })
    }

    /// A notice for the human (stderr); silent with `-q`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            crate::stderr_line!("{text}");
        }
    }

    /// Writes a line of data to stdout; `Err` when the reader has gone, so the command can
    /// clean up (delete its feed, commit what it has) before it stops.
    pub fn line(&self, text: impl std::fmt::Display) -> Result<(), StdoutClosed> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")
            .and_then(|_| out.flush())
            .map_err(|_| StdoutClosed)
    }

    /// Many lines of data in a row (`journal export`): written through one buffer, not a write
    /// and a flush per line, which was most of an export's time. Flushed by [`Lines::finish`];
    /// an interactive reader sees them at the end, not one by one.
    pub fn lines(&self) -> Lines {
        Lines {
            out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
        }
    }

    /// A delivery's body as received, as one line (`tail --raw`).
    pub fn body(&self, body: &[u8]) -> Result<(), StdoutClosed> {
        self.line(crate::text::utf8_or_lossy(body))
    }

    /// One JSON document, pretty.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), StdoutClosed> {
        match super::json::to_string_pretty(value) {
            Ok(s) => self.line(s),
            Err(e) => {
                self.note(&format!("cannot serialise output: {e}"));
                Ok(())
            }
        }
    }

    /// One JSON record per line.
    pub fn ndjson<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), StdoutClosed> {
        match super::json::to_string_compact(value) {
            Ok(s) => self.line(s),
            Err(e) => {
                self.note(&format!("cannot serialise output: {e}"));
                Ok(())
            }
        }
    }

    /// Records in the given format: pretty JSON as one array, NDJSON one per line.
    pub fn records<T: Serialize>(
        &self,
        format: OutputFormat,
        records: &[T],
    ) -> Result<(), StdoutClosed> {
        match format {
            OutputFormat::Ndjson => records.iter().try_for_each(|r| self.ndjson(r)),
            _ => self.json(records),
        }
    }

    /// A spinner with a message, drawn only on a terminal (stderr may be a log). `-q` keeps it,
    /// as docs/output.md says: it is the one sign of life of a quiet `record` or `replay`.
    pub fn spinner(&self, template: &str, message: &str) -> ProgressBar {
        if !self.stderr_tty {
            return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_message(message.to_string());
        bar
    }

    /// A bar of `total` steps, under the same rule as [`Printer::spinner`].
    pub fn bar(&self, template: &str, total: u64) -> ProgressBar {
        if !self.stderr_tty {
            return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .with_key("rate", whole_rate),
        );
        bar
    }
}

/// `{rate}` in a progress template: steps per second as a whole number (`33/s`), where
/// indicatif's own `{per_sec}` prints four decimals (`33.2923/s`).
fn whole_rate(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(w, "{:.0}/s", state.per_sec());
}

/// See [`Printer::lines`].
pub struct Lines {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Lines {
    /// Writes one line: `bytes`, then a newline.
    pub fn line(&mut self, bytes: &[u8]) -> Result<(), StdoutClosed> {
        self.out
            .write_all(bytes)
            .and_then(|_| self.out.write_all(b"\n"))
            .map_err(|_| StdoutClosed)
    }

    /// Writes what is buffered.
    pub fn finish(mut self) -> Result<(), StdoutClosed> {
        self.out.flush().map_err(|_| StdoutClosed)
    }
}
