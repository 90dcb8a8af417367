//! Bounds on what a Redis server, or the link to it, can cost feedctl (docs/redis.md,
//! "Bounds"): a slow link still carries a large batch to its end, a link that stalls on large
//! replies gets smaller batches, a server cannot make feedctl hold more than the reply cap,
//! and an entry costs at most about twice its size in memory.
//!
//! The links are forwarders run by the test between feedctl and a real redis-server; the
//! hostile server is a TCP listener of the test that speaks just enough RESP to lie.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::redis_server::RedisServer;

/// A link between feedctl and a server, for one test: it carries the server's bytes at most
/// `rate` bytes a second and, with `burst`, stops carrying them once that many came since the
/// client last sent something (until it sends again), as a link that stalls on long replies.
/// It stops when dropped.
struct Link {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Link {
    fn start(upstream: u16, rate: Option<u64>, burst: Option<u64>) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            continue;
                        };
                        carry(client, server, rate, burst, stopped.clone());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Link { port, stop }
    }

    fn url(&self, key: &str) -> String {
        format!("redis://127.0.0.1:{}/{key}", self.port)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One connection through a [`Link`]: the client's bytes go through as they come, the
/// server's at `rate` and within `burst`.
fn carry(
    client: TcpStream,
    server: TcpStream,
    rate: Option<u64>,
    burst: Option<u64>,
    stop: Arc<AtomicBool>,
) {
    let tick = Some(Duration::from_millis(50));
    for s in [&client, &server] {
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(tick).unwrap();
    }
    // How many times the client sent something; u64::MAX: it closed.
    let sends = Arc::new(AtomicU64::new(0));
    let (mut from_client, mut to_server) =
        (client.try_clone().unwrap(), server.try_clone().unwrap());
    let (sent, halt) = (sends.clone(), stop.clone());
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while !halt.load(Ordering::Relaxed) {
            match from_client.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if to_server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => break,
            }
        }
        sent.store(u64::MAX, Ordering::Relaxed);
        let _ = to_server.shutdown(Shutdown::Both);
    });
    let (mut from_server, mut to_client, seen) = (server, client, sends);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        let (start, mut total) = (Instant::now(), 0u64);
        let (mut mark, mut since) = (0u64, 0u64);
        'conn: while !stop.load(Ordering::Relaxed) {
            let n = match from_server.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                Err(_) => break,
            };
            if let Some(burst) = burst {
                let now = seen.load(Ordering::Relaxed);
                if now != mark {
                    (mark, since) = (now, 0);
                }
                // Stalled: nothing more until the client sends again (or goes).
                while since + n as u64 > burst {
                    if stop.load(Ordering::Relaxed) || seen.load(Ordering::Relaxed) == u64::MAX {
                        break 'conn;
                    }
                    let now = seen.load(Ordering::Relaxed);
                    if now != mark {
                        (mark, since) = (now, 0);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                since += n as u64;
            }
            if to_client.write_all(&buf[..n]).is_err() {
                break;
            }
            total += n as u64;
            if let Some(rate) = rate {
                let due = start + Duration::from_secs_f64(total as f64 / rate as f64);
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
            }
        }
        let _ = to_client.shutdown(Shutdown::Both);
    });
}

/// How a run of feedctl ended: its exit code (None: killed at the time limit), what it wrote
/// on stdout and stderr, and its peak resident memory.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    peak_mib: f64,
    took: Duration,
}

