//! A real `redis-server` per test, on a free loopback port, stopped by PID when dropped. Missing
//! redis-server: the test is skipped with a note, except in CI (CI=true), where .ci/run installs
//! it and a missing one fails.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub port: u16,
    password: Option<String>,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts a server, or None when redis-server is not installed outside CI.
    pub fn start() -> Option<RedisServer> {
        Self::start_with(None)
    }

    /// A server that requires `password` (requirepass), or none.
    pub fn start_with(password: Option<&str>) -> Option<RedisServer> {
        let found = Command::new("sh")
            .args(["-c", "command -v redis-server >/dev/null 2>&1"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !found {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is not installed; .ci/run installs it in CI"
            );
            eprintln!("skipped: redis-server is not installed");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        // A port the kernel just handed out and gave back: free unless another test races for
        // it, in which case redis-server fails to bind and we try another.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            let mut child = spawn(port, dir.path(), password);
            if answers(&mut child, port, password) {
                return Some(RedisServer {
                    child,
                    port,
                    password: password.map(str::to_string),
                    _dir: dir,
                });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not start");
    }

    /// Kills the server (all data gone: no persistence) and starts a new one on the same port
    /// after `down`.
    pub fn restart_after(&mut self, down: Duration) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(down);
        self.child = spawn(self.port, self._dir.path(), self.password.as_deref());
        assert!(
            answers(&mut self.child, self.port, self.password.as_deref()),
            "redis-server did not start again on port {}",
            self.port
        );
    }

    /// XADD of field pairs on `c`; the new id.
    pub fn xadd(&self, c: &mut redis::Connection, key: &str, fields: &[(&str, &[u8])]) -> String {
        let mut cmd = redis::cmd("XADD");
        cmd.arg(key).arg("*");
        for (k, v) in fields {
            cmd.arg(*k).arg(*v);
        }
        cmd.query(c).unwrap()
    }

    /// `redis://127.0.0.1:PORT/KEY`.
    pub fn url(&self, key: &str) -> String {
        format!("redis://127.0.0.1:{}/{key}", self.port)
    }

    /// A plain connection for the test's own commands.
    pub fn conn(&self) -> redis::Connection {
        let auth = self
            .password
            .as_ref()
            .map(|p| format!(":{p}@"))
            .unwrap_or_default();
        let c =
            redis::Client::open(format!("redis://{auth}127.0.0.1:{}/", self.port)).expect("client");
        c.get_connection_with_timeout(Duration::from_secs(5))
            .expect("connect")
    }

    /// Adds `n` entries `n=<i>` (pipelined); returns their ids in order.
    pub fn fill(&self, key: &str, n: usize) -> Vec<String> {
        let mut conn = self.conn();
        let mut ids = Vec::with_capacity(n);
        for part in (0..n).collect::<Vec<_>>().chunks(1000) {
            let mut pipe = redis::pipe();
            for i in part {
                pipe.cmd("XADD")
                    .arg(key)
                    .arg("*")
                    .arg("n")
                    .arg(i.to_string());
            }
            let got: Vec<String> = pipe.query(&mut conn).expect("XADD");
            ids.extend(got);
        }
        ids
    }

    /// How many entries of `group` are pending (XPENDING summary).
    pub fn pending(&self, key: &str, group: &str) -> i64 {
        let v: redis::Value = redis::cmd("XPENDING")
            .arg(key)
            .arg(group)
            .query(&mut self.conn())
            .expect("XPENDING");
        match v {
            redis::Value::Array(a) => match a.first() {
                Some(redis::Value::Int(n)) => *n,
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Pending entries of one consumer.
    pub fn pending_of(&self, key: &str, group: &str, consumer: &str) -> usize {
        let v: Vec<redis::Value> = redis::cmd("XPENDING")
            .arg(key)
            .arg(group)
            .arg("-")
            .arg("+")
            .arg(100_000)
            .arg(consumer)
            .query(&mut self.conn())
            .unwrap_or_default();
        v.len()
    }
}

fn spawn(port: u16, dir: &std::path::Path, password: Option<&str>) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .args(
            password
                .map(|p| vec!["--requirepass", p])
                .unwrap_or_default(),
        )
        .arg("--dir")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start redis-server")
}

/// Waits up to 5 s for the server to answer PING; false when it exited (the port was taken).
fn answers(child: &mut Child, port: u16, password: Option<&str>) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    let auth = password.map(|p| format!(":{p}@")).unwrap_or_default();
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if redis::Client::open(format!("redis://{auth}127.0.0.1:{port}/"))
            .and_then(|c| c.get_connection())
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
            .is_ok()
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
