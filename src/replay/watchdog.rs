//! A handler's process group ends when feedctl dies, however it dies (SIGKILL, a crash, the
//! OOM killer): one watchdog process per feedctl, started with the first handler, holds the
//! process groups of the handlers running now and kills them all (SIGKILL) when feedctl is
//! gone.
//!
//! The watchdog is this binary again (`/proc/self/exe`, which works even if the file was
//! replaced meanwhile) with one argument of its own; it reads its standard input, a pipe whose
//! other end only feedctl holds (close-on-exec, so no handler inherits it): `+` or `-` and a
//! process group id, 5 bytes a message. The end of that input is feedctl's death: the kernel
//! closes the pipe whatever killed it. This rather than `PR_SET_PDEATHSIG` in each handler: that
//! signal reaches only the direct child (`sh`), not what it forked, and fires when the *thread*
//! that spawned it ends; a guard process per handler that has it and kills the group works,
//! but a spawn with a `pre_exec` step is a full `fork` of feedctl instead of `posix_spawn`,
//! which made per-event replay two to three times slower.
//!
//! Linux only; elsewhere the handlers keep their process groups but outlive a killed feedctl.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::sync::{Mutex, OnceLock};

/// The argument that makes this binary the watchdog (never one a user types).
const ARG: &str = "__feedctl-handler-watchdog";

/// Called first in `main`: when this process was started as the watchdog, runs it and exits.
pub fn run_if_asked() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == ARG) && args.next().is_none() {
        std::process::exit(watch());
    }
}

/// The watchdog: the groups it is told of, killed when its input ends.
fn watch() -> i32 {
    // SAFETY: setting dispositions before anything else runs. A Ctrl-C or hang-up meant for
    // feedctl is not the watchdog's business: feedctl's own end is.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
    }
    let mut groups: HashSet<i32> = HashSet::new();
    let mut input = std::io::BufReader::new(std::io::stdin().lock());
    let mut msg = [0u8; 5];
    while input.read_exact(&mut msg).is_ok() {
        let pgid = i32::from_le_bytes([msg[1], msg[2], msg[3], msg[4]]);
        match msg[0] {
            b'+' => {
                groups.insert(pgid);
            }
            b'-' => {
                groups.remove(&pgid);
            }
            _ => {}
        }
    }
    for pgid in groups {
        super::exec::kill_group(pgid, libc::SIGKILL);
    }
    0
}

struct Watchdog {
    child: std::process::Child,
    input: std::process::ChildStdin,
}

fn watchdog() -> &'static Mutex<Option<Watchdog>> {
    static WATCHDOG: OnceLock<Mutex<Option<Watchdog>>> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        Mutex::new(match start() {
            Ok(w) => Some(w),
            Err(e) => {
                crate::stderr_line!(
                    "note: handlers will not be stopped if feedctl is killed outright (no watchdog: {e})"
                );
                None
            }
        })
    })
}

#[cfg(target_os = "linux")]
fn start() -> std::io::Result<Watchdog> {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let mut child = std::process::Command::new("/proc/self/exe")
        .arg(ARG)
        // Not in feedctl's group: a Ctrl-C at the terminal is for feedctl.
        .process_group(0)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let input = child
        .stdin
        .take()
        .ok_or_else(|| std::io::Error::other("no pipe to the watchdog"))?;
    // A write never waits: a watchdog that does not keep up is given up (see `send`).
    // SAFETY: fcntl on a descriptor this process owns.
    unsafe {
        let fd = input.as_raw_fd();
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    Ok(Watchdog { child, input })
}

#[cfg(not(target_os = "linux"))]
fn start() -> std::io::Result<Watchdog> {
    Err(std::io::Error::other("only on Linux"))
}

/// A handler's process group, to kill if feedctl dies.
pub fn guard(pgid: i32) {
    send(b'+', pgid);
}

/// A handler's process group that is over (its leader was waited for).
pub fn unguard(pgid: i32) {
    send(b'-', pgid);
}

fn send(op: u8, pgid: i32) {
    if pgid <= 0 {
        return;
    }
    let mut w = watchdog().lock().unwrap_or_else(|e| e.into_inner());
    let Some(dog) = w.as_mut() else { return };
    let p = pgid.to_le_bytes();
    // 5 bytes, less than PIPE_BUF: written whole or not at all.
    if dog.input.write(&[op, p[0], p[1], p[2], p[3]]).ok() != Some(5) {
        // Gone, or 13,000 messages behind: its list can no longer be trusted (it could kill a
        // group whose id was used again), so it is stopped without acting.
        let _ = dog.child.kill();
        let _ = dog.child.wait();
        *w = None;
        crate::stderr_line!(
            "note: the handler watchdog stopped: handlers will not be stopped if feedctl is killed outright"
        );
    }
}