/// Runs `feedctl ARGS` (with `env`) in the sandbox until it ends, or kills it after `limit`
/// or when it holds over 1 GiB (old code was driven to 4 GiB): its peak RSS is the kernel's
/// own count (wait4). The kernel counts in it the peak of the process that spawned it (this
/// test, which held the large entries it wrote to Redis): that peak is set back to what this
/// test holds now first, less than feedctl's own.
fn run_measured(
    sb: &Sandbox,
    tag: &str,
    args: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
) -> Run {
    let out = sb.path().join(format!("{tag}.out"));
    let err = sb.path().join(format!("{tag}.err"));
    // "5": the peak resident set size back to the current one (proc(5), clear_refs).
    std::fs::write("/proc/self/clear_refs", "5").expect("reset this test's peak RSS");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedctl"));
    for (k, _) in std::env::vars() {
        if k.starts_with("FEEDCTL_") {
            cmd.env_remove(k);
        }
    }
    // Reaped by wait4 below, which also gives its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .args(args)
        .envs(env.iter().copied())
        .env("HOME", sb.path())
        .env("NO_COLOR", "1")
        .current_dir(sb.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("spawn feedctl");
    let pid = child.id() as libc::pid_t;
    let t0 = Instant::now();
    let mut killed = false;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our child, not yet reaped; the pointers are to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage);
        }
        assert!(r == 0, "wait4: {}", std::io::Error::last_os_error());
        let rss_kib = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .unwrap_or(0);
        if !killed && (t0.elapsed() > limit || rss_kib > 1 << 20) {
            // SAFETY: signalling our own child, still unreaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let code = (!killed && libc::WIFEXITED(status)).then(|| libc::WEXITSTATUS(status));
    Run {
        code,
        stdout: std::fs::read(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
        peak_mib: usage.ru_maxrss as f64 / 1024.0,
        took: t0.elapsed(),
    }
}

/// `n` entries of `size` bytes each on `key`, in one pipeline.
fn fill_large(r: &RedisServer, key: &str, n: usize, size: usize) {
    let mut c = r.conn();
    let value = "v".repeat(size);
    let mut pipe = redis::pipe();
    for i in 0..n {
        pipe.cmd("XADD")
            .arg(key)
            .arg("*")
            .arg("n")
            .arg(i)
            .arg("payload")
            .arg(&value)
            .ignore();
    }
    pipe.query::<()>(&mut c).unwrap();
}

#[test]
fn redis_a_slow_link_carries_a_large_batch_to_the_end() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    // 1000 entries of 20 KB: one read of --batch 1000 is 20 MB, 16 s at 1.25 MB/s, longer than
    // BLOCK + 10 s; before, a reply had to come whole within that and never did.
    fill_large(&r, "big", 1000, 20_000);
    let (plain, group) = (
        Link::start(r.port, Some(1_250_000), None),
        Link::start(r.port, Some(1_250_000), None),
    );
    let sb = Sandbox::new();
    let limit = Duration::from_secs(60);
    let (plain_url, group_url) = (plain.url("big"), group.url("big"));
    let (tail, record) = std::thread::scope(|s| {
        let tail = s.spawn(|| {
            let args = ["tail", &plain_url, "--from", "beginning", "--count", "1000"];
            run_measured(&sb, "tail", &args, &[], limit)
        });
        let record = s.spawn(|| {
            let args = [
                "record", "-j", "slow.db", &group_url, "--group", "g", "--count", "1000",
            ];
            run_measured(&sb, "record", &args, &[], limit)
        });
        (tail.join().unwrap(), record.join().unwrap())
    });
    assert_eq!(tail.code, Some(0), "tail: {:?} {}", tail.took, tail.stderr);
    assert_eq!(tail.stdout.iter().filter(|b| **b == b'\n').count(), 1000);
    assert_eq!(
        record.code,
        Some(0),
        "record: {:?} {}",
        record.took,
        record.stderr
    );
    assert!(
        !tail.stderr.contains("retry") && !record.stderr.contains("retry"),
        "a slow link is no failure: {}{}",
        tail.stderr,
        record.stderr
    );
    assert_eq!(r.pending("big", "g"), 0, "every entry recorded was acked");
    let out = sb
        .cmd()
        .args(["journal", "info", "-j", "slow.db", "-o", "json"])
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["events"], 1000, "{info}");
}

#[test]
fn redis_a_link_that_stalls_on_large_replies_gets_smaller_batches() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    // The link stops carrying a reply after 8 MB: a 20 MB read of 1000 entries never ends,
    // 250 entries (5 MB) a read do.
    fill_large(&r, "big", 1000, 20_000);
    let link = Link::start(r.port, None, Some(8_000_000));
    let sb = Sandbox::new();
    let url = link.url("big");
    let args = ["tail", &url, "--from", "beginning", "--count", "1000"];
    let run = run_measured(&sb, "tail", &args, &[], Duration::from_secs(45));
    assert_eq!(run.code, Some(0), "{:?} {}", run.took, run.stderr);
    assert_eq!(run.stdout.iter().filter(|b| **b == b'\n').count(), 1000);
    assert!(
        run.stderr.contains("no byte of a reply for 12s")
            && run.stderr.contains("asking for 250 entries a read"),
        "{}",
        run.stderr
    );
}

