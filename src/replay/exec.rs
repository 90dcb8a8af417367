//! Per-event handlers: `sh -c CMD` with the event on stdin and in `FEEDCTL_*` variables, in a
//! process group of its own so a timeout or Ctrl-C can stop it with everything it started (and
//! the [`super::watchdog`] if feedctl dies).

use std::collections::HashSet;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::lines::BoundedLines;
use super::sink::{Done, Sink};
use super::{head, Chunk, Delivery, Outcome, RunResult, RunSettings};

/// Process groups of the handlers running now, so they can be signalled together.
#[derive(Default, Clone)]
pub struct Groups(Arc<Mutex<HashSet<i32>>>);

impl Groups {
    /// A handler's group, also given to the watchdog that kills it if feedctl dies.
    fn add(&self, pgid: i32) {
        super::watchdog::guard(pgid);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(pgid);
    }

    /// A handler's group, once the handler was waited for.
    fn remove(&self, pgid: i32) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&pgid);
        super::watchdog::unguard(pgid);
    }

    /// Sends `signal` to every running handler's whole process group.
    pub fn signal_all(&self, signal: i32) {
        for pgid in self.0.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            kill_group(*pgid, signal);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }
}

pub fn kill_group(pgid: i32, signal: i32) {
    if pgid > 0 {
        // SAFETY: killpg only sends a signal; a stale group id at worst yields ESRCH.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
}

/// Environment values cannot hold NUL bytes; everything else reaches the handler as is.
fn env_value(s: &str) -> String {
    s.replace('\0', "")
}

/// The event as one line for stdin: the exact bytes, unless the JSON spans several lines; then
/// without the whitespace between its tokens, but numbers, escapes and everything else as
/// stored (not re-serialised from a tree, which rewrote `1e5` as `100000.0`).
pub fn one_line(raw: &str) -> std::borrow::Cow<'_, str> {
    // One pass over the bytes (memchr2), not one per character searched for.
    if memchr::memchr2(b'\n', b'\r', raw.as_bytes()).is_some() {
        crate::redis::hopeit::compact_json(raw.as_bytes().to_vec())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(std::borrow::Cow::Owned)
            .unwrap_or(std::borrow::Cow::Borrowed(raw))
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// How much of one output line is kept in memory (for the stored head and `-v`); the rest of a
/// longer line is read and dropped.
const LINE_LIMIT: usize = 8 * 1024;

/// The first KiB of an output and how many bytes there were in all.
pub(super) struct Captured {
    kept: Vec<u8>,
    total: u64,
}

/// Collects the first KiB of a stream, reading it all in bounded memory so the handler never
/// blocks on a full pipe, echoing lines live when asked (long lines cut, and said so).
pub(super) async fn capture(stream: impl AsyncRead + Unpin, echo: Option<String>) -> Captured {
    let mut lines = BoundedLines::new(BufReader::new(stream), LINE_LIMIT);
    let mut kept = Vec::new();
    let mut total = 0u64;
    while let Ok(Some(line)) = lines.next_line().await {
        total += line.len + u64::from(line.ended);
        if kept.len() < 1024 {
            kept.extend_from_slice(&line.bytes[..line.bytes.len().min(1024 - kept.len())]);
            if kept.len() < 1024 && line.ended {
                kept.push(b'\n');
            }
        }
        if let Some(prefix) = &echo {
            // The handler's output often echoes event text: shown terminal-safe.
            let lossy = String::from_utf8_lossy(&line.bytes);
            let text = crate::text::terminal_safe(lossy.trim_end());
            if line.was_cut() {
                crate::stderr_line!("{prefix} {text}… (a line of {} bytes, cut)", line.len);
            } else {
                crate::stderr_line!("{prefix} {text}");
            }
        }
    }
    Captured { kept, total }
}

/// The `sh` that handlers run under: PATH searched once per process, not once per spawn (a
/// bare `sh` makes the spawn try `execve` in every PATH directory before the one that has it,
/// nine calls per handler here), falling back to `/bin/sh`. PATH does not change while feedctl
/// runs, so this is the same `sh` the search would find each time.
pub fn shell() -> &'static std::path::Path {
    static SHELL: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    SHELL.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt;
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join("sh"))
            .find(|f| {
                std::fs::metadata(f)
                    .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            })
            .unwrap_or_else(|| "/bin/sh".into())
    })
}

