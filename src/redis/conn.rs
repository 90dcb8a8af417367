//! Connections and what a Redis error means to feedctl (DESIGN §4a).

use std::time::Duration;

use ::redis::aio::{ConnectionLike, MultiplexedConnection};
use ::redis::cluster::ClusterClientBuilder;
use ::redis::cluster_async::{ClusterConnection, Connect};
use ::redis::{
    AsyncConnectionConfig, ConnectionAddr, IntoConnectionInfo, RedisConnectionInfo, RedisFuture,
    Value,
};

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::Secret;
use crate::feed::{ErrorClass, SourceError};

use super::guard::{self, Guarded, Meter, Refusal, Said};
use super::url::Server;

/// How long connecting may take before it counts as a transient failure (each of TCP, TLS
/// and the handshake), unless `--connection-timeout` is shorter ([`connect_timeout`]).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The variable naming a PEM file of CA certificates that `rediss://` connections trust
/// instead of webpki's roots: the one OpenSSL, and so redis-cli, reads for its default bundle,
/// for a server whose certificate a private CA signed. `--tls-ca` takes precedence.
pub const CA_FILE_VAR: &str = "SSL_CERT_FILE";

/// How every Redis connection of a run is made, whichever client opens it (the crate's
/// connections and feedctl's own are both opened by [`super::wire::stream`]): the TLS files
/// (`--tls-ca/--tls-cert/--tls-key`) and `--connection-timeout`. Set once by the command
/// ([`configure`]) before it connects.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub tls: TlsFiles,
    /// No working connection for this long ends the run (exit 4); `None`: retry forever.
    pub connection_timeout: Option<Duration>,
}

/// `--tls-ca FILE`, `--tls-cert FILE`, `--tls-key FILE` (redis-cli's `--cacert/--cert/--key`).
#[derive(Debug, Clone, Default)]
pub struct TlsFiles {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Sets the run's connection settings (the first call wins); a key without a certificate is
/// refused here, the files themselves are read on the first `rediss://` connection.
pub fn configure(settings: Settings) -> Result<(), String> {
    if settings.tls.key.is_some() && settings.tls.cert.is_none() {
        return Err("--tls-key needs --tls-cert (the client certificate it goes with)".into());
    }
    let _ = SETTINGS.set(settings);
    Ok(())
}

/// The run's settings ([`configure`]), or the defaults.
pub fn settings() -> &'static Settings {
    SETTINGS.get_or_init(Settings::default)
}

/// How long one step of connecting (TCP, TLS, the handshake) may take:
/// [`CONNECT_TIMEOUT`], or `--connection-timeout` when shorter.
pub fn connect_timeout() -> Duration {
    match settings().connection_timeout {
        Some(d) => d.min(CONNECT_TIMEOUT).max(Duration::from_millis(100)),
        None => CONNECT_TIMEOUT,
    }
}

/// The TLS client settings every `rediss://` connection uses: the roots (`--tls-ca`, else
/// `SSL_CERT_FILE`, else webpki's) and the client certificate; built once per run.
pub fn tls_config() -> Result<Arc<rustls::ClientConfig>, Failure> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| build_tls_config(&settings().tls))
        .clone()
        .map_err(Failure::Local)
}