/// A fake Redis that answers the first bytes of every connection (the client's handshake)
/// with the length of a 2 GiB bulk string, then sends that string's bytes as fast as they are
/// taken (at most 512 MiB a connection). It stops when `stop` is set.
fn lying_server(stop: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let Ok((mut c, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            let stop = stop.clone();
            std::thread::spawn(move || {
                c.set_nonblocking(false).unwrap();
                c.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
                let mut first = [0u8; 4096];
                if c.read(&mut first).unwrap_or(0) == 0 {
                    return;
                }
                if c.write_all(b"$2147483648\r\n").is_err() {
                    return;
                }
                let block = vec![b'x'; 1 << 20];
                for _ in 0..512 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match c.write_all(&block) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(_) => return,
                    }
                }
            });
        }
    });
    port
}

#[test]
fn redis_a_server_cannot_make_feedctl_hold_more_than_the_reply_cap() {
    let stop = Arc::new(AtomicBool::new(false));
    let port = lying_server(stop.clone());
    let sb = Sandbox::new();
    let url = format!("redis://127.0.0.1:{port}/k");
    let run = run_measured(
        &sb,
        "tail",
        &["tail", &url, "--count", "1"],
        &[],
        Duration::from_secs(20),
    );
    stop.store(true, Ordering::Relaxed);
    assert!(
        run.peak_mib < 64.0,
        "peak RSS {} MiB: {}",
        run.peak_mib,
        run.stderr
    );
    assert_eq!(
        run.code,
        Some(4),
        "{:?} {} MiB {}",
        run.took,
        run.peak_mib,
        run.stderr
    );
    assert!(
        run.stderr
            .contains("a reply of 2147483648 bytes is over the limit of 512 MiB a reply may take; set FEEDCTL_REDIS_MAX_REPLY_MIB to raise it"),
        "{}",
        run.stderr
    );
    // The cap is the user's to move; a bad value is a usage error.
    let run = run_measured(
        &sb,
        "bad",
        &["tail", &url, "--count", "1"],
        &[("FEEDCTL_REDIS_MAX_REPLY_MIB", "lots")],
        Duration::from_secs(20),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("FEEDCTL_REDIS_MAX_REPLY_MIB=lots"),
        "{}",
        run.stderr
    );
}

#[test]
fn redis_an_entry_costs_at_most_twice_its_size_in_memory() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    const MIB: usize = 1 << 20;
    let mut c = r.conn();
    r.xadd(&mut c, "small", &[("payload", b"tiny")]);
    r.xadd(&mut c, "large", &[("payload", &vec![b'y'; 32 * MIB])]);
    let sb = Sandbox::new();
    let tail = |key: &str| {
        let url = r.url(key);
        let args = ["tail", &url, "--from", "beginning", "--count", "1"];
        let run = run_measured(&sb, key, &args, &[], Duration::from_secs(30));
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert!(run.stdout.len() > if key == "large" { 32 * MIB } else { 4 });
        run.peak_mib
    };
    let (base, large) = (tail("small"), tail("large"));
    // Twice the entry (its reply, then its stored JSON next to what is printed) plus what
    // feedctl holds anyway, and a little for the allocator.
    assert!(
        large < base + 2.0 * 32.0 + 8.0,
        "peak RSS {large:.1} MiB for a 32 MiB entry, {base:.1} MiB for a tiny one"
    );
    // From the end (tail's default), the stream's first and last entries are only looked at
    // for the last id: holding the large one costs nothing.
    let url = r.url("large");
    let end = std::thread::scope(|s| {
        // Twice, in case feedctl was slow to start and took the first for the end.
        s.spawn(|| {
            for _ in 0..2 {
                std::thread::sleep(Duration::from_millis(1500));
                r.xadd(&mut r.conn(), "large", &[("payload", b"after")]);
            }
        });
        let args = ["tail", &url, "--count", "1"];
        run_measured(&sb, "end", &args, &[], Duration::from_secs(30))
    });
    assert_eq!(end.code, Some(0), "{}", end.stderr);
    assert!(String::from_utf8_lossy(&end.stdout).contains("after"));
    assert!(
        end.peak_mib < base + 8.0,
        "peak RSS {:.1} MiB from the end of a stream holding a 32 MiB entry",
        end.peak_mib
    );
}

