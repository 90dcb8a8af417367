//! Connections and what a Redis error means to feedctl (DESIGN §4a).

use std::time::Duration;

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, RedisConnectionInfo};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::feed::{ErrorClass, SourceError};

use super::guard::{self, Guarded, Refusal};
use super::url::Server;

/// How long connecting may take before it counts as a transient failure.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The variable naming a PEM file of CA certificates that `rediss://` connections trust
/// instead of webpki's roots: the one OpenSSL, and so redis-cli, reads for its default bundle,
/// for a server whose certificate a private CA signed.
pub const CA_FILE_VAR: &str = "SSL_CERT_FILE";

/// The CA certificates of [`CA_FILE_VAR`]'s file, which every `rediss://` connection trusts
/// (the crate's and feedctl's own are opened by [`super::wire::stream`]).
pub struct CaFile {
    pub certs: Vec<CertificateDer<'static>>,
}

/// The certificates of the file [`CA_FILE_VAR`] names, when it is set and not empty: read
/// once per run, though every `rediss://` connection (and reconnection) asks for them.
pub fn ca_file() -> Result<Option<&'static CaFile>, Failure> {
    static CA: std::sync::OnceLock<Result<Option<CaFile>, String>> = std::sync::OnceLock::new();
    match CA.get_or_init(read_ca_file) {
        Ok(ca) => Ok(ca.as_ref()),
        Err(why) => Err(Failure::Local(why.clone())),
    }
}

fn read_ca_file() -> Result<Option<CaFile>, String> {
    let Some(path) = std::env::var_os(CA_FILE_VAR).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let path = std::path::PathBuf::from(path);
    let bad = |why: String| {
        format!(
            "{CA_FILE_VAR}={}: {why}; name a PEM file of CA certificates for rediss://, or unset it",
            path.display()
        )
    };
    let pem = std::fs::read(&path).map_err(|e| bad(format!("cannot read it ({e})")))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("not PEM ({e})")))?;
    if certs.is_empty() {
        return Err(bad(
            "no certificate in it (-----BEGIN CERTIFICATE-----)".into()
        ));
    }
    Ok(Some(CaFile { certs }))
}

/// What to say when the server's certificate was not trusted (no retry will change that).
pub fn untrusted(server: &Server, why: &str) -> Failure {
    Failure::Refused(format!(
        "{server}: TLS: {why}; if a private CA signed the server's certificate, name its PEM file in {CA_FILE_VAR}"
    ))
}

/// Opens a connection of the redis crate over a [`Guarded`] stream: a reply over
/// [`guard::max_reply`] fails it, and so does a reply awaited for `progress` without a byte
/// (above a BLOCK time, or every blocking read fails; the crate's own timeout, for the whole
/// reply, is off: a large reply on a slow link takes as long as it takes while bytes come).
pub async fn connect(
    server: &Server,
    progress: Duration,
) -> Result<MultiplexedConnection, Failure> {
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
    // The handshake (AUTH, SELECT, CLIENT SETINFO) is small: a server that does not answer
    // it within CONNECT_TIMEOUT is as good as unreachable.
    let handshake = MultiplexedConnection::new_with_config(&redis, guarded, config);
    let (conn, driver) = tokio::time::timeout(CONNECT_TIMEOUT, handshake)
        .await
        .map_err(|_| {
            Failure::Transient(format!(
                "{server}: no answer to the handshake within {CONNECT_TIMEOUT:?}"
            ))
        })?
        .map_err(|e| Failure::from_redis(e, server))?;
    // The driver ends when the connection's last handle is dropped with nothing in flight, or
    // when the stream fails (a stalled reply fails it within `progress`).
    tokio::spawn(driver);
    Ok(conn)
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
            "LOADING" | "BUSY" | "MASTERDOWN" | "TRYAGAIN" | "CLUSTERDOWN" | "READONLY" => {
                Failure::Transient(format!("{server}: {text}"))
            }
            // rustls's words for a certificate it does not trust: retrying will not change it.
            _ if text.contains("invalid peer certificate") => untrusted(server, &text),
            _ if e.is_io_error()
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