fn build_tls_config(files: &TlsFiles) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let ca = match &files.ca {
        Some(path) => Some((path.clone(), "--tls-ca")),
        None => std::env::var_os(CA_FILE_VAR)
            .filter(|p| !p.is_empty())
            .map(|p| (PathBuf::from(p), CA_FILE_VAR)),
    };
    match ca {
        Some((path, what)) => {
            let certs = read_certs(&path, what)?;
            let (_, ignored) = roots.add_parsable_certificates(certs);
            if roots.is_empty() {
                return Err(format!(
                    "{what} {}: none of its {ignored} certificates can be a CA for rediss://",
                    path.display()
                ));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots);
    let config = match &files.cert {
        None => builder.with_no_client_auth(),
        Some(cert_path) => {
            let certs = read_certs(cert_path, "--tls-cert")?;
            // The key may be in its own file, or follow the certificate in one PEM file.
            let key_path = files.key.as_ref().unwrap_or(cert_path);
            let pem = std::fs::read(key_path)
                .map_err(|e| format!("--tls-key {}: cannot read it ({e})", key_path.display()))?;
            let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match &files.key {
                Some(_) => format!(
                    "--tls-key {}: no private key in it ({e}); give the PEM file of the key of --tls-cert",
                    key_path.display()
                ),
                None => format!(
                    "--tls-cert {}: no private key in it ({e}); give the key's PEM file with --tls-key",
                    key_path.display()
                ),
            })?;
            builder.with_client_auth_cert(certs, key).map_err(|e| {
                format!(
                    "--tls-cert {} with --tls-key {}: {e}",
                    cert_path.display(),
                    key_path.display()
                )
            })?
        }
    };
    Ok(Arc::new(config))
}

/// The certificates of a PEM file, or what is wrong with it (`what`: the flag or variable).
fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let bad = |why: String| format!("{what} {}: {why}", path.display());
    let pem = std::fs::read(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("not PEM ({e})")))?;
    if certs.is_empty() {
        return Err(bad(
            "no certificate in it (-----BEGIN CERTIFICATE-----)".into()
        ));
    }
    Ok(certs)
}

/// What to say when the server's certificate was not trusted (no retry will change that).
pub fn untrusted(server: &Server, why: &str) -> Failure {
    Failure::Refused(format!(
        "{server}: TLS: {why}; if a private CA signed the server's certificate, give its PEM file with --tls-ca (or {CA_FILE_VAR})"
    ))
}

/// What a TLS error means: every one is permanent (a retry meets the same certificates), and
/// each names the fix.
pub fn tls_failure(server: &Server, e: &rustls::Error) -> Failure {
    use rustls::AlertDescription as A;
    let has_cert = settings().tls.cert.is_some();
    match e {
        rustls::Error::InvalidCertificate(_) => untrusted(server, &e.to_string()),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => not_tls(server),
        rustls::Error::AlertReceived(
            A::CertificateRequired | A::HandshakeFailure | A::BadCertificate | A::UnknownCA
            | A::CertificateUnknown | A::AccessDenied,
        ) if !has_cert => Failure::Refused(format!(
            "{server}: TLS: the server requires a client certificate ({e}); give it with --tls-cert FILE --tls-key FILE (or FEEDCTL_REDIS_TLS_CERT and FEEDCTL_REDIS_TLS_KEY)"
        )),
        rustls::Error::AlertReceived(
            A::BadCertificate | A::UnknownCA | A::CertificateUnknown | A::AccessDenied
            | A::CertificateExpired | A::CertificateRevoked | A::UnsupportedCertificate,
        ) => Failure::Refused(format!(
            "{server}: TLS: the server refused the client certificate of --tls-cert ({e}); give one its CA (tls-ca-cert-file) signed"
        )),
        _ => Failure::Refused(format!("{server}: TLS: {e}")),
    }
}

/// `rediss://` to a port that speaks plain Redis (or anything but TLS).
pub fn not_tls(server: &Server) -> Failure {
    Failure::Refused(format!(
        "{server}: the server did not speak TLS (it answers plain Redis, or something else); use redis:// for a port without TLS, or the server's TLS port (tls-port)"
    ))
}

/// The TLS error inside an I/O error, if that is what it is.
pub fn tls_error_of(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}

/// An I/O error of a connection: a TLS one is permanent ([`tls_failure`]), any other
/// transient.
pub fn io_failure(server: &Server, e: &io::Error) -> Failure {
    match tls_error_of(e) {
        Some(tls) => tls_failure(server, tls),
        None => Failure::Transient(format!("{server}: {e}")),
    }
}