#[test]
fn redis_recording_an_entry_costs_at_most_twice_its_size_in_memory() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    const MIB: usize = 1 << 20;
    let mut c = r.conn();
    r.xadd(&mut c, "small", &[("payload", b"tiny")]);
    r.xadd(&mut c, "large", &[("payload", &vec![b'y'; 32 * MIB])]);
    let sb = Sandbox::new();
    let record = |key: &str| {
        let url = r.url(key);
        let journal = format!("{key}.db");
        let args = [
            "record",
            "-j",
            &journal,
            &url,
            "--from",
            "beginning",
            "--count",
            "1",
        ];
        let run = run_measured(&sb, key, &args, &[], Duration::from_secs(60));
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        run.peak_mib
    };
    let (base, large) = (record("small"), record("large"));
    // Twice the entry (its reply, then its stored JSON; then that JSON and the row SQLite
    // builds of it to write), SQLite's page cache (16 MiB, filled by the entry's pages), plus
    // what feedctl holds anyway and a little for the allocator. It was 4.5 times the entry:
    // the chunk's copy of the JSON and SQLite's copy of the bound text besides.
    assert!(
        large < base + 2.0 * 32.0 + 16.0 + 8.0,
        "peak RSS {large:.1} MiB recording a 32 MiB entry, {base:.1} MiB a tiny one"
    );
    // Stored exactly as before: the JSON as TEXT, the chunk's size its line.
    let db = rusqlite::Connection::open(sb.path().join("large.db")).unwrap();
    let (kind, id, raw, size): (String, String, String, usize) = db
        .query_row(
            "SELECT typeof(raw), event_id, raw, size FROM events JOIN chunks ON chunks.id = events.chunk_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(kind, "text");
    let expected = format!(
        r#"{{"stream":"large","id":"{id}","fields":{{"payload":"{}"}}}}"#,
        "y".repeat(32 * MIB)
    );
    assert!(raw == expected, "{} bytes stored", raw.len());
    assert_eq!(size, raw.len() + 1);
}

#[test]
fn redis_a_batch_over_the_reply_cap_gets_smaller_and_an_entry_over_it_stops() {
    let Some(r) = RedisServer::start() else {
        return;
    };
    // 100 entries of 20 KB are 2 MB a read: over a 1 MiB cap, 25 entries a read are not.
    fill_large(&r, "many", 100, 20_000);
    let mut c = r.conn();
    r.xadd(&mut c, "huge", &[("payload", &vec![b'z'; 2_000_000])]);
    let sb = Sandbox::new();
    let cap = [("FEEDCTL_REDIS_MAX_REPLY_MIB", "1")];
    let url = r.url("many");
    let args = [
        "tail",
        &url,
        "--from",
        "beginning",
        "--count",
        "100",
        "--batch",
        "100",
    ];
    let run = run_measured(&sb, "many", &args, &cap, Duration::from_secs(30));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.iter().filter(|b| **b == b'\n').count(), 100);
    assert!(
        run.stderr.contains("over the limit of 1 MiB")
            && run.stderr.contains("asking for 25 entries a read"),
        "{}",
        run.stderr
    );
    // One entry over the cap: no smaller read helps, so it stops at once.
    let url = r.url("huge");
    let args = ["tail", &url, "--from", "beginning", "--count", "1"];
    let run = run_measured(&sb, "huge", &args, &cap, Duration::from_secs(30));
    assert_eq!(run.code, Some(4), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "a reply of 2000000 bytes is over the limit of 1 MiB a reply may take; set FEEDCTL_REDIS_MAX_REPLY_MIB to raise it"
        ),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(5), "{:?}", run.took);
}