/// Runs the handler for one event and waits for it (or for its timeout).
pub async fn run_event(
    settings: &RunSettings,
    groups: &Groups,
    d: &Delivery,
    chunk: i64,
    attempt: u32,
) -> RunResult {
    let started = Instant::now();
    let mut cmd = Command::new(shell());
    cmd.arg0("sh")
        .arg("-c")
        .arg(&settings.command)
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env(
            "FEEDCTL_EVENT_ID",
            env_value(d.event_id.as_deref().unwrap_or("")),
        )
        .env(
            "FEEDCTL_EVENT_TYPE",
            env_value(d.event_type.as_deref().unwrap_or("")),
        )
        .env(
            "FEEDCTL_EVENT_TIMESTAMP",
            d.timestamp.map(|t| t.to_string()).unwrap_or_default(),
        )
        .env(
            "FEEDCTL_STREAM_ID",
            env_value(d.stream_id.as_deref().unwrap_or("")),
        )
        .env(
            "FEEDCTL_INITIATOR_ID",
            d.initiator_id.map(|t| t.to_string()).unwrap_or_default(),
        )
        .env("FEEDCTL_SOURCE", env_value(&d.source))
        .env("FEEDCTL_PARTITION", env_value(&d.partition))
        .env("FEEDCTL_CHUNK", chunk.to_string())
        .env("FEEDCTL_ATTEMPT", attempt.to_string());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return RunResult {
                row: d.row,
                attempt,
                outcome: Outcome::Failed,
                status: None,
                duration: started.elapsed(),
                stdout_head: String::new(),
                stderr_head: format!("feedctl could not start the handler: {e}"),
            }
        }
    };
    let pgid = child.id().map(|p| p as i32).unwrap_or(0);
    groups.add(pgid);
    // Event text, shown on stderr: made terminal-safe (docs/output.md).
    let label = format!(
        "[{} {}]",
        crate::text::terminal_safe(d.event_type.as_deref().unwrap_or("?")),
        crate::text::terminal_safe(d.event_id.as_deref().unwrap_or("?"))
    );
    let out = child
        .stdout
        .take()
        .map(|s| tokio::spawn(capture(s, settings.verbose.then(|| label.clone()))));
    let err = child
        .stderr
        .take()
        .map(|s| tokio::spawn(capture(s, settings.verbose.then(|| label.clone()))));
    if let Some(mut stdin) = child.stdin.take() {
        let line = format!("{}\n", one_line(&d.raw));
        // A handler that does not read its input closes the pipe; that is its business.
        tokio::spawn(async move {
            let _ = stdin.write_all(line.as_bytes()).await;
        });
    }

    let mut warned = false;
    let deadline = settings
        .timeout
        .map(|t| tokio::time::Instant::from_std(started) + t);
    let slow_at = tokio::time::Instant::from_std(started) + settings.slow;
    let status = loop {
        tokio::select! {
            s = child.wait() => break s.ok(),
            _ = tokio::time::sleep_until(slow_at), if !warned => {
                warned = true;
                crate::stderr_line!("slow: handler for {label} has been running for {}s", settings.slow.as_secs());
            }
            _ = sleep_until(deadline) => {
                kill_group(pgid, libc::SIGKILL);
                let _ = child.wait().await;
                groups.remove(pgid);
                return RunResult {
                    row: d.row,
                    attempt,
                    outcome: Outcome::Timeout,
                    status: None,
                    duration: started.elapsed(),
                    stdout_head: join(out).await,
                    stderr_head: join(err).await,
                };
            }
        }
    };
    groups.remove(pgid);
    let code = status.and_then(|s| {
        use std::os::unix::process::ExitStatusExt;
        s.code().or_else(|| s.signal().map(|sig| 128 + sig))
    });
    if matches!(code, Some(126) | Some(127)) {
        crate::stderr_line!(
            "handler for {label} exited with {}: the command could not be run",
            code.unwrap_or_default()
        );
    }
    RunResult {
        row: d.row,
        attempt,
        outcome: Outcome::from_status(code),
        status: code,
        duration: started.elapsed(),
        stdout_head: join(out).await,
        stderr_head: join(err).await,
    }
}

