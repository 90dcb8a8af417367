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
    /// Serving TLS only (`rediss://`), with fixtures/tls's test certificate.
    tls: bool,
    /// TLS that requires a client certificate (`tls-auth-clients yes`).
    client_auth: bool,
    /// Listening on a Unix socket only (in its directory), not TCP.
    unix: bool,
    _dir: tempfile::TempDir,
}

/// The TEST-ONLY client certificate of fixtures/tls, with its key in the same file, signed by
/// [`test_ca`]: what a server with `tls-auth-clients yes` accepts.
pub fn test_client_cert() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/tls/TEST-ONLY-bot-cert-and-key.pem")
}

/// The TEST-ONLY CA of fixtures/tls, which signed the server certificate a TLS server uses.
pub fn test_ca() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tls/TEST-ONLY-ca.pem")
}

impl RedisServer {
    /// Starts a server, or None when redis-server is not installed outside CI.
    pub fn start() -> Option<RedisServer> {
        Self::start_with(None)
    }

    /// A server that requires `password` (requirepass), or none.
    pub fn start_with(password: Option<&str>) -> Option<RedisServer> {
        Self::launch(password, false, false, false)
    }

    /// A server that speaks TLS only, with fixtures/tls's certificate for 127.0.0.1 (signed by
    /// [`test_ca`]); clients are not asked for a certificate.
    pub fn start_tls() -> Option<RedisServer> {
        Self::launch(None, true, false, false)
    }

    /// A TLS-only server that requires a client certificate signed by [`test_ca`]
    /// (`tls-auth-clients yes`), such as [`test_client_cert`].
    pub fn start_tls_client_auth() -> Option<RedisServer> {
        Self::launch(None, true, true, false)
    }

    /// A server on a Unix socket only ([`RedisServer::socket`]; no TCP port).
    pub fn start_unix() -> Option<RedisServer> {
        Self::launch(None, false, false, true)
    }

    /// The Unix socket of a [`RedisServer::start_unix`] server.
    pub fn socket(&self) -> std::path::PathBuf {
        self._dir.path().join("redis.sock")
    }