/// How long a run has had no working connection, against `--connection-timeout`.
#[derive(Debug)]
pub struct Outage {
    since: Option<Instant>,
}

impl Default for Outage {
    fn default() -> Self {
        Self::new()
    }
}

impl Outage {
    /// A run starts with no working connection.
    pub fn new() -> Outage {
        Outage {
            since: Some(Instant::now()),
        }
    }

    /// A step worked: the connection works.
    pub fn up(&mut self) {
        self.since = None;
    }

    /// After a transient failure: how long to wait before the next attempt (`wait`, cut to
    /// what is left of `--connection-timeout`), or, once it is used up, the final error.
    pub fn wait(
        &mut self,
        server: &Server,
        wait: Duration,
        reason: &str,
    ) -> Result<Duration, String> {
        let since = *self.since.get_or_insert_with(Instant::now);
        let Some(limit) = settings().connection_timeout else {
            return Ok(wait);
        };
        let gone = since.elapsed();
        if gone >= limit {
            return Err(format!(
                "no working connection to {server} for {} (--connection-timeout {}): {reason}",
                humantime::format_duration(Duration::from_millis(gone.as_millis() as u64)),
                humantime::format_duration(limit)
            ));
        }
        Ok(wait.min(limit - gone))
    }
}

/// A connection to what a URL names: one server (the master the sentinels name included), or
/// a Redis Cluster reached through any of its nodes. A cluster's topology (the slot map,
/// MOVED and ASK, a replica promoted) is the crate's to follow; each of its node connections
/// is opened here as a single server's is ([`Node`]), so TLS, the reply cap and the progress
/// timeout are the same whatever the topology.
#[derive(Clone)]
pub enum Conn {
    Server(Node),
    Cluster(ClusterConnection<Node>),
}