/// The captured head of an output, waiting briefly: a process that escaped the group may still
/// hold the pipe open. When there was more than the head, it says how much.
async fn join(task: Option<tokio::task::JoinHandle<Captured>>) -> String {
    let Some(task) = task else {
        return String::new();
    };
    match tokio::time::timeout(Duration::from_millis(500), task).await {
        Ok(Ok(c)) => {
            let mut text = head(&c.kept);
            if c.total > 1024 {
                text.push_str(&format!(
                    "\n[feedctl: output cut, {} bytes in all, the first KiB kept]",
                    c.total
                ));
            }
            text
        }
        _ => String::new(),
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// The per-event sink: one `sh -c CMD` per event, the events of a chunk concurrently up to
/// `--concurrency` (1 with `--sequential`).
pub struct ExecSink {
    settings: Arc<RunSettings>,
    groups: Groups,
}

impl ExecSink {
    pub fn new(settings: RunSettings) -> Self {
        ExecSink {
            settings: Arc::new(settings),
            groups: Groups::default(),
        }
    }
}

impl Sink for ExecSink {
    /// Runs one delivery of a chunk: concurrently up to the limit, no new handler after Ctrl-C,
    /// and the running ones stopped once the grace is over.
    async fn deliver(
        &mut self,
        chunk: &Chunk,
        attempt: u32,
        done: Done<'_>,
        cancel: &CancellationToken,
    ) -> Vec<RunResult> {
        let permits = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for d in &chunk.events {
            let permit = tokio::select! {
                p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                _ = cancel.cancelled() => break,
            };
            // Ctrl-C: no new handler starts.
            if cancel.is_cancelled() {
                break;
            }
            let (settings, groups, d, seq) = (
                self.settings.clone(),
                self.groups.clone(),
                d.clone(),
                chunk.seq,
            );
            tasks.spawn(async move {
                let r = run_event(&settings, &groups, &d, seq, attempt).await;
                drop(permit);
                r
            });
        }
        let reaper = stop_after_grace(&self.groups, cancel, self.settings.grace);
        tokio::pin!(reaper);
        let mut reaped = false;
        let mut results = Vec::with_capacity(chunk.events.len());
        loop {
            tokio::select! {
                r = tasks.join_next() => match r {
                    Some(Ok(r)) => {
                        done.result(&r);
                        results.push(r);
                    }
                    Some(Err(_)) => {}
                    None => break,
                },
                _ = &mut reaper, if !reaped => reaped = true,
            }
        }
        results
    }

    /// Nothing outlives a chunk in per-event mode.
    async fn finish(&mut self, _grace: Duration) {}
}

/// After Ctrl-C, running handlers may finish within the grace; then they are stopped, politely
/// first.
async fn stop_after_grace(groups: &Groups, cancel: &CancellationToken, grace: Duration) {
    cancel.cancelled().await;
    tokio::time::sleep(grace).await;
    if !groups.is_empty() {
        crate::stderr_line!("interrupted: stopping the handlers still running");
        groups.signal_all(libc::SIGTERM);
        tokio::time::sleep(Duration::from_millis(200)).await;
        groups.signal_all(libc::SIGKILL);
    }
}

/// Checks, before any event is delivered, that the command's program can be found and run: a
/// path must be an executable file; a bare name must be a shell builtin or on PATH. Only a
/// simple command is checked (one program, its arguments, assignments and redirections): lists,
/// pipelines, subshells, substitutions, quoting or expansions in the program word are left to
/// `sh -c`, which judges them better than a word split could.
pub fn preflight(command: &str) -> Result<(), String> {
    if command.trim().is_empty() {
        return Err("the handler command is empty".into());
    }
    // Operators that make more than one simple command, wherever they are (even quoted: an
    // unchecked command is better than a refused good one).
    if command.contains([';', '&', '|', '\n', '(', ')', '`']) || command.contains("$(") {
        return Ok(());
    }
    let mut words = command.split_whitespace().skip_while(|w| {
        // Leading VAR=value assignments are not the program.
        w.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    });
    let Some(word) = words.next() else {
        return Ok(());
    };
    // `cat>/dev/null`: the program ends where a redirection starts.
    let first = word.split(['<', '>']).next().unwrap_or("");
    // Shell syntax in the program word (groups, quoting, expansions, globs, keywords,
    // wrappers): leave it to the shell.
    if first.is_empty()
        || first.contains(['{', '}', '\'', '"', '$', '\\', '*', '?', '[', '~', '!', '='])
        || [
            "if", "for", "while", "until", "case", "exec", "env", "time", "nohup", "then",
            "command", "builtin",
        ]
        .contains(&first)
    {
        return Ok(());
    }
    if first.contains('/') {
        let path = std::path::Path::new(first);
        let meta =
            std::fs::metadata(path).map_err(|e| format!("handler `{first}` cannot be run: {e}"))?;
        use std::os::unix::fs::PermissionsExt;
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            return Err(format!("handler `{first}` is not an executable file (chmod +x it, or run it through its interpreter)"));
        }
        return Ok(());
    }
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v \"$1\" >/dev/null 2>&1", "sh", first])
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run sh to check the handler: {e}"))?;
    if !found.success() {
        return Err(format!(
            "handler `{first}` not found: it is not a shell builtin, a file, or a program on PATH"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflight_finds_and_refuses() {
        assert!(preflight("true").is_ok());
        assert!(preflight("cat >/dev/null").is_ok());
        assert!(preflight("FOO=1 echo hi").is_ok());
        assert!(preflight("(cd /tmp && true)").is_ok());
        assert!(preflight("definitely-not-a-command-feedctl")
            .unwrap_err()
            .contains("not found"));
        assert!(preflight("/nonexistent/handler.sh")
            .unwrap_err()
            .contains("cannot be run"));
        let plain =
            std::env::temp_dir().join(format!("feedctl-preflight-{}.sh", std::process::id()));
        std::fs::write(&plain, "echo hi\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = preflight(plain.to_str().unwrap()).unwrap_err();
        std::fs::remove_file(&plain).unwrap();
        assert!(err.contains("not an executable"), "{err}");
        assert!(preflight("  ").is_err());
        // Lists, pipelines and redirections: the first program alone, or the shell's judgement.
        assert!(preflight("true; nope").is_ok());
        assert!(preflight("/nonexistent/h.sh || true").is_ok());
        assert!(preflight("cat>/dev/null").is_ok());
        assert!(preflight("nope-feedctl>/dev/null")
            .unwrap_err()
            .contains("not found"));
        assert!(preflight("\"/path with space/h\" x").is_ok());
    }

    #[test]
    fn one_line_keeps_compact_json_as_is() {
        assert_eq!(one_line(r#"{"a": 1}"#), r#"{"a": 1}"#);
        assert_eq!(one_line("{\"a\":\n 1}"), r#"{"a":1}"#);
        assert_eq!(
            one_line("{\"a\": \"\\u00e9 x\",\r\n \"n\": 1e5, \"x\": [0.10]}"),
            r#"{"a":"\u00e9 x","n":1e5,"x":[0.10]}"#
        );
    }
}