    fn launch(
        password: Option<&str>,
        tls: bool,
        client_auth: bool,
        unix: bool,
    ) -> Option<RedisServer> {
        if !crate::common::tools_installed(&["redis-server"]) {
            return None;
        }
        // A port the kernel just handed out and gave back: free unless another test races for
        // it, in which case redis-server fails to bind and we try another.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            let dir = tempfile::tempdir().expect("tempdir");
            let mut server = RedisServer {
                child: spawn(port, dir.path(), password, tls, client_auth, unix),
                port,
                password: password.map(str::to_string),
                tls,
                client_auth,
                unix,
                _dir: dir,
            };
            if server.answers() {
                return Some(server);
            }
            // Dropping it kills what is left of it.
        }
        panic!("redis-server did not start");
    }

    /// Kills the server (all data gone: no persistence) and starts a new one on the same port
    /// after `down`.
    pub fn restart_after(&mut self, down: Duration) {
        self.stop();
        std::thread::sleep(down);
        self.start_again();
    }

    /// Kills the server: nothing listens on its port until [`RedisServer::start_again`].
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts a new server (empty) on the port of one [`RedisServer::stop`] killed.
    pub fn start_again(&mut self) {
        self.child = spawn(
            self.port,
            self._dir.path(),
            self.password.as_deref(),
            self.tls,
            self.client_auth,
            self.unix,
        );
        assert!(
            self.answers(),
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

    /// `redis://127.0.0.1:PORT/KEY` (`rediss://` for a TLS server).
    pub fn url(&self, key: &str) -> String {
        if self.unix {
            return format!("redis+unix://{}?key={key}", self.socket().display());
        }
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}/{key}", self.port)
    }

    /// A connection for the test's own commands (over TLS to a TLS server, trusting
    /// [`test_ca`]).
    pub fn conn(&self) -> redis::Connection {
        self.client()
            .get_connection_with_timeout(Duration::from_secs(5))
            .expect("connect")
    }

    fn client(&self) -> redis::Client {
        let auth = self
            .password
            .as_ref()
            .map(|p| format!(":{p}@"))
            .unwrap_or_default();
        if self.unix {
            return redis::Client::open(format!("redis+unix://{}", self.socket().display()))
                .expect("client");
        }
        if self.tls {
            let client = std::fs::read(test_client_cert()).expect("the test client certificate");
            let certs = redis::TlsCertificates {
                client_tls: self.client_auth.then(|| redis::ClientTlsConfig {
                    client_cert: client.clone(),
                    client_key: client,
                }),
                root_cert: Some(std::fs::read(test_ca()).expect("the test CA")),
            };
            redis::Client::build_with_tls(format!("rediss://{auth}127.0.0.1:{}/", self.port), certs)
                .expect("client")
        } else {
            redis::Client::open(format!("redis://{auth}127.0.0.1:{}/", self.port)).expect("client")
        }
    }

    /// Waits up to 5 s for the server to answer PING; false when it exited (the port was taken).
    fn answers(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            let client = self.client();
            if client
                .get_connection_with_timeout(Duration::from_secs(1))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok()
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
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

fn spawn(
    port: u16,
    dir: &std::path::Path,
    password: Option<&str>,
    tls: bool,
    client_auth: bool,
    unix: bool,
) -> Child {
    let tls_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tls");
    let file = |name: &str| tls_dir.join(name).to_string_lossy().into_owned();
    let listen = match tls {
        false if unix => vec![
            "--port".to_string(),
            "0".into(),
            "--unixsocket".into(),
            dir.join("redis.sock").to_string_lossy().into_owned(),
            "--unixsocketperm".into(),
            "700".into(),
        ],
        false => vec!["--port".to_string(), port.to_string()],
        true => vec![
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            file("TEST-ONLY-server-cert.pem"),
            "--tls-key-file".into(),
            file("TEST-ONLY-server-key.pem"),
            "--tls-ca-cert-file".into(),
            file("TEST-ONLY-ca.pem"),
            "--tls-auth-clients".into(),
            if client_auth { "yes" } else { "no" }.into(),
        ],
    };
    Command::new("redis-server")
        .args(&listen)
        .args(["--bind", "127.0.0.1"])
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

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a [`FaultProxy`] does to the traffic it forwards, once in its life.
#[derive(Clone, Copy)]
pub enum Fault {
    /// Closes a connection (both ways) after it has forwarded this many bytes of replies: a
    /// reply cut off in the middle, as by a network drop.
    CutRepliesAfter(usize),
    /// Stops forwarding a connection's commands from the first read that holds these bytes
    /// (say `XACK`): the command never reaches the server, and the connection stays open.
    HoldCommand(&'static [u8]),
}

/// A TCP proxy on a free loopback port in front of a redis-server, that forwards both ways
/// and does its [`Fault`] once; the test points feedctl at [`FaultProxy::url`].
pub struct FaultProxy {
    pub port: u16,
    /// Set once the fault was done.
    pub done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FaultProxy {
    pub fn start(upstream: u16, fault: Fault) -> FaultProxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (done2, stop2) = (done.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let done = done2.clone();
                        std::thread::spawn(move || forward(client, upstream, fault, done));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FaultProxy { port, done, stop }
    }

    /// `redis://127.0.0.1:PROXY/KEY`.
    pub fn url(&self, key: &str) -> String {
        format!("redis://127.0.0.1:{}/{key}", self.port)
    }

    /// Whether the fault was done, waiting up to `wait` for it.
    pub fn wait_done(&self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            if self.done.load(std::sync::atomic::Ordering::SeqCst) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Forwards one connection until either side closes it, doing the fault once.
fn forward(
    client: std::net::TcpStream,
    upstream: u16,
    fault: Fault,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::io::{Read, Write};
    use std::net::Shutdown;
    use std::sync::atomic::Ordering;
    let _ = client.set_nonblocking(false);
    let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    let (mut from_client, mut to_server) = (
        client.try_clone().expect("clone"),
        server.try_clone().expect("clone"),
    );
    let done_up = done.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let mut holding = false;
        loop {
            let n = match from_client.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Fault::HoldCommand(what) = fault {
                if !holding
                    && buf[..n].windows(what.len()).any(|w| w == what)
                    && !done_up.swap(true, Ordering::SeqCst)
                {
                    holding = true;
                }
            }
            // Held: read on (so the client's writes never block) and forward nothing.
            if !holding && to_server.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to_server.shutdown(Shutdown::Write);
    });
    let (mut from_server, mut to_client) = (server, client);
    let mut buf = vec![0u8; 64 * 1024];
    let mut sent = 0usize;
    loop {
        let n = match from_server.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Fault::CutRepliesAfter(limit) = fault {
            if sent + n > limit && !done.swap(true, Ordering::SeqCst) {
                let _ = to_client.write_all(&buf[..limit.saturating_sub(sent)]);
                let _ = to_client.shutdown(Shutdown::Both);
                let _ = from_server.shutdown(Shutdown::Both);
                return;
            }
        }
        if to_client.write_all(&buf[..n]).is_err() {
            break;
        }
        sent += n;
    }
    let _ = to_client.shutdown(Shutdown::Write);
}