impl Conn {
    /// Commands that name keys of several hash slots are refused by a cluster (CROSSSLOT):
    /// they go key by key there.
    pub fn is_cluster(&self) -> bool {
        matches!(self, Conn::Cluster(_))
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a ::redis::Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Server(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a ::redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Server(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Server(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// The longest progress timeout asked for in this run: a cluster's node connections are
/// opened by the crate, which cannot say which caller they are for, so they take the longest
/// (it is above every BLOCK time of the run).
static NODE_PROGRESS_MS: AtomicU64 = AtomicU64::new(0);

/// Connects to what `server` names (see [`Conn`]). Cluster mode is found, not configured: a
/// server whose `INFO cluster` says `cluster_enabled:1` is asked for its cluster's slot map,
/// and commands go to the node that holds each key. `progress`: how long an awaited reply may
/// go without a byte (see [`connect_node`]).
pub async fn connect(server: &Server, progress: Duration) -> Result<Conn, Failure> {
    NODE_PROGRESS_MS.fetch_max(progress.as_millis() as u64, Ordering::Relaxed);
    let mut node = connect_node(server, progress).await?;
    if server.socket.is_some()
        || server.sentinel.is_some()
        || !cluster_enabled(&mut node.conn).await
    {
        return Ok(Conn::Server(node));
    }
    let addr = match server.tls {
        true => ConnectionAddr::TcpTls {
            host: server.host.clone(),
            port: server.port,
            insecure: false,
            tls_params: None,
        },
        false => ConnectionAddr::Tcp(server.host.clone(), server.port),
    };
    let mut builder = ClusterClientBuilder::new(vec![addr])
        .connection_timeout(connect_timeout())
        // The crate's retries follow MOVED/ASK/TRYAGAIN and a node gone during a failover
        // for a few seconds; past them the error comes here and the caller reconnects.
        .retries(6)
        .max_retry_wait(1000);
    if let Some(u) = &server.username {
        builder = builder.username(u);
    }
    if let Some(p) = &server.password {
        builder = builder.password(p.expose());
    }
    let client = builder
        .build()
        .map_err(|e| Failure::from_redis(e, server))?;
    let limit = connect_timeout();
    let cluster = tokio::time::timeout(limit, client.get_async_generic_connection::<Node>())
        .await
        .map_err(|_| {
            Failure::Transient(format!(
                "{server}: no slot map from the cluster within {limit:?}"
            ))
        })?
        .map_err(|e| Failure::from_redis(e, server))?;
    Ok(Conn::Cluster(cluster))
}

/// Whether the server is a node of a Redis Cluster (a server that does not answer `INFO`, as
/// an ACL may forbid it, is taken for a single server).
async fn cluster_enabled(node: &mut MultiplexedConnection) -> bool {
    let info = ::redis::cmd("INFO")
        .arg("cluster")
        .query_async::<Value>(node)
        .await;
    match info {
        Ok(v) => super::value::text(&v).is_some_and(|t| t.contains("cluster_enabled:1")),
        Err(_) => false,
    }
}

/// One server's connection ([`connect_node`]): a single server, or one node of a cluster
/// (with the TLS settings and credentials of the URL that reached the cluster). Its errors
/// say when the guard under it failed the stream ([`guard::explained`]).
#[derive(Clone)]
pub struct Node {
    conn: MultiplexedConnection,
    said: Said,
    meter: Arc<Meter>,
}

impl ConnectionLike for Node {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a ::redis::Cmd) -> RedisFuture<'a, Value> {
        let said = self.said.clone();
        self.meter.asked(1);
        let reply = self.conn.req_packed_command(cmd);
        Box::pin(async move { reply.await.map_err(|e| guard::explained(e, &said)) })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a ::redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        let said = self.said.clone();
        // A transaction is answered for its MULTI and EXEC too.
        let extra = if pipeline.is_transaction() { 2 } else { 0 };
        self.meter.asked(pipeline.len() as u64 + extra);
        let replies = self.conn.req_packed_commands(pipeline, offset, count);
        Box::pin(async move { replies.await.map_err(|e| guard::explained(e, &said)) })
    }

    fn get_db(&self) -> i64 {
        self.conn.get_db()
    }
}

impl Connect for Node {
    fn connect_with_config<'a, T>(info: T, _: AsyncConnectionConfig) -> RedisFuture<'a, Node>
    where
        T: IntoConnectionInfo + Send + 'a,
    {
        Box::pin(async move {
            let info = info.into_connection_info()?;
            let (host, port, tls) = match info.addr() {
                ConnectionAddr::Tcp(host, port) => (host.clone(), *port, false),
                ConnectionAddr::TcpTls { host, port, .. } => (host.clone(), *port, true),
                ConnectionAddr::Unix(_) => {
                    return Err(io::Error::other("a cluster node on a Unix socket").into())
                }
                _ => return Err(io::Error::other("an unknown kind of cluster node address").into()),
            };
            let settings = info.redis_settings();
            let server = Server {
                tls,
                socket: None,
                host,
                port,
                db: 0,
                username: settings.username().map(str::to_string),
                password: settings.password().map(Secret::new),
                sentinel: None,
            };
            let progress = Duration::from_millis(NODE_PROGRESS_MS.load(Ordering::Relaxed));
            match connect_node(&server, progress).await {
                Ok(node) => Ok(node),
                Err(Failure::Auth(t)) => {
                    Err((::redis::ErrorKind::AuthenticationFailed, "node", t).into())
                }
                Err(f) => Err(io::Error::other(f.text()).into()),
            }
        })
    }
}

/// Opens one server's connection of the redis crate over a [`Guarded`] stream: a reply over
/// [`guard::max_reply`] fails it, and so does a reply awaited for `progress` without a byte
/// (above a BLOCK time, or every blocking read fails; the crate's own timeout, for the whole
/// reply, is off: a large reply on a slow link takes as long as it takes while bytes come).
async fn connect_node(server: &Server, progress: Duration) -> Result<Node, Failure> {
    let cap = guard::max_reply().map_err(Failure::Local)?;
    let stream = super::wire::stream(server).await?;
    let mut redis = RedisConnectionInfo::default().set_db(server.db);
    if let Some(u) = &server.username {
        redis = redis.set_username(u);
    }
    if let Some(p) = &server.password {
        redis = redis.set_password(p.expose());
    }
    let config = AsyncConnectionConfig::new().set_response_timeout(None);
    let guarded = Guarded::new(stream, cap, progress);
    let (said, meter) = (guarded.said(), guarded.meter());
    // The handshake (AUTH, SELECT, CLIENT SETINFO) is small: a server that does not answer
    // it within CONNECT_TIMEOUT is as good as unreachable.
    let handshake = MultiplexedConnection::new_with_config(&redis, guarded, config);
    let limit = connect_timeout();
    let (conn, driver) = tokio::time::timeout(limit, handshake)
        .await
        .map_err(|_| {
            Failure::Transient(format!(
                "{server}: no answer to the handshake within {limit:?}"
            ))
        })?
        .map_err(|e| Failure::from_redis(e, server))?;
    // The driver ends when the connection's last handle is dropped with nothing in flight, or
    // when the stream fails (a stalled reply fails it within `progress`).
    tokio::spawn(driver);
    // The handshake's commands went out without the handle; all their replies came.
    meter.reset();
    Ok(Node { conn, said, meter })
}

/// The I/O error a crate's error carries (it keeps the stream's in an Arc, as its source).
fn io_of(e: &::redis::RedisError) -> Option<&io::Error> {
    type Shared = std::sync::Arc<dyn std::error::Error + Send + Sync>;
    let source = std::error::Error::source(e)?;
    match source.downcast_ref::<Shared>() {
        Some(shared) => shared.downcast_ref::<io::Error>(),
        None => source.downcast_ref::<io::Error>(),
    }
}

/// A Redis failure, sorted: retry it, stop with a class, or handle it (NOGROUP, WRONGTYPE).
#[derive(Debug)]
pub enum Failure {
    /// Connection refused or dropped, timeouts, LOADING, BUSY...: reconnect and retry.
    Transient(String),
    /// A reply stalled (no byte for the connection's progress timeout), or a read's reply ran
    /// over the cap: reconnect and retry, asking for fewer entries at a time.
    Overload(String),
    /// A reply over [`guard::max_reply`]: fewer entries at a time, or stop when one value
    /// (`one_value`: its length said so) or one entry is that large.
    Oversize { text: String, one_value: bool },
    /// The group (or its key) does not exist.
    NoGroup(String),
    /// The key holds something else than a stream.
    WrongType,
    /// This key holds this type.
    WrongTypeOf(String, String),
    /// The credentials were refused.
    Auth(String),
    /// The server refused for good.
    Refused(String),
    /// Something on this machine is wrong (a CA file that cannot be read).
    Local(String),
}

impl Failure {
    /// Sorts an error of the client. Its text may name the server, never the password (the
    /// client does not print it, and the URL is ours).
    pub fn from_redis(e: ::redis::RedisError, server: &Server) -> Failure {
        match guard::refusal_of(&e) {
            Some(r @ Refusal::Oversize { .. }) => return Failure::oversize(server, r),
            Some(r @ Refusal::Stalled(_)) => return Failure::Overload(format!("{server}: {r}")),
            Some(r @ Refusal::Garbage(_)) => return Failure::Refused(format!("{server}: {r}")),
            None => {}
        }
        if let Some(tls) = io_of(&e).and_then(tls_error_of) {
            return tls_failure(server, tls);
        }
        let code = e.code().unwrap_or("").to_string();
        let text = e.to_string();
        if e.kind() == ::redis::ErrorKind::AuthenticationFailed {
            return Failure::auth_failed(server);
        }
        // Something else than Redis on that port (the crate's text spans lines of bytes).
        if e.kind() == ::redis::ErrorKind::Parse {
            let first = text.lines().next().unwrap_or_default();
            return Failure::Refused(format!(
                "{server}: the reply is not Redis's protocol ({first}); is this a Redis server's port?"
            ));
        }
        match code.as_str() {
            "WRONGPASS" | "NOAUTH" | "NOPERM" => Failure::Auth(format!(
                "{server}: authentication failed ({code}); check the user and password in the URL or REDISCLI_AUTH"
            )),
            "NOGROUP" => Failure::NoGroup(text),
            "WRONGTYPE" => Failure::WrongType,
            // A cluster moving slots or promoting a replica: the crate's retries of MOVED and
            // ASK ran out, or no node held the slot for a moment; a blocked read on a master
            // that became a replica is UNBLOCKED (the crate does not retry that one).
            "LOADING" | "BUSY" | "MASTERDOWN" | "TRYAGAIN" | "CLUSTERDOWN" | "READONLY"
            | "MOVED" | "ASK" | "UNBLOCKED" => {
                Failure::Transient(format!("{server}: {text}"))
            }
            // rustls's words for a certificate it does not trust: retrying will not change it.
            _ if text.contains("invalid peer certificate") => untrusted(server, &text),
            _ if e.is_io_error()
                || e.kind() == ::redis::ErrorKind::ClusterConnectionNotFound
                || e.is_timeout()
                || e.is_connection_dropped()
                || e.is_connection_refusal() =>
            {
                Failure::Transient(format!("{server}: {text}"))
            }
            _ if text.contains("WRONGPASS") || text.contains("NOAUTH") => {
                Failure::auth_failed(server)
            }
            _ => Failure::Refused(format!("{server}: {text}")),
        }
    }

    /// What the failure says.
    pub fn text(&self) -> &str {
        match self {
            Failure::Transient(t)
            | Failure::Overload(t)
            | Failure::NoGroup(t)
            | Failure::Auth(t)
            | Failure::Refused(t)
            | Failure::Local(t)
            | Failure::Oversize { text: t, .. } => t,
            Failure::WrongType | Failure::WrongTypeOf(..) => "the key is not a stream",
        }
    }

    /// A reply over the cap, as `r` says.
    pub fn oversize(server: &Server, r: Refusal) -> Failure {
        Failure::Oversize {
            one_value: matches!(
                r,
                Refusal::Oversize {
                    announced: true,
                    ..
                }
            ),
            text: format!("{server}: {r}"),
        }
    }

    /// The credentials were refused (the password is never named).
    pub fn auth_failed(server: &Server) -> Failure {
        Failure::Auth(format!(
            "{server}: authentication failed; check the user and password in the URL or REDISCLI_AUTH"
        ))
    }

    /// The failure as a source error that ends the run.
    pub fn into_source_error(self, what: &str) -> SourceError {
        match self {
            Failure::Transient(t) | Failure::Overload(t) => {
                SourceError::new(ErrorClass::Transient, format!("{what}: {t}"))
            }
            Failure::Oversize { text, .. } => {
                SourceError::new(ErrorClass::Refused, format!("{what}: {text}"))
            }
            Failure::NoGroup(t) => SourceError::new(ErrorClass::Gone, format!("{what}: {t}")),
            Failure::WrongType => SourceError::new(
                ErrorClass::Local,
                format!("{what}: the key is not a stream"),
            ),
            Failure::WrongTypeOf(key, kind) => SourceError::new(
                ErrorClass::Local,
                format!("key `{key}` holds a {kind}, not a stream (WRONGTYPE); name a stream key"),
            ),
            Failure::Auth(t) => SourceError::new(ErrorClass::Auth, t),
            Failure::Refused(t) => SourceError::new(ErrorClass::Refused, format!("{what}: {t}")),
            Failure::Local(t) => SourceError::new(ErrorClass::Local, t),
        }
    }
}
